# SPDX-License-Identifier: MIT
"""The command line as a newcomer meets it: --version, one tool's arguments, the environment
variables page, help texts with a description, unit and default, and missing arguments named
all at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from condensync_tools import __version__
from condensync_tools.cli import build_parser, main
from condensync_tools.cli_help import ENVIRONMENT
from condensync_tools.registry import execute

ROOT = Path(__file__).resolve().parent.parent


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"condensync {__version__}"


def test_tools_name_shows_arguments_units_defaults_allowed_and_required_groups(capsys):
    assert main(["tools", "calculate_heat_transfer_coefficient"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"tube_od\s+number \[in \| mm\]", out), out
    assert re.search(r"tube_material\s+string\s+default 'admiralty'", out)
    assert "Allowed: admiralty |" in out and "Allowed: hei | first_principles" in out
    assert (
        "mode 'rate': cw_outlet_temp; cw_flow or heat_duty or steam_flow; surface_area or "
        "(tube_length + tube_od + tube_count)" in out
    )
    assert main(["tools", "no_such_tool"]) == 2
    assert "unknown tool 'no_such_tool'; the tools are:" in capsys.readouterr().err


def test_help_env_lists_every_variable_the_code_reads(capsys):
    read = set()
    for path in list((ROOT / "condensync_tools").rglob("*.py")) + list((ROOT / "connectors").rglob("*.py")):
        read |= set(re.findall(r"CONDENSYNC_[A-Z0-9_]*[A-Z0-9]", path.read_text("utf-8")))
    read -= {"CONDENSYNC_OIDC"}  # the prefix, in prose
    assert main(["help", "env"]) == 0
    out = capsys.readouterr().out
    missing = sorted(v for v in read if v not in out)
    assert not missing, f"not in `condensync help env`: {missing}"
    assert {name for name, _, _ in ENVIRONMENT} >= read


def _options(parser, command):
    sub = next(a for a in parser._subparsers._group_actions)
    return [a for a in sub.choices[command]._actions if a.option_strings and a.dest != "help"]


@pytest.mark.parametrize("command", ["serve", "analyze"])
def test_every_option_has_a_description_and_a_default(command):
    for action in _options(build_parser(), command):
        text = action.help or ""
        assert len(text) > 15, f"{command} {action.option_strings}: no description"
        assert "default" in text.lower(), f"{command} {action.option_strings}: no default in {text!r}"


def test_analyze_options_name_their_unit():
    helps = {a.dest: a.help for a in _options(build_parser(), "analyze")}
    assert "unit: in (US) | mm (SI)" in helps["tube_od"]
    assert "unit: ft (US) | m (SI)" in helps["tube_length"]
    assert "allowed: hei | first_principles" in helps["clean_u_method"]
    assert "tool argument" not in " ".join(h or "" for h in helps.values())


def test_missing_tube_data_is_named_with_every_other_missing_argument():
    out = execute("calculate_heat_transfer_coefficient", {"tube_length": 38.0})
    text = out.error.text()
    assert "[invalid_arguments]" in text and "physically_impossible" not in text
    for field in ("tube_od", "tube_count", "cw_inlet_temp", "cw_outlet_temp", "cw_flow", "condenser_pressure"):
        assert f"$.{field}: required" in text, text
    out = execute("optimize_vacuum_pressure", {"tube_length": 38.0})
    text = out.error.text()
    for field in ("tube_od", "tube_count", "heat_duty", "cw_inlet_temp", "cw_flow"):
        assert f"$.{field}: required" in text, text


def test_bundled_example_gives_no_configuration_warning():
    """The example configuration's own happy path: no 'not a TEMA category' (water_type) and no
    GENERIC turbine curve warning, on a fouling and a vacuum call."""
    from condensync_tools.config import EXAMPLE_CONFIG, load_config
    from condensync_tools.registry import ExecutionContext

    context = ExecutionContext(design=load_config(EXAMPLE_CONFIG))
    snapshot = {
        "condenser_id": "unit3",
        "cw_inlet_temp": 75,
        "cw_outlet_temp": 93,
        "cw_flow": 220000,
        "condenser_pressure": 2.2,
    }
    for tool in ("calculate_fouling_factor", "optimize_vacuum_pressure"):
        out = execute(tool, snapshot, context)
        assert out.ok, out.error.text()
        text = " ".join(out.result["warnings"])
        assert "not a TEMA category" not in text and "GENERIC" not in text, text
