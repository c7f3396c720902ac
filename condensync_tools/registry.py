# SPDX-License-Identifier: MIT
"""Tool definitions and the one execution path every caller uses (MCP, CLI, tests, batch).

A tool is defined once (:class:`ToolDefinition`): name, title, description, input and output
models (which generate the published schemas), annotations and a handler that calls pure
calculators with SI values. :func:`execute` runs the whole pipeline of ARCHITECTURE.md:

    validate (published schema) → plant design data (condenser_id) → live data → required
    fields → units to SI → plausibility → handler (calculators) → units to caller → round to
    10 significant digits → provenance hashes → ledger record → result
"""

from __future__ import annotations

import logging
import os
import re
import time
import typing
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Protocol

from pydantic import BaseModel

from . import provenance, schema
from .calculators.errors import CalculationError, OutOfRangeError
from .calculators.messages import render, render_values
from .errors import InvalidArguments, PhysicallyImpossible, ToolCallError, ToolUnavailable, UnknownTool
from .units import KINDS, Quantity, format_quantity, from_si, unit_label
from .validation import CompiledSchema, implausible_problem, raise_implausible

__all__ = [
    "ToolDefinition",
    "ToolCall",
    "ToolOutput",
    "HistoryRecord",
    "ExecutionContext",
    "CallOutcome",
    "REGISTRY",
    "register",
    "execute",
    "get_tool",
    "all_tools",
    "field_plan",
    "convert_units",
    "caller_outputs",
]

log = logging.getLogger("condensync.registry")


# --------------------------------------------------------------------------- field plans
@dataclass(frozen=True, slots=True)
class FieldPlan:
    """How one field converts: a quantity, a nested object or a list of nested objects."""

    quantity: Quantity | None = None
    nested: dict[str, "FieldPlan"] | None = None
    is_list: bool = False


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(annotation)
    if origin in (list, tuple):
        return typing.get_args(annotation)[0], True
    if origin is typing.Union or str(origin) == "types.UnionType":
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else (annotation, False)
    return annotation, False


def field_plan(model: type[BaseModel]) -> dict[str, FieldPlan]:
    """Conversion plan of a model: its quantity fields and nested models, recursively."""
    plan: dict[str, FieldPlan] = {}
    for name, info in model.model_fields.items():
        quantity = next((m for m in info.metadata if isinstance(m, Quantity)), None)
        inner, is_list = _unwrap(info.annotation)
        if quantity is not None:
            plan[name] = FieldPlan(quantity=quantity, is_list=is_list)
        elif isinstance(inner, type) and issubclass(inner, BaseModel):
            plan[name] = FieldPlan(nested=field_plan(inner), is_list=is_list)
    return plan


@dataclass(frozen=True, slots=True)
class _Conversion:
    """A field plan compiled for one unit system and direction: per scalar, list and nested
    field, what to call (built once; the per-call loop does no look-ups by kind)."""

    scalars: tuple[tuple[str, Callable[[float], float], str], ...]  #: name, converter, unit label
    lists: tuple[tuple[str, Callable[[float], float], str], ...]
    nested: tuple[tuple[str, dict, bool], ...]  #: name, sub-plan, is a list
    plausible: tuple[tuple[str, str, float, float], ...]  #: name, kind, SI range (scalars)
    scalar_by_name: dict[str, tuple[Callable[[float], float], str]]  #: name → converter, unit label
    structured: frozenset[str]  #: names of the list and nested fields
    #: output layout by the tuple of fields present (to_caller only, see :func:`caller_outputs`)
    output_layouts: dict[tuple[str, ...], "_OutputLayout"]


_COMPILED: dict[tuple[int, str, bool], tuple[dict, _Conversion]] = {}


