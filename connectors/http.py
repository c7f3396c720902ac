# SPDX-License-Identifier: MIT
"""One HTTP base URL behind the shared resilience wrapper (historian, weather, CMMS).

Maps httpx outcomes onto the connector errors:

========================================  ====================================  =========
outcome                                   error                                 retried
========================================  ====================================  =========
connection refused / DNS / connect t/o    ConnectorUnavailable                  reads
read / write / pool timeout               ConnectorUnavailable                  reads
HTTP 429, 502, 503, 504                   ConnectorUnavailable                  reads
other HTTP 5xx                            ConnectorError (counts for breaker)   no
HTTP 3xx (redirect: wrong URL) and 4xx    RequestRejectedError (no breaker)     no
reply is not JSON when JSON expected      ConnectorError                        no
========================================  ====================================  =========
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from .resilience import AsyncCircuitBreaker, guarded_call
from .settings import BreakerSettings, CmmsSettings, HistorianSettings, RetrySettings, WeatherSettings
from .types import ConnectorError, ConnectorUnavailable, RequestRejectedError

__all__ = ["HttpService", "redact_headers"]

log = logging.getLogger(__name__)

_RETRYABLE_STATUS = frozenset({429, 502, 503, 504})
_SECRET_HEADERS = frozenset({"authorization", "apikey", "x-api-key", "maxauth", "cookie", "x-csrf-token"})


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Copy of ``headers`` with credentials replaced by ``"***"``."""
    return {k: ("***" if k.lower() in _SECRET_HEADERS else v) for k, v in headers.items()}


