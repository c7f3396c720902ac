# SPDX-License-Identifier: MIT
"""File side of ``analyze_performance_history``: the data-directory sandbox, reading a time
series (CSV, Parquet), ISO 8601 timestamps, writing the per-row series, and the chart.

The calculator (:mod:`condensync_tools.calculators.history`) stays pure; everything that
touches the file system or renders lives here.

Sandbox: a caller may name a file only inside the configured data directory
(``CONDENSYNC_DATA_DIR``, or the CLI's own directory): relative paths are taken from it, any
``..`` component is refused, and the fully resolved path (symlinks followed) must still lie
inside the resolved data directory.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import math
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Protocol, Sequence

import numpy as np

from ..calculators.history import DAY_MS, MISSING_TIMESTAMP
from ..errors import InvalidArguments, ToolUnavailable

__all__ = [
    "ChartData",
    "DATA_DIR_ENV",
    "MEASUREMENT_COLUMNS",
    "SeriesData",
    "HistorianQuery",
    "configured_data_dir",
    "resolve_data_file",
    "output_directory",
    "parse_timestamps",
    "quality_codes",
    "read_series",
    "write_series",
    "series_resource_uri",
    "format_timestamps",
    "render_chart",
    "chart_base64",
    "parquet_available",
    "PARQUET_HINT",
]

DATA_DIR_ENV = "CONDENSYNC_DATA_DIR"
#: Measurement columns of a history file (plus ``timestamp`` and optional ``quality``).
MEASUREMENT_COLUMNS = ("cw_inlet_temp", "cw_outlet_temp", "cw_flow", "condenser_pressure")
SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
PARQUET_HINT = "Parquet needs the optional pyarrow package: pip install pyarrow (or give a CSV file)"
#: Rows parsed at a time when reading CSV (progress granularity, bounded memory of text).
READ_CHUNK_ROWS = 100_000


class HistorianQuery(Protocol):
    """A live historian (provided by the connectors layer through
    ``ExecutionContext.services["historian"]``): measurement series of a condenser."""

    def query_history(
        self, condenser_id: str, fields: Sequence[str], start: str, end: str
    ) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray | None, list[dict]]:
        """(timestamps [int64 ms since the epoch, UTC], SI arrays by field, quality codes
        ("good"/"uncertain"/"bad") or None, provenance source records)."""


@dataclass
class SeriesData:
    """A time series as read: timestamps, measurement arrays in the *caller's* units."""

    timestamp_ms: np.ndarray  #: int64, MISSING_TIMESTAMP where unparseable
    values: dict[str, np.ndarray]  #: float arrays by MEASUREMENT_COLUMNS (NaN = missing)
    quality: np.ndarray | None  #: int8: 0 good, 1 uncertain, 2 bad (None: no quality column)
    unknown_quality_labels: int = 0
    source_sha256: str | None = None  #: SHA-256 of the file bytes
    source_rows: int = 0


# --------------------------------------------------------------------------- sandbox
def configured_data_dir(services: dict | None = None) -> Path | None:
    """The data directory: ``services["data_dir"]`` (CLI), else ``$CONDENSYNC_DATA_DIR``."""
    raw = (services or {}).get("data_dir") or os.environ.get(DATA_DIR_ENV)
    return Path(raw) if raw else None


