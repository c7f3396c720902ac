# SPDX-License-Identifier: MIT
"""Tool-layer errors: what a caller (assistant, CLI, script) is told when a call fails.

Every error carries a list of problems, each in the CONTRACT §1 form
``<json path>: <what was expected>, got <what was received>`` (or, for physical checks,
``<json path>: <physical reason>; likely cause: <cause>``).
"""

from __future__ import annotations

__all__ = ["ToolCallError", "InvalidArguments", "PhysicallyImpossible", "Implausible", "LiveDataError",
           "PermissionDenied", "UnknownTool", "ToolUnavailable"]


class ToolCallError(Exception):
    """Base of every error a tool call can return. ``kind`` is a stable machine code."""

    kind = "tool_error"
    headline = "Tool call failed"

    def __init__(self, problems: list[str] | str, tool: str = "") -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.tool = tool
        super().__init__(self.text())

    def text(self) -> str:
        """The full error text: a headline with the code, then one problem per line."""
        where = f" for {self.tool}" if self.tool else ""
        n = len(self.problems)
        head = f"{self.headline}{where} [{self.kind}]" + (f" ({n} problems)" if n > 1 else "")
        return head + ":\n" + "\n".join(f"- {p}" for p in self.problems)

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
