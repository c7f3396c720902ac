# SPDX-License-Identifier: MIT
"""Air in-leakage versus fouling, live: the bundled simulator (a real asyncua OPC UA server and a
real pymodbus TCP server on 127.0.0.1) with an injected air in-leakage, read through the real
connectors, called through the official MCP client (in memory).

The simulated tubes are clean (CF about 0.88, 30 days after a cleaning); the air raises the
shell pressure by 1 kPa, so the cleanliness measured on the snapshot falls. With no stored
history the fouling cleanliness is the design value (assumed, said so in provenance.method):
the leak is detected, the first action is an air action worth more than 0 MW, tube cleaning is
not due."""

from __future__ import annotations

import pytest
from _live_helpers import LivePlant, example_data, fast_settings, free_port, wait_for
from mcp import Client

from condensync_tools.registry import ExecutionContext
from condensync_tools.server.mcp_server import build_server

AIR_ACTIONS = {"tracer_leak_test", "check_below_water_line", "find_air_inleakage"}
LIVE = {"condenser_id": "unit3", "data_source": "live"}


@pytest.fixture(scope="module")
def plant(tmp_path_factory):
    live = LivePlant(
        tmp_path_factory.mktemp("live_air"), fast_settings(example_data(), free_port(), free_port()), seed=11
    )
    yield live.sim, live.config, live.manager
    live.close()


@pytest.mark.anyio
async def test_live_air_inleakage_is_not_read_as_fouling(plant):
    sim, config, manager = plant
    server = build_server(lambda ctx: ExecutionContext(design=config, live=manager), config=config)
    async with Client(server, read_timeout_seconds=60) as client:
        before = await client.call_tool("analyze_condenser_performance", LIVE)
        assert not before.is_error, before.content[0].text
        assert not before.structured_content["leak_detected"] and not before.structured_content["air_confounded"]

        sim.inject("air_inleakage")
        try:
            wait_for(
                lambda: (
                    manager.read("unit3", ["dissolved_oxygen_ppb"])[0]["dissolved_oxygen_ppb"] > 40
                    and manager.read("unit3", ["air_removal_flow"])[0]["air_removal_flow"] > 0.004
                ),
                5.0,
                "air in-leakage visible in the live values",
            )
            after = await client.call_tool("analyze_condenser_performance", LIVE)
            air = await client.call_tool("detect_air_inleakage", LIVE)
        finally:
            sim.inject("clear")
    assert not after.is_error, after.content[0].text
    r = after.structured_content
    truth_cf = sim.truth()["cleanliness_factor"]
    assert r["leak_detected"] and r["air_confounded"] is True
    first = r["top_actions"][0]
    assert first["action"] in AIR_ACTIONS and first["value_mw"] > 0.0, r["top_actions"]
    assert not r.get("cleaning_due", False)
    assert all(a["action"] != "clean_tubes" or a["value_mw"] == 0.0 for a in r["top_actions"])
    # clean but air-bound: the snapshot's CF is well below the true one; the fouling CF is the design value
    assert r["measured_cleanliness_factor"] < truth_cf - 0.05
    assert (r["fouling_cleanliness_factor"], r["fouling_cleanliness_source"]) == (0.85, "design_cleanliness")
    assert r["provenance"]["method"]["fouling_cleanliness"].startswith("design_cleanliness = 0.85")
    assert "AIR-CONFOUNDED" in after.content[0].text and "tube cleaning not due" in after.content[0].text
    # the simulated air partial pressure is 1 kPa; the air share is that, less the design-vs-true CF gap
    assert 0.5 < r["air_backpressure"] * 3.386389 < 1.05  # inHg → kPa
    # the air tool alone, live, works out the unexplained backpressure from the live CW snapshot
    assert not air.is_error, air.content[0].text
    a = air.structured_content
    assert a["leak_detected"] and a["unexplained_backpressure"] > 0.12 and a["air_lost_output_mw"] > 0.0
    names = {s["name"] for s in a["provenance"]["sources"]}
    assert {"cw_inlet_temp", "cw_outlet_temp", "cw_flow", "condenser_pressure"} <= names
