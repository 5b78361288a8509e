"""The tables a spec set implies, and which column each spec field maps to.

Every classifying pass shares one Catalog: the entities found, the tables made for them,
and the plans made so far. Columns are added as the passes meet fields that need them.
"""

from __future__ import annotations

from toolace_mt.compiler import kinds as K
from toolace_mt.compiler.entities import (
    QUERY_WORDS,
    RESULT_WORDS,
    Entity,
    discover,
    id_entity,
    known_nouns,
    output_rows_field,
)
from toolace_mt.compiler.names import column, identifier, plural, singular, unique, words
from toolace_mt.compiler.plan import Column, Param, Table, ToolPlan
from toolace_mt.compiler.spec_model import Field, SpecSet

PEOPLE = {"user", "member", "customer", "employee", "person", "contact", "player", "agent", "staff", "account"}
STATE_TABLE = "state"
# Names of an object parameter that holds a row's fields.
RECORD_WORDS = {"body", "payload", "input", "record", "fields", "data", "attributes", "properties", "details",
                "values", "item", "entry", "resource", "object"}
SESSION_TABLE = "session"


def table_name(entity: str, taken: set[str]) -> str:
    return unique(identifier(plural(singular(entity)), "items"), taken)  # branch_hours, not branch_hourses


class Catalog:
    """Entities, their tables and columns, and the tool plans made so far."""

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
        table = Table(name=table_name(entity, self.table_names), entity=entity, key=info.key or column(f"{entity}_id"))
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

    def singleton_with(self, columns: list[str]) -> Table:
        """The one-row table holding any of `columns`, else any one-row table, else `state`."""
        for table in self.tables.values():
            if table.singleton and table.name != SESSION_TABLE and any(c in table.columns for c in columns):
                return table
        for table in self.tables.values():
            if table.singleton and table.name != SESSION_TABLE and table.name != STATE_TABLE:
                return table
        return self.state_table()

    def natural(self, table: Table) -> bool:
        info = self.entities.get(table.entity)
        return bool(info and info.natural)

    def ident_of(self, spec: Field, noun: str | None) -> str | None:
        return id_entity(spec, noun, self.known)

    # ------------------------------------------------------------------ columns

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
            if found is None and other is not table and self.natural(other) and not other.singleton and (
                    other.key == column(spec.name) or (other.entity in words(spec.description)[:6]
                    and other.key in words(spec.description) + words(spec.name))):
                found = other.name
        name_words = words(spec.name)
        if found is None and len(name_words) >= 2 and name_words[0] in K.ROLES:  # current_slot: a slot's key
            found = next((o.name for o in self.tables.values() if o is not table and self.natural(o)
                          and not o.singleton and o.key == column("_".join(name_words[1:]))), None)
        if found is None and name_words and name_words[-1] in K.PEOPLE_ROLES and spec.type == "string":
            people = [t for t in self.tables.values() if t is not table and not t.singleton and not t.lookup
                      and t.entity in PEOPLE and self.natural(t)]
            found = people[0].name if len(people) == 1 else None  # an assignee is a member's username
        if found and self.tables[found].key_column.type != spec.type:
            return None
        return found

    def value_columns(self, plan: ToolPlan, table: Table, skip_query: bool = False) -> None:
        """Each non-key parameter of a tool on `table` gets the column it sets or matches."""
        for param in plan.params:
            if param.role == "key" or (param.role == "value" and param.column in table.columns):
                continue  # the key, or a column chosen already (a booking's flight, an assignee)
            spec = param.spec
            if spec.type == "object" and (not spec.properties or plan.kind == "update") and set(
                    words(spec.name)) & {"updates", "changes", "fields", "data", "patch", "body", "attributes"}:
                param.role = "updates"
                self.record_columns(param, table)  # {"email", "phone"}: editable fields of the row
                continue
            if self.is_record(plan, table, spec):
                param.role = "record"
                self.record_columns(param, table)
                continue
            references = self.references(spec, table)
            matched = self.match_column(table, spec)
            if matched and references and table.columns[matched].references is None and matched != table.key:
                table.columns[matched].references = references
            if skip_query and matched is None and set(words(spec.name)) & QUERY_WORDS:
                param.role = "query"
                continue
            param.column = matched or self.column_for(table, spec, references)
            if param.column == table.key and self.natural(table):
                param.role = "key"

    def is_record(self, plan: ToolPlan, table: Table, spec: Field) -> bool:
        """An object holding the new row's fields: `createContact(contact={firstName, ...})`,
        `create_order(body={...})`, or the one object a create takes."""
        scalars = [p for p in spec.properties if p.scalar]
        if spec.type != "object" or not scalars or plan.kind not in ("create", "update"):
            return False
        named = singular(column(spec.name)) in (table.entity, table.entity.split("_")[-1]) or bool(
            set(words(spec.name)) & RECORD_WORDS)
        return named or (len(plan.params) == 1 and plan.kind == "create")

    def record_columns(self, param: Param, table: Table) -> None:
        """Each scalar property of an object parameter is a column of the row (matched or added)."""
        for prop in param.spec.properties:
            if not prop.scalar:
                continue
            info = self.entities.get(table.entity)
            if info is not None and (prop.name in info.aliases or words(prop.name) == ["id"]):
                continue  # the row's own id is the table's to give
            references = self.references(prop, table)
            matched = self.match_column(table, prop)
            param.fields[prop.name] = matched or self.column_for(table, prop, references)

    def output_columns(self, plan: ToolPlan, table: Table) -> None:
        """The row fields a read or create returns become columns of its table."""
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
            counted = words(prop.name)
            if prop.type == "integer" and counted[-1:] == ["count"] and len(counted) > 1 and \
                    singular("_".join(counted[:-1])) in self.known | set(self.entities):
                continue  # trackCount: counted from the rows when read (bodies.shapes), never stored stale
            if prop.type in ("array", "object") and ((prop.items is not None and prop.items.type == "object")
                                                      or prop.type == "object") and \
                    singular(column(prop.name)) in self.known | set(self.entities):
                continue  # an owner's "pets": rows of another table, read when asked (see bodies.value_of)
            self.column_for(table, prop, self.references(prop, table))
