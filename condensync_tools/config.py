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

    [monitor]                          # optional: condensync monitor (monitor.settings.MonitorSettings)
    [alerts]                           # optional: [[alerts.rules]], [alerts.destinations.<name>]

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
from .redaction import is_secret_name, redact_url

__all__ = [
    "ConfigError",
    "PlantConfig",
    "CondenserConfig",
    "load_config",
    "ARGUMENT_GROUPS",
    "CONNECTOR_KINDS",
    "EXAMPLE_CONFIG",
]

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

    return {
        "opcua": s.OpcUaSettings,
        "modbus": s.ModbusSettings,
        "historian": s.HistorianSettings,
        "weather": s.WeatherSettings,
        "cmms": s.CmmsSettings,
    }


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
    monitor: Any = None  #: monitor.settings.MonitorSettings, when [monitor] is given
    alerts: Any = None  #: monitor.settings.AlertsSettings, when [alerts] is given

    def condenser(self, condenser_id: str) -> CondenserConfig:
        try:
            return self.condensers[condenser_id]
        except KeyError:
            known = ", ".join(sorted(self.condensers)) or "none"
            raise InvalidArguments(
                [f"$.condenser_id: expected a configured condenser ({known}), got {condenser_id!r}"]
            ) from None

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


#: Keys whose values are secrets (webhook URLs carry their token): never echoed in a problem.
_SECRET_KEYS = frozenset({"url", "routing_key", "password", "apikey", "token", "private_key_password"})


def _problems_from_pydantic(prefix: str, exc: ValidationError) -> list[str]:
    """One problem per pydantic error; the value received is never shown for a secret setting
    (password, apikey, token…) nor for a URL with a password or query values in it."""
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        got = err.get("input")
        msg = err["msg"]
        secret = any(is_secret_name(str(p)) for p in err["loc"]) or (
            bool(err["loc"]) and str(err["loc"][-1]) in _SECRET_KEYS
        )
        if secret:
            shown = "a value (not shown: secret setting)"
        elif isinstance(got, dict):
            shown = "a table"
        elif isinstance(got, str) and "://" in got:
            shown = repr(redact_url(got))[:120]
        else:
            shown = repr(got)[:60]
        if isinstance(got, (str, int, float)) and not isinstance(got, bool) and len(str(got)) >= 4 and str(got) in msg:
            msg = msg.replace(str(got), "***" if secret else (redact_url(got) if "://" in str(got) else str(got)))
        out.append(f"{prefix}{'.' + loc if loc else ''}: {msg}, got {shown}")
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
        if key not in ("plant", "condensers", "monitor", "alerts"):
            problems.append(
                f"{key}: unknown top-level table (expected [plant], [condensers.<id>], [monitor], [alerts])"
            )
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
                problems.append(
                    f"{where}.{key}: unknown key (expected description, unit_system, "
                    f"{', '.join(ARGUMENT_GROUPS)}, {', '.join(CONNECTOR_KINDS)})"
                )
        condensers[cid] = CondenserConfig(cid, str(body.get("description", "")), units, arguments, connectors)
    monitor, alerts = _monitoring(data, condensers, problems)
    config = PlantConfig(str(path), str(plant.get("name", "")), condensers, monitor, alerts)
    # the tag units too, in the same pass: every problem of the file in one answer
    from .live import check_config_units

    problems.extend(check_config_units(config))
    if problems:
        raise ConfigError(path, problems)
    return config


def _monitoring(data: dict, condensers: dict[str, CondenserConfig], problems: list[str]) -> tuple[Any, Any]:
    """Validate ``[monitor]`` and ``[alerts]`` (models in :mod:`.monitor.settings`) and their
    references to condensers; append problems with key paths."""
    from .monitor.settings import AlertsSettings, MonitorSettings

    out: list[Any] = []
    for key, model in (("monitor", MonitorSettings), ("alerts", AlertsSettings)):
        if key not in data:
            out.append(None)
            continue
        try:
            out.append(model.model_validate(data[key]))
        except ValidationError as exc:
            problems.extend(_problems_from_pydantic(key, exc))
            out.append(None)
    monitor, alerts = out
    known = ", ".join(sorted(condensers)) or "none"
    refs = [("monitor.condensers", monitor.condensers)] if monitor is not None else []
    refs += [(f"alerts.rules.{i}.condensers", r.condensers) for i, r in enumerate(alerts.rules)] if alerts else []
    for where, ids in refs:
        for cid in ids:
            if cid not in condensers:
                problems.append(f"{where}: {cid!r} is not a configured condenser ({known})")
            elif where == "monitor.condensers" and not condensers[cid].connectors:
                problems.append(f"{where}: {cid!r} has no live connectors to monitor (opcua, modbus, historian)")
    if alerts is not None and not any(p.startswith("condensers") for p in problems):
        problems.extend(_rule_name_problems(alerts, condensers))  # only against valid connector tables
    return monitor, alerts


def _rule_name_problems(alerts: Any, condensers: dict[str, CondenserConfig]) -> list[str]:
    """``services`` / ``tags`` of the alert rules must name configured connectors / tags."""
    services: set[str] = set()
    tags: set[str] = set()
    for cond in condensers.values():
        for connector in cond.connectors.values():
            services.add(getattr(connector, "service", ""))
            for group in ("tags", "registers", "streams", "fields"):
                tags.update(item.name for item in getattr(connector, group, None) or [])
    out = []
    for i, rule in enumerate(alerts.rules):
        for key, names, known in (("services", rule.services, services), ("tags", rule.tags, tags)):
            unknown = sorted(set(names) - known)
            if unknown:
                out.append(
                    f"alerts.rules.{i}.{key}: {', '.join(map(repr, unknown))} not configured "
                    f"(known: {', '.join(sorted(known - {''})) or 'none'})"
                )
    return out
