# SPDX-License-Identifier: MIT
"""Sizing modes of calculate_heat_transfer_coefficient against the condenser LMTD worked example
HT-01 (a GATE-style variant of Çengel & Ghajar's condenser example: T_sat 30 °C, CW 14 → 22 °C,
U 2000 W/(m²·K), Q 1.154 MW → A 50 m², LMTD = 8/ln 2 = 11.54 K), both directions, and the
identities rate ∘ size_area = U and outlet_temp ∘ size_area = the original outlet."""

import math

import pytest
from _tool_cases import ok

from condensync_tools.registry import execute

TOOL = "calculate_heat_transfer_coefficient"
HT01 = {
    "unit_system": "SI",
    "mode": "size_area",
    "u_actual": 2000.0,
    "saturation_temp": 30.0,
    "cw_inlet_temp": 14.0,
    "cw_outlet_temp": 22.0,
    "heat_duty": 1.154,
}  # MW


def test_ht01_area_from_u_and_duty():
    r = ok(TOOL, HT01)
    assert r["lmtd"] == pytest.approx(8.0 / math.log(2.0), abs=1e-3)  # 11.54 K
    assert r["surface_area"] == pytest.approx(50.0, rel=2e-3)  # 1.154 MW / (2000 × 11.54)
    assert r["ttd"] == pytest.approx(8.0, abs=1e-6) and r["itd"] == pytest.approx(16.0, abs=1e-6)
    assert r["u_actual"] == pytest.approx(2000.0, rel=1e-9)
    assert r["heat_duty"] == pytest.approx(1.154, rel=1e-9)
    assert r["steam_condensed"] == pytest.approx(0.475, rel=5e-3)  # h_fg(30 °C) = 2429.8 kJ/kg
    assert r["cw_mass_flow"] == pytest.approx(34.51, rel=5e-3)
    assert r["provenance"]["method"]["sizing"].startswith("size_area")


def test_ht01_outlet_from_u_and_area():
    """The other direction: A = 50 m², U = 2000, CW flow of the example → outlet 22 °C."""
    area = ok(TOOL, HT01)
    flow_m3_h = area["cw_mass_flow"] / area["cw_density"] * 3600.0
    args = {
        "unit_system": "SI",
        "mode": "outlet_temp",
        "u_actual": 2000.0,
        "saturation_temp": 30.0,
        "cw_inlet_temp": 14.0,
        "cw_flow": flow_m3_h,
        "surface_area": 50.0,
    }
    r = ok(TOOL, args)
    outlet = r["saturation_temp"] - r["ttd"]
    assert outlet == pytest.approx(22.0, abs=2e-3)  # A rounded from 49.99 to 50 m²
    assert r["lmtd"] == pytest.approx(11.54, abs=0.01) and r["heat_duty"] == pytest.approx(1.154, rel=2e-3)
    # identity: the required area for that outlet is the area given
    no_duty = {k: v for k, v in HT01.items() if k != "heat_duty"}
    back = ok(TOOL, {**no_duty, "cw_outlet_temp": outlet, "cw_flow": flow_m3_h})
    assert back["surface_area"] == pytest.approx(50.0, rel=1e-7)


@pytest.mark.parametrize("system", ["SI", "US"])
def test_area_mode_then_rate_mode_returns_the_same_u(system):
    base = {
        **HT01,
        "heat_duty": None,
        "cw_flow": 124.3,
        "tube_od": 25.4,
        "tube_count": 40,
        "tube_passes": 1,
        "tube_gauge_bwg": 18,
    }
    base = {k: v for k, v in base.items() if v is not None}
    if system == "US":
        base = {**as_si_to_us(base)}
    sized = ok(TOOL, base)
    rate_args = {k: v for k, v in base.items() if k not in ("mode", "u_actual")}
    rated = ok(TOOL, {**rate_args, "surface_area": sized["surface_area"]})
    assert rated["u_actual"] == pytest.approx(base["u_actual"], rel=1e-9)
    assert rated["cleanliness_factor"] == pytest.approx(sized["cleanliness_factor"], rel=1e-9)
    outlet = ok(
        TOOL,
        {
            **{k: v for k, v in base.items() if k != "cw_outlet_temp"},
            "mode": "outlet_temp",
            "surface_area": sized["surface_area"],
        },
    )
    assert outlet["ttd"] == pytest.approx(sized["ttd"], rel=1e-7)


