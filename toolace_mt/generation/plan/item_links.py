"""Item links: a list parameter whose items must be keys of rows tied to the record the
call acts on. `add_expense(group_code, split_with: list[str])` succeeds only when every
username in `split_with` is a member of the group (a row of a membership table with the
call's `group_code`); no column is named like `split_with`, so its items were random
words, and the tool's error named them ("not members of GRP-27: order, story").

Learned by trials, never by names: only for a list-of-strings parameter with no column of
its name whose plain proposals fail with errors that name its items. Each column holding
keys (a table's key, or a reference to one) is tried as the items' source, the items drawn
from the rows that agree with the call's other arguments (the group's memberships), with
1, 2, then 3 items; the column whose trials succeed most is the link."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox import CallResult, ToolSpec
from toolace_mt.generation.plan.catalog import Catalog, param_kind
from toolace_mt.generation.plan.value_keys import value_key

if TYPE_CHECKING:  # values imports state_rows, which keeps the links
    from toolace_mt.generation.plan.values import ValueSource

PLAIN_TRIES = 4  # plain proposals whose errors must name the items
LINK_TRIES = 3  # trials per candidate column and item count
MOST_ITEMS = 3  # item counts tried: 1..MOST_ITEMS


@dataclass(frozen=True)
class ItemLink:
    """The items come from `column` of the `table` rows that agree with the call's other
    arguments; at least `least` of them (fewer failed every trial)."""

    table: str
    column: str
    least: int

    def items(self, rows: list[dict[str, Any]], arguments: dict[str, Any], rng: random.Random,
              param: str) -> list[Any]:
        """Distinct values of `column` from the rows tied to `arguments`, `least` or one more."""
        pool = candidates(self, rows, arguments, param)
        if not pool:
            return []
        count = min(len(pool), rng.randint(self.least, self.least + 1))
        return sorted(rng.sample(pool, count), key=value_key)


def candidates(link: ItemLink, rows: list[dict[str, Any]], arguments: dict[str, Any], param: str) -> list[Any]:
    """The distinct values of the link's column on the rows equal to `arguments` on every
    column they share (the column itself and `param` aside), none of them another argument's
    value: the caller is not one of the items they name (a user who says their own
    username among them has said who they are, and the look-up that found it is idle)."""
    tied = {c: value_key(v) for c, v in arguments.items()
            if c not in (link.column, param) and rows and c in rows[0] and v is not None}
    given = {value_key(v) for c, v in arguments.items() if c != param and not isinstance(v, list | dict)}
    found: dict[str, Any] = {}
    for row in rows:
        value = row.get(link.column)
        if value is not None and value_key(value) not in given \
                and all(value_key(row.get(c)) == v for c, v in tied.items()):
            found.setdefault(value_key(value), value)
    return [found[k] for k in sorted(found)]


def find_item_links(tool: ToolSpec, values: ValueSource, catalog: Catalog,
                    trial: Callable[[str, dict[str, Any]], CallResult],
                    rng: random.Random) -> dict[str, ItemLink]:
    """param -> its link, for the list parameters of `tool` that need one (see module doc)."""
    found: dict[str, ItemLink] = {}
    for param, schema in tool.parameters.get("properties", {}).items():
        if not _unsourced_list(tool, param, schema, values):
            continue
        if not _errors_name_items(tool, param, values, trial, rng):
            continue
        best: tuple[int, int, int] | None = None
        for table, column in _key_columns(values, catalog):
            link = _tried(tool, param, table, column, values, trial, rng)
            if link is None:
                continue
            distinct = len({value_key(r.get(column)) for r in values.table_rows(table)})
            score = (link[1], -link[0].least, distinct)
            if best is None or score > best:
                best, found[param] = score, link[0]
    return found


def _unsourced_list(tool: ToolSpec, param: str, schema: Any, values: ValueSource) -> bool:
    if not isinstance(schema, dict) or param_kind(schema) != "array":
        return False
    items = schema.get("items")
    if not isinstance(items, dict) or param_kind(items) != "string" or items.get("enum"):
        return False
    return not values.columns_for(param, tool.name)


def _errors_name_items(tool: ToolSpec, param: str, values: ValueSource,
                       trial: Callable[[str, dict[str, Any]], CallResult], rng: random.Random) -> bool:
    named = False
    for _ in range(PLAIN_TRIES):
        arguments = dict(values.propose(tool, rng, optional_rate=1.0).arguments)
        items = arguments.get(param)
        if not isinstance(items, list) or not items:
            continue
        # two items at least: a list refused for its length first would not name them
        more = values.propose(tool, rng, optional_rate=1.0).arguments.get(param)
        items = arguments[param] = list(dict.fromkeys([*items, *(more if isinstance(more, list) else [])]))
        result = trial(tool.name, arguments)
        if result.ok:
            return False  # its plain items do: nothing to learn
        message = result.error.message if result.error is not None else ""
        named = named or any(str(item) in message for item in items)
    return named


def _key_columns(values: ValueSource, catalog: Catalog) -> list[tuple[str, str]]:
    """(table, column) of every column holding keys: a table's single key, or a column
    whose every value is one (a reference)."""
    keys: set[str] = set()
    for table, key in catalog.primary_keys.items():
        if len(key) == 1:
            keys |= {value_key(r.get(key[0])) for r in values.table_rows(table)}
    found = []
    for table in sorted(catalog.table_columns):
        rows = values.table_rows(table)
        if not rows:
            continue
        for column in catalog.table_columns[table]:
            held = {value_key(r.get(column)) for r in rows if r.get(column) is not None}
            if held and (catalog.primary_keys.get(table) == (column,) or held <= keys):
                found.append((table, column))
    return found


def _tried(tool: ToolSpec, param: str, table: str, column: str, values: ValueSource,
           trial: Callable[[str, dict[str, Any]], CallResult],
           rng: random.Random) -> tuple[ItemLink, int] | None:
    """The link through `column` with the fewest items that succeeded, and how many of its
    trials did; None when none did."""
    rows = values.table_rows(table)
    for least in range(1, MOST_ITEMS + 1):
        link = ItemLink(table, column, least)
        wins = 0
        for _ in range(LINK_TRIES):
            arguments = dict(values.propose(tool, rng, optional_rate=0.0).arguments)
            pool = candidates(link, rows, arguments, param)
            if len(pool) < least:
                continue
            arguments[param] = sorted(rng.sample(pool, least), key=value_key)
            wins += trial(tool.name, arguments).ok
        if wins:
            return link, wins
    return None
