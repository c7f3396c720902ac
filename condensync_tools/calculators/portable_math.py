# SPDX-License-Identifier: MIT
"""Elementary functions on floats and numpy arrays that give the same bits on every machine.

numpy picks its ``log``, ``exp``, ``power``, ``expm1``, ``cbrt`` loops by CPU at import time
(for float64, AVX-512 machines get numpy's own SIMD routines, others the C library's), and the
two differ in the last bit for some inputs. A vectorised history analysis built on them then
rounds differently to 10 significant digits on different machines now and then, and its
provenance hash changes: CONTRACT §1.2 ("same outputs and the same hashes, on any machine")
forbids that. The functions here use only operations that IEEE 754 rounds exactly (+, −, ×,
÷, √, ``frexp``/``ldexp``, ``rint``), so their results do not depend on the CPU, the SIMD
width or the numpy build. ``tests/test_portable_math.py`` checks them against the C library
(at most 1 ulp for log and exp) and runs the golden cases with numpy's AVX-512 loops
switched off.

Algorithms: Sun fdlibm 5.3 ``e_log.c`` and ``e_exp.c`` (argument reduction by ln 2 with a split
constant, the minimax polynomials and their error bound < 1 ulp), Copyright (C) 1993 Sun
Microsystems, "Permission to use, copy, modify, and distribute this software is freely
granted, provided that this notice is preserved."

Every function takes a Python float or a numpy array. On a float it runs the same operation
sequence as on an array element (in Python floats, no numpy overhead), so a scalar call and a
one-row array give the same bits (tests/test_portable_math.py): the per-call tools and the
history analysis share one elementary-function layer, and neither depends on the C library.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["log", "exp", "expm1", "power", "sqrt", "int_power", "quarter_power", "three_quarter_power"]

_LN2_HI = 6.93147180369123816490e-01  # ln 2 with its last 21 bits zero: k·LN2_HI is exact
_LN2_LO = 1.90821492927058770002e-10
_SQRT_HALF = 0.70710678118654752440
_INV_LN2 = 1.44269504088896338700e00
# e_log.c: log(1+f) = f − s·(f − R), s = f/(2+f), R(z) ≈ Lg1·z + Lg2·z² + ... (z = s²)
_LG1, _LG2, _LG3, _LG4, _LG5, _LG6, _LG7 = (
    6.666666666666735130e-01,
    3.999999999940941908e-01,
    2.857142874366239149e-01,
    2.222219843214978396e-01,
    1.818357216161805012e-01,
    1.531383769920937332e-01,
    1.479819860511658591e-01,
)
# e_exp.c: exp(r) = 1 + r + r·c/(2 − c), c = r − P1·r² − ... − P5·r¹⁰
_P1, _P2, _P3, _P4, _P5 = (
    1.66666666666666019037e-01,
    -2.77777777770155933842e-03,
    6.61375632143793436117e-05,
    -1.65339022054652515390e-06,
    4.13813679705723846039e-08,
)
_EXP_MAX, _EXP_MIN = 709.782712893383973096, -745.13321910194110842


def _polynomial(x: np.ndarray, coefficients: tuple[float, ...]) -> np.ndarray:
    """c0 + x·(c1 + x·(c2 + ...)) by Horner's rule, in a fresh array."""
    p = x * coefficients[-1]
    for c in reversed(coefficients[1:-1]):
        p += c
        p *= x
    p += coefficients[0]
    return p


def log(x: np.ndarray) -> np.ndarray:
    """Natural logarithm, elementwise (fdlibm ``e_log.c``; error < 1 ulp).

    x = 2^k·m with m in [√½, √2); f = m − 1, s = f/(2 + f), z = s²;
    ln x = k·ln2_hi − ((f²/2 − (s·(f²/2 + R(z)) + k·ln2_lo)) − f).
    Zero, negative, infinite and NaN inputs give what ``np.log`` gives (−inf, NaN, inf, NaN).
    """
    if isinstance(x, (float, int)):
        return _log_scalar(float(x))
    x = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):  # special inputs are replaced at the end
        out = _log_finite(x)
    special = ~((x > 0.0) & (x < np.inf))
    if special.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            out[special] = np.log(x[special])  # exact special values on every machine
    return out


