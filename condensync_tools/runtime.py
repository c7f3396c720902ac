# SPDX-License-Identifier: MIT
"""Wiring for the running server and the CLI: execution context (configuration, live data,
ledger) and the transports."""

from __future__ import annotations

import argparse
import logging

import anyio

from . import settings
from .registry import ExecutionContext

__all__ = ["build_context", "serve"]

log = logging.getLogger("condensync.runtime")


def open_store(database_url: str | None = None):
    """The store (ledger + history): ``database_url`` → ``$CONDENSYNC_DATABASE_URL`` → the
    default SQLite file; migrations are applied on open when that is safe."""
    from .store import Store

    return Store(database_url, auto_upgrade=True)


def build_context(config_path: str | None = None, caller: str | None = None, *, ledger: bool = True,
                  database_url: str | None = None) -> ExecutionContext:
    """An execution context for the CLI or a server: plant configuration when given, the
    audit ledger and history store unless ``ledger`` is False."""
    config_path = config_path or settings.CONFIG.raw()
    context = ExecutionContext(caller=caller)
    if config_path:
        from .config import load_config

        context.design = load_config(config_path)
        from .live import build_live_provider

        context.live = build_live_provider(context.design)
    if ledger:
        from .recording import StoreRecorder

        store = open_store(database_url)
        context.recorder = StoreRecorder(store)
        context.services["store"] = store
        context.services["history"] = store
    return context


def attach_monitor(context: ExecutionContext) -> None:
    """``serve --monitor``: let the HTTP service build the monitor with its metrics registry."""
    from .monitor.service import Monitor

    if context.design is None or context.live is None:
        raise ValueError("--monitor needs a plant configuration with live connectors (--config plant.toml)")
    design = context.design
    context.services["monitor_factory"] = lambda registry: Monitor(design, context, registry=registry)


def serve(args: argparse.Namespace) -> int:
    if args.transport == "http":
        from .server.http_app import serve_http

        def http_context() -> ExecutionContext:
            context = build_context(args.config, caller="http", ledger=not args.no_ledger,
                                    database_url=args.database_url)
            if getattr(args, "monitor", False):
                attach_monitor(context)
            return context

        return serve_http(args, http_context)
    if getattr(args, "monitor", False):
        raise ValueError("--monitor runs inside the HTTP service: use --transport http (or condensync monitor)")
    from .server.mcp_server import build_server, serve_stdio

    base = build_context(args.config, caller="stdio", ledger=not args.no_ledger, database_url=args.database_url)
    if base.live is not None:
        base.live.start()  # connect in the background; calls wait for fresh values
    server = build_server(lambda ctx: ExecutionContext(design=base.design, live=base.live, recorder=base.recorder,
                                                       caller=base.caller, services=base.services),
                          config=base.design, live=base.live)
    anyio.run(serve_stdio, server)
    return 0
