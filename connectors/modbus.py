# SPDX-License-Identifier: MIT
"""Modbus TCP connector (pymodbus >= 3.10): holding registers polled into a value cache.

Example register map (original design, cooling-tower PLC unit 1 and CW-pump PLC unit 2)::

    40001  CT outlet temperature    float32  x0.1
    40003  CT inlet temperature     float32  x0.1
    40005  CT fan speed             uint16   x1
    40101  CW pump speed            uint16   x1
    40103  CW pump power            float32  x0.1
    40105  CW discharge pressure    float32  x0.01

Addresses are 4xxxx references; the PDU address is ``ref - 40001``. Adjacent registers of
the same unit are read in one request (never across a gap: many PLCs reject reads spanning
undefined addresses). A float32 is decoded with the device's word order (``big`` = ABCD,
``little`` = CDAB); bytes inside a register are always big-endian.

Modbus carries no timestamps: source and server timestamps are the time of receipt.
An exception reply for a block (illegal address, device failure) gives those values quality
``bad`` with the exception named in ``status``; "device busy" and gateway errors (codes 6,
10, 11) are treated as the device being unavailable.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ConnectionException, ModbusException, ModbusIOException

from .cache import ReadingCache
from .resilience import AsyncCircuitBreaker, guarded_call
from .settings import ModbusRegister, ModbusSettings
from .types import ConnectorError, ConnectorUnavailable, Quality, Reading, require_configured, utcnow

__all__ = ["ModbusConnector", "plan_blocks", "decode_register"]

log = logging.getLogger(__name__)
SOURCE = "modbus"
DT = AsyncModbusTcpClient.DATATYPE
_DATATYPE = {"float32": DT.FLOAT32, "uint16": DT.UINT16, "int16": DT.INT16}
_EXCEPTION_NAMES = {
    1: "illegal function",
    2: "illegal data address",
    3: "illegal data value",
    4: "server device failure",
    5: "acknowledge",
    6: "server device busy",
    8: "memory parity error",
    10: "gateway path unavailable",
    11: "gateway target device failed to respond",
}
_UNAVAILABLE_CODES = frozenset({6, 10, 11})


@dataclass(frozen=True)
class Block:
    """One read request: consecutive registers of one unit."""

    device_id: int
    start: int  # PDU address
    count: int
    registers: tuple[ModbusRegister, ...]


def plan_blocks(registers: Iterable[ModbusRegister], default_device_id: int, max_registers: int = 125) -> list[Block]:
    """Group registers into read requests: same unit, contiguous, at most ``max_registers``.

    Parameters
    ----------
    registers : iterable of ModbusRegister
        Registers to read.
    default_device_id : int
        Unit id for registers without their own.
    max_registers : int
        Longest request [-].

    Returns
    -------
    list of Block
        Sorted by unit and address.
    """
    keyed = sorted(
        ((r.device_id if r.device_id is not None else default_device_id, r.pdu_address, r) for r in registers),
        key=lambda t: (t[0], t[1]),
    )
    blocks: list[Block] = []
    for dev, addr, reg in keyed:
        last = blocks[-1] if blocks else None
        if (
            last is not None
            and last.device_id == dev
            and last.start + last.count == addr
            and last.count + reg.count <= max_registers
        ):
            blocks[-1] = Block(dev, last.start, last.count + reg.count, (*last.registers, reg))
        else:
            blocks.append(Block(dev, addr, reg.count, (reg,)))
    return blocks


def decode_register(register: ModbusRegister, words: list[int], word_order: str) -> float:
    """Decode and scale one value from its 16-bit words.

    Parameters
    ----------
    register : ModbusRegister
        Type and scale.
    words : list of int
        The register contents (1 word for 16-bit types, 2 for float32).
    word_order : {"big", "little"}
        Order of the words of a 32-bit value.

    Returns
    -------
    float
        ``raw * scale`` in the register's unit.
    """
    raw = AsyncModbusTcpClient.convert_from_registers(words, _DATATYPE[register.type], word_order=word_order)  # type: ignore[arg-type]
    return float(raw) * register.scale  # type: ignore[arg-type]


class ModbusConnector:
    """Modbus TCP device (PLC or gateway) with background polling into a value cache.

    Parameters
    ----------
    settings : ModbusSettings
        Host, unit id, word order, poll interval, breaker and the register map.
    breaker_clock : callable, optional
        Monotonic clock for the circuit breaker (tests).

    Examples
    --------
    >>> async with ModbusConnector(settings) as plc:             # doctest: +SKIP
    ...     values = await plc.read(["ct_outlet_temp", "cw_pump_speed"])
    """

    kind = "modbus"

    def __init__(self, settings: ModbusSettings, *, breaker_clock: Callable[[], float] | None = None) -> None:
        self.settings = settings
        self.service = settings.service
        self.endpoint = f"{settings.host}:{settings.port}"
        self._registers = {r.name: r for r in settings.registers}
        self.breaker = AsyncCircuitBreaker(
            settings.service, settings.breaker, endpoint=self.endpoint, clock=breaker_clock
        )
        # pymodbus' own retries and reconnect loop are off: retries, back-off and reconnects
        # are driven by the shared resilience wrapper so the breaker sees every outage.
        self._client = AsyncModbusTcpClient(
            settings.host, port=settings.port, timeout=settings.timeout_s, retries=0, reconnect_delay=0
        )
        self._io_lock = asyncio.Lock()
        self._cache = ReadingCache()
        self._poll_task: asyncio.Task[None] | None = None
        self._last_poll_ok: float | None = None
        self.last_error: str | None = None

    # ---- lifecycle ---------------------------------------------------------------------

    async def start(self, *, poll: bool = True) -> None:
        """Start polling and check the connection.

        Parameters
        ----------
        poll : bool
            Start the background poll every ``poll_interval_s``. It keeps running (and
            reconnecting) while the device is down, until :meth:`stop`.

        Raises
        ------
        ConnectorUnavailable
            The device is not reachable now (polling, if requested, is started anyway).
        """
        if poll and self._poll_task is None:
            self._poll_task = asyncio.create_task(self._poll_loop(), name=f"modbus-poll-{self.service}")

        async def connect() -> None:
            async with self._io_lock:
                await self._ensure_connected()

        await guarded_call(self.breaker, connect, retry=self.settings.retry, description="connect")

    async def stop(self) -> None:
        """Stop polling and close the connection."""
        if self._poll_task is not None:
            self._poll_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poll_task
            self._poll_task = None
        self._client.close()

    async def __aenter__(self) -> ModbusConnector:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- I/O ---------------------------------------------------------------------------

    def _unavailable(self, why: str) -> ConnectorUnavailable:
        return ConnectorUnavailable(
            f"Modbus device {self.service} at {self.endpoint} is not reachable: {why} "
            f"(request timeout {self.settings.timeout_s:g} s). Check that the PLC/gateway is powered, "
            "Modbus TCP is enabled and the network path / firewall allows port "
            f"{self.settings.port}.",
            service=self.service,
            endpoint=self.endpoint,
        )

    async def _ensure_connected(self) -> None:
        if self._client.connected:
            return
        if not await self._client.connect():
            raise self._unavailable("connection refused or timed out")
        log.info("modbus %s connected to %s", self.service, self.endpoint)

    async def _read_block(self, block: Block, received: datetime) -> list[Reading]:
        try:
            rr = await self._client.read_holding_registers(block.start, count=block.count, device_id=block.device_id)
        except (ConnectionException, ModbusIOException) as exc:
            self._client.close()  # force a clean reconnect on the next attempt
            raise self._unavailable(str(exc).strip() or type(exc).__name__) from exc
        except ModbusException as exc:
            raise ConnectorError(
                f"Modbus device {self.service} at {self.endpoint}: {exc}",
                service=self.service,
                endpoint=self.endpoint,
            ) from exc
        if rr.isError():
            code = getattr(rr, "exception_code", 0)
            meaning = _EXCEPTION_NAMES.get(code, "unknown exception")
            if code in _UNAVAILABLE_CODES:
                raise self._unavailable(f"unit {block.device_id} answered exception {code} ({meaning})")
            status = f"Modbus exception {code} ({meaning})"
            log.warning("modbus %s unit %d %d+%d: %s", self.service, block.device_id, block.start, block.count, status)
            return [self._reading(r, block.device_id, math.nan, received, Quality.BAD, status) for r in block.registers]
        out: list[Reading] = []
        for reg in block.registers:
            offset = reg.pdu_address - block.start
            value = decode_register(reg, rr.registers[offset : offset + reg.count], self.settings.word_order)
            if math.isfinite(value):
                out.append(self._reading(reg, block.device_id, value, received, Quality.GOOD, "Good"))
            else:
                out.append(self._reading(reg, block.device_id, math.nan, received, Quality.BAD, f"non-finite {value}"))
        return out

    @staticmethod
    def _reading(
        reg: ModbusRegister, device_id: int, value: float, ts: datetime, quality: Quality, status: str
    ) -> Reading:
        return Reading(
            tag=f"{device_id}:{reg.address}",
            name=reg.name,
            value=value,
            unit=reg.unit,
            source_timestamp=ts,
            server_timestamp=ts,
            quality=quality,
            status=status,
            source=SOURCE,
        )

    async def _read_registers(self, registers: list[ModbusRegister]) -> dict[str, Reading]:
        blocks = plan_blocks(registers, self.settings.device_id, self.settings.max_block_registers)

        async def once() -> list[Reading]:
            async with self._io_lock:
                await self._ensure_connected()
                readings: list[Reading] = []
                for block in blocks:
                    readings += await self._read_block(block, utcnow())
                return readings

        readings = await guarded_call(
            self.breaker, once, retry=self.settings.retry, description=f"read {len(registers)} registers"
        )
        self._cache.update_many(readings)
        return {r.name: r for r in readings}

    def _lookup(self, names: Iterable[str]) -> list[ModbusRegister]:
        wanted = require_configured(
            names, self._registers, what="Modbus registers", service=self.service, endpoint=self.endpoint
        )
        return [self._registers[n] for n in wanted]

    async def poll_once(self) -> dict[str, Reading]:
        """Read the whole register map once into the cache."""
        readings = await self._read_registers(list(self._registers.values()))
        self._last_poll_ok = time.monotonic()
        return readings

    async def _poll_loop(self) -> None:
        while True:
            try:
                await self.poll_once()
                self.last_error = None
            except ConnectorError as exc:
                self.last_error = str(exc)
                log.warning("modbus %s poll failed: %s", self.service, exc)
            await asyncio.sleep(self.settings.poll_interval_s)

    def _cache_is_current(self) -> bool:
        return (
            self._poll_task is not None
            and self._last_poll_ok is not None
            and time.monotonic() - self._last_poll_ok <= 2 * self.settings.poll_interval_s
        )

    async def read(self, names: Iterable[str] | None = None) -> dict[str, Reading]:
        """Values by canonical name: from the poll cache while polling is current, else read now.

        Parameters
        ----------
        names : iterable of str, optional
            Canonical names; default the whole register map.

        Returns
        -------
        dict of str to Reading
            Bad-quality readings are included (check with ``check_fresh``).
        """
        registers = self._lookup(names if names is not None else self._registers)
        if self._cache_is_current():
            cached = {r.name: self._cache.get(r.name) for r in registers}
            if all(v is not None for v in cached.values()):
                return cached  # type: ignore[return-value]
        return await self._read_registers(registers)

    # ---- status ------------------------------------------------------------------------

    def stale_limits(self) -> dict[str, float]:
        """Staleness limit per register name [s]."""
        return {n: r.stale_after_s or self.settings.stale_after_s for n, r in self._registers.items()}

    def status(self) -> dict[str, Any]:
        """Connected, last update, breaker state, polling and age of each cached value."""
        return {
            "service": self.service,
            "kind": self.kind,
            "endpoint": self.endpoint,
            "connected": self._client.connected,
            "polling": self._poll_task is not None and not self._poll_task.done(),
            "last_update": self._cache.last_update.isoformat() if self._cache.last_update else None,
            "last_error": self.last_error,
            "breaker": self.breaker.snapshot(),
            "tags": self._cache.ages(),
        }
