"""OUT.attempts.jsonl: one line per attempt of a generate run, dropped ones included.

Records carry only what makes them byte-identical across runs; what varies (wall time)
and what a dropped attempt cost live here, so per-dialogue accounting and the run's
true pass rate survive the run. Each line is written and flushed before its record, so
after a crash the log never misses an attempt whose record is in OUT; `--resume` cuts
the lines of the attempts it runs again.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from toolace_mt.jsonl import bounded_lines

ATTEMPTS_SUFFIX = ".attempts.jsonl"


class AttemptLine(BaseModel):
    attempt: int
    env: str
    id: str | None  # the record's id when the attempt was accepted
    accepted: bool
    failed_checks: list[str]
    reason: str | None  # why generation made no record
    seconds: float  # wall time of the attempt: generation and verification
    cost: dict[str, Any]  # provenance.cost's figures (model calls by stage, characters, tokens)


def attempts_path(out: Path) -> Path:
    return out.with_name(out.name + ATTEMPTS_SUFFIX)


def read_attempt_lines(path: Path) -> list[AttemptLine]:
    """The log's whole, well-formed lines (a torn or foreign line is skipped)."""
    lines = []
    with open(path, "rb") as handle:
        for _, raw in bounded_lines(handle):  # an edited log's 2 GB line is skipped, never held
            if raw is None:
                continue
            if not raw.endswith(b"\n"):
                break
            try:
                lines.append(AttemptLine.model_validate_json(raw.decode("utf-8", errors="replace")))
            except ValidationError:
                continue
    return lines


def trim_attempt_log(path: Path, first: int) -> None:
    """Keep the lines of attempts before `first` (a resume runs the others again)."""
    if path.exists():
        kept = [line for line in read_attempt_lines(path) if line.attempt < first]
        path.write_text("".join(line.model_dump_json() + "\n" for line in kept), encoding="utf-8")


class AttemptSummary(BaseModel):
    """What `stats` reports from a log: the run's attempts as well as its records."""

    file: str
    attempts: int
    accepted: int
    pass_rate: float | None  # accepted / attempts
    failed_by_check: dict[str, int]
    seconds_per_attempt_median: float | None
    seconds_per_accepted: float | None  # all attempts' time / accepted
    model_calls_per_accepted: float | None  # all attempts' calls / accepted


def summarise_attempts(path: Path) -> AttemptSummary:
    lines = read_attempt_lines(path)
    accepted = sum(line.accepted for line in lines)
    checks: dict[str, int] = {}
    for line in lines:
        for check in line.failed_checks:
            checks[check] = checks.get(check, 0) + 1
    seconds = [line.seconds for line in lines]
    calls = sum(int(line.cost.get("total_calls", 0)) for line in lines)
    return AttemptSummary(
        file=str(path), attempts=len(lines), accepted=accepted,
        pass_rate=accepted / len(lines) if lines else None, failed_by_check=dict(sorted(checks.items())),
        seconds_per_attempt_median=statistics.median(seconds) if seconds else None,
        seconds_per_accepted=sum(seconds) / accepted if accepted else None,
        model_calls_per_accepted=calls / accepted if accepted else None)
