# SPDX-License-Identifier: MIT
"""Append-only, hash-chained audit ledger of tool calls.

Every tool call, successful or not, becomes one :class:`LedgerEntry`. Entries of a chain
(``"main"`` unless configured) carry consecutive sequence numbers from 1 and

``entry_hash = SHA-256(RFC 8785 canonical JSON of {seq, prev_hash, chain, content...})``

(exact field list in :mod:`condensync_tools.store.canonical`), where ``prev_hash`` is the
previous entry's hash, 64 zeros for the first entry, or the hash of the last pruned entry
recorded in a retention checkpoint.

Serialisation of appends
------------------------
Appends to one chain are serialised by the chain's row in ``ledger_chain_heads``
(``last_seq``, ``last_hash``), which every append reads and moves in the same transaction
as its insert. Within one process, :meth:`~.api.Store.append_call` groups the appends that
queue while a commit is in progress (:mod:`.group_commit`); :func:`append_group` writes such
a group as consecutive entries in one transaction:

PostgreSQL, a group of one (one statement, then ``COMMIT``)
    ``WITH h AS (SELECT ... FROM ledger_chain_heads WHERE chain = :c FOR UPDATE),
    e AS (... sha256(a || prev || b || seq || c) ...), ins AS (INSERT ... RETURNING ...)
    UPDATE ledger_chain_heads ...``. The row lock queues concurrent appenders - threads,
    processes, or replicas sharing the database - and under READ COMMITTED a waiter that
    gets the lock sees the committed head of its predecessor. The client sends the
    canonical text around ``prev_hash`` and ``seq`` (:func:`~.canonical.entry_canonical_parts`)
    and the server finishes the SHA-256, so the lock is held for one statement and the
    commit, not for several client round trips. :func:`~.verify.verify` recomputes every
    hash in Python, so a server-side hash that differed would be reported at once.
SQLite, and PostgreSQL groups of more than one (three statements, then ``COMMIT``)
    On SQLite ``BEGIN IMMEDIATE`` takes the database write lock up front (other processes
    wait up to ``busy_timeout``); then ``UPDATE ... SET last_seq = last_seq + n RETURNING``
    (on PostgreSQL this takes the head-row lock), one multi-row ``INSERT`` of the n entries
    with their hashes computed in Python in chain order, ``UPDATE`` the head's hash.
    Threads of one process queue on a process-local lock first (faster than SQLite's
    polling busy handler). With pysqlite and psycopg these statements run on the pooled
    DBAPI connection itself (:class:`_DriverSql`): the same transaction and commit, without
    SQLAlchemy's per-statement and per-row layers, one driver call for the INSERT (so the
    GIL is released once for it, not once per row as with ``executemany``), and the entry
    hashes fed to hashlib in pieces small enough that it keeps the GIL. The group's leader
    works while the other callers wait for it: every GIL release there can cost it a
    whole switch interval (5 ms) under contention.

The primary key (chain, seq) is a unique constraint, a second line of defence against a
duplicated sequence number. :func:`append` returns only after the commit: with
PostgreSQL's default ``synchronous_commit=on`` and SQLite's WAL with
``synchronous=FULL`` the record is on disk by then. Because entry and head change in
one transaction, killing the process (SIGKILL) at any instant leaves either both or
neither, and the chain verifies.

Throughput is measured by ``benchmarks/run.py --only ledger`` (``ledger_bench.py`` and
``ledger_tool_calls.py``): a single append on SQLite costs about 0.6 ms of CPU plus one
fsync, and concurrent appends share commits (group commit). Figures and their limits:
``docs/performance.md`` §2; the store as a whole: ``docs/store.md``.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Row, insert, select, text
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError

from .canonical import (
    GENESIS_HASH,
    canonical_value,
    clean_text,
    entry_canonical,
    entry_canonical_parts,
    iso_utc,
    loads,
    sha256_hex,
    to_utc,
)
from .engine import begin_write, is_postgres, is_sqlite
from .models import ChainHeadRow, LedgerEntryRow
from .witness import receipt_of

__all__ = [
    "DEFAULT_CHAIN",
    "CallRecord",
    "LedgerEntry",
    "append",
    "append_group",
    "prepare",
    "PreparedRecord",
    "get_entry",
    "find_by_provenance_hash",
    "last_entries",
    "iter_entries",
    "row_to_entry",
    "recompute_hash",
]

log = logging.getLogger(__name__)

DEFAULT_CHAIN = "main"

_ENTRY = LedgerEntryRow.__table__
_HEAD = ChainHeadRow.__table__

_INSERT_ENTRY = insert(_ENTRY)
_ADVANCE_HEAD_BY = text(
    "UPDATE ledger_chain_heads SET last_seq = last_seq + :n WHERE chain = :chain RETURNING last_seq, last_hash"
)
_SET_HEAD_HASH = text("UPDATE ledger_chain_heads SET last_hash = :h WHERE chain = :chain")


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CallRecord:
    """What the server knows about one tool call, to be appended to the ledger.

    Parameters
    ----------
    tool : str
        Tool name.
    tool_version : str
        Tool version string.
    arguments : dict
        Normalised arguments (defaults applied); any JSON-like mapping.
    result : dict or None
        Structured result, ``None`` for an error.
    error : str or None
        Error text shown to the caller (for ``is_error``).
    is_error : bool
        Whether the call returned ``isError: true``.
    provenance_hash : str or None
        The result's provenance hash, if any.
    caller : str or None
        Caller identity when known (e.g. token subject).
    duration_ms : float
        Wall time of the call [ms]; stored rounded to 1 microsecond.
    request_id : str or None
        MCP/JSON-RPC request id, as text.
    recorded_at : datetime
        Time of the call (timezone-aware; naive is taken as UTC). Defaults to now.
    result_json : str or None
        ``result``'s canonical text when already built (see the attribute).
    """

    tool: str
    tool_version: str
    arguments: dict[str, Any]
    result: dict[str, Any] | None = None
    error: str | None = None
    is_error: bool = False
    provenance_hash: str | None = None
    caller: str | None = None
    duration_ms: float = 0.0
    request_id: str | None = None
    recorded_at: datetime = field(default_factory=_utcnow)
    result_json: str | None = field(default=None, repr=False)
    """The RFC 8785 text of ``result`` when the caller has it already (the tool layer builds it
    with the output hash: :attr:`~condensync_tools.registry.CallOutcome.result_text`), stored
    as is instead of serialising the result again; it must be ``json_text(result)``."""


@dataclass(frozen=True)
class LedgerEntry:
    """One committed ledger entry, as stored.

    ``to_dict()`` gives the JSON form used by ``audit show`` and ``audit export``: the
    hashed fields plus ``entry_hash``; removing ``entry_hash`` and hashing the RFC 8785
    canonical JSON of the rest reproduces ``entry_hash``.
    """

    chain: str
    seq: int
    prev_hash: str
    entry_hash: str
    recorded_at: datetime
    tool: str
    tool_version: str
    arguments: Any
    result: Any
    error: str | None
    is_error: bool
    provenance_hash: str | None
    caller: str | None
    duration_ms: float
    request_id: str | None
    receipt: dict[str, Any] | None = field(default=None, compare=False)
    """Set by :meth:`~.api.Store.append_call`: ``{"chain", "seq", "entry_hash", "signed_head"}``
    (see :mod:`.witness`); not part of the hashed entry nor of :meth:`to_dict`."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of the hashed fields and ``entry_hash``."""
        return {
            "arguments": self.arguments,
            "caller": self.caller,
            "chain": self.chain,
            "duration_ms": self.duration_ms,
            "error": self.error,
            "is_error": self.is_error,
            "prev_hash": self.prev_hash,
            "provenance_hash": self.provenance_hash,
            "recorded_at": iso_utc(self.recorded_at),
            "request_id": self.request_id,
            "result": self.result,
            "seq": self.seq,
            "tool": self.tool,
            "tool_version": self.tool_version,
            "entry_hash": self.entry_hash,
        }


