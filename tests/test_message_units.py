# SPDX-License-Identifier: MIT
"""Every message is in the caller's units: warnings, recommendation reasons, option violations,
error texts and the text summary of US calls carry no SI unit strings, and those of SI calls no US
unit strings — over the golden cases of calculate_heat_transfer_coefficient,
optimize_vacuum_pressure, optimize_cooling_water_flow and read_live_data, run in both unit
systems, plus cases chosen to trigger warnings and physical-check errors."""

import json
import re
from pathlib import Path

import pytest
from _tool_cases import HT_US, as_si

from condensync_tools.calculators.messages import Text, joined, prefixed
from condensync_tools.registry import convert_units, execute, get_tool

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
TOOLS = (
    "calculate_heat_transfer_coefficient",
    "optimize_vacuum_pressure",
    "optimize_cooling_water_flow",
    "read_live_data",
)
SI_UNITS = ("m²·K/W", "kPa", "°C", "W/(m²·K)", "m/s", "m³/h", "m³/s")
US_UNITS = ("°F", "inHg", "ft/s", "gpm", "Btu", "ft²")
#: A likely cause naming both unit systems ("°F/°C mix-up") is about units, not a value in them.
MIX_UP = re.compile(r"°F/°C|°C/°F")
#: A number followed by a unit of the caller's system.
OWN_US = re.compile(r"\d (°F|inHgA?|ft/s|ft|gpm|in)(?![\w²³/])")
OWN_SI = re.compile(r"\d (°C|K|kPa(\(a\))?|m/s|m³/h|m|mm)(?![\w²³/])")


def as_us(tool, args):
    plan = get_tool(tool).input_plan
    si = convert_units({k: v for k, v in args.items() if k != "unit_system"}, plan, "SI", to_caller=False)
    return {**convert_units(si, plan, "US", to_caller=True), "unit_system": "US"}


def golden_calls():
    for tool in TOOLS:
        for path in sorted((GOLDEN / tool).glob("*.json")):
            args = json.loads(path.read_text("utf-8"))["arguments"]
            if not isinstance(args, dict):
                continue
            system = args.get("unit_system", "US")
            if system not in ("US", "SI"):
                continue  # an invalid unit system: the error names both units' field brackets
            yield pytest.param(tool, args, id=f"{path.stem}-{system}")
            try:  # the same case in the other unit system (not for arguments that do not convert)
                other = as_si(tool, args) if system == "US" else as_us(tool, args)
            except (TypeError, ValueError):
                continue
            yield pytest.param(tool, other, id=f"{path.stem}-{'SI' if system == 'US' else 'US'}")


HT = HT_US
CW = json.loads((GOLDEN / "optimize_cooling_water_flow" / "us_tower_vfd_rich.json").read_text("utf-8"))["arguments"]
VAC = json.loads((GOLDEN / "optimize_vacuum_pressure" / "us_rich_design_point_caller_curve.json").read_text("utf-8"))[
    "arguments"
]
TRIGGERS = [
    ("ht_velocity_above_hei_range", "calculate_heat_transfer_coefficient", {**HT, "cw_flow": 560000}),
    (
        "ht_small_ttd",
        "calculate_heat_transfer_coefficient",
        {
            **{k: v for k, v in HT.items() if not k.startswith("tube_")},
            "cw_outlet_temp": 102.3,
            "surface_area": 450000.0,
        },
    ),
    ("ht_outlet_above_saturation", "calculate_heat_transfer_coefficient", {**HT, "cw_outlet_temp": 105.0}),
    (
        "ht_inlet_above_saturation",
        "calculate_heat_transfer_coefficient",
        {**HT, "cw_inlet_temp": 104.0, "cw_outlet_temp": 110.0},
    ),
    ("ht_derived_fm", "calculate_heat_transfer_coefficient", {**HT, "tube_material": "titanium", "tube_gauge_bwg": 25}),
    (
        "vac_duty_too_high",
        "optimize_vacuum_pressure",
        {k: v for k, v in {**VAC, "heat_duty": 5.0e9, "cw_flow": 20000}.items() if k != "cw_outlet_temp"},
    ),
    ("cw_tower_below_min_approach", "optimize_cooling_water_flow", {**CW, "wet_bulb_temp": 75.0}),
    (
        "cw_generic_curve",
        "optimize_cooling_water_flow",
        {k: v for k, v in CW.items() if not k.startswith("turbine_curve") and k != "turbine_choke_pressure"},
    ),
    (
        "ht_missing_fields",
        "calculate_heat_transfer_coefficient",
        {k: v for k, v in HT.items() if k not in ("cw_outlet_temp", "tube_length")},
    ),
    ("ht_od_not_hei", "calculate_heat_transfer_coefficient", {**HT, "tube_od": 0.5}),
    ("cw_static_head_above_rated", "optimize_cooling_water_flow", {**CW, "static_head": 60.0}),
    ("cw_min_velocity_above_max", "optimize_cooling_water_flow", {**CW, "min_tube_velocity": 9.0}),
    ("cw_choke_outside_curve", "optimize_cooling_water_flow", {**CW, "turbine_choke_pressure": 0.9}),
    ("cw_erosion_limit", "optimize_cooling_water_flow", {**CW, "max_tube_velocity": 6.5}),
]


