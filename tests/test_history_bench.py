# SPDX-License-Identifier: MIT
"""The benchmark runner works end to end in quick mode (sizes too small to judge the goals).

The MCP round-trip group is left out here (two server start-ups cost ~6 s); run it with
``python benchmarks/run.py --quick --only mcp``.
"""

import subprocess
import sys
from pathlib import Path

import pytest

# runs the benchmark scripts in subprocesses (up to minutes on a shared machine)
pytestmark = pytest.mark.slow

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def test_benchmarks_quick_mode_prints_every_figure_with_its_baseline():
    r = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--only", "history", "--only", "calls"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    for name in (
        "history HEI, caller Fw",
        "history HEI, derived Fw",
        "history first principles",
        "history peak memory",
        "in-process execute()",
    ):
        line = next((x for x in lines if x.startswith(name)), None)
        assert line is not None and " vs " in line and "ratio" in line, (name, r.stdout)
    assert any(x.startswith("done in") for x in lines)


def test_sea_vs_fresh_ratio_is_reported_and_the_last_line_is_json():
    import json

    r = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--only", "water", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert any(x.startswith("sea_vs_fresh_ratio ") for x in lines), r.stdout
    report = json.loads(lines[-1])
    assert report["mode"] == "quick" and len(report["figures"]) == 2
    ratios = (report["seawater_vs_fresh_ratio"], report["brackish_vs_fresh_ratio"])
    assert report["sea_vs_fresh_ratio"] == max(ratios) and 0 < report["sea_vs_fresh_ratio"] < 5
