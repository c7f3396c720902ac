# SPDX-License-Identifier: MIT
"""Fast, in-process checks of the service's parts: role policy, claim → role mapping, secret
redaction, loopback detection, the token CLI and the api_tokens table."""

from __future__ import annotations

import argparse
import json
import logging

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from condensync_tools import cli_service
from condensync_tools.registry import all_tools
from condensync_tools.server import roles
from condensync_tools.server.auth import OidcSettings, role_from_claims
from condensync_tools.server.http_app import HttpSettings, is_loopback
from condensync_tools.server.logging_setup import JsonFormatter, redact
from condensync_tools.store import Store
from condensync_tools.store.models import VERSION_TABLE, Base
from condensync_tools.store.tokens import TokenStore, hash_token, looks_like_api_token


def test_policy_is_data_and_fails_closed():
    assert roles.roles_for("calculator") == ["viewer", "operator", "engineer", "admin"]
    assert roles.roles_for("live_read") == ["viewer", "operator", "engineer", "admin"]
    assert roles.roles_for("work_order") == ["engineer", "admin"]
    assert roles.roles_for("admin") == ["engineer", "admin"]
    assert roles.roles_for("ledger") == ["admin"]
    assert roles.roles_for("brand_new_category") == ["admin"]  # unknown category: admin only
    assert not roles.allowed(None, "calculator") and not roles.allowed("root", "calculator")
    assert {t.category for t in all_tools()} <= set(roles.CATEGORIES)
    err = roles.denial("verify_provenance", "ledger", "engineer")
    assert err.kind == "permission_denied"
    assert err.problems == ["$.name: role admin needed to call verify_provenance (ledger tool), got role 'engineer'"]


@pytest.mark.parametrize(
    "claims,role",
    [
        ({"condensync_role": "operator"}, "operator"),
        ({"condensync_role": ["viewer", "engineer"]}, "engineer"),
        ({"roles": ["condensync:admin", "other"]}, "admin"),
        ({"roles": ["admin"]}, None),  # a plain "admin" from a shared IdP is not ours
        ({"realm_access": {"roles": ["condensync-viewer"]}}, "viewer"),
        ({"resource_access": {"condensync": {"roles": ["engineer"]}}}, "engineer"),
        ({"resource_access": {"other-app": {"roles": ["admin"]}}}, None),
        ({"scope": "openid profile condensync:operator"}, "operator"),
        ({"scp": ["condensync:viewer"]}, "viewer"),
        ({"condensync_role": "superuser"}, None),
        ({}, None),
    ],
)
def test_role_from_claims(claims, role):
    assert role_from_claims(claims, "condensync_role", "condensync") == role


def test_oidc_settings_from_env():
    assert OidcSettings.from_env({}) is None
    s = OidcSettings.from_env(
        {
            "CONDENSYNC_OIDC_ISSUER": "https://idp/realm",
            "CONDENSYNC_OIDC_AUDIENCE": "c",
            "CONDENSYNC_OIDC_JWKS_URL": "https://idp/jwks",
        }
    )
    assert s.algorithms == ("RS256", "ES256", "PS256") and s.role_claim == "condensync_role"
    with pytest.raises(ValueError, match="partly configured"):
        OidcSettings.from_env({"CONDENSYNC_OIDC_ISSUER": "https://idp/realm"})
    with pytest.raises(ValueError, match="asymmetric"):
        OidcSettings.from_env(
            {
                "CONDENSYNC_OIDC_ISSUER": "i",
                "CONDENSYNC_OIDC_AUDIENCE": "a",
                "CONDENSYNC_OIDC_JWKS_URL": "u",
                "CONDENSYNC_OIDC_ALGORITHMS": "HS256",
            }
        )


def test_redaction_and_json_logs():
    token = "cst_" + "Zx9" * 15
    jwt_like = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJlc2lnbmF0dXJl"
    text = f"Authorization: Bearer {token} then {jwt_like} and access_token={token}"
    out = redact(text)
    assert token not in out and jwt_like not in out and "Zx9Zx9" not in out and "[REDACTED]" in out
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "got %s", (token,), None)
    line = JsonFormatter().format(record)
    assert token not in line and json.loads(line)["level"] == "info"


def test_loopback_and_settings():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1") and not is_loopback("example.com")
    args = argparse.Namespace(
        host="0.0.0.0",
        port=8017,
        metrics_port=9017,
        no_auth=True,
        allowed_host=[],
        tls_cert=None,
        tls_key=None,
        log_level="WARNING",
    )
    problems = HttpSettings.from_args(args).problems()
    assert any("--no-auth is refused" in p for p in problems)
    s = HttpSettings(host="0.0.0.0", allowed_hosts=["condensync.example:*"])
    sec = s.transport_security()
    assert sec.enable_dns_rebinding_protection and sec.allowed_hosts == ["condensync.example:*"]


def _cli(argv):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    cli_service.add_parsers(sub)
    args = parser.parse_args(argv)
    return args.func(args)


