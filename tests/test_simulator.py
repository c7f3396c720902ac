# SPDX-License-Identifier: MIT
"""The plant simulator: a deterministic, physically consistent model (no servers), then its real
OPC UA and Modbus TCP servers read with the plain asyncua / pymodbus clients (one simulator for
the module), its event injection (CLI schedule, OPC UA method, command variable), and the
``simulate`` / ``status`` command lines."""

from __future__ import annotations

import asyncio
import json

import pytest
from _live_helpers import example_data, fast_settings, free_port, write_config

from condensync_tools import cli_live
from condensync_tools.calculators.constants import INHG_PA, f_to_k
from condensync_tools.calculators.vacuum import expected_backpressure
from condensync_tools.calculators.water import saturation_temperature
from condensync_tools.registry import execute
from condensync_tools.simulator import (
    SIM_NAMESPACE,
    SimEvent,
    SimPlant,
    SimSettings,
    SimulatorModel,
    SimulatorThread,
    parse_event,
)

K0 = 273.15


@pytest.fixture(scope="module")
def plant() -> SimPlant:
    return SimPlant.from_toml()  # the bundled example


# ------------------------------------------------------------------------------ model
def test_parse_event():
    assert parse_event("air_inleakage@300") == SimEvent("air_inleakage", 300.0)
    assert parse_event("air_inleakage:0.5@600+1800") == SimEvent("air_inleakage", 600.0, 1800.0, 0.5)
    assert parse_event("cw_pump_trip", now_s=42.0) == SimEvent("cw_pump_trip", 42.0)
    assert parse_event("freeze:condenser_pressure@60") == SimEvent("freeze", 60.0, None, 1.0, "condenser_pressure")
    for bad, why in (
        ("meteor@5", "unknown event"),
        ("freeze@5", "needs a measurement name"),
        ("air_inleakage:2", r"must be in \(0, 1\]"),
        ("air_inleakage@soon", "is not 'kind"),
    ):
        with pytest.raises(ValueError, match=why):
            parse_event(bad)


def test_deterministic_given_the_seed(plant):
    a = SimulatorModel(plant, SimSettings(seed=11))
    b = SimulatorModel(plant, SimSettings(seed=11))
    c = SimulatorModel(plant, SimSettings(seed=12))
    for n in (0, 1, 57, 5000):
        assert a.values(n) == b.values(n)
    assert a.values(5) != c.values(5)
    exact = SimulatorModel(plant, SimSettings(seed=11, noise=0.0))
    assert exact.values(5) == exact.truth(5)
    # noise is small: 0.03 K on temperatures, 0.2 % on pressure
    assert abs(a.values(5)["cw_inlet_temp"] - exact.values(5)["cw_inlet_temp"]) < 0.2
    assert a.values(5)["condenser_pressure"] == pytest.approx(exact.values(5)["condenser_pressure"], rel=0.01)


def test_daily_load_cw_temperature_and_fouling_drift(plant):
    m = SimulatorModel(plant, SimSettings(start_hour=0.0, speed=3600.0, interval_s=1.0, noise=0.0))
    # update n = hour of the day (one simulated hour per update)
    assert m.truth(3)["load"] == pytest.approx(0.6) and m.truth(15)["load"] == pytest.approx(1.0)
    assert m.truth(4)["cw_inlet_temp"] - K0 == pytest.approx(21.0)
    assert m.truth(16)["cw_inlet_temp"] - K0 == pytest.approx(27.0)
    cf = [m.truth(24 * day)["cleanliness_factor"] for day in range(0, 60, 10)]
    assert all(x > y for x, y in zip(cf, cf[1:], strict=False))  # fouling: CF falls day after day
    assert 0.65 < cf[-1] < cf[0] < 0.95
    # backpressure rises with load and CW temperature
    assert m.truth(15)["condenser_pressure"] > m.truth(3)["condenser_pressure"]
    assert m.truth(15)["generator_output"] == pytest.approx(m.rated_output)


def test_backpressure_is_the_calculators_chain_and_the_tool_recovers_the_cleanliness(plant):
    m = SimulatorModel(plant, SimSettings(noise=0.0))
    t = m.truth(10)
    state = expected_backpressure(
        m.model, t["cw_inlet_temp"], t["cw_flow"], t["heat_duty"], cleanliness_factor=t["cleanliness_factor"]
    )
    assert t["condenser_pressure"] == pytest.approx(state.backpressure, rel=1e-12)
    geo = plant.geometry
    args = {
        "unit_system": "SI",
        "cw_inlet_temp": t["cw_inlet_temp"] - K0,
        "cw_outlet_temp": t["cw_outlet_temp"] - K0,
        "cw_flow": t["cw_flow"] * 3600.0,
        "condenser_pressure": t["condenser_pressure"] / 1000.0,
        "tube_od": geo["tube_od"] * 1000.0,
        "tube_gauge_bwg": geo["tube_gauge_bwg"],
        "tube_material": geo["tube_material"],
        "tube_count": geo["tube_count"],
        "plugged_tubes": geo["plugged_tubes"],
        "tube_passes": geo["tube_passes"],
        "tube_length": geo["tube_length"],
    }
    out = execute("calculate_heat_transfer_coefficient", args)
    assert out.error is None, out.error
    assert out.result["cleanliness_factor"] == pytest.approx(t["cleanliness_factor"], abs=1e-6)


