# SPDX-License-Identifier: MIT
"""Vectorised condenser performance history: the heat-transfer test chain on every row of a
time series, daily aggregates, percentiles, the fouling trend and the cleaning forecast.

Per row this is :func:`~condensync_tools.calculators.heat_transfer.analyse_heat_transfer`
evaluated on numpy arrays instead of a Python loop: the row chain calls the very functions the
per-call chain calls on floats (:mod:`.water`, :mod:`.first_principles`, :mod:`.hei`, the
limits of :mod:`.constants`), in the same order of checks, so each valid row equals the
per-call result bit for bit (tests/test_history_rows.py; docs/methods.md §10.5):

1. T_sat(P) (IF97 Eq. 31); ITD = T_sat − T_in; TTD = T_sat − T_out;
2. LMTD = (ITD − TTD)/ln(ITD/TTD); Q = ρ(T_in)·Q_vol·cp(T_mean)·(T_out − T_in);
3. U_actual = Q/(A·LMTD); V = Q_vol/flow area of one pass;
4. U_clean: HEI C1·√V·Fw·Fm (Fw/Fm from the caller, the public table or derived by
   :func:`.first_principles.fw_from_resistances`) or first principles
   (:func:`.first_principles.shell_side_clean_u`: Gnielinski, wall, Nusselt/Kern film);
5. CF = U_actual/U_clean; R_f = 1/U_actual − 1/U_clean.

A row the scalar chain would refuse is not dropped: it is *invalid* with a reason code
(:data:`REASONS`), counted and reported; its numeric outputs are NaN.

Aggregation: per UTC day (count, valid count, mean/min/max of chosen columns, time centroid),
percentiles over all valid rows, and the fouling trend on the daily points with
:mod:`.fouling` (linear and Kern–Seaton fits, model choice, days until the cleaning trigger).

Pure numpy (+ the scalar calculators for design constants); no I/O, no clock.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import cycles, fouling, hei, water
from . import first_principles as fp
from .constants import (
    CF_MAX,
    FT_M,
    RE_LAMINAR,
    REFERENCE_INLET_TEMP_K,
    REFERENCE_INLET_TOLERANCE_K,
    TTD_WARN_K,
)
from .errors import CalculationError, DomainError
from .first_principles import DEFAULT_BANK_ROWS
from .heat_transfer import lmtd_unchecked
from .tubes import TubeBundle, gauge_of_wall, material
from .vacuum import CondenserModel, expected_backpressure

__all__ = [
    "REASONS",
    "REASON_CODES",
    "RowLimits",
    "HistoryDesign",
    "RowResults",
    "analyse_rows",
    "DailyTable",
    "daily_aggregates",
    "percentiles",
    "PERCENTILES",
    "TrendResult",
    "fit_trend",
    "DAY_MS",
    "ROW_COLUMNS",
    "STORED_COLUMNS",
    "DayGrouping",
    "MISSING_TIMESTAMP",
    "SUMMARY_COLUMNS",
    "TREND_COLUMNS",
    "HistoryAnalysis",
    "analyse_history",
]

DAY_MS = 86_400_000
#: Timestamp value [ms] of a row whose timestamp is missing or unparseable (as NaT).
MISSING_TIMESTAMP = int(np.iinfo(np.int64).min)
#: Percentiles reported for each distribution [%].
PERCENTILES = (5.0, 25.0, 50.0, 75.0, 95.0)
#: Rows per block inside a chunk: large enough to amortise numpy's per-call overhead (measured on
#: 1M rows: 65,536 is about 20 % faster than 16,384 on every path), small enough that the temporaries
#: stay within a few MB.
BLOCK_ROWS = 65_536
#: Rows per block when blocks run on several threads (fewer GIL hand-overs per row).
THREAD_BLOCK_ROWS = 65_536
#: Per-row output columns (SI), in series-file order.
ROW_COLUMNS = (
    "saturation_temp",
    "itd",
    "ttd",
    "lmtd",
    "heat_duty",
    "tube_velocity",
    "u_actual",
    "u_clean",
    "cleanliness_factor",
    "fouling_resistance",
)
#: The row columns kept in memory; the rest are derived on request (:meth:`RowResults.column`).
STORED_COLUMNS = ("saturation_temp", "heat_duty", "u_actual", "u_clean")

#: Invalid-row reasons: code → (id, explanation with the likely cause). Code 0 = valid.
REASONS: tuple[tuple[str, str], ...] = (
    ("valid", "valid row"),
    ("bad_timestamp", "timestamp missing or not ISO 8601; likely cause: export format or a gap filler"),
    (
        "bad_quality",
        "quality flag bad (or uncertain, unless accepted); likely cause: historian marked the "
        "sample bad (sensor fault, communication loss)",
    ),
    (
        "missing_value",
        "a measurement is missing or not a number; likely cause: historian gap or text in a numeric column",
    ),
    (
        "non_positive_flow",
        "CW flow is zero or negative; likely cause: pumps off, unit offline or a failed flow meter",
    ),
    (
        "implausible_value",
        "a measurement is outside the sane plant range (CW temperature 0-60 °C, flow "
        "0.005-60 m³/s, absolute pressure 0.7-30 kPa); likely cause: unit mix-up, gauge vacuum "
        "recorded as absolute, or a failed sensor",
    ),
    (
        "itd_not_positive",
        "CW inlet at or above the saturation temperature (ITD <= 0); likely cause: wrong "
        "pressure tap or unit, or an inlet RTD fault",
    ),
    (
        "no_temperature_rise",
        "CW outlet not above inlet (no rise): LMTD and U undefined; likely cause: RTDs "
        "swapped, CW flow stopped, or a failed sensor",
    ),
    (
        "ttd_not_positive",
        "CW outlet at or above the saturation temperature (TTD <= 0); likely cause: outlet "
        "RTD stratified or misplaced, or wrong condenser pressure tap",
    ),
    (
        "laminar_tube_flow",
        "tube-side flow is laminar (Re < 2300): the turbulent correlation does not apply; "
        "likely cause: very low CW flow or a wrong tube count",
    ),
    (
        "cleanliness_above_limit",
        "cleanliness factor above 1.5: measured U implausibly above clean U; likely "
        "cause: CW flow overstated, outlet RTD reading high, or surface area understated",
    ),
)
REASON_CODES = {name: code for code, (name, _) in enumerate(REASONS)}
_OK, _BAD_TS, _BAD_Q, _MISSING, _FLOW, _IMPLAUSIBLE, _ITD, _RISE, _TTD, _LAMINAR, _CF = range(len(REASONS))
#: Per-row warning counters of :class:`RowResults`.
WARNING_COUNTS = ("ttd_below_warning", "cleanliness_above_1", "velocity_outside_hei_range", "fw_derived")


@dataclass(frozen=True, slots=True)
class RowLimits:
    """Sane ranges a row must lie in (SI); outside → ``implausible_value``. Defaults are the
    cooling-water property range of :mod:`.water`; the tool passes its plant ranges."""

    cw_temp: tuple[float, float] = (273.15, 353.15)  #: [K]
    cw_flow: tuple[float, float] = (0.0, math.inf)  #: [m³/s]
    pressure: tuple[float, float] = (611.657, 1.0e6)  #: absolute [Pa]


@dataclass(frozen=True)
class HistoryDesign:
    """Condenser design data shared by every row (SI), as in
    :class:`~condensync_tools.calculators.heat_transfer.HeatTransferInputs`."""

    bundle: TubeBundle
    surface_area: float = 0.0  #: effective outside area [m²]; 0 → from the bundle
    tube_material: str = "admiralty"
    salinity: float = 0.0  #: [kg/kg]
    clean_u_method: str = "hei"
    hei_edition: str = "hei_9th_10th"
    fw: float = 0.0  #: caller's HEI Fw; 0 → derived per row
    fm: float = 0.0  #: caller's HEI Fm; 0 → table, else derived from it (hei.fm_factor)
    design_cleanliness: float = 0.0  #: Fc; 0 → default by material
    bank_rows: int = DEFAULT_BANK_ROWS

    @property
    def area(self) -> float:
        """Effective outside area used [m²] (the given one, else active tubes × π·OD·L)."""
        if self.surface_area > 0.0:
            return self.surface_area
        if self.bundle.length <= 0.0:
            raise DomainError(
                "surface_area",
                "no effective surface area: give surface_area, or tube_count, tube_od and tube_length",
            )
        return self.bundle.outside_area


@dataclass(frozen=True)
class _Plan:
    """Constants of one analysis, derived once from the design (scalars)."""

    d_o: float
    d_i: float
    flow_area: float
    area: float
    r_wall: float
    salinity: float
    hei: bool
    u1_factor: float  #: C1·BTU→SI, U1 = factor·√(V/ft)
    fw: float  #: > 0: fixed (caller)
    fw_basis: str
    fm: float  #: > 0 for HEI: caller, table or derived (hei.fm_factor)
    fm_basis: hei.FactorBasis
    fm_detail: str
    rows_factor: float  #: N^(-1/6)
    need_fp: bool  #: first-principles resistances needed on every row
    laminar_vd: float  #: V·D_i above which Re > 2300 for any cooling water in range [m²/s]


def _plan(design: HistoryDesign) -> _Plan:
    b = design.bundle
    d_o, d_i = b.od, b.id
    r_wall = fp.wall_resistance(d_o, d_i, material(design.tube_material)["conductivity"])
    is_hei = design.clean_u_method == "hei"
    if design.clean_u_method not in ("hei", "first_principles"):
        raise DomainError("clean_u_method", f"unknown clean U method {design.clean_u_method!r}")
    u1_factor = hei.c1(d_o, design.hei_edition) if is_hei else 0.0
    fm, fm_basis, fm_detail = design.fm, hei.FactorBasis.CALLER, "supplied by the caller"
    if is_hei and fm <= 0.0:  # table, or derived from it: a constant of the tube (hei.fm_factor)
        factor = hei.fm_factor(design.tube_material, gauge_of_wall(b.wall), d_o, design.hei_edition)
        fm, fm_basis, fm_detail = factor.value, factor.basis, factor.detail
    fw_basis = "caller" if design.fw > 0.0 else "derived"
    need_fp = (not is_hei) or design.fw <= 0.0 or fm <= 0.0
    # Re = ρ·V·D/μ ≥ (960 kg/m³ / 2.5e-3 Pa·s)·V·D for any water at 0-80 °C up to 120 g/kg: a
    # conservative bound, so only rows below it need the exact Reynolds number (fast path).
    laminar_vd = RE_LAMINAR * 2.5e-3 / 960.0
    return _Plan(
        d_o,
        d_i,
        b.flow_area,
        design.area,
        r_wall,
        design.salinity,
        is_hei,
        u1_factor,
        design.fw,
        fw_basis,
        fm,
        fm_basis,
        fm_detail,
        fp.bank_factor(design.bank_rows),
        need_fp,
        laminar_vd,
    )


@dataclass
class RowResults:
    """Per-row results (SI; NaN on invalid rows) and counts.

    ``reason``: int8 code per row (:data:`REASONS`, 0 = valid). Only the base columns
    (:data:`STORED_COLUMNS`) are stored; the others are recomputed on request from them and
    the inputs with the very operations of the row chain (the same bits), which keeps the
    memory of a long series near its input size.
    """

    reason: np.ndarray
    stored: dict[str, np.ndarray]
    inputs: dict[str, np.ndarray]  #: t_in, t_out, flow (the caller's arrays, not copied)
    flow_area: float
    hei_fw: np.ndarray | None = None  #: per-row derived Fw (derived-Fw runs only)
    hei_fm: np.ndarray | None = None  #: per-row derived Fm (derived-Fm runs only)
    method: dict = field(default_factory=dict)
    warning_counts: dict[str, int] = field(default_factory=dict)
    design_cleanliness: float = 0.0
    hei_fw_value: float | None = None  #: Fw used on every row (caller's), HEI only
    hei_fm_value: float | None = None  #: Fm used on every row (caller's or table), HEI only
    #: where the HEI Fm and C1 came from (Fw: None, derived per row, unless the caller's); None:
    #: first principles. The warnings it calls for are :func:`~.hei.hei_basis_warnings`.
    hei_basis: hei.HeiBasis | None = None

    @property
    def valid(self) -> np.ndarray:
        return self.reason == 0

    @property
    def size(self) -> int:
        return int(self.reason.size)

    def reason_counts(self) -> dict[str, int]:
        """Rows per reason code name (invalid reasons only, zero counts omitted)."""
        counts = np.bincount(self.reason, minlength=len(REASONS))
        return {REASONS[i][0]: int(c) for i, c in enumerate(counts) if i and c}

    def column(self, name: str, start: int = 0, stop: int | None = None) -> np.ndarray:
        """One of :data:`ROW_COLUMNS` for rows [start, stop) (NaN where invalid)."""
        sl = slice(start, stop)
        if name in self.stored:
            return self.stored[name][sl]
        s = self.stored
        with np.errstate(all="ignore"):
            if name == "itd":
                return s["saturation_temp"][sl] - self.inputs["t_in"][sl]
            if name == "ttd":
                return s["saturation_temp"][sl] - self.inputs["t_out"][sl]
            if name == "lmtd":
                return lmtd_unchecked(self.column("itd", start, stop), self.column("ttd", start, stop))
            if name == "tube_velocity":
                v = self.inputs["flow"][sl] / self.flow_area
                v[self.reason[sl] != 0] = np.nan
                return v
            if name == "cleanliness_factor":
                return s["u_actual"][sl] / s["u_clean"][sl]
            if name == "fouling_resistance":
                rf = 1.0 / s["u_actual"][sl]
                rf -= 1.0 / s["u_clean"][sl]
                return rf
        raise KeyError(f"unknown row column {name!r}; expected one of {ROW_COLUMNS}")

    @property
    def columns(self) -> dict[str, np.ndarray]:
        """Every row column (computed; for short series and tests)."""
        return {name: self.column(name) for name in ROW_COLUMNS}


def _explain(
    reason: np.ndarray,
    rows: np.ndarray,
    t_in: np.ndarray,
    t_out: np.ndarray,
    flow: np.ndarray,
    pressure: np.ndarray,
    itd: np.ndarray,
    ttd: np.ndarray,
    limits: RowLimits,
) -> None:
    """Reason codes of the rejected ``rows`` (indices), in the order the per-call tool checks:
    missing → flow → plausibility → ITD → rise → TTD → LMTD domain."""
    ti, to, q, pp, i_, t_ = t_in[rows], t_out[rows], flow[rows], pressure[rows], itd[rows], ttd[rows]
    lo_t, hi_t = limits.cw_temp
    lo_q, hi_q = limits.cw_flow
    lo_p, hi_p = limits.pressure
    code = np.full(rows.size, _RISE, dtype=np.int8)  # itd <= ttd: no rise (rounding at equal temperatures)
    checks = (
        (~(np.isfinite(ti) & np.isfinite(to) & np.isfinite(q) & np.isfinite(pp)), _MISSING),
        (q <= 0.0, _FLOW),
        (
            ~(
                (ti >= lo_t)
                & (ti <= hi_t)
                & (to >= lo_t)
                & (to <= hi_t)
                & (q >= lo_q)
                & (q <= hi_q)
                & (pp >= lo_p)
                & (pp <= hi_p)
            ),
            _IMPLAUSIBLE,
        ),
        (i_ <= 0.0, _ITD),
        (to <= ti, _RISE),
        (t_ <= 0.0, _TTD),
    )
    for failed, value in reversed(checks):
        code[failed] = value
    reason[rows] = code


@dataclass
class _Rows:
    """The measurements and first results of the rows a block evaluates (all rows of the
    block, or the good ones: ``idx``), with the rows still valid and the chain's own reasons."""

    ti: np.ndarray
    to: np.ndarray
    q: np.ndarray
    pp: np.ndarray
    ts: np.ndarray
    itd: np.ndarray
    ttd: np.ndarray
    idx: np.ndarray | None  #: indices in the block; None = every row of the block
    ok: np.ndarray | None  #: rows still valid; None = all
    pre_ok: np.ndarray | None = None  #: ``ok`` before the chain's own checks
    codes: np.ndarray | None = None  #: reason codes set by :meth:`reject`

    def __post_init__(self) -> None:
        self.pre_ok = self.ok

    @property
    def size(self) -> int:
        return self.ti.size

    def reject(self, mask: np.ndarray, code: int) -> None:
        """Mark the still-valid rows of ``mask`` invalid with ``code``."""
        if self.ok is not None:
            mask = mask & self.ok
        if not mask.any():
            return
        if self.codes is None:
            self.codes = np.zeros(self.size, dtype=np.int8)
        self.ok = ~mask if self.ok is None else self.ok & ~mask
        self.codes[mask] = code

    def count(self, mask: np.ndarray) -> int:
        """Valid rows of ``mask``."""
        return int(np.count_nonzero(mask if self.ok is None else mask & self.ok))

    def write_reasons(self, reason: np.ndarray) -> None:
        """The chain's reason codes into the block's ``reason`` array."""
        if self.codes is None:
            return
        if self.idx is None:
            hit = ~self.ok if self.pre_ok is None else self.pre_ok & ~self.ok
            reason[hit] = self.codes[hit]
        else:
            reason[self.idx] = np.where(self.ok, reason[self.idx], self.codes)


