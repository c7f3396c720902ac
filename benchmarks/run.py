# SPDX-License-Identifier: MIT
"""All CONDENSYNC benchmarks, one command::

    python benchmarks/run.py            # full sizes (about 1-2 minutes)
    python benchmarks/run.py --quick    # small sizes (seconds; used by the test suite)

Every figure is printed with the baseline measured in the same run and their ratio, so the
numbers compare across machines (see benchmarks/README.md):

1. history analysis (vectorised) vs a per-row ``iapws.IAPWS97`` loop: HEI with caller Fw
   (goal >= 1000x and >= 5 M rows/s), derived Fw and first principles (reported);
2. in-process heat-transfer calls through ``registry.execute`` (validate + compute + hash) vs
   the bare calculator: calls/s (goal >= 5,000 calls/s on one core); and the same with fresh
   conditions in every call, so the property caches miss (reported);
3. MCP stdio round trip of ``calculate_heat_transfer_coefficient`` on our server vs a bare
   ``echo`` tool (benchmarks/echo_server.py), same SDK and client (reported); the same with
   the client's output-schema validation switched off (reported); and against an
   ``echo_result`` tool returning a stored heat-transfer result under our output schema, so
   that the client does the same validation: the fair baseline, our server's own share
   (``mcp_vs_echo_result_ratio``, goal <= 1.15); and the
   client's output validation alone, timed inside the client, as a share of the echo round
   trip (reported); and the ``tools/list`` an assistant pays for in every conversation: the
   input side (name + description + input schema, characters/4) as the official client
   receives it, vs the listing before the lean schemas (full descriptions and every keyword,
   rebuilt from the tool definitions in the same run); goal <= 12,000 tokens; ``--json`` key
   ``tools_list_tokens``;
4. peak memory of the history analysis vs its input arrays (goal <= 3x);
5. ``optimize_cooling_water_flow`` on sea water and on brackish water vs the same sweep on
   fresh water (``sea_vs_fresh_ratio``: the larger of the two ratios; goal <= 2);
6. the ledger (benchmarks/throughput_bench.py, SQLite): 16 concurrent callers with the
   ledger on vs off (``ledger_concurrent_ratio``, goal >= 0.5), beside it the same callers
   waiting on a group commit that writes nothing (``ledger_wait_ceiling_ratio``, reported: the
   ceiling of the first on this machine), and ledger_bench's appends/s
   from 4 threads vs 1 (``ledger_threads_ratio``, goal >= 2.5), with ledger_bench's report
   (skip with --no-ledger);
7. ``condensync analyze`` of a 1,000,000-row CSV with its default outputs vs a process
   reading it with ``pyarrow.csv.read_csv`` (``history_end_to_end_ratio``, goal <= 8);
8. ``condensync serve`` spawn to ``initialize`` answered vs the bare echo server
   (``startup_ratio``, goal <= 1.5).

``--json`` also prints every figure as one JSON object on the last line (keys ``mode``,
``figures`` [name, value, unit, baseline, baseline_label, ratio, goal, met],
``goals_missed`` and the ratios ``ledger_concurrent_ratio``, ``ledger_threads_ratio``,
``history_end_to_end_ratio``, ``startup_ratio``, ``sea_vs_fresh_ratio`` (also
``seawater_vs_fresh_ratio``, ``brackish_vs_fresh_ratio``), ``mcp_vs_echo_result_ratio``,
each present when its group ran).

Exit code 0 whatever the goals (a benchmark reports, it does not gate); ``--strict`` exits 1
when a goal is missed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import history_bench  # noqa: E402
import throughput_bench  # noqa: E402
from history_bench import Figure  # noqa: E402

HT_ARGS = {
    "unit_system": "US",
    "cw_inlet_temp": 72.4,
    "cw_outlet_temp": 91.8,
    "cw_flow": 248000.0,
    "condenser_pressure": 2.05,
    "tube_od": 1.0,
    "tube_gauge_bwg": 18,
    "tube_material": "admiralty",
    "tube_count": 28000,
    "plugged_tubes": 300,
    "tube_passes": 2,
    "tube_length": 38.0,
    "hei_fw": 1.0,
}


def _variants(n: int, fresh: bool = False) -> list[dict]:
    """n different, valid argument sets (so no result cache could answer a repeated call).
    With ``fresh``, every set also has its own condenser pressure and temperatures, so the
    property caches (IF97 states, 8192 entries) miss too: live data from a plant looks like
    this, repeated what-if calls on one condenser like the default."""
    return [
        {
            **HT_ARGS,
            "cw_inlet_temp": 66.0 + (i % 997) * 0.01 + (i * 1e-7 if fresh else 0.0),
            "cw_outlet_temp": 86.0 + (i % 991) * 0.01 + (i * 1e-7 if fresh else 0.0),
            "cw_flow": 240000.0 + (i % 983),
            "condenser_pressure": 2.05 + (i * 1e-8 if fresh else 0.0),
        }
        for i in range(n)
    ]


def calls_per_second(seconds: float) -> list[Figure]:
    """execute() calls/s (one thread) vs the bare calculator on the same argument sets; and
    the same with fresh conditions in every call (reported)."""
    from condensync_tools.calculators.heat_transfer import analyse_heat_transfer
    from condensync_tools.registry import ExecutionContext, ToolCall, convert_units, execute, get_tool
    from condensync_tools.tools.heat_transfer import build_inputs

    tool = get_tool("calculate_heat_transfer_coefficient")
    variants = _variants(4000 if seconds >= 2 else 400)
    context = ExecutionContext()
    for a in variants[:50]:
        assert execute(tool.name, a, context).error is None
    prebuilt = []
    for a in variants:
        normal = tool.compiled.normalise(a)
        si = convert_units(normal, tool.input_plan, "US", to_caller=False)
        prebuilt.append(build_inputs(ToolCall(tool, normal, si, "US", context)))

    def rate(fn, items) -> float:
        best = 0.0
        for _ in range(3):
            done, i = 0, 0
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < seconds / 3:
                for _ in range(50):
                    fn(items[i % len(items)])
                    i += 1
                done += 50
            best = max(best, done / (time.perf_counter() - t0))
        return best

    full = rate(lambda a: execute(tool.name, a, context), variants)
    bare = rate(analyse_heat_transfer, prebuilt)
    fresh_variants = iter(_variants(400_000, fresh=True))
    fresh = rate(lambda _: execute(tool.name, next(fresh_variants), context), [None])
    return [
        Figure(
            "in-process execute(): calls/s, one thread",
            full,
            "calls/s",
            bare,
            "bare calculator calls/s",
            full / bare,
            ">= 5,000 calls/s",
            full >= 5_000,
        ),
        Figure(
            "  fresh conditions every call: calls/s",
            fresh,
            "calls/s",
            full,
            "repeated-condenser calls/s",
            fresh / full,
            "report",
            None,
        ),
    ]


async def _round_trips(
    params,
    tool: str,
    args_list: list[dict],
    warmup: int,
    validate: bool = True,
    validation_times: list[float] | None = None,
) -> list[float]:
    """Per-call latencies of ``tool`` through the official client. ``validate=False`` switches
    off the client's re-validation of structured content against the output schema
    (``ClientSession.validate_tool_result``) for this run only, to measure its share; with
    ``validation_times``, that step is timed inside the client instead (one entry per call)."""
    from mcp import Client
    from mcp.client.session import ClientSession

    original = ClientSession.validate_tool_result

    async def skip_validation(self, name, result):
        return None

    async def timed_validation(self, name, result):
        t0 = time.perf_counter()
        try:
            return await original(self, name, result)
        finally:
            validation_times.append(time.perf_counter() - t0)

    times = []
    try:
        if not validate:
            ClientSession.validate_tool_result = skip_validation
        elif validation_times is not None:
            ClientSession.validate_tool_result = timed_validation
        async with Client(params) as client:
            for a in args_list[:warmup]:
                await client.call_tool(tool, a)
            if validation_times is not None:
                validation_times.clear()  # the warm-up's calls do not count
            for a in args_list:
                t0 = time.perf_counter()
                r = await client.call_tool(tool, a)
                times.append(time.perf_counter() - t0)
                if r.is_error:
                    raise RuntimeError(f"{tool} failed in the benchmark: {r.content}")
    finally:
        ClientSession.validate_tool_result = original
    return times


def mcp_round_trip(n: int, rounds: int) -> list[Figure]:
    """Median per-call latency over stdio: our server's heat-transfer tool vs the echo tool,
    interleaved rounds (best round of each), same client. Reported beside it: our round trip
    with the client's output-schema validation switched off (the echo tool has no output
    schema, so its baseline never pays that step)."""
    import anyio
    from mcp import StdioServerParameters

    tool = "calculate_heat_transfer_coefficient"
    ours = StdioServerParameters(
        command=sys.executable, args=["-m", "condensync_tools", "serve", "--no-ledger"], cwd=str(HERE.parent)
    )
    echo = StdioServerParameters(command=sys.executable, args=[str(HERE / "echo_server.py")])
    variants = _variants(n)
    runs = (
        ("echo", echo, "echo", True),
        ("ours", ours, tool, True),
        ("ours_unvalidated", ours, tool, False),
        ("echo_result", echo, "echo_result", True),
    )
    best = {key: float("inf") for key, *_ in runs}
    best_validation = float("inf")
    warmup = min(10, n)
    for _ in range(rounds):
        for key, params, name, validate in runs:
            validation_times: list[float] | None = [] if key == "ours" else None
            times = anyio.run(_round_trips, params, name, variants, warmup, validate, validation_times)
            best[key] = min(best[key], statistics.median(times))
            if validation_times:
                best_validation = min(best_validation, statistics.median(validation_times))
    ratio = best["ours"] / best["echo"]
    unvalidated = best["ours_unvalidated"] / best["echo"]
    same_payload = best["ours"] / best["echo_result"]
    return [
        Figure(
            "MCP stdio round trip, heat-transfer tool: µs/call",
            best["ours"] * 1e6,
            "µs",
            best["echo"] * 1e6,
            "echo tool µs/call",
            ratio,
            "report (the fair baseline is echo_result, below)",
            None,
        ),
        Figure(
            "  same, client output validation off: µs/call",
            best["ours_unvalidated"] * 1e6,
            "µs",
            best["echo"] * 1e6,
            "echo tool µs/call",
            unvalidated,
            "report",
            None,
        ),
        Figure(
            "  of which the client's output validation: µs/call",
            best_validation * 1e6,
            "µs",
            best["echo"] * 1e6,
            "echo tool µs/call",
            best_validation / best["echo"],
            "report (echo_result pays it too)",
            None,
        ),
        Figure(
            "  vs a stored result under the same output schema: µs/call",
            best["ours"] * 1e6,
            "µs",
            best["echo_result"] * 1e6,
            "echo_result µs/call",
            same_payload,
            "ratio <= 1.15",
            same_payload <= 1.15,
        ),
    ]


def tools_list_tokens() -> list[Figure]:
    """The tools/list input side now (listed by the official client in memory) vs before the
    lean listing (tool descriptions, full field descriptions and bounds), in tokens (chars/4)."""
    import anyio
    from mcp import Client

    from condensync_tools.listing_text import input_side_tokens
    from condensync_tools.registry import all_tools
    from condensync_tools.schema import model_schema
    from condensync_tools.server.mcp_server import build_server

    async def listed():
        async with Client(build_server()) as client:
            return (await client.list_tools()).tools

    now = sum(
        input_side_tokens(t.name, t.description or "", t.model_dump(by_alias=True, mode="json")["inputSchema"])
        for t in anyio.run(listed)
    )
    before = sum(
        input_side_tokens(t.name, t.description, model_schema(t.input_model, terse=False)) for t in all_tools()
    )
    return [Figure(TOOLS_LIST_FIGURE, now, "tokens", before, "full listing", now / before, "<= 12,000", now <= 12_000)]


TOOLS_LIST_FIGURE = "tools/list input side"

#: The ratios of the ledger group, in the order of its figures.
LEDGER_KEYS = ("ledger_concurrent_ratio", "ledger_wait_ceiling_ratio", "ledger_threads_ratio")


#: Golden case whose arguments the sea-vs-fresh figure sweeps: a cooling-water system (condenser,
#: three pumps on VFDs, cooling tower, turbine curve) in US units, fresh water by default.
CW_CASE = HERE.parent / "golden" / "optimize_cooling_water_flow" / "us_tower_vfd_rich.json"


def sea_vs_fresh(calls: int) -> list[Figure]:
    """Median time of one ``optimize_cooling_water_flow`` sweep on sea and on brackish water
    vs fresh water, same arguments otherwise; every call has its own inlet temperature (new
    property states, as live data), one warm-up call per water type, types interleaved."""
    from condensync_tools.registry import ExecutionContext, execute

    base = json.loads(CW_CASE.read_text("utf-8"))["arguments"]
    context = ExecutionContext()
    kinds = ("fresh", "sea", "brackish")
    times: dict[str, list[float]] = {k: [] for k in kinds}
    for i in range(calls + 1):
        for kind in kinds:
            args = {**base, "water_type": kind, "cw_inlet_temp": base["cw_inlet_temp"] + 0.0173 * i}
            t0 = time.perf_counter()
            out = execute("optimize_cooling_water_flow", args, context)
            elapsed = time.perf_counter() - t0
            if out.error is not None:
                raise RuntimeError(f"optimize_cooling_water_flow failed in the benchmark: {out.error.text()}")
            if i:  # the first round warms up
                times[kind].append(elapsed)
    fresh = statistics.median(times["fresh"])
    figures = []
    for kind in ("sea", "brackish"):
        value = statistics.median(times[kind])
        figures.append(
            Figure(
                f"CW flow optimisation, {kind} water: ms/call",
                value * 1e3,
                "ms",
                fresh * 1e3,
                "fresh water ms/call",
                value / fresh,
                "ratio <= 2",
                value / fresh <= 2.0,
            )
        )
    return figures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes (seconds)")
    p.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    p.add_argument("--no-ledger", action="store_true", help="skip benchmarks/ledger_bench.py")
    p.add_argument(
        "--only",
        choices=["history", "calls", "mcp", "water", "ledger", "analyze", "startup"],
        action="append",
        help="run only these groups (repeatable)",
    )
    p.add_argument("--json", action="store_true", help="also print all figures as one JSON object on the last line")
    a = p.parse_args(argv)
    groups = set(a.only or ["history", "calls", "mcp", "water", "ledger", "analyze", "startup"])
    if a.no_ledger:
        groups.discard("ledger")
    started = time.perf_counter()
    print(f"CONDENSYNC benchmarks ({'quick' if a.quick else 'full'} mode), python {sys.version.split()[0]}")
    figures: list[Figure] = []
    if "history" in groups:
        figures += history_bench.run(quick=a.quick)
        for f in figures:
            print(f.line(), flush=True)
    if "mcp" in groups:  # the tools/list an assistant pays for (about a second)
        figures += tools_list_tokens()
        print(figures[-1].line(), flush=True)
    if "calls" in groups:
        for f in calls_per_second(0.6 if a.quick else 6.0):
            figures.append(f)
            print(f.line(), flush=True)
    ratios: dict[str, float] = {}
    if "mcp" in groups:
        for f in mcp_round_trip(10 if a.quick else 300, 1 if a.quick else 3):
            figures.append(f)
            print(f.line(), flush=True)
        ratios["mcp_vs_echo_result_ratio"] = figures[-1].ratio
        ratios["mcp_vs_echo_ratio"] = figures[-4].ratio
    water: list[Figure] = []
    if "water" in groups:
        water = sea_vs_fresh(3 if a.quick else 10)
        figures += water
        for f in water:
            print(f.line(), flush=True)
        print(f"sea_vs_fresh_ratio {max(f.ratio for f in water):.2f} (the larger of sea and brackish)", flush=True)
    for group, key, run in (
        ("ledger", LEDGER_KEYS, throughput_bench.ledger_figures),
        ("analyze", ("history_end_to_end_ratio",), throughput_bench.history_end_to_end),
        ("startup", ("startup_ratio",), throughput_bench.startup),
    ):
        if group in groups:
            found = run(a.quick)
            for f in found:
                print(f.line(), flush=True)
            figures += found
            ratios.update(zip(key, (f.ratio for f in found), strict=False))
    missed = [f.name for f in figures if f.met is False]
    print(
        f"done in {time.perf_counter() - started:.1f} s; goals missed: {len(missed)}"
        + "".join(f"\n  - {m}" for m in missed)
    )
    if a.json:
        print(json.dumps({**_json_report("quick" if a.quick else "full", figures, water, missed), **ratios}))
    return 1 if (a.strict and missed) else 0


def _json_report(mode: str, figures: list[Figure], water: list[Figure], missed: list[str]) -> dict:
    """Every figure as plain data, plus the sea-water ratios as top-level keys."""
    report: dict = {
        "mode": mode,
        "figures": [
            {
                "name": f.name.strip(),
                "value": f.value,
                "unit": f.unit,
                "baseline": f.baseline,
                "baseline_label": f.baseline_label,
                "ratio": f.ratio,
                "goal": f.goal,
                "met": f.met,
            }
            for f in figures
        ],
        "goals_missed": missed,
    }
    if water:
        report["sea_vs_fresh_ratio"] = max(f.ratio for f in water)
        report["seawater_vs_fresh_ratio"] = water[0].ratio
        report["brackish_vs_fresh_ratio"] = water[1].ratio
    listing = [f.value for f in figures if f.name == TOOLS_LIST_FIGURE]
    if listing:
        report["tools_list_tokens"] = listing[0]
    return report


if __name__ == "__main__":
    sys.exit(main())
