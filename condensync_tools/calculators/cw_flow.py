# SPDX-License-Identifier: MIT
"""Cooling-water flow optimisation: pump (and tower fan) options against turbine output.

For each option (pumps running × speed × fans on) the operating point is the intersection of
the pump curve (identical pumps in parallel, affinity-scaled for speed) with the system curve;
the backpressure follows from the vacuum chain at the current cleanliness, and

.. math::
    H_{pump}(Q, N) = N^2 c_0 + N c_1 \\frac{Q}{n} + c_2 \\frac{Q^2}{n^2}
    = H_{static} + k Q^2 = H_{sys}(Q)

    P_{pump} = \\frac{\\rho g Q H}{\\eta(x)}, \\quad \\eta(x) = \\eta_r (2x - x^2), \\quad
    x = \\frac{Q/n}{N Q_r}

    \\text{net} = [\\Delta P_{gen}(p_{opt}) - \\Delta P_{gen}(p_{cur})]
                - [(P_{pumps} + P_{fans})_{opt} - (P_{pumps} + P_{fans})_{cur}]

The default pump curve is the quadratic through the shut-off head (1.25 × rated head) and the
rated point; affinity laws (Q ∝ N, H ∝ N², P ∝ N³ at similar points) scale the *pump* curve
only, and the operating point is found by intersection, so static head is honoured (physics
reference §6, pitfall 14). The efficiency parabola through the origin peaks at the rated point
(taken as the best-efficiency point), η_r = ρ·g·Q_r·H_r/P_r wire-to-water.

Cooling tower (generic model, house choice, not a tower maker's curve):

.. math::
    T_{cw,in} = T_{wb} + \\max\\big(a_{min},\\
    a_d (L/L_d)^{0.6} (n_{fans,d}/n_{fans})^{0.4}\\big)

References
----------
Karassik, Messina, Cooper, Heald, *Pump Handbook*, 4th ed. (2008): affinity laws, parallel
operation, system curves.
docs/methods.md §5.3 (minimum velocity against fouling), §6 (affinity laws with
static head, net benefit, tower approach, choke point), pitfalls 14-15.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .constants import FT_M, KELVIN_OFFSET, STANDARD_GRAVITY
from .economics import Action, check_price, usd_per_day, usd_per_hour, usd_per_year
from .errors import CalculationError, DomainError
from .hei import HeiBasis
from .messages import Text, joined, prefixed
from .tubes import material
from .turbine import TurbineCurve
from .vacuum import CondenserModel, OperatingState, expected_backpressure, resolve_operating_state
from .water import liquid_properties

__all__ = [
    "DEFAULT_SHUTOFF_HEAD_RATIO",
    "MAX_TUBE_VELOCITY_M_S",
    "MIN_TUBE_VELOCITY_M_S",
    "PUMP_FLOW_RANGE",
    "PumpCurve",
    "pump_curve",
    "operating_flow",
    "CoolingTower",
    "cooling_tower",
    "CwOption",
    "CwFlowResult",
    "TowerCheck",
    "TOWER_MODEL_TOLERANCE_K",
    "CwFlowInputs",
    "OptionEvaluator",
    "speed_grid",
    "tube_velocity_limit",
    "fan_grid",
    "system_curve",
    "calibrate_tower",
    "choose_optimum",
    "cw_actions",
    "optimize_cooling_water_flow",
    "OptionGrid",
    "option_grid",
    "current_option",
]

#: Shut-off head / rated head for a typical CW (mixed/axial-flow to radial) pump: 1.2-1.3
#: (house default 1.25; give curve points when known).
DEFAULT_SHUTOFF_HEAD_RATIO = 1.25
#: Erosion limits of tube velocity by material family [m/s]: copper alloys 8 ft/s; titanium
#: and stainless 10 ft/s (they tolerate more; set the limit explicitly); others 8 ft/s
#: (unverified - confirm before relying on it).
MAX_TUBE_VELOCITY_M_S = {
    "copper_alloy": 8.0 * FT_M,
    "aluminum": 8.0 * FT_M,
    "carbon_steel": 8.0 * FT_M,
    "stainless": 10.0 * FT_M,
    "titanium": 10.0 * FT_M,
}
#: Minimum tube velocity against silt and fouling, ~1.5 m/s (5 ft/s) (docs/methods.md §5.3).
MIN_TUBE_VELOCITY_M_S = 1.5
#: Allowed pump flow range as a fraction of the best-efficiency (rated) flow at the running
#: speed (house choice, unverified: avoids recirculation below and runout/cavitation above).
PUMP_FLOW_RANGE = (0.5, 1.3)
_ETA_FLOOR = 0.05


@dataclass(frozen=True, slots=True)
class PumpCurve:
    """One CW pump at rated speed: H = c0 + c1·q + c2·q² (q per pump), efficiency parabola."""

    rated_flow: float  #: [m³/s] per pump
    rated_head: float  #: [m]
    rated_power: float  #: electrical input at the rated point [W]
    rated_efficiency: float  #: wire-to-water η_r at the rated point [-]
    coeffs: tuple[float, float, float]  #: (c0 [m], c1 [m/(m³/s)], c2 [m/(m³/s)²])
    source: str

    def head(self, q_pump: float, speed: float = 1.0) -> float:
        """Head [m] at a per-pump flow [m³/s] and relative speed N [-] (affinity-scaled)."""
        c0, c1, c2 = self.coeffs
        return speed * speed * c0 + speed * c1 * q_pump + c2 * q_pump * q_pump

    def efficiency(self, q_pump: float, speed: float = 1.0) -> float:
        """Wire-to-water efficiency η_r·(2x − x²), x = q/(N·Q_r) [-] (floored at 0.05)."""
        x = q_pump / (speed * self.rated_flow)
        return max(self.rated_efficiency * (2.0 * x - x * x), _ETA_FLOOR)

    def power(self, q_pump: float, speed: float, density: float) -> float:
        """Electrical input [W] = ρ·g·q·H/η at a per-pump flow [m³/s], speed [-], density [kg/m³]."""
        return density * STANDARD_GRAVITY * q_pump * max(self.head(q_pump, speed), 0.0) / self.efficiency(q_pump, speed)


def pump_curve(
    rated_flow: float,
    rated_head: float,
    rated_power: float,
    density: float = 998.2,
    shutoff_head_ratio: float = DEFAULT_SHUTOFF_HEAD_RATIO,
    points: Sequence[tuple[float, float]] | None = None,
) -> PumpCurve:
    """Build a :class:`PumpCurve` from the rated point (and optionally curve points).

    .. math:: H(q) = H_0 - (H_0 - H_r)\\,(q/Q_r)^2, \\quad H_0 = r\\,H_r, \\quad
              \\eta_r = \\frac{\\rho g Q_r H_r}{P_r}

    Parameters
    ----------
    rated_flow : float
        Rated flow per pump [m³/s].
    rated_head : float
        Rated total head [m].
    rated_power : float
        Electrical input power at the rated point, full speed [W].
    density : float
        Water density for the rated efficiency [kg/m³].
    shutoff_head_ratio : float
        H_0/H_r, 1.05-2.0 (default 1.25).
    points : sequence of (flow [m³/s], head [m]), optional
        At least three points of the rated-speed curve; a least-squares quadratic is used
        instead of the shut-off construction.

    Raises
    ------
    DomainError
        Non-positive rated values, implied efficiency above 0.95, ratio outside 1.05-2.0,
        curve points too few, non-finite or with head rising with flow.

    References
    ----------
    Karassik, Messina, Cooper, Heald, *Pump Handbook*, 4th ed. (2008), pump curves and affinity.
    docs/methods.md §6.
    """
    for name, val in (
        ("pump_rated_flow", rated_flow),
        ("pump_rated_head", rated_head),
        ("pump_rated_power", rated_power),
        ("density", density),
    ):
        if val is None or not math.isfinite(val) or val <= 0.0:
            raise DomainError(name, f"{name} {val!r} must be positive and finite")
    eta = density * STANDARD_GRAVITY * rated_flow * rated_head / rated_power
    if eta > 0.95:
        raise DomainError(
            "pump_rated_power",
            f"rated flow, head and power imply a wire-to-water efficiency of {eta:.2f} > 0.95",
            "power in the wrong unit (kW vs W, or shaft vs hydraulic)",
        )
    if points is None:
        if not math.isfinite(shutoff_head_ratio) or not (1.05 <= shutoff_head_ratio <= 2.0):
            raise DomainError(
                "pump_shutoff_head_ratio",
                f"shut-off/rated head ratio {shutoff_head_ratio!r} must be within 1.05-2.0",
            )
        h0 = shutoff_head_ratio * rated_head
        coeffs = (h0, 0.0, -(h0 - rated_head) / rated_flow**2)
        source = f"quadratic through shut-off head {shutoff_head_ratio:g} x rated head and the rated point"
    else:
        pts = np.asarray(points, dtype=float)
        if pts.ndim != 2 or pts.shape[1] != 2 or pts.shape[0] < 3 or not np.all(np.isfinite(pts)):
            raise DomainError("pump_curve_points", "need at least three finite (flow, head) points")
        order = np.argsort(pts[:, 0])
        q, h = pts[order, 0], pts[order, 1]
        if np.any(np.diff(q) <= 0.0) or np.any(q < 0.0) or np.any(h <= 0.0):
            raise DomainError("pump_curve_points", "flows must be distinct and >= 0, heads positive")
        if np.any(np.diff(h) > 0.0):
            raise DomainError(
                "pump_curve_points",
                "head must not rise with flow (unstable curve not supported)",
                "points out of order or flow and head columns swapped",
            )
        c0, c1, c2 = _quadratic_least_squares(q.tolist(), h.tolist())
        if c2 > 0.0 or c0 <= 0.0:
            raise DomainError("pump_curve_points", "the fitted quadratic is not a falling pump curve")
        coeffs = (float(c0), float(c1), float(c2))
        source = f"least-squares quadratic through {len(q)} curve points"
    return PumpCurve(float(rated_flow), float(rated_head), float(rated_power), eta, coeffs, source)


def _quadratic_least_squares(q: list[float], h: list[float]) -> tuple[float, float, float]:
    """(c0, c1, c2) of the least-squares h = c0 + c1·q + c2·q².

    Householder QR of the columns [1, x, x²] with x = q/q_max, then back substitution
    (Golub & Van Loan, *Matrix Computations*, 4th ed., §5.3.3), in Python floats with sums
    correctly rounded by ``math.fsum``: the same bits on every machine, unlike ``np.polyfit``,
    whose LAPACK/BLAS kernels are chosen by CPU.
    """
    scale = max(q)
    x = [v / scale for v in q]
    cols = [[1.0] * len(x), x, [v * v for v in x]]
    b = list(h)
    for k in range(3):
        v = cols[k][k:]
        norm = math.sqrt(math.fsum(e * e for e in v))
        alpha = -norm if v[0] >= 0.0 else norm
        v[0] -= alpha
        vv = math.fsum(e * e for e in v)
        if vv == 0.0:
            continue
        for target in [*cols[k:], b]:
            tau = 2.0 * math.fsum(map(float.__mul__, v, target[k:])) / vv
            target[k:] = [t - tau * e for t, e in zip(target[k:], v, strict=True)]
    coef = [0.0, 0.0, 0.0]
    for r in (2, 1, 0):
        coef[r] = (b[r] - math.fsum(cols[c][r] * coef[c] for c in range(r + 1, 3))) / cols[r][r]
    return coef[0], coef[1] / scale, coef[2] / (scale * scale)


def operating_flow(pump: PumpCurve, pumps_running: int, speed: float, static_head: float, k_system: float) -> float:
    """Total flow [m³/s] where n identical parallel pumps at speed N meet H = H_s + k·Q².

    .. math:: \\Big(\\frac{c_2}{n^2} - k\\Big) Q^2 + \\frac{N c_1}{n} Q + (N^2 c_0 - H_s) = 0

    Parameters
    ----------
    pump : PumpCurve
    pumps_running : int
        n ≥ 1 [-].
    speed : float
        Relative speed N [-].
    static_head : float
        H_s [m].
    k_system : float
        System resistance k [m/(m³/s)²] > 0.

    Returns
    -------
    float
        Q [m³/s]; 0 when the pumps cannot overcome the static head.

    References
    ----------
    Karassik et al., *Pump Handbook*, 4th ed. (2008), parallel operation and system curves.
    docs/methods.md §6, pitfall 14.
    """
    c0, c1, c2 = pump.coeffs
    n = pumps_running
    a = c2 / n**2 - k_system
    b = speed * c1 / n
    c = speed * speed * c0 - static_head
    if c <= 0.0:
        return 0.0
    disc = b * b - 4.0 * a * c
    return (-b - math.sqrt(disc)) / (2.0 * a)


@dataclass(frozen=True, slots=True)
class CoolingTower:
    """Generic cooling-tower approach model (SI)."""

    wet_bulb: float  #: [K]
    approach_design: float  #: at design flow and fans [K]
    design_flow: float  #: total CW flow at design [m³/s]
    fans_design: int
    fans_installed: int
    fan_power: float  #: per fan [W]
    flow_exponent: float = 0.6
    fan_exponent: float = 0.4
    min_approach: float = 5.0 / 1.8  #: 5 °F [K] (unverified)
    calibration: float = 1.0  #: scale fitted to the current inlet temperature [-]

    def approach(self, flow: float, fans_on: int) -> float:
        """Model approach [K] before the minimum-approach limit."""
        return (
            self.calibration
            * self.approach_design
            * (flow / self.design_flow) ** self.flow_exponent
            * (self.fans_design / fans_on) ** self.fan_exponent
        )


def cooling_tower(
    wet_bulb: float,
    approach_design: float,
    design_flow: float,
    fans_design: int,
    fans_installed: int,
    fan_power: float,
    flow_exponent: float = 0.6,
    fan_exponent: float = 0.4,
    min_approach: float = 5.0 / 1.8,
) -> CoolingTower:
    """Build a :class:`CoolingTower` (generic approach model, house choice).

    .. math:: a = a_d \\,(L/L_d)^{0.6}\\,(n_{fans,d}/n_{fans})^{0.4}, \\quad a \\ge a_{min}

    Parameters
    ----------
    wet_bulb : float
        Ambient wet-bulb temperature [K].
    approach_design : float
        Approach at design flow and fans [K].
    design_flow : float
        Design total CW flow [m³/s].
    fans_design, fans_installed : int
        Fans in service at design, fans installed.
    fan_power : float
        Power per fan [W].
    flow_exponent, fan_exponent : float
        a ≈ 0.6 and b ≈ 0.4 (generic defaults, not a tower maker's curve).
    min_approach : float
        Lowest economic approach, default 5 °F (docs/methods.md §6: rarely below 5-7 °F;
        unverified) [K].

    Notes
    -----
    The heat-load (range) effect on approach is not modelled; a_d is taken at the current
    load. Calibrated to the measured CW inlet temperature by
    :func:`optimize_cooling_water_flow` when one is given.

    References
    ----------
    docs/methods.md §6 (approach grows with L/G, falls with fans; generic model).
    """
    for name, val in (
        ("wet_bulb_temp", wet_bulb),
        ("tower_approach_design", approach_design),
        ("tower_design_flow", design_flow),
        ("fan_power", fan_power),
    ):
        if val is None or not math.isfinite(val) or val <= 0.0:
            raise DomainError(name, f"{name} {val!r} must be positive and finite")
    if not (KELVIN_OFFSET - 40.0 <= wet_bulb <= KELVIN_OFFSET + 40.0):
        raise DomainError(
            "wet_bulb_temp",
            Text(
                "wet bulb {t} outside {lo}..{hi}",
                t=("temperature", wet_bulb, 4),
                lo=("temperature", KELVIN_OFFSET - 40.0, 3),
                hi=("temperature", KELVIN_OFFSET + 40.0, 3),
            ),
            "°F/°C mix-up",
        )
    if not isinstance(fans_installed, int) or fans_installed < 1:
        raise DomainError("fans_installed", "at least one tower fan is needed for the fan options")
    if not isinstance(fans_design, int) or not (1 <= fans_design <= fans_installed):
        raise DomainError("fans_design", f"design fans {fans_design!r} must be within 1..fans_installed")
    for name, val in (("tower_flow_exponent", flow_exponent), ("tower_fan_exponent", fan_exponent)):
        if not math.isfinite(val) or not (0.0 <= val <= 2.0):
            raise DomainError(name, f"{name} {val!r} must be within 0-2")
    if not math.isfinite(min_approach) or min_approach < 0.0:
        raise DomainError("tower_min_approach", "minimum approach must be >= 0")
    return CoolingTower(
        float(wet_bulb),
        float(approach_design),
        float(design_flow),
        fans_design,
        fans_installed,
        float(fan_power),
        float(flow_exponent),
        float(fan_exponent),
        float(min_approach),
    )


@dataclass(frozen=True, slots=True)
class CwOption:
    """One evaluated operating option (SI)."""

    pumps_running: int
    speed: float  #: relative speed [-]
    fans_on: int
    cw_flow: float  #: [m³/s]; 0 when the pumps cannot overcome the static head
    tube_velocity: float  #: [m/s]
    cw_inlet_temp: float  #: [K]
    approach: float | None  #: tower approach used [K]
    backpressure: float | None  #: [Pa]; None when not computable (see violations)
    turbine_output_change: float | None  #: vs design backpressure [W]
    pump_power: float  #: [W]
    fan_power: float  #: [W]
    aux_power: float  #: pumps + fans [W]
    net_benefit: float | None  #: vs the current operation [W]
    feasible: bool
    violations: tuple[str, ...]
    active_constraints: tuple[str, ...]


#: Largest difference between the (uncalibrated) tower approach model and the measured CW inlet
#: temperature accepted without a warning: 2 °F (1.1 K), about the combined uncertainty of a
#: plant wet-bulb reading (±1 °F) and the generic approach model at off-design flow.
TOWER_MODEL_TOLERANCE_K = 2.0 / 1.8


@dataclass(frozen=True, slots=True)
class TowerCheck:
    """The measured tower state against the generic approach model (SI), for the tool layer
    to word: the current option always uses the measured inlet temperature."""

    measured_approach: float  #: CW inlet − wet bulb, measured [K]
    model_approach: float  #: design approach model at the current flow and fans [K]
    min_approach: float  #: caller's (or default) minimum approach [K]
    approach_floor: float  #: floor applied to the other options, min(min_approach, measured) [K]
    calibration: float  #: measured / model approach [-]

    @property
    def model_disagrees(self) -> bool:
        """Model and measurement differ by more than :data:`TOWER_MODEL_TOLERANCE_K`."""
        return abs(self.model_approach - self.measured_approach) > TOWER_MODEL_TOLERANCE_K

    @property
    def below_min_approach(self) -> bool:
        """The measured approach is below the minimum approach."""
        return self.measured_approach < self.min_approach


@dataclass(frozen=True, slots=True)
class CwFlowResult:
    """Result of :func:`optimize_cooling_water_flow` (SI; money in USD)."""

    options: list  #: every CwOption evaluated
    current: CwOption
    optimum: CwOption
    optimal_cw_flow: float  #: [m³/s]
    net_benefit: float  #: optimum vs current [W]
    expected_savings_usd_per_hour: float | None
    expected_savings_usd_per_year: float | None
    active_constraints: tuple[str, ...]  #: of the optimum
    recommendations: list  #: list of Action
    method: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    tower_check: TowerCheck | None = None  #: measured vs modelled tower (None: once-through)
    hei_basis: HeiBasis | None = None  #: where the HEI Fw, Fm and C1 of the current option came from


def _grid(values: Sequence, field_name: str, lo: float, hi: float) -> list:
    out = sorted(set(values))
    if not out:
        raise DomainError(field_name, "no options to evaluate")
    for v in out:
        if not (isinstance(v, (int, float)) and math.isfinite(v) and lo <= v <= hi):
            raise DomainError(field_name, f"option {v!r} outside {lo:g}..{hi:g}")
    return out


@dataclass(frozen=True, slots=True)
class CwFlowInputs:
    """Plant state and options of :func:`optimize_cooling_water_flow` (SI; see there).

    Attributes
    ----------
    cw_inlet_temp : float
        Current CW inlet temperature [K] (once-through: used for every option; tower:
        calibrates the approach model).
    cw_flow : float, optional
        Measured current total CW flow [m³/s]; calibrates the system curve k so that the
        current option reproduces it. Without it k comes from the design point.
    pumps_installed : int
        Identical pumps available.
    pumps_running : int
        Pumps running now.
    design_pumps_running : int, optional
        Pumps running at the rated (design) point, for k = (H_r − H_s)/(n_d·Q_r)²;
        default ``pumps_running``.
    static_head : float
        System static head H_s [m] (tower lift, siphon loss), < rated head.
    vfd : bool
        Pumps on variable-speed drives.
    speed : float
        Current relative speed [-] (1 for fixed speed).
    speed_range : (float, float)
        VFD relative speed range [-], within 0.3-1.2.
    speed_steps : int
        Speeds evaluated across the range (2-101).
    tower : CoolingTower, optional
        Cooling tower; None = once-through.
    fans_on : int
        Tower fans running now.
    heat_duty, steam_flow, cw_outlet_temp, condenser_pressure, cleanliness_factor, target_cleanliness
        Current state, resolved as in
        :func:`~condensync_tools.calculators.vacuum.resolve_operating_state` (duty [W], steam
        flow [kg/s], temperatures [K], pressure [Pa]); needs ``cw_flow`` for the CW-side duty.
    max_tube_velocity : float, optional
        Erosion limit [m/s]; default by tube material family (unverified).
    min_tube_velocity : float
        Fouling limit [m/s], default 1.5 (0 disables).
    pump_flow_range : (float, float)
        Allowed per-pump flow as a fraction of rated flow at the running speed.
    power_price_usd_per_mwh : float, optional
        Electricity price [USD/MWh].
    operating_hours_per_year : float
        Hours per year for the annual savings [h].
    """

    cw_inlet_temp: float  #: [K]
    pumps_installed: int
    pumps_running: int
    cw_flow: float | None = None  #: [m³/s]
    design_pumps_running: int | None = None
    static_head: float = 0.0  #: [m]
    vfd: bool = False
    speed: float = 1.0
    speed_range: tuple[float, float] = (0.7, 1.0)
    speed_steps: int = 7
    tower: CoolingTower | None = None
    fans_on: int = 0
    heat_duty: float | None = None  #: [W]
    steam_flow: float | None = None  #: [kg/s]
    cw_outlet_temp: float | None = None  #: [K]
    condenser_pressure: float | None = None  #: [Pa]
    cleanliness_factor: float | None = None
    target_cleanliness: float | None = None
    max_tube_velocity: float | None = None  #: [m/s]
    min_tube_velocity: float = MIN_TUBE_VELOCITY_M_S  #: [m/s]
    pump_flow_range: tuple[float, float] = PUMP_FLOW_RANGE
    power_price_usd_per_mwh: float | None = None
    operating_hours_per_year: float = 8760.0  #: [h]


def _check_pump_counts(x: CwFlowInputs, pump: PumpCurve) -> int:
    """Validate pump counts and static head; the pumps running at the design point."""
    if not isinstance(x.pumps_installed, int) or x.pumps_installed < 1:
        raise DomainError("pumps_installed", f"pumps installed {x.pumps_installed!r} must be an integer >= 1")
    if not isinstance(x.pumps_running, int) or not (1 <= x.pumps_running <= x.pumps_installed):
        raise DomainError("pumps_running", f"pumps running {x.pumps_running!r} must be within 1..{x.pumps_installed}")
    n_design = x.pumps_running if x.design_pumps_running is None else x.design_pumps_running
    if not isinstance(n_design, int) or not (1 <= n_design <= x.pumps_installed):
        raise DomainError("design_pumps_running", f"design pumps {n_design!r} must be within 1..{x.pumps_installed}")
    static_head = x.static_head
    if not math.isfinite(static_head) or static_head < 0.0 or static_head >= pump.rated_head:
        raise DomainError(
            "static_head",
            Text(
                "static head {h} must be >= 0 and below the rated head {rated}",
                h=("head", static_head, 4),
                rated=("head", pump.rated_head, 4),
            )
            if math.isfinite(static_head)
            else f"static head {static_head!r} must be a finite number",
        )
    return n_design


def speed_grid(x: CwFlowInputs, method: dict) -> list[float]:
    """Relative speeds evaluated: ``speed_steps`` across the VFD range, else 1.0."""
    lo_s, hi_s = x.speed_range
    if not x.vfd:
        if x.speed != 1.0:
            raise DomainError("speed", "fixed-speed pumps run at relative speed 1.0")
        method["speeds"] = "fixed speed"
        return [1.0]
    if not (math.isfinite(lo_s) and math.isfinite(hi_s) and 0.3 <= lo_s < hi_s <= 1.2):
        raise DomainError("speed_range", f"VFD speed range {x.speed_range!r} must satisfy 0.3 <= min < max <= 1.2")
    if not isinstance(x.speed_steps, int) or not (2 <= x.speed_steps <= 101):
        raise DomainError("speed_steps", f"speed steps {x.speed_steps!r} must be an integer within 2..101")
    if not math.isfinite(x.speed) or not (lo_s <= x.speed <= hi_s):
        raise DomainError("speed", f"current speed {x.speed!r} outside the VFD range {lo_s:g}-{hi_s:g}")
    method["speeds"] = f"VFD: {x.speed_steps} speeds from {lo_s:g} to {hi_s:g}"
    return [float(v) for v in np.linspace(lo_s, hi_s, x.speed_steps)]


def _check_ranges(x: CwFlowInputs) -> None:
    lo_q, hi_q = x.pump_flow_range
    if not (math.isfinite(lo_q) and math.isfinite(hi_q) and 0.0 <= lo_q < 1.0 < hi_q <= 3.0):
        raise DomainError(
            "pump_flow_range", f"pump flow range {x.pump_flow_range!r} must satisfy 0 <= min < 1 < max <= 3"
        )
    hours = x.operating_hours_per_year
    if not math.isfinite(hours) or not (0.0 <= hours <= 8784.0):
        raise DomainError("operating_hours_per_year", "operating hours per year must be within 0-8784")


def tube_velocity_limit(x: CwFlowInputs, model: CondenserModel, method: dict) -> float:
    """The erosion limit [m/s]: the caller's, else the tube material family's (unverified);
    checks the fouling limit below it."""
    family = material(model.tube_material)["family"]
    v_max = MAX_TUBE_VELOCITY_M_S.get(family, 8.0 * FT_M) if x.max_tube_velocity is None else x.max_tube_velocity
    if not math.isfinite(v_max) or v_max <= 0.0:
        raise DomainError("max_tube_velocity", f"maximum tube velocity {v_max!r} m/s must be positive")
    v_min = x.min_tube_velocity
    if not math.isfinite(v_min) or not (0.0 <= v_min < v_max):
        raise DomainError(
            "min_tube_velocity",
            Text(
                "minimum tube velocity {v} must be within 0..{v_max} (below the maximum)",
                v=("velocity", v_min, 3),
                v_max=("velocity", v_max, 3),
            ),
        )
    method["tube_velocity_limits"] = (
        f"max {v_max:.3g} m/s "
        f"({'caller' if x.max_tube_velocity is not None else family + ' default, unverified'}), "
        f"min {v_min:.3g} m/s (fouling, docs/methods.md §5.3)"
    )
    return v_max


def fan_grid(x: CwFlowInputs, method: dict) -> list[int]:
    """Fan counts evaluated: 1..installed on a tower, [0] once-through."""
    tower = x.tower
    if tower is None:
        if x.fans_on != 0:
            raise DomainError("fans_on", "fans_on must be 0 without a cooling tower (once-through)")
        return [0]
    if not isinstance(x.fans_on, int) or not (1 <= x.fans_on <= tower.fans_installed):
        raise DomainError("fans_on", f"fans on {x.fans_on!r} must be within 1..{tower.fans_installed}")
    method["tower"] = (
        "generic approach model a = a_d*(L/L_d)^%g*(fans_d/fans)^%g, min approach %.2f K "
        "(house choice, unverified)" % (tower.flow_exponent, tower.fan_exponent, tower.min_approach)
    )
    return list(range(1, tower.fans_installed + 1))


def system_curve(x: CwFlowInputs, pump: PumpCurve, n_design: int, method: dict) -> float:
    """System-curve coefficient k [m per (m³/s)²] of H = H_s + k·Q²: calibrated on the measured
    current flow, else from the rated point with the design pumps running."""
    if x.cw_flow is None:
        method["system_curve"] = f"k from the rated point with {n_design} pump(s) running"
        return (pump.rated_head - x.static_head) / (n_design * pump.rated_flow) ** 2
    if not math.isfinite(x.cw_flow) or x.cw_flow <= 0.0:
        raise DomainError("cw_flow", f"CW flow {x.cw_flow!r} m³/s must be positive")
    h_now = pump.head(x.cw_flow / x.pumps_running, x.speed)
    if h_now <= x.static_head:
        raise DomainError(
            "cw_flow",
            Text(
                f"the measured flow {{q}} is beyond what {x.pumps_running} pump(s) can deliver against the static head",
                q=("volumetric_flow", x.cw_flow, 6),
            ),
            "flow meter error, wrong pump data or static head",
        )
    method["system_curve"] = "k calibrated on the measured current flow"
    return (h_now - x.static_head) / x.cw_flow**2


def calibrate_tower(
    tower: CoolingTower | None, q_now: float, fans_on: int, cw_inlet_temp: float, method: dict
) -> tuple[CoolingTower | None, TowerCheck | None]:
    """The tower scaled to the measured approach now (its minimum approach never floors the
    other options above what the tower does now), and the check of model against measurement."""
    if tower is None:
        return None, None
    modelled = tower.approach(q_now, fans_on)
    measured = cw_inlet_temp - tower.wet_bulb
    if measured <= 0.0:
        raise DomainError(
            "cw_inlet_temp",
            "CW inlet temperature at or below the wet bulb: impossible for a cooling tower",
            "wet bulb or inlet temperature wrong, or °F/°C mix-up",
        )
    floor = min(tower.min_approach, measured)
    check = TowerCheck(measured, modelled, tower.min_approach, floor, measured / modelled)
    method["tower_calibration"] = (
        f"approach scaled by {measured / modelled:.4f} to the measured inlet temperature; the current "
        "option uses the measured inlet temperature; minimum approach floor "
        f"{floor:.3f} K = min(minimum approach, measured approach)"
    )
    return replace(tower, calibration=measured / modelled, min_approach=floor), check


class OptionEvaluator:
    """Evaluates one operating option (pumps, speed, fans) on the system curve, the tower and the
    vacuum chain; results are cached by option.

    Violations (option excluded): pumps cannot overcome static head, tube velocity above the
    erosion or below the fouling limit, pump outside its flow range, backpressure beyond the
    turbine curve or duty not rejectable. Active constraints (reported, option kept):
    "choke_point" (backpressure at or below P_choke, no further turbine gain),
    "tower_min_approach".
    """

    def __init__(
        self,
        model: CondenserModel,
        pump: PumpCurve,
        turbine: TurbineCurve,
        x: CwFlowInputs,
        k_sys: float,
        v_max: float,
        op: OperatingState,
        tower: CoolingTower | None,
        tower_check: TowerCheck | None,
        method: dict,
    ) -> None:
        self.model, self.pump, self.turbine, self.x = model, pump, turbine, x
        self.k_sys, self.v_max, self.op, self.tower, self.tower_check = k_sys, v_max, op, tower, tower_check
        self.method = method
        self.rho = liquid_properties(op.cw_inlet_temp, model.salinity).density
        self.current_key = (x.pumps_running, float(x.speed), x.fans_on)
        self.cache: dict = {}
        self.hei_basis: HeiBasis | None = None  #: of the current option (None: first principles)

    def _limits(self, n: int, spd: float, q: float, v: float, violations: list) -> float:
        """Pump power [W] and the pump-range and tube-velocity violations of a flowing option."""
        lo_q, hi_q = self.x.pump_flow_range
        q_pump = q / n
        pump_w = n * self.pump.power(q_pump, spd, self.rho)
        ratio = q_pump / (spd * self.pump.rated_flow)
        if not (lo_q <= ratio <= hi_q):
            violations.append(f"pump_flow_range: {ratio:.2f} x rated flow outside {lo_q:g}-{hi_q:g}")
        if v > self.v_max:
            violations.append(
                Text(
                    "tube_velocity_max: {v} above the erosion limit {limit}",
                    v=("velocity", v, 3),
                    limit=("velocity", self.v_max, 3),
                )
            )
        v_min = self.x.min_tube_velocity
        if v < v_min:
            violations.append(
                Text(
                    "tube_velocity_min: {v} below the fouling limit {limit}",
                    v=("velocity", v, 3),
                    limit=("velocity", v_min, 3),
                )
            )
        return pump_w

    def _inlet(self, key: tuple, q: float, fans: int, active: list) -> tuple[float, float | None]:
        """(CW inlet temperature [K], approach [K]) of a flowing option: measured now for the
        current option, else the calibrated tower model (floored at the minimum approach)."""
        t_in, tower = self.op.cw_inlet_temp, self.tower
        if self.tower_check is not None and key == self.current_key:
            return t_in, self.tower_check.measured_approach  # measured now: never re-modelled
        if tower is None:
            return t_in, None
        approach = tower.approach(q, fans)
        if approach < tower.min_approach:
            approach = tower.min_approach
            active.append("tower_min_approach")
        return (t_in if key == self.current_key else tower.wet_bulb + approach), approach

    def _backpressure(
        self, key: tuple, t_in: float, q: float, violations: list, active: list
    ) -> tuple[float | None, float | None]:
        """(backpressure [Pa], turbine output change [W]) of an option, None when not computable."""
        p_bp = out = None
        try:
            state = expected_backpressure(
                self.model, t_in, q, self.op.heat_duty, cleanliness_factor=self.op.cleanliness_factor
            )
            p_bp = state.backpressure
            if key == self.current_key:
                self.method.update({k: v for k, v in state.method.items() if k.startswith(("clean_u", "hei_"))})
                self.hei_basis = state.hei_basis
            out = self.turbine.output_change(p_bp)
        except CalculationError as exc:  # this option cannot be evaluated: record why, keep the others
            violations.append(prefixed(f"{exc.field}: ", exc.reason))
        if p_bp is not None and p_bp <= self.turbine.choke_pressure:
            active.append("choke_point")
        return p_bp, out

    def evaluate(self, n: int, spd: float, fans: int) -> dict:
        key = (n, spd, fans)
        if key in self.cache:
            return self.cache[key]
        violations: list = []
        active: list[str] = []
        q = operating_flow(self.pump, n, spd, self.x.static_head, self.k_sys)
        v = self.model.bundle.velocity(q) if q > 0.0 else 0.0
        t_in, approach, pump_w = self.op.cw_inlet_temp, None, 0.0
        if q <= 0.0:
            violations.append("static_head: pumps cannot overcome the static head")
        else:
            pump_w = self._limits(n, spd, q, v, violations)
            t_in, approach = self._inlet(key, q, fans, active)
        fan_w = fans * self.tower.fan_power if self.tower is not None else 0.0
        p_bp, out = self._backpressure(key, t_in, q, violations, active) if q > 0.0 else (None, None)
        res = {
            "n": n,
            "speed": spd,
            "fans": fans,
            "q": q,
            "v": v,
            "t_in": t_in,
            "approach": approach,
            "p": p_bp,
            "out": out,
            "pump_w": pump_w,
            "fan_w": fan_w,
            "violations": tuple(violations),
            "active": tuple(active),
        }
        self.cache[key] = res
        return res


def _to_option(r: dict, cur: dict) -> CwOption:
    """An evaluated option with its auxiliary power and its net benefit against the current one."""
    aux = r["pump_w"] + r["fan_w"]
    net = None
    if r["out"] is not None:
        net = (r["out"] - cur["out"]) - (aux - (cur["pump_w"] + cur["fan_w"]))
    return CwOption(
        r["n"],
        r["speed"],
        r["fans"],
        r["q"],
        r["v"],
        r["t_in"],
        r["approach"],
        r["p"],
        r["out"],
        r["pump_w"],
        r["fan_w"],
        aux,
        net,
        not r["violations"] and r["out"] is not None,
        r["violations"],
        r["active"],
    )


def choose_optimum(options: list[CwOption], current: CwOption, warnings: list) -> CwOption:
    """The feasible option with the largest net benefit (ties: lower auxiliary power, fewer
    pumps, lower speed, fewer fans); the current one when it is as good, or when nothing is
    feasible (warned)."""
    feasible = [o for o in options if o.feasible]
    if not feasible:
        warnings.append("no option meets all constraints: the current operation is kept")
        return current
    optimum = min(feasible, key=lambda o: (-o.net_benefit, o.aux_power, o.pumps_running, o.speed, o.fans_on))
    if current.feasible and current.net_benefit >= optimum.net_benefit:
        return current
    return optimum


def cw_actions(x: CwFlowInputs, optimum: CwOption, current: CwOption, net: float, price: float | None) -> list[Action]:
    """The pump/fan setting to change to, valued by its net gain (none when staying is best)."""
    if optimum is current or net <= 0.0:
        return []
    what = f"run {optimum.pumps_running} pump(s)"
    if x.vfd:
        what += f" at {100 * optimum.speed:.0f} % speed"
    if x.tower is not None:
        what += f" with {optimum.fans_on} fan(s)"
    return [
        Action(
            "set_cw_pumps_and_fans",
            Text(
                f"{what}: CW flow {{q}}, net gain {net / 1e6:.3f} MW after pump and fan power",
                q=("volumetric_flow", optimum.cw_flow, 6),
            ),
            net,
            usd_per_day(net, price) if price is not None else None,
            "cw_flow",
        )
    ]


def optimize_cooling_water_flow(
    model: CondenserModel,
    pump: PumpCurve,
    turbine: TurbineCurve,
    inputs: CwFlowInputs | None = None,
    /,
    **fields: Any,
) -> CwFlowResult:
    """Evaluate pump × speed × fan options and pick the one with the largest net benefit.

    .. math:: \\text{net} = \\Delta P_{gen} - \\Delta P_{aux}, \\qquad
              \\text{savings/h} = \\text{net}/10^6 \\cdot p

    Stages: :func:`option_grid` (:func:`speed_grid`, :func:`tube_velocity_limit`,
    :func:`fan_grid`, :func:`system_curve`),
    :func:`~condensync_tools.calculators.vacuum.resolve_operating_state`,
    :func:`calibrate_tower`, :class:`OptionEvaluator` (one option), :func:`current_option`,
    :func:`choose_optimum` and :func:`cw_actions`; this function combines them.

    Parameters
    ----------
    model : CondenserModel
        Condenser geometry and clean-U options.
    pump : PumpCurve
        One of the identical CW pumps.
    turbine : TurbineCurve
        Backpressure correction curve (no gain below the choke point).
    inputs : CwFlowInputs, optional
        The plant state and options (SI), documented on :class:`CwFlowInputs`;
        or its fields as keywords.

    Returns
    -------
    CwFlowResult

    Raises
    ------
    DomainError, OutOfRangeError
        Invalid counts, speeds, heads, temperatures; current option infeasible to evaluate.

    Violations and active constraints of an option: :class:`OptionEvaluator`; ties and the
    fallback to the current operation: :func:`choose_optimum`.

    References
    ----------
    docs/methods.md §5.3 (velocity), §6 (net benefit, affinity, tower, choke), pitfalls 14-15.
    """
    x = inputs if inputs is not None else CwFlowInputs(**fields)
    warnings: list = []
    method: dict = {
        "operating_point": "pump curve (affinity-scaled, parallel identical pumps) intersected with H = Hs + k*Q^2",
        "pump_curve": pump.source,
        "pump_efficiency": "eta = eta_r*(2x - x^2), x = q/(N*Q_r); rated point taken as best-efficiency "
        "point; eta_r = rho*g*Q_r*H_r/P_r (wire-to-water)",
        "backpressure": "vacuum chain at the current cleanliness (vacuum.expected_backpressure)",
        "net_benefit": "delta turbine output (curve, no gain below choke) - delta pump and fan power vs current",
    }
    method.update(turbine.method)
    price = check_price(x.power_price_usd_per_mwh)
    grid = option_grid(x, model, pump, method)
    op = resolve_operating_state(
        model,
        cw_inlet_temp=x.cw_inlet_temp,
        cw_flow=grid.current_flow if x.cw_flow is None else x.cw_flow,
        heat_duty=x.heat_duty,
        steam_flow=x.steam_flow,
        cw_outlet_temp=x.cw_outlet_temp,
        condenser_pressure=x.condenser_pressure,
        cleanliness_factor=x.cleanliness_factor,
        target_cleanliness=x.target_cleanliness,
    )
    warnings.extend(op.warnings)
    method.update(op.method)
    tower, tower_check = calibrate_tower(x.tower, grid.current_flow, x.fans_on, op.cw_inlet_temp, method)
    evaluator = OptionEvaluator(model, pump, turbine, x, grid.k_system, grid.v_max, op, tower, tower_check, method)
    cur = current_option(evaluator, x, warnings)
    options = [
        _to_option(evaluator.evaluate(n, s, f), cur)
        for n in range(1, x.pumps_installed + 1)
        for s in grid.speeds
        for f in grid.fan_counts
    ]
    current = _to_option(cur, cur)
    optimum = choose_optimum(options, current, warnings)
    return _cw_flow_result(x, (options, current, optimum), price, method, warnings, tower_check, evaluator.hei_basis)


def _cw_flow_result(
    x: CwFlowInputs,
    choice: tuple[list[CwOption], CwOption, CwOption],
    price: float | None,
    method: dict,
    warnings: list,
    tower_check: TowerCheck | None,
    hei_basis: HeiBasis | None,
) -> CwFlowResult:
    """The :class:`CwFlowResult` of ``choice`` = (options, current, optimum): net benefit of the
    optimum vs the current option, its value at ``price`` and the actions (:func:`cw_actions`)."""
    options, current, optimum = choice
    net = optimum.net_benefit if optimum.net_benefit is not None else 0.0
    return CwFlowResult(
        options=options,
        current=current,
        optimum=optimum,
        optimal_cw_flow=optimum.cw_flow,
        net_benefit=net,
        expected_savings_usd_per_hour=usd_per_hour(net, price) if price is not None else None,
        expected_savings_usd_per_year=(
            usd_per_year(net, price, x.operating_hours_per_year) if price is not None else None
        ),
        active_constraints=optimum.active_constraints,
        recommendations=cw_actions(x, optimum, current, net, price),
        method=method,
        warnings=warnings,
        tower_check=tower_check,
        hei_basis=hei_basis,
    )


@dataclass(frozen=True, slots=True)
class OptionGrid:
    """The checked option grid and system of :func:`optimize_cooling_water_flow` (SI)."""

    speeds: list  #: relative pump speeds evaluated [-]
    fan_counts: list  #: tower fan counts evaluated ([0] once-through)
    v_max: float  #: tube erosion limit [m/s]
    k_system: float  #: system curve H = H_s + k·Q² [m per (m³/s)²]
    current_flow: float  #: operating flow of the current option on the system curve [m³/s]


def option_grid(x: CwFlowInputs, model: CondenserModel, pump: PumpCurve, method: dict) -> OptionGrid:
    """Check the counts and ranges and build the grid: :func:`speed_grid`,
    :func:`tube_velocity_limit`, :func:`fan_grid`, :func:`system_curve` and the current
    operating flow (refused when the current pumps cannot overcome the static head)."""
    n_design = _check_pump_counts(x, pump)
    speeds = speed_grid(x, method)
    _check_ranges(x)
    v_max = tube_velocity_limit(x, model, method)
    fan_counts = fan_grid(x, method)
    k_sys = system_curve(x, pump, n_design, method)
    q_now = operating_flow(pump, x.pumps_running, x.speed, x.static_head, k_sys)
    if q_now <= 0.0:
        raise DomainError("static_head", "the current pumps cannot overcome the static head")
    return OptionGrid(speeds, fan_counts, v_max, k_sys, q_now)


def current_option(evaluator: OptionEvaluator, x: CwFlowInputs, warnings: list) -> dict:
    """The evaluated current option (refused when it cannot be evaluated); each limit it
    violates is warned."""
    cur = evaluator.evaluate(x.pumps_running, float(x.speed), x.fans_on)
    if cur["out"] is None:
        raise DomainError("cw_flow", joined("the current operation cannot be evaluated: ", cur["violations"]))
    for vtxt in cur["violations"]:
        warnings.append(prefixed("current operation violates a limit: ", vtxt))
    return cur
