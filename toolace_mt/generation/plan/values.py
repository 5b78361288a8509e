"""Argument values for a planned call, from the env's real state.

In order of preference, a parameter's value comes from: an earlier tool output (a field
of the same name); a row of the state (a column of the same name, or `from_account_id`
-> `account_id`), constrained to rows related to what the call already uses (same
`customer_id`, ...); the schema (an enum value); Faker, by parameter name, for new
values of write tools (a street, a name); a short phrase of what a free-text parameter is
for (a memo, a reason, a subject: see `free_text`); or a typed default (dates near the
env's clock, small amounts). Proposals are only proposals: the planner executes them
and keeps the ones that really succeed.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from dataclasses import dataclass, field
from typing import Any

from faker import Faker

from sandbox import Environment, ToolSpec
from toolace_mt.generation.language.tool_language import described_columns, described_number, described_range
from toolace_mt.generation.plan.catalog import Catalog, param_kind

MAX_ROWS = 5000
MAX_OWNED = 4096  # cached (table, user, tool) row sets
_FAKE_BY_NAME = {
    "email": "email", "first_name": "first_name", "last_name": "last_name", "name": "name", "full_name": "name",
    "phone": "phone_number", "street": "street_address", "city": "city", "state": "state_abbr", "zip": "zipcode",
    "zip_code": "zipcode", "company": "company", "location": "city", "nickname": "first_name",
    "address1": "street_address", "address2": "secondary_address", "country": "current_country",
    "user_name": "first_name",
}
_TIED = ("known", "related", "enum", "bool")  # sources a bound proposal accepts (see ValueSource.propose)
_TIED_OPTIONAL = ("known", "related")  # an optional filter set at random could leave the entity out


_TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "sir", "dame", "rev"})


def known_values(param: str, known: dict[str, list[Any]]) -> list[Any]:
    """Values earlier outputs gave for `param`: a field of its name, its singular, or the
    name it ends with (`new_item_ids` <- `item_id`)."""
    singular = param[:-1] if param.endswith("s") and not param.endswith("ss") else param
    found = known.get(param) or known.get(param + "s") or known.get(singular)
    if found:
        return found
    for key in sorted(known):
        if param.endswith(("_" + key, "_" + key + "s")):
            return known[key]
    return []


def value_key(value: Any) -> str:
    """A value as a hashable key (equal JSON, equal key)."""
    return json.dumps(value, sort_keys=True, default=str)


def is_id(param: str) -> bool:
    return param.endswith(("_id", "_ids")) or param in ("id", "code")


@dataclass
class Choice:
    """What a proposal used: values for the call and the rows they came from."""

    arguments: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)  # id-like columns of the rows used
    # Where each value came from: "known" (an earlier output), "row" / "related" (a row of
    # the state; related: tied to the context), "enum", "bool", "fresh" (Faker, for a new
    # value a write sets), "made" (a date, a query word, an expression) or "fallback" (a
    # word or number no source gave: the call can only fail on it unless a tool's output
    # supplies the value).
    sources: dict[str, str] = field(default_factory=dict)
    bound: bool = True  # every value needed could be tied to the context (see ValueSource.propose)


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


class ValueSource:
    """Proposes arguments for one env; deterministic given the rng it is handed."""

    def __init__(self, env: Environment, catalog: Catalog | None, fake: Faker) -> None:
        self.env = env
        self.catalog = catalog
        self.fake = fake
        self.now = env.now
        self._rows: dict[str, RowIndex] = {}
        self.user_key = env.user_key  # the USER_TABLE's key column (see _related_rows)
        self._paths: dict[str, list[tuple[str, str]] | None] = {}  # table -> its way to a user
        self._owned_rows: dict[tuple[str, str, str | None], RowIndex] = {}  # (table, user, tool) -> their rows
        # Rows a write tool can act on (tool, table) -> rows, learned once from the initial
        # state (see screening.screen): proposals for the tool draw from these.
        self.allowed: dict[tuple[str, str], RowIndex] = {}
        self._identity: frozenset[str] | None = None

    @property
    def key_columns(self) -> set[str]:
        """Columns that are a table's whole primary key (`username`, `symbol`, `order_id`)."""
        assert self.catalog is not None
        return {key[0] for key in self.catalog.primary_keys.values() if len(key) == 1}

    # -- state ----------------------------------------------------------------
    def columns_for(self, param: str) -> list[tuple[str, str]]:
        """(table, column) that can supply `param`, primary-key tables first."""
        assert self.catalog is not None
        names = [param]
        snake = re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), param)
        if snake != param:  # cityA -> city_a
            names.append(snake)
        if param.endswith("s") and not param.endswith("ss"):
            names.append(param[:-1])
        for suffix in ("_code",):
            if param.endswith(suffix):
                names.append(param[: -len(suffix)])
        names += [c for c in self.catalog.columns if param.endswith("_" + c) and c.endswith("_id")]
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
        while wanted:
            related = index.matching(wanted)
            if related:
                return related, True
            del wanted[next(iter(wanted))]
        return index.rows, owned is not None

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
            if is_id(param):
                for table, _ in self.columns_for(param)[:1]:
                    owned = self._owned(table, user, tool.name)
                    if owned is not None and not owned.rows:
                        return False
        return True

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
                for column in columns:
                    if not is_id(column) or (column,) == self.catalog.primary_keys.get(table):
                        continue
                    for parent, key in self.catalog.primary_keys.items():
                        if parent == table or len(key) != 1 or not (column == key[0]
                                                                    or column.endswith("_" + key[0])):
                            continue
                        above = self._owner_path(parent)
                        if above is not None:
                            self._paths[table] = [(column, parent), *above]
                            break
                    if self._paths[table] is not None:
                        break
        return self._paths[table]

    def _owned(self, table: str, user: Any, tool: str | None) -> RowIndex | None:
        """The rows of `table` (those `tool` can act on, when learned) that belong to `user`;
        None when its rows belong to no user."""
        path = self._owner_path(table)
        if path is None:
            return None
        key = (table, value_key(user), tool)
        found = self._owned_rows.get(key)
        if found is None:
            index = self._acted_on(table, tool)
            if not path:
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

    # -- proposals ------------------------------------------------------------
    def propose(self, tool: ToolSpec, rng: random.Random, known: dict[str, list[Any]] | None = None,
                context: dict[str, Any] | None = None, optional_rate: float = 0.35, bound: bool = False) -> Choice:
        """Arguments for `tool`. With `bound`, every value must be tied to `context` or
        `known` (an earlier output, a row related to the context, an enum): a read called
        this way is about the context's own entity, so its output holds that entity's
        values by construction. A required value that cannot be tied leaves
        `choice.bound` False; an optional one is left out."""
        known = known or {}
        choice = Choice(context=dict(context or {}))
        properties = tool.parameters.get("properties", {})
        required = set(tool.parameters.get("required", []))
        for param, schema in properties.items():
            if param not in required and not bound and rng.random() >= optional_rate:
                continue
            value = self.value(tool, param, schema, rng, known, choice, bound)
            if bound and choice.sources.get(param) not in (_TIED if param in required else _TIED_OPTIONAL):
                if param in required:
                    choice.bound = False
                continue
            if value is not None:
                choice.arguments[param] = value
            elif param in required:
                choice.bound = False
        return choice

    def value(self, tool: ToolSpec, param: str, schema: dict[str, Any], rng: random.Random,
              known: dict[str, list[Any]], choice: Choice, bound: bool = False) -> Any:
        sources = choice.sources
        kind = param_kind(schema)
        enum = [v for v in schema.get("enum", []) if v is not None]
        if enum:
            sources[param] = "enum"
            return rng.choice(enum)
        if kind == "boolean":
            sources[param] = "bool"
            return rng.random() < 0.5
        if kind == "array":
            return self._array(tool, param, schema, rng, known, choice, bound)
        if kind == "object":
            made = self._object(tool, schema, rng, known, choice)
            sources[param] = "made"
            return made
        from_outputs = known_values(param, known)
        if from_outputs and (bound or rng.random() < 0.85):
            sources[param] = "known"
            return rng.choice(from_outputs)
        sources[param] = "made"
        text_hint = (schema.get("description") or "")
        if kind == "string" and "YYYY-MM-DDTHH:MM" in text_hint:
            return self._datetime(param, rng, choice)
        if kind == "string" and ("YYYY-MM-DD" in text_hint or param.endswith("date") or param.startswith("date")):
            return self._date(param, text_hint, rng, choice)
        if kind == "string" and param == "query":
            word = self._query_word(tool, rng, choice.context if bound else None)
            if bound and word:
                sources[param] = "related"
            return word
        if kind == "string" and param == "expression":
            # Three operands: the assistant writes the expression from numbers the user said
            # in words ("add up 336.57, 6 and 12"), never taking it from them verbatim.
            return f"{round(rng.uniform(5, 500), 2)} + {rng.randint(2, 60)} + {round(rng.uniform(1, 90), 2)}"
        fresh = tool.writes and not is_id(param)
        if fresh and kind == "string":
            made = self._fake(param, rng)
            described = text_kind(" ".join(re.findall(r"[a-z]+", text_hint.lower())[:4]))
            if made is None and text_kind(param) is None and described is not None:
                made = free_text(described, rng, self.fake)  # "resolution: Resolution details for ..."
            if made is not None:
                sources[param] = "fresh"
                return made
        if self.catalog is not None and kind in ("string", "integer", "number"):
            # A parameter no column is named like may be described as one ("user: User name of the user").
            named = self.columns_for(param) or ([
                found for column in described_columns(text_hint, list(self.catalog.columns), self.key_columns)
                for found in self.columns_for(column)] if kind == "string" else [])
            for table, column in named:
                rows, related = self._related_rows(table, choice.context, tool.name)
                if related and not rows:
                    break  # the dialogue's user has none: another table must not supply someone else's
                rows = [r for r in rows if r.get(column) is not None] if related or not bound else []
                if rows:
                    row = rng.choice(rows)
                    sources[param] = "related" if related else "row"
                    key = self.catalog.primary_keys.get(table, ())
                    for c, v in row.items():  # the row's ids become the context's latest (see _related_rows)
                        if is_id(c) or c == "email" or c in key:  # a key like `username`: its password is its row's
                            choice.context.pop(c, None)
                            choice.context[c] = v
                    value = row[column]
                    return value if kind != "string" else str(value)
        if kind == "string" and text_kind(param) is not None:
            sources[param] = "fresh"  # the user's own words (a read's summary, a thought): no column has them
            return self._fake(param, rng)
        if kind in ("integer", "number"):  # "between 0 and 1", "from 1 to 5": a guess out of range would fail
            # the parameter's description, else the tool's ("The fuel tank can hold up to 50 gallons.")
            ranged = described_number(text_hint if described_range(text_hint) else tool.description,
                                      kind == "integer", rng, (1, 3) if kind == "integer" else (5, 250))
            if ranged is not None:
                return ranged
        sources[param] = "fallback"  # a guess (a read's zip code from Faker is not the user's)
        if kind == "string":
            return self._fake(param, rng) or self.fake.word()
        if kind == "number":
            return round(rng.uniform(5, 250), 2)
        if kind == "integer":
            return rng.randint(1, 3)
        return None

    def _array(self, tool: ToolSpec, param: str, schema: dict[str, Any], rng: random.Random,
               known: dict[str, list[Any]], choice: Choice, bound: bool = False) -> list[Any] | None:
        items = schema.get("items", {})
        count = 1 if rng.random() < 0.7 else 2
        values = []
        for _ in range(count):
            value = self.value(tool, param, items, rng, known, choice, bound)
            if value is not None and value not in values:
                values.append(value)
        return values or None

    def _object(self, tool: ToolSpec, schema: dict[str, Any], rng: random.Random, known: dict[str, list[Any]],
                choice: Choice) -> dict[str, Any]:
        out = {}
        for param, sub in schema.get("properties", {}).items():
            if param in schema.get("required", []) or rng.random() < 0.3:
                out[param] = self.value(tool, param, sub, rng, known, choice)
        if not out and schema.get("properties"):  # all optional ("updates"): an empty one changes nothing
            param = rng.choice(sorted(schema["properties"]))
            out[param] = self.value(tool, param, schema["properties"][param], rng, known, choice)
        return out

    def _fake(self, param: str, rng: random.Random) -> str | None:
        self.fake.seed_instance(rng.randrange(2**31))
        if param in _FAKE_BY_NAME:
            return str(getattr(self.fake, _FAKE_BY_NAME[param])())
        if param in ("account_number",):
            return "".join(str(rng.randrange(10)) for _ in range(10))
        if param == "bank_name":
            return f"{self.fake.last_name()} Bank"
        if text_kind(param) is not None:
            return free_text(param, rng, self.fake)
        return None

    def _date(self, param: str, hint: str, rng: random.Random, choice: Choice) -> str:
        if "birth" in param:
            self.fake.seed_instance(rng.randrange(2**31))
            return self.fake.date_of_birth(minimum_age=18, maximum_age=80).isoformat()
        start = choice.arguments.get("start_date")
        if param.startswith("end") and isinstance(start, str):
            return (dt.date.fromisoformat(start) + dt.timedelta(days=rng.randint(0, 6))).isoformat()
        return (self.now.date() + dt.timedelta(days=rng.randint(1, 20))).isoformat()

    def _datetime(self, param: str, rng: random.Random, choice: Choice) -> str:
        start = choice.arguments.get("start")
        if param.startswith("end") and isinstance(start, str):
            return (dt.datetime.fromisoformat(start) + dt.timedelta(minutes=rng.choice([30, 60, 90]))).strftime(
                "%Y-%m-%dT%H:%M")
        day = self.now.date() + dt.timedelta(days=rng.randint(1, 30))
        return f"{day.isoformat()}T{rng.randint(8, 17):02d}:{rng.choice(['00', '30'])}"

    def _query_word(self, tool: ToolSpec, rng: random.Random, context: dict[str, Any] | None = None) -> str:
        """A word from the names in the table the search tool is about (search_products -> products);
        with a context, from the names of the rows related to it only (or none)."""
        if self.catalog is None:
            return ""
        for table in self.catalog.table_columns:
            if table.rstrip("s") in tool.name:
                text_columns = [c for c in ("name", "title", "subject", "company") if c in
                                self.catalog.table_columns[table]]
                if not text_columns:
                    continue
                rows = self.rows(table, context or {}, rng, related_only=context is not None)
                words = [w for r in rows[:50] for w in re.findall(r"[A-Za-z]{4,}", str(r[text_columns[0]]))]
                if words:
                    return rng.choice(words).lower()
        return ""


