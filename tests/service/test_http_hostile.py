# SPDX-License-Identifier: MIT
"""Hostile input on the HTTP path: clean 4xx or isError results, never a crash, a leak or a
stalled server; a good call works afterwards and the ledger chain still verifies."""

from __future__ import annotations

import json

import httpx
import pytest
from _service_helpers import CALC, GOOD, INIT, call_body, mcp_client, raw_post

INJECTIONS = [
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "'; DROP TABLE ledger_entries;--",
    '" OR 1=1 --',
    "${jndi:ldap://x.invalid/a}",
    "{{7*7}}",
    "<script>alert(1)</script>",
    "%00%2e%2e%2f",
    "unit3\u0000",
    "\u202eevil",
    "A" * 5000,
]


def test_oversized_body_413_then_still_serving(svc):
    token = svc.tokens["viewer"]
    limit = 8 * 1024 * 1024  # the default --max-request-bytes
    big = call_body(CALC, {**GOOD, "pad": "x" * (limit + 10)})
    r = raw_post(svc.url, big, token)
    assert r.status_code == 413
    # 2 MiB is below the limit (long history series are legitimate): a normal isError answer
    r = raw_post(svc.url, call_body(CALC, {**GOOD, "pad": "x" * (2 * 1024 * 1024)}), token)
    assert r.status_code == 200 and r.json()["result"]["isError"] is True
    # sent in chunks without a content-length: still 413
    chunks = (b"x" * 65536 for _ in range(140))
    r = httpx.post(
        svc.url,
        content=chunks,
        headers={
            "content-type": "application/json",
            "accept": "application/json, text/event-stream",
            "authorization": f"Bearer {token}",
        },
        timeout=10,
    )
    assert r.status_code == 413
    # unauthenticated oversized: refused before the body is read
    assert raw_post(svc.url, big).status_code == 401
    assert raw_post(svc.url, call_body(CALC, GOOD), token).status_code == 200


@pytest.mark.parametrize(
    "content,status",
    [
        (b"{", 400),
        (b"", 400),
        (b"[]", 400),
        (b"null", 400),
        (b"\xff\xfe\x00", 400),
        (b'{"jsonrpc":"2.0","id":1}', 400),
        (b'{"jsonrpc":"1.0","id":1,"method":"tools/list"}', 400),
        # an object id is not a request id: the SDK takes it for a notification and drops it (202, nothing run)
        (json.dumps({"jsonrpc": "2.0", "id": {"x": 1}, "method": "tools/list"}).encode(), 202),
        (json.dumps([INIT, INIT]).encode(), 400),  # batches are not part of the protocol any more
        (b'{"a":' * 5000 + b"1" + b"}" * 5000, 400),  # deeply nested
    ],
)
def test_malformed_json_rpc(svc, content, status):
    r = raw_post(svc.url, None, svc.tokens["viewer"], content=content)
    assert r.status_code == status, (content[:40], r.status_code, r.text[:200])
    if r.content and r.headers.get("content-type", "").startswith("application/json"):
        assert r.json().get("error", {}).get("code") in (-32700, -32600, -32602)
    assert "Traceback" not in r.text


def test_unknown_method_and_bad_params(svc):
    token = svc.tokens["viewer"]
    r = raw_post(svc.url, {"jsonrpc": "2.0", "id": 7, "method": "tools/explode"}, token)
    assert r.status_code == 200 and r.json()["error"]["code"] == -32601
    r = raw_post(svc.url, {"jsonrpc": "2.0", "id": 8, "method": "tools/call", "params": {"arguments": {}}}, token)
    assert r.json()["error"]["code"] == -32602  # name missing
    r = raw_post(
        svc.url,
        {"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": CALC, "arguments": [1, 2]}},
        token,
    )
    body = r.json()
    assert "error" in body or body["result"]["isError"] is True


@pytest.mark.parametrize(
    "headers,status",
    [
        ({"content-type": "text/plain"}, 400),
        ({"content-type": "application/x-www-form-urlencoded"}, 400),
        ({"content-type": "multipart/form-data; boundary=x"}, 400),
        ({"accept": "text/html"}, 406),
        ({"host": "evil.example"}, 421),  # DNS-rebinding protection (loopback server)
        ({"origin": "http://evil.example"}, 403),
    ],
)
def test_wrong_content_types_and_headers(svc, headers, status):
    r = raw_post(svc.url, call_body(CALC, GOOD), svc.tokens["viewer"], headers=headers)
    assert r.status_code == status, (headers, r.status_code, r.text[:200])


def test_methods_and_paths(svc):
    token = {"authorization": f"Bearer {svc.tokens['viewer']}"}
    assert httpx.get(svc.url, headers=token, timeout=5).status_code == 405  # no standalone SSE stream
    assert httpx.delete(svc.url, headers=token, timeout=5).status_code == 405
    assert httpx.put(svc.url, headers=token, timeout=5).status_code == 405
    base = svc.server.base
    # path tricks never reach the MCP endpoint without a credential
    with httpx.Client(base_url=base, timeout=5) as c:
        for path in ("//mcp", "/health/../mcp", "/mcp/", "/MCP", "/mcp/../mcp", "/.well-known/../mcp"):
            r = c.post(httpx.URL(base + "/").copy_with(raw_path=path.encode()), json=INIT)
            assert r.status_code in (401, 404), (path, r.status_code)
        assert c.get("/etc/passwd", headers=token).status_code == 404
        assert c.get("/health/ready/../../etc/passwd").status_code in (401, 404)


@pytest.mark.anyio
async def test_injection_strings_in_fields_and_names(svc):
    async with mcp_client(svc.url, svc.tokens["admin"]) as c:
        for s in INJECTIONS:
            for name, args in (
                (CALC, {**GOOD, "condenser_id": s}),
                (CALC, {**GOOD, "tube_material": s}),
                ("svctest_read_live", {"asset": s}),
                ("verify_provenance", {"provenance_hash": s, "tool": s}),
                (CALC, {**GOOD, s[:60] or "x": 1}),
            ):
                r = await c.call_tool(name, args)
                assert r.is_error, (name, s[:40])
                text = r.content[0].text
                assert "Traceback" not in text and "internal error" not in text
            unknown = await c.call_tool(s[:200], {})
            assert unknown.is_error and "[unknown_tool]" in unknown.content[0].text
        # hostile numbers: NaN/Infinity are not JSON; huge and negative values are isError
        for bad in (1e308, -1e308, -0.0, 10**400):
            r = await c.call_tool(CALC, {**GOOD, "cw_flow": bad})
            assert r.is_error
        good = await c.call_tool(CALC, GOOD)
    assert not good.is_error
    with svc.store() as store:
        assert store.verify().ok
        names = {e.tool for e in store.last_entries(200)}
    assert "'; DROP TABLE ledger_entries;--" in names  # recorded verbatim, as data


def test_nan_and_infinity_literals(svc):
    token = svc.tokens["viewer"]
    for literal in (b"NaN", b"Infinity", b"-Infinity"):
        body = (
            json.dumps(call_body(CALC, {**GOOD, "cw_flow": 0}))
            .encode()
            .replace(b'"cw_flow": 0', b'"cw_flow": ' + literal)
        )
        r = raw_post(svc.url, None, token, content=body)
        assert r.status_code in (200, 400)
        if r.status_code == 200:
            assert r.json()["result"]["isError"] is True
    assert raw_post(svc.url, call_body(CALC, GOOD), token).json()["result"]["isError"] is False
