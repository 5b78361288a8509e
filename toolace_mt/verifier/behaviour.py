"""`behaviour`: each stage-2 op in `provenance.ops` did what its type promises
(see record.Op for the fields each type uses)."""

from __future__ import annotations

from typing import Any

from toolace_mt.record import AssistantMessage, Op, UserMessage
from toolace_mt.verifier.dialogue import Dialogue, Failure
from toolace_mt.verifier.evidence import Evidence, grounded_string, leaves, normalise


def _same(leaf: Any, value: Any) -> bool:
    """One argument value is the clarified value: numbers as numbers (1250 == 1250.0), else as text."""
    if isinstance(leaf, int | float) and isinstance(value, int | float) and not isinstance(leaf, bool) \
            and not isinstance(value, bool):
        return float(leaf) == float(value)
    return normalise(str(leaf)) == normalise(str(value))


def _uses(arguments: dict[str, Any] | None, value: Any) -> bool:
    if arguments is None:
        return False
    return any(_same(leaf, value) for leaf in leaves(arguments) if leaf is not None)


def _gives(text: str, value: Any) -> bool:
    """`text` states `value` by the grounding rules (evidence.py): "two" or "2" gives 2,
    "$1,250" gives 1250, "March 14, 1991" gives "1991-03-14"; strings as whole words, so
    the 2 inside "BK-50012" does not give 2."""
    if isinstance(value, dict | list):
        return all(_gives(text, leaf) for leaf in leaves(value) if leaf is not None)
    evidence = Evidence()
    evidence.add_text(text)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return evidence.has_number(float(value))
    return grounded_string(str(value), evidence, free_text=False)


def found_nothing(output: Any) -> bool:
    """A search's answer to a name it has no record of: nothing (null, [], {}) or an
    envelope of empty lists (`{"tracks": []}`, `{"results": [], "total": 0}`). A mistyped
    name a search finds nothing for is an error the user makes as truly as a failing call."""
    if output is None or (isinstance(output, list | dict) and not output):
        return True
    if isinstance(output, dict):  # a record with an empty list of its own (a playlist with no tracks) is found
        lists = [v for v in output.values() if isinstance(v, list)]
        counts = all(isinstance(v, list | int | float) or v is None for v in output.values())
        return bool(lists) and not any(lists) and counts
    return False


def _text_turn(dialogue: Dialogue, index: int) -> str | None:
    """Why the turn at index is not an assistant turn without calls, or None if it is."""
    message = dialogue.messages[index]
    if not isinstance(message, AssistantMessage):
        return f"message {index} is a {message.role} message, not an assistant turn"
    if message.tool_calls:
        return f"the assistant turn {index} makes {len(message.tool_calls)} call(s)"
    if not (message.content or "").strip():
        return f"the assistant turn {index} says nothing"
    return None


def _check_op(dialogue: Dialogue, op: Op) -> str | None:
    n = len(dialogue.messages)
    if not 0 <= op.message_index < n:
        return f"{op.type} op points at message {op.message_index}, outside the dialogue"
    if op.type == "clarification":
        problem = _text_turn(dialogue, op.message_index)
        if problem:
            return f"clarification: {problem}; the asking turn must make no call"
        answer = op.answer_index
        if answer is None or not op.message_index < answer < n or not isinstance(dialogue.messages[answer],
                                                                                  UserMessage):
            return "clarification: answer_index must point at a later user message"
        if op.value is None:
            return "clarification: the op does not name the missing value"
        if not _gives(dialogue.text(answer), op.value):
            return f"clarification: the user's answer (message {answer}) does not give {op.value!r}"
        for index in range(answer):
            if isinstance(dialogue.messages[index], UserMessage) and _gives(dialogue.text(index), op.value):
                return f"clarification: the user already gave {op.value!r} in message {index}, before being asked"
        early = [c for c in dialogue.calls if c.message_index < answer and _uses(c.arguments, op.value)]
        if early:
            return f"clarification: call {early[0].call.id} uses {op.value!r} before the user gave it"
        if not any(c.message_index > answer and _uses(c.arguments, op.value) for c in dialogue.calls):
            return f"clarification: no call after the user's answer uses {op.value!r}"
    elif op.type == "tool_awareness":
        problem = _text_turn(dialogue, op.message_index)
        if problem:
            return f"tool awareness: {problem}; the refusal turn must make no call"
        if op.tool is not None:
            if op.tool in dialogue.tools:
                return f"tool awareness: '{op.tool}' is said to be withheld but is in the record's tools"
            if any(c.name == op.tool for c in dialogue.calls):
                return f"tool awareness: the withheld tool '{op.tool}' is called"
    elif op.type == "error_simulation":
        failing = [c for c in dialogue.calls_at(op.message_index) if c.failed] or \
            [c for c in dialogue.calls_at(op.message_index) if c.output_text is not None and found_nothing(c.output)]
        if not failing:
            return f"error simulation: no call of message {op.message_index} failed or found nothing"
        bad = failing[0]
        recovered = [c for c in dialogue.calls if c.message_index > op.message_index and c.name == bad.name
                     and c.output_text is not None and not c.failed and c.arguments != bad.arguments
                     and (bad.failed or not found_nothing(c.output))]  # a miss is corrected by a find
        if not recovered:
            return f"error simulation: the failing {bad.name} call is never followed by a corrected, successful one"
    elif op.type == "non_function_call":
        problem = _text_turn(dialogue, op.message_index)
        if problem:
            return f"non-function-call turn: {problem}"
        if op.message_index == 0 or not isinstance(dialogue.messages[op.message_index - 1], UserMessage):
            return "non-function-call turn: it must answer the user message right before it"
    return None


def check_behaviour(dialogue: Dialogue) -> list[Failure]:
    failures = []
    for op in dialogue.record.provenance.ops:
        problem = _check_op(dialogue, op)
        if problem:
            index = op.message_index if 0 <= op.message_index < len(dialogue.messages) else None
            failures.append(Failure("behaviour", problem, index))
    return failures
