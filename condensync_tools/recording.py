# SPDX-License-Identifier: MIT
"""The ledger recorder: every finished call → one audit-ledger entry (success or error),
committed before the call is answered; successful condenser results and the live readings
they used → condenser history. What history keeps of a result is what the tool declared
(:class:`~condensync_tools.registry.HistoryRecord` on the outcome); the parts of a combined
analysis declare nothing (the analysis declares for the snapshot). The entry's receipt (seq,
entry hash, signed head) is set on the outcome and, for a result, in ``provenance.receipt``
(outside the hashed core, like ``computed_at``; the ledger entry holds the result without it)."""

from __future__ import annotations

import hashlib
import json
import logging
import math
from datetime import datetime, timezone
from typing import Any

from .provenance import round_sig
from .registry import CallOutcome
from .validation import MAX_DEPTH, MAX_SAFE_INTEGER, describe_value

__all__ = ["StoreRecorder", "json_safe", "bounded_arguments", "MAX_REJECTED_ARGUMENTS_BYTES"]

log = logging.getLogger("condensync.recording")

RF_SI_UNIT = "m²·K/W"  #: unit of HistoryRecord.fouling_resistance as stored


#: Arguments of a rejected call are stored in full up to this size of JSON text [bytes];
#: a larger rejected call is stored as its size, SHA-256 and top-level fields.
MAX_REJECTED_ARGUMENTS_BYTES = 64 * 1024


def json_safe(value: Any, depth: int = 0) -> Any:
    """Arguments as received may hold NaN/Infinity, integers beyond the I-JSON range, lone
    surrogates, hostile nesting or non-JSON types: make them canonical-JSON-safe for the
    ledger (non-finite numbers become the strings "NaN", "Infinity"; integers beyond ±(2**53-1)
    their decimal text; strings and keys with lone surrogates their escaped text; containers
    nested deeper than MAX_DEPTH a short note)."""
    if type(value) is dict and depth < MAX_DEPTH and _flat_and_plain(value):
        return dict(value)  # the usual case (normalised arguments): nothing to change
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, str):
        return value if value.isascii() else value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, (dict, list, tuple)) and depth >= MAX_DEPTH:
        return f"<{type(value).__name__} nested deeper than {MAX_DEPTH} levels, not stored>"
    if isinstance(value, dict):
        return {json_safe(str(k)): json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v, depth + 1) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        return str(value) if value.bit_length() < 3000 else describe_value(value)
    if value is None or isinstance(value, (int, float, bool)):
        return value
    return json_safe(repr(value))


def _flat_and_plain(mapping: dict) -> bool:
    """True when every key is ASCII text and every value an ASCII string, a finite float, an
    integer within ±MAX_SAFE_INTEGER, a boolean or None: :func:`json_safe` returns such a dict
    unchanged, so it can skip the walk."""
    for key, value in mapping.items():
        if type(key) is not str or not key.isascii():
            return False
        t = type(value)
        if t is float:
            if value - value != 0.0:  # inf or nan
                return False
        elif t is str:
            if not value.isascii():
                return False
        elif t is int:
            if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
                return False
        elif value is not None and t is not bool:
            return False
    return True


def bounded_arguments(arguments: Any, rejected: bool) -> Any:
    """The arguments as the ledger stores them: JSON-safe; for a rejected call larger than
    MAX_REJECTED_ARGUMENTS_BYTES, a summary (size, SHA-256 of the JSON text, each top-level
    field described) so that one hostile call cannot write an unbounded ledger row."""
    safe = json_safe(arguments if isinstance(arguments, dict) else {"$": arguments})
    if not rejected:
        return safe
    text = json.dumps(safe, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    if len(text) <= MAX_REJECTED_ARGUMENTS_BYTES:
        return safe
    fields = dict(list(safe.items())[:64])
    return {
        "$not_stored": {
            "reason": f"arguments of a rejected call larger than {MAX_REJECTED_ARGUMENTS_BYTES} bytes",
            "bytes": len(text),
            "sha256": hashlib.sha256(text).hexdigest(),
            "fields": {k: describe_value(v) for k, v in fields.items()},
            "field_count": len(safe),
        }
    }


class StoreRecorder:
    """Records outcomes in a :class:`condensync_tools.store.Store` (Recorder protocol)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def record(self, outcome: CallOutcome) -> None:
        from .store import CallRecord

        arguments = outcome.normalised if outcome.normalised is not None else outcome.arguments
        entry = self.store.append_call(
            CallRecord(
                tool=outcome.tool,
                tool_version=outcome.tool_version or "",
                arguments=bounded_arguments(arguments, outcome.error is not None),
                result=outcome.result,
                error=outcome.error.text() if outcome.error else None,
                is_error=outcome.error is not None,
                provenance_hash=outcome.provenance_hash,
                caller=outcome.caller,
                duration_ms=outcome.duration_ms,
                request_id=outcome.request_id,
                result_json=outcome.result_text,
            )
        )
        try:
            self._history(outcome)
        finally:  # the receipt goes beside the hashed provenance core, after the entry is durable
            outcome.receipt = getattr(entry, "receipt", None)
            if outcome.receipt is not None and outcome.result is not None:
                outcome.result["provenance"]["receipt"] = outcome.receipt

    def _history(self, outcome: CallOutcome) -> None:
        if outcome.result is None or not outcome.normalised:
            return
        condenser_id = outcome.normalised.get("condenser_id") or ""
        if not condenser_id:
            return
        try:
            now = datetime.now(timezone.utc)
            sources = outcome.result.get("provenance", {}).get("sources", [])
            if sources:
                self.store.record_readings(
                    condenser_id,
                    [
                        {
                            "name": s.get("name") or s.get("tag"),
                            "value": s.get("value"),
                            "unit": s.get("unit"),
                            "quality": s.get("quality"),
                            "source": s.get("source"),
                            "source_timestamp": s.get("source_timestamp"),
                        }
                        for s in sources
                    ],
                )
            kept = outcome.history
            if kept is not None:  # rounded like every result figure (10 significant digits)
                cf, rf = (
                    None if v is None else round_sig(v) for v in (kept.cleanliness_factor, kept.fouling_resistance)
                )
                self.store.record_result(
                    condenser_id,
                    outcome.tool,
                    now,
                    outcome.result,
                    outcome.provenance_hash,
                    cleanliness_factor=cf,
                    fouling_resistance=rf,
                    fouling_resistance_unit=RF_SI_UNIT if rf is not None else None,
                )
        except Exception:  # history is secondary to the ledger entry, which is already committed
            log.exception("could not record history for %s (%s)", outcome.tool, condenser_id)
