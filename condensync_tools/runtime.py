# SPDX-License-Identifier: MIT
"""Wiring for the running server and the CLI: execution context (configuration, live data,
ledger) and the transports."""

from __future__ import annotations

import argparse
import logging
import os
import threading

import anyio

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
    config_path = config_path or os.environ.get("CONDENSYNC_CONFIG")
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


class _LedgerUnavailable:
    """Recorder standing in for a store that could not be opened: every call is refused
    (the MCP adapter answers ``ledger_unavailable``), none is answered unrecorded."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def record(self, outcome) -> None:
        raise RuntimeError(f"the audit ledger could not be opened: {self.error}") from self.error


class _Warmup:
    """Opens the ledger store and imports the tool modules (calculators, numpy, scipy, iapws)
    in a background thread, so ``serve`` answers ``initialize`` and ``tools/list`` (served from
    the published catalogue and schemas) without waiting for them. :meth:`context` - the
    per-call context factory - waits for the store before the first call."""

    def __init__(self, base: ExecutionContext, open_ledger: bool, database_url: str | None) -> None:
        self.base = base
        self._open_ledger = open_ledger
        self._database_url = database_url
        self._thread = threading.Thread(target=self._run, name="condensync-warmup", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        if self._open_ledger:
            try:
                store = open_store(self._database_url)
                from .recording import StoreRecorder

                self.base.recorder = StoreRecorder(store)
                self.base.services.update(store=store, history=store)
            except Exception as exc:  # noqa: BLE001 - reported on stderr and to every caller
                log.error("the audit ledger could not be opened; every call will be refused: %s", exc)
                self.base.recorder = _LedgerUnavailable(exc)
        try:
            from .registry import all_tools

            all_tools()
        except Exception:  # noqa: BLE001 - the first call reports it again, as a tool error
            log.exception("importing the tool modules failed")

    def context(self, _request_context=None) -> ExecutionContext:
        self._thread.join()
        b = self.base
        return ExecutionContext(design=b.design, live=b.live, recorder=b.recorder, caller=b.caller,
                                services=b.services)


def serve(args: argparse.Namespace) -> int:
    if args.transport == "http":
        from .server.http_app import serve_http

        return serve_http(args, lambda: build_context(args.config, caller="http", ledger=not args.no_ledger,
                                                      database_url=args.database_url))
    from .server.mcp_server import build_server, serve_stdio

    base = build_context(args.config, caller="stdio", ledger=False)
    if base.live is not None:
        base.live.start()  # connect in the background; calls wait for fresh values
    warmup = _Warmup(base, not args.no_ledger, args.database_url)
    server = build_server(warmup.context, config=base.design)
    warmup.start()
    anyio.run(serve_stdio, server)
    return 0
