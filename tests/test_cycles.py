# SPDX-License-Identifier: MIT
"""Fouling cycles end to end: cleanings found in a multi-year history, the current cycle's
forecast against the truth of a forward model, honest "insufficient_history" on short
histories, bad input, and messages in the caller's units.

The history comes from ``cycles_synth`` (raw hourly measurements from the project's own HEI /
NTU / IF97 chain at seasonal CW temperatures, load swings, outages and noise, with annual
cleanings leaving CF 0.88-0.93): every assertion compares with that known truth.
"""

import base64
import json
import struct
from datetime import date, datetime, timedelta, timezone

import cycles_synth as cs
import numpy as np
import pytest
from jsonschema import Draft202012Validator

import condensync_tools.tools.fouling  # noqa: F401  (registers the tool)
import condensync_tools.tools.history  # noqa: F401
from condensync_tools.calculators import cycles
from condensync_tools.registry import ExecutionContext, execute
from condensync_tools.schema import REPO_SCHEMAS_DIR

HISTORY = "analyze_performance_history"
FOULING = "calculate_fouling_factor"
SCHEMAS = {
    t: Draft202012Validator(json.loads((REPO_SCHEMAS_DIR / f"{t}.output.json").read_text())) for t in (HISTORY, FOULING)
}
TRUE_CLEANINGS = [c[0] for c in cs.CLEANINGS]


@pytest.fixture(scope="module")
def synth():
    return cs.generate()


def call(tool, args):
    out = execute(tool, args, ExecutionContext())
    assert out.error is None, out.error and out.error.text()
    json.dumps(out.result, allow_nan=False)  # never NaN or Infinity
    SCHEMAS[tool].validate(out.result)
    return out.result


def history_args(synth, system, sel=None, **extra):
    arrays = synth.arrays(system)
    if sel is not None:
        arrays = {k: [v[i] for i in sel] for k, v in arrays.items()}
    design = cs.DESIGN_US if system == "US" else cs.DESIGN_SI
    return {**design, **arrays, "unit_system": system, "series_output": "none", **extra}


def assert_cleanings_found(events, tolerance_days=2):
    found = [date.fromisoformat(e["date"]) for e in events]
    assert len(found) == len(TRUE_CLEANINGS), found  # none missed, none spurious
    for got, true in zip(found, TRUE_CLEANINGS, strict=True):
        assert abs((got - true).days) <= tolerance_days, (got, true)


def assert_forecast(days):
    truth = cs.true_days_to_trigger()  # ~40 days after the end of the data
    assert abs(days - truth) <= 0.25 * truth, (days, truth)


@pytest.mark.parametrize("system", ["US", "SI"])
def test_history_finds_cleanings_and_forecasts_current_cycle(synth, system):
    r = call(HISTORY, history_args(synth, system))
    assert_cleanings_found(r["cleaning_events"])
    assert all(e["source"] == "detected" for e in r["cleaning_events"])
    for e, (_, _, residual, _, _) in zip(r["cleaning_events"], cs.CLEANINGS, strict=True):
        assert e["cleanliness_after"] == pytest.approx(residual, abs=0.03)  # the residual the cleaning left
        assert e["cleanliness_before"] < 0.75
    assert r["current_cycle_start"] == "2025-04-15"
    assert r["trend_status"] == "ok" and r["trend_selected_model"] == "kern_seaton"
    assert_forecast(r["days_until_cleaning"])
    assert r["cleaning_due"] is False  # ~40 days away, outside the 30-day window
    cyc = r["cycles"]
    assert [c["starts_with"] for c in cyc] == ["history_start"] + ["cleaning"] * 4
    assert [c["current"] for c in cyc] == [False] * 4 + [True]
    assert all(0.15 < c["cleanliness_recovered"] < 0.3 for c in cyc[1:])
    assert cyc[-1]["daily_points"] == 45
    ks = next(f for f in r["trend_fits"] if f["model"] == "kern_seaton")
    assert ks["shape_source"].startswith("tau")  # 45 days do not resolve tau ~80 d: earlier cycles do
    assert "earlier cycles" in r["provenance"]["method"]["trend"]


