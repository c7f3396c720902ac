# SPDX-License-Identifier: MIT
"""Work-order client against fake Maximo (OSLC) and SAP PM (OData V2 + CSRF) servers on 127.0.0.1.

The fakes file a work order on every POST, like the real systems: only the client's
idempotency handling keeps a retried call from filing twice.
"""

from __future__ import annotations

import asyncio
import base64
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.cmms import (
    CmmsClient,
    WorkOrderRequest,
    WorkOrdersDisabledError,
    idempotency_key_for,
)
from connectors.settings import CmmsSettings, RetrySettings
from connectors.types import ConnectorUnavailable, RequestRejectedError

pytestmark = pytest.mark.asyncio(loop_scope="module")

APIKEY = "mx-secret-key"
SAP_USER, SAP_PASSWORD = "CONDENSYNC", "sap-secret"
MX_PATH = "/maximo/oslc/os/mxwo"
SAP_PATH = "/sap/opu/odata/sap/API_MAINTNOTIFICATION/MaintenanceNotification"


@dataclass
class FakeCmms:
    """Both fakes in one app; counts every request and every work order filed."""

    requests: int = 0
    created: list[dict[str, Any]] = field(default_factory=list)
    # behaviour of the next POST: "ok", "slow_after_create" (files it, answers late),
    # "slow_without_create" (answers late with 503, files nothing), "bad_request"
    post_mode: str = "ok"
    sap_tokens: dict[str, str] = field(default_factory=dict)  # session id -> CSRF token

    def app(self) -> Starlette:
        async def maximo(request: Request) -> Response:
            self.requests += 1
            if request.headers.get("apikey") != APIKEY or request.query_params.get("lean") != "1":
                return JSONResponse({"Error": {"message": "BMXAA7901E - not authorized"}}, status_code=401)
            if request.method == "GET":
                where = request.query_params.get("oslc.where", "")
                cond = dict(re.findall(r'(\w+)="([^"]*)"', where))
                members = [w for w in self.created if all(str(w.get(k)) == v for k, v in cond.items())]
                return JSONResponse({"member": members, "responseInfo": {"totalCount": len(members)}})
            body = await request.json()
            return await self._post(body, lambda wo: self._maximo_reply(wo, request))

        async def sap(request: Request) -> Response:
            self.requests += 1
            expected = "Basic " + base64.b64encode(f"{SAP_USER}:{SAP_PASSWORD}".encode()).decode()
            if request.headers.get("authorization") != expected or request.query_params.get("sap-client") != "100":
                return JSONResponse({"error": {"message": {"value": "not authorized"}}}, status_code=401)
            session = request.cookies.get("SAP_SESSIONID_S4H_100")
            if request.method == "GET":
                response = self._sap_lookup(request)
                if request.headers.get("x-csrf-token", "").lower() == "fetch":
                    session = session if session in self.sap_tokens else secrets.token_hex(8)
                    self.sap_tokens[session] = self.sap_tokens.get(session) or secrets.token_hex(8)
                    response.headers["x-csrf-token"] = self.sap_tokens[session]
                    response.set_cookie("SAP_SESSIONID_S4H_100", session)
                return response
            if session is None or request.headers.get("x-csrf-token") != self.sap_tokens.get(session):
                return Response("CSRF token validation failed", status_code=403, headers={"x-csrf-token": "Required"})
            body = await request.json()
            return await self._post(body, self._sap_reply)

        return Starlette(
            routes=[
                Route(MX_PATH, maximo, methods=["GET", "POST"]),
                Route(SAP_PATH, sap, methods=["GET", "POST"]),
            ]
        )

    async def _post(self, body: dict[str, Any], reply) -> Response:
        mode, self.post_mode = self.post_mode, "ok"
        if mode == "bad_request":
            return JSONResponse({"Error": {"message": "BMXAA4195E - asset unknown"}}, status_code=400)
        if mode == "slow_without_create":
            await asyncio.sleep(0.6)
            return JSONResponse({"Error": "busy"}, status_code=503)
        wo = {
            **body,
            "wonum": str(1001 + len(self.created)),
            "workorderid": 5001 + len(self.created),
            "status": "WAPPR",
            "MaintenanceNotification": str(10000381 + len(self.created)),
        }
        self.created.append(wo)
        if mode == "slow_after_create":
            await asyncio.sleep(0.6)
        return reply(wo)

    @staticmethod
    def _maximo_reply(wo: dict[str, Any], request: Request) -> Response:
        props = request.headers.get("properties", "")
        body = {k: wo[k] for k in props.split(",") if k in wo}
        location = f"{request.base_url}maximo/oslc/os/mxwo/_{base64.b64encode(wo['wonum'].encode()).decode()}"
        return JSONResponse(body, status_code=201, headers={"Location": location})

    @staticmethod
    def _sap_reply(wo: dict[str, Any]) -> Response:
        return JSONResponse(
            {"d": {"MaintenanceNotification": wo["MaintenanceNotification"], "NotifProcessingPhase": "1"}},
            status_code=201,
        )

    def _sap_lookup(self, request: Request) -> JSONResponse:
        match = re.match(r"(\w+) eq '([^']*)'", request.query_params.get("$filter", ""))
        results = [w for w in self.created if match and str(w.get(match.group(1))) == match.group(2)]
        return JSONResponse({"d": {"results": results[:1]}})

    def rotate_sap_tokens(self) -> None:
        self.sap_tokens = {session: secrets.token_hex(8) for session in self.sap_tokens}


