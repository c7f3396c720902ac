# SPDX-License-Identifier: MIT
"""Air binding versus fouling: which part of a backpressure deviation is air, which is fouling.

A cleanliness factor measured on a snapshot (U_actual/U_clean from the CW temperatures and the
shell pressure) takes *everything* that raises the shell pressure as poor heat transfer: a tube
bundle blanketed by non-condensable gas raises the pressure at the same CW duty, so the
"measured CF" falls although the tubes are no dirtier. The two are told apart by an
independent estimate of the fouling CF at this moment — the fouling trend of the current
cleaning cycle, the last clean measurement before the air event, or the design cleanliness —
and the expected-backpressure chain of :mod:`~condensync_tools.calculators.vacuum`:

.. math::
    P_{exp} = P(T_{in}, \\dot V, Q, CF_{foul}), \\quad P_{ach} = P(T_{in}, \\dot V, Q, CF_{target})

    \\Delta P_{air} = P_{meas} - P_{exp}, \\qquad \\Delta P_{foul} = P_{exp} - P_{ach}

and the turbine correction curve values each share: W_air = lost(P_meas, P_exp),
W_foul = lost(P_exp, P_ach) (zero below the choke point). The air share is what a leak repair
recovers; the fouling share is what tube cleaning recovers.

The air share is *confounding* the measured CF when the air indicators show a leak and the
measured CF lies below the fouling CF (ΔP_air > 0): the CF drop below the fouling CF is then
(at least partly) air, and the measured CF must not drive a cleaning decision; the fouling CF
does. The PTC 12.2 pressure uncertainty (±0.12 inHg) is no threshold here: it bounds the error
of a pressure, while the CF that pressure implies moves by 0.15 and more per 0.1 inHg at low
backpressure and low CW flow, and a detected leak is independent evidence that the shell
pressure is raised by air.

References
----------
Putman, R.E., Harpster, J.W., "The measurement of condenser losses due to fouling and those due
to air ingress" (fouling and air binding raise backpressure alike; separating them needs an
independent fouling measure).
ASME PTC 12.2-2010 (R2020), *Steam Surface Condensers* (absolute pressure ±0.12 inHg; the
correction-to-design chain as commonly applied).
HEI *Standards for Steam Surface Condensers* 9th ed. def. 2.3 (cleanliness factor).
EPRI TR-112819 *Condenser In-Leakage Guideline* (2000).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import hei
from .economics import check_price, usd_per_day
from .errors import DomainError
from .fouling import fouling_resistance_of
from .turbine import TurbineCurve
from .vacuum import CondenserModel, expected_backpressure

__all__ = [
    "FOULING_CF_SOURCES",
    "AIR_EVENT_GUARD_S",
    "AirAttribution",
    "attribute_air_and_fouling",
    "expected_fouling_cleanliness",
    "cleanliness_before_air_event",
    "air_confounded",
    "cleaning_due_despite_air",
    "last_cleanliness_since",
    "FoulingPoint",
    "fouling_point_to_keep",
]

#: Where the expected fouling CF comes from, in order of preference.
FOULING_CF_SOURCES = (
    "caller",  # an independent CF the caller supplied (post-cleaning test, paired tubes)
    "fouling_trend",  # the current cleaning cycle's trend evaluated now
    "history_before_air_event",  # the last CF of the supplied history (measured before the event)
    "stored_before_air_event",  # the last stored CF before the air event began
    "design_cleanliness",  # the target/design CF (assumed: values air, is not evidence of it)
)
#: Stored cleanliness points this close before the first air detection of the current event are
#: not used: the leak may have grown before it was detected, while fouling changes over weeks
#: (house choice, 1 day) [s].
AIR_EVENT_GUARD_S = 86_400.0


@dataclass(frozen=True, slots=True)
class AirAttribution:
    """Backpressure shares of air and fouling (SI: Pa, W, USD/day)."""

    measured_backpressure: float  #: [Pa]
    expected_backpressure: float  #: at the fouling CF [Pa]
    achievable_backpressure: float  #: at the target CF [Pa]
    air_backpressure: float  #: P_meas − P_exp; negative: measured below expected [Pa]
    fouling_backpressure: float  #: P_exp − P_ach [Pa]
    fouling_cleanliness: float  #: [-]
    target_cleanliness: float  #: [-]
    air_lost_output: float | None  #: W recovered by removing the air (None without a curve)
    fouling_lost_output: float | None  #: W recovered by cleaning to the target
    air_usd_per_day: float | None
    fouling_usd_per_day: float | None
    method: dict = field(default_factory=dict)
    #: where the HEI Fw, Fm and C1 of the expected backpressure came from (None: first principles);
    #: the warnings it calls for are :func:`~.hei.hei_basis_warnings`
    hei_basis: hei.HeiBasis | None = None


def attribute_air_and_fouling(
    model: CondenserModel,
    *,
    cw_inlet_temp: float,
    cw_flow: float,
    heat_duty: float,
    measured_backpressure: float,
    fouling_cleanliness: float,
    target_cleanliness: float,
    turbine: TurbineCurve | None = None,
    power_price_usd_per_mwh: float | None = None,
) -> AirAttribution:
    """Split the measured backpressure above the achievable one into air and fouling shares.

    .. math::
        \\Delta P_{air} = P_{meas} - P(CF_{foul}), \\quad
        \\Delta P_{foul} = P(CF_{foul}) - P(CF_{target}), \\quad
        W_{air} = \\mathrm{lost}(P_{meas}, P(CF_{foul}))

    with P(CF) from :func:`~condensync_tools.calculators.vacuum.expected_backpressure` at the
    current CW inlet temperature [K], CW flow [m³/s] and heat duty [W].

    Parameters
    ----------
    model : CondenserModel
        Geometry and clean-U options.
    cw_inlet_temp, cw_flow, heat_duty : float
        Current state [K], [m³/s], [W].
    measured_backpressure : float
        Measured absolute shell pressure [Pa].
    fouling_cleanliness : float
        CF fouling alone gives now (trend, last clean measurement, or design) [-].
    target_cleanliness : float
        Target (design) CF [-].
    turbine : TurbineCurve, optional
        Values the shares in W (no value without it).
    power_price_usd_per_mwh : float, optional
        Values the shares in USD/day.

    Returns
    -------
    AirAttribution
        A negative air share (measured below expected) is valued 0 W.

    References
    ----------
    Putman & Harpster, fouling versus air ingress; ASME PTC 12.2-2010 (R2020).
    """
    if measured_backpressure is None or not math.isfinite(measured_backpressure) or measured_backpressure <= 0:
        raise DomainError("condenser_pressure", f"measured backpressure {measured_backpressure!r} Pa must be > 0")
    price = check_price(power_price_usd_per_mwh)
    expected = expected_backpressure(model, cw_inlet_temp, cw_flow, heat_duty, cleanliness_factor=fouling_cleanliness)
    p_exp = expected.backpressure
    p_ach = expected_backpressure(
        model, cw_inlet_temp, cw_flow, heat_duty, cleanliness_factor=target_cleanliness
    ).backpressure
    air_w = foul_w = None
    method = {
        "air_attribution": "air = P_meas - P(CF_fouling), fouling = P(CF_fouling) - P(CF_target), P from the "
        "effectiveness/NTU backpressure chain; each valued on the turbine correction curve"
    }
    if turbine is not None:
        air_w = max(turbine.lost_output(measured_backpressure, p_exp), 0.0)
        foul_w = max(turbine.lost_output(p_exp, p_ach), 0.0)
        method.update(turbine.method)

    def usd(w: float | None) -> float | None:
        return usd_per_day(w, price) if w is not None and price is not None else None

    return AirAttribution(
        measured_backpressure=float(measured_backpressure),
        expected_backpressure=p_exp,
        achievable_backpressure=p_ach,
        air_backpressure=measured_backpressure - p_exp,
        fouling_backpressure=p_exp - p_ach,
        fouling_cleanliness=float(fouling_cleanliness),
        target_cleanliness=float(target_cleanliness),
        air_lost_output=air_w,
        fouling_lost_output=foul_w,
        air_usd_per_day=usd(air_w),
        fouling_usd_per_day=usd(foul_w),
        method=method,
        hei_basis=expected.hei_basis,
    )


def expected_fouling_cleanliness(
    *,
    design: float,
    caller: float | None = None,
    trend: float | None = None,
    history_before_air_event: float | None = None,
    stored_before_air_event: float | None = None,
) -> tuple[float, str]:
    """The fouling CF expected now and where it came from (first available of
    :data:`FOULING_CF_SOURCES`).

    .. math:: CF_{foul} = \\text{first of}(CF_{caller}, CF_{trend}(t_{now}), CF_{hist,last},
              CF_{stored,last}, CF_{design})

    Parameters
    ----------
    design : float
        Design (target) CF [-], the last resort (an assumption, not a measurement).
    caller, trend, history_before_air_event, stored_before_air_event : float, optional
        Independent estimates [-]; ``trend`` is the current cleaning cycle's trend evaluated now
        (``trend_cleanliness_factor`` of calculate_fouling_factor).

    Returns
    -------
    (float, str)
        CF [-] and its source id.

    Raises
    ------
    DomainError
        A given CF outside (0, 1.5].
    """
    candidates = (caller, trend, history_before_air_event, stored_before_air_event, design)
    for source, cf in zip(FOULING_CF_SOURCES, candidates, strict=True):
        if cf is None:
            continue
        if not math.isfinite(cf) or not (0.0 < cf <= 1.5):
            raise DomainError("cleanliness_factor", f"{source} cleanliness {cf!r} must be in (0, 1.5]")
        return float(cf), source
    raise DomainError("target_cleanliness", "no design cleanliness to fall back on")  # pragma: no cover


def cleanliness_before_air_event(
    points: Iterable[tuple[float, float]],
    air_results: Iterable[tuple[float, bool]],
    guard_s: float = AIR_EVENT_GUARD_S,
) -> float | None:
    """The last stored cleanliness factor measured before the current air event.

    The event starts at the first of the trailing run of air diagnoses that detected a leak
    (every later diagnosis detected one too); points within ``guard_s`` before that start are
    skipped (the leak may have grown before it was detected). Without a current event every
    point counts.

    Parameters
    ----------
    points : iterable of (time [s], CF [-])
        Stored cleanliness history (any order).
    air_results : iterable of (time [s], leak detected)
        Stored air diagnoses (any order).
    guard_s : float
        Guard interval before the event start [s].

    Returns
    -------
    float or None
        The CF of the latest point before ``start − guard_s``; None when there is none.
    """
    start = None
    for t, detected in sorted(air_results, reverse=True):
        if not detected:
            break
        start = t
    limit = math.inf if start is None else start - guard_s
    before = [(t, cf) for t, cf in points if t < limit and cf is not None and math.isfinite(cf) and cf > 0.0]
    return max(before)[1] if before else None


def last_cleanliness_since(points: Iterable[tuple[float, float]], cleaned: float | None = None) -> float | None:
    """CF of the latest history point at or after the last cleaning (any point without one);
    None when there is none.

    Parameters
    ----------
    points : iterable of (time [s], CF [-])
    cleaned : float, optional
        Time of the last cleaning [s].
    """
    kept = [(t, cf) for t, cf in points if cleaned is None or t >= cleaned]
    return max(kept, key=lambda p: p[0])[1] if kept else None


def air_confounded(leak_detected: bool, air_backpressure: float | None) -> bool:
    """True when air binding contaminates a CF measured on the same snapshot: a leak is
    indicated and the measured backpressure lies above the one the fouling CF gives (the
    measured CF lies below the fouling CF), so the CF drop below the fouling CF is air.

    .. math:: \\text{confounded} = \\text{leak} \\land \\Delta P_{air} > 0

    The PTC 12.2-2010 absolute-pressure uncertainty (±0.12 inHg) is not used as a threshold:
    it is the uncertainty of a pressure, not a bound on the CF error that air causes (near
    choke, at low CW flow, 0.1 inHg of air lowers the measured CF by 0.15 and more). With a leak
    detected by the air indicators, any CF drop below the independent fouling CF is attributed
    to air until the leak is stopped; the decision then rests on the fouling CF
    (:func:`cleaning_due_despite_air`), which equals the measured CF when air explains nothing.

    Parameters
    ----------
    leak_detected : bool
        ``leak_detected`` of the air diagnosis (DO, subcooling, off-gas, vacuum decay, ...).
    air_backpressure : float, optional
        ΔP_air = P_meas − P(CF_fouling) [Pa] (:func:`attribute_air_and_fouling`); None when not
        worked out (then nothing is confounded).
    """
    return bool(leak_detected) and air_backpressure is not None and air_backpressure > 0.0


def cleaning_due_despite_air(
    fouling_cleaning_due: bool, fouling_cleanliness: float, trigger_cleanliness: float
) -> bool:
    """Cleaning stays due on an air-bound snapshot only if the fouling CF itself is at or below
    the cleaning trigger (a CF drop the air share explains never calls for cleaning).

    .. math:: \\text{due} = \\text{due}_{snapshot} \\land CF_{foul} \\le CF_{trigger}
    """
    return bool(fouling_cleaning_due) and fouling_cleanliness <= trigger_cleanliness


@dataclass(frozen=True, slots=True)
class FoulingPoint:
    """The fouling state a snapshot adds to the condenser history."""

    cleanliness_factor: float | None  #: [-]
    fouling_resistance: float | None  #: [m²·K/W]
    air_confounded: bool  #: the CF replaces one measured under air binding


def fouling_point_to_keep(
    measured_cf: float | None,
    measured_rf: float | None,
    confounded: bool,
    fouling_cf: float | None = None,
    fouling_source: str | None = None,
    u_clean: float | None = None,
) -> FoulingPoint:
    """What the history keeps of one analysed snapshot: the measured CF and R_f, unless air
    confounds them; then the fouling CF (with R_f = (1/CF − 1)/U_clean at the snapshot's clean
    U), never the air-bound one, and nothing when the fouling CF is only the design value (an
    assumption: stored as a point it would pull a fouling trend towards clean tubes).

    Parameters
    ----------
    measured_cf, measured_rf : float, optional
        CF [-] and R_f [m²·K/W] measured on the snapshot.
    confounded : bool
        :func:`air_confounded` of the snapshot.
    fouling_cf, fouling_source : float, str, optional
        :func:`expected_fouling_cleanliness` of the snapshot.
    u_clean : float, optional
        Clean U at the snapshot's conditions [W/(m²·K)].
    """
    if not confounded:
        return FoulingPoint(measured_cf, measured_rf, False)
    if fouling_cf is None or fouling_source in (None, "design_cleanliness"):
        return FoulingPoint(None, None, True)
    rf = fouling_resistance_of(fouling_cf, u_clean) if u_clean else None
    return FoulingPoint(fouling_cf, rf, True)
