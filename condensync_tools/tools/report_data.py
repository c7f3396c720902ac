# SPDX-License-Identifier: MIT
"""Data side of ``generate_performance_report``: the tool results a report is built from.

* ``analyze_performance_history`` on the report's series (KPIs, cleaning cycles, trend,
  forecast, the two-panel chart, and the per-row series file whose ``reason`` column says
  which rows were valid);
* ``optimize_vacuum_pressure`` once per interval (default 7 days) on the interval means of
  the valid rows (CW inlet and outlet temperature, CW flow, backpressure), with the
  cleanliness factor set to the cycle's smoothed fouling level (the same level the history
  chart's "expected" backpressure uses): the deviation split over time, the unexplained part
  (the air in-leakage indicator) and the lost output; the last interval's result gives the
  ranked actions valued in MW and USD/day;
* for a configured condenser with a store, the latest stored ``analyze_condenser_performance``
  result in the window.

Every figure keeps the provenance hash of the tool result it comes from. Nothing here
computes physics: the interval means are plain averages of measurements, and every
backpressure, deviation and output figure is a tool result.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..calculators import cycles
from ..calculators.history import DAY_MS
from ..errors import InvalidArguments
from ..registry import ExecutionContext, ToolCall, execute, get_tool
from . import history_io as hio
from .history import INLINE_SERIES_MAX_ROWS

__all__ = ["ReportData", "IntervalResult", "gather", "HISTORY_TOOL", "VACUUM_TOOL", "COMBINED_TOOL"]

log = logging.getLogger(__name__)

HISTORY_TOOL = "analyze_performance_history"
VACUUM_TOOL = "optimize_vacuum_pressure"
COMBINED_TOOL = "analyze_condenser_performance"
#: Report arguments that are not passed on to the history analysis.
_REPORT_ONLY = {
    "report_title",
    "report_from",
    "report_to",
    "split_interval_days",
    "report_output",
    "pdf",
    "design_cw_inlet_temp",
    "design_cw_flow",
    "design_heat_duty",
    "design_backpressure",
    "turbine_curve_pressure",
    "turbine_curve_output_change",
    "turbine_curve_kind",
    "turbine_choke_pressure",
    "rated_output_mw",
    "power_price_usd_per_mwh",
}
#: Measurement means passed to the vacuum tool for each interval (argument → input column).
_MEANS = ("cw_inlet_temp", "cw_outlet_temp", "cw_flow", "condenser_pressure")


class _Cleaning(NamedTuple):
    time: float  #: [days since the epoch], as :class:`~..calculators.cycles.CleaningEvent`


@dataclass
class IntervalResult:
    """One interval of the deviation split: its dates and the vacuum tool's result."""

    start: str
    end: str
    valid_days: int
    valid_hours: float
    ttd_mean: float | None  #: caller units, mean of the valid rows
    result: dict | None  #: optimize_vacuum_pressure result (None when refused)
    error: str | None = None


@dataclass
class ReportData:
    """The tool results a report is built from."""

    unit_system: str
    history: dict  #: analyze_performance_history result
    history_arguments: dict
    intervals: list[IntervalResult] = field(default_factory=list)
    vacuum_arguments: dict = field(default_factory=dict)  #: design/turbine arguments of every interval call
    stored_combined: dict | None = None  #: latest stored analyze_condenser_performance row
    warnings: list[str] = field(default_factory=list)

    @property
    def latest(self) -> IntervalResult | None:
        for iv in reversed(self.intervals):
            if iv.result is not None:
                return iv
        return None


def _sub_context(call: ToolCall) -> ExecutionContext:
    """The caller's context without the ledger recorder: the report's own call is recorded,
    the sub-results it cites carry their provenance hashes and are reproduced by re-running
    the same arguments."""
    c = call.context
    return ExecutionContext(
        design=c.design,
        live=c.live,
        recorder=None,
        caller=c.caller,
        role=c.role,
        request_id=c.request_id,
        services=c.services,
    )


