# SPDX-License-Identifier: MIT
"""The HTTP service against slow and misdirected clients, and what its probes show, with real
server subprocesses on 127.0.0.1:

- a connection that never finishes its request (slowloris: headers trickled byte by byte, or
  nothing sent at all) is closed after the request deadline, and the service keeps serving;
- a request with a Host the service does not serve is refused (421) *before* authentication,
  so no answer (a 401's ``resource_metadata`` included) reflects that Host;
- ``/health/ready`` never shows the store password, also when it is passed as a query
  parameter (``?password=…``).
"""

from __future__ import annotations

import socket
import time

import httpx
import pytest
from _service_helpers import ServerProcess, child_env, free_port


def _closed_within(sock: socket.socket, seconds: float, trickle: bytes = b"") -> float | None:
    """Seconds until the server closed ``sock`` (None if still open after ``seconds``),
    sending one byte of ``trickle`` every 0.2 s meanwhile."""
    started = time.monotonic()
    sock.settimeout(0.2)
    sent = 0
    while time.monotonic() - started < seconds:
        try:
            if sent < len(trickle):
                sock.sendall(trickle[sent : sent + 1])
                sent += 1
            if sock.recv(4096) == b"":
                return time.monotonic() - started
        except TimeoutError:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - started
    return None


@pytest.fixture(scope="module")
def quick_deadline(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("slow")
    server = ServerProcess(
        workdir,
        database_url=f"sqlite:///{workdir / 's.db'}",
        extra_args=["--no-auth"],
        env=child_env(CONDENSYNC_HTTP_REQUEST_TIMEOUT_SECONDS="1.5"),
        name="slow",
    ).start()
    try:
        yield server.wait_started()
    finally:
        server.stop()


@pytest.mark.slow
def test_partial_headers_are_timed_out(quick_deadline):
    port = quick_deadline.port
    head = f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: ".encode() + b"a" * 200
    with socket.create_connection(("127.0.0.1", port)) as trickling:
        assert (_closed_within(trickling, 8.0, head) or 99) < 4.0, "a trickled request head was never timed out"
    with socket.create_connection(("127.0.0.1", port)) as silent:
        assert (_closed_within(silent, 8.0) or 99) < 4.0, "a silent connection was never timed out"
    # a finished request, then a second one left unfinished on the same (kept-alive) connection
    with socket.create_connection(("127.0.0.1", port)) as kept:
        kept.sendall(f"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        kept.settimeout(5.0)
        assert kept.recv(4096).startswith(b"HTTP/1.1 200")
        assert (_closed_within(kept, 8.0, b"GET /health/live HTTP/1.1\r\nHost: x") or 99) < 4.0
    assert httpx.get(quick_deadline.base + "/health/live", timeout=5).status_code == 200  # still serving


@pytest.mark.slow
def test_a_slow_answer_is_not_cut_by_the_deadline_but_a_trickled_body_is():
    """The deadline covers receiving a request, not computing its answer (uvicorn on 127.0.0.1
    with the service's protocol class and a 1 s deadline)."""
    import asyncio
    import threading

    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import ClientDisconnect, Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from condensync_tools.server.request_timeout import DeadlineH11Protocol

    async def slow(request: Request) -> PlainTextResponse:
        try:
            body = await request.body()
        except ClientDisconnect:  # the trickled body: the deadline closed the connection
            return PlainTextResponse("cut", status_code=408)
        await asyncio.sleep(2.5)
        return PlainTextResponse(f"done {len(body)}")

    port = free_port()
    protocol = type("Quick", (DeadlineH11Protocol,), {"timeout_s": 1.0})
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[Route("/slow", slow, methods=["POST"])]),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
            http=protocol,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        r = httpx.post(f"http://127.0.0.1:{port}/slow", content=b"x" * 1000, timeout=20)
        assert r.status_code == 200 and r.text == "done 1000"  # 2.5 s of work > 1 s deadline
        with socket.create_connection(("127.0.0.1", port)) as trickling:
            head = f"POST /slow HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 100\r\n\r\n".encode()
            trickling.sendall(head)
            assert (_closed_within(trickling, 6.0, b"y" * 100) or 99) < 3.0, "a trickled body was never timed out"
    finally:
        server.should_exit = True
        thread.join(10)


def test_unserved_host_is_refused_before_authentication(svc):
    for path in ("/mcp", "/.well-known/oauth-protected-resource/mcp"):
        method = "POST" if path == "/mcp" else "GET"
        r = httpx.request(method, svc.server.base + path, headers={"host": "evil.example"}, timeout=10)
        assert r.status_code == 421, (path, r.status_code, r.headers)
        assert "evil.example" not in str(r.headers) + r.text
    # a served Host still gets the ordinary 401 with the metadata URL of the Host it used
    r = httpx.post(svc.url, json={}, timeout=10)
    assert r.status_code == 401 and f"127.0.0.1:{svc.server.port}" in r.headers["www-authenticate"]


@pytest.mark.slow
@pytest.mark.postgres
def test_ready_probe_never_shows_a_password_in_a_query_parameter(tmp_path, pg_url):
    secret = "query-secret-7f3a9"
    server = ServerProcess(
        tmp_path,
        database_url=f"{pg_url}?password={secret}&application_name=condensync",
        extra_args=["--no-auth"],
        name="pgsecret",
    ).start()
    try:
        server.wait_started()
        r = httpx.get(server.base + "/health/ready", timeout=10)
        assert r.status_code == 200, r.text
        assert secret not in r.text and "password=***" in r.json()["components"]["store"]["url"]
        metrics = httpx.get(server.metrics_url, timeout=10).text
        assert secret not in metrics
    finally:
        server.stop()
    assert secret not in server.log_text() + server.stdout_text()