def test_history_given_dates_merge_with_detections(synth):
    r = call(HISTORY, history_args(synth, "SI", cleaning_dates=["2023-04-18"], last_cleaning_date="2025-04-15"))
    assert_cleanings_found(r["cleaning_events"])
    sources = {e["date"]: e["source"] for e in r["cleaning_events"]}
    assert sources["2023-04-18"] == "given" and sources["2025-04-15"] == "given"
    assert list(sources.values()).count("detected") == 2
    assert r["current_cycle_start"] == "2025-04-15"
    assert_forecast(r["days_until_cleaning"])


@pytest.mark.parametrize("system", ["US", "SI"])
def test_fouling_tool_on_daily_points(synth, system):
    points = synth.daily_cleanliness()
    history = [{"timestamp": d, "cleanliness_factor": round(cf, 6)} for d, cf, _ in points]
    r = call(FOULING, {"history": history, "unit_system": system})
    assert_cleanings_found(r["cleaning_events"])
    assert r["current_cycle_start"] == "2025-04-15"
    assert r["trend_status"] == "ok" and r["days_until_cleaning_status"] == "forecast"
    assert_forecast(r["days_until_cleaning"])
    # the trend's CF at the last point, for the air-vs-fouling split: close to the true CF
    assert r["trend_cleanliness_factor"] == pytest.approx(float(synth.cf_true[-1]), abs=0.01)
    # R_f points against one clean U (a monitoring system's reference U): same cycles, same forecast
    u_ref = float(np.mean(synth.u_clean[-24:]))
    to_caller = 5.678263 if system == "US" else 1.0  # m²·K/W → h·ft²·°F/Btu
    rf_history = [{"timestamp": d, "fouling_resistance": (1 / cf - 1) / u_ref * to_caller} for d, cf, _ in points]
    r2 = call(FOULING, {"history": rf_history, "unit_system": system, "u_clean": u_ref / to_caller})
    assert_cleanings_found(r2["cleaning_events"])
    assert r2["current_cycle_start"] == "2025-04-15" and r2["fit_basis"] == "fouling_resistance"
    assert r2["days_until_cleaning"] == pytest.approx(r["days_until_cleaning"], rel=1e-4)
    assert r2["trend_cleanliness_factor"] == pytest.approx(r["trend_cleanliness_factor"], rel=1e-4)


def _rows_between(synth, start, stop):
    t0 = datetime(1970, 1, 1, tzinfo=timezone.utc)
    a, b = ((x - t0).total_seconds() / 86400.0 for x in (start, stop))
    return np.flatnonzero((synth.t_days >= a) & (synth.t_days < b))


def test_short_histories_give_no_forecast(synth):
    start = datetime(2024, 6, 3, 8, tzinfo=timezone.utc)
    base = history_args(synth, "SI", _rows_between(synth, start, start + timedelta(hours=1))[:1])
    for seconds, n in ((90, 10), (7200, 121)):
        stamps = [(start + timedelta(seconds=seconds * i / (n - 1))).isoformat() for i in range(n)]
        args = {**base, "timestamps": stamps}
        for k in ("cw_inlet_temp", "cw_outlet_temp", "cw_flow", "condenser_pressure"):
            args[k] = base[k] * n
        r = call(HISTORY, args)
        assert r["trend_status"] == "insufficient_history"
        assert "days_until_cleaning" not in r and r["trend_fits"] == [] and r["cleaning_due"] is False
        assert "5 daily points over 7 days" in r["trend_status_reason"]
    # the few results a live condenser stores in its first minute
    first_minute = [
        {"timestamp": f"2025-06-01T10:00:{s:02d}Z", "cleanliness_factor": cf}
        for s, cf in ((0, 0.842), (15, 0.839), (30, 0.845), (45, 0.837), (59, 0.836))
    ]
    r = call(FOULING, {"history": first_minute})
    assert r["trend_status"] == "insufficient_history"
    assert r["days_until_cleaning_status"] == "insufficient_history" and "days_until_cleaning" not in r
    assert "trend_cleanliness_factor" not in r and r["cleaning_due"] is False
    assert any(w.startswith("no fouling trend") for w in r["warnings"])