def _compiled(plan: dict[str, FieldPlan], system: str, to_caller: bool) -> _Conversion:
    key = (id(plan), system, to_caller)
    hit = _COMPILED.get(key)
    if hit is not None and hit[0] is plan:  # the entry holds the plan, so its id is not reused
        return hit[1]
    scalars, lists, nested, plausible = [], [], [], []
    for name, p in plan.items():
        q = p.quantity
        if q is not None:
            kind = KINDS[q.kind]
            if to_caller:
                conv = kind.base_to_us if system == "US" else kind.base_to_si
            else:
                conv = kind.us_to_base if system == "US" else kind.si_to_base
            (lists if p.is_list else scalars).append((name, conv, unit_label(q.kind, system)))
            if q.plausible_si is not None and not p.is_list:
                plausible.append((name, q.kind, *q.plausible_si))
        elif p.nested is not None:
            nested.append((name, p.nested, p.is_list))
    compiled = _Conversion(
        tuple(scalars),
        tuple(lists),
        tuple(nested),
        tuple(plausible),
        {name: (conv, label) for name, conv, label in scalars},
        frozenset(name for name, *_ in lists + nested),
        {},
    )
    if len(_COMPILED) > 4096:
        _COMPILED.clear()
    _COMPILED[key] = (plan, compiled)
    return compiled


def convert_units(
    values: dict, plan: dict[str, FieldPlan], system: str, to_caller: bool, units: dict | None = None, prefix: str = ""
) -> dict:
    """Convert the quantity fields of ``values`` (recursively) between SI base units and
    ``system``; fill ``units`` with the caller-facing unit of each converted field."""
    c = _compiled(plan, system, to_caller)
    out = dict(values)
    get = values.get
    for name, conv, label in c.scalars:
        value = get(name)
        if value is not None:
            out[name] = conv(value)
            if units is not None:
                units[prefix + name] = label
    for name, conv, label in c.lists:
        value = get(name)
        if value is not None:
            out[name] = [conv(v) for v in value]
            if units is not None:
                units[prefix + name] = label
    for name, sub_plan, is_list in c.nested:
        value = get(name)
        if value is None:
            continue
        sub_prefix = prefix + name + ("[]." if is_list else ".")
        if is_list:
            out[name] = [convert_units(v, sub_plan, system, to_caller, units, sub_prefix) for v in value]
        else:
            out[name] = convert_units(value, sub_plan, system, to_caller, units, sub_prefix)
    return out


def caller_outputs(
    out: "ToolOutput", plan: dict[str, FieldPlan], system: str
) -> tuple[dict, str, provenance.MemberTexts]:
    """A handler's outputs as the result carries them, their ``output_sha256`` and the member
    texts hashed (:class:`provenance.MemberTexts`): fields
    that are None left out, quantity fields converted from SI to ``system`` (each with its
    ``units`` entry), every float rounded to 10 significant digits, ``warnings`` and ``units``
    added (see :mod:`provenance`). The hot path of every call: what depends only on which
    fields are present (converters by position, the ``units`` map and its canonical text) is
    built once per set of fields (:class:`_OutputLayout`); the same as :func:`convert_units`
    followed by :func:`provenance.hashed_outputs` (tested)."""
    c = _compiled(plan, system, to_caller=True)
    given = out.values
    keys = tuple([name for name, value in given.items() if value is not None])
    layout = c.output_layouts.get(keys)
    if layout is None:
        layout = _output_layout(c, keys)
    values = [given[name] for name in keys]
    for i, conv in layout.scalars:
        values[i] = conv(values[i])
    units, units_text = layout.units, layout.units_text
    if layout.structured:
        extra_units: dict[str, str] = {}
        for i in layout.structured:
            name = keys[i]
            values[i] = convert_units({name: values[i]}, plan, system, True, extra_units)[name]
        if extra_units:
            units = dict(sorted({**units, **extra_units}.items()))
            units_text = provenance.string_map_text(units)
    floats_at = [i for i, value in enumerate(values) if type(value) is float]
    others_at = [i for i, value in enumerate(values) if type(value) is not float]
    return provenance.hashed_output_fields(
        list(keys), values, floats_at, others_at, list(out.warnings), dict(units), units_text
    )


@dataclass(frozen=True, slots=True)
class _OutputLayout:
    """For one set of present output fields (in result order): the converter of each scalar
    quantity by position, the positions of list and nested fields (converted per call, their
    units added then), and the ``units`` map of the scalars with its canonical text."""

    scalars: tuple[tuple[int, Callable[[float], float]], ...]
    structured: tuple[int, ...]
    units: dict[str, str]
    units_text: str


