# SPDX-License-Identifier: MIT
"""Connector settings as strict pydantic v2 models, one per data source.

These models are embedded by the plant-configuration (TOML) loader, so every model forbids
unknown keys (``extra="forbid"``: a typo in the plant file is an error, not a silently ignored
key) and validates values with messages a plant engineer can act on.

Layout (one TOML table per source; the lists are arrays of tables)::

    [opcua]                  OpcUaSettings
      [opcua.breaker]        BreakerSettings (default SCADA)
      [opcua.retry]          RetrySettings
      [[opcua.tags]]         OpcUaTag
    [modbus]                 ModbusSettings (default breaker COOLING_TOWER_PLC)
      [[modbus.registers]]   ModbusRegister
    [historian]              HistorianSettings (default breaker HISTORIAN)
      [[historian.streams]]  HistorianStream
    [weather]                WeatherSettings
      [[weather.fields]]     WeatherField
    [cmms]                   CmmsSettings

Secrets (passwords, API keys, tokens) are :class:`pydantic.SecretStr` so they never appear in
``repr``, logs or request previews.

References
----------
Circuit-breaker presets: CONDENSYNC original design, "Circuit Breaker Configuration" table
(SCADA/DCS 5 failures, 30 s, 60 s; Historian 3, 60 s, 120 s; Cooling Tower PLC 5, 10 s, 30 s;
3 successful test calls in half-open).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

__all__ = [
    "BreakerSettings",
    "RetrySettings",
    "SCADA",
    "DCS",
    "HISTORIAN",
    "COOLING_TOWER_PLC",
    "CMMS",
    "WEATHER",
    "OpcUaTag",
    "OpcUaSettings",
    "ModbusRegister",
    "ModbusSettings",
    "HistorianStream",
    "HistorianSettings",
    "WeatherField",
    "WeatherSettings",
    "CmmsSettings",
]

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_SERVICE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")


class _Strict(BaseModel):
    """Base: unknown keys are errors; instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_name(value: str) -> str:
    if not _NAME_RE.match(value):
        raise ValueError(
            f"measurement name {value!r} must be snake_case (lower-case letters, digits and "
            "underscores, starting with a letter), e.g. 'cw_inlet_temp'"
        )
    return value


def _check_service(value: str) -> str:
    if not _SERVICE_RE.match(value):
        raise ValueError(
            f"service name {value!r} may contain only letters, digits and '_', '.', ':', '-' "
            "(it names the circuit breaker in status reports), e.g. 'scada'"
        )
    return value


def _check_unique(names: list[str], what: str) -> None:
    dupes = sorted(name for name, n in Counter(names).items() if n > 1)
    if dupes:
        raise ValueError(f"{what} names must be unique; repeated: {', '.join(dupes)}")


def _check_url(value: str, schemes: tuple[str, ...], example: str) -> str:
    if not value.startswith(schemes):
        raise ValueError(f"{value!r} must start with {' or '.join(schemes)}, e.g. {example!r}")
    return value


# --------------------------------------------------------------------------------------
# Resilience
# --------------------------------------------------------------------------------------


class BreakerSettings(_Strict):
    """Circuit-breaker settings for one service.

    Parameters
    ----------
    fail_max : int
        Consecutive failed calls that open the breaker [-].
    call_timeout_s : float
        Upper bound on one logical call including its retries [s].
    reset_timeout_s : float
        Time the breaker stays open before it lets trial calls through (half-open) [s].
    success_threshold : int
        Successful trial calls in half-open that close the breaker again [-].
    half_open_max_calls : int
        Trial calls allowed in flight at once while half-open; further calls fail fast [-].
    """

    fail_max: int = Field(5, ge=1, le=1000, description="failures that open the breaker [-]")
    call_timeout_s: float = Field(30.0, gt=0, le=3600, description="timeout of one logical call [s]")
    reset_timeout_s: float = Field(60.0, gt=0, le=86400, description="open time before half-open [s]")
    success_threshold: int = Field(3, ge=1, le=100, description="half-open successes that close it [-]")
    half_open_max_calls: int = Field(1, ge=1, le=100, description="concurrent half-open trial calls [-]")


