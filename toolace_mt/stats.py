"""`toolace-mt stats`: what a file of dialogues looks like, in one streaming pass.

The figures are the ones the ToolACE-MT paper compares data sets by (turns per
dialogue, calls per assistant turn, Distinct-n and entropy of user turns, pass rate),
plus what the generator's goals need (tool coverage per env, the mix of stage-2 ops).
Memory grows with the number of distinct envs, tools and n-grams, never with the
number of lines: records are read one at a time and dropped.

Definitions (also in README "Statistics and export"):
- an *assistant turn* is one assistant message; a *calling turn* is one with tool calls;
- tokens are lowercase word tokens: runs of letters, digits and `_`, with inner
  apostrophes kept ("don't" is one token; "#W1001" gives "w1001"); n-grams never cross
  a message boundary;
- Distinct-n = distinct n-grams / total n-grams over all user messages of all records;
- entropy = Shannon entropy in bits of the unigram distribution of those tokens,
  H = -sum_w p(w) log2 p(w) with p(w) = count(w) / total tokens.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import typing
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from sandbox import SandboxError, inspect_env
from toolace_mt.env_refs import EnvRefError, EnvRefs, env_refs_from
from toolace_mt.generation.attempt_log import AttemptSummary, attempts_path, summarise_attempts
from toolace_mt.jsonl import BadLine, read_records
from toolace_mt.record import AssistantMessage, OpType, Record, UserMessage
from toolace_mt.terminal_text import shown
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.trajectory import PolicyCache, TrajectoryTally

EXIT_OK, EXIT_USAGE = 0, 2
OP_TYPES: tuple[str, ...] = typing.get_args(OpType)
MAX_N = 3
BAD_LINE_EXAMPLES = 20  # the JSON keeps the first few; every bad line is reported on stderr

_TOKEN = re.compile(r"\w+(?:'\w+)*")

# An env's tool names, or None and why it could not be read.
EnvTools = Callable[[str], "tuple[list[str] | None, str | None]"]
# The env policy a record is judged with (toolace_mt.verifier.policy).
PolicyOf = Callable[[Record], EnvPolicy]


def tokens(text: str) -> list[str]:
    """Lowercase word tokens (see the module docstring)."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


class NgramStats:
    """Distinct-1..MAX_N and unigram entropy over token sequences, added one at a time.

    Unigrams are counted exactly (the entropy needs their counts); longer n-grams are
    kept as 64-bit hashes, which bounds memory by the number of distinct n-grams.
    """

    def __init__(self, max_n: int = MAX_N) -> None:
        self.max_n = max_n
        self.unigrams: Counter[str] = Counter()
        self.seen: dict[int, set[int]] = {n: set() for n in range(2, max_n + 1)}
        self.totals: dict[int, int] = dict.fromkeys(range(1, max_n + 1), 0)

    def add(self, toks: list[str]) -> None:
        self.unigrams.update(toks)
        self.totals[1] += len(toks)
        for n in range(2, self.max_n + 1):
            grams = [hash(tuple(toks[i:i + n])) for i in range(len(toks) - n + 1)]
            self.seen[n].update(grams)
            self.totals[n] += len(grams)

    def distinct(self, n: int) -> float | None:
        total = self.totals[n]
        if not total:
            return None
        return (len(self.unigrams) if n == 1 else len(self.seen[n])) / total

    def entropy(self) -> float | None:
        total = self.totals[1]
        if not total:
            return None
        return -sum(c / total * math.log2(c / total) for c in self.unigrams.values())


class OpStat(BaseModel):
    ops: int  # how many ops of this type, over all records
    dialogues: int  # how many records have at least one
    share: float | None  # dialogues / all records


class Coverage(BaseModel):
    used: int  # offered tools called at least once (successfully or not)
    offered: int
    coverage: float | None
    source: Literal["records+env", "records"]  # where the offered list came from
    unused: list[str]
    env_error: str | None = None  # why the env's own tool list could not be read


