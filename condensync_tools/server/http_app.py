# SPDX-License-Identifier: MIT
"""The HTTP service: MCP streamable HTTP at ``/mcp`` over the same tool adapter as stdio.

``condensync serve --transport http`` → :func:`serve_http`. The MCP server is
:func:`condensync_tools.server.mcp_server.build_server` — no domain logic here. This module
adds, around it:

* **transport** — the SDK's streamable HTTP app, ``stateless_http=True`` (no session state:
  any replica answers any request), JSON responses instead of SSE when ``--json-response``
  (default on), a request body limit (``--max-request-bytes``, default 8 MiB → 413),
  DNS-rebinding protection with the allowed ``Host`` values (``--allowed-host``, an explicit
  list *replaces* the loopback defaults), TLS with ``--tls-cert``/``--tls-key``;
* **authentication** (:mod:`.auth`) on ``/mcp``: API tokens or OIDC JWTs → an identity and a
  role per request; ``--no-auth`` only on a loopback host;
* **authorisation** (:mod:`.roles`) per ``tools/call``: a denied call is answered with an
  ``isError`` result naming the role needed and recorded in the audit ledger;
* **request ids** — ``X-Request-ID`` (accepted from the client when it is 1–64 of
  ``[A-Za-z0-9._-]``, else generated) on every response, in every log line and in the ledger
  entry of every call the request made;
* **health** (:mod:`.health`) ``/health/start|live|ready`` and **metrics** (:mod:`.metrics`)
  on a second port, **JSON logs** (:mod:`.logging_setup`) on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import ipaddress
import json
import logging
import re
import socket
import sys
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable

from .. import settings as environment
from .logging_setup import configure_logging, log_event, request_id_var

# Heavy imports (mcp, starlette, the tool registry, the store) happen inside the functions
# that need them, so that configuration errors (``preflight``) are reported in a fraction
# of a second, before tools and database are loaded.
if TYPE_CHECKING:  # pragma: no cover
    import mcp.types as types
    from mcp.server import Server, ServerRequestContext
    from mcp.server.transport_security import TransportSecuritySettings
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from ..registry import CallOutcome, ExecutionContext, Recorder
    from .auth import Authenticator, AuthFailure, Identity, OidcSettings
    from .health import HealthState
    from .metrics import Metrics

__all__ = [
    "HttpSettings",
    "build_http_app",
    "serve_http",
    "preflight",
    "is_loopback",
    "MCP_PATH",
    "DEFAULT_MAX_REQUEST_BYTES",
]

log = logging.getLogger("condensync.http")

MCP_PATH = "/mcp"
#: Largest request body (413 above). analyze_performance_history accepts 50 000-row series,
#: about 4-6 MB of JSON, so the default leaves room for the largest valid call.
DEFAULT_MAX_REQUEST_BYTES = 8 * 1024 * 1024
SCOPE_IDENTITY = "condensync.identity"
SCOPE_REQUEST_ID = "condensync.request_id"
#: Paths served without authentication (exact matches).
OPEN_PATHS = frozenset(
    {
        "/health/start",
        "/health/live",
        "/health/ready",
        "/health/monitor",
        f"/.well-known/oauth-protected-resource{MCP_PATH}",
        "/.well-known/oauth-protected-resource",
    }
)
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")
_ERROR_KIND = re.compile(r"\[([a-z_]+)\]")


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class HttpSettings:
    """Everything the HTTP service is configured with (from the CLI, then the environment)."""

    host: str = "127.0.0.1"
    port: int = 8017
    metrics_port: int = 9017
    allowed_hosts: list[str] = field(default_factory=list)
    json_response: bool = True
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    tls_cert: str | None = None
    tls_key: str | None = None
    no_auth: bool = False
    public_url: str | None = None
    log_level: str = "INFO"

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> HttpSettings:
        cli_level = str(getattr(args, "log_level", "WARNING") or "WARNING").upper()
        level = environment.LOG_LEVEL.raw() or ("DEBUG" if cli_level == "DEBUG" else "INFO")
        max_bytes = getattr(args, "max_request_bytes", None) or int(environment.MAX_REQUEST_BYTES.number())
        json_response = getattr(args, "json_response", None)
        if json_response is None:
            json_response = environment.JSON_RESPONSE.text().lower() not in ("0", "false", "no")
        hosts = list(getattr(args, "allowed_host", None) or [])
        if not hosts:
            hosts = environment.ALLOWED_HOSTS.items()
        return cls(
            host=args.host,
            port=int(args.port),
            metrics_port=int(args.metrics_port),
            allowed_hosts=hosts,
            json_response=bool(json_response),
            max_request_bytes=int(max_bytes),
            tls_cert=getattr(args, "tls_cert", None) or environment.TLS_CERT.raw(),
            tls_key=getattr(args, "tls_key", None) or environment.TLS_KEY.raw(),
            no_auth=bool(getattr(args, "no_auth", False)),
            public_url=environment.PUBLIC_URL.raw(),
            log_level=level,
        )

    def problems(self) -> list[str]:
        """Configuration errors that must stop the server."""
        out = []
        if self.no_auth and not is_loopback(self.host):
            out.append(
                f"--no-auth is refused on a non-loopback host ({self.host}); serve on 127.0.0.1 or configure "
                "authentication (API tokens: `condensync token create`, or CONDENSYNC_OIDC_*)"
            )
        if bool(self.tls_cert) != bool(self.tls_key):
            out.append("TLS needs both --tls-cert and --tls-key")
        for name in ("tls_cert", "tls_key"):
            path = getattr(self, name)
            if path and not Path(path).is_file():
                out.append(f"--{name.replace('_', '-')} {path}: no such file")
        if self.max_request_bytes < 1024:
            out.append(f"the request size limit must be at least 1024 bytes, got {self.max_request_bytes}")
        if self.port == self.metrics_port:
            out.append(f"--port and --metrics-port must differ, both are {self.port}")
        from .request_timeout import request_timeout_s

        try:
            request_timeout_s()
        except ValueError as exc:
            out.append(str(exc))
        return out

    def transport_security(self) -> TransportSecuritySettings | None:
        """DNS-rebinding protection: explicit hosts replace the loopback defaults."""
        from mcp.server.transport_security import TransportSecuritySettings

        if self.allowed_hosts:
            origins = [f"{scheme}://{h}" for h in self.allowed_hosts for scheme in ("https", "http")]
            return TransportSecuritySettings(
                enable_dns_rebinding_protection=True, allowed_hosts=self.allowed_hosts, allowed_origins=origins
            )
        if is_loopback(self.host):
            return TransportSecuritySettings(
                enable_dns_rebinding_protection=True,
                allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
                allowed_origins=[
                    "http://127.0.0.1:*",
                    "http://localhost:*",
                    "http://[::1]:*",
                    "https://127.0.0.1:*",
                    "https://localhost:*",
                    "https://[::1]:*",
                ],
            )
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)


# --------------------------------------------------------------------------- tool layer glue
class TimedRecorder:
    """The ledger recorder with its append latency and failures in the metrics."""

    def __init__(self, inner: Recorder, metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics

    def record(self, outcome: CallOutcome) -> None:
        started = time.perf_counter()
        try:
            self.inner.record(outcome)
        except Exception:
            self.metrics.ledger_failures.inc()
            raise
        finally:
            self.metrics.ledger_seconds.observe(time.perf_counter() - started)


def _scope_of(ctx: ServerRequestContext[Any]) -> dict[str, Any]:
    request = getattr(ctx, "request", None)
    scope = getattr(request, "scope", None)
    return scope if isinstance(scope, dict) else {}


def identity_of(ctx: ServerRequestContext[Any]) -> Identity | None:
    """The identity the HTTP middleware attached to this request (None: fail closed)."""
    from .auth import Identity

    ident = _scope_of(ctx).get(SCOPE_IDENTITY)
    return ident if isinstance(ident, Identity) else None


def request_id_of(ctx: ServerRequestContext[Any]) -> str | None:
    return _scope_of(ctx).get(SCOPE_REQUEST_ID) or request_id_var.get()


def _error_kind(result: Any) -> str | None:
    if not getattr(result, "is_error", False):
        return None
    text = result.content[0].text if result.content and hasattr(result.content[0], "text") else ""
    m = _ERROR_KIND.search(text.split("\n", 1)[0])
    return m.group(1) if m else "tool_error"


def install_role_guard(server: Server, recorder: Recorder | None, metrics: Metrics) -> None:
    """Wrap the adapter's ``tools/call`` handler: enforce the role policy (denials are answered
    as ``isError`` and recorded in the ledger) and count every call in the metrics."""
    import anyio
    import mcp.types as types

    from ..registry import CallOutcome, all_tools
    from . import roles
    from .mcp_server import to_call_result

    entry = server.get_request_handler("tools/call")
    assert entry is not None, "build_server registers tools/call"
    inner = entry.handler
    tools = {t.name: t for t in all_tools()}

    async def deny(
        ctx: ServerRequestContext[Any],
        params: types.CallToolRequestParams,
        error: Exception,
        identity: Identity | None,
        started: float,
    ) -> types.CallToolResult:
        tool = tools[params.name]
        outcome = CallOutcome(
            tool=params.name,
            tool_version=tool.version,
            arguments=params.arguments or {},
            normalised=None,
            result=None,
            error=error,  # type: ignore[arg-type]
            duration_ms=(time.perf_counter() - started) * 1000.0,
            caller=identity.caller if identity else None,
            request_id=request_id_of(ctx) or uuid.uuid4().hex,
        )
        log_event(
            log,
            "permission_denied",
            logging.WARNING,
            tool=params.name,
            category=tool.category,
            role=identity.role if identity else None,
            caller=outcome.caller,
        )
        if recorder is not None:
            try:
                await anyio.to_thread.run_sync(recorder.record, outcome)
            except Exception as exc:
                log.exception("denied call %s could not be recorded", params.name)
                return types.CallToolResult(
                    content=[
                        types.TextContent(
                            type="text",
                            text=f"Call not completed [ledger_unavailable]:\n- $: the audit ledger could not "
                            f"record the call ({type(exc).__name__}); nothing was answered, retry later",
                        )
                    ],
                    is_error=True,
                )
        return to_call_result(outcome)

    async def guarded(ctx: ServerRequestContext[Any], params: types.CallToolRequestParams) -> types.CallToolResult:
        started = time.perf_counter()
        identity = identity_of(ctx)
        tool = tools.get(params.name)
        error = roles.denial(params.name, tool.category, identity.role if identity else None) if tool else None
        if error is not None:
            result = await deny(ctx, params, error, identity, started)
        else:
            result = await inner(ctx, params)
        metrics.observe_call(params.name, time.perf_counter() - started, _error_kind(result))
        return result

    server.add_request_handler("tools/call", entry.params_type, guarded)


# --------------------------------------------------------------------------- ASGI middleware
class ServiceMiddleware:
    """Request id, authentication of ``/mcp``, access log and HTTP metrics (pure ASGI)."""

    def __init__(
        self,
        app: ASGIApp,
        authenticator: Authenticator,
        metrics: Metrics,
        public_url: str | None = None,
        oidc: OidcSettings | None = None,
        allowed_hosts: list[str] | None = None,
    ) -> None:
        from .auth import AuthFailure

        self._auth_failure = AuthFailure
        self.app = app
        self.authenticator = authenticator
        self.metrics = metrics
        self.public_url = public_url.rstrip("/") if public_url else None
        self.oidc = oidc
        #: Host header values accepted on every path but the health probes (None: any); the
        #: same rule as the SDK's DNS-rebinding check ("name:*" matches any port), applied
        #: *before* authentication so that no answer (a 401's resource_metadata included)
        #: ever carries a Host the service does not serve.
        self.allowed_hosts = allowed_hosts

    def _host_allowed(self, host: str) -> bool:
        if self.allowed_hosts is None:
            return True
        return any(
            host == allowed or (allowed.endswith(":*") and host.startswith(allowed[:-1]))
            for allowed in self.allowed_hosts
        )

    @staticmethod
    def _route(path: str) -> str:
        """Route class for metrics and the auth decision. Deny by default: only the exact
        health and metadata paths are open; everything else (``/mcp``, unknown paths,
        ``//mcp``, ``/health/../mcp``…) needs a credential."""
        if path in OPEN_PATHS:
            return "health" if path.startswith("/health/") else "metadata"
        if path == MCP_PATH:
            return "mcp"
        return "other"

    def _resource_metadata_url(self, scope: Scope) -> str | None:
        if self.oidc is None:
            return None
        if self.public_url:
            base = self.public_url[: -len(MCP_PATH)] if self.public_url.endswith(MCP_PATH) else self.public_url
        else:
            headers = dict(scope.get("headers") or [])
            host = headers.get(b"host", b"").decode("latin-1")
            if not re.fullmatch(r"[A-Za-z0-9.\-\[\]:]{1,255}", host):
                return None
            base = f"{scope.get('scheme', 'http')}://{host}"
        return f"{base}/.well-known/oauth-protected-resource{MCP_PATH}"

    async def _refuse(self, scope: Scope, send: Send, failure: AuthFailure, request_id: str) -> None:
        parts = ['realm="condensync"']
        if failure.error:
            parts.append(f'error="{failure.error}"')
            parts.append(f'error_description="{failure.description}"')
        metadata = self._resource_metadata_url(scope)
        if metadata:
            parts.append(f'resource_metadata="{metadata}"')
        body = json.dumps({"error": failure.error or "unauthorized", "error_description": failure.description})
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", request_id.encode()),
        ]
        if failure.status in (401, 403):
            headers.append((b"www-authenticate", ("Bearer " + ", ".join(parts)).encode()))
        if failure.status == 503:
            headers.append((b"retry-after", b"10"))
        await send({"type": "http.response.start", "status": failure.status, "headers": headers})
        await send({"type": "http.response.body", "body": body.encode()})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = {k.lower(): v for k, v in scope.get("headers") or []}
        offered = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = offered if _SAFE_REQUEST_ID.match(offered) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        scope[SCOPE_REQUEST_ID] = request_id
        route = self._route(scope.get("path", ""))
        status = {"code": 500}
        identity: Identity | None = None

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message = dict(message)
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            if route != "health" and not self._host_allowed(headers.get(b"host", b"").decode("latin-1")):
                status["code"] = 421
                await _plain_response(
                    send,
                    421,
                    "Misdirected Request: this Host is not served here (see --allowed-host)",
                    [(b"x-request-id", request_id.encode())],
                )
                return
            if route in ("mcp", "other"):
                auth_header = headers.get(b"authorization")
                try:
                    identity = await self.authenticator.authenticate(
                        auth_header.decode("latin-1") if auth_header is not None else None
                    )
                except self._auth_failure as failure:
                    self.metrics.auth_failures.labels(failure.reason).inc()
                    log_event(
                        log,
                        "auth_refused",
                        logging.WARNING,
                        reason=failure.reason,
                        status=failure.status,
                        client=(scope.get("client") or ("", 0))[0],
                    )
                    status["code"] = failure.status
                    await self._refuse(scope, send, failure, request_id)
                    return
                scope[SCOPE_IDENTITY] = identity
            if route == "mcp" and scope.get("method") != "POST":
                # stateless: no standalone SSE stream (GET would hold a connection open for
                # nothing) and no session to DELETE
                status["code"] = 405
                await _plain_response(
                    send,
                    405,
                    "Method Not Allowed: POST JSON-RPC messages to /mcp",
                    [(b"allow", b"POST"), (b"x-request-id", request_id.encode())],
                )
                return
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.http_requests.labels(route, str(status["code"])).inc()
            self.metrics.http_seconds.labels(route).observe(elapsed)
            if route != "health" or status["code"] >= 400:
                log_event(
                    log,
                    "http_request",
                    method=scope.get("method"),
                    route=route,
                    path=scope.get("path", "")[:200],
                    status=status["code"],
                    duration_ms=round(elapsed * 1000, 3),
                    caller=identity.caller if identity else None,
                )
            request_id_var.reset(token)


