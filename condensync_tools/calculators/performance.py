# SPDX-License-Identifier: MIT
"""A documented 0-100 condenser performance score and the ranking of actions by value.

.. math::
    \\text{score} = 100 \\cdot \\frac{\\sum_c w_c s_c}{\\sum_c w_c}

over the components c available, each sub-score s_c in [0, 1]:

* cleanliness (w = 0.35): s = clip((CF − (CF_t − 0.35))/0.35, 0, 1): 1 at or above the
  target CF_t, 0 at 0.35 below it (e.g. CF 0.50 for a 0.85 target);
* backpressure (w = 0.35): s = clip(1 − ΔP/1 inHg, 0, 1), ΔP = measured (or expected) −
  achievable backpressure; 1 inHg of excess costs several % of output on large units;
* air in-leakage (w = 0.20): s = 1 − E, E the air-evidence level of
  :func:`~condensync_tools.calculators.air_inleakage.detect_air_inleakage` (0-1);
* fouling trend (w = 0.10): s = 0 when cleaning is due, else clip(days to the cleaning
  trigger / 180 d, 0, 1), 1 when the trigger is never reached under the fitted model.

Grades: ≥ 90 excellent, ≥ 75 good, ≥ 60 fair, ≥ 40 poor, else critical. Weights, scales and
bands are a house convention (no standard defines a condenser score); they are reported in
``method`` with every result.

References
----------
HEI *Standards for Steam Surface Condensers* 9th ed. def. 2.3 (cleanliness factor); CONDENSYNC
docs/methods.md §2-§6 for the quantities scored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from .constants import INHG_PA
from .economics import Action, rank_actions
from .errors import DomainError

__all__ = [
    "SCORE_WEIGHTS",
    "CF_SPAN",
    "BACKPRESSURE_SCALE_PA",
    "TREND_HORIZON_DAYS",
    "GRADES",
    "PerformanceScore",
    "performance_score",
    "Subscore",
    "cleanliness_subscore",
    "backpressure_subscore",
    "air_subscore",
    "fouling_trend_subscore",
    "top_actions",
    "ANALYSIS_PARTS",
    "action_withdrawn",
]

SCORE_WEIGHTS = {"cleanliness": 0.35, "backpressure": 0.35, "air_inleakage": 0.20, "fouling_trend": 0.10}
#: CF below target at which the cleanliness sub-score reaches 0 [-].
CF_SPAN = 0.35
#: Backpressure excess at which the backpressure sub-score reaches 0: 1 inHg [Pa].
BACKPRESSURE_SCALE_PA = 1.0 * INHG_PA
#: Days to the cleaning trigger that earn a full fouling-trend sub-score [d].
TREND_HORIZON_DAYS = 180.0
GRADES = ((90.0, "excellent"), (75.0, "good"), (60.0, "fair"), (40.0, "poor"), (0.0, "critical"))


@dataclass(frozen=True, slots=True)
class PerformanceScore:
    """0-100 score with its components (name → {"subscore", "weight", "input"})."""

    score: float
    grade: str
    components: dict
    method: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)


def _clip01(x: float) -> float:
    return min(max(x, 0.0), 1.0)


def performance_score(
    *,
    cleanliness_factor: float | None = None,
    target_cleanliness: float | None = None,
    backpressure_excess: float | None = None,
    air_evidence: float | None = None,
    days_until_cleaning: float | None = None,
    cleaning_due: bool | None = None,
    trigger_never_reached: bool = False,
) -> PerformanceScore:
    """Weighted 0-100 performance score (sub-scores defined in the module docstring, one
    function each: :func:`cleanliness_subscore`, :func:`backpressure_subscore`,
    :func:`air_subscore`, :func:`fouling_trend_subscore`; this function combines them).

    .. math:: \\text{score} = 100 \\frac{\\sum_c w_c s_c}{\\sum_c w_c}

    Parameters
    ----------
    cleanliness_factor : float, optional
        Current CF [-] (needs ``target_cleanliness``).
    target_cleanliness : float, optional
        Target CF [-].
    backpressure_excess : float, optional
        Measured (or expected) minus achievable backpressure [Pa]; negative counts as 0.
    air_evidence : float, optional
        Air-evidence level E in [0, 1] (``AirInleakageResult.evidence``).
    days_until_cleaning : float, optional
        Days to the cleaning trigger [d].
    cleaning_due : bool, optional
        Cleaning due now (sub-score 0).
    trigger_never_reached : bool
        The fitted model never reaches the trigger (sub-score 1).

    Returns
    -------
    PerformanceScore

    Raises
    ------
    DomainError
        No component available, or a value outside its domain (field named after the input).

    References
    ----------
    House convention (no standard defines a condenser score); HEI 9th ed. def. 2.3.
    """
    warnings: list[str] = []
    candidates = {
        "cleanliness": cleanliness_subscore(cleanliness_factor, target_cleanliness),
        "backpressure": backpressure_subscore(backpressure_excess),
        "air_inleakage": air_subscore(air_evidence),
        "fouling_trend": fouling_trend_subscore(days_until_cleaning, cleaning_due, trigger_never_reached),
    }
    comps = {name: sub for name, sub in candidates.items() if sub is not None}
    if not comps:
        raise DomainError(
            "cleanliness_factor",
            "no score component available: give at least one of cleanliness, "
            "backpressure excess, air evidence or the fouling forecast",
        )
    missing = [c for c in SCORE_WEIGHTS if c not in comps]
    if missing:
        warnings.append("score re-weighted over the available components; missing: " + ", ".join(missing))
    w_sum = sum(SCORE_WEIGHTS[c] for c in comps)
    score = 100.0 * sum(SCORE_WEIGHTS[c] * comps[c][0] for c in comps) / w_sum
    grade = next(label for lo, label in GRADES if score >= lo)
    components = {c: {"subscore": s, "weight": SCORE_WEIGHTS[c], "input": v} for c, (s, v) in comps.items()}
    method = {
        "performance_score": "100 * sum(w*s)/sum(w) over available components; weights "
        + ", ".join(f"{k} {v:g}" for k, v in SCORE_WEIGHTS.items())
        + f"; CF span {CF_SPAN:g}, backpressure scale 1 inHg, trend horizon {TREND_HORIZON_DAYS:g} d (house "
        "convention)"
    }
    return PerformanceScore(score, grade, components, method, warnings)


class Subscore(NamedTuple):
    """One component of the score: its sub-score in [0, 1] and the input it was scored from."""

    value: float
    input: float | str


def cleanliness_subscore(cleanliness_factor: float | None, target_cleanliness: float | None) -> Subscore | None:
    """s = clip((CF − (CF_t − 0.35))/0.35, 0, 1); None without a CF (both in (0, 1.5])."""
    if cleanliness_factor is None:
        return None
    if target_cleanliness is None:
        raise DomainError("target_cleanliness", "the cleanliness sub-score needs the target cleanliness")
    for name, val in (("cleanliness_factor", cleanliness_factor), ("target_cleanliness", target_cleanliness)):
        if not math.isfinite(val) or not (0.0 < val <= 1.5):
            raise DomainError(name, f"{name} {val!r} must be in (0, 1.5]", "entered in percent")
    return Subscore(_clip01((cleanliness_factor - (target_cleanliness - CF_SPAN)) / CF_SPAN), cleanliness_factor)


def backpressure_subscore(backpressure_excess: float | None) -> Subscore | None:
    """s = clip(1 − max(ΔP, 0)/1 inHg, 0, 1) for the excess ΔP [Pa]; None without one."""
    if backpressure_excess is None:
        return None
    if not math.isfinite(backpressure_excess):
        raise DomainError("backpressure_deviation", "backpressure excess must be finite")
    return Subscore(_clip01(1.0 - max(backpressure_excess, 0.0) / BACKPRESSURE_SCALE_PA), backpressure_excess)


def air_subscore(air_evidence: float | None) -> Subscore | None:
    """s = 1 − E for the air-evidence level E in [0, 1]; None without one."""
    if air_evidence is None:
        return None
    if not math.isfinite(air_evidence) or not (0.0 <= air_evidence <= 1.0):
        raise DomainError("air_evidence", f"air evidence {air_evidence!r} must be within 0-1")
    return Subscore(1.0 - air_evidence, air_evidence)


def fouling_trend_subscore(
    days_until_cleaning: float | None, cleaning_due: bool | None, trigger_never_reached: bool
) -> Subscore | None:
    """s = 0 when cleaning is due, 1 when the trigger is never reached, else
    clip(days/180 d, 0, 1); None without a forecast."""
    if cleaning_due:
        return Subscore(0.0, "cleaning due")
    if trigger_never_reached:
        return Subscore(1.0, "trigger not reached under the fitted model")
    if days_until_cleaning is None:
        return None
    if not math.isfinite(days_until_cleaning) or days_until_cleaning < 0.0:
        raise DomainError("days_until_cleaning", f"days {days_until_cleaning!r} must be >= 0 and finite")
    return Subscore(_clip01(days_until_cleaning / TREND_HORIZON_DAYS), days_until_cleaning)


def top_actions(actions: Iterable[Action], top: int = 3, not_first: Iterable[str] = ()) -> list[Action]:
    """The ``top`` most valuable actions (USD/day, then W, then id), one per action id.

    Duplicates of the same action id (e.g. proposed by two calculators) keep the most valuable.
    An action id in ``not_first`` never heads the list: the most valuable other action moves
    ahead of it (tube cleaning on an air-confounded snapshot whose fouling CF has not reached the
    cleaning trigger: the leak is stopped and the CF measured again first).
    """
    best: dict[str, Action] = {}
    for a in rank_actions(actions, top=10**9):
        best.setdefault(a.action, a)
    ranked = rank_actions(best.values(), top=10**9)
    held = set(not_first)
    lead = next((i for i, a in enumerate(ranked) if a.action not in held), 0)
    return ([ranked[lead]] + ranked[:lead] + ranked[lead + 1 :])[: max(top, 0)] if ranked else []


#: Parts of a whole-condenser analysis, as :func:`action_withdrawn` names them.
ANALYSIS_PARTS = ("heat_transfer", "vacuum", "air_inleakage", "fouling", "cw_flow")


def action_withdrawn(part: str, action: str, air_confounded: bool, leak_detected: bool) -> bool:
    """Whether a part's action gives way in the combined ranking of an analysis.

    * On an air-confounded snapshot the fouling part's ``clean_tubes`` (valued on the air-bound
      cleanliness) is withdrawn: tube cleaning is then the vacuum part's, valued by the fouling
      share of the backpressure only.
    * With a leak detected, the vacuum part's generic ``find_air_inleakage`` gives way to the air
      part's specific, equally valued checks.
    """
    if part not in ANALYSIS_PARTS:
        raise DomainError("part", f"unknown analysis part {part!r}; expected one of {ANALYSIS_PARTS}")
    if air_confounded and part == "fouling" and action == "clean_tubes":
        return True
    return leak_detected and part == "vacuum" and action == "find_air_inleakage"
