"""Actor links: a write whose caller parameter must match a differently named column of
the record it acts on. `decide_expense_report(staff_number, report_code)` succeeds only
when the staff number is the report's `approver_number`, not its `staff_number`: proposals
tying values by column names (the report's own staff number) never succeed. The link is
found by trials, never by names: for the record's table, each column whose values are
keys of the caller's table (another reference to a person) is tried as the caller's
value, and the first that makes the write succeed is the link. Learned once at start-up,
only for writes whose plain proposals all failed (see Workbench)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox import CallResult, ToolSpec
from toolace_mt.generation.plan.catalog import Catalog
from toolace_mt.generation.plan.value_keys import is_id, value_key

if TYPE_CHECKING:  # values imports state_rows, which keeps the links
    from toolace_mt.generation.plan.values import ValueSource

LINK_TRIES = 8  # rows of the record's table tried per candidate column
MIN_LINKED_ROWS = 2  # rows that must hold a value in the candidate column


@dataclass(frozen=True)
class ActorLink:
    """`param` (a key of `caller_table`.`caller_column`) takes the value of `column` of the
    `table` record that `key_param` names, where a name tie would take `stands_for`."""

    param: str
    caller_table: str
    caller_column: str
    table: str
    key_param: str
    key_column: str
    column: str
    stands_for: str | None  # the record's column of the caller's name (a report's own staff number)

    def context_of(self, row: dict[str, Any]) -> dict[str, Any]:
        """The ids a proposal ties to, from a row of the record's table: its own, with the
        caller's the one in `column` (the report's approver, not its submitter)."""
        context = {c: v for c, v in row.items() if is_id(c) and v is not None and c != self.caller_column}
        context[self.key_column] = row[self.key_column]
        context[self.caller_column] = row[self.column]
        return context


def find_link(tool: ToolSpec, values: ValueSource, catalog: Catalog,
              trial: Callable[[str, dict[str, Any]], CallResult], rng: random.Random) -> ActorLink | None:
    """The link that makes `tool` succeed, from trials on the current state; None when no
    candidate column does (the write fails for other reasons)."""
    required = [p for p in tool.parameters.get("required", []) if is_id(p) or p in values.key_columns]
    for param in required:
        caller = _keyed_table(param, tool, values, catalog)
        if caller is None:
            continue
        caller_table, caller_column = caller
        people = {value_key(r.get(caller_column)) for r in values.table_rows(caller_table)}
        for key_param in required:
            record = _keyed_table(key_param, tool, values, catalog) if key_param != param else None
            if record is None or record[0] == caller_table:
                continue
            table, key_column = record
            rows = values.table_rows(table)
            stands_for = next((c for t, c in values.columns_for(param, tool.name) if t == table), None)
            for column in catalog.table_columns[table]:
                if column in (key_column, stands_for, caller_column):
                    continue
                linked = [r for r in rows if r.get(column) is not None]
                if len(linked) < MIN_LINKED_ROWS or any(value_key(r[column]) not in people for r in linked):
                    continue  # not a reference to the caller's kind of record
                link = ActorLink(param, caller_table, caller_column, table, key_param, key_column, column,
                                 stands_for)
                if _succeeds(tool, link, linked, values, trial, rng):
                    return link
    return None


def _keyed_table(param: str, tool: ToolSpec, values: ValueSource, catalog: Catalog) -> tuple[str, str] | None:
    """(table, column) whose single primary key supplies `param`."""
    for table, column in values.columns_for(param, tool.name):
        if catalog.primary_keys.get(table) == (column,):
            return table, column
    return None


def _succeeds(tool: ToolSpec, link: ActorLink, rows: list[dict[str, Any]], values: ValueSource,
              trial: Callable[[str, dict[str, Any]], CallResult], rng: random.Random) -> bool:
    for row in rng.sample(rows, min(LINK_TRIES, len(rows))):
        choice = values.propose(tool, rng, context=link.context_of(row))
        arguments = {**choice.arguments, link.param: row[link.column], link.key_param: row[link.key_column]}
        if trial(tool.name, arguments).ok:
            return True
    return False
