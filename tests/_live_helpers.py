# SPDX-License-Identifier: MIT
"""Helpers for the live-data tests: free ports, plant configurations pointing at a test's
simulator, a tiny TOML writer, a uvicorn server in a thread, and a stdio MCP server launcher.

Run as a script it is the stdio MCP server with the live provider attached (used by the
end-to-end test until ``runtime.build_context`` attaches it itself)::

    python tests/_live_helpers.py --config plant.toml
"""

from __future__ import annotations

import copy
import socket
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parent.parent / "condensync_tools" / "examples" / "plant_500mw.toml"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------------------ TOML
def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_scalar(x) for x in v) + "]"
    raise TypeError(f"cannot write {v!r} as TOML")


def to_toml(data: dict[str, Any], prefix: str = "") -> str:
    """Write nested dicts / lists of dicts / scalars as TOML (enough for plant configurations)."""
    lines: list[str] = []
    tables: list[tuple[str, dict]] = []
    arrays: list[tuple[str, list]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((key, value))
        elif isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
            arrays.append((key, value))
        else:
            lines.append(f"{key} = {_scalar(value)}")
    out = "\n".join(lines) + ("\n" if lines else "")
    for key, value in tables:
        name = f"{prefix}{key}"
        out += f"\n[{name}]\n" + to_toml(value, name + ".")
    for key, items in arrays:
        name = f"{prefix}{key}"
        for item in items:
            out += f"\n[[{name}]]\n" + to_toml(item, name + ".")
    return out


def example_data() -> dict[str, Any]:
    return tomllib.loads(EXAMPLE.read_text("utf-8"))


def fast_settings(data: dict[str, Any], opcua_port: int, modbus_port: int, *, cid: str = "unit3") -> dict[str, Any]:
    """The example configuration pointed at a test simulator, with short timeouts, fast
    subscriptions and breakers that open and recover within seconds."""
    data = copy.deepcopy(data)
    cond = data["condensers"][cid]
    opc = cond["opcua"]
    opc["endpoint"] = f"opc.tcp://127.0.0.1:{opcua_port}/condensync/simulator/"
    opc.update(
        subscription_interval_ms=100,
        timeout_s=1.0,
        reconnect_max_delay_s=1.0,
        retry={"attempts": 2, "backoff_initial_s": 0.05, "backoff_max_s": 0.1, "jitter_s": 0.0},
        breaker={"fail_max": 3, "call_timeout_s": 3.0, "reset_timeout_s": 2.0, "success_threshold": 1},
    )
    mb = cond["modbus"]
    mb.update(
        port=modbus_port,
        poll_interval_s=0.3,
        timeout_s=0.5,
        retry={"attempts": 1, "backoff_initial_s": 0.0, "backoff_max_s": 0.0, "jitter_s": 0.0},
        breaker={"fail_max": 3, "call_timeout_s": 2.0, "reset_timeout_s": 2.0, "success_threshold": 1},
    )
    return data


def write_config(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(to_toml(data), "utf-8")
    return path


def wait_for(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    """Call ``check`` until it returns a truthy value (exceptions count as not yet)."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as exc:  # noqa: BLE001 - retried until the deadline
            last = exc
        time.sleep(interval)
    raise AssertionError(f"not within {timeout} s: {what} (last error: {last})")


# ------------------------------------------------------------------------------ simulator + connectors
class LivePlant:
    """The simulator (real OPC UA + Modbus servers on 127.0.0.1) on a test configuration and the
    connector manager reading it; ``close()`` stops both."""

    def __init__(
        self, directory: Path, data: dict[str, Any], *, seed: int, noise: float = 0.0, interval_s: float = 0.2
    ) -> None:
        from condensync_tools.config import load_config
        from condensync_tools.live import ConnectorManager
        from condensync_tools.simulator import SimPlant, SimSettings, SimulatorThread

        path = write_config(directory / "plant.toml", data)
        self.sim = SimulatorThread(SimPlant.from_toml(path), SimSettings(interval_s=interval_s, noise=noise, seed=seed))
        self.sim.start()
        self.config = load_config(path)
        self.manager = ConnectorManager(self.config)

    def close(self) -> None:
        self.manager.close()
        self.sim.close()


# ------------------------------------------------------------------------------ uvicorn in a thread
class ThreadedServer:
    """An ASGI app served by uvicorn on 127.0.0.1 in a background thread (its own loop)."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        wait_for(lambda: self.server.started, 10.0, "uvicorn started")
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10.0)


# ------------------------------------------------------------------------------ stdio server
def serve_main(argv: list[str]) -> int:
    """The stdio MCP server with the plant configuration AND the live provider attached."""
    import argparse
    import logging

    import anyio

    from condensync_tools.live import build_live_provider
    from condensync_tools.registry import ExecutionContext
    from condensync_tools.runtime import build_context
    from condensync_tools.server.mcp_server import build_server, serve_stdio

    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    base = build_context(args.config, caller="stdio", ledger=False)
    if base.live is None:
        base.live = build_live_provider(base.design)
    server = build_server(
        lambda ctx: ExecutionContext(design=base.design, live=base.live, caller=base.caller, services=base.services),
        config=base.design,
    )
    anyio.run(serve_stdio, server)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(serve_main(sys.argv[1:]))
