# SPDX-License-Identifier: MIT
"""A condenser plant simulator behind a REAL OPC UA server (asyncua) and a REAL Modbus TCP
server (pymodbus SimDevice), so live mode can be tried and tested without a plant.

``condensync simulate`` (or :class:`SimulatorThread` in tests) serves the tags and registers of a
plant configuration (default: the bundled example, ``condensync_tools/examples/plant_500mw.toml``)
with values from a physically consistent model built on the project's calculators:

- **load** follows a daily profile (60 % at 03:00, 100 % at 15:00); condenser duty = load ×
  design duty; steam flow = duty / 950 Btu/lb (HEI def. 2.5);
- **CW inlet temperature** swings ±3 K over the day (coolest 04:00); the cooling tower's cold
  water is the CW inlet, its wet bulb lies an approach of 4-6 K below;
- **CW flow** comes from the running CW pumps (3 by design; 2 give 72 %, 1 gives 40 %);
- **fouling** drifts slowly: the cleanliness factor falls asymptotically over simulated days
  (Kern-Seaton form: CF = 0.65 + 0.30·exp(-days/120), starting 30 days after a cleaning);
- **backpressure** = :func:`condensync_tools.calculators.vacuum.expected_backpressure` at those
  conditions (effectiveness/NTU chain, HEI clean U), so a heat-transfer test on the served
  values gives back the simulated cleanliness;
- **hotwell temperature** = T_sat − subcooling; **dissolved O₂**, **off-gas (air removal)
  flow**, **air-extraction temperature**;
- **events**: ``air_inleakage`` (raises backpressure by up to 1 kPa, dissolved O₂, off-gas
  flow and subcooling; optional severity 0-1), ``cw_pump_trip`` (one pump stops), and for
  fault drills ``freeze:<name>`` (a stuck value: its source timestamp stops advancing),
  ``bad:<name>`` (bad quality), ``clear`` (end everything).

Deterministic: update *n* is at simulated time ``n · interval · speed`` seconds and its values
(noise included) depend only on the seed, *n* and the events; only the source timestamps
are the wall clock. Events are scheduled in simulated seconds (``air_inleakage@300``), or
injected while running through the OPC UA method ``Simulator/InjectEvent(command)`` or by
writing the command to the variable ``Simulator/Command``.

It lives in the package, not in ``connectors/`` (connectors never import our calculators):
it may import ``condensync_tools.calculators``, the unit table of ``condensync_tools.units``
and the connector settings models, never the tools, the live layer or the server
(``tests/test_architecture.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import re
import threading
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from connectors.settings import ModbusRegister, ModbusSettings, OpcUaSettings, OpcUaTag

__all__ = [
    "MEASUREMENTS",
    "EVENT_KINDS",
    "SimEvent",
    "parse_event",
    "SimPlant",
    "SimSettings",
    "SimulatorModel",
    "PlantSimulator",
    "SimulatorThread",
    "DEFAULT_OPCUA_PORT",
    "DEFAULT_MODBUS_PORT",
    "SIM_NAMESPACE",
    "run",
]

log = logging.getLogger("condensync.simulator")

DEFAULT_OPCUA_PORT = 4840
DEFAULT_MODBUS_PORT = 5020
SIM_NAMESPACE = "urn:condensync:simulator"
_K0 = 273.15

#: Simulated measurement name → (SI unit, description).
MEASUREMENTS: dict[str, tuple[str, str]] = {
    "cw_inlet_temp": ("K", "CW inlet temperature (cooling-tower cold water)"),
    "cw_outlet_temp": ("K", "CW outlet temperature, mixed mean"),
    "cw_flow": ("m3/s", "CW volumetric flow through the condenser"),
    "condenser_pressure": ("Pa", "Condenser shell absolute pressure (backpressure)"),
    "hotwell_temp": ("K", "Hotwell (condensate) temperature"),
    "dissolved_oxygen_ppb": ("ppb", "Dissolved oxygen at the condensate pump discharge"),
    "air_removal_flow": ("kg/s", "Off-gas (dry air) flow of the air-removal equipment"),
    "air_extraction_temp": ("K", "Air-extraction line temperature"),
    "steam_flow": ("kg/s", "Exhaust steam to the condenser (duty / 950 Btu/lb)"),
    "heat_duty": ("W", "Condenser duty"),
    "generator_output": ("W", "Gross generator output"),
    "barometric_pressure": ("Pa", "Barometric pressure"),
    "wet_bulb_temp": ("K", "Ambient wet-bulb temperature"),
    "ct_inlet_temp": ("K", "Cooling-tower hot-water inlet temperature"),
    "ct_outlet_temp": ("K", "Cooling-tower cold-water outlet temperature"),
    "ct_fan_speed": ("rpm", "Cooling-tower fan speed"),
    "cw_pump_speed": ("rpm", "CW pump speed (running pumps)"),
    "cw_pump_power": ("W", "CW pumps' total electrical power"),
    "cw_discharge_pressure": ("Pa", "CW pump discharge header pressure, gauge"),
    "pumps_running": ("1", "Number of CW pumps running"),
}
#: Relative (or absolute for temperatures, K) standard deviation of the measurement noise at
#: ``noise = 1``.
_NOISE = {
    "cw_inlet_temp": ("abs", 0.03),
    "cw_outlet_temp": ("abs", 0.03),
    "hotwell_temp": ("abs", 0.03),
    "air_extraction_temp": ("abs", 0.05),
    "wet_bulb_temp": ("abs", 0.05),
    "ct_inlet_temp": ("abs", 0.05),
    "ct_outlet_temp": ("abs", 0.05),
    "cw_flow": ("rel", 0.003),
    "condenser_pressure": ("rel", 0.002),
    "dissolved_oxygen_ppb": ("abs", 0.3),
    "air_removal_flow": ("rel", 0.02),
    "steam_flow": ("rel", 0.003),
    "heat_duty": ("rel", 0.003),
    "generator_output": ("rel", 0.001),
    "barometric_pressure": ("abs", 10.0),
    "cw_pump_power": ("rel", 0.005),
    "cw_discharge_pressure": ("rel", 0.005),
}
EVENT_KINDS = ("air_inleakage", "cw_pump_trip", "freeze", "bad", "clear")
_FLOW_FRACTION = {3: 1.0, 2: 0.72, 1: 0.40}


# ------------------------------------------------------------------------------------------
# Events
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimEvent:
    """A scheduled or injected event.

    Attributes
    ----------
    kind : str
        One of :data:`EVENT_KINDS` (``clear`` is applied at once and never stored).
    start_s : float
        Simulated time it starts [s].
    duration_s : float or None
        How long it lasts (None: until ``clear``) [s].
    severity : float
        0-1, for ``air_inleakage`` (default 1) [-]; number of pumps tripped for
        ``cw_pump_trip`` (default 1).
    target : str
        Measurement name for ``freeze`` / ``bad``.
    """

    kind: str
    start_s: float = 0.0
    duration_s: float | None = None
    severity: float = 1.0
    target: str = ""

    def active(self, t_s: float) -> bool:
        return self.start_s <= t_s and (self.duration_s is None or t_s < self.start_s + self.duration_s)

    def label(self) -> str:
        arg = f":{self.target}" if self.target else (f":{self.severity:g}" if self.severity != 1.0 else "")
        end = f"+{self.duration_s:g}" if self.duration_s is not None else ""
        return f"{self.kind}{arg}@{self.start_s:g}{end}"


_EVENT_RE = re.compile(r"^(?P<kind>[a-z_]+)(?::(?P<arg>[A-Za-z0-9_.]+))?(?:@(?P<at>[0-9.]+))?(?:\+(?P<dur>[0-9.]+))?$")


def parse_event(text: str, now_s: float = 0.0) -> SimEvent:
    """Parse ``kind[:arg][@start_s][+duration_s]``, e.g. ``air_inleakage@300``,
    ``air_inleakage:0.5@600+1800``, ``cw_pump_trip@900``, ``freeze:condenser_pressure``, ``clear``.

    Parameters
    ----------
    text : str
        The event.
    now_s : float
        Simulated time used when no ``@start`` is given [s].

    Raises
    ------
    ValueError
        Unknown kind, bad argument, or a ``freeze``/``bad`` without a measurement name.
    """
    m = _EVENT_RE.match(text.strip())
    if not m:
        raise ValueError(f"event {text!r} is not 'kind[:arg][@start_s][+duration_s]', e.g. 'air_inleakage@300'")
    kind, arg = m["kind"], m["arg"]
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event {kind!r}; expected one of {', '.join(EVENT_KINDS)}")
    start = float(m["at"]) if m["at"] is not None else now_s
    duration = float(m["dur"]) if m["dur"] is not None else None
    if kind in ("freeze", "bad"):
        if not arg or arg not in MEASUREMENTS:
            raise ValueError(
                f"event {kind!r} needs a measurement name, e.g. '{kind}:condenser_pressure'; "
                f"known: {', '.join(sorted(MEASUREMENTS))}"
            )
        return SimEvent(kind, start, duration, 1.0, arg)
    severity = 1.0
    if arg is not None:
        try:
            severity = float(arg)
        except ValueError:
            raise ValueError(f"event {kind!r}: argument {arg!r} must be a number") from None
        limit = 1.0 if kind == "air_inleakage" else 2.0
        if not 0.0 < severity <= limit:
            raise ValueError(f"event {kind!r}: argument {severity:g} must be in (0, {limit:g}]")
    return SimEvent(kind, start, duration, severity)


# ------------------------------------------------------------------------------------------
# Plant description from a configuration file
# ------------------------------------------------------------------------------------------

_GROUPS = ("tubes", "design_point", "turbine", "economics", "thresholds", "design")
_GEOMETRY = (
    "tube_od",
    "tube_gauge_bwg",
    "tube_count",
    "tube_material",
    "tube_passes",
    "tube_length",
    "surface_area",
    "plugged_tubes",
    "water_type",
    "salinity",
    "clean_u_method",
    "hei_edition",
    "hei_fw",
    "hei_fm",
    "bank_rows",
)


def _default_config_path() -> Path:
    return Path(__file__).resolve().parent.parent / "condensync_tools" / "examples" / "plant_500mw.toml"


@dataclass(frozen=True)
class SimPlant:
    """What the simulator needs from a plant configuration: geometry (SI) and tag maps.

    Attributes
    ----------
    condenser_id : str
        The simulated condenser.
    geometry : dict
        ``condenser_model`` arguments in SI (tube_od [m], tube_length [m], surface_area [m²]...).
    opcua : OpcUaSettings or None
        Tags to serve over OPC UA (their node ids and units).
    modbus : ModbusSettings or None
        Registers to serve over Modbus TCP.
    source : str
        Where it came from.
    """

    condenser_id: str
    geometry: dict[str, Any]
    opcua: OpcUaSettings | None
    modbus: ModbusSettings | None
    source: str = ""

    @classmethod
    def from_toml(cls, path: str | Path | None = None, condenser_id: str | None = None) -> SimPlant:
        """Read ``path`` (default: the bundled example) and pick ``condenser_id`` (default: the
        first condenser with an ``opcua`` or ``modbus`` table).

        Raises
        ------
        ValueError
            Unreadable file, no such condenser, or invalid connector tables.
        """
        from .calculators.constants import FT2_M2, FT_M, INCH_M, MM_M

        path = Path(path) if path else _default_config_path()
        try:
            data = tomllib.loads(path.read_text("utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"cannot read plant configuration {path}: {exc}") from None
        condensers = data.get("condensers") or {}
        if condenser_id is None:
            condenser_id = next(
                (
                    cid
                    for cid, body in condensers.items()
                    if isinstance(body, dict) and ("opcua" in body or "modbus" in body)
                ),
                next(iter(condensers), None),
            )
        if condenser_id is None or condenser_id not in condensers:
            raise ValueError(f"{path}: no condenser {condenser_id!r} (configured: {', '.join(condensers) or 'none'})")
        body = condensers[condenser_id]
        units = body.get("unit_system", (data.get("plant") or {}).get("unit_system", "US"))
        args: dict[str, Any] = {}
        for group in _GROUPS:
            args.update({k: v for k, v in (body.get(group) or {}).items() if k in _GEOMETRY})
        us = units == "US"
        geometry = dict(args)
        if "tube_od" in args:
            geometry["tube_od"] = args["tube_od"] * (INCH_M if us else MM_M)
        if "tube_length" in args:
            geometry["tube_length"] = args["tube_length"] * (FT_M if us else 1.0)
        if "surface_area" in args:
            geometry["surface_area"] = args["surface_area"] * (FT2_M2 if us else 1.0)
        if "salinity" in args:
            geometry["salinity"] = args["salinity"] * 1e-3
        for key in ("hei_fw", "hei_fm"):
            if key in geometry:
                geometry[key[4:]] = geometry.pop(key)
        geometry.setdefault("tube_od", 1.0 * INCH_M)
        geometry.setdefault("tube_gauge_bwg", 18)
        geometry.setdefault("tube_count", 20000)
        geometry.setdefault("tube_material", "admiralty")
        geometry.setdefault("tube_passes", 1)
        if not geometry.get("tube_length") and not geometry.get("surface_area"):
            geometry["tube_length"] = 40.0 * FT_M
        try:
            opcua = OpcUaSettings.model_validate(body["opcua"]) if "opcua" in body else None
            modbus = ModbusSettings.model_validate(body["modbus"]) if "modbus" in body else None
        except ValueError as exc:
            raise ValueError(f"{path}: condensers.{condenser_id}: {exc}") from None
        return cls(condenser_id, geometry, opcua, modbus, str(path))


@dataclass(frozen=True)
class SimSettings:
    """Simulation settings.

    Attributes
    ----------
    seed : int
        Noise seed.
    speed : float
        Simulated seconds per real second (3600: one simulated hour per second).
    interval_s : float
        Real seconds between updates.
    start_hour : float
        Time of day at simulated time 0 [h].
    fouling_days : float
        Days since the last tube cleaning at simulated time 0 [d].
    noise : float
        Scale of the measurement noise (0: exact values).
    velocity_design : float
        Design tube velocity, sets the design CW flow [m/s].
    rise_design : float
        Design CW temperature rise at full load, sets the design duty [K].
    duty_per_output : float
        Condenser duty per unit of generator output [-].
    """

    seed: int = 0
    speed: float = 1.0
    interval_s: float = 1.0
    start_hour: float = 10.0
    fouling_days: float = 30.0
    noise: float = 1.0
    velocity_design: float = 2.3
    rise_design: float = 9.5
    duty_per_output: float = 1.1


# ------------------------------------------------------------------------------------------
# The model (pure: no I/O, no clock)
# ------------------------------------------------------------------------------------------


class SimulatorModel:
    """Values of every simulated measurement at update *n* (SI), from the calculators.

    Parameters
    ----------
    plant : SimPlant
        Geometry.
    settings : SimSettings
        Seed, speed, interval, noise, design point.
    events : iterable of SimEvent
        Scheduled events.
    """

    def __init__(self, plant: SimPlant, settings: SimSettings | None = None, events: Iterable[SimEvent] = ()) -> None:
        from .calculators.vacuum import condenser_model
        from .calculators.water import liquid_properties

        self.plant = plant
        self.settings = settings or SimSettings()
        self.events: list[SimEvent] = list(events)
        self.model = condenser_model(**plant.geometry)
        s = self.settings
        bundle = self.model.bundle
        self.design_cw_flow = s.velocity_design * bundle.velocity(1.0) ** -1  # [m³/s]
        props = liquid_properties(_K0 + 24.0, self.model.salinity)
        self.design_duty = self.design_cw_flow * props.density * props.cp * s.rise_design  # [W]
        self.rated_output = self.design_duty / s.duty_per_output  # [W]

    # ---- time --------------------------------------------------------------------------

    def time_s(self, n: int) -> float:
        """Simulated time of update ``n`` [s]."""
        return n * self.settings.interval_s * self.settings.speed

    def hour(self, t_s: float) -> float:
        return (self.settings.start_hour + t_s / 3600.0) % 24.0

    def cleanliness(self, t_s: float) -> float:
        """True cleanliness factor at simulated time ``t_s`` (asymptotic fouling) [-]."""
        days = self.settings.fouling_days + t_s / 86400.0
        return 0.65 + 0.30 * math.exp(-days / 120.0)

    def load(self, t_s: float) -> float:
        """Load fraction: 0.6 at 03:00, 1.0 at 15:00 [-]."""
        return 0.8 - 0.2 * math.cos(2.0 * math.pi * (self.hour(t_s) - 3.0) / 24.0)

    def cw_inlet(self, t_s: float) -> float:
        """CW inlet temperature: 21 °C at 04:00, 27 °C at 16:00 [K]."""
        return _K0 + 24.0 - 3.0 * math.cos(2.0 * math.pi * (self.hour(t_s) - 4.0) / 24.0)

    def active_events(self, t_s: float) -> list[SimEvent]:
        return [e for e in self.events if e.active(t_s)]

    def add_event(self, event: SimEvent) -> None:
        """Add an event; ``clear`` ends every event active at its start time."""
        if event.kind == "clear":
            t = event.start_s
            self.events = [
                e if not e.active(t) else replace(e, duration_s=max(0.0, t - e.start_s)) for e in self.events
            ]
            return
        self.events.append(event)

    def frozen(self, t_s: float) -> set[str]:
        return {e.target for e in self.active_events(t_s) if e.kind == "freeze"}

    def bad(self, t_s: float) -> set[str]:
        return {e.target for e in self.active_events(t_s) if e.kind == "bad"}

    # ---- state -------------------------------------------------------------------------

    def truth(self, n: int) -> dict[str, float]:
        """Noise-free values of update ``n`` plus the hidden truth (``cleanliness_factor``,
        ``load``, ``air_severity``) [SI]."""
        from .calculators.constants import SCFM_AIR_KG_S
        from .calculators.vacuum import HEI_STEAM_HEAT_RELEASE_J_KG, expected_backpressure
        from .calculators.water import saturation_temperature

        t = self.time_s(n)
        active = self.active_events(t)
        air = min(1.0, sum(e.severity for e in active if e.kind == "air_inleakage"))
        tripped = int(sum(e.severity for e in active if e.kind == "cw_pump_trip"))
        pumps = max(1, 3 - tripped)
        load = self.load(t)
        cf = self.cleanliness(t)
        t_in = self.cw_inlet(t)
        flow = self.design_cw_flow * _FLOW_FRACTION[pumps]
        duty = self.design_duty * load
        state = expected_backpressure(self.model, t_in, flow, duty, cleanliness_factor=cf)
        pressure = state.backpressure + 1000.0 * air  # air partial pressure
        t_sat = saturation_temperature(pressure)
        subcooling = 0.3 + 2.5 * air
        approach = 4.0 + 2.0 * load
        return {
            "cw_inlet_temp": t_in,
            "cw_outlet_temp": state.cw_outlet_temp,
            "cw_flow": flow,
            "condenser_pressure": pressure,
            "hotwell_temp": t_sat - subcooling,
            "dissolved_oxygen_ppb": 4.0 + 45.0 * air,
            "air_removal_flow": (3.0 + 18.0 * air) * SCFM_AIR_KG_S,
            "air_extraction_temp": t_sat - (2.5 + 6.0 * air),
            "steam_flow": duty / HEI_STEAM_HEAT_RELEASE_J_KG,
            "heat_duty": duty,
            "generator_output": self.rated_output * load,
            "barometric_pressure": 101_000.0,
            "wet_bulb_temp": t_in - approach,
            "ct_inlet_temp": state.cw_outlet_temp,
            "ct_outlet_temp": t_in,
            "ct_fan_speed": 118.0,
            "cw_pump_speed": 590.0,
            "cw_pump_power": pumps * 1.75e6 * (1.0 if pumps == 3 else 1.08),
            "cw_discharge_pressure": 50_000.0 + 120_000.0 * _FLOW_FRACTION[pumps] ** 2,
            "pumps_running": float(pumps),
            # hidden truth
            "cleanliness_factor": cf,
            "load": load,
            "air_severity": air,
            "sim_time_s": t,
        }

    def values(self, n: int) -> dict[str, float]:
        """Measured values of update ``n`` (truth + deterministic noise) [SI]."""
        truth = self.truth(n)
        scale = self.settings.noise
        if scale <= 0:
            return truth
        rng = random.Random(f"condensync-sim:{self.settings.seed}:{n}")
        out = dict(truth)
        for name in sorted(_NOISE):
            how, sd = _NOISE[name]
            z = rng.gauss(0.0, 1.0)
            out[name] = truth[name] + (z * sd * scale if how == "abs" else truth[name] * z * sd * scale)
        return out


# ------------------------------------------------------------------------------------------
# The servers
# ------------------------------------------------------------------------------------------


def _to_unit(value_si: float, unit: str) -> float:
    from .units import from_si_unit

    return from_si_unit(value_si, unit)


class PlantSimulator:
    """The model behind a real OPC UA server and a real Modbus TCP server (asyncio).

    Parameters
    ----------
    plant : SimPlant
        Geometry and the tag / register maps to serve.
    settings : SimSettings
        Simulation settings.
    events : iterable of SimEvent
        Scheduled events.
    host : str
        Address to listen on (127.0.0.1).
    opcua_port, modbus_port : int or None
        Ports; None: the configuration's, else 4840 / 5020. 0 disables that server.
    """

    def __init__(
        self,
        plant: SimPlant,
        settings: SimSettings | None = None,
        events: Iterable[SimEvent] = (),
        *,
        host: str = "127.0.0.1",
        opcua_port: int | None = None,
        modbus_port: int | None = None,
    ) -> None:
        self.plant = plant
        self.model = SimulatorModel(plant, settings, events)
        self.settings = self.model.settings
        self.host = host
        cfg_opc = _port_of(plant.opcua.endpoint, DEFAULT_OPCUA_PORT) if plant.opcua else DEFAULT_OPCUA_PORT
        cfg_mb = plant.modbus.port if plant.modbus else DEFAULT_MODBUS_PORT
        self.opcua_port = cfg_opc if opcua_port is None else opcua_port
        self.modbus_port = cfg_mb if modbus_port is None else modbus_port
        path = _path_of(plant.opcua.endpoint) if plant.opcua else "/condensync/simulator/"
        self.endpoint = f"opc.tcp://{host}:{self.opcua_port}{path}"
        self.n = 0
        self.current: dict[str, float] = {}
        self.last_update: datetime | None = None
        self._opc: Any = None
        self._opc_nodes: dict[str, list[tuple[Any, OpcUaTag]]] = {}
        self._ctl: dict[str, Any] = {}
        self._modbus: Any = None
        self._task: asyncio.Task[None] | None = None
        self._running = False
        self._clock0: float | None = None
        self.log: list[str] = []

    # ---- control -------------------------------------------------------------------------

    @property
    def sim_time_s(self) -> float:
        return self.model.time_s(self.n)

    def inject(self, command: str) -> str:
        """Apply a command now (``air_inleakage``, ``cw_pump_trip``, ``freeze:<name>``,
        ``bad:<name>``, ``clear``; ``@start``/``+duration`` allowed); returns a status line.

        Raises
        ------
        ValueError
            Unparseable command.
        """
        event = parse_event(command, now_s=self.sim_time_s)
        self.model.add_event(event)
        line = f"t={self.sim_time_s:g} s: {event.label()}"
        self.log.append(line)
        log.warning("simulator event %s", line)
        return line

    def active_events(self) -> list[str]:
        return [e.label() for e in self.model.active_events(self.sim_time_s)]

    # ---- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Start the servers and the update loop (values of update ``n`` published first)."""
        self.current = self.model.values(self.n)
        if self.plant.opcua is not None and self.opcua_port:
            await self._start_opcua()
        if self.plant.modbus is not None and self.modbus_port:
            await self._start_modbus()
        await self._publish()
        self._running = True
        self._task = asyncio.create_task(self._loop(), name="simulator-updates")

    async def stop(self) -> None:
        """Stop the update loop and both servers (the model and its time are kept)."""
        self._running = False
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._modbus is not None:
            with contextlib.suppress(Exception):
                await self._modbus.shutdown()
            self._modbus = None
        if self._opc is not None:
            await _stop_opcua(self._opc)
            self._opc = None
            self._opc_nodes = {}

    async def __aenter__(self) -> PlantSimulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _loop(self) -> None:
        interval = self.settings.interval_s
        next_at = time.monotonic() + interval
        while self._running:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            next_at += interval
            try:
                await self.step()
            except Exception:  # noqa: BLE001 - keep simulating; log the cause
                log.exception("simulator update %d failed", self.n + 1)

    async def step(self) -> dict[str, float]:
        """Advance one update, publish, and return the new values [SI]."""
        self.n += 1
        if self._opc is not None:
            await self._poll_command()
        self.current = self.model.values(self.n)
        await self._publish()
        return self.current

    # ---- OPC UA --------------------------------------------------------------------------

    async def _start_opcua(self) -> None:
        from asyncua import Server, ua

        assert self.plant.opcua is not None
        server = Server()
        await server.init()
        server.set_endpoint(self.endpoint)
        server.set_server_name("CONDENSYNC condenser simulator")
        server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        idx = await server.register_namespace(SIM_NAMESPACE)
        plant_obj = await server.nodes.objects.add_object(
            ua.NodeId(f"Plant.{self.plant.condenser_id}", idx), ua.QualifiedName(self.plant.condenser_id, idx)
        )
        nodes: dict[str, list[tuple[Any, OpcUaTag]]] = {}
        for tag in self.plant.opcua.tags:
            if tag.name not in MEASUREMENTS:
                log.warning("simulator: no model for OPC UA tag %r; not served", tag.name)
                continue
            if tag.node_id is None:
                log.warning("simulator: tag %r has a browse_path; only node_id tags are served", tag.name)
                continue
            node_id = await _node_id(server, tag.node_id, idx)
            browse = node_id.Identifier.split(".")[-1] if isinstance(node_id.Identifier, str) else tag.name
            var = await plant_obj.add_variable(
                node_id, ua.QualifiedName(browse, node_id.NamespaceIndex), ua.Variant(0.0, ua.VariantType.Double)
            )
            nodes.setdefault(tag.name, []).append((var, tag))
        sim_obj = await server.nodes.objects.add_object(ua.NodeId("Simulator", idx), ua.QualifiedName("Simulator", idx))
        ctl = {}
        for name, variant in (
            ("Command", ua.Variant("", ua.VariantType.String)),
            ("LastCommandResult", ua.Variant("", ua.VariantType.String)),
            ("ActiveEvents", ua.Variant("", ua.VariantType.String)),
            ("SimTime_s", ua.Variant(0.0, ua.VariantType.Double)),
            ("Update", ua.Variant(0, ua.VariantType.Int64)),
            ("TrueCleanlinessFactor", ua.Variant(0.0, ua.VariantType.Double)),
            ("LoadFraction", ua.Variant(0.0, ua.VariantType.Double)),
        ):
            ctl[name] = await sim_obj.add_variable(
                ua.NodeId(f"Simulator.{name}", idx), ua.QualifiedName(name, idx), variant
            )
        await ctl["Command"].set_writable()

        async def inject_event(parent: Any, command: Any) -> list[Any]:
            text = command.Value if hasattr(command, "Value") else str(command)
            try:
                result = self.inject(str(text))
            except ValueError as exc:
                result = f"error: {exc}"
            return [ua.Variant(result, ua.VariantType.String)]

        await sim_obj.add_method(
            ua.NodeId("Simulator.InjectEvent", idx),
            ua.QualifiedName("InjectEvent", idx),
            inject_event,
            [ua.VariantType.String],
            [ua.VariantType.String],
        )
        await server.start()
        self._opc, self._opc_nodes, self._ctl = server, nodes, ctl
        log.info("simulator OPC UA server at %s (%d tags)", self.endpoint, sum(map(len, nodes.values())))

    async def _poll_command(self) -> None:
        from asyncua import ua

        node = self._ctl.get("Command")
        if node is None:
            return
        text = await node.read_value()
        if not text:
            return
        try:
            result = self.inject(str(text))
        except ValueError as exc:
            result = f"error: {exc}"
        await node.write_value(ua.Variant("", ua.VariantType.String))
        await self._ctl["LastCommandResult"].write_value(ua.Variant(result, ua.VariantType.String))

    async def _publish(self) -> None:
        from asyncua import ua

        now = datetime.now(UTC)
        self.last_update = now
        t = self.sim_time_s
        frozen, bad = self.model.frozen(t), self.model.bad(t)
        if self._opc is not None:
            server = self._opc
            for name, entries in self._opc_nodes.items():
                if name in frozen:
                    continue
                for var, tag in entries:
                    if name in bad:
                        dv = ua.DataValue(
                            ua.Variant(None, ua.VariantType.Null),
                            StatusCode=ua.StatusCode(ua.StatusCodes.BadSensorFailure),
                            SourceTimestamp=now,
                            ServerTimestamp=now,
                        )
                    else:
                        value = _to_unit(self.current[name], tag.unit)
                        dv = ua.DataValue(
                            ua.Variant(value, ua.VariantType.Double), SourceTimestamp=now, ServerTimestamp=now
                        )
                    await server.write_attribute_value(var.nodeid, dv)
            truth = self.model.truth(self.n)
            for name, variant in (
                ("ActiveEvents", ua.Variant(", ".join(self.active_events()), ua.VariantType.String)),
                ("SimTime_s", ua.Variant(t, ua.VariantType.Double)),
                ("Update", ua.Variant(self.n, ua.VariantType.Int64)),
                ("TrueCleanlinessFactor", ua.Variant(truth["cleanliness_factor"], ua.VariantType.Double)),
                ("LoadFraction", ua.Variant(truth["load"], ua.VariantType.Double)),
            ):
                await server.write_attribute_value(
                    self._ctl[name].nodeid, ua.DataValue(variant, SourceTimestamp=now, ServerTimestamp=now)
                )

    # ---- Modbus --------------------------------------------------------------------------

    async def _start_modbus(self) -> None:
        from pymodbus.server import ModbusTcpServer
        from pymodbus.simulator import DataType, SimData, SimDevice

        assert self.plant.modbus is not None
        settings = self.plant.modbus
        types = {"float32": DataType.FLOAT32, "uint16": DataType.UINT16, "int16": DataType.INT16}
        by_device: dict[int, list[ModbusRegister]] = {}
        for reg in settings.registers:
            if reg.name not in MEASUREMENTS:
                log.warning("simulator: no model for Modbus register %r; not served", reg.name)
                continue
            dev = reg.device_id if reg.device_id is not None else settings.device_id
            by_device.setdefault(dev, []).append(reg)
        devices = []
        for dev, regs in sorted(by_device.items()):
            simdata = [
                SimData(address=r.pdu_address, values=0.0 if r.type == "float32" else 0, datatype=types[r.type])
                for r in sorted(regs, key=lambda r: r.pdu_address)
            ]
            devices.append(SimDevice(id=dev, simdata=simdata, action=partial(self._modbus_action, regs)))
        if not devices:
            return
        server = ModbusTcpServer(context=devices, address=(self.host, self.modbus_port))
        await server.serve_forever(background=True)
        self._modbus = server
        log.info(
            "simulator Modbus TCP server at %s:%d (%d registers)",
            self.host,
            self.modbus_port,
            sum(map(len, by_device.values())),
        )

    async def _modbus_action(
        self,
        regs: list[ModbusRegister],
        function_code: int,
        start_address: int,
        address: int,
        count: int,
        registers: list[int],
        values: Any,
    ) -> Any:
        from pymodbus.client import AsyncModbusTcpClient
        from pymodbus.constants import ExcCodes

        if values is not None:
            return ExcCodes.ILLEGAL_ADDRESS  # a read-only PLC map
        dt = AsyncModbusTcpClient.DATATYPE
        types = {"float32": dt.FLOAT32, "uint16": dt.UINT16, "int16": dt.INT16}
        word_order = self.plant.modbus.word_order if self.plant.modbus else "big"
        bad = self.model.bad(self.sim_time_s)
        for reg in regs:
            lo, hi = reg.pdu_address, reg.pdu_address + reg.count
            if hi <= address or lo >= address + count:
                continue
            if reg.name in bad:
                return ExcCodes.DEVICE_FAILURE
            raw = _to_unit(self.current[reg.name], reg.unit) / reg.scale
            if reg.type == "uint16":
                raw = int(min(65535, max(0, round(raw))))
            elif reg.type == "int16":
                raw = int(min(32767, max(-32768, round(raw))))
            words = AsyncModbusTcpClient.convert_to_registers(raw, types[reg.type], word_order=word_order)
            registers[lo - start_address : hi - start_address] = words
        return None


