# SPDX-License-Identifier: MIT
"""Tool ``verify_provenance``: re-execute a recorded or supplied result and say whether it
matches, and what differs if not.

Checks, in order: (1) the result's own hashes — output_sha256 recomputed from the result
without ``provenance``, provenance_hash recomputed from its hashed fields (detects a result
edited after it was produced); (2) input_sha256 recomputed from the arguments (normalised
with the current schema defaults); (3) re-execution with the same arguments under the
current tool version: output_sha256 and provenance_hash compared, and each differing
output field listed. Live-data results cannot be re-executed from their arguments (the
plant values are in ``provenance.sources``): checks (1)-(2) still run and the report says so.

Verification never has a side effect: only tools that are read-only, non-destructive and
closed-world (:attr:`~condensync_tools.registry.ToolDefinition.replayable`: the calculators,
``verify_provenance`` itself) are re-executed, in a context without ledger or connectors. A
``create_work_order`` or ``read_live_data`` result is verified from its recorded result and
hashes only (checks 1-2), so verifying never files a work order nor reads the plant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import Field

from ..errors import InvalidArguments, ToolUnavailable, UnknownTool
from ..provenance import canonical_sha256, provenance_hash
from ..registry import ExecutionContext, ToolCall, ToolDefinition, ToolOutput, execute, get_tool, register
from ..validation import describe_value
from .common import ToolInput, ToolResult

__all__ = ["VerifyInput", "VerifyOutput", "TOOL", "verify_result"]


class VerifyInput(ToolInput):
    provenance_hash: str = Field(
        "",
        pattern=r"^([0-9a-f]{64})?$",
        description="Provenance hash to look up in the "
        "audit ledger (64 hex digits); or give result and arguments instead",
    )
    tool: str = Field(
        "", pattern=r"^[a-z_]{0,64}$", description="Tool that produced `result` (default: result.provenance.tool)"
    )
    arguments: dict[str, Any] = Field(None, description="The arguments of the call that produced `result`")
    result: dict[str, Any] = Field(None, description="A full result object, including its provenance")


class Check(ToolInput):
    check: str = Field(description="What was checked")
    ok: bool = Field(description="Whether it holds")
    detail: str = Field(description="Expected and found values, or why the check could not run")


class VerifyOutput(ToolResult):
    matches: bool = Field(description="True when every check that could run holds")
    tool: str = Field(description="Tool of the verified result")
    tool_version: str = Field(description="Tool version recorded in the verified result")
    current_tool_version: str = Field(description="Tool version used for the re-execution")
    ledger_seq: int = Field(None, description="Ledger entry of the verified call, when looked up by hash [1]")
    re_executed: bool = Field(description="Whether the calculation was re-executed")
    checks: list[Check] = Field(description="Each check with its outcome")
    differences: list[str] = Field(description="Output fields that differ on re-execution: path, recorded, now")


def _diff(a: Any, b: Any, path: str = "$") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k == "provenance":
                continue
            out += (
                _diff(a.get(k), b.get(k), f"{path}.{k}")
                if k in a and k in b
                else [f"{path}.{k}: {'only in the recorded result' if k in a else 'only in the re-executed result'}"]
            )
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _diff(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: recorded {a!r}, now {b!r}"[:240]]


#: What a tool category that is never re-executed would do (see ToolDefinition.replayable).
_EFFECTS = {"work_order": "it files work orders in the CMMS", "live_read": "it reads the plant"}


def _provenance_of(result: Any) -> dict:
    """The provenance object of a result given for verification, or InvalidArguments saying
    what was given instead."""
    prov = result.get("provenance") if isinstance(result, dict) else None
    if not isinstance(prov, dict):
        got = "nothing" if prov is None else describe_value(prov)
        raise InvalidArguments(
            [f"$.result.provenance: expected the provenance object of a CONDENSYNC result, got {got}"]
        )
    return prov


def verify_result(
    tool_name: str, arguments: dict | None, result: dict, context: ExecutionContext | None = None
) -> dict:
    """The verification report (see module docstring) as plain data: :func:`_hash_checks` on
    the result, then :func:`_replay` with the arguments."""
    prov = _provenance_of(result)
    checks = _hash_checks(result, prov)
    tool = _tool_named(tool_name)
    replay = _replay(tool, arguments, result, prov, context)
    checks += replay.checks
    return {
        "matches": all(c["ok"] for c in checks),
        "tool": tool.name,
        "tool_version": str(prov.get("tool_version", "")),
        "current_tool_version": tool.version,
        "re_executed": replay.re_executed,
        "checks": checks,
        "differences": replay.differences,
    }


def _check(check: str, ok: bool, detail: str) -> dict:
    """One entry of the report's ``checks``."""
    return {"check": check, "ok": ok, "detail": detail}