def resolve_data_file(file_path: str, data_dir: Path | None, field: str = "file_path") -> Path:
    """The real path of a history file inside the data directory, or a clear error.

    Refused: no data directory configured (ToolUnavailable); a ``..`` component; an absolute
    path outside the directory; a symlink (anywhere on the path) resolving outside it; a
    missing or non-regular file; an unsupported suffix.
    """
    if data_dir is None:
        raise ToolUnavailable(
            [
                f"$.{field}: reading files needs a data directory on the server "
                f"(set {DATA_DIR_ENV}), got none configured; pass the series as arrays instead"
            ]
        )
    try:
        root = data_dir.resolve(strict=True)
    except OSError:
        raise ToolUnavailable(
            [f"$.{field}: the configured data directory {str(data_dir)!r} does not exist"]
        ) from None
    if not root.is_dir():
        raise ToolUnavailable(
            [f"$.{field}: the configured data directory {str(data_dir)!r} is not a directory"]
        )
    text = file_path.strip()
    candidate = Path(text)
    if ".." in candidate.parts:
        raise InvalidArguments(
            [f"$.{field}: expected a path inside the data directory without '..' components, got {text!r}"]
        )
    if "\x00" in text:
        raise InvalidArguments([f"$.{field}: expected a file path, got a string with a NUL character"])
    full = candidate if candidate.is_absolute() else root / candidate
    try:
        real = full.resolve(strict=True)
    except (OSError, RuntimeError):
        raise InvalidArguments(
            [f"$.{field}: expected an existing file inside the data directory, got {text!r} (not found)"]
        ) from None
    if not real.is_relative_to(root):
        raise InvalidArguments(
            [
                f"$.{field}: expected a file inside the data directory, got {text!r}, which resolves "
                "outside it (absolute path or symlink escaping the directory)"
            ]
        )
    if not real.is_file():
        raise InvalidArguments([f"$.{field}: expected a regular file, got {text!r}"])
    if real.suffix.lower() not in SUFFIXES:
        raise InvalidArguments([f"$.{field}: expected a .csv or .parquet file, got {text!r}"])
    return real


def output_directory(services: dict | None, data_dir: Path | None) -> Path:
    """Where series files go: ``services["output_dir"]`` (CLI --out), else
    ``<data dir>/history``, else ``<temp dir>/condensync/history``."""
    explicit = (services or {}).get("output_dir")
    if explicit:
        return Path(explicit)
    if data_dir is not None:
        return data_dir / "history"
    return Path(tempfile.gettempdir()) / "condensync" / "history"


def parquet_available() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


