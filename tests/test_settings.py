# SPDX-License-Identifier: MIT
"""The one settings module: defaults, empty = unset, number and list parsing, errors naming
the variable, and readers that see the environment at call time."""

import pytest

from condensync_tools import settings


def test_defaults_apply_when_unset_or_empty():
    assert settings.TOKEN_CACHE_SECONDS.number({}) == 30.0
    assert settings.TOKEN_CACHE_SECONDS.number({"CONDENSYNC_TOKEN_CACHE_SECONDS": "  "}) == 30.0
    assert settings.DATABASE_URL.raw({"CONDENSYNC_DATABASE_URL": ""}) is None
    assert settings.OIDC_ALGORITHMS.items({}) == ["RS256", "ES256", "PS256"]


def test_values_are_parsed():
    assert settings.HISTORY_MAX_ROWS.number({"CONDENSYNC_HISTORY_MAX_ROWS": "2_000"}) == 2000.0
    assert settings.SERIES_MAX_AGE_DAYS.number({"CONDENSYNC_SERIES_MAX_AGE_DAYS": "0"}, allow_zero=True) == 0.0
    assert settings.REQUIRED_CONNECTORS.items({"CONDENSYNC_REQUIRED_CONNECTORS": "opcua, ,modbus"}) == [
        "opcua",
        "modbus",
    ]
    assert settings.LEDGER_WITNESS_FSYNC.flag({"CONDENSYNC_LEDGER_WITNESS_FSYNC": "1"}) is True
    assert settings.LEDGER_WITNESS_FSYNC.flag({}) is False


@pytest.mark.parametrize("raw", ["abc", "nan", "inf", "-1", "0"])
def test_bad_numbers_name_the_variable(raw):
    with pytest.raises(ValueError, match="CONDENSYNC_LIVE_MAX_LAG_SECONDS must be a number > 0"):
        settings.LIVE_MAX_LAG_SECONDS.number({"CONDENSYNC_LIVE_MAX_LAG_SECONDS": raw})


def test_bad_flag_names_the_variable():
    with pytest.raises(ValueError, match="CONDENSYNC_LEDGER_WITNESS_FSYNC"):
        settings.LEDGER_WITNESS_FSYNC.flag({"CONDENSYNC_LEDGER_WITNESS_FSYNC": "maybe"})


def test_the_environment_is_read_at_call_time(monkeypatch):
    monkeypatch.setenv("CONDENSYNC_DATA_DIR", "/srv/plant")
    assert settings.DATA_DIR.raw() == "/srv/plant"
    monkeypatch.delenv("CONDENSYNC_DATA_DIR")
    assert settings.DATA_DIR.raw() is None


def test_help_listing_has_every_variable_once_with_a_description():
    rows = list(settings.environment_variables())
    assert len(rows) == len(settings.VARIABLES) == len({name for name, _, _ in rows})
    assert all(name.startswith("CONDENSYNC_") and description for name, _, description in rows)
    assert settings.by_name("CONDENSYNC_NO_AUTH_ROLE").default == "admin"


def test_the_help_page_lists_the_same_variables():
    """`condensync help env` (cli_help.ENVIRONMENT) and the settings module name the same set."""
    from condensync_tools import cli_help

    assert {name for name, _, _ in cli_help.ENVIRONMENT} == {v.name for v in settings.VARIABLES}
