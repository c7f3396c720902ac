# SPDX-License-Identifier: MIT
"""Signed chain heads in a witness file outside the database: truncation and a rewritten tail
(with recomputed hashes and chain head) are detected by verify, with and without
CONDENSYNC_LEDGER_KEY; every append returns a receipt that proves the call is in the ledger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _store_helpers import fill, make_record, sql

from condensync_tools.store import Store
from condensync_tools.store.canonical import entry_hash
from condensync_tools.store.cli_support import audit_public_key, audit_verify, audit_verify_receipt
from condensync_tools.store.models import LedgerEntryRow
from condensync_tools.store.witness import HeadSigner, default_data_dir, read_witness

N = 10


@pytest.fixture(params=["ed25519", "hmac"])
def keyed(request: pytest.FixtureRequest, store_url: str, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A store with N entries, its heads signed by the generated Ed25519 key or by the HMAC key."""
    if request.param == "hmac":
        monkeypatch.setenv("CONDENSYNC_LEDGER_KEY", "plant-secret-key")
    else:
        monkeypatch.delenv("CONDENSYNC_LEDGER_KEY", raising=False)
    s = Store(store_url)
    fill(s, N)
    assert s.verify().ok
    try:
        yield s
    finally:
        s.close()


def _truncate(store: Store, keep: int) -> None:
    """The attack: delete the newest entries and move the chain head back (one transaction)."""
    last = store.get_entry(keep)
    assert last is not None
    with store.engine.begin() as conn:
        conn.execute(LedgerEntryRow.__table__.delete().where(LedgerEntryRow.__table__.c.seq > keep))
    sql(store, "UPDATE ledger_chain_heads SET last_seq = :s, last_hash = :h", s=keep, h=last.entry_hash)


def test_truncation_is_detected(keyed: Store) -> None:
    _truncate(keyed, N - 3)
    report = keyed.verify()
    assert not report.ok and report.checked == N - 3
    p = report.first_problem
    assert (p.kind, p.seq) == ("deleted", N - 2), p
    assert "truncated" in p.detail and f"seq {N}" in p.detail
    assert report.witness["heads"] == N and report.witness["max_seq"] == N
    assert report.witness["signatures_verified"] == 1 and report.witness["unverified"] == 0


def test_head_statement_is_rfc8785() -> None:
    import rfc8785

    from condensync_tools.store.witness import HEAD_TYPE, head_statement

    args = ('chaîne-\u2028"x', 2**40, "ab" * 32, "2026-12-07T01:02:03.000004Z")
    expected = {"type": HEAD_TYPE, "chain": args[0], "seq": args[1], "hash": args[2], "signed_at": args[3]}
    assert head_statement(*args) == rfc8785.dumps(expected)


def test_rewritten_last_entry_with_recomputed_hash_and_head_is_detected(keyed: Store) -> None:
    t = LedgerEntryRow.__table__
    with keyed.engine.begin() as conn:
        conn.execute(t.update().where(t.c.seq == N).values(result_json='{"cleanliness_factor":0.99}'))
        row = conn.execute(t.select().where(t.c.seq == N)).one()
        forged = entry_hash(**{c: getattr(row, c) for c in row._fields if c != "entry_hash"})
        conn.execute(t.update().where(t.c.seq == N).values(entry_hash=forged))
    sql(keyed, "UPDATE ledger_chain_heads SET last_hash = :h", h=forged)
    report = keyed.verify()
    assert not report.ok
    p = report.first_problem
    assert (p.kind, p.seq) == ("edited", N) and "witnessed" in p.detail, p


def test_entries_appended_after_truncation_still_show_it(keyed: Store) -> None:
    """Truncate, then let the service append again: the new entries reuse the deleted seqs with
    other hashes than the witnessed ones."""
    _truncate(keyed, N - 3)
    fill(keyed, 5)
    report = keyed.verify()
    assert not report.ok and (report.first_problem.kind, report.first_problem.seq) == ("edited", N - 2)


