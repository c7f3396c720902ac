# SPDX-License-Identifier: MIT
"""read_live_data applies the plant plausibility checks: a float32-max register from a real
pymodbus TCP server on 127.0.0.1 (3.4e38 raw x 0.1 degC = 6.1e37 degF) is reported as implausible,
never as usable, and a calculator in live mode refuses it naming the tag."""

from __future__ import annotations

import asyncio
import threading

import pytest
from _live_helpers import example_data, free_port, write_config
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from condensync_tools.config import load_config
from condensync_tools.live import ConnectorManager
from condensync_tools.registry import ExecutionContext, execute

FLOAT32_MAX = 3.4028234663852886e38


class PlcThread:
    """A pymodbus TCP server (one device) on its own event loop in a thread."""

    def __init__(self, port: int, simdata: list[SimData]) -> None:
        self.port = port
        self.simdata = simdata
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: ModbusTcpServer | None = None

    def __enter__(self) -> PlcThread:
        self.thread.start()

        async def start() -> None:
            self.server = ModbusTcpServer(
                context=[SimDevice(id=1, simdata=self.simdata)], address=("127.0.0.1", self.port)
            )
            await self.server.serve_forever(background=True)

        asyncio.run_coroutine_threadsafe(start(), self.loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.server is not None
        asyncio.run_coroutine_threadsafe(self.server.shutdown(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def _modbus_only_config(tmp_path, port: int):
    data = example_data()
    cond = data["condensers"]["unit3"]
    for kind in ("opcua", "historian", "weather", "cmms"):
        cond.pop(kind, None)
    mb = cond["modbus"]
    mb.update(
        port=port,
        poll_interval_s=0.2,
        timeout_s=0.5,
        retry={"attempts": 1, "backoff_initial_s": 0.0, "backoff_max_s": 0.0, "jitter_s": 0.0},
    )
    mb["registers"] = [r for r in mb["registers"] if r["name"] in ("ct_outlet_temp", "ct_inlet_temp", "wet_bulb_temp")]
    return load_config(write_config(tmp_path / "plant.toml", data))


def test_float32_max_register_is_implausible_not_usable(tmp_path):
    port = free_port()
    simdata = [
        SimData(address=0, values=FLOAT32_MAX, datatype=DataType.FLOAT32),  # 40001 ct_outlet_temp
        SimData(address=2, values=255.0, datatype=DataType.FLOAT32),  # 40003 ct_inlet_temp 25.5 degC
        SimData(address=4, values=0, datatype=DataType.REGISTERS),  # 40005 (unused here)
        SimData(address=5, values=200.0, datatype=DataType.FLOAT32),
    ]  # 40006 wet_bulb_temp 20.0 degC
    config = _modbus_only_config(tmp_path, port)
    with PlcThread(port, simdata), ConnectorManager(config) as manager:
        ctx = ExecutionContext(design=config, live=manager)
        out = execute("read_live_data", {"condenser_id": "unit3"}, ctx)
        assert out.error is None, out.error
        items = {i["name"]: i for i in out.result["values"]}
        hot = items["ct_outlet_temp"]
        assert hot["raw_value"] == pytest.approx(FLOAT32_MAX * 0.1, rel=1e-6)
        assert hot["value"] == pytest.approx(6.125e37, rel=1e-3) and hot["unit"] == "°F"
        assert hot["quality"] == "good" and not hot["bad"] and not hot["stale"]
        assert hot["implausible"] and not hot["usable"]
        assert "40001" in hot["problem"] and "plausible" in hot["problem"]
        assert not out.result["all_usable"] and out.result["implausible_count"] == 1
        assert any("ct_outlet_temp" in w for w in out.result["warnings"])
        for name in ("ct_inlet_temp", "wet_bulb_temp"):
            assert items[name]["usable"] and not items[name]["implausible"], items[name]
        # a calculator in live mode never uses it: the live read names the tag
        values, _ = manager.read("unit3", ["wet_bulb_temp"])
        assert set(values) == {"wet_bulb_temp"}
        from condensync_tools.errors import LiveDataError

        with pytest.raises(LiveDataError) as info:
            manager.read("unit3", ["ct_outlet_temp"])
        assert "$.ct_outlet_temp" in info.value.text() and "40001" in info.value.text()
