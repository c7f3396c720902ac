# SPDX-License-Identifier: MIT
"""Tool ``detect_air_inleakage``: a scored air in-leakage diagnosis from whichever indicators
the caller has (dissolved oxygen, subcooling, off-gas flow, vacuum decay, air-line
temperature, unexplained backpressure).

Calls :func:`condensync_tools.calculators.air_inleakage.detect_air_inleakage`; see that
module for the bands, weights, score, confidence and the in-leakage estimate. With the CW
snapshot and the tube data (live, or from the plant configuration) the tool works out the
unexplained backpressure itself: measured minus expected at the fouling cleanliness
(:func:`condensync_tools.calculators.air_attribution.attribute_air_and_fouling`), the fouling
cleanliness being the caller's, else the last stored one before the air event, else the design
value (assumed: it then values the air actions but is not scored as evidence).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ..calculators import hei
from ..calculators.air_attribution import (
    FOULING_CF_SOURCES,
    AirAttribution,
    attribute_air_and_fouling,
    cleanliness_before_air_event,
    expected_fouling_cleanliness,
)
from ..calculators.air_inleakage import DO_LIMITS_PPB, AirInleakageInputs, detect_air_inleakage
from ..calculators.water import saturation_temperature
from ..registry import HistoryRecord, ToolCall, ToolDefinition, ToolOutput, register
from .common import CALCULATOR_NOTE, C, ToolInput, ToolResult, quantity, summary_number
from .fouling import parse_timestamp
from .shared_inputs import (
    CommonFields,
    DutyFields,
    RecommendationItem,
    SnapshotFields,
    TubeFields,
    TurbineFields,
    condenser_from,
    measured_pressure,
    operating_state,
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
    "stored_cleanliness_before_air_event",
]

TOOL_NAME = "detect_air_inleakage"
LIVE_FIELDS = (
    "cw_inlet_temp",
    "cw_outlet_temp",
    "cw_flow",
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
    shell_count: int = Field(1, ge=1, le=8, description="Condenser shells, for the per-shell off-gas rule [1]")
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
        "an independent cleanliness); default: worked out from the CW snapshot and tube data when given",
        plausible=(-3000.0, 20_000.0),
    ) = None


class AirInleakageInput(CommonFields, AirInleakageFields, SnapshotFields, TubeFields, DutyFields, TurbineFields):
    cleanliness_factor: float = Field(
        None,
        gt=0,
        le=1.5,
        description="Cleanliness factor fouling alone gives now, independent of this snapshot (fouling "
        "trend, last clean test before the air event), for the unexplained backpressure; default: the "
        "last stored cleanliness before the air event (condenser_id with a store), else "
        "target_cleanliness [1]",
    )
    cleanliness_source: Literal[FOULING_CF_SOURCES] = Field(  # type: ignore[valid-type]
        "caller",
        description="Where cleanliness_factor comes from: caller, fouling_trend, history_before_air_event, "
        "stored_before_air_event, or design_cleanliness (assumed: it values the air actions but the "
        "unexplained backpressure is then not scored as evidence) [1]",
    )


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
        description="Confidence of the verdict, 0-1: agreement of the indicators × coverage of the indicator set [1]"
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
        description="Recommended actions, most valuable first (valued only through the unexplained backpressure)"
    )
    unexplained_backpressure: quantity(
        "pressure_difference",
        "Backpressure not explained by fouling, CW temperature or flow: the caller's, or measured minus "
        "expected_backpressure (the air share)",
    ) = None
    unexplained_backpressure_scored: bool = Field(
        None,
        description="Whether unexplained_backpressure is scored as an indicator (not when it rests on the "
        "assumed design cleanliness)",
    )
    expected_backpressure: quantity(
        "pressure",
        "Backpressure expected at the current CW inlet temperature, flow and duty with the tubes at "
        "fouling_cleanliness_factor (effectiveness/NTU chain)",
    ) = None
    fouling_cleanliness_factor: float = Field(
        None, description="Cleanliness factor of fouling alone used for expected_backpressure [1]"
    )
    fouling_cleanliness_source: str = Field(
        None, description="Where fouling_cleanliness_factor came from (" + ", ".join(FOULING_CF_SOURCES) + ")"
    )
    air_lost_output_mw: quantity(
        "power_mw", "Turbine output lost to the air share (turbine curve between measured and expected)"
    ) = None
    air_cost_usd_per_day: quantity("money_usd_per_day", "Value of air_lost_output_mw") = None


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


def _epoch_s(stamp: str) -> float:
    return parse_timestamp(str(stamp), "stored history timestamp", TOOL_NAME).timestamp()


def stored_cleanliness_before_air_event(call: ToolCall) -> float | None:
    """The last stored cleanliness factor of ``condenser_id`` before the current air event
    (:func:`~condensync_tools.calculators.air_attribution.cleanliness_before_air_event` over the
    stored fouling history and the air diagnoses stored by detect_air_inleakage and
    analyze_condenser_performance); None without a store."""
    condenser_id = call.args.get("condenser_id")
    service = call.context.services.get("history") if condenser_id else None
    if service is None or not hasattr(service, "results"):
        return None
    points = [(_epoch_s(p["timestamp"]), p.get("cleanliness_factor")) for p in service.fouling_history(condenser_id)]
    air = [  # this tool's diagnoses and those of analyses, which ran it as a part
        (_epoch_s(r["timestamp"]), bool((r.get("results") or {}).get("leak_detected")))
        for tool in (TOOL_NAME, "analyze_condenser_performance")
        for r in service.results(condenser_id, tool=tool)
        if (r.get("results") or {}).get("leak_detected") is not None
    ]
    return cleanliness_before_air_event(points, air)


_ATTRIBUTION_NEEDS = ("cw_inlet_temp", "cw_flow", "tube_od", "tube_count")


def _attribution(call: ToolCall, p: float | None, turbine, warnings: list[str]) -> tuple[AirAttribution, str] | None:
    """Air share of the backpressure from the CW snapshot and tube data, or None when they are
    not all given (a warning names what is missing when part of the snapshot is there)."""
    si = call.si
    if call.has("unexplained_backpressure") or p is None:
        return None
    have_duty = any(call.has(n) for n in ("heat_duty", "cw_outlet_temp", "steam_flow"))
    have_area = call.has("surface_area") or call.has("tube_length")
    missing = [n for n in _ATTRIBUTION_NEEDS if not call.has(n)]
    if missing or not have_duty or not have_area:
        if any(call.has(n) for n in ("cw_inlet_temp", "cw_outlet_temp", "cw_flow")):
            warnings.append(
                "unexplained backpressure not worked out: it needs cw_inlet_temp, cw_flow, a heat duty "
                "(heat_duty, cw_outlet_temp or steam_flow) and the tube data (tube_od, tube_count, "
                "tube_length or surface_area)"
            )
        return None
    model = condenser_from(call)
    target = si.get("target_cleanliness") or hei.design_cleanliness_default(si["tube_material"])
    if call.has("cleanliness_factor"):
        cf, source = si["cleanliness_factor"], si["cleanliness_source"]
    else:
        cf, source = expected_fouling_cleanliness(
            design=target, stored_before_air_event=stored_cleanliness_before_air_event(call)
        )
    op = operating_state(call, model, cf, target)
    with renamed_fields():
        attribution = attribute_air_and_fouling(
            model,
            cw_inlet_temp=op.cw_inlet_temp,
            cw_flow=op.cw_flow,
            heat_duty=op.heat_duty,
            measured_backpressure=p,
            fouling_cleanliness=cf,
            target_cleanliness=target,
            turbine=turbine,
            power_price_usd_per_mwh=si.get("power_price_usd_per_mwh"),
        )
    attribution.method["heat_duty"] = op.method["heat_duty"]
    return attribution, source


def handle(call: ToolCall) -> ToolOutput:
    si = call.si
    p = measured_pressure(call)
    turbine, warnings = turbine_from(call)
    found = _attribution(call, p, turbine, warnings)
    attribution, cf_source = found if found is not None else (None, None)
    unexplained = attribution.air_backpressure if attribution else si.get("unexplained_backpressure")
    scored = cf_source != "design_cleanliness"
    with renamed_fields():
        r = detect_air_inleakage(
            AirInleakageInputs(
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
                unexplained_backpressure=unexplained,
                unexplained_backpressure_scored=scored,
                turbine=turbine,
                power_price_usd_per_mwh=si.get("power_price_usd_per_mwh"),
            )
        )
    t_sat = saturation_temperature(p) if p is not None else None
    subcooling = max(t_sat - si["hotwell_temp"], 0.0) if t_sat is not None and call.has("hotwell_temp") else None
    if turbine is not None and unexplained is None:
        warnings.append(
            "the turbine curve values only the unexplained backpressure: pass unexplained_backpressure "
            "(from optimize_vacuum_pressure), or the CW snapshot and tube data, to value the leak"
        )
    if attribution is not None and not scored:
        warnings.append(
            "the unexplained backpressure rests on the design cleanliness (no independent fouling "
            "cleanliness): it values the air actions but is not scored as evidence of air"
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
        "unexplained_backpressure": unexplained,
        "unexplained_backpressure_scored": scored if unexplained is not None else None,
    }
    method = dict(r.method)
    if attribution is not None:
        values.update(
            expected_backpressure=attribution.expected_backpressure,
            fouling_cleanliness_factor=attribution.fouling_cleanliness,
            fouling_cleanliness_source=cf_source,
            air_lost_output_mw=attribution.air_lost_output,
            air_cost_usd_per_day=attribution.air_usd_per_day,
        )
        method.update(attribution.method)
        method["fouling_cleanliness"] = FOULING_CF_TEXT[cf_source]
        warnings.extend(hei.hei_basis_warnings(attribution.hei_basis, si["tube_material"]))
    elif unexplained is not None:
        method["unexplained_backpressure"] = "caller"
    warnings.extend(w for w in r.warnings if w not in warnings)
    return ToolOutput(
        values=values, method=method, warnings=warnings, summary=_summary(call, r, values), history=HistoryRecord()
    )


#: provenance.method text for each fouling-cleanliness source.
FOULING_CF_TEXT = {
    "caller": "caller's independent cleanliness_factor",
    "fouling_trend": "trend of the current cleaning cycle evaluated now (calculate_fouling_factor)",
    "history_before_air_event": "last cleanliness of the supplied history (measured before the air event)",
    "stored_before_air_event": "last stored cleanliness before the current air event (stored results; points "
    "within 1 d before its first detection skipped)",
    "design_cleanliness": "target (design) cleanliness: no independent fouling cleanliness known (assumed)",
}


def _summary(call: ToolCall, r, values: dict) -> str:
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
    if values.get("fouling_cleanliness_source") is not None:
        dp = call.to_caller("pressure_difference", values["unexplained_backpressure"])
        text += (
            f"; unexplained backpressure {summary_number(dp, call.unit('pressure_difference'))} at fouling "
            f"cleanliness {values['fouling_cleanliness_factor']:.3f} ({values['fouling_cleanliness_source']})"
        )
        if values.get("air_lost_output_mw") is not None:
            text += f", worth {values['air_lost_output_mw'] / 1e6:.4g} MW"
    return text


TOOL = register(
    ToolDefinition(
        name=TOOL_NAME,
        title="Condenser air in-leakage diagnosis from the indicators available",
        description=(
            "Scored air in-leakage diagnosis for a steam surface condenser from any subset of indicators "
            "(all optional): condensate dissolved_oxygen_ppb vs the unit_type limit; subcooling from "
            "hotwell_temp and condenser_pressure vs subcooling_baseline; off-gas air_removal_flow vs "
            "venting_capacity; vacuum-decay rate (< 0.03 inHg/min tight, ≥ 0.12 excessive) with "
            "steam_space_volume for an in-leakage estimate; air-extraction line temperature depression; "
            "unexplained backpressure (caller's, or worked out from cw_inlet_temp, cw_flow, a heat duty, "
            "condenser_pressure and the tube data: measured minus expected at the fouling cleanliness — the "
            "caller's independent cleanliness_factor, else the last stored one before the air event, else "
            "the design value, which values the leak but is not scored as evidence). Returns leak_detected, severity, "
            "confidence, estimated_inleakage, each indicator with value, threshold, status and weight, the "
            "likely location (above or below the hotwell water line) and recommended actions. " + CALCULATOR_NOTE
        ),
        version="1.1.2",
        input_model=AirInleakageInput,
        output_model=AirInleakageOutput,
        quick=True,
        handler=handle,
        live_fields=LIVE_FIELDS,
    )
)
