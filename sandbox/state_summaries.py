"""Hashes and diffs of states already summarised, by state id (see sandbox.call_memo).

A replay that makes the same writes reaches the same state id, so the verifier's
state_hash()/diff() of it are answered here instead of by scanning the tables again.
Bounded by entries and by bytes (a diff of a call that rewrote a big table can weigh
megabytes): a diff heavier than MAX_ENTRY_BYTES is not kept at all.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sandbox.state_diff import StateDiff

MAX_ENTRIES = 256
MAX_ENTRY_BYTES = 1 << 20
MAX_TOTAL_BYTES = 16 << 20

SummaryKey = tuple[str, str]  # ("hash" | "diff", state id)


class StateSummaries:
    """A bounded store of state hashes and diffs, least recently used dropped first; `enabled` False keeps none.
    Safe to share between threads (an env's twins share one)."""

    def __init__(self, enabled: bool, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_TOTAL_BYTES) -> None:
        self.enabled = enabled
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._kept: OrderedDict[SummaryKey, tuple[str | StateDiff, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def bytes(self) -> int:
        """What the kept summaries weigh (a hash's text, a diff as JSON, and their keys)."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, key: SummaryKey) -> str | StateDiff | None:
        with self._lock:
            entry = self._kept.get(key)
            if entry is None:
                return None
            self._kept.move_to_end(key)
            return entry[0]

    def remember(self, key: SummaryKey, value: str | StateDiff) -> None:
        if not self.enabled:
            return
        weight = len(key[0]) + len(key[1])
        weight += len(value) if isinstance(value, str) else len(value.model_dump_json())
        if weight > MAX_ENTRY_BYTES:
            return
        with self._lock:
            old = self._kept.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._kept[key] = (value, weight)
            self._bytes += weight
            while len(self._kept) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, dropped) = self._kept.popitem(last=False)
                self._bytes -= dropped
