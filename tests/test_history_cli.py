# SPDX-License-Identifier: MIT
"""``condensync analyze``: a generated history CSV → summary table, result JSON, series file
and chart (run as a real subprocess)."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import history_bench  # noqa: E402

DESIGN = [
    "--tube-od",
    "1.0",
    "--tube-count",
    "28000",
    "--plugged-tubes",
    "300",
    "--tube-passes",
    "2",
    "--tube-length",
    "38",
    "--hei-fw",
    "1.0",
]


def analyze(*args):
    # the module entry point is the same command as `condensync analyze` (see cli_analyze.py)
    return subprocess.run(
        [sys.executable, "-m", "condensync_tools.cli_analyze", "analyze", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_analyze_writes_summary_series_and_chart(tmp_path):
    csv = tmp_path / "unit1.csv"
    history_bench.write_csv(csv, history_bench.synthetic_history(20_000))
    out = tmp_path / "out"
    r = analyze(str(csv), "--out", str(out), "--no-ledger", *DESIGN)
    assert r.returncode == 0, r.stderr
    assert "Condenser performance history" in r.stdout and "cleaning due" in r.stdout
    assert "20000 (19600 / 400)" in r.stdout
    result = json.loads((out / "result.json").read_text())
    chart = (out / "cleanliness.png").read_bytes()
    assert chart.startswith(b"\x89PNG\r\n\x1a\n") and len(chart) > 10_000
    series = Path(result["series_file"])
    assert series.parent == out and hashlib.sha256(series.read_bytes()).hexdigest() == result["series_sha256"]
    assert result["rows_total"] == 20_000 and result["trend_points"] == 120 and len(result["daily"]) == 120
    assert result["days_until_cleaning"] > 0 and result["forecast_cleaning_date"].startswith("2024-")
    assert len(result["provenance"]["provenance_hash"]) == 64


def test_cli_analyze_json_mode_and_errors(tmp_path):
    csv = tmp_path / "h.csv"
    history_bench.write_csv(csv, history_bench.synthetic_history(500, days=5.0))
    r = analyze(
        str(csv),
        "--out",
        str(tmp_path / "o"),
        "--no-ledger",
        "--no-chart",
        "--no-series",
        "--json",
        "--no-progress",
        "--design-json",
        json.dumps({"tube_od": 1.0, "tube_count": 28000, "tube_length": 38.0, "tube_passes": 2}),
    )
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["series_output"] == "none" and "chart_png_base64" not in result
    assert result["hei_fm"] == 1.0 and "HEI Fw is derived" in " ".join(result["warnings"])
    r = analyze(str(tmp_path / "nope.csv"), "--no-ledger", *DESIGN)
    assert r.returncode == 2 and "no such file" in r.stderr and "Traceback" not in r.stderr
