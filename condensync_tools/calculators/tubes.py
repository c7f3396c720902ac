# SPDX-License-Identifier: MIT
"""Condenser tube geometry: BWG wall thickness, inside diameter, areas, velocity.

Data files (``data/bwg.json``, ``data/tube_materials.json``) carry their source.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from .constants import INCH_M
from .errors import DomainError, OutOfRangeError

__all__ = ["TubeBundle", "wall_thickness", "gauge_of_wall", "material", "materials", "tube_bundle", "load_data"]


@cache
def load_data(name: str) -> dict:
    """Load one of the calculator data files (JSON, tagged with its source)."""
    return json.loads(resources.files(__package__).joinpath("data", name).read_text("utf-8"))


def wall_thickness(gauge_bwg: int) -> float:
    """Tube wall thickness [m] for a Birmingham Wire Gauge number (10-28 BWG)."""
    table = load_data("bwg.json")["thickness_in"]
    try:
        return table[str(int(gauge_bwg))] * INCH_M
    except KeyError:
        raise OutOfRangeError("tube_gauge_bwg", f"BWG {gauge_bwg} is not tabulated (10-28 BWG available)") from None


@lru_cache(maxsize=256)  # pure inverse look-up in the constant BWG table
def gauge_of_wall(wall_m: float) -> int:
    """BWG number whose tabulated wall thickness equals ``wall_m`` [m] (inverse of
    :func:`wall_thickness`)."""
    for gauge, t_in in load_data("bwg.json")["thickness_in"].items():
        if abs(t_in * INCH_M - wall_m) < 1e-9:
            return int(gauge)
    raise OutOfRangeError("tube_gauge_bwg", f"wall {wall_m / INCH_M:.4f} in matches no BWG gauge")


def materials() -> dict[str, dict]:
    """All tube materials: key → {label, family, conductivity [W/(m·K)], fm_row}."""
    return load_data("tube_materials.json")["materials"]


def material(key: str) -> dict:
    """One tube material record (see :func:`materials`)."""
    try:
        return materials()[key]
    except KeyError:
        raise OutOfRangeError(
            "tube_material", f"unknown tube material {key!r}; expected one of {sorted(materials())}"
        ) from None


@dataclass(frozen=True, slots=True)
class TubeBundle:
    """Active tube bundle geometry (SI).

    Attributes are derived once from tube OD, gauge, counts and effective length.
    """

    od: float  #: outside diameter [m]
    wall: float  #: wall thickness [m]
    active_tubes: int  #: installed minus plugged tubes [-]
    passes: int  #: number of water passes [-]
    length: float  #: effective tube length between tubesheets, per pass [m]

    @property
    def id(self) -> float:
        """Inside diameter D_i = D_o − 2·t [m]."""
        return self.od - 2.0 * self.wall

    @property
    def tubes_per_pass(self) -> float:
        """Active tubes in each pass [-]."""
        return self.active_tubes / self.passes

    @property
    def flow_area(self) -> float:
        """Water flow area of one pass, (N/passes)·π·D_i²/4 [m²]."""
        return self.tubes_per_pass * math.pi * self.id**2 / 4.0

    @property
    def outside_area(self) -> float:
        """Effective outside surface N_active·π·D_o·L_eff [m²] (docs/methods.md §3, pitfall 5)."""
        return self.active_tubes * math.pi * self.od * self.length

    def velocity(self, volumetric_flow: float) -> float:
        """Mean tube velocity V = Q_vol / flow area [m/s] for a volumetric flow [m³/s]."""
        return volumetric_flow / self.flow_area


def tube_bundle(
    od: float, gauge_bwg: int, tube_count: int, plugged_tubes: int = 0, passes: int = 1, length: float = 0.0
) -> TubeBundle:
    """Build a :class:`TubeBundle`, checking the geometry is physically possible."""
    wall = wall_thickness(gauge_bwg)
    if plugged_tubes < 0:
        raise DomainError("plugged_tubes", f"{plugged_tubes} plugged tubes: a count cannot be negative")
    if length < 0.0:
        raise DomainError("tube_length", "effective tube length cannot be negative")
    if od <= 2.0 * wall:
        raise DomainError(
            "tube_od",
            f"OD {od / INCH_M:.4g} in is not larger than twice the {gauge_bwg} BWG wall ({wall / INCH_M:.3f} in)",
            "tube OD entered in the wrong unit",
        )
    active = tube_count - plugged_tubes
    if active <= 0:
        raise DomainError("plugged_tubes", f"{plugged_tubes} plugged of {tube_count} installed leaves no active tubes")
    if passes < 1:
        raise DomainError("tube_passes", "at least one water pass is needed")
    return TubeBundle(od=od, wall=wall, active_tubes=active, passes=passes, length=length)