#: SCADA connection (OPC UA): 5 failures, 30 s call timeout, 60 s recovery.
SCADA = BreakerSettings(fail_max=5, call_timeout_s=30.0, reset_timeout_s=60.0, success_threshold=3)
#: DCS connection (OPC UA): same as SCADA.
DCS = SCADA
#: Historian (PI Web API): 3 failures, 60 s call timeout, 120 s recovery.
HISTORIAN = BreakerSettings(fail_max=3, call_timeout_s=60.0, reset_timeout_s=120.0, success_threshold=3)
#: Cooling-tower / CW-pump PLC (Modbus TCP): 5 failures, 10 s call timeout, 30 s recovery.
COOLING_TOWER_PLC = BreakerSettings(fail_max=5, call_timeout_s=10.0, reset_timeout_s=30.0, success_threshold=3)
#: CMMS (Maximo / SAP PM): not in the original table; the historian values (enterprise HTTP).
CMMS = HISTORIAN
#: Weather API: not in the original table; the historian values (external HTTP).
WEATHER = HISTORIAN


class RetrySettings(_Strict):
    """Retry policy for idempotent reads (exponential backoff with jitter).

    Parameters
    ----------
    attempts : int
        Total attempts of one logical read, the first included; 1 disables retries [-].
    backoff_initial_s : float
        Wait before the second attempt; doubles each retry [s].
    backoff_max_s : float
        Cap on one wait [s].
    jitter_s : float
        Random extra wait in ``[0, jitter_s]`` added to each wait [s].
    """

    attempts: int = Field(3, ge=1, le=10)
    backoff_initial_s: float = Field(0.2, ge=0, le=60)
    backoff_max_s: float = Field(5.0, ge=0, le=600)
    jitter_s: float = Field(0.2, ge=0, le=60)


def _check_timeout_vs_breaker(timeout_s: float, breaker: BreakerSettings, what: str) -> None:
    if timeout_s > breaker.call_timeout_s:
        raise ValueError(
            f"{what} timeout_s = {timeout_s} s exceeds breaker.call_timeout_s = "
            f"{breaker.call_timeout_s} s: every slow request would be cut by the breaker's call "
            "timeout; lower timeout_s or raise breaker.call_timeout_s"
        )


# --------------------------------------------------------------------------------------
# OPC UA
# --------------------------------------------------------------------------------------


