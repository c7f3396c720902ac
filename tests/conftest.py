# SPDX-License-Identifier: MIT
import os
import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(autouse=True, scope="session")
def _isolated_default_store(tmp_path_factory):
    """CLI and server subprocesses record in the audit ledger by default: point them at a
    throwaway SQLite file instead of the user's data directory."""
    if "CONDENSYNC_DATABASE_URL" not in os.environ:
        path = tmp_path_factory.mktemp("store") / "condensync.db"
        os.environ["CONDENSYNC_DATABASE_URL"] = f"sqlite:///{path}"
    # The ledger's signing key and PostgreSQL witness files live in the data directory.
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("data"))
    yield


PG_ADMIN_URL = os.environ.get("CONDENSYNC_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


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
