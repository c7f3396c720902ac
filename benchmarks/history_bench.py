# SPDX-License-Identifier: MIT
"""History-analysis benchmarks (and the synthetic history they use).

Figures, each a ratio against a baseline measured in the same run (see benchmarks/README.md):

* vectorised history analysis (``analyse_history``: rows + daily aggregates + percentiles +
  trend) vs a per-row loop with ``iapws.IAPWS97`` objects on a sample, scaled to rows/s;
  HEI with caller-supplied Fw (goal: >= 1000x and >= 5 million rows/s), derived Fw and first
  principles (reported);
* peak memory of the 1M-row analysis (tracemalloc) vs the size of its input arrays (goal <= 3x).

Also usable on its own::

    python benchmarks/history_bench.py [--quick] [--rows N] [--csv OUT.csv --csv-rows N]

``--csv`` writes a synthetic history CSV (US units) for ``condensync analyze``.
"""

from __future__ import annotations

import argparse
import gc
import math
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from condensync_tools.calculators import hei  # noqa: E402
from condensync_tools.calculators import water as v97  # noqa: E402
from condensync_tools.calculators.constants import BTU_H_FT2_F_W_M2_K, FT_M, GPM_M3_S, INCH_M  # noqa: E402
from condensync_tools.calculators.history import DAY_MS, HistoryDesign, analyse_history  # noqa: E402
from condensync_tools.calculators.tubes import material, tube_bundle  # noqa: E402

#: The benchmark condenser (500 MW class, two-pass, admiralty), in tool arguments (US).
DESIGN_ARGS = {
    "tube_od": 1.0,
    "tube_gauge_bwg": 18,
    "tube_material": "admiralty",
    "tube_count": 28000,
    "plugged_tubes": 300,
    "tube_passes": 2,
    "tube_length": 38.0,
}
START_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z


def bundle():
    a = DESIGN_ARGS
    return tube_bundle(
        a["tube_od"] * INCH_M,
        a["tube_gauge_bwg"],
        a["tube_count"],
        a["plugged_tubes"],
        a["tube_passes"],
        a["tube_length"] * FT_M,
    )


def design(method: str = "hei", fw: float = 1.0) -> HistoryDesign:
    """HEI with caller Fw (fw > 0), HEI with derived Fw (fw = 0), or first principles."""
    return HistoryDesign(bundle(), clean_u_method=method, fw=fw if method == "hei" else 0.0)


def synthetic_history(n: int, days: float = 120.0, seed: int = 7, invalid_fraction: float = 0.005) -> dict:
    """Condenser data (SI; 120 days by default) whose cleanliness falls as Kern–Seaton fouling,
    CF(t) = 0.92 − 0.22·(1 − e^(−t/120 d)), with seasonal inlet temperature, noise and a few
    invalid rows (gaps, bad quality, stratified outlet, pump trips).

    Pressures are built forward from the HEI clean U (C1·√V, Fw = Fm = 1) and the NTU chain,
    so the analysis recovers CF on clean rows.
    """
    rng = np.random.default_rng(seed)
    ts = START_MS + np.round(np.linspace(0.0, days * DAY_MS, n, endpoint=False)).astype(np.int64)
    t_days = (ts - START_MS) / DAY_MS
    t_in_f = 70.0 + 12.0 * np.sin(2 * math.pi * (t_days - 100.0) / 365.0) + 3.0 * np.sin(2 * math.pi * t_days)
    flow_gpm = 230_000.0 * (1.0 + 0.02 * rng.standard_normal(n))
    rise_f = 18.0 * (1.0 + 0.03 * rng.standard_normal(n))
    t_in = (t_in_f - 32.0) / 1.8 + 273.15
    rise = rise_f / 1.8
    q = flow_gpm * GPM_M3_S
    b = bundle()
    velocity = q / b.flow_area
    u_clean = hei.c1(b.od) * np.sqrt(velocity / FT_M) * BTU_H_FT2_F_W_M2_K
    cf = 0.92 - 0.22 * (1.0 - np.exp(-t_days / 120.0)) + 0.01 * rng.standard_normal(n)
    rho, _ = v97.density_cp(t_in)
    _, cp = v97.density_cp(t_in + 0.5 * rise)
    ntu = cf * u_clean * b.outside_area / (q * rho * cp)
    ttd = rise / np.expm1(ntu)
    t_sat = t_in + rise + ttd
    pressure = v97.psat_t(t_sat)
    t_out = t_in + rise + 0.05 * rng.standard_normal(n)
    quality = np.zeros(n, dtype=np.int8)
    k = int(n * invalid_fraction)
    if k:
        pick = rng.choice(n, size=4 * k, replace=False)
        gap, bad, strat, trip = pick[:k], pick[k : 2 * k], pick[2 * k : 3 * k], pick[3 * k :]
        t_out[gap] = np.nan
        quality[bad] = 2
        t_out[strat] = t_sat[strat] + 0.3
        q[trip] = 0.0
    return {
        "timestamp_ms": ts,
        "t_in": t_in,
        "t_out": t_out,
        "flow": q,
        "pressure": pressure,
        "quality": quality,
    }


