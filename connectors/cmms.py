# SPDX-License-Identifier: MIT
"""Work-order client for IBM Maximo (OSLC REST) and SAP S/4HANA PM (OData V2).

Creating a work order is **destructive** (it files something people will act on), so:

- ``dry_run=True`` builds and returns the exact request that would be sent (method, URL,
  headers with secrets masked, JSON body) and sends nothing.
- Creation is refused unless ``CmmsSettings.enabled`` is true.
- Every request carries an **idempotency key**, written into the work order itself
  (Maximo: ``externalrefid`` and the long description; SAP: ``MaintNotifExtReferenceNumber``
  and the long text). Before creating, the client looks the key up in its local record
  (a second call with the same key returns the first result) and then in the CMMS.
- The create (POST) is **never retried blindly**. If it fails without a definite answer
  (timeout, dropped connection, HTTP 5xx), the key is looked up before anything else: found
  means it was created; not found means it was not, and the error says a retry with the
  same key is safe. The one automatic re-send is SAP's CSRF refusal (HTTP 403 with
  ``x-csrf-token: Required``), which proves nothing was created.

Requests
--------
Maximo: ``POST /maximo/oslc/os/mxwo?lean=1`` with header ``apikey``, reply 201 + ``Location``;
look-up ``GET /maximo/oslc/os/mxwo?lean=1&oslc.where=externalrefid="<key>"``.

SAP PM: ``GET /sap/opu/odata/sap/API_MAINTNOTIFICATION/MaintenanceNotification?$filter=
MaintNotifExtReferenceNumber eq '<key>'`` with ``x-csrf-token: Fetch`` (look-up and token in
one request; the session cookies are kept), then ``POST .../MaintenanceNotification`` with
the token; reply 201 ``{"d": {"MaintenanceNotification": "..."}}``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field

from .http import HttpService, redact_headers
from .settings import CmmsSettings
from .types import CircuitOpenError, ConnectorError, ConnectorUnavailable, RequestRejectedError

__all__ = [
    "WorkOrderRequest",
    "RequestPreview",
    "WorkOrderResult",
    "ExistingWorkOrder",
    "CmmsClient",
    "WorkOrdersDisabledError",
    "WorkOrderOutcomeUnknownError",
    "idempotency_key_for",
]

log = logging.getLogger(__name__)

_KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{3,39}$"
_SAP_ROOT = "sap/opu/odata/sap/API_MAINTNOTIFICATION/MaintenanceNotification"


def idempotency_key_for(*parts: str) -> str:
    """Deterministic idempotency key from the parts that identify one finding.

    Parameters
    ----------
    *parts : str
        E.g. condenser id, finding type and the date it was found.

    Returns
    -------
    str
        ``"CSY-"`` + 16 hex digits (20 characters), the same for the same parts.
    """
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"CSY-{digest[:16].upper()}"


class WorkOrderRequest(BaseModel):
    """What to file.

    Parameters
    ----------
    title : str
        Short text (Maximo ``description`` ≤ 100 characters; SAP ``NotificationText`` is cut
        to 40).
    description : str
        Long text: the finding, its numbers and the recommended action.
    asset : str, optional
        Maximo ``assetnum`` / SAP equipment.
    location : str, optional
        Maximo ``location`` / SAP functional location (used when no asset is given).
    priority : int, optional
        1 (highest) to 5; Maximo ``wopriority``, SAP ``MaintPriority``.
    work_type : str, optional
        Maximo ``worktype`` (e.g. ``"CM"``); SAP uses ``CmmsSettings.sap_notification_type``.
    idempotency_key : str
        4-40 characters ``[A-Za-z0-9_.:-]``; see :func:`idempotency_key_for`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1, max_length=100)
    description: str = Field(min_length=1, max_length=4000)
    asset: str | None = Field(None, min_length=1, max_length=40)
    location: str | None = Field(None, min_length=1, max_length=40)
    priority: int | None = Field(None, ge=1, le=5)
    work_type: str | None = Field(None, min_length=1, max_length=10)
    idempotency_key: str = Field(pattern=_KEY_PATTERN)


class RequestPreview(BaseModel):
    """An HTTP request as it would be (or was) sent; secrets are masked as ``***``."""

    method: str
    url: str
    headers: dict[str, str]
    body: dict[str, Any] | None


