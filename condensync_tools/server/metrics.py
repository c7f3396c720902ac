# SPDX-License-Identifier: MIT
"""Prometheus metrics of the HTTP service, served on their own port (``--metrics-port``,
default 9017) at ``/metrics``, unauthenticated (keep that port cluster-internal).

Each process has its own :class:`prometheus_client.CollectorRegistry` (no default-registry
globals, so tests can run several servers in one process). Series:

``condensync_tool_calls_total{tool}``                  calls answered (``tools/call``)
``condensync_tool_errors_total{tool,kind}``            isError results by error kind
                                                       (``permission_denied``, ``invalid_arguments``…)
``condensync_tool_call_duration_seconds{tool}``        histogram, whole call incl. ledger append
``condensync_ledger_append_duration_seconds``          histogram of ledger appends
``condensync_ledger_append_failures_total``            appends that raised (call not answered)
``condensync_http_requests_total{route,status}``       HTTP requests by route class and status
``condensync_http_request_duration_seconds{route}``    histogram
``condensync_auth_failures_total{reason}``             refused credentials (missing, unknown, expired…)
``condensync_ready{component}``                        1/0 as of the last readiness probe
``condensync_connector_up{condenser_id,service,kind}`` 1 when connected (live provider only)
``condensync_connector_staleness_seconds{…}``          age of the oldest cached value of a connector
``condensync_connector_stale_values{…}``               cached values older than their limit
``condensync_breaker_state{name,endpoint,state}``      1 for the breaker's current state
``condensync_breaker_failures{name,endpoint}``         consecutive failures counted
``condensync_build_info{version}``                     always 1

Tool names outside the registry are counted as ``tool="_unknown"`` so hostile names cannot
blow up the label space. Connector and breaker series are collected at scrape time
(``connectors.breaker_states()``, only when the connectors package is loaded; the live provider's ``status()`` has a
2 s budget).
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .. import __version__

__all__ = ["Metrics", "metrics_app"]

log = logging.getLogger("condensync.metrics")

_CALL_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_APPEND_BUCKETS = (0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0)


class _LiveCollector(Collector):
    """Connector status and circuit breakers, read at scrape time."""

    def __init__(self, live_getter: Callable[[], Any]) -> None:
        self._live_getter = live_getter

    def collect(self) -> Iterable[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "condensync_connector_up", "1 when the connector is connected", labels=["condenser_id", "service", "kind"]
        )
        stale_age = GaugeMetricFamily(
            "condensync_connector_staleness_seconds",
            "Age of the oldest cached value of the connector [s]",
            labels=["condenser_id", "service", "kind"],
        )
        stale_n = GaugeMetricFamily(
            "condensync_connector_stale_values",
            "Cached values older than their limit",
            labels=["condenser_id", "service", "kind"],
        )
        state = GaugeMetricFamily(
            "condensync_breaker_state",
            "1 for the circuit breaker's current state",
            labels=["name", "endpoint", "state"],
        )
        failures = GaugeMetricFamily(
            "condensync_breaker_failures", "Consecutive failures counted by the breaker", labels=["name", "endpoint"]
        )
        live = self._live_getter()
        breakers: list[dict[str, Any]] = []
        if live is not None and hasattr(live, "status"):
            try:
                status = live.status(timeout=2.0)
                breakers = list(status.get("breakers") or [])
                for c in status.get("connectors") or []:
                    labels = [str(c.get("condenser_id", "")), str(c.get("service", "")), str(c.get("kind", ""))]
                    connected = c.get("connected")
                    if connected is None:  # HTTP services: up unless the breaker is open
                        connected = (c.get("breaker") or {}).get("state") != "open"
                    up.add_metric(labels, 1.0 if connected else 0.0)
                    ages, limits = _ages(c)
                    if ages:
                        stale_age.add_metric(labels, max(ages.values()))
                        stale_n.add_metric(
                            labels,
                            float(sum(1 for n, a in ages.items() if limits.get(n) is not None and a > limits[n])),
                        )
            except Exception as exc:  # a scrape must not fail because a connector is stuck
                log.warning("connector status for metrics failed: %s", type(exc).__name__)
        else:
            # breakers exist only if the connectors package is in use in this process: never
            # import it (asyncua, pymodbus…) just to find none
            connectors = sys.modules.get("connectors")
            try:
                breakers = connectors.breaker_states() if connectors is not None else []
            except Exception:  # a broken connectors package must not break the scrape
                breakers = []
        for b in breakers:
            name, endpoint = str(b.get("name", "")), str(b.get("endpoint", ""))
            current = str(b.get("state", ""))
            for s in ("closed", "open", "half_open"):
                state.add_metric([name, endpoint, s], 1.0 if current == s else 0.0)
            failures.add_metric([name, endpoint], float(b.get("failure_count") or 0))
        return [up, stale_age, stale_n, state, failures]


def _ages(connector: dict[str, Any]) -> tuple[dict[str, float], dict[str, float]]:
    """Tag ages [s] and their limits from a connector status (shapes vary a little)."""
    tags = connector.get("tags") or {}
    limits = {k: float(v) for k, v in (connector.get("stale_limits_s") or {}).items() if v is not None}
    ages: dict[str, float] = {}
    items = tags.items() if isinstance(tags, dict) else ((t.get("name"), t) for t in tags if isinstance(t, dict))
    for name, v in items:
        age = v.get("age_s") if isinstance(v, dict) else v
        if isinstance(age, (int, float)):
            ages[str(name)] = float(age)
    return ages, limits


class Metrics:
    """The service's metrics in their own registry."""

    def __init__(self, live_getter: Callable[[], Any] | None = None, known_tools: Iterable[str] = ()) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.known_tools = frozenset(known_tools)
        self.calls = Counter("condensync_tool_calls_total", "Tool calls answered", ["tool"], registry=r)
        self.errors = Counter(
            "condensync_tool_errors_total", "Tool calls answered with isError", ["tool", "kind"], registry=r
        )
        self.call_seconds = Histogram(
            "condensync_tool_call_duration_seconds", "Tool call latency", ["tool"], buckets=_CALL_BUCKETS, registry=r
        )
        self.ledger_seconds = Histogram(
            "condensync_ledger_append_duration_seconds", "Ledger append latency", buckets=_APPEND_BUCKETS, registry=r
        )
        self.ledger_failures = Counter(
            "condensync_ledger_append_failures_total", "Ledger appends that failed", registry=r
        )
        self.http_requests = Counter("condensync_http_requests_total", "HTTP requests", ["route", "status"], registry=r)
        self.http_seconds = Histogram(
            "condensync_http_request_duration_seconds",
            "HTTP request latency",
            ["route"],
            buckets=_CALL_BUCKETS,
            registry=r,
        )
        self.auth_failures = Counter("condensync_auth_failures_total", "Refused credentials", ["reason"], registry=r)
        self.ready = Gauge("condensync_ready", "Readiness of a component at the last probe", ["component"], registry=r)
        info = Gauge("condensync_build_info", "Build information", ["version"], registry=r)
        info.labels(__version__).set(1)
        r.register(_LiveCollector(live_getter or (lambda: None)))

    def tool_label(self, name: str) -> str:
        return name if name in self.known_tools else "_unknown"

    def observe_call(self, tool: str, seconds: float, error_kind: str | None) -> None:
        label = self.tool_label(tool)
        self.calls.labels(label).inc()
        self.call_seconds.labels(label).observe(seconds)
        if error_kind:
            self.errors.labels(label, error_kind).inc()


def metrics_app(metrics: Metrics) -> Any:
    """ASGI app: ``GET /metrics`` (text exposition format 0.0.4), 404 elsewhere."""
    import anyio
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    async def scrape(request: Any) -> Response:
        # collection may call the live provider (blocking, bounded): keep it off the event loop
        body = await anyio.to_thread.run_sync(generate_latest, metrics.registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    async def root(request: Any) -> PlainTextResponse:
        return PlainTextResponse("CONDENSYNC metrics: GET /metrics\n")

    return Starlette(routes=[Route("/", root), Route("/metrics", scrape, methods=["GET"])])
