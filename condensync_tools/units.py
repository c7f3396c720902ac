# SPDX-License-Identifier: MIT
"""Unit systems at the tool boundary (CONTRACT §2): US (default) and SI in, SI base inside.

Every numeric tool field is declared with a quantity *kind*; this module knows, per kind,
the caller's unit in each system and the conversion to and from SI base units (K, Pa, m,
m², m³/s, kg/s, W, ...). Temperature *differences* convert by 1.8 with no offset.
Conversion happens exactly once on the way in and once on the way out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .calculators import constants as c

__all__ = ["UnitSystem", "Kind", "KINDS", "to_si", "from_si", "unit_label", "Quantity"]

UnitSystem = str  # "US" | "SI"


@dataclass(frozen=True, slots=True)
class Kind:
    """A physical quantity kind with its caller units and converters to SI base units."""

    name: str
    us: str
    si: str
    us_to_base: Callable[[float], float]
    si_to_base: Callable[[float], float]
    base_to_us: Callable[[float], float]
    base_to_si: Callable[[float], float]


def _scale(kind: str, us: str, si: str, us_factor: float, si_factor: float) -> Kind:
    return Kind(kind, us, si, lambda x: x * us_factor, lambda x: x * si_factor,
                lambda x: x / us_factor, lambda x: x / si_factor)


def _same(kind: str, label: str) -> Kind:
    ident = float
    return Kind(kind, label, label, ident, ident, ident, ident)


KINDS: dict[str, Kind] = {
    k.name: k for k in (
        Kind("temperature", "°F", "°C", c.f_to_k, c.c_to_k, c.k_to_f, c.k_to_c),
        _scale("temperature_difference", "°F", "K", 1.0 / 1.8, 1.0),
        _scale("pressure", "inHgA", "kPa(a)", c.INHG_PA, c.KPA_PA),
        _scale("pressure_gauge", "inHg", "kPa", c.INHG_PA, c.KPA_PA),
        _scale("pressure_difference", "inHg", "kPa", c.INHG_PA, c.KPA_PA),
        _scale("pressure_rate", "inHg/min", "kPa/min", c.INHG_PA / 60.0, c.KPA_PA / 60.0),
        _scale("volumetric_flow", "gpm", "m³/h", c.GPM_M3_S, c.M3_H_M3_S),
        _scale("area", "ft²", "m²", c.FT2_M2, 1.0),
        _scale("length", "ft", "m", c.FT_M, 1.0),
        _scale("head", "ft", "m", c.FT_M, 1.0),
        _scale("volume", "ft³", "m³", c.FT3_M3, 1.0),
        _scale("tube_diameter", "in", "mm", c.INCH_M, c.MM_M),
        _scale("velocity", "ft/s", "m/s", c.FT_M, 1.0),
        _scale("heat_rate", "Btu/h", "MW", c.BTU_H_W, c.MW_W),
        _scale("htc", "Btu/(h·ft²·°F)", "W/(m²·K)", c.BTU_H_FT2_F_W_M2_K, 1.0),
        _scale("fouling_resistance", "h·ft²·°F/Btu", "m²·K/W", c.H_FT2_F_BTU_M2_K_W, 1.0),
        _scale("steam_flow", "lb/h", "kg/s", c.LB_H_KG_S, 1.0),
        _scale("mass_flow", "lb/h", "kg/s", c.LB_H_KG_S, 1.0),
        _scale("air_flow", "SCFM", "kg/h", c.SCFM_AIR_KG_S, c.KG_H_KG_S),
        _scale("latent_heat", "Btu/lb", "kJ/kg", c.BTU_J / c.LB_KG, 1000.0),
        _scale("density", "lb/ft³", "kg/m³", c.LB_KG / c.FT3_M3, 1.0),
        _scale("specific_heat", "Btu/(lb·°F)", "kJ/(kg·K)", c.BTU_J / c.LB_KG * 1.8, 1000.0),
        _scale("power_mw", "MW", "MW", c.MW_W, c.MW_W),
        _scale("power_kw", "kW", "kW", c.KW_W, c.KW_W),
        _scale("salinity", "g/kg", "g/kg", 1e-3, 1e-3),
        _scale("duration_days", "d", "d", 1.0, 1.0),
        _same("money_usd", "USD"),
        _same("money_usd_per_day", "USD/d"),
        _same("money_usd_per_hour", "USD/h"),
        _same("money_usd_per_year", "USD/yr"),
        _same("price_usd_per_mwh", "USD/MWh"),
        _same("ppb", "ppb"),
        _same("fraction", "1"),
        _same("percent", "%"),
        _same("count", "1"),
        _same("score", "points (0-100)"),
        _same("per_day", "1/d"),
        _same("rpm_fraction", "1"),
    )
}


def unit_label(kind: str, system: UnitSystem) -> str:
    """The caller-facing unit string of a kind in a unit system."""
    k = KINDS[kind]
    return k.us if system == "US" else k.si


def to_si(kind: str, value: float, system: UnitSystem) -> float:
    """Convert a caller value of ``kind`` from ``system`` to SI base units."""
    k = KINDS[kind]
    return k.us_to_base(value) if system == "US" else k.si_to_base(value)


def from_si(kind: str, value: float, system: UnitSystem) -> float:
    """Convert an SI base value of ``kind`` to the caller's ``system``."""
    k = KINDS[kind]
    return k.base_to_us(value) if system == "US" else k.base_to_si(value)


@dataclass(frozen=True, slots=True)
class Quantity:
    """Field metadata: the quantity kind of a numeric field and its sane plant range in
    SI base units (outside it the call is rejected with a unit hint)."""

    kind: str
    plausible_si: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise KeyError(f"unknown quantity kind {self.kind!r}")


def format_quantity(kind: str, value_si: float, system: UnitSystem, digits: int = 4) -> str:
    """``"<value> <unit>"`` in the caller's unit system, for messages and warnings."""
    return f"{from_si(kind, value_si, system):.{digits}g} {unit_label(kind, system)}"
