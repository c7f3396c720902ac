# SPDX-License-Identifier: MIT
"""The examples in docstrings run: every module of the package with a ``>>>`` example is
checked with :mod:`doctest` (examples marked ``# doctest: +SKIP`` need a live server)."""

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for package in ("condensync_tools", "connectors")
    for p in (ROOT / package).rglob("*.py")
    if ">>>" in p.read_text(encoding="utf-8")
)


def test_the_calculators_have_examples():
    assert {
        "condensync_tools.calculators.heat_transfer",
        "condensync_tools.calculators.hei",
        "condensync_tools.calculators.water",
    } <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (see output)"
