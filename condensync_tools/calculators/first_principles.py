# SPDX-License-Identifier: MIT
"""Clean overall coefficient by resistance build-up (not HEI; a physics cross-check), on one
state (floats) or on arrays of rows (docs/methods.md §10.2).

.. math::
    \\frac{1}{U_o} = \\frac{1}{h_{shell}} + \\frac{D_o \\ln(D_o/D_i)}{2 k_w}
                   + \\frac{1}{h_{tube}} \\frac{D_o}{D_i}

* tube side: Gnielinski (1976) with the Petukhov smooth-tube friction factor, water
  properties from IAPWS-IF97 / IAPWS-08 at the bulk mean temperature;
* wall: cylindrical conduction through the BWG wall with the material's conductivity;
* shell side: Nusselt (1916) film condensation on a horizontal tube,
  h = 0.725·[g·ρl·(ρl−ρv)·k³·h'fg / (μ·D_o·ΔT)]^¼ with h'fg = h_fg + 0.68·cp·ΔT (Rohsenow),
  and Kern's bank correction N^(−1/6) for N effective rows. The film ΔT is solved (damped
  Newton) so that the shell-side flux equals the flux through wall and water film; film
  properties are evaluated at T_sat, the film ΔT solved, then properties re-evaluated once at
  the film temperature T_sat − ΔT/2 and ΔT solved again (deterministic).

Every function takes floats (the per-call tools: cached, range-checked properties from
:mod:`.water`) or numpy arrays (the history analysis: one element per row), with the same
operations, so a history row equals the per-call result bit for bit. Fractional powers are
square roots and :mod:`.portable_math` (the same bits on every machine).

Expect ±15-25 % against HEI. References: Gnielinski, Int. Chem. Eng. 16 (1976) 359-368;
Petukhov (1970); Nusselt, Z. VDI 60 (1916); Kern, *Process Heat Transfer* (1950);
Incropera et al., *Fundamentals of Heat and Mass Transfer*, 7th ed., Eqs. 8.62, 10.46, 10.47.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import portable_math as pm
from . import water
from .constants import (
    FILM_DRIVING_MIN_K,
    FILM_NEWTON_MAX_STEPS,
    FILM_NEWTON_TOLERANCE,
    RE_LAMINAR,
    STANDARD_GRAVITY,
)
from .errors import OutOfRangeError
from .tubes import TubeBundle

__all__ = [
    "CleanUResult",
    "clean_u_first_principles",
    "tube_side_coefficient",
    "tube_side",
    "reynolds",
    "shell_side_clean_u",
    "tube_resistance",
    "wall_resistance",
    "bank_factor",
    "fw_from_resistances",
    "DEFAULT_BANK_ROWS",
]

#: Effective rows in the condensing zone for Kern's N^(-1/6) inundation factor. Radial
#: condenser bundles with steam lanes behave like ~5-15 rows; 10 is the default.
DEFAULT_BANK_ROWS = 10


@dataclass(frozen=True, slots=True)
class CleanUResult:
    """Clean U on the outside area and its resistance breakdown (SI)."""

    u_clean: float  #: [W/(m²·K)]
    h_tube: float  #: tube-side coefficient on the inside area [W/(m²·K)]
    h_shell: float  #: shell-side (condensing) coefficient [W/(m²·K)]
    r_wall: float  #: wall resistance referred to the outside area [m²·K/W]
    reynolds: float  #: tube-side Reynolds number [-]
    prandtl: float  #: tube-side Prandtl number [-]


def _liquid(temperature_k, salinity: float = 0.0) -> water.LiquidProperties:
    """Cooling-water properties: cached and range-checked for a float, row-wise for an array."""
    if isinstance(temperature_k, np.ndarray):
        return water.liquid_state(temperature_k, salinity)
    return water.liquid_properties(temperature_k, salinity)


def reynolds(props: water.LiquidProperties, velocity, d_i: float):
    """Tube-side Reynolds number Re = ρ·V·D_i/μ [-]."""
    return props.density * velocity * d_i / props.viscosity


def tube_side(velocity, d_i: float, t_bulk, salinity: float = 0.0):
    """Gnielinski tube-side coefficient on the inside area [W/(m²·K)], Re, and the properties.

    Re = ρ·V·D_i/μ; Petukhov fd = (0.790·ln Re − 1.64)^−2;
    Nu = (fd/8)(Re − 1000)Pr / (1 + 12.7·√(fd/8)·(Pr^⅔ − 1)); h = Nu·k/D_i. Properties at the
    bulk temperature t_bulk [K]; velocity [m/s]; d_i [m]. The laminar test is the caller's.
    """
    props = _liquid(t_bulk, salinity)
    re = reynolds(props, velocity, d_i)
    fd = pm.log(re) * 0.790 - 1.64
    f8 = 1.0 / (fd * fd) / 8.0
    pr = props.prandtl
    nu = f8 * (re - 1e3) * pr
    nu /= (pm.power(pr, 2 / 3.0) - 1.0) * (pm.sqrt(f8) * 12.7) + 1.0
    return nu * props.conductivity / d_i, re, props


def tube_side_coefficient(
    velocity: float, d_i: float, t_bulk: float, salinity: float = 0.0
) -> tuple[float, float, float]:
    """:func:`tube_side` on one state, refusing laminar flow: (h [W/(m²·K)], Re, Pr)."""
    h, re, props = tube_side(velocity, d_i, t_bulk, salinity)
    if re < RE_LAMINAR:
        raise OutOfRangeError(
            "tube_velocity",
            f"tube-side flow is laminar (Re = {re:.0f} < {RE_LAMINAR:.0f}); the turbulent correlation does not apply",
        )
    return h, re, props.prandtl


def tube_resistance(d_o: float, d_i: float, h_tube):
    """Tube-side film resistance referred to the outside area [m²·K/W] = D_o/(D_i·h)."""
    return d_o / (d_i * h_tube)


def wall_resistance(d_o: float, d_i: float, wall_conductivity: float) -> float:
    """Cylindrical wall resistance on the outside area [m²·K/W] = D_o·ln(D_o/D_i)/(2·k_w)."""
    return d_o * pm.log(d_o / d_i) / (2.0 * wall_conductivity)


@lru_cache(maxsize=64)  # a plant has a few bank-row counts; the power costs a log and an exp
def bank_factor(bank_rows: int) -> float:
    """Kern's inundation factor N^(−1/6) [-]."""
    return pm.power(float(bank_rows), -1.0 / 6.0)


