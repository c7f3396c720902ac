# SPDX-License-Identifier: MIT
"""Verification of a ledger chain: find the FIRST edited, deleted, inserted or reordered entry.

The walk
--------
1. Checkpoints (written by retention) are checked first, in order: each one's hash is
   recomputed, it must link to the previous checkpoint's hash, cover the sequence numbers
   right after the previous one, and, when a ledger key is configured, carry a valid
   HMAC-SHA256 signature. The chain head's ``checkpoint_hash`` must name the last one
   (so deleting the newest checkpoint is detected). The last checkpoint gives the starting
   point: expected ``seq = last_seq + 1`` and ``prev_hash = last_entry_hash``.
2. Entries are streamed in ``seq`` order inside one snapshot (REPEATABLE READ on
   PostgreSQL; a read transaction on SQLite's WAL), each checked for: the expected sequence
   number, a stored hash equal to the recomputed hash, and ``prev_hash`` equal to the
   predecessor's hash.
3. The last entry must match the chain head (``last_seq``, ``last_hash``), which detects
   entries deleted from, or appended to, the tail behind the ledger's back.

Classifying the first problem
-----------------------------
``deleted``
    a sequence number is missing (gap), or the tail is shorter than the head says.
``edited``
    an entry's content no longer matches its hash, or an entry was rewritten with a
    recomputed hash (detected because its successor, or the head, still holds the old hash;
    the rewritten entry is named).
``inserted``
    an entry that is not part of the chain sits between two linked entries (its
    successors were renumbered to make room, or it has a garbage hash while the true
    successor follows it), or lies past the head / inside the pruned range.
``reordered``
    an intact entry sits at another sequence number than the one it was hashed with
    (e.g. two entries swapped their ``seq``).
``checkpoint``
    a checkpoint was edited, deleted, unsigned while a key is configured, or its signature
    does not match.
``head``
    the chain head row is missing although the chain has entries.
``witness``
    a line of the witness file is not a signed head, or its signature does not verify with
    the ledger's key (forged or altered).

Against the witness (:mod:`.witness`)
-------------------------------------
After the walk, every signed head of the chain in the witness file must be a prefix of the
chain: the entry at its ``seq`` exists and has its ``hash`` (heads inside the range pruned by
a checkpoint are skipped, except the checkpoint's own last entry). A head past the end of the
chain is reported as ``deleted`` (the chain was truncated: entries and chain head removed
together); a head whose hash differs as ``edited`` (the tail was rewritten with recomputed
hashes and head); two different heads for one ``seq`` as ``edited`` (rewritten and re-signed).

A forger who can write the database and recomputes every later hash *and* the head can
rewrite the chain as far as the database alone can tell; the signed heads in the witness (a
file outside the database) expose that, unless the forger can also rewrite the witness and
holds the signing key. Keep the witness on other storage than the database (or copy it off
the host) and the private key readable only by the service.
"""

from __future__ import annotations

import hmac
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine, Row, select
from sqlalchemy.engine import Connection

from .canonical import GENESIS_HASH, checkpoint_canonical, hmac_hex, sha256_hex
from .engine import is_postgres
from .ledger import DEFAULT_CHAIN, recompute_hash
from .models import ChainHeadRow, CheckpointRow, LedgerEntryRow
from .witness import HeadSigner, WitnessRead, read_witness

__all__ = [
    "ProblemKind",
    "Problem",
    "VerifyReport",
    "ChainStart",
    "Walk",
    "verify",
    "walk",
    "load_base",
    "checkpoint_hash_of",
    "WitnessCheck",
]

ProblemKind = Literal["edited", "deleted", "inserted", "reordered", "checkpoint", "head", "witness"]

_ENTRY = LedgerEntryRow.__table__
_HEAD = ChainHeadRow.__table__
_CP = CheckpointRow.__table__