# --------------------------------------------------------------------------- timestamps
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$")
_DIGIT_POS = (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18)


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _parse_fixed(raw: np.ndarray, layout: str) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised parse of equal-length ASCII timestamps (uint8 matrix, one row each) sharing
    ``layout`` (one sample string): returns (ms, ok)."""
    n, width = raw.shape
    dig = raw[:, list(_DIGIT_POS)]
    ok = np.all((dig >= 48) & (dig <= 57), axis=1)
    for pos in (4, 7, 13, 16):
        ok &= raw[:, pos] == ord(layout[pos])
    ok &= (raw[:, 10] == ord("T")) | (raw[:, 10] == ord(" "))
    d = dig.astype(np.int32)
    d -= 48

    def num(a: int, b: int) -> np.ndarray:
        out = d[:, a].copy()
        for k in range(a + 1, b):
            out *= 10
            out += d[:, k]
        return out

    y, mo, day, h, mi, sec = num(0, 4), num(4, 6), num(6, 8), num(8, 10), num(10, 12), num(12, 14)
    month_len = np.array([31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int32)[
        np.clip(mo, 1, 12) - 1
    ]
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    month_len -= (mo == 2) & ~leap
    ok &= (mo >= 1) & (mo <= 12) & (day >= 1) & (day <= month_len) & (h <= 23) & (mi <= 59) & (sec <= 59)
    seconds = _days_from_civil(y.astype(np.int64), mo.astype(np.int64), day.astype(np.int64)) * 86400
    seconds += h * 3600 + mi * 60 + sec
    ms = seconds * 1000
    pos = 19
    if pos < width and layout[pos] == ".":
        end = pos + 1
        while end < width and layout[end].isdigit():
            end += 1
        frac = raw[:, pos + 1 : end]
        ok &= raw[:, pos] == ord(".")
        ok &= np.all((frac >= 48) & (frac <= 57), axis=1)
        for k, scale in zip(range(min(3, end - pos - 1)), (100, 10, 1), strict=False):
            ms += (frac[:, k].astype(np.int64) - 48) * scale
        pos = end
    if pos < width:
        if layout[pos] == "Z":
            ok &= raw[:, pos] == ord("Z")
        else:
            sign = np.where(raw[:, pos] == ord("-"), 1, -1)  # local = UTC + offset → UTC = local − offset
            ok &= (raw[:, pos] == ord("+")) | (raw[:, pos] == ord("-"))
            off = raw[:, [pos + 1, pos + 2, pos + 4, pos + 5]]
            ok &= np.all((off >= 48) & (off <= 57), axis=1) & (raw[:, pos + 3] == ord(":"))
            off = off.astype(np.int64) - 48
            ms += sign * ((off[:, 0] * 10 + off[:, 1]) * 3600 + (off[:, 2] * 10 + off[:, 3]) * 60) * 1000
    return ms, ok


def _parse_one(text: str) -> int | None:
    """Fallback for one timestamp: ``datetime.fromisoformat`` (naive = UTC)."""
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


def parse_timestamps(values: Iterable[str] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ISO 8601 timestamps → (int64 ms since the Unix epoch, UTC; ok mask).

    Accepts ``YYYY-MM-DD[T ]hh:mm:ss[.fff][Z|±hh:mm]``, vectorised when the strings share a
    layout, and anything else ``datetime.fromisoformat`` reads. Naive times are taken as
    UTC; digits beyond milliseconds are truncated. Unparseable entries get
    :data:`MISSING_TIMESTAMP` and ``ok`` False. ``values`` may be str or bytes (ASCII) arrays.
    """
    arr = values if isinstance(values, np.ndarray) else np.asarray(list(values), dtype=str)
    n = arr.size
    ms = np.full(n, MISSING_TIMESTAMP, dtype=np.int64)
    ok = np.zeros(n, dtype=bool)
    if n == 0:
        return ms, ok
    raw_all = None
    if arr.dtype.kind in "SU":
        try:
            b = arr if arr.dtype.kind == "S" else arr.astype(f"S{arr.dtype.itemsize // 4 or 1}")
        except UnicodeEncodeError:
            b = None
        if b is not None and b.dtype.itemsize:
            raw_all = np.ascontiguousarray(b).view(np.uint8).reshape(n, b.dtype.itemsize)
    rest = np.arange(n)
    if raw_all is not None:
        lengths = np.count_nonzero(raw_all, axis=1)
        widths = np.unique(lengths)
        for width in widths:
            idx = rest if widths.size == 1 else np.flatnonzero(lengths == width)
            raw = raw_all[:, :width] if widths.size == 1 else raw_all[idx, :width]
            sample = bytes(raw[0]).decode("ascii", errors="replace")
            if width >= 19 and _ISO.match(sample):
                got, good = _parse_fixed(raw, sample)
                ms[idx[good]] = got[good]
                ok[idx[good]] = True
        rest = np.flatnonzero(~ok)
    for i in rest:
        item = arr[i]
        text = item.decode("utf-8", errors="replace") if isinstance(item, bytes) else str(item)
        value = _parse_one(text)
        if value is not None:
            ms[i] = value
            ok[i] = True
    return ms, ok


def format_timestamps(ms: np.ndarray) -> list[str]:
    """ISO 8601 UTC strings (``...Z``; milliseconds only when present); '' for missing."""
    ms = np.asarray(ms, dtype=np.int64)
    missing = ms == MISSING_TIMESTAMP
    whole = np.all(ms[~missing] % 1000 == 0)
    stamps = np.where(missing, 0, ms).astype("datetime64[ms]")
    text = np.datetime_as_string(stamps, unit="s" if whole else "ms")
    out = [t + "Z" for t in text.tolist()]
    for i in np.flatnonzero(missing):
        out[i] = ""
    return out


_QUALITY = {"good": 0, "1": 0, "192": 0, "uncertain": 1, "bad": 2, "0": 2}


def quality_codes(labels: Sequence[str] | np.ndarray) -> tuple[np.ndarray, int]:
    """Quality labels → int8 codes (0 good, 1 uncertain, 2 bad) and the count of
    unrecognised labels (coded bad). Accepts good/uncertain/bad (any case, padded) and the
    numbers 1 (good), 0 (bad), 192 (OPC good)."""
    arr = np.asarray(labels)
    if arr.dtype.kind not in "SU":
        arr = arr.astype(str)
    codes = np.full(arr.size, 2, dtype=np.int8)
    known = np.zeros(arr.size, dtype=bool)
    for label, code in _QUALITY.items():  # exact matches: fast byte/str comparisons
        hit = arr == (label.encode() if arr.dtype.kind == "S" else label)
        codes[hit] = code
        known |= hit
    rest = np.flatnonzero(~known)
    unknown = 0
    if rest.size:
        uniq, inverse = np.unique(arr[rest], return_inverse=True)
        mapped = []
        for u in uniq.tolist():
            text = (u.decode("utf-8", errors="replace") if isinstance(u, bytes) else u).strip().lower()
            mapped.append(_QUALITY.get(text, -1))
        m = np.array(mapped, dtype=np.int8)[inverse]
        unknown = int(np.count_nonzero(m < 0))
        codes[rest] = np.where(m < 0, 2, m)
    return codes, unknown


