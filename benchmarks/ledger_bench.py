# SPDX-License-Identifier: MIT
"""Ledger throughput: tool calls per second with the audit ledger on vs off.

Usage::

    python benchmarks/ledger_bench.py [--n 500] [--rounds 3] [--backends sqlite,postgres]
                                      [--pg-admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

For each backend (a temporary SQLite file; a throwaway PostgreSQL database created through
the admin URL and dropped afterwards) it measures, interleaved over several rounds (best
round reported, as the machine may be shared):

``no ledger``      the per-call work the server does anyway: RFC 8785 + SHA-256 of
                   arguments and result (the provenance hashes, with the server's own
                   serialiser ``provenance.canonical_sha256``) - the baseline;
``plain insert``   baseline + one durable INSERT of the same record into an unchained table
                   (what a naive audit log would cost);
``ledger``         baseline + ``Store.append_call`` (hash chain, head lock, one transaction,
                   durable commit);
``ledger x4 thr``  as ``ledger`` from 4 threads sharing one Store (appends serialise on the
                   chain head, concurrent ones share a commit: group commit; throughput is
                   total calls/s).

and prints calls/s and the ratios ``ledger / no ledger`` and ``ledger / plain insert``.
This is a benchmark, not a test; it asserts nothing.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from condensync_tools.provenance import canonical_sha256  # noqa: E402
from condensync_tools.store import CallRecord, Store  # noqa: E402
from condensync_tools.store.engine import begin_write  # noqa: E402
from condensync_tools.store.ledger import _prepare  # noqa: E402
from condensync_tools.store.models import LedgerEntryRow  # noqa: E402

ARGS = {
    "unit_system": "US",
    "condenser_id": "U1-COND-A",
    "data_source": "supplied",
    "cw_inlet_temp": 72.4,
    "cw_outlet_temp": 91.8,
    "cw_flow": 248000.0,
    "condenser_pressure": 2.05,
    "surface_area": 450000.0,
    "tube_od": 1.0,
    "tube_gauge_bwg": 18,
    "tube_material": "titanium",
    "tube_count": 21000,
    "tube_passes": 1,
    "tube_length": 40.0,
    "water_type": "cooling_tower",
}
RESULT = {
    "heat_duty": 2.43e9,
    "saturation_temp": 101.7,
    "itd": 29.3,
    "ttd": 9.9,
    "lmtd": 17.1,
    "tube_velocity": 7.1,
    "u_actual": 512.3,
    "u_clean": 640.1,
    "u_design": 580.0,
    "cleanliness_factor": 0.8003,
    "fouling_resistance": 0.000389,
    "warnings": [],
    "recommendations": ["schedule tube cleaning"],
    "units": {"heat_duty": "Btu/h", "u_actual": "Btu/(h·ft²·°F)", "fouling_resistance": "h·ft²·°F/Btu"},
}


def baseline_work(i: int) -> tuple[dict, dict, str]:
    """The hashes every call computes anyway, with the server's own serialiser
    (:func:`condensync_tools.provenance.canonical_sha256`, RFC 8785, byte-equal to ``rfc8785``)."""
    args = dict(ARGS, cw_inlet_temp=70.0 + (i % 100) / 10)
    ih = canonical_sha256(args)
    oh = canonical_sha256(RESULT)
    ph = canonical_sha256({"tool": "t", "input_sha256": ih, "output_sha256": oh})
    return args, RESULT, ph


def record(i: int) -> CallRecord:
    args, result, ph = baseline_work(i)
    return CallRecord(
        "calculate_heat_transfer_coefficient",
        "0.1.0",
        args,
        result,
        provenance_hash=ph,
        caller="bench",
        duration_ms=1.0,
        request_id=str(i),
    )


def rate(fn: Callable[[int], object], n: int, threads: int = 1) -> float:
    t0 = time.perf_counter()
    if threads == 1:
        for i in range(n):
            fn(i)
    else:
        per = n // threads
        ts = [threading.Thread(target=lambda k=k: [fn(k * per + i) for i in range(per)]) for k in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        n = per * threads
    return n / (time.perf_counter() - t0)


def bench_backend(name: str, url: str, n: int, rounds: int) -> dict[str, float]:
    """Measure every mode on one backend, print the report, return the best calls/s by mode."""
    store = Store(url)
    store.upgrade()
    # An unchained log table with the same columns (no head, no hash chain, no indexes).
    plain = Table(
        "bench_plain_log",
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=True),
        *[Column(c.name, c.type, nullable=True) for c in LedgerEntryRow.__table__.columns],
    )
    plain.create(store.engine, checkfirst=True)
    plain_insert = insert(plain)

    def plain_call(i: int) -> None:
        values = _prepare(record(i), "plain")[0]
        with store.engine.connect() as conn, begin_write(conn):
            conn.execute(plain_insert, {**values, "seq": i, "prev_hash": "", "entry_hash": ""})

    modes: dict[str, Callable[[], float]] = {
        "no ledger": lambda: rate(baseline_work, n * 4),
        "plain insert": lambda: rate(plain_call, n),
        "ledger": lambda: rate(lambda i: store.append_call(record(i)), n),
        "ledger x4 thr": lambda: rate(lambda i: store.append_call(record(i)), n, threads=4),
    }
    best = {m: 0.0 for m in modes}
    for _ in range(rounds):
        for m, run in modes.items():
            best[m] = max(best[m], run())
    t0 = time.perf_counter()
    report = store.verify()
    verify_rate = report.checked / (time.perf_counter() - t0)
    assert report.ok, report
    print(f"\n{name}: {store.url}")
    print(f"  verify         {verify_rate:10.0f} entries/s ({report.checked} entries)")
    for m, v in best.items():
        print(f"  {m:<14} {v:10.0f} calls/s")
    print(
        f"  ratio ledger / no ledger     = {best['ledger'] / best['no ledger']:.4f}"
        f"   (ledger cost per call {1000 / best['ledger'] - 1000 / best['no ledger']:.3f} ms)"
    )
    print(f"  ratio ledger / plain insert  = {best['ledger'] / best['plain insert']:.3f}")
    print(f"  ratio 4 threads / 1 thread   = {best['ledger x4 thr'] / best['ledger']:.3f}")
    print(f"  group commit: {store._group.items} appends in {store._group.groups} commits")
    store.close()
    return best


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=500, help="calls per measurement")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--backends", default="sqlite,postgres")
    p.add_argument("--pg-admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    a = p.parse_args()
    backends = a.backends.split(",")
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory() as d:
            bench_backend("SQLite (WAL, synchronous=FULL)", f"sqlite:///{Path(d) / 'bench.db'}", a.n, a.rounds)
    if "postgres" in backends:
        admin = create_engine(a.pg_admin_url, isolation_level="AUTOCOMMIT")
        db = f"condensync_bench_{secrets.token_hex(4)}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{db}"'))
        try:
            url = make_url(a.pg_admin_url).set(database=db).render_as_string(hide_password=False)
            bench_backend("PostgreSQL (synchronous_commit=on)", url, a.n, a.rounds)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