async def _plain_response(send: Send, status: int, text: str, headers: list[tuple[bytes, bytes]]) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


# --------------------------------------------------------------------------- the app
class NotificationRouter:
    """With JSON responses on, a POST whose request asks for notifications (a progress token,
    or a ``io.modelcontextprotocol/logLevel`` opt-in in ``_meta``) and whose client accepts
    ``text/event-stream`` goes to the SSE-answering transport, where progress and log
    notifications ride the response stream; every other request stays plain JSON. The body
    is read once (at most the request limit; a larger one goes on to be refused with 413)
    and replayed to the chosen app."""

    _MARKERS = (b'"progressToken"', b'"io.modelcontextprotocol/logLevel"')

    def __init__(self, json_app: ASGIApp, sse_app: ASGIApp, max_bytes: int) -> None:
        self.json_app = json_app
        self.sse_app = sse_app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or []) if scope["type"] == "http" else {}
        if scope.get("method") != "POST" or b"text/event-stream" not in headers.get(b"accept", b""):
            await self.json_app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more and size <= self.max_bytes:
            message = await receive()
            if message["type"] != "http.request":
                await self.json_app(scope, _replay(chunks, message, receive), send)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
        body = b"".join(chunks)
        wants = not more and any(marker in body for marker in self._MARKERS)
        app = self.sse_app if wants else self.json_app
        await app(scope, _replay([body], None, receive, more_body=more), send)


