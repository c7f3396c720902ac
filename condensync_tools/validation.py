# SPDX-License-Identifier: MIT
"""Validation at the boundary (CONTRACT §1.3-1.5).

1. Every argument object is validated against the tool's *published* input schema with a
   jsonschema Draft 2020-12 validator compiled once per tool.
2. Hostile values are rejected wherever they occur, in one pass over the arguments: non-finite
   numbers (NaN, ±Infinity, which Python's JSON parser accepts), integers beyond ±(2**53-1)
   (outside I-JSON, RFC 7493 §2.2, so not hashable under RFC 8785), strings or keys holding a
   lone surrogate, and nesting deeper than :data:`MAX_DEPTH`.
3. Field requirements that depend on other fields (e.g. measurements are required only when
   ``data_source`` is ``"supplied"``) are checked by the tool.
4. After conversion to SI, each numeric field is checked against its sane plant range; a value
   outside it is rejected with a hint when it looks like a unit mix-up.

Every violation is reported, each as ``<json path>: <expected>, got <received>``, up to
:data:`MAX_COLLECTED` (work stays bounded for hostile input; the error lists the first
:data:`condensync_tools.errors.MAX_LISTED` and counts the rest).
"""

from __future__ import annotations

import json
import math
import re
from functools import cached_property
from typing import TYPE_CHECKING, Any, Iterable

import fastjsonschema

if TYPE_CHECKING:  # jsonschema is imported when the first schema is compiled (start-up time)
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

from .errors import Implausible, InvalidArguments
from .units import KINDS, from_si, unit_label

__all__ = [
    "CompiledSchema",
    "describe_value",
    "non_finite_problems",
    "implausible_problem",
    "MAX_DEPTH",
    "MAX_SAFE_INTEGER",
    "MAX_COLLECTED",
    "key_path",
]

#: Deepest nesting of arrays/objects accepted in arguments (the deepest real call, a
#: verify_provenance result with its provenance sources, nests 5 levels).
MAX_DEPTH = 32
#: Largest integer magnitude accepted: 2**53 - 1. RFC 8785 (the canonical form every hash
#: uses) is defined on I-JSON numbers, and I-JSON (RFC 7493 §2.2) limits integers to
#: [-(2**53)+1, 2**53-1], where every integer has its own IEEE 754 double.
MAX_SAFE_INTEGER = 2**53 - 1
#: Problems collected at most per call: checking stops there (bounded work for hostile input).
MAX_COLLECTED = 1000


