# SPDX-License-Identifier: MIT
"""Authentication of the HTTP service: API tokens and OAuth2/OIDC JWTs → an :class:`Identity`.

``Authorization: Bearer <credential>`` on every request to the MCP endpoint (``/mcp``);
health, metadata and metrics paths are open. A credential is either

* an **API token** (``cst_…``, made with ``condensync token create --role R``): SHA-256
  hashed and looked up in the store's ``api_tokens`` table; active tokens' look-ups are
  cached for ``CONDENSYNC_TOKEN_CACHE_SECONDS`` (default 30 s, which bounds how long a
  revoked token keeps working on a replica), unknown ones for 5 s;
* a **JWT** from the OIDC provider, when ``CONDENSYNC_OIDC_ISSUER``,
  ``CONDENSYNC_OIDC_AUDIENCE`` and ``CONDENSYNC_OIDC_JWKS_URL`` are set: the signature is
  checked against the provider's JWKS (fetched with :class:`jwt.PyJWKClient`, keys cached,
  refetched on an unknown ``kid``), then ``iss``, ``aud``, ``exp`` (required), ``nbf`` and
  ``iat`` (``CONDENSYNC_OIDC_LEEWAY_SECONDS``, default 30 s). Algorithms:
  ``CONDENSYNC_OIDC_ALGORITHMS`` (default ``RS256,ES256,PS256``; never ``none`` or HMAC).
  The role comes from, in this order of precedence (the most privileged role found wins):
  the claim ``CONDENSYNC_OIDC_ROLE_CLAIM`` (default ``condensync_role``; a role name or a
  list of them), then role lists ``roles`` / Keycloak ``realm_access.roles`` /
  ``resource_access.<audience>.roles`` and scopes (``scope`` / ``scp``) holding
  ``condensync:<role>`` (or ``condensync-<role>``; plain names only in
  ``resource_access.<audience>.roles``, which is specific to this service).

Outcomes: no credential → **401** ``WWW-Authenticate: Bearer realm="condensync"``; a bad,
unknown, revoked, expired or wrong-audience credential → **401** with
``error="invalid_token"``; a valid JWT that carries no CONDENSYNC role → **403**
``error="insufficient_scope"``; the JWKS endpoint unreachable → **503** (the token may be
fine). When OIDC is configured the header also names the protected-resource metadata
(``/.well-known/oauth-protected-resource/mcp``, RFC 9728) that points clients at the issuer.

A credential is never logged, not even partially; log lines name the token id or the JWT
subject only.
"""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import anyio

from .. import settings
from ..store.tokens import TokenStore, looks_like_api_token
from . import roles as role_policy

__all__ = [
    "Identity",
    "AuthFailure",
    "ApiTokenVerifier",
    "OidcSettings",
    "OidcVerifier",
    "Authenticator",
    "ANONYMOUS_ROLE_ENV",
]

log = logging.getLogger("condensync.auth")