def _window_ms(a: dict) -> tuple[float | None, float | None]:
    out = []
    for name in ("report_from", "report_to"):
        text = a.get(name) or ""
        if not text:
            out.append(None)
            continue
        ms, ok = hio.parse_timestamps([text])
        if not ok[0]:
            raise InvalidArguments([f"$.{name}: expected an ISO 8601 date or time, got {text!r}"])
        out.append(float(ms[0]))
    lo, hi = out
    if lo is not None and hi is not None and hi <= lo:
        raise InvalidArguments(
            [f"$.report_to: expected a time after report_from ({a['report_from']}), got {a['report_to']!r}"]
        )
    return lo, hi


def _in_window(ts: np.ndarray, lo: float | None, hi: float | None) -> np.ndarray:
    keep = np.ones(ts.size, dtype=bool)
    if lo is not None:
        keep &= ts >= lo
    if hi is not None:
        keep &= ts < hi
    return keep


def _history_arguments(call: ToolCall, lo: float | None, hi: float | None) -> dict:
    """The history call: the report's series and design arguments; a window is applied to
    arrays directly, to a file by writing the window's rows to a content-addressed CSV in the
    report directory (so the analysed rows can be reproduced), and to live mode as the query
    window."""
    hist_fields = set(get_tool(HISTORY_TOOL).input_model.model_fields)
    args = {k: v for k, v in call.args.items() if v is not None and k in hist_fields and k not in _REPORT_ONLY}
    # the chart PNG is in the history result (and so in its hash) only when a file is written:
    # figures-only reports (report_output 'none') stay byte-identical across matplotlib versions
    chart = call.args.get("report_output") == "file"
    args.update(series_output="file", series_format="csv", include_chart=chart, max_daily_rows=366)
    if lo is None and hi is None:
        return _inline_when_small(args)
    if args.get("data_source") == "live":
        for name, ms in (("start_time", lo), ("end_time", hi)):
            if ms is not None:
                args[name] = hio.format_timestamps(np.array([int(ms)], dtype=np.int64))[0]
        return args
    if args.get("file_path"):
        args["file_path"] = _window_file(call, args["file_path"], lo, hi)
        return args
    if args.get("timestamps") is not None:
        ts, _ = hio.parse_timestamps(args["timestamps"])
        keep = np.flatnonzero(_in_window(ts, lo, hi)).tolist()
        if not keep:
            raise InvalidArguments(["$.report_from: no rows of the timestamps lie in the report window"])
        columns = [name for name in ("timestamps", *hio.MEASUREMENT_COLUMNS, "quality") if args.get(name) is not None]
        uneven = [
            f"$.{name}: expected {len(ts)} items (as timestamps), got {len(args[name])}"
            for name in columns
            if len(args[name]) != len(ts)
        ]
        if uneven:
            raise InvalidArguments(uneven)
        for name in columns:
            args[name] = [args[name][i] for i in keep]
    return _inline_when_small(args)


def _inline_when_small(args: dict) -> dict:
    """Small array series come back inline (the result then names no file path, so its
    provenance hash is the same on every machine); larger ones go to a series file."""
    if args.get("timestamps") is not None and len(args["timestamps"]) <= INLINE_SERIES_MAX_ROWS:
        args["series_output"] = "inline"
    return args


def _window_file(call: ToolCall, file_path: str, lo: float | None, hi: float | None) -> str:
    from .report_files import write_window_csv

    data_dir = hio.configured_data_dir(call.context.services)
    path = hio.resolve_data_file(file_path, data_dir)
    data = hio.read_series(path)
    keep = _in_window(data.timestamp_ms, lo, hi)
    if not keep.any():
        raise InvalidArguments([f"$.report_from: no rows of {file_path!r} lie in the report window"])
    written = write_window_csv(data_dir, data, keep)
    return str(written.relative_to(data_dir.resolve())) if data_dir is not None else str(written)


def _read_series_columns(path: str, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Columns of the history tool's per-row series CSV (``reason`` as text, others float)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    types = {n: pa.float64() for n in names if n != "reason"}
    types["reason"] = pa.string()
    table = pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(include_columns=list(names), column_types=types))
    out = {}
    for n in names:
        col = table.column(n)
        out[n] = (
            np.asarray(col.to_pylist(), dtype=object)
            if n == "reason"
            else col.to_numpy(zero_copy_only=False).astype(float)
        )
    return out


