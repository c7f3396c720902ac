# SPDX-License-Identifier: MIT
"""Ledger on vs off for real tool calls, one client, side by side in one run.

    python benchmarks/ledger_tool_calls.py [--calls 400] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Runs ``registry.execute("calculate_heat_transfer_coefficient", ...)`` with varied arguments
(a) with no ledger, (b) recording every call in an SQLite ledger (WAL, synchronous=FULL) and
(c) in a PostgreSQL ledger (a throwaway database), interleaving the three in rounds, and
prints calls/s and the ratio ledger-on / ledger-off for each backend.
"""

from __future__ import annotations

import argparse
import random
import secrets
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from condensync_tools.recording import StoreRecorder
from condensync_tools.registry import ExecutionContext, execute
from condensync_tools.store import Store

BASE = {"unit_system": "US", "cw_inlet_temp": 70.0, "cw_outlet_temp": 88.5, "cw_flow": 230000,
        "condenser_pressure": 2.1, "tube_od": 1.0, "tube_count": 28000, "tube_passes": 2, "tube_length": 38.0}


def _rate(context: ExecutionContext, args: list[dict]) -> float:
    start = time.perf_counter()
    for a in args:
        execute("calculate_heat_transfer_coefficient", a, context)
    return len(args) / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    opts = parser.parse_args()
    rng = random.Random(7)
    args = [{**BASE, "cw_inlet_temp": 60 + 20 * rng.random(), "cw_outlet_temp": 82 + 8 * rng.random()}
            for _ in range(opts.calls)]
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
            best[name] = max(best[name], _rate(ctx, args))
    print(f"heat-transfer tool calls, {opts.calls} per round, best of {opts.rounds} interleaved rounds")
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