def write_csv(path: Path, data: dict, chunk: int = 200_000) -> None:
    """The synthetic history as a CSV in US units (°F, gpm, inHgA), as a historian exports it."""
    from condensync_tools.tools.history_io import format_timestamps

    labels = np.array(["good", "uncertain", "bad"])
    n = data["timestamp_ms"].size
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("timestamp,cw_inlet_temp,cw_outlet_temp,cw_flow,condenser_pressure,quality\n")
        for s in range(0, n, chunk):
            e = min(s + chunk, n)
            cols = [
                format_timestamps(data["timestamp_ms"][s:e]),
                ["" if math.isnan(v) else f"{v:.3f}" for v in ((data["t_in"][s:e] - 273.15) * 1.8 + 32).tolist()],
                ["" if math.isnan(v) else f"{v:.3f}" for v in ((data["t_out"][s:e] - 273.15) * 1.8 + 32).tolist()],
                [f"{v:.1f}" for v in (data["flow"][s:e] / GPM_M3_S).tolist()],
                [f"{v:.5f}" for v in (data["pressure"][s:e] / 3386.389).tolist()],
                labels[data["quality"][s:e]].tolist(),
            ]
            fh.write("\n".join(map(",".join, zip(*cols, strict=False))) + "\n")


# --------------------------------------------------------------------------- baseline
def _iapws_row(
    t_in: float, t_out: float, q: float, p: float, method: str, fw: float, b, k_wall: float, c1: float
) -> float:
    """One row the way a per-row script does it with ``iapws.IAPWS97`` objects; returns CF."""
    from iapws import IAPWS97

    t_sat = IAPWS97(P=p / 1e6, x=0).T
    itd, ttd = t_sat - t_in, t_sat - t_out
    lmtd = (itd - ttd) / math.log(itd / ttd)
    w_in = IAPWS97(T=t_in, P=0.2)
    t_mean = 0.5 * (t_in + t_out)
    w_m = IAPWS97(T=t_mean, P=0.2)
    cp = w_m.cp * 1e3
    duty = q * w_in.rho * cp * (t_out - t_in)
    u_actual = duty / (b.outside_area * lmtd)
    v = q / b.flow_area
    u1 = c1 * math.sqrt(v / FT_M) * BTU_H_FT2_F_W_M2_K
    if method == "hei" and fw > 0.0:
        return u_actual / (u1 * fw)

    def tube_h(t_bulk: float, w=None) -> float:
        w = w or IAPWS97(T=t_bulk, P=0.2)
        re = w.rho * v * b.id / w.mu
        fd = (0.790 * math.log(re) - 1.64) ** -2
        pr = w.cp * 1e3 * w.mu / w.k
        nu = (fd / 8) * (re - 1e3) * pr / (1 + 12.7 * (fd / 8) ** 0.5 * (pr ** (2 / 3) - 1))
        return nu * w.k / b.id

    r_tube = b.od / (b.id * tube_h(t_mean, w_m))
    r_wall = b.od * math.log(b.od / b.id) / (2 * k_wall)
    sat_l, sat_v = IAPWS97(P=p / 1e6, x=0), IAPWS97(P=p / 1e6, x=1)
    h_fg = (sat_v.h - sat_l.h) * 1e3
    driving = max(t_sat - t_mean, 0.05)
    dt = 0.3 * driving
    for t_film in (t_sat, None):
        f = IAPWS97(T=min(max(t_film if t_film is not None else t_sat - 0.5 * dt, 273.16), 353.15), P=0.2)
        a = 0.725 * (9.80665 * f.rho * (f.rho - sat_v.rho) * f.k**3 / (f.mu * b.od)) ** 0.25 * 10 ** (-1 / 6)
        c68 = 0.68 * f.cp * 1e3
        r_other = r_wall + r_tube
        dt = 0.3 * driving
        for _ in range(60):
            g = (h_fg + c68 * dt) ** 0.25
            fx = a * g * dt**0.75 * r_other + dt - driving
            dfx = a * r_other * (0.75 * g * dt**-0.25 + 0.25 * c68 * dt**0.75 / g**3) + 1.0
            new = min(max(dt - fx / dfx, 0.5 * dt), 0.5 * (dt + driving))
            if abs(new - dt) <= 1e-12 * driving:
                dt = new
                break
            dt = new
    h_shell = a * ((h_fg + c68 * dt) / dt) ** 0.25
    u_fp = 1.0 / (1.0 / h_shell + r_wall + r_tube)
    if method == "first_principles":
        return u_actual / u_fp
    t_ref = (70.0 - 32.0) / 1.8 + 273.15
    r_ref = b.od / (b.id * tube_h(t_ref + 0.5 * (t_out - t_in)))
    fw_d = (1 / h_shell + r_wall + r_ref) / (1 / h_shell + r_wall + r_tube)
    return u_actual / (u1 * fw_d)


