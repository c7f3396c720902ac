# SPDX-License-Identifier: MIT
"""Performance score formula, action ranking and the shared economics helpers."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from condensync_tools.calculators.constants import INHG_PA
from condensync_tools.calculators.economics import (
    Action,
    check_price,
    energy_cost_usd,
    rank_actions,
    usd_per_day,
    usd_per_hour,
    usd_per_year,
)
from condensync_tools.calculators.errors import DomainError
from condensync_tools.calculators.performance import SCORE_WEIGHTS, performance_score, top_actions


def test_economics_unit_arithmetic():
    # 1 MW for 24 h at 50 USD/MWh = 1200 USD (1 MWh = 1e6 W x 1 h)
    assert energy_cost_usd(1e6, 24.0, 50.0) == pytest.approx(1200.0)
    assert usd_per_day(1e6, 50.0) == pytest.approx(1200.0)
    assert usd_per_hour(2.5e6, 40.0) == pytest.approx(100.0)
    assert usd_per_year(1e6, 50.0) == pytest.approx(50.0 * 8760)
    assert usd_per_year(1e6, 50.0, 7000.0) == pytest.approx(350000.0)
    assert check_price(None) is None and check_price(0.0) == 0.0


def test_perfect_condenser_scores_100():
    s = performance_score(
        cleanliness_factor=0.9,
        target_cleanliness=0.85,
        backpressure_excess=-100.0,
        air_evidence=0.0,
        days_until_cleaning=400.0,
    )
    assert s.score == pytest.approx(100.0) and s.grade == "excellent"
    assert set(s.components) == set(SCORE_WEIGHTS)


def test_score_formula_components():
    # CF 0.675 on a 0.85 target is half-way down the 0.35 span; 0.5 inHg excess; E = 0.25; due
    s = performance_score(
        cleanliness_factor=0.675,
        target_cleanliness=0.85,
        backpressure_excess=0.5 * INHG_PA,
        air_evidence=0.25,
        cleaning_due=True,
    )
    assert s.components["cleanliness"]["subscore"] == pytest.approx(0.5)
    assert s.components["backpressure"]["subscore"] == pytest.approx(0.5)
    assert s.components["air_inleakage"]["subscore"] == pytest.approx(0.75)
    assert s.components["fouling_trend"]["subscore"] == 0.0
    assert s.score == pytest.approx(100 * (0.35 * 0.5 + 0.35 * 0.5 + 0.2 * 0.75 + 0.1 * 0.0))
    assert s.grade == "poor"


def test_missing_components_are_reweighted():
    s = performance_score(cleanliness_factor=0.5, target_cleanliness=0.85, trigger_never_reached=True)
    assert s.score == pytest.approx(100 * (0.35 * 0.0 + 0.1 * 1.0) / 0.45)
    assert any("missing" in w for w in s.warnings)


@given(
    cf=st.floats(0.05, 1.5),
    excess=st.floats(-5000.0, 20000.0),
    air=st.floats(0.0, 1.0),
    days=st.none() | st.floats(0.0, 5000.0),
)
@settings(max_examples=50, deadline=None)
def test_score_bounded_and_monotone(cf, excess, air, days):
    s = performance_score(
        cleanliness_factor=cf,
        target_cleanliness=0.85,
        backpressure_excess=excess,
        air_evidence=air,
        days_until_cleaning=days,
    )
    assert 0.0 <= s.score <= 100.0 and math.isfinite(s.score)
    worse = performance_score(
        cleanliness_factor=cf,
        target_cleanliness=0.85,
        backpressure_excess=excess + 500.0,
        air_evidence=air,
        days_until_cleaning=days,
    )
    assert worse.score <= s.score


def _a(name, w, usd):
    return Action(name, name, w, usd, "test")


def test_top_actions_rank_by_value_and_dedupe():
    acts = [
        _a("a", 1e6, 100.0),
        _a("b", 3e6, 300.0),
        _a("c", 2e6, 200.0),
        _a("d", 0.5e6, 50.0),
        _a("b", 1e5, 10.0),
        _a("e", 9e6, None),
    ]
    top = top_actions(acts)
    assert [x.action for x in top] == ["b", "c", "a"]
    assert top[0].value_usd_per_day == 300.0
    # without prices the ranking falls back to W
    assert [x.action for x in rank_actions([_a("x", 1.0, None), _a("y", 2.0, None)])] == ["y", "x"]
    assert top_actions([]) == []
    # an action held from first place gives way to the most valuable other one, keeps its place after
    assert [x.action for x in top_actions(acts, not_first=("b",))] == ["c", "b", "a"]
    assert [x.action for x in top_actions(acts, not_first=("c",))] == ["b", "c", "a"]
    assert [x.action for x in top_actions([_a("b", 1.0, 1.0)], not_first=("b",))] == ["b"]


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(), "cleanliness_factor"),
        (dict(cleanliness_factor=0.8), "target_cleanliness"),
        (dict(cleanliness_factor=85.0, target_cleanliness=0.85), "cleanliness_factor"),
        (dict(cleanliness_factor=0.8, target_cleanliness=0.0), "target_cleanliness"),
        (dict(cleanliness_factor=math.inf, target_cleanliness=0.85), "cleanliness_factor"),
        (dict(backpressure_excess=math.nan), "backpressure_deviation"),
        (dict(air_evidence=1.5), "air_evidence"),
        (dict(air_evidence=-0.1), "air_evidence"),
        (dict(days_until_cleaning=-3.0), "days_until_cleaning"),
        (dict(days_until_cleaning=math.nan), "days_until_cleaning"),
    ],
)
def test_invalid_inputs(kwargs, field):
    with pytest.raises(DomainError) as exc:
        performance_score(**kwargs)
    assert exc.value.field == field


@pytest.mark.parametrize("price", [-1.0, math.nan, math.inf])
def test_invalid_price(price):
    with pytest.raises(DomainError) as exc:
        check_price(price)
    assert exc.value.field == "power_price_usd_per_mwh"


def test_each_indicator_has_its_own_subscore():
    """One function per indicator, each a typed Subscore (None when the indicator is absent);
    performance_score is their weighted mean."""
    from condensync_tools.calculators import performance as perf

    assert perf.cleanliness_subscore(None, 0.85) is None
    assert perf.cleanliness_subscore(0.85, 0.85) == perf.Subscore(1.0, 0.85)
    assert perf.cleanliness_subscore(0.50, 0.85).value == pytest.approx(0.0, abs=1e-12)
    assert perf.backpressure_subscore(0.5 * INHG_PA).value == pytest.approx(0.5)
    assert perf.backpressure_subscore(-100.0).value == 1.0
    assert perf.air_subscore(0.25) == perf.Subscore(0.75, 0.25)
    assert perf.fouling_trend_subscore(90.0, True, False) == perf.Subscore(0.0, "cleaning due")
    assert perf.fouling_trend_subscore(None, False, True).value == 1.0
    assert perf.fouling_trend_subscore(90.0, False, False).value == pytest.approx(0.5)
    assert perf.fouling_trend_subscore(None, None, False) is None
    parts = {"cleanliness": 0.6, "backpressure": 0.5, "air_inleakage": 0.75, "fouling_trend": 0.5}
    s = perf.performance_score(
        cleanliness_factor=0.85 - 0.4 * perf.CF_SPAN,
        target_cleanliness=0.85,
        backpressure_excess=0.5 * INHG_PA,
        air_evidence=0.25,
        days_until_cleaning=90.0,
    )
    expected = 100.0 * sum(perf.SCORE_WEIGHTS[c] * v for c, v in parts.items()) / sum(perf.SCORE_WEIGHTS.values())
    assert s.score == pytest.approx(expected, rel=1e-12)
