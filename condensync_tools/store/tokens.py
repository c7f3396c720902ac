# SPDX-License-Identifier: MIT
"""API tokens for the HTTP service: create, look up, list, revoke.

A token is ``cst_`` followed by 43 URL-safe characters (32 random bytes from
:mod:`secrets`, 256 bits). Only its SHA-256 hex digest is stored (``api_tokens.token_hash``,
unique): a stolen database does not yield usable tokens, and because the tokens are
high-entropy random strings (not passwords) an unsalted fast hash is the standard,
sufficient scheme — there is nothing to brute-force. The plain token is returned once, by
:meth:`TokenStore.create`, and never stored or logged.

Table ``api_tokens`` (migration ``0002``): ``id`` (``tok_`` + 12 hex, public, used to list
and revoke), ``token_hash``, ``role`` (``viewer``, ``operator``, ``engineer``, ``admin``),
``label``, ``created_at``, ``revoked_at``, ``last_used_at`` (updated at most once a minute
per token, on look-up).

This module knows nothing of the server (it imports nothing outside the store); the server
maps roles to tool categories in ``condensync_tools/server/roles.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, String, Text, UniqueConstraint, select, update
from sqlalchemy.engine import URL
from sqlalchemy.orm import Mapped, mapped_column

from .engine import make_engine
from .models import Base, UTCDateTime

__all__ = [
    "ROLES",
    "TOKEN_PREFIX",
    "ApiTokenRow",
    "TokenInfo",
    "TokenStore",
    "generate_token",
    "hash_token",
    "looks_like_api_token",
]

#: Valid roles, least to most privileged.
ROLES: tuple[str, ...] = ("viewer", "operator", "engineer", "admin")
TOKEN_PREFIX = "cst_"
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
#: last_used_at is written at most this often per token (look-ups are cached by the server too).
LAST_USED_RESOLUTION = timedelta(seconds=60)


class ApiTokenRow(Base):
    """One API token (its hash only)."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("token_hash"),)


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown about a token (never the token itself)."""

    id: str
    role: str
    label: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def to_dict(self) -> dict[str, Any]:
        def iso(t: datetime | None) -> str | None:
            return t.isoformat() if t else None

        return {
            "id": self.id,
            "role": self.role,
            "label": self.label,
            "created_at": iso(self.created_at),
            "revoked_at": iso(self.revoked_at),
            "last_used_at": iso(self.last_used_at),
            "active": self.active,
        }


def generate_token() -> str:
    """A new random token: ``cst_`` + 43 URL-safe characters (256 bits)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """SHA-256 hex digest of the token's UTF-8 bytes (what is stored and looked up)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_api_token(token: str) -> bool:
    """Cheap shape check (prefix, length, alphabet) before touching the database."""
    body = token[len(TOKEN_PREFIX) :]
    return token.startswith(TOKEN_PREFIX) and 32 <= len(body) <= 128 and set(body) <= _TOKEN_CHARS


def _info(row: ApiTokenRow) -> TokenInfo:
    return TokenInfo(row.id, row.role, row.label, row.created_at, row.revoked_at, row.last_used_at)


class TokenStore:
    """API tokens in the store's database.

    Parameters
    ----------
    engine : Engine, str, URL or None
        An engine (e.g. ``Store(...).engine``, shared with the ledger) or a URL; the schema
        must be migrated to ``0002`` or later (``Store(url, auto_upgrade=True)`` or
        ``condensync db upgrade``).
    """

    def __init__(self, engine: Engine | str | URL | None = None) -> None:
        self._owned = not isinstance(engine, Engine)
        self.engine: Engine = engine if isinstance(engine, Engine) else make_engine(engine)

    def close(self) -> None:
        if self._owned:
            self.engine.dispose()

    def create(self, role: str, label: str = "", *, now: datetime | None = None) -> tuple[TokenInfo, str]:
        """Create a token; returns its info and the plain token (shown once, never stored)."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        if len(label) > 200:
            raise ValueError("label must be at most 200 characters")
        token = generate_token()
        row = ApiTokenRow(
            id="tok_" + secrets.token_hex(6),
            token_hash=hash_token(token),
            role=role,
            label=label,
            created_at=now or datetime.now(UTC),
            revoked_at=None,
            last_used_at=None,
        )
        with self.engine.begin() as conn:
            conn.execute(
                ApiTokenRow.__table__.insert().values(
                    id=row.id,
                    token_hash=row.token_hash,
                    role=row.role,
                    label=row.label,
                    created_at=row.created_at,
                    revoked_at=None,
                    last_used_at=None,
                )
            )
        return _info(row), token

    def adopt(self, token: str, role: str, label: str = "") -> tuple[TokenInfo | None, bool]:
        """Store the hash of a token chosen outside (a bootstrap token), once: returns its info
        and True when it was added now; (None, False) when a token with this hash exists
        already, active or revoked (a revoked bootstrap token stays revoked across restarts;
        a concurrent replica adding it at the same moment counts as existing)."""
        from sqlalchemy.exc import IntegrityError

        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        if not looks_like_api_token(token):
            raise ValueError(f"a token is {TOKEN_PREFIX!r} followed by 32-128 URL-safe characters")
        table = ApiTokenRow.__table__
        digest = hash_token(token)
        row = dict(
            id="tok_" + secrets.token_hex(6),
            token_hash=digest,
            role=role,
            label=label,
            created_at=datetime.now(UTC),
            revoked_at=None,
            last_used_at=None,
        )
        with self.engine.begin() as conn:
            if conn.execute(select(table.c.id).where(table.c.token_hash == digest)).first() is not None:
                return None, False
            try:
                conn.execute(table.insert().values(**row))
            except IntegrityError:
                return None, False
        return TokenInfo(row["id"], role, label, row["created_at"], None, None), True

    def lookup(self, token: str, *, touch: bool = True) -> TokenInfo | None:
        """The active token with this value, or None (unknown, malformed or revoked).

        The hash is looked up through the unique index, then compared in constant time.
        ``touch`` updates ``last_used_at`` when it is older than a minute."""
        if not looks_like_api_token(token):
            return None
        digest = hash_token(token)
        table = ApiTokenRow.__table__
        with self.engine.connect() as conn:
            row = conn.execute(select(table).where(table.c.token_hash == digest)).mappings().first()
        if row is None or not hmac.compare_digest(row["token_hash"], digest) or row["revoked_at"] is not None:
            return None
        info = TokenInfo(row["id"], row["role"], row["label"], row["created_at"], None, row["last_used_at"])
        if touch:
            now = datetime.now(UTC)
            if info.last_used_at is None or now - info.last_used_at >= LAST_USED_RESOLUTION:
                with self.engine.begin() as conn:
                    conn.execute(update(table).where(table.c.id == info.id).values(last_used_at=now))
                info = TokenInfo(info.id, info.role, info.label, info.created_at, None, now)
        return info

    def list(self, *, include_revoked: bool = True) -> list[TokenInfo]:
        """All tokens, oldest first."""
        stmt = select(ApiTokenRow).order_by(ApiTokenRow.created_at, ApiTokenRow.id)
        if not include_revoked:
            stmt = stmt.where(ApiTokenRow.revoked_at.is_(None))
        from sqlalchemy.orm import Session

        with Session(self.engine) as session:
            return [_info(r) for r in session.scalars(stmt)]

    def revoke(self, token_id: str, *, now: datetime | None = None) -> bool:
        """Revoke a token by id; False when no active token has this id."""
        table = ApiTokenRow.__table__
        with self.engine.begin() as conn:
            result = conn.execute(
                update(table)
                .where(table.c.id == token_id, table.c.revoked_at.is_(None))
                .values(revoked_at=now or datetime.now(UTC))
            )
        return bool(result.rowcount)
