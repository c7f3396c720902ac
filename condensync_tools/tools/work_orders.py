# SPDX-License-Identifier: MIT
"""Tool ``create_work_order``: file a maintenance work order (IBM Maximo) or notification (SAP PM)
for a condenser finding — previewed by default, filed at most once per idempotency key.

Guard rails (CONTRACT §6):

- ``dry_run`` defaults to **true**: the result is the exact request that would be sent (method,
  URL, headers with secrets masked, JSON body) and nothing is sent.
- Filing (``dry_run: false``) is refused unless the condenser's ``[cmms]`` table has
  ``enabled = true`` (:class:`~condensync_tools.errors.PermissionDenied` naming that key).
- Every request carries an ``idempotency_key`` (default: derived from condenser id, title and
  asset with :func:`connectors.idempotency_key_for`), written into the work order; a repeated
  call with the same key returns the first work order instead of filing another one. The
  create request is never retried blindly (see :mod:`connectors.cmms`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ..errors import PermissionDenied, ToolUnavailable
from ..redaction import redact_text, redact_url
from ..registry import ToolCall, ToolDefinition, ToolOutput, register
from .common import ToolInput, ToolResult, UnitSystemField
from .live_data import RequiredCondenserId

__all__ = ["CreateWorkOrderInput", "CreateWorkOrderOutput", "TOOL", "default_key"]


class CreateWorkOrderInput(ToolInput):
    unit_system: UnitSystemField = "US"
    condenser_id: RequiredCondenserId
    title: str = Field(
        min_length=1,
        max_length=100,
        description="Short text of the work order (Maximo "
        "description ≤ 100 characters; SAP NotificationText is cut to 40) [1]",
    )
    description: str = Field(
        min_length=1,
        max_length=4000,
        description="Long text: the finding, its numbers "
        "(quote tool results verbatim with their provenance_hash) and the recommended "
        "action [1]",
    )
    asset: str = Field(
        "",
        max_length=40,
        description="Maximo assetnum / SAP equipment; empty: none (the plant configuration may set a default) [1]",
    )
    location: str = Field(
        "",
        max_length=40,
        description="Maximo location / SAP functional location, used when no asset is given; empty: none [1]",
    )
    priority: int = Field(3, ge=1, le=5, description="Priority 1 (highest) to 5; default 3 [1]")
    work_type: str = Field(
        "CM",
        max_length=10,
        pattern=r"^[A-Za-z0-9_-]*$",
        description="Maximo worktype "
        "(e.g. CM corrective, PM preventive); SAP uses the configured notification type [1]",
    )
    dry_run: bool = Field(
        True,
        description="true (default): return the exact request that would be sent and "
        "send nothing; false: file it (needs cmms.enabled = true for the condenser) [1]",
    )
    idempotency_key: str = Field(
        "",
        pattern=r"^$|^[A-Za-z0-9][A-Za-z0-9_.:-]{3,39}$",
        description=(
            "Key that makes the call safe to repeat: a second call with the same key returns the first work "
            "order instead of filing another. Empty (default): derived from condenser_id, title and asset [1]"
        ),
    )


class RequestPreviewItem(BaseModel):
    method: str = Field(description="HTTP method")
    url: str = Field(description="Full request URL")
    headers: dict[str, str] = Field(description="Request headers; secrets masked as ***")
    body: dict[str, Any] = Field(description="JSON body")


class CreateWorkOrderOutput(ToolResult):
    condenser_id: str = Field(description="Condenser the work order is for")
    system: str = Field(description="CMMS: maximo or sap_pm")
    dry_run: bool = Field(description="True: nothing was sent; request shows what would be")
    enabled: bool = Field(description="Whether filing is enabled for this condenser (cmms.enabled)")
    created: bool = Field(description="This call filed the work order")
    status: str = Field(description="preview, created, or duplicate (local record / found in CMMS)")
    idempotency_key: str = Field(description="The key written into the work order")
    request: RequestPreviewItem = Field(description="The create request (as sent, or as it would be sent)")
    work_order_id: str = Field("", description="Maximo wonum / SAP notification number, when known")
    duplicate_of: str = Field("", description="Existing work order with the same key, when not filed by this call")
    record_url: str = Field("", description="URL of the created record (Location header), when known")


def default_key(condenser_id: str, title: str, asset: str) -> str:
    """The idempotency key used when none is given: ``idempotency_key_for(condenser_id, title, asset)``."""
    from connectors import idempotency_key_for

    return idempotency_key_for(condenser_id, title, asset)


def _settings(call: ToolCall, cid: str) -> tuple[Any, str]:
    design = call.context.design
    if design is None or not hasattr(design, "condenser"):
        raise ToolUnavailable(
            [
                "$.condenser_id: a plant configuration with a [condensers.<id>.cmms] table, got "
                "none (start the server with --config)"
            ],
            call.tool.name,
        )
    cond = design.condenser(cid)
    path = getattr(design, "path", "the plant configuration")
    settings = cond.connectors.get("cmms")
    if settings is None:
        raise ToolUnavailable(
            [
                f"$.condenser_id: a [condensers.{cid}.cmms] table (Maximo or SAP PM) in {path}, "
                "got none: work orders are not configured for this condenser"
            ],
            call.tool.name,
        )
    return settings, path


def _run(call: ToolCall, cid: str, settings: Any, request: Any, dry_run: bool) -> Any:
    """The request through the context's connector manager (the WorkOrderService): the tool
    never builds a CMMS client or an event loop of its own."""
    service = call.context.live
    if service is None or not hasattr(service, "create_work_order"):
        raise ToolUnavailable(
            [
                f"$.condenser_id: a connection to the CMMS of condenser {cid} (the connector manager "
                "that `condensync serve`/`call --config` builds from the plant configuration), got "
                "none in this execution context"
            ],
            call.tool.name,
        )
    timeout = 2.0 * settings.breaker.call_timeout_s + 10.0
    return service.create_work_order(cid, request, dry_run=dry_run, timeout=timeout)


def handle(call: ToolCall) -> ToolOutput:
    from connectors import ConnectorError, RequestRejectedError, WorkOrderRequest

    a = call.args
    cid = a["condenser_id"]
    settings, path = _settings(call, cid)
    dry_run = bool(a["dry_run"])
    if not dry_run and not settings.enabled:
        raise PermissionDenied(
            [
                f"$.dry_run: filing work orders is disabled for condenser {cid} "
                f"(condensers.{cid}.cmms.enabled = false in {path}), got false; preview with "
                f"dry_run true, or have the CMMS owner set condensers.{cid}.cmms.enabled = true"
            ],
            call.tool.name,
        )
    key = a["idempotency_key"] or default_key(cid, a["title"], a["asset"])
    request = WorkOrderRequest(
        title=a["title"],
        description=a["description"],
        asset=a["asset"] or None,
        location=a["location"] or None,
        priority=a["priority"],
        work_type=a["work_type"] or None,
        idempotency_key=key,
    )
    where = redact_url(str(settings.base_url))
    try:
        result = _run(call, cid, settings, request, dry_run)
    except RequestRejectedError as exc:
        cls = PermissionDenied if exc.status_code in (401, 403) or "disabled" in exc.message else ToolUnavailable
        raise cls(
            [
                f"$.dry_run: the CMMS ({settings.kind}, {where}) to accept the work order, got a "
                f"refusal: {redact_text(exc.message)} (nothing was filed)"
            ],
            call.tool.name,
        ) from None
    except ConnectorError as exc:
        raise ToolUnavailable(
            [f"$.dry_run: the CMMS ({settings.kind}, {where}) to answer, got: {redact_text(exc.message)}"],
            call.tool.name,
        ) from None
    except TimeoutError:
        raise ToolUnavailable(
            [
                f"$.dry_run: an answer from the CMMS ({where}) in time, got none; call "
                f"again with idempotency_key {key}: it is looked up before any new create"
            ],
            call.tool.name,
        ) from None
    preview = result.request
    values = {
        "condenser_id": cid,
        "system": result.system,
        "dry_run": result.dry_run,
        "enabled": settings.enabled,
        "created": result.created,
        "status": result.status,
        "idempotency_key": result.idempotency_key,
        "request": {
            "method": preview.method,
            "url": redact_url(preview.url),
            "headers": dict(preview.headers),
            "body": dict(preview.body or {}),
        },
        "work_order_id": result.work_order_id or "",
        "duplicate_of": result.duplicate_of or "",
        "record_url": result.location or "",
    }
    warnings = []
    if result.dry_run and not settings.enabled:
        warnings.append(f"preview only: filing is disabled (condensers.{cid}.cmms.enabled = false in {path})")
    if result.duplicate_of:
        warnings.append(f"a work order with key {key} already exists ({result.duplicate_of}); nothing new was filed")
    if result.dry_run:
        summary = f"Preview (nothing sent): {preview.method} {redact_url(preview.url)} with key {key}"
    elif result.created:
        summary = f"Work order {result.work_order_id} filed in {result.system} (key {key})"
    else:
        summary = f"Not filed again: key {key} already filed as {result.duplicate_of} ({result.status})"
    return ToolOutput(
        values=values,
        method={"cmms": f"{settings.kind} create with idempotency key; never retried blindly"},
        warnings=warnings,
        summary=summary,
    )


TOOL = register(
    ToolDefinition(
        name="create_work_order",
        title="File a condenser work order in the CMMS (Maximo / SAP PM) — preview by default",
        description=(
            "Creates a maintenance work order (IBM Maximo) or notification (SAP PM) for a condenser finding. "
            "dry_run defaults to true and returns the exact request without sending anything; filing needs "
            "dry_run false AND cmms.enabled = true for the condenser in the plant configuration. Each call has an "
            "idempotency_key (derived from condenser_id, title and asset unless given): repeating a call never "
            "files a second work order. Quote tool results verbatim in the description; ask the user before "
            "filing."
        ),
        version="1.0.0",
        input_model=CreateWorkOrderInput,
        output_model=CreateWorkOrderOutput,
        handler=handle,
        category="work_order",
        read_only=False,
        destructive=True,
        idempotent=True,
        open_world=True,
        record_history=False,
    )
)
