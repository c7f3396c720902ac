# SPDX-License-Identifier: MIT
"""Ledger appends, hashing and lookups (both backends) plus canonical-form properties."""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta, timezone

import pytest
import rfc8785
from _store_helpers import T0, fill, make_record
from hypothesis import given, settings
from hypothesis import strategies as st

from condensync_tools.store import CallRecord, Store
from condensync_tools.store.canonical import GENESIS_HASH, canonical_text, entry_canonical, jsonable, loads


def third_party_hash(entry_dict: dict) -> str:
    """What an outside verifier computes: SHA-256 of RFC 8785 of the entry minus its hash."""
    body = {k: v for k, v in entry_dict.items() if k != "entry_hash"}
    return hashlib.sha256(rfc8785.dumps(body)).hexdigest()


def test_append_chains_entries(store: Store) -> None:
    entries = fill(store, 5)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS_HASH
    for a, b in zip(entries, entries[1:], strict=False):
        assert b.prev_hash == a.entry_hash
    for e in entries:
        assert third_party_hash(e.to_dict()) == e.entry_hash
    report = store.verify()
    assert report.ok and report.checked == 5 and report.last_seq == 5
    assert report.last_hash == entries[-1].entry_hash
    assert "OK" in report.summary()


def test_stored_entry_round_trips(store: Store) -> None:
    appended = store.append_call(make_record(7))
    stored = store.get_entry(1)
    assert stored == appended
    assert stored.arguments["cw_inlet_temp"] == pytest.approx(70.7)
    assert stored.recorded_at == T0 + timedelta(seconds=7)
    assert stored.recorded_at.tzinfo is not None
    assert store.get_entry(2) is None


def test_error_calls_are_recorded(store: Store) -> None:
    e = store.append_call(make_record(1, error=True))
    got = store.get_entry(e.seq)
    assert got.is_error and got.result is None and "cw_inlet_temp" in got.error
    assert got.provenance_hash is None
    assert store.verify().ok


def test_awkward_values_are_made_canonical(store: Store) -> None:
    naive = datetime(2025, 3, 1, 12, 0, 0, 123456)
    rec = CallRecord(
        tool="t\x00ool",
        tool_version="1",
        arguments={
            "nan": math.nan,
            "inf": -math.inf,
            "big": 2**70,
            "tuple": (1, 2),
            3: "int key",
            "s": "a\x00b",
        },
        result={"when": datetime(2025, 1, 1, 1, tzinfo=timezone(timedelta(hours=2))), "bytes": b"\x01"},
        caller="x\ud800y",
        duration_ms=1.23456789,
        recorded_at=naive,
    )
    e = store.append_call(rec)
    got = store.get_entry(e.seq)
    assert got.arguments == {
        "nan": "NaN",
        "inf": "-Infinity",
        "big": str(2**70),
        "tuple": [1, 2],
        "3": "int key",
        "s": "a\x00b",
    }
    assert got.result == {"when": "2024-12-31T23:00:00.000000Z", "bytes": "01"}
    assert got.tool == "t\ufffdool" and got.caller == "x\ufffdy"
    assert got.duration_ms == 1.235
    assert got.recorded_at == naive.replace(tzinfo=timezone.utc)
    assert third_party_hash(got.to_dict()) == got.entry_hash
    assert store.verify().ok


def test_duration_must_be_finite(store: Store) -> None:
    with pytest.raises(ValueError, match="duration_ms"):
        store.append_call(CallRecord("t", "1", {}, duration_ms=math.inf))


def test_find_by_provenance_hash_returns_latest_success(store: Store) -> None:
    h = "ab" * 32
    for i in range(3):
        store.append_call(CallRecord("t", "1", {"i": i}, {"v": i}, provenance_hash=h, recorded_at=T0 + timedelta(i)))
    store.append_call(
        CallRecord("t", "1", {"i": 9}, None, "boom", True, provenance_hash=h, recorded_at=T0 + timedelta(9))
    )
    found = store.find_by_provenance_hash(h)
    assert found is not None and found.seq == 3 and found.result == {"v": 2}
    assert store.find_by_provenance_hash("cd" * 32) is None


def test_last_and_iter_entries(store: Store) -> None:
    fill(store, 6)
    assert [e.seq for e in store.last_entries(3)] == [4, 5, 6]
    assert [e.seq for e in store.iter_entries(2)] == [2, 3, 4, 5, 6]


def test_chains_are_independent(store_url: str) -> None:
    with Store(store_url, chain="a") as a, Store(store_url, chain="b") as b:
        fill(a, 3)
        fill(b, 2)
        assert a.verify().ok and a.verify().checked == 3
        assert b.verify().ok and b.verify().checked == 2
        assert b.get_entry(3) is None


def test_empty_chain_verifies(store: Store) -> None:
    r = store.verify()
    assert r.ok and r.checked == 0 and r.first_problem is None


def test_ping(store: Store) -> None:
    assert store.ping() is True


def test_ping_false_when_unreachable(tmp_path) -> None:
    s = Store("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    assert s.ping() is False
    s.close()


@pytest.mark.asyncio
async def test_append_async(store: Store) -> None:
    e = await store.append_call_async(make_record(1))
    assert e.seq == 1 and store.verify().ok


# --------------------------------------------------------------- pure properties

_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=6), kids, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(
    args=st.dictionaries(st.text(max_size=6), _json, max_size=5),
    result=st.none() | st.dictionaries(st.text(max_size=6), _json, max_size=5),
    error=st.none() | st.text(max_size=10),
    seq=st.integers(1, 2**40),
    duration=st.floats(0, 1e7, allow_nan=False),
    when=st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1)),
)
def test_composed_canonical_form_equals_rfc8785(args, result, error, seq, duration, when) -> None:
    """The fast composition over stored canonical text equals RFC 8785 of the parsed entry."""
    fields = dict(
        chain="main",
        seq=seq,
        prev_hash="f" * 64,
        recorded_at=when,
        tool="tool",
        tool_version="1",
        arguments_json=canonical_text(args),
        result_json=None if result is None else canonical_text(result),
        error=error,
        is_error=error is not None,
        provenance_hash=None,
        caller="c",
        duration_ms=duration,
        request_id="r",
    )
    composed = entry_canonical(**fields)
    parsed = loads(composed)
    assert rfc8785.dumps(parsed).decode() == composed
    assert parsed["arguments"] == loads(rfc8785.dumps(jsonable(args)).decode())


_plain_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([0.0, -0.0, 1.0, 10.0, -20.0, 1e16, 1e-7, 123456789012345.6, 5e-324])
    | st.text(max_size=8),
    lambda kids: (
        st.lists(kids, max_size=6)
        | st.dictionaries(st.text(max_size=6), kids, max_size=8)
        | st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=6)  # units-like maps
        | st.dictionaries(
            st.text(max_size=6), st.floats(allow_nan=False, allow_infinity=False), min_size=4, max_size=12
        )
    ),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(value=_plain_json)
def test_canonical_text_of_plain_json_equals_rfc8785(value) -> None:
    """The store's own serialiser (templates, batched floats, cached string maps) writes
    exactly what rfc8785 writes, for any plain JSON value; repeated, to hit the caches."""
    expected = rfc8785.dumps(value).decode("utf-8")
    assert canonical_text(value) == expected
    assert canonical_text(value) == expected
    assert canonical_text({"x": value, "\U0001f600": 1, "\uff61": 2}) == rfc8785.dumps(
        {"x": value, "\U0001f600": 1, "\uff61": 2}
    ).decode("utf-8")
