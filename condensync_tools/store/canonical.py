# SPDX-License-Identifier: MIT
"""Canonical JSON (RFC 8785) and hashing helpers shared by the ledger and retention.

A ledger entry's hash is

.. code-block:: text

    entry_hash = SHA-256( JCS({ "arguments": ..., "caller": ..., "chain": ...,
                                "duration_ms": ..., "error": ..., "is_error": ...,
                                "prev_hash": ..., "provenance_hash": ..., "recorded_at": ...,
                                "request_id": ..., "result": ..., "seq": ...,
                                "tool": ..., "tool_version": ... }) )

where JCS is the RFC 8785 JSON Canonicalization Scheme, ``recorded_at`` is
``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (UTC, always six fractional digits) and ``arguments`` /
``result`` are JSON values (``result`` is ``null`` for an error). Arguments and results are
stored as their canonical JSON text, so :func:`entry_canonical` composes the canonical form
from the stored text without re-parsing it; the result is byte-identical to
``rfc8785.dumps`` of the parsed dictionary (a property test checks this).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import rfc8785

from ..provenance import (
    json_text,
    sha256_hex,  # the one hashing helper, re-exported for the store
)

__all__ = [
    "GENESIS_HASH",
    "ENTRY_FIELDS",
    "jsonable",
    "canonical_text",
    "canonical_value",
    "clean_text",
    "sha256_hex",
    "iso_utc",
    "to_utc",
    "entry_canonical",
    "entry_canonical_parts",
    "entry_hash",
    "checkpoint_canonical",
    "hmac_hex",
]

GENESIS_HASH = "0" * 64
"""``prev_hash`` of the first entry of a chain (when no checkpoint precedes it)."""

ENTRY_FIELDS = (
    "arguments",
    "caller",
    "chain",
    "duration_ms",
    "error",
    "is_error",
    "prev_hash",
    "provenance_hash",
    "recorded_at",
    "request_id",
    "result",
    "seq",
    "tool",
    "tool_version",
)
"""The hashed fields of a ledger entry, in RFC 8785 (sorted) order."""

_INT_LIMIT = 2**53 - 1
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(s: str, *, keep_nul: bool = False) -> str:
    """Return ``s`` storable in a text column: lone surrogates (and NUL unless ``keep_nul``,
    which PostgreSQL text cannot hold) replaced by U+FFFD."""
    if not keep_nul and "\x00" in s:
        s = s.replace("\x00", "\ufffd")
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        s = _SURROGATE.sub("\ufffd", s)
    return s


def jsonable(obj: Any, *, keep_nul: bool = True) -> Any:
    """Convert ``obj`` into a value RFC 8785 can canonicalise, losing nothing representable.

    Dicts (with keys as strings), lists and tuples, strings, booleans, ``None``, finite
    floats and integers within +/-(2**53 - 1) pass through. Everything else is made
    representable: non-finite floats and larger integers become strings (``"NaN"``,
    ``"Infinity"``, ``"12345678901234567890"``), datetimes become RFC 3339 text, Decimals
    become floats (or strings if not finite), bytes become hex, other objects ``str(obj)``.
    Lone surrogates in strings become U+FFFD.

    Parameters
    ----------
    obj : Any
    keep_nul : bool
        Keep NUL characters (fine in canonical JSON text, which escapes them); pass False
        for values stored in PostgreSQL ``jsonb``, which cannot hold them.

    Returns
    -------
    Any
        A JSON value.
    """
    if obj is None or isinstance(obj, bool):
        return obj
    if isinstance(obj, str):
        return clean_text(obj, keep_nul=keep_nul)
    if isinstance(obj, int):
        return obj if -_INT_LIMIT <= obj <= _INT_LIMIT else str(obj)
    if isinstance(obj, float):
        if math.isfinite(obj):
            return obj
        return "NaN" if math.isnan(obj) else ("Infinity" if obj > 0 else "-Infinity")
    if isinstance(obj, Mapping):
        return {clean_text(str(k), keep_nul=keep_nul): jsonable(v, keep_nul=keep_nul) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v, keep_nul=keep_nul) for v in obj]
    if isinstance(obj, datetime):
        return iso_utc(obj)
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, Decimal):
        return jsonable(float(obj)) if obj.is_finite() else str(obj)
    if isinstance(obj, bytes | bytearray):
        return bytes(obj).hex()
    return clean_text(str(obj), keep_nul=keep_nul)


def canonical_text(obj: Any) -> str:
    """RFC 8785 canonical JSON text of ``jsonable(obj)`` (the project's one fast serialiser,
    :func:`condensync_tools.provenance.json_text`, checked byte for byte against ``rfc8785``)."""
    return canonical_value(obj)[0]


def canonical_value(obj: Any) -> tuple[str, Any]:
    """``(canonical_text(obj), value)`` where ``value`` is ``obj`` itself when it already is
    JSON data (the usual case: :func:`jsonable` would return it unchanged), else the parsed
    canonical text (what the text reads back as).

    JSON data takes :func:`~condensync_tools.provenance.json_text` (the project's one fast
    serialiser); other types, non-finite floats, big integers and lone surrogates take
    :func:`jsonable` first."""
    try:
        text = json_text(obj)
        text.encode("utf-8")  # lone surrogates: not UTF-8, take the route below
        return text, obj
    except (TypeError, ValueError, RecursionError):
        text = json_text(jsonable(obj))
        return text, loads(text)


def to_utc(dt: datetime) -> datetime:
    """Return ``dt`` as an aware UTC datetime (naive input is taken as UTC)."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def iso_utc(dt: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC (the form that is hashed)."""
    dt = to_utc(dt)
    if dt.year >= 1000:  # isoformat (C, fast) writes the same text; strftime's %Y is not zero-padded below
        return dt.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _scalar(v: Any) -> str:
    text = json_text(v)
    text.encode("utf-8")  # lone surrogates: raise, as the rfc8785 route does
    return text


