# SPDX-License-Identifier: MIT
"""Appends from several processes to one chain; SIGKILL in the middle of appending."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import _store_workers
import pytest
from _store_helpers import child_env, reset_pg

from condensync_tools.store import Store


def _run_workers(url: str, procs: int, per_proc: int) -> dict[int, list[int]]:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(procs)
    out = ctx.Queue()
    workers = [
        ctx.Process(target=_store_workers.append_many, args=(url, per_proc, k, barrier, out)) for k in range(procs)
    ]
    for w in workers:
        w.start()
    results = dict(out.get(timeout=120) for _ in workers)
    for w in workers:
        w.join(30)
        assert w.exitcode == 0
    return results


def _check(url: str, results: dict[int, list[int]], total: int) -> None:
    seqs = [s for r in results.values() for s in r]
    assert len(seqs) == len(set(seqs)) == total, "duplicate sequence numbers handed out"
    assert sorted(seqs) == list(range(1, total + 1))
    for r in results.values():
        assert r == sorted(r)
    with Store(url) as s:
        report = s.verify()
        assert report.ok, report
        assert report.checked == total and report.last_seq == total


@pytest.mark.slow  # four writer processes
@pytest.mark.postgres
def test_four_processes_on_postgres(pg_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The session database is wiped here: start a fresh witness too (the workers inherit it).
    monkeypatch.setenv("CONDENSYNC_LEDGER_WITNESS", str(tmp_path / "witness.jsonl"))
    reset_pg(pg_url)
    with Store(pg_url) as s:
        s.upgrade()
    results = _run_workers(pg_url, 4, 500)
    _check(pg_url, results, 2000)
    # The appends really interleaved (each worker's seqs are not one contiguous block).
    assert any(r[-1] - r[0] + 1 > len(r) for r in results.values())


@pytest.mark.slow
def test_processes_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'conc.db'}"
    with Store(url) as s:
        s.upgrade()
    results = _run_workers(url, 3, 100)
    _check(url, results, 300)


@pytest.mark.parametrize("threads", [1, 4])
def test_sigkill_while_appending(store_url: str, threads: int) -> None:
    """Every seq the child reported as committed survives; the chain verifies after each kill.
    With 4 appending threads the child's appends share commits (group commit)."""
    script = Path(_store_workers.__file__)
    rng = random.Random(12345)
    reported: set[int] = set()
    for round_ in range(3):
        child = subprocess.Popen(
            [sys.executable, str(script), store_url, str(threads)], stdout=subprocess.PIPE, env=child_env(), text=True
        )
        assert child.stdout is not None
        wanted = rng.randint(20, 80)
        got: list[int] = []
        while len(got) < wanted:
            line = child.stdout.readline()
            assert line, f"child died early (exit {child.poll()})"
            got.append(int(line))
        time.sleep(rng.uniform(0.0, 0.05))  # let it run on into an arbitrary point
        os.kill(child.pid, signal.SIGKILL)
        got += [int(x) for x in child.stdout.read().split()]  # lines written before death
        child.wait(10)
        assert child.returncode == -signal.SIGKILL
        reported.update(got)
        with Store(store_url) as s:
            report = s.verify()
            assert report.ok, (round_, report)
            assert report.last_seq >= max(reported)
            missing = [q for q in sorted(reported) if s.get_entry(q) is None]
            assert missing == []
    assert len(reported) >= 60