class WorkOrderResult(BaseModel):
    """Outcome of :meth:`CmmsClient.create_work_order`.

    Attributes
    ----------
    dry_run : bool
        True: nothing was sent; ``request`` shows what would be.
    system : {"maximo", "sap_pm"}
        The CMMS.
    request : RequestPreview
        The create request (as sent, or as it would be sent).
    work_order_id : str or None
        Maximo ``wonum`` / SAP notification number.
    status : str
        ``"preview"``, ``"created"``, ``"created (confirmed by look-up after ...)"``,
        ``"duplicate (local record)"``, ``"duplicate (found in CMMS)"``.
    created : bool
        This call created the work order.
    duplicate_of : str or None
        Id of the existing work order with the same key, when not created by this call.
    idempotency_key : str
        The key.
    location : str or None
        URL of the created record (``Location`` header), when known.
    """

    dry_run: bool
    system: Literal["maximo", "sap_pm"]
    request: RequestPreview
    work_order_id: str | None = None
    status: str
    created: bool = False
    duplicate_of: str | None = None
    idempotency_key: str
    location: str | None = None


class WorkOrdersDisabledError(RequestRejectedError):
    """Work-order creation is switched off in the plant configuration."""


class WorkOrderOutcomeUnknownError(ConnectorError):
    """The create may or may not have reached the CMMS and the look-up failed too."""


class ExistingWorkOrder(BaseModel):
    """A work order found in the CMMS by its idempotency key."""

    work_order_id: str
    status: str = ""
    location: str | None = None


