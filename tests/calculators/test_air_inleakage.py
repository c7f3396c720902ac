# SPDX-License-Identifier: MIT
"""Air in-leakage diagnosis: bands, scoring with any subset, location, estimate, errors."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from condensync_tools.calculators import water
from condensync_tools.calculators.air_inleakage import (
    DECAY_EXCESSIVE_PA_S,
    DECAY_TIGHT_PA_S,
    DO_LIMITS_PPB,
    air_mass_from_decay,
    detect_air_inleakage,
)
from condensync_tools.calculators.constants import FT3_M3, INHG_PA, LB_H_KG_S, SCFM_AIR_KG_S, f_to_k
from condensync_tools.calculators.errors import DomainError, OutOfRangeError
from condensync_tools.calculators.turbine import generic_curve

P = 2.5 * INHG_PA
TSAT = water.saturation_temperature(P)
INHG_MIN = INHG_PA / 60.0  # 1 inHg/min in Pa/s


# --- physics values ---------------------------------------------------------------------------


@pytest.mark.parametrize("t_f, lb_h", [(100.0, 0.142), (70.0, 0.150)])
def test_decay_air_mass_ideal_gas(t_f, lb_h):
    # docs/methods.md §4 item 2 (derived): 0.142 lb/h per ft³·inHg/min at 100 °F, 0.150 at 70 °F
    m = air_mass_from_decay(1.0 * INHG_MIN, 1.0 * FT3_M3, f_to_k(t_f))
    assert m / LB_H_KG_S == pytest.approx(lb_h, rel=0.01)


def test_decay_band_edges_in_si():
    # mda139: ~1 mbar/min (0.03 inHg/min) expected, >= 4 mbar/min (~0.12 inHg/min) unacceptable
    assert DECAY_TIGHT_PA_S == pytest.approx(0.03 * INHG_PA / 60)
    assert DECAY_TIGHT_PA_S * 60 / 100 == pytest.approx(1.0, abs=0.02)  # ≈ 1 mbar/min
    assert DECAY_EXCESSIVE_PA_S * 60 / 100 == pytest.approx(4.0, abs=0.1)  # ≈ 4 mbar/min


def test_hei_do_figure_is_the_unit_conversion():
    # The HEI guarantee itself is unverified; only the conversion 0.005 cm³/L × 1.429 mg/cm³ is checked.
    assert DO_LIMITS_PPB["hei_guarantee"][0] == pytest.approx(0.005 * 1.429 * 1000, rel=1e-12)  # 7.145, unrounded
    assert "unverified" in DO_LIMITS_PPB["hei_guarantee"][1]
    assert "unverified" in DO_LIMITS_PPB["drum_avt"][1]


def test_hei_do_limit_is_not_rounded_to_7_1():
    # 7.12 ppb is inside the 0.005 cm³/L (7.145 ppb) guarantee; a 7.1 ppb limit called it marginal.
    inside = detect_air_inleakage(unit_type="hei_guarantee", dissolved_oxygen_ppb=7.12)
    assert inside.indicators[0].thresholds[0] == 7.145 and inside.indicators[0].status == "normal"
    above = detect_air_inleakage(unit_type="hei_guarantee", dissolved_oxygen_ppb=7.15)
    assert above.indicators[0].status == "marginal"


@pytest.mark.parametrize(
    "rate, status",
    [(0.029, "normal"), (0.03, "marginal"), (0.119, "marginal"), (0.12, "high"), (0.3, "severe")],
)
def test_decay_bands(rate, status):
    r = detect_air_inleakage(vacuum_decay_rate=rate * INHG_MIN * (1 + 1e-12))
    assert r.indicators[0].status == status


# --- verdicts -------------------------------------------------------------------------------


def test_no_indicator_gives_zero_confidence():
    r = detect_air_inleakage()
    assert not r.leak_detected and r.severity == "none" and r.confidence == 0.0
    assert r.estimated_inleakage is None and r.warnings


def test_tight_unit():
    r = detect_air_inleakage(
        dissolved_oxygen_ppb=4.0,
        vacuum_decay_rate=0.01 * INHG_MIN,
        condenser_pressure=P,
        hotwell_temp=TSAT - 0.2,
        subcooling_baseline=0.2,
        air_removal_flow=2 * SCFM_AIR_KG_S,
        venting_capacity=20 * SCFM_AIR_KG_S,
    )
    assert not r.leak_detected and r.severity == "none" and r.likely_location == "none"
    assert r.confidence > 0.6


def test_above_water_line_leak():
    r = detect_air_inleakage(
        dissolved_oxygen_ppb=5.0,
        vacuum_decay_rate=0.2 * INHG_MIN,
        air_removal_flow=18 * SCFM_AIR_KG_S,
        venting_capacity=20 * SCFM_AIR_KG_S,
        steam_space_volume=800.0,
        condenser_pressure=P,
    )
    assert r.leak_detected and r.severity in ("high", "severe")
    assert r.likely_location == "above_water_line"
    assert r.estimated_inleakage == pytest.approx(18 * SCFM_AIR_KG_S)  # measured off-gas preferred
    actions = {a.action for a in r.recommendations}
    assert {"tracer_leak_test", "check_turbine_gland_seals"} <= actions
    assert "check_air_removal_equipment" in actions


def test_below_water_line_leak():
    r = detect_air_inleakage(dissolved_oxygen_ppb=60.0, vacuum_decay_rate=0.01 * INHG_MIN, unit_type="pwr")
    assert r.leak_detected and r.likely_location == "below_water_line"
    assert any(a.action == "check_below_water_line" for a in r.recommendations)


def test_bwr_limit_is_200_ppb():
    assert not detect_air_inleakage(dissolved_oxygen_ppb=150.0, unit_type="bwr").leak_detected
    assert detect_air_inleakage(dissolved_oxygen_ppb=150.0, unit_type="pwr").leak_detected


def test_decay_estimate_is_order_of_magnitude():
    r = detect_air_inleakage(vacuum_decay_rate=0.1 * INHG_MIN, steam_space_volume=1000.0, condenser_pressure=P)
    assert r.estimated_inleakage == pytest.approx(1000.0 * 0.1 * INHG_MIN / (287.05 * TSAT))
    assert "order of magnitude" in r.estimated_inleakage_basis


def test_more_agreeing_indicators_raise_confidence():
    one = detect_air_inleakage(vacuum_decay_rate=0.15 * INHG_MIN)
    two = detect_air_inleakage(
        vacuum_decay_rate=0.15 * INHG_MIN,
        air_removal_flow=17 * SCFM_AIR_KG_S,
        venting_capacity=20 * SCFM_AIR_KG_S,
    )
    mixed = detect_air_inleakage(
        vacuum_decay_rate=0.15 * INHG_MIN,
        air_removal_flow=1 * SCFM_AIR_KG_S,
        venting_capacity=20 * SCFM_AIR_KG_S,
    )
    assert one.leak_detected and two.leak_detected
    assert two.confidence > one.confidence > 0.0
    assert mixed.confidence < two.confidence


def test_unexplained_backpressure_valued_with_turbine_curve():
    r = detect_air_inleakage(
        unexplained_backpressure=0.4 * INHG_PA,
        condenser_pressure=3.0 * INHG_PA,
        turbine=generic_curve(500e6),
        power_price_usd_per_mwh=40.0,
    )
    assert r.leak_detected
    tracer = next(a for a in r.recommendations if a.action == "tracer_leak_test")
    assert tracer.value_w > 0.0
    assert tracer.value_usd_per_day == pytest.approx(tracer.value_w / 1e6 * 24 * 40.0)
    assert any(a.action == "verify_pressure_instrument" for a in r.recommendations)


_OPTIONAL = st.none() | st.floats(0.0, 1.0)


@given(
    do=_OPTIONAL,
    sub=_OPTIONAL,
    flow=_OPTIONAL,
    cap=st.booleans(),
    decay=_OPTIONAL,
    air=_OPTIONAL,
    unexpl=_OPTIONAL,
    vol=st.none() | st.floats(10.0, 3000.0),
)
@settings(max_examples=60, deadline=None)
def test_any_subset_works_and_is_finite(do, sub, flow, cap, decay, air, unexpl, vol):
    kw = {}
    if do is not None:
        kw["dissolved_oxygen_ppb"] = do * 100.0
    if sub is not None or air is not None:
        kw["condenser_pressure"] = P
    if sub is not None:
        kw["hotwell_temp"] = TSAT - sub * 5.0
    if flow is not None:
        kw["air_removal_flow"] = flow * 30 * SCFM_AIR_KG_S
        if cap:
            kw["venting_capacity"] = 20 * SCFM_AIR_KG_S
    if decay is not None:
        kw["vacuum_decay_rate"] = decay * 0.4 * INHG_MIN
    if air is not None:
        kw["air_extraction_temp"] = TSAT - air * 15.0
    if unexpl is not None:
        kw["unexplained_backpressure"] = (unexpl - 0.2) * INHG_PA
    if vol is not None:
        kw["steam_space_volume"] = vol
    r = detect_air_inleakage(**kw)
    assert 0.0 <= r.confidence <= 1.0 and math.isfinite(r.confidence)
    assert 0.0 <= r.score <= 1.0 and 0.0 <= r.evidence <= 1.0
    assert r.severity in ("none", "low", "moderate", "high", "severe")
    assert (r.severity == "none") == (not r.leak_detected)
    assert r.estimated_inleakage is None or (math.isfinite(r.estimated_inleakage) and r.estimated_inleakage >= 0)
    assert all(math.isfinite(i.value) for i in r.indicators)


@given(a=st.floats(0.0, 0.5), b=st.floats(0.0, 0.5), do=st.floats(0.0, 80.0))
@settings(max_examples=40, deadline=None)
def test_higher_decay_never_lowers_severity(a, b, do):
    order = ["none", "low", "moderate", "high", "severe"]
    lo, hi = sorted((a, b))
    r_lo = detect_air_inleakage(vacuum_decay_rate=lo * INHG_MIN, dissolved_oxygen_ppb=do)
    r_hi = detect_air_inleakage(vacuum_decay_rate=hi * INHG_MIN, dissolved_oxygen_ppb=do)
    assert order.index(r_hi.severity) >= order.index(r_lo.severity)
    assert r_hi.score >= r_lo.score


# --- invalid inputs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(dissolved_oxygen_ppb=-1.0), "dissolved_oxygen_ppb"),
        (dict(dissolved_oxygen_ppb=20000.0), "dissolved_oxygen_ppb"),
        (dict(dissolved_oxygen_ppb=math.nan), "dissolved_oxygen_ppb"),
        (dict(unit_type="magnox"), "unit_type"),
        (dict(dissolved_oxygen_ppb=5.0, do_limit_ppb=0.0), "do_limit_ppb"),
        (dict(hotwell_temp=f_to_k(100.0)), "condenser_pressure"),
        (dict(hotwell_temp=TSAT + 3.0, condenser_pressure=P), "hotwell_temp"),
        (
            dict(hotwell_temp=TSAT - 1.0, condenser_pressure=P, subcooling_baseline=-1.0),
            "subcooling_baseline",
        ),
        (dict(air_removal_flow=-0.001), "air_removal_flow"),
        (dict(air_removal_flow=0.001, venting_capacity=0.0), "venting_capacity"),
        (dict(shell_count=0), "shell_count"),
        (dict(vacuum_decay_rate=-2.0), "vacuum_decay_rate"),
        (dict(vacuum_decay_rate=2.0, steam_space_volume=0.0), "steam_space_volume"),
        (dict(air_extraction_temp=TSAT + 2.0, condenser_pressure=P), "air_extraction_temp"),
        (dict(air_extraction_temp=TSAT - 2.0), "condenser_pressure"),
        (dict(condenser_pressure=-100.0), "condenser_pressure"),
        (dict(unexplained_backpressure=math.inf), "unexplained_backpressure"),
        (dict(power_price_usd_per_mwh=-5.0), "power_price_usd_per_mwh"),
    ],
)
def test_invalid_inputs(kwargs, field):
    with pytest.raises((DomainError, OutOfRangeError)) as exc:
        detect_air_inleakage(**kwargs)
    assert exc.value.field == field
