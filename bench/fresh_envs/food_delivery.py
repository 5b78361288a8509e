"""Food delivery app: a signed-in diner browses restaurants and menus, places orders for
delivery or pickup, follows them, tips the courier and cancels what the kitchen has not
started.

A port of the consumer side of a public food-ordering REST API (the Deliverect/Olo style:
session, stores, menus, baskets turned into orders, order status), reduced to one tool
per operation an app's chat assistant offers. The diner signs in with their username and
password first; the session lives in a one-row table. Store IDs look like ST101, menu
items MI2001, orders FD-50001. `calc` is the app's own arithmetic helper (splitting a
bill, a tip on a total).
"""
# Written for an independent audit; the generator never saw it while it was tuned. (Not in the
# docstring: the docstring is the env's system prompt.)

from typing import Literal

from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "diners"

TABLES = """
CREATE TABLE diners (
    diner_id VARCHAR PRIMARY KEY,
    first_name VARCHAR NOT NULL,
    last_name VARCHAR NOT NULL,
    street VARCHAR NOT NULL,
    city VARCHAR NOT NULL
);
CREATE TABLE accounts (
    username VARCHAR PRIMARY KEY,
    email VARCHAR NOT NULL,
    password VARCHAR NOT NULL,
    diner_id VARCHAR NOT NULL
);
CREATE TABLE stores (
    store_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    cuisine VARCHAR NOT NULL,
    city VARCHAR NOT NULL,
    delivery_fee DECIMAL(6, 2) NOT NULL,
    is_open BOOLEAN NOT NULL
);
CREATE TABLE menu_items (
    item_id VARCHAR PRIMARY KEY,
    store_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    price DECIMAL(6, 2) NOT NULL,
    available BOOLEAN NOT NULL
);
CREATE TABLE orders (
    order_id VARCHAR PRIMARY KEY,
    diner_id VARCHAR NOT NULL,
    store_id VARCHAR NOT NULL,
    item_id VARCHAR NOT NULL,
    quantity INTEGER NOT NULL,
    fulfilment VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    subtotal DECIMAL(8, 2) NOT NULL,
    fee DECIMAL(6, 2) NOT NULL,
    tip DECIMAL(6, 2) NOT NULL,
    placed_at TIMESTAMP NOT NULL
);
CREATE TABLE session (
    session_id INTEGER PRIMARY KEY,
    diner_id VARCHAR
);
"""

CUISINES = {
    "thai": ["Pad Thai", "Green Curry", "Tom Yum Soup", "Mango Sticky Rice"],
    "pizza": ["Margherita Pizza", "Pepperoni Pizza", "Garlic Knots", "Caesar Salad"],
    "sushi": ["Salmon Nigiri", "California Roll", "Miso Soup", "Edamame"],
    "burgers": ["Cheeseburger", "Veggie Burger", "Sweet Potato Fries", "Chocolate Shake"],
    "mexican": ["Chicken Burrito", "Fish Tacos", "Nachos", "Churros"],
}
CITIES = ["Oakridge", "Bayview", "Millbrook"]
STATUSES = ["placed", "preparing", "out_for_delivery", "delivered", "delivered", "cancelled"]
CancelReason = Literal["changed_mind", "ordered_by_mistake", "taking_too_long", "other"]


