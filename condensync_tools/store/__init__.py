# SPDX-License-Identifier: MIT
"""Persistence for CONDENSYNC: audit ledger, condenser history, retention, migrations.

The store knows records, not physics: it imports nothing from ``calculators`` or ``tools``.
Design, guarantees and measured throughput: ``docs/store.md``.

Database
--------
``Store(url=None)``: ``url`` → ``$CONDENSYNC_DATABASE_URL`` → SQLite file
``condensync.db`` in ``platformdirs.user_data_dir("condensync")`` (WAL,
``synchronous=FULL``). PostgreSQL: ``postgresql+psycopg://user@host/db`` (``postgresql://``
is accepted). The schema is managed by Alembic scripts shipped in ``store/migrations``:
``Store.upgrade()`` / :func:`upgrade` (lock-protected, one transaction).

Public API (stable names)
-------------------------
``Store(url: str | None = None, *, chain="main", ledger_key=None, auto_upgrade=False, witness_path=None)``
    ``.upgrade(revision="head") -> SchemaStatus``, ``.schema_status() -> SchemaStatus``,
    ``.ping() -> bool``, ``.close()``;
    ledger: ``.append_call(CallRecord) -> LedgerEntry`` (returns after commit and after the
    commit's signed head is in the witness; ``entry.receipt`` is the call's receipt),
    ``await .append_call_async(CallRecord)``,
    ``.verify(*, public_key_pem=None, witness_path=None) -> VerifyReport`` (chain, then witness),
    ``.signer() -> HeadSigner``, ``.head_verifier(public_key_pem=None)``,
    ``.get_entry(seq) -> LedgerEntry | None``,
    ``.find_by_provenance_hash(hash) -> LedgerEntry | None``,
    ``.last_entries(n) -> list[LedgerEntry]``, ``.iter_entries(start_seq)``;
    history: ``.record_readings(condenser_id, readings) -> int``,
    ``.record_event(condenser_id, event_type, name, timestamp, **fields)``,
    ``.record_result(condenser_id, tool, timestamp, result, provenance_hash=None, *,
    cleanliness_factor=None, fouling_resistance=None, fouling_resistance_unit=None) -> int``,
    ``.fouling_history(condenser_id, since=None, *, until=None, tools=None,
    unit_system=None) -> list[{"timestamp", "cleanliness_factor", "fouling_resistance"}]``,
    ``.readings(...)``, ``.results(...)``, ``.aggregates(...)``;
    retention: ``.prune(policy: RetentionPolicy | None = None, now: datetime | None = None)
    -> PruneReport``.
``CallRecord(tool, tool_version, arguments, result=None, error=None, is_error=False,
provenance_hash=None, caller=None, duration_ms=0.0, request_id=None, recorded_at=now)``
    frozen dataclass.
``LedgerEntry``
    frozen dataclass of a committed entry (``seq``, ``prev_hash``, ``entry_hash``, the
    record's fields); ``.to_dict()`` is its export form.
``VerifyReport(ok, chain, checked, first_problem, first_seq, last_seq, last_hash,
checkpoints, signatures_checked, witness)`` with ``first_problem: Problem(seq, kind, detail)``,
``kind`` in ``edited | deleted | inserted | reordered | checkpoint | head | witness``.
``RetentionPolicy(raw_days=90, hourly_days=365, daily_days=2557, prune_ledger=True)``,
``PruneReport``, ``LedgerIntegrityError``.
``upgrade(url=None) -> SchemaStatus``, ``schema_status(url=None) -> SchemaStatus``,
``SchemaError``.
CLI helpers: :mod:`condensync_tools.store.cli_support` (``audit_verify``, ``audit_show``,
``audit_export``, ``verify_export``, ``db_upgrade``, ``db_status``, ``db_prune``).

Environment
-----------
``CONDENSYNC_DATABASE_URL``  database URL.
``CONDENSYNC_LEDGER_KEY``    HMAC key (UTF-8) signing retention checkpoints (and chain heads,
                             unless an Ed25519 key file is configured).
``CONDENSYNC_LEDGER_SIGNING_KEY``  Ed25519 private key (PEM) signing chain heads; default
                             ``ledger-signing-key.pem`` in the data directory, created on first use.
``CONDENSYNC_LEDGER_WITNESS``      witness file of signed heads (``off``: none); default beside
                             an SQLite file, else in the data directory (see :mod:`.witness`).
``CONDENSYNC_LEDGER_WITNESS_FSYNC`` ``1``: fsync the witness after every append.
"""

from __future__ import annotations

from . import tokens  # noqa: F401  (registers api_tokens in the metadata)
from .api import Store
from .engine import ENV_URL, default_sqlite_url, resolve_url
from .ledger import DEFAULT_CHAIN, CallRecord, LedgerEntry
from .migrate import SchemaError, SchemaStatus, schema_status, upgrade
from .retention import ENV_LEDGER_KEY, CheckpointInfo, LedgerIntegrityError, PruneReport, RetentionPolicy
from .verify import Problem, VerifyReport

__all__ = [
    "Store",
    "CallRecord",
    "LedgerEntry",
    "VerifyReport",
    "Problem",
    "RetentionPolicy",
    "PruneReport",
    "CheckpointInfo",
    "LedgerIntegrityError",
    "SchemaStatus",
    "SchemaError",
    "upgrade",
    "schema_status",
    "resolve_url",
    "default_sqlite_url",
    "DEFAULT_CHAIN",
    "ENV_URL",
    "ENV_LEDGER_KEY",
]
