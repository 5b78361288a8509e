"""Reads of an entity table: get by key, search with filters, list, stats, find one."""

from __future__ import annotations

import re

from toolace_mt.compiler.classify.catalog import Catalog
from toolace_mt.compiler.classify.session import current_or_mine
from toolace_mt.compiler.entities import QUERY_WORDS, output_rows_field
from toolace_mt.compiler.names import column, singular, words
from toolace_mt.compiler.plan import Column, Table, ToolPlan
from toolace_mt.compiler.spec_model import Field, ToolIn

RANGE_WORDS = ("min", "max", "start", "end", "from", "to", "since", "until", "before", "after")
LOW_WORDS = ("min", "start", "from", "since", "after")
KEYWORD_NAMES = ("keyword", "query", "q", "text", "term", "search")


# What a read may name after its entity: get_flight_status, get_order_location.
ATTRIBUTES = {"status": "string", "state": "string", "location": "string", "position": "string", "eta": "string",
              "availability": "string", "price": "number", "balance": "number", "rating": "number"}
# Status words by the entity they describe; others get GENERAL_STATUSES.
STATUSES = {"flight": ["scheduled", "on time", "delayed", "boarding", "departed", "landed", "cancelled"],
            "order": ["pending", "processing", "shipped", "delivered"],
            "shipment": ["pending", "in transit", "out for delivery", "delivered"],
            "package": ["pending", "in transit", "out for delivery", "delivered"],
            "payment": ["pending", "completed", "failed"], "train": ["on time", "delayed", "cancelled"]}
GENERAL_STATUSES = ["active", "pending", "on hold", "completed"]


def plan_get(cat: Catalog, plan: ToolPlan, table: Table, verb: str) -> None:
    cat.value_columns(plan, table, skip_query=True)
    if plan.spec.output is None:
        _named_attributes(plan, table)


def _named_attributes(plan: ToolPlan, table: Table, described: bool = False) -> None:
    """A read that names what it shows (get_flight_status; a menu "with item prices") and
    has no output schema shows that column: the table gets it when no column holds it yet."""
    entity_words = set(table.entity.split("_"))
    said = words(plan.spec.name) + ([singular(w) for w in words(plan.spec.description)] if described else [])
    for word in dict.fromkeys(said):
        kind = ATTRIBUTES.get(word)
        if kind is None or word in entity_words or any(word in c.split("_") for c in table.columns):
            continue
        values = STATUSES.get(table.entity.split("_")[-1], GENERAL_STATUSES) if word == "status" else None
        described = f"The {table.entity.replace('_', ' ')}'s {word}."
        table.add(Column(word, kind, Field(word, kind, described, enum=values)))


def plan_search(cat: Catalog, plan: ToolPlan, table: Table, verb: str) -> None:
    """Each parameter a filter on a column, a range bound, a set of keys or a keyword query;
    a search whose output is one row finds one (kind `find`)."""
    for param in plan.params:
        spec = param.spec
        name_words = words(spec.name)
        if param.role == "key":
            continue
        if spec.type == "array" and (singular(column(spec.name)) == table.entity or
                                     (spec.items is not None and cat.ident_of(spec.items, table.entity))):
            param.role, param.column = "keys", table.key
            continue
        if spec.type in ("number", "integer", "string") and name_words and name_words[0] in RANGE_WORDS \
                and len(name_words) > 1:
            param.role = "min" if name_words[0] in LOW_WORDS else "max"
            rest = Field("_".join(name_words[1:]), spec.type, spec.description, format=spec.format)
            param.column = cat.match_column(table, rest) or cat.column_for(table, rest)
            continue
        if spec.type == "string" and name_words in (["since"], ["after"], ["from"], ["until"], ["before"]):
            dated = _dated_column(table, spec)  # since: "Only tasks created on or after this date"
            if dated is not None:
                param.role, param.column = ("min" if name_words[0] in LOW_WORDS else "max"), dated
                continue
        matched = cat.match_column(table, spec)
        reference = cat.references(spec, table)
        if matched is None and reference is not None:
            param.role, param.column = "filter", cat.column_for(table, spec, reference)
            continue
        if matched is None and (set(name_words) & QUERY_WORDS or spec.type != "string" or (
                not spec.enum and spec.type == "string" and len(name_words) == 1 and name_words[0] in KEYWORD_NAMES)):
            param.role = "query"
            continue
        param.role = "filter"
        param.column = matched or cat.column_for(table, spec)
    if plan.spec.output is None:
        _named_attributes(plan, table, described=True)
    if plan.spec.output is not None and plan.spec.output.type == "object" \
            and output_rows_field(plan.spec.output) is plan.spec.output \
            and not any(p.type == "array" for p in plan.spec.output.properties) \
            and not current_or_mine(plan):
        plan.kind = "find"


def plan_list(cat: Catalog, plan: ToolPlan, table: Table, verb: str) -> None:
    if plan.spec.output is None:
        _named_attributes(plan, table, described=True)


def plan_stats(cat: Catalog, plan: ToolPlan, table: Table, verb: str) -> None:
    plan_search(cat, plan, table, verb)
    plan.kind = "stats"


# "How many pets there are in each sale status", "the number of orders per status": a count of
# an entity's rows for each value of one of its columns.
TALLY = re.compile(r"\b(?:how many|(?:the )?(?:number|count|counts|totals?) of) ([a-z]+)\b[^.]*?"
                   r"\b(?:in each|for each|per|by) ([a-z]+(?: [a-z]+)?)")


def tally_of(cat: Catalog, tool: ToolIn) -> tuple[Table, str] | None:
    """The table and column a read without arguments counts rows by, when its description
    says so and its output is a map (an object naming no fields: {"available": 7, "sold": 3}).
    Its name (getInventory) names no entity, so nothing else binds it to the rows it counts."""
    output = tool.output
    if tool.params or (output is not None and (output.type != "object" or output.properties)):
        return None
    said = TALLY.search(tool.description.lower())
    if said is None or singular(said.group(1)) not in cat.entities:
        return None
    table = cat.entity_table(singular(said.group(1)))
    group = words(said.group(2))
    found = next((c for c in ("_".join(group), group[-1]) if c in table.columns and c != table.key), None)
    return (table, found) if found is not None else None


# Verbs a date bound's description may name: the rows created (placed, logged...) since then.
EVENT_WORDS = ("created", "updated", "modified", "placed", "opened", "logged", "posted", "published", "sent",
               "joined", "registered", "submitted", "made", "added", "issued", "booked")
DATE_WORDS = {"date", "day", "on", "at", "time", "timestamp"}


def _dated_column(table: Table, spec: Field) -> str | None:
    """The column a lone since/until bound compares with: the date of the event its
    description names (created -> created_on, added when the table has none), else the
    table's one date column; None when neither is known."""
    said = words(spec.description)
    event = next((w for w in said if w in EVENT_WORDS), None)
    if event is not None:
        found = next((n for n in table.columns if words(n)[:1] == [event] and set(words(n)[1:]) & DATE_WORDS), None)
        if found is not None:
            return found
        entity = table.entity.replace("_", " ")
        name = f"{event}_on"
        table.add(Column(name, "string", Field(name, "string", f"The day the {entity} was {event} (YYYY-MM-DD); "
                                               "not in the future.", format="date")))
        return name
    dated = [n for n, c in table.columns.items() if c.type == "string" and set(words(n)) & DATE_WORDS]
    return dated[0] if len(dated) == 1 else None