# --------------------------------------------------------------------------- reading
def _header_map(header: list[str], where: str) -> dict[str, int]:
    names = [h.strip().strip('"').strip().lower() for h in header]
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
    return index


def _split_lines(data: bytes, start: int, rows: int) -> list[tuple[int, int]]:
    """Byte ranges of consecutive chunks of about ``rows`` lines from ``start`` (chunk size
    estimated from the first lines, cut at line ends)."""
    n = len(data)
    sample = data[start : start + 65536]
    lines = max(sample.count(b"\n"), 1)
    step = max(int(len(sample) / lines * rows), 1)
    ranges = []
    pos = start
    while pos < n:
        nl = data.find(b"\n", min(pos + step, n))
        end = n if nl < 0 else nl + 1
        ranges.append((pos, end))
        pos = end
    return ranges


def _fill_empty(text: str, d: str) -> str:
    """Empty fields → 'nan' (plain replaces: far faster than a regex on megabytes)."""
    while d + d in text:
        text = text.replace(d + d, d + "nan" + d)
    text = text.replace(d + "\n", d + "nan\n").replace(d + "\r", d + "nan\r").replace("\n" + d, "\nnan" + d)
    if text.startswith(d):
        text = "nan" + text
    if text.endswith(d):
        text += "nan"
    return text


def _chunk_fast(text: str, cols: list[int], names: list[str], delimiter: str) -> dict[str, np.ndarray] | None:
    """One chunk by numpy's C parser: timestamp/quality as bytes, measurements as floats
    (empty fields read as NaN); None when a field is not a number or a row is short."""
    dtype = [(name, "S40" if name in ("timestamp", "quality") else "f8") for name in names]
    text = _fill_empty(text, delimiter)
    try:
        got = np.loadtxt(
            io.StringIO(text),
            delimiter=delimiter,
            usecols=cols,
            dtype=dtype,
            ndmin=1,
            quotechar='"',
            comments=None,
        )
    except ValueError:
        return None
    return {name: got[name] for name in names}


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def _chunk_slow(text: str, cols: list[int], names: list[str], delimiter: str) -> dict[str, np.ndarray]:
    """Python csv fallback: short rows padded, text in numeric columns → NaN (missing_value)."""
    out: dict[str, list] = {name: [] for name in names}
    width = max(cols) + 1
    for rec in csv.reader(io.StringIO(text), delimiter=delimiter):
        if not rec or (len(rec) == 1 and not rec[0].strip()):
            continue
        if len(rec) < width:
            rec = rec + [""] * (width - len(rec))
        for name, c in zip(names, cols, strict=False):
            field = rec[c].strip()
            out[name].append(
                field.encode("utf-8", errors="replace")[:40]
                if name in ("timestamp", "quality")
                else _float(field)
            )
    return {
        name: (
            np.array(vals, dtype="S40") if name in ("timestamp", "quality") else np.array(vals, dtype=float)
        )
        for name, vals in out.items()
    }


