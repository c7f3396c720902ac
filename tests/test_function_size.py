# SPDX-License-Identifier: MIT
"""House rule: every function in the calculators and the tool layer is at most
:data:`MAX_LINES` lines long, counted from its first decorator to its last line (docstring,
comments and blank lines included). Longer functions are cut into named stages (one function
per stage with a typed result, and a small combiner)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("condensync_tools/calculators", "condensync_tools/tools")
MAX_LINES = 100


def function_lengths(source: str, name: str) -> list[tuple[int, str]]:
    """(lines, "name:line function") for every function and method in ``source``, nested ones
    included."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            out.append((node.end_lineno - start + 1, f"{name}:{node.lineno} {node.name}"))
    return out


def test_the_count_includes_decorators_and_docstrings():
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES - 3))
    source = f'@decorator\ndef long_one():\n    """Doc."""\n{body}\n\n\ndef short():\n    pass\n'
    lengths = dict((n.split(" ")[1], lines) for lines, n in function_lengths(source, "synthetic"))
    assert lengths == {"long_one": MAX_LINES, "short": 2}
    too_long = source.replace("@decorator\n", "@decorator\n@another\n")
    assert max(function_lengths(too_long, "synthetic"))[0] == MAX_LINES + 1


def test_no_function_in_calculators_or_tools_exceeds_the_limit():
    lengths = [
        item
        for folder in CHECKED
        for path in sorted((ROOT / folder).rglob("*.py"))
        for item in function_lengths(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    ]
    assert len(lengths) > 500  # the walk sees the package
    too_long = sorted((f"{name}: {lines} lines" for lines, name in lengths if lines > MAX_LINES), reverse=True)
    assert too_long == [], f"functions over {MAX_LINES} lines (cut them into named stages): {too_long}"