def _output_layout(c: _Conversion, keys: tuple[str, ...]) -> _OutputLayout:
    scalars = tuple((i, c.scalar_by_name[name][0]) for i, name in enumerate(keys) if name in c.scalar_by_name)
    structured = tuple(i for i, name in enumerate(keys) if name in c.structured)
    units = dict(sorted((name, c.scalar_by_name[name][1]) for name in keys if name in c.scalar_by_name))
    layout = _OutputLayout(scalars, structured, units, provenance.string_map_text(units))
    if len(c.output_layouts) > 256:  # a tool has few distinct sets; bounded whatever the handler does
        c.output_layouts.clear()
    c.output_layouts[keys] = layout
    return layout


# --------------------------------------------------------------------------- definitions
class LiveProvider(Protocol):
    """Reads measurements of a condenser from the plant (connectors)."""

    def read(self, condenser_id: str, fields: list[str]) -> tuple[dict[str, float], list[dict]]:
        """SI values by tool field name, and one provenance source record per value."""


class WorkOrderService(Protocol):
    """Files work orders in a condenser's CMMS (the live layer's connector manager)."""

    def create_work_order(self, condenser_id: str, request: Any, *, dry_run: bool, timeout: float) -> Any:
        """The CMMS client's result for ``request`` (a ``connectors.WorkOrderRequest``)."""


class DesignProvider(Protocol):
    """Plant configuration: design data of a condenser as tool arguments."""

    def design_arguments(self, condenser_id: str, tool: str, unit_system: str, accepted: set[str]) -> dict[str, Any]:
        """Design arguments in the caller's unit system, only names the tool accepts."""


class Recorder(Protocol):
    """The audit ledger: records a finished call; returns only once it is durable."""

    def record(self, outcome: "CallOutcome") -> None: ...


@dataclass
class ExecutionContext:
    """What a call may use beyond its arguments. Everything is optional: a bare context runs
    calculators on supplied data only."""

    design: DesignProvider | None = None
    live: LiveProvider | None = None
    recorder: Recorder | None = None
    caller: str | None = None
    role: str | None = None
    request_id: str | None = None
    services: dict[str, Any] = field(default_factory=dict)
    #: the combined call (tool name) this call runs a part of: the ledger still records the part,
    #: the condenser history keeps only what the combined call declares
    part_of: str | None = None


@dataclass
class ToolCall:
    """A validated call as a handler sees it."""

    tool: "ToolDefinition"
    args: dict  #: normalised arguments, caller units (defaults and design data applied)
    si: dict  #: the same with quantity fields in SI base units (and live values merged)
    unit_system: str
    context: ExecutionContext
    sources: list[dict] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return self.si.get(name) is not None

    def to_caller(self, kind: str, value_si: float) -> float:
        return from_si(kind, value_si, self.unit_system)

    def unit(self, kind: str) -> str:
        return unit_label(kind, self.unit_system)


@dataclass(frozen=True, slots=True)
class HistoryRecord:
    """What the condenser history keeps of a successful call (SI). The store keeps the result
    with these figures as columns and never looks inside the result for them; a tool whose
    output has no HistoryRecord leaves no history row.

    ``cleanliness_factor`` and ``fouling_resistance`` [m²·K/W] describe the *fouling* state
    (None when the call does not know it); ``air_confounded`` marks a figure that replaces a
    cleanliness measured under air binding (the fouling estimate of an air-confounded analysis)."""

    cleanliness_factor: float | None = None
    fouling_resistance: float | None = None
    air_confounded: bool = False


@dataclass
class ToolOutput:
    """What a handler returns: output values (quantity fields in SI), method ids, warnings,
    an optional short human summary (text, or a function giving it, so that callers that
    never show it, e.g. batch runs, do not pay for formatting it) and what the condenser
    history keeps of the result (:class:`HistoryRecord`, None: nothing)."""

    values: dict
    method: dict
    warnings: list[str] = field(default_factory=list)
    summary: str | Callable[[], str] = ""
    history: HistoryRecord | None = None


