# SPDX-License-Identifier: MIT
"""Authentication (API tokens, OIDC JWTs) and role enforcement over MCP streamable HTTP,
with the official client against a real server subprocess."""

from __future__ import annotations

import re

import pytest
from _service_helpers import CALC, GOOD, INIT, call_body, mcp_client, raw_post

# The policy, written out independently of condensync_tools/server/roles.py.
CLASSES = ("calculator", "live_read", "work_order", "ledger")
ALLOWED = {
    "viewer": {"calculator", "live_read"},
    "operator": {"calculator", "live_read"},
    "engineer": {"calculator", "live_read", "work_order"},
    "admin": {"calculator", "live_read", "work_order", "ledger"},
}
NEEDED = {"work_order": "role engineer or admin needed", "ledger": "role admin needed"}


def _calls(provenance_hash: str) -> dict[str, tuple[str, dict]]:
    return {
        "calculator": (CALC, GOOD),
        "live_read": ("svctest_read_live", {"asset": "C1"}),
        "work_order": ("svctest_create_work_order", {"asset": "C1"}),
        "ledger": ("verify_provenance", {"provenance_hash": provenance_hash}),
    }


@pytest.mark.anyio
async def test_every_role_against_every_tool_class(svc):
    async with mcp_client(svc.url, svc.tokens["admin"]) as c:
        first = await c.call_tool(CALC, GOOD)
    assert not first.is_error
    calls = _calls(first.structured_content["provenance"]["provenance_hash"])
    seen = {}
    for role in ("viewer", "operator", "engineer", "admin"):
        rid = f"matrix-{role}"
        async with mcp_client(svc.url, svc.tokens[role], headers={"X-Request-ID": rid}) as c:
            names = {t.name for t in (await c.list_tools()).tools}
            assert {name for name, _ in calls.values()} <= names  # tools/list shows everything
            for cls in CLASSES:
                name, args = calls[cls]
                r = await c.call_tool(name, args)
                seen[(role, cls)] = r
                if cls in ALLOWED[role]:
                    assert not r.is_error, (role, cls, r.content[0].text)
                    if cls == "ledger":
                        assert r.structured_content["matches"] is True
                else:
                    text = r.content[0].text
                    assert r.is_error and "[permission_denied]" in text, (role, cls, text)
                    assert NEEDED[cls] in text and f"got role '{role}'" in text
    # every denial is in the ledger, with the caller, the role and the request id
    with svc.store() as store:
        entries = list(store.iter_entries())
    for role, cls in seen:
        name = calls[cls][0]
        caller = f"token:{svc.token_ids[role]} role={role}"
        mine = [e for e in entries if e.caller == caller and e.tool == name and e.request_id == f"matrix-{role}"]
        assert len(mine) == 1, (role, cls)
        if cls in ALLOWED[role]:
            assert not mine[0].is_error
        else:
            assert mine[0].is_error and "permission_denied" in mine[0].error and NEEDED[cls] in mine[0].error
    assert store.verify().ok


@pytest.mark.anyio
async def test_real_work_order_and_live_tools_are_gated(svc):
    """The real create_work_order / read_live_data tools pass the same gate (they may still
    fail later for want of a CMMS or connectors, but never with permission_denied for allowed roles)."""
    args = {
        "create_work_order": {"condenser_id": "unit3", "title": "t", "description": "d"},
        "read_live_data": {"condenser_id": "unit3"},
    }
    async with mcp_client(svc.url, svc.tokens["operator"]) as c:
        wo = await c.call_tool("create_work_order", args["create_work_order"])
        live = await c.call_tool("read_live_data", args["read_live_data"])
    assert wo.is_error and "[permission_denied]" in wo.content[0].text and "engineer or admin" in wo.content[0].text
    assert "needed to call" not in live.content[0].text
    async with mcp_client(svc.url, svc.tokens["engineer"]) as c:
        wo = await c.call_tool("create_work_order", args["create_work_order"])
    assert "needed to call" not in wo.content[0].text  # past the role gate (a CMMS may still be missing)


def _www(resp) -> str:
    return resp.headers.get("www-authenticate", "")


