# SPDX-License-Identifier: MIT
"""Tool ``analyze_performance_history``: the heat-transfer test chain on a whole time series.

Every row goes through the chain of ``calculate_heat_transfer_coefficient`` (vectorised in
:mod:`condensync_tools.calculators.history`, equal to the per-call results to round-off);
rows the per-call tool would refuse are counted by reason, never dropped silently. The
result is a summary (percentiles, daily aggregates, fouling trend, cleaning forecast); the
full per-row series goes to a CSV/Parquet file (path + ``condensync://history/<sha256>.csv``
URI + SHA-256) when it is too large to return inline.
"""

from __future__ import annotations

import copy
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Annotated, Any, Callable, Literal

import numpy as np
from pydantic import BaseModel, Field, create_model

from .. import settings
from ..calculators import cycles, hei
from ..calculators import history as hist
from ..calculators.fouling import (
    DEFAULT_DUE_WINDOW_DAYS,
    DEFAULT_TRIGGER_CLEANLINESS,
    MIN_TRIGGER_CLEANLINESS,
    FoulingFit,
)
from ..calculators.tubes import tube_bundle
from ..calculators.water import salinity_for
from ..errors import InvalidArguments, ToolUnavailable
from ..registry import ToolCall, ToolDefinition, ToolOutput, register
from ..units import KINDS, from_si, unit_label
from . import history_chart
from . import history_io as hio
from .common import (
    CALCULATOR_NOTE,
    CondenserIdField,
    DataSourceField,
    ToolInput,
    ToolResult,
    UnitSystemField,
    quantity,
)
from .cycles_out import (
    CLEANING_DETECTION_METHOD,
    CycleFields,
    cleaning_events_out,
    cycles_out,
    forecast_reason,
)
from .heat_transfer import CW_TEMP_RANGE, PRESSURE_RANGE, HeatTransferInput

__all__ = [
    "HistoryInput",
    "HistoryOutput",
    "TOOL",
    "MAX_ARRAY_ROWS",
    "INLINE_SERIES_AUTO_ROWS",
    "INLINE_SERIES_MAX_ROWS",
    "CHART_FIELD",
]

#: Rows accepted as arrays in the call (larger series: a file in the data directory).
MAX_ARRAY_ROWS = 50_000
#: series_output "auto": the per-row series is returned inline up to this many rows, else written to a file.
INLINE_SERIES_AUTO_ROWS = 48
#: series_output "inline": hard limit (keeps the result well under client output limits).
INLINE_SERIES_MAX_ROWS = 500
#: Output field carrying the chart (PNG, base64) when include_chart is true.
CHART_FIELD = "chart_png_base64"
#: Design arguments shared with calculate_heat_transfer_coefficient (same names, types, bounds, text).
DESIGN_FIELDS = (
    "surface_area",
    "tube_od",
    "tube_gauge_bwg",
    "tube_material",
    "tube_count",
    "plugged_tubes",
    "tube_passes",
    "tube_length",
    "water_type",
    "salinity",
    "clean_u_method",
    "hei_edition",
    "hei_fw",
    "hei_fm",
    "design_cleanliness",
    "bank_rows",
)
#: Per-row series columns (SI kind) written to the series file / inline series.
SERIES_KINDS = {
    "saturation_temp": "temperature",
    "itd": "temperature_difference",
    "ttd": "temperature_difference",
    "lmtd": "temperature_difference",
    "heat_duty": "heat_rate",
    "tube_velocity": "velocity",
    "u_actual": "htc",
    "u_clean": "htc",
    "cleanliness_factor": "fraction",
    "fouling_resistance": "fouling_resistance",
}
_FLOW_RANGE = next(
    m for m in HeatTransferInput.model_fields["cw_flow"].metadata if hasattr(m, "plausible_si")
).plausible_si
ROW_LIMITS = hist.RowLimits(cw_temp=CW_TEMP_RANGE, cw_flow=_FLOW_RANGE, pressure=PRESSURE_RANGE)

Timestamp = Annotated[str, Field(max_length=40)]
Quality = Literal["good", "uncertain", "bad"]


def history_threads() -> int:
    """Threads for the row evaluation: ``$CONDENSYNC_HISTORY_THREADS``, else 1. Blocks on two
    threads run about 1.6x faster on an idle two-core machine but slower when the cores are
    shared, so threading is opt-in (the calculator takes the number as a parameter)."""
    try:
        return max(1, int(settings.HISTORY_THREADS.number()))
    except ValueError:
        return 1


def _array(kind: str, what: str) -> Any:
    return quantity(
        kind,
        f"{what}, one value per timestamp (arrays mode; or use file_path)",
        tp=list[float],
        max_length=MAX_ARRAY_ROWS,
    )


