# SPDX-License-Identifier: MIT
"""The live provider against the real simulator: a real asyncua OPC UA server and a real pymodbus
TCP server on 127.0.0.1 (one simulator for the module), read through the real connectors on the
manager's background loop. Nothing is mocked.

Covers: SI values and provenance sources, consistency with the calculators, every core tool in
live mode (in process), read_live_data / connector_status, stale and bad values named by tag,
an outage (error within the configured timeout), the circuit breaker opening, and recovery
after a restart without recreating the provider. The outage test runs last.
"""

from __future__ import annotations

import time

import pytest
from _live_helpers import LivePlant, example_data, fast_settings, free_port, wait_for

from condensync_tools.calculators.constants import GPM_M3_S, INHG_PA, f_to_k
from condensync_tools.errors import InvalidArguments, LiveDataError
from condensync_tools.registry import ExecutionContext, all_tools, execute

CORE = (
    "calculate_heat_transfer_coefficient",
    "optimize_vacuum_pressure",
    "detect_air_inleakage",
    "calculate_fouling_factor",
    "optimize_cooling_water_flow",
    "analyze_condenser_performance",
)
#: Arguments a tool needs besides live data and the configuration (operating state not measured).
EXTRA: dict = {}  # pumps_running too comes from the plant (Modbus)
OPC_FIELDS = ["cw_inlet_temp", "cw_outlet_temp", "cw_flow", "condenser_pressure"]


@pytest.fixture(scope="module")
def plant(tmp_path_factory):
    opcua_port, modbus_port = free_port(), free_port()
    data = fast_settings(example_data(), opcua_port, modbus_port)
    for tag in data["condensers"]["unit3"]["opcua"]["tags"]:
        if tag["name"] == "hotwell_temp":
            tag["stale_after_s"] = 1.5  # the stale test freezes this tag
    live = LivePlant(tmp_path_factory.mktemp("live"), data, seed=7)
    yield live.sim, live.config, live.manager
    live.close()


def test_read_returns_si_values_and_sources(plant):
    sim, _, manager = plant
    values, sources = manager.read("unit3", OPC_FIELDS + ["wet_bulb_temp", "steam_flow"])
    truth = sim.values()
    assert set(values) == set(OPC_FIELDS) | {"wet_bulb_temp", "steam_flow"}
    assert values["cw_inlet_temp"] == pytest.approx(truth["cw_inlet_temp"], abs=0.01)  # K
    assert values["condenser_pressure"] == pytest.approx(truth["condenser_pressure"], rel=1e-3)  # Pa
    assert values["cw_flow"] == pytest.approx(truth["cw_flow"], rel=1e-3)  # m³/s
    assert values["wet_bulb_temp"] == pytest.approx(truth["wet_bulb_temp"], abs=0.01)  # Modbus float32 × 0.1
    by_name = {s["name"]: s for s in sources}
    assert [s["name"] for s in sources] == sorted(by_name)
    p = by_name["condenser_pressure"]
    assert p["tag"].endswith("s=Unit3.Condenser.Backpressure") and p["unit"] == "inHgA"
    assert p["source"] == "opcua" and p["service"] == "unit3_dcs" and p["quality"] == "good"
    assert p["value"] * INHG_PA == pytest.approx(values["condenser_pressure"])
    assert by_name["wet_bulb_temp"]["tag"] == "1:40006" and by_name["wet_bulb_temp"]["service"] == "unit3_ct_plc"
    assert by_name["cw_flow"]["value"] * GPM_M3_S == pytest.approx(values["cw_flow"])


def test_fields_without_a_tag_are_not_returned(plant):
    _, _, manager = plant
    values, sources = manager.read("unit3", ["cw_inlet_temp", "vacuum_decay_rate", "heat_duty"])
    assert list(values) == ["cw_inlet_temp"] and len(sources) == 1


def test_unknown_condenser(plant):
    _, _, manager = plant
    with pytest.raises(InvalidArguments, match="unit3"):
        manager.read("unit9", ["cw_inlet_temp"])


def test_heat_transfer_on_live_data_matches_the_simulated_cleanliness(plant):
    sim, config, manager = plant
    outcome = execute(
        "calculate_heat_transfer_coefficient",
        {"condenser_id": "unit3", "data_source": "live"},
        ExecutionContext(design=config, live=manager),
    )
    assert outcome.error is None, outcome.error
    cf = outcome.result["cleanliness_factor"]
    assert cf == pytest.approx(sim.truth()["cleanliness_factor"], abs=2e-4)
    tags = {s["name"]: s["tag"] for s in outcome.result["provenance"]["sources"]}
    assert set(tags) == set(OPC_FIELDS)


