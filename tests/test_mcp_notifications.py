# SPDX-License-Identifier: MIT
"""MCP logging, progress, completion and resource subscriptions through the official client
(in memory, handshake era where the feature is a handshake-era one)."""

import json
import logging

import anyio
import mcp.types as types
import pytest
from mcp import Client
from test_history_tool import DESIGN

from benchmarks import history_bench
from condensync_tools.config import EXAMPLE_CONFIG, load_config
from condensync_tools.server.mcp_server import build_server


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "unit1_200k.csv"
    history_bench.write_csv(path, history_bench.synthetic_history(200_000, days=400.0))
    return path


@pytest.mark.anyio
async def test_history_analysis_sends_increasing_progress(big_csv, monkeypatch):
    monkeypatch.setenv("CONDENSYNC_DATA_DIR", str(big_csv.parent))
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress, total, message):
        seen.append((progress, total, message))

    async with Client(build_server()) as c:
        r = await c.call_tool(
            "analyze_performance_history",
            {**DESIGN, "file_path": big_csv.name, "series_output": "none"},
            progress_callback=on_progress,
        )
    assert not r.is_error, r.content[0].text
    assert r.structured_content["rows_total"] == 200_000
    values = [p for p, _, _ in seen]
    assert len(values) >= 2, seen
    assert all(b > a for a, b in zip(values, values[1:], strict=False)), values
    assert all(total == 100.0 for _, total, _ in seen)
    assert any("reading" in (m or "") for _, _, m in seen) and any("analysing" in (m or "") for _, _, m in seen)


@pytest.mark.anyio
async def test_no_progress_token_no_progress(big_csv, monkeypatch):
    monkeypatch.setenv("CONDENSYNC_DATA_DIR", str(big_csv.parent))
    got = []
    async with Client(build_server(), mode="legacy", message_handler=lambda m: _append(got, m)) as c:
        r = await c.call_tool(
            "analyze_performance_history", {**DESIGN, "file_path": big_csv.name, "series_output": "none"}
        )
    assert not r.is_error
    assert not [m for m in got if isinstance(m, types.ProgressNotification)]


async def _append(bucket, message):
    bucket.append(message)


@pytest.mark.anyio
async def test_log_notifications_after_set_level():
    logs: list[types.LoggingMessageNotificationParams] = []

    async def on_log(params):
        logs.append(params)

    bad_fouling = {
        "cw_inlet_temp": 70,
        "cw_outlet_temp": 88,
        "cw_flow": 230000,
        "condenser_pressure": 2.0,
        **DESIGN,
        "water_type": "fresh",
    }
    async with Client(build_server(), mode="legacy", logging_callback=on_log) as c:
        first = await c.call_tool("calculate_fouling_factor", bad_fouling)
        assert logs == []  # nothing before the session chose a level
        await c.set_logging_level("warning")
        second = await c.call_tool("calculate_fouling_factor", bad_fouling)
        logging.getLogger("condensync.live").info("not forwarded outside a call")
    assert first.structured_content["warnings"] == second.structured_content["warnings"]
    warnings = second.structured_content["warnings"]
    assert warnings, "the fixture call must produce a warning for this test to mean anything"
    assert [p.data for p in logs] == warnings
    assert {p.level for p in logs} == {"warning"}


@pytest.mark.anyio
async def test_completion_for_prompt_argument_and_resource_template():
    config = load_config(EXAMPLE_CONFIG)
    async with Client(build_server(config=config), mode="legacy") as c:
        prompt = await c.complete(
            types.PromptReference(type="ref/prompt", name="diagnose_vacuum_loss"),
            {"name": "condenser_id", "value": "un"},
        )
        assert prompt.completion.values == sorted(config.condensers)
        tmpl = await c.complete(
            types.ResourceTemplateReference(type="ref/resource", uri="materials://tubes/{material}"),
            {"name": "material", "value": "ti"},
        )
        assert tmpl.completion.values and all("ti" in v for v in tmpl.completion.values)
        assert tmpl.completion.values[0].startswith("ti")
        tools = await c.complete(
            types.ResourceTemplateReference(type="ref/resource", uri="schema://tools/{tool}/{direction}"),
            {"name": "tool", "value": "calculate_f"},
        )
        assert tools.completion.values == ["calculate_fouling_factor"]
        unknown = await c.complete(types.PromptReference(type="ref/prompt", name="nope"), {"name": "x", "value": "a"})
        assert unknown.completion.values == []
        templates = {t.uri_template for t in (await c.list_resource_templates()).resource_templates}
        assert "condenser://live/{condenser_id}" in templates
        material = json.loads((await c.read_resource("materials://tubes/titanium")).contents[0].text)
        assert material["conductivity"] > 0


