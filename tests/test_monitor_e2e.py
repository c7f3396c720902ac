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
import subprocess
import threading
import time
from dataclasses import replace

import paho.mqtt.client as mqtt
import pytest
from _live_helpers import LivePlant, example_data, fast_settings, free_port, wait_for
from _monitor_helpers import MOSQUITTO, Receiver
from prometheus_client import generate_latest

from condensync_tools.monitor.service import Monitor
from condensync_tools.monitor.settings import AlertsSettings, MonitorSettings
from condensync_tools.recording import StoreRecorder
from condensync_tools.registry import ExecutionContext, execute
from condensync_tools.store import Store


def _broker_up() -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", 1883)) == 0


RULES = [
    {
        "name": "air_leak",
        "kind": "air_inleakage",
        "severity_at_least": "moderate",
        "cooldown_s": 0.0,
        "severity": "critical",
    },
    {"name": "tubes_fouled", "kind": "cleanliness_below"},
    {"name": "pressure_tag_stale", "kind": "stale_tag", "tags": ["condenser_pressure"]},
]


@pytest.fixture(scope="module")
def plant(tmp_path_factory):
    """The simulator and its connectors (one per module: starting them takes seconds)."""
    if not _broker_up():
        pytest.skip("no MQTT broker on 127.0.0.1:1883 (.ci/run starts one)")
    live = LivePlant(
        tmp_path_factory.mktemp("monitor_e2e"), fast_settings(example_data(), free_port(), free_port()), seed=5
    )
    yield live
    live.close()


def monitored(config, tmp_path, destinations: dict):
    """``config`` with a 0.5 s monitor and the air/cleanliness/stale rules to ``destinations``."""
    return replace(
        config,
        monitor=MonitorSettings(
            interval_s=0.5,
            run_timeout_s=5.0,
            retry_interval_s=0.2,
            max_retry_delay_s=0.5,
            outbox_path=tmp_path / "outbox.db",
        ),
        alerts=AlertsSettings.model_validate({"rules": RULES, "destinations": destinations}),
    )


class Subscriber:
    """A paho subscriber to ``<prefix>/#`` on 127.0.0.1:``port``."""

    def __init__(self, port: int, prefix: str) -> None:
        self.got: list[tuple[str, dict]] = []
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self.client.on_message = lambda c, u, m: m.payload and self.got.append((m.topic, json.loads(m.payload)))
        ready = threading.Event()
        self.client.on_subscribe = lambda *a: ready.set()
        self.client.on_connect = lambda c, *a: c.subscribe(f"{prefix}/#", qos=1)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert ready.wait(5.0)

    def close(self, clear_topic: str = "") -> None:
        if clear_topic:
            self.client.publish(clear_topic, b"", qos=1, retain=True).wait_for_publish(5)
        self.client.loop_stop()
        self.client.disconnect()


@pytest.fixture
def setup(plant, tmp_path):
    receiver = Receiver(free_port())
    receiver.start()
    prefix = f"condensync-e2e/{receiver.port}"
    config = monitored(
        plant.config,
        tmp_path,
        {
            "ops_slack": {"kind": "slack", "url": f"http://127.0.0.1:{receiver.port}/hook/T0/B0/SECRET"},
            "broker": {"kind": "mqtt", "host": "127.0.0.1", "port": 1883, "topic_prefix": prefix},
        },
    )
    store = Store(f"sqlite:///{tmp_path / 'ledger.db'}", auto_upgrade=True)
    context = ExecutionContext(
        design=config, live=plant.manager, recorder=StoreRecorder(store), services={"store": store}
    )
    sub = Subscriber(1883, prefix)
    yield plant, config, context, store, receiver, sub.got, prefix
    sub.close(f"{prefix}/unit3/air_leak")
    receiver.stop()
    store.close()


async def until(monitor, check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}; status {monitor.status()}")
        await asyncio.sleep(0.05)


