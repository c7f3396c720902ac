# SPDX-License-Identifier: MIT
"""Shared argument sets and helpers for the tool-layer tests (test_tool_*.py): the plant,
turbine-curve and cleanliness-history dicts several of them use unchanged, a call that must
succeed, the US→SI argument conversion and the clear-error assertion for bad arguments."""

import json

from condensync_tools.registry import convert_units, execute, get_tool

PLANT = {
    "tube_od": 1.0,
    "tube_gauge_bwg": 18,
    "tube_material": "admiralty",
    "tube_count": 32000,
    "plugged_tubes": 400,
    "tube_passes": 2,
    "tube_length": 40.0,
}
#: A US heat-transfer test point (two-pass 1 in admiralty bundle), for tests that vary one field.
HT_US = {
    "unit_system": "US",
    "cw_inlet_temp": 70.0,
    "cw_outlet_temp": 88.5,
    "cw_flow": 230000,
    "condenser_pressure": 2.1,
    "tube_od": 1.0,
    "tube_gauge_bwg": 18,
    "tube_material": "admiralty",
    "tube_count": 28000,
    "tube_passes": 2,
    "tube_length": 38.0,
}
#: A minimal valid US heat-transfer call (the defaults fill the rest), for tests that
#: need any successful call: the CLI, stdio and HTTP servers, the ledger.
HT_MINIMAL = {
    "cw_inlet_temp": 70.0,
    "cw_outlet_temp": 88.0,
    "cw_flow": 200000,
    "condenser_pressure": 2.0,
    "tube_od": 1.0,
    "tube_count": 20000,
    "tube_passes": 2,
    "tube_length": 40.0,
}
CURVE = {
    "turbine_curve_pressure": [1.0, 1.3, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0],
    "turbine_curve_output_change": [0.004, 0.004, 0.0032, 0.0, -0.0055, -0.0115, -0.018, -0.025, -0.041],
    "turbine_choke_pressure": 1.3,
    "rated_output_mw": 620,
}
HISTORY = [
    {"timestamp": "2025-01-05", "cleanliness_factor": 0.86},
    {"timestamp": "2025-02-04", "cleanliness_factor": 0.835},
    {"timestamp": "2025-03-06", "cleanliness_factor": 0.811},
    {"timestamp": "2025-04-05", "cleanliness_factor": 0.79},
    {"timestamp": "2025-05-05", "cleanliness_factor": 0.768},
    {"timestamp": "2025-06-04", "cleanliness_factor": 0.749},
    {"timestamp": "2025-07-04", "cleanliness_factor": 0.729},
]


def ok(tool, args, context=None):
    """Run ``tool`` with ``args``; the call must succeed. Returns the result dict."""
    out = execute(tool, args, context)
    assert out.error is None, out.error and out.error.text()
    return out.result


def as_si(tool, args):
    """The same call in SI units (conversion through the tool's own field plan)."""
    plan = get_tool(tool).input_plan
    si = convert_units({k: v for k, v in args.items() if k != "unit_system"}, plan, "US", to_caller=False)
    return {**convert_units(si, plan, "SI", to_caller=True), "unit_system": "SI"}


def assert_clear_error(tool, name, args, path, fragment):
    """Bad arguments give no result and an error naming ``path`` with ``fragment``, no traceback."""
    out = execute(tool, args)
    assert out.result is None and out.error is not None, name
    text = out.error.text()
    assert path + ":" in text and fragment in text, text
    assert "Traceback" not in text and "nan" not in text.split(":", 1)[0]


def assert_json_clean(result):
    """A result serialises without NaN, Infinity or null (CONTRACT §1: never where a number is
    promised; absent values are omitted)."""
    text = json.dumps(result)
    assert "NaN" not in text and "Infinity" not in text and "null" not in text


def result_or_client_error(out):
    """A fuzzed call either fails with a client-side error kind (bad, physically impossible
    or implausible arguments) or returns a clean result; the result, or None on error."""
    if out.error is not None:
        assert out.error.kind in ("invalid_arguments", "physically_impossible", "implausible_value"), out.error.text()
        return None
    assert_json_clean(out.result)
    return out.result
