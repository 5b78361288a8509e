"""Writes of an entity table: create (taking stock from the row it refers to), update, delete."""

from __future__ import annotations

import re
from dataclasses import replace

from toolace_mt.compiler.classify.catalog import Catalog
from toolace_mt.compiler.classify.transitions import preconditions
from toolace_mt.compiler.names import column, words
from toolace_mt.compiler.plan import Column, Table, ToolPlan
from toolace_mt.compiler.spec_model import Field

# "Units in stock.", "copies on hand": a count of what is kept (not "change in stock price").
IN_STOCK = re.compile(r"\b(units?|copies|quantity|count|number)\b.{0,30}\b(in stock|on hand|available)\b|"
                      r"\bon hand\b", re.IGNORECASE)
STOCK_WORDS = {"stock", "copies", "available", "inventory", "seats", "remaining", "units", "availability"}
TAKEN_WORDS = {"quantity", "qty", "count", "units", "copies", "seats", "number"}
OWNER_NAMES = {"created_by", "owner", "owner_id", "author"}
SINCE_WORDS = {"at", "on", "since", "date", "time"}  # assigned_since says when, not to whom


def plan_create(cat: Catalog, plan: ToolPlan, table: Table, verb: str) -> None:
    plan.writes = True
    cat.value_columns(plan, table)
    _stock(cat, plan, table)
    natural = cat.entities[table.entity].natural
    for param in list(plan.params):
        keyed = param.role == "key" or param.column == table.key
        mismatched = keyed and param.spec.type != table.key_column.type  # createUser's integer id beside username
        if keyed and (mismatched or not natural) and not param.spec.required:  # addPet's optional id: made here
            plan.params.remove(param)
            plan.notes.append(f"parameter '{param.spec.name}' is left out: the new {table.entity}'s key is made here")
        elif keyed and natural and not param.spec.required:  # createUser without a username: none is made
            param.spec = replace(param.spec, required=True)
            plan.notes.append(f"parameter '{param.spec.name}' is required: it is the new {table.entity}'s key")
        elif param.role == "key" and not natural:
            param.role = "value"  # a client-chosen id for a new row


# "the volume is taken from the specimen": the new row's amount comes out of the row it refers to.
TAKEN_FROM = re.compile(r"\bthe ([a-z]+) (?:is|are) (?:taken|drawn|deducted|subtracted) from the ([a-z]+)")


def _taken_from(cat: Catalog, plan: ToolPlan, table: Table) -> bool:
    """An amount the description says is taken from the referred row's own column of that name."""
    said = TAKEN_FROM.search(plan.spec.description.lower())
    if said is None:
        return False
    amount = next((p for p in plan.params if p.spec.type in ("integer", "number")
                   and said.group(1) in words(p.spec.name)), None)
    for param in plan.params:
        col = table.columns.get(param.column or "")
        other = cat.tables.get(col.references or "") if col is not None else None
        if amount is None or other is None or param.role != "value" or \
                said.group(2) not in (other.entity, other.entity.split("_")[-1]):
            continue
        source = other.columns.get(amount.column or "") or other.columns.get(amount.spec.name)
        if source is None or source.type not in ("integer", "number"):
            continue
        plan.stock_param, plan.stock_table, plan.stock_column = param.ident, other.name, source.name
        plan.quantity_param = amount.ident
        return True
    return False


def _stock(cat: Catalog, plan: ToolPlan, table: Table) -> None:
    """A new row that takes from a referenced row's stock (an order of a product, a loan of a book)."""
    if _taken_from(cat, plan, table):
        return
    for param in plan.params:
        col = table.columns.get(param.column or "")
        if col is None or col.references is None or param.role != "value":
            continue
        other = cat.tables[col.references]
        stock = next((c for c in other.columns.values() if c.type in ("integer", "number") and (
            set(words(c.name)) & STOCK_WORDS or IN_STOCK.search(c.spec.description if c.spec else ""))), None)
        described = " ".join(t.description.lower() for t in cat.specs.tools if other.entity in words(t.name))
        if stock is None and "in stock" in described + " " + plan.spec.description.lower():
            stock = other.add(Column("stock", "integer", None))
        if stock is None:
            continue
        plan.stock_param, plan.stock_table, plan.stock_column = param.ident, other.name, stock.name
        quantity = next((p for p in plan.params if p.spec.type == "integer" and
                         set(words(p.spec.name)) & TAKEN_WORDS), None)
        plan.quantity_param = quantity.ident if quantity is not None else None
        return