@dataclass(frozen=True)
class Problem:
    """The first problem found in a chain.

    Attributes
    ----------
    seq : int or None
        Sequence number of the entry concerned (for a checkpoint problem: the checkpoint's
        last pruned seq), ``None`` when not applicable.
    kind : str
        One of ``edited``, ``deleted``, ``inserted``, ``reordered``, ``checkpoint``, ``head``,
        ``witness``.
    detail : str
        A sentence for humans.
    """

    seq: int | None
    kind: ProblemKind
    detail: str


@dataclass(frozen=True)
class VerifyReport:
    """Result of :func:`verify`.

    Attributes
    ----------
    ok : bool
        True when no problem was found.
    chain : str
    checked : int
        Number of entries whose hash and link were checked (before a problem, if any).
    first_problem : Problem or None
    first_seq, last_seq : int or None
        Range of entries present (``None`` when the chain has none after its checkpoint).
    last_hash : str or None
        Hash of the head of the chain (the value to anchor externally).
    checkpoints : int
        Number of retention checkpoints checked.
    signatures_checked : bool
        True when checkpoint HMAC signatures were verified with a configured key.
    witness : dict or None
        The witness check: ``path``, ``heads`` (signed heads of this chain checked against it),
        ``signed_by`` (key id whose signatures are checked, None without a key),
        ``signatures_verified`` (signatures checked: the newest head and every head that
        contradicts the chain, before it is reported), ``unverified`` (heads signed by another
        key: checked against the chain, signature not checked), ``pruned`` (heads inside the
        pruned range, skipped), ``max_seq`` (newest witnessed seq), ``torn_tail`` (a last line
        cut short by a crash, ignored). None when no witness is configured.
    """

    ok: bool
    chain: str
    checked: int
    first_problem: Problem | None
    first_seq: int | None = None
    last_seq: int | None = None
    last_hash: str | None = None
    checkpoints: int = 0
    signatures_checked: bool = False
    witness: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)

    def summary(self) -> str:
        """One line for humans."""
        if self.ok:
            witnessed = "" if self.witness is None else f", {self.witness['heads']} witnessed head(s) consistent"
            return (
                f"chain {self.chain!r}: OK, {self.checked} entries verified"
                f" (seq {self.first_seq}..{self.last_seq}), {self.checkpoints} checkpoint(s){witnessed}"
            )
        p = self.first_problem
        assert p is not None
        return f"chain {self.chain!r}: FAILED at seq {p.seq}: {p.kind}: {p.detail}"


def checkpoint_hash_of(cp: Row[Any] | Any) -> tuple[str, str]:
    """Return (canonical text, SHA-256 hex) of a checkpoint row's signed content."""
    text = checkpoint_canonical(
        chain=cp.chain,
        ordinal=cp.ordinal,
        first_seq=cp.first_seq,
        last_seq=cp.last_seq,
        last_entry_hash=cp.last_entry_hash,
        entry_count=cp.entry_count,
        span_start=cp.span_start,
        span_end=cp.span_end,
        prev_checkpoint_hash=cp.prev_checkpoint_hash,
        created_at=cp.created_at,
    )
    return text, sha256_hex(text)


@dataclass
class ChainStart:
    """Where a walk starts: the last checkpoint (or genesis)."""

    seq: int = 0
    hash: str = GENESIS_HASH
    checkpoint_hash: str | None = None


