# SPDX-License-Identifier: MIT
"""Resource templates and ``completion/complete`` for prompt arguments and template
parameters: configured condenser ids, tool names, schema directions and tube materials.

Completion answers with the values that start with what the user typed (case-insensitive),
then those that contain it, sorted, at most 100 (MCP's limit per answer) with ``total`` and
``hasMore``. An unknown prompt, template or argument gets an empty list, not an error: a
client may ask for any argument while the user types.
"""

from __future__ import annotations

from typing import Any, Callable

import mcp.types as types

__all__ = ["resource_templates", "complete", "TEMPLATE_PARAMETERS"]

_MAX_VALUES = 100


def _condenser_ids(config: Any | None) -> list[str]:
    return sorted(config.condensers) if config is not None else []


def _tool_names(config: Any | None) -> list[str]:
    from ..registry import all_tools

    return sorted(t.name for t in all_tools())


def _materials(config: Any | None) -> list[str]:
    from ..calculators.tubes import materials

    return sorted(materials())


def _directions(config: Any | None) -> list[str]:
    return ["input", "output"]


#: Values per parameter / prompt-argument name.
_SOURCES: dict[str, Callable[[Any | None], list[str]]] = {
    "condenser_id": _condenser_ids,
    "tool": _tool_names,
    "tool_name": _tool_names,
    "material": _materials,
    "tube_material": _materials,
    "direction": _directions,
}

#: URI template → (name, title, description, mime type).
_TEMPLATES: dict[str, tuple[str, str, str, str]] = {
    "schema://tools/{tool}/{direction}": (
        "tool schema",
        "Published tool schema",
        "The committed JSON Schema of a tool's input or output (direction: input | output).",
        "application/schema+json",
    ),
    "materials://tubes/{material}": (
        "tube material",
        "Tube material data",
        "Label, family and thermal conductivity [W/(m·K)] of a tube material, with the data source.",
        "application/json",
    ),
    "condenser://configs/{condenser_id}": (
        "condenser design data",
        "Configured condenser design data",
        "Design data of a configured condenser, to cite rather than invent.",
        "application/json",
    ),
    "condenser://live/{condenser_id}": (
        "live condenser snapshot",
        "Live condenser snapshot",
        "The latest live values of a configured condenser (value, unit, quality, source timestamp, stale flag). "
        "Subscribe (resources/subscribe) to be told when a value or its quality changes.",
        "application/json",
    ),
}
TEMPLATE_PARAMETERS = {uri: [p.strip("{}") for p in uri.split("/") if p.startswith("{")] for uri in _TEMPLATES}


def resource_templates(config: Any | None) -> list[types.ResourceTemplate]:
    """The templates this server reads (the condenser ones only with a plant configuration)."""
    out = []
    for uri, (name, title, description, mime) in _TEMPLATES.items():
        if uri.startswith("condenser://") and config is None:
            continue
        out.append(
            types.ResourceTemplate(name=name, title=title, uri_template=uri, description=description, mime_type=mime)
        )
    return out


def _rank(candidates: list[str], typed: str) -> list[str]:
    typed = typed.lower()
    starts = [c for c in candidates if c.lower().startswith(typed)]
    contains = [c for c in candidates if typed in c.lower() and c not in starts]
    return starts + contains


def complete(params: types.CompleteRequestParams, config: Any | None, prompts: dict[str, Any]) -> types.CompleteResult:
    """The ``completion/complete`` answer (see module docstring)."""
    ref = params.ref
    argument = params.argument.name
    known = False
    if isinstance(ref, types.PromptReference):
        spec = prompts.get(ref.name)
        known = spec is not None and any(a[0] == argument for a in spec[2])
    elif isinstance(ref, types.ResourceTemplateReference):
        known = argument in TEMPLATE_PARAMETERS.get(ref.uri, [])
    source = _SOURCES.get(argument) if known else None
    values = _rank(source(config), params.argument.value or "") if source else []
    return types.CompleteResult(
        completion=types.Completion(values=values[:_MAX_VALUES], total=len(values), has_more=len(values) > _MAX_VALUES)
    )