def read_csv(path: Path, progress: Callable[[int, int], None] | None = None) -> SeriesData:
    """Read a history CSV (header row; comma or semicolon separated; UTF-8)."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    first_nl = data.find(b"\n")
    header_line = (data if first_nl < 0 else data[:first_nl]).decode("utf-8", errors="replace").rstrip("\r")
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    header = next(csv.reader([header_line], delimiter=delimiter))
    index = _header_map(header, path.name)
    names = ["timestamp", *MEASUREMENT_COLUMNS] + (["quality"] if "quality" in index else [])
    cols = [index[c] for c in names]
    parts: list[dict[str, np.ndarray]] = []
    total = len(data)
    for a, b in _split_lines(data, 0 if first_nl < 0 else first_nl + 1, READ_CHUNK_ROWS):
        text = data[a:b].decode("utf-8", errors="replace")
        got = _chunk_fast(text, cols, names, delimiter)
        parts.append(got if got is not None else _chunk_slow(text, cols, names, delimiter))
        if progress is not None:
            progress(b, total)
    if progress is not None and not parts:
        progress(total, total)
    col = {name: (np.concatenate([p[name] for p in parts]) if parts else np.empty(0)) for name in names}
    ts, _ = parse_timestamps(
        col["timestamp"].astype("S40") if col["timestamp"].dtype.kind == "U" else col["timestamp"]
    )
    values = {name: np.asarray(col[name], dtype=float) for name in MEASUREMENT_COLUMNS}
    quality, unknown = quality_codes(col["quality"]) if "quality" in col else (None, 0)
    return SeriesData(ts, values, quality, unknown, digest, ts.size)


def read_parquet(path: Path) -> SeriesData:
    """Read a history Parquet file (needs pyarrow)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ToolUnavailable([f"$.file_path: {PARQUET_HINT}"]) from None
    data = path.read_bytes()
    table = pq.read_table(io.BytesIO(data))
    lower = {name.lower(): name for name in table.column_names}
    _header_map(list(table.column_names), path.name)
    ts_col = table.column(lower["timestamp"])
    if str(ts_col.type).startswith("timestamp"):
        ts = ts_col.cast("timestamp[ms, tz=UTC]").cast("int64").to_numpy(zero_copy_only=False)
        ts = np.where(np.isnan(ts.astype(float)), MISSING_TIMESTAMP, ts).astype(np.int64)
    else:
        ts, _ = parse_timestamps(np.asarray(ts_col.to_pylist(), dtype=str))
    values = {
        name: np.asarray(table.column(lower[name]).to_numpy(zero_copy_only=False), dtype=float)
        for name in MEASUREMENT_COLUMNS
    }
    quality, unknown = (
        quality_codes(np.asarray(table.column(lower["quality"]).to_pylist(), dtype=str))
        if "quality" in lower
        else (None, 0)
    )
    return SeriesData(ts, values, quality, unknown, hashlib.sha256(data).hexdigest(), table.num_rows)


def read_series(path: Path, progress: Callable[[int, int], None] | None = None) -> SeriesData:
    """Read a history file by its suffix (.csv, .parquet/.pq)."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind == "parquet":
        return read_parquet(path)
    return read_csv(path, progress)


# --------------------------------------------------------------------------- writing
def series_resource_uri(sha256: str, fmt: str) -> str:
    """MCP-style resource URI of a written series file: ``condensync://history/<sha256>.<ext>``."""
    return f"condensync://history/{sha256}.{fmt}"


def _format_column(values: np.ndarray, invalid: np.ndarray | None) -> list[str]:
    text = list(map("{:.10g}".format, values.tolist()))
    if invalid is not None:
        for i in np.flatnonzero(invalid):
            text[i] = ""
    return text


