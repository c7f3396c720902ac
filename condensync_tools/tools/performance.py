# SPDX-License-Identifier: MIT
"""Tool ``analyze_condenser_performance``: every applicable tool on one snapshot, the
combined key figures, a 0-100 performance score and the three most valuable actions.

Each part is a full tool call through :func:`condensync_tools.registry.execute` (same unit
system and context, the subset of arguments the part accepts), so each part is validated,
computed and hashed exactly as if called alone; its provenance_hash is embedded. A part whose
inputs are missing is skipped with a note. The score is
:func:`condensync_tools.calculators.performance.performance_score`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import BaseModel, Field

from ..calculators.air_attribution import (
    air_confounded,
    cleaning_due_despite_air,
    expected_fouling_cleanliness,
    fouling_point_to_keep,
    last_cleanliness_since,
)
from ..calculators.constants import INHG_PA
from ..calculators.economics import Action
from ..calculators.fouling import salinity_class
from ..calculators.hei import design_cleanliness_default
from ..calculators.performance import (
    BACKPRESSURE_SCALE_PA,
    CF_SPAN,
    GRADES,
    SCORE_WEIGHTS,
    TREND_HORIZON_DAYS,
    PerformanceScore,
    action_withdrawn,
    performance_score,
    top_actions,
)
from ..errors import InvalidArguments, ToolCallError
from ..registry import HistoryRecord, ToolCall, ToolDefinition, ToolOutput, execute, get_tool, register
from ..units import from_si, to_si
from .air_inleakage import FOULING_CF_TEXT, INDICATOR_FIELDS, AirInleakageFields, stored_cleanliness_before_air_event
from .air_inleakage import LIVE_FIELDS as AIR_LIVE
from .common import CALCULATOR_NOTE, ToolResult, quantity
from .cw_flow import LIVE_FIELDS as CW_LIVE
from .cw_flow import CwFlowFields
from .fouling import LIVE_FIELDS as FOULING_LIVE
from .fouling import FoulingFields, parse_timestamp
from .heat_transfer import MEASUREMENT_FIELDS as HT_LIVE
from .shared_inputs import (
    CommonFields,
    DesignPointFields,
    DutyFields,
    RecommendationItem,
    SnapshotFields,
    TubeFields,
    TurbineFields,
    recommendation_items,
)
from .vacuum import LIVE_FIELDS as VACUUM_LIVE

__all__ = ["PerformanceInput", "PerformanceOutput", "TOOL", "PARTS", "LIVE_FIELDS", "SCORE_DESCRIPTION"]

HT, VAC, AIR, FOUL, CW = (
    "calculate_heat_transfer_coefficient",
    "optimize_vacuum_pressure",
    "detect_air_inleakage",
    "calculate_fouling_factor",
    "optimize_cooling_water_flow",
)
PARTS = (HT, VAC, AIR, FOUL, CW)
#: Each part as the calculators name it (:data:`~condensync_tools.calculators.performance.ANALYSIS_PARTS`).
PART_IDS = {HT: "heat_transfer", VAC: "vacuum", AIR: "air_inleakage", FOUL: "fouling", CW: "cw_flow"}
LIVE_FIELDS = tuple(dict.fromkeys(HT_LIVE + VACUUM_LIVE + AIR_LIVE + FOULING_LIVE + CW_LIVE))
_W = SCORE_WEIGHTS
SCORE_DESCRIPTION = (
    f"performance_score = 100 × Σ w·s / Σ w over the components available: cleanliness (w "
    f"{_W['cleanliness']:g}, s = clip((CF − (CF_target − {CF_SPAN:g}))/{CF_SPAN:g}, 0, 1)), backpressure (w "
    f"{_W['backpressure']:g}, s = clip(1 − (measured or expected − achievable "
    f"backpressure)/{BACKPRESSURE_SCALE_PA / INHG_PA:g} inHg, 0, 1)), air in-leakage (w "
    f"{_W['air_inleakage']:g}, s = 1 − evidence level of detect_air_inleakage), fouling trend (w "
    f"{_W['fouling_trend']:g}, s = 0 when cleaning is due, else clip(days until the cleaning "
    f"trigger/{TREND_HORIZON_DAYS:g} d, 0, 1), 1 when never reached); grades "
    + ", ".join(f"≥ {lo:g} {label}" for lo, label in GRADES[:-1])
    + f", else {GRADES[-1][1]} (house convention)"
)
#: Key figures: output field → (part, field in the part's result).
KEY_FIGURES = {
    "heat_duty": (HT, "heat_duty"),
    "saturation_temp": (HT, "saturation_temp"),
    "ttd": (HT, "ttd"),
    "tube_velocity": (HT, "tube_velocity"),
    "u_actual": (HT, "u_actual"),
    "u_clean": (HT, "u_clean"),
    "fouling_resistance": (HT, "fouling_resistance"),
    "expected_backpressure": (VAC, "expected_backpressure"),
    "achievable_backpressure": (VAC, "achievable_backpressure"),
    "optimal_backpressure": (VAC, "optimal_backpressure"),
    "measured_backpressure": (VAC, "measured_backpressure"),
    "backpressure_deviation": (VAC, "backpressure_deviation"),
    "deviation_fouling": (VAC, "deviation_fouling"),
    "deviation_unexplained": (VAC, "deviation_unexplained"),
    "lost_output_mw": (VAC, "lost_output_mw"),
    "cost_usd_per_day": (VAC, "cost_usd_per_day"),
    "leak_detected": (AIR, "leak_detected"),
    "air_severity": (AIR, "severity"),
    "air_confidence": (AIR, "confidence"),
    "air_evidence": (AIR, "evidence"),
    "likely_leak_location": (AIR, "likely_location"),
    "estimated_inleakage": (AIR, "estimated_inleakage"),
    "air_backpressure": (AIR, "unexplained_backpressure"),
    "air_lost_output_mw": (AIR, "air_lost_output_mw"),
    "air_cost_usd_per_day": (AIR, "air_cost_usd_per_day"),
    "fouling_cleanliness_factor": (AIR, "fouling_cleanliness_factor"),
    "fouling_cleanliness_source": (AIR, "fouling_cleanliness_source"),
    "measured_cleanliness_factor": (HT, "cleanliness_factor"),
    "days_until_cleaning": (FOUL, "days_until_cleaning"),
    "days_until_cleaning_status": (FOUL, "days_until_cleaning_status"),
    "cleaning_due": (FOUL, "cleaning_due"),
    "recommended_method": (FOUL, "recommended_method"),
    "fouling_trend_model": (FOUL, "selected_model"),
    "economic_interval_days": (FOUL, "economic_interval_days"),
    "optimal_cw_flow": (CW, "optimal_cw_flow"),
    "net_benefit_mw": (CW, "net_benefit_mw"),
    "expected_savings_usd_per_year": (CW, "expected_savings_usd_per_year"),
}


class PerformanceInput(
    CommonFields,
    SnapshotFields,
    DutyFields,
    TubeFields,
    DesignPointFields,
    TurbineFields,
    AirInleakageFields,
    FoulingFields,
    CwFlowFields,
):
    pass


class PartItem(BaseModel):
    tool: str = Field(description="Tool run as a part of the analysis")
    status: str = Field(description="'ok' (computed) or 'skipped' (inputs missing)")
    provenance_hash: str = Field(
        None,
        description="provenance_hash of the part's own result (verify it with the part's tool and the same arguments)",
    )
    summary: str = Field(None, description="The part's key figures in words")
    note: str = Field(None, description="Why the part was skipped, or how it was fed")


class ScoreComponent(BaseModel):
    component: str = Field(description="cleanliness, backpressure, air_inleakage or fouling_trend")
    subscore: float = Field(description="Sub-score s, 0-1 [1]")
    weight: float = Field(description="Weight w [1]")
    points: quantity("score", "Contribution to performance_score, 100·w·s/Σw")
    basis: str = Field(description="The input scored")


class PerformanceOutput(ToolResult):
    performance_score: quantity(
        "score", "Condenser performance score 0-100 (formula in provenance.method and the tool description)"
    )
    grade: str = Field(description="excellent (≥ 90), good (≥ 75), fair (≥ 60), poor (≥ 40), critical")
    score_components: list[ScoreComponent] = Field(description="Components of the score")
    top_actions: list[RecommendationItem] = Field(
        description="The three most valuable actions of all parts (one per action id), value in MW and USD/day"
    )
    parts: list[PartItem] = Field(description="Each part with its status and provenance_hash")
    cleanliness_factor: float = Field(None, description="Cleanliness factor scored (caller's, else measured) [1]")
    target_cleanliness: float = Field(None, description="Target cleanliness factor [1]")
    heat_duty: quantity("heat_rate", "Heat duty (heat-transfer part)") = None
    saturation_temp: quantity("temperature", "Saturation temperature (heat-transfer part)") = None
    ttd: quantity("temperature_difference", "Terminal temperature difference (heat-transfer part)") = None
    tube_velocity: quantity("velocity", "Mean tube velocity (heat-transfer part)") = None
    u_actual: quantity("htc", "Actual overall coefficient (heat-transfer part)") = None
    u_clean: quantity("htc", "Clean overall coefficient (heat-transfer part)") = None
    fouling_resistance: quantity("fouling_resistance", "Fouling resistance (heat-transfer part)") = None
    expected_backpressure: quantity("pressure", "Expected backpressure (vacuum part)") = None
    achievable_backpressure: quantity("pressure", "Achievable backpressure at the target cleanliness (vacuum part)") = (
        None
    )
    optimal_backpressure: quantity("pressure", "Recommended backpressure target, never below choke (vacuum part)") = (
        None
    )
    measured_backpressure: quantity("pressure", "Measured backpressure (vacuum part)") = None
    backpressure_deviation: quantity("pressure_difference", "Measured minus reference backpressure (vacuum part)") = (
        None
    )
    deviation_fouling: quantity("pressure_difference", "Fouling part of the deviation (vacuum part)") = None
    deviation_unexplained: quantity(
        "pressure_difference", "Unexplained part of the deviation: air or instrumentation (vacuum part)"
    ) = None
    lost_output_mw: quantity("power_mw", "Output lost vs the optimal backpressure (vacuum part)") = None
    cost_usd_per_day: quantity("money_usd_per_day", "Value of the lost output (vacuum part)") = None
    leak_detected: bool = Field(None, description="Air in-leakage detected (air part)")
    air_severity: str = Field(None, description="Air in-leakage severity (air part)")
    air_confidence: float = Field(None, description="Confidence of the air diagnosis, 0-1 (air part) [1]")
    air_evidence: float = Field(None, description="Air evidence level, 0-1 (air part) [1]")
    likely_leak_location: str = Field(None, description="Likely leak location (air part)")
    estimated_inleakage: quantity("air_flow", "Estimated air in-leakage (air part)") = None
    air_confounded: bool = Field(
        description="True when air in-leakage is detected and the measured backpressure lies above the one "
        "fouling_cleanliness_factor gives (air_backpressure > 0, i.e. the measured cleanliness lies below the "
        "fouling cleanliness): the cleanliness measured on this snapshot is then air-bound, the vacuum part "
        "and cleaning_due use fouling_cleanliness_factor instead, and tube "
        "cleaning is never ranked on the CF drop the air explains"
    )
    measured_cleanliness_factor: float = Field(
        None, description="Cleanliness factor measured on this snapshot (heat-transfer part; air binding included) [1]"
    )
    fouling_cleanliness_factor: float = Field(
        None,
        description="Cleanliness factor fouling alone gives now (fouling trend, last history or stored "
        "value before the air event, else design), source in fouling_cleanliness_source [1]",
    )
    fouling_cleanliness_source: str = Field(
        None,
        description="caller, fouling_trend, history_before_air_event, stored_before_air_event or design_cleanliness",
    )
    air_backpressure: quantity(
        "pressure_difference",
        "Backpressure attributed to air: measured minus expected at fouling_cleanliness_factor (air part)",
    ) = None
    air_lost_output_mw: quantity("power_mw", "Output lost to the air share (air part)") = None
    air_cost_usd_per_day: quantity("money_usd_per_day", "Value of air_lost_output_mw (air part)") = None
    days_until_cleaning: quantity("duration_days", "Days until the cleaning trigger (fouling part)") = None
    days_until_cleaning_status: str = Field(None, description="Meaning of days_until_cleaning (fouling part)")
    cleaning_due: bool = Field(None, description="Cleaning due (fouling part)")
    recommended_method: str = Field(None, description="Recommended cleaning method (fouling part)")
    fouling_trend_model: str = Field(None, description="Fouling trend model chosen (fouling part)")
    economic_interval_days: quantity("duration_days", "Economic cleaning interval (fouling part)") = None
    optimal_cw_flow: quantity("volumetric_flow", "Optimal CW flow (CW-flow part)") = None
    net_benefit_mw: quantity("power_mw", "Net benefit of the optimal CW option (CW-flow part)") = None
    expected_savings_usd_per_year: quantity(
        "money_usd_per_year", "Savings of the optimal CW option per year (CW-flow part)"
    ) = None


# --------------------------------------------------------------------------- parts
def _caller_arguments(call: ToolCall) -> dict[str, Any]:
    """The normalised arguments in caller units, live values included (as supplied values):
    quantities converted to the caller's units, live counts (pumps_running, a Modbus uint16)
    as they are."""
    args = {k: v for k, v in call.args.items() if v is not None}
    for name, p in call.tool.input_plan.items():
        if name not in args and call.si.get(name) is not None and p.quantity is not None and not p.is_list:
            args[name] = from_si(p.quantity.kind, call.si[name], call.unit_system)
    for name in call.tool.live_fields:
        value = call.si.get(name)
        if name not in args and name not in call.tool.input_plan and value is not None:
            args[name] = int(value) if isinstance(value, float) and value.is_integer() else value
    args["data_source"] = "supplied"
    return args


def _subset(tool: str, args: dict[str, Any]) -> dict[str, Any]:
    accepted = get_tool(tool).input_model.model_fields
    return {k: v for k, v in args.items() if k in accepted}


def _is_missing_inputs(error: ToolCallError) -> bool:
    return error.kind == "invalid_arguments" and all(": required" in p for p in error.problems)


def _run_part(call: ToolCall, tool: str, args: dict[str, Any], parts: list[dict], missing: list[str]) -> dict | None:
    """Run one part; None when skipped for missing inputs; any other error fails the analysis.
    The ledger records the part, unless it is skipped (a skipped part is not an error); the
    condenser history keeps only what the analysis declares."""
    out = execute(tool, args, replace(call.context, part_of=call.tool.name, recorder=None))
    skipped = out.error is not None and _is_missing_inputs(out.error)
    if call.context.recorder is not None and not skipped:
        call.context.recorder.record(out)
    if out.error is not None:
        if skipped:
            parts.append(
                {
                    "tool": tool,
                    "status": "skipped",
                    "note": "skipped, inputs missing: " + "; ".join(out.error.problems),
                }
            )
            missing.extend(f"{p} [in part {tool}]" for p in out.error.problems)
            return None
        err = type(out.error)([f"{p} [in part {tool}]" for p in out.error.problems], call.tool.name)
        err.kind = out.error.kind
        raise err
    parts.append(
        {
            "tool": tool,
            "status": "ok",
            "provenance_hash": out.result["provenance"]["provenance_hash"],
            "summary": out.summary,
        }
    )
    return out.result


def _last_history_cleanliness(call: ToolCall, base: dict[str, Any]) -> float | None:
    """Cleanliness factor of the latest supplied history point on or after last_cleaning_date
    (measured before this snapshot, so before an air event it shows); None without one."""
    points = [
        (
            parse_timestamp(p["timestamp"], f"$.history[{i}].timestamp", call.tool.name).timestamp(),
            p["cleanliness_factor"],
        )
        for i, p in enumerate(base.get("history") or [])
        if p.get("cleanliness_factor") is not None
    ]
    cleaned = None
    if base.get("last_cleaning_date"):
        cleaned = parse_timestamp(base["last_cleaning_date"], "$.last_cleaning_date", call.tool.name).timestamp()
    return last_cleanliness_since(points, cleaned)


def _fouling_cleanliness(
    call: ToolCall, base: dict[str, Any], foul: dict | None, stored: float | None
) -> tuple[float, str]:
    """(fouling CF expected now, source): caller, the fouling part's trend_cleanliness_factor,
    the last supplied history point, the last stored value before the air event, else design."""
    design = base.get("target_cleanliness") or design_cleanliness_default(base["tube_material"])
    return expected_fouling_cleanliness(
        design=design,
        caller=base.get("cleanliness_factor"),
        trend=(foul or {}).get("trend_cleanliness_factor"),
        history_before_air_event=_last_history_cleanliness(call, base),
        stored_before_air_event=stored,
    )


def _run_air(call: ToolCall, base: dict, fouling: tuple[float, str], parts: list, missing: list) -> dict | None:
    """The air part with the fouling cleanliness, so it works out the air share itself."""
    air_args = _subset(AIR, base)
    if not any(f in air_args for f in INDICATOR_FIELDS):
        parts.append(
            {
                "tool": AIR,
                "status": "skipped",
                "note": "skipped: no air in-leakage indicator given (dissolved_oxygen_ppb, hotwell_temp, "
                "air_removal_flow, vacuum_decay_rate, air_extraction_temp, unexplained_backpressure)",
            }
        )
        return None
    if "unexplained_backpressure" not in air_args:
        air_args["cleanliness_factor"], air_args["cleanliness_source"] = fouling
    r = _run_part(call, AIR, air_args, parts, missing)
    if r is not None and r.get("fouling_cleanliness_source") is not None:
        parts[-1]["note"] = (
            f"unexplained backpressure worked out at the fouling cleanliness {fouling[0]:.4g} ({fouling[1]})"
        )
    return r


def _run_parts(call: ToolCall, base: dict[str, Any], stored: float | None) -> dict:
    """Run the parts: heat transfer, fouling, air (at the fouling cleanliness), vacuum (at the
    fouling cleanliness when air confounds the measured one), CW flow."""
    parts: list[dict] = []
    missing: list[str] = []
    results: dict[str, dict] = {}

    def run(tool: str, args: dict) -> dict | None:
        r = _run_part(call, tool, args, parts, missing)
        if r is not None:
            results[tool] = r
        return r

    ht_args = _subset(HT, base)
    if ht_args.get("water_type") not in (None, "fresh", "brackish", "sea"):
        ht_args["water_type"] = salinity_class(ht_args["water_type"])
    if "target_cleanliness" in base:
        ht_args["design_cleanliness"] = min(base["target_cleanliness"], 1.0)
    run(HT, ht_args)
    foul = run(FOUL, _subset(FOUL, base))
    fouling = _fouling_cleanliness(call, base, foul, stored)
    air = _run_air(call, base, fouling, parts, missing)
    if air is not None:
        results[AIR] = air
    air_dp = (
        to_si("pressure_difference", air["unexplained_backpressure"], call.unit_system)
        if air is not None and air.get("fouling_cleanliness_source") is not None
        else None
    )
    confounded = air is not None and air_confounded(air["leak_detected"], air_dp)
    vac_args = _subset(VAC, base)
    if confounded:
        vac_args["cleanliness_factor"] = air["fouling_cleanliness_factor"]
    if run(VAC, vac_args) is not None and confounded:
        parts[-1]["note"] = (
            f"cleanliness_factor = fouling cleanliness {fouling[0]:.4g} ({fouling[1]}): the cleanliness "
            "measured on this snapshot is air-bound"
        )
    run(CW, _subset(CW, base))
    parts.sort(key=lambda p: PARTS.index(p["tool"]))
    results = {tool: results[tool] for tool in PARTS if tool in results}
    return {"results": results, "parts": parts, "missing": missing, "confounded": confounded, "fouling": fouling}


def _score_components(call: ToolCall, score, target: float, confounded: bool) -> list[dict]:
    """The score components as output items, each with the input scored in words."""
    system = call.unit_system
    w_sum = sum(c["weight"] for c in score.components.values())
    bases = {
        "cleanliness": lambda v: (
            f"{'fouling ' if confounded else ''}cleanliness factor {v:.4g} vs target {target:.4g} (0 at "
            f"{target - CF_SPAN:.4g})" + ("; the snapshot's own CF is air-bound" if confounded else "")
        ),
        "backpressure": lambda v: (
            f"{from_si('pressure_difference', v, system):.4g} "
            f"{call.unit('pressure_difference')} above the achievable backpressure (0 at "
            f"{from_si('pressure_difference', BACKPRESSURE_SCALE_PA, system):.4g})"
        ),
        "air_inleakage": lambda v: f"air evidence level {v:.4g} (detect_air_inleakage)",
        "fouling_trend": lambda v: (
            v if isinstance(v, str) else f"{v:.4g} d until the cleaning trigger (1 at {TREND_HORIZON_DAYS:g} d)"
        ),
    }
    return [
        {
            "component": c,
            "subscore": d["subscore"],
            "weight": d["weight"],
            "points": 100.0 * d["weight"] * d["subscore"] / w_sum,
            "basis": bases[c](d["input"]),
        }
        for c, d in score.components.items()
    ]


def _air_override(values: dict, results: dict, fouling: tuple[float, str], warnings: list[str]) -> bool:
    """On an air-confounded snapshot, cleaning is due only if the fouling cleanliness itself is at
    or below the trigger; the fouling part's snapshot-based forecast is withdrawn. Returns due."""
    foul = results.get(FOUL)
    if foul is None:
        return False
    due = cleaning_due_despite_air(foul["cleaning_due"], fouling[0], foul["trigger_cleanliness"])
    values["cleaning_due"] = due
    if foul["cleaning_due"] and not due:
        values.pop("days_until_cleaning", None)
        values["days_until_cleaning_status"] = "air_confounded"
        warnings.append(
            f"calculate_fouling_factor called cleaning due on the cleanliness measured on this snapshot "
            f"({foul['cleanliness_factor']:.3f}), which air binding lowers; at the fouling cleanliness "
            f"{fouling[0]:.3f} ({fouling[1]}) the trigger {foul['trigger_cleanliness']:.3g} is not reached: "
            "cleaning not due — find and stop the air in-leakage first"
        )
    return due


