# SPDX-License-Identifier: MIT
"""Tool ``connector_status``: health of the plant connectors — connection, last update, circuit
breaker state, and the age of every cached value against its staleness limit — and, when the
plant configuration has ``[alerts]``, of the alert delivery: per destination its breaker and
the notifications waiting in the outbox or rejected (and, when the monitor runs in this
process, its runs)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ..registry import ToolCall, ToolDefinition, ToolOutput, register
from .common import CondenserIdField, ToolInput, ToolResult, UnitSystemField
from .live_data import live_manager

__all__ = ["ConnectorStatusInput", "ConnectorStatusOutput", "TOOL", "normalise_status"]


class ConnectorStatusInput(ToolInput):
    unit_system: UnitSystemField = "US"
    condenser_id: CondenserIdField = ""


class TagAge(BaseModel):
    name: str = Field(description="Measurement name")
    age_s: float = Field(description="Age of the cached value's source timestamp [s]")
    max_age_s: float = Field(None, description="Staleness limit of the tag [s]")
    stale: bool = Field(description="Older than its limit")
    quality: str = Field(description="good, uncertain or bad")
    status: str = Field(description="The source's own status")


class ConnectorItem(BaseModel):
    condenser_id: str = Field(description="Condenser the connector belongs to")
    service: str = Field(description="Service name (also the circuit breaker's name)")
    kind: str = Field(description="opcua, modbus, historian, weather or cmms")
    endpoint: str = Field(description="Endpoint URL or host:port")
    connected: bool = Field(description="Connected now (HTTP services: breaker not open)")
    connecting: bool = Field(
        False,
        description="Its first connection (connect, resolve tags, subscribe) is still "
        "in progress: neither connected nor failed yet",
    )
    state: str = Field(description="Connection / polling state in words ('connecting' while starting)")
    started: bool = Field(description="The connector has been started (connectors start on first use)")
    start_error: str = Field("", description="Why starting failed, if it did")
    last_update: str = Field("", description="When a value last arrived (RFC 3339), empty if never")
    last_error: str = Field("", description="Last error reported by the connector")
    breaker_state: str = Field(description="closed, open or half_open")
    breaker_failure_count: int = Field(description="Consecutive failures counted by the breaker [1]")
    stale_count: int = Field(description="Cached values older than their limit [1]")
    tags: list[TagAge] = Field(description="Age and quality of each cached value")


class BreakerItem(BaseModel):
    name: str = Field(description="Breaker (service) name")
    endpoint: str = Field(description="Endpoint it protects")
    state: str = Field(description="closed, open or half_open")
    failure_count: int = Field(description="Consecutive failures while closed [1]")
    fail_max: int = Field(description="Failures that open it [1]")
    reset_timeout_s: float = Field(description="Time open before half-open [s]")
    call_timeout_s: float = Field(description="Timeout of one logical call [s]")
    success_threshold: int = Field(description="Half-open successes that close it [1]")
    half_open_in_s: float = Field(None, description="Seconds until a trial call is let through (open only) [s]")
    opened_at: str = Field("", description="When it opened (RFC 3339), empty when closed")
    last_error: str = Field("", description="Last failure it counted")


class NotificationDestination(BaseModel):
    name: str = Field(description="Destination name ([alerts.destinations.<name>])")
    kind: str = Field(description="slack, teams, pagerduty or mqtt")
    endpoint: str = Field(description="Endpoint with its secret part masked")
    breaker_state: str = Field(
        description="closed, open or half_open; 'unknown' when the monitor runs in another process"
    )
    pending: int = Field(description="Notifications waiting in the outbox (retried until delivered) [1]")
    rejected: int = Field(description="Notifications the receiver refused (kept; fix the destination) [1]")
    delivered: int = Field(description="Notifications delivered and still kept in the outbox [1]")
    last_error: str = Field("", description="Last delivery error (secrets masked)")
    last_delivery_at: str = Field("", description="Last successful delivery (RFC 3339), empty if none")


class MonitorRun(BaseModel):
    condenser_id: str = Field(description="Monitored condenser")
    in_progress: bool = Field(description="A run is going now")
    runs: int = Field(description="Runs since the monitor started [1]")
    ok: int = Field(description="Successful runs [1]")
    errors: int = Field(description="Runs whose analysis returned an error [1]")
    timeouts: int = Field(description="Runs that exceeded run_timeout_s [1]")
    skipped: int = Field(description="Ticks skipped because the previous run was still going [1]")
    last_outcome: str = Field("", description="ok, error or timeout")
    last_error: str = Field("", description="Error of the last run")
    last_run_at: str = Field("", description="Time of the last run (RFC 3339)")
    last_success_at: str = Field("", description="Time of the last successful run (RFC 3339)")


class ConnectorStatusOutput(ToolResult):
    connectors: list[ConnectorItem] = Field(description="Every connector of the selected condenser(s)")
    breakers: list[BreakerItem] = Field(description="Circuit breakers of those connectors")
    connector_count: int = Field(description="Connectors listed [1]")
    connected_count: int = Field(description="Connectors connected now [1]")
    connecting_count: int = Field(0, description="Connectors still making their first connection [1]")
    open_breakers: int = Field(description="Breakers open or half-open [1]")
    stale_values: int = Field(description="Cached values older than their limit [1]")
    healthy: bool = Field(
        description="Every started connector connected, none still connecting, no breaker open "
        "or half-open, no stale value, no notification waiting or rejected"
    )
    notifications: list[NotificationDestination] = Field(
        default_factory=list, description="Alert destinations ([alerts] of the plant configuration)"
    )
    undelivered_notifications: int = Field(0, description="Notifications pending or rejected, all destinations [1]")
    monitor_running: bool = Field(False, description="The monitor runs in this process")
    monitor_runs: list[MonitorRun] = Field(
        default_factory=list, description="Monitor runs per condenser (this process)"
    )


def _connecting(status: dict[str, Any]) -> bool:
    """Still making its first connection: a state of its own, not a failure."""
    if status.get("connected"):
        return False
    return bool(status.get("starting")) or status.get("connection_state") == "connecting"


def _state(status: dict[str, Any]) -> str:
    if _connecting(status):
        return "connecting"
    if "connection_state" in status:
        live = "subscription live" if status.get("subscription_live") else "no live subscription"
        return f"{status['connection_state']}, {live}"
    if "polling" in status:
        return "polling" if status.get("polling") else "not polling"
    if status.get("kind") == "cmms":
        return "work orders enabled" if status.get("enabled") else "work orders disabled (preview only)"
    return "on demand"


def normalise_status(status: dict[str, Any]) -> dict[str, Any]:
    """One connector's ``status()`` dict (as extended by the manager) in the tool's item form."""
    breaker = status.get("breaker") or {}
    limits = status.get("stale_limits_s") or {}
    tags = []
    for name, info in sorted((status.get("tags") or {}).items()):
        tag = {
            "name": name,
            "age_s": float(info["age_s"]),
            "quality": str(info["quality"]),
            "status": str(info["status"]),
            "stale": False,
        }
        if name in limits:
            tag["max_age_s"] = float(limits[name])
            tag["stale"] = tag["age_s"] > tag["max_age_s"]
        tags.append(tag)
    return {
        "condenser_id": status["condenser_id"],
        "service": str(status.get("service", "")),
        "kind": str(status.get("kind", "")),
        "endpoint": str(status.get("endpoint", "")),
        "connected": bool(status.get("connected", False)),
        "connecting": _connecting(status),
        "state": _state(status),
        "started": bool(status.get("started", False)),
        "start_error": status.get("start_error") or "",
        "last_update": status.get("last_update") or "",
        "last_error": status.get("last_error") or "",
        "breaker_state": str(breaker.get("state", "closed")),
        "breaker_failure_count": int(breaker.get("failure_count", 0)),
        "stale_count": sum(1 for t in tags if t["stale"]),
        "tags": tags,
    }


def _breaker(b: dict[str, Any]) -> dict[str, Any]:
    out = {
        k: b[k]
        for k in (
            "name",
            "endpoint",
            "state",
            "failure_count",
            "fail_max",
            "reset_timeout_s",
            "call_timeout_s",
            "success_threshold",
        )
    }
    if b.get("half_open_in_s") is not None:
        out["half_open_in_s"] = float(b["half_open_in_s"])
    out["opened_at"] = b.get("opened_at") or ""
    out["last_error"] = b.get("last_error") or ""
    return out


_RUN_KEYS = tuple(MonitorRun.model_fields)
_DEST_KEYS = tuple(NotificationDestination.model_fields)


def _delivery_status(call: ToolCall) -> dict[str, Any]:
    """Alert delivery and monitor runs: from the monitor of this process, else from the
    outbox file of the plant configuration (written by ``condensync monitor``; the runtime puts
    its reader in the context as the ``outbox_status`` service)."""
    monitor = call.context.services.get("monitor")
    if monitor is not None:
        status = monitor.status()
        dests = [{k: d[k] for k in _DEST_KEYS if k in d} for d in status["destinations"]]
        runs = [{k: r[k] for k in _RUN_KEYS if k in r} for r in status["condensers"]]
        running = bool(status["running"])
    else:  # the monitor runs in another process: its outbox, as the runtime provides it
        outbox_status = call.context.services.get("outbox_status")
        dests, runs, running = (outbox_status() if outbox_status is not None else []), [], False
    undelivered = sum(d["pending"] + d["rejected"] for d in dests)
    warnings = [
        f"alert destination '{d['name']}' ({d['kind']}, {d['endpoint']}): {d['pending']} notification(s) "
        f"waiting, {d['rejected']} rejected; last error: {d['last_error'] or 'none'}"
        for d in dests
        if d["pending"] or d["rejected"]
    ]
    warnings += [
        f"monitor run of {r['condenser_id']}: {r['last_outcome']}: {r['last_error']}"
        for r in runs
        if r.get("last_outcome") not in (None, "", "ok")
    ]
    return {
        "notifications": dests,
        "undelivered_notifications": undelivered,
        "monitor_running": running,
        "monitor_runs": runs,
        "warnings": warnings,
    }


def handle(call: ToolCall) -> ToolOutput:
    manager = live_manager(call, "connector status")
    cid = call.args.get("condenser_id") or None
    raw = manager.status(cid)
    items = [normalise_status(s) for s in raw["connectors"]]
    ours = {(s.get("breaker") or {}).get("name") for s in raw["connectors"]} - {None}
    pairs = {
        ((s.get("breaker") or {}).get("name"), (s.get("breaker") or {}).get("endpoint")) for s in raw["connectors"]
    }
    breakers = [_breaker(b) for b in raw["breakers"] if b["name"] in ours and (b["name"], b["endpoint"]) in pairs]
    connected = sum(1 for i in items if i["connected"])
    connecting = sum(1 for i in items if i["connecting"])
    open_breakers = sum(1 for b in breakers if b["state"] != "closed")
    stale = sum(i["stale_count"] for i in items)
    failing = (
        open_breakers > 0
        or stale > 0
        or any(i["started"] and not i["connected"] and not i["connecting"] for i in items)
    )
    healthy = not failing and connecting == 0
    warnings = [
        f"circuit breaker '{b['name']}' ({b['endpoint']}) is {b['state']}: {b['last_error']}"
        for b in breakers
        if b["state"] != "closed"
    ]
    warnings += [
        f"{i['service']} ({i['kind']}) of {i['condenser_id']}: {t['name']} is {t['age_s']:.1f} s old, "
        f"limit {t['max_age_s']:g} s"
        for i in items
        for t in i["tags"]
        if t["stale"]
    ]
    warnings += [
        f"{i['service']} ({i['kind']}) of {i['condenser_id']} did not start: {i['start_error']}"
        for i in items
        if i["start_error"]
    ]
    delivery = _delivery_status(call)
    warnings += delivery.pop("warnings")
    failing = failing or delivery["undelivered_notifications"] > 0
    healthy = healthy and delivery["undelivered_notifications"] == 0
    verdict = "healthy" if healthy else ("attention needed" if failing else "still connecting")
    summary = (
        f"{len(items)} connector(s), {connected} connected, {connecting} connecting, {open_breakers} "
        f"breaker(s) open, {stale} stale value(s), {delivery['undelivered_notifications']} undelivered "
        f"notification(s): {verdict}"
    )
    values = {
        "connectors": items,
        "breakers": breakers,
        "connector_count": len(items),
        "connected_count": connected,
        "connecting_count": connecting,
        "open_breakers": open_breakers,
        "stale_values": stale,
        "healthy": healthy,
        **delivery,
    }
    return ToolOutput(
        values=values,
        method={"status": "connector status() and circuit-breaker snapshots"},
        warnings=warnings,
        summary=summary,
    )


TOOL = register(
    ToolDefinition(
        name="connector_status",
        title="Plant connector health: connections, circuit breakers, value ages",
        description=(
            "Health of the plant-data connectors (OPC UA, Modbus TCP, PI historian, weather, CMMS) of one condenser "
            "or of all: connected or not, last update, last error, circuit-breaker state (closed / open / "
            "half-open, with the time until a trial call) and the age of every cached value against its staleness "
            "limit. Connectors start on first use, so a connector not yet used shows started=false; one making its "
            "first connection shows connecting=true (not a failure). With [alerts] in the plant configuration: each "
            "alert destination (endpoint masked) with its breaker and the notifications waiting in the outbox or "
            "rejected, and the monitor's runs when it runs in this process. Read-only."
        ),
        version="1.2.0",
        input_model=ConnectorStatusInput,
        output_model=ConnectorStatusOutput,
        handler=handle,
        category="live_read",
        read_only=True,
        destructive=False,
        idempotent=True,
        open_world=True,
        record_history=False,
    )
)
