# SPDX-License-Identifier: MIT
"""One implementation: the heat-transfer chain on an array of rows (history) gives the very
floats of the chain on one row (the per-call tool), bit for bit; invalid rows are counted by
reason, never dropped."""

import math

import numpy as np
import pytest

import condensync_tools.tools.history  # noqa: F401  (registers analyze_performance_history)
from condensync_tools.calculators.errors import CalculationError
from condensync_tools.calculators.heat_transfer import HeatTransferInputs, analyse_heat_transfer
from condensync_tools.calculators.history import REASON_CODES, ROW_COLUMNS, HistoryDesign, analyse_rows
from condensync_tools.calculators.tubes import tube_bundle
from condensync_tools.registry import execute

REL = 1e-9
SCALAR_FIELDS = {
    "saturation_temp": "saturation_temp",
    "itd": "itd",
    "ttd": "ttd",
    "lmtd": "lmtd",
    "heat_duty": "heat_duty",
    "tube_velocity": "tube_velocity",
    "u_actual": "u_actual",
    "u_clean": "u_clean",
    "cleanliness_factor": "cleanliness_factor",
    "fouling_resistance": "fouling_resistance",
}


def random_rows(rng, n):
    t_in = 273.15 + 4.0 + 30.0 * rng.random(n)
    t_out = t_in + 2.0 + 12.0 * rng.random(n)
    flow = 4.0 + 12.0 * rng.random(n)
    p = 3000.0 + 12000.0 * rng.random(n)
    t_in[0] = (70.0 - 32.0) / 1.8 + 273.15  # HEI reference inlet: Fw = 1 exactly
    return t_in, t_out, flow, p


CASES = [  # method, caller fw, caller fm, material, gauge, salinity
    ("hei", 0.95, 0.0, "admiralty", 18, 0.0),
    ("hei", 0.0, 0.0, "cuni_90_10", 20, 0.0),
    ("hei", 0.0, 0.0, "duplex_2205", 22, 0.0),  # Fm derived (no public value)
    ("hei", 1.02, 0.93, "titanium", 22, 0.0),
    ("first_principles", 0.0, 0.0, "ss_304", 20, 0.0),
    ("hei", 0.0, 0.0, "titanium", 22, 0.03516504),
    ("first_principles", 0.0, 0.0, "cuni_70_30", 18, 0.010),
]


@pytest.mark.parametrize("method,fw,fm,mat,gauge,salinity", CASES)
def test_rows_equal_scalar_chain(method, fw, fm, mat, gauge, salinity):
    rng = np.random.default_rng(CASES.index((method, fw, fm, mat, gauge, salinity)))
    n = 40 if salinity else 120
    t_in, t_out, flow, p = random_rows(rng, n)
    bundle = tube_bundle(0.0254, gauge, 20000, 150, 2, 12.0)
    design = HistoryDesign(bundle, 0.0, mat, salinity, method, "hei_9th_10th", fw, fm, 0.0, 10)
    rows = analyse_rows(t_in, t_out, flow, p, design)
    cols = rows.columns
    checked = 0
    for i in range(n):
        x = HeatTransferInputs(
            t_in[i],
            t_out[i],
            flow[i],
            p[i],
            0.0,
            bundle,
            0.0,
            mat,
            salinity,
            method,
            "hei_9th_10th",
            fw,
            fm,
            0.0,
            0.0,
            10,
        )
        try:
            ref = analyse_heat_transfer(x)
        except CalculationError:
            assert rows.reason[i] != 0, i
            assert all(math.isnan(cols[k][i]) for k in ROW_COLUMNS)
            continue
        assert rows.reason[i] == 0, (i, rows.reason[i])
        for col, attr in SCALAR_FIELDS.items():
            assert cols[col][i] == getattr(ref, attr), (i, col)
        if rows.hei_fw is not None:
            assert rows.hei_fw[i] == ref.hei_fw
        if rows.hei_fm is not None:
            assert rows.hei_fm[i] == ref.hei_fm
        checked += 1
    assert checked > n // 3


TUBES_US = {
    "tube_od": 1.0,
    "tube_gauge_bwg": 18,
    "tube_material": "admiralty",
    "tube_count": 28000,
    "plugged_tubes": 300,
    "tube_passes": 2,
    "tube_length": 38.0,
}
TUBES_SI = {
    "tube_od": 22.225,
    "tube_gauge_bwg": 22,
    "tube_material": "titanium",
    "tube_count": 18000,
    "tube_passes": 1,
    "tube_length": 11.0,
}


def _series(rng, n, system):
    if system == "US":
        t_in = 45.0 + 40.0 * rng.random(n)
        t_out = t_in + 8.0 + 20.0 * rng.random(n)
        flow = 150_000.0 + 150_000.0 * rng.random(n)
        p = 1.2 + 2.8 * rng.random(n)
    else:
        t_in = 8.0 + 22.0 * rng.random(n)
        t_out = t_in + 5.0 + 10.0 * rng.random(n)
        flow = 30_000.0 + 40_000.0 * rng.random(n)
        p = 4.0 + 10.0 * rng.random(n)
    ts = [f"2024-05-{1 + i // 24:02d}T{i % 24:02d}:00:00Z" for i in range(n)]
    return (
        ts,
        [round(float(v), 4) for v in t_in],
        [round(float(v), 4) for v in t_out],
        [round(float(v), 1) for v in flow],
        [round(float(v), 5) for v in p],
    )


