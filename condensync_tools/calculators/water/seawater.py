# SPDX-License-Identifier: MIT
"""Sea water: IAPWS-08 density and cp, Sharqawy viscosity ratio (docs/methods.md §10.1).

IAPWS R13-08, *Release on the IAPWS Formulation 2008 for the Thermodynamic Properties of
Seawater*: g(S, T, p) = g^W(T, p) + g^S(S, T, p), with the pure-water part from IAPWS-95
(R6-95(2018): density solved from (T, p) by Newton's method on δ, started from IF97; cp from
the Helmholtz derivatives) and the saline part from Table 2. The pure-water ρ and cp on the
cooling-water isobar are read from a Chebyshev table of IAPWS-95 values (round-off accuracy,
:func:`pure_water`). Viscosity: Sharqawy, Lienhard, Zubair (2010), *Thermophysical
properties of seawater*, Desalination and Water Treatment 16, 354-380, Eqs. 22-23.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from .. import portable_math as pm
from . import coefficients
from ._algebra import Powers
from .coefficients import (
    RHO_CRITICAL,
    SALINE_G,
    SALINITY_UNIT,
    SEA_P0_MPA,
    SEA_P_STAR_MPA,
    SEA_T0_K,
    SEA_T_STAR_K,
    SHARQAWY_A,
    SHARQAWY_B,
    T_CRITICAL,
)
from .if97 import region1_isobar

__all__ = ["iapws95_liquid", "saline_mix", "pure_water", "viscosity_ratio", "PURE_WATER_NODES"]


def _real_power(x: np.ndarray, t: float) -> np.ndarray:
    """x**t with the same bits on every machine: products for an integer t, else e^(t·ln x)."""
    if float(t).is_integer():
        return pm.int_power(x, int(t))
    return pm.power(x, t)


def _iapws95_derivatives(
    tau: np.ndarray, delta: np.ndarray, full: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Residual Helmholtz derivatives (φr_δ, φr_δδ[, φr_ττ, φr_δτ]) of IAPWS-95.

    Polynomial, exponential and Gaussian terms. The two non-analytic terms carry the factor
    exp(−28(δ−1)² − 700(τ−1)²) < 1e-250 for liquid water at 0-80 °C: adding them changes no
    double, so they are omitted.
    """
    w95 = coefficients.IAPWS95_RESIDUAL  # read from iapws on first use
    dp, tp_ = Powers(delta), Powers(tau)
    inv_tau = 1.0 / tau
    fird = np.zeros_like(delta)
    firdd = np.zeros_like(delta)
    firtt = np.zeros_like(delta) if full else None
    firdt = np.zeros_like(delta) if full else None
    for n, d, t in zip(w95["nr1"], w95["d1"], w95["t1"], strict=False):
        tau_t = _real_power(tau, t)
        base = n * tau_t
        fird += base * d * (dp(d - 1) if d > 1 else 1.0)
        if d > 1:
            firdd += base * d * (d - 1) * (dp(d - 2) if d > 2 else 1.0)
        if full:
            firtt += n * t * (t - 1) * dp(d) * tau_t * inv_tau * inv_tau
            firdt += n * t * d * (dp(d - 1) if d > 1 else 1.0) * tau_t * inv_tau
    exps: dict[int, np.ndarray] = {}
    for n, d, g, t, c in zip(w95["nr2"], w95["d2"], w95["gamma2"], w95["t2"], w95["c2"], strict=False):
        dc = dp(c)
        e = exps.get(c)
        if e is None:
            e = exps[c] = pm.exp(-g * dc)
        tau_t = tp_(t)
        k = d - g * c * dc
        common = n * e * tau_t
        d_m1 = dp(d - 1) if d > 1 else 1.0
        fird += common * d_m1 * k
        d_m2 = dp(d - 2) if d > 2 else (1.0 if d == 2 else 1.0 / delta)
        firdd += common * d_m2 * (k * (k - 1) - g * g * c * c * dc)
        if full:
            tau_tm1 = tp_(t - 1) if t > 1 else 1.0
            tau_tm2 = tp_(t - 2) if t > 2 else (1.0 if t == 2 else inv_tau)
            firtt += n * t * (t - 1) * dp(d) * tau_tm2 * e
            firdt += n * t * d_m1 * tau_tm1 * k * e
    for n, d, t, a, eps, b, g in zip(
        w95["nr3"],
        w95["d3"],
        w95["t3"],
        w95["alfa3"],
        w95["epsilon3"],
        w95["beta3"],
        w95["gamma3"],
        strict=False,
    ):
        ex = pm.exp(-a * (delta - eps) ** 2 - b * (tau - g) ** 2)
        tau_t = _real_power(tau, t)
        dd = dp(d)
        fird += n * dd * tau_t * ex * (d / delta - 2 * a * (delta - eps))
        firdd += (
            n
            * tau_t
            * ex
            * (
                -2 * a * dd
                + 4 * a * a * dd * (delta - eps) ** 2
                - 4 * d * a * dp(d - 1) * (delta - eps)
                + d * (d - 1) * dp(d - 2)
            )
        )
        if full:
            tt = t * inv_tau - 2 * b * (tau - g)
            firtt += n * dd * tau_t * ex * (tt**2 - t * inv_tau**2 - 2 * b)
            firdt += n * dd * tau_t * ex * tt * (d / delta - 2 * a * (delta - eps))
    return fird, firdd, firtt, firdt