def _series_columns(history: dict) -> dict[str, np.ndarray] | None:
    """reason, cleanliness_factor and ttd of every row, from the history result's inline
    series or its series file; None without either (live mode)."""
    names = ("reason", "cleanliness_factor", "ttd")
    if history.get("series_file"):
        return _read_series_columns(history["series_file"], names)
    if history.get("series") is None:
        return None
    rows = history["series"]
    out = {"reason": np.array([r["reason"] for r in rows], dtype=object)}
    for n in names[1:]:
        out[n] = np.array([r.get(n, np.nan) for r in rows], dtype=float)
    return out


def _measurements(history_args: dict, call: ToolCall) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Timestamps [ms] and the four measurements in caller units, in the order the history
    tool analysed them (the same reader)."""
    if history_args.get("file_path"):
        path = hio.resolve_data_file(history_args["file_path"], hio.configured_data_dir(call.context.services))
        data = hio.read_series(path)
        return data.timestamp_ms, data.values
    if history_args.get("timestamps") is not None:
        ts, _ = hio.parse_timestamps(history_args["timestamps"])
        return ts, {n: np.asarray(history_args[n], dtype=float) for n in hio.MEASUREMENT_COLUMNS}
    return np.zeros(0, dtype=np.int64), {}


def _bucket_means(
    ts: np.ndarray,
    valid: np.ndarray,
    columns: dict[str, np.ndarray],
    interval_days: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Interval index of each valid row's day → (first day of each interval, its last day
    with valid rows, valid days, valid rows, means of each column over the valid rows)."""
    day = (ts[valid] // DAY_MS).astype(np.int64)
    first = int(day.min())
    bucket = (day - first) // interval_days
    n = int(bucket.max()) + 1
    rows = np.bincount(bucket, minlength=n).astype(float)
    days = np.array([np.unique(day[bucket == b]).size for b in range(n)])
    means = {}
    for name, col in columns.items():
        v = col[valid]
        ok = np.isfinite(v)
        s = np.bincount(bucket[ok], weights=v[ok], minlength=n)
        c = np.bincount(bucket[ok], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            means[name] = np.where(c > 0, s / np.maximum(c, 1), np.nan)
    last = np.full(n, first, dtype=np.int64)
    np.maximum.at(last, bucket, day)
    return first + np.arange(n) * interval_days, last, days, rows, means


def _fouling_level(
    ts: np.ndarray,
    valid: np.ndarray,
    cf: np.ndarray,
    history: dict,
    interval_days: int,
) -> np.ndarray:
    """Mean over each interval of the daily fouling level 1/CF − 1, smoothed within cycles
    (:func:`~..calculators.cycles.smoothed_within_cycles`, as the history chart does)."""
    day = (ts[valid] // DAY_MS).astype(np.int64)
    v = cf[valid]
    uniq, inv = np.unique(day, return_inverse=True)
    daily_cf = np.bincount(inv, weights=v) / np.bincount(inv)
    events = []
    for e in history.get("cleaning_events") or []:
        ms, ok = hio.parse_timestamps([e["date"]])
        if ok[0]:
            events.append(_Cleaning(float(ms[0]) / DAY_MS))
    level = cycles.smoothed_within_cycles(uniq.astype(float) + 0.5, 1.0 / daily_cf - 1.0, events)
    bucket = (uniq - int(uniq.min())) // interval_days
    days = np.bincount(bucket)
    return np.bincount(bucket, weights=level) / np.maximum(days, 1)  # intervals without days are skipped


def _vacuum_base(call: ToolCall, history: dict) -> dict:
    """Design, design-point, turbine and price arguments shared by every interval call."""
    accepted = set(get_tool(VACUUM_TOOL).input_model.model_fields)
    skip = {"condenser_id", "data_source", *_MEANS, "heat_duty", "steam_flow", "cleanliness_factor"}
    base = {k: v for k, v in call.args.items() if v is not None and k in accepted and k not in skip}
    base["target_cleanliness"] = history["design_cleanliness"]
    return base


def _interval_results(
    call: ToolCall, data: ReportData, ts: np.ndarray, values: dict[str, np.ndarray], series: dict[str, np.ndarray]
) -> None:
    interval = int(call.args["split_interval_days"])
    valid = series["reason"] == "valid"
    if ts.size != valid.size or not valid.any():
        data.warnings.append("no valid rows: no deviation split over time")
        return
    columns = {**{n: values[n] for n in _MEANS}, "ttd": series["ttd"]}
    starts, last_days, days, rows, means = _bucket_means(ts, valid, columns, interval)
    level = _fouling_level(ts, valid, series["cleanliness_factor"], data.history, interval)
    hours = float(np.median(np.diff(np.unique(ts[valid])))) / 3.6e6 if int(valid.sum()) > 1 else 1.0
    base = _vacuum_base(call, data.history)
    data.vacuum_arguments = base
    context = _sub_context(call)
    for b in range(starts.size):
        if rows[b] == 0:
            continue
        args = dict(base)
        args.update({n: float(f"{means[n][b]:.10g}") for n in _MEANS})
        args["cleanliness_factor"] = float(f"{1.0 / (1.0 + level[b]):.10g}")
        outcome = execute(VACUUM_TOOL, args, context)
        ttd = means["ttd"][b]
        iv = IntervalResult(
            start=hio.day_string(int(starts[b])),
            end=hio.day_string(int(last_days[b])),
            valid_days=int(days[b]),
            valid_hours=float(rows[b]) * min(hours, 24.0),
            ttd_mean=float(ttd) if math.isfinite(ttd) else None,
            result=outcome.result,
            error=None if outcome.error is None else outcome.error.text(),
        )
        data.intervals.append(iv)
    failed = [iv for iv in data.intervals if iv.result is None]
    if failed:
        data.warnings.append(
            f"{len(failed)} of {len(data.intervals)} intervals could not be split (first: {failed[0].start}: "
            f"{failed[0].error.splitlines()[0] if failed[0].error else 'refused'})"
        )


def _stored_combined(call: ToolCall, lo: float | None, hi: float | None) -> dict | None:
    """The latest stored analyze_condenser_performance result of the condenser in the window."""
    cid = call.args.get("condenser_id")
    store = call.context.services.get("history")
    if not cid or store is None or not hasattr(store, "results"):
        return None
    stamp = [None if ms is None else hio.format_timestamps(np.array([int(ms)], dtype=np.int64))[0] for ms in (lo, hi)]
    try:
        rows = store.results(cid, tool=COMBINED_TOOL, since=stamp[0], until=stamp[1])
    except Exception as exc:  # a store outage must not lose the report
        log.warning("stored results of %s unavailable: %s", cid, exc)
        return None
    return rows[-1] if rows else None


def gather(call: ToolCall) -> ReportData:
    """Run the sub-tools and collect what the report cites (see the module docstring)."""
    lo, hi = _window_ms(call.args)
    history_args = _history_arguments(call, lo, hi)
    outcome = execute(HISTORY_TOOL, history_args, _sub_context(call))
    if outcome.error is not None:
        err = outcome.error
        err.problems = [f"{p} (in the history analysis of the report)" for p in err.problems]
        err.tool = ""  # reported as an error of the report call
        raise err
    data = ReportData(call.unit_system, outcome.result, history_args)
    data.warnings += [f"history analysis: {w}" for w in outcome.result.get("warnings", [])]
    series = _series_columns(outcome.result)
    if series is not None:
        ts, values = _measurements(history_args, call)
        if values:
            _interval_results(call, data, ts, values, series)
        else:
            data.warnings.append(
                "live series: the deviation split over time needs the measurements as a file "
                "or arrays; only the history analysis is reported"
            )
    data.stored_combined = _stored_combined(call, lo, hi)
    return data


def series_file_path(data: ReportData) -> Path | None:
    p = data.history.get("series_file")
    return Path(p) if p else None
