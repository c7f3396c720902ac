# SPDX-License-Identifier: MIT
"""Field declarations and helpers shared by the vacuum, air in-leakage, fouling, CW-flow and
performance tools, so each field is declared once (same name, kind, range and description in
every tool that takes it).

Field groups are pydantic mixins (:class:`CommonFields`, :class:`SnapshotFields`,
:class:`TubeFields`, :class:`DutyFields`, :class:`DesignPointFields`,
:class:`TurbineFields`); a tool's input model inherits the groups it needs plus its own
fields. Every unit-bearing field defaults to ``None`` (the schema generator drops null
defaults) and the handler applies an SI default, so no default depends on the unit system.
"""

from __future__ import annotations

import dataclasses
import math
from contextlib import contextmanager
from typing import Annotated, Any, Iterable, Iterator, Literal

from pydantic import BaseModel, Field

from ..calculators.constants import INHG_PA
from ..calculators.economics import Action
from ..calculators.errors import CalculationError
from ..calculators.messages import Text
from ..calculators.turbine import TurbineCurve, generic_curve, turbine_curve
from ..calculators.vacuum import CondenserModel, OperatingState, condenser_model, resolve_operating_state
from ..errors import Implausible, InvalidArguments
from ..registry import ToolCall
from ..validation import implausible_problem
from .common import CondenserIdField, DataSourceField, ToolInput, UnitSystemField, quantity
from .heat_transfer import (
    CW_TEMP_RANGE,
    PRESSURE_RANGE,
    TUBE_MATERIALS,
    WATER_TYPES,
    CleanUMethodField,
    HeiEditionField,
    HeiFmField,
    HeiFwField,
    PluggedTubesField,
    SalinityField,
    SurfaceAreaField,
    TubeCountField,
    TubeGaugeField,
    TubeLengthField,
    TubePassesField,
)

__all__ = [
    "WATER_TYPES",
    "CW_TEMP_RANGE",
    "PRESSURE_RANGE",
    "CW_FLOW_RANGE",
    "HEAT_DUTY_RANGE",
    "STEAM_FLOW_RANGE",
    "CommonFields",
    "SnapshotFields",
    "TubeFields",
    "DutyFields",
    "DesignPointFields",
    "TurbineFields",
    "RecommendationItem",
    "renamed_fields",
    "require",
    "measured_pressure",
    "condenser_from",
    "turbine_from",
    "operating_state",
    "recommendation_items",
    "drop_none",
    "finite",
    "COMMON_FIELD_NAMES",
]

#: Water types: property classes (fresh, brackish, sea) and the TEMA RGP-T-2.4 categories.
WaterType = Literal[WATER_TYPES]  # type: ignore[valid-type]
TubeMaterial = Literal[TUBE_MATERIALS]  # type: ignore[valid-type]
#: Sane plant ranges in SI base units.
CW_FLOW_RANGE = (0.005, 60.0)  # m³/s: 80 gpm - 950,000 gpm
HEAT_DUTY_RANGE = (1.0e6, 5.0e9)  # W
STEAM_FLOW_RANGE = (0.5, 2000.0)  # kg/s
RATED_OUTPUT_RANGE = (1.0e6, 2.0e9)  # W


# --------------------------------------------------------------------------- field groups
class CommonFields(ToolInput):
    unit_system: UnitSystemField = "US"
    condenser_id: CondenserIdField = ""
    data_source: DataSourceField = "supplied"


class SnapshotFields(ToolInput):
    cw_inlet_temp: quantity("temperature", "Cooling-water inlet temperature", plausible=CW_TEMP_RANGE) = None
    cw_outlet_temp: quantity(
        "temperature",
        "Cooling-water outlet temperature, mixed mean (gives the CW-side heat "
        "duty, and with condenser_pressure the measured cleanliness)",
        plausible=CW_TEMP_RANGE,
    ) = None
    cw_flow: quantity(
        "volumetric_flow",
        "Cooling-water volumetric flow through the condenser (total, all pumps)",
        plausible=CW_FLOW_RANGE,
        gt=0,
    ) = None
    condenser_pressure: quantity(
        "pressure",
        "Measured condenser shell absolute pressure (backpressure); alternative: vacuum_gauge with barometric_pressure",
        plausible=PRESSURE_RANGE,
        gt=0,
    ) = None
    vacuum_gauge: quantity(
        "pressure_gauge",
        "Condenser vacuum as a gauge reading (below atmosphere) instead of "
        "condenser_pressure; needs barometric_pressure",
        plausible=(0.0, 110_000.0),
        ge=0,
    ) = None
    barometric_pressure: quantity(
        "pressure",
        "Barometric (atmospheric) pressure, absolute, for vacuum_gauge",
        plausible=(60_000.0, 110_000.0),
        gt=0,
    ) = None


