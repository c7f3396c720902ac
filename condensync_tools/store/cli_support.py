# SPDX-License-Identifier: MIT
"""Functions behind the ``condensync audit ...`` and ``condensync db ...`` commands.

Each takes a database URL (``None``: ``$CONDENSYNC_DATABASE_URL``, else the default SQLite
file), opens a short-lived :class:`~condensync_tools.store.Store`, and returns data; none
prints (the CLI formats the output).

``audit_verify(url)``           -> :class:`~.verify.VerifyReport` (chain, then witness)
``audit_verify_receipt(url, doc)`` -> :class:`ReceiptReport`: is this call in the ledger?
``audit_public_key(url)``       -> the Ed25519 public key (PEM) that verifies signed heads
``audit_show(url, seq, last)``  -> list of entry dicts
``audit_export(url, path)``     -> number of entries written as JSON Lines
``verify_export(path)``         -> :class:`~.verify.VerifyReport` of an export file, without a database
``db_upgrade(url)``             -> :class:`~.migrate.SchemaStatus`
``db_status(url)``              -> :class:`~.migrate.SchemaStatus`
``db_prune(url, policy, now)``  -> :class:`~.retention.PruneReport`

Export format (``fmt="jsonl"``): line 1 is a header
``{"format": "condensync-ledger-export/1", "chain", "head": {"last_seq", "last_hash",
"checkpoint_hash"}, "checkpoints": [...]}``; every further line is one entry: the hashed
fields plus ``entry_hash``. A third party re-verifies with nothing but RFC 8785 and SHA-256:
drop ``entry_hash`` from a line, canonicalise, hash, compare; check that ``prev_hash``
equals the previous line's ``entry_hash`` (the first entry's: the last checkpoint's
``last_entry_hash``, or 64 zeros) and that ``seq`` increases by one; the last entry must
equal the header's head. See ``docs/store.md``.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import rfc8785
from sqlalchemy import select

from .api import Store
from .canonical import GENESIS_HASH, canonical_text, hmac_hex, iso_utc, loads, sha256_hex
from .engine import is_postgres
from .ledger import DEFAULT_CHAIN, row_to_entry
from .migrate import SchemaStatus
from .models import ChainHeadRow, CheckpointRow, LedgerEntryRow
from .retention import PruneReport, RetentionPolicy
from .verify import Problem, VerifyReport, checkpoint_hash_of

__all__ = [
    "EXPORT_FORMAT",
    "ReceiptReport",
    "audit_verify",
    "audit_verify_receipt",
    "audit_public_key",
    "audit_show",
    "audit_export",
    "verify_export",
    "db_upgrade",
    "db_status",
    "db_prune",
]

EXPORT_FORMAT = "condensync-ledger-export/1"


@contextmanager
def _store(url: str | None, chain: str, key: bytes | str | None = None) -> Iterator[Store]:
    store = Store(url, chain=chain, ledger_key=key)
    try:
        yield store
    finally:
        store.close()


def audit_verify(
    url: str | None = None,
    chain: str = DEFAULT_CHAIN,
    key: bytes | str | None = None,
    *,
    public_key_pem: str | bytes | None = None,
    witness_path: str | Path | None = None,
) -> VerifyReport:
    """Verify the ledger chain, then against the witness; ``key`` defaults to ``$CONDENSYNC_LEDGER_KEY``.

    ``public_key_pem`` verifies the witnessed heads with that Ed25519 public key instead of the
    local signing key; ``witness_path`` checks another witness file than the configured one.
    """
    with _store(url, chain, key) as store:
        return store.verify(public_key_pem=public_key_pem, witness_path=witness_path)


def audit_public_key(url: str | None = None) -> str:
    """The Ed25519 public key (PEM) of the signed chain heads; the key pair is created if missing.

    Raises
    ------
    ValueError
        Heads are HMAC-signed (``CONDENSYNC_LEDGER_KEY``): there is no public key.
    """
    with _store(url, DEFAULT_CHAIN) as store:
        pem = store.signer().public_key_pem()
    if pem is None:
        raise ValueError(
            "chain heads are signed with HMAC-SHA256 under CONDENSYNC_LEDGER_KEY: there is no public key; "
            "give auditors the HMAC key over a secure channel (they can also forge heads with it)"
        )
    return pem


@dataclass
class ReceiptReport:
    """Result of :func:`audit_verify_receipt`.

    Attributes
    ----------
    ok : bool
        The receipt's entry is in a chain that verifies (with its witness), the receipt's
        signature verifies, and (when a full result was given) the entry holds that result.
    seq : int or None
    problem : str or None
        The first failed check, in words.
    checks : list of str
        The checks passed, in order.
    entry : dict or None
        ``tool``, ``recorded_at``, ``provenance_hash``, ``is_error`` of the entry.
    chain_report : dict or None
        :meth:`VerifyReport.to_dict` of the chain verification.
    """

    ok: bool
    seq: int | None
    problem: str | None
    checks: list[str] = field(default_factory=list)
    entry: dict[str, Any] | None = None
    chain_report: dict[str, Any] | None = None


def split_receipt(doc: Any) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``(receipt, result or None)`` from a receipt, a tool result holding ``provenance.receipt``,
    or an MCP ``_meta`` block holding ``condensync/receipt``."""
    if isinstance(doc, dict) and isinstance(doc.get("provenance"), dict) and "receipt" in doc["provenance"]:
        return doc["provenance"]["receipt"], doc
    if isinstance(doc, dict) and "condensync/receipt" in doc:
        return doc["condensync/receipt"], None
    if isinstance(doc, dict) and {"seq", "entry_hash", "signed_head"} <= set(doc):
        return doc, None
    raise ValueError(
        "not a receipt: expected {chain, seq, entry_hash, signed_head} or a result with provenance.receipt"
    )


