# SPDX-License-Identifier: MIT
"""Weather source connector: one GET returning JSON with wet bulb, dry bulb and RH.

The last *good* value of each field is cached with its observation time. When the source
is down (or returns a bad value for a field), :meth:`WeatherConnector.read` returns the
cached value with its original timestamp and logs a warning; whether it is still usable is
decided by the staleness check (``WeatherSettings.stale_after_s``), never silently.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from .cache import ReadingCache
from .http import HttpService
from .resilience import BreakerState
from .settings import WeatherField, WeatherSettings
from .types import ConnectorError, Quality, Reading, as_utc, require_configured, utcnow

__all__ = ["WeatherConnector", "json_path"]

log = logging.getLogger(__name__)
SOURCE = "weather"


def json_path(payload: Any, path: str) -> Any:
    """Value at a dotted ``path`` (``"current.wet_bulb_c"``, list indices as digits), or None."""
    node = payload
    for part in path.split("."):
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _timestamp(raw: Any) -> datetime | None:
    if isinstance(raw, str):
        try:
            return as_utc(datetime.fromisoformat(raw))
        except ValueError:
            return None
    if isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw):
        return datetime.fromtimestamp(raw, UTC)
    return None


class WeatherConnector:
    """Site weather over HTTP with a last-good-value cache.

    Parameters
    ----------
    settings : WeatherSettings
        URL, API key, field paths, poll interval, breaker.
    breaker_clock : callable, optional
        Monotonic clock for the circuit breaker (tests).
    clock : callable, optional
        Monotonic clock for the poll-interval cache (tests).
    """

    kind = "weather"

    def __init__(
        self,
        settings: WeatherSettings,
        *,
        breaker_clock: Callable[[], float] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.service = settings.service
        self._fields = {f.name: f for f in settings.fields}
        api_key = {settings.api_key_header: settings.api_key.get_secret_value()} if settings.api_key else {}
        self.http = HttpService.from_settings(settings, base_url=settings.url, headers=api_key, clock=breaker_clock)
        self._clock = clock
        self._cache = ReadingCache()
        self._fetched_at: float | None = None
        self.last_error: str | None = None

    async def start(self) -> None:
        """Nothing to open up front."""

    async def stop(self) -> None:
        """Close the HTTP connection pool."""
        await self.http.aclose()

    async def __aenter__(self) -> WeatherConnector:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def stale_limits(self) -> dict[str, float]:
        """Staleness limit per field name [s]."""
        return {name: self.settings.stale_after_s for name in self._fields}

    def _reading(self, field: WeatherField, payload: Any, ts: datetime, received: datetime) -> Reading:
        raw = json_path(payload, field.path)
        ok = isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw)
        return Reading(
            tag=field.path,
            name=field.name,
            value=float(raw) if ok else math.nan,
            unit=field.unit,
            source_timestamp=ts,
            server_timestamp=received,
            quality=Quality.GOOD if ok else Quality.BAD,
            status="Good" if ok else f"missing or non-numeric value {raw!r}",
            source=SOURCE,
        )

    async def fetch(self) -> dict[str, Reading]:
        """GET the source once and return every configured field (bad ones included).

        Good values replace the cached last-good values.
        """
        payload = await self.http.get_json("", description="current weather")
        received = utcnow()
        ts = received
        if self.settings.timestamp_path:
            ts = _timestamp(json_path(payload, self.settings.timestamp_path)) or received
        readings = {name: self._reading(f, payload, ts, received) for name, f in self._fields.items()}
        self._cache.update_many(r for r in readings.values() if r.quality is Quality.GOOD)
        self._fetched_at = self._clock()
        self.last_error = None
        return readings

    async def read(self, names: Iterable[str] | None = None) -> dict[str, Reading]:
        """Weather values, from the cache when younger than ``poll_interval_s``.

        On a failed request, or a bad value for a field, the last good value of that field is
        returned with its own (older) timestamp; a field never seen good raises.

        Raises
        ------
        ConnectorError
            Unknown name, or no good value ever received for a requested field (the
            underlying ``ConnectorUnavailable`` / ``CircuitOpenError`` when the source is down).
        """
        wanted = require_configured(
            names if names is not None else self._fields,
            self._fields,
            what="weather fields",
            service=self.service,
            endpoint=self.settings.url,
        )
        fresh = (
            self._fetched_at is not None
            and self._clock() - self._fetched_at < self.settings.poll_interval_s
            and all(self._cache.get(n) is not None for n in wanted)
        )
        latest: dict[str, Reading] = {}
        if not fresh:
            try:
                latest = await self.fetch()
            except ConnectorError as exc:
                self.last_error = str(exc)
                if any(self._cache.get(n) is None for n in wanted):
                    raise
                log.warning("%s unavailable, using last good values: %s", self.service, exc)
        out: dict[str, Reading] = {}
        for name in wanted:
            cached = self._cache.get(name)
            if cached is None:
                # never good: report the bad reading itself so the caller's check names it
                out[name] = latest[name]
            else:
                if name in latest and latest[name].quality is not Quality.GOOD:
                    log.warning(
                        "%s: bad value for %s (%s); using last good value from %s",
                        self.service,
                        name,
                        latest[name].status,
                        cached.source_timestamp,
                    )
                out[name] = cached
        return out

    def status(self) -> dict[str, Any]:
        """Connector health: breaker, last error, age of each last good value."""
        return {
            "service": self.service,
            "kind": self.kind,
            "endpoint": self.settings.url,
            "connected": self.http.breaker.state is not BreakerState.OPEN,
            "last_update": self._cache.last_update.isoformat() if self._cache.last_update else None,
            "last_error": self.last_error,
            "breaker": self.http.breaker.snapshot(),
            "tags": self._cache.ages(),
        }
