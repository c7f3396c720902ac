# SPDX-License-Identifier: MIT
"""``condensync token …`` (API tokens of the HTTP service) and the HTTP options of
``condensync serve``.

``condensync token create --role viewer [--label TEXT] [--database-url URL]``
    Creates a token and writes it ONCE to stdout (only the token, one line, so
    ``TOKEN=$(condensync token create --role viewer)`` works); its id and role go to stderr.
    Only the token's SHA-256 hash is stored.
``condensync token list [--active] [--database-url URL]``
    JSON list of tokens (id, role, label, created_at, revoked_at, last_used_at, active);
    never a token or a hash.
``condensync token revoke ID [--database-url URL]``
    Revokes a token (servers stop accepting it within their token cache time, 30 s).

Exit codes: 0 success, 1 nothing to revoke or the database failed, 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["add_parsers", "add_serve_arguments", "cmd_token"]

_ROLES = ("viewer", "operator", "engineer", "admin")


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"condensync: {message}\n")
    return code


def _token_store(database_url: str | None) -> tuple[Any, Any]:
    from .store import Store
    from .store.tokens import TokenStore

    store = Store(database_url, auto_upgrade=True)
    return store, TokenStore(store.engine)


def cmd_token(args: argparse.Namespace) -> int:
    try:
        store, tokens = _token_store(args.database_url)
    except Exception as exc:
        return _fail(f"database: {exc}", 1)
    try:
        if args.action == "create":
            try:
                info, token = tokens.create(args.role, args.label or "")
            except ValueError as exc:
                return _fail(str(exc), 2)
            sys.stdout.write(token + "\n")
            sys.stdout.flush()
            label = f", label {info.label!r}" if info.label else ""
            sys.stderr.write(
                f"created {info.id} (role {info.role}{label}); the token above is shown only this once: store it now\n"
            )
            return 0
        if args.action == "list":
            items = [t.to_dict() for t in tokens.list(include_revoked=not args.active)]
            sys.stdout.write(json.dumps(items, indent=2) + "\n")
            return 0
        if tokens.revoke(args.id):
            sys.stderr.write(f"revoked {args.id}\n")
            return 0
        return _fail(f"no active token with id {args.id!r}", 1)
    except Exception as exc:
        return _fail(f"database: {exc}", 1)
    finally:
        store.close()


def add_parsers(subparsers: Any) -> None:
    """Add ``token create|list|revoke`` to the ``condensync`` sub-command parsers."""
    p = subparsers.add_parser("token", help="API tokens of the HTTP service: create, list, revoke")
    actions = p.add_subparsers(dest="action", required=True)
    db_help = "store URL (default: $CONDENSYNC_DATABASE_URL or an SQLite file)"

    c = actions.add_parser("create", help="create a token and print it once to stdout")
    c.add_argument("--role", required=True, choices=_ROLES)
    c.add_argument("--label", default="", help="free text shown by `token list` (who/what uses it)")
    c.add_argument("--database-url", help=db_help)
    c.set_defaults(func=cmd_token)

    ls = actions.add_parser("list", help="list tokens (never the tokens themselves)")
    ls.add_argument("--active", action="store_true", help="only tokens that are not revoked")
    ls.add_argument("--database-url", help=db_help)
    ls.set_defaults(func=cmd_token)

    r = actions.add_parser("revoke", help="revoke a token by id")
    r.add_argument("id", help="token id (tok_…), from `token list`")
    r.add_argument("--database-url", help=db_help)
    r.set_defaults(func=cmd_token)


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """HTTP-only options of ``condensync serve`` (the others are in cli.py)."""
    parser.add_argument(
        "--json-response",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="HTTP: answer POSTs with application/json instead of an SSE stream "
        "(default on; $CONDENSYNC_JSON_RESPONSE)",
    )
    parser.add_argument(
        "--max-request-bytes",
        type=int,
        default=None,
        help="HTTP: largest request body accepted, larger gets 413 "
        "(default 8388608 = 8 MiB; $CONDENSYNC_MAX_REQUEST_BYTES)",
    )
