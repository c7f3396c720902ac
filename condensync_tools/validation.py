# SPDX-License-Identifier: MIT
"""Validation at the boundary (CONTRACT §1.3-1.5).

1. Every argument object is validated against the tool's *published* input schema with a
   jsonschema Draft 2020-12 validator compiled once per tool.
2. Non-finite numbers (NaN, ±Infinity, which Python's JSON parser accepts) are rejected.
3. Field requirements that depend on other fields (e.g. measurements are required only when
   ``data_source`` is ``"supplied"``) are checked by the tool.
4. After conversion to SI, each numeric field is checked against its sane plant range; a value
   outside it is rejected with a hint when it looks like a unit mix-up.

Every violation is reported, each as ``<json path>: <expected>, got <received>``.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import TYPE_CHECKING, Any, Iterable

import fastjsonschema

if TYPE_CHECKING:  # jsonschema is imported when the first schema is compiled (start-up time)
    from jsonschema.exceptions import ValidationError

from .errors import Implausible, InvalidArguments
from .units import KINDS, from_si, unit_label

__all__ = ["CompiledSchema", "describe_value", "non_finite_problems", "implausible_problem"]

_JSON_TYPE_NAMES = {"number": "a number", "integer": "an integer", "string": "a string",
                    "boolean": "true or false", "object": "an object", "array": "an array", "null": "null"}


def describe_value(value: Any, limit: int = 60) -> str:
    """How a received value is shown in an error: its JSON type and a short repr."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
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


def _path(error: ValidationError) -> str:
    path = "$"
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
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
        return [f"{path}.{name}: required ({_describe_field(schema, name)}), got nothing" for name in missing]
    if v == "additionalProperties":
        allowed = set(schema.get("properties", {}))
        extra = [k for k in value if k not in allowed] if isinstance(value, dict) else []
        return [f"{path}.{k}: unknown field (not in the schema; check the spelling), got {describe_value(value[k])}"
                for k in extra]
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
        return [f"{path}: expected a string of {'at least' if v == 'minLength' else 'at most'} "
                f"{error.validator_value} characters, got {describe_value(value)}"]
    if v == "pattern":
        return [f"{path}: expected a string matching {error.validator_value}, got {describe_value(value)}"]
    if v in ("minItems", "maxItems"):
        return [f"{path}: expected {'at least' if v == 'minItems' else 'at most'} {error.validator_value} items, "
                f"got {describe_value(value)}"]
    if v in ("anyOf", "oneOf"):
        return [f"{path}: expected {error.message.split(' is not valid under')[0]} to match one allowed form, "
                f"got {describe_value(value)}"]
    return [f"{path}: {error.message}, got {describe_value(value)}"]


def _describe_field(schema: dict, name: str) -> str:
    sub = schema.get("properties", {}).get(name, {})
    return sub.get("description", _expected(sub))[:80]


def non_finite_problems(value: Any, path: str = "$") -> list[str]:
    """Paths of NaN/Infinity numbers anywhere in an argument structure."""
    if isinstance(value, float) and not math.isfinite(value):
        return [f"{path}: expected a finite number, got {describe_value(value)}"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in non_finite_problems(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in non_finite_problems(v, f"{path}[{i}]")]
    return []


_INF = math.inf


def _has_non_finite(value: Any) -> bool:
    """Whether a NaN or ±Infinity occurs anywhere in an argument structure (fast check; the
    paths come from :func:`non_finite_problems` only when it does)."""
    t = type(value)
    if t is float:
        return not (-_INF < value < _INF)  # NaN fails both comparisons
    if t is dict:
        value = value.values()
    elif t is not list:
        return isinstance(value, float) and not math.isfinite(value)
    for item in value:
        ti = type(item)
        if ti is float:
            if not (-_INF < item < _INF):
                return True
        elif ti is dict or ti is list or (ti is not str and ti is not int and ti is not bool and item is not None):
            if _has_non_finite(item):
                return True
    return False


class CompiledSchema:
    """A published input schema compiled once: validation, defaults, error formatting."""

    def __init__(self, tool: str, schema: dict) -> None:
        self.tool = tool
        self.schema = schema
        # Hot path: the same schema compiled to Python code (our schemas use only keywords whose
        # meaning is identical in drafts 7 and 2020-12; tests/test_validation_equivalence.py
        # checks both validators agree). Any failure is re-validated and reported by jsonschema.
        self.fast = fastjsonschema.compile(schema, use_default=False)
        self.defaults = {name: sub["default"] for name, sub in schema.get("properties", {}).items()
                         if "default" in sub}

    @cached_property
    def validator(self) -> Any:
        """The jsonschema Draft 2020-12 validator (checks the schema itself first), built when a
        call first fails the fast check: valid calls never import jsonschema (start-up time)."""
        from jsonschema import Draft202012Validator

        Draft202012Validator.check_schema(self.schema)
        return Draft202012Validator(self.schema)

    def problems(self, arguments: Any) -> list[str]:
        """Every schema violation and non-finite number, formatted (empty when valid)."""
        if not isinstance(arguments, dict):
            return [f"$: expected an object of named arguments, got {describe_value(arguments)}"]
        found = non_finite_problems(arguments) if _has_non_finite(arguments) else []
        try:
            self.fast(arguments)
            return found
        except fastjsonschema.JsonSchemaException:
            pass
        if self.validator.is_valid(arguments):
            return found
        errors = sorted(self.validator.iter_errors(arguments), key=lambda e: (list(map(str, e.absolute_path)),
                                                                              e.validator))
        for error in errors:
            found.extend(_format(error))
        return list(dict.fromkeys(found))

    def normalise(self, arguments: Any) -> dict:
        """Validate and apply top-level defaults; raise :class:`InvalidArguments` listing
        every problem."""
        problems = self.problems(arguments)
        if problems:
            raise InvalidArguments(problems, self.tool)
        return {**self.defaults, **arguments}


def implausible_problem(path: str, kind: str, value_si: float, lo: float, hi: float, system: str) -> str:
    """An implausible-value message in the caller's units, with a unit hint when the value
    would be plausible in the other unit system."""
    unit = unit_label(kind, system)
    shown = from_si(kind, value_si, system)
    lo_c, hi_c = sorted((from_si(kind, lo, system), from_si(kind, hi, system)))
    text = (f"{path}: expected a plausible plant value between {lo_c:.4g} and {hi_c:.4g} {unit}, "
            f"got {shown:.6g} {unit}")
    other = "SI" if system == "US" else "US"
    k = KINDS[kind]
    as_other = (k.si_to_base if other == "SI" else k.us_to_base)(shown)
    if kind == "pressure" and 20_000.0 < value_si < 110_000.0:
        example = "29.92 − 28.0 = 1.92 inHgA" if system == "US" else "101.3 − 94.8 = 6.5 kPa(a)"
        text += (" — this looks like a gauge vacuum reading or an atmospheric pressure; absolute "
                 f"backpressure = barometric pressure − vacuum (e.g. {example}), or pass "
                 "vacuum_gauge with barometric_pressure")
    elif lo <= as_other <= hi and unit_label(kind, other) != unit:
        text += (f" — {shown:.6g} {unit} is outside any plausible range; if the values are "
                 f"{unit_label(kind, other)} set unit_system to {other}")
    elif kind == "temperature" and value_si < 273.15:
        text += " — below freezing for cooling water"
    return text


def raise_implausible(problems: Iterable[str], tool: str) -> None:
    problems = list(problems)
    if problems:
        raise Implausible(problems, tool)