# -- free text ----------------------------------------------------------------------------
# A free-text parameter (no column, no enum: a memo, a reason, a subject) gets a short
# phrase of what it is for, from small per-kind frames filled with the lists below and
# Faker's names and cities. The user states it verbatim, so a phrase holds no digit and no
# number word (user text is evidence: a stray "two" would ground a 2), no comma (a value
# with one is said as a record), and has 3+ words (a clarification hides a value by
# checking that no other text holds it: "hope" as a whole value was found elsewhere).
_TEXT_KINDS = {"memo": "memo", "note": "memo", "notes": "memo", "comment": "memo", "remark": "memo",
               "purpose": "memo", "reason": "reason", "summary": "summary", "thought": "thought",
               "title": "title", "subject": "subject", "body": "body", "message": "body", "text": "body",
               "content": "body", "description": "description", "details": "description",
               "instructions": "description"}
_ITEMS = ["rent", "groceries", "the electricity bill", "the water bill", "the dinner bill", "concert tickets",
          "the car repair", "a birthday present", "holiday savings", "the phone bill", "the gym membership",
          "school supplies", "the internet bill", "petrol money", "the babysitter", "the cleaner", "a wedding gift",
          "the weekend away", "book club snacks", "garden supplies", "the vet bill", "theatre tickets",
          "the moving van", "the flat deposit", "the takeaway", "festival tickets", "the plumber",
          "new furniture", "the ski trip", "the family holiday", "the football kit", "piano lessons",
          "the dentist", "camping gear", "the wine club", "the taxi home", "the cinema trip", "swimming lessons"]
