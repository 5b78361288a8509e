"""The `abstention` score: on the turns where the record declines or asks, the agent
does not act anyway.

- tool awareness (the record's assistant says no tool can do it): the agent makes no
  call beyond those the record makes in the turn before declining;
- clarification (the record asks for a missing value): no call beyond those the record
  makes before asking gives the missing argument (`op.argument`, at any depth) or uses
  the value the user gives later (`op.value`): the agent asks instead of guessing.

In both cases the turn must end with a text reply. Other turns have no abstention score.
"""

from __future__ import annotations

from typing import Any

from toolace_mt.evaluation.call_match import Call, same_value
from toolace_mt.evaluation.turns import RecordTurn
from toolace_mt.record import Op
from toolace_mt.verifier.behaviour import _uses

ABSTENTION_OPS = ("tool_awareness", "clarification")


def _has_key(value: Any, key: str) -> bool:
    if isinstance(value, dict):
        return any(k == key or _has_key(v, key) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_key(v, key) for v in value)
    return False


def _beyond(agent: list[Call], allowed: list[Call]) -> list[Call]:
    """The agent's calls left when each allowed call is matched once (same name and arguments)."""
    free = list(allowed)
    extra = []
    for name, args in agent:
        hit = next((c for c in free if c[0] == name and same_value(c[1], args)), None)
        if hit is None:
            extra.append((name, args))
        else:
            free.remove(hit)
    return extra


def _describe(call: Call) -> str:
    return f"{call[0]}({', '.join(f'{k}={v!r}' for k, v in (call[1] or {}).items())})"


def abstention_problem(turn: RecordTurn, agent_calls: list[Call], finished: bool) -> str | None:
    """Why the agent failed to abstain on this turn, or None (also when nothing applies)."""
    for op in turn.ops:
        if op.type not in ABSTENTION_OPS:
            continue
        allowed = [(c.name, c.arguments) for c in turn.calls if c.message_index < op.message_index]
        extra = _beyond(agent_calls, allowed)
        if op.type == "tool_awareness" and extra:
            return (f"tool awareness: the record declines at message {op.message_index}, but the agent called "
                    f"{_describe(extra[0])}")
        if op.type == "clarification":
            problem = _guess(op, extra)
            if problem:
                return problem
        if not finished:
            return f"{op.type.replace('_', ' ')}: the agent did not answer with text (the record does at message " \
                   f"{op.message_index})"
    return None


def _guess(op: Op, extra: list[Call]) -> str | None:
    for name, args in extra:
        if op.argument and _has_key(args, op.argument):
            return (f"clarification: the record asks for {op.argument} at message {op.message_index}, but the "
                    f"agent called {name} with {op.argument}={_value(args, op.argument)!r} instead of asking")
        if op.value is not None and _uses(args, op.value):
            return (f"clarification: the record asks for {op.value!r} at message {op.message_index}, but the agent "
                    f"called {name} with it before the user gave it")
    return None


def _value(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        if key in value:
            return value[key]
        for item in value.values():
            found = _value(item, key)
            if found is not None:
                return found
    if isinstance(value, list):
        for item in value:
            found = _value(item, key)
            if found is not None:
                return found
    return None
