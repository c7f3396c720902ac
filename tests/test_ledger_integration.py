# SPDX-License-Identifier: MIT
"""Every call is recorded in the audit ledger (success and error), before it is answered;
verify_provenance re-executes recorded results; the audit CLI; SIGKILL of a loaded server
loses no answered call."""

import json
import os
import signal
import sqlite3
import subprocess
import sys

import anyio
import pytest
from _tool_cases import HT_MINIMAL
from mcp import Client, StdioServerParameters

from condensync_tools.registry import execute
from condensync_tools.runtime import build_context

GOOD = HT_MINIMAL


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'ledger.db'}"


def test_success_and_error_recorded_and_chain_verifies(db_url):
    ctx = build_context(caller="pytest", database_url=db_url)
    store = ctx.services["store"]
    ok = execute("calculate_heat_transfer_coefficient", GOOD, ctx)
    bad = execute("calculate_heat_transfer_coefficient", {**GOOD, "cw_flow": -1}, ctx)
    nan = execute("calculate_heat_transfer_coefficient", {**GOOD, "cw_flow": float("nan")}, ctx)
    unknown = execute("no_such_tool", {}, ctx)
    entries = store.last_entries(10)
    assert sorted(e.is_error for e in entries) == [False, True, True, True]
    by_seq = {e.seq: e for e in entries}
    first = by_seq[min(by_seq)]
    assert first.provenance_hash == ok.provenance_hash and first.caller == "pytest"
    assert first.result["u_actual"] == ok.result["u_actual"]
    assert first.arguments["water_type"] == "fresh"  # normalised arguments (defaults applied)
    assert any("cw_flow" in (e.error or "") for e in entries)
    assert store.verify().ok and store.verify().checked == 4
    assert bad.error and nan.error and unknown.error


def test_results_with_condenser_id_go_to_history(db_url, tmp_path):
    from condensync_tools.config import EXAMPLE_CONFIG

    ctx = build_context(str(EXAMPLE_CONFIG), caller="pytest", database_url=db_url)
    out = execute(
        "calculate_heat_transfer_coefficient",
        {
            "condenser_id": "unit3",
            "cw_inlet_temp": 75,
            "cw_outlet_temp": 94,
            "cw_flow": 240000,
            "condenser_pressure": 2.6,
        },
        ctx,
    )
    assert out.error is None
    history = ctx.services["store"].fouling_history("unit3")
    assert len(history) == 1
    assert history[0]["cleanliness_factor"] == pytest.approx(out.result["cleanliness_factor"])


def test_verify_provenance_by_hash(db_url):
    ctx = build_context(caller="pytest", database_url=db_url)
    ok = execute("calculate_heat_transfer_coefficient", GOOD, ctx)
    v = execute("verify_provenance", {"provenance_hash": ok.provenance_hash}, ctx)
    assert v.error is None and v.result["matches"] is True and v.result["re_executed"] is True
    assert v.result["ledger_seq"] == 1 and v.result["differences"] == []
    missing = execute("verify_provenance", {"provenance_hash": "0" * 64}, ctx)
    assert missing.error and "not in the ledger" in missing.error.text()


def test_verify_provenance_without_ledger_is_clear():
    out = execute("verify_provenance", {"provenance_hash": "a" * 64})
    assert out.error and out.error.kind == "unavailable"


