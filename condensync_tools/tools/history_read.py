# SPDX-License-Identifier: MIT
"""Reading a history file (CSV or Parquet) with pyarrow, in bounded chunks.

Only what the analysis needs is kept: the four measurement columns as float64 (NaN =
missing), the timestamps as int64 milliseconds since the Unix epoch (UTC), the quality
codes as int8. Text is parsed one block at a time (CSV: ``pyarrow.csv.open_csv`` with
:data:`CSV_BLOCK_BYTES` blocks; Parquet: ``ParquetFile.iter_batches``), so memory grows with
the rows kept (about 41 bytes a row), not with the file's text.

Limits (configurable, both refused with ``invalid_arguments`` naming the limit and how to
raise it):

* ``CONDENSYNC_HISTORY_MAX_ROWS`` (default :data:`DEFAULT_MAX_ROWS`): rows of one file;
  checked while reading (CSV) or from the file metadata before reading (Parquet);
* ``CONDENSYNC_HISTORY_MAX_FILE_MB`` (default :data:`DEFAULT_MAX_FILE_MB`): file size,
  checked before reading.

Row-level problems never fail the file: an unparseable timestamp becomes
:data:`MISSING_TIMESTAMP` (the row is counted ``bad_timestamp``), a number that does not
parse becomes NaN (``missing_value``), a CSV row with too few or too many fields is read
with the csv module (short rows padded with empty fields) and kept in place. Lines with
nothing in any of the read columns (blank lines) are skipped and counted.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from array import array
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from .. import settings
from ..calculators.history import MISSING_TIMESTAMP
from ..errors import InvalidArguments, ToolUnavailable

__all__ = [
    "MEASUREMENT_COLUMNS",
    "MAX_ROWS_ENV",
    "MAX_FILE_MB_ENV",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_MAX_FILE_MB",
    "SeriesData",
    "ReadLimits",
    "parse_one_timestamp",
    "parse_timestamps",
    "quality_codes",
    "read_csv",
    "read_parquet",
]

#: Measurement columns of a history file (plus ``timestamp`` and optional ``quality``).
MEASUREMENT_COLUMNS = ("cw_inlet_temp", "cw_outlet_temp", "cw_flow", "condenser_pressure")
MAX_ROWS_ENV = settings.HISTORY_MAX_ROWS.name
MAX_FILE_MB_ENV = settings.HISTORY_MAX_FILE_MB.name
#: Default row limit: 10 million rows (3.8 years of 10-second data; about 0.4 GB of arrays
#: kept, plus the analysis' working arrays).
DEFAULT_MAX_ROWS = int(settings.HISTORY_MAX_ROWS.number({}))
#: Default file-size limit [MB = 2**20 bytes].
DEFAULT_MAX_FILE_MB = int(settings.HISTORY_MAX_FILE_MB.number({}))
#: Bytes of CSV text parsed per block (pyarrow ReadOptions.block_size).
CSV_BLOCK_BYTES = 4 << 20
#: Rows per Parquet record batch.
PARQUET_BATCH_ROWS = 65_536
_QUALITY_LABELS = ("good", "1", "192", "uncertain", "bad", "0")
_QUALITY_CODES = np.array([0, 0, 0, 1, 2, 2], dtype=np.int8)
_QUALITY_VALUE_SET = pa.array(_QUALITY_LABELS)
_TIME_UNIT_MS = {"s": (1000, 1), "ms": (1, 1), "us": (1, 1000), "ns": (1, 1_000_000)}


@dataclass
class SeriesData:
    """A time series as read: timestamps, measurement arrays in the *caller's* units."""

    timestamp_ms: np.ndarray  #: int64, MISSING_TIMESTAMP where unparseable
    values: dict[str, np.ndarray]  #: float arrays by MEASUREMENT_COLUMNS (NaN = missing)
    quality: np.ndarray | None  #: int8: 0 good, 1 uncertain, 2 bad (None: no quality column)
    unknown_quality_labels: int = 0
    source_sha256: str | None = None  #: SHA-256 of the file bytes
    source_rows: int = 0
    blank_lines_skipped: int = 0  #: CSV lines with nothing in the read columns
    malformed_rows: int = 0  #: CSV rows with a wrong number of fields (kept, read by the csv module)


