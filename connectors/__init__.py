# SPDX-License-Identifier: MIT
"""CONDENSYNC plant-data connectors: OPC UA, Modbus TCP, PI Web API historian, weather, CMMS.

This package does I/O only. It never imports ``condensync_tools``; tools import it. Library
code logs through :mod:`logging` and never writes to stdout (the MCP stdio channel).

Public interface (stable)
-------------------------
Values and errors (:mod:`connectors.types`)
    ``Quality`` (good / uncertain / bad); ``Reading`` (frozen: tag, name, value, unit,
    source_timestamp, server_timestamp, quality, status, source; ``age_s(now)``,
    ``provenance()``); ``Snapshot`` (condenser_id, readings, taken_at; ``values()``,
    ``sources()``); ``LiveSource`` protocol (``service``, ``read(names)``, ``status()``,
    ``stale_limits()``).
    Errors: ``ConnectorError`` (base; ``service``, ``endpoint``) →
    ``ConnectorUnavailable`` (unreachable / timed out) → ``CircuitOpenError`` (breaker open,
    nothing sent; ``half_open_in_s``); ``RequestRejectedError`` (HTTP 3xx/4xx, OPC UA bad
    node / untrusted certificate: never retried, never a breaker failure); ``StaleDataError``
    (``name``, ``tag``, ``age_s``, ``max_age_s``); ``BadQualityError`` (``name``, ``tag``,
    ``status``).

Settings (:mod:`connectors.settings`, strict pydantic models for the plant TOML)
    ``OpcUaSettings`` + ``OpcUaTag``, ``ModbusSettings`` + ``ModbusRegister``,
    ``HistorianSettings`` + ``HistorianStream``, ``WeatherSettings`` + ``WeatherField``,
    ``CmmsSettings``, ``BreakerSettings`` (presets ``SCADA``, ``DCS``, ``HISTORIAN``,
    ``COOLING_TOWER_PLC``, ``CMMS``, ``WEATHER``), ``RetrySettings``.

Connectors (all ``async with``-able; ``start()`` / ``stop()``)
    ``OpcUaConnector(settings)``: ``read(names=None)``, ``read_history(name, start, end)``,
    ``status()``, ``stale_limits()``.
    ``ModbusConnector(settings)``: ``start(poll=True)``, ``read(names=None)``,
    ``poll_once()``, ``status()``, ``stale_limits()``.
    ``PiWebApiHistorian(settings)``: ``read(names=None)`` (current values),
    ``recorded(name, start, end)``, ``interpolated(name, start, end, interval)``,
    ``recorded_many(names, ...)``, ``interpolated_many(names, ...)``,
    ``read_history(name, start, end)``, ``status()``, ``stale_limits()``.
    ``WeatherConnector(settings)``: ``read(names=None)`` (last good value cached),
    ``fetch()``, ``status()``, ``stale_limits()``.
    ``CmmsClient(settings)``: ``create_work_order(request, dry_run=False) ->
    WorkOrderResult``, ``preview(request)``, ``find_by_key(key)``, ``status()``;
    ``WorkOrderRequest``, ``WorkOrderResult``, ``RequestPreview``, ``idempotency_key_for(*parts)``.
    Every connector takes ``breaker_clock=`` (a monotonic clock) for deterministic tests.

Checks and resilience
    ``check_fresh(readings, max_age_s, now=None, *, allow_uncertain=True)``;
    ``take_snapshot(condenser_id, [(source, names), ...], max_age_s=None, now=None)``;
    ``guarded_call(breaker, operation, *, retry, description)`` (breaker → timeout → retry,
    the one wrapper every connector uses); ``AsyncCircuitBreaker``; ``breaker_states()``
    (list of dicts: name, endpoint, state, failure_count, fail_max, reset_timeout_s,
    call_timeout_s, success_threshold, half_open_successes, half_open_in_s, opened_at,
    last_error).

The connector classes are imported lazily (``connectors.OpcUaConnector`` loads asyncua on
first use), so ``from connectors import breaker_states`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .freshness import check_fresh, take_snapshot
from .resilience import AsyncCircuitBreaker, BreakerState, breaker_states, guarded_call
from .settings import (
    CMMS,
    COOLING_TOWER_PLC,
    DCS,
    HISTORIAN,
    SCADA,
    WEATHER,
    BreakerSettings,
    CmmsSettings,
    HistorianSettings,
    HistorianStream,
    ModbusRegister,
    ModbusSettings,
    OpcUaSettings,
    OpcUaTag,
    RetrySettings,
    WeatherField,
    WeatherSettings,
)
from .types import (
    BadQualityError,
    CircuitOpenError,
    ConnectorError,
    ConnectorUnavailable,
    LiveSource,
    Quality,
    Reading,
    RequestRejectedError,
    Snapshot,
    StaleDataError,
)

if TYPE_CHECKING:
    from .cmms import CmmsClient, RequestPreview, WorkOrderRequest, WorkOrderResult, idempotency_key_for
    from .historian import PiWebApiHistorian
    from .modbus import ModbusConnector
    from .opcua import OpcUaConnector
    from .weather import WeatherConnector

_LAZY = {
    "OpcUaConnector": "opcua",
    "ModbusConnector": "modbus",
    "PiWebApiHistorian": "historian",
    "WeatherConnector": "weather",
    "CmmsClient": "cmms",
    "WorkOrderRequest": "cmms",
    "WorkOrderResult": "cmms",
    "RequestPreview": "cmms",
    "idempotency_key_for": "cmms",
}

__all__ = [
    "Quality",
    "Reading",
    "Snapshot",
    "LiveSource",
    "ConnectorError",
    "ConnectorUnavailable",
    "CircuitOpenError",
    "RequestRejectedError",
    "StaleDataError",
    "BadQualityError",
    "BreakerSettings",
    "RetrySettings",
    "SCADA",
    "DCS",
    "HISTORIAN",
    "COOLING_TOWER_PLC",
    "CMMS",
    "WEATHER",
    "OpcUaSettings",
    "OpcUaTag",
    "ModbusSettings",
    "ModbusRegister",
    "HistorianSettings",
    "HistorianStream",
    "WeatherSettings",
    "WeatherField",
    "CmmsSettings",
    "check_fresh",
    "take_snapshot",
    "guarded_call",
    "AsyncCircuitBreaker",
    "BreakerState",
    "breaker_states",
    "OpcUaConnector",
    "ModbusConnector",
    "PiWebApiHistorian",
    "WeatherConnector",
    "CmmsClient",
    "WorkOrderRequest",
    "WorkOrderResult",
    "RequestPreview",
    "idempotency_key_for",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'connectors' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
