# SPDX-License-Identifier: MIT
"""Retention: aggregate, prune, and keep the ledger verifiable with signed checkpoints.

Policy (defaults from the original design, all configurable through
:class:`RetentionPolicy`): raw records (ledger entries, ``condenser_events``,
``optimization_results``) 90 days, hourly aggregates 365 days, daily aggregates 7 years.

What :func:`prune` does, for a given ``now``:

1. **Ledger.** The longest prefix of the chain whose entries were all recorded before
   ``now - raw_days`` is pruned, in batches of at most ``ledger_batch`` entries, each in
   one write transaction that also locks the chain head (so appends wait, and a crash
   leaves either the old or the new state). Before deleting, the batch is *verified*
   (checkpoints, links and hashes, and the head if the batch reaches it); a chain that
   does not verify is never pruned (:class:`LedgerIntegrityError`), so pruning cannot
   launder tampering. A checkpoint row records the chain, ordinal, first and last pruned
   seq, the last pruned entry's hash, the count and time span of the pruned entries, the
   previous checkpoint's hash, and its own hash (SHA-256 of the RFC 8785 form of those
   fields); with a ledger key (``CONDENSYNC_LEDGER_KEY``) it is also signed with
   HMAC-SHA256. The head row names the newest checkpoint. :func:`~.verify.verify` then
   starts from the checkpoint: the first remaining entry must link to its
   ``last_entry_hash``.
2. **Readings and results.** Raw ``condenser_events`` with a numeric value and the
   cleanliness factor / fouling resistance of ``optimization_results`` older than the raw
   horizon are folded into ``condenser_events_hourly`` and ``condenser_events_daily``
   (count, sum, min, mean, max per condenser, name and unit; results appear under the name
   ``result:<tool>:<field>``), merging with buckets already there, and then deleted: one
   day-window per transaction, so every raw row is counted exactly once.
3. **Aggregates.** Hourly buckets older than ``hourly_days`` and daily buckets older than
   ``daily_days`` are deleted.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from .. import settings
from .canonical import checkpoint_canonical, hmac_hex, sha256_hex, to_utc
from .engine import begin_write, is_postgres
from .history import result_metric_name
from .ledger import DEFAULT_CHAIN
from .models import (
    ChainHeadRow,
    CheckpointRow,
    CondenserEventRow,
    DailyAggregateRow,
    HourlyAggregateRow,
    LedgerEntryRow,
    OptimizationResultRow,
)
from .verify import Problem, load_base, walk

__all__ = [
    "ENV_LEDGER_KEY",
    "RetentionPolicy",
    "CheckpointInfo",
    "PruneReport",
    "LedgerIntegrityError",
    "ledger_key_from_env",
    "prune",
    "prune_ledger",
    "aggregate_and_prune_history",
]

log = logging.getLogger(__name__)

ENV_LEDGER_KEY = settings.LEDGER_KEY.name
"""Environment variable holding the HMAC key for checkpoints (its UTF-8 bytes are the key)."""

_ENTRY = LedgerEntryRow.__table__
_HEAD = ChainHeadRow.__table__
_CP = CheckpointRow.__table__
_EV = CondenserEventRow.__table__
_RES = OptimizationResultRow.__table__
_HOURLY = HourlyAggregateRow.__table__
_DAILY = DailyAggregateRow.__table__


def ledger_key_from_env() -> bytes | None:
    """Return the ledger HMAC key from ``CONDENSYNC_LEDGER_KEY`` (UTF-8 bytes), or None."""
    value = settings.LEDGER_KEY.raw()
    return value.encode("utf-8") if value else None


@dataclass(frozen=True)
class RetentionPolicy:
    """How long each kind of record is kept.

    Parameters
    ----------
    raw_days : int
        Ledger entries, raw readings and raw results [days]. Default 90.
    hourly_days : int
        Hourly aggregates [days]. Default 365.
    daily_days : int
        Daily aggregates [days]. Default 2557 (7 years).
    prune_ledger : bool
        Whether ledger entries are pruned at all (some sites keep the whole audit trail).
    ledger_batch : int
        Maximum ledger entries removed per transaction/checkpoint.
    """

    raw_days: int = 90
    hourly_days: int = 365
    daily_days: int = 2557
    prune_ledger: bool = True
    ledger_batch: int = 50_000

    def __post_init__(self) -> None:
        if min(self.raw_days, self.hourly_days, self.daily_days) < 1 or self.ledger_batch < 1:
            raise ValueError(f"retention periods and batch size must be positive: {self!r}")


@dataclass(frozen=True)
class CheckpointInfo:
    """A checkpoint written by :func:`prune_ledger`."""

    chain: str
    ordinal: int
    first_seq: int
    last_seq: int
    last_entry_hash: str
    entry_count: int
    checkpoint_hash: str
    signed: bool


@dataclass(frozen=True)
class PruneReport:
    """What :func:`prune` removed and wrote."""

    ledger_entries_pruned: int = 0
    checkpoints: tuple[CheckpointInfo, ...] = ()
    events_pruned: int = 0
    results_pruned: int = 0
    hourly_buckets_written: int = 0
    daily_buckets_written: int = 0
    hourly_pruned: int = 0
    daily_pruned: int = 0
    details: dict[str, Any] = field(default_factory=dict)


class LedgerIntegrityError(RuntimeError):
    """The ledger does not verify, so it was not pruned.

    Attributes
    ----------
    problem : Problem
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(f"ledger does not verify, not pruned: seq {problem.seq}: {problem.kind}: {problem.detail}")