class TrajectoryRate(BaseModel):
    """One trajectory finding kind over the file (toolace_mt/verifier/trajectory.py)."""

    check: str  # the verifier check that fails on it
    what: str
    dialogues: int  # judged: the finding needs no env, or the record's env loaded unchanged
    with_finding: int  # dialogues with at least one instance
    share: float | None  # with_finding / dialogues; None when none was judged
    instances: int
    unknown: int  # dialogues not judged (the env did not load or changed)


class Stats(BaseModel):
    """What `stats --json` prints."""

    files: list[str]
    dialogues: int
    bad_lines: int
    bad_line_examples: list[str]
    user_turns_per_dialogue: float | None
    assistant_turns_per_dialogue: float | None
    calls: int
    calling_turns: int
    calls_per_calling_turn: float | None
    parallel_call_share: float | None  # calling turns with 2+ calls / calling turns
    tool_coverage: dict[str, Coverage]
    ops: dict[str, OpStat]
    user_tokens: int
    distinct_1: float | None
    distinct_2: float | None
    distinct_3: float | None
    entropy_bits: float | None
    verified: int  # records with a `verification`
    passed: int
    pass_rate: float | None  # passed / verified; None when no record was verified
    # generate's log of every attempt beside a file (FILE.attempts.jsonl), when there is one
    attempt_logs: list[AttemptSummary] = []
    # per trajectory finding kind: the share of dialogues with at least one instance
    trajectory: dict[str, TrajectoryRate] = {}
    trajectory_unknown_envs: dict[str, str] = {}  # env -> why the findings that need it are unknown


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclass
class _EnvTally:
    offered: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)


@dataclass
class StatsAccumulator:
    """Running totals; `add` one record at a time, then `result`."""

    files: list[str] = field(default_factory=list)
    dialogues: int = 0
    bad_lines: int = 0
    bad_line_examples: list[str] = field(default_factory=list)
    user_turns: int = 0
    assistant_turns: int = 0
    calls: int = 0
    calling_turns: int = 0
    parallel_turns: int = 0
    envs: dict[str, _EnvTally] = field(default_factory=dict)
    op_counts: Counter[str] = field(default_factory=Counter)
    op_dialogues: Counter[str] = field(default_factory=Counter)
    ngrams: NgramStats = field(default_factory=NgramStats)
    verified: int = 0
    passed: int = 0
    trajectory: TrajectoryTally = field(default_factory=TrajectoryTally)
    policy_of: PolicyOf | None = None  # None: no trajectory section

    def add(self, record: Record) -> None:
        self.dialogues += 1
        if self.policy_of is not None:
            self.trajectory.add(record, self.policy_of(record))
        tally = self.envs.setdefault(record.env, _EnvTally())
        tally.offered.update(t["function"]["name"] for t in record.tools
                             if isinstance(t.get("function"), dict) and isinstance(t["function"].get("name"), str))
        for message in record.messages:
            if isinstance(message, UserMessage):
                self.user_turns += 1
                self.ngrams.add(tokens(message.content))
            elif isinstance(message, AssistantMessage):
                self.assistant_turns += 1
                calls = message.tool_calls or []
                if calls:
                    self.calling_turns += 1
                    self.calls += len(calls)
                    self.parallel_turns += int(len(calls) >= 2)
                    tally.used.update(call.function.name for call in calls)
        types = [op.type for op in record.provenance.ops]
        self.op_counts.update(types)
        self.op_dialogues.update(set(types))
        if record.verification is not None:
            self.verified += 1
            self.passed += int(record.verification.passed)

    def bad(self, line: BadLine) -> None:
        self.bad_lines += 1
        if len(self.bad_line_examples) < BAD_LINE_EXAMPLES:
            self.bad_line_examples.append(str(line))

    def result(self, env_tools: EnvTools) -> Stats:
        coverage = {}
        for env, tally in sorted(self.envs.items()):
            names, error = env_tools(env)
            offered = tally.offered | set(names or ())
            used = tally.used & offered
            coverage[env] = Coverage(
                used=len(used), offered=len(offered), coverage=_ratio(len(used), len(offered)),
                source="records+env" if names is not None else "records", unused=sorted(offered - used),
                env_error=error)
        return Stats(
            files=self.files, dialogues=self.dialogues, bad_lines=self.bad_lines,
            bad_line_examples=self.bad_line_examples,
            user_turns_per_dialogue=_ratio(self.user_turns, self.dialogues),
            assistant_turns_per_dialogue=_ratio(self.assistant_turns, self.dialogues),
            calls=self.calls, calling_turns=self.calling_turns,
            calls_per_calling_turn=_ratio(self.calls, self.calling_turns),
            parallel_call_share=_ratio(self.parallel_turns, self.calling_turns),
            tool_coverage=coverage,
            ops={t: OpStat(ops=self.op_counts[t], dialogues=self.op_dialogues[t],
                           share=_ratio(self.op_dialogues[t], self.dialogues)) for t in OP_TYPES},
            user_tokens=self.ngrams.totals[1],
            distinct_1=self.ngrams.distinct(1), distinct_2=self.ngrams.distinct(2),
            distinct_3=self.ngrams.distinct(3), entropy_bits=self.ngrams.entropy(),
            verified=self.verified, passed=self.passed, pass_rate=_ratio(self.passed, self.verified),
            trajectory={kind: TrajectoryRate(**rate.as_json()) for kind, rate in self.trajectory.rates.items()}
            if self.policy_of is not None else {})


