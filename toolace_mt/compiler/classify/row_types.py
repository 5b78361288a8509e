"""Rows of one table that are of different types (a home's devices: light, plug, lock,
thermostat): a tool that says which type it acts on ("ID of the lock", "Set the brightness
of a light") refuses a row of another type, as the real device would (no lock_door on a
thermostat)."""

from __future__ import annotations

import re

from toolace_mt.compiler.classify.catalog import Catalog
from toolace_mt.compiler.names import words
from toolace_mt.compiler.plan import Table, ToolPlan
from toolace_mt.compiler.seed_shapes import said_values

TYPE_WORDS = {"type", "kind", "category", "class"}
ACTS_ON = ("get", "update", "transition", "adjust", "delete")


def row_types(cat: Catalog) -> None:
    for plan in cat.plans:
        table = cat.tables.get(plan.table or "")
        key = plan.key
        if table is None or key is None or plan.kind not in ACTS_ON or table.singleton:
            continue
        found = type_column(table)
        if found is None:
            continue
        name, values = found
        said = _named(key.spec.description, values) or _named(_own_words(plan), values)
        if said is not None:
            plan.row_type = (name, said)


def type_column(table: Table) -> tuple[str, list[str]] | None:
    """The column telling a row's type, with its values (two or more, from the spec)."""
    for col in table.columns.values():
        if col.type != "string" or col.spec is None or not set(words(col.name)) & TYPE_WORDS:
            continue
        values = said_values(col.spec)
        if len(values) >= 2:
            return col.name, values
    return None


def _own_words(plan: ToolPlan) -> str:
    """A tool's own description, without a BFCL preamble about the whole system."""
    return plan.spec.description.split("Tool description:", 1)[-1]


def _named(text: str, values: list[str]) -> str | None:
    """The one type value the text names as a word ("ID of the lock" -> lock), else None."""
    lowered = text.lower()
    named = [v for v in values if re.search(rf"\b{re.escape(v.lower())}s?\b", lowered)]
    return named[0] if len(named) == 1 else None


def typed_columns(tools: list[ToolPlan], table: Table) -> list[tuple[str, str, str]]:
    """Columns only tools of one row type write (a light's brightness, a lock's locked):
    (column, type column, type). Rows of another type are seeded without them."""
    writers: dict[str, set[tuple[str, str] | None]] = {}
    for plan in tools:
        if plan.table != table.name or not plan.writes:
            continue
        written = {plan.status_column, plan.adjust_column} | {p.column for p in plan.params if p.role != "key"}
        for name in written - {None, table.key}:
            writers.setdefault(name or "", set()).add(plan.row_type)
    typed = []
    for name, types in writers.items():
        col = table.columns.get(name)
        only = next(iter(types)) if len(types) == 1 else None
        if col is not None and col.nullable and only is not None and only[0] != name:
            typed.append((name, only[0], only[1]))
    return typed
