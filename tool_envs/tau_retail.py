"""tau-bench retail, executable: an online store's customer-service back office.

Users (ids like "noah_brown_6181") have a default address, an email and payment methods
(credit cards, PayPal, gift cards with a balance; ids like "credit_card_7815826"). Orders
(ids like "#W2378156", with the '#') hold items: each item is one variant of a product,
identified by its 10-digit item id, with its price and options (color, size, ...); a
product (10-digit product id, different from its items' ids) lists all its variants
and whether each is available. Order status: pending, processed, delivered, cancelled,
and, after a request, "pending (item modified)", "exchange requested" or "return
requested". A pending order can be cancelled (refunded to the original payment
methods; gift cards at once), have its address, payment method or items (for
available variants of the same products) changed; a delivered order can have items
returned (refund to the original payment method or a gift card) or exchanged for other
variants of the same products. Users are found by email, or by first name, last name
and zip code.

The data and every rule are those of tau-bench's retail domain (sierra-research/tau-bench,
MIT License, Copyright (c) 2024 Sierra); outputs and errors match its tools call by call.
"""

import json
from typing import Any, Literal

from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "users"  # a dialogue is one of these users' conversation
# tau-bench's policy: authenticate the user (by email, or by name and zip) before any account action
AUTHENTICATE_FIRST = True
# ... and check the order's details (its status) before acting on it
CHECK_BEFORE_WRITE = True

TABLES = """
CREATE TABLE users (
    user_id VARCHAR PRIMARY KEY,
    seq INTEGER NOT NULL,               -- the user's place in the reference data
    first_name VARCHAR NOT NULL,
    last_name VARCHAR NOT NULL,
    address STRUCT(address1 VARCHAR, address2 VARCHAR, city VARCHAR, country VARCHAR, state VARCHAR,
                   zip VARCHAR) NOT NULL,
    email VARCHAR NOT NULL,
    payment_methods VARCHAR NOT NULL,   -- JSON list of the user's payment methods, in order
    orders VARCHAR NOT NULL             -- JSON list of order ids
);
CREATE TABLE products (
    product_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    variants VARCHAR NOT NULL           -- JSON object: item id -> {item_id, options, available, price}
);
CREATE TABLE orders (
    order_id VARCHAR PRIMARY KEY,
    user_id VARCHAR NOT NULL,
    address STRUCT(address1 VARCHAR, address2 VARCHAR, city VARCHAR, country VARCHAR, state VARCHAR,
                   zip VARCHAR) NOT NULL,
    items VARCHAR NOT NULL,             -- JSON list of {name, product_id, item_id, price, options}
    fulfillments VARCHAR NOT NULL,      -- JSON list of {tracking_id: [...], item_ids: [...]}
    status VARCHAR NOT NULL,
    payment_history VARCHAR NOT NULL,   -- JSON list of {transaction_type, amount, payment_method_id}
    cancel_reason VARCHAR,
    exchange_items VARCHAR,             -- JSON list of item ids
    exchange_new_items VARCHAR,         -- JSON list of item ids
    exchange_payment_method_id VARCHAR,
    exchange_price_difference DOUBLE,
    return_items VARCHAR,               -- JSON list of item ids
    return_payment_method_id VARCHAR
);
"""
# Layout: one row per user, product and order. Scalars and addresses are typed columns
# (what SQL filters on); lists and free-form objects (item options have keys like
# "bagged/bagless") are JSON text, always written by `doc()`: sorted keys, no spaces,
# money as floats, so equal values are equal text and hash equally. DuckDB reads and
# rewrites a text column far faster than a LIST of STRUCTs, and the floats are kept
# exactly as tau-bench computes them (0.04999999999999716 stays that).

# Keys an order gains from a request, in the order the reference adds them.
ORDER_EXTRAS = ("cancel_reason", "exchange_items", "exchange_new_items", "exchange_payment_method_id",
                "exchange_price_difference", "return_items", "return_payment_method_id")
