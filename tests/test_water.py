# SPDX-License-Identifier: MIT
"""Water/steam properties against IAPWS-IF97 (via iapws) and the published table of
docs/methods.md §3.1 (VAC-02-saturation-conversions, derived from IF97 with iapws 1.5.5)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from iapws import IAPWS97, _iapws, iapws97

from condensync_tools.calculators import water
from condensync_tools.calculators.constants import INHG_PA, k_to_c, k_to_f
from condensync_tools.calculators.errors import OutOfRangeError

# VAC-02: inHgA (1 inHg at 32 °F = 3.386389 kPa) → Tsat °F, ±0.02 °F
VAC02_INHG_F = [(1.0, 79.0), (1.5, 91.68), (2.0, 101.1), (2.5, 108.66), (3.0, 115.01), (3.5, 120.51),
                (4.0, 125.37), (5.0, 133.71)]
# VAC-02: kPa → Tsat °C, ±0.02 °C
VAC02_KPA_C = [(4.25, 30.01), (7.38, 39.99), (10.0, 45.81)]


@pytest.mark.parametrize("p_inhg,t_f", VAC02_INHG_F)
def test_saturation_temperature_vac02_inhg(p_inhg, t_f):
    assert k_to_f(water.saturation_temperature(p_inhg * INHG_PA)) == pytest.approx(t_f, abs=0.02)


@pytest.mark.parametrize("p_kpa,t_c", VAC02_KPA_C)
def test_saturation_temperature_vac02_kpa(p_kpa, t_c):
    assert k_to_c(water.saturation_temperature(p_kpa * 1000)) == pytest.approx(t_c, abs=0.02)


@pytest.mark.parametrize("p_kpa", [1.0, 3.0, 6.773, 12.0, 25.0, 101.325])
def test_saturation_matches_iapws97_object(p_kpa):
    assert water.saturation_temperature(p_kpa * 1000) == pytest.approx(IAPWS97(P=p_kpa / 1000, x=0).T, rel=1e-12)


def test_saturation_round_trip():
    for t in (280.0, 300.0, 320.0, 350.0):
        assert water.saturation_temperature(water.saturation_pressure(t)) == pytest.approx(t, rel=1e-9)


@pytest.mark.parametrize("t_c,hfg", [(30.0, 2429.8), (45.0, 2394.0), (60.0, 2357.7), (65.0, 2345.4)])
def test_latent_heat_physics_table(t_c, hfg):
    # docs/methods.md §3.1 h_fg (kJ/kg), IF97 via iapws 1.5.5
    assert water.latent_heat(water.saturation_pressure(t_c + 273.15)) / 1000 == pytest.approx(hfg, abs=0.1)


@pytest.mark.parametrize("t_c,cp", [(16.0, 4.1878), (25.0, 4.1816), (30.0, 4.1798)])
def test_fresh_water_cp_if97(t_c, cp):
    # docs/methods.md §3: IF97 cp 4.1878 at 16 °C, 4.1816 at 25 °C, 4.1798 at 30 °C (kJ/(kg·K))
    assert water.liquid_properties(t_c + 273.15).cp / 1000 == pytest.approx(cp, abs=2e-3)


def test_sea_water_heavier_and_lower_cp():
    fresh = water.liquid_properties(298.15)
    sea = water.liquid_properties(298.15, water.WATER_SALINITY_KG_KG["sea"])
    assert 1.02 < sea.density / fresh.density < 1.03  # ~2.5 % (docs/methods.md pitfall 7)
    assert 0.94 < sea.cp / fresh.cp < 0.97  # ~4.5 %
    assert sea.viscosity > fresh.viscosity


def test_out_of_range_raises_named_error():
    with pytest.raises(OutOfRangeError) as e:
        water.saturation_temperature(100.0)
    assert e.value.field == "condenser_pressure"
    with pytest.raises(OutOfRangeError):
        water.liquid_properties(400.0)


# Our per-call routines evaluate iapws' terms with the same operations and summation order,
# on Python floats (the C library's pow/exp: the same bits on every machine). iapws evaluates
# them on numpy arrays, whose pow/exp loops numpy picks by CPU (its own AVX-512 routines on
# some machines), so the two agree to a few ulp, not always to the bit.
FEW_ULP = 1e-14
# up to 623 K (13-20 MPa on the saturation line) the Gibbs sums cancel more: a few ulp of a
# term are a few more of the total
NEAR_CRITICAL = 1e-13


@pytest.mark.slow  # the fixed-grid test below runs by default
@settings(max_examples=3000, deadline=None)
@given(st.floats(273.15, 353.15), st.floats(0.0007, 5.0))
def test_fast_region1_equals_iapws(t_k, p_mpa):
    v, cp = water.region1_volume_cp(t_k, p_mpa)
    ref = iapws97._Region1(t_k, p_mpa)
    assert v == pytest.approx(float(ref["v"]), rel=FEW_ULP, abs=0.0)
    assert cp == pytest.approx(float(ref["cp"]), rel=FEW_ULP, abs=0.0)


def test_fast_region1_equals_iapws_on_a_fixed_grid():
    for t, p in [(273.15 + 0.37 * k, 0.01 + 0.0123 * k) for k in range(200)]:
        ref = iapws97._Region1(t, p)
        assert water.region1_volume_cp(t, p) == pytest.approx((float(ref["v"]), float(ref["cp"])), rel=FEW_ULP,
                                                              abs=0.0)


@settings(max_examples=500, deadline=None)
@given(st.floats(612.0, 21.9e6))
def test_saturated_phase_pair_gives_iapws_region4_values(p_pa):
    """Latent heat and saturated densities come from one cached liquid/vapour pair with
    iapws97._Region4's mixing rule: the values of two _Region4 calls."""
    for quality in (0, 1):
        state = iapws97._Region4(p_pa / 1e6, quality)
        assert water._region4(p_pa, quality) == pytest.approx((float(state["h"]) * 1e3, 1.0 / float(state["v"])),
                                                              rel=NEAR_CRITICAL, abs=0.0)


