# SPDX-License-Identifier: MIT
"""Tool ``detect_air_inleakage``: a scored air in-leakage diagnosis from whichever indicators
the caller has (dissolved oxygen, subcooling, off-gas flow, vacuum decay, air-line
temperature, unexplained backpressure).

Calls :func:`condensync_tools.calculators.air_inleakage.detect_air_inleakage`; see that
module for the bands, weights, score, confidence and the in-leakage estimate.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ..calculators.air_inleakage import DO_LIMITS_PPB, detect_air_inleakage
from ..calculators.water import saturation_temperature
from ..registry import ToolCall, ToolDefinition, ToolOutput, register
from .common import CALCULATOR_NOTE, C, ToolInput, ToolResult, quantity, summary_number
from .shared_inputs import (
    PRESSURE_RANGE,
    CommonFields,
    RecommendationItem,
    TurbineFields,
    measured_pressure,
    recommendation_items,
    renamed_fields,
    turbine_from,
)

__all__ = [
    "AirInleakageInput",
    "AirInleakageFields",
    "AirInleakageOutput",
    "TOOL",
    "LIVE_FIELDS",
    "INDICATOR_FIELDS",
    "UNIT_TYPES",
]

LIVE_FIELDS = (
    "condenser_pressure",
    "hotwell_temp",
    "dissolved_oxygen_ppb",
    "air_removal_flow",
    "air_extraction_temp",
)
#: Arguments that are air in-leakage indicators (at least one is needed for a diagnosis).
INDICATOR_FIELDS = (
    "dissolved_oxygen_ppb",
    "hotwell_temp",
    "air_removal_flow",
    "vacuum_decay_rate",
    "air_extraction_temp",
    "unexplained_backpressure",
)
UNIT_TYPES = tuple(DO_LIMITS_PPB)
UnitType = Literal[UNIT_TYPES]  # type: ignore[valid-type]
STEAM_TEMP_RANGE = (5.0 + C, 80.0 + C)
#: Hotwell and air-line temperatures sit a few degrees below saturation: 10-75 °C (50-167 °F).
CONDENSATE_TEMP_RANGE = (10.0 + C, 75.0 + C)
#: Quantity kind of each indicator value (thresholds in the same kind), for caller units.
_INDICATOR_KINDS = {
    "dissolved_oxygen_ppb": "ppb",
    "subcooling": "temperature_difference",
    "vacuum_decay_rate": "pressure_rate",
    "air_extraction_temp_depression": "temperature_difference",
    "unexplained_backpressure": "pressure_difference",
}


class AirInleakageFields(ToolInput):
    """Air in-leakage indicator fields (shared with analyze_condenser_performance)."""

    unit_type: UnitType = Field(
        "drum_avt",
        description="Unit type for the dissolved-oxygen limit: drum_avt "
        "(fossil drum, AVT, 10 ppb), once_through (10 ppb), pwr (10 ppb), bwr (200 ppb), "
        "hei_guarantee (HEI 0.005 cm³/L = 7.145 ppb) [1]",
    )
    dissolved_oxygen_ppb: quantity("ppb", "Condensate pump discharge dissolved oxygen", ge=0) = None
    do_limit_ppb: quantity("ppb", "Dissolved-oxygen limit overriding the unit_type default", gt=0) = None
    hotwell_temp: quantity(
        "temperature",
        "Hotwell condensate temperature (subcooling = T_sat(condenser_pressure) − hotwell_temp)",
        plausible=CONDENSATE_TEMP_RANGE,
    ) = None
    subcooling_baseline: quantity(
        "temperature_difference",
        "The unit's clean condensate subcooling; default 0",
        ge=0,
        plausible=(0.0, 15.0),
    ) = None
    air_removal_flow: quantity(
        "air_flow",
        "Measured dry-air off-gas flow at the vacuum pump / SJAE discharge (all shells)",
        ge=0,
        plausible=(0.0, 0.5),
    ) = None
    venting_capacity: quantity(
        "air_flow",
        "Air-removal (venting) capacity of the installed equipment (HEI §6.5 "
        "values are not public: from your design data); without it the off-gas flow is "
        "judged per shell by an unverified SCFM rule",
        gt=0,
        plausible=(1e-5, 1.0),
    ) = None
    shell_count: int = Field(
        1, ge=1, le=8, description="Condenser shells, for the per-shell off-gas rule [1]"
    )
    vacuum_decay_rate: quantity(
        "pressure_rate",
        "Pressure rise rate in a vacuum-decay test (air extraction "
        "isolated, stable load, read every minute for 5 minutes)",
        ge=0,
        plausible=(0.0, 120.0),
    ) = None
    steam_space_volume: quantity(
        "volume",
        "Condenser steam-space volume, for the in-leakage estimate from the decay rate",
        gt=0,
        plausible=(1.0, 50_000.0),
    ) = None
    steam_space_temp: quantity(
        "temperature",
        "Steam-space temperature during the decay test; default: T_sat at condenser_pressure",
        plausible=STEAM_TEMP_RANGE,
    ) = None
    air_extraction_temp: quantity(
        "temperature",
        "Air-extraction (off-gas) line temperature at the condenser outlet",
        plausible=CONDENSATE_TEMP_RANGE,
    ) = None
    air_extraction_depression_baseline: quantity(
        "temperature_difference",
        "Clean-unit depression T_sat − air_extraction_temp; without it absolute bands are used",
        ge=0,
        plausible=(0.0, 30.0),
    ) = None
    unexplained_backpressure: quantity(
        "pressure_difference",
        "Backpressure not explained by fouling, CW "
        "temperature or flow (deviation_unexplained of optimize_vacuum_pressure with "
        "an independent cleanliness)",
        plausible=(-3000.0, 20_000.0),
    ) = None


class AirInleakageInput(CommonFields, AirInleakageFields, TurbineFields):
    condenser_pressure: quantity(
        "pressure",
        "Condenser shell absolute pressure (saturation temperature for "
        "subcooling and the air-line depression); alternative: vacuum_gauge with "
        "barometric_pressure",
        plausible=PRESSURE_RANGE,
        gt=0,
    ) = None
    vacuum_gauge: quantity(
        "pressure_gauge",
        "Condenser vacuum as a gauge reading instead of condenser_pressure; needs barometric_pressure",
        plausible=(0.0, 110_000.0),
        ge=0,
    ) = None
    barometric_pressure: quantity(
        "pressure",
        "Barometric (atmospheric) pressure, absolute, for vacuum_gauge",
        plausible=(60_000.0, 110_000.0),
        gt=0,
    ) = None


class IndicatorItem(BaseModel):
    name: str = Field(
        description="Indicator id: dissolved_oxygen_ppb, subcooling (above baseline), "
        "air_removal_flow, vacuum_decay_rate, air_extraction_temp_depression, unexplained_backpressure"
    )
    value: float = Field(description="Indicator value in `unit`")
    unit: str = Field(description="Unit of value and the thresholds (caller's unit system)")
    threshold: float = Field(description="Lower edge of 'marginal' (the alarm threshold), in `unit`")
    threshold_high: float = Field(description="Lower edge of 'high', in `unit`")
    threshold_severe: float = Field(description="Lower edge of 'severe', in `unit`")
    status: Literal["normal", "marginal", "high", "severe"] = Field(description="Band of the value")
    score: float = Field(description="Band score: normal 0, marginal 1/3, high 2/3, severe 1 [1]")
    weight: float = Field(description="Diagnostic weight of the indicator [1]")
    basis: str = Field(description="Source of the thresholds and their trust")


class AirInleakageOutput(ToolResult):
    leak_detected: bool = Field(
        description="Air in-leakage indicated (weighted score ≥ 0.30 or a direct indicator at least 'high')"
    )
    severity: Literal["none", "low", "moderate", "high", "severe"] = Field(
        description="Severity from the evidence level"
    )
    confidence: float = Field(
        description="Confidence of the verdict, 0-1: agreement of the indicators × "
        "coverage of the indicator set [1]"
    )
    score: float = Field(description="Weighted indicator score S, 0-1 [1]")
    evidence: float = Field(description="Evidence level E = max(S, strongest direct indicator), 0-1 [1]")
    estimated_inleakage: quantity(
        "air_flow",
        "Estimated dry-air in-leakage: the measured off-gas flow, else "
        "from the decay rate and steam-space volume (order of magnitude)",
    ) = None
    estimated_inleakage_basis: str = Field(None, description="How estimated_inleakage was obtained")
    saturation_temp: quantity("temperature", "Saturation temperature at the condenser pressure") = None
    subcooling: quantity("temperature_difference", "Condensate subcooling T_sat − hotwell_temp") = None
    indicators: list[IndicatorItem] = Field(
        description="Each indicator given, with value, thresholds, status and weight"
    )
    likely_location: Literal["none", "above_water_line", "below_water_line", "both"] = Field(
        description="Likely leak location relative to the hotwell water line"
    )
    location_reason: str = Field(description="Why that location")
    recommendations: list[RecommendationItem] = Field(
        description="Recommended actions, most valuable first "
        "(valued only through the unexplained backpressure)"
    )


def indicator_item(call: ToolCall, ind) -> dict:
    """An indicator in the caller's units (the calculator works in SI)."""
    if ind.name == "air_removal_flow":
        per_capacity = ind.unit.startswith("fraction")
        kind = "fraction" if per_capacity else "air_flow"
        unit = "fraction of venting capacity" if per_capacity else f"{call.unit('air_flow')} per shell"
    else:
        kind = _INDICATOR_KINDS[ind.name]
        unit = call.unit(kind)
    conv = lambda v: call.to_caller(kind, v)  # noqa: E731
    lo, hi, severe = ind.thresholds
    return {
        "name": ind.name,
        "value": conv(ind.value),
        "unit": unit,
        "threshold": conv(lo),
        "threshold_high": conv(hi),
        "threshold_severe": conv(severe),
        "status": ind.status,
        "score": ind.score,
        "weight": ind.weight,
        "basis": ind.source,
    }


