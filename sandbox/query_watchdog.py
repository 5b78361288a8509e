"""Interrupts a DuckDB statement that runs past the calling tool's deadline.

Env SQL executes in the engine, not in the worker, so killing the worker cannot stop
a heavy query; DuckDB's `interrupt()` can, from another thread. One waiting thread
per store, armed per call with the connection the call's statements run on (a write
tool's run on the store's write session, not its main connection; see sandbox.state).
No thread is started per statement, and the thread is woken only when a deadline comes
before the time it already sleeps until (deadlines of successive calls only grow, so a
busy env wakes it about once per deadline, not once per call: each wake-up costs the
engine's GIL).
"""

from __future__ import annotations

import threading
import time

import duckdb


class QueryWatchdog:
    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._deadline: float | None = None
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._closed = False
        self._thread: threading.Thread | None = None
        self._sleeps_until: float | None = None  # when the thread wakes by itself (None: only when notified)

    def arm(self, connection: duckdb.DuckDBPyConnection, deadline: float) -> None:
        """From now until disarm(), interrupt any statement still running on `connection`
        at `deadline` (other connections are left alone: one may hold a trial open)."""
        with self._condition:
            self._connection = connection
            self._deadline = deadline
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="toolace-query-watchdog", daemon=True)
                self._thread.start()
            if self._sleeps_until is None or deadline < self._sleeps_until:
                self._condition.notify()  # else it wakes first by itself, and waits on for this deadline

    def disarm(self) -> None:
        with self._condition:
            self._deadline = None
            self._connection = None

    def _watch(self) -> None:
        with self._condition:
            while not self._closed:
                if self._deadline is None or self._connection is None:
                    self._sleeps_until = None
                    self._condition.wait()
                    continue
                remaining = self._deadline - time.monotonic()
                if remaining > 0:
                    self._sleeps_until = self._deadline
                    self._condition.wait(remaining)
                    self._sleeps_until = None
                    continue
                self._deadline = None
                self._connection.interrupt()

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._connection = None
            self._condition.notify()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
