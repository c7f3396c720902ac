# SPDX-License-Identifier: MIT
"""Vectorised water and steam properties: the numpy twin of :mod:`.water`.

Every function takes and returns numpy arrays in SI base units (K, Pa, kg/m³, J/(kg·K),
J/kg, Pa·s, W/(m·K)) and evaluates the *same* formulations, with the *same* coefficients,
as the scalar path (the ``iapws`` package behind :mod:`.water`), so that results agree to
round-off (tests assert 1e-9 relative; typical agreement is 1e-14):

* saturation line: IAPWS-IF97 region 4, Eqs. 30-31;
* compressed liquid: IAPWS-IF97 region 1 (Eq. 7), specialised for the fixed tube-side
  pressure of cooling water (:class:`Region1Isobar`: at constant π the Gibbs function is a
  sparse Laurent polynomial in τ − 1.222, evaluated by Horner's rule), and in general form
  for saturated liquid (:func:`region1`);
* saturated vapour: IAPWS-IF97 region 2 (Eqs. 15-17);
* viscosity IAPWS R12-08 and thermal conductivity IAPWS R15-11, both without the critical
  enhancement (as :func:`iapws._iapws._Viscosity` / ``_ThCond`` evaluate them when called
  with density and temperature only);
* sea water: IAPWS-08 = pure water from IAPWS-95 (density solved from (T, P) by Newton's
  method on δ, started from IF97; cp from the Helmholtz derivatives) + the IAPWS-08 saline
  Gibbs polynomial; viscosity ratio Sharqawy et al. (2010), as in :func:`.water.liquid_properties`.

Every elementary function comes from :mod:`.portable_math` (or is a product, quotient or
square root), never from numpy's ``log``/``exp``/``power`` loops, which numpy picks by CPU and
which differ in the last bit between machines: the results, and so the history analysis'
hashes, are the same on every machine.

Pure numpy; no I/O. Range checks are the caller's job (the history analysis marks rows
outside the ranges of :mod:`.water` as invalid before evaluating anything).

References
----------
IAPWS R7-97(2012) (IF97); IAPWS R6-95(2018) (IAPWS-95); IAPWS R13-08 (sea water);
IAPWS R12-08 (viscosity); IAPWS R15-11 (thermal conductivity); Sharqawy, Lienhard,
Zubair (2010), Desalination and Water Treatment 16, 354-380, Eq. 22.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from iapws import iapws08, iapws97
from iapws.iapws95 import IAPWS95

from . import portable_math as pm
from .constants import KELVIN_OFFSET

__all__ = [
    "tsat_p",
    "psat_t",
    "Region1Isobar",
    "region1",
    "region2",
    "saturation_props",
    "viscosity",
    "conductivity",
    "viscosity_conductivity",
    "seawater_density_cp",
    "saline_mix",
    "iapws95_liquid",
    "LiquidArrays",
    "liquid_properties",
    "CW_PRESSURE_PA",
]

#: Tube-side pressure of the cooling-water property evaluations [Pa] (= water.CW_PRESSURE_PA).
CW_PRESSURE_PA = 2.0e5

# Coefficients are taken from the iapws package itself, so both paths use identical tables.
_R = 0.461526  # kJ/(kg·K), IF97 specific gas constant (iapws97.R)
_TC, _RHOC = 647.096, 322.0  # critical point (iapws._iapws)
_N4 = (
    0,
    0.11670521452767e04,
    -0.72421316703206e06,
    -0.17073846940092e02,
    0.12020824702470e05,
    -0.32325550322333e07,
    0.14915108613530e02,
    -0.48232657361591e04,
    0.40511340542057e06,
    -0.23855557567849e00,
    0.65017534844798e03,
)
_C = iapws97.Const
_R1_N = [float(v) for v in _C.Region1_n]
_R1_I = [int(v) for v in _C.Region1_Li]
_R1_J = [int(v) for v in _C.Region1_Lj]
_R2_N = [float(v) for v in _C.Region2_n]
_R2_I = [int(v) for v in _C.Region2_Li]
_R2_J = [int(v) for v in _C.Region2_Lj]
_R2_N0 = [float(v) for v in _C.Region2_cp0_no]
_R2_J0 = [int(v) for v in _C.Region2_cp0_Jo]


# --------------------------------------------------------------------------- powers
class _Powers:
    """Integer powers of one array, built by repeated multiplication and cached."""

    __slots__ = ("_cache",)

    def __init__(self, x: np.ndarray) -> None:
        self._cache: dict[int, np.ndarray] = {1: x}

    def __call__(self, k: int) -> np.ndarray:
        got = self._cache.get(k)
        if got is not None:
            return got
        if k == 0:
            raise ValueError("power 0 is handled by the caller")
        half = self(k // 2)
        out = half * half
        if k % 2:
            out *= self._cache[1]
        self._cache[k] = out
        return out


class _Laurent:
    """A sparse Laurent polynomial Σ c_k·x^k (integer k) with fixed coefficients.

    Evaluated by Horner's rule with gaps: in x for k ≥ 0 and in y = 1/x for k < 0.
    """

    def __init__(self, coefficients: dict[int, float]) -> None:
        coefs = {k: c for k, c in coefficients.items() if c != 0.0}
        self.pos = self._plan(sorted((k for k in coefs if k >= 0), reverse=True), coefs, 1)
        self.neg = self._plan(sorted((-k for k in coefs if k < 0), reverse=True), coefs, -1)

    @staticmethod
    def _plan(exps: list[int], coefs: dict[int, float], sign: int) -> tuple | None:
        if not exps:
            return None
        steps = [(exps[i - 1] - exps[i], coefs[sign * exps[i]]) for i in range(1, len(exps))]
        return coefs[sign * exps[0]], tuple(steps), exps[-1]

    @staticmethod
    def _horner(plan: tuple, pw: _Powers) -> np.ndarray:
        first, steps, last = plan
        if not steps:
            return first * pw(last) if last else np.full_like(pw(1), first)
        gap, c = steps[0]
        acc = pw(gap) * first
        acc += c
        for gap, c in steps[1:]:
            acc *= pw(gap)
            acc += c
        if last:
            acc *= pw(last)
        return acc

    def __call__(
        self, x: np.ndarray, x_powers: _Powers | None = None, y_powers: _Powers | None = None
    ) -> np.ndarray:
        total = None
        if self.pos is not None:
            total = self._horner(self.pos, x_powers or _Powers(x))
        if self.neg is not None:
            neg = self._horner(self.neg, y_powers or _Powers(1.0 / x))
            if total is None:
                total = neg
            else:
                total += neg  # both fresh arrays
        return total


# --------------------------------------------------------------------------- region 4
def tsat_p(pressure_pa: np.ndarray) -> np.ndarray:
    """Saturation temperature [K] at absolute pressure [Pa], IAPWS-IF97 Eq. 31.

    Same operation sequence as ``iapws.iapws97._TSat_P`` (valid 611.213 Pa - 22.064 MPa;
    unchecked here).
    """
    n = _N4
    beta = np.asarray(pressure_pa, dtype=float) / 1e6
    np.sqrt(beta, out=beta)
    np.sqrt(beta, out=beta)  # P^0.25 (within 1 ulp of pow, and 3x faster)
    beta2 = beta * beta
    tmp = np.empty_like(beta)

    def quad(a: float, b: float, c: float) -> np.ndarray:  # a·β² + b·β + c
        if a != 1.0:
            out = beta2 * a
            out += np.multiply(beta, b, out=tmp)
        else:
            out = np.multiply(beta, b)
            out += beta2  # β² + b·β (addition commutes exactly)
        out += c
        return out

    e, f, g = quad(1.0, n[3], n[6]), quad(n[1], n[4], n[7]), quad(n[2], n[5], n[8])
    disc = np.multiply(f, f, out=beta2)
    e *= g
    e *= 4
    disc -= e
    np.sqrt(disc, out=disc)
    disc += f
    np.negative(disc, out=disc)  # −F − √(F² − 4EG)
    d = g
    d *= 2
    d /= disc
    a = np.add(d, n[10], out=e)
    b = np.multiply(a, a, out=f)
    d *= n[10]
    d += n[9]
    d *= 4
    b -= d
    np.sqrt(b, out=b)
    a -= b
    a /= 2
    return a


def psat_t(temperature_k: np.ndarray) -> np.ndarray:
    """Saturation pressure [Pa] at temperature [K], IAPWS-IF97 Eq. 30 (unchecked range)."""
    n = _N4
    t = np.asarray(temperature_k, dtype=float)
    tita = t + n[9] / (t - n[10])
    a = tita**2 + n[1] * tita + n[2]
    b = n[3] * tita**2 + n[4] * tita + n[5]
    c = n[6] * tita**2 + n[7] * tita + n[8]
    return pm.int_power(2 * c / (-b + (b**2 - 4 * a * c) ** 0.5), 4) * 1e6


# --------------------------------------------------------------------------- region 1
class Region1Isobar:
    """IF97 region 1 on one isobar: specific volume and cp as functions of T only.

    At fixed π the Gibbs function γ = Σ n_i (7.1 − π)^I_i (τ − 1.222)^J_i collapses to a
    sparse Laurent polynomial in x = τ − 1.222 (τ = 1386 K / T); its derivatives γ_π and
    γ_ττ are precomputed as such polynomials.
    """

    def __init__(self, pressure_pa: float) -> None:
        self.p_mpa = pressure_pa / 1e6
        self.pr = self.p_mpa / 16.53
        a = 7.1 - self.pr
        gp: dict[int, float] = {}
        gtt: dict[int, float] = {}
        for n, i, j in zip(_R1_N, _R1_I, _R1_J, strict=False):
            if i:
                gp[j] = gp.get(j, 0.0) - n * i * a ** (i - 1)
            if j * (j - 1):
                gtt[j - 2] = gtt.get(j - 2, 0.0) + n * j * (j - 1) * a**i
        self._gp = _Laurent(gp)
        self._gtt = _Laurent(gtt)
        # v = Pr·γπ·R·T/P/1000 = γπ·T·(Pr·R/P/1000)
        self._v_factor = self.pr * _R / self.p_mpa / 1000

    def specific_volume(self, temperature_k: np.ndarray) -> np.ndarray:
        """Specific volume [m³/kg]."""
        x = 1386 / temperature_k
        x -= 1.222
        v = self._gp(x)  # a fresh array (powers freed on return: a small working set)
        v *= temperature_k
        v *= self._v_factor
        return v

    def density(self, temperature_k: np.ndarray) -> np.ndarray:
        """Density [kg/m³] = 1/v (as :func:`.water.liquid_properties`)."""
        v = self.specific_volume(temperature_k)
        return np.divide(1.0, v, out=v)

    def cp(self, temperature_k: np.ndarray) -> np.ndarray:
        """Isobaric heat capacity [J/(kg·K)] = −R·τ²·γ_ττ·1000."""
        tr = 1386 / temperature_k
        x = tr - 1.222
        cp = self._gtt(x)  # a fresh array
        cp *= np.multiply(tr, tr, out=x)
        cp *= -_R * 1e3
        return cp


@lru_cache(maxsize=8)
def region1_isobar(pressure_pa: float) -> Region1Isobar:
    """A cached :class:`Region1Isobar`."""
    return Region1Isobar(pressure_pa)


def _term(coef: float, a: np.ndarray | float, b: np.ndarray | float, out: np.ndarray) -> np.ndarray | float:
    """coef·a·b evaluated left to right, as Python evaluates ``coef * a * b`` (a, b: arrays
    or 1.0), into ``out`` when it is an array."""
    if isinstance(a, np.ndarray):
        np.multiply(a, coef, out=out)
        if isinstance(b, np.ndarray):
            out *= b
        return out
    c = coef * a
    if isinstance(b, np.ndarray):
        return np.multiply(b, c, out=out)
    return c * b


def region1(temperature_k: np.ndarray, p_mpa: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """IF97 region 1 at arbitrary (T [K], P [MPa]) arrays: (v [m³/kg], h [kJ/kg])."""
    tr = 1386 / temperature_k
    pr = p_mpa / 16.53
    a = _Powers(7.1 - pr)
    x = tr - 1.222
    xp, yp = _Powers(x), _Powers(1.0 / x)

    def xpow(k: int) -> np.ndarray | float:
        return 1.0 if k == 0 else (xp(k) if k > 0 else yp(-k))

    shape = np.broadcast(tr, pr).shape
    gp = np.zeros(shape)  # Σ sums accumulated in place, term by term in the table's order
    gt = np.zeros(shape)
    tmp = np.empty(shape)
    for n, i, j in zip(_R1_N, _R1_I, _R1_J, strict=False):
        ai = 1.0 if i == 0 else a(i)
        if i:
            gp -= _term(n * i, 1.0 if i == 1 else a(i - 1), xpow(j), tmp)
        if j:
            gt += _term(n * j, ai, xpow(j - 1), tmp)
    v = pr * gp
    v *= _R
    v *= temperature_k
    v /= p_mpa
    v /= 1000
    h = np.multiply(tr, gt, out=gt)
    h *= _R
    h *= temperature_k
    return v, h


def region2(temperature_k: np.ndarray, p_mpa: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """IF97 region 2 at (T [K], P [MPa]) arrays: (v [m³/kg], h [kJ/kg])."""
    tr = 540 / temperature_k
    pr = p_mpa / 1
    gop = pr**-1
    trp, trn = _Powers(tr), _Powers(1.0 / tr)
    shape = np.broadcast(tr, pr).shape
    tmp = np.empty(shape)
    got = np.zeros(shape)
    for n0, j0 in zip(_R2_N0, _R2_J0, strict=False):
        if j0:
            k = j0 - 1
            got += _term(n0 * j0, 1.0, 1.0 if k == 0 else (trp(k) if k > 0 else trn(-k)), tmp)
    pp = _Powers(pr)
    xp = _Powers(tr - 0.5)
    grp = np.zeros(shape)
    grt = np.zeros(shape)
    for n, i, j in zip(_R2_N, _R2_I, _R2_J, strict=False):
        pi_im1 = 1.0 if i == 1 else pp(i - 1)
        x_j = 1.0 if j == 0 else xp(j)
        grp += _term(n * i, pi_im1, x_j, tmp)
        if j:
            grt += _term(n * j, pp(i), 1.0 if j == 1 else xp(j - 1), tmp)
    gop += grp
    v = np.multiply(pr, gop, out=gop)
    v *= _R
    v *= temperature_k
    v /= p_mpa
    v /= 1000
    got += grt
    h = np.multiply(tr, got, out=got)
    h *= _R
    h *= temperature_k
    return v, h


def saturation_props(
    pressure_pa: np.ndarray, t_sat: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(T_sat [K], latent heat h_fg [J/kg], saturated vapour density [kg/m³]) at P [Pa].

    As :func:`.water.latent_heat` and :func:`.water.saturated_vapour_density` (IF97 region 4
    below 623.15 K: regions 1 and 2 at T_sat; mixture value v1 + x·(v2 − v1)).
    ``t_sat``: :func:`tsat_p` of ``pressure_pa`` when the caller has it already (returned as is).
    """
    pressure_pa = np.asarray(pressure_pa, dtype=float)
    t = tsat_p(pressure_pa) if t_sat is None else t_sat
    if pressure_pa.ndim == 1 and pressure_pa.size > PIECE_ROWS:
        h_fg, rho_v = _in_pieces(_latent_vapour, pressure_pa, t)
        return t, h_fg, rho_v
    return (t, *_latent_vapour(pressure_pa, t))


