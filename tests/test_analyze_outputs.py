# SPDX-License-Identifier: MIT
"""``condensync analyze`` default outputs: the per-row series as Parquet (CSV on request), and
the call recorded in the audit ledger, which opens in the background while the file is read."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
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


def test_a_ledger_that_cannot_open_fails_the_command_clearly(tmp_path):
    """No traceback and no result reported unrecorded: exit code 1 and the reason."""
    csv = tmp_path / "unit1.csv"
    history_bench.write_csv(csv, history_bench.synthetic_history(500, days=2.0))
    out = tmp_path / "out"
    unreachable = "postgresql://nobody@127.0.0.1:1/none"  # port 1: connection refused at once
    r = analyze(str(csv), "--out", str(out), "--no-chart", "--database-url", unreachable, *DESIGN)
    assert r.returncode == 1, r.stderr
    assert "the audit ledger could not be opened" in r.stderr and "--no-ledger" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (out / "result.json").exists()


def test_csv_series_on_request(tmp_path):
    csv = tmp_path / "unit1.csv"
    history_bench.write_csv(csv, history_bench.synthetic_history(500, days=2.0))
    out = tmp_path / "out"
    r = analyze(str(csv), "--out", str(out), "--no-chart", "--no-ledger", "--series-format", "csv", *DESIGN)
    assert r.returncode == 0, r.stderr
    series = Path(json.loads((out / "result.json").read_text())["series_file"])
    assert series.suffix == ".csv" and series.read_text().count("\n") == 501


def test_parquet_series_holds_the_rows_of_the_csv_series(tmp_path):
    """The Parquet series (written while the chart is drawn) has, row for row, the reasons and
    values of the CSV series (10 significant digits there; invalid rows' numbers empty)."""
    csv = tmp_path / "unit1.csv"
    history_bench.write_csv(csv, history_bench.synthetic_history(2_000, days=4.0, invalid_fraction=0.02))
    common = ("--no-ledger", *DESIGN)
    r = analyze(str(csv), "--out", str(tmp_path / "pq"), *common)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "pq" / "cleanliness.png").read_bytes().startswith(b"\x89PNG")
    r = analyze(str(csv), "--out", str(tmp_path / "csv"), "--no-chart", "--series-format", "csv", *common)
    assert r.returncode == 0, r.stderr
    table = pq.read_table(json.loads((tmp_path / "pq" / "result.json").read_text())["series_file"])
    assert str(table.schema.field("reason").type) == "string"
    lines = Path(json.loads((tmp_path / "csv" / "result.json").read_text())["series_file"]).read_text().splitlines()
    header, rows = lines[0].split(","), [line.split(",") for line in lines[1:]]
    assert table.column_names == header and table.num_rows == len(rows) == 2_000
    reasons = table.column("reason").to_pylist()
    assert reasons == [row[1] for row in rows] and len(set(reasons)) > 2
    for k, name in enumerate(header[2:], start=2):
        for value, row in zip(table.column(name).to_pylist(), rows, strict=True):
            if row[1] == "valid":
                assert float(row[k]) == float(f"{value:.10g}"), (name, value, row[k])


def test_analyze_imports_only_the_history_tool_and_no_scipy():
    """The analysis needs neither scipy nor iapws' formulations (the IF97 tables are read
    without importing the iapws package), nor the other tools; the registry still lists every
    tool once asked."""
    code = (
        "import sys\n"
        "import condensync_tools.tools.history\n"
        "from condensync_tools import registry, tools\n"
        "registry.get_tool('analyze_performance_history')\n"
        "other = [m for m in tools.TOOL_MODULES if m not in ('history', 'heat_transfer')]\n"
        "print(sorted(m for m in ('scipy', 'iapws', *(f'condensync_tools.tools.{m}' for m in other))"
        " if m in sys.modules))\n"
        "print(len(registry.all_tools()) == len(tools.TOOL_MODULES))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "True"], out.stdout + out.stderr


def _small_chart():
    from condensync_tools.tools.history_chart import ChartData

    day_ms = 1_704_067_200_000 + 86_400_000 * np.arange(30, dtype=np.int64) + 43_200_000
    cf = 0.9 - 0.004 * np.arange(30)
    chart = ChartData(
        day_ms, cf, cf - 0.02, cf + 0.02, [(float(day_ms[10]), "detected")], {}, None, 0.75, None, "", "test chart"
    )
    chart.bp_day_ms, chart.bp_measured = day_ms, 1.5 + 0.01 * np.arange(30)
    chart.bp_expected, chart.bp_achievable, chart.cw_inlet = chart.bp_measured - 0.05, chart.bp_measured - 0.1, cf * 80
    return chart


def test_chart_drawn_in_a_separate_process_is_the_in_process_png():
    from condensync_tools.cli_analyze import _ChartProcess
    from condensync_tools.tools.history_chart import PNG_SIGNATURE, render_chart

    chart = _small_chart()
    png = _ChartProcess()(chart)
    assert png.startswith(PNG_SIGNATURE) and png == render_chart(chart)


def test_chart_is_drawn_here_when_the_drawing_process_is_gone():
    from condensync_tools.cli_analyze import _ChartProcess
    from condensync_tools.tools.history_chart import render_chart

    chart, drawer = _small_chart(), _ChartProcess()
    drawer.close()  # killed before it is asked
    assert drawer.process.poll() is not None
    assert drawer(chart) == render_chart(chart)
