# SPDX-License-Identifier: MIT
"""Shared helpers for the connector tests: free ports, a fake clock, a live HTTP server.

Every server runs for real on 127.0.0.1 inside the test's event loop; nothing is mocked.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable

import pytest
import uvicorn

from connectors.types import ConnectorError


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeClock:
    """Monotonic clock the test advances by hand (no sleeping)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class LiveServer:
    """Run an ASGI app with uvicorn on 127.0.0.1 in the current event loop.

    ``port=None`` picks a free port; pass a port to restart on the same one.
    """

    def __init__(self, app: object, port: int | None = None) -> None:
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> LiveServer:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self.task.done():
                self.task.result()  # raise the startup error
            await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.server.force_exit = True
        assert self.task is not None
        await self.task


Check = Callable[[], Awaitable[bool]]


async def _eventually(check: Check, timeout: float = 5.0, what: str = "") -> None:
    """Poll ``check`` every 50 ms until it is true; connector errors count as "not yet"."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if await check():
                return
        except ConnectorError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.05)


@pytest.fixture(scope="session")
def eventually() -> Callable[..., Awaitable[None]]:
    """``await eventually(check, timeout=5.0, what="...")``."""
    return _eventually


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """Function returning a free TCP port on 127.0.0.1."""
    return _free_port


@pytest.fixture
def fake_clock() -> FakeClock:
    """A fresh hand-driven monotonic clock."""
    return FakeClock()


@pytest.fixture(scope="session")
def live_server() -> type[LiveServer]:
    """The :class:`LiveServer` class (``async with live_server(app) as srv: srv.url``)."""
    return LiveServer
