# SPDX-License-Identifier: MIT
"""Live plant data for the tools (CONTRACT §4): the plant's connectors on one background event
loop, unit strings to SI, freshness and quality checks, provenance of every value.

Tool execution is synchronous (worker threads); the connectors are asyncio. A
:class:`ConnectorManager` owns ONE event loop in a daemon thread, builds the connectors of every
condenser of a :class:`~condensync_tools.config.PlantConfig` (OPC UA, Modbus TCP, PI Web API
historian, weather; the CMMS client for work orders) and runs their coroutines there with
:func:`asyncio.run_coroutine_threadsafe` and a timeout. Connectors start lazily, on the first
read that needs them (or all at once with :meth:`ConnectorManager.start`).

It implements the registry's ``LiveProvider`` protocol::

    values_si, sources = manager.read("unit3", ["cw_inlet_temp", "condenser_pressure"])

- A field is read from the connector that has a tag / register / stream / weather field of that
  *name* (tag names are tool argument names); fields with no tag are simply not returned.
- Every value is checked: quality bad → error; source timestamp older than its limit → error
  naming the tag, its age and the limit. Nothing is ever substituted.
- Each value is converted from its unit string (``degF``, ``inHgA``, ``gpm``, ``kg/h``...) to SI
  base units (:data:`condensync_tools.units.UNITS`); an unknown unit is an error naming the tag.
- Connector failures (unreachable, timed out, breaker open) become
  :class:`~condensync_tools.errors.LiveDataError` with the connector's own message.

``sources`` holds one provenance record per value: name, tag, service, source, value, unit,
source timestamp, quality, status.

This module imports no tool modules at import time (the field → quantity-kind map is read
from the registry lazily). Unit strings are converted with the one unit table of
:mod:`condensync_tools.units`.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import logging
import math
import threading
import weakref
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import LiveDataError
from .redaction import redact_text, redact_url
from .units import (  # the unit-string table lives in units.py; re-exported for callers of live
    KIND_DIMENSION,
    UNITS,
    UnitError,
    UnitSpec,
    display_kind,
    from_si_unit,
    to_si_unit,
    unit_spec,
)

if TYPE_CHECKING:  # pragma: no cover
    from .config import PlantConfig

__all__ = [
    "UnitSpec",
    "UNITS",
    "KIND_DIMENSION",
    "UnitError",
    "unit_spec",
    "to_si_unit",
    "from_si_unit",
    "field_kinds",
    "field_plausible_ranges",
    "LiveValue",
    "LiveSnapshot",
    "ConnectorManager",
    "PlantLiveProvider",
    "build_live_provider",
    "check_config_units",
    "READING_KINDS",
]

log = logging.getLogger("condensync.live")
T = TypeVar("T")

#: Connector tables that deliver readings, in priority order (a name configured in two
#: connectors is read from the first).
READING_KINDS = ("opcua", "modbus", "historian", "weather")


def field_kinds() -> dict[str, str]:
    """Tool argument name → quantity kind, over every registered tool (first wins)."""
    from .registry import all_tools

    out: dict[str, str] = {}
    for tool in all_tools():
        for name, plan in tool.input_plan.items():
            if plan.quantity is not None and not plan.is_list:
                out.setdefault(name, plan.quantity.kind)
    return out


def field_plausible_ranges() -> dict[str, tuple[float, float]]:
    """Sane plant range in SI base units by tool argument name, over every registered tool
    (first wins), plus the widest range of each quantity kind under the key ``"kind:<kind>"``:
    the same limits the calculators reject a supplied value with."""
    from .registry import all_tools

    out: dict[str, tuple[float, float]] = {}
    for tool in all_tools():
        for name, plan in tool.input_plan.items():
            q = plan.quantity
            if q is None or plan.is_list or q.plausible_si is None:
                continue
            out.setdefault(name, q.plausible_si)
            lo, hi = out.get(f"kind:{q.kind}", q.plausible_si)
            out[f"kind:{q.kind}"] = (min(lo, q.plausible_si[0]), max(hi, q.plausible_si[1]))
    return out


# ------------------------------------------------------------------------------------------
# Configuration checks
# ------------------------------------------------------------------------------------------


def _entries(kind: str, settings: Any) -> list[tuple[str, str, str]]:
    """(list key, name, unit) of every reading a connector settings object defines."""
    if kind == "opcua":
        return [("tags", t.name, t.unit) for t in settings.tags]
    if kind == "modbus":
        return [("registers", r.name, r.unit) for r in settings.registers]
    if kind == "historian":
        return [("streams", s.name, s.unit) for s in settings.streams]
    if kind == "weather":
        return [("fields", f.name, f.unit) for f in settings.fields]
    return []


def check_config_units(config: PlantConfig, kinds: Mapping[str, str] | None = None) -> list[str]:
    """Problems with the units of the configured tags: unknown unit strings, and units whose
    dimension does not fit the tool field of the same name. Each names the key path."""
    kinds = field_kinds() if kinds is None else kinds
    problems = []
    for cid, cond in config.condensers.items():
        for kind in READING_KINDS:
            settings = cond.connectors.get(kind)
            if settings is None:
                continue
            counters: dict[str, int] = {}
            for key, name, unit in _entries(kind, settings):
                i = counters.get(key, 0)
                counters[key] = i + 1
                path = f"condensers.{cid}.{kind}.{key}.{i}.unit"
                try:
                    to_si_unit(1.0, unit, kind=kinds.get(name))
                except UnitError as exc:
                    problems.append(f"{path}: '{name}' {exc}")
    return problems


# ------------------------------------------------------------------------------------------
# Values
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveValue:
    """One reading with what the tools need to judge and use it.

    Attributes
    ----------
    name : str
        Canonical name (tool argument name).
    reading : connectors.Reading
        As the connector delivered it (value in ``reading.unit``).
    service, connector : str
        Connector service name (breaker name, e.g. ``"scada"``) and kind (``"opcua"``...).
    kind : str or None
        Quantity kind of the tool field of that name, if any.
    value_si : float or None
        Value in SI base units (None when bad or not convertible).
    age_s, max_age_s : float
        Age of the source timestamp and its staleness limit [s].
    stale, bad : bool
        Older than the limit; quality bad (or not convertible).
    problem : str or None
        Why the value may not be used (stale, bad, unit, implausible), naming the tag.
    implausible : bool
        Good quality and convertible, but outside the sane plant range of its field (or of its
        quantity kind), e.g. a float32-max register: never used.
    """

    name: str
    reading: Any
    service: str
    connector: str
    kind: str | None
    value_si: float | None
    age_s: float
    max_age_s: float
    stale: bool
    bad: bool
    problem: str | None = None
    implausible: bool = False

    @property
    def usable(self) -> bool:
        return self.problem is None

    def source(self) -> dict[str, Any]:
        """The ``provenance.sources`` record of this value."""
        return {**self.reading.provenance(), "service": self.service}


@dataclass
class LiveSnapshot:
    """What a read gave: values by name (every one judged) and per-connector failures."""

    condenser_id: str
    taken_at: datetime
    values: dict[str, LiveValue] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)


# ------------------------------------------------------------------------------------------
# The manager
# ------------------------------------------------------------------------------------------


@dataclass
class _Slot:
    """One connector of one condenser; created and started lazily, on the loop, at first use
    (so a configuration costs no connector imports or connections until live data is needed)."""

    condenser_id: str
    kind: str
    settings: Any
    names: tuple[str, ...]
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    connector: Any = None
    started: bool = False
    starting: bool = False  #: its first start (connect, subscribe) is in progress
    start_error: str | None = None

    @property
    def service(self) -> str:
        return str(self.settings.service)

    @property
    def endpoint(self) -> str:
        s = self.settings
        if self.kind == "modbus":
            return f"{s.host}:{s.port}"
        return redact_url(str(getattr(s, "endpoint", None) or getattr(s, "base_url", None) or getattr(s, "url", "")))

    @property
    def call_timeout_s(self) -> float:
        return float(self.settings.breaker.call_timeout_s)

    def stale_limits(self) -> dict[str, float]:
        """Staleness limit per name [s] (the connectors' own rule: per-tag limit, else the default)."""
        default = float(getattr(self.settings, "stale_after_s", 60.0))
        items = {"opcua": "tags", "modbus": "registers", "historian": "streams"}.get(self.kind)
        if items is None:
            return {name: default for name in self.names}
        return {e.name: float(e.stale_after_s or default) for e in getattr(self.settings, items)}


_MANAGERS: weakref.WeakSet[ConnectorManager] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:  # pragma: no cover - process exit
    for manager in list(_MANAGERS):
        manager.close(timeout=2.0)


class ConnectorManager:
    """The plant's connectors on one background event loop; the registry's live provider.

    Parameters
    ----------
    config : PlantConfig
        Condensers and their connector settings.
    read_timeout_s : float, optional
        Upper bound on one :meth:`read` [s]; default: the longest breaker ``call_timeout_s`` of
        the connectors involved plus 2 s (the connectors' own timeouts normally fire first).
    breaker_clock : callable, optional
        Monotonic clock for every connector's circuit breaker (tests).

    Raises
    ------
    condensync_tools.config.ConfigError
        A tag's unit is unknown or does not fit the tool field of the same name.
    """

    def __init__(
        self,
        config: PlantConfig,
        *,
        read_timeout_s: float | None = None,
        breaker_clock: Callable[[], float] | None = None,
    ) -> None:
        from .config import ConfigError

        problems = check_config_units(config)
        if problems:
            raise ConfigError(config.path, problems)
        self.config = config
        self.read_timeout_s = read_timeout_s
        self._breaker_clock = breaker_clock
        self._kinds: dict[str, str] | None = None
        self._ranges: dict[str, tuple[float, float]] | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name="condensync-connectors", daemon=True)
        self._closed = False
        self._slots: dict[str, list[_Slot]] = {}
        for cid, cond in config.condensers.items():
            self._slots[cid] = [
                _Slot(
                    cid,
                    kind,
                    cond.connectors[kind],
                    tuple(name for _, name, _ in _entries(kind, cond.connectors[kind])),
                )
                for kind in READING_KINDS
                if kind in cond.connectors
            ]
        self._cmms: dict[str, Any] = {}
        self._thread.start()
        _MANAGERS.add(self)

    # ---- loop --------------------------------------------------------------------------

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        """Run ``coro`` on the connector loop and wait at most ``timeout`` seconds for it."""
        if self._closed:
            coro.close()
            raise LiveDataError(["$.data_source: live data is not available, got a closed connector manager"])
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        """Run a coroutine on the connector loop (e.g. a CMMS request) and return its result."""
        return self._call(coro, timeout)

    def _connector(self, slot: _Slot) -> Any:
        """The slot's connector, created on first use (call on the loop: its asyncio objects
        belong to it)."""
        if slot.connector is None:
            import connectors

            factory: Callable[..., Any] = getattr(
                connectors,
                {
                    "opcua": "OpcUaConnector",
                    "modbus": "ModbusConnector",
                    "historian": "PiWebApiHistorian",
                    "weather": "WeatherConnector",
                }[slot.kind],
            )
            slot.connector = factory(slot.settings, breaker_clock=self._breaker_clock)
        return slot.connector

    async def _cmms_client(self, condenser_id: str) -> Any:
        if condenser_id not in self._cmms:
            import connectors

            settings = self.config.condensers[condenser_id].connectors["cmms"]
            self._cmms[condenser_id] = connectors.CmmsClient(settings, breaker_clock=self._breaker_clock)
        return self._cmms[condenser_id]

    # ---- lifecycle -----------------------------------------------------------------------

    async def _start_slot(self, slot: _Slot) -> None:
        async with slot.lock:
            if slot.started:
                return
            slot.started = True  # a failed start is not repeated: reads reconnect on demand
            slot.starting = True
            try:
                await self._connector(slot).start()
                slot.start_error = None
            except Exception as exc:  # noqa: BLE001 - reported by status() and by the next read
                slot.start_error = redact_text(str(exc))
                log.warning(
                    "connector %s (%s) of %s did not start: %s", slot.service, slot.kind, slot.condenser_id, exc
                )
                raise
            finally:
                slot.starting = False

    async def _start_all(self) -> None:
        slots = [s for group in self._slots.values() for s in group]
        await asyncio.gather(*(self._start_slot(s) for s in slots), return_exceptions=True)

    def start(self, wait: bool = False, timeout: float = 30.0) -> None:
        """Start every reading connector now (connect, subscribe, poll) instead of on first use.

        Parameters
        ----------
        wait : bool
            Wait until every connector has started or failed to.
        timeout : float
            Longest wait [s].
        """
        future = asyncio.run_coroutine_threadsafe(self._start_all(), self._loop)
        if wait:
            try:
                future.result(timeout)
            except concurrent.futures.TimeoutError:
                log.warning("connectors still starting after %g s", timeout)

    async def _stop_all(self) -> None:
        await self._stop_connectors()
        me = asyncio.current_task()
        rest = [t for t in asyncio.all_tasks() if t is not me]
        for task in rest:
            task.cancel()
        await asyncio.gather(*rest, return_exceptions=True)

    async def _stop_connectors(self) -> None:
        for group in self._slots.values():
            for slot in group:
                if slot.connector is None:
                    continue
                try:
                    await slot.connector.stop()
                except Exception:  # noqa: BLE001 - best effort on shutdown
                    log.debug("stopping %s failed", slot.service, exc_info=True)
        for client in self._cmms.values():
            try:
                await client.aclose()
            except Exception:  # noqa: BLE001
                log.debug("closing the CMMS client failed", exc_info=True)

    def close(self, timeout: float = 5.0) -> None:
        """Stop every connector and the loop thread (idempotent)."""
        if self._closed:
            return
        if self._thread.is_alive():
            future = asyncio.run_coroutine_threadsafe(self._stop_all(), self._loop)
            try:
                future.result(timeout)
            except Exception:  # noqa: BLE001 - best effort on shutdown
                log.debug("connector shutdown did not finish cleanly", exc_info=True)
        self._closed = True
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._loop.close()
        _MANAGERS.discard(self)

    def __enter__(self) -> ConnectorManager:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- configuration -------------------------------------------------------------------

    @property
    def kinds(self) -> dict[str, str]:
        if self._kinds is None:
            self._kinds = field_kinds()
        return self._kinds

    @property
    def plausible_ranges(self) -> dict[str, tuple[float, float]]:
        if self._ranges is None:
            self._ranges = field_plausible_ranges()
        return self._ranges

    def condenser_ids(self) -> list[str]:
        return sorted(self._slots)

    def _slots_of(self, condenser_id: str) -> list[_Slot]:
        self.config.condenser(condenser_id)  # InvalidArguments naming the configured ids
        return self._slots.get(condenser_id, [])

    def configured_names(self, condenser_id: str) -> dict[str, tuple[str, str]]:
        """Name → (connector kind, service) of every reading configured for the condenser."""
        out: dict[str, tuple[str, str]] = {}
        for slot in self._slots_of(condenser_id):
            for name in slot.names:
                out.setdefault(name, (slot.kind, slot.service))
        return out

    def cmms(self, condenser_id: str) -> Any | None:
        """The condenser's :class:`connectors.CmmsClient` (created on first use), or None when it
        has no ``[cmms]`` table."""
        if "cmms" not in self.config.condenser(condenser_id).connectors:
            return None
        return self._call(self._cmms_client(condenser_id), timeout=10.0)

    def create_work_order(self, condenser_id: str, request: Any, *, dry_run: bool, timeout: float) -> Any:
        """File (or with ``dry_run`` preview) a work order through the condenser's CMMS client
        on the connector loop: the ``WorkOrderService`` of the execution context
        (:class:`connectors.WorkOrderResult`). LiveDataError when the condenser has no
        ``[cmms]`` table; TimeoutError after ``timeout`` seconds."""
        client = self.cmms(condenser_id)
        if client is None:
            raise LiveDataError([f"$.condenser_id: a [condensers.{condenser_id}.cmms] table, got none"])
        return self._call(client.create_work_order(request, dry_run=dry_run), timeout=timeout)

    def _plan(self, condenser_id: str, names: Iterable[str]) -> list[tuple[_Slot, list[str]]]:
        wanted = list(dict.fromkeys(names))
        plan: list[tuple[_Slot, list[str]]] = []
        taken: set[str] = set()
        for slot in self._slots_of(condenser_id):
            mine = [n for n in wanted if n in slot.names and n not in taken]
            if mine:
                plan.append((slot, mine))
                taken.update(mine)
        return plan

    # ---- reading -------------------------------------------------------------------------

    async def _read_slot(self, slot: _Slot, names: list[str]) -> dict[str, Any]:
        if not slot.started:
            await self._start_slot(slot)  # its error is the reason this read fails
        return await self._connector(slot).read(names)

    async def _gather(self, plan: list[tuple[_Slot, list[str]]]) -> list[Any]:
        return await asyncio.gather(*(self._read_slot(slot, names) for slot, names in plan), return_exceptions=True)

    def _timeout(self, plan: list[tuple[_Slot, list[str]]]) -> float:
        if self.read_timeout_s is not None:
            return self.read_timeout_s
        return max((slot.call_timeout_s for slot, _ in plan), default=10.0) + 2.0

    def _judge(self, slot: _Slot, name: str, reading: Any, now: datetime) -> LiveValue:
        from connectors import BadQualityError, StaleDataError, check_fresh

        limit = slot.stale_limits()[name]
        age = reading.age_s(now)
        kind = self.kinds.get(name)
        problem = None
        stale = bad = False
        value_si = None
        try:
            check_fresh({name: reading}, limit, now)
        except BadQualityError:
            bad = True
            problem = (
                f"$.{name}: a good-quality live value from tag {reading.tag} ({slot.service}, "
                f"{slot.kind}), got quality {reading.quality.value} with status {reading.status} at "
                f"{reading.source_timestamp.isoformat()}; the value is not used: check the instrument "
                "and its signal path"
            )
        except StaleDataError:
            stale = True
        if stale:
            problem = (
                f"$.{name}: a live value no older than {limit:g} s from tag {reading.tag} "
                f"({slot.service}, {slot.kind}), got one {age:.1f} s old (source timestamp "
                f"{reading.source_timestamp.isoformat()}); the value is not used: check that the "
                "transmitter, the PLC/DCS scan and the data link are alive"
            )
        if not bad and math.isfinite(reading.value):
            try:
                value_si = to_si_unit(reading.value, reading.unit, kind=kind, tag=reading.tag)
            except UnitError as exc:
                bad = True
                problem = problem or f"$.{name}: a convertible unit, got: {exc}"
        implausible = False
        range_kind = kind or display_kind(name, reading.unit, self.kinds)
        if value_si is not None and range_kind is not None:
            ranges = self.plausible_ranges
            lo, hi = ranges.get(name) or ranges.get(f"kind:{range_kind}", (-math.inf, math.inf))
            if not lo <= value_si <= hi:
                from .validation import implausible_problem

                implausible = True
                problem = problem or (
                    f"{implausible_problem(f'$.{name}', range_kind, value_si, lo, hi, 'SI')}, from tag {reading.tag} "
                    f"({slot.service}, {slot.kind}; raw {reading.value:.6g} {reading.unit}); the value is not used: "
                    "check the register/tag data type, scale and word order and the instrument"
                )
        return LiveValue(
            name, reading, slot.service, slot.kind, kind, value_si, age, limit, stale, bad, problem, implausible
        )

    def snapshot(self, condenser_id: str, names: Iterable[str] | None = None) -> LiveSnapshot:
        """Read ``names`` (default: every configured one) and judge each value; never raises for
        a stale or bad value or an unreachable connector: those are flagged / listed.

        Raises
        ------
        InvalidArguments
            Unknown condenser.
        LiveDataError
            The read did not finish within the read timeout.
        """
        from connectors.types import utcnow

        configured = self.configured_names(condenser_id)
        wanted = list(configured) if names is None else [n for n in names if n in configured]
        plan = self._plan(condenser_id, wanted)
        timeout = self._timeout(plan)
        try:
            results = self._call(self._gather(plan), timeout) if plan else []
        except concurrent.futures.TimeoutError:
            raise LiveDataError(
                [
                    f"$.data_source: live values of {condenser_id} within {timeout:g} s, got no "
                    "answer from " + ", ".join(f"{s.service} ({s.endpoint})" for s, _ in plan)
                ]
            ) from None
        now = utcnow()
        snap = LiveSnapshot(condenser_id, now)
        for (slot, slot_names), result in zip(plan, results, strict=True):
            if isinstance(result, BaseException):
                message = redact_text(getattr(result, "message", None) or f"{type(result).__name__}: {result}")
                snap.errors.append(
                    {
                        "service": slot.service,
                        "connector": slot.kind,
                        "endpoint": slot.endpoint,
                        "names": list(slot_names),
                        "error": message,
                        "error_type": type(result).__name__,
                    }
                )
                continue
            for name in slot_names:
                snap.values[name] = self._judge(slot, name, result[name], now)
        return snap

    def read(self, condenser_id: str, fields: list[str]) -> tuple[dict[str, float], list[dict]]:
        """The registry's ``LiveProvider.read``: SI values by field name and their sources.

        Fields with no configured tag are not returned.

        Raises
        ------
        LiveDataError
            Any value stale, of bad quality or in an unknown unit (each named with its tag), or a
            connector unreachable / timed out / with an open breaker (its message).
        InvalidArguments
            Unknown condenser.
        """
        snap = self.snapshot(condenser_id, fields)
        problems = [v.problem for v in snap.values.values() if v.problem]
        for err in snap.errors:
            problems.append(
                f"$.data_source: live values of {', '.join(err['names'])} from {err['service']} "
                f"({err['connector']}, {err['endpoint']}), got an error: {err['error']}"
            )
        if problems:
            raise LiveDataError(problems)
        values = {name: v.value_si for name, v in snap.values.items() if v.value_si is not None}
        sources = [snap.values[name].source() for name in sorted(snap.values)]
        return values, sources

    # ---- status --------------------------------------------------------------------------

    async def _status(self, condenser_id: str | None) -> dict[str, Any]:
        from connectors import breaker_states

        connectors_out = []
        for cid in sorted(self._slots):
            if condenser_id and cid != condenser_id:
                continue
            for slot in self._slots[cid]:
                if slot.connector is not None:
                    status = dict(slot.connector.status())
                else:  # not used yet: nothing created, nothing connected
                    status = {
                        "service": slot.service,
                        "kind": slot.kind,
                        "endpoint": slot.endpoint,
                        "connected": False,
                        "last_update": None,
                        "tags": {},
                    }
                status.update(
                    {
                        "condenser_id": cid,
                        "started": slot.started,
                        "start_error": slot.start_error,
                        "starting": slot.starting,
                        "stale_limits_s": slot.stale_limits(),
                    }
                )
                connectors_out.append(status)
            if "cmms" in self.config.condensers[cid].connectors:
                status = dict((await self._cmms_client(cid)).status())
                status.update(
                    {
                        "condenser_id": cid,
                        "kind": "cmms",
                        "started": True,
                        "start_error": None,
                        "connected": (status.get("breaker") or {}).get("state") != "open",
                    }
                )
                connectors_out.append(status)
        return {"connectors": connectors_out, "breakers": breaker_states()}

    def status(self, condenser_id: str | None = None, timeout: float = 10.0) -> dict[str, Any]:
        """Every connector's status (connection, last update, breaker, age of each value) and the
        state of every circuit breaker in the process."""
        if condenser_id:
            self.config.condenser(condenser_id)
        return self._call(self._status(condenser_id or None), timeout)


#: The registry-facing name of the manager.
PlantLiveProvider = ConnectorManager


def build_live_provider(config: PlantConfig | None, **kwargs: Any) -> ConnectorManager | None:
    """A :class:`ConnectorManager` for ``config`` when any condenser has a connector, else None."""
    if config is None or not any(cond.connectors for cond in config.condensers.values()):
        return None
    return ConnectorManager(config, **kwargs)
