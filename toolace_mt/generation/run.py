"""`toolace-mt generate`: attempts in order, each generated, verified and kept or dropped.

Attempt i uses env `envs[i % len(envs)]` and the seed string "S:i", so its outcome does
not depend on which worker ran it; results are written in attempt order until N are
accepted, which makes the output byte-identical for any `--workers`. Each record is
appended as one whole line and flushed: after a crash, `--resume` drops a torn last line
and continues from the attempt after the last record written. The arguments that decide
the records (`run_identity`) are kept beside the output in OUT.settings.json, so a resume
with other ones is refused instead of mixing two kinds of records in one file.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import queue
import re
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from sandbox.registry import resolve
from toolace_mt.env_refs import run_env_refs
from toolace_mt.executors import ExecutorChoice
from toolace_mt.executors.env_shipping import EnvBundle, bundle_envs
from toolace_mt.generation.attempt_log import AttemptLine, attempts_path, trim_attempt_log
from toolace_mt.generation.backends.interface import Backend, CostMeter
from toolace_mt.generation.backends.offline_backend import OfflineBackend
from toolace_mt.generation.mas import generate_mas
from toolace_mt.generation.naig import Attempt, generate_naig
from toolace_mt.generation.plan.reachability import Coverage, coverage, successful_calls
from toolace_mt.generation.settings import Settings
from toolace_mt.generation.workbench import BenchShelf, Workbench
from toolace_mt.jsonl import BadLine, parse_line
from toolace_mt.llm import AnswerError, ChatClient, ModelError, ModelSettings
from toolace_mt.llm.engine_gate import EngineGate
from toolace_mt.progress import StatusLine, next_result
from toolace_mt.strict_json import loads_strict
from toolace_mt.verifier import SUB_QUESTIONS, Verifier

Method = Literal["naig", "mas"]


class RunOptions(BaseModel):
    envs: list[str]
    n: int
    seed: int
    out: Path
    method: Method = "naig"
    backend: str = "offline"
    workers: int = 1
    max_attempts: int
    resume: bool = False
    keep_failed: Path | None = None
    settings: Settings = Settings()
    model: ModelSettings | None = None  # --backend openai
    executor: ExecutorChoice = ExecutorChoice()  # where attempts run (`local`: `workers` processes here)
    checks: tuple[str, ...] | None = None  # the gate's checks; None: the verifier's defaults
    env_dir: Path | None = None  # --env-dir: records name env files relative to it
    # Set where the env files were copied (a Ray actor's node): the names the user's run gives.
    env_ref_names: dict[str, str] | None = None

    def env_refs(self) -> dict[str, str]:
        """What records name for each --env (README "Portable env references")."""
        if self.env_ref_names is not None:
            return self.env_ref_names
        return run_env_refs(self.envs, self.env_dir)


@dataclass
class AttemptResult:
    index: int
    env: str
    line: str | None  # the verified record, when accepted
    failed_line: str | None  # the record with its failures, for --keep-failed
    failed_checks: list[str]
    reason: str | None
    cost: dict[str, Any]
    seconds: float
    fatal: str | None = None  # a ModelError: the run stops here (accepted records stay, --resume continues)
    paid: dict[str, int] = field(default_factory=dict)  # model answers not served from the cache, and their tokens
    # The tools the accepted record called successfully, found where the attempt ran: the
    # driver writes every record and parsing each one again there was most of its cost.
    called: frozenset[str] = frozenset()


def make_record_id(options: RunOptions, index: int) -> str:
    env = options.envs[index % len(options.envs)]
    return f"{Path(env).stem}-{options.method}-s{options.seed}-{index:06d}"


def make_backend(name: str) -> Backend:
    if name == "offline":
        return OfflineBackend()
    raise ValueError(f"unknown backend '{name}' (available: offline, openai)")


def backend_for(options: RunOptions, gate: EngineGate | None = None) -> Backend:
    """The run's backend; a model backend gets one client (one per worker process)."""
    if options.backend != "openai":
        return make_backend(options.backend)
    from toolace_mt.generation.backends.openai_backend import OpenAIBackend

    if options.model is None:
        raise ValueError("--backend openai needs model settings (--model)")
    return OpenAIBackend(ChatClient(options.model, gate), options.settings, options.model)


