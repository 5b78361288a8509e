"""`toolace-mt verify`: stream JSONL files through the verifier, in 1..N processes.

Lines are read lazily and results come back in input order, so memory stays flat for
any file size. An unreadable line is a failed record (check id `record`) with its file
and line number; every other record is still verified.

With a model (`--backend openai`) the judge's sub-questions are asked of it (ModelJudge,
as generate's stage-3 gate does); each process has its own client. A model fault that
stops generate (unreachable server, 401, unknown model) stops verify (ModelError); an
answer still invalid after the re-asks only fails that dialogue's `judge` check.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import shutil
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from toolace_mt.env_refs import EnvRefs
from toolace_mt.executors import ExecutorChoice
from toolace_mt.executors.env_shipping import EnvRefsBundle, bundle_env_refs
from toolace_mt.generation.backends.interface import CostMeter
from toolace_mt.generation.settings import Settings
from toolace_mt.jsonl import BadLine, bounded_lines, parse_line, read_lines
from toolace_mt.llm import AnswerError, ChatClient, ModelError, ModelSettings
from toolace_mt.progress import StatusLine, next_result
from toolace_mt.terminal_text import shown
from toolace_mt.verifier import Dialogue, Judge, Verdict, Verifier
from toolace_mt.verifier.judge import SubQuestion

RECORD_CHECK = "record"  # the line could not be read as a record
_BATCH = 8


@dataclass(frozen=True)
class LineJob:
    path: str
    line: int
    text: str
    last: bool


@dataclass
class Outcome:
    """One dialogue's result, as `--json` prints it (plus where it came from)."""

    id: str
    passed: bool
    failures: list[dict[str, Any]]
    path: str
    line: int
    verified_line: str | None = None  # the record with its fresh `verification`, for --keep-passed

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "passed": self.passed, "failures": self.failures}


def verify_line(verifier: Verifier, job: LineJob, keep: bool) -> Outcome:
    parsed = parse_line(job.path, job.line, job.text, job.last)
    if isinstance(parsed, BadLine):
        return Outcome(parsed.record_id or f"{job.path}:{job.line}", False,
                       [{"check": RECORD_CHECK, "message": str(parsed), "message_index": None}], job.path, job.line)
    verification = verifier.verify(parsed.record)
    verified = None
    if keep and verification.passed:
        verified = parsed.record.model_copy(update={"verification": verification}).to_json()
    return Outcome(parsed.record.id, verification.passed,
                   [f.model_dump() for f in verification.failures], job.path, job.line, verified)


class AnswerGuard:
    """A model judge whose answer for one sub-question stays invalid after the re-asks
    (AnswerError) fails that sub-question with the reason, as its check-failing answers
    (Unusable) already do; the dialogue's other checks stand and the run goes on."""

    def __init__(self, judge: Judge) -> None:
        self.judge = judge

    def answer(self, question: SubQuestion, dialogue: Dialogue) -> Verdict:
        try:
            return self.judge.answer(question, dialogue)
        except AnswerError as exc:
            return Verdict(False, f"the judge's answer was unusable ({exc})")


class Session:
    """One process's verifier; with a model, its own client and ModelJudge. `usage()` is
    what the client asked so far (cumulative)."""

    def __init__(self, checks: tuple[str, ...], model: ModelSettings | None, env_refs: EnvRefs | None = None) -> None:
        self.client: ChatClient | None = None
        judge: Judge | None = None
        if model is not None and "judge" in checks:
            from toolace_mt.generation.backends.openai_backend import ModelJudge, OpenAIBackend

            self.client = ChatClient(model)  # ModelError without an API key
            judge = AnswerGuard(ModelJudge(OpenAIBackend(self.client, Settings(), model), CostMeter()))
        self.verifier = Verifier(checks=checks, judge=judge, env_refs=env_refs)

    def usage(self) -> dict[str, Any]:
        return self.client.usage.model_dump() if self.client is not None else {}

    def close(self) -> None:
        self.verifier.close()
        if self.client is not None:
            self.client.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _serve(index: int, inbox: Any, outbox: Any, checks: tuple[str, ...], keep: bool,
           model: ModelSettings | None, env_refs: EnvRefs) -> None:
    """A worker process: its own Verifier (and envs, and model client), batches in,
    outcomes out; a ModelError is sent back in place of a batch's outcomes, and the
    worker ends."""
    try:
        session = Session(checks, model, env_refs)
    except ModelError as exc:
        outbox.put((-1, None, index, {}, {}, str(exc)))
        return
    with session:
        while True:
            batch = inbox.get()
            if batch is None:
                break
            seq, jobs = batch
            try:
                results = [verify_line(session.verifier, job, keep) for job in jobs]
            except ModelError as exc:
                outbox.put((seq, None, index, dict(session.verifier.timings), session.usage(), str(exc)))
                return
            outbox.put((seq, results, index, dict(session.verifier.timings), session.usage(), None))


