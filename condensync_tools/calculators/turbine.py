# SPDX-License-Identifier: MIT
"""Turbine exhaust-pressure (backpressure) correction curve, clamped at the choke point.

The curve is a table of (backpressure, output change) relative to the output at the design
backpressure, interpolated piecewise-linearly. Below the choke pressure the exhaust annulus
is choked and a lower backpressure gains nothing, so the curve is flat there:

.. math::
    \\Delta P_{gen}(p) = \\mathrm{interp}\\big(\\max(p, p_{choke});\\ p_i, \\Delta_i\\big),
    \\qquad \\mathrm{lost}(p, p_{ref}) = \\Delta P_{gen}(p_{ref}) - \\Delta P_{gen}(p)

Output changes are either fractions of the rated output (``kind="fraction"``) or powers in
W (``kind="power"``). Above the choke the tabulated output must not rise with backpressure
(a physically monotone curve); points above the last table entry are refused, not
extrapolated.

References
----------
Spencer, Cotton, Cannon, "A method for predicting the performance of steam turbine-
generators" and the exhaust-pressure correction method of "Effect of Exhaust Pressure on the
Economy of Condensing Turbines", ASME J. Fluids Eng. 76(3):445.
Putman, R.E., Harpster, J.W. (2000), IJPGC2000-15033 (choke point; no gain below it).
docs/methods.md §6 and pitfall 15.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from .constants import INHG_PA
from .errors import DomainError, OutOfRangeError
from .messages import Text
from .tubes import load_data

__all__ = ["TurbineCurve", "turbine_curve", "generic_curve", "GENERIC_CURVE_FILE"]

GENERIC_CURVE_FILE = "turbine_generic_curve.json"
_KINDS = ("fraction", "power")


@dataclass(frozen=True, slots=True)
class TurbineCurve:
    """A validated backpressure correction curve (SI). Build it with :func:`turbine_curve`
    or :func:`generic_curve`.

    Attributes
    ----------
    pressures : tuple of float
        Backpressures, strictly increasing [Pa].
    output_change_w : tuple of float
        Output change relative to the design backpressure at each pressure [W].
    choke_pressure : float
        Choke point [Pa]; no output gain below it.
    rated_output : float
        Rated gross output [W] (0 when the table is in W and no rating was given).
    design_pressure : float
        Design backpressure [Pa] (where the change is 0), or 0 if not stated.
    method : dict
        Curve id, kind and source ("generic" for the built-in illustrative curve).
    """

    pressures: tuple[float, ...]
    output_change_w: tuple[float, ...]
    choke_pressure: float
    rated_output: float
    design_pressure: float = 0.0
    method: dict = field(default_factory=dict)

    @property
    def max_pressure(self) -> float:
        """Highest tabulated backpressure [Pa]; the curve refuses points above it."""
        return self.pressures[-1]

    def output_change(self, pressure: float) -> float:
        """Output change relative to the design backpressure [W] at a backpressure [Pa].

        .. math:: \\Delta P_{gen}(p) = \\mathrm{interp}(\\max(p, p_{choke}))

        Parameters
        ----------
        pressure : float
            Absolute condenser (exhaust) pressure [Pa].

        Returns
        -------
        float
            Output change [W]; constant for every pressure at or below the choke point.

        Raises
        ------
        DomainError
            Pressure not a positive finite number (field ``condenser_pressure``).
        OutOfRangeError
            Pressure above the last tabulated point (field ``condenser_pressure``).

        References
        ----------
        docs/methods.md §6 and pitfall 15 (clamp at the choke point).
        """
        if not math.isfinite(pressure) or pressure <= 0.0:
            raise DomainError(
                "condenser_pressure",
                f"backpressure {pressure!r} Pa must be a positive absolute pressure",
                "gauge vacuum entered instead of absolute pressure",
            )
        if pressure > self.pressures[-1] * (1.0 + 1e-12):
            raise OutOfRangeError(
                "condenser_pressure",
                Text(
                    "backpressure {p} is above the turbine correction curve ({top} max); not extrapolated",
                    p=("pressure", pressure, 4),
                    top=("pressure", self.pressures[-1], 4),
                ),
                "unit near its exhaust-pressure alarm/trip, or pressure in the wrong unit",
            )
        p = max(pressure, self.choke_pressure)
        xs, ys = self.pressures, self.output_change_w
        i = bisect.bisect_right(xs, p)
        if i >= len(xs):
            return ys[-1]
        if i == 0:
            return ys[0]
        x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
        return y0 + (y1 - y0) * (p - x0) / (x1 - x0)

    def lost_output(self, p_actual: float, p_reference: float) -> float:
        """Output lost by running at ``p_actual`` instead of ``p_reference`` [W].

        .. math:: \\mathrm{lost} = \\Delta P_{gen}(p_{ref}) - \\Delta P_{gen}(p_{actual})

        Positive when the actual backpressure is worse (higher) than the reference; zero
        when both lie at or below the choke point.

        Parameters
        ----------
        p_actual, p_reference : float
            Absolute backpressures [Pa].

        References
        ----------
        Putman & Harpster (2000), IJPGC2000-15033 (no gain below the choke point).
        """
        return self.output_change(p_reference) - self.output_change(p_actual)

    def output_change_fraction(self, pressure: float) -> float:
        """Output change as a fraction of rated output [-] (needs a rated output)."""
        if self.rated_output <= 0.0:
            raise DomainError("rated_output", "no rated output: the fraction of rated output is undefined")
        return self.output_change(pressure) / self.rated_output


def turbine_curve(
    pressures: Sequence[float],
    output_change: Sequence[float],
    choke_pressure: float,
    rated_output: float = 0.0,
    kind: str = "fraction",
    design_pressure: float = 0.0,
    curve_id: str = "caller",
    source: str = "supplied by the caller",
) -> TurbineCurve:
    """Validate a tabulated backpressure correction curve and build a :class:`TurbineCurve`.

    .. math::
        p_1 < p_2 < \\dots < p_n, \\quad p_1 \\le p_{choke} \\le p_n, \\quad
        \\Delta_{i+1} \\le \\Delta_i \\ \\text{for}\\ p_i \\ge p_{choke}, \\quad
        \\Delta P_{gen,i} = \\Delta_i \\cdot P_{rated}\\ (\\text{fraction})

    Parameters
    ----------
    pressures : sequence of float
        Backpressures, strictly increasing, at least two [Pa].
    output_change : sequence of float
        Output change relative to the design backpressure, same length: fractions of rated
        output [-] (``kind="fraction"``) or powers [W] (``kind="power"``).
    choke_pressure : float
        Choke point, inside the tabulated range [Pa].
    rated_output : float
        Rated gross output [W]; required (> 0) when ``kind="fraction"``.
    kind : {"fraction", "power"}
        Meaning of ``output_change``.
    design_pressure : float
        Design backpressure [Pa] (informational; 0 = not stated).
    curve_id, source : str
        Identification recorded in ``method``.

    Returns
    -------
    TurbineCurve

    Raises
    ------
    DomainError
        Fewer than two points, lengths differ, non-finite values, pressures not strictly
        increasing or not positive, choke outside the table, output rising with backpressure
        above the choke, missing rated output.

    Notes
    -----
    The curve is unit-specific input (turbine OEM correction curves); never one global linear
    slope (docs/methods.md §6).

    References
    ----------
    ASME J. Fluids Eng. 76(3):445, exhaust-pressure correction curves (unit-specific).
    docs/methods.md §6, pitfall 15.
    """
    if kind not in _KINDS:
        raise DomainError("turbine_curve", f"kind {kind!r} must be one of {_KINDS}")
    ps, vs = _checked_points(pressures, output_change)
    _check_choke(ps, choke_pressure)
    scale = _output_scale(kind, rated_output)
    values = [v * scale for v in vs]
    _check_falls_above_choke(ps, values, choke_pressure)
    method = {
        "turbine_curve": curve_id,
        "turbine_curve_kind": kind,
        "turbine_curve_source": source,
        "turbine_choke": "clamped: no output gain below the choke point (docs/methods.md §6, pitfall 15)",
    }
    return TurbineCurve(
        tuple(ps), tuple(values), float(choke_pressure), float(rated_output), float(design_pressure), method
    )


def _checked_points(pressures: Sequence[float], output_change: Sequence[float]) -> tuple[list[float], list[float]]:
    """(pressures [Pa], output changes) as floats: at least two, equal lengths, finite,
    pressures positive and strictly increasing."""
    ps = [float(p) for p in pressures]
    vs = [float(v) for v in output_change]
    if len(ps) < 2 or len(ps) != len(vs):
        raise DomainError(
            "turbine_curve",
            f"need at least two (pressure, output change) points of equal length, "
            f"got {len(ps)} pressures and {len(vs)} values",
        )
    if not all(math.isfinite(v) for v in ps + vs):
        raise DomainError("turbine_curve", "curve points must be finite numbers")
    if ps[0] <= 0.0:
        raise DomainError(
            "turbine_curve",
            "backpressures must be positive absolute pressures",
            "gauge vacuum entered instead of absolute pressure",
        )
    if any(b <= a for a, b in zip(ps, ps[1:], strict=False)):
        raise DomainError("turbine_curve", "backpressures must be strictly increasing")
    return ps, vs


def _check_choke(ps: list[float], choke_pressure: float) -> None:
    """Refuse a choke point [Pa] outside the tabulated pressures."""
    if not math.isfinite(choke_pressure) or not (ps[0] <= choke_pressure <= ps[-1]):
        raise DomainError(
            "choke_pressure",
            Text(
                "choke point {p} must lie inside the curve range {lo}-{hi}",
                p=("pressure", choke_pressure, 4),
                lo=("pressure", ps[0], 4),
                hi=("pressure", ps[-1], 4),
            ),
            "choke point in the wrong unit",
        )


def _output_scale(kind: str, rated_output: float) -> float:
    """Factor from the tabulated output change to W: the rated output [W] for fractions
    (required, > 0), 1 for powers (rated output then only checked >= 0)."""
    if kind == "fraction":
        if not math.isfinite(rated_output) or rated_output <= 0.0:
            raise DomainError(
                "rated_output",
                f"rated output {rated_output!r} W must be positive to use a curve in fractions of rated output",
            )
        return rated_output
    if not math.isfinite(rated_output) or rated_output < 0.0:
        raise DomainError("rated_output", f"rated output {rated_output!r} W must be >= 0")
    return 1.0


def _check_falls_above_choke(ps: list[float], values: list[float], choke_pressure: float) -> None:
    """Refuse output [W] rising with backpressure [Pa] at or above the choke point (relative
    tolerance 1e-12)."""
    above = [(p, v) for p, v in zip(ps, values, strict=True) if p >= choke_pressure]
    for (p0, v0), (p1, v1) in zip(above, above[1:], strict=False):
        if v1 > v0 + 1e-12 * max(1.0, abs(v0)):
            raise DomainError(
                "turbine_curve",
                Text(
                    "output rises with backpressure between {p0} and {p1}; above the choke point more "
                    "backpressure never gains output",
                    p0=("pressure", p0, 4),
                    p1=("pressure", p1, 4),
                ),
                "sign convention reversed (loss entered as positive) or points out of order",
            )


def generic_curve(rated_output: float) -> TurbineCurve:
    """The built-in GENERIC, illustrative correction curve scaled to a rated output.

    .. math:: \\Delta P_{gen}(p) = f_{generic}(p) \\cdot P_{rated}

    About 1 % of rated output per inHg around a 2.0 inHgA design point, flattening to a
    choke at 1.2 inHgA and steepening to about 2 %/inHg at 5-6 inHgA
    (``data/turbine_generic_curve.json``).

    Parameters
    ----------
    rated_output : float
        Rated gross output [W].

    Returns
    -------
    TurbineCurve
        With ``method["turbine_curve"]`` marked ``generic``.

    Notes
    -----
    Not a manufacturer's curve: shape from docs/methods.md §6, Putman & Harpster (2000)
    (qualitative) and the Pattanayak et al. (2019) data point (≈ 2.1 %/inHg heat rate).
    Replace it with the unit's own curve whenever it is known.

    References
    ----------
    Putman & Harpster (2000), IJPGC2000-15033 (qualitative shape).
    Pattanayak, Padhi, Kodamasingh (2019), Case Stud. Therm. Eng. 14, 100484.
    docs/methods.md §6.
    """
    data = load_data(GENERIC_CURVE_FILE)
    pts = data["points"]
    curve = turbine_curve(
        [p * INHG_PA for p, _ in pts],
        [v for _, v in pts],
        data["choke_backpressure_inhga"] * INHG_PA,
        rated_output,
        "fraction",
        data["design_backpressure_inhga"] * INHG_PA,
        f"generic: {data['curve_id']}",
        "generic illustrative curve, NOT a manufacturer's curve (data/turbine_generic_curve.json)",
    )
    return curve
