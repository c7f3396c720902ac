# SPDX-License-Identifier: MIT
"""PI Web API historian connector against a fake PI Web API served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from connectors.freshness import check_fresh
from connectors.historian import PiWebApiHistorian, parse_pi_item
from connectors.resilience import BreakerState
from connectors.settings import BreakerSettings, HistorianSettings, HistorianStream, RetrySettings
from connectors.types import (
    BadQualityError,
    CircuitOpenError,
    ConnectorError,
    ConnectorUnavailable,
    Quality,
    RequestRejectedError,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

TOKEN = "pi-token"
T0 = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
STREAMS = [
    HistorianStream(name="condenser_pressure", web_id="F1DPpressure", unit="kPa"),
    HistorianStream(name="cw_inlet_temp", web_id="F1DPcwin", unit="degC"),
    HistorianStream(name="cw_outlet_temp", web_id="F1DPcwout", unit="degC"),
]


def item(minutes: float, value: object, **flags: object) -> dict[str, object]:
    ts = (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")
    return {
        "Timestamp": ts,
        "Value": value,
        "UnitsAbbreviation": flags.pop("units", "kPa"),
        "Good": flags.pop("good", True),
        "Questionable": flags.pop("questionable", False),
        "Substituted": flags.pop("substituted", False),
        "Annotated": False,
    }


RECORDED = {
    "F1DPpressure": [
        item(0, 8.4),
        item(5, 8.5, questionable=True),
        item(10, {"Name": "I/O Timeout", "Value": 246, "IsSystem": True}, good=False),
        item(15, 8.6, substituted=True),
        item(20, 8.7, good=False),
    ],
    "F1DPcwin": [item(0, 24.0, units="degC"), item(10, 24.5, units="degC")],
    "F1DPcwout": [item(0, 33.0, units="degC"), item(5, 33.5, units="degC", good=False)],
}


@dataclass
class FakePi:
    """State of the fake server: request log and injected faults."""

    hits: int = 0
    fail_with: list[int] = field(default_factory=list)  # statuses to return before serving normally
    delay_s: float = 0.0
    queries: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)

    def app(self) -> Starlette:
        async def guard(request: Request) -> JSONResponse | None:
            self.hits += 1
            self.queries.append((request.url.path, list(request.query_params.multi_items())))
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            if request.headers.get("authorization") != f"Bearer {TOKEN}":
                return JSONResponse({"Errors": ["unauthorized"]}, status_code=401)
            if self.fail_with:
                return JSONResponse({"Errors": ["injected"]}, status_code=self.fail_with.pop(0))
            return None

        def stream(request: Request) -> list[dict[str, object]] | None:
            return RECORDED.get(request.path_params["web_id"])

        async def value(request: Request) -> JSONResponse:
            if (err := await guard(request)) is not None:
                return err
            items = stream(request)
            if items is None:
                return JSONResponse({"Errors": ["Unknown WebId"]}, status_code=404)
            latest = items[-1] if request.path_params["web_id"] != "F1DPpressure" else item(30, 8.8)
            return JSONResponse(latest)

        async def recorded(request: Request) -> JSONResponse:
            if (err := await guard(request)) is not None:
                return err
            items = stream(request)
            if items is None:
                return JSONResponse({"Errors": ["Unknown WebId"]}, status_code=404)
            return JSONResponse({"Links": {}, "Items": items})

        async def interpolated(request: Request) -> JSONResponse:
            if (err := await guard(request)) is not None:
                return err
            return JSONResponse({"Items": [item(0, 8.40), item(5, 8.45), item(10, 8.50)]})

        async def streamset(request: Request) -> JSONResponse:
            if (err := await guard(request)) is not None:
                return err
            ids = request.query_params.getlist("webId")
            kind = request.path_params["kind"]
            groups = [
                {"WebId": w, "Name": w, "Items": RECORDED[w] if kind == "recorded" else RECORDED[w][:1]} for w in ids
            ]
            return JSONResponse({"Items": groups})

        return Starlette(
            routes=[
                Route("/piwebapi/streams/{web_id}/value", value),
                Route("/piwebapi/streams/{web_id}/recorded", recorded),
                Route("/piwebapi/streams/{web_id}/interpolated", interpolated),
                Route("/piwebapi/streamsets/{kind}", streamset),
            ]
        )


def settings(url: str, **kw: object) -> HistorianSettings:
    base: dict[str, object] = {
        "base_url": f"{url}/piwebapi",
        "auth": "bearer",
        "token": TOKEN,
        "timeout_s": 0.5,
        "breaker": BreakerSettings(fail_max=3, call_timeout_s=3.0, reset_timeout_s=120.0),
        "retry": RetrySettings(attempts=3, backoff_initial_s=0.02, backoff_max_s=0.05, jitter_s=0.01),
        "streams": STREAMS,
    }
    return HistorianSettings(**(base | kw))


@pytest.fixture(scope="module")
def fake() -> FakePi:
    return FakePi()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def pi_url(fake, live_server):
    async with live_server(fake.app()) as srv:
        yield srv.url


@pytest.fixture(autouse=True)
def reset_faults(fake):
    fake.fail_with.clear()
    fake.delay_s = 0.0
    fake.queries.clear()


async def test_current_values_and_qualities(pi_url):
    async with PiWebApiHistorian(settings(pi_url)) as pi:
        now = await pi.read()
        status = pi.status()
    assert now["condenser_pressure"].value == 8.8 and now["condenser_pressure"].quality is Quality.GOOD
    assert now["condenser_pressure"].source_timestamp == T0 + timedelta(minutes=30)
    assert now["cw_inlet_temp"].unit == "degC" and now["cw_inlet_temp"].tag == "F1DPcwin"
    outlet = now["cw_outlet_temp"]
    assert outlet.quality is Quality.BAD and outlet.status == "Good=false" and outlet.source == "historian"
    assert status["breaker"]["state"] == "closed" and set(status["tags"]) == set(now)
    with pytest.raises(BadQualityError, match="cw_outlet_temp"):
        check_fresh(now, 1e9)


async def test_recorded_values_with_bad_and_questionable_items(pi_url, fake):
    async with PiWebApiHistorian(settings(pi_url)) as pi:
        history = await pi.recorded("condenser_pressure", T0, T0 + timedelta(hours=1))
    assert [r.quality for r in history] == [
        Quality.GOOD,
        Quality.UNCERTAIN,
        Quality.BAD,
        Quality.UNCERTAIN,
        Quality.BAD,
    ]
    assert [r.status for r in history] == [
        "Good",
        "Questionable",
        "digital state 'I/O Timeout'",
        "Substituted",
        "Good=false",
    ]
    assert math.isnan(history[2].value) and history[4].value == 8.7
    assert history[0].source_timestamp == T0 and history[0].unit == "kPa"
    with pytest.raises(BadQualityError, match="condenser_pressure.*I/O Timeout"):
        check_fresh({"condenser_pressure": history[2]}, 1e9)
    path, query = fake.queries[-1]
    assert path == "/piwebapi/streams/F1DPpressure/recorded"
    assert ("startTime", "2025-01-15T10:00:00Z") in query and ("endTime", "2025-01-15T11:00:00Z") in query
    assert ("maxCount", "1000") in query and ("boundaryType", "Inside") in query


async def test_interpolated_and_pi_time_expressions(pi_url, fake):
    async with PiWebApiHistorian(settings(pi_url)) as pi:
        values = await pi.interpolated("condenser_pressure", "*-1h", "*", timedelta(minutes=5))
    assert [r.value for r in values] == [8.40, 8.45, 8.50]
    assert fake.queries[-1][1] == [("startTime", "*-1h"), ("endTime", "*"), ("interval", "300s")]


async def test_streamsets_recorded_and_interpolated(pi_url, fake):
    async with PiWebApiHistorian(settings(pi_url)) as pi:
        many = await pi.recorded_many(["condenser_pressure", "cw_inlet_temp"], "*-1d", "*")
        assert [("webId", "F1DPpressure"), ("webId", "F1DPcwin")] == fake.queries[-1][1][:2]
        interp = await pi.interpolated_many(["cw_inlet_temp", "cw_outlet_temp"], T0, T0 + timedelta(hours=1), "10m")
    assert len(many["condenser_pressure"]) == 5 and many["condenser_pressure"][2].quality is Quality.BAD
    assert [r.value for r in many["cw_inlet_temp"]] == [24.0, 24.5]
    assert interp["cw_outlet_temp"][0].value == 33.0 and interp["cw_outlet_temp"][0].name == "cw_outlet_temp"
    assert fake.queries[-1][0] == "/piwebapi/streamsets/interpolated"


async def test_parse_pi_item_edge_cases():
    stream = STREAMS[0]
    assert parse_pi_item({"Timestamp": "2025-01-15T10:00:00.1234567Z", "Value": 7}, stream).value == 7.0
    for value, status in [
        (None, "non-numeric value None"),
        ("Shutdown", "non-numeric value 'Shutdown'"),
        (True, "non-numeric value True"),
    ]:
        reading = parse_pi_item({"Timestamp": "2025-01-15T10:00:00Z", "Value": value}, stream)
        assert reading.quality is Quality.BAD and reading.status == status and reading.unit == "kPa"
    with pytest.raises(ValueError, match="Timestamp"):
        parse_pi_item({"Value": 1.0}, stream)


async def test_transient_503_is_retried_within_one_call(pi_url, fake):
    async with PiWebApiHistorian(settings(pi_url)) as pi:
        fake.fail_with[:] = [503, 503]
        hits = fake.hits
        reading = (await pi.read(["cw_inlet_temp"]))["cw_inlet_temp"]
        assert reading.value == 24.5 and fake.hits - hits == 3
        assert pi.http.breaker.failure_count == 0


async def test_4xx_is_rejected_and_never_trips_the_breaker(pi_url, fake):
    wrong = HistorianStream(name="hotwell_temp", web_id="NOPE", unit="degC")
    async with PiWebApiHistorian(settings(pi_url, streams=[*STREAMS, wrong])) as pi:
        for _ in range(5):
            with pytest.raises(RequestRejectedError, match="HTTP 404.*Check the URL, WebId"):
                await pi.read(["hotwell_temp"])
        assert pi.http.breaker.state is BreakerState.CLOSED
    async with PiWebApiHistorian(settings(pi_url, token="wrong")) as pi:
        with pytest.raises(RequestRejectedError, match="HTTP 401.*credentials"):
            await pi.read(["cw_inlet_temp"])


async def test_breaker_opens_fails_fast_and_closes_after_three_trials(pi_url, fake, fake_clock):
    async with PiWebApiHistorian(settings(pi_url), breaker_clock=fake_clock) as pi:
        fake.fail_with[:] = [500, 500, 500]
        for _ in range(3):
            with pytest.raises(ConnectorError, match="HTTP 500"):
                await pi.read(["cw_inlet_temp"])
        assert pi.http.breaker.state is BreakerState.OPEN
        hits = fake.hits
        with pytest.raises(CircuitOpenError, match="historian.*120.0 s"):
            await pi.read(["cw_inlet_temp"])
        assert fake.hits == hits  # refused without a request
        assert pi.status()["connected"] is False

        fake_clock.advance(120.5)
        for expected in (BreakerState.HALF_OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED):
            await pi.read(["cw_inlet_temp"])
            assert pi.http.breaker.state is expected


async def test_slow_server_times_out_clearly(pi_url, fake):
    fake.delay_s = 0.4
    async with PiWebApiHistorian(settings(pi_url, timeout_s=0.1, retry=RetrySettings(attempts=1))) as pi:
        t0 = time.monotonic()
        with pytest.raises(ConnectorUnavailable, match=r"did not answer .* within 0.1 s \(ReadTimeout\)"):
            await pi.read(["cw_inlet_temp"])
        assert time.monotonic() - t0 < 0.35


async def test_server_not_running_then_restarted_on_same_port(free_port, fake, live_server):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    async with PiWebApiHistorian(settings(url, timeout_s=0.3)) as pi:
        t0 = time.monotonic()
        with pytest.raises(ConnectorUnavailable) as err:
            await pi.read(["cw_inlet_temp"])
        assert time.monotonic() - t0 < 3.0
        assert f"{url}/piwebapi is not reachable" in str(err.value) and "request timeout 0.3 s" in str(err.value)
        async with live_server(fake.app(), port=port):
            assert (await pi.read(["cw_inlet_temp"]))["cw_inlet_temp"].value == 24.5
        with pytest.raises(ConnectorUnavailable):
            await pi.read(["cw_inlet_temp"])
        async with live_server(fake.app(), port=port):
            assert (await pi.read(["cw_inlet_temp"]))["cw_inlet_temp"].value == 24.5
