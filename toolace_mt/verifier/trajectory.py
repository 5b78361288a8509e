"""The trajectory checks in one place: what each finds, and how often over a file.

    rates = trajectory_findings(records)          # {kind: Rate}, envs loaded for their policies
    for kind, rate in rates.items(): print(kind, rate.share)

`findings(dialogue, policy)` runs every detector on one record; the checks of the same
names (necessity, disambiguation, ...) fail a record on them, and `stats` and the
generator's benchmark count them without re-verifying (no replay: the record's messages
and the env's policy only).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from toolace_mt.env_refs import EnvRefError, EnvRefs
from toolace_mt.record import Record
from toolace_mt.verifier import (
    answer,
    confirmation,
    disambiguation,
    money_told,
    necessity,
    ownership,
    persona,
    plan_sense,
    program_text,
    reply_style,
    small_talk,
    user_language,
    write_outcome,
)
from toolace_mt.verifier.dialogue import TRAJECTORY_CHECK_IDS, Dialogue
from toolace_mt.verifier.finding import UNJUDGED, Finding, FindingKind
from toolace_mt.verifier.policy import EnvPolicy

_MODULES = (necessity, disambiguation, confirmation, answer, reply_style, persona, plan_sense, user_language,
            small_talk, program_text, ownership, write_outcome, money_told)
TRAJECTORY_CHECKS: tuple[str, ...] = TRAJECTORY_CHECK_IDS  # the registry, in dialogue.py
FINDING_KINDS: tuple[FindingKind, ...] = tuple(kind for m in _MODULES for kind in m.KINDS)
_FIND: dict[str, Callable[[Dialogue, EnvPolicy], list[Finding]]] = {m.CHECK: m.find for m in _MODULES}


# What a detector may raise on a record of a shape nobody foresaw (records are hostile input).
_UNREADABLE = (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, OverflowError,
               UnicodeError)


def findings(dialogue: Dialogue, policy: EnvPolicy, checks: Iterable[str] = TRAJECTORY_CHECKS) -> list[Finding]:
    """Every finding of the given checks on one record (those needing an unknown policy are
    skipped). A check that cannot read the record fails it with an UNJUDGED finding, never raises."""
    found: list[Finding] = []
    for check in checks:
        try:
            found += _FIND[check](dialogue, policy)
        except _UNREADABLE as exc:
            found.append(Finding(UNJUDGED, f"{check} could not judge this record ({type(exc).__name__}: "
                                           f"{str(exc)[:120]})", None, check))
    return found


@dataclass
class Rate:
    """Dialogues with at least one instance of a finding kind, over the dialogues judged."""

    kind: str
    check: str
    what: str
    dialogues: int = 0  # judged (the env's policy was known, or not needed)
    with_finding: int = 0
    instances: int = 0
    unknown: int = 0  # not judged: the kind needs the env, which did not load

    @property
    def share(self) -> float | None:
        return self.with_finding / self.dialogues if self.dialogues else None

    def as_json(self) -> dict[str, object]:
        return {"check": self.check, "what": self.what, "dialogues": self.dialogues,
                "with_finding": self.with_finding, "share": self.share, "instances": self.instances,
                "unknown": self.unknown}


class TrajectoryTally:
    """Adds records one at a time (a file is read as a stream)."""

    def __init__(self) -> None:
        self.rates = {k.kind: Rate(k.kind, k.check, k.what) for k in FINDING_KINDS}
        self.records = 0

    def add(self, record: Record, policy: EnvPolicy) -> list[Finding]:
        self.records += 1
        found = findings(Dialogue(record), policy)
        kinds = {f.kind for f in found}
        for kind in FINDING_KINDS:
            rate = self.rates[kind.kind]
            if kind.needs_env and not policy.known:
                rate.unknown += 1
                continue
            rate.dialogues += 1
            if kind.kind in kinds:
                rate.with_finding += 1
                rate.instances += sum(1 for f in found if f.kind == kind.kind)
        return found


class PolicyCache:
    """One EnvPolicy per (env, digest): each env is loaded once and closed at once. Unknown
    when it does not load or its source changed since the record was made (`why` says so).
    A record's `env` is hostile: it resolves through `refs` (built-in envs, and env files
    under the directories the user passed) exactly as in `verify`; any other path is never
    opened."""

    def __init__(self, refs: EnvRefs | None = None) -> None:
        self.refs = refs or EnvRefs()
        self._known: dict[tuple[str, str], EnvPolicy] = {}
        self.why: dict[str, str] = {}  # env -> why its policy is unknown

    def of(self, record: Record) -> EnvPolicy:
        key = (record.env, record.env_digest)
        if key not in self._known:
            try:
                path = self.refs.resolve(record.env)
            except EnvRefError as exc:
                self._known[key] = EnvPolicy.unknown()
                self.why[record.env] = str(exc)
                return self._known[key]
            policy, why = _load_policy(record, path)
            self._known[key] = policy
            if why:
                self.why[record.env] = why
        return self._known[key]


def _load_policy(record: Record, path: str) -> tuple[EnvPolicy, str | None]:
    """The env's module (`path`, resolved from the record's env) is loaded without seeding
    its state (a third of the time): the policy is in its tool marks and module constants,
    the user key in its DDL."""
    from sandbox import SandboxError, inspect_env
    from sandbox.state import StateError, StateStore

    try:
        with inspect_env(path) as env:
            if env.digest != record.env_digest:
                return EnvPolicy.unknown(), "its source changed since the records were made (env digest mismatch)"
            user_key = None
            if env.user_table is not None:
                store = StateStore(read_cache_size=0)
                try:
                    store.create_tables(env.tables_ddl)
                    table = store.tables.get(env.user_table)
                    user_key = table.primary_key[0] if table is not None and len(table.primary_key) == 1 else None
                finally:
                    store.close()
            return EnvPolicy.of(env, user_key=user_key), None
    except (SandboxError, StateError, OSError, ValueError) as exc:
        return EnvPolicy.unknown(), (str(exc).splitlines() or [type(exc).__name__])[0]


def trajectory_findings(records: Iterable[Record], policies: PolicyCache | None = None) -> dict[str, Rate]:
    """Per finding kind, the share of the records with at least one instance."""
    tally = TrajectoryTally()
    cache = policies or PolicyCache()
    for record in records:
        tally.add(record, cache.of(record))
    return tally.rates
