# SPDX-License-Identifier: MIT
"""Progress and log notifications over streamable HTTP (JSON responses on by default): a
request that asks for notifications is answered as an SSE stream carrying them; the official
client, against a real server subprocess."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx2
import pytest
from _service_helpers import ServerProcess, child_env, raw_post
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the history tool's design
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from test_history_tool import DESIGN  # noqa: E402

from benchmarks import history_bench  # noqa: E402

FOULING = {
    "cw_inlet_temp": 70,
    "cw_outlet_temp": 88,
    "cw_flow": 230000,
    "condenser_pressure": 2.0,
    **DESIGN,
    "water_type": "fresh",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("notify")
    history_bench.write_csv(workdir / "h.csv", history_bench.synthetic_history(150_000, days=300.0))
    proc = ServerProcess(
        workdir,
        extra_args=["--no-auth", "--no-ledger"],
        test_tools=False,
        env=child_env(CONDENSYNC_DATA_DIR=str(workdir)),
        name="notify",
    ).start()
    try:
        proc.wait_started()
        yield proc
    finally:
        proc.stop()


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_progress_and_logs_over_http(server, mode):
    progress, logs = [], []

    async def on_progress(value, total, message):
        progress.append(value)

    async def on_log(params):
        logs.append(params)

    http = httpx2.AsyncClient(timeout=60.0)
    async with (
        http,
        Client(
            streamable_http_client(server.url, http_client=http),
            mode=mode,
            log_level="warning",
            logging_callback=on_log,
        ) as c,
    ):
        r = await c.call_tool(
            "analyze_performance_history",
            {**DESIGN, "file_path": "h.csv", "series_output": "none"},
            progress_callback=on_progress,
        )
        assert not r.is_error, r.content[0].text
        assert len(progress) >= 2 and progress == sorted(set(progress))
        if mode == "auto":  # 2026-07-28: per-request log opt-in
            assert [p.data for p in logs] == r.structured_content["warnings"]
            logs.clear()
            f = await c.call_tool("calculate_fouling_factor", FOULING)
            assert [p.data for p in logs] == f.structured_content["warnings"] != []


def test_plain_requests_stay_json(server):
    r = raw_post(server.url, {"jsonrpc": "2.0", "id": 3, "method": "tools/list"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    r = raw_post(server.url, {"jsonrpc": "2.0", "id": 4, "method": "logging/setLevel", "params": {"level": "info"}})
    assert r.status_code == 200 and r.json()["result"] == {}
