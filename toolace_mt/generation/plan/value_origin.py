"""Whether a record an earlier output showed may supply a write's value without the user
saying it.

A write's value the assistant takes silently must be the record's own (the key of the
record itself, a field of the record the write acts on) or the user's (a field of their
own record: their preferred pharmacy). A reference a record of another kind holds (the
pharmacy of a fill the user cancelled, the account a transfer came from) is that
record's, not the user's wish for this write: the user says the value, or a look-up
shows it, and the assistant never carries it over."""

from __future__ import annotations

from typing import Any

from sandbox import ToolSpec
from toolace_mt.generation.plan.catalog import Catalog, walk
from toolace_mt.generation.plan.id_names import name_words, snake
from toolace_mt.generation.plan.state_rows import StateRows
from toolace_mt.generation.plan.value_keys import is_id, known_values, value_key


def record_table(catalog: Catalog, record: dict[str, Any]) -> str | None:
    """The table a record of an output is a row of: the one whose whole key it holds and
    whose columns it shares most; None when no table's key is in it (a nested line)."""
    fields = set(record)
    best, overlap = None, 0
    for table, key in sorted(catalog.primary_keys.items()):
        if not key or not set(key) <= fields:
            continue
        shared = len(fields & set(catalog.table_columns[table]))
        if shared > overlap:
            best, overlap = table, shared
    return best


def may_supply(catalog: Catalog, user_table: str | None, record: dict[str, Any] | None, field: str,
               arguments: dict[str, Any], param: str | None = None) -> bool:
    """Whether `field` of `record` may supply a write's value (for `param`): it is the
    record's own key, the record is the user's and the field is that very value (their
    home library is not where they pick a hold up: `library_id` is no `pickup_library_id`),
    or the record is the one the write acts on (another of the write's arguments is its
    key). A record of no known table (a nested line of a record) is not judged here."""
    if record is None:
        return True
    table = record_table(catalog, record)
    if table is None:
        return True
    if table == user_table:
        return param is None or snake(field) == snake(param)
    key = catalog.primary_keys[table]
    if field in key:
        return True
    return any(record.get(column) is not None and any(
        value_key(value) == value_key(record[column]) and known_values(param, {column: [value]})
        for param, value in arguments.items()) for column in key)


def own_part(catalog: Catalog, user_table: str | None, output: Any, param: str,
             arguments: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields of `output` that may supply `param` of a write with these arguments
    (see may_supply), each as a one-field record: what an earlier output offers the write."""
    return [{name: value} for name, value, record in walk(output)
            if isinstance(value, str | int | float) and not isinstance(value, bool)
            and known_values(param, {name: [value]})
            and may_supply(catalog, user_table, record, name, arguments, param)]


def unknowable(source: StateRows, tool: ToolSpec, param: str) -> bool:
    """Whether the user cannot know the id `param` takes by heart: in an env of users, the
    key of a catalogue's record (a title's biblio id, a pharmacy's id) that belongs to no
    user. Their own records' ids (a fill, a card) they may have on a slip; a catalogue's
    they name ("the Walter Pharmacy"), and a look-up that lists it shows its id."""
    if source.catalog is None or source.user_key is None or not (is_id(param) or param in source.key_columns):
        return False
    for table, column in source.columns_for(param, tool.name):
        if source.catalog.primary_keys.get(table) == (column,):
            return not source.belongs_to_users(table)
    return False


def _name_column(record: dict[str, Any]) -> str | None:
    """The field a record is named by (see call_plan._record_name): a `name` or a `title`."""
    return next((k for k in record if (name_words(k)[-1:] == ["name"] or name_words(k) == ["title"])
                 and isinstance(record[k], str)), None)


def names_it(source: StateRows, tool: ToolSpec, output: Any, param: str, value: Any) -> bool:
    """Whether the names an output gives the records holding `value` name what `param` is:
    the record's own key (a title's biblio id), or a record of a table with that name's
    column. A hold's title does not name the library the hold is picked up at: "the
    pickup library is the <book title>" says another thing."""
    if source.catalog is None:
        return True
    wanted = {value_key(v) for v in (value if isinstance(value, list) else [value])}
    tables = [t for t, c in source.columns_for(param, tool.name) if source.catalog.primary_keys.get(t) == (c,)]
    if not tables:
        return True  # no table keys it (an order's items kept inside the order): not judged here
    for name, found, record in walk(output):
        if record is None or value_key(found) not in wanted or not known_values(param, {name: [found]}):
            continue
        column = _name_column(record)
        if column is None:
            continue
        own = record_table(source.catalog, record)
        if own is not None and name in source.catalog.primary_keys[own]:
            continue  # the record's own key: its name is its own
        if not any(column in source.catalog.table_columns[t] for t in tables):
            return False
    return True
