# SPDX-License-Identifier: MIT
"""``condensync analyze`` default outputs: the per-row series as Parquet (CSV on request), and
the call recorded in the audit ledger, which opens in the background while the file is read."""

import json
import sys
from pathlib import Path

import pyarrow.parquet as pq
from test_history_cli import DESIGN, analyze
from test_serve_startup import ledger_entries

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import history_bench  # noqa: E402


def test_default_series_is_parquet_and_the_call_is_in_the_ledger(tmp_path, monkeypatch):
    monkeypatch.setenv("CONDENSYNC_LEDGER_WITNESS", str(tmp_path / "w.jsonl"))
    csv = tmp_path / "unit1.csv"
    history_bench.write_csv(csv, history_bench.synthetic_history(3_000, days=5.0))
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    r = analyze(str(csv), "--out", str(tmp_path / "out"), "--no-chart", "--database-url", url, *DESIGN)
    assert r.returncode == 0, r.stderr
    result = json.loads((tmp_path / "out" / "result.json").read_text())
    assert result["series_file"].endswith(".parquet") and result["series_format"] == "parquet"
    table = pq.read_table(result["series_file"])
    assert table.num_rows == 3_000 and "cleanliness_factor" in table.column_names
    receipt = result["provenance"]["receipt"]
    entry = ledger_entries(url)[0]
    assert (entry["seq"], entry["tool"]) == (receipt["seq"], "analyze_performance_history")


def test_csv_series_on_request(tmp_path):
    csv = tmp_path / "unit1.csv"
    history_bench.write_csv(csv, history_bench.synthetic_history(500, days=2.0))
    out = tmp_path / "out"
    r = analyze(str(csv), "--out", str(out), "--no-chart", "--no-ledger", "--series-format", "csv", *DESIGN)
    assert r.returncode == 0, r.stderr
    series = Path(json.loads((out / "result.json").read_text())["series_file"])
    assert series.suffix == ".csv" and series.read_text().count("\n") == 501