@dataclass(frozen=True)
class ToolDefinition:
    """One tool, defined once. The schemas, validation, docs and MCP listing derive from it."""

    name: str
    title: str
    description: str
    version: str
    input_model: type[BaseModel]
    output_model: type[BaseModel]
    handler: Callable[[ToolCall], ToolOutput]
    category: str = "calculator"  #: calculator | live_read | work_order | ledger | admin
    read_only: bool = True
    destructive: bool = False
    idempotent: bool = True
    open_world: bool = False
    live_fields: tuple[str, ...] = ()
    #: required when data_source is "supplied": a field name, or a tuple of alternatives
    required_supplied: tuple[str | tuple[str, ...], ...] = ()
    #: required in every mode (after design data): same form
    required_always: tuple[str | tuple[str, ...], ...] = ()
    #: further rules by the value of one input field: (field, {value: rules}), e.g. the fields
    #: each ``mode`` of a tool needs (same form as required_always)
    required_by_mode: tuple[str, dict[str, tuple]] | None = None
    #: further argument rules the schema cannot state (e.g. fields a mode does not accept): the
    #: present arguments (values not None) → problems, reported with the missing fields
    argument_problems: Callable[[dict], list[str]] | None = None
    record_history: bool = True
    #: Bounded CPU-only work on supplied data (about a millisecond at most; no I/O unless the
    #: call reads live data, history or the ledger): the MCP adapter may run it on the event
    #: loop. Sweeps and multi-part analyses (tens of ms) are not quick.
    quick: bool = False

    @cached_property
    def input_plan(self) -> dict[str, FieldPlan]:
        return field_plan(self.input_model)

    @cached_property
    def output_plan(self) -> dict[str, FieldPlan]:
        return field_plan(self.output_model)

    @cached_property
    def compiled(self) -> CompiledSchema:
        """The *published* input schema, compiled once (never re-read per call)."""
        return CompiledSchema(self.name, schema.load_published(self.name, "input"))

    def generated_input_schema(self) -> dict:
        return schema.model_schema(self.input_model, tool_name=self.name)

    def generated_output_schema(self) -> dict:
        return schema.model_schema(self.output_model)

    @property
    def replayable(self) -> bool:
        """Whether running the tool again has no effect outside this process: read-only, not
        destructive and closed-world (no plant, CMMS or other outside system). Only such tools
        are re-executed by ``verify_provenance``."""
        return self.read_only and not self.destructive and not self.open_world

    @property
    def annotations(self) -> dict[str, bool]:
        return {
            "readOnlyHint": self.read_only,
            "destructiveHint": self.destructive,
            "idempotentHint": self.idempotent,
            "openWorldHint": self.open_world,
        }


REGISTRY: dict[str, ToolDefinition] = {}


def register(tool: ToolDefinition) -> ToolDefinition:
    if tool.name in REGISTRY:
        raise ValueError(f"tool {tool.name} registered twice")
    REGISTRY[tool.name] = tool
    return tool


_TOOLS_LOADED = False


def _load_tools() -> None:
    global _TOOLS_LOADED
    if not _TOOLS_LOADED:
        from . import tools

        tools.import_all()  # registers every tool module
        _TOOLS_LOADED = True


def all_tools() -> list[ToolDefinition]:
    _load_tools()
    return [REGISTRY[name] for name in sorted(REGISTRY)]


def get_tool(name: str) -> ToolDefinition:
    if name not in REGISTRY:  # a tool module imported on its own has registered its tool
        _load_tools()
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownTool([f"$.name: expected one of {', '.join(sorted(REGISTRY))}, got {name!r}"]) from None


