"""Progress of long work (verify, generate) on stderr, and results from worker processes."""

from __future__ import annotations

import queue
import sys
import time
from typing import Any


class StatusLine:
    """One status line on stderr: rewritten in place on a terminal, every 5 s otherwise.

    `first` is work already done before this run (a resume): the rate counts only this run's."""

    def __init__(self, verb: str, total: int, first: int = 0) -> None:
        self.verb, self.total, self.first = verb, total, first
        self.start = time.monotonic()
        self.last = 0.0
        self.tty = sys.stderr.isatty()

    def update(self, done: int, detail: str, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < (0.2 if self.tty else 5.0):
            return
        self.last = now
        rate = (done - self.first) / max(now - self.start, 1e-9)
        left = (self.total - done) / rate if rate > 0 else 0.0
        line = f"{self.verb} {done}/{self.total}{detail}, {rate:.1f}/s, ETA {left:.0f}s"
        sys.stderr.write(("\r" + line + ("\n" if final else "")) if self.tty else line + "\n")
        sys.stderr.flush()


def next_result(outbox: Any, procs: list[Any], what: str) -> Any:
    """The next item a worker process sent; fails loudly if a worker died meanwhile
    (a plain blocking get would wait forever)."""
    while True:
        try:
            return outbox.get(timeout=1.0)
        except queue.Empty as exc:
            if not all(p.is_alive() for p in procs):
                raise RuntimeError(f"a {what} worker process died") from exc