def _receipt_checks(store: Store, receipt: dict[str, Any], result: dict[str, Any] | None, signer: Any) -> Iterator[str]:
    """Yield each passed check; raise ValueError with the first failed one."""
    seq = int(receipt["seq"])
    entry = store.get_entry(seq)
    if entry is None:
        raise ValueError(f"the ledger has no entry {seq} in chain {store.chain!r}")
    if entry.entry_hash != receipt["entry_hash"]:
        raise ValueError(f"entry {seq} has hash {entry.entry_hash}, the receipt says {receipt['entry_hash']}")
    yield f"entry {seq} is in chain {store.chain!r} with the receipt's hash"
    head = receipt["signed_head"]
    if signer is None or not signer.verify_head(head):
        raise ValueError("the receipt's signed head does not verify with the ledger's key")
    yield f"the signed head is signed by key {signer.key_id} ({signer.alg})"
    covered = store.get_entry(int(head["seq"]))
    if head["chain"] != store.chain or int(head["seq"]) < seq or covered is None or covered.entry_hash != head["hash"]:
        raise ValueError("the receipt's signed head does not cover its entry in this chain")
    yield f"the signed head (seq {head['seq']}) covers entry {seq}"
    if result is not None:
        shown = {**result, "provenance": {k: v for k, v in result["provenance"].items() if k != "receipt"}}
        if canonical_text(shown) != canonical_text(entry.result) or entry.provenance_hash != shown["provenance"].get(
            "provenance_hash"
        ):
            raise ValueError(f"entry {seq} holds another result than the one given")
        yield f"entry {seq} holds exactly this result (provenance_hash {entry.provenance_hash})"


