# SPDX-License-Identifier: MIT
"""Design (sizing) direction of the condenser heat-transfer chain, for a known overall U.

* **Surface area** for a duty: A = Q/(U·LMTD), with Q and LMTD from the same chain as the test
  direction (:func:`~.heat_transfer.analyse_heat_transfer`); the CW outlet temperature is the
  caller's, or follows from the duty and the CW flow, T_out = T_in + Q/(ṁ·cp(T_mean)).
* **CW outlet temperature** for a surface: with the shell at constant saturation temperature
  (capacity ratio 0), ε = 1 − e^(−NTU), NTU = U·A/(ṁ·cp), so
  T_out = T_sat − (T_sat − T_in)·e^(−NTU), cp at the mean CW temperature (fixed point).

Both end by running the test chain on the completed state, so every output (duty, TTD, LMTD,
clean U, cleanliness, steam condensed) comes from one implementation and the rate direction
applied to the result gives back the U supplied.

References: Incropera et al., *Fundamentals of Heat and Mass Transfer*, 7th ed., §11.3 (LMTD)
and §11.4 (ε–NTU with C_r = 0: ε = 1 − exp(−NTU)). Worked check: the condenser LMTD example of
Çengel & Ghajar, *Heat and Mass Transfer* (T_sat 30 °C, water 14 → 22 °C), in the GATE-style
variant with U = 2000 W/(m²·K), A = 50 m², Q = 1.154 MW.
"""

from __future__ import annotations

import math
from dataclasses import replace

from .errors import DomainError
from .heat_transfer import HeatTransferInputs, HeatTransferResult, analyse_heat_transfer, check_itd
from .messages import Text
from .water import liquid_properties, saturation_temperature

__all__ = ["required_surface_area", "outlet_temperature_for_area", "outlet_temperature_for_duty", "NTU_MAX"]

#: Largest NTU accepted in the outlet-temperature direction: e^(−40) ≈ 4e-18, TTD below any
#: measurable difference (the outlet would equal the saturation temperature).
NTU_MAX = 40.0


def outlet_temperature_for_duty(t_in: float, duty: float, cw_flow: float, salinity: float = 0.0) -> float:
    """CW outlet temperature [K] that carries ``duty`` [W] at volumetric ``cw_flow`` [m³/s]:
    T_out = T_in + Q/(ρ(T_in)·Q_vol·cp(T_mean)), cp at the mean temperature by fixed point
    (converged to 1e-12 K, 50 iterations at most)."""
    m_dot = liquid_properties(t_in, salinity, field="cw_inlet_temp").density * cw_flow
    rise = duty / (m_dot * liquid_properties(t_in, salinity, field="cw_inlet_temp").cp)
    for _ in range(50):
        t_mean = t_in + 0.5 * rise
        new = duty / (m_dot * liquid_properties(min(t_mean, 353.15), salinity, field="heat_duty").cp)
        if abs(new - rise) < 1e-12:
            return t_in + new
        rise = new
    return t_in + rise


def required_surface_area(x: HeatTransferInputs, u: float) -> HeatTransferResult:
    """Effective outside surface [m²] a known U [W/(m²·K)] needs for the duty of ``x``, and the
    whole chain at that surface.

    The duty is the CW-side duty (CW flow and outlet temperature), or the given ``heat_duty``
    with the outlet temperature (CW flow derived) or with the CW flow (outlet derived).
    """
    if not (u > 0.0 and math.isfinite(u)):
        raise DomainError("u_actual", "the overall coefficient must be positive and finite")
    t_sat = saturation_temperature(x.condenser_pressure)
    if x.cw_outlet_temp <= 0.0:
        if x.cw_flow <= 0.0 or x.heat_duty <= 0.0:
            raise DomainError(
                "cw_outlet_temp",
                "the CW outlet temperature needs either a measured value, or both cw_flow and the heat duty",
            )
        t_out = outlet_temperature_for_duty(x.cw_inlet_temp, x.heat_duty, x.cw_flow, x.salinity)
        if t_out >= t_sat:
            raise DomainError(
                "heat_duty",
                Text(
                    "this duty heats the CW to or above the saturation temperature "
                    "(outlet {t_out}, T_sat {t_sat}): no surface can reject it",
                    t_out=("temperature", t_out, 4),
                    t_sat=("temperature", t_sat, 4),
                ),
                "heat duty too high or CW flow too low for this backpressure, or a unit mix-up",
            )
        x = replace(x, cw_outlet_temp=t_out)
    # The chain at a unit area gives Q and LMTD (clean U needs no area and is skipped here).
    probe = analyse_heat_transfer(replace(x, surface_area=1.0, bundle=None, tube_velocity=0.0))
    area = probe.heat_duty / (u * probe.lmtd)
    bundle = replace(x.bundle, length=0.0) if x.bundle is not None else None
    result = analyse_heat_transfer(replace(x, surface_area=area, bundle=bundle, u_given=True))
    result.method["sizing"] = "size_area: A = Q/(U*LMTD), U given"
    return result


def outlet_temperature_for_area(x: HeatTransferInputs, u: float) -> HeatTransferResult:
    """CW outlet temperature [K] a known U [W/(m²·K)] and surface reach at the CW flow of ``x``,
    and the whole chain at that outlet: T_out = T_sat − ITD·e^(−NTU), NTU = U·A/(ṁ·cp(T_mean))."""
    if not (u > 0.0 and math.isfinite(u)):
        raise DomainError("u_actual", "the overall coefficient must be positive and finite")
    if x.cw_flow <= 0.0:
        raise DomainError("cw_flow", "the outlet temperature for a surface needs the CW flow")
    area = x.surface_area
    if area <= 0.0:
        if x.bundle is None or x.bundle.length <= 0.0:
            raise DomainError(
                "surface_area", "no effective surface area: give surface_area, or tube_count, tube_od and tube_length"
            )
        area = x.bundle.outside_area
    t_in = x.cw_inlet_temp
    t_sat = saturation_temperature(x.condenser_pressure)
    itd = t_sat - t_in
    check_itd(itd)
    m_dot = liquid_properties(t_in, x.salinity, field="cw_inlet_temp").density * x.cw_flow
    t_out = t_in + 0.5 * itd
    ntu = 0.0
    for _ in range(60):
        cp = liquid_properties(0.5 * (t_in + t_out), x.salinity, field="cw_outlet_temp").cp
        ntu = u * area / (m_dot * cp)
        if ntu > NTU_MAX:
            raise DomainError(
                "u_actual",
                f"NTU = U·A/(ṁ·cp) = {ntu:.3g} is so large that the CW would leave at "
                "the saturation temperature: the outlet temperature is undefined",
                "U or surface area in the wrong unit, or CW flow far too low",
            )
        new = t_sat - itd * math.exp(-ntu)
        if abs(new - t_out) < 1e-12:
            t_out = new
            break
        t_out = new
    result = analyse_heat_transfer(replace(x, cw_outlet_temp=t_out, surface_area=area, heat_duty=0.0, u_given=True))
    result.method["sizing"] = "outlet_temp: T_out = T_sat - ITD*exp(-U*A/(m*cp)), U and A given"
    return result
