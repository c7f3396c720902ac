# SPDX-License-Identifier: MIT
"""Wiring for the running server and the CLI: execution context (configuration, live data,
ledger) and the transports."""

from __future__ import annotations

import argparse
import logging
import threading

import anyio

from . import settings
from .registry import ExecutionContext

__all__ = ["build_context", "serve", "BackgroundLedger"]

log = logging.getLogger("condensync.runtime")


def open_store(database_url: str | None = None):
    """The store (ledger + history): ``database_url`` → ``$CONDENSYNC_DATABASE_URL`` → the
    default SQLite file; migrations are applied on open when that is safe."""
    from .store import Store

    return Store(database_url, auto_upgrade=True)


def build_context(
    config_path: str | None = None, caller: str | None = None, *, ledger: bool = True, database_url: str | None = None
) -> ExecutionContext:
    """An execution context for the CLI or a server: plant configuration when given, the
    audit ledger and history store unless ``ledger`` is False."""
    config_path = config_path or settings.CONFIG.raw()
    context = ExecutionContext(caller=caller)
    if config_path:
        from .config import load_config

        context.design = load_config(config_path)
        from .live import build_live_provider

        context.live = build_live_provider(context.design)
        if getattr(context.design, "alerts", None) is not None:
            from .monitor.dispatch import outbox_status

            design = context.design
            context.services["outbox_status"] = lambda: outbox_status(design)
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


class BackgroundLedger:
    """The audit-ledger recorder, with the store (SQLAlchemy, migrations) opened in a background
    thread: a command or server goes on with its own start-up (imports, reading a file) while
    the store opens, and :meth:`record` - called after a call's work, before it is answered -
    waits for it. A store that cannot be opened is reported on stderr at once and refuses
    every call (the MCP adapter answers ``ledger_unavailable``); no call is answered
    unrecorded."""

    def __init__(self, database_url: str | None = None) -> None:
        self._database_url = database_url
        self._store = None
        self._error: Exception | None = None
        self._thread = threading.Thread(target=self._open, name="condensync-ledger-open", daemon=True)
        self._thread.start()

    def _open(self) -> None:
        try:
            self._store = open_store(self._database_url)
        except Exception as exc:  # noqa: BLE001 - reported now and to every caller
            log.error("the audit ledger could not be opened; every call will be refused: %s", exc)
            self._error = exc

    def store(self):
        """The opened store (waits for the background thread); raises if it could not be opened."""
        self._thread.join()
        if self._error is not None:
            raise RuntimeError(f"the audit ledger could not be opened: {self._error}") from self._error
        return self._store

    def record(self, outcome) -> None:
        from .recording import StoreRecorder

        StoreRecorder(self.store()).record(outcome)


class _Warmup:
    """``serve`` (stdio): the ledger opens (:class:`BackgroundLedger`) and the tool modules
    (calculators, numpy, scipy, iapws) import in background threads, so ``initialize`` and
    ``tools/list`` (served from the published catalogue and schemas) do not wait for them.
    :meth:`context` - the per-call context factory - waits for both before the first call."""

    def __init__(self, base: ExecutionContext, ledger: BackgroundLedger | None) -> None:
        self.base = base
        self.ledger = ledger
        self._thread = threading.Thread(target=self._import_tools, name="condensync-warmup", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @staticmethod
    def _import_tools() -> None:
        try:
            from .registry import all_tools

            all_tools()
        except Exception:  # noqa: BLE001 - the first call reports it again, as a tool error
            log.exception("importing the tool modules failed")

    def context(self, _request_context=None) -> ExecutionContext:
        self._thread.join()
        b = self.base
        services = b.services
        if self.ledger is not None:
            try:
                services = {**services, "store": self.ledger.store(), "history": self.ledger.store()}
            except RuntimeError:
                pass  # the recorder refuses the call
        return ExecutionContext(design=b.design, live=b.live, recorder=self.ledger, caller=b.caller, services=services)


def serve(args: argparse.Namespace) -> int:
    if args.transport == "http":
        from .server.http_app import serve_http

        def http_context() -> ExecutionContext:
            context = build_context(
                args.config, caller="http", ledger=not args.no_ledger, database_url=args.database_url
            )
            if getattr(args, "monitor", False):
                attach_monitor(context)
            return context

        return serve_http(args, http_context)
    if getattr(args, "monitor", False):
        raise ValueError("--monitor runs inside the HTTP service: use --transport http (or condensync monitor)")
    from .server.mcp_server import build_server, serve_stdio

    base = build_context(args.config, caller="stdio", ledger=False)
    if base.live is not None:
        base.live.start()  # connect in the background; calls wait for fresh values
    warmup = _Warmup(base, None if args.no_ledger else BackgroundLedger(args.database_url))
    server = build_server(warmup.context, config=base.design, live=base.live)
    warmup.start()
    anyio.run(serve_stdio, server)
    return 0
