"""What the compiler decided: tables, columns and each tool's operation. Rendered by `render`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from toolace_mt.compiler.spec_model import Field, ToolIn

# Values a description lists in parentheses: "Type of the order (Buy/Sell)".
LISTED_VALUES = re.compile(r"\(\s*([A-Za-z][\w ]{0,20}(?:\s*/\s*[A-Za-z][\w ]{0,20}){1,5})\s*\)")
# Quoted values a description lists: "One of 'economy', 'compact', 'suv'", "'none', 'basic' or 'full'".
QUOTED_VALUES = re.compile(r"(['\"])([\w-]{1,24})\1(?:\s*(?:,|\bor\b|\band\b|/)\s*(?:or\s+)?(['\"])[\w-]{1,24}\3){1,9}")


def listed_values(description: str) -> list[str]:
    """The values a description lists for a field, in order: "(Buy/Sell)" or quoted ones."""
    found = LISTED_VALUES.search(description)
    if found:
        return [v.strip() for v in found.group(1).split("/")]
    quoted = QUOTED_VALUES.search(description)
    if quoted:
        return list(dict.fromkeys(re.findall(r"['\"]([\w-]{1,24})['\"]", quoted.group(0))))
    return []


SQL_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN",
             "array": "VARCHAR", "object": "VARCHAR"}  # arrays/objects are stored as JSON text


@dataclass
class Column:
    name: str
    type: str
    spec: Field | None = None  # a spec field with this meaning (description, enum, examples)
    references: str | None = None  # table whose key this column holds
    nullable: bool = True
    capacity: float | None = None  # the most it can hold ("the tank can hold up to 50 gallons")
    held: bool = False  # who holds the row (a leaseholder): empty on the rows nobody holds

    @property
    def sql(self) -> str:
        return SQL_TYPES.get(self.type, "VARCHAR")

    @property
    def json(self) -> bool:
        return self.type in ("array", "object")


@dataclass
class Table:
    name: str
    entity: str  # the singular noun, "ticket"
    key: str
    columns: dict[str, Column] = field(default_factory=dict)
    singleton: bool = False  # one row: session or device/account state
    lookup: bool = False  # outside data keyed by the inputs of a read
    lookup_keys: list[str] = field(default_factory=list)
    rows: int = 30
    id_prefix: str = ""  # string ids: prefix + number
    id_start: int = 1
    id_width: int = 0
    status_values: list[str] = field(default_factory=list)
    # A membership (a track in a playlist): the entities whose keys a row pairs, each pair once.
    pairs: list[str] = field(default_factory=list)

    def add(self, column: Column) -> Column:
        existing = self.columns.get(column.name)
        if existing is None:
            self.columns[column.name] = column
            return column
        if existing.spec is None or (not existing.spec.enum and column.spec is not None and (
                column.spec.enum or (listed_values(column.spec.description)
                                     and not listed_values(existing.spec.description)))):
            existing.spec = column.spec or existing.spec
        existing.references = existing.references or column.references
        return existing

    @property
    def key_column(self) -> Column:
        return self.columns[self.key]

    def json_columns(self) -> list[str]:
        return [c.name for c in self.columns.values() if c.json]


@dataclass
class Param:
    spec: Field
    ident: str  # the Python parameter name (== spec name when that is safe)
    column: str | None = None  # the column of the tool's table it maps to
    role: str = "value"  # key | value | filter | min | max | keys | updates | record | secret | identity | amount
    # | vacant (a list flag: only the rows whose held column is empty)
    # role "record": an object whose properties are the row's fields (createContact(contact={...})),
    # property name -> column
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class ToolPlan:
    spec: ToolIn
    ident: str
    kind: str
    table: str | None = None
    params: list[Param] = field(default_factory=list)
    writes: bool = False
    confident: bool = True
    needs_login: bool = False
    own_row: bool = False  # acts on the signed-in user's own row of the users table
    owner_column: str | None = None
    target_status: str | None = None
    stock_param: str | None = None  # create: the parameter naming the row whose stock it takes
    stock_table: str | None = None
    stock_column: str | None = None
    quantity_param: str | None = None
    status_flag: bool = False  # the status is a boolean column named after it (archived)
    flag_value: bool = True  # what the transition sets that flag to (unlock: locked = false)
    status_column: str | None = None
    # A transition's preconditions the description states: only from these statuses ("cancel
    # a confirmed reservation"), never from these ("a shipment that has not been dispatched").
    allowed_from: list[str] = field(default_factory=list)
    forbidden_from: list[str] = field(default_factory=list)
    adjust_column: str | None = None
    adjust_sign: int = 1
    shift_days: bool = False  # the adjusted column is a date, moved by the amount in days
    capacity: float | None = None
    factor: float | None = None
    offset: float = 0.0
    # An order's money: (account table, balance column, price column, quantity column or
    # None, side column or None). On a create: charged; on its cancel/delete: given back.
    charge: tuple[str, str, str, str | None, str | None] | None = None
    # A cancel/return/delete of a row whose create took stock: (stock table, stock column,
    # the row's column naming the stocked row, its quantity column or None), put back.
    restock: tuple[str, str, str, str | None] | None = None
    refund: tuple[str, str, str, str | None, str | None] | None = None
    # A payment of the row's amount from the balance of the row it refers to (pay an invoice
    # from the customer's credit): (account table, balance column, the row's reference
    # column, the row's amount column).
    pay_from: tuple[str, str, str, str] | None = None
    # A list of the rows a flag marks (listLikedTracks: liked = true): column -> value.
    fixed_filters: dict[str, Any] = field(default_factory=dict)
    # A give-up (relinquish a plot): the held columns it empties; a write that puts someone in
    # a held column only when it is empty ("fails if the plot is already leased").
    clears: list[str] = field(default_factory=list)
    needs_empty: list[str] = field(default_factory=list)
    stamps: list[str] = field(default_factory=list)  # date columns a write sets to now (leasedSince)
    # A create refused while the row it refers to is in a state ("cannot be aliquoted until
    # released"): (parameter, referred table, its status column, the state).
    parent_states: list[tuple[str, str, str, str]] = field(default_factory=list)
    row_type: tuple[str, str] | None = None  # (type column, value): lock_door acts on locks only
    group_by: str | None = None  # stats: the column whose values it counts rows by (a map, status -> count)
    notes: list[str] = field(default_factory=list)
    body: str | None = None  # a body written by a model (the openai backend), replacing the rules'

    def fields_written(self) -> list[str]:
        """Columns a record/updates object of this tool may set."""
        return [c for p in self.params if p.role in ("record", "updates") for c in p.fields.values()]

    def param(self, role: str) -> Param | None:
        return next((p for p in self.params if p.role == role), None)

    @property
    def key(self) -> Param | None:
        return self.param("key")


@dataclass
class EnvPlan:
    docstring: str
    tables: dict[str, Table]
    tools: list[ToolPlan]
    session: str | None = None  # the session table's name
    users: str | None = None  # the table logins check
    user_column: str | None = None  # the users column a login names
    helpers: dict[str, str] = field(default_factory=dict)  # name -> purpose, for collision checks
    # The seeded session: logged out (the login is part of every dialogue that needs it) unless
    # the probes cannot reach the gated tools through the login (see compile_specs).
    start_logged_in: bool = False
    seed_body: str | None = None  # a seed() body written by a model (the openai backend), replacing the rules'
    extra: dict[str, Any] = field(default_factory=dict)
