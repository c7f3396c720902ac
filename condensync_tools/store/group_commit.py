# SPDX-License-Identifier: MIT
"""Group commit: concurrent callers that wait to be recorded share one durable commit.

A durable commit costs one ``fsync`` (SQLite WAL, ``synchronous=FULL``) or one WAL flush
(PostgreSQL, ``synchronous_commit=on``), whether it holds one ledger entry or fifty. With one
commit per call, callers queue on the chain head and throughput is one call per flush.
:class:`GroupCommit` is a leader/follower queue (as in MySQL's binary-log group commit and
PostgreSQL's own ``commit_delay`` idea, without the delay):

1. a caller puts its item on the queue;
2. if no leader is writing, it becomes the leader: it takes every queued item (at most
   ``max_group``), writes them in one transaction and commits, hands each caller its
   result, and repeats until its own item is done; then it steps down;
3. otherwise it waits; whatever queued up while the leader was flushing forms the next
   group, written by the next leader.

A short, adaptive **linger** makes the groups full. Without it, callers that go round in a
loop split into two alternating half-groups (those answered by one commit come back while
the next commit is already being written with the others). So before taking its group the
leader waits until as many callers are queued as were inside :meth:`GroupCommit.submit` at
the peak of the previous round, but never longer than a tenth of the recent commit time (and at
most ``max_linger`` seconds). A lone caller meets that target at once and is written
without delay (same latency as one commit per call). One leader at a time per
:class:`GroupCommit`, so groups are written in queue order and the order of entries in the
chain equals commit order. A caller returns only after the flush that contains its item
has returned, i.e. after its commit.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

__all__ = ["GroupCommit"]

Item = TypeVar("Item")
Result = TypeVar("Result")


class _Slot(Generic[Item, Result]):
    """One queued item; its caller sleeps on ``wake`` until the item is done or it is made
    the next leader. ``wake`` is a plain lock created held, released once by whoever wakes
    the caller (each caller has its own: no thundering herd on every commit; a lock rather
    than a :class:`threading.Event`, whose ``set`` and ``wait`` cost several Python-level
    calls each, paid by the leader for every caller of its group)."""

    __slots__ = ("item", "done", "value", "error", "wake")

    def __init__(self, item: Item) -> None:
        self.item = item
        self.done = False
        self.value: Result | None = None
        self.error: BaseException | None = None
        self.wake = threading.Lock()
        self.wake.acquire()


class GroupCommit(Generic[Item, Result]):
    """Leader/follower queue around a ``flush(items) -> results`` function.

    Parameters
    ----------
    flush : callable
        Writes and durably commits a group of items, returning one result per item in
        order. A result that is an exception instance is raised to that item's caller
        only (e.g. one bad record in a group retried one by one); an exception raised by
        ``flush`` itself goes to every caller of the group.
    max_group : int
        Largest group written in one commit.
    """

    def __init__(
        self,
        flush: Callable[[Sequence[Item]], Sequence[Result | BaseException]],
        max_group: int = 64,
        max_linger: float = 0.002,
    ):
        if max_group < 1:
            raise ValueError(f"max_group must be >= 1, got {max_group}")
        self._flush = flush
        self._max_group = max_group
        self._max_linger = max_linger
        self._cond = threading.Condition()
        self._arrived = threading.Condition(self._cond)  # same lock: the leader waits for callers here
        self._queue: deque[_Slot[Item, Result]] = deque()
        self._leading = False
        self._inside = 0  # callers inside submit()
        self._peak = 0  # most callers inside submit() since the last group was taken
        self._flush_seconds = 0.0  # moving average of one flush
        self.groups = 0
        """Number of groups flushed (for tests and metrics)."""
        self.items = 0
        """Number of items flushed."""

    def submit(self, item: Item) -> Result:
        """Queue ``item``, wait until the group holding it is committed, return its result."""
        slot: _Slot[Item, Result] = _Slot(item)
        with self._cond:
            self._queue.append(slot)
            self._inside += 1
            self._peak = max(self._peak, self._inside)
            self._arrived.notify()
            leader = not self._leading
            self._leading = True
        try:
            if not leader:
                slot.wake.acquire()  # done, or handed the lead by the previous leader
            if not slot.done:
                self._lead(slot)
        finally:
            with self._cond:
                self._inside -= 1
        if slot.error is not None:
            raise slot.error
        return slot.value  # type: ignore[return-value]

    def _lead(self, own: _Slot[Item, Result]) -> None:
        """Flush groups until ``own`` is done, then hand the lead to the oldest waiting caller."""
        try:
            while not own.done:
                self._flush_one_group(own)
        finally:
            with self._cond:
                if self._queue:
                    self._queue[0].wake.release()  # it leads next (its item is not done yet)
                else:
                    self._leading = False

    def _take_group(self) -> list[_Slot[Item, Result]]:
        """Linger (see module docstring), then take up to ``max_group`` queued items."""
        with self._cond:
            target = min(self._peak, self._max_group)
            deadline = time.monotonic() + min(self._max_linger, 0.1 * self._flush_seconds)
            while len(self._queue) < target:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._arrived.wait(left)
            self._peak = self._inside
            return [self._queue.popleft() for _ in range(min(self._max_group, len(self._queue)))]

    def _flush_one_group(self, own: _Slot[Item, Result]) -> None:
        """Take a group, flush it, publish the results and wake its callers (leader only;
        ``own`` is the leader's slot, whose caller is awake)."""
        group = self._take_group()
        started = time.monotonic()
        try:
            results = self._flush([s.item for s in group])
            if len(results) != len(group):  # pragma: no cover - a broken flush function
                raise RuntimeError(f"group commit: {len(results)} results for {len(group)} items")
            for s, r in zip(group, results, strict=True):
                if isinstance(r, BaseException):
                    s.error = r
                else:
                    s.value = r
        except BaseException as exc:  # every caller of the group learns that its commit failed
            for s in group:
                s.error = exc
        elapsed = time.monotonic() - started
        with self._cond:
            self._flush_seconds = elapsed if not self.groups else 0.8 * self._flush_seconds + 0.2 * elapsed
            self.groups += 1
            self.items += len(group)
            for s in group:
                s.done = True
                if s is not own:
                    s.wake.release()
