# SPDX-License-Identifier: MIT
"""Tampering with the ledger directly in the database is detected and named (kind + seq)."""

from __future__ import annotations

import pytest
from _store_helpers import fill, sql

from condensync_tools.store import Store
from condensync_tools.store.canonical import entry_hash
from condensync_tools.store.models import LedgerEntryRow

N = 10


def assert_problem(store: Store, kind: str, seq: int) -> None:
    report = store.verify()
    assert not report.ok, report
    p = report.first_problem
    assert (p.kind, p.seq) == (kind, seq), p
    assert "FAILED" in report.summary()


@pytest.fixture
def chain(store: Store) -> Store:
    fill(store, N)
    assert store.verify().ok
    return store


def _rehash(store: Store, seq: int) -> None:
    """Recompute and store entry ``seq``'s own hash (a smarter forger)."""
    with store.engine.begin() as conn:
        t = LedgerEntryRow.__table__
        row = conn.execute(t.select().where(t.c.seq == seq)).one()
        fields = {c: getattr(row, c) for c in row._fields if c != "entry_hash"}
        conn.execute(t.update().where(t.c.seq == seq).values(entry_hash=entry_hash(**fields)))


def test_edit_content(chain: Store) -> None:
    sql(chain, "UPDATE ledger_entries SET result_json = :v WHERE seq = 4", v='{"cleanliness_factor":0.99}')
    assert_problem(chain, "edited", 4)


@pytest.mark.parametrize(
    "column,value",
    [
        ("tool", "other_tool"),
        ("duration_ms", 99.0),
        ("caller", None),
        ("entry_hash", "0" * 64),
        ("prev_hash", "1" * 64),
    ],
)
def test_edit_any_column(chain: Store, column: str, value: object) -> None:
    sql(chain, f"UPDATE ledger_entries SET {column} = :v WHERE seq = 6", v=value)
    assert_problem(chain, "edited", 6)


def test_edit_with_recomputed_hash_names_the_rewritten_entry(chain: Store) -> None:
    sql(chain, "UPDATE ledger_entries SET arguments_json = :v WHERE seq = 5", v='{"forged":true}')
    _rehash(chain, 5)
    assert_problem(chain, "edited", 5)


def test_edit_last_entry_with_recomputed_hash(chain: Store) -> None:
    sql(chain, "UPDATE ledger_entries SET error = 'x' WHERE seq = :n", n=N)
    _rehash(chain, N)
    assert_problem(chain, "edited", N)


def test_delete_middle(chain: Store) -> None:
    sql(chain, "DELETE FROM ledger_entries WHERE seq = 3")
    assert_problem(chain, "deleted", 3)


def test_delete_first(chain: Store) -> None:
    sql(chain, "DELETE FROM ledger_entries WHERE seq = 1")
    assert_problem(chain, "deleted", 1)


def test_delete_tail(chain: Store) -> None:
    sql(chain, "DELETE FROM ledger_entries WHERE seq >= 9")
    assert_problem(chain, "deleted", 9)


def _shift_up_from(store: Store, seq: int) -> None:
    """Renumber entries >= seq to seq+1 (two steps, so the primary key never collides)."""
    sql(store, "UPDATE ledger_entries SET seq = -seq WHERE seq >= :s", s=seq)
    sql(store, "UPDATE ledger_entries SET seq = 1 - seq WHERE seq < 0")


def _copy_row_as(store: Store, src: int, dst: int) -> None:
    sql(
        store,
        "INSERT INTO ledger_entries (chain, seq, prev_hash, entry_hash, recorded_at, tool, tool_version, "
        "arguments_json, result_json, error, is_error, provenance_hash, caller, duration_ms, request_id) "
        "SELECT chain, :dst, prev_hash, entry_hash, recorded_at, 'forged', tool_version, arguments_json, "
        "result_json, error, is_error, provenance_hash, caller, duration_ms, request_id "
        "FROM ledger_entries WHERE seq = :src",
        dst=dst,
        src=src,
    )


def test_insert_forged_row_with_valid_own_hash(chain: Store) -> None:
    """A forged entry at 5 that links to entry 4 and has a correct own hash; later ones renumbered."""
    _shift_up_from(chain, 5)
    _copy_row_as(chain, 6, 5)  # the old entry 5 (now 6) links to entry 4
    _rehash(chain, 5)
    assert_problem(chain, "inserted", 5)


def test_insert_garbage_row(chain: Store) -> None:
    _shift_up_from(chain, 5)
    _copy_row_as(chain, 2, 5)
    assert_problem(chain, "inserted", 5)


def test_insert_after_tail(chain: Store) -> None:
    _copy_row_as(chain, 3, N + 1)
    assert_problem(chain, "inserted", N + 1)


def test_insert_after_tail_with_valid_link(chain: Store) -> None:
    """Appended behind the ledger's back with a correct link and hash: the head exposes it."""
    _copy_row_as(chain, N, N + 1)
    last = chain.get_entry(N)
    sql(chain, "UPDATE ledger_entries SET prev_hash = :h WHERE seq = :s", h=last.entry_hash, s=N + 1)
    _rehash(chain, N + 1)
    assert_problem(chain, "inserted", N + 1)


def test_reorder_swap_adjacent(chain: Store) -> None:
    sql(chain, "UPDATE ledger_entries SET seq = -5 WHERE seq = 5")
    sql(chain, "UPDATE ledger_entries SET seq = 5 WHERE seq = 6")
    sql(chain, "UPDATE ledger_entries SET seq = 6 WHERE seq = -5")
    assert_problem(chain, "reordered", 5)


def test_reorder_swap_distant(chain: Store) -> None:
    sql(chain, "UPDATE ledger_entries SET seq = -3 WHERE seq = 3")
    sql(chain, "UPDATE ledger_entries SET seq = 3 WHERE seq = 8")
    sql(chain, "UPDATE ledger_entries SET seq = 8 WHERE seq = -3")
    assert_problem(chain, "reordered", 3)


def test_reorder_move_entry_out_of_place(chain: Store) -> None:
    sql(chain, "UPDATE ledger_entries SET seq = 100 WHERE seq = 4")
    assert_problem(chain, "reordered", 4)


def test_head_row_deleted(chain: Store) -> None:
    sql(chain, "DELETE FROM ledger_chain_heads")
    assert_problem(chain, "head", None)  # type: ignore[arg-type]


def test_only_first_problem_is_reported(chain: Store) -> None:
    sql(chain, "UPDATE ledger_entries SET tool = 'x' WHERE seq IN (3, 7)")
    sql(chain, "DELETE FROM ledger_entries WHERE seq = 9")
    report = chain.verify()
    assert report.first_problem.seq == 3 and report.checked == 2
