# SPDX-License-Identifier: MIT
"""Child-process entry points for the concurrency and crash tests.

Run as a script (``python _store_workers.py URL``) it appends forever, writing each
committed sequence number to stdout (the pipe read by the crash test) - this is test
code, not library code.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from condensync_tools.store import CallRecord, Store


def append_many(url: str, n: int, tag: int, barrier: Any, out: Any) -> None:
    """Append ``n`` records after all workers reached ``barrier``; put (tag, seqs) on ``out``."""
    store = Store(url)
    try:
        store.ping()  # connect before the start line
        barrier.wait(60)
        seqs = [
            store.append_call(CallRecord("load", "1", {"worker": tag, "i": i}, {"ok": True}, duration_ms=0.1)).seq
            for i in range(n)
        ]
        out.put((tag, seqs))
    finally:
        store.close()


def append_forever(url: str, threads: int = 1) -> None:
    """Append until killed from ``threads`` threads sharing one Store (so their appends are
    grouped into shared commits), reporting each committed seq on stdout."""
    store = Store(url)
    out = threading.Lock()

    def loop(k: int) -> None:
        i = 0
        while True:
            entry = store.append_call(CallRecord("crash", "1", {"k": k, "i": i}, {"v": i}, duration_ms=0.1))
            with out:
                sys.stdout.write(f"{entry.seq}\n")
                sys.stdout.flush()
            i += 1

    for k in range(1, threads):
        threading.Thread(target=loop, args=(k,), daemon=True).start()
    loop(0)


if __name__ == "__main__":
    append_forever(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1)