@pytest.mark.parametrize("tool", CORE)
def test_every_core_tool_in_live_mode(plant, tool):
    if tool not in {t.name for t in all_tools()}:
        pytest.skip(f"{tool} does not exist yet")
    _, config, manager = plant
    definition = next(t for t in all_tools() if t.name == tool)
    args = {"condenser_id": "unit3", "data_source": "live", **EXTRA.get(tool, {})}
    outcome = execute(tool, args, ExecutionContext(design=config, live=manager))
    assert outcome.error is None, outcome.error.text()
    sources = outcome.result["provenance"]["sources"]
    configured = set(manager.configured_names("unit3"))
    expected = {f for f in definition.live_fields if f in configured}
    assert {s["name"] for s in sources} == expected and expected
    for s in sources:
        assert s["quality"] == "good" and s["source_timestamp"] and s["unit"] and s["tag"]


def test_read_live_data_reports_in_caller_units(plant):
    _, config, manager = plant
    ctx = ExecutionContext(design=config, live=manager)
    us = execute(
        "read_live_data", {"condenser_id": "unit3", "names": ["cw_inlet_temp", "wet_bulb_temp", "ct_fan_speed"]}, ctx
    )
    si = execute(
        "read_live_data",
        {"condenser_id": "unit3", "unit_system": "SI", "names": ["cw_inlet_temp", "wet_bulb_temp"]},
        ctx,
    )
    assert us.error is None and si.error is None
    items = {i["name"]: i for i in us.result["values"]}
    assert items["cw_inlet_temp"]["unit"] == "°F" and items["cw_inlet_temp"]["raw_unit"] == "degF"
    assert items["wet_bulb_temp"]["unit"] == "°F" and items["wet_bulb_temp"]["raw_unit"] == "degC"
    assert items["ct_fan_speed"]["unit"] == "rpm" and items["ct_fan_speed"]["value"] == 118.0
    si_items = {i["name"]: i for i in si.result["values"]}
    assert si_items["cw_inlet_temp"]["unit"] == "°C"
    assert f_to_k(items["cw_inlet_temp"]["value"]) - 273.15 == pytest.approx(
        si_items["cw_inlet_temp"]["value"], abs=0.05
    )
    assert us.result["all_usable"] and us.result["stale_count"] == 0 and us.result["bad_count"] == 0
    for item in items.values():
        assert item["usable"] and item["quality"] == "good" and 0 <= item["age_s"] < item["max_age_s"]
    assert len(us.result["provenance"]["sources"]) == 3
    bad_name = execute("read_live_data", {"condenser_id": "unit3", "names": ["no_such_tag"]}, ctx)
    assert bad_name.error is not None and "$.names[0]: a measurement configured for unit3" in bad_name.error.text()


def test_connector_status(plant):
    _, config, manager = plant
    out = execute("connector_status", {"condenser_id": "unit3"}, ExecutionContext(design=config, live=manager))
    assert out.error is None, out.error
    r = out.result
    kinds = {c["kind"]: c for c in r["connectors"]}
    assert set(kinds) == {"opcua", "modbus", "cmms"}
    assert kinds["opcua"]["connected"] and kinds["opcua"]["breaker_state"] == "closed"
    assert kinds["modbus"]["state"] == "polling"
    assert {b["name"] for b in r["breakers"]} == {"unit3_dcs", "unit3_ct_plc", "cmms"}
    assert r["healthy"] and r["open_breakers"] == 0


def test_stale_tag_is_an_error_naming_the_tag(plant):
    sim, config, manager = plant
    sim.inject("freeze:hotwell_temp")  # a stuck transmitter: its source timestamp stops
    try:
        time.sleep(1.8)
        with pytest.raises(LiveDataError) as info:
            manager.read("unit3", ["hotwell_temp", "cw_inlet_temp"])
        text = info.value.text()
        assert "$.hotwell_temp: a live value no older than 1.5 s from tag" in text
        assert "Unit3.Condenser.HotwellTemp" in text and "s old" in text
        assert "cw_inlet_temp" not in text  # only the stale one is named
        # read_live_data reports it instead of failing
        out = execute(
            "read_live_data",
            {"condenser_id": "unit3", "names": ["hotwell_temp"]},
            ExecutionContext(design=config, live=manager),
        )
        item = out.result["values"][0]
        assert item["stale"] and not item["usable"] and item["age_s"] > 1.5 and "value" in item
        # and a calculator in live mode refuses it
        air = execute(
            "detect_air_inleakage",
            {"condenser_id": "unit3", "data_source": "live"},
            ExecutionContext(design=config, live=manager),
        )
        assert air.error is not None and air.error.kind == "live_data_error"
        assert "Unit3.Condenser.HotwellTemp" in air.error.text()
    finally:
        sim.inject("clear")
    wait_for(lambda: manager.read("unit3", ["hotwell_temp"]), 5.0, "hotwell_temp fresh again")