def _opt_text(s: str | None) -> str | None:
    return None if s is None else clean_text(str(s))


def _prepare(record: CallRecord, chain: str) -> tuple[dict[str, Any], Any, Any]:
    """The stored column values of ``record``, and its arguments and result as JSON values."""
    duration = float(record.duration_ms)
    if not math.isfinite(duration):
        raise ValueError(f"duration_ms must be finite, got {record.duration_ms!r}")
    arguments_json, arguments = canonical_value(record.arguments if record.arguments is not None else {})
    if record.result is None:
        result_json, result = None, None
    elif record.result_json is not None:
        result_json, result = record.result_json, record.result
    else:
        result_json, result = canonical_value(record.result)
    values = {
        "chain": chain,
        "recorded_at": to_utc(record.recorded_at),
        "tool": clean_text(str(record.tool)),
        "tool_version": clean_text(str(record.tool_version)),
        "arguments_json": arguments_json,
        "result_json": result_json,
        "error": _opt_text(record.error),
        "is_error": bool(record.is_error),
        "provenance_hash": _opt_text(record.provenance_hash),
        "caller": _opt_text(record.caller),
        "duration_ms": round(duration, 3),
        "request_id": _opt_text(record.request_id),
    }
    return values, arguments, result


def _create_head(conn: Connection, chain: str) -> None:
    if is_postgres(conn):
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    conn.execute(
        dialect_insert(_HEAD)
        .values(chain=chain, last_seq=0, last_hash=GENESIS_HASH)
        .on_conflict_do_nothing(index_elements=["chain"])
    )