#: Role of every caller when the server runs with --no-auth (loopback only); default admin.
ANONYMOUS_ROLE_ENV = settings.NO_AUTH_ROLE.name
_JWT_SHAPE = re.compile(r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*$")
_SAFE_SUBJECT = re.compile(r"[^A-Za-z0-9@._:+\-/|]")


@dataclass(frozen=True)
class Identity:
    """The authenticated caller of one request."""

    subject: str  #: token id (``tok_…``), JWT ``sub``, or ``anonymous``
    role: str
    method: str  #: ``token``, ``oidc`` or ``none``

    @property
    def caller(self) -> str:
        """The ledger's ``caller``: ``<method>:<subject> role=<role>``."""
        return f"{self.method}:{self.subject} role={self.role}"


class AuthFailure(Exception):
    """A request that must be refused: HTTP status, OAuth error code, safe description."""

    def __init__(self, status: int, error: str | None, description: str, reason: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description
        self.reason = reason  #: short metric label: missing, malformed, unknown, expired, audience, ...


# --------------------------------------------------------------------------- API tokens
class ApiTokenVerifier:
    """API tokens from the store, with a small TTL cache keyed by the token's hash."""

    def __init__(
        self, tokens: TokenStore, ttl_s: float | None = None, negative_ttl_s: float = 5.0, max_entries: int = 10_000
    ) -> None:
        self.tokens = tokens
        self.ttl_s = settings.TOKEN_CACHE_SECONDS.number(allow_zero=True) if ttl_s is None else ttl_s
        self.negative_ttl_s = negative_ttl_s
        self.max_entries = max_entries
        self._cache: OrderedDict[str, tuple[float, Identity | None]] = OrderedDict()

    async def verify(self, token: str) -> Identity:
        from ..store.tokens import hash_token

        if not looks_like_api_token(token):
            raise AuthFailure(401, "invalid_token", "the bearer token is not a valid credential", "malformed")
        key = hash_token(token)
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and hit[0] > now:
            identity = hit[1]
        else:
            try:
                info = await anyio.to_thread.run_sync(self.tokens.lookup, token)
            except Exception as exc:  # database down: the token may be fine, say so
                log.warning("API token look-up failed: %s", type(exc).__name__)
                raise AuthFailure(
                    503, "temporarily_unavailable", "the token store is unreachable; retry later", "store_unavailable"
                ) from None
            identity = Identity(info.id, info.role, "token") if info is not None else None
            self._cache[key] = (now + (self.ttl_s if identity else self.negative_ttl_s), identity)
            self._cache.move_to_end(key)
            while len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        if identity is None:
            raise AuthFailure(401, "invalid_token", "the bearer token is unknown or revoked", "unknown")
        return identity


# --------------------------------------------------------------------------- OIDC
@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    audience: str
    jwks_url: str
    role_claim: str = "condensync_role"
    algorithms: tuple[str, ...] = ("RS256", "ES256", "PS256")
    leeway_s: float = 30.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> OidcSettings | None:
        """From ``CONDENSYNC_OIDC_*``; None when not configured. Partly configured is an error."""
        required = (settings.OIDC_ISSUER, settings.OIDC_AUDIENCE, settings.OIDC_JWKS_URL)
        names = [v.name for v in required]
        values = [v.raw(env) or "" for v in required]
        if not any(values):
            return None
        missing = [n for n, v in zip(names, values, strict=True) if not v]
        if missing:
            raise ValueError(f"OIDC is partly configured: set {', '.join(missing)} too (or none of them)")
        algs = tuple(settings.OIDC_ALGORITHMS.items(env))
        bad = [a for a in algs if a.lower() == "none" or a.upper().startswith("HS")]
        if bad or not algs:
            raise ValueError(f"CONDENSYNC_OIDC_ALGORITHMS must list asymmetric algorithms, got {algs}")
        return cls(
            values[0],
            values[1],
            values[2],
            settings.OIDC_ROLE_CLAIM.text(env),
            algs,
            settings.OIDC_LEEWAY_SECONDS.number(env, allow_zero=True),
        )


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.replace(",", " ").split()
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def _prefixed(values: list[str]) -> list[str]:
    out = []
    for v in values:
        for prefix in ("condensync:", "condensync-", "condensync/"):
            if v.lower().startswith(prefix):
                out.append(v[len(prefix) :].lower())
    return out


def role_from_claims(claims: dict[str, Any], role_claim: str = "condensync_role", audience: str = "") -> str | None:
    """The CONDENSYNC role a set of JWT claims grants (see module docstring), or None."""
    found = [v.lower() for v in _names(claims.get(role_claim))]
    found += _prefixed(_names(claims.get("roles")))
    realm = claims.get("realm_access")
    if isinstance(realm, dict):
        found += _prefixed(_names(realm.get("roles")))
    resource = claims.get("resource_access")
    if isinstance(resource, dict) and isinstance(resource.get(audience), dict):
        client_roles = _names(resource[audience].get("roles"))
        found += [v.lower() for v in client_roles] + _prefixed(client_roles)
    found += _prefixed(_names(claims.get("scope"))) + _prefixed(_names(claims.get("scp")))
    return role_policy.highest_role(found)


class OidcVerifier:
    """JWT access tokens of one issuer/audience, keys from its JWKS URL."""

    #: An unknown ``kid`` refetches the JWKS (key rotation) at most this often, so forged
    #: tokens with random key ids cannot turn the server into a JWKS request amplifier.
    REFRESH_INTERVAL_S = 30.0

    def __init__(self, settings: OidcSettings) -> None:
        import threading

        import jwt

        self.settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwks_url, cache_keys=False, cache_jwk_set=True, lifespan=300, timeout=10)
        self._lock = threading.Lock()
        self._last_refresh = -1e9

    def _signing_key(self, token: str) -> Any:
        import jwt

        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError as exc:
            raise AuthFailure(401, "invalid_token", "the token is not a well-formed JWT", "malformed") from exc

        def match(keys: list[Any]) -> Any:
            if kid is None:
                return keys[0] if len(keys) == 1 else None
            return next((k for k in keys if k.key_id == kid), None)

        try:
            key = match(self._jwks.get_signing_keys())
            if key is None:
                with self._lock:
                    due = time.monotonic() - self._last_refresh >= self.REFRESH_INTERVAL_S
                    if due:
                        self._last_refresh = time.monotonic()
                if due:
                    key = match(self._jwks.get_signing_keys(refresh=True))
        except jwt.PyJWKClientConnectionError as exc:
            raise AuthFailure(
                503,
                "temporarily_unavailable",
                "the identity provider's signing keys could not be fetched; retry later",
                "jwks_unreachable",
            ) from exc
        except jwt.PyJWKClientError as exc:
            raise AuthFailure(
                503,
                "temporarily_unavailable",
                "the identity provider published no usable signing keys; retry later",
                "jwks_unusable",
            ) from exc
        if key is None:
            raise AuthFailure(
                401, "invalid_token", "the token's signing key is not known to the identity provider", "unknown_key"
            )
        return key

    def _decode(self, token: str) -> dict[str, Any]:
        import jwt

        s = self.settings
        key = self._signing_key(token)
        try:
            return jwt.decode(
                token,
                key.key,
                algorithms=list(s.algorithms),
                audience=s.audience,
                issuer=s.issuer,
                leeway=s.leeway_s,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthFailure(401, "invalid_token", "the token has expired", "expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise AuthFailure(
                401, "invalid_token", "the token was not issued for this service (audience)", "audience"
            ) from exc
        except jwt.InvalidIssuerError as exc:
            raise AuthFailure(
                401, "invalid_token", "the token was not issued by the configured issuer", "issuer"
            ) from exc
        except jwt.InvalidTokenError as exc:
            raise AuthFailure(
                401, "invalid_token", f"the token is not valid ({type(exc).__name__})", "invalid"
            ) from exc

    async def verify(self, token: str) -> Identity:
        claims = await anyio.to_thread.run_sync(self._decode, token)
        role = role_from_claims(claims, self.settings.role_claim, self.settings.audience)
        subject = _SAFE_SUBJECT.sub("_", str(claims.get("sub") or claims.get("client_id") or "unknown"))[:128]
        if role is None:
            raise AuthFailure(
                403,
                "insufficient_scope",
                f"the token grants no CONDENSYNC role (claim "
                f"{self.settings.role_claim!r}, roles or scope condensync:<role>; roles: "
                f"{', '.join(role_policy.ROLES)})",
                "no_role",
            )
        return Identity(subject, role, "oidc")


# --------------------------------------------------------------------------- front door
class Authenticator:
    """Turns an ``Authorization`` header value into an :class:`Identity` or an :class:`AuthFailure`."""

    def __init__(
        self,
        tokens: ApiTokenVerifier | None,
        oidc: OidcVerifier | None,
        *,
        no_auth: bool = False,
        anonymous_role: str | None = None,
    ) -> None:
        self.tokens = tokens
        self.oidc = oidc
        self.no_auth = no_auth
        role = anonymous_role or settings.NO_AUTH_ROLE.text()
        if role not in role_policy.ROLES:
            raise ValueError(f"{ANONYMOUS_ROLE_ENV} must be one of {', '.join(role_policy.ROLES)}, got {role!r}")
        self.anonymous = Identity("anonymous", role, "none")
        if not no_auth and tokens is None and oidc is None:
            raise ValueError("authentication needs an API token store or OIDC settings")

    async def authenticate(self, authorization: str | None) -> Identity:
        if self.no_auth:
            return self.anonymous
        if not authorization:
            raise AuthFailure(401, None, "authentication required: send Authorization: Bearer <token>", "missing")
        scheme, _, credential = authorization.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise AuthFailure(401, "invalid_request", "use the Bearer scheme: Authorization: Bearer <token>", "scheme")
        if self.oidc is not None and _JWT_SHAPE.match(credential):
            return await self.oidc.verify(credential)
        if self.tokens is not None and looks_like_api_token(credential):
            return await self.tokens.verify(credential)
        raise AuthFailure(401, "invalid_token", "the bearer token is not a valid credential", "malformed")
