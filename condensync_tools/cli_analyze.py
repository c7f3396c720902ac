# SPDX-License-Identifier: MIT
"""``condensync analyze HISTORY.csv``: analyse a condenser history file from the command line.

Runs the ``analyze_performance_history`` tool (same registry path as MCP calls, so the
result carries the same provenance hashes) on a local CSV or Parquet file, with a progress
bar for reading, analysing (100,000 rows per chunk) and writing, then writes into ``--out``:

* ``result.json``  — the full tool result (provenance-hashed);
* ``<sha256>.parquet`` — the per-row series (its SHA-256 is in the result; CSV with
  ``--series-format csv``);
* ``cleanliness.png`` — daily cleanliness factor with the trend and the cleaning forecast;

and prints a summary table (or the result JSON with ``--json``). Exit codes: 0 success,
1 the tool returned an error, 2 bad usage or unreadable input.

Register in ``cli.py``::

    from .cli_analyze import add_parser as add_analyze_parser
    add_analyze_parser(sub)
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "cmd_analyze", "main", "DESIGN_OPTIONS"]

#: Tool arguments whose command-line default differs from the tool's (a year of daily rows in
#: the table and JSON, where an assistant gets 31).
#: Defaults of the CLI that differ from the tool's: a year of daily rows; the per-row series as
#: Parquet (pyarrow is a core dependency; about 3x faster to write than CSV; CSV on request).
CLI_DEFAULTS: dict[str, Any] = {"max_daily_rows": 366, "series_format": "parquet"}

#: Design options: flag → (argument name, type).
DESIGN_OPTIONS: dict[str, tuple[str, type]] = {
    "--tube-od": ("tube_od", float),
    "--tube-gauge-bwg": ("tube_gauge_bwg", int),
    "--tube-material": ("tube_material", str),
    "--tube-count": ("tube_count", int),
    "--plugged-tubes": ("plugged_tubes", int),
    "--tube-passes": ("tube_passes", int),
    "--tube-length": ("tube_length", float),
    "--surface-area": ("surface_area", float),
    "--water-type": ("water_type", str),
    "--salinity": ("salinity", float),
    "--clean-u-method": ("clean_u_method", str),
    "--hei-edition": ("hei_edition", str),
    "--hei-fw": ("hei_fw", float),
    "--hei-fm": ("hei_fm", float),
    "--design-cleanliness": ("design_cleanliness", float),
    "--bank-rows": ("bank_rows", int),
    "--trigger-cleanliness": ("trigger_cleanliness", float),
    "--due-window-days": ("due_window_days", float),
    "--last-cleaning-date": ("last_cleaning_date", str),
    "--trend-basis": ("trend_basis", str),
    "--series-format": ("series_format", str),
    "--max-daily-rows": ("max_daily_rows", int),
}
CHART_NAME = "cleanliness.png"
#: Longest wait for the drawing process's PNG [s] (it draws in about half a second); then the
#: chart is drawn in this process.
CHART_PROCESS_TIMEOUT_S = 120.0
RESULT_NAME = "result.json"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``analyze`` subcommand to the ``condensync`` parser's subparsers."""
    p = subparsers.add_parser(
        "analyze",
        help="analyse a condenser history CSV/Parquet file (trend, cleaning forecast, chart)",
        description=__doc__.split("\n\n")[0],
    )
    p.add_argument(
        "file",
        help="history file: CSV (timestamp, cw_inlet_temp, cw_outlet_temp, cw_flow, "
        "condenser_pressure[, quality]) or Parquet, values in --unit-system units",
    )
    p.add_argument("--out", help="output directory (default: <file stem>-analysis beside the file)")
    p.add_argument(
        "--unit-system",
        choices=["US", "SI"],
        default=None,
        help="units of the file and the result: US (°F, gpm, inHgA) or SI (°C, m³/h, kPa(a)) (default US)",
    )
    p.add_argument("--config", help="plant configuration TOML (default: $CONDENSYNC_CONFIG)")
    p.add_argument(
        "--condenser-id",
        help="condenser in the plant configuration (its design data fill the arguments not given; default: none)",
    )
    p.add_argument(
        "--design-json",
        help="design arguments as a JSON object, e.g. '{\"tube_od\": 1.0, ...}'; "
        "explicit --options override it (default: none)",
    )
    from .cli_help import option_help

    for flag, (name, tp) in DESIGN_OPTIONS.items():
        p.add_argument(
            flag,
            dest=name,
            type=tp,
            default=None,
            help=option_help("analyze_performance_history", name, CLI_DEFAULTS.get(name)),
        )
    p.add_argument(
        "--accept-uncertain-quality",
        action="store_true",
        help="treat rows of quality 'uncertain' as valid (default: excluded)",
    )
    p.add_argument(
        "--no-series", action="store_true", help="do not write the per-row series file (default: written to --out)"
    )
    p.add_argument("--no-chart", action="store_true", help="do not render the PNG chart (default: rendered to --out)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr (default: shown)")
    p.add_argument(
        "--no-ledger", action="store_true", help="do not record the call in the audit ledger (default: recorded)"
    )
    p.add_argument("--database-url", help="store URL (default: $CONDENSYNC_DATABASE_URL or an SQLite file)")
    p.add_argument(
        "--json",
        action="store_true",
        help="print the result JSON (without the chart) instead of the table (default: the table)",
    )
    p.set_defaults(func=cmd_analyze)
    return p


