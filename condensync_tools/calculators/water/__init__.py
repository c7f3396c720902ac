# SPDX-License-Identifier: MIT
"""Water, steam and sea-water properties (IAPWS-IF97, IAPWS-08, R12-08, R15-11): one
implementation, for the per-call tools and the history analysis alike
(docs/methods.md §10.1).

Every formula is written once, in :mod:`.if97`, :mod:`.transport`, :mod:`.seawater` and
:mod:`.liquid`, and takes a float or a numpy array: the per-call tools evaluate it on Python
floats (fast, no numpy overhead), the history analysis on arrays of rows, with the same
operations, so a row of the history equals the per-call result bit for bit. Elementary
functions come from :mod:`..portable_math` (never the C library's or numpy's ``exp``/``log``/
``pow``), so the values are the same on every machine. The coefficients are in
:mod:`.coefficients`, each once, with the release and table it comes from.

The functions of this module take floats, check the validity range (raising
:class:`~condensync_tools.calculators.errors.OutOfRangeError` naming the field) and cache one
entry per state, so repeated states cost a dictionary look-up.

References
----------
IAPWS R7-97(2012) (IF97: regions 1, 2, 4); IAPWS R6-95(2018) (IAPWS-95, the pure-water part
of sea water); IAPWS R13-08 (sea water); IAPWS R12-08 (viscosity); IAPWS R15-11 (thermal
conductivity); Sharqawy, Lienhard, Zubair (2010), Desalination and Water Treatment 16,
354-380, Eqs. 22-23 (sea-water viscosity ratio).
"""

from __future__ import annotations

from functools import lru_cache

from ..errors import OutOfRangeError
from ..messages import Text
from .coefficients import P_CRITICAL, P_TRIPLE, T_CRITICAL, T_TRIPLE
from .if97 import psat_t, region1, region2, saturation_densities, saturation_props, tsat_p
from .liquid import CW_PRESSURE_PA, LiquidProperties, density, density_cp, heat_capacity, liquid_state
from .transport import conductivity, viscosity, viscosity_conductivity

__all__ = [
    "WATER_SALINITY_KG_KG",
    "CW_PRESSURE_PA",
    "LiquidProperties",
    "saturation_temperature",
    "saturation_pressure",
    "latent_heat",
    "saturated_vapour_density",
    "saturated_liquid_density",
    "liquid_properties",
    "liquid_density",
    "salinity_for",
    # array-first routines (floats or numpy arrays, unchecked ranges)
    "tsat_p",
    "psat_t",
    "region1",
    "region2",
    "saturation_props",
    "liquid_state",
    "density",
    "density_cp",
    "heat_capacity",
    "viscosity",
    "conductivity",
    "viscosity_conductivity",
    "T_TRIPLE",
    "T_CRITICAL",
    "P_TRIPLE",
    "P_CRITICAL",
]

#: Upper limit of the cooling-water property range [K] (80 °C; IAPWS-08 covers it at these pressures).
LIQUID_T_MAX = 353.15
LIQUID_T_MIN = 273.15
#: Absolute salinity by water type [kg/kg]. Sea: IAPWS-08 reference-composition standard
#: seawater (35.16504 g/kg); brackish: a representative estuarine 10 g/kg (override with
#: an explicit salinity); fresh: 0.
WATER_SALINITY_KG_KG = {"fresh": 0.0, "brackish": 0.010, "sea": 0.03516504}
#: Upper limit of IAPWS-08 salinity [kg/kg].
SALINITY_MAX = 0.12
#: Region 1/2 at T_sat below this temperature [K]; region 3 (through iapws) above (R7-97(2012) §4).
_T_REGION3 = 623.15


def salinity_for(water_type: str, salinity_kg_kg: float | None = None) -> float:
    """Absolute salinity [kg/kg] for a water type, or the explicit value when given."""
    if salinity_kg_kg is not None:
        if salinity_kg_kg < 0.0:
            raise OutOfRangeError("salinity", "salinity cannot be negative")
        if salinity_kg_kg > SALINITY_MAX:
            raise OutOfRangeError("salinity", f"{salinity_kg_kg * 1000:g} g/kg exceeds the IAPWS-08 range (0-120 g/kg)")
        return salinity_kg_kg
    try:
        return WATER_SALINITY_KG_KG[water_type]
    except KeyError:
        raise OutOfRangeError(
            "water_type", f"unknown water type {water_type!r}; expected one of {sorted(WATER_SALINITY_KG_KG)}"
        ) from None


def _check_range(value: float, lo: float, hi: float, field: str, quantity: tuple[str, str, int], what: str) -> None:
    """Raise :class:`OutOfRangeError` on ``field`` unless lo ≤ value ≤ hi; ``quantity`` =
    (placeholder, kind, significant digits) of the message."""
    if not (lo <= value <= hi):
        name, kind, digits = quantity
        raise OutOfRangeError(
            field,
            Text(
                f"{{{name}}} is outside the {what} range {{lo}}-{{hi}}",
                **{name: (kind, value, digits)},
                lo=(kind, lo, digits),
                hi=(kind, hi, digits),
            ),
        )