class _HistoryInputBase(ToolInput):
    unit_system: UnitSystemField = "US"
    condenser_id: CondenserIdField = ""
    data_source: DataSourceField = "supplied"
    timestamps: list[Timestamp] = Field(
        None,
        max_length=MAX_ARRAY_ROWS,
        description=(
            "ISO 8601 timestamps of the rows, e.g. '2024-05-01T13:00:00Z' (naive = UTC); arrays mode: give "
            "timestamps "
            f"and the four measurement arrays of equal length (at most {MAX_ARRAY_ROWS} rows; larger series: "
            "file_path) "
            "[ISO 8601]"
        ),
    )
    cw_inlet_temp: _array("temperature", "Cooling-water inlet temperatures") = None
    cw_outlet_temp: _array("temperature", "Cooling-water outlet temperatures, mixed mean") = None
    cw_flow: _array("volumetric_flow", "Cooling-water volumetric flows") = None
    condenser_pressure: _array("pressure", "Condenser shell absolute pressures (backpressure)") = None
    quality: list[Quality] = Field(
        None,
        max_length=MAX_ARRAY_ROWS,
        description=(
            "Optional quality flag per row ('good', 'uncertain', 'bad'); bad rows (and uncertain ones unless "
            "accept_uncertain_quality) are counted invalid [1]"
        ),
    )
    file_path: str = Field(
        "",
        max_length=1024,
        description=(
            "CSV or Parquet file with columns timestamp, cw_inlet_temp, cw_outlet_temp, cw_flow, "
            "condenser_pressure "
            "[, quality], values in unit_system units; a path inside the server's data directory "
            "(CONDENSYNC_DATA_DIR), relative to it or absolute; '..' and symlinks leaving it are refused "
            "[path]"
        ),
    )
    start_time: str = Field(
        "", max_length=40, description="Live mode: start of the historian query window (ISO 8601) [ISO 8601]"
    )
    end_time: str = Field(
        "", max_length=40, description="Live mode: end of the historian query window (ISO 8601) [ISO 8601]"
    )
    accept_uncertain_quality: bool = Field(False, description="Treat rows flagged 'uncertain' as valid [1]")
    trigger_cleanliness: float = Field(
        DEFAULT_TRIGGER_CLEANLINESS,
        ge=MIN_TRIGGER_CLEANLINESS,
        lt=1,
        description=("Cleaning trigger: cleanliness factor at which cleaning is due (default 0.75) [1]"),
    )
    due_window_days: float = Field(
        DEFAULT_DUE_WINDOW_DAYS,
        ge=0,
        le=3650,
        description=("cleaning_due is true when the trigger is forecast within this many days (default 30) [d]"),
    )
    last_cleaning_date: str = Field(
        "",
        max_length=40,
        description=(
            "Date (ISO 8601) of the last known cleaning; more cleanings are detected in the data (step "
            "recoveries of the cleanliness factor). The trend is fitted on the current cycle only, from the "
            "last cleaning (given or detected); default: none given [ISO 8601]"
        ),
    )
    cleaning_dates: list[Annotated[str, Field(max_length=40)]] = Field(
        [],
        max_length=1000,
        description=(
            "Known cleaning dates (ISO 8601), e.g. from the maintenance records or the plant configuration; "
            "merged with the cleanings detected in the data (a detection within 3 days of a given date is "
            "the same cleaning) [ISO 8601]"
        ),
    )
    trend_basis: Literal["fouling_index", "fouling_resistance"] = Field(
        "fouling_index",
        description=(
            "Daily values fitted: 'fouling_index' = 1/CF - 1 of the daily mean CF (normalised against clean "
            "U, so "
            "seasonal inlet temperature does not look like fouling; default) or 'fouling_resistance' = daily "
            "mean "
            "R_f [1]"
        ),
    )
    series_output: Literal["auto", "inline", "file", "none"] = Field(
        "auto",
        description=(
            f"Per-row series: 'auto' (inline up to {INLINE_SERIES_AUTO_ROWS} rows, else a file), 'inline' "
            "(at most "
            f"{INLINE_SERIES_MAX_ROWS} rows), 'file' (CSV/Parquet under the data directory, or a temp "
            "directory), or "
            "'none' [1]"
        ),
    )
    series_format: Literal["csv", "parquet"] = Field(
        "csv", description=("Series file format: csv (UTF-8 text) or parquet (timestamp[ms, UTC] column) [1]")
    )
    max_daily_rows: int = Field(
        31,
        ge=0,
        le=366,
        description=("Most recent days returned in `daily` (all days are in the trend fit and the chart) [1]"),
    )
    include_chart: bool = Field(
        False,
        description=(
            f"Also return a PNG chart of daily cleanliness with the trend and forecast, base64 in {CHART_FIELD} [1]"
        ),
    )


HistoryInput = create_model(
    "HistoryInput",
    __base__=_HistoryInputBase,
    **{
        name: (
            HeatTransferInput.model_fields[name].annotation,
            copy.deepcopy(HeatTransferInput.model_fields[name]),
        )
        for name in DESIGN_FIELDS
    },
)


# --------------------------------------------------------------------------- outputs
def _distribution(kind: str, what: str) -> type[BaseModel]:
    fields = {
        key: (quantity(kind, f"{label} of {what} over the valid rows"), ...)
        for key, label in (
            ("p05", "5th percentile"),
            ("p25", "25th percentile"),
            ("p50", "Median"),
            ("p75", "75th percentile"),
            ("p95", "95th percentile"),
            ("mean", "Mean"),
            ("min", "Minimum"),
            ("max", "Maximum"),
        )
    }
    return create_model(f"Distribution_{kind}", **fields)


class InvalidRowCount(BaseModel):
    reason: str = Field(description="Reason code (e.g. ttd_not_positive, missing_value, bad_quality)")
    count: int = Field(description="Rows invalid for this reason [1]")
    first_row: int = Field(description="Index (0-based, in input order) of the first such row [1]")
    description: str = Field(description="What the reason means and its likely cause")


class DailyRow(BaseModel):
    date: str = Field(description="UTC day (YYYY-MM-DD)")
    rows: int = Field(description="Rows with a timestamp on this day [1]")
    valid_rows: int = Field(description="Valid rows on this day [1]")
    cleanliness_factor_mean: float = Field(None, description="Mean cleanliness factor of the valid rows [1]")
    cleanliness_factor_min: float = Field(None, description="Minimum cleanliness factor [1]")
    cleanliness_factor_max: float = Field(None, description="Maximum cleanliness factor [1]")
    fouling_resistance_mean: quantity("fouling_resistance", "Mean fouling resistance") = None
    fouling_resistance_min: quantity("fouling_resistance", "Minimum fouling resistance") = None
    fouling_resistance_max: quantity("fouling_resistance", "Maximum fouling resistance") = None
    ttd_mean: quantity("temperature_difference", "Mean terminal temperature difference") = None
    ttd_min: quantity("temperature_difference", "Minimum TTD") = None
    ttd_max: quantity("temperature_difference", "Maximum TTD") = None
    condenser_pressure_mean: quantity("pressure", "Mean backpressure (absolute)") = None
    condenser_pressure_min: quantity("pressure", "Minimum backpressure") = None
    condenser_pressure_max: quantity("pressure", "Maximum backpressure") = None