def _paid(cost: CostMeter) -> dict[str, int]:
    return {"cached": cost.cached_calls, "tokens_in": cost.tokens_in - cost.cached_tokens_in,
            "tokens_out": cost.tokens_out - cost.cached_tokens_out}


class AttemptRunner:
    """One thread's generator: a workbench per env, a backend, a verifier. A model
    backend is shared by the runners of a process (`backend`): one client per worker."""

    def __init__(self, options: RunOptions, backend: Backend | None = None,
                 shelf: BenchShelf | None = None) -> None:
        self.options = options
        self.backend = backend or backend_for(options)
        self._shelf = shelf  # whose benches these are (closed with it); None: the runner's own
        self._new_bench = shelf.take if shelf is not None else (lambda env: Workbench(env, options.seed))
        self.benches: dict[str, Workbench] = {}
        judge = self.backend.judge(CostMeter())
        self.verifier = Verifier(judge=judge) if options.checks is None else \
            Verifier(options.checks, judge=judge)

    def bench(self, env: str) -> Workbench:
        if env not in self.benches:
            bench = self.benches[env] = self._new_bench(env)
            bench.env_ref = self.options.env_refs()[env]  # what its records name (README "Portable env references")
            # The gate replays on the same env: calls already made on a state are not run again.
            self.verifier.pool.adopt(bench.env, bench.env_ref)
        return self.benches[env]

    def run(self, index: int) -> AttemptResult:
        options = self.options
        env = options.envs[index % len(options.envs)]
        self.bench(env)  # a worker's start-up (once per env) is not the attempt's time
        start = time.perf_counter()
        generate = generate_naig if options.method == "naig" else generate_mas
        record_id = make_record_id(options, index)
        meter = CostMeter()
        try:
            attempt: Attempt = generate(self.bench(env), self.backend, options.settings, f"{options.seed}:{index}",
                                        record_id, index, meter)
        except ModelError as exc:
            return AttemptResult(index, env, None, None, [], None, {}, time.perf_counter() - start, fatal=str(exc))
        except AnswerError as exc:  # this dialogue cannot go on; the run does (what it paid is counted)
            return AttemptResult(index, env, None, None, ["generation"], f"model: {exc}", meter.as_dict(),
                                 time.perf_counter() - start, paid=_paid(meter))
        if self.backend.name == "offline":
            for _ in SUB_QUESTIONS:  # the verifier's specialists: one model call each
                attempt.cost.add("verify", 0, 0)
        else:  # the model's specialists count their own requests
            self.verifier.judge = self.backend.judge(attempt.cost)
        if attempt.record is None:
            return AttemptResult(index, env, None, None, ["generation"], attempt.reason, attempt.cost.as_dict(),
                                 time.perf_counter() - start)
        record = attempt.record.model_copy(update={"provenance": attempt.record.provenance.model_copy(
            update={"cost": attempt.cost.as_dict()})})
        try:
            verification = self.verifier.verify(record)
        except ModelError as exc:
            return AttemptResult(index, env, None, None, [], None, {}, time.perf_counter() - start, fatal=str(exc))
        except AnswerError as exc:
            return AttemptResult(index, env, None, None, ["judge"], f"model: {exc}", attempt.cost.as_dict(),
                                 time.perf_counter() - start, paid=_paid(attempt.cost))
        verified = record.model_copy(update={"verification": verification}).to_json()
        checks = sorted({f.check for f in verification.failures})
        called = frozenset(successful_calls(json.loads(verified))) if verification.passed else frozenset()
        return AttemptResult(index, env, verified if verification.passed else None,
                             None if verification.passed else verified, checks, None, attempt.cost.as_dict(),
                             time.perf_counter() - start, paid=_paid(attempt.cost), called=called)

    def close(self) -> None:
        if self._shelf is None:
            for bench in self.benches.values():
                bench.close()
        self.verifier.close()


def concurrency(options: RunOptions) -> int:
    """Attempts a worker runs at once: a model backend waits on the network, so several
    attempts (threads, each with its own workbench) keep `--concurrency` requests in flight."""
    return options.model.concurrency if options.backend != "offline" and options.model is not None else 1


