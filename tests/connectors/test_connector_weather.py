# SPDX-License-Identifier: MIT
"""Weather connector against a fake GET-JSON weather source served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from connectors.freshness import check_fresh
from connectors.settings import RetrySettings, WeatherField, WeatherSettings
from connectors.types import (
    BadQualityError,
    ConnectorUnavailable,
    Quality,
    RequestRejectedError,
    StaleDataError,
)
from connectors.weather import WeatherConnector

pytestmark = pytest.mark.asyncio(loop_scope="module")

API_KEY = "wx-key"
OBSERVED = datetime(2025, 7, 1, 14, 0, tzinfo=UTC)


@dataclass
class FakeWeather:
    hits: int = 0
    fail_with: list[int] = field(default_factory=list)
    payload: dict[str, Any] = field(default_factory=dict)

    def app(self) -> Starlette:
        async def current(request: Request) -> JSONResponse:
            self.hits += 1
            if request.headers.get("x-api-key") != API_KEY:
                return JSONResponse({"error": "bad key"}, status_code=401)
            if self.fail_with:
                return JSONResponse({"error": "injected"}, status_code=self.fail_with.pop(0))
            return JSONResponse(self.payload)

        return Starlette(routes=[Route("/weather/current", current)])


def good_payload() -> dict[str, Any]:
    return {
        "timestamp": OBSERVED.isoformat(),
        "wet_bulb_c": 21.4,
        "dry_bulb_c": 29.0,
        "relative_humidity_pct": 50.0,
        "station": {"pressure_kpa": 100.9},
    }


@pytest.fixture(scope="module")
def fake() -> FakeWeather:
    return FakeWeather()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def wx_url(fake, live_server):
    async with live_server(fake.app()) as srv:
        yield f"{srv.url}/weather/current"


@pytest.fixture(autouse=True)
def reset(fake):
    fake.payload = good_payload()
    fake.fail_with.clear()


def settings(url: str, **kw: object) -> WeatherSettings:
    base: dict[str, object] = {
        "url": url,
        "api_key": API_KEY,
        "timeout_s": 0.5,
        "poll_interval_s": 900,
        "stale_after_s": 3600,
        "retry": RetrySettings(attempts=2, backoff_initial_s=0.01, backoff_max_s=0.02, jitter_s=0.0),
    }
    return WeatherSettings(**(base | kw))


async def test_reads_wet_bulb_dry_bulb_and_rh(wx_url):
    async with WeatherConnector(settings(wx_url)) as wx:
        readings = await wx.read()
    wet = readings["wet_bulb_temp"]
    assert (wet.value, wet.unit, wet.quality, wet.source) == (21.4, "degC", Quality.GOOD, "weather")
    assert wet.source_timestamp == OBSERVED and wet.tag == "wet_bulb_c"
    assert readings["relative_humidity"].value == 50.0 and readings["relative_humidity"].unit == "%"
    check_fresh(readings, wx.stale_limits(), now=OBSERVED + timedelta(minutes=30))


async def test_nested_fields_and_poll_interval_cache(wx_url, fake, fake_clock):
    fields = [WeatherField(name="barometric_pressure", path="station.pressure_kpa", unit="kPa")]
    async with WeatherConnector(settings(wx_url, fields=fields), clock=fake_clock) as wx:
        hits = fake.hits
        assert (await wx.read())["barometric_pressure"].value == 100.9
        await wx.read()
        assert fake.hits - hits == 1  # second read served from the cache (poll interval 900 s)
        fake_clock.advance(901)
        await wx.read()
        assert fake.hits - hits == 2


async def test_source_down_returns_last_good_value_until_stale(wx_url, fake, fake_clock, caplog):
    async with WeatherConnector(settings(wx_url), clock=fake_clock) as wx:
        first = await wx.read(["wet_bulb_temp"])
        fake_clock.advance(901)
        fake.fail_with[:] = [503] * 4
        with caplog.at_level(logging.WARNING, logger="connectors.weather"):
            again = await wx.read(["wet_bulb_temp"])
        assert again == first  # same value, same (original) timestamp
        assert "using last good values" in caplog.text and wx.status()["last_error"]
        check_fresh(again, wx.stale_limits(), now=OBSERVED + timedelta(minutes=59))
        with pytest.raises(StaleDataError, match="wet_bulb_temp.*limit is 3600 s"):
            check_fresh(again, wx.stale_limits(), now=OBSERVED + timedelta(minutes=61))


async def test_bad_field_keeps_last_good_and_never_good_is_reported_bad(wx_url, fake, fake_clock):
    async with WeatherConnector(settings(wx_url), clock=fake_clock) as wx:
        await wx.read()
        fake.payload["wet_bulb_c"] = None
        fake.payload["timestamp"] = (OBSERVED + timedelta(minutes=15)).isoformat()
        fake_clock.advance(901)
        readings = await wx.read()
        assert readings["wet_bulb_temp"].value == 21.4 and readings["wet_bulb_temp"].source_timestamp == OBSERVED
        assert readings["dry_bulb_temp"].source_timestamp == OBSERVED + timedelta(minutes=15)

    fake.payload.pop("relative_humidity_pct")
    async with WeatherConnector(settings(wx_url)) as fresh:
        readings = await fresh.read(["relative_humidity"])
    assert readings["relative_humidity"].quality is Quality.BAD
    with pytest.raises(BadQualityError, match="relative_humidity"):
        check_fresh(readings, 3600)


async def test_errors_without_any_good_value(wx_url, free_port):
    async with WeatherConnector(settings(wx_url, api_key="wrong")) as wx:
        with pytest.raises(RequestRejectedError, match="HTTP 401"):
            await wx.read()
    async with WeatherConnector(settings(f"http://127.0.0.1:{free_port()}/weather")) as wx:
        with pytest.raises(ConnectorUnavailable, match="not reachable"):
            await wx.read()
