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

import dataclasses
import datetime as dt
import json
import random
import re
from typing import Any

from faker import Faker

from sandbox import Environment, ToolSpec
from toolace_mt.generation.language.tool_language import described_columns, described_number, described_range
from toolace_mt.generation.plan.catalog import Catalog, param_kind
from toolace_mt.generation.plan.free_text import at_work, free_text, names_a_thing, text_kind, thing_name
from toolace_mt.generation.plan.id_names import name_words, qualified, singular, snake
from toolace_mt.generation.plan.new_keys import made_table, new_key
from toolace_mt.generation.plan.record_text import like_its_kind, record_text
from toolace_mt.generation.plan.record_values import coherent, current_value, current_values, off_condition
from toolace_mt.generation.plan.search_words import SEARCH_PARAMS, described_words, query_word
from toolace_mt.generation.plan.state_rows import RowIndex, StateRows
from toolace_mt.generation.plan.value_keys import Choice, is_id, known_values, value_key
from toolace_mt.generation.plan.value_shapes import Shape, fit_number, is_file_name, make, round_as_said, shape_of

__all__ = ["Choice", "RowIndex", "ValueSource", "free_text", "is_id", "known_values", "text_kind", "value_key"]

_FAKE_BY_NAME = {
    "email": "email", "first_name": "first_name", "last_name": "last_name", "name": "name", "full_name": "name",
    "phone": "phone_number", "street": "street_address", "city": "city", "state": "state_abbr", "zip": "zipcode",
    "zip_code": "zipcode", "company": "company", "location": "city", "nickname": "first_name",
    "address1": "street_address", "address2": "secondary_address", "country": "current_country",
    "user_name": "first_name",
}
# The last word of a qualified name says what it is (`recipient_email`, `home_phone`, `billing_city`).
_FAKE_BY_LAST_WORD = {"email": "email", "phone": "phone_number", "city": "city", "zip": "zipcode",
                      "zipcode": "zipcode", "country": "current_country", "street": "street_address"}
DATED = ("date", "datetime", "month", "year")
_STARTS = frozenset({"start", "from", "since", "begin", "first", "earliest", "after"})
_ENDS = frozenset({"end", "to", "until", "till", "last", "latest", "before"})
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
_TIED = ("known", "related", "enum", "bool")  # sources a bound proposal accepts (see ValueSource.propose)
_TIED_OPTIONAL = ("known", "related")  # an optional filter set at random could leave the entity out


