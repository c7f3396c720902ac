# SPDX-License-Identifier: MIT
"""Alert rule evaluation: one pure state machine per rule x condenser, driven by a clock the
caller passes in (no I/O, no wall clock, no sleeping).

States and transitions::

    inactive --condition--> pending --held for_s--> firing --cleared--> resolved
       ^                      |  (cleared before for_s: back to inactive)    |
       +----------------------+---------------------------------------------+
                                  (next evaluation)

- **Condition with hysteresis.** A rule compares one observed value with a trigger
  threshold. ``direction="above"``: the condition is set when ``value >= trigger`` and
  cleared only when ``value < trigger - hysteresis``; ``"below"``: set when
  ``value <= trigger`` and cleared when ``value > trigger + hysteresis``. Between the two the
  state holds, so a value dithering at the threshold does not flap.
- **No data holds.** ``value=None`` (the analysis failed, a connector is down) changes
  nothing: an alert neither fires nor resolves on missing data.
- **Deduplication.** A firing alert notifies once (``trigger``); further evaluations while it
  fires produce nothing. Its key is ``condensync:<rule>:<condenser>`` for every channel
  (the PagerDuty ``dedup_key``, the MQTT topic, the Slack/Teams text).
- **Resolution.** When the condition clears, a ``resolve`` event is produced once.
- **Cooldown.** After a resolve, a new trigger of the same key waits (pending) until
  ``cooldown_s`` has passed since that resolve, so a flapping condition cannot page every
  few minutes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Literal

__all__ = ["AlertState", "RuleSpec", "RuleState", "AlertEvent", "evaluate", "dedup_key", "condition_state"]


class AlertState(str, Enum):
    """State of one rule x condenser."""

    INACTIVE = "inactive"
    PENDING = "pending"
    FIRING = "firing"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class RuleSpec:
    """What the state machine needs of a rule.

    Parameters
    ----------
    name : str
        Rule name (part of the dedup key).
    direction : {"above", "below"}
        Alert when the value is at or above (below) the trigger.
    trigger : float
        Trigger threshold [unit of the observed value].
    hysteresis : float
        Margin beyond the trigger that clears the condition [same unit], >= 0.
    for_s : float
        Time the condition must hold before the alert fires [s].
    cooldown_s : float
        Minimum time from a resolve to the next trigger of the same key [s].
    """

    name: str
    direction: Literal["above", "below"]
    trigger: float
    hysteresis: float = 0.0
    for_s: float = 0.0
    cooldown_s: float = 0.0


@dataclass(frozen=True)
class RuleState:
    """Memory of one rule x condenser between evaluations (times on the caller's clock [s])."""

    state: AlertState = AlertState.INACTIVE
    since: float | None = None  #: when the current state began
    condition_since: float | None = None  #: when the condition last became true
    resolved_at: float | None = None  #: time of the last resolve (cooldown reference)
    fired_at: float | None = None
    last_value: float | None = None

    def to_dict(self) -> dict:
        """JSON-able form (for persistence); non-finite values become None."""
        finite = self.last_value is not None and math.isfinite(self.last_value)
        return {
            "state": self.state.value,
            "since": self.since,
            "condition_since": self.condition_since,
            "resolved_at": self.resolved_at,
            "fired_at": self.fired_at,
            "last_value": self.last_value if finite else None,
        }

    @classmethod
    def from_dict(cls, data: dict) -> RuleState:
        return cls(
            AlertState(data["state"]),
            data.get("since"),
            data.get("condition_since"),
            data.get("resolved_at"),
            data.get("fired_at"),
            data.get("last_value"),
        )


@dataclass(frozen=True)
class AlertEvent:
    """A notification to send: ``action`` is ``trigger`` or ``resolve``."""

    action: Literal["trigger", "resolve"]
    rule: str
    condenser_id: str
    dedup_key: str
    at: float  #: caller's clock [s]
    value: float | None
    trigger: float
    details: dict = field(default_factory=dict)


def dedup_key(rule: str, condenser_id: str) -> str:
    """The one key of an alert across all channels."""
    return f"condensync:{rule}:{condenser_id}"


def condition_state(spec: RuleSpec, value: float, previously: bool) -> bool:
    """Condition with hysteresis: set at the trigger, cleared only beyond trigger ± hysteresis."""
    if math.isnan(value):
        return previously
    if spec.direction == "above":
        if value >= spec.trigger:
            return True
        return previously and value >= spec.trigger - spec.hysteresis
    if value <= spec.trigger:
        return True
    return previously and value <= spec.trigger + spec.hysteresis


def _cooling_down(spec: RuleSpec, st: RuleState, now: float) -> bool:
    return st.resolved_at is not None and now - st.resolved_at < spec.cooldown_s


def evaluate(
    spec: RuleSpec, st: RuleState, value: float | None, now: float, condenser_id: str, details: dict | None = None
) -> tuple[RuleState, AlertEvent | None]:
    """Advance one rule x condenser with a new observation.

    Parameters
    ----------
    spec : RuleSpec
    st : RuleState
        State after the previous evaluation (``RuleState()`` the first time).
    value : float or None
        Observed value; None when there is no observation (state holds).
    now : float
        Caller's clock (monotonic or epoch) [s].
    condenser_id : str
    details : dict, optional
        Context copied into an event (e.g. the analysis provenance hash).

    Returns
    -------
    (RuleState, AlertEvent or None)
        The new state and the notification to send, if any.
    """
    if value is None:
        return st, None
    was_on = st.state in (AlertState.PENDING, AlertState.FIRING)
    on = condition_state(spec, value, was_on)
    key = dedup_key(spec.name, condenser_id)

    def event(action: Literal["trigger", "resolve"]) -> AlertEvent:
        return AlertEvent(action, spec.name, condenser_id, key, now, value, spec.trigger, dict(details or {}))

    if st.state is AlertState.FIRING:
        if on:
            return replace(st, last_value=value), None
        return (RuleState(AlertState.RESOLVED, now, None, now, st.fired_at, value), event("resolve"))
    if not on:
        if st.state is AlertState.PENDING or st.state is AlertState.RESOLVED:
            return RuleState(AlertState.INACTIVE, now, None, st.resolved_at, st.fired_at, value), None
        return replace(st, last_value=value), None
    # condition on, not firing
    started = st.condition_since if st.state is AlertState.PENDING and st.condition_since is not None else now
    if now - started >= spec.for_s and not _cooling_down(spec, st, now):
        return RuleState(AlertState.FIRING, now, started, st.resolved_at, now, value), event("trigger")
    since = st.since if st.state is AlertState.PENDING else now
    return RuleState(AlertState.PENDING, since, started, st.resolved_at, st.fired_at, value), None
