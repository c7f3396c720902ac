# SPDX-License-Identifier: MIT
"""Conversion factors, physical constants and the limits of the heat-transfer chain, in one
place (all exact or cited; docs/methods.md §10.6).

Every factor converts *to* SI base units by multiplication.
"""

from __future__ import annotations

#: 1 inHg at 32 °F in Pa (absolute-backpressure convention, ASME PTC 12.2 / HEI).
INHG_PA = 3386.389
#: 1 inHg at 60 °F in Pa (older convention; only for reference, never the default).
INHG_60F_PA = 3376.85
KPA_PA = 1000.0
MBAR_PA = 100.0
MMHG_PA = 133.322
PSI_PA = 6894.757293168
FT_M = 0.3048
INCH_M = 0.0254
MM_M = 0.001
FT2_M2 = FT_M**2
FT3_M3 = FT_M**3
GALLON_US_M3 = 3.785411784e-3
GPM_M3_S = GALLON_US_M3 / 60.0
M3_H_M3_S = 1.0 / 3600.0
LB_KG = 0.45359237
LB_H_KG_S = LB_KG / 3600.0
KG_H_KG_S = 1.0 / 3600.0
BTU_J = 1055.05585262  # International Table Btu
BTU_H_W = BTU_J / 3600.0
MW_W = 1.0e6
KW_W = 1.0e3
#: 1 Btu/(h·ft²·°F) in W/(m²·K) = 5.678263.
BTU_H_FT2_F_W_M2_K = BTU_H_W / FT2_M2 * 1.8
#: 1 h·ft²·°F/Btu in m²·K/W = 0.17611.
H_FT2_F_BTU_M2_K_W = 1.0 / BTU_H_FT2_F_W_M2_K
#: 1 SCFM of dry air (70 °F, 14.696 psia, 0.0749 lb/ft³) in kg/s: 4.495 lb/h (HEI standard air).
SCFM_AIR_KG_S = 0.0749 * 60.0 * LB_H_KG_S
KELVIN_OFFSET = 273.15
STANDARD_GRAVITY = 9.80665
HP_W = 745.699872
DAY_S = 86400.0
HOUR_S = 3600.0
YEAR_DAYS = 365.0

# --- Limits of the heat-transfer test chain (per-call tools and history rows alike) ---------
#: Cleanliness factor above which a measured U is refused as implausible (U_actual > 1.5 ×
#: clean U: no bundle reaches it; an overstated CW flow or a high outlet reading) [-].
CF_MAX = 1.5
#: Tube-side Reynolds number below which the flow is laminar and the Gnielinski correlation
#: (valid 3000 ≤ Re ≤ 5e6; used down to the transition) does not apply [-].
RE_LAMINAR = 2300.0
#: HEI reference inlet temperature, 70 °F (Fw = 1.00) [K].
REFERENCE_INLET_TEMP_K = (70.0 - 32.0) / 1.8 + KELVIN_OFFSET
#: |T_in − 70 °F| below which the inlet is at the HEI reference (Fw = 1, not derived) [K].
REFERENCE_INLET_TOLERANCE_K = 1e-9
#: A TTD below 0.5 °F (0.28 K) is warned about: physically possible, but usually instrumentation [K].
TTD_WARN_K = 0.5 / 1.8
#: Lower bound of the film driving difference T_sat − T_bulk in the film solve [K].
FILM_DRIVING_MIN_K = 0.05
#: Film ΔT Newton solve: relative step tolerance (of the driving difference) and step limit.
FILM_NEWTON_TOLERANCE = 1e-12
FILM_NEWTON_MAX_STEPS = 60


def f_to_k(t_f: float) -> float:
    """Temperature °F → K."""
    return (t_f - 32.0) / 1.8 + KELVIN_OFFSET


def k_to_f(t_k: float) -> float:
    """Temperature K → °F."""
    return (t_k - KELVIN_OFFSET) * 1.8 + 32.0


def c_to_k(t_c: float) -> float:
    """Temperature °C → K."""
    return t_c + KELVIN_OFFSET


def k_to_c(t_k: float) -> float:
    """Temperature K → °C."""
    return t_k - KELVIN_OFFSET
