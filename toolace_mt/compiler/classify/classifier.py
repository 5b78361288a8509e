"""The classifying passes in order: entities, session, binding, each tool's plan, then
the env-wide passes (one-row tables, login gate, keyword search, charges, inverses)."""

from __future__ import annotations

from dataclasses import replace

from toolace_mt.compiler import kinds as K
from toolace_mt.compiler.classify.binding import bind, natural_keys, noun_entities
from toolace_mt.compiler.classify.catalog import Catalog
from toolace_mt.compiler.classify.holders import holders
from toolace_mt.compiler.classify.key_names import name_bare_keys
from toolace_mt.compiler.classify.money import charges, inverses, payments
from toolace_mt.compiler.classify.operation import plan_tool
from toolace_mt.compiler.classify.row_types import row_types
from toolace_mt.compiler.classify.session import gate, session_tables
from toolace_mt.compiler.classify.states import required_states
from toolace_mt.compiler.classify.writes import update_shapes
from toolace_mt.compiler.entities import output_rows_field
from toolace_mt.compiler.names import identifier, plural, unique, words
from toolace_mt.compiler.plan import Column, EnvPlan, Table, ToolPlan
from toolace_mt.compiler.seed_plan import assign_id_prefixes
from toolace_mt.compiler.spec_model import Field, SpecSet, ToolIn

ONE_ROW_KINDS = ("get", "list", "adjust", "update", "setting", "state_read", "transition")


def classify(specs: SpecSet) -> EnvPlan:
    """Each tool bound to a table and given a kind; the tables' columns collected on the way."""
    cat = Catalog(specs)
    taken_tools: set[str] = set()
    bound: list[tuple[ToolIn, str, str | None, Field | None]] = []
    noun_entities(cat)
    natural_keys(cat)
    session_tables(cat)
    for tool in specs.tools:
        ident = unique(identifier(tool.name, "tool"), taken_tools)
        if K.session_kind(words(tool.name), tool.description):
            bound.append((tool, ident, None, None))
            continue
        entity, key = bind(cat, tool)
        bound.append((tool, ident, entity, key))
    # Device settings are state a view can show (displayCarStatus(option)); a release_specimen
    # on a row is no setting, and a reading by an option (freezer_reading(freezer)) is a lookup.
    cat.has_settings = any(entity is None and K.verb_of(words(tool.name)) in K.SETTING
                           for tool, _, entity, _ in bound)
    planned: dict[int, ToolPlan] = {}
    for index, (tool, ident, entity, key) in enumerate(bound):
        if entity is not None:  # entity tools first: they decide which tables are singletons
            planned[index] = plan_tool(cat, tool, ident, entity, key)
    cat.plans = list(planned.values())
    _singletons(cat)
    for index, (tool, ident, entity, key) in enumerate(bound):
        if entity is None:
            planned[index] = plan_tool(cat, tool, ident, entity, key)
    cat.plans = [planned[i] for i in range(len(bound))]
    gate(cat)
    _flag_lists(cat)
    _searchable(cat)
    charges(cat)
    inverses(cat)
    payments(cat)
    holders(cat)
    update_shapes(cat)
    for table in list(cat.tables.values()):
        for col in table.columns.values():
            if col.references is None and col.spec is not None and not table.lookup and (
                    col.name != table.key or cat.natural(table)):
                col.references = cat.references(col.spec, table)
    row_types(cat)
    required_states(cat)  # after the references: a state can block a create on a row that refers to it
    _listed_elsewhere(cat)
    assign_id_prefixes([t for t in cat.tables.values() if not t.lookup and not t.singleton])
    _clear_of_helpers(cat, taken_tools)
    titles = " ".join(specs.titles[:3])
    env = EnvPlan(docstring=titles, tables=cat.tables, tools=cat.plans, session=cat.session, users=cat.users,
                  user_column=cat.user_column)
    name_bare_keys(env)  # last: it reads the columns' spellings, which every pass above may add to
    return env


