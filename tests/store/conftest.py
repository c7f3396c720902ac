# SPDX-License-Identifier: MIT
"""Fixtures for the store tests: every store test runs on SQLite and on PostgreSQL.

PostgreSQL: a throwaway database ``condensync_test_<random>`` is created through the
``postgres`` database at the start of the session and dropped at the end. The server is
``$CONDENSYNC_TEST_PG_ADMIN_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``).
If it cannot be reached the PostgreSQL variants are skipped, unless
``CONDENSYNC_REQUIRE_POSTGRES=1`` (then they fail).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _store_helpers import reset_pg, truncate_pg  # noqa: E402  (tests/store is on sys.path)

from condensync_tools.store import Store

# The session-wide ``pg_url`` fixture (throwaway PostgreSQL database) lives in tests/conftest.py.


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test using a database fixture runs once per backend.

    The PostgreSQL database is reused by the session's tests: each test gets its own witness
    file of signed chain heads, as an SQLite file in ``tmp_path`` has beside it.
    """
    if request.param == "postgres":
        monkeypatch.setenv("CONDENSYNC_LEDGER_WITNESS", str(tmp_path / "pg.witness.jsonl"))
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
