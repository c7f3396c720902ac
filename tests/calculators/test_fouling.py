# SPDX-License-Identifier: MIT
"""Fouling calculator: R_f/CF now, TEMA allowance, trend fits, cleaning date, method, interval."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from condensync_tools.calculators.constants import (
    BTU_H_FT2_F_W_M2_K,
    FT_M,
    H_FT2_F_BTU_M2_K_W,
    INCH_M,
    f_to_k,
)
from condensync_tools.calculators.errors import DomainError, OutOfRangeError
from condensync_tools.calculators.fouling import (
    CLEANING_METHODS,
    FOULANTS,
    FoulingFit,
    calculate_fouling_factor,
    days_until_trigger,
    economic_cleaning_interval,
    fit_kern_seaton,
    fit_linear,
    recommend_cleaning_method,
    salinity_class,
    tema_fouling_resistance,
    tema_water_types,
)
from condensync_tools.calculators.turbine import generic_curve
from condensync_tools.calculators.vacuum import condenser_model, fouling_loss_function


def _all_finite(x) -> bool:
    if isinstance(x, float):
        return math.isfinite(x)
    if isinstance(x, dict):
        return all(_all_finite(v) for v in x.values())
    return True


# --- published values ------------------------------------------------------------------------


def test_foul01_tema_seawater_on_hei_clean():
    # FOUL-01 (docs/methods.md §8): U_clean 591.46, TEMA sea water 0.0005 h·ft²·°F/Btu.
    u_clean = 591.46 * BTU_H_FT2_F_W_M2_K
    u_fouled = 1.0 / (1.0 / u_clean + 0.0005 * H_FT2_F_BTU_M2_K_W)
    assert u_fouled / BTU_H_FT2_F_W_M2_K == pytest.approx(456.5, abs=0.3)
    r = calculate_fouling_factor(
        u_actual=u_fouled,
        u_clean=u_clean,
        water_type="sea",
        water_temp=f_to_k(90.0),
        tube_velocity=7.0 * FT_M,
    )
    assert r.cleanliness_factor == pytest.approx(0.772, abs=0.002)
    assert r.fouling_resistance == pytest.approx(8.81e-5, rel=0.01)
    assert r.tema.fouling_resistance_ip == 0.0005
    assert r.tema.fouling_resistance == pytest.approx(8.81e-5, rel=0.01)


@pytest.mark.parametrize(
    "water, t_f, v_ft_s, expected",
    [
        # TEMA RGP-T-2.4 (docs/methods.md §5.1), h·ft²·°F/Btu
        ("sea", 90.0, 7.0, 0.0005),
        ("sea", 130.0, 7.0, 0.001),
        ("brackish", 90.0, 2.0, 0.002),
        ("brackish", 90.0, 7.0, 0.001),
        ("cooling_tower_untreated", 130.0, 7.0, 0.004),
        ("cooling_tower_untreated", 130.0, 2.0, 0.005),
        ("river_average", 130.0, 2.0, 0.004),
        ("river_minimum", 90.0, 7.0, 0.001),
        ("muddy_silty", 90.0, 7.0, 0.002),
        ("hard", 130.0, 7.0, 0.005),
        ("city_well", 130.0, 2.0, 0.002),
        ("treated_boiler_feed", 90.0, 7.0, 0.0005),
    ],
)
def test_tema_table(water, t_f, v_ft_s, expected):
    assert tema_fouling_resistance(water, f_to_k(t_f), v_ft_s * FT_M).fouling_resistance_ip == expected


def test_tema_column_boundaries_and_defaults():
    # exactly 125 °F and exactly 3 ft/s fall in the "and less" columns
    a = tema_fouling_resistance("river_average", f_to_k(125.0), 3.0 * FT_M)
    assert a.column == "le125F_le3fps" and a.fouling_resistance_ip == 0.003
    b = tema_fouling_resistance("river_average")
    assert b.column == "le125F_gt3fps" and len(b.notes) == 2
    assert len(tema_water_types()) >= 13


def test_salinity_class_mapping():
    assert salinity_class("sea") == "sea"
    assert salinity_class("fresh") == "fresh"
    assert salinity_class("cooling_tower_treated") == "fresh"
    assert salinity_class("brackish") == "brackish"


# --- fits recover the generating parameters ------------------------------------------------


@given(r0=st.floats(0.0, 0.1), beta=st.floats(1e-4, 5e-3), n=st.integers(3, 40), step=st.floats(1.0, 15.0))
@settings(max_examples=30, deadline=None)
def test_linear_fit_recovers_parameters(r0, beta, n, step):
    t = np.arange(n) * step
    fit = fit_linear(t, r0 + beta * t)
    assert fit.params["beta"] == pytest.approx(beta, rel=1e-8)
    assert fit.params["r0"] == pytest.approx(r0, abs=1e-10)
    assert fit.r2 == pytest.approx(1.0, abs=1e-9)
    assert fit.rmse < 1e-10


@given(r_inf=st.floats(0.02, 0.5), tau=st.floats(10.0, 200.0), n=st.integers(6, 40), span_tau=st.floats(1.0, 5.0))
@settings(max_examples=30, deadline=None)
def test_kern_seaton_fit_recovers_parameters(r_inf, tau, n, span_tau):
    t = np.linspace(0.0, span_tau * tau, n)
    y = r_inf * -np.expm1(-t / tau)
    fit = fit_kern_seaton(t, y)
    assert fit.params["r_inf"] == pytest.approx(r_inf, rel=1e-5)
    assert fit.params["tau"] == pytest.approx(tau, rel=1e-5)
    assert fit.r2 == pytest.approx(1.0, abs=1e-9)
    # and the asymptotic model is the one chosen over the straight line
    r = calculate_fouling_factor(history_days=t, history_values=1.0 / (1.0 + y))
    assert r.selected_model == "kern_seaton"


@given(r0=st.floats(0.0, 0.1), beta=st.floats(1e-4, 5e-3), n=st.integers(5, 30))
@settings(max_examples=20, deadline=None)
def test_linear_history_selects_linear(r0, beta, n):
    t = np.arange(n) * 7.0
    r = calculate_fouling_factor(history_days=t, history_values=1.0 / (1.0 + r0 + beta * t))
    assert r.selected_model == "linear"
    assert r.fits["linear"].params["beta"] == pytest.approx(beta, rel=1e-6)


@given(st.lists(st.floats(0.3, 1.2), min_size=3, max_size=25), st.floats(0.5, 0.95))
@settings(max_examples=40, deadline=None)
def test_random_histories_never_nan(cfs, trigger):
    t = np.arange(len(cfs)) * 5.0
    r = calculate_fouling_factor(
        history_days=t,
        history_values=cfs,
        trigger_cleanliness=trigger,
        u_clean=3000.0,
        cleaning_cost_usd=1e5,
        power_price_usd_per_mwh=40.0,
        lost_power_per_fouling=1e10,
    )
    assert r.days_until_cleaning is None or (math.isfinite(r.days_until_cleaning) and r.days_until_cleaning >= 0)
    assert r.days_until_cleaning is not None or r.days_until_cleaning_reason
    for fit in r.fits.values():
        assert all(math.isfinite(v) for v in (fit.sse, fit.rmse, fit.r2, fit.adj_r2, fit.aic))
        assert _all_finite(fit.params)
    if r.economic is not None and r.economic.interval_days is not None:
        assert math.isfinite(r.economic.interval_days) and math.isfinite(r.economic.cost_usd_per_day)


# --- cleaning date ---------------------------------------------------------------------------


def _fit(model, **p):
    return FoulingFit(model, "fouling_index", p, 10, 0.0, 0.0, 1.0, 1.0, 0.0)


def test_days_until_trigger_closed_forms():
    # docs/methods.md §5.2 (3)-(4): linear (target - now)/beta; asymptotic -tau*ln(1 - target/R_inf)
    assert days_until_trigger(_fit("linear", r0=0.0, beta=0.002), 0.1, 0.3).days == pytest.approx(100.0)
    ks = _fit("kern_seaton", r_inf=0.5, tau=60.0)
    assert days_until_trigger(ks, 0.0, 0.3).days == pytest.approx(-60.0 * math.log(1 - 0.3 / 0.5))
    # from the level reached at t = 30 d, the remaining time is the same curve shifted by 30 d
    assert days_until_trigger(ks, 0.5 * -math.expm1(-0.5), 0.3).days == pytest.approx(
        -60.0 * math.log(1 - 0.3 / 0.5) - 30.0
    )


def test_never_reached_reasons_not_nan():
    r = days_until_trigger(_fit("kern_seaton", r_inf=0.2, tau=30.0), 0.1, 0.3)
    assert r.days is None and "asymptote" in r.reason
    r = days_until_trigger(_fit("linear", r0=0.1, beta=-0.001), 0.1, 0.3)
    assert r.days is None and r.status == "not_reached_slope" and r.rate == -0.001
    r = days_until_trigger(_fit("linear", r0=0.1, beta=0.0), 0.1, 0.3)
    assert r.days is None


def test_cleaning_due_now_and_within_window():
    t = np.arange(0, 100, 10.0)
    y = 0.002 * t
    r = calculate_fouling_factor(cleanliness_factor=0.7, history_days=t, history_values=1 / (1 + y))
    assert r.cleaning_due and r.days_until_cleaning == 0.0
    # CF 0.80 now (y = 0.25), trigger 0.75 (y = 1/3): (1/3 - 0.25)/0.002 = 41.7 d
    r = calculate_fouling_factor(cleanliness_factor=0.8, history_days=t, history_values=1 / (1 + y))
    assert r.days_until_cleaning == pytest.approx((1 / 0.75 - 1 / 0.8) / 0.002)
    assert not r.cleaning_due
    r = calculate_fouling_factor(
        cleanliness_factor=0.8, history_days=t, history_values=1 / (1 + y), due_window_days=45.0
    )
    assert r.cleaning_due


def test_rf_history_with_u_clean_uses_rf_target():
    u_clean = 3000.0
    t = np.arange(0, 60, 6.0)
    rf = 1e-7 * t
    r = calculate_fouling_factor(u_clean=u_clean, history_days=t, history_values=rf, history_kind="fouling_resistance")
    target = 1 / (0.75 * u_clean) - 1 / u_clean
    assert r.trigger_level == pytest.approx(target)
    assert r.days_until_cleaning == pytest.approx((target - rf[-1]) / 1e-7, rel=1e-6)
    r = calculate_fouling_factor(history_days=t, history_values=rf, history_kind="fouling_resistance")
    assert r.days_until_cleaning is None and "u_clean" in r.days_until_cleaning_reason


def test_measurement_path_reuses_heat_transfer():
    m = condenser_model(1.0 * INCH_M, 22, 20000, "titanium", tube_passes=2, tube_length=12.0)
    snap = m.heat_transfer_inputs(f_to_k(75.0), f_to_k(93.0), 7.0 * FT_M * m.bundle.flow_area, 2.2 * 3386.389)
    r = calculate_fouling_factor(measurement=snap, water_type="cooling_tower_treated")
    assert r.cleanliness_factor == pytest.approx(r.u_actual / r.u_clean)
    assert r.fouling_resistance == pytest.approx(1 / r.u_actual - 1 / r.u_clean)
    assert r.tema.column == "le125F_gt3fps"


# --- cleaning method -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "foulant, trend, method",
    [
        ("biofilm", None, "online_ball_cleaning"),
        ("silt", None, "online_ball_cleaning"),
        ("scale", None, "brushes_scrapers"),
        ("macrofouling", None, "debris_filter"),
        ("corrosion_products", None, "chemical_cleaning"),
        ("unknown", "kern_seaton", "online_ball_cleaning"),
        ("unknown", "linear", "brushes_scrapers"),
        ("unknown", None, "brushes_scrapers"),
    ],
)
def test_cleaning_method_rules(foulant, trend, method):
    rec = recommend_cleaning_method(foulant, trend)
    assert rec.method == method
    assert set(rec.alternatives) <= set(CLEANING_METHODS)
    assert "air binding" in rec.reason


def test_low_velocity_note():
    assert "1.5 m/s" in recommend_cleaning_method("silt", None, tube_velocity=1.0).reason
    assert set(FOULANTS) >= {"biofilm", "silt", "scale", "macrofouling", "corrosion_products", "unknown"}


# --- economic interval -----------------------------------------------------------------------


def test_economic_interval_closed_form_and_numeric_agree():
    c, price, k, beta = 60000.0, 50.0, 2e10, 4e-7
    closed = economic_cleaning_interval(lambda t: beta * t, c, price, lost_power_per_fouling=k, linear_beta=beta)
    a = price * 24 / 1e6 * k * beta
    assert closed.interval_days == pytest.approx(math.sqrt(2 * c / a))
    assert closed.cost_usd_per_day == pytest.approx(math.sqrt(2 * c * a))
    numeric = economic_cleaning_interval(lambda t: beta * t, c, price, lost_power_fn=lambda r: k * r)
    assert numeric.interval_days == pytest.approx(closed.interval_days, abs=1.0)
    assert numeric.cost_usd_per_day == pytest.approx(closed.cost_usd_per_day, rel=1e-3)


def test_economic_interval_none_when_loss_never_pays():
    r = economic_cleaning_interval(lambda t: 1e-6 * -math.expm1(-t / 10.0), 1e6, 30.0, lost_power_per_fouling=1e9)
    assert r.interval_days is None and "horizon" in r.reason
    r = economic_cleaning_interval(lambda t: 1e-6 * t, 1e5, 30.0, lost_power_per_fouling=0.0)
    assert r.interval_days is None


def test_economic_interval_below_choke_gives_no_loss():
    m = condenser_model(1.0 * INCH_M, 22, 20000, "titanium", tube_passes=2, tube_length=12.0)
    loss = fouling_loss_function(
        m,
        generic_curve(500e6),
        cw_inlet_temp=f_to_k(40.0),
        cw_flow=9.0 * FT_M * m.bundle.flow_area,
        heat_duty=150e6,
    )
    assert loss(2e-5) == 0.0  # still below the choke point: no turbine gain lost
    r = economic_cleaning_interval(lambda t: 1e-8 * t, 5e4, 40.0, lost_power_fn=loss, max_interval_days=200.0)
    assert r.interval_days is None


def test_full_chain_with_cost_inputs():
    t = np.arange(0, 120, 10.0)
    y = 0.25 * -np.expm1(-t / 40.0)
    r = calculate_fouling_factor(
        cleanliness_factor=1 / (1 + y[-1]),
        u_clean=3000.0,
        history_days=t,
        history_values=1 / (1 + y),
        cleaning_cost_usd=4e4,
        power_price_usd_per_mwh=50.0,
        lost_power_per_fouling=3e10,
    )
    assert r.selected_model == "kern_seaton"
    assert r.economic is not None and r.economic.interval_days is not None
    assert 1.0 < r.economic.interval_days < 3650.0
    assert r.recommended_method == "online_ball_cleaning"


# --- invalid inputs -------------------------------------------------------------------------

T3 = [0.0, 10.0, 20.0]


def test_short_unsorted_or_negative_times_give_a_status():
    # times on any origin, any order: too short for a trend is a status, not an error
    for days in ([0.0, 1.0], [0.0, 20.0, 10.0], [-5.0, 10.0, 20.0]):
        r = calculate_fouling_factor(history_days=days, history_values=[0.9, 0.8, 0.7][: len(days)])
        assert r.trend_status == "insufficient_history" and r.days_until_cleaning is None
        assert "daily points" in r.trend_reason


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(history_days=T3, history_values=[0.9, 0.8]), "history"),
        (dict(history_days=T3, history_values=[0.9, math.nan, 0.7]), "history"),
        (dict(history_days=T3, history_values=[90.0, 85.0, 80.0]), "history"),
        (dict(history_days=T3), "history"),
        (dict(history_days=T3, history_values=[0.9, 0.8, 0.7], history_kind="percent"), "history"),
        (dict(trigger_cleanliness=0.0), "trigger_cleanliness"),
        (dict(trigger_cleanliness=75.0), "trigger_cleanliness"),
        (dict(due_window_days=-1.0), "due_window_days"),
        (dict(u_actual=-2000.0, u_clean=3000.0), "u_actual"),
        (dict(u_actual=2000.0, u_clean=0.0), "u_clean"),
        (dict(u_actual=5000.0, u_clean=3000.0), "u_actual"),
        (dict(cleanliness_factor=0.0), "cleanliness_factor"),
        (dict(cleanliness_factor=85.0), "cleanliness_factor"),
        (dict(foulant="barnacles"), "foulant"),
        (dict(water_type="lake_of_fire"), "water_type"),
        (dict(trigger_fouling_resistance=-1.0), "trigger_fouling_resistance"),
    ],
)
def test_invalid_inputs(kwargs, field):
    with pytest.raises((DomainError, OutOfRangeError)) as exc:
        calculate_fouling_factor(**kwargs)
    assert exc.value.field == field


@pytest.mark.parametrize(
    "args, kwargs, field",
    [
        ((lambda t: t, 0.0, 50.0), dict(lost_power_per_fouling=1.0), "cleaning_cost_usd"),
        ((lambda t: t, 1e4, -50.0), dict(lost_power_per_fouling=1.0), "power_price_usd_per_mwh"),
        ((lambda t: t, 1e4, 50.0), dict(), "lost_power_per_fouling"),
        (
            (lambda t: t, 1e4, 50.0),
            dict(lost_power_per_fouling=1.0, lost_power_fn=lambda r: r),
            "lost_power_per_fouling",
        ),
        ((lambda t: t, 1e4, 50.0), dict(lost_power_per_fouling=-1.0), "lost_power_per_fouling"),
        (
            (lambda t: t, 1e4, 50.0),
            dict(lost_power_per_fouling=1.0, max_interval_days=1.0),
            "max_interval_days",
        ),
    ],
)
def test_invalid_economic_inputs(args, kwargs, field):
    with pytest.raises(DomainError) as exc:
        economic_cleaning_interval(*args, **kwargs)
    assert exc.value.field == field


def test_invalid_tema_lookups():
    with pytest.raises(OutOfRangeError) as exc:
        tema_fouling_resistance("fresh")
    assert exc.value.field == "water_type"
    with pytest.raises(DomainError) as exc:
        tema_fouling_resistance("sea", velocity=-1.0)
    assert exc.value.field == "tube_velocity"
    with pytest.raises(OutOfRangeError) as exc:
        recommend_cleaning_method("silt", "cubic")
    assert exc.value.field == "trend_model"