@pytest.mark.anyio
async def test_set_level_answers_empty_and_capabilities_are_declared():
    async with Client(build_server(), mode="legacy") as c:
        caps = c.server_capabilities
        assert caps.logging is not None and caps.completions is not None
        assert caps.resources is not None and caps.resources.subscribe is True
        result = await c.set_logging_level("info")
        assert result.model_dump(exclude_none=True) in ({}, {"meta": None})
        await c.subscribe_resource("units://catalog")
        await c.unsubscribe_resource("units://catalog")


@pytest.mark.slow
@pytest.mark.anyio
async def test_live_snapshot_subscription_notifies_on_change(tmp_path, monkeypatch):
    """A real simulator (OPC UA + Modbus on 127.0.0.1) with noise: the subscribed snapshot
    resource is announced as updated; after unsubscribing nothing more arrives."""
    from _live_helpers import LivePlant, example_data, fast_settings, free_port

    monkeypatch.setenv("CONDENSYNC_LIVE_SUBSCRIPTION_INTERVAL_S", "1")
    plant = LivePlant(tmp_path, fast_settings(example_data(), free_port(), free_port()), seed=3, noise=0.02)
    updates: list[str] = []

    async def on_message(message):
        if isinstance(message, types.ResourceUpdatedNotification):
            updates.append(str(message.params.uri))

    uri = "condenser://live/unit3"
    try:
        server = build_server(config=plant.config, live=plant.manager)
        async with Client(server, mode="legacy", message_handler=on_message) as c:
            snapshot = json.loads((await c.read_resource(uri)).contents[0].text)
            assert snapshot["condenser_id"] == "unit3" and snapshot["values"]
            await c.subscribe_resource(uri)
            with anyio.fail_after(15):
                while not updates:
                    await anyio.sleep(0.1)
            assert set(updates) == {uri}
            await c.unsubscribe_resource(uri)
            count = len(updates)
            await anyio.sleep(2.5)
            assert len(updates) <= count + 1  # at most one already in flight
    finally:
        plant.close()


@pytest.mark.anyio
async def test_background_records_reach_a_session_that_set_a_level():
    """Records logged outside any call, on another thread (as the connector thread logs
    breaker changes), go to the sessions that chose a level, filtered by it; stage completions
    of a long call arrive as info records of that call."""
    import threading

    logs = []

    async def on_log(params):
        logs.append(params)

    async with Client(build_server(), mode="legacy", logging_callback=on_log) as c:
        await c.set_logging_level("warning")

        def connector_thread():
            logging.getLogger("connectors.resilience").info("circuit breaker 'scada' half-open")
            logging.getLogger("connectors.resilience").warning("circuit breaker 'scada' opened after 3 failures")

        t = threading.Thread(target=connector_thread)
        t.start()
        t.join()
        with anyio.fail_after(5):
            while not logs:
                await anyio.sleep(0.05)
    assert [(p.level, p.logger, p.data) for p in logs] == [
        ("warning", "connectors.resilience", "circuit breaker 'scada' opened after 3 failures")
    ]


@pytest.mark.anyio
async def test_stage_completions_are_info_records(big_csv, monkeypatch):
    monkeypatch.setenv("CONDENSYNC_DATA_DIR", str(big_csv.parent))
    logs = []

    async def on_log(params):
        logs.append(params)

    async with Client(build_server(), mode="legacy", logging_callback=on_log) as c:
        await c.set_logging_level("info")
        r = await c.call_tool(
            "analyze_performance_history", {**DESIGN, "file_path": big_csv.name, "series_output": "none"}
        )
    assert not r.is_error
    stages = [p.data for p in logs if p.logger == "condensync.tools.analyze_performance_history" and p.level == "info"]
    assert any(s.startswith("reading done") for s in stages) and any(
        s.startswith("analysing done: 200000/200000") for s in stages
    ), stages
