# SPDX-License-Identifier: MIT
"""Fixtures of the HTTP service tests.

``svc`` (module-shared, session scope): ONE real server subprocess on a free loopback port with
an SQLite store, API tokens for every role (plus a revoked one) and OIDC pointed at a local
JWKS server with a test RSA key. Tests that need other settings (TLS, PostgreSQL replicas,
store outages, the container entry command) start their own servers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from _service_helpers import JwksServer, ServerProcess, child_env

from condensync_tools.store import Store
from condensync_tools.store.tokens import ROLES, TokenStore


@dataclass
class Service:
    server: ServerProcess
    db_url: str
    jwks: JwksServer
    tokens: dict[str, str]
    token_ids: dict[str, str]
    revoked: str
    workdir: Path
    secrets: list[str] = field(default_factory=list)  #: every credential used (must never be logged)

    @property
    def url(self) -> str:
        return self.server.url

    def store(self) -> Store:
        return Store(self.db_url)


def make_tokens(db_url: str) -> tuple[dict[str, str], dict[str, str], str]:
    with Store(db_url, auto_upgrade=True) as store:
        ts = TokenStore(store.engine)
        tokens, ids = {}, {}
        for role in ROLES:
            info, token = ts.create(role, f"service tests {role}")
            tokens[role], ids[role] = token, info.id
        info, revoked = ts.create("admin", "revoked at once")
        ts.revoke(info.id)
    return tokens, ids, revoked


@pytest.fixture(scope="session")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    workdir = tmp_path_factory.mktemp("service")
    db_url = f"sqlite:///{workdir / 'service.db'}"
    tokens, ids, revoked = make_tokens(db_url)
    jwks = JwksServer().start()
    server = ServerProcess(workdir, database_url=db_url, env=child_env(**jwks.env()), name="main").start()
    try:
        server.wait_started()
        yield Service(server, db_url, jwks, tokens, ids, revoked, workdir, [*tokens.values(), revoked])
    finally:
        server.stop()
        jwks.stop()
