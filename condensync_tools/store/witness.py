# SPDX-License-Identifier: MIT
"""Signed chain heads, the witness file and call receipts: truncation evidence for the ledger.

The hash chain alone cannot show that its newest entries were deleted (or the last one
rewritten) together with the chain head, because the head lives in the same database. As
Certificate Transparency's signed tree heads and Sigstore Rekor's receipts do, every commit
therefore also produces a **signed head** that leaves the database:

.. code-block:: text

    statement = JCS({"type": "condensync-ledger-head/1", "chain": c, "seq": n,
                     "hash": <entry_hash of entry n>, "signed_at": "YYYY-MM-DDTHH:MM:SS.ffffffZ"})
    signed head = statement fields + {"alg", "key_id", "sig"}    (sig over the UTF-8 bytes)

- ``alg = "ed25519"`` (default): an Ed25519 key pair; ``key_id`` = first 16 hex digits of
  SHA-256 of the 32-byte raw public key; ``sig`` = the 64-byte signature, hex.
- ``alg = "hmac-sha256"`` when ``CONDENSYNC_LEDGER_KEY`` is set (and no Ed25519 key file is
  configured): ``sig`` = HMAC-SHA256(key, statement), hex; ``key_id`` = first 16 hex digits of
  HMAC-SHA256(key, "condensync-ledger-key-id"). A verifier needs the secret key, and can forge.

Each signed head is appended as one JSON line to the **witness** file, a file outside the
database (default: beside an SQLite file; in the data directory for PostgreSQL; or
``$CONDENSYNC_LEDGER_WITNESS``). The call's **receipt** is ``{"chain", "seq", "entry_hash",
"signed_head"}``. Verification (:func:`check_witness`) requires every witnessed head to be a
prefix of the chain: its entry exists and has the witnessed hash. A truncated chain misses
witnessed entries; a rewritten tail has other hashes than the ones witnessed.

Cost per commit: one signature (Ed25519 about 50 µs, HMAC a few µs) and one ``write(2)`` of
about 330 bytes on an ``O_APPEND`` descriptor (atomic positioning, so threads and processes
sharing a witness never interleave lines). The line is in the kernel before the call is
answered, so it survives the process being killed; ``fsync`` per append is optional
(``CONDENSYNC_LEDGER_WITNESS_FSYNC=1``) because a witness that lags behind the database after a
power loss only weakens the check for those last heads, it never makes a good chain fail.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .. import settings
from .canonical import iso_utc

__all__ = [
    "HEAD_TYPE",
    "ENV_SIGNING_KEY",
    "ENV_WITNESS",
    "ENV_WITNESS_FSYNC",
    "HeadSigner",
    "Witness",
    "WitnessRead",
    "head_statement",
    "receipt_of",
    "read_witness",
    "default_data_dir",
    "default_witness_path",
    "load_or_create_ed25519",
    "resolve_signer",
]

log = logging.getLogger(__name__)

HEAD_TYPE = "condensync-ledger-head/1"
ENV_SIGNING_KEY = settings.LEDGER_SIGNING_KEY.name
"""Path of the Ed25519 private key (PEM, PKCS#8) that signs chain heads; created if missing."""
ENV_WITNESS = settings.LEDGER_WITNESS.name
"""Path of the witness file; ``off`` disables the witness."""
ENV_WITNESS_FSYNC = settings.LEDGER_WITNESS_FSYNC.name
"""``1``: fsync the witness after every append (default: write only)."""
KEY_FILE_NAME = "ledger-signing-key.pem"
_HMAC_KEY_ID_LABEL = b"condensync-ledger-key-id"
_HEAD_FIELDS = ("type", "chain", "seq", "hash", "signed_at", "alg", "key_id", "sig")


def default_data_dir() -> Path:
    """``platformdirs.user_data_dir("condensync")`` (the default SQLite file's directory)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("condensync"))


def head_statement(chain: str, seq: int, head_hash: str, signed_at: str) -> bytes:
    """The signed bytes of a head: RFC 8785 canonical JSON of the five statement fields.

    With only strings and an integer, sorted keys (ASCII, so UTF-16 order is byte order), no
    whitespace and ``ensure_ascii=False``, :func:`json.dumps` writes exactly the RFC 8785 form
    (checked against ``rfc8785.dumps`` in the tests) at a fraction of its cost.
    """
    statement = {
        "type": HEAD_TYPE,
        "chain": str(chain),
        "seq": int(seq),
        "hash": str(head_hash),
        "signed_at": str(signed_at),
    }
    return json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class HeadSigner:
    """Signs and verifies chain heads with an Ed25519 key or an HMAC key.

    Build with :meth:`ed25519`, :meth:`ed25519_public` (verify only) or :meth:`hmac_sha256`.
    """

    def __init__(
        self,
        alg: str,
        key_id: str,
        *,
        private: Ed25519PrivateKey | None = None,
        public: Ed25519PublicKey | None = None,
        secret: bytes | None = None,
    ) -> None:
        self.alg = alg
        self.key_id = key_id
        self._private = private
        self._public = public
        self._secret = secret

    @classmethod
    def ed25519(cls, private: Ed25519PrivateKey) -> HeadSigner:
        public = private.public_key()
        return cls("ed25519", _ed25519_key_id(public), private=private, public=public)

    @classmethod
    def ed25519_public(cls, public: Ed25519PublicKey) -> HeadSigner:
        return cls("ed25519", _ed25519_key_id(public), public=public)

    @classmethod
    def from_public_pem(cls, pem: str | bytes) -> HeadSigner:
        """A verify-only signer from an Ed25519 public key in PEM form."""
        key = serialization.load_pem_public_key(pem.encode("ascii") if isinstance(pem, str) else pem)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the public key is not an Ed25519 key")
        return cls.ed25519_public(key)

    @classmethod
    def hmac_sha256(cls, secret: bytes) -> HeadSigner:
        key_id = hmac.new(secret, _HMAC_KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]
        return cls("hmac-sha256", key_id, secret=secret)

    @property
    def can_sign(self) -> bool:
        return self._private is not None or self._secret is not None

    def public_key_pem(self) -> str | None:
        """The Ed25519 public key (SubjectPublicKeyInfo PEM); None for HMAC."""
        if self._public is None:
            return None
        return self._public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")

    def sign_head(self, chain: str, seq: int, head_hash: str, when: datetime | None = None) -> dict[str, Any]:
        """A signed head for entry ``seq`` with hash ``head_hash`` (the witness line / receipt)."""
        signed_at = iso_utc(when or datetime.now(UTC))
        message = head_statement(chain, seq, head_hash, signed_at)
        if self._private is not None:
            sig = self._private.sign(message).hex()
        elif self._secret is not None:
            sig = hmac.new(self._secret, message, hashlib.sha256).hexdigest()
        else:
            raise ValueError("this key can only verify heads (no private key)")
        return {
            "type": HEAD_TYPE,
            "chain": chain,
            "seq": int(seq),
            "hash": head_hash,
            "signed_at": signed_at,
            "alg": self.alg,
            "key_id": self.key_id,
            "sig": sig,
        }

    def verify_head(self, head: dict[str, Any]) -> bool:
        """True when ``head`` carries this key's valid signature."""
        if head.get("alg") != self.alg or head.get("key_id") != self.key_id:
            return False
        message = head_statement(head["chain"], head["seq"], head["hash"], head["signed_at"])
        try:
            sig = bytes.fromhex(str(head["sig"]))
        except ValueError:
            return False
        if self._secret is not None:
            return hmac.compare_digest(sig, hmac.new(self._secret, message, hashlib.sha256).digest())
        assert self._public is not None
        try:
            self._public.verify(sig, message)
        except InvalidSignature:
            return False
        return True


def _ed25519_key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_or_create_ed25519(path: Path, *, create: bool = True) -> Ed25519PrivateKey | None:
    """Load the Ed25519 private key at ``path``; create it (mode 0600) when missing and ``create``.

    Creation is race-free across processes: the key is written to a private temporary file
    and hard-linked into place, so a concurrent creator loses and loads the winner's key.
    """
    if not path.exists():
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, pem)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
            log.warning(
                "generated the ledger signing key %s (Ed25519); back it up and share its public key "
                "(`condensync audit public-key`) with auditors",
                path,
            )
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    data = path.read_bytes()
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def resolve_signer(hmac_key: bytes | None, *, create: bool = True) -> HeadSigner | None:
    """The head signer: ``$CONDENSYNC_LEDGER_SIGNING_KEY`` (Ed25519 PEM) → HMAC with the ledger
    key → the Ed25519 key ``ledger-signing-key.pem`` in the data directory (created on first
    use when ``create``). None only when nothing exists and ``create`` is False."""
    configured = settings.LEDGER_SIGNING_KEY.raw()
    if configured:
        key = load_or_create_ed25519(Path(configured), create=create)
        return None if key is None else HeadSigner.ed25519(key)
    if hmac_key:
        return HeadSigner.hmac_sha256(hmac_key)
    key = load_or_create_ed25519(default_data_dir() / KEY_FILE_NAME, create=create)
    return None if key is None else HeadSigner.ed25519(key)