def test_token_cli_create_list_revoke(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 't.db'}"
    assert _cli(["token", "create", "--role", "engineer", "--label", "ci bot", "--database-url", url]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert looks_like_api_token(token) and out.count("\n") == 1 and "shown only this once" in err
    assert _cli(["token", "list", "--database-url", url]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(t["role"], t["label"], t["active"]) for t in listed] == [("engineer", "ci bot", True)]
    assert token not in json.dumps(listed) and hash_token(token) not in json.dumps(listed)
    with Store(url) as store:  # only the hash is stored
        with store.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT * FROM api_tokens").fetchall()
        assert token not in repr(rows) and hash_token(token) in repr(rows)
        assert TokenStore(store.engine).lookup(token).role == "engineer"
    assert _cli(["token", "revoke", listed[0]["id"], "--database-url", url]) == 0
    assert _cli(["token", "revoke", listed[0]["id"], "--database-url", url]) == 1
    with Store(url) as store:
        assert TokenStore(store.engine).lookup(token) is None


def test_api_tokens_table_matches_its_migration(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'm.db'}", auto_upgrade=True) as s, s.engine.connect() as conn:
        assert s.schema_status().current == "0002"
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE, "compare_type": True})
        diff = [
            d
            for d in compare_metadata(ctx, Base.metadata)
            if not (d[0] == "remove_table" and d[1].name == VERSION_TABLE)
        ]
    assert diff == []


class _FakeStore:
    url = "postgresql+psycopg://condensync:***@db/condensync"

    def __init__(self, ok: bool = True) -> None:
        self.ok = ok

    def ping(self) -> bool:
        return self.ok


class _FakeLive:
    """The live provider's status() shape (condensync_tools.live.ConnectorManager.status)."""

    def __init__(self, dcs_connected: bool) -> None:
        self.dcs_connected = dcs_connected

    def status(self, condenser_id=None, timeout=10.0):
        dcs_breaker = {
            "name": "unit3_dcs",
            "endpoint": "opc.tcp://dcs:4840",
            "state": "closed" if self.dcs_connected else "open",
            "failure_count": 0 if self.dcs_connected else 5,
        }
        return {
            "connectors": [
                {
                    "service": "unit3_dcs",
                    "kind": "opcua",
                    "condenser_id": "unit3",
                    "connected": self.dcs_connected,
                    "breaker": dcs_breaker,
                    "stale_limits_s": {"cw_inlet_temp": 60.0, "cw_flow": 60.0},
                    "tags": {"cw_inlet_temp": {"age_s": 12.5, "quality": "good"}, "cw_flow": {"age_s": 95.0}},
                },
                {"service": "unit3_cmms", "kind": "cmms", "condenser_id": "unit3", "breaker": {"state": "closed"}},
            ],
            "breakers": [dcs_breaker],
        }


@pytest.mark.anyio
@pytest.mark.parametrize(
    "required,connected,status,not_ready",
    [
        ("", False, 200, None),  # connectors reported, not required: ready
        ("unit3_dcs", True, 200, None),
        ("unit3_dcs", False, 503, ["connectors"]),
        ("all", False, 503, ["connectors"]),
        ("unit9_missing", True, 503, ["connectors"]),
    ],
)
async def test_readiness_with_connectors(monkeypatch, required, connected, status, not_ready):
    from condensync_tools.server.health import HealthState

    monkeypatch.setenv("CONDENSYNC_REQUIRED_CONNECTORS", required)
    state = HealthState(_FakeStore(), lambda: _FakeLive(connected), tools=3)
    state.started = True
    code, body = await state.readiness()
    assert code == status and body.get("not_ready") == not_ready
    dcs = next(c for c in body["components"]["connectors"]["connectors"] if c["service"] == "unit3_dcs")
    assert dcs["connected"] is connected and dcs["breaker"] == ("closed" if connected else "open")


@pytest.mark.anyio
async def test_readiness_store_down_names_the_store():
    from condensync_tools.server.health import HealthState

    state = HealthState(_FakeStore(ok=False), tools=3)
    state.started = True
    code, body = await state.readiness()
    assert code == 503 and body["not_ready"] == ["store"] and "***" in body["components"]["store"]["url"]


def test_metrics_collect_connectors_and_breakers():
    from prometheus_client import generate_latest

    from condensync_tools.server.metrics import Metrics

    m = Metrics(lambda: _FakeLive(False), known_tools=["calculate_heat_transfer_coefficient"])
    m.observe_call("calculate_heat_transfer_coefficient", 0.01, None)
    m.observe_call("../../etc/passwd", 0.01, "unknown_tool")
    text = generate_latest(m.registry).decode()
    assert 'condensync_connector_up{condenser_id="unit3",kind="opcua",service="unit3_dcs"} 0.0' in text
    assert 'condensync_connector_up{condenser_id="unit3",kind="cmms",service="unit3_cmms"} 1.0' in text
    assert 'condensync_connector_staleness_seconds{condenser_id="unit3",kind="opcua",service="unit3_dcs"} 95.0' in text
    assert 'condensync_connector_stale_values{condenser_id="unit3",kind="opcua",service="unit3_dcs"} 1.0' in text
    assert 'condensync_breaker_state{endpoint="opc.tcp://dcs:4840",name="unit3_dcs",state="open"} 1.0' in text
    assert 'condensync_breaker_failures{endpoint="opc.tcp://dcs:4840",name="unit3_dcs"} 5.0' in text
    assert 'condensync_tool_calls_total{tool="_unknown"} 1.0' in text and "passwd" not in text
