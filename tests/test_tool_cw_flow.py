# SPDX-License-Identifier: MIT
"""optimize_cooling_water_flow through the tool layer: options, optimum, constraints,
savings, US/SI agreement, clear errors for bad arguments."""

import pytest
from _tool_cases import CURVE, PLANT, as_si, assert_clear_error, assert_json_clean, ok, result_or_client_error
from hypothesis import given, settings
from hypothesis import strategies as st

from condensync_tools.registry import convert_units, execute, get_tool

TOOL = "optimize_cooling_water_flow"
PUMPS = {
    "pump_rated_flow": 82000,
    "pump_rated_head": 58.0,
    "pump_rated_power": 1300.0,
    "pumps_installed": 3,
    "pumps_running": 3,
    "static_head": 22.0,
}
TOWER = {
    "wet_bulb_temp": 68.0,
    "tower_approach_design": 9.0,
    "tower_design_flow": 246000,
    "fans_installed": 10,
    "fans_on": 10,
    "fan_power": 160.0,
}
GOOD = {
    "unit_system": "US",
    "cw_inlet_temp": 78.0,
    "cw_outlet_temp": 97.5,
    "cw_flow": 232000,
    "condenser_pressure": 2.12,
    **PLANT,
    **PUMPS,
    "vfd": True,
    "vfd_min_speed": 0.75,
    "vfd_max_speed": 1.0,
    "speed_steps": 6,
    **TOWER,
    **CURVE,
    "power_price_usd_per_mwh": 45.0,
}
FIXED = {
    "cw_inlet_temp": 70.0,
    "heat_duty": 2.3e9,
    "cleanliness_factor": 0.8,
    **PLANT,
    "pump_rated_flow": 62000,
    "pump_rated_head": 42.0,
    "pump_rated_power": 850.0,
    "pumps_installed": 4,
    "pumps_running": 3,
    "static_head": 8.0,
    "rated_output_mw": 620,
    "power_price_usd_per_mwh": 40.0,
}


def test_tower_vfd_options_and_optimum():
    r = ok(TOOL, GOOD)
    assert r["options_evaluated"] == 3 * 6 * 10 == len(r["options"])
    assert r["options_feasible"] == sum(o["feasible"] for o in r["options"])
    current = [o for o in r["options"] if o["is_current"]]
    optimum = [o for o in r["options"] if o["is_optimum"]]
    assert len(current) == 1 and len(optimum) == 1
    assert current[0]["net_benefit"] == 0.0 and current[0]["cw_flow"] == pytest.approx(232000)
    assert current[0]["backpressure"] == pytest.approx(2.12, abs=1e-6)  # measured CF reproduces it
    best = optimum[0]
    assert best["feasible"] and best["cw_flow"] == r["optimal_cw_flow"]
    assert r["net_benefit_mw"] == pytest.approx(best["net_benefit"]) and r["net_benefit_mw"] >= 0.0
    assert max(o["net_benefit"] for o in r["options"] if o["feasible"]) == pytest.approx(r["net_benefit_mw"])
    assert r["net_benefit_mw"] == pytest.approx(r["turbine_gain_mw"] - r["aux_power_change_kw"] / 1000.0)
    assert r["expected_savings_usd_per_hour"] == pytest.approx(r["net_benefit_mw"] * 45.0)
    assert r["expected_savings_usd_per_year"] == pytest.approx(r["net_benefit_mw"] * 45.0 * 8760)
    # a fixed tower: more flow raises the cold-water temperature (approach grows with L/G)
    ten = sorted(
        (o for o in r["options"] if o["fans_on"] == 10 and o["pumps_running"] == 3),
        key=lambda o: o["cw_flow"],
    )
    assert all(a["cw_inlet_temp"] < b["cw_inlet_temp"] for a, b in zip(ten, ten[1:], strict=False))
    assert r["units"]["options[].pump_power"] == "kW" and r["units"]["optimal_cw_flow"] == "gpm"
    assert r["units"]["expected_savings_usd_per_year"] == "USD/yr"


def test_fixed_speed_once_through():
    r = ok(TOOL, FIXED)
    assert r["options_evaluated"] == 4 and all(o["fans_on"] == 0 and o["speed"] == 1.0 for o in r["options"])
    flows = [o["cw_flow"] for o in r["options"]]
    assert flows == sorted(flows) and flows[1] < 2 * flows[0]  # a parallel pump adds less than its share
    assert all(o["cw_inlet_temp"] == 70.0 for o in r["options"])
    assert r["optimal_pumps_running"] in (2, 3, 4)


