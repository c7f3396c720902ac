# SPDX-License-Identifier: MIT
"""generate_performance_report: a report from a multi-year synthetic history with known
cleanings (tests/cycles_synth.py), built only from tool results, rendered by headless
Chromium (screenshot, DOM, console errors, PDF) where Chromium is installed."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

import cycles_synth as cs
import pytest

from condensync_tools.registry import ExecutionContext, execute
from condensync_tools.server.mcp_server import to_call_result
from condensync_tools.server.resources import read_resource
from condensync_tools.tools.report_files import chromium_command, find_chromium

#: The synthetic condenser's design point and economics (US units): 17 °C, 15 m³/s, 9 K rise.
ARGS = {
    "unit_system": "US",
    "file_path": "history.csv",
    "tube_od": 1.0,
    "tube_count": 28000,
    "plugged_tubes": 300,
    "tube_passes": 2,
    "tube_length": 38.0,
    "design_cw_inlet_temp": 62.6,
    "design_cw_flow": 237750.0,
    "design_heat_duty": 1.925e9,
    "rated_output_mw": 350.0,
    "power_price_usd_per_mwh": 50.0,
    "split_interval_days": 14,
    "report_title": "Unit 1 condenser <performance> & cleanings",
}
END = datetime(2024, 7, 1, tzinfo=timezone.utc)  # 2.5 years, three cleanings


def write_history_csv(directory: Path, end: datetime = END) -> Path:
    syn = cs.generate(end=end)
    a = syn.arrays("US")
    lines = ["timestamp,cw_inlet_temp,cw_outlet_temp,cw_flow,condenser_pressure"]
    cols = (a["timestamps"], a["cw_inlet_temp"], a["cw_outlet_temp"], a["cw_flow"], a["condenser_pressure"])
    lines += [",".join(map(str, row)) for row in zip(*cols, strict=True)]
    path = directory / "history.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    write_history_csv(data_dir)
    context = ExecutionContext(services={"data_dir": str(data_dir)})
    outcome = execute("generate_performance_report", dict(ARGS), context)
    assert outcome.error is None, outcome.error and outcome.error.text()
    return data_dir, context, outcome


def test_report_from_multi_year_history_finds_the_cleanings_and_cites_tool_results(report):
    data_dir, context, outcome = report
    r = outcome.result
    path = Path(r["report_file"])
    assert path.parent == data_dir / "reports" and path.name == f"{r['report_sha256']}.html"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == r["report_sha256"]
    assert r["report_resource_uri"] == f"condensync://reports/{r['report_sha256']}.html"
    # the cleanings of the forward model (inside the window) are in the report
    cleanings = {f["label"]: f for f in r["figures"]}["Cleanings in the period"]
    found = [date.fromisoformat(d) for d in cleanings["note"].split(", ")]
    truth = [c[0] for c in cs.CLEANINGS if c[0] < END.date()]
    assert len(found) == len(truth)
    assert all(abs((f - t).days) <= 1 for f, t in zip(found, truth, strict=True))
    # every stated figure carries a provenance hash, and the HTML states each
    html = path.read_text("utf-8")
    for label, digest in r["figure_provenance"].items():
        assert re.fullmatch(r"[0-9a-f]{64}", digest), label
        assert digest in html, label
    # the history figures are the history tool's result: same arguments, same hash
    hist_args = {k: v for k, v in ARGS.items() if not k.startswith(("design_", "rated_", "power_", "split_", "report"))}
    hist_args.update(series_output="file", series_format="csv", include_chart=True, max_daily_rows=366)
    direct = execute("analyze_performance_history", hist_args, context).result
    assert direct["provenance"]["provenance_hash"] == r["history_provenance_hash"]
    latest = {f["label"]: f for f in r["figures"]}["Latest daily cleanliness factor"]
    assert latest["value"] == direct["latest_cleanliness_factor"]


def test_report_split_is_plausible_for_a_condenser_without_air_leak(report):
    _, _, outcome = report
    r = outcome.result
    assert r["split_intervals"] > 50 and r["split_intervals_failed"] == 0
    fig = {f["label"]: f for f in r["figures"]}
    # the synthetic plant has no air leak: the unexplained part stays far inside the
    # ±0.12 inHg PTC 12.2 pressure uncertainty, while fouling costs real output
    assert abs(fig["Unexplained backpressure, median of the intervals"]["value"]) < 0.02
    assert fig["Energy lost over the period"]["value"] > 0
    assert fig["Value lost over the period"]["value"] == pytest.approx(
        50.0 * fig["Energy lost over the period"]["value"]
    )
    assert [a["rank"] for a in r["top_actions"]] == sorted(a["rank"] for a in r["top_actions"])
    assert r["top_actions"][0]["action"] == "clean_tubes"


def test_report_html_is_self_contained_escaped_responsive_and_printable(report):
    _, _, outcome = report
    html = Path(outcome.result["report_file"]).read_text("utf-8")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "@media print" in html and "@media (max-width:600px)" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<script" not in html
    assert "Unit 1 condenser &lt;performance&gt; &amp; cleanings" in html
    assert html.count('src="data:image/png;base64,') == 3


def test_report_mcp_result_links_the_report_resource(report, monkeypatch):
    data_dir, _, outcome = report
    monkeypatch.setenv("CONDENSYNC_DATA_DIR", str(data_dir))
    uri = outcome.result["report_resource_uri"]
    assert read_resource(uri, None) == Path(outcome.result["report_file"]).read_text("utf-8")
    assert read_resource("condensync://reports/../history.csv", None) is None
    links = [c for c in to_call_result(outcome).content if getattr(c, "type", "") == "resource_link"]
    assert [(str(c.uri), c.mime_type) for c in links] == [(uri, "text/html")]


def test_report_bad_windows_are_clear_errors(report):
    _, context, _ = report
    bad = execute(
        "generate_performance_report", {**ARGS, "report_from": "2024-01-01", "report_to": "2023-01-01"}, context
    )
    assert bad.error.kind == "invalid_arguments" and "$.report_to" in bad.error.text()
    empty = execute("generate_performance_report", {**ARGS, "report_from": "2030-01-01"}, context)
    assert empty.error.kind == "invalid_arguments" and "$.report_from" in empty.error.text()
    nodate = execute("generate_performance_report", {**ARGS, "report_to": "soon"}, context)
    assert nodate.error.kind == "invalid_arguments" and "$.report_to" in nodate.error.text()


CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (Debian: apt-get install chromium); the headless rendering test needs it",
)


@needs_chromium
def test_report_renders_in_headless_chromium_without_console_errors(report, tmp_path):
    _, _, outcome = report
    html_path = Path(outcome.result["report_file"])
    shot = tmp_path / "report.png"
    cmd = chromium_command(
        CHROMIUM,
        html_path,
        "--enable-logging=stderr",
        "--v=0",
        "--hide-scrollbars",
        "--window-size=1100,1800",
        f"--screenshot={shot}",
    )
    done = subprocess.run(cmd, capture_output=True, timeout=60, check=False)
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0, stderr[-2000:]
    console = [line for line in stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == []
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 100_000  # a page with charts, not a blank one
    Path("/tmp/condensync-report-screenshot.png").write_bytes(png)  # for a human look
    phone = subprocess.run(
        chromium_command(CHROMIUM, html_path, "--dump-dom", "--window-size=390,844"),
        capture_output=True,
        timeout=60,
        check=False,
    )
    dom = phone.stdout.decode("utf-8", "replace")
    assert "<h1>Unit 1 condenser &lt;performance&gt; &amp; cleanings</h1>" in dom
    assert dom.count("data:image/png;base64,") == 3


@needs_chromium
def test_report_pdf_is_printed_with_chromium(tmp_path):
    write_history_csv(tmp_path, datetime(2022, 3, 1, tzinfo=timezone.utc))
    context = ExecutionContext(services={"data_dir": str(tmp_path), "report_path": str(tmp_path / "r.html")})
    outcome = execute("generate_performance_report", {**ARGS, "pdf": True}, context)
    assert outcome.error is None, outcome.error and outcome.error.text()
    pdf = Path(outcome.result["pdf_file"])
    assert pdf == tmp_path / "r.pdf" and pdf.read_bytes()[:5] == b"%PDF-"
    assert "report_resource_uri" not in outcome.result  # a caller-chosen path is not a served resource


def test_report_cli_writes_the_html(tmp_path, capsys):
    from condensync_tools.cli import main

    write_history_csv(tmp_path, datetime(2022, 3, 1, tzinfo=timezone.utc))
    out = tmp_path / "out" / "report.html"
    rc = main(
        [
            "report",
            str(tmp_path / "history.csv"),
            "--out",
            str(out),
            "--no-ledger",
            "--tube-od",
            "1.0",
            "--tube-count",
            "28000",
            "--tube-length",
            "38",
            "--tube-passes",
            "2",
            "--from",
            "2022-01-15",
            "--title",
            "CLI report",
        ]
    )
    assert rc == 0, capsys.readouterr().err
    html = out.read_text("utf-8")
    assert "<h1>CLI report</h1>" in html and "data:image/png;base64," in html
    assert "report: " + str(out.resolve()) in capsys.readouterr().out
    assert main(["report", "--out", str(out)]) == 2


def test_report_png_charts_decode(report):
    _, _, outcome = report
    html = Path(outcome.result["report_file"]).read_text("utf-8")
    for b64 in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html):
        assert base64.b64decode(b64)[:4] == b"\x89PNG"


PLANT = """
[plant]
name = "Synthetic station"
unit_system = "US"