def env_tool_names(env: str, refs: EnvRefs | None = None) -> tuple[list[str] | None, str | None]:
    """The env's own tool list when its module loads (no state is seeded), else why not.
    `env` comes from records (hostile): it resolves through `refs` as in `verify` (built-in
    envs, env files under the user's --env-dir); any other path is never opened."""
    try:
        path = (refs or EnvRefs()).resolve(env)
        with inspect_env(path) as loaded:
            return [t.name for t in loaded.tools], None
    except EnvRefError as exc:
        return None, str(exc)
    except (SandboxError, OSError) as exc:
        return None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def compute_stats(paths: Iterable[str | Path], env_tools: EnvTools | None = None,
                  on_bad_line: Callable[[BadLine], None] | None = None,
                  policies: PolicyCache | None = None, env_refs: EnvRefs | None = None) -> Stats:
    """`policies`: where records' env policies come from (default: each env loaded once);
    `env_refs`: which env files records may name (default: built-in envs only)."""
    policies = policies or PolicyCache(env_refs)
    if env_tools is None:
        def env_tools(env: str) -> tuple[list[str] | None, str | None]:
            return env_tool_names(env, env_refs)
    acc = StatsAccumulator(policy_of=policies.of)
    logs = []
    for path in paths:
        acc.files.append(str(path))
        if attempts_path(Path(path)).is_file():
            logs.append(summarise_attempts(attempts_path(Path(path))))
        for item in read_records(path):
            if isinstance(item, BadLine):
                acc.bad(item)
                if on_bad_line is not None:
                    on_bad_line(item)
            else:
                acc.add(item.record)
    return acc.result(env_tools).model_copy(update={"attempt_logs": logs,
                                                    "trajectory_unknown_envs": dict(policies.why)})


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def summary_rows(stats: Stats) -> list[tuple[str, str]]:
    """The figures of the report's first table, as (name, value) rows (text and HTML share them)."""
    d = [stats.distinct_1, stats.distinct_2, stats.distinct_3]
    pass_rate = (f"{_pct(stats.pass_rate)} ({stats.passed} of {stats.verified} verified)" if stats.verified
                 else "unknown (no record has a verification)")
    rows = [
        ("files", ", ".join(stats.files)),
        ("dialogues", str(stats.dialogues)),
        ("bad lines", str(stats.bad_lines)),
        ("user turns / dialogue", _num(stats.user_turns_per_dialogue)),
        ("assistant turns / dialogue", _num(stats.assistant_turns_per_dialogue)),
        ("calls / calling turn", f"{_num(stats.calls_per_calling_turn)} "
                                 f"({stats.calls} calls in {stats.calling_turns} turns)"),
        ("parallel-call share", _pct(stats.parallel_call_share)),
        ("Distinct-1 / 2 / 3", " / ".join(_num(x, 3) for x in d) + f" (user turns, {stats.user_tokens} tokens)"),
        ("entropy (unigram, bits)", _num(stats.entropy_bits)),
        ("pass rate", pass_rate),
    ]
    for log in stats.attempt_logs:
        failures = ", ".join(f"{check} {count}" for check, count in log.failed_by_check.items()) or "none"
        rows += [
            ("attempts (generate's log)", f"{log.attempts}, {log.accepted} accepted: pass rate {_pct(log.pass_rate)} "
                                          f"({log.file}); dropped by check: {failures}"),
            ("  wall time", f"median {_num(log.seconds_per_attempt_median, 3)} s per attempt, "
                            f"{_num(log.seconds_per_accepted, 3)} s per accepted dialogue (all attempts)"),
            ("  model calls / accepted", _num(log.model_calls_per_accepted)),
        ]
    return rows