class TrendFit(BaseModel):
    model: str = Field(
        description="'linear' (y = r0 + beta*t) or 'kern_seaton' (y = r0 + r_inf*(1 - exp(-t/tau))), t in days "
        "since the start of the current cycle"
    )
    r0: float = Field(
        None,
        description="Level at the start of the current cycle (the residual the cleaning left), in trend_value_unit",
    )
    beta_per_day: float = Field(None, description="Linear fouling rate, trend_value_unit per day")
    r_inf: float = Field(None, description="Kern-Seaton asymptotic level, in trend_value_unit")
    tau_days: float = Field(None, description="Kern-Seaton time constant [d]")
    r2: float = Field(description="Coefficient of determination [1]")
    rmse: float = Field(description="Root-mean-square residual, in trend_value_unit")
    aicc: float = Field(description="Small-sample corrected Akaike information criterion [1]")
    days_until_cleaning: float = Field(
        None,
        description="Days after the last daily point until the trigger under this model; absent when never reached [d]",
    )
    forecast_reason: str = Field(description="How the forecast was obtained, or why the trigger is never reached")
    notes: list[str] = Field(description="Identifiability notes (tau at a search bound)")
    parameters_fitted: int = Field(description="Parameters fitted on the current cycle (AICc k) [1]")
    shape_source: str = Field(
        None,
        description="Kern-Seaton: 'fitted', 'tau_from_earlier_cycles' or 'tau_and_r_inf_from_earlier_cycles'",
    )


class SeriesRow(BaseModel):
    timestamp: str = Field(description="ISO 8601 UTC timestamp ('' when unparseable)")
    reason: str = Field(description="'valid' or the invalid-row reason code")
    saturation_temp: quantity("temperature", "Saturation temperature") = None
    itd: quantity("temperature_difference", "ITD") = None
    ttd: quantity("temperature_difference", "TTD") = None
    lmtd: quantity("temperature_difference", "LMTD") = None
    heat_duty: quantity("heat_rate", "Heat duty") = None
    tube_velocity: quantity("velocity", "Tube velocity") = None
    u_actual: quantity("htc", "Actual U") = None
    u_clean: quantity("htc", "Clean U") = None
    cleanliness_factor: float = Field(None, description="Cleanliness factor [1]")
    fouling_resistance: quantity("fouling_resistance", "Fouling resistance") = None


class HistoryOutput(CycleFields, ToolResult):
    rows_total: int = Field(description="Rows in the series [1]")
    rows_valid: int = Field(description="Rows that passed every check and were analysed [1]")
    rows_invalid: int = Field(description="Rows not analysed, counted by reason in invalid_rows [1]")
    invalid_rows: list[InvalidRowCount] = Field(description="Invalid rows by reason (never silently dropped)")
    period_start: str = Field(None, description="First valid timestamp (ISO 8601 UTC)")
    period_end: str = Field(None, description="Last valid timestamp (ISO 8601 UTC)")
    days_with_data: int = Field(description="UTC days with at least one timestamped row [1]")
    days_with_valid_rows: int = Field(description="UTC days with at least one valid row [1]")
    surface_area: quantity("area", "Effective outside surface used")
    active_tubes: int = Field(description="Installed minus plugged tubes [1]")
    design_cleanliness: float = Field(description="Design cleanliness factor Fc for reference [1]")
    hei_fw: float = Field(None, description="HEI Fw used on every row (caller's value) [1]")
    hei_fm: float = Field(None, description="HEI Fm used on every row (caller or table) [1]")
    cleanliness_factor: _distribution("fraction", "the cleanliness factor") = Field(
        None, description="Cleanliness factor over the valid rows: percentiles, mean, min, max"
    )
    fouling_resistance: _distribution("fouling_resistance", "the fouling resistance") = Field(
        None, description="Fouling resistance over the valid rows: percentiles, mean, min, max"
    )
    ttd: _distribution("temperature_difference", "the terminal temperature difference") = Field(
        None, description="Terminal temperature difference over the valid rows: percentiles, mean, min, max"
    )
    condenser_pressure: _distribution("pressure", "the condenser pressure") = Field(
        None, description="Condenser absolute pressure over the valid rows: percentiles, mean, min, max"
    )
    latest_day: str = Field(None, description="Last UTC day with valid rows (YYYY-MM-DD)")
    latest_cleanliness_factor: float = Field(None, description="Mean cleanliness factor of the latest day [1]")
    daily: list[DailyRow] = Field(description="Daily aggregates of the most recent days (max_daily_rows)")
    daily_truncated: bool = Field(description="True when `daily` holds only the most recent days")
    trend_basis: str = Field(description="Values fitted: fouling_index (1/CF - 1) or fouling_resistance")
    trend_value_unit: str = Field(description="Unit of r0, r_inf, rmse and beta (per day)")
    trend_points: int = Field(description="Daily points in the fit (current cycle) [1]")
    trend_reference_time: str = Field(None, description="Fit time origin: start of the current cycle (ISO 8601 UTC)")
    trend_selected_model: str = Field(None, description="Chosen model (lower AICc; ties to linear)")
    trend_selection_reason: str = Field(description="Why that model, or why no trend was fitted")
    trend_fits: list[TrendFit] = Field(
        description="Linear and Kern-Seaton fits of the current cycle (empty without a trend)"
    )
    trigger_cleanliness: float = Field(description="Cleaning trigger cleanliness factor [1]")
    days_until_cleaning: quantity(
        "duration_days",
        "Days after the last data day until the trigger (chosen model); absent when never reached or no trend",
    ) = None
    days_until_cleaning_reason: str = Field(description="How the forecast was obtained, or why none")
    forecast_cleaning_date: str = Field(None, description="Forecast date the trigger is reached (YYYY-MM-DD)")
    cleaning_due: bool = Field(description="Trigger reached, or forecast within due_window_days")
    series_output: str = Field(description="Where the per-row series is: 'inline', 'file' or 'none'")
    series_file: str = Field(None, description="Path of the per-row series file")
    series_resource_uri: str = Field(
        None, description="Resource URI of the series file (condensync://history/<sha256>.<format>)"
    )
    series_sha256: str = Field(None, description="SHA-256 of the series file bytes")
    series_format: str = Field(None, description="csv or parquet")
    series_units: dict[str, str] = Field(None, description="Unit of each numeric series column")
    series: list[SeriesRow] = Field(None, description="Per-row results (series_output inline)")
    input_file_sha256: str = Field(None, description="SHA-256 of the input file bytes (file mode)")
    chart_png_base64: str = Field(
        None,
        description="PNG chart (base64): daily cleanliness with cleanings, current-cycle trend and forecast; "
        "backpressure measured vs expected vs achievable with the CW inlet temperature (include_chart)",
    )


# --------------------------------------------------------------------------- handler
def _progress(call: ToolCall) -> Callable[[str, int, int], None] | None:
    cb = call.context.services.get("progress")
    return cb if callable(cb) else None


def _stage(cb: Callable[[str, int, int], None] | None, stage: str) -> Callable[[int, int], None] | None:
    return None if cb is None else (lambda done, total: cb(stage, done, total))


