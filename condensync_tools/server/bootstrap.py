# SPDX-License-Identifier: MIT
"""The first API token of a service that has none yet (a fresh container with auth on).

``CONDENSYNC_BOOTSTRAP_TOKEN_FILE`` names a file (e.g. a mounted Kubernetes Secret) holding one
token, ``cst_`` + 43 URL-safe characters, made by the operator::

    python -c "import secrets; print('cst_' + secrets.token_urlsafe(32))" > bootstrap-token

At start the service stores the token's SHA-256 hash with role
``CONDENSYNC_BOOTSTRAP_TOKEN_ROLE`` (default ``admin``), label ``bootstrap``, unless a token with
that hash exists already (so restarts and replicas add it once, and a revoked bootstrap token
stays revoked). The token itself is never logged or stored. Use it to create the real tokens
(``condensync token create`` against the same database), then revoke it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from .. import settings as environment
from .logging_setup import log_event

__all__ = ["FILE_ENV", "ROLE_ENV", "adopt_bootstrap_token"]

FILE_ENV = environment.BOOTSTRAP_TOKEN_FILE.name
ROLE_ENV = environment.BOOTSTRAP_TOKEN_ROLE.name
log = logging.getLogger("condensync.bootstrap")


def adopt_bootstrap_token(token_store: Any, env: dict[str, str] | None = None) -> str | None:
    """Store the bootstrap token's hash if one is configured; returns the token id when it was
    added now. A missing file is logged and skipped (an optional Secret not created); an
    unreadable file, a malformed token or an unknown role raise ValueError (a configuration
    error: the service does not start)."""
    name = environment.BOOTSTRAP_TOKEN_FILE.raw(env)
    if not name:
        return None
    path = Path(name)
    if not path.exists():  # e.g. an optional Kubernetes Secret that was not created
        log_event(log, "bootstrap_token_absent", logging.WARNING, token_file=name)
        return None
    try:
        token = path.read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{FILE_ENV}={name}: cannot read the bootstrap token ({type(exc).__name__})") from None
    role = environment.BOOTSTRAP_TOKEN_ROLE.text(env)
    try:
        info, added = token_store.adopt(token, role, "bootstrap")
    except ValueError as exc:
        raise ValueError(f"{FILE_ENV}={name}: {exc}") from None
    if added:
        log_event(
            log,
            "bootstrap_token_added",
            logging.WARNING,
            token_id=info.id,
            role=role,
            detail="create the real tokens with `condensync token create`, then revoke this one",
        )
        return info.id
    log_event(log, "bootstrap_token_present", token_file=name)
    return None
