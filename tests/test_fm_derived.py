# SPDX-License-Identifier: MIT
"""Derived HEI Fm (gauges or materials the public older-edition table lacks): anchored to the
material's tabulated gauges, monotone in wall thickness, continuous at the table edge, and
warned about at the tool layer."""

import pytest
from _tool_cases import HT_US

from condensync_tools.calculators import hei
from condensync_tools.calculators.constants import INCH_M
from condensync_tools.calculators.tubes import materials
from condensync_tools.registry import execute

ODS_IN = (0.625, 1.0, 2.0)


def fm(material, gauge, od_in=1.0):
    return hei.fm_factor(material, gauge, od_in * INCH_M).value


@pytest.mark.parametrize("od_in", ODS_IN)
@pytest.mark.parametrize("material", sorted(materials()))
def test_fm_monotone_in_wall_thickness(material, od_in):
    # BWG 12..28: the wall gets thinner as the gauge number rises, so Fm must not fall.
    values = [fm(material, g, od_in) for g in range(12, 29)]
    assert all(b >= a for a, b in zip(values, values[1:], strict=False)), values
    assert all(0.3 < v < 1.3 for v in values)


@pytest.mark.parametrize("od_in", ODS_IN)
@pytest.mark.parametrize("material", sorted(m for m, rec in materials().items() if rec["fm_row"]))
def test_step_at_table_edge_is_small(material, od_in):
    """Bound: a one-gauge step beyond the table edge changes Fm by no more than the largest step
    the table row itself takes between adjacent tabulated gauges (two BWG numbers, i.e. a
    larger wall change than any single gauge step at the edge), and by at most 0.04 absolute."""
    row = hei._tabulated_row(material)
    largest_table_step = max(abs(a[1] - b[1]) for a, b in zip(row, row[1:], strict=False))
    thin_gauge, thin_fm = row[0]
    thick_gauge, thick_fm = row[-1]
    for gauge, anchor in ((thin_gauge + 1, thin_fm), (thick_gauge - 1, thick_fm)):
        step = abs(fm(material, gauge, od_in) - anchor)
        assert step <= largest_table_step and step <= 0.04, (gauge, step)


def test_issue_titanium_cases():
    ti_24, ti_18 = hei.fm_table("titanium", 24).value, hei.fm_table("titanium", 18).value
    ti_25 = hei.fm_factor("titanium", 25, INCH_M)
    assert ti_25.basis == "derived" and "anchored" in ti_25.detail and "24 BWG" in ti_25.detail
    assert ti_24 < ti_25.value < ti_24 + 0.02  # was 0.988 (a jump of 0.14)
    ti_16 = hei.fm_factor("titanium", 16, INCH_M)
    assert ti_16.basis == "derived" and ti_16.value < ti_18  # was 0.786, above 18 BWG's 0.71
    assert ti_16.value > ti_18 - 0.07


def test_tabulated_values_unchanged_and_odd_gauges_interpolated():
    assert hei.fm_factor("titanium", 22, INCH_M) == hei.fm_table("titanium", 22)
    f19 = hei.fm_factor("admiralty", 19, INCH_M)
    assert f19.basis == "derived" and "interpolated" in f19.detail
    assert 1.00 < f19.value < 1.02


def test_material_without_row_anchored_to_hei_reference():
    f = hei.fm_factor("duplex_2205", 18, INCH_M)
    assert f.basis == "derived" and "18 BWG admiralty" in f.detail
    assert hei.fm_factor("admiralty", 18, INCH_M).value == 1.0
    # the reference factor reproduces Fm = 1 for the reference tube itself
    assert hei.fm_wall_factor("admiralty", 18, INCH_M) == pytest.approx(hei.u1(7.0 * 0.3048, INCH_M), rel=1e-12)


def test_tool_warns_and_labels_derived_fm():
    args = {**HT_US, "tube_gauge_bwg": 25, "tube_material": "titanium"}
    out = execute("calculate_heat_transfer_coefficient", args)
    assert out.error is None, out.error and out.error.text()
    r = out.result
    assert r["hei_fm"] == pytest.approx(fm("titanium", 25), rel=1e-9)
    assert r["provenance"]["method"]["hei_fm"].startswith("derived: 25 BWG is beyond")
    assert any("HEI Fm is derived" in w for w in r["warnings"])
    table = execute("calculate_heat_transfer_coefficient", {**args, "tube_gauge_bwg": 24}).result
    assert not any("HEI Fm is derived" in w for w in table["warnings"])


@pytest.mark.parametrize(
    "tool,case",
    [
        ("optimize_vacuum_pressure", "us_rich_design_point_caller_curve"),
        ("optimize_cooling_water_flow", "us_tower_vfd_rich"),
    ],
)
def test_vacuum_and_cw_flow_tools_warn_on_derived_fm(tool, case):
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "golden" / tool / f"{case}.json"
    args = json.loads(path.read_text("utf-8"))["arguments"]
    out = execute(tool, {**args, "tube_material": "titanium", "tube_gauge_bwg": 25})
    assert out.error is None, out.error and out.error.text()
    assert out.result["provenance"]["method"]["hei_fm"].startswith("derived: 25 BWG")
    assert any("HEI Fm is derived" in w for w in out.result["warnings"])
    table = execute(tool, args).result
    assert not any("HEI Fm is derived" in w for w in table["warnings"])