def append(engine: Engine, record: CallRecord, chain: str = DEFAULT_CHAIN) -> LedgerEntry:
    """Append one call record to ``chain`` and return the committed entry.

    Returns only after the transaction has committed. If the database connection turns
    out to be dead before the commit was sent, the append is retried once on a fresh
    connection; a failure during the commit itself is raised (the outcome is then
    unknown and retrying could duplicate the record).

    Parameters
    ----------
    engine : sqlalchemy.Engine
    record : CallRecord
    chain : str

    Returns
    -------
    LedgerEntry

    Raises
    ------
    sqlalchemy.exc.SQLAlchemyError
        If the database refuses or is unreachable.
    """
    entry = append_group(engine, [prepare(record, chain)], chain)[0]
    if isinstance(entry, BaseException):
        raise entry
    return entry


@dataclass(frozen=True)
class PreparedRecord:
    """A call record as stored, with the canonical text around ``prev_hash`` and ``seq``
    (:func:`~.canonical.entry_canonical_parts`), built by the caller before it queues, so a
    group's writer only joins strings and hashes. ``arguments`` and ``result`` are the JSON
    values of the entry (:func:`~.canonical.canonical_value`: the caller's own objects when
    they already were JSON data)."""

    values: dict[str, Any]
    parts: tuple[str, str, str]
    arguments: Any
    result: Any

    def entry_hash(self, seq: int, prev_hash: str) -> str:
        a, b, c = self.parts
        return _sha256_hex_keeping_gil((a + '"' + prev_hash + '"' + b + str(seq) + c).encode("utf-8"))


_GIL_CHUNK = 2047
"""hashlib releases the GIL for an update of 2048 bytes or more (CPython's
``HASHLIB_GIL_MINSIZE``); see :func:`_sha256_hex_keeping_gil`."""


def _sha256_hex_keeping_gil(data: bytes) -> str:
    """SHA-256 hex of ``data``, fed in pieces too small for hashlib to release the GIL.

    The group-commit leader hashes a group's entries in chain order while the other callers
    wait for it; an entry's text (a result is ~3 kB) would release the GIL at every hash,
    and under contention the leader then waits a whole switch interval (5 ms) to get it
    back, for a hash that takes microseconds. Same digest as ``hashlib.sha256(data)``."""
    if len(data) <= _GIL_CHUNK:
        return hashlib.sha256(data).hexdigest()
    h = hashlib.sha256()
    view = memoryview(data)
    for start in range(0, len(data), _GIL_CHUNK):
        h.update(view[start : start + _GIL_CHUNK])
    return h.hexdigest()


def prepare(record: CallRecord, chain: str = DEFAULT_CHAIN) -> PreparedRecord:
    """Validate and canonicalise ``record`` for ``chain`` (raises ValueError, e.g. a
    non-finite duration, before anything is queued or written)."""
    values, arguments, result = _prepare(record, chain)
    return PreparedRecord(values, entry_canonical_parts(**values), arguments, result)


Link = tuple[int, str, str]
"""``(seq, prev_hash, entry_hash)`` of a committed entry."""