def entry_canonical_parts(
    *,
    chain: str,
    recorded_at: datetime,
    tool: str,
    tool_version: str,
    arguments_json: str,
    result_json: str | None,
    error: str | None,
    is_error: bool,
    provenance_hash: str | None,
    caller: str | None,
    duration_ms: float,
    request_id: str | None,
) -> tuple[str, str, str]:
    """The canonical text of an entry around its two chain-dependent fields.

    Returns ``(a, b, c)`` such that, for a hex ``prev_hash``, the canonical text is
    ``a + '"' + prev_hash + '"' + b + str(seq) + c`` (keys ``prev_hash`` and ``seq`` sit
    between ``is_error``/``provenance_hash`` and ``result``/``tool`` in RFC 8785 order).
    This lets PostgreSQL finish the hash inside the append statement.
    """
    a = (
        '{"arguments":'
        + arguments_json
        + ',"caller":'
        + _scalar(caller)
        + ',"chain":'
        + _scalar(chain)
        + ',"duration_ms":'
        + _scalar(float(duration_ms))
        + ',"error":'
        + _scalar(error)
        + ',"is_error":'
        + ("true" if is_error else "false")
        + ',"prev_hash":'
    )
    b = (
        ',"provenance_hash":'
        + _scalar(provenance_hash)
        + ',"recorded_at":'
        + _scalar(iso_utc(recorded_at))
        + ',"request_id":'
        + _scalar(request_id)
        + ',"result":'
        + ("null" if result_json is None else result_json)
        + ',"seq":'
    )
    c = ',"tool":' + _scalar(tool) + ',"tool_version":' + _scalar(tool_version) + "}"
    return a, b, c


def entry_canonical(*, seq: int, prev_hash: str, **content: Any) -> str:
    """Canonical JSON text of a ledger entry's hashed content.

    ``content`` holds the other fields of :data:`ENTRY_FIELDS` as stored, i.e. with
    ``arguments_json`` / ``result_json`` already canonical text.

    Returns
    -------
    str
        Equal to ``rfc8785.dumps({...})`` of the parsed fields (see module docstring).
    """
    a, b, c = entry_canonical_parts(**content)
    return a + _scalar(prev_hash) + b + _scalar(int(seq)) + c


def entry_hash(**fields: Any) -> str:
    """SHA-256 hex of :func:`entry_canonical` of the given fields."""
    return sha256_hex(entry_canonical(**fields))


def checkpoint_canonical(
    *,
    chain: str,
    ordinal: int,
    first_seq: int,
    last_seq: int,
    last_entry_hash: str,
    entry_count: int,
    span_start: datetime,
    span_end: datetime,
    prev_checkpoint_hash: str,
    created_at: datetime,
) -> str:
    """Canonical JSON text of a checkpoint's signed content (its hash is SHA-256 of this)."""
    return rfc8785.dumps(
        {
            "chain": chain,
            "ordinal": int(ordinal),
            "first_seq": int(first_seq),
            "last_seq": int(last_seq),
            "last_entry_hash": last_entry_hash,
            "entry_count": int(entry_count),
            "span_start": iso_utc(span_start),
            "span_end": iso_utc(span_end),
            "prev_checkpoint_hash": prev_checkpoint_hash,
            "created_at": iso_utc(created_at),
        }
    ).decode("utf-8")


def hmac_hex(key: bytes, text: str) -> str:
    """HMAC-SHA256 of UTF-8 ``text`` under ``key``, hex."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def _parse_int(s: str) -> int | float:
    n = int(s)
    return n if -_INT_LIMIT <= n <= _INT_LIMIT else float(s)


def loads(text: str | None) -> Any:
    """Parse stored/exported JSON text (``None`` stays ``None``).

    Integer literals beyond +/-(2**53 - 1) are parsed as floats: :func:`jsonable` turns
    larger Python integers into strings, so such a literal can only be an integral float
    (RFC 8785 writes 1e16 as ``10000000000000000``), and re-canonicalising it as a float
    reproduces the same text.
    """
    return None if text is None else json.loads(text, parse_int=_parse_int)
