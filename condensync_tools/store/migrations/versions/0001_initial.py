# SPDX-License-Identifier: MIT
"""Initial schema: ledger, chain heads, checkpoints, events, results, aggregates.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _aggregate_table(name: str) -> None:
    op.create_table(
        name,
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("condenser_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("bucket_start", _TS, nullable=False),
        sa.Column("value_count", sa.BigInteger(), nullable=False),
        sa.Column("value_sum", sa.Float(), nullable=False),
        sa.Column("value_min", sa.Float(), nullable=False),
        sa.Column("value_max", sa.Float(), nullable=False),
        sa.Column("value_mean", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
        sa.UniqueConstraint(
            "condenser_id",
            "name",
            "unit",
            "bucket_start",
            name=f"uq_{name}_condenser_id_name_unit_bucket_start",
        ),
    )
    op.create_index(f"ix_{name}_condenser_id_bucket_start", name, ["condenser_id", "bucket_start"])


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("chain", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.Column("recorded_at", _TS, nullable=False),
        sa.Column("tool", sa.Text(), nullable=False),
        sa.Column("tool_version", sa.Text(), nullable=False),
        sa.Column("arguments_json", sa.Text(), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("is_error", sa.Boolean(), nullable=False),
        sa.Column("provenance_hash", sa.String(64), nullable=True),
        sa.Column("caller", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("chain", "seq", name="pk_ledger_entries"),
    )
    op.create_index("ix_ledger_entries_entry_hash", "ledger_entries", ["entry_hash"])
    op.create_index("ix_ledger_entries_provenance_hash", "ledger_entries", ["provenance_hash"])
    op.create_index("ix_ledger_entries_chain_recorded_at", "ledger_entries", ["chain", "recorded_at"])

    op.create_table(
        "ledger_chain_heads",
        sa.Column("chain", sa.String(64), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("checkpoint_hash", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("chain", name="pk_ledger_chain_heads"),
    )

    op.create_table(
        "ledger_checkpoints",
        sa.Column("chain", sa.String(64), nullable=False),
        sa.Column("ordinal", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_entry_hash", sa.String(64), nullable=False),
        sa.Column("entry_count", sa.BigInteger(), nullable=False),
        sa.Column("span_start", _TS, nullable=False),
        sa.Column("span_end", _TS, nullable=False),
        sa.Column("prev_checkpoint_hash", sa.String(64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("checkpoint_hash", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("chain", "ordinal", name="pk_ledger_checkpoints"),
    )

    op.create_table(
        "condenser_events",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("condenser_id", sa.Text(), nullable=False),
        sa.Column("timestamp", _TS, nullable=False),
        sa.Column("event_type", sa.String(32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("unit", sa.Text(), nullable=True),
        sa.Column("quality", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("payload", _JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_condenser_events"),
    )
    op.create_index("ix_condenser_events_condenser_id_timestamp", "condenser_events", ["condenser_id", "timestamp"])
    op.create_index("ix_condenser_events_event_type_timestamp", "condenser_events", ["event_type", "timestamp"])
    op.create_index("ix_condenser_events_timestamp", "condenser_events", ["timestamp"])

    op.create_table(
        "optimization_results",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("condenser_id", sa.Text(), nullable=False),
        sa.Column("timestamp", _TS, nullable=False),
        sa.Column("tool", sa.Text(), nullable=False),
        sa.Column("results", _JSON, nullable=False),
        sa.Column("cleanliness_factor", sa.Float(), nullable=True),
        sa.Column("fouling_resistance", sa.Float(), nullable=True),
        sa.Column("fouling_resistance_unit", sa.Text(), nullable=True),
        sa.Column("provenance_hash", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_optimization_results"),
    )
    op.create_index(
        "ix_optimization_results_condenser_id_timestamp",
        "optimization_results",
        ["condenser_id", "timestamp"],
    )
    op.create_index("ix_optimization_results_provenance_hash", "optimization_results", ["provenance_hash"])
    op.create_index("ix_optimization_results_timestamp", "optimization_results", ["timestamp"])

    _aggregate_table("condenser_events_hourly")
    _aggregate_table("condenser_events_daily")


def downgrade() -> None:
    for name in ("condenser_events_daily", "condenser_events_hourly"):
        op.drop_index(f"ix_{name}_condenser_id_bucket_start", table_name=name)
        op.drop_table(name)
    op.drop_table("optimization_results")
    op.drop_table("condenser_events")
    op.drop_table("ledger_checkpoints")
    op.drop_table("ledger_chain_heads")
    op.drop_table("ledger_entries")
