# SPDX-License-Identifier: MIT
"""Polynomial helpers of the property routines, on floats and numpy arrays alike.

Only +, −, × and ÷ (IEEE 754 rounds them exactly), so a float and an array element give the
same bits. Augmented assignments work in place on a fresh array and rebind a float.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

#: Rows evaluated at once by the many-term formulations (IF97 regions 1-2 at T_sat, R12-08 and
#: R15-11): their cached powers then stay in the CPU cache and in memory already mapped.
#: Row by row the same operations, so the same values.
PIECE_ROWS = 16_384


class Powers:
    """Integer powers x^k (k ≥ 1) of one float or array, by repeated squaring, cached."""

    __slots__ = ("_cache",)

    def __init__(self, x) -> None:
        self._cache: dict = {1: x}

    def __call__(self, k: int):
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


class PowerPlan(tuple):
    """The exponents k ≥ 2 of a :func:`power_table` (ascending), with its squaring steps
    (k, k // 2, k odd) formed once."""

    def __new__(cls, exponents) -> "PowerPlan":
        plan = super().__new__(cls, exponents)
        plan.steps = tuple((k, k >> 1, k & 1) for k in plan)
        return plan


def power_plan(exponents) -> PowerPlan:
    """The exponents k ≥ 2 that :func:`power_table` forms for ``exponents``: each with its
    halves k // 2 (the squaring chain of :class:`Powers`), ascending."""
    needed: set[int] = set()
    for k in exponents:
        while k >= 2 and k not in needed:
            needed.add(k)
            k //= 2
    return PowerPlan(sorted(needed))


def power_table(x, plan) -> dict:
    """{0: 1.0, 1: x, k: x^k for k in plan}: the values :class:`Powers` gives (x^k = (x^(k//2))²,
    times x for odd k), in one flat loop."""
    table = {0: 1.0, 1: x}
    for k, half, odd in plan.steps if type(plan) is PowerPlan else PowerPlan(plan).steps:
        value = table[half]
        value = value * value
        table[k] = value * x if odd else value
    return table


def add_inverse_powers(table: dict, inverse, plan) -> dict:
    """``table`` with (1/x)^k under the key −k for k = 1 and every k in ``plan`` (``inverse`` =
    1/x): the values of :func:`power_table` of 1/x, stored under negative keys."""
    table[-1] = inverse
    for k, half, odd in plan.steps if type(plan) is PowerPlan else PowerPlan(plan).steps:
        value = table[-half]
        value = value * value
        table[-k] = value * inverse if odd else value
    return table


class Laurent:
    """A sparse Laurent polynomial Σ c_k·x^k (integer k) with fixed coefficients, evaluated by
    Horner's rule with gaps: in x for k ≥ 0 and in y = 1/x for k < 0. The powers of x and 1/x
    the gaps need come from :func:`power_table` (the values of :class:`Powers`)."""

    def __init__(self, coefficients: dict[int, float]) -> None:
        coefs = {k: c for k, c in coefficients.items() if c != 0.0}
        self.pos = self._plan(sorted((k for k in coefs if k >= 0), reverse=True), coefs, 1)
        self.neg = self._plan(sorted((-k for k in coefs if k < 0), reverse=True), coefs, -1)
        #: exponents of x and of 1/x the evaluation uses, and their power plans
        self.exponents = tuple(self._exponents(plan) for plan in (self.pos, self.neg))
        self.plans = laurent_plans((self,))

    @staticmethod
    def _plan(exps: list[int], coefs: dict[int, float], sign: int) -> tuple | None:
        if not exps:
            return None
        steps = [(exps[i - 1] - exps[i], coefs[sign * exps[i]]) for i in range(1, len(exps))]
        return coefs[sign * exps[0]], tuple(steps), exps[-1]

    @staticmethod
    def _exponents(plan: tuple | None) -> frozenset[int]:
        if plan is None:
            return frozenset()
        _, steps, last = plan
        return frozenset({gap for gap, _ in steps} | {last, 1})

    @staticmethod
    def _horner(plan: tuple, pw: dict):
        first, steps, last = plan
        if not steps:
            return first * pw[last] if last else pw[1] * 0.0 + first
        gap, c = steps[0]
        acc = pw[gap] * first
        acc += c
        for gap, c in steps[1:]:
            acc *= pw[gap]
            acc += c
        if last:
            acc *= pw[last]
        return acc

    def __call__(self, x, tables: tuple[dict, dict | None] | None = None):
        """Σ c_k·x^k; ``tables``: :func:`laurent_tables` of x shared with other polynomials in x."""
        pos, neg = tables or laurent_tables(x, self.plans)
        total = None
        if self.pos is not None:
            total = self._horner(self.pos, pos)
        if self.neg is not None:
            value = self._horner(self.neg, neg)
            total = value if total is None else total + value
        return total


def laurent_plans(polynomials: tuple[Laurent, ...]) -> tuple[tuple[int, ...], tuple[int, ...] | None]:
    """Power plans (:func:`power_plan`) of x and of 1/x holding what the polynomials use."""
    pos = power_plan(set().union(*(p.exponents[0] for p in polynomials)))
    neg = set().union(*(p.exponents[1] for p in polynomials))
    return pos, (power_plan(neg) if neg else None)


def laurent_tables(x, plans: tuple[tuple[int, ...], tuple[int, ...] | None]) -> tuple[dict, dict | None]:
    """Power tables of x and 1/x (:func:`power_table`) for :func:`laurent_plans`."""
    return power_table(x, plans[0]), (None if plans[1] is None else power_table(1.0 / x, plans[1]))


def in_pieces(fn: Callable, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """``fn(*arrays)`` (elementwise, returning a tuple of arrays) on pieces of
    :data:`PIECE_ROWS` rows, assembled; ``fn(*arrays)`` itself for floats and short arrays."""
    first = arrays[0]
    if not isinstance(first, np.ndarray) or first.ndim != 1 or first.size <= PIECE_ROWS:
        return fn(*arrays)
    n = first.size
    out: list[np.ndarray] | None = None
    for i in range(0, n, PIECE_ROWS):
        got = fn(*(a[i : i + PIECE_ROWS] if isinstance(a, np.ndarray) and a.ndim else a for a in arrays))
        if out is None:
            out = [np.empty(n) for _ in got]
        for o, g in zip(out, got, strict=True):
            o[i : i + PIECE_ROWS] = g
    return tuple(out or ())