ORDER_DOCS = ("items", "fulfillments", "payment_history", "exchange_items", "exchange_new_items", "return_items")


# Key order of the records tau-bench returns (stored text has sorted keys; outputs follow these).
ITEM_KEYS = ("name", "product_id", "item_id", "price", "options")
PAYMENT_KEYS = ("transaction_type", "amount", "payment_method_id")
FULFILLMENT_KEYS = ("tracking_id", "item_ids")
VARIANT_KEYS = ("item_id", "options", "available", "price")
METHOD_KEYS = ("source", "brand", "last_four", "balance", "id")


def doc(value: Any) -> str:
    """The canonical JSON text of a nested value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def keyed(records: list, keys: tuple) -> list:
    """Records with their keys in tau-bench's order (a kind's absent keys stay absent)."""
    return [{key: record[key] for key in keys if key in record} for record in records]


# ---------------------------------------------------------------- seed

def seed(db: Db, fake: Fake) -> None:
    # The reference has one state: the seed changes nothing here (fake is unused).
    users = []
    for seq, (user_id, user) in enumerate(db.data("users.json").items()):
        methods = []
        for method in user["payment_methods"].values():
            method = dict(method)
            if "balance" in method:
                method["balance"] = float(method["balance"])  # 94 and 94.0 must be one text
            methods.append(method)
        users.append({"user_id": user_id, "seq": seq, "first_name": user["name"]["first_name"],
                      "last_name": user["name"]["last_name"], "address": user["address"], "email": user["email"],
                      "payment_methods": doc(methods), "orders": doc(user["orders"])})
    db.insert("users", users)

    products = []
    for product_id, product in db.data("products.json").items():
        variants = {key: dict(variant, price=float(variant["price"])) for key, variant in product["variants"].items()}
        products.append({"product_id": product_id, "name": product["name"], "variants": doc(variants)})
    db.insert("products", products)

    orders = []
    for order_id, order in db.data("orders.json").items():
        row = {"order_id": order_id, "user_id": order["user_id"], "address": order["address"],
               "status": order["status"],
               "items": doc([dict(item, price=float(item["price"])) for item in order["items"]]),
               "fulfillments": doc(order["fulfillments"]),
               "payment_history": doc([payment(p["transaction_type"], p["amount"], p["payment_method_id"])
                                       for p in order["payment_history"]])}
        for key in ORDER_EXTRAS:
            if key in order:
                row[key] = doc(order[key]) if key in ORDER_DOCS else order[key]
        orders.append(row)
    db.insert("orders", orders)


def payment(kind: str, amount: float, payment_method_id: str) -> dict:
    return {"transaction_type": kind, "amount": float(amount), "payment_method_id": payment_method_id}


# ---------------------------------------------------------------- records

def load_order(db: Db, order_id: str) -> dict:
    """The order in the reference's shape (extras it does not have are left out, not null)."""
    row = db.one("SELECT * FROM orders WHERE order_id = ?", [order_id])
    if row is None:
        raise ToolError("order not found")
    order = {"order_id": row["order_id"], "user_id": row["user_id"], "address": row["address"],
             "items": keyed(json.loads(row["items"]), ITEM_KEYS),
             "fulfillments": keyed(json.loads(row["fulfillments"]), FULFILLMENT_KEYS),
             "status": row["status"], "payment_history": keyed(json.loads(row["payment_history"]), PAYMENT_KEYS)}
    for key in ORDER_EXTRAS:
        if row[key] is not None:
            order[key] = json.loads(row[key]) if key in ORDER_DOCS else row[key]
    return order


def save_order(db: Db, order: dict, *keys: str) -> None:
    """Write these keys of the order back to its row."""
    values = [doc(order[key]) if key in ORDER_DOCS else order[key] for key in keys]
    assignments = ", ".join(f"{key} = ?" for key in keys)
    db.execute(f"UPDATE orders SET {assignments} WHERE order_id = ?", [*values, order["order_id"]])