def entity_helpers(tables: list[Table]) -> set[str]:
    """Module-level names the rendered module gives each table (render.helper_lines)."""
    names: set[str] = set()
    for table in tables:
        names |= {f"load_{table.entity}", f"next_{table.entity}_id", f"current_{table.entity}",
                  f"UPDATABLE_{table.name.upper()}"}
    return names


def _clear_of_helpers(cat: Catalog, taken: set[str]) -> None:
    """A tool named like a table's helper (a `load_order` tool beside the `load_order` the
    bodies call) is renamed, so that it does not replace the helper."""
    helpers = entity_helpers(list(cat.tables.values()))
    taken |= helpers
    for plan in cat.plans:
        if plan.ident in helpers:
            plan.ident = unique(f"{plan.ident}_tool", taken)


def _flag_lists(cat: Catalog) -> None:
    """A list named after a flag a transition sets (listLikedTracks, list_archived_notes)
    shows the rows with that flag set."""
    for plan in cat.plans:
        table = cat.tables.get(plan.table or "")
        if table is None or plan.kind not in ("list", "search") or table.lookup:
            continue
        said = set(words(plan.spec.name))
        for other in cat.plans:
            if other.table == plan.table and other.kind == "transition" and other.status_flag and \
                    other.status_column and other.target_status in said:
                plan.fixed_filters[other.status_column] = other.flag_value


def _lists_rows(plan: ToolPlan) -> bool:
    """The tool's output is a list of rows (an array, or {"members": [...]})."""
    output = plan.spec.output
    if output is None:
        return K.verb_of(words(plan.spec.name)) in K.LIST  # list_payment_methods
    return output.type == "array" or output_rows_field(output) not in (None, output)


def _singletons(cat: Catalog) -> None:
    """A table no tool keys, creates or deletes rows of, or lists rows of, holds one row (an
    account, a car)."""
    keyed = {p.table for p in cat.plans if p.key is not None or p.kind in ("create", "delete") or _lists_rows(p)}
    for table in cat.tables.values():
        if not table.singleton and not table.lookup and table.name not in keyed and table.name != cat.users:
            mine = [p for p in cat.plans if p.table == table.name]
            if all(p.kind in ONE_ROW_KINDS for p in mine):
                table.singleton, table.rows = True, 1
                for plan in mine:
                    plan.kind = "get" if plan.kind == "list" else plan.kind


def _searchable(cat: Catalog) -> None:
    """A keyword search needs words to find, a listed row words to be told by: a table with
    no text gets a name."""
    for plan in cat.plans:
        table = cat.tables.get(plan.table or "")
        searched = any(p.role == "query" and p.spec.type == "string" for p in plan.params)
        listed = plan.kind in ("list", "search") and plan.spec.output is None
        if table is None or table.singleton or table.lookup or not (searched or listed):
            continue
        texts = [c for c in table.columns.values() if c.type == "string" and c.name != table.key
                 and not (c.spec is not None and c.spec.enum) and c.references is None]
        if not texts:
            table.add(Column("name", "string", Field("name", "string", f"The {table.entity}'s name.")))


def _listed_elsewhere(cat: Catalog) -> None:
    """A text column with no values of its own takes the enum of a list field named as its
    plural elsewhere in the spec: a frame's `filter` is one of queue_observation's `filters`."""
    lists: dict[str, list] = {}

    def note(field: Field) -> None:
        if field.type == "array" and field.items is not None and field.items.enum:
            lists.setdefault("_".join(words(field.name)), list(field.items.enum))
        for prop in field.properties:
            note(prop)
        if field.items is not None:
            note(field.items)

    for tool in cat.specs.tools:
        for param in tool.params:
            note(param)
        if tool.output is not None:
            note(tool.output)
    for table in cat.tables.values():
        for col in table.columns.values():
            values = lists.get(plural("_".join(words(col.spec.name if col.spec is not None else col.name))))
            if col.type != "string" or not values or col.references is not None or (col.spec and col.spec.enum):
                continue
            col.spec = replace(col.spec, enum=values) if col.spec else Field(col.name, "string", enum=values)
