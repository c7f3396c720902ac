# SPDX-License-Identifier: MIT
"""The MCP adapter: lists every registered tool with its *published* schemas and runs calls
through :func:`condensync_tools.registry.execute`.

Uses the SDK's low-level ``Server`` because our committed JSON schemas, not function
signatures, are the source of truth; validation happens in the tool layer. Results go out
as ``structuredContent`` plus one short text summary; failures as ``isError`` results whose
text names every problem. The server keeps serving after any bad call.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import warnings
from typing import Any, Callable

import anyio
import mcp.types as types
from mcp.server import Server, ServerRequestContext
from mcp.shared.exceptions import MCPDeprecationWarning

from .. import __version__
from ..errors import UnknownTool
from ..registry import CallOutcome, ExecutionContext, execute, get_tool
from ..schema import load_catalogue, load_published

__all__ = [
    "build_server",
    "INSTRUCTIONS",
    "tool_listing",
    "lean_listing",
    "to_call_result",
    "to_wire_result",
    "runs_inline",
]

log = logging.getLogger("condensync.server")

INSTRUCTIONS = (
    "CONDENSYNC: deterministic steam surface condenser calculators (HEI / ASME PTC 12.2-style). Every number you "
    "report must come from a tool result: quote the values verbatim with their units from the result's `units` map "
    "and cite provenance.provenance_hash; never compute or estimate a figure yourself. All tools take unit_system "
    "'US' (default) or 'SI'. If a call returns isError, read the listed problems and fix the arguments. A tool's "
    "method and full argument notes: resource doc://tools/<name>."
)


def tool_listing() -> list[types.Tool]:
    """MCP tool descriptors from the published catalogue and schemas (``schemas/``, drift-checked
    against the definitions by ``condensync schemas check``): no tool module is imported, so
    ``tools/list`` is answered before the calculators (numpy, scipy, iapws) are loaded."""
    listing = []
    for tool in load_catalogue():
        name, title = tool["name"], tool["title"]
        listing.append(
            types.Tool(
                name=name,
                title=title,
                description=tool["description"],
                input_schema=load_published(name, "input"),
                output_schema=load_published(name, "output"),
                annotations=types.ToolAnnotations(
                    title=title,
                    read_only_hint=tool["read_only"],
                    destructive_hint=tool["destructive"],
                    idempotent_hint=tool["idempotent"],
                    open_world_hint=tool["open_world"],
                ),
            )
        )
    return listing


def lean_listing(listing: list[types.Tool]) -> list[types.Tool]:
    """What ``tools/list`` sends, lean (an assistant pays for it in every conversation): each
    tool's short description (:data:`~condensync_tools.listing_text.TOOL_SUMMARIES`) and the
    view of its published input schema without validation-only bounds
    (:func:`~condensync_tools.schema.listing_schema`). Every call is still validated against
    the full published schema; the full description and argument notes are the resource
    ``doc://tools/<name>``."""
    from ..listing_text import TOOL_SUMMARIES
    from ..schema import listing_schema

    return [
        tool.model_copy(
            update={
                "description": TOOL_SUMMARIES.get(tool.name, tool.description),
                "input_schema": listing_schema(tool.input_schema),
            }
        )
        for tool in listing
    ]


def runs_inline(name: str, arguments: Any, context: ExecutionContext) -> bool:
    """Whether a call runs on the event loop instead of a worker thread: a quick calculator
    (bounded CPU work, about a millisecond at most) on supplied data, with no ledger, store or
    connectors involved. Everything else (live reads, history, the ledger's durable commit,
    long analyses) runs in a worker thread so the loop keeps serving; the hop costs about
    0.5 ms on a 2-core machine (measured with the official client in memory), more than a
    quick calculation itself."""
    try:
        tool = get_tool(name)
    except UnknownTool:
        return False
    return (
        tool.quick
        and context.recorder is None
        and context.live is None
        and not context.services
        and isinstance(arguments, dict)
        and arguments.get("data_source", "supplied") != "live"
    )


def to_call_result(outcome: CallOutcome) -> types.CallToolResult:
    """An outcome as an MCP result: structuredContent + text summary, or isError + problems."""
    if outcome.error is None:
        return types.CallToolResult(
            content=_success_content(outcome), structured_content=outcome.result or {}, is_error=False
        )
    return _error_result(outcome)


