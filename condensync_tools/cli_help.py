# SPDX-License-Identifier: MIT
"""Help pages of the ``condensync`` command: one tool's arguments (``condensync tools NAME``)
and the environment variables (``condensync help env``).

A tool's page is built from its published input schema and its definition's required-field
rules, so it says exactly what a call is checked against: per argument the type, the unit in
US and SI, the default, the allowed values or range, and which fields are required together
or as alternatives.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from typing import Any

from . import settings

__all__ = ["ENVIRONMENT", "describe_tool", "environment_page", "tool_summary"]

_UNIT = re.compile(r"\s*\[([^|\]]+)\|([^\]]+)\]\s*$")
_UNITLESS = re.compile(r"\s*\[([^|\]]+)\]\s*$")

#: Every ``CONDENSYNC_*`` variable as (name, default, description): the one table in
#: :mod:`condensync_tools.settings` (an empty default reads "none" on the help page).
ENVIRONMENT: tuple[tuple[str, str, str], ...] = tuple(
    (name, default or "none", description) for name, default, description in settings.environment_variables()
)


def environment_page(width: int | None = None) -> str:
    """``condensync help env``."""
    width = width or min(110, shutil.get_terminal_size((100, 20)).columns)
    lines = ["Environment variables read by condensync (a command-line option, where one exists, wins):", ""]
    for name, default, what in ENVIRONMENT:
        lines.append(name)
        lines += textwrap.wrap(f"{what}. Default: {default}.", width, initial_indent="    ", subsequent_indent="    ")
    return "\n".join(lines) + "\n"


def _split_unit(description: str) -> tuple[str, str, str]:
    """(text, US unit, SI unit) of a field description ending in ``[US | SI]`` or ``[unit]``."""
    m = _UNIT.search(description)
    if m:
        return description[: m.start()], m.group(1).strip(), m.group(2).strip()
    m = _UNITLESS.search(description)
    if m:
        return description[: m.start()], m.group(1).strip(), m.group(1).strip()
    return description, "", ""


def _allowed(prop: dict[str, Any]) -> str:
    if "enum" in prop:
        return " | ".join(str(v) for v in prop["enum"])
    bounds = []
    for key, sign in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("exclusiveMaximum", "<")):
        if key in prop:
            bounds.append(f"{sign} {prop[key]:g}" if isinstance(prop[key], (int, float)) else f"{sign} {prop[key]}")
    if prop.get("type") == "array":
        bounds.append(f"array, {prop.get('minItems', 0)}..{prop.get('maxItems', '∞')} items")
    return ", ".join(bounds)


def _rule_text(rule: str | tuple[str, ...]) -> str:
    names = (rule,) if isinstance(rule, str) else rule
    return " or ".join("(" + " + ".join(n.split("+")) + ")" if "+" in n else n for n in names)


def _required_lines(tool: Any) -> list[str]:
    out = []
    if tool.required_always:
        out.append("always: " + "; ".join(_rule_text(r) for r in tool.required_always))
    if tool.required_supplied:
        out.append("with data_source 'supplied' (default): " + "; ".join(_rule_text(r) for r in tool.required_supplied))
    if tool.required_by_mode is not None:
        field, by_value = tool.required_by_mode
        for value, rules in by_value.items():
            if rules:
                out.append(f"{field} '{value}': " + "; ".join(_rule_text(r) for r in rules))
    return out


def tool_summary(tool: Any) -> str:
    return tool.description.split(". ")[0].rstrip(".") + "."


def describe_tool(name: str, width: int | None = None) -> str:
    """``condensync tools NAME``: the tool's arguments with units, defaults, allowed values and
    required groups. Raises ``UnknownTool`` for an unknown name."""
    from .registry import get_tool
    from .schema import load_published

    tool = get_tool(name)
    schema = load_published(name, "input")
    width = width or min(120, shutil.get_terminal_size((110, 20)).columns)
    lines = [f"{tool.name} {tool.version} — {tool.title}", ""]
    lines += textwrap.wrap(tool.description, width)
    required = _required_lines(tool)
    if required:
        lines += [
            "",
            "Required (a field given by the plant configuration's condenser_id counts; "
            "'a or b' = either; '(a + b)' = all of them):",
        ]
        lines += [f"  {r}" for r in required]
    lines += ["", "Arguments (unit in US | SI, chosen by unit_system):", ""]
    rows = []
    for arg, prop in sorted(schema.get("properties", {}).items()):
        text, us, si = _split_unit(prop.get("description", ""))
        unit = "" if not us or us == "1" else (us if us == si else f"{us} | {si}")
        default = prop.get("default")
        rows.append(
            (
                arg,
                prop.get("type", ""),
                unit,
                "" if default in (None, "") else repr(default),
                _allowed(prop),
                text.strip(),
            )
        )
    name_w = max(len(r[0]) for r in rows) if rows else 10
    for arg, typ, unit, default, allowed, text in rows:
        head = f"  {arg:<{name_w}}  {typ}"
        if unit:
            head += f" [{unit}]"
        if default:
            head += f"  default {default}"
        lines.append(head)
        detail = text.strip().rstrip(".") + (f". Allowed: {allowed}." if allowed else ".")
        lines += textwrap.wrap(detail, width, initial_indent=" " * (name_w + 4), subsequent_indent=" " * (name_w + 4))
    lines += [
        "",
        f"Call it: condensync call {name} --json '{{...}}'   (JSON Schema: condensync schemas export, "
        f"or the MCP resource schema://tools/{name}/input)",
    ]
    return "\n".join(lines) + "\n"


def option_help(tool: str, arg: str, cli_default: Any = None) -> str:
    """An argparse help text for a command-line option that sets the tool argument ``arg``:
    its description, unit (US | SI, following --unit-system), default and allowed values."""
    from .schema import load_published

    prop = load_published(tool, "input").get("properties", {}).get(arg, {})
    text, us, si = _split_unit(prop.get("description", ""))
    parts = [text.strip().rstrip(".") or arg]
    if us and us != "1":
        parts.append(f"unit: {us} (US) | {si} (SI), per --unit-system" if us != si else f"unit: {us}")
    default = prop.get("default") if cli_default is None else cli_default
    if cli_default is not None:
        parts.append(f"default here: {cli_default}")
    elif default not in (None, "", []):
        if "default" not in text.lower():
            parts.append(f"default: {default}")
    elif "default" not in text.lower():
        parts.append("default: from the --condenser-id configuration, else not set")
    allowed = _allowed(prop)
    if allowed:
        parts.append(f"allowed: {allowed}")
    return "; ".join(parts).replace("%", "%%")


def add_help_parser(subparsers: Any, parser: Any) -> None:
    """``condensync help [env | COMMAND]``."""

    def cmd_help(args: Any) -> int:
        import sys

        topic = args.topic
        if topic in (None, "env", "environment"):
            if topic is None:
                parser.print_help()
                sys.stdout.write("\n")
            sys.stdout.write(environment_page())
            return 0
        choices = subparsers.choices
        if topic in choices:
            choices[topic].print_help()
            return 0
        sys.stderr.write(
            f"condensync help: unknown topic {topic!r}; expected env or one of {', '.join(sorted(choices))}\n"
        )
        return 2

    p = subparsers.add_parser("help", help="help on a command, or `help env`: the environment variables")
    p.add_argument("topic", nargs="?", help="env (environment variables) or a command name; default: overview")
    p.set_defaults(func=cmd_help)