def baseline_rate(
    data: dict, valid: np.ndarray, sample: int, method: str, fw: float
) -> tuple[float, np.ndarray, np.ndarray]:
    """Rows/s of the per-row IAPWS97 loop on the first ``sample`` valid rows; also the
    indices and CFs (for an agreement check)."""
    b = bundle()
    k_wall = material("admiralty")["conductivity"]
    c1 = hei.c1(b.od)
    ok = np.flatnonzero(valid)[:sample]
    cfs = np.empty(ok.size)
    started = time.perf_counter()
    for j, i in enumerate(ok):
        cfs[j] = _iapws_row(
            float(data["t_in"][i]),
            float(data["t_out"][i]),
            float(data["flow"][i]),
            float(data["pressure"][i]),
            method,
            fw,
            b,
            k_wall,
            c1,
        )
    return ok.size / (time.perf_counter() - started), ok, cfs


# --------------------------------------------------------------------------- vectorised
def run_analysis(data: dict, d: HistoryDesign):
    reason = np.where(data["quality"] == 2, np.int8(2), np.int8(0)).astype(np.int8)
    return analyse_history(
        data["timestamp_ms"], data["t_in"], data["t_out"], data["flow"], data["pressure"], d, reason=reason
    )


def vector_rate(data: dict, d: HistoryDesign, repeats: int) -> tuple[float, object]:
    """Best-of-``repeats`` rows/s of the whole vectorised analysis (after one warm-up)."""
    n = data["timestamp_ms"].size
    small = {k: v[:2000] for k, v in data.items()}
    run_analysis(small, d)
    best = math.inf
    result = None
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        result = run_analysis(data, d)
        best = min(best, time.perf_counter() - t0)
    return n / best, result


def peak_memory(data: dict, d: HistoryDesign) -> tuple[float, float]:
    """(tracemalloc peak of one analysis [bytes], size of its input arrays [bytes])."""
    inputs = sum(data[k].nbytes for k in ("timestamp_ms", "t_in", "t_out", "flow", "pressure"))
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    run_analysis(data, d)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return float(peak), float(inputs)


@dataclass
class Figure:
    """One benchmark figure: value, its baseline, their ratio and the goal."""

    name: str
    value: float
    unit: str
    baseline: float
    baseline_label: str
    ratio: float
    goal: str
    met: bool | None

    def line(self) -> str:
        mark = "" if self.met is None else ("  [goal met]" if self.met else "  [goal MISSED]")
        return (
            f"{self.name:<44} {self.value:>14,.0f} {self.unit:<9} vs {self.baseline_label} "
            f"{self.baseline:,.1f}: ratio {self.ratio:,.2f}  (goal {self.goal}){mark}"
        )


def run(quick: bool = False, rows: int | None = None) -> list[Figure]:
    """All history figures. Full: 1,000,000 rows, IAPWS97 samples of 10,000 (HEI) and 2,000
    (derived Fw, first principles). Quick: 20,000 rows, samples of 100 and 20."""
    n = rows or (20_000 if quick else 1_000_000)
    sample = 100 if quick else 10_000
    sample_slow = 20 if quick else 2_000
    repeats = 2 if quick else 3
    data = synthetic_history(n)
    figures = []
    for label, method, fw, smp in (
        ("HEI, caller Fw", "hei", 1.0, sample),
        ("HEI, derived Fw", "hei", 0.0, sample_slow),
        ("first principles", "first_principles", 0.0, sample_slow),
    ):
        d = design(method, fw)
        rate, result = vector_rate(data, d, repeats if label.startswith("HEI, caller") else 1)
        base, idx, cf_base = baseline_rate(data, result.rows.valid, smp, method, fw)
        agree = float(np.max(np.abs(result.rows.columns["cleanliness_factor"][idx] / cf_base - 1.0)))
        ratio = rate / base
        goal_rate = label.startswith("HEI, caller")
        figures.append(
            Figure(
                f"history {label}: rows/s ({n:,} rows)",
                rate,
                "rows/s",
                base,
                f"IAPWS97 loop ({smp:,} rows)",
                ratio,
                ">= 1000x and >= 5,000,000 rows/s" if goal_rate else "report",
                (ratio >= 1000 and rate >= 5e6) if goal_rate else None,
            )
        )
        figures[-1].name += f" [max |CF/CF_loop - 1| = {agree:.1e}]"
    peak, inputs = peak_memory(data, design("hei", 1.0))
    figures.append(
        Figure(
            f"history peak memory ({n:,} rows, tracemalloc)",
            peak / 1e6,
            "MB",
            inputs / 1e6,
            "input arrays MB",
            peak / inputs,
            "<= 3x input",
            peak / inputs <= 3.0,
        )
    )
    return figures


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--rows", type=int)
    p.add_argument("--csv", help="write a synthetic history CSV (US units) here and exit")
    p.add_argument("--csv-rows", type=int, default=1_000_000)
    a = p.parse_args()
    if a.csv:
        t0 = time.perf_counter()
        write_csv(Path(a.csv), synthetic_history(a.csv_rows))
        print(f"wrote {a.csv_rows:,} rows to {a.csv} in {time.perf_counter() - t0:.1f} s")
        return
    for f in run(a.quick, a.rows):
        print(f.line())


if __name__ == "__main__":
    main()
