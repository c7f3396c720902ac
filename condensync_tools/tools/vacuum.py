# SPDX-License-Identifier: MIT
"""Tool ``optimize_vacuum_pressure``: expected, achievable and optimal backpressure, the
deviation of the measured backpressure split into causes, and its cost.

Calls :func:`condensync_tools.calculators.vacuum.optimize_vacuum_pressure`; see that module
for the chain (effectiveness/NTU at the current cleanliness, PTC 12.2-style correction to
design, sequential-substitution deviation split, turbine curve clamped at the choke point).
"""

from __future__ import annotations

from pydantic import Field

from ..calculators import hei
from ..calculators.vacuum import DEVIATION_ORDER, DesignPoint, optimize_vacuum_pressure
from ..registry import HistoryRecord, ToolCall, ToolDefinition, ToolOutput, register
from .common import CALCULATOR_NOTE, ToolResult, quantity, summary_number
from .shared_inputs import (
    TUBE_DATA_RULES,
    CommonFields,
    DesignPointFields,
    DutyFields,
    RecommendationItem,
    SnapshotFields,
    TubeFields,
    TurbineFields,
    condenser_from,
    measured_pressure,
    recommendation_items,
    renamed_fields,
    require,
    turbine_from,
)

__all__ = ["VacuumInput", "VacuumOutput", "TOOL", "LIVE_FIELDS", "DEVIATION_FIELDS"]

LIVE_FIELDS = ("cw_inlet_temp", "cw_outlet_temp", "cw_flow", "condenser_pressure", "steam_flow")
#: Output field of each deviation part (in the order of the sequential substitution).
DEVIATION_FIELDS = {part: f"deviation_{part}" for part in DEVIATION_ORDER}


class VacuumInput(CommonFields, SnapshotFields, DutyFields, TubeFields, DesignPointFields, TurbineFields):
    pass


class VacuumOutput(ToolResult):
    expected_backpressure: quantity(
        "pressure",
        "Backpressure expected at the current CW inlet temperature, CW "
        "flow, heat duty and cleanliness (effectiveness/NTU chain, IF97)",
    )
    achievable_backpressure: quantity(
        "pressure",
        "Best achievable backpressure at the current CW conditions "
        "and duty with the tubes at the target cleanliness (clean tubes, air "
        "removal at design)",
    )
    optimal_backpressure: quantity(
        "pressure",
        "Recommended backpressure target: the achievable backpressure, never below the turbine choke point",
    )
    reference_backpressure: quantity(
        "pressure",
        "Reference of the deviation: the design point at the target "
        "cleanliness (without a design point: the achievable backpressure)",
    )
    design_corrected_backpressure: quantity(
        "pressure",
        "Backpressure at the design point (design CW inlet "
        "temperature, flow and duty) with the current cleanliness (PTC "
        "12.2-style correction to design)",
    ) = None
    design_backpressure_margin: quantity(
        "pressure_difference",
        "Design-corrected minus the design (guaranteed) backpressure; positive = worse than design",
    ) = None
    measured_backpressure: quantity("pressure", "Measured backpressure used") = None
    backpressure_deviation: quantity(
        "pressure_difference",
        "Measured minus reference backpressure; equals the sum of the deviation_* parts",
    ) = None
    deviation_heat_duty: quantity(
        "pressure_difference", "Part of the deviation due to the heat duty differing from design"
    ) = None
    deviation_cw_inlet_temp: quantity(
        "pressure_difference", "Part due to the CW inlet temperature differing from design"
    ) = None
    deviation_cw_flow: quantity("pressure_difference", "Part due to the CW flow differing from design") = None
    deviation_fouling: quantity(
        "pressure_difference",
        "Part due to cleanliness below the target (fouling; air "
        "binding also lands here when the cleanliness is measured on the same "
        "snapshot)",
    ) = None
    deviation_unexplained: quantity(
        "pressure_difference",
        "Remainder not explained by duty, CW temperature, flow or fouling: air in-leakage or instrumentation",
    ) = None
    lost_output_mw: quantity(
        "power_mw",
        "Turbine output lost by running at the measured (else expected) backpressure instead of the optimal one",
    ) = None
    lost_output_fouling_mw: quantity("power_mw", "Part of the lost output due to fouling") = None
    lost_output_unexplained_mw: quantity(
        "power_mw", "Part of the lost output not explained (air in-leakage or instrumentation)"
    ) = None
    cost_usd_per_day: quantity("money_usd_per_day", "Value of lost_output_mw at power_price_usd_per_mwh") = None
    cleanliness_factor: float = Field(description="Cleanliness factor used for the expected backpressure [1]")
    target_cleanliness: float = Field(description="Target cleanliness factor used for the achievable backpressure [1]")
    heat_duty: quantity("heat_rate", "Heat duty used")
    expected_saturation_temp: quantity("temperature", "Saturation temperature at the expected backpressure")
    expected_cw_outlet_temp: quantity("temperature", "CW outlet temperature at the expected state")
    expected_ttd: quantity("temperature_difference", "Terminal temperature difference at the expected state")
    temperature_rise: quantity("temperature_difference", "CW temperature rise, duty/(ṁ·cp)")
    tube_velocity: quantity("velocity", "Mean tube water velocity at the current CW flow")
    u_clean: quantity("htc", "Clean overall coefficient at the current conditions")
    u_expected: quantity("htc", "Overall coefficient at the current cleanliness, U_clean × cleanliness")
    turbine_curve: str = Field(
        None,
        description="Turbine correction curve used ('caller' or 'generic: ...'); omitted without a curve",
    )
    recommendations: list[RecommendationItem] = Field(
        description="Actions ranked by value, each with the output it recovers (MW) and its value (USD/day)"
    )