def dialogues_in_flight(options: RunOptions) -> int:
    """Attempts a worker runs at once: more than `concurrency(options)`, so that while some
    dialogues do engine work (sandbox calls, verification, prompt building) the others
    still fill every request slot (the client's semaphore holds the extra ones back).
    README "Concurrency design" has the measurement behind the slack."""
    requests = concurrency(options)
    return requests if requests == 1 else requests + max(2, requests // 4)


def engine_slots() -> int:
    """Dialogues of a worker doing engine work at once (see EngineGate): enough to keep
    the sandbox workers (other processes) busy while one thread has the GIL, few enough
    that a sandbox call's wall time stays near its CPU time."""
    return 2 * (os.cpu_count() or 1)


class ThreadedRunner:
    """`dialogues_in_flight(options)` AttemptRunners in threads sharing one backend (one
    client); at most `engine_slots()` of them do engine work at a time (EngineGate). Each
    thread has its own env, made from the first one's start-up knowledge (BenchShelf)."""

    def __init__(self, options: RunOptions, shelf: BenchShelf | None = None) -> None:
        self.options = options
        self._own_shelf = shelf is None
        self.shelf = shelf if shelf is not None else BenchShelf(options.seed)
        self.gate = EngineGate(engine_slots())
        self.backend = backend_for(options, self.gate)
        self.pool = ThreadPoolExecutor(max_workers=dialogues_in_flight(options), thread_name_prefix="attempt")
        self._local = threading.local()
        self._runners: list[AttemptRunner] = []
        self._lock = threading.Lock()

    def _runner(self) -> AttemptRunner:
        runner = getattr(self._local, "runner", None)
        if runner is None:
            runner = AttemptRunner(self.options, self.backend, self.shelf)
            self._local.runner = runner
            with self._lock:
                self._runners.append(runner)
        return runner

    def _run(self, index: int) -> AttemptResult:
        with self.gate.held():
            return self._runner().run(index)

    def submit(self, index: int) -> Future[AttemptResult]:
        return self.pool.submit(self._run, index)

    def close(self) -> None:
        client = getattr(self.backend, "client", None)
        if client is not None:
            client.cancel()  # attempts still running stop at their next request instead of paying on
        self.pool.shutdown(wait=True, cancel_futures=True)
        for runner in self._runners:
            runner.close()
        if self._own_shelf:
            self.shelf.close()
        if client is not None:
            client.close()


def _indexes(inbox: Any, outbox: Any) -> Iterator[int]:
    """Attempt indexes sent to this worker, until None or the parent is gone."""
    parent = mp.parent_process()
    while True:
        try:
            index = inbox.get(timeout=1.0)
        except queue.Empty:
            if parent is not None and not parent.is_alive():  # killed (kill -9 sends no None)
                outbox.cancel_join_thread()  # no one will read what is still buffered: do not wait for it
                return
            continue
        if index is None:
            return
        yield index


def _serve(options: RunOptions, inbox: Any, outbox: Any) -> None:
    if concurrency(options) > 1 or options.backend != "offline":
        threaded = ThreadedRunner(options)
        try:
            for index in _indexes(inbox, outbox):
                threaded.submit(index).add_done_callback(lambda done: outbox.put(done.result()))
        finally:
            threaded.close()
        return
    runner = AttemptRunner(options)
    try:
        for index in _indexes(inbox, outbox):
            outbox.put(runner.run(index))
    finally:
        runner.close()


class ActorAttempts:
    """A Ray actor's worker (`--executor ray`): the run's env files written on its node,
    then an AttemptRunner (threads of them with a model backend) over them. Results name
    each env as the user gave it, so they are the ones a local run makes."""

    def __init__(self, options: RunOptions, bundle: EnvBundle) -> None:
        placed, self._root = bundle.materialize()
        self._given = {here: given for given, here in placed.items()}
        refs = options.env_refs()
        here = options.model_copy(update={"envs": [placed[env] for env in options.envs],
                                          "env_ref_names": {placed[env]: refs[env] for env in options.envs}})
        self._runner: AttemptRunner | ThreadedRunner = \
            ThreadedRunner(here) if concurrency(here) > 1 or here.backend != "offline" else AttemptRunner(here)

    def run(self, index: int) -> AttemptResult:
        if isinstance(self._runner, ThreadedRunner):
            result = self._runner.submit(index).result()
        else:
            result = self._runner.run(index)
        return replace(result, env=self._given[result.env])

    def close(self) -> None:
        self._runner.close()
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)