# --------------------------------------------------------------------------- execution
@dataclass
class CallOutcome:
    """A finished call: the result (success) or the error, with what the ledger records."""

    tool: str
    tool_version: str
    arguments: Any
    normalised: dict | None
    result: dict | None
    error: ToolCallError | None
    duration_ms: float
    caller: str | None
    request_id: str
    summary_source: str | Callable[[], str] = ""  #: the summary, or the function that formats it
    receipt: dict | None = None  #: audit-ledger receipt, set by the recorder (never hashed)
    #: what the condenser history keeps (None: nothing, also for a part of a combined call)
    history: HistoryRecord | None = None
    #: the canonical texts of the result's members but ``provenance``, as the output hash
    #: built them (:attr:`result_text` finishes the result's text from them)
    result_members: provenance.MemberTexts | None = None

    @property
    def result_text(self) -> str | None:
        """The RFC 8785 text of ``result``: the member texts built for the output hash and the
        provenance as it is now (the ledger stores it without serialising the result again);
        None when there is no result, or a member was added or removed since (the result's
        other members are not changed after the call)."""
        if self.result is None or self.result_members is None or len(self.result) != len(self.result_members.keys) + 1:
            return None
        return self.result_members.text_with("provenance", self.result["provenance"])

    @property
    def summary(self) -> str:
        """Short human summary of the result (formatted on first use)."""
        if callable(self.summary_source):
            try:
                self.summary_source = self.summary_source()
            except Exception:  # a summary is presentation only: never lose the result for it
                log.exception("summary of %s (request %s) could not be formatted", self.tool, self.request_id)
                self.summary_source = f"{self.tool} computed (summary unavailable; see structuredContent)."
        return self.summary_source

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def provenance_hash(self) -> str | None:
        return self.result["provenance"]["provenance_hash"] if self.result else None


def _missing(call_args: dict, rules: tuple, mode: str, plan_descr: dict, system: str | None = None) -> list[str]:
    """Problems for the rules not met. A rule is a field name or a tuple of alternatives; an
    alternative ``"a+b+c"`` needs all its fields. When the caller gave part of such an
    alternative, each of its missing fields is named (``tube_length`` given: ``tube_od`` and
    ``tube_count`` missing), with the other alternatives."""
    get = call_args.get
    for groups in _rule_groups(rules):  # the usual case, every rule met: no problem to word
        for group in groups:
            for part in group:
                if get(part) is None:
                    break
            else:
                break  # this alternative is complete: the rule is met
        else:
            break  # no alternative complete: word the problems below
    else:
        return []
    problems = []
    for rule in rules:
        names = (rule,) if isinstance(rule, str) else tuple(rule)
        groups = [name.split("+") for name in names]
        if any(all(get(part) is not None for part in group) for group in groups):
            continue
        partial = [g for g in groups if len(g) > 1 and any(get(part) is not None for part in g)]
        if partial:
            others = tuple(n.replace("+", " + ") for n, g in zip(names, groups, strict=True) if g is not partial[0])
            problems += [
                _missing_problem((part, *others), mode, plan_descr, system) for part in partial[0] if get(part) is None
            ]
        else:
            problems.append(_missing_problem(tuple(n.replace("+", " + ") for n in names), mode, plan_descr, system))
    return problems


_RULE_GROUPS: dict[int, tuple[tuple, tuple[tuple[tuple[str, ...], ...], ...]]] = {}


def _rule_groups(rules: tuple) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """``rules`` parsed once: per rule, its alternatives, each the tuple of fields it needs."""
    hit = _RULE_GROUPS.get(id(rules))
    if hit is not None and hit[0] is rules:  # the entry holds the rules, so their id is not reused
        return hit[1]
    parsed = tuple(
        tuple(tuple(name.split("+")) for name in ((rule,) if isinstance(rule, str) else tuple(rule))) for rule in rules
    )
    if len(_RULE_GROUPS) > 4096:
        _RULE_GROUPS.clear()
    _RULE_GROUPS[id(rules)] = (rules, parsed)
    return parsed


def _mode_rules(tool: ToolDefinition, args: dict) -> tuple[tuple, str]:
    """The extra required-field rules of the mode selected in ``args`` and their wording."""
    if tool.required_by_mode is None:
        return (), ""
    name, by_value = tool.required_by_mode
    value = args.get(name)
    if not isinstance(value, str):
        value = tool.compiled.defaults.get(name)
    return by_value.get(value, ()), f" in {name} '{value}'"


_UNIT_BRACKET = re.compile(r"\[([^|\]]+) \| ([^\]]+)\]$")


def _missing_problem(names: tuple[str, ...], mode: str, plan_descr: dict, system: str | None = None) -> str:
    """A missing-field problem; with a known unit system the field's unit bracket names only the
    caller's unit ("[°F]" for US rather than "[°F | °C]")."""
    first = names[0]
    alt = f" (or {' / '.join(names[1:])})" if len(names) > 1 else ""
    expected = plan_descr.get(first, "a value")
    if system in ("US", "SI"):
        expected = _UNIT_BRACKET.sub(lambda m: f"[{m.group(1) if system == 'US' else m.group(2)}]", expected)
    return f"$.{first}: required{alt}{mode} ({expected}), got nothing"