def test_choke_point_makes_fewer_pumps_pay():
    r = ok(
        TOOL,
        {
            **FIXED,
            "cw_inlet_temp": 50.0,
            "heat_duty": 2.0e9,
            "turbine_choke_pressure": 1.3,
            "turbine_curve_pressure": CURVE["turbine_curve_pressure"],
            "turbine_curve_output_change": CURVE["turbine_curve_output_change"],
            "pumps_running": 4,
        },
    )
    assert r["optimal_pumps_running"] < 4 and r["net_benefit_mw"] > 0.0
    assert r["turbine_gain_mw"] == pytest.approx(0.0, abs=1e-9)  # no gain below the choke point
    assert "choke_point" in r["active_constraints"]


def test_us_and_si_agree():
    us, si = ok(TOOL, GOOD), ok(TOOL, as_si(TOOL, GOOD))
    plan = get_tool(TOOL).output_plan
    skip = ("provenance", "units", "warnings", "recommendations")
    a = convert_units({k: v for k, v in us.items() if k not in skip}, plan, "US", to_caller=False)
    b = convert_units({k: v for k, v in si.items() if k not in skip}, plan, "SI", to_caller=False)
    assert set(a) == set(b)
    for key, value in a.items():
        if key == "options":
            for oa, ob in zip(value, b[key], strict=True):
                for k, v in oa.items():
                    if isinstance(v, float):
                        assert v == pytest.approx(ob[k], rel=1e-6, abs=1e-9), k
                    elif k == "violations":  # worded in each caller's units: compare the limit ids
                        assert [x.split(":")[0] for x in v] == [x.split(":")[0] for x in ob[k]], k
                    else:
                        assert v == ob[k], k
        elif isinstance(value, float):
            assert value == pytest.approx(b[key], rel=1e-6, abs=1e-9), key
        else:
            assert value == b[key], key


def test_no_nan():
    assert_json_clean(ok(TOOL, GOOD))


def drop(*names, base=GOOD):
    return {k: v for k, v in base.items() if k not in names}


BAD_CASES = [
    ("missing pump data", drop("pump_rated_flow"), "$.pump_rated_flow", "required"),
    (
        "no turbine curve or rating",
        drop(
            "turbine_curve_pressure",
            "turbine_curve_output_change",
            "turbine_choke_pressure",
            "rated_output_mw",
        ),
        "$.turbine_curve_pressure",
        "required",
    ),
    (
        "more pumps running than installed",
        {**GOOD, "pumps_running": 4},
        "$.pumps_running",
        "at most pumps_installed",
    ),
    ("no pumps installed", {**GOOD, "pumps_installed": 0}, "$.pumps_installed", ">= 1"),
    (
        "static head above the rated head",
        {**GOOD, "static_head": 70.0},
        "$.static_head",
        "below the rated head",
    ),
    ("pump power in W as kW", {**GOOD, "pump_rated_power": 1300000.0}, "$.pump_rated_power", "plausible"),
    (
        "pump power implies > 95 % efficiency",
        {**GOOD, "pump_rated_power": 900.0},
        "$.pump_rated_power",
        "efficiency",
    ),
    ("fixed speed not at 1.0", {**drop("vfd"), "speed": 0.9}, "$.speed", "fixed-speed"),
    ("speed outside the VFD range", {**GOOD, "speed": 0.6}, "$.speed", "outside the VFD range"),
    (
        "VFD range inverted",
        {**GOOD, "vfd_min_speed": 1.0, "vfd_max_speed": 0.8},
        "$.vfd_min_speed",
        "below vfd_max_speed",
    ),
    (
        "too many options",
        {**GOOD, "pumps_installed": 12, "speed_steps": 21, "fans_installed": 30, "fans_on": 10},
        "$.speed_steps",
        "options",
    ),
    ("tower without an approach", drop("tower_approach_design"), "$.tower_approach_design", "required"),
    (
        "inlet below the wet bulb",
        {**GOOD, "cw_inlet_temp": 66.0, "cw_outlet_temp": 85.0, "condenser_pressure": 1.6},
        "$.cw_inlet_temp",
        "wet bulb",
    ),
    ("more fans on than installed", {**GOOD, "fans_on": 12}, "$.fans_on", "at most fans_installed"),
    (
        "measured flow beyond the pumps",
        {**GOOD, "cw_flow": 500000, "cw_outlet_temp": 90.0, "condenser_pressure": 1.8},
        "$.cw_flow",
        "beyond what",
    ),
    (
        "shut-off ratio out of range",
        {**GOOD, "pump_shutoff_head_ratio": 3.0},
        "$.pump_shutoff_head_ratio",
        "<= 2",
    ),
    ("pump flow window inverted", {**GOOD, "pump_min_flow_fraction": 1.2}, "$.pump_min_flow_fraction", "< 1"),
    (
        "wet bulb in Fahrenheit in an SI call",
        {**as_si(TOOL, GOOD), "wet_bulb_temp": 68.0},
        "$.wet_bulb_temp",
        "set unit_system to US",
    ),
    ("string for a count", {**GOOD, "pumps_running": "three"}, "$.pumps_running", "expected an integer"),
    ("NaN head", {**GOOD, "static_head": float("nan")}, "$.static_head", "finite"),
    ("unknown field", {**GOOD, "pump_count": 3}, "$.pump_count", "unknown field"),
    ("no duty source", drop("cw_outlet_temp"), "$.heat_duty", "required"),
]