def to_wire_result(outcome: CallOutcome) -> dict[str, Any] | types.CallToolResult:
    """:func:`to_call_result` as the ``tools/call`` handler returns it: a success already in its
    wire form (the dict ``CallToolResult.model_dump(by_alias=True, mode="json",
    exclude_none=True)`` gives, which the SDK accepts from a handler and validates against the
    protocol version's result schema like any result), so the SDK does not dump the whole
    structuredContent a second time; an error as the model (rare, small)."""
    if outcome.error is not None:
        return _error_result(outcome)
    return {
        "content": [
            {"type": "text", "text": c.text}
            if type(c) is types.TextContent
            else c.model_dump(by_alias=True, mode="json", exclude_none=True)
            for c in _success_content(outcome)
        ],
        "structuredContent": outcome.result or {},
        "isError": False,
        "resultType": "complete",
    }


def _error_result(outcome: CallOutcome) -> types.CallToolResult:
    """A failed call: isError + the problems (and where the ledger recorded it)."""
    text = outcome.error.text() if outcome.error is not None else f"{outcome.tool} failed."
    if outcome.receipt:  # an error is recorded too: say where
        text += f"\n(audit ledger: chain {outcome.receipt['chain']} seq {outcome.receipt['seq']})"
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)],
        is_error=True,
        meta={"condensync/receipt": outcome.receipt} if outcome.receipt else None,
    )


def _success_content(outcome: CallOutcome) -> list:
    """The content blocks of a successful call: the text summary, then the chart and links."""
    result = outcome.result or {}
    prov = result.get("provenance", {})
    lines = [outcome.summary or f"{outcome.tool} computed."]
    for w in result.get("warnings", []):
        lines.append(f"Warning: {w}")
    lines.append(f"provenance_hash {prov.get('provenance_hash', '')} (report values verbatim; see structuredContent)")
    content: list = [types.TextContent(type="text", text="\n".join(lines))]
    if result.get("chart_png_base64"):
        content.append(types.ImageContent(type="image", data=result["chart_png_base64"], mime_type="image/png"))
    if result.get("series_resource_uri"):
        content.append(
            types.ResourceLink(
                type="resource_link",
                name="full per-row series",
                uri=result["series_resource_uri"],
                mime_type="text/csv",
                description=f"file {result.get('series_file', '')}, sha256 {result.get('series_sha256', '')}",
            )
        )
    if result.get("report_resource_uri"):
        content.append(
            types.ResourceLink(
                type="resource_link",
                name="performance report (HTML)",
                uri=result["report_resource_uri"],
                mime_type="text/html",
                description=f"file {result.get('report_file', '')}, sha256 {result.get('report_sha256', '')}",
            )
        )
    return content


