# SPDX-License-Identifier: MIT
"""Settings validation (what the plant-configuration loader embeds), freshness checks, snapshots."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from connectors.freshness import check_fresh, take_snapshot
from connectors.settings import (
    COOLING_TOWER_PLC,
    HISTORIAN,
    SCADA,
    CmmsSettings,
    HistorianSettings,
    ModbusRegister,
    ModbusSettings,
    OpcUaSettings,
    OpcUaTag,
)
from connectors.types import BadQualityError, LiveSource, Quality, Reading, StaleDataError


def test_breaker_presets_follow_the_original_design():
    assert (SCADA.fail_max, SCADA.call_timeout_s, SCADA.reset_timeout_s) == (5, 30, 60)
    assert (HISTORIAN.fail_max, HISTORIAN.call_timeout_s, HISTORIAN.reset_timeout_s) == (3, 60, 120)
    assert (
        COOLING_TOWER_PLC.fail_max,
        COOLING_TOWER_PLC.call_timeout_s,
        COOLING_TOWER_PLC.reset_timeout_s,
    ) == (
        5,
        10,
        30,
    )
    assert SCADA.success_threshold == HISTORIAN.success_threshold == COOLING_TOWER_PLC.success_threshold == 3
    assert OpcUaSettings(endpoint="opc.tcp://h:4840").breaker == SCADA
    assert ModbusSettings(host="plc").breaker == COOLING_TOWER_PLC
    assert HistorianSettings(base_url="https://pi/piwebapi").breaker == HISTORIAN


def test_settings_load_from_toml_like_dicts():
    opcua = OpcUaSettings.model_validate(
        {
            "endpoint": "opc.tcp://10.0.0.5:4840/scada",
            "security_policy": "Basic256Sha256",
            "certificate": "pki/client_cert.der",
            "private_key": "pki/client_key.pem",
            "breaker": {"fail_max": 3},
            "tags": [
                {"name": "condenser_pressure", "node_id": "nsu=urn:plant;s=Cond.P", "unit": "kPa"},
                {
                    "name": "cw_inlet_temp",
                    "browse_path": "2:Condenser/2:CWIn",
                    "unit": "degC",
                    "stale_after_s": 30,
                },
            ],
        }
    )
    assert opcua.subscription_interval_ms == 5000 and opcua.breaker.call_timeout_s == 30
    register = ModbusRegister(name="cw_pump_power", address=40103, type="float32", scale=0.1, unit="kW")
    assert (register.pdu_address, register.count) == (102, 2)


@pytest.mark.parametrize(
    ("model", "data", "message"),
    [
        (OpcUaSettings, {"endpoint": "http://x"}, "must start with opc.tcp://"),
        (
            OpcUaSettings,
            {"endpoint": "opc.tcp://x", "security_policy": "Basic256Sha256"},
            "needs both 'certificate'",
        ),
        (OpcUaSettings, {"endpoint": "opc.tcp://x", "timout_s": 3}, "Extra inputs are not permitted"),
        (OpcUaSettings, {"endpoint": "opc.tcp://x", "timeout_s": 45}, "exceeds breaker.call_timeout_s"),
        (OpcUaSettings, {"endpoint": "opc.tcp://x", "username": "op"}, "give both 'username' and 'password'"),
        (OpcUaTag, {"name": "p", "unit": "kPa"}, "exactly one of node_id or browse_path"),
        (OpcUaTag, {"name": "p", "node_id": "Condenser.P", "unit": "kPa"}, "is not an OPC UA node id"),
        (OpcUaTag, {"name": "Cond P", "node_id": "ns=2;s=P", "unit": "kPa"}, "must be snake_case"),
        (
            ModbusRegister,
            {"name": "x", "address": 30001, "type": "uint16", "unit": "-"},
            "not a holding-register",
        ),
        (
            ModbusSettings,
            {
                "host": "plc",
                "registers": [
                    {"name": "a", "address": 40001, "type": "float32", "unit": "degC"},
                    {"name": "b", "address": 40002, "type": "uint16", "unit": "rpm"},
                ],
            },
            "overlap",
        ),
        (HistorianSettings, {"base_url": "https://pi", "auth": "basic"}, "needs 'username' and 'password'"),
        (CmmsSettings, {"kind": "maximo", "base_url": "https://mx", "apikey": "k"}, "needs 'site_id'"),
        (
            CmmsSettings,
            {"kind": "sap_pm", "base_url": "https://s4", "sap_client": "1"},
            "String should match",
        ),
    ],
)
def test_settings_errors_are_clear(model, data, message):
    with pytest.raises(ValidationError, match=message):
        model.model_validate(data)


def test_secrets_do_not_leak_in_repr():
    settings = CmmsSettings(kind="maximo", base_url="https://mx", apikey="s3cr3t", site_id="BEDFORD")
    assert "s3cr3t" not in repr(settings)


# ---- freshness -------------------------------------------------------------------------

NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)


def _reading(name: str, age_s: float, quality: Quality = Quality.GOOD, status: str = "Good") -> Reading:
    ts = NOW - timedelta(seconds=age_s)
    return Reading(
        tag=f"ns=2;s={name}",
        name=name,
        value=math.nan if quality is Quality.BAD else 30.0,
        unit="degC",
        source_timestamp=ts,
        server_timestamp=ts,
        quality=quality,
        status=status,
        source="opcua",
    )


def test_check_fresh_passes_and_names_the_stale_tag():
    readings = {
        "cw_inlet_temp": _reading("cw_inlet_temp", 5),
        "cw_outlet_temp": _reading("cw_outlet_temp", 95),
    }
    check_fresh(readings, {"cw_inlet_temp": 10, "cw_outlet_temp": 100}, NOW)
    with pytest.raises(StaleDataError) as err:
        check_fresh(readings, 60, NOW)
    assert err.value.name == "cw_outlet_temp" and err.value.tag == "ns=2;s=cw_outlet_temp"
    assert err.value.age_s == pytest.approx(95) and err.value.max_age_s == 60
    assert "cw_outlet_temp" in str(err.value) and "95.0 s" in str(err.value) and "60 s" in str(err.value)


def test_check_fresh_rejects_bad_quality_and_optionally_uncertain():
    bad = {"condenser_pressure": _reading("condenser_pressure", 1, Quality.BAD, "BadSensorFailure")}
    with pytest.raises(BadQualityError, match="condenser_pressure.*BadSensorFailure"):
        check_fresh(bad, 60, NOW)
    uncertain = {"x": _reading("x", 1, Quality.UNCERTAIN, "UncertainLastUsableValue")}
    check_fresh(uncertain, 60, NOW)
    with pytest.raises(BadQualityError):
        check_fresh(uncertain, 60, NOW, allow_uncertain=False)


def test_check_fresh_requires_a_limit_per_name():
    with pytest.raises(KeyError, match="cw_flow"):
        check_fresh({"cw_flow": _reading("cw_flow", 1)}, {"other": 5}, NOW)


class _StaticSource:
    """A LiveSource serving fixed readings (snapshot assembly only; no I/O involved)."""

    service = "static"

    def __init__(self, readings: dict[str, Reading], limit: float) -> None:
        self._readings, self._limit = readings, limit

    async def read(self, names=None):
        return {n: self._readings[n] for n in names}

    def status(self):
        return {}

    def stale_limits(self):
        return {n: self._limit for n in self._readings}


def test_take_snapshot_merges_sources_and_uses_their_limits():
    a = _StaticSource({"cw_inlet_temp": _reading("cw_inlet_temp", 20)}, limit=60)
    b = _StaticSource({"wet_bulb_temp": _reading("wet_bulb_temp", 1200)}, limit=3600)
    assert isinstance(a, LiveSource)
    snap = asyncio.run(take_snapshot("COND-1", [(a, ["cw_inlet_temp"]), (b, ["wet_bulb_temp"])], now=NOW))
    assert snap.values() == {"cw_inlet_temp": 30.0, "wet_bulb_temp": 30.0}
    sources = snap.sources()
    assert [s["name"] for s in sources] == ["cw_inlet_temp", "wet_bulb_temp"]
    assert sources[0]["quality"] == "good" and sources[0]["source_timestamp"].startswith("2025-01-15T11:59:40")
    with pytest.raises(StaleDataError, match="wet_bulb_temp"):
        asyncio.run(take_snapshot("COND-1", [(b, ["wet_bulb_temp"])], max_age_s=600, now=NOW))
