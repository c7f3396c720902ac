# SPDX-License-Identifier: MIT
"""detect_air_inleakage through the tool layer: indicators in caller units, verdicts, US/SI
agreement, clear errors for bad arguments."""

import pytest
from _tool_cases import CURVE, as_si, assert_clear_error, assert_json_clean, ok

from condensync_tools.units import to_si

TOOL = "detect_air_inleakage"
GOOD = {
    "unit_system": "US",
    "unit_type": "drum_avt",
    "condenser_pressure": 2.3,
    "dissolved_oxygen_ppb": 24.0,
    "hotwell_temp": 102.5,
    "subcooling_baseline": 0.5,
    "air_removal_flow": 11.0,
    "venting_capacity": 12.0,
    "shell_count": 2,
    "vacuum_decay_rate": 0.09,
    "steam_space_volume": 60000.0,
    "air_extraction_temp": 95.0,
    "air_extraction_depression_baseline": 4.0,
    "unexplained_backpressure": 0.3,
    **CURVE,
    "power_price_usd_per_mwh": 45.0,
}
#: Quantity kind of each indicator's value in the result (caller units).
INDICATOR_KINDS = {
    "dissolved_oxygen_ppb": "ppb",
    "subcooling": "temperature_difference",
    "air_removal_flow": "fraction",
    "vacuum_decay_rate": "pressure_rate",
    "air_extraction_temp_depression": "temperature_difference",
    "unexplained_backpressure": "pressure_difference",
}


def test_leak_detected_with_every_indicator():
    r = ok(TOOL, GOOD)
    assert r["leak_detected"] is True and r["severity"] in ("moderate", "high", "severe")
    assert 0.0 < r["confidence"] <= 1.0 and r["likely_location"] == "both"
    names = [i["name"] for i in r["indicators"]]
    assert names == [
        "dissolved_oxygen_ppb",
        "subcooling",
        "air_removal_flow",
        "vacuum_decay_rate",
        "air_extraction_temp_depression",
        "unexplained_backpressure",
    ]
    by = {i["name"]: i for i in r["indicators"]}
    assert by["dissolved_oxygen_ppb"]["unit"] == "ppb" and by["dissolved_oxygen_ppb"]["threshold"] == 10.0
    assert by["vacuum_decay_rate"]["unit"] == "inHg/min"
    assert by["vacuum_decay_rate"]["threshold"] == pytest.approx(0.03)
    assert by["vacuum_decay_rate"]["threshold_high"] == pytest.approx(0.12)
    assert by["subcooling"]["unit"] == "°F" and by["subcooling"]["threshold"] == pytest.approx(2.0)
    assert by["unexplained_backpressure"]["unit"] == "inHg"
    assert by["air_removal_flow"]["value"] == pytest.approx(11.0 / 12.0)
    assert r["estimated_inleakage"] == pytest.approx(11.0) and r["units"]["estimated_inleakage"] == "SCFM"
    assert r["subcooling"] == pytest.approx(r["saturation_temp"] - 102.5)
    # the unexplained 0.3 inHg is valued with the turbine curve; the valued action ranks first
    top = r["recommendations"][0]
    assert top["action"] == "tracer_leak_test" and top["value_mw"] > 1.0
    assert top["value_usd_per_day"] == pytest.approx(top["value_mw"] * 24 * 45.0)


def test_tight_unit_not_detected():
    r = ok(
        TOOL,
        {
            "unit_system": "SI",
            "unit_type": "pwr",
            "condenser_pressure": 6.5,
            "dissolved_oxygen_ppb": 4.0,
            "hotwell_temp": 37.4,
            "air_removal_flow": 9.0,
            "venting_capacity": 45.0,
        },
    )
    assert r["leak_detected"] is False and r["severity"] == "none" and r["likely_location"] == "none"
    assert all(i["status"] == "normal" for i in r["indicators"])
    assert r["units"]["estimated_inleakage"] == "kg/h"


def test_below_water_line_from_dissolved_oxygen_only():
    r = ok(TOOL, {"dissolved_oxygen_ppb": 60.0, "unit_type": "pwr"})
    assert r["leak_detected"] and r["likely_location"] == "below_water_line"


def test_decay_test_estimate_matches_the_ideal_gas_rule():
    # docs/methods.md §4: ṁ [lb/h] ≈ 0.142·V[ft³]·dP/dt[inHg/min] at 100 °F; 1 SCFM = 4.495 lb/h
    r = ok(TOOL, {"vacuum_decay_rate": 0.05, "steam_space_volume": 25000.0, "steam_space_temp": 100.0})
    assert r["estimated_inleakage"] * 4.495 == pytest.approx(0.142 * 25000 * 0.05, rel=0.01)