def _apply(convert: Callable[[float], float], values: np.ndarray) -> np.ndarray:
    """A unit converter of :mod:`condensync_tools.units` applied to an array (the converters
    are arithmetic lambdas, or ``float`` for unit-less kinds)."""
    return values if convert is float else convert(values)


def _to_si_array(kind: str, values: np.ndarray, system: str) -> np.ndarray:
    k = KINDS[kind]
    return _apply(k.us_to_base if system == "US" else k.si_to_base, np.asarray(values, dtype=float))


def _from_si_array(kind: str, values: np.ndarray, system: str) -> np.ndarray:
    k = KINDS[kind]
    return _apply(k.base_to_us if system == "US" else k.base_to_si, values)


def _iso_ms(text: str, field: str) -> float:
    ms, ok = hio.parse_timestamps([text])
    if not ok[0]:
        raise InvalidArguments([f"$.{field}: expected an ISO 8601 date or time, got {text!r}"])
    return float(ms[0])


def _load(call: ToolCall) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray, list[str], str | None]:
    """Timestamps [ms], SI measurement arrays, pre-set reason codes, warnings, file SHA-256."""
    a, si = call.args, call.si
    warnings: list[str] = []
    arrays_given = [n for n in ("timestamps", *hio.MEASUREMENT_COLUMNS) if a.get(n) is not None]
    if a.get("data_source") == "live":
        historian = call.context.services.get("historian")
        if historian is None:
            raise ToolUnavailable(
                [
                    "$.data_source: live historian queries are not available in this build (no "
                    "historian configured); pass the series as arrays or as a file_path"
                ]
            )
        if not (a.get("start_time") and a.get("end_time")):
            raise InvalidArguments(
                [
                    "$.start_time: live mode needs start_time and end_time (ISO 8601), got "
                    f"{a.get('start_time')!r} and {a.get('end_time')!r}"
                ]
            )
        ts, values, quality, sources = historian.query_history(
            a["condenser_id"], hio.MEASUREMENT_COLUMNS, a["start_time"], a["end_time"]
        )
        call.sources.extend(sources)
        data = hio.SeriesData(
            np.asarray(ts, dtype=np.int64),
            {k: np.asarray(v, dtype=float) for k, v in values.items()},
            None if quality is None else hio.quality_codes(quality)[0],
        )
        in_si = True
        digest = None
    elif a.get("file_path"):
        if arrays_given:
            raise InvalidArguments(
                [f"$.file_path: give either file_path or the arrays, got both (arrays: {', '.join(arrays_given)})"]
            )
        path = hio.resolve_data_file(a["file_path"], hio.configured_data_dir(call.context.services))
        if path.suffix.lower() in (".parquet", ".pq") and not hio.parquet_available():
            raise ToolUnavailable([f"$.file_path: {hio.PARQUET_HINT}"])
        data = hio.read_series(path, _stage(_progress(call), "read"))
        in_si = False
        digest = data.source_sha256
    else:
        missing = [n for n in ("timestamps", *hio.MEASUREMENT_COLUMNS) if a.get(n) is None]
        if missing:
            raise InvalidArguments([f"$.{n}: required (arrays mode, or give file_path), got nothing" for n in missing])
        lengths = {n: len(a[n]) for n in ("timestamps", *hio.MEASUREMENT_COLUMNS)}
        if a.get("quality") is not None:
            lengths["quality"] = len(a["quality"])
        if len(set(lengths.values())) != 1:
            raise InvalidArguments(
                [
                    f"$.{n}: expected {lengths['timestamps']} items (as timestamps), got {v}"
                    for n, v in lengths.items()
                    if v != lengths["timestamps"]
                ]
            )
        ts, _ = hio.parse_timestamps(a["timestamps"])
        quality = None if a.get("quality") is None else hio.quality_codes(a["quality"])[0]
        data = hio.SeriesData(ts, {n: np.asarray(si[n], dtype=float) for n in hio.MEASUREMENT_COLUMNS}, quality)
        in_si = True
        digest = None
    if data.unknown_quality_labels:
        warnings.append(
            f"{data.unknown_quality_labels} quality label(s) not recognised (expected good, uncertain, "
            "bad, 1 or 0): those rows are counted as bad_quality"
        )
    if data.malformed_rows:
        warnings.append(
            f"{data.malformed_rows} CSV row(s) had a wrong number of fields: read field by field (missing "
            "fields empty, extra fields ignored)"
        )
    if data.blank_lines_skipped:
        warnings.append(f"{data.blank_lines_skipped} blank line(s) in the file were skipped")
    system = call.unit_system
    kinds = {
        "cw_inlet_temp": "temperature",
        "cw_outlet_temp": "temperature",
        "cw_flow": "volumetric_flow",
        "condenser_pressure": "pressure",
    }
    values = {
        n: (data.values[n] if in_si else _to_si_array(kinds[n], data.values[n], system))
        for n in hio.MEASUREMENT_COLUMNS
    }
    reason = np.zeros(data.timestamp_ms.size, dtype=np.int8)
    if data.quality is not None:
        bad = data.quality == 2
        if not a.get("accept_uncertain_quality"):
            bad |= data.quality == 1
        reason[bad] = hist.REASON_CODES["bad_quality"]
    reason[data.timestamp_ms == hist.MISSING_TIMESTAMP] = hist.REASON_CODES["bad_timestamp"]
    return data.timestamp_ms, values, reason, warnings, digest


def _design(call: ToolCall) -> tuple[hist.HistoryDesign, list[str]]:
    si = call.si
    warnings: list[str] = []
    bundle = tube_bundle(
        si["tube_od"],
        si["tube_gauge_bwg"],
        si["tube_count"],
        si["plugged_tubes"],
        si["tube_passes"],
        si.get("tube_length") or 0.0,
    )
    area = si.get("surface_area") or 0.0
    if area > 0.0 and bundle.length > 0.0 and abs(bundle.outside_area - area) > 0.05 * area:
        warnings.append(
            f"surface_area differs by {100 * (area / bundle.outside_area - 1):+.1f} % from active tubes "
            "× π·OD × effective length; the given surface_area is used (plugged tubes excluded?)"
        )
    design = hist.HistoryDesign(
        bundle=bundle,
        surface_area=area,
        tube_material=si["tube_material"],
        salinity=salinity_for(si["water_type"], si.get("salinity")),
        clean_u_method=si["clean_u_method"],
        hei_edition=si["hei_edition"],
        fw=si.get("hei_fw") or 0.0,
        fm=si.get("hei_fm") or 0.0,
        design_cleanliness=si.get("design_cleanliness") or 0.0,
        bank_rows=si["bank_rows"],
    )
    return design, warnings


