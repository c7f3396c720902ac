# SPDX-License-Identifier: MIT
"""CLI support functions: verify, show, export (third-party re-verification), upgrade."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from _store_helpers import T0, fill, make_record, sql

from condensync_tools.store import RetentionPolicy, Store
from condensync_tools.store import cli_support as cli


def test_db_upgrade_and_status(empty_url: str) -> None:
    assert cli.db_status(empty_url).state == "empty"
    assert cli.db_upgrade(empty_url).state == "current"
    assert cli.db_status(empty_url).state == "current"


def test_audit_verify_and_show(store: Store, store_url: str) -> None:
    fill(store, 5)
    report = cli.audit_verify(store_url)
    assert report.ok and report.checked == 5
    assert report.to_dict()["first_problem"] is None
    shown = cli.audit_show(store_url, last=2)
    assert [e["seq"] for e in shown] == [4, 5] and shown[1]["entry_hash"] == report.last_hash
    assert cli.audit_show(store_url, seq=3)[0]["request_id"] == "req-2"
    assert cli.audit_show(store_url, seq=42) == []
    sql(store, "UPDATE ledger_entries SET tool = 'x' WHERE seq = 2")
    bad = cli.audit_verify(store_url)
    assert not bad.ok and bad.to_dict()["first_problem"] == {
        "seq": 2,
        "kind": "edited",
        "detail": bad.first_problem.detail,
    }


def test_export_reverifies_independently(store: Store, store_url: str, tmp_path: Path) -> None:
    for i in range(12):
        store.append_call(make_record(i, at=T0 + timedelta(days=10 * i), error=(i % 4 == 3)))
    store.prune(RetentionPolicy(), T0 + timedelta(days=150))  # prunes a prefix: checkpoint in the export
    path = tmp_path / "ledger.jsonl"
    n = cli.audit_export(store_url, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["format"] == cli.EXPORT_FORMAT and len(header["checkpoints"]) == 1
    assert n == len(lines) - 1 == store.verify().checked
    report = cli.verify_export(path)
    assert report.ok and report.checked == n and report.last_hash == store.verify().last_hash

    # Tamper with one exported line: the file no longer verifies.
    entry = json.loads(lines[3])
    entry["result"] = {"cleanliness_factor": 1.0}
    lines[3] = json.dumps(entry)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad = cli.verify_export(path)
    assert not bad.ok and bad.first_problem.kind == "edited" and bad.first_problem.seq == entry["seq"]


def test_export_to_file_object_and_bad_format(store: Store, store_url: str) -> None:
    fill(store, 2)
    buf = io.StringIO()
    assert cli.audit_export(store_url, buf) == 2
    assert len(buf.getvalue().splitlines()) == 3
    with pytest.raises(ValueError, match="jsonl"):
        cli.audit_export(store_url, buf, fmt="csv")


def test_db_prune(store: Store, store_url: str) -> None:
    for i in range(3):
        store.append_call(make_record(i, at=T0 + timedelta(days=100 * i)))
    report = cli.db_prune(store_url, RetentionPolicy(), T0 + timedelta(days=250))
    assert report.ledger_entries_pruned == 2 and cli.audit_verify(store_url).ok
