# SPDX-License-Identifier: MIT
"""Modbus TCP connector against a real pymodbus server (SimDevice datastore) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from pymodbus.client import AsyncModbusTcpClient
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from connectors.freshness import check_fresh
from connectors.modbus import ModbusConnector, plan_blocks
from connectors.resilience import BreakerState
from connectors.settings import BreakerSettings, ModbusRegister, ModbusSettings, RetrySettings
from connectors.types import BadQualityError, CircuitOpenError, ConnectorUnavailable, Quality

pytestmark = pytest.mark.asyncio(loop_scope="module")

DT = AsyncModbusTcpClient.DATATYPE
BREAKER = BreakerSettings(fail_max=50, call_timeout_s=2.0, reset_timeout_s=1.0)
RETRY = RetrySettings(attempts=2, backoff_initial_s=0.05, backoff_max_s=0.1, jitter_s=0.0)

#: The register map of the original design: CT PLC = unit 1, CW pump PLC = unit 2.
REGISTER_MAP = [
    ModbusRegister(name="ct_outlet_temp", address=40001, type="float32", scale=0.1, unit="degC"),
    ModbusRegister(name="ct_inlet_temp", address=40003, type="float32", scale=0.1, unit="degC"),
    ModbusRegister(name="ct_fan_speed", address=40005, type="uint16", unit="rpm"),
    ModbusRegister(name="cw_pump_speed", address=40101, type="uint16", unit="rpm", device_id=2),
    ModbusRegister(name="cw_pump_power", address=40103, type="float32", scale=0.1, unit="kW", device_id=2),
    ModbusRegister(name="cw_discharge_pressure", address=40105, type="float32", scale=0.01, unit="kPa", device_id=2),
]
EXPECTED = {
    "ct_outlet_temp": 29.5,
    "ct_inlet_temp": 25.5,
    "ct_fan_speed": 1200.0,
    "cw_pump_speed": 1480.0,
    "cw_pump_power": 350.0,
    "cw_discharge_pressure": 250.0,
}


def _little(value: float) -> list[int]:
    return AsyncModbusTcpClient.convert_to_registers(value, DT.FLOAT32, word_order="little")  # type: ignore[return-value]


def plant_devices() -> list[SimDevice]:
    ct_plc = SimDevice(
        id=1,
        simdata=[
            SimData(address=0, values=295.0, datatype=DataType.FLOAT32),  # 40001 raw tenths of degC
            SimData(address=2, values=255.0, datatype=DataType.FLOAT32),  # 40003
            SimData(address=4, values=1200, datatype=DataType.UINT16),  # 40005
        ],
    )
    cw_plc = SimDevice(
        id=2,
        simdata=[
            SimData(address=100, values=1480, datatype=DataType.UINT16),  # 40101
            SimData(address=101, values=0, datatype=DataType.REGISTERS),  # 40102 spare
            SimData(address=102, values=3500.0, datatype=DataType.FLOAT32),  # 40103 raw tenths of kW
            SimData(address=104, values=25000.0, datatype=DataType.FLOAT32),  # 40105 raw hundredths of kPa
        ],
    )
    cdab_plc = SimDevice(
        id=3,
        simdata=[  # a device with little word order (CDAB)
            SimData(address=0, values=[*_little(301.0), *_little(-1234.5)], datatype=DataType.REGISTERS),
        ],
    )
    return [ct_plc, cw_plc, cdab_plc]


async def serve(port: int) -> ModbusTcpServer:
    server = ModbusTcpServer(context=plant_devices(), address=("127.0.0.1", port))
    await server.serve_forever(background=True)
    return server


def settings(port: int, registers: list[ModbusRegister] = REGISTER_MAP, **kw: object) -> ModbusSettings:
    base: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "timeout_s": 0.5,
        "poll_interval_s": 0.1,
        "breaker": BREAKER,
        "retry": RETRY,
        "registers": registers,
    }
    return ModbusSettings(**(base | kw))


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def plc_port(free_port):
    port = free_port()
    server = await serve(port)
    yield port
    await server.shutdown()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def writer(plc_port):
    client = AsyncModbusTcpClient("127.0.0.1", port=plc_port, timeout=1)
    assert await client.connect()
    yield client
    client.close()


async def test_block_planning_reads_contiguous_registers_per_unit():
    blocks = plan_blocks(REGISTER_MAP, default_device_id=1)
    assert [(b.device_id, b.start, b.count) for b in blocks] == [(1, 0, 5), (2, 100, 1), (2, 102, 4)]


async def test_register_map_is_decoded_and_scaled(plc_port):
    conn = ModbusConnector(settings(plc_port))
    await conn.start(poll=False)
    try:
        before = datetime.now(UTC)
        readings = await conn.read()
        assert {n: r.value for n, r in readings.items()} == pytest.approx(EXPECTED)
        power = readings["cw_pump_power"]
        assert power.unit == "kW" and power.tag == "2:40103" and power.source == "modbus"
        assert power.quality is Quality.GOOD and power.status == "Good"
        assert power.source_timestamp >= before and power.source_timestamp.tzinfo is not None
        check_fresh(readings, conn.stale_limits())
    finally:
        await conn.stop()


async def test_little_word_order_and_scale(plc_port):
    registers = [
        ModbusRegister(name="ct_outlet_temp", address=40001, type="float32", scale=0.1, unit="degC"),
        ModbusRegister(name="cw_discharge_pressure", address=40003, type="float32", scale=0.01, unit="kPa"),
    ]
    async with ModbusConnector(settings(plc_port, registers, device_id=3, word_order="little")) as conn:
        readings = await conn.read()
    assert readings["ct_outlet_temp"].value == pytest.approx(30.1)
    assert readings["cw_discharge_pressure"].value == pytest.approx(-12.345)
    async with ModbusConnector(settings(plc_port, registers, device_id=3, word_order="big")) as wrong:
        assert (await wrong.read())["ct_outlet_temp"].value != pytest.approx(30.1)


async def test_polling_feeds_the_cache(plc_port, writer, eventually):
    async with ModbusConnector(settings(plc_port)) as conn:
        first = (await conn.read(["ct_outlet_temp"]))["ct_outlet_temp"]
        await writer.write_registers(0, AsyncModbusTcpClient.convert_to_registers(301.0, DT.FLOAT32), device_id=1)

        async def polled() -> bool:
            reading = conn._cache.get("ct_outlet_temp")
            return reading is not None and reading.value == pytest.approx(30.1)

        await eventually(polled, what="poll picks up the new CT outlet temperature")
        cached = conn._cache.get("ct_outlet_temp")
        reading = (await conn.read(["ct_outlet_temp"]))["ct_outlet_temp"]
        assert reading is cached or reading.source_timestamp >= cached.source_timestamp  # type: ignore[union-attr]
        assert reading.source_timestamp > first.source_timestamp
        status = conn.status()
        assert status["polling"] and status["connected"] and status["tags"]["ct_outlet_temp"]["age_s"] < 1.0
    await writer.write_registers(0, AsyncModbusTcpClient.convert_to_registers(295.0, DT.FLOAT32), device_id=1)


async def test_exception_reply_gives_bad_quality_naming_the_register(plc_port):
    registers = [*REGISTER_MAP, ModbusRegister(name="hotwell_level", address=40201, type="uint16", unit="mm")]
    async with ModbusConnector(settings(plc_port, registers)) as conn:
        readings = await conn.read(["hotwell_level", "ct_fan_speed"])
    assert readings["ct_fan_speed"].quality is Quality.GOOD
    bad = readings["hotwell_level"]
    assert bad.quality is Quality.BAD and bad.status == "Modbus exception 2 (illegal data address)"
    with pytest.raises(BadQualityError, match="hotwell_level.*illegal data address"):
        check_fresh(readings, 60)


async def test_device_not_running_gives_clear_error_within_timeout(free_port):
    port = free_port()
    conn = ModbusConnector(settings(port))
    t0 = time.monotonic()
    with pytest.raises(ConnectorUnavailable) as err:
        await conn.start()
    assert time.monotonic() - t0 < BREAKER.call_timeout_s + 0.5
    assert f"127.0.0.1:{port}" in str(err.value) and "request timeout 0.5 s" in str(err.value)
    await conn.stop()


async def test_silent_device_times_out_within_the_configured_timeout(free_port):
    """A peer that accepts the connection but never answers (a hung gateway)."""
    port = free_port()

    async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # never replies; returns when the client closes

    silent = await asyncio.start_server(hang, "127.0.0.1", port)
    conn = ModbusConnector(settings(port, timeout_s=0.2))
    try:
        t0 = time.monotonic()
        with pytest.raises(ConnectorUnavailable, match="request timeout 0.2 s"):
            await conn.read(["ct_fan_speed"])
        assert time.monotonic() - t0 < BREAKER.call_timeout_s
    finally:
        await conn.stop()
        silent.close()
        await silent.wait_closed()


async def test_device_restart_on_same_port_resumes_polling(free_port, eventually):
    port = free_port()
    server = await serve(port)
    async with ModbusConnector(settings(port)) as conn:
        assert (await conn.read(["cw_pump_speed"]))["cw_pump_speed"].value == 1480
        await server.shutdown()

        async def poll_failed() -> bool:
            return conn.status()["last_error"] is not None and not conn._cache_is_current()

        await eventually(poll_failed, what="poll notices the outage")
        with pytest.raises(ConnectorUnavailable):
            await conn.read(["cw_pump_speed"])
        server = await serve(port)

        async def resumed() -> bool:
            return conn._cache_is_current() and conn.status()["last_error"] is None

        await eventually(resumed, what="polling resumes after the restart")
        assert (await conn.read(["cw_pump_speed"]))["cw_pump_speed"].value == 1480
    await server.shutdown()


async def test_breaker_opens_fails_fast_and_closes_after_three_trials(free_port, fake_clock):
    """A listener that accepts and drops connections stands in for a broken PLC."""
    port = free_port()
    accepted = 0

    def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal accepted
        accepted += 1
        writer.close()

    broken = await asyncio.start_server(drop, "127.0.0.1", port)
    breaker = BreakerSettings(fail_max=2, call_timeout_s=2.0, reset_timeout_s=30.0, success_threshold=3)
    conn = ModbusConnector(settings(port, breaker=breaker, retry=RetrySettings(attempts=1)), breaker_clock=fake_clock)
    for _ in range(2):
        with pytest.raises(ConnectorUnavailable):
            await conn.read(["ct_fan_speed"])
    assert conn.breaker.state is BreakerState.OPEN and accepted >= 2
    seen = accepted
    with pytest.raises(CircuitOpenError, match="cooling_tower_plc.*30.0 s"):
        await conn.read(["ct_fan_speed"])
    assert accepted == seen  # refused without touching the network

    broken.close()
    await broken.wait_closed()
    server = await serve(port)
    try:
        fake_clock.advance(30.1)
        assert conn.breaker.state is BreakerState.HALF_OPEN
        for _ in range(3):
            assert (await conn.read(["ct_fan_speed"]))["ct_fan_speed"].value == 1200
        assert conn.breaker.state is BreakerState.CLOSED
    finally:
        await conn.stop()
        await server.shutdown()