def seed(db: Db, fake: Fake) -> None:
    stores, items = [], []
    for i in range(15):
        cuisine = list(CUISINES)[i % len(CUISINES)]
        store_id = f"ST{101 + i}"
        stores.append({"store_id": store_id, "name": f"{fake.last_name()}'s {cuisine.title()}",
                       "cuisine": cuisine, "city": CITIES[i % len(CITIES)],
                       "delivery_fee": db.rng.choice([0.0, 1.99, 2.99, 3.99]), "is_open": i % 7 != 3})
        for dish in CUISINES[cuisine]:
            items.append({"item_id": f"MI{2001 + len(items)}", "store_id": store_id, "name": dish,
                          "price": round(db.rng.uniform(4, 22), 2), "available": db.rng.random() > 0.1})
    db.insert("stores", stores)
    db.insert("menu_items", items)
    diners, accounts, orders = [], [], []
    for i in range(40):
        first, last = fake.first_name(), fake.last_name()
        diner_id = f"DN{3001 + i}"
        email = f"{first.lower()}.{last.lower()}{i}@example.com"
        accounts.append({"username": f"{first.lower()}{last.lower()[:3]}{i}", "email": email,
                         "password": fake.password(length=10, special_chars=False), "diner_id": diner_id})
        diners.append({"diner_id": diner_id, "first_name": first,
                       "last_name": last, "street": fake.street_address(), "city": db.rng.choice(CITIES)})
        for _ in range(db.rng.randint(0, 4)):
            item = db.rng.choice(items)
            store = next(s for s in stores if s["store_id"] == item["store_id"])
            quantity = db.rng.randint(1, 3)
            fulfilment = db.rng.choice(["delivery", "delivery", "pickup"])
            orders.append({"order_id": f"FD-{50001 + len(orders)}", "diner_id": diner_id,
                           "store_id": store["store_id"], "item_id": item["item_id"], "quantity": quantity,
                           "fulfilment": fulfilment, "status": db.rng.choice(STATUSES),
                           "subtotal": round(item["price"] * quantity, 2),
                           "fee": store["delivery_fee"] if fulfilment == "delivery" else 0.0,
                           "tip": db.rng.choice([0.0, 2.0, 3.5, 5.0]),
                           "placed_at": fake.date_time_between(start_date="-20d", end_date="-1d")
                           .isoformat(sep=" ", timespec="minutes")})
    db.insert("diners", diners)
    db.insert("accounts", accounts)
    db.insert("orders", orders)
    db.insert("session", [{"session_id": 1, "diner_id": None}])


# --------------------------------------------------------------------------- helpers


def signed_in(db: Db) -> str:
    """The signed-in diner's ID; ToolError when nobody is signed in."""
    diner_id = db.scalar("SELECT diner_id FROM session WHERE session_id = 1")
    if diner_id is None:
        raise ToolError("you are not signed in; sign in with your username and password first")
    return diner_id


def own_order(db: Db, order_id: str) -> dict:
    order = db.one("SELECT o.*, s.name AS store_name, m.name AS item_name FROM orders o "
                   "JOIN stores s ON s.store_id = o.store_id JOIN menu_items m ON m.item_id = o.item_id "
                   "WHERE o.order_id = ? AND o.diner_id = ?", [order_id, signed_in(db)])
    if order is None:
        raise ToolError(f"order {order_id} not found on your account")
    return order


def known_store(db: Db, store_id: str) -> dict:
    store = db.one("SELECT * FROM stores WHERE store_id = ?", [store_id])
    if store is None:
        raise ToolError(f"store {store_id} not found")
    return store


# --------------------------------------------------------------------------- tools


@tool(writes=True)
def sign_in(db: Db, username: str, password: str) -> dict:
    """Sign the diner in; every account action needs it.

    Args:
        username: The username of the diner's account.
        password: The account's password.
    """
    account = db.one("SELECT * FROM accounts WHERE username = ?", [username])
    if account is None or account["password"] != password:
        raise ToolError("the username or password is incorrect")
    diner = db.one("SELECT * FROM diners WHERE diner_id = ?", [account["diner_id"]])
    db.execute("UPDATE session SET diner_id = ? WHERE session_id = 1", [diner["diner_id"]])
    return {"signed_in": True, "diner_id": diner["diner_id"], "first_name": diner["first_name"]}


@tool(writes=True)
def sign_out(db: Db) -> dict:
    """Sign the current diner out."""
    signed_in(db)
    db.execute("UPDATE session SET diner_id = NULL WHERE session_id = 1")
    return {"signed_in": False}


@tool
def get_profile(db: Db) -> dict:
    """The signed-in diner's profile: name, email and delivery address."""
    row = db.one("SELECT d.diner_id, a.email, d.first_name, d.last_name, d.street, d.city FROM diners d "
                 "JOIN accounts a ON a.diner_id = d.diner_id WHERE d.diner_id = ?", [signed_in(db)])
    return row or {}


