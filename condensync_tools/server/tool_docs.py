# SPDX-License-Identifier: MIT
"""A tool's documentation resource, ``doc://tools/<name>``: what the lean ``tools/list``
leaves out. The tool's full description (what it computes, its method and conventions) and,
per argument, the full explanation (defaults and where they come from, alternatives, caveats)
with its type, units, default and bounds, from the tool definition itself."""

from __future__ import annotations

import json

from ..registry import all_tools
from ..schema import model_schema

__all__ = ["DOC_PREFIX", "doc_uri", "tool_doc"]

DOC_PREFIX = "doc://tools/"


def doc_uri(tool: str) -> str:
    return f"{DOC_PREFIX}{tool}"


def tool_doc(name: str) -> str | None:
    """The documentation of tool ``name`` as JSON text, or None when there is no such tool."""
    tool = next((t for t in all_tools() if t.name == name), None)
    if tool is None:
        return None
    schema = model_schema(tool.input_model, terse=False)
    return json.dumps(
        {
            "tool": tool.name,
            "title": tool.title,
            "version": tool.version,
            "description": tool.description,
            "arguments": schema["properties"],
            "required": schema.get("required", []),
        },
        ensure_ascii=False,
        indent=2,
    )
