# SPDX-License-Identifier: MIT
"""create_work_order (preview, permission, idempotency against a fake Maximo served by uvicorn on
127.0.0.1 with the real CMMS client), and the live tools' errors without connectors."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from _live_helpers import ThreadedServer, example_data, free_port, write_config
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from condensync_tools.config import EXAMPLE_CONFIG, load_config
from condensync_tools.live import ConnectorManager
from condensync_tools.registry import ExecutionContext, execute
from connectors import idempotency_key_for

APIKEY = "mx-test-key"
ARGS = {
    "condenser_id": "unit3",
    "title": "Condenser CF 0.71: clean tubes",
    "description": "Cleanliness factor 0.71 (provenance abc123); schedule a tube cleaning.",
}


class FakeMaximo:
    """Files a work order on every POST, like the real system; counts them."""

    def __init__(self) -> None:
        self.created: list[dict[str, Any]] = []
        self.next_status = 201

    def app(self) -> Starlette:
        async def mxwo(request: Request) -> Response:
            if request.headers.get("apikey") != APIKEY:
                return JSONResponse({"Error": {"message": "BMXAA7901E - not authorized"}}, status_code=401)
            if request.method == "GET":
                cond = dict(re.findall(r'(\w+)="([^"]*)"', request.query_params.get("oslc.where", "")))
                return JSONResponse(
                    {"member": [w for w in self.created if all(str(w.get(k)) == v for k, v in cond.items())]}
                )
            status, self.next_status = self.next_status, 201
            if status != 201:
                return JSONResponse({"Error": {"message": "BMXAA4195E - asset unknown"}}, status_code=status)
            wo = {**(await request.json()), "wonum": str(1001 + len(self.created)), "status": "WAPPR"}
            self.created.append(wo)
            return JSONResponse(
                {"wonum": wo["wonum"], "status": "WAPPR"},
                status_code=201,
                headers={"Location": f"{request.base_url}maximo/oslc/os/mxwo/_{wo['wonum']}"},
            )

        return Starlette(routes=[Route("/maximo/oslc/os/mxwo", mxwo, methods=["GET", "POST"])])


def cmms_config(tmp_path, base_url: str, *, enabled: bool = True, apikey: str = APIKEY):
    data = copy.deepcopy(example_data())
    cond = data["condensers"]["unit3"]
    del cond["opcua"], cond["modbus"]
    cond["cmms"].update(
        base_url=base_url,
        enabled=enabled,
        apikey=apikey,
        retry={"attempts": 1, "backoff_initial_s": 0.0, "backoff_max_s": 0.0, "jitter_s": 0.0},
        timeout_s=2.0,
        breaker={"fail_max": 5, "call_timeout_s": 5.0, "reset_timeout_s": 5.0},
    )
    return load_config(write_config(tmp_path / f"plant_{free_port()}.toml", data))


@pytest.fixture(scope="module")
def maximo():
    fake = FakeMaximo()
    with ThreadedServer(fake.app()) as server:
        yield fake, server.url


# ------------------------------------------------------------------------------ preview
def file_work_order(args, config):
    """``create_work_order`` in a context with a connector manager (as `condensync call --config`
    and the servers build it): the tool reaches the CMMS only through the context."""
    with ConnectorManager(config) as manager:
        return execute("create_work_order", args, ExecutionContext(design=config, live=manager))


def test_dry_run_is_the_default_and_previews_the_exact_request():
    config = load_config(EXAMPLE_CONFIG)
    first = file_work_order(ARGS, config)
    assert first.error is None, first.error
    r = first.result
    key = idempotency_key_for("unit3", ARGS["title"], "")
    assert r["dry_run"] and not r["created"] and r["status"] == "preview" and not r["enabled"]
    assert r["idempotency_key"] == key
    assert r["request"] == {
        "method": "POST",
        "url": "https://maximo.example.invalid/maximo/oslc/os/mxwo?lean=1",
        "headers": {**r["request"]["headers"]},
        "body": {
            "siteid": "UNIT3",
            "description": ARGS["title"],
            "description_longdescription": f"{ARGS['description']}\n\n[CONDENSYNC idempotency key: {key}]",
            "worktype": "CM",
            "wopriority": 3,
            "externalrefid": key,
        },
    }
    headers = r["request"]["headers"]
    assert headers["apikey"] == "***" and "example-api-key-not-a-secret" not in str(r)
    assert headers["Content-Type"] == "application/json"
    assert any("filing is disabled" in w for w in r["warnings"])
    again = file_work_order(ARGS, config)  # deterministic: same preview, same output hash
    assert again.result["provenance"]["output_sha256"] == r["provenance"]["output_sha256"]
    other = file_work_order({**ARGS, "asset": "U3-COND-A", "priority": 1}, config)
    assert other.result["idempotency_key"] == idempotency_key_for("unit3", ARGS["title"], "U3-COND-A") != key
    assert other.result["request"]["body"]["assetnum"] == "U3-COND-A"


def test_filing_is_refused_while_disabled():
    out = file_work_order({**ARGS, "dry_run": False}, load_config(EXAMPLE_CONFIG))
    assert out.error is not None and out.error.kind == "permission_denied"
    text = out.error.text()
    assert "condensers.unit3.cmms.enabled = false" in text and str(EXAMPLE_CONFIG) in text


def test_no_cmms_table_or_no_configuration(tmp_path):
    data = copy.deepcopy(example_data())
    del data["condensers"]["unit3"]["cmms"]
    config = load_config(write_config(tmp_path / "plant.toml", data))
    out = file_work_order(ARGS, config)
    assert out.error.kind == "unavailable" and "[condensers.unit3.cmms]" in out.error.text()
    bare = execute("create_work_order", ARGS, ExecutionContext())
    assert bare.error.kind == "unavailable" and "plant configuration" in bare.error.text()


# ------------------------------------------------------------------------------ filing
def test_files_once_per_key_and_never_twice(maximo, tmp_path):
    fake, url = maximo
    config = cmms_config(tmp_path, url)
    args = {**ARGS, "dry_run": False, "asset": "U3-COND", "idempotency_key": "CSY-TEST-0001"}
    with ConnectorManager(config) as manager:
        ctx = ExecutionContext(design=config, live=manager)
        first = execute("create_work_order", args, ctx)
        assert first.error is None, first.error
        assert first.result["created"] and first.result["work_order_id"] == "1001"
        assert first.result["record_url"].endswith("/_1001") and first.result["status"].startswith("created")
        retry = execute("create_work_order", args, ctx)  # the assistant retries the same call
        assert retry.error is None and not retry.result["created"]
        assert retry.result["duplicate_of"] == "1001" and retry.result["status"] == "duplicate (local record)"
    assert [w["externalrefid"] for w in fake.created] == ["CSY-TEST-0001"]
    # after a restart (new manager, no local record) the key is found in Maximo: still one work order
    with ConnectorManager(config) as manager:
        again = execute("create_work_order", args, ExecutionContext(design=config, live=manager))
        assert again.result["status"] == "duplicate (found in CMMS)" and again.result["duplicate_of"] == "1001"
    # without a connector manager in the context the tool builds no client of its own
    bare = execute("create_work_order", args, ExecutionContext(design=config))
    assert bare.error.kind == "unavailable" and "connector manager" in bare.error.text()
    assert len(fake.created) == 1
    # a different finding (default key from condenser, title, asset) is a new work order
    new = file_work_order({**ARGS, "dry_run": False, "title": "Air in-leakage: leak test"}, config)
    assert new.result["created"] and new.result["idempotency_key"] == idempotency_key_for(
        "unit3", "Air in-leakage: leak test", ""
    )
    assert len(fake.created) == 2


def test_cmms_refusals_and_outage(maximo, tmp_path):
    fake, url = maximo
    config = cmms_config(tmp_path, url)
    fake.next_status = 400
    rejected = file_work_order({**ARGS, "dry_run": False, "idempotency_key": "CSY-TEST-0400"}, config)
    assert rejected.error.kind == "unavailable" and "asset unknown" in rejected.error.text()
    assert "nothing was filed" in rejected.error.text()
    wrong_key = cmms_config(tmp_path, url, apikey="wrong")
    denied = file_work_order({**ARGS, "dry_run": False}, wrong_key)
    assert denied.error.kind == "permission_denied" and "not authorized" in denied.error.text()
    down = cmms_config(tmp_path, f"http://127.0.0.1:{free_port()}")
    outage = file_work_order({**ARGS, "dry_run": False}, down)
    assert outage.error.kind == "unavailable" and "127.0.0.1" in outage.error.text()
    assert all(w["externalrefid"] != "CSY-TEST-0400" for w in fake.created)


# ------------------------------------------------------------------------------ without connectors
@pytest.mark.parametrize(
    "tool,args",
    [
        ("read_live_data", {"condenser_id": "unit3"}),
        ("connector_status", {"condenser_id": "unit3"}),
        ("calculate_heat_transfer_coefficient", {"condenser_id": "unit3", "data_source": "live"}),
    ],
)
def test_live_tools_need_connectors(tool, args):
    out = execute(tool, args, ExecutionContext(design=load_config(EXAMPLE_CONFIG)))
    assert out.error is not None and out.error.kind == "unavailable"


def test_read_live_data_with_every_connector_down(tmp_path):
    from _live_helpers import fast_settings

    config = load_config(write_config(tmp_path / "down.toml", fast_settings(example_data(), free_port(), free_port())))
    with ConnectorManager(config) as manager:
        out = execute("read_live_data", {"condenser_id": "unit3"}, ExecutionContext(design=config, live=manager))
        assert out.error is not None and out.error.kind == "live_data_error"
        text = out.error.text()
        assert "unit3_dcs" in text and "unit3_ct_plc" in text and "not reachable" in text
        status = execute("connector_status", {}, ExecutionContext(design=config, live=manager))
        assert status.error is None and not status.result["healthy"]
        dcs = next(c for c in status.result["connectors"] if c["kind"] == "opcua")
        assert not dcs["connected"] and dcs["started"] and dcs["start_error"]