class ValueSource(StateRows):
    """Proposes arguments for one env; deterministic given the rng it is handed."""

    def __init__(self, env: Environment, catalog: Catalog | None, fake: Faker) -> None:
        super().__init__(env, catalog)
        self.fake = fake
        self.now = env.now
        self._timings: dict[str, str | None] = {}  # tool -> where its records' dates lie (see _dates_lie)
        self.at_work = at_work(env.description)  # memos of a workplace are about work

    # -- proposals ------------------------------------------------------------
    def propose(self, tool: ToolSpec, rng: random.Random, known: dict[str, list[Any]] | None = None,
                context: dict[str, Any] | None = None, optional_rate: float = 0.35, bound: bool = False) -> Choice:
        """Arguments for `tool`. With `bound`, every value must be tied to `context` or
        `known` (an earlier output, a row related to the context, an enum): a read called
        this way is about the context's own entity, so its output holds that entity's
        values by construction. A required value that cannot be tied leaves
        `choice.bound` False; an optional one is left out."""
        known = known or {}
        choice = Choice(context=dict(context or {}), given=dict(context or {}))
        properties = tool.parameters.get("properties", {})
        required = set(tool.parameters.get("required", []))
        for param, schema in properties.items():
            if param not in required and not bound and rng.random() >= optional_rate:
                continue
            if param not in required and off_condition(tool, param, schema, choice.arguments):
                continue  # "for hardware problems", on a network ticket
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
        """A value for `param`, fitted to what its schema allows (bounds, length)."""
        found = self._value(tool, param, schema, rng, known, choice, bound)
        kind = param_kind(schema)
        if kind in ("integer", "number") and isinstance(found, int | float) and not isinstance(found, bool) \
                and choice.sources.get(param) != "known":
            found = fit_number(found, schema, rng, kind == "integer")
        if isinstance(found, float) and found.is_integer() and abs(found) < 1e15:
            return int(found)  # 79.0 is the number a person says as "79": the same value to a number schema
        if kind in ("integer", "number"):
            return found
        limit = schema.get("maxLength")
        if isinstance(found, str) and isinstance(limit, int) and limit > 0 and len(found) > limit:
            return found[:limit].rstrip()
        return found

    def _value(self, tool: ToolSpec, param: str, schema: dict[str, Any], rng: random.Random,
               known: dict[str, list[Any]], choice: Choice, bound: bool = False) -> Any:
        sources = choice.sources
        kind = param_kind(schema)
        enum = [v for v in schema.get("enum", []) if v is not None]
        if enum:
            sources[param] = "enum"
            current = current_values(self, tool, param, choice)  # set_mode("cool") when it is cool
            return rng.choice([v for v in enum if value_key(v) not in current] or enum)
        if kind == "boolean":
            sources[param] = "bool"
            current = current_values(self, tool, param, choice)
            if len(current) == 1:  # lock(door) when it is locked: the other way
                return value_key(True) not in current
            return rng.random() < 0.5
        if kind == "array":
            return self._array(tool, param, schema, rng, known, choice, bound)
        if kind == "object":
            made = self._object(tool, schema, rng, known, choice)
            sources[param] = "made"
            return made
        text_hint = (schema.get("description") or "")
        shape = shape_of(param, schema, text_hint) if kind == "string" and not is_id(param) else None
        if shape is not None and shape.kind == "listed":  # "one of low, normal or urgent": the only values
            sources[param] = "enum"
            return rng.choice(shape.options)
        from_outputs = next((found for name in qualified(param, tool.name) if (found := known_values(name, known))), [])
        if from_outputs and (bound or rng.random() < 0.85):
            sources[param] = "known"
            return rng.choice(from_outputs)
        sources[param] = "made"
        # A look-up's date (a date of birth, a travel date) is one the state holds, when a column does.
        on_file = not tool.writes and self.catalog is not None and bool(self.columns_for(param, tool.name))
        if shape is not None and shape.kind in DATED and not on_file:
            return self._dated(tool, param, shape, rng, choice)
        if kind == "string" and snake(param) in SEARCH_PARAMS:
            word = self._query_word(tool, rng, choice.context if bound else None)
            if bound and word:
                sources[param] = "related"
            examples = described_words(text_hint) if not word and not bound else []
            return rng.choice(examples) if examples else word  # words that find something, never "wait"
        if kind == "string" and param == "expression":
            # Three operands: the assistant writes the expression from numbers the user said
            # in words ("add up 336.57, 6 and 12"), never taking it from them verbatim.
            first, last = round(rng.uniform(5, 500), 2), round(rng.uniform(1, 90), 2)
            return f"{first:g} + {rng.randint(2, 60)} + {last:g}"  # 477.0 is said "477"
        fresh = tool.writes and not is_id(param)
        if fresh and kind == "string" and shape is not None and shape.kind == "example" \
                and is_file_name(shape.example):
            made = make(shape, param, rng, self.now.date())  # a new file's name shaped like kitchen_floor.jpg
            if made is not None:
                sources[param] = "fresh"
                return made
        nouns = set(name_words(tool.name)) | set(name_words(param)[:-1])
        if fresh and kind == "string" and names_a_thing(param, nouns):  # a board's name, not a person's
            sources[param] = "fresh"
            return thing_name(nouns, rng, self.fake)
        if fresh and kind == "string":
            described = text_kind(" ".join(re.findall(r"[a-z]+", text_hint.lower())[:4]))
            # text that fits the record: a reopened ticket's own problem, a note about it, a
            # new record's title like its kind's (record_text)
            fitting = like_its_kind(self, tool, param, text_kind(param), choice, rng) \
                or record_text(self, tool, param, text_hint, text_kind(param) or described, choice, rng)
            if fitting is not None:
                sources[param] = "fresh"
                return fitting
            made = self._fake(param, rng)
            if made is None and text_kind(param) is None and described is not None:
                made = free_text(described, rng, self.fake, self.at_work)  # "resolution: Resolution ..."
            if made is not None:
                sources[param] = "fresh"
                return made
        made_in = made_table(self, tool, param) if kind in ("string", "integer") else None
        if made_in is not None:  # the key of the record a create makes: new, in the keys' shape
            made = new_key(self, *made_in, rng)
            if made is not None:
                sources[param] = "fresh"
                return made
        if self.catalog is not None and kind in ("string", "integer", "number"):
            # A parameter no column is named like may be described as one ("user: User name of the user").
            named = self.columns_for(param, tool.name) or ([
                found for column in described_columns(text_hint, list(self.catalog.columns), self.key_columns)
                for found in self.columns_for(column)] if kind == "string" else [])
            for table, column in named:
                rows, related = self._related_rows(table, choice.context, tool.name)
                if tool.writes:
                    other = self._another(table, column, choice, rows, related, tool.name)
                    if other is None:
                        continue  # the record's own value only: another table may offer another one
                    rows, related = other
                    current = current_value(self, tool, table, column, choice)
                    if current:  # set to what it already is: a write that changes nothing
                        changed = [r for r in rows if value_key(r.get(column)) not in current]
                        if not changed and kind in ("integer", "number"):
                            continue  # a new number is made below (in its described range)
                        # (a text value only this record holds stays: reads of its entity
                        # find another, a free seat off its flight's seat map: see `assisted`)
                        rows = changed or rows
                if related and not rows:
                    break  # the dialogue's user has none: another table must not supply someone else's
                rows = [r for r in rows if r.get(column) is not None] if related or not bound else []
                rows = coherent(self, table, column, rows, choice)
                if rows:
                    row = rng.choice(rows)
                    sources[param] = "related" if related else "row"
                    key = self.catalog.primary_keys.get(table, ())
                    for c, v in row.items():  # the row's ids become the context's latest (see _related_rows)
                        if is_id(c) or c == "email" or c in key:  # a key like `username`: its password is its row's
                            choice.context.pop(c, None)
                            choice.context[c] = v
                    link = self.links.get((tool.name, table))
                    if link is not None:  # the caller is the row's actor (its approver), not its owner
                        choice.context.pop(link.caller_column, None)
                        choice.context[link.caller_column] = row[link.column]
                    if self.user_key is not None and self.user_key not in choice.context:
                        # A user's row (a card, through its account): its owner is the dialogue's
                        # person from now on, so later values (and sub-tasks) are theirs too.
                        owner = self.owner_of(table, row)
                        if owner is not None:
                            choice.context[self.user_key] = owner
                    value = row[column]
                    inner = json_part(value, param, kind, rng)  # a list or object kept as JSON text
                    if inner is NO_PART:
                        continue
                    if inner is not NOT_JSON:
                        return inner
                    return value if kind != "string" else str(value)
        if kind == "string" and text_kind(param) is not None:
            sources[param] = "fresh"  # the user's own words (a read's summary, a thought): no column has them
            return self._fake(param, rng)
        if shape is not None:  # no row holds one: made to the described shape (EMP-0042, an ISO code)
            made = self._dated(tool, param, shape, rng, choice) if shape.kind in DATED else \
                make(shape, param, rng, self.now.date())
            if made is not None:
                sources[param] = "fresh" if tool.writes else "made"
                return made
        if kind in ("integer", "number"):  # "between 0 and 1", "from 1 to 5": a guess out of range would fail
            # the parameter's description, else the tool's ("The fuel tank can hold up to 50 gallons.")
            ranged = described_number(text_hint if described_range(text_hint) else tool.description,
                                      kind == "integer", rng, (1, 3) if kind == "integer" else (5, 250))
            if ranged is not None:
                return round_as_said(ranged)
        sources[param] = "fallback"  # a guess (a read's zip code from Faker is not the user's)
        if kind == "string":
            return self._guessed(param, rng, shape)
        if kind == "number":
            return round(rng.uniform(5, 250), 2)
        if kind == "integer":
            return rng.randint(1, 3)
        return None

    def _another(self, table: str, column: str, choice: Choice, rows: list[dict[str, Any]], related: bool,
                 tool: str) -> tuple[list[dict[str, Any]], bool] | None:
        """A write's value for a column the record it acts on already holds (a fill's pharmacy,
        picked with the fill): another one, when there is one (a move to the same pharmacy,
        a change to the same payment method, fails or changes nothing). None when this table
        has no other: the column's own table (the libraries, for a hold's pickup library) may."""
        current = choice.context.get(column)
        if current is None or choice.given.get(column) == current:
            return rows, related
        others, tied = self._related_rows(table, {k: v for k, v in choice.context.items() if k != column}, tool)
        others = [r for r in others if r.get(column) != current]
        return (others, tied) if others else None

    def _array(self, tool: ToolSpec, param: str, schema: dict[str, Any], rng: random.Random,
               known: dict[str, list[Any]], choice: Choice, bound: bool = False) -> list[Any] | None:
        items = schema.get("items", {})
        link = self.item_links.get((tool.name, param))
        if link is not None:  # keys of rows tied to the call (the group's members: see item_links)
            choice.sources[param] = "related"
            return link.items(self.table_rows(link.table), choice.arguments, rng, param) or None
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
        clauses = re.split(r"[;,]", schema.get("description") or "")
        for param, sub in schema.get("properties", {}).items():
            said = [c for c in clauses if name_words(param) and all(w in c.lower() for w in name_words(param))]
            if sub.get("type") in ("integer", "number") and not sub.get("description") and said:
                sub = {**sub, "description": said[0].strip()}  # the parent's words: "age years between 18 and 99"
            if param in schema.get("required", []) or rng.random() < 0.3:
                out[param] = self.value(tool, param, sub, rng, known, choice)
        if not out and schema.get("properties"):  # all optional ("updates"): an empty one changes nothing
            param = rng.choice(sorted(schema["properties"]))
            out[param] = self.value(tool, param, schema["properties"][param], rng, known, choice)
        return out

    def _guessed(self, param: str, rng: random.Random, shape: Shape | None) -> str:
        """A read's value no row or output holds: made as what the parameter is, by its name
        (`recipient_email`, `homePhone`) or its shape (`to`: "Recipient email address"), a
        random word only when nothing says (never "the recipient email address is visit")."""
        made = self._fake(param, rng)
        if made is not None:
            return made
        words = name_words(param)
        if shape is not None and shape.kind in ("email", "url"):
            return str(self.fake.email() if shape.kind == "email" else self.fake.url())
        if words and words[-1] in _FAKE_BY_LAST_WORD:
            return str(getattr(self.fake, _FAKE_BY_LAST_WORD[words[-1]])())
        return self.fake.word()

    def _fake(self, param: str, rng: random.Random) -> str | None:
        self.fake.seed_instance(rng.randrange(2**31))
        param = snake(param)  # `firstName` is a first_name
        if param in _FAKE_BY_NAME:
            return str(getattr(self.fake, _FAKE_BY_NAME[param])())
        if param in ("account_number",):
            return "".join(str(rng.randrange(10)) for _ in range(10))
        if param == "bank_name":
            return f"{self.fake.last_name()} Bank"
        if text_kind(param) is not None:
            return free_text(param, rng, self.fake, self.at_work)
        return None

    def _dated(self, tool: ToolSpec, param: str, shape: Shape, rng: random.Random, choice: Choice) -> str | None:
        """A date (time, month) for `param`: after the range's start when it ends one
        (`end_date` after `start_date`), else in the past or the future as its name and
        description say, or for a look-up's filter, as the dates its records hold lie."""
        if shape.when is None and not tool.writes:
            shape = dataclasses.replace(shape, when=self._dates_lie(tool))
        today = self.now.date()
        start = next((v for p, v in choice.arguments.items() if p != param and isinstance(v, str)
                      and set(name_words(p)) & _STARTS), None)
        if set(name_words(param)) & _ENDS and start is not None:
            try:
                begun = dt.datetime.fromisoformat(start)
            except ValueError:
                begun = None
            if begun is not None and shape.kind == "datetime":
                return (begun + dt.timedelta(minutes=rng.choice([30, 60, 90]))).strftime("%Y-%m-%dT%H:%M")
            if begun is not None and shape.kind == "date":
                end = begun.date() + dt.timedelta(days=rng.randint(0, 6))
                return (min(end, today) if shape.when == "past" and begun.date() <= today else end).isoformat()
        return make(shape, param, rng, today)

    def _dates_lie(self, tool: ToolSpec) -> str | None:
        """"past" when the dates in the records a look-up is about (the tables its name and
        its ids name) lie mostly before today: its date filters look back (a history)."""
        if self.catalog is None:
            return None
        if tool.name in self._timings:
            return self._timings[tool.name]
        nouns = {singular(w) for w in name_words(tool.name)}
        tables = {t for t in self.catalog.table_columns if singular(snake(t)) in nouns or snake(t) in nouns}
        for param in tool.parameters.get("properties", {}):
            if is_id(param):
                tables.update(t for t, _ in self.columns_for(param, tool.name)[:1])
        today = self.now.date().isoformat()
        dates = [str(v)[:10] for t in sorted(tables) for row in self.table_rows(t)[:500] for v in row.values()
                 if isinstance(v, str | dt.date) and _ISO_DAY.match(str(v))]
        found = "past" if dates and sum(d < today for d in dates) >= 0.7 * len(dates) else None
        self._timings[tool.name] = found
        return found

    def _query_word(self, tool: ToolSpec, rng: random.Random, context: dict[str, Any] | None = None) -> str:
        return query_word(self, tool, rng, context)


