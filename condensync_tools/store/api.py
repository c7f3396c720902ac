# SPDX-License-Identifier: MIT
"""The :class:`Store` facade: one engine (connection pool) per process, used by the server,
the CLI and batch work."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from . import history, ledger, migrate, retention
from .engine import make_engine, resolve_url
from .group_commit import GroupCommit
from .ledger import DEFAULT_CHAIN, CallRecord, LedgerEntry
from .migrate import SchemaStatus
from .retention import PruneReport, RetentionPolicy
from .verify import VerifyReport, WitnessCheck, verify
from .witness import HeadSigner, Witness, default_witness_path, resolve_signer

__all__ = ["Store"]

log = logging.getLogger(__name__)


class Store:
    """Persistence of the audit ledger and the condenser history.

    Parameters
    ----------
    url : str or None
        SQLAlchemy URL. ``None``: ``$CONDENSYNC_DATABASE_URL``, else the SQLite file
        ``condensync.db`` in ``platformdirs.user_data_dir("condensync")``.
        ``postgresql://...`` selects psycopg 3.
    chain : str
        Ledger chain appended to and verified (default ``"main"``).
    ledger_key : bytes or str or None
        HMAC key for retention checkpoints; ``None`` reads ``$CONDENSYNC_LEDGER_KEY``.
    auto_upgrade : bool
        Apply pending migrations on construction when :func:`~.migrate.schema_status`
        says it is safe (``empty`` or ``behind``); otherwise leave the schema alone.
    witness_path : str or Path or None
        Witness file of signed chain heads (see :mod:`.witness`); ``None``:
        ``$CONDENSYNC_LEDGER_WITNESS``, else beside an SQLite file, else in the data directory.
    **engine_options
        Passed to :func:`sqlalchemy.create_engine`.

    Notes
    -----
    The engine connects lazily: constructing a Store does not
    touch the database unless ``auto_upgrade`` is set. Create the Store after forking
    worker processes (or call :meth:`close` in the child), as pooled connections must not
    be shared across processes. All methods are thread-safe.
    """

    def __init__(
        self,
        url: str | URL | None = None,
        *,
        chain: str = DEFAULT_CHAIN,
        ledger_key: bytes | str | None = None,
        auto_upgrade: bool = False,
        witness_path: str | Path | None = None,
        **engine_options: Any,
    ) -> None:
        self._url = resolve_url(url)
        self.chain = chain
        if isinstance(ledger_key, str):
            ledger_key = ledger_key.encode("utf-8")
        self._key = ledger_key if ledger_key is not None else retention.ledger_key_from_env()
        self.witness_path = Path(witness_path) if witness_path is not None else default_witness_path(self._url)
        self._witness = None if self.witness_path is None else Witness(self.witness_path)
        self._signer: HeadSigner | None = None
        self._signer_lock = threading.Lock()
        self.engine: Engine = make_engine(self._url, **engine_options)
        self._group: GroupCommit[ledger.PreparedRecord, LedgerEntry] = GroupCommit(self._commit_group)
        if auto_upgrade:
            status = self.schema_status()
            if status.state in ("empty", "behind"):
                self.upgrade()
            elif status.state != "current":
                log.warning("store schema is %s (%s); not migrating", status.state, status.current)

    # ------------------------------------------------------------------ admin
    @property
    def url(self) -> str:
        """The database URL with any password masked: the userinfo password and every query
        value except harmless connection options (``?password=…`` included), see
        :func:`condensync_tools.redaction.redact_url`."""
        from ..redaction import redact_url

        return redact_url(self._url.render_as_string(hide_password=True))

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @property
    def signing(self) -> bool:
        """Whether a ledger key is configured (checkpoints are signed and checked)."""
        return self._key is not None

    def upgrade(self, revision: str = "head") -> SchemaStatus:
        """Apply pending migrations (lock-protected; see :mod:`.migrate`)."""
        return migrate.upgrade_engine(self.engine, revision)

    def schema_status(self) -> SchemaStatus:
        """Schema state relative to this release."""
        return migrate.schema_status(self.engine)

    def ping(self) -> bool:
        """True when the database answers ``SELECT 1`` (for readiness probes)."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except (SQLAlchemyError, OSError) as exc:
            log.warning("store ping failed: %s", exc)
            return False

    def close(self) -> None:
        """Close all pooled connections and the witness file."""
        self.engine.dispose()
        if self._witness is not None:
            self._witness.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r}, chain={self.chain!r})"

    # ----------------------------------------------------------------- ledger
    def append_call(self, record: CallRecord) -> LedgerEntry:
        """Append a tool call to the ledger; returns after the commit (see :mod:`.ledger`) and
        after the signed head of that commit is in the witness, with the call's ``receipt``.

        Concurrent callers share commits (:mod:`.group_commit`): the calls queued while a
        commit is in progress are written as consecutive entries in the next transaction,
        and one head - that of the group's last entry - is signed and witnessed for the
        group; each call's receipt holds its own seq and hash and that signed head."""
        return self._group.submit(ledger.prepare(record, self.chain))

    def _commit_group(self, group: Sequence[ledger.PreparedRecord]) -> list[LedgerEntry | BaseException]:
        """Write one group in one transaction, then sign and witness its last head (the
        group-commit leader calls this; one leader at a time, so witness order = commit order)."""
        return ledger.append_group(self.engine, group, self.chain, self._sign_and_witness)

    def _sign_and_witness(self, chain: str, seq: int, entry_hash: str) -> dict[str, Any]:
        """Sign the committed head ``(chain, seq, entry_hash)`` and append it to the witness."""
        head = self.signer().sign_head(chain, seq, entry_hash)
        if self._witness is not None:
            self._witness.append(head)
        return head

    async def append_call_async(self, record: CallRecord) -> LedgerEntry:
        """:meth:`append_call` in a worker thread, for asyncio servers."""
        return await asyncio.to_thread(self.append_call, record)

    def signer(self) -> HeadSigner:
        """The key that signs chain heads (created on first use, see :func:`.witness.resolve_signer`)."""
        if self._signer is None:
            with self._signer_lock:
                if self._signer is None:
                    self._signer = resolve_signer(self._key, create=True)
        assert self._signer is not None
        return self._signer

    def verify(
        self, *, public_key_pem: str | bytes | None = None, witness_path: str | Path | None = None
    ) -> VerifyReport:
        """Verify the chain from its last checkpoint, then against the witness (see :mod:`.verify`).

        Parameters
        ----------
        public_key_pem : str or bytes or None
            Verify witnessed heads with this Ed25519 public key instead of the local key.
        witness_path : str or Path or None
            Witness file to check instead of the configured one.
        """
        path = Path(witness_path) if witness_path is not None else self.witness_path
        check = None if path is None else WitnessCheck(path, self.head_verifier(public_key_pem))
        return verify(self.engine, self.chain, self._key, check)

    def head_verifier(self, public_key_pem: str | bytes | None = None) -> HeadSigner | None:
        """The key that verifies signed heads: the given Ed25519 public key, else the local
        signing key (never created here); None when there is none."""
        if public_key_pem is not None:
            return HeadSigner.from_public_pem(public_key_pem)
        return self._signer or resolve_signer(self._key, create=False)

    def get_entry(self, seq: int) -> LedgerEntry | None:
        """Ledger entry ``seq`` of this chain, or None."""
        return ledger.get_entry(self.engine, seq, self.chain)

    def find_by_provenance_hash(self, provenance_hash: str) -> LedgerEntry | None:
        """Latest successful ledger entry whose result has this provenance hash, or None."""
        return ledger.find_by_provenance_hash(self.engine, provenance_hash, self.chain)

    def last_entries(self, n: int = 20) -> list[LedgerEntry]:
        """The last ``n`` entries, oldest first."""
        return ledger.last_entries(self.engine, n, self.chain)

    def iter_entries(self, start_seq: int = 0) -> Iterator[LedgerEntry]:
        """All entries from ``start_seq`` on, in order."""
        return ledger.iter_entries(self.engine, self.chain, start_seq)

    # ---------------------------------------------------------------- history
    def record_readings(
        self, condenser_id: str, readings: Iterable[Mapping[str, Any]], *, event_type: str = "reading"
    ) -> int:
        """Store readings ``{name, value, unit, quality, source, source_timestamp}``."""
        return history.record_readings(self.engine, condenser_id, readings, event_type=event_type)

    def record_event(
        self, condenser_id: str, event_type: str, name: str, timestamp: datetime | str, **fields: Any
    ) -> None:
        """Store one event such as an alert (fields: value, unit, quality, source, payload)."""
        history.record_event(self.engine, condenser_id, event_type, name, timestamp, **fields)

    def record_result(
        self,
        condenser_id: str,
        tool: str,
        timestamp: datetime | str,
        result: Mapping[str, Any],
        provenance_hash: str | None = None,
        **metrics: Any,
    ) -> int:
        """Store a tool result's key figures for a condenser (see :func:`.history.record_result`)."""
        return history.record_result(self.engine, condenser_id, tool, timestamp, result, provenance_hash, **metrics)

    def fouling_history(
        self,
        condenser_id: str,
        since: datetime | str | None = None,
        *,
        until: datetime | str | None = None,
        tools: Sequence[str] | None = None,
        unit_system: Literal["SI", "US"] | None = None,
        include_aggregates: bool = True,
    ) -> list[dict[str, Any]]:
        """``[{timestamp, cleanliness_factor, fouling_resistance}]`` in time order."""
        return history.fouling_history(
            self.engine,
            condenser_id,
            since,
            until=until,
            tools=tools,
            unit_system=unit_system,
            include_aggregates=include_aggregates,
        )

    def readings(self, condenser_id: str, **filters: Any) -> list[dict[str, Any]]:
        """Raw events of a condenser (filters: name, event_type, since, until, limit)."""
        return history.readings(self.engine, condenser_id, **filters)

    def results(self, condenser_id: str, **filters: Any) -> list[dict[str, Any]]:
        """Stored results of a condenser (filters: tool, since, until)."""
        return history.results(self.engine, condenser_id, **filters)

    def aggregates(
        self, condenser_id: str, resolution: Literal["hourly", "daily"] = "hourly", **filters: Any
    ) -> list[dict[str, Any]]:
        """Hourly or daily aggregates of a condenser (filters: name, since, until)."""
        return history.aggregates(self.engine, condenser_id, resolution, **filters)

    # -------------------------------------------------------------- retention
    def prune(self, policy: RetentionPolicy | None = None, now: datetime | None = None) -> PruneReport:
        """Aggregate and prune per ``policy`` at time ``now`` (see :mod:`.retention`)."""
        return retention.prune(self.engine, policy, now, chain=self.chain, key=self._key)
