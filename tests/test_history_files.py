# SPDX-License-Identifier: MIT
"""History files read with pyarrow: real Parquet timestamp columns of any unit and time zone,
malformed files, CSV rows with a wrong number of fields, and the size limits."""

import hashlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from test_history_tool import DESIGN

import condensync_tools.tools.history  # noqa: F401  (registers the tool)
from condensync_tools.registry import ExecutionContext, execute
from condensync_tools.tools import history_read

TOOL = "analyze_performance_history"
N = 72
START_MS = 1_717_200_000_000  # 2024-06-01T00:00:00Z
MEASUREMENTS = {
    "cw_inlet_temp": np.full(N, 70.0) + np.arange(N) % 5 * 0.1,
    "cw_outlet_temp": np.full(N, 88.0) + np.arange(N) % 3 * 0.1,
    "cw_flow": np.full(N, 230000.0),
    "condenser_pressure": np.full(N, 2.0),
}


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CONDENSYNC_DATA_DIR", str(tmp_path))
    monkeypatch.delenv(history_read.MAX_ROWS_ENV, raising=False)
    monkeypatch.delenv(history_read.MAX_FILE_MB_ENV, raising=False)
    return tmp_path


def run(args):
    return execute(TOOL, {**DESIGN, "series_output": "none", **args}, ExecutionContext())


def write_csv(path, stamps):
    lines = ["timestamp,cw_inlet_temp,cw_outlet_temp,cw_flow,condenser_pressure"]
    for i, stamp in enumerate(stamps):
        lines.append(",".join([stamp] + [repr(float(MEASUREMENTS[k][i])) for k in MEASUREMENTS]))
    path.write_text("\n".join(lines) + "\n")