class OpcUaTag(_Strict):
    """One OPC UA variable mapped to a canonical measurement name.

    Give exactly one of ``node_id`` or ``browse_path``.

    Parameters
    ----------
    name : str
        Canonical measurement name, e.g. ``"condenser_pressure"``.
    node_id : str, optional
        OPC UA node id string: ``"ns=2;s=Condenser.VacuumPressure"``, ``"ns=2;i=1001"``, or
        namespace-URI form ``"nsu=urn:plant:condenser;s=Condenser.VacuumPressure"`` (the index
        is looked up on connect, so it survives server namespace re-ordering).
    browse_path : str, optional
        Browse path below the Objects folder, elements ``"<ns index>:<BrowseName>"`` separated
        by ``/``, e.g. ``"2:Condenser/2:VacuumPressure_kPa"``.
    unit : str
        Engineering unit of the value as the server delivers it, e.g. ``"kPa"``.
    stale_after_s : float, optional
        Per-tag staleness limit; defaults to ``OpcUaSettings.stale_after_s`` [s].
    """

    name: str
    node_id: str | None = None
    browse_path: str | None = None
    unit: str = Field(min_length=1)
    stale_after_s: float | None = Field(None, gt=0)

    _n = field_validator("name")(_check_name)

    @field_validator("node_id")
    @classmethod
    def _node_id_form(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^(ns=\d+;|nsu=[^;]+;)?[isgb]=.+$", v):
            raise ValueError(
                f"node_id {v!r} is not an OPC UA node id; use 'ns=<index>;s=<name>', "
                "'ns=<index>;i=<number>' or 'nsu=<namespace uri>;s=<name>'"
            )
        return v

    @field_validator("browse_path")
    @classmethod
    def _browse_path_form(cls, v: str | None) -> str | None:
        if v is not None:
            for part in v.split("/"):
                if not re.match(r"^\d+:.+$", part):
                    raise ValueError(
                        f"browse_path element {part!r} in {v!r} must be '<namespace index>:<BrowseName>', "
                        "e.g. '2:Condenser/2:VacuumPressure_kPa'"
                    )
        return v

    @model_validator(mode="after")
    def _one_address(self) -> OpcUaTag:
        if (self.node_id is None) == (self.browse_path is None):
            raise ValueError(f"tag {self.name!r}: give exactly one of node_id or browse_path")
        return self


class OpcUaSettings(_Strict):
    """Connection to one OPC UA server (SCADA or DCS).

    Parameters
    ----------
    service : str
        Service name; names the circuit breaker in status reports.
    endpoint : str
        Server endpoint URL, ``opc.tcp://host:port/path``.
    security_policy : {"None", "Basic256Sha256"}
        ``Basic256Sha256`` needs ``certificate`` and ``private_key``.
    security_mode : {"Sign", "SignAndEncrypt"}
        Message security mode with Basic256Sha256.
    certificate, private_key : Path, optional
        Client application instance certificate (DER or PEM) and its private key (PEM).
    private_key_password : SecretStr, optional
        Password of an encrypted private key.
    server_certificate : Path, optional
        Server certificate; when omitted it is taken from the server's endpoint list.
    application_uri : str, optional
        Client application URI; must equal the URI SAN of ``certificate``.
    username, password : optional
        User identity; anonymous when omitted.
    timeout_s : float
        Timeout of one OPC UA request [s].
    subscription_interval_ms : int
        Publishing interval of the data-change subscription [ms] (original design: 5 s).
    subscribe : bool
        Keep the tags in a subscription-fed cache; when False every read goes to the server.
    stale_after_s : float
        Default staleness limit of a value (age of its source timestamp) [s].
    reconnect_max_delay_s : float
        Cap on the back-off between automatic reconnect attempts [s].
    breaker : BreakerSettings
        Default :data:`SCADA`.
    retry : RetrySettings
        Retry policy for reads.
    tags : list of OpcUaTag
        The variables to read.
    """

    service: str = "scada"
    endpoint: str
    security_policy: Literal["None", "Basic256Sha256"] = "None"
    security_mode: Literal["Sign", "SignAndEncrypt"] = "SignAndEncrypt"
    certificate: Path | None = None
    private_key: Path | None = None
    private_key_password: SecretStr | None = None
    server_certificate: Path | None = None
    application_uri: str | None = None
    username: str | None = None
    password: SecretStr | None = None
    timeout_s: float = Field(4.0, gt=0, le=600)
    subscription_interval_ms: int = Field(5000, ge=50, le=3_600_000)
    subscribe: bool = True
    stale_after_s: float = Field(60.0, gt=0)
    reconnect_max_delay_s: float = Field(30.0, gt=0, le=3600)
    breaker: BreakerSettings = SCADA
    retry: RetrySettings = RetrySettings()
    tags: list[OpcUaTag] = Field(default_factory=list)

    _s = field_validator("service")(_check_service)

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, v: str) -> str:
        return _check_url(v, ("opc.tcp://",), "opc.tcp://10.0.0.5:4840/scada")

    @model_validator(mode="after")
    def _consistent(self) -> OpcUaSettings:
        if self.security_policy == "Basic256Sha256" and (self.certificate is None or self.private_key is None):
            raise ValueError(
                "security_policy 'Basic256Sha256' needs both 'certificate' and 'private_key' "
                "(the client's application instance certificate and its key)"
            )
        if (self.username is None) != (self.password is None):
            raise ValueError("give both 'username' and 'password', or neither (anonymous login)")
        _check_timeout_vs_breaker(self.timeout_s, self.breaker, "OPC UA")
        _check_unique([t.name for t in self.tags], "OPC UA tag")
        return self


# --------------------------------------------------------------------------------------
# Modbus TCP
# --------------------------------------------------------------------------------------


