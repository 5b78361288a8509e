"""The pieces eval scores with: facts a turn must tell, call matching, diff comparison,
agent replies, gold's turn layout."""

from __future__ import annotations

import pytest

from toolace_mt.evaluation.agents import AgentReply, AgentReplyError, GoldAgent
from toolace_mt.evaluation.call_match import match_calls
from toolace_mt.evaluation.information import facts, missing_facts, required_facts
from toolace_mt.evaluation.state_text import compare_diffs
from toolace_mt.record import Record


def _record(messages: list[dict]) -> Record:
    return Record(id="r", env="retail", env_digest="0" * 64, seed=0, tools=[], messages=messages)


def test_required_facts_are_what_the_assistant_told_from_tool_outputs() -> None:
    record = _record([
        {"role": "user", "content": "Where is order #W1001? It's for my 3 kids."},
        {"role": "assistant", "tool_calls": [{"id": "c", "function": {"name": "get_order",
                                                                      "arguments": "{\"order_id\": \"#W1001\"}"}}]},
        {"role": "tool", "tool_call_id": "c",
         "content": '{"order_id": "#W1001", "total": 1234.5, "delivered_on": "2026-03-05", "items": [1, 2]}'},
        {"role": "assistant", "content": "Order #W1001 (for your 3 kids) came on March 5, 2026; two items, "
                                         "$1,234.50 in total, tracking 1Z999."},
    ])
    required = required_facts(record, 0, 4)
    # #W1001 and 3 came from the user; "two" is a number word; 1Z999 is in no tool output
    assert [str(f) for f in required] == ["2026-03-05", "1234.5"]
    assert missing_facts(required, "It arrived 2026-03-05 and cost 1234.50 dollars.") == []
    assert [str(f) for f in missing_facts(required, "It arrived on Mar 5; I don't know the price.")] == ["1234.5"]
    assert [str(f) for f in facts("Ticket ACC-10001 and acc-10001 at 14:00")] == ["14:00", "ACC-10001"]


def test_call_matching_counts_exact_calls_and_argument_accuracy() -> None:
    record = [("get_order", {"order_id": "#W1"}), ("cancel_order", {"order_id": "#W1", "reason": "other"}),
              ("get_order", {"order_id": "#W2"})]
    agent = [("get_order", {"order_id": "#W2"}), ("cancel_order", {"order_id": "#W1", "reason": "no"}),
             ("list_orders", {}), ("get_order", None)]
    counts = match_calls(agent, record)
    assert counts.model_dump() == {"agent": 4, "record": 3, "matched": 1, "arguments_equal": 2,
                                   "arguments_total": 4}  # get_order #W2 (1/1), cancel (1/2), get_order None (0/1)
    assert counts.rates() == {"precision": 0.25, "recall": 0.3333, "argument_accuracy": 0.5}
    assert match_calls([], []).rates() == {"precision": None, "recall": None, "argument_accuracy": None}
    assert match_calls([("f", {"x": 1.0000001})], [("f", {"x": 1})]).matched == 1  # floats to 6 decimals


def test_compare_diffs_names_each_row_and_column() -> None:
    def diff(**tables: dict) -> dict:
        return {"tables": tables}

    expected = diff(
        orders={"changed": [{"key": {"id": 1}, "columns": {"status": {"before": "p", "after": "cancelled"},
                                                            "note": {"before": None, "after": "x"}}}],
                "added": [{"id": 9, "status": "new"}]},
        loans={"removed": [{"loan_id": "L1", "book": "B"}]})
    actual = diff(
        orders={"changed": [{"key": {"id": 1}, "columns": {"status": {"before": "p", "after": "pending"}}},
                            {"key": {"id": 2}, "columns": {"status": {"before": "p", "after": "gone"}}}],
                "added": [{"id": 9, "status": "old"}]},
        loans={"changed": [{"key": {"loan_id": "L1"}, "columns": {"book": {"before": "B", "after": "C"}}}]})
    keys = {"orders": ["id"], "loans": ["loan_id"]}
    assert compare_diffs(expected, actual, keys) == [
        'loans {"loan_id": "L1"}: expected row removed {"loan_id": "L1", "book": "B"}, got changed {"book": "C"}',
        'orders {"id": 1} note: expected "x", got unchanged',
        'orders {"id": 1} status: expected "cancelled", got "pending"',
        'orders {"id": 2} status: expected unchanged ("p"), got "gone"',
        'orders {"id": 9} status (row added): expected "new", got "old"',
    ]
    assert compare_diffs(expected, expected, keys) == []
    assert compare_diffs(diff(t={"added": [{"k": 1}]}), diff(), {"t": ["k"]}) == [
        't {"k": 1}: expected row added {"k": 1}, got no change']


def test_agent_replies_are_validated() -> None:
    reply = AgentReply.parse({"role": "assistant", "content": None, "refusal": None, "tool_calls": [
        {"function": {"name": "f", "arguments": {"a": 1}}}]})
    assert reply.calls[0].arguments_text() == '{"a": 1}' and reply.calls[0].id is None
    assert AgentReply.parse("hello").content == "hello" and AgentReply.parse("hello").calls == []
    with pytest.raises(AgentReplyError, match=r"tool_calls\.0\.function: Field required"):
        AgentReply.parse({"tool_calls": [{"id": "x"}]})


def test_gold_merges_a_text_turn_followed_by_calls_in_the_same_user_turn() -> None:
    call = {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    record = _record([
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "Let me look."},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c", "content": "1"},
        {"role": "assistant", "content": "It is 1."},
    ])
    gold = GoldAgent(record)
    assert gold.turns == [[{"content": "Let me look.", "tool_calls": [call]},
                           {"content": "It is 1.", "tool_calls": None}]]
    assert gold([{"role": "user", "content": "hi"}], []) == gold.turns[0][0]
    assert gold([{"role": "user", "content": "hi"}, {"role": "assistant"}, {"role": "tool"}], []) == gold.turns[0][1]
    assert gold([{"role": "user", "content": "hi"}, {"role": "user", "content": "more"}], []) == {"content": ""}