def _screen(limits: RowLimits, t_in, t_out, flow, pressure, reason) -> tuple[np.ndarray, ...]:
    """(T_sat, ITD, TTD, good): the checks of the per-call tool on every row at once (NaN fails
    every comparison): plant ranges, flow > 0, TTD > 0, ITD > TTD, rise > 0."""
    t_sat = water.tsat_p(pressure)
    itd = t_sat - t_in
    ttd = t_sat - t_out
    good = reason == _OK
    for x, (lo, hi) in (
        (t_in, limits.cw_temp),
        (t_out, limits.cw_temp),
        (flow, limits.cw_flow),
        (pressure, limits.pressure),
    ):
        good &= x >= lo
        good &= x <= hi
    good &= flow > 0.0
    good &= ttd > 0.0
    good &= itd > ttd
    good &= t_out > t_in
    return t_sat, itd, ttd, good


def _select(p: _Plan, limits: RowLimits, block: tuple, reason: np.ndarray, outputs: list) -> _Rows | None:
    """Screen a block; explain the rows that fail. The iterative paths (first principles, sea
    water) then evaluate only the good rows; the closed-form path evaluates every row and keeps
    the good ones. None when no row is left."""
    t_in, t_out, flow, pressure = block
    t_sat, itd, ttd, good = _screen(limits, t_in, t_out, flow, pressure, reason)
    idx = ok = None
    if not good.all():
        _explain(reason, np.flatnonzero(~good & (reason == _OK)), t_in, t_out, flow, pressure, itd, ttd, limits)
        if p.need_fp or p.salinity > 0.0:
            idx = np.flatnonzero(good)
            for a in outputs:
                a.fill(np.nan)
            if idx.size == 0:
                return None
        else:
            ok = good
    cols = (t_in, t_out, flow, pressure, t_sat, itd, ttd)
    return _Rows(*(cols if idx is None else (a[idx] for a in cols)), idx=idx, ok=ok)