def _latent_vapour(pressure_pa: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(h_fg, ρ_v) of :func:`saturation_props` at (P, T_sat)."""
    p_mpa = pressure_pa / 1e6
    v1, h1 = region1(t, p_mpa)
    v2, h2 = region2(t, p_mpa)
    # (h1 + 1·(h2 − h1))·1e3 − (h1 + 0·(h2 − h1))·1e3, operation for operation (in place)
    h2 -= h1
    zero = np.multiply(h2, 0, out=p_mpa)
    zero += h1
    zero *= 1e3
    h2 += h1
    h2 *= 1e3
    h2 -= zero
    v2 -= v1
    v2 += v1
    rho_v = np.divide(1.0, v2, out=v2)
    return h2, rho_v


#: Rows evaluated at once by the many-term formulations (IF97 regions 1-2 at T_sat, R12-08 and
#: R15-11): their cached powers then stay in the CPU cache and in memory already mapped, instead
#: of tens of fresh arrays per call. Row by row the same operations, so the same values.
PIECE_ROWS = 16_384


def _in_pieces(fn, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """``fn(*arrays)`` (an elementwise function returning a tuple of arrays) evaluated on pieces
    of :data:`PIECE_ROWS` rows, assembled."""
    n = arrays[0].size
    out: list[np.ndarray] | None = None
    for i in range(0, n, PIECE_ROWS):
        got = fn(*(a[i : i + PIECE_ROWS] for a in arrays))
        if out is None:
            out = [np.empty(n) for _ in got]
        for o, g in zip(out, got, strict=True):
            o[i : i + PIECE_ROWS] = g
    return tuple(out or ())


# --------------------------------------------------------------------------- transport
_VISC_H = (1.67752, 2.20462, 0.6366564, -0.241605)
_VISC_TERMS = tuple(
    zip(
        (0, 1, 2, 3, 0, 1, 2, 3, 5, 0, 1, 2, 3, 4, 0, 1, 0, 3, 4, 3, 5),
        (0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 4, 4, 5, 6, 6),
        (
            0.520094,
            0.850895e-1,
            -0.108374e1,
            -0.289555,
            0.222531,
            0.999115,
            0.188797e1,
            0.126613e1,
            0.120573,
            -0.281378,
            -0.906851,
            -0.772479,
            -0.489837,
            -0.257040,
            0.161913,
            0.257399,
            -0.325372e-1,
            0.698452e-1,
            0.872102e-2,
            -0.435673e-2,
            -0.593264e-3,
        ),
        strict=False,
    )
)
_COND_N0 = (2.443221e-3, 1.323095e-2, 6.770357e-3, -3.454586e-3, 4.096266e-4)
_COND_TERMS = tuple(
    zip(
        (0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4),
        (0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5),
        (
            1.60397357,
            -0.646013523,
            0.111443906,
            0.102997357,
            -0.0504123634,
            0.00609859258,
            2.33771842,
            -2.78843778,
            1.53616167,
            -0.463045512,
            0.0832827019,
            -0.00719201245,
            2.19650529,
            -4.54580785,
            3.55777244,
            -1.40944978,
            0.275418278,
            -0.0205938816,
            -1.21051378,
            1.60812989,
            -0.621178141,
            0.0716373224,
            -2.7203370,
            4.57586331,
            -3.18369245,
            1.1168348,
            -0.19268305,
            0.012913842,
        ),
        strict=False,
    )
)


def _bivariate(terms: tuple, a: np.ndarray, b: np.ndarray, ap: _Powers | None = None,
               bp: _Powers | None = None) -> np.ndarray:
    """Σ h·a^i·b^j, each (i, j, h) term in the order of the release's table (each term
    evaluated as (a^i·h)·b^j and added in place; ``ap``/``bp``: shared powers of a and b)."""
    ap, bp = ap or _Powers(a), bp or _Powers(b)
    total = None
    tmp = np.empty_like(a)
    for i, j, h in terms:
        if i:
            term = np.multiply(ap(i), h, out=tmp)
            if j:
                term *= bp(j)
        elif j:
            term = np.multiply(bp(j), h, out=tmp)  # full(h)·b^j
        else:
            term = np.full_like(a, h)
        if total is None:
            total = term.copy() if term is tmp else term
        else:
            total += term
    return total


class _Reduced:
    """Reduced variables shared by :func:`viscosity` and :func:`conductivity` at the same
    (ρ, T): T/T*, ρ/ρ*, T*/T and its powers, √(T/T*), and the powers of T*/T − 1 and
    ρ/ρ* − 1 (each computed once, with the operations of the separate functions)."""

    __slots__ = ("tr", "dr", "inv", "inv_p", "sqrt_tr", "ap", "bp")

    def __init__(self, density: np.ndarray, temperature_k: np.ndarray) -> None:
        self.tr = temperature_k / _TC
        self.dr = density / _RHOC
        self.inv = 1.0 / self.tr
        self.inv_p: dict[int, np.ndarray] = {}
        self.sqrt_tr = self.tr**0.5
        self.ap = _Powers(self.inv - 1)
        self.bp = _Powers(self.dr - 1)

    def inv_pow(self, k: int) -> np.ndarray:
        """(T*/T)**k (k = 2: square; k > 2: products, the same bits on every machine)."""
        got = self.inv_p.get(k)
        if got is None:
            got = self.inv_p[k] = self.inv**k if k == 2 else pm.int_power(self.inv, k)
        return got

    def denominator(self, coefficients: tuple) -> np.ndarray:
        """c0 + c1·inv + c2·inv² + ..., summed left to right."""
        out = self.inv * coefficients[1]
        out += coefficients[0]  # c0 + c1·inv (addition commutes exactly)
        tmp = np.empty_like(out)
        for k, c in enumerate(coefficients[2:], start=2):
            out += np.multiply(self.inv_pow(k), c, out=tmp)
        return out


def _viscosity(r: _Reduced) -> np.ndarray:
    denominator = r.denominator(_VISC_H)
    mu0 = r.sqrt_tr * 100
    mu0 /= denominator
    mu1 = _bivariate(_VISC_TERMS, r.ap(1), r.bp(1), r.ap, r.bp)
    mu1 *= r.dr
    mu1 = pm.exp(mu1)
    mu0 *= mu1
    mu0 *= 1e-6
    return mu0


def _conductivity(r: _Reduced) -> np.ndarray:
    denominator = r.denominator(_COND_N0)
    k0 = np.divide(r.sqrt_tr, denominator, out=denominator)
    k1 = _bivariate(_COND_TERMS, r.ap(1), r.bp(1), r.ap, r.bp)
    k1 *= r.dr
    k1 = pm.exp(k1)
    k1 *= k0  # k0·k1 (multiplication commutes exactly)
    k1 *= 1e-3
    return k1


def viscosity(density: np.ndarray, temperature_k: np.ndarray) -> np.ndarray:
    """Dynamic viscosity [Pa·s], IAPWS R12-08 Eqs. 10-12 without critical enhancement."""
    return _viscosity(_Reduced(density, temperature_k))


def conductivity(density: np.ndarray, temperature_k: np.ndarray) -> np.ndarray:
    """Thermal conductivity [W/(m·K)], IAPWS R15-11 Eqs. 10, 16-17 without critical enhancement."""
    return _conductivity(_Reduced(density, temperature_k))


def viscosity_conductivity(density: np.ndarray, temperature_k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(:func:`viscosity`, :func:`conductivity`) at the same (ρ, T), sharing the reduced
    variables and their powers (same values as the two calls)."""
    r = _Reduced(density, temperature_k)
    return _viscosity(r), _conductivity(r)


