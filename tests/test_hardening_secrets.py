# SPDX-License-Identifier: MIT
"""No secret in what the service shows: URLs (store, connector endpoints) have their userinfo
password and query values masked, configuration errors never echo a secret setting's value,
log lines are redacted. (The HTTP probes are checked end to end in
tests/service/test_http_hardening.py.)"""

from __future__ import annotations

import copy
import logging

import pytest
from _live_helpers import example_data, write_config

from condensync_tools.config import ConfigError, load_config
from condensync_tools.redaction import is_secret_name, redact_url
from condensync_tools.server.logging_setup import JsonFormatter
from condensync_tools.store import Store

SECRET = "s3cret-12345678901234"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            f"postgresql+psycopg://app:{SECRET}@db:5432/cs?sslmode=require",
            "postgresql+psycopg://app:***@db:5432/cs?sslmode=require",
        ),
        (f"postgresql+psycopg://app@db/cs?password={SECRET}", "postgresql+psycopg://app@db/cs?password=***"),
        (
            f"postgresql+psycopg://app@db/cs?sslpassword={SECRET}&connect_timeout=5",
            "postgresql+psycopg://app@db/cs?sslpassword=***&connect_timeout=5",
        ),
        (
            f"https://pi.plant.local/piwebapi?access_token={SECRET}#{SECRET}",
            "https://pi.plant.local/piwebapi?access_token=***#***",
        ),
        (f"opc.tcp://user:{SECRET}@plc:4840/ua", "opc.tcp://user:***@plc:4840/ua"),
        ("sqlite:////var/lib/condensync/ledger.db", "sqlite:////var/lib/condensync/ledger.db"),
    ],
)
def test_urls_are_shown_without_secrets(url, shown):
    assert redact_url(url) == shown


@pytest.mark.filterwarnings("ignore:Query string argument")
def test_store_url_masks_a_password_passed_as_a_query_parameter(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'x.db'}?mode=rwc&password={SECRET}") as store:
        assert SECRET not in store.url and "password=***" in store.url


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("apikey", 12345678901234),  # a number where a string is expected: pydantic echoes the input
        ("apikey", ["s3cret-in-a-list"]),
        ("password", 98765432109876),
    ],
)
def test_configuration_errors_never_echo_a_secret(tmp_path, setting, value):
    data = copy.deepcopy(example_data())
    data["condensers"]["unit3"]["cmms"][setting] = value
    with pytest.raises(ConfigError) as info:
        load_config(write_config(tmp_path / "plant.toml", data))
    text = str(info.value)
    assert f"cmms.{setting}" in text and "not shown: secret setting" in text
    assert str(value).strip("[]'") not in text


def test_configuration_errors_mask_a_url_with_credentials(tmp_path):
    data = copy.deepcopy(example_data())
    data["condensers"]["unit3"]["cmms"]["base_url"] = f"ftp://user:{SECRET}@maximo.local/?apikey={SECRET}"
    with pytest.raises(ConfigError) as info:
        load_config(write_config(tmp_path / "plant.toml", data))
    assert "cmms.base_url" in str(info.value) and SECRET not in str(info.value)


def test_secret_names():
    assert all(map(is_secret_name, ["password", "apikey", "api_key", "token", "private_key_password", "client_secret"]))
    assert not any(map(is_secret_name, ["username", "base_url", "auth", "site_id", "kind", "enabled"]))


def test_log_lines_are_redacted():
    record = logging.LogRecord(
        "t",
        logging.WARNING,
        __file__,
        1,
        f"connect postgresql://u:{SECRET}@db/x?password={SECRET} apikey={SECRET}",
        None,
        None,
    )
    assert SECRET not in JsonFormatter().format(record)


def test_work_order_previews_and_errors_show_no_url_secret(tmp_path):
    from _live_helpers import free_port

    from condensync_tools.registry import ExecutionContext, execute

    data = copy.deepcopy(example_data())
    cmms = data["condensers"]["unit3"]["cmms"]
    cmms.update(
        base_url=f"http://svc:{SECRET}@127.0.0.1:{free_port()}/?token={SECRET}",
        enabled=True,
        retry={"attempts": 1, "backoff_initial_s": 0.0, "backoff_max_s": 0.0, "jitter_s": 0.0},
    )
    from condensync_tools.live import ConnectorManager

    config = load_config(write_config(tmp_path / "plant.toml", data))
    args = {"condenser_id": "unit3", "title": "Clean tubes", "description": "CF 0.71"}
    with ConnectorManager(config) as manager:  # the CMMS is reached through the context's manager
        ctx = ExecutionContext(design=config, live=manager)
        preview = execute("create_work_order", args, ctx)
        assert preview.error is None and SECRET not in str(preview.result) + preview.summary
        assert "?lean=1" in preview.result["request"]["url"]
        down = execute("create_work_order", {**args, "dry_run": False}, ctx)  # nothing listens on that port
    assert down.error.kind == "unavailable" and SECRET not in down.error.text()
