# SPDX-License-Identifier: MIT
"""Retention of the per-row series files: by age and total size, applied after every new
series file and by ``condensync db prune``; nothing but series files is ever removed."""

import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import condensync_tools.tools.history  # noqa: F401  (registers the tool)
from condensync_tools.registry import ExecutionContext, execute
from condensync_tools.tools.series_retention import (
    MAX_AGE_DAYS_ENV,
    MAX_TOTAL_MB_ENV,
    SeriesRetention,
    prune_series_files,
)

DAY = 86400.0
DESIGN = {"tube_od": 1.0, "tube_count": 28000, "plugged_tubes": 300, "tube_passes": 2, "tube_length": 38.0}


def series_file(directory, n, size, age_days, now, suffix="csv"):
    path = directory / f"{n:064x}.{suffix}"
    path.write_bytes(b"x" * size)
    os.utime(path, (now - age_days * DAY, now - age_days * DAY))
    return path


def test_prune_by_age_then_by_total_size_oldest_first(tmp_path):
    now = time.time()
    old = series_file(tmp_path, 1, 100, 40, now)
    mid = series_file(tmp_path, 2, 100, 20, now, "parquet")
    new = series_file(tmp_path, 3, 100, 10, now)
    newest = series_file(tmp_path, 4, 100, 1, now)
    other = tmp_path / "notes.csv"  # not a series file: never touched, however old
    other.write_text("keep me")
    os.utime(other, (now - 400 * DAY, now - 400 * DAY))
    stale_tmp = tmp_path / ".series-abc.tmp"
    stale_tmp.write_bytes(b"partial")
    os.utime(stale_tmp, (now - 2 * 3600, now - 2 * 3600))
    fresh_tmp = tmp_path / ".series-def.tmp"  # a write in progress
    fresh_tmp.write_bytes(b"partial")

    report = prune_series_files(tmp_path, SeriesRetention(max_age_days=30, max_total_bytes=250), now)
    assert not old.exists() and not mid.exists() and new.exists() and newest.exists()
    assert other.exists() and fresh_tmp.exists() and not stale_tmp.exists()
    assert report.files_removed == 3 and report.files_kept == 2 and report.bytes_kept == 200

    report = prune_series_files(tmp_path, SeriesRetention(max_age_days=0, max_total_bytes=150), now, keep=[new])
    assert new.exists() and not newest.exists()  # the protected file stays even though it is older
    assert prune_series_files(tmp_path / "missing", SeriesRetention(), now).files_removed == 0


def test_policy_from_the_environment():
    policy = SeriesRetention.from_env({MAX_AGE_DAYS_ENV: "7", MAX_TOTAL_MB_ENV: "0.5"})
    assert policy.max_age_days == 7 and policy.max_total_bytes == 512 * 1024
    assert SeriesRetention.from_env({}) == SeriesRetention()
    for bad in ("-1", "soon", "nan"):
        with pytest.raises(ValueError, match=MAX_AGE_DAYS_ENV):
            SeriesRetention.from_env({MAX_AGE_DAYS_ENV: bad})


def _series_args(offset):
    n = 60
    stamps = [str(np.datetime64(1_717_200_000 + 3600 * i, "s")) + "Z" for i in range(n)]
    return {
        **DESIGN,
        "unit_system": "US",
        "hei_fw": 1.0,
        "timestamps": stamps,
        "cw_inlet_temp": [70.0 + offset] * n,
        "cw_outlet_temp": [88.0 + offset] * n,
        "cw_flow": [230000.0] * n,
        "condenser_pressure": [2.0] * n,
        "series_output": "file",
    }


def test_applied_automatically_after_a_new_series_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CONDENSYNC_DATA_DIR", str(tmp_path))
    directory = tmp_path / "history"
    directory.mkdir()
    ancient = series_file(directory, 7, 10, 90, time.time())
    first = execute("analyze_performance_history", _series_args(0.0), ExecutionContext()).result["series_file"]
    assert os.path.exists(first) and not ancient.exists()  # 90 days > the default 30
    room_for_two = 2.5 * os.path.getsize(first) / 2**20
    monkeypatch.setenv(MAX_TOTAL_MB_ENV, f"{room_for_two:.9f}")
    second = execute("analyze_performance_history", _series_args(0.5), ExecutionContext()).result["series_file"]
    third = execute("analyze_performance_history", _series_args(1.0), ExecutionContext()).result["series_file"]
    assert os.path.exists(third) and os.path.exists(second) and not os.path.exists(first)
    kept = [p.name for p in directory.iterdir()]
    assert sorted(kept) == sorted([os.path.basename(second), os.path.basename(third)])
    # an explicitly chosen output directory (CLI --out) is never pruned
    out = tmp_path / "mine"
    out.mkdir()
    mine = series_file(out, 8, 10, 90, time.time())
    context = ExecutionContext(services={"data_dir": str(tmp_path), "output_dir": str(out)})
    assert execute("analyze_performance_history", _series_args(2.0), context).error is None
    assert mine.exists()


@pytest.mark.slow
def test_db_prune_cleans_series_files_too(tmp_path):
    data = tmp_path / "data"
    (data / "history").mkdir(parents=True)
    now = time.time()
    old = series_file(data / "history", 1, 10, 45, now)
    recent = series_file(data / "history", 2, 10, 2, now)
    env = {
        **os.environ,
        "CONDENSYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
        "CONDENSYNC_DATA_DIR": str(data),
        "TMPDIR": str(tmp_path / "tmp"),
    }
    (tmp_path / "tmp").mkdir()
    cmd = [sys.executable, "-m", "condensync_tools", "db"]
    assert subprocess.run([*cmd, "upgrade"], env=env, capture_output=True, timeout=120).returncode == 0
    r = subprocess.run([*cmd, "prune"], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)["series_files"]
    assert report[0]["directory"] == str(data / "history") and report[0]["files_removed"] == 1
    assert not old.exists() and recent.exists()
    r = subprocess.run(
        [*cmd, "prune", "--series-max-age-days", "1"], env=env, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0 and not recent.exists()
