# SPDX-License-Identifier: MIT
"""Small shared economics helpers: power × time × price, and ranked actions.

Power is in W (SI base), time in h or days, electricity price in USD/MWh (the tool argument
``power_price_usd_per_mwh`` is already in these units and is not converted).

.. math::
    C\\,[\\mathrm{USD}] = \\frac{P\\,[\\mathrm{W}]}{10^6}
    \\cdot t\\,[\\mathrm{h}] \\cdot p\\,[\\mathrm{USD/MWh}]

References
----------
No standard is involved: unit arithmetic only (1 MWh = 10⁶ W × 1 h).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from .constants import MW_W
from .errors import DomainError

__all__ = [
    "HOURS_PER_DAY",
    "HOURS_PER_YEAR",
    "Action",
    "check_price",
    "energy_cost_usd",
    "usd_per_hour",
    "usd_per_day",
    "usd_per_year",
    "rank_actions",
]

HOURS_PER_DAY = 24.0
#: Hours in a 365-day year; the default operating hours of a base-load unit (house choice:
#: pass the unit's own operating hours or capacity factor when they are known).
HOURS_PER_YEAR = 8760.0


def check_price(price_usd_per_mwh: float | None) -> float | None:
    """Validate an electricity price [USD/MWh]; ``None`` means "not given".

    Raises
    ------
    DomainError
        Negative or non-finite price (field ``power_price_usd_per_mwh``).
    """
    if price_usd_per_mwh is None:
        return None
    if not math.isfinite(price_usd_per_mwh) or price_usd_per_mwh < 0.0:
        raise DomainError(
            "power_price_usd_per_mwh",
            f"price {price_usd_per_mwh!r} USD/MWh must be a finite "
            "number >= 0 (negative market prices are not supported for valuing lost output)",
            "price entered in the wrong unit or sign",
        )
    return float(price_usd_per_mwh)


def energy_cost_usd(power_w: float, hours: float, price_usd_per_mwh: float) -> float:
    """Value of a constant power over a time, C = P/10⁶ · t · p.

    Parameters
    ----------
    power_w : float
        Power [W] (lost output, auxiliary power...).
    hours : float
        Duration [h].
    price_usd_per_mwh : float
        Electricity price [USD/MWh].

    Returns
    -------
    float
        Value [USD].

    References
    ----------
    Unit arithmetic only: 1 MWh = 10⁶ W × 1 h.
    """
    return power_w / MW_W * hours * price_usd_per_mwh


def usd_per_hour(power_w: float, price_usd_per_mwh: float) -> float:
    """Value of a power [W] per hour [USD/h] at a price [USD/MWh]."""
    return energy_cost_usd(power_w, 1.0, price_usd_per_mwh)


def usd_per_day(power_w: float, price_usd_per_mwh: float) -> float:
    """Value of a power [W] per day of 24 h [USD/day] at a price [USD/MWh]."""
    return energy_cost_usd(power_w, HOURS_PER_DAY, price_usd_per_mwh)


def usd_per_year(power_w: float, price_usd_per_mwh: float, operating_hours: float = HOURS_PER_YEAR) -> float:
    """Value of a power [W] over a year of ``operating_hours`` [h] [USD/year] at a price
    [USD/MWh]."""
    return energy_cost_usd(power_w, operating_hours, price_usd_per_mwh)


@dataclass(frozen=True, slots=True)
class Action:
    """A recommended action with its value.

    ``value_w`` is the recoverable power (turbine output gained, or net of auxiliary power) [W];
    ``value_usd_per_day`` its value at the power price, or ``None`` when no price was given.
    """

    action: str  #: stable id, e.g. "clean_tubes"
    description: str  #: what to do and why, in plain words
    value_w: float  #: [W]
    value_usd_per_day: float | None  #: [USD/day]
    source: str  #: calculator that produced it ("vacuum", "air_inleakage", ...)


def rank_actions(actions: Iterable[Action], top: int = 3) -> list[Action]:
    """Rank actions by value, best first, and keep the first ``top``.

    Order: value in USD/day (actions without a price rank by W, after priced ones of equal
    value), then value in W, then the action id (deterministic tie-break).
    """

    def key(a: Action) -> tuple[float, float, str]:
        usd = a.value_usd_per_day if a.value_usd_per_day is not None else -math.inf
        return (-usd, -a.value_w, a.action)

    return sorted(actions, key=key)[: max(top, 0)]
