# SPDX-License-Identifier: MIT
"""``condensync report HISTORY.csv|--condenser-id ID [--from --to] --out report.html [--pdf]``.

Runs the ``generate_performance_report`` tool (same registry path as MCP calls, so every
figure carries the same provenance hashes) and writes one self-contained HTML file, plus a
PDF with ``--pdf`` when Debian's ``chromium`` is installed. With a file, the file's directory
is the data directory (a ``--from``/``--to`` window is written there as
``reports/windows/<sha256>.csv``); with only ``--condenser-id``, the series comes from the
condenser's configured historian between ``--from`` and ``--to``. Exit codes: 0 success,
1 the tool returned an error (or ``--pdf`` could not print), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "cmd_report", "REPORT_OPTIONS"]

#: Report options beyond the design options of ``condensync analyze``: flag → (argument, type).
REPORT_OPTIONS: dict[str, tuple[str, type]] = {
    "--title": ("report_title", str),
    "--from": ("report_from", str),
    "--to": ("report_to", str),
    "--split-interval-days": ("split_interval_days", int),
    "--design-cw-inlet-temp": ("design_cw_inlet_temp", float),
    "--design-cw-flow": ("design_cw_flow", float),
    "--design-heat-duty": ("design_heat_duty", float),
    "--design-backpressure": ("design_backpressure", float),
    "--rated-output-mw": ("rated_output_mw", float),
    "--power-price-usd-per-mwh": ("power_price_usd_per_mwh", float),
}
_NOT_FOR_REPORT = ("series_format", "max_daily_rows")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``report`` subcommand to the ``condensync`` parser's subparsers."""
    from .cli_analyze import DESIGN_OPTIONS

    p = subparsers.add_parser(
        "report",
        help="write a condenser performance report (self-contained HTML, optional PDF)",
        description=__doc__.split("\n\n")[0],
    )
    p.add_argument(
        "file",
        nargs="?",
        help="history CSV/Parquet (as for `condensync analyze`); omit with "
        "--condenser-id to read the configured historian",
    )
    p.add_argument("--out", required=True, help="HTML file to write, e.g. report.html")
    p.add_argument("--pdf", action="store_true", help="also print <out>.pdf with headless Chromium")
    p.add_argument("--unit-system", choices=["US", "SI"], default=None, help="units of the file and the report")
    p.add_argument("--config", help="plant configuration TOML (default: $CONDENSYNC_CONFIG)")
    p.add_argument("--condenser-id", help="condenser in the plant configuration (design data, historian)")
    p.add_argument("--design-json", help="tool arguments as a JSON object; explicit --options override it")
    for flag, (name, tp) in {**DESIGN_OPTIONS, **REPORT_OPTIONS}.items():
        if name not in _NOT_FOR_REPORT:
            p.add_argument(flag, dest=name, type=tp, default=None, help=f"tool argument {name}")
    p.add_argument("--accept-uncertain-quality", action="store_true", help="treat 'uncertain' rows as valid")
    p.add_argument("--no-ledger", action="store_true", help="do not record the call in the audit ledger")
    p.add_argument("--database-url", help="store URL (default: $CONDENSYNC_DATABASE_URL or an SQLite file)")
    p.add_argument("--json", action="store_true", help="print the tool result JSON")
    p.set_defaults(func=cmd_report, no_series=False, no_chart=False, **dict.fromkeys(_NOT_FOR_REPORT))
    return p


def _fail(message: str, code: int = 2) -> int:
    sys.stderr.write(f"condensync report: {message}\n")
    return code


def _arguments(args: argparse.Namespace) -> dict[str, Any]:
    """The tool arguments: those of ``condensync analyze`` (design JSON, design options, unit
    system, condenser id) without its series/chart choices, plus the report options."""
    from .cli_analyze import _arguments as analyze_arguments

    out = analyze_arguments(args, "")
    for name in ("file_path", "series_output", "include_chart", *_NOT_FOR_REPORT):
        out.pop(name, None)
    for name, _ in REPORT_OPTIONS.values():
        if getattr(args, name, None) is not None:
            out[name] = getattr(args, name)
    if args.pdf:
        out["pdf"] = True
    return out


def cmd_report(args: argparse.Namespace) -> int:
    if not args.file and not args.condenser_id:
        return _fail("give a history file or --condenser-id")
    try:
        arguments = _arguments(args)
    except ValueError as exc:
        return _fail(str(exc))
    services: dict[str, Any] = {"report_path": str(Path(args.out).resolve())}
    if args.file:
        path = Path(args.file)
        if not path.is_file():
            return _fail(f"{args.file}: no such file")
        arguments["file_path"] = path.resolve().name
        services["data_dir"] = str(path.resolve().parent)
    else:
        arguments["data_source"] = "live"

    from .registry import execute
    from .runtime import build_context

    try:
        context = build_context(args.config, caller="cli", ledger=not args.no_ledger, database_url=args.database_url)
    except Exception as exc:  # configuration errors are reported, not raised
        return _fail(str(exc))
    with tempfile.TemporaryDirectory(prefix="condensync-report-") as series_dir:
        context.services.update(services, output_dir=series_dir)
        outcome = execute("generate_performance_report", arguments, context)
    if outcome.error is not None:
        sys.stderr.write(outcome.error.text() + "\n")
        return 1
    result = outcome.result
    for w in result.get("warnings", []):
        sys.stderr.write(f"warning: {w}\n")
    if args.json:
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(f"{outcome.summary}\nreport: {result.get('report_file')}\n")
        if result.get("pdf_file"):
            sys.stdout.write(f"pdf: {result['pdf_file']}\n")
    if args.pdf and not result.get("pdf_file"):
        return _fail("the PDF was not printed (see the warning above)", 1)
    return 0