class TubeFields(ToolInput):
    surface_area: SurfaceAreaField = None
    tube_od: quantity("tube_diameter", "Tube outside diameter (an HEI tabulated OD)", plausible=(0.008, 0.06), gt=0) = (
        None
    )
    tube_gauge_bwg: TubeGaugeField = 18
    tube_material: TubeMaterial = Field(
        "admiralty",
        description="Tube material (HEI Fm, wall conductivity, "
        "default target cleanliness and velocity limit) [1]; default admiralty",
    )
    tube_count: TubeCountField = None
    plugged_tubes: PluggedTubesField = 0
    tube_passes: TubePassesField = 1
    tube_length: TubeLengthField = None
    water_type: WaterType = Field(
        "fresh",
        description="Cooling-water type: 'fresh', 'brackish', 'sea' or a "
        "TEMA RGP-T-2.4 category (cooling_tower_treated, river_average, ...); sets "
        "density and heat capacity (IF97 fresh, IAPWS-08 saline) [1]",
    )
    salinity: SalinityField = None
    clean_u_method: CleanUMethodField = "hei"
    hei_edition: HeiEditionField = "hei_9th_10th"
    hei_fw: HeiFwField = None
    hei_fm: HeiFmField = None
    bank_rows: int = Field(
        10,
        ge=1,
        le=200,
        description="Effective condensing rows for the first-principles shell-side factor N^-1/6 [1]",
    )


class DutyFields(ToolInput):
    heat_duty: quantity(
        "heat_rate",
        "Heat rejected to the cooling water; default: CW side from cw_outlet_temp, else steam_flow × 950 Btu/lb (HEI)",
        plausible=HEAT_DUTY_RANGE,
        gt=0,
    ) = None
    steam_flow: quantity(
        "steam_flow",
        "Exhaust steam flow to the condenser (duty = steam_flow × steam_heat_"
        "release when neither heat_duty nor cw_outlet_temp is given)",
        plausible=STEAM_FLOW_RANGE,
        gt=0,
    ) = None
    steam_heat_release: quantity(
        "latent_heat",
        "Heat released per unit of exhaust steam for a steam-flow duty; "
        "default 950 Btu/lb (HEI 9th ed. def. 2.5, turbine service)",
        plausible=(1.5e6, 2.6e6),
        gt=0,
    ) = None
    cleanliness_factor: float = Field(
        None,
        gt=0,
        le=1.5,
        description="Current cleanliness factor U/U_clean "
        "(a fraction, not %), e.g. from a trend or a post-cleaning test; default: "
        "measured on the snapshot (cw_outlet_temp + condenser_pressure) [1]",
    )
    target_cleanliness: float = Field(
        None,
        gt=0,
        le=1.5,
        description="Target (design) cleanliness factor; default 0.85 copper alloys, 0.90 titanium and stainless [1]",
    )


class DesignPointFields(ToolInput):
    design_cw_inlet_temp: quantity(
        "temperature",
        "Design CW inlet temperature (reference state for the deviation split and design correction)",
        plausible=CW_TEMP_RANGE,
    ) = None
    design_cw_flow: quantity("volumetric_flow", "Design CW flow (total)", plausible=CW_FLOW_RANGE, gt=0) = None
    design_heat_duty: quantity("heat_rate", "Design heat duty", plausible=HEAT_DUTY_RANGE, gt=0) = None
    design_backpressure: quantity(
        "pressure",
        "Design (guaranteed) backpressure at the design point, compared with the design-corrected backpressure",
        plausible=PRESSURE_RANGE,
        gt=0,
    ) = None


