"""The committed fixtures (fixtures/dialogues/<env>.jsonl): every dialogue passes every
check, together they cover what they promise, and they are up to date with the envs."""

from __future__ import annotations

import functools
import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from sandbox import inspect_env
from toolace_mt.jsonl import RecordLine, read_records
from toolace_mt.record import AssistantMessage, Record
from toolace_mt.verifier import CHECK_IDS, Dialogue, Verifier

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
ENVS = ("retail", "travel", "banking", "calendar_mail")


def load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_fixtures", FIXTURES / "build_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_fixtures", module)
    spec.loader.exec_module(module)
    return module


def fixture_records(env: str) -> list[Record]:
    lines = list(read_records(FIXTURES / "dialogues" / f"{env}.jsonl"))
    assert all(isinstance(line, RecordLine) for line in lines), [str(line) for line in lines]
    return [line.record for line in lines if isinstance(line, RecordLine)]


ALL = [record for env in ENVS for record in fixture_records(env)]


@pytest.fixture(scope="module")
def verifier() -> Iterator[Verifier]:
    with Verifier(checks=CHECK_IDS) as verifier:  # every check, the trajectory checks too
        yield verifier


@pytest.mark.parametrize("record", ALL, ids=[record.id for record in ALL])
def test_every_fixture_passes_every_check(record: Record, verifier: Verifier) -> None:
    verification = verifier.verify(record)
    assert verification.checks == list(CHECK_IDS)
    assert verification.failures == []
    assert verification.passed


def test_each_env_has_several_small_fixtures() -> None:
    builder = load_builder()
    assert set(builder.BUILDERS) == set(ENVS)
    for env in ENVS:
        records = fixture_records(env)
        assert 4 <= len(records) <= 6, env
        assert {r.env for r in records} == {env} and {r.seed for r in records} == {builder.SEEDS[env]}
        assert len({r.id for r in records}) == len(records)
        assert (FIXTURES / "dialogues" / f"{env}.jsonl").stat().st_size < 48_000, env
        for record in records:
            assert record.task.intended_calls(), record.id  # every fixture names its intended calls
            assert record.expected is not None and record.provenance.method == "manual"


def test_fixtures_cover_chains_parallel_calls_and_every_op_type() -> None:
    ops = [(record, op) for record in ALL for op in record.provenance.ops]
    kinds = {op.type for _, op in ops}
    assert {"clarification", "tool_awareness", "error_simulation", "non_function_call"} <= kinds
    for env in ENVS:  # every env has at least two op types
        assert len({op.type for record, op in ops if record.env == env}) >= 2, env

    withheld = [(record, op) for record, op in ops if op.type == "tool_awareness" and op.tool]
    assert withheld, "a fixture withholds a write tool"
    for record, op in withheld:
        assert op.tool not in Dialogue(record).tools
        assert op.tool in write_tools(record.env)

    for record, op in ops:
        if op.type == "clarification":
            assert op.argument and op.value is not None and op.answer_index is not None
        if op.type == "error_simulation":  # the failing call is a real error recorded from the env
            failing = [c for c in Dialogue(record).calls_at(op.message_index) if c.failed]
            assert failing and failing[0].output["error"]["type"] in {"ToolError", "InvalidArguments"}

    def parallel(record: Record) -> bool:
        return any(isinstance(m, AssistantMessage) and len(m.tool_calls or []) >= 2 for m in record.messages)

    def chain(record: Record) -> bool:
        """Reads in two or more turns, then a write that uses a value only a read showed
        (search -> get -> update)."""
        calls = Dialogue(record).calls
        writes = write_tools(record.env)
        for position, site in enumerate(calls):
            reads = [c for c in calls[:position] if c.name not in writes and not c.failed]
            if site.name in writes and len({c.message_index for c in reads}) >= 2:
                user_text = " ".join(record.messages[i].content for i in range(site.message_index)
                                     if record.messages[i].role == "user")  # type: ignore[union-attr]
                if any(isinstance(v, str) and v not in user_text for v in (site.arguments or {}).values()):
                    return True
        return False

    assert sum(parallel(r) for r in ALL) >= 4 and all(any(parallel(r) for r in fixture_records(e)) for e in ENVS)
    assert all(any(chain(r) for r in fixture_records(env)) for env in ENVS)
    # Writes in parallel turns too (their generated ids depend on the order).
    assert any(isinstance(m, AssistantMessage) and len(m.tool_calls or []) >= 2
               and m.tool_calls[0].function.name in {"book_flight", "invite_to_event", "pay_payee"}
               for r in ALL for m in r.messages)


@functools.cache
def write_tools(env: str) -> frozenset[str]:
    with inspect_env(env) as loaded:
        return frozenset(t.name for t in loaded.tools if t.writes)


def test_fixture_files_are_up_to_date(tmp_path: Path) -> None:
    """Rebuilding from the envs gives the committed bytes (else: python fixtures/build_fixtures.py)."""
    load_builder().build(tmp_path, verify=False)  # test_every_fixture_passes_every_check verifies them
    for env in ENVS:
        fresh = (tmp_path / f"{env}.jsonl").read_bytes()
        committed = (FIXTURES / "dialogues" / f"{env}.jsonl").read_bytes()
        if fresh != committed:
            changed = [json.loads(a)["id"] for a, b in zip(fresh.splitlines(), committed.splitlines(), strict=False)
                       if a != b]
            pytest.fail(f"fixtures/dialogues/{env}.jsonl is stale (records {changed}); "
                        "rerun python fixtures/build_fixtures.py")