@pytest.fixture(scope="module")
def fake() -> FakeCmms:
    return FakeCmms()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def cmms_url(fake, live_server):
    async with live_server(fake.app()) as srv:
        yield srv.url


def maximo(url: str, **kw: object) -> CmmsSettings:
    base: dict[str, object] = {
        "kind": "maximo",
        "base_url": url,
        "apikey": APIKEY,
        "site_id": "BEDFORD",
        "enabled": True,
        "timeout_s": 0.3,
        "retry": RetrySettings(attempts=2, backoff_initial_s=0.01, jitter_s=0.0),
    }
    return CmmsSettings(**(base | kw))


def sap(url: str, **kw: object) -> CmmsSettings:
    base: dict[str, object] = {
        "kind": "sap_pm",
        "base_url": url,
        "auth": "basic",
        "username": SAP_USER,
        "password": SAP_PASSWORD,
        "sap_client": "100",
        "enabled": True,
        "timeout_s": 0.3,
        "retry": RetrySettings(attempts=2, backoff_initial_s=0.01, jitter_s=0.0),
    }
    return CmmsSettings(**(base | kw))


def request(key: str, **kw: object) -> WorkOrderRequest:
    base: dict[str, object] = {
        "title": "Condenser 1 cleanliness 0.71 - schedule tube cleaning",
        "description": "Cleanliness factor fell from 0.85 to 0.71 in 30 days; 0.9 inHg backpressure penalty.",
        "asset": "COND-1",
        "location": "TURB-HALL",
        "priority": 2,
        "work_type": "CM",
        "idempotency_key": key,
    }
    return WorkOrderRequest(**(base | kw))


def filed(fake: FakeCmms, key: str, field_name: str = "externalrefid") -> int:
    return sum(1 for wo in fake.created if wo.get(field_name) == key)


async def test_dry_run_builds_the_exact_request_and_sends_nothing(cmms_url, fake):
    key = idempotency_key_for("COND-1", "fouling", "2025-07-01")
    assert key == idempotency_key_for("COND-1", "fouling", "2025-07-01") and len(key) == 20
    before = fake.requests
    async with CmmsClient(maximo(cmms_url, enabled=False)) as cmms:
        result = await cmms.create_work_order(request(key), dry_run=True)
    assert fake.requests == before  # nothing sent, not even a look-up
    assert result.dry_run and not result.created and result.work_order_id is None and result.status == "preview"
    preview = result.request
    assert preview.method == "POST" and preview.url == f"{cmms_url}/maximo/oslc/os/mxwo?lean=1"
    assert preview.headers["apikey"] == "***" and APIKEY not in str(result.model_dump())
    assert preview.body == {
        "siteid": "BEDFORD",
        "description": "Condenser 1 cleanliness 0.71 - schedule tube cleaning",
        "description_longdescription": request(key).description + f"\n\n[CONDENSYNC idempotency key: {key}]",
        "assetnum": "COND-1",
        "location": "TURB-HALL",
        "worktype": "CM",
        "wopriority": 2,
        "externalrefid": key,
    }


async def test_disabled_client_refuses_to_file(cmms_url, fake):
    before = fake.requests
    async with CmmsClient(maximo(cmms_url, enabled=False)) as cmms:
        with pytest.raises(WorkOrdersDisabledError, match="cmms.enabled = false.*dry_run=True"):
            await cmms.create_work_order(request("CSY-DISABLED-1"))
    assert fake.requests == before


async def test_maximo_retried_create_files_exactly_once(cmms_url, fake):
    key = "CSY-MX-RETRY-1"
    async with CmmsClient(maximo(cmms_url)) as cmms:
        first = await cmms.create_work_order(request(key))
        assert first.created and first.work_order_id and first.status == "created (WAPPR)"
        assert first.location and "/maximo/oslc/os/mxwo/_" in first.location
        again = await cmms.create_work_order(request(key))
    assert not again.created and again.duplicate_of == first.work_order_id
    assert again.status == "duplicate (local record)"
    async with CmmsClient(maximo(cmms_url)) as other_process:  # no local record: CMMS look-up
        third = await other_process.create_work_order(request(key))
    assert not third.created and third.duplicate_of == first.work_order_id
    assert third.status == "duplicate (found in CMMS)"
    assert filed(fake, key) == 1