def iso(ms):
    return str(np.datetime64(int(ms) // 1000, "s")) + "Z"


def summary(result):
    keys = ("rows_total", "rows_valid", "period_start", "period_end", "days_with_data", "cleanliness_factor")
    return {k: result.get(k) for k in keys}


@pytest.mark.parametrize(
    "unit, tz, scale",
    [("ms", "UTC", 1), ("us", None, 1000), ("ns", "Europe/Berlin", 1_000_000), ("s", "+05:30", None)],
)
def test_parquet_timestamp_columns_of_any_unit_and_zone(data_dir, unit, tz, scale):
    stamps = START_MS + np.arange(N, dtype=np.int64) * 3_600_000
    raw = stamps // 1000 if scale is None else stamps * scale
    table = pa.table(
        {
            "timestamp": pa.array(raw, pa.int64()).cast(pa.timestamp(unit, tz=tz)),
            **{k: pa.array(v) for k, v in MEASUREMENTS.items()},
        }
    )
    pq.write_table(table, data_dir / "u.parquet")
    write_csv(data_dir / "u.csv", [iso(ms) for ms in stamps])
    out = run({"file_path": "u.parquet"})
    assert out.error is None, out.error and out.error.text()
    reference = run({"file_path": "u.csv"}).result
    assert summary(out.result) == summary(reference)
    assert out.result["rows_valid"] == N and out.result["period_start"] == "2024-06-01T00:00:00Z"
    assert out.result["input_file_sha256"] == hashlib.sha256((data_dir / "u.parquet").read_bytes()).hexdigest()


def test_parquet_dates_text_nulls_and_integer_quality(data_dir):
    stamps = START_MS + np.arange(N, dtype=np.int64) * 86_400_000
    text = [iso(ms) for ms in stamps]
    text[3] = "not a time"
    table = pa.table(
        {
            "Timestamp": pa.array(text),
            **{k.upper(): pa.array(v) for k, v in MEASUREMENTS.items()},
            "quality": pa.array([1] * (N - 1) + [0], pa.int32()),
        }
    )
    pq.write_table(table, data_dir / "t.parquet")
    r = run({"file_path": "t.parquet"}).result
    assert r["rows_total"] == N
    assert {x["reason"]: x["count"] for x in r["invalid_rows"]} == {"bad_timestamp": 1, "bad_quality": 1}
    days = pa.array((stamps // 86_400_000).astype(np.int32), pa.int32()).cast(pa.date32())
    pq.write_table(
        pa.table({"timestamp": days, **{k: pa.array(v) for k, v in MEASUREMENTS.items()}}), data_dir / "d.parquet"
    )
    assert run({"file_path": "d.parquet"}).result["period_end"] == iso(stamps[-1])


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"PAR1garbagegarbagePAR1", "expected a Parquet file, got one pyarrow cannot read"),
        (b"", "expected a Parquet file"),
        (b"timestamp,cw_inlet_temp\n2024-01-01,70\n", "expected a Parquet file"),
    ],
)
def test_malformed_parquet_is_a_clear_error(data_dir, content, fragment):
    (data_dir / "bad.parquet").write_bytes(content)
    out = run({"file_path": "bad.parquet"})
    assert out.error is not None and out.error.kind == "invalid_arguments", out.error and out.error.text()
    assert fragment in out.error.text() and "$.file_path" in out.error.text()


def test_parquet_numeric_timestamps_and_nested_columns_are_refused_clearly(data_dir):
    values = {k: pa.array(v) for k, v in MEASUREMENTS.items()}
    pq.write_table(pa.table({"timestamp": pa.array(np.arange(N), pa.int64()), **values}), data_dir / "n.parquet")
    out = run({"file_path": "n.parquet"})
    assert out.error.kind == "invalid_arguments" and "as a timestamp (any unit" in out.error.text()
    nested = dict(values, cw_flow=pa.array([[1.0]] * N))
    stamps = pa.array(START_MS + np.arange(N, dtype=np.int64), pa.int64()).cast(pa.timestamp("ms"))
    pq.write_table(pa.table({"timestamp": stamps, **nested}), data_dir / "l.parquet")
    out = run({"file_path": "l.parquet"})
    assert out.error.kind == "invalid_arguments" and "column cw_flow" in out.error.text()


def test_csv_rows_with_wrong_field_counts_stay_in_place(data_dir):
    (data_dir / "ragged.csv").write_bytes(
        b'\xef\xbb\xbf"timestamp";CW_Inlet_Temp;cw_outlet_temp;cw_flow;condenser_pressure;quality\n'
        b"2024-01-01T00:00:00Z;70;88;230000;2.0;good\n"
        b"\n"
        b"2024-01-01T01:00:00Z;70\n"
        b"2024-01-01T02:00:00Z;70;88;230000;2.0;good;extra\n"
        b"2024-01-01T03:00:00Z; 70 ;88;230 000;2.0;GOOD\n"
        b"2024-01-01T04:00:00+01:00;70;88;230000;2.0;192\n"
    )
    out = run({"file_path": "ragged.csv", "series_output": "inline"})
    assert out.error is None, out.error and out.error.text()
    r = out.result
    assert r["rows_total"] == 5 and r["rows_valid"] == 3
    assert [row["timestamp"][11:13] for row in r["series"]] == ["00", "01", "02", "03", "03"]
    reasons = ["valid", "bad_quality", "valid", "missing_value", "valid"]  # the short row has no quality
    assert [row["reason"] for row in r["series"]] == reasons
    assert any("2 CSV row(s) had a wrong number of fields" in w for w in r["warnings"])
    assert any("1 blank line(s)" in w for w in r["warnings"])


def test_timestamps_by_pyarrow_equal_fromisoformat_row_by_row():
    rng = np.random.default_rng(3)
    ms = rng.integers(-2_000_000_000_000, 4_000_000_000_000, 3000)
    good = [
        str(np.datetime64(int(m), "us")) + z for m, z in zip(ms, rng.choice(["Z", "", "+02:00"], ms.size), strict=True)
    ]
    bad = ["2023-02-29T00:00:00", "x", "", "2024-01-01T25:00:00Z", "2024-06-01T00:00:00.123456789Z"]
    samples = good[:1000] + bad + good[1000:] + ["2024-06-01", "2024-06-01 12:00:00.5-02:00"]
    got, ok = history_read.parse_timestamps(samples)
    expected = [history_read.parse_one_timestamp(s) for s in samples]
    assert [int(g) if k else None for g, k in zip(got, ok, strict=True)] == expected


def test_row_and_size_limits_are_clear_errors(data_dir, monkeypatch):
    stamps = START_MS + np.arange(N, dtype=np.int64) * 60_000
    write_csv(data_dir / "u.csv", [iso(ms) for ms in stamps])
    pq.write_table(
        pa.table(
            {
                "timestamp": pa.array(stamps, pa.int64()).cast(pa.timestamp("ms")),
                **{k: pa.array(v) for k, v in MEASUREMENTS.items()},
            }
        ),
        data_dir / "u.parquet",
    )
    monkeypatch.setenv(history_read.MAX_ROWS_ENV, "50")
    for name in ("u.csv", "u.parquet"):
        out = run({"file_path": name})
        assert out.error is not None and out.error.kind == "invalid_arguments"
        assert "at most 50 rows" in out.error.text() and history_read.MAX_ROWS_ENV in out.error.text()
    monkeypatch.setenv(history_read.MAX_ROWS_ENV, str(N))
    assert run({"file_path": "u.csv"}).result["rows_total"] == N
    big = data_dir / "big.csv"
    write_csv(big, [iso(START_MS)] * N)
    with open(big, "ab") as fh:
        fh.write(b"\n" * (1 << 20))
    monkeypatch.setenv(history_read.MAX_FILE_MB_ENV, "1")
    out = run({"file_path": "big.csv"})
    assert out.error.kind == "invalid_arguments" and history_read.MAX_FILE_MB_ENV in out.error.text()
    monkeypatch.setenv(history_read.MAX_FILE_MB_ENV, "lots")
    out = run({"file_path": "u.csv"})
    assert out.error.kind == "unavailable" and "must be a number > 0" in out.error.text()


def test_csv_with_a_non_utf8_byte_spoils_only_that_field(data_dir):
    (data_dir / "latin1.csv").write_bytes(
        b"timestamp,cw_inlet_temp,cw_outlet_temp,cw_flow,condenser_pressure,quality,comment\n"
        b"2024-01-01T00:00:00Z,70,88,230000,2.0,good,ok\n"
        b"2024-01-01T01:00:00Z,70,88,230000,2.0,g\xf6od,70\xb0F\n"
        b"2024-01-01T02:00:00Z,70,88,230000,2.0,good,\xb0\n"
    )
    r = run({"file_path": "latin1.csv"}).result
    assert r["rows_total"] == 3 and r["rows_valid"] == 2
    assert r["invalid_rows"][0]["reason"] == "bad_quality" and r["invalid_rows"][0]["first_row"] == 1


def test_csv_number_and_quality_fast_paths_equal_the_general_ones():
    # plain numbers are cast as written; anything else (padding, text, a Latin-1 byte) is
    # trimmed and read block by block; both give the same values
    rng = np.random.default_rng(11)
    plain = [None if x < 0.05 else repr(float(x * 1e5)).encode() for x in rng.random(500)]
    for extra in ([], [b" 70 ", b"230 000", b"7\xb0", b"", b"-0"]):
        text = history_read._text(pa.array(plain + extra, pa.binary()))
        fast = history_read._floats(text, "cw_flow", "f.csv")
        general = np.full(len(text), np.nan)
        history_read._floats_into(pc.utf8_trim_whitespace(text), general, 0)
        np.testing.assert_array_equal(fast, general)
    # exact labels are looked up as they are; any other spelling lower-cased and unpadded
    labels = ["good", "bad", "uncertain", "1", "0", "192"]
    exact = history_read.quality_codes(labels)
    assert exact[1] == 0 and exact[0].tolist() == [0, 2, 1, 0, 2, 0]
    mixed = history_read.quality_codes(labels + ["Good ", " BAD", "x", None])
    assert mixed[0].tolist() == [0, 2, 1, 0, 2, 0, 0, 2, 2, 2] and mixed[1] == 2
