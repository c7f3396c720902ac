# SPDX-License-Identifier: MIT
"""Alert delivery: Slack, Microsoft Teams and PagerDuty webhooks (httpx) and MQTT (paho-mqtt),
each destination behind its own circuit breaker with retries (:mod:`.resilience`).

A *notification* is a channel-neutral dict (built by the monitor)::

    {"action": "trigger" | "resolve", "dedup_key": "condensync:<rule>:<condenser>",
     "rule", "kind", "condenser_id", "severity": "info|warning|error|critical",
     "summary": "one line", "value", "threshold", "unit", "at": RFC 3339,
     "analysis_provenance_hash", "plant", "details": {...}}

Wire shapes
-----------
Slack incoming webhook
    ``{"text": fallback, "blocks": [section (mrkdwn), context]}`` (api.slack.com,
    "Sending messages using incoming webhooks").
Microsoft Teams (Workflows "post to a channel when a webhook request is received")
    ``{"type": "message", "attachments": [{"contentType":
    "application/vnd.microsoft.card.adaptive", "content": {AdaptiveCard 1.4}}]}``.
PagerDuty Events API v2
    ``POST /v2/enqueue`` ``{"routing_key", "event_action": "trigger", "dedup_key",
    "payload": {"summary", "source", "severity", "component", "group", "class",
    "custom_details"}}``; a resolve sends ``{"routing_key", "event_action": "resolve",
    "dedup_key"}`` (developer.pagerduty.com, Events API v2 overview). Answer 202.
MQTT
    topic ``<topic_prefix>/<condenser_id>/<rule>``, the notification as JSON, QoS 1,
    retained by default.

Outcomes: connection refused, timeouts, HTTP 429/5xx and an MQTT broker that is down are
:class:`~.types.ConnectorUnavailable` (retried, counted by the breaker); HTTP 4xx and an MQTT
refused login are :class:`~.types.RequestRejectedError` (the receiver is up but refuses:
configuration). Messages never contain a webhook URL, routing key or password.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

import httpx

from .notify_settings import (
    MqttDestination,
    PagerDutyDestination,
    SlackDestination,
    TeamsDestination,
    destination_endpoint,
)
from .resilience import AsyncCircuitBreaker, guarded_call
from .types import ConnectorError, ConnectorUnavailable, RequestRejectedError

__all__ = [
    "slack_message",
    "teams_message",
    "pagerduty_event",
    "mqtt_topic",
    "WebhookSender",
    "MqttSender",
    "make_sender",
]

_PD_SEVERITY = {"info": "info", "warning": "warning", "error": "error", "critical": "critical"}
_RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})


def _title(n: dict[str, Any]) -> str:
    state = "RESOLVED" if n["action"] == "resolve" else n["severity"].upper()
    return f"[{state}] {n['condenser_id']}: {n['summary']}"


def _facts(n: dict[str, Any]) -> list[tuple[str, str]]:
    facts = [("Rule", f"{n['rule']} ({n['kind']})"), ("Condenser", n["condenser_id"])]
    if n.get("value") is not None:
        facts.append(("Value", f"{n['value']:g} {n.get('unit', '')}".strip()))
    if n.get("threshold") is not None:
        facts.append(("Threshold", f"{n['threshold']:g} {n.get('unit', '')}".strip()))
    facts += [("At", n["at"]), ("Dedup key", n["dedup_key"])]
    if n.get("analysis_provenance_hash"):
        facts.append(("Analysis provenance", n["analysis_provenance_hash"]))
    return facts


def slack_message(n: dict[str, Any]) -> dict[str, Any]:
    """Slack incoming-webhook body."""
    lines = "\n".join(f"*{k}:* {v}" for k, v in _facts(n))
    return {
        "text": _title(n),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{_title(n)}*\n{lines}"}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"CONDENSYNC · {n['plant']}"}]},
        ],
    }


def teams_message(n: dict[str, Any]) -> dict[str, Any]:
    """Teams workflow-webhook body: one Adaptive Card."""
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "TextBlock",
                "text": _title(n),
                "weight": "Bolder",
                "wrap": True,
                "color": "Good" if n["action"] == "resolve" else "Attention",
            },
            {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in _facts(n)]},
        ],
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def pagerduty_event(n: dict[str, Any], routing_key: str) -> dict[str, Any]:
    """PagerDuty Events API v2 body (trigger with payload, or resolve by dedup_key)."""
    if n["action"] == "resolve":
        return {"routing_key": routing_key, "event_action": "resolve", "dedup_key": n["dedup_key"]}
    details = {k: v for k, v in n.items() if k not in ("summary", "action")}
    return {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": n["dedup_key"],
        "payload": {
            "summary": _title(n)[:1024],
            "source": f"condensync/{n['condenser_id']}",
            "severity": _PD_SEVERITY[n["severity"]],
            "component": n["condenser_id"],
            "group": n["plant"] or "condensync",
            "class": n["kind"],
            "custom_details": details,
        },
    }


def mqtt_topic(prefix: str, n: dict[str, Any]) -> str:
    return f"{prefix}/{n['condenser_id']}/{n['rule']}"


class _MaskSecrets(logging.Filter):
    """Masks webhook URLs in log records: httpx logs every request URL at INFO, and a Slack or
    Teams webhook URL is a credential."""

    def __init__(self) -> None:
        super().__init__("condensync-webhook-secrets")
        self.secrets: dict[str, str] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = message
        for secret, shown in self.secrets.items():
            masked = masked.replace(secret, shown)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


_MASK = _MaskSecrets()
logging.getLogger("httpx").addFilter(_MASK)


class WebhookSender:
    """One webhook destination (Slack, Teams or PagerDuty): httpx, breaker, retries."""

    def __init__(
        self,
        name: str,
        dest: SlackDestination | TeamsDestination | PagerDutyDestination,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.name = name
        self.dest = dest
        self.kind = dest.kind
        self._url = dest.url.get_secret_value()
        self.endpoint = destination_endpoint(dest)
        _MASK.secrets[self._url] = self.endpoint
        self.breaker = AsyncCircuitBreaker(f"alerts:{name}", dest.breaker, endpoint=self.endpoint, clock=clock)
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(dest.timeout_s), follow_redirects=False)

    def body(self, n: dict[str, Any]) -> dict[str, Any]:
        if isinstance(self.dest, PagerDutyDestination):
            return pagerduty_event(n, self.dest.routing_key.get_secret_value())
        return slack_message(n) if self.kind == "slack" else teams_message(n)

    def _error(self, cls: type[ConnectorError], text: str, **extra: Any) -> ConnectorError:
        text = text.replace(self._url, self.endpoint)
        if isinstance(self.dest, PagerDutyDestination):
            text = text.replace(self.dest.routing_key.get_secret_value(), "***")
        return cls(
            f"alert destination '{self.name}' ({self.kind}, {self.endpoint}): {text}",
            service=self.breaker.name,
            endpoint=self.endpoint,
            **extra,
        )

    async def send(self, n: dict[str, Any]) -> None:
        """Deliver one notification (breaker → timeout → retries); raise a connector error."""
        body = self.body(n)

        async def once() -> None:
            try:
                response = await self._client.post(self._url, json=body)
            except httpx.TimeoutException as exc:
                raise self._error(
                    ConnectorUnavailable, f"no answer within {self.dest.timeout_s:g} s ({type(exc).__name__})"
                ) from None
            except httpx.TransportError as exc:
                raise self._error(ConnectorUnavailable, f"not reachable ({type(exc).__name__})") from None
            status = response.status_code
            if status < 300:
                return
            detail = f"HTTP {status} {response.reason_phrase}: {response.text[:200].strip()}"
            if status in _RETRYABLE:
                raise self._error(ConnectorUnavailable, detail)
            if status >= 500:
                raise self._error(ConnectorError, detail)
            raise self._error(RequestRejectedError, detail + " (check the destination's URL / key)", status_code=status)

        await guarded_call(self.breaker, once, retry=self.dest.retry, description=f"{n['action']} {n['dedup_key']}")

    async def aclose(self) -> None:
        await self._client.aclose()


class MqttSender:
    """One MQTT broker (paho-mqtt 2.x, a short connection per delivery in a worker thread)."""

    def __init__(self, name: str, dest: MqttDestination, clock: Callable[[], float] | None = None) -> None:
        self.name = name
        self.dest = dest
        self.kind = "mqtt"
        self.endpoint = destination_endpoint(dest)
        self.breaker = AsyncCircuitBreaker(f"alerts:{name}", dest.breaker, endpoint=self.endpoint, clock=clock)

    def _publish(self, topic: str, payload: bytes) -> None:
        import paho.mqtt.client as mqtt

        d = self.dest
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=d.client_id, protocol=mqtt.MQTTv311)
        client.connect_timeout = d.timeout_s
        if d.username is not None:
            client.username_pw_set(d.username, d.password.get_secret_value() if d.password else None)
        if d.tls:
            client.tls_set()
        connected = threading.Event()
        refused: list[str] = []

        def on_connect(_c: Any, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
            if reason.is_failure:
                refused.append(str(reason))
            connected.set()

        client.on_connect = on_connect
        where = f"alert destination '{self.name}' (mqtt, {self.endpoint})"
        try:
            client.connect(d.host, d.port, keepalive=max(5, int(d.timeout_s * 2)))
        except OSError as exc:
            raise ConnectorUnavailable(
                f"{where}: broker not reachable ({type(exc).__name__}: {exc.strerror or exc})",
                service=self.breaker.name,
                endpoint=self.endpoint,
            ) from None
        client.loop_start()
        try:
            if not connected.wait(d.timeout_s):
                raise ConnectorUnavailable(
                    f"{where}: no CONNACK within {d.timeout_s:g} s", service=self.breaker.name, endpoint=self.endpoint
                )
            if refused:
                raise RequestRejectedError(
                    f"{where}: broker refused the connection ({refused[0]}); check username/password and ACLs",
                    service=self.breaker.name,
                    endpoint=self.endpoint,
                )
            info = client.publish(topic, payload, qos=d.qos, retain=d.retain)
            try:
                info.wait_for_publish(timeout=d.timeout_s)
            except (RuntimeError, ValueError) as exc:
                raise ConnectorUnavailable(
                    f"{where}: publish failed ({exc})", service=self.breaker.name, endpoint=self.endpoint
                ) from None
            if not info.is_published():
                raise ConnectorUnavailable(
                    f"{where}: publish not acknowledged within {d.timeout_s:g} s",
                    service=self.breaker.name,
                    endpoint=self.endpoint,
                )
        finally:
            client.disconnect()
            client.loop_stop()

    async def send(self, n: dict[str, Any]) -> None:
        topic = mqtt_topic(self.dest.topic_prefix, n)
        payload = json.dumps(n, sort_keys=True).encode("utf-8")

        async def once() -> None:
            await asyncio.to_thread(self._publish, topic, payload)

        await guarded_call(self.breaker, once, retry=self.dest.retry, description=f"{n['action']} {n['dedup_key']}")

    async def aclose(self) -> None:
        return None


def make_sender(name: str, dest: Any, clock: Callable[[], float] | None = None) -> WebhookSender | MqttSender:
    """The sender of a configured destination."""
    if isinstance(dest, MqttDestination):
        return MqttSender(name, dest, clock)
    return WebhookSender(name, dest, clock)