# --------------------------------------------------------------------------- IAPWS-95 + IAPWS-08
_W95 = IAPWS95._constants
_W95_R = _W95["R"] / IAPWS95.M  # kJ/(kg·K)
_FI0 = IAPWS95.Fi0


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
    dp, tp_ = _Powers(delta), _Powers(tau)
    inv_tau = 1.0 / tau
    fird = np.zeros_like(delta)
    firdd = np.zeros_like(delta)
    firtt = np.zeros_like(delta) if full else None
    firdt = np.zeros_like(delta) if full else None
    for n, d, t in zip(_W95["nr1"], _W95["d1"], _W95["t1"], strict=False):
        tau_t = _real_power(tau, t)
        base = n * tau_t
        fird += base * d * (dp(d - 1) if d > 1 else 1.0)
        if d > 1:
            firdd += base * d * (d - 1) * (dp(d - 2) if d > 2 else 1.0)
        if full:
            firtt += n * t * (t - 1) * dp(d) * tau_t * inv_tau * inv_tau
            firdt += n * t * d * (dp(d - 1) if d > 1 else 1.0) * tau_t * inv_tau
    exps: dict[int, np.ndarray] = {}
    for n, d, g, t, c in zip(_W95["nr2"], _W95["d2"], _W95["gamma2"], _W95["t2"], _W95["c2"], strict=False):
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
        _W95["nr3"],
        _W95["d3"],
        _W95["t3"],
        _W95["alfa3"],
        _W95["epsilon3"],
        _W95["beta3"],
        _W95["gamma3"],
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
    tau = _TC / temperature_k
    rt = _W95_R * temperature_k
    p_kpa = p_mpa * 1000
    for _ in range(30):
        delta = rho / _RHOC
        fird, firdd, _, _ = _iapws95_derivatives(tau, delta, full=False)
        f = (1 + delta * fird) * rt * rho - p_kpa
        dfdrho = rt * (1 + 2 * delta * fird + delta * delta * firdd)
        step = f / dfdrho
        rho = rho - step
        if np.all(np.abs(step) <= 1e-15 * rho):
            break
    delta = rho / _RHOC
    fird, firdd, firtt, firdt = _iapws95_derivatives(tau, delta, full=True)
    fiott = -_FI0["ao_log"][1] / tau**2
    for n, t in zip(_FI0["ao_exp"], _FI0["titao"], strict=False):
        e = pm.exp(-t * tau)
        fiott = fiott - n * t**2 * e * pm.int_power(1 - e, -2)
    num = 1 + delta * fird - delta * tau * firdt
    cp = _W95_R * (-(tau**2) * (fiott + firtt) + num**2 / (1 + 2 * delta * fird + delta**2 * firdd))
    return rho, cp