class HttpService:
    """An ``httpx.AsyncClient`` for one base URL, its circuit breaker and retry policy.

    Parameters
    ----------
    service : str
        Service name (breaker name).
    base_url : str
        Root URL; request paths are relative to it.
    timeout_s : float
        Per-request timeout (connect, read, write, pool) [s].
    breaker : BreakerSettings
        Breaker settings of the service.
    retry : RetrySettings
        Retry policy for idempotent requests.
    auth : httpx.Auth, optional
        Authentication (basic) for every request.
    headers : mapping, optional
        Headers sent with every request (API keys, bearer token).
    verify : bool or Path
        TLS verification.
    clock : callable, optional
        Monotonic clock for the breaker (tests).
    """

    def __init__(
        self,
        service: str,
        base_url: str,
        *,
        timeout_s: float,
        breaker: BreakerSettings,
        retry: RetrySettings,
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        verify: bool | Path = True,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.retry = retry
        self.breaker = AsyncCircuitBreaker(service, breaker, endpoint=self.base_url, clock=clock)
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout_s),
            auth=auth,
            headers=dict(headers or {}),
            verify=ssl.create_default_context(cafile=str(verify)) if isinstance(verify, Path) else verify,
            follow_redirects=False,
        )

    @classmethod
    def from_settings(
        cls,
        settings: HistorianSettings | WeatherSettings | CmmsSettings,
        *,
        base_url: str,
        headers: Mapping[str, str] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> HttpService:
        """Build the service of an HTTP source from its settings (auth none / basic / bearer).

        Parameters
        ----------
        settings : HistorianSettings, WeatherSettings or CmmsSettings
            Service name, timeout, breaker, retry, TLS and credentials.
        base_url : str
            Root URL of the requests.
        headers : mapping, optional
            Extra headers for every request (API keys).
        clock : callable, optional
            Monotonic clock for the breaker (tests).
        """
        all_headers = {"Accept": "application/json", **(headers or {})}
        auth: httpx.Auth | None = None
        kind = getattr(settings, "auth", "none")
        if kind == "basic":
            assert settings.username is not None and settings.password is not None  # type: ignore[union-attr]
            auth = httpx.BasicAuth(settings.username, settings.password.get_secret_value())  # type: ignore[union-attr]
        elif kind == "bearer":
            assert settings.token is not None  # type: ignore[union-attr]
            all_headers["Authorization"] = f"Bearer {settings.token.get_secret_value()}"  # type: ignore[union-attr]
        return cls(
            settings.service,
            base_url,
            timeout_s=settings.timeout_s,
            breaker=settings.breaker,
            retry=settings.retry,
            auth=auth,
            headers=all_headers,
            verify=settings.verify_tls,
            clock=clock,
        )

    @property
    def default_headers(self) -> httpx.Headers:
        """Headers sent with every request (secrets included; redact before showing)."""
        return self._client.headers

    @property
    def cookies(self) -> httpx.Cookies:
        """Cookies the server set (e.g. the SAP session that goes with a CSRF token)."""
        return self._client.cookies

    def _target(self, path: str) -> str:
        # "" is the base URL itself (no trailing slash added); anything else is relative to it
        return path.lstrip("/") if path else self.base_url

    def url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        """Absolute URL of ``path`` with ``params`` encoded as httpx would send them."""
        return str(self._client.build_request("GET", self._target(path), params=params).url)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        idempotent: bool,
        description: str,
    ) -> httpx.Response:
        """Send one logical request through breaker → timeout → retry.

        Parameters
        ----------
        method, path : str
            HTTP method and path relative to the base URL.
        params, headers, json : optional
            Query parameters, extra headers, JSON body.
        idempotent : bool
            Retry transient failures (True only for reads). A non-idempotent request is sent
            exactly once, whatever happens.
        description : str
            What the request does, for messages.

        Returns
        -------
        httpx.Response
            A 2xx response.
        """

        async def once() -> httpx.Response:
            try:
                response = await self._client.request(
                    method, self._target(path), params=params, headers=headers, json=json
                )
            except httpx.TimeoutException as exc:
                raise ConnectorUnavailable(
                    f"{self.service} at {self.base_url} did not answer '{description}' within "
                    f"{self.timeout_s:g} s ({type(exc).__name__}).",
                    service=self.service,
                    endpoint=self.base_url,
                ) from exc
            except httpx.TransportError as exc:
                raise ConnectorUnavailable(
                    f"{self.service} at {self.base_url} is not reachable ({type(exc).__name__}: {exc}); "
                    f"request timeout {self.timeout_s:g} s. Check that the server is running and the "
                    "network path / firewall.",
                    service=self.service,
                    endpoint=self.base_url,
                ) from exc
            self._raise_for_status(response, description)
            return response

        return await guarded_call(self.breaker, once, retry=self.retry if idempotent else None, description=description)

    async def get_json(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        description: str,
    ) -> Any:
        """GET ``path`` (idempotent, retried) and decode the JSON reply."""
        response = await self.request(
            "GET", path, params=params, headers=headers, idempotent=True, description=description
        )
        return self.decode_json(response, description)

    def decode_json(self, response: httpx.Response, description: str) -> Any:
        """Decode a JSON reply or raise a clear :class:`ConnectorError`."""
        try:
            return response.json()
        except ValueError as exc:
            raise ConnectorError(
                f"{self.service} at {self.base_url} answered '{description}' with something that is "
                f"not JSON (content-type {response.headers.get('content-type', '?')}): "
                f"{response.text[:200]!r}",
                service=self.service,
                endpoint=self.base_url,
            ) from exc

    def _raise_for_status(self, response: httpx.Response, description: str) -> None:
        status = response.status_code
        if status < 300:
            return
        detail = f"HTTP {status} {response.reason_phrase} for {response.request.method} {response.request.url}"
        body = response.text[:300].strip()
        if body:
            detail += f": {body}"
        kwargs = {"service": self.service, "endpoint": self.base_url}
        if status in _RETRYABLE_STATUS:
            raise ConnectorUnavailable(f"{self.service} is busy or unavailable ({detail}).", **kwargs)
        if status >= 500:
            raise ConnectorError(f"{self.service} failed on '{description}' ({detail}).", **kwargs)
        if status < 400:
            where = response.headers.get("location", "?")
            hint = f" Redirected to {where}: check the URL in the plant configuration."
        else:
            hint = {
                401: " Check the credentials / API key.",
                403: " The account lacks permission (or a CSRF token is missing).",
                404: " Check the URL, WebId or object name in the plant configuration.",
            }.get(status, "")
        raise RequestRejectedError(
            f"{self.service} rejected '{description}' ({detail}).{hint}",
            status_code=status,
            headers=response.headers,
            **kwargs,
        )