def _actions(results: dict, confounded: bool) -> list[Action]:
    """All parts' actions. On an air-confounded snapshot the fouling part's cleaning action (valued
    on the air-bound CF) is withdrawn: tube cleaning is then the vacuum part's, valued by the fouling
    share only. With a leak, the vacuum part's generic air action gives way to the air part's
    specific (equally valued) ones."""
    leak = results.get(AIR, {}).get("leak_detected", False)
    actions = []
    for tool, r in results.items():
        for a in r.get("recommendations", []):
            if action_withdrawn(PART_IDS[tool], a["action"], confounded, leak):
                continue
            actions.append(Action(a["action"], a["reason"], a["value_mw"] * 1e6, a.get("value_usd_per_day"), tool))
    return actions


def _score_inputs(call: ToolCall, base: dict, results: dict) -> dict:
    """Inputs of :func:`performance_score` from the parts (SI)."""
    vac, ht, air, foul = (results.get(t) for t in (VAC, HT, AIR, FOUL))
    system = call.unit_system
    cf = next(
        (r["cleanliness_factor"] for r in (vac, ht, foul) if r is not None and "cleanliness_factor" in r),
        base.get("cleanliness_factor"),
    )
    target = (
        vac["target_cleanliness"]
        if vac is not None
        else base.get("target_cleanliness") or design_cleanliness_default(base["tube_material"])
    )
    excess = None
    if vac is not None:
        actual = vac.get("measured_backpressure", vac["expected_backpressure"])
        excess = to_si("pressure", actual, system) - to_si("pressure", vac["achievable_backpressure"], system)
    return {
        "cf": cf,
        "target": target,
        "excess": excess,
        "air_evidence": air["evidence"] if air else None,
        "due": foul["cleaning_due"] if foul is not None else None,
        "days": foul.get("days_until_cleaning") if foul is not None else None,
        "never": foul is not None and foul["days_until_cleaning_status"] == "not_reached",
    }


