# SPDX-License-Identifier: MIT
"""Tool ``optimize_cooling_water_flow``: CW pump (and tower fan) options against turbine
output, the optimum, its active constraints and the expected savings.

Calls :func:`condensync_tools.calculators.cw_flow.optimize_cooling_water_flow`; see that
module for the pump/system-curve intersection (affinity-scaled pump curve, static head), the
generic cooling-tower approach model, the constraints and the net benefit.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..calculators.cw_flow import (
    DEFAULT_SHUTOFF_HEAD_RATIO,
    MIN_TUBE_VELOCITY_M_S,
    PUMP_FLOW_RANGE,
    TOWER_MODEL_TOLERANCE_K,
    CwFlowInputs,
    TowerCheck,
    cooling_tower,
    optimize_cooling_water_flow,
    pump_curve,
)
from ..calculators.hei import hei_basis_warnings
from ..calculators.water import liquid_properties
from ..errors import InvalidArguments
from ..registry import HistoryRecord, ToolCall, ToolDefinition, ToolOutput, register
from ..units import format_quantity
from .common import CALCULATOR_NOTE, C, ToolInput, ToolResult, quantity, summary_number
from .shared_inputs import (
    CW_FLOW_RANGE,
    TUBE_DATA_RULES,
    CommonFields,
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

__all__ = ["CwFlowInput", "CwFlowFields", "CwFlowOutput", "TOOL", "LIVE_FIELDS", "MAX_OPTIONS"]

LIVE_FIELDS = (
    "cw_inlet_temp",
    "cw_outlet_temp",
    "cw_flow",
    "condenser_pressure",
    "steam_flow",
    "wet_bulb_temp",
    "pumps_running",
)
#: Most options evaluated in one call (pumps × speeds × fan counts).
MAX_OPTIONS = 400
TOWER_FIELDS = (
    "tower_approach_design",
    "tower_design_flow",
    "fans_installed",
    "fans_design",
    "fans_on",
    "fan_power",
    "tower_min_approach",
)
FIELD_NAMES = {
    "speed_range": "vfd_min_speed",
    "pump_flow_range": "pump_min_flow_fraction",
    "density": "cw_inlet_temp",
}


class CwFlowFields(ToolInput):
    """Pump, tower and limit fields (shared with analyze_condenser_performance)."""

    pump_rated_flow: quantity(
        "volumetric_flow", "Rated flow of ONE CW pump (best-efficiency point)", plausible=(0.01, 30.0), gt=0
    ) = None
    pump_rated_head: quantity(
        "head", "Rated total head of one pump at the rated flow", plausible=(1.0, 100.0), gt=0
    ) = None
    pump_rated_power: quantity(
        "power_kw",
        "Electrical input power of one pump at the rated point, full speed",
        plausible=(1.0e3, 3.0e7),
        gt=0,
    ) = None
    pump_shutoff_head_ratio: float = Field(
        DEFAULT_SHUTOFF_HEAD_RATIO,
        ge=1.05,
        le=2.0,
        description=("Shut-off head / rated head of the pump curve, 1.05-2.0 (default 1.25) [1]"),
    )
    pumps_installed: int = Field(None, ge=1, le=12, description="Identical CW pumps installed [1]")
    pumps_running: int = Field(None, ge=1, le=12, description="CW pumps running now [1]")
    design_pumps_running: int = Field(
        None,
        ge=1,
        le=12,
        description="Pumps running at the rated point (system "
        "curve when cw_flow is not measured); default pumps_running [1]",
    )
    static_head: quantity(
        "head",
        "System static head (tower lift, siphon loss), below the rated head; default 0",
        plausible=(0.0, 60.0),
        ge=0,
    ) = None
    vfd: bool = Field(
        False,
        description="Pumps on variable-speed drives (speeds vfd_min_speed..vfd_max_speed are evaluated)",
    )
    speed: float = Field(
        1.0,
        ge=0.3,
        le=1.2,
        description="Current relative pump speed (1.0 = rated; fixed-speed pumps: 1.0) [1]",
    )
    vfd_min_speed: float = Field(0.7, ge=0.3, le=1.2, description="Lowest relative VFD speed evaluated [1]")
    vfd_max_speed: float = Field(1.0, ge=0.3, le=1.2, description="Highest relative VFD speed evaluated [1]")
    speed_steps: int = Field(7, ge=2, le=21, description="VFD speeds evaluated between min and max [1]")
    wet_bulb_temp: quantity(
        "temperature",
        "Ambient wet-bulb temperature; given: a cooling tower (CW inlet = wet "
        "bulb + approach per option), omitted: once-through",
        plausible=(-40.0 + C, 40.0 + C),
    ) = None
    tower_approach_design: quantity(
        "temperature_difference", "Tower approach at the design flow and fans", plausible=(0.5, 30.0), gt=0
    ) = None
    tower_design_flow: quantity(
        "volumetric_flow",
        "Total CW flow at the tower design point; default: cw_flow, else rated flow × pumps",
        plausible=CW_FLOW_RANGE,
        gt=0,
    ) = None
    fans_installed: int = Field(None, ge=1, le=40, description="Tower fans installed [1]")
    fans_design: int = Field(
        None, ge=1, le=40, description="Fans running at the tower design point; default fans_installed [1]"
    )
    fans_on: int = Field(None, ge=1, le=40, description="Tower fans running now; default fans_design [1]")
    fan_power: quantity("power_kw", "Electrical power of one tower fan", plausible=(1.0e3, 1.0e6), gt=0) = None
    tower_min_approach: quantity(
        "temperature_difference",
        "Lowest economic tower approach, a floor for the modelled options (lowered to the measured approach when "
        "the tower does better now; the current option always uses the measured CW inlet temperature); default "
        "5 °F (2.8 K)",
        plausible=(0.0, 15.0),
        ge=0,
    ) = None
    max_tube_velocity: quantity(
        "velocity",
        "Tube erosion velocity limit; default 8 ft/s copper alloys, 10 ft/s titanium and stainless (unverified)",
        plausible=(0.5, 6.0),
        gt=0,
    ) = None
    min_tube_velocity: quantity(
        "velocity",
        "Minimum tube velocity against silt and fouling; default 1.5 m/s (5 ft/s); 0 disables",
        plausible=(0.0, 4.0),
        ge=0,
    ) = None
    pump_min_flow_fraction: float = Field(
        PUMP_FLOW_RANGE[0],
        ge=0,
        lt=1,
        description="Lowest allowed flow per pump as a fraction of its rated flow at the running speed [1]",
    )
    pump_max_flow_fraction: float = Field(
        PUMP_FLOW_RANGE[1],
        gt=1,
        le=3,
        description="Highest allowed flow per pump as a fraction of its rated flow at the running speed (runout) [1]",
    )
    operating_hours_per_year: float = Field(
        8760.0, ge=0, le=8784, description="Operating hours per year for the annual savings [h]"
    )


class CwFlowInput(CommonFields, SnapshotFields, DutyFields, CwFlowFields, TubeFields, TurbineFields):
    pass


class CwOptionItem(BaseModel):
    pumps_running: int = Field(description="Pumps running in this option [1]")
    speed: float = Field(description="Relative pump speed [1]")
    fans_on: int = Field(description="Tower fans running (0: once-through) [1]")
    cw_flow: quantity(
        "volumetric_flow",
        "Total CW flow at the pump/system-curve intersection (0: the pumps cannot overcome the static head)",
    )
    tube_velocity: quantity("velocity", "Mean tube velocity")
    cw_inlet_temp: quantity("temperature", "CW inlet temperature (tower: wet bulb + approach)")
    tower_approach: quantity("temperature_difference", "Tower approach used") = None
    backpressure: quantity("pressure", "Expected backpressure at the current cleanliness") = None
    turbine_output_change: quantity(
        "power_mw", "Turbine output change vs the design backpressure (no gain below the choke point)"
    ) = None
    pump_power: quantity("power_kw", "CW pump electrical power")
    fan_power: quantity("power_kw", "Tower fan electrical power")
    aux_power: quantity("power_kw", "Pump + fan power")
    net_benefit: quantity(
        "power_mw", "Net benefit vs the current operation: Δ turbine output − Δ (pump + fan) power"
    ) = None
    feasible: bool = Field(description="Meets every limit (violations empty)")
    is_current: bool = Field(description="This is the current operation")
    is_optimum: bool = Field(description="This is the recommended option")
    violations: list[str] = Field(
        description="Limits violated (option excluded): static_head, pump_flow_range, "
        "tube_velocity_max, tube_velocity_min, ..."
    )
    active_constraints: list[str] = Field(
        description="Active limits that shape the option: choke_point, tower_min_approach"
    )


class CwFlowOutput(ToolResult):
    optimal_cw_flow: quantity("volumetric_flow", "CW flow of the optimum option")
    optimal_pumps_running: int = Field(description="Pumps running in the optimum [1]")
    optimal_speed: float = Field(description="Relative pump speed of the optimum [1]")
    optimal_fans_on: int = Field(description="Tower fans of the optimum (0: once-through) [1]")
    optimal_backpressure: quantity("pressure", "Expected backpressure of the optimum")
    optimal_tube_velocity: quantity("velocity", "Tube velocity of the optimum")
    optimal_cw_inlet_temp: quantity("temperature", "CW inlet temperature of the optimum")
    optimal_aux_power: quantity("power_kw", "Pump + fan power of the optimum")
    current_cw_flow: quantity("volumetric_flow", "CW flow of the current operation (measured, or from the curves)")
    current_backpressure: quantity("pressure", "Expected backpressure of the current operation")
    current_aux_power: quantity("power_kw", "Pump + fan power of the current operation")
    net_benefit_mw: quantity(
        "power_mw",
        "Net benefit of the optimum vs the current operation (0 when the current operation is best)",
    )
    turbine_gain_mw: quantity("power_mw", "Turbine output gained by the optimum vs the current operation")
    aux_power_change_kw: quantity("power_kw", "Change of pump + fan power, optimum minus current")
    expected_savings_usd_per_hour: quantity("money_usd_per_hour", "Value of net_benefit_mw per hour") = None
    expected_savings_usd_per_year: quantity(
        "money_usd_per_year", "Value of net_benefit_mw over operating_hours_per_year"
    ) = None
    active_constraints: list[str] = Field(
        description="Active constraints of the optimum (choke_point, tower_min_approach)"
    )
    options_evaluated: int = Field(description="Options evaluated [1]")
    options_feasible: int = Field(description="Options meeting every limit [1]")
    options: list[CwOptionItem] = Field(description="Every option evaluated")
    recommendations: list[RecommendationItem] = Field(
        description="The change of pumps/speed/fans when it pays, valued net of auxiliary power"
    )


def _tower(call: ToolCall, warnings: list[str]):
    si = call.si
    if not call.has("wet_bulb_temp"):
        given = [f for f in TOWER_FIELDS if call.has(f)]
        if given:
            warnings.append(
                f"{', '.join(given)} ignored: without wet_bulb_temp the system is treated as "
                "once-through (CW inlet temperature fixed)"
            )
        return None, 0
    require(call, ["tower_approach_design", "fans_installed", "fan_power"], "with wet_bulb_temp (cooling tower)")
    fans_design = si.get("fans_design") or si["fans_installed"]
    design_flow = si.get("tower_design_flow")
    if design_flow is None:
        design_flow = (
            si["cw_flow"]
            if call.has("cw_flow")
            else si["pump_rated_flow"] * (si.get("design_pumps_running") or si["pumps_running"])
        )
    kwargs = {"min_approach": si["tower_min_approach"]} if call.has("tower_min_approach") else {}
    with renamed_fields(FIELD_NAMES):
        tower = cooling_tower(
            si["wet_bulb_temp"],
            si["tower_approach_design"],
            design_flow,
            fans_design,
            si["fans_installed"],
            si["fan_power"],
            **kwargs,
        )
    return tower, si.get("fans_on") or fans_design


def tower_warnings(check: TowerCheck | None, system: str) -> list[str]:
    """The measured tower state against the approach model, worded in the caller's units."""
    if check is None:
        return []
    out = []

    def dt(value_k: float) -> str:
        return format_quantity("temperature_difference", value_k, system, 3)

    if check.model_disagrees:
        out.append(
            f"tower approach model gives {dt(check.model_approach)} at the current CW flow and fans, the "
            f"measured approach (CW inlet − wet bulb) is {dt(check.measured_approach)}: they differ by more "
            f"than {dt(TOWER_MODEL_TOLERANCE_K)}. The current state uses the measured CW inlet temperature; "
            f"the model is scaled by {check.calibration:.3f} for the other options (check wet_bulb_temp, "
            "tower_approach_design and the tower's condition)"
        )
    if check.below_min_approach:
        out.append(
            f"measured tower approach {dt(check.measured_approach)} is below the minimum approach "
            f"{dt(check.min_approach)}: the current state uses the measured CW inlet temperature and the other "
            f"options are floored at the measured approach (check wet_bulb_temp and the inlet RTD)"
        )
    return out


