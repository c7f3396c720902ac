# SPDX-License-Identifier: MIT
"""HEI clean overall heat-transfer coefficient, U = C1·√V·Fw·Fm (·Fc).

.. math:: U = C_1 \\sqrt{V} F_w F_m F_c

U on the tube outside surface [Btu/(h·ft²·°F)] with V the mean tube water velocity [ft/s].
C1 and Fm are edition-tagged data (``data/hei_c1.json``, ``data/hei_fm_older.json``). No HEI
Fw table of any edition is public, so Fw is either supplied by the caller (from a licensed
table) or *derived* here from the first-principles model as the ratio of clean U at the
actual inlet temperature to clean U at 70 °F (HEI's reference, Fw = 1) — and labelled so.
Fm for a gauge the public older table lacks is *derived* (:func:`fm_factor`): anchored to the
tabulated gauges of the same material row and scaled by a first-principles wall-and-water-side
resistance factor, so that it is continuous at the table edge and never rises with wall
thickness; materials without a row are scaled from 18 BWG admiralty (Fm = 1.00).

References
----------
Heat Exchange Institute, *Standards for Steam Surface Condensers*, 9th ed. (1995) and 10th
ed. (2006): C1 by tube OD; older (6th/7th) edition Fm table (public transcription).
TIMET CODEWELD, *Heat transfer in surface condensers* (form U = C·√v·Ft·Fm·Fc; design
Fc 0.85 copper alloys, 0.90 titanium and stainless).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum
from functools import lru_cache
from typing import NamedTuple

from . import portable_math as pm
from .constants import BTU_H_FT2_F_W_M2_K, FT_M, INCH_M, REFERENCE_INLET_TEMP_K
from .errors import OutOfRangeError
from .first_principles import tube_resistance, tube_side_coefficient, wall_resistance
from .messages import Text
from .tubes import load_data, material, wall_thickness

__all__ = [
    "C1_EDITIONS",
    "HEI_VELOCITY_RANGE_FT_S",
    "c1",
    "c1_lookup",
    "u1_from_c1",
    "C1_OD_TOLERANCE_IN",
    "fm_table",
    "u1",
    "design_cleanliness_default",
    "HeiFactor",
    "FactorBasis",
    "C1Lookup",
    "HeiBasis",
    "HeiCaveat",
    "hei_basis_warnings",
    "hei_caveat_text",
    "fm_factor",
    "fm_wall_factor",
    "FM_REFERENCE_VELOCITY_FT_S",
]

#: HEI velocity validity range (docs/methods.md §10.3; unverified: warn outside, never clamp) [ft/s].
HEI_VELOCITY_RANGE_FT_S = (3.0, 12.0)
C1_EDITIONS = ("hei_9th_10th", "hei_8th_and_earlier")


class FactorBasis(StrEnum):
    """Where an HEI correction factor came from (its value is the word in provenance.method)."""

    CALLER = "caller"  #: supplied by the caller (from a licensed table)
    #: Fw: the HEI reference condition (Fw = 1.00 at 70 °F); Fm: the public older-edition table
    TABLE = "table"
    DERIVED = "derived"  #: derived from first principles (Fw) or from the older-edition table (Fm)


@dataclass(frozen=True, slots=True)
class HeiFactor:
    """A correction factor with where it came from."""

    value: float
    basis: FactorBasis
    detail: str  #: edition/table id, or how it was derived


class C1Lookup(NamedTuple):
    """HEI C1 with how it was chosen (:func:`c1_lookup`)."""

    value: float  #: [Btu/(h·ft²·°F)/(ft/s)^0.5]
    note: str  #: for provenance.method.clean_u
    at_tabulated_od: bool  #: False: the C1 of the nearest tabulated OD (within 1/16 in)


@dataclass(frozen=True, slots=True)
class HeiBasis:
    """Where the factors of an HEI clean U came from: the typed fields behind its warnings."""

    fw: FactorBasis | None  #: None: not one basis (a history: derived per row, 1.00 at 70 °F)
    fm: FactorBasis
    c1_at_tabulated_od: bool = True


class HeiCaveat(Enum):
    """The caveats :func:`hei_basis_warnings` can state about an HEI clean U."""

    TITANIUM_FM_OLDER_EDITION = "titanium_fm_older_edition"
    C1_NEAREST_OD = "c1_nearest_od"
    FM_DERIVED = "fm_derived"
    FW_DERIVED = "fw_derived"


_ALL_CAVEATS = frozenset(HeiCaveat)
_CAVEAT_TEXT = {
    HeiCaveat.TITANIUM_FM_OLDER_EDITION: "Fm for titanium comes from the older HEI edition ('tentative' there); "
    "9th/10th-edition values differ: pass hei_fm from a licensed table for an HEI-grade result",
    HeiCaveat.C1_NEAREST_OD: "tube OD is not an HEI tabulated OD: the C1 of the nearest tabulated OD is used (see "
    "provenance.method.clean_u)",
    HeiCaveat.FM_DERIVED: "HEI Fm is derived (this material/gauge is not in the public HEI table; see "
    "provenance.method.hei_fm): pass hei_fm from a licensed table for an HEI-grade result",
    HeiCaveat.FW_DERIVED: "HEI Fw is derived from first principles (no public HEI Fw table): pass hei_fw from a "
    "licensed table for an HEI-grade result",
}


def hei_basis_warnings(
    basis: HeiBasis | None, tube_material: str, caveats: frozenset[HeiCaveat] | set[HeiCaveat] = _ALL_CAVEATS
) -> list[str]:
    """The warnings an HEI clean U of ``basis`` calls for (none for first principles, ``None``),
    in this order, limited to ``caveats``:

    * Fm from the older-edition table for titanium ('tentative' there; docs/methods.md §10.3);
    * C1 of the nearest tabulated OD for a tube OD HEI does not tabulate;
    * Fm derived (material/gauge not in the public table);
    * Fw derived from first principles (no public HEI Fw table).
    """
    if basis is None:
        return []
    stated = (  # in the order of HeiCaveat
        (HeiCaveat.TITANIUM_FM_OLDER_EDITION, basis.fm is FactorBasis.TABLE and tube_material == "titanium"),
        (HeiCaveat.C1_NEAREST_OD, not basis.c1_at_tabulated_od),
        (HeiCaveat.FM_DERIVED, basis.fm is FactorBasis.DERIVED),
        (HeiCaveat.FW_DERIVED, basis.fw is FactorBasis.DERIVED),
    )
    return [_CAVEAT_TEXT[c] for c, applies in stated if applies and (caveats is _ALL_CAVEATS or c in caveats)]


def hei_caveat_text(caveat: HeiCaveat) -> str:
    """The words :func:`hei_basis_warnings` states ``caveat`` in (for a combined output that
    states a caveat once)."""
    return _CAVEAT_TEXT[caveat]


#: Largest distance [in] from a tabulated OD at which that OD's C1 is used for a non-standard
#: (e.g. metric) tube: 1/16 in, half the step between HEI OD groups.
C1_OD_TOLERANCE_IN = 1.0 / 16.0


@lru_cache(maxsize=256)  # pure look-up in constant tables; a plant has a handful of tube ODs
def c1_lookup(od_m: float, edition: str = "hei_9th_10th") -> C1Lookup:
    """HEI C1 and how it was chosen: the tabulated OD (exact), or — for a tube within 1/16 in of
    a tabulated OD, e.g. a 25 mm metric tube — that nearest OD's group, labelled as such."""
    data = load_data("hei_c1.json")["editions"]
    if edition not in data:
        raise OutOfRangeError("hei_edition", f"unknown HEI C1 edition {edition!r}; expected one of {sorted(data)}")
    od_in = od_m / INCH_M
    pairs = sorted(
        (abs(od - od_in), od, float(group["c1"])) for group in data[edition]["groups"] for od in group["od_in"]
    )
    distance, nearest, value = pairs[0]
    if distance < 1e-3:
        return C1Lookup(value, f"C1 {value:g} for {nearest:g} in OD ({edition})", True)
    if distance <= C1_OD_TOLERANCE_IN:
        note = (
            f"C1 {value:g} of the nearest tabulated OD {nearest:g} in for a {od_in:.4g} in "
            f"({od_m * 1000:.4g} mm) tube ({edition}; not an HEI tabulated OD)"
        )
        return C1Lookup(value, note, False)
    tabulated = sorted(od for _, od, _ in pairs)
    raise OutOfRangeError(
        "tube_od",
        Text(
            "{od} is not within {tol} of an HEI tube OD for "
            + edition
            + " ("
            + ", ".join("{od%d}" % i for i in range(len(tabulated)))
            + ")",
            od=("tube_diameter", od_m, 4),
            tol=("tube_diameter", C1_OD_TOLERANCE_IN * INCH_M, 3),
            **{f"od{i}": ("tube_diameter", o * INCH_M, 4) for i, o in enumerate(tabulated)},
        ),
    )


