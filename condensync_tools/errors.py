# SPDX-License-Identifier: MIT
"""Tool-layer errors: what a caller (assistant, CLI, script) is told when a call fails.

Every error carries a list of problems, each in the CONTRACT §1 form
``<json path>: <what was expected>, got <what was received>`` (or, for physical checks,
``<json path>: <physical reason>; likely cause: <cause>``).
"""

from __future__ import annotations

__all__ = [
    "MAX_LISTED",
    "ToolCallError",
    "InvalidArguments",
    "PhysicallyImpossible",
    "Implausible",
    "LiveDataError",
    "PermissionDenied",
    "UnknownTool",
    "ToolUnavailable",
]


#: Problems listed in an error at most; the rest are counted (bounded answers and ledger rows).
MAX_LISTED = 50
#: Longest problem text kept (a problem quotes at most a short excerpt of what was received).
MAX_PROBLEM_CHARS = 2000


def _printable(problem: str) -> str:
    """A problem as shown: at most MAX_PROBLEM_CHARS characters, lone surrogates escaped (so
    the text always encodes as UTF-8, on a terminal and in the ledger)."""
    if len(problem) > MAX_PROBLEM_CHARS:
        problem = problem[: MAX_PROBLEM_CHARS - 1] + "…"
    if not problem.isascii():
        problem = problem.encode("utf-8", "backslashreplace").decode("utf-8")
    return problem


class ToolCallError(Exception):
    """Base of every error a tool call can return. ``kind`` is a stable machine code.

    At most :data:`MAX_LISTED` problems are kept in ``problems``; ``omitted`` counts the
    others and ``incomplete`` says that checking stopped before every problem was found."""

    kind = "tool_error"
    headline = "Tool call failed"

    def __init__(
        self, problems: list[str] | str, tool: str = "", *, omitted: int = 0, incomplete: bool = False
    ) -> None:
        problems = [problems] if isinstance(problems, str) else list(problems)
        self.problems = [_printable(str(p)) for p in problems[:MAX_LISTED]]
        self.omitted = omitted + max(0, len(problems) - MAX_LISTED)
        self.incomplete = incomplete
        self.tool = tool
        super().__init__(self.text())

    def text(self) -> str:
        """The full error text: a headline with the code, then one problem per line (the
        first MAX_LISTED, then how many more there are)."""
        where = f" for {self.tool}" if self.tool else ""
        n = len(self.problems) + self.omitted
        count = f"at least {n}" if self.incomplete else str(n)
        head = f"{self.headline}{where} [{self.kind}]" + (f" ({count} problems)" if n > 1 else "")
        lines = [f"- {p}" for p in self.problems]
        if self.omitted or self.incomplete:
            more = f"at least {self.omitted}" if self.incomplete else str(self.omitted)
            lines.append(
                f"- $: … and {more} more problems not listed (the first {len(self.problems)} are shown; "
                "fix those and call again)"
            )
        return head + ":\n" + "\n".join(lines)

    def __str__(self) -> str:
        return self.text()


class InvalidArguments(ToolCallError):
    """Arguments violate the published input schema or a required-field rule."""

    kind = "invalid_arguments"
    headline = "Invalid arguments"


class PhysicallyImpossible(ToolCallError):
    """Arguments pass the schema but describe an impossible state (CONTRACT §1.4)."""

    kind = "physically_impossible"
    headline = "Physically impossible input"


class Implausible(ToolCallError):
    """A value is outside any sane plant range, usually a unit mix-up (CONTRACT §1.5)."""

    kind = "implausible_value"
    headline = "Implausible value"


class LiveDataError(ToolCallError):
    """Live plant data missing, stale or of bad quality (CONTRACT §4)."""

    kind = "live_data_error"
    headline = "Live data problem"


class PermissionDenied(ToolCallError):
    """The caller's role may not call this tool, or the capability is disabled."""

    kind = "permission_denied"
    headline = "Permission denied"


class UnknownTool(ToolCallError):
    kind = "unknown_tool"
    headline = "Unknown tool"


class ToolUnavailable(ToolCallError):
    """A capability the tool needs is not configured or not reachable."""

    kind = "unavailable"
    headline = "Capability unavailable"