BatchResult = tuple[int, list[Outcome] | None, int, dict[str, float], dict[str, Any], str | None]


class ActorVerifier:
    """A Ray actor's worker (`--executor ray`): the env files records may name written on
    its node, and a Session; a batch in, what `_serve` sends back out."""

    def __init__(self, checks: tuple[str, ...], keep: bool, model: ModelSettings | None,
                 bundle: EnvRefsBundle) -> None:
        self.key = uuid.uuid4().int & (2**62 - 1)  # its cumulative timings are counted once, whichever actor
        self.keep = keep
        self.env_refs, self._root = bundle.materialize()
        self.session: Session | None = None
        self.error: str | None = None
        try:
            self.session = Session(checks, model, self.env_refs)
        except ModelError as exc:  # no API key on this node: reported with the first batch
            self.error = str(exc)

    def run(self, batch: tuple[int, list[LineJob]]) -> BatchResult:
        seq, jobs = batch
        if self.session is None:
            return (seq, None, self.key, {}, {}, self.error)
        try:
            results = [verify_line(self.session.verifier, job, self.keep) for job in jobs]
        except ModelError as exc:
            return (seq, None, self.key, dict(self.session.verifier.timings), self.session.usage(), str(exc))
        return (seq, results, self.key, dict(self.session.verifier.timings), self.session.usage(), None)

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)


def _ray_outcomes(jobs: Iterator[LineJob], checks: tuple[str, ...], keep: bool, model: ModelSettings | None,
                  env_refs: EnvRefs, executor: ExecutorChoice, per_worker: dict[int, dict[str, float]],
                  per_worker_usage: dict[int, dict[str, Any]]) -> Iterator[Outcome]:
    from toolace_mt.executors.ray_pool import RayPool
    from toolace_mt.executors.ray_runtime import cluster_cpus, connect

    ray = connect(executor.ray_address)
    size = executor.actors or cluster_cpus(ray)
    make = partial(ActorVerifier, checks=checks, keep=keep, model=model, bundle=bundle_env_refs(env_refs))
    pool: RayPool[tuple[int, list[LineJob]], BatchResult] = RayPool(make, size)
    try:
        for _, results, worker, worker_timings, worker_usage, error in pool.ordered(enumerate(_batches(jobs)),
                                                                                    lambda: 4 * size):
            if worker_timings or worker not in per_worker:
                per_worker[worker] = worker_timings
            if worker_usage:
                per_worker_usage[worker] = worker_usage
            if error is not None:
                raise ModelError(error)
            yield from results or []
    finally:
        pool.close()


def _batches(jobs: Iterator[LineJob]) -> Iterator[list[LineJob]]:
    batch: list[LineJob] = []
    for job in jobs:
        batch.append(job)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _add(total: dict[str, Any], part: dict[str, Any]) -> None:
    for name, value in part.items():
        total[name] = total.get(name, 0) + value