def iapws95_liquid(temperature_k: np.ndarray, p_mpa: float) -> tuple[np.ndarray, np.ndarray]:
    """IAPWS-95 liquid density [kg/m³] and cp [kJ/(kg·K)] at (T, P): Newton on δ from IF97."""
    rho = region1_isobar(p_mpa * 1e6).density(temperature_k)
    tau = T_CRITICAL / temperature_k
    ideal, r_iapws95 = coefficients.IAPWS95_IDEAL, coefficients.R_IAPWS95  # from iapws on first use
    rt = r_iapws95 * temperature_k
    p_kpa = p_mpa * 1000
    for _ in range(30):
        delta = rho / RHO_CRITICAL
        fird, firdd, _, _ = _iapws95_derivatives(tau, delta, full=False)
        f = (1 + delta * fird) * rt * rho - p_kpa
        dfdrho = rt * (1 + 2 * delta * fird + delta * delta * firdd)
        step = f / dfdrho
        rho = rho - step
        if np.all(np.abs(step) <= 1e-15 * rho):
            break
    delta = rho / RHO_CRITICAL
    fird, firdd, firtt, firdt = _iapws95_derivatives(tau, delta, full=True)
    fiott = -ideal["ao_log"][1] / tau**2
    for n, t in zip(ideal["ao_exp"], ideal["titao"], strict=False):
        e = pm.exp(-t * tau)
        fiott = fiott - n * (t * t) * e * pm.int_power(1 - e, -2)
    num = 1 + delta * fird - delta * tau * firdt
    cp = r_iapws95 * (-(tau**2) * (fiott + firtt) + num**2 / (1 + 2 * delta * fird + delta**2 * firdd))
    return rho, cp