def c1(od_m: float, edition: str = "hei_9th_10th") -> float:
    """HEI constant C1 [Btu/(h·ft²·°F)/(ft/s)^0.5] for a tube OD [m] and C1 edition (see
    :func:`c1_lookup` for non-standard ODs)."""
    return c1_lookup(od_m, edition).value


def u1(velocity_m_s: float, od_m: float, edition: str = "hei_9th_10th") -> float:
    """Uncorrected HEI coefficient U1 = C1·√V, returned in W/(m²·K).

    >>> round(u1(7.0 * 0.3048, 0.0254) / 5.678263, 1)   # HT-05: 263·√7 = 695.8 Btu/(h·ft²·°F)
    695.8
    """
    return u1_from_c1(c1(od_m, edition), velocity_m_s)


def u1_from_c1(c1_value: float, velocity_m_s):
    """U1 = C1·√V [W/(m²·K)] for a C1 in HEI units and a velocity [m/s] (a float or an array)."""
    return c1_value * pm.sqrt(velocity_m_s / FT_M) * BTU_H_FT2_F_W_M2_K


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
    return HeiFactor(float(value), FactorBasis.TABLE, table["edition"])


def design_cleanliness_default(material_key: str) -> float:
    """Design cleanliness factor Fc: 0.85 copper alloys (and others), 0.90 titanium and
    stainless (TIMET CODEWELD; docs/methods.md §10.3)."""
    return 0.90 if material(material_key)["family"] in ("titanium", "stainless") else 0.85


