# SPDX-License-Identifier: MIT
"""analyze_condenser_performance: parts run through the registry with their own hashes,
skipped parts, the documented score, the top actions, US/SI agreement and clear errors."""

import pytest
from _tool_cases import CURVE, HISTORY, PLANT, assert_clear_error, assert_json_clean, ok

from condensync_tools.calculators.performance import SCORE_WEIGHTS
from condensync_tools.registry import convert_units, get_tool

TOOL = "analyze_condenser_performance"
SNAP = {
    "unit_system": "US",
    "cw_inlet_temp": 78.0,
    "cw_outlet_temp": 97.5,
    "cw_flow": 232000,
    "condenser_pressure": 2.12,
}
FULL = {
    **SNAP,
    **PLANT,
    "design_cw_inlet_temp": 70.0,
    "design_cw_flow": 250000,
    "design_heat_duty": 2.35e9,
    **CURVE,
    "power_price_usd_per_mwh": 45.0,
    "dissolved_oxygen_ppb": 9.0,
    "hotwell_temp": 101.8,
    "subcooling_baseline": 0.5,
    "air_removal_flow": 6.0,
    "venting_capacity": 12.0,
    "history": HISTORY,
    "last_cleaning_date": "2025-01-01",
    "trigger_cleanliness": 0.65,
    "pump_rated_flow": 82000,
    "pump_rated_head": 58.0,
    "pump_rated_power": 1300.0,
    "pumps_installed": 3,
    "pumps_running": 3,
    "static_head": 22.0,
    "vfd": True,
    "vfd_min_speed": 0.75,
    "speed_steps": 4,
    "wet_bulb_temp": 68.0,
    "tower_approach_design": 9.0,
    "tower_design_flow": 246000,
    "fans_installed": 6,
    "fans_on": 6,
    "fan_power": 250.0,
}
PARTS = [
    "calculate_heat_transfer_coefficient",
    "optimize_vacuum_pressure",
    "detect_air_inleakage",
    "calculate_fouling_factor",
    "optimize_cooling_water_flow",
]


def subset(tool, args):
    fields = get_tool(tool).input_model.model_fields
    return {k: v for k, v in args.items() if k in fields}


def test_all_parts_run_and_are_embedded():
    r = ok(TOOL, FULL)
    assert [p["tool"] for p in r["parts"]] == PARTS and all(p["status"] == "ok" for p in r["parts"])
    assert all(len(p["provenance_hash"]) == 64 for p in r["parts"])
    for key in (
        "heat_duty",
        "u_actual",
        "expected_backpressure",
        "achievable_backpressure",
        "lost_output_mw",
        "leak_detected",
        "days_until_cleaning",
        "optimal_cw_flow",
        "net_benefit_mw",
    ):
        assert key in r, key
    # each part's key figure is the part's own result
    ht = ok("calculate_heat_transfer_coefficient", subset("calculate_heat_transfer_coefficient", FULL))
    assert r["u_actual"] == ht["u_actual"] and r["heat_duty"] == ht["heat_duty"]
    assert r["parts"][0]["provenance_hash"] == ht["provenance"]["provenance_hash"]
    vac = ok("optimize_vacuum_pressure", subset("optimize_vacuum_pressure", FULL))
    assert r["parts"][1]["provenance_hash"] == vac["provenance"]["provenance_hash"]
    assert r["expected_backpressure"] == vac["expected_backpressure"]
    assert r["units"]["expected_backpressure"] == "inHgA" and r["units"]["top_actions[].value_mw"] == "MW"


def test_score_follows_the_documented_formula():
    r = ok(TOOL, FULL)
    comps = {c["component"]: c for c in r["score_components"]}
    assert set(comps) == set(SCORE_WEIGHTS)
    total_w = sum(c["weight"] for c in comps.values())
    assert r["performance_score"] == pytest.approx(
        100 * sum(c["weight"] * c["subscore"] for c in comps.values()) / total_w
    )
    assert r["performance_score"] == pytest.approx(sum(c["points"] for c in comps.values()))
    cf, target = r["cleanliness_factor"], r["target_cleanliness"]
    assert comps["cleanliness"]["subscore"] == pytest.approx(min(max((cf - (target - 0.35)) / 0.35, 0), 1))
    excess = r["measured_backpressure"] - r["achievable_backpressure"]
    assert comps["backpressure"]["subscore"] == pytest.approx(1 - excess / 1.0)
    assert comps["air_inleakage"]["subscore"] == pytest.approx(1 - r["air_evidence"])
    assert comps["fouling_trend"]["subscore"] == pytest.approx(min(r["days_until_cleaning"] / 180, 1))
    assert 0 <= r["performance_score"] <= 100 and r["grade"] in (
        "excellent",
        "good",
        "fair",
        "poor",
        "critical",
    )
    assert "100 × Σ w·s / Σ w" in r["provenance"]["method"]["performance_score_formula"]
    assert "0.35" in get_tool(TOOL).description


def test_top_three_actions_ranked_by_value():
    r = ok(TOOL, FULL)
    acts = r["top_actions"]
    assert 1 <= len(acts) <= 3 and len({a["action"] for a in acts}) == len(acts)
    values = [a["value_usd_per_day"] for a in acts]
    assert values == sorted(values, reverse=True)
    assert {a["source"] for a in acts} <= set(PARTS)


