"""The `tau_retail` env's state in tau-bench's own JSON shape, to compare with tau-bench.

tau-bench keeps its retail state as three dicts (`users`, `orders`, `products`, each by
id); `export_state` rebuilds exactly those from the env's tables, so a state reached in
our engine can be checked record by record against one reached by tau-bench's tools.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from sandbox import Environment, StateDiff

Kind = Literal["users", "orders", "products"]
KINDS: tuple[Kind, ...] = ("users", "orders", "products")

# Keys an order gains from a request; absent (not null) until then, as in tau-bench.
_ORDER_EXTRAS = ("cancel_reason", "exchange_items", "exchange_new_items", "exchange_payment_method_id",
                 "exchange_price_difference", "return_items", "return_payment_method_id")
_ORDER_DOCS = ("exchange_items", "exchange_new_items", "return_items")


class GoldAction(BaseModel):
    """One gold action of a tau-bench task and the exact string tau-bench returned."""

    name: str
    kwargs: dict[str, Any]
    output: str


class GoldTask(BaseModel):
    """A tau-bench test task as recorded in tasks_test.jsonl."""

    index: int
    user_id: str
    actions: list[GoldAction]
    changed: dict[Kind, dict[str, Any]] = {}


def load_tasks(path: str | Path) -> list[GoldTask]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [GoldTask.model_validate_json(line) for line in lines if line.strip()]


def reference_output(text: str) -> Any:
    """A tau-bench tool output as data: parsed JSON where it parses, else the string itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def export_state(env: Environment, ids: dict[Kind, set[str]] | None = None) -> dict[str, dict[str, Any]]:
    """The env's state as tau-bench's `{"users": {...}, "orders": {...}, "products": {...}}`.

    With `ids`, only those records (by kind; a kind left out is exported whole).
    """
    if not {"users", "orders", "products"} <= set(env.tables):
        raise ValueError(f"export_state needs the tau_retail env's tables; env {env.name} has {sorted(env.tables)}")

    def rows(table: Kind, key: str) -> list[dict[str, Any]]:
        if ids is None or table not in ids:
            return env.query(f"SELECT * FROM {table} ORDER BY {key}")
        return env.query(f"SELECT * FROM {table} WHERE list_contains(?, {key}) ORDER BY {key}", [sorted(ids[table])])

    users = {row["user_id"]: {"name": {"first_name": row["first_name"], "last_name": row["last_name"]},
                              "address": row["address"], "email": row["email"],
                              "payment_methods": {m["id"]: m for m in json.loads(row["payment_methods"])},
                              "orders": json.loads(row["orders"])} for row in rows("users", "user_id")}
    orders = {row["order_id"]: order_record(row) for row in rows("orders", "order_id")}
    products = {row["product_id"]: {"name": row["name"], "product_id": row["product_id"],
                                    "variants": json.loads(row["variants"])} for row in rows("products", "product_id")}
    return {"users": users, "orders": orders, "products": products}


def changed_ids(diff: StateDiff) -> dict[Kind, set[str]]:
    """Ids of the records a state diff touches, by tau-bench kind (each kind is one table)."""
    keys: dict[Kind, str] = {"users": "user_id", "orders": "order_id", "products": "product_id"}
    ids: dict[Kind, set[str]] = {kind: set() for kind in KINDS}
    for kind in KINDS:
        change = diff.tables.get(kind)
        if change is not None:
            ids[kind].update(row[keys[kind]] for row in [*change.added, *change.removed])
            ids[kind].update(row.key[keys[kind]] for row in change.changed)
    return ids


def order_record(row: dict[str, Any]) -> dict[str, Any]:
    """One `orders` row as tau-bench's order dict (its lists are JSON text columns)."""
    order = {"order_id": row["order_id"], "user_id": row["user_id"], "address": row["address"],
             "items": json.loads(row["items"]), "fulfillments": json.loads(row["fulfillments"]),
             "status": row["status"], "payment_history": json.loads(row["payment_history"])}
    for key in _ORDER_EXTRAS:
        if row[key] is not None:
            order[key] = json.loads(row[key]) if key in _ORDER_DOCS else row[key]
    return order


def load_reference_state(directory: str | Path) -> dict[str, dict[str, Any]]:
    """tau-bench's initial state from its three JSON files."""
    return {kind: json.loads((Path(directory) / f"{kind}.json").read_text(encoding="utf-8")) for kind in KINDS}


def same_value(ours: Any, theirs: Any, tolerance: float = 1e-6) -> bool:
    """Equal as JSON data, numbers within `tolerance` (tau-bench mixes ints and floats)."""
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return ours is theirs
    if isinstance(ours, (int, float)) and isinstance(theirs, (int, float)):
        return abs(ours - theirs) <= tolerance
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return ours.keys() == theirs.keys() and all(same_value(ours[k], theirs[k], tolerance) for k in ours)
    if isinstance(ours, list) and isinstance(theirs, list):
        return len(ours) == len(theirs) and all(same_value(a, b, tolerance) for a, b in zip(ours, theirs, strict=True))
    return type(ours) is type(theirs) and ours == theirs