def saturation_temperature(pressure_pa: float, field: str = "condenser_pressure") -> float:
    """Saturation temperature [K] at an absolute pressure [Pa], IAPWS-IF97 Eq. 31
    (:func:`.if97.tsat_p`), from the triple point (611.657 Pa) to the critical point (22.064 MPa).

    >>> round(saturation_temperature(6773.0) - 273.15, 2)   # 2.0 inHgA
    38.39
    """
    _check_range(pressure_pa, P_TRIPLE, P_CRITICAL, field, ("p", "pressure", 4), "IF97 saturation")
    return _tsat_cached(float(pressure_pa))


@lru_cache(maxsize=4096)
def _tsat_cached(pressure_pa: float) -> float:
    return tsat_p(pressure_pa)


def saturation_pressure(temperature_k: float, field: str = "saturation_temp") -> float:
    """Saturation pressure [Pa] at a temperature [K], IAPWS-IF97 Eq. 30 (:func:`.if97.psat_t`)."""
    _check_range(temperature_k, T_TRIPLE, T_CRITICAL, field, ("t", "temperature", 6), "IF97 saturation")
    return _psat_cached(float(temperature_k))


@lru_cache(maxsize=4096)
def _psat_cached(temperature_k: float) -> float:
    return psat_t(temperature_k)


@lru_cache(maxsize=8192)
def _saturation(pressure_pa: float) -> tuple[float, float, float]:
    """(h_fg [J/kg], ρ'' [kg/m³], ρ' [kg/m³]) at a saturation pressure: IF97 regions 1 and 2 at
    T_sat (:func:`.if97.saturation_densities`) below 623.15 K, region 3 through iapws above."""
    t_sat = _tsat_cached(pressure_pa)
    if t_sat > _T_REGION3:
        from iapws import iapws97  # region 3 only: iapws imports scipy

        p_mpa = pressure_pa / 1e6
        liquid, vapour = iapws97._Region4(p_mpa, 0), iapws97._Region4(p_mpa, 1)
        return (vapour["h"] - liquid["h"]) * 1e3, 1.0 / vapour["v"], 1.0 / liquid["v"]
    return saturation_densities(pressure_pa, t_sat)


def latent_heat(pressure_pa: float) -> float:
    """Latent heat of condensation h_fg [J/kg] at a saturation pressure [Pa] (IF97 region 4).

    >>> round(latent_heat(saturation_pressure(303.15)) / 1e3, 1)   # 30 °C
    2429.8
    """
    saturation_temperature(pressure_pa)  # range check
    return _saturation(float(pressure_pa))[0]


def saturated_vapour_density(pressure_pa: float) -> float:
    """Density of saturated vapour [kg/m³] at a pressure [Pa]."""
    saturation_temperature(pressure_pa)
    return _saturation(float(pressure_pa))[1]


def saturated_liquid_density(pressure_pa: float) -> float:
    """Density of saturated liquid [kg/m³] at a pressure [Pa]."""
    saturation_temperature(pressure_pa)
    return _saturation(float(pressure_pa))[2]


def liquid_properties(
    temperature_k: float, salinity_kg_kg: float = 0.0, pressure_pa: float = CW_PRESSURE_PA, field: str = "cw_inlet_temp"
) -> LiquidProperties:
    """Cooling-water properties at a bulk temperature [K] and absolute salinity [kg/kg]
    (:func:`.liquid.liquid_state`: IF97 region 1 + R12-08 + R15-11 for fresh water; IAPWS-08
    density and cp, viscosity × Sharqawy ratio for saline water). Valid 0-80 °C."""
    _check_range(temperature_k, LIQUID_T_MIN, LIQUID_T_MAX, field, ("t", "temperature", 3), "cooling-water property")
    return _liquid_cached(float(temperature_k), float(salinity_kg_kg), float(pressure_pa))


@lru_cache(maxsize=8192)
def _liquid_cached(temperature_k: float, salinity: float, pressure_pa: float) -> LiquidProperties:
    return liquid_state(temperature_k, salinity, pressure_pa)


def liquid_density(
    temperature_k: float, salinity_kg_kg: float = 0.0, pressure_pa: float = CW_PRESSURE_PA, field: str = "cw_inlet_temp"
) -> float:
    """Cooling-water density [kg/m³] alone: ``liquid_properties(...).density`` (the same value,
    :func:`.liquid.density`) without the viscosity and conductivity a caller needing only ρ
    would not use. Same range check; cached per state."""
    _check_range(temperature_k, LIQUID_T_MIN, LIQUID_T_MAX, field, ("t", "temperature", 3), "cooling-water property")
    return _density_cached(float(temperature_k), float(salinity_kg_kg), float(pressure_pa))


@lru_cache(maxsize=8192)
def _density_cached(temperature_k: float, salinity: float, pressure_pa: float) -> float:
    return density(temperature_k, salinity, pressure_pa)
