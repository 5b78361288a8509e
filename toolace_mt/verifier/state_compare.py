"""Readable differences between two state diffs (table, key, column: expected vs actual)."""

from __future__ import annotations

import json
from typing import Any

from toolace_mt.verifier.evidence import canonical_json


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6) + 0.0
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def same_json(a: Any, b: Any) -> bool:
    """Equal as JSON values, floats to 6 decimals."""
    return canonical_json(_rounded(a)) == canonical_json(_rounded(b))


def _row_key(row: dict[str, Any]) -> str:
    return canonical_json(row.get("key", row))


def _rows(diff: dict[str, Any]) -> dict[tuple[str, str, str], Any]:
    """Flatten a StateDiff dump into {(table, kind, key or row): content}."""
    flat: dict[tuple[str, str, str], Any] = {}
    for table, change in (diff.get("tables") or {}).items():
        for kind in ("added", "removed"):
            for row in change.get(kind, []):
                flat[(table, kind, canonical_json(_rounded(row)))] = row
        for row in change.get("changed", []):
            flat[(table, "changed", _row_key(row))] = _rounded(row.get("columns", {}))
    return flat


def describe_diff_mismatch(expected: dict[str, Any], actual: dict[str, Any], limit: int = 4) -> list[str]:
    """Lines like "orders {order_id: #W1002} status: expected 'cancelled', got 'pending'"."""
    want, got = _rows(expected), _rows(actual)
    lines = []
    for key in sorted(want.keys() | got.keys()):
        table, kind, row = key
        if key in want and key in got and canonical_json(want[key]) == canonical_json(got[key]):
            continue
        if kind == "changed" and key in want and key in got:
            columns = sorted(set(want[key]) | set(got[key]))
            for column in columns:
                a, b = want[key].get(column), got[key].get(column)
                if canonical_json(a) != canonical_json(b):
                    lines.append(f"{table} {row} {column}: expected {short_json(a)}, got {short_json(b)}")
        elif key in want:
            lines.append(f"{table}: expected row {kind} but it was not: {short_json(json.loads(row))}"
                         f"{_columns(want[key]) if kind == 'changed' else ''}")
        else:
            lines.append(f"{table}: row {kind} that was not expected: {short_json(json.loads(row))}"
                         f"{_columns(got[key]) if kind == 'changed' else ''}")
    if len(lines) > limit:
        lines = [*lines[:limit], f"... and {len(lines) - limit} more"]
    return lines


def _columns(columns: dict[str, Any]) -> str:
    """' (status: "pending" -> "cancelled")' for a changed row's {column: {before, after}}."""
    parts = [f"{name}: {short_json(change.get('before'), 40)} -> {short_json(change.get('after'), 40)}"
             if isinstance(change, dict) else f"{name}: {short_json(change, 40)}"
             for name, change in sorted(columns.items())]
    return f" ({'; '.join(parts)})" if parts else ""


def shorten(text: str, width: int) -> str:
    """`text` cut to `width` characters, with an ellipsis when cut (for one-line reports)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def short_json(value: Any, width: int = 160) -> str:
    return shorten(json.dumps(value, ensure_ascii=False, default=str), width)
