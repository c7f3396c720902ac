# SPDX-License-Identifier: MIT
"""What the condenser history keeps is what each tool declares (``HistoryRecord``), with a
real SQLite store.

An analysis of an air-bound snapshot stores its fouling cleanliness, never the air-bound
one its heat-transfer and fouling parts measure, and the parts store nothing of their own
(the ledger still records each of them); a non-air analysis stores the measured cleanliness
and fouling resistance; an air-bound snapshot whose fouling cleanliness is only the design
value adds no fouling point. On the old code each analysis stored two air-bound points
(CF ≈ 0.51) through its parts, so a later fouling trend was contaminated."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from test_air_vs_fouling import AIR_SNAPSHOT

from condensync_tools.config import EXAMPLE_CONFIG
from condensync_tools.registry import execute
from condensync_tools.runtime import build_context
from condensync_tools.units import to_si

ANALYSIS = "analyze_condenser_performance"
PARTS = {
    "calculate_heat_transfer_coefficient",
    "calculate_fouling_factor",
    "detect_air_inleakage",
    "optimize_vacuum_pressure",
}
START = datetime(2026, 5, 1, tzinfo=timezone.utc)


def _context(tmp_path):
    return build_context(str(EXAMPLE_CONFIG), caller="pytest", database_url=f"sqlite:///{tmp_path / 'h.db'}")


def _seed_clean_history(store) -> None:
    """Three heat-transfer tests before the air event and a tight air diagnosis."""
    for i, cf in enumerate([0.88, 0.87, 0.86]):
        rf = (1 / cf - 1) / 700.0
        store.record_result(
            "unit3",
            "calculate_heat_transfer_coefficient",
            START + timedelta(days=10 * i),
            {"cleanliness_factor": cf},
            cleanliness_factor=cf,
            fouling_resistance=rf,
            fouling_resistance_unit="h·ft²·°F/Btu",
        )
    store.record_result("unit3", "detect_air_inleakage", START + timedelta(days=25), {"leak_detected": False})


def _analyse(ctx, args) -> dict:
    out = execute(ANALYSIS, args, ctx)
    assert out.error is None, out.error and out.error.text()
    return out.result


def test_air_bound_analyses_store_the_fouling_cleanliness_not_the_air_bound_one(tmp_path):
    ctx = _context(tmp_path)
    store = ctx.services["store"]
    _seed_clean_history(store)
    first_seq = store.last_entries(1)[0].seq if store.last_entries(1) else 0
    for _ in range(3):
        r = _analyse(ctx, AIR_SNAPSHOT)
        assert r["air_confounded"] and r["measured_cleanliness_factor"] < 0.6
        assert (r["fouling_cleanliness_factor"], r["fouling_cleanliness_source"]) == (0.86, "stored_before_air_event")
    history = store.fouling_history("unit3", unit_system="SI")
    assert [p["cleanliness_factor"] for p in history] == [0.88, 0.87, 0.86, 0.86, 0.86, 0.86]
    assert min(p["cleanliness_factor"] for p in history) > 0.8  # no air-bound point
    # R_f of the kept point is the fouling CF's at the snapshot's clean U: (1/CF − 1)/U_clean
    u_clean = to_si("htc", r["u_clean"], "US")
    assert history[-1]["fouling_resistance"] == pytest.approx((1 / 0.86 - 1) / u_clean, rel=1e-8)
    # the parts keep no history row of their own, yet the ledger records every part
    rows = store.results("unit3", since=START + timedelta(days=26))
    assert {row["tool"] for row in rows} == {ANALYSIS} and len(rows) == 3
    assert all(row["results"]["air_confounded"] for row in rows)
    ledgered = [e.tool for e in store.iter_entries(first_seq + 1)]
    assert ledgered.count(ANALYSIS) == 3 and all(ledgered.count(p) == 3 for p in PARTS)


def test_a_non_air_analysis_stores_its_measured_cleanliness(tmp_path):
    ctx = _context(tmp_path)
    store = ctx.services["store"]
    snapshot = {k: AIR_SNAPSHOT[k] for k in ("condenser_id", "cw_inlet_temp", "cw_outlet_temp", "cw_flow")}
    r = _analyse(ctx, {**snapshot, "condenser_pressure": 2.0})
    assert not r["air_confounded"]
    (point,) = store.fouling_history("unit3", unit_system="US")
    assert point["cleanliness_factor"] == r["measured_cleanliness_factor"]
    assert point["fouling_resistance"] == pytest.approx(r["fouling_resistance"], rel=1e-9)
    assert [row["tool"] for row in store.results("unit3")] == [ANALYSIS]


def test_an_air_bound_snapshot_with_only_the_design_cleanliness_adds_no_fouling_point(tmp_path):
    ctx = _context(tmp_path)
    store = ctx.services["store"]
    r = _analyse(ctx, AIR_SNAPSHOT)
    assert r["air_confounded"] and r["fouling_cleanliness_source"] == "design_cleanliness"
    assert store.fouling_history("unit3") == []
    (row,) = store.results("unit3")
    assert row["tool"] == ANALYSIS and row["cleanliness_factor"] is None


def test_a_standalone_heat_transfer_test_is_kept_and_a_sizing_run_is_not(tmp_path):
    ctx = _context(tmp_path)
    store = ctx.services["store"]
    snapshot = {k: AIR_SNAPSHOT[k] for k in ("condenser_id", "cw_inlet_temp", "cw_outlet_temp", "cw_flow")}
    ht = execute("calculate_heat_transfer_coefficient", {**snapshot, "condenser_pressure": 2.0}, ctx)
    assert ht.error is None, ht.error and ht.error.text()
    (point,) = store.fouling_history("unit3")
    assert point["cleanliness_factor"] == ht.result["cleanliness_factor"]
    assert 0.5 < point["cleanliness_factor"] < 1.0
    sized = execute(
        "calculate_heat_transfer_coefficient",
        {**snapshot, "condenser_pressure": 2.0, "mode": "size_area", "u_actual": 500.0},
        ctx,
    )
    assert sized.error is None, sized.error and sized.error.text()
    assert len(store.fouling_history("unit3")) == 1 and len(store.results("unit3")) == 2