async def _stop_opcua(server: Any, timeout: float = 5.0) -> None:
    """Stop an asyncua server without hanging.

    asyncua's ``Server.stop()`` closes the client connections before it closes the listening
    socket, so an auto-reconnecting client can open a new connection in between, and
    ``wait_closed()`` then waits for that connection forever. Stop listening first, bound the
    rest, and abort whatever is still open.
    """
    listener = getattr(getattr(server, "bserver", None), "_server", None)
    if listener is not None:
        listener.close()
    try:
        await asyncio.wait_for(server.stop(), timeout)
    except Exception as exc:  # noqa: BLE001 - a simulator shutdown must finish
        log.warning("OPC UA server did not stop cleanly within %g s (%r); aborting its connections", timeout, exc)
        for transport in list(getattr(server.iserver, "asyncio_transports", [])):
            transport.abort()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.iserver.stop(), timeout)


def _port_of(url: str, default: int) -> int:
    m = re.match(r"^[a-z.]+://[^/:]+:(\d+)", url)
    return int(m.group(1)) if m else default


def _path_of(url: str) -> str:
    m = re.match(r"^[a-z.]+://[^/]+(/.*)?$", url)
    return m.group(1) if m and m.group(1) else "/"


async def _node_id(server: Any, text: str, default_idx: int) -> Any:
    from asyncua import ua

    if text.startswith("nsu="):
        uri, rest = text[4:].split(";", 1)
        idx = await server.register_namespace(uri)
        text = f"ns={idx};{rest}"
    node_id = ua.NodeId.from_string(text)
    namespaces = await server.get_namespace_array()
    if node_id.NamespaceIndex >= len(namespaces):
        raise ValueError(
            f"node id {text!r}: namespace index {node_id.NamespaceIndex} does not exist on the "
            f"simulator (use 'nsu={SIM_NAMESPACE};s=...' or ns={default_idx})"
        )
    return node_id


