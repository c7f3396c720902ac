#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Third-party verification of a CONDENSYNC call receipt, independent of CONDENSYNC's code.

Inputs (nothing else; no database, no CONDENSYNC package):
  --export FILE     the ledger export (`condensync audit export --out FILE`)
  --witness FILE    the witness file of signed chain heads
  --public-key PEM  the ledger's Ed25519 public key (`condensync audit public-key`), or
  --hmac-key-env V  the name of an environment variable holding the HMAC key (CONDENSYNC_LEDGER_KEY)
  --receipt FILE    a receipt {chain, seq, entry_hash, signed_head}, or a whole tool result whose
                    provenance.receipt is the receipt (then the result itself is checked too)

Checks, in order (exit status 0 when all pass, 1 with the reason otherwise):
  1. the export's chain: every checkpoint's and entry's SHA-256 over its RFC 8785 canonical JSON,
     the links (prev_hash, prev_checkpoint_hash), consecutive seq, and the header's head;
  2. the witness: every signed head of the chain signed by this key verifies (Ed25519 or
     HMAC-SHA256 over the canonical JSON of {type, chain, seq, hash, signed_at}) and is a prefix
     of the export (the entry at its seq has its hash; nothing witnessed lies past the end);
  3. the receipt: its signed head verifies and is consistent with the export, and the export holds
     entry `seq` with `entry_hash`;
  4. with a whole result: the entry's result equals it (without provenance.receipt) and its
     provenance_hash matches.

Needs Python >= 3.10 and, for Ed25519, the `cryptography` package. RFC 8785 canonical JSON is
implemented below (UTF-16 key order, ECMAScript number form).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import math
import os
import sys
from typing import Any

GENESIS = "0" * 64
HEAD_TYPE = "condensync-ledger-head/1"


# ------------------------------------------------------------------ RFC 8785 (JCS)
def _number(x: float | int) -> str:
    if isinstance(x, bool):
        raise TypeError("bool is not a number")
    if isinstance(x, int):
        return str(x)
    if not math.isfinite(x):
        raise ValueError("NaN and Infinity are not JSON")
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    text = repr(abs(x))  # shortest round-trip digits, as ECMAScript's Number::toString
    mantissa, _, exp = text.partition("e")
    whole, _, frac = mantissa.partition(".")
    digits_all = whole + frac
    stripped = digits_all.lstrip("0")
    point = len(whole) + int(exp or 0) - (len(digits_all) - len(stripped))  # value = 0.DIGITS x 10^point
    digits = stripped.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        out = digits + "0" * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        out = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e > 0 else "-") + str(abs(e))
    return sign + out