def default_witness_path(url: Any) -> Path | None:
    """``$CONDENSYNC_LEDGER_WITNESS`` (``off``: none); else ``<database file>.witness.jsonl``
    beside an SQLite file; else ``<data dir>/ledger-witness-<backend>-<host>-<port>-<database>.jsonl``;
    None for an in-memory SQLite database."""
    configured = settings.LEDGER_WITNESS.raw()
    if configured:
        return None if configured.strip().lower() == "off" else Path(configured)
    backend = url.get_backend_name()
    if backend == "sqlite":
        db = url.database
        if not db or db == ":memory:" or db.startswith("file:"):
            return None
        return Path(db).with_name(Path(db).name + ".witness.jsonl")
    name = "-".join(str(p) for p in (backend, url.host or "local", url.port or "default", url.database or ""))
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
    return default_data_dir() / f"ledger-witness-{safe}.jsonl"


class Witness:
    """Append-only witness file of signed heads (JSON Lines), shared safely by threads and processes."""

    def __init__(self, path: Path, *, fsync: bool | None = None) -> None:
        self.path = path
        self.fsync = settings.LEDGER_WITNESS_FSYNC.text() == "1" if fsync is None else fsync
        self._fd: int | None = None
        self._lock = threading.Lock()

    def _open(self) -> int:
        with self._lock:
            if self._fd is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            return self._fd

    def append(self, head: dict[str, Any]) -> None:
        """Append one signed head with a single ``write(2)`` (and ``fsync`` if configured)."""
        line = (json.dumps(head, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")
        fd = self._open()
        written = os.write(fd, line)
        if written != len(line):  # pragma: no cover - a short write to a regular file (disk full)
            raise OSError(f"short write to the ledger witness {self.path} ({written} of {len(line)} bytes)")
        if self.fsync:
            os.fsync(fd)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


def receipt_of(chain: str, seq: int, entry_hash: str, signed_head: dict[str, Any]) -> dict[str, Any]:
    """A call's receipt: where its entry sits in the ledger and the signed head covering it."""
    return {"chain": chain, "seq": int(seq), "entry_hash": entry_hash, "signed_head": signed_head}


@dataclass
class WitnessRead:
    """Signed heads of one chain read from a witness file."""

    heads: list[dict[str, Any]] = field(default_factory=list)
    malformed: list[int] = field(default_factory=list)  #: line numbers that are not signed heads
    torn_tail: bool = False  #: the last line was cut short (a crash mid-write) and was ignored


def _is_head(obj: Any) -> bool:
    return (
        isinstance(obj, dict)
        and all(k in obj for k in _HEAD_FIELDS)
        and obj["type"] == HEAD_TYPE
        and isinstance(obj["seq"], int)
        and not isinstance(obj["seq"], bool)
        and all(isinstance(obj[k], str) for k in _HEAD_FIELDS if k != "seq")
    )


def _lines(path: Path) -> Iterator[tuple[int, bytes, bool]]:
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            yield number, raw, raw.endswith(b"\n")


def read_witness(paths: Iterable[Path], chain: str) -> WitnessRead:
    """Read the signed heads of ``chain`` from witness files (missing files hold none)."""
    out = WitnessRead()
    for path in paths:
        if not path.exists():
            continue
        for number, raw, complete in _lines(path):
            try:
                obj = json.loads(raw)
            except ValueError:
                obj = None
            if not _is_head(obj):
                if complete:
                    out.malformed.append(number)
                else:
                    out.torn_tail = True
                continue
            if obj["chain"] == chain:
                out.heads.append(obj)
    return out