def _fail(message: str, code: int = 2) -> int:
    sys.stderr.write(f"condensync analyze: {message}\n")
    return code


def _arguments(args: argparse.Namespace, file_name: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if args.design_json:
        try:
            design = json.loads(args.design_json)
        except json.JSONDecodeError as exc:
            raise ValueError(f"--design-json is not valid JSON: {exc.msg} at column {exc.colno}") from None
        if not isinstance(design, dict):
            raise ValueError("--design-json must be a JSON object")
        out.update(design)
    for name, _ in DESIGN_OPTIONS.values():
        value = getattr(args, name)
        if value is not None:
            out[name] = value
    if args.unit_system:
        out["unit_system"] = args.unit_system
    if args.condenser_id:
        out["condenser_id"] = args.condenser_id
    if args.accept_uncertain_quality:
        out["accept_uncertain_quality"] = True
    out["file_path"] = file_name
    out["series_output"] = "none" if args.no_series else "file"
    out["include_chart"] = not args.no_chart
    for name, value in CLI_DEFAULTS.items():
        out.setdefault(name, value)
    return out


class _Progress:
    """A rich progress display (stderr) fed by the tool's stage callbacks."""

    LABELS = {"read": "reading", "analyse": "analysing", "write": "writing series"}

    def __init__(self, enabled: bool) -> None:
        self.progress = None
        self.tasks: dict[str, Any] = {}
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description:<15}"),
            BarColumn(),
            TaskProgressColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )

    def __enter__(self) -> "_Progress":
        if self.progress is not None:
            self.progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.progress is not None:
            self.progress.__exit__(*exc)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.progress is None:
            return
        task = self.tasks.get(stage)
        if task is None:
            task = self.tasks[stage] = self.progress.add_task(self.LABELS.get(stage, stage), total=total)
        self.progress.update(task, completed=done, total=total)


def _table(result: dict, out_dir: Path, chart: Path | None) -> None:
    from rich.console import Console
    from rich.table import Table

    units = result.get("units", {})
    t = Table(title="Condenser performance history", show_header=True, header_style="bold")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    t.add_row(
        "rows (valid / invalid)",
        f"{result['rows_total']} ({result['rows_valid']} / {result['rows_invalid']})",
    )
    for item in result["invalid_rows"]:
        t.add_row(f"  invalid: {item['reason']}", str(item["count"]))
    if "period_start" in result:
        t.add_row("period", f"{result['period_start']} → {result['period_end']}")
    t.add_row("days (with valid rows)", f"{result['days_with_data']} ({result['days_with_valid_rows']})")
    for name in ("cleanliness_factor", "fouling_resistance", "ttd", "condenser_pressure"):
        d = result.get(name)
        if d:
            unit = units.get(f"{name}.p50", "")
            t.add_row(
                f"{name} p5 / p50 / p95",
                " / ".join(f"{d[k]:.4g}" for k in ("p05", "p50", "p95"))
                + (f" {unit}" if unit not in ("", "1") else ""),
            )
    if "latest_day" in result:
        t.add_row(f"latest day {result['latest_day']} mean CF", f"{result['latest_cleanliness_factor']:.4f}")
    t.add_row("trend model", f"{result.get('trend_selected_model', 'none')} ({result['trend_points']} daily points)")
    for fit in result["trend_fits"]:
        params = (
            f"beta {fit['beta_per_day']:.4g}/d"
            if fit["model"] == "linear"
            else f"R_inf {fit['r_inf']:.4g}, tau {fit['tau_days']:.4g} d"
        )
        t.add_row(f"  {fit['model']}", f"{params}, R² {fit['r2']:.3f}")
    days = result.get("days_until_cleaning")
    t.add_row(
        f"days until CF {result['trigger_cleanliness']:g}",
        f"{days:.1f} ({result.get('forecast_cleaning_date', '')})"
        if days is not None
        else result["days_until_cleaning_reason"],
    )
    t.add_row("cleaning due", "yes" if result["cleaning_due"] else "no")
    if result.get("series_file"):
        t.add_row("series file", result["series_file"])
        t.add_row("series resource", result["series_resource_uri"])
    if chart is not None:
        t.add_row("chart", str(chart))
    t.add_row("result", str(out_dir / RESULT_NAME))
    t.add_row("provenance_hash", result["provenance"]["provenance_hash"])
    console = Console()
    console.print(t)
    for w in result.get("warnings", []):
        console.print(f"[yellow]warning:[/yellow] {w}", highlight=False)


