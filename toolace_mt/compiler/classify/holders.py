"""Holders: a column naming who holds a row (a plot's leaseholder, a ticket's assignee).

One write puts someone in it (plots.lease sets leaseholder); giving the row up
(plots.relinquish, "so it becomes vacant again") empties it, and that is the state the
give-up changes, not an invented status. A write that "fails if already leased" needs it
empty, and a list's "only vacant ones" flag shows the rows where it is empty. Known from
the spec alone: the give-up's output shows the column as nullable and its description
says the row is given up.
"""

from __future__ import annotations

import re

from toolace_mt.compiler import kinds as K
from toolace_mt.compiler.classify.catalog import Catalog
from toolace_mt.compiler.names import words
from toolace_mt.compiler.plan import Table, ToolPlan
from toolace_mt.compiler.stamps import stamp_column

GIVEN_UP = re.compile(r"\b(?:vacant|unassigned|unclaimed|unoccupied|no longer (?:held|assigned|leased|owned)|nobody|"
                      r"relinquish\w*|vacate\w*|give\s+(?:it\s+)?up|unassign\w*|end(?:s|ing)? the (?:lease|loan|"
                      r"assignment|tenancy|rental|hold|reservation)|becomes? (?:free|available|vacant))\b")
# Words of a list flag that asks for the rows nobody holds ("vacantOnly": only plots nobody leases).
VACANT = {"vacant", "unassigned", "unclaimed", "unoccupied", "unleased", "free", "available", "empty"}
TAKEN_ALREADY = re.compile(r"\b(?:already (?:\w+ed|taken|held|owned|assigned)|vacant|unassigned|unoccupied|"
                           r"not (?:yet )?(?:taken|assigned|leased|held))\b")


def holders(cat: Catalog) -> None:
    """Find each give-up transition's held columns; wire its setters and vacancy flags."""
    for plan in cat.plans:
        table = cat.tables.get(plan.table or "")
        output = plan.spec.output
        if plan.kind != "transition" or plan.status_flag or table is None or output is None \
                or output.type != "object" or not GIVEN_UP.search(plan.spec.description.lower()) \
                or K.verb_of(words(plan.spec.name)) in K.TRANSITION:  # a cancel keeps its cancelled status
            continue
        setters = [other for other in cat.plans if other is not plan and other.table == plan.table and other.writes
                   and other.kind in ("update", "transition")]
        set_columns = {p.column for other in setters for p in other.params if p.role in ("value", "filter")}
        held = [name for prop in output.properties if prop.nullable
                for name in [cat.match_column(table, prop)] if name and name != table.key and name in set_columns]
        if not held:
            continue
        _drop_invented_status(cat, plan)
        plan.clears = list(held)
        for name in held:
            table.columns[name].held = True
        for setter in setters:
            if not any(p.column in held for p in setter.params):
                continue
            if TAKEN_ALREADY.search(setter.spec.description.lower()):
                setter.needs_empty = [p.column for p in setter.params if p.column in held]
            # What else the setter records about the hold (the lease's season, since when) goes with it.
            stamp = stamp_column(table, _participle(setter))
            if stamp is not None and stamp not in [p.column for p in setter.params]:
                setter.stamps.append(stamp)
            plan.clears += [c for c in [*(p.column for p in setter.params if p.role in ("value", "filter")),
                                        *setter.stamps] if c and c not in plan.clears and c != table.key]
        for reader in cat.plans:
            if reader.table == plan.table and reader.kind in ("list", "search"):
                for param in reader.params:
                    flag = param.spec.type == "boolean" and (param.column is None or param.column not in table.columns)
                    if flag and (set(words(param.spec.name)) & VACANT or "nobody" in param.spec.description.lower()):
                        param.role, param.column = "vacant", held[0]


def _drop_invented_status(cat: Catalog, plan: ToolPlan) -> None:
    """The status column the transition added for itself (no spec field), when nothing else uses it."""
    table = cat.tables[plan.table or ""]
    name = plan.status_column
    col = table.columns.get(name or "")
    if col is None or col.spec is not None:
        return
    used = any(other is not plan and other.table == plan.table and (
        other.status_column == name or any(p.column == name for p in other.params)) for other in cat.plans)
    if used:
        return
    del table.columns[name or ""]
    if plan.target_status in table.status_values:
        table.status_values.remove(plan.target_status or "")
    plan.status_column = None


def _participle(plan: ToolPlan) -> str:
    """What a write's verb makes of a row: plots.lease -> "leased"."""
    name_words = words(plan.spec.name)
    verb = K.verb_of(name_words) or next((w for w in reversed(name_words) if w not in K.FILLER), "")
    return K.target_status(verb) if verb else ""


def held_with(tools: list[ToolPlan], table: Table) -> list[tuple[str, list[str]]]:
    """(held column, the other columns a give-up empties with it): seeded empty together."""
    found = []
    for plan in tools:
        if plan.table == table.name and plan.clears and table.columns[plan.clears[0]].held:
            others = [c for c in plan.clears[1:] if table.columns[c].nullable and not table.columns[c].held]
            if others:
                found.append((plan.clears[0], others))
    return found
