# SPDX-License-Identifier: MIT
"""Aggregation, percentile and timestamp helpers of the history analysis (the property
routines are tested once, on floats and arrays, in tests/test_water.py)."""

import numpy as np
import pytest

from condensync_tools.calculators.history import DAY_MS, MISSING_TIMESTAMP, daily_aggregates, percentiles
from condensync_tools.tools.history_io import _parse_one, format_timestamps, parse_timestamps, quality_codes


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
