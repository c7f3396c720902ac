# SPDX-License-Identifier: MIT
"""Alert destinations as strict pydantic models (the ``[alerts.destinations.<name>]`` tables of
the plant configuration).

Secrets — webhook URLs (a Slack or Teams incoming-webhook URL *is* the credential), PagerDuty
routing keys, MQTT passwords — are :class:`pydantic.SecretStr`: they never appear in ``repr``,
logs, errors, metrics or ``connector_status``; :func:`mask_url` gives the displayable form.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from .settings import BreakerSettings, RetrySettings

__all__ = [
    "WEBHOOK",
    "SlackDestination",
    "TeamsDestination",
    "PagerDutyDestination",
    "MqttDestination",
    "Destination",
    "mask_url",
    "destination_endpoint",
    "PAGERDUTY_EVENTS_URL",
]

#: PagerDuty Events API v2 endpoint (developer.pagerduty.com, "Send an Alert Event").
PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
#: Breaker of a notification destination: 3 failures, 30 s per logical send, 60 s open.
WEBHOOK = BreakerSettings(fail_max=3, call_timeout_s=30.0, reset_timeout_s=60.0, success_threshold=1)
_TOPIC_RE = re.compile(r"^[^#+\x00]+$")


def mask_url(url: str) -> str:
    """``scheme://host[:port]/***``: what may be shown of a secret URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}{':' + str(parts.port) if parts.port else ''}/***"


class _Dest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_s: float = Field(10.0, gt=0, le=120, description="timeout of one HTTP request / MQTT publish [s]")
    breaker: BreakerSettings = WEBHOOK
    retry: RetrySettings = RetrySettings()


class _Webhook(_Dest):
    url: SecretStr = Field(description="incoming-webhook URL (a secret: never logged)")

    @field_validator("url")
    @classmethod
    def _http(cls, v: SecretStr) -> SecretStr:
        text = v.get_secret_value()
        if not text.startswith(("https://", "http://")) or not urlsplit(text).hostname:
            raise ValueError(
                "must be an http(s):// URL, e.g. 'https://hooks.slack.com/services/...' "
                "(value not shown: it is a secret)"
            )
        return v


class SlackDestination(_Webhook):
    """Slack incoming webhook (``{"text": ..., "blocks": [...]}``)."""

    kind: Literal["slack"]


class TeamsDestination(_Webhook):
    """Microsoft Teams workflow webhook (a message with one Adaptive Card attachment)."""

    kind: Literal["teams"]


class PagerDutyDestination(_Webhook):
    """PagerDuty Events API v2: ``trigger`` / ``resolve`` with the alert's ``dedup_key``."""

    kind: Literal["pagerduty"]
    url: SecretStr = SecretStr(PAGERDUTY_EVENTS_URL)
    routing_key: SecretStr = Field(description="integration (routing) key, 32 characters (a secret)")

    @field_validator("routing_key")
    @classmethod
    def _key(cls, v: SecretStr) -> SecretStr:
        if not re.fullmatch(r"[A-Za-z0-9]{32}", v.get_secret_value()):
            raise ValueError(
                "must be the 32-character integration key of a PagerDuty Events API v2 "
                "integration (value not shown: it is a secret)"
            )
        return v


class MqttDestination(_Dest):
    """MQTT broker (paho-mqtt): each alert is published as JSON to
    ``<topic_prefix>/<condenser_id>/<rule>``, retained, so a subscriber arriving later sees the
    current state of every alert (a resolve replaces the trigger)."""

    kind: Literal["mqtt"]
    host: str = Field(min_length=1)
    port: int = Field(1883, ge=1, le=65535)
    topic_prefix: str = "condensync/alerts"
    qos: Literal[0, 1, 2] = 1
    retain: bool = True
    client_id: str = ""
    username: str | None = None
    password: SecretStr | None = None
    tls: bool = False
    timeout_s: float = Field(5.0, gt=0, le=120)

    @field_validator("topic_prefix")
    @classmethod
    def _topic(cls, v: str) -> str:
        if not _TOPIC_RE.match(v) or v.startswith("/") or v.endswith("/"):
            raise ValueError(f"topic prefix {v!r} must be a plain topic without '+', '#' or leading/trailing '/'")
        return v


def destination_endpoint(dest: _Dest) -> str:
    """What may be shown of a destination's address: the masked URL, or ``mqtt[s]://host:port``."""
    if isinstance(dest, MqttDestination):
        return f"mqtt{'s' if dest.tls else ''}://{dest.host}:{dest.port}"
    assert isinstance(dest, _Webhook)
    return mask_url(dest.url.get_secret_value())


Destination = Annotated[
    SlackDestination | TeamsDestination | PagerDutyDestination | MqttDestination, Field(discriminator="kind")
]
