# SPDX-License-Identifier: MIT
"""Health endpoints in each state (including the store going away and coming back) and the
Prometheus scrape on the separate metrics port."""

from __future__ import annotations

import secrets
import time

import httpx
import pytest
from _service_helpers import CALC, GOOD, ServerProcess, call_body, mcp_client, raw_post, scrape
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from condensync_tools.store import Store
from condensync_tools.store.tokens import TokenStore


def test_health_endpoints_are_open_and_ready(svc):
    base = svc.server.base
    start = httpx.get(base + "/health/start")
    assert start.status_code == 200 and start.json()["status"] == "started" and start.json()["tools"] >= 10
    live = httpx.get(base + "/health/live")
    assert live.status_code == 200 and live.json()["status"] == "alive"
    ready = httpx.get(base + "/health/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ready", "components": ready.json()["components"]}
    assert ready.json()["components"]["store"]["ok"] is True
    assert "password" not in ready.text
    assert httpx.get(base + "/metrics").status_code == 401  # metrics only on the metrics port


@pytest.mark.anyio
async def test_metrics_scrape_shows_the_calls_just_made(svc):
    m = svc.server.metrics_url
    before = scrape(m)
    async with mcp_client(svc.url, svc.tokens["viewer"]) as c:
        for i in range(3):
            assert not (await c.call_tool(CALC, {**GOOD, "cw_flow": 200000 + i})).is_error
        assert (await c.call_tool("verify_provenance", {"provenance_hash": "0" * 64})).is_error
        assert (await c.call_tool("no_such_tool_" + secrets.token_hex(4), {})).is_error
        assert (await c.call_tool(CALC, {**GOOD, "cw_flow": -1})).is_error
    raw_post(svc.url, call_body(CALC, GOOD), "cst_" + "B" * 43)  # refused credential
    after = scrape(m)

    def delta(key: str) -> float:
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert delta(f'condensync_tool_calls_total{{tool="{CALC}"}}') == 4
    assert delta(f'condensync_tool_call_duration_seconds_count{{tool="{CALC}"}}') == 4
    assert delta(f'condensync_tool_errors_total{{kind="invalid_arguments",tool="{CALC}"}}') == 1
    assert delta('condensync_tool_errors_total{kind="permission_denied",tool="verify_provenance"}') == 1
    assert delta('condensync_tool_calls_total{tool="_unknown"}') == 1  # hostile names do not become labels
    assert delta("condensync_ledger_append_duration_seconds_count") == 6  # every call, the denial too
    assert delta('condensync_auth_failures_total{reason="unknown"}') == 1
    assert delta('condensync_http_requests_total{route="mcp",status="200"}') >= 6
    assert after['condensync_build_info{version="0.1.0"}'] == 1
    text_ = httpx.get(m).text
    for family in ("condensync_breaker_state", "condensync_connector_up", "condensync_ready"):
        assert f"# TYPE {family} gauge" in text_
    assert httpx.get(m.replace("/metrics", "/nothing")).status_code == 404


def _admin(pg_url: str):
    return create_engine(
        make_url(pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )


def _rename(admin, old: str, new: str) -> None:
    """Kick the server's connections and rename its database (retried: the pool may reconnect)."""
    last = None
    for _ in range(20):
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d "
                    "AND pid <> pg_backend_pid()"
                ),
                {"d": old},
            )
            try:
                conn.execute(text(f'ALTER DATABASE "{old}" RENAME TO "{new}"'))
                return
            except Exception as exc:  # "being accessed by other users": try again
                last = exc
        time.sleep(0.1)
    raise AssertionError(f"could not rename {old}: {last}")


def _wait_ready(base: str, status: int, timeout: float = 20.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        r = httpx.get(base + "/health/ready", timeout=10)
        if r.status_code == status or time.monotonic() > deadline:
            return r
        time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.postgres
def test_readiness_follows_the_store(pg_url, tmp_path):
    admin = _admin(pg_url)
    name = f"condensync_health_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    server = None
    try:
        with Store(url, auto_upgrade=True) as store:
            ts = TokenStore(store.engine)
            used = ts.create("viewer")[1]
            fresh = ts.create("viewer")[1]
        server = ServerProcess(tmp_path, database_url=url, name="health").start().wait_started()
        base = server.base
        assert _wait_ready(base, 200).status_code == 200
        assert raw_post(server.url, call_body(CALC, GOOD), used).json()["result"]["isError"] is False

        _rename(admin, name, name + "_away")  # the store goes away
        down = _wait_ready(base, 503)
        assert down.status_code == 503, down.text
        body = down.json()
        assert body["status"] == "not_ready" and body["not_ready"] == ["store"]
        assert body["components"]["store"]["ok"] is False
        assert httpx.get(base + "/health/live").status_code == 200  # alive: do not restart it
        assert httpx.get(base + "/health/start").status_code == 200
        # a call cannot be recorded, so it is not answered as done; a fresh token cannot be checked
        r = raw_post(server.url, call_body(CALC, GOOD), used).json()["result"]
        assert r["isError"] is True and "[ledger_unavailable]" in r["content"][0]["text"]
        unverifiable = raw_post(server.url, call_body(CALC, GOOD), fresh)
        assert unverifiable.status_code == 503 and unverifiable.headers.get("retry-after")
        assert 'condensync_ready{component="store"} 0.0' in httpx.get(server.metrics_url).text

        _rename(admin, name + "_away", name)  # and comes back
        assert _wait_ready(base, 200).status_code == 200
        for _ in range(3):  # the first use of a dead pooled connection may fail once
            ok = raw_post(server.url, call_body(CALC, GOOD), fresh).json()["result"]
            if not ok["isError"]:
                break
        assert ok["isError"] is False
    finally:
        if server is not None:
            server.stop()
        with admin.connect() as conn:
            for n in (name, name + "_away"):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.anyio
async def test_request_id_round_trip(svc):
    r = raw_post(svc.url, call_body(CALC, GOOD), svc.tokens["operator"], headers={"x-request-id": "ops-42.a"})
    assert r.headers["x-request-id"] == "ops-42.a"
    hostile = raw_post(svc.url, call_body(CALC, GOOD), svc.tokens["operator"], headers={"x-request-id": "x" * 65})
    assert hostile.headers["x-request-id"] != "x" * 65  # replaced, not trusted
    with svc.store() as store:
        entry = next(e for e in reversed(store.last_entries(20)) if e.request_id == "ops-42.a")
    assert entry.caller == f"token:{svc.token_ids['operator']} role=operator"
    assert any(
        rec.get("request_id") == "ops-42.a" and rec.get("event") == "tool_call" for rec in svc.server.log_records()
    )
