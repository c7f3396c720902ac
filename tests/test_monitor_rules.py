# SPDX-License-Identifier: MIT
"""Alert rule state machine (pure, clock passed in) and the rule observations."""

from __future__ import annotations

import math

import pytest

from condensync_tools.monitor.rules import AlertState, RuleSpec, RuleState, dedup_key, evaluate
from condensync_tools.monitor.settings import AlertRule
from condensync_tools.monitor.signals import observe, rule_spec

BP = RuleSpec("bp_high", "above", trigger=0.5, hysteresis=0.1, for_s=60.0, cooldown_s=600.0)


def run(spec, values, step=30.0, start=0.0):
    """Feed (value) every ``step`` s; return the events as (time, action) and the last state."""
    st, out, t = RuleState(), [], start
    for v in values:
        st, ev = evaluate(spec, st, v, t, "u1", {"analysis_provenance_hash": "h"})
        if ev is not None:
            out.append((t, ev.action))
            assert ev.dedup_key == f"condensync:{spec.name}:u1" == dedup_key(spec.name, "u1")
            assert ev.details["analysis_provenance_hash"] == "h"
        t += step
    return out, st


def test_pending_then_firing_once_then_resolved():
    events, st = run(BP, [0.2, 0.6, 0.6, 0.7, 0.65, 0.3])
    # on at t=30, held for 60 s → fires at t=90; dedup: nothing more while firing; clears at 0.3 < 0.4
    assert events == [(90.0, "trigger"), (150.0, "resolve")]
    assert st.state is AlertState.RESOLVED


def test_short_blip_never_fires():
    events, st = run(BP, [0.6, 0.2, 0.6, 0.2])
    assert events == [] and st.state is AlertState.INACTIVE


def test_hysteresis_holds_between_clear_and_trigger():
    spec = RuleSpec("bp_high", "above", 0.5, 0.1)
    events, st = run(spec, [0.6, 0.45, 0.41, 0.5, 0.39])
    assert events == [(0.0, "trigger"), (120.0, "resolve")]


def test_missing_observation_holds_state():
    spec = RuleSpec("bp_high", "above", 0.5)
    events, st = run(spec, [0.6, None, None, 0.6])
    assert events == [(0.0, "trigger")] and st.state is AlertState.FIRING
    events, st = run(spec, [None, None])
    assert events == [] and st == RuleState()


def test_cooldown_delays_a_new_trigger():
    spec = RuleSpec("bp_high", "above", 0.5, 0.0, 0.0, cooldown_s=100.0)
    events, _ = run(spec, [0.6, 0.2, 0.6, 0.6, 0.6, 0.6], step=30.0)
    # fires at 0, resolves at 30, on again at 60 but cooling down until 130 → fires at 150
    assert events == [(0.0, "trigger"), (30.0, "resolve"), (150.0, "trigger")]


def test_below_direction_and_infinite_forecast_clears():
    spec = RuleSpec("forecast", "below", 14.0, 2.0)
    events, st = run(spec, [30.0, 13.0, 15.0, math.inf])
    assert events == [(30.0, "trigger"), (90.0, "resolve")]


RESULT = {
    "measured_cleanliness_factor": 0.62,
    "cleanliness_factor": 0.62,
    "air_confounded": False,
    "air_severity": "none",
    "leak_detected": False,
    "backpressure_deviation": 0.4,
    "lost_output_mw": 2.5,
    "days_until_cleaning": 12.0,
    "days_until_cleaning_status": "forecast",
    "units": {"backpressure_deviation": "inHg", "lost_output_mw": "MW"},
    "provenance": {"provenance_hash": "abc"},
}


def rule(**kw):
    return AlertRule(name=kw.pop("name", "r"), **kw)


@pytest.mark.parametrize(
    ("kw", "value"),
    [
        ({"kind": "cleanliness_below"}, 0.62),
        ({"kind": "cleaning_forecast_within", "threshold": 14}, 12.0),
        ({"kind": "air_inleakage", "severity_at_least": "moderate"}, 3.0),
        ({"kind": "backpressure_deviation_above", "threshold": 0.3}, 0.4),
        ({"kind": "lost_output_above", "threshold": 2.0}, 2.5),
    ],
)
def test_observations_of_the_analysis_rules(kw, value):
    r = rule(**kw)
    result = dict(RESULT, air_severity="high", leak_detected=True) if r.kind == "air_inleakage" else RESULT
    obs = observe(r, result, [], {})
    assert obs.value == value
    spec = rule_spec(r, {"trigger_cleanliness": 0.75})
    st, ev = evaluate(spec, RuleState(), obs.value, 0.0, "u1")
    assert ev is not None and ev.action == "trigger", (kw, spec)


def test_air_confounded_cleanliness_is_not_read_as_fouling():
    confounded = dict(
        RESULT, air_confounded=True, fouling_cleanliness_factor=0.85, fouling_cleanliness_source="design_cleanliness"
    )
    assert observe(rule(kind="cleanliness_below"), confounded, [], {}).value is None
    trend = dict(confounded, fouling_cleanliness_factor=0.7, fouling_cleanliness_source="fouling_trend")
    assert observe(rule(kind="cleanliness_below"), trend, [], {}).value == 0.7
    # detected but "not confounded" (e.g. after a CW pump trip): the measured CF is still air-depressed
    leak = dict(
        RESULT,
        leak_detected=True,
        air_severity="high",
        fouling_cleanliness_source="design_cleanliness",
        days_until_cleaning_status="already_at_trigger",
    )
    assert observe(rule(kind="cleanliness_below"), leak, [], {}).value is None
    assert observe(rule(kind="cleaning_forecast_within", threshold=14), leak, [], {}).value is None


def test_connector_and_stale_rules_use_the_connector_status():
    items = [{"service": "dcs", "tags": [{"name": "condenser_pressure", "stale": True}, {"name": "x", "stale": False}]}]
    assert observe(rule(kind="stale_tag"), None, items, {}).value == 1.0
    assert observe(rule(kind="stale_tag", tags=["x"]), None, items, {}).value == 0.0
    down = observe(rule(kind="connector_down", threshold=60), None, items, {"dcs": 75.0})
    assert down.value == 75.0 and "dcs" in down.summary
    assert observe(rule(kind="connector_down", threshold=60, services=["plc"]), None, items, {"dcs": 75.0}).value == 0
    assert observe(rule(kind="connector_down", threshold=60), None, None, {}).value is None


def test_rule_validation_names_the_problem():
    with pytest.raises(ValueError, match="needs a threshold"):
        AlertRule(name="bp", kind="backpressure_deviation_above")
    with pytest.raises(ValueError, match="takes no threshold"):
        AlertRule(name="air", kind="air_inleakage", threshold=2)
    with pytest.raises(ValueError, match="fraction"):
        AlertRule(name="cf", kind="cleanliness_below", threshold=75)


def test_rule_state_round_trips_for_persistence():
    st, _ = evaluate(BP, RuleState(), 0.7, 100.0, "u1")
    assert RuleState.from_dict(st.to_dict()) == st
    st = RuleState(AlertState.FIRING, 1.0, 1.0, None, 1.0, math.inf)
    assert st.to_dict()["last_value"] is None and RuleState.from_dict(st.to_dict()).state is AlertState.FIRING