def _ray_attempts(options: RunOptions, first: int, window: Callable[[int], int]) -> Iterator[AttemptResult]:
    from toolace_mt.executors.ray_pool import RayPool
    from toolace_mt.executors.ray_runtime import cluster_cpus, connect

    options = options.model_copy(update={"env_ref_names": options.env_refs()})  # computed here, where the files are
    ray = connect(options.executor.ray_address)
    size = options.executor.actors or cluster_cpus(ray)
    pool: RayPool[int, AttemptResult] = RayPool(partial(ActorAttempts, options, bundle_envs(options.envs)), size,
                                               threads=concurrency(options))
    try:
        yield from pool.ordered(range(first, options.max_attempts), lambda: window(2 * size * concurrency(options)))
    finally:
        pool.close()


def attempts(options: RunOptions, first: int, wanted: Callable[[], int] | None = None,
             shelf: BenchShelf | None = None) -> Iterator[AttemptResult]:
    """Results of attempts first, first+1, ... in order (the caller stops when done). In
    this process (one local worker), the benches come from `shelf` when given.

    With a model backend, no more attempts are under way than records still `wanted()`:
    a run pays for no attempt it will not use, and a repeated run asks exactly the same."""
    def window(limit: int) -> int:
        return min(limit, max(1, wanted())) if wanted is not None and options.backend != "offline" else limit

    if options.executor.name == "ray":
        yield from _ray_attempts(options, first, window)
        return
    if options.workers <= 1 and (concurrency(options) > 1 or options.backend != "offline"):
        threaded = ThreadedRunner(options, shelf)
        try:
            pending: dict[int, Future[AttemptResult]] = {}
            dispatched = first
            for index in range(first, options.max_attempts):
                while dispatched < options.max_attempts and \
                        dispatched - index < window(4 * dialogues_in_flight(options)):
                    pending[dispatched] = threaded.submit(dispatched)
                    dispatched += 1
                yield pending.pop(index).result()
        finally:
            threaded.close()
        return
    if options.workers <= 1:
        runner = AttemptRunner(options, shelf=shelf)
        try:
            for index in range(first, options.max_attempts):
                yield runner.run(index)
        finally:
            runner.close()
        return
    context = mp.get_context("spawn")
    inbox, outbox = context.Queue(), context.Queue()
    procs = [context.Process(target=_serve, args=(options, inbox, outbox), daemon=True)
             for _ in range(options.workers)]
    for proc in procs:
        proc.start()
    try:
        dispatched, ready = first, {}
        for index in range(first, options.max_attempts):
            while dispatched < options.max_attempts and \
                    dispatched - index < window(4 * options.workers * dialogues_in_flight(options)):
                inbox.put(dispatched)
                dispatched += 1
            while index not in ready:
                result = next_result(outbox, procs, "generate")
                ready[result.index] = result
            yield ready.pop(index)
    finally:
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.join(timeout=5)


class ResumeError(ValueError):
    """The output file cannot be continued (not ours, or made with other arguments)."""


SETTINGS_SUFFIX = ".settings.json"
SETTINGS_FORMAT = "toolace-mt generate settings"
MAX_SETTINGS_BYTES = 16 << 20
# How each identity entry is named to the user: the flag that sets it.
_FLAGS = {"envs": "--env", "env_refs": "--env", "env_digests": "env source digests", "seed": "--seed",
          "method": "--method",
          "backend": "--backend", "model": "--model", "temperature": "--temperature",
          "judge_temperature": "--judge-temperature", "max_reasks": "--max-reasks",
          "subtasks": "--subtasks", "steps": "--steps", "injections": "--injections", "inject_types": "--inject",
          "refine_steps": "--refine-steps", "turns_per_refine": "turns per refinement pass"}
_RANGES = ("subtasks", "steps", "injections")


def settings_path(out: Path) -> Path:
    """The sidecar beside OUT that says which arguments its records were made with."""
    return out.with_name(out.name + SETTINGS_SUFFIX)


