"""Records from outside are hostile: every trajectory check (and the text-reading core
checks, grounding and consistency) returns findings on 100 KB adversarial texts, odd
unicode, missing fields and deep nesting, never an exception and never a regex that
backtracks for minutes (a quadratic pattern on 100 KB of newlines took 30 s per 20 KB).
bench/trajectory_hostile.py prints the seconds per check and size.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from handwritten import synthetic

from toolace_mt.record import Record
from toolace_mt.verifier import Dialogue
from toolace_mt.verifier.consistency import check_consistency
from toolace_mt.verifier.finding import UNJUDGED, Finding
from toolace_mt.verifier.grounding import check_grounding
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.trajectory import findings

POLICY = EnvPolicy(known=True, writes=frozenset({"act"}), confirm=frozenset({"act"}), user_key="user_id")
TOOLS: dict[str, dict[str, Any]] = {
    "look": {"query": {"type": "string"}, "limit": {"type": "integer"}, "unread_only": {"type": "boolean"}},
    "act": {"item_id": {"type": "string"}, "reason": {"type": "string", "enum": ["no_longer_needed", "other"]}},
    "calculate": {"expression": {"type": "string"}},
}
SIZE = 100_000
# Units repeated to 100 KB: runs that make a careless regex try every start and every length.
UNITS = {"newlines": "\n", "words": "Ab ", "list markers": "1. ", "the field is": "the expires on is ",
         "json pairs": '"a": 1, ', "combining unicode": "e\u0301\u200b\u202e", "sign-offs": "Thanks, Ann\n",
         "for the": "x for the city ", "dotted newlines": ".\n \n"}


def hostile(text: str) -> Record:
    output = {"user_id": "u1", "name": text, "items": [{"item_id": "I1", "expires_on": text},
                                                       {"item_id": "I2", "note": text}]}
    return synthetic([
        ("user", text),
        ("call", "look", {"query": text[:5000]}, output),
        ("assistant", text + "?"),
        ("user", text),
        ("call", "act", {"item_id": "I1", "reason": "other"}, {"error": {"message": text, "type": "ToolError"}}),
        ("call", "calculate", {"expression": text[:2000]}, 1.0),
        ("assistant", text),
    ], TOOLS)


@pytest.mark.slow  # 2-6 s each on a loaded machine
@pytest.mark.parametrize("unit", list(UNITS.values()), ids=list(UNITS))
def test_100_kb_adversarial_texts_are_judged(unit: str) -> None:
    text = (unit * (SIZE // len(unit) + 1))[:SIZE]
    dialogue = Dialogue(hostile(text))
    found = findings(dialogue, POLICY)
    assert all(isinstance(f, Finding) and f.kind != UNJUDGED for f in found), [f.message for f in found]
    assert isinstance(check_consistency(dialogue, None), list) and isinstance(check_grounding(dialogue), list)


def test_a_100_kb_turn_of_newlines_still_finds_the_parameter_talk_at_its_start() -> None:
    record = synthetic([("user", "The limit to use is 2." + "\n" * SIZE),
                        ("call", "look", {"limit": 2}, []), ("assistant", "Nothing came up.")], TOOLS)
    assert [f.kind for f in findings(Dialogue(record), POLICY)] == ["parameter_talk"]


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for n in range(depth):
        value = [value, {"k": n}] if n % 2 else {"item_id": f"I{n}", "inner": value}
    return value


@pytest.mark.parametrize("output", [
    _nested(60), {"": None}, [], "plain text, not JSON", 12.5, {"error": "not an object"},
    {"error": {"message": None, "type": 3}}, {"a" * 5000: ["x"] * 5000}, {"USR1": {}, "USR2": []},
    {"name": {"first_name": ["not", "a", "name"]}}, [{"item_id": None}, {"item_id": ["I1"]}],
], ids=["nested", "empty key", "empty list", "text", "number", "error text", "error fields", "wide", "id keys",
        "odd name", "odd ids"])
def test_outputs_of_any_shape_are_judged(output: Any) -> None:
    record = synthetic([("user", "Hi, this is Zoë Ñúñez. Cancel I1 please, no longer needed."),
                        ("call", "look", {"query": "I1"}, output),
                        ("assistant", "Shall I cancel I1 as no longer needed?"), ("user", "Yes."),
                        ("call", "act", {"item_id": "I1", "reason": "no_longer_needed"}, output),
                        ("assistant", "Done.\u202e\u0000 — 李雷")], TOOLS)
    found = findings(Dialogue(record), POLICY)
    assert all(f.kind != UNJUDGED for f in found), [f.message for f in found]


def test_arguments_that_are_not_objects_and_tools_of_any_shape_are_judged() -> None:
    record = synthetic([("user", "Hello"), ("call", "act", {"item_id": "I1"}, {"ok": True}),
                        ("assistant", "Done.")], TOOLS)
    data = json.loads(record.model_dump_json())
    data["messages"][1]["tool_calls"][0]["function"]["arguments"] = "[1, 2, 3]"
    data["tools"] = [{"type": "function", "function": {"name": "act", "parameters": []}}, {"function": 3}, {"junk": []}]
    odd = Record.model_validate(data)
    found = findings(Dialogue(odd), POLICY)
    assert all(f.kind != UNJUDGED for f in found), [f.message for f in found]


def test_a_detector_that_cannot_read_a_record_fails_it_instead_of_raising(monkeypatch: pytest.MonkeyPatch) -> None:
    from toolace_mt.verifier import trajectory

    def broken(dialogue: Dialogue, policy: EnvPolicy) -> list[Finding]:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setitem(trajectory._FIND, "persona", broken)
    found = findings(Dialogue(hostile("hello")), POLICY, ["persona", "reply_style"])
    assert [(f.kind, f.check) for f in found if f.kind == UNJUDGED] == [(UNJUDGED, "persona")]
    assert "RecursionError" in found[0].message
