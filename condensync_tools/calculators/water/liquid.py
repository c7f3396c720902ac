# SPDX-License-Identifier: MIT
"""Cooling-water properties at a bulk temperature, on floats or numpy arrays
(docs/methods.md §10.1).

Fresh water: density and cp from IAPWS-IF97 region 1 on the tube-side isobar, viscosity
IAPWS R12-08, conductivity IAPWS R15-11. Saline water: density and cp from IAPWS-08
(:mod:`.seawater`), viscosity = fresh × Sharqawy et al. (2010) ratio, conductivity taken as
fresh water (salinity lowers it by about 1 % at 35 g/kg, below the uncertainty of any
tube-side correlation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._algebra import in_pieces
from .if97 import region1_isobar
from .seawater import pure_water, saline_mix, viscosity_ratio
from .transport import viscosity_conductivity

__all__ = ["CW_PRESSURE_PA", "LiquidProperties", "liquid_state", "density_cp", "density", "heat_capacity"]

#: Nominal tube-side pressure used for liquid cooling-water properties [Pa]. Liquid
#: density and cp change by < 0.01 % between 1 and 3 bar, so the exact value is immaterial.
CW_PRESSURE_PA = 2.0e5


@dataclass(frozen=True, slots=True)
class LiquidProperties:
    """Liquid cooling-water properties at one state or at arrays of states (SI)."""

    density: float | np.ndarray  #: [kg/m³]
    cp: float | np.ndarray  #: isobaric heat capacity [J/(kg·K)]
    viscosity: float | np.ndarray  #: dynamic viscosity [Pa·s]
    conductivity: float | np.ndarray  #: thermal conductivity [W/(m·K)]

    @property
    def prandtl(self):
        """Prandtl number [-] = cp·μ/k."""
        return self.cp * self.viscosity / self.conductivity


def density_cp(temperature_k, salinity: float = 0.0, pressure_pa: float = CW_PRESSURE_PA):
    """(ρ [kg/m³], cp [J/(kg·K)]) of cooling water: IF97 region 1 (fresh), IAPWS-08 (saline)."""
    if salinity <= 0.0:
        return region1_isobar(pressure_pa).density_cp(temperature_k)
    return saline_mix(temperature_k, salinity, pressure_pa / 1e6, *pure_water(temperature_k, pressure_pa))


def density(temperature_k, salinity: float = 0.0, pressure_pa: float = CW_PRESSURE_PA):
    """ρ [kg/m³] of cooling water (:func:`density_cp` without cp on fresh water)."""
    if salinity <= 0.0:
        return region1_isobar(pressure_pa).density(temperature_k)
    return density_cp(temperature_k, salinity, pressure_pa)[0]


def heat_capacity(temperature_k, salinity: float = 0.0, pressure_pa: float = CW_PRESSURE_PA):
    """cp [J/(kg·K)] of cooling water (:func:`density_cp` without ρ on fresh water)."""
    if salinity <= 0.0:
        return region1_isobar(pressure_pa).cp(temperature_k)
    return density_cp(temperature_k, salinity, pressure_pa)[1]


def _fresh(temperature_k, pressure_pa: float):
    rho, cp = region1_isobar(pressure_pa).density_cp(temperature_k)
    mu, k = viscosity_conductivity(rho, temperature_k)
    return rho, cp, mu, k


def liquid_state(temperature_k, salinity: float = 0.0, pressure_pa: float = CW_PRESSURE_PA) -> LiquidProperties:
    """Cooling-water properties at temperatures [K] (0-80 °C; unchecked: :func:`.water.liquid_properties`
    checks the range) and an absolute salinity [kg/kg]."""
    if salinity <= 0.0:
        return LiquidProperties(*in_pieces(lambda t: _fresh(t, pressure_pa), temperature_k))
    rho_fresh = region1_isobar(pressure_pa).density(temperature_k)
    mu_fresh, k_fresh = viscosity_conductivity(rho_fresh, temperature_k)
    rho, cp = density_cp(temperature_k, salinity, pressure_pa)
    return LiquidProperties(rho, cp, mu_fresh * viscosity_ratio(temperature_k, salinity), k_fresh)
