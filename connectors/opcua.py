# SPDX-License-Identifier: MIT
"""OPC UA connector (asyncua 2.x): subscription-fed cache, on-demand reads, history reads.

- **Subscription.** The configured tags are monitored in one subscription with the
  configured publishing interval (original design: 5 s). Every data-change notification
  updates a current-value cache with the value, source/server timestamps and status code;
  an older notification (e.g. replayed after a reconnect) never overwrites a newer value.
- **Reads.** :meth:`OpcUaConnector.read` serves from the cache while the subscription is
  live, otherwise it reads the server (one bulk Read request).
- **History.** :meth:`OpcUaConnector.read_history` issues HistoryRead (raw) for one tag.
- **Security.** ``None`` or ``Basic256Sha256`` with ``Sign`` / ``SignAndEncrypt`` and an
  application instance certificate; optional user name / password.
- **Reconnect.** The asyncua client runs with ``auto_reconnect=True``: after a server
  restart it re-establishes the session and re-creates the subscription by itself. While it
  reconnects, reads fail fast with :class:`~connectors.types.ConnectorUnavailable`; the
  connector's circuit breaker handles long outages.

Quality: OPC UA ``Good*`` → good, ``Uncertain*`` → uncertain, ``Bad*`` → bad; ``status``
keeps the status-code name (e.g. ``"BadSensorFailure"``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from asyncua import Client, Node, ua
from asyncua.client.ua_client import UaClientState
from asyncua.crypto.security_policies import SecurityPolicyBasic256Sha256

from .cache import ReadingCache
from .resilience import AsyncCircuitBreaker, guarded_call
from .settings import OpcUaSettings, OpcUaTag
from .types import (
    ConnectorError,
    ConnectorUnavailable,
    Quality,
    Reading,
    RequestRejectedError,
    as_utc,
    require_configured,
    utcnow,
)

__all__ = ["OpcUaConnector", "reading_from_data_value"]

log = logging.getLogger(__name__)
SOURCE = "opcua"

#: Status codes that mean "no (working) connection" rather than "request refused".
_COMMUNICATION_CODES = frozenset(
    {
        "BadTimeout",
        "BadRequestTimeout",
        "BadCommunicationError",
        "BadConnectionClosed",
        "BadConnectionRejected",
        "BadDisconnect",
        "BadNotConnected",
        "BadNoCommunication",
        "BadServerNotConnected",
        "BadServerHalted",
        "BadShutdown",
        "BadServerTooBusy",
        "BadTooManySessions",
        "BadResourceUnavailable",
        "BadSessionClosed",
        "BadSessionIdInvalid",
        "BadSessionNotActivated",
        "BadSecureChannelClosed",
        "BadSecureChannelIdInvalid",
        "BadTcpInternalError",
        "BadInvalidState",
    }
)


def _quality(code: ua.StatusCode) -> Quality:
    if code.is_good():
        return Quality.GOOD
    if code.is_uncertain():
        return Quality.UNCERTAIN
    return Quality.BAD


def reading_from_data_value(tag: OpcUaTag, tag_id: str, dv: ua.DataValue, received: datetime) -> Reading:
    """Convert an OPC UA ``DataValue`` into a :class:`Reading`.

    Parameters
    ----------
    tag : OpcUaTag
        Canonical name and unit.
    tag_id : str
        Node id string recorded in the reading.
    dv : ua.DataValue
        Value, status code and timestamps as delivered.
    received : datetime
        Time of receipt; used when the server sends no timestamps (UTC).

    Returns
    -------
    Reading
        Non-numeric values (strings, arrays, empty) get quality bad and value NaN.
    """
    code = dv.StatusCode if dv.StatusCode is not None else ua.StatusCode(ua.StatusCodes.Good)
    quality = _quality(code)
    status = code.name
    raw = dv.Value.Value if dv.Value is not None else None
    value = math.nan
    if isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw):
        value = float(raw)
    elif quality is not Quality.BAD:
        quality, status = Quality.BAD, f"{status}; non-numeric value {raw!r}"[:200]
    server_ts = as_utc(dv.ServerTimestamp) if dv.ServerTimestamp else None
    source_ts = as_utc(dv.SourceTimestamp) if dv.SourceTimestamp else (server_ts or received)
    return Reading(
        tag=tag_id,
        name=tag.name,
        value=value,
        unit=tag.unit,
        source_timestamp=source_ts,
        server_timestamp=server_ts,
        quality=quality,
        status=status,
        source=SOURCE,
    )


class _SubscriptionHandler:
    """asyncua callback handler: data changes go to the connector's cache."""

    def __init__(self, connector: OpcUaConnector) -> None:
        self._connector = connector

    def datachange_notification(self, node: Node, val: Any, data: Any) -> None:
        self._connector._on_data_change(node, data.monitored_item.Value)

    def status_change_notification(self, status: ua.StatusChangeNotification) -> None:
        log.warning("opcua %s: subscription status %s", self._connector.service, status.Status)
        self._connector._live = False


