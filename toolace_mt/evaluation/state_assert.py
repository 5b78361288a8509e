"""`assert_diff(env, expected)`: a hand-written test states what a call must change.

    env.call("cancel_order", {"order_id": "#W1001"})
    assert_diff(env, {"orders": {"#W1001": {"status": "cancelled"}}})

`expected` maps table -> key -> change, and must name every change (tables and rows left
out must be unchanged; `{}` asserts nothing changed):
- a key is the primary key value, a tuple of values for a composite key, or a dict;
- a change is `{column: value_after, ...}` (exactly the columns that changed), or
  `"added"` / `"removed"`, or `{"added": {column: value, ...}}` for an added row whose
  listed columns have these values.
The diff is taken from `since` (a snapshot; default: the env's initial state).
"""

from __future__ import annotations

import json
from typing import Any

from sandbox import Environment, Snapshot
from toolace_mt.verifier.state_compare import same_json


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _key_dict(key: Any, columns: list[str]) -> dict[str, Any]:
    if isinstance(key, dict):
        return key
    values = list(key) if isinstance(key, tuple) else [key]
    if len(values) != len(columns):
        raise ValueError(f"key {key!r} does not fit the primary key ({', '.join(columns)})")
    return dict(zip(columns, values, strict=True))


def diff_problems(env: Environment, expected: dict[str, dict[Any, Any]], since: Snapshot | None = None) -> list[str]:
    """The differences between `expected` and what changed, one line each (empty: as expected)."""
    actual = env.diff(since).tables
    problems: list[str] = []
    for table in sorted(set(expected) | set(actual)):
        if table not in env.tables:
            problems.append(f"{table}: no such table; tables: {', '.join(sorted(env.tables))}")
            continue
        columns = list(env.tables[table].primary_key)
        change = actual.get(table)
        rows: dict[str, tuple[str, Any]] = {}
        if change is not None:
            for row in change.added:
                rows[_text({c: row[c] for c in columns})] = ("added", row)
            for row in change.removed:
                rows[_text({c: row[c] for c in columns})] = ("removed", row)
            for row in change.changed:
                rows[_text(row.key)] = ("changed", {c: v.after for c, v in row.columns.items()})
        wanted = {_text(_key_dict(k, columns)): v for k, v in (expected.get(table) or {}).items()}
        for key in sorted(wanted.keys() | rows.keys()):
            problems += _row_problems(table, key, wanted.get(key), rows.get(key))
    return problems


def _row_problems(table: str, key: str, want: Any, got: tuple[str, Any] | None) -> list[str]:
    where = f"{table} {key}"
    if got is None:
        return [f"{where}: expected {_describe(want)}, but the row is unchanged"]
    kind, row = got
    if want is None:
        what = f"changed {_text(row)}" if kind == "changed" else f"{kind}: {_text(row)}"
        return [f"{where}: not expected to change, but {what}"]
    if want in ("added", "removed"):
        return [] if kind == want else [f"{where}: expected {want}, but {kind}"]
    if isinstance(want, dict) and set(want) == {"added"} and isinstance(want["added"], dict):
        if kind != "added":
            return [f"{where}: expected added, but {kind}"]
        return [f"{where} {c}: expected {_text(v)}, got {_text(row.get(c))}"
                for c, v in want["added"].items() if not same_json(v, row.get(c))]
    if not isinstance(want, dict):
        raise ValueError(f"{where}: a change is a dict of columns, 'added' or 'removed', got {want!r}")
    if kind != "changed":
        return [f"{where}: expected changed columns {_text(want)}, but the row was {kind}"]
    lines = [f"{where} {c}: expected {_text(v)}, got {_text(row.get(c)) if c in row else 'unchanged'}"
             for c, v in want.items() if c not in row or not same_json(v, row[c])]
    lines += [f"{where} {c}: not expected to change, but now {_text(v)}" for c, v in row.items() if c not in want]
    return lines


def _describe(want: Any) -> str:
    if isinstance(want, str):
        return want
    if isinstance(want, dict) and set(want) == {"added"}:
        return f"added {_text(want['added'])}"
    return f"changed {_text(want)}"


def assert_diff(env: Environment, expected: dict[str, dict[Any, Any]], since: Snapshot | None = None) -> None:
    """Raises AssertionError listing every difference (table, key, column: expected vs actual)."""
    problems = diff_problems(env, expected, since)
    if problems:
        raise AssertionError("state diff differs from expected:\n  " + "\n  ".join(problems))