def run_identity(options: RunOptions) -> dict[str, Any]:
    """The arguments that decide which records a run writes, and nothing else.

    Attempt i's record depends on these alone, so a resumed run with the same identity
    writes what an uninterrupted one would. Left out because they do not change a record:
    -n and --max-attempts (where the run stops, not what it writes), --workers,
    --executor, --ray-address, --concurrency, --json, --keep-failed, and how a model is reached (endpoint, key,
    timeouts, retries, cache, prices). The refinement budget is NAIG's only."""
    settings = options.settings.model_dump(mode="json")
    if options.method != "naig":
        for name in ("refine_steps", "turns_per_refine"):
            settings.pop(name, None)
    # Envs by what records name (not where they are now): a moved env directory resumes.
    refs = options.env_refs()
    identity: dict[str, Any] = {"env_refs": [refs[env] for env in options.envs],
                                "env_digests": [resolve(env).digest for env in options.envs],
                                "seed": options.seed, "method": options.method, "backend": options.backend,
                                **settings}
    if options.backend != "offline" and options.model is not None:
        identity.update(model=options.model.model, temperature=options.model.temperature,
                        judge_temperature=options.model.judge_temperature, max_reasks=options.model.max_reasks)
    return identity


def _shown(name: str, value: Any) -> str:
    if value is None:
        return "(not recorded)"
    if name in _RANGES and isinstance(value, list) and len(value) == 2:
        return f"{value[0]}-{value[1]}"
    if name == "env_digests" and isinstance(value, list):
        return ",".join(str(digest)[:12] for digest in value)
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


