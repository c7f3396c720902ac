# SPDX-License-Identifier: MIT
"""Provenance hashing (CONTRACT §5): RFC 8785 canonical JSON, SHA-256, 10 significant digits.

Recipe (documented in the README so anyone can recompute it):

1. ``input_sha256``  = SHA-256 of JCS(normalised arguments): the arguments after schema
   defaults are applied, ``unit_system`` included, as given by the caller (not converted);
2. every float of the outputs is rounded to 10 significant digits (``float(f"{x:.10g}")``);
   ``output_sha256`` = SHA-256 of JCS(outputs without ``provenance``);
3. ``provenance_hash`` = SHA-256 of JCS({"tool", "tool_version", "method", "input_sha256",
   "output_sha256", "sources"}). ``computed_at`` is never hashed.

JCS is RFC 8785 (the ``rfc8785`` package): sorted keys, no whitespace, ECMAScript number
formatting, UTF-8.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime, timezone
from typing import Any

import rfc8785

__all__ = ["round_sig", "round_floats", "canonical", "sha256_hex", "build_provenance", "provenance_hash",
           "SIGNIFICANT_DIGITS"]

SIGNIFICANT_DIGITS = 10


def round_sig(x: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """Round a finite float to ``digits`` significant digits (-0.0 becomes 0.0)."""
    if not math.isfinite(x):
        raise ValueError(f"non-finite number {x!r} in a result")
    r = float(f"{x:.{digits}g}")
    return 0.0 if r == 0.0 else r


def round_floats(obj: Any) -> Any:
    """Recursively round every float in a JSON-like structure (bools and ints untouched)."""
    if isinstance(obj, float):
        return round_sig(obj)
    if isinstance(obj, dict):
        return {k: round_floats(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [round_floats(v) for v in obj]
    return obj


def _es_number(x: float) -> str:
    """ECMAScript Number::toString of a finite float (RFC 8785 §3.2.2.3): the shortest
    round-trip digits (Python's repr gives the same digits), fixed notation for
    1e-7 <= |x| < 1e21, otherwise d.ddde±n."""
    if x == 0.0:
        return "0"
    if not math.isfinite(x):
        raise ValueError(f"non-finite number {x!r} cannot be canonicalised")
    text = repr(x)
    if "e" not in text and "E" not in text:
        return text[:-2] if text.endswith(".0") else text
    mantissa, exp_text = text.split("e")
    exponent = int(exp_text)
    sign = "-" if mantissa.startswith("-") else ""
    digits = mantissa.lstrip("-").replace(".", "")
    point = mantissa.lstrip("-").find(".")
    point = len(mantissa.lstrip("-")) if point < 0 else point
    digits = digits.rstrip("0") or "0"
    n = point + exponent  # position of the decimal point in the digit string
    if -6 <= n - 1 < 21:  # 1e-7 <= |x| < 1e21: fixed notation
        if n <= 0:
            return f"{sign}0.{'0' * -n}{digits}"
        if n >= len(digits):
            return f"{sign}{digits}{'0' * (n - len(digits))}"
        return f"{sign}{digits[:n]}.{digits[n:]}"
    frac = f".{digits[1:]}" if len(digits) > 1 else ""
    e = n - 1
    return f"{sign}{digits[0]}{frac}e{'+' if e > 0 else '-'}{abs(e)}"


_escape_string = json.encoder.encode_basestring  # C-accelerated, minimal escaping (ensure_ascii=False)


def _utf16_key(key: str) -> bytes:
    return key.encode("utf-16-be")


def _sorted_keys(obj: dict) -> list:
    keys = list(obj)
    for key in keys:
        if type(key) is not str:
            raise TypeError(f"object key {key!r} is not a string")
    if "".join(keys).isascii():
        return sorted(keys)  # code-point order equals UTF-16 order for ASCII
    return sorted(keys, key=_utf16_key)


def _jcs(obj: Any, out: list[str]) -> None:
    append = out.append
    t = type(obj)
    if t is str:
        append(_escape_string(obj))
    elif t is float:
        append(_es_number(obj))
    elif t is dict:
        append("{")
        first = True
        for key in _sorted_keys(obj):
            if first:
                first = False
            else:
                append(",")
            append(_escape_string(key))
            append(":")
            value = obj[key]
            vt = type(value)
            if vt is str:
                append(_escape_string(value))
            elif vt is float:
                append(_es_number(value))
            else:
                _jcs(value, out)
        append("}")
    elif t is list or t is tuple:
        append("[")
        for i, item in enumerate(obj):
            if i:
                append(",")
            _jcs(item, out)
        append("]")
    elif obj is True:
        append("true")
    elif obj is False:
        append("false")
    elif obj is None:
        append("null")
    elif isinstance(obj, int):
        if abs(obj) > 2**53 - 1:
            raise ValueError(f"integer {obj} exceeds the I-JSON range of RFC 8785")
        append(str(int(obj)))
    elif isinstance(obj, float):
        append(_es_number(float(obj)))
    elif isinstance(obj, str):
        append(_escape_string(str(obj)))
    elif isinstance(obj, dict):
        _jcs(dict(obj), out)
    else:
        raise TypeError(f"{type(obj).__name__} is not JSON-serialisable")


def canonical(obj: Any) -> bytes:
    """RFC 8785 canonical JSON bytes.

    A fast serialiser for JSON data (dict/list/str/int/float/bool/None); the test suite
    checks it byte for byte against the reference ``rfc8785`` package on random structures
    and numbers (``tests/test_provenance.py``).
    """
    out: list[str] = []
    _jcs(obj, out)
    return "".join(out).encode("utf-8")


def canonical_reference(obj: Any) -> bytes:
    """RFC 8785 canonical JSON bytes from the reference ``rfc8785`` package."""
    return rfc8785.dumps(obj)


def sha256_hex(obj: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of ``obj``."""
    return hashlib.sha256(canonical(obj)).hexdigest()


def provenance_hash(tool: str, tool_version: str, method: dict, input_sha256: str, output_sha256: str,
                    sources: list) -> str:
    """The provenance hash over the hashed fields of a provenance record."""
    return sha256_hex({"tool": tool, "tool_version": tool_version, "method": method,
                       "input_sha256": input_sha256, "output_sha256": output_sha256, "sources": sources})


def build_provenance(tool: str, tool_version: str, method: dict, normalised_args: dict, outputs: dict,
                     sources: list, computed_at: datetime | None = None) -> dict:
    """The ``provenance`` object of a result (outputs already rounded, without provenance)."""
    in_hash = sha256_hex(normalised_args)
    out_hash = sha256_hex(outputs)
    when = (computed_at or datetime.now(timezone.utc)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {
        "tool": tool,
        "tool_version": tool_version,
        "method": method,
        "input_sha256": in_hash,
        "output_sha256": out_hash,
        "provenance_hash": provenance_hash(tool, tool_version, method, in_hash, out_hash, sources),
        "sources": sources,
        "computed_at": when,
    }
