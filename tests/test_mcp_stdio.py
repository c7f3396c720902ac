# SPDX-License-Identifier: MIT
"""End to end with the official MCP client: spawn `condensync serve` over stdio."""

import math
import sys

import pytest
from _tool_cases import HT_MINIMAL
from jsonschema import Draft202012Validator
from mcp import Client, StdioServerParameters

GOOD = HT_MINIMAL
SERVER = StdioServerParameters(command=sys.executable, args=["-m", "condensync_tools", "serve", "--no-ledger"])


def _no_ref(node):
    if isinstance(node, dict):
        assert "$ref" not in node and "$defs" not in node
        for v in node.values():
            _no_ref(v)
    elif isinstance(node, list):
        for v in node:
            _no_ref(v)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_stdio_end_to_end(mode):
    async with Client(SERVER, mode=mode) as client:
        tools = (await client.list_tools()).tools
        names = {t.name for t in tools}
        assert "calculate_heat_transfer_coefficient" in names
        for t in tools:
            Draft202012Validator.check_schema(t.input_schema)
            Draft202012Validator.check_schema(t.output_schema)
            assert "$schema" not in t.input_schema
            _no_ref(t.input_schema)
            _no_ref(t.output_schema)
            assert t.title and t.annotations is not None
        ht = next(t for t in tools if t.name == "calculate_heat_transfer_coefficient")
        assert ht.annotations.read_only_hint is True and ht.annotations.idempotent_hint is True
        assert ht.annotations.open_world_hint is False

        good = await client.call_tool("calculate_heat_transfer_coefficient", GOOD)
        assert not good.is_error
        sc = good.structured_content
        assert math.isfinite(sc["u_actual"]) and sc["units"]["u_actual"] == "Btu/(h·ft²·°F)"
        assert sc["provenance"]["provenance_hash"] in good.content[0].text

        bad = await client.call_tool("calculate_heat_transfer_coefficient", {**GOOD, "cw_flow": -3, "x": 1})
        assert bad.is_error
        assert "$.cw_flow: expected a number > 0, got -3" in bad.content[0].text
        assert "$.x: unknown field" in bad.content[0].text

        phys = await client.call_tool("calculate_heat_transfer_coefficient", {**GOOD, "cw_outlet_temp": 105.0})
        assert phys.is_error and "TTD" in phys.content[0].text

        unknown = await client.call_tool("no_such_tool", {})
        assert unknown.is_error and "no_such_tool" in unknown.content[0].text

        again = await client.call_tool("calculate_heat_transfer_coefficient", GOOD)
        assert not again.is_error
        assert again.structured_content["provenance"]["provenance_hash"] == sc["provenance"]["provenance_hash"]
