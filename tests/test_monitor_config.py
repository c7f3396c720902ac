# SPDX-License-Identifier: MIT
"""[monitor] and [alerts] in the plant configuration: every mistake named by its key path,
secrets never echoed; the bundled example's alert rules load; ``condensync monitor`` refuses a
bad configuration with exit code 2."""

from __future__ import annotations

import copy

import pytest
from _live_helpers import example_data, to_toml

from condensync_tools import cli
from condensync_tools.config import EXAMPLE_CONFIG, ConfigError, load_config

SLACK_SECRET = "T000/B000/XyZsecretTOKEN"


def _write(tmp_path, monitor=None, alerts=None):
    data = copy.deepcopy(example_data())
    data.pop("monitor", None)
    data.pop("alerts", None)
    if monitor is not None:
        data["monitor"] = monitor
    if alerts is not None:
        data["alerts"] = alerts
    path = tmp_path / "plant.toml"
    path.write_text(to_toml(data), "utf-8")
    return path


def _problems(path) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return str(info.value)


def test_every_mistake_is_named_by_key_path_and_secrets_are_not_echoed(tmp_path):
    path = _write(
        tmp_path,
        monitor={"interval_s": 0.01, "intervall_s": 5, "condensers": ["unit9"]},
        alerts={
            "rules": [
                {"name": "bp", "kind": "backpressure_deviation_above"},
                {"name": "air", "kind": "air_inleakage", "severity_at_least": "extreme"},
                {"name": "cf", "kind": "cleanliness_below", "condensers": ["unit9"], "destinations": ["nowhere"]},
            ],
            "destinations": {
                "slack": {"kind": "slack", "url": f"ftp://hooks.slack.com/services/{SLACK_SECRET}"},
                "pd": {"kind": "pagerduty", "routing_key": "short-secret-key"},
                "bus": {"kind": "mqtt", "host": "127.0.0.1", "topic_prefix": "plant/#"},
                "sms": {"kind": "sms"},
            },
        },
    )
    text = _problems(path)
    for fragment in (
        "monitor.interval_s: Input should be greater than or equal to 0.2",
        "monitor.intervall_s: Extra inputs are not permitted",
        "alerts.rules.0: Value error, rule 'bp' of kind 'backpressure_deviation_above' needs a threshold",
        "alerts.rules.1.severity_at_least: Input should be 'low', 'moderate', 'high' or 'severe'",
        "alerts.destinations.slack.slack.url: Value error, must be an http(s):// URL",
        "alerts.destinations.pd.pagerduty.routing_key: Value error, must be the 32-character",
        "alerts.destinations.bus.mqtt.topic_prefix: Value error",
        "alerts.destinations.sms: Input tag 'sms' found using 'kind' does not match",
    ):
        assert fragment in text, (fragment, text)
    assert SLACK_SECRET not in text and "short-secret-key" not in text


def test_references_to_unknown_condensers_and_destinations(tmp_path):
    text = _problems(
        _write(
            tmp_path,
            monitor={"condensers": ["unit9"]},
            alerts={"rules": [{"name": "cf", "kind": "cleanliness_below", "destinations": ["nowhere"]}]},
        )
    )
    assert "monitor.condensers: 'unit9' is not a configured condenser (unit3)" in text
    assert "rule 'cf' names unknown destination(s) nowhere (configured: none)" in text
    text = _problems(
        _write(tmp_path, alerts={"rules": [{"name": "cf", "kind": "cleanliness_below", "condensers": ["unit9"]}]})
    )
    assert "alerts.rules.0.condensers: 'unit9' is not a configured condenser (unit3)" in text
    text = _problems(
        _write(
            tmp_path,
            alerts={
                "rules": [
                    {"name": "down", "kind": "connector_down", "threshold": 60, "services": ["unit3_dsc"]},
                    {"name": "stale", "kind": "stale_tag", "tags": ["condenser_presure"]},
                ]
            },
        )
    )
    assert "alerts.rules.0.services: 'unit3_dsc' not configured (known: cmms, unit3_ct_plc, unit3_dcs)" in text
    assert "alerts.rules.1.tags: 'condenser_presure' not configured (known: air_extraction_temp" in text


def test_the_bundled_example_has_valid_alert_rules():
    config = load_config(EXAMPLE_CONFIG)
    assert config.monitor is not None and config.monitor.interval_s == 300.0
    kinds = {r.kind for r in config.alerts.rules}
    assert {"cleanliness_below", "air_inleakage", "connector_down", "stale_tag"} <= kinds


def test_monitor_command_refuses_a_bad_configuration(tmp_path, capsys):
    path = _write(tmp_path, alerts={"rules": [{"name": "Bad Name", "kind": "stale_tag"}]})
    assert cli.main(["monitor", "--once", "--config", str(path), "--no-ledger"]) == 2
    assert "alerts.rules.0: Value error, rule name 'Bad Name' must be snake_case" in capsys.readouterr().err


def test_requeue_rejected_puts_refused_notifications_back(tmp_path, capsys):
    from condensync_tools.monitor.outbox import Outbox

    outbox_path = tmp_path / "outbox.db"
    path = _write(
        tmp_path,
        monitor={"outbox_path": str(outbox_path)},
        alerts={
            "destinations": {"ops_slack": {"kind": "slack", "url": f"https://hooks.slack.com/services/{SLACK_SECRET}"}}
        },
    )
    outbox = Outbox(outbox_path)
    item = outbox.add("ops_slack", "condensync:air:unit3", "trigger", {"action": "trigger"}, 0.0)
    outbox.failed(item, "HTTP 404 Not Found", 1.0, rejected=True)
    assert outbox.counts()["ops_slack"]["rejected"] == 1
    assert cli.main(["monitor", "--config", str(path), "--requeue-rejected", "ops_slack"]) == 0
    assert '"requeued": 1' in capsys.readouterr().out
    assert outbox.counts()["ops_slack"] == {"pending": 1, "rejected": 0, "delivered": 0}
    outbox.close()
    assert cli.main(["monitor", "--config", str(path), "--requeue-rejected", "pager"]) == 2
    assert "'pager' is not a configured destination (ops_slack)" in capsys.readouterr().err
