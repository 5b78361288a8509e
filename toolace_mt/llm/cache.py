"""Responses kept in a local SQLite file, keyed on everything that shapes an answer
(model, messages, tools, response format, sampling parameters): a resumed or repeated
run asks the server nothing it already asked. Safe across threads and processes."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

_TIMEOUT_S = 60.0
_SCHEMA = """CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY, model TEXT NOT NULL, message TEXT NOT NULL,
    tokens_in INTEGER NOT NULL, tokens_out INTEGER NOT NULL, created REAL NOT NULL)"""


def cache_key(request: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class ResponseCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), timeout=_TIMEOUT_S, check_same_thread=False, isolation_level=None)
        # Workers opening a new cache file at once race to switch it to WAL; SQLite answers
        # the loser "database is locked" at once (its busy timeout does not cover that
        # switch), so the switch is tried again until the same timeout.
        deadline = time.monotonic() + _TIMEOUT_S
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute(_SCHEMA)
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    self._db.close()
                    raise
                time.sleep(0.01)

    def get(self, key: str) -> tuple[dict[str, Any], int, int] | None:
        with self._lock:
            row = self._db.execute("SELECT message, tokens_in, tokens_out FROM responses WHERE key = ?",
                                   (key,)).fetchone()
        return None if row is None else (json.loads(row[0]), int(row[1]), int(row[2]))

    def put(self, key: str, model: str, message: dict[str, Any], tokens_in: int, tokens_out: int) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?)",
                             (key, model, json.dumps(message, ensure_ascii=False), tokens_in, tokens_out,
                              time.time()))

    def close(self) -> None:
        with self._lock:
            self._db.close()
