"""Outcomes of calls already made, by (state id, tool, arguments).

A tool is a function of the state, its arguments, the frozen clock and the per-call RNG
(seeded by the number of committed writes, which the state id covers). So a call made
again on the same state has the same outcome: a read, or a write that failed and left
the state alone, is answered from here instead of running again. A write that changed
the state still runs (the state must change), but its outcome answers `peek`; when it
was just tried with `peek`, the trial's transaction is committed instead (see
sandbox.held_trial).

State ids name what was done, not a table version: the seeded state is "seed" and a
successful write at state S gives hash(S, tool, arguments). Two dialogues that make the
same writes from the seeded state reach the same id, so the generator's trial calls, its
re-executions and the verifier's replay share one memo when they share the env.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sandbox.errors import CallResult

SEEDED = "seed"
# Bytes of arguments (as JSON) plus result or error: an outcome heavier than this is not
# kept, and the memo drops its oldest outcomes past the total. Hostile calls with
# megabytes of arguments or error text cannot grow the engine.
MAX_ENTRY_BYTES = 256 * 1024
MAX_TOTAL_BYTES = 32 * 1024 * 1024
# Outcomes that depend on the machine (a time or memory limit), not on the call.
_NOT_REPEATABLE = frozenset({"ToolTimeout", "ResourceLimit"})

MemoKey = tuple[str, str, str]


@dataclass(frozen=True)
class Outcome:
    result: CallResult
    changed_state: bool  # a successful write: running it again is needed to change the state
    weight: int = 0  # bytes, as counted against MAX_TOTAL_BYTES


class CallMemo:
    """A bounded LRU of call outcomes; `size` 0 turns it off. Safe to share between threads
    (the twins of an env share one: see Environment.twin)."""

    def __init__(self, size: int, max_bytes: int = MAX_TOTAL_BYTES) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self._outcomes: OrderedDict[MemoKey, Outcome] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self._lock = threading.Lock()

    @property
    def bytes(self) -> int:
        """What the kept outcomes weigh (arguments, results and errors as JSON)."""
        return self._bytes

    @staticmethod
    def key(state_id: str, tool: str, arguments: dict[str, Any]) -> MemoKey:
        # Argument order is kept: a tool may see it (**kwargs), so other orders are other calls.
        return state_id, tool, json.dumps(arguments, ensure_ascii=False, default=str)

    def get(self, key: MemoKey) -> Outcome | None:
        with self._lock:
            outcome = self._outcomes.get(key)
            if outcome is not None:
                self._outcomes.move_to_end(key)
            return outcome

    def answer(self, outcome: Outcome) -> CallResult:
        """A copy the caller may change without changing the memo."""
        with self._lock:
            self.hits += 1
        return outcome.result.detached()

    def remember(self, key: MemoKey, result: CallResult, changed_state: bool) -> None:
        if self.size <= 0 or (result.error is not None and result.error.type in _NOT_REPEATABLE):
            return
        weight = len(key[0]) + len(key[1]) + len(key[2])
        if weight > MAX_ENTRY_BYTES:
            return
        weight += len(result.error.message) if result.error is not None else len(
            json.dumps(result.result, ensure_ascii=False, default=str))
        if weight > MAX_ENTRY_BYTES:
            return
        outcome = Outcome(result.detached(), changed_state, weight)
        with self._lock:
            old = self._outcomes.pop(key, None)
            if old is not None:
                self._bytes -= old.weight
            self._outcomes[key] = outcome
            self._bytes += weight
            while len(self._outcomes) > self.size or self._bytes > self.max_bytes:
                _, dropped = self._outcomes.popitem(last=False)
                self._bytes -= dropped.weight


def state_after(key: MemoKey) -> str:
    """The id of the state a successful write `key` leads to."""
    return hashlib.sha256("\x1f".join(key).encode()).hexdigest()[:24]
