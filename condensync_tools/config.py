# SPDX-License-Identifier: MIT
"""Plant configuration: a TOML file (``--config`` or ``CONDENSYNC_CONFIG``), validated with
errors that name the file, the key path and the problem.

Layout::

    [plant]
    name = "Example Station"
    unit_system = "US"                 # unit system of the design values (default US)

    [condensers.<id>]                  # one table per condenser; <id> is the condenser_id
    description = "..."
    unit_system = "SI"                 # optional, overrides [plant]
    [condensers.<id>.tubes]            # any tool arguments, grouped for readability:
    [condensers.<id>.design_point]     #   every key must be an argument name of some tool,
    [condensers.<id>.turbine]          #   in this condenser's unit system; explicit call
    [condensers.<id>.economics]        #   arguments override them
    [condensers.<id>.thresholds]
    [condensers.<id>.maintenance]      #   e.g. cleaning_dates = ["2024-04-09", ...]
    [condensers.<id>.opcua]            # connectors.settings.OpcUaSettings (+ [[...tags]])
    [condensers.<id>.modbus]           # ModbusSettings (+ [[...registers]])
    [condensers.<id>.historian]        # HistorianSettings (+ [[...streams]])
    [condensers.<id>.weather]          # WeatherSettings
    [condensers.<id>.cmms]             # CmmsSettings (work orders; disabled unless enabled = true)

Connector tags, registers and streams are named with tool argument names
(``cw_inlet_temp``, ``condenser_pressure`` ...): that is the tag map of live mode.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from pydantic import BaseModel, ValidationError

from . import settings
from .errors import InvalidArguments

__all__ = ["ConfigError", "PlantConfig", "CondenserConfig", "load_config", "ARGUMENT_GROUPS", "CONNECTOR_KINDS",
           "EXAMPLE_CONFIG"]

ARGUMENT_GROUPS = ("tubes", "design_point", "turbine", "economics", "thresholds", "design", "maintenance")
#: Connector table name → settings model (imported lazily: connectors are optional at import)
CONNECTOR_KINDS = ("opcua", "modbus", "historian", "weather", "cmms")
EXAMPLE_CONFIG = Path(__file__).resolve().parent / "examples" / "plant_500mw.toml"


class ConfigError(ValueError):
    """A plant configuration problem: names the file, each key path and what is wrong."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__(f"invalid plant configuration {self.path}:\n" + "\n".join(f"- {p}" for p in problems))


def _settings_models() -> dict[str, type[BaseModel]]:
    from connectors import settings as s

    return {"opcua": s.OpcUaSettings, "modbus": s.ModbusSettings, "historian": s.HistorianSettings,
            "weather": s.WeatherSettings, "cmms": s.CmmsSettings}


def _argument_schemas() -> dict[str, dict]:
    """Every tool argument name → its published schema (first tool that declares it)."""
    from .registry import all_tools

    out: dict[str, dict] = {}
    for tool in all_tools():
        for name, sub in tool.compiled.schema.get("properties", {}).items():
            out.setdefault(name, sub)
    return out


@dataclass
class CondenserConfig:
    """One configured condenser."""

    id: str
    description: str
    unit_system: str
    arguments: dict[str, Any]  #: tool arguments in ``unit_system``
    connectors: dict[str, BaseModel] = field(default_factory=dict)


@dataclass
class PlantConfig:
    """The whole plant configuration (see module docstring)."""

    path: str
    name: str
    condensers: dict[str, CondenserConfig]

    def condenser(self, condenser_id: str) -> CondenserConfig:
        try:
            return self.condensers[condenser_id]
        except KeyError:
            known = ", ".join(sorted(self.condensers)) or "none"
            raise InvalidArguments([f"$.condenser_id: expected a configured condenser ({known}), got "
                                    f"{condenser_id!r}"]) from None

    def design_arguments(self, condenser_id: str, tool: str, unit_system: str, accepted: set[str]) -> dict[str, Any]:
        """The condenser's configured arguments that ``tool`` accepts, converted from the
        configuration's unit system to the caller's (DesignProvider protocol)."""
        from .registry import convert_units, get_tool

        c = self.condenser(condenser_id)
        picked = {k: v for k, v in c.arguments.items() if k in accepted and k not in ("unit_system", "condenser_id")}
        if c.unit_system == unit_system or not picked:
            return picked
        plan = get_tool(tool).input_plan
        si = convert_units(picked, plan, c.unit_system, to_caller=False)
        return convert_units(si, plan, unit_system, to_caller=True)


