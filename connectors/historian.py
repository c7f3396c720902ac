# SPDX-License-Identifier: MIT
"""AVEVA / OSIsoft PI Web API historian connector (httpx).

Requests (relative to ``HistorianSettings.base_url``, e.g. ``https://host/piwebapi``):

- current value: ``GET streams/{webId}/value``
- recorded: ``GET streams/{webId}/recorded?startTime=&endTime=&maxCount=&boundaryType=Inside``
- interpolated: ``GET streams/{webId}/interpolated?startTime=&endTime=&interval=``
- many streams: ``GET streamsets/recorded?webId=A&webId=B&...`` and
  ``GET streamsets/interpolated?...`` → ``{"Items": [{"WebId", "Name", "Items": [...]}]}``

Each value item ``{"Timestamp", "Value", "UnitsAbbreviation", "Good", "Questionable",
"Substituted", ...}`` becomes a :class:`~connectors.types.Reading`. A non-numeric ``Value``
(a digital state such as ``{"Name": "I/O Timeout", ...}``, used by PI for bad values), a
missing value or ``Good: false`` gives quality ``bad``; ``Questionable`` or ``Substituted``
gives ``uncertain``.

Times are datetimes (sent as ISO 8601 UTC) or PI time expressions such as ``"*-8h"``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from .cache import ReadingCache
from .http import HttpService
from .resilience import BreakerState
from .settings import HistorianSettings, HistorianStream
from .types import ConnectorError, Quality, Reading, as_utc, require_configured

__all__ = ["PiWebApiHistorian", "parse_pi_item", "pi_time"]

log = logging.getLogger(__name__)

SOURCE = "historian"
TimeArg = datetime | str


def pi_time(t: TimeArg) -> str:
    """Format a time for PI Web API: ISO 8601 UTC for datetimes, PI expressions unchanged."""
    if isinstance(t, datetime):
        return as_utc(t).isoformat().replace("+00:00", "Z")
    return t


def _pi_interval(interval: timedelta | str) -> str:
    if isinstance(interval, str):
        return interval
    seconds = interval.total_seconds()
    if seconds <= 0:
        raise ValueError(f"interpolation interval must be positive, got {interval}")
    return f"{seconds:g}s"


def _parse_time(raw: Any, stream: HistorianStream) -> datetime:
    if not isinstance(raw, str):
        raise ValueError(f"item for '{stream.name}' has no Timestamp string: {raw!r}")
    return as_utc(datetime.fromisoformat(raw))


def parse_pi_item(item: Mapping[str, Any], stream: HistorianStream, *, source: str = SOURCE) -> Reading:
    """Convert one PI Web API value item into a :class:`Reading`.

    Parameters
    ----------
    item : mapping
        ``{"Timestamp", "Value", "UnitsAbbreviation", "Good", "Questionable", "Substituted"}``.
    stream : HistorianStream
        The configured stream (name, WebId, fallback unit).
    source : str
        Source label of the reading.

    Returns
    -------
    Reading
        Quality bad (value NaN) for digital states, missing or non-finite values, item
        ``Errors`` and ``Good: false``; uncertain for ``Questionable`` / ``Substituted``.

    Raises
    ------
    ValueError
        When the item has no parseable ``Timestamp``.
    """
    ts = _parse_time(item.get("Timestamp"), stream)
    unit = item.get("UnitsAbbreviation") or stream.unit
    raw = item.get("Value")
    value = math.nan
    if item.get("Errors"):
        quality, status = Quality.BAD, f"error: {item['Errors']}"
    elif isinstance(raw, Mapping):
        quality, status = Quality.BAD, f"digital state '{raw.get('Name', raw)}'"
    elif raw is None or isinstance(raw, bool) or not isinstance(raw, int | float):
        quality, status = Quality.BAD, f"non-numeric value {raw!r}"
    elif not math.isfinite(raw):
        quality, status = Quality.BAD, f"non-finite value {raw!r}"
    else:
        value = float(raw)
        if item.get("Good", True) is False:
            quality, status = Quality.BAD, "Good=false"
        elif item.get("Questionable"):
            quality, status = Quality.UNCERTAIN, "Questionable"
        elif item.get("Substituted"):
            quality, status = Quality.UNCERTAIN, "Substituted"
        else:
            quality, status = Quality.GOOD, "Good"
    return Reading(
        tag=stream.web_id,
        name=stream.name,
        value=value,
        unit=unit,
        source_timestamp=ts,
        server_timestamp=None,
        quality=quality,
        status=status,
        source=source,
    )


class PiWebApiHistorian:
    """PI Web API client for current values and history of the configured streams.

    Parameters
    ----------
    settings : HistorianSettings
        Base URL, credentials, timeouts, breaker and the streams.
    breaker_clock : callable, optional
        Monotonic clock for the circuit breaker (tests).

    Examples
    --------
    >>> async with PiWebApiHistorian(settings) as pi:             # doctest: +SKIP
    ...     now = await pi.read(["cw_inlet_temp"])
    ...     day = await pi.recorded("cw_inlet_temp", "*-1d", "*")
    """

    kind = "historian"

    def __init__(self, settings: HistorianSettings, *, breaker_clock: Callable[[], float] | None = None) -> None:
        self.settings = settings
        self.service = settings.service
        self._streams = {s.name: s for s in settings.streams}
        self._by_web_id = {s.web_id: s for s in settings.streams}
        self.http = HttpService.from_settings(settings, base_url=settings.base_url, clock=breaker_clock)
        self._cache = ReadingCache()

    # ---- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Nothing to open up front: connections are made on the first request."""

    async def stop(self) -> None:
        """Close the HTTP connection pool."""
        await self.http.aclose()

    async def __aenter__(self) -> PiWebApiHistorian:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- helpers -----------------------------------------------------------------------

    def _streams_for(self, names: Iterable[str]) -> list[HistorianStream]:
        wanted = require_configured(
            names,
            self._streams,
            what="historian streams",
            service=self.service,
            endpoint=self.settings.base_url,
        )
        return [self._streams[n] for n in wanted]

    def _stream(self, name: str) -> HistorianStream:
        return self._streams_for([name])[0]

    def _parse(self, item: Any, stream: HistorianStream, what: str) -> Reading:
        try:
            if not isinstance(item, Mapping):
                raise ValueError(f"expected a value object, got {item!r}"[:200])
            return parse_pi_item(item, stream)
        except ValueError as exc:
            raise ConnectorError(
                f"{self.service} returned an unreadable item for '{stream.name}' ({what}): {exc}",
                service=self.service,
                endpoint=self.settings.base_url,
            ) from exc

    def _items(self, payload: Any, stream: HistorianStream, what: str) -> list[Reading]:
        items = payload.get("Items") if isinstance(payload, Mapping) else None
        if not isinstance(items, list):
            raise ConnectorError(
                f"{self.service}: reply to {what} has no 'Items' list",
                service=self.service,
                endpoint=self.settings.base_url,
            )
        return [self._parse(item, stream, what) for item in items]

    def stale_limits(self) -> dict[str, float]:
        """Staleness limit per stream name [s]."""
        return {n: s.stale_after_s or self.settings.stale_after_s for n, s in self._streams.items()}

    # ---- current values ----------------------------------------------------------------

    async def read(self, names: Iterable[str] | None = None) -> dict[str, Reading]:
        """Current (snapshot) value of each stream via ``streams/{webId}/value``.

        Parameters
        ----------
        names : iterable of str, optional
            Canonical names; default all configured streams.

        Returns
        -------
        dict of str to Reading
            Quality as reported by PI; check with :func:`~connectors.freshness.check_fresh`.
        """
        streams = self._streams_for(names if names is not None else self._streams)
        readings: dict[str, Reading] = {}
        for stream in streams:  # one logical call per stream, each through the breaker
            what = f"current value of '{stream.name}'"
            payload = await self.http.get_json(f"streams/{stream.web_id}/value", description=what)
            readings[stream.name] = self._parse(payload, stream, what)
        self._cache.update_many(readings.values())
        return readings

    # ---- history -----------------------------------------------------------------------

    async def recorded(self, name: str, start: TimeArg, end: TimeArg, *, max_count: int | None = None) -> list[Reading]:
        """Archived (recorded) values of one stream between ``start`` and ``end``."""
        stream = self._stream(name)
        params = {
            "startTime": pi_time(start),
            "endTime": pi_time(end),
            "maxCount": max_count or self.settings.max_count,
            "boundaryType": "Inside",
        }
        what = f"recorded values of '{name}'"
        payload = await self.http.get_json(f"streams/{stream.web_id}/recorded", params=params, description=what)
        return self._items(payload, stream, what)

    async def interpolated(self, name: str, start: TimeArg, end: TimeArg, interval: timedelta | str) -> list[Reading]:
        """Interpolated values of one stream at ``interval`` steps (e.g. ``timedelta(minutes=5)``)."""
        stream = self._stream(name)
        params = {"startTime": pi_time(start), "endTime": pi_time(end), "interval": _pi_interval(interval)}
        what = f"interpolated values of '{name}'"
        payload = await self.http.get_json(f"streams/{stream.web_id}/interpolated", params=params, description=what)
        return self._items(payload, stream, what)

    async def read_history(self, name: str, start: TimeArg, end: TimeArg) -> list[Reading]:
        """Recorded values of one stream (the common history interface)."""
        return await self.recorded(name, start, end)

    async def _streamset(self, kind: str, names: Iterable[str], params: dict[str, Any]) -> dict[str, list[Reading]]:
        streams = self._streams_for(names)
        what = f"{kind} values of {len(streams)} streams"
        params = {"webId": [s.web_id for s in streams], **params}
        payload = await self.http.get_json(f"streamsets/{kind}", params=params, description=what)
        out: dict[str, list[Reading]] = {s.name: [] for s in streams}
        groups = payload.get("Items") if isinstance(payload, Mapping) else None
        if not isinstance(groups, list):
            raise ConnectorError(
                f"{self.service}: reply to {what} has no 'Items' list",
                service=self.service,
                endpoint=self.settings.base_url,
            )
        for group in groups:
            stream = self._by_web_id.get(group.get("WebId")) if isinstance(group, Mapping) else None
            if stream is None or stream.name not in out:
                log.warning("%s: ignoring unexpected stream in %s reply: %r", self.service, kind, group)
                continue
            out[stream.name] = self._items(group, stream, what)
        return out

    async def recorded_many(
        self, names: Iterable[str], start: TimeArg, end: TimeArg, *, max_count: int | None = None
    ) -> dict[str, list[Reading]]:
        """Recorded values of several streams in one ``streamsets/recorded`` request."""
        params = {
            "startTime": pi_time(start),
            "endTime": pi_time(end),
            "maxCount": max_count or self.settings.max_count,
            "boundaryType": "Inside",
        }
        return await self._streamset("recorded", names, params)

    async def interpolated_many(
        self, names: Iterable[str], start: TimeArg, end: TimeArg, interval: timedelta | str
    ) -> dict[str, list[Reading]]:
        """Interpolated values of several streams in one ``streamsets/interpolated`` request."""
        params = {"startTime": pi_time(start), "endTime": pi_time(end), "interval": _pi_interval(interval)}
        return await self._streamset("interpolated", names, params)

    # ---- status ------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """Connector health: last update, breaker state, age of the last current values."""
        return {
            "service": self.service,
            "kind": self.kind,
            "endpoint": self.settings.base_url,
            "connected": self.http.breaker.state is not BreakerState.OPEN,
            "last_update": self._cache.last_update.isoformat() if self._cache.last_update else None,
            "breaker": self.http.breaker.snapshot(),
            "tags": self._cache.ages(),
        }
