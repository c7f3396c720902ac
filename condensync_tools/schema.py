# SPDX-License-Identifier: MIT
"""JSON Schema generation from tool definitions, and the published (committed) schemas.

The input and output pydantic models of each tool are the one source of truth; this module
turns them into client-friendly Draft 2020-12 schemas (CONTRACT §6): inline (no
``$ref``/``$defs``), no ``$schema`` key, no nullable unions, no titles, a description on every
field. ``condensync schemas export`` writes them to ``schemas/``; at run time every call is
validated against the *committed* files, and ``condensync schemas check`` fails on drift.
"""

from __future__ import annotations

import copy
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

__all__ = [
    "model_schema",
    "published_dir",
    "load_published",
    "schema_text",
    "REPO_SCHEMAS_DIR",
    "CATALOGUE_FILE",
    "catalogue_entry",
    "load_catalogue",
]

REPO_SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            target = copy.deepcopy(defs[node["$ref"].split("/")[-1]])
            rest = {k: v for k, v in node.items() if k != "$ref"}
            target.update(rest)
            return _inline(target, defs)
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("$defs", "title"):
                continue
            if key == "default" and value is None:
                continue
            if key == "properties":
                out[key] = {name: _inline(sub, defs) for name, sub in value.items()}
            else:
                out[key] = _inline(value, defs)
        return out
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def model_schema(model: type[BaseModel], terse: bool = True, tool_name: str = "") -> dict[str, Any]:
    """A flat, inline Draft 2020-12 schema for a pydantic model (see module docstring).

    An input model's field descriptions are the terse ones of
    :data:`condensync_tools.listing_text.FIELD_TEXT` (with the field's own unit bracket) when
    ``terse``; ``terse=False`` keeps the full ``Field`` descriptions (the documentation).
    ``tool_name`` selects the tool's own short texts where a field's differ between tools."""
    output = getattr(model, "_is_output", False)
    raw = model.model_json_schema(mode="serialization" if output else "validation")
    schema = _inline(raw, raw.get("$defs", {}))
    schema.pop("description", None)
    _check_descriptions(schema, "$")
    if terse and not output:
        _apply_terse(schema, tool_name, "")
    return schema


_UNIT_BRACKET = re.compile(r"\[([^\[\]]*)\]$")


def terse_description(full: str, text: str) -> str:
    """``text`` with the unit bracket that ends the full description ("[°F | °C]", "[1]" for a
    dimensionless number) appended, unless the text already says it."""
    match = _UNIT_BRACKET.search(full.rstrip())
    unit = match.group(1).strip() if match else ""
    if not unit or unit in text:
        return text
    return f"{text} [{unit}]"


def _apply_terse(schema: dict[str, Any], tool: str, prefix: str) -> None:
    from .listing_text import FIELD_TEXT

    for name, sub in schema.get("properties", {}).items():
        key = f"{prefix}{name}"
        array = sub.get("type") == "array"
        text = FIELD_TEXT.get(f"{tool}:{key}") or (FIELD_TEXT.get(f"{key}[]") if array else None) or FIELD_TEXT.get(key)
        if text is not None:
            full = sub["description"]
            if not _numeric(sub):  # "[1]" only on a dimensionless number
                full = full.rstrip().removesuffix("[1]")
            sub["description"] = terse_description(full, text)
        if array and isinstance(sub.get("items"), dict) and "properties" in sub["items"]:
            _apply_terse(sub["items"], tool, f"{key}[].")
        elif sub.get("type") == "object":
            _apply_terse(sub, tool, f"{key}.")


def _numeric(sub: dict[str, Any]) -> bool:
    """Whether a field is a number or integer (or an array of them)."""
    if sub.get("type") == "array" and isinstance(sub.get("items"), dict):
        sub = sub["items"]
    return "enum" not in sub and sub.get("type") in ("number", "integer")


#: Keywords that only bound a value (plausibility caps, string patterns, array lengths). The
#: published schema keeps them and validates every call with them; the ``tools/list`` view
#: (:func:`listing_schema`) leaves them out, because a model choosing and filling a call does
#: not need them and a call that breaks one gets an error naming the field and the bound.
VALIDATION_ONLY_KEYWORDS = frozenset(
    {
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
        "pattern",
    }
)


def listing_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The ``tools/list`` view of a published input schema: the same fields, types, allowed
    values, defaults, required fields and descriptions, without :data:`VALIDATION_ONLY_KEYWORDS`
    (a relaxation: every call the published schema accepts, the listing accepts)."""
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in VALIDATION_ONLY_KEYWORDS:
            continue
        if key == "properties":
            out[key] = {name: listing_schema(sub) for name, sub in value.items()}
        elif isinstance(value, dict):
            out[key] = listing_schema(value)
        elif isinstance(value, list) and key != "enum":
            out[key] = [listing_schema(v) if isinstance(v, dict) else v for v in value]
        else:
            out[key] = value
    return out


def _check_descriptions(schema: dict[str, Any], path: str) -> None:
    for name, sub in schema.get("properties", {}).items():
        if "description" not in sub:
            raise ValueError(f"schema field {path}.{name} has no description")
        if sub.get("type") == "object":
            _check_descriptions(sub, f"{path}.{name}")
        if sub.get("type") == "array" and isinstance(sub.get("items"), dict):
            _check_descriptions(sub["items"], f"{path}.{name}[]")


def schema_text(schema: dict[str, Any]) -> str:
    """The committed text form: sorted keys, 2-space indent, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def published_dir() -> Path:
    """Where the published schemas live: the repository's ``schemas/`` in a source checkout,
    else the copy packaged into the wheel."""
    if REPO_SCHEMAS_DIR.is_dir():
        return REPO_SCHEMAS_DIR
    return Path(str(resources.files("condensync_tools").joinpath("_published_schemas")))


def load_published(tool: str, direction: str) -> dict[str, Any]:
    """Load ``schemas/<tool>.<direction>.json`` (direction: input|output)."""
    path = published_dir() / f"{tool}.{direction}.json"
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"published schema {path} is missing: run `condensync schemas export`") from None


CATALOGUE_FILE = "tools.catalogue.json"
"""Published list of the tools (name, title, description, version, annotations), written by
``condensync schemas export`` beside the schemas: with them it is everything ``tools/list``
needs, so a server can answer ``initialize`` and ``tools/list`` without importing the tool
modules and their calculators (numpy, scipy, iapws, ...)."""


def catalogue_entry(tool: Any) -> dict[str, Any]:
    """The catalogue record of a :class:`~condensync_tools.registry.ToolDefinition`."""
    return {
        "name": tool.name,
        "title": tool.title,
        "description": tool.description,
        "version": tool.version,
        "read_only": tool.read_only,
        "destructive": tool.destructive,
        "idempotent": tool.idempotent,
        "open_world": tool.open_world,
    }


def load_catalogue() -> list[dict[str, Any]]:
    """The published tool catalogue (see :data:`CATALOGUE_FILE`), in name order."""
    path = published_dir() / CATALOGUE_FILE
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"published tool catalogue {path} is missing: run `condensync schemas export`") from (
            None
        )