def load_methods(db: Db, user_id: str) -> dict:
    """The user's payment methods by id, in the user's order (write back with `save_methods`)."""
    return {method["id"]: method for method in json.loads(
        db.scalar("SELECT payment_methods FROM users WHERE user_id = ?", [user_id]))}


def save_methods(db: Db, user_id: str, methods: dict) -> None:
    db.execute("UPDATE users SET payment_methods = ? WHERE user_id = ?", [doc(list(methods.values())), user_id])


def load_variants(db: Db, items: list) -> dict:
    """product id -> {item id -> variant}, for the products of these items."""
    rows = db.query("SELECT product_id, variants FROM products WHERE list_contains(?, product_id)",
                    [sorted({item["product_id"] for item in items})])
    return {row["product_id"]: json.loads(row["variants"]) for row in rows}


def check_items_exist(items: list, item_ids: list, message: str) -> None:
    """Every id must occur in the order at least as often as in `item_ids`."""
    present = [item["item_id"] for item in items]
    for item_id in item_ids:
        if item_ids.count(item_id) > present.count(item_id):
            raise ToolError(message.replace("{item_id}", item_id))


def price_difference(items: list, item_ids: list, new_item_ids: list, variants: dict) -> float:
    """Sum of (new price - old price) over the pairs, in the reference's order of float additions."""
    if len(item_ids) != len(new_item_ids):
        raise ToolError("the number of items to be exchanged should match")
    diff = 0
    for item_id, new_item_id in zip(item_ids, new_item_ids, strict=True):
        item = next(i for i in items if i["item_id"] == item_id)
        variant = variants[item["product_id"]].get(new_item_id)
        if variant is None or not variant["available"]:
            raise ToolError(f"new item {new_item_id} not found or available")
        diff += variant["price"] - item["price"]
    return diff


def gift_card_method(methods: dict, payment_method_id: str) -> dict:
    # The reference indexes the user's methods by this id; an id naming a gift card the
    # user does not hold would fail there with a KeyError (whose text is the quoted id).
    # The data never holds one, as every payment was made with the user's own method.
    method = methods.get(payment_method_id)
    if method is None:
        raise ToolError(f"'{payment_method_id}'")
    return method


# ---------------------------------------------------------------- read tools

@tool(phrasing=["Can you find my account? My email is {email}."])
def find_user_id_by_email(db: Db, email: str) -> str:
    """Find a user's id by email (case-insensitive). Fails with "user not found" if no user has it.

    Args:
        email: The user's email, such as 'something@example.com'.
    """
    return first_user(db.query("SELECT user_id, seq FROM users WHERE lower(email) = ?", [email.lower()]))


@tool(phrasing=["I'm {first_name} {last_name}, zip code {zip}."])
def find_user_id_by_name_zip(db: Db, first_name: str, last_name: str, zip: str) -> str:
    """Find a user's id by first name, last name (both case-insensitive) and zip code.

    Look users up by email first; use this only if the user cannot be found by email or
    does not remember it. Fails with "user not found" if no user matches.

    Args:
        first_name: The user's first name, such as 'John'.
        last_name: The user's last name, such as 'Doe'.
        zip: The zip code of the user's default address, such as '12345'.
    """
    rows = db.query("SELECT user_id, seq FROM users WHERE lower(first_name) = ? AND lower(last_name) = ? "
                    "AND address.zip = ?", [first_name.lower(), last_name.lower(), zip])
    return first_user(rows)


def first_user(rows: list) -> str:
    """The match that comes first in the reference's data (sorted here, not in SQL: cheaper)."""
    if not rows:
        raise ToolError("user not found")
    return min(rows, key=lambda row: row["seq"])["user_id"]


@tool(phrasing=["What do you have on file for user {user_id}?"])
def get_user_details(db: Db, user_id: str) -> dict:
    """Get a user's details: name, default address, email, payment methods and order ids.

    Args:
        user_id: The user's id, such as 'sara_doe_496'.
    """
    row = db.one("SELECT * FROM users WHERE user_id = ?", [user_id])
    if row is None:
        raise ToolError("user not found")
    methods = {method["id"]: method for method in keyed(json.loads(row["payment_methods"]), METHOD_KEYS)}
    return {"name": {"first_name": row["first_name"], "last_name": row["last_name"]}, "address": row["address"],
            "email": row["email"], "payment_methods": methods, "orders": json.loads(row["orders"])}


