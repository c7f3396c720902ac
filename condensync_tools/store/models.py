# SPDX-License-Identifier: MIT
"""SQLAlchemy 2 table models of the store.

The schema is created and evolved only by the Alembic migrations in
``condensync_tools/store/migrations``; these models are the code's view of it and a test
checks that both agree (``alembic.autogenerate.compare_metadata`` finds no difference).

Tables
------
``ledger_entries``
    The audit ledger: one row per tool call, hash-chained per ``chain``;
    primary key (chain, seq).
``ledger_chain_heads``
    One row per chain: last sequence number and last entry hash. Every append locks and
    updates it in the same transaction as the insert, which serialises appends and lets
    :func:`~condensync_tools.store.ledger.verify` detect a truncated or extended tail.
``ledger_checkpoints``
    Written by retention when old ledger entries are pruned; they chain to each other and
    are optionally HMAC-signed.
``condenser_events``
    Raw readings and alerts per condenser.
``optimization_results``
    Key results of tool calls per condenser (with cleanliness factor and fouling
    resistance as columns for trend queries).
``condenser_events_hourly`` / ``condenser_events_daily``
    Aggregates (count, sum, min, mean, max per condenser, name and unit) of raw readings,
    written by retention before raw rows are pruned.

All timestamps are timezone-aware UTC (:class:`UTCDateTime`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Base",
    "UTCDateTime",
    "LedgerEntryRow",
    "ChainHeadRow",
    "CheckpointRow",
    "CondenserEventRow",
    "OptimizationResultRow",
    "HourlyAggregateRow",
    "DailyAggregateRow",
    "VERSION_TABLE",
]

VERSION_TABLE = "condensync_schema_version"
"""Alembic version table name (distinct from ``alembic_version`` so the store can share a
PostgreSQL schema with other applications that use Alembic)."""

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
}

# Autoincrementing surrogate keys: BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
_BigId = BigInteger().with_variant(Integer(), "sqlite")
_Json = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python.

    Naive datetimes given to it are taken as UTC. On SQLite (no time zone support) it is
    stored as naive UTC text; on PostgreSQL as ``timestamptz``. Microsecond precision is
    kept on both, which the ledger's hashes rely on.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # pragma: no cover - raw text from SQLite functions
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations get stable names."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class LedgerEntryRow(Base):
    """One audit record of a tool call. Arguments and result are stored as their RFC 8785
    canonical JSON text, exactly the bytes that were hashed."""

    __tablename__ = "ledger_entries"

    chain: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    tool: Mapped[str] = mapped_column(Text)
    tool_version: Mapped[str] = mapped_column(Text)
    arguments_json: Mapped[str] = mapped_column(Text)
    result_json: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    is_error: Mapped[bool] = mapped_column(Boolean)
    provenance_hash: Mapped[str | None] = mapped_column(String(64))
    caller: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[float] = mapped_column(Float)
    request_id: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_ledger_entries_entry_hash", "entry_hash"),
        Index("ix_ledger_entries_provenance_hash", "provenance_hash"),
        Index("ix_ledger_entries_chain_recorded_at", "chain", "recorded_at"),
    )


class ChainHeadRow(Base):
    """The head of one ledger chain (locked by every append)."""

    __tablename__ = "ledger_chain_heads"

    chain: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))
    checkpoint_hash: Mapped[str | None] = mapped_column(String(64))


class CheckpointRow(Base):
    """A signed-off record of ledger entries removed by retention."""

    __tablename__ = "ledger_checkpoints"

    chain: Mapped[str] = mapped_column(String(64), primary_key=True)
    ordinal: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_seq: Mapped[int] = mapped_column(BigInteger)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    last_entry_hash: Mapped[str] = mapped_column(String(64))
    entry_count: Mapped[int] = mapped_column(BigInteger)
    span_start: Mapped[datetime] = mapped_column(UTCDateTime())
    span_end: Mapped[datetime] = mapped_column(UTCDateTime())
    prev_checkpoint_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    checkpoint_hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str | None] = mapped_column(String(128))


class CondenserEventRow(Base):
    """A reading or an alert for one condenser."""

    __tablename__ = "condenser_events"

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    condenser_id: Mapped[str] = mapped_column(Text)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime())
    event_type: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(Text)
    quality: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[Any | None] = mapped_column(_Json)

    __table_args__ = (
        Index("ix_condenser_events_condenser_id_timestamp", "condenser_id", "timestamp"),
        Index("ix_condenser_events_event_type_timestamp", "event_type", "timestamp"),
        Index("ix_condenser_events_timestamp", "timestamp"),
    )


class OptimizationResultRow(Base):
    """Key results of one tool call for one condenser."""

    __tablename__ = "optimization_results"

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    condenser_id: Mapped[str] = mapped_column(Text)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime())
    tool: Mapped[str] = mapped_column(Text)
    results: Mapped[Any] = mapped_column(_Json)
    cleanliness_factor: Mapped[float | None] = mapped_column(Float)
    fouling_resistance: Mapped[float | None] = mapped_column(Float)
    fouling_resistance_unit: Mapped[str | None] = mapped_column(Text)
    provenance_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_optimization_results_condenser_id_timestamp", "condenser_id", "timestamp"),
        Index("ix_optimization_results_provenance_hash", "provenance_hash"),
        Index("ix_optimization_results_timestamp", "timestamp"),
    )


class _AggregateMixin:
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    condenser_id: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(Text)  # "" when the reading had no unit
    bucket_start: Mapped[datetime] = mapped_column(UTCDateTime())
    value_count: Mapped[int] = mapped_column(BigInteger)
    value_sum: Mapped[float] = mapped_column(Float)
    value_min: Mapped[float] = mapped_column(Float)
    value_max: Mapped[float] = mapped_column(Float)
    value_mean: Mapped[float] = mapped_column(Float)


class HourlyAggregateRow(_AggregateMixin, Base):
    """Hourly aggregate of one reading name (bucket_start is the hour, UTC)."""

    __tablename__ = "condenser_events_hourly"
    __table_args__ = (
        UniqueConstraint("condenser_id", "name", "unit", "bucket_start"),
        Index("ix_condenser_events_hourly_condenser_id_bucket_start", "condenser_id", "bucket_start"),
    )


class DailyAggregateRow(_AggregateMixin, Base):
    """Daily aggregate of one reading name (bucket_start is midnight UTC)."""

    __tablename__ = "condenser_events_daily"
    __table_args__ = (
        UniqueConstraint("condenser_id", "name", "unit", "bucket_start"),
        Index("ix_condenser_events_daily_condenser_id_bucket_start", "condenser_id", "bucket_start"),
    )