def _replay(chunks: list[bytes], pending: Message | None, receive: Receive, more_body: bool = False) -> Receive:
    """A ``receive`` that first yields what was already read, then reads on."""
    queue: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": more_body}]
    if pending is not None:
        queue.append(pending)

    async def replay() -> Message:
        return queue.pop(0) if queue else await receive()

    return replay


@dataclass
class HttpService:
    """The assembled service (the ASGI app plus what the runner and tests need)."""

    app: ASGIApp
    metrics: Metrics
    health: HealthState
    server: Server
    on_shutdown: list[Any] = field(default_factory=list)


def build_http_app(
    base: ExecutionContext,
    settings: HttpSettings,
    authenticator: Authenticator,
    oidc: OidcSettings | None = None,
    token_store: Any | None = None,
) -> HttpService:
    """The MCP server over streamable HTTP with auth, roles, health and metrics (see module doc)."""
    import anyio
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Mount, Route

    from ..registry import ExecutionContext, all_tools
    from . import roles
    from .health import HealthState, health_routes
    from .mcp_server import build_server
    from .metrics import Metrics

    live_getter = lambda: base.live if base.live is not None else base.services.get("live")  # noqa: E731
    tool_names = [t.name for t in all_tools()]
    metrics = Metrics(live_getter, tool_names)
    recorder = TimedRecorder(base.recorder, metrics) if base.recorder is not None else None

    def context_factory(ctx: ServerRequestContext[Any]) -> ExecutionContext:
        identity = identity_of(ctx)
        return ExecutionContext(
            design=base.design,
            live=base.live,
            recorder=recorder,
            caller=identity.caller if identity else None,
            role=identity.role if identity else None,
            request_id=request_id_of(ctx),
            services=base.services,
        )

    server = build_server(context_factory, config=base.design, live=base.live)
    install_role_guard(server, recorder, metrics)
    store = base.services.get("store") or token_store
    health = HealthState(store, live_getter, tools=len(tool_names), metrics=metrics, store_required=store is not None)
    app_options = dict(
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        max_request_body_size=settings.max_request_bytes,
        transport_security=settings.transport_security(),
        host=settings.host,
    )
    managers = []
    sse_app = None
    if settings.json_response:  # requests that ask for notifications are answered as an SSE stream
        sse_app = server.streamable_http_app(json_response=False, **app_options)
        managers.append(server.session_manager)
    mcp_app = server.streamable_http_app(json_response=settings.json_response, **app_options)
    managers.append(server.session_manager)
    if sse_app is not None:
        mcp_app = NotificationRouter(mcp_app, sse_app, settings.max_request_bytes)

    routes: list[Route | Mount] = list(health_routes(health))
    monitor = _attach_monitor(base, metrics, routes)
    if oidc is not None:

        async def resource_metadata(request: Request) -> JSONResponse:
            public = settings.public_url or f"{request.url.scheme}://{request.url.netloc}{MCP_PATH}"
            return JSONResponse(
                {
                    "resource": public,
                    "authorization_servers": [oidc.issuer],
                    "bearer_methods_supported": ["header"],
                    "scopes_supported": [f"condensync:{r}" for r in roles.ROLES],
                    "resource_name": "CONDENSYNC condenser performance tools",
                }
            )

        routes += [
            Route(f"/.well-known/oauth-protected-resource{MCP_PATH}", resource_metadata, methods=["GET"]),
            Route("/.well-known/oauth-protected-resource", resource_metadata, methods=["GET"]),
        ]
    routes.append(Mount("/", app=mcp_app))
    service = HttpService(app=None, metrics=metrics, health=health, server=server)  # type: ignore[arg-type]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            for manager in managers:
                await stack.enter_async_context(manager.run())
            async with anyio.create_task_group() as tg:
                tg.start_soon(health.run_heartbeat)
                if monitor is not None:
                    tg.start_soon(_run_monitor, monitor)
                health.started = True
                log_event(
                    log,
                    "service_started",
                    tools=len(tool_names),
                    auth="off" if authenticator.no_auth else "on",
                    oidc=oidc is not None,
                    json_response=settings.json_response,
                    max_request_bytes=settings.max_request_bytes,
                    tls=bool(settings.tls_cert),
                )
                try:
                    yield
                finally:
                    health.started = False
                    for hook in service.on_shutdown:
                        hook()
                    tg.cancel_scope.cancel()

    outer = Starlette(routes=routes, lifespan=lifespan)
    security = settings.transport_security()
    allowed = list(security.allowed_hosts) if security and security.enable_dns_rebinding_protection else None
    service.app = ServiceMiddleware(outer, authenticator, metrics, settings.public_url, oidc, allowed)
    return service


