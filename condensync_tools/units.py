# SPDX-License-Identifier: MIT
"""Unit systems at the tool boundary (CONTRACT §2): US (default) and SI in, SI base inside.

Every numeric tool field is declared with a quantity *kind*; this module knows, per kind,
the caller's unit in each system and the conversion to and from SI base units (K, Pa, m,
m², m³/s, kg/s, W, ...). Temperature *differences* convert by 1.8 with no offset.
Conversion happens exactly once on the way in and once on the way out.

It also holds the one table of engineering-unit *strings* that plant data arrives in
(:data:`UNITS`: ``degF``, ``inHgA``, ``gpm``, ``kg/h``…, each with its dimension and its
conversion to SI base units), used by the live connectors, the simulator and the
configuration checks. Both tables take their factors from
:mod:`condensync_tools.calculators.constants` (a test checks that they agree).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Callable

from .calculators import constants as c

__all__ = [
    "UnitSystem",
    "Kind",
    "KINDS",
    "to_si",
    "from_si",
    "unit_label",
    "Quantity",
    "UnitSpec",
    "UNITS",
    "KIND_DIMENSION",
    "UnitError",
    "unit_spec",
    "to_si_unit",
    "from_si_unit",
    "display_kind",
]

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
    return Kind(
        kind, us, si, lambda x: x * us_factor, lambda x: x * si_factor, lambda x: x / us_factor, lambda x: x / si_factor
    )


def _same(kind: str, label: str) -> Kind:
    ident = float
    return Kind(kind, label, label, ident, ident, ident, ident)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
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


# ------------------------------------------------------------------------------------------
# Unit strings of plant data (tags, registers, historian streams) → SI base units
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """How one engineering-unit string converts to SI base units: ``si = value·factor + offset``.

    Attributes
    ----------
    dimension : str
        ``temperature`` [K], ``pressure`` [Pa abs], ``pressure_gauge`` [Pa gauge],
        ``pressure_rate`` [Pa/s], ``volumetric_flow`` [m³/s], ``mass_flow`` [kg/s],
        ``ppb`` [ppb], ``percent`` [%], ``fraction`` [1], ``rotational_speed`` [rpm],
        ``power`` [W], ``velocity`` [m/s], ``length`` [m], ``frequency`` [Hz].
    factor, offset : float
        Conversion to the base unit of the dimension.
    """

    dimension: str
    factor: float
    offset: float = 0.0


def _aliases(spec: UnitSpec, *names: str) -> dict[str, UnitSpec]:
    return {n: spec for n in names}


_K0 = c.KELVIN_OFFSET
#: Unit string → conversion. Case-sensitive on purpose ("MW" is not "mW"); spaces are ignored.
UNITS: dict[str, UnitSpec] = {
    # temperature (absolute)
    **_aliases(UnitSpec("temperature", 1.0, _K0), "°C", "degC", "C", "deg C", "℃", "Cel", "celsius"),
    **_aliases(
        UnitSpec("temperature", 1.0 / 1.8, _K0 - 32.0 / 1.8), "°F", "degF", "F", "deg F", "℉", "[degF]", "fahrenheit"
    ),
    **_aliases(UnitSpec("temperature", 1.0), "K", "kelvin"),
    # absolute pressure
    **_aliases(UnitSpec("pressure", 1.0), "Pa", "Pa(a)", "PaA", "Pa abs"),
    **_aliases(UnitSpec("pressure", c.KPA_PA), "kPa", "kPa(a)", "kPaA", "kPaa", "kPa abs"),
    **_aliases(UnitSpec("pressure", 1.0e6), "MPa", "MPa(a)", "MPaA"),
    **_aliases(UnitSpec("pressure", 1.0e5), "bar", "bar(a)", "bara", "barA"),
    **_aliases(UnitSpec("pressure", c.MBAR_PA), "mbar", "mbar(a)", "mbara", "mbarA", "hPa"),
    **_aliases(UnitSpec("pressure", c.PSI_PA), "psi", "psia", "psi(a)", "psiA"),
    **_aliases(UnitSpec("pressure", c.INHG_PA), "inHg", "inHgA", "inHg(a)", "inHga", "in Hg", "inHg abs"),
    **_aliases(UnitSpec("pressure", c.MMHG_PA), "mmHg", "mmHgA", "mmHg(a)", "torr", "Torr"),
    # gauge pressure / vacuum below atmosphere (only for gauge fields such as vacuum_gauge)
    **_aliases(UnitSpec("pressure_gauge", c.KPA_PA), "kPag", "kPa(g)", "kPaG", "kPa vac"),
    **_aliases(UnitSpec("pressure_gauge", 1.0e5), "barg", "bar(g)", "barG"),
    **_aliases(UnitSpec("pressure_gauge", c.MBAR_PA), "mbarg", "mbar(g)", "mbar vac"),
    **_aliases(UnitSpec("pressure_gauge", c.PSI_PA), "psig", "psi(g)", "psiG"),
    **_aliases(UnitSpec("pressure_gauge", c.INHG_PA), "inHgV", "inHg vac", "inHg(g)", "inHgG"),
    **_aliases(UnitSpec("pressure_gauge", c.MMHG_PA), "mmHgV", "mmHg vac", "mmHg(g)"),
    # pressure rate (vacuum decay)
    **_aliases(UnitSpec("pressure_rate", c.INHG_PA / 60.0), "inHg/min"),
    **_aliases(UnitSpec("pressure_rate", c.KPA_PA / 60.0), "kPa/min"),
    **_aliases(UnitSpec("pressure_rate", c.MBAR_PA / 60.0), "mbar/min"),
    **_aliases(UnitSpec("pressure_rate", c.MMHG_PA / 60.0), "mmHg/min", "torr/min"),
    **_aliases(UnitSpec("pressure_rate", 1.0), "Pa/s"),
    # volumetric flow
    **_aliases(UnitSpec("volumetric_flow", c.GPM_M3_S), "gpm", "GPM", "USgpm", "gal/min", "US gal/min"),
    **_aliases(UnitSpec("volumetric_flow", c.M3_H_M3_S), "m3/h", "m³/h", "m3/hr", "m³/hr", "m^3/h"),
    **_aliases(UnitSpec("volumetric_flow", 1.0), "m3/s", "m³/s", "m^3/s"),
    **_aliases(UnitSpec("volumetric_flow", 1.0e-3), "L/s", "l/s"),
    **_aliases(UnitSpec("volumetric_flow", 1.0e-3 / 60.0), "L/min", "l/min"),
    # mass flow (SCFM: dry air at 70 °F, 14.696 psia: 4.495 lb/h)
    **_aliases(UnitSpec("mass_flow", 1.0), "kg/s"),
    **_aliases(UnitSpec("mass_flow", c.KG_H_KG_S), "kg/h", "kg/hr"),
    **_aliases(UnitSpec("mass_flow", 1000.0 * c.KG_H_KG_S), "t/h", "tph", "t/hr"),
    **_aliases(UnitSpec("mass_flow", c.LB_H_KG_S), "lb/h", "lb/hr", "lbm/h", "lbm/hr", "pph"),
    **_aliases(UnitSpec("mass_flow", 1000.0 * c.LB_H_KG_S), "klb/h", "klb/hr", "kpph"),
    **_aliases(UnitSpec("mass_flow", c.SCFM_AIR_KG_S), "SCFM", "scfm"),
    # concentration
    **_aliases(UnitSpec("ppb", 1.0), "ppb", "µg/kg", "μg/kg", "ug/kg", "µg/L", "μg/L", "ug/L", "ug/l"),
    **_aliases(UnitSpec("ppb", 1000.0), "ppm", "mg/kg", "mg/L", "mg/l"),
    # ratios
    **_aliases(UnitSpec("percent", 1.0), "%", "pct", "percent"),
    **_aliases(UnitSpec("fraction", 1.0), "1", "-", "frac", "fraction"),
    # machines
    **_aliases(UnitSpec("rotational_speed", 1.0), "rpm", "RPM", "1/min", "r/min"),
    **_aliases(UnitSpec("frequency", 1.0), "Hz"),
    **_aliases(UnitSpec("power", 1.0), "W"),
    **_aliases(UnitSpec("power", c.KW_W), "kW"),
    **_aliases(UnitSpec("power", c.MW_W), "MW", "MWe"),
    **_aliases(UnitSpec("power", c.HP_W), "hp", "HP"),
    # geometry and velocity
    **_aliases(UnitSpec("velocity", 1.0), "m/s"),
    **_aliases(UnitSpec("velocity", c.FT_M), "ft/s", "fps"),
    **_aliases(UnitSpec("length", 1.0), "m"),
    **_aliases(UnitSpec("length", c.FT_M), "ft"),
    **_aliases(UnitSpec("length", c.MM_M), "mm"),
    **_aliases(UnitSpec("length", c.INCH_M), "in"),
}
_UNITS_NOSPACE = {k.replace(" ", ""): v for k, v in UNITS.items()}

#: Tool quantity kind (condensync_tools.units.KINDS) → the unit dimension it accepts.
KIND_DIMENSION: dict[str, str] = {
    "temperature": "temperature",
    "temperature_difference": "temperature",
    "pressure": "pressure",
    "pressure_gauge": "pressure_gauge",
    "pressure_rate": "pressure_rate",
    "volumetric_flow": "volumetric_flow",
    "mass_flow": "mass_flow",
    "steam_flow": "mass_flow",
    "air_flow": "mass_flow",
    "ppb": "ppb",
    "percent": "percent",
    "fraction": "fraction",
    "power_mw": "power",
    "power_kw": "power",
    "heat_rate": "power",
    "velocity": "velocity",
    "length": "length",
    "head": "length",
    "tube_diameter": "length",
}
#: Compatible dimension pairs with an extra factor (unit dimension, kind dimension) → factor.
_CROSS = {("percent", "fraction"): 0.01, ("fraction", "percent"): 100.0}


class UnitError(ValueError):
    """A unit string that cannot be converted, or that does not fit the field it feeds."""


def unit_spec(unit: str) -> UnitSpec | None:
    """The conversion of ``unit`` (spaces ignored), or None when unknown."""
    unit = unit.strip()
    return UNITS.get(unit) or _UNITS_NOSPACE.get(unit.replace(" ", ""))


def _known_units_hint() -> str:
    return (
        "°C/degC, °F/degF, K, Pa, kPa, kPa(a), MPa, bar, mbar, psia, inHg, inHgA, mmHg, gpm, m3/h, m3/s, "
        "L/s, kg/s, kg/h, lb/h, klb/h, t/h, SCFM, ppb, ppm, %, rpm, kW, MW (gauge: kPag, psig, inHgV)"
    )


def to_si_unit(value: float, unit: str, *, kind: str | None = None, tag: str = "") -> float:
    """Convert ``value`` in ``unit`` to SI base units (K, Pa, m³/s, kg/s, W, ...).

    Parameters
    ----------
    value : float
        Value in ``unit``.
    unit : str
        Engineering-unit string as the source delivers it, e.g. ``"degF"``, ``"inHgA"``.
    kind : str, optional
        Quantity kind of the tool field it feeds (``temperature``, ``temperature_difference``,
        ``pressure``...). A temperature *difference* converts without offset; a unit of another
        dimension is an error; ``%`` feeding a fraction is divided by 100.
    tag : str
        Tag named in errors.

    Returns
    -------
    float
        Value in SI base units of the kind (or of the unit's dimension without a kind).

    Raises
    ------
    UnitError
        Unknown unit, or a unit whose dimension does not fit ``kind``.
    """
    spec = unit_spec(unit)
    where = f"tag {tag} " if tag else ""
    if spec is None:
        raise UnitError(
            f"{where}has unit {unit!r}, which CONDENSYNC cannot convert to SI; use one of {_known_units_hint()}"
        )
    factor = spec.factor
    offset = spec.offset
    if kind is not None and kind in KIND_DIMENSION:
        want = KIND_DIMENSION[kind]
        if spec.dimension != want:
            cross = _CROSS.get((spec.dimension, want))
            if cross is None:
                raise UnitError(
                    f"{where}has unit {unit!r} ({spec.dimension.replace('_', ' ')}), but the field it "
                    f"feeds is a {kind.replace('_', ' ')}: check the tag's unit or its name"
                )
            factor *= cross
        if kind == "temperature_difference":
            offset = 0.0
    return value * factor + offset


def from_si_unit(value_si: float, unit: str) -> float:
    """Inverse of :func:`to_si_unit` without a kind: SI base value → ``unit``.

    Raises
    ------
    UnitError
        Unknown unit.
    """
    spec = unit_spec(unit)
    if spec is None:
        raise UnitError(f"unit {unit!r} is unknown; use one of {_known_units_hint()}")
    return (value_si - spec.offset) / spec.factor


_DIMENSION_KIND = {
    "temperature": "temperature",
    "pressure": "pressure",
    "pressure_rate": "pressure_rate",
    "volumetric_flow": "volumetric_flow",
    "mass_flow": "mass_flow",
    "ppb": "ppb",
    "percent": "percent",
    "fraction": "fraction",
    "velocity": "velocity",
    "length": "length",
}  # gauge pressures other than tool fields (pump discharge) stay in their own unit


def display_kind(name: str, unit: str, kinds: Mapping[str, str]) -> str | None:
    """The quantity kind a value is reported in: the tool field's kind, else one that fits its
    unit's dimension (power in MW, or kW for kW tags), else None (reported in its own unit)."""
    if name in kinds:
        return kinds[name]
    spec = unit_spec(unit)
    if spec is None:
        return None
    if spec.dimension == "power":
        return "power_kw" if unit.strip() == "kW" else "power_mw"
    return _DIMENSION_KIND.get(spec.dimension)