@lru_cache(maxsize=16)
def _saline_polynomials(salinity: float, p_mpa: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Coefficients (in τ_s = (T − T0)/T*) of g^S_p [m³/kg] and g^S_TT [kJ/(kg·K²)] of the
    IAPWS-08 saline part (Table 2) at fixed salinity and pressure: ξ = √(S/S_u),
    π = (p − p0)/p*."""
    x = math.sqrt(salinity / SALINITY_UNIT)
    pi = (p_mpa - SEA_P0_MPA) / SEA_P_STAR_MPA
    gp = [0.0] * 8
    gtt = [0.0] * 8
    for i, j, k, g in SALINE_G:
        if k >= 1:
            gp[j] += k * g * pm.int_power(x, i) * pm.int_power(pi, k - 1)
        if j >= 2:
            gtt[j - 2] += j * (j - 1) * g * pm.int_power(x, i) * pm.int_power(pi, k)
    return (tuple(v / SEA_P_STAR_MPA * 1e-6 for v in gp), tuple(v / (SEA_T_STAR_K * SEA_T_STAR_K) * 1e-3 for v in gtt))


def _horner(coefficients: tuple[float, ...], x):
    """Σ cᵢ·xⁱ by Horner's rule, on a float or an array."""
    acc = coefficients[-1]
    for c in coefficients[-2::-1]:
        acc = c + acc * x
    return acc


def saline_mix(temperature_k, salinity: float, p_mpa: float, rho_water, cp_water_kj):
    """IAPWS-08 sea water from its pure-water part: g = g^W + g^S, so
    ρ = 1/(1/ρ_W + g^S_p) and cp = −T·(g^W_TT + g^S_TT) with g^W_TT = −cp_W/T.

    ``rho_water`` [kg/m³] and ``cp_water_kj`` [kJ/(kg·K)]: pure water at (T, P); floats or
    arrays. Returns (ρ [kg/m³], cp [J/(kg·K)])."""
    gp, gtt = _saline_polynomials(salinity, p_mpa)
    ts = (temperature_k - SEA_T0_K) / SEA_T_STAR_K
    rho = 1.0 / (1.0 / rho_water + _horner(gp, ts))
    cp = -temperature_k * (-cp_water_kj / temperature_k + _horner(gtt, ts))
    return rho, cp * 1e3


def viscosity_ratio(temperature_k, salinity: float):
    """μ_sw/μ_w = 1 + A·S + B·S² (Sharqawy et al. 2010 Eq. 22; t in °C, S in kg/kg)."""
    t_c = temperature_k - SEA_T0_K
    t_c2 = t_c * t_c
    a = SHARQAWY_A[0] + SHARQAWY_A[1] * t_c + SHARQAWY_A[2] * t_c2
    b = SHARQAWY_B[0] + SHARQAWY_B[1] * t_c + SHARQAWY_B[2] * t_c2
    return 1.0 + a * salinity + b * (salinity * salinity)


#: Chebyshev nodes of the pure-water isobar table; 20 already reach round-off.
PURE_WATER_NODES = 32
_T_LOW, _T_HIGH = 273.15, 353.15


@lru_cache(maxsize=16)
def _pure_water_isobar(pressure_pa: float) -> tuple[tuple[float, float, float, float], ...]:
    """(T node [K], barycentric weight, ρ [kg/m³], cp [kJ/(kg·K)]) of pure liquid water by
    IAPWS-95 (:func:`iapws95_liquid`) at the Chebyshev points of 0-80 °C on one isobar.

    Nodes are cos(jπ/N) mapped to the range and rounded to 1e-9 K; the weights are the true
    barycentric weights 1/Π(x_j − x_k) of those nodes (scaled), so the table and every value
    interpolated from it are the same on every machine."""
    mid, half = 0.5 * (_T_LOW + _T_HIGH), 0.5 * (_T_HIGH - _T_LOW)
    nodes = [round(mid + half * math.cos(math.pi * j / PURE_WATER_NODES), 9) for j in range(PURE_WATER_NODES + 1)]
    rho, cp = iapws95_liquid(np.array(nodes), pressure_pa / 1e6)
    weights = []
    for j, xj in enumerate(nodes):
        product = 1.0
        for k, xk in enumerate(nodes):
            if k != j:
                product *= (xj - xk) / half
        weights.append(1.0 / product)
    return tuple(zip(nodes, weights, rho.tolist(), cp.tolist(), strict=True))


def _barycentric(table: tuple, temperature_k):
    """Σ qⱼ·ρⱼ/Σ qⱼ and Σ qⱼ·cpⱼ/Σ qⱼ with qⱼ = wⱼ/(T − Tⱼ), nodes in table order (a float on a
    node returns the node's values)."""
    num_rho = num_cp = den = 0.0
    for node, weight, rho, cp in table:
        d = temperature_k - node
        if not isinstance(d, np.ndarray) and d == 0.0:
            return rho, cp
        q = weight / d
        num_rho += q * rho
        num_cp += q * cp
        den += q
    return num_rho / den, num_cp / den


def pure_water(temperature_k, pressure_pa: float):
    """IAPWS-95 pure-water ρ [kg/m³] and cp [kJ/(kg·K)] at (T, P), 0-80 °C: the polynomial
    through the 33 Chebyshev nodes of :func:`_pure_water_isobar`, by the second (true)
    barycentric formula p(x) = Σ wⱼfⱼ/(x − xⱼ) / Σ wⱼ/(x − xⱼ) (Berrut & Trefethen, SIAM
    Review 46(3), 2004, Eq. 4.2). ρ and cp are analytic along the liquid isobar, so the
    interpolant agrees with IAPWS-95 evaluated directly to round-off (about 2e-14 in ρ and
    2e-13 in cp, tests/test_water.py), at a small fraction of the cost of the density solve."""
    table = _pure_water_isobar(pressure_pa)
    if not isinstance(temperature_k, np.ndarray):
        return _barycentric(table, temperature_k)
    with np.errstate(divide="ignore", invalid="ignore"):  # a temperature on a node: fixed below
        rho_out, cp_out = _barycentric(table, temperature_k)
    for node, _, rho, cp in table:
        hit = temperature_k == node
        if hit.any():
            rho_out[hit], cp_out[hit] = rho, cp
    return rho_out, cp_out