def outcomes(jobs: Iterator[LineJob], checks: tuple[str, ...], workers: int, keep: bool,
             timings: dict[str, float], model: ModelSettings | None = None,
             usage: dict[str, Any] | None = None, env_refs: EnvRefs | None = None,
             executor: ExecutorChoice | None = None) -> Iterator[Outcome]:
    """Outcomes in input order. `timings` receives the summed phase times and `usage` the
    model client's (summed over processes). A ModelError stops the iteration (raised).
    `env_refs`: the env files records may name (default: built-in envs only). `executor`
    ray: batches go to Ray actors (`workers` is then not used: see ExecutorChoice.actors)."""
    usage = usage if usage is not None else {}
    env_refs = env_refs or EnvRefs()
    if executor is not None and executor.name == "ray":
        per_actor: dict[int, dict[str, float]] = {}
        per_actor_usage: dict[int, dict[str, Any]] = {}
        try:
            yield from _ray_outcomes(jobs, checks, keep, model, env_refs, executor, per_actor, per_actor_usage)
        finally:
            for actor_timings in per_actor.values():
                for phase, seconds in actor_timings.items():
                    timings[phase] = timings.get(phase, 0.0) + seconds
            for actor_usage in per_actor_usage.values():
                _add(usage, actor_usage)
        return
    if workers <= 1:
        with Session(checks, model, env_refs) as session:
            try:
                for job in jobs:
                    yield verify_line(session.verifier, job, keep)
            finally:
                timings.update(session.verifier.timings)
                _add(usage, session.usage())
        return
    context = mp.get_context("spawn")
    inbox, outbox = context.Queue(), context.Queue()
    procs = [context.Process(target=_serve, args=(i, inbox, outbox, checks, keep, model, env_refs), daemon=True)
             for i in range(workers)]
    for proc in procs:
        proc.start()
    per_worker: dict[int, dict[str, float]] = {}
    per_worker_usage: dict[int, dict[str, Any]] = {}
    fatal = False
    try:
        batches = enumerate(_batches(jobs))
        in_flight, next_seq, ready = 0, 0, {}
        exhausted = False
        while True:
            while not exhausted and in_flight < 4 * workers:
                item = next(batches, None)
                if item is None:
                    exhausted = True
                    break
                inbox.put(item)
                in_flight += 1
            if in_flight == 0:
                break
            seq, results, worker, worker_timings, worker_usage, error = next_result(outbox, procs, "verify")
            if worker_timings or worker not in per_worker:
                per_worker[worker] = worker_timings  # cumulative per worker: the latest counts
            if worker_usage:
                per_worker_usage[worker] = worker_usage
            if error is not None:
                fatal = True  # the others would meet the same fault: stopped at once below
                raise ModelError(error)
            in_flight -= 1
            ready[seq] = results
            while next_seq in ready:
                yield from ready.pop(next_seq)
                next_seq += 1
    finally:
        for _ in procs:
            inbox.put(None)
        for proc in procs:
            proc.join(timeout=0 if fatal else 5)
            if proc.is_alive():
                proc.kill()
        for worker_timings in per_worker.values():
            for phase, seconds in worker_timings.items():
                timings[phase] = timings.get(phase, 0.0) + seconds
        for worker_usage in per_worker_usage.values():
            _add(usage, worker_usage)


@dataclass
class Tally:
    dialogues: int = 0
    passed: int = 0
    failed_by_check: Counter[str] = field(default_factory=Counter)

    def add(self, outcome: Outcome) -> None:
        self.dialogues += 1
        self.passed += outcome.passed
        for check in {f["check"] for f in outcome.failures}:
            self.failed_by_check[check] += 1

    def table(self, checks: tuple[str, ...]) -> str:
        rows = [f"{'check':<13}{'passed':>8}{'failed':>8}"]
        unreadable = self.failed_by_check.get(RECORD_CHECK, 0)
        if unreadable:
            rows.append(f"{RECORD_CHECK:<13}{self.dialogues - unreadable:>8}{unreadable:>8}")
        for check in checks:
            failed = self.failed_by_check.get(check, 0)
            rows.append(f"{check:<13}{self.dialogues - unreadable - failed:>8}{failed:>8}")
        rows.append(f"{'dialogues':<13}{self.passed:>8}{self.dialogues - self.passed:>8}")
        return "\n".join(rows)

    def summary(self, checks: tuple[str, ...], elapsed: float, timings: dict[str, float]) -> dict[str, Any]:
        unreadable = self.failed_by_check.get(RECORD_CHECK, 0)
        return {
            "dialogues": self.dialogues, "passed": self.passed, "failed": self.dialogues - self.passed,
            "checks": {c: {"passed": self.dialogues - unreadable - self.failed_by_check.get(c, 0),
                           "failed": self.failed_by_check.get(c, 0)} for c in checks},
            "unreadable": unreadable, "seconds": round(elapsed, 3),
            "seconds_by_phase": {k: round(v, 3) for k, v in timings.items()},
        }


