# SPDX-License-Identifier: MIT
"""Helpers of the monitor tests: a webhook receiver (uvicorn + starlette on 127.0.0.1) that can
be started and stopped on a fixed port, and the Mosquitto binary."""

from __future__ import annotations

import shutil
import threading

import uvicorn
from _live_helpers import wait_for
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


class Receiver:
    """A webhook receiver on a fixed port recording every JSON body; start/stop at will."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[tuple[str, dict]] = []

        async def hook(request: Request) -> Response:
            self.received.append((request.url.path, await request.json()))
            if request.url.path.startswith("/pd/"):
                body = self.received[-1][1]
                return JSONResponse({"status": "success", "dedup_key": body["dedup_key"]}, status_code=202)
            return Response("ok")

        self.app = Starlette(routes=[Route("/{path:path}", hook, methods=["POST"])])
        self.server: uvicorn.Server | None = None

    def start(self) -> None:
        self.server = uvicorn.Server(
            uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        wait_for(lambda: self.server.started, 10.0, "receiver started")

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
            self.thread.join(10.0)
