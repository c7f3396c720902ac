# SPDX-License-Identifier: MIT
"""HTML of ``generate_performance_report``: one self-contained file (charts inline as base64
PNG, CSS inline, no scripts, no network assets), readable on a phone (viewport meta,
responsive layout, tables scroll sideways) and printable (print CSS: A4, no page break inside
a chart or a table row). Every text is escaped (:func:`html.escape`); every number comes from
the report model (:mod:`.report_model`) and is only formatted here.

The split and air charts are drawn with matplotlib (Agg) from the model's interval rows;
the cleanliness/backpressure chart is the history tool's own PNG, embedded as it came.
"""

from __future__ import annotations

import base64
import io
from html import escape

import numpy as np

from .report_model import DEVIATION_PARTS, Kpi, ReportModel

__all__ = ["render_html", "split_chart_png", "air_chart_png", "fmt"]

_CSS = """
:root{--ink:#1b1b1b;--muted:#5a5a5a;--line:#d0d7de;--accent:#08519c;--warn:#b35900;--bg:#fff}
*{box-sizing:border-box}
body{font-family:-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);
background:var(--bg);margin:0 auto;max-width:1100px;padding:12px 16px;line-height:1.4;font-size:15px}
h1{font-size:1.45em;margin:.2em 0}h2{font-size:1.15em;margin:1.4em 0 .4em;border-bottom:2px solid var(--accent);
padding-bottom:2px}
.meta{color:var(--muted);font-size:.9em}
.headline{background:#eef4fb;border-left:4px solid var(--accent);padding:8px 12px;margin:10px 0}
.headline p{margin:.2em 0;font-weight:600}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:8px}
.kpi{border:1px solid var(--line);border-radius:6px;padding:6px 10px}
.kpi .v{font-size:1.3em;font-weight:700}.kpi .l{font-size:.85em;color:var(--muted)}
.kpi .n{font-size:.78em;color:var(--muted)}
.hash{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.72em;color:var(--muted);word-break:break-all}
figure{margin:8px 0}figure img{width:100%;height:auto;border:1px solid var(--line)}
figcaption{font-size:.85em;color:var(--muted)}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:.88em}
th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
td:first-child{white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.warn li{color:var(--warn)}
@media (max-width:600px){body{font-size:14px;padding:8px}.kpis{grid-template-columns:1fr 1fr}
.kpi .v{font-size:1.1em}}
@media print{@page{size:A4;margin:14mm}body{max-width:none;font-size:10.5pt;padding:0}
figure,tr,.kpi,.headline{break-inside:avoid}h2{break-after:avoid}.scroll{overflow:visible}
a{color:inherit;text-decoration:none}}
"""