def _log_scalar(x: float) -> float:
    """:func:`_log_finite` on one float, operation for operation."""
    if not (0.0 < x < math.inf):
        return -math.inf if x == 0.0 else (math.inf if x == math.inf else math.nan)
    m, e = math.frexp(x)
    if m < _SQRT_HALF:
        m *= 2.0
        e -= 1
    k = float(e)
    f = m - 1.0
    s = f / (f + 2.0)
    z = s * s
    w = z * z
    t1 = _polynomial(w, (_LG2, _LG4, _LG6)) * w
    t2 = _polynomial(w, (_LG1, _LG3, _LG5, _LG7)) * z + t1
    hfsq = f * f * 0.5
    t2 = (t2 + hfsq) * s + k * _LN2_LO
    t2 = (hfsq - t2) - f
    return k * _LN2_HI - t2


def _log_finite(x: np.ndarray) -> np.ndarray:
    m, e = np.frexp(x)  # x = m·2^e, m in [0.5, 1)
    low = m < _SQRT_HALF
    np.multiply(m, 2.0, out=m, where=low)
    e -= low
    k = e.astype(float)
    f = np.subtract(m, 1.0, out=m)
    s = f + 2.0
    np.divide(f, s, out=s)
    z = s * s
    w = z * z
    t1 = _polynomial(w, (_LG2, _LG4, _LG6))
    t1 *= w
    t2 = _polynomial(w, (_LG1, _LG3, _LG5, _LG7))
    t2 *= z
    t2 += t1  # R = z·(Lg1 + w·(Lg3 + ...)) + w·(Lg2 + w·(Lg4 + w·Lg6))
    hfsq = f * f
    hfsq *= 0.5
    t2 += hfsq
    t2 *= s  # s·(hfsq + R)
    t2 += np.multiply(k, _LN2_LO, out=w)
    np.subtract(hfsq, t2, out=t2)
    t2 -= f
    out = np.multiply(k, _LN2_HI, out=k)
    out -= t2
    return out


def exp(x: np.ndarray) -> np.ndarray:
    """Exponential, elementwise (fdlibm ``e_exp.c``; error < 1 ulp).

    k = rint(x/ln 2), r = (x − k·ln2_hi) − k·ln2_lo, c = r − r²·(P1 + r²·(P2 + ...)),
    eˣ = 2^k·(1 − ((k·ln2_lo − r·c/(2 − c)) − (x − k·ln2_hi))). Overflow gives inf,
    underflow 0, NaN stays NaN.
    """
    if isinstance(x, (float, int)):
        return _exp_scalar(float(x))
    x = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):  # inf, NaN and out-of-range inputs are set at the end
        return _exp(x)


def _exp_scalar(x: float) -> float:
    """:func:`_exp` on one float, operation for operation."""
    if x != x:
        return math.nan
    if x > _EXP_MAX:
        return math.inf
    if x < _EXP_MIN:
        return 0.0
    k = float(round(x * _INV_LN2))  # round half to even, as np.rint
    hi = x - k * _LN2_HI
    lo = k * _LN2_LO
    r = hi - lo
    t = r * r
    c = r - _polynomial(t, (_P1, _P2, _P3, _P4, _P5)) * t
    rc = r * c / (2.0 - c)
    return math.ldexp(1.0 - ((lo - rc) - hi), int(k))