def audit_verify_receipt(
    url: str | None,
    doc: Any,
    key: bytes | str | None = None,
    *,
    public_key_pem: str | bytes | None = None,
    witness_path: str | Path | None = None,
) -> ReceiptReport:
    """Prove that the call of a receipt (or of a result carrying one) is in the ledger.

    Checks: the chain verifies, also against the witness; the entry at the receipt's seq has
    its hash; the signed head's signature verifies and covers the entry; with a full result,
    the entry holds exactly that result (without the receipt) and its provenance hash.
    """
    receipt, result = split_receipt(doc)
    chain = str(receipt.get("chain", DEFAULT_CHAIN))
    with _store(url, chain, key) as store:
        report = store.verify(public_key_pem=public_key_pem, witness_path=witness_path)
        out = ReceiptReport(False, receipt.get("seq"), None, chain_report=report.to_dict())
        if not report.ok:
            out.problem = f"the chain does not verify: {report.summary()}"
            return out
        out.checks.append(report.summary())
        try:
            out.checks.extend(_receipt_checks(store, receipt, result, store.head_verifier(public_key_pem)))
        except (ValueError, KeyError, TypeError) as exc:
            out.problem = str(exc)
            return out
        entry = store.get_entry(int(receipt["seq"]))
        assert entry is not None
        out.entry = {
            "tool": entry.tool,
            "recorded_at": iso_utc(entry.recorded_at),
            "provenance_hash": entry.provenance_hash,
            "is_error": entry.is_error,
        }
        out.ok = True
        return out


def audit_show(
    url: str | None = None, seq: int | None = None, last: int = 20, chain: str = DEFAULT_CHAIN
) -> list[dict[str, Any]]:
    """Entry ``seq`` (a one-element list, empty if absent) or the last ``last`` entries."""
    with _store(url, chain) as store:
        if seq is not None:
            entry = store.get_entry(seq)
            return [] if entry is None else [entry.to_dict()]
        return [e.to_dict() for e in store.last_entries(last)]


def _checkpoint_dict(cp: Any) -> dict[str, Any]:
    return {
        "chain": cp.chain,
        "ordinal": int(cp.ordinal),
        "first_seq": int(cp.first_seq),
        "last_seq": int(cp.last_seq),
        "last_entry_hash": cp.last_entry_hash,
        "entry_count": int(cp.entry_count),
        "span_start": iso_utc(cp.span_start),
        "span_end": iso_utc(cp.span_end),
        "prev_checkpoint_hash": cp.prev_checkpoint_hash,
        "created_at": iso_utc(cp.created_at),
        "checkpoint_hash": cp.checkpoint_hash,
        "signature": cp.signature,
    }


