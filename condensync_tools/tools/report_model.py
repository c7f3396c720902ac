# SPDX-License-Identifier: MIT
"""The report model of ``generate_performance_report``: sections of values taken from tool
results, each with the provenance hash of the result it comes from. Pure (no I/O); the HTML
renderer (:mod:`.report_html`) only formats and escapes what is here.

The only arithmetic here aggregates tool results: the energy lost over the report period is
the sum over the intervals of the lost output (optimize_vacuum_pressure) times the interval's
operating hours, valued with :func:`~..calculators.economics.energy_cost_usd`.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

from ..calculators import hei
from ..calculators.economics import energy_cost_usd
from .report_data import COMBINED_TOOL, HISTORY_TOOL, VACUUM_TOOL, ReportData

__all__ = ["Kpi", "Row", "ReportModel", "build_model", "DEVIATION_PARTS", "series_digest"]

#: Air fields of a stored analyze_condenser_performance result shown among the air indicators.
STORED_AIR_FIELDS = (
    "leak_detected",
    "air_severity",
    "air_confidence",
    "likely_leak_location",
    "estimated_inleakage",
    "air_backpressure",
    "air_lost_output_mw",
    "air_cost_usd_per_day",
    "air_confounded",
)
#: Deviation parts of optimize_vacuum_pressure, in its substitution order, with labels.
DEVIATION_PARTS = (
    ("deviation_heat_duty", "heat duty"),
    ("deviation_cw_inlet_temp", "CW inlet temperature"),
    ("deviation_cw_flow", "CW flow"),
    ("deviation_fouling", "fouling (tube cleanliness)"),
    ("deviation_unexplained", "unexplained (air in-leakage or instruments)"),
)


@dataclass
class Kpi:
    """One stated figure: label, value (number or text), unit, source tool and provenance hash."""

    label: str
    value: float | str | None
    unit: str
    source: str
    provenance_hash: str
    note: str = ""


@dataclass
class Row:
    """One interval of the deviation split (caller units)."""

    start: str
    end: str
    measured: float | None
    expected: float | None
    achievable: float | None
    reference: float | None
    parts: dict[str, float]
    lost_output_mw: float | None
    cost_usd_per_day: float | None
    ttd: float | None
    cleanliness_factor: float | None
    provenance_hash: str


@dataclass
class ReportModel:
    title: str
    condenser_id: str
    unit_system: str
    period_start: str
    period_end: str
    headline: list[str]
    kpis: list[Kpi]
    history_chart_png: str  #: base64 PNG from analyze_performance_history
    history_hash: str
    cycles: list[dict]
    cleaning_events: list[dict]
    split_rows: list[Row]
    split_digest: str  #: SHA-256 over the interval results' provenance hashes, in order
    pressure_unit: str
    dp_unit: str
    temperature_unit: str
    td_unit: str
    actions: list[dict]
    actions_hash: str
    air: list[Kpi]
    money: list[Kpi]
    methods: list[tuple[str, str]]
    provenance: list[tuple[str, str, str]]  #: (what, tool, provenance hash)
    warnings: list[str] = field(default_factory=list)
    interval_days: int = 7

    def all_hashes(self) -> dict[str, str]:
        """Every stated figure → provenance hash (for the tool's output)."""
        out = {k.label: k.provenance_hash for k in (*self.kpis, *self.air, *self.money)}
        out["chart: cleanliness and backpressure"] = self.history_hash
        if self.split_rows:
            out["chart: deviation split over time (digest of the interval results)"] = self.split_digest
        if self.actions:
            out["table: top actions"] = self.actions_hash
        return out


def series_digest(hashes: list[str]) -> str:
    """SHA-256 of the provenance hashes joined by newlines (order kept)."""
    return hashlib.sha256("\n".join(hashes).encode("ascii")).hexdigest()


def _f(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None


def _ph(result: dict | None) -> str:
    return (result or {}).get("provenance", {}).get("provenance_hash", "")


def _history_kpis(h: dict, ph: str) -> list[Kpi]:
    u = h.get("units", {})
    cf = h.get("cleanliness_factor") or {}
    bp = h.get("condenser_pressure") or {}
    ttd = h.get("ttd") or {}
    out = [
        Kpi(
            "Latest daily cleanliness factor",
            h.get("latest_cleanliness_factor"),
            "1",
            HISTORY_TOOL,
            ph,
            f"day {h.get('latest_day', '-')}",
        ),
        Kpi(
            "Cleanliness factor, median of the period",
            cf.get("p50"),
            "1",
            HISTORY_TOOL,
            ph,
            f"p5 {cf.get('p05', float('nan')):.3f}, p95 {cf.get('p95', float('nan')):.3f}" if cf else "",
        ),
        Kpi("Backpressure, median of the period", bp.get("p50"), u.get("condenser_pressure.p50", ""), HISTORY_TOOL, ph),
        Kpi("TTD, median of the period", ttd.get("p50"), u.get("ttd.p50", ""), HISTORY_TOOL, ph),
        Kpi(
            "Cleanings in the period",
            float(len(h.get("cleaning_events") or [])),
            "",
            HISTORY_TOOL,
            ph,
            ", ".join(e["date"] for e in h.get("cleaning_events") or []),
        ),
        Kpi(
            "Current cycle since",
            h.get("current_cycle_start", "-"),
            "",
            HISTORY_TOOL,
            ph,
            f"trend {h.get('trend_selected_model', '-')}, status {h.get('trend_status', '-')}",
        ),
        Kpi(
            "Forecast date of the cleaning trigger",
            h.get("forecast_cleaning_date") or ("reached" if h.get("cleaning_due") else "none"),
            "",
            HISTORY_TOOL,
            ph,
            f"trigger CF {h.get('trigger_cleanliness', 0):g}"
            + ("; cleaning due" if h.get("cleaning_due") else "")
            + ("" if h.get("forecast_cleaning_date") else f"; {h.get('days_until_cleaning_reason', '')}"),
        ),
        Kpi(
            "Valid rows",
            float(h.get("rows_valid", 0)),
            "",
            HISTORY_TOOL,
            ph,
            f"of {h.get('rows_total', 0)} rows ({h.get('rows_invalid', 0)} invalid, counted by reason)",
        ),
    ]
    return out


def _vacuum_kpis(r: dict, ph: str, when: str) -> list[Kpi]:
    u = r.get("units", {})
    out = [
        Kpi(
            "Measured backpressure, latest interval",
            r.get("measured_backpressure"),
            u.get("measured_backpressure", ""),
            VACUUM_TOOL,
            ph,
            when,
        ),
        Kpi(
            "Expected backpressure at the cycle's fouling level",
            r.get("expected_backpressure"),
            u.get("expected_backpressure", ""),
            VACUUM_TOOL,
            ph,
            when,
        ),
        Kpi(
            "Achievable backpressure at target cleanliness",
            r.get("achievable_backpressure"),
            u.get("achievable_backpressure", ""),
            VACUUM_TOOL,
            ph,
            f"target CF {r.get('target_cleanliness', 0):.2f}; {when}",
        ),
    ]
    return out


def _rows(data: ReportData) -> list[Row]:
    rows = []
    for iv in data.intervals:
        r = iv.result
        if r is None:
            continue
        rows.append(
            Row(
                iv.start,
                iv.end,
                _f(r.get("measured_backpressure")),
                _f(r.get("expected_backpressure")),
                _f(r.get("achievable_backpressure")),
                _f(r.get("reference_backpressure")),
                {k: _f(r.get(k)) or 0.0 for k, _ in DEVIATION_PARTS},
                _f(r.get("lost_output_mw")),
                _f(r.get("cost_usd_per_day")),
                iv.ttd_mean,
                _f(r.get("cleanliness_factor")),
                _ph(r),
            )
        )
    return rows


def _money(data: ReportData, latest: dict | None, split_digest: str) -> list[Kpi]:
    if latest is None or latest.get("lost_output_mw") is None:
        return []
    ph = _ph(latest)
    out = [
        Kpi("Lost output now (vs the optimal backpressure)", latest["lost_output_mw"], "MW", VACUUM_TOOL, ph),
        Kpi("  of which fouling", latest.get("lost_output_fouling_mw"), "MW", VACUUM_TOOL, ph),
        Kpi(
            "  of which unexplained (air or instruments)",
            latest.get("lost_output_unexplained_mw"),
            "MW",
            VACUUM_TOOL,
            ph,
        ),
    ]
    if latest.get("cost_usd_per_day") is not None:
        out.append(Kpi("Cost now", latest["cost_usd_per_day"], "USD/day", VACUUM_TOOL, ph))
    mwh, usd = 0.0, 0.0
    price = data.vacuum_arguments.get("power_price_usd_per_mwh")
    for iv in data.intervals:
        mw = _f((iv.result or {}).get("lost_output_mw"))
        if mw is None:
            continue
        mwh += mw * iv.valid_hours
        if price is not None:
            usd += energy_cost_usd(mw * 1e6, iv.valid_hours, price)
    out.append(
        Kpi(
            "Energy lost over the period",
            float(f"{mwh:.10g}"),
            "MWh",
            VACUUM_TOOL,
            split_digest,
            "sum of interval lost output × operating hours",
        )
    )
    if price is not None:
        out.append(
            Kpi(
                "Value lost over the period",
                float(f"{usd:.10g}"),
                "USD",
                VACUUM_TOOL,
                split_digest,
                f"at {price:g} USD/MWh",
            )
        )
    return out


def _air(data: ReportData, rows: list[Row], latest: dict | None) -> list[Kpi]:
    out = []
    if latest is not None and latest.get("deviation_unexplained") is not None:
        out.append(
            Kpi(
                "Unexplained backpressure, latest interval",
                latest["deviation_unexplained"],
                latest.get("units", {}).get("deviation_unexplained", ""),
                VACUUM_TOOL,
                _ph(latest),
                "measured minus expected at the cycle's fouling level: air in-leakage or instruments",
            )
        )
    if rows:
        vals = sorted(r.parts["deviation_unexplained"] for r in rows)
        out.append(
            Kpi(
                "Unexplained backpressure, median of the intervals",
                vals[len(vals) // 2],
                latest.get("units", {}).get("deviation_unexplained", "") if latest else "",
                VACUUM_TOOL,
                series_digest([r.provenance_hash for r in rows]),
                f"{len(rows)} intervals",
            )
        )
    stored = data.stored_combined
    res = (stored or {}).get("results")
    if isinstance(res, dict):
        units = res.get("units", {})
        for key in STORED_AIR_FIELDS:
            value = res.get(key)
            if value is None:
                continue
            out.append(
                Kpi(
                    f"Stored {COMBINED_TOOL}: {key.replace('_', ' ')}",
                    str(value).lower() if isinstance(value, bool) else value,
                    units.get(key, ""),
                    COMBINED_TOOL,
                    stored.get("provenance_hash") or "",
                    f"stored {stored.get('timestamp', '')}",
                )
            )
    return out


def _methods(data: ReportData) -> list[tuple[str, str]]:
    h = data.history
    m = h.get("provenance", {}).get("method", {})
    out = [
        (
            "Cleanliness and trend",
            "analyze_performance_history: the heat-transfer test chain on every row "
            f"(clean U: {m.get('clean_u', m.get('u_clean', 'HEI'))}); cleanings detected as step recoveries or "
            "given; linear and Kern-Seaton fits of the current cycle, model by AICc; forecast to the trigger.",
        ),
        (
            "Expected and achievable backpressure",
            "optimize_vacuum_pressure (effectiveness/NTU chain, IAPWS-IF97 "
            "saturation pressure) on the means of the valid rows of each interval: expected at the cycle's "
            "fouling level (daily 1/CF − 1, running median ±3 days that never crosses a cleaning), achievable at "
            f"the design cleanliness {h.get('design_cleanliness', 0):.2f}.",
        ),
        (
            "Deviation split",
            f"per {data_interval_days(data)}-day interval, sequential substitution in the order heat "
            "duty → CW inlet temperature → CW flow → fouling → unexplained (ASME PTC 12.2-style correction); "
            "without a design point the reference is the actual CW state and the duty, inlet and flow parts are "
            "zero. Interval means of measurements are averaged over the rows the history analysis found valid "
            "(its series file's reason column); the heat duty is computed by the tool from the mean CW rise.",
        ),
        (
            "Air in-leakage indicators",
            "the unexplained part: measured backpressure above the expected one at the "
            "cycle's smoothed fouling level; with the TTD, a rise of both while the cleanliness trend is steady "
            "points to air binding rather than fouling. Confirm with air-removal measurements "
            "(detect_air_inleakage) before acting. Interval means carry a small positive bias (the saturation "
            "pressure is convex in temperature, so the mean of the measured pressures lies above the pressure at "
            "the mean conditions): about 0.006 inHg (0.02 kPa) on a synthetic multi-year history without any air "
            "leak, far inside the ±0.12 inHg PTC 12.2 pressure uncertainty. Read its trend, not its level.",
        ),
        (
            "Money",
            "lost output from the turbine correction curve between the measured and the optimal "
            "backpressure (optimize_vacuum_pressure); energy over the period = Σ interval lost output × operating "
            "hours of the interval; value at the given electricity price.",
        ),
        (
            "Provenance",
            "every figure names the tool result it comes from by its provenance hash; a chart or "
            "total built from several interval results cites the SHA-256 of their hashes joined by newlines. "
            "Re-running the tool with the same arguments and version reproduces each hash.",
        ),
    ]
    return out


def data_interval_days(data: ReportData) -> int:
    if len(data.intervals) >= 1 and data.intervals[0].start and data.intervals[0].end:
        from datetime import date

        a, b = (date.fromisoformat(x) for x in (data.intervals[0].start, data.intervals[0].end))
        return (b - a).days + 1
    return 7


def _interval_warnings(latest: dict | None) -> list[str]:
    """The latest interval's warnings less its HEI-basis caveats: the history analysis of the same
    tubes states those (a derived Fw as a per-row count), so the report gives each once."""
    stated_by_history = {hei.hei_caveat_text(c) for c in hei.HeiCaveat}
    return [w for w in (latest or {}).get("warnings") or [] if w not in stated_by_history]


def _headline(h: dict, latest: dict | None, money: list[Kpi]) -> list[str]:
    lines = []
    cf = h.get("latest_cleanliness_factor")
    if cf is not None:
        lines.append(f"Cleanliness factor {cf:.3f} on {h.get('latest_day')} (trigger {h['trigger_cleanliness']:g}).")
    if h.get("cleaning_due"):
        lines.append("Cleaning is due.")
    elif h.get("forecast_cleaning_date"):
        lines.append(
            f"Cleaning trigger forecast on {h['forecast_cleaning_date']} ({h.get('days_until_cleaning', 0):.0f} days)."
        )
    elif h.get("days_until_cleaning_reason"):
        lines.append(f"No cleaning forecast: {h['days_until_cleaning_reason']}.")
    if latest is not None and latest.get("lost_output_mw") is not None:
        text = f"Lost output now {latest['lost_output_mw']:.3g} MW"
        if latest.get("cost_usd_per_day") is not None:
            text += f" ({latest['cost_usd_per_day']:,.0f} USD/day)"
        lines.append(text + ".")
    return lines


def build_model(data: ReportData, title: str, condenser_id: str) -> ReportModel:
    """The report model from the gathered tool results."""
    h = data.history
    hph = _ph(h)
    rows = _rows(data)
    latest_iv = data.latest
    latest = latest_iv.result if latest_iv else None
    digest = series_digest([r.provenance_hash for r in rows])
    kpis = _history_kpis(h, hph)
    if latest is not None:
        kpis += _vacuum_kpis(latest, _ph(latest), f"{latest_iv.start} to {latest_iv.end}")
    money = _money(data, latest, digest)
    vu = (latest or {}).get("units", {})
    provenance = [("history analysis (KPIs, chart, cycles)", HISTORY_TOOL, hph)]
    if latest is not None:
        provenance.append(
            (f"latest interval {latest_iv.start} to {latest_iv.end} (actions, money now)", VACUUM_TOOL, _ph(latest))
        )
    provenance += [(f"interval {r.start} to {r.end}", VACUUM_TOOL, r.provenance_hash) for r in rows]
    if data.stored_combined:
        provenance.append(
            (
                f"stored combined analysis {data.stored_combined.get('timestamp', '')}",
                COMBINED_TOOL,
                data.stored_combined.get("provenance_hash") or "",
            )
        )
    return ReportModel(
        title=title or "Condenser performance report",
        condenser_id=condenser_id,
        unit_system=data.unit_system,
        period_start=h.get("period_start", "-"),
        period_end=h.get("period_end", "-"),
        headline=_headline(h, latest, money),
        kpis=kpis,
        history_chart_png=h.get("chart_png_base64", ""),
        history_hash=hph,
        cycles=list(h.get("cycles") or []),
        cleaning_events=list(h.get("cleaning_events") or []),
        split_rows=rows,
        split_digest=digest,
        pressure_unit=vu.get("measured_backpressure", h.get("units", {}).get("condenser_pressure.p50", "")),
        dp_unit=vu.get("deviation_fouling", ""),
        temperature_unit="°F" if data.unit_system == "US" else "°C",
        td_unit=h.get("units", {}).get("ttd.p50", ""),
        actions=list((latest or {}).get("recommendations") or []),
        actions_hash=_ph(latest),
        air=_air(data, rows, latest),
        money=money,
        methods=_methods(data),
        provenance=provenance,
        warnings=list(data.warnings) + _interval_warnings(latest),
        interval_days=data_interval_days(data),
    )