def _measured(p: _Plan, r: _Rows, out: dict[str, np.ndarray] | None):
    """Duty, U_actual, velocity, mean CW temperature, rise, and (first principles) the tube-side
    coefficient, as the per-call chain: Q = ρ(T_in)·Q_vol·cp(T_mean)·(T_out − T_in),
    U = Q/(A·LMTD). The laminar check (Re < 2300) is applied here."""
    log_mean = lmtd_unchecked(r.itd, r.ttd)
    t_mean = (r.ti + r.to) * 0.5
    rise = r.to - r.ti
    velocity = r.q / p.flow_area
    s, re, h_tube = p.salinity, None, None
    rho_in = water.density(r.ti, s)
    if p.need_fp:
        h_tube, re, props = fp.tube_side(velocity, p.d_i, t_mean, s)
        cp_mean = props.cp
    else:
        cp_mean = water.heat_capacity(t_mean, s)
        slow = velocity * p.d_i < p.laminar_vd  # only these rows can be laminar
        if r.ok is not None:
            slow &= r.ok
        if slow.any():
            re = np.full(r.size, np.inf)
            re[slow] = fp.reynolds(water.liquid_state(t_mean[slow], s), velocity[slow], p.d_i)
    duty = np.multiply(r.q, rho_in, out=None if out is None else out["heat_duty"])
    duty *= cp_mean
    duty *= rise
    area_lmtd = np.multiply(log_mean, p.area, out=log_mean)
    u_actual = np.divide(duty, area_lmtd, out=area_lmtd if out is None else out["u_actual"])
    if re is not None:
        r.reject(re < RE_LAMINAR, _LAMINAR)
    return duty, u_actual, velocity, t_mean, rise, h_tube


