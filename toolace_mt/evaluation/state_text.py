"""A state diff read as "expected vs actual": per table, key and column.

`env.diff(expected, actual)` of two snapshots gives rows added, removed and changed from
the expected state to the actual one; these lines say it the way a test failure should:
`orders {"order_id": "#W1001"} status: expected "cancelled", got "pending"`.
"""

from __future__ import annotations

from typing import Any

from sandbox import StateDiff
from toolace_mt.verifier.state_compare import same_json, short_json


def _text(value: Any, width: int = 120) -> str:
    return short_json(value, width)


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


_UNCHANGED = object()


def _by_key(table: dict[str, Any], key_columns: list[str]) -> dict[str, tuple[str, Any]]:
    """{key JSON: (kind, content)} of one table of a StateDiff dump; a changed row's content
    is {column: {before, after}}."""
    rows: dict[str, tuple[str, Any]] = {}
    for kind in ("added", "removed"):
        for row in table.get(kind) or []:
            key = {k: row.get(k) for k in key_columns} if key_columns else row
            rows[_text(key, 10_000)] = (kind, row)
    for row in table.get("changed") or []:
        rows[_text(row.get("key"), 10_000)] = ("changed", row.get("columns") or {})
    return rows


def _value(text: Any) -> str:
    return "unchanged" if text is _UNCHANGED else _text(text)


def compare_diffs(expected: dict[str, Any], actual: dict[str, Any], keys: dict[str, list[str]],
                  limit: int = 30) -> list[str]:
    """Two StateDiff dumps from the same initial state, compared row by row: lines
    "table {key} column: expected X, got Y" (X/Y the values after; "unchanged" when that
    side did not change the column), or what happened to a whole row."""
    lines: list[str] = []
    want_tables, got_tables = expected.get("tables") or {}, actual.get("tables") or {}
    for table in sorted(set(want_tables) | set(got_tables)):
        columns = keys.get(table, [])
        want, got = _by_key(want_tables.get(table) or {}, columns), _by_key(got_tables.get(table) or {}, columns)
        for key in sorted(want.keys() | got.keys()):
            w_kind, w_row = want.get(key, ("unchanged", None))
            g_kind, g_row = got.get(key, ("unchanged", None))
            if w_kind == g_kind == "changed":
                for column in sorted(w_row.keys() | g_row.keys()):
                    w_value = w_row[column]["after"] if column in w_row else _UNCHANGED
                    g_value = g_row[column]["after"] if column in g_row else _UNCHANGED
                    if w_value is _UNCHANGED or g_value is _UNCHANGED or not same_json(w_value, g_value):
                        for path, a, b in _differences(column, w_value, g_value):
                            lines.append(f"{table} {key} {path}: expected {_value(a)}, got {_value(b)}")
            elif w_kind == "changed" and g_kind == "unchanged":
                lines += [f"{table} {key} {column}: expected {_text(change['after'])}, got unchanged "
                          f"({_text(change['before'])})" for column, change in sorted(w_row.items())]
            elif g_kind == "changed" and w_kind == "unchanged":
                lines += [f"{table} {key} {column}: expected unchanged ({_text(change['before'])}), got "
                          f"{_text(change['after'])}" for column, change in sorted(g_row.items())]
            elif w_kind == g_kind:
                for column in sorted(set(w_row) | set(g_row)):
                    if not same_json(w_row.get(column), g_row.get(column)):
                        lines.append(f"{table} {key} {column} (row {w_kind}): expected {_text(w_row.get(column))}, "
                                     f"got {_text(g_row.get(column))}")
            else:
                lines.append(f"{table} {key}: expected {_kind(w_kind, w_row)}, got {_kind(g_kind, g_row)}")
    if len(lines) > limit:
        lines = [*lines[:limit], f"... and {len(lines) - limit} more"]
    return lines


def _kind(kind: str, row: Any) -> str:
    if kind == "unchanged":
        return "no change"
    if kind == "changed":
        return "changed " + _text({c: v.get("after") for c, v in row.items()})
    return f"row {kind} {_text(row)}"
