# SPDX-License-Identifier: MIT
"""Programmatic schema migrations (Alembic command API, scripts shipped inside the package).

:func:`upgrade` works from an installed wheel: the script location is the ``migrations``
directory next to this module, and no ``alembic.ini`` is needed. It runs all pending
migrations in ONE transaction (both SQLite and PostgreSQL have transactional DDL) that
first takes a lock, so two processes or replicas starting together do not race:

* PostgreSQL: ``pg_advisory_xact_lock(<constant key>)``; the second replica waits, then
  finds the schema current and does nothing.
* SQLite: ``BEGIN IMMEDIATE`` (the database write lock).

:func:`schema_status` tells the server whether upgrading is safe: ``empty`` (no tables of
ours) and ``behind`` are; ``current`` needs nothing; ``ahead`` (the database was migrated
by a newer release) and ``unversioned`` (our tables exist without a version row) are
refused by :func:`upgrade` with :class:`SchemaError`.

The Alembic version table is ``condensync_schema_version``.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL, Connection

from .engine import begin_write, is_postgres, make_engine, resolve_url
from .models import VERSION_TABLE, Base

if TYPE_CHECKING:  # alembic is imported when a schema is checked or migrated, not with the store
    from alembic.config import Config

__all__ = [
    "MIGRATIONS_DIR",
    "SchemaError",
    "SchemaStatus",
    "alembic_config",
    "head_revision",
    "schema_status",
    "upgrade",
    "upgrade_engine",
]

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")
HEAD_REVISION = "0002"
"""The newest revision in ``migrations/versions`` (a test checks it against Alembic's own
reading of the scripts): a store whose recorded revision is this one is current, which is
then known without importing Alembic and parsing the scripts (about 0.2-0.5 s of every
command that opens the store)."""
_LOCK_KEY = int.from_bytes(hashlib.sha256(b"condensync.store.migrate").digest()[:8], "big", signed=True)

State = Literal["empty", "behind", "current", "ahead", "unversioned"]


class SchemaError(RuntimeError):
    """The database schema cannot be upgraded safely by this release."""


@dataclass(frozen=True)
class SchemaStatus:
    """Where a database's schema stands relative to this release.

    Attributes
    ----------
    state : str
        ``empty``, ``behind``, ``current``, ``ahead`` or ``unversioned``.
    current : str or None
        Revision recorded in the database.
    head : str
        Newest revision shipped with this release.
    """

    state: State
    current: str | None
    head: str

    @property
    def safe_to_upgrade(self) -> bool:
        """True for ``empty`` and ``behind`` (and trivially ``current``)."""
        return self.state in ("empty", "behind", "current")


def alembic_config(url: str | URL | None = None) -> Config:
    """An Alembic :class:`~alembic.config.Config` pointing at the packaged scripts.

    Useful for developers too, e.g. ``command.revision(alembic_config(url), "msg",
    autogenerate=True)``.
    """
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", resolve_url(url).render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """The newest revision shipped with this release."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _recorded_revision(conn: Connection) -> str | None:
    """The revision in the version table; None when there is none (or no table)."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()  # noqa: S608 - a constant
    return rows[0] if len(rows) == 1 else None


def _status(conn: Connection) -> SchemaStatus:
    if _recorded_revision(conn) == HEAD_REVISION:  # the usual case, without Alembic
        return SchemaStatus("current", HEAD_REVISION, HEAD_REVISION)
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = head_revision()
    script = ScriptDirectory.from_config(alembic_config())
    current = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_revision()
    if current is None:
        ours = set(Base.metadata.tables) & set(inspect(conn).get_table_names())
        return SchemaStatus("unversioned" if ours else "empty", None, head)
    if current == head:
        return SchemaStatus("current", current, head)
    known = {rev.revision for rev in script.walk_revisions()}
    return SchemaStatus("behind" if current in known else "ahead", current, head)


def schema_status(url_or_engine: str | URL | Engine | None = None) -> SchemaStatus:
    """Report the schema state of a database (see module docstring)."""
    engine, owned = _engine(url_or_engine)
    try:
        with engine.connect() as conn:
            return _status(conn)
    finally:
        if owned:
            engine.dispose()


def _engine(url_or_engine: str | URL | Engine | None) -> tuple[Engine, bool]:
    if isinstance(url_or_engine, Engine):
        return url_or_engine, False
    return make_engine(url_or_engine), True


def upgrade_engine(engine: Engine, revision: str = "head") -> SchemaStatus:
    """Upgrade the database behind ``engine`` to ``revision`` under the migration lock.

    Returns
    -------
    SchemaStatus
        The status after the upgrade.

    Raises
    ------
    SchemaError
        If the database is ahead of this release or holds unversioned tables of ours.
    """
    with engine.connect() as conn:
        with begin_write(conn):
            if is_postgres(conn):
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
            before = _status(conn)
            if before.state in ("ahead", "unversioned"):
                raise SchemaError(
                    f"database schema is {before.state} (revision {before.current!r}, this release ships "
                    f"{before.head!r}); refusing to migrate"
                )
            if before.state != "current" or revision != "head":
                from alembic import command

                cfg = alembic_config()
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                log.info("store schema upgraded from %s to %s", before.current, revision)
            after = _status(conn)
    return after


def upgrade(url: str | URL | Engine | None = None, revision: str = "head") -> SchemaStatus:
    """Apply pending migrations to the database at ``url`` (see :func:`upgrade_engine`).

    Parameters
    ----------
    url : str, URL, Engine or None
        Database; ``None`` resolves like :class:`~condensync_tools.store.Store`.
    revision : str
        Target revision (default ``head``).
    """
    engine, owned = _engine(url)
    try:
        return upgrade_engine(engine, revision)
    finally:
        if owned:
            engine.dispose()
