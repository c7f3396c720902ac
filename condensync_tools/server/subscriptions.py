# SPDX-License-Identifier: MIT
"""Live condenser snapshots as MCP resources, with subscriptions.

``condenser://live/{condenser_id}`` reads every configured live value of a condenser (value,
unit, quality, source timestamp, age, stale/bad flags, per-connector errors).

Subscriptions: handshake-era clients call ``resources/subscribe`` / ``resources/unsubscribe``
and get ``notifications/resources/updated`` on the session; 2026-07-28 clients open
``subscriptions/listen`` (the SDK's listen handler on the same event bus). While at least one
subscription to a live URI exists, a watcher reads that condenser every
``CONDENSYNC_LIVE_SUBSCRIPTION_INTERVAL_S`` seconds (default 5, at least 1: this is the rate
limit; one notification per URI per interval at most) and announces the URI when a value or
its quality changed. Only the values and qualities are compared, never the ages, so a steady
plant does not notify. Subscribing to a URI this server never changes is accepted (the
protocol allows it) and simply never notifies.
"""

from __future__ import annotations

import hashlib
import json
import logging
import weakref
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

import anyio
import mcp.types as types
from mcp.server.subscriptions import InMemorySubscriptionBus, ListenHandler
from mcp.shared.subscriptions import ResourceUpdated

from .. import settings as environment

__all__ = ["LIVE_PREFIX", "LiveSubscriptions", "live_snapshot_json", "subscription_interval_s"]

log = logging.getLogger("condensync.subscriptions")

LIVE_PREFIX = "condenser://live/"
_DEFAULT_INTERVAL_S = 5.0
_MIN_INTERVAL_S = 1.0


def subscription_interval_s() -> float:
    """Seconds between reads of a subscribed live snapshot (``CONDENSYNC_LIVE_SUBSCRIPTION_INTERVAL_S``)."""
    try:
        value = float(environment.LIVE_SUBSCRIPTION_INTERVAL_S.text())
    except ValueError:
        value = _DEFAULT_INTERVAL_S
    return max(_MIN_INTERVAL_S, value)


def _snapshot_dict(snapshot: Any) -> dict[str, Any]:
    values = {}
    for name, v in sorted(snapshot.values.items()):
        values[name] = {
            **v.source(),
            "age_s": round(v.age_s, 3),
            "max_age_s": v.max_age_s,
            "stale": v.stale,
            "bad": v.bad,
            "problem": v.problem,
        }
    return {
        "condenser_id": snapshot.condenser_id,
        "taken_at": snapshot.taken_at.isoformat(),
        "values": values,
        "errors": snapshot.errors,
    }


def live_snapshot_json(live: Any, condenser_id: str) -> str | None:
    """The snapshot resource text, or None when the condenser has no live connectors."""
    if live is None or condenser_id not in live.condenser_ids():
        return None
    return json.dumps(_snapshot_dict(live.snapshot(condenser_id)), ensure_ascii=False, indent=2, default=str)


def _fingerprint(live: Any, condenser_id: str) -> str:
    """What a change means: each value and quality (not the ages) and which connectors fail."""
    snap = live.snapshot(condenser_id)
    state = {
        name: [v.source().get("value"), v.source().get("quality"), v.stale, v.bad]
        for name, v in sorted(snap.values.items())
    }
    state["$errors"] = sorted(e.get("service", "") for e in snap.errors)
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


