# SPDX-License-Identifier: MIT
"""Circuit breaker and the shared call wrapper (deterministic: fake clock, no sleeping)."""

from __future__ import annotations

import asyncio

import pytest

from connectors.resilience import AsyncCircuitBreaker, BreakerState, breaker_states, guarded_call
from connectors.settings import SCADA, BreakerSettings, RetrySettings
from connectors.types import CircuitOpenError, ConnectorError, ConnectorUnavailable, RequestRejectedError

pytestmark = pytest.mark.asyncio

FAST_RETRY = RetrySettings(attempts=3, backoff_initial_s=0.0, backoff_max_s=0.0, jitter_s=0.0)


class Flaky:
    """An operation that fails ``failures`` times with ``exc`` and then returns "ok"."""

    def __init__(self, failures: int = 0, exc: Exception | None = None) -> None:
        self.failures = failures
        self.exc = exc or ConnectorUnavailable("down", service="svc", endpoint="tcp://x")
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.exc
        return "ok"


def _breaker(fake_clock, **kw) -> AsyncCircuitBreaker:
    settings = BreakerSettings(fail_max=5, call_timeout_s=30, reset_timeout_s=60, success_threshold=3, **kw)
    return AsyncCircuitBreaker("scada-test", settings, endpoint="opc.tcp://plant:4840", clock=fake_clock)


async def _fail(breaker: AsyncCircuitBreaker, n: int) -> None:
    for _ in range(n):
        with pytest.raises(ConnectorUnavailable):
            await breaker.call(Flaky(1))


async def test_opens_after_fail_max_and_fails_fast(fake_clock):
    breaker = _breaker(fake_clock)
    await _fail(breaker, 4)
    assert breaker.state is BreakerState.CLOSED and breaker.failure_count == 4
    await _fail(breaker, 1)
    assert breaker.state is BreakerState.OPEN

    op = Flaky()
    with pytest.raises(CircuitOpenError) as err:
        await breaker.call(op)
    assert op.calls == 0  # refused without running the operation (no network I/O)
    msg = str(err.value)
    assert "scada-test" in msg and "opc.tcp://plant:4840" in msg and "60.0 s" in msg
    assert err.value.half_open_in_s == pytest.approx(60.0)


async def test_half_open_needs_three_successes_to_close(fake_clock):
    breaker = _breaker(fake_clock)
    await _fail(breaker, 5)
    fake_clock.advance(59.9)
    assert breaker.state is BreakerState.OPEN
    fake_clock.advance(0.2)
    assert breaker.state is BreakerState.HALF_OPEN
    for expected in (1, 2):
        assert await breaker.call(Flaky()) == "ok"
        assert breaker.state is BreakerState.HALF_OPEN
        assert breaker.snapshot()["half_open_successes"] == expected
    assert await breaker.call(Flaky()) == "ok"
    assert breaker.state is BreakerState.CLOSED and breaker.failure_count == 0


async def test_successes_reported_without_a_call_close_a_half_open_breaker(fake_clock):
    """Values served from a live subscription prove the service works (record_success)."""
    breaker = _breaker(fake_clock)
    await _fail(breaker, 5)
    breaker.record_success()  # while open: ignored, the reset timeout runs
    assert breaker.state is BreakerState.OPEN
    fake_clock.advance(60.1)
    breaker.record_success()
    breaker.record_success()
    assert breaker.state is BreakerState.HALF_OPEN and breaker.snapshot()["half_open_successes"] == 2
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED and breaker.failure_count == 0
    await _fail(breaker, 2)
    breaker.record_success()  # closed: resets the consecutive-failure count
    assert breaker.failure_count == 0


async def test_half_open_failure_reopens(fake_clock):
    breaker = _breaker(fake_clock)
    await _fail(breaker, 5)
    fake_clock.advance(61)
    await breaker.call(Flaky())
    await _fail(breaker, 1)
    assert breaker.state is BreakerState.OPEN
    assert breaker.snapshot()["half_open_in_s"] == pytest.approx(60.0)


async def test_half_open_caps_concurrent_trial_calls(fake_clock):
    breaker = _breaker(fake_clock)
    await _fail(breaker, 5)
    fake_clock.advance(61)
    gate = asyncio.Event()

    async def slow() -> str:
        await gate.wait()
        return "ok"

    first = asyncio.create_task(breaker.call(slow))
    await asyncio.sleep(0)
    with pytest.raises(CircuitOpenError, match="trial call"):
        await breaker.call(Flaky())
    gate.set()
    assert await first == "ok"


async def test_rejected_requests_never_trip(fake_clock):
    breaker = _breaker(fake_clock)
    rejected = Flaky(100, RequestRejectedError("HTTP 404", service="svc"))
    for _ in range(10):
        with pytest.raises(RequestRejectedError):
            await breaker.call(rejected)
    assert breaker.state is BreakerState.CLOSED and breaker.failure_count == 0


async def test_retries_of_one_call_count_as_one_failure(fake_clock):
    breaker = _breaker(fake_clock)
    recovering = Flaky(2)
    assert await guarded_call(breaker, recovering, retry=FAST_RETRY, description="read") == "ok"
    assert recovering.calls == 3 and breaker.failure_count == 0

    down = Flaky(100)
    with pytest.raises(ConnectorUnavailable):
        await guarded_call(breaker, down, retry=FAST_RETRY, description="read")
    assert down.calls == 3 and breaker.failure_count == 1


async def test_no_retry_for_non_idempotent_or_non_transient(fake_clock):
    breaker = _breaker(fake_clock)
    post = Flaky(100)
    with pytest.raises(ConnectorUnavailable):
        await guarded_call(breaker, post, retry=None, description="create")
    assert post.calls == 1
    server_error = Flaky(100, ConnectorError("HTTP 500", service="svc"))
    with pytest.raises(ConnectorError):
        await guarded_call(breaker, server_error, retry=FAST_RETRY, description="read")
    assert server_error.calls == 1
    assert breaker.failure_count == 2


async def test_call_timeout_bounds_the_whole_call(fake_clock):
    settings = BreakerSettings(fail_max=5, call_timeout_s=0.2, reset_timeout_s=60)
    breaker = AsyncCircuitBreaker("slow-svc", settings, endpoint="http://x", clock=fake_clock)

    async def hang() -> None:
        await asyncio.sleep(10)

    loop = asyncio.get_running_loop()
    t0 = loop.time()
    with pytest.raises(ConnectorUnavailable, match="call timeout of 0.2 s"):
        await guarded_call(breaker, hang, retry=FAST_RETRY, description="read")
    assert loop.time() - t0 < 1.0
    assert breaker.failure_count == 1


async def test_breaker_states_registry(fake_clock):
    breaker = AsyncCircuitBreaker("registry-probe", SCADA, endpoint="opc.tcp://dcs:4840", clock=fake_clock)
    for _ in range(SCADA.fail_max):
        with pytest.raises(ConnectorUnavailable):
            await breaker.call(Flaky(1))
    states = {s["name"]: s for s in breaker_states()}
    state = states["registry-probe"]
    assert state["state"] == "open"
    assert state["failure_count"] == 5 and state["fail_max"] == 5
    assert state["reset_timeout_s"] == 60 and state["call_timeout_s"] == 30 and state["success_threshold"] == 3
    assert state["opened_at"] is not None and "down" in state["last_error"]
    assert set(state) >= {
        "name",
        "state",
        "failure_count",
        "fail_max",
        "reset_timeout_s",
        "call_timeout_s",
        "success_threshold",
        "opened_at",
        "last_error",
    }
