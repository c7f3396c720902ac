# SPDX-License-Identifier: MIT
"""Malformed plant configurations: each gives a ConfigError naming the file and the key path
(or, for TOML syntax, the line and column), with every problem listed."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from _live_helpers import example_data, to_toml

from condensync_tools.config import ConfigError, load_config


def _mutated(change: Callable[[dict[str, Any]], Any]) -> str:
    data = copy.deepcopy(example_data())
    change(data)
    return to_toml(data)


def _unit3(data: dict[str, Any]) -> dict[str, Any]:
    return data["condensers"]["unit3"]


CASES = [
    # (id, file text, expected fragments of the error)
    (
        "toml_syntax",
        'plant = { name = "x"\n[condensers.unit3]\n',
        ["not valid TOML: Unclosed inline table (at line 1, column 21)"],
    ),
    (
        "unknown_top_level_table",
        _mutated(lambda d: d.update(plants={"name": "x"})),
        ["plants: unknown top-level table"],
    ),
    (
        "plant_unit_system",
        _mutated(lambda d: d["plant"].update(unit_system="metric")),
        ["plant.unit_system: expected 'US' or 'SI', got 'metric'"],
    ),
    ("no_condensers", '[plant]\nname = "x"\n', ["condensers: expected at least one [condensers.<id>] table"]),
    (
        "condenser_id",
        '[condensers."unit 3!"]\ndescription = "x"\n',
        ["condensers.unit 3!: condenser id must be 1-64 letters"],
    ),
    (
        "group_typo",
        _mutated(lambda d: _unit3(d).update(tube={"tube_od": 1.0})),
        ["condensers.unit3.tube: unknown key (expected description, unit_system, tubes"],
    ),
    (
        "argument_typo",
        _mutated(lambda d: _unit3(d)["tubes"].update(tube_odd=1.0)),
        ["condensers.unit3.tubes.tube_odd: not an argument of any tool (check the spelling)"],
    ),
    (
        "argument_type",
        _mutated(lambda d: _unit3(d)["tubes"].update(tube_count="many")),
        ["condensers.unit3.tubes.tube_count: 'many' is not of type 'integer'"],
    ),
    (
        "argument_range",
        _mutated(lambda d: _unit3(d)["tubes"].update(tube_passes=9)),
        ["condensers.unit3.tubes.tube_passes: 9 is greater than the maximum of 4"],
    ),
    (
        "argument_enum",
        _mutated(lambda d: _unit3(d)["tubes"].update(tube_material="unobtainium")),
        ["condensers.unit3.tubes.tube_material: 'unobtainium' is not one of"],
    ),
    (
        "argument_twice",
        _mutated(lambda d: _unit3(d)["design_point"].update(tube_passes=2)),
        ["condensers.unit3.design_point.tube_passes: given twice in this condenser"],
    ),
    (
        "condenser_unit_system",
        _mutated(lambda d: _unit3(d).update(unit_system="imperial")),
        ["condensers.unit3.unit_system: expected 'US' or 'SI', got 'imperial'"],
    ),
    (
        "opcua_endpoint_scheme",
        _mutated(lambda d: _unit3(d)["opcua"].update(endpoint="http://10.0.0.5:4840")),
        ["condensers.unit3.opcua.endpoint:", "must start with opc.tcp://"],
    ),
    (
        "opcua_key_typo",
        _mutated(lambda d: _unit3(d)["opcua"].update(endpont="opc.tcp://x:1/")),
        ["condensers.unit3.opcua.endpont: Extra inputs are not permitted"],
    ),
    (
        "opcua_tag_without_unit",
        _mutated(lambda d: _unit3(d)["opcua"]["tags"][1].pop("unit")),
        ["condensers.unit3.opcua.tags.1.unit: Field required"],
    ),
    (
        "opcua_tag_two_addresses",
        _mutated(lambda d: _unit3(d)["opcua"]["tags"][2].update(browse_path="2:A/2:B")),
        ["condensers.unit3.opcua.tags.2:", "give exactly one of node_id or browse_path"],
    ),
    (
        "opcua_node_id_form",
        _mutated(lambda d: _unit3(d)["opcua"]["tags"][0].update(node_id="Unit3.CW.InletTemp")),
        ["condensers.unit3.opcua.tags.0.node_id:", "is not an OPC UA node id"],
    ),
    (
        "opcua_tag_name",
        _mutated(lambda d: _unit3(d)["opcua"]["tags"][0].update(name="CW Inlet")),
        ["condensers.unit3.opcua.tags.0.name:", "must be snake_case"],
    ),
    (
        "opcua_duplicate_tag",
        _mutated(lambda d: _unit3(d)["opcua"]["tags"][1].update(name="cw_inlet_temp")),
        ["condensers.unit3.opcua:", "tag names must be unique; repeated: cw_inlet_temp"],
    ),
    (
        "modbus_input_register",
        _mutated(lambda d: _unit3(d)["modbus"]["registers"][1].update(address=30003)),
        ["condensers.unit3.modbus.registers.1.address:", "is not a holding-register reference"],
    ),
    (
        "modbus_overlap",
        _mutated(lambda d: _unit3(d)["modbus"]["registers"][1].update(address=40002)),
        ["condensers.unit3.modbus:", "'ct_outlet_temp' and 'ct_inlet_temp' overlap on device 1"],
    ),
    (
        "modbus_timeout_vs_breaker",
        _mutated(lambda d: _unit3(d)["modbus"].update(timeout_s=20.0)),
        ["condensers.unit3.modbus:", "timeout_s = 20.0 s exceeds breaker.call_timeout_s = 10.0 s"],
    ),
    (
        "cmms_without_site",
        _mutated(lambda d: _unit3(d)["cmms"].pop("site_id")),
        ["condensers.unit3.cmms:", "kind 'maximo' needs 'site_id'"],
    ),
    (
        "weather_url",
        _mutated(lambda d: _unit3(d).update(weather={"url": "ftp://weather"})),
        ["condensers.unit3.weather.url:", "must start with http:// or https://"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_configuration(tmp_path, text, expected):
    path = tmp_path / "plant.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert info.value.path == str(path)
    assert message.startswith(f"invalid plant configuration {path}:")
    for fragment in expected:
        assert fragment in message, message
    assert "Traceback" not in message


def test_every_problem_is_listed_at_once(tmp_path):
    def change(d):
        d["plant"]["unit_system"] = "metric"
        _unit3(d)["tubes"]["tube_passes"] = 9
        _unit3(d)["opcua"]["tags"][0]["node_id"] = "bad"
        _unit3(d)["modbus"]["registers"][0]["address"] = 1

    path = tmp_path / "plant.toml"
    path.write_text(_mutated(change), "utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert len(info.value.problems) == 4
    assert [p.split(":")[0] for p in info.value.problems] == [
        "plant.unit_system",
        "condensers.unit3.tubes.tube_passes",
        "condensers.unit3.opcua.tags.0.node_id",
        "condensers.unit3.modbus.registers.0.address",
    ]


def test_missing_file():
    with pytest.raises(ConfigError, match="file not found: /no/such/plant.toml"):
        load_config("/no/such/plant.toml")


def test_unknown_tag_unit_is_reported_by_the_loader(tmp_path):
    """Tag units are checked when the file is loaded, with every other problem."""
    path = tmp_path / "plant.toml"
    path.write_text(_mutated(lambda d: _unit3(d)["opcua"]["tags"][3].update(unit="inH2O")), "utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.path == str(path)
    assert "condensers.unit3.opcua.tags.3.unit: 'condenser_pressure' has unit 'inH2O'" in str(info.value)


def test_three_mistakes_three_problems_in_one_pass(tmp_path):
    """An argument out of range, a Modbus input-register address and an OPC UA tag whose unit
    does not fit its field: all three named by one load, none waiting for the others."""

    def change(d):
        _unit3(d)["tubes"]["tube_passes"] = 9
        _unit3(d)["modbus"]["registers"][1]["address"] = 30003
        _unit3(d)["opcua"]["tags"][3]["unit"] = "gpm"

    path = tmp_path / "plant.toml"
    path.write_text(_mutated(change), "utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert [p.split(":")[0] for p in info.value.problems] == [
        "condensers.unit3.tubes.tube_passes",
        "condensers.unit3.modbus.registers.1.address",
        "condensers.unit3.opcua.tags.3.unit",
    ], info.value.problems
