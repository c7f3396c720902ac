# SPDX-License-Identifier: MIT
"""Two server processes (replicas) on different ports sharing one PostgreSQL: clients spread
their calls over both; the ledger holds every call exactly once and the chain verifies."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import anyio
import pytest
from _service_helpers import CALC, GOOD, REPO, ServerProcess, child_env, mcp_client, start_all

from condensync_tools.store import Store
from condensync_tools.store.tokens import TokenStore

WORKERS = 6
ROUNDS = 4  # per worker and replica


@pytest.mark.slow  # two service processes
@pytest.mark.postgres
@pytest.mark.anyio
async def test_two_replicas_share_one_postgres(pg_url, tmp_path):
    with Store(pg_url, auto_upgrade=True) as store:
        ts = TokenStore(store.engine)
        viewer = ts.create("viewer", "replica test")[1]
        engineer = ts.create("engineer", "replica test")[1]
        seq_before = max((e.seq for e in store.last_entries(1)), default=0)
    replicas = start_all([ServerProcess(tmp_path, database_url=pg_url, name=f"replica-{x}") for x in "ab"])
    made: Counter[str] = Counter()
    failures: list[str] = []
    try:

        async def worker(w: int) -> None:
            token = engineer if w % 2 else viewer
            async with (
                mcp_client(replicas[0].url, token, headers={"X-Request-ID": f"rep-{w}-a"}) as a,
                mcp_client(replicas[1].url, token, headers={"X-Request-ID": f"rep-{w}-b"}) as b,
            ):
                for i in range(ROUNDS):
                    for tag, client in (("a", a), ("b", b)):
                        calls = [
                            (CALC, {**GOOD, "cw_flow": 150000 + 1000 * w + i}, False),
                            ("svctest_create_work_order", {"asset": f"W{w}"}, not w % 2),
                            (CALC, {**GOOD, "cw_flow": -w - 1}, True),
                        ]
                        name, args, expect_error = calls[i % len(calls)]
                        r = await client.call_tool(name, args)
                        made[f"rep-{w}-{tag}"] += 1
                        if r.is_error != expect_error:
                            failures.append(f"{w}{tag}{i}: {r.content[0].text[:200]}")

        async with anyio.create_task_group() as tg:
            for w in range(WORKERS):
                tg.start_soon(worker, w)
    finally:
        for r in replicas:
            r.stop()
    assert failures == []
    total = sum(made.values())
    assert total == WORKERS * ROUNDS * 2
    with Store(pg_url) as store:
        entries = [e for e in store.iter_entries(seq_before + 1)]
        report = store.verify()
    assert report.ok, report.first_problem
    got = Counter(e.request_id for e in entries if (e.request_id or "").startswith("rep-"))
    assert got == made  # every call, once, from the replica it went to
    assert [e.seq for e in entries] == list(range(seq_before + 1, seq_before + 1 + len(entries)))
    # the CLI verifies the shared chain too
    cli = subprocess.run(
        [sys.executable, "-m", "condensync_tools", "audit", "verify", "--database-url", pg_url],
        cwd=REPO,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    assert "ledger chain verifies" in cli.stderr