def _problems_from_pydantic(prefix: str, exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        got = err.get("input")
        shown = repr(got)[:60] if not isinstance(got, dict) else "a table"
        out.append(f"{prefix}{'.' + loc if loc else ''}: {err['msg']}, got {shown}")
    return out


def load_config(path: str | os.PathLike | None = None) -> PlantConfig:
    """Load and validate a plant configuration; raise :class:`ConfigError` listing every problem."""
    path = Path(path or settings.CONFIG.text())
    if not str(path) or not path.is_file():
        raise ConfigError(path, [f"file not found: {path}"])
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [f"not valid TOML: {exc}"]) from None
    except UnicodeDecodeError:
        raise ConfigError(path, ["not a UTF-8 text file"]) from None
    problems: list[str] = []
    for key in data:
        if key not in ("plant", "condensers"):
            problems.append(f"{key}: unknown top-level table (expected [plant] and [condensers.<id>])")
    plant = data.get("plant", {})
    if not isinstance(plant, dict):
        problems.append("plant: expected a table")
        plant = {}
    for key in plant:
        if key not in ("name", "unit_system"):
            problems.append(f"plant.{key}: unknown key (expected name, unit_system)")
    plant_units = plant.get("unit_system", "US")
    if plant_units not in ("US", "SI"):
        problems.append(f"plant.unit_system: expected 'US' or 'SI', got {plant_units!r}")
        plant_units = "US"
    condensers_raw = data.get("condensers", {})
    if not isinstance(condensers_raw, dict) or not condensers_raw:
        problems.append("condensers: expected at least one [condensers.<id>] table")
        condensers_raw = {}
    arg_schemas = _argument_schemas()
    models = _settings_models()
    condensers: dict[str, CondenserConfig] = {}
    for cid, body in condensers_raw.items():
        where = f"condensers.{cid}"
        if not isinstance(body, dict):
            problems.append(f"{where}: expected a table")
            continue
        if not Draft202012Validator({"type": "string", "pattern": r"^[A-Za-z0-9_.\-]{1,64}$"}).is_valid(cid):
            problems.append(f"{where}: condenser id must be 1-64 letters, digits, '_', '.', '-'")
        units = body.get("unit_system", plant_units)
        if units not in ("US", "SI"):
            problems.append(f"{where}.unit_system: expected 'US' or 'SI', got {units!r}")
            units = "US"
        arguments: dict[str, Any] = {}
        connectors: dict[str, BaseModel] = {}
        for key, value in body.items():
            if key in ("description", "unit_system"):
                continue
            if key in ARGUMENT_GROUPS:
                if not isinstance(value, dict):
                    problems.append(f"{where}.{key}: expected a table of tool arguments")
                    continue
                for arg, v in value.items():
                    p = f"{where}.{key}.{arg}"
                    if arg not in arg_schemas:
                        problems.append(f"{p}: not an argument of any tool (check the spelling)")
                        continue
                    if arg in arguments:
                        problems.append(f"{p}: given twice in this condenser")
                    for err in Draft202012Validator(arg_schemas[arg]).iter_errors(v):
                        problems.append(f"{p}: {err.message}")
                    arguments[arg] = v
            elif key in CONNECTOR_KINDS:
                try:
                    connectors[key] = models[key].model_validate(value)
                except ValidationError as exc:
                    problems.extend(_problems_from_pydantic(f"{where}.{key}", exc))
            else:
                problems.append(f"{where}.{key}: unknown key (expected description, unit_system, "
                                f"{', '.join(ARGUMENT_GROUPS)}, {', '.join(CONNECTOR_KINDS)})")
        condensers[cid] = CondenserConfig(cid, str(body.get("description", "")), units, arguments, connectors)
    if problems:
        raise ConfigError(path, problems)
    return PlantConfig(str(path), str(plant.get("name", "")), condensers)