@tool(phrasing=["What's the status of my order {order_id}?"])
def get_order_details(db: Db, order_id: str) -> dict:
    """Get an order's status and details: items, address, fulfillments and payments.

    Args:
        order_id: The order id, such as '#W0000000'; note the '#' at the start.
    """
    return load_order(db, order_id)


@tool(phrasing=["Which variants of product {product_id} are there?"])
def get_product_details(db: Db, product_id: str) -> dict:
    """Get a product's inventory: every variant (item id, options, price, availability).

    Args:
        product_id: The product id, such as '6086499569'; a product id is not an item id.
    """
    row = db.one("SELECT * FROM products WHERE product_id = ?", [product_id])
    if row is None:
        raise ToolError("product not found")
    variants = json.loads(row["variants"])
    return {"name": row["name"], "product_id": row["product_id"],
            "variants": {key: keyed([variant], VARIANT_KEYS)[0] for key, variant in variants.items()}}


@tool(phrasing=["What kinds of products do you sell?"])
def list_all_product_types(db: Db) -> dict:
    """List every product type (there are 50): its name and product id, by name.

    Each product type has many variants with their own item ids and options.
    """
    rows = db.query("SELECT name, product_id FROM products")
    return dict(sorted((row["name"], row["product_id"]) for row in rows))


@tool(phrasing=["What is {expression}?"])
def calculate(db: Db, expression: str) -> float | str:
    """Calculate an arithmetic expression and round the result to 2 decimals.

    Args:
        expression: The expression, such as '2 + 2': numbers, + - * / ** //, parentheses and spaces.
    """
    for char in expression:
        if char not in CALC_CHARS:
            raise ToolError("invalid characters in expression")
    program = calc_program(calc_tokens(expression))
    try:
        value = round(float(calc_run(program)), 2)
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise ToolError(str(exc)) from None
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)  # the reference's text, "inf" or "nan", is not a JSON number
    return value


@tool(phrasing=["Let me think: {thought}"])
def think(db: Db, thought: str) -> str:
    """Think about something: nothing is looked up or changed, the thought is only logged.

    Use it for complex reasoning or to keep notes.

    Args:
        thought: The thought.
    """
    return ""


@tool(phrasing=["I want to talk to a human: {summary}"])
def transfer_to_human_agents(db: Db, summary: str) -> str:
    """Transfer the user to a human agent, with a summary of the issue.

    Only when the user explicitly asks for a human, or the issue cannot be resolved with
    the available tools.

    Args:
        summary: A summary of the user's issue.
    """
    return "Transfer successful"


# ---------------------------------------------------------------- write tools

@tool(writes=True, confirm=True, phrasing=["Please cancel order {order_id}, the reason: {reason}."])
def cancel_pending_order(db: Db, order_id: str, reason: Literal["no longer needed", "ordered by mistake"]) -> dict:
    """Cancel a pending order and refund its payments; returns the order after cancellation.

    Processed or delivered orders cannot be cancelled. Explain the cancellation and get an
    explicit yes from the user first. Gift card payments are refunded to the card at once,
    others within 5-7 business days.

    Args:
        order_id: The order id, such as '#W0000000'; note the '#' at the start.
        reason: Why the order is cancelled.
    """
    order = load_order(db, order_id)
    if order["status"] != "pending":
        raise ToolError("non-pending order cannot be cancelled")
    methods = None
    refunds = []
    for paid in order["payment_history"]:
        refunds.append(payment("refund", paid["amount"], paid["payment_method_id"]))
        if "gift_card" in paid["payment_method_id"]:
            methods = methods or load_methods(db, order["user_id"])
            card = gift_card_method(methods, paid["payment_method_id"])
            card["balance"] = round(card["balance"] + paid["amount"], 2)
    if methods:
        save_methods(db, order["user_id"], methods)
    order["status"] = "cancelled"
    order["cancel_reason"] = reason
    order["payment_history"] = [*order["payment_history"], *refunds]
    save_order(db, order, "status", "cancel_reason", "payment_history")
    return order