_PRODUCTS = ["blender", "laptop", "backpack", "coffee maker", "desk lamp", "water bottle", "jacket", "bookshelf",
             "smart watch", "office chair", "air purifier", "vacuum cleaner", "tablet", "camera", "skateboard",
             "yoga mat", "electric kettle", "wall clock", "sleeping bag", "bicycle helmet", "keyboard", "pet bed",
             "hiking backpack", "espresso machine", "garden hose", "desk fan"]
_MEETINGS = ["budget review", "team lunch", "planning session", "catch-up", "coffee chat", "design review",
             "book club", "dinner", "strategy meeting", "training session", "client call", "workshop",
             "brainstorm", "weekly sync", "walkthrough", "status update", "retrospective",
             "onboarding session", "drinks", "breakfast meeting", "site visit", "demo", "interview", "project review"]
_TOPICS = ["website redesign", "spring launch", "office move", "new hire onboarding", "holiday rota",
           "marketing plan", "summer party", "supplier contract", "annual report", "product roadmap",
           "customer survey", "fundraising drive", "garden project", "charity run", "kitchen renovation",
           "conference trip", "training plan", "team offsite", "monthly newsletter", "volunteer day", "pricing update",
           "hiring plan", "client workshop", "photo shoot", "open day", "podcast episode"]
