"""A test env: a diner signs in, then cancels one of their own orders, and only an order
the kitchen has not started (status `placed`) can be cancelled. One diner in three has
one; the others' orders are all further along."""

from typing import Literal

from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "diners"

TABLES = """
CREATE TABLE diners (
    diner_id VARCHAR PRIMARY KEY,
    first_name VARCHAR NOT NULL,
    username VARCHAR NOT NULL,
    password VARCHAR NOT NULL
);
CREATE TABLE orders (
    order_id VARCHAR PRIMARY KEY,
    diner_id VARCHAR NOT NULL,
    dish VARCHAR NOT NULL,
    status VARCHAR NOT NULL
);
CREATE TABLE session (
    session_id INTEGER PRIMARY KEY,
    diner_id VARCHAR
);
"""

DISHES = ["Pad Thai", "Green Curry", "Fish Tacos", "Miso Soup", "Veggie Burger", "Caesar Salad"]


def seed(db: Db, fake: Fake) -> None:
    diners, orders = [], []
    for i in range(12):
        first = fake.first_name()
        diner_id = f"DN{3001 + i}"
        diners.append({"diner_id": diner_id, "first_name": first, "username": f"{first.lower()}{i}",
                       "password": f"pw{4000 + i}"})
        for j in range(2):
            status = "placed" if i % 3 == 0 and j == 0 else ["preparing", "delivered"][j]
            orders.append({"order_id": f"FD-{50001 + len(orders)}", "diner_id": diner_id,
                           "dish": DISHES[(i + j) % len(DISHES)], "status": status})
    db.insert("diners", diners)
    db.insert("orders", orders)
    db.insert("session", [{"session_id": 1, "diner_id": None}])


def signed_in(db: Db) -> str:
    diner_id = db.scalar("SELECT diner_id FROM session WHERE session_id = 1")
    if diner_id is None:
        raise ToolError("you are not signed in")
    return diner_id


@tool(writes=True)
def sign_in(db: Db, username: str, password: str) -> dict:
    """Sign the diner in.

    Args:
        username: The diner's username.
        password: The diner's password.
    """
    row = db.one("SELECT diner_id, first_name FROM diners WHERE username = ? AND password = ?", [username, password])
    if row is None:
        raise ToolError("wrong username or password")
    db.execute("UPDATE session SET diner_id = ? WHERE session_id = 1", [row["diner_id"]])
    return {**row, "signed_in": True}


@tool
def list_orders(db: Db) -> list:
    """The signed-in diner's orders with their status."""
    return db.query("SELECT order_id, dish, status FROM orders WHERE diner_id = ? ORDER BY order_id",
                    [signed_in(db)])


@tool(writes=True, confirm=True)
def cancel_order(db: Db, order_id: str, reason: Literal["changed_mind", "ordered_by_mistake"] = "changed_mind"
                 ) -> dict:
    """Cancel an order of the signed-in diner that the kitchen has not started.

    Args:
        order_id: The order, like "FD-50001".
        reason: Why the diner cancels it.
    """
    order = db.one("SELECT * FROM orders WHERE order_id = ? AND diner_id = ?", [order_id, signed_in(db)])
    if order is None:
        raise ToolError(f"order {order_id} not found on your account")
    if order["status"] != "placed":
        raise ToolError(f"order {order_id} is {order['status']} and can no longer be cancelled")
    db.execute("UPDATE orders SET status = 'cancelled' WHERE order_id = ?", [order_id])
    return {"order_id": order_id, "status": "cancelled", "reason": reason}
