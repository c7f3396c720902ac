# SPDX-License-Identifier: MIT
"""Run ``condensync <argv>`` in this process for the service tests.

* ``--with-test-tools`` (first argument) registers two stand-in tools so every tool category
  can be exercised: ``svctest_create_work_order`` (category ``work_order``; no work-order tool
  exists yet) and ``svctest_read_live`` (category ``live_read``; the real live tool needs plant
  connectors). Their schemas are generated, not published, so ``load_published`` is wrapped for
  those two names only, and ``load_catalogue`` (what ``tools/list`` serves) lists them too.
* Until ``condensync serve --transport http`` and ``condensync token`` are wired into cli.py /
  runtime.py, the same argv is dispatched to :func:`serve_http` / :mod:`cli_service` here; once
  wired, the real ``cli.main`` runs.
"""

from __future__ import annotations

import inspect
import sys


def _register_test_tools() -> None:
    from pydantic import Field

    from condensync_tools import schema
    from condensync_tools.registry import ToolDefinition, ToolOutput, get_tool, register
    from condensync_tools.server import mcp_server
    from condensync_tools.tools.common import ToolInput, ToolResult, UnitSystemField

    class StandInInput(ToolInput):
        unit_system: UnitSystemField = "US"
        asset: str = Field("C1", pattern=r"^[A-Za-z0-9_.\-]{1,64}$", description="Asset id [1]")

    class StandInOutput(ToolResult):
        accepted: bool = Field(description="The stand-in ran")
        asset: str = Field(description="Asset id echoed")

    def handler(call):
        return ToolOutput(
            values={"accepted": True, "asset": call.args["asset"]},
            method={"svctest": "stand-in"},
            summary="stand-in ran",
        )

    get_tool("calculate_heat_transfer_coefficient")  # load the real tools first
    defs = {
        "svctest_create_work_order": dict(
            category="work_order", read_only=False, destructive=True, idempotent=False, open_world=True
        ),
        "svctest_read_live": dict(category="live_read", open_world=True),
    }
    for name, kw in defs.items():
        register(
            ToolDefinition(
                name=name,
                title=f"Service test stand-in ({kw['category']})",
                description="Stand-in tool of the service tests.",
                version="0.0.1",
                input_model=StandInInput,
                output_model=StandInOutput,
                handler=handler,
                record_history=False,
                **kw,
            )
        )
    original = schema.load_published

    def load_published(tool: str, direction: str):
        if tool in defs:
            model = StandInInput if direction == "input" else StandInOutput
            return schema.model_schema(model)
        return original(tool, direction)

    schema.load_published = load_published
    mcp_server.load_published = load_published
    catalogue = schema.load_catalogue

    def load_catalogue():  # the stand-ins are listed too (tools/list comes from the catalogue)
        return sorted(
            catalogue() + [schema.catalogue_entry(get_tool(name)) for name in defs], key=lambda entry: entry["name"]
        )

    schema.load_catalogue = load_catalogue
    mcp_server.load_catalogue = load_catalogue


def _has_subcommand(parser, name: str) -> bool:
    return any(name in getattr(a, "choices", {}) or {} for a in parser._subparsers._group_actions)


def main(argv: list[str]) -> int:
    test_tools = bool(argv) and argv[0] == "--with-test-tools"
    if test_tools:
        argv = argv[1:]
    import logging

    from condensync_tools import cli, cli_service, runtime

    wired_http = "serve_http" in inspect.getsource(runtime.serve)
    parser = cli.build_parser()
    if argv and argv[0] == "token" and not _has_subcommand(parser, "token"):
        sub = parser._subparsers._group_actions[0]
        cli_service.add_parsers(sub)
        args = parser.parse_args(argv)
        return int(args.func(args) or 0)
    if argv and argv[0] == "serve" and "http" in argv and not wired_http:
        args = parser.parse_args(argv)
        logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
        from condensync_tools.server.http_app import serve_http

        def base():
            if test_tools:
                _register_test_tools()
            return runtime.build_context(
                args.config, caller="http", ledger=not args.no_ledger, database_url=args.database_url
            )

        return serve_http(args, base)
    if test_tools:
        _register_test_tools()
    return int(cli.main(argv) or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