def option_item(o, current, optimum) -> dict:
    key = (o.pumps_running, o.speed, o.fans_on)
    item = {
        "pumps_running": o.pumps_running,
        "speed": o.speed,
        "fans_on": o.fans_on,
        "cw_flow": o.cw_flow,
        "tube_velocity": o.tube_velocity,
        "cw_inlet_temp": o.cw_inlet_temp,
        "tower_approach": o.approach,
        "backpressure": o.backpressure,
        "turbine_output_change": o.turbine_output_change,
        "pump_power": o.pump_power,
        "fan_power": o.fan_power,
        "aux_power": o.aux_power,
        "net_benefit": o.net_benefit,
        "feasible": bool(o.feasible),
        "is_current": key == (current.pumps_running, current.speed, current.fans_on),
        "is_optimum": key == (optimum.pumps_running, optimum.speed, optimum.fans_on),
        "violations": list(o.violations),
        "active_constraints": list(o.active_constraints),
    }
    return {k: v for k, v in item.items() if v is not None}


def _check_counts(call: ToolCall) -> None:
    """Pump counts from the plant (whole numbers, within the installed ones)."""
    si = call.si
    if isinstance(si.get("pumps_running"), float):  # live values arrive as numbers (Modbus register)
        if not si["pumps_running"].is_integer() or si["pumps_running"] < 0:
            raise InvalidArguments(
                [
                    f"$.pumps_running: expected a whole number of running pumps from the plant, got "
                    f"{si['pumps_running']!r}"
                ],
                call.tool.name,
            )
        si["pumps_running"] = int(si["pumps_running"])
    if si["pumps_running"] > si["pumps_installed"]:
        raise InvalidArguments(
            [f"$.pumps_running: expected at most pumps_installed ({si['pumps_installed']}), got {si['pumps_running']}"],
            call.tool.name,
        )
    if si.get("design_pumps_running") and si["design_pumps_running"] > si["pumps_installed"]:
        raise InvalidArguments(
            [
                f"$.design_pumps_running: expected at most pumps_installed "
                f"({si['pumps_installed']}), got {si['design_pumps_running']}"
            ],
            call.tool.name,
        )


