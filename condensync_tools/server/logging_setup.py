# SPDX-License-Identifier: MIT
"""Structured logs of the HTTP service: one JSON object per line on stderr.

Every record carries ``ts`` (RFC 3339 UTC), ``level``, ``logger``, ``msg`` and, inside an
HTTP request, ``request_id`` (from :data:`request_id_var`, set by the request middleware;
the same id goes into the ledger entry of every tool call the request makes). Extra fields
passed with ``extra={"fields": {...}}`` are merged into the object.

No secrets: the service never logs headers, query strings or tokens, and as a second line
of defence :func:`redact` masks anything shaped like a bearer credential (``Bearer …``,
``cst_…`` API tokens, JWTs) in every message and field before it is written.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from ..redaction import redact_text

__all__ = ["JsonFormatter", "configure_logging", "request_id_var", "redact", "log_event", "quiet_third_party"]

#: Third-party loggers and the least severe level shown unless the user asks for INFO/DEBUG:
#: alembic announces its plugins and each migration at INFO on every start; asyncua warns about
#: routine events (session timeout capped by the server, closing an already closed channel) and
#: pymodbus about every reconnect attempt, while our connector layer reports each real problem
#: itself (naming the connector, endpoint and tag).
THIRD_PARTY_LEVELS = {"alembic": logging.WARNING, "asyncua": logging.ERROR, "pymodbus": logging.ERROR}

#: Request id of the HTTP request being served (None outside a request).
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("condensync_request_id", default=None)


def redact(text: str) -> str:
    """``text`` with anything shaped like a credential replaced by ``[REDACTED]``
    (:func:`condensync_tools.redaction.redact_text`)."""
    return redact_text(text)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if value is None or isinstance(value, (int, float, bool)):
        return value
    return redact(repr(value))


class JsonFormatter(logging.Formatter):
    """One JSON object per record (see module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        msg = record.getMessage()
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        parsed = None
        if msg.startswith("{") and msg.endswith("}"):
            try:  # the tool adapter logs JSON objects as messages: merge them
                parsed = json.loads(msg)
            except ValueError:
                parsed = None
        if isinstance(parsed, dict):
            out.update({k: v for k, v in parsed.items() if k not in out})
        else:
            out["msg"] = msg
        rid = getattr(record, "request_id", None) or request_id_var.get()
        if rid and "request_id" not in out:
            out["request_id"] = rid
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            out.update({k: v for k, v in fields.items() if k not in ("ts", "level", "logger")})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(_clean(out), ensure_ascii=False, default=str)


def configure_logging(level: str | int = "INFO") -> None:
    """Send every log record (ours, uvicorn's, the SDK's) to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else getattr(logging, str(level).upper(), logging.INFO))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers.clear()
        lg.propagate = True
    # httpx (connectors) logs full URLs at INFO; the SDK logs every stateless request's
    # transport teardown at INFO: keep both at WARNING
    for name in ("httpx", "httpx2", "mcp.server.streamable_http", "mcp.server.streamable_http_manager"):
        logging.getLogger(name).setLevel(logging.WARNING)
    quiet_third_party(logging.WARNING if root.level >= logging.INFO else root.level)


def quiet_third_party(requested: int) -> None:
    """Keep the third-party loggers of :data:`THIRD_PARTY_LEVELS` at their level unless the user
    asked for DEBUG (``requested`` = the level the user chose; INFO keeps them quiet too,
    since INFO is the service's normal level)."""
    for name, level in THIRD_PARTY_LEVELS.items():
        logging.getLogger(name).setLevel(level if requested > logging.DEBUG else logging.DEBUG)


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log a structured event: ``{"event": event, **fields}``."""
    if logger.isEnabledFor(level):
        logger.log(level, event, extra={"fields": {"event": event, **fields}})