class ModbusRegister(_Strict):
    """One holding-register value mapped to a canonical measurement name.

    Parameters
    ----------
    name : str
        Canonical measurement name, e.g. ``"ct_outlet_temp"``.
    address : int
        Holding-register reference number, 4xxxx (40001-49999) or 4xxxxx (400001-465536);
        the PDU address sent on the wire is ``address - 40001`` (or ``- 400001``).
    type : {"float32", "uint16", "int16"}
        float32 occupies two registers; the word order is the device's ``word_order``.
    scale : float
        Multiplier applied to the raw number, e.g. 0.1 when the PLC sends tenths.
    unit : str
        Engineering unit after scaling, e.g. ``"degC"``.
    device_id : int, optional
        Modbus unit id if it differs from the connection's ``device_id``.
    stale_after_s : float, optional
        Per-register staleness limit; defaults to ``ModbusSettings.stale_after_s`` [s].
    """

    name: str
    address: int
    type: Literal["float32", "uint16", "int16"]
    scale: float = 1.0
    unit: str = Field(min_length=1)
    device_id: int | None = Field(None, ge=0, le=255)
    stale_after_s: float | None = Field(None, gt=0)

    _n = field_validator("name")(_check_name)

    @field_validator("address")
    @classmethod
    def _holding_register(cls, v: int) -> int:
        if not (40001 <= v <= 49999 or 400001 <= v <= 465536):
            raise ValueError(
                f"address {v} is not a holding-register reference; use 40001-49999 "
                "(or 400001-465536), e.g. 40001 for the first holding register"
            )
        return v

    @field_validator("scale")
    @classmethod
    def _scale_nonzero(cls, v: float) -> float:
        if v == 0:
            raise ValueError("scale must not be 0 (use 1 when the register holds engineering units)")
        return v

    @property
    def pdu_address(self) -> int:
        """0-based protocol address sent on the wire [-]."""
        return self.address - (40001 if self.address <= 49999 else 400001)

    @property
    def count(self) -> int:
        """Number of 16-bit registers the value occupies [-]."""
        return 2 if self.type == "float32" else 1


class ModbusSettings(_Strict):
    """Connection to one Modbus TCP device or gateway (cooling-tower / CW-pump PLC).

    Parameters
    ----------
    service : str
        Service name; names the circuit breaker.
    host : str
        PLC or gateway host name / IP address.
    port : int
        TCP port, 502 by default.
    device_id : int
        Modbus unit id (``device_id=`` in pymodbus >= 3.10).
    timeout_s : float
        Timeout of one Modbus request [s].
    poll_interval_s : float
        Interval of the background poll that feeds the cache [s].
    word_order : {"big", "little"}
        Order of the two 16-bit words of a float32: ``big`` = ABCD (high word first),
        ``little`` = CDAB. Bytes inside a register are always big-endian.
    stale_after_s : float
        Default staleness limit [s].
    max_block_registers : int
        Longest block read in one request (Modbus limit 125) [-].
    breaker : BreakerSettings
        Default :data:`COOLING_TOWER_PLC`.
    retry : RetrySettings
        Retry policy for reads.
    registers : list of ModbusRegister
        The values to read.
    """

    service: str = "cooling_tower_plc"
    host: str = Field(min_length=1)
    port: int = Field(502, ge=1, le=65535)
    device_id: int = Field(1, ge=0, le=255)
    timeout_s: float = Field(1.0, gt=0, le=600)
    poll_interval_s: float = Field(5.0, gt=0, le=86400)
    word_order: Literal["big", "little"] = "big"
    stale_after_s: float = Field(60.0, gt=0)
    max_block_registers: int = Field(125, ge=1, le=125)
    breaker: BreakerSettings = COOLING_TOWER_PLC
    retry: RetrySettings = RetrySettings()
    registers: list[ModbusRegister] = Field(default_factory=list)

    _s = field_validator("service")(_check_service)

    @model_validator(mode="after")
    def _consistent(self) -> ModbusSettings:
        _check_timeout_vs_breaker(self.timeout_s, self.breaker, "Modbus")
        _check_unique([r.name for r in self.registers], "Modbus register")
        spans: list[tuple[int, int, int, str]] = sorted(
            (r.device_id if r.device_id is not None else self.device_id, r.pdu_address, r.count, r.name)
            for r in self.registers
        )
        for (dev_a, addr_a, n_a, name_a), (dev_b, addr_b, _, name_b) in zip(spans, spans[1:], strict=False):
            if dev_a == dev_b and addr_b < addr_a + n_a:
                raise ValueError(
                    f"registers {name_a!r} and {name_b!r} overlap on device {dev_a} (a float32 occupies two registers)"
                )
        return self


# --------------------------------------------------------------------------------------
# HTTP: historian, weather, CMMS
# --------------------------------------------------------------------------------------