def jcs(value: Any) -> str:
    """RFC 8785 canonical JSON text."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(jcs(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda s: s.encode("utf-16-be"))
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + jcs(value[k]) for k in keys) + "}"
    raise TypeError(f"not JSON: {type(value).__name__}")


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------ keys
class Key:
    def __init__(self, public_key_pem: bytes | None, hmac_key: bytes | None) -> None:
        self.hmac_key = hmac_key
        self.public = None
        if public_key_pem is not None:
            from cryptography.hazmat.primitives import serialization

            self.public = serialization.load_pem_public_key(public_key_pem)
            raw = self.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            self.alg, self.key_id = "ed25519", hashlib.sha256(raw).hexdigest()[:16]
        elif hmac_key is not None:
            self.alg = "hmac-sha256"
            self.key_id = hmac.new(hmac_key, b"condensync-ledger-key-id", hashlib.sha256).hexdigest()[:16]
        else:
            raise SystemExit("give --public-key or --hmac-key-env")

    def verifies(self, head: dict[str, Any]) -> bool:
        message = jcs({k: head[k] for k in ("type", "chain", "seq", "hash", "signed_at")}).encode("utf-8")
        sig = bytes.fromhex(head["sig"])
        if self.hmac_key is not None:
            return hmac.compare_digest(sig, hmac.new(self.hmac_key, message, hashlib.sha256).digest())
        from cryptography.exceptions import InvalidSignature

        try:
            self.public.verify(sig, message)
        except InvalidSignature:
            return False
        return True


class Failed(Exception):
    pass


# ------------------------------------------------------------------ checks
def check_export(path: str, wanted: set[int]) -> tuple[str, dict[int, str], dict[int, dict], int, int]:
    """Verify the export; return (chain, hash of each wanted seq, entry of each wanted seq,
    first seq after the checkpoints, last seq)."""
    hashes: dict[int, str] = {}
    entries: dict[int, dict] = {}
    with open(path, encoding="utf-8") as f:
        header = json.loads(f.readline())
        if header.get("format") != "condensync-ledger-export/1":
            raise Failed("not a condensync-ledger-export/1 file")
        chain = header["chain"]
        seq, prev, prev_cp = 0, GENESIS, GENESIS
        for cp in header["checkpoints"]:
            body = {k: v for k, v in cp.items() if k not in ("checkpoint_hash", "signature")}
            if sha256_hex(jcs(body)) != cp["checkpoint_hash"] or cp["prev_checkpoint_hash"] != prev_cp:
                raise Failed(f"checkpoint #{cp['ordinal']} does not verify")
            if cp["first_seq"] != seq + 1:
                raise Failed(f"checkpoint #{cp['ordinal']} does not continue at seq {seq + 1}")
            prev_cp, seq, prev = cp["checkpoint_hash"], cp["last_seq"], cp["last_entry_hash"]
            hashes[seq] = prev
        first = seq + 1
        for line in f:
            entry = json.loads(line)
            claimed = entry.pop("entry_hash")
            if entry["seq"] != seq + 1:
                raise Failed(f"export: expected seq {seq + 1}, found {entry['seq']}")
            if entry["prev_hash"] != prev:
                raise Failed(f"export: entry {entry['seq']} does not link to its predecessor")
            if sha256_hex(jcs(entry)) != claimed:
                raise Failed(f"export: entry {entry['seq']} does not match its hash")
            seq, prev = entry["seq"], claimed
            if seq in wanted:
                hashes[seq] = claimed
                entries[seq] = entry
    head = header["head"]
    if head is not None and (head["last_seq"], head["last_hash"]) != (seq, prev):
        raise Failed("export: the last entry is not the header's chain head")
    return chain, hashes, entries, first, seq


def read_heads(path: str, chain: str) -> list[dict[str, Any]]:
    heads = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        try:
            head = json.loads(line)
        except ValueError:
            if number == len(lines):  # a last line cut short by a crash
                continue
            raise Failed(f"witness line {number} is not JSON") from None
        if head.get("type") == HEAD_TYPE and head.get("chain") == chain:
            heads.append(head)
    return heads


def check_head(head: dict, key: Key, hashes: dict[int, str], first: int, last: int, what: str) -> bool:
    """Signature and prefix check of one head; False if signed by another key (not checked)."""
    if head["key_id"] != key.key_id or head["alg"] != key.alg:
        return False
    if not key.verifies(head):
        raise Failed(f"{what}: invalid signature")
    seq = head["seq"]
    if seq > last:
        raise Failed(
            f"{what}: seq {seq} was signed at {head['signed_at']} but the export ends at seq {last}: "
            "the ledger was truncated"
        )
    if seq >= first - 1 and seq in hashes and hashes[seq] != head["hash"]:
        raise Failed(f"{what}: entry {seq} differs from the head signed at {head['signed_at']}: rewritten")
    return True


def verify(args: argparse.Namespace) -> str:
    key = Key(
        open(args.public_key, "rb").read() if args.public_key else None,
        os.environ[args.hmac_key_env].encode("utf-8") if args.hmac_key_env else None,
    )
    with open(args.receipt, encoding="utf-8") as f:
        doc = json.load(f)
    result = doc if isinstance(doc.get("provenance"), dict) else None
    receipt = doc["provenance"]["receipt"] if result is not None else doc
    with open(args.export, encoding="utf-8") as f:
        chain = json.loads(f.readline())["chain"]
    heads = read_heads(args.witness, chain)
    wanted = {h["seq"] for h in heads} | {receipt["seq"], receipt["signed_head"]["seq"]}
    chain, hashes, entries, first, last = check_export(args.export, wanted)
    checked = sum(check_head(h, key, hashes, first, last, f"witness head {h['seq']}") for h in heads)
    seq = receipt["seq"]
    if receipt["chain"] != chain or not check_head(receipt["signed_head"], key, hashes, first, last, "receipt"):
        raise Failed("the receipt is for another chain or signed by another key")
    if receipt["signed_head"]["seq"] < seq or seq not in entries or hashes[seq] != receipt["entry_hash"]:
        raise Failed(f"the export does not hold entry {seq} with the receipt's hash")
    entry = entries[seq]
    if result is not None:
        shown = dict(result, provenance={k: v for k, v in result["provenance"].items() if k != "receipt"})
        if jcs(shown) != jcs(entry["result"]) or entry["provenance_hash"] != shown["provenance"]["provenance_hash"]:
            raise Failed(f"entry {seq} holds another result than the one given")
    witnessed = " (its signed head is in the witness)" if receipt["signed_head"] in heads else ""
    return (
        f"OK: entry {seq} ({entry['tool']} at {entry['recorded_at']}) is in chain {chain!r}{witnessed}; "
        f"{last - first + 1} exported entries verified; {checked} witnessed head(s) consistent with the export"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--export", required=True)
    parser.add_argument("--witness", required=True)
    parser.add_argument("--public-key")
    parser.add_argument("--hmac-key-env")
    parser.add_argument("--receipt", required=True)
    args = parser.parse_args(argv)
    try:
        print(verify(args))
    except Failed as exc:
        print(f"FAILED: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
