"""Call-level precision, recall and argument accuracy of an agent's turn against the
record's (reported, not gating: another order of reads or an extra lookup can be right).

A call matches a record call of the same turn with the same name and equal arguments
(as JSON values, numbers as numbers to 6 decimals: 1 == 1.0), each record call matched once. Argument accuracy
pairs every agent call with an unmatched record call of the same name sharing the most
argument values, and counts equal values over the union of their argument names.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

Call = tuple[str, dict[str, Any] | None]


class CallCounts(BaseModel):
    agent: int = 0
    record: int = 0
    matched: int = 0
    arguments_equal: int = 0
    arguments_total: int = 0

    def add(self, other: CallCounts) -> None:
        for name in type(self).model_fields:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def rates(self) -> dict[str, float | None]:
        def ratio(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None
        return {"precision": ratio(self.matched, self.agent), "recall": ratio(self.matched, self.record),
                "argument_accuracy": ratio(self.arguments_equal, self.arguments_total)}


def same_value(a: Any, b: Any) -> bool:
    """Equal JSON values; numbers compared as numbers (a model may write 1.0 for 1)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        return round(float(a), 6) == round(float(b), 6)
    return type(a) is type(b) and a == b


def _equal_arguments(a: dict[str, Any], b: dict[str, Any]) -> int:
    return sum(1 for k in a.keys() & b.keys() if same_value(a[k], b[k]))


def match_calls(agent: list[Call], record: list[Call]) -> CallCounts:
    counts = CallCounts(agent=len(agent), record=len(record))
    free = list(range(len(record)))
    unmatched: list[Call] = []
    for name, args in agent:
        hit = next((i for i in free if record[i][0] == name and args is not None and record[i][1] is not None
                    and same_value(args, record[i][1])), None)
        if hit is None:
            unmatched.append((name, args))
            continue
        free.remove(hit)
        counts.matched += 1
        counts.arguments_equal += len(args or {})
        counts.arguments_total += len(args or {})
    for name, args in unmatched:
        mine = args or {}
        candidates = [i for i in free if record[i][0] == name]
        if not candidates:
            continue
        best = max(candidates, key=lambda i: _equal_arguments(mine, record[i][1] or {}))
        free.remove(best)
        theirs = record[best][1] or {}
        counts.arguments_equal += _equal_arguments(mine, theirs)
        counts.arguments_total += len(mine.keys() | theirs.keys())
    return counts
