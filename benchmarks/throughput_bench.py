# SPDX-License-Identifier: MIT
"""Throughput figures of ``benchmarks/run.py`` (each a ratio measured side by side in one run):

* ``ledger_concurrent_ratio``: 16 threads calling ``execute`` (heat-transfer tool) with the
  SQLite ledger (WAL, synchronous=FULL, signed heads in a witness file) vs without
  (goal >= 0.5): concurrent calls share commits (group commit);
* beside it, reported: the same 16 callers waiting on a group commit that writes nothing (its
  flush sleeps 1 ms): what waiting for a shared commit costs by itself on this machine, the
  ceiling of ``ledger_concurrent_ratio`` (docs/performance.md §2);
* ``ledger_threads_ratio``: ``benchmarks/ledger_bench.py``'s ``ledger x4 thr`` / ``ledger``
  on SQLite: appends/s from 4 threads vs 1 (goal >= 2.5);
* ``history_end_to_end_ratio``: ``condensync analyze FILE.csv`` (default outputs: result
  JSON, Parquet series, PNG chart, ledger entry), wall time of the whole process, vs a
  separate process reading the same CSV with ``pyarrow.csv.read_csv`` (goal <= 8);
* ``startup_ratio``: ``condensync serve`` (ledger on, SQLite) spawned by the official client
  until ``initialize`` is answered, vs ``benchmarks/echo_server.py`` started the same way
  (goal <= 1.5); the time to the ``tools/list`` answer is reported beside it.

Wall times of whole processes on a shared machine are noisy: every figure is the best of
several interleaved rounds (ours and the baseline alternate).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

import history_bench  # noqa: E402
from history_bench import Figure  # noqa: E402


def ledger_figures(quick: bool) -> list[Figure]:
    """The two ledger ratios (SQLite); ledger_bench prints its own report on the way."""
    import ledger_bench
    import ledger_tool_calls

    on, off, per_commit = ledger_tool_calls.concurrent_ratio(
        threads=16, calls=320 if quick else 1600, rounds=1 if quick else 3
    )
    with tempfile.TemporaryDirectory() as d:
        best = ledger_bench.bench_backend(
            "SQLite (WAL, synchronous=FULL)",
            f"sqlite:///{Path(d) / 'bench.db'}",
            100 if quick else 400,
            1 if quick else 3,
        )
    threads = best["ledger x4 thr"] / best["ledger"]
    wait_on, wait_off = ledger_tool_calls.sync_ceiling(calls=320 if quick else 1600, rounds=1 if quick else 3)
    return [
        Figure(
            f"ledger on, 16 callers ({per_commit:.1f} calls/commit): calls/s",
            on,
            "calls/s",
            off,
            "ledger off calls/s",
            on / off,
            "ratio >= 0.5",
            on / off >= 0.5,
        ),
        Figure(
            "  ceiling: 16 callers waiting on a commit that writes nothing (1 ms sleep): calls/s",
            wait_on,
            "calls/s",
            wait_off,
            "ledger off calls/s",
            wait_on / wait_off,
            "report",
            None,
        ),
        Figure(
            "ledger appends, 4 threads: appends/s",
            best["ledger x4 thr"],
            "calls/s",
            best["ledger"],
            "1 thread appends/s",
            threads,
            "ratio >= 2.5",
            threads >= 2.5,
        ),
    ]


def _timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError(f"{cmd[2:4]} failed in the benchmark: {r.stderr.strip()[-400:]}")
    return time.perf_counter() - t0


def history_end_to_end(quick: bool) -> list[Figure]:
    """``condensync analyze`` with its default outputs vs a pyarrow read of the same CSV."""
    rows = 50_000 if quick else 1_000_000
    rounds = 1 if quick else 3
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        csv = tmp / "history.csv"
        history_bench.write_csv(csv, history_bench.synthetic_history(rows))
        env = {
            **os.environ,
            "CONDENSYNC_DATABASE_URL": f"sqlite:///{tmp / 'ledger.db'}",
            "CONDENSYNC_LEDGER_WITNESS": str(tmp / "witness.jsonl"),
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        design = [f"--{k.replace('_', '-')}={v}" for k, v in history_bench.DESIGN_ARGS.items()] + ["--hei-fw=1.0"]
        analyze = [
            sys.executable,
            "-m",
            "condensync_tools",
            "analyze",
            str(csv),
            "--no-progress",
            "--out",
            str(tmp / "out"),
            *design,
        ]
        read = [sys.executable, "-c", f"import pyarrow.csv as c; c.read_csv({str(csv)!r})"]
        ours = base = float("inf")
        for _ in range(rounds):
            base = min(base, _timed(read, env))
            ours = min(ours, _timed(analyze, env))
    ratio = ours / base
    return [
        Figure(
            f"condensync analyze, {rows:,}-row CSV, end to end: ms",
            ours * 1e3,
            "ms",
            base * 1e3,
            "pyarrow.csv.read_csv process ms",
            ratio,
            "ratio <= 8",
            ratio <= 8.0,
        )
    ]


async def _start(params) -> tuple[float, float]:
    from mcp import Client

    t0 = time.perf_counter()
    async with Client(params) as client:
        t1 = time.perf_counter()
        await client.list_tools()
        t2 = time.perf_counter()
    return t1 - t0, t2 - t0


def startup(quick: bool) -> list[Figure]:
    """Spawn to ``initialize`` answered: ``condensync serve`` (ledger on) vs the bare echo server."""
    import anyio
    from mcp import StdioServerParameters

    rounds = 2 if quick else 5
    with tempfile.TemporaryDirectory() as d:
        env = {
            **os.environ,
            "CONDENSYNC_DATABASE_URL": f"sqlite:///{Path(d) / 'ledger.db'}",
            "CONDENSYNC_LEDGER_WITNESS": str(Path(d) / "witness.jsonl"),
        }
        ours = StdioServerParameters(
            command=sys.executable, args=["-m", "condensync_tools", "serve"], cwd=str(ROOT), env=env
        )
        echo = StdioServerParameters(command=sys.executable, args=[str(HERE / "echo_server.py")], env=env)
        best = {"ours": [float("inf")] * 2, "echo": [float("inf")] * 2}
        for _ in range(rounds):
            for key, params in (("echo", echo), ("ours", ours)):
                times = anyio.run(_start, params)
                best[key] = [min(a, b) for a, b in zip(best[key], times, strict=True)]
    init = best["ours"][0] / best["echo"][0]
    listed = best["ours"][1] / best["echo"][1]
    return [
        Figure(
            "condensync serve, spawn to initialize: ms",
            best["ours"][0] * 1e3,
            "ms",
            best["echo"][0] * 1e3,
            "echo server ms",
            init,
            "ratio <= 1.5",
            init <= 1.5,
        ),
        Figure(
            "  same, to the tools/list answer: ms",
            best["ours"][1] * 1e3,
            "ms",
            best["echo"][1] * 1e3,
            "echo server ms",
            listed,
            "report",
            None,
        ),
    ]