def _plausibility(si: dict, plan: dict[str, FieldPlan], system: str) -> list[str]:
    problems = []
    get = si.get
    for name, kind, lo, hi in _compiled(plan, system, to_caller=False).plausible:
        value = get(name)
        if value is not None and not (lo <= value <= hi):
            problems.append(implausible_problem(f"$.{name}", kind, value, lo, hi, system))
    return problems


def caller_formatter(system: str) -> Callable[[str, float, int], str]:
    """Words a typed quantity of a calculator message in ``system``'s units."""
    return lambda kind, value, digits: format_quantity(kind, value, system, digits)


def _calc_error(exc: CalculationError, tool: str, system: str = "US") -> ToolCallError:
    fmt = caller_formatter(system)
    reason, cause = render(exc.reason, fmt), render(exc.cause, fmt)
    text = f"$.{exc.field}: {reason}" + (f"; likely cause: {cause}" if cause else "")
    if isinstance(exc, OutOfRangeError):
        return InvalidArguments([text], tool)
    return PhysicallyImpossible([text], tool)


def _schema_descriptions(tool: ToolDefinition) -> dict[str, str]:
    """Per field, what is expected: its JSON type and the units bracket of its description
    (computed once per tool)."""
    cached = _DESCRIPTIONS.get(tool.name)
    if cached is not None:
        return cached
    out = {}
    for name, sub in tool.compiled.schema.get("properties", {}).items():
        kind = {
            "number": "a number",
            "integer": "an integer",
            "string": "a string",
            "array": "an array",
            "object": "an object",
            "boolean": "true or false",
        }.get(sub.get("type"), "a value")
        desc = sub.get("description", "")
        unit = desc[desc.rfind("[") :] if desc.endswith("]") and "[" in desc else ""
        out[name] = f"{kind} {unit}".strip()
    _DESCRIPTIONS[tool.name] = out
    return out


_DESCRIPTIONS: dict[str, dict[str, str]] = {}


def _normalise(tool: ToolDefinition, arguments: Any) -> dict:
    """Schema validation plus, when the schema already failed, the missing required fields,
    so that every violation is reported at once."""
    try:
        return tool.compiled.normalise(arguments)
    except InvalidArguments as exc:
        if isinstance(arguments, dict) and not arguments.get("condenser_id"):
            present = {k: v for k, v in arguments.items() if v is not None}
            # fields whose own value is invalid (a mode given as a list, an integer of 5,000
            # digits…) are reported already and do not drive the mode's checks
            valid = tool.compiled.valid_fields(present)
            descr = _schema_descriptions(tool)
            extra = _missing(present, tool.required_always, "", descr)
            mode_rules, mode_text = _mode_rules(tool, valid)
            extra += _missing(present, mode_rules, mode_text, descr)
            if tool.argument_problems is not None:
                extra += tool.argument_problems({**tool.compiled.defaults, **valid})
            if arguments.get("data_source") != "live":
                extra += _missing(present, tool.required_supplied, " when data_source is 'supplied'", descr)
            exc.problems.extend(p for p in extra if p not in exc.problems)
        raise InvalidArguments(exc.problems, tool.name, omitted=exc.omitted, incomplete=exc.incomplete) from None


