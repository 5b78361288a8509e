"""Interrupts a DuckDB statement that runs past the calling tool's deadline.

Env SQL executes in the engine, not in the worker, so killing the worker cannot stop
a heavy query; DuckDB's `interrupt()` can, from another thread. One waiting thread
per connection, armed per call (no thread is started per statement).
"""

from __future__ import annotations

import threading
import time

import duckdb


class QueryWatchdog:
    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self._connection = connection
        self._condition = threading.Condition()
        self._deadline: float | None = None
        self._closed = False
        self._thread: threading.Thread | None = None

    def arm(self, deadline: float) -> None:
        """From now until disarm(), interrupt any statement still running at `deadline`."""
        with self._condition:
            self._deadline = deadline
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="toolace-query-watchdog", daemon=True)
                self._thread.start()
            self._condition.notify()

    def disarm(self) -> None:
        with self._condition:
            self._deadline = None

    def _watch(self) -> None:
        with self._condition:
            while not self._closed:
                if self._deadline is None:
                    self._condition.wait()
                    continue
                remaining = self._deadline - time.monotonic()
                if remaining > 0:
                    self._condition.wait(remaining)
                    continue
                self._deadline = None
                self._connection.interrupt()

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