def _derived_fw(p: _Plan, r: _Rows, velocity, rise, r_shell, r_tube) -> np.ndarray:
    """Per-row derived Fw (:func:`.first_principles.fw_from_resistances`; 1 at exactly 70 °F);
    rows whose 70 °F reference flow is laminar are rejected."""
    fw = np.ones(r.size)
    derive = np.abs(r.ti - REFERENCE_INLET_TEMP_K) >= REFERENCE_INLET_TOLERANCE_K
    every = bool(derive.all())
    if not (every or derive.any()):
        return fw
    v, dt = (velocity, rise) if every else (velocity[derive], rise[derive])
    h_ref, re_ref, _ = fp.tube_side(v, p.d_i, REFERENCE_INLET_TEMP_K + 0.5 * dt, p.salinity)
    r_tube_ref = fp.tube_resistance(p.d_o, p.d_i, h_ref)
    if every:
        fw = fp.fw_from_resistances(r_shell, p.r_wall, r_tube, r_tube_ref)
        r.reject(re_ref < RE_LAMINAR, _LAMINAR)
    else:
        fw[derive] = fp.fw_from_resistances(r_shell[derive], p.r_wall, r_tube[derive], r_tube_ref)
        laminar = np.zeros(r.size, dtype=bool)
        laminar[derive] = re_ref < RE_LAMINAR
        r.reject(laminar, _LAMINAR)
    return fw


def _clean_u(p: _Plan, r: _Rows, velocity, t_mean, rise, h_tube, out: np.ndarray | None):
    """(U_clean, Fw, Fm) per row: first principles, or HEI C1·√V·Fw·Fm with Fw/Fm fixed or
    derived (as :func:`.heat_transfer.clean_u`)."""
    u1 = hei.u1_from_c1(p.u1_factor, velocity) if p.hei else None
    if not p.need_fp:
        u_clean = np.multiply(u1, p.fw, out=out)
        u_clean *= p.fm
        return u_clean, None, None
    _, h_fg, rho_v = water.saturation_props(r.pp, r.ts)
    r_tube = fp.tube_resistance(p.d_o, p.d_i, h_tube)
    u_fp, h_shell = fp.shell_side_clean_u(p.d_o, p.rows_factor, p.r_wall, r_tube, t_mean, r.ts, h_fg, rho_v)
    if not p.hei:
        return u_fp, None, None
    fw = np.full(r.size, p.fw) if p.fw > 0.0 else _derived_fw(p, r, velocity, rise, 1.0 / h_shell, r_tube)
    fm = np.full(r.size, p.fm)
    return u1 * fw * fm, fw, fm


def _store(r: _Rows, values: dict[str, np.ndarray], targets: dict[str, np.ndarray]) -> None:
    """Row results into the output slices: NaN on rows the chain rejected; scattered to the
    evaluated rows' places when only the good rows were evaluated."""
    bad = None if r.ok is None else np.flatnonzero(~r.ok)
    for name, arr in targets.items():
        vals = values[name]
        if r.idx is not None:
            if bad is not None and bad.size:
                vals[bad] = np.nan
            arr[r.idx] = vals
            continue
        if vals is not arr:
            arr[:] = vals
        if bad is not None and bad.size:
            arr[bad] = np.nan


