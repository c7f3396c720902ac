# SPDX-License-Identifier: MIT
"""calculate_fouling_factor through the tool layer: current state, TEMA, history fits,
days until cleaning (never NaN), stored-history hook, US/SI agreement, clear errors."""

from datetime import datetime, timedelta, timezone

import pytest
from _tool_cases import CURVE, HISTORY, PLANT, as_si, assert_clear_error, assert_json_clean, ok, result_or_client_error
from hypothesis import given, settings
from hypothesis import strategies as st

from condensync_tools.registry import ExecutionContext, convert_units, execute, get_tool
from condensync_tools.units import to_si

TOOL = "calculate_fouling_factor"
SNAP = {
    "unit_system": "US",
    "cw_inlet_temp": 75.0,
    "cw_outlet_temp": 95.0,
    "cw_flow": 240000,
    "condenser_pressure": 1.99,
}
GOOD = {
    **SNAP,
    **PLANT,
    "water_type": "cooling_tower_treated",
    "history": HISTORY,
    "last_cleaning_date": "2025-01-01",
    "trigger_cleanliness": 0.65,
    "cleaning_cost_usd": 85000.0,
    **CURVE,
    "power_price_usd_per_mwh": 45.0,
}
ASYMPTOTIC = [
    {"timestamp": "2025-01-01", "cleanliness_factor": 0.991},
    {"timestamp": "2025-02-01", "cleanliness_factor": 0.866},
    {"timestamp": "2025-03-01", "cleanliness_factor": 0.831},
    {"timestamp": "2025-04-01", "cleanliness_factor": 0.825},
    {"timestamp": "2025-05-01", "cleanliness_factor": 0.82},
    {"timestamp": "2025-06-01", "cleanliness_factor": 0.821},
]


def test_snapshot_history_and_economics():
    r = ok(TOOL, GOOD)
    ht = execute("calculate_heat_transfer_coefficient", {**SNAP, **PLANT}).result
    assert r["cleanliness_factor"] == pytest.approx(ht["cleanliness_factor"], rel=1e-9)
    assert r["fouling_resistance"] == pytest.approx(ht["fouling_resistance"], rel=1e-9)
    assert r["tema_fouling_resistance"] == 0.001 and r["tema_exceeded"] is False
    assert r["history_source"] == "supplied" and r["history_points"] == 7
    assert r["history_span_days"] == 184.0  # 2025-01-01 → 2025-07-04
    assert {f["model"] for f in r["fits"]} == {"linear", "kern_seaton"}
    chosen = [f for f in r["fits"] if f["selected"]]
    assert len(chosen) == 1 and chosen[0]["model"] == r["selected_model"] == "linear"
    assert 0.99 < chosen[0]["r2"] <= 1.0 and chosen[0]["level_unit"] == "1"
    assert r["days_until_cleaning_status"] == "forecast" and 30 < r["days_until_cleaning"] < 365
    assert r["cleaning_due"] is False
    assert r["economic_interval_status"] == "optimum" and 30 < r["economic_interval_days"] < 1000
    assert r["units"]["economic_interval_days"] == "d" and r["units"]["fits[].tau"] == "d"
    assert r["lost_output_mw"] > 0 and r["cost_usd_per_day"] == pytest.approx(r["lost_output_mw"] * 24 * 45.0)


def test_trigger_never_reached_is_a_status_not_a_number():
    r = ok(TOOL, {"cleanliness_factor": 0.82, "history": ASYMPTOTIC, "last_cleaning_date": "2024-12-31"})
    assert r["selected_model"] == "kern_seaton"
    assert r["days_until_cleaning_status"] == "not_reached" and "days_until_cleaning" not in r
    assert "not reached" in r["days_until_cleaning_reason"] and r["cleaning_due"] is False
    assert_json_clean(r)


def test_already_at_trigger_without_history():
    r = ok(TOOL, {"cleanliness_factor": 0.7})
    assert r["cleaning_due"] is True and r["days_until_cleaning"] == 0.0
    assert r["days_until_cleaning_status"] == "already_at_trigger"
    assert r["recommendations"][0]["action"] == "clean_tubes"


def test_fouling_resistance_history_in_caller_units():
    hist = [
        {"timestamp": f"2025-0{m}-01", "fouling_resistance": v}
        for m, v in ((1, 0.00002), (2, 0.00012), (3, 0.00022), (4, 0.00031), (5, 0.00042))
    ]
    us = ok(TOOL, {"u_clean": 700.0, "history": hist})
    assert us["fit_basis"] == "fouling_resistance"
    lin = next(f for f in us["fits"] if f["model"] == "linear")
    assert lin["level_unit"] == "h·ft²·°F/Btu" and lin["rate_unit"] == "h·ft²·°F/Btu/d"
    assert lin["beta"] == pytest.approx(0.0001 / 30, rel=0.1)
    si = ok(TOOL, as_si(TOOL, {"u_clean": 700.0, "history": hist}))
    lin_si = next(f for f in si["fits"] if f["model"] == "linear")
    assert lin_si["level_unit"] == "m²·K/W"
    assert to_si("fouling_resistance", lin["r0"], "US") == pytest.approx(lin_si["r0"], rel=1e-7, abs=1e-15)
    assert us["days_until_cleaning"] == pytest.approx(si["days_until_cleaning"], rel=1e-7)