def test_receipts_and_witness_lines(keyed: Store) -> None:
    entry = keyed.append_call(make_record(99))
    receipt = entry.receipt
    assert receipt is not None and (receipt["seq"], receipt["entry_hash"]) == (entry.seq, entry.entry_hash)
    head = receipt["signed_head"]
    assert (head["seq"], head["hash"], head["chain"]) == (entry.seq, entry.entry_hash, "main")
    assert keyed.signer().verify_head(head)
    assert head["alg"] == keyed.signer().alg
    assert "receipt" not in entry.to_dict()  # not part of the hashed entry / export
    lines = keyed.witness_path.read_text("utf-8").splitlines()
    assert len(lines) == N + 1 and json.loads(lines[-1]) == head
    doc = {"provenance": {"receipt": receipt}, **{"x": 1}}  # a receipt inside a result
    assert audit_verify_receipt(keyed_url(keyed), receipt).ok
    assert audit_verify_receipt(keyed_url(keyed), {**receipt, "entry_hash": "0" * 64}).problem
    assert not audit_verify_receipt(keyed_url(keyed), doc).ok  # result differs from the entry's


def keyed_url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def test_forged_witness_line_is_reported(keyed: Store) -> None:
    head = keyed.append_call(make_record(50)).receipt["signed_head"]
    forged = {**head, "seq": head["seq"] + 5, "hash": "f" * 64}
    with open(keyed.witness_path, "a", encoding="utf-8") as f:
        f.write(json.dumps(forged) + "\n")
    p = keyed.verify().first_problem
    assert p is not None and p.kind == "witness" and "invalid signature" in p.detail


def test_torn_last_line_after_a_crash_is_ignored(keyed: Store) -> None:
    with open(keyed.witness_path, "a", encoding="utf-8") as f:
        f.write('{"type":"condensync-ledger-head/1","chain":"main","se')
    report = keyed.verify()
    assert report.ok and report.witness["torn_tail"], report


def test_public_key_verification_and_wrong_key(store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("CONDENSYNC_LEDGER_KEY", raising=False)
    with Store(store_url) as s:
        fill(s, 3)
        pem = audit_public_key(store_url)
        assert pem.startswith("-----BEGIN PUBLIC KEY-----")
        key_file = default_data_dir() / "ledger-signing-key.pem"
        assert key_file.stat().st_mode & 0o777 == 0o600  # the private key: owner only
        assert s.verify(public_key_pem=pem).witness["signed_by"] == s.signer().key_id
        other = HeadSigner.ed25519(
            __import__("cryptography.hazmat.primitives.asymmetric.ed25519", fromlist=["x"]).Ed25519PrivateKey.generate()
        )
        report = s.verify(public_key_pem=other.public_key_pem())
        assert report.ok and report.witness["unverified"] == 3  # checked as a prefix, signature unchecked
        _truncate(s, 1)
        assert not audit_verify(store_url, public_key_pem=pem).ok


def test_two_stores_on_one_database_share_the_chain_each_with_its_witness(
    store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Two replicas on one database: interleaved appends, one witness each; every witnessed
    head of either is a prefix of the shared chain."""
    monkeypatch.delenv("CONDENSYNC_LEDGER_KEY", raising=False)
    a = Store(store_url, witness_path=tmp_path / "a.jsonl")
    b = Store(store_url, witness_path=tmp_path / "b.jsonl")
    try:
        for i in range(6):
            (a if i % 2 else b).append_call(make_record(i))
        assert a.verify().ok and b.verify().ok
        assert len(read_witness([tmp_path / "a.jsonl"], "main").heads) == 3
        _truncate(a, 4)
        assert a.verify().first_problem.kind == "deleted"  # a witnessed seq 6
        assert b.verify().first_problem.kind == "deleted"  # b witnessed seq 5
    finally:
        a.close()
        b.close()