def _attach_monitor(base: ExecutionContext, metrics: Metrics, routes: list) -> Any:
    """``serve --monitor``: build the monitor (its series in the service's registry) and add
    ``GET /health/monitor`` (its status as JSON, no secrets; 503 until it runs)."""
    factory = base.services.get("monitor_factory")
    if factory is None:
        return None
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    monitor = factory(metrics.registry)
    base.services["monitor"] = monitor

    async def monitor_health(request: Request) -> JSONResponse:
        status = await asyncio.to_thread(monitor.status)
        return JSONResponse(status, status_code=200 if status["running"] else 503)

    routes.append(Route("/health/monitor", monitor_health, methods=["GET"]))
    return monitor


async def _run_monitor(monitor: Any) -> None:
    """Run the monitor as a plain asyncio task (outside the task group's cancel scope) so that,
    when the service stops, it finishes its alert records and deliveries before closing."""
    import anyio

    from ..monitor.service import STOP_GRACE_S

    stop = asyncio.Event()
    task = asyncio.ensure_future(monitor.run(stop))
    try:
        await anyio.sleep_forever()
    finally:
        stop.set()
        with anyio.CancelScope(shield=True):
            with anyio.move_on_after(2 * STOP_GRACE_S):
                await task
            if not task.done():
                task.cancel()
            await monitor.aclose()


