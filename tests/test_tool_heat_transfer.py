# SPDX-License-Identifier: MIT
"""The heat-transfer tool through the tool layer: units, validation errors, provenance."""

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from condensync_tools.calculators.constants import GPM_M3_S, INHG_PA, f_to_k, k_to_c
from condensync_tools.registry import execute
from condensync_tools.units import to_si

TOOL = "calculate_heat_transfer_coefficient"
GOOD_US = {
    "unit_system": "US",
    "cw_inlet_temp": 70.0,
    "cw_outlet_temp": 88.5,
    "cw_flow": 230000,
    "condenser_pressure": 2.1,
    "tube_od": 1.0,
    "tube_gauge_bwg": 18,
    "tube_material": "admiralty",
    "tube_count": 28000,
    "plugged_tubes": 300,
    "tube_passes": 2,
    "tube_length": 38.0,
}


def ok(args):
    out = execute(TOOL, args)
    assert out.error is None, out.error and out.error.text()
    return out.result


def us_to_si_args(a):
    return {
        **a,
        "unit_system": "SI",
        "cw_inlet_temp": k_to_c(f_to_k(a["cw_inlet_temp"])),
        "cw_outlet_temp": k_to_c(f_to_k(a["cw_outlet_temp"])),
        "cw_flow": a["cw_flow"] * GPM_M3_S * 3600,
        "condenser_pressure": a["condenser_pressure"] * INHG_PA / 1000,
        "tube_od": a["tube_od"] * 25.4,
        "tube_length": a["tube_length"] * 0.3048,
    }


def test_result_shape_units_and_provenance():
    r = ok(GOOD_US)
    for key in (
        "heat_duty",
        "saturation_temp",
        "itd",
        "ttd",
        "lmtd",
        "tube_velocity",
        "u_actual",
        "u_clean",
        "u_design",
        "cleanliness_factor",
        "fouling_resistance",
        "ntu",
        "steam_condensed",
    ):
        assert isinstance(r[key], (int, float)), key
    assert r["units"]["saturation_temp"] == "°F" and r["units"]["cw_mass_flow"] == "lb/h"
    assert r["units"]["u_actual"] == "Btu/(h·ft²·°F)"
    assert set(r["units"]) <= set(r)
    p = r["provenance"]
    assert p["tool"] == TOOL and len(p["provenance_hash"]) == 64 and p["sources"] == []
    assert 0.0 < r["cleanliness_factor"] < 1.5
    assert r["active_tubes"] == 27700


def test_si_units_map():
    r = ok(us_to_si_args(GOOD_US))
    assert r["units"]["saturation_temp"] == "°C" and r["units"]["heat_duty"] == "MW"
    assert r["units"]["ttd"] == "K" and r["units"]["fouling_resistance"] == "m²·K/W"
    assert r["units"]["steam_condensed"] == "kg/s" and r["units"]["tube_velocity"] == "m/s"


@settings(max_examples=25, deadline=None)
@given(
    t_in=st.floats(45.0, 90.0),
    rise=st.floats(8.0, 25.0),
    approach=st.floats(4.0, 20.0),
    flow=st.floats(120000, 320000),
    method=st.sampled_from(["hei", "first_principles"]),
)
def test_us_and_si_calls_agree_after_conversion(t_in, rise, approach, flow, method):
    from condensync_tools.calculators.water import saturation_pressure

    t_out = t_in + rise
    p_inhg = saturation_pressure(f_to_k(t_out + approach)) / INHG_PA
    us = {
        **GOOD_US,
        "cw_inlet_temp": t_in,
        "cw_outlet_temp": t_out,
        "cw_flow": flow,
        "condenser_pressure": p_inhg,
        "clean_u_method": method,
    }
    a = execute(TOOL, us)
    b = execute(TOOL, us_to_si_args(us))
    assert (a.error is None) == (b.error is None)
    if a.error:
        return
    ra, rb = a.result, b.result
    for key, kind in [
        ("heat_duty", "heat_rate"),
        ("u_actual", "htc"),
        ("u_clean", "htc"),
        ("lmtd", "temperature_difference"),
        ("saturation_temp", "temperature"),
        ("steam_condensed", "steam_flow"),
        ("fouling_resistance", "fouling_resistance"),
        ("tube_velocity", "velocity"),
    ]:
        assert to_si(kind, ra[key], "US") == pytest.approx(to_si(kind, rb[key], "SI"), rel=1e-7, abs=1e-12), key
    assert ra["cleanliness_factor"] == pytest.approx(rb["cleanliness_factor"], rel=1e-7)
    assert ra["ntu"] == pytest.approx(rb["ntu"], rel=1e-7)


def test_identical_arguments_identical_hash_in_process():
    a, b = ok(GOOD_US), ok(dict(reversed(list(GOOD_US.items()))))
    assert a["provenance"]["provenance_hash"] == b["provenance"]["provenance_hash"]
    # defaults applied: giving a default explicitly gives the same normalised arguments
    c = ok({**GOOD_US, "water_type": "fresh", "clean_u_method": "hei"})
    assert c["provenance"]["input_sha256"] == a["provenance"]["input_sha256"]


