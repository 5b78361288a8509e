"""Results of env SELECTs already run, by (SQL, parameters, versions of the tables read).

A table's version changes only when a committed write touches it, and a restore brings
the snapshot's versions back with its rows, so a statement over tables at the same
versions returns the same rows. Tools repeat a few statements (load the order, load the
customer) and the generator's trials, re-executions and the verifier's replay revisit
the same states, so many statements are answered here instead of by DuckDB (~0.5 ms
each). Tables written in the open transaction are bypassed: their versions do not yet
say what their rows are.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

# Results longer than this are not kept: big scans are rare and would crowd out the rest.
MAX_ROWS_KEPT = 256

ReadKey = tuple[str, str, str, tuple[int, ...]]


class ReadCache:
    """A bounded LRU of statement results; `size` 0 turns it off. Results are shared:
    callers must not change them (the engine only serialises them to the worker)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._results: OrderedDict[ReadKey, Any] = OrderedDict()
        self.hits = 0

    @staticmethod
    def key(kind: str, sql: str, params: list[Any], versions: tuple[int, ...]) -> ReadKey:
        # repr keeps 1, 1.0, True and "1" apart, as DuckDB may treat them differently.
        return kind, sql, repr(params), versions

    def get(self, key: ReadKey) -> tuple[bool, Any]:
        if key not in self._results:
            return False, None
        self._results.move_to_end(key)
        self.hits += 1
        return True, self._results[key]

    def remember(self, key: ReadKey, result: Any) -> None:
        if self.size <= 0 or (isinstance(result, list) and len(result) > MAX_ROWS_KEPT):
            return
        self._results[key] = result
        while len(self._results) > self.size:
            self._results.popitem(last=False)
