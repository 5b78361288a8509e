"""How many dialogues may do engine work at once, while the others wait for the model.

A worker runs hundreds of dialogues in threads to keep `--concurrency` requests in
flight, but its engine work (sandbox calls, prompt building, verification) runs under one
GIL. Left alone, every thread whose answer came back competes for it with every thread
starting its env: each engine step (and each sandbox call, whose deadline is wall time)
takes as long as all of them together. The gate lets `slots` threads work at a time; a
thread gives its slot back while it waits for a model answer (`ChatClient.complete`).

A dialogue whose answer is in goes before a dialogue that is starting: its next request
refills a slot at once, while a start first builds an env. So the first dialogues make
progress while the others' envs are built, and when the engine is busy the dialogues
under way finish before new ones start. Slots are handed over first in, first out within
each kind, directly from the thread that gives one back (no thundering herd).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager


class EngineGate:
    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError(f"an engine gate needs at least one slot, not {slots}")
        self.slots = slots
        self._free = slots
        self._lock = threading.Lock()
        self._resuming: deque[threading.Lock] = deque()  # waiters whose model answer is in
        self._starting: deque[threading.Lock] = deque()  # waiters starting an attempt
        self._holding = threading.local()

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold a slot for the block (an attempt's engine work)."""
        self._acquire(resuming=False)
        self._holding.held = True
        try:
            yield
        finally:
            self._holding.held = False
            self._release()

    @contextmanager
    def released(self) -> Iterator[None]:
        """Give the slot back for the block (a wait for the model), when this thread holds one."""
        if not getattr(self._holding, "held", False):
            yield
            return
        self._holding.held = False
        self._release()
        try:
            yield
        finally:
            self._acquire(resuming=True)
            self._holding.held = True

    def _acquire(self, resuming: bool) -> None:
        with self._lock:
            if self._free > 0:  # then no one waits: a slot given back goes to a waiter first
                self._free -= 1
                return
            waiter = threading.Lock()
            waiter.acquire()
            (self._resuming if resuming else self._starting).append(waiter)
        waiter.acquire()  # released by _release, which hands this thread its slot

    def _release(self) -> None:
        with self._lock:
            waiting = self._resuming or self._starting
            if waiting:
                waiting.popleft().release()  # the slot passes to it directly
            else:
                self._free += 1