def prune(
    engine: Engine,
    policy: RetentionPolicy | None = None,
    now: datetime | None = None,
    *,
    chain: str = DEFAULT_CHAIN,
    key: bytes | None = None,
) -> PruneReport:
    """Apply ``policy`` at time ``now`` (see module docstring).

    Parameters
    ----------
    engine : sqlalchemy.Engine
    policy : RetentionPolicy, optional
    now : datetime, optional
        Reference time (default: current UTC time).
    chain : str
    key : bytes, optional
        HMAC key for checkpoint signatures.

    Returns
    -------
    PruneReport

    Raises
    ------
    LedgerIntegrityError
        If the ledger part to be pruned does not verify (nothing of the ledger is pruned;
        history is still aggregated and pruned).
    """
    policy = policy or RetentionPolicy()
    now = to_utc(now) if now is not None else datetime.now(UTC)
    raw_horizon = now - timedelta(days=policy.raw_days)
    hist = aggregate_and_prune_history(engine, raw_horizon)
    with engine.connect() as conn, begin_write(conn):
        hourly_pruned = conn.execute(
            delete(_HOURLY).where(_HOURLY.c.bucket_start < now - timedelta(days=policy.hourly_days))
        ).rowcount
        daily_pruned = conn.execute(
            delete(_DAILY).where(_DAILY.c.bucket_start < now - timedelta(days=policy.daily_days))
        ).rowcount
    cps: list[CheckpointInfo] = []
    if policy.prune_ledger:
        cps = prune_ledger(engine, raw_horizon, now, chain=chain, key=key, batch=policy.ledger_batch)
    return PruneReport(
        ledger_entries_pruned=sum(c.entry_count for c in cps),
        checkpoints=tuple(cps),
        events_pruned=hist["events_pruned"],
        results_pruned=hist["results_pruned"],
        hourly_buckets_written=hist["hourly_written"],
        daily_buckets_written=hist["daily_written"],
        hourly_pruned=hourly_pruned,
        daily_pruned=daily_pruned,
        details={"raw_horizon": raw_horizon.isoformat()},
    )


# ----------------------------------------------------------------------------- ledger


def _lock_head(conn: Connection, chain: str) -> Any:
    stmt = select(_HEAD).where(_HEAD.c.chain == chain)
    if is_postgres(conn):
        stmt = stmt.with_for_update()
    return conn.execute(stmt).first()


def prune_ledger(
    engine: Engine,
    horizon: datetime,
    now: datetime,
    *,
    chain: str = DEFAULT_CHAIN,
    key: bytes | None = None,
    batch: int = 50_000,
) -> list[CheckpointInfo]:
    """Prune the chain's prefix recorded before ``horizon``, writing one checkpoint per batch.

    Returns
    -------
    list of CheckpointInfo
        The checkpoints written (empty if nothing was old enough).

    Raises
    ------
    LedgerIntegrityError
        If the entries to prune (or existing checkpoints) do not verify.
    """
    out: list[CheckpointInfo] = []
    while True:
        with engine.connect() as conn, begin_write(conn):
            info = _prune_batch(conn, chain, to_utc(horizon), to_utc(now), key, batch)
        if info is None:
            return out
        log.info(
            "ledger %s: pruned entries %d..%d, checkpoint #%d",
            chain,
            info.first_seq,
            info.last_seq,
            info.ordinal,
        )
        out.append(info)


