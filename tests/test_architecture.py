# SPDX-License-Identifier: MIT
"""The house rules of the architecture, checked over EVERY import of every module (an AST
walk, so imports inside functions and ``TYPE_CHECKING`` blocks count as much as those at the
top of a file):

- layers point one way: each module has a rank (below) and imports only modules of its own
  rank or lower; the calculators import nothing of ours but each other; the connectors
  import only each other and the settings (never the tools, the server, the live layer or
  our calculators); the store knows records, not physics (no calculators, units or tools);
- ``CONDENSYNC_*`` environment variables are read only through :mod:`condensync_tools.settings`,
  which defines each of them once.

The ranks (0 lowest)::

    0 settings
    1 calculators; connectors
    2 units, errors, provenance, schema, validation, redaction, listing_text   (the tool layer's base)
    3 store
    4 registry, tools                                 (the registry loads the tool modules)
    5 live, config, recording, simulator, monitor
    6 runtime, golden, server
    7 cli, cli_*, __main__

Within a rank imports may go both ways (the registry loads the tool modules, which register
themselves with it; the runtime starts the servers, which open the store through it).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("condensync_tools", "connectors")

RANKS: dict[str, int] = {
    "settings": 0,
    "calculators": 1,
    "connectors": 1,
    "units": 2,
    "redaction": 2,
    "listing_text": 2,
    "errors": 2,
    "provenance": 2,
    "schema": 2,
    "validation": 2,
    "store": 3,
    "registry": 4,
    "tools": 4,
    "live": 5,
    "config": 5,
    "recording": 5,
    "simulator": 5,
    "monitor": 5,
    "runtime": 6,
    "golden": 6,
    "server": 6,
    "cli": 7,  # cli.py and every cli_*.py
    "__main__": 7,
}
#: What each group may import besides itself, where the rank rule alone is too loose.
ONLY: dict[str, set[str]] = {
    "calculators": set(),
    "connectors": {"settings"},
    "store": {"settings", "errors", "provenance", "schema", "redaction"},
}
#: Known upward imports (importer, imported) allowed as exceptions: none (the status tool reads
#: the monitor's outbox through a context service; the schema generator is told the tool name).
KNOWN_UPWARD: set[tuple[str, str]] = set()
#: Modules still reading the environment directly (none: the history thread count is now a
#: parameter of the calculator, read by the tool layer through settings).
PENDING_ENV_READS: set[str] = set()


def _module_files() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _known_modules() -> frozenset[str]:
    return frozenset(_module_name(p) for p in _module_files())


def _resolve(name: str) -> str | None:
    """The longest known module prefix of a dotted name (None: not one of ours)."""
    known = _known_modules()
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(path: Path) -> list[tuple[str, int]]:
    """(our module imported, line) for every import statement in the file, at any depth."""
    module = _module_name(path)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            # `from pkg import sub` imports the submodule when there is one, else pkg itself
            targets = [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            resolved = _resolve(target)
            if resolved is not None:
                found.append((resolved, node.lineno))
    return found


def group_of(module: str) -> str:
    """The layer group of one of our modules: ``connectors``, or the first component under
    ``condensync_tools`` (``calculators``, ``tools``, ``store``, ``units``, ``cli_live``...)."""
    parts = module.split(".")
    if parts[0] == "connectors":
        return "connectors"
    if len(parts) == 1:
        return "package"
    return "cli" if parts[1].startswith("cli_") else parts[1]


def violations(edges: list[tuple[str, str, int]]) -> list[str]:
    """The edges (importer, imported, line) that break a layer rule, as readable lines."""
    out = []
    for importer, imported, line in edges:
        if (importer, imported) in KNOWN_UPWARD:
            continue
        src, dst = group_of(importer), group_of(imported)
        if dst == "package" or src == dst:
            continue  # `from condensync_tools import __version__`, imports within a group
        if src not in RANKS or dst not in RANKS:
            out.append(f"{importer}:{line} imports {imported}: add its group to RANKS in tests/test_architecture.py")
        elif src in ONLY and dst not in ONLY[src]:
            out.append(f"{importer}:{line} imports {imported}: {src} may import only {sorted(ONLY[src]) or 'itself'}")
        elif RANKS[dst] > RANKS[src]:
            out.append(
                f"{importer}:{line} imports {imported}: {src} (rank {RANKS[src]}) must not import {dst} "
                f"(rank {RANKS[dst]})"
            )
    return out


def all_edges() -> list[tuple[str, str, int]]:
    return [(_module_name(p), target, line) for p in _module_files() for target, line in imports_of(p)]


def test_the_walk_sees_imports_inside_functions():
    edges = all_edges()
    assert len(edges) > 300
    # registry._load_tools imports the tool package inside a function
    assert any(a == "condensync_tools.registry" and b == "condensync_tools.tools" for a, b, _ in edges)


def test_every_import_respects_the_layers():
    assert violations(all_edges()) == []


@pytest.mark.parametrize(
    ("importer", "imported", "rule"),
    [
        ("connectors.opcua", "condensync_tools.live", "connectors may import only"),
        ("connectors.cmms", "condensync_tools.tools.work_orders", "connectors may import only"),
        ("condensync_tools.calculators.water", "condensync_tools.units", "calculators may import only"),
        ("condensync_tools.store.ledger", "condensync_tools.calculators.water", "store may import only"),
        ("condensync_tools.config", "condensync_tools.cli", "must not import cli"),
        ("condensync_tools.tools.live_data", "condensync_tools.live", "must not import live"),
    ],
)
def test_the_rules_catch_known_bad_imports(importer, imported, rule):
    """The checker itself fails on the imports this repository used to have (the simulator in
    connectors/ importing live and the calculators; a tool importing live) and on others."""
    (found,) = violations([(importer, imported, 1)])
    assert rule in found


_ENV_READ = re.compile(r"\b(os\.environ|os\.getenv|getenv\(|environ\.get|environ\[)")


def test_environment_is_read_only_through_settings():
    offenders = []
    for path in _module_files():
        rel = path.relative_to(ROOT).as_posix()
        if rel in ("condensync_tools/settings.py", *PENDING_ENV_READS):
            continue
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = text.split("#", 1)[0]
            if _ENV_READ.search(code):
                offenders.append(f"{rel}:{number}: {text.strip()}")
    assert offenders == [], "read CONDENSYNC_* variables through condensync_tools.settings"


def test_every_variable_named_in_the_code_is_defined_once():
    from condensync_tools import settings

    names = [v.name for v in settings.VARIABLES]
    assert len(names) == len(set(names)) and len(names) >= 30
    assert all(v.description and v.name.startswith("CONDENSYNC_") for v in settings.VARIABLES)
    mentioned = set()
    for path in _module_files():
        mentioned |= set(re.findall(r"CONDENSYNC_[A-Z0-9_]*[A-Z0-9]", path.read_text(encoding="utf-8")))
    prefixes = {"CONDENSYNC_OIDC"}  # "CONDENSYNC_OIDC_*" in prose
    assert sorted(mentioned - set(names) - prefixes) == []
    assert list(settings.environment_variables())[0] == (
        names[0],
        settings.VARIABLES[0].default,
        settings.VARIABLES[0].description,
    )


def test_every_tool_module_is_in_the_list_the_registry_imports():
    """A tool module missing from ``tools.TOOL_MODULES`` would be left out of the listing."""
    from condensync_tools import tools

    package = Path(tools.__file__).parent
    registers = re.compile(r"^\w+ = register\(", re.MULTILINE)
    registering = sorted(p.stem for p in package.glob("*.py") if registers.search(p.read_text("utf-8")))
    assert registering == sorted(tools.TOOL_MODULES)