def trigger_calls():
    for name, tool, args in TRIGGERS:
        yield pytest.param(tool, args, id=f"{name}-US")
        yield pytest.param(tool, as_si(tool, args), id=f"{name}-SI")


def messages(out) -> list[str]:
    if out.error is not None:
        return list(out.error.problems)
    r = out.result
    texts = list(r.get("warnings", [])) + [out.summary]
    texts += [item["reason"] for item in r.get("recommendations", [])]
    texts += [v for option in r.get("options", []) for v in option.get("violations", [])]
    return texts


def assert_caller_units(tool, args):
    system = args.get("unit_system", "US")
    out = execute(tool, args)
    foreign = SI_UNITS if system == "US" else US_UNITS
    texts = messages(out)
    for text in texts:
        bare = MIX_UP.sub("", text)
        assert not [u for u in foreign if u in bare], f"{system} call, {tool}: {text}"
        assert not isinstance(text, Text)
    return out, texts


@pytest.mark.parametrize("tool,args", list(golden_calls()))
def test_golden_messages_in_caller_units(tool, args):
    assert_caller_units(tool, args)


@pytest.mark.parametrize("tool,args", list(trigger_calls()))
def test_warning_and_error_messages_in_caller_units(tool, args):
    out, texts = assert_caller_units(tool, args)
    if out.error is not None and all(": required" in t for t in texts):
        return  # missing fields: their unit brackets are checked above
    if tool == "calculate_heat_transfer_coefficient" and args.get("tube_gauge_bwg") == 25:
        assert any("HEI Fm is derived" in t for t in texts)
        return  # that warning has no number
    own = OWN_US if args["unit_system"] == "US" else OWN_SI
    worded = [t for t in texts if t != out.summary and own.search(t)]
    assert worded, texts  # each trigger case words at least one number in the caller's units


def test_text_keeps_typed_quantities_through_prefix_and_join():
    a = Text("v {v} above {limit}", v=("velocity", 3.0), limit=("velocity", 2.4384, 3))
    b = prefixed("tube_velocity_max: ", a)
    c = joined("cannot evaluate: ", [b, "plain {braces}"])
    us = lambda kind, value, digits: f"{value / 0.3048:.{digits}g} ft/s"  # noqa: E731
    assert b.render(us) == "tube_velocity_max: v 9.84 ft/s above 8 ft/s"
    assert c.render(us) == "cannot evaluate: tube_velocity_max: v 9.84 ft/s above 8 ft/s; plain {braces}"
    assert str(a) == "v 3 m/s above 2.44 m/s"


def test_joined_keeps_literal_braces_of_templates():
    a = Text("set {{x}} to {v}", v=("velocity", 1.0))
    c = joined("a {b}: ", [a, a])
    si = lambda kind, value, digits: f"{value:.{digits}g} m/s"  # noqa: E731
    assert c.render(si) == "a {b}: set {x} to 1 m/s; set {x} to 1 m/s"