def _check_checkpoints(cps: list[Any], key: bytes | None) -> tuple[ChainStart, Problem | None]:
    base = ChainStart()
    prev_cp = GENESIS_HASH
    for i, cp in enumerate(cps, start=1):
        where = f"checkpoint #{cp.ordinal} (entries {cp.first_seq}..{cp.last_seq})"
        if cp.ordinal != i:
            return base, Problem(cp.last_seq, "checkpoint", f"checkpoint #{i} is missing before {where}")
        text, h = checkpoint_hash_of(cp)
        if h != cp.checkpoint_hash:
            return base, Problem(cp.last_seq, "checkpoint", f"{where} was edited: its hash does not match")
        if cp.prev_checkpoint_hash != prev_cp:
            return base, Problem(cp.last_seq, "checkpoint", f"{where} does not link to the previous checkpoint")
        if cp.first_seq != base.seq + 1 or cp.entry_count != cp.last_seq - cp.first_seq + 1:
            return base, Problem(
                cp.last_seq, "checkpoint", f"{where} does not continue the previous one (seq {base.seq})"
            )
        if key is not None:
            if cp.signature is None:
                return base, Problem(cp.last_seq, "checkpoint", f"{where} is unsigned but a ledger key is set")
            if not hmac.compare_digest(cp.signature, hmac_hex(key, text)):
                return base, Problem(cp.last_seq, "checkpoint", f"{where}: signature does not match")
        prev_cp = h
        base = ChainStart(seq=cp.last_seq, hash=cp.last_entry_hash, checkpoint_hash=h)
    return base, None


@dataclass(frozen=True)
class WitnessCheck:
    """Where the witness is and the key its heads are verified with (None: not checked)."""

    path: Path
    signer: HeadSigner | None = None


def verify(
    engine: Engine, chain: str = DEFAULT_CHAIN, key: bytes | None = None, witness: WitnessCheck | None = None
) -> VerifyReport:
    """Walk ``chain`` and report its first problem.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    chain : str
    key : bytes or None
        Ledger HMAC key; when given, checkpoint signatures are required and checked.
    witness : WitnessCheck or None
        Check the chain against the signed heads in this witness file (after the walk).

    Returns
    -------
    VerifyReport
    """
    # Read the witness BEFORE the database snapshot: a head appended after the snapshot
    # would otherwise look like a truncation.
    heads = None if witness is None else read_witness([witness.path], chain)
    with engine.connect() as conn:
        if is_postgres(conn):
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            report = _verify(conn, chain, key)
            if witness is None or heads is None or not report.ok:
                return report
            problem, stats = check_witness(conn, chain, report, heads, witness)
            return replace(report, ok=problem is None, first_problem=problem, witness=stats)


@dataclass
class Walk:
    """Outcome of walking entries from a base (checkpoint or genesis)."""

    checked: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    expected_seq: int = 1
    expected_prev: str = GENESIS_HASH
    span_start: datetime | None = None
    span_end: datetime | None = None
    problem: Problem | None = None


def load_base(conn: Connection, chain: str, key: bytes | None) -> tuple[list[Any], Any, ChainStart, Problem | None]:
    """Read checkpoints and head of ``chain`` and check the checkpoints.

    Returns
    -------
    (checkpoints, head row or None, base, problem or None)
    """
    head = conn.execute(select(_HEAD).where(_HEAD.c.chain == chain)).first()
    cps = list(conn.execute(select(_CP).where(_CP.c.chain == chain).order_by(_CP.c.ordinal)).all())
    base, problem = _check_checkpoints(cps, key)
    if problem is None and head is not None and head.checkpoint_hash != base.checkpoint_hash:
        detail = (
            "the newest checkpoint was deleted or replaced (the chain head names another one)"
            if head.checkpoint_hash is not None
            else "a checkpoint exists but the chain head names none"
        )
        problem = Problem(base.seq or None, "checkpoint", detail)
    return cps, head, base, problem


