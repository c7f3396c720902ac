# SPDX-License-Identifier: MIT
"""Alert delivery with real parts: Slack, Teams and PagerDuty webhook receivers (uvicorn +
starlette on 127.0.0.1), the real Mosquitto broker (subscribed with paho), the SQLite outbox and
the SQLite audit ledger. A receiver or broker that is down: the notifications stay in the
outbox, the failures are counted, reported (masked) and recorded; once it is back they arrive,
in order, and nothing is lost."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import threading
import time

import paho.mqtt.client as mqtt
import pytest
from _live_helpers import free_port, wait_for
from _monitor_helpers import MOSQUITTO, Receiver
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from condensync_tools.monitor.dispatch import Dispatcher
from condensync_tools.monitor.metrics import MonitorMetrics
from condensync_tools.monitor.outbox import Outbox
from condensync_tools.monitor.settings import AlertsSettings
from condensync_tools.store import Store
from connectors.notify import make_sender

ROUTING_KEY = "R0UT1NGKEY0123456789abcdefABCDEF"
SECRET_PATH = "T0000/B0000/S3CR3TT0K3N"
FAST = {
    "timeout_s": 2.0,
    "retry": {"attempts": 2, "backoff_initial_s": 0.05, "backoff_max_s": 0.1, "jitter_s": 0.0},
    "breaker": {"fail_max": 2, "call_timeout_s": 5.0, "reset_timeout_s": 0.3, "success_threshold": 1},
}


def note(action: str, n: int = 1) -> dict:
    return {
        "action": action,
        "dedup_key": "condensync:air:unit3",
        "rule": "air",
        "kind": "air_inleakage",
        "condenser_id": "unit3",
        "severity": "critical",
        "summary": f"air in-leakage severity high #{n}",
        "value": 3.0,
        "threshold": None,
        "unit": "level",
        "at": "2026-12-07T02:00:00Z",
        "analysis_provenance_hash": "ab" * 32,
        "plant": "Example Station",
        "details": {"air_severity": "high"},
    }


def dispatcher(tmp_path, destinations: dict, store=None) -> Dispatcher:
    alerts = AlertsSettings.model_validate({"destinations": destinations})
    senders = {n: make_sender(n, d) for n, d in alerts.destinations.items()}
    outbox = Outbox(tmp_path / "outbox.db", retry_interval_s=0.05, max_retry_delay_s=0.2)
    return Dispatcher(senders, outbox, MonitorMetrics(), store)


async def drain(d: Dispatcher, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await d.deliver_pending()
        if all(s["pending"] == 0 for s in d.status()):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"still pending: {d.status()}")


def test_webhooks_down_then_up_deliver_everything_in_order(tmp_path, caplog):
    caplog.set_level(logging.INFO)  # httpx logs each request URL at INFO: the webhook URL must be masked
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    store = Store(f"sqlite:///{tmp_path / 'ledger.db'}", auto_upgrade=True)
    d = dispatcher(
        tmp_path,
        {
            "ops_slack": {"kind": "slack", "url": f"{base}/slack/{SECRET_PATH}", **FAST},
            "ops_teams": {"kind": "teams", "url": f"{base}/teams/{SECRET_PATH}", **FAST},
            "pager": {"kind": "pagerduty", "url": f"{base}/pd/v2/enqueue", "routing_key": ROUTING_KEY, **FAST},
        },
        store,
    )
    receiver = Receiver(port)

    async def scenario() -> None:
        await d.enqueue(note("trigger"))
        await d.enqueue(note("resolve"))
        assert await d.deliver_pending() == 0  # receiver down
        status = {s["name"]: s for s in d.status()}
        for s in status.values():
            assert s["pending"] == 2 and "not reachable" in s["last_error"], s
        assert status["ops_slack"]["endpoint"] == f"http://127.0.0.1:{port}/***"
        await asyncio.sleep(0.3)
        await d.deliver_pending()  # second failed attempt: breakers open
        assert {s["breaker_state"] for s in d.status()} == {"open"}
        receiver.start()
        try:
            await drain(d)
        finally:
            receiver.stop()

    try:
        asyncio.run(scenario())
        by_path = {}
        for path, body in receiver.received:
            by_path.setdefault(path.split("/")[1], []).append(body)
        slack, teams, pd = by_path["slack"], by_path["teams"], by_path["pd"]
        assert [b["text"].split("]")[0] for b in slack] == ["[CRITICAL", "[RESOLVED"]  # in order
        assert (
            slack[0]["blocks"][0]["type"] == "section"
            and "condensync:air:unit3" in slack[0]["blocks"][0]["text"]["text"]
        )
        card = teams[0]["attachments"][0]
        assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert card["content"]["type"] == "AdaptiveCard" and card["content"]["body"][1]["type"] == "FactSet"
        assert [b["event_action"] for b in pd] == ["trigger", "resolve"]
        assert {b["dedup_key"] for b in pd} == {"condensync:air:unit3"} and pd[0]["routing_key"] == ROUTING_KEY
        assert pd[0]["payload"]["severity"] == "critical" and pd[0]["payload"]["source"] == "condensync/unit3"
        assert pd[0]["payload"]["custom_details"]["analysis_provenance_hash"] == "ab" * 32
        assert set(pd[1]) == {"routing_key", "event_action", "dedup_key"}
        assert all(s["pending"] == 0 and s["delivered"] == 2 for s in d.status())
        # every attempt is in the ledger; failures with masked errors; nothing secret anywhere
        entries = [e for e in store.last_entries(100) if e.tool == "monitor.delivery"]
        assert sum(not e.is_error for e in entries) == 6 and sum(e.is_error for e in entries) >= 6
        assert all(e.result["analysis_provenance_hash"] == "ab" * 32 for e in entries if not e.is_error)
        text = json.dumps([e.to_dict() for e in entries]) + json.dumps(d.status())
        assert SECRET_PATH not in text and ROUTING_KEY not in text
        assert "HTTP Request: POST" in caplog.text and SECRET_PATH not in caplog.text
        assert store.verify().ok
    finally:
        store.close()
        d.outbox.close()


def test_rejected_delivery_is_kept_and_reported(tmp_path):
    port = free_port()
    d = dispatcher(
        tmp_path,
        {"pager": {"kind": "pagerduty", "url": f"http://127.0.0.1:{port}/nowhere", "routing_key": ROUTING_KEY, **FAST}},
    )

    app = Starlette(
        routes=[Route("/nowhere", lambda r: JSONResponse({"status": "invalid event"}, 400), methods=["POST"])]
    )
    receiver = Receiver(port)
    receiver.app = app

    async def scenario() -> None:
        await d.enqueue(note("trigger"))
        receiver.start()
        try:
            await d.deliver_pending()
        finally:
            receiver.stop()

    asyncio.run(scenario())
    (status,) = d.status()
    assert status["rejected"] == 1 and status["pending"] == 0 and "HTTP 400" in status["last_error"]
    assert status["breaker_state"] == "closed"  # the receiver answered: not an outage
    assert d.outbox.retry_rejected("pager", time.time()) == 1
    d.outbox.close()


def subscribe(port: int, topic: str) -> tuple[mqtt.Client, list[tuple[str, dict, bool]]]:
    got: list[tuple[str, dict, bool]] = []
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.on_message = lambda c, u, m: m.payload and got.append((m.topic, json.loads(m.payload), bool(m.retain)))
    subscribed = threading.Event()
    client.on_subscribe = lambda *a: subscribed.set()
    client.on_connect = lambda c, *a: c.subscribe(topic, qos=1)
    client.connect("127.0.0.1", port)
    client.loop_start()
    assert subscribed.wait(5.0), "subscription"
    return client, got


def test_mqtt_broker_down_then_up(tmp_path):
    port = free_port()
    prefix = f"condensync-test/{port}"
    d = dispatcher(
        tmp_path,
        {
            "broker": {
                "kind": "mqtt",
                "host": "127.0.0.1",
                "port": port,
                "topic_prefix": prefix,
                "username": "monitor",
                "password": "mqtt-pass-secret",
                **FAST,
            }
        },
    )
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n", "utf-8")

    async def scenario() -> subprocess.Popen:
        await d.enqueue(note("trigger"))
        await d.enqueue(note("resolve"))
        await d.deliver_pending()
        (s,) = d.status()
        assert s["pending"] == 2 and "broker not reachable" in s["last_error"], s
        broker = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: subscribe_ok(port), 10.0, "test broker listening")
        client, got = subscribe(port, f"{prefix}/#")
        try:
            await drain(d)
            wait_for(lambda: len(got) == 2, 5.0, "two MQTT messages")
        finally:
            client.loop_stop()
            client.disconnect()
        assert [(t, m["action"]) for t, m, _ in got] == [
            (f"{prefix}/unit3/air", "trigger"),
            (f"{prefix}/unit3/air", "resolve"),
        ]
        assert got[0][1]["analysis_provenance_hash"] == "ab" * 32
        return broker

    broker = None
    try:
        broker = asyncio.run(scenario())
        assert "mqtt-pass-secret" not in json.dumps(d.status())
    finally:
        if broker is not None:
            broker.terminate()
            broker.wait(10)
        d.outbox.close()


def subscribe_ok(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_mqtt_to_the_running_mosquitto_retains_the_alert_state(tmp_path):
    if not subscribe_ok(1883):
        pytest.skip("no MQTT broker on 127.0.0.1:1883 (.ci/run starts one)")
    prefix = f"condensync-test/{free_port()}"
    d = dispatcher(tmp_path, {"broker": {"kind": "mqtt", "host": "127.0.0.1", "port": 1883, "topic_prefix": prefix}})

    async def scenario() -> None:
        await d.enqueue(note("trigger"))
        await drain(d)

    asyncio.run(scenario())
    client, got = subscribe(1883, f"{prefix}/#")  # subscribed AFTER the publish: the retained state arrives
    try:
        wait_for(lambda: got, 5.0, "retained message")
    finally:
        client.publish(f"{prefix}/unit3/air", b"", qos=1, retain=True).wait_for_publish(5)  # clear it
        client.loop_stop()
        client.disconnect()
        d.outbox.close()
    topic, message, retained = got[0]
    assert topic == f"{prefix}/unit3/air" and message["action"] == "trigger" and retained
