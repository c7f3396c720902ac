# SPDX-License-Identifier: MIT
"""Golden files: ``golden/<tool>/<case>.json`` pin each tool's full output and hashes.

A case file holds ``description``, ``arguments`` and ``expected`` (``is_error`` and either
the full ``result`` — without the unhashed ``provenance.computed_at`` and ``provenance.receipt`` — or the error
``kind`` and ``problems``), plus ``hashes`` copied from the result for easy review.
``condensync golden check`` re-runs every case and reports each difference;
``condensync golden update`` rewrites ``expected`` deliberately (review the diff).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .registry import ExecutionContext, execute

__all__ = ["REPO_GOLDEN_DIR", "GoldenDiff", "expected_of", "check", "update", "iter_cases"]

REPO_GOLDEN_DIR = Path(__file__).resolve().parent.parent / "golden"


def expected_of(arguments: Any, tool: str, context: ExecutionContext | None = None) -> dict:
    """Run a case and return its ``expected`` block."""
    outcome = execute(tool, arguments, context or ExecutionContext())
    if outcome.error is not None:
        return {"is_error": True, "error_kind": outcome.error.kind, "problems": outcome.error.problems}
    result = json.loads(json.dumps(outcome.result))
    result["provenance"].pop("computed_at", None)
    result["provenance"].pop("receipt", None)  # ledger receipt: unhashed, per call
    return {"is_error": False, "result": result}


@dataclass
class GoldenDiff:
    path: Path
    differences: list[str]


def _diff(expected: Any, actual: Any, path: str = "$") -> list[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in sorted(set(expected) | set(actual)):
            if key not in actual:
                out.append(f"{path}.{key}: missing in the new result")
            elif key not in expected:
                out.append(f"{path}.{key}: new field {json.dumps(actual[key])[:80]}")
            else:
                out.extend(_diff(expected[key], actual[key], f"{path}.{key}"))
        return out
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [d for i, (e, a) in enumerate(zip(expected, actual, strict=True)) for d in _diff(e, a, f"{path}[{i}]")]
    if expected != actual or type(expected) is not type(actual):
        return [f"{path}: expected {json.dumps(expected)[:120]}, got {json.dumps(actual)[:120]}"]
    return []


def iter_cases(directory: Path, tool: str | None = None) -> list[Path]:
    pattern = f"{tool}/*.json" if tool else "*/*.json"
    return sorted(directory.glob(pattern))


def check(directory: Path = REPO_GOLDEN_DIR, tool: str | None = None) -> tuple[int, list[GoldenDiff]]:
    """Re-run every case; return (cases checked, cases that differ)."""
    diffs = []
    cases = iter_cases(directory, tool)
    for path in cases:
        case = json.loads(path.read_text("utf-8"))
        actual = expected_of(case["arguments"], path.parent.name)
        differences = _diff(case.get("expected"), actual)
        if differences:
            diffs.append(GoldenDiff(path, differences))
    return len(cases), diffs


def update(directory: Path = REPO_GOLDEN_DIR, tool: str | None = None) -> list[Path]:
    """Rewrite ``expected`` and ``hashes`` of every case (deliberate; review the diff)."""
    changed = []
    for path in iter_cases(directory, tool):
        case = json.loads(path.read_text("utf-8"))
        expected = expected_of(case["arguments"], path.parent.name)
        case["expected"] = expected
        if not expected["is_error"]:
            prov = expected["result"]["provenance"]
            case["hashes"] = {k: prov[k] for k in ("input_sha256", "output_sha256", "provenance_hash")}
        else:
            case.pop("hashes", None)
        text = json.dumps(case, indent=2, ensure_ascii=False) + "\n"
        if path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
            changed.append(path)
    return changed