@dataclass(frozen=True)
class ReadLimits:
    """Size limits of one history file."""

    max_rows: int = DEFAULT_MAX_ROWS
    max_file_bytes: int = DEFAULT_MAX_FILE_MB << 20

    @classmethod
    def from_env(cls, env: dict | None = None) -> ReadLimits:
        """Limits from ``CONDENSYNC_HISTORY_MAX_ROWS`` / ``CONDENSYNC_HISTORY_MAX_FILE_MB``."""
        return cls(
            max_rows=_positive_int(env, settings.HISTORY_MAX_ROWS),
            max_file_bytes=_positive_int(env, settings.HISTORY_MAX_FILE_MB) << 20,
        )


def _positive_int(env, variable: settings.Variable) -> int:
    try:
        return int(variable.number(env))
    except ValueError as exc:
        raise ToolUnavailable([f"$.file_path: the server setting {exc}; fix the setting"]) from None


def _too_many_rows(rows: int | str, limits: ReadLimits, name: str) -> InvalidArguments:
    return InvalidArguments(
        [
            f"$.file_path: expected at most {limits.max_rows} rows in {name} (server limit {MAX_ROWS_ENV}), "
            f"got {rows}; split the file by period, or raise {MAX_ROWS_ENV} on the server (memory: about "
            "200 bytes a row while analysing)"
        ]
    )


def _check_file_size(path: Path, limits: ReadLimits) -> None:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise InvalidArguments(
            [
                f"$.file_path: expected a file of at most {limits.max_file_bytes >> 20} MB (server limit "
                f"{MAX_FILE_MB_ENV}), got {size / 2**20:.0f} MB in {path.name}; split the file by period, "
                f"or raise {MAX_FILE_MB_ENV} on the server"
            ]
        )


# --------------------------------------------------------------------------- timestamps
def parse_one_timestamp(text: str) -> int | None:
    """One ISO 8601 timestamp → ms since the epoch by ``datetime.fromisoformat`` (naive = UTC;
    digits beyond milliseconds truncated, as floor), None when it does not parse."""
    t = text.strip()
    if not t:
        return None
    try:
        dt = datetime.fromisoformat(t[:-1] + "+00:00" if t.endswith(("Z", "z")) else t)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    delta = dt - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000


_UTC_US = pa.timestamp("us", tz="UTC")
_NAIVE_US = pa.timestamp("us")


def _timestamps_ms(strings: pa.Array) -> np.ndarray:
    """ISO 8601 strings → int64 ms (MISSING_TIMESTAMP where unparseable).

    pyarrow's cast to ``timestamp[us, tz=UTC]`` reads strings with a zone (``Z``, ``±hh:mm``,
    ``±hhmm``), its cast to ``timestamp[us]`` naive ones (taken as UTC); a block where one
    entry fails is halved until the failing entries are alone, and those are read by
    :func:`parse_one_timestamp` (``datetime.fromisoformat``), so every row gets its own result.
    """
    out = np.full(len(strings), MISSING_TIMESTAMP, dtype=np.int64)
    _timestamps_into(strings, out, 0)
    return out


