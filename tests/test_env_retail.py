"""Behaviour of the built-in retail environment (tool_envs/retail.py)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from sandbox import load_env

SEED = 7


@pytest.fixture(scope="module")
def env():
    with load_env("retail", seed=SEED) as e:
        yield e


@pytest.fixture(autouse=True)
def fresh(env):
    env.reset()


def ok(env, tool: str, args: dict[str, Any]) -> Any:
    r = env.call(tool, args)
    assert r.ok, r.error
    return r.result


def fails(env, tool: str, args: dict[str, Any], *fragments: str) -> str:
    """Call a tool that must fail with a ToolError naming `fragments`, leaving state as it was."""
    before = env.state_hash()
    r = env.call(tool, args)
    assert r.ok is False
    assert r.error.type == "ToolError", r.error
    for fragment in fragments:
        assert fragment in r.error.message
    assert env.state_hash() == before
    return r.error.message


def one(env, sql: str, params: list[Any] | None = None) -> dict[str, Any]:
    rows = env.query(sql, params or [])
    assert rows, f"seed has no row for: {sql}"
    return rows[0]


def order_of_status(env, status: str) -> dict[str, Any]:
    return one(env, "SELECT * FROM orders WHERE status = ? ORDER BY order_id", [status])


def newest_delivered(env) -> dict[str, Any]:
    """A delivered order well inside the 30-day return window, with no returned item."""
    return one(
        env,
        "SELECT * FROM orders o WHERE status = 'delivered' AND NOT EXISTS "
        "(SELECT 1 FROM order_items i WHERE i.order_id = o.order_id AND i.return_id IS NOT NULL) "
        "ORDER BY delivered_on DESC, order_id LIMIT 1",
    )


def today(env) -> date:
    return env.now.date()


def items_of(env, order_id: str) -> list[dict[str, Any]]:
    return env.query("SELECT * FROM order_items WHERE order_id = ? ORDER BY line_no", [order_id])


def stock(env, product_id: str) -> int:
    return one(env, "SELECT stock FROM products WHERE product_id = ?", [product_id])["stock"]


def a_customer(env) -> dict[str, Any]:
    return one(env, "SELECT * FROM customers ORDER BY customer_id LIMIT 1 OFFSET 4")


def in_stock_product(env, minimum: int = 10, offset: int = 0) -> dict[str, Any]:
    return one(
        env,
        "SELECT * FROM products WHERE active AND stock >= ? ORDER BY product_id LIMIT 1 OFFSET ?",
        [minimum, offset],
    )


# ------------------------------------------------------------------ seed & specs

def test_seed_fills_every_table_with_a_mix_of_states(env):
    count = {t: env.query(f"SELECT count(*) AS n FROM {t}")[0]["n"]
             for t in ("customers", "products", "orders", "order_items", "returns")}
    assert count["orders"] >= 100
    assert count["customers"] >= 100
    assert count["products"] >= 50
    assert count["order_items"] > count["orders"]
    assert count["returns"] > 0
    statuses = {r["status"] for r in env.query("SELECT DISTINCT status FROM orders")}
    assert statuses == {"pending", "processing", "shipped", "delivered", "cancelled"}
    assert env.query("SELECT count(*) AS n FROM products WHERE stock = 0")[0]["n"] > 0
    assert env.query("SELECT count(*) AS n FROM products WHERE NOT active")[0]["n"] > 0
    # Every order's total is the sum of its lines; ids are readable and prefixed.
    mismatched = env.query(
        "SELECT o.order_id FROM orders o JOIN order_items i USING (order_id) GROUP BY o.order_id, o.total "
        "HAVING abs(o.total - sum(i.quantity * i.unit_price)) > 0.005"
    )
    assert mismatched == []
    assert all(re.fullmatch(r"#W\d{4}", r["order_id"]) for r in env.query("SELECT order_id FROM orders"))
    emails = env.query("SELECT count(DISTINCT lower(email)) AS n FROM customers")[0]["n"]
    assert emails == count["customers"]


def test_seeding_is_deterministic_per_seed(env):
    with load_env("retail", seed=SEED) as same:
        assert same.state_hash() == env.state_hash()
    with load_env("retail", seed=SEED + 1) as other:
        assert other.state_hash() != env.state_hash()


def test_tool_specs_have_reads_writes_and_valid_phrasing(env):
    specs = {t.name: t for t in env.tools}
    assert set(specs) == {
        "find_customer_by_email", "find_customer_by_name_zip", "get_customer", "list_customer_orders",
        "search_products", "get_product", "get_order", "place_order", "cancel_order",
        "update_shipping_address", "request_return", "get_return",
    }
    writers = {name for name, t in specs.items() if t.writes}
    assert writers == {"place_order", "cancel_order", "update_shipping_address", "request_return"}
    for spec in specs.values():
        assert spec.description
        params = set(spec.parameters["properties"])
        assert 2 <= len(spec.phrasing) <= 3
        for template in spec.phrasing:
            assert set(re.findall(r"\{(\w+)\}", template)) <= params, (spec.name, template)
    items = specs["place_order"].parameters["properties"]["items"]
    assert items["items"]["required"] == ["product_id", "quantity"]


# ------------------------------------------------------------------ customers

def test_find_customer_by_email_ignores_case(env):
    customer = a_customer(env)
    found = ok(env, "find_customer_by_email", {"email": customer["email"].upper()})
    assert found["customer_id"] == customer["customer_id"]
    assert found["email"] == customer["email"]


def test_find_customer_by_email_unknown(env):
    fails(env, "find_customer_by_email", {"email": "nobody@nowhere.example"},
          "no customer with email nobody@nowhere.example")


def test_find_customer_by_name_zip(env):
    customer = a_customer(env)
    found = ok(env, "find_customer_by_name_zip", {
        "first_name": customer["first_name"].lower(), "last_name": customer["last_name"].upper(),
        "zip_code": customer["zip"]})
    assert found["customer_id"] == customer["customer_id"]
    assert found["street"] == customer["street"]


def test_find_customer_by_name_zip_wrong_zip(env):
    customer = a_customer(env)
    wrong_zip = "00000" if customer["zip"] != "00000" else "99999"
    fails(env, "find_customer_by_name_zip",
          {"first_name": customer["first_name"], "last_name": customer["last_name"], "zip_code": wrong_zip},
          f"no customer named {customer['first_name']} {customer['last_name']} with zip code {wrong_zip}")


def test_get_customer_lists_their_orders_newest_first(env):
    cid = one(env, "SELECT customer_id FROM orders GROUP BY customer_id HAVING count(*) >= 2 "
                   "ORDER BY customer_id LIMIT 1")["customer_id"]
    got = ok(env, "get_customer", {"customer_id": cid})
    expected = env.query("SELECT order_id FROM orders WHERE customer_id = ? ORDER BY placed_at DESC", [cid])
    assert got["customer_id"] == cid
    assert [o["order_id"] for o in got["orders"]] == [o["order_id"] for o in expected]
    assert {"status", "placed_at", "total"} <= set(got["orders"][0])


def test_get_customer_unknown(env):
    fails(env, "get_customer", {"customer_id": "C9999"}, "customer C9999 not found")


def test_list_customer_orders_filters_by_status(env):
    cid = order_of_status(env, "delivered")["customer_id"]
    every = ok(env, "list_customer_orders", {"customer_id": cid})
    delivered = ok(env, "list_customer_orders", {"customer_id": cid, "status": "delivered"})
    assert len(every) == one(env, "SELECT count(*) AS n FROM orders WHERE customer_id = ?", [cid])["n"]
    assert delivered and all(o["status"] == "delivered" for o in delivered)
    assert {o["order_id"] for o in delivered} <= {o["order_id"] for o in every}
    assert [o["placed_at"] for o in every] == sorted((o["placed_at"] for o in every), reverse=True)


def test_list_customer_orders_unknown_customer(env):
    fails(env, "list_customer_orders", {"customer_id": "C0001"}, "customer C0001 not found")


# ------------------------------------------------------------------ catalogue

def test_search_products_by_name_and_category(env):
    found = ok(env, "search_products", {"query": "headphones"})
    assert found and all("headphones" in p["name"].lower() for p in found)
    toys = ok(env, "search_products", {"category": "toys", "in_stock_only": True, "limit": 50})
    expected = env.query("SELECT product_id FROM products WHERE category = 'toys' AND active AND stock > 0 "
                         "ORDER BY product_id")
    assert [p["product_id"] for p in toys] == [p["product_id"] for p in expected]
    assert len(ok(env, "search_products", {"limit": 5})) == 5


def test_search_products_limit_out_of_range(env):
    fails(env, "search_products", {"query": "lamp", "limit": 0}, "limit must be between 1 and 50")


def test_get_product(env):
    product = in_stock_product(env)
    got = ok(env, "get_product", {"product_id": product["product_id"]})
    assert got == product


def test_get_product_unknown(env):
    fails(env, "get_product", {"product_id": "P0000"}, "product P0000 not found")


# ------------------------------------------------------------------ orders: read

def test_get_order_returns_items(env):
    order = order_of_status(env, "shipped")
    got = ok(env, "get_order", {"order_id": order["order_id"]})
    assert got["status"] == "shipped"
    assert got["total"] == order["total"]
    assert got["tracking_number"] == order["tracking_number"]
    assert [i["item_id"] for i in got["items"]] == [i["item_id"] for i in items_of(env, order["order_id"])]
    assert got["items"][0]["item_id"] == f"{order['order_id']}-1"


def test_get_order_unknown(env):
    fails(env, "get_order", {"order_id": "#W1"}, "order #W1 not found")


# ------------------------------------------------------------------ place_order

def test_place_order_merges_lines_reserves_stock_and_is_fetchable(env):
    customer = a_customer(env)
    p1, p2 = in_stock_product(env), in_stock_product(env, offset=1)
    last = one(env, "SELECT max(CAST(substr(order_id, 3) AS INTEGER)) AS n FROM orders")["n"]
    order = ok(env, "place_order", {
        "customer_id": customer["customer_id"],
        "items": [{"product_id": p1["product_id"], "quantity": 1}, {"product_id": p2["product_id"], "quantity": 1},
                  {"product_id": p1["product_id"], "quantity": 2}],
        "payment_method": "paypal",
    })
    assert order["order_id"] == f"#W{last + 1}"
    assert order["status"] == "pending"
    assert order["payment_method"] == "paypal"
    assert order["ship_zip"] == customer["zip"] and order["ship_street"] == customer["street"]
    assert [(i["product_id"], i["quantity"]) for i in order["items"]] == [(p1["product_id"], 3), (p2["product_id"], 1)]
    assert order["total"] == round(3 * p1["price"] + p2["price"], 2)
    assert stock(env, p1["product_id"]) == p1["stock"] - 3
    assert stock(env, p2["product_id"]) == p2["stock"] - 1
    row = one(env, "SELECT * FROM orders WHERE order_id = ?", [order["order_id"]])
    assert row["customer_id"] == customer["customer_id"] and row["total"] == order["total"]
    assert len(items_of(env, order["order_id"])) == 2
    assert ok(env, "get_order", {"order_id": order["order_id"]})["items"] == order["items"]
    listed = ok(env, "list_customer_orders", {"customer_id": customer["customer_id"], "status": "pending"})
    assert order["order_id"] in {o["order_id"] for o in listed}


def test_place_order_unknown_customer(env):
    p = in_stock_product(env)
    fails(env, "place_order", {"customer_id": "C0", "items": [{"product_id": p["product_id"], "quantity": 1}]},
          "customer C0 not found")


def test_place_order_needs_items(env):
    fails(env, "place_order", {"customer_id": a_customer(env)["customer_id"], "items": []},
          "at least one item")


def test_place_order_quantity_must_be_positive(env):
    p = in_stock_product(env)
    fails(env, "place_order", {"customer_id": a_customer(env)["customer_id"],
                               "items": [{"product_id": p["product_id"], "quantity": 0}]},
          f"quantity for {p['product_id']} must be at least 1")


def test_place_order_unknown_product(env):
    fails(env, "place_order", {"customer_id": a_customer(env)["customer_id"],
                               "items": [{"product_id": "P9999", "quantity": 1}]},
          "product P9999 not found")


def test_place_order_discontinued_product(env):
    p = one(env, "SELECT * FROM products WHERE NOT active ORDER BY product_id")
    fails(env, "place_order", {"customer_id": a_customer(env)["customer_id"],
                               "items": [{"product_id": p["product_id"], "quantity": 1}]},
          f"product {p['product_id']} ({p['name']}) is discontinued")


def test_place_order_out_of_stock(env):
    p = one(env, "SELECT * FROM products WHERE active AND stock = 0 ORDER BY product_id")
    fails(env, "place_order", {"customer_id": a_customer(env)["customer_id"],
                               "items": [{"product_id": p["product_id"], "quantity": 1}]},
          f"product {p['product_id']} ({p['name']}) is out of stock")


def test_place_order_not_enough_stock_rolls_back_earlier_lines(env):
    good = in_stock_product(env)
    low = one(env, "SELECT * FROM products WHERE active AND stock BETWEEN 1 AND 3 ORDER BY product_id")
    wanted = low["stock"] + 1
    fails(env, "place_order", {"customer_id": a_customer(env)["customer_id"],
                               "items": [{"product_id": good["product_id"], "quantity": 1},
                                         {"product_id": low["product_id"], "quantity": wanted}]},
          f"only {low['stock']} units of {low['product_id']}", f"{wanted} requested")


def test_place_order_too_many_units(env):
    p = in_stock_product(env, minimum=11)
    fails(env, "place_order", {"customer_id": a_customer(env)["customer_id"],
                               "items": [{"product_id": p["product_id"], "quantity": 11}]},
          f"at most 10 units of {p['product_id']}")


# ------------------------------------------------------------------ cancel_order

@pytest.mark.parametrize("status", ["pending", "processing"])
def test_cancel_order_restocks_items(env, status):
    order = order_of_status(env, status)
    items = items_of(env, order["order_id"])
    stock_before = {i["product_id"]: stock(env, i["product_id"]) for i in items}
    got = ok(env, "cancel_order", {"order_id": order["order_id"], "reason": "ordered_by_mistake"})
    assert got["status"] == "cancelled" and got["cancel_reason"] == "ordered_by_mistake"
    row = one(env, "SELECT status, cancel_reason FROM orders WHERE order_id = ?", [order["order_id"]])
    assert row == {"status": "cancelled", "cancel_reason": "ordered_by_mistake"}
    returned: dict[str, int] = {}
    for i in items:
        returned[i["product_id"]] = returned.get(i["product_id"], 0) + i["quantity"]
    for product_id, quantity in returned.items():
        assert stock(env, product_id) == stock_before[product_id] + quantity


def test_cancel_order_shipped(env):
    order = order_of_status(env, "shipped")
    fails(env, "cancel_order", {"order_id": order["order_id"]},
          f"order {order['order_id']} has already shipped", "cannot be cancelled")


def test_cancel_order_delivered(env):
    order = order_of_status(env, "delivered")
    fails(env, "cancel_order", {"order_id": order["order_id"]},
          f"order {order['order_id']} was delivered on {order['delivered_on']}", "request a return")


def test_cancel_order_already_cancelled(env):
    order = order_of_status(env, "cancelled")
    fails(env, "cancel_order", {"order_id": order["order_id"]}, f"order {order['order_id']} is already cancelled")


def test_cancel_order_unknown(env):
    fails(env, "cancel_order", {"order_id": "#W99999"}, "order #W99999 not found")


# ------------------------------------------------------------------ update_shipping_address

NEW_ADDRESS = {"street": "12 Oak Street Apt 4", "city": "Portland", "state": "or", "zip_code": "97201"}


def test_update_shipping_address_of_pending_order(env):
    order = order_of_status(env, "pending")
    got = ok(env, "update_shipping_address", {"order_id": order["order_id"], **NEW_ADDRESS})
    assert (got["ship_street"], got["ship_city"], got["ship_state"], got["ship_zip"]) == (
        "12 Oak Street Apt 4", "Portland", "OR", "97201")
    row = one(env, "SELECT ship_street, ship_state, ship_zip, status FROM orders WHERE order_id = ?",
              [order["order_id"]])
    assert row == {"ship_street": "12 Oak Street Apt 4", "ship_state": "OR", "ship_zip": "97201",
                   "status": "pending"}


@pytest.mark.parametrize("status", ["processing", "shipped", "delivered", "cancelled"])
def test_update_shipping_address_only_while_pending(env, status):
    order = order_of_status(env, status)
    fails(env, "update_shipping_address", {"order_id": order["order_id"], **NEW_ADDRESS},
          f"order {order['order_id']} is {status}", "only be changed while the order is pending")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("state", "Oregon", "state 'OREGON' is not valid"),
    ("zip_code", "9720", "zip code '9720' is not valid"),
    ("street", "  ", "street and city must not be empty"),
])
def test_update_shipping_address_validates_address(env, field, value, message):
    order = order_of_status(env, "pending")
    fails(env, "update_shipping_address", {"order_id": order["order_id"], **NEW_ADDRESS, field: value}, message)


def test_update_shipping_address_unknown_order(env):
    fails(env, "update_shipping_address", {"order_id": "#W0", **NEW_ADDRESS}, "order #W0 not found")


# ------------------------------------------------------------------ returns

def test_request_return_refunds_items_and_is_fetchable(env):
    order = one(
        env,
        "SELECT o.* FROM orders o WHERE status = 'delivered' AND (SELECT count(*) FROM order_items i "
        "WHERE i.order_id = o.order_id AND i.return_id IS NULL) >= 2 ORDER BY delivered_on DESC, order_id LIMIT 1",
    )
    items = [i for i in items_of(env, order["order_id"]) if i["return_id"] is None][:2]
    last = one(env, "SELECT max(CAST(substr(return_id, 5) AS INTEGER)) AS n FROM returns")["n"]
    ret = ok(env, "request_return", {"order_id": order["order_id"], "item_ids": [items[0]["item_id"],
             items[1]["item_id"], items[0]["item_id"]], "reason": "not_as_described", "refund_method": "store_credit"})
    assert ret["return_id"] == f"RET-{last + 1}"
    assert ret["status"] == "requested" and ret["reason"] == "not_as_described"
    assert ret["refund_method"] == "store_credit"
    assert ret["refund_amount"] == round(sum(i["quantity"] * i["unit_price"] for i in items), 2)
    assert sorted(i["item_id"] for i in ret["items"]) == sorted(i["item_id"] for i in items)
    assert ret["requested_on"] == today(env).isoformat()
    assert date.fromisoformat(order["delivered_on"]) >= today(env) - timedelta(days=30)
    row = one(env, "SELECT * FROM returns WHERE return_id = ?", [ret["return_id"]])
    assert row["order_id"] == order["order_id"] and row["customer_id"] == order["customer_id"]
    marked = env.query("SELECT item_id FROM order_items WHERE return_id = ? ORDER BY item_id", [ret["return_id"]])
    assert [m["item_id"] for m in marked] == sorted(i["item_id"] for i in items)
    assert ok(env, "get_return", {"return_id": ret["return_id"]}) == ret
    assert one(env, "SELECT status FROM orders WHERE order_id = ?", [order["order_id"]])["status"] == "delivered"


@pytest.mark.parametrize("status", ["pending", "processing", "shipped", "cancelled"])
def test_request_return_only_for_delivered_orders(env, status):
    order = order_of_status(env, status)
    fails(env, "request_return", {"order_id": order["order_id"], "item_ids": [f"{order['order_id']}-1"],
                                  "reason": "damaged"},
          f"order {order['order_id']} is {status}, not delivered")


def test_request_return_after_window_closed(env):
    order = one(env, "SELECT * FROM orders WHERE status = 'delivered' AND delivered_on < ? ORDER BY delivered_on DESC, "
                     "order_id LIMIT 1", [today(env) - timedelta(days=30)])
    deadline = date.fromisoformat(order["delivered_on"]) + timedelta(days=30)
    fails(env, "request_return", {"order_id": order["order_id"], "item_ids": [f"{order['order_id']}-1"],
                                  "reason": "wrong_item"},
          f"order {order['order_id']} was delivered on {order['delivered_on']}",
          f"return window closed on {deadline.isoformat()}")


def test_request_return_item_not_in_order(env):
    order = newest_delivered(env)
    stranger = one(env, "SELECT item_id FROM order_items WHERE order_id <> ? ORDER BY item_id", [order["order_id"]])
    fails(env, "request_return", {"order_id": order["order_id"],
                                  "item_ids": [f"{order['order_id']}-1", stranger["item_id"]], "reason": "damaged"},
          f"item {stranger['item_id']} is not part of order {order['order_id']}")


def test_request_return_needs_items(env):
    order = newest_delivered(env)
    fails(env, "request_return", {"order_id": order["order_id"], "item_ids": [], "reason": "other"},
          "at least one item")


def test_request_return_not_twice(env):
    order = newest_delivered(env)
    item_id = f"{order['order_id']}-1"
    first = ok(env, "request_return", {"order_id": order["order_id"], "item_ids": [item_id], "reason": "damaged"})
    fails(env, "request_return", {"order_id": order["order_id"], "item_ids": [item_id], "reason": "damaged"},
          f"item {item_id}", f"of order {order['order_id']} was already returned in return {first['return_id']}")


def test_request_return_seeded_return_cannot_be_repeated(env):
    item = one(env, "SELECT i.item_id, i.order_id, i.return_id FROM order_items i JOIN orders o USING (order_id) "
                    "WHERE i.return_id IS NOT NULL AND o.delivered_on >= ? ORDER BY i.item_id LIMIT 1",
               [today(env) - timedelta(days=30)])
    fails(env, "request_return", {"order_id": item["order_id"], "item_ids": [item["item_id"]], "reason": "other"},
          f"item {item['item_id']}", f"was already returned in return {item['return_id']}")


def test_request_return_late_in_window(env):
    # The oldest returnable order (delivered exactly 30 days ago, for seed 7): still accepted.
    order = one(env, "SELECT * FROM orders o WHERE status = 'delivered' AND delivered_on >= ? AND NOT EXISTS "
                     "(SELECT 1 FROM order_items i WHERE i.order_id = o.order_id AND i.return_id IS NOT NULL) "
                     "ORDER BY delivered_on, order_id LIMIT 1", [today(env) - timedelta(days=30)])
    ret = ok(env, "request_return", {"order_id": order["order_id"], "item_ids": [f"{order['order_id']}-1"],
                                     "reason": "no_longer_needed"})
    assert ret["order_id"] == order["order_id"] and ret["status"] == "requested"


def test_request_return_unknown_order(env):
    fails(env, "request_return", {"order_id": "#W0", "item_ids": ["#W0-1"], "reason": "other"}, "order #W0 not found")


def test_get_return_seeded(env):
    seeded = one(env, "SELECT * FROM returns ORDER BY return_id")
    got = ok(env, "get_return", {"return_id": seeded["return_id"]})
    assert got["order_id"] == seeded["order_id"] and got["refund_amount"] == seeded["refund_amount"]
    assert got["items"] and all(i["item_id"].startswith(seeded["order_id"] + "-") for i in got["items"])


def test_get_return_unknown(env):
    fails(env, "get_return", {"return_id": "RET-1"}, "return RET-1 not found")


# ------------------------------------------------------------------ a whole conversation

def test_lookup_order_readdress_then_cancel_chain(env):
    customer = ok(env, "find_customer_by_email", {"email": a_customer(env)["email"]})
    product = ok(env, "search_products", {"query": "water bottle", "in_stock_only": True})[0]
    order = ok(env, "place_order", {"customer_id": customer["customer_id"],
                                    "items": [{"product_id": product["product_id"], "quantity": 2}]})
    ok(env, "update_shipping_address", {"order_id": order["order_id"], **NEW_ADDRESS})
    cancelled = ok(env, "cancel_order", {"order_id": order["order_id"]})
    assert cancelled["status"] == "cancelled" and cancelled["ship_city"] == "Portland"
    assert stock(env, product["product_id"]) == product["stock"]
    fails(env, "update_shipping_address", {"order_id": order["order_id"], **NEW_ADDRESS}, "is cancelled")