def design_point(call: ToolCall) -> DesignPoint | None:
    """The design point when any design_* field is given (then the three are required)."""
    names = ("design_cw_inlet_temp", "design_cw_flow", "design_heat_duty")
    if not any(call.has(n) for n in names):
        return None
    require(call, names, "(a design point needs the design CW inlet temperature, CW flow and heat duty)")
    si = call.si
    return DesignPoint(si["design_cw_inlet_temp"], si["design_cw_flow"], si["design_heat_duty"])


def handle(call: ToolCall) -> ToolOutput:
    si = call.si
    model = condenser_from(call)
    turbine, warnings = turbine_from(call)
    design = design_point(call)
    p_meas = measured_pressure(call)
    kwargs = {}
    if call.has("steam_heat_release"):
        kwargs["steam_heat_release"] = si["steam_heat_release"]
    with renamed_fields():
        r = optimize_vacuum_pressure(
            model,
            cw_inlet_temp=si["cw_inlet_temp"],
            cw_flow=si["cw_flow"],
            heat_duty=si.get("heat_duty"),
            steam_flow=si.get("steam_flow"),
            cw_outlet_temp=si.get("cw_outlet_temp"),
            condenser_pressure=p_meas,
            cleanliness_factor=si.get("cleanliness_factor"),
            target_cleanliness=si.get("target_cleanliness"),
            design=design,
            turbine=turbine,
            power_price_usd_per_mwh=si.get("power_price_usd_per_mwh"),
            **kwargs,
        )
    e = r.expected
    lost_parts = r.lost_output_parts
    values = {
        "expected_backpressure": r.expected_backpressure,
        "achievable_backpressure": r.achievable_backpressure,
        "optimal_backpressure": r.optimal_backpressure,
        "reference_backpressure": r.reference_backpressure,
        "design_corrected_backpressure": r.design_corrected_backpressure,
        "measured_backpressure": r.measured_backpressure,
        "backpressure_deviation": r.backpressure_deviation,
        "lost_output_mw": r.lost_output,
        "lost_output_fouling_mw": lost_parts.get("fouling"),
        "lost_output_unexplained_mw": lost_parts.get("unexplained") if p_meas is not None else None,
        "cost_usd_per_day": r.cost_usd_per_day,
        "cleanliness_factor": r.cleanliness_factor,
        "target_cleanliness": r.target_cleanliness,
        "heat_duty": r.heat_duty,
        "expected_saturation_temp": e.saturation_temp,
        "expected_cw_outlet_temp": e.cw_outlet_temp,
        "expected_ttd": e.ttd,
        "temperature_rise": e.temperature_rise,
        "tube_velocity": e.tube_velocity,
        "u_clean": e.u_clean,
        "u_expected": e.u,
        "turbine_curve": turbine.method["turbine_curve"] if turbine is not None else None,
        "recommendations": recommendation_items(r.recommendations),
    }
    for part, name in DEVIATION_FIELDS.items():
        values[name] = r.deviation_parts.get(part)
    if r.design_corrected_backpressure is not None and call.has("design_backpressure"):
        values["design_backpressure_margin"] = r.design_corrected_backpressure - si["design_backpressure"]
    elif call.has("design_backpressure") and design is None:
        warnings.append(
            "design_backpressure ignored: the design point (design_cw_inlet_temp, design_cw_flow, "
            "design_heat_duty) is needed to correct the backpressure to design conditions"
        )
    warnings.extend(w for w in r.warnings if w not in warnings)
    warnings.extend(hei.hei_basis_warnings(r.expected.hei_basis, model.tube_material))

    def p(name: str, kind: str = "pressure") -> str:
        return summary_number(call.to_caller(kind, values[name]), call.unit(kind))

    text = (
        f"Expected backpressure {p('expected_backpressure')}"
        + (f" (measured {p('measured_backpressure')})" if p_meas is not None else "")
        + f"; achievable {p('achievable_backpressure')}; optimal target {p('optimal_backpressure')}"
    )
    if r.backpressure_deviation is not None:
        text += (
            f"; deviation {p('backpressure_deviation', 'pressure_difference')} (fouling "
            f"{p('deviation_fouling', 'pressure_difference')}, unexplained "
            f"{p('deviation_unexplained', 'pressure_difference')})"
        )
    if r.lost_output is not None:
        text += f"; lost output {r.lost_output / 1e6:.4g} MW"
    if r.cost_usd_per_day is not None:
        text += f" ({r.cost_usd_per_day:.6g} USD/d)"
    return ToolOutput(values=values, method=dict(r.method), warnings=warnings, summary=text, history=HistoryRecord())


