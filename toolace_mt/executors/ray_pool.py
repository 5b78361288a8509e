"""Jobs run on a pool of Ray actors, results handed back in job order.

Each actor builds its worker once (an env pool, a verifier, a model client) and runs
jobs on it. A job's result depends on the job alone, never on the actor that ran it, so
the jobs of an actor that dies (its node lost, or killed) are sent again to the others,
and a replacement actor is started for it: no accepted result is lost and the order is
unchanged. Results leave the driver in job order only (a reorder buffer), so what is
written next is always the next job's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, Protocol, TypeVar

from toolace_mt.executors.ray_runtime import RayUnavailable, require_ray

J = TypeVar("J")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)

_END = object()


class Worker(Protocol[R_co]):
    def run(self, job: Any) -> R_co: ...

    def close(self) -> None: ...


def _cause(exc: BaseException) -> str:
    """The last line of Ray's report (e.g. "ModuleNotFoundError: No module named
    'toolace_mt'" on a node without it), shortened."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return f" (last: {lines[-1][:200]})" if lines else ""


class WorkersLost(RayUnavailable):
    """Every actor died, and replacements too: no one is left to run the jobs."""


class WorkerHost:
    """The actor: one worker built on first use (so a failure to build it is the job's
    error, not the actor's death), shared by the actor's threads."""

    def __init__(self, factory: Callable[[], Worker[Any]]) -> None:
        self._factory = factory
        self._worker: Worker[Any] | None = None
        self._lock = threading.Lock()

    def _get(self) -> Worker[Any]:
        with self._lock:
            if self._worker is None:
                self._worker = self._factory()
            return self._worker

    def run(self, job: Any) -> Any:
        return self._get().run(job)

    def close(self) -> None:
        with self._lock:
            if self._worker is not None:
                self._worker.close()
                self._worker = None


class RayPool(Generic[J, R]):
    """`size` actors, each running up to `threads` jobs at once, each with 1 CPU of the
    cluster reserved (so Ray spreads them over the nodes' CPUs)."""

    def __init__(self, factory: Callable[[], Worker[R]], size: int, threads: int = 1) -> None:
        self._ray = require_ray()
        self._remote = self._ray.remote(WorkerHost).options(num_cpus=1, max_concurrency=max(1, threads))
        self._factory = factory
        self.actors: list[Any] = [self._remote.remote(factory) for _ in range(size)]
        self._replacements = size  # a worker that kills its actor every time must not loop forever
        self.lost = 0  # jobs sent again after their actor died
        self._pending: dict[Any, tuple[int, Any, Any]] = {}  # sent, not yet answered: ref -> (seq, job, actor)
        self._last_death = ""  # why the last actor died, for the message when none is left

    def _actor_errors(self) -> tuple[type[BaseException], ...]:
        exceptions = self._ray.exceptions
        return tuple(getattr(exceptions, name) for name in ("RayActorError", "ActorUnavailableError")
                     if hasattr(exceptions, name))

    def _least_loaded(self, pending: dict[Any, tuple[int, Any, Any]]) -> Any:
        if not self.actors:
            raise WorkersLost(f"every Ray actor died (and its replacements){self._last_death}; the run stops here: "
                              "what was written so far stays, and generate's --resume continues")
        load = {id(actor): 0 for actor in self.actors}
        for _, _, actor in pending.values():
            if id(actor) in load:
                load[id(actor)] += 1
        return min(self.actors, key=lambda actor: load[id(actor)])

    def _submit(self, pending: dict[Any, tuple[int, Any, Any]], seq: int, job: Any) -> None:
        actor = self._least_loaded(pending)
        pending[actor.run.remote(job)] = (seq, job, actor)

    def _retire(self, actor: Any) -> None:
        """The actor died: out of the rotation, and a fresh one in its place (Ray puts it
        where a CPU is free, on another node if its own is gone)."""
        if any(live is actor for live in self.actors):
            self.actors = [live for live in self.actors if live is not actor]
            if self._replacements > 0:
                self._replacements -= 1
                self.actors.append(self._remote.remote(self._factory))

    def ordered(self, jobs: Iterable[J], window: Callable[[], int]) -> Iterator[R]:
        """Results of `jobs` in their order; at most `window()` jobs are out (sent and not
        yet handed back) at any time."""
        source = iter(jobs)
        pending = self._pending = {}
        ready: dict[int, R] = {}
        sent = handed = 0
        exhausted = False
        died = self._actor_errors()
        while True:
            while not exhausted and sent - handed < max(1, window()):
                job = next(source, _END)
                if job is _END:
                    exhausted = True
                    break
                self._submit(pending, sent, job)
                sent += 1
            if handed in ready:
                yield ready.pop(handed)
                handed += 1
                continue
            if not pending:
                return
            done, _ = self._ray.wait(list(pending), num_returns=1)
            seq, job, actor = pending.pop(done[0])
            try:
                ready[seq] = self._ray.get(done[0])
            except died as exc:
                self._last_death = _cause(exc)
                self.lost += 1
                self._retire(actor)
                self._submit(pending, seq, job)

    def close(self) -> None:
        """Jobs not started are cancelled (the caller stopped wanting them), each worker
        closes its envs once its running job ends (their sandbox processes end), then the
        actors go."""
        for ref in self._pending:
            self._ray.cancel(ref)
        self._pending = {}
        closing = [actor.close.remote() for actor in self.actors]
        if closing:
            self._ray.wait(closing, num_returns=len(closing), timeout=10)
        for actor in self.actors:
            self._ray.kill(actor)
        self.actors = []