class OpcUaConnector:
    """OPC UA client for one server (SCADA or DCS) and its configured tags.

    Parameters
    ----------
    settings : OpcUaSettings
        Endpoint, security, timeouts, subscription interval, breaker and the tags.
    breaker_clock : callable, optional
        Monotonic clock for the circuit breaker (tests).

    Examples
    --------
    >>> async with OpcUaConnector(settings) as scada:            # doctest: +SKIP
    ...     values = await scada.read(["condenser_pressure", "cw_inlet_temp"])
    """

    kind = "opcua"

    def __init__(self, settings: OpcUaSettings, *, breaker_clock: Callable[[], float] | None = None) -> None:
        self.settings = settings
        self.service = settings.service
        self.endpoint = settings.endpoint
        self._tags = {t.name: t for t in settings.tags}
        self.breaker = AsyncCircuitBreaker(
            settings.service, settings.breaker, endpoint=settings.endpoint, clock=breaker_clock
        )
        self._client: Client | None = None
        self._connect_lock = asyncio.Lock()
        self._nodes: dict[str, Node] = {}
        self._names_by_node: dict[ua.NodeId, list[str]] = {}
        self._unresolved: dict[str, str] = {}
        self._subscribed: set[str] = set()
        self._live = False
        self._lost_at: float | None = None
        self._connecting = False
        self._cache = ReadingCache()

    # ---- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Connect, resolve the tags and subscribe.

        Raises
        ------
        ConnectorUnavailable
            Server not reachable within the call timeout.
        RequestRejectedError
            Security or identity rejected (certificate untrusted, wrong password, ...).
        """
        await guarded_call(self.breaker, self._ensure_connected, retry=self.settings.retry, description="connect")

    async def stop(self) -> None:
        """Disconnect (deletes the subscription on the server)."""
        await self._discard_client()

    async def __aenter__(self) -> OpcUaConnector:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- connection --------------------------------------------------------------------

    def _error(self, exc: BaseException, what: str) -> ConnectorError:
        """Translate an asyncua / socket error into a connector error."""
        where = f"OPC UA server {self.service} at {self.endpoint}"
        kw = {"service": self.service, "endpoint": self.endpoint}
        if isinstance(exc, ua.UaStatusCodeError):
            name = ua.StatusCode(exc.code).name
            if name in _COMMUNICATION_CODES:
                return ConnectorUnavailable(
                    f"{where} failed to {what}: {name} (request timeout {self.settings.timeout_s:g} s).", **kw
                )
            hint = ""
            if "Certificate" in name or "Security" in name:
                hint = (
                    " Check that the server trusts the client certificate "
                    f"({self.settings.certificate}) and that application_uri matches its URI."
                )
            elif "Identity" in name or "UserAccess" in name:
                hint = " Check the user name / password and the account's permissions."
            return RequestRejectedError(f"{where} refused to {what}: {name}.{hint}", **kw)
        if isinstance(exc, TimeoutError):
            return ConnectorUnavailable(
                f"{where} did not answer '{what}' within the request timeout of {self.settings.timeout_s:g} s.",
                **kw,
            )
        if isinstance(exc, ConnectionError | OSError):
            return ConnectorUnavailable(
                f"{where} is not reachable while trying to {what} ({type(exc).__name__}: {exc}); "
                f"request timeout {self.settings.timeout_s:g} s. Check that the server is running and "
                "the network path / firewall.",
                **kw,
            )
        if isinstance(exc, ua.UaError):
            return RequestRejectedError(
                f"{where}: cannot {what}: {exc}. Check security_policy / security_mode against the "
                "endpoints the server offers.",
                **kw,
            )
        return ConnectorError(f"{where}: unexpected error while trying to {what}: {exc!r}", **kw)

    def _new_client(self) -> Client:
        s = self.settings
        client = Client(
            s.endpoint,
            timeout=s.timeout_s,
            auto_reconnect=True,
            reconnect_max_delay=s.reconnect_max_delay_s,
            reconnect_request_timeout=s.timeout_s,
        )
        if s.application_uri:
            client.application_uri = s.application_uri
        if s.username is not None and s.password is not None:
            client.set_user(s.username)
            client.set_password(s.password.get_secret_value())
        client.connection_lost_callback = self._on_connection_lost
        return client

    async def _configure_security(self, client: Client) -> None:
        s = self.settings
        if s.security_policy != "Basic256Sha256":
            return
        assert s.certificate is not None and s.private_key is not None
        await client.set_security(
            SecurityPolicyBasic256Sha256,
            certificate=str(s.certificate),
            private_key=str(s.private_key),
            private_key_password=s.private_key_password.get_secret_value() if s.private_key_password else None,
            server_certificate=str(s.server_certificate) if s.server_certificate else None,
            mode=getattr(ua.MessageSecurityMode, s.security_mode),
        )

    async def _on_connection_lost(self, exc: Exception) -> None:
        self._live = False
        self._lost_at = time.monotonic()
        log.warning("opcua %s: connection to %s lost (%r); reconnecting", self.service, self.endpoint, exc)

    async def _ensure_connected(self) -> None:
        if self._client is not None and self._client.uaclient.state is UaClientState.CONNECTED:
            return
        async with self._connect_lock:  # concurrent reads must not open two sessions
            self._connecting = True
            try:
                await self._connect_if_needed()
            finally:
                self._connecting = False

    async def _connect_if_needed(self) -> None:
        client = self._client
        if client is not None:
            state = client.uaclient.state
            if state is UaClientState.CONNECTED:
                return
            # asyncua's supervisor normally restores the session within its back-off (capped
            # at reconnect_max_delay_s); if it is stuck far longer (opcua-asyncio#1660) or
            # gave up (DISCONNECTED), start afresh with a new client.
            lost_for = time.monotonic() - self._lost_at if self._lost_at is not None else 0.0
            stuck_after = 2 * self.settings.reconnect_max_delay_s + self.settings.timeout_s
            if state is not UaClientState.DISCONNECTED and lost_for <= stuck_after:
                raise ConnectorUnavailable(
                    f"OPC UA server {self.service} at {self.endpoint}: connection lost {lost_for:.0f} s ago, "
                    f"reconnecting automatically (state {state.value}).",
                    service=self.service,
                    endpoint=self.endpoint,
                )
            log.warning(
                "opcua %s: automatic reconnect not done after %.0f s (state %s); new client",
                self.service,
                lost_for,
                state.value,
            )
            await self._discard_client()
        client = self._new_client()
        try:
            await self._configure_security(client)
            await client.connect()
        except Exception as exc:  # every library error is translated by _error
            await self._close_quietly(client)
            raise self._error(exc, "connect") from exc
        self._client = client
        log.info("opcua %s connected to %s", self.service, self.endpoint)
        try:
            await self._resolve(client)
            if self.settings.subscribe:
                await self._subscribe(client)
        except Exception as exc:
            await self._discard_client()
            raise self._error(exc, "set up the tags") from exc

    async def _close_quietly(self, client: Client) -> None:
        try:
            await client.disconnect()
        except Exception:  # noqa: BLE001 - best effort on a half-open connection
            log.debug("opcua %s: disconnect after failure raised", self.service, exc_info=True)

    async def _discard_client(self) -> None:
        client, self._client = self._client, None
        self._live = False
        self._subscribed.clear()
        if client is not None:
            await self._close_quietly(client)

    async def _resolve(self, client: Client) -> None:
        self._nodes.clear()
        self._names_by_node.clear()
        self._unresolved.clear()
        for tag in self._tags.values():
            try:
                if tag.node_id is not None:
                    node_id = tag.node_id
                    if node_id.startswith("nsu="):
                        uri, rest = node_id[4:].split(";", 1)
                        node_id = f"ns={await client.get_namespace_index(uri)};{rest}"
                    node = client.get_node(node_id)
                else:
                    assert tag.browse_path is not None
                    node = await client.nodes.objects.get_child(tag.browse_path.split("/"))
            except ValueError:
                self._unresolved[tag.name] = "BadNamespaceUriUnknown (namespace URI not on the server)"
                continue
            except ua.UaStatusCodeError as exc:
                name = ua.StatusCode(exc.code).name
                if name in _COMMUNICATION_CODES:
                    raise
                self._unresolved[tag.name] = f"{name} (browse path not found)"
                continue
            self._nodes[tag.name] = node
            self._names_by_node.setdefault(node.nodeid, []).append(tag.name)
        for name, why in self._unresolved.items():
            log.error("opcua %s: tag '%s' cannot be resolved: %s", self.service, name, why)

    async def _subscribe(self, client: Client) -> None:
        handler = _SubscriptionHandler(self)
        sub = await client.create_subscription(self.settings.subscription_interval_ms, handler)
        names = list(self._nodes)
        results = await sub.subscribe_data_change([self._nodes[n] for n in names])
        self._subscribed = set()
        for name, result in zip(names, results, strict=True):
            if isinstance(result, ua.StatusCode):
                log.error("opcua %s: cannot monitor '%s': %s", self.service, name, result.name)
            else:
                self._subscribed.add(name)
        self._live = True

    def _on_data_change(self, node: Node, dv: ua.DataValue) -> None:
        received = utcnow()
        for name in self._names_by_node.get(node.nodeid, ()):
            self._cache.update(reading_from_data_value(self._tags[name], node.nodeid.to_string(), dv, received))
            self._live = True
        self.breaker.record_success()  # a publishing session is a working server

    # ---- reads -------------------------------------------------------------------------

    def _lookup(self, names: Iterable[str]) -> list[str]:
        return require_configured(names, self._tags, what="OPC UA tags", service=self.service, endpoint=self.endpoint)

    def _unresolved_reading(self, name: str) -> Reading:
        tag = self._tags[name]
        return Reading(
            tag=tag.node_id or tag.browse_path or "",
            name=name,
            value=math.nan,
            unit=tag.unit,
            source_timestamp=utcnow(),
            server_timestamp=None,
            quality=Quality.BAD,
            status=self._unresolved[name],
            source=SOURCE,
        )

    def _cache_is_live(self) -> bool:
        return self._live and self._client is not None and self._client.uaclient.state is UaClientState.CONNECTED

    async def read(self, names: Iterable[str] | None = None) -> dict[str, Reading]:
        """Values by canonical name: from the subscription cache when live, else read now.

        Parameters
        ----------
        names : iterable of str, optional
            Canonical names; default all configured tags.

        Returns
        -------
        dict of str to Reading
            Bad-quality readings are included (check them with ``check_fresh``).

        Raises
        ------
        ConnectorUnavailable, CircuitOpenError, ConnectorError
            When the server cannot be read.
        """
        wanted = self._lookup(names if names is not None else self._tags)
        out: dict[str, Reading] = {}
        if self._cache_is_live():
            for name in wanted:
                cached = self._cache.get(name)
                if name in self._subscribed and cached is not None:
                    out[name] = cached
        missing = [n for n in wanted if n not in out]
        if missing:
            out.update(await self._read_now(missing))
        else:  # served by the live subscription: the server works, tell the breaker
            self.breaker.record_success()
        return {n: out[n] for n in wanted}

    async def _read_now(self, names: list[str]) -> dict[str, Reading]:
        async def once() -> dict[str, Reading]:
            await self._ensure_connected()
            assert self._client is not None
            result = {n: self._unresolved_reading(n) for n in names if n in self._unresolved}
            todo = [n for n in names if n in self._nodes]
            if todo:
                try:
                    values = await self._client.read_attributes([self._nodes[n] for n in todo])
                except Exception as exc:  # every library error is translated by _error
                    raise self._error(exc, f"read {len(todo)} tags") from exc
                received = utcnow()
                for name, dv in zip(todo, values, strict=True):
                    reading = reading_from_data_value(
                        self._tags[name], self._nodes[name].nodeid.to_string(), dv, received
                    )
                    result[name] = reading
                    self._cache.update(reading)
            return result

        return await guarded_call(self.breaker, once, retry=self.settings.retry, description=f"read {len(names)} tags")

    async def read_history(self, name: str, start: datetime, end: datetime, *, max_values: int = 0) -> list[Reading]:
        """Raw history of one tag (HistoryRead, ReadRawModifiedDetails).

        Parameters
        ----------
        name : str
            Canonical name.
        start, end : datetime
            Time range (UTC, or timezone-aware).
        max_values : int
            Maximum number of values; 0 = all [-].

        Returns
        -------
        list of Reading
            In server order (oldest first).

        Raises
        ------
        RequestRejectedError
            The server keeps no history for this node (e.g. BadHistoryOperationUnsupported).
        """
        (name,) = self._lookup([name])

        async def once() -> list[Reading]:
            await self._ensure_connected()
            if name in self._unresolved:
                raise RequestRejectedError(
                    f"tag '{name}' of {self.service} cannot be resolved: {self._unresolved[name]}",
                    service=self.service,
                    endpoint=self.endpoint,
                )
            node = self._nodes[name]
            try:
                values = await node.read_raw_history(as_utc(start), as_utc(end), numvalues=max_values)
            except Exception as exc:  # every library error is translated by _error
                raise self._error(exc, f"read the history of '{name}'") from exc
            received = utcnow()
            tag_id = node.nodeid.to_string()
            return [reading_from_data_value(self._tags[name], tag_id, dv, received) for dv in values]

        return await guarded_call(self.breaker, once, retry=self.settings.retry, description=f"history of '{name}'")

    # ---- status ------------------------------------------------------------------------

    def stale_limits(self) -> dict[str, float]:
        """Staleness limit per tag name [s]."""
        return {n: t.stale_after_s or self.settings.stale_after_s for n, t in self._tags.items()}

    def status(self) -> dict[str, Any]:
        """Connection state, subscription, last update, breaker and age of each cached value.

        ``connection_state`` is asyncua's client state (``connected``, ``reconnecting``...),
        ``connecting`` while a connect is in progress, ``disconnected`` when none is.
        """
        state = self._client.uaclient.state.value if self._client is not None else "disconnected"
        if self._connecting and state != UaClientState.CONNECTED.value:
            state = UaClientState.CONNECTING.value  # a first connect (or a fresh client) in progress
        return {
            "service": self.service,
            "kind": self.kind,
            "endpoint": self.endpoint,
            "connected": state == UaClientState.CONNECTED.value,
            "connection_state": state,
            "security": f"{self.settings.security_policy}"
            + (f"/{self.settings.security_mode}" if self.settings.security_policy != "None" else ""),
            "subscription_live": self._cache_is_live(),
            "subscription_interval_ms": self.settings.subscription_interval_ms,
            "unresolved_tags": dict(self._unresolved),
            "last_update": self._cache.last_update.isoformat() if self._cache.last_update else None,
            "breaker": self.breaker.snapshot(),
            "tags": self._cache.ages(),
        }