def fw_from_resistances(r_shell, r_wall: float, r_tube, r_tube_ref):
    """Derived HEI Fw = (r_shell + r_wall + r_tube,ref)/(r_shell + r_wall + r_tube): the clean U
    with the water-side resistance at the actual inlet temperature over that at the 70 °F
    reference, same velocity, wall and shell side (docs/methods.md §10.3)."""
    return (r_shell + r_wall + r_tube_ref) / (r_shell + r_wall + r_tube)


def _nusselt_coefficient(t_film, d_o: float, rows_factor: float, rho_v):
    """Nusselt/Kern constant A and the Rohsenow term 0.68·cp, with h = A·[(h_fg + 0.68·cp·ΔT)/ΔT]^¼:
    A = 0.725·[g·ρ·(ρ − ρ_v)·k³/(μ·D_o)]^¼·N^(−1/6), film properties at t_film (clipped to the
    property range)."""
    if isinstance(t_film, np.ndarray):
        film = water.liquid_state(np.minimum(np.maximum(t_film, water.T_TRIPLE), water.LIQUID_T_MAX))
    else:
        film = water.liquid_properties(min(max(t_film, water.T_TRIPLE), water.LIQUID_T_MAX))
    k = film.conductivity
    a = film.density * STANDARD_GRAVITY * (film.density - rho_v) * (k * k * k) / (film.viscosity * d_o)
    return pm.quarter_power(a) * 0.725 * rows_factor, film.cp * 0.68


def _film_step(d, a, c68, h_fg, r_other, driving, ar, c25):
    """One damped Newton step on f(ΔT) = a·g·ΔT^¾·r + ΔT − driving, g = (h_fg + c68·ΔT)^¼
    (monotonic; f(0) < 0 < f(driving)): f' = a·r·(0.75·g·ΔT^−¼ + 0.25·c68·ΔT^¾/g³) + 1; the
    new ΔT is kept within [ΔT/2, (ΔT + driving)/2]. ``ar`` = a·r, ``c25`` = 0.25·c68."""
    g = pm.quarter_power(c68 * d + h_fg)
    root = pm.sqrt(d)
    d25 = pm.sqrt(root)  # ΔT^¼
    d75 = root * d25  # ΔT^¾ = √ΔT·ΔT^¼
    f = a * g * d75 * r_other + d - driving
    df = ar * (g * 0.75 / d25 + c25 * d75 / (g * g * g)) + 1.0
    new = d - f / df
    if isinstance(new, np.ndarray):
        return np.minimum(np.maximum(new, d * 0.5), (d + driving) * 0.5)
    return min(max(new, d * 0.5), (d + driving) * 0.5)


