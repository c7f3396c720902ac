# SPDX-License-Identifier: MIT
"""Fixtures for the store tests: every store test runs on SQLite and on PostgreSQL.

PostgreSQL: a throwaway database ``condensync_test_<random>`` is created through the
``postgres`` database at the start of the session and dropped at the end. The server is
``$CONDENSYNC_TEST_PG_ADMIN_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``).
If it cannot be reached the PostgreSQL variants are skipped, unless
``CONDENSYNC_REQUIRE_POSTGRES=1`` (then they fail).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from _store_helpers import reset_pg, truncate_pg  # noqa: E402  (tests/store is on sys.path)
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from condensync_tools.store import Store

PG_ADMIN_URL = os.environ.get(
    "CONDENSYNC_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """URL of a throwaway PostgreSQL database for this test session."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    name = f"condensync_test_{secrets.token_hex(6)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        if os.environ.get("CONDENSYNC_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.orig}")
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """Every test using a database fixture runs once per backend."""
    return str(request.param)


@pytest.fixture
def empty_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty database (no schema) on each backend."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url = request.getfixturevalue("pg_url")
    reset_pg(url)
    return url


@pytest.fixture
def store_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of a migrated, empty database on each backend.

    On PostgreSQL the session database is reused: emptied with TRUNCATE when its schema
    is current (fast), rebuilt when a previous test changed the schema.
    """
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("pg_url")
        if truncate_pg(url):
            return url
        reset_pg(url)
    with Store(url) as s:
        s.upgrade()
    return url


@pytest.fixture
def store(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A migrated, empty store on each backend (no ledger key)."""
    monkeypatch.delenv("CONDENSYNC_LEDGER_KEY", raising=False)
    s = Store(store_url)
    try:
        yield s
    finally:
        s.close()
