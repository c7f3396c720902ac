# SPDX-License-Identifier: MIT
"""``[monitor]`` and ``[alerts]`` tables of the plant configuration (strict pydantic models;
the loader in :mod:`condensync_tools.config` reports every mistake with its key path).

Rule kinds and the value each compares (units: the condenser's unit system)::

    cleanliness_below              cleanliness factor [1] <= threshold (default: the condenser's
                                   trigger_cleanliness, else 0.75); measured CF, or the
                                   air-corrected fouling CF when air in-leakage confounds it
    cleaning_forecast_within       days_until_cleaning [d] <= threshold
    air_inleakage                  air severity level >= severity_at_least (low < moderate <
                                   high < severe); hysteresis in levels
    backpressure_deviation_above   backpressure_deviation [inHg | kPa] >= threshold
    lost_output_above              lost_output_mw [MW] >= threshold
    connector_down                 time a connector has been down [s] >= threshold
    stale_tag                      number of stale tags [1] >= 1
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from connectors.notify_settings import Destination

__all__ = ["RULE_KINDS", "AIR_LEVELS", "AlertRule", "AlertsSettings", "MonitorSettings"]

RuleKind = Literal[
    "cleanliness_below",
    "cleaning_forecast_within",
    "air_inleakage",
    "backpressure_deviation_above",
    "lost_output_above",
    "connector_down",
    "stale_tag",
]
RULE_KINDS = get_args(RuleKind)
#: Air severity levels of detect_air_inleakage, in order (index = level).
AIR_LEVELS = ("none", "low", "moderate", "high", "severe")
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_NEEDS_THRESHOLD = ("cleaning_forecast_within", "backpressure_deviation_above", "lost_output_above", "connector_down")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AlertRule(_Strict):
    """One alert rule (``[[alerts.rules]]``)."""

    name: str = Field(description="rule name, snake_case; with the condenser id it forms the dedup key")
    kind: RuleKind
    threshold: float | None = Field(None, ge=0, description="trigger value in the condenser's unit system")
    severity_at_least: Literal["low", "moderate", "high", "severe"] = "moderate"
    hysteresis: float = Field(0.0, ge=0, description="margin beyond the trigger that clears the alert")
    for_s: float = Field(0.0, ge=0, le=86400, description="condition must hold this long before firing [s]")
    cooldown_s: float = Field(3600.0, ge=0, le=7 * 86400, description="quiet time after a resolve [s]")
    severity: Literal["info", "warning", "error", "critical"] = "warning"
    condensers: list[str] = Field(default_factory=list, description="condenser ids; empty: every monitored one")
    destinations: list[str] = Field(default_factory=list, description="destination names; empty: all")
    services: list[str] = Field(default_factory=list, description="connector_down: services watched; empty: all")
    tags: list[str] = Field(default_factory=list, description="stale_tag: tags watched; empty: all")

    @model_validator(mode="after")
    def _consistent(self) -> AlertRule:
        if not _NAME_RE.match(self.name):
            raise ValueError(f"rule name {self.name!r} must be snake_case (a-z, 0-9, '_', at most 64 characters)")
        if self.kind in _NEEDS_THRESHOLD and self.threshold is None:
            raise ValueError(f"rule {self.name!r} of kind {self.kind!r} needs a threshold")
        if self.kind == "cleanliness_below" and self.threshold is not None and not 0 < self.threshold < 1.5:
            raise ValueError(
                f"rule {self.name!r}: a cleanliness threshold is a fraction (0-1.5), got {self.threshold:g}"
            )
        if self.kind in ("air_inleakage", "stale_tag") and self.threshold is not None:
            raise ValueError(
                f"rule {self.name!r} of kind {self.kind!r} takes no threshold"
                + (" (use severity_at_least)" if self.kind == "air_inleakage" else "")
            )
        return self


class MonitorSettings(_Strict):
    """``[monitor]``: schedule, run bound, outbox."""

    interval_s: float = Field(300.0, ge=0.2, le=86400, description="time between runs per condenser [s]")
    run_timeout_s: float | None = Field(
        None, gt=0, le=3600, description="bound on one analysis run [s]; default: the interval, at most 120 s"
    )
    condensers: list[str] = Field(default_factory=list, description="condenser ids; empty: all with connectors")
    outbox_path: Path | None = Field(
        None, description="SQLite file of undelivered notifications (default: monitor-outbox.db in the data directory)"
    )
    retry_interval_s: float = Field(30.0, ge=0.1, le=86400, description="time between outbox retries [s]")
    max_retry_delay_s: float = Field(900.0, ge=0.1, le=86400, description="cap on one notification's back-off [s]")
    keep_delivered_s: float = Field(
        7 * 86400.0, ge=0, le=366 * 86400, description="delivered notifications are kept this long in the outbox [s]"
    )

    @property
    def run_timeout(self) -> float:
        """Bound on one run [s]: ``run_timeout_s``, else the interval capped at 120 s."""
        return self.run_timeout_s if self.run_timeout_s is not None else min(self.interval_s, 120.0)


class AlertsSettings(_Strict):
    """``[alerts]``: rules and destinations."""

    rules: list[AlertRule] = Field(default_factory=list)
    destinations: dict[str, Destination] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _references(self) -> AlertsSettings:
        names = [r.name for r in self.rules]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"rule names must be unique; repeated: {', '.join(dupes)}")
        for name in self.destinations:
            if not _NAME_RE.match(name):
                raise ValueError(f"destination name {name!r} must be snake_case")
        for rule in self.rules:
            unknown = sorted(set(rule.destinations) - set(self.destinations))
            if unknown:
                raise ValueError(
                    f"rule {rule.name!r} names unknown destination(s) {', '.join(unknown)} "
                    f"(configured: {', '.join(sorted(self.destinations)) or 'none'})"
                )
        return self