class _HttpAuth(_Strict):
    auth: Literal["none", "basic", "bearer"] = "none"
    username: str | None = None
    password: SecretStr | None = None
    token: SecretStr | None = None

    def _check_auth(self) -> None:
        if self.auth == "basic" and (self.username is None or self.password is None):
            raise ValueError("auth 'basic' needs 'username' and 'password'")
        if self.auth == "bearer" and self.token is None:
            raise ValueError("auth 'bearer' needs 'token'")


class HistorianStream(_Strict):
    """One PI Web API stream (PI point or AF attribute) mapped to a canonical name.

    Parameters
    ----------
    name : str
        Canonical measurement name.
    web_id : str
        PI Web API WebId of the point or attribute.
    unit : str
        Engineering unit; used when the item carries no ``UnitsAbbreviation``.
    stale_after_s : float, optional
        Per-stream staleness limit [s].
    """

    name: str
    web_id: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    stale_after_s: float | None = Field(None, gt=0)

    _n = field_validator("name")(_check_name)


class HistorianSettings(_HttpAuth):
    """Connection to an AVEVA/OSIsoft PI Web API historian.

    Parameters
    ----------
    service : str
        Service name; names the circuit breaker.
    base_url : str
        PI Web API root, e.g. ``https://pi.plant.local/piwebapi``.
    auth : {"none", "basic", "bearer"}
        Authentication; Kerberos is not supported.
    username, password, token : optional
        Credentials for ``basic`` / ``bearer``.
    verify_tls : bool or Path
        Verify the server certificate (True), not (False), or against a CA bundle file.
    timeout_s : float
        Timeout of one HTTP request [s].
    max_count : int
        ``maxCount`` of recorded-value queries [-].
    stale_after_s : float
        Default staleness limit [s].
    breaker : BreakerSettings
        Default :data:`HISTORIAN`.
    retry : RetrySettings
        Retry policy for reads.
    streams : list of HistorianStream
        The streams to read.
    """

    service: str = "historian"
    base_url: str
    verify_tls: bool | Path = True
    timeout_s: float = Field(10.0, gt=0, le=600)
    max_count: int = Field(1000, ge=1, le=150000)
    stale_after_s: float = Field(900.0, gt=0)
    breaker: BreakerSettings = HISTORIAN
    retry: RetrySettings = RetrySettings()
    streams: list[HistorianStream] = Field(default_factory=list)

    _s = field_validator("service")(_check_service)

    @field_validator("base_url")
    @classmethod
    def _url(cls, v: str) -> str:
        return _check_url(v, ("http://", "https://"), "https://pi.plant.local/piwebapi").rstrip("/")

    @model_validator(mode="after")
    def _consistent(self) -> HistorianSettings:
        self._check_auth()
        _check_timeout_vs_breaker(self.timeout_s, self.breaker, "historian")
        _check_unique([s.name for s in self.streams], "historian stream")
        return self


class WeatherField(_Strict):
    """Where one weather quantity sits in the source's JSON reply.

    Parameters
    ----------
    name : str
        Canonical measurement name, e.g. ``"wet_bulb_temp"``.
    path : str
        Dotted path into the JSON object, e.g. ``"current.wet_bulb_c"``.
    unit : str
        Unit of the value at that path.
    """

    name: str
    path: str = Field(min_length=1)
    unit: str = Field(min_length=1)

    _n = field_validator("name")(_check_name)


def _default_weather_fields() -> list[WeatherField]:
    return [
        WeatherField(name="wet_bulb_temp", path="wet_bulb_c", unit="degC"),
        WeatherField(name="dry_bulb_temp", path="dry_bulb_c", unit="degC"),
        WeatherField(name="relative_humidity", path="relative_humidity_pct", unit="%"),
    ]