def test_history_without_cleaning(synth):
    sel = _rows_between(synth, datetime(2022, 6, 1, tzinfo=timezone.utc), datetime(2022, 8, 1, tzinfo=timezone.utc))
    r = call(HISTORY, history_args(synth, "US", sel))
    assert r["cleaning_events"] == [] and r["current_cycle_start"] == "2022-06-01"
    assert len(r["cycles"]) == 1 and r["cycles"][0]["starts_with"] == "history_start"
    assert r["trend_status"] == "ok"
    assert "no cleaning found or given" in r["provenance"]["method"]["trend"]
    assert r["trend_fits"][0]["r0"] > 0.15  # the level at the start of the data is fitted, not forced to 0


def test_history_with_months_of_gaps(synth):
    gap = _rows_between(synth, datetime(2023, 6, 1, tzinfo=timezone.utc), datetime(2023, 9, 15, tzinfo=timezone.utc))
    keep = np.setdiff1d(np.arange(synth.t_days.size), gap)
    r = call(HISTORY, history_args(synth, "SI", keep))
    assert_cleanings_found(r["cleaning_events"])
    assert_forecast(r["days_until_cleaning"])


def test_duplicated_and_out_of_order_timestamps(synth):
    n = synth.t_days.size
    rng = np.random.default_rng(5)
    sel = np.concatenate([rng.permutation(n), rng.integers(0, n, 200)])  # shuffled, 200 rows twice
    r = call(HISTORY, history_args(synth, "SI", sel))
    assert_cleanings_found(r["cleaning_events"])
    assert r["current_cycle_start"] == "2025-04-15"
    assert_forecast(r["days_until_cleaning"])
    points = synth.daily_cleanliness()[-60:]
    history = [{"timestamp": d, "cleanliness_factor": cf} for d, cf, _ in points]
    history = history[::-1] + history[:5]  # reversed, five days twice
    f = call(FOULING, {"history": history})
    assert any("share a timestamp" in w for w in f["warnings"])
    assert f["current_cycle_start"] == "2025-04-15" and f["trend_status"] == "ok"


@pytest.mark.parametrize("given", [False, True])
def test_cleaning_on_the_last_day(synth, given):
    sel = _rows_between(synth, datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2025, 4, 16, tzinfo=timezone.utc))
    extra = {"last_cleaning_date": "2025-04-15"} if given else {}
    r = call(HISTORY, history_args(synth, "SI", sel, **extra))
    assert r["current_cycle_start"] == "2025-04-15"
    assert r["cleaning_events"][-1]["date"] == "2025-04-15"
    assert r["trend_status"] == "insufficient_history" and "days_until_cleaning" not in r
    assert r["cleaning_due"] is False  # just cleaned
    assert len(r["cycles"]) == 3 and r["cycles"][-1]["current"]


def test_only_one_day(synth):
    sel = _rows_between(synth, datetime(2024, 7, 1, tzinfo=timezone.utc), datetime(2024, 7, 2, tzinfo=timezone.utc))
    r = call(HISTORY, history_args(synth, "US", sel))
    assert r["trend_status"] == "insufficient_history" and r["trend_points"] == 1
    assert r["cleaning_events"] == [] and "days_until_cleaning" not in r
    f = call(FOULING, {"history": [{"timestamp": "2024-07-01", "cleanliness_factor": 0.8}]})
    assert f["trend_status"] == "insufficient_history" and f["history_points"] == 1


