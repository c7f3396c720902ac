# SPDX-License-Identifier: MIT
"""The ``condensync`` command: serve, list and call tools, schemas, golden files.

Results go to stdout as JSON; diagnostics to stderr. Exit codes: 0 success, 1 a check
failed or a tool returned an error, 2 bad command-line usage or unreadable input.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

from . import settings

__all__ = ["main", "build_parser"]


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def _fail(message: str, code: int = 2) -> int:
    sys.stderr.write(f"condensync: {message}\n")
    return code


# ----------------------------------------------------------------------------- commands
def cmd_tools(args: argparse.Namespace) -> int:
    from .errors import UnknownTool
    from .registry import all_tools

    tools = all_tools()
    if args.name:
        from .cli_help import describe_tool

        try:
            sys.stdout.write(describe_tool(args.name))
        except UnknownTool:
            return _fail(f"unknown tool {args.name!r}; the tools are: {', '.join(t.name for t in tools)}")
        return 0
    if args.json:
        _print_json(
            [{"name": t.name, "title": t.title, "version": t.version, "annotations": t.annotations} for t in tools]
        )
        return 0
    width = max(len(t.name) for t in tools)
    for t in tools:
        sys.stdout.write(f"{t.name:<{width}}  {t.title}\n")
    return 0


def _read_arguments(args: argparse.Namespace) -> Any:
    if args.json is not None and args.file is not None:
        raise ValueError("give either --json or --file, not both")
    if args.file is not None:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
        source = args.file
    elif args.json is not None:
        text, source = args.json, "--json"
    else:
        return {}
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{source} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise ValueError(
            f"{source}: arrays/objects nested too deeply to parse (tool arguments nest a few levels)"
        ) from None


def cmd_call(args: argparse.Namespace) -> int:
    from .registry import execute
    from .runtime import build_context

    try:
        arguments = _read_arguments(args)
    except (OSError, ValueError) as exc:
        return _fail(str(exc))
    try:
        context = build_context(args.config, caller="cli", ledger=not args.no_ledger, database_url=args.database_url)
    except Exception as exc:  # configuration and store errors are reported, not raised
        return _fail(str(exc))
    outcome = execute(args.tool, arguments, context)
    if outcome.error is not None:
        sys.stderr.write(outcome.error.text() + "\n")
        return 1
    _print_json(outcome.result)
    return 0


def cmd_schemas(args: argparse.Namespace) -> int:
    from .registry import all_tools
    from .schema import CATALOGUE_FILE, REPO_SCHEMAS_DIR, catalogue_entry, published_dir, schema_text

    if args.dir:
        directory = Path(args.dir)
    elif args.action == "check":
        directory = published_dir()  # the source checkout's schemas/, or the copy inside an installed wheel
    elif REPO_SCHEMAS_DIR.is_dir():
        directory = REPO_SCHEMAS_DIR
    else:
        return _fail("schemas export writes the repository's schemas/: run it from a source checkout, or pass --dir")
    expected: dict[Path, str] = {}
    for tool in all_tools():
        expected[directory / f"{tool.name}.input.json"] = schema_text(tool.generated_input_schema())
        expected[directory / f"{tool.name}.output.json"] = schema_text(tool.generated_output_schema())
    expected[directory / CATALOGUE_FILE] = schema_text([catalogue_entry(t) for t in all_tools()])
    if args.action == "export":
        directory.mkdir(parents=True, exist_ok=True)
        for path, text in expected.items():
            path.write_text(text, "utf-8")
        for stale in set(directory.glob("*.json")) - set(expected):
            stale.unlink()
        sys.stderr.write(f"wrote {len(expected)} schemas to {directory}\n")
        return 0
    drift = [
        f"{p.name}: {'missing' if not p.exists() else 'differs from the tool definition'}"
        for p, text in expected.items()
        if not p.exists() or p.read_text("utf-8") != text
    ]
    drift += [f"{p.name}: no tool defines it" for p in set(directory.glob("*.json")) - set(expected)]
    if drift:
        sys.stderr.write(
            "schemas/ has drifted from the tool definitions (run `condensync schemas export` and "
            "review the diff):\n" + "\n".join(f"  {d}" for d in sorted(drift)) + "\n"
        )
        return 1
    sys.stderr.write(f"{len(expected)} schemas match the tool definitions\n")
    return 0


def cmd_golden(args: argparse.Namespace) -> int:
    from . import golden

    directory = Path(args.dir) if args.dir else golden.REPO_GOLDEN_DIR
    if args.action == "update":
        changed = golden.update(directory, args.tool)
        sys.stderr.write(f"rewrote {len(changed)} golden case(s)" + "".join(f"\n  {p}" for p in changed) + "\n")
        return 0
    count, diffs = golden.check(directory, args.tool)
    for d in diffs:
        sys.stderr.write(f"{d.path}:\n" + "\n".join(f"  {line}" for line in d.differences[:20]) + "\n")
    sys.stderr.write(f"{count - len(diffs)} of {count} golden cases match\n")
    return 1 if diffs or count == 0 else 0


def _data_dir(args: argparse.Namespace) -> Path | None:
    raw = getattr(args, "data_dir", None) or settings.DATA_DIR.raw()
    return Path(raw) if raw else None


def _series_policy(args: argparse.Namespace):
    from .tools.series_retention import SeriesRetention

    policy = SeriesRetention.from_env()
    if args.series_max_age_days is not None:
        policy = replace(policy, max_age_days=args.series_max_age_days)
    if args.series_max_total_mb is not None:
        policy = replace(policy, max_total_bytes=int(args.series_max_total_mb * 2**20))
    return policy


def cmd_db(args: argparse.Namespace) -> int:
    from .store import cli_support

    try:
        if args.action == "upgrade":
            status = cli_support.db_upgrade(args.database_url)
        elif args.action == "status":
            status = cli_support.db_status(args.database_url)
        else:
            from .store import RetentionPolicy

            policy = RetentionPolicy(
                raw_days=args.raw_days,
                hourly_days=args.hourly_days,
                daily_days=args.daily_days,
                prune_ledger=not args.keep_ledger,
            )
            series = _series_prune(_data_dir(args), _series_policy(args))
            report = _plain(cli_support.db_prune(args.database_url, policy, None))
            _print_json({**report, "series_files": series})
            return 0
    except Exception as exc:
        return _fail(f"database: {exc}", 1)
    _print_json(_plain(status))
    return 0


def _series_prune(data_dir: Path | None, policy: Any) -> list[dict[str, Any]]:
    """Apply the series-file retention to the directories ``analyze_performance_history``
    writes to by default (files, not the database: the store knows records only)."""
    from .tools.series_retention import managed_series_directories, prune_series_files

    return [vars(prune_series_files(d, policy, None)) for d in managed_series_directories(data_dir)]


def _plain(obj: Any) -> Any:
    import dataclasses

    if dataclasses.is_dataclass(obj):
        return {k: _plain(v) for k, v in dataclasses.asdict(obj).items()}
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return str(obj)


def _audit_verify(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .store import cli_support

    pem = Path(args.public_key).read_bytes() if args.public_key else None
    if args.receipt:
        text = sys.stdin.read() if args.receipt == "-" else Path(args.receipt).read_text("utf-8")
        receipt = cli_support.audit_verify_receipt(
            args.database_url, json.loads(text), public_key_pem=pem, witness_path=args.witness
        )
        _print_json(_plain(receipt))
        if not receipt.ok:
            sys.stderr.write(f"receipt NOT proven: {receipt.problem}\n")
            return 1
        sys.stderr.write(
            f"receipt proven: call {receipt.entry['tool']} at {receipt.entry['recorded_at']} is entry "
            f"{receipt.seq} of the ledger\n"
        )
        return 0
    report = cli_support.audit_verify(args.database_url, public_key_pem=pem, witness_path=args.witness)
    _print_json(_plain(report))
    if not report.ok:
        p = report.first_problem
        sys.stderr.write(f"ledger chain BROKEN at seq {p.seq}: {p.kind}: {p.detail}\n")
        return 1
    witnessed = "" if report.witness is None else f", {report.witness['heads']} witnessed head(s) consistent"
    sys.stderr.write(f"ledger chain verifies: {report.checked} entries{witnessed}\n")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from .store import cli_support

    try:
        if args.action == "verify":
            return _audit_verify(args)
        if args.action == "public-key":
            sys.stdout.write(cli_support.audit_public_key(args.database_url))
            return 0
        if args.action == "show":
            _print_json(cli_support.audit_show(args.database_url, seq=args.seq, last=args.last))
            return 0
        if not args.out:
            return _fail("audit export needs --out FILE ('-' for stdout)")
        target = sys.stdout if args.out == "-" else args.out
        result = cli_support.audit_export(args.database_url, target)
        sys.stderr.write(f"exported: {_plain(result)}\n")
        return 0
    except Exception as exc:
        return _fail(f"audit: {exc}", 1)


def cmd_serve(args: argparse.Namespace) -> int:
    from .config import ConfigError
    from .runtime import serve

    try:
        return serve(args)
    except (ConfigError, ValueError) as exc:
        return _fail(str(exc))


# ----------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="condensync",
        description="Deterministic condenser performance tools (MCP server and command line).",
        epilog="Environment variables: condensync help env. A tool's arguments: condensync tools NAME.",
    )
    parser.add_argument("--version", action="version", version=f"condensync {__version__}")
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        type=str.upper,
        help="stderr log level (default WARNING)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "serve",
        help="run the MCP server (stdio by default)",
        description="Run the MCP server: over stdio for a desktop host (default), or the HTTP "
        "service (streamable HTTP at /mcp, health, metrics, auth).",
        epilog="Environment variables (CONDENSYNC_*): condensync help env",
    )
    p.add_argument(
        "--transport",
        choices=["stdio", "http"],
        default="stdio",
        help="stdio: one session on stdin/stdout; http: the network service (default stdio)",
    )
    p.add_argument(
        "--config",
        help="plant configuration TOML: design data and connectors of the condensers "
        "(default: $CONDENSYNC_CONFIG, else none: tools take every value as an argument)",
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="HTTP: address to listen on (default 127.0.0.1; 0.0.0.0 in a container)"
    )
    p.add_argument("--port", type=int, default=8017, help="HTTP: port of /mcp and /health/* (default 8017)")
    p.add_argument(
        "--metrics-port",
        type=int,
        default=9017,
        help="HTTP: port of the Prometheus /metrics endpoint, 0 = none (default 9017)",
    )
    p.add_argument(
        "--no-auth",
        action="store_true",
        help="HTTP without authentication, every caller anonymous with role $CONDENSYNC_NO_AUTH_ROLE "
        "(admin); refused unless --host is loopback (default: authentication on)",
    )
    p.add_argument(
        "--no-ledger",
        action="store_true",
        help="do not record calls in the audit ledger (default: every call recorded)",
    )
    p.add_argument(
        "--database-url",
        help="store URL of the ledger, history and API tokens (default: "
        "$CONDENSYNC_DATABASE_URL, else an SQLite file in the user data dir)",
    )
    p.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        help="HTTP: allowed Host header value, repeatable ('name:*' for any port); the list "
        "replaces the loopback defaults ($CONDENSYNC_ALLOWED_HOSTS, comma-separated; "
        "default: 127.0.0.1, localhost, [::1] on any port)",
    )
    p.add_argument(
        "--tls-cert", help="HTTP: TLS certificate, PEM file (default: $CONDENSYNC_TLS_CERT, else plain HTTP)"
    )
    p.add_argument("--tls-key", help="HTTP: TLS private key, PEM file (default: $CONDENSYNC_TLS_KEY)")
    from .cli_service import add_parsers as add_service_parsers
    from .cli_service import add_serve_arguments

    add_serve_arguments(p)  # --json-response/--no-json-response, --max-request-bytes
    p.add_argument(
        "--monitor",
        action="store_true",
        help="HTTP: also run the monitor (scheduled live analysis, "
        "alert rules, notifications; see condensync monitor; default: off)",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "tools", help="list the tools, or show one tool's arguments (units, defaults, allowed values, required groups)"
    )
    p.add_argument("name", nargs="?", help="a tool name: show its arguments instead of the list")
    p.add_argument("--json", action="store_true", help="the list as JSON (name, title, version, annotations)")
    p.set_defaults(func=cmd_tools)

    p = sub.add_parser("call", help="call a tool and print the result as JSON")
    p.add_argument("tool")
    p.add_argument("--json", help="arguments as a JSON object")
    p.add_argument("--file", help="arguments from a JSON file ('-' for stdin)")
    p.add_argument("--config", help="plant configuration TOML (default: $CONDENSYNC_CONFIG)")
    p.add_argument("--no-ledger", action="store_true", help="do not record the call in the audit ledger")
    p.add_argument("--database-url", help="store URL (default: $CONDENSYNC_DATABASE_URL or an SQLite file)")
    p.set_defaults(func=cmd_call)

    p = sub.add_parser("db", help="database schema: upgrade (apply migrations), status, prune (retention)")
    p.add_argument("action", choices=["upgrade", "status", "prune"])
    p.add_argument("--database-url", help="store URL (default: $CONDENSYNC_DATABASE_URL or an SQLite file)")
    p.add_argument("--raw-days", type=int, default=90, help="prune: keep raw records this long (default 90)")
    p.add_argument("--hourly-days", type=int, default=365, help="prune: keep hourly aggregates (default 365)")
    p.add_argument("--daily-days", type=int, default=2557, help="prune: keep daily aggregates (default 7 years)")
    p.add_argument("--keep-ledger", action="store_true", help="prune: never prune audit-ledger entries")
    p.add_argument(
        "--data-dir",
        help="prune: data directory whose history/ series files are pruned "
        "(default: $CONDENSYNC_DATA_DIR; the temp-directory series files are always pruned)",
    )
    p.add_argument(
        "--series-max-age-days",
        type=float,
        help="prune: keep series files this long (default: $CONDENSYNC_SERIES_MAX_AGE_DAYS or 30; 0 = no age limit)",
    )
    p.add_argument(
        "--series-max-total-mb",
        type=float,
        help="prune: keep at most this many MB of series files "
        "(default: $CONDENSYNC_SERIES_MAX_TOTAL_MB or 1024; 0 = no size limit)",
    )
    p.set_defaults(func=cmd_db)

    p = sub.add_parser(
        "audit",
        help="audit ledger: verify the hash chain (and a receipt), show or export entries, "
        "print the public key of the signed chain heads",
    )
    p.add_argument("action", choices=["verify", "show", "export", "public-key"])
    p.add_argument(
        "--receipt",
        help="verify: prove that this call is in the ledger (a JSON file holding a receipt "
        "or a result with provenance.receipt; '-' for stdin)",
    )
    p.add_argument("--witness", help="verify: witness file of signed heads (default: the configured one)")
    p.add_argument(
        "--public-key",
        help="verify: Ed25519 public key (PEM file) of the signed heads (default: the local signing key)",
    )
    p.add_argument("--database-url", help="store URL (default: $CONDENSYNC_DATABASE_URL or an SQLite file)")
    p.add_argument("--seq", type=int, help="show one entry")
    p.add_argument("--last", type=int, default=20, help="show the last N entries (default 20)")
    p.add_argument("--out", help="export file (JSON Lines; '-' for stdout)")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("schemas", help="export or check the published JSON schemas")
    p.add_argument("action", choices=["export", "check"])
    p.add_argument("--dir", help="schemas directory (default: the repository's schemas/)")
    p.set_defaults(func=cmd_schemas)

    from .cli_analyze import add_parser as add_analyze_parser

    add_analyze_parser(sub)
    from .cli_report import add_parser as add_report_parser

    add_report_parser(sub)  # condensync report HISTORY.csv|--condenser-id ID --out report.html
    add_service_parsers(sub)  # condensync token create|list|revoke
    from .cli_live import add_parsers as add_live_parsers

    add_live_parsers(sub)  # condensync simulate, condensync status

    from .cli_monitor import add_parser as add_monitor_parser

    add_monitor_parser(sub)  # condensync monitor

    from .cli_help import add_help_parser

    add_help_parser(sub, parser)  # condensync help [env | COMMAND]

    p = sub.add_parser("golden", help="check or deliberately update the golden files")
    p.add_argument("action", choices=["check", "update"])
    p.add_argument("--tool")
    p.add_argument("--dir", help="golden directory (default: the repository's golden/)")
    p.set_defaults(func=cmd_golden)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = getattr(logging, str(args.log_level).upper(), logging.WARNING)
    logging.basicConfig(stream=sys.stderr, level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from .server.logging_setup import quiet_third_party

    quiet_third_party(level)
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