_JSON_TYPE_NAMES = {
    "number": "a number",
    "integer": "an integer",
    "string": "a string",
    "boolean": "true or false",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def describe_value(value: Any, limit: int = 60) -> str:
    """How a received value is shown in an error: its JSON type and a short repr."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, int) and not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        bits = abs(value).bit_length()
        digits = len(str(abs(value))) if bits < 10_000 else int(bits * math.log10(2)) + 1
        return f"an integer of {digits} digits"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        text = value if len(value) <= limit else value[:limit] + "…"
        return f"string {text!r}"
    if isinstance(value, list):
        return f"an array of {len(value)} items"
    if isinstance(value, dict):
        return f"an object with keys {sorted(value)[:8]}"
    return type(value).__name__


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def key_path(path: str, key: Any) -> str:
    """``path`` extended by an object key: ``$.name`` for a plain name, else the bracket form
    with the key as an ASCII JSON string (``$["cw flow "]``, ``$["x\\ud800"]``), so a path
    is unambiguous and always printable."""
    key = str(key)
    return f"{path}.{key}" if _NAME.fullmatch(key) else f"{path}[{json.dumps(key)}]"


def _path(error: ValidationError) -> str:
    path = "$"
    for part in error.absolute_path:
        path = f"{path}[{part}]" if isinstance(part, int) else key_path(path, part)
    return path


def _expected(schema: dict) -> str:
    t = schema.get("type")
    if isinstance(t, str):
        return _JSON_TYPE_NAMES.get(t, t)
    if isinstance(t, list):
        return " or ".join(_JSON_TYPE_NAMES.get(x, x) for x in t)
    return "a valid value"


def _format(error: ValidationError) -> list[str]:
    path, v, value, schema = _path(error), error.validator, error.instance, error.schema
    if v == "required":
        missing = [name for name in error.validator_value if isinstance(value, dict) and name not in value]
        return [f"{key_path(path, name)}: required ({_describe_field(schema, name)}), got nothing" for name in missing]
    if v == "additionalProperties":
        allowed = set(schema.get("properties", {}))
        extra = [k for k in value if k not in allowed] if isinstance(value, dict) else []
        return [
            f"{key_path(path, k)}: unknown field (not in the schema; check the spelling), got "
            f"{describe_value(value[k])}"
            for k in extra[:MAX_COLLECTED]
        ]
    if v == "type":
        return [f"{path}: expected {_expected(schema)}, got {describe_value(value)}"]
    if v == "enum":
        options = ", ".join(repr(o) for o in error.validator_value)
        return [f"{path}: expected one of {options}, got {describe_value(value)}"]
    if v == "const":
        return [f"{path}: expected {error.validator_value!r}, got {describe_value(value)}"]
    bounds = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
    if v in bounds:
        return [f"{path}: expected a number {bounds[v]} {error.validator_value}, got {describe_value(value)}"]
    if v in ("minLength", "maxLength"):
        return [
            f"{path}: expected a string of {'at least' if v == 'minLength' else 'at most'} "
            f"{error.validator_value} characters, got {describe_value(value)}"
        ]
    if v == "pattern":
        return [f"{path}: expected a string matching {error.validator_value}, got {describe_value(value)}"]
    if v in ("minItems", "maxItems"):
        return [
            f"{path}: expected {'at least' if v == 'minItems' else 'at most'} {error.validator_value} items, "
            f"got {describe_value(value)}"
        ]
    if v in ("anyOf", "oneOf"):
        return [
            f"{path}: expected {error.message.split(' is not valid under')[0]} to match one allowed form, "
            f"got {describe_value(value)}"
        ]
    return [f"{path}: {error.message}, got {describe_value(value)}"]


def _describe_field(schema: dict, name: str) -> str:
    sub = schema.get("properties", {}).get(name, {})
    return sub.get("description", _expected(sub))[:80]


def _bad_text(text: str) -> bool:
    """Whether ``text`` holds a lone UTF-16 surrogate (not encodable as UTF-8)."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _scalar_problem(value: Any, path: str) -> str | None:
    """The problem with one scalar, or None: NaN/Infinity, an integer beyond ±(2**53-1), or a
    string holding a lone surrogate."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{path}: expected a finite number, got {describe_value(value)}"
    if isinstance(value, int) and not isinstance(value, bool) and not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        return (
            f"{path}: expected a number between -(2^53-1) and 2^53-1 (±{MAX_SAFE_INTEGER}; write larger "
            f"values as a decimal number, e.g. 1.5e16), got {describe_value(value)}"
        )
    if isinstance(value, str) and _bad_text(value):
        return f"{path}: expected valid Unicode text, got {describe_value(value)} (it holds a lone surrogate)"
    return None


def non_finite_problems(value: Any, path: str = "$", depth: int = 0, limit: int = MAX_COLLECTED) -> list[str]:
    """Every hostile value anywhere in an argument structure, each with its path: NaN and
    ±Infinity, integers beyond ±(2**53-1), lone surrogates in strings or keys, and nesting deeper
    than :data:`MAX_DEPTH` (reported once, at the container where it starts). At most
    ``limit`` problems are returned; recursion never goes deeper than MAX_DEPTH."""
    out: list[str] = []
    stack = [(value, path, depth)]
    while stack and len(out) < limit:
        item, where, level = stack.pop()
        if type(item) is dict or type(item) is list:
            if level >= MAX_DEPTH:
                out.append(
                    f"{where}: expected at most {MAX_DEPTH} levels of nested arrays and objects, got deeper nesting"
                )
                continue
            if type(item) is dict:
                children = []
                for key, sub in item.items():
                    sub_path = key_path(where, key)
                    if _bad_text(str(key)):
                        out.append(
                            f"{sub_path}: expected a field name in valid Unicode, got a name holding a lone surrogate"
                        )
                    children.append((sub, sub_path, level + 1))
            else:
                children = [(sub, f"{where}[{i}]", level + 1) for i, sub in enumerate(item)]
            stack.extend(reversed(children))
        else:
            problem = _scalar_problem(item, where)
            if problem is not None:
                out.append(problem)
    return out[:limit]


_INF = math.inf
_SAFE = MAX_SAFE_INTEGER


def _has_non_finite(value: Any, depth: int = 0) -> bool:
    """Whether any value :func:`non_finite_problems` reports occurs in an argument structure
    (fast check, one pass without building paths; the paths are built only when it does)."""
    t = type(value)
    if t is dict:
        if depth >= MAX_DEPTH or _bad_keys(value):
            return True
        value = value.values()
    elif t is list:
        if depth >= MAX_DEPTH:
            return True
    else:
        return _scalar_problem(value, "") is not None
    for item in value:
        ti = type(item)
        if ti is float:
            if not (-_INF < item < _INF):  # NaN fails both comparisons
                return True
        elif ti is str:
            if not item.isascii() and _bad_text(item):
                return True
        elif ti is int:
            if not -_SAFE <= item <= _SAFE:
                return True
        elif ti is dict or ti is list:
            if _has_non_finite(item, depth + 1):
                return True
        elif item is not None and ti is not bool and _scalar_problem(item, "") is not None:
            return True
    return False


def _bad_keys(value: dict) -> bool:
    """Whether a key of ``value`` holds a lone surrogate (ASCII keys, the usual case, are
    checked in one C-level pass)."""
    try:
        if all(map(str.isascii, value)):
            return False
    except TypeError:  # a non-string key (in-process callers): check the string ones
        pass
    return any(type(k) is str and _bad_text(k) for k in value)


def _defused(value: Any, depth: int = 0) -> Any:
    """A copy of an argument structure that the reporting validator can walk safely: integers
    beyond ±(2**53-1) become ±Infinity (jsonschema writes every instance into its messages, and
    Python refuses to print integers of over 4300 digits), containers deeper than MAX_DEPTH
    become null. Their own problems are already reported by :func:`non_finite_problems`."""
    t = type(value)
    if t is dict or t is list:
        if depth >= MAX_DEPTH:
            return None
        if t is dict:
            return {k: _defused(v, depth + 1) for k, v in value.items()}
        return [_defused(v, depth + 1) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        return math.inf if value > 0 else -math.inf
    return value


class CompiledSchema:
    """A published input schema compiled once: validation, defaults, error formatting."""

    def __init__(self, tool: str, schema: dict) -> None:
        self.tool = tool
        self.schema = schema
        # Hot path: the same schema compiled to Python code (our schemas use only keywords whose
        # meaning is identical in drafts 7 and 2020-12; tests/test_validation_equivalence.py
        # checks both validators agree). Any failure is re-validated and reported by jsonschema.
        self.fast = fastjsonschema.compile(schema, use_default=False)
        self.defaults = {name: sub["default"] for name, sub in schema.get("properties", {}).items() if "default" in sub}
        self._field_validators: dict[str, Draft202012Validator] | None = None

    @cached_property
    def validator(self) -> Any:
        """The jsonschema Draft 2020-12 validator (checks the schema itself first), built when a
        call first fails the fast check: valid calls never import jsonschema (start-up time)."""
        from jsonschema import Draft202012Validator

        Draft202012Validator.check_schema(self.schema)
        return Draft202012Validator(self.schema)

    def problems(self, arguments: Any) -> list[str]:
        """Every schema violation and hostile value, formatted (empty when valid); at most
        :data:`MAX_COLLECTED` (see :meth:`check`)."""
        return self.check(arguments)[0]

    def check(self, arguments: Any) -> tuple[list[str], bool]:
        """The problems of ``arguments`` and whether checking stopped early: at most
        :data:`MAX_COLLECTED` problems are collected, and the items of an array longer than
        its ``maxItems`` are checked only up to that length (the length is the problem), so a
        hostile call costs bounded time whatever its size."""
        if not isinstance(arguments, dict):
            return [f"$: expected an object of named arguments, got {describe_value(arguments)}"], False
        found = non_finite_problems(arguments) if _has_non_finite(arguments) else []
        try:
            self.fast(arguments)
            return found, len(found) >= MAX_COLLECTED
        except fastjsonschema.JsonSchemaException:
            pass
        checked = _defused(arguments) if found else arguments
        if self.validator.is_valid(checked):
            return found, len(found) >= MAX_COLLECTED
        hostile = {p.split(": ", 1)[0] for p in found}
        checked = self._within_max_items(checked, found)
        errors: list[ValidationError] = []
        incomplete = False
        for error in self.validator.iter_errors(checked):
            if len(errors) + len(found) >= MAX_COLLECTED:
                incomplete = True
                break
            errors.append(error)
        errors.sort(
            key=lambda e: ([(1, 0, p) if isinstance(p, str) else (0, p, "") for p in e.absolute_path], e.validator)
        )
        for error in errors:
            found.extend(p for p in _format(error) if p.split(": ", 1)[0] not in hostile)
        found = list(dict.fromkeys(found))
        return found[:MAX_COLLECTED], incomplete or len(found) > MAX_COLLECTED

    def valid_fields(self, arguments: dict) -> dict:
        """The arguments whose own value is valid under its property schema (and holds no
        hostile value): what further checks of a failed call may look at."""
        validators = self._field_validators
        if validators is None:
            from jsonschema import Draft202012Validator

            validators = self._field_validators = {
                name: Draft202012Validator(sub) for name, sub in self.schema.get("properties", {}).items()
            }
        return {
            k: v
            for k, v in arguments.items()
            if k in validators and not _has_non_finite([v]) and validators[k].is_valid(v)
        }

    def _within_max_items(self, arguments: dict, found: list[str]) -> dict:
        """``arguments`` with each top-level array longer than its ``maxItems`` cut to that
        length, the excess reported in ``found``."""
        out = arguments
        properties = self.schema.get("properties", {})
        for name, value in arguments.items():
            limit = properties.get(name, {}).get("maxItems") if isinstance(value, list) else None
            if limit is not None and len(value) > limit:
                found.append(f"$.{name}: expected at most {limit} items, got {describe_value(value)}")
                out = {**out, name: value[:limit]}
        return out

    def normalise(self, arguments: Any) -> dict:
        """Validate and apply top-level defaults; raise :class:`InvalidArguments` listing
        the problems (see :meth:`check`)."""
        problems, incomplete = self.check(arguments)
        if problems:
            raise InvalidArguments(problems, self.tool, incomplete=incomplete)
        return {**self.defaults, **arguments}


def implausible_problem(path: str, kind: str, value_si: float, lo: float, hi: float, system: str) -> str:
    """An implausible-value message in the caller's units, with a unit hint when the value
    would be plausible in the other unit system."""
    unit = unit_label(kind, system)
    shown = from_si(kind, value_si, system)
    lo_c, hi_c = sorted((from_si(kind, lo, system), from_si(kind, hi, system)))
    text = f"{path}: expected a plausible plant value between {lo_c:.4g} and {hi_c:.4g} {unit}, got {shown:.6g} {unit}"
    other = "SI" if system == "US" else "US"
    k = KINDS[kind]
    as_other = (k.si_to_base if other == "SI" else k.us_to_base)(shown)
    if kind == "pressure" and 20_000.0 < value_si < 110_000.0:
        example = "29.92 − 28.0 = 1.92 inHgA" if system == "US" else "101.3 − 94.8 = 6.5 kPa(a)"
        text += (
            " — this looks like a gauge vacuum reading or an atmospheric pressure; absolute "
            f"backpressure = barometric pressure − vacuum (e.g. {example}), or pass "
            "vacuum_gauge with barometric_pressure"
        )
    elif lo <= as_other <= hi and unit_label(kind, other) != unit:
        text += (
            f" — {shown:.6g} {unit} is outside any plausible range; if the values are "
            f"{unit_label(kind, other)} set unit_system to {other}"
        )
    elif kind == "temperature" and value_si < 273.15:
        text += " — below freezing for cooling water"
    return text


def raise_implausible(problems: Iterable[str], tool: str) -> None:
    problems = list(problems)
    if problems:
        raise Implausible(problems, tool)
