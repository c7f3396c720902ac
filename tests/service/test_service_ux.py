# SPDX-License-Identifier: MIT
"""Service start and stop as an operator sees them: a port in use is named before anything is
loaded, a start logs no third-party chatter, an idle server stops within a second of SIGTERM."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import pytest
from _service_helpers import ServerProcess, child_env


def test_port_in_use_is_named_before_the_store_is_opened(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        db = tmp_path / "never.db"
        started = time.monotonic()
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "condensync_tools",
                "serve",
                "--transport",
                "http",
                "--port",
                str(port),
                "--metrics-port",
                "0",
                "--database-url",
                f"sqlite:///{db}",
            ],
            capture_output=True,
            text=True,
            env=child_env(),
            timeout=60,
            cwd=tmp_path,
        )
    assert r.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port} (--port)" in r.stderr and "Address already in use" in r.stderr
    assert not db.exists(), "the store was opened (and migrated) before the port was checked"
    assert time.monotonic() - started < 20


def _sigterm_seconds(tmp_path, name: str) -> tuple[float, ServerProcess]:
    server = ServerProcess(
        tmp_path, database_url=f"sqlite:///{tmp_path / 's.db'}", extra_args=["--no-auth"], test_tools=False, name=name
    ).start()
    server.wait_started()
    time.sleep(0.5)
    started = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    server.proc.wait(10)
    return time.monotonic() - started, server


@pytest.mark.slow
def test_start_log_is_quiet_and_sigterm_stops_an_idle_server_within_a_second(tmp_path):
    elapsed, server = _sigterm_seconds(tmp_path, "ux")
    if elapsed >= 1.0:  # one retry: this machine's load can delay a wake-up, not the shutdown path
        elapsed, _ = _sigterm_seconds(tmp_path, "ux2")
    assert elapsed < 1.0, f"SIGTERM to exit took {elapsed:.2f} s"
    loggers = {r.get("logger", "") for r in server.log_records()}
    assert not {name for name in loggers if name.startswith(("alembic", "asyncua", "pymodbus"))}, loggers


@pytest.mark.slow
def test_stdio_server_with_unreachable_connectors_is_quiet(tmp_path):
    """The example configuration's connectors point at a simulator that is not running: the
    background connection attempts must not print asyncua / pymodbus chatter on stderr while no
    live data was asked for."""
    from condensync_tools.config import EXAMPLE_CONFIG

    proc = subprocess.Popen(
        [sys.executable, "-m", "condensync_tools", "serve", "--no-ledger", "--config", str(EXAMPLE_CONFIG)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(),
        cwd=tmp_path,
    )
    time.sleep(5)
    try:
        _, err = proc.communicate(input=b"", timeout=15)  # EOF on stdin ends the session
    finally:
        proc.kill()
    text = err.decode("utf-8", "replace")
    assert "pymodbus" not in text and "asyncua" not in text, text[-2000:]