_SALINE = tuple(
    zip(
        [
            1,
            2,
            3,
            4,
            5,
            6,
            7,
            1,
            2,
            3,
            4,
            5,
            6,
            2,
            3,
            4,
            2,
            3,
            4,
            2,
            3,
            4,
            2,
            4,
            2,
            2,
            3,
            4,
            5,
            2,
            3,
            4,
            2,
            3,
            2,
            3,
            2,
            3,
            2,
            3,
            4,
            2,
            3,
            2,
            3,
            2,
            2,
            2,
            3,
            4,
            2,
            3,
            2,
            3,
            2,
            2,
            2,
            3,
            2,
            2,
            2,
            2,
            2,
            2,
        ],
        [
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            1,
            1,
            1,
            1,
            1,
            1,
            2,
            2,
            2,
            3,
            3,
            3,
            4,
            4,
            4,
            5,
            5,
            6,
            0,
            0,
            0,
            0,
            1,
            1,
            1,
            2,
            2,
            3,
            3,
            4,
            4,
            0,
            0,
            0,
            1,
            1,
            2,
            2,
            3,
            4,
            0,
            0,
            0,
            1,
            1,
            2,
            2,
            3,
            4,
            0,
            0,
            1,
            2,
            3,
            0,
            1,
            2,
        ],
        [
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            2,
            2,
            2,
            2,
            2,
            2,
            2,
            2,
            2,
            3,
            3,
            3,
            3,
            3,
            3,
            3,
            3,
            3,
            4,
            4,
            4,
            4,
            4,
            5,
            5,
            5,
        ],
        strict=False,
    )
)


