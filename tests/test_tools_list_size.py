# SPDX-License-Identifier: MIT
"""The tools/list an assistant pays for in every conversation stays lean: the input side (name
+ description + input schema, as the server sends them, characters/4) is at most 12,000
tokens (it was about 24,300 before the lean listing), and no capability is lost: the listing
has every field of the published schema with its type, allowed values, default and a
description naming its units, and calls are still validated against the full schema."""

import json

import pytest
from mcp import Client

from condensync_tools.listing_text import FIELD_TEXT, TOOL_SUMMARIES, input_side_tokens
from condensync_tools.registry import all_tools, execute
from condensync_tools.schema import VALIDATION_ONLY_KEYWORDS, load_published
from condensync_tools.server.mcp_server import build_server

BUDGET_TOKENS = 12_000


def listed_tokens(tools) -> dict[str, float]:
    """Per tool: the input side as the client received it (the figure benchmarks/run.py prints)."""
    out = {}
    for t in tools:
        wire = t.model_dump(by_alias=True, mode="json", exclude_none=True)
        out[t.name] = input_side_tokens(t.name, t.description or "", wire["inputSchema"])
    return out


@pytest.fixture(scope="module")
def listed():
    import anyio

    async def fetch():
        async with Client(build_server()) as client:
            return (await client.list_tools()).tools

    return anyio.run(fetch)


def test_tools_list_input_side_is_within_budget(listed):
    per_tool = listed_tokens(listed)
    total = sum(per_tool.values())
    assert len(per_tool) == len(all_tools())
    assert total <= BUDGET_TOKENS, f"tools/list input side {total:.0f} tokens > {BUDGET_TOKENS}: {per_tool}"


def _fields(schema, path="$"):
    for name, sub in schema.get("properties", {}).items():
        yield f"{path}.{name}", sub
        items = sub.get("items")
        if isinstance(items, dict) and "properties" in items:
            yield from _fields(items, f"{path}.{name}[]")


def test_listing_keeps_every_field_type_value_default_and_unit(listed):
    for tool in listed:
        published = load_published(tool.name, "input")
        listing = dict(_fields(tool.input_schema))
        full = dict(_fields(published))
        assert listing.keys() == full.keys(), tool.name
        assert tool.input_schema.get("required", []) == published.get("required", [])
        for path, sub in full.items():
            lean = listing[path]
            for key in ("type", "enum", "default", "description"):
                assert lean.get(key) == sub.get(key), (tool.name, path, key)
            assert not VALIDATION_ONLY_KEYWORDS & lean.keys(), (tool.name, path)
            assert "$ref" not in json.dumps(lean) and "title" not in lean


def test_terse_descriptions_keep_both_units():
    from condensync_tools.schema import model_schema

    for tool in all_tools():
        terse = dict(_fields(model_schema(tool.input_model)))
        full = dict(_fields(model_schema(tool.input_model, terse=False)))
        for path, sub in full.items():
            desc = sub["description"].rstrip()
            if " | " in desc[desc.rfind("[") :] and desc.endswith("]"):
                assert terse[path]["description"].endswith(desc[desc.rfind("[") :]), (tool.name, path)


def test_every_lean_text_is_used():
    used = set()
    for tool in all_tools():
        for path, sub in _fields(load_published(tool.name, "input")):
            key = path[2:]
            used |= {key, f"{tool.name}:{key}"} | ({f"{key}[]"} if sub.get("type") == "array" else set())
    assert set(FIELD_TEXT) <= used, sorted(set(FIELD_TEXT) - used)
    assert set(TOOL_SUMMARIES) == {t.name for t in all_tools()}


def test_bounds_left_out_of_the_listing_are_still_enforced():
    """A call breaking a bound the listing does not show is refused by the published schema,
    naming the field and the bound."""
    args = {
        "cw_inlet_temp": 72.4,
        "cw_outlet_temp": 91.8,
        "cw_flow": 248000.0,
        "condenser_pressure": 2.05,
        "tube_od": 1.0,
        "tube_count": 28000,
        "tube_length": 38.0,
        "tube_passes": 9,
    }
    outcome = execute("calculate_heat_transfer_coefficient", args)
    assert not outcome.ok and any("$.tube_passes: expected a number <= 4" in p for p in outcome.error.problems)


@pytest.mark.anyio
async def test_documentation_resource_keeps_the_full_method_and_argument_notes():
    """What the lean listing leaves out is one resource read away: doc://tools/<name>."""
    async with Client(build_server()) as client:
        uris = {str(r.uri) for r in (await client.list_resources()).resources}
        assert {f"doc://tools/{t.name}" for t in all_tools()} <= uris
        read = await client.read_resource("doc://tools/analyze_condenser_performance")
    doc = json.loads(read.contents[0].text)
    assert "performance_score = 100" in doc["description"]
    assert "pumps_running" in doc["arguments"]
    assert doc["arguments"]["cw_outlet_temp"]["description"].startswith("Cooling-water outlet temperature, mixed mean")
    assert doc["arguments"]["tube_passes"]["maximum"] == 4