def _prune_batch(
    conn: Connection, chain: str, horizon: datetime, now: datetime, key: bytes | None, batch: int
) -> CheckpointInfo | None:
    head = _lock_head(conn, chain)
    if head is None:
        return None
    cps, head, base, problem = load_base(conn, chain, key)
    if problem is not None:
        raise LedgerIntegrityError(problem)
    first_young = conn.execute(
        select(func.min(_ENTRY.c.seq)).where(_ENTRY.c.chain == chain, _ENTRY.c.recorded_at >= horizon)
    ).scalar()
    last_old = (int(first_young) - 1) if first_young is not None else int(head.last_seq)
    last = min(last_old, base.seq + batch)
    if last <= base.seq:
        return None
    w = walk(conn, chain, base, upto=last)
    if w.problem is not None:
        raise LedgerIntegrityError(w.problem)
    if w.last_seq != last:
        raise LedgerIntegrityError(Problem(w.expected_seq, "deleted", f"entries {w.expected_seq}..{last} are missing"))
    if last == head.last_seq and head.last_hash != w.expected_prev:
        raise LedgerIntegrityError(Problem(last, "edited", f"entry {last} does not match the chain head"))
    assert w.span_start is not None and w.span_end is not None
    fields = {
        "chain": chain,
        "ordinal": len(cps) + 1,
        "first_seq": base.seq + 1,
        "last_seq": last,
        "last_entry_hash": w.expected_prev,
        "entry_count": last - base.seq,
        "span_start": w.span_start,
        "span_end": w.span_end,
        "prev_checkpoint_hash": base.checkpoint_hash or "0" * 64,
        "created_at": now,
    }
    text = checkpoint_canonical(**fields)
    cp_hash = sha256_hex(text)
    signature = hmac_hex(key, text) if key is not None else None
    conn.execute(insert(_CP).values(checkpoint_hash=cp_hash, signature=signature, **fields))
    conn.execute(delete(_ENTRY).where(_ENTRY.c.chain == chain, _ENTRY.c.seq <= last))
    conn.execute(update(_HEAD).where(_HEAD.c.chain == chain).values(checkpoint_hash=cp_hash))
    return CheckpointInfo(
        chain=chain,
        ordinal=fields["ordinal"],
        first_seq=fields["first_seq"],
        last_seq=last,
        last_entry_hash=w.expected_prev,
        entry_count=fields["entry_count"],
        checkpoint_hash=cp_hash,
        signed=signature is not None,
    )


# ---------------------------------------------------------------------------- history

_Key = tuple[str, str, str, datetime]  # condenser_id, name, unit, bucket_start


class _Acc:
    __slots__ = ("n", "s", "lo", "hi")

    def __init__(self) -> None:
        self.n, self.s, self.lo, self.hi = 0, 0.0, float("inf"), float("-inf")

    def add(self, n: int, s: float, lo: float, hi: float) -> None:
        self.n += n
        self.s += s
        self.lo = min(self.lo, lo)
        self.hi = max(self.hi, hi)


def _floor(ts: datetime, unit: str) -> datetime:
    ts = to_utc(ts)
    if unit == "hour":
        return ts.replace(minute=0, second=0, microsecond=0)
    return ts.replace(hour=0, minute=0, second=0, microsecond=0)


def _bucket_expr(conn: Connection, column: Any, unit: str) -> Any:
    if is_postgres(conn):
        return func.date_trunc(unit, func.timezone("UTC", column))
    fmt = "%Y-%m-%d %H:00:00" if unit == "hour" else "%Y-%m-%d 00:00:00"
    return func.strftime(fmt, column)


