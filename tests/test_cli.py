# SPDX-License-Identifier: MIT
"""The condensync command line, run as a real subprocess."""

import json
import subprocess
import sys

from _tool_cases import HT_MINIMAL

GOOD = HT_MINIMAL


def run(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "condensync_tools", *args], capture_output=True, text=True, input=stdin, timeout=60
    )


def test_tools_lists_heat_transfer():
    r = run("tools")
    assert r.returncode == 0 and "calculate_heat_transfer_coefficient" in r.stdout


def test_call_with_json_prints_result():
    r = run("call", "calculate_heat_transfer_coefficient", "--json", json.dumps(GOOD))
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["units"]["heat_duty"] == "Btu/h" and len(result["provenance"]["provenance_hash"]) == 64


def test_call_with_file_and_stdin(tmp_path):
    f = tmp_path / "args.json"
    f.write_text(json.dumps(GOOD))
    a = json.loads(run("call", "calculate_heat_transfer_coefficient", "--file", str(f)).stdout)
    b = json.loads(run("call", "calculate_heat_transfer_coefficient", "--file", "-", stdin=json.dumps(GOOD)).stdout)
    assert a["provenance"]["provenance_hash"] == b["provenance"]["provenance_hash"]


def test_bad_arguments_clear_error_nonzero_exit():
    r = run("call", "calculate_heat_transfer_coefficient", "--json", json.dumps({**GOOD, "cw_flow": "lots"}))
    assert r.returncode == 1 and r.stdout == ""
    assert "$.cw_flow: expected a number, got string 'lots'" in r.stderr and "Traceback" not in r.stderr


def test_malformed_json_and_unknown_tool():
    r = run("call", "calculate_heat_transfer_coefficient", "--json", "{not json")
    assert r.returncode == 2 and "not valid JSON" in r.stderr and "Traceback" not in r.stderr
    r = run("call", "no_such_tool", "--json", "{}")
    assert r.returncode == 1 and "no_such_tool" in r.stderr
    r = run("call", "calculate_heat_transfer_coefficient", "--file", "/nonexistent/args.json")
    assert r.returncode == 2 and "nonexistent" in r.stderr


def test_golden_check_command():
    r = run("golden", "check")
    assert r.returncode == 0, r.stderr