# ------------------------------------------------------------------------------------------
# Running in a thread (tests, and the CLI)
# ------------------------------------------------------------------------------------------


class SimulatorThread:
    """A :class:`PlantSimulator` on its own event loop in a daemon thread, with a blocking API
    (for tests and scripts that must not share the simulator's loop).

    Examples
    --------
    >>> sim = SimulatorThread(SimPlant.from_toml(), SimSettings(interval_s=0.2), opcua_port=0)  # doctest: +SKIP
    >>> sim.start(); sim.inject("air_inleakage"); sim.stop(); sim.close()                    # doctest: +SKIP
    """

    def __init__(
        self, plant: SimPlant, settings: SimSettings | None = None, events: Iterable[SimEvent] = (), **kwargs: Any
    ) -> None:
        self.sim = PlantSimulator(plant, settings, events, **kwargs)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="condensync-simulator", daemon=True)
        self._thread.start()

    def _call(self, fn: Callable[[], Any], timeout: float = 30.0) -> Any:
        async def wrapper() -> Any:
            result = fn()
            if asyncio.iscoroutine(result):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(wrapper(), self._loop).result(timeout)

    @property
    def opcua_port(self) -> int:
        return self.sim.opcua_port

    @property
    def modbus_port(self) -> int:
        return self.sim.modbus_port

    @property
    def endpoint(self) -> str:
        return self.sim.endpoint

    def start(self) -> None:
        """Start (or restart, on the same ports) both servers and the updates."""
        self._call(self.sim.start)

    def stop(self) -> None:
        """Stop both servers and the updates (the simulated plant keeps its state)."""
        self._call(self.sim.stop)

    def inject(self, command: str) -> str:
        return self._call(lambda: self.sim.inject(command))

    def step(self) -> dict[str, float]:
        return self._call(self.sim.step)

    def wait_update(self, count: int = 1, timeout: float = 10.0) -> int:
        """Block until ``count`` more updates have been published (events injected now take
        effect at the next update); returns the update number."""
        target = self.sim.n + count
        deadline = time.monotonic() + timeout
        while self.sim.n < target:
            if time.monotonic() > deadline:
                raise TimeoutError(f"simulator did not publish update {target} within {timeout} s")
            time.sleep(0.01)
        return self.sim.n

    def values(self) -> dict[str, float]:
        """The last published values [SI]."""
        return self._call(lambda: dict(self.sim.current))

    def truth(self) -> dict[str, float]:
        return self._call(lambda: self.sim.model.truth(self.sim.n))

    def close(self) -> None:
        """Stop the servers, cancel what is left on the loop and end the thread."""
        if self._thread.is_alive():
            with contextlib.suppress(Exception):
                self.stop()
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(_cancel_others(), self._loop).result(5.0)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5.0)
            if not self._thread.is_alive():
                self._loop.close()


