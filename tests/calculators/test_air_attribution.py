# SPDX-License-Identifier: MIT
"""Air versus fouling: the backpressure split at an independent fouling cleanliness, the choice
of that cleanliness (trend, history, stored before the air event, design), the air-event
window in stored history, and the confounding / cleaning-due rules."""

from __future__ import annotations

import pytest

from condensync_tools.calculators.air_attribution import (
    AIR_EVENT_GUARD_S,
    air_confounded,
    attribute_air_and_fouling,
    cleaning_due_despite_air,
    cleanliness_before_air_event,
    expected_fouling_cleanliness,
)
from condensync_tools.calculators.constants import GPM_M3_S, INCH_M, INHG_PA, f_to_k
from condensync_tools.calculators.errors import DomainError
from condensync_tools.calculators.heat_transfer import analyse_heat_transfer
from condensync_tools.calculators.turbine import turbine_curve
from condensync_tools.calculators.vacuum import condenser_model, expected_backpressure

FT = 0.3048
#: The 620 MW unit of the tool tests: 32,000 admiralty 1 in 18 BWG tubes, 400 plugged, 2 passes, 40 ft.
MODEL = condenser_model(1.0 * INCH_M, 18, 32000, "admiralty", tube_passes=2, tube_length=40.0 * FT, plugged_tubes=400)
T_IN, T_OUT, FLOW = f_to_k(78.0), f_to_k(97.5), 232000 * GPM_M3_S
CURVE = turbine_curve(
    [p * INHG_PA for p in (1.0, 1.3, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0)],
    [0.004, 0.004, 0.0032, 0.0, -0.0055, -0.0115, -0.018, -0.025, -0.041],
    1.3 * INHG_PA,
    620e6,
)


def _snapshot(p_inhg: float):
    """(measured CF, duty) of the snapshot at ``p_inhg`` (same CW temperatures and flow)."""
    ht = analyse_heat_transfer(MODEL.heat_transfer_inputs(T_IN, T_OUT, FLOW, p_inhg * INHG_PA))
    return ht.cleanliness_factor, ht.heat_duty


def _split(p_inhg: float, cf_fouling: float, target: float = 0.85):
    _, duty = _snapshot(p_inhg)
    return attribute_air_and_fouling(
        MODEL,
        cw_inlet_temp=T_IN,
        cw_flow=FLOW,
        heat_duty=duty,
        measured_backpressure=p_inhg * INHG_PA,
        fouling_cleanliness=cf_fouling,
        target_cleanliness=target,
        turbine=CURVE,
        power_price_usd_per_mwh=45.0,
    )


def test_air_bound_snapshot_splits_into_air_and_fouling_that_sum_to_the_excess():
    a = _split(2.6, 0.80)
    # the shares add up exactly to measured − achievable
    assert a.air_backpressure + a.fouling_backpressure == pytest.approx(
        a.measured_backpressure - a.achievable_backpressure, abs=1e-9
    )
    assert a.air_backpressure > 0.4 * INHG_PA and a.fouling_backpressure > 0.0
    # expected backpressure is the chain's own value at the fouling CF (no second copy of it)
    chain = expected_backpressure(MODEL, T_IN, FLOW, _snapshot(2.6)[1], cleanliness_factor=0.80).backpressure
    assert a.expected_backpressure == chain
    # each share valued on the turbine curve, USD/day = MW × 24 h × price
    assert a.air_lost_output == pytest.approx(CURVE.lost_output(a.measured_backpressure, a.expected_backpressure))
    assert a.air_lost_output > 1e6 and a.air_usd_per_day == pytest.approx(a.air_lost_output / 1e6 * 24 * 45.0)
    assert a.fouling_lost_output == pytest.approx(CURVE.lost_output(a.expected_backpressure, a.achievable_backpressure))


def test_no_air_share_when_the_fouling_cleanliness_is_the_measured_one():
    cf, _ = _snapshot(2.25)
    a = _split(2.25, cf)
    assert abs(a.air_backpressure) < 1e-3  # Pa: the chain closes on its own measurement
    assert a.air_lost_output == pytest.approx(0.0, abs=1.0)


def test_measured_below_expected_is_valued_zero_not_negative():
    a = _split(2.0, 0.85)
    assert a.air_backpressure < 0.0 and a.air_lost_output == 0.0


