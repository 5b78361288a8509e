"""Results of env SELECTs already run, by (SQL, parameters, versions of the tables read).

A table's version changes only when a committed write touches it, and a restore brings
the snapshot's versions back with its rows, so a statement over tables at the same
versions returns the same rows. Tools repeat a few statements (load the order, load the
customer) and the generator's trials, re-executions and the verifier's replay revisit
the same states, so many statements are answered here instead of by DuckDB (~0.5 ms
each). Tables written in the open transaction are bypassed: their versions do not yet
say what their rows are. A statement that names no table of the env is not kept: its
key would hold no version, so nothing would ever make it stale.

Bounded by entries and by bytes (the SQL, the parameters and the rows as JSON), so
hostile statements with megabytes of text or parameters cannot grow the engine.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

# Results longer than this are not kept: big scans are rare and would crowd out the rest.
MAX_ROWS_KEPT = 256
MAX_ENTRY_BYTES = 64 * 1024
MAX_TOTAL_BYTES = 8 * 1024 * 1024

ReadKey = tuple[str, str, str, tuple[int, ...]]


class ReadCache:
    """A bounded LRU of statement results; `size` 0 turns it off. Results are shared:
    callers must not change them (the engine only serialises them to the worker)."""

    def __init__(self, size: int, max_bytes: int = MAX_TOTAL_BYTES) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self._results: OrderedDict[ReadKey, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self.hits = 0

    @staticmethod
    def key(kind: str, sql: str, params: list[Any], versions: tuple[int, ...]) -> ReadKey:
        # repr keeps 1, 1.0, True and "1" apart, as DuckDB may treat them differently.
        return kind, sql, repr(params), versions

    @property
    def bytes(self) -> int:
        """What the kept entries weigh (their SQL, parameters and rows as JSON)."""
        return self._bytes

    def get(self, key: ReadKey) -> tuple[bool, Any]:
        entry = self._results.get(key)
        if entry is None:
            return False, None
        self._results.move_to_end(key)
        self.hits += 1
        return True, entry[0]

    def remember(self, key: ReadKey, result: Any) -> None:
        if self.size <= 0 or not key[3] or (isinstance(result, list) and len(result) > MAX_ROWS_KEPT):
            return
        weight = len(key[1]) + len(key[2])
        if weight > MAX_ENTRY_BYTES:
            return
        weight += len(json.dumps(result, ensure_ascii=False, default=str))
        if weight > MAX_ENTRY_BYTES:
            return
        old = self._results.pop(key, None)
        if old is not None:
            self._bytes -= old[1]
        self._results[key] = (result, weight)
        self._bytes += weight
        while len(self._results) > self.size or self._bytes > self.max_bytes:
            _, (_, dropped) = self._results.popitem(last=False)
            self._bytes -= dropped