class WeatherSettings(_Strict):
    """An HTTP GET-JSON weather source (site weather station or weather API).

    Parameters
    ----------
    service : str
        Service name; names the circuit breaker.
    url : str
        Full URL of the GET request (query parameters included).
    api_key : SecretStr, optional
        Sent in header ``api_key_header`` (original design: ``X-API-Key``).
    timestamp_path : str, optional
        Dotted path of the observation time (ISO 8601) in the reply; when missing the time
        of receipt is used.
    fields : list of WeatherField
        Quantities to extract; default wet bulb, dry bulb (degC) and RH (%).
    poll_interval_s : float
        A cached value younger than this is returned without a request (original design:
        15 min) [s].
    stale_after_s : float
        Staleness limit of the last good value [s].
    """

    service: str = "weather"
    url: str
    api_key: SecretStr | None = None
    api_key_header: str = "X-API-Key"
    timestamp_path: str | None = "timestamp"
    fields: list[WeatherField] = Field(default_factory=_default_weather_fields)
    verify_tls: bool | Path = True
    timeout_s: float = Field(10.0, gt=0, le=600)
    poll_interval_s: float = Field(900.0, ge=0)
    stale_after_s: float = Field(3600.0, gt=0)
    breaker: BreakerSettings = WEATHER
    retry: RetrySettings = RetrySettings()

    _s = field_validator("service")(_check_service)

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        return _check_url(v, ("http://", "https://"), "https://weather.plant.local/api/current")

    @model_validator(mode="after")
    def _consistent(self) -> WeatherSettings:
        _check_timeout_vs_breaker(self.timeout_s, self.breaker, "weather")
        _check_unique([f.name for f in self.fields], "weather field")
        return self


class CmmsSettings(_HttpAuth):
    """Work-order system: IBM Maximo (OSLC REST) or SAP S/4HANA PM (OData V2).

    Creating work orders is off unless ``enabled`` is true; previews (``dry_run``) always work.

    Parameters
    ----------
    kind : {"maximo", "sap_pm"}
        The system.
    base_url : str
        Server root, e.g. ``https://maximo.plant.local`` (the client appends
        ``/maximo/oslc/os/mxwo``) or ``https://s4.plant.local`` (appends
        ``/sap/opu/odata/sap/API_MAINTNOTIFICATION``).
    enabled : bool
        Allow creating work orders (default False).
    apikey : SecretStr, optional
        Maximo API key, sent in the ``apikey`` header.
    auth, username, password, token : optional
        HTTP authentication (SAP: usually ``basic``).
    site_id : str, optional
        Maximo ``siteid``.
    maximo_object_structure : str
        Maximo object structure path below ``/maximo/oslc/os/`` (``mxwo``; MAS: ``mxapiwo``).
    maximo_key_field : str
        Work-order attribute holding the idempotency key (``externalrefid``).
    sap_client : str, optional
        ``sap-client`` query parameter (on-premise), e.g. ``"100"``.
    sap_notification_type : str
        ``NotificationType``, e.g. ``"M1"``.
    sap_key_field : str
        Notification property holding the idempotency key (``MaintNotifExtReferenceNumber``).
    record_path : Path, optional
        JSON-lines file that keeps the local record of created work orders across restarts.
    timeout_s : float
        Timeout of one HTTP request [s].
    breaker : BreakerSettings
        Default :data:`CMMS`.
    retry : RetrySettings
        Retry policy for the read-only look-ups (never applied to the create).
    """

    service: str = "cmms"
    kind: Literal["maximo", "sap_pm"]
    base_url: str
    enabled: bool = False
    apikey: SecretStr | None = None
    site_id: str | None = None
    maximo_object_structure: str = "mxwo"
    maximo_key_field: str = "externalrefid"
    sap_client: str | None = Field(None, pattern=r"^\d{3}$")
    sap_notification_type: str = "M1"
    sap_key_field: str = "MaintNotifExtReferenceNumber"
    record_path: Path | None = None
    verify_tls: bool | Path = True
    timeout_s: float = Field(30.0, gt=0, le=600)
    breaker: BreakerSettings = CMMS
    retry: RetrySettings = RetrySettings()

    _s = field_validator("service")(_check_service)

    @field_validator("base_url")
    @classmethod
    def _url(cls, v: str) -> str:
        return _check_url(v, ("http://", "https://"), "https://maximo.plant.local").rstrip("/")

    @field_validator("maximo_key_field", "sap_key_field", "maximo_object_structure")
    @classmethod
    def _identifier(cls, v: str) -> str:
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", v):
            raise ValueError(f"{v!r} must be a plain field / object-structure name (letters, digits, '_')")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> CmmsSettings:
        self._check_auth()
        if self.kind == "maximo" and self.site_id is None:
            raise ValueError("kind 'maximo' needs 'site_id' (the Maximo siteid work orders are filed under)")
        if self.kind == "maximo" and self.apikey is None and self.auth == "none":
            raise ValueError("kind 'maximo' needs 'apikey' (or auth 'basic'/'bearer')")
        _check_timeout_vs_breaker(self.timeout_s, self.breaker, "CMMS")
        return self
