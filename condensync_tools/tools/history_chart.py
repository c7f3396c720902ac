# SPDX-License-Identifier: MIT
"""The chart of ``analyze_performance_history`` (matplotlib, Agg): what it shows
(:class:`ChartData`) and how it is drawn (:func:`render_chart`).

This module imports numpy only; matplotlib is imported when a chart is drawn. It is kept
apart from the file reading and writing of :mod:`.history_io` so that a separate drawing
process (``condensync analyze``: :func:`draw_from_stdin`) needs nothing but matplotlib.
"""

from __future__ import annotations

import base64
import gc
import io
import pickle
import sys
from dataclasses import dataclass

import numpy as np

__all__ = ["ChartData", "render_chart", "chart_base64", "draw_from_stdin", "PNG_SIGNATURE"]

#: The first bytes of every PNG file.
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass
class ChartData:
    """What the history chart shows (times [ms since the epoch]; values in the caller's units)."""

    day_ms: np.ndarray  #: daily time centroids
    cf_mean: np.ndarray
    cf_min: np.ndarray
    cf_max: np.ndarray
    cleanings: list[tuple[float, str]]  #: (time, "detected" | "given")
    fit_curves: dict[str, tuple[np.ndarray, np.ndarray]]  #: model → (times, CF), current cycle
    selected: str | None
    trigger: float
    forecast_ms: float | None
    forecast_label: str
    title: str
    bp_day_ms: np.ndarray | None = None  #: backpressure panel: daily points
    bp_measured: np.ndarray | None = None
    bp_expected: np.ndarray | None = None
    bp_achievable: np.ndarray | None = None
    cw_inlet: np.ndarray | None = None
    pressure_unit: str = ""
    temperature_unit: str = ""
    achievable_label: str = "achievable"


def _dates(ms: np.ndarray) -> np.ndarray:
    return np.asarray(ms, dtype=float).astype("int64").astype("datetime64[ms]")


def _cleanliness_panel(ax, c: ChartData) -> None:
    x = _dates(c.day_ms)
    if x.size:
        ax.fill_between(x, c.cf_min, c.cf_max, color="#9ecae1", alpha=0.5, linewidth=0, label="daily min-max")
        ax.plot(x, c.cf_mean, "o-", color="#08519c", markersize=1.8, linewidth=0.7, label="daily mean CF")
    for k, (when, source) in enumerate(c.cleanings):
        ax.axvline(
            _dates(np.array([when]))[0],
            color="#6a3d9a",
            linewidth=1.0,
            linestyle="--" if source == "detected" else "-",
            label=("cleaning (detected: dashed, given: solid)" if k == 0 else None),
        )
    styles = {"linear": "#d95f02", "kern_seaton": "#1b9e77"}
    labels = {"linear": "linear fit", "kern_seaton": "Kern-Seaton fit"}
    for model, (t_ms, cf) in c.fit_curves.items():
        chosen = model == c.selected
        ax.plot(
            _dates(t_ms),
            cf,
            "-" if chosen else ":",
            color=styles.get(model, "gray"),
            linewidth=2.0 if chosen else 1.0,
            label=labels.get(model, model) + (" (selected, current cycle)" if chosen else ""),
        )
    ax.axhline(c.trigger, color="#e31a1c", linewidth=1.0, linestyle=":", label=f"cleaning trigger CF {c.trigger:g}")
    if c.forecast_ms is not None:
        when = _dates(np.array([c.forecast_ms]))[0]
        ax.axvline(when, color="#e31a1c", linewidth=1.0)
        lo, hi = ax.get_xlim()
        right_half = mdates_num(when) > lo + 0.5 * (hi - lo)
        ax.annotate(
            c.forecast_label,
            xy=(when, c.trigger),
            xytext=(-6 if right_half else 6, -14),
            textcoords="offset points",
            color="#e31a1c",
            fontsize=8,
            ha="right" if right_half else "left",
            va="top",
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "#e31a1c", "lw": 0.6},
        )
    ax.set_ylabel("cleanliness factor [-]")
    ax.grid(True, linewidth=0.3)
    # above the axes: inside, it would hide a cycle
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), fontsize=7, ncol=4, frameon=False)


def mdates_num(when: np.datetime64) -> float:
    """Matplotlib date number of a datetime64."""
    import matplotlib.dates as mdates

    return float(mdates.date2num(when))


def _backpressure_panel(ax, c: ChartData) -> None:
    x = _dates(c.bp_day_ms)
    ax.plot(x, c.bp_achievable, "-", color="#33a02c", linewidth=0.9, label=c.achievable_label)
    ax.plot(x, c.bp_expected, "-", color="#ff7f00", linewidth=0.9, label="expected at the cycle's fouling level")
    ax.plot(x, c.bp_measured, "-", color="#08519c", linewidth=1.2, label="measured (daily mean)", zorder=3)
    ax.set_ylabel(f"backpressure [{c.pressure_unit}]")
    ax.grid(True, linewidth=0.3)
    twin = ax.twinx()
    twin.plot(x, c.cw_inlet, "-", color="#999999", linewidth=0.7, alpha=0.8, label="CW inlet temperature")
    twin.set_ylabel(f"CW inlet temperature [{c.temperature_unit}]", color="#666666")
    twin.tick_params(axis="y", colors="#666666")
    lines = ax.get_legend_handles_labels()
    more = twin.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], loc="upper left", fontsize=7, ncol=2, framealpha=0.85)


def render_chart(c: ChartData) -> bytes:
    """PNG for an engineer: top, the daily cleanliness factor (mean with min-max band), the
    cleanings (vertical lines), the current cycle's fits extended to the forecast, the cleaning
    trigger and the forecast date; bottom (when given), the daily backpressure measured vs
    expected vs achievable with the CW inlet temperature (matplotlib, Agg).

    Deterministic for one matplotlib version (no timestamps or software tag in the file).
    """
    import matplotlib.dates as mdates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = 2 if c.bp_day_ms is not None and c.bp_day_ms.size else 1
    fig = Figure(figsize=(10.0, 4.8 if panels == 1 else 8.0), dpi=100)
    FigureCanvasAgg(fig)
    fig.suptitle(c.title, fontsize=10)
    axes = fig.subplots(panels, 1, sharex=True, squeeze=False)[:, 0]
    _cleanliness_panel(axes[0], c)
    if panels == 2:
        _backpressure_panel(axes[1], c)
    locator = mdates.AutoDateLocator()
    axes[-1].xaxis.set_major_locator(locator)
    axes[-1].xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes[-1].set_xlabel("date (UTC)")
    fig.tight_layout()
    sink = io.BytesIO()
    fig.savefig(sink, format="png", metadata={"Software": None})
    return sink.getvalue()


def chart_base64(png: bytes) -> str:
    """PNG bytes as base64 text (for the ``chart_png_base64`` result field)."""
    return base64.b64encode(png).decode("ascii")


def draw_from_stdin() -> None:
    """Entry point of a drawing process: import matplotlib at once (while the parent reads and
    analyses the file), then read one pickled :class:`ChartData` from stdin (written by the
    parent process that started this one) and write its PNG to stdout. The process draws one
    chart and exits: Python's cyclic garbage collector is off (it would only rescan the
    objects of matplotlib's import)."""
    gc.disable()
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.dates  # noqa: F401
    import matplotlib.figure  # noqa: F401

    chart = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from our own parent process
    sys.stdout.buffer.write(render_chart(chart))
    sys.stdout.buffer.flush()