def test_events_move_the_right_measurements(plant):
    base = SimulatorModel(plant, SimSettings(noise=0.0, interval_s=1.0, speed=60.0))
    events = [parse_event("air_inleakage@600+600"), parse_event("cw_pump_trip@1800")]
    m = SimulatorModel(plant, SimSettings(noise=0.0, interval_s=1.0, speed=60.0), events)
    before, air, after_air, trip = m.truth(5), m.truth(12), m.truth(25), m.truth(31)
    assert before == base.truth(5)
    assert air["air_severity"] == 1.0
    assert air["condenser_pressure"] == pytest.approx(base.truth(12)["condenser_pressure"] + 1000.0)
    assert air["dissolved_oxygen_ppb"] > 40 and before["dissolved_oxygen_ppb"] < 10
    assert air["air_removal_flow"] > 5 * before["air_removal_flow"]

    def subcooling(state):
        return saturation_temperature(state["condenser_pressure"]) - state["hotwell_temp"]

    assert subcooling(air) == pytest.approx(subcooling(before) + 2.5)  # air raises condensate subcooling
    assert after_air == base.truth(25)  # the 600 s event is over
    assert trip["cw_flow"] == pytest.approx(0.72 * base.truth(31)["cw_flow"])
    assert trip["pumps_running"] == 2.0
    assert trip["condenser_pressure"] > base.truth(31)["condenser_pressure"]
    m.add_event(parse_event("clear", now_s=m.time_s(40)))
    assert m.truth(41) == base.truth(41)


def test_plant_from_an_si_configuration(tmp_path):
    data = example_data()
    cond = data["condensers"]["unit3"]
    cond["unit_system"] = "SI"
    cond["tubes"].update(tube_od=25.4, tube_length=12.192)
    for group in ("design_point", "turbine", "economics", "thresholds", "design"):
        cond.pop(group)
    path = write_config(tmp_path / "si.toml", data)
    si = SimPlant.from_toml(path)
    assert si.geometry["tube_od"] == pytest.approx(0.0254) and si.geometry["tube_length"] == pytest.approx(12.192)
    us = SimPlant.from_toml()
    assert SimulatorModel(si).truth(0) == pytest.approx(SimulatorModel(us).truth(0))
    with pytest.raises(ValueError, match="no condenser 'unit9'"):
        SimPlant.from_toml(path, "unit9")


# ------------------------------------------------------------------------------ servers
@pytest.fixture(scope="module")
def running(tmp_path_factory):
    opcua_port, modbus_port = free_port(), free_port()
    path = write_config(
        tmp_path_factory.mktemp("sim") / "plant.toml", fast_settings(example_data(), opcua_port, modbus_port)
    )
    sim = SimulatorThread(
        SimPlant.from_toml(path), SimSettings(interval_s=0.2, noise=0.0), [parse_event("cw_pump_trip@100000")]
    )
    sim.start()
    yield sim, path, opcua_port, modbus_port
    sim.close()


def test_opcua_serves_the_configured_tags_in_their_units(running):
    sim, _, port, _ = running

    async def read():
        from asyncua import Client

        async with Client(f"opc.tcp://127.0.0.1:{port}/condensync/simulator/", timeout=4) as client:
            ns = await client.get_namespace_index(SIM_NAMESPACE)
            bp = await client.get_node(f"ns={ns};s=Unit3.Condenser.Backpressure").read_data_value()
            t_in = await client.get_node(f"ns={ns};s=Unit3.CW.InletTemp").read_value()
            truth = await client.get_node(f"ns={ns};s=Simulator.TrueCleanlinessFactor").read_value()
            return bp, t_in, truth

    bp, t_in, truth = asyncio.run(read())
    values = sim.values()
    assert bp.Value.Value * INHG_PA == pytest.approx(values["condenser_pressure"], rel=1e-3)
    assert bp.StatusCode.is_good() and bp.SourceTimestamp is not None
    assert f_to_k(t_in) == pytest.approx(values["cw_inlet_temp"], abs=0.01)
    assert truth == pytest.approx(sim.truth()["cleanliness_factor"], rel=1e-6)


