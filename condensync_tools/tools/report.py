# SPDX-License-Identifier: MIT
"""Tool ``generate_performance_report``: a weekly/monthly condenser performance report as one
self-contained HTML file (optionally PDF), built only from tool results.

1. :mod:`.report_data` runs ``analyze_performance_history`` on the series and
   ``optimize_vacuum_pressure`` per interval (the deviation split over time);
2. :mod:`.report_model` turns those results into sections of values with provenance hashes;
3. :mod:`.report_html` formats them (charts inline, responsive and print CSS);
4. :mod:`.report_files` writes ``<data dir>/reports/<sha256>.html`` (or the CLI's ``--out``)
   and, on request, prints a PDF with headless Chromium.
"""

from __future__ import annotations

import copy
from typing import Literal

from pydantic import BaseModel, Field, create_model

from ..registry import ToolCall, ToolDefinition, ToolOutput, register
from .common import ToolResult
from .history import HistoryInput
from .report_data import HISTORY_TOOL, VACUUM_TOOL, gather
from .report_files import print_pdf, report_resource_uri, write_report
from .report_html import render_html
from .report_model import ReportModel, build_model
from .shared_inputs import DesignPointFields, TurbineFields

__all__ = ["ReportInput", "ReportOutput", "TOOL"]

#: History arguments the report sets itself.
_HISTORY_FIXED = ("series_output", "series_format", "include_chart", "max_daily_rows")


class _ReportFields(DesignPointFields, TurbineFields):
    report_title: str = Field(
        "", max_length=200, description="Report title (default: 'Condenser performance report') [1]"
    )
    report_from: str = Field(
        "",
        max_length=40,
        description="Start of the report window (ISO 8601, inclusive); default: the start of the series [ISO 8601]",
    )
    report_to: str = Field(
        "",
        max_length=40,
        description="End of the report window (ISO 8601, exclusive); default: the end of the series [ISO 8601]",
    )
    split_interval_days: int = Field(
        7,
        ge=1,
        le=31,
        description="Length of the intervals of the deviation split "
        "over time (one optimize_vacuum_pressure result each) [d]",
    )
    report_output: Literal["file", "none"] = Field(
        "file",
        description="'file': write the HTML report (path, condensync://reports/<sha256>.html resource, "
        "SHA-256); 'none': return the report's figures and hashes only, write nothing [1]",
    )
    pdf: bool = Field(
        False,
        description="Also print the report to PDF with headless Chromium when it is "
        "installed (a warning otherwise) [1]",
    )


ReportInput = create_model(
    "ReportInput",
    __base__=_ReportFields,
    **{
        name: (f.annotation, copy.deepcopy(f))
        for name, f in HistoryInput.model_fields.items()
        if name not in _HISTORY_FIXED
    },
)


class ReportFigure(BaseModel):
    label: str = Field(description="What the figure is")
    value: float = Field(None, description="Numeric value, in `unit`")
    text: str = Field(None, description="Value when it is text (a date, a status)")
    unit: str = Field(description="Unit of value ('' or '1' for counts and fractions)")
    source: str = Field(description="Tool whose result the figure comes from")
    provenance_hash: str = Field(
        description="Provenance hash of that result (or the SHA-256 of several results' "
        "hashes joined by newlines, for a total)"
    )
    note: str = Field(description="Context: day, window, percentiles")


class ReportAction(BaseModel):
    rank: int = Field(description="Rank by value, 1 = most valuable [1]")
    action: str = Field(description="Stable action id, e.g. clean_tubes")
    reason: str = Field(description="What to do and why")
    value_mw: float = Field(None, description="Output recoverable [MW]")
    value_usd_per_day: float = Field(None, description="Value of value_mw at the power price [USD/d]")


class ReportOutput(ToolResult):
    report_output: str = Field(description="'file' or 'none'")
    report_file: str = Field(None, description="Path of the HTML report")
    report_resource_uri: str = Field(
        None,
        description="Resource URI of the report "
        "(condensync://reports/<sha256>.html) when written to the reports directory",
    )
    report_sha256: str = Field(None, description="SHA-256 of the HTML file bytes")
    pdf_file: str = Field(None, description="Path of the PDF (pdf true and Chromium present)")
    title: str = Field(description="Report title")
    period_start: str = Field(None, description="First valid timestamp analysed (ISO 8601 UTC)")
    period_end: str = Field(None, description="Last valid timestamp analysed (ISO 8601 UTC)")
    headline: list[str] = Field(description="The report's opening lines")
    figures: list[ReportFigure] = Field(description="Every figure the report states, with its source and hash")
    top_actions: list[ReportAction] = Field(
        description="Ranked actions of the latest interval, valued in MW and USD/day"
    )
    split_intervals: int = Field(description="Intervals in the deviation split over time [1]")
    split_intervals_failed: int = Field(description="Intervals the vacuum tool refused (see warnings) [1]")
    figure_provenance: dict[str, str] = Field(description="Each stated figure, chart and table → provenance hash")
    history_provenance_hash: str = Field(description="Provenance hash of the analyze_performance_history result")


