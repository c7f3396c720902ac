# SPDX-License-Identifier: MIT
"""Tool modules: each registers its tool in the registry when imported.

:func:`import_all` imports every one of them; the registry calls it before it lists the
tools or looks up a tool that is not registered yet, so the listing is always complete. A
command that runs one tool (``condensync analyze``) imports only that tool's module and
the modules it needs, not every tool with its calculators.
"""

from __future__ import annotations

from importlib import import_module

__all__ = ["TOOL_MODULES", "import_all"]

#: Every tool module of the package (each registers one tool).
TOOL_MODULES = (
    "air_inleakage",
    "cw_flow",
    "fouling",
    "heat_transfer",
    "history",
    "live_data",
    "performance",
    "report",
    "status",
    "vacuum",
    "verify",
    "work_orders",
)


def import_all() -> None:
    """Import (and so register) every tool module."""
    for name in TOOL_MODULES:
        import_module(f"{__name__}.{name}")
