# SPDX-License-Identifier: MIT
"""Ledger on vs off for real tool calls, side by side in one run.

    python benchmarks/ledger_tool_calls.py [--calls 400] [--threads 1] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Runs ``registry.execute("calculate_heat_transfer_coefficient", ...)`` with varied arguments
(a) with no ledger, (b) recording every call in an SQLite ledger (WAL, synchronous=FULL) and
(c) in a PostgreSQL ledger (a throwaway database), interleaving the three in rounds, and
prints calls/s and the ratio ledger-on / ledger-off for each backend. With ``--threads N``
the calls come from N threads sharing one context (and one Store): concurrent calls share
the ledger's commits (group commit). :func:`concurrent_ratio` is the figure
``benchmarks/run.py`` reports as ``ledger_concurrent_ratio`` (16 callers, SQLite).
"""

from __future__ import annotations

import argparse
import random
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from condensync_tools.recording import StoreRecorder  # noqa: E402
from condensync_tools.registry import ExecutionContext, execute  # noqa: E402
from condensync_tools.store import Store  # noqa: E402

BASE = {
    "unit_system": "US",
    "cw_inlet_temp": 70.0,
    "cw_outlet_temp": 88.5,
    "cw_flow": 230000,
    "condenser_pressure": 2.1,
    "tube_od": 1.0,
    "tube_count": 28000,
    "tube_passes": 2,
    "tube_length": 38.0,
}


def _rate(context: ExecutionContext, args: list[dict], threads: int = 1) -> float:
    """calls/s of ``execute`` over ``args``, split among ``threads`` threads started together."""
    per = len(args) // threads
    start = threading.Barrier(threads + 1)

    def work(k: int) -> None:
        start.wait()
        for a in args[k * per : (k + 1) * per]:
            out = execute("calculate_heat_transfer_coefficient", a, context)
            if out.error is not None:
                raise RuntimeError(out.error.text())

    pool = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in pool:
        t.join()
    return per * threads / (time.perf_counter() - t0)


def _arguments(calls: int) -> list[dict]:
    rng = random.Random(7)
    return [
        {**BASE, "cw_inlet_temp": 60 + 20 * rng.random(), "cw_outlet_temp": 82 + 8 * rng.random()} for _ in range(calls)
    ]


def concurrent_ratio(threads: int = 16, calls: int = 1600, rounds: int = 3) -> tuple[float, float, float]:
    """(ledger-on calls/s, ledger-off calls/s, groups per commit): ``threads`` callers of
    ``execute`` with an SQLite ledger (WAL, synchronous=FULL, witness on) vs without, best of
    ``rounds`` interleaved rounds; the chain is verified afterwards."""
    args = _arguments(calls)
    tmp = Path(tempfile.mkdtemp())
    store = Store(f"sqlite:///{tmp / 'bench.db'}", auto_upgrade=True, witness_path=tmp / "witness.jsonl")
    on = ExecutionContext(caller="bench", recorder=StoreRecorder(store))
    off = ExecutionContext(caller="bench")
    _rate(off, args[:100])  # warm caches
    best_on = best_off = 0.0
    try:
        for _ in range(rounds):
            best_off = max(best_off, _rate(off, args, threads))
            best_on = max(best_on, _rate(on, args, threads))
        report = store.verify()
        assert report.ok and report.checked == rounds * (calls // threads) * threads, report
        per_commit = store._group.items / store._group.groups
    finally:
        store.close()
    return best_on, best_off, per_commit


def sync_ceiling(threads: int = 16, calls: int = 1600, rounds: int = 3, flush_s: float = 0.001) -> tuple[float, float]:
    """(calls/s through a group commit that writes nothing, ledger-off calls/s): the same
    callers, each call waiting on :class:`~condensync_tools.store.group_commit.GroupCommit`
    whose flush only sleeps ``flush_s`` (a commit's fsync, no database, no hashing). What
    waiting for a shared commit costs by itself on this machine, the ceiling of
    ``concurrent_ratio`` for any ledger that answers a call only after its commit."""
    from condensync_tools.store.group_commit import GroupCommit

    def flush(items: list) -> list:
        time.sleep(flush_s)
        return [None] * len(items)

    group = GroupCommit(flush)

    class _WaitOnly:
        def record(self, outcome) -> None:
            group.submit(outcome)

    args = _arguments(calls)
    on = ExecutionContext(caller="bench", recorder=_WaitOnly())
    off = ExecutionContext(caller="bench")
    _rate(off, args[:100])
    best_on = best_off = 0.0
    for _ in range(rounds):
        best_off = max(best_off, _rate(off, args, threads))
        best_on = max(best_on, _rate(on, args, threads))
    return best_on, best_off


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="concurrent callers (default 1)")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    opts = parser.parse_args()
    args = _arguments(opts.calls)
    tmp = Path(tempfile.mkdtemp())
    backends = {"off": ExecutionContext(caller="bench")}
    stores = []
    sqlite = Store(f"sqlite:///{tmp / 'bench.db'}", auto_upgrade=True)
    stores.append(sqlite)
    backends["sqlite"] = ExecutionContext(caller="bench", recorder=StoreRecorder(sqlite))
    admin = create_engine(opts.pg, isolation_level="AUTOCOMMIT")
    dbname = f"condensync_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{dbname}"'))
        pg = Store(make_url(opts.pg).set(database=dbname).render_as_string(hide_password=False), auto_upgrade=True)
        stores.append(pg)
        backends["postgresql"] = ExecutionContext(caller="bench", recorder=StoreRecorder(pg))
    except Exception as exc:  # report and go on with SQLite
        print(f"PostgreSQL unavailable ({type(exc).__name__}); skipped")
        dbname = ""
    _rate(backends["off"], args[:50])  # warm caches
    best = {name: 0.0 for name in backends}
    for _ in range(opts.rounds):
        for name, ctx in backends.items():
            best[name] = max(best[name], _rate(ctx, args, opts.threads))
    print(
        f"heat-transfer tool calls, {opts.calls} per round from {opts.threads} thread(s), best of {opts.rounds} "
        "interleaved rounds"
    )
    for name, rate in best.items():
        ratio = "" if name == "off" else f"   ledger on / off = {rate / best['off']:.3f}"
        print(f"  ledger {name:<11} {rate:8.0f} calls/s{ratio}")
    for store in stores:
        assert store.verify().ok
        store.close()
    if dbname:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
    admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