# --------------------------------------------------------------------------- running it
def _bind(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket (clean error instead of uvicorn's sys.exit on EADDRINUSE)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _uvicorn_servers(service: HttpService, settings: HttpSettings) -> tuple[Any, Any | None]:
    import uvicorn

    from .metrics import metrics_app
    from .request_timeout import DeadlineH11Protocol, request_timeout_s

    protocol = type("CondensyncH11Protocol", (DeadlineH11Protocol,), {"timeout_s": request_timeout_s()})

    class _QuietServer(uvicorn.Server):
        """The metrics server: the main server owns the signal handlers."""

        @contextlib.contextmanager
        def capture_signals(self):  # type: ignore[override]
            yield

    main_cfg = uvicorn.Config(
        service.app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        lifespan="on",
        server_header=False,
        timeout_graceful_shutdown=10,
        ssl_certfile=settings.tls_cert,
        ssl_keyfile=settings.tls_key,
        timeout_keep_alive=15,
        http=protocol,
    )
    main = uvicorn.Server(main_cfg)
    metrics_server = None
    if settings.metrics_port:
        m_cfg = uvicorn.Config(
            metrics_app(service.metrics),
            host=settings.host,
            port=settings.metrics_port,
            log_config=None,
            access_log=False,
            lifespan="off",
            server_header=False,
            http=protocol,
        )
        metrics_server = _QuietServer(m_cfg)
    return main, metrics_server


async def _run(service: HttpService, settings: HttpSettings, sockets: list[socket.socket]) -> None:
    main, metrics_server = _uvicorn_servers(service, settings)
    metrics_task = None
    if metrics_server is not None:
        metrics_task = asyncio.create_task(metrics_server.serve(sockets=[sockets[1]]))

        def stop_metrics() -> None:
            metrics_server.should_exit = True

        service.on_shutdown.append(stop_metrics)
    try:
        await main.serve(sockets=[sockets[0]])
    finally:
        if metrics_server is not None and metrics_task is not None:
            metrics_server.should_exit = True
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(metrics_task, 5)


def make_authenticator(
    settings: HttpSettings, base: ExecutionContext, database_url: str | None
) -> tuple[Authenticator, OidcSettings | None, Any | None]:
    """API tokens from the store (the ledger's, or one opened for tokens only) and OIDC from
    ``CONDENSYNC_OIDC_*``."""
    from ..store.tokens import TokenStore
    from .auth import ApiTokenVerifier, Authenticator, OidcSettings, OidcVerifier

    if settings.no_auth:
        return Authenticator(None, None, no_auth=True), None, base.services.get("store")

    store = base.services.get("store")
    own_store = None
    if store is None:  # --no-ledger: tokens still live in the database
        from ..runtime import open_store

        own_store = store = open_store(database_url)
    oidc = OidcSettings.from_env()
    verifier = OidcVerifier(oidc) if oidc is not None else None
    tokens = TokenStore(store.engine)
    from .bootstrap import adopt_bootstrap_token

    adopt_bootstrap_token(tokens)  # the first token of a fresh deployment (CONDENSYNC_BOOTSTRAP_TOKEN_FILE)
    return Authenticator(ApiTokenVerifier(tokens), verifier), oidc, own_store


def _close(sockets: list[socket.socket]) -> None:
    for s in sockets:
        with contextlib.suppress(OSError):
            s.close()


def bind_sockets(settings: HttpSettings) -> list[socket.socket] | None:
    """The service and metrics sockets, bound; None (reported, naming the port) when one of
    them cannot be bound."""
    sockets: list[socket.socket] = []
    for what, port in (("--port", settings.port), ("--metrics-port", settings.metrics_port)):
        if not port:
            continue
        try:
            sockets.append(_bind(settings.host, port))
        except OSError as exc:
            _close(sockets)
            hint = " (another process is listening there; choose another port)" if exc.errno == errno.EADDRINUSE else ""
            log_event(log, "bind_failed", logging.ERROR, host=settings.host, port=port, error=str(exc))
            sys.stderr.write(
                f"condensync: cannot listen on {settings.host}:{port} ({what}): {exc.strerror or exc}{hint}\n"
            )
            return None
    return sockets


def preflight(args: argparse.Namespace) -> list[str]:
    """Configuration errors of ``condensync serve --transport http`` (cheap: no tools, no
    database). Empty when the service may start."""
    return HttpSettings.from_args(args).problems()


def serve_http(args: argparse.Namespace, base_context: ExecutionContext | Callable[[], ExecutionContext]) -> int:
    """Run the HTTP service until SIGTERM/SIGINT. ``args`` are the ``condensync serve``
    options; ``base_context`` comes from :func:`condensync_tools.runtime.build_context`
    (plant configuration, live provider, ledger recorder and store) — or is a callable that
    builds it, called only after the options passed :func:`preflight`, so a refused
    configuration (``--no-auth`` on a public address, half a TLS pair…) exits at once.
    Returns an exit code (2 for configuration errors)."""
    settings = HttpSettings.from_args(args)
    configure_logging(settings.log_level)
    problems = settings.problems()
    if problems:
        for p in problems:
            log_event(log, "config_error", logging.ERROR, problem=p)
        sys.stderr.write("".join(f"condensync: {p}\n" for p in problems))
        return 2
    if settings.no_auth:
        log_event(
            log,
            "auth_disabled",
            logging.WARNING,
            host=settings.host,
            detail=f"--no-auth: every caller is anonymous with role {environment.NO_AUTH_ROLE.text()}; loopback only",
        )
    if not settings.allowed_hosts and not is_loopback(settings.host):
        log_event(
            log,
            "host_check_disabled",
            logging.WARNING,
            host=settings.host,
            detail="no --allowed-host: Host headers are not checked (DNS-rebinding protection off); "
            "list the service's DNS names with --allowed-host",
        )
    # the ports first: a port in use is reported at once, before configuration, store and
    # migrations are loaded
    sockets = bind_sockets(settings)
    if sockets is None:
        return 2
    if callable(base_context):
        try:
            base_context = base_context()
        except Exception as exc:  # configuration file or store errors: reported, not a traceback
            log_event(log, "startup_failed", logging.ERROR, error=f"{type(exc).__name__}: {exc}")
            sys.stderr.write(f"condensync: {exc}\n")
            _close(sockets)
            return 2
    if base_context.recorder is None:
        log_event(log, "ledger_disabled", logging.WARNING, detail="--no-ledger: calls are not recorded")
    try:
        authenticator, oidc, token_store = make_authenticator(
            settings, base_context, getattr(args, "database_url", None)
        )
        service = build_http_app(base_context, settings, authenticator, oidc, token_store)
    except ValueError as exc:
        log_event(log, "config_error", logging.ERROR, problem=str(exc))
        sys.stderr.write(f"condensync: {exc}\n")
        _close(sockets)
        return 2
    log_event(
        log,
        "listening",
        host=settings.host,
        port=settings.port,
        metrics_port=settings.metrics_port or None,
        scheme="https" if settings.tls_cert else "http",
        path=MCP_PATH,
    )
    try:
        asyncio.run(_run(service, settings, sockets))
    except KeyboardInterrupt:  # pragma: no cover - second Ctrl-C
        pass
    finally:
        for s in sockets:
            with contextlib.suppress(OSError):
                s.close()
        if token_store is not None and token_store is not base_context.services.get("store"):
            token_store.close()
    return 0
