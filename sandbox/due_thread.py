"""A background thread that does what is due in the sandbox's store, then sleeps until the next
thing is due or until it is poked (the notifier, the refund processor)."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

from sandbox.store import Store

IDLE_SECONDS = 1.0  # the longest sleep: something may become due without a poke


class DueThread:
    """Subclasses name the thread and implement `_work()`: do what is due and say how long to
    sleep. An Event, not a Condition: poke() runs inside store transactions, so waking the thread
    must never wait for a lock the thread could hold while reading the store."""

    thread_name = "due"
    log = logging.getLogger("sandbox")

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def poke(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()  # before reading: a poke from now on is never lost
            try:
                timeout = self._work()
            except sqlite3.Error:
                self.log.exception("%s: could not do what is due", self.thread_name)
                timeout = IDLE_SECONDS
            self._wake.wait(timeout)

    def _work(self) -> float:
        raise NotImplementedError


def seconds_until(store: Store, sql: str) -> float:
    """How long until the time `sql` selects (one row, one column; NULL when nothing waits)."""
    rows = store.query(sql)
    due_at = rows[0][0] if rows else None
    if due_at is None:
        return IDLE_SECONDS
    return min(IDLE_SECONDS, max(0.005, due_at - time.time()))