def append_group(
    engine: Engine,
    records: Sequence[PreparedRecord],
    chain: str = DEFAULT_CHAIN,
    sign_head: Callable[[str, int, str], dict[str, Any]] | None = None,
) -> list[LedgerEntry | BaseException]:
    """Append prepared records to ``chain`` as consecutive entries in ONE transaction.

    Returns after the commit, one committed entry per record in order. If the group fails
    before its commit (the transaction is then rolled back, nothing was written) and holds
    more than one record, each record is appended alone, so one record the database
    refuses fails only its own call: its slot then holds the exception. A failure during
    the commit itself is raised for the whole group (outcome unknown; a retry could
    duplicate entries).

    ``sign_head(chain, seq, entry_hash)``, if given, is called once after the commit(s)
    with the last committed entry and returns its signed head (see :mod:`.witness`); every
    entry then carries its receipt (:func:`~.witness.receipt_of`) with that head.
    """
    with _local_lock(engine):
        try:
            links: list[Link | BaseException] = list(_append(engine, records, chain))
        except _BeforeCommit as failed:
            if len(records) == 1:
                raise failed.error from None
            log.warning(
                "ledger group of %d failed before its commit (%s); appending one by one", len(records), failed.error
            )
            links = []
            for r in records:
                try:
                    links.extend(_append(engine, [r], chain))
                except _BeforeCommit as single:
                    links.append(single.error)
    last = next((x for x in reversed(links) if not isinstance(x, BaseException)), None)
    head = None if sign_head is None or last is None else sign_head(chain, last[0], last[2])
    return [
        link if isinstance(link, BaseException) else _entry(r, chain, link, head)
        for r, link in zip(records, links, strict=True)
    ]


class _BeforeCommit(Exception):
    """A group write failed before COMMIT was sent (rolled back: safe to retry)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


_SQLITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_SQLITE_LOCKS_GUARD = threading.Lock()


@contextmanager
def _local_lock(engine: Engine) -> Iterator[None]:
    """On SQLite, queue this process's appenders on a lock instead of SQLite's busy handler.

    ``BEGIN IMMEDIATE`` alone is correct across threads too, but waiters poll with growing
    sleeps; a process-local lock hands over at once. Other processes are still serialised
    by SQLite's write lock. PostgreSQL needs nothing: waiters block on the head row lock.
    """
    if not is_sqlite(engine):
        yield
        return
    with _SQLITE_LOCKS_GUARD:
        lock = _SQLITE_LOCKS.setdefault(engine, threading.Lock())
    with lock:
        yield


_PG_APPEND = text(
    """
