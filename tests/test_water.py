# SPDX-License-Identifier: MIT
"""Water/steam properties against the IAPWS releases' verification tables (values typed in
with their table number), IF97 saturation tables, and scalar = array for every routine."""

import numpy as np
import pytest
from iapws import IAPWS97

from condensync_tools.calculators import water
from condensync_tools.calculators.constants import INHG_PA, k_to_c, k_to_f
from condensync_tools.calculators.errors import OutOfRangeError
from condensync_tools.calculators.water import if97, seawater, transport

# VAC-02: inHgA (1 inHg at 32 °F = 3.386389 kPa) → Tsat °F, ±0.02 °F
VAC02_INHG_F = [
    (1.0, 79.0),
    (1.5, 91.68),
    (2.0, 101.1),
    (2.5, 108.66),
    (3.0, 115.01),
    (3.5, 120.51),
    (4.0, 125.37),
    (5.0, 133.71),
]
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
def test_latent_heat_steam_table(t_c, hfg):
    # h_fg (kJ/kg) from the IF97 steam tables
    assert water.latent_heat(water.saturation_pressure(t_c + 273.15)) / 1000 == pytest.approx(hfg, abs=0.1)


@pytest.mark.parametrize("t_c,cp", [(16.0, 4.1878), (25.0, 4.1816), (30.0, 4.1798)])
def test_fresh_water_cp_if97(t_c, cp):
    # IF97 cp 4.1878 at 16 °C, 4.1816 at 25 °C, 4.1798 at 30 °C (kJ/(kg·K))
    assert water.liquid_properties(t_c + 273.15).cp / 1000 == pytest.approx(cp, abs=2e-3)


def test_sea_water_heavier_and_lower_cp():
    fresh = water.liquid_properties(298.15)
    sea = water.liquid_properties(298.15, water.WATER_SALINITY_KG_KG["sea"])
    assert 1.02 < sea.density / fresh.density < 1.03  # ~2.5 %
    assert 0.94 < sea.cp / fresh.cp < 0.97  # ~4.5 %
    assert sea.viscosity > fresh.viscosity


def test_out_of_range_raises_named_error():
    with pytest.raises(OutOfRangeError) as e:
        water.saturation_temperature(100.0)
    assert e.value.field == "condenser_pressure"
    with pytest.raises(OutOfRangeError):
        water.liquid_properties(400.0)


def test_if97_coefficient_file_equals_iapws():
    """calculators/data/if97_coefficients.json holds iapws' IF97 tables digit for digit
    (R7-97(2012) Table 2: region 1; Table 10: region 2 ideal-gas part; Table 11: residual)."""
    from iapws.iapws97 import Const

    from condensync_tools.calculators.water import coefficients

    def rows(*names):
        return [
            tuple(float(v) if k == 0 else int(v) for k, v in enumerate(t))
            for t in zip(*(getattr(Const, n) for n in names), strict=True)
        ]

    assert list(coefficients.REGION1_TERMS) == rows("Region1_n", "Region1_Li", "Region1_Lj")
    assert list(coefficients.REGION2_IDEAL_TERMS) == rows("Region2_cp0_no", "Region2_cp0_Jo")
    assert list(coefficients.REGION2_RESIDUAL_TERMS) == rows("Region2_n", "Region2_Li", "Region2_Lj")
    assert (len(coefficients.REGION1_TERMS), len(coefficients.REGION2_IDEAL_TERMS)) == (34, 9)
    assert len(coefficients.REGION2_RESIDUAL_TERMS) == 43


# --- verification tables of the releases (published digits; 9 significant unless noted) --------
def _sig(x: float, digits: int) -> float:
    return float(f"{x:.{digits - 1}e}")


