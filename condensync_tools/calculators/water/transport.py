# SPDX-License-Identifier: MIT
"""Viscosity (IAPWS R12-08) and thermal conductivity (IAPWS R15-11) of liquid water, on floats
or numpy arrays (docs/methods.md §10.1).

R12-08 Eqs. 10-12: μ = μ0(T̄)·μ1(T̄, ρ̄), μ0 = 100·√T̄ / Σ Hᵢ/T̄ⁱ (Table 1),
μ1 = exp(ρ̄ Σ Hᵢⱼ (1/T̄ − 1)ⁱ (ρ̄ − 1)ʲ) (Table 2) [μPa·s]. R15-11 Eqs. 10, 16-17:
λ = λ0(T̄)·λ1(T̄, ρ̄), λ0 = √T̄ / Σ Lₖ/T̄ᵏ (Table 1), λ1 = exp(ρ̄ Σ Lᵢⱼ (1/T̄ − 1)ⁱ (ρ̄ − 1)ʲ)
(Table 2) [mW/(m·K)]; T̄ = T/647.096 K, ρ̄ = ρ/322 kg/m³. Both without the critical
enhancement (μ2 = 1, λ2 = 0: below 0.1 % for cooling water, as the releases' industrial use
and iapws' ``_Viscosity``/``_ThCond`` without a phase).
"""

from __future__ import annotations

import numpy as np

from .. import portable_math as pm
from ._algebra import power_plan, power_table
from .coefficients import CONDUCTIVITY_L0, CONDUCTIVITY_L1, RHO_CRITICAL, T_CRITICAL, VISCOSITY_H0, VISCOSITY_H1

__all__ = ["viscosity", "conductivity", "viscosity_conductivity"]


#: Powers of a = 1/T̄ − 1 and b = ρ̄ − 1 the two tables use.
_A_PLAN = power_plan({i for i, _, _ in VISCOSITY_H1 + CONDUCTIVITY_L1})
_B_PLAN = power_plan({j for _, j, _ in VISCOSITY_H1 + CONDUCTIVITY_L1})
#: Powers of 1/T̄ in the μ0 and λ0 denominators.
_INV_PLAN = power_plan(range(2, max(len(VISCOSITY_H0), len(CONDUCTIVITY_L0))))


class _Reduced:
    """Reduced variables shared by viscosity and conductivity at one (ρ, T): T̄, ρ̄, 1/T̄ and its
    powers, √T̄, and the powers of 1/T̄ − 1 and ρ̄ − 1 (each computed once)."""

    __slots__ = ("dr", "inv", "inv_p", "sqrt_tr", "ap", "bp")  # ap, bp: {k: a^k}, {k: b^k}

    def __init__(self, density, temperature_k) -> None:
        tr = temperature_k / T_CRITICAL
        self.dr = density / RHO_CRITICAL
        self.inv = 1.0 / tr
        self.inv_p = power_table(self.inv, _INV_PLAN)  # (1/T̄)^k: products, as pm.int_power
        self.sqrt_tr = pm.sqrt(tr)
        self.ap = power_table(self.inv - 1, _A_PLAN)
        self.bp = power_table(self.dr - 1, _B_PLAN)

    def denominator(self, coefficients: tuple[float, ...]):
        """c0 + c1/T̄ + c2/T̄² + ..., summed left to right."""
        out = self.inv * coefficients[1] + coefficients[0]
        for k, c in enumerate(coefficients[2:], start=2):
            out += self.inv_p[k] * c
        return out

    def bivariate(self, plan: tuple):
        """Σ h·a^i·b^j over (i, j, h) terms in table order, a = 1/T̄ − 1,
        b = ρ̄ − 1, each term evaluated as (a^i·h)·b^j (h·b^j when i = 0)."""
        ap, bp, total = self.ap, self.bp, 0.0
        if not isinstance(self.dr, np.ndarray):  # floats: × 1 is exact, so no branches (same bits)
            for i, j, h in plan:
                total += ap[i] * h * bp[j]
            return total
        for i, j, h in plan:
            term = ap[i] * h if i else h
            total += term * bp[j] if j else term
        return total


def _viscosity(r: _Reduced):
    mu0 = r.sqrt_tr * 100 / r.denominator(VISCOSITY_H0)
    return mu0 * pm.exp(r.bivariate(VISCOSITY_H1) * r.dr) * 1e-6


def _conductivity(r: _Reduced):
    k0 = r.sqrt_tr / r.denominator(CONDUCTIVITY_L0)
    return pm.exp(r.bivariate(CONDUCTIVITY_L1) * r.dr) * k0 * 1e-3


def viscosity(density, temperature_k):
    """Dynamic viscosity [Pa·s] of water at density [kg/m³] and temperature [K] (R12-08)."""
    return _viscosity(_Reduced(density, temperature_k))


def conductivity(density, temperature_k):
    """Thermal conductivity [W/(m·K)] of water at density [kg/m³] and temperature [K] (R15-11)."""
    return _conductivity(_Reduced(density, temperature_k))


def viscosity_conductivity(density, temperature_k):
    """(:func:`viscosity`, :func:`conductivity`) at the same (ρ, T), sharing the reduced
    variables and their powers."""
    r = _Reduced(density, temperature_k)
    return _viscosity(r), _conductivity(r)
