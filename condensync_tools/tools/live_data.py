# SPDX-License-Identifier: MIT
"""Tool ``read_live_data``: the current values of a condenser's plant tags, each with its tag,
unit, source timestamp, age and quality, converted to the caller's unit system.

Unlike live mode of the calculators (which refuses a stale or bad value), this tool REPORTS
stale and bad values with their flags, so an engineer can see what the plant is sending. A
connector that cannot be reached is listed in ``connector_errors``; only when nothing at all
could be read is the call an error.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from ..errors import InvalidArguments, LiveDataError, ToolUnavailable
from ..registry import ToolCall, ToolDefinition, ToolOutput, register
from ..units import display_kind, from_si, unit_label
from .common import ToolInput, ToolResult, UnitSystemField

__all__ = ["ReadLiveDataInput", "ReadLiveDataOutput", "TOOL", "live_manager", "RequiredCondenserId"]

RequiredCondenserId = Annotated[
    str,
    Field(
        description="Condenser id from the plant configuration (its [condensers.<id>] table) [1]",
        pattern=r"^[A-Za-z0-9_.\-]{1,64}$",
    ),
]
MeasurementName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


def live_manager(call: ToolCall, what: str) -> Any:
    """The connector manager of the call's context, or :class:`ToolUnavailable`."""
    live = call.context.live
    if live is None or not hasattr(live, "snapshot"):
        raise ToolUnavailable(
            [
                f"$.condenser_id: {what} needs the plant connectors (a plant configuration with "
                "[condensers.<id>.opcua], .modbus, .historian or .weather tables, loaded by "
                "`condensync serve --config`), got none"
            ],
            call.tool.name,
        )
    return live


class ReadLiveDataInput(ToolInput):
    unit_system: UnitSystemField = "US"
    condenser_id: RequiredCondenserId
    names: list[MeasurementName] = Field(
        default_factory=list,
        max_length=200,
        description=(
            "Measurement names to read (tool argument names such as cw_inlet_temp, condenser_pressure); empty: "
            "every tag configured for the condenser [1]"
        ),
    )


class LiveValueItem(BaseModel):
    name: str = Field(description="Measurement name (the tool argument it feeds)")
    value: float = Field(
        None, description="Value in the caller's unit system (see unit); absent when the reading has bad quality"
    )
    unit: str = Field(
        description="Unit of value in the caller's unit system (the tag's own unit when the "
        "quantity has no unit-system form, e.g. rpm)"
    )
    raw_value: float = Field(None, description="Value as the source delivered it, in raw_unit; absent when bad")
    raw_unit: str = Field(description="Engineering unit of the tag as configured / delivered")
    tag: str = Field(description="Source address: OPC UA node id, Modbus '<unit id>:<4xxxx>', PI WebId or JSON path")
    service: str = Field(description="Connector service name (also its circuit breaker's name)")
    connector: str = Field(description="Connector kind: opcua, modbus, historian or weather")
    source_timestamp: str = Field(description="When the source says the value was valid (RFC 3339, UTC)")
    age_s: float = Field(description="Age of the source timestamp when read [s]")
    max_age_s: float = Field(description="Staleness limit configured for the tag [s]")
    quality: str = Field(description="good, uncertain or bad")
    status: str = Field(description="The source's own status, e.g. Good, BadSensorFailure")
    stale: bool = Field(description="Older than max_age_s: a calculator in live mode would refuse it")
    bad: bool = Field(description="Bad quality (or unit not convertible): a calculator would refuse it")
    implausible: bool = Field(
        description="Outside the sane plant range of the quantity (e.g. a float32-max "
        "register): a calculator would refuse it"
    )
    usable: bool = Field(description="Neither stale, bad nor implausible: a calculator in live mode would use it")
    problem: str = Field("", description="Why the value would be refused, naming the tag; empty when usable")


class ConnectorErrorItem(BaseModel):
    service: str = Field(description="Connector service name")
    connector: str = Field(description="Connector kind")
    endpoint: str = Field(description="Endpoint URL or host:port")
    names: list[str] = Field(description="Measurements that could not be read")
    error: str = Field(description="The connector's explanation (unreachable, timed out, breaker open ...)")


class ReadLiveDataOutput(ToolResult):
    condenser_id: str = Field(description="Condenser read")
    taken_at: str = Field(description="When the values were judged (RFC 3339, UTC)")
    values: list[LiveValueItem] = Field(description="One entry per measurement read, sorted by name")
    value_count: int = Field(description="Number of values read [1]")
    stale_count: int = Field(description="Values older than their limit [1]")
    bad_count: int = Field(description="Values of bad quality [1]")
    implausible_count: int = Field(description="Values outside the sane plant range of their quantity [1]")
    all_usable: bool = Field(description="Every requested value was read and is usable")
    connector_errors: list[ConnectorErrorItem] = Field(description="Connectors that could not be read")