# IAPWS R7-97(2012) Table 5: region 1, (T [K], p [MPa]) -> v [m³/kg], h [kJ/kg], cp [kJ/(kg·K)]
IF97_TABLE5 = [
    (300.0, 3.0, 0.100215168e-2, 0.115331273e3, 0.417301218e1),
    (300.0, 80.0, 0.971180894e-3, 0.184142828e3, 0.401008987e1),
    (500.0, 3.0, 0.120241800e-2, 0.975542239e3, 0.465580682e1),
]
# Table 15: region 2, (T, p) -> v, h
IF97_TABLE15 = [
    (300.0, 0.0035, 0.394913866e2, 0.254991145e4),
    (700.0, 0.0035, 0.923015898e2, 0.333568375e4),
    (700.0, 30.0, 0.542946619e-2, 0.263149474e4),
]
# Table 35: saturation pressure [MPa] at T [K]; Table 36: saturation temperature [K] at p [MPa]
IF97_TABLE35 = [(300.0, 0.353658941e-2), (500.0, 0.263889776e1), (600.0, 0.123443146e2)]
IF97_TABLE36 = [(0.1, 0.372755919e3), (1.0, 0.453035632e3), (10.0, 0.584149488e3)]
# IAPWS R12-08 Table 4: (T [K], ρ [kg/m³]) -> μ [μPa·s] with μ2 = 1 (no critical enhancement)
R12_TABLE4 = [
    (298.15, 998.0, 889.735100), (298.15, 1200.0, 1437.649467), (373.15, 1000.0, 307.883622),
    (433.15, 1.0, 14.538324), (433.15, 1000.0, 217.685358), (873.15, 1.0, 32.619287),
    (873.15, 100.0, 35.802262), (873.15, 600.0, 77.430195), (1173.15, 1.0, 44.217245),
    (1173.15, 100.0, 47.640433), (1173.15, 400.0, 64.154608),
]  # fmt: skip
# IAPWS R15-11 Table 4: (T [K], ρ [kg/m³]) -> λ [mW/(m·K)] with λ2 = 0
R15_TABLE4 = [
    (298.15, 0.0, 18.4341883),
    (298.15, 998.0, 607.712868),
    (298.15, 1200.0, 799.038144),
    (873.15, 0.0, 79.1034659),
]
# IAPWS R13-08 Table 8, columns A-C: (S [kg/kg], T [K], p [MPa]) -> ρ [kg/m³], cp [J/(kg·K)]
R13_TABLE8 = [
    (0.03516504, 273.15, 0.101325, 0.102810720e4, 0.398648579e4),
    (0.1, 353.0, 0.101325, 0.102985888e4, 0.374507355e4),
    (0.03516504, 273.15, 100.0, 0.107092645e4, 0.377190387e4),
]


@pytest.mark.parametrize("t_k,p_mpa,v,h,cp", IF97_TABLE5)
def test_if97_region1_table5(t_k, p_mpa, v, h, cp):
    got_v, got_h = if97.region1(t_k, p_mpa)
    assert (_sig(got_v, 9), _sig(got_h, 9)) == (v, h)
    assert _sig(if97.Region1Isobar(p_mpa * 1e6).cp(t_k) / 1e3, 9) == cp
    assert _sig(1.0 / if97.Region1Isobar(p_mpa * 1e6).density(t_k), 9) == v


@pytest.mark.parametrize("t_k,p_mpa,v,h", IF97_TABLE15)
def test_if97_region2_table15(t_k, p_mpa, v, h):
    got_v, got_h = if97.region2(t_k, p_mpa)
    assert (_sig(got_v, 9), _sig(got_h, 9)) == (v, h)


@pytest.mark.parametrize("t_k,p_mpa", IF97_TABLE35)
def test_if97_saturation_pressure_table35(t_k, p_mpa):
    assert _sig(if97.psat_t(t_k) / 1e6, 9) == p_mpa
    assert _sig(water.saturation_pressure(t_k) / 1e6, 9) == p_mpa


@pytest.mark.parametrize("p_mpa,t_k", IF97_TABLE36)
def test_if97_saturation_temperature_table36(p_mpa, t_k):
    assert _sig(if97.tsat_p(p_mpa * 1e6), 9) == t_k
    assert _sig(water.saturation_temperature(p_mpa * 1e6), 9) == t_k


@pytest.mark.parametrize("t_k,rho,mu", R12_TABLE4)
def test_viscosity_r12_08_table4(t_k, rho, mu):
    assert round(transport.viscosity(rho, t_k) * 1e6, 6) == mu


@pytest.mark.parametrize("t_k,rho,lam", R15_TABLE4)
def test_conductivity_r15_11_table4(t_k, rho, lam):
    assert _sig(transport.conductivity(rho, t_k) * 1e3, 9) == lam


@pytest.mark.parametrize("salinity,t_k,p_mpa,rho,cp", R13_TABLE8)
def test_seawater_r13_08_table8(salinity, t_k, p_mpa, rho, cp):
    rho_w, cp_w = seawater.pure_water(t_k, p_mpa * 1e6)
    got_rho, got_cp = seawater.saline_mix(t_k, salinity, p_mpa, rho_w, cp_w)
    assert (_sig(got_rho, 9), _sig(got_cp, 9)) == (rho, cp)