def _block(
    p: _Plan,
    limits: RowLimits,
    t_in,
    t_out,
    flow,
    pressure,
    reason: np.ndarray,
    out: dict[str, np.ndarray],
    fw_out: np.ndarray | None,
    fm_out: np.ndarray | None,
    counts: dict[str, int],
) -> None:
    """Evaluate one block in place: ``reason`` (pre-set codes kept), the output slices and the
    warning counts. The per-call chain (:func:`.heat_transfer.analyse_heat_transfer`) on every
    row: screen, duty and U_actual, clean U, CF limit."""
    targets = dict(out)
    for name, arr in (("hei_fw", fw_out), ("hei_fm", fm_out)):
        if arr is not None:
            targets[name] = arr
    r = _select(p, limits, (t_in, t_out, flow, pressure), reason, list(targets.values()))
    if r is None:
        return
    direct = out if r.idx is None else None  # results straight into the output slices
    duty, u_actual, velocity, t_mean, rise, h_tube = _measured(p, r, direct)
    u_clean, fw, fm = _clean_u(p, r, velocity, t_mean, rise, h_tube, None if direct is None else out["u_clean"])
    cf = u_actual / u_clean
    r.reject(cf > CF_MAX, _CF)
    values = {
        "saturation_temp": r.ts,
        "heat_duty": duty,
        "u_actual": u_actual,
        "u_clean": u_clean,
        "hei_fw": fw,
        "hei_fm": fm,
    }
    _store(r, values, targets)
    r.write_reasons(reason)
    counts["ttd_below_warning"] += r.count(r.ttd < TTD_WARN_K)
    counts["cleanliness_above_1"] += r.count(cf > 1.0)
    if p.hei:
        lo, hi = hei.HEI_VELOCITY_RANGE_FT_S
        v_ft_s = velocity / FT_M
        counts["velocity_outside_hei_range"] += r.count((v_ft_s < lo) | (v_ft_s > hi))
        if fw is not None and p.fw <= 0.0:
            counts["fw_derived"] += r.count(np.abs(r.ti - REFERENCE_INLET_TEMP_K) >= REFERENCE_INLET_TOLERANCE_K)


def _run_blocks(
    run_block: Callable[[int, int], dict[str, int]],
    n: int,
    chunk_rows: int,
    block_rows: int,
    workers: int,
    counts: dict[str, int],
    progress: Callable[[int, int], None] | None,
) -> None:
    """``run_block`` over blocks of ``block_rows`` rows (on ``workers`` threads when > 1), summing
    the warning counts; ``progress`` after each chunk of ``chunk_rows`` rows."""
    if workers > 1 and block_rows == BLOCK_ROWS:
        block_rows = THREAD_BLOCK_ROWS
    pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 and n > 2 * block_rows else None
    try:
        for c0 in range(0, n, chunk_rows):
            c1 = min(c0 + chunk_rows, n)
            spans = [(b0, min(b0 + block_rows, c1)) for b0 in range(c0, c1, block_rows)]
            results = pool.map(lambda span: run_block(*span), spans) if pool else (run_block(*s) for s in spans)
            for local in results:
                for k, v in local.items():
                    counts[k] += v
            if progress is not None:
                progress(c1, n)
    finally:
        if pool is not None:
            pool.shutdown()


def analyse_rows(
    t_in: np.ndarray,
    t_out: np.ndarray,
    flow: np.ndarray,
    pressure: np.ndarray,
    design: HistoryDesign,
    reason: np.ndarray | None = None,
    limits: RowLimits | None = None,
    chunk_rows: int = 100_000,
    progress: Callable[[int, int], None] | None = None,
    block_rows: int = BLOCK_ROWS,
    workers: int = 1,
) -> RowResults:
    """The heat-transfer test chain on every row (SI arrays of equal length).

    Parameters
    ----------
    t_in, t_out : ndarray
        CW inlet and outlet temperatures [K].
    flow : ndarray
        CW volumetric flow [m³/s].
    pressure : ndarray
        Condenser absolute pressure [Pa].
    design : HistoryDesign
        Tube bundle, area, material, water and clean-U method.
    reason : ndarray of int8, optional
        Codes already known (bad timestamp, bad quality); kept, and those rows not evaluated.
        Updated in place when given.
    limits : RowLimits, optional
        Sane ranges; default: the property ranges.
    chunk_rows : int
        Rows between two ``progress`` calls.
    progress : callable(done, total), optional
        Called after each chunk.
    block_rows : int
        Rows evaluated at once (cache-sized).
    workers : int
        Threads evaluating blocks in parallel (numpy releases the GIL in its loops); the caller
        chooses (the tool layer from its settings), default 1. Results do not depend on it:
        every row is evaluated by the same operations, blocks write disjoint slices and the counts are sums.

    Returns
    -------
    RowResults
        Reason codes, the :data:`ROW_COLUMNS` arrays (NaN where invalid), derived Fw/Fm arrays,
        method ids and per-row warning counts.
    """
    arrays = [np.ascontiguousarray(a, dtype=float) for a in (t_in, t_out, flow, pressure)]
    n = arrays[0].size
    if any(a.shape != (n,) for a in arrays):
        raise DomainError("history", "the measurement arrays must be 1-D and of equal length")
    if reason is None:
        reason = np.zeros(n, dtype=np.int8)
    elif reason.shape != (n,) or reason.dtype != np.int8:
        raise DomainError("history", "reason codes must be an int8 array of the series length")
    limits = limits or RowLimits()
    p = _plan(design)
    columns = {name: np.empty(n) for name in STORED_COLUMNS}
    fw_out = np.empty(n) if (p.hei and p.fw <= 0.0) else None
    fm_out = np.empty(n) if (p.hei and p.fm <= 0.0) else None
    counts = dict.fromkeys(WARNING_COUNTS, 0)

    def run_block(b0: int, b1: int) -> dict[str, int]:
        sl = slice(b0, b1)
        local = dict.fromkeys(WARNING_COUNTS, 0)
        with np.errstate(all="ignore"):  # invalid rows may hold anything; they are masked, not computed on
            _block(p, limits, *(a[sl] for a in arrays), reason[sl], {k: v[sl] for k, v in columns.items()},
                   None if fw_out is None else fw_out[sl], None if fm_out is None else fm_out[sl], local)  # fmt: skip
        return local

    _run_blocks(run_block, n, max(int(chunk_rows), 1), block_rows, max(int(workers), 1), counts, progress)
    if n == 0 and progress is not None:
        progress(0, 0)
    fc = (
        design.design_cleanliness
        if design.design_cleanliness > 0.0
        else hei.design_cleanliness_default(design.tube_material)
    )
    return RowResults(
        reason,
        columns,
        {"t_in": arrays[0], "t_out": arrays[1], "flow": arrays[2]},
        p.flow_area,
        fw_out,
        fm_out,
        _method(design, p),
        counts,
        fc,
        p.fw if (p.hei and p.fw > 0.0) else None,
        p.fm if (p.hei and p.fm > 0.0) else None,
        _hei_basis(design, p),
    )


def _hei_basis(design: HistoryDesign, p: _Plan) -> hei.HeiBasis | None:
    """Where the HEI factors of every row came from (None for first principles)."""
    if not p.hei:
        return None
    fw = hei.FactorBasis.CALLER if p.fw > 0.0 else None
    return hei.HeiBasis(fw, p.fm_basis, hei.c1_lookup(p.d_o, design.hei_edition).at_tabulated_od)