def _figures(m: ReportModel) -> list[dict]:
    out = []
    for k in (*m.kpis, *m.air, *m.money):
        row = {
            "label": k.label.strip(),
            "unit": k.unit,
            "source": k.source,
            "provenance_hash": k.provenance_hash,
            "note": k.note,
        }
        if isinstance(k.value, str):
            row["text"] = k.value
        elif k.value is not None:
            row["value"] = float(k.value)
        out.append(row)
    return out


def handle(call: ToolCall) -> ToolOutput:
    a = call.args
    data = gather(call)
    model = build_model(data, a.get("report_title") or "", a.get("condenser_id") or "")
    failed = sum(1 for iv in data.intervals if iv.result is None)
    values = {
        "report_output": a["report_output"],
        "title": model.title,
        "period_start": data.history.get("period_start"),
        "period_end": data.history.get("period_end"),
        "headline": model.headline,
        "figures": _figures(model),
        "top_actions": [{k: r[k] for k in ReportAction.model_fields if r.get(k) is not None} for r in model.actions],
        "split_intervals": len(data.intervals),
        "split_intervals_failed": failed,
        "figure_provenance": model.all_hashes(),
        "history_provenance_hash": model.history_hash,
    }
    warnings = list(model.warnings)
    if a["report_output"] == "file":
        path, sha = write_report(render_html(model), call.context.services)
        values.update(report_file=str(path), report_sha256=sha)
        if not call.context.services.get("report_path"):
            values["report_resource_uri"] = report_resource_uri(sha)
        if a.get("pdf"):
            try:
                values["pdf_file"] = str(print_pdf(path, path.with_suffix(".pdf")))
            except (FileNotFoundError, RuntimeError) as exc:
                warnings.append(f"PDF not printed: {exc}")
    method = {
        "sources": f"{HISTORY_TOOL} (KPIs, cycles, chart); {VACUUM_TOOL} per interval (split, air, money, actions)",
        "split_interval_days": str(a["split_interval_days"]),
        "rendering": "self-contained HTML (inline CSS, base64 PNG charts, no scripts); PDF by headless Chromium",
    }
    summary = f"Report '{model.title}' for {values['period_start'] or '-'} to {values['period_end'] or '-'}: "
    summary += " ".join(model.headline) or "no valid rows."
    if values.get("report_resource_uri"):
        summary += f" Report: {values['report_resource_uri']}"
    elif values.get("report_file"):
        summary += f" Report: {values['report_file']}"
    return ToolOutput(values=values, method=method, warnings=warnings, summary=summary)


TOOL = register(
    ToolDefinition(
        name="generate_performance_report",
        title="Condenser performance report (HTML/PDF) from the history analysis",
        description=(
            "Builds a weekly/monthly condenser performance report for people who do not use a terminal: one "
            "self-contained HTML file (charts inline, readable on a phone, printable; optional PDF). Give the "
            "series as for analyze_performance_history (file_path in the data directory, arrays, or live) with "
            "the tube data; optionally a window (report_from/report_to), a design point "
            "(design_cw_inlet_temp, design_cw_flow, design_heat_duty) for the full deviation split, and "
            "rated_output_mw or a turbine curve plus power_price_usd_per_mwh to value it. Content: KPI cards, "
            "the cleanliness chart with cleaning cycles and forecast, backpressure measured vs expected vs "
            "achievable with CW inlet temperature, the deviation split over time, air in-leakage indicators, "
            "top actions in MW and USD/day, money at stake, methods and the provenance hash of every figure. "
            "Every number comes from analyze_performance_history and optimize_vacuum_pressure results. Returns "
            "the file path, a condensync://reports/<sha256>.html resource URI and a short summary."
        ),
        version="1.0.2",
        input_model=ReportInput,
        output_model=ReportOutput,
        handler=handle,
        read_only=False,
        destructive=False,
        idempotent=True,
        required_always=("tube_od", "tube_count", ("surface_area", "tube_length")),
        record_history=False,
    )
)