def _timestamps_into(strings: pa.Array, out: np.ndarray, start: int) -> None:
    n = len(strings)
    if n == 0:
        return
    if strings.null_count == n:
        return
    for target in (_UTC_US, _NAIVE_US):
        try:
            us = strings.cast(target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        raw = us.cast(pa.int64()).to_numpy(zero_copy_only=False)
        valid = np.asarray(us.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        got = np.floor_divide(np.where(valid, raw, 0).astype(np.int64), 1000)
        out[start : start + n] = np.where(valid, got, MISSING_TIMESTAMP)
        return
    if n <= 16:
        for i, item in enumerate(strings.to_pylist()):
            value = None if item is None else parse_one_timestamp(str(item))
            if value is not None:
                out[start + i] = value
        return
    half = n // 2
    _timestamps_into(strings.slice(0, half), out, start)
    _timestamps_into(strings.slice(half), out, start + half)


def parse_timestamps(values: Sequence[str] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ISO 8601 timestamps → (int64 ms since the Unix epoch, UTC; ok mask).

    Accepts what pyarrow's ISO 8601 cast reads and anything else ``datetime.fromisoformat``
    reads, with the same result. Naive times are taken as UTC; digits beyond milliseconds are
    truncated. Unparseable entries get :data:`MISSING_TIMESTAMP` and ``ok`` False.
    ``values`` may be str or bytes (UTF-8)."""
    arr = np.asarray(values)
    if arr.dtype.kind == "S":
        arr = np.char.decode(arr, "utf-8", errors="replace")
    strings = pa.array(arr.astype(str).tolist() if arr.dtype.kind != "U" else arr, pa.string())
    ms = _timestamps_ms(strings)
    return ms, ms != MISSING_TIMESTAMP


def _timestamp_column_ms(column: pa.Array, where: str) -> np.ndarray:
    """A Parquet/Arrow timestamp column of any type the history accepts → int64 ms."""
    kind = column.type
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        if pa.types.is_date32(kind):
            scale, divide = 86_400_000, 1
        elif pa.types.is_date64(kind):
            scale, divide = 1, 1
        else:
            scale, divide = _TIME_UNIT_MS[kind.unit]
        integer = pa.int32() if pa.types.is_date32(kind) else pa.int64()
        raw = column.cast(integer).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
        ms = np.floor_divide(raw, divide) * scale if divide > 1 else raw * scale
        valid = np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        return np.where(valid, ms, MISSING_TIMESTAMP)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _timestamps_ms(column.cast(pa.string()))
    if pa.types.is_dictionary(kind) and pa.types.is_string(kind.value_type):
        return _timestamps_ms(column.cast(pa.string()))
    raise InvalidArguments(
        [
            f"$.file_path: expected the timestamp column of {where} as a timestamp (any unit, any time "
            f"zone), a date, or ISO 8601 text, got type {kind}"
        ]
    )


# --------------------------------------------------------------------------- numbers, quality
def _float(item) -> float:
    try:
        return float(item)
    except (TypeError, ValueError):
        return math.nan


def _floats(column: pa.Array, name: str, where: str) -> np.ndarray:
    """A column → float64 (NaN for nulls and for text that is not a number)."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column, kind = column.cast(kind.value_type), kind.value_type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        try:  # plain numbers and nulls: pyarrow's cast refuses padding, so this equals the trimmed read
            return column.cast(pa.float64()).to_numpy(zero_copy_only=False)
        except pa.ArrowInvalid:
            pass
        out = np.full(len(column), math.nan)
        _floats_into(pc.utf8_trim_whitespace(column), out, 0)
        return out
    if not (
        pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_decimal(kind)
        or pa.types.is_null(kind)
    ):
        raise InvalidArguments([f"$.file_path: expected column {name} of {where} to hold numbers, got type {kind}"])
    return column.cast(pa.float64(), safe=False).to_numpy(zero_copy_only=False).astype(float)


def _floats_into(strings: pa.Array, out: np.ndarray, start: int) -> None:
    """pyarrow's string → float64 cast; a block where an entry fails is halved until the
    failing entries are alone, which get Python's ``float`` (NaN when it fails too)."""
    n = len(strings)
    if n == 0:
        return
    try:
        out[start : start + n] = strings.cast(pa.float64()).to_numpy(zero_copy_only=False)
        return
    except pa.ArrowInvalid:
        pass
    if n <= 16:
        out[start : start + n] = [math.nan if s is None else _float(s) for s in strings.to_pylist()]
        return
    half = n // 2
    _floats_into(strings.slice(0, half), out, start)
    _floats_into(strings.slice(half), out, start + half)


def quality_codes(labels: Sequence[str] | np.ndarray | pa.Array) -> tuple[np.ndarray, int]:
    """Quality labels → int8 codes (0 good, 1 uncertain, 2 bad) and the count of
    unrecognised labels (coded bad). Accepts good/uncertain/bad (any case, padded) and the
    numbers 1 (good), 0 (bad), 192 (OPC good)."""
    if not isinstance(labels, (pa.Array, pa.ChunkedArray)):
        arr = np.asarray(labels)
        if arr.dtype.kind == "S":
            arr = np.char.decode(arr, "utf-8", errors="replace")
        labels = pa.array(arr.astype(str).tolist() if arr.dtype.kind != "U" else arr, pa.string())
    text = labels.cast(pa.string())
    index = pc.index_in(text, value_set=_QUALITY_VALUE_SET)
    if index.null_count:  # some label is not written exactly as listed: compare lower-case, unpadded
        text = pc.utf8_lower(pc.utf8_trim_whitespace(text))
        index = pc.index_in(text, value_set=_QUALITY_VALUE_SET)
    index = index.to_numpy(zero_copy_only=False)
    known = ~np.isnan(index.astype(float))
    codes = np.full(len(text), 2, dtype=np.int8)
    codes[known] = _QUALITY_CODES[index[known].astype(np.int64)]
    return codes, int(np.count_nonzero(~known))


# --------------------------------------------------------------------------- accumulating
@dataclass
class _Columns:
    """Chunks of the kept columns, limited to ``limits.max_rows`` rows."""

    limits: ReadLimits
    name: str
    has_quality: bool
    ts: list = field(default_factory=list)
    values: dict = field(default_factory=lambda: {n: [] for n in MEASUREMENT_COLUMNS})
    quality: list = field(default_factory=list)
    blank: list = field(default_factory=list)
    unknown: int = 0
    rows: int = 0

    def add(self, ts: np.ndarray, values: dict[str, np.ndarray], quality, blank: np.ndarray | None = None) -> None:
        self.rows += ts.size
        if self.rows > self.limits.max_rows:
            raise _too_many_rows(f"more than {self.limits.max_rows}", self.limits, self.name)
        self.ts.append(ts)
        for n in MEASUREMENT_COLUMNS:
            self.values[n].append(values[n])
        if self.has_quality:
            codes, unknown = quality_codes(quality)
            self.quality.append(codes)
            self.unknown += unknown - (0 if blank is None else int(np.count_nonzero(blank)))
        if blank is not None:
            self.blank.append(blank)

    def series(self, digest: str) -> SeriesData:
        """The joined columns; each column's chunks are released as soon as it is joined, so
        the peak is the result plus one column's chunks, not twice the result."""

        def join(parts: list, dtype) -> np.ndarray:
            out = np.concatenate(parts) if parts else np.empty(0, dtype=dtype)
            parts.clear()
            return out

        ts = join(self.ts, np.int64)
        values = {n: join(self.values[n], float) for n in MEASUREMENT_COLUMNS}
        quality = join(self.quality, np.int8) if self.has_quality else None
        return SeriesData(ts, values, quality, self.unknown, digest, int(ts.size))


def header_map(header: Sequence[str], where: str) -> dict[str, int]:
    """Column positions by lower-case name; a clear error for missing or duplicated columns."""
    names = [str(h).strip().strip('"').strip().lower() for h in header]
    index = {name: i for i, name in enumerate(names)}
    missing = [c for c in ("timestamp", *MEASUREMENT_COLUMNS) if c not in index]
    if missing:
        raise InvalidArguments(
            [
                f"$.file_path: expected the columns timestamp, {', '.join(MEASUREMENT_COLUMNS)} "
                f"(and optionally quality) in {where}, got no {', '.join(missing)} (columns: "
                f"{', '.join(names[:12])})"
            ]
        )
    twice = [c for c in ("timestamp", *MEASUREMENT_COLUMNS, "quality") if names.count(c) > 1]
    if twice:
        raise InvalidArguments(
            [f"$.file_path: expected each column once in {where}, got {', '.join(twice)} more than once"]
        )
    return index


# --------------------------------------------------------------------------- CSV
class _HashingReader(io.RawIOBase):
    """A binary file that hashes (SHA-256) and counts the bytes read through it."""

    def __init__(self, raw) -> None:
        self._raw = raw
        self.sha256 = hashlib.sha256()
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        got = self._raw.readinto(buffer)
        if got:
            self.sha256.update(memoryview(buffer)[:got])
            self.bytes_read += got
        return got

    def close(self) -> None:
        self._raw.close()
        super().close()


@dataclass
class _Malformed:
    """CSV lines pyarrow refuses (a wrong number of fields), read by the csv module into
    compact columns: short rows padded with empty fields, extra fields ignored."""

    delimiter: str
    positions: list  #: indexes of the kept columns in the header
    line: array = field(default_factory=lambda: array("q"))  #: every refused line (1-based)
    kept: array = field(default_factory=lambda: array("b"))  #: 0 for a line without any field
    ts: array = field(default_factory=lambda: array("q"))
    values: dict = field(default_factory=lambda: {n: array("d") for n in MEASUREMENT_COLUMNS})
    quality: list = field(default_factory=list)

    def handle(self, row) -> str:
        record = next(csv.reader([row.text], delimiter=self.delimiter), [])
        self.line.append(row.number if row.number is not None and row.number > 0 else 0)
        self.kept.append(1 if any(f.strip() for f in record) else 0)
        if not self.kept[-1]:
            return "skip"
        record = record + [""] * (max(self.positions) + 1 - len(record))
        stamp = parse_one_timestamp(record[self.positions[0]])
        self.ts.append(MISSING_TIMESTAMP if stamp is None else stamp)
        for name, pos in zip(MEASUREMENT_COLUMNS, self.positions[1:5], strict=True):
            self.values[name].append(_float(record[pos].strip() or "nan"))
        if len(self.positions) > 5:
            self.quality.append(record[self.positions[5]])
        return "skip"

    def merge_into(self, series: SeriesData, blank: np.ndarray) -> np.ndarray:
        """Insert the kept rows where they stood in the file (every data line is either a row
        pyarrow read or a refused one: the i-th refused line k goes before row k − 2 − i);
        returns ``blank`` with False at the inserted rows."""
        if not self.line:
            return blank
        lines = np.frombuffer(self.line, dtype=np.int64)
        kept = np.frombuffer(self.kept, dtype=np.int8).astype(bool)
        at = np.clip(lines - 2 - np.arange(lines.size), 0, series.timestamp_ms.size)[kept]
        series.timestamp_ms = np.insert(series.timestamp_ms, at, np.frombuffer(self.ts, dtype=np.int64))
        for n in MEASUREMENT_COLUMNS:
            series.values[n] = np.insert(series.values[n], at, np.frombuffer(self.values[n], dtype=float))
        if series.quality is not None:
            codes, unknown = quality_codes(self.quality)
            series.quality = np.insert(series.quality, at, codes)
            series.unknown_quality_labels += unknown
        series.malformed_rows = int(at.size)
        return np.insert(blank, at, False)


def _csv_header(path: Path) -> tuple[list[str], str]:
    with open(path, "rb") as fh:
        first = fh.readline(1 << 20)
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
    line = first.decode("utf-8", errors="replace").rstrip("\r\n")
    delimiter = ";" if line.count(";") > line.count(",") else ","
    return next(csv.reader([line], delimiter=delimiter), []), delimiter


def read_csv(
    path: Path, progress: Callable[[int, int], None] | None = None, limits: ReadLimits | None = None
) -> SeriesData:
    """Read a history CSV (header row; comma or semicolon separated; UTF-8) in blocks."""
    limits = limits or ReadLimits.from_env()
    _check_file_size(path, limits)
    header, delimiter = _csv_header(path)
    index = header_map(header, path.name)
    wanted = ["timestamp", *MEASUREMENT_COLUMNS] + (["quality"] if "quality" in index else [])
    positions = [index[c] for c in wanted]
    malformed = _Malformed(delimiter, positions)
    generated = [f"c{i}" for i in range(len(header))]
    read_options = pa_csv.ReadOptions(
        block_size=CSV_BLOCK_BYTES, use_threads=False, column_names=generated, skip_rows=1
    )
    parse_options = pa_csv.ParseOptions(
        delimiter=delimiter, invalid_row_handler=malformed.handle, ignore_empty_lines=False
    )
    convert_options = pa_csv.ConvertOptions(
        include_columns=[generated[p] for p in positions],
        column_types={generated[p]: pa.binary() for p in positions},  # UTF-8 checked per column: _text
        strings_can_be_null=True,
        null_values=[""],
        quoted_strings_can_be_null=True,
    )
    total = path.stat().st_size
    columns = _Columns(limits, path.name, "quality" in index)
    with _HashingReader(open(path, "rb")) as source:
        try:
            reader = pa_csv.open_csv(source, read_options, parse_options, convert_options)
            for batch in reader:
                cols = [_text(batch.column(generated[p])) for p in positions]
                columns.add(
                    _timestamps_ms(cols[0]),
                    {n: _floats(c, n, path.name) for n, c in zip(MEASUREMENT_COLUMNS, cols[1:5], strict=True)},
                    cols[5] if len(cols) > 5 else None,
                    _blank_rows(batch),
                )
                if progress is not None:
                    progress(min(source.bytes_read, total), total)
        except pa.ArrowInvalid as exc:
            raise InvalidArguments(
                [f"$.file_path: expected a CSV file, got one that cannot be read: {_arrow_message(exc)}"]
            ) from None
        while source.readinto(bytearray(1 << 20)):  # the hash covers the whole file
            pass
    if progress is not None:
        progress(total, total)
    series = columns.series(source.sha256.hexdigest())
    blank = np.concatenate(columns.blank) if columns.blank else np.zeros(0, dtype=bool)
    blank = malformed.merge_into(series, blank)
    if blank.any():
        keep = ~blank
        series.timestamp_ms = series.timestamp_ms[keep]
        series.values = {n: v[keep] for n, v in series.values.items()}
        if series.quality is not None:
            series.quality = series.quality[keep]
    if series.timestamp_ms.size > limits.max_rows:
        raise _too_many_rows(series.timestamp_ms.size, limits, path.name)
    series.source_rows = int(series.timestamp_ms.size)
    series.blank_lines_skipped = int(np.count_nonzero(blank)) + int(
        np.count_nonzero(np.frombuffer(malformed.kept, dtype=np.int8) == 0)
    )
    return series


def _text(column: pa.Array) -> pa.Array:
    """CSV bytes → UTF-8 text; a block with invalid UTF-8 (a Latin-1 '°', say) is decoded
    entry by entry with U+FFFD replacing the bad bytes, so one bad byte spoils one field, not
    the file."""
    try:
        return column.cast(pa.string())
    except pa.ArrowInvalid:
        return pa.array(
            [None if b is None else b.decode("utf-8", errors="replace") for b in column.to_pylist()], pa.string()
        )


def _blank_rows(batch: pa.RecordBatch) -> np.ndarray:
    """Rows with no value in any read column (pyarrow reads a blank line as such a row)."""
    blank = np.ones(len(batch), dtype=bool)
    for column in batch.columns:
        blank &= np.asarray(column.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    return blank


def _arrow_message(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__


# --------------------------------------------------------------------------- Parquet
def read_parquet(
    path: Path, progress: Callable[[int, int], None] | None = None, limits: ReadLimits | None = None
) -> SeriesData:
    """Read a history Parquet file in record batches (any timestamp unit and time zone)."""
    limits = limits or ReadLimits.from_env()
    _check_file_size(path, limits)
    with open(path, "rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    try:
        parquet = pq.ParquetFile(path)
        names = list(parquet.schema_arrow.names)
        index = header_map(names, path.name)
        rows = parquet.metadata.num_rows
        if rows > limits.max_rows:
            raise _too_many_rows(rows, limits, path.name)
        wanted = ["timestamp", *MEASUREMENT_COLUMNS] + (["quality"] if "quality" in index else [])
        selected = [names[index[c]] for c in wanted]
        columns = _Columns(limits, path.name, "quality" in index)
        done = 0
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=selected):
            cols = [batch.column(name) for name in selected]
            columns.add(
                _timestamp_column_ms(cols[0], path.name),
                {n: _floats(c, n, path.name) for n, c in zip(MEASUREMENT_COLUMNS, cols[1:5], strict=True)},
                cols[5] if len(cols) > 5 else None,
            )
            done += len(batch)
            if progress is not None:
                progress(done, max(rows, 1))
    except (pa.ArrowException, OSError) as exc:
        raise InvalidArguments(
            [f"$.file_path: expected a Parquet file, got one pyarrow cannot read: {_arrow_message(exc)}"]
        ) from None
    return columns.series(digest)