def count_lines(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        with open(path, "rb") as handle:
            total += sum(1 for _, line in bounded_lines(handle) if line is None or line.strip())
    return total


def jobs_from(paths: list[Path]) -> Iterator[LineJob]:
    for path in paths:
        for number, text, last in read_lines(path):
            yield LineJob(str(path), number, text, last)


def model_figures(model: ModelSettings, usage: dict[str, Any]) -> dict[str, Any]:
    """What the judge's model was asked, as generate reports it: answers (from the server
    or the cache), the tokens paid (cache hits are free) and their cost when priced."""
    tokens_in, tokens_out = usage.get("tokens_in", 0), usage.get("tokens_out", 0)
    return {"model": model.model, "calls": usage.get("answers", 0) + usage.get("cached", 0),
            "cached_answers": usage.get("cached", 0), "requests": usage.get("requests", 0),
            "tokens": {"in": tokens_in, "out": tokens_out}, "cost_usd": model.cost_usd(tokens_in, tokens_out),
            "model_seconds": round(usage.get("model_seconds", 0.0), 3)}


def model_line(figures: dict[str, Any]) -> str:
    cost = f", cost ${figures['cost_usd']:.4f}" if figures["cost_usd"] is not None else ""
    return (f"judged by model {figures['model']}: {figures['calls']} calls, tokens paid {figures['tokens']['in']} in / "
            f"{figures['tokens']['out']} out{cost}; {figures['cached_answers']} answers from the cache")


def run_verify(paths: list[Path], checks: tuple[str, ...], workers: int, as_json: bool, report: Path | None,
               keep_passed: Path | None, model: ModelSettings | None = None, env_refs: EnvRefs | None = None,
               executor: ExecutorChoice | None = None) -> int:
    """The `verify` command: 0 when every dialogue passed, 1 otherwise. With `model`, the
    judge is that model; a fault that makes it unusable stops the run (one line, 1)."""
    tally = Tally()
    timings: dict[str, float] = {}
    usage: dict[str, Any] = {}
    progress = StatusLine("verified", count_lines(paths))
    failed: list[dict[str, Any]] = []
    keep = open(keep_passed, "w", encoding="utf-8") if keep_passed else None
    start = time.monotonic()
    try:
        for outcome in outcomes(jobs_from(paths), checks, workers, keep is not None, timings, model, usage, env_refs,
                                executor):
            tally.add(outcome)
            if as_json:
                print(json.dumps(outcome.as_json(), ensure_ascii=False), flush=False)
            elif not outcome.passed:
                print(shown(f"FAIL {outcome.id} ({outcome.path}:{outcome.line})"))  # record text: no escapes
                for failure in outcome.failures:
                    where = f" [message {failure['message_index']}]" if failure["message_index"] is not None else ""
                    print(shown(f"  {failure['check']}: {failure['message']}{where}"))
            if not outcome.passed:
                failed.append({**outcome.as_json(), "path": outcome.path, "line": outcome.line})
            if keep is not None and outcome.verified_line is not None:
                keep.write(outcome.verified_line + "\n")
            progress.update(tally.dialogues, f", passed {tally.passed}")
    except ModelError as exc:
        sys.stdout.flush()
        print(f"toolace-mt: model error: {exc} (verify stopped after {tally.dialogues} of {progress.total} "
              "dialogues)", file=sys.stderr)
        return 1
    finally:
        if keep is not None:
            keep.close()
    progress.update(tally.dialogues, f", passed {tally.passed}", final=True)
    summary = tally.summary(checks, time.monotonic() - start, timings)
    if model is not None and "judge" in checks:
        summary["judge_model"] = model_figures(model, usage)
    table = tally.table(checks)
    if "judge_model" in summary:
        table += "\n" + model_line(summary["judge_model"])
    print(shown(table, keep_lines=True), file=sys.stderr if as_json else sys.stdout)
    if report is not None:
        report.write_text(json.dumps({**summary, "files": [str(p) for p in paths], "failures": failed},
                                     indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if tally.passed == tally.dialogues else 1
