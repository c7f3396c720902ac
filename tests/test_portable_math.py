# SPDX-License-Identifier: MIT
"""Machine-independent elementary functions (calculators/portable_math.py) and the contract
they serve: the same outputs and hashes on any machine (CONTRACT §1.2).

numpy chooses its float64 log/exp/power loops by CPU when it is imported; on AVX-512
machines they differ in the last bit from the C library's; OpenBLAS also picks its kernels by
CPU. The environment variables NPY_DISABLE_CPU_FEATURES and OPENBLAS_CORETYPE switch those
choices, so one machine can run both ways: the golden cases must then still match to the bit.
"""

import hashlib
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from condensync_tools.calculators import portable_math as pm

ROOT = Path(__file__).resolve().parents[1]


def _ulps(got: np.ndarray, ref: np.ndarray) -> np.ndarray:
    return np.abs(got - ref) / np.spacing(np.abs(ref))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.floats(min_value=5e-324, max_value=1.7e308, allow_nan=False, allow_infinity=False), min_size=1, max_size=50
    )
)
def test_log_is_within_one_ulp_of_the_c_library(values):
    x = np.array(values)
    assert _ulps(pm.log(x), np.array([math.log(v) for v in values])).max() <= 1.0


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(min_value=-708.0, max_value=709.0), min_size=1, max_size=50))
def test_exp_is_within_one_ulp_of_the_c_library(values):
    x = np.array(values)
    assert _ulps(pm.exp(x), np.array([math.exp(v) for v in values])).max() <= 1.0


def test_special_values_follow_numpy():
    with np.errstate(all="ignore"):
        x = np.array([0.0, -0.0, -1.0, np.inf, -np.inf, np.nan, 1.0])
        np.testing.assert_array_equal(pm.log(x), np.log(x))
        y = np.array([np.inf, -np.inf, np.nan, 800.0, -800.0, 0.0, -0.0])
        np.testing.assert_array_equal(pm.exp(y), np.exp(y))


@pytest.mark.parametrize("k", [-3, -2, -1, 0, 1, 2, 3, 4, 7, 32])
def test_integer_powers(k):
    x = np.linspace(0.2, 3.0, 101)
    # each product rounds once: the error grows at most linearly with |k|
    assert _ulps(pm.int_power(x, k), np.array([v**k for v in x])).max() <= max(4, abs(k))


def test_fractional_powers():
    x = np.linspace(1e-3, 1e4, 1001)
    assert _ulps(pm.quarter_power(x), x**0.25).max() <= 2.0
    assert _ulps(pm.three_quarter_power(x), x**0.75).max() <= 3.0
    assert _ulps(pm.power(x[1:], 2 / 3), x[1:] ** (2 / 3)).max() <= 16.0  # e^(y·ln x): error grows with |y·ln x|


