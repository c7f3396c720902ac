# SPDX-License-Identifier: MIT
"""A bare MCP stdio server (low-level ``mcp.server.Server``, no CONDENSYNC code): the
baselines of the MCP round-trip benchmark (same SDK, same client, no calculation).

* ``echo`` returns its arguments (no output schema): the issue's baseline;
* ``echo_result`` returns a stored heat-transfer result (golden/.../us_hei_500mw_two_pass.json)
  under our published output schema, so the client validates the same payload against the
  same schema: the gap to our tool is then our server's own work (validation, calculation,
  hashing, adapter)."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import mcp.types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.stdio import stdio_server

ECHO = types.Tool(
    name="echo",
    description="Returns its arguments.",
    input_schema={"type": "object", "additionalProperties": True},
)


ROOT = Path(__file__).resolve().parents[1]
STORED_RESULT = json.loads(
    (ROOT / "golden" / "calculate_heat_transfer_coefficient" / "us_hei_500mw_two_pass.json").read_text("utf-8")
)["expected"]["result"]
STORED_RESULT["provenance"]["computed_at"] = "2026-01-01T00:00:00.000Z"  # golden files leave the time out
ECHO_RESULT = types.Tool(
    name="echo_result",
    description="Returns a stored heat-transfer result under the heat-transfer output schema.",
    input_schema={"type": "object", "additionalProperties": True},
    output_schema=json.loads((ROOT / "schemas" / "calculate_heat_transfer_coefficient.output.json").read_text("utf-8")),
)


async def list_tools(ctx: ServerRequestContext, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
    return types.ListToolsResult(tools=[ECHO, ECHO_RESULT])


async def call_tool(ctx: ServerRequestContext, params: types.CallToolRequestParams) -> types.CallToolResult:
    args = params.arguments or {}
    if params.name == "echo_result":
        return types.CallToolResult(
            content=[types.TextContent(type="text", text="stored heat-transfer result")],
            structured_content=STORED_RESULT,
            is_error=False,
        )
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
