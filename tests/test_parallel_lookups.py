"""Look-ups asked about two entities at once: the same read tool called twice in one
assistant turn (parallel calls), each value stated by the user, each answer told."""

from __future__ import annotations

import json
from typing import Any

import pytest

from toolace_mt.cli import main
from toolace_mt.generation.draft import Call, Segment, Turn
from toolace_mt.generation.language import offline_wording as ow
from toolace_mt.generation.language import request_wording
from toolace_mt.generation.workbench import Workbench
from toolace_mt.verifier.evidence import normalise

ENVS = ["retail", "travel", "banking"]


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for env in ENVS:
        path = tmp_path_factory.mktemp("parallel") / f"{env}.jsonl"
        assert main(["generate", "--env", env, "-n", "40", "--seed", "2", "-o", str(path)]) == 0
        out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return out


def _twin_turns(record: dict[str, Any]) -> list[int]:
    """Indexes of a sub-task's last calling turns that call one tool more than once (not
    look-ups that feed a later call: those the reply does not tell)."""
    messages = record["messages"]
    found = []
    for i, message in enumerate(messages):
        calls = message.get("tool_calls") or []
        if len(calls) < 2 or len({c["function"]["name"] for c in calls}) != 1:
            continue
        after = i + 1 + len(calls)
        if after < len(messages) and messages[after]["role"] == "assistant" and not messages[after].get("tool_calls"):
            found.append(i)
    return found


@pytest.mark.slow
def test_generated_data_has_parallel_lookups_with_every_value_stated_and_every_answer_told(
        records: list[dict[str, Any]]) -> None:
    twins = [(r, i) for r in records for i in _twin_turns(r)]
    assert len(twins) >= 10, "parallel look-ups are rare"
    for record, index in twins:
        messages = record["messages"]
        said = normalise(" ".join(m["content"] for m in messages[:index] if m["role"] == "user"))
        calls = messages[index]["tool_calls"]
        values = [next(iter(json.loads(c["function"]["arguments"]).values())) for c in calls]
        assert len(set(map(str, values))) == len(values), values  # other entities
        reply = next(m["content"] for m in messages[index + 1:] if m["role"] == "assistant" and m.get("content"))
        # The twin's value was asked for by the user and its answer is introduced by it.
        assert normalise(str(values[1])) in said, (record["id"], values[1])
        assert str(values[1]) in reply, (record["id"], reply)
    assert all(r["verification"]["passed"] for r in records)


def test_a_request_asks_for_the_twin_apart_and_the_reply_tells_both() -> None:
    bench = Workbench("retail", 1)
    try:
        first, second = "#W1184", "#W1218"
        target, twin = Call("get_order", {"order_id": first}), Call("get_order", {"order_id": second})
        segment = Segment(goal="g", target="get_order", stated={"order_id": first, "order_id for look up": second},
                          turns=[Turn("user", "request"), Turn("assistant", "calls", calls=[target, twin]),
                                 Turn("assistant", "reply", topic={"writes": False})])
        for seed in range(40):
            text = request_wording.request_text(bench, segment, Turn("user", "request", seed=seed))
            assert first in text and second in text
            assert text.index(first) < text.index(second), text  # the twin comes after the ask
        target.result, twin.result = bench.env.call("get_order", target.arguments), \
            bench.env.call("get_order", twin.arguments)
        reply = ow.turn_text(bench, segment, segment.turns[-1])
        assert first in reply and second in reply
        assert reply.index(first) < reply.index(second)
    finally:
        bench.close()