def test_points_before_last_cleaning_form_an_earlier_cycle():
    hist = [{"timestamp": "2024-11-01", "cleanliness_factor": 0.7}] + HISTORY
    r = ok(TOOL, {"cleanliness_factor": 0.73, "history": hist, "last_cleaning_date": "2025-01-01"})
    assert r["history_points"] == 8 and r["current_cycle_start"] == "2025-01-01"
    assert [c["starts_with"] for c in r["cycles"]] == ["history_start", "cleaning"]
    assert r["cleaning_events"] == [{"date": "2025-01-01", "source": "given", "cleanliness_after": 0.86}]
    only = ok(TOOL, {"cleanliness_factor": 0.73, "history": HISTORY, "last_cleaning_date": "2025-01-01"})
    assert r["days_until_cleaning"] == pytest.approx(only["days_until_cleaning"], rel=1e-9)


def test_few_points_duplicates_and_a_cleaning_after_the_data_give_a_status():
    two = ok(TOOL, {"history": HISTORY[:2]})
    assert two["trend_status"] == "insufficient_history" and "days_until_cleaning" not in two
    dup = ok(TOOL, {"history": HISTORY[:3] + [{"timestamp": HISTORY[2]["timestamp"], "cleanliness_factor": 0.8}]})
    assert any("share a timestamp" in w for w in dup["warnings"]) and dup["history_points"] == 4
    late = ok(TOOL, {"history": HISTORY, "last_cleaning_date": "2025-06-01"})
    assert late["current_cycle_start"] == "2025-06-01" and late["trend_status"] == "insufficient_history"


class _StoredHistory:
    def __init__(self, rows):
        self.rows, self.calls = rows, []

    def fouling_history(self, condenser_id, unit_system=None):
        self.calls.append(condenser_id)
        return self.rows


class _NoDesign:
    def design_arguments(self, condenser_id, tool, unit_system, accepted):
        return {}


def test_stored_history_used_when_none_supplied():
    rows = [
        {
            "timestamp": p["timestamp"] + "T00:00:00Z",
            "cleanliness_factor": p["cleanliness_factor"],
            "fouling_resistance": 0.0,
        }
        for p in HISTORY
    ]
    service = _StoredHistory(rows)
    ctx = ExecutionContext(design=_NoDesign(), services={"history": service})
    r = ok(TOOL, {"condenser_id": "unit3", "cleanliness_factor": 0.73}, ctx)
    assert service.calls == ["unit3"]
    assert r["history_source"] == "stored" and r["history_points"] == 7
    assert r["provenance"]["method"]["history"].startswith("stored history of condenser unit3")
    supplied = ok(TOOL, {"cleanliness_factor": 0.73, "history": HISTORY})
    assert r["days_until_cleaning"] == pytest.approx(supplied["days_until_cleaning"], rel=1e-9)
    # a supplied history wins over the stored one
    r2 = ok(TOOL, {"condenser_id": "unit3", "cleanliness_factor": 0.73, "history": HISTORY[:4]}, ctx)
    assert r2["history_source"] == "supplied" and r2["history_points"] == 4 and service.calls == ["unit3"]
    # the stored history alone is enough to call the tool
    r3 = ok(TOOL, {"condenser_id": "unit3"}, ctx)
    assert r3["history_source"] == "stored" and r3["selected_model"] == "linear"


def test_us_and_si_agree():
    us, si = ok(TOOL, GOOD), ok(TOOL, as_si(TOOL, GOOD))
    plan = get_tool(TOOL).output_plan
    a = convert_units(
        {k: v for k, v in us.items() if k not in ("provenance", "units", "warnings")},
        plan,
        "US",
        to_caller=False,
    )
    b = convert_units(
        {k: v for k, v in si.items() if k not in ("provenance", "units", "warnings")},
        plan,
        "SI",
        to_caller=False,
    )
    assert set(a) == set(b)
    for key, value in a.items():
        if isinstance(value, float):
            assert value == pytest.approx(b[key], rel=1e-6, abs=1e-12), key
        elif key == "fits":
            for fa, fb in zip(value, b[key], strict=True):
                for k, v in fa.items():
                    if isinstance(v, float):
                        assert v == pytest.approx(fb[k], rel=1e-6, abs=1e-12), (fa["model"], k)
        elif key != "recommendations":
            assert value == b[key], key


