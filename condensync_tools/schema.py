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
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

__all__ = ["model_schema", "published_dir", "load_published", "schema_text", "REPO_SCHEMAS_DIR", "CATALOGUE_FILE",
           "catalogue_entry", "load_catalogue"]

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


def model_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A flat, inline Draft 2020-12 schema for a pydantic model (see module docstring)."""
    raw = model.model_json_schema(mode="serialization" if getattr(model, "_is_output", False) else "validation")
    schema = _inline(raw, raw.get("$defs", {}))
    schema.pop("description", None)
    _check_descriptions(schema, "$")
    return schema


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
    return {"name": tool.name, "title": tool.title, "description": tool.description, "version": tool.version,
            "read_only": tool.read_only, "destructive": tool.destructive, "idempotent": tool.idempotent,
            "open_world": tool.open_world}


def load_catalogue() -> list[dict[str, Any]]:
    """The published tool catalogue (see :data:`CATALOGUE_FILE`), in name order."""
    path = published_dir() / CATALOGUE_FILE
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"published tool catalogue {path} is missing: run `condensync schemas export`") from (
            None
        )