@tool
def search_stores(db: Db, city: str, cuisine: Literal["thai", "pizza", "sushi", "burgers", "mexican"] | None = None
                  ) -> list:
    """List the restaurants in a city, optionally of one cuisine, with their delivery fee.

    Args:
        city: The city to search, like "Oakridge".
        cuisine: Only restaurants of this cuisine.
    """
    if cuisine is None:
        rows = db.query("SELECT * FROM stores WHERE lower(city) = lower(?) ORDER BY store_id", [city])
    else:
        rows = db.query("SELECT * FROM stores WHERE lower(city) = lower(?) AND cuisine = ? ORDER BY store_id",
                        [city, cuisine])
    if not rows:
        raise ToolError(f"no restaurant found in {city}")
    return rows


@tool
def get_menu(db: Db, store_id: str) -> list:
    """List a restaurant's menu items with prices and whether each is available now.

    Args:
        store_id: The restaurant, like "ST101".
    """
    known_store(db, store_id)
    return db.query("SELECT item_id, name, price, available FROM menu_items WHERE store_id = ? ORDER BY item_id",
                    [store_id])


@tool
def list_orders(db: Db, status: Literal["placed", "preparing", "out_for_delivery", "delivered", "cancelled"]
                | None = None) -> list:
    """List the signed-in diner's orders, newest first, optionally only those with one status.

    Args:
        status: Only orders with this status.
    """
    diner_id = signed_in(db)
    sql = ("SELECT o.order_id, s.name AS store_name, m.name AS item_name, o.quantity, o.status, o.placed_at "
           "FROM orders o JOIN stores s ON s.store_id = o.store_id JOIN menu_items m ON m.item_id = o.item_id "
           "WHERE o.diner_id = ?")
    if status is None:
        return db.query(sql + " ORDER BY o.placed_at DESC", [diner_id])
    return db.query(sql + " AND o.status = ? ORDER BY o.placed_at DESC", [diner_id, status])


@tool
def get_order(db: Db, order_id: str) -> dict:
    """One order of the signed-in diner: store, item, status, fulfilment and what it cost.

    Args:
        order_id: The order, like "FD-50001".
    """
    order = own_order(db, order_id)
    return {**order, "total": round(order["subtotal"] + order["fee"] + order["tip"], 2)}


@tool(writes=True, confirm=True)
def place_order(db: Db, item_id: str, quantity: int = 1,
                fulfilment: Literal["delivery", "pickup"] = "delivery") -> dict:
    """Order a menu item from an open restaurant, delivered to the diner's address or for pickup.

    Args:
        item_id: The menu item to order, like "MI2001".
        quantity: How many, 1 to 10.
        fulfilment: Delivered to the diner's address (a delivery fee applies) or picked up.
    """
    diner_id = signed_in(db)
    item = db.one("SELECT * FROM menu_items WHERE item_id = ?", [item_id])
    if item is None:
        raise ToolError(f"menu item {item_id} not found")
    store = known_store(db, item["store_id"])
    if not store["is_open"]:
        raise ToolError(f"{store['name']} is closed right now")
    if not item["available"]:
        raise ToolError(f"{item['name']} is sold out at {store['name']}")
    if quantity < 1 or quantity > 10:
        raise ToolError("the quantity must be between 1 and 10")
    order_id = f"FD-{50001 + db.scalar('SELECT count(*) FROM orders')}"
    fee = store["delivery_fee"] if fulfilment == "delivery" else 0.0
    db.insert("orders", [{"order_id": order_id, "diner_id": diner_id, "store_id": store["store_id"],
                          "item_id": item_id, "quantity": quantity, "fulfilment": fulfilment, "status": "placed",
                          "subtotal": round(item["price"] * quantity, 2), "fee": fee, "tip": 0.0,
                          "placed_at": db.today.isoformat() + " 12:00"}])
    return get_order(db, order_id)


