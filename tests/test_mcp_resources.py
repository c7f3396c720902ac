# SPDX-License-Identifier: MIT
"""MCP resources and prompts through the official client (in memory)."""

import json

import pytest
from mcp import Client, MCPError

from condensync_tools.config import EXAMPLE_CONFIG, load_config
from condensync_tools.server.mcp_server import build_server


@pytest.mark.anyio
async def test_resources_and_prompts():
    config = load_config(EXAMPLE_CONFIG)
    async with Client(build_server(config=config)) as c:
        uris = {str(r.uri) for r in (await c.list_resources()).resources}
        assert "units://catalog" in uris and "condenser://configs/unit3" in uris
        assert "schema://tools/calculate_heat_transfer_coefficient/input" in uris
        units = json.loads((await c.read_resource("units://catalog")).contents[0].text)
        assert units["pressure"] == {"US": "inHgA", "SI": "kPa(a)"}
        design = json.loads((await c.read_resource("condenser://configs/unit3")).contents[0].text)
        assert design["arguments"]["tube_material"] == "cuni_90_10"
        schema = json.loads(
            (await c.read_resource("schema://tools/calculate_heat_transfer_coefficient/input")).contents[0].text
        )
        assert schema["type"] == "object"
        with pytest.raises(MCPError):
            await c.read_resource("schema://tools/../../etc/passwd")
        prompts = {p.name for p in (await c.list_prompts()).prompts}
        assert {"diagnose_vacuum_loss", "size_cw_flow", "fouling_trend_review"} <= prompts
        text = (await c.get_prompt("diagnose_vacuum_loss", {"condenser_id": "unit3"})).messages[0].content.text
        assert "unit3" in text and "verbatim" in text
        with pytest.raises(MCPError):
            await c.get_prompt("nope", {})