class TurbineFields(ToolInput):
    turbine_curve_pressure: quantity(
        "pressure",
        "Turbine exhaust-pressure correction curve: backpressures, strictly increasing, paired with "
        "turbine_curve_output_change; default: the GENERIC illustrative curve scaled to rated_output_mw",
        tp=list[Annotated[float, Field(gt=0)]],
        min_length=2,
        max_length=60,
    ) = None
    turbine_curve_output_change: list[float] = Field(
        None,
        min_length=2,
        max_length=60,
        description="Output change at each turbine_curve_pressure relative to the output at the design "
        "backpressure (negative = output lost), as a fraction of rated_output_mw or in MW per "
        "turbine_curve_kind [1 | MW]",
    )
    turbine_curve_kind: Literal["fraction", "mw"] = Field(
        "fraction",
        description="Meaning of turbine_curve_output_change: 'fraction' of rated_output_mw, or 'mw' [1]",
    )
    turbine_choke_pressure: quantity(
        "pressure",
        "Turbine choke point: no output gain below it; default: the lowest curve pressure (generic curve: 1.2 inHgA)",
        plausible=PRESSURE_RANGE,
        gt=0,
    ) = None
    rated_output_mw: quantity(
        "power_mw",
        "Rated gross generator output (scales a fractional curve or the generic curve)",
        plausible=RATED_OUTPUT_RANGE,
        gt=0,
    ) = None
    power_price_usd_per_mwh: quantity(
        "price_usd_per_mwh", "Electricity price for valuing output and auxiliary power", ge=0, le=10_000
    ) = None


class RecommendationItem(BaseModel):
    rank: int = Field(description="Rank by value, 1 = most valuable [1]")
    action: str = Field(description="Stable action id, e.g. clean_tubes, find_air_inleakage")
    reason: str = Field(description="What to do and why, in plain words")
    value_mw: quantity("power_mw", "Output recoverable by the action (0 when not valued or not controllable)")
    value_usd_per_day: quantity(
        "money_usd_per_day", "Value of value_mw at power_price_usd_per_mwh (omitted without a price)"
    ) = None
    source: str = Field(description="Tool or calculator that proposed the action")


# --------------------------------------------------------------------------- helpers
#: Calculator field names → tool argument names (for errors raised inside calculators).
COMMON_FIELD_NAMES = {
    "turbine_curve": "turbine_curve_output_change",
    "choke_pressure": "turbine_choke_pressure",
    "rated_output": "rated_output_mw",
}


@contextmanager
def renamed_fields(mapping: dict[str, str] | None = None) -> Iterator[None]:
    """Re-raise a calculator error with its field renamed to the tool argument it came from."""
    names = {**COMMON_FIELD_NAMES, **(mapping or {})}
    try:
        yield
    except CalculationError as exc:
        if exc.field in names:
            raise type(exc)(names[exc.field], exc.reason, exc.cause) from None
        raise


def require(call: ToolCall, rules: Iterable[str | tuple[str, ...]], why: str) -> None:
    """Raise :class:`InvalidArguments` naming every missing field (a name or a tuple of
    alternatives), in the registry's "required" wording."""
    problems = []
    for rule in rules:
        names = (rule,) if isinstance(rule, str) else tuple(rule)
        if any(call.has(n) for n in names):
            continue
        alt = f" (or {' / '.join(names[1:])})" if len(names) > 1 else ""
        problems.append(f"$.{names[0]}: required{alt} {why}, got nothing")
    if problems:
        raise InvalidArguments(problems, call.tool.name)


def measured_pressure(call: ToolCall) -> float | None:
    """Measured absolute condenser pressure [Pa] from condenser_pressure, or vacuum_gauge with
    barometric_pressure; None when neither is given."""
    if call.has("condenser_pressure"):
        return call.si["condenser_pressure"]
    if call.has("vacuum_gauge"):
        require(call, ["barometric_pressure"], "to turn vacuum_gauge into an absolute pressure")
        p = call.si["barometric_pressure"] - call.si["vacuum_gauge"]
        if p <= 0.0:
            from ..calculators.errors import DomainError

            raise DomainError(
                "vacuum_gauge",
                "vacuum exceeds the barometric pressure (absolute pressure ≤ 0)",
                "vacuum and barometer in different units, or the barometer is wrong",
            )
        return p
    return None


