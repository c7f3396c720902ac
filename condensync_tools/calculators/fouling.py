# SPDX-License-Identifier: MIT
"""Fouling resistance and cleanliness now, fouling trend fits, cleaning date, method and interval.

.. math::
    R_f = \\frac{1}{U_{actual}} - \\frac{1}{U_{clean}}, \\qquad CF = \\frac{U_{actual}}{U_{clean}},
    \\qquad R_f U_{clean} = \\frac{1}{CF} - 1

Trend models (docs/methods.md §5.2), t in days since the last cleaning:

* linear: R_f(t) = R_0 + β·t (hard scale, steady deposition);
* asymptotic, Kern & Seaton (1959): R_f(t) = R_∞·(1 − e^(−t/τ)) (soft/particulate deposits,
  many biofilms in fast flow).

A history of cleanliness factors is fitted on the dimensionless fouling index
y = 1/CF − 1 (= R_f·U_clean for each point), which normalises away seasonal changes of the
clean U (pitfall 9) and needs no U_clean; a history of fouling resistances is fitted as is.

References
----------
Kern, D.Q., Seaton, R.E. (1959), "A theoretical analysis of thermal surface fouling",
Brit. Chem. Eng. 4(5), 258-262.
TEMA *Standards*, RGP-T-2.4 (cooling-water fouling resistances), as transcribed in the
docs/methods.md §5.1 (``data/tema_fouling.json``).
HEI *Standards for Steam Surface Condensers* 9th ed., def. 2.3 (cleanliness factor).
docs/methods.md §5.2 (cleaning date, economic interval), §5.3 (cleaning methods:
Howell & Saxon; Modern Power Systems 2017; Taprogge; comparative cleaning study).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import hei
from .constants import FT_M, H_FT2_F_BTU_M2_K_W, k_to_f
from .economics import check_price
from .errors import DomainError, OutOfRangeError
from .heat_transfer import HeatTransferInputs, analyse_heat_transfer
from .tubes import load_data
from .water import WATER_SALINITY_KG_KG

__all__ = [
    "TEMA_FILE",
    "FOULANTS",
    "CLEANING_METHODS",
    "DEFAULT_TRIGGER_CLEANLINESS",
    "DEFAULT_DUE_WINDOW_DAYS",
    "MIN_VELOCITY_FOULING_M_S",
    "salinity_class",
    "tema_water_types",
    "TemaAllowance",
    "tema_fouling_resistance",
    "fouling_resistance_of",
    "FoulingInputs",
    "CurrentFoulingState",
    "TrendStage",
    "current_fouling_state",
    "tema_stage",
    "trend_stage",
    "economic_stage",
    "ECONOMIC_STATUSES",
    "DAYS_STATUSES",
    "fouling_level_now",
    "cleaning_schedule",
    "economic_loss_base",
    "FoulingFit",
    "fit_linear",
    "fit_kern_seaton",
    "select_model",
    "TriggerForecast",
    "days_until_trigger",
    "CleaningRecommendation",
    "recommend_cleaning_method",
    "EconomicInterval",
    "economic_cleaning_interval",
    "FoulingResult",
    "calculate_fouling_factor",
]

TEMA_FILE = "tema_fouling.json"
FOULANTS = ("biofilm", "silt", "scale", "macrofouling", "corrosion_products", "unknown")
CLEANING_METHODS = (
    "online_ball_cleaning",
    "brushes_scrapers",
    "hydro_blasting",
    "chemical_cleaning",
    "debris_filter",
)
#: Cleaning trigger on cleanliness: policy value inside the 0.75-0.80 range of physics
#: reference §5.2 (house default; configure from economics where possible).
DEFAULT_TRIGGER_CLEANLINESS = 0.75
#: Lowest cleaning trigger accepted: a trigger below CF 0.3 is no cleaning policy (a condenser
#: at CF 0.3 has lost most of its surface; near CF 0 the trigger lies at an unbounded fouling
#: level, 1/CF - 1, and no forecast can reach it). Found by the fuzz test (5e-324).
MIN_TRIGGER_CLEANLINESS = 0.3
#: "Cleaning due" when the trigger is forecast within this many days (house choice: about one
#: planning cycle for an outage or online campaign).
DEFAULT_DUE_WINDOW_DAYS = 30.0
#: Keep tube velocity at or above ~1.5 m/s (5 ft/s) against silt and fouling (physics
#: reference §5.3; practice, unverified).
MIN_VELOCITY_FOULING_M_S = 1.5
_MIN_POINTS = 3


def salinity_class(water_type: str) -> str:
    """Salinity class ("fresh", "brackish", "sea") of a water type.

    Accepts the property classes themselves and every TEMA water type of
    ``data/tema_fouling.json`` (e.g. "cooling_tower_treated" → "fresh").

    Raises
    ------
    OutOfRangeError
        Unknown water type (field ``water_type``).
    """
    if water_type in WATER_SALINITY_KG_KG:
        return water_type
    types = load_data(TEMA_FILE)["water_types"]
    if water_type in types:
        return types[water_type]["salinity_class"]
    raise OutOfRangeError(
        "water_type",
        f"unknown water type {water_type!r}; expected one of {sorted(WATER_SALINITY_KG_KG) + sorted(types)}",
    )


def tema_water_types() -> dict[str, str]:
    """TEMA water-type keys → labels."""
    return {k: v["label"] for k, v in load_data(TEMA_FILE)["water_types"].items()}


@dataclass(frozen=True, slots=True)
class TemaAllowance:
    """A TEMA RGP-T-2.4 design fouling allowance and how its column was chosen."""

    fouling_resistance: float  #: [m²·K/W]
    fouling_resistance_ip: float  #: as tabulated [h·ft²·°F/Btu]
    water_type: str
    label: str
    column: str  #: e.g. "le125F_gt3fps"
    source: str
    notes: tuple[str, ...] = ()


def fouling_resistance_of(cleanliness_factor: float, u_clean: float) -> float:
    """Fouling resistance of a cleanliness factor at a clean overall coefficient.

    .. math:: R_f = \\frac{1}{U_{actual}} - \\frac{1}{U_{clean}}
              = \\frac{1/CF - 1}{U_{clean}}, \\quad CF = U_{actual}/U_{clean}

    (HEI *Standards for Steam Surface Condensers* 9th ed., def. 2.3; ASME PTC 12.2-2010.)

    Parameters
    ----------
    cleanliness_factor : float
        CF [-], > 0.
    u_clean : float
        Clean overall coefficient [W/(m²·K)], > 0.

    Returns
    -------
    float
        R_f [m²·K/W].
    """
    return (1.0 / cleanliness_factor - 1.0) / u_clean


def tema_fouling_resistance(
    water_type: str, water_temp: float | None = None, velocity: float | None = None
) -> TemaAllowance:
    """TEMA RGP-T-2.4 cooling-water fouling resistance for a water type.

    .. math:: R_{f,TEMA} = \\mathrm{table}(\\text{water type}, T \\lessgtr 125\\,°F, V \\lessgtr 3\\,ft/s)
              \\times 0.17611

    Parameters
    ----------
    water_type : str
        TEMA water type key (see :func:`tema_water_types`).
    water_temp : float, optional
        Water temperature for the column choice [K] (the highest CW temperature, i.e. the
        outlet, when known). None → "125 °F and less" assumed (power condensers).
    velocity : float, optional
        Mean tube velocity [m/s]. None → "over 3 ft/s" assumed (power condensers).

    Returns
    -------
    TemaAllowance

    Raises
    ------
    OutOfRangeError
        Water type not a TEMA category (field ``water_type``).
    DomainError
        Non-finite or negative temperature/velocity.

    Notes
    -----
    The HEI method does not add TEMA resistances (Fc plays that role): an allowance is a
    design reference, not something to add to an HEI clean U (docs/methods.md §5.1).

    References
    ----------
    TEMA *Standards*, RGP-T-2.4 (Appendix VII), cooling-water fouling resistances.
    """
    data = load_data(TEMA_FILE)
    types = data["water_types"]
    if water_type not in types:
        raise OutOfRangeError(
            "water_type",
            f"{water_type!r} is not a TEMA RGP-T-2.4 water type; expected one of {sorted(types)}",
            "'fresh' is not a TEMA category: use city_well, river_minimum, river_average, cooling_tower_treated...",
        )
    notes = []
    if water_temp is None:
        hot = False
        notes.append("water temperature not given: '125 °F and less' column assumed (power condensers)")
    else:
        if not math.isfinite(water_temp) or water_temp <= 0.0:
            raise DomainError("cw_outlet_temp", f"water temperature {water_temp!r} K must be positive and finite")
        hot = k_to_f(water_temp) > data["temperature_limit_f"] + 1e-9  # boundary: "and less" column
    if velocity is None:
        fast = True
        notes.append("tube velocity not given: 'over 3 ft/s' column assumed (power condensers)")
    else:
        if not math.isfinite(velocity) or velocity < 0.0:
            raise DomainError("tube_velocity", f"tube velocity {velocity!r} m/s must be >= 0 and finite")
        fast = velocity / FT_M > data["velocity_limit_ft_s"] + 1e-9
    column = ("gt125F" if hot else "le125F") + ("_gt3fps" if fast else "_le3fps")
    value_ip = float(types[water_type]["values"][data["columns"].index(column)])
    return TemaAllowance(
        value_ip * H_FT2_F_BTU_M2_K_W,
        value_ip,
        water_type,
        types[water_type]["label"],
        column,
        data["source"],
        tuple(notes),
    )


@dataclass(frozen=True, slots=True)
class FoulingFit:
    """Least-squares fit of a fouling-time model to one fouling cycle.

    ``params``: linear {"r0", "beta"} (β per day); kern_seaton {"r0", "r_inf", "tau"} (τ in
    days; r0 = the residual fouling left by the cleaning). Values in the units of the fitted
    basis: ``"fouling_index"`` (1/CF − 1, dimensionless) or ``"fouling_resistance"`` [m²·K/W].
    """

    model: str  #: "linear" or "kern_seaton"
    basis: str
    params: dict
    n: int
    sse: float
    rmse: float
    r2: float
    adj_r2: float
    aic: float  #: small-sample corrected AIC (AICc) when n > k + 1, else AIC
    notes: tuple[str, ...] = ()
    k: int = 2  #: parameters fitted to these points
    #: kern_seaton: "fitted", "tau_from_earlier_cycles" or "tau_and_r_inf_from_earlier_cycles"
    shape_source: str = ""

    def predict(self, t_days: float) -> float:
        """Model value at a time [days since the start of the cycle]."""
        if self.model == "linear":
            return self.params["r0"] + self.params["beta"] * t_days
        return self.params.get("r0", 0.0) + self.params["r_inf"] * -math.expm1(-t_days / self.params["tau"])

    @property
    def asymptote(self) -> float:
        """Kern–Seaton: the level approached for t → ∞, r0 + r_inf."""
        return self.params.get("r0", 0.0) + self.params["r_inf"]


def _check_history(t_days: Sequence[float], y: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(t_days, dtype=float)
    v = np.asarray(y, dtype=float)
    if t.ndim != 1 or v.ndim != 1 or t.size != v.size:
        raise DomainError(
            "history", f"history times and values must be 1-D of equal length, got {t.shape} and {v.shape}"
        )
    if t.size < _MIN_POINTS:
        raise DomainError(
            "history", f"at least {_MIN_POINTS} history points are needed for a 2-parameter fit, got {t.size}"
        )
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(v))):
        raise DomainError("history", "history contains non-finite times or values", "missing samples as NaN")
    if np.any(t < 0.0):
        raise DomainError(
            "history",
            "history times must be >= 0 days since the last cleaning",
            "timestamps before the last cleaning date",
        )
    if np.any(np.diff(t) <= 0.0):
        raise DomainError(
            "history",
            "history times must be strictly increasing (one value per timestamp)",
            "unsorted or duplicated timestamps",
        )
    return t, v


# Fit arithmetic is reproducible on every machine (CONTRACT §1.2: same outputs and hashes on
# any machine): sums are correctly rounded (math.fsum of IEEE products), exponentials come from
# the C library (math.expm1), never from BLAS dot kernels or numpy's CPU-specific SIMD
# routines, which differ in the last bit between CPUs. Fitted parameters are located to near
# machine precision (the root of the derivative, not the minimum of a flat SSE), so a last-bit
# difference in the data (e.g. from a vectorised history) stays far below 10 significant digits.
def _fsum_dot(a: Sequence[float], b: Sequence[float]) -> float:
    """Σ a_i·b_i, correctly rounded."""
    return math.fsum(map(float.__mul__, a, b))


def _goodness(
    model: str,
    basis: str,
    params: dict,
    t: list[float],
    y: list[float],
    pred: list[float],
    notes: tuple[str, ...] = (),
    k: int = 2,
    shape_source: str = "",
) -> FoulingFit:
    n = len(y)
    resid = [yi - pi for yi, pi in zip(y, pred, strict=True)]
    sse = _fsum_dot(resid, resid)
    mean = math.fsum(y) / n
    dev = [yi - mean for yi in y]
    sst = _fsum_dot(dev, dev)
    scale = max(max(abs(yi) for yi in y), 1e-300)
    if sst <= (1e-14 * scale) ** 2 * n:
        r2 = 1.0 if sse <= (1e-9 * scale) ** 2 * n else 0.0
    else:
        r2 = 1.0 - sse / sst
    adj = 1.0 - (1.0 - r2) * (n - 1) / (n - k - 1) if n > k + 1 else r2
    aic = n * math.log(max(sse / n, 1e-300)) + 2 * k
    if n > k + 1:
        aic += 2 * k * (k + 1) / (n - k - 1)
    return FoulingFit(model, basis, params, n, sse, math.sqrt(sse / n), r2, adj, aic, notes, k, shape_source)


def fit_linear(t_days: Sequence[float], values: Sequence[float], basis: str = "fouling_resistance") -> FoulingFit:
    """Ordinary least-squares fit of R(t) = R_0 + β·t.

    .. math:: \\beta = \\frac{\\sum (t_i - \\bar t)(y_i - \\bar y)}{\\sum (t_i - \\bar t)^2}, \\quad
              R_0 = \\bar y - \\beta \\bar t

    Sums are correctly rounded (``math.fsum``), so the fit is the same on every machine.

    Parameters
    ----------
    t_days : sequence of float
        Days since the last cleaning, strictly increasing [d].
    values : sequence of float
        Fouling resistance [m²·K/W] or fouling index 1/CF − 1 [-].
    basis : str
        Label of the values' basis, recorded in the fit.

    Returns
    -------
    FoulingFit
        params {"r0", "beta" [per day]}, SSE, RMSE, R², adjusted R², AICc.

    References
    ----------
    Draper, N.R., Smith, H. (1998), *Applied Regression Analysis*, 3rd ed., Wiley, ch. 1.
    """
    t_arr, y_arr = _check_history(t_days, values)
    t, y = t_arr.tolist(), y_arr.tolist()
    n = len(t)
    tm, ym = math.fsum(t) / n, math.fsum(y) / n
    dt = [ti - tm for ti in t]
    beta = _fsum_dot(dt, [yi - ym for yi in y]) / _fsum_dot(dt, dt)
    r0 = ym - beta * tm
    return _goodness("linear", basis, {"r0": r0, "beta": beta}, t, y, [r0 + beta * ti for ti in t])


def _ks_basis(t: list[float], log_tau: float) -> tuple[list[float], list[float]]:
    """g_i = 1 − e^(−t_i/τ) and h_i = ∂g_i/∂s = −(t_i/τ)·e^(−t_i/τ) at s = ln τ."""
    tau = math.exp(log_tau)
    u = [ti / tau for ti in t]
    em1 = [math.expm1(-ui) for ui in u]  # e^(−u) − 1 = −g
    return [-e for e in em1], [-ui * (e + 1.0) for ui, e in zip(u, em1, strict=True)]


def _ks_linear(t: list[float], y: list[float], log_tau: float) -> tuple[float, float, float, list[float]]:
    """(SSE, R_0, R_∞, residuals) of the best R_0 and R_∞ at this τ (ordinary least squares on
    g, centred: R_∞ = Σ(g−ḡ)(y−ȳ)/Σ(g−ḡ)², R_0 = ȳ − R_∞·ḡ), sums correctly rounded."""
    g, _ = _ks_basis(t, log_tau)
    n = len(y)
    gm, ym = math.fsum(g) / n, math.fsum(y) / n
    gc = [gi - gm for gi in g]
    yc = [yi - ym for yi in y]
    gg = _fsum_dot(gc, gc)
    r_inf = _fsum_dot(gc, yc) / gg if gg > 0.0 else 0.0
    r0 = ym - r_inf * gm
    resid = [yi - r0 - r_inf * gi for yi, gi in zip(y, g, strict=True)]
    return _fsum_dot(resid, resid), r0, r_inf, resid


def _ks_grid_sse(t: np.ndarray, y: np.ndarray, log_taus: np.ndarray) -> np.ndarray:
    """SSE of the best R_0, R_∞ at each grid τ, vectorised (SSE = Σyc² − (Σgc·yc)²/Σgc²).
    Used only to bracket the minimum: its last bits may differ between CPUs."""
    g = -np.expm1(-t[None, :] / np.exp(log_taus)[:, None])
    gc = g - g.mean(axis=1, keepdims=True)
    yc = y - y.mean()
    gg = np.einsum("ij,ij->i", gc, gc)
    gy = gc @ yc
    yy = float(yc @ yc)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(gg > 1e-300, yy - gy * gy / np.where(gg > 1e-300, gg, 1.0), yy)


def _ks_half_slope(t: list[float], y: list[float], log_tau: float) -> float:
    """½·dSSE/ds at s = ln τ, zero at the optimum. With the best R_0, R_∞ at every τ the
    envelope theorem gives ½·dSSE/ds = −R_∞·Σ h_i·r_i (r_i the residuals)."""
    _, _, r_inf, resid = _ks_linear(t, y, log_tau)
    _, h = _ks_basis(t, log_tau)
    return -r_inf * _fsum_dot(h, resid)


def _ks_root(t: list[float], y: list[float], a: float, b: float, fa: float, fb: float) -> float:
    """The s in [a, b] where the slope changes sign (fa < 0 < fb), by the Illinois variant of
    regula falsi (superlinear, always bracketed) to 1e-15 relative in s, 100 steps at most.
    Deterministic: the same steps on every machine."""
    side = 0
    for _ in range(100):
        if b - a <= 1e-15 * max(1.0, abs(a), abs(b)):
            break
        c = (a * fb - b * fa) / (fb - fa)
        if not (a < c < b):
            c = 0.5 * (a + b)
            if not (a < c < b):  # a and b are adjacent floats
                break
        fc = _ks_half_slope(t, y, c)
        if fc == 0.0:
            return c
        if (fc < 0.0) == (fa < 0.0):
            a, fa = c, fc
            if side == -1:
                fb *= 0.5
            side = -1
        else:
            b, fb = c, fc
            if side == 1:
                fa *= 0.5
            side = 1
    return a if abs(fa) <= abs(fb) else b


def fit_kern_seaton(
    t_days: Sequence[float],
    values: Sequence[float],
    basis: str = "fouling_resistance",
    tau_days: float | None = None,
    r_inf_held: float | None = None,
) -> FoulingFit:
    """Least-squares fit of the Kern–Seaton asymptotic model with the residual a cleaning leaves,
    R(t) = R_0 + R_∞·(1 − e^(−t/τ)).

    .. math:: g_i = 1 - e^{-t_i/\\tau}, \\quad
              R_\\infty(\\tau) = \\frac{\\sum (g_i - \\bar g)(y_i - \\bar y)}{\\sum (g_i - \\bar g)^2}, \\quad
              R_0(\\tau) = \\bar y - R_\\infty \\bar g, \\quad
              \\tau^* = \\arg\\min_\\tau \\sum (y_i - R_0 - R_\\infty g_i)^2

    Real cleanings never restore the clean state (CF 0.88-0.93 after a cleaning is common),
    so R_0 is fitted: the original form R_∞·(1 − e^(−t/τ)) forced through R(0) = 0 misfits
    every real cycle. For each τ, R_0 and R_∞ are linear least squares (variable projection);
    τ is found on s = ln τ: a 241-point grid from span/1000 to 1000·span (vectorised) brackets
    the minimum, then the root of dSSE/ds between the neighbours of the best grid point
    (Illinois regula falsi) locates it to about 1e-15 in s (minimising the flat SSE itself fixes
    τ only to about 1e-8). Sums are correctly rounded and exponentials come from the C
    library, so the fit is the same on every machine. Three parameters (k = 3).

    With ``tau_days`` the time constant is held (e.g. from earlier cycles of the same
    condenser) and only R_0 and R_∞ are fitted (k = 2); with ``r_inf_held`` as well only R_0
    is (k = 1: R_0 = mean of y − R_∞·g).

    Parameters
    ----------
    t_days : sequence of float
        Days since the start of the cycle (the cleaning), strictly increasing, >= 0 [d].
    values : sequence of float
        Fouling resistance [m²·K/W] or fouling index 1/CF − 1 [-].
    basis : str
        Label of the values' basis.
    tau_days : float, optional
        Time constant to hold [d].
    r_inf_held : float, optional
        With ``tau_days``: the R_∞ to hold [basis].

    Returns
    -------
    FoulingFit
        params {"r0", "r_inf", "tau" [days]}; notes flag a τ at a search bound (not
        identifiable: no curvature → behaves linearly; or an immediate step).

    References
    ----------
    Kern, D.Q., Seaton, R.E. (1959), "A theoretical analysis of thermal surface fouling",
    Brit. Chem. Eng. 4(5), 258-262.
    Golub, G., Pereyra, V. (1973), "The differentiation of pseudo-inverses and nonlinear least
    squares problems whose variables separate", SIAM J. Numer. Anal. 10(2), 413-432.
    Dowell, M., Jarratt, P. (1971), "A modified regula falsi method for computing the root of
    an equation", BIT 11, 168-174 (the Illinois method).
    """
    t_arr, y_arr = _check_history(t_days, values)
    t, y = t_arr.tolist(), y_arr.tolist()
    if tau_days is not None:
        return _kern_seaton_held(t, y, basis, tau_days, r_inf_held)
    best, r0, r_inf, notes = _kern_seaton_log_tau(t_arr, y_arr)
    tau = math.exp(best)
    pred = [r0 + r_inf * -math.expm1(-ti / tau) for ti in t]
    params = {"r0": r0, "r_inf": r_inf, "tau": tau}
    return _goodness("kern_seaton", basis, params, t, y, pred, notes, 3, "fitted")


def _kern_seaton_held(
    t: list[float], y: list[float], basis: str, tau_days: float, r_inf_held: float | None
) -> FoulingFit:
    """Kern–Seaton with τ held (R_0, R_∞ by linear least squares, k = 2), or τ and R_∞ held
    (R_0 = mean of y − R_∞·g, k = 1)."""
    if not (math.isfinite(tau_days) and tau_days > 0.0):
        raise DomainError("tau_days", f"time constant {tau_days!r} d must be positive and finite")
    if r_inf_held is None:
        _, r0, r_inf, _ = _ks_linear(t, y, math.log(tau_days))
        k, source = 2, "tau_from_earlier_cycles"
    else:
        r_inf, k, source = float(r_inf_held), 1, "tau_and_r_inf_from_earlier_cycles"
        r0 = math.fsum(yi + r_inf * math.expm1(-ti / tau_days) for ti, yi in zip(t, y, strict=True)) / len(t)
    pred = [r0 + r_inf * -math.expm1(-ti / tau_days) for ti in t]
    params = {"r0": r0, "r_inf": r_inf, "tau": float(tau_days)}
    return _goodness("kern_seaton", basis, params, t, y, pred, (), k, source)


def _kern_seaton_log_tau(t_arr: np.ndarray, y_arr: np.ndarray) -> tuple[float, float, float, tuple[str, ...]]:
    """(s* = ln τ*, R_0, R_∞, notes): the 241-point grid on s brackets the SSE minimum, the
    Illinois root of dSSE/ds between its neighbours refines it (kept when its SSE is not
    larger); a minimum at a grid bound is noted (τ not identifiable)."""
    t, y = t_arr.tolist(), y_arr.tolist()
    span = max(t[-1] - t[0], t[-1], 1.0)
    lo, hi = math.log(span / 1000.0), math.log(span * 1000.0)
    grid = [lo + (hi - lo) * k / 240 for k in range(241)]
    i = int(np.argmin(_ks_grid_sse(t_arr, y_arr, np.array(grid))))
    best = grid[i]
    best_sse, r0, r_inf, _ = _ks_linear(t, y, best)
    if i == len(grid) - 1:
        note = (
            "tau at the upper search bound: no curvature in the data, the asymptote is not identifiable "
            "(the cycle behaves linearly)"
        )
        return best, r0, r_inf, (note,)
    if i == 0:
        return best, r0, r_inf, ("tau at the lower search bound: the cycle is a step to a constant level",)
    a, b = grid[i - 1], grid[i + 1]
    fa, fb = _ks_half_slope(t, y, a), _ks_half_slope(t, y, b)
    if fa < 0.0 < fb:
        root = _ks_root(t, y, a, b, fa, fb)
        root_sse, root_r0, root_r_inf, _ = _ks_linear(t, y, root)
        if root_sse <= best_sse:
            return root, root_r0, root_r_inf, ()
    return best, r0, r_inf, ()


#: AICc difference below which two models count as equally supported; the one with fewer
#: parameters is then chosen (Burnham & Anderson 2002, §2.6: Δ ≤ 2 "substantial support").
AICC_EQUIVALENT = 2.0


def select_model(fits: dict[str, FoulingFit], prefer: str = "linear") -> tuple[str, str]:
    """Choose the better fit by AICc, with parsimony between equally supported fits.

    .. math:: AIC_c = n \\ln\\frac{SSE}{n} + 2k + \\frac{2k(k+1)}{n-k-1}

    Linear has k = 2 (R_0, β); Kern–Seaton k = 3 (R_0, R_∞, τ), k = 2 when τ is held from
    earlier cycles, k = 1 when τ and R_∞ are. Two fits whose AICc differ by at most
    :data:`AICC_EQUIVALENT` are equally supported: the one with fewer parameters is chosen,
    and with equal k the ``prefer``-red model (linear by default; the tools prefer Kern–Seaton
    when the condenser's own earlier cycles were asymptotic). Otherwise the lower AICc wins.

    Returns
    -------
    (model id, reason)

    References
    ----------
    Akaike, H. (1974), IEEE Trans. Autom. Control 19(6), 716-723.
    Hurvich, C.M., Tsai, C.-L. (1989), Biometrika 76(2), 297-307 (AICc).
    Burnham, K.P., Anderson, D.R. (2002), *Model Selection and Multimodel Inference*, 2nd ed.,
    Springer, §2.6.
    """
    lin, ks = fits["linear"], fits["kern_seaton"]
    tail = f"k = {lin.k} vs {ks.k}; R² {lin.r2:.4f} vs {ks.r2:.4f}"
    if abs(ks.aic - lin.aic) <= AICC_EQUIVALENT:
        if ks.k != lin.k:
            chosen = "kern_seaton" if ks.k < lin.k else "linear"
            rule = f"AICc within {AICC_EQUIVALENT:g}: equally supported, the model with fewer parameters"
        else:
            chosen = prefer
            why = "linear by default" if prefer == "linear" else "Kern-Seaton, the shape of the earlier cycles"
            rule = f"AICc within {AICC_EQUIVALENT:g}: equally supported, {why}"
    else:
        chosen = "kern_seaton" if ks.aic < lin.aic else "linear"
        rule = "lower AICc"
    name = "asymptotic (Kern-Seaton)" if chosen == "kern_seaton" else "linear"
    return chosen, f"{name}: AICc linear {lin.aic:.3f} vs Kern-Seaton {ks.aic:.3f} ({tail}; {rule})"


#: TriggerForecast.status values.
FORECAST_STATUSES = ("forecast", "already_at_trigger", "not_reached_slope", "not_reached_asymptote")


@dataclass(frozen=True, slots=True)
class TriggerForecast:
    """Days until a fouling model reaches the cleaning trigger, or why it never does.

    ``reason`` carries no numbers in a unit: callers word the levels (``rate``,
    ``asymptote``, in the fit basis) in their own units."""

    days: float | None  #: [d]; 0 when already at or beyond the trigger; None = not reached
    reason: str
    status: str = "forecast"  #: one of FORECAST_STATUSES
    rate: float | None = None  #: linear β [basis per day]
    asymptote: float | None = None  #: Kern–Seaton R_0 + R_∞ [basis]


def days_until_trigger(fit: FoulingFit, y_now: float, y_trigger: float) -> TriggerForecast:
    """Days from the current fouling level to the trigger level under a fitted model.

    .. math::
        t_{lin} = \\frac{y_{trig} - y_{now}}{\\beta}, \\qquad
        t_{KS} = \\tau \\ln\\frac{A - y_{now}}{A - y_{trig}}, \\quad A = R_0 + R_\\infty

    (the Kern–Seaton time from the point of the curve at y_now to the trigger).

    Parameters
    ----------
    fit : FoulingFit
        The model.
    y_now : float
        Current fouling level, in the fit's basis.
    y_trigger : float
        Trigger level, same basis.

    Returns
    -------
    TriggerForecast
        ``days`` None with the status (zero/negative slope, asymptote at or below the
        trigger) when the trigger is never reached under this model. Never NaN.
    """
    if y_now >= y_trigger:
        return TriggerForecast(0.0, "already at or beyond the cleaning trigger", "already_at_trigger")
    if fit.model == "linear":
        beta = fit.params["beta"]
        if beta <= 0.0:
            return TriggerForecast(
                None,
                "not reached under the linear model: zero or negative fouling rate",
                "not_reached_slope",
                rate=beta,
            )
        return TriggerForecast((y_trigger - y_now) / beta, "linear model: (trigger - now)/beta", rate=beta)
    asymptote = fit.asymptote
    if asymptote <= y_trigger:
        return TriggerForecast(
            None,
            "not reached under the asymptotic model: the asymptote R0 + R_inf is at or below the trigger",
            "not_reached_asymptote",
            asymptote=asymptote,
        )
    days = fit.params["tau"] * math.log((asymptote - y_now) / (asymptote - y_trigger))
    return TriggerForecast(
        days, "asymptotic model: tau*ln((R0 + R_inf - now)/(R0 + R_inf - trigger))", asymptote=asymptote
    )


@dataclass(frozen=True, slots=True)
class CleaningRecommendation:
    """Recommended cleaning method with alternatives and the reason."""

    method: str  #: one of CLEANING_METHODS
    alternatives: tuple[str, ...]
    reason: str
    low_velocity: bool = False  #: tube velocity below MIN_VELOCITY_FOULING_M_S (callers word the note)


#: Cleaning method of each known foulant (docs/methods.md §5.3): (primary, alternatives, reason).
_FOULANT_METHODS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "biofilm": (
        "online_ball_cleaning",
        ("brushes_scrapers",),
        "biofilm/slime: online sponge balls keep the tubes near clean, with biocide/chlorination; "
        "offline brushes or plastic cleaners when established",
    ),
    "silt": (
        "online_ball_cleaning",
        ("brushes_scrapers",),
        "silt/particulate: online sponge balls or offline water-propelled brushes; keep tube velocity "
        "at or above ~1.5 m/s (5 ft/s)",
    ),
    "scale": (
        "brushes_scrapers",
        ("chemical_cleaning", "hydro_blasting"),
        "hard scale (CaCO3, silica): water-propelled metal scrapers (negligible wall loss on 90/10 "
        "CuNi and 304 SS); acid cleaning is the most effective on tower scale but needs inhibition and "
        "time control on SS and copper alloys; hydro-blasting 10-20 kpsi; online balls do not remove "
        "established scale",
    ),
    "macrofouling": (
        "debris_filter",
        ("hydro_blasting",),
        "macrofouling (shells, mussels, debris): upstream debris filters / backwash strainers, offline "
        "manual removal and tubesheet inspection",
    ),
    "corrosion_products": (
        "chemical_cleaning",
        ("brushes_scrapers",),
        "corrosion products (Fe, Mn): chemical cleaning, or scrapers",
    ),
}
#: Cleaning method of an unknown foulant by the shape of the fouling trend (None: not fitted).
_TREND_METHODS: dict[str | None, tuple[str, tuple[str, ...], str]] = {
    "kern_seaton": (
        "online_ball_cleaning",
        ("brushes_scrapers",),
        "foulant unknown, asymptotic trend: typical of soft/particulate deposits or biofilm in fast "
        "flow; online sponge balls, offline brushes if established; sample a tube to confirm",
    ),
    "linear": (
        "brushes_scrapers",
        ("chemical_cleaning", "hydro_blasting"),
        "foulant unknown, linear trend: typical of hard scale or steady deposition; mechanical "
        "scrapers or chemical cleaning; sample a tube to confirm",
    ),
    None: (
        "brushes_scrapers",
        ("online_ball_cleaning", "chemical_cleaning"),
        "foulant and trend unknown: offline mechanical cleaning removes soft and most hard deposits; "
        "inspect and sample the deposit to choose the long-term method",
    ),
}


def recommend_cleaning_method(
    foulant: str = "unknown", trend_model: str | None = None, tube_velocity: float | None = None
) -> CleaningRecommendation:
    """Cleaning method from the foulant type and the trend shape (docs/methods.md §5.3).

    Rules: biofilm and silt → online sponge-ball cleaning (+ biocide for biofilm; offline
    brushes as alternative); hard scale → water-propelled scrapers, chemical (acid) cleaning or
    hydro-blasting; macrofouling → upstream debris filters / backwash strainers plus offline
    removal; corrosion products → chemical cleaning. Unknown foulant: an asymptotic trend
    points to soft deposits (online balls), a linear trend to hard scale (scrapers/chemical).

    Parameters
    ----------
    foulant : str
        One of ``FOULANTS``.
    trend_model : {"linear", "kern_seaton", None}
        Shape of the fouling trend, if fitted.
    tube_velocity : float, optional
        Mean tube velocity [m/s]; below 1.5 m/s adds a velocity note.

    Raises
    ------
    OutOfRangeError
        Unknown foulant (field ``foulant``) or trend model.

    References
    ----------
    Howell & Saxon (Conco), cleaning technology for condensers; Modern Power Systems (2017);
    Taprogge; comparative cleaning study; docs/methods.md §5.3.
    """
    if foulant not in FOULANTS:
        raise OutOfRangeError("foulant", f"unknown foulant {foulant!r}; expected one of {FOULANTS}")
    if trend_model not in (None, "linear", "kern_seaton"):
        raise OutOfRangeError("trend_model", f"unknown trend model {trend_model!r}")
    rec = _FOULANT_METHODS.get(foulant) or _TREND_METHODS[trend_model]
    low = tube_velocity is not None and math.isfinite(tube_velocity) and tube_velocity < MIN_VELOCITY_FOULING_M_S
    reason = rec[2] + ". Confirm the loss is fouling, not air binding, before cleaning (docs/methods.md pitfall 13)"
    return CleaningRecommendation(rec[0], rec[1], reason, low)


@dataclass(frozen=True, slots=True)
class EconomicInterval:
    """Economic cleaning interval (docs/methods.md §5.2 (6))."""

    interval_days: float | None  #: [d]; None = no interior optimum within the horizon
    cost_usd_per_day: float | None  #: minimum average cost rate [USD/day]
    lost_output_at_interval: float | None  #: lost output just before cleaning [W]
    method: str
    reason: str


def economic_cleaning_interval(
    delta_fouling: Callable[[float], float],
    cleaning_cost_usd: float,
    power_price_usd_per_mwh: float,
    lost_power_per_fouling: float | None = None,
    lost_power_fn: Callable[[float], float] | None = None,
    max_interval_days: float = 3650.0,
    linear_beta: float | None = None,
) -> EconomicInterval:
    """Cleaning interval T minimising the average cost rate (cleaning + lost output).

    .. math::
        c(T) = \\frac{C_{clean} + p \\int_0^T L(\\Delta R_f(t))\\,dt}{T}, \\qquad
        T^* = \\arg\\min_T c(T)

    with ΔR_f(t) the fouling grown since the cleaning, L the lost power and p the price. For a
    linear loss L = k·ΔR_f and a linear model ΔR_f = β·t the optimum is closed-form:
    T* = √(2·C/(p·k·β)), c* = √(2·C·p·k·β). The intercept R_0 of a linear fit (residual
    fouling right after a cleaning) does not depend on the interval and is left out.

    Parameters
    ----------
    delta_fouling : callable
        ΔR_f(t) [m²·K/W] for t [days] since cleaning, non-decreasing.
    cleaning_cost_usd : float
        Cost of one cleaning [USD].
    power_price_usd_per_mwh : float
        Electricity price [USD/MWh].
    lost_power_per_fouling : float, optional
        Linear coefficient k = dL/dR_f [W per m²·K/W].
    lost_power_fn : callable, optional
        L(ΔR_f) [W] instead of k (e.g. :func:`~condensync_tools.calculators.vacuum.fouling_loss_function`,
        which honours the turbine choke point); sampled at 41 fouling levels and interpolated.
    max_interval_days : float
        Search horizon [d].
    linear_beta : float, optional
        β [m²·K/W per day] when ΔR_f is linear (enables the closed form with ``k``).

    Returns
    -------
    EconomicInterval
        ``interval_days`` None with a reason when the cost rate keeps falling up to the horizon
        (cleaning never pays back) or no loss accrues.

    References
    ----------
    docs/methods.md §5.2 (6).
    """
    k, horizon = lost_power_per_fouling, max_interval_days
    price = _check_interval_inputs(cleaning_cost_usd, power_price_usd_per_mwh, k, lost_power_fn, horizon)
    usd_per_w_day = price * 24.0 / 1e6
    if k is not None and linear_beta is not None and linear_beta > 0.0:
        return _closed_form_interval(cleaning_cost_usd, usd_per_w_day, k, linear_beta, horizon)
    t, loss, how = _loss_over_horizon(delta_fouling, k, lost_power_fn, horizon)
    cum = np.concatenate(([0.0], np.cumsum(0.5 * (loss[1:] + loss[:-1]) * np.diff(t))))
    rate = (cleaning_cost_usd + usd_per_w_day * cum[1:]) / t[1:]
    j = int(np.argmin(rate))
    if not np.any(loss > 0.0) or usd_per_w_day == 0.0:
        return EconomicInterval(
            None,
            None,
            None,
            how,
            "no loss accrues over the horizon (zero price, loss below the "
            "turbine choke point, or no fouling growth): cleaning never pays back",
        )
    if j == rate.size - 1:
        return EconomicInterval(
            None,
            None,
            None,
            how,
            f"the average cost keeps falling up to the "
            f"{max_interval_days:.0f}-day horizon: cleaning does not pay back within it",
        )
    return EconomicInterval(
        float(t[j + 1]),
        float(rate[j]),
        float(loss[j + 1]),
        how,
        "minimum of (cleaning cost + lost-output cost)/interval",
    )


def _check_interval_inputs(
    cleaning_cost_usd: float,
    power_price_usd_per_mwh: float,
    lost_power_per_fouling: float | None,
    lost_power_fn: Callable[[float], float] | None,
    max_interval_days: float,
) -> float:
    """The checked price [USD/MWh]; refuses a cleaning cost <= 0, not exactly one loss model,
    a negative or non-finite k and a horizon under 2 days."""
    if not math.isfinite(cleaning_cost_usd) or cleaning_cost_usd <= 0.0:
        raise DomainError("cleaning_cost_usd", f"cleaning cost {cleaning_cost_usd!r} USD must be positive")
    price = check_price(power_price_usd_per_mwh)
    if (lost_power_per_fouling is None) == (lost_power_fn is None):
        raise DomainError("lost_power_per_fouling", "give exactly one of lost_power_per_fouling and lost_power_fn")
    if lost_power_per_fouling is not None and (
        not math.isfinite(lost_power_per_fouling) or lost_power_per_fouling < 0.0
    ):
        raise DomainError(
            "lost_power_per_fouling",
            f"loss coefficient {lost_power_per_fouling!r} W per m²·K/W must be >= 0 and finite",
        )
    if not math.isfinite(max_interval_days) or max_interval_days < 2.0:
        raise DomainError("max_interval_days", f"horizon {max_interval_days!r} days must be >= 2")
    return price


def _closed_form_interval(
    cleaning_cost_usd: float, usd_per_w_day: float, k: float, beta: float, max_interval_days: float
) -> EconomicInterval:
    """Linear loss k·ΔR_f, linear fouling β·t: T* = √(2·C/a), c* = √(2·C·a) with the cost-rate
    slope a = p·k·β [USD/day²] (docs/methods.md §5.2 (6)); None beyond the horizon or a = 0."""
    a = usd_per_w_day * k * beta  # cost rate slope [USD/day²]
    if a <= 0.0:
        return EconomicInterval(
            None,
            None,
            None,
            "closed form (linear loss, linear fouling)",
            "no loss accrues (zero price or zero loss coefficient): cleaning never pays back",
        )
    t_opt = math.sqrt(2.0 * cleaning_cost_usd / a)
    if t_opt > max_interval_days:
        return EconomicInterval(
            None,
            None,
            None,
            "closed form (linear loss, linear fouling)",
            f"optimum {t_opt:.0f} days is beyond the {max_interval_days:.0f}-day horizon",
        )
    return EconomicInterval(
        t_opt,
        math.sqrt(2.0 * cleaning_cost_usd * a),
        k * beta * t_opt,
        "closed form: T* = sqrt(2C/(p k beta)), c* = sqrt(2 C p k beta)",
        "minimum of (cleaning cost + lost-output cost)/interval",
    )


def _loss_over_horizon(
    delta_fouling: Callable[[float], float],
    lost_power_per_fouling: float | None,
    lost_power_fn: Callable[[float], float] | None,
    max_interval_days: float,
) -> tuple[np.ndarray, np.ndarray, str]:
    """(t [d] on a 7301-point grid over the horizon, lost power L(ΔR_f(t)) >= 0 [W], method):
    L = k·ΔR_f, or ``lost_power_fn`` sampled at 41 fouling levels and interpolated."""
    t = np.linspace(0.0, max_interval_days, 7301)
    dr = np.array([max(float(delta_fouling(x)), 0.0) for x in t])
    if not np.all(np.isfinite(dr)):
        raise DomainError("history", "the fouling model gives non-finite values over the horizon")
    if lost_power_per_fouling is not None:
        loss = lost_power_per_fouling * dr
        how = "numerical: linear loss coefficient, trapezoid integral, 7301-point grid"
    else:
        levels = np.linspace(0.0, float(dr.max()), 41)
        sampled = np.array([float(lost_power_fn(x)) for x in levels])
        if not np.all(np.isfinite(sampled)):
            raise DomainError("lost_power_fn", "the loss function returned non-finite values")
        loss = np.interp(dr, levels, sampled) if dr.max() > 0.0 else np.zeros_like(dr)
        how = "numerical: loss function sampled at 41 fouling levels, trapezoid integral, 7301-point grid"
    return t, np.maximum(loss, 0.0), how


@dataclass(frozen=True, slots=True)
class FoulingResult:
    """Result of :func:`calculate_fouling_factor` (SI; ``None`` = not computable)."""

    fouling_resistance: float | None  #: now [m²·K/W]
    cleanliness_factor: float | None  #: now [-]
    u_actual: float | None  #: [W/(m²·K)]
    u_clean: float | None  #: [W/(m²·K)]
    tema: TemaAllowance | None
    fits: dict  #: "linear"/"kern_seaton" → FoulingFit
    selected_model: str | None
    selection_reason: str
    days_until_cleaning: float | None  #: [d]
    days_until_cleaning_reason: str
    forecasts: dict  #: model → TriggerForecast
    cleaning_due: bool
    trigger_cleanliness: float
    trigger_level: float | None  #: trigger in the fit basis
    fit_basis: str | None
    recommended_method: str
    alternative_methods: tuple
    method_reason: str
    economic: EconomicInterval | None
    method: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    #: cleaning events, cycles and the current-cycle trend (None without a history)
    cycles: object | None = None
    trend_status: str = "no_history"  #: ok | poor_fit | insufficient_history | no_history
    trend_reason: str = "no history: no trend fitted"
    #: CF the current-cycle trend gives at the last history time (None without a valid trend)
    trend_cleanliness_factor: float | None = None
    history_span_days: float | None = None  #: current cycle: its start to the last point [d]
    tema_exceeded: bool | None = None  #: fouling now above the TEMA allowance
    low_velocity: bool = False  #: tube velocity below MIN_VELOCITY_FOULING_M_S
    economic_status: str = "not_requested"  #: one of ECONOMIC_STATUSES
    economic_note: str | None = None  #: the warning given when the interval is not computed
    #: where the HEI Fw, Fm and C1 of the snapshot's clean U came from (None: no snapshot or first
    #: principles); the warnings it calls for are :func:`~.hei.hei_basis_warnings`
    hei_basis: hei.HeiBasis | None = None


@dataclass
class _HistoryTrend:
    analysis: object
    basis: str
    y_trig: float | None
    y_now: float | None
    fits: dict
    selected: str | None
    forecasts: dict
    days: float | None
    days_reason: str
    due: bool
    trend_cf: float | None
    signal_is_index: bool


def _history_trend(
    history_days: Sequence[float],
    history_values: Sequence[float],
    history_kind: str,
    cleaning_days: Sequence[float],
    y_now_measured: float | None,
    u_clean: float | None,
    trigger_cleanliness: float,
    trigger_fouling_resistance: float | None,
    due_window_days: float,
    warnings: list[str],
) -> _HistoryTrend:
    """Daily points, cleaning events, cycles and the current-cycle trend of a history."""
    from .cycles import MIN_STEP_INDEX, analyse_cycles, daily_points  # cycles builds on this module

    t = np.asarray(history_days, dtype=float)
    v = np.asarray(history_values, dtype=float)
    if t.ndim != 1 or v.ndim != 1 or t.size != v.size or t.size == 0:
        raise DomainError("history", "history times and values must be 1-D, of equal length and not empty")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(v))):
        raise DomainError("history", "history contains non-finite times or values", "missing samples as NaN")
    if history_kind == "cleanliness_factor":
        if np.any(v <= 0.0) or np.any(v > 1.5):
            raise DomainError("history", "history cleanliness factors must be in (0, 1.5]", "entered in percent")
        basis, y_trig = "fouling_index", 1.0 / trigger_cleanliness - 1.0
        to_index: float | None = 1.0
        values = 1.0 / v - 1.0
    else:
        basis, values = "fouling_resistance", v
        y_trig = (
            float(trigger_fouling_resistance)
            if trigger_fouling_resistance is not None
            else ((1.0 / trigger_cleanliness - 1.0) / u_clean if u_clean is not None else None)
        )
        to_index = u_clean
    td, yd, duplicates = daily_points(t, values)
    if duplicates:
        warnings.append(f"{duplicates} history point(s) share a timestamp with another: averaged into the day")
    signal = yd * to_index if to_index is not None else yd
    # without U_clean an R_f history is scanned in R_f: the smallest step is the index step at a
    # typical clean U of 3,500 W/(m²·K) (HEI 1-in tubes at 7 ft/s)
    min_step = MIN_STEP_INDEX if to_index is not None else MIN_STEP_INDEX / 3500.0
    analysis = analyse_cycles(td, yd, basis, y_trig, cleaning_days, due_window_days, signal, min_step)
    tr = analysis.trend
    forecasts, days, reason, due = tr.forecasts, tr.days, tr.days_reason, tr.cleaning_due
    if tr.fits and y_trig is not None and y_now_measured is not None:
        forecasts = {name: days_until_trigger(fit, y_now_measured, y_trig) for name, fit in tr.fits.items()}
        days, reason = forecasts[tr.selected].days, forecasts[tr.selected].reason
        if tr.status == "ok":
            due = bool(days is not None and days <= due_window_days)
    if y_now_measured is not None and y_trig is not None and y_now_measured >= y_trig:
        due = True
    trend_cf = None
    if tr.fits and to_index is not None:
        trend_index = tr.fits[tr.selected].predict(float(tr.t[-1])) * to_index
        trend_cf = 1.0 / (1.0 + trend_index) if trend_index > -1.0 else None
    y_now = y_now_measured if y_now_measured is not None else tr.y_now
    return _HistoryTrend(
        analysis,
        basis,
        y_trig,
        y_now,
        tr.fits,
        tr.selected,
        forecasts,
        days,
        reason,
        due,
        trend_cf,
        to_index is not None,
    )


@dataclass(frozen=True, slots=True)
class FoulingInputs:
    """Inputs of :func:`calculate_fouling_factor` (SI; see there).

    Attributes
    ----------
    u_actual, u_clean : float, optional
        Actual and clean overall coefficients [W/(m²·K)].
    cleanliness_factor : float, optional
        Current CF [-] when U values are not given.
    measurement : HeatTransferInputs, optional
        A snapshot; R_f, CF, U values, CW outlet temperature and velocity come from
        :func:`~condensync_tools.calculators.heat_transfer.analyse_heat_transfer` (takes
        precedence).
    water_type : str, optional
        TEMA water type for the design allowance (see :func:`tema_water_types`).
    water_temp : float, optional
        Water temperature for the TEMA column [K] (CW outlet).
    tube_velocity : float, optional
        Mean tube velocity [m/s] (TEMA column, velocity note).
    history_days : sequence of float, optional
        Times of the history points in days on any common origin (the tool uses days since
        1970-01-01 UTC) [d]; any order, repeated times are averaged into their day.
    history_values : sequence of float, optional
        CF [-] (``history_kind="cleanliness_factor"``) or R_f [m²·K/W]
        (``history_kind="fouling_resistance"``).
    cleaning_days : sequence of float
        Known cleaning times, same origin as ``history_days`` [d]; more are detected.
    trigger_cleanliness : float
        Cleaning trigger CF [-], default 0.75.
    trigger_fouling_resistance : float, optional
        Trigger as R_f [m²·K/W] (for an R_f history without U_clean).
    due_window_days : float
        Cleaning is due when the trigger is forecast within this window [d], default 30.
    foulant : str
        One of ``FOULANTS``.
    cleaning_cost_usd : float, optional
        Cost of one cleaning [USD].
    power_price_usd_per_mwh : float, optional
        Electricity price [USD/MWh].
    lost_power_per_fouling : float, optional
        dL/dR_f [W per m²·K/W] (from the vacuum + turbine chain).
    lost_power_fn : callable, optional
        L(ΔR_f) [W] instead of the coefficient.
    max_interval_days : float
        Horizon of the economic search [d].
    """

    u_actual: float | None = None  #: [W/(m²·K)]
    u_clean: float | None = None  #: [W/(m²·K)]
    cleanliness_factor: float | None = None
    measurement: HeatTransferInputs | None = None
    water_type: str | None = None
    water_temp: float | None = None  #: [K]
    tube_velocity: float | None = None  #: [m/s]
    history_days: Sequence[float] | None = None  #: [d]
    history_values: Sequence[float] | None = None
    history_kind: str = "cleanliness_factor"
    cleaning_days: Sequence[float] = ()
    trigger_cleanliness: float = DEFAULT_TRIGGER_CLEANLINESS
    trigger_fouling_resistance: float | None = None  #: [m²·K/W]
    due_window_days: float = DEFAULT_DUE_WINDOW_DAYS
    foulant: str = "unknown"
    cleaning_cost_usd: float | None = None
    power_price_usd_per_mwh: float | None = None
    lost_power_per_fouling: float | None = None  #: [W per m²·K/W]
    lost_power_fn: Callable[[float], float] | None = None
    max_interval_days: float = 3650.0


@dataclass(frozen=True, slots=True)
class CurrentFoulingState:
    """Fouling now (SI) and the snapshot's water temperature and velocity."""

    cleanliness_factor: float | None
    fouling_resistance: float | None  #: [m²·K/W]
    u_actual: float | None
    u_clean: float | None
    water_temp: float | None
    tube_velocity: float | None
    hei_basis: hei.HeiBasis | None = None  #: of the snapshot's clean U (None: no snapshot or first principles)


@dataclass(frozen=True, slots=True)
class TrendStage:
    """What the history gives (defaults: no history)."""

    trend: _HistoryTrend | None = None
    fits: dict = field(default_factory=dict)
    forecasts: dict = field(default_factory=dict)
    selected: str | None = None
    selection_reason: str = "no history: no trend fitted"
    basis: str | None = None
    y_trig: float | None = None
    y_now: float | None = None
    days: float | None = None
    days_reason: str = "no history: no forecast"
    cleaning_due: bool = False


def _check_policy(x: FoulingInputs) -> None:
    if not math.isfinite(x.trigger_cleanliness) or not (0.0 < x.trigger_cleanliness < 1.0):
        raise DomainError(
            "trigger_cleanliness",
            f"trigger cleanliness {x.trigger_cleanliness!r} must be in (0, 1)",
            "entered in percent",
        )
    if not math.isfinite(x.due_window_days) or x.due_window_days < 0.0:
        raise DomainError("due_window_days", f"due window {x.due_window_days!r} days must be >= 0")
    if x.history_kind not in ("cleanliness_factor", "fouling_resistance"):
        raise DomainError(
            "history", f"history kind {x.history_kind!r} must be 'cleanliness_factor' or 'fouling_resistance'"
        )
    rf_trig = x.trigger_fouling_resistance
    if rf_trig is not None and (not math.isfinite(rf_trig) or rf_trig <= 0.0):
        raise DomainError("trigger_fouling_resistance", "trigger fouling resistance must be positive and finite")


def current_fouling_state(x: FoulingInputs, method: dict, warnings: list[str]) -> CurrentFoulingState:
    """CF and R_f now: from a measured snapshot (takes precedence), the U values, or the
    caller's CF (R_f then needs U_clean)."""
    u_actual, u_clean, water_temp, tube_velocity = x.u_actual, x.u_clean, x.water_temp, x.tube_velocity
    rf_now = cf_now = hei_basis = None
    if x.measurement is not None:
        ht = analyse_heat_transfer(x.measurement)
        warnings.extend(ht.warnings)
        if ht.u_clean is None:
            raise DomainError("tube_od", "the snapshot has no clean U: give tube_od, tube_count and tube data")
        u_actual, u_clean, hei_basis = ht.u_actual, ht.u_clean, ht.hei_basis
        water_temp = x.measurement.cw_outlet_temp if water_temp is None else water_temp
        tube_velocity = ht.tube_velocity if tube_velocity is None else tube_velocity
        method.update(ht.method)
        method["current_state"] = "measured snapshot (analyse_heat_transfer)"
    for name, val in (("u_actual", u_actual), ("u_clean", u_clean)):
        if val is not None and (not math.isfinite(val) or val <= 0.0):
            raise DomainError(name, f"{name} {val!r} W/(m²·K) must be positive and finite")
    if u_actual is not None and u_clean is not None:
        cf_now = u_actual / u_clean
        if cf_now > 1.5:
            raise DomainError(
                "u_actual",
                f"cleanliness {cf_now:.3f} > 1.5: actual U implausibly above clean U",
                "U values swapped, or in different units",
            )
        rf_now = 1.0 / u_actual - 1.0 / u_clean
        method.setdefault("current_state", "caller's U values")
    elif x.cleanliness_factor is not None:
        cf = x.cleanliness_factor
        if not math.isfinite(cf) or not (0.0 < cf <= 1.5):
            raise DomainError(
                "cleanliness_factor", f"cleanliness factor {cf!r} must be in (0, 1.5]", "entered in percent"
            )
        cf_now = float(cf)
        if u_clean is not None:
            rf_now = fouling_resistance_of(cf_now, u_clean)
        method["current_state"] = "caller's cleanliness factor"
    if cf_now is not None and cf_now > 1.0:
        warnings.append(f"cleanliness {cf_now:.3f} above 1.0: check CW flow, outlet temperature and area")
    return CurrentFoulingState(cf_now, rf_now, u_actual, u_clean, water_temp, tube_velocity, hei_basis)


def tema_stage(
    water_type: str | None, now: CurrentFoulingState, method: dict, warnings: list[str]
) -> TemaAllowance | None:
    """The TEMA RGP-T-2.4 allowance of a TEMA water type (None for a salinity class only)."""
    if water_type is None:
        return None
    salinity_class(water_type)
    if water_type not in load_data(TEMA_FILE)["water_types"]:
        warnings.append(
            f"water type {water_type!r} is not a TEMA category: no TEMA allowance (use city_well, "
            "river_*, cooling_tower_*...)"
        )
        return None
    tema = tema_fouling_resistance(water_type, now.water_temp, now.tube_velocity)
    warnings.extend(tema.notes)
    method["tema"] = f"TEMA RGP-T-2.4, {tema.label}, column {tema.column}"
    return tema


def trend_stage(x: FoulingInputs, now: CurrentFoulingState, method: dict, warnings: list[str]) -> TrendStage:
    """The current-cycle trend of the history and the forecast (:func:`_history_trend`); without
    a history the level now against the trigger."""
    if (x.history_days is None) != (x.history_values is None):
        raise DomainError("history", "give both history times and values")
    cf_now = now.cleanliness_factor
    if x.history_days is None:
        y_now = 1.0 / cf_now - 1.0 if cf_now is not None else None
        y_trig = 1.0 / x.trigger_cleanliness - 1.0 if cf_now is not None else None
        due = bool(y_now is not None and y_trig is not None and y_now >= y_trig)
        return TrendStage(y_trig=y_trig, y_now=y_now, cleaning_due=due)
    if x.history_kind == "cleanliness_factor":
        y_now_measured = 1.0 / cf_now - 1.0 if cf_now is not None else None
    else:
        y_now_measured = now.fouling_resistance
    trend = _history_trend(
        x.history_days,
        x.history_values,
        x.history_kind,
        x.cleaning_days,
        y_now_measured,
        now.u_clean,
        x.trigger_cleanliness,
        x.trigger_fouling_resistance,
        x.due_window_days,
        warnings,
    )
    status = trend.analysis.trend
    method["fit_basis"] = (
        "fouling index y = 1/CF - 1 (= R_f*U_clean; normalised against U_clean(V, T_in))"
        if trend.basis == "fouling_index"
        else "fouling resistance R_f [m2*K/W]"
    )
    method["fit"] = (
        "daily points (mean per UTC day); current cycle only: linear with intercept and Kern-Seaton "
        "with the post-cleaning residual R0; " + status.method + "; model by AICc: within 2 of each other "
        "the one with fewer parameters (equal counts: Kern-Seaton when the earlier cycles were asymptotic, "
        "else linear)"
    )
    if trend.fits:
        method["current_level"] = "measured now" if y_now_measured is not None else "chosen model at the last point"
    days_reason = trend.days_reason
    if trend.y_trig is None:
        days_reason = "trigger not computable: an R_f history needs u_clean or trigger_fouling_resistance"
        warnings.append(days_reason)
    method["cleaning_trigger"] = (
        f"CF {x.trigger_cleanliness:g} -> R_f,target = 1/(CF*U_clean) - 1/U_clean (policy value, 0.75-0.80)"
    )
    return TrendStage(
        trend,
        trend.fits,
        trend.forecasts,
        trend.selected,
        status.selection_reason,
        trend.basis,
        trend.y_trig,
        trend.y_now,
        trend.days,
        days_reason,
        trend.due,
    )


def _fouling_growth(fit: FoulingFit, to_rf: float) -> tuple[Callable[[float], float], float | None]:
    """(R_f growth since the cleaning ΔR_f(t) [m²·K/W], linear rate β [m²·K/W/d] or None) of a fit."""
    if fit.model == "linear":
        beta = fit.params["beta"] * to_rf

        def grown(t_d: float) -> float:
            return beta * t_d

        return grown, beta
    r_inf, tau = fit.params["r_inf"] * to_rf, fit.params["tau"]

    def grown_asymptotic(t_d: float) -> float:
        return r_inf * -math.expm1(-t_d / tau)

    return grown_asymptotic, None


#: FoulingResult.economic_status values.
ECONOMIC_STATUSES = (
    "not_requested",
    "computed",
    "needs_history",
    "needs_cost_and_price",
    "needs_lost_power",
    "needs_u_clean",
)
_ECONOMIC_NOTES = {
    "needs_history": "economic cleaning interval not computed: it needs a history (fouling trend)",
    "needs_cost_and_price": "economic cleaning interval not computed: it needs cleaning_cost_usd and "
    "power_price_usd_per_mwh",
    "needs_lost_power": "economic cleaning interval not computed: it needs the lost power per unit of fouling",
    "needs_u_clean": "economic cleaning interval not computed: a cleanliness history needs u_clean to "
    "convert the fouling index to R_f",
}


def _economic_status(x: FoulingInputs, tr: TrendStage, u_clean: float | None) -> str:
    """Whether the economic interval can be computed: one of :data:`ECONOMIC_STATUSES`."""
    if x.cleaning_cost_usd is None and x.lost_power_per_fouling is None and x.lost_power_fn is None:
        return "not_requested"
    if tr.selected is None:
        return "needs_history"
    if x.cleaning_cost_usd is None or x.power_price_usd_per_mwh is None:
        return "needs_cost_and_price"
    if x.lost_power_per_fouling is None and x.lost_power_fn is None:
        return "needs_lost_power"
    if tr.basis == "fouling_index" and u_clean is None:
        return "needs_u_clean"
    return "computed"


def economic_stage(
    x: FoulingInputs, tr: TrendStage, u_clean: float | None, method: dict, warnings: list[str]
) -> tuple[EconomicInterval | None, str]:
    """(the economic cleaning interval of the chosen fit (:func:`economic_cleaning_interval`) or
    None, its status, one of :data:`ECONOMIC_STATUSES`); a status other than "computed" or
    "not_requested" adds a warning naming what it needs."""
    status = _economic_status(x, tr, u_clean)
    if status != "computed":
        if status in _ECONOMIC_NOTES:
            warnings.append(_ECONOMIC_NOTES[status])
        return None, status
    to_rf = 1.0 / u_clean if tr.basis == "fouling_index" else 1.0
    grown, linear_beta = _fouling_growth(tr.fits[tr.selected], to_rf)
    economic = economic_cleaning_interval(
        grown,
        x.cleaning_cost_usd,
        x.power_price_usd_per_mwh,
        x.lost_power_per_fouling,
        x.lost_power_fn,
        x.max_interval_days,
        linear_beta,
    )
    method["economic_interval"] = economic.method
    return economic, status


def fouling_level_now(r: FoulingResult) -> float | None:
    """Current fouling level in the trigger's basis (index 1/CF − 1, or R_f)."""
    if r.fit_basis == "fouling_resistance":
        return r.fouling_resistance
    return 1.0 / r.cleanliness_factor - 1.0 if r.cleanliness_factor else None


#: Meanings of days_until_cleaning (the tool's days_until_cleaning_status).
DAYS_STATUSES = (
    "forecast",
    "already_at_trigger",
    "not_reached",
    "insufficient_history",
    "no_history",
    "not_computable",
)


def cleaning_schedule(r: FoulingResult) -> tuple[float | None, str]:
    """(days until the cleaning trigger [d] or None, its status, one of :data:`DAYS_STATUSES`):
    a number only where one is promised (0 when already at or beyond the trigger)."""
    if r.days_until_cleaning is not None:
        days = float(r.days_until_cleaning)
        return days, "already_at_trigger" if days == 0.0 else "forecast"
    level = fouling_level_now(r)
    if r.trigger_level is not None and level is not None and level >= r.trigger_level:
        return 0.0, "already_at_trigger"
    if r.selected_model is None:
        return None, "insufficient_history" if r.trend_status == "insufficient_history" else "no_history"
    fc = r.forecasts.get(r.selected_model)
    if fc is not None and fc.status in ("not_reached_slope", "not_reached_asymptote"):
        return None, "not_reached"
    return None, "not_computable"


def economic_loss_base(r: FoulingResult) -> float | None:
    """R_f the last cleaning left [m²·K/W] (the chosen fit's R_0, at least 0), from which the
    lost power of further fouling is valued; None without a trend or, for an index fit, U_clean."""
    if r.selected_model is None:
        return None
    base = max(r.fits[r.selected_model].params["r0"], 0.0)
    if r.fit_basis == "fouling_index":
        return base / r.u_clean if r.u_clean else None
    return base


def calculate_fouling_factor(inputs: FoulingInputs | None = None, /, **fields: Any) -> FoulingResult:
    """Fouling now, its trend, the cleaning date, method and economic interval (SI).

    .. math::
        R_f = \\frac{1}{U_{actual}} - \\frac{1}{U_{clean}}, \\quad
        R_{f,target} = \\frac{1}{CF_{trig} U_{clean}} - \\frac{1}{U_{clean}}, \\quad
        y = \\frac{1}{CF} - 1 = R_f U_{clean}

    Stages: :func:`current_fouling_state`, :func:`tema_stage`, :func:`trend_stage`
    (:func:`_history_trend`), :func:`recommend_cleaning_method` and :func:`economic_stage`;
    this function combines them.

    Parameters
    ----------
    inputs : FoulingInputs, optional
        The inputs (SI), documented on :class:`FoulingInputs`;
        or its fields as keywords.

    Returns
    -------
    FoulingResult

    Raises
    ------
    DomainError, OutOfRangeError
        Invalid values (field named after the tool argument).

    Notes
    -----
    The history is reduced to daily points, cleanings are detected and merged with the given
    ones, and only the current cycle is fitted (:func:`.cycles.analyse_cycles`): no trend
    below 5 daily points over 7 days (``trend_status`` "insufficient_history"). Model choice by
    AICc (:func:`select_model`). The current level is the measured one when given, else the
    chosen model at the last history time. Days until cleaning come from the chosen model;
    "never reached" is reported as ``None`` with its reason, never NaN.

    References
    ----------
    HEI 9th ed. def. 2.3; TEMA RGP-T-2.4; Kern & Seaton (1959).
    docs/methods.md §5.
    """
    x = inputs if inputs is not None else FoulingInputs(**fields)
    warnings: list[str] = []
    method: dict = {"fouling_resistance": "R_f = 1/U_actual - 1/U_clean; CF = U_actual/U_clean (HEI def. 2.3)"}
    _check_policy(x)
    now = current_fouling_state(x, method, warnings)
    tema = tema_stage(x.water_type, now, method, warnings)
    tr = trend_stage(x, now, method, warnings)
    rec = recommend_cleaning_method(x.foulant, tr.selected, now.tube_velocity)
    economic, economic_status = economic_stage(x, tr, now.u_clean, method, warnings)
    trend = tr.trend
    rf_now = now.fouling_resistance
    return FoulingResult(
        fouling_resistance=rf_now,
        cleanliness_factor=now.cleanliness_factor,
        u_actual=now.u_actual,
        u_clean=now.u_clean,
        tema=tema,
        fits=tr.fits,
        selected_model=tr.selected,
        selection_reason=tr.selection_reason,
        days_until_cleaning=tr.days,
        days_until_cleaning_reason=tr.days_reason,
        forecasts=tr.forecasts,
        cleaning_due=tr.cleaning_due,
        trigger_cleanliness=x.trigger_cleanliness,
        trigger_level=tr.y_trig,
        fit_basis=tr.basis,
        recommended_method=rec.method,
        alternative_methods=rec.alternatives,
        method_reason=rec.reason,
        economic=economic,
        method=method,
        warnings=warnings,
        cycles=trend.analysis if trend is not None else None,
        trend_status=trend.analysis.trend.status if trend is not None else "no_history",
        trend_reason=trend.analysis.trend.reason if trend is not None else "no history: no trend fitted",
        trend_cleanliness_factor=trend.trend_cf if trend is not None else None,
        history_span_days=(
            float(trend.analysis.trend.t[-1]) if trend is not None and trend.analysis.trend.t.size else None
        ),
        tema_exceeded=(bool(rf_now > tema.fouling_resistance) if tema is not None and rf_now is not None else None),
        low_velocity=rec.low_velocity,
        economic_status=economic_status,
        economic_note=_ECONOMIC_NOTES.get(economic_status),
        hei_basis=now.hei_basis,
    )