def _air_text(call: ToolCall, values: dict, fouling: tuple[float, str]) -> str:
    """The summary sentence of an air-confounded snapshot."""
    dp = call.to_caller("pressure_difference", values["air_backpressure"])
    measured = values.get("measured_cleanliness_factor")
    text = (
        "; AIR-CONFOUNDED: the cleanliness "
        + (f"{measured:.3f} " if measured is not None else "")
        + f"measured on this snapshot is air-bound; fouling cleanliness {fouling[0]:.3f} ({fouling[1]}); air "
        f"accounts for {dp:.3g} {call.unit('pressure_difference')} of backpressure"
    )
    if values.get("air_lost_output_mw") is not None:
        text += f" ({values['air_lost_output_mw'] / 1e6:.4g} MW"
        if values.get("air_cost_usd_per_day") is not None:
            text += f", {values['air_cost_usd_per_day']:.0f} USD/d"
        text += ")"
    due = values.get("cleaning_due")
    return text + ("" if due is None else f"; tube cleaning {'due' if due else 'not due'}")


def handle(call: ToolCall) -> ToolOutput:
    base = _caller_arguments(call)
    # read before any part records this snapshot's (air-bound) cleanliness in the store
    stored = (
        None if base.get("history") or base.get("cleanliness_factor") else stored_cleanliness_before_air_event(call)
    )
    run = _run_parts(call, base, stored)
    results, parts, confounded, fouling = run["results"], run["parts"], run["confounded"], run["fouling"]
    if not results:
        raise InvalidArguments(run["missing"], call.tool.name)
    warnings: list[str] = []
    values = _key_figures(call, results)
    method = _method_of_parts(results, values, fouling, confounded)
    due = _air_override(values, results, fouling, warnings) if confounded else None
    si = _score_inputs(call, base, results)
    if confounded:
        si.update(due=due, days=values.get("days_until_cleaning"), never=False)
    cf, target = si["cf"], si["target"]
    score = _score(call, si)
    warnings.extend(score.warnings)
    method.update(score.method)
    method["performance_score_formula"] = SCORE_DESCRIPTION
    method["grades"] = ", ".join(f">= {lo:g} {label}" for lo, label in GRADES)
    warnings.extend(_part_warnings(results))
    values.update(
        performance_score=score.score,
        grade=score.grade,
        score_components=_score_components(call, score, target, confounded),
        top_actions=recommendation_items(
            top_actions(_actions(results, confounded), 3, not_first=("clean_tubes",) if confounded and not due else ())
        ),
        parts=parts,
        cleanliness_factor=cf,
        target_cleanliness=target if cf is not None else None,
        air_confounded=confounded,
    )
    ran = [p["tool"] for p in parts if p["status"] == "ok"]
    text = f"Performance score {score.score:.1f}/100 ({score.grade}) from {len(ran)} part(s): {', '.join(ran)}"
    if values.get("top_actions"):
        text += "; top action: " + values["top_actions"][0]["action"]
    if confounded:
        text += _air_text(call, values, fouling)
    return ToolOutput(
        values=values,
        method=method,
        warnings=warnings,
        summary=text,
        history=_history_record(call, values, results, confounded, fouling),
    )