def test_events_through_the_opcua_method_and_the_command_variable(running):
    sim, _, port, _ = running

    async def inject():
        from asyncua import Client, ua

        async with Client(f"opc.tcp://127.0.0.1:{port}/condensync/simulator/", timeout=4) as client:
            ns = await client.get_namespace_index(SIM_NAMESPACE)
            sim_obj = client.get_node(f"ns={ns};s=Simulator")
            reply = await sim_obj.call_method(f"{ns}:InjectEvent", "air_inleakage:0.5")
            bogus = await sim_obj.call_method(f"{ns}:InjectEvent", "meteor")
            command = client.get_node(f"ns={ns};s=Simulator.Command")
            await command.write_value(ua.Variant("cw_pump_trip", ua.VariantType.String))
            result = client.get_node(f"ns={ns};s=Simulator.LastCommandResult")
            for _ in range(50):
                text = await result.read_value()
                if "cw_pump_trip" in text:
                    break
                await asyncio.sleep(0.1)
            active = await client.get_node(f"ns={ns};s=Simulator.ActiveEvents").read_value()
            return reply, bogus, text, active

    try:
        reply, bogus, text, active = asyncio.run(inject())
        assert "air_inleakage:0.5" in reply and bogus.startswith("error: unknown event 'meteor'")
        assert "cw_pump_trip" in text
        truth = sim.truth()
        assert truth["air_severity"] == 0.5 and truth["pumps_running"] == 2.0
    finally:
        sim.inject("clear")
        sim.wait_update()
    assert sim.truth()["air_severity"] == 0.0 and sim.truth()["pumps_running"] == 3.0


def test_modbus_serves_scaled_registers_and_is_read_only(running):
    sim, _, _, port = running

    async def read():
        from pymodbus.client import AsyncModbusTcpClient

        dt = AsyncModbusTcpClient.DATATYPE
        client = AsyncModbusTcpClient("127.0.0.1", port=port, timeout=2, retries=0)
        assert await client.connect()
        try:
            block = await client.read_holding_registers(0, count=7, device_id=1)  # 40001-40007
            pumps = await client.read_holding_registers(106, count=1, device_id=2)  # 40107
            write = await client.write_register(4, 1, device_id=1)
            sim.inject("bad:wet_bulb_temp")
            await asyncio.sleep(0.05)
            bad = await client.read_holding_registers(5, count=2, device_id=1)
            sim.inject("clear")
            return (
                [
                    client.convert_from_registers(block.registers[0:2], dt.FLOAT32) * 0.1,
                    client.convert_from_registers(block.registers[4:5], dt.UINT16),
                    client.convert_from_registers(block.registers[5:7], dt.FLOAT32) * 0.1,
                    pumps.registers[0],
                ],
                write,
                bad,
            )
        finally:
            client.close()

    (ct_out, fan, wet_bulb, pumps), write, bad = asyncio.run(read())
    values = sim.values()
    assert ct_out + K0 == pytest.approx(values["ct_outlet_temp"], abs=1e-4)
    assert wet_bulb + K0 == pytest.approx(values["wet_bulb_temp"], abs=1e-4)
    assert fan == 118 and pumps == 3
    assert write.isError() and write.exception_code == 2
    assert bad.isError() and bad.exception_code == 4


def test_status_command_against_the_running_simulator(running, capsys, monkeypatch):
    _, path, _, _ = running
    monkeypatch.delenv("CONDENSYNC_CONFIG", raising=False)
    assert cli_live.main(["status", "--config", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["healthy"]
    names = {v["name"] for v in report["values"]["unit3"]["values"]}
    assert {"condenser_pressure", "wet_bulb_temp", "pumps_running"} <= names
    assert cli_live.main(["status", "--config", str(path)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("HEALTHY") and "unit3_dcs" in text and "wet_bulb_temp" in text


def test_simulate_and_status_command_line_errors(capsys, monkeypatch):
    monkeypatch.delenv("CONDENSYNC_CONFIG", raising=False)
    assert cli_live.main(["simulate", "--event", "meteor@5", "--duration", "1"]) == 2
    assert "unknown event 'meteor'" in capsys.readouterr().err
    assert cli_live.main(["simulate", "--condenser", "unit9", "--duration", "1"]) == 2
    assert "no condenser 'unit9'" in capsys.readouterr().err
    assert cli_live.main(["status"]) == 2
    assert "--config" in capsys.readouterr().err


def test_status_command_reports_an_unreachable_plant(tmp_path, capsys):
    data = fast_settings(example_data(), free_port(), free_port())  # nothing listens there
    path = write_config(tmp_path / "plant.toml", data)
    assert cli_live.main(["status", "--config", str(path), "--wait", "5"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("ATTENTION NEEDED") and "NOT CONNECTED" in out
