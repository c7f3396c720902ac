# SPDX-License-Identifier: MIT
"""Sea and brackish cooling water: IAPWS-08 values as ``iapws.iapws08.SeaWater`` gives them
(to round-off), at a cost close to fresh water, so ``optimize_cooling_water_flow`` on sea
water runs about as fast as on fresh water."""

import itertools
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from iapws import iapws08

from condensync_tools.calculators import water
from condensync_tools.calculators.water import seawater
from condensync_tools.registry import ExecutionContext, execute

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_tool_cw_flow import GOOD  # noqa: E402


def _states(n: int, seed: int) -> list[tuple[float, float]]:
    rng = np.random.default_rng(seed)
    temps = np.concatenate([[273.15, 353.15, 300.0], rng.uniform(273.15, 353.15, n)])
    salinities = rng.choice([0.002, 0.010, 0.02, water.WATER_SALINITY_KG_KG["sea"], 0.04], temps.size)
    return list(zip(temps.tolist(), salinities.tolist(), strict=True))


@pytest.mark.parametrize("count", [250, pytest.param(3000, marks=pytest.mark.slow)])
def test_sea_water_density_and_cp_equal_iapws_seawater(count):
    """Against the uncached ``iapws08.SeaWater`` across 0-80 °C and 2-40 g/kg: density to
    5e-14, cp to 5e-11 relative (iapws' own cp carries ~1e-11 of round-off from the numerical
    (∂h/∂T)_P it forms); against IAPWS-95 + IAPWS-08 evaluated directly (vectorised path) to
    5e-13 in both."""
    states = _states(count, 1)
    got = [water.liquid_properties(t, s) for t, s in states]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # iapws warns near the ends of its sea-water range
        ref = [iapws08.SeaWater(T=t, P=water.CW_PRESSURE_PA / 1e6, S=s) for t, s in states]
    rho, cp = np.array([g.density for g in got]), np.array([g.cp for g in got])
    assert np.max(np.abs(rho / np.array([r.rho for r in ref]) - 1)) < 5e-14
    assert np.max(np.abs(cp / (np.array([r.cp for r in ref]) * 1e3) - 1)) < 5e-11
    temps, salinities = (np.array(x) for x in zip(*states, strict=True))
    for s in np.unique(salinities):
        at = salinities == s
        p_mpa = water.CW_PRESSURE_PA / 1e6
        rho_d, cp_d = seawater.saline_mix(temps[at], float(s), p_mpa, *seawater.iapws95_liquid(temps[at], p_mpa))
        assert np.max(np.abs(rho[at] / rho_d - 1)) < 5e-13 and np.max(np.abs(cp[at] / cp_d - 1)) < 5e-13


def test_states_are_cached_exactly_and_fresh_water_is_untouched():
    a = water.liquid_properties(291.234567, 0.035)
    assert water.liquid_properties(291.234567, 0.035) is a  # same state: the cached object
    b = water.liquid_properties(np.nextafter(291.234567, 300.0), 0.035)
    assert b is not a and b.density != a.density  # a different state is computed, not looked up nearby
    fresh = water.liquid_properties(291.234567, 0.0)
    direct = water.liquid_state(291.234567)
    assert (fresh.density, fresh.cp) == (direct.density, direct.cp)


def test_table_nodes_give_the_direct_iapws95_values():
    table = seawater._pure_water_isobar(water.CW_PRESSURE_PA)
    assert len(table) == seawater.PURE_WATER_NODES + 1
    node, _, rho, cp = table[5]
    assert seawater.pure_water(node, water.CW_PRESSURE_PA) == (rho, cp)
    on_nodes = seawater.pure_water(np.array([node, table[6][0]]), water.CW_PRESSURE_PA)
    assert on_nodes[0].tolist() == [rho, table[6][2]] and on_nodes[1].tolist() == [cp, table[6][3]]
    direct = seawater.iapws95_liquid(np.array([node]), water.CW_PRESSURE_PA / 1e6)
    # the vectorised Newton solve stops when the whole array has converged: a lone state may
    # take one more step, which moves the last bits only
    assert rho == pytest.approx(direct[0][0], rel=1e-14) and cp == pytest.approx(direct[1][0], rel=1e-14)


_CALLS = itertools.count(1)


def _best_time(args: dict, repeats: int = 2) -> float:
    context = ExecutionContext()
    best = float("inf")
    for _ in range(repeats):
        # new states in every call of the module (no state cached by an earlier test)
        call = {**args, "cw_inlet_temp": args["cw_inlet_temp"] + 0.0137 * next(_CALLS)}
        t0 = time.perf_counter()
        out = execute("optimize_cooling_water_flow", call, context)
        best = min(best, time.perf_counter() - t0)
        assert out.error is None, out.error and out.error.text()
    return best


@pytest.mark.parametrize("water_type", ["sea", "brackish"])
def test_cw_flow_optimisation_on_sea_water_is_about_as_fast_as_on_fresh(water_type):
    """Was 10-150x slower (``iapws08.SeaWater`` evaluated ~3000 times a call); the goal is
    within 2x (benchmarks/run.py reports the ratio); 3x here leaves room for a shared machine."""
    execute("optimize_cooling_water_flow", {**GOOD, "water_type": water_type}, ExecutionContext())  # warm-up
    fresh = _best_time({**GOOD, "water_type": "fresh"})
    saline = _best_time({**GOOD, "water_type": water_type})
    assert saline < 3.0 * fresh, (saline, fresh)
