# SPDX-License-Identifier: MIT
"""Health endpoints of the HTTP service (unauthenticated, on the main port):

``GET /health/start``  startup probe: 200 once the process is up and the tools are loaded
                       (``{"status": "started", "tools": N, "uptime_s": …}``), else 503.
``GET /health/live``   liveness: 200 while the event loop answers; the body reports the
                       loop lag measured by a 0.5 s heartbeat task. 503 when the heartbeat
                       has stalled for more than ``CONDENSYNC_LIVE_MAX_LAG_SECONDS`` (10 s),
                       i.e. the loop was blocked (a restart is the cure).
``GET /health/ready``  readiness: 200 only when every *required* component answers:
                       the store (``store.ping()``, ``SELECT 1``, 3 s budget) and the
                       connectors named in ``CONDENSYNC_REQUIRED_CONNECTORS`` (comma-separated
                       service names, or ``all``; default none). Connectors of a live provider
                       are always *reported*; unrequired ones never gate readiness (a calculator
                       on supplied data does not need the plant). 503 otherwise, with
                       ``"not_ready": [component, …]`` naming what failed. Results are cached
                       for 1 s so frequent probes do not hammer the database.

Probe bodies are JSON; none of them carries secrets (the store URL is shown with its userinfo
password and its query values masked, :func:`condensync_tools.redaction.redact_url`).
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .. import settings
from ..redaction import redact_url

__all__ = ["HealthState", "health_routes"]

log = logging.getLogger("condensync.health")


class HealthState:
    """What the probes look at. ``store`` has ``ping()``; ``live_getter`` returns the live
    provider (with ``status(timeout=…)``) or None."""

    def __init__(
        self,
        store: Any | None,
        live_getter: Callable[[], Any] | None = None,
        tools: int = 0,
        metrics: Any | None = None,
        store_required: bool = True,
    ) -> None:
        self.store = store
        self.live_getter = live_getter or (lambda: None)
        self.tools = tools
        self.metrics = metrics
        self.store_required = store_required
        self.started_at = time.time()
        self.started = False
        self.heartbeat = time.monotonic()
        self.max_lag_s = 0.0
        self.live_max_lag_s = settings.LIVE_MAX_LAG_SECONDS.number()
        self.store_timeout_s = settings.READY_STORE_TIMEOUT_SECONDS.number()
        required = settings.REQUIRED_CONNECTORS.text()
        self.required_connectors = {s.strip() for s in required.split(",") if s.strip()}
        self._ready_cache: tuple[float, int, dict[str, Any]] | None = None

    async def run_heartbeat(self) -> None:
        """Measure event-loop lag until cancelled."""
        interval = 0.5
        while True:
            before = time.monotonic()
            await anyio.sleep(interval)
            now = time.monotonic()
            self.max_lag_s = max(0.0, now - before - interval)
            self.heartbeat = now

    # ------------------------------------------------------------------ checks
    async def _check_store(self) -> dict[str, Any]:
        if self.store is None:
            return {"ok": not self.store_required, "required": self.store_required, "detail": "no store configured"}
        url = redact_url(str(getattr(self.store, "url", "")))
        try:
            with anyio.fail_after(self.store_timeout_s):
                ok = await anyio.to_thread.run_sync(self.store.ping, abandon_on_cancel=True)
            detail = "answers SELECT 1" if ok else "does not answer (see the server log)"
        except TimeoutError:
            ok, detail = False, f"no answer within {self.store_timeout_s:g} s"
        except Exception as exc:  # ping() should not raise, but a probe must never crash
            ok, detail = False, f"{type(exc).__name__}"
        return {"ok": bool(ok), "required": True, "url": url, "detail": detail}

    async def _check_connectors(self) -> dict[str, Any] | None:
        live = self.live_getter()
        if live is None or not hasattr(live, "status"):
            return None
        try:
            with anyio.fail_after(5.0):
                status = await anyio.to_thread.run_sync(lambda: live.status(timeout=4.0), abandon_on_cancel=True)
        except Exception as exc:
            status = {"connectors": [], "error": type(exc).__name__}
        items = []
        failed_required = []
        for c in status.get("connectors") or []:
            service = str(c.get("service", ""))
            connected = c.get("connected")
            if connected is None:
                connected = (c.get("breaker") or {}).get("state") != "open"
            required = "all" in self.required_connectors or service in self.required_connectors
            items.append(
                {
                    "service": service,
                    "kind": c.get("kind"),
                    "condenser_id": c.get("condenser_id"),
                    "connected": bool(connected),
                    "required": required,
                    "breaker": (c.get("breaker") or {}).get("state"),
                }
            )
            if required and not connected:
                failed_required.append(service)
        known = {i["service"] for i in items}
        missing = sorted(s for s in self.required_connectors if s != "all" and s not in known)
        ok = not failed_required and not missing and "error" not in status
        if not self.required_connectors:
            ok = True
        out: dict[str, Any] = {"ok": ok, "required": bool(self.required_connectors), "connectors": items}
        if failed_required:
            out["not_connected"] = failed_required
        if missing:
            out["not_configured"] = missing
        if "error" in status:
            out["detail"] = f"status unavailable ({status['error']})"
        return out

    async def readiness(self) -> tuple[int, dict[str, Any]]:
        now = time.monotonic()
        if self._ready_cache is not None and self._ready_cache[0] > now:
            return self._ready_cache[1], self._ready_cache[2]
        components: dict[str, Any] = {"store": await self._check_store()}
        connectors = await self._check_connectors()
        if connectors is not None:
            components["connectors"] = connectors
        not_ready = [name for name, c in components.items() if not c["ok"]]
        if not self.started:
            not_ready.insert(0, "startup")
        status = 503 if not_ready else 200
        body = {"status": "ready" if status == 200 else "not_ready", "components": components}
        if not_ready:
            body["not_ready"] = not_ready
        if self.metrics is not None:
            for name, c in components.items():
                self.metrics.ready.labels(name).set(1 if c["ok"] else 0)
        self._ready_cache = (time.monotonic() + 1.0, status, body)
        return status, body


def health_routes(state: HealthState) -> list[Route]:
    async def start(request: Request) -> JSONResponse:
        body = {
            "status": "started" if state.started else "starting",
            "tools": state.tools,
            "uptime_s": round(time.time() - state.started_at, 3),
        }
        return JSONResponse(body, status_code=200 if state.started else 503)

    async def live(request: Request) -> JSONResponse:
        stalled = time.monotonic() - state.heartbeat
        ok = stalled < state.live_max_lag_s
        body = {
            "status": "alive" if ok else "stalled",
            "loop_lag_ms": round(state.max_lag_s * 1000, 3),
            "heartbeat_age_s": round(stalled, 3),
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    async def ready(request: Request) -> JSONResponse:
        status, body = await state.readiness()
        return JSONResponse(body, status_code=status)

    return [
        Route("/health/start", start, methods=["GET"]),
        Route("/health/live", live, methods=["GET"]),
        Route("/health/ready", ready, methods=["GET"]),
    ]
