# SPDX-License-Identifier: MIT
"""Helpers shared by the store tests (records, raw SQL tampering, child processes)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from condensync_tools.store import CallRecord, LedgerEntry, Store
from condensync_tools.store.models import VERSION_TABLE, Base

REPO_ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def reset_pg(url: str) -> None:
    """Drop everything of ours so the next test starts from an empty database."""
    eng = create_engine(url)
    try:
        with eng.begin() as conn:
            for table in list(Base.metadata.tables) + [VERSION_TABLE]:
                conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    finally:
        eng.dispose()


def truncate_pg(url: str) -> bool:
    """Empty all store tables if the schema is current; False if it must be rebuilt."""
    from condensync_tools.store import schema_status

    if schema_status(url).state != "current":
        return False
    eng = create_engine(url)
    try:
        with eng.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(Base.metadata.tables)} RESTART IDENTITY"))
    finally:
        eng.dispose()
    return True


def child_env() -> dict[str, str]:
    """Environment for child processes: import this checkout's package first."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def sql(store: Store, statement: str, **params: object) -> None:
    """Run raw SQL against the store's database (the tamperer's view)."""
    with store.engine.begin() as conn:
        conn.execute(text(statement), params)


def make_record(i: int, *, at: datetime | None = None, error: bool = False) -> CallRecord:
    """A representative call record."""
    if error:
        return CallRecord(
            tool="calculate_heat_transfer_coefficient",
            tool_version="0.1.0",
            arguments={"cw_inlet_temp": -500, "i": i},
            error="$.cw_inlet_temp: expected >= -40, got -500",
            is_error=True,
            duration_ms=0.5,
            request_id=f"req-{i}",
            recorded_at=at or T0 + timedelta(seconds=i),
        )
    return CallRecord(
        tool="calculate_heat_transfer_coefficient",
        tool_version="0.1.0",
        arguments={"unit_system": "US", "cw_inlet_temp": 70.0 + i / 10, "cw_flow": 250000, "i": i},
        result={"cleanliness_factor": 0.85, "u_actual": 512.25, "units": {"u_actual": "Btu/(h·ft²·°F)"}},
        provenance_hash=f"{i:064x}",
        caller="operator@plant",
        duration_ms=1.25 + i,
        request_id=f"req-{i}",
        recorded_at=at or T0 + timedelta(seconds=i),
    )


def fill(store: Store, n: int, **kw: object) -> list[LedgerEntry]:
    """Append ``n`` records and return the entries."""
    return [store.append_call(make_record(i, **kw)) for i in range(n)]  # type: ignore[arg-type]