def write_series(
    directory: Path,
    timestamps_ms: np.ndarray,
    reasons: list[str],
    reason_codes: np.ndarray,
    names: Sequence[str],
    block: Callable[[int, int], dict[str, np.ndarray]],
    fmt: str = "csv",
    chunk_rows: int = 100_000,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Path, str]:
    """Write the per-row series (timestamp, reason, the ``names`` columns) and return
    (path, SHA-256 of the file). Content-addressed: the file is ``<sha256>.<fmt>``.

    ``block(start, stop)`` gives the columns of rows [start, stop) (caller units), so a long
    series is formatted chunk by chunk. CSV: UTF-8, header row, numbers with 10 significant
    digits, invalid rows' numbers empty.
    """
    directory.mkdir(parents=True, exist_ok=True)
    n = int(np.asarray(timestamps_ms).size)
    names = list(names)
    if fmt == "parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise ToolUnavailable([f"$.series_format: {PARQUET_HINT}"]) from None
        table = pa.table(
            {
                "timestamp": pa.array(np.asarray(timestamps_ms, dtype=np.int64), pa.int64()).cast(
                    pa.timestamp("ms", tz="UTC")
                ),
                "reason": pa.array([reasons[c] for c in reason_codes.tolist()]),
                **{k: pa.array(v) for k, v in block(0, n).items()},
            }
        )
        sink = io.BytesIO()
        pq.write_table(table, sink)
        blob = sink.getvalue()
        digest = hashlib.sha256(blob).hexdigest()
        final = directory / f"{digest}.parquet"
        if not final.exists():
            _atomic_write(directory, final, [blob])
        if progress is not None:
            progress(n, n)
        return final, digest
    hasher = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=".series-", suffix=".tmp", dir=directory)
    label = np.array(reasons, dtype=object)
    try:
        with os.fdopen(fd, "wb") as fh:
            head = (",".join(["timestamp", "reason", *names]) + "\n").encode()
            hasher.update(head)
            fh.write(head)
            for start in range(0, n, chunk_rows):
                stop = min(start + chunk_rows, n)
                codes = reason_codes[start:stop]
                invalid = codes != 0
                any_invalid = invalid if invalid.any() else None
                cols = block(start, stop)
                parts = [format_timestamps(timestamps_ms[start:stop]), label[codes].tolist()]
                parts += [_format_column(cols[k], any_invalid) for k in names]
                payload = ("\n".join(map(",".join, zip(*parts, strict=False))) + "\n").encode()
                hasher.update(payload)
                fh.write(payload)
                if progress is not None:
                    progress(stop, n)
        digest = hasher.hexdigest()
        final = directory / f"{digest}.csv"
        os.chmod(tmp_name, 0o644)
        if final.exists():
            os.unlink(tmp_name)
        else:
            os.replace(tmp_name, final)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    return final, digest


def _atomic_write(directory: Path, final: Path, blobs: list[bytes]) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=".series-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            for b in blobs:
                fh.write(b)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, final)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


# --------------------------------------------------------------------------- chart
@dataclass
class ChartData:
    """What the history chart shows (times [ms since the epoch]; values in the caller's units)."""

    day_ms: np.ndarray  #: daily time centroids
    cf_mean: np.ndarray
    cf_min: np.ndarray
    cf_max: np.ndarray
    cleanings: list[tuple[float, str]]  #: (time, "detected" | "given")
    fit_curves: dict[str, tuple[np.ndarray, np.ndarray]]  #: model → (times, CF), current cycle
    selected: str | None
    trigger: float
    forecast_ms: float | None
    forecast_label: str
    title: str
    bp_day_ms: np.ndarray | None = None  #: backpressure panel: daily points
    bp_measured: np.ndarray | None = None
    bp_expected: np.ndarray | None = None
    bp_achievable: np.ndarray | None = None
    cw_inlet: np.ndarray | None = None
    pressure_unit: str = ""
    temperature_unit: str = ""
    achievable_label: str = "achievable"


def _dates(ms: np.ndarray) -> np.ndarray:
    return np.asarray(ms, dtype=float).astype("int64").astype("datetime64[ms]")


