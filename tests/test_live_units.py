# SPDX-License-Identifier: MIT
"""The unit-string table of live mode: every unit to SI, kinds, errors, configuration checks."""

from __future__ import annotations

import copy
import math

import pytest
from _live_helpers import example_data, write_config

from condensync_tools.calculators import constants as c
from condensync_tools.config import ConfigError, load_config
from condensync_tools.live import (
    UNITS,
    UnitError,
    build_live_provider,
    check_config_units,
    from_si_unit,
    to_si_unit,
    unit_spec,
)

CASES = [
    # (value, unit, SI value)
    (25.0, "°C", 298.15),
    (25.0, "degC", 298.15),
    (25.0, "C", 298.15),
    (25.0, "deg C", 298.15),
    (77.0, "°F", 298.15),
    (77.0, "degF", 298.15),
    (77.0, "F", 298.15),
    (298.15, "K", 298.15),
    (5000.0, "Pa", 5000.0),
    (5.0, "kPa", 5000.0),
    (5.0, "kPa(a)", 5000.0),
    (5.0, "kPaA", 5000.0),
    (0.005, "MPa", 5000.0),
    (0.05, "bar", 5000.0),
    (50.0, "mbar", 5000.0),
    (1.0, "psia", c.PSI_PA),
    (1.0, "psi", c.PSI_PA),
    (2.0, "inHg", 2 * 3386.389),
    (2.0, "inHgA", 2 * 3386.389),
    (2.0, "in Hg", 6772.778),
    (50.0, "mmHg", 50 * 133.322),
    (50.0, "torr", 50 * 133.322),
    (1.0, "gpm", 3.785411784e-3 / 60),
    (3600.0, "m3/h", 1.0),
    (3600.0, "m³/h", 1.0),
    (2.0, "m3/s", 2.0),
    (1000.0, "L/s", 1.0),
    (60000.0, "L/min", 1.0),
    (2.0, "kg/s", 2.0),
    (3600.0, "kg/h", 1.0),
    (3.6, "t/h", 1.0),
    (1.0, "lb/h", 0.45359237 / 3600),
    (1.0, "klb/h", 453.59237 / 3600),
    (1.0, "SCFM", c.SCFM_AIR_KG_S),
    (7.0, "ppb", 7.0),
    (7.0, "µg/kg", 7.0),
    (0.007, "ppm", 7.0),
    (12.0, "%", 12.0),
    (590.0, "rpm", 590.0),
    (1.0, "kW", 1000.0),
    (1.0, "MW", 1.0e6),
    (1.0, "W", 1.0),
    (0.1, "inHg/min", 3386.389 / 600),
    (0.6, "kPa/min", 10.0),
    (3.0, "ft/s", 0.9144),
    (1.0, "in", 0.0254),
    (1.0, "psig", c.PSI_PA),
    (1.0, "barg", 1.0e5),
    (28.0, "inHgV", 28 * 3386.389),
]


@pytest.mark.parametrize(("value", "unit", "si"), CASES)
def test_unit_to_si(value, unit, si):
    assert to_si_unit(value, unit) == pytest.approx(si, rel=1e-12)
    assert from_si_unit(si, unit) == pytest.approx(value, rel=1e-12)


def test_scale_matches_the_tool_layer_conversion():
    """The table agrees with condensync_tools.units for the tool-facing units."""
    from condensync_tools.units import to_si

    assert to_si_unit(80.0, "degF") == pytest.approx(to_si("temperature", 80.0, "US"), rel=1e-15)
    assert to_si_unit(1.5, "inHgA") == pytest.approx(to_si("pressure", 1.5, "US"), rel=1e-15)
    assert to_si_unit(200000.0, "gpm") == pytest.approx(to_si("volumetric_flow", 200000.0, "US"), rel=1e-15)
    assert to_si_unit(3.0, "SCFM") == pytest.approx(to_si("air_flow", 3.0, "US"), rel=1e-15)
    assert to_si_unit(1.9e6, "lb/h") == pytest.approx(to_si("steam_flow", 1.9e6, "US"), rel=1e-15)


def test_temperature_difference_has_no_offset():
    assert to_si_unit(1.8, "degF", kind="temperature_difference") == pytest.approx(1.0)
    assert to_si_unit(2.0, "degC", kind="temperature_difference") == pytest.approx(2.0)
    assert to_si_unit(2.0, "degC", kind="temperature") == pytest.approx(275.15)


def test_percent_feeding_a_fraction_is_divided_by_100():
    assert to_si_unit(85.0, "%", kind="fraction") == pytest.approx(0.85)
    assert to_si_unit(0.85, "1", kind="percent") == pytest.approx(85.0)


def test_unknown_unit_names_the_tag():
    with pytest.raises(UnitError, match=r"tag ns=2;s=X has unit 'furlong/fortnight'.*cannot convert"):
        to_si_unit(1.0, "furlong/fortnight", tag="ns=2;s=X")
    assert unit_spec("furlong/fortnight") is None


def test_wrong_dimension_for_the_field_is_an_error():
    with pytest.raises(UnitError, match=r"'degC' \(temperature\), but the field it feeds is a volumetric flow"):
        to_si_unit(20.0, "degC", kind="volumetric_flow", tag="1:40001")
    with pytest.raises(UnitError, match="pressure gauge"):
        to_si_unit(5.0, "psig", kind="pressure")  # a gauge reading never feeds an absolute pressure


def test_case_matters_for_si_prefixes():
    assert unit_spec("MW").factor == 1.0e6
    assert unit_spec("mW") is None  # not silently megawatts


def test_every_unit_round_trips():
    for unit, spec in UNITS.items():
        assert math.isfinite(spec.factor) and spec.factor > 0, unit
        assert from_si_unit(to_si_unit(3.25, unit), unit) == pytest.approx(3.25, rel=1e-12), unit


def test_bundled_example_units_are_all_known():
    config = load_config(example_data_path())
    assert check_config_units(config) == []


def example_data_path():
    from condensync_tools.config import EXAMPLE_CONFIG

    return EXAMPLE_CONFIG


def test_manager_refuses_unknown_units_with_the_key_path(tmp_path):
    data = copy.deepcopy(example_data())
    data["condensers"]["unit3"]["opcua"]["tags"][3]["unit"] = "inH2O"
    data["condensers"]["unit3"]["modbus"]["registers"][0]["unit"] = "gpm"  # not a tool argument: unchecked
    data["condensers"]["unit3"]["opcua"]["tags"][2]["unit"] = "degC"  # cw_flow in degC
    path = write_config(tmp_path / "plant.toml", data)
    with pytest.raises(ConfigError) as info:  # the loader checks the tag units with everything else
        load_config(path)
    text = str(info.value)
    assert str(path) in text
    assert "condensers.unit3.opcua.tags.3.unit: 'condenser_pressure' has unit 'inH2O'" in text
    assert (
        "condensers.unit3.opcua.tags.2.unit: 'cw_flow' has unit 'degC' (temperature), but the field it feeds "
        "is a volumetric flow" in text
    )
    # ct_outlet_temp is not a tool argument: any known unit is accepted for it
    assert "modbus.registers.0" not in text


def test_no_connectors_no_provider(tmp_path):
    data = copy.deepcopy(example_data())
    for key in ("opcua", "modbus", "cmms"):
        del data["condensers"]["unit3"][key]
    config = load_config(write_config(tmp_path / "plant.toml", data))
    assert build_live_provider(config) is None
    assert build_live_provider(None) is None
