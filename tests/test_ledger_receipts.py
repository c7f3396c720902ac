# SPDX-License-Identifier: MIT
"""Every recorded call gets a receipt (ledger seq, entry hash, signed head) beside the hashed
provenance core; a third party proves the call is in the ledger with only the export, the
witness and the public (or HMAC) key, running docs/verify_receipt.py in a clean subprocess."""

from __future__ import annotations

import importlib.util
import json
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import rfc8785
from _tool_cases import HT_MINIMAL

from condensync_tools.registry import ExecutionContext, execute
from condensync_tools.runtime import build_context
from condensync_tools.store.cli_support import audit_export, audit_public_key

SCRIPT = Path(__file__).resolve().parent.parent / "docs" / "verify_receipt.py"
GOOD = HT_MINIMAL


def _third_party(tmp: Path, *args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    """The script alone: no PYTHONPATH to this repository, run from an empty directory."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",) and not k.startswith("CONDENSYNC_")}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-I", str(SCRIPT), *args], cwd=tmp, env=env, capture_output=True, text=True, timeout=60
    )


def _record_calls(tmp_path: Path) -> tuple[str, dict, dict]:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    ctx = build_context(caller="pytest", database_url=url)
    first = execute("calculate_heat_transfer_coefficient", GOOD, ctx)
    bad = execute("calculate_heat_transfer_coefficient", {**GOOD, "cw_flow": -1}, ctx)
    later = [execute("calculate_heat_transfer_coefficient", {**GOOD, "cw_flow": 200000 + i}, ctx) for i in range(3)]
    assert first.error is None and bad.error is not None and all(o.error is None for o in later)
    assert bad.receipt is not None and bad.receipt["seq"] == 2  # errors are recorded and get a receipt too
    return url, first.result, later[-1].result


def test_receipt_is_outside_the_hashed_core(tmp_path):
    url, result, _ = _record_calls(tmp_path)
    plain = execute("calculate_heat_transfer_coefficient", GOOD, ExecutionContext())
    prov = result["provenance"]
    assert "receipt" not in plain.result["provenance"]
    assert prov["receipt"]["seq"] == 1 and len(prov["receipt"]["entry_hash"]) == 64
    for k in ("input_sha256", "output_sha256", "provenance_hash"):
        assert prov[k] == plain.result["provenance"][k]
    from condensync_tools.golden import expected_of

    assert "receipt" not in expected_of(GOOD, "calculate_heat_transfer_coefficient")["result"]["provenance"]


@pytest.mark.parametrize("keying", ["ed25519", "hmac"])
def test_third_party_verifies_a_receipt_with_export_witness_and_key(tmp_path, monkeypatch, keying):
    if keying == "hmac":
        monkeypatch.setenv("CONDENSYNC_LEDGER_KEY", "shared-plant-secret")
        key_args, env = ["--hmac-key-env", "AUDIT_KEY"], {"AUDIT_KEY": "shared-plant-secret"}
    else:
        monkeypatch.delenv("CONDENSYNC_LEDGER_KEY", raising=False)
        (tmp_path / "ledger.pub").write_text(audit_public_key(f"sqlite:///{tmp_path / 'ledger.db'}"))
        key_args, env = ["--public-key", "ledger.pub"], {}
    url, result, last = _record_calls(tmp_path)
    audit_export(url, tmp_path / "export.jsonl")
    (tmp_path / "witness.jsonl").write_bytes((tmp_path / "ledger.db.witness.jsonl").read_bytes())
    (tmp_path / "result.json").write_text(json.dumps(result))
    (tmp_path / "receipt.json").write_text(json.dumps(last["provenance"]["receipt"]))
    common = ["--export", "export.jsonl", "--witness", "witness.jsonl", *key_args]

    ok = _third_party(tmp_path, *common, "--receipt", "result.json", env_extra=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OK: entry 1 (calculate_heat_transfer_coefficient" in ok.stdout and "5 exported entries" in ok.stdout
    assert _third_party(tmp_path, *common, "--receipt", "receipt.json", env_extra=env).returncode == 0

    altered = json.loads(json.dumps(result))
    altered["u_actual"] = altered["u_actual"] * 1.1
    (tmp_path / "altered.json").write_text(json.dumps(altered))
    out = _third_party(tmp_path, *common, "--receipt", "altered.json", env_extra=env)
    assert out.returncode == 1 and "another result" in out.stdout

    # A truncated export (last two entries gone, header head moved back) contradicts the witness.
    lines = (tmp_path / "export.jsonl").read_text().splitlines()
    header = json.loads(lines[0])
    keep = lines[1:-2]
    tail = json.loads(keep[-1])
    header["head"].update(last_seq=tail["seq"], last_hash=tail["entry_hash"])
    (tmp_path / "export.jsonl").write_text("\n".join([json.dumps(header), *keep]) + "\n")
    out = _third_party(tmp_path, *common, "--receipt", "result.json", env_extra=env)
    assert out.returncode == 1 and "truncated" in out.stdout, out.stdout

    wrong = ["--hmac-key-env", "AUDIT_KEY"] if keying == "ed25519" else ["--hmac-key-env", "WRONG"]
    out = _third_party(
        tmp_path,
        "--export",
        "export.jsonl",
        "--witness",
        "witness.jsonl",
        *wrong,
        "--receipt",
        "receipt.json",
        env_extra={"AUDIT_KEY": "x", "WRONG": "y"},
    )
    assert out.returncode == 1


def test_cli_audit_verify_receipt_and_public_key(tmp_path):
    url, result, _ = _record_calls(tmp_path)
    (tmp_path / "result.json").write_text(json.dumps(result))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    env.pop("CONDENSYNC_LEDGER_KEY", None)

    def run(*a):
        return subprocess.run(
            [sys.executable, "-m", "condensync_tools", "audit", *a, "--database-url", url],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    proven = run("verify", "--receipt", str(tmp_path / "result.json"))
    assert proven.returncode == 0, proven.stderr
    assert "receipt proven" in proven.stderr and json.loads(proven.stdout)["ok"]
    pem = run("public-key")
    assert pem.returncode == 0 and pem.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    (tmp_path / "pub.pem").write_text(pem.stdout)
    chain = run("verify", "--public-key", str(tmp_path / "pub.pem"))
    assert chain.returncode == 0 and json.loads(chain.stdout)["witness"]["heads"] == 5
    # Truncate behind the service's back: drop the newest two entries and move the head back.
    db = sqlite3.connect(str(tmp_path / "ledger.db"))
    with db:
        (last_hash,) = db.execute("SELECT entry_hash FROM ledger_entries WHERE seq = 3").fetchone()
        db.execute("DELETE FROM ledger_entries WHERE seq > 3")
        db.execute("UPDATE ledger_chain_heads SET last_seq = 3, last_hash = ?", (last_hash,))
    db.close()
    broken = run("verify")
    assert broken.returncode == 1 and "BROKEN at seq 4: deleted: the chain was truncated" in broken.stderr
    assert run("verify", "--receipt", str(tmp_path / "result.json")).returncode == 1


def test_the_scripts_canonical_json_matches_rfc8785():
    spec = importlib.util.spec_from_file_location("verify_receipt", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rng = random.Random(8785)
    values = [
        0.0,
        -0.0,
        1.0,
        -1.5,
        1e21,
        1e-7,
        123456789.125,
        5e-324,
        1.7976931348623157e308,
        1e-6,
        0.000001234,
        100.0,
        1e20,
        333333333.33333333,
    ]
    values += [rng.uniform(-1e6, 1e6) for _ in range(300)]
    values += [10 ** rng.uniform(-30, 30) * rng.choice((-1, 1)) for _ in range(300)]
    for v in values:
        assert mod.jcs(v) == rfc8785.dumps(v).decode(), v
    doc = {"b": [1, 2.5, None, True], "a": {"é": 'x\n\u2028"', "\U0001f600": 1, "z": -3}, "\u00e9": "é"}
    assert mod.jcs(doc) == rfc8785.dumps(doc).decode()