def render_table(stats: Stats) -> str:
    """The human-readable report."""
    rows = summary_rows(stats)
    lines = [f"{name:<28}{value}" for name, value in rows]
    lines += ["", f"{'op':<20}{'ops':>6}{'dialogues':>11}{'share':>9}"]
    lines += [f"{name:<20}{op.ops:>6}{op.dialogues:>11}{_pct(op.share):>9}" for name, op in stats.ops.items()]
    lines += ["", f"{'env':<20}{'used/offered':>13}{'coverage':>10}  {'source':<13}unused"]
    for env, cov in stats.tool_coverage.items():
        unused = ", ".join(cov.unused) or "-"
        lines.append(f"{env:<20}{f'{cov.used}/{cov.offered}':>13}{_pct(cov.coverage):>10}  {cov.source:<13}{unused}")
        if cov.env_error:
            lines.append(f"{'':<20}(env tools not read: {cov.env_error})")
    lines += render_trajectory(stats)
    return "\n".join(lines)


def render_trajectory(stats: Stats) -> list[str]:
    """The trajectory section: per finding, the share of dialogues with at least one instance."""
    if not stats.trajectory:
        return []
    lines = ["", f"{'trajectory finding':<22}{'check':<16}{'dialogues':>13}{'share':>8}  what"]
    for kind, rate in stats.trajectory.items():
        judged = f"{rate.with_finding}/{rate.dialogues}" if rate.dialogues else "unknown"
        lines.append(f"{kind:<22}{rate.check:<16}{judged:>13}{_pct(rate.share):>8}  {rate.what}")
    for env, why in stats.trajectory_unknown_envs.items():
        lines.append(f"(env {env}: findings that need its policy are unknown: {why})")
    return lines


def run_stats(args: argparse.Namespace) -> int:
    """Handler of `toolace-mt stats FILE... [--json]`."""
    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        print(f"toolace-mt: no such file: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE

    def warn(line: BadLine) -> None:
        print(shown(f"toolace-mt: bad line (not counted): {line}"), file=sys.stderr)

    try:
        refs = env_refs_from(getattr(args, "env_dir", []) or [], getattr(args, "env_map", []) or [])
    except ValueError as exc:
        print(f"toolace-mt: {exc}", file=sys.stderr)
        return EXIT_USAGE
    stats = compute_stats(args.files, on_bad_line=warn, env_refs=refs)
    if getattr(args, "html", None):  # stats --html: the page lives in html_report
        from toolace_mt.html_report import write_report

        if not write_report(args.html, stats, args.files):
            return EXIT_USAGE
    if args.json:
        print(json.dumps(stats.model_dump(mode="json"), ensure_ascii=False))
    else:
        print(shown(render_table(stats), keep_lines=True))  # env and tool names come from records
    return EXIT_OK
