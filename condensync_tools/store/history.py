# SPDX-License-Identifier: MIT
"""History of readings and computed results per condenser.

``condenser_events`` holds raw readings (``event_type="reading"``) and other events such
as alerts; ``optimization_results`` holds the key results of tool calls, with the
cleanliness factor and fouling resistance as columns so that trends are cheap to query.
Both are indexed by (condenser_id, timestamp). Retention
(:mod:`condensync_tools.store.retention`) later folds old rows into hourly and daily
aggregates; :func:`fouling_history` reads those too, so a fouling trend reaches back years.

The store does not interpret the numbers. The one exception is that
:func:`fouling_history` can express fouling resistance in one unit system
(``unit_system="SI"`` or ``"US"``), because results recorded from calls made in different
unit systems would otherwise be mixed; the conversion is the exact factor between
m²·K/W and h·ft²·°F/Btu.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Engine, and_, insert, select

from .canonical import jsonable, to_utc
from .engine import begin_write
from .models import (
    CondenserEventRow,
    DailyAggregateRow,
    HourlyAggregateRow,
    OptimizationResultRow,
)

__all__ = [
    "result_metric_name",
    "parse_time",
    "rfc3339",
    "record_readings",
    "record_event",
    "record_result",
    "fouling_history",
    "readings",
    "results",
    "aggregates",
]

log = logging.getLogger(__name__)

_EV = CondenserEventRow.__table__
_RES = OptimizationResultRow.__table__
_HOURLY = HourlyAggregateRow.__table__
_DAILY = DailyAggregateRow.__table__

# Unit strings for fouling resistance (as a results' "units" map may spell them).
_RF_SI = {"m²·K/W", "m2·K/W", "m^2*K/W", "m2K/W", "m2.K/W", "m²K/W", "m2-K/W", "m^2·K/W"}
_RF_US = {
    "h·ft²·°F/Btu",
    "hr·ft²·°F/Btu",
    "h-ft2-F/Btu",
    "hr-ft2-F/Btu",
    "h*ft^2*F/Btu",
    "h·ft2·°F/Btu",
    "hr-ft²-°F/Btu",
    "h ft2 F/Btu",
    "hr·ft²·F/Btu",
}
# 1 Btu/(h·ft²·°F) = 5.678263341 W/(m²·K) (international table Btu), so
# 1 h·ft²·°F/Btu = 1 / 5.678263341 m²·K/W.
_US_TO_SI_RF = 1.0 / 5.678263341
_UNIT_OF_SYSTEM = {"SI": "m²·K/W", "US": "h·ft²·°F/Btu"}


def _jsonb(obj: Any) -> Any:
    return jsonable(obj, keep_nul=False)


def result_metric_name(tool: str, field: str) -> str:
    """Aggregate-table name under which a result column is kept after raw results are pruned."""
    return f"result:{tool}:{field}"


def parse_time(value: datetime | str) -> datetime:
    """Parse an aware/naive datetime or an RFC 3339 string into aware UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip().replace("z", "Z"))
    if not isinstance(value, datetime):
        raise TypeError(f"timestamp must be a datetime or an RFC 3339 string, got {type(value).__name__}")
    return to_utc(value)


def rfc3339(dt: datetime) -> str:
    """``2024-05-01T12:00:00Z`` (microseconds only when non-zero)."""
    return to_utc(dt).isoformat().replace("+00:00", "Z")