# The column a verb's one value sets, by the verb: assign_card(username) sets the assignee.
VERB_COLUMNS = {"assign": ("assignee", "assigned_to", "assigned", "owner"), "rename": ("name", "title"),
                "reschedule": ("date", "time", "start", "scheduled"), "move": ("list", "stage", "column", "location")}


def _shown_as(cat: Catalog, plan: ToolPlan, table: Table) -> None:
    """A value the output shows under another name: plots.lease(gardenerEmail) sets the
    `leaseholder` the output (an email too) shows, not a new gardenerEmail column."""
    output = plan.spec.output
    props = output.properties if output is not None and output.type == "object" else []
    taken = {p.spec.name for p in plan.params} | {table.key}
    free = [p for p in props if p.name not in taken and column(p.name) not in taken and p.scalar]
    for param in plan.params:
        spec = param.spec
        if param.role == "key" or not spec.scalar or cat.match_column(table, spec) is not None:
            continue
        kind = spec.format or (words(spec.name)[-1:] or [""])[0]
        alike = [p for p in free if p.type == spec.type and kind in (p.format, *words(p.name)[-1:])]
        if not alike and kind == "email":  # an email given, a person's field shown (leaseholder)
            alike = [p for p in free if p.type == "string" and "email" in _described(table, p)]
        if len(alike) == 1:
            name = column(alike[0].name)
            if name not in table.columns:
                table.add(Column(name, spec.type, alike[0]))
            param.role, param.column = "value", name
            free.remove(alike[0])


def _described(table: Table, prop: Field) -> str:
    """What a field is, from its own description or the column's (another tool described it)."""
    col = table.columns.get(column(prop.name)) or table.columns.get(prop.name)
    return (prop.description or (col.spec.description if col is not None and col.spec is not None else "")).lower()


def plan_update(cat: Catalog, plan: ToolPlan, table: Table, verb: str) -> None:
    plan.writes = True
    _shown_as(cat, plan, table)
    values = [p for p in plan.params if p.role != "key" and p.spec.scalar]
    if len(values) == 1 and cat.match_column(table, values[0].spec) is None and values[0].column is None:
        wanted = VERB_COLUMNS.get(verb, ())
        hit = next((c for c in table.columns if c != table.key and not set(c.lower().split("_")) & SINCE_WORDS and (
            set(c.lower().split("_")) & set(wanted) or any(c.lower().startswith(w) for w in wanted))), None)
        if hit is not None and table.columns[hit].type == values[0].spec.type:
            values[0].column = hit
            values[0].role = "value"
    cat.value_columns(plan, table)
    for param in list(plan.params):  # updateUser's integer body id beside its username: not the key
        if param.column == table.key and param.spec.type != table.key_column.type and not param.spec.required:
            plan.params.remove(param)
            plan.notes.append(f"parameter '{param.spec.name}' is left out: the {table.entity}'s key is another")
    keys = [p for p in plan.params if p.role == "key" or p.column == table.key]
    if len(keys) == 1 and not keys[0].spec.required:  # updatePet's body id "must exist": it names the row
        keys[0].spec = replace(keys[0].spec, required=True)
        plan.notes.append(f"parameter '{keys[0].spec.name}' is required: it names the {table.entity} to update")
    status = next((c.name for c in table.columns.values() if c.name == "status" or c.name.endswith("_status")), None)
    if status is not None and status not in [p.column for p in plan.params]:
        plan.status_column = status  # "rate a delivered order": only from delivered
        preconditions(plan, table)
        if not plan.allowed_from and not plan.forbidden_from:
            plan.status_column = None


def plan_delete(cat: Catalog, plan: ToolPlan, table: Table, verb: str) -> None:
    plan.writes = True
    scalars = [p for p in plan.params if p.spec.scalar]
    if plan.key is None and len(plan.params) == 1 and scalars and cat.natural(table):
        scalars[0].role, scalars[0].column = "key", table.key  # remove_stock_from_watchlist(symbol)
        return
    cat.value_columns(plan, table)


def update_shapes(cat: Catalog) -> None:
    """A free-form `changes: object` gets the table's editable fields as its properties, so
    its schema says what may go in it and a generator can fill it."""
    for plan in cat.plans:
        table = cat.tables.get(plan.table or "")
        if table is None:
            continue
        for param in plan.params:
            if param.role != "updates" or param.spec.properties:
                continue
            editable = [c for c in table.columns.values() if c.name != table.key and c.name not in OWNER_NAMES
                        and c.type in ("string", "integer", "number", "boolean") and c.references is None
                        and c.name not in table.status_values and c.capacity is None]
            param.spec = replace(param.spec, properties=[
                Field(name=c.name, type=c.type, description=c.spec.description if c.spec else "",
                      enum=c.spec.enum if c.spec else None) for c in editable[:12]])
