# SPDX-License-Identifier: MIT
"""analyze_performance_history through the tool layer: the data-directory sandbox, file mode,
the series file and its hash, the chart field, result size and schema, errors."""

import base64
import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from jsonschema import Draft202012Validator

import condensync_tools.tools.history  # noqa: F401  (registers the tool)
from condensync_tools.registry import ExecutionContext, execute
from condensync_tools.schema import REPO_SCHEMAS_DIR
from condensync_tools.tools.history import CHART_FIELD

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import history_bench  # noqa: E402

TOOL = "analyze_performance_history"
DESIGN = {
    "tube_od": 1.0,
    "tube_count": 28000,
    "plugged_tubes": 300,
    "tube_passes": 2,
    "tube_length": 38.0,
    "hei_fw": 1.0,
}
OUTPUT_SCHEMA = Draft202012Validator(json.loads((REPO_SCHEMAS_DIR / f"{TOOL}.output.json").read_text()))


@pytest.fixture(scope="module")
def history_csv(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    path = d / "unit1.csv"
    history_bench.write_csv(path, history_bench.synthetic_history(6000, days=40.0))
    return path


@pytest.fixture
def data_dir(history_csv, monkeypatch):
    monkeypatch.setenv("CONDENSYNC_DATA_DIR", str(history_csv.parent))
    return history_csv.parent


def run(args, context=None):
    return execute(TOOL, {**DESIGN, **args}, context or ExecutionContext())


def test_file_mode_summary_series_file_and_hashes(data_dir, history_csv):
    out = run({"file_path": "unit1.csv", "include_chart": True})
    assert out.error is None, out.error and out.error.text()
    r = out.result
    OUTPUT_SCHEMA.validate(r)
    assert r["rows_total"] == 6000 and r["rows_invalid"] == 120
    assert {x["reason"]: x["count"] for x in r["invalid_rows"]} == {
        "bad_quality": 30,
        "missing_value": 30,
        "non_positive_flow": 30,
        "ttd_not_positive": 30,
    }
    assert r["input_file_sha256"] == hashlib.sha256(history_csv.read_bytes()).hexdigest()
    series = Path(r["series_file"])
    assert series.parent == data_dir / "history" and series.name == f"{r['series_sha256']}.csv"
    assert hashlib.sha256(series.read_bytes()).hexdigest() == r["series_sha256"]
    assert r["series_resource_uri"] == f"condensync://history/{r['series_sha256']}.csv"
    lines = series.read_text().splitlines()
    assert len(lines) == 6001 and lines[0].startswith("timestamp,reason,saturation_temp,itd,ttd,lmtd")
    assert r["series_units"]["ttd"] == "°F" and r["series_units"]["cleanliness_factor"] == "1"
    png = base64.b64decode(r[CHART_FIELD])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert r["trend_selected_model"] in ("linear", "kern_seaton") and r["trend_points"] == 40
    assert 0.7 < r["cleanliness_factor"]["p50"] < 0.95
    without_chart = {k: v for k, v in r.items() if k != CHART_FIELD}
    assert len(json.dumps(without_chart)) < 40_000  # far below client output limits (~25k tokens)
    again = run({"file_path": "unit1.csv", "include_chart": True}).result  # deterministic, chart included
    assert again["provenance"]["output_sha256"] == r["provenance"]["output_sha256"]
    absolute = run({"file_path": str(history_csv)}).result  # an absolute path inside the directory works too
    assert absolute["series_sha256"] == r["series_sha256"]


def test_sandbox_refuses_paths_outside_the_data_directory(data_dir, tmp_path):
    outside = tmp_path / "secret.csv"
    outside.write_text("timestamp,cw_inlet_temp,cw_outlet_temp,cw_flow,condenser_pressure\n")
    (data_dir / "escape.csv").unlink(missing_ok=True)
    os.symlink(outside, data_dir / "escape.csv")
    (data_dir / "sub").mkdir(exist_ok=True)
    cases = {
        "../secret.csv": "'..'",
        "sub/../../secret.csv": "'..'",
        str(outside): "outside",
        "escape.csv": "outside",
        "missing.csv": "not found",
        "sub": "regular file",
    }
    for path, words in cases.items():
        out = run({"file_path": path})
        assert out.error is not None and out.error.kind == "invalid_arguments", path
        assert "$.file_path" in out.error.text() and words in out.error.text(), (path, out.error.text())
    inside = data_dir / "sub" / "link.csv"
    inside.unlink(missing_ok=True)
    os.symlink(data_dir / "unit1.csv", inside)  # a symlink that stays inside is fine
    assert run({"file_path": "sub/link.csv", "series_output": "none"}).error is None


def test_bad_file_contents(data_dir):
    (data_dir / "bad.csv").write_text("time,a,b\n2024-01-01T00:00:00Z,1,2\n")
    out = run({"file_path": "bad.csv"})
    assert out.error.kind == "invalid_arguments" and "expected the columns timestamp" in out.error.text()
    (data_dir / "messy.csv").write_text(
        "timestamp;cw_inlet_temp;cw_outlet_temp;cw_flow;condenser_pressure\n"
        "2024-01-01T00:00:00Z;70;88;230000;2.0\n"
        "not a time;70;88;230000;2.0\n"
        "2024-01-01T02:00:00Z;70;ERR;230000;2.0\n"
        "2024-01-01T03:00:00Z;70;;230000;2.0\n"
        "2024-01-01T04:00:00+01:00;70;88;230000;2.0\n"
    )
    r = run({"file_path": "messy.csv"}).result
    assert r["rows_total"] == 5 and r["rows_valid"] == 2
    assert {x["reason"]: x["count"] for x in r["invalid_rows"]} == {"bad_timestamp": 1, "missing_value": 2}
    assert [row["timestamp"] for row in r["series"]][-1] == "2024-01-01T03:00:00Z"


def test_no_data_directory_and_missing_pyarrow(monkeypatch, data_dir):
    monkeypatch.delenv("CONDENSYNC_DATA_DIR")
    out = run({"file_path": "unit1.csv"})
    assert out.error.kind == "unavailable" and "CONDENSYNC_DATA_DIR" in out.error.text()
    monkeypatch.setenv("CONDENSYNC_DATA_DIR", str(data_dir))
    from condensync_tools.tools import history_io

    if not history_io.parquet_available():
        (data_dir / "u.parquet").write_bytes(b"PAR1")
        out = run({"file_path": "u.parquet"})
        assert out.error.kind == "unavailable" and "pip install pyarrow" in out.error.text()
        out = run({"file_path": "unit1.csv", "series_output": "file", "series_format": "parquet"})
        assert out.error.kind == "unavailable" and "pip install pyarrow" in out.error.text()


def test_arrays_mode_errors_and_live_mode():
    ts = ["2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z"]
    out = run(
        {
            "timestamps": ts,
            "cw_inlet_temp": [70.0, 71.0],
            "cw_outlet_temp": [88.0],
            "cw_flow": [2.0e5, 2.0e5],
            "condenser_pressure": [2.0, 2.0],
        }
    )
    assert out.error.kind == "invalid_arguments" and "$.cw_outlet_temp: expected 2 items" in out.error.text()
    out = run({"timestamps": ts})
    assert out.error.kind == "invalid_arguments" and "$.cw_inlet_temp: required" in out.error.text()
    out = run({"data_source": "live", "condenser_id": "U1"})
    assert out.error is not None and out.error.kind in ("unavailable", "invalid_arguments")
    out = run(
        {
            "timestamps": ts,
            "cw_inlet_temp": [70.0, 71.0],
            "cw_outlet_temp": [88.0, 89.0],
            "cw_flow": [2.0e5, 2.0e5],
            "condenser_pressure": [2.0, 2.0],
            "file_path": "x.csv",
        }
    )
    assert out.error.kind == "invalid_arguments" and "either file_path or the arrays" in out.error.text()
    out = execute(
        TOOL,
        {
            "timestamps": ts,
            "cw_inlet_temp": [70.0, 71.0],
            "cw_outlet_temp": [88.0, 89.0],
            "cw_flow": [2.0e5, 2.0e5],
            "condenser_pressure": [2.0, 2.0],
        },
    )
    assert out.error.kind == "invalid_arguments" and "$.tube_od: required" in out.error.text()


def test_quality_flags_and_small_inline_result_is_deterministic():
    n = 30
    ts = [f"2024-02-{1 + i // 6:02d}T{(i % 6) * 4:02d}:00:00Z" for i in range(n)]
    args = {
        "timestamps": ts,
        "cw_inlet_temp": [68.0 + 0.1 * i for i in range(n)],
        "cw_outlet_temp": [86.0 + 0.1 * i for i in range(n)],
        "cw_flow": [230000.0] * n,
        "condenser_pressure": [1.6 + 0.01 * i for i in range(n)],
        "quality": ["good"] * 20 + ["uncertain"] * 5 + ["bad"] * 5,
    }
    a = run(args)
    assert a.error is None, a.error and a.error.text()
    assert a.result["rows_valid"] == 20 and a.result["invalid_rows"][0]["reason"] == "bad_quality"
    assert a.result["series_output"] == "inline" and len(a.result["series"]) == n
    b = run({**args, "accept_uncertain_quality": True})
    assert b.result["rows_valid"] == 25
    assert run(args).result["provenance"]["provenance_hash"] == a.result["provenance"]["provenance_hash"]
    OUTPUT_SCHEMA.validate(a.result)
    assert len(a.result["daily"]) == 5 and a.result["daily"][0]["valid_rows"] == 6
    assert "cleanliness_factor_mean" not in a.result["daily"][-1]  # day 5: only uncertain/bad rows


def test_cli_services_direct_output_and_progress(history_csv, tmp_path):
    seen = []
    context = ExecutionContext(
        services={
            "data_dir": str(history_csv.parent),
            "output_dir": str(tmp_path / "o"),
            "progress": lambda stage, done, total: seen.append(stage),
        }
    )
    out = execute(TOOL, {**DESIGN, "file_path": history_csv.name, "series_output": "file"}, context)
    assert out.error is None
    assert Path(out.result["series_file"]).parent == tmp_path / "o"
    assert {"read", "analyse", "write"} <= set(seen)
    assert np.isfinite(out.result.get("days_until_cleaning", 0.0))


@pytest.mark.anyio
async def test_through_the_mcp_client_output_schema_holds():
    """The official client validates structuredContent against the published output schema."""
    from mcp import Client

    from condensync_tools.server.mcp_server import build_server

    n = 8
    args = {
        **DESIGN,
        "timestamps": [f"2024-03-0{1 + i // 4}T{(i % 4) * 6:02d}:00:00Z" for i in range(n)],
        "cw_inlet_temp": [70.0] * n,
        "cw_outlet_temp": [88.0] * n,
        "cw_flow": [230000.0] * n,
        "condenser_pressure": [1.7] * n,
        "include_chart": True,
    }
    args["cw_outlet_temp"][2] = 60.0
    async with Client(build_server()) as c:
        tools = {t.name: t for t in (await c.list_tools()).tools}
        assert tools[TOOL].annotations.read_only_hint is True
        r = await c.call_tool(TOOL, args)
    assert not r.is_error, r.content
    assert r.structured_content["rows_invalid"] == 1 and r.structured_content[CHART_FIELD]
    assert "8 rows, 7 valid" in r.content[0].text
