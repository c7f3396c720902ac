# SPDX-License-Identifier: MIT
"""Water, steam and sea-water properties (IAPWS-IF97, IAPWS-08) behind one SI interface.

All functions take and return SI base units (K, Pa, kg/m³, J/(kg·K), J/kg, Pa·s, W/(m·K)).
They build on the ``iapws`` package (which works in MPa, kJ) and raise the project's
:class:`~condensync_tools.calculators.errors.OutOfRangeError` instead of iapws'
``NotImplementedError``. On the per-call path (region 1, saturated region 1/2 states,
viscosity and conductivity) only the derivatives a condenser needs are evaluated, with the
iapws coefficients, operations and summation order, at a fraction of the cost. They use the
C library's ``pow``/``exp`` on Python floats, which give the same bits on every machine;
iapws evaluates the same terms on numpy arrays, whose ``pow``/``exp`` loops numpy picks by CPU
(its own AVX-512 routines on some machines), so the two agree to within a few ulp
(tests/test_water.py: 1e-14 relative).

References
----------
IAPWS R7-97(2012), *Revised Release on the IAPWS Industrial Formulation 1997 for the
Thermodynamic Properties of Water and Steam*: region 1 (compressed liquid) and region 4
(saturation line, Eqs. 30-31).
IAPWS R13-08, *Release on the IAPWS Formulation 2008 for the Thermodynamic Properties of
Seawater*.
IAPWS R12-08 (viscosity) and R15-11 (thermal conductivity) of ordinary water.
Sharqawy, Lienhard, Zubair (2010), *Thermophysical properties of seawater*, Desalination
and Water Treatment 16, 354-380, Eq. 22-23 (sea-water viscosity ratio).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from iapws import _iapws, iapws97

from . import if97_vector
from .constants import KELVIN_OFFSET
from .errors import OutOfRangeError
from .messages import Text

__all__ = [
    "WATER_SALINITY_KG_KG",
    "LiquidProperties",
    "saturation_temperature",
    "saturation_pressure",
    "latent_heat",
    "saturated_vapour_density",
    "saturated_liquid_density",
    "liquid_properties",
    "salinity_for",
]

#: Triple point and critical point bounds of IF97 region 4 [K].
T_TRIPLE = 273.16
T_CRITICAL = 647.096
P_TRIPLE = 611.657  # Pa
P_CRITICAL = 22.064e6  # Pa
#: Nominal tube-side pressure used for liquid cooling-water properties [Pa]. Liquid
#: density and cp change by < 0.01 % between 1 and 3 bar, so the exact value is immaterial.
CW_PRESSURE_PA = 2.0e5

#: Absolute salinity by water type [kg/kg]. Sea: IAPWS-08 reference-composition standard
#: seawater (35.16504 g/kg); brackish: a representative estuarine 10 g/kg (override with
#: an explicit salinity); fresh: 0.
WATER_SALINITY_KG_KG = {"fresh": 0.0, "brackish": 0.010, "sea": 0.03516504}


def salinity_for(water_type: str, salinity_kg_kg: float | None = None) -> float:
    """Absolute salinity [kg/kg] for a water type, or the explicit value when given."""
    if salinity_kg_kg is not None:
        if salinity_kg_kg < 0.0:
            raise OutOfRangeError("salinity", "salinity cannot be negative")
        if salinity_kg_kg > 0.12:
            raise OutOfRangeError("salinity", f"{salinity_kg_kg * 1000:g} g/kg exceeds the "
                                  "IAPWS-08 range (0-120 g/kg)")
        return salinity_kg_kg
    try:
        return WATER_SALINITY_KG_KG[water_type]
    except KeyError:
        raise OutOfRangeError("water_type", f"unknown water type {water_type!r}; "
                              f"expected one of {sorted(WATER_SALINITY_KG_KG)}") from None


def saturation_temperature(pressure_pa: float, field: str = "condenser_pressure") -> float:
    """Saturation temperature [K] at an absolute pressure [Pa], IAPWS-IF97 Eq. 31.

    Valid from the triple point (611.657 Pa) to the critical point (22.064 MPa).

    >>> round(saturation_temperature(6773.0) - 273.15, 2)   # 2.0 inHgA (docs/methods.md §3.1)
    38.39
    """
    if not (P_TRIPLE <= pressure_pa <= P_CRITICAL):
        raise OutOfRangeError(field, Text("{p} is outside the IF97 saturation range {lo}-{hi}",
                                          p=("pressure", pressure_pa, 4), lo=("pressure", P_TRIPLE, 4),
                                          hi=("pressure", P_CRITICAL, 4)))
    return _tsat_cached(pressure_pa)


@lru_cache(maxsize=4096)
def _tsat_cached(pressure_pa: float) -> float:
    return float(iapws97._TSat_P(pressure_pa / 1e6))


def saturation_pressure(temperature_k: float, field: str = "saturation_temp") -> float:
    """Saturation pressure [Pa] at a temperature [K], IAPWS-IF97 Eq. 30."""
    if not (T_TRIPLE <= temperature_k <= T_CRITICAL):
        raise OutOfRangeError(field, Text("{t} is outside the IF97 saturation range {lo}-{hi}",
                                          t=("temperature", temperature_k, 6), lo=("temperature", T_TRIPLE, 6),
                                          hi=("temperature", T_CRITICAL, 6)))
    return _psat_cached(temperature_k)


@lru_cache(maxsize=4096)
def _psat_cached(temperature_k: float) -> float:
    return float(iapws97._PSat_T(temperature_k)) * 1e6


@lru_cache(maxsize=4096)
def _saturated_phases(pressure_pa: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """(v [m³/kg], h [kJ/kg]) of saturated liquid (IF97 region 1) and vapour (region 2) at a
    pressure: what ``iapws97._Region4`` evaluates for either quality (region 3 above
    623.15 K, through iapws)."""
    p_mpa = pressure_pa / 1e6
    t_sat = iapws97._TSat_P(p_mpa)
    if t_sat > 623.15:
        liquid, vapour = iapws97._Region4(p_mpa, 0), iapws97._Region4(p_mpa, 1)
        return (liquid["v"], liquid["h"]), (vapour["v"], vapour["h"])
    return region1_volume_enthalpy(t_sat, p_mpa), region2_volume_enthalpy(t_sat, p_mpa)


@lru_cache(maxsize=8192)
def _region4(pressure_pa: float, quality: int) -> tuple[float, float]:
    """Enthalpy [J/kg] and density [kg/m³] of saturated liquid (quality 0) or vapour (1):
    ``iapws97._Region4``'s mixing rule x' + q·(x'' − x') on one cached pair of phase states
    (iapws' values to within a few ulp, with both qualities from a single evaluation)."""
    (v_l, h_l), (v_v, h_v) = _saturated_phases(pressure_pa)
    h = h_l + quality * (h_v - h_l)
    v = v_l + quality * (v_v - v_l)
    return float(h) * 1e3, 1.0 / float(v)


def latent_heat(pressure_pa: float) -> float:
    """Latent heat of condensation h_fg [J/kg] at a saturation pressure [Pa] (IF97 region 4).

    >>> round(latent_heat(saturation_pressure(303.15)) / 1e3, 1)   # 30 °C (docs/methods.md §3.1)
    2429.8
    """
    saturation_temperature(pressure_pa)  # range check
    return _region4(pressure_pa, 1)[0] - _region4(pressure_pa, 0)[0]


def saturated_vapour_density(pressure_pa: float) -> float:
    """Density of saturated vapour [kg/m³] at a pressure [Pa]."""
    saturation_temperature(pressure_pa)
    return _region4(pressure_pa, 1)[1]


def saturated_liquid_density(pressure_pa: float) -> float:
    """Density of saturated liquid [kg/m³] at a pressure [Pa]."""
    saturation_temperature(pressure_pa)
    return _region4(pressure_pa, 0)[1]


@dataclass(frozen=True, slots=True)
class LiquidProperties:
    """Liquid cooling-water properties at one state (SI)."""

    density: float  #: [kg/m³]
    cp: float  #: isobaric heat capacity [J/(kg·K)]
    viscosity: float  #: dynamic viscosity [Pa·s]
    conductivity: float  #: thermal conductivity [W/(m·K)]

    @property
    def prandtl(self) -> float:
        """Prandtl number [-]."""
        return self.cp * self.viscosity / self.conductivity


def liquid_properties(temperature_k: float, salinity_kg_kg: float = 0.0,
                      pressure_pa: float = CW_PRESSURE_PA, field: str = "cw_inlet_temp") -> LiquidProperties:
    """Cooling-water properties at a bulk temperature [K] and absolute salinity [kg/kg].

    Fresh water (salinity 0): density and cp from IAPWS-IF97 region 1, viscosity from
    IAPWS R12-08, conductivity from IAPWS R15-11. Saline water: density and cp from
    IAPWS-08 (pure water by IAPWS-95, read from a per-isobar Chebyshev table to round-off, see
    :func:`_pure_water`, plus the saline Gibbs part, as ``iapws.iapws08.SeaWater``),
    viscosity = fresh × Sharqawy et al. (2010)
    Eq. 22 ratio; conductivity taken as fresh water (salinity lowers it by about 1 % at
    35 g/kg, below the uncertainty of any tube-side correlation).

    Valid 0-80 °C for cooling water (IAPWS-08 covers -6 to 80 °C at these pressures).
    """
    if not (273.15 <= temperature_k <= 353.15):
        raise OutOfRangeError(field, Text("{t} is outside the cooling-water property range {lo}-{hi}",
                                          t=("temperature", temperature_k, 3), lo=("temperature", 273.15, 3),
                                          hi=("temperature", 353.15, 3)))
    return _liquid_cached(temperature_k, salinity_kg_kg, pressure_pa)


def _floats(values) -> list[float]:
    return [float(x) for x in values]


# IF97 coefficients as float lists in the iapws package's term order. Region 1 (Table 2):
_R1_N, _R1_I, _R1_J = _floats(iapws97.Const.Region1_n), _floats(iapws97.Const.Region1_Li), \
    _floats(iapws97.Const.Region1_Lj)
_R1_I1 = _floats(iapws97.Const.Region1_Li_less_1)
_R1_J1 = _floats(iapws97.Const.Region1_Lj_less_1)
_R1_J2 = _floats(iapws97.Const.Region1_Lj_less_2)
#: Every power of (7.1 − π) and (τ − 1.222) the derivatives use, each evaluated once per state.
_R1_A_EXPONENTS = sorted(set(_R1_I) | set(_R1_I1))
_R1_B_EXPONENTS = sorted(set(_R1_J) | set(_R1_J1) | set(_R1_J2))
_A, _B = _R1_A_EXPONENTS.index, _R1_B_EXPONENTS.index
#: Terms as (coefficient, index of the power of a, index of the power of b); coefficients
#: n·I, n·J and n·J·(J−1) are the products iapws forms first, so every term is the same float.
_R1_GAMMA_PI_TERMS = tuple((n * i, _A(i1), _B(j)) for n, i, i1, j in zip(_R1_N, _R1_I, _R1_I1, _R1_J, strict=True))
_R1_GAMMA_TAU_TERMS = tuple((n * j, _A(i), _B(j1)) for n, i, j, j1 in zip(_R1_N, _R1_I, _R1_J, _R1_J1, strict=True))
_R1_GAMMA_TAUTAU_TERMS = tuple((n * j * j1, _A(i), _B(j2))
                               for n, i, j, j1, j2 in zip(_R1_N, _R1_I, _R1_J, _R1_J1, _R1_J2, strict=True))
del _A, _B
# Region 2, ideal-gas part (Table 10) and residual part (Table 11):
_R2_IDEAL_TAU_TERMS = tuple(zip([n * j for n, j in zip(_floats(iapws97.Const.Region2_cp0_no),
                                                       _floats(iapws97.Const.Region2_cp0_Jo), strict=True)],
                                _floats(iapws97.Const.Region2_cp0_Jo - 1), strict=True))
_R2_N, _R2_I, _R2_J = _floats(iapws97.Const.Region2_n), _floats(iapws97.Const.Region2_Li), \
    _floats(iapws97.Const.Region2_Lj)
_R2_RES_PI_TERMS = tuple(zip([n * i for n, i in zip(_R2_N, _R2_I, strict=True)],
                             _floats(iapws97.Const.Region2_Li_less_1), _R2_J, strict=True))
_R2_RES_TAU_TERMS = tuple(zip([n * j for n, j in zip(_R2_N, _R2_J, strict=True)], _R2_I,
                              _floats(iapws97.Const.Region2_Lj_less_1), strict=True))


def _pairwise_sum(terms: list[float]) -> float:
    """Sum in numpy's pairwise order for 8-128 terms (eight running sums, combined as
    ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the tail), so that the result is the very
    float numpy's ``np.sum`` gives, as in the iapws package."""
    r0, r1, r2, r3, r4, r5, r6, r7 = terms[:8]
    n, i = len(terms), 8
    while i + 8 <= n:
        r0 += terms[i]
        r1 += terms[i + 1]
        r2 += terms[i + 2]
        r3 += terms[i + 3]
        r4 += terms[i + 4]
        r5 += terms[i + 5]
        r6 += terms[i + 6]
        r7 += terms[i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for k in range(i, n):
        total += terms[k]
    return total


def _region1_powers(a: float, b: float) -> tuple[list[float], list[float]]:
    return [a ** e for e in _R1_A_EXPONENTS], [b ** e for e in _R1_B_EXPONENTS]


@lru_cache(maxsize=256)
def _region1_isobar(pi: float) -> tuple[tuple[tuple[float, int], ...], ...]:
    """The γ_π and γ_ττ terms of region 1 at one reduced pressure π, as (c·(7.1 − π)^I, index
    of the power of τ − 1.222). A term c·a^I·b^J is evaluated left to right, so its first
    product depends on the pressure only: formed once per pressure (cooling water is
    evaluated at one pressure), the terms are the same floats."""
    pa = [(7.1 - pi) ** e for e in _R1_A_EXPONENTS]
    return tuple(tuple((c * pa[x], y) for c, x, y in terms) for terms in (_R1_GAMMA_PI_TERMS, _R1_GAMMA_TAUTAU_TERMS))


def _tau_powers(b: float) -> list[float]:
    return [b ** e for e in _R1_B_EXPONENTS]


def region1_volume_cp(temperature_k: float, pressure_mpa: float) -> tuple[float, float]:
    """Specific volume [m³/kg] and isobaric heat capacity [kJ/(kg·K)] of IF97 region 1.

    IAPWS R7-97(2012) Eq. 7 and Table 3: γ(π, τ) = Σ nᵢ (7.1 − π)^Iᵢ (τ − 1.222)^Jᵢ with
    π = p/16.53 MPa, τ = 1386 K/T; v = π·γ_π·R·T/p, cp = −τ²·γ_ττ·R. Only the derivatives
    needed here are evaluated (``iapws97._Region1`` computes every property, about 8x
    slower), term by term with the same operations and summation order as iapws (equal to
    within a few ulp, tests/test_water.py; see the module docstring).
    """
    tau = 1386 / temperature_k
    pi = pressure_mpa / 16.53
    pi_terms, tautau_terms = _region1_isobar(pi)
    pb = _tau_powers(tau - 1.222)
    gamma_pi = -_pairwise_sum([k * pb[y] for k, y in pi_terms])
    gamma_tautau = _pairwise_sum([k * pb[y] for k, y in tautau_terms])
    return pi * gamma_pi * iapws97.R * temperature_k / pressure_mpa / 1000, -iapws97.R * tau ** 2 * gamma_tautau


def region1_volume_enthalpy(temperature_k: float, pressure_mpa: float) -> tuple[float, float]:
    """Specific volume [m³/kg] and enthalpy [kJ/kg] of IF97 region 1 (Eq. 7, Table 3:
    h = τ·γ_τ·R·T), as ``iapws97._Region1`` (within a few ulp)."""
    tau = 1386 / temperature_k
    pi = pressure_mpa / 16.53
    pa, pb = _region1_powers(7.1 - pi, tau - 1.222)
    gamma_pi = -_pairwise_sum([c * pa[x] * pb[y] for c, x, y in _R1_GAMMA_PI_TERMS])
    gamma_tau = _pairwise_sum([c * pa[x] * pb[y] for c, x, y in _R1_GAMMA_TAU_TERMS])
    return pi * gamma_pi * iapws97.R * temperature_k / pressure_mpa / 1000, tau * gamma_tau * iapws97.R * temperature_k


def region2_volume_enthalpy(temperature_k: float, pressure_mpa: float) -> tuple[float, float]:
    """Specific volume [m³/kg] and enthalpy [kJ/kg] of IF97 region 2 (steam).

    IAPWS R7-97(2012) Eqs. 15-17, Tables 10-12: γ = γ° + γʳ with π = p/1 MPa, τ = 540 K/T;
    γ°_π = 1/π, γ°_τ = Σ n°ᵢJ°ᵢτ^(J°ᵢ−1), γʳ_π = Σ nᵢIᵢπ^(Iᵢ−1)(τ−0.5)^Jᵢ,
    γʳ_τ = Σ nᵢπ^Iᵢ Jᵢ(τ−0.5)^(Jᵢ−1); v = π(γ°_π + γʳ_π)RT/p, h = τ(γ°_τ + γʳ_τ)RT.
    Same operations and summation order as ``iapws97._Region2`` (within a few ulp).
    """
    tau = 540 / temperature_k
    pi = pressure_mpa / 1
    b = tau - 0.5
    gamma0_pi = pi ** -1
    gamma0_tau = _pairwise_sum([n_j * tau ** j1 for n_j, j1 in _R2_IDEAL_TAU_TERMS])
    gammar_pi = _pairwise_sum([n_i * pi ** i1 * b ** j for n_i, i1, j in _R2_RES_PI_TERMS])
    gammar_tau = _pairwise_sum([n_j * pi ** i * b ** j1 for n_j, i, j1 in _R2_RES_TAU_TERMS])
    return (pi * (gamma0_pi + gammar_pi) * iapws97.R * temperature_k / pressure_mpa / 1000,
            tau * (gamma0_tau + gammar_tau) * iapws97.R * temperature_k)


# IAPWS R12-08 Eqs. 11-12 (viscosity) and R15-11 Eqs. 16-17 (thermal conductivity) coefficients.
_VISC_H0 = (1.67752, 2.20462, 0.6366564, -0.241605)
_VISC_TERMS = tuple(zip((0, 1, 2, 3, 0, 1, 2, 3, 5, 0, 1, 2, 3, 4, 0, 1, 0, 3, 4, 3, 5),
                        (0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 4, 4, 5, 6, 6),
                        (0.520094, 0.850895e-1, -0.108374e1, -0.289555, 0.222531, 0.999115, 0.188797e1,
                         0.126613e1, 0.120573, -0.281378, -0.906851, -0.772479, -0.489837, -0.257040,
                         0.161913, 0.257399, -0.325372e-1, 0.698452e-1, 0.872102e-2, -0.435673e-2,
                         -0.593264e-3), strict=True))
_COND_L0 = (2.443221e-3, 1.323095e-2, 6.770357e-3, -3.454586e-3, 4.096266e-4)
_COND_TERMS = tuple(zip((0,) * 6 + (1,) * 6 + (2,) * 6 + (3,) * 4 + (4,) * 6,
                        (0, 1, 2, 3, 4, 5) * 3 + (0, 1, 2, 3) + (0, 1, 2, 3, 4, 5),
                        (1.60397357, -0.646013523, 0.111443906, 0.102997357, -0.0504123634, 0.00609859258,
                         2.33771842, -2.78843778, 1.53616167, -0.463045512, 0.0832827019, -0.00719201245,
                         2.19650529, -4.54580785, 3.55777244, -1.40944978, 0.275418278, -0.0205938816,
                         -1.21051378, 1.60812989, -0.621178141, 0.0716373224, -2.7203370, 4.57586331,
                         -3.18369245, 1.1168348, -0.19268305, 0.012913842), strict=True))


def liquid_transport(density: float, temperature_k: float) -> tuple[float, float]:
    """Dynamic viscosity [Pa·s] and thermal conductivity [W/(m·K)] of water, without the
    critical enhancement (negligible for cooling water, as in ``iapws._Viscosity`` and
    ``iapws._ThCond`` called without a phase).

    IAPWS R12-08 Eqs. 10-12: μ = μ0(T̄)·μ1(T̄, ρ̄), μ0 = 100·√T̄ / Σ Hᵢ/T̄ⁱ,
    μ1 = exp(ρ̄ Σ Hᵢⱼ (1/T̄ − 1)ⁱ (ρ̄ − 1)ʲ) [μPa·s]; IAPWS R15-11 Eqs. 10, 16-17:
    λ = λ0(T̄)·λ1(T̄, ρ̄), λ0 = √T̄ / Σ Lₖ/T̄ᵏ, λ1 = exp(ρ̄ Σ Lᵢⱼ (1/T̄ − 1)ⁱ (ρ̄ − 1)ʲ)
    [mW/(m·K)]; T̄ = T/647.096 K, ρ̄ = ρ/322 kg/m³. The powers are shared by both sums; each
    is computed with ``**`` as iapws does, and the sums run in the same order, so the results
    agree with iapws to within a few ulp (tests/test_water.py).
    """
    tr = temperature_k / _iapws.Tc
    dr = density / _iapws.rhoc
    x = 1 / tr - 1
    x_pow = [x ** i for i in range(6)]
    y = dr - 1
    y_pow = [y ** j for j in range(7)]
    tr_pow = [tr ** i for i in range(5)]
    mu0 = 100 * tr ** 0.5 / sum([h / tr_pow[i] for i, h in enumerate(_VISC_H0)])
    mu1 = math.exp(dr * sum([x_pow[i] * h * y_pow[j] for i, j, h in _VISC_TERMS]))
    k0 = tr ** 0.5 / sum([n / tr_pow[i] for i, n in enumerate(_COND_L0)])
    k1 = math.exp(dr * sum([x_pow[i] * n * y_pow[j] for i, j, n in _COND_TERMS]))
    return mu0 * mu1 * 1e-6, 1e-3 * (k0 * k1)


@lru_cache(maxsize=8192)
def _liquid_cached(temperature_k: float, salinity: float, pressure_pa: float) -> LiquidProperties:
    p_mpa = pressure_pa / 1e6
    volume, cp_kj = region1_volume_cp(temperature_k, p_mpa)
    rho_fresh = 1.0 / volume
    mu_fresh, k_fresh = liquid_transport(rho_fresh, temperature_k)
    if salinity <= 0.0:
        return LiquidProperties(rho_fresh, cp_kj * 1e3, mu_fresh, k_fresh)
    rho, cp = if97_vector.saline_mix(temperature_k, salinity, p_mpa, *_pure_water(temperature_k, pressure_pa))
    t_c = temperature_k - KELVIN_OFFSET
    a = 1.541 + 1.998e-2 * t_c - 9.52e-5 * t_c**2
    b = 7.974 - 7.561e-2 * t_c + 4.724e-4 * t_c**2
    mu = mu_fresh * (1.0 + a * salinity + b * salinity**2)
    return LiquidProperties(rho, cp, mu, k_fresh)


#: Chebyshev nodes of the pure-water isobar table (sea water); 20 already reach round-off.
PURE_WATER_NODES = 32
_T_LOW, _T_HIGH = 273.15, 353.15


@lru_cache(maxsize=16)
def _pure_water_isobar(pressure_pa: float) -> tuple[tuple[float, float, float, float], ...]:
    """(T node [K], barycentric weight, ρ [kg/m³], cp [kJ/(kg·K)]) of pure liquid water by
    IAPWS-95 (:func:`.if97_vector.iapws95_liquid`: density solved from (T, P) by Newton's
    method, cp from the Helmholtz derivatives) at Chebyshev points of 0-80 °C on one isobar.

    Nodes are cos(jπ/N) mapped to the range and rounded to 1e-9 K; the weights are the true
    barycentric weights 1/Π(x_j − x_k) of those nodes (scaled), so the table and every value
    interpolated from it are the same on every machine."""
    mid, half = 0.5 * (_T_LOW + _T_HIGH), 0.5 * (_T_HIGH - _T_LOW)
    nodes = [round(mid + half * math.cos(math.pi * j / PURE_WATER_NODES), 9) for j in range(PURE_WATER_NODES + 1)]
    rho, cp = if97_vector.iapws95_liquid(np.array(nodes), pressure_pa / 1e6)
    weights = []
    for j, xj in enumerate(nodes):
        product = 1.0
        for k, xk in enumerate(nodes):
            if k != j:
                product *= (xj - xk) / half
        weights.append(1.0 / product)
    return tuple(zip(nodes, weights, rho.tolist(), cp.tolist(), strict=True))


def _pure_water(temperature_k: float, pressure_pa: float) -> tuple[float, float]:
    """IAPWS-95 pure-water ρ [kg/m³] and cp [kJ/(kg·K)] at (T, P), 0-80 °C: the polynomial
    through the 33 Chebyshev nodes of :func:`_pure_water_isobar`, evaluated by the second
    (true) barycentric formula p(x) = Σ wⱼfⱼ/(x − xⱼ) / Σ wⱼ/(x − xⱼ) (Berrut & Trefethen,
    SIAM Review 46(3), 2004, Eq. 4.2). ρ and cp are analytic along the liquid isobar, so the
    interpolant agrees with IAPWS-95 evaluated directly to round-off (about 2e-14 in ρ and
    2e-13 in cp, tests/test_water.py) at about 1/1000 of the cost of ``iapws08.SeaWater``,
    whose density solve dominated sea-water calls."""
    num_rho = num_cp = den = 0.0
    for node, weight, rho, cp in _pure_water_isobar(pressure_pa):
        d = temperature_k - node
        if d == 0.0:
            return rho, cp
        q = weight / d
        num_rho += q * rho
        num_cp += q * cp
        den += q
    return num_rho / den, num_cp / den
