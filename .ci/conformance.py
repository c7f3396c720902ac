#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run the MCP conformance suite's server scenarios against ``condensync serve --transport
http`` and compare every scenario with ``.ci/conformance-expected.toml``.

* Node 22 and the suite come from npm into a cache directory (``$CONDENSYNC_NODE_CACHE``,
  default ``~/.cache/condensync-node``): ``npm i node@22 @modelcontextprotocol/conformance@0.1.16``,
  once; later runs reuse it.
* The server runs on free loopback ports, without auth and ledger, with a temporary data dir.
* Each scenario's ``checks.json`` is classified: ``pass`` (every check SUCCESS or INFO),
  ``warning`` (no FAILURE, at least one WARNING) or ``fail``. A scenario expected
  ``not_applicable`` must fail (it needs the suite's own fixtures); one that passes means the
  list is stale. Any difference, or a scenario missing from the list, fails the run (exit 1).

Bounded: npm install 180 s, server start 60 s, suite 120 s. Usage::

    python .ci/conformance.py [--keep-output DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = ROOT / ".ci" / "conformance-expected.toml"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_suite(cache: Path, package: str, version: str) -> Path:
    """The cache directory's node_modules/.bin (node 22 + the suite's CLI), installed once."""
    bin_dir = cache / "node_modules" / ".bin"
    installed = cache / "node_modules" / package / "package.json"
    if not (
        installed.is_file() and json.loads(installed.read_text())["version"] == version and (bin_dir / "node").exists()
    ):
        cache.mkdir(parents=True, exist_ok=True)
        if not (cache / "package.json").exists():
            (cache / "package.json").write_text('{"name": "condensync-node", "private": true}\n')
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "node@22", f"{package}@{version}"],
            cwd=cache,
            check=True,
            timeout=180,
            stdout=sys.stderr,
        )
    return bin_dir


def start_server(workdir: Path) -> tuple[subprocess.Popen, str]:
    port, metrics = _free_port(), _free_port()
    env = {**os.environ, "CONDENSYNC_DATA_DIR": str(workdir), "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "condensync_tools",
            "serve",
            "--transport",
            "http",
            "--no-auth",
            "--no-ledger",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--metrics-port",
            str(metrics),
        ],
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=open(workdir / "server.out", "wb"),
        stderr=open(workdir / "server.err", "wb"),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}: {(workdir / 'server.err').read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/start", timeout=1) as r:
                if r.status == 200:
                    return proc, f"http://127.0.0.1:{port}/mcp"
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("server did not start within 60 s")


def classify(checks: list[dict]) -> str:
    statuses = {c.get("status") for c in checks}
    if "FAILURE" in statuses or "ERROR" in statuses:
        return "fail"
    return "warning" if "WARNING" in statuses else "pass"


def results(out_dir: Path) -> dict[str, tuple[str, str]]:
    """Scenario → (result, first failure message) from the suite's output directory."""
    found = {}
    for checks_file in sorted(out_dir.glob("server-*/checks.json")):
        name = checks_file.parent.name[len("server-") :].rsplit("-", 6)[0]  # strip the ISO timestamp
        checks = json.loads(checks_file.read_text())
        message = next((c.get("errorMessage") or "" for c in checks if c.get("status") == "FAILURE"), "")
        found[name] = (classify(checks), message)
    return found


def compare(found: dict[str, tuple[str, str]], expected: dict[str, dict]) -> tuple[list[str], dict[str, int]]:
    problems, counts = [], {"pass": 0, "warning": 0, "not_applicable": 0}
    for name, (result, message) in sorted(found.items()):
        want = expected.get(name, {}).get("expect")
        if want is None:
            problems.append(f"{name}: {result}, not in {EXPECTED.name} (add it with the reason)")
        elif want == "not_applicable":
            if result == "fail":
                counts["not_applicable"] += 1
            else:
                problems.append(f"{name}: {result}, but listed as not applicable (stale list?)")
        elif result == want:
            counts[want] += 1
        else:
            problems.append(f"{name}: expected {want}, got {result} ({message[:200]})")
    for name in sorted(set(expected) - set(found)):
        problems.append(f"{name}: listed but not run by the suite")
    return problems, counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keep-output", help="write the suite's results here (default: a temporary directory)")
    args = ap.parse_args()
    spec = tomllib.loads(EXPECTED.read_text("utf-8"))
    cache = Path(os.environ.get("CONDENSYNC_NODE_CACHE", Path.home() / ".cache" / "condensync-node"))
    started = time.monotonic()
    bin_dir = ensure_suite(cache, spec["suite"]["package"], spec["suite"]["version"])
    with tempfile.TemporaryDirectory(prefix="condensync-conformance-") as tmp:
        workdir = Path(tmp)
        out_dir = Path(args.keep_output) if args.keep_output else workdir / "results"
        proc, url = start_server(workdir)
        try:
            env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
            run = subprocess.run(
                [str(bin_dir / "conformance"), "server", "--url", url, "-o", str(out_dir)],
                env=env,
                timeout=120,
                capture_output=True,
                text=True,
            )
        finally:
            proc.terminate()
            proc.wait(15)
        found = results(out_dir)
        if not found:
            print(run.stdout[-3000:], run.stderr[-3000:], sep="\n", file=sys.stderr)
            return 1
    problems, counts = compare(found, spec["scenarios"])
    for name, (result, _) in sorted(found.items()):
        want = spec["scenarios"].get(name, {})
        note = f"  ({want.get('reason')})" if want.get("reason") else ""
        print(f"{name:32s} {result:8s} expected {want.get('expect', '?')}{note}")
    print(
        f"conformance {spec['suite']['version']}: {len(found)} scenarios, {counts['pass']} passed, "
        f"{counts['warning']} warning as expected, {counts['not_applicable']} not applicable, "
        f"{len(problems)} unexpected, {time.monotonic() - started:.1f} s"
    )
    for p in problems:
        print(f"UNEXPECTED {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