def fmt(value: float | str | None, digits: int = 4) -> str:
    """A value for display: numbers to ``digits`` significant digits (thousands grouped above
    10 000), text as is, '—' when absent."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    v = float(value)
    if not np.isfinite(v):
        return "—"
    if abs(v) >= 10_000:
        return f"{v:,.0f}"
    if v == int(v) and abs(v) < 10_000:
        return f"{int(v)}"
    return f"{v:.{digits}g}"


def _png(fig) -> str:
    sink = io.BytesIO()
    fig.savefig(sink, format="png", metadata={"Software": None})
    return base64.b64encode(sink.getvalue()).decode("ascii")


def _figure(height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10.0, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _dates(model: ReportModel) -> np.ndarray:
    return np.array([r.start for r in model.split_rows], dtype="datetime64[D]")


def _date_axis(ax) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel("interval start (UTC)")
    ax.grid(True, linewidth=0.3)


def split_chart_png(model: ReportModel) -> str:
    """Stacked bars of the deviation parts per interval (positive up, negative down) with the
    total deviation (measured − reference) as a line; base64 PNG."""
    fig = _figure(4.6)
    ax = fig.subplots()
    x = _dates(model)
    width = max(model.interval_days * 0.85, 0.8)
    colors = ("#8c8c8c", "#1f78b4", "#33a02c", "#d95f02", "#e31a1c")
    pos = np.zeros(x.size)
    neg = np.zeros(x.size)
    for (key, label), color in zip(DEVIATION_PARTS, colors, strict=True):
        v = np.array([r.parts[key] for r in model.split_rows])
        if not np.any(np.abs(v) > 0):
            continue
        bottom = np.where(v >= 0, pos, neg)
        ax.bar(x, v, width=width, bottom=bottom, color=color, label=label, align="edge", linewidth=0)
        pos += np.where(v >= 0, v, 0)
        neg += np.where(v < 0, v, 0)
    total = np.array([sum(r.parts.values()) for r in model.split_rows])
    ax.plot(
        x + np.timedelta64(model.interval_days // 2, "D"),
        total,
        color="black",
        linewidth=0.9,
        label="total deviation (measured − reference)",
    )
    ax.axhline(0, color="black", linewidth=0.5)
    ax.set_ylabel(f"backpressure deviation [{model.dp_unit}]")
    _date_axis(ax)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), fontsize=7, ncol=3, frameon=False)
    fig.tight_layout()
    return _png(fig)


def air_chart_png(model: ReportModel) -> str:
    """Air in-leakage indicators per interval: the unexplained backpressure (bars) and the
    mean TTD (line, right axis); base64 PNG."""
    fig = _figure(3.6)
    ax = fig.subplots()
    x = _dates(model)
    v = np.array([r.parts["deviation_unexplained"] for r in model.split_rows])
    ax.bar(
        x,
        v,
        width=max(model.interval_days * 0.85, 0.8),
        align="edge",
        color="#e31a1c",
        linewidth=0,
        label="unexplained backpressure (measured − expected)",
    )
    ax.axhline(0, color="black", linewidth=0.5)
    ax.set_ylabel(f"unexplained [{model.dp_unit}]")
    _date_axis(ax)
    ttd = np.array([np.nan if r.ttd is None else r.ttd for r in model.split_rows])
    twin = ax.twinx()
    twin.plot(
        x + np.timedelta64(model.interval_days // 2, "D"),
        ttd,
        color="#6a3d9a",
        linewidth=0.9,
        label="TTD, interval mean",
    )
    twin.set_ylabel(f"TTD [{model.td_unit}]", color="#6a3d9a")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = twin.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="lower center", bbox_to_anchor=(0.5, 1.0), fontsize=7, ncol=2, frameon=False)
    fig.tight_layout()
    return _png(fig)


def _kpi_cards(kpis: list[Kpi]) -> str:
    out = []
    for k in kpis:
        unit = f" {escape(k.unit)}" if k.unit and k.unit != "1" else ""
        out.append(
            f'<div class="kpi"><div class="l">{escape(k.label)}</div><div class="v">{escape(fmt(k.value))}{unit}'
            f"</div>{f'<div class=n>{escape(k.note)}</div>' if k.note else ''}"
            f'<div class="hash" title="provenance hash ({escape(k.source)})">{escape(k.provenance_hash[:16])}…'
            "</div></div>"
        )
    return '<div class="kpis">' + "".join(out) + "</div>"


def _table(head: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    th = "".join(f"<th{' class=num' if i in numeric else ''}>{escape(h)}</th>" for i, h in enumerate(head))
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=num' if i in numeric else ''}>{escape(c)}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f'<div class="scroll"><table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table></div>'


def _img(png: str, alt: str, caption: str, digest: str) -> str:
    if not png:
        return f"<p class=meta>{escape(alt)}: not available.</p>"
    return (
        f'<figure><img src="data:image/png;base64,{png}" alt="{escape(alt)}"><figcaption>{escape(caption)} '
        f'<span class="hash">provenance {escape(digest)}</span></figcaption></figure>'
    )


def _cycles_section(m: ReportModel) -> str:
    rows = [
        [
            c.get("start", ""),
            c.get("end", ""),
            fmt(c.get("length_days")),
            fmt(c.get("cleanliness_start")),
            fmt(c.get("cleanliness_end")),
            fmt(c.get("cleanliness_recovered")),
            "current" if c.get("current") else c.get("starts_with", ""),
        ]
        for c in m.cycles
    ]
    return _table(
        ["cycle start", "end", "days", "CF at start", "CF at end", "CF recovered by the cleaning", "note"],
        rows,
        {2, 3, 4, 5},
    )


def _split_table(m: ReportModel) -> str:
    last = m.split_rows[-8:]
    head = [
        "interval from",
        f"measured [{m.pressure_unit}]",
        f"expected [{m.pressure_unit}]",
        f"achievable [{m.pressure_unit}]",
        *[f"{label.split(' (')[0]} [{m.dp_unit}]" for _, label in DEVIATION_PARTS],
        "lost [MW]",
    ]
    rows = [
        [
            r.start,
            fmt(r.measured),
            fmt(r.expected),
            fmt(r.achievable),
            *[fmt(r.parts[k]) for k, _ in DEVIATION_PARTS],
            fmt(r.lost_output_mw),
        ]
        for r in last
    ]
    return _table(head, rows, set(range(1, len(head))))


def _actions_table(m: ReportModel) -> str:
    if not m.actions:
        return "<p>No valued actions (give a turbine curve or rated_output_mw, and a power price).</p>"
    rows = [
        [
            fmt(a.get("rank")),
            a.get("action", ""),
            a.get("reason", ""),
            fmt(a.get("value_mw")),
            fmt(a.get("value_usd_per_day")),
        ]
        for a in m.actions
    ]
    return (
        _table(["rank", "action", "what and why", "MW", "USD/day"], rows, {0, 3, 4})
        + f'<p class="hash">provenance {escape(m.actions_hash)}</p>'
    )


def _provenance_table(m: ReportModel) -> str:
    rows = [[what, tool, h] for what, tool, h in m.provenance]
    rows += [[label, "(figure)", h] for label, h in m.all_hashes().items()]
    return _table(["what", "tool", "provenance hash"], rows)


def render_html(m: ReportModel) -> str:
    """The report as one self-contained HTML document."""
    title = escape(m.title)
    meta = (
        f"Condenser {escape(m.condenser_id or '(not configured)')} · data {escape(m.period_start)} to "
        f"{escape(m.period_end)} · {escape(m.unit_system)} units"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{title}</h1><div class=meta>{meta}</div></header>",
        '<section class="headline">' + "".join(f"<p>{escape(t)}</p>" for t in m.headline) + "</section>",
        "<h2>Key figures</h2>",
        _kpi_cards(m.kpis),
        "<h2>Cleanliness, cleaning cycles and backpressure</h2>",
        _img(
            m.history_chart_png,
            "cleanliness factor and backpressure chart",
            "Top: daily cleanliness factor with the cleanings, the current cycle's fit and the forecast to the "
            "cleaning trigger. Bottom: backpressure measured vs expected (at the cycle's fouling level) vs "
            "achievable (design cleanliness), with the CW inlet temperature.",
            m.history_hash,
        ),
        _cycles_section(m),
    ]
    if m.split_rows:
        parts += [
            "<h2>Backpressure deviation split over time</h2>",
            _img(
                split_chart_png(m),
                "deviation split chart",
                f"Per {m.interval_days}-day interval: measured minus reference backpressure split by cause.",
                m.split_digest,
            ),
            _split_table(m),
            "<h2>Air in-leakage indicators</h2>",
            _img(
                air_chart_png(m),
                "air in-leakage indicators chart",
                "Unexplained backpressure (not explained by duty, CW temperature, CW flow or the fouling level) "
                "and the terminal temperature difference.",
                m.split_digest,
            ),
            _kpi_cards(m.air),
        ]
    parts += ["<h2>Top actions</h2>", _actions_table(m)]
    if m.money:
        parts += ["<h2>Money at stake</h2>", _kpi_cards(m.money)]
    parts += [
        "<h2>Methods</h2>",
        "<dl>" + "".join(f"<dt><b>{escape(k)}</b></dt><dd>{escape(v)}</dd>" for k, v in m.methods) + "</dl>",
    ]
    if m.warnings:
        parts += ['<h2>Warnings</h2><ul class="warn">' + "".join(f"<li>{escape(w)}</li>" for w in m.warnings) + "</ul>"]
    parts += ["<h2>Provenance</h2>", _provenance_table(m), "</body></html>"]
    return "\n".join(parts) + "\n"
