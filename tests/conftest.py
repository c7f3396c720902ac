# SPDX-License-Identifier: MIT
import os

import pytest


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
    yield
