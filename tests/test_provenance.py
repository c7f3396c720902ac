# SPDX-License-Identifier: MIT
"""Provenance canonicalisation: the fast JCS serialiser equals the reference rfc8785
package byte for byte; rounding to 10 significant digits."""

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
    max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_fast_jcs_equals_rfc8785(value):
    assert provenance.canonical(value) == rfc8785.dumps(value)


@settings(max_examples=2000, deadline=None)
@given(finite)
def test_fast_jcs_numbers_equal_rfc8785(x):
    assert provenance.canonical(x) == rfc8785.dumps(x)


@pytest.mark.parametrize("x", [1e21, 1e-7, 1.5e-7, 123456789012345680000.0, 0.1, -0.0, 5e-324, 1.7976931348623157e308,
                               1e16, 2**53 + 0.0, 0.000001, 100.0, -12.5e10])
def test_fast_jcs_edge_numbers(x):
    assert provenance.canonical(x) == rfc8785.dumps(x)


def test_non_bmp_key_order_utf16():
    obj = {"\U0001F600": 1, "\ufb01": 2, "a": 3}
    assert provenance.canonical(obj) == rfc8785.dumps(obj)


def test_round_sig():
    assert provenance.round_sig(1.23456789012345) == 1.23456789
    assert provenance.round_sig(123456789012.345) == 123456789000.0
    assert provenance.round_sig(-0.0) == 0.0 and math.copysign(1, provenance.round_sig(-0.0)) == 1
    with pytest.raises(ValueError):
        provenance.round_sig(float("nan"))
