# SPDX-License-Identifier: MIT
"""Clean overall coefficient by resistance build-up (not HEI; a physics cross-check).

.. math::
    \\frac{1}{U_o} = \\frac{1}{h_{shell}} + \\frac{D_o \\ln(D_o/D_i)}{2 k_w}
                   + \\frac{1}{h_{tube}} \\frac{D_o}{D_i}

* tube side: Gnielinski (1976) with the Petukhov smooth-tube friction factor, water
  properties from IAPWS-IF97 / IAPWS-08 at the bulk mean temperature (``ht.conv_internal``);
* wall: cylindrical conduction through the BWG wall with the material's conductivity;
* shell side: Nusselt (1916) film condensation on a horizontal tube,
  h = 0.725·[g·ρl·(ρl−ρv)·k³·h'fg / (μ·D_o·ΔT)]^¼ with h'fg = h_fg + 0.68·cp·ΔT (Rohsenow),
  and Kern's bank correction N^(−1/6) for N effective rows. The film ΔT is solved (Newton)
  so that the shell-side flux equals the flux through wall and water film; film properties
  are evaluated at T_sat, the film ΔT solved, then properties re-evaluated once at the film
  temperature T_sat − ΔT/2 and ΔT solved again (two property evaluations, deterministic).

Expect ±15-25 % against HEI (docs/methods.md §1.5). References: Incropera et al., *Fundamentals of
Heat and Mass Transfer*, 7th ed., Eqs. 8.62 (Gnielinski), 10.46 (horizontal tube), 10.47
(Kern bank); Kern, *Process Heat Transfer* (1950).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ht.conv_internal import turbulent_Gnielinski

from .constants import STANDARD_GRAVITY
from .errors import OutOfRangeError
from .tubes import TubeBundle
from .water import latent_heat, liquid_properties, saturated_vapour_density

__all__ = ["CleanUResult", "clean_u_first_principles", "tube_side_coefficient", "DEFAULT_BANK_ROWS"]

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


def tube_side_coefficient(velocity: float, d_i: float, t_bulk: float,
                          salinity: float = 0.0) -> tuple[float, float, float]:
    """Tube-side coefficient on the inside area [W/(m²·K)], Reynolds and Prandtl numbers.

    Gnielinski Nu with the Petukhov friction factor fd = (0.790·ln Re − 1.64)^−2,
    properties at the bulk temperature t_bulk [K]; velocity [m/s], inside diameter d_i [m].
    """
    props = liquid_properties(t_bulk, salinity)
    re = props.density * velocity * d_i / props.viscosity
    if re < 2300.0:
        raise OutOfRangeError("tube_velocity", f"tube-side flow is laminar (Re = {re:.0f} < 2300); "
                              "the turbulent correlation does not apply")
    fd = (0.790 * math.log(re) - 1.64) ** -2  # Petukhov smooth tube
    nu = turbulent_Gnielinski(Re=re, Pr=props.prandtl, fd=fd)
    return nu * props.conductivity / d_i, re, props.prandtl


def _nusselt_coefficient(p_sat: float, t_film: float, od: float, rows: int) -> tuple[float, float]:
    """Nusselt/Kern constant A and the Rohsenow cp term, with h = A·[(h_fg + 0.68·cp·ΔT)/ΔT]^¼:
    returns (A without the latent-heat bracket, 0.68·cp)."""
    film = liquid_properties(min(max(t_film, 273.16), 353.15))
    rho_v = saturated_vapour_density(p_sat)
    a = 0.725 * (STANDARD_GRAVITY * film.density * (film.density - rho_v) * film.conductivity**3
                 / (film.viscosity * od)) ** 0.25 * rows ** (-1.0 / 6.0)
    return a, 0.68 * film.cp


def _solve_film(a: float, c68: float, h_fg: float, r_other: float, driving: float) -> float:
    """Film temperature difference ΔT [K] with h_shell(ΔT)·ΔT = (driving − ΔT)/r_other, by
    Newton's method on f(ΔT) = a·(h_fg + c68·ΔT)^¼·ΔT^¾·r_other + ΔT − driving (monotonic,
    f(0) < 0 < f(driving)); 60 iterations at most, converged to 1e-12 relative."""
    dt = 0.3 * driving
    for _ in range(60):
        g = (h_fg + c68 * dt) ** 0.25
        f = a * g * dt**0.75 * r_other + dt - driving
        df = a * r_other * (0.75 * g * dt**-0.25 + 0.25 * c68 * dt**0.75 / g**3) + 1.0
        step = f / df
        dt_new = min(max(dt - step, 0.5 * dt), 0.5 * (dt + driving))
        if abs(dt_new - dt) <= 1e-12 * driving:
            return dt_new
        dt = dt_new
    return dt
def clean_u_first_principles(bundle: TubeBundle, velocity: float, t_in: float, t_out: float,
                             p_sat: float, t_sat: float, wall_conductivity: float,
                             salinity: float = 0.0, bank_rows: int = DEFAULT_BANK_ROWS) -> CleanUResult:
    """Clean overall coefficient U_o [W/(m²·K)] by resistance build-up.

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
    r_tube = d_o / (d_i * h_tube)
    r_wall = d_o * math.log(d_o / d_i) / (2.0 * wall_conductivity)
    driving = max(t_sat - t_bulk, 0.05)
    h_fg = latent_heat(p_sat)
    # film properties at T_sat − ΔT/2: solve once with the film at T_sat, then once more
    a, c68 = _nusselt_coefficient(p_sat, t_sat, d_o, bank_rows)
    dt_film = _solve_film(a, c68, h_fg, r_wall + r_tube, driving)
    a, c68 = _nusselt_coefficient(p_sat, t_sat - 0.5 * dt_film, d_o, bank_rows)
    dt_film = _solve_film(a, c68, h_fg, r_wall + r_tube, driving)
    h_shell = a * ((h_fg + c68 * dt_film) / dt_film) ** 0.25
    u = 1.0 / (1.0 / h_shell + r_wall + r_tube)
    return CleanUResult(u_clean=u, h_tube=h_tube, h_shell=h_shell, r_wall=r_wall, reynolds=re, prandtl=pr)
