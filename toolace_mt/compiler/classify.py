"""Each tool bound to a table and given a kind; the tables' columns collected on the way."""

from __future__ import annotations

import math
import re
from dataclasses import replace

from toolace_mt.compiler import kinds as K
from toolace_mt.compiler.entities import (
    QUERY_WORDS,
    RESULT_WORDS,
    Entity,
    discover,
    id_entity,
    known_nouns,
    output_rows_field,
    tool_nouns,
)
from toolace_mt.compiler.names import column, identifier, plural, singular, unique, words
from toolace_mt.compiler.plan import Column, EnvPlan, Param, Table, ToolPlan
from toolace_mt.compiler.spec_model import Field, SpecSet, ToolIn

STATE_TABLE = "state"
SESSION_TABLE = "session"
_CAPACITY = re.compile(r"(?:up to|maximum of|max(?:imum)?|at most|capacity of|can hold)\s+(\d+(?:\.\d+)?)",
                       re.IGNORECASE)
_CONVERT = re.compile(r"^(?:convert_)?([a-z]+)_to_([a-z]+)$")
UNIT_FACTORS = {
    ("gallon", "liter"): 3.78541, ("liter", "gallon"): 0.264172, ("mile", "km"): 1.60934,
    ("km", "mile"): 0.621371, ("mile", "kilometer"): 1.60934, ("kilometer", "mile"): 0.621371,
    ("kg", "lb"): 2.20462, ("lb", "kg"): 0.453592, ("kilogram", "pound"): 2.20462, ("pound", "kilogram"): 0.453592,
    ("inch", "cm"): 2.54, ("cm", "inch"): 0.393701, ("meter", "feet"): 3.28084, ("feet", "meter"): 0.3048,
    ("foot", "meter"): 0.3048, ("meter", "foot"): 3.28084, ("ounce", "gram"): 28.3495, ("gram", "ounce"): 0.035274,
}
AMOUNT_WORDS = {"amount", "quantity", "qty", "value", "sum", "count", "number", "units", "volume", "credits"}
BOOKINGS = {"book": "booking", "reserve": "reservation", "rent": "rental", "buy": "purchase",
            "purchase": "purchase", "borrow": "loan", "enroll": "enrollment", "subscribe": "subscription",
            "order": "order", "hire": "hire"}
# "Units in stock.", "copies on hand": a count of what is kept (not "change in stock price").
_IN_STOCK = re.compile(r"\b(units?|copies|quantity|count|number)\b.{0,30}\b(in stock|on hand|available)\b|"
                       r"\bon hand\b", re.IGNORECASE)
QUANTITY_WORDS = {"quantity", "qty", "count", "units", "copies", "seats", "number", "amount", "shares"}
STOCK_WORDS = {"stock", "copies", "available", "inventory", "seats", "remaining", "units", "availability"}
STATS_WORDS = {"stats", "statistics", "count", "summary", "total", "totals", "metrics", "analytics"}


def _table_name(entity: str, taken: set[str]) -> str:
    return unique(identifier(plural(entity), "items"), taken)


