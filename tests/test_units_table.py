# SPDX-License-Identifier: MIT
"""One unit table: the tool kinds (units.KINDS) and the plant unit strings (units.UNITS) agree."""

import math

import pytest

from condensync_tools import live, units

PAIRS = [
    (kind.name, system, label)
    for kind in units.KINDS.values()
    for system, label in (("US", kind.us), ("SI", kind.si))
    if kind.name in units.KIND_DIMENSION
    and units.unit_spec(label) is not None
    and units.unit_spec(label).dimension == units.KIND_DIMENSION[kind.name]
]
# (a tool label may name another dimension as a plant unit string: "inHg" on a gauge field is
# vacuum in the tool's US system, while a tag in "inHg" is read as absolute; such pairs are skipped)


def test_most_kinds_with_a_dimension_have_a_plant_unit_string():
    assert len({kind for kind, _, _ in PAIRS}) >= 10


@pytest.mark.parametrize(("kind", "system", "label"), PAIRS)
def test_kind_conversion_equals_unit_string_conversion(kind, system, label):
    for value in (0.5, 25.0, 1234.5):
        assert math.isclose(
            units.to_si(kind, value, system), units.to_si_unit(value, label, kind=kind), rel_tol=1e-12, abs_tol=1e-12
        ), (kind, system, label)


def test_live_re_exports_the_same_table():
    assert live.UNITS is units.UNITS and live.to_si_unit is units.to_si_unit
