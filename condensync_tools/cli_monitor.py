# SPDX-License-Identifier: MIT
"""``condensync monitor``: scheduled live analysis, alert rules and delivery on its own
(inside the HTTP service: ``condensync serve --transport http --monitor``).

- ``condensync monitor --config plant.toml [--metrics-port 9018]`` runs until SIGTERM/SIGINT;
  ``/metrics`` (Prometheus) and ``/health/monitor`` (JSON, no secrets) on
  ``--host``:``--metrics-port`` (0 turns that listener off).
- ``condensync monitor --requeue-rejected NAME`` puts the notifications a destination refused
  (HTTP 4xx: wrong URL or key) back in the queue once the destination is fixed.
- ``condensync monitor --once`` runs one analysis per monitored condenser, evaluates the
  rules, delivers what is due and prints the report (JSON); exit 0 when every run succeeded
  and nothing is left undelivered, 1 otherwise, 2 on a configuration error. For cron or a check.

Registered by :func:`add_parser` from :func:`condensync_tools.cli.build_parser`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
import time
from typing import Any

__all__ = ["add_parser", "cmd_monitor", "build_monitor", "monitor_app"]


def _err(message: str) -> None:
    sys.stderr.write(f"condensync monitor: {message}\n")


def build_monitor(
    config_path: str | None, *, ledger: bool = True, database_url: str | None = None, registry: Any = None
):
    """The monitor of a plant configuration with its live connectors (started) and store."""
    from .monitor.service import Monitor
    from .runtime import build_context

    context = build_context(config_path, caller="monitor", ledger=ledger, database_url=database_url)
    if context.design is None:
        raise ValueError("needs a plant configuration: --config plant.toml or $CONDENSYNC_CONFIG")
    if context.live is not None:
        context.live.start()
    return Monitor(context.design, context, registry=registry)


def monitor_app(monitor: Any) -> Any:
    """ASGI app of the standalone monitor: ``/metrics`` and ``/health/monitor``."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    async def metrics(request: Any) -> Response:
        body = await asyncio.to_thread(generate_latest, monitor.metrics.registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    async def health(request: Any) -> JSONResponse:
        status = await asyncio.to_thread(monitor.status)
        return JSONResponse(status, status_code=200 if status["running"] else 503)

    return Starlette(
        routes=[Route("/metrics", metrics, methods=["GET"]), Route("/health/monitor", health, methods=["GET"])]
    )


async def _once(monitor: Any) -> int:
    try:
        reports = [await monitor.run_once(cid) for cid in monitor.condensers]
        await monitor.deliver_pending()
        status = monitor.status()
    finally:
        await monitor.aclose()
    sys.stdout.write(json.dumps({"runs": reports, "status": status}, indent=2) + "\n")
    undelivered = any(d["pending"] or d["rejected"] for d in status["destinations"])
    return 0 if all(r["outcome"] == "ok" for r in reports) and not undelivered else 1


async def _forever(monitor: Any, host: str, port: int) -> int:
    import uvicorn

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    server = None
    if port:
        server = uvicorn.Server(
            uvicorn.Config(
                monitor_app(monitor), host=host, port=port, log_config=None, access_log=False, lifespan="off"
            )
        )
        server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        serving = asyncio.create_task(server.serve())
    try:
        await monitor.run(stop)
    finally:
        if server is not None:
            server.should_exit = True
            await serving
        await monitor.aclose()
    return 0


def _requeue(args: argparse.Namespace) -> int:
    """``--requeue-rejected NAME``: put a destination's rejected notifications back in the queue
    (after its URL / key was fixed); the running monitor delivers them on its next pass."""
    from .config import load_config
    from .monitor.outbox import Outbox, default_outbox_path

    config = load_config(args.config)
    if config.alerts is None or args.requeue_rejected not in config.alerts.destinations:
        known = ", ".join(sorted(config.alerts.destinations)) if config.alerts else "none"
        raise ValueError(f"--requeue-rejected: {args.requeue_rejected!r} is not a configured destination ({known})")
    path = (config.monitor.outbox_path if config.monitor else None) or default_outbox_path()
    outbox = Outbox(path)
    try:
        n = outbox.retry_rejected(args.requeue_rejected, time.time())
    finally:
        outbox.close()
    sys.stdout.write(json.dumps({"destination": args.requeue_rejected, "requeued": n}) + "\n")
    return 0


def cmd_monitor(args: argparse.Namespace) -> int:
    from .config import ConfigError

    if args.requeue_rejected:
        try:
            return _requeue(args)
        except (ConfigError, ValueError) as exc:
            _err(str(exc))
            return 2
    try:
        monitor = build_monitor(args.config, ledger=not args.no_ledger, database_url=args.database_url)
    except (ConfigError, ValueError) as exc:
        _err(str(exc))
        return 2
    try:
        if args.once:
            return asyncio.run(_once(monitor))
        return asyncio.run(_forever(monitor, args.host, args.metrics_port))
    finally:
        live = monitor.context.live
        if live is not None:
            live.close()


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "monitor",
        help="scheduled live analysis per condenser, alert rules and notifications",
        description="Runs analyze_condenser_performance (live) per condenser every [monitor] "
        "interval_s, stores the results, evaluates [[alerts.rules]] and delivers "
        "notifications to [alerts.destinations] (outbox: nothing is lost).",
    )
    p.add_argument("--config", help="plant configuration TOML (default: $CONDENSYNC_CONFIG)")
    p.add_argument("--once", action="store_true", help="one run per condenser, deliver, print the report, exit")
    p.add_argument(
        "--requeue-rejected",
        metavar="DESTINATION",
        help="put the destination's rejected notifications back in the queue (after fixing it), exit",
    )
    p.add_argument("--host", default="127.0.0.1", help="address of the metrics/health listener")
    p.add_argument("--metrics-port", type=int, default=9018, help="/metrics and /health/monitor (0: off)")
    p.add_argument("--no-ledger", action="store_true", help="do not record runs and alerts in the audit ledger")
    p.add_argument("--database-url", help="store URL (default: $CONDENSYNC_DATABASE_URL or an SQLite file)")
    p.set_defaults(func=cmd_monitor)