class Classifier:
    """Builds the EnvPlan in passes: entities, session, binding, columns."""

    def __init__(self, specs: SpecSet) -> None:
        self.specs = specs
        self.entities: dict[str, Entity] = discover(specs)
        self.known = known_nouns(specs)
        self.tables: dict[str, Table] = {}
        self.by_entity: dict[str, str] = {}
        self.table_names: set[str] = {SESSION_TABLE, STATE_TABLE}
        self.session: str | None = None
        self.users: str | None = None
        self.plans: list[ToolPlan] = []
        self.user_column: str | None = None
        self.has_settings = any(K.verb_of(words(t.name)) in K.SETTING for t in specs.tools)

    # ------------------------------------------------------------------ tables

    def entity_table(self, entity: str) -> Table:
        name = self.by_entity.get(entity)
        if name is not None:
            return self.tables[name]
        info = self.entities.get(entity) or Entity(name=entity, key=column(f"{entity}_id"))
        self.entities[entity] = info
        key_field = info.key_field or Field(name=info.key, type="integer")
        table = Table(name=_table_name(entity, self.table_names), entity=entity, key=info.key or column(f"{entity}_id"))
        kind = {"string": "string", "integer": "integer", "number": "integer"}.get(key_field.type, "string")
        table.add(Column(table.key, kind, key_field, nullable=False))
        self.tables[table.name] = table
        self.by_entity[entity] = table.name
        return table

    def state_table(self) -> Table:
        if STATE_TABLE not in self.tables:
            table = Table(name=STATE_TABLE, entity="state", key="state_id", singleton=True, rows=1)
            table.add(Column("state_id", "integer", None, nullable=False))
            self.tables[STATE_TABLE] = table
        return self.tables[STATE_TABLE]

    def column_for(self, table: Table, spec: Field, references: str | None = None) -> str:
        """The column a spec field maps to in `table`, added when new."""
        info = self.entities.get(table.entity)
        if info is not None and (spec.name in info.aliases or words(spec.name) == ["id"]):
            return table.key
        name = column(spec.name)
        if name == table.key:
            return name
        table.add(Column(name, spec.type, spec, references=references))
        return name

    def match_column(self, table: Table, spec: Field) -> str | None:
        """An existing column this parameter means: same name, name in its description, or a sub-word match."""
        name = column(spec.name)
        if name in table.columns:
            return name
        info = self.entities.get(table.entity)
        if info is not None and spec.name in info.aliases:
            return table.key
        described = words(spec.description)
        for size in (3, 2):
            for i in range(len(described) - size + 1):
                candidate = "_".join(described[i:i + size])
                if candidate in table.columns and candidate != table.key:
                    return candidate
        mine = words(spec.name)
        for col in table.columns:
            col_words = col.split("_")
            if mine and mine[-1] == col_words[-1] and mine[-1] not in ("id", "ids", "key", "code", "name") \
                    and len(mine) + len(col_words) > 2 and table.columns[col].type == spec.type:
                return col
        return None

    def references(self, spec: Field, table: Table) -> str | None:
        """The table whose key this field holds: by id name, by a natural key's name, or by its description."""
        if spec.type not in ("string", "integer"):
            return None
        target = self.ident_of(spec, None)
        found = None
        if target and target in self.entities and target != table.entity:
            found = self.entity_table(target).name
        for other in self.tables.values():
            if found is None and other is not table and self._natural(other) and not other.singleton and (
                    other.key == column(spec.name) or (other.entity in words(spec.description)[:6]
                    and other.key in words(spec.description) + words(spec.name))):
                found = other.name
        if found and self.tables[found].key_column.type != spec.type:
            return None
        return found

    def ident_of(self, spec: Field, noun: str | None) -> str | None:
        return id_entity(spec, noun, self.known)

    def _natural(self, table: Table) -> bool:
        info = self.entities.get(table.entity)
        return bool(info and info.natural)

    # ------------------------------------------------------------------ passes

    def run(self) -> EnvPlan:
        taken_tools: set[str] = set()
        bound: list[tuple[ToolIn, str, str | None, Field | None]] = []
        self._noun_entities()
        self._session_tables()
        for tool in self.specs.tools:
            ident = unique(identifier(tool.name, "tool"), taken_tools)
            session = K.session_kind(words(tool.name), tool.description)
            if session:
                bound.append((tool, ident, None, None))
                continue
            entity, key = self._bind(tool)
            bound.append((tool, ident, entity, key))
        planned: dict[int, ToolPlan] = {}
        for index, (tool, ident, entity, key) in enumerate(bound):
            if entity is not None:  # entity tools first: they decide which tables are singletons
                planned[index] = self._plan(tool, ident, entity, key)
        self.plans = list(planned.values())
        self._singletons()
        for index, (tool, ident, entity, key) in enumerate(bound):
            if entity is None:
                planned[index] = self._plan(tool, ident, entity, key)
        self.plans = [planned[i] for i in range(len(bound))]
        self._gate()
        self._searchable()
        self._charges()
        self._inverses()
        self._update_shapes()
        for table in list(self.tables.values()):
            for col in table.columns.values():
                if col.references is None and col.spec is not None and not table.lookup and (
                        col.name != table.key or self._natural(table)):
                    col.references = self.references(col.spec, table)
        titles = " ".join(self.specs.titles[:3])
        return EnvPlan(docstring=titles, tables=self.tables, tools=self.plans, session=self.session, users=self.users,
                       user_column=self.user_column)

    def _noun_entities(self) -> None:
        """Entities named only by the noun of a create/list/delete tool (a watchlist, a cart)."""
        for tool in self.specs.tools:
            name_words = words(tool.name)
            verb = K.verb_of(name_words)
            if K.session_kind(name_words, tool.description):
                continue
            nouns = tool_nouns(tool)
            head = nouns[1] if len(nouns) > 1 and "_" in nouns[0] else (nouns[0] if nouns else None)
            if not nouns or nouns[0] in self.entities or head in self.entities:
                continue  # add_issue_comment: a comment (of an issue), not an issue
            writes_rows = verb in K.CREATE or verb in K.DELETE or tool.method in ("post", "delete")
            lists_rows = verb in K.LIST or "history" in name_words or \
                (tool.output is not None and output_rows_field(tool.output) is not None
                 and output_rows_field(tool.output) is not tool.output)
            if not (writes_rows or lists_rows):
                continue
            noun = nouns[1] if len(nouns) > 1 and "_" in nouns[0] else nouns[0]
            scalars = [p for p in tool.params if p.scalar]
            rows = output_rows_field(tool.output)
            if any(self.ident_of(p, noun) in self.entities for p in (rows.properties if rows else [])):
                continue  # it creates or lists an entity its output names (add_contact -> a user)
            id_prop = next((p for p in (rows.properties if rows else []) if self.ident_of(p, noun) == noun), None)
            if id_prop is not None:
                self.entities[noun] = Entity(noun, column(id_prop.name if words(id_prop.name) != ["id"]
                                                          else f"{noun}_id"), id_prop, {id_prop.name})
            elif writes_rows and len(scalars) == 1 and scalars[0].type == "string" and not scalars[0].enum:
                self.entities[noun] = Entity(noun, column(scalars[0].name), scalars[0], {scalars[0].name}, True)
            elif lists_rows or writes_rows:
                self.entities[noun] = Entity(noun, column(f"{noun}_id"), Field(f"{noun}_id", "integer"))

    def _session_tables(self) -> None:
        logins = [t for t in self.specs.tools if K.session_kind(words(t.name), t.description) == "login"]
        if not logins:
            return
        self.session = SESSION_TABLE
        session = Table(name=SESSION_TABLE, entity="session", key="session_id", singleton=True, rows=1)
        session.add(Column("session_id", "integer", None, nullable=False))
        session.add(Column("logged_in", "boolean", None, nullable=False))
        login = logins[0]
        identity = next((p for p in login.params if p.type in ("string", "integer") and column(p.name) not in K.SECRET
                         and not any(w in K.SECRET for w in words(p.name))), None)
        identity = identity or Field("username", "string", "The user's name.")
        entity = self.ident_of(identity, "user") or "user"
        if entity not in self.entities:
            entity = "user"
            self.entities.setdefault("user", Entity("user", column(identity.name), identity, {identity.name},
                                                    natural=True))
        users = self.entity_table(entity)
        user_column = self.column_for(users, identity)
        session.add(Column("signed_in_as", users.columns[user_column].type, users.columns[user_column].spec,
                           references=users.name))
        for param in login.params:
            if any(w in K.SECRET for w in words(param.name)):
                self.column_for(users, param)
        self.users = users.name
        self.tables[SESSION_TABLE] = session
        self.user_column = user_column

    def _bind(self, tool: ToolIn) -> tuple[str | None, Field | None]:
        nouns = tool_nouns(tool)
        noun = nouns[0] if nouns else None
        keys = [(p, self.ident_of(p, noun)) for p in tool.params]
        keys = [(p, e) for p, e in keys if e in self.entities]
        by_noun = next((n for n in nouns if n in self.entities), None)
        verb = K.verb_of(words(tool.name))
        if keys:
            chosen = next(((p, e) for p, e in keys if e == by_noun), None)
            if chosen is None and by_noun is not None:
                return by_noun, None  # a message for a receiver_id: the message is the entity, the id a filter
            chosen = chosen or keys[0]
            return chosen[1], chosen[0]
        rows = output_rows_field(tool.output)
        if rows is not None and (verb in K.CREATE or tool.method == "post"):
            for prop in rows.properties:
                if self.ident_of(prop, by_noun) in self.entities and words(prop.name) != ["id"]:
                    return self.ident_of(prop, by_noun), None
        if by_noun is not None:
            return by_noun, None
        if rows is not None:
            for prop in rows.properties:
                for entity in self.entities.values():
                    if prop.name in entity.aliases or column(prop.name) == entity.key:
                        return entity.name, None
        for param in tool.params:
            if param.type == "array" and singular(column(param.name)) in self.entities:
                return singular(column(param.name)), None
        return None, None

    # ------------------------------------------------------------------ one tool

    def _params(self, tool: ToolIn) -> list[Param]:
        taken: set[str] = set()
        return [Param(spec=p, ident=unique(identifier(p.name, "arg"), taken)) for p in tool.params]

    def _plan(self, tool: ToolIn, ident: str, entity: str | None, key: Field | None) -> ToolPlan:
        name_words = words(tool.name)
        verb = K.verb_of(name_words)
        parts = [s for s in tool.path.strip("/").split("/") if s]
        if len(parts) >= 3 and parts[-2].startswith("{") and not parts[-1].startswith("{") and words(parts[-1]):
            verb = words(parts[-1])[0]  # POST /loans/{loanId}/renew
        plan = ToolPlan(spec=tool, ident=ident, kind="", params=self._params(tool))
        session = K.session_kind(name_words, tool.description)
        if session:
            return self._session_plan(plan, session)
        if entity is None:
            return self._stateless_plan(plan, verb, name_words)
        table = self.entity_table(entity)
        plan.table = table.name
        for param in plan.params:
            if key is not None and param.spec is key:
                param.role, param.column = "key", table.key
        has_key = plan.key is not None
        method = tool.method
        booked = plan.key
        output_names = {p.name for p in (tool.output.properties if tool.output is not None else [])}
        if booked is not None and verb in BOOKINGS and (self._natural(table) or (
                f"{BOOKINGS[verb]}_id" in output_names and BOOKINGS[verb] in self.entities)):
            # book_flight(flight_number, ...): a booking of an existing flight, not a new flight.
            booked.role = "value"
            booking = self.entity_table(BOOKINGS[verb] if BOOKINGS[verb] in self.entities and not
                                        self._natural(table) else f"{table.entity}_{BOOKINGS[verb]}")
            booked.column = booking.add(Column(booked.column or table.key, table.key_column.type, booked.spec,
                                               references=table.name)).name
            table, has_key = booking, False
            plan.table = table.name
        numeric = [p for p in plan.params if p.spec.type in ("number", "integer") and p.role != "key"
                   and (set(words(p.spec.name)) & AMOUNT_WORDS or len(tool.params) == 1 + has_key)]
        if verb in K.TRANSITION and verb not in K.CREATE and (has_key or table.singleton) and verb != "mark":
            plan.kind = "transition"
        elif has_key and method == "post" and verb and verb not in K.CREATE | K.UPDATE | K.DELETE | K.GET:
            plan.kind = "transition"  # an action on one row: POST /orders/{id}/renew
        elif verb in K.DELETE or method == "delete":
            plan.kind = "delete"
        elif (verb in K.INCREASE or verb in K.DECREASE) and numeric and verb not in K.CREATE - {"add"} \
                and not (verb == "add" and not has_key and len(tool.params) > 1):
            plan.kind = "adjust"
        elif verb in K.UPDATE or method in ("put", "patch"):
            plan.kind = "update"
        elif verb in K.CREATE or (method == "post" and not has_key):
            plan.kind = "create"
        elif verb in K.TRANSITION and has_key:
            plan.kind = "transition"
        elif set(name_words) & STATS_WORDS:
            plan.kind = "stats"
        elif has_key:
            plan.kind = "get"
        elif any(p.role != "key" for p in plan.params):
            plan.kind = "search"
        else:
            plan.kind = "list"
        getattr(self, f"_entity_{plan.kind}")(plan, table, verb)
        if plan.key is None and plan.kind in ("update", "transition", "adjust", "get"):
            # No id: the required arguments pick the row (update_issue(owner, repo, title=...)).
            for param in plan.params:
                if param.spec.required and param.spec.scalar and param.role in ("value", "filter") and param.column:
                    param.role = "filter"
            if not any(p.role == "filter" for p in plan.params) and not table.singleton:
                plan.confident = False
                plan.notes.append("no argument identifies the row it acts on; it takes the latest one")
        self._output_columns(plan, table)
        return plan

    def _output_columns(self, plan: ToolPlan, table: Table) -> None:
        if plan.kind not in ("get", "list", "search", "create"):
            return
        rows = output_rows_field(plan.spec.output)
        if rows is None:
            return
        if rows is plan.spec.output and plan.kind in ("list", "search") and len(rows.properties) == 1:
            return  # {"tickets": [...]}: the container, not a row
        for prop in rows.properties:
            prop_words = set(words(prop.name))
            if prop.type == "boolean" and prop_words & (RESULT_WORDS | {"status", "success"}):
                continue
            if prop_words <= RESULT_WORDS and column(prop.name) not in table.columns:
                continue
            if rows is plan.spec.output and prop.type == "array" and plan.kind in ("list", "search"):
                continue  # the list itself
            if column(prop.name) in (table.entity, table.name) and prop.type in ("array", "object"):
                continue
            if prop.type in ("array", "object") and ((prop.items is not None and prop.items.type == "object")
                                                      or prop.type == "object") and \
                    singular(column(prop.name)) in self.known | set(self.entities):
                continue  # an owner's "pets": rows of another table, read when asked (see bodies.value_of)
            self.column_for(table, prop, self.references(prop, table))

    def _value_columns(self, plan: ToolPlan, table: Table, skip_query: bool = False) -> None:
        for param in plan.params:
            if param.role == "key":
                continue
            spec = param.spec
            if spec.type == "object" and (not spec.properties or plan.kind == "update") and set(
                    words(spec.name)) & {"updates", "changes", "fields", "data", "patch", "body", "attributes"}:
                param.role = "updates"
                continue
            references = self.references(spec, table)
            matched = self.match_column(table, spec)
            if matched and references and table.columns[matched].references is None and matched != table.key:
                table.columns[matched].references = references
            if skip_query and matched is None and set(words(spec.name)) & QUERY_WORDS:
                param.role = "query"
                continue
            param.column = matched or self.column_for(table, spec, references)
            if param.column == table.key and self._natural(table):
                param.role = "key"

    def _entity_create(self, plan: ToolPlan, table: Table, verb: str) -> None:
        plan.writes = True
        self._value_columns(plan, table)
        self._stock(plan, table)
        for param in plan.params:
            if param.role == "key" and not self.entities[table.entity].natural:
                param.role = "value"  # a client-chosen id for a new row

    def _stock(self, plan: ToolPlan, table: Table) -> None:
        """A new row that takes from a referenced row's stock (an order of a product, a loan of a book)."""
        for param in plan.params:
            col = table.columns.get(param.column or "")
            if col is None or col.references is None or param.role != "value":
                continue
            other = self.tables[col.references]
            stock = next((c for c in other.columns.values() if c.type in ("integer", "number") and (
                set(words(c.name)) & STOCK_WORDS or _IN_STOCK.search(c.spec.description if c.spec else ""))), None)
            described = " ".join(t.description.lower() for t in self.specs.tools if other.entity in words(t.name))
            if stock is None and "in stock" in described + " " + plan.spec.description.lower():
                stock = other.add(Column("stock", "integer", None))
            if stock is None:
                continue
            plan.stock_param, plan.stock_table, plan.stock_column = param.ident, other.name, stock.name
            quantity = next((p for p in plan.params if p.spec.type == "integer" and
                             set(words(p.spec.name)) & {"quantity", "qty", "count", "units", "copies", "seats",
                                                        "number"}), None)
            plan.quantity_param = quantity.ident if quantity is not None else None
            return

    def _entity_update(self, plan: ToolPlan, table: Table, verb: str) -> None:
        plan.writes = True
        self._value_columns(plan, table)

    def _entity_delete(self, plan: ToolPlan, table: Table, verb: str) -> None:
        plan.writes = True
        scalars = [p for p in plan.params if p.spec.scalar]
        if plan.key is None and len(plan.params) == 1 and scalars and self._natural(table):
            scalars[0].role, scalars[0].column = "key", table.key  # remove_stock_from_watchlist(symbol)
            return
        self._value_columns(plan, table)

    def _update_shapes(self) -> None:
        """A free-form `changes: object` gets the table's editable fields as its properties, so
        its schema says what may go in it and a generator can fill it."""
        for plan in self.plans:
            table = self.tables.get(plan.table or "")
            if table is None:
                continue
            for param in plan.params:
                if param.role != "updates" or param.spec.properties:
                    continue
                owners = {"created_by", "owner", "owner_id", "author"}
                editable = [c for c in table.columns.values() if c.name != table.key and c.name not in owners
                            and c.type in ("string", "integer", "number", "boolean") and c.references is None
                            and c.name not in table.status_values and c.capacity is None]
                param.spec = replace(param.spec, properties=[
                    Field(name=c.name, type=c.type, description=c.spec.description if c.spec else "",
                          enum=c.spec.enum if c.spec else None) for c in editable[:12]])

    def _charges(self) -> None:
        """A create with a price (and a quantity) against an account's balance is paid from
        it: the total is checked (insufficient funds) and taken; a sell side is not charged."""
        accounts = [t for t in self.tables.values() if t.singleton and t.name != self.session and any(
            c.type == "number" and c.name in ("balance", "funds", "cash", "credit") for c in t.columns.values())]
        if not accounts:
            return
        account = accounts[0]
        balance = next(c.name for c in account.columns.values() if c.type == "number"
                       and c.name in ("balance", "funds", "cash", "credit"))
        for plan in self.plans:
            if plan.kind != "create" or plan.table is None or plan.table == account.name:
                continue
            given = {p.ident: p for p in plan.params if p.column}
            price = next((p for p in given.values() if p.spec.type == "number" and set(words(p.spec.name))
                          & {"price", "cost", "unit_price"}), None)
            if price is None:
                continue
            quantity = next((p for p in given.values() if p.spec.type == "integer" and set(words(p.spec.name))
                             & QUANTITY_WORDS), None)
            side = next((p for p in given.values() if p.spec.type == "string" and _buy_sell(p.spec)), None)
            plan.charge = (account.name, balance, str(price.column), quantity.column if quantity else None,
                           side.column if side else None)

    def _inverses(self) -> None:
        """A cancel, return or delete undoes what its row's create took: the stock it took
        goes back, the money it charged is refunded."""
        for plan in self.plans:
            undoes = plan.kind == "delete" or (plan.kind == "transition" and not plan.status_flag
                                               and (plan.target_status or "") in K.RELEASING)
            if not undoes or plan.table is None:
                continue
            create = next((c for c in self.plans if c.kind == "create" and c.table == plan.table
                           and (c.stock_table or c.charge)), None)
            if create is None:
                continue
            by_ident = {p.ident: p for p in create.params}
            if create.stock_table and create.stock_column and create.stock_param in by_ident:
                ref = by_ident[create.stock_param].column
                quantity = by_ident[create.quantity_param].column if create.quantity_param in by_ident else None
                if ref:
                    plan.restock = (create.stock_table, create.stock_column, ref, quantity)
            plan.refund = create.charge

    def _status_column(self, table: Table) -> str:
        existing = next((c for c in table.columns if c == "status" or c.endswith("_status")), None)
        if existing and table.columns[existing].type == "string":
            return existing
        table.add(Column("status", "string", None, nullable=False))
        return "status"

    def _entity_transition(self, plan: ToolPlan, table: Table, verb: str) -> None:
        plan.writes = True
        target = K.target_status(verb)
        flag = next((c for c in (target, f"is_{target}") if c in table.columns and table.columns[c].type == "boolean"),
                    None)
        if flag is not None:  # archive -> archived = true
            plan.status_column, plan.target_status, plan.status_flag = flag, target, True
            self._value_columns(plan, table)
            return
        plan.status_column = self._status_column(table)
        plan.target_status = target
        if plan.target_status not in table.status_values:
            table.status_values.append(plan.target_status)
        self._value_columns(plan, table)

    def _entity_adjust(self, plan: ToolPlan, table: Table, verb: str) -> None:
        plan.writes = True
        plan.adjust_sign = -1 if verb in K.DECREASE else 1
        amount = next(p for p in plan.params if p.role != "key" and p.spec.type in ("number", "integer"))
        amount.role = "amount"
        plan.adjust_column = self._adjusted_column(plan, table, amount)
        capacity = _CAPACITY.search(plan.spec.description)
        plan.capacity = float(capacity.group(1)) if capacity and plan.adjust_sign > 0 else None
        if capacity:  # the seed stays within it too, with room to add some
            adjusted = table.columns[plan.adjust_column]
            adjusted.capacity = min(adjusted.capacity or math.inf, float(capacity.group(1)))

    def _adjusted_column(self, plan: ToolPlan, table: Table, amount: Param) -> str:
        output = plan.spec.output
        numeric = [p for p in (output.properties if output is not None and output.type == "object" else [])
                   if p.type in ("number", "integer")]
        for prop in numeric:
            name_words = [w for w in words(prop.name) if w not in ("new", "current", "updated", "remaining", "total")]
            name = column("_".join(name_words) or prop.name)
            if name in table.columns or len(numeric) == 1:
                table.add(Column(name, prop.type if prop.type == "number" else amount.spec.type, prop))
                return name
        for candidate in ("balance", "quantity", "stock", "level", "credits", "points"):
            hit = next((c for c in table.columns if candidate in c.split("_")
                        and table.columns[c].type in ("number", "integer")), None)
            if hit:
                return hit
        table.add(Column("balance", "number", None, nullable=False))
        return "balance"

    def _entity_get(self, plan: ToolPlan, table: Table, verb: str) -> None:
        self._value_columns(plan, table, skip_query=True)

    def _entity_search(self, plan: ToolPlan, table: Table, verb: str) -> None:
        for param in plan.params:
            spec = param.spec
            name_words = words(spec.name)
            if param.role == "key":
                continue
            if spec.type == "array" and (singular(column(spec.name)) == table.entity or
                                         (spec.items is not None and self.ident_of(spec.items, table.entity))):
                param.role, param.column = "keys", table.key
                continue
            if spec.type in ("number", "integer", "string") and name_words and name_words[0] in (
                    "min", "max", "start", "end", "from", "to", "since", "until", "before", "after") \
                    and len(name_words) > 1:
                param.role = "min" if name_words[0] in ("min", "start", "from", "since", "after") else "max"
                rest = Field("_".join(name_words[1:]), spec.type, spec.description, format=spec.format)
                param.column = self.match_column(table, rest) or self.column_for(table, rest)
                continue
            matched = self.match_column(table, spec)
            reference = self.references(spec, table)
            if matched is None and reference is not None:
                param.role, param.column = "filter", self.column_for(table, spec, reference)
                continue
            if matched is None and (set(name_words) & QUERY_WORDS or spec.type != "string" or (not spec.enum and
                                    spec.type == "string" and len(name_words) == 1 and name_words[0] in
                                    ("keyword", "query", "q", "text", "term", "search"))):
                param.role = "query"
                continue
            param.role = "filter"
            param.column = matched or self.column_for(table, spec)
        if plan.spec.output is not None and plan.spec.output.type == "object" \
                and output_rows_field(plan.spec.output) is plan.spec.output \
                and not any(p.type == "array" for p in plan.spec.output.properties) \
                and not CURRENT_OR_MINE(plan):
            plan.kind = "find"

    def _entity_list(self, plan: ToolPlan, table: Table, verb: str) -> None:
        return None

    def _entity_stats(self, plan: ToolPlan, table: Table, verb: str) -> None:
        self._entity_search(plan, table, verb)
        plan.kind = "stats"

    # ------------------------------------------------------------------ no entity

    def _session_plan(self, plan: ToolPlan, kind: str) -> ToolPlan:
        plan.kind, plan.table = kind, SESSION_TABLE
        plan.writes = kind in ("login", "logout")
        if kind == "login":
            users = self.tables[self.users] if self.users else None
            for param in plan.params:
                if any(w in K.SECRET for w in words(param.spec.name)):
                    param.role = "secret"
                    param.column = column(param.spec.name)
                elif users is not None and param.role == "value" and plan.param("identity") is None:
                    param.role = "identity"
                    param.column = self.match_column(users, param.spec) or users.key
        return plan

    def _stateless_plan(self, plan: ToolPlan, verb: str, name_words: list[str]) -> ToolPlan:
        spec = plan.spec
        output = spec.output
        out_props = output.properties if output is not None and output.type == "object" else []
        numeric = [p for p in plan.params if p.spec.type in ("number", "integer")]
        convert = _CONVERT.match("_".join(name_words))
        if convert and len(plan.params) == 1 and numeric:
            plan.kind = "convert"
            pair = (singular(convert.group(1)), singular(convert.group(2)))
            plan.factor = UNIT_FACTORS.get(pair)
            if plan.factor is None:
                plan.factor, plan.confident = 1.0, False
                plan.notes.append(f"no known factor for {pair[0]} -> {pair[1]}; set FACTORS")
            return plan
        if (verb in K.INCREASE or verb in K.DECREASE) and numeric:
            table = self._singleton_with([column(p.name) for p in out_props])
            plan.table = table.name
            self._entity_adjust(plan, table, verb)
            plan.kind = "adjust"
            return plan
        is_read = verb in K.GET | K.LIST | K.SEARCH or bool(set(name_words) & K.OUTSIDE) \
            or verb in ("estimate", "calculate", "compute", "convert", "check", "find", "count")
        is_setting = verb in K.SETTING | K.UPDATE | K.CREATE | K.DELETE | set(K.TRANSITION) and verb not in K.GET
        if plan.params and all(p.spec.type in ("array", "object") for p in plan.params) and not is_setting:
            plan.kind, plan.confident = "echo", False
            plan.notes.append("returns its input: the spec says nothing about state it reads")
            return plan
        if is_read and not is_setting:
            if len(plan.params) == 1 and plan.params[0].spec.enum and self.has_settings:
                plan.kind, plan.table = "state_view", self.state_table().name
                plan.params[0].role = "selector"
                return plan
            if plan.params:
                return self._lookup_plan(plan, name_words)
            table = self._singleton_with([column(p.name) for p in out_props])
            plan.kind, plan.table = "state_read", table.name
            for prop in out_props:
                self.column_for(table, prop)
            return plan
        table = self._singleton_with([column(p.name) for p in out_props])
        plan.kind, plan.table, plan.writes = "setting", table.name, True
        self._setting_columns(plan, table, verb, out_props)
        return plan

    def _singleton_with(self, columns: list[str]) -> Table:
        for table in self.tables.values():
            if table.singleton and table.name != SESSION_TABLE and any(c in table.columns for c in columns):
                return table
        for table in self.tables.values():
            if table.singleton and table.name != SESSION_TABLE and table.name != STATE_TABLE:
                return table
        return self.state_table()

    def _lookup_plan(self, plan: ToolPlan, name_words: list[str]) -> ToolPlan:
        nouns = [w for w in name_words if w not in K.FILLER and w not in K.GET | K.SEARCH | {"estimate", "calculate"}]
        entity = "_".join(nouns[:3]) or plan.ident
        table = Table(name=_table_name(entity, self.table_names), entity=entity, key="", lookup=True, rows=24)
        plan.kind, plan.table = "lookup", table.name
        for param in plan.params:
            param.role = "filter"
            param.column = column(param.spec.name)
            table.add(Column(param.column, param.spec.type, param.spec, nullable=False))
            table.lookup_keys.append(param.column)
        table.key = table.lookup_keys[0]
        output = plan.spec.output
        props = output.properties if output is not None and output.type == "object" else []
        for prop in props:
            name = column(prop.name)
            if name not in table.columns:
                table.add(Column(name, prop.type, prop))
        if not props:  # no output schema: one value named after what the tool reads
            name = column(entity) if column(entity) not in table.columns else "result"
            numeric = set(entity.split("_")) & {"rate", "price", "temperature", "distance", "score", "percent",
                                                "amount", "cost", "level", "speed", "count", "total", "humidity"}
            kind = output.type if output is not None else ("number" if numeric else "string")
            table.add(Column(name, kind, Field(name, kind, plan.spec.description)))
        self.tables[table.name] = table
        return plan

    def _setting_columns(self, plan: ToolPlan, table: Table, verb: str, out_props: list[Field]) -> None:
        statusish = [p for p in out_props if p.type == "string" and (
            p.enum or set(words(p.name)) & {"status", "state", "mode"})]
        for prop in out_props:
            if not (set(words(prop.name)) <= RESULT_WORDS | {"status"} and prop.type == "string"
                    and not prop.enum and prop not in statusish) or prop in statusish:
                self.column_for(table, prop)
        enums = [p for p in plan.params if p.spec.enum or p.spec.type == "boolean"]
        for param in plan.params:
            spec = param.spec
            target = None
            for prop in out_props:
                prop_words = words(prop.name)
                if words(spec.name) and words(spec.name)[-1] in prop_words and prop.type == spec.type:
                    target = column(prop.name)
                    break
            if target is None and len(enums) == 1 and param is enums[0] and len(statusish) == 1:
                target = column(statusish[0].name)
                param.role = "state"
            if target is None:
                generic = set(words(spec.name)) <= {"mode", "option", "value", "type", "level", "state", "status",
                                                    "setting", "on", "enabled", "flag"}
                noun = [w for w in words(plan.spec.name) if w not in K.SETTING and w not in K.FILLER]
                name = f"{'_'.join(noun[:2])}_{column(spec.name)}" if generic and noun else column(spec.name)
                target = column(name)
                table.add(Column(target, spec.type, spec))
            param.column = target
        generic_verbs = {"set", "adjust", "configure", "select", "choose", "apply", "navigate", "toggle", "turn",
                         "switch", "mode", ""}
        if len(statusish) == 1 and not any(p.role == "state" for p in plan.params) and (
                not plan.params or verb not in generic_verbs) and column(statusish[0].name) not in [
                    p.column for p in plan.params]:
            plan.status_column = column(statusish[0].name)
            plan.target_status = K.target_status(verb)
            values = [str(v).lower() for v in (statusish[0].enum or [])]
            if values and plan.target_status not in values:
                plan.target_status = next((v for v in values if v[:4] == plan.target_status[:4]), plan.target_status)
        elif not plan.params:
            plan.confident = False
            plan.notes.append("takes no arguments and names no state it changes")

    # ------------------------------------------------------------------ whole env

    def _singletons(self) -> None:
        keyed = {p.table for p in self.plans if p.key is not None or p.kind in ("create", "delete")}
        for table in self.tables.values():
            if not table.singleton and not table.lookup and table.name not in keyed and table.name != self.users:
                mine = [p for p in self.plans if p.table == table.name]
                if all(p.kind in ("get", "list", "adjust", "update", "setting", "state_read", "transition")
                       for p in mine):
                    table.singleton, table.rows = True, 1
                    for plan in mine:
                        plan.kind = "get" if plan.kind == "list" else plan.kind

    def _searchable(self) -> None:
        """A keyword search needs words to find: a table with no text gets a name."""
        for plan in self.plans:
            table = self.tables.get(plan.table or "")
            if table is None or table.singleton or table.lookup or not any(p.role == "query" and p.spec.type == "string"
                                                                           for p in plan.params):
                continue
            texts = [c for c in table.columns.values() if c.type == "string" and c.name != table.key
                     and not (c.spec is not None and c.spec.enum) and c.references is None]
            if not texts:
                table.add(Column("name", "string", Field("name", "string", f"The {table.entity}'s name.")))

    def _gate(self) -> None:
        """Behind a login: writes, and reads of 'the current user's' things; rows get an owner."""
        if self.session is None or self.users is None:
            return
        users = self.tables[self.users]
        session = self.tables[SESSION_TABLE]
        for plan in self.plans:
            if plan.table == self.users and plan.key is None and plan.kind in ("get", "list", "update") \
                    and CURRENT_OR_MINE(plan):
                # "Change the signed-in member's phone": the row is the user's own, not one its values pick.
                plan.own_row, plan.needs_login = True, True
                plan.kind = "get" if plan.kind == "list" else plan.kind
                plan.confident = True
                plan.notes = [n for n in plan.notes if "identifies the row" not in n]
                for param in plan.params:
                    param.role = "value" if param.role == "filter" else param.role
                continue
            if plan.kind in ("login", "logout", "session_status", "convert") or (plan.table == self.users \
                    and plan.kind not in ("create", "delete", "update")):
                continue
            mine = CURRENT_OR_MINE(plan)
            plan.needs_login = plan.writes or mine or plan.kind in ("stats", "state_read")
            table = self.tables.get(plan.table or "")
            if table is None or table.singleton or table.lookup or table.name == self.users:
                continue
            if plan.kind in ("create", "list", "stats", "search", "delete") and (plan.kind == "create" or mine):
                owner = next((c for c in table.columns if c in ("created_by", "owner", "owner_id", "author",
                                                                  "sender_id", "sender", "username", "user_id")
                              and c != table.key), None)
                if owner is None:
                    owner = "created_by" if "created_by" not in table.columns else "owner"
                    table.add(Column(owner, session.columns["signed_in_as"].type, users.key_column.spec,
                                     references=users.name))
                table.columns[owner].references = users.name
                plan.owner_column = owner if (plan.kind == "create" or mine) else None


def _buy_sell(spec: Field) -> bool:
    said = " ".join([spec.description.lower(), *(str(v).lower() for v in spec.enum or [])])
    return bool(re.search(r"\bbuy\b", said) and re.search(r"\bsell\b", said))


def CURRENT_OR_MINE(plan: ToolPlan) -> bool:
    text = plan.spec.description
    name_words = words(plan.spec.name)
    return bool(K.CURRENT_USER.search(text)) or "my" in name_words or ("user" in name_words and not plan.params) \
        or "sent" in name_words or ("user" in name_words and plan.kind in ("list", "search"))


def classify(specs: SpecSet) -> EnvPlan:
    return Classifier(specs).run()