@lru_cache(maxsize=16)
def _saline_polynomials(salinity: float, p_mpa: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Coefficients (in τ_s = (T − 273.15)/40) of g_p [m³/kg] and g_tt [kJ/(kg·K²)] of the
    IAPWS-08 saline part at fixed salinity and pressure."""
    x = (salinity / iapws08.S_) ** 0.5
    pi = (p_mpa - 0.101325) / 100
    gtab = _saline_coefficients()
    gp = [0.0] * 8
    gtt = [0.0] * 8
    for (i, j, k), g in zip(_SALINE, gtab, strict=False):
        if k >= 1:
            gp[j] += k * g * x**i * pi ** (k - 1)
        if j >= 2:
            gtt[j - 2] += j * (j - 1) * g * x**i * pi**k
    return tuple(v / 100 * 1e-6 for v in gp), tuple(v / 40**2 * 1e-3 for v in gtt)


@lru_cache(maxsize=1)
def _saline_coefficients() -> tuple[float, ...]:
    """IAPWS-08 Table 2 saline Gibbs coefficients g_ijk, in the order of :data:`_SALINE`."""
    return (
        0.581281456626732e4,
        0.141627648484197e4,
        -0.243214662381794e4,
        0.202580115603697e4,
        -0.109166841042967e4,
        0.374601237877840e3,
        -0.485891069025409e2,
        0.851226734946706e3,
        0.168072408311545e3,
        -0.493407510141682e3,
        0.543835333000098e3,
        -0.196028306689776e3,
        0.367571622995805e2,
        0.880031352997204e3,
        -0.430664675978042e2,
        -0.685572509204491e2,
        -0.225267649263401e3,
        -0.100227370861875e2,
        0.493667694856254e2,
        0.914260447751259e2,
        0.875600661808945,
        -0.171397577419788e2,
        -0.216603240875311e2,
        0.249697009569508e1,
        0.213016970847183e1,
        -0.331049154044839e4,
        0.199459603073901e3,
        -0.547919133532887e2,
        0.360284195611086e2,
        0.729116529735046e3,
        -0.175292041186547e3,
        -0.226683558512829e2,
        -0.860764303783977e3,
        0.383058066002476e3,
        0.694244814133268e3,
        -0.460319931801257e3,
        -0.297728741987187e3,
        0.234565187611355e3,
        0.384794152978599e3,
        -0.522940909281335e2,
        -0.408193978912261e1,
        -0.343956902961561e3,
        0.831923927801819e2,
        0.337409530269367e3,
        -0.541917262517112e2,
        -0.204889641964903e3,
        0.747261411387560e2,
        -0.965324320107458e2,
        0.680444942726459e2,
        -0.301755111971161e2,
        0.124687671116248e3,
        -0.294830643494290e2,
        -0.178314556207638e3,
        0.256398487389914e2,
        0.113561697840594e3,
        -0.364872919001588e2,
        0.158408172766824e2,
        -0.341251932441282e1,
        -0.316569643860730e2,
        0.442040358308000e2,
        -0.111282734326413e2,
        -0.262480156590992e1,
        0.704658803315449e1,
        -0.792001547211682e1,
    )


def _horner(coefficients: tuple[float, ...], x):
    """Σ cᵢ·xⁱ by Horner's rule, on a float or an array (the operations of numpy's
    ``polynomial.polyval``, so the same bits)."""
    acc = coefficients[-1]
    for c in coefficients[-2::-1]:
        acc = c + acc * x
    return acc


def saline_mix(temperature_k, salinity: float, p_mpa: float, rho_water, cp_water_kj):
    """IAPWS-08 sea water from its pure-water part: g = g^W + g^S, so
    ρ = 1/(1/ρ_W + g^S_p) and cp = −T·(g^W_TT + g^S_TT) with g^W_TT = −cp_W/T.

    ``rho_water`` [kg/m³] and ``cp_water_kj`` [kJ/(kg·K)] of pure water at (T, P) (IAPWS-95);
    floats or arrays. Returns (ρ [kg/m³], cp [J/(kg·K)])."""
    gp, gtt = _saline_polynomials(salinity, p_mpa)
    ts = (temperature_k - 273.15) / 40
    rho = 1.0 / (1.0 / rho_water + _horner(gp, ts))
    cp = -temperature_k * (-cp_water_kj / temperature_k + _horner(gtt, ts))
    return rho, cp * 1e3


def seawater_density_cp(
    temperature_k: np.ndarray, salinity: float, pressure_pa: float = CW_PRESSURE_PA
) -> tuple[np.ndarray, np.ndarray]:
    """Sea-water density [kg/m³] and cp [J/(kg·K)], IAPWS-08 with IAPWS-95 pure water
    (as ``iapws.iapws08.SeaWater(T, P, S)``)."""
    p_mpa = pressure_pa / 1e6
    rho_w, cp_w = iapws95_liquid(temperature_k, p_mpa)
    return saline_mix(temperature_k, salinity, p_mpa, rho_w, cp_w)


# --------------------------------------------------------------------------- cooling water
class LiquidArrays:
    """Cooling-water properties at arrays of temperatures (SI), like
    :class:`.water.LiquidProperties`."""

    __slots__ = ("density", "cp", "viscosity", "conductivity")

    def __init__(
        self, density: np.ndarray, cp: np.ndarray, viscosity: np.ndarray, conductivity: np.ndarray
    ) -> None:
        self.density = density
        self.cp = cp
        self.viscosity = viscosity
        self.conductivity = conductivity

    @property
    def prandtl(self) -> np.ndarray:
        return self.cp * self.viscosity / self.conductivity


def density_cp(
    temperature_k: np.ndarray,
    salinity: float = 0.0,
    pressure_pa: float = CW_PRESSURE_PA,
    want_density: bool = True,
    want_cp: bool = True,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Density [kg/m³] and cp [J/(kg·K)] of cooling water (IF97 fresh, IAPWS-08 saline); for
    fresh water only the wanted ones are computed (None otherwise)."""
    if salinity <= 0.0:
        r1 = region1_isobar(pressure_pa)
        return (r1.density(temperature_k) if want_density else None), (
            r1.cp(temperature_k) if want_cp else None
        )
    return seawater_density_cp(temperature_k, salinity, pressure_pa)


