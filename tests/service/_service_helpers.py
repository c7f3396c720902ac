# SPDX-License-Identifier: MIT
"""Helpers of the HTTP service tests: server subprocesses, MCP clients, a JWKS server, JWTs."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator

import httpx
import httpx2
from _tool_cases import HT_MINIMAL
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

REPO = Path(__file__).resolve().parents[2]
LAUNCH = Path(__file__).with_name("_launch.py")

GOOD = HT_MINIMAL
CALC = "calculate_heat_transfer_coefficient"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(**extra: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONDENSYNC_OIDC_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["PYTHONUNBUFFERED"] = "1"
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


class ServerProcess:
    """``condensync serve --transport http`` as a real subprocess (via tests/service/_launch.py)."""

    def __init__(
        self,
        workdir: Path,
        *,
        port: int | None = None,
        metrics_port: int | None = None,
        database_url: str | None = None,
        extra_args: list[str] | None = None,
        env: dict[str, str] | None = None,
        test_tools: bool = True,
        scheme: str = "http",
        name: str = "server",
        argv: list[str] | None = None,
    ) -> None:
        self.port = port or free_port()
        self.metrics_port = metrics_port or free_port()
        self.scheme = scheme
        self.workdir = workdir
        self.log_path = workdir / f"{name}.stderr.log"
        self.out_path = workdir / f"{name}.stdout.log"
        if argv is None:
            argv = [
                "serve",
                "--transport",
                "http",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--metrics-port",
                str(self.metrics_port),
            ]
            if database_url:
                argv += ["--database-url", database_url]
            argv += list(extra_args or [])
        self.argv = (["--with-test-tools"] if test_tools else []) + argv
        self.env = env or child_env()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.base + "/mcp"

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.metrics_port}/metrics"

    def start(self) -> ServerProcess:
        self.proc = subprocess.Popen(
            [sys.executable, str(LAUNCH), *self.argv],
            cwd=self.workdir,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=open(self.out_path, "wb"),
            stderr=open(self.log_path, "wb"),
        )
        return self

    def wait_started(self, timeout: float = 60.0, verify: Any = False) -> ServerProcess:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                r = httpx.get(self.base + "/health/start", timeout=1.0, verify=verify)
                if r.status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server did not start in {timeout} s:\n{self.log_tail()}")

    def stop(self, timeout: float = 15.0) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(5)

    def log_text(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace") if self.log_path.exists() else ""

    def log_records(self) -> list[dict[str, Any]]:
        out = []
        for line in self.log_text().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append({"raw": line})
        return out

    def stdout_text(self) -> str:
        return self.out_path.read_text("utf-8", errors="replace") if self.out_path.exists() else ""

    def log_tail(self, n: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-n:])


def start_all(servers: list[ServerProcess], timeout: float = 60.0) -> list[ServerProcess]:
    """Start several servers at once (their imports overlap) and wait for all."""
    for s in servers:
        s.start()
    for s in servers:
        s.wait_started(timeout)
    return servers


@asynccontextmanager
async def mcp_client(
    url: str, token: str | None = None, *, mode: str = "auto", verify: Any = True, headers: dict[str, str] | None = None
) -> AsyncIterator[Client]:
    """The official MCP client over streamable HTTP (httpx2), optionally with a bearer token."""
    h = dict(headers or {})
    if token:
        h["Authorization"] = f"Bearer {token}"
    http = httpx2.AsyncClient(headers=h, verify=verify, timeout=30.0)
    async with http, Client(streamable_http_client(url, http_client=http), mode=mode) as client:
        yield client


INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw-test", "version": "1"}},
}
JSON_HEADERS = {
    "content-type": "application/json",
    "accept": "application/json, text/event-stream",
    "mcp-protocol-version": "2025-11-25",
}


def raw_post(
    url: str,
    body: Any,
    token: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    timeout: float = 10.0,
) -> httpx.Response:
    """One raw POST (legacy-era JSON-RPC; stateless, so no handshake is needed per request)."""
    h = dict(JSON_HEADERS)
    if token:
        h["authorization"] = f"Bearer {token}"
    h.update(headers or {})
    data = content if content is not None else json.dumps(body).encode()
    return httpx.post(url, content=data, headers=h, timeout=timeout)


def call_body(name: str, arguments: Any, rid: int = 2) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": name, "arguments": arguments}}


def scrape(url: str) -> dict[str, float]:
    """Prometheus text → {'name{labels}': value} (labels as printed)."""
    text = httpx.get(url, timeout=10).text
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            out[key] = float(value)
    return out


# --------------------------------------------------------------------------- OIDC test IdP
class JwksServer:
    """A local identity provider's JWKS endpoint (uvicorn in a thread) and a JWT signer."""

    def __init__(self) -> None:
        import jwt
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.rogue = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-key-1"
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        self.jwks = {"keys": [jwk]}
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}/realm"
        self.audience = "condensync-test"
        self.jwks_url = f"http://127.0.0.1:{self.port}/realm/jwks.json"
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.hits = 0  #: JWKS fetches served

    def start(self) -> JwksServer:
        import uvicorn
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        async def jwks(request: Any) -> JSONResponse:
            self.hits += 1
            return JSONResponse(self.jwks)

        app = Starlette(routes=[Route("/realm/jwks.json", jwks)])
        self._server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(5)

    def env(self) -> dict[str, str]:
        return {
            "CONDENSYNC_OIDC_ISSUER": self.issuer,
            "CONDENSYNC_OIDC_AUDIENCE": self.audience,
            "CONDENSYNC_OIDC_JWKS_URL": self.jwks_url,
        }

    def token(
        self,
        *,
        sub: str = "alice",
        role: str | None = "engineer",
        audience: str | None = None,
        issuer: str | None = None,
        expires_in: float = 300,
        key: Any = None,
        kid: str | None = None,
        **claims: Any,
    ) -> str:
        import jwt

        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": issuer or self.issuer,
            "aud": audience or self.audience,
            "sub": sub,
            "iat": now,
            "nbf": now - 5,
            "exp": int(now + expires_in),
        }
        if role is not None:
            payload["condensync_role"] = role
        payload.update(claims)
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})
