# SPDX-License-Identifier: MIT
"""Output pieces shared by the history and fouling tools: cleaning events, fouling cycles,
the trend status and forecast texts, worded in the caller's units.

The calculators (:mod:`condensync_tools.calculators.cycles`, ``fouling``) return numbers and
status codes in SI; this module turns them into result fields and messages.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Literal

import numpy as np
from pydantic import BaseModel, Field

from ..calculators.cycles import CycleAnalysis
from ..calculators.fouling import TriggerForecast
from ..units import UnitSystem, format_quantity
from .common import quantity

__all__ = [
    "CLEANING_DETECTION_METHOD",
    "CleaningEventOut",
    "CycleFields",
    "CycleOut",
    "TrendStatus",
    "TREND_STATUS_TEXT",
    "day_text",
    "cleaning_events_out",
    "cycles_out",
    "forecast_reason",
]

#: provenance.method text of the cleaning detection.
CLEANING_DETECTION_METHOD = (
    "cleanings = step recoveries of the daily fouling index 1/CF - 1: median of the 7 days before minus "
    "median of the 7 days after > max(0.03, 5 x the robust day-to-day scatter 1.4826*MAD(diff)/sqrt(2)); "
    "the last point before at least 60 % of the step above the first (or, within 2 days, the second) point "
    "after (a slow decline is not a cleaning; a step across an outage gap is dated at the restart); largest "
    "step within 7 days; given dates (arguments, plant configuration) merged with detections within 3 days"
)
TrendStatus = Literal["ok", "poor_fit", "insufficient_history", "no_history"]
TREND_STATUS_TEXT = (
    "Trend of the current fouling cycle: ok; poor_fit (the fit explains less than half of the daily "
    "variation: forecast indicative only, never sets cleaning_due); insufficient_history (fewer than 5 "
    "daily points over 7 days in the current cycle: no forecast); no_history"
)


class CleaningEventOut(BaseModel):
    date: str = Field(description="Day of the cleaning (YYYY-MM-DD, UTC)")
    source: Literal["detected", "given"] = Field(
        description="'detected': a step recovery of the cleanliness factor in the data; 'given': from "
        "last_cleaning_date / cleaning_dates / the plant configuration"
    )
    cleanliness_before: float = Field(
        None, description="Cleanliness factor just before (median of up to 3 daily values) [1]"
    )
    cleanliness_after: float = Field(
        None, description="Cleanliness factor just after (median of up to 3 daily values) [1]"
    )


class CycleOut(BaseModel):
    start: str = Field(description="First day of the cycle (YYYY-MM-DD): a cleaning or the start of the data")
    end: str = Field(description="Last day with data in the cycle (YYYY-MM-DD)")
    starts_with: Literal["cleaning", "history_start"] = Field(description="What opens the cycle")
    length_days: quantity("duration_days", "From the start to the next cleaning (or the last data point)")
    daily_points: int = Field(description="Days with data in the cycle [1]")
    fouling_rate_per_day: float = Field(
        None,
        description="Linear fouling rate over the cycle, in the trend's level unit per day (absent below 2 points)",
    )
    cleanliness_start: float = Field(None, description="Cleanliness factor at the start (median of 3 days) [1]")
    cleanliness_end: float = Field(None, description="Cleanliness factor at the end (median of 3 days) [1]")
    cleanliness_recovered: float = Field(
        None, description="Cleanliness factor gained by the cleaning that opens the cycle (after - before) [1]"
    )
    current: bool = Field(description="The current cycle (the one the trend is fitted on)")


class CycleFields(BaseModel):
    """Output fields shared by the history and fouling tools: cleanings, cycles, trend status."""

    cleaning_events: list[CleaningEventOut] = Field(
        description="Cleanings found in the data or given, oldest first, with the cleanliness just before and "
        "after (what each achieved); empty without a history"
    )
    current_cycle_start: str = Field(
        None, description="Start of the current fouling cycle (YYYY-MM-DD): the last cleaning, else the first data day"
    )
    cycles: list[CycleOut] = Field(description="Fouling cycles between cleanings, oldest first")
    trend_status: TrendStatus = Field(description=TREND_STATUS_TEXT)
    trend_status_reason: str = Field(description="Why that status")


def day_text(days: float) -> str:
    """YYYY-MM-DD of a time in days since 1970-01-01 (UTC)."""
    return str(np.datetime64(int(math.floor(days)), "D"))


def _cf(index: float | None) -> float | None:
    return None if index is None or index <= -1.0 else 1.0 / (1.0 + index)


def cleaning_events_out(analysis: CycleAnalysis, signal_is_index: bool) -> list[dict[str, Any]]:
    """The ``cleaning_events`` field: date, source and (when the signal is the fouling index)
    the cleanliness just before and after."""
    out = []
    for e in analysis.events:
        row: dict[str, Any] = {"date": day_text(e.time), "source": e.source}
        if signal_is_index:
            before, after = _cf(e.signal_before), _cf(e.signal_after)
            if before is not None:
                row["cleanliness_before"] = before
            if after is not None:
                row["cleanliness_after"] = after
        out.append(row)
    return out


def cycles_out(
    analysis: CycleAnalysis, level_to_caller: Callable[[float], float], signal_is_index: bool
) -> list[dict[str, Any]]:
    """The ``cycles`` field; ``level_to_caller`` converts a level of the fit basis (and so a
    rate per day) to the caller's units."""
    out = []
    for c in analysis.cycles:
        row: dict[str, Any] = {
            "start": day_text(c.start),
            "end": day_text(c.end),
            "starts_with": "cleaning" if c.starts_with_cleaning else "history_start",
            "length_days": c.length_days,
            "daily_points": c.points,
            "current": c.current,
        }
        if c.rate_per_day is not None:
            row["fouling_rate_per_day"] = level_to_caller(c.rate_per_day)
        if signal_is_index:
            for key, value in (("cleanliness_start", c.signal_start), ("cleanliness_end", c.signal_end)):
                if _cf(value) is not None:
                    row[key] = _cf(value)
            before = _cf(c.event.signal_before) if c.event is not None else None
            after = _cf(c.event.signal_after) if c.event is not None else None
            if before is not None and after is not None:
                row["cleanliness_recovered"] = after - before
        out.append(row)
    return out


def forecast_reason(
    forecast: TriggerForecast, y_trigger: float | None, level_kind: str | None, system: UnitSystem
) -> str:
    """The forecast's reason with its levels in the caller's units (``level_kind`` None: the
    dimensionless fouling index)."""

    def level(v: float) -> str:
        return format_quantity(level_kind, v, system) if level_kind else f"{v:.4g}"

    if forecast.status == "not_reached_slope" and forecast.rate is not None:
        return f"{forecast.reason} (fouling rate {level(forecast.rate)} per day)"
    if forecast.status == "not_reached_asymptote" and forecast.asymptote is not None and y_trigger is not None:
        return f"{forecast.reason} (asymptote {level(forecast.asymptote)}, trigger {level(y_trigger)})"
    return forecast.reason
