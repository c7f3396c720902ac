# SPDX-License-Identifier: MIT
"""Readings and results history round trips; fouling_history ordering and filters."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from _store_helpers import T0

from condensync_tools.store import Store


def test_readings_round_trip(store: Store) -> None:
    readings = [
        {
            "name": "cw_inlet_temp",
            "value": 72.5,
            "unit": "°F",
            "quality": "good",
            "source": "opcua:ns=2;s=CW.TI101",
            "source_timestamp": T0 + timedelta(minutes=1),
        },
        {
            "name": "condenser_pressure",
            "value": 1.95,
            "unit": "inHg",
            "quality": "uncertain",
            "source": "modbus:40001",
            "source_timestamp": (T0 + timedelta(minutes=2)).isoformat().replace("+00:00", "Z"),
        },
        {
            "name": "pump_running",
            "value": True,
            "unit": None,
            "quality": "good",
            "source": "historian",
            "source_timestamp": T0,
        },
        {
            "name": "status",
            "value": "TRIP",
            "quality": "bad",
            "source": "historian",
            "source_timestamp": T0,
            "tag": "X1",
        },
        {"name": "broken", "value": math.nan, "source_timestamp": T0 + timedelta(minutes=3)},
    ]
    assert store.record_readings("C1", readings) == 5
    got = store.readings("C1")
    assert [r["name"] for r in got] == [
        "pump_running",
        "status",
        "cw_inlet_temp",
        "condenser_pressure",
        "broken",
    ]
    cw = got[2]
    assert cw == {
        "timestamp": "2025-01-01T00:01:00Z",
        "event_type": "reading",
        "name": "cw_inlet_temp",
        "value": 72.5,
        "unit": "°F",
        "quality": "good",
        "source": "opcua:ns=2;s=CW.TI101",
        "payload": None,
    }
    assert got[0]["value"] == 1.0
    assert got[1]["value"] is None and got[1]["payload"] == {"value": "TRIP", "tag": "X1"}
    assert got[4]["value"] is None and got[4]["payload"] == {"value": "NaN"}
    assert store.readings("C1", name="cw_inlet_temp", since=T0 + timedelta(seconds=30))[0]["value"] == 72.5
    assert store.readings("C2") == []


def test_reading_needs_a_name(store: Store) -> None:
    with pytest.raises(ValueError, match="name"):
        store.record_readings("C1", [{"value": 1.0}])
    assert store.record_readings("C1", []) == 0


def test_alert_event(store: Store) -> None:
    store.record_event("C1", "alert", "air_inleakage", T0, value=0.8, payload={"severity": "high", "nul": "a\x00"})
    (ev,) = store.readings("C1", event_type="alert")
    assert ev["name"] == "air_inleakage" and ev["payload"] == {"payload": {"severity": "high", "nul": "a\ufffd"}}


def _ht_result(cf: float, rf: float, unit: str = "h·ft²·°F/Btu") -> dict:
    return {
        "cleanliness_factor": cf,
        "fouling_resistance": rf,
        "u_actual": 500.0,
        "units": {"fouling_resistance": unit, "u_actual": "Btu/(h·ft²·°F)"},
    }


def _kept(cf: float, rf: float, unit: str = "h·ft²·°F/Btu") -> dict:
    """What the tool declares the history keeps (the store never searches the result)."""
    return {"cleanliness_factor": cf, "fouling_resistance": rf, "fouling_resistance_unit": unit}


def test_record_result_keeps_the_declared_key_figures(store: Store) -> None:
    store.record_result(
        "C1", "calculate_heat_transfer_coefficient", T0, _ht_result(0.8, 0.0005), "aa" * 32, **_kept(0.8, 0.0005)
    )
    nested = {"performance_score": 71, "heat_transfer": _ht_result(0.7, 0.0007, "m²·K/W")}
    store.record_result(
        "C1", "analyze_condenser_performance", T0 + timedelta(hours=1), nested, **_kept(0.7, 0.0007, "m²·K/W")
    )
    # the store never searches a result for the figures: a result without declared figures keeps none
    store.record_result("C1", "calculate_fouling_factor", T0 + timedelta(hours=2), _ht_result(0.6, 0.002))
    store.record_result("C1", "optimize_vacuum_pressure", T0 + timedelta(hours=3), {"optimal_backpressure": 1.8})
    rows = store.results("C1")
    assert [(r["cleanliness_factor"], r["fouling_resistance"], r["fouling_resistance_unit"]) for r in rows] == [
        (0.8, 0.0005, "h·ft²·°F/Btu"),
        (0.7, 0.0007, "m²·K/W"),
        (None, None, None),
        (None, None, None),
    ]
    assert rows[0]["provenance_hash"] == "aa" * 32 and rows[0]["results"]["u_actual"] == 500.0
    assert store.results("C1", tool="optimize_vacuum_pressure")[0]["results"] == {"optimal_backpressure": 1.8}
    assert [p["cleanliness_factor"] for p in store.fouling_history("C1")] == [0.8, 0.7]


def test_fouling_history_is_ordered_and_filtered(store: Store) -> None:
    # Recorded out of order, mixed with other tools and another condenser.
    for day, cf in [(5, 0.80), (1, 0.90), (3, 0.85), (2, 0.88), (4, 0.83)]:
        store.record_result(
            "C1",
            "calculate_heat_transfer_coefficient",
            T0 + timedelta(days=day),
            _ht_result(cf, (1 / cf - 1) * 1e-3),
            **_kept(cf, (1 / cf - 1) * 1e-3),
        )
    store.record_result("C1", "optimize_cooling_water_flow", T0 + timedelta(days=6), {"optimal_cw_flow": 1.0})
    store.record_result("C2", "calculate_fouling_factor", T0, _ht_result(0.5, 0.002), **_kept(0.5, 0.002))
    hist = store.fouling_history("C1")
    assert [h["cleanliness_factor"] for h in hist] == [0.90, 0.88, 0.85, 0.83, 0.80]
    assert [h["timestamp"] for h in hist] == [f"2025-01-0{d}T00:00:00Z" for d in range(2, 7)]
    assert set(hist[0]) == {"timestamp", "cleanliness_factor", "fouling_resistance"}
    assert hist[0]["fouling_resistance"] == pytest.approx((1 / 0.9 - 1) * 1e-3)
    assert [h["cleanliness_factor"] for h in store.fouling_history("C1", since=T0 + timedelta(days=3))] == [
        0.85,
        0.83,
        0.80,
    ]
    assert len(store.fouling_history("C1", "2025-01-03T00:00:00Z", until=T0 + timedelta(days=5))) == 3
    assert store.fouling_history("C3") == []


def test_fouling_history_one_point_per_timestamp(store: Store) -> None:
    store.record_result("C1", "calculate_fouling_factor", T0, _ht_result(0.7, 0.001), **_kept(0.7, 0.001))
    store.record_result(
        "C1", "calculate_heat_transfer_coefficient", T0, _ht_result(0.71, 0.0011), **_kept(0.71, 0.0011)
    )
    assert [h["cleanliness_factor"] for h in store.fouling_history("C1")] == [0.7]  # first recorded
    preferred = store.fouling_history("C1", tools=["calculate_heat_transfer_coefficient", "calculate_fouling_factor"])
    assert [h["cleanliness_factor"] for h in preferred] == [0.71]
    only_fouling = store.fouling_history("C1", tools=["calculate_fouling_factor"])
    assert [h["cleanliness_factor"] for h in only_fouling] == [0.7]


def test_fouling_history_unit_system(store: Store) -> None:
    store.record_result(
        "C1",
        "calculate_heat_transfer_coefficient",
        T0,
        _ht_result(0.8, 0.001, "h·ft²·°F/Btu"),
        **_kept(0.8, 0.001, "h·ft²·°F/Btu"),
    )
    store.record_result(
        "C1",
        "calculate_heat_transfer_coefficient",
        T0 + timedelta(hours=1),
        _ht_result(0.8, 0.0002, "m²·K/W"),
        **_kept(0.8, 0.0002, "m²·K/W"),
    )
    store.record_result(
        "C1",
        "calculate_heat_transfer_coefficient",
        T0 + timedelta(hours=2),
        _ht_result(0.8, 0.5, "furlongs"),
        **_kept(0.8, 0.5, "furlongs"),
    )
    si = store.fouling_history("C1", unit_system="SI")
    assert [round(h["fouling_resistance"], 9) for h in si] == [round(0.001 / 5.678263341, 9), 0.0002]
    us = store.fouling_history("C1", unit_system="US")
    assert us[0]["fouling_resistance"] == pytest.approx(0.001)
    assert us[1]["fouling_resistance"] == pytest.approx(0.0002 * 5.678263341)
    assert len(store.fouling_history("C1")) == 3  # as stored
