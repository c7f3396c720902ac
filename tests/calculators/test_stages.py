# SPDX-License-Identifier: MIT
"""The stages the orchestrators are cut into, with their typed results: the parameter objects
give the same result as the keyword form, each stage answers alone, and the typed statuses
(fouling schedule, economic interval, what history keeps, which action gives way) follow their
rules."""

from __future__ import annotations

import pytest

from condensync_tools.calculators.air_attribution import fouling_point_to_keep, last_cleanliness_since
from condensync_tools.calculators.air_inleakage import (
    DECAY_EXCESSIVE_PA_S,
    AirInleakageInputs,
    detect_air_inleakage,
    indicator_readings,
    likely_location,
    verdict,
)
from condensync_tools.calculators.errors import DomainError
from condensync_tools.calculators.fouling import (
    ECONOMIC_STATUSES,
    FoulingInputs,
    calculate_fouling_factor,
    cleaning_schedule,
    fouling_resistance_of,
)
from condensync_tools.calculators.performance import action_withdrawn


def test_air_parameter_object_matches_the_keyword_form_and_stages_answer_alone():
    x = AirInleakageInputs(dissolved_oxygen_ppb=60.0, vacuum_decay_rate=2 * DECAY_EXCESSIVE_PA_S, unit_type="pwr")
    assert detect_air_inleakage(x) == detect_air_inleakage(
        dissolved_oxygen_ppb=60.0, vacuum_decay_rate=2 * DECAY_EXCESSIVE_PA_S, unit_type="pwr"
    )
    warnings: list[str] = []
    indicators = indicator_readings(x, None, {}, warnings)
    assert [i.name for i in indicators] == ["dissolved_oxygen_ppb", "vacuum_decay_rate"]
    v = verdict(indicators, warnings)
    assert v.detected and v.severity in ("high", "severe") and v.evidence >= v.score
    location, _ = likely_location({i.name: i for i in indicators}, indicators, v.detected)
    assert location == "both"
    none = verdict([], warnings)
    assert (none.detected, none.severity, none.score) == (False, "none", 0.0)
    assert warnings[-1].startswith("no indicator given")


def test_fouling_schedule_and_economic_status_are_typed():
    r = calculate_fouling_factor(FoulingInputs(cleanliness_factor=0.70, u_clean=3000.0))
    assert cleaning_schedule(r) == (0.0, "already_at_trigger")  # 0.70 is below the 0.75 trigger
    assert r.economic_status == "not_requested" and r.economic_note is None
    r = calculate_fouling_factor(cleanliness_factor=0.90, cleaning_cost_usd=50_000.0)
    assert cleaning_schedule(r) == (None, "no_history")
    assert r.economic_status == "needs_history" and r.economic_note in r.warnings
    assert set(ECONOMIC_STATUSES) >= {r.economic_status, "computed"}
    assert r.fouling_resistance is None  # no U_clean: R_f unknown
    assert fouling_resistance_of(0.8, 2500.0) == pytest.approx(1 / (0.8 * 2500.0) - 1 / 2500.0)


def test_what_history_keeps_of_an_analysed_snapshot():
    measured = fouling_point_to_keep(0.82, 8.8e-5, confounded=False, fouling_cf=0.85, fouling_source="caller")
    assert (measured.cleanliness_factor, measured.fouling_resistance, measured.air_confounded) == (0.82, 8.8e-5, False)
    air = fouling_point_to_keep(0.51, 3.8e-4, True, 0.86, "stored_before_air_event", u_clean=3000.0)
    assert air.cleanliness_factor == 0.86 and air.air_confounded
    assert air.fouling_resistance == pytest.approx((1 / 0.86 - 1) / 3000.0)
    assert fouling_point_to_keep(0.51, 3.8e-4, True, 0.86, "fouling_trend").fouling_resistance is None
    design = fouling_point_to_keep(0.51, 3.8e-4, True, 0.85, "design_cleanliness", u_clean=3000.0)
    assert (design.cleanliness_factor, design.fouling_resistance) == (None, None)


def test_actions_that_give_way_in_an_analysis():
    assert action_withdrawn("fouling", "clean_tubes", air_confounded=True, leak_detected=True)
    assert not action_withdrawn("fouling", "clean_tubes", air_confounded=False, leak_detected=True)
    assert not action_withdrawn("vacuum", "clean_tubes", air_confounded=True, leak_detected=True)
    assert action_withdrawn("vacuum", "find_air_inleakage", air_confounded=False, leak_detected=True)
    assert not action_withdrawn("vacuum", "find_air_inleakage", air_confounded=False, leak_detected=False)
    with pytest.raises(DomainError):
        action_withdrawn("calculate_fouling_factor", "clean_tubes", True, True)


def test_last_cleanliness_since_the_last_cleaning():
    points = [(10.0, 0.80), (30.0, 0.76), (20.0, 0.78), (50.0, 0.90)]
    assert last_cleanliness_since(points) == 0.90
    assert last_cleanliness_since(points[:3], cleaned=25.0) == 0.76
    assert last_cleanliness_since(points[:3], cleaned=40.0) is None
