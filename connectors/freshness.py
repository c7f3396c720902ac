# SPDX-License-Identifier: MIT
"""Staleness and quality checks, and assembling a condenser snapshot from several sources.

Nothing here substitutes a value: a stale or bad reading raises an error naming the tag.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from .types import BadQualityError, LiveSource, Quality, Reading, Snapshot, StaleDataError, utcnow

__all__ = ["check_fresh", "take_snapshot"]


def check_fresh(
    readings: Mapping[str, Reading],
    max_age_s: float | Mapping[str, float],
    now: datetime | None = None,
    *,
    allow_uncertain: bool = True,
) -> None:
    """Raise unless every reading is recent enough and of usable quality.

    Parameters
    ----------
    readings : mapping of str to Reading
        Readings by canonical name; checked in mapping order.
    max_age_s : float or mapping of str to float
        Staleness limit, one for all or per name (a name missing from the mapping is an
        error: every value needs a limit) [s].
    now : datetime, optional
        Reference time (UTC); default the current time.
    allow_uncertain : bool
        Accept ``uncertain`` quality (default True); ``bad`` is never accepted.

    Raises
    ------
    BadQualityError
        For the first reading with bad (or, if not allowed, uncertain) quality.
    StaleDataError
        For the first reading whose source timestamp is older than its limit.
    KeyError
        When ``max_age_s`` is a mapping without an entry for a reading.
    """
    now = now or utcnow()
    for name, reading in readings.items():
        if reading.quality is Quality.BAD or (reading.quality is Quality.UNCERTAIN and not allow_uncertain):
            raise BadQualityError(reading)
        if isinstance(max_age_s, Mapping):
            if name not in max_age_s:
                raise KeyError(f"no staleness limit configured for '{name}'")
            limit = max_age_s[name]
        else:
            limit = max_age_s
        age = reading.age_s(now)
        if age > limit:
            raise StaleDataError(reading, age, limit)


async def take_snapshot(
    condenser_id: str,
    requests: Sequence[tuple[LiveSource, Iterable[str]]],
    *,
    max_age_s: float | Mapping[str, float] | None = None,
    now: datetime | None = None,
) -> Snapshot:
    """Read several sources concurrently and return one checked snapshot.

    Parameters
    ----------
    condenser_id : str
        Condenser the readings belong to.
    requests : sequence of (LiveSource, names)
        Which names to read from which connector.
    max_age_s : float or mapping, optional
        Staleness limits; default each connector's configured limits (``stale_limits()``) [s].
    now : datetime, optional
        Reference time for the staleness check (UTC).

    Returns
    -------
    Snapshot
        All requested readings, each fresh and of usable quality.

    Raises
    ------
    ConnectorError
        The first connector failure (other reads are cancelled), or a stale / bad value.
    """
    batches = [(source, list(names)) for source, names in requests]
    tasks = [asyncio.ensure_future(source.read(names)) for source, names in batches]
    try:
        results = await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        raise
    readings: dict[str, Reading] = {}
    limits: dict[str, float] = {}
    for (source, _), got in zip(batches, results, strict=True):
        readings.update(got)
        source_limits = source.stale_limits()
        limits.update({name: source_limits[name] for name in got})
    check_fresh(readings, limits if max_age_s is None else max_age_s, now)
    return Snapshot(condenser_id=condenser_id, readings=readings, taken_at=now or utcnow())