#: Reference state of the derived-Fm resistance factor: HEI's reference water (70 °F, Fw = 1)
#: at 7 ft/s, a typical design tube velocity.
FM_REFERENCE_VELOCITY_FT_S = 7.0
_FM_REFERENCE_TEMP_K = REFERENCE_INLET_TEMP_K
_FM_REFERENCE_MATERIAL, _FM_REFERENCE_GAUGE = "admiralty", 18


def _tube_resistances(material_key: str, gauge_bwg: int, od_m: float) -> float:
    """Wall plus water-side resistance referred to the outside area [m²·K/W] at the Fm reference
    state: D_o·ln(D_o/D_i)/(2·k_w) + D_o/(D_i·h_i), h_i by Gnielinski at 7 ft/s and 70 °F."""
    d_i = od_m - 2.0 * wall_thickness(gauge_bwg)
    if d_i <= 0.0:
        raise OutOfRangeError("tube_gauge_bwg", f"{gauge_bwg} BWG leaves no bore in a {od_m / INCH_M:.4g} in tube")
    h_i, _, _ = tube_side_coefficient(FM_REFERENCE_VELOCITY_FT_S * FT_M, d_i, _FM_REFERENCE_TEMP_K)
    k_w = material(material_key)["conductivity"]
    return wall_resistance(od_m, d_i, k_w) + tube_resistance(od_m, d_i, h_i)


@lru_cache(maxsize=1024)  # pure: constant tables and water properties at a fixed state
def fm_wall_factor(material_key: str, gauge_bwg: int, od_m: float, edition: str = "hei_9th_10th") -> float:
    """First-principles tube factor φ = 1/(R_shell + R_wall + R_water) [W/(m²·K)] at the Fm
    reference state (70 °F water at 7 ft/s).

    R_shell (condensing film plus everything not in the tube) is calibrated on HEI itself: for
    the HEI reference tube (18 BWG admiralty, Fm = Fw = 1) 1/(C1·√7) = R_shell + R_wall + R_water.
    φ falls strictly as the wall thickens (both the wall and the D_o/D_i water-side terms grow),
    so ratios of φ are monotone in wall thickness.
    """
    u_reference = u1_from_c1(c1(od_m, edition), FM_REFERENCE_VELOCITY_FT_S * FT_M)
    r_shell = 1.0 / u_reference - _tube_resistances(_FM_REFERENCE_MATERIAL, _FM_REFERENCE_GAUGE, od_m)
    # Guard: a shell-side remainder below 1e-5 m²·K/W (h > 100 kW/(m²·K)) is not physical.
    return 1.0 / (max(r_shell, 1e-5) + _tube_resistances(material_key, gauge_bwg, od_m))


