# SPDX-License-Identifier: MIT
"""Condenser heat-transfer test chain (ASME PTC 12.2-style) and the effectiveness model.

Chain (docs/methods.md §10.4), all SI:

1. T_sat = T_sat(P_shell) (IAPWS-IF97 region 4);
2. Q = ṁ·cp·(T_out − T_in), ṁ = ρ(T_in)·Q_vol, cp at the mean CW temperature;
3. ITD = T_sat − T_in, TTD = T_sat − T_out, LMTD = (ITD − TTD)/ln(ITD/TTD);
4. U_actual = Q/(A_o·LMTD) on the effective outside area;
5. U_clean by HEI (C1·√V·Fw·Fm) or first principles; CF = U_actual/U_clean;
   R_f = 1/U_actual − 1/U_clean; U_design = U_clean·Fc;
6. NTU = U_actual·A_o/(ṁ·cp); steam condensed = (Q + shell loss)/h_fg.

References: ASME PTC 12.2-2010 (R2020) *Steam Surface Condensers* (method as commonly
applied; its reference correlations are not reproduced); HEI *Standards for Steam Surface
Condensers* 9th ed. definitions 2.3 (cleanliness factor) and 2.4 (subcooling).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import hei
from . import portable_math as pm
from .constants import (
    CF_MAX,
    FT_M,
    REFERENCE_INLET_TEMP_K,
    REFERENCE_INLET_TOLERANCE_K,
    TTD_WARN_K,
)
from .errors import DomainError
from .first_principles import (
    DEFAULT_BANK_ROWS,
    clean_u_first_principles,
    fw_from_resistances,
    tube_resistance,
    tube_side_coefficient,
)
from .messages import Text
from .tubes import TubeBundle, gauge_of_wall, material
from .water import latent_heat, liquid_density, liquid_properties, saturation_temperature

__all__ = [
    "lmtd",
    "lmtd_unchecked",
    "ttd_from_ntu",
    "saturation_temp_from_effectiveness",
    "HeatTransferInputs",
    "HeatTransferResult",
    "analyse_heat_transfer",
    "clean_u",
    "CleanU",
    "TTD_WARN_K",
    "REFERENCE_INLET_TEMP_K",
    "hei_velocity_warning",
    "check_itd",
]


def _dt(k: float) -> tuple:
    """A temperature difference [K] as a typed message quantity (worded in the caller's units)."""
    return ("temperature_difference", k, 3)


def hei_velocity_warning(velocity: float) -> Text:
    """The warning for a tube velocity [m/s] outside the HEI range 3-12 ft/s (extrapolated)."""
    lo, hi = (v * FT_M for v in hei.HEI_VELOCITY_RANGE_FT_S)
    return Text(
        "tube velocity {v} is outside the HEI range {lo}-{hi}: the HEI clean U is extrapolated",
        v=("velocity", velocity, 3),
        lo=("velocity", lo, 3),
        hi=("velocity", hi, 3),
    )


def check_itd(itd: float) -> None:
    """Reject ITD = T_sat − T_in ≤ 0 [K]: the shell cannot condense on water at or above T_sat."""
    if itd <= 0.0:
        raise DomainError(
            "cw_inlet_temp",
            Text(
                "CW inlet at or above saturation temperature (ITD = {itd}): the condenser cannot condense", itd=_dt(itd)
            ),
            "wrong condenser pressure (gauge entered as absolute?) or inlet RTD fault",
        )


def lmtd(itd: float, ttd: float) -> float:
    """Log-mean temperature difference for a condensing shell (T_sat constant) [K].

    .. math:: LMTD = \\frac{ITD - TTD}{\\ln(ITD/TTD)}

    Domain: T_sat > T_out > T_in, i.e. ITD > TTD > 0.
    ITD = TTD (no temperature rise) is the 0/0 limit: it is rejected, because U cannot be
    measured without a rise.

    >>> round(lmtd(16.0, 8.0), 4)   # HT-01: 8/ln 2
    11.5416
    """
    if ttd <= 0.0:
        raise DomainError(
            "cw_outlet_temp",
            Text("CW outlet at or above saturation temperature (TTD = {ttd} <= 0): invalid", ttd=_dt(ttd)),
            "outlet RTD stratified or misplaced, or wrong condenser pressure tap",
        )
    if itd <= ttd:
        raise DomainError(
            "cw_outlet_temp",
            "CW outlet temperature not above inlet (no temperature rise): LMTD and U are undefined",
            "inlet and outlet RTDs swapped, CW flow stopped, or a failed sensor",
        )
    return lmtd_unchecked(itd, ttd)


def lmtd_unchecked(itd, ttd):
    """(ITD − TTD)/ln(ITD/TTD) [K] on floats or arrays, without the domain checks of :func:`lmtd`."""
    return (itd - ttd) / pm.log(itd / ttd)


def ttd_from_ntu(temperature_rise: float, ntu: float) -> float:
    """TTD = TR/(e^NTU − 1) for a condenser (capacity ratio 0) [K]."""
    if ntu <= 0.0:
        raise DomainError("ntu", "NTU must be positive")
    return temperature_rise / pm.expm1(ntu)


def saturation_temp_from_effectiveness(
    t_in: float, duty: float, m_dot: float, cp: float, u: float, area: float
) -> tuple[float, float, float]:
    """Expected saturation temperature from the effectiveness/NTU chain.

    TR = Q/(ṁ·cp); NTU = U·A/(ṁ·cp); TTD = TR/(e^NTU − 1); T_sat = T_in + TR + TTD.

    Returns
    -------
    (t_sat [K], temperature_rise [K], ttd [K])
    """
    c = m_dot * cp
    tr = duty / c
    ttd = ttd_from_ntu(tr, u * area / c)
    return t_in + tr + ttd, tr, ttd


@dataclass(frozen=True, slots=True)
class CleanU:
    """Clean U with its factors and the methods used."""

    u_clean: float  #: [W/(m²·K)]
    u1: float | None  #: HEI C1·√V [W/(m²·K)] (None for first principles)
    fw: hei.HeiFactor | None
    fm: hei.HeiFactor | None
    method: dict
    h_tube: float
    h_shell: float
    r_wall: float
    hei_basis: hei.HeiBasis | None = None  #: where Fw, Fm and C1 came from (None: first principles)


def clean_u(
    bundle: TubeBundle,
    velocity: float,
    t_in: float,
    t_out: float,
    p_sat: float,
    t_sat: float,
    tube_material: str,
    method: str = "hei",
    hei_edition: str = "hei_9th_10th",
    fw_override: float = 0.0,
    fm_override: float = 0.0,
    salinity: float = 0.0,
    bank_rows: int = DEFAULT_BANK_ROWS,
) -> CleanU:
    """Clean overall coefficient on the outside area [W/(m²·K)] by ``hei`` or
    ``first_principles``.

    HEI: U = C1·√V·Fw·Fm (Fc = 1). Fw: caller's value (from a licensed table) or derived
    (first-principles U at T_in / U at 70 °F, same V, T_sat and tube). Fm: caller's value, the
    older-edition public table, or derived from it (:func:`~.hei.fm_factor`: anchored to the
    material's tabulated gauges, monotone in wall thickness).
    """
    k_wall = material(tube_material)["conductivity"]
    fp = clean_u_first_principles(bundle, velocity, t_in, t_out, p_sat, t_sat, k_wall, salinity, bank_rows)
    if method == "first_principles":
        return CleanU(
            fp.u_clean,
            None,
            None,
            None,
            {
                "clean_u": "first_principles: Gnielinski tube side (IF97/IAPWS-08 properties), "
                "BWG wall conduction, Nusselt horizontal-tube film condensation with "
                f"Kern N^-1/6 bank factor (N = {bank_rows})"
            },
            fp.h_tube,
            fp.h_shell,
            fp.r_wall,
        )
    c1 = hei.c1_lookup(bundle.od, hei_edition)
    u1 = hei.u1_from_c1(c1.value, velocity)
    r_shell = 1.0 / fp.h_shell
    r_tube = tube_resistance(bundle.od, bundle.id, fp.h_tube)
    if fw_override > 0.0:
        fw = hei.HeiFactor(fw_override, hei.FactorBasis.CALLER, "supplied by the caller")
    elif abs(t_in - REFERENCE_INLET_TEMP_K) < REFERENCE_INLET_TOLERANCE_K:
        fw = hei.HeiFactor(1.0, hei.FactorBasis.TABLE, "HEI reference condition: Fw = 1.00 at 70 °F")
    else:
        rise = t_out - t_in
        h_ref, _, _ = tube_side_coefficient(velocity, bundle.id, REFERENCE_INLET_TEMP_K + 0.5 * rise, salinity)
        r_tube_ref = tube_resistance(bundle.od, bundle.id, h_ref)
        fw = hei.HeiFactor(
            fw_from_resistances(r_shell, fp.r_wall, r_tube, r_tube_ref),
            hei.FactorBasis.DERIVED,
            "first-principles water-side resistance at the actual inlet temperature "
            "vs at 70 °F, same velocity, wall and shell side (no public HEI Fw table)",
        )
    if fm_override > 0.0:
        fm = hei.HeiFactor(fm_override, hei.FactorBasis.CALLER, "supplied by the caller")
    else:
        fm = hei.fm_factor(tube_material, gauge_of_wall(bundle.wall), bundle.od, hei_edition)
    method_ids = {
        "clean_u": f"hei: U = C1*sqrt(V)*Fw*Fm; {c1.note}",
        "hei_fw": f"{fw.basis}: {fw.detail}",
        "hei_fm": f"{fm.basis}: {fm.detail}",
    }
    basis = hei.HeiBasis(fw.basis, fm.basis, c1.at_tabulated_od)
    return CleanU(u1 * fw.value * fm.value, u1, fw, fm, method_ids, fp.h_tube, fp.h_shell, fp.r_wall, basis)


@dataclass(frozen=True, slots=True)
class HeatTransferInputs:
    """SI inputs of the heat-transfer test chain."""

    cw_inlet_temp: float  #: [K]
    cw_outlet_temp: float  #: [K]
    cw_flow: float  #: volumetric, at inlet conditions [m³/s]
    condenser_pressure: float  #: absolute [Pa]
    surface_area: float = 0.0  #: effective outside area [m²]; 0 → from the bundle
    bundle: TubeBundle | None = None
    tube_velocity: float = 0.0  #: measured mean velocity [m/s]; 0 → from flow and bundle
    tube_material: str = "admiralty"
    salinity: float = 0.0  #: absolute salinity [kg/kg]
    clean_u_method: str = "hei"
    hei_edition: str = "hei_9th_10th"
    fw: float = 0.0  #: caller's HEI Fw; 0 → derived
    fm: float = 0.0  #: caller's HEI Fm; 0 → table or derived
    design_cleanliness: float = 0.0  #: Fc; 0 → 0.85 Cu alloys / 0.90 Ti, SS
    shell_heat_loss: float = 0.0  #: shell heat loss to ambient [W]
    bank_rows: int = DEFAULT_BANK_ROWS
    #: Heat duty [W] when the CW flow is not measured (cw_flow = 0): the CW mass flow is then
    #: derived as Q/(cp·(T_out − T_in)). With a measured flow the CW-side duty is used and a
    #: given duty is only compared with it (never mix duty sources).
    heat_duty: float = 0.0
    heat_duty_basis: str = "given"
    #: U is a design value given by the caller (sizing), not a measurement: a U above 1.5 × clean
    #: U is then blamed on that value rather than on the CW flow.
    u_given: bool = False


@dataclass
class HeatTransferResult:
    """SI results of :func:`analyse_heat_transfer`; ``None`` means not computable from the
    inputs given (the tool layer omits those fields)."""

    heat_duty: float
    steam_side_duty: float
    saturation_temp: float
    itd: float
    ttd: float
    lmtd: float
    temperature_rise: float
    cw_mass_flow: float
    cw_density: float
    cw_cp: float
    surface_area: float
    u_actual: float
    ntu: float
    effectiveness: float
    latent_heat: float
    steam_condensed: float
    tube_velocity: float | None = None
    active_tubes: int | None = None
    tube_id: float | None = None
    u_clean: float | None = None
    u_hei_uncorrected: float | None = None
    hei_fw: float | None = None
    hei_fm: float | None = None
    design_cleanliness: float | None = None
    u_design: float | None = None
    cleanliness_factor: float | None = None
    fouling_resistance: float | None = None
    h_tube: float | None = None
    h_shell: float | None = None
    r_wall: float | None = None
    method: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: where the HEI Fw, Fm and C1 came from (None: first principles or no clean U); the
    #: warnings it calls for are :func:`~.hei.hei_basis_warnings`
    hei_basis: hei.HeiBasis | None = None


def _temperatures(x: HeatTransferInputs, warnings: list) -> tuple[float, float, float, float]:
    """(T_sat, ITD, TTD, LMTD) [K] with the domain checks: ITD > 0, a rise, TTD > 0."""
    t_sat = saturation_temperature(x.condenser_pressure)
    itd = t_sat - x.cw_inlet_temp
    ttd = t_sat - x.cw_outlet_temp
    check_itd(itd)
    if x.cw_outlet_temp <= x.cw_inlet_temp:
        raise DomainError(
            "cw_outlet_temp",
            Text(
                "CW outlet temperature not above inlet (temperature rise {rise}): duty and U are undefined",
                rise=_dt(x.cw_outlet_temp - x.cw_inlet_temp),
            ),
            "inlet and outlet RTDs swapped, CW flow stopped, or a failed sensor",
        )
    log_mean = lmtd(itd, ttd)
    if ttd < TTD_WARN_K:
        warnings.append(
            Text(
                "TTD {ttd} is below {limit}: check outlet RTD stratification (mixed-mean outlet "
                "needed) and the pressure tap",
                ttd=_dt(ttd),
                limit=_dt(TTD_WARN_K),
            )
        )
    return t_sat, itd, ttd, log_mean


def _cw_flow(x: HeatTransferInputs, rho_in: float, cp_mean: float, rise: float) -> tuple[float, str]:
    """CW volumetric flow [m³/s] (measured, or Q/(cp·rise)/ρ from a given duty) and the duty method."""
    if x.cw_flow > 0.0:
        return x.cw_flow, "CW side: rho(T_in)*Q_vol*cp(T_mean)*(T_out-T_in)"
    if x.heat_duty <= 0.0:
        raise DomainError(
            "cw_flow",
            "neither a CW flow nor a heat duty: the duty cannot be determined",
            "pass cw_flow (measured), or heat_duty / steam_flow",
        )
    return x.heat_duty / (cp_mean * rise) / rho_in, (
        f"{x.heat_duty_basis} heat duty; CW mass flow derived as Q/(cp(T_mean)*(T_out-T_in)) (no measured CW flow)"
    )


def _surface_area(x: HeatTransferInputs, warnings: list) -> float:
    """Effective outside area [m²]: the given one (compared with the bundle's), else the bundle's."""
    bundle, area = x.bundle, x.surface_area
    if area <= 0.0:
        if bundle is None or bundle.length <= 0.0:
            raise DomainError(
                "surface_area", "no effective surface area: give surface_area, or tube_count, tube_od and tube_length"
            )
        return bundle.outside_area
    if bundle is not None and bundle.length > 0.0:
        from_tubes = bundle.outside_area
        if abs(from_tubes - area) > 0.05 * area:
            warnings.append(
                f"surface_area differs by {100 * (area / from_tubes - 1):+.1f} % from active tubes "
                "× π·OD × effective length; the given surface_area is used (plugged tubes excluded?)"
            )
    return area


def _check_cleanliness(cf: float, u_given: bool, warnings: list) -> None:
    """Refuse CF > :data:`~.constants.CF_MAX` (blamed on the given U or on the CW flow); warn above 1."""
    if cf > CF_MAX and u_given:
        raise DomainError(
            "u_actual",
            f"the U given is {cf:.3f} times the clean U of these tubes at this velocity: no tube bundle reaches it",
            "U in the wrong unit, or the tube count or flow too low",
        )
    if cf > CF_MAX:
        raise DomainError(
            "cw_flow",
            f"cleanliness factor {cf:.3f} exceeds {CF_MAX}: the measured U is implausibly above the clean U",
            "CW flow overstated, outlet RTD reading high, or surface area understated",
        )
    if cf > 1.0:
        warnings.append(
            f"cleanliness factor {cf:.3f} is above 1.0: check CW flow, outlet temperature "
            "(mixed mean) and the effective surface area"
        )


def _add_clean_u(x: HeatTransferInputs, result: HeatTransferResult, velocity: float) -> None:
    """Clean U, CF, R_f and design U into ``result`` (:func:`clean_u`, :func:`_check_cleanliness`)."""
    result.tube_velocity = velocity
    lo, hi = hei.HEI_VELOCITY_RANGE_FT_S
    if x.clean_u_method == "hei" and not (lo <= velocity / FT_M <= hi):
        result.warnings.append(hei_velocity_warning(velocity))
    cu = clean_u(x.bundle, velocity, x.cw_inlet_temp, x.cw_outlet_temp, x.condenser_pressure,
                 result.saturation_temp, x.tube_material, x.clean_u_method, x.hei_edition, x.fw, x.fm,
                 x.salinity, x.bank_rows)  # fmt: skip
    fc = x.design_cleanliness if x.design_cleanliness > 0.0 else hei.design_cleanliness_default(x.tube_material)
    cf = result.u_actual / cu.u_clean
    _check_cleanliness(cf, x.u_given, result.warnings)
    result.u_clean = cu.u_clean
    result.u_hei_uncorrected = cu.u1
    result.hei_fw = cu.fw.value if cu.fw else None
    result.hei_fm = cu.fm.value if cu.fm else None
    result.design_cleanliness = fc
    result.u_design = cu.u_clean * fc
    result.cleanliness_factor = cf
    result.fouling_resistance = 1.0 / result.u_actual - 1.0 / cu.u_clean
    result.h_tube, result.h_shell, result.r_wall = cu.h_tube, cu.h_shell, cu.r_wall
    result.method.update(cu.method)
    result.hei_basis = cu.hei_basis
    result.method["design_cleanliness"] = (
        "caller"
        if x.design_cleanliness > 0.0
        else "default: 0.85 copper alloys, 0.90 titanium/stainless (TIMET CODEWELD)"
    )


def analyse_heat_transfer(x: HeatTransferInputs) -> HeatTransferResult:
    """Run the heat-transfer test chain (see module docstring) on SI inputs."""
    warnings: list[str] = []
    t_sat, itd, ttd, log_mean = _temperatures(x, warnings)
    t_mean = 0.5 * (x.cw_inlet_temp + x.cw_outlet_temp)
    rho_in = liquid_density(x.cw_inlet_temp, x.salinity, field="cw_inlet_temp")  # only ρ at the inlet
    props_mean = liquid_properties(t_mean, x.salinity, field="cw_outlet_temp")
    rise = x.cw_outlet_temp - x.cw_inlet_temp
    cw_flow, duty_method = _cw_flow(x, rho_in, props_mean.cp, rise)
    m_dot = cw_flow * rho_in
    duty = m_dot * props_mean.cp * rise
    if x.cw_flow > 0.0 and x.heat_duty > 0.0 and abs(x.heat_duty / duty - 1.0) > 0.05:
        warnings.append(
            f"the given heat duty differs by {100 * (x.heat_duty / duty - 1):+.1f} % from the CW-side "
            "duty; the CW-side duty is used (check the CW flow meter or the duty basis)"
        )
    area = _surface_area(x, warnings)
    u_actual = duty / (area * log_mean)
    h_fg = latent_heat(x.condenser_pressure)
    steam_duty = duty + x.shell_heat_loss
    result = HeatTransferResult(
        heat_duty=duty,
        steam_side_duty=steam_duty,
        saturation_temp=t_sat,
        itd=itd,
        ttd=ttd,
        lmtd=log_mean,
        temperature_rise=rise,
        cw_mass_flow=m_dot,
        cw_density=rho_in,
        cw_cp=props_mean.cp,
        surface_area=area,
        u_actual=u_actual,
        ntu=u_actual * area / (m_dot * props_mean.cp),
        effectiveness=rise / itd,
        latent_heat=h_fg,
        steam_condensed=steam_duty / h_fg,
        warnings=warnings,
        method={"properties": "IAPWS-IF97 (fresh water) / IAPWS-08 (saline) via iapws", "duty": duty_method},
    )
    bundle, velocity = x.bundle, x.tube_velocity
    if bundle is not None:
        result.active_tubes = bundle.active_tubes
        result.tube_id = bundle.id
        if velocity <= 0.0 and bundle.active_tubes > 0:
            velocity = bundle.velocity(cw_flow)
    if velocity <= 0.0 or bundle is None:
        warnings.append(
            "clean U, design U, cleanliness factor and fouling resistance not computed: "
            "tube_od and tube_count (or tube_velocity) are needed"
        )
        return result
    _add_clean_u(x, result, velocity)
    return result
