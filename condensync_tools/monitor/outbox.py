# SPDX-License-Identifier: MIT
"""The notification outbox (and the alert rule states): every notification is written to an SQLite file *before* it is
sent and removed from the pending set only once its destination accepted it, so a receiver or
broker outage, or a restart of the monitor, loses nothing.

One row per (notification, destination). Delivery per destination is in creation order and
stops at the first failure, so a ``resolve`` never overtakes its ``trigger``. A failed row
waits with exponential back-off (``retry_interval_s`` doubling up to ``max_retry_delay_s``).
A row the receiver *rejected* (HTTP 4xx: wrong URL, bad routing key) is kept as
``rejected`` and reported, never dropped. Delivered rows are kept for inspection and pruned
after ``[monitor] keep_delivered_s`` (7 days).

Stdlib :mod:`sqlite3` (WAL, ``synchronous=FULL``): a small local queue next to the monitor,
independent of the ledger database (which may be a shared PostgreSQL).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Outbox", "OutboxItem", "default_outbox_path"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    destination TEXT NOT NULL,
    dedup_key TEXT NOT NULL,
    action TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'pending',
    delivered_at REAL
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (destination, state, id);
CREATE TABLE IF NOT EXISTS alert_state (
    rule TEXT NOT NULL,
    condenser_id TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (rule, condenser_id)
);
"""


def default_outbox_path() -> Path:
    """``monitor-outbox.db`` in the user data directory (next to the default SQLite store)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("condensync")) / "monitor-outbox.db"


@dataclass(frozen=True)
class OutboxItem:
    """One notification for one destination."""

    id: int
    destination: str
    dedup_key: str
    action: str
    body: dict[str, Any]
    created_at: float
    attempts: int
    last_error: str
    state: str


class Outbox:
    """Durable queue of notifications (thread-safe; one connection guarded by a lock).

    Parameters
    ----------
    path : Path
        SQLite file (created with its directory).
    retry_interval_s, max_retry_delay_s : float
        First back-off after a failure and its cap [s].
    """

    def __init__(self, path: Path, retry_interval_s: float = 30.0, max_retry_delay_s: float = 900.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.retry_interval_s = retry_interval_s
        self.max_retry_delay_s = max_retry_delay_s
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(self, destination: str, dedup_key: str, action: str, body: dict[str, Any], now: float) -> int:
        """Persist a notification; returns its id (committed when this returns)."""
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO outbox (destination, dedup_key, action, body, created_at, next_attempt_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (destination, dedup_key, action, json.dumps(body, sort_keys=True), now, now),
            )
            return int(cur.lastrowid or 0)

    def due(self, destination: str, now: float, limit: int = 50) -> list[OutboxItem]:
        """Pending items of ``destination`` in order, if its oldest pending one is due (else none:
        order is kept, a later item never overtakes an earlier one)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, destination, dedup_key, action, body, created_at, attempts, last_error, state, "
                "next_attempt_at FROM outbox WHERE destination = ? AND state = 'pending' ORDER BY id LIMIT ?",
                (destination, limit),
            ).fetchall()
        if not rows or rows[0][9] > now:
            return []
        return [OutboxItem(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6], r[7], r[8]) for r in rows]

    def delivered(self, item_id: int, now: float) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE outbox SET state = 'delivered', delivered_at = ?, attempts = attempts + 1 WHERE id = ?",
                (now, item_id),
            )

    def failed(self, item_id: int, error: str, now: float, *, rejected: bool = False) -> float:
        """Record a failed attempt; returns the time of the next attempt (rejected: never)."""
        with self._lock:
            (attempts,) = self._db.execute("SELECT attempts FROM outbox WHERE id = ?", (item_id,)).fetchone()
            delay = min(self.max_retry_delay_s, self.retry_interval_s * 2 ** min(attempts, 20))
            state = "rejected" if rejected else "pending"
            self._db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, "
                "state = ? WHERE id = ?",
                (error[:500], now + delay, state, item_id),
            )
            return now + delay

    def retry_rejected(self, destination: str, now: float) -> int:
        """Put a destination's rejected items back in the queue (after fixing its configuration)."""
        with self._lock:
            return self._db.execute(
                "UPDATE outbox SET state = 'pending', next_attempt_at = ? WHERE destination = ? AND state = 'rejected'",
                (now, destination),
            ).rowcount

    def counts(self) -> dict[str, dict[str, int]]:
        """``{destination: {pending, rejected, delivered}}``."""
        with self._lock:
            rows = self._db.execute("SELECT destination, state, COUNT(*) FROM outbox GROUP BY destination, state")
            out: dict[str, dict[str, int]] = {}
            for dest, state, n in rows:
                out.setdefault(dest, {"pending": 0, "rejected": 0, "delivered": 0})[state] = int(n)
            return out

    def items(self, destination: str | None = None, state: str | None = None) -> list[OutboxItem]:
        """All items (optionally one destination / state), oldest first."""
        sql = (
            "SELECT id, destination, dedup_key, action, body, created_at, attempts, last_error, state FROM "
            "outbox WHERE (? IS NULL OR destination = ?) AND (? IS NULL OR state = ?) ORDER BY id"
        )
        with self._lock:
            rows = self._db.execute(sql, (destination, destination, state, state)).fetchall()
        return [OutboxItem(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6], r[7], r[8]) for r in rows]

    def save_states(self, states: dict[tuple[str, str], dict[str, Any]]) -> None:
        """Persist alert rule states (``(rule, condenser_id) → JSON-able dict``), so a restarted
        monitor still resolves what fired before and does not trigger it again."""
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR REPLACE INTO alert_state (rule, condenser_id, state) VALUES (?, ?, ?)",
                [(r, c, json.dumps(v, sort_keys=True)) for (r, c), v in states.items()],
            )
            self._db.execute("COMMIT")

    def load_states(self) -> dict[tuple[str, str], dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT rule, condenser_id, state FROM alert_state").fetchall()
        return {(r, c): json.loads(v) for r, c, v in rows}

    def prune_delivered(self, older_than: float) -> int:
        with self._lock:
            return self._db.execute(
                "DELETE FROM outbox WHERE state = 'delivered' AND delivered_at < ?", (older_than,)
            ).rowcount
