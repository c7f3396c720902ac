# SPDX-License-Identifier: MIT
"""End to end: the monitor against the simulator (real OPC UA + Modbus TCP servers on
127.0.0.1) with a CW pump trip and an injected air in-leakage. Runs every 0.5 s; the air alert
is raised once (deduplicated over the following runs), then resolved when the air is cleared,
and both notifications reach a Slack-shaped webhook receiver (uvicorn) and the Mosquitto broker
(subscribed with paho). Every run is stored to the condenser history and the ledger; the
alert records carry the provenance hash of the analysis that raised them, which is itself in
the ledger. The air-depressed cleanliness does not raise the cleaning alert."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time

import paho.mqtt.client as mqtt
import pytest
from _live_helpers import LivePlant, example_data, fast_settings, free_port, wait_for
from prometheus_client import generate_latest
from test_monitor_delivery import Receiver

from condensync_tools.monitor.service import Monitor
from condensync_tools.recording import StoreRecorder
from condensync_tools.registry import ExecutionContext
from condensync_tools.store import Store


def _broker_up() -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", 1883)) == 0


@pytest.fixture
def setup(tmp_path):
    if not _broker_up():
        pytest.skip("no MQTT broker on 127.0.0.1:1883 (.ci/run starts one)")
    receiver = Receiver(free_port())
    receiver.start()
    prefix = f"condensync-e2e/{receiver.port}"
    data = fast_settings(example_data(), free_port(), free_port())
    data["monitor"] = {"interval_s": 0.5, "run_timeout_s": 5.0, "retry_interval_s": 0.2, "max_retry_delay_s": 1.0,
                       "outbox_path": str(tmp_path / "outbox.db")}
    data["alerts"] = {
        "rules": [{"name": "air_leak", "kind": "air_inleakage", "severity_at_least": "moderate", "cooldown_s": 0.0,
                   "severity": "critical"},
                  {"name": "tubes_fouled", "kind": "cleanliness_below"},
                  {"name": "pressure_tag_stale", "kind": "stale_tag", "tags": ["condenser_pressure"]}],
        "destinations": {"ops_slack": {"kind": "slack", "url": f"http://127.0.0.1:{receiver.port}/hook/T0/B0/SECRET"},
                         "broker": {"kind": "mqtt", "host": "127.0.0.1", "port": 1883, "topic_prefix": prefix}}}
    live = LivePlant(tmp_path, data, seed=5)
    store = Store(f"sqlite:///{tmp_path / 'ledger.db'}", auto_upgrade=True)
    context = ExecutionContext(design=live.config, live=live.manager, recorder=StoreRecorder(store),
                               services={"store": store})
    got: list[tuple[str, dict]] = []
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.on_message = lambda c, u, m: m.payload and got.append((m.topic, json.loads(m.payload)))
    ready = threading.Event()
    client.on_subscribe = lambda *a: ready.set()
    client.on_connect = lambda c, *a: c.subscribe(f"{prefix}/#", qos=1)
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    assert ready.wait(5.0)
    yield live, context, store, receiver, got, prefix
    client.publish(f"{prefix}/unit3/air_leak", b"", qos=1, retain=True).wait_for_publish(5)
    client.loop_stop()
    client.disconnect()
    receiver.stop()
    live.close()
    store.close()


def test_monitor_raises_dedups_and_resolves_an_air_alert(setup):
    live, context, store, receiver, got, prefix = setup
    monitor = Monitor(live.config, context)

    def runs_ok() -> int:
        return monitor.runs["unit3"]["ok"]

    def slack_actions() -> list[str]:
        return [b["text"].split("]")[0].lstrip("[") for _, b in receiver.received]

    async def until(check, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"not within {timeout} s: {what}; status {monitor.status()}")
            await asyncio.sleep(0.05)

    async def scenario() -> dict:
        stop = asyncio.Event()
        task = asyncio.create_task(monitor.run(stop))
        try:
            await asyncio.to_thread(live.sim.inject, "cw_pump_trip")
            await until(lambda: runs_ok() >= 2, 20, "two runs on two CW pumps")
            assert slack_actions() == []
            await asyncio.to_thread(live.sim.inject, "air_inleakage")
            await until(lambda: slack_actions() == ["CRITICAL"], 20, "air alert delivered")
            fired_at = runs_ok()
            await until(lambda: runs_ok() >= fired_at + 3, 20, "three more runs while firing")
            assert slack_actions() == ["CRITICAL"]  # deduplicated
            await asyncio.to_thread(live.sim.inject, "clear")
            await until(lambda: slack_actions() == ["CRITICAL", "RESOLVED"], 20, "resolve delivered")
            await until(lambda: len(got) >= 2, 10, "MQTT trigger and resolve")
            return monitor.status()
        finally:
            stop.set()
            await task
            await monitor.aclose()

    status = asyncio.run(scenario())
    assert [(t, m["action"]) for t, m in got] == [(f"{prefix}/unit3/air_leak", "trigger"),
                                                  (f"{prefix}/unit3/air_leak", "resolve")]
    trigger = got[0][1]
    assert trigger["dedup_key"] == "condensync:air_leak:unit3" and trigger["details"]["air_severity"] in (
        "moderate", "high", "severe")
    # the alert names the analysis that raised it; that analysis is in the ledger
    analysis = store.find_by_provenance_hash(trigger["analysis_provenance_hash"])
    assert analysis is not None and analysis.tool == "analyze_condenser_performance" and analysis.caller == "monitor"
    alerts = [e for e in store.last_entries(500) if e.tool == "monitor.alert"]
    assert [(e.result["rule"], e.result["action"]) for e in alerts] == [("air_leak", "trigger"), ("air_leak", "resolve")]
    deliveries = [e for e in store.last_entries(500) if e.tool == "monitor.delivery" and not e.is_error]
    assert sorted((e.arguments["destination"], e.arguments["action"]) for e in deliveries) == [
        ("broker", "resolve"), ("broker", "trigger"), ("ops_slack", "resolve"), ("ops_slack", "trigger")]
    assert all("SECRET" not in json.dumps(e.to_dict()) for e in deliveries)
    assert store.verify().ok
    # regular samples in the condenser history; the alert events too
    stored = store.results("unit3", tool="analyze_condenser_performance")
    assert len(stored) >= monitor.runs["unit3"]["ok"] >= 7
    assert [r["name"] for r in store.readings("unit3", event_type="alert")] == ["air_leak", "air_leak"]
    # the air-depressed cleanliness did not raise the cleaning alert; health and metrics
    assert status["alerts"] and all(a["rule"] != "tubes_fouled" for a in status["alerts"])
    assert {d["name"]: d["pending"] for d in status["destinations"]} == {"ops_slack": 0, "broker": 0}
    text = generate_latest(monitor.metrics.registry).decode()
    assert 'condensync_alert_events_total{action="trigger",condenser_id="unit3",rule="air_leak"} 1.0' in text
    assert 'condensync_notifications_total{destination="ops_slack",outcome="delivered"} 2.0' in text
    assert "SECRET" not in text + json.dumps(status)
