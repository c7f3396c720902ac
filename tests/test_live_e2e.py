# SPDX-License-Identifier: MIT
"""End to end: the simulator (real OPC UA + Modbus TCP servers on 127.0.0.1) + ``condensync serve
--config <tmp config pointing at the simulator>`` as a subprocess over stdio + the official MCP
client. Every core tool that exists, called with data_source "live" and condenser_id, returns a
result whose provenance.sources list the simulator's tags.

While ``runtime.build_context`` does not attach the live provider yet, the server is launched
through ``tests/_live_helpers.py`` (same server, context built with the provider); once it
does, the real ``condensync serve`` command is used.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from _live_helpers import example_data, fast_settings, free_port, write_config
from mcp import Client, StdioServerParameters

from condensync_tools.registry import all_tools
from condensync_tools.simulator import SimPlant, SimSettings, SimulatorThread

CORE = (
    "calculate_heat_transfer_coefficient",
    "optimize_vacuum_pressure",
    "detect_air_inleakage",
    "calculate_fouling_factor",
    "optimize_cooling_water_flow",
    "analyze_condenser_performance",
)
EXTRA: dict = {}  # every measurement, pumps_running included, comes from the plant
HELPERS = Path(__file__).resolve().parent / "_live_helpers.py"


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    opcua_port, modbus_port = free_port(), free_port()
    path = write_config(
        tmp_path_factory.mktemp("e2e") / "plant.toml", fast_settings(example_data(), opcua_port, modbus_port)
    )
    sim = SimulatorThread(SimPlant.from_toml(path), SimSettings(interval_s=0.25, seed=3))
    sim.start()
    yield sim, path
    sim.close()


def runtime_attaches_live(path: Path) -> bool:
    """True once ``runtime.build_context`` attaches the live provider to a configured context."""
    from condensync_tools.runtime import build_context

    try:
        context = build_context(str(path), ledger=False)
    except TypeError:  # older signature
        context = build_context(str(path))
    live = context.live
    if live is not None and hasattr(live, "close"):
        live.close()
    return live is not None


def server(path: Path) -> StdioServerParameters:
    if runtime_attaches_live(path):
        args = ["-m", "condensync_tools", "serve", "--config", str(path), "--no-ledger"]
    else:
        args = [str(HELPERS), "--config", str(path)]
    return StdioServerParameters(command=sys.executable, args=args)


def _node(tag: str) -> str:
    """The identifier part of a node id ('ns=2;s=X' and 'nsu=urn;s=X' → 's=X')."""
    return tag.split(";", 1)[-1]


@pytest.mark.slow
@pytest.mark.anyio
async def test_every_core_tool_live_over_stdio(setup):
    sim, path = setup
    from condensync_tools.config import load_config

    cond = load_config(path).condensers["unit3"]
    configured = {t.name: _node(t.node_id) for t in cond.connectors["opcua"].tags}
    configured.update(
        {
            r.name: f"{r.device_id or cond.connectors['modbus'].device_id}:{r.address}"
            for r in cond.connectors["modbus"].registers
        }
    )
    existing = {t.name: t for t in all_tools()}
    core = [name for name in CORE if name in existing]
    assert "calculate_heat_transfer_coefficient" in core

    async with Client(server(path), read_timeout_seconds=30) as client:
        listed = {t.name: t for t in (await client.list_tools()).tools}
        for name in core + ["read_live_data", "connector_status", "create_work_order"]:
            assert name in listed
        assert listed["read_live_data"].annotations.open_world_hint is True
        assert listed["read_live_data"].annotations.read_only_hint is True
        wo = listed["create_work_order"].annotations
        assert wo.destructive_hint is True and wo.read_only_hint is False and wo.idempotent_hint is True

        for name in core:
            result = await client.call_tool(
                name, {"condenser_id": "unit3", "data_source": "live", **EXTRA.get(name, {})}
            )
            assert not result.is_error, f"{name}: {result.content[0].text}"
            sources = result.structured_content["provenance"]["sources"]
            expected = {f for f in existing[name].live_fields if f in configured}
            assert {s["name"] for s in sources} == expected, name
            for s in sources:
                node = s["tag"] if s["source"] == "modbus" else _node(s["tag"])
                assert node == configured[s["name"]], (name, s)
                assert s["quality"] == "good" and s["service"] in ("unit3_dcs", "unit3_ct_plc")
            assert result.structured_content["provenance"]["provenance_hash"] in result.content[0].text

        ht = await client.call_tool(
            "calculate_heat_transfer_coefficient", {"condenser_id": "unit3", "data_source": "live", "unit_system": "SI"}
        )
        cf = ht.structured_content["cleanliness_factor"]
        assert cf == pytest.approx(sim.truth()["cleanliness_factor"], abs=0.05)  # measurement noise: sd ~0.01

        live = await client.call_tool("read_live_data", {"condenser_id": "unit3"})
        assert not live.is_error
        names = {i["name"] for i in live.structured_content["values"]}
        assert names == set(configured)
        assert live.structured_content["all_usable"]

        status = await client.call_tool("connector_status", {})
        assert not status.is_error and status.structured_content["healthy"]

        preview = await client.call_tool(
            "create_work_order",
            {
                "condenser_id": "unit3",
                "title": "Condenser CF low: clean tubes",
                "description": f"Cleanliness factor {cf} "
                f"(provenance {ht.structured_content['provenance']['provenance_hash']})",
            },
        )
        assert not preview.is_error
        sc = preview.structured_content
        assert sc["dry_run"] and not sc["created"] and sc["status"] == "preview"
        assert sc["request"]["headers"]["apikey"] == "***"

        refused = await client.call_tool(
            "create_work_order", {"condenser_id": "unit3", "title": "x", "description": "y", "dry_run": False}
        )
        assert refused.is_error and "condensers.unit3.cmms.enabled" in refused.content[0].text

        sim.inject("bad:cw_flow")
        try:
            for _ in range(40):
                bad = await client.call_tool(
                    "calculate_heat_transfer_coefficient", {"condenser_id": "unit3", "data_source": "live"}
                )
                if bad.is_error:
                    break
                import anyio

                await anyio.sleep(0.1)
            assert bad.is_error
            assert "[live_data_error]" in bad.content[0].text and "Unit3.CW.Flow" in bad.content[0].text
        finally:
            sim.inject("clear")
