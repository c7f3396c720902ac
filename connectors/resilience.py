# SPDX-License-Identifier: MIT
"""Circuit breaker, timeout and retry: the one wrapper every connector call goes through.

Order, outermost first: **breaker → timeout → retry**.

- The breaker refuses calls while open (no network I/O at all) and counts one failure per
  *logical* call, so the retries inside one call never trip it early.
- The timeout (``BreakerSettings.call_timeout_s``) bounds the whole logical call including
  its retries and back-off waits.
- Retries (tenacity, exponential back-off with jitter) apply to idempotent reads only and
  only to :class:`~connectors.types.ConnectorUnavailable` (refused connection, timeout,
  HTTP 429/502/503/504). Anything else, and every non-idempotent call (a work-order create),
  runs once.

A :class:`~connectors.types.RequestRejectedError` (HTTP 4xx, an OPC UA "bad node id") proves
the service is up: it is neither retried nor counted as a breaker failure.

Breaker states are visible through :func:`breaker_states`, a module-level registry of every
live breaker, for the ``status`` tool and ``condensync status``.

Notes
-----
An in-house breaker rather than pybreaker: pybreaker's ``call_async`` needs Tornado, it
does not cap concurrent half-open trial calls, and it has no injectable clock.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from .settings import BreakerSettings, RetrySettings
from .types import CircuitOpenError, ConnectorUnavailable, RequestRejectedError, utcnow

__all__ = ["BreakerState", "AsyncCircuitBreaker", "guarded_call", "breaker_states"]

log = logging.getLogger(__name__)
T = TypeVar("T")

_REGISTRY: weakref.WeakSet[AsyncCircuitBreaker] = weakref.WeakSet()


class BreakerState(str, Enum):
    """Circuit-breaker state."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class AsyncCircuitBreaker:
    """Circuit breaker for one service, safe for concurrent asyncio tasks.

    closed → open after ``fail_max`` consecutive failed calls; open → half-open once
    ``reset_timeout_s`` has passed; half-open → closed after ``success_threshold`` successful
    trial calls (at most ``half_open_max_calls`` in flight) or successes reported by
    :meth:`record_success` (values served from a live subscription), half-open → open on any
    failure.

    Parameters
    ----------
    name : str
        Service name (shown in errors and :func:`breaker_states`).
    settings : BreakerSettings
        Thresholds and timeouts.
    endpoint : str
        Endpoint for error messages.
    clock : callable returning float, optional
        Monotonic clock [s], default :func:`time.monotonic`; inject a fake one for
        deterministic tests.
    """

    def __init__(
        self,
        name: str,
        settings: BreakerSettings,
        *,
        endpoint: str = "",
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self.endpoint = endpoint
        self._clock = clock or time.monotonic
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._successes = 0
        self._probes = 0
        self._opened_mono: float | None = None
        self.opened_at: datetime | None = None
        self.last_error: str | None = None
        _REGISTRY.add(self)

    # ---- state -------------------------------------------------------------------------

    @property
    def state(self) -> BreakerState:
        """Current state; an open breaker whose reset timeout has passed reports half-open."""
        if self._state is BreakerState.OPEN and self._half_open_in() <= 0:
            self._state = BreakerState.HALF_OPEN
            self._successes = 0
            log.info("circuit breaker '%s' half-open: letting trial calls through", self.name)
        return self._state

    @property
    def failure_count(self) -> int:
        """Consecutive failures counted while closed [-]."""
        return self._failures

    def _half_open_in(self) -> float:
        if self._opened_mono is None:
            return 0.0
        return max(0.0, self._opened_mono + self.settings.reset_timeout_s - self._clock())

    def snapshot(self) -> dict[str, Any]:
        """State as a JSON-ready dict (see :func:`breaker_states`)."""
        state = self.state
        return {
            "name": self.name,
            "endpoint": self.endpoint,
            "state": state.value,
            "failure_count": self._failures,
            "fail_max": self.settings.fail_max,
            "reset_timeout_s": self.settings.reset_timeout_s,
            "call_timeout_s": self.settings.call_timeout_s,
            "success_threshold": self.settings.success_threshold,
            "half_open_successes": self._successes if state is BreakerState.HALF_OPEN else 0,
            "half_open_in_s": round(self._half_open_in(), 3) if state is BreakerState.OPEN else None,
            "opened_at": self.opened_at.isoformat() if self.opened_at else None,
            "last_error": self.last_error,
        }

    # ---- transitions -------------------------------------------------------------------

    def _open(self) -> None:
        self._state = BreakerState.OPEN
        self._opened_mono = self._clock()
        self.opened_at = utcnow()
        self._successes = 0
        log.warning(
            "circuit breaker '%s' OPEN for %g s after %d failure(s); last error: %s",
            self.name,
            self.settings.reset_timeout_s,
            self._failures,
            self.last_error,
        )

    def _close(self) -> None:
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._successes = 0
        self._opened_mono = None
        self.opened_at = None
        log.info("circuit breaker '%s' closed: service healthy again", self.name)

    def _admit(self) -> bool:
        """Let a call through or raise :class:`CircuitOpenError`; True for a half-open trial."""
        state = self.state
        if state is BreakerState.CLOSED:
            return False
        if state is BreakerState.HALF_OPEN and self._probes < self.settings.half_open_max_calls:
            self._probes += 1
            return True
        if state is BreakerState.OPEN:
            wait = self._half_open_in()
            at = (utcnow() + timedelta(seconds=wait)).strftime("%H:%M:%S UTC")
            why = f"it will let a trial call through in {wait:.1f} s (at {at})"
        else:
            wait = 0.0
            why = f"{self._probes} trial call(s) already in progress"
        raise CircuitOpenError(
            f"Circuit breaker '{self.name}' is {state.value.replace('_', '-')} after repeated failures "
            f"of {self.endpoint or self.name} (last error: {self.last_error}); the call was refused "
            f"without contacting the service; {why}.",
            service=self.name,
            endpoint=self.endpoint,
            half_open_in_s=wait,
        )

    def _on_success(self, probe: bool) -> None:
        if self._state is BreakerState.CLOSED:
            self._failures = 0
        elif self._state is BreakerState.HALF_OPEN and probe:
            self._successes += 1
            if self._successes >= self.settings.success_threshold:
                self._close()

    def record_success(self) -> None:
        """Count evidence that the service works, obtained without a guarded call.

        A connector that serves values from a live subscription (the session is up and the
        server publishes) proves the service is healthy without sending a request; without
        this the breaker would stay half-open for as long as reads are served from the
        subscription cache. While half-open each call counts as one successful trial (no trial
        slot is taken: nothing is sent); while closed it resets the failure count; while open
        it is ignored (the reset timeout runs, then trials decide).
        """
        state = self.state
        if state is BreakerState.CLOSED:
            self._failures = 0
        elif state is BreakerState.HALF_OPEN:
            self._successes += 1
            if self._successes >= self.settings.success_threshold:
                self._close()

    def _on_failure(self, exc: BaseException) -> None:
        self.last_error = f"{type(exc).__name__}: {exc}"
        if self._state is BreakerState.CLOSED:
            self._failures += 1
            if self._failures >= self.settings.fail_max:
                self._open()
        elif self._state is BreakerState.HALF_OPEN:
            self._open()

    async def call(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run ``operation`` under the breaker.

        Raises
        ------
        CircuitOpenError
            When open (or half-open with the trial slots taken); ``operation`` is not run.
        """
        probe = self._admit()
        try:
            result = await operation()
        except RequestRejectedError:
            self._on_success(probe)  # the service answered: it is up
            raise
        except Exception as exc:
            self._on_failure(exc)
            raise
        finally:
            if probe:
                self._probes -= 1
        self._on_success(probe)
        return result


def breaker_states() -> list[dict[str, Any]]:
    """State of every live circuit breaker, sorted by name.

    Returns
    -------
    list of dict
        Keys: ``name``, ``endpoint``, ``state`` (``closed``/``open``/``half_open``),
        ``failure_count``, ``fail_max``, ``reset_timeout_s``, ``call_timeout_s``,
        ``success_threshold``, ``half_open_successes``, ``half_open_in_s``, ``opened_at``
        (ISO 8601 or None), ``last_error``.
    """
    return [b.snapshot() for b in sorted(_REGISTRY, key=lambda b: (b.name, b.endpoint))]


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    log.info("retrying after attempt %d failed: %s", state.attempt_number, exc)


async def guarded_call(
    breaker: AsyncCircuitBreaker,
    operation: Callable[[], Awaitable[T]],
    *,
    retry: RetrySettings | None,
    description: str,
) -> T:
    """Run one logical call: breaker → timeout → retry.

    Parameters
    ----------
    breaker : AsyncCircuitBreaker
        The service's breaker; its ``call_timeout_s`` bounds the whole call.
    operation : callable returning an awaitable
        One attempt. It must translate library errors into ``ConnectorUnavailable``
        (transient), ``RequestRejectedError`` or ``ConnectorError``.
    retry : RetrySettings or None
        Retry policy for idempotent operations; None runs the operation exactly once
        (use for anything that is not idempotent).
    description : str
        What the call does, for messages, e.g. ``"read 4 tags"``.

    Raises
    ------
    CircuitOpenError
        Breaker open; nothing was sent.
    ConnectorUnavailable
        Unreachable, or the call did not finish within ``call_timeout_s``.
    ConnectorError
        Any other failure reported by the operation.
    """
    call_timeout = breaker.settings.call_timeout_s

    async def attempts() -> T:
        if retry is None or retry.attempts <= 1:
            return await operation()
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(ConnectorUnavailable),
            stop=stop_after_attempt(retry.attempts),
            wait=wait_exponential_jitter(
                multiplier=retry.backoff_initial_s, max=retry.backoff_max_s, jitter=retry.jitter_s
            ),
            before_sleep=_log_retry,
            reraise=True,
        ):
            with attempt:
                return await operation()
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    async def bounded() -> T:
        try:
            async with asyncio.timeout(call_timeout) as scope:
                return await attempts()
        except TimeoutError:
            if not scope.expired():
                raise
            raise ConnectorUnavailable(
                f"{breaker.name} at {breaker.endpoint or '?'} did not complete '{description}' within "
                f"the call timeout of {call_timeout:g} s (breaker.call_timeout_s); the service is "
                "overloaded or unreachable.",
                service=breaker.name,
                endpoint=breaker.endpoint,
            ) from None

    return await breaker.call(bounded)