def test_401_without_or_with_bad_credentials(svc):
    url = svc.url
    r = raw_post(url, INIT)
    assert r.status_code == 401 and _www(r).startswith("Bearer ") and 'realm="condensync"' in _www(r)
    assert "resource_metadata=" in _www(r)  # OIDC is configured: clients can discover the issuer
    assert r.headers.get("x-request-id")
    bad = {
        "unknown api token": "cst_" + "A" * 43,
        "garbage": "hello",
        "revoked api token": svc.revoked,
        "expired jwt": svc.jwks.token(expires_in=-600),
        "wrong audience jwt": svc.jwks.token(audience="some-other-service"),
        "wrong issuer jwt": svc.jwks.token(issuer="http://evil.example/realm"),
        "unknown signing key": svc.jwks.token(key=svc.jwks.rogue, kid="rogue"),
        "known kid, wrong key": svc.jwks.token(key=svc.jwks.rogue),
    }
    svc.secrets.extend(bad.values())
    for what, token in bad.items():
        r = raw_post(url, INIT, token)
        assert r.status_code == 401, what
        assert 'error="invalid_token"' in _www(r), what
        assert token not in r.text and token not in _www(r)
    assert "expired" in raw_post(url, INIT, bad["expired jwt"]).json()["error_description"]
    assert "audience" in raw_post(url, INIT, bad["wrong audience jwt"]).json()["error_description"]
    # forged tokens with made-up key ids do not make the server refetch the JWKS each time
    hits = svc.jwks.hits
    for i in range(5):
        assert raw_post(url, INIT, svc.jwks.token(key=svc.jwks.rogue, kid=f"made-up-{i}")).status_code == 401
    assert svc.jwks.hits - hits <= 1
    basic = raw_post(url, INIT, headers={"authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401
    # algorithm confusion: HS256 signed with the public key, and alg none
    import jwt

    claims = jwt.decode(svc.jwks.token(), options={"verify_signature": False})
    forged = [
        jwt.encode(claims, "k" * 32, algorithm="HS256", headers={"kid": svc.jwks.kid}),
        jwt.encode(claims, None, algorithm="none", headers={"kid": svc.jwks.kid}),
    ]
    for token in forged:
        assert raw_post(url, INIT, token).status_code == 401
    # a valid JWT without any CONDENSYNC role: authenticated, but refused as a whole (403)
    norole = svc.jwks.token(role=None, sub="nobody")
    r = raw_post(url, INIT, norole)
    assert r.status_code == 403 and 'error="insufficient_scope"' in _www(r)
    svc.secrets.append(norole)


def test_protected_resource_metadata(svc):
    import httpx

    r = httpx.get(svc.server.base + "/.well-known/oauth-protected-resource/mcp")
    assert r.status_code == 200
    body = r.json()
    assert body["authorization_servers"] == [svc.jwks.issuer] and body["resource"].endswith("/mcp")


@pytest.mark.anyio
async def test_oidc_roles_from_claims(svc):
    engineer = svc.jwks.token(sub="alice", role="engineer")
    admin_scope = svc.jwks.token(sub="bob", role=None, scope="openid condensync:admin")
    kc_viewer = svc.jwks.token(sub="carol", role=None, realm_access={"roles": ["offline_access", "condensync-viewer"]})
    svc.secrets.extend([engineer, admin_scope, kc_viewer])
    async with mcp_client(svc.url, engineer, headers={"X-Request-ID": "oidc-alice"}) as c:
        ok = await c.call_tool("svctest_create_work_order", {"asset": "A"})
        denied = await c.call_tool("verify_provenance", {"provenance_hash": "0" * 64})
    assert not ok.is_error
    assert (
        denied.is_error
        and "role admin needed" in denied.content[0].text
        and "got role 'engineer'" in denied.content[0].text
    )
    async with mcp_client(svc.url, admin_scope, mode="legacy") as c:
        r = await c.call_tool("verify_provenance", {"provenance_hash": "0" * 64})
    assert "[permission_denied]" not in r.content[0].text  # admin passes the gate (no such hash, though)
    async with mcp_client(svc.url, kc_viewer) as c:
        r = await c.call_tool("svctest_create_work_order", {"asset": "A"})
    assert r.is_error and "got role 'viewer'" in r.content[0].text
    with svc.store() as store:
        mine = [e for e in store.last_entries(50) if e.request_id == "oidc-alice"]
    assert {e.tool for e in mine} == {"svctest_create_work_order", "verify_provenance"}
    assert all(e.caller == "oidc:alice role=engineer" for e in mine)


def test_credentials_never_logged(svc):
    """Runs after the tests above (file order): nothing shaped like any credential used, not
    even a fragment, is in the server's log; every log line is JSON."""
    # make sure at least one call with each token happened
    for token in svc.tokens.values():
        raw_post(svc.url, call_body(CALC, GOOD), token)
    log = svc.server.log_text()
    records = svc.server.log_records()
    assert records and all("raw" not in r for r in records), [r for r in records if "raw" in r][:3]
    assert any(r.get("event") == "http_request" and r.get("request_id") for r in records)
    for secret in (s for s in svc.secrets if len(s) >= 40):
        body = secret.split(".")[-1] if secret.count(".") == 2 else secret[4:]  # JWT signature / token body
        for i in range(0, len(body) - 12, 6):
            assert body[i : i + 12] not in log, "a credential fragment was logged"
    assert not re.search(r"(?i)authorization", log)
    assert svc.server.stdout_text() == ""  # nothing on stdout from the server
