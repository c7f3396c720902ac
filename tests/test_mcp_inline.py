# SPDX-License-Identifier: MIT
"""Where the MCP adapter runs a call: quick calculators on supplied data run on the event
loop (the worker-thread hop costs more than the calculation); live reads, the ledger, the
store and long analyses run in a worker thread. Both paths give the same result."""

import threading

import pytest
from mcp import Client

from condensync_tools.registry import ExecutionContext, all_tools
from condensync_tools.server import mcp_server
from condensync_tools.server.mcp_server import build_server, runs_inline

ARGS = {
    "cw_inlet_temp": 72.4,
    "cw_outlet_temp": 91.8,
    "cw_flow": 248000.0,
    "condenser_pressure": 2.05,
    "tube_od": 1.0,
    "tube_gauge_bwg": 18,
    "tube_count": 28000,
    "tube_length": 38.0,
    "hei_fw": 1.0,
}
TOOL = "calculate_heat_transfer_coefficient"


class _Recorder:
    def __init__(self):
        self.threads = []

    def record(self, outcome):
        self.threads.append(threading.current_thread().name)


def test_only_quick_supplied_data_calls_without_store_run_inline():
    bare = ExecutionContext()
    assert runs_inline(TOOL, ARGS, bare)
    assert not runs_inline(TOOL, {**ARGS, "data_source": "live", "condenser_id": "unit3"}, bare)
    assert not runs_inline(TOOL, ARGS, ExecutionContext(recorder=_Recorder()))
    assert not runs_inline(TOOL, ARGS, ExecutionContext(services={"store": object()}))
    assert not runs_inline("analyze_performance_history", {}, bare)
    assert not runs_inline("read_live_data", {}, bare)
    assert not runs_inline("no_such_tool", {}, bare)
    assert not runs_inline(TOOL, "not an object", bare)
    quick = {t.name for t in all_tools() if t.quick}
    assert quick == {TOOL, "optimize_vacuum_pressure", "detect_air_inleakage"}


@pytest.mark.anyio
async def test_inline_and_threaded_calls_give_the_same_result(monkeypatch):
    async with Client(build_server()) as client:
        inline = await client.call_tool(TOOL, ARGS)
    recorder = _Recorder()
    async with Client(build_server(lambda ctx: ExecutionContext(recorder=recorder))) as client:
        threaded = await client.call_tool(TOOL, ARGS)
        bad = await client.call_tool(TOOL, {**ARGS, "cw_flow": "lots"})
    assert not inline.is_error and not threaded.is_error and bad.is_error
    assert (
        threaded.structured_content["provenance"]["provenance_hash"]
        == inline.structured_content["provenance"]["provenance_hash"]
    )
    assert recorder.threads and all(name != threading.main_thread().name for name in recorder.threads)


@pytest.mark.anyio
async def test_a_failing_summary_does_not_lose_the_result(monkeypatch):
    from condensync_tools.tools import heat_transfer

    def broken(*_):
        raise ZeroDivisionError("formatting bug")

    monkeypatch.setattr(heat_transfer, "_summary", broken)
    async with Client(build_server()) as client:
        result = await client.call_tool(TOOL, ARGS)
    assert not result.is_error and "summary unavailable" in result.content[0].text
    assert result.structured_content["provenance"]["provenance_hash"]
    assert mcp_server.runs_inline(TOOL, ARGS, ExecutionContext())


def test_the_wire_result_is_the_dump_of_the_call_result():
    """The tools/call handler returns a success in its wire form (so the SDK does not dump the
    structuredContent again): for every golden case, exactly what the CallToolResult model
    dumps to, and the same after the SDK's validation for each protocol version."""
    import json

    from mcp_types import methods
    from mcp_types.version import KNOWN_PROTOCOL_VERSIONS

    from condensync_tools import golden
    from condensync_tools.registry import execute

    checked = 0
    for path in golden.iter_cases(golden.REPO_GOLDEN_DIR):
        outcome = execute(path.parent.name, json.loads(path.read_text("utf-8"))["arguments"])
        model = mcp_server.to_call_result(outcome)
        wire = mcp_server.to_wire_result(outcome)
        if outcome.error is not None:
            assert wire == model
            continue
        dumped = model.model_dump(by_alias=True, mode="json", exclude_none=True)
        assert wire == dumped
        for version in KNOWN_PROTOCOL_VERSIONS:
            assert methods.serialize_server_result("tools/call", version, wire) == methods.serialize_server_result(
                "tools/call", version, dumped
            )
        checked += 1
    assert checked >= 30
