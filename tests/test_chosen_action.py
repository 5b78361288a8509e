"""A write whose action is an argument's value (decide_expense_report(decision="approve"))
is asked, confirmed and told by that verb: "approve the expense report ER-5040", "I've
approved report ER-5040", never "decide ... with the decision approve"."""

from __future__ import annotations

import re

from sandbox import ToolSpec
from toolace_mt.generation.backends.offline_backend import OfflineBackend
from toolace_mt.generation.language.chosen_action import acted_name, chosen_verb
from toolace_mt.generation.naig import generate_naig
from toolace_mt.generation.settings import Settings
from toolace_mt.generation.workbench import Workbench


def _tool(name: str, properties: dict[str, dict[str, object]]) -> ToolSpec:
    return ToolSpec(name=name, description="", parameters={"type": "object", "properties": properties,
                                                           "required": list(properties)}, writes=True)


def test_a_choice_of_verbs_on_a_deciding_tool_is_its_action() -> None:
    decide = _tool("decide_expense_report", {"report_code": {"type": "string"},
                                             "decision": {"type": "string", "enum": ["approve", "return"]}})
    assert chosen_verb(decide, {"report_code": "ER-1", "decision": "return"}) == ("decision", "return")
    assert acted_name("decide_expense_report", "return") == "return_expense_report"
    assert acted_name("reviewClaim", "deny") == "deny_claim"


def test_other_enums_and_specific_verbs_keep_the_tools_own_verb() -> None:
    cancel = _tool("cancel_order", {"order_id": {"type": "string"},
                                    "reason": {"type": "string", "enum": ["no_longer_needed", "ordered_by_mistake"]}})
    assert chosen_verb(cancel, {"order_id": "#W1", "reason": "no_longer_needed"}) is None
    respond = _tool("respond_to_invitation", {"response": {"type": "string",
                                                           "enum": ["accepted", "declined", "tentative"]}})
    assert chosen_verb(respond, {"response": "accepted"}) is None  # states, not verbs
    update = _tool("update_cart", {"action": {"type": "string", "enum": ["add", "remove"]}})
    assert chosen_verb(update, {"action": "add"}) is None  # "update" is itself an action, not a choice


def test_a_decision_is_confirmed_and_told_by_its_verb_on_a_fresh_env() -> None:
    bench = Workbench("bench/fresh_envs/expense_approvals.py", 21)
    seen = 0
    try:
        for index in range(24):
            attempt = generate_naig(bench, OfflineBackend(), Settings(), f"21:{index}", f"ea-{index}", index)
            if attempt.record is None:
                continue
            messages = attempt.record.messages
            for at, message in enumerate(messages):
                calls = [c for c in (getattr(message, "tool_calls", None) or [])
                         if c.function.name == "decide_expense_report"]
                if not calls:
                    continue
                seen += 1
                verb = str((calls[0].parsed_arguments() or {})["decision"])
                said = " ".join(m.content or "" for m in messages[max(0, at - 4):at] if m.role != "tool")
                told = " ".join(m.content or "" for m in messages[at + 1:at + 4] if m.role == "assistant")
                assert not re.search(r"\bdecide\b|\bdecision (?:is )?(?:approve|return)\b", said + told), said + told
                assert re.search(rf"\b{verb}\b", said, re.I), said
                assert re.search(rf"\b{verb}(?:e?d)\b", told), told
        assert seen >= 1
    finally:
        bench.close()
