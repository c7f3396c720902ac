# SPDX-License-Identifier: MIT
"""Turbine backpressure correction curve: interpolation, choke clamp, validation."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from condensync_tools.calculators.constants import INHG_PA
from condensync_tools.calculators.errors import DomainError, OutOfRangeError
from condensync_tools.calculators.turbine import generic_curve, turbine_curve

RATED = 500e6  # W


@pytest.fixture(scope="module")
def curve():
    return generic_curve(RATED)


def test_generic_curve_is_marked_generic_and_documented(curve):
    assert curve.method["turbine_curve"].startswith("generic")
    assert "NOT a manufacturer" in curve.method["turbine_curve_source"]
    assert curve.choke_pressure == pytest.approx(1.2 * INHG_PA)
    assert curve.design_pressure == pytest.approx(2.0 * INHG_PA)
    assert curve.output_change(curve.design_pressure) == pytest.approx(0.0, abs=1e-6)


def test_generic_slope_about_one_percent_per_inhg_near_design(curve):
    # Shape requirement (docs/methods.md §6, unverified 0.5-2 %/inHg band): ~1 %/inHg at design.
    for lo, hi in ((1.5, 2.0), (2.0, 2.5)):
        slope = (curve.output_change(lo * INHG_PA) - curve.output_change(hi * INHG_PA)) / (hi - lo) / RATED
        assert 0.008 < slope < 0.012


def test_generic_slope_rises_at_high_backpressure(curve):
    pts = [x * 0.5 for x in range(3, 13)]  # 1.5 .. 6.0 inHgA
    slopes = [
        (curve.output_change(a * INHG_PA) - curve.output_change(b * INHG_PA)) / 0.5
        for a, b in zip(pts, pts[1:], strict=False)
    ]
    assert all(s2 > s1 for s1, s2 in zip(slopes, slopes[1:], strict=False))
    # Steepest segment bounded by the Pattanayak et al. (2019) ~2.1 %/inHg data point (derived).
    assert slopes[-1] / RATED == pytest.approx(0.022, abs=0.002)


def test_interpolation_exact_at_points_and_linear_between():
    c = turbine_curve([1.0, 2.0, 3.0], [0.01, 0.0, -0.02], 1.0, 100.0)
    assert c.output_change(2.0) == pytest.approx(0.0)
    assert c.output_change(3.0) == pytest.approx(-2.0)
    assert c.output_change(2.5) == pytest.approx(-1.0)
    assert c.output_change(1.5) == pytest.approx(0.5)


def test_power_kind_curve_in_watts():
    c = turbine_curve([3000.0, 7000.0, 12000.0], [2e6, 0.0, -5e6], 3000.0, kind="power")
    assert c.output_change(7000.0) == 0.0
    assert c.lost_output(12000.0, 7000.0) == pytest.approx(5e6)
    assert c.rated_output == 0.0


@given(st.floats(min_value=100.0, max_value=1.2 * INHG_PA))
@settings(max_examples=40, deadline=None)
def test_no_gain_below_choke(p):
    curve = generic_curve(RATED)
    assert curve.output_change(p) == curve.output_change(curve.choke_pressure)
    assert curve.lost_output(curve.choke_pressure, p) == 0.0


@given(st.floats(min_value=500.0, max_value=6.0 * INHG_PA), st.floats(min_value=500.0, max_value=6.0 * INHG_PA))
@settings(max_examples=60, deadline=None)
def test_monotone_and_lost_output_sign(p1, p2):
    curve = generic_curve(RATED)
    lo, hi = min(p1, p2), max(p1, p2)
    assert curve.output_change(hi) <= curve.output_change(lo)
    assert curve.lost_output(hi, lo) >= 0.0
    assert curve.lost_output(p1, p2) == pytest.approx(-curve.lost_output(p2, p1), abs=1e-6)
    assert curve.lost_output(p1, p1) == 0.0


def test_fraction_of_rated(curve):
    assert curve.output_change_fraction(3.0 * INHG_PA) == pytest.approx(-0.011)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(pressures=[1.0], output_change=[0.0], choke_pressure=1.0, rated_output=1.0), "turbine_curve"),
        (
            dict(pressures=[1.0, 2.0], output_change=[0.0], choke_pressure=1.0, rated_output=1.0),
            "turbine_curve",
        ),
        (
            dict(pressures=[2.0, 1.0], output_change=[0.0, -0.1], choke_pressure=1.5, rated_output=1.0),
            "turbine_curve",
        ),
        (
            dict(pressures=[1.0, 1.0], output_change=[0.0, -0.1], choke_pressure=1.0, rated_output=1.0),
            "turbine_curve",
        ),
        (
            dict(pressures=[1.0, math.nan], output_change=[0.0, -0.1], choke_pressure=1.0, rated_output=1.0),
            "turbine_curve",
        ),
        (
            dict(pressures=[-1.0, 2.0], output_change=[0.0, -0.1], choke_pressure=1.0, rated_output=1.0),
            "turbine_curve",
        ),
        (
            dict(pressures=[1.0, 2.0], output_change=[0.0, -0.1], choke_pressure=3.0, rated_output=1.0),
            "choke_pressure",
        ),
        (
            dict(pressures=[1.0, 2.0], output_change=[0.0, -0.1], choke_pressure=0.5, rated_output=1.0),
            "choke_pressure",
        ),
        (
            dict(
                pressures=[1.0, 2.0, 3.0],
                output_change=[0.0, -0.1, 0.05],
                choke_pressure=1.0,
                rated_output=1.0,
            ),
            "turbine_curve",
        ),
        (
            dict(pressures=[1.0, 2.0], output_change=[0.0, -0.1], choke_pressure=1.0, rated_output=0.0),
            "rated_output",
        ),
        (
            dict(
                pressures=[1.0, 2.0],
                output_change=[0.0, -0.1],
                choke_pressure=1.0,
                rated_output=1.0,
                kind="percent",
            ),
            "turbine_curve",
        ),
        (
            dict(
                pressures=[1.0, 2.0],
                output_change=[0.0, -0.1],
                choke_pressure=1.0,
                rated_output=-1.0,
                kind="power",
            ),
            "rated_output",
        ),
    ],
)
def test_invalid_curves(kwargs, field):
    with pytest.raises(DomainError) as exc:
        turbine_curve(**kwargs)
    assert exc.value.field == field


def test_rising_below_choke_is_allowed_and_ignored():
    c = turbine_curve([1.0, 2.0, 3.0], [0.0, 0.1, 0.0], 2.0, 1.0)  # below-choke points are clamped away
    assert c.output_change(1.0) == c.output_change(2.0) == pytest.approx(0.1)


@pytest.mark.parametrize(
    "p, err",
    [
        (6.5 * INHG_PA, OutOfRangeError),
        (0.0, DomainError),
        (-5.0, DomainError),
        (math.nan, DomainError),
        (math.inf, DomainError),
    ],
)
def test_invalid_pressures(curve, p, err):
    with pytest.raises(err) as exc:
        curve.output_change(p)
    assert exc.value.field == "condenser_pressure"


def test_fraction_needs_rating_and_generic_needs_positive_rating():
    c = turbine_curve([3000.0, 7000.0], [0.0, -1e6], 3000.0, kind="power")
    with pytest.raises(DomainError) as exc:
        c.output_change_fraction(5000.0)
    assert exc.value.field == "rated_output"
    with pytest.raises(DomainError) as exc:
        generic_curve(0.0)
    assert exc.value.field == "rated_output"
