# SPDX-License-Identifier: MIT
"""The compiled fast validator and jsonschema (Draft 2020-12, authoritative) agree on every
published input schema, for random argument objects built from each schema's properties."""

import fastjsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from condensync_tools.registry import all_tools

TOOLS = all_tools()
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(-1e6, 1e6)
    | st.floats(allow_nan=False).map(lambda x: x)
    | st.text(max_size=12)
    | st.sampled_from(["US", "SI", "hei", "fresh", "sea", "admiralty", "supplied", "live", "x'; --", ""])
)
values = st.recursive(
    scalars, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=3), max_leaves=8
)


@pytest.mark.parametrize("examples", [40, pytest.param(300, marks=pytest.mark.slow)])
@pytest.mark.parametrize("tool", TOOLS, ids=[t.name for t in TOOLS])
def test_fast_and_reference_validators_agree(tool, examples):
    schema = tool.compiled.schema
    names = sorted(schema["properties"]) + ["unknown_field"]
    fast = fastjsonschema.compile(schema, use_default=False)
    ref = Draft202012Validator(schema)

    @settings(max_examples=examples, deadline=None)
    @given(st.dictionaries(st.sampled_from(names), values, max_size=6))
    def check(args):
        try:
            fast(dict(args))
            fast_ok = True
        except fastjsonschema.JsonSchemaException:
            fast_ok = False
        assert fast_ok == ref.is_valid(args), args

    check()


@settings(max_examples=500, deadline=None)
@given(
    st.recursive(
        scalars | st.sampled_from([float("nan"), float("inf"), -float("inf")]),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c, max_size=4),
        max_leaves=12,
    )
)
def test_fast_non_finite_check_agrees_with_the_reporting_walk(value):
    from condensync_tools.validation import _has_non_finite, non_finite_problems

    assert _has_non_finite(value) == bool(non_finite_problems(value))
