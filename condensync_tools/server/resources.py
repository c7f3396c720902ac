# SPDX-License-Identifier: MIT
"""MCP resources and prompts: published schemas, the units catalogue, configured condensers'
design data (to cite, not invent), and prompts that tell the model which tools to call in
which order and to quote only tool outputs."""

from __future__ import annotations

import json
from typing import Any, Callable

import mcp.types as types

from ..registry import all_tools
from ..schema import load_published
from ..units import KINDS
from .tool_docs import DOC_PREFIX, doc_uri, tool_doc

__all__ = ["list_resources", "read_resource", "PROMPTS", "get_prompt", "list_prompts"]


def _schema_uri(tool: str, direction: str) -> str:
    return f"schema://tools/{tool}/{direction}"


def list_resources(config: Any | None) -> list[types.Resource]:
    out = [
        types.Resource(
            name="units",
            title="Units catalogue (US and SI per quantity)",
            uri="units://catalog",
            mime_type="application/json",
        )
    ]
    for tool in all_tools():
        for direction in ("input", "output"):
            out.append(
                types.Resource(
                    name=f"{tool.name}.{direction}",
                    title=f"{tool.title} — {direction} schema",
                    uri=_schema_uri(tool.name, direction),
                    mime_type="application/schema+json",
                )
            )
        out.append(
            types.Resource(
                name=f"{tool.name}.doc",
                title=f"{tool.title} — method and arguments",
                uri=doc_uri(tool.name),
                mime_type="application/json",
            )
        )
    if config is not None:
        for cid, c in sorted(config.condensers.items()):
            out.append(
                types.Resource(
                    name=f"condenser {cid}",
                    title=c.description or cid,
                    uri=f"condenser://configs/{cid}",
                    mime_type="application/json",
                )
            )
    return out


def read_resource(uri: str, config: Any | None, live: Any | None = None) -> str | None:
    """The text of a resource, or None when the URI names nothing. ``live`` (the connector
    manager) serves ``condenser://live/{id}``; call this in a worker thread for those."""
    if uri == "units://catalog":
        return json.dumps({k.name: {"US": k.us, "SI": k.si} for k in KINDS.values()}, ensure_ascii=False, indent=2)
    if uri.startswith("schema://tools/"):
        parts = uri[len("schema://tools/") :].split("/")
        names = {t.name for t in all_tools()}
        if len(parts) == 2 and parts[0] in names and parts[1] in ("input", "output"):
            return json.dumps(load_published(parts[0], parts[1]), ensure_ascii=False, indent=2)
        return None
    if uri.startswith("materials://tubes/"):
        return _tube_material(uri[len("materials://tubes/") :])
    if uri.startswith("condenser://live/"):
        from .subscriptions import live_snapshot_json

        return live_snapshot_json(live, uri[len("condenser://live/") :])
    if uri.startswith("condensync://history/"):
        return _history_series(uri[len("condensync://history/") :])
    if uri.startswith("condensync://reports/"):
        return _report(uri[len("condensync://reports/") :])
    if uri.startswith("condenser://configs/") and config is not None:
        cid = uri[len("condenser://configs/") :]
        c = config.condensers.get(cid)
        if c is None:
            return None
        return json.dumps(
            {
                "condenser_id": cid,
                "description": c.description,
                "unit_system": c.unit_system,
                "arguments": c.arguments,
                "connectors": sorted(c.connectors),
            },
            ensure_ascii=False,
            indent=2,
        )
    if uri.startswith(DOC_PREFIX):
        return tool_doc(uri[len(DOC_PREFIX) :])
    return None


def _tube_material(key: str) -> str | None:
    from ..calculators.tubes import load_data

    table = load_data("tube_materials.json")
    material = table["materials"].get(key)
    if material is None:
        return None
    return json.dumps(
        {
            "material": key,
            **material,
            "conductivity_units": table.get("conductivity_units"),
            "conductivity_source": table.get("conductivity_source"),
        },
        ensure_ascii=False,
        indent=2,
    )


def _history_series(name: str) -> str | None:
    """A series file written by analyze_performance_history, by its content hash: only
    ``<64 hex>.csv`` names inside the server's history output directory are served."""
    import re

    from ..tools.history_io import configured_data_dir, output_directory

    if not re.fullmatch(r"[0-9a-f]{64}\.csv", name):
        return None
    path = output_directory(None, configured_data_dir()) / name
    try:
        return path.read_text("utf-8")
    except OSError:
        return None


def _report(name: str) -> str | None:
    """A report written by generate_performance_report, by its content hash: only
    ``<64 hex>.html`` names inside the server's reports directory are served."""
    import re

    from ..tools.report_files import report_directory

    if not re.fullmatch(r"[0-9a-f]{64}\.html", name):
        return None
    try:
        return (report_directory(None) / name).read_text("utf-8")
    except OSError:
        return None


PROMPTS: dict[str, tuple[str, str, list[tuple[str, str, bool]], Callable[[dict], str]]] = {
    "diagnose_vacuum_loss": (
        "Diagnose vacuum loss",
        "Find why a condenser runs above its achievable backpressure and what it costs.",
        [("condenser_id", "Configured condenser id (optional)", False)],
        lambda a: (
            "Diagnose the backpressure of condenser {cid}. Call, in this order: "
            "calculate_heat_transfer_coefficient (cleanliness now), optimize_vacuum_pressure (expected vs "
            "measured backpressure, split into fouling / CW inlet / CW flow / unexplained), "
            "detect_air_inleakage (if the unexplained part is significant), calculate_fouling_factor "
            "(trend and cleaning date). "
            "Quote every number verbatim from the tool results with its unit from the `units` map and cite "
            "provenance_hash; never compute a figure yourself."
        ).format(cid=a.get("condenser_id") or "(ask)"),
    ),
    "size_cw_flow": (
        "Size CW flow for a target backpressure",
        "Compare cooling-water pump and fan options by net benefit.",
        [("condenser_id", "Configured condenser id (optional)", False)],
        lambda a: (
            "For condenser {cid}, call optimize_cooling_water_flow with the pump and fan options, then report "
            "the optimum option, the active constraints and the expected savings exactly as the tool returns "
            "them. Do not extrapolate beyond the options evaluated."
        ).format(cid=a.get("condenser_id") or "(ask)"),
    ),
    "fouling_trend_review": (
        "Fouling trend review",
        "Review the cleanliness trend and plan the next cleaning.",
        [("condenser_id", "Configured condenser id (optional)", False)],
        lambda a: (
            "For condenser {cid}, call calculate_fouling_factor (with its history, or the stored history) "
            "and report the chosen model, its goodness of fit, days until the cleaning trigger (or why it is "
            "not reached), the recommended method and the economic interval, verbatim. Check "
            "detect_air_inleakage before recommending cleaning: low cleanliness is not proof of fouling."
        ).format(cid=a.get("condenser_id") or "(ask)"),
    ),
}


def list_prompts() -> list[types.Prompt]:
    return [
        types.Prompt(
            name=name,
            title=title,
            description=desc,
            arguments=[types.PromptArgument(name=n, description=d, required=r) for n, d, r in args],
        )
        for name, (title, desc, args, _) in PROMPTS.items()
    ]


def get_prompt(name: str, arguments: dict[str, str] | None) -> types.GetPromptResult | None:
    if name not in PROMPTS:
        return None
    title, desc, _, render = PROMPTS[name]
    text = render(arguments or {})
    return types.GetPromptResult(
        description=desc, messages=[types.PromptMessage(role="user", content=types.TextContent(type="text", text=text))]
    )
