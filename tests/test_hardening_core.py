# SPDX-License-Identifier: MIT
"""Defects found by adversarial testing, each reproduced through the real execution path
(registry, SQLite ledger, the CLI in a subprocess, a CMMS receiver served by uvicorn on
127.0.0.1):

- verify_provenance never re-executes a tool with effects (no work order is filed);
- integers beyond ±(2**53-1) are ``invalid_arguments`` naming the field, never ``internal_error``;
- a huge invalid call gets a bounded answer and a bounded ledger row, in bounded time;
- deep nesting and lone surrogates are clear, recorded errors (in-process and on the CLI).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from _live_helpers import ThreadedServer, example_data, write_config
from _tool_cases import PLANT
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from condensync_tools.config import load_config
from condensync_tools.errors import MAX_LISTED
from condensync_tools.recording import MAX_REJECTED_ARGUMENTS_BYTES, StoreRecorder
from condensync_tools.registry import ExecutionContext, execute, get_tool
from condensync_tools.store import Store
from condensync_tools.validation import MAX_DEPTH

ROOT = Path(__file__).resolve().parent.parent
HEAT = dict(
    cw_inlet_temp=70.0, cw_outlet_temp=88.0, cw_flow=300000.0, condenser_pressure=2.0, surface_area=400000.0, **PLANT
)
WORK_ORDER = {
    "condenser_id": "unit3",
    "title": "Condenser CF 0.71: clean tubes",
    "description": "Cleanliness factor 0.71; schedule a tube cleaning.",
}


@pytest.fixture
def ledger(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'ledger.db'}", auto_upgrade=True)
    yield store
    store.close()


def last_entry(store: Store) -> Any:
    entries = store.last_entries(1)
    assert entries, "the call was not recorded"
    return entries[0]


# --------------------------------------------------------------- 1. verify_provenance
class CmmsReceiver:
    """A Maximo-shaped receiver that records every request it gets (a POST files a work order)."""

    def __init__(self) -> None:
        self.requests: list[str] = []

    def app(self) -> Starlette:
        async def mxwo(request: Request) -> Response:
            self.requests.append(request.method)
            if request.method == "GET":
                return JSONResponse({"member": []})
            return JSONResponse({"wonum": "1001", "status": "WAPPR"}, status_code=201)

        return Starlette(routes=[Route("/maximo/oslc/os/mxwo", mxwo, methods=["GET", "POST"])])


def test_verify_provenance_never_files_a_work_order(tmp_path, ledger):
    receiver = CmmsReceiver()
    with ThreadedServer(receiver.app()) as server:
        data = copy.deepcopy(example_data())
        cond = data["condensers"]["unit3"]
        del cond["opcua"], cond["modbus"]
        cond["cmms"].update(
            base_url=server.url,
            enabled=True,
            retry={"attempts": 1, "backoff_initial_s": 0.0, "backoff_max_s": 0.0, "jitter_s": 0.0},
        )
        config = load_config(write_config(tmp_path / "plant.toml", data))
        from condensync_tools.live import ConnectorManager

        with ConnectorManager(config) as manager:  # the CMMS is reached through the context's manager
            preview = execute("create_work_order", WORK_ORDER, ExecutionContext(design=config, live=manager))
            assert preview.error is None and preview.result["dry_run"] and receiver.requests == []
            ctx = ExecutionContext(
                design=config, live=manager, recorder=StoreRecorder(ledger), services={"store": ledger}
            )
            faithful = execute("verify_provenance", {"result": preview.result, "arguments": WORK_ORDER}, ctx)
            # the same result presented with arguments that would file it for real
            filing = execute(
                "verify_provenance", {"result": preview.result, "arguments": {**WORK_ORDER, "dry_run": False}}, ctx
            )
    assert receiver.requests == [], "verification sent requests to the CMMS"
    report = faithful.result
    assert report["matches"] and not report["re_executed"]
    assert any("not run: create_work_order acts outside this server" in c["detail"] for c in report["checks"])
    assert not filing.result["re_executed"] and not filing.result["matches"]  # input hash differs, nothing sent
    assert [e.tool for e in ledger.last_entries(5)] == ["verify_provenance", "verify_provenance"]
    assert get_tool("verify_provenance").annotations["readOnlyHint"] is True
    assert not get_tool("create_work_order").replayable and get_tool("calculate_heat_transfer_coefficient").replayable


def test_verify_provenance_still_re_executes_calculators():
    first = execute("calculate_heat_transfer_coefficient", HEAT)
    report = execute("verify_provenance", {"result": first.result, "arguments": HEAT}).result
    assert report["matches"] and report["re_executed"]


# --------------------------------------------------------------- 3. huge integers
@pytest.mark.parametrize(
    ("tool", "args", "field", "value"),
    [
        ("calculate_heat_transfer_coefficient", HEAT, "heat_duty", 10**309),
        ("calculate_heat_transfer_coefficient", HEAT, "shell_heat_loss", 2**53 + 1),
        ("calculate_heat_transfer_coefficient", HEAT, "cw_flow", -(10**400)),
        ("detect_air_inleakage", {"dissolved_oxygen_ppb": 20.0, "condenser_pressure": 2.0}, "do_limit_ppb", 2**53 + 1),
        ("calculate_fouling_factor", {"cleanliness_factor": 0.8}, "trigger_fouling_resistance", 2**60),
        ("calculate_heat_transfer_coefficient", HEAT, "tube_count", 10**5000),  # beyond int→str conversion
    ],
    ids=[
        "heat_duty_1e309",
        "shell_heat_loss_2^53+1",
        "cw_flow_-1e400",
        "do_limit_2^53+1",
        "trigger_rf_2^60",
        "tube_count_1e5000",
    ],
)
def test_huge_integers_are_invalid_arguments_naming_the_field(ledger, tool, args, field, value):
    out = execute(tool, {**args, field: value}, ExecutionContext(recorder=StoreRecorder(ledger)))
    assert out.error is not None and out.error.kind == "invalid_arguments", out.error and out.error.text()
    assert f"$.{field}: expected a number between -(2^53-1) and 2^53-1" in out.error.text()
    entry = last_entry(ledger)
    assert entry.is_error and "invalid_arguments" in entry.error


def test_integers_up_to_2_53_minus_1_are_accepted_and_2_53_is_not():
    out = execute("verify_provenance", {"result": {"provenance": {}, "x": 2**53 - 1}, "tool": "detect_air_inleakage"})
    assert out.error is None and not out.result["matches"]  # 2**53-1 is accepted and hashed (RFC 8785)
    out = execute("calculate_heat_transfer_coefficient", {**HEAT, "shell_heat_loss": 0, "tube_count": 32000})
    assert out.error is None, out.error.text()
    out = execute("calculate_heat_transfer_coefficient", {**HEAT, "shell_heat_loss": 2**53})
    assert out.error.kind == "invalid_arguments" and "$.shell_heat_loss: expected a number between" in out.error.text()


# --------------------------------------------------------------- 6. bounded errors
def test_a_huge_invalid_call_gets_a_bounded_answer_and_ledger_row(ledger):
    started = time.perf_counter()
    out = execute(
        "calculate_fouling_factor",
        {"cleanliness_factor": 0.8, "history": [None] * 400_000},
        ExecutionContext(recorder=StoreRecorder(ledger)),
    )
    elapsed = time.perf_counter() - started
    text = out.error.text()
    assert out.error.kind == "invalid_arguments" and len(out.error.problems) == MAX_LISTED
    assert "$.history: expected at most 20000 items, got an array of 400000 items" in text
    assert "more problems not listed" in text and len(text) < 40_000
    entry = last_entry(ledger)
    row = json.dumps(entry.to_dict())
    assert len(row) < MAX_REJECTED_ARGUMENTS_BYTES + 50_000
    stored = entry.arguments["$not_stored"]
    assert stored["bytes"] > 2_000_000 and len(stored["sha256"]) == 64
    assert stored["fields"]["history"] == "an array of 400000 items"
    assert elapsed < 5.0  # was 25 s with a 20 MB answer


def test_every_problem_of_a_small_call_is_still_listed():
    out = execute("calculate_fouling_factor", {"cleanliness_factor": 0.8, "history": [None] * 12})
    assert len(out.error.problems) == 12 and "not listed" not in out.error.text()


# --------------------------------------------------------------- 7. nesting, surrogates
def nested(levels: int) -> Any:
    value: Any = 1.0
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 700, 5000])
def test_deep_nesting_is_a_clear_recorded_error(ledger, levels):
    out = execute(
        "calculate_heat_transfer_coefficient",
        {**HEAT, "cw_inlet_temp": nested(levels)},
        ExecutionContext(recorder=StoreRecorder(ledger)),
    )
    assert out.error.kind == "invalid_arguments"
    assert f"expected at most {MAX_DEPTH} levels of nested arrays and objects" in out.error.text()
    assert out.error.problems[0].startswith("$.cw_inlet_temp")
    entry = last_entry(ledger)
    assert entry.is_error and "nested deeper than" in json.dumps(entry.arguments)


def test_lone_surrogate_in_a_work_order_title_is_a_clear_recorded_error(tmp_path, ledger):
    config = load_config(write_config(tmp_path / "plant.toml", example_data()))
    ctx = ExecutionContext(design=config, recorder=StoreRecorder(ledger))
    out = execute("create_work_order", {**WORK_ORDER, "title": "Clean tubes \ud800"}, ctx)
    assert out.error.kind == "invalid_arguments"
    assert "$.title: expected valid Unicode text" in out.error.text()
    out.error.text().encode("utf-8")  # printable and storable
    entry = last_entry(ledger)
    assert entry.is_error and entry.arguments["title"] == "Clean tubes \\ud800"


def run_cli(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "condensync_tools", *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_cli_deep_nesting_and_surrogates_are_clear_recorded_errors(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    deep = tmp_path / "deep.json"
    deep.write_text('{"cw_inlet_temp": ' + "[" * 700 + "1" + "]" * 700 + "}", "utf-8")
    lone = tmp_path / "lone.json"
    lone.write_text(json.dumps({**HEAT, "water_type": "fresh\ud800"}), "utf-8")
    for path, field in ((deep, "$.cw_inlet_temp"), (lone, "$.water_type")):
        done = run_cli(
            "call", "calculate_heat_transfer_coefficient", "--file", str(path), "--database-url", db, cwd=tmp_path
        )
        assert done.returncode == 1, done.stderr[-2000:]
        assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) < 20, done.stderr[-2000:]
        assert "[invalid_arguments]" in done.stderr and field in done.stderr
    too_deep = tmp_path / "too_deep.json"
    too_deep.write_text("[" * 100_000 + "]" * 100_000, "utf-8")  # beyond what the JSON parser takes
    done = run_cli("call", "calculate_heat_transfer_coefficient", "--file", str(too_deep), "--no-ledger", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "nested too deeply" in done.stderr
    shown = run_cli("audit", "show", "--last", "2", "--database-url", db, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.count("calculate_heat_transfer_coefficient") >= 2 and "invalid_arguments" in shown.stdout


@pytest.mark.parametrize(
    "mode", [["rate"], {"x": 1}, 10**5000, "\ud800"], ids=["list", "object", "int_5000_digits", "surrogate"]
)
def test_an_invalid_mode_is_reported_not_used(mode):
    # found by tests/test_fuzz_tools.py: the mode's extra checks ran on the invalid value itself
    out = execute("calculate_heat_transfer_coefficient", {**HEAT, "mode": mode, "u_actual": 10**400})
    assert out.error.kind == "invalid_arguments", out.error.text()
    assert "$.mode:" in out.error.text() and "$.u_actual: expected a number between" in out.error.text()


def test_report_window_with_arrays_of_different_lengths_is_invalid_arguments():
    # found by tests/test_fuzz_tools.py: the report window indexed every array by the timestamps
    ts = [f"2025-03-{d:02d}T00:00:00Z" for d in range(1, 11)]
    args = {
        "timestamps": ts,
        "cw_inlet_temp": [70.0] * 10,
        "cw_outlet_temp": [88.0] * 9,
        "cw_flow": [3e5] * 10,
        "condenser_pressure": [2.0] * 10,
        "tube_od": 1.0,
        "tube_count": 30000,
        "tube_length": 40.0,
        "report_from": "2025-03-02",
    }
    out = execute("generate_performance_report", args)
    assert out.error is not None and out.error.kind == "invalid_arguments", out.error and out.error.text()
    assert "$.cw_outlet_temp: expected 10 items (as timestamps), got 9" in out.error.text()


def test_near_zero_cleanliness_trigger_is_refused():
    args = json.loads(
        (ROOT / "golden" / "analyze_performance_history" / "us_hei_caller_fw_fouling_trend.json").read_text("utf-8")
    )["arguments"]
    out = execute("analyze_performance_history", {**args, "trigger_cleanliness": 5e-324})
    # a trigger at an unbounded fouling level (1/CF - 1 -> inf) is no policy: refused, naming it
    assert out.error is not None and out.error.kind == "invalid_arguments", out.error
    assert any("trigger_cleanliness" in p for p in out.error.problems)
