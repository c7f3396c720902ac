# SPDX-License-Identifier: MIT
"""Group commit: concurrent appends share commits, keep chain order = commit order, and every
call still gets a receipt whose signed head covers its own entry."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest
from _store_helpers import make_record

from condensync_tools.store import CallRecord, Store
from condensync_tools.store.group_commit import GroupCommit
from condensync_tools.store.witness import read_witness


def _append_from_threads(store: Store, threads: int, per_thread: int) -> list:
    start = threading.Barrier(threads)
    entries: list = []
    lock = threading.Lock()

    def work(k: int) -> None:
        start.wait(30)
        for i in range(per_thread):
            e = store.append_call(make_record(k * per_thread + i))
            with lock:
                entries.append(e)

    pool = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(120)
    return entries


def test_concurrent_appends_share_commits(store: Store) -> None:
    entries = _append_from_threads(store, threads=8, per_thread=12)
    n = len(entries)
    assert n == 96
    assert sorted(e.seq for e in entries) == list(range(1, n + 1))
    # Fewer commits than calls: callers that queued during a commit were written together.
    assert store._group.items == n and store._group.groups < n
    report = store.verify()
    assert report.ok and report.checked == n, report
    by_seq = {e.seq: e for e in entries}
    for e in entries:
        head = e.receipt["signed_head"]
        assert (e.receipt["seq"], e.receipt["entry_hash"]) == (e.seq, e.entry_hash)
        assert head["seq"] >= e.seq and store.signer().verify_head(head)
        assert by_seq[head["seq"]].entry_hash == head["hash"]  # the group's last entry
    # One signed head per commit, in commit order.
    witnessed = read_witness([store.witness_path], store.chain).heads
    assert len(witnessed) == store._group.groups
    assert [h["seq"] for h in witnessed] == sorted({e.receipt["signed_head"]["seq"] for e in entries})


def test_a_lone_caller_is_not_delayed_into_a_group(store: Store) -> None:
    for i in range(5):
        store.append_call(make_record(i))
    assert (store._group.groups, store._group.items) == (5, 5)


def test_group_failure_reaches_every_caller_of_that_group_only() -> None:
    """flush's own exception goes to the whole group; a per-item exception to that item's caller."""
    seen: list[list[int]] = []

    def flush(items: Sequence[int]) -> list[int | BaseException]:
        seen.append(list(items))
        return [ValueError(f"bad {i}") if i < 0 else i * 10 for i in items]

    group = GroupCommit(flush)
    assert group.submit(3) == 30
    with pytest.raises(ValueError, match="bad -1"):
        group.submit(-1)
    assert group.submit(4) == 40

    def broken(items: Sequence[int]) -> list[int]:
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        GroupCommit(broken).submit(1)
    assert seen == [[3], [-1], [4]]


def test_one_refused_record_fails_only_its_own_call(store: Store) -> None:
    """A group that fails before its commit is retried one record at a time."""
    from condensync_tools.store import ledger

    good = [ledger.prepare(make_record(i), store.chain) for i in range(3)]
    bad = ledger.prepare(CallRecord("t", "1", {}, duration_ms=0.0), store.chain)
    bad = ledger.PreparedRecord({**bad.values, "tool": None}, bad.parts, bad.arguments, bad.result)  # NOT NULL
    out = ledger.append_group(store.engine, [good[0], bad, good[1], good[2]], store.chain)
    assert [type(x).__name__ for x in out][0] == "LedgerEntry" and isinstance(out[1], Exception)
    assert [x.seq for x in (out[0], out[2], out[3])] == [1, 2, 3]
    assert store.verify().ok