def test_monitor_raises_dedups_and_resolves_an_air_alert(setup):
    """...and a restart of the monitor while the alert fires neither triggers it again nor
    forgets to resolve it (rule states persist in the outbox file)."""
    live, config, context, store, receiver, got, prefix = setup
    first, second = Monitor(config, context), None

    def slack_actions() -> list[str]:
        return [b["text"].split("]")[0].lstrip("[") for _, b in receiver.received]

    async def run_until(monitor: Monitor, steps) -> dict:
        stop = asyncio.Event()
        task = asyncio.create_task(monitor.run(stop))
        try:
            await steps(monitor)
            return monitor.status()
        finally:
            stop.set()
            await task
            await monitor.aclose()

    async def fire(monitor: Monitor) -> None:
        runs_ok = lambda: monitor.runs["unit3"]["ok"]  # noqa: E731
        await asyncio.to_thread(live.sim.inject, "cw_pump_trip")
        await until(monitor, lambda: runs_ok() >= 2, 20, "two runs on two CW pumps")
        assert slack_actions() == []
        await asyncio.to_thread(live.sim.inject, "air_inleakage")
        await until(monitor, lambda: slack_actions() == ["CRITICAL"], 20, "air alert delivered")
        fired_at = runs_ok()
        await until(monitor, lambda: runs_ok() >= fired_at + 3, 20, "three more runs while firing")
        assert slack_actions() == ["CRITICAL"]  # deduplicated

    async def resolve(monitor: Monitor) -> None:
        await until(monitor, lambda: monitor.runs["unit3"]["ok"] >= 2, 20, "two runs after the restart")
        assert slack_actions() == ["CRITICAL"]  # still firing, not triggered again
        await asyncio.to_thread(live.sim.inject, "clear")
        await until(monitor, lambda: slack_actions() == ["CRITICAL", "RESOLVED"], 20, "resolve delivered")
        await until(monitor, lambda: len(got) >= 2, 10, "MQTT trigger and resolve")

    async def scenario() -> dict:
        nonlocal second
        await run_until(first, fire)
        second = Monitor(config, context)  # restart: same plant file, same outbox
        assert second.states[("air_leak", "unit3")].state.value == "firing"
        return await run_until(second, resolve)

    status = asyncio.run(scenario())
    assert [(t, m["action"]) for t, m in got] == [
        (f"{prefix}/unit3/air_leak", "trigger"),
        (f"{prefix}/unit3/air_leak", "resolve"),
    ]
    trigger = got[0][1]
    assert trigger["dedup_key"] == "condensync:air_leak:unit3" and trigger["details"]["air_severity"] in (
        "moderate",
        "high",
        "severe",
    )
    # the alert names the analysis that raised it; that analysis is in the ledger
    analysis = store.find_by_provenance_hash(trigger["analysis_provenance_hash"])
    assert analysis is not None and analysis.tool == "analyze_condenser_performance" and analysis.caller == "monitor"
    alerts = [e for e in store.last_entries(500) if e.tool == "monitor.alert"]
    assert [(e.result["rule"], e.result["action"]) for e in alerts] == [
        ("air_leak", "trigger"),
        ("air_leak", "resolve"),
    ]
    deliveries = [e for e in store.last_entries(500) if e.tool == "monitor.delivery" and not e.is_error]
    assert sorted((e.arguments["destination"], e.arguments["action"]) for e in deliveries) == [
        ("broker", "resolve"),
        ("broker", "trigger"),
        ("ops_slack", "resolve"),
        ("ops_slack", "trigger"),
    ]
    assert all("SECRET" not in json.dumps(e.to_dict()) for e in deliveries)
    assert store.verify().ok
    # regular samples in the condenser history; the alert events too
    stored = store.results("unit3", tool="analyze_condenser_performance")
    assert len(stored) >= first.runs["unit3"]["ok"] + second.runs["unit3"]["ok"] >= 9
    assert [r["name"] for r in store.readings("unit3", event_type="alert")] == ["air_leak", "air_leak"]
    # the air-depressed cleanliness did not raise the cleaning alert; health and metrics
    assert status["alerts"] and all(a["rule"] != "tubes_fouled" for a in status["alerts"])
    assert {d["name"]: d["pending"] for d in status["destinations"]} == {"ops_slack": 0, "broker": 0}
    text = generate_latest(first.metrics.registry).decode()
    assert 'condensync_alert_events_total{action="trigger",condenser_id="unit3",rule="air_leak"} 1.0' in text
    assert 'condensync_notifications_total{destination="ops_slack",outcome="delivered"} 1.0' in text
    text = generate_latest(second.metrics.registry).decode()
    assert 'condensync_alert_events_total{action="resolve",condenser_id="unit3",rule="air_leak"} 1.0' in text
    assert 'action="trigger"' not in text
    assert "SECRET" not in text + json.dumps(status)