def run_cli(*args, db_url):
    env = {**os.environ, "CONDENSYNC_DATABASE_URL": db_url}
    return subprocess.run(
        [sys.executable, "-m", "condensync_tools", *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.slow  # a dozen CLI subprocesses
def test_audit_cli_verify_show_export_and_tamper(db_url, tmp_path):
    for i in range(3):
        assert (
            run_cli(
                "call",
                "calculate_heat_transfer_coefficient",
                "--json",
                json.dumps({**GOOD, "cw_outlet_temp": 87.0 + i}),
                db_url=db_url,
            ).returncode
            == 0
        )
    r = run_cli("audit", "verify", db_url=db_url)
    assert r.returncode == 0 and json.loads(r.stdout)["checked"] == 3
    shown = json.loads(run_cli("audit", "show", "--last", "2", db_url=db_url).stdout)
    assert len(shown) == 2 and all(len(e["entry_hash"]) == 64 for e in shown)
    out = tmp_path / "ledger.jsonl"
    assert run_cli("audit", "export", "--out", str(out), db_url=db_url).returncode == 0
    assert len([line for line in out.read_text().splitlines() if line.strip()]) >= 3
    # edit a recorded result directly in the database: verify names the record
    con = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    con.execute("update ledger_entries set duration_ms = duration_ms + 1 where seq = 2")
    con.commit()
    con.close()
    r = run_cli("audit", "verify", db_url=db_url)
    assert r.returncode == 1 and "seq 2" in r.stderr and "edited" in r.stderr


@pytest.mark.slow
@pytest.mark.anyio
async def test_sigkill_under_load_loses_no_answered_call(tmp_path):
    """Calls are answered only after their ledger entry is committed: kill -9 the server
    mid-run; every call the client saw answered is in the ledger and the chain verifies."""
    db_url = f"sqlite:///{tmp_path / 'crash.db'}"
    pidfile = tmp_path / "server.pid"
    code = (
        "import os,sys;open(sys.argv[1],'w').write(str(os.getpid()));"
        "from condensync_tools.cli import main;sys.exit(main(['serve']))"
    )
    params = StdioServerParameters(
        command=sys.executable, args=["-c", code, str(pidfile)], env={**os.environ, "CONDENSYNC_DATABASE_URL": db_url}
    )
    answered: list[str] = []
    with pytest.raises(BaseException):  # noqa: B017  (the transport breaks when the server dies: any error)
        async with Client(params) as client:

            async def fire(i: int) -> None:
                r = await client.call_tool(
                    "calculate_heat_transfer_coefficient", {**GOOD, "cw_outlet_temp": 80.0 + (i % 150) / 10}
                )
                if not r.is_error:
                    answered.append(r.structured_content["provenance"]["provenance_hash"])

            async with anyio.create_task_group() as tg:
                for i in range(400):
                    tg.start_soon(fire, i)
                    if i == 60:
                        while len(answered) < 20:
                            await anyio.sleep(0.01)
                        os.kill(int(pidfile.read_text()), signal.SIGKILL)
                    await anyio.sleep(0.002)
    assert len(answered) >= 20
    r = run_cli("audit", "verify", db_url=db_url)
    assert r.returncode == 0, r.stderr
    from condensync_tools.store import Store

    store = Store(db_url)
    recorded = {e.provenance_hash for e in store.iter_entries(0)}
    assert set(answered) <= recorded
    store.close()


@pytest.mark.slow
def test_db_cli_status_upgrade_and_configurable_prune(db_url):
    assert run_cli("db", "upgrade", db_url=db_url).returncode == 0
    status = json.loads(run_cli("db", "status", db_url=db_url).stdout)
    assert status["state"] == "current"
    r = run_cli("db", "prune", "--raw-days", "30", "--hourly-days", "100", "--daily-days", "400", db_url=db_url)
    assert r.returncode == 0 and "raw_horizon" in json.loads(r.stdout)["details"]
    assert run_cli("audit", "verify", db_url=db_url).returncode == 0


def test_fouling_tool_uses_stored_history_when_none_is_passed(db_url):
    """Results recorded for a condenser become its fouling history: the fouling tool fits them
    when the caller passes no history."""
    from datetime import datetime, timedelta, timezone

    from condensync_tools.config import EXAMPLE_CONFIG

    ctx = build_context(str(EXAMPLE_CONFIG), caller="pytest", database_url=db_url)
    store = ctx.services["store"]
    start = datetime(2026, 5, 1, tzinfo=timezone.utc)
    for day, cf in enumerate([0.86, 0.84, 0.82, 0.80, 0.78]):
        store.record_result(
            "unit3",
            "calculate_heat_transfer_coefficient",
            start + timedelta(days=20 * day),
            {
                "cleanliness_factor": cf,
                "fouling_resistance": (1 / cf - 1) / 700.0,
                "units": {"fouling_resistance": "h·ft²·°F/Btu"},
            },
            None,
            cleanliness_factor=cf,
            fouling_resistance=(1 / cf - 1) / 700.0,
            fouling_resistance_unit="h·ft²·°F/Btu",
        )
    out = execute("calculate_fouling_factor", {"condenser_id": "unit3", "cleanliness_factor": 0.78}, ctx)
    assert out.error is None, out.error and out.error.text()
    assert out.result["history_source"] == "stored" and out.result["history_points"] == 5
    assert "stored history" in json.dumps(out.result["provenance"]["method"])
