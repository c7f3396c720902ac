# SPDX-License-Identifier: MIT
"""Value types and errors shared by every connector.

A :class:`Reading` is one measured value with its canonical name, unit, source timestamp and
quality; a :class:`Snapshot` is a set of readings for one condenser. Connector errors name the
service and endpoint and say what to check, because they end up in front of plant engineers.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "Quality",
    "Reading",
    "Snapshot",
    "LiveSource",
    "utcnow",
    "require_configured",
    "ConnectorError",
    "ConnectorUnavailable",
    "CircuitOpenError",
    "RequestRejectedError",
    "StaleDataError",
    "BadQualityError",
]


def utcnow() -> datetime:
    """Current wall-clock time, timezone-aware UTC."""
    return datetime.now(UTC)


def as_utc(ts: datetime) -> datetime:
    """Return ``ts`` as timezone-aware UTC; naive datetimes are taken to be UTC already."""
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


class Quality(str, Enum):
    """Data quality of a reading, reduced from the source's own status.

    ``good``: usable. ``uncertain``: the source doubts it (OPC UA Uncertain*, PI
    ``Questionable``); reported, usable with care. ``bad``: not a measurement (OPC UA Bad*,
    PI ``Good: false`` or a digital state such as "I/O Timeout", Modbus exception).
    """

    GOOD = "good"
    UNCERTAIN = "uncertain"
    BAD = "bad"


@dataclass(frozen=True, slots=True)
class Reading:
    """One value of one tag.

    Parameters
    ----------
    tag : str
        Source address: OPC UA node id, Modbus ``"<device>:<4xxxx>"``, PI WebId, JSON path.
    name : str
        Canonical measurement name, e.g. ``"cw_inlet_temp"``.
    value : float
        Value in ``unit`` (scaled); NaN when ``quality`` is bad and there is no number.
    unit : str
        Engineering unit, e.g. ``"degC"``.
    source_timestamp : datetime
        When the device / historian says the value was valid (UTC).
    server_timestamp : datetime or None
        When the server handled it (OPC UA) or the client received it (Modbus, HTTP) (UTC).
    quality : Quality
        Reduced quality.
    status : str
        The source's own status, e.g. ``"Good"``, ``"BadSensorFailure"``,
        ``"digital state 'I/O Timeout'"``.
    source : str
        ``"opcua"``, ``"modbus"``, ``"historian"`` or ``"weather"``.
    """

    tag: str
    name: str
    value: float
    unit: str
    source_timestamp: datetime
    server_timestamp: datetime | None
    quality: Quality
    status: str
    source: str

    def age_s(self, now: datetime | None = None) -> float:
        """Age of the source timestamp at ``now`` (default: the current time) [s]."""
        return ((now or utcnow()) - self.source_timestamp).total_seconds()

    def provenance(self) -> dict[str, Any]:
        """The entry for a tool result's ``provenance.sources`` (JSON-ready)."""
        return {
            "name": self.name,
            "tag": self.tag,
            "source": self.source,
            "value": None if math.isnan(self.value) else self.value,
            "unit": self.unit,
            "source_timestamp": self.source_timestamp.isoformat(),
            "quality": self.quality.value,
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Readings of one condenser taken together.

    Parameters
    ----------
    condenser_id : str
        Condenser the readings belong to.
    readings : dict of str to Reading
        By canonical measurement name.
    taken_at : datetime
        When the snapshot was assembled (UTC).
    """

    condenser_id: str
    readings: dict[str, Reading] = field(default_factory=dict)
    taken_at: datetime = field(default_factory=utcnow)

    def values(self) -> dict[str, float]:
        """Plain ``{name: value}`` mapping."""
        return {name: r.value for name, r in self.readings.items()}

    def sources(self) -> list[dict[str, Any]]:
        """``provenance.sources`` entries, sorted by name."""
        return [self.readings[name].provenance() for name in sorted(self.readings)]


@runtime_checkable
class LiveSource(Protocol):
    """What every reading connector offers (OPC UA, Modbus, historian, weather)."""

    service: str

    async def read(self, names: Iterable[str] | None = None) -> dict[str, Reading]: ...

    def status(self) -> dict[str, Any]: ...

    def stale_limits(self) -> Mapping[str, float]: ...


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


class ConnectorError(Exception):
    """Base of all connector errors; names the service and the endpoint.

    Parameters
    ----------
    message : str
        Complete, human-readable explanation (what failed and what to check).
    service : str
        Service name, e.g. ``"scada"``.
    endpoint : str
        URL / host:port of the service.
    """

    def __init__(self, message: str, *, service: str = "", endpoint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.service = service
        self.endpoint = endpoint


class ConnectorUnavailable(ConnectorError):
    """The service cannot be reached or did not answer in time (transient; retryable)."""


class CircuitOpenError(ConnectorUnavailable):
    """The service's circuit breaker is open: the call was refused without any network I/O.

    Attributes
    ----------
    breaker : str
        Breaker name (the service name).
    half_open_in_s : float
        Seconds until the breaker lets a trial call through [s].
    """

    def __init__(self, message: str, *, service: str, endpoint: str, half_open_in_s: float) -> None:
        super().__init__(message, service=service, endpoint=endpoint)
        self.breaker = service
        self.half_open_in_s = half_open_in_s


class RequestRejectedError(ConnectorError):
    """The service answered but refused the request (HTTP 4xx, OPC UA BadNodeIdUnknown, ...).

    A configuration or permission problem, not an outage: never retried and never counted as
    a circuit-breaker failure.

    Attributes
    ----------
    status_code : int or None
        HTTP status, when the service is HTTP.
    headers : dict of str to str
        HTTP response headers (empty otherwise).
    """

    def __init__(
        self,
        message: str,
        *,
        service: str = "",
        endpoint: str = "",
        status_code: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message, service=service, endpoint=endpoint)
        self.status_code = status_code
        self.headers = dict(headers or {})


class StaleDataError(ConnectorError):
    """A value is older than its limit.

    Attributes
    ----------
    name, tag : str
        Canonical name and source tag.
    age_s, max_age_s : float
        Age of the source timestamp and the configured limit [s].
    """

    def __init__(self, reading: Reading, age_s: float, max_age_s: float) -> None:
        super().__init__(
            f"Stale value: '{reading.name}' (tag {reading.tag}, {reading.source}) was last updated "
            f"{age_s:.1f} s ago at {reading.source_timestamp.isoformat()}; the limit is {max_age_s:g} s. "
            "Check that the transmitter, the PLC/DCS scan and the data link are alive.",
            service=reading.source,
        )
        self.name = reading.name
        self.tag = reading.tag
        self.age_s = age_s
        self.max_age_s = max_age_s


class BadQualityError(ConnectorError):
    """A value has bad quality (or uncertain quality where only good is accepted).

    Attributes
    ----------
    name, tag, status : str
        Canonical name, source tag and the source's status.
    """

    def __init__(self, reading: Reading) -> None:
        super().__init__(
            f"Bad-quality value: '{reading.name}' (tag {reading.tag}, {reading.source}) has quality "
            f"{reading.quality.value} with status {reading.status} at "
            f"{reading.source_timestamp.isoformat()}. The value is not used; check the instrument "
            "and its signal path.",
            service=reading.source,
        )
        self.name = reading.name
        self.tag = reading.tag
        self.status = reading.status


def require_configured(
    names: Iterable[str], configured: Collection[str], *, what: str, service: str, endpoint: str
) -> list[str]:
    """Return ``names`` as a list, or raise naming the unknown ones and what is configured.

    Parameters
    ----------
    names : iterable of str
        Requested canonical names.
    configured : collection of str
        Names the connector knows.
    what : str
        What the names are, e.g. ``"OPC UA tags"``.
    service, endpoint : str
        For the error.

    Raises
    ------
    ConnectorError
        When any name is not configured.
    """
    wanted = list(names)
    unknown = [n for n in wanted if n not in configured]
    if unknown:
        raise ConnectorError(
            f"{', '.join(unknown)} not configured as {what} of {service}; "
            f"configured: {', '.join(sorted(configured)) or 'none'}",
            service=service,
            endpoint=endpoint,
        )
    return wanted
