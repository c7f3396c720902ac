# SPDX-License-Identifier: MIT
"""Current-value cache fed by OPC UA subscriptions and Modbus polling."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .types import Reading, utcnow

__all__ = ["ReadingCache"]


class ReadingCache:
    """Latest reading per canonical name.

    An update older than the cached value (by source timestamp, and not handled later by the
    server) is ignored: a replayed OPC UA notification after a reconnect must not overwrite
    newer data.
    """

    def __init__(self) -> None:
        self._readings: dict[str, Reading] = {}
        self.last_update: datetime | None = None

    def update(self, reading: Reading) -> bool:
        """Store ``reading`` unless the cache holds a newer one; return True if stored."""
        current = self._readings.get(reading.name)
        if current is not None and reading.source_timestamp < current.source_timestamp:
            # Older source time: a replay, unless the server handled it later (the device
            # clock was set back), which the server timestamp tells.
            later = (
                reading.server_timestamp is not None
                and current.server_timestamp is not None
                and reading.server_timestamp > current.server_timestamp
            )
            if not later:
                return False
        self._readings[reading.name] = reading
        self.last_update = utcnow()
        return True

    def update_many(self, readings: Iterable[Reading]) -> None:
        """Store several readings (see :meth:`update`)."""
        for reading in readings:
            self.update(reading)

    def get(self, name: str) -> Reading | None:
        """The cached reading for ``name``, or None."""
        return self._readings.get(name)

    def ages(self, now: datetime | None = None) -> dict[str, dict[str, object]]:
        """Per-name age [s], quality and status, for ``status()`` reports."""
        now = now or utcnow()
        return {
            name: {"age_s": round(r.age_s(now), 3), "quality": r.quality.value, "status": r.status}
            for name, r in sorted(self._readings.items())
        }
