# SPDX-License-Identifier: MIT
"""House rules for the store package: knows records, not physics; never writes to stdout."""

from __future__ import annotations

import ast
from pathlib import Path

import condensync_tools.store as store_pkg

PKG = Path(store_pkg.__file__).parent
FILES = sorted(PKG.rglob("*.py"))
FORBIDDEN = (
    "condensync_tools.calculators",
    "condensync_tools.tools",
    "condensync_tools.server",
    "condensync_tools.cli",
)


def _imports(tree: ast.AST, path: Path) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = ["condensync_tools", "store", *path.relative_to(PKG).parts[:-1]]
                base = parts[: len(parts) - node.level + 1]
                names.append(".".join(base + ([node.module] if node.module else [])))
            else:
                names.append(node.module or "")
    return names


def test_store_imports_no_physics_or_server() -> None:
    assert len(FILES) > 8
    bad = {
        str(p.relative_to(PKG)): n
        for p in FILES
        for n in _imports(ast.parse(p.read_text(encoding="utf-8")), p)
        if n.startswith(FORBIDDEN)
    }
    assert bad == {}


def test_store_never_prints() -> None:
    offenders = []
    for p in FILES:
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                offenders.append(f"{p.name}:{node.lineno}")
            if isinstance(node, ast.Attribute) and node.attr == "stdout":
                offenders.append(f"{p.name}:{node.lineno}")
    assert offenders == []