def walk(conn: Connection, chain: str, base: ChainStart, upto: int | None = None, head_seq: int | None = None) -> Walk:
    """Check entries after ``base`` (up to seq ``upto``) and classify the first problem.

    ``head_seq`` is the chain head's ``last_seq``, if known: entries past it are foreign.
    """
    w = Walk(expected_seq=base.seq + 1, expected_prev=base.hash)
    prev_row: Any = None
    bad: Any = None
    stmt = select(_ENTRY).where(_ENTRY.c.chain == chain)
    if upto is not None:
        stmt = stmt.where(_ENTRY.c.seq <= upto)
    result = conn.execute(stmt.order_by(_ENTRY.c.seq).execution_options(yield_per=1000))
    try:
        for row in result:
            if row.seq != w.expected_seq or row.prev_hash != w.expected_prev or recompute_hash(row) != row.entry_hash:
                bad = row
                break
            if w.first_seq is None:
                w.first_seq = row.seq
            w.checked += 1
            t = row.recorded_at
            w.span_start = t if w.span_start is None or t < w.span_start else w.span_start
            w.span_end = t if w.span_end is None or t > w.span_end else w.span_end
            prev_row = row
            w.expected_seq, w.expected_prev = row.seq + 1, row.entry_hash
    finally:
        result.close()
    w.last_seq = None if prev_row is None else int(prev_row.seq)
    if bad is not None:
        w.problem = _classify(conn, chain, bad, prev_row, w.expected_seq, w.expected_prev, base, head_seq)
    return w


def _verify(conn: Connection, chain: str, key: bytes | None) -> VerifyReport:
    cps, head, base, problem = load_base(conn, chain, key)
    signed = key is not None and bool(cps)

    def report(p: Problem | None, w: Walk | None = None) -> VerifyReport:
        return VerifyReport(
            ok=p is None,
            chain=chain,
            checked=0 if w is None else w.checked,
            first_problem=p,
            first_seq=None if w is None else w.first_seq,
            last_seq=None if w is None else w.last_seq,
            last_hash=None if w is None or w.last_seq is None and not cps else w.expected_prev,
            checkpoints=len(cps),
            signatures_checked=signed,
        )

    if problem is not None:
        return report(problem)
    w = walk(conn, chain, base, head_seq=None if head is None else int(head.last_seq))
    if w.problem is not None:
        return report(w.problem, w)
    # Tail against the head.
    if head is None:
        if w.checked or cps:
            return report(Problem(None, "head", "the chain head row is missing"), w)
        return report(None, w)
    end_seq = w.expected_seq - 1
    if head.last_seq > end_seq:
        p: Problem | None = Problem(
            end_seq + 1, "deleted", f"entries {end_seq + 1}..{head.last_seq} are missing at the tail"
        )
    elif head.last_seq < end_seq:
        p = Problem(head.last_seq + 1, "inserted", f"entries after seq {head.last_seq} (the head) were added")
    elif head.last_hash != w.expected_prev:
        p = Problem(end_seq, "edited", f"entry {end_seq} was rewritten: the chain head holds another hash")
    else:
        p = None
    return report(p, w)


def _row_at(conn: Connection, chain: str, seq: int) -> Any:
    return conn.execute(select(_ENTRY).where(_ENTRY.c.chain == chain, _ENTRY.c.seq == seq)).first()


def _row_by_hash(conn: Connection, chain: str, h: str) -> Any:
    return conn.execute(select(_ENTRY).where(_ENTRY.c.chain == chain, _ENTRY.c.entry_hash == h).limit(1)).first()


def _original_seq(conn: Connection, chain: str, row: Any, base: ChainStart, depth: int = 0) -> int | None:
    """The seq ``row`` was hashed with, found through its predecessor link; None if forged."""
    if recompute_hash(row) == row.entry_hash:
        return int(row.seq)
    if row.prev_hash == base.hash:
        cand = base.seq + 1
    else:
        pred = _row_by_hash(conn, chain, row.prev_hash)
        if pred is None or depth >= 32:
            return None
        pred_seq = _original_seq(conn, chain, pred, base, depth + 1)
        if pred_seq is None:
            return None
        cand = pred_seq + 1
    return cand if recompute_hash(row, seq=cand) == row.entry_hash else None


def _is_true_successor(row: Any, seq: int, prev: str) -> bool:
    return row is not None and row.prev_hash == prev and recompute_hash(row, seq=seq) == row.entry_hash


