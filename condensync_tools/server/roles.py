# SPDX-License-Identifier: MIT
"""Who may call what: roles → tool categories, as data.

Every tool declares a ``category`` (:class:`condensync_tools.registry.ToolDefinition`):
``calculator``, ``live_read``, ``work_order``, ``ledger`` or ``admin``. :data:`POLICY` lists
the categories each role may call. ``tools/list`` shows every tool to every role (the
annotations say what each does); ``tools/call`` enforces the policy. A denied call is an
``isError`` tool result (HTTP 200, JSON-RPC result) naming the role(s) needed, and it is
recorded in the audit ledger like any other failed call.

A category missing from the policy (a new kind of tool) is callable by ``admin`` only: the
policy fails closed.
"""

from __future__ import annotations

from typing import Any

from ..errors import PermissionDenied
from ..store.tokens import ROLES

__all__ = ["ROLES", "POLICY", "CATEGORIES", "allowed", "roles_for", "denial", "highest_role", "rank"]

#: Tool categories the registry knows.
CATEGORIES: tuple[str, ...] = ("calculator", "live_read", "work_order", "admin", "ledger")

#: role → categories it may call. Viewers and operators compute and read live data;
#: engineers also create CMMS work orders and change stored configuration ("admin" category
#: tools); only admins verify or export the audit ledger.
POLICY: dict[str, frozenset[str]] = {
    "viewer": frozenset({"calculator", "live_read"}),
    "operator": frozenset({"calculator", "live_read"}),
    "engineer": frozenset({"calculator", "live_read", "work_order", "admin"}),
    "admin": frozenset({"calculator", "live_read", "work_order", "admin", "ledger"}),
}

#: Roles that may call any category, including ones not in the policy yet.
SUPERUSER_ROLES: frozenset[str] = frozenset({"admin"})

assert set(POLICY) == set(ROLES), "every role needs a policy entry"


def rank(role: str) -> int:
    """Privilege order (viewer 0 … admin 3); unknown roles -1."""
    return ROLES.index(role) if role in ROLES else -1


def highest_role(candidates: Any) -> str | None:
    """The most privileged known role among ``candidates`` (an iterable of names), or None."""
    known = [r for r in candidates if isinstance(r, str) and r in ROLES]
    return max(known, key=rank) if known else None


def allowed(role: str | None, category: str) -> bool:
    """Whether ``role`` may call tools of ``category``."""
    if role is None or role not in POLICY:
        return False
    if category in POLICY[role]:
        return True
    return role in SUPERUSER_ROLES and category not in CATEGORIES


def roles_for(category: str) -> list[str]:
    """Roles allowed to call ``category``, least privileged first."""
    return [r for r in ROLES if allowed(r, category)]


def denial(tool: str, category: str, role: str | None) -> PermissionDenied | None:
    """None when allowed; otherwise the error to return and record (names the role needed)."""
    if allowed(role, category):
        return None
    needed = roles_for(category)
    need = " or ".join(needed) if needed else "admin"
    got = f"role {role!r}" if role else "no role"
    return PermissionDenied([f"$.name: role {need} needed to call {tool} ({category} tool), got {got}"], tool)