def _row_warnings(result: hist.RowResults, design: hist.HistoryDesign) -> list[str]:
    c = result.warning_counts
    out = []
    if c["ttd_below_warning"]:
        out.append(
            f"{c['ttd_below_warning']} valid row(s) with TTD below 0.5 °F (0.3 K): check outlet RTD "
            "stratification (mixed-mean outlet needed) and the pressure tap"
        )
    if c["cleanliness_above_1"]:
        out.append(
            f"{c['cleanliness_above_1']} valid row(s) with a cleanliness factor above 1.0: check CW flow, "
            "outlet temperature (mixed mean) and the effective surface area"
        )
    if c["velocity_outside_hei_range"]:
        out.append(
            f"{c['velocity_outside_hei_range']} valid row(s) with a tube velocity outside the HEI range "
            "3-12 ft/s: the HEI clean U is extrapolated there"
        )
    if c["fw_derived"]:
        out.append(
            f"HEI Fw is derived from first principles on {c['fw_derived']} row(s) (no public HEI Fw table): "
            "pass hei_fw from a licensed table for an HEI-grade result"
        )
    caveats = set(hei.HeiCaveat) - {hei.HeiCaveat.FW_DERIVED}  # a derived Fw is counted per row above
    out.extend(hei.hei_basis_warnings(result.hei_basis, design.tube_material, caveats))
    return out


def _fit_out(
    name: str,
    fit: FoulingFit,
    forecast: Any,
    scale: float,
    y_trigger: float | None,
    level_kind: str | None,
    system: str,
) -> dict:
    out: dict[str, Any] = {
        "model": name,
        "r2": fit.r2,
        "rmse": fit.rmse * scale,
        "aicc": fit.aic,
        "forecast_reason": forecast_reason(forecast, y_trigger, level_kind, system),
        "notes": list(fit.notes),
        "parameters_fitted": fit.k,
        "r0": fit.params["r0"] * scale,
    }
    if name == "linear":
        out["beta_per_day"] = fit.params["beta"] * scale
    else:
        out.update(r_inf=fit.params["r_inf"] * scale, tau_days=fit.params["tau"], shape_source=fit.shape_source)
    if forecast.days is not None:
        out["days_until_cleaning"] = forecast.days
    return out


def _daily_rows(daily: hist.DailyTable, keep: int) -> list[dict]:
    rows = []
    start = max(daily.day.size - keep, 0)
    for i in range(start, daily.day.size):
        row: dict[str, Any] = {
            "date": hio.day_string(daily.day[i]),
            "rows": int(daily.rows[i]),
            "valid_rows": int(daily.valid_rows[i]),
        }
        if daily.valid_rows[i]:
            for name in hist.SUMMARY_COLUMNS:
                mean, lo, hi = daily.stats[name]
                row[f"{name}_mean"], row[f"{name}_min"], row[f"{name}_max"] = (
                    float(mean[i]),
                    float(lo[i]),
                    float(hi[i]),
                )
        rows.append(row)
    return rows


