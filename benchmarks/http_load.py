# SPDX-License-Identifier: MIT
"""Bounded load run of the HTTP service on loopback, with the official MCP client.

    python benchmarks/http_load.py                         # 16 clients x 30 s, SQLite ledger
    python benchmarks/http_load.py --clients 4 --seconds 5
    python benchmarks/http_load.py --database-url postgresql://postgres@127.0.0.1/condensync_bench
    python benchmarks/http_load.py --url https://host:8017/mcp --token cst_...   # a running server
    python benchmarks/http_load.py --replicas 2 --database-url postgresql://postgres@127.0.0.1/condensync_bench

Unless ``--url`` is given it starts ``condensync serve --transport http`` (a real subprocess on
free loopback ports, authentication on, audit ledger on), creates an API token, then runs N
concurrent clients. Each client is one ``mcp.Client`` over ``streamable_http_client`` (httpx2,
protocol negotiated as a real client does) calling ``calculate_heat_transfer_coefficient``
with varying arguments in a closed loop for the given time. Every call is a full round trip:
HTTP + auth + schema validation + calculation + provenance hashes + durable ledger append.

Prints one JSON object to stdout: calls, errors, throughput (calls/s), latency p50/p90/p99/max
(ms), and — when it started the server — the number of ledger entries written by the run
(must equal the calls). Exit code 1 if any call failed or the ledger count differs.
``--replicas N`` starts N server processes on the same database (stateless replicas, as
behind a load balancer; PostgreSQL for N > 1) and spreads the clients over them round-robin.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

ARGS = {
    "unit_system": "US",
    "cw_inlet_temp": 72.4,
    "cw_outlet_temp": 91.8,
    "cw_flow": 248000.0,
    "condenser_pressure": 2.05,
    "tube_od": 1.0,
    "tube_gauge_bwg": 18,
    "tube_material": "admiralty",
    "tube_count": 28000,
    "plugged_tubes": 300,
    "tube_passes": 2,
    "tube_length": 40.0,
}
TOOL = "calculate_heat_transfer_coefficient"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


async def run_load(
    url: str | list[str],
    token: str | None,
    clients: int,
    seconds: float,
    *,
    verify: Any = True,
    request_id_prefix: str = "load",
) -> dict[str, Any]:
    """Closed-loop load: ``clients`` concurrent MCP clients for ``seconds`` (client ``i`` on
    ``url[i % len(url)]`` when several replicas are given). Returns the figures."""
    import anyio
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    latencies: list[float] = []
    errors: list[str] = []
    per_client: dict[str, int] = {}
    start_gate = anyio.Event()
    ready = 0
    t0 = t_end = 0.0

    async def client(i: int) -> None:
        nonlocal ready
        rid = f"{request_id_prefix}-{i}"
        headers = {"X-Request-ID": rid}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        http = httpx2.AsyncClient(headers=headers, verify=verify, timeout=30.0)
        n = 0
        try:
            target = url if isinstance(url, str) else url[i % len(url)]
            async with http, Client(streamable_http_client(target, http_client=http)) as c:
                warm = await c.call_tool(TOOL, ARGS)  # session set-up, not timed
                if warm.is_error:
                    errors.append(f"warm-up: {warm.content[0].text[:200]}")
                n += 1
                ready += 1
                await start_gate.wait()
                k = 0
                while time.perf_counter() < t_end:
                    args = {**ARGS, "cw_flow": 200000.0 + (i * 7919 + k) % 100000}
                    started = time.perf_counter()
                    try:
                        r = await c.call_tool(TOOL, args)
                    except Exception as exc:  # transport errors count as errors
                        errors.append(f"{type(exc).__name__}: {exc}"[:200])
                        continue
                    finally:
                        n += 1
                        k += 1
                    latencies.append(time.perf_counter() - started)
                    if r.is_error:
                        errors.append(r.content[0].text[:200])
        except Exception as exc:
            errors.append(f"client {i}: {type(exc).__name__}: {exc}"[:200])
        finally:
            per_client[rid] = n

    async with anyio.create_task_group() as tg:
        for i in range(clients):
            tg.start_soon(client, i)
        deadline = time.perf_counter() + 60
        while ready < clients and time.perf_counter() < deadline and len(errors) < clients:
            await anyio.sleep(0.01)
        t0 = time.perf_counter()
        t_end = t0 + seconds
        start_gate.set()
    elapsed = max(time.perf_counter() - t0, 1e-9)
    lat = sorted(latencies)
    return {
        "clients": clients,
        "seconds": round(elapsed, 3),
        "calls": len(lat),
        "calls_including_warmup": sum(per_client.values()),
        "errors": len(errors),
        "error_samples": errors[:5],
        "throughput_calls_per_s": round(len(lat) / elapsed, 1),
        "latency_ms": {
            "p50": round(_percentile(lat, 0.50) * 1000, 2),
            "p90": round(_percentile(lat, 0.90) * 1000, 2),
            "p99": round(_percentile(lat, 0.99) * 1000, 2),
            "max": round(lat[-1] * 1000, 2) if lat else None,
            "mean": round(statistics.fmean(lat) * 1000, 2) if lat else None,
        },
        "per_client": per_client,
    }


# --------------------------------------------------------------------------- server
def _serve_child(argv: list[str]) -> int:
    """``condensync <argv>`` — through cli.main once ``serve --transport http`` is wired there,
    else straight into serve_http with the same parsed options."""
    from condensync_tools import cli, runtime

    if "serve_http" in inspect.getsource(runtime.serve):
        return int(cli.main(argv) or 0)
    from condensync_tools.server.http_app import serve_http

    args = cli.build_parser().parse_args(argv)
    return serve_http(
        args,
        lambda: runtime.build_context(
            args.config, caller="http", ledger=not args.no_ledger, database_url=args.database_url
        ),
    )


def start_server(database_url: str, workdir: Path, extra: list[str] | None = None) -> tuple[subprocess.Popen, str, str]:
    import httpx

    port, mport = _free_port(), _free_port()
    argv = [
        "serve",
        "--transport",
        "http",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--metrics-port",
        str(mport),
        "--database-url",
        database_url,
        *(extra or []),
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    log = open(workdir / "server.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--serve-child", *argv],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=log,
        cwd=workdir,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}; see {workdir / 'server.log'}")
        try:
            if httpx.get(base + "/health/ready", timeout=1).status_code == 200:
                return proc, base + "/mcp", f"http://127.0.0.1:{mport}/metrics"
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not become ready in 90 s")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--serve-child":
        return _serve_child(argv[1:])
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--database-url", help="store of the started server (default: a temporary SQLite file)")
    p.add_argument("--url", help="load a running server instead of starting one")
    p.add_argument("--token", help="bearer token for --url")
    p.add_argument("--no-ledger", action="store_true", help="start the server with --no-ledger (comparison only)")
    p.add_argument("--replicas", type=int, default=1, help="server processes on the same database (default 1)")
    a = p.parse_args(argv)
    sys.path.insert(0, str(REPO))
    import anyio

    if a.url:
        result = anyio.run(run_load, a.url, a.token, a.clients, a.seconds)
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return 1 if result["errors"] else 0

    from condensync_tools.store import Store
    from condensync_tools.store.tokens import TokenStore

    with tempfile.TemporaryDirectory(prefix="condensync-load-") as tmp:
        workdir = Path(tmp)
        db_url = a.database_url or f"sqlite:///{workdir / 'load.db'}"
        with Store(db_url, auto_upgrade=True) as store:
            token = TokenStore(store.engine).create("viewer", "http_load benchmark")[1]
            seq_before = max((e.seq for e in store.last_entries(1)), default=0)
        servers = []
        for k in range(a.replicas):
            (workdir / f"replica-{k}").mkdir()
            servers.append(start_server(db_url, workdir / f"replica-{k}", ["--no-ledger"] if a.no_ledger else []))
        try:
            prefix = f"load{int(time.time())}"
            urls = [url for _, url, _ in servers]
            result = anyio.run(lambda: run_load(urls, token, a.clients, a.seconds, request_id_prefix=prefix))
        finally:
            for proc, _, _ in servers:
                proc.terminate()
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        result["replicas"] = a.replicas
        if not a.no_ledger:
            with Store(db_url) as store:
                recorded = sum(
                    1 for e in store.iter_entries(seq_before + 1) if (e.request_id or "").startswith(prefix + "-")
                )
                result["ledger_entries"] = recorded
                result["ledger_matches_calls"] = recorded == result["calls_including_warmup"]
                result["ledger_verifies"] = store.verify().ok
        result["store"] = "postgresql" if db_url.startswith("postgres") else "sqlite"
        result["ledger"] = not a.no_ledger
    result.pop("per_client", None)
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    ok = not result["errors"] and result.get("ledger_matches_calls", True) and result.get("ledger_verifies", True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
