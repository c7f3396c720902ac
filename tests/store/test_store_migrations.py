# SPDX-License-Identifier: MIT
"""Schema migrations: programmatic upgrade, status, lock-protected concurrency, model parity."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from condensync_tools.store import SchemaError, Store, schema_status, upgrade
from condensync_tools.store.migrate import HEAD_REVISION, MIGRATIONS_DIR, head_revision
from condensync_tools.store.models import VERSION_TABLE, Base


def test_status_and_upgrade(empty_url: str) -> None:
    assert schema_status(empty_url).state == "empty"
    after = upgrade(empty_url)
    assert after.state == "current" and after.current == head_revision()
    assert upgrade(empty_url).state == "current"  # idempotent
    with Store(empty_url) as s:
        tables = set(inspect(s.engine).get_table_names())
    assert set(Base.metadata.tables) | {VERSION_TABLE} <= tables


def test_models_match_migrations(store_url: str) -> None:
    with Store(store_url) as s, s.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE, "compare_type": True})
        diff = [d for d in compare_metadata(ctx, Base.metadata) if not _ignorable(d)]
    assert diff == []


def _ignorable(d: object) -> bool:
    # The version table is Alembic's own.
    return isinstance(d, tuple) and d[0] == "remove_table" and d[1].name == VERSION_TABLE


def test_upgrade_works_from_any_directory(empty_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert MIGRATIONS_DIR.is_dir() and (MIGRATIONS_DIR / "env.py").is_file()
    assert upgrade(empty_url).state == "current"


def test_refuses_database_ahead(store_url: str) -> None:
    with Store(store_url) as s:
        with s.engine.begin() as conn:
            conn.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = 'ffff_future'"))
        assert s.schema_status().state == "ahead"
        with pytest.raises(SchemaError, match="ahead"):
            s.upgrade()


def test_refuses_unversioned_tables(store_url: str) -> None:
    with Store(store_url) as s:
        with s.engine.begin() as conn:
            conn.execute(text(f"DROP TABLE {VERSION_TABLE}"))
        assert s.schema_status().state == "unversioned"
        with pytest.raises(SchemaError):
            s.upgrade()


def test_auto_upgrade(empty_url: str) -> None:
    with Store(empty_url, auto_upgrade=True) as s:
        assert s.schema_status().state == "current"
        assert s.append_call.__name__ and s.verify().ok


def test_concurrent_upgrades_do_not_race(empty_url: str) -> None:
    """Several 'replicas' upgrading the same empty database at once: all succeed, once."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def replica() -> None:
        try:
            with Store(empty_url) as s:
                barrier.wait()
                assert s.upgrade().state == "current"
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=replica) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert schema_status(empty_url).state == "current"


def test_default_url_is_sqlite_in_user_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONDENSYNC_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    with Store() as s:
        assert s.backend == "sqlite"
        assert s.url.endswith(os.path.join("xdg", "condensync", "condensync.db"))
        s.upgrade()
        with s.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_env_url_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONDENSYNC_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    with Store() as s:
        assert s.url.endswith("env.db")
    with Store(f"sqlite:///{tmp_path / 'explicit.db'}") as s:
        assert s.url.endswith("explicit.db")


def test_postgres_url_uses_psycopg() -> None:
    s = Store("postgres://u:secret@db.example/condensync")
    assert s.url == "postgresql+psycopg://u:***@db.example/condensync" and s.backend == "postgresql"
    s.close()


def test_head_revision_constant_is_the_newest_migration() -> None:
    """HEAD_REVISION (the check that skips Alembic when a store is current) names the head of
    the shipped scripts as Alembic reads them: adding a migration without updating it fails here."""
    assert HEAD_REVISION == head_revision()


def test_a_current_store_opens_without_importing_alembic(tmp_path: Path) -> None:
    """Opening an up-to-date store (every command and server start does) checks the recorded
    revision with one query; Alembic is imported only to migrate or to classify another state."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'current.db'}"
    Store(url, auto_upgrade=True).close()
    code = (
        "import sys\n"
        "from condensync_tools.store import Store\n"
        f"s = Store({url!r}, auto_upgrade=True)\n"
        "print(s.schema_status().state, 'alembic' in sys.modules)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["current", "False"]
