"""What the record a setting write acts on holds now, so that the write changes it (never
set_thermostat(29.84) when it is 29.84), and values taken from rows that agree with each
other (a lodging line item's merchant is a hotel, not Uber)."""

from __future__ import annotations

import re
from typing import Any

from sandbox import ToolSpec
from toolace_mt.generation.plan.id_names import name_words
from toolace_mt.generation.plan.state_rows import StateRows
from toolace_mt.generation.plan.value_keys import Choice, is_id, value_key

# Verbs of a write that sets a record's values to new ones (set_thermostat, updateCard, turn_on).
_SETTING_VERBS = frozenset({"set", "update", "change", "modify", "edit", "adjust", "switch", "move", "assign",
                            "reassign", "rename", "replace", "toggle", "turn", "configure", "reschedule", "patch"})


def coherent(source: StateRows, table: str, column: str, rows: list[dict[str, Any]],
             choice: Choice) -> list[dict[str, Any]]:
    """The rows that agree with the values already chosen for other columns of `table`
    (a merchant of a lodging line item for category lodging, not Uber), when any do."""
    assert source.catalog is not None
    columns = set(source.catalog.table_columns[table])
    chosen = {p: v for p, v in choice.arguments.items() if p in columns and p != column and not is_id(p)
              and isinstance(v, str | int | float)}
    if not chosen:
        return rows
    agreeing = [r for r in rows if all(value_key(r.get(c)) == value_key(v) for c, v in chosen.items())]
    return agreeing or rows


def current_values(source: StateRows, tool: ToolSpec, param: str, choice: Choice) -> set[str]:
    """What the record a write acts on holds now for `param` (see current_value)."""
    if not tool.writes or source.catalog is None:
        return set()
    return {v for table, column in source.columns_for(param, tool.name)
            for v in current_value(source, tool, table, column, choice)}


def current_value(source: StateRows, tool: ToolSpec, table: str, column: str, choice: Choice) -> set[str]:
    """The values (as keys) the record a write acts on holds now for `column`, when this
    table holds that record: the row whose key the write already took, or the only row
    of a table of one row (set_thermostat: the home's one `state`). A setting
    write's new value is never one of them; a key or id column keeps its value."""
    words = name_words(tool.name)
    if not tool.writes or not words or words[0] not in _SETTING_VERBS:
        return set()  # a sign-in's password is the user's own, a create's value a new row's
    assert source.catalog is not None
    key = source.catalog.primary_keys.get(table, ())
    if is_id(column) or column in key:
        return set()
    rows = source.table_rows(table)
    if key and all(k in choice.context for k in key):
        acted = [r for r in rows if all(r.get(k) == choice.context[k] for k in key)]
    elif len(rows) == 1:  # a table of one row is the one record (a thermostat's `state`)
        acted = rows
    else:
        return set()
    return {value_key(r.get(column)) for r in acted if r.get(column) is not None}


# "The device's asset tag, for hardware problems": what follows says when the value applies.
_CONDITION = re.compile(r"\b(?:for|only|when|if)\b(?P<rest>.*)", re.I)


def off_condition(tool: ToolSpec, param: str, schema: dict[str, Any], arguments: dict[str, Any]) -> bool:
    """Whether an optional value's description ties it to a value another argument does not
    have: a device's asset tag "for hardware problems" on a network ticket, a monitor on a
    VPN problem. Such a value is left out (the user would not give it)."""
    found = _CONDITION.search(schema.get("description") or "")
    if found is None:
        return False
    words = set(re.findall(r"[a-z]+", found.group("rest").lower()))
    for other, spec in tool.parameters.get("properties", {}).items():
        if other == param or other not in arguments:
            continue
        named = [v for v in spec.get("enum", []) if isinstance(v, str) and name_words(v)
                 and set(name_words(v)) <= words]
        if named and value_key(arguments[other]) not in {value_key(v) for v in named}:
            return True
    return False