def _tabulated_row(material_key: str) -> list[tuple[int, float]]:
    """(gauge, Fm) pairs of the material's row in the public table, thinnest wall first."""
    table = load_data("hei_fm_older.json")
    row_key = material(material_key)["fm_row"]
    if row_key is None:
        return []
    pairs = [(g, float(v)) for g, v in zip(table["gauges_bwg"], table["rows"][row_key], strict=True) if v is not None]
    return sorted(pairs, key=lambda gv: wall_thickness(gv[0]))


@lru_cache(maxsize=1024)  # pure function of constant tables
def fm_factor(material_key: str, gauge_bwg: int, od_m: float, edition: str = "hei_9th_10th") -> HeiFactor:
    """HEI Fm: the public older-edition table value, or a value derived from it.

    * tabulated gauge: the table value (basis "table");
    * gauge between two tabulated gauges of the row: linear interpolation in the factor φ of
      :func:`fm_wall_factor` between them;
    * gauge beyond the row (thinner or thicker wall): anchored to the nearest tabulated gauge,
      Fm = Fm_table(anchor)·φ(gauge)/φ(anchor) — continuous at the table edge;
    * material without a row: Fm = φ(material, gauge)/φ(18 BWG admiralty), the HEI reference
      (Fm = 1.00).

    Every derived value is non-increasing with wall thickness (the table rows are, and φ is
    strictly decreasing); basis "derived", with the anchor in ``detail``.
    """
    table = fm_table(material_key, gauge_bwg)
    if table is not None:
        return table
    row = _tabulated_row(material_key)
    phi = fm_wall_factor(material_key, gauge_bwg, od_m, edition)
    if not row:
        reference = fm_wall_factor(_FM_REFERENCE_MATERIAL, _FM_REFERENCE_GAUGE, od_m, edition)
        return HeiFactor(
            phi / reference,
            FactorBasis.DERIVED,
            f"no HEI Fm row for {material_key}; first-principles wall and water-side "
            f"resistance at 70 °F, 7 ft/s of {gauge_bwg} BWG {material_key} vs 18 BWG admiralty "
            "(Fm 1.00)",
        )
    wall = wall_thickness(gauge_bwg)
    thinner = [gv for gv in row if wall_thickness(gv[0]) < wall]
    thicker = [gv for gv in row if wall_thickness(gv[0]) > wall]
    edition_tag = load_data("hei_fm_older.json")["edition"]
    if thinner and thicker:
        (g_a, fm_a), (g_b, fm_b) = thinner[-1], thicker[0]
        phi_a = fm_wall_factor(material_key, g_a, od_m, edition)
        phi_b = fm_wall_factor(material_key, g_b, od_m, edition)
        value = fm_a + (fm_b - fm_a) * (phi - phi_a) / (phi_b - phi_a)
        return HeiFactor(
            value,
            FactorBasis.DERIVED,
            f"{gauge_bwg} BWG interpolated between the {edition_tag} table values at "
            f"{g_a} BWG ({fm_a:g}) and {g_b} BWG ({fm_b:g}), linear in the first-principles "
            "wall and water-side resistance factor",
        )
    g_anchor, fm_anchor = thinner[-1] if thinner else thicker[0]
    value = fm_anchor * phi / fm_wall_factor(material_key, g_anchor, od_m, edition)
    return HeiFactor(
        value,
        FactorBasis.DERIVED,
        f"{gauge_bwg} BWG is beyond the {edition_tag} table; anchored to its nearest "
        f"tabulated gauge {g_anchor} BWG (Fm {fm_anchor:g}) and scaled by the first-principles wall "
        "and water-side resistance ratio at 70 °F, 7 ft/s",
    )