def _fresh_properties(
    r1: Region1Isobar, temperature_k: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(ρ, cp, μ, k) of fresh water at temperatures [K] on one isobar."""
    rho = r1.density(temperature_k)
    mu, k = viscosity_conductivity(rho, temperature_k)
    return rho, r1.cp(temperature_k), mu, k


def liquid_properties(
    temperature_k: np.ndarray, salinity: float = 0.0, pressure_pa: float = CW_PRESSURE_PA
) -> LiquidArrays:
    """Cooling-water properties at temperatures [K] (0-80 °C; unchecked), as
    :func:`.water.liquid_properties`: fresh water IF97 region 1 + R12-08 + R15-11; saline
    water IAPWS-08 density and cp, viscosity × Sharqawy ratio, conductivity of fresh water."""
    r1 = region1_isobar(pressure_pa)
    if salinity <= 0.0:
        t = np.asarray(temperature_k, dtype=float)
        if t.ndim == 1 and t.size > PIECE_ROWS:
            return LiquidArrays(*_in_pieces(lambda tp: _fresh_properties(r1, tp), t))
        return LiquidArrays(*_fresh_properties(r1, temperature_k))
    rho_fresh = r1.density(temperature_k)
    mu_fresh, k_fresh = viscosity_conductivity(rho_fresh, temperature_k)
    rho, cp = seawater_density_cp(temperature_k, salinity, pressure_pa)
    t_c = temperature_k - KELVIN_OFFSET
    a = 1.541 + 1.998e-2 * t_c - 9.52e-5 * t_c**2
    b = 7.974 - 7.561e-2 * t_c + 4.724e-4 * t_c**2
    mu = mu_fresh * (1.0 + a * salinity + b * salinity**2)
    return LiquidArrays(rho, cp, mu, k_fresh)