def _method(design: HistoryDesign, p: _Plan) -> dict[str, str]:
    method = {
        "properties": "IAPWS-IF97 (fresh water) / IAPWS-08 (saline), vectorised numpy twins of the iapws formulations",
        "duty": "CW side: rho(T_in)*Q_vol*cp(T_mean)*(T_out-T_in)",
        "row_chain": "calculate_heat_transfer_coefficient chain, vectorised per row",
    }
    if not p.hei:
        method["clean_u"] = (
            "first_principles: Gnielinski tube side (IF97/IAPWS-08 properties), BWG wall conduction, "
            "Nusselt horizontal-tube film condensation with Kern N^-1/6 bank factor "
            f"(N = {design.bank_rows})"
        )
        return method
    method["clean_u"] = f"hei: U = C1*sqrt(V)*Fw*Fm; C1 {design.hei_edition}"
    method["hei_fw"] = (
        "caller: supplied by the caller"
        if p.fw > 0.0
        else "derived: first-principles water-side resistance at the actual inlet temperature vs at "
        "70 °F, same velocity, wall and shell side (no public HEI Fw table); Fw = 1.00 on rows at "
        "exactly 70 °F"
    )
    method["hei_fm"] = f"{p.fm_basis}: {p.fm_detail}"
    return method


# --------------------------------------------------------------------------- aggregation
@dataclass
class DailyTable:
    """Per-UTC-day aggregates. ``stats[name]`` = (mean, min, max) arrays (NaN on days with no
    valid row). ``centroid_ms``: mean timestamp of the valid rows (NaN when none) [ms since
    the Unix epoch]."""

    day: np.ndarray  #: days since 1970-01-01 (int64)
    rows: np.ndarray
    valid_rows: np.ndarray
    centroid_ms: np.ndarray
    stats: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]


