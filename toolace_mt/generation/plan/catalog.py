"""What the generator knows about an env: its tables and columns, and the tool
dependency graph.

Edges of the graph (ours, after ToolFlow): tool A feeds tool B when a field of A's
output has the name of a parameter of B, or its plural (`seats` feeds `seat`), and the
value types agree. Outputs are not declared by env modules, so they are observed: each
read tool is called on a few real rows at start-up and the keys of its outputs (at any
depth) are recorded. The env is reset afterwards.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sandbox import Environment, ToolSpec
from toolace_mt.generation.plan.id_names import is_single_id, names_a, qualified, singular, snake

PROBES_PER_TOOL = 3


def param_kind(schema: dict[str, Any]) -> str:
    kind = schema.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    return str(kind)


def _keyed_by_id(value: dict[str, Any]) -> bool:
    """A collection stored as a dict keyed by its records' ids ({"gift_card_1": {"id": "gift_card_1", ...}})."""
    return bool(value) and all(isinstance(item, dict) and key in {str(v) for v in item.values()}
                               for key, item in value.items())


def _member_id(collection: str | None) -> str | None:
    """What one member's id is called: `payment_methods` -> `payment_method_id`, `item_ids` -> `item_id`."""
    if not collection:
        return None
    one = singular(snake(collection))
    if is_single_id(one):
        return one
    return f"{one}_id" if one != snake(collection) else None


def walk(value: Any, collection: str | None = None,
         record: dict[str, Any] | None = None) -> Iterator[tuple[str, Any, dict[str, Any] | None]]:
    """(field, value, record holding it) for every field of an output, at any depth.

    A record inside a collection named like `payment_methods` also gives its bare `id`
    as `payment_method_id`, and a list of scalars named `orders` gives `order_id`s: the
    names a consumer's parameters use. A dict keyed by its records' ids is a collection,
    not a record (its keys are values, not fields)."""
    if isinstance(value, dict):
        if _keyed_by_id(value):
            for item in value.values():
                yield from walk(item, collection, record)
            return
        alias = _member_id(collection)
        for key, item in value.items():
            yield key, item, value
            if snake(key) == "id" and alias and alias not in value:
                yield alias, item, value
            if isinstance(item, dict | list):
                yield from walk(item, key, value)
    elif isinstance(value, list):
        alias = _member_id(collection)
        for item in value:
            if isinstance(item, dict | list):
                yield from walk(item, collection, record)
            elif alias and isinstance(item, str | int) and not isinstance(item, bool):
                yield alias, item, record


def output_fields(value: Any, into: dict[str, str] | None = None, about: str | None = None) -> dict[str, str]:
    """{field: json type} for every field of an output (see `walk`); `about`: the kind of
    record the output is (`projects`), whose bare `ID` is then a `project_id`."""
    into = {} if into is None else into
    for key, item, _ in walk(value, about):
        into.setdefault(key, _json_type(item))
    return into


def records_of(catalog: Catalog, tool: str) -> str | None:
    """The table a tool's name names (get_project, list_projects -> `projects`), if one does."""
    nouns = {singular(w) for w in snake(tool).split("_")}
    return next((t for t in sorted(catalog.table_columns) if singular(snake(t)) in nouns), None)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string" if value is not None else "null"


def feeds(field_name: str, field_type: str, param: str, schema: dict[str, Any]) -> bool:
    """Names are compared by their words, so `noteId` feeds `note_id` and `fromAccountId`
    takes an `accountId`."""
    kind = param_kind(schema)
    field_name, param = snake(field_name), snake(param)
    if kind == "array":
        item_kind = param_kind(schema.get("items", {}))
        plural = field_name + "s"
        named = plural == param or (is_single_id(field_name) and names_a(param, plural))
        return named and field_type in (item_kind, "null")
    # `from_account_id` takes an `account_id`; but a product's `name` is no `first_name`, and
    # a bare `id` names no kind of entity (collections give it a name, see `walk`).
    names_match = field_name == param or field_name == param + "s" or (
        is_single_id(field_name) and field_name != "id" and names_a(param, field_name))
    types_match = field_type in (kind, "null", "array") or (kind == "number" and field_type == "integer")
    return names_match and types_match


@dataclass
class Catalog:
    env_name: str
    tools: dict[str, ToolSpec]
    columns: dict[str, list[tuple[str, bool]]]  # column -> [(table, is the table's single primary key)]
    table_columns: dict[str, list[str]]
    primary_keys: dict[str, tuple[str, ...]]
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)  # tool -> observed output fields
    producers: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (tool, param) -> read tools
    probes_ok: dict[str, int] = field(default_factory=dict)  # read tool -> probes that succeeded

    def tables_with(self, column: str) -> list[tuple[str, bool]]:
        return self.columns.get(column, [])


def build_catalog(env: Environment, rng: random.Random, fill: Any) -> Catalog:
    """Index the env's schema and observe its read tools' outputs.

    `fill(catalog, tool, rng)` proposes arguments (values.propose_arguments); it is passed in
    to keep this module about structure only.
    """
    columns: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    table_columns = {}
    keys = {}
    for name, table in sorted(env.tables.items()):
        table_columns[name] = [c.name for c in table.columns]
        keys[name] = table.primary_key
        for column in table.columns:
            columns[column.name].append((name, table.primary_key == (column.name,)))
    catalog = Catalog(env.name, {t.name: t for t in env.tools}, dict(columns), table_columns, keys)
    ids = sorted({p for t in env.tools for p in t.parameters.get("properties", {}) if is_single_id(p)})
    start = env.snapshot()
    for tool in env.tools:
        if tool.writes:
            continue
        seen: dict[str, str] = {}
        for _ in range(PROBES_PER_TOOL):
            arguments = fill(catalog, tool, rng)
            if arguments is None:
                continue
            result = env.call(tool.name, arguments)
            if result.ok:
                output_fields(result.result, seen, records_of(catalog, tool.name))
                if isinstance(result.result, str | int) and not isinstance(result.result, bool):
                    # A bare value is named by the tool: find_user_id_by_email returns a user_id.
                    for name in ids:
                        if f"_{snake(name)}_" in f"_{snake(tool.name)}_":
                            seen.setdefault(name, _json_type(result.result))
                catalog.probes_ok[tool.name] = catalog.probes_ok.get(tool.name, 0) + 1
        catalog.outputs[tool.name] = seen
    env.restore(start)
    link(catalog)
    return catalog


def link(catalog: Catalog) -> None:
    """The graph's edges from the outputs observed so far (again after more are observed)."""
    catalog.producers.clear()
    for tool in catalog.tools.values():
        for param, schema in tool.parameters.get("properties", {}).items():
            names = qualified(param, tool.name)  # get_project(ID) is fed a project_id
            makers = [name for name, fields in catalog.outputs.items()
                      if name != tool.name and any(feeds(f, t, n, schema) for f, t in fields.items() for n in names)]
            if makers:
                catalog.producers[(tool.name, param)] = makers