def test_no_curve_no_value():
    _, duty = _snapshot(2.6)
    a = attribute_air_and_fouling(
        MODEL,
        cw_inlet_temp=T_IN,
        cw_flow=FLOW,
        heat_duty=duty,
        measured_backpressure=2.6 * INHG_PA,
        fouling_cleanliness=0.85,
        target_cleanliness=0.85,
    )
    assert a.air_lost_output is None and a.air_usd_per_day is None and a.air_backpressure > 0.0


def test_bad_measured_pressure_is_named():
    with pytest.raises(DomainError, match="condenser_pressure"):
        attribute_air_and_fouling(
            MODEL,
            cw_inlet_temp=T_IN,
            cw_flow=FLOW,
            heat_duty=1e9,
            measured_backpressure=float("nan"),
            fouling_cleanliness=0.85,
            target_cleanliness=0.85,
        )


def test_fouling_cleanliness_prefers_the_trend_then_history_then_stored_then_design():
    # calculate_fouling_factor's trend_cleanliness_factor (branch `cycles`) passes through here
    fouling_part = {"cleanliness_factor": 0.45, "trend_cleanliness_factor": 0.78, "trend_status": "ok"}
    assert expected_fouling_cleanliness(
        design=0.85,
        trend=fouling_part.get("trend_cleanliness_factor"),
        history_before_air_event=0.85,
        stored_before_air_event=0.83,
    ) == (0.78, "fouling_trend")
    no_trend = {"cleanliness_factor": 0.45, "trend_status": "insufficient_history"}
    assert expected_fouling_cleanliness(
        design=0.85,
        trend=no_trend.get("trend_cleanliness_factor"),
        history_before_air_event=0.84,
        stored_before_air_event=0.83,
    ) == (0.84, "history_before_air_event")
    assert expected_fouling_cleanliness(design=0.85, stored_before_air_event=0.83) == (0.83, "stored_before_air_event")
    assert expected_fouling_cleanliness(design=0.85) == (0.85, "design_cleanliness")
    assert expected_fouling_cleanliness(design=0.85, caller=0.7, trend=0.78) == (0.7, "caller")
    with pytest.raises(DomainError, match="cleanliness_factor"):
        expected_fouling_cleanliness(design=0.85, trend=85.0)


def test_stored_cleanliness_before_the_current_air_event():
    day = 86400.0
    points = [(0.0, 0.88), (10 * day, 0.86), (20 * day, 0.85), (29.9 * day, 0.61), (30.5 * day, 0.45)]
    # air diagnoses: clean until day 25, leak detected from day 30 on
    air = [(5 * day, False), (25 * day, False), (30 * day, True), (31 * day, True)]
    # event starts at day 30; points within the 1-day guard before it (day 29.9) and after are skipped
    assert cleanliness_before_air_event(points, air) == 0.85
    assert AIR_EVENT_GUARD_S == day
    # no current event (last diagnosis clean): the latest point counts
    assert cleanliness_before_air_event(points, air + [(32 * day, False)]) == 0.45
    assert cleanliness_before_air_event(points, []) == 0.45
    # nothing before the event: None (the caller falls back to design)
    assert cleanliness_before_air_event([(30.5 * day, 0.45)], air) is None


def test_confounded_with_a_leak_whenever_the_measured_cf_lies_below_the_fouling_cf():
    assert air_confounded(True, 0.13 * INHG_PA)
    # inside the ±0.12 inHg PTC 12.2 pressure uncertainty, yet near choke and at low CW flow enough
    # to move the measured CF by 0.15: a detected leak confounds any CF drop below the fouling CF
    assert air_confounded(True, 0.11 * INHG_PA)
    assert air_confounded(True, 0.01 * INHG_PA)
    assert not air_confounded(True, 0.0)  # measured CF = fouling CF: air explains no CF drop
    assert not air_confounded(True, -0.05 * INHG_PA)  # measured CF above the fouling CF
    assert not air_confounded(False, 0.5 * INHG_PA)  # no leak indicated: the CF drop is fouling
    assert not air_confounded(True, None)


def test_cleaning_stays_due_only_if_the_fouling_cleanliness_reaches_the_trigger():
    assert not cleaning_due_despite_air(True, 0.85, 0.65)  # the CF drop is air: not due
    assert cleaning_due_despite_air(True, 0.64, 0.65)  # fouled as well as air-bound: due
    assert not cleaning_due_despite_air(False, 0.60, 0.65)