[condensers.u1]
description = "Synthetic unit (tests/cycles_synth.py)"

[condensers.u1.tubes]
tube_od = 1.0
tube_count = 28000
plugged_tubes = 300
tube_passes = 2
tube_length = 38.0

[condensers.u1.design_point]
design_cw_inlet_temp = 62.6
design_cw_flow = 237750.0
design_heat_duty = 1.925e9

[condensers.u1.turbine]
rated_output_mw = 350.0

[condensers.u1.economics]
power_price_usd_per_mwh = 50.0
"""


def test_report_for_a_configured_condenser_shows_the_stored_air_diagnosis(tmp_path):
    from condensync_tools.config import load_config
    from condensync_tools.store import Store

    (tmp_path / "plant.toml").write_text(PLANT, "utf-8")
    write_history_csv(tmp_path, datetime(2022, 3, 1, tzinfo=timezone.utc))
    store = Store(f"sqlite:///{tmp_path / 'store.db'}", auto_upgrade=True)
    stored = {
        "leak_detected": True,
        "air_severity": "moderate",
        "estimated_inleakage": 14.2,
        "air_backpressure": 0.21,
        "units": {"estimated_inleakage": "SCFM", "air_backpressure": "inHg"},
    }
    store.record_result("u1", "analyze_condenser_performance", "2022-02-20T10:00:00Z", stored, "ab" * 32)
    store.record_result(
        "u1", "analyze_condenser_performance", "2022-05-01T10:00:00Z", {"leak_detected": False}, "cd" * 32
    )  # outside the report window: not shown
    context = ExecutionContext(
        design=load_config(tmp_path / "plant.toml"), services={"data_dir": str(tmp_path), "history": store}
    )
    args = {"condenser_id": "u1", "file_path": "history.csv", "report_to": "2022-03-01"}
    outcome = execute("generate_performance_report", args, context)
    store.close()
    assert outcome.error is None, outcome.error and outcome.error.text()
    fig = {f["label"]: f for f in outcome.result["figures"]}
    leak = fig["Stored analyze_condenser_performance: leak detected"]
    assert leak["text"] == "true" and leak["provenance_hash"] == "ab" * 32
    assert fig["Stored analyze_condenser_performance: estimated inleakage"]["value"] == 14.2
    assert fig["Lost output now (vs the optimal backpressure)"]["unit"] == "MW"  # economics from the config
    html = Path(outcome.result["report_file"]).read_text("utf-8")
    assert "Condenser u1" in html and "ab" * 32 in html and "cd" * 32 not in html


@pytest.mark.anyio
async def test_report_over_mcp_returns_a_readable_html_resource(tmp_path, monkeypatch):
    from mcp import Client

    from condensync_tools.server.mcp_server import build_server

    monkeypatch.setenv("CONDENSYNC_DATA_DIR", str(tmp_path))
    syn = cs.generate(end=datetime(2022, 1, 11, tzinfo=timezone.utc))  # 10 days, 240 rows: arrays mode
    args = {k: v for k, v in ARGS.items() if k != "file_path"} | syn.arrays("US")
    async with Client(build_server()) as c:
        tool = next(t for t in (await c.list_tools()).tools if t.name == "generate_performance_report")
        hints = tool.annotations
        assert (hints.read_only_hint, hints.destructive_hint, hints.idempotent_hint) == (False, False, True)
        result = await c.call_tool("generate_performance_report", args)
        assert not result.is_error, result.content[0].text
        link = next(x for x in result.content if x.type == "resource_link")
        assert result.structured_content["report_resource_uri"] == str(link.uri)
        assert "Report: condensync://reports/" in result.content[0].text
        page = (await c.read_resource(str(link.uri))).contents[0]
        assert page.mime_type == "text/html" and page.text.startswith("<!DOCTYPE html>")
        assert Path(result.structured_content["report_file"]).parent == tmp_path / "reports"