def _check_options(call: ToolCall, tower) -> None:
    """Fan counts, the VFD speed range and the number of options evaluated."""
    si = call.si
    if tower is not None:
        for name in ("fans_design", "fans_on"):
            if call.has(name) and si[name] > tower.fans_installed:
                raise InvalidArguments(
                    [f"$.{name}: expected at most fans_installed ({tower.fans_installed}), got {si[name]}"],
                    call.tool.name,
                )
    if si["vfd"] and si["vfd_min_speed"] >= si["vfd_max_speed"]:
        raise InvalidArguments(
            [f"$.vfd_min_speed: expected below vfd_max_speed ({si['vfd_max_speed']}), got {si['vfd_min_speed']}"],
            call.tool.name,
        )
    n_options = (
        si["pumps_installed"]
        * (si["speed_steps"] if si["vfd"] else 1)
        * (tower.fans_installed if tower is not None else 1)
    )
    if n_options > MAX_OPTIONS:
        raise InvalidArguments(
            [
                f"$.speed_steps: expected pumps × speeds × fans ≤ {MAX_OPTIONS} options, got "
                f"{n_options} (reduce speed_steps)"
            ],
            call.tool.name,
        )


def _optimise(call: ToolCall, model, turbine, tower, fans_on: int):
    """The calculator on the SI inputs of the call."""
    si = call.si
    rho = liquid_properties(si["cw_inlet_temp"], model.salinity).density
    with renamed_fields(FIELD_NAMES):
        pump = pump_curve(
            si["pump_rated_flow"],
            si["pump_rated_head"],
            si["pump_rated_power"],
            density=rho,
            shutoff_head_ratio=si["pump_shutoff_head_ratio"],
        )
        r = optimize_cooling_water_flow(
            model,
            pump,
            turbine,
            CwFlowInputs(
                cw_inlet_temp=si["cw_inlet_temp"],
                cw_flow=si.get("cw_flow"),
                pumps_installed=si["pumps_installed"],
                pumps_running=si["pumps_running"],
                design_pumps_running=si.get("design_pumps_running"),
                static_head=si.get("static_head") or 0.0,
                vfd=si["vfd"],
                speed=si["speed"],
                speed_range=(si["vfd_min_speed"], si["vfd_max_speed"]),
                speed_steps=si["speed_steps"],
                tower=tower,
                fans_on=fans_on,
                heat_duty=si.get("heat_duty"),
                steam_flow=si.get("steam_flow"),
                cw_outlet_temp=si.get("cw_outlet_temp"),
                condenser_pressure=measured_pressure(call),
                cleanliness_factor=si.get("cleanliness_factor"),
                target_cleanliness=si.get("target_cleanliness"),
                min_tube_velocity=si["min_tube_velocity"] if call.has("min_tube_velocity") else MIN_TUBE_VELOCITY_M_S,
                pump_flow_range=(si["pump_min_flow_fraction"], si["pump_max_flow_fraction"]),
                power_price_usd_per_mwh=si.get("power_price_usd_per_mwh"),
                operating_hours_per_year=si["operating_hours_per_year"],
                max_tube_velocity=si.get("max_tube_velocity"),
            ),
        )
    return r