@tool(writes=True, confirm=True)
def cancel_order(db: Db, order_id: str, reason: CancelReason = "other") -> dict:
    """Cancel an order the kitchen has not started; it is refunded in full.

    Args:
        order_id: The order to cancel.
        reason: Why the diner cancels it.
    """
    order = own_order(db, order_id)
    if order["status"] != "placed":
        raise ToolError(f"order {order_id} is {order['status'].replace('_', ' ')} and can no longer be cancelled")
    db.execute("UPDATE orders SET status = 'cancelled' WHERE order_id = ?", [order_id])
    refund = round(order["subtotal"] + order["fee"] + order["tip"], 2)
    return {"order_id": order_id, "status": "cancelled", "reason": reason, "refund": refund}


@tool(writes=True, confirm=True)
def add_tip(db: Db, order_id: str, amount: float) -> dict:
    """Add a tip for the courier to a delivery order; it is charged to the order's card.

    Args:
        order_id: The delivery order to tip on.
        amount: The tip in dollars, more than 0 and at most 50.
    """
    order = own_order(db, order_id)
    if order["fulfilment"] != "delivery":
        raise ToolError(f"order {order_id} is a pickup order; only deliveries take a courier tip")
    if order["status"] == "cancelled":
        raise ToolError(f"order {order_id} was cancelled")
    if amount <= 0 or amount > 50:
        raise ToolError("a tip must be more than $0 and at most $50")
    db.execute("UPDATE orders SET tip = tip + ? WHERE order_id = ?", [round(amount, 2), order_id])
    return get_order(db, order_id)


@tool(writes=True)
def update_delivery_address(db: Db, street: str) -> dict:
    """Change the street address orders are delivered to (same city).

    Args:
        street: The new street address, like "12 Elm Street".
    """
    diner_id = signed_in(db)
    if len(street.strip()) < 5:
        raise ToolError("that street address is too short")
    db.execute("UPDATE diners SET street = ? WHERE diner_id = ?", [street.strip(), diner_id])
    return get_profile(db)


@tool
def calc(db: Db, expression: str) -> dict:
    """Work out a sum with + - * / and parentheses, e.g. to split a bill or size a tip.

    Args:
        expression: The arithmetic, like "(23.5 + 4) / 3".
    """
    allowed = set("0123456789.+-*/() ")
    if not expression or len(expression) > 200 or not set(expression) <= allowed:
        raise ToolError("an expression may hold only numbers, + - * / and parentheses")
    tokens = []
    number = ""
    for ch in expression:
        if ch.isdigit() or ch == ".":
            number += ch
            continue
        if number:
            tokens.append(number)
            number = ""
        if ch != " ":
            tokens.append(ch)
    if number:
        tokens.append(number)
    value, rest = sum_terms(tokens)
    if rest:
        raise ToolError("the expression is not complete arithmetic")
    return {"expression": expression, "result": round(value, 2)}


def sum_terms(tokens: list[str]) -> tuple[float, list[str]]:
    value, tokens = product_terms(tokens)
    while tokens and tokens[0] in "+-":
        op, (right, tokens) = tokens[0], product_terms(tokens[1:])
        value = value + right if op == "+" else value - right
    return value, tokens


def product_terms(tokens: list[str]) -> tuple[float, list[str]]:
    value, tokens = atom_term(tokens)
    while tokens and tokens[0] in "*/":
        op, (right, tokens) = tokens[0], atom_term(tokens[1:])
        if op == "/" and right == 0:
            raise ToolError("division by zero")
        value = value * right if op == "*" else value / right
    return value, tokens


def atom_term(tokens: list[str]) -> tuple[float, list[str]]:
    if not tokens:
        raise ToolError("the expression is not complete arithmetic")
    head = tokens[0]
    if head == "(":
        value, rest = sum_terms(tokens[1:])
        if not rest or rest[0] != ")":
            raise ToolError("unbalanced parentheses")
        return value, rest[1:]
    if head == "-":
        value, rest = atom_term(tokens[1:])
        return -value, rest
    try:
        return float(head), tokens[1:]
    except ValueError:
        raise ToolError(f"{head} is not a number") from None