_OCCASIONS = ["birthday", "wedding", "graduation", "anniversary", "housewarming", "retirement party",
              "baby shower", "farewell", "reunion", "engagement party", "leaving drinks", "garden party"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Tuesday morning",
         "Monday morning", "Friday afternoon", "Wednesday lunchtime", "Thursday evening"]
_MONTHS = ["January", "February", "March", "April", "June", "July", "August", "September", "October",
           "November", "December"]  # not "May": a month that is also a word
_TEXT_FRAMES: dict[str, list[str]] = {
    "memo": ["{item} for {name}", "{name}'s share of {item}", "{item} split with {name}",
             "paying back {name} for {item}", "{item} for {month}", "my half of {item}", "{item} in {city}",
             "savings for {name}'s {occasion}", "{item} and {item2}", "money for {item}", "{item} from {day}",
             "towards {item} for {name}", "{item} as agreed with {name}", "gift for {name}'s {occasion}",
             "{last} family {occasion} fund", "covering {item} for {name}"],
    "reason": ["{name} is off sick this week", "the venue is no longer available", "{name} cannot make it on {day}",
               "it clashes with the {meeting}", "the {topic} was put on hold", "not enough people can attend",
               "the client asked to postpone", "the room booking fell through", "my travel plans changed",
               "{name} is away in {city}", "bad weather in {city}", "we are moving it to {month}",
               "{name} has to be in {city} that day", "the {topic} slipped again",
               "we covered everything at the {meeting}", "{name} asked to push it back",
               "I am travelling to {city} for the {topic}", "the {meeting} ran over"],
    "summary": ["the {product} I received is damaged", "a refund for my {product} never arrived",
                "I was charged twice for a {product}", "my gift card balance looks wrong",
                "my parcel went to {city} instead of my home", "the wrong {product} was delivered",
                "the return label for my {product} never came", "my {product} stopped working after a week",
                "I need to change an order that already shipped", "the discount was not applied to my {product}",
                "delivery of my {product} is very late", "I want to dispute a charge on my card",
                "my {product} arrived without its charger", "I cannot update the address on my account",
                "the {product} I exchanged came back in the wrong colour",
                "my order for a {product} shows as delivered but never came",
                "I want to complain about a rude courier in {city}", "a payment for my {product} was declined"],
    "thought": ["{lead} check whether the order is still pending", "{lead} confirm the delivery address first",
                "{lead} compare the {product} variants by price", "{lead} look for a cheaper {product}",
                "{lead} check the gift card balance before paying", "{lead} ask which {product} colour they like",
                "{lead} see if the refund has gone through", "{lead} verify the email on the account",
                "{lead} review the order history for {name}", "{lead} check stock of the {product}",
                "{lead} keep the old address on file", "{lead} ask whether the {product} is a gift for {name}",
                "{lead} look at the payment methods on file", "{lead} compare the {product} and the {product2}"],
    "title": ["{Meeting} with {name}", "{Meeting} about the {topic}", "{Meeting} in {city}",
              "{Topic} {meeting}", "Planning {name}'s {occasion}", "{name} and {name2} {meeting}",
              "{Meeting} for the {topic}", "{Meeting} before {name}'s {occasion}", "{Topic} kickoff with {name}",
              "{Meeting} at the {city} office", "{Topic} review with {last}"],
    "subject": ["{Opener} the {topic}", "{name}'s {occasion} plans", "Our {meeting} on {day}",
                "{Opener} our {meeting}", "Dinner in {city} next week", "{Opener} {name}'s {occasion}",
                "Catching up after the {meeting}", "{Topic} notes from {name}", "Trip to {city} in {month}",
                "{Opener} the {topic} with {last}"],
    "body": ["Could we move our {meeting} to {day}", "Just checking you got my notes on the {topic}",
             "Thanks again for your help with the {topic}", "Let me know if {day} still works for you",
             "Looking forward to seeing you in {city}", "Can you send me the latest plan for the {topic}",
             "I will bring the slides for the {topic} on {day}", "Please remind {name} about the {meeting}",
             "Are you free for a {meeting} on {day}", "Happy to help with {name}'s {occasion}",
             "Sorry I missed you on {day}", "I have booked a table in {city} for {day}",
             "Here are my thoughts on the {topic}", "See you at the {meeting} on {day}",
             "The {topic} is going well so far", "Could you look over the {topic} before {day}",
             "{name} asked me to pass on the {topic} notes", "Do you still have the {topic} draft",
             "Could we go over the {topic} when you have time", "I will be in {city} on {day} if you want to meet",
             "Thanks for the lovely {meeting} on {day}", "Shall we invite {name} to the {meeting}"],
    "description": ["Bring notes on the {topic}", "Go over the {topic} with {name}",
                    "Review the {topic} and agree next steps", "Quick update on the {topic} from {name}",
                    "Agree the plan for {name}'s {occasion}", "Discuss the {topic} budget",
                    "Catch up on the {topic} before {day}", "Walk through the {topic} timeline",
                    "Meet at the cafe near the {city} office", "Lunch provided by {name}",
                    "Bring laptops for the {topic} demo", "{name} will lead the {topic} discussion",
                    "Prepare questions about the {topic}", "Dial in from {city} if you cannot come"],
}
_TEXT_TAILS: dict[str, list[str]] = {
    "reason": ["", "", "", " so we will find a new date", " and we will reschedule"],
}
_THOUGHT_LEADS = ["maybe", "first", "I should", "remember to", "better to", "probably best to", "I need to",
                  "next I will", "it would help to", "do not forget to"]