class DayGrouping:
    """Rows grouped by UTC day (valid rows only for the statistics), built once and applied to
    one column at a time.

    Rows whose timestamp is :data:`MISSING_TIMESTAMP` belong to no day (they must be invalid).
    Time-sorted input (the usual case) needs no sort: day boundaries come from a binary search
    of the midnights.
    """

    def __init__(self, timestamp_ms: np.ndarray, valid: np.ndarray) -> None:
        ts = np.asarray(timestamp_ms, dtype=np.int64)
        known = ts != MISSING_TIMESTAMP
        rows_idx = None if known.all() else np.flatnonzero(known)  # sorted position -> row (None: identity)
        ts_k = ts if rows_idx is None else ts[rows_idx]
        if ts_k.size and np.any(ts_k[1:] < ts_k[:-1]):
            order = np.argsort(ts_k, kind="stable")
            ts_k = ts_k[order]
            rows_idx = order if rows_idx is None else rows_idx[order]
        self.empty = ts_k.size == 0
        if self.empty:
            self.day = self.rows = self.valid_rows = np.empty(0, dtype=np.int64)
            self.centroid = np.empty(0)
            return
        first_day, last_day = int(ts_k[0] // DAY_MS), int(ts_k[-1] // DAY_MS)
        edges_ms = np.arange(first_day, last_day + 2, dtype=np.int64) * DAY_MS
        counts_all = np.diff(np.searchsorted(ts_k, edges_ms))
        present = counts_all > 0
        self.day = np.arange(first_day, last_day + 1, dtype=np.int64)[present]
        self.rows = counts_all[present].astype(np.int64)
        v = valid if rows_idx is None else valid[rows_idx]
        # how to pick the valid rows in day order: None (all rows), a bool mask, or indices
        if v.all():
            self._pick: np.ndarray | None = rows_idx
            vts = ts_k
        elif rows_idx is None:
            self._pick = v
            vts = ts_k[v]
        else:
            self._pick = rows_idx[v]
            vts = ts_k[v]
        vbounds = np.searchsorted(vts, edges_ms)
        self.valid_rows = np.diff(vbounds)[present].astype(np.int64)
        self._has = self.valid_rows > 0
        self._starts = vbounds[:-1][present][self._has]
        self._counts = self.valid_rows[self._has]
        self.centroid = np.full(self.day.size, np.nan)
        if self._has.any():
            # integer sums of ms are exact (< 2^63 for any realistic day)
            self.centroid[self._has] = np.add.reduceat(vts, self._starts) / self._counts

    def valid_values(self, column: np.ndarray) -> tuple[np.ndarray, bool]:
        """The column's values on the valid rows, in day order, and whether the array is a
        fresh copy (False: the column itself)."""
        if self.empty:
            return column[:0], True
        return (column, False) if self._pick is None else (column[self._pick], True)

    def stats(
        self, column: np.ndarray, mean_only: bool = False, gathered: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(mean, min, max) per day over the valid rows (NaN on days without; min/max NaN
        when ``mean_only``). ``gathered``: :meth:`valid_values` of the column, if at hand."""
        mean, lo, hi = (np.full(self.day.size, np.nan) for _ in range(3))
        if self.empty or not self._has.any():
            return mean, lo, hi
        c = gathered if gathered is not None else self.valid_values(column)[0]
        mean[self._has] = np.add.reduceat(c, self._starts) / self._counts
        if not mean_only:
            lo[self._has] = np.minimum.reduceat(c, self._starts)
            hi[self._has] = np.maximum.reduceat(c, self._starts)
        return mean, lo, hi

    def table(self, stats: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]) -> "DailyTable":
        return DailyTable(self.day, self.rows, self.valid_rows, self.centroid, stats)


def daily_aggregates(
    timestamp_ms: np.ndarray,
    valid: np.ndarray,
    columns: dict[str, np.ndarray],
    mean_only: tuple[str, ...] = (),
) -> DailyTable:
    """Count, valid count, and mean/min/max of each column over the valid rows of each UTC day
    (only the mean for the columns in ``mean_only``; their min/max stay NaN). See
    :class:`DayGrouping`."""
    g = DayGrouping(timestamp_ms, valid)
    return g.table({name: g.stats(col, name in mean_only) for name, col in columns.items()})


def _lerp(lo: float, hi: float, t: float) -> float:
    """numpy's linear interpolation between two order statistics (exact at both ends)."""
    d = hi - lo
    return lo + d * t if t < 0.5 else hi - d * (1.0 - t)


def percentiles(values: np.ndarray, valid: np.ndarray | None = None) -> dict[str, float] | None:
    """p5/p25/p50/p75/p95 (numpy's default 'linear' method), mean, min and max of the valid
    values (None when there are none).

    Equal to ``np.percentile``: each percentile interpolates between two order statistics,
    and :func:`_order_statistics` finds those exactly (tests compare with ``np.percentile``).
    """
    return _percentiles_inplace(values[valid] if valid is not None else values.copy())


def _percentiles_inplace(a: np.ndarray) -> dict[str, float] | None:
    """:func:`percentiles` of all of ``a``, which may be reordered in place."""
    n = a.size
    if n == 0:
        return None
    mean, lo, hi = float(a.mean()), float(a.min()), float(a.max())
    positions = [q / 100.0 * (n - 1) for q in PERCENTILES]
    ranks = sorted({r for g in positions for r in (int(math.floor(g)), min(int(math.floor(g)) + 1, n - 1))})
    order = _order_statistics(a, ranks)
    out = {}
    for q, g in zip(PERCENTILES, positions, strict=True):
        j = int(math.floor(g))
        out[f"p{int(q):02d}"] = _lerp(order[j], order[min(j + 1, n - 1)], g - j)
    out.update(mean=mean, min=lo, max=hi)
    return out


#: Below this size order statistics come from partitions of the whole array directly.
_SAMPLED_SELECTION_MIN = 65_536
_SAMPLE_SIZE = 32_768


def _order_statistics(a: np.ndarray, ranks: list[int]) -> dict[int, float]:
    """The values of rank ``ranks`` (0-based, ascending) in ``a``, exactly, as a sort would
    give them; ``a`` may be reordered.

    Large arrays: a sorted systematic sample (every k-th value) brackets each rank between two
    sample values with a margin of 8 binomial standard deviations; one counting pass and one
    gathering pass per bracket leave a few percent of the array, which is partitioned. If a
    rank is not inside its bracket (the check is exact: count below + size of the bracket),
    the whole array is partitioned instead. About 2x faster than partitioning ~1 M values
    for five percentiles; either way the values are order statistics, so the same floats.
    """
    n = a.size
    if n >= _SAMPLED_SELECTION_MIN:
        step = n // _SAMPLE_SIZE
        sample = np.sort(a[::step])
        m = sample.size
        found: dict[int, float] = {}
        # a sample quantile's position has a binomial spread of at most ½·√m sample values
        margin = 8.0 * 0.5 * math.sqrt(m) + 8.0
        for group in _rank_groups(ranks, n):
            first, last = group[0], group[-1]
            lo_pos = int(math.floor(first / (n - 1) * (m - 1) - margin))
            hi_pos = int(math.ceil(last / (n - 1) * (m - 1) + margin))
            lo_val = sample[lo_pos] if lo_pos > 0 else -np.inf
            hi_val = sample[hi_pos] if hi_pos < m - 1 else np.inf
            below = int(np.count_nonzero(a < lo_val))
            inside = a[(a >= lo_val) & (a <= hi_val)]
            if not (below <= first and last < below + inside.size):
                break
            local = [r - below for r in group]
            inside.partition(local)
            found.update({r: float(inside[r - below]) for r in group})
        else:
            return found
    a.partition(ranks)
    return {r: float(a[r]) for r in ranks}


def _rank_groups(ranks: list[int], n: int) -> list[list[int]]:
    """Ranks close enough (within 2% of the array) to share one bracket."""
    groups: list[list[int]] = []
    for r in ranks:
        if groups and r - groups[-1][-1] <= 0.02 * n:
            groups[-1].append(r)
        else:
            groups.append([r])
    return groups


# --------------------------------------------------------------------------- trend
@dataclass
class TrendResult:
    """Cleaning events, fouling cycles and the current-cycle trend on the daily points, with
    the cleaning forecast (see :func:`fit_trend`)."""

    basis: str  #: "fouling_index" (1/CF − 1) or "fouling_resistance" [m²·K/W]
    t_days: np.ndarray  #: fit times, days since the current cycle's start [d]
    y: np.ndarray  #: fitted daily values in the basis
    fits: dict  #: model → fouling.FoulingFit
    selected_model: str | None
    selection_reason: str
    y_now: float | None
    y_trigger: float | None
    days_until_cleaning: float | None  #: after the last daily point [d]
    days_until_cleaning_reason: str
    forecasts: dict  #: model → fouling.TriggerForecast
    cleaning_due: bool
    status: str = "no_history"  #: one of cycles.TREND_STATUSES
    status_reason: str = ""
    origin_ms: float | None = None  #: current cycle start [ms since the epoch]
    analysis: cycles.CycleAnalysis | None = None
    notes: list[str] = field(default_factory=list)


def fit_trend(
    daily: DailyTable,
    trigger_cleanliness: float = fouling.DEFAULT_TRIGGER_CLEANLINESS,
    due_window_days: float = fouling.DEFAULT_DUE_WINDOW_DAYS,
    basis: str = "fouling_index",
    cleaning_ms: tuple[float, ...] = (),
) -> TrendResult:
    """Cleaning events, cycles and the current-cycle fouling trend on the daily means.

    Daily points: days with at least one valid row, at the time centroid of their valid rows.
    Cleanings are detected on the daily fouling index 1/CF_day − 1 (CF_day the daily mean CF,
    normalised against U_clean(V, T_in), so seasonal inlet temperature does not look like
    fouling) and merged with the given ones (``cleaning_ms``); only the current cycle is
    fitted (:func:`.cycles.analyse_cycles`). Basis ``fouling_index``: y = 1/CF_day − 1,
    trigger 1/CF_trig − 1. Basis ``fouling_resistance``: y = daily mean R_f, trigger
    (1/CF_trig − 1)/U_clean with the last day's mean U_clean.
    """
    if not (0.0 < trigger_cleanliness < 1.0):
        raise DomainError(
            "trigger_cleanliness",
            f"trigger cleanliness {trigger_cleanliness!r} must be in (0, 1)",
            "entered in percent",
        )
    if basis not in ("fouling_index", "fouling_resistance"):
        raise DomainError("trend_basis", f"unknown trend basis {basis!r}")
    has = daily.valid_rows > 0
    t = daily.centroid_ms[has] / DAY_MS
    signal = 1.0 / daily.stats["cleanliness_factor"][0][has] - 1.0
    if basis == "fouling_index":
        y = signal
        y_trig = 1.0 / trigger_cleanliness - 1.0
    else:
        y = daily.stats["fouling_resistance"][0][has]
        u_clean = daily.stats["u_clean"][0][has]
        y_trig = (1.0 / trigger_cleanliness - 1.0) / u_clean[-1] if u_clean.size else None
    result = cycles.analyse_cycles(
        t, y, basis, y_trig, [c / DAY_MS for c in cleaning_ms], due_window_days, signal=signal
    )
    tr = result.trend
    return TrendResult(
        basis,
        tr.t,
        tr.y,
        tr.fits,
        tr.selected,
        tr.selection_reason,
        tr.y_now,
        y_trig,
        tr.days,
        tr.days_reason,
        tr.forecasts,
        tr.cleaning_due,
        tr.status,
        tr.reason,
        None if tr.origin is None else tr.origin * DAY_MS,
        result,
        list(result.notes),
    )


# --------------------------------------------------------------------------- whole analysis
#: Columns aggregated per day (mean/min/max) and summarised by percentiles (per-row results + the pressure).
SUMMARY_COLUMNS = ("cleanliness_factor", "fouling_resistance", "ttd", "condenser_pressure")
#: Columns aggregated per day for the trend only (daily mean).
TREND_COLUMNS = ("u_clean",)


@dataclass
class HistoryAnalysis:
    """Everything :func:`analyse_history` computes (SI)."""

    rows: RowResults
    daily: DailyTable
    distributions: dict[str, dict[str, float] | None]
    trend: TrendResult
    reference_ms: float  #: fit time origin: the current cycle's start [ms since the epoch]
    first_ms: float | None
    last_ms: float | None


def analyse_history(
    timestamp_ms: np.ndarray,
    t_in: np.ndarray,
    t_out: np.ndarray,
    flow: np.ndarray,
    pressure: np.ndarray,
    design: HistoryDesign,
    reason: np.ndarray | None = None,
    limits: RowLimits | None = None,
    trigger_cleanliness: float = fouling.DEFAULT_TRIGGER_CLEANLINESS,
    due_window_days: float = fouling.DEFAULT_DUE_WINDOW_DAYS,
    trend_basis: str = "fouling_index",
    cleaning_ms: tuple[float, ...] = (),
    chunk_rows: int = 100_000,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
    on_rows: Callable[[RowResults], None] | None = None,
) -> HistoryAnalysis:
    """Rows (:func:`analyse_rows`), daily aggregates, percentiles and the fouling trend.

    ``on_rows`` (if given) is called with the row results as soon as they are computed, before
    the daily aggregates and the trend (the tool starts writing them out meanwhile).

    ``timestamp_ms``: int64 ms since the Unix epoch (UTC), :data:`MISSING_TIMESTAMP` where
    unknown (those rows must already carry the ``bad_timestamp`` reason). ``cleaning_ms``:
    known cleaning times [ms]; more are detected (:func:`fit_trend`). The fit's time origin is
    the start of the current cycle (the last cleaning, else the first valid daily point).
    """
    rows = analyse_rows(t_in, t_out, flow, pressure, design, reason, limits, chunk_rows, progress, workers=workers)
    if on_rows is not None:
        on_rows(rows)
    valid = rows.valid
    ts = np.asarray(timestamp_ms, dtype=np.int64)
    pressure = np.asarray(pressure, dtype=float)
    grouping = DayGrouping(ts, valid)

    def summarise(name: str) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], dict[str, float] | None]:
        col = pressure if name == "condenser_pressure" else rows.column(name)  # derived columns one at a time
        values, fresh = grouping.valid_values(col)
        stats = grouping.stats(col, mean_only=name in TREND_COLUMNS, gathered=values)
        if name not in SUMMARY_COLUMNS:
            return stats, None
        # rows without a timestamp are invalid, so the day-ordered valid values are all the valid values
        return stats, _percentiles_inplace(values if fresh else values.copy())

    names = SUMMARY_COLUMNS + TREND_COLUMNS
    workers = max(int(workers), 1)
    if workers > 1 and rows.size > 2 * THREAD_BLOCK_ROWS:
        with ThreadPoolExecutor(max_workers=min(workers, 2)) as pool:  # at most two derived columns at once
            done = dict(zip(names, pool.map(summarise, names), strict=False))
    else:
        done = {name: summarise(name) for name in names}
    distributions = {name: done[name][1] for name in SUMMARY_COLUMNS}
    daily = grouping.table({name: done[name][0] for name in names})
    known = ts[valid]
    first = float(known.min()) if known.size else None
    last = float(known.max()) if known.size else None
    trend = fit_trend(daily, trigger_cleanliness, due_window_days, trend_basis, tuple(cleaning_ms))
    reference = trend.origin_ms if trend.origin_ms is not None else (first if first is not None else 0.0)
    return HistoryAnalysis(rows, daily, distributions, trend, reference, first, last)


