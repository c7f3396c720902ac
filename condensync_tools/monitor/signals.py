# SPDX-License-Identifier: MIT
"""What each alert rule observes: one number per rule x condenser from the combined analysis
result (``analyze_condenser_performance``, caller units = the condenser's unit system) or from
the connector status. Pure functions; ``None`` means "no observation" (the rule holds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .rules import RuleSpec
from .settings import AIR_LEVELS, AlertRule

__all__ = ["Observation", "rule_spec", "observe", "DEFAULT_TRIGGER_CLEANLINESS"]

#: Fallback cleaning trigger when the condenser configures no trigger_cleanliness (the
#: default of calculate_fouling_factor's trigger_cleanliness).
DEFAULT_TRIGGER_CLEANLINESS = 0.75


@dataclass(frozen=True)
class Observation:
    """Observed value, its unit, a one-line summary and details for the notification."""

    value: float | None
    unit: str = ""
    summary: str = ""
    details: dict[str, Any] | None = None


def rule_spec(rule: AlertRule, condenser_arguments: dict[str, Any]) -> RuleSpec:
    """The state-machine spec of ``rule`` for one condenser (thresholds it inherits resolved)."""
    if rule.kind == "cleanliness_below":
        trigger = (
            rule.threshold
            if rule.threshold is not None
            else float(condenser_arguments.get("trigger_cleanliness", DEFAULT_TRIGGER_CLEANLINESS))
        )
        return RuleSpec(rule.name, "below", trigger, rule.hysteresis, rule.for_s, rule.cooldown_s)
    if rule.kind == "cleaning_forecast_within":
        return RuleSpec(rule.name, "below", float(rule.threshold or 0.0), rule.hysteresis, rule.for_s, rule.cooldown_s)
    if rule.kind == "air_inleakage":
        level = AIR_LEVELS.index(rule.severity_at_least)
        return RuleSpec(rule.name, "above", float(level), rule.hysteresis, rule.for_s, rule.cooldown_s)
    if rule.kind == "stale_tag":
        return RuleSpec(rule.name, "above", 1.0, 0.0, rule.for_s, rule.cooldown_s)
    return RuleSpec(rule.name, "above", float(rule.threshold or 0.0), rule.hysteresis, rule.for_s, rule.cooldown_s)


def _unit(result: dict[str, Any], name: str) -> str:
    return str((result.get("units") or {}).get(name, ""))


def _air_present(result: dict[str, Any]) -> bool:
    return bool(result.get("air_confounded") or result.get("leak_detected"))


def _cleanliness(result: dict[str, Any]) -> Observation:
    """Measured CF; while air in-leakage is detected (air binding lowers the measured CF), the
    air-corrected fouling CF unless that is only the design assumption (then no observation: a
    leak must not read as fouling and send a crew to clean clean tubes)."""
    if not _air_present(result):
        cf = result.get("measured_cleanliness_factor", result.get("cleanliness_factor"))
        return Observation(cf, "1", f"cleanliness factor {cf:.3f}" if cf is not None else "", {"cf_source": "measured"})
    source = result.get("fouling_cleanliness_source")
    cf = result.get("fouling_cleanliness_factor")
    if cf is None or source == "design_cleanliness":
        return Observation(None)
    return Observation(cf, "1", f"cleanliness factor {cf:.3f} (air-corrected, {source})", {"cf_source": source})


def _forecast(result: dict[str, Any]) -> Observation:
    """Days to the cleaning trigger; no observation while air in-leakage is detected (the
    forecast would rest on an air-depressed cleanliness)."""
    status = result.get("days_until_cleaning_status")
    if _air_present(result) and result.get("fouling_cleanliness_source") in (None, "design_cleanliness"):
        return Observation(None)
    if status == "already_at_trigger":
        return Observation(0.0, "d", "cleaning trigger already reached", {"forecast_status": status})
    if status == "not_reached":
        return Observation(
            math.inf, "d", "cleaning trigger not reached under the fouling trend", {"forecast_status": status}
        )
    days = result.get("days_until_cleaning")
    if status != "forecast" or days is None:
        return Observation(None)
    return Observation(days, "d", f"cleaning trigger forecast in {days:.1f} d", {"forecast_status": status})


def _air(result: dict[str, Any]) -> Observation:
    severity = result.get("air_severity")
    if severity not in AIR_LEVELS:
        return Observation(None)
    details = {
        "air_severity": severity,
        "leak_detected": result.get("leak_detected"),
        "estimated_inleakage": result.get("estimated_inleakage"),
        "estimated_inleakage_unit": _unit(result, "estimated_inleakage"),
        "air_lost_output_mw": result.get("air_lost_output_mw"),
        "likely_leak_location": result.get("likely_leak_location"),
    }
    return Observation(
        float(AIR_LEVELS.index(severity)),
        "level",
        f"air in-leakage severity {severity}",
        {k: v for k, v in details.items() if v is not None},
    )


def _field(result: dict[str, Any], name: str, label: str) -> Observation:
    value = result.get(name)
    if value is None:
        return Observation(None)
    unit = _unit(result, name)
    return Observation(value, unit, f"{label} {value:g} {unit}".strip())


def _connectors_down(rule: AlertRule, down_for: dict[str, float]) -> Observation:
    watched = {s: t for s, t in down_for.items() if not rule.services or s in rule.services}
    if not watched:
        return Observation(0.0, "s", "connectors up")
    worst = max(watched, key=lambda s: watched[s])
    return Observation(
        watched[worst],
        "s",
        f"connector {worst} down for {watched[worst]:.0f} s",
        {"down_for_s": {s: round(t, 1) for s, t in sorted(watched.items())}},
    )


def _stale(rule: AlertRule, connectors: list[dict[str, Any]]) -> Observation:
    stale = sorted(
        {
            t["name"]
            for c in connectors
            for t in c.get("tags", [])
            if t.get("stale") and (not rule.tags or t["name"] in rule.tags)
        }
    )
    text = f"stale tag(s): {', '.join(stale)}" if stale else "no stale tag"
    return Observation(float(len(stale)), "tags", text, {"stale_tags": stale})


def observe(
    rule: AlertRule, result: dict[str, Any] | None, connectors: list[dict[str, Any]] | None, down_for: dict[str, float]
) -> Observation:
    """The value ``rule`` compares for one condenser.

    Parameters
    ----------
    rule : AlertRule
    result : dict or None
        The latest analysis result (None when the run failed: analysis rules hold).
    connectors : list of dict or None
        Normalised connector status items of the condenser (None when unavailable).
    down_for : dict
        Service → seconds the connector has been down (only down ones).
    """
    if rule.kind == "connector_down":
        return _connectors_down(rule, down_for) if connectors is not None else Observation(None)
    if rule.kind == "stale_tag":
        return _stale(rule, connectors) if connectors is not None else Observation(None)
    if result is None:
        return Observation(None)
    if rule.kind == "cleanliness_below":
        return _cleanliness(result)
    if rule.kind == "cleaning_forecast_within":
        return _forecast(result)
    if rule.kind == "air_inleakage":
        return _air(result)
    if rule.kind == "backpressure_deviation_above":
        return _field(result, "backpressure_deviation", "backpressure deviation")
    return _field(result, "lost_output_mw", "lost output")
