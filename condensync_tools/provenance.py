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


def canonical(obj: Any) -> bytes:
    """RFC 8785 canonical JSON bytes."""
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