def as_si_to_us(args):
    from _tool_cases import convert_units, get_tool

    plan = get_tool(TOOL).input_plan
    si = convert_units({k: v for k, v in args.items() if k != "unit_system"}, plan, "SI", to_caller=False)
    return {**convert_units(si, plan, "US", to_caller=True), "unit_system": "US"}


def test_impossible_duty_is_a_physical_error():
    out = execute(TOOL, {**{k: v for k, v in HT01.items() if k != "cw_outlet_temp"}, "cw_flow": 50.0})  # m³/h
    assert out.error is not None and out.error.kind == "physically_impossible"
    text = out.error.text()
    assert "$.heat_duty:" in text and "saturation temperature" in text and "°C" in text and "°F" not in text


def test_every_missing_and_refused_field_is_named_at_once():
    out = execute(
        TOOL,
        {"unit_system": "SI", "mode": "size_area", "saturation_temp": 30.0, "cw_inlet_temp": 14.0},
    )
    text = out.error.text()
    assert out.error.kind == "invalid_arguments"
    for fragment in (
        "$.u_actual: required in mode 'size_area'",
        "$.cw_outlet_temp: required",
        "$.cw_flow: required",
        "$.heat_duty: required (or steam_flow)",
    ):
        assert fragment in text, text
    out = execute(
        TOOL,
        {
            "unit_system": "SI",
            "mode": "outlet_temp",
            "saturation_temp": 30.0,
            "cw_inlet_temp": 14.0,
            "cw_outlet_temp": 22.0,
        },
    )
    text = out.error.text()
    for fragment in (
        "$.u_actual: required",
        "$.cw_flow: required",
        "$.surface_area: required (or tube_length + tube_od + tube_count)",
        "$.cw_outlet_temp: not accepted in mode 'outlet_temp'",
    ):
        assert fragment in text, text
    out = execute(TOOL, {**{k: v for k, v in HT01.items() if k != "mode"}, "surface_area": 50.0})
    assert "$.u_actual: not accepted in mode 'rate'" in out.error.text()


def test_too_large_ntu_is_rejected_clearly():
    args = {
        "unit_system": "SI",
        "mode": "outlet_temp",
        "u_actual": 5000.0,
        "saturation_temp": 30.0,
        "cw_inlet_temp": 14.0,
        "cw_flow": 20.0,
        "surface_area": 5000.0,
    }
    out = execute(TOOL, args)
    assert out.error is not None and out.error.kind == "physically_impossible"
    assert "$.u_actual:" in out.error.text() and "NTU" in out.error.text()


def test_required_area_above_installed_is_warned():
    args = {**HT01, "tube_od": 25.4, "tube_count": 100, "tube_length": 5.0}
    r = ok(TOOL, args)
    assert r["installed_surface_area"] == pytest.approx(100 * math.pi * 0.0254 * 5.0, rel=1e-9)
    assert any("larger than the installed active surface" in w for w in r["warnings"])


def test_u_above_what_the_tubes_can_reach_blames_the_u_given():
    args = {**HT01, "u_actual": 9000.0, "cw_flow": 124.3, "tube_od": 25.4, "tube_count": 40}
    args = {k: v for k, v in args.items() if k != "heat_duty"}
    out = execute(TOOL, args)
    assert out.error is not None and out.error.kind == "physically_impossible"
    assert "$.u_actual:" in out.error.text() and "clean U" in out.error.text()


def test_a_given_surface_is_the_installed_one_in_area_mode():
    r = ok(TOOL, {**HT01, "surface_area": 45.0})
    assert r["installed_surface_area"] == pytest.approx(45.0, rel=1e-9)
    assert r["surface_area"] == pytest.approx(ok(TOOL, HT01)["surface_area"], rel=1e-12)
    assert any("larger than the installed active surface" in w for w in r["warnings"])
