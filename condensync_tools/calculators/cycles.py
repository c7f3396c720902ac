# SPDX-License-Identifier: MIT
"""Fouling cycles: cleaning events in a history, the cycles between them, and the fouling
trend of the current cycle with its cleaning forecast.

A cleaning shows in a history as a *step recovery*: the fouling index y = 1/CF − 1 drops
within a day or two, where fouling itself raises it slowly over weeks. The daily points are
scanned for such steps with robust (median) levels on each side, so noise, a bad day, load
swings and outages do not fake one; known cleaning dates (from the caller or the plant
configuration) are merged in. The history splits into cycles at the cleanings, each cycle is
summarised (length, fouling rate, cleanliness recovered), and only the *current* cycle is
fitted: fouling models describe one cycle, never a sawtooth across several.

Models on the current cycle (t = days since its cleaning):

* linear with intercept, y = R_0 + β·t (k = 2);
* Kern–Seaton with the residual the cleaning left, y = R_0 + R_∞·(1 − e^(−t/τ)) (k = 3), or
  with τ held from the earlier cycles of the same history when that is better supported
  (k = 2): a short current cycle shows little curvature, earlier full cycles show τ.

Choice by AICc (:func:`.fouling.select_model`). No trend at all below
:data:`MIN_TREND_POINTS` daily points over :data:`MIN_TREND_SPAN_DAYS`; a fit that explains
less than :data:`POOR_FIT_R2` of the daily variation is flagged ``poor_fit``.

Pure: numbers in, numbers out; times in days on any common origin (the tools use days since
1970-01-01 UTC).

References
----------
Kern, D.Q., Seaton, R.E. (1959), Brit. Chem. Eng. 4(5), 258-262 (asymptotic fouling).
Hampel, F.R. (1974), "The influence curve and its role in robust estimation", J. Am. Stat.
Assoc. 69(346), 383-393 (median absolute deviation, 1.4826 consistency factor).
Killick, R., Eckley, I.A. (2014), "changepoint: an R package for changepoint analysis",
J. Stat. Softw. 58(3) (windowed mean/median change-point statistics).
Hurvich, C.M., Tsai, C.-L. (1989), Biometrika 76(2), 297-307 (AICc).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import fouling

__all__ = [
    "MIN_TREND_SPAN_DAYS",
    "MIN_TREND_POINTS",
    "POOR_FIT_R2",
    "STEP_WINDOW_DAYS",
    "MIN_STEP_INDEX",
    "TREND_STATUSES",
    "CleaningEvent",
    "CycleSummary",
    "CycleTrend",
    "CycleAnalysis",
    "daily_points",
    "detect_cleanings",
    "analyse_cycles",
]

#: Minimum span of the current cycle for any trend [d]: one weekly load pattern (weekday and
#: weekend dispatch) so it is not read as fouling; fouling of 0.1-0.5 % CF per day then moves
#: CF by 1-3 %, above the day-to-day scatter of daily means (~0.5 %).
MIN_TREND_SPAN_DAYS = 7.0
#: Minimum number of daily points (UTC days with data) in the current cycle: AICc of the
#: 3-parameter Kern–Seaton fit needs n > k + 1 = 4; intraday points are not independent
#: (tide, diurnal CW temperature, load), so they count once per day.
MIN_TREND_POINTS = 5
#: Below this R² of the chosen fit the trend is ``poor_fit``: it explains less than half of
#: the daily variation, the forecast is indicative only and never sets ``cleaning_due``.
POOR_FIT_R2 = 0.5
#: Half-width of the windows whose median levels are compared across a candidate step [d].
STEP_WINDOW_DAYS = 7.0
#: The step must happen within this time: the level change over the nearest points (within
#: this many days) must be most of the windowed step [d].
STEP_SHARPNESS_DAYS = 2.0
#: Smallest recovery counted as a cleaning, in fouling index (1/CF − 1): about +0.02 to +0.03
#: of CF near CF 0.8-0.9; smaller steps are within instrument drift.
MIN_STEP_INDEX = 0.03
#: A step must also exceed this many robust standard deviations of the day-to-day scatter.
NOISE_MULTIPLE = 5.0
#: Given and detected cleanings closer than this are the same event [d].
MERGE_DAYS = 3.0
#: Trend status values.
TREND_STATUSES = ("ok", "poor_fit", "insufficient_history", "no_history")


@dataclass(frozen=True, slots=True)
class CleaningEvent:
    """A cleaning: given, or detected as a step recovery of the fouling level."""

    time: float  #: start of the UTC day of the cleaning [d]
    source: str  #: "detected" or "given"
    level_before: float | None  #: median level of the last daily points before [basis]
    level_after: float | None  #: median level of the first daily points after [basis]
    signal_before: float | None  #: the same on the detection signal (fouling index when known)
    signal_after: float | None


@dataclass(frozen=True, slots=True)
class CycleSummary:
    """One fouling cycle: from a cleaning (or the start of the history) to the next."""

    start: float  #: cleaning day, or the first point [d]
    end: float  #: last point of the cycle [d]
    starts_with_cleaning: bool
    points: int
    length_days: float  #: next cleaning (or last point) − start [d]
    rate_per_day: float | None  #: linear fouling rate over the cycle [basis per day]
    signal_start: float | None  #: median of the first points (detection signal)
    signal_end: float | None  #: median of the last points
    event: CleaningEvent | None  #: the cleaning that opens the cycle
    current: bool


@dataclass
class CycleTrend:
    """Fouling trend of the current cycle and the cleaning forecast."""

    status: str  #: one of TREND_STATUSES
    reason: str
    origin: float | None  #: current-cycle start [d]
    t: np.ndarray  #: points of the fit, days since ``origin``
    y: np.ndarray
    fits: dict = field(default_factory=dict)  #: "linear"/"kern_seaton" → FoulingFit
    selected: str | None = None
    selection_reason: str = ""
    y_now: float | None = None
    y_trigger: float | None = None
    days: float | None = None  #: after the last point [d]
    days_reason: str = ""
    forecasts: dict = field(default_factory=dict)
    cleaning_due: bool = False
    shape_earlier: tuple[float, float] | None = None  #: (τ [d], R_∞) from earlier cycles
    method: str = ""


@dataclass
class CycleAnalysis:
    events: list[CleaningEvent]
    cycles: list[CycleSummary]
    trend: CycleTrend
    noise: float  #: robust day-to-day scatter of the detection signal
    notes: list[str]


def daily_points(times: Sequence[float], values: Sequence[float]) -> tuple[np.ndarray, np.ndarray, int]:
    """Points grouped by day (floor of the time): (mean time, mean value, duplicates).

    Unsorted input is sorted; points sharing a time are averaged (counted in the third item).
    Means are correctly rounded sums (``math.fsum``)."""
    t = np.asarray(times, dtype=float)
    v = np.asarray(values, dtype=float)
    order = np.argsort(t, kind="stable")
    t, v = t[order], v[order]
    duplicates = int(np.count_nonzero(np.diff(t) == 0.0))
    days = np.floor(t)
    starts = np.flatnonzero(np.r_[True, days[1:] != days[:-1]])
    stops = np.r_[starts[1:], t.size]
    tm = [math.fsum(t[a:b].tolist()) / (b - a) for a, b in zip(starts, stops, strict=True)]
    vm = [math.fsum(v[a:b].tolist()) / (b - a) for a, b in zip(starts, stops, strict=True)]
    return np.array(tm), np.array(vm), duplicates


def _median(values: Sequence[float]) -> float:
    return float(np.median(np.asarray(values, dtype=float)))


def robust_noise(y: np.ndarray) -> float:
    """Robust standard deviation of one daily value: 1.4826·MAD of the first differences / √2
    (steps and slow drift barely move the median of the differences)."""
    if y.size < 3:
        return 0.0
    d = np.diff(y)
    return float(1.4826 * np.median(np.abs(d - np.median(d))) / math.sqrt(2.0))


def _window_before(t: np.ndarray, i: int, width: float, minimum: int = 3) -> np.ndarray:
    """Indices of the points before ``i`` within ``width`` days of point i−1 (at least the last
    ``minimum`` points when the data are sparse)."""
    lo = int(np.searchsorted(t, t[i - 1] - width, side="left"))
    return np.arange(min(lo, max(i - minimum, 0)), i)


def _window_after(t: np.ndarray, i: int, width: float, minimum: int = 3) -> np.ndarray:
    hi = int(np.searchsorted(t, t[i] + width, side="right"))
    return np.arange(i, max(hi, min(i + minimum, t.size)))


def detect_cleanings(t: np.ndarray, s: np.ndarray, min_step: float = MIN_STEP_INDEX) -> tuple[list[int], float]:
    """Indices of the first daily point after each detected cleaning, and the noise level.

    A boundary between points i−1 and i is a cleaning when

    1. the median level over the :data:`STEP_WINDOW_DAYS` before minus the median over the
       window after exceeds max(``min_step``, :data:`NOISE_MULTIPLE` × robust noise);
    2. the step is sharp: the last point before already lies at least 60 % of it above the
       first point after (or the second, when that is within :data:`STEP_SHARPNESS_DAYS`: a
       cleaning part-way through a day), so a slow decline over weeks, or a step elsewhere in
       the window, is not taken for a cleaning here; across an outage gap the step cannot be
       timed more closely and is dated at the restart (cleanings are often done in outages);
    3. it is the largest such step within a window (non-maximum suppression).

    When the first point after a step is still half-way (a cleaning during that day), the
    next point starts the cycle.
    """
    n = t.size
    noise = robust_noise(s)
    if n < 3:
        return [], noise
    threshold = max(min_step, NOISE_MULTIPLE * noise)
    candidates: list[tuple[float, int, float]] = []
    for i in range(2, n):
        before = _window_before(t, i, STEP_WINDOW_DAYS)
        after = _window_after(t, i, STEP_WINDOW_DAYS)
        if before.size < 2 or after.size < 1:
            continue
        level_after = _median(s[after])
        step = _median(s[before]) - level_after
        if step <= threshold:
            continue
        near = s[i - 1] - s[i]
        if i + 1 < n and t[i + 1] - t[i] <= STEP_SHARPNESS_DAYS:
            near = max(near, s[i - 1] - s[i + 1])  # a cleaning part-way through day i
        if near < 0.6 * step:
            continue  # not a step across this boundary: a slow decline, or a step elsewhere in the window
        if after.size == 1 and s[i] > np.min(s[before]) - threshold:
            continue  # a single point after the step: it must clear every point before it
        candidates.append((step, i, level_after))
    accepted: list[int] = []
    for step, i, level_after in sorted(candidates, key=lambda c: (-c[0], c[1])):
        if any(abs(t[i] - t[j]) < STEP_WINDOW_DAYS for j in accepted):
            continue
        if i + 1 < n and t[i + 1] - t[i] <= STEP_SHARPNESS_DAYS and s[i] - level_after > 0.5 * step:
            i += 1  # transitional day: the cleaning finished during it
        accepted.append(i)
    return sorted(accepted), noise


def _levels(
    t: np.ndarray, v: np.ndarray, when: float, width: float = STEP_WINDOW_DAYS
) -> tuple[float | None, float | None]:
    """Median of the last (up to) 3 points in the ``width`` days before ``when`` and of the first
    (up to) 3 points in the ``width`` days from ``when`` on, None where there are none."""
    i = int(np.searchsorted(t, when, side="left"))
    b = [j for j in range(max(i - 3, 0), i) if t[j] >= when - width]
    a = [j for j in range(i, min(i + 3, t.size)) if t[j] < when + width]
    return (_median(v[b]) if b else None), (_median(v[a]) if a else None)


def _events(
    t: np.ndarray, y: np.ndarray, s: np.ndarray, detected: list[int], given: Sequence[float]
) -> list[CleaningEvent]:
    """Given cleanings (a detection within :data:`MERGE_DAYS` is the same cleaning, on the given
    date) and the other detections, with the levels just before and after, oldest first."""
    events: list[CleaningEvent] = []
    given_days = sorted({math.floor(g) for g in given})
    used: set[int] = set()
    for g in given_days:
        match = next((i for i in detected if abs(math.floor(t[i]) - g) <= MERGE_DAYS and i not in used), None)
        when = float(g)
        if match is not None:
            used.add(match)
            when_data = float(math.floor(t[match]))
        else:
            when_data = when
        yb, ya = _levels(t, y, when_data)
        sb, sa = _levels(t, s, when_data)
        events.append(CleaningEvent(when, "given", yb, ya, sb, sa))
    for i in detected:
        if i in used:
            continue
        when = float(math.floor(t[i]))
        yb, ya = _levels(t, y, when)
        sb, sa = _levels(t, s, when)
        events.append(CleaningEvent(when, "detected", yb, ya, sb, sa))
    events.sort(key=lambda e: e.time)
    return events


def _rate(t: np.ndarray, y: np.ndarray) -> float | None:
    if t.size < 3 or t[-1] - t[0] <= 0.0:
        return None
    return fouling.fit_linear((t - t[0]).tolist(), y.tolist(), "cycle").params["beta"]


def _cycles(t: np.ndarray, y: np.ndarray, s: np.ndarray, events: list[CleaningEvent]) -> list[CycleSummary]:
    """Cycles: the first opens with the last cleaning on or before the first point (else the
    history start), the others with each cleaning inside the data."""
    opening = [e for e in events if e.time <= math.floor(t[0])]
    first = (opening[-1].time, opening[-1]) if opening else (float(t[0]), None)
    starts = [first] + [(e.time, e) for e in events if math.floor(t[0]) < e.time <= t[-1]]
    later = [e for e in events if e.time > t[-1]]
    if later:  # cleaned after the last point: the current cycle has no data yet
        starts.append((later[-1].time, later[-1]))
    out = []
    for k, (start, event) in enumerate(starts):
        stop = starts[k + 1][0] if k + 1 < len(starts) else math.inf
        idx = np.flatnonzero((t >= start) & (t < stop))
        if idx.size == 0 and event is None:
            continue
        end = float(t[idx[-1]]) if idx.size else start
        length = (stop if math.isfinite(stop) else end) - start
        out.append(
            CycleSummary(
                start,
                end,
                event is not None,
                int(idx.size),
                float(length),
                _rate(t[idx], y[idx]),
                _median(s[idx[:3]]) if idx.size else None,
                _median(s[idx[-3:]]) if idx.size else None,
                event,
                not math.isfinite(stop),
            )
        )
    return out


def _enough(t: np.ndarray) -> bool:
    return t.size >= MIN_TREND_POINTS and t[-1] - t[0] >= MIN_TREND_SPAN_DAYS


def _earlier_shape(t: np.ndarray, y: np.ndarray, cycles: list[CycleSummary], basis: str) -> tuple[float, float] | None:
    """(median τ, median R_∞) of the earlier cycles that start with a cleaning, meet the trend
    minimum, prefer Kern–Seaton to linear by AICc and resolve τ (inside the search range and
    shorter than the cycle); None when no cycle qualifies."""
    taus, r_infs = [], []
    for c in cycles:
        if c.current or not c.starts_with_cleaning:
            continue
        idx = np.flatnonzero((t >= c.start) & (t <= c.end))
        tc = t[idx] - c.start
        if not _enough(tc):
            continue
        ks = fouling.fit_kern_seaton(tc.tolist(), y[idx].tolist(), basis)
        lin = fouling.fit_linear(tc.tolist(), y[idx].tolist(), basis)
        if ks.notes or ks.params["tau"] >= tc[-1]:
            continue
        if fouling.select_model({"linear": lin, "kern_seaton": ks})[0] == "kern_seaton":
            taus.append(ks.params["tau"])
            r_infs.append(ks.params["r_inf"])
    return (_median(taus), _median(r_infs)) if taus else None


def _parsimonious(candidates: list[fouling.FoulingFit]) -> fouling.FoulingFit:
    """Lowest AICc, then the fewest parameters among the fits within
    :data:`fouling.AICC_EQUIVALENT` of it."""
    best = min(candidates, key=lambda f: f.aic)
    close = [f for f in candidates if f.aic <= best.aic + fouling.AICC_EQUIVALENT]
    return min(close, key=lambda f: (f.k, f.aic))


_SHAPE_TEXT = {
    "fitted": "Kern-Seaton R0, R_inf and tau fitted on the current cycle",
    "tau_from_earlier_cycles": "Kern-Seaton tau held at the median of the earlier cycles' tau; R0 and R_inf "
    "fitted on the current cycle",
    "tau_and_r_inf_from_earlier_cycles": "Kern-Seaton tau and R_inf held at the medians of the earlier cycles' "
    "fits (their fouling shape); R0 fitted on the current cycle",
}


def _current_trend(
    t: np.ndarray,
    y: np.ndarray,
    origin: float,
    first_event: CleaningEvent | None,
    y_trigger: float | None,
    due_window_days: float,
    basis: str,
    shape: tuple[float, float] | None,
    noise: float,
) -> CycleTrend:
    keep = t >= origin
    tc, yc = t[keep] - origin, y[keep]
    trend = CycleTrend("ok", "", origin, tc, yc, y_trigger=y_trigger, shape_earlier=shape)
    if first_event is not None and tc.size >= 4 and tc[0] < 1.0 and yc[0] - _median(yc[1:4]) > 3.0 * noise:
        # the cleaning day's own point lies well above the days after it: a daily mean that mixes
        # hours before and after the cleaning (a test made after the cleaning is kept)
        tc, yc = tc[1:], yc[1:]
        trend.t, trend.y = tc, yc
        trend.method = "the cleaning day's own daily point is left out (it mixes fouled and clean hours); "
    if not _enough(tc):
        span = float(tc[-1] - tc[0]) if tc.size else 0.0
        trend.status = "insufficient_history"
        trend.reason = (
            f"the current cycle has {tc.size} daily point(s) over {span:.3g} days; a trend needs at least "
            f"{MIN_TREND_POINTS} daily points over {MIN_TREND_SPAN_DAYS:g} days: no forecast"
        )
        trend.selection_reason = trend.days_reason = trend.reason
        trend.cleaning_due = bool(yc.size and y_trigger is not None and _median(yc[-3:]) >= y_trigger)
        return trend
    tl, yl = tc.tolist(), yc.tolist()
    lin = fouling.fit_linear(tl, yl, basis)
    variants = []
    if shape is None or tc[-1] >= shape[0]:
        variants.append(fouling.fit_kern_seaton(tl, yl, basis))  # tau resolvable: the cycle spans it
    if shape is not None:
        variants.append(fouling.fit_kern_seaton(tl, yl, basis, tau_days=shape[0]))
        variants.append(fouling.fit_kern_seaton(tl, yl, basis, tau_days=shape[0], r_inf_held=shape[1]))
    ks = _parsimonious(variants)
    trend.method += _SHAPE_TEXT[ks.shape_source]
    if shape is not None:
        trend.method += (
            f" (earlier cycles: tau {shape[0]:.4g} d, R_inf {shape[1]:.4g} in the fit basis; tau is fitted "
            "afresh only when the current cycle spans it; variant chosen by AICc, fewest parameters within "
            f"{fouling.AICC_EQUIVALENT:g}; with equal support Kern-Seaton is preferred to linear)"
        )
    trend.fits = {"linear": lin, "kern_seaton": ks}
    trend.selected, trend.selection_reason = fouling.select_model(
        trend.fits, "kern_seaton" if shape is not None else "linear"
    )
    chosen = trend.fits[trend.selected]
    trend.y_now = chosen.predict(float(tc[-1]))
    if chosen.r2 < POOR_FIT_R2:
        trend.status = "poor_fit"
        trend.reason = (
            f"the chosen {trend.selected} fit explains only {100 * max(chosen.r2, 0.0):.0f} % of the daily "
            f"variation of the current cycle (R² {chosen.r2:.2f} < {POOR_FIT_R2:g}): the forecast is indicative "
            "only and does not set cleaning_due"
        )
    else:
        trend.reason = f"{trend.selected} fit on the current cycle, R² {chosen.r2:.2f}"
    if y_trigger is None:
        trend.days_reason = "trigger not computable: an R_f history needs u_clean or trigger_fouling_resistance"
        return trend
    trend.forecasts = {
        name: fouling.days_until_trigger(fit, fit.predict(float(tc[-1])), y_trigger) for name, fit in trend.fits.items()
    }
    trend.days = trend.forecasts[trend.selected].days
    trend.days_reason = trend.forecasts[trend.selected].reason
    recent = _median(yc[-3:])
    if trend.status == "ok":
        trend.cleaning_due = bool(
            trend.y_now >= y_trigger or (trend.days is not None and trend.days <= due_window_days)
        )
    else:
        trend.cleaning_due = bool(recent >= y_trigger)
    return trend


def analyse_cycles(
    t: Sequence[float],
    y: Sequence[float],
    basis: str,
    y_trigger: float | None,
    given: Sequence[float] = (),
    due_window_days: float = 30.0,
    signal: Sequence[float] | None = None,
    min_step: float = MIN_STEP_INDEX,
) -> CycleAnalysis:
    """Cleaning events, cycles and the current-cycle trend of daily points.

    Parameters
    ----------
    t : sequence of float
        Daily point times, strictly increasing [d] (one point per day: :func:`daily_points`).
    y : sequence of float
        Fouling level in the fit basis (index 1/CF − 1, or R_f [m²·K/W]).
    basis : str
        "fouling_index" or "fouling_resistance".
    y_trigger : float or None
        Cleaning trigger in the basis (None: no forecast).
    given : sequence of float
        Known cleaning times [d] (start of their day is used).
    due_window_days : float
        Cleaning due when the trigger is forecast within this window [d].
    signal : sequence of float, optional
        Detection signal (the fouling index when the basis is R_f); default ``y``.
    min_step : float
        Smallest step of the signal counted as a cleaning.

    Returns
    -------
    CycleAnalysis
    """
    ta = np.asarray(t, dtype=float)
    ya = np.asarray(y, dtype=float)
    sa = ya if signal is None else np.asarray(signal, dtype=float)
    notes: list[str] = []
    if ta.size == 0:
        trend = CycleTrend("no_history", "no history: no trend fitted", None, ta, ya, y_trigger=y_trigger)
        trend.selection_reason = trend.days_reason = trend.reason
        events = [CleaningEvent(float(math.floor(g)), "given", None, None, None, None) for g in sorted(set(given))]
        return CycleAnalysis(events, [], trend, 0.0, notes)
    detected, noise = detect_cleanings(ta, sa, min_step)
    noise_y = robust_noise(ya)
    events = _events(ta, ya, sa, detected, given)
    cycles = _cycles(ta, ya, sa, events)
    started = [e for e in events if e.time <= ta[-1]]
    later = [e for e in events if e.time > ta[-1]]
    if later:
        notes.append(f"{len(later)} given cleaning date(s) after the last data point: no data in that cycle yet")
    current_event = started[-1] if started else None
    origin = current_event.time if current_event is not None else float(ta[0])
    if later:
        origin = later[-1].time
        current_event = later[-1]
    shape = _earlier_shape(ta, ya, cycles, basis) if current_event is not None else None
    trend = _current_trend(ta, ya, origin, current_event, y_trigger, due_window_days, basis, shape, noise_y)
    if current_event is None:
        trend.method = (
            "no cleaning found or given: the whole history is one cycle from its first point "
            "(the level at the start is fitted as R0); " + trend.method
        )
    return CycleAnalysis(events, cycles, trend, noise, notes)


def smoothed_within_cycles(
    t: np.ndarray, s: np.ndarray, events: list[CleaningEvent], half_width: float = 3.0
) -> np.ndarray:
    """Centred running median of the daily signal over ±``half_width`` days that never crosses
    a cleaning: the slow fouling level of each day, without day-to-day scatter."""
    cuts = np.array(sorted(e.time for e in events), dtype=float)
    cycle = np.searchsorted(cuts, t, side="right")
    out = np.empty(t.size)
    for i in range(t.size):
        sel = (np.abs(t - t[i]) <= half_width) & (cycle == cycle[i])
        out[i] = _median(s[sel])
    return out
