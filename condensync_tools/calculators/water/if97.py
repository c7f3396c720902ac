# SPDX-License-Identifier: MIT
"""IAPWS-IF97 regions 1, 2 and 4 on floats or numpy arrays (docs/methods.md §10.1).

IAPWS R7-97(2012), *Revised Release on the IAPWS Industrial Formulation 1997 for the
Thermodynamic Properties of Water and Steam*: region 1 (compressed liquid, Eq. 7, Tables
2-4), region 2 (steam, Eqs. 15-17, Tables 10-12), region 4 (saturation line, Eqs. 30-31,
Table 34). Every function takes floats or arrays (SI units unless stated) and uses only
+, −, ×, ÷, √ and integer powers by products, so the values are the same on every machine,
for a float and for a one-row array alike. Ranges are the caller's job (:mod:`.water`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import portable_math as pm
from ._algebra import Laurent, add_inverse_powers, in_pieces, laurent_plans, laurent_tables, power_plan, power_table
from .coefficients import R_IF97, REGION1_TERMS, REGION2_IDEAL_TERMS, REGION2_RESIDUAL_TERMS, REGION4_N

__all__ = [
    "tsat_p",
    "psat_t",
    "Region1Isobar",
    "region1_isobar",
    "region1",
    "region2",
    "saturation_props",
    "saturation_densities",
]


def tsat_p(pressure_pa):
    """Saturation temperature [K] at absolute pressure [Pa], R7-97(2012) Eq. 31 (611.213 Pa -
    22.064 MPa; unchecked): β = (P/1 MPa)^¼, E = β² + n3·β + n6, F = n1·β² + n4·β + n7,
    G = n2·β² + n5·β + n8, D = 2G/(−F − √(F² − 4EG)),
    T = (n10 + D − √((n10 + D)² − 4(n9 + n10·D)))/2."""
    n = REGION4_N
    beta = pm.quarter_power(pressure_pa / 1e6)
    beta2 = beta * beta
    # augmented assignments: in place on fresh arrays, plain arithmetic on floats
    e = beta * n[3]
    e += beta2
    e += n[6]
    f = beta2 * n[1]
    f += beta * n[4]
    f += n[7]
    g = beta2 * n[2]
    g += beta * n[5]
    g += n[8]
    e *= g
    e *= 4
    disc = f * f
    disc -= e
    disc = pm.sqrt(disc)
    disc += f
    d = g * -2
    d /= disc  # 2G/(−F − √(F² − 4EG)): the sign moved to the numerator (exact)
    a = d + n[10]
    b = a * a
    d *= n[10]
    d += n[9]
    d *= 4
    b -= d
    a -= pm.sqrt(b)
    a /= 2
    return a


def psat_t(temperature_k):
    """Saturation pressure [Pa] at temperature [K], R7-97(2012) Eq. 30 (273.15-647.096 K;
    unchecked): ϑ = T + n9/(T − n10), A = ϑ² + n1·ϑ + n2, B = n3·ϑ² + n4·ϑ + n5,
    C = n6·ϑ² + n7·ϑ + n8, P = [2C/(−B + √(B² − 4AC))]⁴ · 1 MPa."""
    n = REGION4_N
    tita = temperature_k + n[9] / (temperature_k - n[10])
    tita2 = tita * tita
    a = tita2 + n[1] * tita + n[2]
    b = n[3] * tita2 + n[4] * tita + n[5]
    c = n[6] * tita2 + n[7] * tita + n[8]
    return pm.int_power(2 * c / (-b + pm.sqrt(b * b - 4 * a * c)), 4) * 1e6


class Region1Isobar:
    """IF97 region 1 on one isobar: specific volume and cp as functions of T only.

    At fixed π the Gibbs function γ = Σ nᵢ (7.1 − π)^Iᵢ (τ − 1.222)^Jᵢ (Eq. 7, Table 2) is a
    sparse Laurent polynomial in x = τ − 1.222 (τ = 1386 K/T); γ_π and γ_ττ are precomputed
    as such polynomials (Horner's rule). v = π·γ_π·R·T/p, cp = −τ²·γ_ττ·R (Table 3).
    """

    def __init__(self, pressure_pa: float) -> None:
        self.p_mpa = pressure_pa / 1e6
        self.pr = self.p_mpa / 16.53
        a = 7.1 - self.pr
        gp: dict[int, float] = {}
        gtt: dict[int, float] = {}
        for n, i, j in REGION1_TERMS:
            if i:
                gp[j] = gp.get(j, 0.0) - n * i * pm.int_power(a, i - 1)
            if j * (j - 1):
                gtt[j - 2] = gtt.get(j - 2, 0.0) + n * j * (j - 1) * pm.int_power(a, i)
        self._gp = Laurent(gp)
        self._gtt = Laurent(gtt)
        self._plans = laurent_plans((self._gp, self._gtt))  # powers shared by γ_π and γ_ττ
        self._v_factor = self.pr * R_IF97 / self.p_mpa / 1000  # v = γπ·T·(π·R/p/1000)

    def specific_volume(self, temperature_k):
        """Specific volume [m³/kg]."""
        x = 1386 / temperature_k
        x -= 1.222
        v = self._gp(x)
        v *= temperature_k
        v *= self._v_factor
        return v

    def density(self, temperature_k):
        """Density [kg/m³] = 1/v."""
        return 1.0 / self.specific_volume(temperature_k)

    def density_cp(self, temperature_k):
        """(:meth:`density`, :meth:`cp`), sharing the powers of τ − 1.222 (the same values)."""
        tr = 1386 / temperature_k
        x = tr - 1.222
        tables = laurent_tables(x, self._plans)
        v = self._gp(x, tables)
        v *= temperature_k
        v *= self._v_factor
        cp = self._gtt(x, tables)
        cp *= tr * tr
        cp *= -R_IF97 * 1e3
        return 1.0 / v, cp

    def cp(self, temperature_k):
        """Isobaric heat capacity [J/(kg·K)] = −R·τ²·γ_ττ·1000."""
        tr = 1386 / temperature_k
        cp = self._gtt(tr - 1.222)
        cp *= tr * tr
        cp *= -R_IF97 * 1e3
        return cp


@lru_cache(maxsize=8)
def region1_isobar(pressure_pa: float) -> Region1Isobar:
    """A cached :class:`Region1Isobar` (the isobar's coefficients: formed once per pressure)."""
    return Region1Isobar(pressure_pa)


def _signed_plan(exponents: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Power plans (:func:`power_plan`) of the positive exponents and of |negative| ones."""
    return power_plan(k for k in exponents if k > 0), power_plan(-k for k in exponents if k < 0)


def _signed_powers(x, plans: tuple[tuple[int, ...], tuple[int, ...]], negative: bool) -> dict:
    """{k: x^k} (x^0 = 1.0; negative k as (1/x)^|k|) by :func:`power_table`."""
    table = power_table(x, plans[0])
    return add_inverse_powers(table, 1.0 / x, plans[1]) if negative else table


def _exponents(*plans: tuple, position: int) -> tuple[int, ...]:
    return tuple(sorted({term[position] for plan in plans for term in plan}))


def _term_plan(terms, coefficient, a_exponent, x_exponent, keep) -> tuple:
    """(c, a exponent, x exponent) of the kept terms, c formed once (the same float as in the sum)."""
    return tuple((coefficient(*t), a_exponent(*t), x_exponent(*t)) for t in terms if keep(*t))


# Region 1: γ_π = −Σ (nI)(7.1 − π)^(I−1)(τ − 1.222)^J, γ_τ = Σ (nJ)(7.1 − π)^I(τ − 1.222)^(J−1)
_R1_PI = _term_plan(REGION1_TERMS, lambda n, i, j: n * i, lambda n, i, j: i - 1, lambda n, i, j: j,
                    lambda n, i, j: i != 0)  # fmt: skip
_R1_TAU = _term_plan(REGION1_TERMS, lambda n, i, j: n * j, lambda n, i, j: i, lambda n, i, j: j - 1,
                     lambda n, i, j: j != 0)  # fmt: skip
# Region 2: γ°_τ = Σ (n°J°)τ^(J°−1); γʳ_π = Σ (nI)π^(I−1)(τ − 0.5)^J; γʳ_τ = Σ (nJ)π^I(τ − 0.5)^(J−1)
_R2_IDEAL = tuple((n0 * j0, j0 - 1) for n0, j0 in REGION2_IDEAL_TERMS if j0)
_R2_PI = _term_plan(REGION2_RESIDUAL_TERMS, lambda n, i, j: n * i, lambda n, i, j: i - 1, lambda n, i, j: j,
                    lambda n, i, j: True)  # fmt: skip
_R2_TAU = _term_plan(REGION2_RESIDUAL_TERMS, lambda n, i, j: n * j, lambda n, i, j: i, lambda n, i, j: j - 1,
                     lambda n, i, j: j != 0)  # fmt: skip
_R1_A = _signed_plan(_exponents(_R1_PI, _R1_TAU, position=1))
_R1_X = _signed_plan(_exponents(_R1_PI, _R1_TAU, position=2))
_R2_T = _signed_plan(_exponents(_R2_IDEAL, position=1))
_R2_P = _signed_plan(_exponents(_R2_PI, _R2_TAU, position=1))
_R2_X = _signed_plan(_exponents(_R2_PI, _R2_TAU, position=2))


def _sum_terms(plan: tuple, a: dict, x: dict, total, sign: float = 1.0):
    """total ± Σ c·a^I·x^J over a term plan, left to right. On arrays the factors of 1 (power 0)
    are skipped; on floats they are multiplied (exact), which gives the same bits faster."""
    if not (isinstance(a[1], np.ndarray) or isinstance(x[1], np.ndarray)):
        if sign > 0:
            for c, i, j in plan:
                total += c * a[i] * x[j]
        else:
            for c, i, j in plan:
                total -= c * a[i] * x[j]
        return total
    for c, i, j in plan:
        term = c * a[i] if i else c
        term = term * x[j] if j else term
        if sign > 0:
            total += term
        else:
            total -= term
    return total


def region1(temperature_k, p_mpa):
    """IF97 region 1 at any (T [K], P [MPa]): (v [m³/kg], h [kJ/kg]); Eq. 7, Tables 2-4:
    γ_π = −Σ nᵢIᵢ(7.1 − π)^(Iᵢ−1)(τ − 1.222)^Jᵢ, γ_τ = Σ nᵢ(7.1 − π)^Iᵢ Jᵢ(τ − 1.222)^(Jᵢ−1),
    v = π·γ_π·R·T/p, h = τ·γ_τ·R·T; terms added in the table's order."""
    tr = 1386 / temperature_k
    pr = p_mpa / 16.53
    a = _signed_powers(7.1 - pr, _R1_A, False)
    x = _signed_powers(tr - 1.222, _R1_X, True)
    gp = _sum_terms(_R1_PI, a, x, 0.0, -1.0)
    gt = _sum_terms(_R1_TAU, a, x, 0.0)
    v = pr * gp * R_IF97 * temperature_k / p_mpa / 1000
    return v, tr * gt * R_IF97 * temperature_k


def region2(temperature_k, p_mpa):
    """IF97 region 2 at (T [K], P [MPa]): (v [m³/kg], h [kJ/kg]); Eqs. 15-17, Tables 10-12:
    γ°_π = 1/π, γ°_τ = Σ n°ᵢJ°ᵢτ^(J°ᵢ−1), γʳ_π = Σ nᵢIᵢπ^(Iᵢ−1)(τ−0.5)^Jᵢ,
    γʳ_τ = Σ nᵢπ^Iᵢ Jᵢ(τ−0.5)^(Jᵢ−1); v = π(γ°_π + γʳ_π)RT/p, h = τ(γ°_τ + γʳ_τ)RT."""
    tr = 540 / temperature_k
    pr = p_mpa / 1
    t = _signed_powers(tr, _R2_T, True)
    got = 0.0
    for c, k in _R2_IDEAL:
        got += c * t[k] if k else c
    pp, xp = _signed_powers(pr, _R2_P, False), _signed_powers(tr - 0.5, _R2_X, False)
    grp = _sum_terms(_R2_PI, pp, xp, 0.0)
    grt = _sum_terms(_R2_TAU, pp, xp, 0.0)
    v = pr * (1.0 / pr + grp) * R_IF97 * temperature_k / p_mpa / 1000
    return v, tr * (got + grt) * R_IF97 * temperature_k


def _saturated(pressure_pa, t_sat, liquid_density: bool = False):
    """(h_fg [J/kg], ρ'' [kg/m³]) at (P, T_sat), and ρ' [kg/m³] with ``liquid_density``:
    regions 1 and 2 at T_sat; the region-4 mixture rule x' + q·(x'' − x') for q = 1 and q = 0;
    ρ' = 1/v of region 1 (the one region-1 evaluation serves both)."""
    p_mpa = pressure_pa / 1e6
    v1, h1 = region1(t_sat, p_mpa)
    v2, h2 = region2(t_sat, p_mpa)
    dh = h2 - h1
    h_fg = (dh + h1) * 1e3 - (dh * 0 + h1) * 1e3
    if liquid_density:
        return h_fg, 1.0 / (v2 - v1 + v1), 1.0 / v1
    return h_fg, 1.0 / (v2 - v1 + v1)


def saturation_props(pressure_pa, t_sat=None):
    """(T_sat [K], latent heat h_fg [J/kg], saturated vapour density [kg/m³]) at P [Pa] below
    623.15 K (region 4 from regions 1 and 2). ``t_sat``: :func:`tsat_p` of P when at hand."""
    t = tsat_p(pressure_pa) if t_sat is None else t_sat
    return (t, *in_pieces(_saturated, pressure_pa, t))


def saturation_densities(pressure_pa, t_sat):
    """(h_fg [J/kg], saturated vapour density ρ'' [kg/m³], saturated liquid density ρ' [kg/m³])
    at P [Pa] and its T_sat [K] below 623.15 K: :func:`saturation_props` and region 1's 1/v at
    (T_sat, P), from one evaluation of each region."""
    return in_pieces(lambda p, t: _saturated(p, t, True), pressure_pa, t_sat)