@tool(writes=True, confirm=True, phrasing=["Ship order {order_id} to {address1}, {city}, {state} {zip} instead."])
def modify_pending_order_address(db: Db, order_id: str, address1: str, address2: str, city: str, state: str,
                                 country: str, zip: str) -> dict:
    """Change the shipping address of a pending order; returns the order.

    Explain the change and get an explicit yes from the user first.

    Args:
        order_id: The order id, such as '#W0000000'; note the '#' at the start.
        address1: The first line of the address, such as '123 Main St'.
        address2: The second line of the address, such as 'Apt 1' or ''.
        city: The city, such as 'San Francisco'.
        state: The state or province, such as 'CA'.
        country: The country, such as 'USA'.
        zip: The zip code, such as '12345'.
    """
    order = load_order(db, order_id)
    if order["status"] != "pending":
        raise ToolError("non-pending order cannot be modified")
    order["address"] = {"address1": address1, "address2": address2, "city": city, "country": country,
                        "state": state, "zip": zip}
    save_order(db, order, "address")
    return order


@tool(writes=True, confirm=True, phrasing=["Switch the payment of order {order_id} to {payment_method_id}."])
def modify_pending_order_payment(db: Db, order_id: str, payment_method_id: str) -> dict:
    """Pay a pending order with another of the user's payment methods; returns the order.

    The new method is charged the order's amount and the old one refunded (gift cards at
    once). Explain the change and get an explicit yes from the user first.

    Args:
        order_id: The order id, such as '#W0000000'; note the '#' at the start.
        payment_method_id: The new payment method, such as 'gift_card_0000000' or
            'credit_card_0000000'; see the user's details.
    """
    order = load_order(db, order_id)
    if order["status"] != "pending":
        raise ToolError("non-pending order cannot be modified")
    methods = load_methods(db, order["user_id"])
    if payment_method_id not in methods:
        raise ToolError("payment method not found")
    history = order["payment_history"]
    if len(history) > 1 or history[0]["transaction_type"] != "payment":
        raise ToolError("there should be exactly one payment for a pending order")
    old_id = history[0]["payment_method_id"]
    if old_id == payment_method_id:
        raise ToolError("the new payment method should be different from the current one")
    amount = history[0]["amount"]
    method = methods[payment_method_id]
    if method["source"] == "gift_card" and method["balance"] < amount:
        raise ToolError("insufficient gift card balance to pay for the order")
    order["payment_history"] = [*history, payment("payment", amount, payment_method_id),
                                payment("refund", amount, old_id)]
    save_order(db, order, "payment_history")
    if method["source"] == "gift_card":
        method["balance"] = round(method["balance"] - amount, 2)
    if "gift_card" in old_id:
        old = gift_card_method(methods, old_id)
        old["balance"] = round(old["balance"] + amount, 2)
    if method["source"] == "gift_card" or "gift_card" in old_id:
        save_methods(db, order["user_id"], methods)
    return order


@tool(writes=True, confirm=True, phrasing=["In order {order_id}, swap items {item_ids} for {new_item_ids}, "
                             "settled with {payment_method_id}."])