def _run(
    tool: ToolDefinition, arguments: Any, context: ExecutionContext
) -> tuple[dict, dict, str | Callable[[], str], HistoryRecord | None, provenance.MemberTexts]:
    normalised = _normalise(tool, arguments)
    system = normalised.get("unit_system", "US")
    condenser_id = normalised.get("condenser_id") or ""
    if condenser_id:
        accepted = set(tool.input_model.model_fields)
        if context.design is None:
            raise ToolUnavailable(
                [
                    f"$.condenser_id: plant configuration needed to look up {condenser_id!r}, "
                    "got no configuration (start the server with --config or CONDENSYNC_CONFIG)"
                ],
                tool.name,
            )
        design = context.design.design_arguments(condenser_id, tool.name, system, accepted)
        normalised = {**tool.compiled.defaults, **design, **{k: v for k, v in arguments.items()}}
        problems, incomplete = tool.compiled.check(normalised)
        if problems:
            raise InvalidArguments(
                [p + " (after merging the plant configuration)" for p in problems], tool.name, incomplete=incomplete
            )
    si = convert_units(normalised, tool.input_plan, system, to_caller=False, units=None)
    sources: list[dict] = []
    live = normalised.get("data_source") == "live"
    if live:
        if not condenser_id:
            raise InvalidArguments(["$.condenser_id: required when data_source is 'live', got nothing"], tool.name)
        if context.live is None:
            raise ToolUnavailable(
                [
                    "$.data_source: live data needs configured connectors, got none "
                    "(start the server with a plant configuration that defines connectors)"
                ],
                tool.name,
            )
        wanted = [f for f in tool.live_fields if f not in arguments]
        values, sources = context.live.read(condenser_id, wanted)
        si.update(values)
    descr = _schema_descriptions(tool)
    problems = _missing(si, tool.required_always, "", descr, system)
    mode_rules, mode_text = _mode_rules(tool, normalised)
    problems += _missing(si, mode_rules, mode_text, descr, system)
    if tool.argument_problems is not None:
        # the given values in caller units (for messages); with live data, the live values too
        present = {k: v for k, v in normalised.items() if v is not None}
        if live:
            present = {**{k: v for k, v in si.items() if v is not None}, **present}
        problems += tool.argument_problems(present)
    if not live:
        problems += _missing(si, tool.required_supplied, " when data_source is 'supplied'", descr, system)
    else:
        problems += _missing(
            si,
            tool.required_supplied,
            f" (no live tag is configured for it in condensers.{condenser_id}; pass it as an argument)",
            descr,
            system,
        )
    if problems:
        raise InvalidArguments(problems, tool.name)
    raise_implausible(_plausibility(si, tool.input_plan, system), tool.name)
    call = ToolCall(tool, normalised, si, system, context, sources)
    try:
        out = tool.handler(call)
    except CalculationError as exc:
        raise _calc_error(exc, tool.name, system) from None
    fmt = caller_formatter(system)
    out.warnings = [render(w, fmt) for w in out.warnings]
    out.values = render_values(out.values, fmt)
    values, out_hash, members = caller_outputs(out, tool.output_plan, system)
    values["provenance"] = provenance.build_provenance(
        tool.name, tool.version, out.method, normalised, None, call.sources, output_sha256=out_hash
    )
    return values, normalised, out.summary, out.history, members


def execute(name: str, arguments: Any, context: ExecutionContext | None = None) -> CallOutcome:
    """Run one tool call end to end and record it. Never raises for a bad call: the outcome
    carries the error. (Only a failure to record in the ledger is raised, because then the
    call must not be answered.)"""
    context = context or ExecutionContext()
    request_id = context.request_id or os.urandom(16).hex()  # 128 random bits, as a uuid4
    started = time.perf_counter()
    normalised = None
    result = None
    error: ToolCallError | None = None
    summary: str | Callable[[], str] = ""
    history: HistoryRecord | None = None
    members: provenance.MemberTexts | None = None
    version = ""
    try:
        tool = get_tool(name)
        version = tool.version
        result, normalised, summary, history, members = _run(tool, arguments, context)
    except ToolCallError as exc:
        exc.tool = exc.tool or name
        error = exc
    except CalculationError as exc:  # raised outside the handler (e.g. live conversion)
        system = arguments.get("unit_system") if isinstance(arguments, dict) else None
        error = _calc_error(exc, name, system if system in ("US", "SI") else "US")
    except Exception:  # the boundary: a bug must not take the server down or leak a traceback
        log.exception("internal error in tool %s (request %s)", name, request_id)
        error = ToolCallError(
            [
                f"$: internal error while computing (request id {request_id}); the server "
                "logged the details and keeps serving"
            ],
            name,
        )
        error.kind = "internal_error"
    outcome = CallOutcome(
        name,
        version,
        arguments,
        normalised,
        result,
        error,
        (time.perf_counter() - started) * 1000.0,
        context.caller,
        request_id,
        summary,
        history=None if context.part_of else history,
        result_members=members,
    )
    if context.recorder is not None:
        context.recorder.record(outcome)
    return outcome
