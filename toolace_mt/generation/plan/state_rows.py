"""The env's rows as proposals draw on them: every table read once at the initial state,
indexed by column, and which rows belong to the dialogue's user (directly, or through id
references: a card's `account_id` -> the account's `customer_id`) or can be acted on by a
write tool (learned by screening)."""

from __future__ import annotations

import random
from typing import Any

from sandbox import Environment, ToolSpec
from toolace_mt.generation.plan.actor_links import ActorLink
from toolace_mt.generation.plan.catalog import Catalog
from toolace_mt.generation.plan.id_names import is_single_id, name_words, names_a, qualified, singular, snake
from toolace_mt.generation.plan.item_links import ItemLink
from toolace_mt.generation.plan.value_keys import is_id, value_key

MAX_ROWS = 5000
MAX_OWNED = 4096  # cached (table, user, tool) row sets
_TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "sir", "dame", "rev"})


class RowIndex:
    """The rows of one table, with lookups by column value built on first use (a proposal
    filters rows by the ids it already uses, many times per dialogue)."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self._by: dict[str, dict[str, list[dict[str, Any]]]] = {}

    def _column(self, column: str) -> dict[str, list[dict[str, Any]]]:
        index = self._by.get(column)
        if index is None:
            index = {}
            for row in self.rows:
                index.setdefault(value_key(row.get(column)), []).append(row)
            self._by[column] = index
        return index

    def matching(self, wanted: dict[str, Any]) -> list[dict[str, Any]]:
        """Rows equal to `wanted` on every column it names, in table order."""
        if not wanted:
            return self.rows
        buckets = [self._column(c).get(value_key(v), []) for c, v in wanted.items()]
        smallest = min(buckets, key=len)
        if len(buckets) == 1 or not smallest:
            return smallest
        return [r for r in smallest if all(r.get(c) == v for c, v in wanted.items())]

class StateRows:
    """The initial state's rows of one env, and the subsets a proposal may draw from."""

    def __init__(self, env: Environment, catalog: Catalog | None) -> None:
        self.env = env
        self.catalog = catalog
        self._rows: dict[str, RowIndex] = {}
        self.user_key = env.user_key  # the USER_TABLE's key column (see _related_rows)
        self._paths: dict[str, list[tuple[str, str]] | None] = {}  # table -> its way to a user
        self._owned_rows: dict[tuple[str, str, str | None], RowIndex] = {}  # (table, user, tool) -> their rows
        # Rows a write tool can act on (tool, table) -> rows, learned once from the initial
        # state (see screening.screen): proposals for the tool draw from these.
        self.allowed: dict[tuple[str, str], RowIndex] = {}
        # (tool, table) -> how the tool's caller is tied to that table's rows when not by
        # name (a report's approver: see actor_links), learned at start-up.
        self.links: dict[tuple[str, str], ActorLink] = {}
        # (tool, list parameter) -> the rows its items are keys of (see item_links).
        self.item_links: dict[tuple[str, str], ItemLink] = {}
        self._identity: frozenset[str] | None = None

    @property
    def key_columns(self) -> set[str]:
        """Columns that are a table's whole primary key (`username`, `symbol`, `order_id`)."""
        assert self.catalog is not None
        return {key[0] for key in self.catalog.primary_keys.values() if len(key) == 1}

    # -- state ----------------------------------------------------------------
    def columns_for(self, param: str, tool: str | None = None) -> list[tuple[str, str]]:
        """(table, column) that can supply `param` (of `tool`: a bare `ID` is the id of what
        the tool's name names), primary-key tables first."""
        assert self.catalog is not None
        if tool is not None and snake(param) in ("id", "ids"):
            # the table the tool's name names, keyed by a bare id (get_project(ID) -> projects.ID)
            nouns = {singular(w) for w in name_words(tool)}
            own = [(table, key[0]) for table, key in sorted(self.catalog.primary_keys.items())
                   if len(key) == 1 and snake(key[0]) == "id" and singular(snake(table)) in nouns]
            if own:
                return own
            for name in qualified(param, tool)[1:]:
                found = self.columns_for(name)
                if found:
                    return found
        names = [param]
        wanted = snake(param)
        if param.endswith("s") and not param.endswith("ss"):
            names.append(param[:-1])
        # the same name in another case (cityA -> city_a, noteId -> note_id, taskID -> taskId)
        names += [c for c in self.catalog.columns if c not in names and snake(c) in (
            wanted, wanted[:-1] if wanted.endswith("s") and not wanted.endswith("ss") else wanted)]
        if wanted.endswith("_code"):
            names += [c for c in self.catalog.columns if snake(c) == wanted[: -len("_code")]]
        names += [c for c in self.catalog.columns if is_single_id(c) and snake(c) != "id" and names_a(param, c)]
        found = []
        for name in names:
            for table, _ in sorted(self.catalog.tables_with(name), key=lambda t: not t[1]):
                found.append((table, name))
        return found

    def preload(self) -> None:
        """Read every table now. Call at the initial state: rows read later, after some
        dialogue's writes, would make proposals depend on what ran before."""
        assert self.catalog is not None
        for table, keys in self.catalog.primary_keys.items():
            order = ", ".join(f'"{k}"' for k in keys)
            self._rows[table] = RowIndex(
                self.env.query(f'SELECT * FROM "{table}" ORDER BY {order} LIMIT {MAX_ROWS}'))

    def table_rows(self, table: str) -> list[dict[str, Any]]:
        return self._rows[table].rows

    def identity_values(self) -> frozenset[str]:
        """Every value (as a key) of the USER_TABLE's rows: what users may say to be found
        (an email, a name, a zip code, their id)."""
        table = self.env.user_table
        if self._identity is None:
            rows = self._rows[table].rows if table is not None and table in self._rows else []
            self._identity = frozenset(value_key(v) for row in rows for v in row.values() if v is not None)
        return self._identity

    def first_name(self, user: Any) -> str:
        """The first name on the USER_TABLE row of `user` ("" when there is none): the name
        the user signs with."""
        table = self.env.user_table
        if table is None or table not in self._rows or self.user_key is None:
            return ""
        rows = self._rows[table].matching({self.user_key: user})
        row = rows[0] if rows else {}
        for column in ("first_name", "given_name", "name", "full_name"):
            value = row.get(column)
            words = [w for w in value.split() if w.rstrip(".").casefold() not in _TITLES] \
                if isinstance(value, str) else []
            if words:  # "Dr. Chloe Foster" signs "Chloe"
                return words[0]
        return ""

    def holds(self, param: str, value: Any) -> bool:
        """Whether some row of the initial state has `value` in a column that supplies `param`."""
        return any(self._rows[table].matching({column: value}) for table, column in self.columns_for(param))

    def rows(self, table: str, context: dict[str, Any], rng: random.Random, tool: str | None = None,
             related_only: bool = False) -> list[dict[str, Any]]:
        """Rows of `table`, those related to `context` when there are any (only those when
        `related_only`), among the rows `tool` can act on when that was learned.

        Rows come from the env's initial state, read once: every dialogue starts there,
        and a proposal built from a row that changed since is caught by its trial call."""
        rows, related = self._related_rows(table, context, tool)
        return rows if related or not related_only else []

    def _related_rows(self, table: str, context: dict[str, Any],
                      tool: str | None = None) -> tuple[list[dict[str, Any]], bool]:
        """(rows, whether they are tied to the context): those equal to the context on the
        columns they share, else to its latest ids only (the context lists older ones
        first, e.g. an earlier sub-task's before the row this proposal just chose), else
        all rows. A dialogue is one user's: when the context names the user (the env's
        USER_TABLE key), a table whose rows belong to users offers that user's rows only,
        or none (([], True): the related rows are none)."""
        assert self.catalog is not None
        index = self._acted_on(table, tool)
        user = context.get(self.user_key) if self.user_key is not None else None
        owned = self._owned(table, user, tool) if user is not None else None
        if owned is not None:
            index = owned
            if not index.rows:
                return [], True
        columns = set(self.catalog.table_columns[table])
        wanted = {c: v for c, v in context.items() if c in columns and v is not None}
        link = self.links.get((tool, table)) if tool is not None else None
        if link is not None:  # the caller is the rows' actor (their approver), not their owner
            if link.stands_for is not None:
                wanted.pop(link.stands_for, None)
            if context.get(link.caller_column) is not None:
                wanted[link.column] = context[link.caller_column]
        while wanted:
            related = index.matching(wanted)
            if related:
                return related, True
            del wanted[next(iter(wanted))]
        return index.rows, owned is not None

    def allow(self, tool: str, table: str, rows: RowIndex) -> None:
        """The rows of `table` `tool` can act on (screening): a user's rows for it found
        before (screening's own proposals) are found again among these."""
        self.allowed[(tool, table)] = rows
        for key in [k for k in self._owned_rows if k[2] == tool]:
            del self._owned_rows[key]

    def _acted_on(self, table: str, tool: str | None) -> RowIndex:
        """The rows of `table` `tool` can act on when that was learned (screening), else all."""
        return (self.allowed.get((tool, table)) if tool is not None else None) or self._rows[table]

    def is_user(self, value: Any) -> bool:
        """Whether `value` is the key of a user of the initial state (USER_TABLE's rows)."""
        table = self.env.user_table
        return table is not None and table in self._rows and bool(self._rows[table].matching({self.user_key: value}))

    def serves(self, tool: ToolSpec, user: Any) -> bool:
        """Whether `user` owns a row for each id `tool` requires (among the rows the tool
        was seen to act on, when learned): else proposals for them cannot succeed."""
        for param in tool.parameters.get("required", []):
            if is_id(param) or param in self.key_columns:  # a `report_code`, a `staff_number` too
                for table, _ in self.columns_for(param, tool.name)[:1]:
                    owned = self._owned(table, user, tool.name)
                    if owned is not None and not owned.rows:
                        return False
        return True

    def belongs_to_users(self, table: str) -> bool:
        """Whether the rows of `table` are users' (the users themselves, their cards, the
        groups they are in), not a catalogue every user shares (pharmacies, titles)."""
        return table == self.env.user_table or self._owner_path(table) is not None \
            or self._membership(table) is not None

    def _owner_path(self, table: str) -> list[tuple[str, str]] | None:
        """How a row of `table` leads to its user: [] when the table has the user column,
        else [(id column, table it points at), ...] towards one that has (`from_account_id`
        -> accounts -> customer_id); None when its rows belong to no user (products)."""
        assert self.catalog is not None
        if table not in self._paths:
            self._paths[table] = None  # a cycle of references ends here
            columns = self.catalog.table_columns[table]
            if self.user_key in columns:
                self._paths[table] = []
            else:
                keys = self.key_columns  # a reference not named as an id (a claim's `policy_number`)
                for column in columns:
                    if not (is_id(column) or column in keys) or (column,) == self.catalog.primary_keys.get(table):
                        continue
                    for parent, key in self.catalog.primary_keys.items():
                        if parent == table or len(key) != 1 or not (snake(column) == snake(key[0])
                                                                    or names_a(column, key[0])):
                            continue
                        above = self._owner_path(parent)
                        if above is not None:
                            self._paths[table] = [(column, parent), *above]
                            break
                    if self._paths[table] is not None:
                        break
        return self._paths[table]

    def _membership(self, table: str) -> tuple[str, str] | None:
        """(join table, `table`'s key column) when the user's rows of `table` are listed in a
        table keyed by both (memberships(group_code, username): a group is theirs when they
        are in it); None otherwise."""
        assert self.catalog is not None
        key = self.catalog.primary_keys.get(table, ())
        if self.user_key is None or len(key) != 1 or table == self.env.user_table:
            return None
        for other, columns in sorted(self.catalog.table_columns.items()):
            if other != table and set(self.catalog.primary_keys.get(other, ())) == {key[0], self.user_key} \
                    and set(columns) >= {key[0], self.user_key}:
                return other, key[0]
        return None

    def owner_of(self, table: str, row: dict[str, Any]) -> Any:
        """The user a row of `table` belongs to (a card's, through its account), or None
        when its rows belong to no user or the path breaks (a row pointing at nothing)."""
        path = self._owner_path(table)
        if path is None or self.user_key is None or self.catalog is None:
            return None
        for column, parent in path:
            if parent not in self._rows:
                return None
            above = self._rows[parent].matching({self.catalog.primary_keys[parent][0]: row.get(column)})
            if not above:
                return None
            row = above[0]
        return row.get(self.user_key)

    def _owned(self, table: str, user: Any, tool: str | None) -> RowIndex | None:
        """The rows of `table` (those `tool` can act on, when learned) that belong to `user`;
        None when its rows belong to no user."""
        path = self._owner_path(table)
        join = self._membership(table) if path is None else None
        if path is None and join is None:
            return None
        key = (table, value_key(user), tool)
        found = self._owned_rows.get(key)
        if found is None:
            index = self._acted_on(table, tool)
            link = self.links.get((tool, table)) if tool is not None else None
            if link is not None and link.caller_column == self.user_key:
                rows = index.matching({link.column: user})  # the reports awaiting them
            elif join is not None:  # the groups they are a member of
                column = join[1]
                theirs = {value_key(r.get(column)) for r in self._rows[join[0]].matching({self.user_key: user})}
                rows = [r for r in index.rows if value_key(r.get(column)) in theirs]
            elif not path:
                rows = index.matching({self.user_key: user})
            else:
                column, parent = path[0]
                parent_index = self._owned(parent, user, None)
                assert parent_index is not None and self.catalog is not None
                parent_key = self.catalog.primary_keys[parent][0]
                theirs = {value_key(r[parent_key]) for r in parent_index.rows}
                rows = [r for r in index.rows if value_key(r.get(column)) in theirs]
            if len(self._owned_rows) >= MAX_OWNED:
                self._owned_rows.clear()  # a cache: any entry can be made again
            found = self._owned_rows[key] = RowIndex(rows)
        return found