def _fit_curves(
    trend: hist.TrendResult, horizon_days: float, u_clean_last: float | None
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Model → (times [ms], CF) of the current-cycle fits from the cycle start to the horizon."""
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if not trend.fits or trend.origin_ms is None:
        return curves
    t = np.linspace(0.0, horizon_days, 200)
    for name, fit in trend.fits.items():
        y = np.array([fit.predict(float(v)) for v in t])
        if trend.basis == "fouling_resistance":
            if not u_clean_last:
                continue
            y = y * u_clean_last
        with np.errstate(all="ignore"):
            cf = 1.0 / (1.0 + y)
        curves[name] = (trend.origin_ms + t * hist.DAY_MS, cf)
    return curves


#: Most daily points evaluated for the chart's backpressure panel (one chain solve each).
CHART_BACKPRESSURE_POINTS = 400


def _chart(
    a: dict,
    system: str,
    analysis: hist.HistoryAnalysis,
    design: hist.HistoryDesign,
    ts: np.ndarray,
    values: dict[str, np.ndarray],
    forecast_ms: float | None,
    latest: int | None,
    has_days: np.ndarray,
) -> history_chart.ChartData:
    """What the chart shows: cleanliness with cycles and forecast; backpressure measured vs
    expected (at the smoothed fouling level of each cycle) vs achievable (at the design
    cleanliness), with the CW inlet temperature."""
    daily, trend, rows = analysis.daily, analysis.trend, analysis.rows
    horizon = float(trend.t_days[-1]) if trend.t_days.size else 0.0
    if trend.days_until_cleaning is not None and forecast_ms is not None and trend.origin_ms is not None:
        horizon = max(horizon, (forecast_ms - trend.origin_ms) / hist.DAY_MS) * 1.05
    else:
        horizon *= 1.25
    u_last = float(daily.stats["u_clean"][0][latest]) if latest is not None else None
    cf_mean, cf_min, cf_max = daily.stats["cleanliness_factor"]
    title = (
        "Cleanliness factor and backpressure"
        + (f" — {a['condenser_id']}" if a.get("condenser_id") else "")
        + (f" ({a['file_path']})" if a.get("file_path") else "")
    )
    label = ""
    if forecast_ms is not None:
        label = f"CF {a['trigger_cleanliness']:g} forecast {hio.day_string(int(forecast_ms // hist.DAY_MS))}"
        if trend.status == "poor_fit":
            label += " (poor fit: indicative)"
    events = trend.analysis.events if trend.analysis else []
    chart = history_chart.ChartData(
        daily.centroid_ms[has_days],
        cf_mean[has_days],
        cf_min[has_days],
        cf_max[has_days],
        [(e.time * hist.DAY_MS, e.source) for e in events],
        _fit_curves(trend, horizon, u_last),
        trend.selected_model,
        a["trigger_cleanliness"],
        forecast_ms,
        label,
        title,
    )
    if has_days.any():
        means = hist.daily_aggregates(
            ts,
            rows.valid,
            {
                "cw_inlet_temp": values["cw_inlet_temp"],
                "cw_flow": values["cw_flow"],
                "heat_duty": rows.column("heat_duty"),
                "condenser_pressure": values["condenser_pressure"],
                "cleanliness_factor": rows.column("cleanliness_factor"),
            },
            mean_only=("cw_inlet_temp", "cw_flow", "heat_duty", "condenser_pressure", "cleanliness_factor"),
        )
        pick = np.flatnonzero(means.valid_rows > 0)
        pick = pick[:: max(1, -(-pick.size // CHART_BACKPRESSURE_POINTS))]
        t_in, flow, duty, p_meas, cf_day = (
            means.stats[k][0][pick]
            for k in ("cw_inlet_temp", "cw_flow", "heat_duty", "condenser_pressure", "cleanliness_factor")
        )
        t_days = means.centroid_ms[pick] / hist.DAY_MS
        signal = 1.0 / cf_day - 1.0
        fouling_level = cycles.smoothed_within_cycles(t_days, signal, events)
        ref = hist.reference_backpressures(
            design,
            t_in,
            flow,
            duty,
            {"expected": 1.0 / (1.0 + fouling_level), "achievable": np.asarray(rows.design_cleanliness)},
        )
        chart.bp_day_ms = means.centroid_ms[pick]
        chart.bp_measured = _from_si_array("pressure", p_meas, system)
        chart.bp_expected = _from_si_array("pressure", ref["expected"], system)
        chart.bp_achievable = _from_si_array("pressure", ref["achievable"], system)
        chart.cw_inlet = _from_si_array("temperature", t_in, system)
        chart.pressure_unit = unit_label("pressure", system)
        chart.temperature_unit = unit_label("temperature", system)
        chart.achievable_label = f"achievable at design cleanliness {rows.design_cleanliness:.2f}"
    return chart


def _given_cleanings(a: dict) -> list[float]:
    """Known cleaning times [ms]: last_cleaning_date and cleaning_dates."""
    given = []
    if a.get("last_cleaning_date"):
        given.append(_iso_ms(a["last_cleaning_date"], "last_cleaning_date"))
    for i, text in enumerate(a.get("cleaning_dates") or []):
        given.append(_iso_ms(text, f"cleaning_dates[{i}]"))
    return given


def _check_output_request(a: dict, n: int) -> None:
    """The series output asked for is possible for ``n`` rows."""
    if n == 0:
        field = "file_path" if a.get("file_path") else "timestamps"
        raise InvalidArguments([f"$.{field}: expected at least one row, got an empty series"])
    if a["series_output"] == "inline" and n > INLINE_SERIES_MAX_ROWS:
        raise InvalidArguments(
            [
                f"$.series_output: 'inline' allows at most {INLINE_SERIES_MAX_ROWS} rows, got {n} "
                "rows; use 'file' (or 'auto')"
            ]
        )
    if a["series_format"] == "parquet" and a["series_output"] in ("file", "auto") and not hio.parquet_available():
        raise ToolUnavailable([f"$.series_format: {hio.PARQUET_HINT}"])


def _invalid_rows(rows) -> list[dict]:
    """Invalid rows by reason: count, first row and description."""
    counts = np.bincount(rows.reason, minlength=len(hist.REASONS))
    out = []
    for code in np.flatnonzero(counts[1:]) + 1:
        name, text = hist.REASONS[code]
        out.append(
            {
                "reason": name,
                "count": int(counts[code]),
                "first_row": int(np.argmax(rows.reason == code)),
                "description": text,
            }
        )
    return out


def _trend_values(a: dict, system: str, trend) -> dict[str, Any]:
    """The trend fields of the result (levels in the caller's units)."""
    fr_unit = unit_label("fouling_resistance", system)
    scale = 1.0 if trend.basis == "fouling_index" else from_si("fouling_resistance", 1.0, system)
    level_kind = None if trend.basis == "fouling_index" else "fouling_resistance"
    return {
        "trend_basis": trend.basis,
        "trend_value_unit": "1" if trend.basis == "fouling_index" else fr_unit,
        "cleaning_events": cleaning_events_out(trend.analysis, True) if trend.analysis else [],
        "cycles": cycles_out(trend.analysis, lambda v: v * scale, True) if trend.analysis else [],
        "trend_status": trend.status,
        "trend_status_reason": trend.status_reason or "no valid daily points: no trend",
        "trend_points": int(trend.t_days.size),
        "trend_selection_reason": trend.selection_reason or "no valid daily points: no trend",
        "trend_fits": [
            _fit_out(name, fit, trend.forecasts[name], scale, trend.y_trigger, level_kind, system)
            for name, fit in trend.fits.items()
        ],
        "trigger_cleanliness": a["trigger_cleanliness"],
        "days_until_cleaning_reason": (
            forecast_reason(trend.forecasts[trend.selected_model], trend.y_trigger, level_kind, system)
            if trend.selected_model in trend.forecasts
            else trend.days_until_cleaning_reason or "no valid daily points: no forecast"
        ),
        "cleaning_due": trend.cleaning_due,
    }


def _period_values(analysis, values_out: dict, warnings: list[str]) -> None:
    """Fw/Fm, distributions, the period and the current cycle start; trend-status warnings."""
    rows, trend = analysis.rows, analysis.trend
    if rows.hei_fw_value is not None:
        values_out["hei_fw"] = rows.hei_fw_value
    if rows.hei_fm_value is not None:
        values_out["hei_fm"] = rows.hei_fm_value
    for name in hist.SUMMARY_COLUMNS:
        if analysis.distributions[name] is not None:
            values_out[name] = analysis.distributions[name]
    if analysis.first_ms is not None:
        first_last = hio.format_timestamps(np.array([analysis.first_ms, analysis.last_ms], dtype=np.int64))
        values_out["period_start"], values_out["period_end"] = first_last
        values_out["trend_reference_time"] = hio.format_timestamps(np.array([analysis.reference_ms], dtype=np.int64))[0]
    if trend.origin_ms is not None:
        values_out["current_cycle_start"] = hio.day_string(int(trend.origin_ms // hist.DAY_MS))
    if trend.status == "poor_fit":
        warnings.append(f"fouling trend: {trend.status_reason}")
    elif trend.status == "insufficient_history":
        warnings.append(f"no fouling trend: {trend.status_reason}")


def _forecast_values(analysis, latest: int | None, values_out: dict) -> float | None:
    """Latest day and its CF, the chosen model, days until cleaning and the forecast date;
    returns the forecast time [ms] (None when not representable)."""
    daily, trend = analysis.daily, analysis.trend
    if latest is not None:
        values_out["latest_day"] = hio.day_string(daily.day[latest])
        values_out["latest_cleanliness_factor"] = float(daily.stats["cleanliness_factor"][0][latest])
    if trend.selected_model is not None:
        values_out["trend_selected_model"] = trend.selected_model
    if trend.days_until_cleaning is None or latest is None:
        return None
    values_out["days_until_cleaning"] = trend.days_until_cleaning
    forecast_ms = float(daily.centroid_ms[latest]) + trend.days_until_cleaning * hist.DAY_MS
    if not forecast_ms < 4.0e14:  # beyond year ~14700: not representable as a date
        return None
    values_out["forecast_cleaning_date"] = hio.day_string(int(forecast_ms // hist.DAY_MS))
    return forecast_ms


def _series_values(call: ToolCall, rows, ts, cb, values_out: dict) -> str:
    """The per-row series inline or as a file (``series_output`` 'auto' resolved); returns the mode."""
    a, system, n = call.args, call.unit_system, ts.size
    mode = a["series_output"]
    if mode == "auto":
        mode = "inline" if n <= INLINE_SERIES_AUTO_ROWS else "file"
    values_out["series_output"] = mode
    series_kinds = dict(SERIES_KINDS)
    if mode == "inline":
        stamps = hio.format_timestamps(ts)
        columns, valid = rows.columns, rows.valid
        inline = []
        for i in range(n):
            row: dict[str, Any] = {"timestamp": stamps[i], "reason": hist.REASONS[rows.reason[i]][0]}
            if valid[i]:
                row.update({k: float(columns[k][i]) for k in SERIES_KINDS})
            inline.append(row)
        values_out["series"] = inline
    elif mode == "file":
        data_dir = hio.configured_data_dir(call.context.services)
        out_dir = hio.output_directory(call.context.services, data_dir)
        extras = {k: arr for k, arr in (("hei_fw", rows.hei_fw), ("hei_fm", rows.hei_fm)) if arr is not None}
        series_kinds.update({k: "fraction" for k in extras})

        def block(start: int, stop: int) -> dict[str, np.ndarray]:
            cols = {k: _from_si_array(kind, rows.column(k, start, stop), system) for k, kind in SERIES_KINDS.items()}
            cols.update({k: arr[start:stop] for k, arr in extras.items()})
            return cols

        path, sha = hio.write_series(
            out_dir,
            ts,
            [r for r, _ in hist.REASONS],
            rows.reason,
            list(series_kinds),
            block,
            a["series_format"],
            progress=_stage(cb, "write"),
            retention=hio.series_retention(call.context.services),
        )
        values_out.update(
            series_file=str(path),
            series_resource_uri=hio.series_resource_uri(sha, a["series_format"]),
            series_sha256=sha,
            series_format=a["series_format"],
            series_units={k: unit_label(kind, system) for k, kind in series_kinds.items()},
        )
    return mode


def _method(a: dict, analysis, mode: str) -> dict:
    rows, trend = analysis.rows, analysis.trend
    method = dict(rows.method)
    method.update(
        {
            "row_checks": (
                "rows invalid by reason in the per-call order: quality, missing, flow <= 0, plausibility "
                "(CW 0-60 °C, 0.005-60 m3/s, 0.7-30 kPa), ITD, rise, TTD, LMTD domain, laminar, CF > 1.5"
            ),
            "daily": "UTC days; mean/min/max over valid rows; time centroid of the valid rows",
            "percentiles": "numpy linear interpolation (p5, p25, p50, p75, p95) over valid rows",
        }
    )
    method["cleaning_events"] = CLEANING_DETECTION_METHOD
    if trend.fits:
        method["trend"] = (
            f"current cycle only, least squares on daily {trend.basis}: linear with intercept and Kern-Seaton "
            "with the post-cleaning residual R0 (fouling.fit_linear, fouling.fit_kern_seaton); "
            + (trend.analysis.trend.method if trend.analysis else "")
            + "; model by AICc: within 2 of each other the one with fewer parameters (equal counts: Kern-Seaton when "
            "the earlier cycles were asymptotic, else linear); current level = "
            "chosen model at the last daily point"
        )
        method["cleaning_trigger"] = f"CF {a['trigger_cleanliness']:g} (policy value, 0.75-0.80 typical)"
    if mode == "file":
        method["series_file"] = "CSV: UTF-8, header, 10 significant digits, caller units, invalid rows' numbers empty"
    return method


def _summary(a: dict, analysis, values_out: dict, n: int, n_valid: int, latest: int | None, mode: str) -> str:
    trend = analysis.trend
    cf_dist = analysis.distributions["cleanliness_factor"]
    summary = f"{n} rows, {n_valid} valid ({n - n_valid} invalid)"
    if cf_dist is not None:
        summary += (
            f"; cleanliness factor median {cf_dist['p50']:.3f} (p5 {cf_dist['p05']:.3f}, p95 {cf_dist['p95']:.3f})"
        )
        if latest is not None:
            latest_cf = values_out["latest_cleanliness_factor"]
            summary += f"; latest day {values_out['latest_day']} mean CF {latest_cf:.3f}"
    if trend.analysis is not None and trend.analysis.events:
        since = values_out.get("current_cycle_start", "-")
        summary += f"; {len(trend.analysis.events)} cleaning(s), current cycle since {since}"
    if trend.status == "insufficient_history":
        summary += "; no trend: insufficient history in the current cycle"
    if trend.selected_model:
        summary += f"; trend {trend.selected_model}" + (" (poor fit)" if trend.status == "poor_fit" else "")
        if trend.days_until_cleaning == 0.0:
            summary += f", CF already at or below the trigger {a['trigger_cleanliness']:g}"
        elif trend.days_until_cleaning is not None and "forecast_cleaning_date" in values_out:
            summary += (
                f", CF {a['trigger_cleanliness']:g} reached in {trend.days_until_cleaning:.1f} d "
                f"({values_out['forecast_cleaning_date']})"
            )
        else:
            summary += f", {trend.days_until_cleaning_reason}"
        summary += "; cleaning due" if trend.cleaning_due else "; cleaning not due"
    if mode == "file":
        summary += f"; per-row series: {values_out['series_resource_uri']}"
    return summary


class _Concurrently:
    """Runs one function in a worker thread when ``enabled`` (else at once, in the caller's
    thread); leaving the ``with`` block waits for it. :meth:`run` returns a future whose
    ``result()`` gives the value or raises the function's exception."""

    def __init__(self, enabled: bool) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="condensync-history") if enabled else None

    def __enter__(self) -> "_Concurrently":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)

    def run(self, fn: Callable[..., Any], *args: Any) -> Future:
        if self.pool is not None:
            return self.pool.submit(fn, *args)
        done: Future = Future()
        try:
            done.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through result()
            done.set_exception(exc)
        return done


def _result_values(a: dict, system: str, analysis, design, n: int, warnings: list[str]) -> dict[str, Any]:
    """The result's values from the analysis (all but the series and the chart); appends the
    row, trend and truncation warnings."""
    rows, daily, trend = analysis.rows, analysis.daily, analysis.trend
    n_valid = int(np.count_nonzero(rows.valid))
    warnings += _row_warnings(rows, design)
    if n_valid < n:
        warnings.append(f"{n - n_valid} of {n} rows are invalid and were not analysed (see invalid_rows)")
    if n_valid == 0:
        warnings.append("no valid rows: no percentiles, daily values or trend")
    warnings += trend.notes
    has_days = daily.valid_rows > 0
    keep = int(a["max_daily_rows"])
    values_out: dict[str, Any] = {
        "rows_total": n,
        "rows_valid": n_valid,
        "rows_invalid": n - n_valid,
        "invalid_rows": _invalid_rows(rows),
        "days_with_data": int(daily.day.size),
        "days_with_valid_rows": int(np.count_nonzero(has_days)),
        "surface_area": design.area,
        "active_tubes": design.bundle.active_tubes,
        "design_cleanliness": rows.design_cleanliness,
        "daily": _daily_rows(daily, keep),
        "daily_truncated": bool(daily.day.size > keep),
        **_trend_values(a, system, trend),
    }
    _period_values(analysis, values_out, warnings)
    if daily.day.size > keep:
        warnings.append(
            f"daily holds the most recent {keep} of {daily.day.size} days (all days are in the trend fit"
            + (" and the series file)" if a["series_output"] != "none" else ")")
        )
    return values_out


def handle(call: ToolCall) -> ToolOutput:
    a = call.args
    system = call.unit_system
    cb = _progress(call)
    design, warnings = _design(call)
    ts, values, reason, load_warnings, digest = _load(call)
    warnings += load_warnings
    n = ts.size
    _check_output_request(a, n)
    given_cleanings = _given_cleanings(a)
    series_out: dict[str, Any] = {}
    series: list[Future] = []
    with _Concurrently(a["series_output"] != "none") as concurrently:
        # The series file (numpy and pyarrow, which mostly release the GIL) is written from the
        # moment the rows are computed, while the daily aggregates, the trend and the chart are.
        analysis = hist.analyse_history(
            ts,
            values["cw_inlet_temp"],
            values["cw_outlet_temp"],
            values["cw_flow"],
            values["condenser_pressure"],
            design,
            reason=reason,
            limits=ROW_LIMITS,
            trigger_cleanliness=a["trigger_cleanliness"],
            due_window_days=a["due_window_days"],
            trend_basis=a["trend_basis"],
            cleaning_ms=tuple(given_cleanings),
            progress=_stage(cb, "analyse"),
            workers=history_threads(),
            on_rows=lambda rows: series.append(concurrently.run(_series_values, call, rows, ts, cb, series_out)),
        )
        values_out = _result_values(a, system, analysis, design, n, warnings)
        has_days = analysis.daily.valid_rows > 0
        latest = int(np.flatnonzero(has_days)[-1]) if has_days.any() else None
        forecast_ms = _forecast_values(analysis, latest, values_out)
        if a["include_chart"]:
            # the context may draw it elsewhere (``condensync analyze``: a separate process)
            render = call.context.services.get("chart_renderer") or history_chart.render_chart
            chart = render(_chart(a, system, analysis, design, ts, values, forecast_ms, latest, has_days))
    mode = series[0].result()
    values_out.update(series_out)
    if digest is not None:
        values_out["input_file_sha256"] = digest
    if a["include_chart"]:
        values_out[CHART_FIELD] = history_chart.chart_base64(chart)
    n_valid = values_out["rows_valid"]
    summary = _summary(a, analysis, values_out, n, n_valid, latest, mode)
    return ToolOutput(values=values_out, method=_method(a, analysis, mode), warnings=warnings, summary=summary)


TOOL = register(
    ToolDefinition(
        name="analyze_performance_history",
        title="Condenser performance history: cleanliness trend and cleaning forecast",
        description=(
            "Runs the condenser heat-transfer test chain (as calculate_heat_transfer_coefficient: T_sat "
            "IAPWS-IF97, "
            "ITD/TTD/LMTD, duty, tube velocity, U actual, clean U by HEI or first principles, cleanliness "
            "factor, "
            "fouling resistance) on every row of a time series, vectorised. Give the series as arrays "
            "(timestamps + "
            f"cw_inlet_temp, cw_outlet_temp, cw_flow, condenser_pressure, at most {MAX_ARRAY_ROWS} rows) or "
            "as a "
            "CSV/Parquet file_path inside the server's data directory, plus the tube data (tube_od, "
            "tube_count, "
            "tube_length or surface_area, ...). Invalid rows are counted by reason, never dropped silently. "
            "Returns "
            "percentiles, daily aggregates (UTC), the cleanings (detected as step recoveries of the cleanliness "
            "factor, or given: last_cleaning_date, cleaning_dates) with what each achieved, the fouling cycles, "
            "linear and Kern-Seaton fits of the current cycle with trend_status (no forecast below 5 daily points "
            "over 7 days), days until the cleaning trigger (CF 0.75 default) and whether cleaning is due; large "
            "per-row series go to a file (path, condensync:// resource URI, SHA-256). " + CALCULATOR_NOTE
        ),
        version="1.1.1",
        input_model=HistoryInput,
        output_model=HistoryOutput,
        handler=handle,
        required_always=("tube_od", "tube_count", ("surface_area", "tube_length")),
        record_history=False,
    )
)
