"""When a row reached a state: a `likedAt` / `closed_on` column beside the flag or status
a transition sets. The transition stamps it, the seed leaves it empty on rows not in that
state, and a list said to be "newest first" is ordered by it. So with what only the
transition records (a cancel's reason): empty on rows in no such state."""

from __future__ import annotations

import re

from toolace_mt.compiler.names import words
from toolace_mt.compiler.plan import EnvPlan, Table, ToolPlan

STAMP_WORDS = ("at", "on", "date", "time", "when", "since")
NEWEST = re.compile(r"\b(?:newest|most recent|latest|recent)(?:\s+\w+)?\s+first\b", re.IGNORECASE)
TIME_WORDS = {"at", "on", "date", "time", "timestamp", "created", "updated"}


def stamp_column(table: Table, target: str) -> str | None:
    """The column that says when a row became `target` (liked -> likedAt), if the table has one."""
    wanted = words(target)
    if not wanted:
        return None
    for name, col in table.columns.items():
        said = words(name)
        if col.type == "string" and len(said) == len(wanted) + 1 and said[:-1] == wanted and said[-1] in STAMP_WORDS:
            return name
    return None


def stamped(env: EnvPlan, table: Table) -> list[tuple[str, str, str, bool]]:
    """(stamp column, status column, target, is a flag) of each transition on `table` that has one."""
    found = []
    for plan in env.tools:
        if plan.table != table.name or plan.kind != "transition" or not plan.status_column or not plan.target_status:
            continue
        stamp = stamp_column(table, plan.target_status)
        if stamp is not None and (stamp, plan.status_column, plan.target_status, plan.status_flag) not in found:
            found.append((stamp, plan.status_column, plan.target_status, plan.status_flag))
    return found


def newest_first(env: EnvPlan, plan: ToolPlan, table: Table) -> str | None:
    """"ORDER BY" for a list its description says is newest first: by the stamp of the state
    it lists (liked tracks by likedAt), else by a date-like column."""
    if not NEWEST.search(plan.spec.description):
        return None
    for stamp, status, _, _ in stamped(env, table):
        if status in plan.fixed_filters:
            return f"{stamp} DESC"
    dated = [n for n, c in table.columns.items() if c.type == "string" and set(words(n)) & TIME_WORDS]
    return f"{dated[0]} DESC" if dated else None


def recorded(env: EnvPlan, table: Table) -> list[tuple[str, str, list[str]]]:
    """(column, status column, the states that record it) for each column only transitions
    into those states set (a cancel's `reason`), not flags: seeded only on rows in them."""
    by_column: dict[str, tuple[str, list[str]]] = {}
    others: set[str] = set()
    for plan in env.tools:
        if plan.table != table.name:
            continue
        if not plan.writes:  # what a read is given picks a row out (a pull request's repo): not recorded
            others |= {p.column for p in plan.params if p.column}
            continue
        others |= {p.column for p in plan.params if p.column and p.role in ("filter", "key", "min", "max")}
        written = {p.column for p in plan.params if p.column and p.role in ("value", "record", "updates")
                   and p.column != table.key}
        if plan.kind == "transition" and plan.status_column and plan.target_status and not plan.status_flag:
            for name in written - {plan.status_column}:
                status, states = by_column.setdefault(name, (plan.status_column, []))
                if status == plan.status_column:
                    states.append(plan.target_status)
                else:
                    others.add(name)
        else:
            others |= written | set(plan.fields_written())
    return [(name, status, states) for name, (status, states) in by_column.items()
            if name not in others and table.columns[name].nullable]