def _classify(
    conn: Connection,
    chain: str,
    row: Any,
    prev_row: Any,
    expected_seq: int,
    expected_prev: str,
    base: ChainStart,
    head_seq: int | None,
) -> Problem:
    s = int(row.seq)
    if s < expected_seq:
        return Problem(s, "inserted", f"entry {s} lies inside the range pruned by checkpoint (<= {base.seq})")
    if head_seq is not None and expected_seq > head_seq:
        return Problem(s, "inserted", f"entry {s} lies beyond the chain head (seq {head_seq})")
    if s > expected_seq:
        moved = conn.execute(select(_ENTRY).where(_ENTRY.c.chain == chain, _ENTRY.c.prev_hash == expected_prev)).all()
        for m in moved:
            if m.seq != expected_seq and _is_true_successor(m, expected_seq, expected_prev):
                return Problem(expected_seq, "reordered", f"entry {expected_seq} was moved to seq {m.seq}")
        missing = f"entry {expected_seq}" if s == expected_seq + 1 else f"entries {expected_seq}..{s - 1}"
        return Problem(expected_seq, "deleted", f"{missing} missing (sequence jumps to {s})")

    following = _row_at(conn, chain, s + 1)
    if recompute_hash(row) == row.entry_hash:
        # Intact in itself but not linked to its predecessor.
        if _is_true_successor(following, s, expected_prev):
            return Problem(s, "inserted", f"entry {s} is not part of the chain; its successors were renumbered")
        if prev_row is None:
            return Problem(s, "edited", f"entry {s} does not link to its checkpoint/genesis hash")
        return Problem(
            s - 1,
            "edited",
            f"entry {s - 1} was rewritten with a recomputed hash (entry {s} links to its old hash)",
        )
    orig = _original_seq(conn, chain, row, base)
    if orig is not None and orig > s:
        return Problem(s, "reordered", f"the entry stored as seq {s} was written as seq {orig}")
    if orig is not None and orig < s:
        n = s - orig
        return Problem(
            orig,
            "inserted",
            f"{n} entr{'y' if n == 1 else 'ies'} inserted at seq {orig}; "
            f"the entry written as seq {orig} now sits at seq {s}",
        )
    if _is_true_successor(following, s, expected_prev):
        return Problem(s, "inserted", f"entry {s} is not part of the chain; its successors were renumbered")
    return Problem(s, "edited", f"entry {s} was edited: its content does not match its hash")


# --------------------------------------------------------------------------- witness


class _Heads:
    """Witnessed heads of one chain with lazy signature checks.

    Only the heads that matter are verified: every head that contradicts the chain (before it
    is reported, so a forged or altered line is named as such instead of as truncation) and
    the newest one. Heads that agree with the chain need no signature to be trusted, and one
    Ed25519 verification per entry would make ``verify`` several times slower.
    """

    def __init__(self, read: WitnessRead, signer: HeadSigner | None) -> None:
        self.heads = read.heads
        self.signer = signer
        self.verified = 0

    def ours(self, head: dict[str, Any]) -> bool:
        return self.signer is not None and head["key_id"] == self.signer.key_id and head["alg"] == self.signer.alg

    def forged(self, head: dict[str, Any]) -> Problem | None:
        """A ``witness`` problem if ``head`` is signed by our key but its signature fails."""
        if not self.ours(head):
            return None
        assert self.signer is not None
        self.verified += 1
        if self.signer.verify_head(head):
            return None
        return Problem(
            head["seq"],
            "witness",
            f"the witnessed head for seq {head['seq']} has an invalid signature "
            "(the witness line was forged or altered)",
        )

    def claim(self, head: dict[str, Any], problem: Problem) -> Problem:
        """``problem`` unless ``head`` turns out forged; says when its signature could not be checked."""
        forged = self.forged(head)
        if forged is not None:
            return forged
        if not self.ours(head):
            return replace(problem, detail=problem.detail + f" (head signed by key {head['key_id']}, not verified)")
        return problem