TOOL = register(
    ToolDefinition(
        name="optimize_vacuum_pressure",
        title="Condenser backpressure: expected, achievable, deviation split and its cost",
        description=(
            "Steam surface condenser backpressure analysis (ASME PTC 12.2-style chain as commonly applied): "
            "the expected backpressure at the current CW inlet temperature, CW flow, heat duty (heat_duty, "
            "else CW side from cw_outlet_temp, else steam_flow × 950 Btu/lb) and cleanliness "
            "(cleanliness_factor, else measured on the snapshot); the achievable backpressure at the target "
            "cleanliness (0.85 Cu alloys / 0.90 Ti and SS); with "
            "design_cw_inlet_temp/design_cw_flow/design_heat_duty the design-corrected backpressure; the "
            "deviation of the measured backpressure from the reference split by sequential substitution into "
            "deviation_heat_duty, deviation_cw_inlet_temp, deviation_cw_flow, deviation_fouling and "
            "deviation_unexplained (air in-leakage or instrumentation); lost output (MW) and cost (USD/day) "
            "from the turbine correction curve (turbine_curve_pressure/turbine_curve_output_change, or the "
            "GENERIC curve scaled to rated_output_mw, marked generic in provenance.method); the optimal "
            "backpressure, never below the choke point; and ranked recommendations valued in MW and USD/day. "
            "Needs tube_od, tube_count and "
            "tube_length (or surface_area). " + CALCULATOR_NOTE
        ),
        version="1.0.3",
        input_model=VacuumInput,
        output_model=VacuumOutput,
        quick=True,
        handler=handle,
        live_fields=LIVE_FIELDS,
        required_supplied=("cw_inlet_temp", "cw_flow"),
        required_always=(("heat_duty", "cw_outlet_temp", "steam_flow"), *TUBE_DATA_RULES),
    )
)