def reference_backpressures(
    design: HistoryDesign,
    t_in: np.ndarray,
    flow: np.ndarray,
    duty: np.ndarray,
    cleanliness: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Backpressure [Pa] of the effectiveness/NTU chain at given CW states and cleanliness
    factors (:func:`.vacuum.expected_backpressure`, one point at a time; for charts of daily
    points). NaN where the chain has no answer (e.g. a duty not rejectable below 80 °C).

    ``cleanliness``: name → CF per point (an array, or a 0-d array for one CF for all)."""
    model = CondenserModel(
        design.bundle,
        design.tube_material,
        design.area,
        design.salinity,
        design.clean_u_method,
        design.hei_edition,
        design.fw,
        design.fm,
        design.bank_rows,
    )
    out = {}
    for name, cf in cleanliness.items():
        cf_all = np.broadcast_to(np.asarray(cf, dtype=float), np.shape(t_in))
        p = np.full(np.shape(t_in), np.nan)
        for i, (ti, qi, di, ci) in enumerate(zip(t_in, flow, duty, cf_all, strict=True)):
            if not (math.isfinite(ti) and math.isfinite(qi) and math.isfinite(di) and math.isfinite(ci)):
                continue
            try:
                state = expected_backpressure(model, float(ti), float(qi), float(di), cleanliness_factor=float(ci))
                p[i] = state.backpressure
            except CalculationError:
                continue
        out[name] = p
    return out