def test_no_indicator_gives_zero_confidence_and_a_warning():
    r = ok(TOOL, {})
    assert r["leak_detected"] is False and r["confidence"] == 0.0 and r["indicators"] == []
    assert any("no indicator" in w for w in r["warnings"])


def test_us_and_si_agree():
    us, si = ok(TOOL, GOOD), ok(TOOL, as_si(TOOL, GOOD))
    for key in ("leak_detected", "severity", "likely_location"):
        assert us[key] == si[key]
    for key in ("confidence", "score", "evidence"):
        assert us[key] == pytest.approx(si[key], rel=1e-9)
    assert to_si("air_flow", us["estimated_inleakage"], "US") == pytest.approx(
        to_si("air_flow", si["estimated_inleakage"], "SI"), rel=1e-9
    )
    for a, b in zip(us["indicators"], si["indicators"], strict=True):
        kind = INDICATOR_KINDS[a["name"]]
        for key in ("value", "threshold", "threshold_high", "threshold_severe"):
            assert to_si(kind, a[key], "US") == pytest.approx(to_si(kind, b[key], "SI"), rel=1e-7, abs=1e-12)
        assert a["status"] == b["status"] and a["weight"] == b["weight"]
    assert [a["action"] for a in us["recommendations"]] == [b["action"] for b in si["recommendations"]]
    for a, b in zip(us["recommendations"], si["recommendations"], strict=True):
        assert a["value_mw"] == pytest.approx(b["value_mw"], rel=1e-7, abs=1e-12)


def test_no_nan():
    assert_json_clean(ok(TOOL, GOOD))


BAD_CASES = [
    ("hotwell above saturation", {**GOOD, "hotwell_temp": 108.0}, "$.hotwell_temp", "warmer than saturation"),
    ("hotwell without pressure", {"hotwell_temp": 100.0}, "$.condenser_pressure", "subcooling needs"),
    ("air line without pressure", {"air_extraction_temp": 90.0}, "$.condenser_pressure", "depression needs"),
    ("air line above saturation", {**GOOD, "air_extraction_temp": 108.0}, "$.air_extraction_temp", "warmer"),
    ("negative DO", {**GOOD, "dissolved_oxygen_ppb": -3.0}, "$.dissolved_oxygen_ppb", ">= 0"),
    (
        "DO beyond air saturation",
        {**GOOD, "dissolved_oxygen_ppb": 24000.0},
        "$.dissolved_oxygen_ppb",
        "air saturation",
    ),
    ("unknown unit type", {**GOOD, "unit_type": "magnox"}, "$.unit_type", "expected one of"),
    ("zero venting capacity", {**GOOD, "venting_capacity": 0}, "$.venting_capacity", "> 0"),
    ("no shells", {**GOOD, "shell_count": 0}, "$.shell_count", ">= 1"),
    ("negative decay rate", {**GOOD, "vacuum_decay_rate": -0.05}, "$.vacuum_decay_rate", ">= 0"),
    (
        "decay rate in mbar/min as inHg/min",
        {**GOOD, "vacuum_decay_rate": 4.0},
        "$.vacuum_decay_rate",
        "plausible",
    ),
    (
        "Celsius hotwell in a US call",
        {**GOOD, "hotwell_temp": 38.0},
        "$.hotwell_temp",
        "set unit_system to SI",
    ),
    (
        "Fahrenheit hotwell in an SI call",
        {"unit_system": "SI", "condenser_pressure": 7.0, "hotwell_temp": 100.0},
        "$.hotwell_temp",
        "set unit_system to US",
    ),
    ("string for number", {**GOOD, "air_removal_flow": "11 scfm"}, "$.air_removal_flow", "expected a number"),
    ("NaN", {**GOOD, "dissolved_oxygen_ppb": float("nan")}, "$.dissolved_oxygen_ppb", "finite"),
    ("negative baseline", {**GOOD, "subcooling_baseline": -1.0}, "$.subcooling_baseline", ">= 0"),
    (
        "vacuum without barometer",
        {"vacuum_gauge": 27.9, "hotwell_temp": 100.0},
        "$.barometric_pressure",
        "required",
    ),
    ("unknown field", {**GOOD, "do_ppm": 0.02}, "$.do_ppm", "unknown field"),
    (
        "gauge vacuum as absolute",
        {**GOOD, "condenser_pressure": 27.5},
        "$.condenser_pressure",
        "gauge vacuum",
    ),
]


@pytest.mark.parametrize("name,args,path,fragment", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_arguments_give_clear_errors(name, args, path, fragment):
    assert_clear_error(TOOL, name, args, path, fragment)