def _cleanliness_panel(ax, c: ChartData) -> None:
    x = _dates(c.day_ms)
    if x.size:
        ax.fill_between(x, c.cf_min, c.cf_max, color="#9ecae1", alpha=0.5, linewidth=0, label="daily min-max")
        ax.plot(x, c.cf_mean, "o-", color="#08519c", markersize=1.8, linewidth=0.7, label="daily mean CF")
    for k, (when, source) in enumerate(c.cleanings):
        ax.axvline(
            _dates(np.array([when]))[0],
            color="#6a3d9a",
            linewidth=1.0,
            linestyle="--" if source == "detected" else "-",
            label=("cleaning (detected: dashed, given: solid)" if k == 0 else None),
        )
    styles = {"linear": "#d95f02", "kern_seaton": "#1b9e77"}
    labels = {"linear": "linear fit", "kern_seaton": "Kern-Seaton fit"}
    for model, (t_ms, cf) in c.fit_curves.items():
        chosen = model == c.selected
        ax.plot(
            _dates(t_ms),
            cf,
            "-" if chosen else ":",
            color=styles.get(model, "gray"),
            linewidth=2.0 if chosen else 1.0,
            label=labels.get(model, model) + (" (selected, current cycle)" if chosen else ""),
        )
    ax.axhline(c.trigger, color="#e31a1c", linewidth=1.0, linestyle=":", label=f"cleaning trigger CF {c.trigger:g}")
    if c.forecast_ms is not None:
        when = _dates(np.array([c.forecast_ms]))[0]
        ax.axvline(when, color="#e31a1c", linewidth=1.0)
        lo, hi = ax.get_xlim()
        right_half = mdates_num(when) > lo + 0.5 * (hi - lo)
        ax.annotate(
            c.forecast_label,
            xy=(when, c.trigger),
            xytext=(-6 if right_half else 6, -14),
            textcoords="offset points",
            color="#e31a1c",
            fontsize=8,
            ha="right" if right_half else "left",
            va="top",
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "#e31a1c", "lw": 0.6},
        )
    ax.set_ylabel("cleanliness factor [-]")
    ax.grid(True, linewidth=0.3)
    # above the axes: inside, it would hide a cycle
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), fontsize=7, ncol=4, frameon=False)


def mdates_num(when: np.datetime64) -> float:
    """Matplotlib date number of a datetime64."""
    import matplotlib.dates as mdates

    return float(mdates.date2num(when))


def _backpressure_panel(ax, c: ChartData) -> None:
    x = _dates(c.bp_day_ms)
    ax.plot(x, c.bp_achievable, "-", color="#33a02c", linewidth=0.9, label=c.achievable_label)
    ax.plot(x, c.bp_expected, "-", color="#ff7f00", linewidth=0.9, label="expected at the cycle's fouling level")
    ax.plot(x, c.bp_measured, "-", color="#08519c", linewidth=1.2, label="measured (daily mean)", zorder=3)
    ax.set_ylabel(f"backpressure [{c.pressure_unit}]")
    ax.grid(True, linewidth=0.3)
    twin = ax.twinx()
    twin.plot(x, c.cw_inlet, "-", color="#999999", linewidth=0.7, alpha=0.8, label="CW inlet temperature")
    twin.set_ylabel(f"CW inlet temperature [{c.temperature_unit}]", color="#666666")
    twin.tick_params(axis="y", colors="#666666")
    lines = ax.get_legend_handles_labels()
    more = twin.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], loc="upper left", fontsize=7, ncol=2, framealpha=0.85)


def render_chart(c: ChartData) -> bytes:
    """PNG for an engineer: top, the daily cleanliness factor (mean with min-max band), the
    cleanings (vertical lines), the current cycle's fits extended to the forecast, the cleaning
    trigger and the forecast date; bottom (when given), the daily backpressure measured vs
    expected vs achievable with the CW inlet temperature (matplotlib, Agg).

    Deterministic for one matplotlib version (no timestamps or software tag in the file).
    """
    import matplotlib.dates as mdates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = 2 if c.bp_day_ms is not None and c.bp_day_ms.size else 1
    fig = Figure(figsize=(10.0, 4.8 if panels == 1 else 8.0), dpi=100)
    FigureCanvasAgg(fig)
    fig.suptitle(c.title, fontsize=10)
    axes = fig.subplots(panels, 1, sharex=True, squeeze=False)[:, 0]
    _cleanliness_panel(axes[0], c)
    if panels == 2:
        _backpressure_panel(axes[1], c)
    locator = mdates.AutoDateLocator()
    axes[-1].xaxis.set_major_locator(locator)
    axes[-1].xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes[-1].set_xlabel("date (UTC)")
    fig.tight_layout()
    sink = io.BytesIO()
    fig.savefig(sink, format="png", metadata={"Software": None})
    return sink.getvalue()


def chart_base64(png: bytes) -> str:
    """PNG bytes as base64 text (for the ``chart_png_base64`` result field)."""
    return base64.b64encode(png).decode("ascii")


def day_string(day: int) -> str:
    """ISO date of a day number (days since 1970-01-01)."""
    return str(np.datetime64(int(day) * DAY_MS, "ms").astype("datetime64[D]"))