def handle(call: ToolCall) -> ToolOutput:
    si = call.si
    p = measured_pressure(call)
    turbine, warnings = turbine_from(call)
    with renamed_fields():
        r = detect_air_inleakage(
            unit_type=si["unit_type"],
            dissolved_oxygen_ppb=si.get("dissolved_oxygen_ppb"),
            do_limit_ppb=si.get("do_limit_ppb"),
            condenser_pressure=p,
            hotwell_temp=si.get("hotwell_temp"),
            subcooling_baseline=si.get("subcooling_baseline"),
            air_removal_flow=si.get("air_removal_flow"),
            venting_capacity=si.get("venting_capacity"),
            shell_count=si["shell_count"],
            vacuum_decay_rate=si.get("vacuum_decay_rate"),
            steam_space_volume=si.get("steam_space_volume"),
            steam_space_temp=si.get("steam_space_temp"),
            air_extraction_temp=si.get("air_extraction_temp"),
            air_extraction_depression_baseline=si.get("air_extraction_depression_baseline"),
            unexplained_backpressure=si.get("unexplained_backpressure"),
            turbine=turbine,
            power_price_usd_per_mwh=si.get("power_price_usd_per_mwh"),
        )
    t_sat = saturation_temperature(p) if p is not None else None
    subcooling = (
        max(t_sat - si["hotwell_temp"], 0.0) if t_sat is not None and call.has("hotwell_temp") else None
    )
    if turbine is not None and not call.has("unexplained_backpressure"):
        warnings.append(
            "the turbine curve values only the unexplained backpressure: pass unexplained_backpressure "
            "(from optimize_vacuum_pressure) to value the leak"
        )
    values = {
        "leak_detected": bool(r.leak_detected),
        "severity": r.severity,
        "confidence": r.confidence,
        "score": r.score,
        "evidence": r.evidence,
        "estimated_inleakage": r.estimated_inleakage,
        "estimated_inleakage_basis": r.estimated_inleakage_basis,
        "saturation_temp": t_sat,
        "subcooling": subcooling,
        "indicators": [indicator_item(call, i) for i in r.indicators],
        "likely_location": r.likely_location,
        "location_reason": r.location_reason,
        # valued actions first; otherwise the calculator's order (most direct check first)
        "recommendations": recommendation_items(sorted(r.recommendations, key=lambda a: -a.value_w)),
    }
    warnings.extend(w for w in r.warnings if w not in warnings)
    text = (
        f"Air in-leakage {'DETECTED' if r.leak_detected else 'not detected'}: severity {r.severity}, "
        f"confidence {r.confidence:.2f}, {len(r.indicators)} indicator(s)"
    )
    if r.leak_detected:
        text += f", likely {r.likely_location.replace('_', ' ')}"
    if r.estimated_inleakage is not None:
        text += (
            f"; estimated in-leakage "
            f"{summary_number(call.to_caller('air_flow', r.estimated_inleakage), call.unit('air_flow'))}"
        )
    return ToolOutput(values=values, method=dict(r.method), warnings=warnings, summary=text)


TOOL = register(
    ToolDefinition(
        name="detect_air_inleakage",
        title="Condenser air in-leakage diagnosis from the indicators available",
        description=(
            "Scored air in-leakage diagnosis for a steam surface condenser from any subset of indicators "
            "(all optional): condensate dissolved_oxygen_ppb vs the unit_type limit; subcooling from "
            "hotwell_temp and condenser_pressure vs subcooling_baseline; off-gas air_removal_flow vs "
            "venting_capacity; vacuum-decay rate (< 0.03 inHg/min tight, ≥ 0.12 excessive) with "
            "steam_space_volume for an in-leakage estimate; air-extraction line temperature depression; "
            "unexplained backpressure from optimize_vacuum_pressure. Returns leak_detected, severity, "
            "confidence, estimated_inleakage, each indicator with value, threshold, status and weight, the "
            "likely location (above or below the hotwell water line) and recommended actions. "
            + CALCULATOR_NOTE
        ),
        version="1.0.0",
        input_model=AirInleakageInput,
        output_model=AirInleakageOutput,
        quick=True,
        handler=handle,
        live_fields=LIVE_FIELDS,
    )
)