@pytest.mark.slow
def test_receiver_and_broker_down_notifications_wait_are_reported_and_arrive(plant, tmp_path):
    """The Slack receiver and the MQTT broker are down when the air alert fires: the
    notifications stay in the outbox, connector_status reports them (endpoint masked), the
    ledger records the failed attempts; once both are back everything arrives, in order."""
    hook_port, mqtt_port = free_port(), free_port()
    prefix = f"condensync-outage/{mqtt_port}"
    fast = {
        "retry": {"attempts": 1},
        "breaker": {"fail_max": 2, "reset_timeout_s": 0.3, "success_threshold": 1},
        "timeout_s": 1.0,
    }
    config = monitored(
        plant.config,
        tmp_path,
        {
            "ops_slack": {"kind": "slack", "url": f"http://127.0.0.1:{hook_port}/hook/T0/B0/SECRET", **fast},
            "broker": {
                "kind": "mqtt",
                "host": "127.0.0.1",
                "port": mqtt_port,
                "topic_prefix": prefix,
                "password": "mqtt-SECRET",
                "username": "monitor",
                **fast,
            },
        },
    )
    store = Store(f"sqlite:///{tmp_path / 'ledger.db'}", auto_upgrade=True)
    monitor = Monitor(
        config,
        ExecutionContext(design=config, live=plant.manager, recorder=StoreRecorder(store), services={"store": store}),
    )
    receiver = Receiver(hook_port)
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(f"listener {mqtt_port} 127.0.0.1\nallow_anonymous true\npersistence false\n", "utf-8")
    status_ctx = ExecutionContext(design=config, live=plant.manager, services={"monitor": monitor})
    broker = sub = None

    def waiting() -> dict:
        return {d["name"]: d["pending"] for d in monitor.status()["destinations"]}

    async def scenario() -> dict:
        nonlocal broker, sub
        stop = asyncio.Event()
        task = asyncio.create_task(monitor.run(stop))
        try:
            await asyncio.to_thread(plant.sim.inject, "air_inleakage")
            await until(monitor, lambda: waiting() == {"ops_slack": 1, "broker": 1}, 20, "trigger queued")
            await until(
                monitor,
                lambda: (
                    (
                        monitor.metrics.registry.get_sample_value(
                            "condensync_notifications_total", {"destination": "broker", "outcome": "failed"}
                        )
                        or 0
                    )
                    >= 2
                ),
                10,
                "retried",
            )
            during = execute("connector_status", {"condenser_id": "unit3"}, status_ctx).result
            receiver.start()
            broker = subprocess.Popen(
                [MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            wait_for(lambda: socket.create_connection(("127.0.0.1", mqtt_port), 0.2).close() or True, 10, "broker")
            sub = Subscriber(mqtt_port, prefix)  # not retained here (persistence off): subscribe before delivery
            await until(monitor, lambda: waiting() == {"ops_slack": 0, "broker": 0}, 20, "trigger delivered")
            await asyncio.to_thread(plant.sim.inject, "clear")
            await until(monitor, lambda: len(receiver.received) == 2 and len(sub.got) == 2, 20, "resolve delivered")
            return during
        finally:
            stop.set()
            await task
            after = execute("connector_status", {"condenser_id": "unit3"}, status_ctx).result
            await monitor.aclose()
            assert after["undelivered_notifications"] == 0, after["notifications"]

    try:
        during = asyncio.run(scenario())
        dests = {d["name"]: d for d in during["notifications"]}
        assert during["undelivered_notifications"] == 2 and not during["healthy"] and during["monitor_running"]
        assert dests["ops_slack"]["pending"] == 1 and "not reachable" in dests["ops_slack"]["last_error"]
        assert dests["ops_slack"]["endpoint"] == f"http://127.0.0.1:{hook_port}/***"
        assert "broker not reachable" in dests["broker"]["last_error"]
        assert any("alert destination 'broker'" in w for w in during["warnings"])
        assert "SECRET" not in json.dumps(during)
        assert [b["text"].split("]")[0] for _, b in receiver.received] == ["[CRITICAL", "[RESOLVED"]
        assert [m["action"] for _, m in sub.got] == ["trigger", "resolve"]
        failed = [e for e in store.last_entries(500) if e.tool == "monitor.delivery" and e.is_error]
        assert {e.arguments["destination"] for e in failed} == {"ops_slack", "broker"}
        assert "SECRET" not in json.dumps([e.to_dict() for e in failed]) and store.verify().ok
    finally:
        if sub is not None:
            sub.close()
        if broker is not None:
            broker.terminate()
            broker.wait(10)
        receiver.stop()
        store.close()


@pytest.mark.slow
def test_plant_connectors_down_monitor_keeps_running_and_alerts(plant, tmp_path):
    """The simulator (DCS and PLC) stops: runs fail fast (breakers), the analysis rules hold,
    the connector_down rule fires after its threshold; the plant comes back: runs succeed
    again and the alert resolves."""
    receiver = Receiver(free_port())
    receiver.start()
    rules = [
        {
            "name": "dcs_down",
            "kind": "connector_down",
            "threshold": 1.0,
            "services": ["unit3_dcs"],
            "cooldown_s": 0.0,
            "severity": "error",
        },
        RULES[0],
    ]
    teams = {"ops_teams": {"kind": "teams", "url": f"http://127.0.0.1:{receiver.port}/workflows/SECRET"}}
    config = replace(
        monitored(plant.config, tmp_path, {}),
        alerts=AlertsSettings.model_validate({"rules": rules, "destinations": teams}),
    )
    monitor = Monitor(config, ExecutionContext(design=config, live=plant.manager))

    def titles() -> list[str]:
        return [b["attachments"][0]["content"]["body"][0]["text"] for _, b in receiver.received]

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(monitor.run(stop))
        try:
            await until(monitor, lambda: monitor.runs["unit3"]["ok"] >= 1, 20, "a run with the plant up")
            await asyncio.to_thread(plant.sim.stop)
            await until(monitor, lambda: len(titles()) == 1, 30, "connector_down alert")
            assert monitor.runs["unit3"]["errors"] >= 1 and monitor.started
            ok_before = monitor.runs["unit3"]["ok"]
            await asyncio.to_thread(plant.sim.start)
            await until(monitor, lambda: len(titles()) == 2, 30, "connector_down resolved")
            await until(monitor, lambda: monitor.runs["unit3"]["ok"] > ok_before, 30, "runs succeed again")
        finally:
            stop.set()
            await task
            await monitor.aclose()
            receiver.stop()

    asyncio.run(scenario())
    assert titles()[0].startswith("[ERROR] unit3: connector unit3_dcs down for")
    assert titles()[1].startswith("[RESOLVED] unit3:")
    assert monitor.runs["unit3"]["timeouts"] == 0


class SlowLive:
    """The real connector manager, each read delayed (a DCS answering slowly); counts the reads
    in flight."""

    def __init__(self, manager, delay_s: float) -> None:
        self.manager, self.delay_s = manager, delay_s
        self.in_flight = self.max_in_flight = 0
        self._lock = threading.Lock()

    def read(self, condenser_id, fields):
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(self.delay_s)
            return self.manager.read(condenser_id, fields)
        finally:
            with self._lock:
                self.in_flight -= 1

    def status(self, condenser_id=None, timeout=10.0):
        return self.manager.status(condenser_id, timeout)


@pytest.mark.slow
def test_slow_runs_time_out_and_ticks_are_skipped_not_piled_up(plant, tmp_path):
    config = monitored(plant.config, tmp_path, {})
    config = replace(config, monitor=config.monitor.model_copy(update={"interval_s": 0.3, "run_timeout_s": 0.5}))
    slow = SlowLive(plant.manager, 1.0)
    monitor = Monitor(config, ExecutionContext(design=config, live=slow))

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(monitor.run(stop))
        await until(monitor, lambda: monitor.runs["unit3"]["timeouts"] >= 2, 15, "two timed-out runs")
        stop.set()
        await task
        await monitor.aclose()

    asyncio.run(scenario())
    runs = monitor.runs["unit3"]
    assert runs["skipped"] >= 2 and runs["ok"] == 0 and slow.max_in_flight == 1, runs
    assert "run_timeout_s" in runs["last_error"]
    assert (
        monitor.metrics.registry.get_sample_value("condensync_monitor_runs_skipped_total", {"condenser_id": "unit3"})
        == runs["skipped"]
    )


@pytest.mark.slow
def test_serve_http_with_monitor_exposes_health_and_metrics(plant, tmp_path):
    import os
    import sys
    import tomllib
    import urllib.request
    from pathlib import Path

    from _live_helpers import to_toml

    data = tomllib.loads(Path(plant.config.path).read_text("utf-8"))
    data["monitor"] = {"interval_s": 0.5, "outbox_path": str(tmp_path / "outbox.db")}
    data["alerts"] = {"rules": RULES[:1]}
    path = tmp_path / "plant.toml"
    path.write_text(to_toml(data), "utf-8")
    port, metrics_port = free_port(), free_port()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "condensync_tools",
            "serve",
            "--transport",
            "http",
            "--no-auth",
            "--monitor",
            "--config",
            str(path),
            "--port",
            str(port),
            "--metrics-port",
            str(metrics_port),
            "--database-url",
            f"sqlite:///{tmp_path / 'ledger.db'}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )

    def get(url: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    try:
        health = wait_for(
            lambda: (lambda r: r[0] == 200 and json.loads(r[1])["condensers"][0]["ok"] >= 2 and r)(
                get(f"http://127.0.0.1:{port}/health/monitor")
            ),
            60,
            "monitor runs inside serve",
        )
        body = json.loads(health[1])
        assert body["running"] and body["condensers"][0]["condenser_id"] == "unit3"
        _, metrics = get(f"http://127.0.0.1:{metrics_port}/metrics")
        assert 'condensync_monitor_runs_total{condenser_id="unit3",outcome="ok"}' in metrics
        assert "condensync_tool_calls_total" in metrics  # the service's own series, same registry
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    # uvicorn re-raises the SIGTERM it handled after a graceful shutdown: -15 is a clean stop
    assert proc.returncode in (0, -15) and "Traceback" not in err.decode(), err.decode()[-2000:]
    assert "Application shutdown complete" in err.decode()