def _item(v: Any, system: str, kinds: dict[str, str]) -> dict[str, Any]:
    r = v.reading
    kind = display_kind(v.name, r.unit, kinds)
    item: dict[str, Any] = {
        "name": v.name,
        "raw_unit": r.unit,
        "tag": r.tag,
        "service": v.service,
        "connector": v.connector,
        "source_timestamp": r.source_timestamp.isoformat(),
        "age_s": round(v.age_s, 3),
        "max_age_s": v.max_age_s,
        "quality": r.quality.value,
        "status": r.status,
        "stale": v.stale,
        "bad": v.bad,
        "implausible": v.implausible,
        "usable": v.usable,
        "problem": v.problem or "",
    }
    if v.value_si is not None and kind is not None:
        item["value"] = from_si(kind, v.value_si, system)
        item["unit"] = unit_label(kind, system)
    else:
        item["unit"] = r.unit
        if v.value_si is not None:
            item["value"] = r.value
    if r.value == r.value:  # not NaN: bad readings usually carry no number
        item["raw_value"] = r.value
    return item


def handle(call: ToolCall) -> ToolOutput:
    manager = live_manager(call, "reading live data")
    cid = call.args["condenser_id"]
    names = list(dict.fromkeys(call.args.get("names") or []))
    configured = manager.configured_names(cid)
    if not configured:
        raise ToolUnavailable(
            [
                f"$.condenser_id: condenser {cid!r} with at least one reading connector "
                f"([condensers.{cid}.opcua], .modbus, .historian or .weather), got none"
            ],
            call.tool.name,
        )
    unknown = [n for n in names if n not in configured]
    if unknown:
        raise InvalidArguments(
            [
                f"$.names[{names.index(n)}]: a measurement configured for {cid} "
                f"({', '.join(sorted(configured))}), got {n!r}"
                for n in unknown
            ],
            call.tool.name,
        )
    snap = manager.snapshot(cid, names or None)
    if not snap.values and snap.errors:
        raise LiveDataError(
            [
                f"$.condenser_id: live values of {', '.join(e['names'])} from {e['service']} "
                f"({e['connector']}, {e['endpoint']}), got an error: {e['error']}"
                for e in snap.errors
            ],
            call.tool.name,
        )
    kinds = manager.kinds
    items = [_item(snap.values[n], call.unit_system, kinds) for n in sorted(snap.values)]
    call.sources.extend(snap.values[n].source() for n in sorted(snap.values))
    stale = sum(1 for v in snap.values.values() if v.stale)
    bad = sum(1 for v in snap.values.values() if v.bad)
    implausible = sum(1 for v in snap.values.values() if v.implausible)
    warnings = [v.problem for v in snap.values.values() if v.problem]
    warnings += [
        f"{e['service']} ({e['connector']}, {e['endpoint']}) could not be read for "
        f"{', '.join(e['names'])}: {e['error']}"
        for e in snap.errors
    ]
    errors = [{k: e[k] for k in ("service", "connector", "endpoint", "names", "error")} for e in snap.errors]
    shown = ", ".join(f"{i['name']} {i['value']:.4g} {i['unit']}" for i in items[:6] if "value" in i)
    summary = (
        f"{cid}: {len(items)} live value(s), {stale} stale, {bad} bad"
        + (f", {implausible} implausible" if implausible else "")
        + (f", {len(errors)} connector(s) unreachable" if errors else "")
        + (f"; {shown}" if shown else "")
        + (" …" if len(items) > 6 else "")
    )
    values = {
        "condenser_id": cid,
        "taken_at": snap.taken_at.isoformat(),
        "values": items,
        "value_count": len(items),
        "stale_count": stale,
        "bad_count": bad,
        "implausible_count": implausible,
        "all_usable": not warnings and not errors,
        "connector_errors": errors,
    }
    return ToolOutput(
        values=values,
        method={
            "live_read": "connector snapshot; per-tag staleness limit, quality "
            "and plant plausibility reported, not enforced; unit string → SI "
            "→ caller"
        },
        warnings=warnings,
        summary=summary,
    )


TOOL = register(
    ToolDefinition(
        name="read_live_data",
        title="Read a condenser's live plant values (tags, timestamps, quality)",
        description=(
            "Reads the current values of a condenser's configured plant tags (OPC UA, Modbus TCP, PI historian, "
            "weather) and returns each in the caller's unit system with its tag, source timestamp, age, staleness "
            "limit and quality. Stale, bad or implausible values (outside any sane plant range, e.g. a float32-max "
            "register) are REPORTED with flags (stale, bad, implausible, usable, problem), not hidden; unreachable "
            "connectors are listed in connector_errors. Use it to check what the plant is "
            "sending before a live calculation. Values come from the plant: report them verbatim."
        ),
        version="1.1.0",
        input_model=ReadLiveDataInput,
        output_model=ReadLiveDataOutput,
        handler=handle,
        category="live_read",
        read_only=True,
        destructive=False,
        idempotent=True,
        open_world=True,
        record_history=False,
    )
)