def _values(call: ToolCall, r) -> dict:
    """The result fields of the optimum and the current operation."""
    si = call.si
    cur, opt = r.current, r.optimum
    if opt.backpressure is None or cur.backpressure is None:  # pragma: no cover - the calculator guarantees both
        raise InvalidArguments(["$.cw_flow: the current operation could not be evaluated"], call.tool.name)
    values = {
        "optimal_cw_flow": r.optimal_cw_flow,
        "optimal_pumps_running": opt.pumps_running,
        "optimal_speed": opt.speed,
        "optimal_fans_on": opt.fans_on,
        "optimal_backpressure": opt.backpressure,
        "optimal_tube_velocity": opt.tube_velocity,
        "optimal_cw_inlet_temp": opt.cw_inlet_temp,
        "optimal_aux_power": opt.aux_power,
        "current_cw_flow": cur.cw_flow if not call.has("cw_flow") else si["cw_flow"],
        "current_backpressure": cur.backpressure,
        "current_aux_power": cur.aux_power,
        "net_benefit_mw": r.net_benefit,
        "turbine_gain_mw": (opt.turbine_output_change or 0.0) - (cur.turbine_output_change or 0.0),
        "aux_power_change_kw": opt.aux_power - cur.aux_power,
        "expected_savings_usd_per_hour": r.expected_savings_usd_per_hour,
        "expected_savings_usd_per_year": r.expected_savings_usd_per_year,
        "active_constraints": list(r.active_constraints),
        "options_evaluated": len(r.options),
        "options_feasible": sum(1 for o in r.options if o.feasible),
        "options": [option_item(o, cur, opt) for o in r.options],
        "recommendations": recommendation_items(r.recommendations),
    }
    return values