#: The tube fields :func:`condenser_from` needs (registry rule form): tools that always build
#: the condenser model list them in ``required_always`` so that they are named with every
#: other missing field in one answer.
TUBE_DATA_RULES: tuple = ("tube_od", "tube_count", ("surface_area", "tube_length"))


def condenser_from(call: ToolCall) -> CondenserModel:
    """The condenser model (tube bundle, surface, clean-U options) from the tube fields."""
    require(call, TUBE_DATA_RULES, "(tube data for the tube velocity and the clean U)")
    si = call.si
    with renamed_fields():
        return condenser_model(
            si["tube_od"],
            si["tube_gauge_bwg"],
            si["tube_count"],
            si["tube_material"],
            si["tube_passes"],
            si.get("tube_length") or 0.0,
            si.get("surface_area") or 0.0,
            si["plugged_tubes"],
            si["water_type"],
            si.get("salinity"),
            si["clean_u_method"],
            si["hei_edition"],
            si.get("hei_fw") or 0.0,
            si.get("hei_fm") or 0.0,
            si["bank_rows"],
        )


def turbine_from(call: ToolCall) -> tuple[TurbineCurve | None, list[str]]:
    """The turbine correction curve: the caller's table (:func:`_callers_turbine`), else the
    GENERIC curve scaled to rated_output_mw (:func:`_generic_turbine`, marked generic in its
    method), else None. Returns (curve, warnings)."""
    si = call.si
    pressures, changes = si.get("turbine_curve_pressure"), si.get("turbine_curve_output_change")
    rated, choke = si.get("rated_output_mw"), si.get("turbine_choke_pressure")
    if pressures is None and changes is None:
        return (None, []) if rated is None else _generic_turbine(rated, choke)
    return _callers_turbine(call, pressures, changes, rated, choke)


def _generic_turbine(rated: float, choke: float | None) -> tuple[TurbineCurve, list[str]]:
    """The GENERIC curve scaled to ``rated`` [W], with the caller's choke point [Pa] when given
    (inside the curve's range), and the warning that it is illustrative."""
    curve = generic_curve(rated)
    if choke is not None:
        if not (curve.pressures[0] <= choke <= curve.pressures[-1]):
            from ..calculators.errors import DomainError

            raise DomainError(
                "turbine_choke_pressure",
                Text(
                    "the choke point must lie inside the generic curve's range {lo}-{hi}",
                    lo=("pressure", curve.pressures[0], 4),
                    hi=("pressure", curve.pressures[-1], 4),
                ),
                "choke point in the wrong unit",
            )
        curve = dataclasses.replace(
            curve,
            choke_pressure=choke,
            method={
                **curve.method,
                "turbine_choke": "caller's choke point on the generic curve; no output gain below "
                "it (docs/methods.md §6, pitfall 15)",
            },
        )
    warning = Text(
        "no turbine correction curve given: the GENERIC illustrative curve (about 1 % of rated "
        "output per {step} near {design}, choke {choke}) is used; pass the unit's own "
        "turbine_curve_pressure/turbine_curve_output_change for decisions",
        step=("pressure_difference", INHG_PA, 3),
        design=("pressure", 2.0 * INHG_PA, 3),
        choke=("pressure", 1.2 * INHG_PA, 3),
    )
    return curve, [warning]


