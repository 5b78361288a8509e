"""Reply wording is counted as a model backend pays it (stage "reply"): one call for all
the replies one word_replies (re)words, none when no reply's conversation changed. The
openai side is in test_openai_backend.py; MAS's side (its replies are the agents' turns)
is in test_generate.py."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from toolace_mt.generation.backends.interface import CostMeter
from toolace_mt.generation.backends.offline_backend import OfflineBackend
from toolace_mt.generation.draft import Turn
from toolace_mt.generation.naig import generate_naig, skeleton
from toolace_mt.generation.settings import Settings
from toolace_mt.generation.workbench import Workbench


@pytest.fixture(scope="module")
def bench() -> Iterator[Workbench]:
    bench = Workbench("retail", 7)
    yield bench
    bench.close()


def test_offline_words_the_skeleton_replies_in_one_call_and_again_only_after_a_change(bench: Workbench) -> None:
    backend, cost = OfflineBackend(), CostMeter()
    draft = skeleton(bench, backend, Settings(subtasks=(3, 3)), random.Random("reply-cost"), cost)
    assert draft is not None and len(draft.segments) >= 2
    replies = [t for _, t in draft.turns() if t.kind == "reply"]
    assert len(replies) == len(draft.segments) and all(t.text for t in replies)
    assert cost.calls["reply"] == 1  # m replies, one call
    everything = range(len(draft.segments))
    backend.word_replies(draft, everything, cost, bench)
    assert cost.calls["reply"] == 1  # nothing changed: nothing to word
    last = draft.segments[-1]
    last.turns += [Turn("user", "chat", text="Thanks, that helps."), Turn("assistant", "chat_reply", text="Welcome!")]
    backend.word_replies(draft, range(len(draft.segments) - 1, len(draft.segments)), cost, bench)
    assert cost.calls["reply"] == 1  # chit-chat after the last reply leaves its conversation as it was
    first = draft.segments[0].turns[0]
    first.text = f"{first.text} Thanks in advance."
    backend.word_replies(draft, everything, cost, bench)
    assert cost.calls["reply"] == 2  # every reply's conversation changed: one call for all


def test_offline_naig_records_count_reply_wording_the_same_every_time(bench: Workbench) -> None:
    runs = [generate_naig(bench, OfflineBackend(), Settings(), f"7:{i}", f"retail-{i}", i)
            for i in (0, 1, 2) for _ in range(2)]
    costs = [run.record.provenance.cost for run in runs if run.record is not None]
    assert len(costs) == len(runs)
    assert all(c["model_calls"]["reply"] >= 1 for c in costs)
    assert costs[0::2] == costs[1::2]  # the same inputs, the same counts


def test_edits_are_reworded_once_after_the_last_one(bench: Workbench) -> None:
    """Several injections, none leaving a reply without text: one reply call for the
    skeleton and at most one after all the edits, however many changed the conversation."""
    settings = Settings(subtasks=(3, 4), injections=(3, 3),
                        inject_types=("clarification", "tool_awareness", "non_function_call"))
    several = 0
    for i in range(12):
        run = generate_naig(bench, OfflineBackend(), settings, f"edits:{i}", f"retail-{i}", i)
        assert run.record is not None
        edits = [op for op in run.record.provenance.ops if op.type != "refine"]
        several += len(edits) >= 2
        # 2 at most: an edit after the last reply (chit-chat at the end) changes no reply's conversation;
        # one more when refinement reworded a request (its replies are worded again, once for all)
        extra = int(any(op.type == "refine" and run.record.messages[op.message_index].role == "user"
                        for op in run.record.provenance.ops))  # a refined user turn may be a request
        assert 1 <= run.record.provenance.cost["model_calls"]["reply"] <= (2 if edits else 1) + extra
    assert several >= 6  # most attempts had 2+ edits (each one used to pay its own reply call)