class _ChartProcess:
    """Draws the chart in a separate Python process (:func:`.tools.history_chart.draw_from_stdin`),
    started before the file is read: matplotlib's import (about half a second of Python) and
    the drawing then run on another core instead of holding this process's GIL. The PNG is the
    same bytes as drawn in process (same matplotlib, same code). If the process fails, the
    chart is drawn here, where any error is reported as usual."""

    def __init__(self) -> None:
        # same interpreter, working directory and environment: it imports what this process can
        code = "from condensync_tools.tools.history_chart import draw_from_stdin; draw_from_stdin()"
        try:
            self.process: subprocess.Popen | None = subprocess.Popen(
                [sys.executable, "-c", code],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError:
            self.process = None

    def __call__(self, chart: Any) -> bytes:
        from .tools.history_chart import PNG_SIGNATURE, render_chart

        if self.process is not None and self.process.poll() is None:  # still waiting for the chart
            try:
                png, _ = self.process.communicate(pickle.dumps(chart), timeout=CHART_PROCESS_TIMEOUT_S)
                if self.process.returncode == 0 and png.startswith(PNG_SIGNATURE):
                    return png
            except (OSError, ValueError, subprocess.SubprocessError):
                self.close()
        return render_chart(chart)

    def close(self) -> None:
        """Stop the process if it is still running (the call failed before drawing)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def cmd_analyze(args: argparse.Namespace) -> int:
    """Run the command. Python's cyclic garbage collector is paused meanwhile: the imports (the
    pydantic models, the store) allocate many objects that live as long as the command, and
    scanning them over and over cost about a tenth of the import time; reference counting
    still frees everything else (the arrays of the analysis) as before."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _analyze(args)
    finally:
        if collecting:
            gc.enable()


def _analyze(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        return _fail(f"{args.file}: no such file")

    from .runtime import BackgroundLedger, build_context

    real = path.resolve()
    out_dir = Path(args.out) if args.out else real.parent / f"{real.stem}-analysis"
    try:
        arguments = _arguments(args, real.name)
    except ValueError as exc:
        return _fail(str(exc))
    try:
        context = build_context(args.config, caller="cli", ledger=False)
    except Exception as exc:  # configuration errors are reported, not raised
        return _fail(str(exc))
    chart_process = None if args.no_chart else _ChartProcess()  # imports matplotlib meanwhile
    try:
        # Only the history tool's module (the registry imports the others when it lists them).
        from .registry import execute
        from .tools.history import CHART_FIELD

        if not args.no_ledger:
            # The store opens while the file is read and analysed (work that mostly releases the
            # GIL); not before the tool's import, which its own imports would slow down.
            context.recorder = BackgroundLedger(args.database_url)
        out_dir.mkdir(parents=True, exist_ok=True)
        with _Progress(not args.no_progress) as progress:
            context.services.update(data_dir=str(real.parent), output_dir=str(out_dir), progress=progress)
            if chart_process is not None:
                context.services["chart_renderer"] = chart_process
            outcome = execute("analyze_performance_history", arguments, context)
    except RuntimeError as exc:  # the ledger refused the call: it is not reported unrecorded
        return _fail(
            f"{exc}\n(the analysis is not reported without its ledger entry; --no-ledger analyses without one)", 1
        )
    finally:
        if chart_process is not None:
            chart_process.close()
    if outcome.error is not None:
        sys.stderr.write(outcome.error.text() + "\n")
        return 1
    result = outcome.result
    chart = None
    if result.get(CHART_FIELD):
        chart = out_dir / CHART_NAME
        chart.write_bytes(base64.b64decode(result[CHART_FIELD]))
    (out_dir / RESULT_NAME).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    if args.json:
        shown = {k: v for k, v in result.items() if k != CHART_FIELD}
        sys.stdout.write(json.dumps(shown, indent=2, ensure_ascii=False) + "\n")
    else:
        _table(result, out_dir, chart)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m condensync_tools.cli_analyze analyze FILE ...`` (same as ``condensync analyze``)."""
    import logging

    parser = argparse.ArgumentParser(prog="condensync")
    sub = parser.add_subparsers(dest="command", required=True)
    add_parser(sub)
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
