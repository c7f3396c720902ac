# SPDX-License-Identifier: MIT
"""Tool handlers map typed calculator fields; they never branch on the text of
``provenance.method`` (e.g. ``r.method.get("hei_fm", "").startswith("derived")``): the
calculators carry the basis as typed fields (:class:`~condensync_tools.calculators.hei.HeiBasis`)
and word the warnings (:func:`~condensync_tools.calculators.hei.hei_basis_warnings`)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "condensync_tools" / "tools"
_TEXT_TESTS = {"startswith", "endswith", "find", "index", "count"}


def _mentions_method(node: ast.AST) -> bool:
    return any(
        (isinstance(n, ast.Attribute) and n.attr == "method") or (isinstance(n, ast.Name) and n.id == "method")
        for n in ast.walk(node)
    )


def method_text_tests(source: str) -> list[int]:
    """Lines that test the text of a method entry: ``<method...>.startswith(...)`` (and the like)
    or ``"literal" in <method...>``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _TEXT_TESTS
            and _mentions_method(node.func.value)
        ):
            lines.append(node.lineno)
        elif (
            isinstance(node, ast.Compare)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.left.value, str)
            and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops)
            and any(_mentions_method(c) for c in node.comparators)
        ):
            lines.append(node.lineno)
    return lines


def test_the_check_catches_the_old_branches():
    old = (
        'if r.method.get("hei_fm", "").startswith("table") and x.tube_material == "titanium":\n    pass\n'
        'if "not an HEI tabulated OD" in r.method.get("clean_u", ""):\n    pass\n'
        'if not method.get("hei_fm", "").startswith("derived"):\n    pass\n'
        'if "hei_fm" in values:\n    pass\n'
    )
    assert sorted(method_text_tests(old)) == [1, 3, 5]


def test_no_tool_handler_tests_method_text():
    found = {
        path.name: lines for path in sorted(TOOLS.glob("*.py")) if (lines := method_text_tests(path.read_text("utf-8")))
    }
    assert found == {}