def test_bad_quality_is_an_error_naming_the_tag(plant):
    sim, config, manager = plant
    sim.inject("bad:dissolved_oxygen_ppb")
    try:

        def bad_now():
            try:
                manager.read("unit3", ["dissolved_oxygen_ppb"])
            except LiveDataError as exc:
                return exc.text()
            return None

        text = wait_for(bad_now, 5.0, "bad quality seen")
        assert "$.dissolved_oxygen_ppb: a good-quality live value from tag" in text
        assert "Unit3.Condensate.DissolvedO2" in text and "BadSensorFailure" in text
        out = execute(
            "read_live_data",
            {"condenser_id": "unit3", "names": ["dissolved_oxygen_ppb"]},
            ExecutionContext(design=config, live=manager),
        )
        item = out.result["values"][0]
        assert item["bad"] and item["quality"] == "bad" and "value" not in item
        assert out.result["bad_count"] == 1 and not out.result["all_usable"]
    finally:
        sim.inject("clear")
    wait_for(lambda: manager.read("unit3", ["dissolved_oxygen_ppb"]), 5.0, "dissolved O2 good again")


def test_air_inleakage_event_is_detected_live(plant):
    sim, config, manager = plant
    ctx = ExecutionContext(design=config, live=manager)
    if "detect_air_inleakage" not in {t.name for t in all_tools()}:
        pytest.skip("detect_air_inleakage does not exist yet")
    before = execute("detect_air_inleakage", {"condenser_id": "unit3", "data_source": "live"}, ctx)
    sim.inject("air_inleakage")
    try:
        wait_for(
            lambda: manager.read("unit3", ["dissolved_oxygen_ppb"])[0]["dissolved_oxygen_ppb"] > 40,
            5.0,
            "dissolved O2 up",
        )
        after = execute("detect_air_inleakage", {"condenser_id": "unit3", "data_source": "live"}, ctx)
    finally:
        sim.inject("clear")
    assert before.error is None and after.error is None
    assert not before.result["leak_detected"] and after.result["leak_detected"]


@pytest.mark.slow
def test_outage_breaker_and_recovery_without_a_new_provider(plant):
    """Simulator stopped → LiveDataError within the configured call timeout; repeated failures
    open the breaker (the call is then refused at once); restarted → data flows again through
    the same provider."""
    sim, config, manager = plant
    call_timeout = config.condensers["unit3"].connectors["opcua"].breaker.call_timeout_s  # 3 s
    manager.read("unit3", OPC_FIELDS)
    sim.stop()
    try:
        # Until the client notices the lost connection (normally at once), a read may still be
        # served from the subscription cache, whose values are genuinely fresh. Every read must
        # answer within the configured call timeout, and the error must come within seconds.
        stopped = time.monotonic()
        error = None
        while error is None and time.monotonic() - stopped < 10.0:
            started = time.monotonic()
            try:
                manager.read("unit3", OPC_FIELDS)
            except LiveDataError as exc:
                error = exc
            assert time.monotonic() - started < call_timeout + 1.0
            if error is None:
                time.sleep(0.05)
        assert error is not None, "no LiveDataError within 10 s of stopping the simulator"
        assert "unit3_dcs" in error.text() and "opc.tcp://127.0.0.1" in error.text()

        def breaker_open():
            try:
                manager.read("unit3", OPC_FIELDS)
            except LiveDataError as exc:
                return "Circuit breaker 'unit3_dcs' is open" in exc.text() and exc.text()
            raise AssertionError("read succeeded while the simulator is stopped")

        text = wait_for(breaker_open, 15.0, "breaker open", interval=0.05)
        assert "the call was refused without contacting the service" in text
        started = time.monotonic()
        with pytest.raises(LiveDataError):
            manager.read("unit3", OPC_FIELDS)
        assert time.monotonic() - started < 1.0  # refused at once, no network wait
        status = execute("connector_status", {"condenser_id": "unit3"}, ExecutionContext(design=config, live=manager))
        assert status.result["open_breakers"] >= 1 and not status.result["healthy"]
    finally:
        sim.start()  # same ports, same simulated plant
    values = wait_for(lambda: manager.read("unit3", OPC_FIELDS)[0], 20.0, "data flows after restart")
    assert values["condenser_pressure"] == pytest.approx(sim.values()["condenser_pressure"], rel=0.01)
    wait_for(lambda: manager.read("unit3", ["wet_bulb_temp"])[0], 10.0, "Modbus flows after restart")
    out = execute(
        "calculate_heat_transfer_coefficient",
        {"condenser_id": "unit3", "data_source": "live"},
        ExecutionContext(design=config, live=manager),
    )
    assert out.error is None