BAD_CASES = [
    ("nothing to go on", {}, "$.cleanliness_factor", "required"),
    ("u_actual without u_clean", {"u_actual": 500.0}, "$.u_clean", "required"),
    ("cleanliness in percent", {"cleanliness_factor": 78}, "$.cleanliness_factor", "<= 1.5"),
    ("empty history", {"history": []}, "$.history", "at least 1 item"),
    (
        "timestamp not ISO 8601",
        {"history": [{"timestamp": "05/01/2025", "cleanliness_factor": 0.8}] + HISTORY[1:]},
        "$.history[0].timestamp",
        "matching",
    ),
    (
        "impossible date",
        {"history": HISTORY[:1] + [{"timestamp": "2025-02-30", "cleanliness_factor": 0.8}] + HISTORY[2:]},
        "$.history[1].timestamp",
        "ISO 8601",
    ),
    (
        "mixed history kinds",
        {"history": HISTORY[:1] + [{"timestamp": "2025-02-04", "fouling_resistance": 0.0002}] + HISTORY[2:]},
        "$.history[1].cleanliness_factor",
        "required",
    ),
    (
        "point without a value",
        {"history": HISTORY[:2] + [{"timestamp": "2025-03-06"}] + HISTORY[3:]},
        "$.history[2].cleanliness_factor",
        "got neither",
    ),
    (
        "history cleanliness in percent",
        {"history": [{"timestamp": "2025-01-05", "cleanliness_factor": 86}] + HISTORY[1:]},
        "$.history[0].cleanliness_factor",
        "<= 1.5",
    ),
    (
        "unknown key in a point",
        {"history": [{"timestamp": "2025-01-05", "cf": 0.86}] + HISTORY[1:]},
        "$.history[0].cf",
        "unknown field",
    ),
    (
        "bad last cleaning date",
        {"history": HISTORY, "last_cleaning_date": "yesterday"},
        "$.last_cleaning_date",
        "matching",
    ),
    (
        "trigger above 1",
        {"cleanliness_factor": 0.8, "trigger_cleanliness": 1.2},
        "$.trigger_cleanliness",
        "< 1",
    ),
    (
        "unknown foulant",
        {"cleanliness_factor": 0.8, "foulant": "zebra_mussels"},
        "$.foulant",
        "expected one of",
    ),
    (
        "unknown water type",
        {"cleanliness_factor": 0.8, "water_type": "lake"},
        "$.water_type",
        "expected one of",
    ),
    ("partial snapshot only", {"cw_inlet_temp": 75.0, **PLANT}, "$.cw_outlet_temp", "required"),
    ("snapshot without tube data", {**SNAP}, "$.tube_od", "required"),
    (
        "actual U above 1.5 × clean U",
        {"u_actual": 900.0, "u_clean": 500.0},
        "$.u_actual",
        "implausibly above",
    ),
    (
        "negative cleaning cost",
        {"cleanliness_factor": 0.8, "cleaning_cost_usd": -100.0},
        "$.cleaning_cost_usd",
        "> 0",
    ),
    ("SI U in a US call", {"u_actual": 2800.0, "u_clean": 4000.0}, "$.u_actual", "plausible"),
    ("outlet above saturation", {**SNAP, **PLANT, "cw_outlet_temp": 103.0}, "$.cw_outlet_temp", "TTD"),
]


@pytest.mark.parametrize("name,args,path,fragment", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_arguments_give_clear_errors(name, args, path, fragment):
    assert_clear_error(TOOL, name, args, path, fragment)


@settings(max_examples=40, deadline=None)
@given(
    start=st.floats(0.6, 1.05),
    slope=st.floats(-0.002, 0.004),
    curve=st.floats(0.0, 1.0),
    n=st.integers(3, 12),
    noise=st.lists(st.floats(-0.02, 0.02), min_size=12, max_size=12),
    cf_now=st.one_of(st.none(), st.floats(0.3, 1.2)),
)
def test_never_nan_never_internal_error(start, slope, curve, n, noise, cf_now):
    hist = []
    for i in range(n):
        days = 20 * i
        cf = start - slope * days * (1 - curve) - 0.2 * curve * (1 - 2.718281828 ** (-days / 40.0)) + noise[i]
        when = datetime(2025, 1, 1, tzinfo=timezone.utc) + timedelta(days=days)
        hist.append({"timestamp": when.isoformat(), "cleanliness_factor": min(max(cf, 0.05), 1.5)})
    args = {"history": hist, "cleaning_cost_usd": 50000.0, "power_price_usd_per_mwh": 40.0}
    if cf_now is not None:
        args["cleanliness_factor"] = cf_now
    r = result_or_client_error(execute(TOOL, args))
    if r is not None:
        assert ("days_until_cleaning" in r) == (r["days_until_cleaning_status"] in ("forecast", "already_at_trigger"))
