"""A state diff read as "expected vs actual": per table, key and column.

`env.diff(expected, actual)` of two snapshots gives rows added, removed and changed from
the expected state to the actual one; these lines say it the way a test failure should:
`orders {"order_id": "#W1001"} status: expected "cancelled", got "pending"`.
"""

from __future__ import annotations

import json
from typing import Any

from sandbox import StateDiff


def _text(value: Any, width: int = 120) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


def _differences(path: str, expected: Any, actual: Any) -> list[tuple[str, Any, Any]]:
    """Where two values differ: inside STRUCT/JSON objects, by field (`address.city`)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in [*expected, *(k for k in actual if k not in expected)]:
            if expected.get(key) != actual.get(key):
                out += _differences(f"{path}.{key}", expected.get(key), actual.get(key))
        return out
    return [(path, expected, actual)]


def describe_state_diff(diff: StateDiff, keys: dict[str, list[str]] | None = None, limit: int = 20) -> list[str]:
    """Lines for a diff whose `before` is the expected state and `after` the actual one.
    `keys` (table -> primary key columns) names added/removed rows by key."""
    lines: list[str] = []
    for table, change in diff.tables.items():
        key_columns = (keys or {}).get(table)
        for row in change.changed:
            for column, values in row.columns.items():
                for path, expected, actual in _differences(column, values.before, values.after):
                    lines.append(f"{table} {_text(row.key)} {path}: expected {_text(expected)}, got {_text(actual)}")
        for row in change.added:
            key = {k: row.get(k) for k in key_columns} if key_columns else row
            lines.append(f"{table} {_text(key)}: a row the expected state does not have: {_text(row)}")
        for row in change.removed:
            key = {k: row.get(k) for k in key_columns} if key_columns else row
            lines.append(f"{table} {_text(key)}: missing, expected {_text(row)}")
    if len(lines) > limit:
        lines = [*lines[:limit], f"... and {len(lines) - limit} more"]
    return lines
