"""A state diff: per table, rows added, removed and changed (by primary key)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field


class ColumnChange(BaseModel):
    before: Any
    after: Any


class RowChange(BaseModel):
    key: dict[str, Any]
    columns: dict[str, ColumnChange]


class TableDiff(BaseModel):
    added: list[dict[str, Any]] = Field(default_factory=list)
    removed: list[dict[str, Any]] = Field(default_factory=list)
    changed: list[RowChange] = Field(default_factory=list)


class StateDiff(BaseModel):
    """Only tables with a difference appear; rows are sorted by key."""

    tables: dict[str, TableDiff] = Field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.tables

    def summary(self) -> str:
        if not self.tables:
            return "no change"
        parts = []
        for name, table in self.tables.items():
            counts = [f"{len(rows)} {label}" for label, rows in
                      (("added", table.added), ("removed", table.removed), ("changed", table.changed)) if rows]
            parts.append(f"{name}: {', '.join(counts)}")
        return "; ".join(parts)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return round(float(a), 6) == round(float(b), 6)
        except (TypeError, ValueError):
            return False
    return a == b


def _key_text(key: dict[str, Any]) -> str:
    return json.dumps(key, sort_keys=True, default=str)


def table_diff(primary_key: list[str], before: list[dict[str, Any]], after: list[dict[str, Any]]) -> TableDiff:
    """Diff rows that differ between two versions of a table (others may be omitted)."""
    old = {_key_text({k: r[k] for k in primary_key}): r for r in before}
    new = {_key_text({k: r[k] for k in primary_key}): r for r in after}
    diff = TableDiff()
    for key in sorted(old.keys() - new.keys()):
        diff.removed.append(old[key])
    for key in sorted(new.keys() - old.keys()):
        diff.added.append(new[key])
    for key in sorted(old.keys() & new.keys()):
        a, b = old[key], new[key]
        columns = {c: ColumnChange(before=a.get(c), after=b.get(c))
                   for c in sorted(a.keys() | b.keys()) if not _same(a.get(c), b.get(c))}
        if columns:
            diff.changed.append(RowChange(key={k: a[k] for k in primary_key}, columns=columns))
    return diff
