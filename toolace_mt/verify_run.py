"""`toolace-mt verify`: stream JSONL files through the verifier, in 1..N processes.

Lines are read lazily and results come back in input order, so memory stays flat for
any file size. An unreadable line is a failed record (check id `record`) with its file
and line number; every other record is still verified.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolace_mt.jsonl import BadLine, parse_line, read_lines
from toolace_mt.progress import StatusLine, next_result
from toolace_mt.verifier import Verifier

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


def _serve(index: int, inbox: Any, outbox: Any, checks: tuple[str, ...], keep: bool) -> None:
    """A worker process: its own Verifier (and envs), batches in, outcomes out."""
    with Verifier(checks=checks) as verifier:
        while True:
            batch = inbox.get()
            if batch is None:
                break
            seq, jobs = batch
            outbox.put((seq, [verify_line(verifier, job, keep) for job in jobs], index, dict(verifier.timings)))


def _batches(jobs: Iterator[LineJob]) -> Iterator[list[LineJob]]:
    batch: list[LineJob] = []
    for job in jobs:
        batch.append(job)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def outcomes(jobs: Iterator[LineJob], checks: tuple[str, ...], workers: int, keep: bool,
             timings: dict[str, float]) -> Iterator[Outcome]:
    """Outcomes in input order. `timings` receives the summed phase times."""
    if workers <= 1:
        with Verifier(checks=checks) as verifier:
            for job in jobs:
                yield verify_line(verifier, job, keep)
            timings.update(verifier.timings)
        return
    context = mp.get_context("spawn")
    inbox, outbox = context.Queue(), context.Queue()
    procs = [context.Process(target=_serve, args=(i, inbox, outbox, checks, keep), daemon=True)
             for i in range(workers)]
    for proc in procs:
        proc.start()
    per_worker: dict[int, dict[str, float]] = {}
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
            seq, results, worker, worker_timings = next_result(outbox, procs, "verify")
            per_worker[worker] = worker_timings  # cumulative per worker: the latest counts
            in_flight -= 1
            ready[seq] = results
            while next_seq in ready:
                yield from ready.pop(next_seq)
                next_seq += 1
    finally:
        for _ in procs:
            inbox.put(None)
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
        for worker_timings in per_worker.values():
            for phase, seconds in worker_timings.items():
                timings[phase] = timings.get(phase, 0.0) + seconds


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
            total += sum(1 for line in handle if line.strip())
    return total


def jobs_from(paths: list[Path]) -> Iterator[LineJob]:
    for path in paths:
        for number, text, last in read_lines(path):
            yield LineJob(str(path), number, text, last)


def run_verify(paths: list[Path], checks: tuple[str, ...], workers: int, as_json: bool, report: Path | None,
               keep_passed: Path | None) -> int:
    """The `verify` command: 0 when every dialogue passed, 1 otherwise."""
    tally = Tally()
    timings: dict[str, float] = {}
    progress = StatusLine("verified", count_lines(paths))
    failed: list[dict[str, Any]] = []
    keep = open(keep_passed, "w", encoding="utf-8") if keep_passed else None
    start = time.monotonic()
    try:
        for outcome in outcomes(jobs_from(paths), checks, workers, keep is not None, timings):
            tally.add(outcome)
            if as_json:
                print(json.dumps(outcome.as_json(), ensure_ascii=False), flush=False)
            elif not outcome.passed:
                print(f"FAIL {outcome.id} ({outcome.path}:{outcome.line})")
                for failure in outcome.failures:
                    where = f" [message {failure['message_index']}]" if failure["message_index"] is not None else ""
                    print(f"  {failure['check']}: {failure['message']}{where}")
            if not outcome.passed:
                failed.append({**outcome.as_json(), "path": outcome.path, "line": outcome.line})
            if keep is not None and outcome.verified_line is not None:
                keep.write(outcome.verified_line + "\n")
            progress.update(tally.dialogues, f", passed {tally.passed}")
    finally:
        if keep is not None:
            keep.close()
    progress.update(tally.dialogues, f", passed {tally.passed}", final=True)
    summary = tally.summary(checks, time.monotonic() - start, timings)
    print(tally.table(checks), file=sys.stderr if as_json else sys.stdout)
    if report is not None:
        report.write_text(json.dumps({**summary, "files": [str(p) for p in paths], "failures": failed},
                                     indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if tally.passed == tally.dialogues else 1
