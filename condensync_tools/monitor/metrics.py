# SPDX-License-Identifier: MIT
"""Prometheus series of the monitor (in the HTTP service's registry inside ``serve``, else in
their own registry served by ``condensync monitor --metrics-port``):

``condensync_monitor_runs_total{condenser_id,outcome}``          runs by outcome: ok, error, timeout
``condensync_monitor_runs_skipped_total{condenser_id}``          ticks skipped: previous run still going
``condensync_monitor_run_duration_seconds{condenser_id}``        histogram of run durations
``condensync_monitor_last_success_timestamp_seconds{condenser_id}`` epoch of the last successful run
``condensync_alerts_firing{rule,condenser_id}``                  1 while the alert fires
``condensync_alert_events_total{rule,condenser_id,action}``      trigger / resolve events
``condensync_notifications_total{destination,outcome}``          delivered, failed (retried), rejected
``condensync_outbox_pending{destination}``                       notifications waiting for delivery

Labels carry destination *names*, never URLs or keys.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["MonitorMetrics"]

_RUN_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


class MonitorMetrics:
    """The monitor's series in ``registry`` (a new one when None)."""

    def __init__(self, registry: Any = None) -> None:
        r = registry if registry is not None else CollectorRegistry(auto_describe=True)
        self.registry = r
        self.runs = Counter(
            "condensync_monitor_runs_total", "Monitor runs by outcome", ["condenser_id", "outcome"], registry=r
        )
        self.skipped = Counter(
            "condensync_monitor_runs_skipped_total",
            "Ticks skipped (previous run still going)",
            ["condenser_id"],
            registry=r,
        )
        self.duration = Histogram(
            "condensync_monitor_run_duration_seconds",
            "Monitor run duration",
            ["condenser_id"],
            buckets=_RUN_BUCKETS,
            registry=r,
        )
        self.last_success = Gauge(
            "condensync_monitor_last_success_timestamp_seconds",
            "Time of the last successful monitor run (epoch)",
            ["condenser_id"],
            registry=r,
        )
        self.firing = Gauge("condensync_alerts_firing", "1 while the alert fires", ["rule", "condenser_id"], registry=r)
        self.events = Counter(
            "condensync_alert_events_total", "Alert events", ["rule", "condenser_id", "action"], registry=r
        )
        self.notifications = Counter(
            "condensync_notifications_total",
            "Notification delivery attempts by outcome",
            ["destination", "outcome"],
            registry=r,
        )
        self.pending = Gauge(
            "condensync_outbox_pending", "Notifications waiting for delivery", ["destination"], registry=r
        )
