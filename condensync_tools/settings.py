# SPDX-License-Identifier: MIT
"""Every ``CONDENSYNC_*`` environment variable, defined once: name, default, description.

The rest of the package reads the environment only through the :class:`Variable` objects of
this module (``settings.DATABASE_URL.raw()``, ``settings.SERIES_MAX_AGE_DAYS.number(...)``);
a test (``tests/test_architecture.py``) fails on any other ``os.environ``/``getenv`` read of a
``CONDENSYNC_`` name. :func:`environment_variables` lists them for the CLI's help page.

An empty value counts as unset (the default applies), everywhere. Every reader takes an
optional ``env`` mapping (tests, ``--env-file`` style callers); ``None`` reads ``os.environ``
at the moment of the call, so a value changed at run time is seen by the next read.

This module imports nothing of ours (it sits below every layer).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

__all__ = ["Variable", "VARIABLES", "environment_variables", "by_name"]

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class Variable:
    """One environment variable: ``name``, its ``default`` as text (``""``: none) and a
    one-line ``description`` (units included)."""

    name: str
    default: str
    description: str

    def raw(self, env: Mapping[str, str] | None = None) -> str | None:
        """The value as set (stripped), None when unset or empty."""
        value = (os.environ if env is None else env).get(self.name)
        if value is None:
            return None
        value = str(value).strip()
        return value or None

    def text(self, env: Mapping[str, str] | None = None) -> str:
        """The value as set, else the default."""
        value = self.raw(env)
        return self.default if value is None else value

    def number(self, env: Mapping[str, str] | None = None, *, allow_zero: bool = False) -> float:
        """The value as a number (``_`` allowed as a digit separator), else the default;
        ValueError naming the variable when it is not a finite number > 0 (>= 0 with
        ``allow_zero``)."""
        raw = self.text(env)
        try:
            value = float(raw.replace("_", ""))
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and (value >= 0.0 if allow_zero else value > 0.0)):
            expected = "a number >= 0 (0 = no limit)" if allow_zero else "a number > 0"
            raise ValueError(f"{self.name} must be {expected}, got {raw!r}")
        return value

    def flag(self, env: Mapping[str, str] | None = None) -> bool:
        """The value as a switch (1/true/yes/on or 0/false/no/off), else the default;
        ValueError naming the variable for anything else."""
        raw = self.text(env).lower()
        if raw in _TRUE:
            return True
        if raw in _FALSE or raw == "":
            return False
        raise ValueError(f"{self.name} must be one of {'/'.join(_TRUE + _FALSE)}, got {raw!r}")

    def items(self, env: Mapping[str, str] | None = None) -> list[str]:
        """The value as a comma-separated list (blank items dropped)."""
        return [part.strip() for part in self.text(env).split(",") if part.strip()]


def _define(name: str, default: str, description: str) -> Variable:
    variable = Variable(name, default, description)
    _ALL.append(variable)
    return variable


_ALL: list[Variable] = []

# --- configuration and files
CONFIG = _define("CONDENSYNC_CONFIG", "", "plant configuration TOML file (the `--config` default)")
DATA_DIR = _define(
    "CONDENSYNC_DATA_DIR", "", "directory that history files are read from and series files written to (sandbox root)"
)
HISTORY_MAX_ROWS = _define("CONDENSYNC_HISTORY_MAX_ROWS", "10_000_000", "largest history file accepted, rows")
HISTORY_MAX_FILE_MB = _define("CONDENSYNC_HISTORY_MAX_FILE_MB", "2048", "largest history file accepted, MiB")
HISTORY_THREADS = _define(
    "CONDENSYNC_HISTORY_THREADS", "1", "threads evaluating history rows (two help only on an otherwise idle machine)"
)
SERIES_MAX_AGE_DAYS = _define(
    "CONDENSYNC_SERIES_MAX_AGE_DAYS", "30", "series files unused for longer are pruned, days (0 = no age limit)"
)
SERIES_MAX_TOTAL_MB = _define(
    "CONDENSYNC_SERIES_MAX_TOTAL_MB",
    "1024",
    "series directory size above which the oldest files are pruned, MiB (0 = no limit)",
)

# --- store and ledger
DATABASE_URL = _define(
    "CONDENSYNC_DATABASE_URL",
    "",
    "store URL (SQLAlchemy: sqlite:///…, postgresql://…); default an SQLite file in the data directory",
)
LEDGER_KEY = _define(
    "CONDENSYNC_LEDGER_KEY",
    "",
    "HMAC key (UTF-8) signing retention checkpoints, and chain heads when no Ed25519 key is set",
)
LEDGER_SIGNING_KEY = _define(
    "CONDENSYNC_LEDGER_SIGNING_KEY",
    "",
    "Ed25519 private key (PEM file) signing chain heads; default ledger-signing-key.pem in "
    "the data directory, created on first use",
)
LEDGER_WITNESS = _define(
    "CONDENSYNC_LEDGER_WITNESS",
    "",
    "witness file of signed chain heads ('off': none); default beside an SQLite file, else in the data directory",
)
LEDGER_WITNESS_FSYNC = _define("CONDENSYNC_LEDGER_WITNESS_FSYNC", "0", "1: fsync the witness file after every append")

# --- HTTP service
ALLOWED_HOSTS = _define(
    "CONDENSYNC_ALLOWED_HOSTS", "", "Host headers accepted, comma-separated (replaces the loopback defaults)"
)
PUBLIC_URL = _define("CONDENSYNC_PUBLIC_URL", "", "URL clients reach the service at (OAuth resource metadata)")
TLS_CERT = _define("CONDENSYNC_TLS_CERT", "", "TLS certificate chain (PEM file) of the HTTP service")
TLS_KEY = _define("CONDENSYNC_TLS_KEY", "", "TLS private key (PEM file) of the HTTP service")
MAX_REQUEST_BYTES = _define("CONDENSYNC_MAX_REQUEST_BYTES", "8388608", "largest HTTP request body accepted, bytes")
JSON_RESPONSE = _define(
    "CONDENSYNC_JSON_RESPONSE", "1", "1: answer streamable-HTTP calls with plain JSON; 0: with an SSE stream"
)
LOG_LEVEL = _define(
    "CONDENSYNC_LOG_LEVEL",
    "",
    "log level of the HTTP service (DEBUG, INFO, WARNING…); default INFO (DEBUG with --log-level DEBUG)",
)
LIVE_MAX_LAG_SECONDS = _define(
    "CONDENSYNC_LIVE_MAX_LAG_SECONDS", "10", "event-loop stall after which /health/live answers 503, s"
)
READY_STORE_TIMEOUT_SECONDS = _define(
    "CONDENSYNC_READY_STORE_TIMEOUT_SECONDS", "3", "time budget of the store check of /health/ready, s"
)
REQUIRED_CONNECTORS = _define(
    "CONDENSYNC_REQUIRED_CONNECTORS", "", "connectors that gate /health/ready, comma-separated service names or 'all'"
)

HTTP_REQUEST_TIMEOUT_SECONDS = _define(
    "CONDENSYNC_HTTP_REQUEST_TIMEOUT_SECONDS",
    "30",
    "HTTP: close a connection whose request has not fully arrived within this time, s",
)
LIVE_SUBSCRIPTION_INTERVAL_S = _define(
    "CONDENSYNC_LIVE_SUBSCRIPTION_INTERVAL_S",
    "5",
    "MCP: seconds between reads of a subscribed condenser://live/{id} resource (at least 1)",
)

# --- authentication
BOOTSTRAP_TOKEN_FILE = _define(
    "CONDENSYNC_BOOTSTRAP_TOKEN_FILE",
    "",
    "HTTP: file holding the first API token, stored hashed at start, once",
)
BOOTSTRAP_TOKEN_ROLE = _define("CONDENSYNC_BOOTSTRAP_TOKEN_ROLE", "admin", "HTTP: role of the bootstrap token")
TOKEN_CACHE_SECONDS = _define(
    "CONDENSYNC_TOKEN_CACHE_SECONDS", "30", "how long a verified API token is cached (bounds revocation delay), s"
)
NO_AUTH_ROLE = _define("CONDENSYNC_NO_AUTH_ROLE", "admin", "role of callers when authentication is off (--no-auth)")
OIDC_ISSUER = _define("CONDENSYNC_OIDC_ISSUER", "", "OIDC issuer (set with the audience and JWKS URL to accept JWTs)")
OIDC_AUDIENCE = _define("CONDENSYNC_OIDC_AUDIENCE", "", "OIDC audience a JWT must carry")
OIDC_JWKS_URL = _define("CONDENSYNC_OIDC_JWKS_URL", "", "URL of the OIDC provider's signing keys (JWKS)")
OIDC_ALGORITHMS = _define(
    "CONDENSYNC_OIDC_ALGORITHMS",
    "RS256,ES256,PS256",
    "JWT signature algorithms accepted, comma-separated (never none or HMAC)",
)
OIDC_ROLE_CLAIM = _define("CONDENSYNC_OIDC_ROLE_CLAIM", "condensync_role", "JWT claim holding the caller's role")
OIDC_LEEWAY_SECONDS = _define("CONDENSYNC_OIDC_LEEWAY_SECONDS", "30", "clock leeway on JWT exp/nbf/iat, s")

VARIABLES: tuple[Variable, ...] = tuple(_ALL)
"""Every variable, grouped as above."""

_BY_NAME = {v.name: v for v in VARIABLES}


def by_name(name: str) -> Variable:
    """The variable called ``name`` (KeyError for an unknown name)."""
    return _BY_NAME[name]


def environment_variables() -> Iterator[tuple[str, str, str]]:
    """``(name, default, description)`` of every variable, for help pages."""
    for variable in VARIABLES:
        yield variable.name, variable.default, variable.description