class LiveSubscriptions:
    """Subscription state of one server: the event bus, the legacy per-session subscriptions
    and the watcher task (started lazily at the first subscription)."""

    def __init__(self, live: Any | None) -> None:
        self.live = live
        self.bus = InMemorySubscriptionBus()
        self.listen = ListenHandler(self.bus)
        self._sessions: weakref.WeakKeyDictionary[Any, tuple[set[str], Any]] = weakref.WeakKeyDictionary()
        self._watching: dict[str, str | None] = {}
        self._listened: dict[Any, set[str]] = {}
        self._watcher_running = False
        self._task_group: Any | None = None

    @asynccontextmanager
    async def lifespan(self, server: Any) -> AsyncIterator[dict[str, Any]]:
        """The server's lifespan: the task group the watcher and the deliveries run in. Entered
        once per transport (HTTP runs a JSON and an SSE transport): the first entry owns it."""
        if self._task_group is not None:
            yield {}
            return
        async with anyio.create_task_group() as tg:
            self._task_group = tg
            try:
                yield {}
            finally:
                self._task_group = None
                tg.cancel_scope.cancel()

    async def listen_handler(self, ctx: Any, params: types.SubscriptionsListenRequestParams) -> Any:
        """``subscriptions/listen`` (2026-07-28): watch the live URIs asked for, then let the
        SDK's handler stream the events for as long as the client listens."""
        uris = set(params.notifications.resource_subscriptions or []) if params.notifications else set()
        token = object()
        self._listened[token] = uris
        try:
            for uri in uris:
                await self._ensure_watched(uri)
            return await self.listen(ctx, params)
        finally:
            self._listened.pop(token, None)

    # ---------------------------------------------------------------- legacy subscribe
    async def subscribe(self, ctx: Any, params: types.SubscribeRequestParams) -> types.EmptyResult:
        uri = str(params.uri)
        key = getattr(ctx.session, "_connection", None) or ctx.session
        entry = self._sessions.get(key)
        if entry is None:
            session = ctx.session

            def deliver(event: Any, uris: set[str] | None = None) -> None:
                if isinstance(event, ResourceUpdated) and uris is not None and event.uri in uris:
                    self._spawn(session.send_resource_updated, event.uri)

            uris: set[str] = set()
            unsubscribe_bus = self.bus.subscribe(lambda event: deliver(event, uris))
            entry = self._sessions[key] = (uris, unsubscribe_bus)
        entry[0].add(uri)
        await self._ensure_watched(uri)
        return types.EmptyResult()

    async def unsubscribe(self, ctx: Any, params: types.UnsubscribeRequestParams) -> types.EmptyResult:
        key = getattr(ctx.session, "_connection", None) or ctx.session
        entry = self._sessions.get(key)
        if entry is not None:
            entry[0].discard(str(params.uri))
        return types.EmptyResult()

    def _spawn(self, fn: Any, *args: Any) -> None:
        tg = self._task_group
        if tg is not None:
            tg.start_soon(self._safe, fn, *args)

    @staticmethod
    async def _safe(fn: Any, *args: Any) -> None:
        try:
            await fn(*args)
        except Exception:  # noqa: BLE001 - a closed session: nothing to tell
            log.debug("resource update not delivered", exc_info=True)

    # ---------------------------------------------------------------- watcher
    def _subscribed(self) -> set[str]:
        out: set[str] = set()
        for uris, _ in list(self._sessions.values()):
            out |= uris
        for uris in list(self._listened.values()):
            out |= uris
        return out

    async def _ensure_watched(self, uri: str) -> None:
        if not uri.startswith(LIVE_PREFIX) or self.live is None:
            return
        cid = uri[len(LIVE_PREFIX) :]
        if cid not in self.live.condenser_ids():
            return
        if uri not in self._watching:
            self._watching[uri] = await anyio.to_thread.run_sync(_fingerprint, self.live, cid)
        if not self._watcher_running:
            self._watcher_running = True
            await self._start_watcher()

    async def _start_watcher(self) -> None:
        async def watch() -> None:
            try:
                while self._watching:
                    await anyio.sleep(subscription_interval_s())
                    await self.poll_once()
            finally:
                self._watcher_running = False

        if self._task_group is None:
            self._watcher_running = False
            return
        self._task_group.start_soon(watch)

    async def poll_once(self) -> list[str]:
        """Read every watched snapshot once; announce and return the URIs that changed."""
        wanted = self._subscribed()
        changed = []
        for uri in list(self._watching):
            if uri not in wanted:
                self._watching.pop(uri, None)
                continue
            try:
                fingerprint = await anyio.to_thread.run_sync(_fingerprint, self.live, uri[len(LIVE_PREFIX) :])
            except Exception as exc:  # noqa: BLE001 - a failed read is a change worth nothing
                log.warning("live snapshot %s could not be read: %s", uri, exc)
                continue
            if fingerprint != self._watching.get(uri):
                self._watching[uri] = fingerprint
                changed.append(uri)
                await self.bus.publish(ResourceUpdated(uri=uri))
        return changed
