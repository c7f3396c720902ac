# SPDX-License-Identifier: MIT
"""Air in-leakage read as fouling (issue "diagnosis", item 2), through the tools.

The golden air case (severe air indicators, CF 0.85 a week earlier, the snapshot's own CF 0.45)
must rank an air action first with a value above 0 MW and must not call cleaning due; the
fouling control (same unit, tight air indicators, a falling CF trend) must still rank tube
cleaning first and call it due; with a real SQLite store and no history argument, the fouling
cleanliness comes from the last stored value before the air event, also on the second call of
the event, when the first call has stored the air-bound cleanliness."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from _tool_cases import ok

from condensync_tools.registry import execute

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
AIR_ACTIONS = {
    "tracer_leak_test",
    "check_below_water_line",
    "find_air_inleakage",
    "check_turbine_gland_seals",
    "inspect_expansion_joints_rupture_discs",
    "check_air_removal_equipment",
}


def _case(name: str) -> dict:
    return json.loads((GOLDEN / "analyze_condenser_performance" / f"{name}.json").read_text("utf-8"))["arguments"]


def test_air_case_ranks_an_air_action_first_and_cleaning_is_not_due():
    args = _case("us_air_inleakage_not_fouling")
    out = execute("analyze_condenser_performance", args)
    assert out.error is None, out.error and out.error.text()
    r = out.result
    first = r["top_actions"][0]
    assert first["action"] in AIR_ACTIONS and first["value_mw"] > 0.0 and first["value_usd_per_day"] > 0.0
    assert all(a["action"] != "clean_tubes" or a["value_mw"] == 0.0 for a in r["top_actions"])
    assert r["leak_detected"] and r["air_confounded"] is True
    assert r["cleaning_due"] is False and r["days_until_cleaning_status"] == "air_confounded"
    # the snapshot's CF is air-bound; the fouling CF is the history's last point (0.85 a week earlier)
    assert r["measured_cleanliness_factor"] < 0.5
    assert (r["fouling_cleanliness_factor"], r["fouling_cleanliness_source"]) == (0.85, "history_before_air_event")
    assert r["air_lost_output_mw"] == pytest.approx(first["value_mw"]) and r["air_backpressure"] > 0.12
    assert "history_before_air_event = 0.85" in r["provenance"]["method"]["fouling_cleanliness"]
    text = out.summary if isinstance(out.summary, str) else out.summary()
    assert "AIR-CONFOUNDED" in text and "tube cleaning not due" in text
    vac = next(p for p in r["parts"] if p["tool"] == "optimize_vacuum_pressure")
    assert "fouling cleanliness 0.85" in vac["note"]


def test_fouling_control_still_ranks_cleaning_first_and_due():
    r = ok("analyze_condenser_performance", _case("us_fouling_control_cleaning_due"))
    assert not r["leak_detected"] and r["air_confounded"] is False
    assert r["top_actions"][0]["action"] == "clean_tubes" and r["top_actions"][0]["value_mw"] > 0.0
    assert r["cleaning_due"] is True
    # no air indicator at all: the air part is skipped, the verdict is the same
    args = {k: v for k, v in _case("us_fouling_control_cleaning_due").items()}
    for name in ("dissolved_oxygen_ppb", "hotwell_temp", "air_removal_flow", "vacuum_decay_rate"):
        args.pop(name)
    bare = ok("analyze_condenser_performance", args)
    assert bare["top_actions"][0]["action"] == "clean_tubes" and bare["cleaning_due"] is True
    assert not bare["air_confounded"] and "fouling_cleanliness_source" not in bare


def test_the_air_tool_works_out_the_unexplained_backpressure_itself():
    args = json.loads((GOLDEN / "detect_air_inleakage" / "us_unexplained_worked_out.json").read_text("utf-8"))
    r = ok("detect_air_inleakage", args["arguments"])
    # no store, no independent CF: the design cleanliness values the leak but is not scored
    assert r["fouling_cleanliness_source"] == "design_cleanliness" and r["unexplained_backpressure_scored"] is False
    assert "unexplained_backpressure" not in {i["name"] for i in r["indicators"]}
    assert r["unexplained_backpressure"] > 0.12 and r["air_lost_output_mw"] > 0.0
    assert r["recommendations"][0]["value_mw"] == pytest.approx(r["air_lost_output_mw"])
    # an independent cleanliness makes it evidence
    scored = ok("detect_air_inleakage", {**args["arguments"], "cleanliness_factor": 0.85})
    assert scored["fouling_cleanliness_source"] == "caller" and scored["unexplained_backpressure_scored"]
    assert "unexplained_backpressure" in {i["name"] for i in scored["indicators"]}


AIR_SNAPSHOT = {
    "condenser_id": "unit3",
    "cw_inlet_temp": 75.0,
    "cw_outlet_temp": 94.0,
    "cw_flow": 240000,
    "condenser_pressure": 2.4,
    "dissolved_oxygen_ppb": 60.0,
    "air_removal_flow": 30.0,
    "venting_capacity": 12.0,
    "vacuum_decay_rate": 0.3,
}


def test_stored_cleanliness_before_the_air_event_on_repeated_calls(tmp_path):
    from condensync_tools.config import EXAMPLE_CONFIG
    from condensync_tools.runtime import build_context

    ctx = build_context(str(EXAMPLE_CONFIG), caller="pytest", database_url=f"sqlite:///{tmp_path / 's.db'}")
    store = ctx.services["store"]
    start = datetime(2026, 5, 1, tzinfo=timezone.utc)
    for i, cf in enumerate([0.88, 0.87, 0.86]):
        store.record_result(
            "unit3",
            "calculate_heat_transfer_coefficient",
            start + timedelta(days=10 * i),
            {
                "cleanliness_factor": cf,
                "fouling_resistance": (1 / cf - 1) / 700.0,
                "units": {"fouling_resistance": "h·ft²·°F/Btu"},
            },
            cleanliness_factor=cf,
            fouling_resistance=(1 / cf - 1) / 700.0,
            fouling_resistance_unit="h·ft²·°F/Btu",
        )
    store.record_result("unit3", "detect_air_inleakage", start + timedelta(days=25), {"leak_detected": False})
    snapshot = {k: AIR_SNAPSHOT[k] for k in ("condenser_id", "cw_inlet_temp", "cw_outlet_temp", "cw_flow")}
    for call in (1, 2):  # the first call stores the air-bound CF (0.51) and a detected leak
        out = execute("analyze_condenser_performance", AIR_SNAPSHOT, ctx)
        assert out.error is None, out.error and out.error.text()
        r = out.result
        assert (r["fouling_cleanliness_factor"], r["fouling_cleanliness_source"]) == (
            0.86,
            "stored_before_air_event",
        ), call
        assert r["air_confounded"] and r["top_actions"][0]["action"] in AIR_ACTIONS, call
        assert r["top_actions"][0]["value_mw"] > 0.0 and not r.get("cleaning_due", False), call
        # a heat-transfer monitor call during the event stores the air-bound CF as the latest point
        monitor = execute("calculate_heat_transfer_coefficient", {**snapshot, "condenser_pressure": 2.4}, ctx)
        assert monitor.error is None and monitor.result["cleanliness_factor"] < 0.6
    stored = [p["cleanliness_factor"] for p in store.fouling_history("unit3")]
    assert min(stored) < 0.6  # the air-bound CF is in the store, yet not taken as the fouling CF
    # the standalone air tool reads the same stored value
    air = ok("detect_air_inleakage", AIR_SNAPSHOT, ctx)
    assert (air["fouling_cleanliness_factor"], air["fouling_cleanliness_source"]) == (0.86, "stored_before_air_event")


def test_air_bound_and_fouled_cleaning_stays_due_valued_by_the_fouling_share_only():
    args = _case("us_air_inleakage_not_fouling")
    history = [dict(p) for p in args["history"]]
    history[-1]["cleanliness_factor"] = 0.62  # fouled below the 0.65 trigger a week before the leak
    r = ok("analyze_condenser_performance", {**args, "history": history})
    assert r["air_confounded"] and r["cleaning_due"] is True and r["fouling_cleanliness_factor"] == 0.62
    clean = next(a for a in r["top_actions"] if a["action"] == "clean_tubes")
    air = next(a for a in r["top_actions"] if a["action"] in AIR_ACTIONS)
    # cleaning is valued from the fouling CF to the target only; the air share goes to the leak
    assert clean["source"] == "optimize_vacuum_pressure" and 0.0 < clean["value_mw"] < r["lost_output_mw"]
    assert clean["value_mw"] + air["value_mw"] == pytest.approx(r["lost_output_mw"], rel=1e-6)