def modify_pending_order_items(db: Db, order_id: str, item_ids: list[str], new_item_ids: list[str],
                               payment_method_id: str) -> dict:
    """Swap items of a pending order for other available variants of the same products; returns the order.

    Allowed once per pending order (its status becomes "pending (item modified)"). The
    price difference is charged to or refunded on the given payment method. Explain the
    change and get an explicit yes from the user first.

    Args:
        order_id: The order id, such as '#W0000000'; note the '#' at the start.
        item_ids: The item ids to change, each such as '1008292230'; may repeat.
        new_item_ids: The item ids to change them into, position by position, each a variant
            of the same product; may repeat.
        payment_method_id: The payment method that pays or receives the price difference,
            such as 'gift_card_0000000'.
    """
    order = load_order(db, order_id)
    if order["status"] != "pending":
        raise ToolError("non-pending order cannot be modified")
    items = order["items"]
    check_items_exist(items, item_ids, "{item_id} not found")
    variants = load_variants(db, items)
    diff = price_difference(items, item_ids, new_item_ids, variants)
    methods = load_methods(db, order["user_id"])
    if payment_method_id not in methods:
        raise ToolError("payment method not found")
    method = methods[payment_method_id]
    if method["source"] == "gift_card" and method["balance"] < diff:
        raise ToolError("insufficient gift card balance to pay for the new item")
    order["payment_history"] = [*order["payment_history"],
                                payment("payment" if diff > 0 else "refund", abs(diff), payment_method_id)]
    if method["source"] == "gift_card":
        method["balance"] = round(method["balance"] - diff, 2)
        save_methods(db, order["user_id"], methods)
    for item_id, new_item_id in zip(item_ids, new_item_ids, strict=True):
        item = next(i for i in items if i["item_id"] == item_id)
        variant = variants[item["product_id"]][new_item_id]
        item["item_id"] = new_item_id
        item["price"] = variant["price"]
        item["options"] = variant["options"]
    order["status"] = "pending (item modified)"
    save_order(db, order, "items", "status", "payment_history")
    return order


@tool(writes=True, confirm=True, phrasing=["I'd like to return items {item_ids} of order {order_id}, "
                             "refunded to {payment_method_id}."])
def return_delivered_order_items(db: Db, order_id: str, item_ids: list[str], payment_method_id: str) -> dict:
    """Request the return of items of a delivered order; its status becomes "return requested".

    Returns the order. Explain the return and get an explicit yes from the user first; the
    user then gets an email on how and where to send the items back.

    Args:
        order_id: The order id, such as '#W0000000'; note the '#' at the start.
        item_ids: The item ids to return, each such as '1008292230'; may repeat.
        payment_method_id: Where the refund goes: the order's original payment method or a gift
            card, such as 'gift_card_0000000'.
    """
    order = load_order(db, order_id)
    if order["status"] != "delivered":
        raise ToolError("non-delivered order cannot be returned")
    if payment_method_id not in load_methods(db, order["user_id"]):
        raise ToolError("payment method not found")
    original = order["payment_history"][0]["payment_method_id"]
    if "gift_card" not in payment_method_id and payment_method_id != original:
        raise ToolError("payment method should be either the original payment method or a gift card")
    check_items_exist(order["items"], item_ids, "some item not found")
    order["status"] = "return requested"
    order["return_items"] = sorted(item_ids)
    order["return_payment_method_id"] = payment_method_id
    save_order(db, order, "status", "return_items", "return_payment_method_id")
    return order


@tool(writes=True, confirm=True,
      phrasing=["I'd like to exchange items {item_ids} of order {order_id} for {new_item_ids}, "
                "settled with {payment_method_id}."])