@pytest.mark.parametrize("name,args,path,fragment", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_arguments_give_clear_errors(name, args, path, fragment):
    assert_clear_error(TOOL, name, args, path, fragment)


@settings(max_examples=15, deadline=None)
@given(
    t_in=st.floats(40.0, 95.0),
    duty=st.floats(1.5e9, 3.0e9),
    cf=st.floats(0.4, 1.0),
    running=st.integers(1, 4),
    static=st.floats(0.0, 30.0),
    price=st.one_of(st.none(), st.floats(0.0, 200.0)),
)
def test_never_nan_never_internal_error(t_in, duty, cf, running, static, price):
    args = {
        **FIXED,
        "cw_inlet_temp": t_in,
        "heat_duty": duty,
        "cleanliness_factor": cf,
        "pumps_running": running,
        "static_head": static,
    }
    args.pop("power_price_usd_per_mwh")
    if price is not None:
        args["power_price_usd_per_mwh"] = price
    r = result_or_client_error(execute(TOOL, args))
    if r is not None:
        assert r["net_benefit_mw"] >= 0.0 or any("no option" in w or "violates" in w for w in r["warnings"])


@pytest.mark.parametrize("system", ["US", "SI"])
def test_tower_current_state_uses_the_measured_inlet(system):
    """78 °F measured with a 75 °F wet bulb (3 °F approach, below the 5 °F minimum): the current
    option is computed at 78 °F (not the clamped 80 °F) and the disagreement is warned about."""
    args = {**GOOD, "wet_bulb_temp": 75.0}
    r = ok(TOOL, args if system == "US" else as_si(TOOL, args))
    current = next(o for o in r["options"] if o["is_current"])
    inlet = current["cw_inlet_temp"] if system == "US" else current["cw_inlet_temp"] * 1.8 + 32.0
    assert inlet == pytest.approx(78.0, abs=1e-6)
    assert current["tower_approach"] == pytest.approx(3.0 if system == "US" else 3.0 / 1.8, abs=1e-6)
    assert "tower_min_approach" not in current["active_constraints"]
    warned = [w for w in r["warnings"] if "tower approach" in w]
    assert any("below the minimum approach" in w for w in warned)
    assert any("differ by more than" in w for w in warned)
    unit = "°F" if system == "US" else "K"
    assert all(unit in w for w in warned) and not any(("°F" if system == "SI" else " K") in w for w in warned)
    # no other option is floored above what the tower does now
    assert all(
        o["tower_approach"] >= current["tower_approach"] - 1e-9 or "tower_min_approach" not in o["active_constraints"]
        for o in r["options"]
        if "tower_approach" in o
    )


def test_tower_model_within_tolerance_is_not_warned():
    r = ok(TOOL, GOOD)  # 78 °F inlet, 68 °F wet bulb: model 8.7 °F vs measured 10 °F approach
    assert not any("tower approach" in w for w in r["warnings"])
    current = next(o for o in r["options"] if o["is_current"])
    assert current["cw_inlet_temp"] == pytest.approx(78.0, abs=1e-9)