def _base_of(conn: Connection, chain: str, report: VerifyReport) -> tuple[int, str | None]:
    if not report.checkpoints:
        return 0, None
    cp = conn.execute(
        select(_CP.c.last_seq, _CP.c.last_entry_hash)
        .where(_CP.c.chain == chain)
        .order_by(_CP.c.ordinal.desc())
        .limit(1)
    ).one()
    return int(cp.last_seq), str(cp.last_entry_hash)


def _first_contradiction(
    conn: Connection, chain: str, witnessed: dict[int, dict[str, Any]], base: tuple[int, str | None], end_seq: int
) -> tuple[dict[str, Any], Problem] | None:
    base_seq, base_hash = base
    head = witnessed.get(base_seq)
    if head is not None and base_hash is not None and head["hash"] != base_hash:
        return head, _rewritten(base_seq, head)
    rows = conn.execute(
        select(_ENTRY.c.seq, _ENTRY.c.entry_hash)
        .where(_ENTRY.c.chain == chain, _ENTRY.c.seq > base_seq, _ENTRY.c.seq <= end_seq)
        .order_by(_ENTRY.c.seq)
        .execution_options(yield_per=5000)
    )
    try:
        for seq, entry_hash in rows:
            head = witnessed.get(int(seq))
            if head is not None and head["hash"] != entry_hash:
                return head, _rewritten(int(seq), head)
    finally:
        rows.close()
    return None


def check_witness(
    conn: Connection, chain: str, report: VerifyReport, read: WitnessRead, witness: WitnessCheck
) -> tuple[Problem | None, dict[str, Any]]:
    """Check that every witnessed head of ``chain`` is a prefix of the (already walked) chain."""
    heads = _Heads(read, witness.signer)
    newest = max(read.heads, key=lambda h: h["seq"], default=None)
    stats: dict[str, Any] = {
        "path": str(witness.path),
        "heads": len(read.heads),
        "signed_by": None if witness.signer is None else witness.signer.key_id,
        "signatures_verified": 0,
        "unverified": sum(1 for h in read.heads if not heads.ours(h)),
        "pruned": 0,
        "max_seq": None if newest is None else newest["seq"],
        "torn_tail": read.torn_tail,
    }

    def done(problem: Problem | None) -> tuple[Problem | None, dict[str, Any]]:
        stats["signatures_verified"] = heads.verified
        return problem, stats

    if read.malformed:
        return done(
            Problem(None, "witness", f"line {read.malformed[0]} of the witness {witness.path} is not a signed head")
        )
    witnessed: dict[int, dict[str, Any]] = {}
    for head in read.heads:
        seen = witnessed.setdefault(head["seq"], head)
        if seen["hash"] != head["hash"]:
            problem = Problem(
                head["seq"],
                "edited",
                f"the witness holds two different signed heads for entry "
                f"{head['seq']} (signed at {seen['signed_at']} and {head['signed_at']}): the chain "
                "was rewritten from there and re-signed",
            )
            return done(heads.forged(seen) or heads.claim(head, problem))
    base = _base_of(conn, chain, report)
    stats["pruned"] = sum(1 for seq in witnessed if seq < base[0])
    end_seq = report.last_seq if report.last_seq is not None else base[0]
    contradiction = _first_contradiction(conn, chain, witnessed, base, end_seq)
    if contradiction is not None:
        return done(heads.claim(*contradiction))
    if newest is None:
        return done(None)
    if newest["seq"] > end_seq:
        return done(
            heads.claim(
                newest,
                Problem(
                    end_seq + 1,
                    "deleted",
                    f"the chain was truncated: it ends at seq {end_seq} but the witness holds a head for seq "
                    f"{newest['seq']} signed at {newest['signed_at']}; entries {end_seq + 1}..{newest['seq']} "
                    "were deleted with the chain head",
                ),
            )
        )
    return done(heads.forged(newest))


def _rewritten(seq: int, head: dict[str, Any]) -> Problem:
    return Problem(
        seq,
        "edited",
        f"entry {seq} differs from the head witnessed for it (signed at {head['signed_at']}): it was "
        "rewritten with a recomputed hash and chain head",
    )
