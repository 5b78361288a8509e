"""Generated dialogues are training-grade by construction (issue 16 part 2): checked on
the offline generator's real output with the verifier's trajectory detectors and with
direct assertions on the messages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from toolace_mt.generation.backends.offline_backend import OfflineBackend
from toolace_mt.generation.naig import generate_naig
from toolace_mt.generation.settings import Settings
from toolace_mt.generation.workbench import Workbench
from toolace_mt.record import Record
from toolace_mt.verifier.dialogue import Dialogue
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.trajectory import findings

DIALOGUES = 6
# Findings the generator rules out by construction on every env (the rest are measured in
# bench/generate.py, with what rule-based wording cannot reach).
NEVER = {"repeated_call", "ambiguous_target", "unconfirmed_write", "raw_enum", "raw_error", "field_dump",
         "unauthenticated", "broken_refusal", "dictated_internal", "unchecked_record"}
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
SIGNED = re.compile(r"(?:Best|Cheers|Thanks|Regards|Kind regards|Best wishes|All the best|Many thanks|Warmly|"
                    r"Speak soon|Take care), ([A-Z][a-z]+)\.$")


@pytest.fixture(scope="module", params=["retail", "tau_retail"])
def generated(request: pytest.FixtureRequest) -> Iterator[list[tuple[Workbench, Record, dict[str, Any]]]]:
    bench = Workbench(request.param, 3)
    try:
        found = []
        for index in range(DIALOGUES):
            attempt = generate_naig(bench, OfflineBackend(), Settings(), f"16:{index}", f"{bench.env.name}-{index}",
                                    index)
            if attempt.record is not None:
                found.append((bench, attempt.record, json.loads(attempt.record.to_json())))
        assert len(found) >= DIALOGUES - 1
        yield found
    finally:
        bench.close()


@pytest.mark.slow
def test_no_finding_the_generator_rules_out(generated: list[tuple[Workbench, Record, dict[str, Any]]]) -> None:
    for bench, record, _ in generated:
        policy = EnvPolicy.of(bench.env)
        found = [f for f in findings(Dialogue(record), policy) if f.kind in NEVER]
        assert not found, (record.id, found)


@pytest.mark.slow
def test_no_identical_call_repeats_without_a_write_between(
        generated: list[tuple[Workbench, Record, dict[str, Any]]]) -> None:
    for bench, _, data in generated:
        writes = {t.name for t in bench.env.tools if t.writes}
        made: set[tuple[str, str]] = set()
        for message in data["messages"]:
            for call in message.get("tool_calls") or []:
                key = (call["function"]["name"], call["function"]["arguments"])
                if key[0] in writes:
                    made.clear()
                    continue
                assert key not in made, key
                made.add(key)


@pytest.mark.slow
def test_a_consequential_write_follows_a_question_and_an_explicit_yes(
        generated: list[tuple[Workbench, Record, dict[str, Any]]]) -> None:
    confirmed = 0
    for bench, _, data in generated:
        confirm = {t.name for t in bench.env.tools if t.confirm}
        messages = data["messages"]
        for index, message in enumerate(messages):
            for call in message.get("tool_calls") or []:
                if call["function"]["name"] not in confirm:
                    continue
                user, asked = messages[index - 1], messages[index - 2]
                assert user["role"] == "user" and user["content"].startswith("Yes"), user
                assert asked["role"] == "assistant" and asked["content"].rstrip().endswith("?"), asked
                confirmed += 1
    assert confirmed >= 2  # the sample has writes to confirm at all


@pytest.mark.slow
def test_the_user_says_enum_values_in_words_and_signs_with_the_holders_name(
        generated: list[tuple[Workbench, Record, dict[str, Any]]]) -> None:
    for bench, _, data in generated:
        enums = {v for t in bench.env.tools for s in t.parameters.get("properties", {}).values()
                 for v in (s.get("enum") or []) if isinstance(v, str) and SNAKE.fullmatch(v)}
        names = set()
        for message in data["messages"]:
            if message["role"] != "user":
                continue
            assert not enums & set(SNAKE.findall(message["content"])), message["content"]
            signed = SIGNED.search(message["content"])
            if signed:
                names.add(signed.group(1))
        assert len(names) <= 1, names  # one persona per dialogue
        if names:  # and it is the account holder's first name
            key = bench.env.user_key
            users = {m["content"] for m in data["messages"] if m["role"] == "tool"}
            holders = [r for r in bench.env.query(f"SELECT * FROM {bench.env.user_table}")
                       if any(str(r[key]) in text for text in users)]
            assert any(r.get("first_name") == next(iter(names)) for r in holders), (names, holders[:1])
