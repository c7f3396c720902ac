# SPDX-License-Identifier: MIT
"""``condensync simulate`` and ``condensync status``: the plant simulator and a connector check.

Registered by :func:`add_parsers` from :func:`condensync_tools.cli.build_parser`.

- ``condensync simulate [--config plant.toml] [--opcua-port 4840] [--modbus-port 5020]
  [--speed N] [--seed S] [--event air_inleakage@300] ...`` runs a real OPC UA server and a
  real Modbus TCP server serving a simulated condenser (:mod:`condensync_tools.simulator`) with the
  tags of the configuration (default: the bundled example). Logs go to stderr; Ctrl-C stops.
- ``condensync status [--config plant.toml] [--json]`` starts every connector of the
  configuration, reads every configured value once and prints the connectors' health, the
  circuit breakers and every value's age and quality; exit code 0 when all is healthy, 1 when
  not, 2 on a configuration error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from . import settings

__all__ = ["add_parsers", "cmd_simulate", "cmd_status", "main"]


def _err(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _quiet_asyncua() -> None:
    """asyncua logs harmless warnings (session timeout capped, no encrypting policy) at WARNING;
    keep them out of the way unless the user asked for INFO or DEBUG."""
    import logging

    if logging.getLogger().getEffectiveLevel() >= logging.WARNING:
        logging.getLogger("asyncua").setLevel(logging.ERROR)


# ----------------------------------------------------------------------------- simulate
def cmd_simulate(args: argparse.Namespace) -> int:
    from condensync_tools.simulator import PlantSimulator, SimPlant, SimSettings, describe, parse_event, run

    from .config import EXAMPLE_CONFIG

    _quiet_asyncua()
    config = args.config or settings.CONFIG.raw() or str(EXAMPLE_CONFIG)
    try:
        plant = SimPlant.from_toml(config, args.condenser)
        events = [parse_event(e) for e in args.event]
        sim_settings = SimSettings(
            seed=args.seed,
            speed=args.speed,
            interval_s=args.interval,
            start_hour=args.start_hour,
            fouling_days=args.fouling_days,
            noise=args.noise,
        )
        sim = PlantSimulator(
            plant, sim_settings, events, host=args.host, opcua_port=args.opcua_port, modbus_port=args.modbus_port
        )
    except ValueError as exc:
        _err(f"condensync simulate: {exc}")
        return 2
    _err(describe(sim))
    _err(
        "Ctrl-C stops. Inject events while running: write e.g. 'air_inleakage' or 'cw_pump_trip' to "
        "Simulator/Command, or call Simulator/InjectEvent(command)."
    )
    try:
        asyncio.run(
            run(
                sim,
                args.duration,
                _err if args.report_every > 0 else None,
                args.report_every if args.report_every > 0 else 10.0,
            )
        )
    except KeyboardInterrupt:
        _err("simulator stopped")
    except OSError as exc:  # port in use, ...
        _err(f"condensync simulate: {exc}")
        return 1
    return 0


# ----------------------------------------------------------------------------- status
def _status_report(manager: Any) -> dict[str, Any]:
    from .tools.status import normalise_status

    snapshots = {}
    for cid in manager.condenser_ids():
        snap = manager.snapshot(cid)
        snapshots[cid] = {
            "values": [
                {
                    "name": v.name,
                    "tag": v.reading.tag,
                    "service": v.service,
                    "value": v.reading.value if v.reading.value == v.reading.value else None,
                    "unit": v.reading.unit,
                    "age_s": round(v.age_s, 3),
                    "max_age_s": v.max_age_s,
                    "quality": v.reading.quality.value,
                    "stale": v.stale,
                    "bad": v.bad,
                    "problem": v.problem or "",
                }
                for v in (snap.values[n] for n in sorted(snap.values))
            ],
            "errors": snap.errors,
        }
    raw = manager.status()
    connectors = [normalise_status(s) for s in raw["connectors"]]
    mine = {(s.get("breaker") or {}).get("name") for s in raw["connectors"]}
    breakers = [b for b in raw["breakers"] if b["name"] in mine]
    healthy = (
        all(c["connected"] for c in connectors)
        and all(b["state"] == "closed" for b in breakers)
        and not any(s["errors"] or any(v["problem"] for v in s["values"]) for s in snapshots.values())
    )
    return {"healthy": healthy, "connectors": connectors, "breakers": breakers, "values": snapshots}


def _print_report(report: dict[str, Any]) -> None:
    out = sys.stdout
    out.write(f"{'HEALTHY' if report['healthy'] else 'ATTENTION NEEDED'}\n\nConnectors\n")
    for c in report["connectors"]:
        state = c["state"] if c["kind"] == "cmms" else ("connected" if c["connected"] else "NOT CONNECTED")
        out.write(
            f"  {c['condenser_id']:<10} {c['service']:<20} {c['kind']:<9} {state:<14} "
            f"breaker {c['breaker_state']:<9} {c['endpoint']}\n"
        )
        if c["last_error"] or c["start_error"]:
            out.write(f"             error: {c['last_error'] or c['start_error']}\n")
    out.write("\nValues\n")
    for cid, snap in report["values"].items():
        for v in snap["values"]:
            flag = "STALE" if v["stale"] else ("BAD" if v["bad"] else "ok")
            value = "n/a" if v["value"] is None else f"{v['value']:.6g}"
            out.write(
                f"  {cid:<10} {v['name']:<24} {value:>12} {v['unit']:<8} age {v['age_s']:7.1f} s "
                f"(limit {v['max_age_s']:g} s) {v['quality']:<9} {flag:<5} {v['tag']}\n"
            )
        for e in snap["errors"]:
            out.write(f"  {cid:<10} {e['service']} ({e['connector']}, {e['endpoint']}): {e['error']}\n")


def cmd_status(args: argparse.Namespace) -> int:
    from .config import ConfigError, load_config
    from .live import ConnectorManager

    _quiet_asyncua()
    path = args.config or settings.CONFIG.raw()
    if not path:
        _err("condensync status: give --config plant.toml (or set CONDENSYNC_CONFIG)")
        return 2
    try:
        config = load_config(path)
        manager = ConnectorManager(config)
    except ConfigError as exc:
        _err(str(exc))
        return 2
    try:
        manager.start(wait=True, timeout=args.wait)
        report = _status_report(manager)
    finally:
        manager.close()
    if args.json:
        sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    else:
        _print_report(report)
    return 0 if report["healthy"] else 1


# ----------------------------------------------------------------------------- parsers
def add_parsers(subparsers: Any) -> None:
    """Add ``simulate`` and ``status`` to the ``condensync`` sub-command parsers."""
    # No import of connectors.simulator here (asyncua, pymodbus): every command builds this parser.
    p = subparsers.add_parser(
        "simulate",
        help="run the condenser plant simulator (real OPC UA + Modbus TCP servers)",
        description="Serve a simulated condenser over OPC UA and Modbus TCP with the tags of a plant configuration "
        "(default: the bundled example), for trying live mode without a plant.",
    )
    p.add_argument(
        "--config",
        help="plant configuration TOML whose tags to serve (default: $CONDENSYNC_CONFIG, else the bundled example)",
    )
    p.add_argument("--condenser", help="condenser id (default: the first with connectors)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument(
        "--opcua-port",
        type=int,
        default=None,
        help="OPC UA port (default: the configuration's endpoint, else the simulator's default; 0 = off)",
    )
    p.add_argument(
        "--modbus-port",
        type=int,
        default=None,
        help="Modbus TCP port (default: the configuration's, else the simulator's default; 0 = off)",
    )
    p.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="simulated seconds per real second (default 1; 3600 = an hour per second)",
    )
    p.add_argument("--seed", type=int, default=0, help="noise seed (default 0): same seed, same values")
    p.add_argument("--interval", type=float, default=1.0, help="real seconds between updates (default 1)")
    p.add_argument("--noise", type=float, default=1.0, help="measurement-noise scale (0 = exact values)")
    p.add_argument("--start-hour", type=float, default=10.0, help="time of day at start [h] (default 10)")
    p.add_argument("--fouling-days", type=float, default=30.0, help="days since the last tube cleaning at start")
    p.add_argument(
        "--event",
        action="append",
        default=[],
        metavar="KIND[:ARG][@SECONDS][+DURATION]",
        help="schedule an event at simulated seconds: air_inleakage@300, air_inleakage:0.5@600+1800, "
        "cw_pump_trip@900, freeze:condenser_pressure@60, bad:hotwell_temp@60, clear@1200",
    )
    p.add_argument("--duration", type=float, default=None, help="stop after this many real seconds")
    p.add_argument(
        "--report-every", type=float, default=10.0, help="print a state line every N real seconds to stderr (0 = quiet)"
    )
    p.set_defaults(func=cmd_simulate)

    p = subparsers.add_parser(
        "status",
        help="check the plant connectors of a configuration (connections, breakers, value ages)",
        description="Start every connector of the plant configuration, read every configured value once and "
        "report connectors, circuit breakers and each value's age and quality. Exit 0 healthy, 1 not.",
    )
    p.add_argument("--config", help="plant configuration TOML (default: $CONDENSYNC_CONFIG)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--wait", type=float, default=15.0, help="longest wait for the connectors to start [s]")
    p.set_defaults(func=cmd_status)


def main(argv: list[str] | None = None) -> int:
    """``python -m condensync_tools.cli_live simulate|status ...`` (the same as ``condensync ...``)."""
    import logging

    parser = argparse.ArgumentParser(prog="condensync")
    parser.add_argument("--log-level", default="WARNING", help="stderr log level (default WARNING)")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=getattr(logging, str(args.log_level).upper(), logging.WARNING),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