def _callers_turbine(
    call: ToolCall, pressures: list | None, changes: list | None, rated: float | None, choke: float | None
) -> tuple[TurbineCurve, list[str]]:
    """The caller's curve (:func:`_check_callers_curve`, then the calculator's checks under the
    tool's field names); without a choke point the lowest curve pressure (warned)."""
    require(call, ["turbine_curve_pressure", "turbine_curve_output_change"], "(the curve is a pair of arrays)")
    kind = call.si["turbine_curve_kind"]
    _check_callers_curve(call, pressures, changes, kind)
    warnings: list[str] = []
    if choke is None:
        choke = pressures[0]
        warnings.append(
            "turbine_choke_pressure not given: the lowest curve pressure is taken as the choke point "
            "(no output gain credited below it)"
        )
    with renamed_fields():
        curve = turbine_curve(
            pressures,
            [v * (1e6 if kind == "mw" else 1.0) for v in changes],
            choke,
            rated or 0.0,
            "power" if kind == "mw" else "fraction",
            0.0,
            "caller",
            "supplied by the caller",
        )
    return curve, warnings


def _check_callers_curve(call: ToolCall, pressures: list, changes: list, kind: str) -> None:
    """Argument problems of a caller's curve, named by array index: lengths differ, implausible
    pressures, pressures not strictly increasing; for fractions a rated output and |x| ≤ 0.5."""
    if len(pressures) != len(changes):
        raise InvalidArguments(
            [
                f"$.turbine_curve_output_change: expected {len(pressures)} values (one per "
                f"turbine_curve_pressure), got an array of {len(changes)} items"
            ],
            call.tool.name,
        )
    problems = [
        implausible_problem(f"$.turbine_curve_pressure[{i}]", "pressure", p, *PRESSURE_RANGE, call.unit_system)
        for i, p in enumerate(pressures)
        if not (PRESSURE_RANGE[0] <= p <= PRESSURE_RANGE[1])
    ]
    if problems:
        raise Implausible(problems, call.tool.name)
    for i in range(1, len(pressures)):
        if pressures[i] <= pressures[i - 1]:
            raise InvalidArguments(
                [
                    f"$.turbine_curve_pressure[{i}]: expected a pressure above the previous "
                    f"point (strictly increasing), got {call.args['turbine_curve_pressure'][i]!r}"
                ],
                call.tool.name,
            )
    if kind == "fraction":
        require(call, ["rated_output_mw"], "(turbine_curve_output_change is a fraction of the rated output)")
        if any(abs(v) > 0.5 for v in changes):
            raise InvalidArguments(
                [
                    "$.turbine_curve_output_change: expected fractions of rated output (|x| ≤ "
                    "0.5), got values beyond ±0.5 — if they are MW set turbine_curve_kind to "
                    "'mw'"
                ],
                call.tool.name,
            )


def operating_state(
    call: ToolCall, model: CondenserModel, cleanliness_factor: float, target_cleanliness: float | None
) -> OperatingState:
    """The checked current state (CW inlet temperature, flow, heat duty from heat_duty, else the
    CW side, else steam_flow) of the snapshot fields, at the given cleanliness (SI)."""
    si = call.si
    kwargs = {"steam_heat_release": si["steam_heat_release"]} if call.has("steam_heat_release") else {}
    with renamed_fields():
        return resolve_operating_state(
            model,
            cw_inlet_temp=si["cw_inlet_temp"],
            cw_flow=si["cw_flow"],
            heat_duty=si.get("heat_duty"),
            steam_flow=si.get("steam_flow"),
            cw_outlet_temp=si.get("cw_outlet_temp"),
            cleanliness_factor=cleanliness_factor,
            target_cleanliness=target_cleanliness,
            **kwargs,
        )


def recommendation_items(actions: Iterable[Action]) -> list[dict[str, Any]]:
    """Ranked actions as output items (value in W, the registry converts to MW)."""
    out = []
    for rank, a in enumerate(actions, start=1):
        item = {
            "rank": rank,
            "action": a.action,
            "reason": a.description,
            "value_mw": float(a.value_w),
            "source": a.source,
        }
        if a.value_usd_per_day is not None:
            item["value_usd_per_day"] = float(a.value_usd_per_day)
        out.append(item)
    return out


def drop_none(d: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``d`` without None values (nested output items never carry null)."""
    return {k: v for k, v in d.items() if v is not None}


def finite(x: float | None) -> float | None:
    """``x`` when finite, else None (never let a NaN/Infinity reach an output)."""
    return x if x is not None and math.isfinite(x) else None