async def _cancel_others() -> None:
    """Cancel every task on the running loop but the current one, and wait for them."""
    me = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not me]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


# ------------------------------------------------------------------------------------------
# Command line
# ------------------------------------------------------------------------------------------


def describe(sim: PlantSimulator) -> str:
    """A human description of what is served (for stderr)."""
    lines = [
        f"CONDENSYNC simulator: condenser {sim.plant.condenser_id} from {sim.plant.source}",
        f"  design CW flow {sim.model.design_cw_flow:.2f} m3/s, design duty {sim.model.design_duty / 1e6:.0f} MW, "
        f"rated output {sim.model.rated_output / 1e6:.0f} MW; speed x{sim.settings.speed:g}, "
        f"update every {sim.settings.interval_s:g} s, seed {sim.settings.seed}",
    ]
    if sim.plant.opcua is not None and sim.opcua_port:
        lines.append(f"  OPC UA  {sim.endpoint}")
        for tag in sim.plant.opcua.tags:
            if tag.name in MEASUREMENTS:
                lines.append(f"    {tag.name:<24} {tag.node_id}  [{tag.unit}]")
        lines.append(
            f"    control: nsu={SIM_NAMESPACE};s=Simulator.Command (write a command), "
            "method Simulator/InjectEvent(command)"
        )
    if sim.plant.modbus is not None and sim.modbus_port:
        lines.append(f"  Modbus TCP {sim.host}:{sim.modbus_port}")
        for reg in sim.plant.modbus.registers:
            if reg.name in MEASUREMENTS:
                dev = reg.device_id if reg.device_id is not None else sim.plant.modbus.device_id
                lines.append(f"    {reg.name:<24} unit {dev} {reg.address} {reg.type} x{reg.scale:g}  [{reg.unit}]")
    for e in sim.model.events:
        lines.append(f"  event {e.label()}")
    return "\n".join(lines)


async def run(
    sim: PlantSimulator,
    duration_s: float | None = None,
    report: Callable[[str], None] | None = None,
    report_every_s: float = 10.0,
) -> None:
    """Run ``sim`` until cancelled (or for ``duration_s`` real seconds), reporting to ``report``."""
    await sim.start()
    started = time.monotonic()
    try:
        while duration_s is None or time.monotonic() - started < duration_s:
            await asyncio.sleep(
                min(report_every_s, duration_s - (time.monotonic() - started))
                if duration_s is not None
                else report_every_s
            )
            if report is not None:
                v, truth = sim.current, sim.model.truth(sim.n)
                report(
                    f"t={sim.sim_time_s:8.0f} s  load {truth['load']:.2f}  CF {truth['cleanliness_factor']:.3f}  "
                    f"CW in {v['cw_inlet_temp'] - _K0:5.2f} C  flow {v['cw_flow']:.2f} m3/s  "
                    f"P {v['condenser_pressure'] / 1000:.3f} kPa  DO {v['dissolved_oxygen_ppb']:.1f} ppb  "
                    f"events [{', '.join(sim.active_events())}]"
                )
    finally:
        await sim.stop()