def exchange_delivered_order_items(db: Db, order_id: str, item_ids: list[str], new_item_ids: list[str],
                                   payment_method_id: str) -> dict:
    """Request an exchange of items of a delivered order for other variants of the same products.

    Returns the order, whose status becomes "exchange requested". A delivered order can
    have one return or exchange. The price difference is charged to or refunded on the
    given payment method. Explain the exchange and get an explicit yes from the user first.

    Args:
        order_id: The order id, such as '#W0000000'; note the '#' at the start.
        item_ids: The item ids to exchange, each such as '1008292230'; may repeat.
        new_item_ids: The item ids to exchange them for, position by position, each a variant of
            the same product; may repeat.
        payment_method_id: The payment method that pays or receives the price difference,
            such as 'gift_card_0000000'.
    """
    order = load_order(db, order_id)
    if order["status"] != "delivered":
        raise ToolError("non-delivered order cannot be exchanged")
    items = order["items"]
    check_items_exist(items, item_ids, "{item_id} not found")
    variants = load_variants(db, items)
    diff = round(price_difference(items, item_ids, new_item_ids, variants), 2)
    methods = load_methods(db, order["user_id"])
    if payment_method_id not in methods:
        raise ToolError("payment method not found")
    method = methods[payment_method_id]
    if method["source"] == "gift_card" and method["balance"] < diff:
        raise ToolError("insufficient gift card balance to pay for the price difference")
    order["status"] = "exchange requested"
    order["exchange_items"] = sorted(item_ids)
    order["exchange_new_items"] = sorted(new_item_ids)
    order["exchange_payment_method_id"] = payment_method_id
    order["exchange_price_difference"] = diff
    save_order(db, order, "status", "exchange_items", "exchange_new_items", "exchange_payment_method_id",
               "exchange_price_difference")
    return order


@tool(writes=True, confirm=True,
      phrasing=["Please change the default address of {user_id} to {address1}, {city}, {state} {zip}."])
def modify_user_address(db: Db, user_id: str, address1: str, address2: str, city: str, state: str, country: str,
                        zip: str) -> dict:
    """Change a user's default address; returns the user's details.

    Explain the change and get an explicit yes from the user first.

    Args:
        user_id: The user's id, such as 'sara_doe_496'.
        address1: The first line of the address, such as '123 Main St'.
        address2: The second line of the address, such as 'Apt 1' or ''.
        city: The city, such as 'San Francisco'.
        state: The state, such as 'CA'.
        country: The country, such as 'USA'.
        zip: The zip code, such as '12345'.
    """
    address = {"address1": address1, "address2": address2, "city": city, "country": country, "state": state,
               "zip": zip}
    if db.execute("UPDATE users SET address = ? WHERE user_id = ?", [address, user_id]) == 0:
        raise ToolError("user not found")
    return get_user_details(db, user_id)


# ---------------------------------------------------------------- calculate: a parser, not eval
# Python's own rules for the characters the reference allows, so every answer (and most
# error texts, as CPython 3.11 words them) is what the reference's eval() gives: ints stay
# exact, "/" is true division, "**" binds tighter than a unary minus on its left, "()" is
# an empty tuple and "..." the Ellipsis, and calling a value fails as in Python. The
# operators themselves are Python's, so their errors ("division by zero", ...) are too.

CALC_CHARS = "0123456789+-*/(). "
MAX_NESTING = 200  # CPython's tokenizer refuses deeper parentheses
MAX_POWER_BITS = 4000000  # beyond this an int power would take the reference minutes
BINARY_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "//": 2, "**": 4}
UNARY_PRECEDENCE = 3  # "-2**2" is -(2**2); "-2*3" is (-2)*3
LEADING_ZEROS = ("leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal "
                 "integers")


def syntax_error(message: str, line: int = 1) -> ToolError:
    return ToolError(f"{message} (<string>, line {line})")


def calc_tokens(text: str) -> list:
    """(kind, value) tokens: ("num", number), ("op", text); tokenizer errors as CPython's."""
    tokens = []
    depth = 0
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == " ":
            i += 1
        elif char.isdigit() or (char == "." and i + 1 < n and text[i + 1].isdigit()):
            j = i
            while j < n and text[j].isdigit():
                j += 1
            if j < n and text[j] == ".":
                j += 1
                while j < n and text[j].isdigit():
                    j += 1
                tokens.append(("num", float(text[i:j])))
            else:
                digits = text[i:j]
                if len(digits) > 1 and digits[0] == "0" and digits.strip("0"):
                    raise syntax_error(LEADING_ZEROS)
                try:
                    tokens.append(("num", int(digits)))
                except ValueError as exc:  # more digits than int() converts
                    raise syntax_error(str(exc)) from None
            i = j
        elif text[i:i + 3] == "...":
            tokens.append(("num", ...))
            i += 3
        elif text[i:i + 2] in ("**", "//"):
            tokens.append(("op", text[i:i + 2]))
            i += 2
        else:
            if char == "(":
                depth += 1
                if depth > MAX_NESTING:
                    raise syntax_error("too many nested parentheses")
            elif char == ")":
                depth -= 1
                if depth < 0:
                    raise syntax_error("unmatched ')'")
            tokens.append(("op", char))
            i += 1
    if depth > 0:
        raise syntax_error("'(' was never closed")
    if not tokens:
        raise syntax_error("invalid syntax", 0)
    return tokens


