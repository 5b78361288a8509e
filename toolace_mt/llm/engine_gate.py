"""How many dialogues may do engine work at once, while the others wait for the model.

A worker runs hundreds of dialogues in threads to keep `--concurrency` requests in
flight, but its engine work (sandbox calls, prompt building, verification) runs under one
GIL. Left alone, every thread whose answer came back competes for it: each one's sandbox
calls then take many times their CPU time in wall time, run past the sandbox's per-call
deadline, have their worker killed and restarted, and the failed call changes the
dialogue (more trials, more CPU, a record that depends on the machine's load). The gate
lets `slots` threads work at a time; a thread gives its slot back while it waits for a
model answer (`ChatClient.complete`) and takes one again when the answer is there.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class EngineGate:
    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError(f"an engine gate needs at least one slot, not {slots}")
        self.slots = slots
        self._free = threading.Semaphore(slots)
        self._holding = threading.local()

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold a slot for the block (an attempt's engine work)."""
        self._free.acquire()
        self._holding.held = True
        try:
            yield
        finally:
            self._holding.held = False
            self._free.release()

    @contextmanager
    def released(self) -> Iterator[None]:
        """Give the slot back for the block (a wait for the model), when this thread holds one."""
        if not getattr(self._holding, "held", False):
            yield
            return
        self._holding.held = False
        self._free.release()
        try:
            yield
        finally:
            self._free.acquire()
            self._holding.held = True
