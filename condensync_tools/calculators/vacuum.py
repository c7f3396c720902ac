# SPDX-License-Identifier: MIT
"""Expected, achievable and design-corrected condenser backpressure; deviation split and value.

Chain (docs/methods.md §2 step 7, the ASME PTC 12.2 "correct to design" step as commonly
applied), all SI:

.. math::
    U = U_{clean}(V, T_{in}, T_{out}, T_{sat}) \\cdot CF, \\quad
    TR = \\frac{Q}{\\dot m c_p}, \\quad NTU = \\frac{U A}{\\dot m c_p}, \\quad
    TTD = \\frac{TR}{e^{NTU} - 1}, \\quad T_{sat} = T_{in} + TR + TTD, \\quad
    P = P_{sat}(T_{sat})

with ṁ = ρ(T_in)·Q_vol, c_p at the mean CW temperature and the clean U of
:func:`~condensync_tools.calculators.heat_transfer.clean_u` (HEI C1·√V·Fw·Fm, or first
principles) evaluated at the actual tube velocity and temperatures. U_clean depends weakly on
T_sat (shell side, derived Fw/Fm), so T_sat is found by fixed-point iteration. These are the
conventions of :func:`~condensync_tools.calculators.heat_transfer.analyse_heat_transfer`,
so feeding back the cleanliness measured on a snapshot reproduces its pressure exactly.

Deviation of a measured backpressure from the reference (design) state is split by
**sequential substitution** (order: heat duty → CW inlet temperature → CW flow → fouling →
unexplained); each part is the change of the expected backpressure when one more quantity
moves from its reference to its actual value, so the parts sum exactly to the total.

References
----------
ASME PTC 12.2-2010 (R2020), *Steam Surface Condensers* (chain as commonly applied; its
reference correlations are not reproduced).
Heat Exchange Institute, *Standards for Steam Surface Condensers*, 9th ed. (1995):
def. 2.3 (cleanliness factor), def. 2.5 (duty = steam flow × 950 Btu/lb turbine service).
docs/methods.md §2, §3, §6, pitfalls 8, 13, 15.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from . import hei
from .constants import BTU_J, FT_M, INHG_PA, LB_KG
from .economics import Action, check_price, rank_actions, usd_per_day
from .errors import CalculationError, DomainError
from .first_principles import DEFAULT_BANK_ROWS
from .fouling import salinity_class
from .heat_transfer import (
    CleanU,
    HeatTransferInputs,
    analyse_heat_transfer,
    clean_u,
    hei_velocity_warning,
    saturation_temp_from_effectiveness,
)
from .messages import Text
from .tubes import TubeBundle, material, tube_bundle
from .turbine import TurbineCurve
from .water import liquid_properties, salinity_for, saturation_pressure, saturation_temperature

__all__ = [
    "HEI_STEAM_HEAT_RELEASE_J_KG",
    "DEVIATION_ORDER",
    "CondenserModel",
    "condenser_model",
    "DesignPoint",
    "BackpressureState",
    "expected_backpressure",
    "heat_duty_from_steam_flow",
    "OperatingState",
    "ReferencePressures",
    "reference_pressures",
    "deviation_split",
    "turbine_losses",
    "vacuum_actions",
    "cleanliness_lost_output",
    "resolve_operating_state",
    "VacuumResult",
    "optimize_vacuum_pressure",
    "current_states",
    "TurbineTarget",
    "turbine_target",
    "fouling_loss_function",
    "fouling_loss_coefficient",
]

#: HEI 9th ed. def. 2.5: heat released per lb of exhaust steam, turbine service, 950 Btu/lb
#: (1000 Btu/lb engine service; UFC 3-540-02N: 980 Btu/lb reheat) → J/kg.
HEI_STEAM_HEAT_RELEASE_J_KG = 950.0 * BTU_J / LB_KG
#: Order of the sequential substitution from the reference state to the actual state.
DEVIATION_ORDER = ("heat_duty", "cw_inlet_temp", "cw_flow", "fouling", "unexplained")
#: Highest CW temperature the property correlations accept (IAPWS-08 range) [K].
_CW_T_MAX = 353.15
_CW_T_MIN = 273.15
#: PTC 12.2-2010 target uncertainty of absolute pressure, ±0.12 inHg (docs/methods.md §2).
PTC_PRESSURE_UNCERTAINTY_PA = 0.12 * INHG_PA
_TSAT_TOL_K = 1e-7

#: Round-off below these is exactly 0 (e.g. the unexplained part when the cleanliness is
#: measured on the same snapshot, where the chain closes to ~1e-9 Pa): 1 µPa, 1 mW.
ROUND_OFF_PA = 1.0e-6
ROUND_OFF_W = 1.0e-3


def _snap(x: float, tol: float) -> float:
    """``x``, or exactly 0 when it is below the round-off tolerance ``tol``."""
    return 0.0 if abs(x) < tol else x


def _dp(pa: float) -> tuple:
    """A pressure difference [Pa] as a typed message quantity (worded in the caller's units)."""
    return ("pressure_difference", pa, 3)


def _p(pa: float) -> tuple:
    """An absolute pressure [Pa] as a typed message quantity."""
    return ("pressure", pa, 4)


def _dt(k: float) -> tuple:
    """A temperature difference [K] as a typed message quantity."""
    return ("temperature_difference", k, 3)


def _t(k: float) -> tuple:
    """A temperature [K] as a typed message quantity."""
    return ("temperature", k, 4)


def _finite_positive(field_name: str, value: float, what: str, cause: str = "") -> float:
    if value is None or not math.isfinite(value) or value <= 0.0:
        raise DomainError(field_name, f"{what} must be a positive finite number, got {value!r}", cause)
    return float(value)


def _check_cf(field_name: str, cf: float) -> float:
    if cf is None or not math.isfinite(cf) or not (0.0 < cf <= 1.5):
        raise DomainError(
            field_name,
            f"cleanliness factor {cf!r} must be in (0, 1.5] (a fraction, not %)",
            "cleanliness entered in percent",
        )
    return float(cf)


def _check_cw_temp(field_name: str, t: float) -> float:
    if t is None or not math.isfinite(t) or not (_CW_T_MIN <= t <= _CW_T_MAX):
        if t is None or not math.isfinite(t):
            reason = f"CW temperature {t!r} is outside the liquid cooling-water range {{lo}}-{{hi}}"
            raise DomainError(field_name, Text(reason, lo=_t(_CW_T_MIN), hi=_t(_CW_T_MAX)), "°F/°C or K mix-up")
        raise DomainError(
            field_name,
            Text(
                "CW temperature {t} is outside the liquid cooling-water range {lo}-{hi}",
                t=_t(t),
                lo=_t(_CW_T_MIN),
                hi=_t(_CW_T_MAX),
            ),
            "°F/°C or K mix-up",
        )
    return float(t)


@dataclass(frozen=True, slots=True)
class CondenserModel:
    """Condenser geometry and clean-U options shared by the vacuum and CW-flow calculators."""

    bundle: TubeBundle
    tube_material: str
    surface_area: float  #: effective outside area used [m²]
    salinity: float = 0.0  #: absolute salinity [kg/kg]
    clean_u_method: str = "hei"
    hei_edition: str = "hei_9th_10th"
    fw: float = 0.0  #: caller's HEI Fw (0 → derived)
    fm: float = 0.0  #: caller's HEI Fm (0 → table or derived)
    bank_rows: int = DEFAULT_BANK_ROWS

    def heat_transfer_inputs(
        self,
        cw_inlet_temp: float,
        cw_outlet_temp: float,
        cw_flow: float,
        condenser_pressure: float,
        design_cleanliness: float = 0.0,
    ) -> HeatTransferInputs:
        """The :class:`HeatTransferInputs` of one measured snapshot on this condenser (SI)."""
        return HeatTransferInputs(
            cw_inlet_temp=cw_inlet_temp,
            cw_outlet_temp=cw_outlet_temp,
            cw_flow=cw_flow,
            condenser_pressure=condenser_pressure,
            surface_area=self.surface_area,
            bundle=self.bundle,
            tube_material=self.tube_material,
            salinity=self.salinity,
            clean_u_method=self.clean_u_method,
            hei_edition=self.hei_edition,
            fw=self.fw,
            fm=self.fm,
            design_cleanliness=design_cleanliness,
            bank_rows=self.bank_rows,
        )


def condenser_model(
    tube_od: float,
    tube_gauge_bwg: int,
    tube_count: int,
    tube_material: str,
    tube_passes: int = 1,
    tube_length: float = 0.0,
    surface_area: float = 0.0,
    plugged_tubes: int = 0,
    water_type: str = "fresh",
    salinity: float | None = None,
    clean_u_method: str = "hei",
    hei_edition: str = "hei_9th_10th",
    fw: float = 0.0,
    fm: float = 0.0,
    bank_rows: int = DEFAULT_BANK_ROWS,
) -> CondenserModel:
    """Build and check a :class:`CondenserModel` from the tool arguments (SI).

    .. math:: A = (N_{tubes} - N_{plugged}) \\pi D_o L_{eff} \\quad (\\text{unless } A \\text{ is given})

    Parameters
    ----------
    tube_od : float
        Tube outside diameter [m].
    tube_gauge_bwg : int
        Tube wall gauge [BWG].
    tube_count : int
        Installed tubes [-].
    tube_material : str
        Tube material key (``data/tube_materials.json``).
    tube_passes : int
        Water passes [-].
    tube_length : float
        Effective tube length between tubesheets [m] (0 when ``surface_area`` is given).
    surface_area : float
        Effective outside surface [m²]; 0 → active tubes × π·OD × length.
    plugged_tubes : int
        Plugged tubes, excluded from area and flow [-].
    water_type : str
        "fresh", "brackish", "sea" or a TEMA water type (``data/tema_fouling.json``); sets the
        salinity for CW properties unless ``salinity`` is given.
    salinity : float, optional
        Absolute salinity [kg/kg].
    clean_u_method, hei_edition, fw, fm, bank_rows
        Clean-U options of :func:`~condensync_tools.calculators.heat_transfer.clean_u`.

    Raises
    ------
    DomainError, OutOfRangeError
        Impossible geometry, unknown material/water type/method, no area.

    References
    ----------
    HEI *Standards for Steam Surface Condensers* 9th/10th ed., C1 by tube OD.
    docs/methods.md §3 and pitfalls 5-6 (active tubes, outside area).
    """
    if not isinstance(tube_count, int) or tube_count < 1:
        raise DomainError("tube_count", f"tube count {tube_count!r} must be an integer >= 1")
    if not isinstance(plugged_tubes, int) or plugged_tubes < 0:
        raise DomainError("plugged_tubes", f"plugged tubes {plugged_tubes!r} must be an integer >= 0")
    bundle = tube_bundle(tube_od, tube_gauge_bwg, tube_count, plugged_tubes, tube_passes, tube_length)
    material(tube_material)
    if clean_u_method not in ("hei", "first_principles"):
        raise DomainError("clean_u_method", f"{clean_u_method!r} must be 'hei' or 'first_principles'")
    if clean_u_method == "hei":
        hei.c1(tube_od, hei_edition)  # tabulated HEI OD and known edition, checked up front
    if surface_area is None or not math.isfinite(surface_area) or surface_area < 0.0:
        raise DomainError("surface_area", f"surface area {surface_area!r} m² must be >= 0")
    if tube_length is None or not math.isfinite(tube_length) or tube_length < 0.0:
        raise DomainError("tube_length", f"tube length {tube_length!r} m must be >= 0")
    area = surface_area if surface_area > 0.0 else bundle.outside_area
    if area <= 0.0:
        raise DomainError(
            "surface_area",
            "no effective surface area: give surface_area, or tube_length with tube_count and tube_od",
        )
    sal = salinity_for(salinity_class(water_type), salinity)
    return CondenserModel(bundle, tube_material, area, sal, clean_u_method, hei_edition, fw, fm, bank_rows)


@dataclass(frozen=True, slots=True)
class DesignPoint:
    """Reference (design) operating state for deviation analysis and design correction (SI)."""

    cw_inlet_temp: float  #: [K]
    cw_flow: float  #: [m³/s]
    heat_duty: float  #: [W]


@dataclass(frozen=True, slots=True)
class BackpressureState:
    """One solution of the effectiveness/NTU chain (SI)."""

    backpressure: float  #: [Pa]
    saturation_temp: float  #: [K]
    cw_inlet_temp: float  #: [K]
    cw_outlet_temp: float  #: [K]
    temperature_rise: float  #: [K]
    itd: float  #: [K]
    ttd: float  #: [K]
    cw_flow: float  #: [m³/s]
    cw_mass_flow: float  #: [kg/s]
    cw_cp: float  #: [J/(kg·K)]
    tube_velocity: float  #: [m/s]
    heat_duty: float  #: [W]
    u_clean: float  #: [W/(m²·K)]
    u: float  #: [W/(m²·K)]
    cleanliness_factor: float  #: [-]
    fouling_resistance: float  #: [m²·K/W]
    ntu: float  #: [-]
    method: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    hei_basis: hei.HeiBasis | None = None  #: where the HEI Fw, Fm and C1 came from (None: first principles)


def heat_duty_from_steam_flow(steam_flow: float, heat_release: float = HEI_STEAM_HEAT_RELEASE_J_KG) -> float:
    """Condenser duty from exhaust steam flow, HEI 9th ed. def. 2.5 convention.

    .. math:: Q = \\dot m_{steam} \\cdot q, \\qquad q = 950\\ \\mathrm{Btu/lb} = 2.2097\\ \\mathrm{MJ/kg}

    Parameters
    ----------
    steam_flow : float
        Steam condensed [kg/s].
    heat_release : float
        Heat released per kg of exhaust steam [J/kg]; default 950 Btu/lb (turbine service).

    Returns
    -------
    float
        Heat duty [W].

    Notes
    -----
    HEI 9th ed. def. 2.5: 950 Btu/lb for turbine service unless specified (1000 Btu/lb engine
    service); UFC 3-540-02N §7.2.1 uses 980 Btu/lb for reheat turbines. Prefer the CW-side
    duty whenever CW flow and temperature rise are measured (docs/methods.md §1.6,
    pitfall 8).

    References
    ----------
    HEI *Standards for Steam Surface Condensers* 9th ed. (1995), def. 2.5.
    UFC 3-540-02N (MIL-HDBK-1003/7) §7.2.1.
    """
    _finite_positive("steam_flow", steam_flow, "steam flow")
    _finite_positive("steam_heat_release", heat_release, "heat released per kg of steam")
    return steam_flow * heat_release


def expected_backpressure(
    model: CondenserModel,
    cw_inlet_temp: float,
    cw_flow: float,
    heat_duty: float,
    cleanliness_factor: float | None = None,
    fouling_resistance: float | None = None,
) -> BackpressureState:
    """Expected condenser pressure from the effectiveness/NTU chain (docs/methods.md §2 step 7).

    .. math::
        T_{sat} = T_{in} + TR + \\frac{TR}{e^{NTU} - 1}, \\quad
        NTU = \\frac{U_{clean} \\cdot CF \\cdot A}{\\dot m c_p}, \\quad P = P_{sat}(T_{sat})

    Parameters
    ----------
    model : CondenserModel
        Geometry and clean-U options.
    cw_inlet_temp : float
        CW inlet temperature [K].
    cw_flow : float
        CW volumetric flow at inlet conditions [m³/s].
    heat_duty : float
        Heat rejected to the CW [W].
    cleanliness_factor : float, optional
        CF = U/U_clean [-], 0 < CF ≤ 1.5.
    fouling_resistance : float, optional
        Instead of CF: R_f [m²·K/W], U = 1/(1/U_clean + R_f). Exactly one of the two.

    Returns
    -------
    BackpressureState

    Raises
    ------
    DomainError
        Non-positive flow or duty, CF outside (0, 1.5], negative R_f, CW temperature outside
        0-80 °C, or a duty the condenser cannot reject below 80 °C saturation.

    Notes
    -----
    U_clean depends on T_sat and T_out, so T_sat is iterated to 1e-7 K. Warns when the tube
    velocity lies outside the HEI range 3-12 ft/s (unverified range; extrapolated, not clamped).

    References
    ----------
    ASME PTC 12.2-2010 (R2020), correction to design conditions (as commonly applied).
    docs/methods.md §2 step 7, §3 (effectiveness, Cr = 0).
    """
    t_in = _check_cw_temp("cw_inlet_temp", cw_inlet_temp)
    q_vol = _finite_positive("cw_flow", cw_flow, "CW flow", "CW pumps stopped or flow in the wrong unit")
    duty = _finite_positive("heat_duty", heat_duty, "heat duty", "unit offline or duty in the wrong unit")
    cf_in, r_f = _tube_condition(cleanliness_factor, fouling_resistance)
    props_in = liquid_properties(t_in, model.salinity)
    m_dot = q_vol * props_in.density
    velocity = model.bundle.velocity(q_vol)
    area = model.surface_area
    tr, cp = _rise_and_cp(model, t_in, duty, m_dot, props_in.cp)
    warnings: list[str] = []
    t_sat, tr, ttd, u, u_clean, cu = _converge_saturation(
        model, t_in, tr, duty, m_dot, cp, velocity, cf_in, r_f, warnings
    )
    _check_rejectable(t_sat)
    lo, hi = hei.HEI_VELOCITY_RANGE_FT_S
    if model.clean_u_method == "hei" and not (lo <= velocity / FT_M <= hi):
        warnings.append(hei_velocity_warning(velocity))
    return BackpressureState(
        backpressure=saturation_pressure(t_sat),
        saturation_temp=t_sat,
        cw_inlet_temp=t_in,
        cw_outlet_temp=t_in + tr,
        temperature_rise=tr,
        itd=t_sat - t_in,
        ttd=ttd,
        cw_flow=q_vol,
        cw_mass_flow=m_dot,
        cw_cp=cp,
        tube_velocity=velocity,
        heat_duty=duty,
        u_clean=u_clean,
        u=u,
        cleanliness_factor=u / u_clean,
        fouling_resistance=1.0 / u - 1.0 / u_clean,
        ntu=u * area / (m_dot * cp),
        method=dict(cu.method),
        warnings=tuple(warnings),
        hei_basis=cu.hei_basis,
    )


def _check_rejectable(t_sat: float) -> None:
    """Refuse an expected saturation temperature [K] above the property range (80 °C)."""
    if t_sat > _CW_T_MAX:
        raise DomainError(
            "heat_duty",
            Text(
                "expected saturation temperature {t_sat} exceeds {limit}: the condenser cannot reject this "
                "duty at a plausible backpressure",
                t_sat=_t(t_sat),
                limit=_t(_CW_T_MAX),
            ),
            "heat duty too high for the CW flow and surface, or values in the wrong unit",
        )


def _tube_condition(
    cleanliness_factor: float | None, fouling_resistance: float | None
) -> tuple[float | None, float | None]:
    """(CF, R_f [m²·K/W]): exactly one given, checked."""
    if (cleanliness_factor is None) == (fouling_resistance is None):
        raise DomainError("cleanliness_factor", "give exactly one of cleanliness_factor and fouling_resistance")
    if cleanliness_factor is not None:
        return _check_cf("cleanliness_factor", cleanliness_factor), None
    if not math.isfinite(fouling_resistance) or fouling_resistance < 0.0:
        raise DomainError(
            "fouling_resistance",
            f"fouling resistance {fouling_resistance!r} m²·K/W must be >= 0 and finite",
        )
    return None, float(fouling_resistance)


def _rise_and_cp(model: CondenserModel, t_in: float, duty: float, m_dot: float, cp_in: float) -> tuple[float, float]:
    """CW temperature rise TR = Q/(ṁ·cp(T_mean)) [K] and cp [J/(kg·K)], cp at the mean CW
    temperature iterated (from cp at the inlet)."""
    tr, cp = duty / (m_dot * cp_in), cp_in
    for _ in range(20):
        t_out = t_in + tr
        if t_out > _CW_T_MAX:
            raise DomainError(
                "cw_flow",
                Text("CW temperature rise {rise} puts the outlet above {limit}", rise=_dt(tr), limit=_t(_CW_T_MAX)),
                "CW flow far too low for the heat duty, or flow/duty in the wrong unit",
            )
        cp = liquid_properties(0.5 * (t_in + t_out), model.salinity).cp
        tr_new = duty / (m_dot * cp)
        if abs(tr_new - tr) < 1e-12:
            break
        tr = tr_new
    return duty / (m_dot * cp), cp


def _converge_saturation(
    model: CondenserModel,
    t_in: float,
    tr: float,
    duty: float,
    m_dot: float,
    cp: float,
    velocity: float,
    cf_in: float | None,
    r_f: float | None,
    warnings: list[str],
) -> tuple[float, float, float, float, float, CleanU]:
    """(T_sat, TR, TTD, U, U_clean, last clean U): U_clean depends on T_sat, so T_sat is
    iterated (effectiveness/NTU, :func:`saturation_temp_from_effectiveness`) to 1e-7 K."""
    t_sat = t_in + tr + 3.0
    u = u_clean = 0.0
    ttd = 0.0
    for _ in range(60):
        t_eval = min(t_sat, _CW_T_MAX)  # keep the clean-U evaluation inside the property range
        cu = clean_u(
            model.bundle,
            velocity,
            t_in,
            t_in + tr,
            saturation_pressure(t_eval),
            t_eval,
            model.tube_material,
            model.clean_u_method,
            model.hei_edition,
            model.fw,
            model.fm,
            model.salinity,
            model.bank_rows,
        )
        u_clean = cu.u_clean
        u = u_clean * cf_in if cf_in is not None else 1.0 / (1.0 / u_clean + r_f)
        t_new, tr, ttd = saturation_temp_from_effectiveness(t_in, duty, m_dot, cp, u, model.surface_area)
        converged = abs(t_new - t_sat) < _TSAT_TOL_K
        t_sat = t_new
        if converged:
            break
    else:
        warnings.append("saturation-temperature iteration did not converge to 1e-7 K in 60 steps")
    return t_sat, tr, ttd, u, u_clean, cu


@dataclass(frozen=True, slots=True)
class VacuumResult:
    """Result of :func:`optimize_vacuum_pressure` (SI; ``None`` = not computable from the inputs).

    Pressures in Pa, powers in W, money in USD/day.
    """

    expected_backpressure: float  #: at actual conditions and actual CF [Pa]
    achievable_backpressure: float  #: at actual conditions, target CF [Pa]
    optimal_backpressure: float  #: recommended target = max(achievable, choke) [Pa]
    reference_backpressure: float  #: design state at target CF (= achievable without design) [Pa]
    design_corrected_backpressure: float | None  #: design state at actual CF [Pa]
    measured_backpressure: float | None  #: [Pa]
    backpressure_deviation: float | None  #: measured − reference [Pa]
    deviation_parts: dict  #: DEVIATION_ORDER → [Pa]; sums exactly to the deviation
    lost_output: float | None  #: turbine output lost vs the target backpressure [W]
    lost_output_parts: dict  #: "fouling", "unexplained" → [W]
    cost_usd_per_day: float | None  #: [USD/day]
    cleanliness_factor: float  #: CF used [-]
    target_cleanliness: float  #: [-]
    heat_duty: float  #: [W]
    expected: BackpressureState
    achievable: BackpressureState
    recommendations: list  #: ranked list of :class:`~condensync_tools.calculators.economics.Action`
    method: dict
    warnings: list


@dataclass(frozen=True, slots=True)
class OperatingState:
    """Checked current operating state shared by the vacuum and CW-flow calculators (SI)."""

    cw_inlet_temp: float  #: [K]
    cw_flow: float  #: [m³/s]
    heat_duty: float  #: [W]
    cleanliness_factor: float  #: CF used [-]
    target_cleanliness: float  #: [-]
    measured_backpressure: float | None  #: [Pa]
    method: dict
    warnings: tuple[str, ...]


def resolve_operating_state(
    model: CondenserModel,
    *,
    cw_inlet_temp: float,
    cw_flow: float,
    heat_duty: float | None = None,
    steam_flow: float | None = None,
    cw_outlet_temp: float | None = None,
    condenser_pressure: float | None = None,
    cleanliness_factor: float | None = None,
    target_cleanliness: float | None = None,
    steam_heat_release: float = HEI_STEAM_HEAT_RELEASE_J_KG,
) -> OperatingState:
    """Check the current state and resolve heat duty and cleanliness (SI).

    .. math:: Q = \\rho(T_{in}) \\dot V c_p(\\bar T) (T_{out} - T_{in}) \\quad \\text{or} \\quad
              Q = \\dot m_{steam} \\cdot 950\\ \\mathrm{Btu/lb}

    Heat duty: ``heat_duty`` [W] if given; else the CW side ρ(T_in)·Q·c_p(T_mean)·(T_out − T_in)
    when ``cw_outlet_temp`` [K] is given; else ``steam_flow`` [kg/s] × 950 Btu/lb (HEI 9th ed.
    def. 2.5). A steam-flow duty differing by more than 10 % from the duty used is warned.
    Cleanliness: ``cleanliness_factor`` if given; else measured on the snapshot by
    :func:`~condensync_tools.calculators.heat_transfer.analyse_heat_transfer` (needs
    ``cw_outlet_temp`` and ``condenser_pressure`` [Pa]); else the target (warned). Target:
    ``target_cleanliness`` or 0.85 copper alloys / 0.90 titanium and stainless (TIMET
    CODEWELD).

    Raises
    ------
    DomainError, OutOfRangeError
        CW temperatures outside 0-80 °C, outlet not above inlet, non-positive flow, pressure
        or duty, CF outside (0, 1.5], saturation at the measured pressure not above the inlet.

    References
    ----------
    HEI 9th ed. defs. 2.3 (cleanliness factor) and 2.5 (950 Btu/lb).
    TIMET CODEWELD, design Fc 0.85 copper alloys / 0.90 Ti and SS.
    """
    warnings: list[str] = []
    method: dict = {}
    t_in = _check_cw_temp("cw_inlet_temp", cw_inlet_temp)
    q_vol = _finite_positive("cw_flow", cw_flow, "CW flow", "CW pumps stopped or flow in the wrong unit")
    p_meas = _measured_pressure(condenser_pressure, t_in)
    cw_duty = _cw_side_duty(model, t_in, cw_outlet_temp, q_vol)
    duty = _operating_duty(heat_duty, cw_duty, steam_flow, steam_heat_release, method, warnings)
    if target_cleanliness is None:
        cf_target = hei.design_cleanliness_default(model.tube_material)
        method["target_cleanliness"] = "default: 0.85 copper alloys, 0.90 titanium/stainless (TIMET CODEWELD)"
    else:
        cf_target = _check_cf("target_cleanliness", target_cleanliness)
        method["target_cleanliness"] = "caller"
    if cleanliness_factor is not None:
        cf = _check_cf("cleanliness_factor", cleanliness_factor)
        method["cleanliness_factor"] = "caller"
    elif cw_outlet_temp is not None and p_meas is not None:
        ht = analyse_heat_transfer(model.heat_transfer_inputs(t_in, cw_outlet_temp, q_vol, p_meas))
        cf = float(ht.cleanliness_factor)
        warnings.extend(ht.warnings)
        method["cleanliness_factor"] = "measured on this snapshot (analyse_heat_transfer)"
        warnings.append(
            "cleanliness measured on the same snapshot: the expected backpressure reproduces the "
            "measured one, so the unexplained part is ~0 and any air binding shows as 'fouling'; "
            "check air in-leakage indicators before cleaning, or pass an independent cleanliness"
        )
    else:
        cf = cf_target
        method["cleanliness_factor"] = "not known: target cleanliness assumed"
        warnings.append(
            "cleanliness factor not given and not measurable (needs cw_outlet_temp and "
            "condenser_pressure): the target is assumed"
        )
    return OperatingState(t_in, q_vol, duty, cf, cf_target, p_meas, method, tuple(warnings))


def _measured_pressure(condenser_pressure: float | None, t_in: float) -> float | None:
    """The measured backpressure [Pa], checked: positive, saturation above the CW inlet."""
    if condenser_pressure is None:
        return None
    t_sat_meas = saturation_temperature(
        _finite_positive(
            "condenser_pressure",
            condenser_pressure,
            "condenser pressure",
            "gauge vacuum entered instead of absolute pressure",
        )
    )
    if t_sat_meas <= t_in:
        raise DomainError(
            "condenser_pressure",
            "saturation temperature at the measured pressure is not above "
            "the CW inlet temperature: the condenser cannot condense",
            "gauge vacuum entered as absolute pressure, or inlet RTD fault",
        )
    return float(condenser_pressure)


def _cw_side_duty(model: CondenserModel, t_in: float, cw_outlet_temp: float | None, q_vol: float) -> float | None:
    """CW-side duty ρ(T_in)·Q·cp(T_mean)·(T_out − T_in) [W], None without the outlet temperature."""
    if cw_outlet_temp is None:
        return None
    t_out = _check_cw_temp("cw_outlet_temp", cw_outlet_temp)
    if t_out <= t_in:
        raise DomainError(
            "cw_outlet_temp",
            "CW outlet temperature not above inlet: the CW-side duty is undefined",
            "inlet and outlet RTDs swapped, CW flow stopped, or a failed sensor",
        )
    rho = liquid_properties(t_in, model.salinity).density
    cp = liquid_properties(0.5 * (t_in + t_out), model.salinity).cp
    return q_vol * rho * cp * (t_out - t_in)


def _operating_duty(
    heat_duty: float | None,
    cw_duty: float | None,
    steam_flow: float | None,
    steam_heat_release: float,
    method: dict,
    warnings: list[str],
) -> float:
    """The heat duty [W]: the caller's, else the CW-side duty, else steam flow × heat release;
    warns when the steam-flow duty differs from the one used by more than 10 %."""
    steam_duty = heat_duty_from_steam_flow(steam_flow, steam_heat_release) if steam_flow is not None else None
    from_steam = False
    if heat_duty is not None:
        duty = _finite_positive("heat_duty", heat_duty, "heat duty", "duty in the wrong unit")
        method["heat_duty"] = "caller"
    elif cw_duty is not None:
        duty = cw_duty
        method["heat_duty"] = "CW side: rho(T_in)*Q_vol*cp(T_mean)*(T_out-T_in)"
    elif steam_duty is not None:
        duty, from_steam = steam_duty, True
        release_btu_lb = steam_heat_release * LB_KG / BTU_J
        method["heat_duty"] = (
            f"steam flow x {release_btu_lb:.0f} Btu/lb (HEI 9th ed. def. 2.5 convention, turbine service)"
            if abs(release_btu_lb - 950.0) < 1e-6
            else f"steam flow x {release_btu_lb:.1f} Btu/lb (caller's heat release)"
        )
    else:
        raise DomainError(
            "heat_duty",
            "no heat duty: give heat_duty, cw_outlet_temp (CW-side duty) or steam_flow (HEI 950 Btu/lb convention)",
        )
    if steam_duty is not None and not from_steam and abs(steam_duty / duty - 1.0) > 0.10:
        warnings.append(
            f"steam-flow duty ({steam_duty / 1e6:.1f} MW at the HEI convention) differs by "
            f"{100 * (steam_duty / duty - 1):+.0f} % from the duty used ({duty / 1e6:.1f} MW); "
            "check CW flow, outlet RTD mixing or the steam-flow measurement"
        )
    return duty


def optimize_vacuum_pressure(
    model: CondenserModel,
    *,
    cw_inlet_temp: float,
    cw_flow: float,
    heat_duty: float | None = None,
    steam_flow: float | None = None,
    cw_outlet_temp: float | None = None,
    condenser_pressure: float | None = None,
    cleanliness_factor: float | None = None,
    target_cleanliness: float | None = None,
    design: DesignPoint | None = None,
    turbine: TurbineCurve | None = None,
    power_price_usd_per_mwh: float | None = None,
    steam_heat_release: float = HEI_STEAM_HEAT_RELEASE_J_KG,
) -> VacuumResult:
    """Expected and achievable backpressure, deviation split, lost output and target (SI).

    .. math::
        \\Delta P_{meas} = \\underbrace{P_1 - P_0}_{duty} + \\underbrace{P_2 - P_1}_{T_{in}}
        + \\underbrace{P_3 - P_2}_{flow} + \\underbrace{P_4 - P_3}_{fouling}
        + \\underbrace{P_{meas} - P_4}_{unexplained}

    P0 = P(design T_in, design flow, design duty, CF_target) (reference); P1 with the actual
    duty; P2 also the actual T_in; P3 also the actual flow (= achievable backpressure);
    P4 also the actual CF (= expected backpressure). Lost output = turbine gain from the
    measured (else expected) backpressure to the target max(P3, P_choke), split the same way
    into fouling (P3 → P4) and unexplained (P4 → P_meas).

    Stages: :func:`resolve_operating_state` (duty from ``heat_duty`` [W], else the CW side
    with ``cw_outlet_temp`` [K], else ``steam_flow`` [kg/s] × ``steam_heat_release`` [J/kg];
    CF from ``cleanliness_factor``, else measured on the snapshot with ``condenser_pressure``
    [Pa], else the target; ``target_cleanliness`` default 0.85 Cu alloys / 0.90 Ti and SS),
    :func:`current_states` (P3, P4), :func:`reference_pressures` (``design``; without it the
    reference is the actual CW state and the duty, T_in and flow parts are 0),
    :func:`deviation_split` and :func:`turbine_target` (``turbine`` curve, price in USD/MWh;
    without a curve no lost output, cost or choke target); this function combines them.
    ``cw_inlet_temp`` [K], ``cw_flow`` [m³/s]; ``model`` from :func:`condenser_model`.

    The deviation split and its caveats (closure when the CF is measured on the snapshot,
    pitfall 13) are described on :func:`deviation_split`.

    Raises
    ------
    DomainError, OutOfRangeError
        Impossible or out-of-range inputs (field named after the tool argument).

    References
    ----------
    ASME PTC 12.2-2010 (R2020), *Steam Surface Condensers*.
    docs/methods.md §2, §6, pitfalls 13 and 15.
    """
    op = resolve_operating_state(
        model,
        cw_inlet_temp=cw_inlet_temp,
        cw_flow=cw_flow,
        heat_duty=heat_duty,
        steam_flow=steam_flow,
        cw_outlet_temp=cw_outlet_temp,
        condenser_pressure=condenser_pressure,
        cleanliness_factor=cleanliness_factor,
        target_cleanliness=target_cleanliness,
        steam_heat_release=steam_heat_release,
    )
    warnings = list(op.warnings)
    method: dict = {
        "backpressure_chain": "effectiveness/NTU: U = U_clean(V, T_in)*CF; TTD = TR/(e^NTU - 1); "
        "Tsat = Tin + TR + TTD; P = Psat(Tsat) (IF97) (docs/methods.md §2 step 7)",
        "deviation_split": "sequential substitution, order " + " -> ".join(DEVIATION_ORDER),
        **op.method,
    }
    price = check_price(power_price_usd_per_mwh)
    achievable, expected = current_states(model, op, warnings, method)
    ref = reference_pressures(model, design, op, achievable.backpressure, method)
    p3, p4 = achievable.backpressure, expected.backpressure
    parts, deviation = deviation_split(ref, p3, p4, op.measured_backpressure, warnings)
    target = turbine_target(model, turbine, design, op, ref, parts, (achievable, expected), price, warnings, method)
    return _vacuum_result(op, (achievable, expected), ref, (parts, deviation), target, price, method, warnings)


def _vacuum_result(
    op: OperatingState,
    states: tuple[BackpressureState, BackpressureState],
    ref: ReferencePressures,
    split: tuple[dict, float | None],
    target: TurbineTarget,
    price: float | None,
    method: dict,
    warnings: list,
) -> VacuumResult:
    """The :class:`VacuumResult` of the stages of :func:`optimize_vacuum_pressure`
    (``states`` = (achievable, expected), ``split`` = (parts, deviation)); cost at ``price``."""
    achievable, expected = states
    parts, deviation = split
    lost = target.lost_output
    return VacuumResult(
        expected_backpressure=expected.backpressure,
        achievable_backpressure=achievable.backpressure,
        optimal_backpressure=target.optimal_backpressure,
        reference_backpressure=ref.p0,
        design_corrected_backpressure=ref.design_corrected,
        measured_backpressure=op.measured_backpressure,
        backpressure_deviation=deviation,
        deviation_parts=parts,
        lost_output=lost,
        lost_output_parts=target.lost_output_parts,
        cost_usd_per_day=usd_per_day(lost, price) if lost is not None and price is not None else None,
        cleanliness_factor=op.cleanliness_factor,
        target_cleanliness=op.target_cleanliness,
        heat_duty=op.heat_duty,
        expected=expected,
        achievable=achievable,
        recommendations=rank_actions(target.actions, top=len(target.actions)),
        method=method,
        warnings=warnings,
    )


def current_states(
    model: CondenserModel, op: OperatingState, warnings: list, method: dict
) -> tuple[BackpressureState, BackpressureState]:
    """(achievable, expected) states at the current CW state: at the target cleanliness (P3) and
    at the cleanliness used (P4; the same state when they are equal). Their warnings (once
    each) and the clean-U method of the expected state go into ``warnings`` and ``method``."""
    achievable = _state(model, op.cw_inlet_temp, op.cw_flow, op.heat_duty, op.target_cleanliness)
    expected = (
        achievable
        if op.cleanliness_factor == op.target_cleanliness
        else _state(model, op.cw_inlet_temp, op.cw_flow, op.heat_duty, op.cleanliness_factor)
    )
    for w in expected.warnings + achievable.warnings:
        if w not in warnings:
            warnings.append(w)
    method.update(expected.method)
    return achievable, expected


@dataclass(frozen=True, slots=True)
class TurbineTarget:
    """The backpressure target on the turbine curve and the output lost off it (SI)."""

    optimal_backpressure: float  #: max(achievable, choke point); the achievable one without a curve [Pa]
    lost_output: float | None  #: from the measured (else expected) to the optimal backpressure [W]
    lost_output_parts: dict  #: "fouling", "unexplained" → [W] (empty without a curve)
    actions: list  #: unranked :class:`~condensync_tools.calculators.economics.Action` (empty without a curve)


def turbine_target(
    model: CondenserModel,
    turbine: TurbineCurve | None,
    design: DesignPoint | None,
    op: OperatingState,
    ref: ReferencePressures,
    parts: dict,
    states: tuple[BackpressureState, BackpressureState],
    price: float | None,
    warnings: list,
    method: dict,
) -> TurbineTarget:
    """Optimal backpressure max(P3, P_choke), lost output (:func:`turbine_losses`) and the valued
    actions (:func:`vacuum_actions`) for ``states`` = (achievable, expected); without a turbine
    curve the achievable backpressure and nothing valued (warned)."""
    achievable, expected = states
    if turbine is None:
        warnings.append("no turbine correction curve: lost output, cost and the choke-point target not computed")
        return TurbineTarget(achievable.backpressure, None, {}, [])
    method.update(turbine.method)
    p3, p4, p_meas = achievable.backpressure, expected.backpressure, op.measured_backpressure
    optimal = max(p3, turbine.choke_pressure)
    loss = turbine_losses(turbine, p_meas if p_meas is not None else p4, optimal, p3, p4)
    actions = vacuum_actions(model, turbine, design, op, ref, parts, achievable, p4, loss, price)
    if loss[0] < 0.0:
        warnings.append(
            "the backpressure is below the achievable value: lost output is negative (a gain); check "
            "the pressure instrument and the target cleanliness"
        )
    return TurbineTarget(optimal, loss[0], loss[1], actions)


def _state(model: CondenserModel, t: float, q: float, d: float, c: float) -> BackpressureState:
    return expected_backpressure(model, t, q, d, cleanliness_factor=c)


@dataclass(frozen=True, slots=True)
class ReferencePressures:
    """Stage pressures of the deviation split before the actual CW flow and tube condition [Pa]:
    P0 reference, P1 actual duty, P2 also the actual CW inlet temperature; the design-corrected
    backpressure (design CW state at the actual CF) and the design CW flow and inlet
    temperature used (the actual ones without a design point)."""

    p0: float
    p1: float
    p2: float
    design_corrected: float | None
    design_cw_flow: float
    design_cw_inlet_temp: float


def reference_pressures(
    model: CondenserModel, design: DesignPoint | None, op: OperatingState, p_achievable: float, method: dict
) -> ReferencePressures:
    """P0, P1, P2 of the sequential substitution (at the target cleanliness); without a design
    point all equal the achievable backpressure (duty, inlet-temperature and flow parts 0)."""
    t_in, q_vol, duty, cf_target = op.cw_inlet_temp, op.cw_flow, op.heat_duty, op.target_cleanliness
    if design is None:
        method["reference_state"] = (
            "no design point: actual duty, CW inlet temperature and flow at the target "
            "cleanliness (duty, inlet-temperature and flow parts are 0)"
        )
        p = p_achievable  # the actual CW state at the target cleanliness
        return ReferencePressures(p, p, p, None, q_vol, t_in)
    d_t = _check_cw_temp("design_cw_inlet_temp", design.cw_inlet_temp)
    d_q = _finite_positive("design_cw_flow", design.cw_flow, "design CW flow")
    d_d = _finite_positive("design_heat_duty", design.heat_duty, "design heat duty")
    p0 = _state(model, d_t, d_q, d_d, cf_target).backpressure
    p1 = p0 if d_d == duty else _state(model, d_t, d_q, duty, cf_target).backpressure
    p2 = p1 if d_t == t_in else _state(model, t_in, d_q, duty, cf_target).backpressure
    design_corrected = _state(model, d_t, d_q, d_d, op.cleanliness_factor).backpressure
    method["reference_state"] = "design point (caller) at the target cleanliness"
    return ReferencePressures(p0, p1, p2, design_corrected, d_q, d_t)


def deviation_split(
    ref: ReferencePressures, p3: float, p4: float, p_meas: float | None, warnings: list
) -> tuple[dict, float | None]:
    """(parts by cause [Pa], P_meas − P0): duty P1−P0, inlet temperature P2−P1, flow P3−P2,
    fouling P4−P3, unexplained P_meas−P4 (each snapped to 0 within round-off); empty without a
    measured backpressure.

    When the cleanliness is measured on the same snapshot, the expected backpressure equals
    the measured one (closure), the unexplained part is ~0 and any air-binding effect is
    inside the "fouling" part (pitfall 13: a low CF is not proof of fouling). Pass an
    independent CF (trend, post-cleaning test, paired-tube measurement) to separate air.
    The order of substitution puts the uncontrollable external conditions (duty, inlet
    temperature) first, then CW flow, then tube condition, and leaves the remainder last.
    """
    if p_meas is None:
        return {}, None
    parts = {
        name: _snap(value, ROUND_OFF_PA)
        for name, value in (
            ("heat_duty", ref.p1 - ref.p0),
            ("cw_inlet_temp", ref.p2 - ref.p1),
            ("cw_flow", p3 - ref.p2),
            ("fouling", p4 - p3),
            ("unexplained", p_meas - p4),
        )
    }
    if parts["unexplained"] < -PTC_PRESSURE_UNCERTAINTY_PA:
        warnings.append(
            Text(
                "measured backpressure is {dp} below the expected value: check the pressure instrument, "
                "CW flow and the cleanliness factor used",
                dp=_dp(-parts["unexplained"]),
            )
        )
    return parts, p_meas - ref.p0


def turbine_losses(turbine: TurbineCurve, p_actual: float, optimal: float, p3: float, p4: float) -> tuple[float, dict]:
    """(lost output [W] from the actual to the optimal backpressure, its fouling (P3 → P4) and
    unexplained (P4 → actual) parts [W]) on the turbine correction curve."""
    lost = _snap(turbine.lost_output(p_actual, optimal), ROUND_OFF_W)
    return lost, {
        "fouling": _snap(turbine.lost_output(p4, p3), ROUND_OFF_W),
        "unexplained": _snap(turbine.lost_output(p_actual, p4), ROUND_OFF_W),
    }


def vacuum_actions(
    model: CondenserModel,
    turbine: TurbineCurve,
    design: DesignPoint | None,
    op: OperatingState,
    ref: ReferencePressures,
    parts: dict,
    achievable: BackpressureState,
    p4: float,
    loss: tuple[float, dict],
    price: float | None,
) -> list[Action]:
    """The valued actions: clean tubes (fouling share), find air in-leakage (unexplained share),
    restore CW flow (gross), the CW inlet temperature (not controllable, valued 0) and the
    choke-point note."""
    actions: list[Action] = []
    lost_parts = loss[1]
    p3, t_in, q_vol = achievable.backpressure, op.cw_inlet_temp, op.cw_flow

    def act(action: str, description: Text, value_w: float) -> None:
        if 0.0 < value_w < ROUND_OFF_W:
            return  # round-off, not an action worth taking
        usd = usd_per_day(value_w, price) if price is not None else None
        actions.append(Action(action, description, value_w, usd, "vacuum"))

    if lost_parts["fouling"] > 0.0:
        act(
            "clean_tubes",
            Text(
                f"cleanliness {op.cleanliness_factor:.3f} is below the target {op.target_cleanliness:.3f}: "
                "restoring it lowers the backpressure by {dp}. Confirm fouling (not air binding) with the air "
                "in-leakage indicators before cleaning (see calculate_fouling_factor for the method)",
                dp=_dp(p4 - p3),
            ),
            lost_parts["fouling"],
        )
    if op.measured_backpressure is not None and lost_parts["unexplained"] > 0.0:
        within = parts["unexplained"] <= PTC_PRESSURE_UNCERTAINTY_PA
        act(
            "find_air_inleakage",
            Text(
                "{dp} of the backpressure is not explained by fouling, CW temperature or flow: check air "
                "in-leakage (vacuum-decay test, tracer test) and the pressure instrument"
                + (" (within the ±{u} PTC 12.2 pressure uncertainty)" if within else ""),
                dp=_dp(parts["unexplained"]),
                **({"u": _dp(PTC_PRESSURE_UNCERTAINTY_PA)} if within else {}),
            ),
            lost_parts["unexplained"],
        )
    d_q, d_t = ref.design_cw_flow, ref.design_cw_inlet_temp
    if design is not None and q_vol < d_q:
        p_flow = _state(model, t_in, d_q, op.heat_duty, op.cleanliness_factor).backpressure
        act(
            "restore_cw_flow",
            Text(
                f"CW flow is {100 * (1 - q_vol / d_q):.1f} % below design: restoring design flow lowers "
                "the backpressure by {dp} (gross: pump power not deducted; see optimize_cooling_water_flow)",
                dp=_dp(p4 - p_flow),
            ),
            turbine.lost_output(p4, p_flow),
        )
    if design is not None and t_in > d_t:
        share = turbine.lost_output(ref.p2, ref.p1)
        if share > 0.0:
            # Not directly controllable (weather, river or tower): reported with its share but
            # valued 0 so it never outranks an action the operator can take.
            act(
                "check_cw_inlet_temperature",
                Text(
                    "CW inlet is {dt} above design, worth "
                    f"{share / 1e6:.3f} MW of output: not directly "
                    "controllable; on a cooling tower check fans, fill and distribution (approach)",
                    dt=_dt(t_in - d_t),
                ),
                0.0,
            )
    if achievable.backpressure < turbine.choke_pressure:
        act(
            "do_not_chase_vacuum_below_choke",
            Text(
                "the achievable backpressure {p} is below the choke point {choke}: no turbine gain below "
                "it; consider less CW flow or fewer fans (see optimize_cooling_water_flow)",
                p=_p(achievable.backpressure),
                choke=_p(turbine.choke_pressure),
            ),
            0.0,
        )
    return actions


def cleanliness_lost_output(
    model: CondenserModel,
    turbine: TurbineCurve,
    cw_inlet_temp: float,
    cw_flow: float,
    heat_duty: float,
    cleanliness_factor: float,
    target_cleanliness: float,
) -> float:
    """Output lost by running at a cleanliness below the target [W] (0 at or above it).

    .. math:: W = \\max(L(P(CF)) - L(P(CF_{target})), 0)

    with P the expected backpressure of the vacuum chain at the given CW state and L the
    turbine correction curve (no gain below the choke point).
    """
    p_now = expected_backpressure(model, cw_inlet_temp, cw_flow, heat_duty, cleanliness_factor=cleanliness_factor)
    p_target = expected_backpressure(model, cw_inlet_temp, cw_flow, heat_duty, cleanliness_factor=target_cleanliness)
    if cleanliness_factor >= target_cleanliness:
        return 0.0
    return max(turbine.lost_output(p_now.backpressure, p_target.backpressure), 0.0)


def fouling_loss_function(
    model: CondenserModel,
    turbine: TurbineCurve,
    *,
    cw_inlet_temp: float,
    cw_flow: float,
    heat_duty: float,
    base_fouling_resistance: float = 0.0,
    hold_at_curve_end: bool = False,
) -> Callable[[float], float]:
    """Turbine output lost [W] as a function of added fouling resistance ΔR_f [m²·K/W].

    .. math:: L(\\Delta R_f) = \\mathrm{lost}\\big(P(R_{f0} + \\Delta R_f),\\ P(R_{f0})\\big)

    with P from :func:`expected_backpressure` at fixed CW inlet temperature [K], CW flow
    [m³/s] and heat duty [W], and ``lost`` from the turbine curve (zero while both pressures
    are below the choke point). For :func:`~condensync_tools.calculators.fouling.economic_cleaning_interval`.

    With ``hold_at_curve_end`` the loss is held at the turbine curve's last point when the
    fouled backpressure runs off the curve, or the duty can no longer be rejected at all
    (instead of raising): an economic search samples fouling levels far beyond the optimum.

    References
    ----------
    docs/methods.md §5.2 (6) and §6.
    """
    p0 = expected_backpressure(
        model, cw_inlet_temp, cw_flow, heat_duty, fouling_resistance=base_fouling_resistance
    ).backpressure

    p_max = turbine.max_pressure

    def loss(delta_rf: float) -> float:
        rf = base_fouling_resistance + max(delta_rf, 0.0)
        if not hold_at_curve_end:
            return turbine.lost_output(
                expected_backpressure(model, cw_inlet_temp, cw_flow, heat_duty, fouling_resistance=rf).backpressure, p0
            )
        try:
            p = expected_backpressure(model, cw_inlet_temp, cw_flow, heat_duty, fouling_resistance=rf).backpressure
        except CalculationError:
            p = p_max
        return turbine.lost_output(min(p, p_max), min(p0, p_max))

    return loss


def fouling_loss_coefficient(
    model: CondenserModel,
    turbine: TurbineCurve,
    *,
    cw_inlet_temp: float,
    cw_flow: float,
    heat_duty: float,
    base_fouling_resistance: float = 0.0,
    delta: float = 5.0e-5,
) -> float:
    """Linear loss coefficient dW/dR_f [W per m²·K/W] by a secant over ``delta`` [m²·K/W].

    .. math:: k = \\frac{L(\\delta)}{\\delta}

    Default δ = 5e-5 m²·K/W (≈ 0.0003 h·ft²·°F/Btu, the fouling an HEI Fc of 0.85 allows on
    a clean U of ~600 Btu/(h·ft²·°F), docs/methods.md §5.1).

    References
    ----------
    docs/methods.md §5.1 (Fc 0.85 ≈ R_f 0.0003), §6.
    """
    _finite_positive("delta", delta, "fouling-resistance step")
    loss = fouling_loss_function(
        model,
        turbine,
        cw_inlet_temp=cw_inlet_temp,
        cw_flow=cw_flow,
        heat_duty=heat_duty,
        base_fouling_resistance=base_fouling_resistance,
    )
    return loss(delta) / delta
