# SPDX-License-Identifier: MIT
"""Tool ``calculate_fouling_factor``: fouling resistance and cleanliness now, the TEMA
allowance, the fouling trend (linear and Kern–Seaton fits), days until the cleaning trigger,
the cleaning method and the economic cleaning interval.

Calls :func:`condensync_tools.calculators.fouling.calculate_fouling_factor`; the current
state comes from u_actual + u_clean, a cleanliness factor, or a measured snapshot through the
heat-transfer chain. The history is the caller's ``history`` or, when none is given and a
``condenser_id`` is set, the stored history of the ``history`` service
(``call.context.services["history"].fouling_history(condenser_id)``).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import replace
from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from ..calculators import hei
from ..calculators.economics import Action, usd_per_day
from ..calculators.fouling import (
    FOULANTS,
    MIN_TRIGGER_CLEANLINESS,
    MIN_VELOCITY_FOULING_M_S,
    FoulingInputs,
    calculate_fouling_factor,
    cleaning_schedule,
    economic_loss_base,
)
from ..calculators.vacuum import cleanliness_lost_output, expected_backpressure, fouling_loss_function
from ..errors import InvalidArguments
from ..registry import HistoryRecord, ToolCall, ToolDefinition, ToolOutput, register
from ..units import format_quantity
from .common import CALCULATOR_NOTE, ToolInput, ToolResult, quantity, summary_number
from .cycles_out import (
    CycleFields,
    cleaning_events_out,
    cycles_out,
    day_text,
    forecast_reason,
)
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
    require,
    turbine_from,
)

__all__ = [
    "FoulingInput",
    "FoulingFields",
    "FoulingOutput",
    "HistoryPoint",
    "TOOL",
    "LIVE_FIELDS",
    "parse_timestamp",
    "TIMESTAMP_PATTERN",
]

LIVE_FIELDS = ("cw_inlet_temp", "cw_outlet_temp", "cw_flow", "condenser_pressure")
#: ISO 8601 date or date-time, optional fraction and offset (UTC when absent).
TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$"
Foulant = Literal[FOULANTS]  # type: ignore[valid-type]
_DAY_S = 86400.0
FIELD_NAMES = {"lost_power_fn": "cleaning_cost_usd", "lost_power_per_fouling": "cleaning_cost_usd"}


class HistoryPoint(ToolInput):
    timestamp: str = Field(
        pattern=TIMESTAMP_PATTERN,
        description="ISO 8601 date or date-time of the point, e.g. "
        "2025-03-01 or 2025-03-01T12:00:00Z (UTC when no offset)",
    )
    cleanliness_factor: float = Field(
        None,
        gt=0,
        le=1.5,
        description="Cleanliness factor at that time (a "
        "fraction); give it or fouling_resistance, the same for every point [1]",
    )
    fouling_resistance: quantity("fouling_resistance", "Fouling resistance at that time", ge=-0.01, le=0.1) = None


class FoulingFields(ToolInput):
    """Fields of calculate_fouling_factor beyond the shared groups (shared with
    analyze_condenser_performance)."""

    u_actual: quantity(
        "htc",
        "Actual (test) overall coefficient; with u_clean gives the fouling now",
        plausible=(20.0, 15_000.0),
        gt=0,
    ) = None
    u_clean: quantity(
        "htc",
        "Clean overall coefficient at the same conditions (HEI or first principles)",
        plausible=(50.0, 15_000.0),
        gt=0,
    ) = None
    tube_velocity: quantity(
        "velocity",
        "Mean tube water velocity (TEMA column, velocity note); default: from cw_flow and the tube data",
        plausible=(0.05, 6.0),
        gt=0,
    ) = None
    history: list[HistoryPoint] = Field(
        None,
        min_length=1,
        max_length=20_000,
        description=(
            "Fouling history: objects {timestamp, cleanliness_factor} or {timestamp, fouling_resistance}, any "
            "span (several cleaning cycles welcome: cleanings are detected and the current cycle is fitted; a "
            "trend needs 5 daily points over 7 days in the current cycle); default: the stored history of "
            "condenser_id when the server has one"
        ),
    )
    last_cleaning_date: str = Field(
        "",
        pattern=r"^$|" + TIMESTAMP_PATTERN,
        description=(
            "ISO 8601 date of the last known cleaning (more are detected in the history as step recoveries); "
            "the current cycle starts at the last cleaning, given or detected"
        ),
    )
    cleaning_dates: list[Annotated[str, Field(pattern=TIMESTAMP_PATTERN)]] = Field(
        [],
        max_length=1000,
        description=(
            "Known cleaning dates (ISO 8601), e.g. from maintenance records or the plant configuration; merged "
            "with the detected ones (within 3 days: the same cleaning)"
        ),
    )
    trigger_cleanliness: float = Field(
        0.75,
        ge=MIN_TRIGGER_CLEANLINESS,
        lt=1,
        description="Cleaning trigger cleanliness factor, default 0.75 (policy value, 0.75-0.80 typical) [1]",
    )
    trigger_fouling_resistance: quantity(
        "fouling_resistance",
        "Cleaning trigger as a fouling resistance (for a fouling_resistance history without u_clean)",
        gt=0,
    ) = None
    due_window_days: quantity(
        "duration_days", "Cleaning is due when the trigger is forecast within this many days", ge=0, le=3650
    ) = 30.0
    foulant: Foulant = Field(
        "unknown",
        description="Known foulant (biofilm, silt, scale, macrofouling, "
        "corrosion_products) or 'unknown' (then the trend shape suggests the method) [1]",
    )
    cleaning_cost_usd: quantity(
        "money_usd",
        "Cost of one cleaning (with power_price_usd_per_mwh, tube data, the "
        "CW state and a turbine curve or rated_output_mw: the economic interval)",
        gt=0,
        le=1e9,
    ) = None
    max_interval_days: quantity("duration_days", "Horizon of the economic-interval search", ge=2, le=36_500) = 3650.0


class FoulingInput(CommonFields, SnapshotFields, FoulingFields, DutyFields, TubeFields, TurbineFields):
    pass


class FitItem(BaseModel):
    model: Literal["linear", "kern_seaton"] = Field(
        description="linear R = r0 + beta·t, or Kern–Seaton R = "
        "r0 + r_inf·(1 − e^(−t/tau)), t in days since the start of the current cycle"
    )
    basis: Literal["fouling_index", "fouling_resistance"] = Field(
        description="Fitted quantity: fouling index 1/CF − 1 (a CF history) or fouling resistance"
    )
    level_unit: str = Field(description="Unit of r0, r_inf, rmse and the trigger level ('1' for the index)")
    rate_unit: str = Field(description="Unit of beta")
    selected: bool = Field(description="This model was chosen (lower AICc; ties go to linear)")
    r0: float = Field(
        None, description="Fouling level at the start of the current cycle (residual after cleaning), in level_unit"
    )
    beta: float = Field(None, description="Linear: fouling rate, in rate_unit")
    r_inf: float = Field(None, description="Kern–Seaton: asymptotic fouling level, in level_unit")
    tau: quantity("duration_days", "Kern–Seaton: time constant") = None
    n: int = Field(description="Points fitted [1]")
    r2: float = Field(description="Coefficient of determination R² [1]")
    adj_r2: float = Field(description="Adjusted R² [1]")
    rmse: float = Field(description="Root-mean-square residual, in level_unit")
    aicc: float = Field(
        description="Small-sample corrected Akaike criterion (computed on SI values; lower is better) [1]"
    )
    days_until_cleaning: quantity(
        "duration_days", "Days until this model reaches the trigger (omitted when never reached)"
    ) = None
    forecast: str = Field(description="How the days were computed, or why the trigger is never reached")
    notes: list[str] = Field(description="Fit notes (e.g. time constant at a search bound: not identifiable)")
    parameters_fitted: int = Field(description="Parameters fitted on the current cycle (AICc k) [1]")
    shape_source: str = Field(
        None,
        description="Kern–Seaton: 'fitted', 'tau_from_earlier_cycles' or 'tau_and_r_inf_from_earlier_cycles'",
    )


class FoulingOutput(CycleFields, ToolResult):
    fouling_resistance: quantity(
        "fouling_resistance",
        "Fouling resistance now, 1/U_actual − 1/U_clean "
        "(needs U values, the snapshot, or u_clean with a cleanliness factor)",
    ) = None
    cleanliness_factor: float = Field(None, description="Cleanliness factor now, U_actual/U_clean [1]")
    u_actual: quantity("htc", "Actual overall coefficient used") = None
    u_clean: quantity("htc", "Clean overall coefficient used") = None
    tema_fouling_resistance: quantity(
        "fouling_resistance",
        "TEMA RGP-T-2.4 design fouling allowance for the "
        "water type (a design reference: HEI's cleanliness factor plays that role; "
        "do not add it to an HEI U)",
    ) = None
    tema_water_type: str = Field(None, description="TEMA category label used")
    tema_column: str = Field(None, description="TEMA column: water temperature ≤/> 125 °F, velocity ≤/> 3 ft/s")
    tema_exceeded: bool = Field(None, description="The fouling resistance now exceeds the TEMA allowance")
    history_source: Literal["none", "supplied", "stored"] = Field(description="Where the history came from")
    history_points: int = Field(description="History points used [1]")
    history_span_days: quantity(
        "duration_days", "Days from the start of the current cycle to its last history point"
    ) = None
    trend_cleanliness_factor: float = Field(
        None,
        description="Cleanliness factor the current-cycle trend gives at the last history time (fouling only: "
        "compare with the measured one); omitted without a trend (trend_status insufficient_history or "
        "no_history) or for a fouling-resistance history without u_clean [1]",
    )
    fit_basis: str = Field(None, description="fouling_index (1/CF − 1) or fouling_resistance")
    fits: list[FitItem] = Field(
        description="Linear and Kern–Seaton fits with goodness of fit (empty without a history)"
    )
    selected_model: str = Field(None, description="Model chosen for the forecast")
    selection_reason: str = Field(description="Why that model (or why none)")
    trigger_cleanliness: float = Field(description="Cleaning trigger cleanliness factor used [1]")
    days_until_cleaning: quantity(
        "duration_days",
        "Days until the cleaning trigger under the chosen model (0 when "
        "already at or beyond it); omitted when never reached or not computable, see "
        "days_until_cleaning_status",
    ) = None
    days_until_cleaning_status: Literal[
        "forecast", "already_at_trigger", "not_reached", "no_history", "insufficient_history", "not_computable"
    ] = Field(description="Meaning of days_until_cleaning")
    days_until_cleaning_reason: str = Field(description="How the days were computed, or why there is no number")
    cleaning_due: bool = Field(
        description="At or beyond the trigger now, or the trigger forecast within due_window_days"
    )
    recommended_method: str = Field(
        description="Recommended cleaning method: online_ball_cleaning, "
        "brushes_scrapers, hydro_blasting, chemical_cleaning or debris_filter"
    )
    recommended_method_reason: str = Field(description="Why that method")
    alternative_methods: list[str] = Field(description="Alternative cleaning methods")
    lost_output_mw: quantity(
        "power_mw",
        "Turbine output lost now by fouling beyond the target cleanliness (needs "
        "tube data, CW state and a turbine curve or rated_output_mw)",
    ) = None
    cost_usd_per_day: quantity("money_usd_per_day", "Value of lost_output_mw at power_price_usd_per_mwh") = None
    economic_interval_days: quantity(
        "duration_days", "Economic cleaning interval minimising (cleaning cost + lost-output cost)/interval"
    ) = None
    economic_cost_usd_per_day: quantity("money_usd_per_day", "Minimum average cost rate at that interval") = None
    economic_lost_output_mw: quantity("power_mw", "Output lost just before cleaning at that interval") = None
    economic_interval_status: Literal["optimum", "no_optimum", "not_computed"] = Field(
        None, description="Economic interval result; omitted when cleaning_cost_usd is not given"
    )
    economic_interval_reason: str = Field(None, description="How it was computed, or why there is no optimum")
    recommendations: list[RecommendationItem] = Field(
        description="Cleaning action when due, valued by the output it recovers"
    )


# --------------------------------------------------------------------------- history
def parse_timestamp(text: str, path: str, tool: str) -> datetime:
    """An ISO 8601 timestamp as an aware UTC datetime (naive = UTC)."""
    try:
        ts = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise InvalidArguments([f"{path}: expected an ISO 8601 date or date-time, got string {text!r}"], tool) from None
    return ts.replace(tzinfo=timezone.utc) if ts.tzinfo is None else ts.astimezone(timezone.utc)


def _points(call: ToolCall, method: dict, warnings: list[str]) -> tuple[str, list[tuple[datetime, dict, str]]]:
    """(source, [(time, point SI, json path)]) from the arguments or the stored history."""
    tool = call.tool.name
    if call.has("history"):
        method["history"] = "supplied by the caller"
        return "supplied", [
            (parse_timestamp(p["timestamp"], f"$.history[{i}].timestamp", tool), p, f"$.history[{i}]")
            for i, p in enumerate(call.si["history"])
        ]
    condenser_id = call.args.get("condenser_id") or ""
    service = call.context.services.get("history") if condenser_id else None
    if service is None:
        return "none", []
    rows = list(service.fouling_history(condenser_id, unit_system="SI"))  # R_f in SI, as the calculator takes it
    if not rows:
        warnings.append(f"no stored fouling history for condenser {condenser_id!r}: no trend fitted")
        return "none", []
    points = []
    for i, row in enumerate(rows):
        p = {k: row.get(k) for k in ("timestamp", "cleanliness_factor", "fouling_resistance")}
        for k in ("cleanliness_factor", "fouling_resistance"):
            if p[k] is not None and not (isinstance(p[k], (int, float)) and math.isfinite(p[k])):
                p[k] = None
        points.append(
            (
                parse_timestamp(str(p["timestamp"]), f"stored history[{i}].timestamp", tool),
                p,
                f"stored history[{i}]",
            )
        )
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode("utf-8")).hexdigest()
    method["history"] = (
        f"stored history of condenser {condenser_id} ({len(rows)} points, sha256 {digest}); no history argument given"
    )
    return "stored", points


def given_cleanings(call: ToolCall) -> list[float]:
    """Known cleaning times [days since 1970-01-01 UTC]: last_cleaning_date and cleaning_dates."""
    tool = call.tool.name
    texts = [("$.last_cleaning_date", call.args.get("last_cleaning_date") or "")]
    texts += [(f"$.cleaning_dates[{i}]", d) for i, d in enumerate(call.args.get("cleaning_dates") or [])]
    return [parse_timestamp(text, path, tool).timestamp() / _DAY_S for path, text in texts if text]


def history_series(
    call: ToolCall, method: dict, warnings: list[str]
) -> tuple[str, list[float] | None, list[float] | None, str]:
    """(source, times [days since 1970-01-01 UTC], values, kind) of the history, or Nones.

    Every point is kept (earlier cycles show the condenser's fouling shape); cleanings split
    the history into cycles in the calculator. Repeated timestamps are averaged there."""
    tool = call.tool.name
    source, points = _points(call, method, warnings)
    if not points:
        return source, None, None, "cleanliness_factor"
    if source == "stored":
        with_cf = [p for p in points if p[1].get("cleanliness_factor") is not None]
        kind = "cleanliness_factor" if with_cf else "fouling_resistance"
        usable = with_cf or [p for p in points if p[1].get("fouling_resistance") is not None]
        if not usable:
            warnings.append("stored history has no usable point: no trend fitted")
            return "none", None, None, kind
        points = usable
    else:
        first = points[0][1]
        kind = "cleanliness_factor" if first.get("cleanliness_factor") is not None else "fouling_resistance"
        for _, p, path in points:
            if p.get(kind) is None:
                other = "fouling_resistance" if kind == "cleanliness_factor" else "cleanliness_factor"
                got = f"{other} only" if p.get(other) is not None else "neither"
                raise InvalidArguments(
                    [f"{path}.{kind}: required (every point gives the same quantity as history[0]: {kind}), got {got}"],
                    tool,
                )
    points.sort(key=lambda p: p[0])
    method["history_time"] = "days since 1970-01-01 UTC; daily points (mean per UTC day)"
    return source, [t.timestamp() / _DAY_S for t, _, _ in points], [float(p[kind]) for _, p, _ in points], kind


# --------------------------------------------------------------------------- handler
def _current_inputs(call: ToolCall, warnings: list[str]):
    """(condenser model or None, HeatTransferInputs or None), enforcing that the fouling state
    is known from somewhere: U values, a cleanliness factor, a history, or the snapshot."""
    snap = ("cw_inlet_temp", "cw_outlet_temp", "cw_flow")
    p = measured_pressure(call)
    given = [n for n in snap if call.has(n)] + (["condenser_pressure"] if p is not None else [])
    complete = len(given) == 4
    tubes_given = any(call.has(n) for n in ("tube_od", "tube_count", "tube_length", "surface_area"))
    stored = bool(call.args.get("condenser_id")) and call.context.services.get("history") is not None
    other = call.has("u_actual") or call.has("cleanliness_factor") or call.has("history") or stored
    if call.has("u_actual"):
        require(call, ["u_clean"], "with u_actual (fouling resistance = 1/u_actual − 1/u_clean)")
    model = condenser_from(call) if tubes_given or (complete and not other) else None
    if complete and model is not None:
        si = call.si
        return model, model.heat_transfer_inputs(si["cw_inlet_temp"], si["cw_outlet_temp"], si["cw_flow"], p)
    if other:
        if complete:
            warnings.append(
                "snapshot given without tube data: not used for the fouling state (give tube_od, "
                "tube_count and tube_length or surface_area)"
            )
        elif given and "cw_outlet_temp" in given:
            warnings.append(
                "incomplete snapshot (cw_inlet_temp, cw_outlet_temp, cw_flow and condenser_pressure "
                "are all needed): the fouling state comes from the other arguments"
            )
        return model, None
    if given:
        require(
            call,
            list(snap) + [("condenser_pressure", "vacuum_gauge")],
            "for the fouling state from a measured snapshot",
        )
    raise InvalidArguments(
        [
            "$.cleanliness_factor: required (or u_actual with u_clean / history / the snapshot "
            "cw_inlet_temp, cw_outlet_temp, cw_flow, condenser_pressure with tube data) to know "
            "the fouling state, got nothing"
        ],
        call.tool.name,
    )


def _loss_chain(call: ToolCall, model, warnings: list[str], method: dict):
    """(turbine, duty [W]) for valuing fouling, or (None, None) when the chain lacks inputs."""
    if model is None or not (call.has("cw_inlet_temp") and call.has("cw_flow")):
        return None, None
    if not (call.has("heat_duty") or call.has("cw_outlet_temp") or call.has("steam_flow")):
        return None, None
    turbine, t_warn = turbine_from(call)
    if turbine is None:
        return None, None
    warnings.extend(t_warn)
    op = operating_state(call, model, 1.0, call.si.get("target_cleanliness"))
    method["loss_chain_heat_duty"] = op.method["heat_duty"]
    method.update(turbine.method)
    return turbine, op.heat_duty


def _clean_u(call: ToolCall, model, measurement, duty: float | None, kind: str, method: dict) -> float | None:
    """U_clean for the economics: the caller's, else (no snapshot, a loss chain and a cleanliness
    history or CF) the clean U of the condenser at the current CW conditions."""
    si = call.si
    u_clean = si.get("u_clean")
    if u_clean is not None or measurement is not None or duty is None:
        return u_clean
    if not (call.has("cleanliness_factor") or kind == "cleanliness_factor"):
        return None
    method["u_clean"] = "clean U of the condenser at the current CW conditions (HEI/first principles chain)"
    return expected_backpressure(model, si["cw_inlet_temp"], si["cw_flow"], duty, cleanliness_factor=1.0).u_clean


def _economic_loss(call: ToolCall, model, turbine, duty: float | None, r, method: dict):
    """L(ΔR_f) [W] for the economic interval: the turbine curve between the expected
    backpressure at R_f0 + growth and at R_f0 (vacuum chain), or None without a loss chain."""
    base = economic_loss_base(r)
    if turbine is None or base is None:
        return None
    si = call.si
    method["economic_loss"] = (
        "turbine curve between the expected backpressure at R_f0 + growth and at "
        "R_f0 (vacuum chain); beyond the curve's last point (or 80 °C saturation) "
        "the loss is held at the curve's last point, never extrapolated"
    )
    return fouling_loss_function(
        model,
        turbine,
        cw_inlet_temp=si["cw_inlet_temp"],
        cw_flow=si["cw_flow"],
        heat_duty=duty,
        base_fouling_resistance=base,
        hold_at_curve_end=True,
    )


def _fouling_inputs(call: ToolCall, measurement, u_clean, tube_velocity, history, cleanings) -> FoulingInputs:
    """The calculator inputs (SI) from the call (no economics)."""
    si = call.si
    days, values_h, kind = history
    return FoulingInputs(
        u_actual=si.get("u_actual"),
        u_clean=u_clean if measurement is None else None,
        cleanliness_factor=si.get("cleanliness_factor"),
        measurement=measurement,
        water_type=si["water_type"],
        water_temp=si.get("cw_outlet_temp") if measurement is None else None,
        tube_velocity=tube_velocity,
        history_days=days,
        history_values=values_h,
        history_kind=kind,
        cleaning_days=cleanings,
        trigger_cleanliness=si["trigger_cleanliness"],
        trigger_fouling_resistance=si.get("trigger_fouling_resistance"),
        due_window_days=si["due_window_days"],
        foulant=si["foulant"],
        power_price_usd_per_mwh=si.get("power_price_usd_per_mwh"),
        max_interval_days=si["max_interval_days"],
    )


def _lost_output(call: ToolCall, model, turbine, duty, cf_now, method: dict) -> tuple[float | None, float | None]:
    """(output lost at the current vs the target cleanliness [W], its value [USD/d]), or Nones."""
    si = call.si
    target = si.get("target_cleanliness")
    if target is None and model is not None:
        target = hei.design_cleanliness_default(si["tube_material"])
    if turbine is None or cf_now is None or target is None:
        return None, None
    with renamed_fields():
        lost = cleanliness_lost_output(model, turbine, si["cw_inlet_temp"], si["cw_flow"], duty, cf_now, target)
    method["lost_output"] = (
        "turbine curve between the expected backpressure at the current cleanliness and "
        "at the target cleanliness (vacuum chain)"
    )
    price = si.get("power_price_usd_per_mwh")
    return lost, usd_per_day(lost, price) if price is not None else None


def _schedule(call: ToolCall, r) -> tuple[float | None, str, str]:
    """(days until cleaning, status, reason in the caller's units)."""
    days_out, status = cleaning_schedule(r)
    level_kind = "fouling_resistance" if r.fit_basis == "fouling_resistance" else None
    if status == "already_at_trigger" and r.days_until_cleaning is None:
        reason = "already at or beyond the cleaning trigger"
    elif r.selected_model in r.forecasts:
        reason = forecast_reason(r.forecasts[r.selected_model], r.trigger_level, level_kind, call.unit_system)
    else:
        reason = r.days_until_cleaning_reason
    return days_out, status, reason


def _fits_out(call: ToolCall, r) -> list[dict]:
    """Each fitted model as an output item, levels in the caller's units."""
    level_kind = "fouling_resistance" if r.fit_basis == "fouling_resistance" else None
    level_unit = call.unit("fouling_resistance") if level_kind else "1"
    conv = (lambda v: call.to_caller(level_kind, v)) if level_kind else float  # noqa: E731
    fits = []
    for name, fit in r.fits.items():
        fc = r.forecasts.get(name)
        item: dict[str, Any] = {
            "model": name,
            "basis": fit.basis,
            "level_unit": level_unit,
            "rate_unit": f"{level_unit}/d" if level_kind else "1/d",
            "selected": name == r.selected_model,
            "n": int(fit.n),
            "r2": fit.r2,
            "adj_r2": fit.adj_r2,
            "rmse": conv(fit.rmse),
            "aicc": fit.aic,
            "notes": list(fit.notes),
            "forecast": (
                forecast_reason(fc, r.trigger_level, level_kind, call.unit_system)
                if fc is not None
                else "trigger not computable"
            ),
            "parameters_fitted": fit.k,
            "r0": conv(fit.params["r0"]),
        }
        if name == "linear":
            item["beta"] = conv(fit.params["beta"])
        else:
            item.update(r_inf=conv(fit.params["r_inf"]), tau=fit.params["tau"], shape_source=fit.shape_source)
        if fc is not None and fc.days is not None:
            item["days_until_cleaning"] = fc.days
        fits.append(item)
    return fits


def _extra_values(r, economics: bool, why: str | None) -> dict:
    """Trend CF, cycle start, TEMA allowance and the economic interval, where known."""
    values: dict[str, Any] = {}
    if r.trend_cleanliness_factor is not None:
        values["trend_cleanliness_factor"] = r.trend_cleanliness_factor
    if r.cycles is not None and r.cycles.trend.origin is not None:
        values["current_cycle_start"] = day_text(r.cycles.trend.origin)
    if r.tema is not None:
        values.update(
            tema_fouling_resistance=r.tema.fouling_resistance,
            tema_water_type=r.tema.label,
            tema_column=r.tema.column,
        )
        if r.fouling_resistance is not None:
            values["tema_exceeded"] = bool(r.fouling_resistance > r.tema.fouling_resistance)
    econ = r.economic
    if economics and econ is not None:
        values.update(
            economic_interval_days=econ.interval_days,
            economic_cost_usd_per_day=econ.cost_usd_per_day,
            economic_lost_output_mw=econ.lost_output_at_interval,
            economic_interval_status="optimum" if econ.interval_days is not None else "no_optimum",
            economic_interval_reason=econ.reason,
        )
    elif economics:
        values.update(
            economic_interval_status="not_computed",
            economic_interval_reason=why or "economic cleaning interval not computed",
        )
    return values


def _summary_text(call: ToolCall, r, days_out: float | None, status: str) -> str:
    text = []
    if r.cleanliness_factor is not None:
        text.append(f"Cleanliness factor {r.cleanliness_factor:.3f}")
    if r.fouling_resistance is not None:
        text.append(
            "fouling resistance "
            + summary_number(
                call.to_caller("fouling_resistance", r.fouling_resistance), call.unit("fouling_resistance")
            )
        )
    if r.selected_model is not None:
        text.append(f"trend {r.selected_model} ({len(r.cycles.trend.t)} daily points in the current cycle)")
    text.append(
        f"days until cleaning: {days_out:.4g} d"
        if days_out is not None
        else f"days until cleaning: {status.replace('_', ' ')}"
    )
    text.append(f"cleaning due: {'yes' if r.cleaning_due else 'no'}; method {r.recommended_method}")
    econ = r.economic
    if econ is not None and econ.interval_days is not None:
        text.append(f"economic interval {econ.interval_days:.4g} d")
    return "; ".join(text)


def _compute(call: ToolCall, warnings: list[str], method: dict):
    """Run the calculator (twice when the economic interval is asked: the loss function needs the
    chosen trend); returns (result, model, turbine, duty, the warning why the interval is not
    computed when it is the tool's own)."""
    si = call.si
    model, measurement = _current_inputs(call, warnings)
    source, days, values_h, kind = history_series(call, method, warnings)
    cleanings = given_cleanings(call)
    turbine, duty = _loss_chain(call, model, warnings, method)
    u_clean = _clean_u(call, model, measurement, duty, kind, method)
    tube_velocity = si.get("tube_velocity")
    if tube_velocity is None and measurement is None and model is not None and call.has("cw_flow"):
        tube_velocity = model.bundle.velocity(si["cw_flow"])
    x = _fouling_inputs(call, measurement, u_clean, tube_velocity, (days, values_h, kind), cleanings)
    with renamed_fields(FIELD_NAMES):
        r = calculate_fouling_factor(x)
    own_note = None
    if call.has("cleaning_cost_usd"):
        loss_fn = _economic_loss(call, model, turbine, duty, r, method)
        with renamed_fields(FIELD_NAMES):
            r = calculate_fouling_factor(replace(x, cleaning_cost_usd=si["cleaning_cost_usd"], lost_power_fn=loss_fn))
        if loss_fn is None and r.selected_model is not None:
            own_note = (
                "economic cleaning interval not computed: valuing fouling needs tube data, "
                "cw_inlet_temp, cw_flow, a heat duty and a turbine curve (or rated_output_mw)"
            )
            warnings.append(own_note)
    return r, model, turbine, duty, (source, days), own_note


def handle(call: ToolCall) -> ToolOutput:
    si = call.si
    warnings: list[str] = []
    method: dict = {}
    r, model, turbine, duty, (source, days), own_note = _compute(call, warnings, method)
    warnings.extend(_worded_warnings(r, call.unit_system))
    # the calculator's "needs the lost power" is worded by the tool (own_note) in terms of its inputs
    replaced = r.economic_note if r.economic_status == "needs_lost_power" else None
    warnings.extend(w for w in r.warnings if w not in warnings and w != replaced)
    warnings.extend(_hei_warnings(call, model, duty, r))
    method.update(r.method)
    lost, cost = _lost_output(call, model, turbine, duty, r.cleanliness_factor, method)
    days_out, status, reason = _schedule(call, r)
    actions = []
    if r.cleaning_due:
        price = si.get("power_price_usd_per_mwh")
        value = lost or 0.0
        actions.append(
            Action(
                "clean_tubes",
                f"cleaning due ({reason}); method {r.recommended_method}: {r.method_reason}",
                value,
                usd_per_day(value, price) if price is not None else None,
                "fouling",
            )
        )
    index_known = r.fit_basis == "fouling_index" or r.u_clean is not None
    conv = (lambda v: call.to_caller("fouling_resistance", v)) if r.fit_basis == "fouling_resistance" else float  # noqa: E731
    values = {
        "fouling_resistance": r.fouling_resistance,
        "cleanliness_factor": r.cleanliness_factor,
        "u_actual": r.u_actual,
        "u_clean": r.u_clean,
        "history_source": source if days is not None else "none",
        "history_points": len(days) if days is not None else 0,
        "history_span_days": r.history_span_days,
        "trend_status": r.trend_status,
        "trend_status_reason": r.trend_reason,
        "cleaning_events": cleaning_events_out(r.cycles, index_known) if r.cycles is not None else [],
        "cycles": cycles_out(r.cycles, conv, index_known) if r.cycles is not None else [],
        "fit_basis": r.fit_basis,
        "fits": _fits_out(call, r),
        "selected_model": r.selected_model,
        "selection_reason": r.selection_reason,
        "trigger_cleanliness": r.trigger_cleanliness,
        "days_until_cleaning": days_out,
        "days_until_cleaning_status": status,
        "days_until_cleaning_reason": reason,
        "cleaning_due": bool(r.cleaning_due),
        "recommended_method": r.recommended_method,
        "recommended_method_reason": _method_reason(r, call.unit_system),
        "alternative_methods": list(r.alternative_methods),
        "lost_output_mw": lost,
        "cost_usd_per_day": cost,
        "recommendations": recommendation_items(actions),
    }
    why = own_note or (r.economic_note if r.economic_status != "needs_lost_power" else None)
    values.update(_extra_values(r, call.has("cleaning_cost_usd"), why))
    return ToolOutput(
        values=values,
        method=method,
        warnings=warnings,
        summary=_summary_text(call, r, days_out, status),
        history=HistoryRecord(r.cleanliness_factor, r.fouling_resistance),
    )


def _hei_warnings(call: ToolCall, model, duty: float | None, r) -> list[str]:
    """The HEI-basis caveats of the clean U behind this output: the snapshot's, else (with a loss
    chain) the vacuum chain's at the current CW conditions (u_clean, lost output, economics)."""
    basis = r.hei_basis
    if basis is None and duty is not None and model.clean_u_method == "hei":
        si = call.si
        basis = expected_backpressure(model, si["cw_inlet_temp"], si["cw_flow"], duty, cleanliness_factor=1.0).hei_basis
    return hei.hei_basis_warnings(basis, call.si["tube_material"])


def _worded_warnings(r, system: str) -> list[str]:
    """Warnings the calculator reports as typed values, worded in the caller's units."""
    out = []
    if r.tema_exceeded:
        now = format_quantity("fouling_resistance", r.fouling_resistance, system, 3)
        allowance = format_quantity("fouling_resistance", r.tema.fouling_resistance, system, 3)
        out.append(f"current fouling resistance {now} exceeds the TEMA design allowance {allowance} for {r.tema.label}")
    if r.trend_status == "poor_fit":
        out.append(f"fouling trend: {r.trend_reason}")
    elif r.trend_status == "insufficient_history":
        out.append(f"no fouling trend: {r.trend_reason}")
    return out


def _method_reason(r, system: str) -> str:
    if not r.low_velocity:
        return r.method_reason
    return (
        f"{r.method_reason}; tube velocity below {format_quantity('velocity', MIN_VELOCITY_FOULING_M_S, system, 3)} "
        "favours deposition (raise CW flow if possible)"
    )


TOOL = register(
    ToolDefinition(
        name="calculate_fouling_factor",
        title="Condenser fouling now, its trend, cleaning date, method and economic interval",
        description=(
            "Fouling of a steam surface condenser: fouling resistance and cleanliness now (from u_actual + "
            "u_clean, a cleanliness_factor, or the measured snapshot "
            "cw_inlet_temp/cw_outlet_temp/cw_flow/condenser_pressure with tube data through the HEI / PTC "
            "12.2 chain); the TEMA RGP-T-2.4 allowance for the water_type; with a history (array of "
            "{timestamp ISO 8601, cleanliness_factor} or {timestamp, fouling_resistance}; or the stored "
            "history of condenser_id) the cleanings (detected or given) and fouling cycles, linear and "
            "Kern–Seaton asymptotic fits of the current cycle with R², RMSE and AICc and a trend_status, the "
            "chosen model, trend_cleanliness_factor, days_until_cleaning to the trigger_cleanliness (or "
            "days_until_cleaning_status 'not_reached' with the reason — never a made-up number), cleaning_due, "
            "the recommended cleaning method with its reason, and with cleaning_cost_usd and "
            "power_price_usd_per_mwh the economic cleaning interval. " + CALCULATOR_NOTE
        ),
        version="1.1.2",
        input_model=FoulingInput,
        output_model=FoulingOutput,
        handler=handle,
        live_fields=LIVE_FIELDS,
    )
)
