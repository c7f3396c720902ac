# SPDX-License-Identifier: MIT
"""File side of ``analyze_performance_history``: the data-directory sandbox, reading a time
series (CSV, Parquet), ISO 8601 timestamps, writing the per-row series; the chart is drawn by
:mod:`.history_chart`.

The calculator (:mod:`condensync_tools.calculators.history`) stays pure; everything that
touches the file system or renders lives here.

Sandbox: a caller may name a file only inside the configured data directory
(``CONDENSYNC_DATA_DIR``, or the CLI's own directory): relative paths are taken from it, any
``..`` component is refused, and the fully resolved path (symlinks followed) must still lie
inside the resolved data directory.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import Callable, NamedTuple, Protocol, Sequence

import numpy as np

from .. import settings
from ..calculators.history import DAY_MS, MISSING_TIMESTAMP
from ..errors import InvalidArguments, ToolUnavailable
from .history_read import (
    MEASUREMENT_COLUMNS,
    SeriesData,
    parse_timestamps,
    quality_codes,
    read_csv,
    read_parquet,
)
from .history_read import parse_one_timestamp as _parse_one  # noqa: F401  (kept name, used by tests)
from .series_retention import SeriesRetention, managed_series_directories, prune_series_files

__all__ = [
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
    "parquet_available",
    "PARQUET_HINT",
]

DATA_DIR_ENV = settings.DATA_DIR.name
SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
PARQUET_HINT = "Parquet needs the pyarrow package (a condensync dependency): pip install pyarrow (or give a CSV)"


class HistorianQuery(Protocol):
    """A live historian (provided by the connectors layer through
    ``ExecutionContext.services["historian"]``): measurement series of a condenser."""

    def query_history(
        self, condenser_id: str, fields: Sequence[str], start: str, end: str
    ) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray | None, list[dict]]:
        """(timestamps [int64 ms since the epoch, UTC], SI arrays by field, quality codes
        ("good"/"uncertain"/"bad") or None, provenance source records)."""


# --------------------------------------------------------------------------- sandbox
def configured_data_dir(services: dict | None = None) -> Path | None:
    """The data directory: ``services["data_dir"]`` (CLI), else ``$CONDENSYNC_DATA_DIR``."""
    raw = (services or {}).get("data_dir") or settings.DATA_DIR.raw()
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
        raise ToolUnavailable([f"$.{field}: the configured data directory {str(data_dir)!r} does not exist"]) from None
    if not root.is_dir():
        raise ToolUnavailable([f"$.{field}: the configured data directory {str(data_dir)!r} is not a directory"])
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
    return managed_series_directories(data_dir)[0]


def series_retention(services: dict | None) -> SeriesRetention | None:
    """The retention policy applied after writing a series file; None for a directory the
    caller chose (``services["output_dir"]``, CLI ``--out``), which is left alone."""
    if (services or {}).get("output_dir"):
        return None
    try:
        return SeriesRetention.from_env()
    except ValueError as exc:
        raise ToolUnavailable([f"$.series_output: {exc}; fix the server setting"]) from None


def parquet_available() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


# --------------------------------------------------------------------------- timestamps
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


# --------------------------------------------------------------------------- reading
def read_series(path: Path, progress: Callable[[int, int], None] | None = None) -> SeriesData:
    """Read a history file by its suffix (.csv, .parquet/.pq), in bounded chunks, within the
    configured limits (:mod:`.history_read`)."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind == "parquet":
        return read_parquet(path, progress)
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
    retention: SeriesRetention | None = None,
) -> tuple[Path, str]:
    """Write the per-row series (timestamp, reason, the ``names`` columns) and return
    (path, SHA-256 of the file). Content-addressed: the file is ``<sha256>.<fmt>``.

    ``block(start, stop)`` gives the columns of rows [start, stop) (caller units), so a long
    series is formatted chunk by chunk. CSV: UTF-8, header row, numbers with 10 significant
    digits, invalid rows' numbers empty. The file's modification time is set to now (also
    when the same content existed), then ``retention`` (if any) is applied to the directory,
    sparing this file (:mod:`.series_retention`).
    """
    directory.mkdir(parents=True, exist_ok=True)
    series = _Series(np.asarray(timestamps_ms), reasons, reason_codes, list(names), block, progress)
    if fmt == "parquet":
        final, digest = _write_parquet(directory, series)
    else:
        final, digest = _write_csv(directory, series, chunk_rows)
    os.utime(final)
    if retention is not None:
        prune_series_files(directory, retention, keep=[final])
    return final, digest


class _Series(NamedTuple):
    """What :func:`write_series` writes (its arguments of the same names)."""

    timestamps_ms: np.ndarray
    reasons: list[str]
    reason_codes: np.ndarray
    names: list[str]
    block: Callable[[int, int], dict[str, np.ndarray]]
    progress: Callable[[int, int], None] | None


def _write_parquet(directory: Path, series: _Series) -> tuple[Path, str]:
    timestamps_ms, reasons, reason_codes, _, block, progress = series
    n = int(timestamps_ms.size)
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq
    except ImportError:
        raise ToolUnavailable([f"$.series_format: {PARQUET_HINT}"]) from None
    table = pa.table(
        {
            "timestamp": pa.array(np.asarray(timestamps_ms, dtype=np.int64), pa.int64()).cast(
                pa.timestamp("ms", tz="UTC")
            ),
            "reason": pc.take(pa.array(reasons, pa.string()), pa.array(np.asarray(reason_codes))),
            **{k: pa.array(v) for k, v in block(0, n).items()},
        }
    )
    sink = io.BytesIO()
    # Dictionary encoding for the reason labels only: the measured floats are nearly all
    # distinct, and trying a dictionary on them first (pyarrow's default) makes the write
    # about 3x slower for a slightly smaller file.
    pq.write_table(table, sink, use_dictionary=["reason"])
    blob = sink.getvalue()
    digest = hashlib.sha256(blob).hexdigest()
    final = directory / f"{digest}.parquet"
    if not final.exists():
        _atomic_write(directory, final, [blob])
    if progress is not None:
        progress(n, n)
    return final, digest


def _write_csv(directory: Path, series: _Series, chunk_rows: int) -> tuple[Path, str]:
    timestamps_ms, reasons, reason_codes, names, block, progress = series
    n = int(timestamps_ms.size)
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


def day_string(day: int) -> str:
    """ISO date of a day number (days since 1970-01-01)."""
    return str(np.datetime64(int(day) * DAY_MS, "ms").astype("datetime64[D]"))