def audit_export(url: str | None, path: str | Path | IO[str], fmt: str = "jsonl", chain: str = DEFAULT_CHAIN) -> int:
    """Export the chain (one consistent snapshot) as JSON Lines; returns the entry count.

    Parameters
    ----------
    url : str or None
    path : str, Path or text file object
        Destination; a file object (e.g. the CLI's ``sys.stdout``) is written to and not closed.
    fmt : str
        Only ``"jsonl"``.
    chain : str
    """
    if fmt != "jsonl":
        raise ValueError(f"unsupported export format {fmt!r}; use 'jsonl'")
    entries_t, head_t, cp_t = LedgerEntryRow.__table__, ChainHeadRow.__table__, CheckpointRow.__table__
    with _store(url, chain) as store, store.engine.connect() as conn:
        if is_postgres(conn):
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            head = conn.execute(select(head_t).where(head_t.c.chain == chain)).first()
            cps = conn.execute(select(cp_t).where(cp_t.c.chain == chain).order_by(cp_t.c.ordinal)).all()
            header = {
                "format": EXPORT_FORMAT,
                "chain": chain,
                "head": None
                if head is None
                else {
                    "last_seq": int(head.last_seq),
                    "last_hash": head.last_hash,
                    "checkpoint_hash": head.checkpoint_hash,
                },
                "checkpoints": [_checkpoint_dict(c) for c in cps],
            }
            rows = conn.execute(
                select(entries_t)
                .where(entries_t.c.chain == chain)
                .order_by(entries_t.c.seq)
                .execution_options(yield_per=1000)
            )
            with _open(path) as out:
                out.write(json.dumps(header, ensure_ascii=False, sort_keys=True) + "\n")
                n = 0
                for row in rows:
                    out.write(json.dumps(row_to_entry(row).to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
                    n += 1
    return n


@contextmanager
def _open(path: str | Path | IO[str]) -> Iterator[IO[str]]:
    if hasattr(path, "write"):
        yield path  # type: ignore[misc]
        return
    with open(path, "w", encoding="utf-8", newline="\n") as f:  # type: ignore[arg-type]
        yield f


def verify_export(path: str | Path, key: bytes | str | None = None) -> VerifyReport:
    """Verify an :func:`audit_export` file with RFC 8785 + SHA-256 only (no database).

    This is the procedure a third party follows; it uses ``rfc8785.dumps`` on the parsed
    lines, independently of the store's own hashing code.
    """
    if isinstance(key, str):
        key = key.encode("utf-8")
    with open(path, encoding="utf-8") as f:
        header = json.loads(f.readline())
        if header.get("format") != EXPORT_FORMAT:
            raise ValueError(f"not a {EXPORT_FORMAT} file")
        chain = header["chain"]
        cps = header["checkpoints"]

        def fail(checked: int, p: Problem) -> VerifyReport:
            return VerifyReport(False, chain, checked, p, checkpoints=len(cps), signatures_checked=key is not None)

        prev_cp, seq, prev = GENESIS_HASH, 0, GENESIS_HASH
        for cp in cps:
            text, h = checkpoint_hash_of(_CpView(cp))
            if h != cp["checkpoint_hash"] or cp["prev_checkpoint_hash"] != prev_cp or cp["first_seq"] != seq + 1:
                return fail(0, Problem(cp["last_seq"], "checkpoint", f"checkpoint #{cp['ordinal']} does not verify"))
            if key is not None and not (cp["signature"] and hmac.compare_digest(cp["signature"], hmac_hex(key, text))):
                return fail(0, Problem(cp["last_seq"], "checkpoint", f"checkpoint #{cp['ordinal']}: bad signature"))
            prev_cp, seq, prev = h, cp["last_seq"], cp["last_entry_hash"]
        checked, first = 0, None
        for line in f:
            entry = loads(line)
            claimed = entry.pop("entry_hash")
            s = entry["seq"]
            if s != seq + 1:
                kind = "deleted" if s > seq + 1 else "inserted"
                return fail(checked, Problem(seq + 1, kind, f"expected seq {seq + 1}, found {s}"))
            if sha256_hex(rfc8785.dumps(entry)) != claimed:
                return fail(checked, Problem(s, "edited", f"entry {s} does not match its hash"))
            if entry["prev_hash"] != prev:
                return fail(checked, Problem(s, "edited", f"entry {s} does not link to its predecessor"))
            first = s if first is None else first
            checked, seq, prev = checked + 1, s, claimed
    head = header["head"]
    if head is not None and (head["last_seq"] != seq or head["last_hash"] != prev):
        return fail(checked, Problem(seq, "deleted" if head["last_seq"] > seq else "edited", "tail differs from head"))
    return VerifyReport(True, chain, checked, None, first, seq if checked else None, prev, len(cps), key is not None)


class _CpView:
    """Attribute view of an exported checkpoint dict for :func:`checkpoint_hash_of`."""

    def __init__(self, d: dict[str, Any]) -> None:
        self.__dict__.update(d)
        for k in ("span_start", "span_end", "created_at"):
            self.__dict__[k] = datetime.fromisoformat(d[k])


def db_upgrade(url: str | None = None) -> SchemaStatus:
    """Apply pending migrations (``condensync db upgrade``)."""
    with _store(url, DEFAULT_CHAIN) as store:
        return store.upgrade()


def db_status(url: str | None = None) -> SchemaStatus:
    """Schema state (``condensync db status``)."""
    with _store(url, DEFAULT_CHAIN) as store:
        return store.schema_status()


def db_prune(
    url: str | None = None,
    policy: RetentionPolicy | None = None,
    now: datetime | None = None,
    chain: str = DEFAULT_CHAIN,
) -> PruneReport:
    """Apply the retention policy (``condensync db prune``)."""
    with _store(url, chain) as store:
        return store.prune(policy, now)