@pytest.mark.parametrize(
    "system,water,method,extra",
    [
        ("US", "fresh", "hei", {"hei_fw": 1.03}),
        ("US", "fresh", "first_principles", {}),
        ("SI", "sea", "hei", {}),
        ("SI", "sea", "first_principles", {}),
    ],
)
def test_tool_series_equals_per_call_tool(system, water, method, extra):
    """analyze_performance_history's inline series = calculate_heat_transfer_coefficient,
    row by row, in the caller's units (both rounded to 10 significant digits)."""
    rng = np.random.default_rng({"US": 1, "SI": 2}[system] + {"hei": 0, "first_principles": 10}[method])
    n = 24 if water == "fresh" else 12
    ts, t_in, t_out, flow, p = _series(rng, n, system)
    t_out[3] = t_in[3] - 0.5  # no rise
    p[5] = p[5] * 0.4  # likely ITD <= 0 or TTD <= 0
    design = {
        **(TUBES_US if system == "US" else TUBES_SI),
        "unit_system": system,
        "water_type": water,
        "clean_u_method": method,
        **extra,
    }
    out = execute(
        "analyze_performance_history",
        {
            **design,
            "timestamps": ts,
            "cw_inlet_temp": t_in,
            "cw_outlet_temp": t_out,
            "cw_flow": flow,
            "condenser_pressure": p,
            "series_output": "inline",
        },
    )
    assert out.error is None, out.error and out.error.text()
    series = out.result["series"]
    assert len(series) == n and out.result["rows_total"] == n
    compared = 0
    last_ok = None
    for i in range(n):
        single = execute(
            "calculate_heat_transfer_coefficient",
            {
                **design,
                "cw_inlet_temp": t_in[i],
                "cw_outlet_temp": t_out[i],
                "cw_flow": flow[i],
                "condenser_pressure": p[i],
            },
        )
        row = series[i]
        if single.error is not None:
            assert row["reason"] != "valid", (i, single.error.text())
            continue
        assert row["reason"] == "valid", (i, row)
        for key in SCALAR_FIELDS:
            assert row[key] == pytest.approx(single.result[key], rel=REL, abs=0), (i, key)
        compared += 1
        last_ok = single.result
    assert compared >= n // 2
    assert out.result["units"]["series[].u_actual"] == last_ok["units"]["u_actual"]


def test_invalid_rows_counted_by_reason():
    b = tube_bundle(0.0254, 18, 20000, 0, 2, 12.0)
    d = HistoryDesign(b, fw=1.0)
    base = (293.15, 303.15, 10.0, 6000.0)  # valid: T_sat 36.2 °C
    rows = [base] * 12
    rows[1] = (293.15, float("nan"), 10.0, 6000.0)  # missing_value
    rows[2] = (293.15, 303.15, 0.0, 6000.0)  # non_positive_flow
    rows[3] = (293.15, 303.15, 10.0, 80_000.0)  # implausible (atmospheric)
    rows[4] = (293.15, 303.15, 10.0, 2000.0)  # T_sat 17.5 °C: itd <= 0
    rows[5] = (293.15, 293.15, 10.0, 6000.0)  # no rise
    rows[6] = (293.15, 310.15, 10.0, 6000.0)  # outlet above T_sat: ttd <= 0
    rows[7] = (293.15, 303.15, 10.0, 6000.0)  # bad quality (pre-set)
    rows[8] = (293.15, 303.15, 0.006, 6000.0)  # plausible but laminar
    rows[9] = (293.15, 309.15, 60.0, 6000.0)  # huge duty, TTD 1 K: CF > 1.5
    t_in, t_out, flow, p = (np.array(c) for c in zip(*rows, strict=False))
    reason = np.zeros(12, dtype=np.int8)
    reason[7] = REASON_CODES["bad_quality"]
    from condensync_tools.tools.history import ROW_LIMITS

    r = analyse_rows(t_in, t_out, flow, p, d, reason=reason, limits=ROW_LIMITS)
    assert r.reason_counts() == {
        "bad_quality": 1,
        "missing_value": 1,
        "non_positive_flow": 1,
        "implausible_value": 1,
        "itd_not_positive": 1,
        "no_temperature_rise": 1,
        "ttd_not_positive": 1,
        "laminar_tube_flow": 1,
        "cleanliness_above_limit": 1,
    }
    assert r.valid.sum() == 3 and r.valid[[0, 10, 11]].all()
    expected = [
        "valid",
        "missing_value",
        "non_positive_flow",
        "implausible_value",
        "itd_not_positive",
        "no_temperature_rise",
        "ttd_not_positive",
        "bad_quality",
        "laminar_tube_flow",
        "cleanliness_above_limit",
        "valid",
        "valid",
    ]
    names = {v: k for k, v in REASON_CODES.items()}
    assert [names[c] for c in r.reason] == expected
    assert np.isnan(r.column("cleanliness_factor")[~r.valid]).all()
    assert np.isfinite(r.column("cleanliness_factor")[r.valid]).all()