def test_chart_shows_two_panels(synth):
    sel = _rows_between(synth, datetime(2024, 1, 1, tzinfo=timezone.utc), cs.END)
    r = call(HISTORY, history_args(synth, "US", sel, include_chart=True))
    png = base64.b64decode(r["chart_png_base64"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1000, 800)  # two panels: cleanliness with cycles, backpressure with CW inlet


def test_messages_in_caller_units():
    us = call(
        FOULING, {"u_actual": 300.0, "u_clean": 600.0, "water_type": "cooling_tower_treated", "unit_system": "US"}
    )
    tema = next(w for w in us["warnings"] if "TEMA" in w)
    assert "h·ft²·°F/Btu" in tema and "m²·K/W" not in tema and "0.00167" in tema
    slow = call(FOULING, {"cleanliness_factor": 0.8, "tube_velocity": 3.5, "unit_system": "US"})
    assert "4.92 ft/s" in slow["recommended_method_reason"] and "m/s" not in slow["recommended_method_reason"]
    # an R_f history whose asymptote stays below the trigger: the levels in the caller's units
    days = np.arange(0.0, 60.0)
    rf = 1e-4 * (1 - np.exp(-days / 10.0))  # m²·K/W, levels off far below the trigger
    history = [
        {"timestamp": (date(2025, 1, 1) + timedelta(days=int(d))).isoformat(), "fouling_resistance": v * 5.678263}
        for d, v in zip(days, rf, strict=True)
    ]
    r = call(FOULING, {"history": history, "u_clean": 500.0, "unit_system": "US"})
    assert r["days_until_cleaning_status"] == "not_reached"
    assert "h·ft²·°F/Btu" in r["days_until_cleaning_reason"] and "m²·K/W" not in r["days_until_cleaning_reason"]


def test_detection_ignores_slow_decline_and_single_bad_days():
    t = np.arange(200.0)
    rng = np.random.default_rng(1)
    y = 0.1 + 0.002 * t + 0.005 * rng.standard_normal(t.size)
    y[100:] -= 0.002 * (t[100:] - 100) * 1.5  # CF improves slowly for weeks (e.g. warmer water, biocide)
    y[[40, 41, 150]] -= 0.12  # bad days (instrument)
    assert cycles.detect_cleanings(t, y)[0] == []
    y2 = y.copy()
    y2[120:] -= 0.15  # a real cleaning
    assert cycles.detect_cleanings(t, y2)[0] == [120]


def test_cleaning_dates_from_the_plant_configuration(tmp_path):
    from condensync_tools.config import load_config

    cfg = tmp_path / "plant.toml"
    cfg.write_text(
        '[plant]\nname = "Test"\n\n[condensers.u1]\n[condensers.u1.maintenance]\ncleaning_dates = ["2025-01-01"]\n',
        "utf-8",
    )
    plant = load_config(cfg)
    history = [{"timestamp": "2024-11-01", "cleanliness_factor": 0.7}] + [
        {"timestamp": (date(2025, 1, 5) + timedelta(days=10 * i)).isoformat(), "cleanliness_factor": 0.9 - 0.01 * i}
        for i in range(8)
    ]
    out = execute(FOULING, {"condenser_id": "u1", "history": history}, ExecutionContext(design=plant))
    assert out.error is None, out.error and out.error.text()
    r = out.result
    # nothing measured in the week before the cleaning: no "before" value, never a guess
    assert r["cleaning_events"][-1] == {"date": "2025-01-01", "source": "given", "cleanliness_after": 0.9}
    assert r["current_cycle_start"] == "2025-01-01" and r["trend_status"] == "ok"


def test_poor_fit_is_flagged_and_never_sets_cleaning_due():
    rng = np.random.default_rng(11)
    cf = 0.80 + 0.01 * rng.standard_normal(40)  # a cycle with no visible fouling, only scatter
    history = [
        {"timestamp": (date(2025, 3, 1) + timedelta(days=i)).isoformat(), "cleanliness_factor": round(float(c), 4)}
        for i, c in enumerate(cf)
    ]
    r = call(FOULING, {"history": history, "trigger_cleanliness": 0.79, "due_window_days": 3650})
    assert r["trend_status"] == "poor_fit" and "explains only" in r["trend_status_reason"]
    assert any(w.startswith("fouling trend: the chosen") for w in r["warnings"])
    assert r["cleaning_due"] is False  # an indicative forecast never sends a crew


def test_history_fouling_resistance_basis_finds_the_same_cycles(synth):
    r = call(HISTORY, history_args(synth, "US", trend_basis="fouling_resistance"))
    assert_cleanings_found(r["cleaning_events"])  # detection always runs on the cleanliness factor
    assert r["trend_value_unit"] == "h·ft²·°F/Btu" and r["trend_status"] == "ok"
    assert_forecast(r["days_until_cleaning"])  # R_f carries the seasonal clean-U swing: measured -18 %