def _key_figures(call: ToolCall, results: dict) -> dict[str, Any]:
    """The parts' key figures (:data:`KEY_FIGURES`) in SI, those the parts gave."""
    values: dict[str, Any] = {}
    plan = call.tool.output_plan
    for name, (tool, field) in KEY_FIGURES.items():
        r = results.get(tool)
        if r is None or r.get(field) is None:
            continue
        q = plan[name].quantity if name in plan else None
        values[name] = to_si(q.kind, r[field], call.unit_system) if q is not None else r[field]
    return values


def _method_of_parts(results: dict, values: dict, fouling: tuple[float, str], confounded: bool) -> dict:
    """provenance.method of the combination: the parts run, the fouling cleanliness used and,
    on an air-confounded snapshot, how air and fouling are told apart."""
    method: dict = {
        "parts": "each part is a full tool call (registry.execute) on the same snapshot: " + ", ".join(PARTS)
    }
    if AIR in results and "fouling_cleanliness_source" in values:
        method["fouling_cleanliness"] = f"{fouling[1]} = {fouling[0]:.10g}: {FOULING_CF_TEXT[fouling[1]]}"
    if confounded:
        method["air_versus_fouling"] = (
            "air confounded (leak detected, measured backpressure above the one the fouling cleanliness "
            "gives: the CF drop below the fouling cleanliness is air): the vacuum part "
            "runs at the fouling cleanliness; cleaning due only if the fouling cleanliness is at or below "
            "the trigger, and tube cleaning is otherwise never ranked first (stop the leak, measure the CF "
            "again) (Putman & Harpster: fouling vs air ingress)"
        )
    return method


