# SPDX-License-Identifier: MIT
"""A bare MCP stdio server with one ``echo`` tool (low-level ``mcp.server.Server``): the
baseline of the MCP round-trip benchmark (same SDK, same client, no calculation)."""

from __future__ import annotations

import json

import anyio
import mcp.types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.stdio import stdio_server

ECHO = types.Tool(
    name="echo",
    description="Returns its arguments.",
    input_schema={"type": "object", "additionalProperties": True},
)


async def list_tools(
    ctx: ServerRequestContext, params: types.PaginatedRequestParams | None
) -> types.ListToolsResult:
    return types.ListToolsResult(tools=[ECHO])


async def call_tool(ctx: ServerRequestContext, params: types.CallToolRequestParams) -> types.CallToolResult:
    args = params.arguments or {}
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=json.dumps(args))],
        structured_content=args,
        is_error=False,
    )


async def main() -> None:
    server = Server("echo", version="1.0.0", on_list_tools=list_tools, on_call_tool=call_tool)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main)
