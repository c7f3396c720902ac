# SPDX-License-Identifier: MIT
"""Provenance canonicalisation: the fast JCS serialiser equals the reference rfc8785
package byte for byte; rounding to 10 significant digits."""

import hashlib
import math

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from condensync_tools import provenance

finite = st.floats(allow_nan=False, allow_infinity=False)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | finite | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_fast_jcs_equals_rfc8785(value):
    assert provenance.canonical(value) == rfc8785.dumps(value)


@pytest.mark.slow  # the default run checks floats inside the structures above and the edge cases below
@settings(max_examples=2000, deadline=None)
@given(finite)
def test_fast_jcs_numbers_equal_rfc8785(x):
    assert provenance.canonical(x) == rfc8785.dumps(x)


@pytest.mark.parametrize(
    "x",
    [
        1e21,
        1e-7,
        1.5e-7,
        123456789012345680000.0,
        0.1,
        -0.0,
        5e-324,
        1.7976931348623157e308,
        1e16,
        2**53 + 0.0,
        0.000001,
        100.0,
        -12.5e10,
    ],
)
def test_fast_jcs_edge_numbers(x):
    assert provenance.canonical(x) == rfc8785.dumps(x)


def test_non_bmp_key_order_utf16():
    obj = {"\U0001f600": 1, "\ufb01": 2, "a": 3}
    assert provenance.canonical(obj) == rfc8785.dumps(obj)


def test_round_sig():
    assert provenance.round_sig(1.23456789012345) == 1.23456789
    assert provenance.round_sig(123456789012.345) == 123456789000.0
    assert provenance.round_sig(-0.0) == 0.0 and math.copysign(1, provenance.round_sig(-0.0)) == 1
    with pytest.raises(ValueError):
        provenance.round_sig(float("nan"))


# The hot path formats many floats in one batch (C-level %-formatting); every special form —
# exponent notation, negative zero, integral values, subnormals — must still equal rfc8785.
# (below 1.7976931345e308, which rounds to 10 digits beyond the largest float: rejected either way)
awkward_floats = st.floats(-1e308, 1e308) | st.sampled_from(
    [0.0, -0.0, 1.0, -1.0, 1e-7, 1.5e-5, 1e21, 1e16, 2.5e10, 5e-324, 123456.0, -0.5, 0.1, 1e-4, 9.999999999e9]
)
bounded_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | awkward_floats | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)
flat_dicts = st.dictionaries(
    st.text(max_size=8),
    awkward_floats | st.integers(-1000, 1000) | st.text(max_size=5) | st.booleans() | st.none(),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(flat_dicts)
def test_batch_canonical_of_flat_dicts_equals_rfc8785(obj):
    assert provenance.canonical(obj) == rfc8785.dumps(obj)


def _one_pass_equals_two_step(obj):
    obj = {k: v for k, v in obj.items() if k not in ("warnings", "units")}
    rounded, digest = provenance.hashed_outputs(obj, [], {})
    expected = {**provenance.round_floats(obj), "warnings": [], "units": {}}
    assert rounded == expected and list(rounded) == list(expected)  # same values, same key order
    assert [math.copysign(1, v) for v in rounded.values() if isinstance(v, float)] == [
        math.copysign(1, v) for v in expected.values() if isinstance(v, float)
    ]
    assert digest == hashlib.sha256(rfc8785.dumps(expected)).hexdigest()


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.text(max_size=8), bounded_json, max_size=30))
def test_one_pass_rounding_and_hashing_equals_two_step_form(obj):
    _one_pass_equals_two_step(obj)


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(st.dictionaries(st.text(max_size=8), bounded_json, max_size=30))
def test_one_pass_rounding_and_hashing_equals_two_step_form_many(obj):
    _one_pass_equals_two_step(obj)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.text(max_size=8), awkward_floats, max_size=30),
    st.lists(st.text(max_size=10), max_size=3),
    st.dictionaries(st.text(max_size=8), st.text(max_size=6), max_size=30),
)
def test_hashed_outputs_equals_the_documented_recipe(values, warnings, units):
    out, digest = provenance.hashed_outputs(values, warnings, units)
    recipe = {**provenance.round_floats(values), "warnings": warnings, "units": units}
    assert out == recipe
    assert digest == hashlib.sha256(rfc8785.dumps(recipe)).hexdigest()


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_one_pass_rounding_rejects_non_finite(bad):
    with pytest.raises(ValueError):
        provenance.hashed_outputs({"a": 1.0, "b": bad}, [], {})


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=10),
    st.text(max_size=5),
    st.dictionaries(st.text(max_size=8), st.text(max_size=30), max_size=6),
    st.lists(st.dictionaries(st.text(max_size=5), st.text(max_size=5) | finite, max_size=3), max_size=2),
)
def test_provenance_hash_equals_the_documented_recipe(tool, version, method, sources):
    fields = {
        "tool": tool,
        "tool_version": version,
        "method": method,
        "input_sha256": "ab" * 32,
        "output_sha256": "cd" * 32,
        "sources": sources,
    }
    assert (
        provenance.provenance_hash(tool, version, method, "ab" * 32, "cd" * 32, sources)
        == hashlib.sha256(rfc8785.dumps(fields)).hexdigest()
    )


@pytest.mark.parametrize(
    "obj", [{}, {"%s": 1.5}, {"a%": "%d", "b": [1.0, {"%%": None}]}, {"\U0001f600%": 2.0, "é": -0.0}]
)
def test_canonical_object_templates_escape_percent_and_order_keys(obj):
    assert provenance.canonical(obj) == rfc8785.dumps(obj)
    assert (
        provenance.hashed_outputs(obj, ["50 % load"], {"%": "%"})[1]
        == hashlib.sha256(
            rfc8785.dumps({**provenance.round_floats(obj), "warnings": ["50 % load"], "units": {"%": "%"}})
        ).hexdigest()
    )


def test_one_pass_output_stage_equals_convert_then_round_and_hash(monkeypatch):
    """registry.caller_outputs (the per-call hot path) gives what the two documented steps
    give, convert_units to the caller's units then hashed_outputs, for every golden case of
    every tool: the same dict, key order included, and the same output_sha256."""
    import json

    from condensync_tools import golden, registry

    real = registry.caller_outputs
    seen = []

    def checked(out, plan, system):
        result, digest, members = real(out, plan, system)
        units: dict = {}
        values = {k: v for k, v in out.values.items() if v is not None}
        values = registry.convert_units(values, plan, system, to_caller=True, units=units)
        expected, expected_digest = provenance.hashed_outputs(values, list(out.warnings), dict(sorted(units.items())))
        assert json.dumps(result) == json.dumps(expected)
        assert digest == expected_digest
        assert members.text_with("z", 1) == provenance.json_text({**result, "z": 1})
        seen.append(system)
        return result, digest, members

    monkeypatch.setattr(registry, "caller_outputs", checked)
    for path in golden.iter_cases(golden.REPO_GOLDEN_DIR):
        case = json.loads(path.read_text("utf-8"))
        registry.execute(path.parent.name, case["arguments"])
    assert {"US", "SI"} <= set(seen) and len(seen) >= 40


def test_computed_at_is_rfc3339_utc_with_milliseconds():
    import re
    from datetime import datetime, timezone

    before = datetime.now(timezone.utc).replace(microsecond=0)
    text = provenance.utc_now_text()
    after = datetime.now(timezone.utc)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", text)
    assert before <= datetime.fromisoformat(text.replace("Z", "+00:00")) <= after