WITH h AS (
    SELECT last_seq + 1 AS seq, last_hash AS prev
    FROM ledger_chain_heads WHERE chain = :chain FOR UPDATE
), e AS (
    SELECT seq, prev, encode(sha256(convert_to(
        CAST(:a AS TEXT) || '"' || prev || '"' || CAST(:b AS TEXT) || seq::text || CAST(:c AS TEXT),
        'UTF8')), 'hex') AS hash
    FROM h
), ins AS (
    INSERT INTO ledger_entries (chain, seq, prev_hash, entry_hash, recorded_at, tool, tool_version,
        arguments_json, result_json, error, is_error, provenance_hash, caller, duration_ms, request_id)
    SELECT :chain, seq, prev, hash, :recorded_at, :tool, :tool_version, :arguments_json,
        :result_json, :error, :is_error, :provenance_hash, :caller, :duration_ms, :request_id
    FROM e
    RETURNING seq, prev_hash, entry_hash
)
UPDATE ledger_chain_heads SET last_seq = ins.seq, last_hash = ins.entry_hash
FROM ins WHERE ledger_chain_heads.chain = :chain
RETURNING ins.seq, ins.prev_hash, ins.entry_hash
"""
)


def _write_pg_single(conn: Connection, record: PreparedRecord, chain: str) -> list[tuple[int, str, str]]:
    """One statement: lock the head, hash, insert, move the head (PostgreSQL, group of one)."""
    a, b, c = record.parts
    params = {**record.values, "a": a, "b": b, "c": c}
    row = conn.execute(_PG_APPEND, params).first()
    if row is None:
        _create_head(conn, chain)
        row = conn.execute(_PG_APPEND, params).one()
    return [(int(row[0]), str(row[1]), str(row[2]))]


_STORED = (
    "recorded_at",
    "tool",
    "tool_version",
    "arguments_json",
    "result_json",
    "error",
    "is_error",
    "provenance_hash",
    "caller",
    "duration_ms",
    "request_id",
)
"""The columns of an entry after (chain, seq, prev_hash, entry_hash), in insert order."""


@dataclass(frozen=True)
class _DriverSql:
    """The group write as driver-level SQL for one dialect, run on a pooled DBAPI connection
    (:func:`_append_driver`): the statement that begins the write transaction, the head
    statements, the insert, and the bind processors of the stored columns (those of the
    table's column types, e.g. the UTC timestamp as text on SQLite). A group then costs a
    handful of driver calls and one multi-row INSERT, instead of SQLAlchemy's connection,
    transaction and statement layers with per-row parameter processing."""

    begin: str | None
    advance_head: str
    set_head_hash: str
    insert: str  #: the INSERT of one row; :meth:`insert_rows` repeats its VALUES
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    _inserts: dict[int, str] = field(default_factory=dict, compare=False)

    def insert_rows(self, n: int) -> str:
        """One INSERT statement of ``n`` rows (one driver call, one SQLite step: the GIL is
        released once per group rather than once per row as with ``executemany``)."""
        sql = self._inserts.get(n)
        if sql is None:
            head, values = self.insert.split(" VALUES ")
            sql = self._inserts.setdefault(n, head + " VALUES " + ", ".join([values] * n))
        return sql

    def row(self, chain: str, seq: int, prev: str, h: str, values: dict[str, Any]) -> tuple[Any, ...]:
        stored = [values[c] for c in _STORED]
        for i, process in self.processors:
            stored[i] = process(stored[i])
        return (chain, seq, prev, h, *stored)

    def write(self, cursor: Any, records: Sequence[PreparedRecord], chain: str) -> list[Link] | None:
        """Move the head by ``len(records)`` (SQLite's write lock is already held; on
        PostgreSQL the UPDATE takes the head-row lock), hash the entries in order, insert
        them with one multi-row INSERT (per 64 rows), store the new head hash. None if the
        chain has no head."""
        n = len(records)
        cursor.execute(self.advance_head, (n, chain))
        row = cursor.fetchone()
        if row is None:
            return None
        seq, prev = int(row[0]) - n + 1, str(row[1])
        links: list[Link] = []
        params: list[Any] = []
        for r in records:
            h = r.entry_hash(seq, prev)
            params.extend(self.row(chain, seq, prev, h, r.values))
            links.append((seq, prev, h))
            seq, prev = seq + 1, h
        width = len(params) // n
        for start in range(0, n, _ROWS_PER_INSERT):
            rows = min(_ROWS_PER_INSERT, n - start)
            cursor.execute(self.insert_rows(rows), params[start * width : (start + rows) * width])
        cursor.execute(self.set_head_hash, (prev, chain))
        return links


_ROWS_PER_INSERT = 64
"""Rows per INSERT statement: 64 x 15 parameters stay under SQLite's oldest limit (999)."""

_DRIVER_SQL: dict[str, _DriverSql | None] = {}
_DRIVER_SQL_GUARD = threading.Lock()


def _driver_sql(dialect: Dialect) -> _DriverSql | None:
    """The :class:`_DriverSql` of ``dialect`` (pysqlite's ``?`` and psycopg's ``%s``
    parameters), None for other drivers (they take the Core statements)."""
    key = f"{dialect.name}+{dialect.driver}"
    if key in _DRIVER_SQL:
        return _DRIVER_SQL[key]
    mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
    plan = None
    if mark is not None and (dialect.name, dialect.driver) in (("sqlite", "pysqlite"), ("postgresql", "psycopg")):
        columns = ("chain", "seq", "prev_hash", "entry_hash", *_STORED)
        processors = []
        for i, name in enumerate(_STORED):
            process = _ENTRY.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors.append((i, process))
        plan = _DriverSql(
            # SQLite: the connection is in autocommit mode (see .engine), so the transaction
            # and its write lock are taken explicitly, as begin_write does; psycopg opens one
            # at the first statement (READ COMMITTED, set on the engine).
            begin="BEGIN IMMEDIATE" if dialect.name == "sqlite" else None,
            advance_head=(
                f"UPDATE ledger_chain_heads SET last_seq = last_seq + {mark} WHERE chain = {mark} "
                "RETURNING last_seq, last_hash"
            ),
            set_head_hash=f"UPDATE ledger_chain_heads SET last_hash = {mark} WHERE chain = {mark}",
            insert=f"INSERT INTO ledger_entries ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})",
            processors=tuple(processors),
        )
    with _DRIVER_SQL_GUARD:
        return _DRIVER_SQL.setdefault(key, plan)


def _write_group(conn: Connection, records: Sequence[PreparedRecord], chain: str) -> list[Link]:
    """The group write on a SQLAlchemy connection (a chain without a head row yet, and
    drivers without a :class:`_DriverSql`)."""
    sql = _driver_sql(conn.dialect)
    if sql is not None:
        links = sql.write(conn.connection.dbapi_connection.cursor(), records, chain)
        if links is not None:
            return links
        _create_head(conn, chain)
    return _write_group_core(conn, records, chain)


def _write_group_core(conn: Connection, records: Sequence[PreparedRecord], chain: str) -> list[Link]:
    """:func:`_write_group` with SQLAlchemy Core statements (drivers without a :class:`_DriverSql`)."""
    n = len(records)
    row = conn.execute(_ADVANCE_HEAD_BY, {"chain": chain, "n": n}).first()
    if row is None:
        _create_head(conn, chain)
        row = conn.execute(_ADVANCE_HEAD_BY, {"chain": chain, "n": n}).one()
    seq, prev = int(row[0]) - n + 1, str(row[1])
    links, rows = [], []
    for r in records:
        h = r.entry_hash(seq, prev)
        rows.append({**r.values, "seq": seq, "prev_hash": prev, "entry_hash": h})
        links.append((seq, prev, h))
        seq, prev = seq + 1, h
    conn.execute(_INSERT_ENTRY, rows)
    conn.execute(_SET_HEAD_HASH, {"h": prev, "chain": chain})
    return links


def _append(engine: Engine, records: Sequence[PreparedRecord], chain: str) -> list[Link]:
    """Write and commit ``records``; raise :class:`_BeforeCommit` for a failure before COMMIT
    (after one retry on a fresh connection when the connection was found dead)."""
    single_pg = len(records) == 1 and is_postgres(engine)
    sql = None if single_pg else _driver_sql(engine.dialect)
    if sql is not None:
        links = _append_driver(engine, records, chain, sql)
        if links is not None:
            return links
    for attempt in (1, 2):
        committing = False
        try:
            with engine.connect() as conn, begin_write(conn):
                links = _write_pg_single(conn, records[0], chain) if single_pg else _write_group(conn, records, chain)
                committing = True
            return links
        except DBAPIError as exc:
            if committing:
                raise
            if attempt == 1 and exc.connection_invalidated:
                log.warning("ledger append: database connection lost, retrying once: %s", exc)
                continue
            raise _BeforeCommit(exc) from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _append_driver(engine: Engine, records: Sequence[PreparedRecord], chain: str, sql: _DriverSql) -> list[Link] | None:
    """:func:`_append` on a pooled DBAPI connection with :class:`_DriverSql` (same
    transaction, statements, durability and retry rule; driver errors are raised as
    SQLAlchemy's ``DBAPIError``, as from the Core path). None when the chain has no head
    row yet (nothing written; the Core path creates it)."""
    dialect = engine.dialect
    for attempt in (1, 2):
        committing = False
        conn = engine.raw_connection()
        try:
            cursor = conn.cursor()
            try:
                if sql.begin is not None:
                    cursor.execute(sql.begin)
                links = sql.write(cursor, records, chain)
                committing = True
                conn.commit()
            finally:
                cursor.close()
            return links
        except dialect.loaded_dbapi.Error as exc:
            lost = bool(dialect.is_disconnect(exc, conn.dbapi_connection, None))
            if not committing and not lost:
                try:
                    conn.rollback()
                except dialect.loaded_dbapi.Error:  # pragma: no cover - then the pool discards it
                    lost = True
            if lost:
                conn.invalidate(exc)
            error = DBAPIError.instance(
                None, None, exc, dialect.loaded_dbapi.Error, connection_invalidated=lost, dialect=dialect
            )
            if committing:
                raise error from exc
            if attempt == 1 and lost:
                log.warning("ledger append: database connection lost, retrying once: %s", exc)
                continue
            raise _BeforeCommit(error) from exc
        finally:
            conn.close()
    raise AssertionError("unreachable")  # pragma: no cover


def _entry(r: PreparedRecord, chain: str, link: Link, head: dict[str, Any] | None) -> LedgerEntry:
    """The committed entry of ``r``, with its receipt when the group's head was signed."""
    seq, prev, h = link
    v = r.values
    return LedgerEntry(
        chain=chain,
        seq=seq,
        prev_hash=prev,
        entry_hash=h,
        recorded_at=v["recorded_at"],
        tool=v["tool"],
        tool_version=v["tool_version"],
        arguments=r.arguments,
        result=r.result,
        error=v["error"],
        is_error=v["is_error"],
        provenance_hash=v["provenance_hash"],
        caller=v["caller"],
        duration_ms=v["duration_ms"],
        request_id=v["request_id"],
        receipt=None if head is None else receipt_of(chain, seq, h, head),
    )


def row_to_entry(row: Row[Any] | Any) -> LedgerEntry:
    """Build a :class:`LedgerEntry` from a ``ledger_entries`` row."""
    return LedgerEntry(
        chain=row.chain,
        seq=int(row.seq),
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
        recorded_at=row.recorded_at,
        tool=row.tool,
        tool_version=row.tool_version,
        arguments=loads(row.arguments_json),
        result=loads(row.result_json),
        error=row.error,
        is_error=bool(row.is_error),
        provenance_hash=row.provenance_hash,
        caller=row.caller,
        duration_ms=float(row.duration_ms),
        request_id=row.request_id,
    )


def recompute_hash(row: Row[Any] | Any, seq: int | None = None) -> str:
    """Recompute a stored row's entry hash (optionally as if it had sequence ``seq``)."""
    return sha256_hex(
        entry_canonical(
            chain=row.chain,
            seq=int(row.seq if seq is None else seq),
            prev_hash=row.prev_hash,
            recorded_at=row.recorded_at,
            tool=row.tool,
            tool_version=row.tool_version,
            arguments_json=row.arguments_json,
            result_json=row.result_json,
            error=row.error,
            is_error=bool(row.is_error),
            provenance_hash=row.provenance_hash,
            caller=row.caller,
            duration_ms=float(row.duration_ms),
            request_id=row.request_id,
        )
    )


def get_entry(engine: Engine, seq: int, chain: str = DEFAULT_CHAIN) -> LedgerEntry | None:
    """Return the entry with sequence number ``seq``, or ``None``."""
    with engine.connect() as conn:
        row = conn.execute(select(_ENTRY).where(_ENTRY.c.chain == chain, _ENTRY.c.seq == seq)).first()
    return None if row is None else row_to_entry(row)


def find_by_provenance_hash(
    engine: Engine, provenance_hash: str, chain: str | None = DEFAULT_CHAIN
) -> LedgerEntry | None:
    """Return the most recent successful entry whose result has this provenance hash.

    Identical calls give identical provenance hashes, so several entries may match; the
    latest non-error one is returned (``None`` if there is none).

    Parameters
    ----------
    engine : sqlalchemy.Engine
    provenance_hash : str
    chain : str or None
        Restrict to one chain; ``None`` searches all chains.
    """
    stmt = select(_ENTRY).where(_ENTRY.c.provenance_hash == provenance_hash, _ENTRY.c.is_error.is_(False))
    if chain is not None:
        stmt = stmt.where(_ENTRY.c.chain == chain)
    stmt = stmt.order_by(_ENTRY.c.recorded_at.desc(), _ENTRY.c.seq.desc()).limit(1)
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    return None if row is None else row_to_entry(row)


def last_entries(engine: Engine, n: int, chain: str = DEFAULT_CHAIN) -> list[LedgerEntry]:
    """Return the last ``n`` entries of ``chain`` in ascending sequence order."""
    stmt = select(_ENTRY).where(_ENTRY.c.chain == chain).order_by(_ENTRY.c.seq.desc()).limit(max(0, n))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [row_to_entry(r) for r in reversed(rows)]


def iter_entries(
    engine: Engine, chain: str = DEFAULT_CHAIN, start_seq: int = 0, batch: int = 1000
) -> Iterator[LedgerEntry]:
    """Yield entries of ``chain`` with ``seq >= start_seq`` in sequence order, in batches."""
    next_seq = start_seq
    while True:
        stmt = (
            select(_ENTRY).where(_ENTRY.c.chain == chain, _ENTRY.c.seq >= next_seq).order_by(_ENTRY.c.seq).limit(batch)
        )
        with engine.connect() as conn:
            rows = conn.execute(stmt).all()
        if not rows:
            return
        for r in rows:
            yield row_to_entry(r)
        next_seq = int(rows[-1].seq) + 1
