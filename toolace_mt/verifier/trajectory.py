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
from pathlib import Path

from toolace_mt.env_refs import EnvRefs
from toolace_mt.record import Record
from toolace_mt.verifier import answer, confirmation, disambiguation, necessity, persona, plan_sense, reply_style
from toolace_mt.verifier.dialogue import TRAJECTORY_CHECK_IDS, Dialogue
from toolace_mt.verifier.finding import Finding, FindingKind
from toolace_mt.verifier.policy import EnvPolicy

_MODULES = (necessity, disambiguation, confirmation, answer, reply_style, persona, plan_sense)
TRAJECTORY_CHECKS: tuple[str, ...] = TRAJECTORY_CHECK_IDS  # the registry, in dialogue.py
FINDING_KINDS: tuple[FindingKind, ...] = tuple(kind for m in _MODULES for kind in m.KINDS)
_FIND: dict[str, Callable[[Dialogue, EnvPolicy], list[Finding]]] = {m.CHECK: m.find for m in _MODULES}


def findings(dialogue: Dialogue, policy: EnvPolicy, checks: Iterable[str] = TRAJECTORY_CHECKS) -> list[Finding]:
    """Every finding of the given checks on one record (those needing an unknown policy are skipped)."""
    found: list[Finding] = []
    for check in checks:
        found += _FIND[check](dialogue, policy)
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
    when it does not load or its source changed since the record was made (`why` says so)."""

    def __init__(self, refs: EnvRefs | None = None) -> None:
        self._known: dict[tuple[str, str], EnvPolicy] = {}
        self.why: dict[str, str] = {}  # env -> why its policy is unknown
        self._refs = refs

    def of(self, record: Record) -> EnvPolicy:
        key = (record.env, record.env_digest)
        if key not in self._known:
            policy, why = _load_policy(record, self._refs or default_env_refs())
            self._known[key] = policy
            if why:
                self.why[record.env] = why
        return self._known[key]


def default_env_refs() -> EnvRefs:
    """Where a record's env may come from when no --env-dir is given: the built-in envs and
    .py files under the current directory. The reference is untrusted: a record naming
    /etc/passwd or ../x.py gets no file compiled, read or quoted (env_refs)."""
    return EnvRefs(dirs=(Path.cwd(),))


def _load_policy(record: Record, refs: EnvRefs) -> tuple[EnvPolicy, str | None]:
    """The env's module is loaded without seeding its state (a third of the time): the
    policy is in its tool marks and module constants, the user key in its DDL."""
    from sandbox import SandboxError, inspect_env
    from sandbox.state import StateError, StateStore

    try:
        with inspect_env(refs.resolve(record.env)) as env:
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