def solve_film(a, c68, h_fg, r_other, driving):
    """Film ΔT [K] with h_shell(ΔT)·ΔT = (driving − ΔT)/r_other: :func:`_film_step` from
    ΔT = 0.3·driving until a step is below 1e-12·driving (60 steps at most), row by row on
    arrays (converged rows leave the iteration)."""
    d = 0.3 * driving
    ar, c25, tol = a * r_other, 0.25 * c68, FILM_NEWTON_TOLERANCE * driving
    if not isinstance(d, np.ndarray):
        for _ in range(FILM_NEWTON_MAX_STEPS):
            new = _film_step(d, a, c68, h_fg, r_other, driving, ar, c25)
            if abs(new - d) <= tol:
                return new
            d = new
        return d
    result, rows = np.empty_like(d), np.arange(d.size)
    args = [a, c68, h_fg, r_other, driving, ar, c25, tol]
    for _ in range(FILM_NEWTON_MAX_STEPS):
        if not rows.size:
            return result
        new = _film_step(d, *args[:7])
        done = np.abs(new - d) <= args[7]
        if not done.any():
            d = new
            continue
        if done.all() and rows.size == result.size:
            return new  # every row converged at this step (the usual case)
        result[rows[done]] = new[done]
        keep = ~done
        rows, d = rows[keep], new[keep]
        if not keep.all():
            args = [x[keep] for x in args]
    result[rows] = d
    return result


def shell_side_clean_u(d_o: float, rows_factor: float, r_wall: float, r_tube, t_bulk, t_sat, h_fg, rho_v):
    """(U_clean [W/(m²·K)], h_shell [W/(m²·K)]) from the tube-side and wall resistances: the
    Nusselt/Kern film solved twice (film at T_sat, then at T_sat − ΔT/2);
    U = 1/(1/h_shell + r_wall + r_tube)."""
    driving = t_sat - t_bulk
    driving = (
        np.maximum(driving, FILM_DRIVING_MIN_K) if isinstance(driving, np.ndarray) else max(driving, FILM_DRIVING_MIN_K)
    )
    r_other = r_tube + r_wall
    a, c68 = _nusselt_coefficient(t_sat, d_o, rows_factor, rho_v)
    dt_film = solve_film(a, c68, h_fg, r_other, driving)
    a, c68 = _nusselt_coefficient(t_sat - dt_film * 0.5, d_o, rows_factor, rho_v)
    dt_film = solve_film(a, c68, h_fg, r_other, driving)
    h_shell = pm.quarter_power((c68 * dt_film + h_fg) / dt_film) * a
    return 1.0 / (1.0 / h_shell + r_wall + r_tube), h_shell


@lru_cache(maxsize=8192)  # pure: one entry per state, so repeated states cost a look-up
def clean_u_first_principles(
    bundle: TubeBundle,
    velocity: float,
    t_in: float,
    t_out: float,
    p_sat: float,
    t_sat: float,
    wall_conductivity: float,
    salinity: float = 0.0,
    bank_rows: int = DEFAULT_BANK_ROWS,
) -> CleanUResult:
    """Clean overall coefficient U_o [W/(m²·K)] by resistance build-up, on one state.

    Parameters
    ----------
    bundle : TubeBundle
        Tube geometry (OD, wall).
    velocity : float
        Mean tube water velocity [m/s].
    t_in, t_out : float
        CW inlet and outlet temperatures [K]; properties at their mean.
    p_sat, t_sat : float
        Shell saturation pressure [Pa] and temperature [K].
    wall_conductivity : float
        Tube wall thermal conductivity [W/(m·K)].
    salinity : float
        Absolute salinity of the cooling water [kg/kg].
    bank_rows : int
        Effective condensing rows for Kern's N^(−1/6) factor [-].
    """
    d_o, d_i = bundle.od, bundle.id
    t_bulk = 0.5 * (t_in + t_out)
    h_tube, re, pr = tube_side_coefficient(velocity, d_i, t_bulk, salinity)
    r_wall = wall_resistance(d_o, d_i, wall_conductivity)
    u, h_shell = shell_side_clean_u(
        d_o,
        bank_factor(bank_rows),
        r_wall,
        tube_resistance(d_o, d_i, h_tube),
        t_bulk,
        t_sat,
        water.latent_heat(p_sat),
        water.saturated_vapour_density(p_sat),
    )
    return CleanUResult(u_clean=u, h_tube=h_tube, h_shell=h_shell, r_wall=r_wall, reynolds=re, prandtl=pr)