def test_missing_inputs_skip_parts_with_a_note():
    r = ok(TOOL, {**{k: v for k, v in SNAP.items() if k != "unit_system"}, **PLANT})
    status = {p["tool"]: p for p in r["parts"]}
    assert status["detect_air_inleakage"]["status"] == "skipped"
    assert status["optimize_cooling_water_flow"]["status"] == "skipped"
    assert "$.pump_rated_flow: required" in status["optimize_cooling_water_flow"]["note"]
    assert "provenance_hash" not in status["optimize_cooling_water_flow"]
    assert status["optimize_vacuum_pressure"]["status"] == "ok"
    assert any("re-weighted" in w for w in r["warnings"])
    only_cf = ok(TOOL, {"cleanliness_factor": 0.8})
    assert [p["status"] for p in only_cf["parts"]].count("ok") == 1


def test_independent_cleanliness_feeds_the_air_part():
    r = ok(TOOL, {**SNAP, **PLANT, "cleanliness_factor": 0.8, "dissolved_oxygen_ppb": 5.0})
    air = next(p for p in r["parts"] if p["tool"] == "detect_air_inleakage")
    assert air["status"] == "ok" and "worked out at the fouling cleanliness 0.8 (caller)" in air["note"]
    # the air part's own air share is the vacuum part's unexplained remainder at the same cleanliness
    assert r["fouling_cleanliness_source"] == "caller"
    assert r["air_backpressure"] == pytest.approx(r["deviation_unexplained"], abs=1e-8)
    measured = ok(TOOL, {**SNAP, **PLANT, "dissolved_oxygen_ppb": 5.0})
    air2 = next(p for p in measured["parts"] if p["tool"] == "detect_air_inleakage")
    # no independent cleanliness: the design value values the air share but is not scored
    assert measured["fouling_cleanliness_source"] == "design_cleanliness" and "design_cleanliness" in air2["note"]
    assert not measured["air_confounded"]


def test_us_and_si_agree():
    us_args = {
        **SNAP,
        **PLANT,
        **CURVE,
        "power_price_usd_per_mwh": 45.0,
        "dissolved_oxygen_ppb": 12.0,
        "hotwell_temp": 101.0,
        "cleanliness_factor": 0.78,
        "history": HISTORY,
    }
    plan_in = get_tool(TOOL).input_plan
    si_args = {
        **convert_units({k: v for k, v in us_args.items() if k != "unit_system"}, plan_in, "US", False),
        "unit_system": "SI",
    }
    si_args = {**convert_units(si_args, plan_in, "SI", True), "unit_system": "SI"}
    us, si = ok(TOOL, us_args), ok(TOOL, si_args)
    plan = get_tool(TOOL).output_plan
    skip = ("provenance", "units", "warnings", "parts", "score_components", "top_actions")
    a = convert_units({k: v for k, v in us.items() if k not in skip}, plan, "US", to_caller=False)
    b = convert_units({k: v for k, v in si.items() if k not in skip}, plan, "SI", to_caller=False)
    assert set(a) == set(b)
    for key, value in a.items():
        if isinstance(value, float):
            assert value == pytest.approx(b[key], rel=1e-6, abs=1e-9), key
        else:
            assert value == b[key], key
    assert [p["status"] for p in us["parts"]] == [p["status"] for p in si["parts"]]
    assert [c["subscore"] for c in us["score_components"]] == pytest.approx(
        [c["subscore"] for c in si["score_components"]], rel=1e-6
    )
    assert [a["action"] for a in us["top_actions"]] == [a["action"] for a in si["top_actions"]]


def test_no_nan():
    assert_json_clean(ok(TOOL, FULL))


BAD_CASES = [
    ("nothing to analyse", {"unit_system": "US"}, "$.cw_inlet_temp", "required"),
    (
        "outlet above saturation",
        {**SNAP, **PLANT, "cw_outlet_temp": 106.0},
        "$.cw_outlet_temp",
        "[in part calculate_heat_transfer_coefficient]",
    ),
    ("string for number", {**SNAP, **PLANT, "cw_flow": "232k"}, "$.cw_flow", "expected a number"),
    ("unknown field", {**SNAP, **PLANT, "colour": "blue"}, "$.colour", "unknown field"),
    (
        "Celsius in a US call",
        {**SNAP, **PLANT, "cw_inlet_temp": 25.0, "cw_outlet_temp": 36.0},
        "$.cw_inlet_temp",
        "set unit_system to SI",
    ),
    (
        "hotwell above saturation",
        {**SNAP, **PLANT, "hotwell_temp": 108.0},
        "$.hotwell_temp",
        "[in part detect_air_inleakage]",
    ),
    (
        "mixed history",
        {
            "cleanliness_factor": 0.8,
            "history": HISTORY[:1] + [{"timestamp": "2025-02-04", "fouling_resistance": 0.0002}] + HISTORY[2:],
        },
        "$.history[1].cleanliness_factor",
        "required",
    ),
    (
        "more pumps running than installed",
        {**FULL, "pumps_running": 4},
        "$.pumps_running",
        "at most pumps_installed",
    ),
    ("cleanliness in percent", {**SNAP, **PLANT, "cleanliness_factor": 80}, "$.cleanliness_factor", "<= 1.5"),
    ("NaN", {**SNAP, **PLANT, "condenser_pressure": float("nan")}, "$.condenser_pressure", "finite"),
    ("empty history", {"history": []}, "$.history", "at least 1 item"),
    (
        "curve lengths differ",
        {**SNAP, **PLANT, **CURVE, "turbine_curve_output_change": [0.0, -0.01]},
        "$.turbine_curve_output_change",
        "expected 9 values",
    ),
    (
        "gauge vacuum as absolute",
        {**SNAP, **PLANT, "condenser_pressure": 27.0},
        "$.condenser_pressure",
        "gauge vacuum",
    ),
]


@pytest.mark.parametrize("name,args,path,fragment", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_arguments_give_clear_errors(name, args, path, fragment):
    assert_clear_error(TOOL, name, args, path, fragment)
