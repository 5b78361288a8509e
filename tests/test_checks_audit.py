"""The audit corpus (tests/data/audit/audit.jsonl, built by build_audit.py): dialogues
written the way other generators and models write, one defect each or none. Each
record's id names the finding kinds the trajectory checks must report on it, exactly;
a good dialogue must get none. The outputs are the envs' real ones, so every record also
passes the core checks (replay, state, grounding, consistency...).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from toolace_mt.env_refs import EnvRefs
from toolace_mt.record import Record
from toolace_mt.verifier import Dialogue
from toolace_mt.verifier.trajectory import FINDING_KINDS, PolicyCache, findings

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "audit" / "audit.jsonl"
ENV_DIR = ROOT / "fixtures" / "envs"
FRESH_DIR = ROOT / "bench" / "fresh_envs"  # envs written for the audit, which the generator never saw
KINDS = {k.kind for k in FINDING_KINDS}


def _records() -> list[Record]:
    return [Record.model_validate_json(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]


RECORDS = _records()


def _expected(record: Record) -> set[str]:
    expect = record.id.split("-", 3)[3]
    return set() if expect == "good" else set(expect.split("+"))


@pytest.fixture(scope="module")
def policies() -> PolicyCache:
    """The message env is a fixture file, found under fixtures/envs as `verify --env-dir` would."""
    return PolicyCache(EnvRefs(dirs=(ENV_DIR, FRESH_DIR)))


def test_the_corpus_covers_every_defect_class_and_good_dialogues() -> None:
    wanted = set().union(*(_expected(r) for r in RECORDS))
    assert wanted <= KINDS
    missing = KINDS - wanted
    assert missing == set(), f"no audit record for {sorted(missing)}"
    assert sum(1 for r in RECORDS if not _expected(r)) >= 10


@pytest.mark.parametrize("record", RECORDS, ids=[r.id for r in RECORDS])
def test_each_audit_record_gets_exactly_its_findings(record: Record, policies: PolicyCache) -> None:
    policy = policies.of(record)
    assert policy.known, f"{record.env}: {policies.why.get(record.env)} (rebuild: {CORPUS.parent}/build_audit.py)"
    found = findings(Dialogue(record), policy)
    assert {f.kind for f in found} == _expected(record), [f.message for f in found]


@pytest.mark.slow
def test_the_audit_records_pass_the_core_checks() -> None:
    """Real outputs, grounded arguments, consistent texts: only the trajectory checks fail the bad ones."""
    from toolace_mt.verifier import Verifier

    core = ("format", "schema", "replay", "state", "grounding", "behaviour")
    with Verifier(checks=core, env_refs=EnvRefs(dirs=(ENV_DIR, FRESH_DIR))) as verifier:
        failed = {r.id: [f.message for f in verifier.failures(r)] for r in RECORDS[::4]}
    assert {k: v for k, v in failed.items() if v} == {}
