# SPDX-License-Identifier: MIT
"""A deadline for receiving each HTTP request (slow-client / "slowloris" protection).

uvicorn 0.x (h11 protocol) offers ``timeout_keep_alive`` (idle time *between* requests),
``h11_max_incomplete_event_size`` (bytes of an unfinished request head, default 16 KiB) and
``limit_concurrency``, but no deadline for the request itself: a client that connects and
sends a request line and headers one byte at a time, or never finishes them, holds its
connection open for ever. :class:`DeadlineH11Protocol` adds that deadline: from a
connection's first moment, or from the first byte after a finished response, the request
line, headers and body must arrive within :data:`REQUEST_TIMEOUT_ENV` seconds (default 30);
otherwise the connection is closed. Time spent *computing* the answer does not count (the
deadline ends once the request has been received).
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.h11_impl import H11Protocol

from .. import settings as environment

__all__ = ["DeadlineH11Protocol", "REQUEST_TIMEOUT_ENV", "request_timeout_s"]

REQUEST_TIMEOUT_ENV = environment.HTTP_REQUEST_TIMEOUT_SECONDS.name


def request_timeout_s() -> float:
    """The request deadline [s] from the environment (default 30 s)."""
    value = float(environment.HTTP_REQUEST_TIMEOUT_SECONDS.text())
    if not value > 0:
        raise ValueError(f"{REQUEST_TIMEOUT_ENV} must be a positive number of seconds, got {value}")
    return value


class DeadlineH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a per-request receive deadline (see module docstring)."""

    timeout_s: float = 30.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._deadline: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm()

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.timeout_s, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _receiving(self) -> bool:
        """Whether a request is still being received (no request yet, or its body unfinished)."""
        cycle = self.cycle
        return cycle is None or cycle.response_complete or cycle.more_body

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._receiving():
            self._arm()
        else:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _expired(self) -> None:
        self._deadline = None
        if self._receiving() and not self.transport.is_closing():
            self.transport.close()
