# SPDX-License-Identifier: MIT
"""`condensync serve` start-up: initialize and tools/list are answered from the published
catalogue and schemas, without importing the calculators; the ledger opens in the background
and a ledger that cannot be opened refuses every call instead of answering it unrecorded."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from mcp import Client, StdioServerParameters
from test_mcp_stdio import GOOD

from condensync_tools.registry import all_tools
from condensync_tools.server.mcp_server import tool_listing

HEAVY = (
    "condensync_tools.calculators.water",
    "condensync_tools.tools",
    "iapws",
    "scipy",
    "sqlalchemy",
    "alembic",
    "matplotlib",
    "pyarrow",
    "asyncua",
    "pymodbus",
    "jsonschema",
)


def test_listing_imports_no_calculator_store_or_plotting() -> None:
    code = (
        "import sys\n"
        "from condensync_tools.cli import build_parser\n"
        "build_parser()\n"
        "from condensync_tools.runtime import build_context\n"
        "from condensync_tools.server.mcp_server import build_server, tool_listing\n"
        "build_server(lambda ctx: build_context(ledger=False))\n"
        "assert len(tool_listing()) > 10\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_catalogue_listing_equals_the_definitions() -> None:
    listed = {t.name: t for t in tool_listing()}
    assert sorted(listed) == [t.name for t in all_tools()]
    for tool in all_tools():
        t = listed[tool.name]
        assert (t.title, t.description) == (tool.title, tool.description)
        assert t.annotations.read_only_hint == tool.read_only and t.annotations.open_world_hint == tool.open_world


@pytest.mark.anyio
async def test_unopenable_ledger_refuses_calls(tmp_path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "condensync_tools", "serve", "--database-url", f"sqlite:///{blocker}/sub/ledger.db"],
    )
    async with Client(server) as client:
        assert len((await client.list_tools()).tools) > 10
        r = await client.call_tool("calculate_heat_transfer_coefficient", GOOD)
        assert r.is_error and "ledger_unavailable" in r.content[0].text
        assert r.structured_content is None


@pytest.mark.slow
@pytest.mark.anyio
async def test_ledger_opened_in_background_records_the_first_call(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CONDENSYNC_LEDGER_WITNESS", str(tmp_path / "w.jsonl"))
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    server = StdioServerParameters(
        command=sys.executable, args=["-m", "condensync_tools", "serve", "--database-url", url]
    )
    async with Client(server) as client:
        r = await client.call_tool("calculate_heat_transfer_coefficient", GOOD)
        assert not r.is_error and r.structured_content["provenance"]["receipt"]["seq"] == 1
    assert ledger_entries(url)[0]["tool"] == "calculate_heat_transfer_coefficient"


def ledger_entries(url: str) -> list[dict]:
    """The last entries of the ledger at ``url``, as ``condensync audit show`` prints them."""
    shown = subprocess.run(
        [sys.executable, "-m", "condensync_tools", "audit", "show", "--database-url", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(shown.stdout)