def _score(call: ToolCall, si: dict) -> PerformanceScore:
    """:func:`~condensync_tools.calculators.performance.performance_score` of the score inputs
    (:func:`_score_inputs`); InvalidArguments when there is nothing to score."""
    cf = si["cf"]
    if (
        cf is None
        and si["excess"] is None
        and si["air_evidence"] is None
        and not si["due"]
        and si["days"] is None
        and not si["never"]
    ):
        raise InvalidArguments(
            [
                "$.cleanliness_factor: required for a performance score (or the snapshot "
                "cw_inlet_temp, cw_outlet_temp, cw_flow, condenser_pressure with tube data, or an air "
                "in-leakage indicator, or a fouling history), got nothing"
            ],
            call.tool.name,
        )
    return performance_score(
        cleanliness_factor=cf,
        target_cleanliness=si["target"] if cf is not None else None,
        backpressure_excess=si["excess"],
        air_evidence=si["air_evidence"],
        days_until_cleaning=si["days"],
        cleaning_due=si["due"],
        trigger_never_reached=si["never"],
    )


def _part_warnings(results: dict) -> list[str]:
    """Each part's warnings once, prefixed with the tools that gave it."""
    by_text: dict[str, list[str]] = {}
    for tool, r in results.items():
        for w in r.get("warnings", []):
            by_text.setdefault(w, []).append(tool)
    return [f"{', '.join(tools)}: {w}" for w, tools in by_text.items()]


