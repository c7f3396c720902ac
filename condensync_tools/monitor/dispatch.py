# SPDX-License-Identifier: MIT
"""Notification dispatch: outbox in, destinations out, every attempt in the audit ledger.

:meth:`Dispatcher.enqueue` persists a notification for each destination before anything is
sent; :meth:`Dispatcher.deliver_pending` sends each destination's due items oldest first and
stops at the first failure (order kept, back-off in the outbox). Outcomes:

- delivered: the row leaves the pending set; ledger ``monitor.delivery`` entry (success);
- failed (receiver down, timeout, HTTP 429/5xx, breaker open): the row stays pending with its
  error and next attempt time; ledger entry with ``is_error`` and the masked error;
- rejected (HTTP 4xx, MQTT login refused): the row is kept as ``rejected`` and reported until
  an operator fixes the destination (``Outbox.retry_rejected``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .metrics import MonitorMetrics
from .outbox import Outbox, OutboxItem

__all__ = ["Dispatcher", "MONITOR_VERSION", "outbox_status", "epoch_rfc3339"]

log = logging.getLogger("condensync.monitor")

#: Version string of the monitor's ledger records (``monitor.alert``, ``monitor.delivery``).
MONITOR_VERSION = "1.0.0"


def epoch_rfc3339(epoch: float) -> str:
    """RFC 3339 UTC time of an epoch, to the second (``2026-12-07T02:18:47Z``)."""
    from ..store.history import rfc3339

    return rfc3339(datetime.fromtimestamp(int(epoch), UTC))


class Dispatcher:
    """Delivers notifications through ``senders`` (name → :mod:`connectors.notify` sender).

    Parameters
    ----------
    senders : dict
    outbox : Outbox
    metrics : MonitorMetrics
    store : Store or None
        Audit ledger for the delivery records (None: not recorded).
    wall : callable
        Epoch clock [s].
    """

    def __init__(
        self,
        senders: dict[str, Any],
        outbox: Outbox,
        metrics: MonitorMetrics,
        store: Any = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.senders = senders
        self.outbox = outbox
        self.metrics = metrics
        self.store = store
        self.wall = wall
        self.last: dict[str, dict[str, str]] = {n: {"last_error": "", "last_delivery_at": ""} for n in senders}

    async def enqueue(self, note: dict[str, Any], destinations: list[str] | None = None) -> list[int]:
        """Persist ``note`` for each destination (all when ``destinations`` is empty)."""
        now = self.wall()
        return [
            await asyncio.to_thread(self.outbox.add, name, note["dedup_key"], note["action"], note, now)
            for name in (destinations or list(self.senders))
        ]

    def _record(self, name: str, item: OutboxItem, error: str | None, outcome: str) -> None:
        if self.store is None:
            return
        from ..store import CallRecord

        sender = self.senders[name]
        self.store.append_call(
            CallRecord(
                tool="monitor.delivery",
                tool_version=MONITOR_VERSION,
                caller="monitor",
                arguments={
                    "destination": name,
                    "kind": sender.kind,
                    "endpoint": sender.endpoint,
                    "outbox_id": item.id,
                    "attempt": item.attempts + 1,
                    "dedup_key": item.dedup_key,
                    "action": item.action,
                },
                result=None
                if error
                else {"outcome": outcome, "analysis_provenance_hash": item.body.get("analysis_provenance_hash")},
                error=error,
                is_error=error is not None,
            )
        )

    async def _deliver_one(self, name: str, item: OutboxItem) -> bool:
        from connectors.types import ConnectorError, RequestRejectedError

        try:
            await self.senders[name].send(item.body)
        except ConnectorError as exc:
            rejected = isinstance(exc, RequestRejectedError)
            outcome = "rejected" if rejected else "failed"
            await asyncio.to_thread(self.outbox.failed, item.id, exc.message, self.wall(), rejected=rejected)
            await asyncio.to_thread(self._record, name, item, exc.message, outcome)
            self.metrics.notifications.labels(name, outcome).inc()
            self.last[name]["last_error"] = exc.message
            log.warning(
                "alert delivery to %s %s (outbox id %d, attempt %d): %s",
                name,
                outcome,
                item.id,
                item.attempts + 1,
                exc.message,
            )
            return False
        await asyncio.to_thread(self.outbox.delivered, item.id, self.wall())
        await asyncio.to_thread(self._record, name, item, None, "delivered")
        self.metrics.notifications.labels(name, "delivered").inc()
        self.last[name].update(last_error="", last_delivery_at=epoch_rfc3339(self.wall()))
        return True

    async def _deliver_destination(self, name: str) -> int:
        delivered = 0
        for item in await asyncio.to_thread(self.outbox.due, name, self.wall()):
            if not await self._deliver_one(name, item):
                break  # keep the order: nothing later overtakes this item
            delivered += 1
        return delivered

    async def deliver_pending(self) -> int:
        """Send every destination's due items in order (destinations concurrently, so a slow
        one does not hold up the others); returns how many were delivered."""
        delivered = sum(await asyncio.gather(*(self._deliver_destination(n) for n in self.senders)))
        counts = await asyncio.to_thread(self.outbox.counts)
        for name in self.senders:
            self.metrics.pending.labels(name).set(counts.get(name, {}).get("pending", 0))
        return delivered

    def status(self) -> list[dict[str, Any]]:
        """Per destination: kind, masked endpoint, breaker, pending/rejected/delivered, last error."""
        counts = self.outbox.counts()
        out = []
        for name, sender in self.senders.items():
            n = counts.get(name, {})
            out.append(
                {
                    "name": name,
                    "kind": sender.kind,
                    "endpoint": sender.endpoint,
                    "breaker_state": sender.breaker.state.value,
                    "pending": n.get("pending", 0),
                    "rejected": n.get("rejected", 0),
                    "delivered": n.get("delivered", 0),
                    **self.last[name],
                }
            )
        return out

    async def aclose(self) -> None:
        for sender in self.senders.values():
            await sender.aclose()


def outbox_status(config: Any) -> list[dict[str, Any]]:
    """Destinations of a plant configuration with the counts of its outbox file, for a process
    that does not run the monitor itself (breaker state ``unknown``); [] without ``[alerts]``."""
    from connectors.notify_settings import destination_endpoint

    from .outbox import default_outbox_path

    alerts = getattr(config, "alerts", None)
    if alerts is None or not alerts.destinations:
        return []
    monitor = getattr(config, "monitor", None)
    path = (monitor.outbox_path if monitor is not None else None) or default_outbox_path()
    counts: dict[str, dict[str, int]] = {}
    errors: dict[str, str] = {}
    if path.is_file():
        outbox = Outbox(path)
        try:
            counts = outbox.counts()
            for item in outbox.items():
                if item.state != "delivered" and item.last_error:
                    errors[item.destination] = item.last_error
        finally:
            outbox.close()
    return [
        {
            "name": name,
            "kind": dest.kind,
            "endpoint": destination_endpoint(dest),
            "breaker_state": "unknown",
            "pending": counts.get(name, {}).get("pending", 0),
            "rejected": counts.get(name, {}).get("rejected", 0),
            "delivered": counts.get(name, {}).get("delivered", 0),
            "last_error": errors.get(name, ""),
            "last_delivery_at": "",
        }
        for name, dest in alerts.destinations.items()
    ]