def _as_bucket(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return to_utc(value)


def _collect(conn: Connection, lo: datetime, hi: datetime, unit: str) -> dict[_Key, _Acc]:
    """Group raw events and result metrics in [lo, hi) by condenser, name, unit and bucket."""
    acc: dict[_Key, _Acc] = defaultdict(_Acc)
    b = _bucket_expr(conn, _EV.c.timestamp, unit).label("b")
    ev = (
        select(
            _EV.c.condenser_id,
            _EV.c.name,
            _EV.c.unit,
            b,
            func.count(_EV.c.value),
            func.sum(_EV.c.value),
            func.min(_EV.c.value),
            func.max(_EV.c.value),
        )
        .where(_EV.c.timestamp >= lo, _EV.c.timestamp < hi, _EV.c.value.is_not(None))
        .group_by(_EV.c.condenser_id, _EV.c.name, _EV.c.unit, b)
    )
    for cid, name, u, bucket, n, s, mn, mx in conn.execute(ev):
        acc[(cid, name, u or "", _as_bucket(bucket))].add(int(n), float(s), float(mn), float(mx))
    rb = _bucket_expr(conn, _RES.c.timestamp, unit).label("b")
    for field_name in ("cleanliness_factor", "fouling_resistance"):
        col = getattr(_RES.c, field_name)
        keys: list[Any] = [_RES.c.condenser_id, _RES.c.tool, rb]
        if field_name == "fouling_resistance":
            keys.append(_RES.c.fouling_resistance_unit)
        stmt = (
            select(*keys, func.count(col), func.sum(col), func.min(col), func.max(col))
            .where(_RES.c.timestamp >= lo, _RES.c.timestamp < hi, col.is_not(None))
            .group_by(*keys)
        )
        for row in conn.execute(stmt):
            cid, tool, bucket = row[0], row[1], row[2]
            u = row[3] if len(keys) == 4 else ""
            n, s, mn, mx = row[len(keys) :]
            key = (cid, result_metric_name(tool, field_name), u or "", _as_bucket(bucket))
            acc[key].add(int(n), float(s), float(mn), float(mx))
    return acc


def _merge(conn: Connection, table: Any, acc: dict[_Key, _Acc]) -> int:
    """Merge accumulated buckets into an aggregate table; returns buckets written."""
    if not acc:
        return 0
    buckets = [k[3] for k in acc]
    existing = {
        (r.condenser_id, r.name, r.unit, to_utc(r.bucket_start)): r
        for r in conn.execute(
            select(table).where(table.c.bucket_start >= min(buckets), table.c.bucket_start <= max(buckets))
        )
    }
    inserts: list[dict[str, Any]] = []
    for key, a in acc.items():
        old = existing.get(key)
        if old is not None:
            a.add(int(old.value_count), float(old.value_sum), float(old.value_min), float(old.value_max))
            conn.execute(
                update(table)
                .where(table.c.id == old.id)
                .values(value_count=a.n, value_sum=a.s, value_min=a.lo, value_max=a.hi, value_mean=a.s / a.n)
            )
        else:
            cid, name, unit, bucket = key
            inserts.append(
                {
                    "condenser_id": cid,
                    "name": name,
                    "unit": unit,
                    "bucket_start": bucket,
                    "value_count": a.n,
                    "value_sum": a.s,
                    "value_min": a.lo,
                    "value_max": a.hi,
                    "value_mean": a.s / a.n,
                }
            )
    if inserts:
        conn.execute(insert(table), inserts)
    return len(acc)


def aggregate_and_prune_history(engine: Engine, horizon: datetime) -> dict[str, int]:
    """Fold raw events/results older than ``horizon`` into aggregates, then delete them.

    Works one UTC day window per transaction, oldest first.

    Returns
    -------
    dict
        ``events_pruned``, ``results_pruned``, ``hourly_written``, ``daily_written``.
    """
    horizon = to_utc(horizon)
    totals = {"events_pruned": 0, "results_pruned": 0, "hourly_written": 0, "daily_written": 0}
    while True:
        with engine.connect() as conn, begin_write(conn):
            oldest = [
                conn.execute(select(func.min(t.c.timestamp)).where(t.c.timestamp < horizon)).scalar()
                for t in (_EV, _RES)
            ]
            found = [to_utc(_as_bucket(o)) for o in oldest if o is not None]
            if not found:
                return totals
            lo = _floor(min(found), "day")
            hi = min(lo + timedelta(days=1), horizon)
            totals["hourly_written"] += _merge(conn, _HOURLY, _collect(conn, lo, hi, "hour"))
            totals["daily_written"] += _merge(conn, _DAILY, _collect(conn, lo, hi, "day"))
            totals["events_pruned"] += conn.execute(
                delete(_EV).where(_EV.c.timestamp >= lo, _EV.c.timestamp < hi)
            ).rowcount
            totals["results_pruned"] += conn.execute(
                delete(_RES).where(_RES.c.timestamp >= lo, _RES.c.timestamp < hi)
            ).rowcount
