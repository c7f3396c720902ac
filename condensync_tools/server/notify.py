# SPDX-License-Identifier: MIT
"""MCP notifications of a tool call: our log records as ``notifications/message`` and
progress as ``notifications/progress``.

Logging (MCP "server utilities / logging"):

* handshake-era sessions (2024-11-05 … 2025-11-25) choose a level with ``logging/setLevel``;
  it is kept per connection (stdio: the process's one session; stateful transports: each
  session). Until a session sets a level it gets no log notifications (the warnings are in
  every result anyway);
* 2026-07-28 requests opt in per request with ``_meta["io.modelcontextprotocol/logLevel"]``.

What is forwarded: records of the ``condensync.*`` and ``connectors.*`` loggers emitted while
the call runs (connector events, breaker changes, stages of long analyses, warnings), plus
the result's ``warnings`` at level ``warning``. Transport, auth and access-log records stay on
stderr only. Nothing is ever written to stdout.

Progress: when the caller sends a progress token, the tool's stage callbacks
(``services["progress"]``, the hook the CLI's progress bars use) become progress
notifications on a 0–100 scale; a call without stage callbacks that takes longer than a
second gets one notification per second with the elapsed time (no total), so a host's
request timer sees the call is alive.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable

import anyio
import anyio.from_thread
import mcp.types as types

__all__ = [
    "MCP_LEVELS",
    "SessionLevels",
    "CallNotifier",
    "SILENT",
    "forwards_record_of",
    "install_log_bridge",
    "STAGE_WEIGHTS",
]

#: MCP (RFC 5424) level → Python logging level.
MCP_LEVELS: dict[str, int] = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "notice": logging.INFO + 5,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
    "alert": logging.CRITICAL + 5,
    "emergency": logging.CRITICAL + 9,
}
_LOG_LEVEL_META_KEY = "io.modelcontextprotocol/logLevel"
#: Loggers whose records reach MCP clients (prefix match) and the ones that never do.
_FORWARDED = ("condensync", "connectors")
_NOT_FORWARDED = ("condensync.http", "condensync.server", "condensync.auth", "condensync.metrics", "condensync.health")
#: Share of the 0–100 progress scale per stage of analyze_performance_history (reading the
#: file dominates large calls, then the vectorised analysis, then the series file and chart).
STAGE_WEIGHTS: dict[str, float] = {"read": 40.0, "analyse": 40.0, "write": 15.0, "chart": 5.0}
_STAGE_LABELS = {"read": "reading", "analyse": "analysing", "write": "writing series", "chart": "drawing chart"}

_current: contextvars.ContextVar[CallNotifier | None] = contextvars.ContextVar("condensync_mcp_call", default=None)


def _python_level(mcp_level: str | None) -> int | None:
    return MCP_LEVELS.get(str(mcp_level)) if mcp_level else None


class SessionLevels:
    """The ``logging/setLevel`` choice of each connection (weakly keyed: a closed
    connection's entry goes with it)."""

    def __init__(self) -> None:
        self._levels: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()

    @staticmethod
    def _key(ctx: Any) -> Any:
        # the connection object behind this request (per stdio process / per HTTP session);
        # the SDK exposes it only on its ServerSession proxy
        return getattr(ctx.session, "_connection", None) or ctx.session

    def set(self, ctx: Any, mcp_level: str) -> None:
        key = self._key(ctx)
        self._levels[key] = MCP_LEVELS[mcp_level]
        if hasattr(key, "notify"):  # a connection with a standalone channel: background records too
            import asyncio

            _listeners[key] = (MCP_LEVELS[mcp_level], asyncio.get_running_loop())

    def level_for(self, ctx: Any) -> int | None:
        """The lowest Python level to forward for this request, or None for none."""
        from mcp_types.version import MODERN_PROTOCOL_VERSIONS

        requested = (ctx.meta or {}).get(_LOG_LEVEL_META_KEY)
        if requested is not None or getattr(ctx, "protocol_version", None) in MODERN_PROTOCOL_VERSIONS:
            # the 2026-07-28 per-request opt-in; also honoured on older versions, where it is the
            # only way to get logs over stateless HTTP (no session keeps a logging/setLevel choice)
            return _python_level(requested)
        try:
            return self._levels.get(self._key(ctx))
        except TypeError:  # not weak-referenceable
            return None


def _level_name(levelno: int) -> str:
    name = "debug"
    for mcp_name, py_level in MCP_LEVELS.items():
        if levelno >= py_level:
            name = mcp_name
    return name


@dataclass
class CallNotifier:
    """Sends the notifications of one ``tools/call`` (see module docstring). Thread-safe:
    the tool runs in a worker thread and reports through :meth:`log` / :meth:`stage`."""

    ctx: Any
    tool: str
    log_level: int | None
    started: float = field(default_factory=time.monotonic)
    _last_progress: float = -1.0
    _staged: bool = False
    _stage_done: dict[str, float] = field(default_factory=dict)
    _stages_logged: set[str] = field(default_factory=set)
    _last_sent_at: float = field(default_factory=time.monotonic)
    _pending: list[tuple[str, Any, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ---------------------------------------------------------------- sending
    def _send_from_thread(self, fn: Callable[..., Any], *args: Any) -> bool:
        """Run the async sender from the tool's worker thread; False on the event loop."""
        try:
            anyio.from_thread.run(fn, *args)
            return True
        except RuntimeError:  # not in a worker thread started by anyio: caller buffers
            return False
        except Exception:  # a closed stream must not fail the calculation
            return True

    async def _send_log(self, level: str, data: Any, logger: str) -> None:
        notification = types.LoggingMessageNotification(
            params=types.LoggingMessageNotificationParams(level=level, data=data, logger=logger)
        )
        await self.ctx.session.send_notification(notification, related_request_id=self.ctx.request_id)

    async def _send_progress(self, progress: float, total: float | None, message: str) -> None:
        await self.ctx.session.report_progress(progress, total, message)

    def log(self, levelno: int, logger: str, message: str) -> None:
        if self.log_level is None or levelno < self.log_level:
            return
        level = _level_name(levelno)
        if not self._send_from_thread(self._send_log, level, message, logger):
            with self._lock:
                self._pending.append((level, message, logger))

    async def flush(self, warnings: list[str] | None = None) -> None:
        """After the call: what was logged on the event loop, then the result's warnings."""
        with self._lock:
            pending, self._pending = self._pending, []
        if self.log_level is not None and warnings and self.log_level <= logging.WARNING:
            pending += [("warning", w, f"condensync.tools.{self.tool}") for w in warnings]
        for level, data, logger in pending:
            try:
                await self._send_log(level, data, logger)
            except Exception:  # noqa: BLE001 - the client went away
                return

    # ---------------------------------------------------------------- progress
    def _progress(self, value: float, total: float | None, message: str, *, force: bool = False) -> None:
        with self._lock:
            now = time.monotonic()
            if value <= self._last_progress or (
                not force and now - self._last_sent_at < 0.2 and value - self._last_progress < 5.0
            ):
                return
            self._last_progress = value
            self._last_sent_at = now
        self._send_from_thread(self._send_progress, round(value, 3), total, message)

    def stage(self, stage: str, done: int, total: int) -> None:
        """The tool's stage callback (``services["progress"]``)."""
        if total <= 0:
            return
        self._staged = True
        self._stage_done[stage] = min(1.0, done / total)
        value = sum(STAGE_WEIGHTS.get(s, 0.0) * f for s, f in self._stage_done.items())
        label = _STAGE_LABELS.get(stage, stage)
        if done >= total and stage not in self._stages_logged:
            self._stages_logged.add(stage)
            self.log(logging.INFO, f"condensync.tools.{self.tool}", f"{label} done: {done}/{total}")
        self._progress(min(value, 99.9), 100.0, f"{self.tool}: {label} {done}/{total}", force=done >= total)

    async def heartbeat(self) -> None:
        """A notification after every second without one: elapsed seconds (no total) for calls
        without stage callbacks; for staged calls, between stages (e.g. the trend fits and the
        chart after the series file), a fifth of the way from the last value to 99, so the
        value still only increases and never claims completion."""
        while True:
            await anyio.sleep(1.0)
            elapsed = round(time.monotonic() - self.started)
            with self._lock:
                if time.monotonic() - self._last_sent_at < 1.0:
                    continue
                if self._staged:
                    value, total = round(self._last_progress + (99.0 - self._last_progress) * 0.2, 3), 100.0
                    message = f"{self.tool}: working, {elapsed} s"
                else:
                    value, total, message = float(elapsed), None, f"{self.tool}: running, {elapsed} s"
                if value <= self._last_progress:
                    continue
                self._last_progress = value
                self._last_sent_at = time.monotonic()
            try:
                await self._send_progress(value, total, message)
            except Exception:  # noqa: BLE001 - the client went away
                return

    # ---------------------------------------------------------------- context
    def activate(self) -> contextvars.Token:
        return _current.set(self)

    @staticmethod
    def deactivate(token: contextvars.Token) -> None:
        _current.reset(token)


#: Connections whose session chose a level with logging/setLevel → (level, their event loop):
#: records logged outside any call (the connector thread's reconnects and breaker changes, the
#: subscription watcher) go to them on the connection's standalone channel (stdio; the
#: stateless HTTP service has none, and 2026-07-28 forbids it: the SDK drops them there).
_listeners: weakref.WeakKeyDictionary[Any, tuple[int, Any]] = weakref.WeakKeyDictionary()


def _broadcast(record: logging.LogRecord) -> None:
    import asyncio

    params = {"level": _level_name(record.levelno), "data": record.getMessage(), "logger": record.name}
    for connection, (level, loop) in list(_listeners.items()):
        if record.levelno < level or loop.is_closed():
            continue
        try:
            asyncio.run_coroutine_threadsafe(connection.notify("notifications/message", params), loop)
        except RuntimeError:  # the loop is shutting down
            continue


#: The notifier of calls that send nothing (no log level chosen, run on the event loop): their
#: records are dropped, as a :class:`CallNotifier` without a level drops them, and never reach
#: other sessions' standalone channels.
SILENT = CallNotifier(ctx=None, tool="", log_level=None)


def forwards_record_of(handler: logging.Handler, logger_name: str) -> bool:
    """Whether ``handler`` may write a record of ``logger_name`` (the bridge never forwards
    transport, auth and access-log records; any other handler may)."""
    return not (isinstance(handler, _BridgeHandler) and logger_name.startswith(_NOT_FORWARDED))


class _BridgeHandler(logging.Handler):
    """Forwards records of our loggers to the call running in this context, or, outside any
    call, to the sessions listening on their standalone channel."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(_NOT_FORWARDED):
            return
        notifier = _current.get()
        try:
            if notifier is not None:
                notifier.log(record.levelno, record.name, record.getMessage())
            elif _listeners:
                _broadcast(record)
        except Exception:  # noqa: BLE001 - logging must never break a call
            self.handleError(record)


_installed: dict[str, Any] = {}


def install_log_bridge(min_level: int = logging.INFO) -> None:
    """Attach the bridge to the ``condensync`` and ``connectors`` loggers and let records from
    ``min_level`` reach it, without changing what goes to stderr: the stderr handlers of the
    root logger get the root's current level as their own threshold."""
    root = logging.getLogger()
    threshold = root.getEffectiveLevel()
    for handler in root.handlers:
        if handler.level == logging.NOTSET:
            handler.setLevel(threshold)
    for name in _FORWARDED:
        lg = logging.getLogger(name)
        if "bridge" not in _installed:
            lg.addHandler(_installed.setdefault("handler", _BridgeHandler()))
        if lg.getEffectiveLevel() > min_level:
            lg.setLevel(min_level)
    _installed["bridge"] = True