def _dispatched_targets() -> list[str]:
    """numpy's CPU-dispatched loop targets this CPU supports (switched off in the child)."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    return [t for t in __cpu_dispatch__ if __cpu_features__.get(t)]


def _run_without_dispatch(*args: str) -> subprocess.CompletedProcess:
    targets = _dispatched_targets()
    if not targets:
        pytest.skip("numpy dispatches no CPU-specific loops on this machine: nothing to switch off")
    # and OpenBLAS (numpy's BLAS/LAPACK) on its Haswell kernels, as on an AVX2-only machine
    env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": " ".join(targets), "OPENBLAS_CORETYPE": "Haswell"}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


PROBE = (
    "import hashlib, numpy as np\n"
    "from condensync_tools.calculators import portable_math as pm\n"
    "x = np.random.default_rng(7).uniform(1e-3, 700.0, 100_000)\n"
    "print(hashlib.sha256(pm.log(x).tobytes() + pm.exp(-x).tobytes() + pm.power(x, 2 / 3).tobytes()).hexdigest())\n"
)


def test_same_bits_with_numpys_cpu_specific_loops_switched_off():
    x = np.random.default_rng(7).uniform(1e-3, 700.0, 100_000)
    here = hashlib.sha256(pm.log(x).tobytes() + pm.exp(-x).tobytes() + pm.power(x, 2 / 3).tobytes()).hexdigest()
    child = _run_without_dispatch("-c", PROBE)
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == here


@pytest.mark.slow  # every golden case in a subprocess
def test_golden_cases_match_with_numpys_cpu_specific_loops_switched_off():
    """Every tool's golden output and hashes, history analysis and fouling fits included,
    come out the same whichever numpy loops the CPU gets."""
    child = _run_without_dispatch("-m", "condensync_tools", "golden", "check")
    assert child.returncode == 0, child.stderr


HISTORY_PROBE = (
    "import hashlib, sys, numpy as np\n"
    f"sys.path.insert(0, {str(ROOT / 'benchmarks')!r})\n"
    "import history_bench as hb\n"
    "from dataclasses import replace\n"
    "from condensync_tools.calculators.history import ROW_COLUMNS\n"
    "data = dict(np.load(sys.argv[1]))\n"
    "h = hashlib.sha256()\n"
    "for d in (hb.design('hei', 1.0), hb.design('hei', 0.0), hb.design('first_principles'),\n"
    "          replace(hb.design('first_principles'), salinity=0.035)):\n"
    "    a = hb.run_analysis(data, d)\n"
    "    for name in ROW_COLUMNS:\n"
    "        h.update(np.ascontiguousarray(a.rows.column(name)).tobytes())\n"
    "    for mean, lo, hi in a.daily.stats.values():\n"
    "        h.update(mean.tobytes() + lo.tobytes() + hi.tobytes())\n"
    "    h.update(repr(sorted(a.distributions.items())).encode())\n"
    "    h.update(repr([(k, f.params, f.sse) for k, f in sorted(a.trend.fits.items())]).encode())\n"
    "    h.update(repr(a.trend.days_until_cleaning).encode())\n"
    "print(h.hexdigest())\n"
)


@pytest.mark.slow  # four history analyses in a subprocess
def test_history_analysis_is_bit_identical_with_numpys_cpu_specific_loops_switched_off(tmp_path):
    """Every per-row column, daily aggregate, percentile and fit of a 30,000-row history, for
    HEI with given and derived Fw, first principles and sea water: the same bits both ways.
    (The synthetic history is generated once and read by both processes: its generator uses
    numpy's own exp/log.)"""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import history_bench

    data_file = tmp_path / "history.npz"
    np.savez(data_file, **history_bench.synthetic_history(30_000, days=40.0, seed=3, invalid_fraction=0.01))
    here = subprocess.run(
        [sys.executable, "-c", HISTORY_PROBE, str(data_file)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert here.returncode == 0, here.stderr
    child = _run_without_dispatch("-c", HISTORY_PROBE, str(data_file))
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == here.stdout.strip()


def _scalar_equals_array(fn, x: np.ndarray) -> None:
    """fn on each float gives the float fn gives on the array: one layer for both paths."""
    arr = fn(x)
    scalars = np.array([fn(float(v)) for v in x])
    assert np.array_equal(arr, scalars, equal_nan=True)
    assert all(type(fn(float(v))) is float for v in x[:3])


def test_scalar_path_gives_the_array_bits():
    rng = np.random.default_rng(17)
    wide = np.exp(rng.uniform(-300.0, 300.0, 20_000))
    near_one = rng.uniform(0.5, 2.0, 20_000)
    args = np.concatenate([rng.uniform(-700.0, 700.0, 20_000), rng.uniform(-1.0, 1.0, 20_000)])
    special = np.array([0.0, -1.0, np.inf, np.nan, 800.0, -800.0, 709.78, -745.1])
    _scalar_equals_array(pm.exp, np.concatenate([args, special]))
    _scalar_equals_array(pm.log, np.concatenate([wide, near_one, special]))
    _scalar_equals_array(pm.expm1, np.concatenate([rng.uniform(-0.02, 0.02, 20_000), args[:2000] / 100]))
    _scalar_equals_array(lambda x: pm.power(x, 2 / 3.0), near_one)
    _scalar_equals_array(pm.quarter_power, wide)
    _scalar_equals_array(pm.three_quarter_power, wide)
    for k in (-2, 0, 1, 3, 4, 7, 32):
        _scalar_equals_array(lambda x, k=k: pm.int_power(x, k), near_one)


def test_expm1_keeps_small_arguments_accurate():
    for x in (1e-12, -3e-7, 1e-4, 0.0099, 0.0101, 0.5, -0.3, 3.0):
        assert pm.expm1(x) == pytest.approx(math.expm1(x), rel=2e-14, abs=0.0)
