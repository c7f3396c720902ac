# SPDX-License-Identifier: MIT
"""Vectorised water/steam properties (if97_vector) equal the scalar iapws path; aggregation,
percentile and timestamp helpers of the history analysis."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from iapws import iapws97

from condensync_tools.calculators import if97_vector as v97
from condensync_tools.calculators import water
from condensync_tools.calculators.history import DAY_MS, MISSING_TIMESTAMP, daily_aggregates, percentiles
from condensync_tools.tools.history_io import _parse_one, format_timestamps, parse_timestamps, quality_codes

REL = 1e-9


def rel_err(a, b):
    return np.max(np.abs(np.asarray(a, dtype=float) / np.asarray(b, dtype=float) - 1.0))


def test_tsat_equals_iapws_over_condenser_range():
    rng = np.random.default_rng(11)
    p = np.concatenate([np.linspace(700.0, 30_000.0, 2001), 700.0 + 29_300.0 * rng.random(2000)])
    ref = np.array([iapws97._TSat_P(x / 1e6) for x in p])
    assert rel_err(v97.tsat_p(p), ref) < REL


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=700.0, max_value=30_000.0))
def test_tsat_property(p):
    assert abs(float(v97.tsat_p(np.array([p]))[0]) / iapws97._TSat_P(p / 1e6) - 1.0) < REL


def test_psat_and_saturation_properties_equal_scalar():
    p = np.linspace(700.0, 30_000.0, 301)
    t, h_fg, rho_v = v97.saturation_props(p)
    assert rel_err(h_fg, [water.latent_heat(x) for x in p]) < REL
    assert rel_err(rho_v, [water.saturated_vapour_density(x) for x in p]) < REL
    assert rel_err(v97.psat_t(t), p) < 1e-12


@pytest.mark.parametrize("salinity", [0.0, 0.010, 0.03516504])
def test_liquid_properties_equal_scalar(salinity):
    t = np.linspace(273.15, 353.0, 41 if salinity else 161)
    got = v97.liquid_properties(t, salinity)
    ref = [water._liquid_cached(float(x), salinity, water.CW_PRESSURE_PA) for x in t]
    for name in ("density", "cp", "viscosity", "conductivity"):
        assert rel_err(getattr(got, name), [getattr(r, name) for r in ref]) < REL, name
    rho, cp = v97.density_cp(t, salinity)
    assert rel_err(rho, got.density) < 1e-15 and rel_err(cp, got.cp) < 1e-15


def test_percentiles_equal_numpy():
    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 10, 999, 20_000):
        x = rng.standard_normal(n)
        valid = rng.random(n) > 0.25
        if not valid.any():
            valid[0] = True
        got = percentiles(x, valid)
        ref = np.percentile(x[valid], [5, 25, 50, 75, 95])
        assert [got[k] for k in ("p05", "p25", "p50", "p75", "p95")] == list(ref)
        assert got["min"] == x[valid].min() and got["max"] == x[valid].max()
    assert percentiles(np.ones(3), np.zeros(3, dtype=bool)) is None


def _large_cases() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(11)
    n = 200_003
    step = n // 32_768
    periodic = np.tile(np.arange(step, dtype=float), n // step + 1)[:n]  # the systematic sample sees one value
    return {
        "normal": rng.standard_normal(n),
        "sorted": np.sort(rng.standard_normal(n)),
        "reversed": np.sort(rng.standard_normal(n))[::-1].copy(),
        "constant": np.full(n, 0.85),
        "two values": rng.choice([0.7, 0.9], n),
        "many ties": rng.integers(0, 10, n).astype(float),
        "trend": np.linspace(0.95, 0.7, n) + 0.01 * rng.standard_normal(n),
        "periodic with the sampling step": periodic,
        "outliers": np.concatenate([rng.standard_normal(n - 50), np.full(50, 1e300)]),
    }


@pytest.mark.parametrize("name", list(_large_cases()))
def test_percentiles_of_large_arrays_equal_numpy(name):
    """Above the sampled-selection size the order statistics come from brackets found on a
    sample; they must still be exact, including where the sample is misleading (fallback)."""
    x = _large_cases()[name]
    got = percentiles(x)
    ref = np.percentile(x, [5, 25, 50, 75, 95])
    assert [got[k] for k in ("p05", "p25", "p50", "p75", "p95")] == list(ref)
    assert (got["min"], got["max"], got["mean"]) == (x.min(), x.max(), x.mean())


@pytest.mark.parametrize("shuffle", [False, True])
def test_daily_aggregates_match_a_naive_groupby(shuffle):
    rng = np.random.default_rng(5)
    n = 3000
    ts = np.int64(1_700_000_000_000) + np.sort(rng.integers(0, 9 * DAY_MS, n))
    if shuffle:
        ts = rng.permutation(ts)
    ts[::101] = MISSING_TIMESTAMP
    valid = (rng.random(n) > 0.3) & (ts != MISSING_TIMESTAMP)
    x = rng.random(n)
    d = daily_aggregates(ts, valid, {"x": x})
    for k, day in enumerate(d.day):
        on_day = (ts != MISSING_TIMESTAMP) & (ts // DAY_MS == day)
        v = on_day & valid
        assert d.rows[k] == on_day.sum() and d.valid_rows[k] == v.sum()
        mean, lo, hi = (s[k] for s in d.stats["x"])
        assert mean == pytest.approx(x[v].mean(), rel=1e-12) and lo == x[v].min() and hi == x[v].max()
        assert d.centroid_ms[k] == pytest.approx(ts[v].mean(), abs=1e-3)
    assert d.rows.sum() == (ts != MISSING_TIMESTAMP).sum()


def test_timestamps_vectorised_equal_fromisoformat():
    samples = [
        "2024-01-01T00:00:00Z",
        "2024-02-29T23:59:59",
        "2023-02-29T00:00:00",
        "2024-03-10T12:00:00+05:30",
        "2024-03-10 12:00:00.250Z",
        "2024-03-10T12:00:00.5-02:00",
        "garbage",
        "",
        "2024-13-01T00:00:00Z",
        "2024-06-01T00:00:00.123456+00:00",
        "2024-06-01",
    ]
    ms, ok = parse_timestamps(samples * 3)
    for s, m, good in zip(samples * 3, ms, ok, strict=False):
        assert (int(m) if good else None) == _parse_one(s), s
    assert format_timestamps(ms[:2]) == ["2024-01-01T00:00:00Z", "2024-02-29T23:59:59Z"]
    assert format_timestamps(np.array([MISSING_TIMESTAMP]))[0] == ""
    codes, unknown = quality_codes(["good", "Bad ", "uncertain", "1", "0", "192", "???"])
    assert codes.tolist() == [0, 2, 1, 0, 2, 0, 2] and unknown == 1
