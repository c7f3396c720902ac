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
import time
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any, Callable

import rfc8785

__all__ = [
    "round_sig",
    "round_floats",
    "canonical",
    "canonical_sha256",
    "sha256_hex",
    "build_provenance",
    "provenance_hash",
    "hashed_outputs",
    "hashed_output_fields",
    "MemberTexts",
    "SIGNIFICANT_DIGITS",
]

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


_escape_string = json.encoder.encode_basestring  # C-accelerated, minimal escaping (ensure_ascii=False)


def _utf16_key(key: str) -> bytes:
    return key.encode("utf-16-be")


def _sorted_keys(obj: dict) -> list:
    try:
        keys = sorted(obj)
        plain = "".join(keys).isascii()
    except TypeError:
        bad = next(k for k in obj if type(k) is not str)
        raise TypeError(f"object key {bad!r} is not a string") from None
    if plain:
        return keys  # code-point order equals UTF-16 order for ASCII
    return sorted(keys, key=_utf16_key)


_MAX_SAFE_INT = 2**53 - 1


def _scalar_text(value: Any) -> str | None:
    """Canonical text of a str/int/bool/None (None for anything else)."""
    t = type(value)
    if t is str:
        return _escape_string(value)
    if t is int and -_MAX_SAFE_INT <= value <= _MAX_SAFE_INT:
        return str(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return None


def _rounded_fragment(x: float) -> tuple[float, str]:
    """A float rounded to 10 significant digits and its RFC 8785 text, from one formatting.

    ``format(x, ".10g")`` is correctly rounded; the float it parses to has exactly those
    digits as its shortest round-trip representation (two decimals of at most 10 significant
    digits are at least 1e-10 apart relatively, far more than one ulp), so for fixed notation
    the text *is* the ECMAScript form; exponent forms go through ``rfc8785``.
    """
    text = format(x, ".10g")
    r = float(text)
    if r == 0.0:
        if x != 0.0 and not math.isfinite(x):
            raise ValueError(f"non-finite number {x!r} in a result")
        return 0.0, "0"
    if not math.isfinite(r):
        raise ValueError(f"non-finite number {x!r} in a result")
    if "e" in text:
        return r, rfc8785.dumps(r).decode("utf-8")
    return r, text


def _round_canon(obj: Any) -> tuple[Any, str]:
    """(:func:`round_floats` of ``obj``, its canonical JSON text) in one walk."""
    t = type(obj)
    if t is float:
        return _rounded_fragment(obj)
    if t is dict:
        rounded, parts = _round_canon_items(obj)
        return rounded, _object_text(parts)
    if t is list or t is tuple:
        items = [_round_canon(v) for v in obj]
        return [r for r, _ in items], "[" + ",".join(text for _, text in items) + "]"
    text = _scalar_text(obj)
    if text is not None:
        return obj, text
    if isinstance(obj, float):
        return _rounded_fragment(float(obj))
    return obj, rfc8785.dumps(obj).decode("utf-8")


_BATCH_FORMATS: dict[int, str] = {}


def _round_float_batch(values: list[float]) -> tuple[list[float], list[str]]:
    """:func:`_rounded_fragment` of many floats with one C-level formatting call; values
    whose text needs care (exponent form, non-finite, negative zero) take the scalar path."""
    fmt = _BATCH_FORMATS.get(len(values))
    if fmt is None:
        fmt = _BATCH_FORMATS.setdefault(len(values), "%.10g\x00" * len(values))
    text = fmt % tuple(values)
    if "e" in text or "n" in text or "-0\x00" in text:  # exponent, nan/inf, -0
        pairs = [_rounded_fragment(v) for v in values]
        return [r for r, _ in pairs], [t for _, t in pairs]
    texts = text.split("\x00")
    texts.pop()
    return list(map(float, texts)), texts


def _round_canon_items(obj: dict) -> tuple[dict, dict[str, str]]:
    rounded = dict(obj)
    float_keys = [k for k, v in obj.items() if type(v) is float]
    parts: dict[str, str] = {}
    if float_keys:
        numbers, texts = _round_float_batch([obj[k] for k in float_keys])
        rounded.update(zip(float_keys, numbers, strict=True))
        parts.update(zip(float_keys, texts, strict=True))
    if len(float_keys) < len(obj):
        for key, value in obj.items():
            if type(value) is not float:
                rounded[key], parts[key] = _round_canon(value)
    return rounded, parts


def _object_text(parts: dict[str, str]) -> str:
    """``{"key":text,...}`` in RFC 8785 key order from the canonical texts of the values."""
    if not parts:
        return "{}"
    template, values_in_order = _object_template(tuple(parts))
    return template % values_in_order(parts)


@lru_cache(maxsize=4096)
def _object_template(keys: tuple[str, ...]) -> tuple[str, Callable[[dict], tuple]]:
    """A ``%``-template of an object with these keys in RFC 8785 order, and a getter of the
    member texts in that order (a tool's results have few distinct key sets, so both are
    built once per set)."""
    ordered = _sorted_keys(dict.fromkeys(keys))
    template = "{" + ",".join(_escape_string(k).replace("%", "%%") + ":%s" for k in ordered) + "}"
    if len(ordered) == 1:
        only = ordered[0]
        return template, lambda parts: (parts[only],)
    return template, itemgetter(*ordered)


@lru_cache(maxsize=1024)
def _string_map_text(items: tuple[tuple[str, str], ...]) -> str:
    """Canonical text of a map of strings, e.g. ``units`` or ``provenance.method`` (a tool
    produces few distinct ones, so they are cached)."""
    return _object_text({k: _escape_string(v) for k, v in items})


def string_map_text(mapping: dict[str, str]) -> str:
    """Canonical text of a map of strings (cached by its items)."""
    return _string_map_text(tuple(mapping.items()))


def hashed_outputs(values: dict, warnings: list[str], units: dict[str, str]) -> tuple[dict, str]:
    """The outputs of a result as returned and hashed: ``values`` rounded to 10 significant
    digits plus ``warnings`` and ``units``; with their ``output_sha256``. The hot path of every
    call: rounding and canonical text in one walk (tests check it equals the documented
    recipe, round_floats then RFC 8785, including key order and the sign of zero)."""
    rounded, parts = _round_canon_items(values)
    rounded["warnings"] = warnings
    rounded["units"] = units
    parts["warnings"] = "[" + ",".join(_escape_string(w) for w in warnings) + "]"
    parts["units"] = string_map_text(units)
    return rounded, hashlib.sha256(_object_text(parts).encode("utf-8")).hexdigest()


def hashed_output_fields(
    keys: list[str],
    values: list,
    floats_at: list[int],
    others_at: list[int],
    warnings: list[str],
    units: dict[str, str],
    units_text: str | None = None,
) -> tuple[dict, str, MemberTexts]:
    """:func:`hashed_outputs` of outputs given as parallel lists, as the tool layer builds them
    in its one pass over a handler's fields: ``keys`` and ``values`` in result order, with the
    positions of the float values (``floats_at``) and of every other value (``others_at``);
    ``units`` already in key order, with its canonical text when the caller has it cached.
    Same result and hash as :func:`hashed_outputs` (tested), without building intermediate
    dicts; and the member texts it hashed (:class:`MemberTexts`), from which the ledger
    finishes the result's canonical text."""
    rounded = values[:]
    parts: list = values[:]
    if floats_at:
        numbers, texts = _round_float_batch([values[i] for i in floats_at])
        for i, number, text in zip(floats_at, numbers, texts, strict=True):
            rounded[i] = number
            parts[i] = text
    for i in others_at:
        rounded[i], parts[i] = _round_canon(values[i])
    result = dict(zip(keys, rounded, strict=True))
    result["warnings"] = warnings
    result["units"] = units
    parts.append("[" + ",".join(_escape_string(w) for w in warnings) + "]")
    parts.append(units_text if units_text is not None else string_map_text(units))
    members = (*keys, "warnings", "units")
    template, in_order = _positional_template(members)
    digest = hashlib.sha256((template % in_order(parts)).encode("utf-8")).hexdigest()
    return result, digest, MemberTexts(members, parts)


@dataclass(frozen=True, slots=True)
class MemberTexts:
    """The canonical texts of an object's members, in the order of ``keys`` (what
    :func:`hashed_output_fields` has built for the output hash): :meth:`text_with` finishes the
    canonical text of the whole object with one more member, without serialising the rest
    again. The ledger stores that text of every result (:class:`~.registry.CallOutcome`
    ``result_text``)."""

    keys: tuple[str, ...]
    texts: list[str]

    def text_with(self, key: str, value: Any) -> str:
        """:func:`json_text` of ``{**object, key: value}`` (``key`` not among ``keys``)."""
        template, in_order = _positional_template((*self.keys, key))
        return template % in_order([*self.texts, json_text(value)])


@lru_cache(maxsize=4096)
def _positional_template(keys: tuple[str, ...]) -> tuple[str, Callable[[list], tuple]]:
    """:func:`_object_template` for member texts given as a list in ``keys`` order."""
    template, _ = _object_template(keys)
    position = {k: i for i, k in enumerate(keys)}
    ordered = [position[k] for k in _sorted_keys(position)]
    if len(ordered) == 1:
        only = ordered[0]
        return template, lambda parts: (parts[only],)
    return template, itemgetter(*ordered)


def _value_text(value: Any) -> str:
    """RFC 8785 text of one JSON value: strings, small integers, booleans, null and floats
    in fixed notation directly (Python's ``repr`` has the shortest round-trip digits, as
    ECMAScript, and writes fixed notation only for 1e-4 <= |x| < 1e16, inside ECMAScript's
    fixed range); everything else (exponent forms, -0.0, containers) through ``rfc8785``."""
    t = type(value)
    if t is float:
        text = repr(value)
        if "e" not in text and "n" not in text and text != "-0.0":
            return text[:-2] if text.endswith(".0") else text
    else:
        text = _scalar_text(value)
        if text is not None:
            return text
    return rfc8785.dumps(value).decode("utf-8")


def json_text(value: Any) -> str:
    """RFC 8785 canonical JSON text of ``value``: the one fast serialiser of the project (the
    provenance hashes and the ledger's entries both use it).

    JSON data of the exact types (dicts with string keys, lists, strings, floats in fixed
    notation, integers within ±(2**53 − 1), booleans, None), at any depth, is written here:
    member texts from :func:`_value_text`, objects joined in RFC 8785 key order by a cached
    template. Everything else (exponent-form floats, −0.0, subclasses, other types) goes
    through ``rfc8785``, which raises for what JSON cannot hold. The tests check the result
    byte for byte against ``rfc8785.dumps`` (``tests/test_provenance.py``,
    ``tests/store/test_store_ledger.py``).
    """
    t = type(value)
    if t is dict:
        return _object_text(_member_texts(value))
    if t is list or t is tuple:
        return "[" + ",".join([json_text(v) for v in value]) + "]"
    return _value_text(value)


def canonical(obj: Any) -> bytes:
    """RFC 8785 canonical JSON bytes of ``obj`` (:func:`json_text`, UTF-8)."""
    return json_text(obj).encode("utf-8")


def _member_texts(obj: dict) -> dict[str, str]:
    """:func:`json_text` of every member of an object, the common scalar types inline (the
    input hash of every call: one loop, no call per scalar member)."""
    parts = {}
    for k, v in obj.items():
        t = type(v)
        if t is float:
            text = repr(v)
            if "e" in text or "n" in text or text == "-0.0":
                text = _value_text(v)
            elif text[-2:] == ".0":
                text = text[:-2]
        elif t is str:
            text = _escape_string(v)
        elif t is int and -_MAX_SAFE_INT <= v <= _MAX_SAFE_INT:
            text = str(v)
        elif t is dict or t is list or t is tuple:
            text = json_text(v)
        else:
            text = _value_text(v)
        parts[k] = text
    return parts


def sha256_hex(data: str | bytes) -> str:
    """Hex SHA-256 of UTF-8 text or bytes (the one hashing helper of the project; the store
    re-exports it)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def canonical_sha256(obj: Any) -> str:
    """SHA-256 (hex) of the RFC 8785 canonical JSON of ``obj``."""
    return hashlib.sha256(canonical(obj)).hexdigest()


def provenance_hash(
    tool: str, tool_version: str, method: dict, input_sha256: str, output_sha256: str, sources: list
) -> str:
    """The provenance hash over the hashed fields of a provenance record: SHA-256 of
    JCS({"tool", "tool_version", "method", "input_sha256", "output_sha256", "sources"})."""
    if sources or type(method) is not dict or any(type(v) is not str for v in method.values()):
        return canonical_sha256(
            {
                "tool": tool,
                "tool_version": tool_version,
                "method": method,
                "input_sha256": input_sha256,
                "output_sha256": output_sha256,
                "sources": sources,
            }
        )
    # Hot path (supplied data): the members in RFC 8785 key order (input_sha256, method,
    # output_sha256, sources, tool, tool_version), the method text cached (a tool has few).
    text = (
        f'{{"input_sha256":{_escape_string(input_sha256)},"method":{_string_map_text(tuple(method.items()))},'
        f'"output_sha256":{_escape_string(output_sha256)},"sources":[],"tool":{_escape_string(tool)},'
        f'"tool_version":{_escape_string(tool_version)}}}'
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_SECOND_TEXT: tuple[int, str] = (-1, "")


def utc_now_text() -> str:
    """The current UTC time as RFC 3339 with milliseconds, ``2026-11-28T07:08:02.123Z`` (as
    ``datetime.isoformat(timespec="milliseconds")``: truncated, not rounded). The text of the
    whole second is cached, so a call costs a clock read and one small format."""
    global _SECOND_TEXT
    ms_total = time.time_ns() // 1_000_000
    second, ms = divmod(ms_total, 1000)
    cached = _SECOND_TEXT
    if cached[0] != second:
        cached = _SECOND_TEXT = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
    return f"{cached[1]}.{ms:03d}Z"


def build_provenance(
    tool: str,
    tool_version: str,
    method: dict,
    normalised_args: dict,
    outputs: dict | None,
    sources: list,
    computed_at: datetime | None = None,
    *,
    output_sha256: str | None = None,
) -> dict:
    """The ``provenance`` object of a result (outputs already rounded, without provenance;
    or their ``output_sha256`` when already computed, e.g. by :func:`hashed_outputs`)."""
    in_hash = canonical_sha256(normalised_args)
    out_hash = output_sha256 if output_sha256 is not None else canonical_sha256(outputs)
    if computed_at is None:
        when = utc_now_text()
    else:
        when = computed_at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
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