def _summary(call: ToolCall, r, tower) -> str:
    si = call.si
    opt = r.optimum
    flow = summary_number(call.to_caller("volumetric_flow", r.optimal_cw_flow), call.unit("volumetric_flow"))
    bp = summary_number(call.to_caller("pressure", opt.backpressure), call.unit("pressure"))
    text = (
        f"Optimum: {opt.pumps_running} pump(s)"
        + (f" at {100 * opt.speed:.0f} % speed" if si["vfd"] else "")
        + (f", {opt.fans_on} fan(s)" if tower is not None else "")
        + f": CW flow {flow}, backpressure {bp}; "
        f"net benefit {r.net_benefit / 1e6:.4g} MW vs current"
    )
    if r.expected_savings_usd_per_year is not None:
        text += f" ({r.expected_savings_usd_per_year:.6g} USD/yr)"
    if r.active_constraints:
        text += f"; active constraints: {', '.join(r.active_constraints)}"
    return text


def handle(call: ToolCall) -> ToolOutput:
    warnings: list[str] = []
    model = condenser_from(call)
    turbine, t_warn = turbine_from(call)
    warnings.extend(t_warn)
    if turbine is None:
        raise InvalidArguments(
            [
                "$.turbine_curve_pressure: required (or rated_output_mw for the generic curve) to "
                "value the backpressure change of each option, got nothing"
            ],
            call.tool.name,
        )
    _check_counts(call)
    tower, fans_on = _tower(call, warnings)
    _check_options(call, tower)
    r = _optimise(call, model, turbine, tower, fans_on)
    values = _values(call, r)
    warnings.extend(w for w in r.warnings if w not in warnings)
    warnings.extend(tower_warnings(r.tower_check, call.unit_system))
    warnings.extend(hei_basis_warnings(r.hei_basis, model.tube_material))
    return ToolOutput(
        values=values,
        method=dict(r.method),
        warnings=warnings,
        summary=_summary(call, r, tower),
        history=HistoryRecord(),
    )