@settings(max_examples=1000, deadline=None)
@given(st.floats(273.16, 623.15))
def test_fast_region1_and_region2_states_equal_iapws_on_the_saturation_line(t_k):
    p_mpa = float(iapws97._PSat_T(t_k))
    r1, r2 = iapws97._Region1(t_k, p_mpa), iapws97._Region2(t_k, p_mpa)
    v1, h1 = water.region1_volume_enthalpy(t_k, p_mpa)
    assert v1 == pytest.approx(float(r1["v"]), rel=NEAR_CRITICAL, abs=0.0)
    # liquid enthalpy passes through zero near the triple point (0.31 kJ/kg at 273.23 K) while
    # its terms are hundreds of kJ/kg: compare it to a few ulp of those terms
    assert h1 == pytest.approx(float(r1["h"]), rel=NEAR_CRITICAL, abs=1e-10)
    assert water.region2_volume_enthalpy(t_k, p_mpa) == pytest.approx((r2["v"], r2["h"]), rel=NEAR_CRITICAL, abs=0.0)


@pytest.mark.slow
@settings(max_examples=2000, deadline=None)
@given(st.floats(273.15, 373.15), st.floats(940.0, 1002.0))
def test_fast_transport_properties_equal_iapws(t_k, rho):
    """IAPWS 2008 viscosity and 2011 conductivity (no critical enhancement), the values of
    iapws._Viscosity / iapws._ThCond called without a phase."""
    mu, k = water.liquid_transport(rho, t_k)
    assert mu == pytest.approx(_iapws._Viscosity(rho, t_k), rel=FEW_ULP, abs=0.0)
    assert k == pytest.approx(_iapws._ThCond(rho, t_k), rel=FEW_ULP, abs=0.0)
