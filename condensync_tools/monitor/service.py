# SPDX-License-Identifier: MIT
"""The monitor: per configured condenser, on a schedule, the live combined analysis
(``analyze_condenser_performance``, ``data_source = "live"``) stored to the condenser history
and the audit ledger through the normal execution path; alert rules evaluated on the result
and on the connector status; notifications written to the outbox and delivered.

Scheduling: one asyncio task per condenser ticks every ``interval_s``. A tick whose previous
run is still going is skipped (counted in ``condensync_monitor_runs_skipped_total``), so runs
never pile up; each run is bounded by ``run_timeout_s`` (a run that overruns is counted as a
timeout and still blocks the next ticks until its worker thread returns, because a blocking
read cannot be killed). Connector outages are the connectors' business (circuit breakers):
the analysis then fails fast, analysis rules hold their state, and ``connector_down`` /
``stale_tag`` rules see the outage.

Every alert event and every delivery attempt is appended to the audit ledger (tools
``monitor.alert`` / ``monitor.delivery``, caller ``monitor``) with the provenance hash of the
analysis that raised the alert (``analysis_provenance_hash``); alert events also go to the
condenser history (``event_type = "alert"``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from connectors.notify import make_sender

from ..config import PlantConfig
from ..registry import CallOutcome, ExecutionContext, execute
from .dispatch import MONITOR_VERSION, Dispatcher, epoch_rfc3339
from .metrics import MonitorMetrics
from .outbox import Outbox, default_outbox_path
from .rules import AlertEvent, AlertState, RuleState, evaluate
from .settings import AlertRule, AlertsSettings, MonitorSettings
from .signals import observe, rule_spec

__all__ = ["Monitor", "MONITOR_VERSION", "ANALYSIS_TOOL"]

log = logging.getLogger("condensync.monitor")

ANALYSIS_TOOL = "analyze_condenser_performance"
#: Time a stopping monitor gives the delivery in progress (and one last pass) [s].
STOP_GRACE_S = 15.0


class Monitor:
    """Scheduled live analysis, alert rules and delivery for the condensers of ``config``.

    Parameters
    ----------
    config : PlantConfig
        Plant configuration; ``[monitor]`` and ``[alerts]`` optional.
    context : ExecutionContext
        Base context: ``live`` (required), ``recorder`` (ledger + history) and
        ``services["store"]`` (alert and delivery records) when the ledger is on.
    outbox : Outbox, optional
        Default: the file of ``[monitor] outbox_path`` or :func:`default_outbox_path`.
    registry : prometheus_client.CollectorRegistry, optional
        Where the monitor's metrics go (the service's registry inside ``serve``).
    clock, wall : callable
        Monotonic clock of the schedule and run durations, and the epoch clock of the rules
        (their states persist in the outbox file across restarts) and records [s].
    """

    def __init__(
        self,
        config: PlantConfig,
        context: ExecutionContext,
        *,
        outbox: Outbox | None = None,
        registry: Any = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if context.live is None:
            raise ValueError(
                "the monitor needs live connectors: no condenser of the plant configuration has an "
                "[condensers.<id>.opcua], modbus or historian table"
            )
        self.config = config
        self.context = context
        self.settings: MonitorSettings = config.monitor or MonitorSettings()
        self.alerts: AlertsSettings = config.alerts or AlertsSettings()
        self.condensers = list(self.settings.condensers) or [c for c, v in config.condensers.items() if v.connectors]
        self.clock, self.wall = clock, wall
        self.outbox = outbox or Outbox(
            self.settings.outbox_path or default_outbox_path(),
            self.settings.retry_interval_s,
            self.settings.max_retry_delay_s,
        )
        self.metrics = MonitorMetrics(registry)
        senders = {name: make_sender(name, dest) for name, dest in self.alerts.destinations.items()}
        self.dispatcher = Dispatcher(senders, self.outbox, self.metrics, context.services.get("store"), wall)
        rules = {(r.name, c) for r in self.alerts.rules for c in self.condensers}
        self.states: dict[tuple[str, str], RuleState] = {
            key: RuleState.from_dict(v) for key, v in self.outbox.load_states().items() if key in rules
        }
        self.down_since: dict[tuple[str, str], float] = {}
        self.running: set[str] = set()
        self.runs: dict[str, dict[str, Any]] = {
            c: {"runs": 0, "ok": 0, "errors": 0, "timeouts": 0, "skipped": 0} for c in self.condensers
        }
        self.started = False
        self._executor = ThreadPoolExecutor(max_workers=len(self.condensers) + 2, thread_name_prefix="monitor")
        self._tasks: set[asyncio.Task] = set()
        self._critical: set[asyncio.Future] = set()
        self._kick: asyncio.Event | None = None
        self._stopping = False

    # ------------------------------------------------------------------ running
    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Run until ``stop`` is set (or the task is cancelled)."""
        self._kick = asyncio.Event()
        self._stopping = False
        self.started = True
        loops = [asyncio.create_task(self._schedule(c), name=f"monitor:{c}") for c in self.condensers]
        delivery = asyncio.create_task(self._delivery_loop(), name="monitor:delivery")
        log.info(
            "monitor started: %d condenser(s) every %g s, %d rule(s), %d destination(s)",
            len(self.condensers),
            self.settings.interval_s,
            len(self.alerts.rules),
            len(self.dispatcher.senders),
        )
        try:
            await (stop.wait() if stop is not None else asyncio.Future())
        finally:
            self.started = False
            for task in loops + list(self._tasks):
                task.cancel()
            if self._critical:  # alert records and outbox writes in progress: let them finish
                await asyncio.wait(set(self._critical), timeout=STOP_GRACE_S)
            await self._stop_delivery(delivery)
            await asyncio.gather(*loops, *self._tasks, return_exceptions=True)

    async def _stop_delivery(self, delivery: asyncio.Task) -> None:
        """Let the delivery loop finish its current pass and one last one (bounded), so a
        notification the receiver accepted is also marked delivered and recorded."""
        self._stopping = True
        if self._kick is not None:
            self._kick.set()
        try:
            await asyncio.wait_for(asyncio.shield(delivery), STOP_GRACE_S)
        except (TimeoutError, asyncio.CancelledError):
            delivery.cancel()

    async def aclose(self) -> None:
        await self.dispatcher.aclose()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self.outbox.close()

    async def _schedule(self, cid: str) -> None:
        next_at = self.clock()
        while True:
            if cid in self.running:
                self.runs[cid]["skipped"] += 1
                self.metrics.skipped.labels(cid).inc()
                log.warning("monitor: run of %s skipped, the previous run is still going", cid)
            else:
                task = asyncio.create_task(self.run_once(cid))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            next_at = max(next_at + self.settings.interval_s, self.clock())
            await asyncio.sleep(next_at - self.clock())

    async def _delivery_loop(self) -> None:
        assert self._kick is not None
        while True:
            await self.deliver_pending()
            if self._stopping:
                return
            await asyncio.to_thread(self.outbox.prune_delivered, self.wall() - self.settings.keep_delivered_s)
            try:
                await asyncio.wait_for(self._kick.wait(), self.settings.retry_interval_s)
            except TimeoutError:
                pass
            self._kick.clear()

    # ------------------------------------------------------------------ one run
    def _analyse(self, cid: str) -> CallOutcome:
        base = self.context
        ctx = ExecutionContext(
            design=self.config, live=base.live, recorder=base.recorder, caller="monitor", services=base.services
        )
        args = {"condenser_id": cid, "data_source": "live", "unit_system": self.config.condensers[cid].unit_system}
        return execute(ANALYSIS_TOOL, args, ctx)

    def _connector_items(self, cid: str) -> list[dict[str, Any]] | None:
        from ..tools.status import normalise_status

        try:
            raw = self.context.live.status(cid, timeout=min(10.0, self.settings.run_timeout))
        except Exception as exc:  # status is diagnostics: its failure must not stop the run
            log.warning("monitor: connector status of %s unavailable: %s", cid, type(exc).__name__)
            return None
        items = []
        for status in raw.get("connectors") or []:
            item = normalise_status(status)
            connected = status.get("connected")
            if connected is None:  # HTTP services: up unless the breaker is open
                connected = (status.get("breaker") or {}).get("state") != "open"
            item["down"] = bool(item["started"]) and (not connected or item["breaker_state"] == "open")
            items.append(item)
        return items

    async def run_once(self, cid: str) -> dict[str, Any]:
        """One scheduled run for ``cid``: analysis (bounded), rules, records, notifications.
        Returns a short report (also kept for :meth:`status`)."""
        loop = asyncio.get_running_loop()
        self.running.add(cid)
        started = self.clock()
        future = loop.run_in_executor(self._executor, self._analyse, cid)
        future.add_done_callback(lambda _f: self.running.discard(cid))
        outcome: CallOutcome | None = None
        try:
            outcome = await asyncio.wait_for(asyncio.shield(future), self.settings.run_timeout)
            label = "ok" if outcome.ok else "error"
            error = "" if outcome.ok else outcome.error.text()  # type: ignore[union-attr]
        except TimeoutError:
            label, error = (
                "timeout",
                f"the analysis did not finish within run_timeout_s = {self.settings.run_timeout:g} s",
            )
        items = await loop.run_in_executor(self._executor, self._connector_items, cid)
        result = outcome.result if outcome is not None and outcome.ok else None
        events = self._evaluate(cid, result, items)
        report = self._note_run(cid, label, error, started, result)
        commit = asyncio.ensure_future(self._commit(cid, events))
        self._critical.add(commit)
        commit.add_done_callback(self._critical.discard)
        await asyncio.shield(commit)  # a stop must not cut between the alert record, the outbox and the state
        return report | {"events": [(e.action, e.rule) for e in events]}

    async def _commit(self, cid: str, events: list[AlertEvent]) -> None:
        """Record and enqueue the events, then persist the rule states (in that order: a state
        is never saved as firing for a trigger that is not in the outbox)."""
        for event in events:
            await self._raise(event)
        await asyncio.to_thread(self._save_states, cid)
        if events and self._kick is not None:
            self._kick.set()

    def _note_run(self, cid: str, label: str, error: str, started: float, result: dict | None) -> dict[str, Any]:
        duration = self.clock() - started
        self.metrics.runs.labels(cid, label).inc()
        self.metrics.duration.labels(cid).observe(duration)
        info = self.runs[cid]
        info["runs"] += 1
        info[{"ok": "ok", "error": "errors", "timeout": "timeouts"}[label]] += 1
        info.update(
            last_outcome=label,
            last_error=error[:500],
            last_run_at=epoch_rfc3339(self.wall()),
            last_duration_s=round(duration, 3),
        )
        if result is not None:
            info.update(
                last_success_at=info["last_run_at"],
                last_provenance_hash=result["provenance"]["provenance_hash"],
                performance_score=result.get("performance_score"),
            )
            self.metrics.last_success.labels(cid).set(self.wall())
        if label != "ok":
            log.warning("monitor: run of %s: %s: %s", cid, label, error[:300])
        return {"condenser_id": cid, "outcome": label, "error": error, "duration_s": round(duration, 3)}

    # ------------------------------------------------------------------ rules
    def _rules_for(self, cid: str) -> list[AlertRule]:
        return [r for r in self.alerts.rules if not r.condensers or cid in r.condensers]

    def _down_for(self, cid: str, items: list[dict[str, Any]] | None, now: float) -> dict[str, float]:
        if items is None:
            return {}
        out = {}
        for item in items:
            key = (cid, item["service"])
            if item["down"] and item["kind"] != "cmms":
                since = self.down_since.setdefault(key, now)
                out[item["service"]] = now - since
            else:
                self.down_since.pop(key, None)
        return out

    def _evaluate(self, cid: str, result: dict | None, items: list[dict[str, Any]] | None) -> list[AlertEvent]:
        now = self.wall()  # epoch: rule states persist across restarts
        down_for = self._down_for(cid, items, now)
        prov = result["provenance"]["provenance_hash"] if result else None
        events = []
        for rule in self._rules_for(cid):
            obs = observe(rule, result, items, down_for)
            spec = rule_spec(rule, self.config.condensers[cid].arguments)
            key = (rule.name, cid)
            details = {
                "summary": obs.summary,
                "unit": obs.unit,
                "analysis_provenance_hash": prov,
                **(obs.details or {}),
            }
            state, event = evaluate(spec, self.states.get(key, RuleState()), obs.value, now, cid, details)
            self.states[key] = state
            self.metrics.firing.labels(rule.name, cid).set(1 if state.state is AlertState.FIRING else 0)
            if event is not None:
                events.append(event)
        return events

    def _save_states(self, cid: str) -> None:
        self.outbox.save_states({(r.name, cid): self.states[(r.name, cid)].to_dict() for r in self._rules_for(cid)})

    # ------------------------------------------------------------------ alerts → ledger, history, outbox
    def notification(self, event: AlertEvent) -> dict[str, Any]:
        """The channel-neutral notification of an alert event (see :mod:`connectors.notify`)."""
        rule = next(r for r in self.alerts.rules if r.name == event.rule)
        d = dict(event.details)
        summary = d.pop("summary", "") or rule.kind
        finite = event.value is not None and event.value not in (float("inf"), float("-inf"))
        threshold = None if rule.kind in ("air_inleakage", "stale_tag") else event.trigger
        if rule.kind == "air_inleakage":
            d["severity_at_least"] = rule.severity_at_least
        text = summary if event.action == "trigger" else f"cleared: {summary}"
        return {
            "action": event.action,
            "dedup_key": event.dedup_key,
            "rule": rule.name,
            "kind": rule.kind,
            "condenser_id": event.condenser_id,
            "severity": rule.severity,
            "summary": text,
            "value": round(event.value, 6) if finite and event.value is not None else None,
            "threshold": threshold,
            "unit": d.pop("unit", ""),
            "at": epoch_rfc3339(self.wall()),
            "analysis_provenance_hash": d.pop("analysis_provenance_hash", None),
            "plant": self.config.name,
            "details": d,
        }

    async def _raise(self, event: AlertEvent) -> None:
        note = self.notification(event)
        self.metrics.events.labels(event.rule, event.condenser_id, event.action).inc()
        log.warning("alert %s %s: %s", event.action, event.dedup_key, note["summary"])
        await asyncio.to_thread(self._record_alert, note)
        rule = next(r for r in self.alerts.rules if r.name == event.rule)
        await self.dispatcher.enqueue(note, rule.destinations)

    def _record_alert(self, note: dict[str, Any]) -> None:
        store = self.context.services.get("store")
        if store is None:
            return
        from ..store import CallRecord

        store.append_call(
            CallRecord(
                tool="monitor.alert",
                tool_version=MONITOR_VERSION,
                caller="monitor",
                arguments={k: note[k] for k in ("rule", "condenser_id", "dedup_key", "action")},
                result=note,
            )
        )
        store.record_event(
            note["condenser_id"],
            "alert",
            note["rule"],
            note["at"],
            value=note["value"],
            unit=note["unit"] or None,
            source="monitor",
            payload=note,
        )

    async def deliver_pending(self) -> int:
        """Try every destination's due outbox items in order; returns how many were delivered."""
        return await self.dispatcher.deliver_pending()

    # ------------------------------------------------------------------ health
    def status(self) -> dict[str, Any]:
        """Health of the monitor for ``connector_status`` and ``/health/monitor`` (no secrets)."""
        alerts = [
            {
                "rule": r,
                "condenser_id": c,
                "state": s.state.value,
                "value": s.last_value if s.last_value not in (float("inf"), float("-inf")) else None,
            }
            for (r, c), s in sorted(self.states.items())
            if s.state is not AlertState.INACTIVE
        ]
        destinations = self.dispatcher.status()
        condensers = [{"condenser_id": c, "in_progress": c in self.running, **self.runs[c]} for c in self.condensers]
        healthy = all(d["pending"] == 0 and d["rejected"] == 0 for d in destinations) and all(
            c.get("last_outcome", "ok") == "ok" for c in condensers
        )
        return {
            "running": self.started,
            "interval_s": self.settings.interval_s,
            "healthy": healthy,
            "condensers": condensers,
            "alerts": alerts,
            "destinations": destinations,
        }