NOT_JSON = object()  # the column's value is no JSON text: use it as it is
NO_PART = object()  # JSON text with no part this value can be


def json_part(value: Any, param: str, kind: str, rng: random.Random) -> Any:
    """One item of a list, or the same-named field of an object, that a column keeps as JSON
    text (a slot's coordinates '[10.7, 41.3]', a specimen's donor '{"donorCode": ...}'): an
    array item or a nested field is that part, never the whole text."""
    if not isinstance(value, str) or value[:1] not in "[{":
        return NOT_JSON
    try:
        parsed = json.loads(value)
    except ValueError:
        return NOT_JSON
    wanted = {"string": (str,), "integer": (int,), "number": (int, float)}.get(kind, ())
    if isinstance(parsed, dict):
        part = parsed.get(param)
        return part if isinstance(part, wanted) and not isinstance(part, bool) else NO_PART
    if isinstance(parsed, list):
        parts = [v for v in parsed if isinstance(v, wanted) and not isinstance(v, bool)]
        if not parts and kind == "string":  # tags [{"id": 3, "name": "vaccinated"}]: a tag is said by its name
            parts = [v["name"] for v in parsed if isinstance(v, dict) and isinstance(v.get("name"), str)]
        return rng.choice(parts) if parts else NO_PART
    return NOT_JSON