TOOL = register(
    ToolDefinition(
        name="optimize_cooling_water_flow",
        title="CW pump and tower-fan options: backpressure, turbine output, auxiliary power, optimum",
        description=(
            "For the CW pump options (1..pumps_installed identical pumps, fixed speed or a VFD speed range) "
            "and, with wet_bulb_temp, the tower-fan options: the operating point on the pump and system "
            "curves (static head honoured), tube velocity, CW inlet temperature (tower: wet bulb + "
            "approach), expected backpressure at the current cleanliness, turbine output change (caller's "
            "correction curve, or the GENERIC curve scaled to rated_output_mw; no gain below the choke "
            "point), pump and fan power and the net benefit vs the current operation; the optimum "
            "(optimal_cw_flow, net_benefit_mw), its active constraints (choke point, tower approach, tube "
            "velocity and pump flow limits) and the expected savings per hour and per year at "
            "power_price_usd_per_mwh. " + CALCULATOR_NOTE
        ),
        version="1.0.3",
        input_model=CwFlowInput,
        output_model=CwFlowOutput,
        handler=handle,
        live_fields=LIVE_FIELDS,
        required_supplied=("cw_inlet_temp",),
        required_always=(
            "pump_rated_flow",
            "pump_rated_head",
            "pump_rated_power",
            "pumps_installed",
            "pumps_running",
            ("heat_duty", "cw_outlet_temp", "steam_flow"),
            *TUBE_DATA_RULES,
        ),
    )
)
