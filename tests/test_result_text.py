# SPDX-License-Identifier: MIT
"""The canonical text of a result, built once: ``CallOutcome.result_text`` (the output hash's
member texts plus the provenance) is the RFC 8785 text of the result for every golden case of
every tool, and the ledger stores that text for the entry."""

from __future__ import annotations

import copy
import json

import rfc8785

from condensync_tools import golden, provenance, registry
from condensync_tools.recording import StoreRecorder
from condensync_tools.store import Store
from condensync_tools.store.models import LedgerEntryRow


def test_result_text_is_the_canonical_text_of_every_golden_result() -> None:
    checked = 0
    for path in golden.iter_cases(golden.REPO_GOLDEN_DIR):
        case = json.loads(path.read_text("utf-8"))
        out = registry.execute(path.parent.name, case["arguments"])
        if out.result is None:
            assert out.result_text is None
            continue
        assert out.result_text == provenance.json_text(out.result) == rfc8785.dumps(out.result).decode("utf-8")
        checked += 1
    assert checked >= 30  # every golden success (the other cases are errors)


def test_the_ledger_stores_the_result_text(tmp_path) -> None:
    from _tool_cases import HT_MINIMAL
    from sqlalchemy import select

    store = Store(f"sqlite:///{tmp_path / 'l.db'}", auto_upgrade=True, witness_path=tmp_path / "w.jsonl")
    try:
        seen = {}

        class Keep(StoreRecorder):
            def record(self, outcome):
                seen["result"] = copy.deepcopy(outcome.result)  # before the receipt is added
                seen["text"] = outcome.result_text
                super().record(outcome)

        out = registry.execute(
            "calculate_heat_transfer_coefficient", HT_MINIMAL, registry.ExecutionContext(recorder=Keep(store))
        )
        assert out.error is None and out.receipt is not None
        with store.engine.connect() as conn:
            stored = conn.execute(select(LedgerEntryRow.result_json)).scalar_one()
        assert stored == seen["text"] == provenance.json_text(seen["result"])
        assert store.verify().ok
    finally:
        store.close()
