# SPDX-License-Identifier: MIT
"""Retention of the per-row series files ``analyze_performance_history`` writes.

Series files are content-addressed (``<sha256>.csv`` / ``<sha256>.parquet``) in
``<data dir>/history`` (or ``<temp dir>/condensync/history`` without a data directory). A
policy bounds them by age and by total size:

* ``CONDENSYNC_SERIES_MAX_AGE_DAYS`` (default 30): files not written or re-used for longer
  are removed; 0 = no age limit;
* ``CONDENSYNC_SERIES_MAX_TOTAL_MB`` (default 1024): when the directory holds more, the
  oldest files are removed until it fits; 0 = no size limit.

It is applied after every new series file (never to the file just written, which the call
returns) and by ``condensync db prune``. Only series files (64 hex digits + .csv/.parquet)
and stale temporary files of interrupted writes (``.series-*.tmp``, older than an hour) are
ever removed. A directory chosen explicitly (CLI ``--out``) is left alone.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .. import settings

__all__ = [
    "MAX_AGE_DAYS_ENV",
    "MAX_TOTAL_MB_ENV",
    "SeriesRetention",
    "SeriesPruneReport",
    "prune_series_files",
    "managed_series_directories",
]

MAX_AGE_DAYS_ENV = settings.SERIES_MAX_AGE_DAYS.name
MAX_TOTAL_MB_ENV = settings.SERIES_MAX_TOTAL_MB.name
DEFAULT_MAX_AGE_DAYS = settings.SERIES_MAX_AGE_DAYS.number({})
DEFAULT_MAX_TOTAL_MB = int(settings.SERIES_MAX_TOTAL_MB.number({}))
#: Temporary files of an interrupted write are removed after this long [s].
STALE_TEMP_SECONDS = 3600.0
_SERIES_NAME = re.compile(r"^[0-9a-f]{64}\.(csv|parquet)$")
_TEMP_NAME = re.compile(r"^\.series-.*\.tmp$")


@dataclass(frozen=True)
class SeriesRetention:
    """Age and total-size bounds of a series directory (0 = no bound)."""

    max_age_days: float = DEFAULT_MAX_AGE_DAYS
    max_total_bytes: int = DEFAULT_MAX_TOTAL_MB << 20

    @classmethod
    def from_env(cls, env: dict | None = None) -> SeriesRetention:
        """The policy from ``CONDENSYNC_SERIES_MAX_AGE_DAYS`` and ``CONDENSYNC_SERIES_MAX_TOTAL_MB``."""
        age = settings.SERIES_MAX_AGE_DAYS.number(env, allow_zero=True)
        total = settings.SERIES_MAX_TOTAL_MB.number(env, allow_zero=True)
        return cls(max_age_days=age, max_total_bytes=int(total * 2**20))


@dataclass(frozen=True)
class SeriesPruneReport:
    """What one pruning pass removed and kept in a directory."""

    directory: str
    files_removed: int = 0
    bytes_removed: int = 0
    files_kept: int = 0
    bytes_kept: int = 0


def prune_series_files(
    directory: Path,
    policy: SeriesRetention | None = None,
    now: float | None = None,
    keep: Iterable[Path] = (),
) -> SeriesPruneReport:
    """Apply ``policy`` to the series files in ``directory`` at time ``now`` (Unix seconds):
    first by age, then oldest first until the total fits. Files in ``keep`` stay."""
    policy = policy or SeriesRetention.from_env()
    now = time.time() if now is None else now
    protected = {Path(p).resolve() for p in keep}
    files: list[tuple[float, int, Path]] = []
    removed = removed_bytes = 0
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return SeriesPruneReport(str(directory))
    for entry in entries:
        if not entry.is_file(follow_symlinks=False):
            continue
        stat = entry.stat(follow_symlinks=False)
        path = Path(entry.path)
        if _TEMP_NAME.match(entry.name):
            if now - stat.st_mtime > STALE_TEMP_SECONDS and _remove(path):
                removed, removed_bytes = removed + 1, removed_bytes + stat.st_size
        elif _SERIES_NAME.match(entry.name):
            files.append((stat.st_mtime, stat.st_size, path))
    files.sort()
    max_age_s = policy.max_age_days * 86400.0
    kept: list[tuple[float, int, Path]] = []
    for mtime, size, path in files:
        if max_age_s > 0 and now - mtime > max_age_s and path.resolve() not in protected and _remove(path):
            removed, removed_bytes = removed + 1, removed_bytes + size
        else:
            kept.append((mtime, size, path))
    total = sum(size for _, size, _ in kept)
    if policy.max_total_bytes > 0 and total > policy.max_total_bytes:
        remaining = []
        for mtime, size, path in kept:  # oldest first
            if total > policy.max_total_bytes and path.resolve() not in protected and _remove(path):
                removed, removed_bytes, total = removed + 1, removed_bytes + size, total - size
            else:
                remaining.append((mtime, size, path))
        kept = remaining
    return SeriesPruneReport(str(directory), removed, removed_bytes, len(kept), total)


def _remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:  # removed meanwhile by another process: nothing to do
        return False
    return True


def managed_series_directories(data_dir: Path | None) -> list[Path]:
    """The directories series files go to by default: ``<data dir>/history`` (when a data
    directory is configured) and ``<temp dir>/condensync/history``."""
    out = [] if data_dir is None else [data_dir / "history"]
    return out + [Path(tempfile.gettempdir()) / "condensync" / "history"]
