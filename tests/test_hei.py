# SPDX-License-Identifier: MIT
"""HEI clean U against worked example HT-05 (docs/methods.md §8: U = C1·√V·Fw·Fm·Fc, TIMET
CODEWELD form; C1 = 263 for 7/8-1 in. OD; Fm from the older-edition public table)."""

import math

import pytest

from condensync_tools.calculators import hei
from condensync_tools.calculators.constants import BTU_H_FT2_F_W_M2_K, FT_M, INCH_M, REFERENCE_INLET_TEMP_K
from condensync_tools.calculators.errors import OutOfRangeError


def u1_btu(v_ft_s, od_in=1.0, edition="hei_9th_10th"):
    return hei.u1(v_ft_s * FT_M, od_in * INCH_M, edition) / BTU_H_FT2_F_W_M2_K


def test_ht05_u1_and_design_u():
    u1 = u1_btu(7.0)
    assert u1 == pytest.approx(695.8, abs=0.5)
    fm = hei.fm_table("admiralty", 18)
    assert fm.value == pytest.approx(1.0, abs=1e-9)
    assert u1 * 1.0 * fm.value * 0.85 == pytest.approx(591.5, abs=0.5)
    # SI: 591.5 Btu/(h·ft²·°F) = 3358.5 W/(m²K) ±2
    assert hei.u1(7.0 * FT_M, INCH_M) * 0.85 == pytest.approx(3358.5, abs=2.0)


@pytest.mark.parametrize(
    "material,gauge,fm,u_design",
    [("cuni_90_10", 20, 0.94, 556.0), ("titanium", 22, 0.81, 479.1), ("ss_304", 22, 0.79, 467.3)],
)
def test_ht05_variants_older_edition_fm(material, gauge, fm, u_design):
    f = hei.fm_table(material, gauge)
    assert f.value == pytest.approx(fm, abs=1e-9) and f.basis == "table"
    assert u1_btu(7.0) * f.value * 0.85 == pytest.approx(u_design, abs=0.5)


def test_c1_si_conversion_factor():
    # C1_SI = C1_IP × 5.678263/sqrt(0.3048) = C1_IP × 10.2851 (derived, docs/methods.md §1.1)
    assert BTU_H_FT2_F_W_M2_K / math.sqrt(FT_M) == pytest.approx(10.2851, abs=1e-4)


def test_fm_gaps_are_none():
    assert hei.fm_table("titanium", 16) is None  # not in the older table
    assert hei.fm_table("duplex_2205", 22) is None
    assert hei.fm_table("admiralty", 25) is None


def test_unknown_od_rejected():
    with pytest.raises(OutOfRangeError) as e:
        hei.c1(0.5 * INCH_M)
    assert e.value.field == "tube_od"


def test_design_cleanliness_defaults():
    assert hei.design_cleanliness_default("admiralty") == 0.85
    assert hei.design_cleanliness_default("titanium") == 0.90
    assert hei.design_cleanliness_default("ss_316") == 0.90


def _clean_u_basis(material, gauge, od_m, t_in, fw=0.0, fm=0.0):
    from condensync_tools.calculators.heat_transfer import clean_u
    from condensync_tools.calculators.tubes import tube_bundle
    from condensync_tools.calculators.water import saturation_pressure

    bundle = tube_bundle(od_m, gauge, 1000, 0, 1, 10.0)
    t_sat = t_in + 15.0
    cu = clean_u(bundle, 2.1, t_in, t_in + 8.0, saturation_pressure(t_sat), t_sat, material, fw_override=fw,
                 fm_override=fm)  # fmt: skip
    return cu.hei_basis


def test_basis_fields_are_typed_and_drive_the_warnings():
    """The typed basis of a clean U (not the method text) sets its warnings, in a fixed order."""
    caveat = hei.HeiCaveat
    # titanium 22 BWG: Fm from the older-edition table; 25 mm: C1 of the nearest OD; 30 °C: Fw derived
    b = _clean_u_basis("titanium", 22, 0.025, 303.15)
    assert b == hei.HeiBasis(hei.FactorBasis.DERIVED, hei.FactorBasis.TABLE, False)
    w = hei.hei_basis_warnings(b, "titanium")
    assert [s.split(" ")[0] for s in w] == ["Fm", "tube", "HEI"] and "Fw is derived" in w[2]
    assert hei.hei_basis_warnings(b, "titanium", {caveat.FM_DERIVED}) == []
    # duplex (no table row): Fm derived; 1 in OD exact; caller's Fw
    b = _clean_u_basis("duplex_2205", 18, INCH_M, 303.15, fw=0.95)
    assert b == hei.HeiBasis(hei.FactorBasis.CALLER, hei.FactorBasis.DERIVED, True)
    assert hei.hei_basis_warnings(b, "duplex_2205", {caveat.FM_DERIVED})[0].startswith("HEI Fm is derived")
    # 70 °F inlet (Fw = 1, reference), caller's Fm, admiralty: nothing to say
    b = _clean_u_basis("admiralty", 18, INCH_M, REFERENCE_INLET_TEMP_K, fm=1.0)
    assert b.fw is hei.FactorBasis.TABLE and b.fm is hei.FactorBasis.CALLER
    assert hei.hei_basis_warnings(b, "admiralty") == []
    assert hei.hei_basis_warnings(None, "titanium") == []
