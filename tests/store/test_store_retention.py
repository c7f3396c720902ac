# SPDX-License-Identifier: MIT
"""Retention: pruning with checkpoints keeps the chain verifiable; aggregates are right."""

from __future__ import annotations

from datetime import timedelta

import pytest
from _store_helpers import T0, fill, make_record, sql

from condensync_tools.store import LedgerIntegrityError, RetentionPolicy, Store
from condensync_tools.store.canonical import checkpoint_canonical, sha256_hex
from condensync_tools.store.models import CheckpointRow

NOW = T0 + timedelta(days=200)  # raw horizon: T0 + 110 days


def _fill_spread(store: Store, n: int = 30, every_days: int = 5) -> None:
    for i in range(n):
        store.append_call(make_record(i, at=T0 + timedelta(days=every_days * i)))


def _count(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        from sqlalchemy import text

        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


@pytest.fixture
def pruned(store: Store) -> Store:
    _fill_spread(store)
    report = store.prune(RetentionPolicy(), NOW)
    (cp,) = report.checkpoints
    assert (cp.ordinal, cp.first_seq, cp.last_seq, cp.entry_count, cp.signed) == (1, 1, 22, 22, False)
    assert report.ledger_entries_pruned == 22 and _count(store, "ledger_entries") == 8
    return store


def test_pruned_chain_verifies_from_checkpoint(pruned: Store) -> None:
    r = pruned.verify()
    assert r.ok, r
    assert (r.checked, r.first_seq, r.last_seq, r.checkpoints) == (8, 23, 30, 1)
    e = pruned.append_call(make_record(99, at=NOW))
    assert e.seq == 31 and pruned.verify().ok


def test_prune_is_idempotent(pruned: Store) -> None:
    assert pruned.prune(RetentionPolicy(), NOW).checkpoints == ()
    assert pruned.verify().ok


def test_second_prune_links_checkpoints(pruned: Store) -> None:
    report = pruned.prune(RetentionPolicy(), NOW + timedelta(days=20))
    (cp,) = report.checkpoints
    assert (cp.ordinal, cp.first_seq, cp.last_seq) == (2, 23, 26)
    r = pruned.verify()
    assert r.ok and r.checkpoints == 2 and r.first_seq == 27


def test_prune_everything_then_append(pruned: Store) -> None:
    pruned.prune(RetentionPolicy(), NOW + timedelta(days=1000))
    assert _count(pruned, "ledger_entries") == 0
    r = pruned.verify()
    assert r.ok and r.checked == 0 and r.last_hash is not None
    assert pruned.append_call(make_record(1, at=NOW + timedelta(days=1000))).seq == 31
    assert pruned.verify().ok


def test_small_batches_write_several_checkpoints(store: Store) -> None:
    _fill_spread(store)
    report = store.prune(RetentionPolicy(ledger_batch=10), NOW)
    assert [(c.first_seq, c.last_seq) for c in report.checkpoints] == [(1, 10), (11, 20), (21, 22)]
    assert store.verify().ok


def test_tampering_after_checkpoint_detected(pruned: Store) -> None:
    sql(pruned, "UPDATE ledger_entries SET tool = 'forged' WHERE seq = 25")
    r = pruned.verify()
    assert (r.first_problem.kind, r.first_problem.seq) == ("edited", 25)


def test_first_entry_after_checkpoint_must_link(pruned: Store) -> None:
    sql(pruned, "DELETE FROM ledger_entries WHERE seq = 23")
    r = pruned.verify()
    assert (r.first_problem.kind, r.first_problem.seq) == ("deleted", 23)


def test_edited_checkpoint_detected(pruned: Store) -> None:
    sql(pruned, "UPDATE ledger_checkpoints SET entry_count = 21")
    r = pruned.verify()
    assert r.first_problem.kind == "checkpoint" and "edited" in r.first_problem.detail


def _forge_checkpoint(store: Store, *, update_head: bool, **changes: object) -> None:
    """Change a checkpoint and recompute its hash (what a forger without the key can do)."""
    t = CheckpointRow.__table__
    with store.engine.begin() as conn:
        row = conn.execute(t.select()).one()
        fields = {c: getattr(row, c) for c in row._fields if c not in ("checkpoint_hash", "signature")}
        fields.update(changes)
        h = sha256_hex(checkpoint_canonical(**fields))
        conn.execute(t.update().values(checkpoint_hash=h, **changes))
        if update_head:
            from sqlalchemy import text

            conn.execute(text("UPDATE ledger_chain_heads SET checkpoint_hash = :h"), {"h": h})


def test_rehashed_checkpoint_detected_by_head(pruned: Store) -> None:
    _forge_checkpoint(pruned, update_head=False, last_entry_hash="e" * 64)
    assert pruned.verify().first_problem.kind == "checkpoint"


def test_rehashed_checkpoint_and_head_detected_by_link(pruned: Store) -> None:
    _forge_checkpoint(pruned, update_head=True, last_entry_hash="e" * 64)
    r = pruned.verify()
    assert (r.first_problem.kind, r.first_problem.seq) == ("edited", 23)


def test_deleted_checkpoint_detected(pruned: Store) -> None:
    sql(pruned, "DELETE FROM ledger_checkpoints")
    assert pruned.verify().first_problem.kind == "checkpoint"


def test_prune_refuses_tampered_chain(store: Store) -> None:
    _fill_spread(store)
    sql(store, "UPDATE ledger_entries SET caller = 'mallory' WHERE seq = 5")
    with pytest.raises(LedgerIntegrityError) as err:
        store.prune(RetentionPolicy(), NOW)
    assert (err.value.problem.kind, err.value.problem.seq) == ("edited", 5)
    assert _count(store, "ledger_entries") == 30 and _count(store, "ledger_checkpoints") == 0


def test_keep_ledger_policy(store: Store) -> None:
    _fill_spread(store)
    assert store.prune(RetentionPolicy(prune_ledger=False), NOW).checkpoints == ()
    assert _count(store, "ledger_entries") == 30


def test_policy_validation() -> None:
    with pytest.raises(ValueError):
        RetentionPolicy(raw_days=0)


# ------------------------------------------------------------------ signed checkpoints


@pytest.fixture
def signed(store_url: str) -> Store:
    s = Store(store_url, ledger_key="plant-secret")
    _fill_spread(s)
    (cp,) = s.prune(RetentionPolicy(), NOW).checkpoints
    assert cp.signed
    yield s
    s.close()


def test_signed_checkpoint_verifies_with_key(signed: Store, store_url: str) -> None:
    r = signed.verify()
    assert r.ok and r.signatures_checked
    with Store(store_url, ledger_key=None) as unkeyed:
        r2 = unkeyed.verify()
        assert r2.ok and not r2.signatures_checked


def test_forged_signed_checkpoint_detected(signed: Store) -> None:
    _forge_checkpoint(signed, update_head=True, entry_count=22, span_start=T0 - timedelta(days=1))
    r = signed.verify()
    assert r.first_problem.kind == "checkpoint" and "signature" in r.first_problem.detail


def test_wrong_key_detected(signed: Store, store_url: str) -> None:
    with Store(store_url, ledger_key="other") as s:
        assert s.verify().first_problem.kind == "checkpoint"


def test_unsigned_checkpoint_rejected_when_key_set(pruned: Store, store_url: str) -> None:
    with Store(store_url, ledger_key="plant-secret") as s:
        r = s.verify()
        assert r.first_problem.kind == "checkpoint" and "unsigned" in r.first_problem.detail


def test_key_from_environment(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONDENSYNC_LEDGER_KEY", "env-secret")
    with Store(store_url) as s:
        fill(s, 1)
        s.append_call(make_record(2, at=NOW))
        (cp,) = s.prune(RetentionPolicy(), NOW).checkpoints
        assert cp.signed and s.verify().signatures_checked


# ------------------------------------------------------------------------ history


def test_events_aggregated_then_pruned(store: Store) -> None:
    readings = [
        {
            "name": "cw_inlet_temp",
            "value": float(k),
            "unit": "°F",
            "quality": "good",
            "source": "sim",
            "source_timestamp": T0 + timedelta(minutes=20 * k),
        }
        for k in range(3 * 72)  # three days, three readings an hour
    ]
    store.record_readings("C1", readings)
    store.record_event("C1", "alert", "air", T0, payload={"x": 1})  # no value: not aggregated, but pruned
    report = store.prune(RetentionPolicy(), T0 + timedelta(days=92))  # raw horizon T0 + 2 days
    assert report.events_pruned == 2 * 72 + 1
    hourly = store.aggregates("C1", "hourly")
    assert len(hourly) == 48
    assert hourly[0] == {
        "bucket_start": "2025-01-01T00:00:00Z",
        "name": "cw_inlet_temp",
        "unit": "°F",
        "count": 3,
        "min": 0.0,
        "mean": 1.0,
        "max": 2.0,
    }
    daily = store.aggregates("C1", "daily")
    assert [(d["count"], d["min"], d["max"]) for d in daily] == [(72, 0.0, 71.0), (72, 72.0, 143.0)]
    assert daily[1]["mean"] == pytest.approx(107.5)
    assert len(store.readings("C1")) == 72

    # A year later the hourly buckets expire, the daily ones stay.
    report = store.prune(RetentionPolicy(), T0 + timedelta(days=2 + 366))
    assert report.hourly_pruned >= 48 and store.aggregates("C1", "hourly") == []
    assert len(store.aggregates("C1", "daily")) == 3
    assert store.prune(RetentionPolicy(), T0 + timedelta(days=8 * 365)).daily_pruned == 3


def test_bucket_split_by_horizon_is_merged(store: Store) -> None:
    store.record_readings(
        "C1",
        [
            {"name": "p", "value": v, "unit": "kPa", "source_timestamp": T0 + timedelta(minutes=m)}
            for m, v in [(10, 1.0), (20, 5.0), (40, 3.0), (50, 7.0)]
        ],
    )
    store.prune(RetentionPolicy(raw_days=1), T0 + timedelta(days=1, minutes=30))  # takes minutes 10, 20
    assert store.aggregates("C1")[0]["count"] == 2
    store.prune(RetentionPolicy(raw_days=1), T0 + timedelta(days=2))
    (h,) = store.aggregates("C1")
    assert (h["count"], h["min"], h["mean"], h["max"]) == (4, 1.0, 4.0, 7.0)
    (d,) = store.aggregates("C1", "daily")
    assert d["count"] == 4 and d["mean"] == 4.0


def test_fouling_history_survives_result_pruning(store: Store) -> None:
    for day in range(20):
        cf = 0.9 - 0.01 * day
        store.record_result(
            "C1",
            "calculate_heat_transfer_coefficient",
            T0 + timedelta(days=day),
            {
                "cleanliness_factor": cf,
                "fouling_resistance": 1e-4 * day,
                "units": {"fouling_resistance": "m²·K/W"},
            },
            cleanliness_factor=cf,
            fouling_resistance=1e-4 * day,
            fouling_resistance_unit="m²·K/W",
        )
    before = store.fouling_history("C1")
    report = store.prune(RetentionPolicy(raw_days=10), T0 + timedelta(days=20))
    assert report.results_pruned == 10 and len(store.results("C1")) == 10
    after = store.fouling_history("C1")
    assert [p["timestamp"] for p in after] == [p["timestamp"] for p in before]
    for a, b in zip(after, before, strict=True):
        assert a["cleanliness_factor"] == pytest.approx(b["cleanliness_factor"])
        assert a["fouling_resistance"] == pytest.approx(b["fouling_resistance"], abs=1e-15)
    assert store.fouling_history("C1", unit_system="SI")[3]["fouling_resistance"] == pytest.approx(3e-4)