def _hash_checks(result: dict, prov: dict) -> list[dict]:
    """Check (1): output_sha256 recomputed from the result without ``provenance``, and
    provenance_hash recomputed from its hashed fields."""
    out_hash = canonical_sha256({k: v for k, v in result.items() if k != "provenance"})
    checks = [
        _check(
            "output_sha256 recomputed from the result",
            out_hash == prov.get("output_sha256"),
            f"recorded {prov.get('output_sha256')}, recomputed {out_hash}",
        )
    ]
    what = "provenance_hash recomputed from the hashed fields"
    try:
        p_hash = provenance_hash(
            prov["tool"],
            prov["tool_version"],
            prov["method"],
            prov["input_sha256"],
            prov["output_sha256"],
            prov["sources"],
        )
    except KeyError as exc:
        return [*checks, _check(what, False, f"provenance lacks {exc.args[0]!r}")]
    recorded = prov.get("provenance_hash")
    return [*checks, _check(what, p_hash == recorded, f"recorded {recorded}, recomputed {p_hash}")]


def _tool_named(tool_name: str) -> ToolDefinition:
    """The registered tool of the verified result, or InvalidArguments."""
    try:
        return get_tool(tool_name)
    except UnknownTool as exc:
        raise InvalidArguments(
            [
                f"$.tool: expected the name of a CONDENSYNC tool (or a result whose provenance.tool "
                f"names one), got {tool_name[:64]!r}"
            ]
        ) from exc


@dataclass(frozen=True, slots=True)
class Replay:
    """Checks (2)-(3): the input hash and the re-execution."""

    checks: list  #: report entries (:func:`_check`)
    differences: list  #: output fields that differ on re-execution
    re_executed: bool


def _replay(
    tool: ToolDefinition, arguments: dict | None, result: dict, prov: dict, context: ExecutionContext | None
) -> Replay:
    """Check (2), input_sha256 from the arguments with the schema defaults, and check (3),
    re-execution in a bare context — not run without arguments, for a tool that is not
    replayable, or for live-data inputs (each said in the check's detail)."""
    if arguments is None:
        return Replay([_check("re-execution", True, "not run: no arguments given")], [], False)
    normalised = {**tool.compiled.defaults, **arguments}
    in_hash = canonical_sha256(normalised)
    checks = [
        _check(
            "input_sha256 recomputed from the arguments",
            in_hash == prov.get("input_sha256"),
            f"recorded {prov.get('input_sha256')}, recomputed {in_hash}",
        )
    ]
    if not tool.replayable:
        effect = _EFFECTS.get(tool.category, "reaches outside systems")
        detail = (
            f"not run: {tool.name} acts outside this server ({tool.category} tool: {effect}); "
            "verified from the recorded result and its hashes only"
        )
        return Replay([*checks, _check("re-execution", True, detail)], [], False)
    if normalised.get("data_source") == "live" or prov.get("sources"):
        detail = "not run: live-data inputs are recorded in provenance.sources, not in the arguments"
        return Replay([*checks, _check("re-execution", True, detail)], [], False)
    again = execute(tool.name, arguments, ExecutionContext(design=context.design if context else None))
    if again.error is not None:
        return Replay([*checks, _check("re-execution", False, again.error.text()[:400])], [], True)
    new = again.result["provenance"]
    for name in ("output_sha256", "provenance_hash"):
        checks.append(
            _check(
                f"re-execution {name}",
                new[name] == prov.get(name),
                f"recorded {prov.get(name)}, now {new[name]}",
            )
        )
    return Replay(checks, _diff(result, again.result), True)


def handle(call: ToolCall) -> ToolOutput:
    a = call.args
    seq = None
    if a.get("provenance_hash"):
        store = call.context.services.get("store")
        if store is None:
            raise ToolUnavailable(
                [
                    "$.provenance_hash: looking up a hash needs the audit ledger, got a server "
                    "running without one (--no-ledger)"
                ]
            )
        entry = store.find_by_provenance_hash(a["provenance_hash"])
        if entry is None:
            raise InvalidArguments(
                [
                    f"$.provenance_hash: expected the hash of a recorded call, got "
                    f"{a['provenance_hash']!r} (not in the ledger)"
                ]
            )
        seq = entry.seq
        tool_name, arguments, result = entry.tool, entry.arguments, entry.result
    elif a.get("result") is not None:
        result = a["result"]
        tool_name = a.get("tool") or str(_provenance_of(result).get("tool", ""))
        arguments = a.get("arguments")
    else:
        raise InvalidArguments(["$.provenance_hash: required (or result with arguments), got nothing"])
    report = verify_result(tool_name, arguments, result, call.context)
    report["ledger_seq"] = seq
    verdict = "MATCHES" if report["matches"] else "DOES NOT MATCH"
    failed = [c["check"] for c in report["checks"] if not c["ok"]]
    summary = f"{tool_name} result {verdict}" + (f"; failed: {', '.join(failed)}" if failed else "")
    return ToolOutput(
        values=report,
        method={"verification": "RFC 8785 + SHA-256 recomputation and re-execution under the current tool version"},
        summary=summary,
    )


TOOL = register(
    ToolDefinition(
        name="verify_provenance",
        title="Verify a result's provenance (re-execute and compare)",
        description=(
            "Given a provenance hash (looked up in the audit ledger) or a full result with its arguments, "
            "recompute the hashes, re-execute the calculation and say whether it matches, listing every "
            "output that differs."
        ),
        version="1.0.0",
        input_model=VerifyInput,
        output_model=VerifyOutput,
        handler=handle,
        category="ledger",
        record_history=False,
    )
)
