"""The query watchdog wakes only when a new deadline comes before the one it sleeps
until; every deadline must still stop the statement that runs past it."""

from __future__ import annotations

import time

import duckdb
import pytest

from sandbox.query_watchdog import QueryWatchdog

LONG = "SELECT count(*) FROM range(100000000000) a"  # minutes of work: only an interrupt ends it


def _run_until_stopped(connection: duckdb.DuckDBPyConnection) -> float:
    """When the statement was stopped (it never ends by itself)."""
    with pytest.raises(duckdb.InterruptException):
        connection.execute(LONG).fetchall()
    return time.monotonic()


def test_an_earlier_deadline_wakes_a_watchdog_sleeping_until_a_later_one() -> None:
    watchdog, connection = QueryWatchdog(), duckdb.connect()
    try:
        watchdog.arm(connection, time.monotonic() + 60)
        time.sleep(0.1)  # the thread now sleeps until the 60 s deadline
        soon = time.monotonic() + 0.3
        watchdog.arm(connection, soon)
        assert soon <= _run_until_stopped(connection) < soon + 30  # not the 60 s deadline
    finally:
        watchdog.close()


def test_a_later_deadline_is_kept_by_a_watchdog_that_wakes_first_by_itself() -> None:
    watchdog, connection = QueryWatchdog(), duckdb.connect()
    try:
        watchdog.arm(connection, time.monotonic() + 0.2)
        time.sleep(0.05)
        watchdog.disarm()
        later = time.monotonic() + 0.6
        watchdog.arm(connection, later)  # no wake-up: it already sleeps until the first deadline
        assert _run_until_stopped(connection) >= later  # not at the first, disarmed, deadline
    finally:
        watchdog.close()
