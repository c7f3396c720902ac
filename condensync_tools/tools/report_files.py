# SPDX-License-Identifier: MIT
"""Files of ``generate_performance_report``: where reports go, the content-addressed HTML
file, the window CSV a windowed report analyses, and the PDF printed by headless Chromium.

Reports go to ``services["report_path"]`` (CLI ``--out``), else ``<data dir>/reports``,
else ``<temp dir>/condensync/reports``; over MCP a report is served as
``condensync://reports/<sha256>.html``.

PDF: Debian's ``chromium`` package (``chromium --headless --print-to-pdf``), the browser
engine that also renders the HTML on screen, so the PDF is what the reader sees with the
print CSS applied; no other renderer is bundled.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from .history_io import SeriesData, _atomic_write, configured_data_dir, format_timestamps

__all__ = [
    "REPORTS_DIR_NAME",
    "report_directory",
    "report_resource_uri",
    "write_report",
    "write_window_csv",
    "find_chromium",
    "print_pdf",
    "CHROMIUM_CANDIDATES",
]

REPORTS_DIR_NAME = "reports"
#: Executable names of Chromium tried in order (Debian: chromium).
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Time limit of one PDF print [s].
PDF_TIMEOUT_S = 60.0


def report_directory(services: dict | None) -> Path:
    """Directory of generated reports (see the module docstring)."""
    data_dir = configured_data_dir(services)
    if data_dir is not None:
        return data_dir / REPORTS_DIR_NAME
    return Path(tempfile.gettempdir()) / "condensync" / REPORTS_DIR_NAME


def report_resource_uri(sha256: str) -> str:
    """``condensync://reports/<sha256>.html``."""
    return f"condensync://reports/{sha256}.html"


def _atomic(path: Path, blob: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(path.parent, path, [blob])


def write_report(html_text: str, services: dict | None) -> tuple[Path, str]:
    """Write the report; returns (path, SHA-256 of its bytes). The caller's ``report_path``
    is used as given; otherwise the file is ``<reports dir>/<sha256>.html``."""
    blob = html_text.encode("utf-8")
    digest = hashlib.sha256(blob).hexdigest()
    explicit = (services or {}).get("report_path")
    path = Path(explicit) if explicit else report_directory(services) / f"{digest}.html"
    _atomic(path, blob)
    return path, digest


def write_window_csv(data_dir: Path | None, data: SeriesData, keep: np.ndarray) -> Path:
    """The rows ``keep`` of a series as a CSV (same columns and units as the source file,
    10 significant digits) in ``<data dir>/reports/windows/<sha256>.csv``; returns its path."""
    root = (data_dir or Path(tempfile.gettempdir()) / "condensync").resolve()
    stamps = format_timestamps(data.timestamp_ms[keep])
    names = list(data.values)
    cols = [[("" if not np.isfinite(v) else f"{v:.10g}") for v in data.values[n][keep].tolist()] for n in names]
    header = ["timestamp", *names]
    if data.quality is not None:
        labels = np.array(["good", "uncertain", "bad"], dtype=object)
        cols.append(labels[np.clip(data.quality[keep], 0, 2)].tolist())
        header.append("quality")
    text = ",".join(header) + "\n" + "\n".join(",".join(r) for r in zip(stamps, *cols, strict=True)) + "\n"
    blob = text.encode("utf-8")
    path = root / REPORTS_DIR_NAME / "windows" / f"{hashlib.sha256(blob).hexdigest()}.csv"
    if not path.exists():
        _atomic(path, blob)
    return path


def find_chromium() -> str | None:
    """Path of a Chromium executable on PATH, or None."""
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_command(browser: str, html_path: Path, *extra: str) -> list[str]:
    """Headless Chromium on a local file, offline (no network, no first-run work)."""
    return [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--user-data-dir=" + str(Path(tempfile.gettempdir()) / "condensync-chromium"),
        *extra,
        html_path.resolve().as_uri(),
    ]


def print_pdf(html_path: Path, pdf_path: Path, browser: str | None = None) -> Path:
    """Print the HTML report to PDF with headless Chromium (its print CSS applies).

    Raises FileNotFoundError without Chromium, RuntimeError when the print fails."""
    browser = browser or find_chromium()
    if browser is None:
        raise FileNotFoundError("no Chromium found (Debian: apt-get install chromium)")
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = chromium_command(browser, html_path, f"--print-to-pdf={pdf_path.resolve()}", "--no-pdf-header-footer")
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=PDF_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"Chromium did not finish printing within {PDF_TIMEOUT_S:g} s") from None
    if done.returncode != 0 or not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise RuntimeError(f"Chromium exited with {done.returncode}: {' | '.join(tail)}")
    return pdf_path