def identity_differences(recorded: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """'--seed 7 (now 8)' for each entry the two disagree on. An entry only one side has
    (a setting a newer version added) is not compared: it cannot tell the file apart."""
    return [f"{_FLAGS.get(name, name)} {_shown(name, recorded[name])} (now {_shown(name, current[name])})"
            for name in current if name in recorded and recorded[name] != current[name]]


def read_identity(out: Path) -> dict[str, Any] | None:
    """The identity stored beside OUT; None when there is none (a file from before the
    sidecar, or one whose sidecar was removed)."""
    path = settings_path(out)
    if not path.exists():
        return None
    try:
        with open(path, "rb") as handle:  # edited by anyone: bounded, strict (a 100k-deep list raised RecursionError)
            raw = handle.read(MAX_SETTINGS_BYTES + 1)
        if len(raw) > MAX_SETTINGS_BYTES:
            raise ValueError(f"it is over {MAX_SETTINGS_BYTES} bytes")
        data = loads_strict(raw.decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise ResumeError(f"cannot read {path}: {exc}; remove it to resume without the settings check") from None
    if not isinstance(data, dict) or data.get("format") != SETTINGS_FORMAT or not isinstance(data.get("settings"),
                                                                                              dict):
        raise ResumeError(f"{path} is not a toolace-mt settings file; remove it to resume without the settings check")
    return data["settings"]


def write_identity(out: Path, identity: dict[str, Any]) -> None:
    """Write the sidecar whole or not at all (a temporary file renamed over it), so a
    crash never leaves half of it; left alone when it already says the same."""
    path = settings_path(out)
    text = json.dumps({"format": SETTINGS_FORMAT, "version": 1, "settings": identity}, indent=2) + "\n"
    if path.exists() and path.read_text(encoding="utf-8", errors="replace") == text:
        return
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def resume_point(options: RunOptions, identity: dict[str, Any] | None = None) -> tuple[int, int]:
    """(records already accepted, next attempt) from the output file; a torn last line
    (a crash mid-write) is cut off.

    A file with records made with other arguments is refused before anything is
    written: by its sidecar (every setting in `run_identity`) when it has one, and by
    what each record says of itself (env, env source, method, seed, attempt)."""
    path = options.out
    if not path.exists():
        return 0, 0
    identity = identity if identity is not None else run_identity(options)
    digests = dict(zip(options.envs, identity["env_digests"], strict=True))
    refs = options.env_refs()
    accepted, last_attempt, good_end = 0, -1, 0
    mismatch: str | None = None  # the first record that says it was made otherwise
    with open(path, "rb") as handle:
        data = handle.read()
    offset = 0
    for number, raw in enumerate(data.splitlines(keepends=True), 1):
        if offset + len(raw) == len(data) and not raw.endswith(b"\n"):
            break  # torn by a crash (even with its JSON whole, the newline is missing): dropped below
        parsed = parse_line(str(path), number, raw.decode("utf-8", errors="replace"),
                            last=offset + len(raw) == len(data))
        offset += len(raw)
        if isinstance(parsed, BadLine):
            if offset == len(data) and not raw.endswith(b"\n"):
                break  # torn by a crash: dropped below
            raise ResumeError(f"{parsed}; --resume only continues files written by generate")
        record, provenance = parsed.record, parsed.record.provenance
        if mismatch is None:
            env = options.envs[provenance.attempt % len(options.envs)] if provenance.attempt is not None else None
            if provenance.method != options.method or env is None or record.env != refs[env] \
                    or not record.id.endswith(f"-s{options.seed}-{provenance.attempt:06d}"):
                mismatch = (f"{path}:{number}: record {record.id} was made with other arguments "
                            f"(envs and their order, method or seed); resume with the same ones")
            elif record.env_digest != digests[env]:
                mismatch = (f"{path}:{number}: record {record.id} was made with other arguments "
                            f"(env {env} has another source now); resume with the env it was made with")
        accepted += 1
        last_attempt = provenance.attempt if provenance.attempt is not None else last_attempt
        good_end = offset
    if accepted:  # an empty file (a run killed before its first record) continues as anything
        recorded = read_identity(path)
        differences = identity_differences(recorded, identity) if recorded is not None else []
        if differences:
            raise ResumeError(f"cannot resume {path}: its records were made with other arguments: "
                              f"{', '.join(differences)}; resume with the same ones or write to another file")
        if mismatch is not None:
            raise ResumeError(mismatch)
    if good_end < len(data):
        with open(path, "r+b") as handle:
            handle.truncate(good_end)
    return accepted, last_attempt + 1


def trim_kept_failures(path: Path, first: int) -> None:
    """Keep only the dropped records of attempts before `first`: the attempts from `first`
    on run again after a resume and would be written twice."""
    if not path.exists():
        return
    kept = []
    with open(path, "rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                break  # torn by the crash
            parsed = parse_line(str(path), 0, raw.decode("utf-8", errors="replace"))
            attempt = None if isinstance(parsed, BadLine) else parsed.record.provenance.attempt
            if attempt is not None and attempt < first:
                kept.append(raw)
    path.write_bytes(b"".join(kept))


@dataclass
class RunSummary:
    attempts: int = 0
    accepted: int = 0
    failed_by_check: Counter[str] = field(default_factory=Counter)
    calls_by_stage: Counter[str] = field(default_factory=Counter)
    chars_in: int = 0
    chars_out: int = 0
    seconds_in_attempts: float = 0.0
    fatal: str | None = None  # the model fault that stopped the run
    reasons: Counter[str] = field(default_factory=Counter)  # why attempts made no record
    paid: Counter[str] = field(default_factory=Counter)  # model answers from the cache, tokens paid
    model: ModelSettings | None = None
    called: dict[str, set[str]] = field(default_factory=dict)  # env -> tools accepted records called successfully
    coverage: list[Coverage] = field(default_factory=list)  # per env: the file's tools never called (and why)

    def add(self, result: AttemptResult, accepted: bool) -> None:
        self.attempts += 1
        self.accepted += accepted
        if accepted and result.line is not None:
            self.called.setdefault(result.env, set()).update(result.called)
        for check in result.failed_checks:
            self.failed_by_check[check] += 1
        if result.reason:  # grouped by kind: "model: skeleton: <what went wrong>", details left out
            self.reasons[re.sub(r" \(.*", "", ": ".join(result.reason.split(": ")[:3]))] += 1
        self.paid.update(result.paid)
        self.calls_by_stage.update(result.cost.get("model_calls", {}))
        self.chars_in += result.cost.get("chars_in", 0)
        self.chars_out += result.cost.get("chars_out", 0)
        self.seconds_in_attempts += result.seconds

    def as_dict(self, wall: float) -> dict[str, Any]:
        per = max(self.accepted, 1)
        return {
            "attempts": self.attempts, "accepted": self.accepted,
            "pass_rate": round(self.accepted / self.attempts, 4) if self.attempts else None,
            "failed_by_check": dict(sorted(self.failed_by_check.items())),
            "model_calls_per_accepted": round(sum(self.calls_by_stage.values()) / per, 2),
            "model_calls_per_accepted_by_stage": {k: round(v / per, 2) for k, v in sorted(self.calls_by_stage.items())},
            "chars_per_accepted": {"in": round(self.chars_in / per), "out": round(self.chars_out / per)},
            "seconds": round(wall, 2), "accepted_per_second": round(self.accepted / wall, 2) if wall else None,
            **self._model_figures(),
        }

    def _model_figures(self) -> dict[str, Any]:
        """Only for a model backend: what was paid (cache hits are free) and why attempts failed."""
        if self.model is None:
            return {}
        tokens_in, tokens_out = self.paid.get("tokens_in", 0), self.paid.get("tokens_out", 0)
        return {"model": self.model.model, "cached_answers": self.paid.get("cached", 0),
                "tokens": {"in": tokens_in, "out": tokens_out},
                "cost_usd": self.model.cost_usd(tokens_in, tokens_out),
                "generation_failures": dict(sorted(self.reasons.items())), "fatal": self.fatal}


def attempt_line(options: RunOptions, result: AttemptResult, accepted: bool) -> AttemptLine:
    return AttemptLine(attempt=result.index, env=result.env, id=make_record_id(options, result.index) if accepted
                       else None, accepted=accepted,
                       failed_checks=result.failed_checks, reason=result.reason, seconds=round(result.seconds, 4),
                       cost=result.cost)


def run_generate(options: RunOptions) -> tuple[int, RunSummary, float]:
    """Generate until options.n records are accepted. Returns (accepted, summary, seconds)."""
    identity = run_identity(options)
    accepted, first = resume_point(options, identity) if options.resume else (0, 0)
    log_path = attempts_path(options.out)
    if options.resume:
        trim_attempt_log(log_path, first)
        if options.keep_failed is not None:
            trim_kept_failures(options.keep_failed, first)
    summary = RunSummary(model=options.model if options.backend != "offline" else None)
    if options.resume:  # the file's records count for coverage too
        summary.called = _called_in(options)
    # One local worker runs its attempts in this process: its benches stay open for the
    # coverage probe (a sibling of the run's own bench, not a new one).
    shelf = BenchShelf(options.seed) if options.executor.name != "ray" and options.workers <= 1 else None
    try:
        found = _generate(options, summary, accepted, first, identity, log_path, shelf)
        summary.coverage = [coverage(env, summary.called.get(env, set()), options.seed,
                                     shelf.spare(env) if shelf is not None else None)
                            for env in dict.fromkeys(options.envs)]
    finally:
        if shelf is not None:
            shelf.close()
    return found


def _called_in(options: RunOptions) -> dict[str, set[str]]:
    """env -> the tools the output file's records called successfully."""
    by_ref = {ref: env for env, ref in options.env_refs().items()}
    called: dict[str, set[str]] = {}
    if not options.out.exists():
        return called
    with open(options.out, "rb") as handle:
        for raw in handle:
            try:
                record = json.loads(raw)
            except ValueError:
                continue  # a torn last line: resume_point cuts it
            if isinstance(record, dict) and record.get("env") in by_ref:
                called.setdefault(by_ref[record["env"]], set()).update(successful_calls(record))
    return called


def _generate(options: RunOptions, summary: RunSummary, accepted: int, first: int, identity: dict[str, Any],
              log_path: Path, shelf: BenchShelf | None) -> tuple[int, RunSummary, float]:
    start = time.monotonic()
    mode = "a" if options.resume else "w"
    if accepted >= options.n:
        return accepted, summary, 0.0
    progress = StatusLine("generated", options.n, first=accepted)
    with open(options.out, mode, encoding="utf-8") as out:
        # After OUT is emptied (a fresh run) and before its first record: OUT never holds
        # a record its sidecar does not describe.
        write_identity(options.out, identity)
        failed = open(options.keep_failed, mode, encoding="utf-8") if options.keep_failed else None
        log = open(log_path, mode, encoding="utf-8")
        try:
            for result in attempts(options, first, wanted=lambda: options.n - accepted,  # noqa: B023 (live count)
                                   shelf=shelf):
                if result.fatal is not None:
                    summary.fatal = result.fatal
                    break
                keep = result.line is not None
                summary.add(result, keep)
                # Before the record: a crash in between leaves a line whose attempt runs again.
                log.write(attempt_line(options, result, keep).model_dump_json() + "\n")
                log.flush()
                if keep:
                    out.write(result.line + "\n")
                    out.flush()
                    accepted += 1
                elif failed is not None and result.failed_line is not None:
                    failed.write(result.failed_line + "\n")
                    failed.flush()
                progress.update(accepted, f" accepted, {summary.attempts} attempts this run")
                if accepted >= options.n:
                    break
        finally:
            log.close()
            if failed is not None:
                failed.close()
    progress.update(accepted, f" accepted, {summary.attempts} attempts this run", final=True)
    return accepted, summary, time.monotonic() - start
