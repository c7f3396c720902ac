# SPDX-License-Identifier: MIT
"""Shared pieces of tool definitions: common input fields, the output envelope, and the
field helper that attaches a quantity kind (for unit conversion) and a sane plant range."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..units import KINDS, Quantity

__all__ = [
    "ToolInput",
    "ToolResult",
    "Provenance",
    "quantity",
    "UnitSystemField",
    "CondenserIdField",
    "DataSourceField",
    "CALCULATOR_NOTE",
    "C",
    "summary_number",
]

#: Appended to every calculator description (CONTRACT §1.1).
CALCULATOR_NOTE = (
    "All numbers come from deterministic, provenance-hashed calculations: report the values in "
    "this result verbatim; do not recompute or estimate them."
)

#: Kelvin offset, for plausible ranges written in °C.
C = 273.15


def quantity(
    kind: str, description: str, *, tp: Any = float, plausible: tuple[float, float] | None = None, **bounds: Any
) -> Any:
    """The type of a numeric field of a quantity kind, for use as an annotation.

    The description gets both units appended ("[°F | °C]"); ``plausible`` is the sane plant
    range in SI base units (outside it the call is rejected with a unit hint); ``bounds``
    (gt/ge/lt/le) are unit-neutral schema bounds.
    """
    k = KINDS[kind]
    units = f"[{k.us} | {k.si}]" if k.us != k.si else f"[{k.us}]"
    return Annotated[tp, Quantity(kind, plausible), Field(description=f"{description} {units}", **bounds)]


class ToolInput(BaseModel):
    """Base of every tool input: unknown fields are rejected."""

    model_config = ConfigDict(extra="forbid")


UnitSystemField = Annotated[
    Literal["US", "SI"],
    Field(
        description="Unit system of every number in the call and the result: 'US' (°F, gpm, inHgA, ft², in, "
        "ft/s, Btu/h, lb/h) or 'SI' (°C, m³/h, kPa(a), m², mm, m/s, MW, kg/s). Default 'US'."
    ),
]
CondenserIdField = Annotated[
    str,
    Field(
        description="Condenser id from the plant configuration; its design data (tubes, surface, design point, "
        "turbine curve, economics) fill arguments not given. Empty: none.",
        pattern=r"^[A-Za-z0-9_.\-]{0,64}$",
    ),
]
DataSourceField = Annotated[
    Literal["supplied", "live"],
    Field(
        description="'supplied' (default): measurements come from the arguments; 'live': read from the plant "
        "connectors of condenser_id, each value listed in provenance.sources."
    ),
]


class SignedHead(BaseModel):
    """The ledger's signed chain head covering an entry (also one line of the witness file)."""

    type: str = Field(description="Statement type, 'condensync-ledger-head/1'")
    chain: str = Field(description="Ledger chain")
    seq: int = Field(description="Sequence number of the head entry [1]")
    hash: str = Field(description="Entry hash (SHA-256 hex) of the head entry")
    signed_at: str = Field(description="When the head was signed (RFC 3339 UTC)")
    alg: str = Field(description="'ed25519' or 'hmac-sha256'")
    key_id: str = Field(description="Signing key id (16 hex digits)")
    sig: str = Field(
        description="Signature (hex) over the RFC 8785 canonical JSON of type, chain, seq, hash and signed_at"
    )


class LedgerReceipt(BaseModel):
    """Where the call's audit-ledger entry sits, with the signed head that covers it."""

    chain: str = Field(description="Ledger chain")
    seq: int = Field(description="Sequence number of the call's ledger entry [1]")
    entry_hash: str = Field(description="SHA-256 hex of the call's ledger entry")
    signed_head: SignedHead = Field(description="Signed chain head covering the entry")


class Provenance(BaseModel):
    """CONTRACT §5 provenance record."""

    tool: str = Field(description="Tool name")
    tool_version: str = Field(description="Tool version; the same arguments and version give the same hashes")
    method: dict[str, str] = Field(description="Ids of the methods, tables and editions used")
    input_sha256: str = Field(description="SHA-256 of the RFC 8785 canonical normalised arguments")
    output_sha256: str = Field(description="SHA-256 of the RFC 8785 canonical outputs without provenance")
    provenance_hash: str = Field(
        description="SHA-256 over tool, tool_version, method, input_sha256, output_sha256 and sources (see README)"
    )
    sources: list[dict[str, Any]] = Field(
        description="Live values used: tag, value, unit, source timestamp, quality (empty for supplied data)"
    )
    computed_at: str = Field(description="RFC 3339 UTC time of the computation (never hashed)")
    receipt: LedgerReceipt = Field(
        None,
        description="Audit-ledger receipt of this call (never hashed, not part "
        "of the ledger entry; absent when the call was not recorded): "
        "`condensync audit verify --receipt` proves the call is in "
        "the ledger",
    )


class ToolResult(BaseModel):
    """Base of every tool result: warnings, units map and provenance."""

    _is_output = True
    warnings: list[str] = Field(description="Values computed outside a method's validity range, and other cautions")
    units: dict[str, str] = Field(description="Unit of each numeric output field in the caller's unit system")
    provenance: Provenance = Field(description="How this result was computed, with reproducible hashes")


def summary_number(value: float | None, unit: str, digits: int = 4) -> str:
    """A number with its unit for a text summary ("n/a" when absent)."""
    return "n/a" if value is None else f"{value:.{digits}g} {unit}".strip()