_SUBJECT_OPENERS = ["Question about", "Update on", "Notes from", "Follow-up on", "Feedback on", "Thoughts on",
                    "Plans for", "Next steps for", "Quick note about", "Help with", "Draft for", "Ideas for"]


def text_kind(param: str) -> str | None:
    """What a free-text parameter is for, by a word of its name (`cancel_reason` ->
    "reason", `subject_line` -> "subject"); None for ids and anything else."""
    if is_id(param):
        return None
    for word in reversed(re.split(r"[_\s]+", param)):  # a said label too ("current memo")
        if word in _TEXT_KINDS:
            return _TEXT_KINDS[word]
    return None


def free_text(param: str, rng: random.Random, fake: Faker) -> str:
    """A short plausible phrase for a free-text parameter ("Michelle's share of the water
    bill", "the venue is no longer available"), deterministic from `rng` (Faker is
    seeded from it)."""
    kind = text_kind(param) or "memo"
    fake.seed_instance(rng.randrange(2**31))
    name, name2 = fake.first_name(), fake.first_name()
    while name2 == name:
        name2 = fake.first_name()
    item, item2 = rng.sample(_ITEMS, 2)
    product, product2 = rng.sample(_PRODUCTS, 2)
    meeting, topic = rng.choice(_MEETINGS), rng.choice(_TOPICS)
    slots = {"name": name, "name2": name2, "last": fake.last_name(), "city": fake.city(), "item": item,
             "item2": item2, "product": product, "product2": product2, "meeting": meeting,
             "Meeting": meeting[0].upper() + meeting[1:], "topic": topic, "Topic": topic[0].upper() + topic[1:],
             "occasion": rng.choice(_OCCASIONS), "day": rng.choice(_DAYS), "month": rng.choice(_MONTHS),
             "lead": rng.choice(_THOUGHT_LEADS), "Opener": rng.choice(_SUBJECT_OPENERS)}
    text = rng.choice(_TEXT_FRAMES[kind]).format(**slots) + rng.choice(_TEXT_TAILS.get(kind, [""]))
    return " ".join(text.split())