def _exp(x: np.ndarray) -> np.ndarray:
    k = np.multiply(x, _INV_LN2)
    np.rint(k, out=k)
    finite = np.abs(x) <= 746.0
    k[~finite] = 0.0  # filled in below
    hi = k * _LN2_HI
    np.subtract(x, hi, out=hi)  # x − k·ln2_hi (exact)
    lo = k * _LN2_LO
    r = hi - lo
    t = r * r
    c = _polynomial(t, (_P1, _P2, _P3, _P4, _P5))
    c *= t
    np.subtract(r, c, out=c)  # c = r − t·(P1 + t·(P2 + ...))
    rc = r * c
    c -= 2.0
    np.negative(c, out=c)  # 2 − c
    np.divide(rc, c, out=rc)
    np.subtract(lo, rc, out=lo)
    lo -= hi
    y = np.subtract(1.0, lo, out=lo)
    out = np.ldexp(y, k.astype(np.int64))
    out[x > _EXP_MAX] = np.inf
    out[x < _EXP_MIN] = 0.0
    nan = np.isnan(x)
    if nan.any():
        out[nan] = np.nan
    return out


#: 1/k! for k = 1..9: eˣ − 1 = x·(1 + x/2!·(...)) for small |x|.
_EXPM1_SERIES = (1.0, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040, 1 / 40320, 1 / 362880)
_EXPM1_SMALL = 0.01


def expm1(x):
    """eˣ − 1 without cancellation: x·Σ xᵏ/(k+1)! (k = 0..8, Horner; truncation < 3e-24
    relative) for |x| < 0.01, else :func:`exp` − 1 (relative error < 2e-14)."""
    if isinstance(x, (float, int)):
        x = float(x)
        return x * _polynomial(x, _EXPM1_SERIES) if abs(x) < _EXPM1_SMALL else exp(x) - 1.0
    x = np.asarray(x, dtype=float)
    out = exp(x) - 1.0
    small = np.abs(x) < _EXPM1_SMALL
    if small.any():
        xs = x[small]
        out[small] = xs * _polynomial(xs, _EXPM1_SERIES)
    return out


def sqrt(x):
    """Square root (correctly rounded by IEEE 754 on every machine): ``math.sqrt`` on a float,
    ``np.sqrt`` on an array."""
    return math.sqrt(x) if isinstance(x, (float, int)) else np.sqrt(x)


def int_power(x, k: int):
    """x^k for an integer k by binary powering (products only; k < 0 is 1/x^|k|)."""
    if isinstance(x, (float, int)):
        return _int_power_scalar(float(x), k)
    x = np.asarray(x, dtype=float)
    if k == 0:
        return np.ones_like(x)
    n = abs(k)
    result = None
    base = x
    while True:
        if n & 1:
            result = base.copy() if result is None else np.multiply(result, base)
        n >>= 1
        if not n:
            break
        base = base * base
    if k < 0:
        np.divide(1.0, result, out=result)
    return result


def _int_power_scalar(x: float, k: int) -> float:
    """:func:`int_power` on one float, product for product."""
    if k == 0:
        return 1.0
    n, result, base = abs(k), None, x
    while True:
        if n & 1:
            result = base if result is None else result * base
        n >>= 1
        if not n:
            break
        base = base * base
    return 1.0 / result if k < 0 else result


def quarter_power(x, out: np.ndarray | None = None):
    """x^¼ = √√x (two correctly rounded square roots)."""
    if isinstance(x, (float, int)):
        return math.sqrt(math.sqrt(x))
    out = np.sqrt(x, out=out)
    return np.sqrt(out, out=out)


def three_quarter_power(x, out: np.ndarray | None = None):
    """x^¾ = √x·√√x."""
    if isinstance(x, (float, int)):
        root = math.sqrt(x)
        return math.sqrt(root) * root
    root = np.sqrt(x)
    out = np.sqrt(root, out=out)
    out *= root
    return out


def power(x, y: float):
    """x^y for x > 0 as e^(y·ln x) (relative error about (1 + |y·ln x|) ulp)."""
    if isinstance(x, (float, int)):
        return exp(log(x) * y)
    t = log(x)
    t *= y
    return exp(t)