# --- one implementation: a float and a one-element array give the same bits --------------------
TEMPS = np.linspace(273.15, 353.15, 41)
PRESSURES = np.geomspace(700.0, 2.0e6, 41)


def _same(fn, *args_arrays):
    """fn on each float equals fn on the arrays, element by element, bit for bit."""
    arrays = fn(*args_arrays)
    arrays = arrays if isinstance(arrays, tuple) else (arrays,)
    for i in range(args_arrays[0].size):
        scalars = fn(*(float(a[i]) for a in args_arrays))
        scalars = scalars if isinstance(scalars, tuple) else (scalars,)
        assert [float(a[i]) for a in arrays] == [float(x) for x in scalars]


def test_scalar_equals_array_saturation():
    _same(if97.tsat_p, PRESSURES)
    _same(if97.psat_t, TEMPS)
    _same(lambda p: if97.saturation_props(p)[1:], PRESSURES)


@pytest.mark.parametrize("salinity", [0.0, 0.010, 0.03516504])
def test_scalar_equals_array_liquid(salinity):
    def fields(t):
        s = water.liquid_state(t, salinity)
        return s.density, s.cp, s.viscosity, s.conductivity

    _same(fields, TEMPS)
    _same(fields, np.linspace(280.0, 350.0, 17) + 1e-7)  # between the Chebyshev nodes


def test_per_call_api_is_the_array_routine():
    """The cached, range-checked per-call functions return the array routines' values."""
    for t in TEMPS[::5]:
        got = water.liquid_properties(float(t), 0.03516504)
        ref = water.liquid_state(np.array([t]), 0.03516504)
        assert (got.density, got.cp, got.viscosity) == (ref.density[0], ref.cp[0], ref.viscosity[0])
    for p in PRESSURES[::5]:
        _, h_fg, rho_v = if97.saturation_props(np.array([p]))
        assert (water.latent_heat(float(p)), water.saturated_vapour_density(float(p))) == (h_fg[0], rho_v[0])


def test_saturation_densities_is_one_evaluation_of_each_region():
    """saturation_densities = (h_fg, ρ'') of saturation_props and 1/v of region 1 at (T_sat, P),
    bit for bit, on floats and arrays; the per-call saturated-liquid density is that value."""
    t_sat = if97.tsat_p(PRESSURES)
    h_fg, rho_v, rho_l = if97.saturation_densities(PRESSURES, t_sat)
    _, h_ref, rho_v_ref = if97.saturation_props(PRESSURES, t_sat)
    assert h_fg.tobytes() == h_ref.tobytes() and rho_v.tobytes() == rho_v_ref.tobytes()
    assert rho_l.tobytes() == (1.0 / if97.region1(t_sat, PRESSURES / 1e6)[0]).tobytes()
    _same(lambda p: if97.saturation_densities(p, if97.tsat_p(p)), PRESSURES)
    for p in PRESSURES[::5]:
        t = float(if97.tsat_p(float(p)))
        assert water.saturated_liquid_density(float(p)) == 1.0 / if97.region1(t, float(p) / 1e6)[0]


@pytest.mark.parametrize("salinity", [0.0, 0.010, 0.03516504])
def test_liquid_density_is_the_density_of_liquid_properties(salinity):
    for t in TEMPS[::3]:
        t = float(t) + 1e-9  # a state no other test cached
        assert water.liquid_density(t, salinity) == water.liquid_properties(t, salinity).density
    with pytest.raises(OutOfRangeError) as err:
        water.liquid_density(360.0, salinity, field="cw_inlet_temp")
    assert err.value.field == "cw_inlet_temp"


def test_power_tables_follow_the_squaring_chain():
    """power_table and add_inverse_powers give x^k and (1/x)^k as Powers forms them (same bits)."""
    from condensync_tools.calculators.water._algebra import Powers, add_inverse_powers, power_plan, power_table

    plan = power_plan({3, 7, 17, 42, 58})
    for x in (0.731, 1.37, np.linspace(0.5, 1.5, 7)):
        table = add_inverse_powers(power_table(x, plan), 1.0 / x, plan)
        powers, inverse = Powers(x), Powers(1.0 / x)
        for k in plan:
            assert np.array_equal(table[k], powers(k)) and np.array_equal(table[-k], inverse(k))
        assert np.array_equal(table[-1], 1.0 / x) and table[0] == 1.0