def build_server(
    context_factory: Callable[[ServerRequestContext[Any]], ExecutionContext] | None = None,
    name: str = "condensync",
    config: Any | None = None,
    live: Any | None = None,
) -> Server:
    """The MCP server. ``context_factory`` builds the per-call execution context (caller
    identity, plant configuration, connectors, ledger); by default a bare context.
    ``config`` (a PlantConfig) adds the condensers' design data as resources; ``live`` (the
    connector manager) their live snapshots, with subscriptions."""
    from . import resources as res
    from .completion import complete, resource_templates
    from .notify import SessionLevels, install_log_bridge
    from .subscriptions import LiveSubscriptions

    listing = lean_listing(tool_listing())
    schemas = {t.name: t.input_schema for t in listing}
    levels = SessionLevels()
    subscriptions = LiveSubscriptions(live)
    install_log_bridge()

    async def list_tools(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=listing)

    async def call_tool(ctx: ServerRequestContext[Any], params: types.CallToolRequestParams) -> types.CallToolResult:
        context = context_factory(ctx) if context_factory else ExecutionContext()
        arguments = params.arguments if params.arguments is not None else {}
        try:
            outcome = await _execute_notified(ctx, params.name, arguments, context, levels)
        except Exception as exc:  # the ledger could not record: the call must not be answered as done
            log.exception("call %s could not be recorded", params.name)
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
        if _tool_call_logged():
            log.info(
                json.dumps(
                    {
                        "event": "tool_call",
                        "tool": params.name,
                        "ok": outcome.ok,
                        "duration_ms": round(outcome.duration_ms, 3),
                        "request_id": outcome.request_id,
                    }
                )
            )
        return to_wire_result(outcome)  # type: ignore[return-value]  # the SDK takes the wire dict

    async def list_resources(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        return types.ListResourcesResult(resources=res.list_resources(config))

    async def list_templates(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        return types.ListResourceTemplatesResult(resource_templates=resource_templates(config))

    async def read_resource(
        ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        uri = str(params.uri)
        text = await anyio.to_thread.run_sync(res.read_resource, uri, config, live)
        if text is None:
            from mcp import MCPError

            raise MCPError(-32602, f"Resource not found: {uri}", {"uri": uri})
        mime = "application/schema+json" if uri.startswith("schema://") else "application/json"
        if uri.startswith("condensync://reports/"):
            mime = "text/html"
        return types.ReadResourceResult(contents=[types.TextResourceContents(uri=uri, mime_type=mime, text=text)])

    async def list_prompts(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListPromptsResult:
        return types.ListPromptsResult(prompts=res.list_prompts())

    async def get_prompt(ctx: ServerRequestContext[Any], params: types.GetPromptRequestParams) -> types.GetPromptResult:
        result = res.get_prompt(params.name, params.arguments)
        if result is None:
            from mcp import MCPError

            raise MCPError(-32602, f"Unknown prompt: {params.name}; expected one of {', '.join(res.PROMPTS)}")
        return result

    async def completion(ctx: ServerRequestContext[Any], params: types.CompleteRequestParams) -> types.CompleteResult:
        return complete(params, config, res.PROMPTS)

    async def set_level(ctx: ServerRequestContext[Any], params: types.SetLevelRequestParams) -> types.EmptyResult:
        from .notify import MCP_LEVELS

        levels.set(ctx, params.level)
        install_log_bridge(MCP_LEVELS[params.level])
        return types.EmptyResult()

    with warnings.catch_warnings():  # logging/setLevel is deprecated at 2026-07-28 but current before it
        warnings.simplefilter("ignore", MCPDeprecationWarning)
        server = Server(
            name,
            version=__version__,
            title="CONDENSYNC condenser performance tools",
            instructions=INSTRUCTIONS,
            lifespan=subscriptions.lifespan,
            on_list_tools=list_tools,
            on_call_tool=call_tool,
            on_list_resources=list_resources,
            on_list_resource_templates=list_templates,
            on_read_resource=read_resource,
            on_subscribe_resource=subscriptions.subscribe,
            on_unsubscribe_resource=subscriptions.unsubscribe,
            on_subscriptions_listen=subscriptions.listen_handler,
            on_list_prompts=list_prompts,
            on_get_prompt=get_prompt,
            on_completion=completion,
            on_set_logging_level=set_level,
            get_tool_input_schema=schemas.get,
        )
    server.condensync_subscriptions = subscriptions  # type: ignore[attr-defined]
    return server


def _tool_call_logged() -> bool:
    """Whether the ``tool_call`` INFO record of a call would be written anywhere: some handler
    on its way up (stderr, the HTTP service's JSON log, a test's capture) takes INFO records.
    The MCP log bridge never forwards this logger's records (:mod:`.notify`), and the bridge
    lowers the ``condensync`` logger's level to INFO, so without this check every call would
    format and dispatch a record that no handler writes."""
    if not log.isEnabledFor(logging.INFO):
        return False
    from .notify import forwards_record_of

    logger: logging.Logger | None = log
    while logger is not None:
        for handler in logger.handlers:
            if handler.level <= logging.INFO and forwards_record_of(handler, log.name):
                return True
        if not logger.propagate:
            return False
        logger = logger.parent
    return logging.lastResort is not None and logging.lastResort.level <= logging.INFO


async def _execute_notified(
    ctx: ServerRequestContext[Any], name: str, arguments: Any, context: ExecutionContext, levels: Any
) -> CallOutcome:
    """Run one call with its log and progress notifications (:mod:`.notify`): a quick call
    inline, anything else in a worker thread with the stage callback and a heartbeat."""
    from .notify import SILENT, CallNotifier

    log_level = levels.level_for(ctx)
    if log_level is None and runs_inline(name, arguments, context):
        # nothing to send (no log level chosen, no stage callbacks on the event loop): the
        # call's records are dropped as a notifier without a level drops them
        token = SILENT.activate()
        try:
            return execute(name, arguments, context)
        finally:
            SILENT.deactivate(token)
    # the SDK sends progress only when the caller gave a token (or, in memory, a callback):
    # report_progress is a no-op otherwise, so every long call reports
    notifier = CallNotifier(ctx=ctx, tool=name, log_level=log_level)
    token = notifier.activate()
    try:
        if runs_inline(name, arguments, context):
            outcome = execute(name, arguments, context)
        else:
            context = dataclasses.replace(context, services={**context.services, "progress": notifier.stage})
            async with anyio.create_task_group() as tg:
                tg.start_soon(notifier.heartbeat)
                outcome = await anyio.to_thread.run_sync(execute, name, arguments, context)
                tg.cancel_scope.cancel()
    finally:
        notifier.deactivate(token)
    await notifier.flush((outcome.result or {}).get("warnings") if outcome.ok else None)
    return outcome


async def serve_stdio(server: Server) -> None:
    """Serve one MCP session over stdin/stdout (stdout carries only the protocol)."""
    from mcp.server.stdio import stdio_server

    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())