async def test_maximo_post_timeout_after_server_created_is_confirmed_by_lookup(cmms_url, fake):
    key = "CSY-MX-TIMEOUT-1"
    async with CmmsClient(maximo(cmms_url)) as cmms:
        fake.post_mode = "slow_after_create"  # files it, then answers after the client's 0.3 s timeout
        result = await cmms.create_work_order(request(key))
        assert result.created and result.work_order_id == fake.created[-1]["wonum"]
        assert result.status == "created (confirmed by look-up after: ConnectorUnavailable)"
        retry = await cmms.create_work_order(request(key))
        assert not retry.created and retry.duplicate_of == result.work_order_id
    assert filed(fake, key) == 1


async def test_maximo_post_timeout_without_create_is_safe_to_retry(cmms_url, fake):
    key = "CSY-MX-TIMEOUT-2"
    async with CmmsClient(maximo(cmms_url)) as cmms:
        fake.post_mode = "slow_without_create"
        with pytest.raises(ConnectorUnavailable, match="nothing was filed.*same idempotency key is safe"):
            await cmms.create_work_order(request(key))
        assert filed(fake, key) == 0
        result = await cmms.create_work_order(request(key))
        assert result.created
    assert filed(fake, key) == 1


async def test_maximo_rejection_files_nothing_and_keeps_breaker_closed(cmms_url, fake):
    async with CmmsClient(maximo(cmms_url)) as cmms:
        fake.post_mode = "bad_request"
        with pytest.raises(RequestRejectedError, match="HTTP 400.*asset unknown"):
            await cmms.create_work_order(request("CSY-MX-BAD-1"))
        assert cmms.status()["breaker"]["state"] == "closed"
    assert filed(fake, "CSY-MX-BAD-1") == 0


async def test_local_record_survives_a_restart(cmms_url, fake, tmp_path):
    record = tmp_path / "work_orders.jsonl"
    key = "CSY-MX-RECORD-1"
    async with CmmsClient(maximo(cmms_url, record_path=record)) as cmms:
        first = await cmms.create_work_order(request(key))
    before = fake.requests
    async with CmmsClient(maximo(cmms_url, record_path=record)) as restarted:
        again = await restarted.create_work_order(request(key))
    assert fake.requests == before  # answered from the local record
    assert again.duplicate_of == first.work_order_id and again.status == "duplicate (local record)"


async def test_sap_pm_csrf_cookies_and_single_notification(cmms_url, fake):
    key = "CSY-SAP-1"
    async with CmmsClient(sap(cmms_url)) as cmms:
        preview = (await cmms.create_work_order(request(key), dry_run=True)).request
        assert (
            preview.url == f"{cmms_url}/sap/opu/odata/sap/API_MAINTNOTIFICATION/MaintenanceNotification?sap-client=100"
        )
        assert preview.headers["x-csrf-token"] == "<fetched before sending>"
        assert preview.headers["Authorization"] == "Basic ***"
        assert preview.body == {
            "NotificationText": "Condenser 1 cleanliness 0.71 - schedule",
            "NotificationType": "M1",
            "MaintNotifLongTextForEdit": request(key).description + f"\n\n[CONDENSYNC idempotency key: {key}]",
            "TechnicalObject": "COND-1",
            "TechObjIsEquipOrFuncnlLoc": "EAMS_EQUI",
            "MaintPriority": "2",
            "MaintNotifExtReferenceNumber": key,
        }
        first = await cmms.create_work_order(request(key))
        assert first.created and first.work_order_id == fake.created[-1]["MaintenanceNotification"]
        again = await cmms.create_work_order(request(key))
        assert again.duplicate_of == first.work_order_id

        fake.rotate_sap_tokens()  # the session's token expires: 403 + "x-csrf-token: Required"
        second = await cmms.create_work_order(request("CSY-SAP-2"))
        assert second.created
    async with CmmsClient(sap(cmms_url)) as other_process:
        found = await other_process.create_work_order(request(key))
    assert found.status == "duplicate (found in CMMS)" and found.duplicate_of == first.work_order_id
    assert filed(fake, key, "MaintNotifExtReferenceNumber") == 1
    assert filed(fake, "CSY-SAP-2", "MaintNotifExtReferenceNumber") == 1


async def test_sap_post_timeout_after_create_is_confirmed(cmms_url, fake):
    key = "CSY-SAP-TIMEOUT-1"
    async with CmmsClient(sap(cmms_url)) as cmms:
        fake.post_mode = "slow_after_create"
        result = await cmms.create_work_order(request(key))
        assert result.created and result.status.startswith("created (confirmed by look-up")
        assert (await cmms.create_work_order(request(key))).duplicate_of == result.work_order_id
    assert filed(fake, key, "MaintNotifExtReferenceNumber") == 1


async def test_cmms_down_before_sending(free_port):
    async with CmmsClient(maximo(f"http://127.0.0.1:{free_port()}")) as cmms:
        with pytest.raises(ConnectorUnavailable, match="not reachable"):
            await cmms.create_work_order(request("CSY-DOWN-1"))
