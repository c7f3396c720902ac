# SPDX-License-Identifier: MIT
"""Vacuum calculator: expected/achievable backpressure, closure, deviation split, value."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from condensync_tools.calculators import heat_transfer, water
from condensync_tools.calculators.constants import (
    BTU_H_FT2_F_W_M2_K,
    BTU_J,
    FT_M,
    INCH_M,
    INHG_PA,
    LB_KG,
    f_to_k,
    k_to_f,
)
from condensync_tools.calculators.errors import CalculationError, DomainError, OutOfRangeError
from condensync_tools.calculators.turbine import generic_curve
from condensync_tools.calculators.vacuum import (
    DEVIATION_ORDER,
    HEI_STEAM_HEAT_RELEASE_J_KG,
    DesignPoint,
    condenser_model,
    expected_backpressure,
    fouling_loss_coefficient,
    heat_duty_from_steam_flow,
    optimize_vacuum_pressure,
)

CLOSURE_PA = 0.01 * INHG_PA  # 0.01 inHg


def _model(material="titanium", gauge=22):
    return condenser_model(1.0 * INCH_M, gauge, 20000, material, tube_passes=2, tube_length=12.0)


MODEL = _model()
Q_DESIGN = 7.0 * FT_M * MODEL.bundle.flow_area  # 7 ft/s
SNAP = dict(
    cw_inlet_temp=f_to_k(75.0),
    cw_outlet_temp=f_to_k(93.0),
    cw_flow=Q_DESIGN,
    condenser_pressure=2.2 * INHG_PA,
)
TURBINE = generic_curve(500e6)


def _measured(snap=SNAP, model=MODEL):
    return heat_transfer.analyse_heat_transfer(
        model.heat_transfer_inputs(
            snap["cw_inlet_temp"], snap["cw_outlet_temp"], snap["cw_flow"], snap["condenser_pressure"]
        )
    )


# --- published / physics values -------------------------------------------------------------


@pytest.mark.parametrize(
    "p_inhg, t_f",
    [
        (1.0, 79.0),
        (1.5, 91.68),
        (2.0, 101.1),
        (2.5, 108.66),
        (3.0, 115.01),
        (3.5, 120.51),
        (4.0, 125.37),
        (5.0, 133.71),
    ],
)
def test_vac02_saturation_conversions(p_inhg, t_f):
    # VAC-02 (docs/methods.md §8): IAPWS-IF97 region 4 via iapws 1.5.5, 1 inHg = 3.386389 kPa.
    assert k_to_f(water.saturation_temperature(p_inhg * INHG_PA)) == pytest.approx(t_f, abs=0.02)


def test_hei_950_btu_per_lb_steam_duty():
    # HEI 9th ed. def. 2.5: 950 Btu/lb turbine service (docs/methods.md §1.6).
    assert HEI_STEAM_HEAT_RELEASE_J_KG == pytest.approx(950.0 * BTU_J / LB_KG)
    assert HEI_STEAM_HEAT_RELEASE_J_KG == pytest.approx(2.2097e6, rel=1e-4)
    assert heat_duty_from_steam_flow(100.0) == pytest.approx(100.0 * 2.2097e6, rel=1e-4)


def test_ht05_hei_clean_u_at_reference_conditions():
    # HT-05 (docs/methods.md §8): 1 in OD 18 BWG admiralty, 7 ft/s, 70 °F, Fw = Fm = 1:
    # U1 = 263*sqrt(7) = 695.8, U_design (Fc 0.85) = 591.5 Btu/(h·ft²·°F).
    m = _model("admiralty", 18)
    q = 7.0 * FT_M * m.bundle.flow_area
    st_ = expected_backpressure(m, f_to_k(70.0), q, 300e6, cleanliness_factor=0.85)
    assert st_.u_clean / BTU_H_FT2_F_W_M2_K == pytest.approx(695.8, abs=0.5)
    assert st_.u / BTU_H_FT2_F_W_M2_K == pytest.approx(591.5, abs=0.5)
    assert st_.tube_velocity == pytest.approx(7.0 * FT_M)


def test_effectiveness_identities():
    s = expected_backpressure(MODEL, f_to_k(75.0), Q_DESIGN, 380e6, cleanliness_factor=0.8)
    assert s.ttd == pytest.approx(s.temperature_rise / math.expm1(s.ntu), rel=1e-12)
    assert s.saturation_temp == pytest.approx(s.cw_inlet_temp + s.temperature_rise + s.ttd, abs=1e-9)
    assert s.backpressure == pytest.approx(water.saturation_pressure(s.saturation_temp), rel=1e-12)
    assert s.heat_duty == pytest.approx(s.cw_mass_flow * s.cw_cp * s.temperature_rise, rel=1e-12)
    assert s.cleanliness_factor == pytest.approx(0.8, rel=1e-12)
    assert s.fouling_resistance == pytest.approx(1 / s.u - 1 / s.u_clean, rel=1e-12)


def test_fouling_resistance_form_equals_cf_form():
    a = expected_backpressure(MODEL, f_to_k(75.0), Q_DESIGN, 380e6, cleanliness_factor=0.8)
    b = expected_backpressure(MODEL, f_to_k(75.0), Q_DESIGN, 380e6, fouling_resistance=a.fouling_resistance)
    assert b.backpressure == pytest.approx(a.backpressure, abs=1e-3)


# --- closure: measured cleanliness fed back reproduces the measured pressure ------------------


def test_closure_single_snapshot():
    ht = _measured()
    s = expected_backpressure(
        MODEL, SNAP["cw_inlet_temp"], SNAP["cw_flow"], ht.heat_duty, cleanliness_factor=ht.cleanliness_factor
    )
    assert abs(s.backpressure - SNAP["condenser_pressure"]) < CLOSURE_PA
    assert abs(s.backpressure - SNAP["condenser_pressure"]) < 1e-3  # in fact exact to the iteration tolerance


@given(
    t_in_c=st.floats(8.0, 32.0),
    rise=st.floats(5.0, 12.0),
    ttd=st.floats(2.0, 9.0),
    v_ft_s=st.floats(5.0, 8.0),
    material=st.sampled_from(["titanium", "admiralty", "ss_304"]),
)
@settings(max_examples=15, deadline=None)
def test_closure_property(t_in_c, rise, ttd, v_ft_s, material):
    model = _model(material, 22 if material != "admiralty" else 18)
    t_in = t_in_c + 273.15
    p = water.saturation_pressure(t_in + rise + ttd)
    snap = dict(
        cw_inlet_temp=t_in,
        cw_outlet_temp=t_in + rise,
        cw_flow=v_ft_s * FT_M * model.bundle.flow_area,
        condenser_pressure=p,
    )
    try:
        ht = _measured(snap, model)
    except CalculationError:
        assume(False)  # CF > 1.5: not a plausible snapshot
    res = optimize_vacuum_pressure(model, **snap, turbine=TURBINE)
    assert res.cleanliness_factor == pytest.approx(ht.cleanliness_factor)
    assert abs(res.expected_backpressure - p) < CLOSURE_PA
    assert abs(res.deviation_parts["unexplained"]) < CLOSURE_PA


# --- deviation split ------------------------------------------------------------------------

DESIGN = DesignPoint(cw_inlet_temp=f_to_k(70.0), cw_flow=Q_DESIGN * 1.05, heat_duty=360e6)


def test_parts_sum_exactly_to_total_deviation():
    res = optimize_vacuum_pressure(
        MODEL, **SNAP, cleanliness_factor=0.7, design=DESIGN, turbine=TURBINE, power_price_usd_per_mwh=45.0
    )
    assert tuple(res.deviation_parts) == DEVIATION_ORDER
    assert sum(res.deviation_parts.values()) == pytest.approx(res.backpressure_deviation, abs=1e-6)
    assert res.backpressure_deviation == pytest.approx(res.measured_backpressure - res.reference_backpressure)
    # each part has the expected sign for this snapshot: warmer water, less flow, dirtier tubes
    assert res.deviation_parts["cw_inlet_temp"] > 0.0
    assert res.deviation_parts["cw_flow"] > 0.0
    assert res.deviation_parts["fouling"] > 0.0
    # lost output split closes too and the cost is lost MW x 24 h x price
    assert sum(res.lost_output_parts.values()) == pytest.approx(res.lost_output, abs=1e-3)
    assert res.cost_usd_per_day == pytest.approx(res.lost_output / 1e6 * 24 * 45.0)
    # recommendations are ranked by value
    values = [a.value_usd_per_day for a in res.recommendations]
    assert values == sorted(values, reverse=True)
    assert res.recommendations[0].action == "clean_tubes"


def test_clean_condenser_has_zero_fouling_share():
    ht = _measured()
    res = optimize_vacuum_pressure(
        MODEL,
        **SNAP,
        cleanliness_factor=0.9,
        target_cleanliness=0.9,
        design=DESIGN,
        turbine=TURBINE,
        heat_duty=ht.heat_duty,
    )
    assert res.deviation_parts["fouling"] == 0.0
    assert res.expected_backpressure == res.achievable_backpressure
    assert res.lost_output_parts["fouling"] == 0.0
    assert all(a.action != "clean_tubes" for a in res.recommendations)


def test_design_corrected_equals_expected_at_design_conditions():
    ht = _measured()
    design = DesignPoint(SNAP["cw_inlet_temp"], SNAP["cw_flow"], ht.heat_duty)
    res = optimize_vacuum_pressure(MODEL, **SNAP, cleanliness_factor=0.7, design=design, turbine=TURBINE)
    assert res.design_corrected_backpressure == pytest.approx(res.expected_backpressure, abs=1e-6)
    assert res.deviation_parts["heat_duty"] == 0.0
    assert res.deviation_parts["cw_inlet_temp"] == 0.0
    assert res.deviation_parts["cw_flow"] == 0.0


def test_without_design_point_reference_is_achievable():
    res = optimize_vacuum_pressure(MODEL, **SNAP, cleanliness_factor=0.7, turbine=TURBINE)
    assert res.reference_backpressure == res.achievable_backpressure
    assert res.design_corrected_backpressure is None
    assert res.deviation_parts["cw_flow"] == 0.0 and res.deviation_parts["cw_inlet_temp"] == 0.0


def test_duty_from_steam_flow_is_labelled_hei_convention():
    res = optimize_vacuum_pressure(
        MODEL, cw_inlet_temp=f_to_k(75.0), cw_flow=Q_DESIGN, steam_flow=170.0, cleanliness_factor=0.8
    )
    assert "950 Btu/lb" in res.method["heat_duty"] and "HEI 9th" in res.method["heat_duty"]
    assert res.heat_duty == pytest.approx(170.0 * HEI_STEAM_HEAT_RELEASE_J_KG)
    assert res.lost_output is None and any("turbine" in w for w in res.warnings)


def test_steam_duty_cross_check_warns():
    res = optimize_vacuum_pressure(MODEL, **SNAP, steam_flow=100.0, cleanliness_factor=0.8)
    assert res.method["heat_duty"].startswith("CW side")
    assert any("steam-flow duty" in w for w in res.warnings)


# --- MUST properties ------------------------------------------------------------------------


@given(cf1=st.floats(0.4, 1.2), cf2=st.floats(0.4, 1.2))
@settings(max_examples=12, deadline=None)
def test_backpressure_rises_as_cleanliness_falls(cf1, cf2):
    lo, hi = sorted((cf1, cf2))
    assume(hi - lo > 1e-4)
    p_dirty = expected_backpressure(MODEL, f_to_k(75.0), Q_DESIGN, 380e6, cleanliness_factor=lo).backpressure
    p_clean = expected_backpressure(MODEL, f_to_k(75.0), Q_DESIGN, 380e6, cleanliness_factor=hi).backpressure
    assert p_dirty > p_clean


@given(t1=st.floats(2.0, 35.0), t2=st.floats(2.0, 35.0))
@settings(max_examples=12, deadline=None)
def test_backpressure_rises_with_cw_inlet_temperature(t1, t2):
    lo, hi = sorted((t1, t2))
    assume(hi - lo > 0.01)
    p_lo = expected_backpressure(MODEL, lo + 273.15, Q_DESIGN, 380e6, cleanliness_factor=0.85).backpressure
    p_hi = expected_backpressure(MODEL, hi + 273.15, Q_DESIGN, 380e6, cleanliness_factor=0.85).backpressure
    assert p_hi > p_lo


@given(v1=st.floats(3.0, 12.0), v2=st.floats(3.0, 12.0), cf=st.floats(0.5, 1.0), t=st.floats(5.0, 33.0))
@settings(max_examples=15, deadline=None)
def test_more_cw_flow_never_raises_backpressure(v1, v2, cf, t):
    lo, hi = sorted((v1, v2))
    q = MODEL.bundle.flow_area * FT_M
    p_lo = expected_backpressure(MODEL, t + 273.15, lo * q, 380e6, cleanliness_factor=cf).backpressure
    p_hi = expected_backpressure(MODEL, t + 273.15, hi * q, 380e6, cleanliness_factor=cf).backpressure
    assert p_hi <= p_lo + 1e-6


def test_turbine_gain_below_choke_is_zero_and_target_is_choke():
    # cold water, big flow, clean: achievable backpressure below the 1.2 inHgA choke point
    res = optimize_vacuum_pressure(
        MODEL,
        cw_inlet_temp=f_to_k(45.0),
        cw_flow=Q_DESIGN * 1.3,
        heat_duty=250e6,
        cleanliness_factor=0.95,
        target_cleanliness=0.9,
        turbine=TURBINE,
        power_price_usd_per_mwh=50.0,
    )
    assert res.achievable_backpressure < TURBINE.choke_pressure
    assert res.expected_backpressure < TURBINE.choke_pressure
    assert res.optimal_backpressure == TURBINE.choke_pressure
    assert res.lost_output == 0.0
    assert res.cost_usd_per_day == 0.0
    assert any(a.action == "do_not_chase_vacuum_below_choke" and a.value_w == 0.0 for a in res.recommendations)


def test_fouling_loss_coefficient_positive_above_choke_and_zero_below():
    k = fouling_loss_coefficient(MODEL, TURBINE, cw_inlet_temp=f_to_k(80.0), cw_flow=Q_DESIGN, heat_duty=380e6)
    assert k > 0.0 and math.isfinite(k)
    k0 = fouling_loss_coefficient(
        MODEL, TURBINE, cw_inlet_temp=f_to_k(40.0), cw_flow=Q_DESIGN * 1.3, heat_duty=200e6, delta=1e-6
    )
    assert k0 == 0.0


# --- invalid inputs -------------------------------------------------------------------------


def _call(**over):
    kw = dict(cw_inlet_temp=f_to_k(75.0), cw_flow=Q_DESIGN, heat_duty=380e6, cleanliness_factor=0.8)
    kw.update(over)
    return optimize_vacuum_pressure(MODEL, **kw)


@pytest.mark.parametrize(
    "over, field",
    [
        (dict(cw_flow=0.0), "cw_flow"),
        (dict(cw_flow=-3.0), "cw_flow"),
        (dict(cw_flow=math.nan), "cw_flow"),
        (dict(heat_duty=0.0), "heat_duty"),
        (dict(cleanliness_factor=0.0), "cleanliness_factor"),
        (dict(cleanliness_factor=85.0), "cleanliness_factor"),
        (dict(target_cleanliness=90.0), "target_cleanliness"),
        (dict(cw_inlet_temp=75.0), "cw_inlet_temp"),  # °F value given as K
        (dict(cw_inlet_temp=math.inf), "cw_inlet_temp"),
        (dict(condenser_pressure=1.0 * INHG_PA, cw_inlet_temp=f_to_k(85.0)), "condenser_pressure"),
        (dict(condenser_pressure=-2.0), "condenser_pressure"),
        (dict(heat_duty=None, cleanliness_factor=0.8), "heat_duty"),
        (dict(heat_duty=None, cw_outlet_temp=f_to_k(70.0)), "cw_outlet_temp"),
        (dict(heat_duty=None, steam_flow=-5.0), "steam_flow"),
        (dict(cw_flow=0.05), "cw_flow"),  # outlet would exceed 80 °C
        (dict(heat_duty=1.8e9), "heat_duty"),  # saturation above 80 °C
        (dict(power_price_usd_per_mwh=-1.0), "power_price_usd_per_mwh"),
        (dict(design=DesignPoint(f_to_k(70.0), 0.0, 3e8)), "design_cw_flow"),
        (dict(design=DesignPoint(f_to_k(70.0), 5.0, -1.0)), "design_heat_duty"),
    ],
)
def test_invalid_inputs(over, field):
    with pytest.raises((DomainError, OutOfRangeError)) as exc:
        _call(**over)
    assert exc.value.field == field


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(tube_material="brass_unknown"), "tube_material"),
        (dict(water_type="swamp"), "water_type"),
        (dict(surface_area=-1.0), "surface_area"),
        (dict(tube_length=0.0, surface_area=0.0), "surface_area"),
        (dict(tube_od=0.002), "tube_od"),
        (dict(clean_u_method="magic"), "clean_u_method"),
        (dict(plugged_tubes=-5), "plugged_tubes"),
        (dict(plugged_tubes=20000), "plugged_tubes"),
        (dict(tube_count=0), "tube_count"),
        (dict(tube_passes=0), "tube_passes"),
        (dict(tube_length=-12.0), "tube_length"),
    ],
)
def test_invalid_model(kwargs, field):
    base = dict(
        tube_od=1.0 * INCH_M,
        tube_gauge_bwg=22,
        tube_count=20000,
        tube_material="titanium",
        tube_passes=2,
        tube_length=12.0,
    )
    base.update(kwargs)
    with pytest.raises((DomainError, OutOfRangeError)) as exc:
        condenser_model(**base)
    assert exc.value.field == field


def test_chain_rejects_both_or_neither_fouling_measure_and_negative_rf():
    with pytest.raises(DomainError) as exc:
        expected_backpressure(MODEL, f_to_k(75.0), Q_DESIGN, 3e8)
    assert exc.value.field == "cleanliness_factor"
    with pytest.raises(DomainError):
        expected_backpressure(MODEL, f_to_k(75.0), Q_DESIGN, 3e8, cleanliness_factor=0.8, fouling_resistance=1e-5)
    with pytest.raises(DomainError) as exc:
        expected_backpressure(MODEL, f_to_k(75.0), Q_DESIGN, 3e8, fouling_resistance=-1e-5)
    assert exc.value.field == "fouling_resistance"


def test_outputs_are_finite():
    res = optimize_vacuum_pressure(MODEL, **SNAP, design=DESIGN, turbine=TURBINE, power_price_usd_per_mwh=60.0)
    nums = [
        res.expected_backpressure,
        res.achievable_backpressure,
        res.optimal_backpressure,
        res.reference_backpressure,
        res.design_corrected_backpressure,
        res.backpressure_deviation,
        res.lost_output,
        res.cost_usd_per_day,
        *res.deviation_parts.values(),
        *res.lost_output_parts.values(),
    ]
    assert all(math.isfinite(x) for x in nums)
