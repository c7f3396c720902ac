# SPDX-License-Identifier: MIT
"""Database URL resolution and engine construction.

Which database
--------------
:func:`resolve_url` picks, in order: an explicit URL, the ``CONDENSYNC_DATABASE_URL``
environment variable, then a SQLite file ``condensync.db`` in
``platformdirs.user_data_dir("condensync")`` (created on demand), so the server needs no
setup. ``postgresql://`` and ``postgres://`` URLs are rewritten to
``postgresql+psycopg://`` (psycopg 3 is the only PostgreSQL driver we ship).

Engine settings
---------------
SQLite (file)
    WAL journal, ``synchronous=FULL`` (a commit survives power loss, not only a process
    crash), ``busy_timeout`` 30 s, foreign keys on. The sqlite3 driver's own transaction
    handling is switched off and SQLAlchemy emits ``BEGIN`` itself, so that a write
    transaction can start with ``BEGIN IMMEDIATE`` (take the database write lock *before*
    reading the chain head). Use :func:`begin_write` for that.
PostgreSQL
    A small pool without pre-ping (a pre-ping would cost one round trip per append);
    connections are recycled after 30 minutes; READ COMMITTED; ``application_name=condensync``,
    ``connect_timeout`` 10 s.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, RootTransaction, make_url
from sqlalchemy.engine.url import URL

from .. import settings

__all__ = [
    "ENV_URL",
    "default_sqlite_url",
    "resolve_url",
    "make_engine",
    "begin_write",
    "is_sqlite",
    "is_postgres",
]

log = logging.getLogger(__name__)

ENV_URL = settings.DATABASE_URL.name
"""Environment variable that selects the database."""

_BEGIN_MODE_OPTION = "condensync_sqlite_begin"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def default_sqlite_url() -> str:
    """Return the URL of the default SQLite file, creating its directory.

    Returns
    -------
    str
        ``sqlite+pysqlite:///<user data dir>/condensync.db``.
    """
    try:
        from platformdirs import user_data_dir

        base = Path(user_data_dir("condensync"))
    except ImportError:  # pragma: no cover - platformdirs is a declared dependency
        base = Path.home() / ".local" / "share" / "condensync"
        log.warning("platformdirs is not installed; using %s", base)
    base.mkdir(parents=True, exist_ok=True)
    return f"sqlite+pysqlite:///{base / 'condensync.db'}"


def resolve_url(url: str | URL | None = None) -> URL:
    """Resolve the database URL to use.

    Parameters
    ----------
    url : str or sqlalchemy.engine.URL or None
        Explicit URL; ``None`` falls back to ``$CONDENSYNC_DATABASE_URL`` and then to
        :func:`default_sqlite_url`.

    Returns
    -------
    sqlalchemy.engine.URL
        The URL, with ``postgresql``/``postgres`` mapped to the psycopg 3 driver and
        ``sqlite`` mapped to pysqlite.
    """
    if url is None:
        url = settings.DATABASE_URL.raw()
    if url is None:
        url = default_sqlite_url()
    if isinstance(url, str) and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    u = make_url(url)
    if u.drivername in ("postgresql", "postgresql+psycopg2"):
        u = u.set(drivername="postgresql+psycopg")
    elif u.drivername == "sqlite":
        u = u.set(drivername="sqlite+pysqlite")
    if is_sqlite(u) and u.database and u.database != ":memory:" and not u.database.startswith("file:"):
        Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return u


def is_sqlite(url_or_engine: URL | Engine | Connection) -> bool:
    """Return whether a URL, engine or connection is SQLite."""
    name = _backend(url_or_engine)
    return name == "sqlite"


def is_postgres(url_or_engine: URL | Engine | Connection) -> bool:
    """Return whether a URL, engine or connection is PostgreSQL."""
    return _backend(url_or_engine) == "postgresql"


def _backend(obj: URL | Engine | Connection) -> str:
    if isinstance(obj, URL):
        return obj.get_backend_name()
    return obj.dialect.name


def make_engine(url: str | URL | None = None, **kwargs: Any) -> Engine:
    """Create an engine configured for the ledger's durability and concurrency needs.

    Parameters
    ----------
    url : str or URL or None
        See :func:`resolve_url`.
    **kwargs
        Extra keyword arguments for :func:`sqlalchemy.create_engine`.

    Returns
    -------
    sqlalchemy.Engine
    """
    u = resolve_url(url)
    if is_sqlite(u):
        connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        connect_args.update(kwargs.pop("connect_args", {}))
        engine = create_engine(u, connect_args=connect_args, **kwargs)
        _install_sqlite_hooks(engine, in_memory=(u.database in (None, "", ":memory:")))
        return engine
    if is_postgres(u):
        connect_args = {"application_name": "condensync", "connect_timeout": 10}
        connect_args.update(kwargs.pop("connect_args", {}))
        # READ COMMITTED explicitly: the ledger's head-row locking relies on it, whatever the
        # server's default_transaction_isolation (verify asks for REPEATABLE READ itself).
        opts: dict[str, Any] = {
            "pool_size": 5,
            "max_overflow": 10,
            "pool_recycle": 1800,
            "isolation_level": "READ COMMITTED",
        }
        opts.update(kwargs)
        return create_engine(u, connect_args=connect_args, **opts)
    return create_engine(u, **kwargs)


def _install_sqlite_hooks(engine: Engine, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (see the "begin" hook below).
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            if not in_memory:
                _enable_wal(cur)
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(_BEGIN_MODE_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def _enable_wal(cur: Any) -> None:
    """Switch a SQLite database to WAL (persistent; a no-op once done).

    Two connections switching a fresh database at the same moment can deadlock inside
    SQLite, which then returns "database is locked" without waiting; retry for a while.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def begin_write(conn: Connection) -> RootTransaction:
    """Begin a write transaction on ``conn`` (``BEGIN IMMEDIATE`` on SQLite).

    On SQLite this takes the database's single write lock up front (waiting up to
    ``busy_timeout``), so a read-then-write sequence such as "read chain head, insert
    entry, update head" cannot interleave with another process, and a deferred
    transaction can never fail to upgrade its read lock. On PostgreSQL it is an ordinary
    transaction; callers lock rows explicitly.

    Parameters
    ----------
    conn : sqlalchemy.engine.Connection
        A connection with no transaction in progress.

    Returns
    -------
    sqlalchemy.engine.RootTransaction
        Usable as a context manager: commits on normal exit, rolls back on an exception.
    """
    if is_sqlite(conn):
        conn.execution_options(**{_BEGIN_MODE_OPTION: "IMMEDIATE"})
    return conn.begin()
