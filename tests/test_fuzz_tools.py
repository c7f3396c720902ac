# SPDX-License-Identifier: MIT
"""Schema-driven fuzzing of every tool through the one execution path (``registry.execute``).

For each tool, examples are drawn from its *committed* input schema (``schemas/<tool>.input.json``,
with ``hypothesis-jsonschema``), half of them starting from a golden case's arguments with a few
fields replaced or its numbers scaled, so that the calculators' deep paths are reached, and a share carrying
hostile values: integers beyond ±2**53, NaN/±Infinity, deep nesting, lone surrogates, huge
arrays, wrong types, unknown fields. Every call must:

- never be an ``internal_error`` (nor raise);
- on success, carry no NaN/Infinity anywhere and validate against the committed output schema;
- on error, name a field in every problem (``$…: …``) and be printable as UTF-8.

Tools run with the example plant configuration (``condenser_id`` "unit3") and no connectors:
``read_live_data``/``connector_status`` and ``create_work_order`` are exercised in their
validation and preview paths (the example's CMMS has ``enabled = false`` and an unreachable
host, so nothing is ever sent). ``CONDENSYNC_FUZZ_EXAMPLES`` sets the examples per tool
(default 200); ``CONDENSYNC_FUZZ_SEED`` a seed for a different, still reproducible, run.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator

from condensync_tools.config import EXAMPLE_CONFIG, load_config
from condensync_tools.registry import ExecutionContext, all_tools, execute
from condensync_tools.validation import MAX_DEPTH, describe_value

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("CONDENSYNC_FUZZ_EXAMPLES", "200"))
#: The default run (``-m "not slow"``) fuzzes every tool with this many examples; the slow run
#: (``.ci/run``) adds the full EXAMPLES per tool.
QUICK_EXAMPLES = min(EXAMPLES, int(os.environ.get("CONDENSYNC_FUZZ_QUICK_EXAMPLES", "40")))
#: Tools whose successful calls take ~0.1 s or more (a whole report) get a quarter of the
#: examples, so that the test stays under a minute on 2 cores.
HEAVY = {"generate_performance_report"}
SEED = int(os.environ.get("CONDENSYNC_FUZZ_SEED", "20261207"))
TOOLS = [t.name for t in all_tools()]
#: A problem starts with an unambiguous JSON path: $, .name, [index] or ["any key"] parts.
PROBLEM = re.compile(r'^\$(\.[A-Za-z_]\w*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*: \S')
STATS: dict[str, dict[str, Any]] = {}


@cache
def schema(tool: str, direction: str) -> dict:
    return json.loads((ROOT / "schemas" / f"{tool}.{direction}.json").read_text("utf-8"))


@cache
def output_validator(tool: str) -> Draft202012Validator:
    return Draft202012Validator(schema(tool, "output"))


@cache
def context() -> ExecutionContext:
    return ExecutionContext(design=load_config(EXAMPLE_CONFIG))


def golden_arguments(tool: str) -> list[dict]:
    cases = sorted((ROOT / "golden" / tool).glob("*.json"))
    found = [json.loads(p.read_text("utf-8")).get("arguments") for p in cases]
    return [a for a in found if isinstance(a, dict)] or [{}]


def nested(levels: int) -> Any:
    value: Any = 1.0
    for _ in range(levels):
        value = [value]
    return value


HOSTILE = st.sampled_from(
    [
        10**309,
        -(10**400),
        2**53 + 1,
        -(2**63),
        10**5000,
        math.nan,
        math.inf,
        -math.inf,
        1e308,
        -1e308,
        5e-324,
        -0.0,
        0,
        -1,
        nested(MAX_DEPTH + 1),
        nested(700),
        {"a": {"b": {"c": [[[]]]}}},
        "\ud800",
        "title \udfff",
        "x" * 5000,
        "",
        "  ",
        "NaN",
        "Infinity",
        "1e309",
        [None] * 30_000,
        [1.0] * 30_000,
        [],
        [{}],
        {},
        None,
        True,
        False,
    ]
)


@cache
def verify_seeds() -> list[dict]:
    """verify_provenance arguments built from real results: each calculator's golden cases,
    executed, with their arguments."""
    seeds = []
    for tool in TOOLS:
        if tool == "verify_provenance":
            continue
        for args in golden_arguments(tool):
            out = execute(tool, args, context())
            if out.error is None:
                seeds.append({"result": out.result, "arguments": args})
    return seeds


@st.composite
def verify_arguments(draw: st.DrawFn) -> dict:
    """A real result and its arguments, as given or tampered with (an output changed, a field
    dropped, the provenance replaced by a schema draw or a hostile value)."""
    args = {k: dict(v) for k, v in draw(st.sampled_from(verify_seeds())).items()}
    result = args["result"]
    action = draw(st.integers(0, 4))
    if action == 1:
        name = draw(st.sampled_from(sorted(result)))
        result[name] = draw(HOSTILE | st.floats(allow_nan=False) | st.text(max_size=5))
    elif action == 2:
        name = draw(st.sampled_from(sorted(args["arguments"])))
        args["arguments"][name] = draw(HOSTILE | st.floats(allow_nan=False))
    elif action == 3:
        result["provenance"] = draw(
            HOSTILE
            | st.dictionaries(
                st.sampled_from(["tool", "tool_version", "method", "input_sha256", "output_sha256"]),
                st.text(max_size=8),
            )
        )
    elif action == 4:
        args[draw(st.sampled_from(["tool", "provenance_hash", "arguments"]))] = draw(HOSTILE)
    return args


def _shape(tool: str) -> st.SearchStrategy[dict]:
    """Arguments for ``tool``: pure schema draws, or a golden case with fields replaced by
    schema draws or hostile values (sometimes an unknown field added)."""
    properties = schema(tool, "input").get("properties", {})
    names = sorted(properties)
    field_values = {n: from_schema(properties[n]) for n in names}

    @st.composite
    def mutated(draw: st.DrawFn) -> dict:
        args = dict(draw(st.sampled_from(golden_arguments(tool))))
        for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True)):
            if draw(st.integers(0, 3)) == 0:
                args[name] = draw(HOSTILE)
            else:
                args[name] = draw(field_values[name])
        if draw(st.integers(0, 9)) == 0:
            args[draw(st.sampled_from(["colour", "x\ud800", "cw_inlet_temp "]))] = draw(HOSTILE)
        return args

    @st.composite
    def perturbed(draw: st.DrawFn) -> dict:
        """A golden case with some numbers scaled by 0.5-1.5 and some choices redrawn:
        mostly valid, plausible calls that reach the calculators."""
        args = dict(draw(st.sampled_from(golden_arguments(tool))))
        numeric = sorted(k for k, v in args.items() if type(v) in (int, float))
        for name in draw(st.lists(st.sampled_from(numeric), max_size=3, unique=True)) if numeric else []:
            factor = draw(st.floats(0.5, 1.5))
            args[name] = args[name] * factor if type(args[name]) is float else max(1, round(args[name] * factor))
        choices = sorted(n for n in names if "enum" in properties[n] or properties[n].get("type") == "boolean")
        for name in draw(st.lists(st.sampled_from(choices), max_size=2, unique=True)) if choices else []:
            args[name] = draw(field_values[name])
        return args

    shapes = [perturbed(), mutated(), perturbed(), mutated()]
    if tool == "verify_provenance":  # free-form result/arguments: from real results instead
        verify_seeds()  # computed before drawing (executing tools inside a strategy is not allowed)
        shapes = [verify_arguments(), verify_arguments(), mutated()]
    else:
        shapes.append(from_schema(schema(tool, "input")))
    return st.one_of(shapes)


def check_outcome(tool: str, args: Any) -> str:
    started = time.perf_counter()
    out = execute(tool, args, context())
    stats = STATS.setdefault(tool, {"calls": 0, "ok": 0, "errors": {}, "seconds": 0.0})
    stats["calls"] += 1
    elapsed = time.perf_counter() - started
    stats["seconds"] += elapsed
    if elapsed > stats.get("slowest", (0.0,))[0]:
        shown = {k: describe_value(v) for k, v in args.items()} if isinstance(args, dict) else describe_value(args)
        stats["slowest"] = (elapsed, str(shown)[:600], out.error.kind if out.error else "ok")
        if os.environ.get("CONDENSYNC_FUZZ_DUMP"):
            Path(os.environ["CONDENSYNC_FUZZ_DUMP"], f"{tool}.slowest.json").write_text(json.dumps(shown))
    if out.error is not None:
        kind = out.error.kind
        stats["errors"][kind] = stats["errors"].get(kind, 0) + 1
        text = out.error.text()
        assert kind != "internal_error", text
        text.encode("utf-8")
        assert out.error.problems, text
        bad = [p for p in out.error.problems if not PROBLEM.match(p)]
        assert not bad, f"problems that name no field: {bad}"
        return kind
    stats["ok"] += 1
    text = json.dumps(out.result, allow_nan=False)  # raises on NaN / Infinity
    errors = sorted(output_validator(tool).iter_errors(json.loads(text)), key=str)
    assert not errors, f"{tool} result violates its output schema: {errors[0].message[:300]}"
    return "ok"


def _fuzz(tool: str, examples: int) -> None:
    @seed(SEED)
    @settings(
        max_examples=max(1, examples // 4) if tool in HEAVY else examples,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(_shape(tool))
    def run(args):
        check_outcome(tool, args)

    before = STATS[tool]["calls"] if tool in STATS else 0
    run()
    assert STATS[tool]["calls"] - before >= min(examples // 4, 10)


@pytest.mark.parametrize("tool", TOOLS)
def test_fuzz_tool(tool):
    _fuzz(tool, QUICK_EXAMPLES)


@pytest.mark.slow
@pytest.mark.parametrize("tool", TOOLS)
def test_fuzz_tool_deep(tool):
    _fuzz(tool, EXAMPLES)


def test_fuzz_report():
    """Prints the counts per tool (run with -s to see them)."""
    for tool, s in sorted(STATS.items()):
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(s["errors"].items()))
        print(
            f"{tool}: {s['calls']} calls, {s['ok']} ok, {kinds}; {s['seconds']:.2f} s in execute(); slowest "
            f"{s['slowest'][0]:.3f} s ({s['slowest'][2]}): {s['slowest'][1]}"
        )
