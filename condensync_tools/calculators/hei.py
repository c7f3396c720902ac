# SPDX-License-Identifier: MIT
"""HEI clean overall heat-transfer coefficient, U = C1·√V·Fw·Fm (·Fc).

.. math:: U = C_1 \\sqrt{V} F_w F_m F_c

U on the tube outside surface [Btu/(h·ft²·°F)] with V the mean tube water velocity [ft/s].
C1 and Fm are edition-tagged data (``data/hei_c1.json``, ``data/hei_fm_older.json``). No HEI
Fw table of any edition is public, so Fw is either supplied by the caller (from a licensed
table) or *derived* here from the first-principles model as the ratio of clean U at the
actual inlet temperature to clean U at 70 °F (HEI's reference, Fw = 1) — and labelled so.
Likewise Fm for materials/gauges absent from the public older table is derived as the
ratio of first-principles clean U with this wall to that with 18 BWG admiralty (Fm = 1).

References
----------
Heat Exchange Institute, *Standards for Steam Surface Condensers*, 9th ed. (1995) and 10th
ed. (2006): C1 by tube OD; older (6th/7th) edition Fm table (public transcription).
TIMET CODEWELD, *Heat transfer in surface condensers* (form U = C·√v·Ft·Fm·Fc; design
Fc 0.85 copper alloys, 0.90 titanium and stainless).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from .constants import BTU_H_FT2_F_W_M2_K, FT_M, INCH_M
from .errors import OutOfRangeError
from .tubes import load_data, material

__all__ = ["C1_EDITIONS", "HEI_VELOCITY_RANGE_FT_S", "c1", "c1_lookup", "u1_from_c1", "C1_OD_TOLERANCE_IN", "fm_table", "u1", "design_cleanliness_default",
           "HeiFactor"]

#: HEI velocity validity range (physics.md §1.1, unverified: warn outside, never clamp) [ft/s].
HEI_VELOCITY_RANGE_FT_S = (3.0, 12.0)
C1_EDITIONS = ("hei_9th_10th", "hei_8th_and_earlier")


@dataclass(frozen=True, slots=True)
class HeiFactor:
    """A correction factor with where it came from."""

    value: float
    basis: str  #: "table", "caller", "derived"
    detail: str  #: edition/table id, or how it was derived


#: Largest distance [in] from a tabulated OD at which that OD's C1 is used for a non-standard
#: (e.g. metric) tube: 1/16 in, half the step between HEI OD groups.
C1_OD_TOLERANCE_IN = 1.0 / 16.0


@lru_cache(maxsize=256)  # pure look-up in constant tables; a plant has a handful of tube ODs
def c1_lookup(od_m: float, edition: str = "hei_9th_10th") -> tuple[float, str]:
    """HEI C1 and how it was chosen: the tabulated OD (exact), or — for a tube within 1/16 in of
    a tabulated OD, e.g. a 25 mm metric tube — that nearest OD's group, labelled as such."""
    data = load_data("hei_c1.json")["editions"]
    if edition not in data:
        raise OutOfRangeError("hei_edition", f"unknown HEI C1 edition {edition!r}; expected one of "
                              f"{sorted(data)}")
    od_in = od_m / INCH_M
    pairs = sorted((abs(od - od_in), od, float(group["c1"])) for group in data[edition]["groups"]
                   for od in group["od_in"])
    distance, nearest, value = pairs[0]
    if distance < 1e-3:
        return value, f"C1 {value:g} for {nearest:g} in OD ({edition})"
    if distance <= C1_OD_TOLERANCE_IN:
        return value, (f"C1 {value:g} of the nearest tabulated OD {nearest:g} in for a {od_in:.4g} in "
                       f"({od_m * 1000:.4g} mm) tube ({edition}; not an HEI tabulated OD)")
    tabulated = sorted(od for _, od, _ in pairs)
    raise OutOfRangeError("tube_od", f"{od_in:.4g} in ({od_m * 1000:.4g} mm) is not within 1/16 in of an HEI tube "
                          f"OD for {edition} ({', '.join(f'{o:g}' for o in tabulated)} in)")


def c1(od_m: float, edition: str = "hei_9th_10th") -> float:
    """HEI constant C1 [Btu/(h·ft²·°F)/(ft/s)^0.5] for a tube OD [m] and C1 edition (see
    :func:`c1_lookup` for non-standard ODs)."""
    return c1_lookup(od_m, edition)[0]


def u1(velocity_m_s: float, od_m: float, edition: str = "hei_9th_10th") -> float:
    """Uncorrected HEI coefficient U1 = C1·√V, returned in W/(m²·K).

    >>> round(u1(7.0 * 0.3048, 0.0254) / 5.678263, 1)   # HT-05: 263·√7 = 695.8 Btu/(h·ft²·°F)
    695.8
    """
    return u1_from_c1(c1(od_m, edition), velocity_m_s)


def u1_from_c1(c1_value: float, velocity_m_s: float) -> float:
    """U1 = C1·√V [W/(m²·K)] for a C1 in HEI units and a velocity [m/s]."""
    return c1_value * math.sqrt(velocity_m_s / FT_M) * BTU_H_FT2_F_W_M2_K


@lru_cache(maxsize=256)  # pure look-up in a constant table (HeiFactor is immutable)
def fm_table(material_key: str, gauge_bwg: int) -> HeiFactor | None:
    """Fm from the public older-edition table, or None when the table has no value
    (material absent, gauge outside 12-24 BWG or not an even gauge, titanium below 18 BWG)."""
    table = load_data("hei_fm_older.json")
    row_key = material(material_key)["fm_row"]
    if row_key is None:
        return None
    gauges = table["gauges_bwg"]
    if gauge_bwg not in gauges:
        return None
    value = table["rows"][row_key][gauges.index(gauge_bwg)]
    if value is None:
        return None
    return HeiFactor(float(value), "table", table["edition"])


def design_cleanliness_default(material_key: str) -> float:
    """Design cleanliness factor Fc: 0.85 copper alloys (and others), 0.90 titanium and
    stainless (TIMET CODEWELD; physics.md §1.1)."""
    return 0.90 if material(material_key)["family"] in ("titanium", "stainless") else 0.85