def calc_program(tokens: list) -> list:
    """Reverse Polish form of the tokens (shunting-yard, no recursion), or CPython's syntax error.

    Items: ("num", value), ("op", "+" ... "**"), ("neg",), ("pos",), ("call", argument count).
    """
    program = []
    stack = []  # ("op", op) | ("neg",) | ("pos",) | ("group", start) | ("call", start)
    operand = True  # whether an operand comes next
    previous = None
    for kind, value in tokens:
        if kind == "num" and operand:
            program.append(("num", value))
            operand = False
        elif kind == "num":
            nested = any(entry[0] in ("group", "call") for entry in stack)
            raise syntax_error("invalid syntax. Perhaps you forgot a comma?" if nested else "invalid syntax")
        elif value == "(":
            stack.append(("group" if operand else "call", len(program)))
            operand = True
        elif value == ")" and operand and previous != ("op", "("):
            raise syntax_error("invalid syntax")
        elif value == ")":
            while stack[-1][0] not in ("group", "call"):
                program.append(stack.pop())
            marker = stack.pop()
            empty = len(program) == marker[1]
            if marker[0] == "call":
                program.append(("call", 0 if empty else 1))
            elif empty:
                program.append(("num", ()))
            operand = False
        elif value in ("+", "-") and operand:
            stack.append(("neg",) if value == "-" else ("pos",))
        elif value in BINARY_PRECEDENCE and not operand:
            rank = BINARY_PRECEDENCE[value]
            while stack and stack[-1][0] not in ("group", "call"):
                top = stack[-1]
                top_rank = BINARY_PRECEDENCE[top[1]] if top[0] == "op" else UNARY_PRECEDENCE
                if top_rank > rank or (top_rank == rank and value != "**"):
                    program.append(stack.pop())
                else:
                    break
            stack.append(("op", value))
            operand = True
        else:
            raise syntax_error("invalid syntax")
        previous = (kind, value)
    if operand:
        raise syntax_error("invalid syntax")
    while stack:
        program.append(stack.pop())
    return program


def type_name(value: Any) -> str:
    if value is ...:
        return "ellipsis"
    for kind, name in ((bool, "bool"), (int, "int"), (float, "float"), (complex, "complex"), (tuple, "tuple")):
        if isinstance(value, kind):
            return name
    return "object"


def power(base: Any, exponent: Any) -> Any:
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1 \
            and exponent * abs(base).bit_length() > MAX_POWER_BITS:
        raise ToolError(f"the power is too large to compute (over {MAX_POWER_BITS} bits)")
    return base ** exponent


def calc_run(program: list) -> Any:
    """Evaluate the program with Python's own operators, left operand first."""
    values = []
    for step in program:
        kind = step[0]
        if kind == "num":
            values.append(step[1])
        elif kind == "neg":
            values.append(-values.pop())
        elif kind == "pos":
            values.append(+values.pop())
        elif kind == "call":
            if step[1]:
                values.pop()
            raise TypeError(f"'{type_name(values.pop())}' object is not callable")
        else:
            right = values.pop()
            left = values.pop()
            op = step[1]
            if op == "+":
                values.append(left + right)
            elif op == "-":
                values.append(left - right)
            elif op == "*":
                values.append(left * right)
            elif op == "/":
                values.append(left / right)
            elif op == "//":
                values.append(left // right)
            else:
                values.append(power(left, right))
    return values[0]