def _history_record(
    call: ToolCall, values: dict, results: dict, confounded: bool, fouling: tuple[float, str]
) -> HistoryRecord:
    """What the condenser history keeps of this snapshot: the measured CF and R_f (heat-transfer
    part, else the fouling part), or on an air-confounded snapshot the fouling CF (never the
    air-bound one); see :func:`~condensync_tools.calculators.air_attribution.fouling_point_to_keep`."""
    cf, rf = values.get("measured_cleanliness_factor"), values.get("fouling_resistance")
    foul = results.get(FOUL)
    if cf is None and foul is not None and foul.get("cleanliness_factor") is not None:
        cf = foul["cleanliness_factor"]
        rf = foul.get("fouling_resistance")
        rf = None if rf is None else to_si("fouling_resistance", rf, call.unit_system)
    point = fouling_point_to_keep(cf, rf, confounded, *fouling, u_clean=values.get("u_clean"))
    return HistoryRecord(point.cleanliness_factor, point.fouling_resistance, point.air_confounded)


TOOL = register(
    ToolDefinition(
        name="analyze_condenser_performance",
        title="Whole-condenser analysis of one snapshot with a 0-100 performance score",
        description=(
            "Runs every applicable condenser tool on one snapshot — calculate_heat_transfer_coefficient, "
            "optimize_vacuum_pressure, detect_air_inleakage, calculate_fouling_factor, "
            "optimize_cooling_water_flow — each with the arguments it accepts (same unit_system), skipping a "
            "part whose inputs are missing (noted in parts), and returns the combined key figures, each "
            "part's provenance_hash, the top three actions of all parts ranked by value (MW, USD/day) and a "
            "performance score: " + SCORE_DESCRIPTION + ". " + CALCULATOR_NOTE
        ),
        version="1.2.2",
        input_model=PerformanceInput,
        output_model=PerformanceOutput,
        handler=handle,
        live_fields=LIVE_FIELDS,
    )
)