class _LocalRecord:
    """Created work orders by idempotency key, optionally persisted as JSON lines."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._results: dict[str, WorkOrderResult] = {}
        if path is not None and path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    result = WorkOrderResult.model_validate_json(line)
                    self._results[result.idempotency_key] = result

    def get(self, key: str) -> WorkOrderResult | None:
        return self._results.get(key)

    def put(self, result: WorkOrderResult) -> None:
        self._results[result.idempotency_key] = result
        if self._path is not None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with self._path.open("a", encoding="utf-8") as fh:
                fh.write(result.model_dump_json() + "\n")


class CmmsClient:
    """Files work orders in Maximo or SAP PM, at most once per idempotency key.

    Parameters
    ----------
    settings : CmmsSettings
        System, URL, credentials, ``enabled`` switch, key fields, record file.
    breaker_clock : callable, optional
        Monotonic clock for the circuit breaker (tests).

    Examples
    --------
    >>> req = WorkOrderRequest(title="Condenser CF 0.71: clean tubes", description="...",
    ...                        asset="COND-1", priority=2,
    ...                        idempotency_key=idempotency_key_for("COND-1", "fouling", "2025-01-15"))
    >>> async with CmmsClient(settings) as cmms:                # doctest: +SKIP
    ...     preview = await cmms.create_work_order(req, dry_run=True)
    """

    def __init__(self, settings: CmmsSettings, *, breaker_clock: Callable[[], float] | None = None) -> None:
        self.settings = settings
        self.service = settings.service
        apikey = {"apikey": settings.apikey.get_secret_value()} if settings.apikey is not None else {}
        self.http = HttpService.from_settings(settings, base_url=settings.base_url, headers=apikey, clock=breaker_clock)
        self._record = _LocalRecord(settings.record_path)
        self._locks: dict[str, asyncio.Lock] = {}
        self._csrf_token: str | None = None

    async def __aenter__(self) -> CmmsClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self.http.aclose()

    # ---- request building --------------------------------------------------------------

    def _long_text(self, request: WorkOrderRequest) -> str:
        return f"{request.description}\n\n[CONDENSYNC idempotency key: {request.idempotency_key}]"

    def _base_params(self) -> dict[str, str]:
        if self.settings.kind == "maximo":
            return {"lean": "1"}
        return {"sap-client": self.settings.sap_client} if self.settings.sap_client else {}

    def _create_path(self) -> str:
        if self.settings.kind == "maximo":
            return f"maximo/oslc/os/{self.settings.maximo_object_structure}"
        return _SAP_ROOT

    def _create_body(self, request: WorkOrderRequest) -> dict[str, Any]:
        s = self.settings
        body: dict[str, Any]
        if s.kind == "maximo":
            body = {
                "siteid": s.site_id,
                "description": request.title,
                "description_longdescription": self._long_text(request),
                "assetnum": request.asset,
                "location": request.location,
                "worktype": request.work_type,
                "wopriority": request.priority,
                s.maximo_key_field: request.idempotency_key,
            }
        else:
            technical_object, kind = (request.asset, "EAMS_EQUI") if request.asset else (request.location, "EAMS_FL")
            body = {
                "NotificationText": request.title[:40].rstrip(),
                "NotificationType": s.sap_notification_type,
                "MaintNotifLongTextForEdit": self._long_text(request),
                "TechnicalObject": technical_object,
                "TechObjIsEquipOrFuncnlLoc": kind if technical_object else None,
                "MaintPriority": str(request.priority) if request.priority else None,
                s.sap_key_field: request.idempotency_key,
            }
        return {k: v for k, v in body.items() if v is not None}

    def _create_headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.settings.kind == "maximo":
            headers["properties"] = f"wonum,workorderid,status,{self.settings.maximo_key_field}"
        else:
            headers["x-csrf-token"] = self._csrf_token or "<fetched before sending>"
        return headers

    def preview(self, request: WorkOrderRequest) -> RequestPreview:
        """The create request for ``request``, exactly as it would be sent (secrets masked)."""
        headers = redact_headers({**self.http.default_headers, **self._create_headers()})
        if self.settings.auth == "basic":
            headers["Authorization"] = "Basic ***"
        if self.settings.kind == "sap_pm":
            headers["x-csrf-token"] = "<fetched before sending>"
            headers["Cookie"] = "<session cookies from the token fetch>"
        return RequestPreview(
            method="POST",
            url=self.http.url(self._create_path(), self._base_params()),
            headers=headers,
            body=self._create_body(request),
        )

    # ---- look-up -----------------------------------------------------------------------

    async def find_by_key(self, key: str) -> ExistingWorkOrder | None:
        """Look ``key`` up in the CMMS (idempotent, retried); None when no record has it."""
        s = self.settings
        if s.kind == "maximo":
            params = {
                **self._base_params(),
                "oslc.where": f'{s.maximo_key_field}="{key}"',
                "oslc.select": f"wonum,workorderid,status,{s.maximo_key_field}",
            }
            payload = await self.http.get_json(
                self._create_path(), params=params, description=f"look up work order with key {key}"
            )
            members = payload.get("member", []) if isinstance(payload, Mapping) else []
            if not members:
                return None
            first = members[0]
            return ExistingWorkOrder(
                work_order_id=str(first.get("wonum") or first.get("workorderid")),
                status=str(first.get("status", "")),
                location=first.get("href"),
            )
        params = {
            **self._base_params(),
            "$filter": f"{s.sap_key_field} eq '{key}'",
            "$top": "1",
            "$format": "json",
        }
        response = await self.http.request(
            "GET",
            _SAP_ROOT,
            params=params,
            headers={"x-csrf-token": "Fetch"},
            idempotent=True,
            description=f"look up notification with key {key}",
        )
        self._csrf_token = response.headers.get("x-csrf-token") or self._csrf_token
        payload = self.http.decode_json(response, "notification look-up")
        results = payload.get("d", {}).get("results", []) if isinstance(payload, Mapping) else []
        if not results:
            return None
        first = results[0]
        return ExistingWorkOrder(
            work_order_id=str(first.get("MaintenanceNotification")),
            status=str(first.get("NotifProcessingPhase", "")),
            location=first.get("__metadata", {}).get("uri"),
        )

    # ---- create ------------------------------------------------------------------------

    async def _post(self, request: WorkOrderRequest) -> httpx.Response:
        kwargs = {
            "params": self._base_params(),
            "json": self._create_body(request),
            "idempotent": False,
            "description": f"create work order {request.idempotency_key}",
        }
        if self.settings.kind == "sap_pm" and self._csrf_token is None:
            await self.find_by_key(request.idempotency_key)  # fetches the token
        try:
            return await self.http.request("POST", self._create_path(), headers=self._create_headers(), **kwargs)
        except RequestRejectedError as exc:
            # SAP refuses a stale CSRF token with 403 + "x-csrf-token: Required": nothing was
            # created, so fetching a new token and sending once more is safe.
            if (
                self.settings.kind == "sap_pm"
                and exc.status_code == 403
                and any(k.lower() == "x-csrf-token" and v.lower() == "required" for k, v in exc.headers.items())
            ):
                log.info("cmms %s: CSRF token expired; fetching a new one", self.service)
                self._csrf_token = None
                await self.find_by_key(request.idempotency_key)
                return await self.http.request("POST", self._create_path(), headers=self._create_headers(), **kwargs)
            raise

    def _created_id(self, response: httpx.Response) -> tuple[str | None, str]:
        payload: Any = None
        if response.content:
            payload = self.http.decode_json(response, "create reply")
        if self.settings.kind == "maximo":
            data = payload if isinstance(payload, Mapping) else {}
            wonum = data.get("wonum")
            location = response.headers.get("location", "")
            return (str(wonum) if wonum else location.rstrip("/").rsplit("/", 1)[-1] or None), str(
                data.get("status", "")
            )
        d = payload.get("d", {}) if isinstance(payload, Mapping) else {}
        notif = d.get("MaintenanceNotification")
        return (str(notif) if notif else None), str(d.get("NotifProcessingPhase", ""))

    async def create_work_order(self, request: WorkOrderRequest, *, dry_run: bool = False) -> WorkOrderResult:
        """File a work order (Maximo) or maintenance notification (SAP PM), at most once per key.

        Parameters
        ----------
        request : WorkOrderRequest
            What to file, with its idempotency key.
        dry_run : bool
            Build and return the request without sending anything (no look-up either).

        Returns
        -------
        WorkOrderResult
            ``created=True`` when this call filed it; for a key already filed (local record
            or CMMS look-up) ``created=False`` and ``duplicate_of`` = the existing id.

        Raises
        ------
        WorkOrdersDisabledError
            ``CmmsSettings.enabled`` is false (and ``dry_run`` is false).
        RequestRejectedError
            The CMMS refused the request (HTTP 4xx): nothing was filed.
        ConnectorUnavailable, CircuitOpenError
            CMMS unreachable before anything was sent (or the create definitely did not land).
        WorkOrderOutcomeUnknownError
            The create failed ambiguously and the look-up failed too: call again later with
            the same key (the call looks the key up before creating).
        """
        key = request.idempotency_key
        preview = self.preview(request)
        common = {"system": self.settings.kind, "request": preview, "idempotency_key": key}
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            recorded = self._record.get(key)
            if dry_run:
                return WorkOrderResult(
                    dry_run=True,
                    status="preview" + (" (already filed)" if recorded else ""),
                    duplicate_of=recorded.work_order_id if recorded else None,
                    **common,
                )
            if recorded is not None:
                return recorded.model_copy(
                    update={
                        "created": False,
                        "duplicate_of": recorded.work_order_id,
                        "status": "duplicate (local record)",
                    }
                )
            if not self.settings.enabled:
                raise WorkOrdersDisabledError(
                    f"Creating work orders in {self.settings.kind} is disabled in the plant configuration "
                    "(cmms.enabled = false). Use dry_run=True to preview the request, or ask the CMMS "
                    "owner to enable it.",
                    service=self.service,
                    endpoint=self.settings.base_url,
                )
            found = await self.find_by_key(key)
            if found is not None:
                result = WorkOrderResult(
                    dry_run=False,
                    work_order_id=found.work_order_id,
                    status="duplicate (found in CMMS)",
                    created=False,
                    duplicate_of=found.work_order_id,
                    location=found.location,
                    **common,
                )
                self._record.put(result)
                return result
            result = await self._create_once(request, common)
            self._record.put(result)
            log.info("cmms %s: %s %s (key %s)", self.service, result.status, result.work_order_id, key)
            return result

    async def _create_once(self, request: WorkOrderRequest, common: dict[str, Any]) -> WorkOrderResult:
        key = request.idempotency_key
        try:
            response = await self._post(request)
        except (RequestRejectedError, CircuitOpenError):
            raise  # a definite "no": nothing was created
        except ConnectorError as exc:
            if isinstance(exc.__cause__, httpx.ConnectError | httpx.ConnectTimeout):
                raise  # the request never left: nothing was created
            log.warning("cmms %s: create with key %s failed ambiguously (%s); looking it up", self.service, key, exc)
            try:
                found = await self.find_by_key(key)
            except ConnectorError as lookup_exc:
                raise WorkOrderOutcomeUnknownError(
                    f"The create request for key {key} failed without a definite answer ({exc}) and the "
                    f"look-up failed too ({lookup_exc}). The work order may or may not exist; call again "
                    "with the same idempotency key later: it is looked up before any new create.",
                    service=self.service,
                    endpoint=self.settings.base_url,
                ) from exc
            if found is None:
                raise ConnectorUnavailable(
                    f"The create request for key {key} failed ({exc}) and no work order with that key "
                    "exists in the CMMS: nothing was filed. Calling again with the same idempotency key "
                    "is safe.",
                    service=self.service,
                    endpoint=self.settings.base_url,
                ) from exc
            return WorkOrderResult(
                dry_run=False,
                work_order_id=found.work_order_id,
                created=True,
                location=found.location,
                status=f"created (confirmed by look-up after: {type(exc).__name__})",
                **common,
            )
        work_order_id, status = self._created_id(response)
        return WorkOrderResult(
            dry_run=False,
            work_order_id=work_order_id,
            created=True,
            status="created" + (f" ({status})" if status else ""),
            location=response.headers.get("location"),
            **common,
        )

    def status(self) -> dict[str, Any]:
        """Client health: breaker state and whether creation is enabled."""
        return {
            "service": self.service,
            "kind": self.settings.kind,
            "endpoint": self.settings.base_url,
            "enabled": self.settings.enabled,
            "breaker": self.http.breaker.snapshot(),
        }