@pytest.mark.slow
def test_identical_arguments_identical_hash_across_processes():
    code = (
        "import json,sys;from condensync_tools.registry import execute;"
        f"r=execute({TOOL!r}, json.loads(sys.argv[1])).result;print(r['provenance']['provenance_hash'])"
    )
    hashes = {
        subprocess.run(
            [sys.executable, "-c", code, json.dumps(GOOD_US)], capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    }
    hashes.add(ok(GOOD_US)["provenance"]["provenance_hash"])
    assert len(hashes) == 1 and len(hashes.pop()) == 64


def test_hash_recomputable_from_readme_recipe():
    """A third party recomputes the hashes from the README recipe with plain hashlib+rfc8785."""
    import hashlib

    import rfc8785

    r = ok(GOOD_US)
    p = r["provenance"]
    normalised = {
        "unit_system": "US",
        "condenser_id": "",
        "data_source": "supplied",
        "tube_gauge_bwg": 18,
        "tube_material": "admiralty",
        "plugged_tubes": 0,
        "tube_passes": 1,
        "water_type": "fresh",
        "clean_u_method": "hei",
        "hei_edition": "hei_9th_10th",
        "bank_rows": 10,
        "mode": "rate",
        **GOOD_US,
    }
    assert hashlib.sha256(rfc8785.dumps(normalised)).hexdigest() == p["input_sha256"]
    outputs = {k: v for k, v in r.items() if k != "provenance"}
    assert hashlib.sha256(rfc8785.dumps(outputs)).hexdigest() == p["output_sha256"]
    core = {k: p[k] for k in ("tool", "tool_version", "method", "input_sha256", "output_sha256", "sources")}
    assert hashlib.sha256(rfc8785.dumps(core)).hexdigest() == p["provenance_hash"]


def test_floats_rounded_to_ten_significant_digits():
    r = ok(GOOD_US)
    for key, value in r.items():
        if isinstance(value, float):
            assert value == float(f"{value:.10g}"), key


BAD_CASES = [
    ("missing required", {k: v for k, v in GOOD_US.items() if k != "cw_flow"}, "$.cw_flow", "required"),
    ("empty object", {}, "$.cw_inlet_temp", "required"),
    ("wrong type", {**GOOD_US, "tube_count": 28000.5}, "$.tube_count", "integer"),
    ("string for number", {**GOOD_US, "cw_inlet_temp": "70"}, "$.cw_inlet_temp", "expected a number"),
    ("NaN", {**GOOD_US, "cw_outlet_temp": float("nan")}, "$.cw_outlet_temp", "finite"),
    ("infinity", {**GOOD_US, "cw_flow": float("inf")}, "$.cw_flow", "finite"),
    ("negative flow", {**GOOD_US, "cw_flow": -100.0}, "$.cw_flow", "> 0"),
    ("zero flow", {**GOOD_US, "cw_flow": 0}, "$.cw_flow", "> 0"),
    ("outlet below inlet", {**GOOD_US, "cw_outlet_temp": 65.0}, "$.cw_outlet_temp", "not above inlet"),
    ("outlet equal inlet", {**GOOD_US, "cw_outlet_temp": 70.0}, "$.cw_outlet_temp", "not above inlet"),
    ("outlet at saturation", {**GOOD_US, "cw_outlet_temp": 103.5}, "$.cw_outlet_temp", "TTD"),
    ("outlet above saturation", {**GOOD_US, "cw_outlet_temp": 110.0}, "$.cw_outlet_temp", "TTD"),
    ("inlet above saturation", {**GOOD_US, "cw_inlet_temp": 106.0, "cw_outlet_temp": 112.0}, "$.cw_inlet_temp", "ITD"),
    ("unknown tube material", {**GOOD_US, "tube_material": "unobtainium"}, "$.tube_material", "expected one of"),
    ("unknown field", {**GOOD_US, "cw_flow_gpm": 1.0}, "$.cw_flow_gpm", "unknown field"),
    ("absurd flow", {**GOOD_US, "cw_flow": 1e12}, "$.cw_flow", "plausible"),
    (
        "absurd pressure (gauge vacuum as absolute)",
        {**GOOD_US, "condenser_pressure": 28.0},
        "$.condenser_pressure",
        "gauge vacuum",
    ),
    (
        "Celsius in a US call",
        {**GOOD_US, "cw_inlet_temp": 24.0, "cw_outlet_temp": 33.0},
        "$.cw_inlet_temp",
        "set unit_system to SI",
    ),
    (
        "Fahrenheit in an SI call",
        {**us_to_si_args(GOOD_US), "cw_inlet_temp": 70.0, "cw_outlet_temp": 88.0},
        "$.cw_inlet_temp",
        "set unit_system to US",
    ),
    ("wrong unit system", {**GOOD_US, "unit_system": "metric"}, "$.unit_system", "'US', 'SI'"),
    ("arguments not an object", [1, 2, 3], "$", "object"),
    ("bool for number", {**GOOD_US, "cw_flow": True}, "$.cw_flow", "expected a number"),
    ("gauge out of table", {**GOOD_US, "tube_gauge_bwg": 40}, "$.tube_gauge_bwg", "<= 28"),
    (
        "vacuum without barometer",
        {**{k: v for k, v in GOOD_US.items() if k != "condenser_pressure"}, "vacuum_gauge": 28.0},
        "$.barometric_pressure",
        "barometric",
    ),
    ("all tubes plugged", {**GOOD_US, "plugged_tubes": 28000}, "$.plugged_tubes", "no active tubes"),
    (
        "no area information",
        {k: v for k, v in GOOD_US.items() if k != "tube_length"},
        "$.tube_length",
        "required (or surface_area)",
    ),
    ("injection string", {**GOOD_US, "condenser_id": "x'; DROP TABLE ledger;--"}, "$.condenser_id", "matching"),
    ("negative temperature difference input", {**GOOD_US, "shell_heat_loss": -5.0}, "$.shell_heat_loss", ">= 0"),
    ("OD not in HEI table", {**GOOD_US, "tube_od": 0.5}, "$.tube_od", "HEI tube OD"),
]


@pytest.mark.parametrize("name,args,path,fragment", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_arguments_give_clear_errors(name, args, path, fragment):
    out = execute(TOOL, args)
    assert out.result is None and out.error is not None, name
    text = out.error.text()
    assert path + ":" in text and fragment in text, text
    assert "Traceback" not in text and "nan" not in text.split(":", 1)[0]


def test_every_violation_listed_at_once():
    out = execute(
        TOOL, {"unit_system": "metric", "cw_inlet_temp": "x", "cw_flow": -1, "tube_material": "gold", "foo": 1}
    )
    assert len(out.error.problems) >= 5


def test_no_nan_in_any_result():
    r = ok({**GOOD_US, "clean_u_method": "first_principles"})
    assert "NaN" not in json.dumps(r) and "Infinity" not in json.dumps(r)


def test_partial_result_without_tube_data():
    """HT-01-like minimal call: temperatures, flow, pressure and area only → duty, LMTD, U,
    NTU, steam; clean-U fields omitted with a warning (never null)."""
    r = ok(
        {
            "unit_system": "SI",
            "cw_inlet_temp": 14.0,
            "cw_outlet_temp": 22.0,
            "cw_flow": 124.0,
            "saturation_temp": 30.0,
            "surface_area": 50.0,
        }
    )
    assert "u_clean" not in r and "cleanliness_factor" not in r
    assert any("clean U" in w for w in r["warnings"])
    assert r["ttd"] == pytest.approx(8.0, abs=1e-6) and r["lmtd"] == pytest.approx(11.5416, abs=1e-3)


def test_ht01_through_the_tool_with_heat_duty_instead_of_flow():
    """HT-01 (GATE-style, interviewmania.com 89680): Tsat 30 °C, CW 14→22 °C, A 50 m²,
    Q 1.154 MW → U 2000 W/(m²K), steam 0.475 kg/s, CW 34.51 kg/s (rel 0.5 %)."""
    r = ok(
        {
            "unit_system": "SI",
            "cw_inlet_temp": 14.0,
            "cw_outlet_temp": 22.0,
            "heat_duty": 1.154,
            "saturation_temp": 30.0,
            "surface_area": 50.0,
        }
    )
    assert r["u_actual"] == pytest.approx(2000.0, rel=2e-3)
    assert r["steam_condensed"] == pytest.approx(0.475, rel=5e-3)
    assert r["cw_mass_flow"] == pytest.approx(34.51, rel=5e-3)
    assert "derived" in r["provenance"]["method"]["duty"]


def test_steam_flow_uses_hei_950_btu_per_lb_and_is_labelled():
    r = ok({**{k: v for k, v in GOOD_US.items() if k != "cw_flow"}, "steam_flow": 2_400_000})
    assert r["heat_duty"] == pytest.approx(2_400_000 * 950.0, rel=1e-9)
    assert "950 Btu/lb" in r["provenance"]["method"]["duty"]


def test_given_duty_far_from_cw_side_is_warned_not_mixed():
    r = ok({**GOOD_US, "heat_duty": 1.0e9})
    assert any("differs" in w for w in r["warnings"])
    assert r["heat_duty"] != 1.0e9


def test_metric_tube_uses_nearest_hei_od_group_with_warning():
    r = ok({**us_to_si_args(GOOD_US), "tube_od": 25.0})
    assert "nearest tabulated OD 1 in" in r["provenance"]["method"]["clean_u"]
    assert any("not an HEI tabulated OD" in w for w in r["warnings"])
