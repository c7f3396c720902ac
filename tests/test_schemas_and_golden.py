# SPDX-License-Identifier: MIT
"""Published schemas: generated from the definitions, committed, drift-checked, client-friendly;
golden files re-run and match."""

import json
import subprocess
import sys

import pytest
from jsonschema import Draft202012Validator

from condensync_tools.registry import all_tools, execute
from condensync_tools.schema import REPO_SCHEMAS_DIR

TOOLS = [t.name for t in all_tools()]


def _walk(node, path="$"):
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from _walk(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{path}[{i}]")


def test_schemas_check_command_passes():
    r = subprocess.run([sys.executable, "-m", "condensync_tools", "schemas", "check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_schemas_check_detects_drift(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "condensync_tools", "schemas", "export", "--dir", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    victim = tmp_path / f"{TOOLS[0]}.input.json"
    data = json.loads(victim.read_text())
    data["properties"]["unit_system"]["description"] = "edited by hand"
    victim.write_text(json.dumps(data))
    r = subprocess.run(
        [sys.executable, "-m", "condensync_tools", "schemas", "check", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 1 and victim.name in r.stderr


@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize("direction", ["input", "output"])
def test_published_schema_is_client_friendly(tool, direction):
    schema = json.loads((REPO_SCHEMAS_DIR / f"{tool}.{direction}.json").read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object" and "$schema" not in schema
    for path, node in _walk(schema):
        assert "$ref" not in node and "$defs" not in node, path
        t = node.get("type")
        assert not isinstance(t, list), f"{path}: type union"
        assert "anyOf" not in node and "oneOf" not in node, path
        assert node.get("default", 0) is not None, path
    for name, prop in schema["properties"].items():
        assert prop.get("description"), name
    if direction == "input":
        assert schema.get("additionalProperties") is False


def test_every_golden_case_matches_and_output_validates():
    from condensync_tools import golden

    count, diffs = golden.check()
    assert count >= 5 and not diffs, [(d.path.name, d.differences[:3]) for d in diffs]
    for path in golden.iter_cases(golden.REPO_GOLDEN_DIR):
        case = json.loads(path.read_text())
        tool = path.parent.name
        out_schema = json.loads((REPO_SCHEMAS_DIR / f"{tool}.output.json").read_text())
        if not case["expected"]["is_error"]:
            Draft202012Validator(out_schema).validate(execute(tool, case["arguments"]).result)
            assert case["hashes"]["provenance_hash"] == case["expected"]["result"]["provenance"]["provenance_hash"]


def test_each_tool_has_enough_golden_cases():
    from condensync_tools import golden

    for tool in TOOLS:
        cases = golden.iter_cases(golden.REPO_GOLDEN_DIR, tool)
        assert len(cases) >= 3, tool