def _numeric(value: Any) -> tuple[float | None, Any]:
    """Split a reading value into (float column, non-numeric remainder for the payload)."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return float(value), None
    if isinstance(value, int | float):
        f = float(value)
        return (f, None) if math.isfinite(f) else (None, _jsonb(f))
    return None, _jsonb(value)


def record_readings(
    engine: Engine,
    condenser_id: str,
    readings: Iterable[Mapping[str, Any]],
    *,
    event_type: str = "reading",
    default_timestamp: datetime | None = None,
) -> int:
    """Store readings (one transaction).

    Parameters
    ----------
    engine : sqlalchemy.Engine
    condenser_id : str
    readings : iterable of mapping
        Each has ``name`` and ``value`` and optionally ``unit``, ``quality``, ``source`` and
        ``source_timestamp`` (datetime or RFC 3339; the event's timestamp). Other keys,
        and a value that is not a finite number, are kept in the ``payload`` JSON.
    event_type : str
        ``"reading"`` by default.
    default_timestamp : datetime, optional
        Timestamp for readings without ``source_timestamp`` (default: now).

    Returns
    -------
    int
        Number of rows written.
    """
    fallback = to_utc(default_timestamp) if default_timestamp is not None else datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    known = {"name", "value", "unit", "quality", "source", "source_timestamp", "payload"}
    for r in readings:
        if "name" not in r:
            raise ValueError(f"reading without a name: {dict(r)!r}")
        value, rest = _numeric(r.get("value"))
        payload: dict[str, Any] = {}
        if rest is not None:
            payload["value"] = rest
        if r.get("payload") is not None:
            payload["payload"] = _jsonb(r["payload"])
        extra = {k: _jsonb(v) for k, v in r.items() if k not in known}
        payload.update(extra)
        ts = r.get("source_timestamp")
        rows.append(
            {
                "condenser_id": str(condenser_id),
                "timestamp": parse_time(ts) if ts is not None else fallback,
                "event_type": event_type,
                "name": str(r["name"]),
                "value": value,
                "unit": None if r.get("unit") is None else str(r["unit"]),
                "quality": None if r.get("quality") is None else str(r["quality"]),
                "source": None if r.get("source") is None else str(r["source"]),
                "payload": payload or None,
            }
        )
    if not rows:
        return 0
    with engine.connect() as conn, begin_write(conn):
        conn.execute(insert(_EV), rows)
    return len(rows)


def record_event(
    engine: Engine,
    condenser_id: str,
    event_type: str,
    name: str,
    timestamp: datetime | str,
    *,
    value: Any = None,
    unit: str | None = None,
    quality: str | None = None,
    source: str | None = None,
    payload: Any = None,
) -> None:
    """Store one event (e.g. ``event_type="alert"``)."""
    record_readings(
        engine,
        condenser_id,
        [
            {
                "name": name,
                "value": value,
                "unit": unit,
                "quality": quality,
                "source": source,
                "source_timestamp": timestamp,
                "payload": payload,
            }
        ],
        event_type=event_type,
    )


def record_result(
    engine: Engine,
    condenser_id: str,
    tool: str,
    timestamp: datetime | str,
    result: Mapping[str, Any],
    provenance_hash: str | None = None,
    *,
    cleanliness_factor: float | None = None,
    fouling_resistance: float | None = None,
    fouling_resistance_unit: str | None = None,
) -> int:
    """Store a tool result for a condenser with the key figures the caller says to keep.

    The store does not look inside ``result`` (the tool declares what history keeps, see
    :class:`condensync_tools.registry.HistoryRecord`): ``cleanliness_factor`` and
    ``fouling_resistance`` (in ``fouling_resistance_unit``) become the columns
    :func:`fouling_history` reads; a result stored without them is kept but is no fouling
    point.

    Returns
    -------
    int
        The row id.
    """
    values = {
        "condenser_id": str(condenser_id),
        "timestamp": parse_time(timestamp),
        "tool": str(tool),
        "results": _jsonb(result),
        "cleanliness_factor": _finite(cleanliness_factor),
        "fouling_resistance": _finite(fouling_resistance),
        "fouling_resistance_unit": fouling_resistance_unit,
        "provenance_hash": provenance_hash,
    }
    with engine.connect() as conn, begin_write(conn):
        new_id = conn.execute(insert(_RES).values(**values).returning(_RES.c.id)).scalar_one()
    return int(new_id)


def _finite(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _convert_rf(value: float, unit: str | None, target: str | None) -> float | None:
    if target is None:
        return value
    if unit in _RF_SI:
        si = value
    elif unit in _RF_US:
        si = value * _US_TO_SI_RF
    else:
        return None
    return si if target == "SI" else si / _US_TO_SI_RF


def fouling_history(
    engine: Engine,
    condenser_id: str,
    since: datetime | str | None = None,
    *,
    until: datetime | str | None = None,
    tools: Sequence[str] | None = None,
    unit_system: Literal["SI", "US"] | None = None,
    include_aggregates: bool = True,
) -> list[dict[str, Any]]:
    """Cleanliness factor and fouling resistance of a condenser over time.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    condenser_id : str
    since, until : datetime or str, optional
        Inclusive lower / exclusive upper time bound.
    tools : sequence of str or None
        Tools whose results count (first wins when two share a timestamp); ``None`` (default):
        every result stored with a cleanliness factor and a fouling resistance (the first
        recorded wins when two share a timestamp).
    unit_system : {"SI", "US"} or None
        Express fouling resistance in m²·K/W ("SI") or h·ft²·°F/Btu ("US"); points whose
        unit is unknown are then left out (with a logged warning). ``None`` returns values
        as stored (a warning is logged if they carry different units).
    include_aggregates : bool
        Also return points from the hourly/daily aggregates of pruned results (timestamp =
        start of the hour/day, values = means), so that the trend reaches back beyond the
        raw-retention horizon.

    Returns
    -------
    list of dict
        ``[{"timestamp": RFC 3339 str, "cleanliness_factor": float,
        "fouling_resistance": float}, ...]`` in ascending time, one point per timestamp.
    """
    lo = parse_time(since) if since is not None else None
    hi = parse_time(until) if until is not None else None
    preference = {t: i for i, t in enumerate(tools)} if tools is not None else {}
    points: list[tuple[datetime, int, float, float, str | None]] = []

    stmt = select(
        _RES.c.timestamp,
        _RES.c.tool,
        _RES.c.cleanliness_factor,
        _RES.c.fouling_resistance,
        _RES.c.fouling_resistance_unit,
    ).where(
        _RES.c.condenser_id == condenser_id,
        _RES.c.cleanliness_factor.is_not(None),
        _RES.c.fouling_resistance.is_not(None),
    )
    if tools is not None:
        stmt = stmt.where(_RES.c.tool.in_(list(tools)))
    if lo is not None:
        stmt = stmt.where(_RES.c.timestamp >= lo)
    if hi is not None:
        stmt = stmt.where(_RES.c.timestamp < hi)
    stmt = stmt.order_by(_RES.c.id)
    with engine.connect() as conn:
        for ts, tool, cf, rf, unit in conn.execute(stmt):
            points.append((ts, preference.get(tool, len(preference)), cf, rf, unit))
        if include_aggregates:
            points += _aggregate_points(conn, condenser_id, lo, hi, tools, preference)

    units = {p[4] for p in points}
    if unit_system is None and len(units) > 1:
        log.warning("fouling_history(%s): fouling resistance stored in several units %s", condenser_id, units)
    best: dict[datetime, tuple[int, float, float]] = {}
    for ts, rank, cf, rf, unit in points:
        rf_out = _convert_rf(rf, unit, unit_system)
        if rf_out is None:
            log.warning("fouling_history(%s): unknown fouling resistance unit %r skipped", condenser_id, unit)
            continue
        if ts not in best or rank < best[ts][0]:
            best[ts] = (rank, cf, rf_out)
    return [
        {"timestamp": rfc3339(ts), "cleanliness_factor": float(cf), "fouling_resistance": float(rf)}
        for ts, (_, cf, rf) in sorted(best.items())
    ]


def _aggregate_points(
    conn: Any,
    condenser_id: str,
    lo: datetime | None,
    hi: datetime | None,
    tools: Sequence[str] | None,
    preference: dict[str, int],
) -> list[tuple[datetime, int, float, float, str | None]]:
    out: list[tuple[datetime, int, float, float, str | None]] = []
    hourly_start: datetime | None = None
    for table, span in ((_HOURLY, timedelta(hours=1)), (_DAILY, timedelta(days=1))):
        stmt = select(table.c.bucket_start, table.c.name, table.c.unit, table.c.value_mean).where(
            table.c.condenser_id == condenser_id, table.c.name.like("result:%")
        )
        if lo is not None:
            stmt = stmt.where(table.c.bucket_start >= lo)
        if hi is not None:
            stmt = stmt.where(table.c.bucket_start < hi)
        if table is _DAILY and hourly_start is not None:
            # Days fully covered by hourly aggregates are not repeated.
            stmt = stmt.where(table.c.bucket_start <= hourly_start - span)
        cf: dict[tuple[datetime, str], float] = {}
        rf: dict[tuple[datetime, str], tuple[float, str | None]] = {}
        for bucket, name, unit, mean in conn.execute(stmt):
            _, tool, field = name.split(":", 2)
            if tools is not None and tool not in preference:
                continue
            if field == "cleanliness_factor":
                cf[(bucket, tool)] = mean
            elif field == "fouling_resistance":
                rf[(bucket, tool)] = (mean, unit or None)
        for key, cf_mean in cf.items():
            if key in rf:
                bucket, tool = key
                out.append((bucket, preference.get(tool, len(preference)), cf_mean, rf[key][0], rf[key][1]))
        if table is _HOURLY and cf:
            hourly_start = min(b for b, _ in cf)
    return out


def readings(
    engine: Engine,
    condenser_id: str,
    *,
    name: str | None = None,
    event_type: str | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Raw events of a condenser in ascending time (optionally filtered)."""
    conds = [_EV.c.condenser_id == condenser_id]
    if name is not None:
        conds.append(_EV.c.name == name)
    if event_type is not None:
        conds.append(_EV.c.event_type == event_type)
    if since is not None:
        conds.append(_EV.c.timestamp >= parse_time(since))
    if until is not None:
        conds.append(_EV.c.timestamp < parse_time(until))
    stmt = select(_EV).where(and_(*conds)).order_by(_EV.c.timestamp, _EV.c.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [
        {
            "timestamp": rfc3339(r.timestamp),
            "event_type": r.event_type,
            "name": r.name,
            "value": r.value,
            "unit": r.unit,
            "quality": r.quality,
            "source": r.source,
            "payload": r.payload,
        }
        for r in rows
    ]


def results(
    engine: Engine,
    condenser_id: str,
    *,
    tool: str | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
) -> list[dict[str, Any]]:
    """Stored results of a condenser in ascending time."""
    conds = [_RES.c.condenser_id == condenser_id]
    if tool is not None:
        conds.append(_RES.c.tool == tool)
    if since is not None:
        conds.append(_RES.c.timestamp >= parse_time(since))
    if until is not None:
        conds.append(_RES.c.timestamp < parse_time(until))
    stmt = select(_RES).where(and_(*conds)).order_by(_RES.c.timestamp, _RES.c.id)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [
        {
            "timestamp": rfc3339(r.timestamp),
            "tool": r.tool,
            "results": r.results,
            "cleanliness_factor": r.cleanliness_factor,
            "fouling_resistance": r.fouling_resistance,
            "fouling_resistance_unit": r.fouling_resistance_unit,
            "provenance_hash": r.provenance_hash,
        }
        for r in rows
    ]


def aggregates(
    engine: Engine,
    condenser_id: str,
    resolution: Literal["hourly", "daily"] = "hourly",
    *,
    name: str | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
) -> list[dict[str, Any]]:
    """Hourly or daily aggregates of a condenser in ascending time."""
    table = _HOURLY if resolution == "hourly" else _DAILY
    conds = [table.c.condenser_id == condenser_id]
    if name is not None:
        conds.append(table.c.name == name)
    if since is not None:
        conds.append(table.c.bucket_start >= parse_time(since))
    if until is not None:
        conds.append(table.c.bucket_start < parse_time(until))
    stmt = select(table).where(and_(*conds)).order_by(table.c.bucket_start, table.c.name, table.c.unit)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [
        {
            "bucket_start": rfc3339(r.bucket_start),
            "name": r.name,
            "unit": r.unit or None,
            "count": int(r.value_count),
            "min": r.value_min,
            "mean": r.value_mean,
            "max": r.value_max,
        }
        for r in rows
    ]
