# SPDX-License-Identifier: MIT
"""Air in-leakage diagnosis from the indicators available (docs/methods.md §4).

Each indicator present is banded into a status with a score
(normal 0, marginal 1/3, high 2/3, severe 1) and carries a weight for its diagnostic
strength. With the available indicators i:

.. math::
    S = \\frac{\\sum_i w_i s_i}{\\sum_i w_i}, \\quad
    E = \\max\\big(S, \\max_{i \\in direct} s_i\\big), \\quad
    \\text{confidence} = A \\cdot \\big(0.3 + 0.7 \\tfrac{\\sum_{avail} w_i}{\\sum_{all} w_i}\\big)

Detected when S ≥ 0.30 or a direct indicator (vacuum decay, off-gas flow, dissolved oxygen)
is at least "high"; severity from E (< 0.45 low, < 0.65 moderate, < 0.9 high, else
severe); A is the weighted share of indicators agreeing with the verdict (see
:func:`detect_air_inleakage`). Estimated in-leakage: the measured off-gas (dry air) flow,
else the steam space treated as an ideal-gas accumulator during a vacuum-decay test,

.. math:: \\dot m_{air} \\approx \\frac{V \\, dP/dt}{R_{air} T}

an order of magnitude only (condensation continues, the air blanket is not uniform).

References
----------
mda139, "Measurement of air leakage rate" (decay rates ~1 mbar/min expected, ≥ 4 mbar/min
unacceptable; subcooling and air-line temperature as indicators).
HWI, leak test of vacuum system (5-minute decay test read every minute; ≤ 2 mmHg/min standard,
5 mmHg/min maximum).
Putman, R.E., Harpster, J.W. (2000), IJPGC2000-15033 (PWR DO < 10 ppb, BWR 20-200 ppb citing
EPRI; subcooling raises DO).
eng-tips thread "Condenser hotwell air in-leakage testing" (leaks below the hotwell water line
show as DO, above it as backpressure).
EPRI TR-112819 *Condenser In-Leakage Guideline* (2000); IAPWS TGD9-18 (2018) (limits not
extracted). HEI *Standards for Steam Surface Condensers* §6.5 venting capacities: not
public (a gap), so the venting capacity is an input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from .constants import INHG_PA, SCFM_AIR_KG_S
from .economics import Action, check_price, usd_per_day
from .errors import DomainError, OutOfRangeError
from .turbine import TurbineCurve
from .water import saturation_temperature

__all__ = [
    "R_AIR",
    "DO_LIMITS_PPB",
    "HEI_DO_GUARANTEE_PPB",
    "DECAY_TIGHT_PA_S",
    "DECAY_EXCESSIVE_PA_S",
    "STATUS_SCORES",
    "WEIGHTS",
    "Indicator",
    "AirInleakageInputs",
    "AirInleakageResult",
    "Verdict",
    "Severity",
    "Location",
    "indicator_readings",
    "verdict",
    "likely_location",
    "diagnosis_confidence",
    "inleakage_estimate",
    "air_value",
    "air_actions",
    "air_mass_from_decay",
    "detect_air_inleakage",
]

#: Specific gas constant of dry air, R/M = 8.314462618/0.0289647 [J/(kg·K)] (derived).
R_AIR = 287.05
#: HEI traditional dissolved-oxygen guarantee 0.005 cm³/L × 1.429 mg/cm³ (O2 gas density at 0 °C, 1 atm)
#: = 0.007145 mg/L = 7.145 µg/L = 7.145 ppb
#: (kept unrounded: 7.1 ppb would judge 7.12 ppb as "above the guarantee").
HEI_DO_GUARANTEE_PPB = 7.145
#: Dissolved-oxygen limits at the condensate pump discharge [ppb] by unit type, with trust.
DO_LIMITS_PPB = {
    "drum_avt": (
        10.0,
        "fossil drum unit (AVT): CPD DO <= 10 ppb (unverified - confirm before relying on it)",
    ),
    "once_through": (
        10.0,
        "fossil once-through unit: CPD DO <= 10 ppb (unverified - confirm before relying on it)",
    ),
    "pwr": (10.0, "PWR secondary: < 10 ppb (Putman & Harpster 2000, citing EPRI in-leakage guideline)"),
    "bwr": (200.0, "BWR: 20-200 ppb, upper value (GE practice; Putman & Harpster 2000, citing EPRI)"),
    "hei_guarantee": (
        HEI_DO_GUARANTEE_PPB,
        "HEI traditional DO guarantee 0.005 cm3/L = 7.145 ppb (0.005 cm3/L x 1.429 mg/cm3 O2 at 0 °C, "
        "1 atm; guarantee unverified; conversion derived)",
    ),
}
#: Vacuum-decay bands: < 0.03 inHg/min tight, 0.03-0.12 marginal, >= 0.12 excessive (mda139:
#: ~1 mbar/min expected, >= 4 mbar/min unacceptable); severe >= 0.24 inHg/min (house: twice the
#: excessive limit, above the HWI 5 mmHg/min = 0.197 inHg/min maximum) [Pa/s].
DECAY_TIGHT_PA_S = 0.03 * INHG_PA / 60.0
DECAY_EXCESSIVE_PA_S = 0.12 * INHG_PA / 60.0
DECAY_SEVERE_PA_S = 0.24 * INHG_PA / 60.0
STATUS_SCORES = {"normal": 0.0, "marginal": 1.0 / 3.0, "high": 2.0 / 3.0, "severe": 1.0}
#: Indicator weights (house choice, by diagnostic strength): direct measurements of air
#: (decay test, off-gas flow) 1.0; DO 0.7 (also from other causes); indirect signs 0.5.
WEIGHTS = {
    "vacuum_decay_rate": 1.0,
    "air_removal_flow": 1.0,
    "dissolved_oxygen_ppb": 0.7,
    "subcooling": 0.5,
    "air_extraction_temp_depression": 0.5,
    "unexplained_backpressure": 0.5,
}
#: Off-gas flow judged without a venting capacity: SCFM per shell heuristic (few SCFM normal,
#: >= 10 excessive; unverified, low confidence) with a reduced weight.
_OFFGAS_HEURISTIC_WEIGHT = 0.5
_DIRECT = ("vacuum_decay_rate", "air_removal_flow", "dissolved_oxygen_ppb")
_VACUUM_SIDE = (
    "vacuum_decay_rate",
    "air_removal_flow",
    "subcooling",
    "air_extraction_temp_depression",
    "unexplained_backpressure",
)
_F = 1.0 / 1.8  # 1 °F difference in K
_DETECT_S = 0.30
_TEMP_TOL_K = 0.5  # measurement tolerance before "warmer than saturation" is an error


@dataclass(frozen=True, slots=True)
class Indicator:
    """One scored indicator (SI values; thresholds are the band edges marginal/high/severe)."""

    name: str  #: tool-argument style id
    value: float
    unit: str
    thresholds: tuple[float, float, float]  #: lower edges of marginal, high, severe
    status: str  #: normal / marginal / high / severe
    score: float
    weight: float
    source: str


def _band(value: float, edges: tuple[float, float, float]) -> str:
    if value >= edges[2]:
        return "severe"
    if value >= edges[1]:
        return "high"
    if value >= edges[0]:
        return "marginal"
    return "normal"


def _ind(
    name: str, value: float, unit: str, edges: tuple[float, float, float], weight: float, source: str
) -> Indicator:
    status = _band(value, edges)
    return Indicator(name, value, unit, edges, status, STATUS_SCORES[status], weight, source)


def air_mass_from_decay(vacuum_decay_rate: float, steam_space_volume: float, temperature: float) -> float:
    """Air in-leakage from a vacuum-decay test, steam space as an ideal-gas accumulator.

    .. math:: \\dot m_{air} = \\frac{V \\cdot dP/dt}{R_{air} T}

    Parameters
    ----------
    vacuum_decay_rate : float
        Pressure rise rate with air extraction isolated [Pa/s].
    steam_space_volume : float
        Condenser steam-space volume [m³].
    temperature : float
        Steam-space temperature [K] (saturation temperature).

    Returns
    -------
    float
        Air mass flow [kg/s], order of magnitude only (condensation continues during the test
        and the air blanket is not uniform): 0.142 lb/h per ft³·inHg/min at 100 °F
        (docs/methods.md §4 item 2, derived).

    References
    ----------
    docs/methods.md §4 item 2 (derived, ideal gas).
    mda139, "Measurement of air leakage rate".
    """
    for name, val in (
        ("vacuum_decay_rate", vacuum_decay_rate),
        ("steam_space_volume", steam_space_volume),
        ("steam_space_temp", temperature),
    ):
        if not math.isfinite(val) or val < 0.0 or (name != "vacuum_decay_rate" and val == 0.0):
            raise DomainError(name, f"{name} {val!r} must be a positive finite number")
    return steam_space_volume * vacuum_decay_rate / (R_AIR * temperature)


@dataclass(frozen=True, slots=True)
class AirInleakageResult:
    """Result of :func:`detect_air_inleakage` (SI)."""

    leak_detected: bool
    severity: str  #: :data:`Severity`: none / low / moderate / high / severe
    confidence: float  #: 0-1
    score: float  #: weighted indicator score S, 0-1
    evidence: float  #: E = max(S, strongest direct indicator), 0-1
    estimated_inleakage: float | None  #: dry air [kg/s], order of magnitude
    estimated_inleakage_basis: str | None
    indicators: list  #: list of Indicator
    likely_location: str  #: :data:`Location`: none / above_water_line / below_water_line / both
    location_reason: str
    recommendations: list  #: list of Action
    method: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)


Severity = Literal["none", "low", "moderate", "high", "severe"]
Location = Literal["none", "above_water_line", "below_water_line", "both"]


def _nonneg(field_name: str, value: float | None, what: str, cause: str = "") -> float | None:
    if value is None:
        return None
    if not math.isfinite(value) or value < 0.0:
        raise DomainError(field_name, f"{what} {value!r} must be >= 0 and finite", cause)
    return float(value)


@dataclass(frozen=True, slots=True)
class AirInleakageInputs:
    """The measurements of an air in-leakage diagnosis (SI; see :func:`detect_air_inleakage`).

    Attributes
    ----------
    unit_type : str
        "drum_avt", "once_through", "pwr", "bwr" or "hei_guarantee" (DO limit).
    dissolved_oxygen_ppb : float, optional
        Condensate pump discharge DO [ppb].
    do_limit_ppb : float, optional
        Override of the DO limit [ppb].
    condenser_pressure : float, optional
        Absolute condenser pressure [Pa] (T_sat for subcooling and air-line depression).
    hotwell_temp : float, optional
        Hotwell condensate temperature [K].
    subcooling_baseline : float, optional
        The unit's clean subcooling [K]; None → 0 assumed (warned).
    air_removal_flow : float, optional
        Measured dry-air off-gas flow [kg/s].
    venting_capacity : float, optional
        Air-removal (venting) capacity [kg/s] (configuration; HEI §6.5 table not public).
    shell_count : int
        Condenser shells (SCFM-per-shell heuristic).
    vacuum_decay_rate : float, optional
        Pressure rise rate with air extraction isolated [Pa/s].
    steam_space_volume : float, optional
        Steam-space volume [m³] (in-leakage from the decay rate).
    steam_space_temp : float, optional
        Steam-space temperature [K]; default T_sat at ``condenser_pressure``, else 100 °F.
    air_extraction_temp : float, optional
        Air-extraction line temperature [K].
    air_extraction_depression_baseline : float, optional
        Clean-unit depression T_sat − T_air-line [K].
    unexplained_backpressure : float, optional
        Unexplained backpressure remainder [Pa] (measured minus expected at an independent
        fouling cleanliness: :func:`~condensync_tools.calculators.air_attribution.attribute_air_and_fouling`).
    unexplained_backpressure_scored : bool
        False when the remainder rests on an *assumed* fouling cleanliness (the design value):
        it then values the air actions of a leak the other indicators show, but is not itself
        scored as evidence of air.
    turbine : TurbineCurve, optional
        Values the unexplained backpressure in W (with ``condenser_pressure``).
    power_price_usd_per_mwh : float, optional
        Electricity price [USD/MWh].
    """

    unit_type: str = "drum_avt"
    dissolved_oxygen_ppb: float | None = None
    do_limit_ppb: float | None = None
    condenser_pressure: float | None = None  #: [Pa] absolute
    hotwell_temp: float | None = None  #: [K]
    subcooling_baseline: float | None = None  #: [K]
    air_removal_flow: float | None = None  #: [kg/s]
    venting_capacity: float | None = None  #: [kg/s]
    shell_count: int = 1
    vacuum_decay_rate: float | None = None  #: [Pa/s]
    steam_space_volume: float | None = None  #: [m³]
    steam_space_temp: float | None = None  #: [K]
    air_extraction_temp: float | None = None  #: [K]
    air_extraction_depression_baseline: float | None = None  #: [K]
    unexplained_backpressure: float | None = None  #: [Pa]
    unexplained_backpressure_scored: bool = True
    turbine: TurbineCurve | None = None
    power_price_usd_per_mwh: float | None = None  #: [USD/MWh]


@dataclass(frozen=True, slots=True)
class Verdict:
    """Combined indicator verdict: S, E, detected, severity."""

    score: float
    evidence: float
    detected: bool
    severity: Severity


# --------------------------------------------------------------------------- indicators
def _saturation(x: AirInleakageInputs) -> float | None:
    """T_sat at the condenser pressure [K] (None without it)."""
    p = x.condenser_pressure
    if p is None:
        return None
    if not math.isfinite(p) or p <= 0.0:
        raise DomainError(
            "condenser_pressure",
            f"condenser pressure {p!r} Pa must be a positive absolute pressure",
            "gauge vacuum entered instead of absolute pressure",
        )
    return saturation_temperature(p)


def dissolved_oxygen_indicator(x: AirInleakageInputs, method: dict) -> Indicator | None:
    """DO vs the unit-type limit L, bands L, 2L, 5L (house multiples)."""
    do = _nonneg("dissolved_oxygen_ppb", x.dissolved_oxygen_ppb, "dissolved oxygen", "sensor fault")
    if do is None:
        return None
    if do > 15000.0:
        raise DomainError(
            "dissolved_oxygen_ppb",
            f"{do:g} ppb exceeds air saturation of water (~14,600 ppb at 0 °C)",
            "value entered in ppm x 1000 or wrong unit",
        )
    if x.do_limit_ppb is not None:
        if not math.isfinite(x.do_limit_ppb) or x.do_limit_ppb <= 0.0:
            raise DomainError("do_limit_ppb", f"DO limit {x.do_limit_ppb!r} ppb must be positive")
        limit, src = float(x.do_limit_ppb), "caller's DO limit"
    else:
        limit, src = DO_LIMITS_PPB[x.unit_type]
    method["do_limit"] = src
    return _ind(
        "dissolved_oxygen_ppb",
        do,
        "ppb",
        (limit, 2 * limit, 5 * limit),
        WEIGHTS["dissolved_oxygen_ppb"],
        src + "; bands L, 2L, 5L (house)",
    )


def subcooling_indicator(x: AirInleakageInputs, t_sat: float | None, warnings: list[str]) -> Indicator | None:
    """Condensate subcooling T_sat − T_hotwell above the clean baseline: 2, 3, 6 °F."""
    if x.hotwell_temp is None:
        return None
    if t_sat is None:
        raise DomainError("condenser_pressure", "subcooling needs the condenser pressure (saturation temperature)")
    if not math.isfinite(x.hotwell_temp) or x.hotwell_temp <= 0.0:
        raise DomainError("hotwell_temp", f"hotwell temperature {x.hotwell_temp!r} K must be positive")
    sub = t_sat - x.hotwell_temp
    if sub < -_TEMP_TOL_K:
        raise DomainError(
            "hotwell_temp",
            f"hotwell {-sub:.2f} K ({-1.8 * sub:.2f} °F) warmer than saturation at the condenser pressure",
            "pressure tap or hotwell RTD fault, or °F/°C mix-up",
        )
    sub = max(sub, 0.0)
    base = _nonneg("subcooling_baseline", x.subcooling_baseline, "subcooling baseline")
    if base is None:
        base = 0.0
        warnings.append("no clean subcooling baseline: 0 K assumed")
    return _ind(
        "subcooling",
        sub - base,
        "K",
        (2 * _F, 3 * _F, 6 * _F),
        WEIGHTS["subcooling"],
        "subcooling above baseline; flag > 2-3 °F (unverified), severe 6 °F (house)",
    )


def off_gas_indicator(x: AirInleakageInputs, warnings: list[str]) -> Indicator | None:
    """Off-gas flow / venting capacity 0.5, 0.8, 1.0; without a capacity SCFM per shell 5, 10,
    20 (unverified, half weight)."""
    flow = _nonneg("air_removal_flow", x.air_removal_flow, "off-gas (air removal) flow", "sign or unit error")
    if flow is None:
        return None
    capacity = x.venting_capacity
    if capacity is not None:
        if not math.isfinite(capacity) or capacity <= 0.0:
            raise DomainError("venting_capacity", f"venting capacity {capacity!r} kg/s must be positive")
        return _ind(
            "air_removal_flow",
            flow / capacity,
            "fraction of venting capacity",
            (0.5, 0.8, 1.0),
            WEIGHTS["air_removal_flow"],
            "off-gas / venting capacity (capacity from configuration; HEI §6.5 is a gap); "
            "near or above capacity: extractor overloaded",
        )
    scfm = flow / SCFM_AIR_KG_S / x.shell_count
    warnings.append("no venting capacity given: off-gas flow judged by an unverified SCFM-per-shell rule")
    return _ind(
        "air_removal_flow",
        scfm * SCFM_AIR_KG_S,
        "kg/s per shell",
        (5 * SCFM_AIR_KG_S, 10 * SCFM_AIR_KG_S, 20 * SCFM_AIR_KG_S),
        _OFFGAS_HEURISTIC_WEIGHT,
        "no venting capacity: a few SCFM per shell normal, >= 10 SCFM excessive "
        "(unverified - confirm before relying on it; low confidence), half weight",
    )


def _decay(x: AirInleakageInputs) -> float | None:
    return _nonneg(
        "vacuum_decay_rate",
        x.vacuum_decay_rate,
        "vacuum decay rate",
        "pressure falling: air extraction not isolated during the test",
    )


def vacuum_decay_indicator(x: AirInleakageInputs) -> Indicator | None:
    """Vacuum-decay rate: 0.03, 0.12, 0.24 inHg/min."""
    decay = _decay(x)
    if decay is None:
        return None
    return _ind(
        "vacuum_decay_rate",
        decay,
        "Pa/s",
        (DECAY_TIGHT_PA_S, DECAY_EXCESSIVE_PA_S, DECAY_SEVERE_PA_S),
        WEIGHTS["vacuum_decay_rate"],
        "< 0.03 inHg/min tight, 0.03-0.12 marginal, >= 0.12 excessive (mda139), severe >= 0.24 (house)",
    )


def air_line_indicator(x: AirInleakageInputs, t_sat: float | None) -> Indicator | None:
    """Air-extraction temperature depression below T_sat: above its baseline 3, 6, 12 °F, or
    absolute 5, 10, 20 °F without one (house heuristics, unverified)."""
    temp = x.air_extraction_temp
    if temp is None:
        return None
    if t_sat is None:
        raise DomainError("condenser_pressure", "air-line temperature depression needs the condenser pressure")
    if not math.isfinite(temp) or temp <= 0.0:
        raise DomainError("air_extraction_temp", f"air-line temperature {temp!r} K must be positive")
    dep = t_sat - temp
    if dep < -_TEMP_TOL_K:
        raise DomainError(
            "air_extraction_temp",
            f"air-extraction line {-dep:.2f} K ({-1.8 * dep:.2f} °F) warmer than saturation",
            "RTD fault, wrong pressure tap, or °F/°C mix-up",
        )
    dep = max(dep, 0.0)
    base = _nonneg(
        "air_extraction_depression_baseline", x.air_extraction_depression_baseline, "air-line depression baseline"
    )
    if base is not None:
        return _ind(
            "air_extraction_temp_depression",
            dep - base,
            "K",
            (3 * _F, 6 * _F, 12 * _F),
            WEIGHTS["air_extraction_temp_depression"],
            "depression above the clean baseline 3/6/12 °F (house heuristic, unverified)",
        )
    return _ind(
        "air_extraction_temp_depression",
        dep,
        "K",
        (5 * _F, 10 * _F, 20 * _F),
        WEIGHTS["air_extraction_temp_depression"],
        "absolute depression below Tsat 5/10/20 °F without a baseline (house heuristic, unverified)",
    )


def unexplained_backpressure_indicator(x: AirInleakageInputs) -> Indicator | None:
    """Backpressure not explained by fouling, CW temperature or flow: 0.12, 0.25, 0.5 inHg
    (0.12 = PTC 12.2-2010 pressure uncertainty); not scored when it rests on an assumed CF."""
    dp = x.unexplained_backpressure
    if dp is not None and not math.isfinite(dp):
        raise DomainError("unexplained_backpressure", "unexplained backpressure must be finite")
    if dp is None or not x.unexplained_backpressure_scored:
        return None
    return _ind(
        "unexplained_backpressure",
        float(dp),
        "Pa",
        (0.12 * INHG_PA, 0.25 * INHG_PA, 0.5 * INHG_PA),
        WEIGHTS["unexplained_backpressure"],
        "backpressure not explained by fouling, CW temperature or flow; 0.12 inHg = PTC 12.2 "
        "pressure uncertainty; 0.25/0.5 inHg (house)",
    )


def indicator_readings(
    x: AirInleakageInputs, t_sat: float | None, method: dict, warnings: list[str]
) -> list[Indicator]:
    """Every indicator the inputs allow, in a fixed order (each validated)."""
    found = (
        dissolved_oxygen_indicator(x, method),
        subcooling_indicator(x, t_sat, warnings),
        off_gas_indicator(x, warnings),
        vacuum_decay_indicator(x),
        air_line_indicator(x, t_sat),
        unexplained_backpressure_indicator(x),
    )
    return [i for i in found if i is not None]


# --------------------------------------------------------------------------- combination
def verdict(indicators: list[Indicator], warnings: list[str]) -> Verdict:
    """S = Σ w·s / Σ w, E = max(S, strongest direct indicator); detected when S ≥ 0.30 or a
    direct indicator is at least "high"; severity from E (< 0.45 low, < 0.65 moderate, < 0.9
    high, else severe)."""
    if not indicators:
        warnings.append(
            "no indicator given: nothing to diagnose (run a vacuum-decay test, measure off-gas flow and condensate DO)"
        )
        s = e = 0.0
    else:
        s = sum(i.weight * i.score for i in indicators) / sum(i.weight for i in indicators)
        direct = [i.score for i in indicators if i.name in _DIRECT]
        e = max([s] + direct)
    detected = bool(indicators) and (
        s >= _DETECT_S - 1e-12 or any(i.score >= STATUS_SCORES["high"] - 1e-12 for i in indicators if i.name in _DIRECT)
    )
    severity: Severity
    if not detected:
        severity = "none"
    elif e < 0.45:
        severity = "low"
    elif e < 0.65:
        severity = "moderate"
    elif e < 0.9:
        severity = "high"
    else:
        severity = "severe"
    return Verdict(s, e, detected, severity)


def likely_location(by_name: dict[str, Indicator], indicators: list[Indicator], detected: bool) -> tuple[Location, str]:
    """Above or below the hotwell water line: DO signs without vacuum-side signs point below it,
    vacuum-side signs without DO above it (eng-tips)."""
    do_ind = by_name.get("dissolved_oxygen_ppb")
    do_elev = do_ind is not None and do_ind.score > 0.0
    vac_elev = any(i.score > 0.0 for i in indicators if i.name in _VACUUM_SIDE)
    if not detected:
        return "none", "no leak indicated"
    if do_elev and not vac_elev:
        return "below_water_line", (
            "high dissolved oxygen with a modest backpressure effect points below the hotwell water line (eng-tips)"
        )
    if vac_elev and not do_elev:
        reason = "backpressure/off-gas/decay signs without high dissolved oxygen point above the hotwell water line"
        if do_ind is None:
            reason += "; DO not measured, so leaks below the water line cannot be excluded"
        return "above_water_line", reason
    reason = "both dissolved-oxygen and vacuum-side signs: leaks above and below the water line possible"
    sub_ind = by_name.get("subcooling")
    if sub_ind is not None and sub_ind.score > 0.0:
        reason += "; high subcooling itself raises DO (O2 solubility), so part of the DO may be subcooling"
    return "both", reason


def diagnosis_confidence(indicators: list[Indicator], detected: bool, location: Location) -> float:
    """A·(0.3 + 0.7·available weight/total weight), A the weighted share of indicators agreeing
    with the verdict (an indicator the location explains counts half)."""
    if not indicators:
        return 0.0
    agree_w = 0.0
    for i in indicators:
        if detected:
            if i.score > 0.0:
                a = 1.0
            elif (location == "above_water_line" and i.name == "dissolved_oxygen_ppb") or (
                location == "below_water_line" and i.name in _VACUUM_SIDE
            ):
                a = 0.5
            else:
                a = 0.0
        else:
            a = 1.0 if i.score == 0.0 else (0.5 if i.status == "marginal" else 0.0)
        agree_w += i.weight * a
    avail_w = sum(i.weight for i in indicators)
    return agree_w / avail_w * (0.3 + 0.7 * avail_w / sum(WEIGHTS.values()))


def inleakage_estimate(
    x: AirInleakageInputs, t_sat: float | None, method: dict, warnings: list[str]
) -> tuple[float | None, str | None]:
    """(dry-air in-leakage [kg/s], basis): the measured off-gas flow, else the decay-test air
    mass (:func:`air_mass_from_decay`), else none."""
    decay = _decay(x)
    if x.air_removal_flow is not None:
        return float(x.air_removal_flow), "measured off-gas (dry air) flow"
    if decay is not None and x.steam_space_volume is not None:
        temp = x.steam_space_temp if x.steam_space_temp is not None else t_sat
        if temp is None:
            temp = (100.0 - 32.0) / 1.8 + 273.15
            warnings.append("steam-space temperature unknown: 100 °F assumed for the decay-test air mass")
        estimate = air_mass_from_decay(decay, x.steam_space_volume, temp)
        method["inleakage_estimate"] = "ideal gas, R_air = 287.05 J/(kg*K) (docs/methods.md §4 item 2)"
        return estimate, (
            "vacuum decay, ideal-gas steam space m = V*dP/dt/(R_air*T): order of magnitude only "
            "(condensation continues, air blanket not uniform)"
        )
    if x.steam_space_volume is not None:
        _nonneg("steam_space_volume", x.steam_space_volume, "steam-space volume")
    return None, None


def air_value(x: AirInleakageInputs, method: dict) -> float:
    """Output the unexplained backpressure costs [W]: turbine curve between the measured
    pressure and the pressure without it (0 without a turbine curve)."""
    dp, p = x.unexplained_backpressure, x.condenser_pressure
    if x.turbine is None or dp is None or p is None or dp <= 0.0:
        return 0.0
    method.update(x.turbine.method)
    return max(x.turbine.lost_output(p, max(p - dp, 1.0)), 0.0)


def _above_water_line_actions(act, value_w: float) -> None:
    act(
        "tracer_leak_test",
        "helium or SF6 tracer test with the detector at the air-removal discharge: probe "
        "turbine gland seals, LP hood and expansion joints, rupture (atmospheric relief) discs, LP "
        "heater shells, valve packings and flanges under vacuum, instrument lines",
        value_w,
    )
    act(
        "check_turbine_gland_seals",
        "check gland steam pressure and gland seal condition (a common source above the water line)",
    )
    act("inspect_expansion_joints_rupture_discs", "inspect the exhaust-neck expansion joint and rupture discs")


def air_actions(
    x: AirInleakageInputs, by_name: dict[str, Indicator], detected: bool, location: Location, value_w: float
) -> list[Action]:
    """The recommended checks, most direct first; the leak-locating ones carry ``value_w``."""
    price = x.power_price_usd_per_mwh
    actions: list[Action] = []

    def act(action: str, description: str, value: float = 0.0) -> None:
        usd = usd_per_day(value, price) if price is not None else None
        actions.append(Action(action, description, value, usd, "air_inleakage"))

    decay_known = x.vacuum_decay_rate is not None
    if not detected:
        if not decay_known:
            act(
                "vacuum_decay_test",
                "no leak indicated; a periodic vacuum-decay test (5 minutes, read every minute) "
                "keeps the baseline current",
            )
        return actions
    if location in ("above_water_line", "both"):
        _above_water_line_actions(act, value_w)
    if location in ("below_water_line", "both"):
        act(
            "check_below_water_line",
            "check condensate pump seals (gland sealing water), hotwell drain and level "
            "instrument connections, flanges below the water line and LP heater drains returning to the "
            "condenser; a flood test during an outage locates them",
            value_w if location == "below_water_line" else 0.0,
        )
    if not decay_known:
        act(
            "vacuum_decay_test",
            "run a vacuum-decay test on stable load: isolate air extraction, read the "
            "pressure every minute for 5 minutes, restore extraction at once if the rise approaches "
            "the turbine alarm; < 0.03 inHg/min tight, >= 0.12 inHg/min excessive",
        )
    off_gas = by_name.get("air_removal_flow")
    if off_gas is not None and off_gas.status in ("high", "severe") and x.venting_capacity is not None:
        act(
            "check_air_removal_equipment",
            "off-gas flow near or above the venting capacity: check vacuum pump "
            "seal-water temperature, ejector motive steam and intercondensers; the backpressure is "
            "air-controlled",
        )
    unexpl = by_name.get("unexplained_backpressure")
    direct_shown = any(by_name[n].score > 0.0 for n in ("vacuum_decay_rate", "air_removal_flow") if n in by_name)
    if unexpl is not None and unexpl.score > 0.0 and not direct_shown:
        act(
            "verify_pressure_instrument",
            "unexplained backpressure without direct air evidence: verify the "
            "condenser pressure transmitter (absolute, basket-tip) and the CW flow measurement",
        )
    return actions


def detect_air_inleakage(inputs: AirInleakageInputs | None = None, /, **fields: Any) -> AirInleakageResult:
    """Scored air in-leakage diagnosis from any subset of indicators (SI).

    .. math:: S = \\frac{\\sum w_i s_i}{\\sum w_i}, \\quad
              \\dot m_{air} \\approx \\frac{V\\,dP/dt}{R_{air}T}

    Indicators and bands (lower edges of marginal / high / severe):

    * dissolved O2 vs the unit-type limit L: L, 2L, 5L (multiples: house choice);
    * subcooling above the clean baseline: 2, 3, 6 °F (flag > 2-3 °F, unverified);
    * off-gas flow / venting capacity: 0.5, 0.8, 1.0 ("near or above" capacity: extractor
      overloaded); without a capacity, SCFM per shell 5, 10, 20 (unverified, half weight);
    * vacuum decay: 0.03, 0.12, 0.24 inHg/min (tight / marginal / excessive bands);
    * air-extraction temperature depression below T_sat: above its baseline 3, 6, 12 °F, or
      absolute 5, 10, 20 °F without a baseline (house heuristics, unverified);
    * backpressure not explained by fouling, CW temperature or flow (from
      :func:`~condensync_tools.calculators.vacuum.optimize_vacuum_pressure`): 0.12, 0.25,
      0.5 inHg (0.12 = PTC 12.2-2010 pressure uncertainty).

    Stages: :func:`indicator_readings` (one function per indicator), :func:`verdict` (score,
    evidence, detected, severity), :func:`likely_location`, :func:`diagnosis_confidence`,
    :func:`inleakage_estimate`, :func:`air_value` and :func:`air_actions`; this function
    combines them.

    Parameters
    ----------
    inputs : AirInleakageInputs, optional
        The measurements (SI), documented on :class:`AirInleakageInputs`;
        or its fields as keywords.

    Returns
    -------
    AirInleakageResult

    Raises
    ------
    DomainError, OutOfRangeError
        Negative or impossible values, hotwell or air line warmer than saturation, unknown
        unit type (field named after the tool argument).

    Notes
    -----
    Agreement A: detected → an indicator agrees when at least marginal; not detected → normal
    agrees, marginal half. An indicator that the likely location explains (normal DO with an
    above-water-line leak; normal vacuum-side signs with a below-water-line leak) counts half.
    With no indicator at all the result is "not detected" with confidence 0.
    Indicator 5 of docs/methods.md §4 (LP-exhaust to air-extraction ΔP) is not used.

    References
    ----------
    mda139, "Measurement of air leakage rate"; HWI, leak test of vacuum system.
    Putman & Harpster (2000), IJPGC2000-15033; eng-tips hotwell air in-leakage thread.
    EPRI TR-112819 (2000); IAPWS TGD9-18 (2018); docs/methods.md §4.
    """
    x = inputs if inputs is not None else AirInleakageInputs(**fields)
    warnings: list[str] = []
    method: dict = {
        "scoring": "weighted bands (normal 0, marginal 1/3, high 2/3, severe 1); detected if S >= 0.30 "
        "or a direct indicator >= high; severity from E = max(S, strongest direct)",
        "confidence": "agreement * (0.3 + 0.7 * available weight / total weight)",
        "venting_capacity": "HEI §6.5 minimum venting capacities are not public (gap): capacity is an input",
    }
    check_price(x.power_price_usd_per_mwh)
    if x.unit_type not in DO_LIMITS_PPB:
        raise OutOfRangeError(
            "unit_type", f"unknown unit type {x.unit_type!r}; expected one of {sorted(DO_LIMITS_PPB)}"
        )
    if not isinstance(x.shell_count, int) or x.shell_count < 1:
        raise DomainError("shell_count", f"shell count {x.shell_count!r} must be an integer >= 1")
    t_sat = _saturation(x)
    indicators = indicator_readings(x, t_sat, method, warnings)
    by_name = {i.name: i for i in indicators}
    v = verdict(indicators, warnings)
    location, loc_reason = likely_location(by_name, indicators, v.detected)
    estimate, basis = inleakage_estimate(x, t_sat, method, warnings)
    actions = air_actions(x, by_name, v.detected, location, air_value(x, method))
    return AirInleakageResult(
        leak_detected=v.detected,
        severity=v.severity,
        confidence=diagnosis_confidence(indicators, v.detected, location),
        score=v.score,
        evidence=v.evidence,
        estimated_inleakage=estimate,
        estimated_inleakage_basis=basis,
        indicators=indicators,
        likely_location=location,
        location_reason=loc_reason,
        recommendations=actions,
        method=method,
        warnings=warnings,
    )
