"""Online retail store. Customers (ids like "C1001") place orders (ids like "#W1042")
for catalogue products (ids like "P2017"); each order line is an item with its own id
(like "#W1042-2"). An order moves pending -> processing -> shipped -> delivered, or is
cancelled. Policies: an order can be cancelled only while it is pending or processing;
its shipping address can be changed only while it is pending; items of a delivered
order can be returned within 30 days of delivery, each item at most once, for a refund.
Customers are identified by email, or by first name, last name and zip code.
"""

import re
from datetime import date, datetime, timedelta
from typing import Literal, TypedDict

from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "customers"  # a dialogue is one of these users' conversation

TABLES = """
CREATE TABLE customers (
    customer_id VARCHAR PRIMARY KEY,
    first_name VARCHAR NOT NULL,
    last_name VARCHAR NOT NULL,
    email VARCHAR NOT NULL,
    phone VARCHAR NOT NULL,
    street VARCHAR NOT NULL,
    city VARCHAR NOT NULL,
    state VARCHAR NOT NULL,
    zip VARCHAR NOT NULL,
    member_since DATE NOT NULL
);
CREATE TABLE products (
    product_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    price DOUBLE NOT NULL,
    stock INTEGER NOT NULL,
    active BOOLEAN NOT NULL
);
CREATE TABLE orders (
    order_id VARCHAR PRIMARY KEY,
    customer_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    placed_at TIMESTAMP NOT NULL,
    shipped_on DATE,
    delivered_on DATE,
    tracking_number VARCHAR,
    cancel_reason VARCHAR,
    payment_method VARCHAR NOT NULL,
    ship_street VARCHAR NOT NULL,
    ship_city VARCHAR NOT NULL,
    ship_state VARCHAR NOT NULL,
    ship_zip VARCHAR NOT NULL,
    total DOUBLE NOT NULL
);
CREATE TABLE order_items (
    item_id VARCHAR PRIMARY KEY,
    order_id VARCHAR NOT NULL,
    line_no INTEGER NOT NULL,
    product_id VARCHAR NOT NULL,
    product_name VARCHAR NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price DOUBLE NOT NULL,
    return_id VARCHAR
);
CREATE TABLE returns (
    return_id VARCHAR PRIMARY KEY,
    order_id VARCHAR NOT NULL,
    customer_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    refund_method VARCHAR NOT NULL,
    refund_amount DOUBLE NOT NULL,
    requested_on DATE NOT NULL
);
"""

RETURN_WINDOW_DAYS = 30
MAX_UNITS_PER_LINE = 10

Category = Literal["electronics", "home", "kitchen", "outdoor", "clothing", "toys"]
OrderStatus = Literal["pending", "processing", "shipped", "delivered", "cancelled"]
PaymentMethod = Literal["credit_card", "paypal", "gift_card"]
CancelReason = Literal["no_longer_needed", "ordered_by_mistake", "found_better_price", "other"]
ReturnReason = Literal["damaged", "wrong_item", "not_as_described", "no_longer_needed", "other"]
RefundMethod = Literal["original_payment", "store_credit"]

# Functional form: RestrictedPython does not allow annotated class bodies.
OrderLine = TypedDict("OrderLine", {"product_id": str, "quantity": int})  # noqa: UP013

# (product type, lowest price, highest price) per category.
CATALOGUE = {
    "electronics": [
        ("Wireless Headphones", 59, 199), ("Bluetooth Speaker", 29, 149),
        ("Smart Watch", 99, 349), ("USB-C Charger", 15, 49),
        ("Mechanical Keyboard", 49, 179), ("HD Webcam", 35, 120),
    ],
    "home": [
        ("Desk Lamp", 19, 89), ("Throw Blanket", 25, 79), ("Wall Clock", 15, 60),
        ("Scented Candle", 9, 35), ("Storage Basket", 12, 45),
    ],
    "kitchen": [
        ("Chef Knife", 29, 149), ("Coffee Grinder", 25, 99), ("Cast Iron Skillet", 22, 70),
        ("Electric Kettle", 25, 89), ("Blender", 39, 199),
    ],
    "outdoor": [
        ("Camping Tent", 79, 399), ("Hiking Backpack", 45, 189), ("Water Bottle", 9, 39),
        ("Sleeping Bag", 49, 219), ("Trekking Poles", 29, 119),
    ],
    "clothing": [
        ("Rain Jacket", 49, 199), ("Wool Sweater", 39, 129), ("Running Shoes", 59, 179),
        ("Denim Jeans", 35, 110), ("Baseball Cap", 12, 35),
    ],
    "toys": [
        ("Building Blocks Set", 19, 99), ("Jigsaw Puzzle", 12, 40),
        ("Remote Control Car", 29, 129), ("Plush Bear", 9, 39), ("Board Game", 19, 69),
    ],
}
VARIANTS = ["Black", "White", "Navy", "Red", "Green", "Grey", "Blue", "Sand"]


# ---------------------------------------------------------------- seed

def seed(db: Db, fake: Fake) -> None:
    rng = db.rng

    customers = []
    taken, emails = set(), set()
    for i in range(120):
        first, last, zip_code = fake.first_name(), fake.last_name(), fake.zipcode()
        if (first, last, zip_code) in taken:  # name + zip must identify one customer
            zip_code = f"{(int(zip_code) + 1) % 100000:05d}"
        taken.add((first, last, zip_code))
        handle = re.sub(r"[^a-z]", "", first.lower()) + "." + re.sub(r"[^a-z]", "", last.lower())
        email = f"{handle}{rng.randint(1, 99)}@{fake.free_email_domain()}"
        while email in emails:
            email = f"{handle}{rng.randint(100, 999)}@{fake.free_email_domain()}"
        emails.add(email)
        customers.append({
            "customer_id": f"C{1001 + i}",
            "first_name": first,
            "last_name": last,
            "email": email,
            "phone": fake.numerify("(###) ###-####"),
            "street": fake.street_address(),
            "city": fake.city(),
            "state": fake.state_abbr(include_territories=False),
            "zip": zip_code,
            "member_since": db.today - timedelta(days=rng.randint(100, 2500)),
        })
    db.insert("customers", customers)

    products = []
    for category, kinds in CATALOGUE.items():
        for kind, low, high in kinds:
            for variant in rng.sample(VARIANTS, 2):
                n = len(products)
                # Every 9th product is sold out and every 13th discontinued, so those
                # rules always have data to hit; a few more are low on stock.
                if n % 9 == 4:
                    stock = 0
                elif n % 5 == 2:
                    stock = rng.randint(1, 3)
                else:
                    stock = rng.randint(5, 80)
                products.append({
                    "product_id": f"P{2001 + n}",
                    "name": f"{kind} ({variant})",
                    "category": category,
                    "price": round(rng.randint(low, high) - 0.01, 2),
                    "stock": stock,
                    "active": n % 13 != 6,
                })
    db.insert("products", products)

    statuses = ["pending", "processing", "shipped", "delivered", "cancelled"]
    drafts = []
    while len(drafts) < 240:
        status = rng.choices(statuses, weights=[12, 10, 15, 53, 10])[0]
        customer = rng.choice(customers)
        shipped_on = delivered_on = None
        if status == "pending":
            placed = db.now - timedelta(hours=rng.randint(1, 47))
        elif status == "processing":
            placed = db.now - timedelta(hours=rng.randint(24, 80))
        elif status == "shipped":
            placed = db.now - timedelta(days=rng.randint(3, 7), hours=rng.randint(0, 23))
            shipped_on = placed.date() + timedelta(days=rng.randint(1, 2))
        elif status == "delivered":
            delivered_on = db.today - timedelta(days=rng.randint(1, 90))
            placed = datetime(delivered_on.year, delivered_on.month, delivered_on.day, rng.randint(7, 22),
                              rng.randint(0, 59)) - timedelta(days=rng.randint(3, 7))
            shipped_on = placed.date() + timedelta(days=rng.randint(1, 2))
        else:
            placed = db.now - timedelta(days=rng.randint(1, 90), hours=rng.randint(0, 23))
        if rng.random() < 0.1:  # a gift sent elsewhere
            address = (fake.street_address(), fake.city(), fake.state_abbr(include_territories=False),
                       fake.zipcode())
        else:
            address = (customer["street"], customer["city"], customer["state"], customer["zip"])
        lines = [(p, rng.choice([1, 1, 1, 2, 3])) for p in rng.sample(products, rng.randint(1, 4))]
        drafts.append({
            "customer_id": customer["customer_id"],
            "status": status,
            "placed_at": placed.replace(second=0, microsecond=0),
            "shipped_on": shipped_on,
            "delivered_on": delivered_on,
            "tracking_number": f"1Z{rng.randint(0, 9999999999):010d}" if shipped_on else None,
            "cancel_reason": rng.choice(["no_longer_needed", "ordered_by_mistake", "found_better_price"])
            if status == "cancelled" else None,
            "payment_method": rng.choice(["credit_card", "credit_card", "paypal", "gift_card"]),
            "ship_street": address[0],
            "ship_city": address[1],
            "ship_state": address[2],
            "ship_zip": address[3],
            "lines": lines,
        })

    # Order ids follow the order in which orders were placed.
    drafts = sorted(drafts, key=lambda d: d["placed_at"])
    orders, items, returns = [], [], []
    for i, draft in enumerate(drafts):
        order_id = f"#W{1001 + i}"
        order_items = []
        for line_no, (product, quantity) in enumerate(draft["lines"], start=1):
            order_items.append({
                "item_id": f"{order_id}-{line_no}",
                "order_id": order_id,
                "line_no": line_no,
                "product_id": product["product_id"],
                "product_name": product["name"],
                "quantity": quantity,
                "unit_price": product["price"],
                "return_id": None,
            })
        delivered_on = draft["delivered_on"]
        if delivered_on is not None and rng.random() < 0.15:
            # An earlier return of the first item, so "already returned" can be hit.
            return_id = f"RET-{5001 + len(returns)}"
            requested_on = min(db.today, delivered_on + timedelta(days=rng.randint(1, 20)))
            first = order_items[0]
            first["return_id"] = return_id
            returns.append({
                "return_id": return_id,
                "order_id": order_id,
                "customer_id": draft["customer_id"],
                "status": "refunded" if (db.today - requested_on).days > 7 else "requested",
                "reason": rng.choice(["damaged", "wrong_item", "not_as_described", "no_longer_needed"]),
                "refund_method": "original_payment",
                "refund_amount": round(first["quantity"] * first["unit_price"], 2),
                "requested_on": requested_on,
            })
        order = {k: v for k, v in draft.items() if k != "lines"}
        order["order_id"] = order_id
        order["total"] = round(sum(it["quantity"] * it["unit_price"] for it in order_items), 2)
        orders.append(order)
        items.extend(order_items)
    db.insert("orders", orders)
    db.insert("order_items", items)
    db.insert("returns", returns)


# ---------------------------------------------------------------- helpers (not tools)

def load_customer(db: Db, customer_id: str) -> dict:
    customer = db.one("SELECT * FROM customers WHERE customer_id = ?", [customer_id])
    if customer is None:
        raise ToolError(f"customer {customer_id} not found; look the customer up by email or by name and zip code")
    return customer


def load_order(db: Db, order_id: str) -> dict:
    order = db.one("SELECT * FROM orders WHERE order_id = ?", [order_id])
    if order is None:
        raise ToolError(f"order {order_id} not found; order ids look like #W1042")
    return order


def load_product(db: Db, product_id: str) -> dict:
    product = db.one("SELECT * FROM products WHERE product_id = ?", [product_id])
    if product is None:
        raise ToolError(f"product {product_id} not found; search the catalogue for its id")
    return product


def order_view(db: Db, order_id: str) -> dict:
    """An order with its items, as the read and write tools return it."""
    order = load_order(db, order_id)
    order["items"] = db.query(
        "SELECT item_id, product_id, product_name, quantity, unit_price, return_id "
        "FROM order_items WHERE order_id = ? ORDER BY line_no",
        [order_id],
    )
    return order


def return_view(db: Db, return_id: str) -> dict:
    ret = db.one("SELECT * FROM returns WHERE return_id = ?", [return_id])
    if ret is None:
        raise ToolError(f"return {return_id} not found; return ids look like RET-5001")
    ret["items"] = db.query(
        "SELECT item_id, product_id, product_name, quantity, unit_price "
        "FROM order_items WHERE return_id = ? ORDER BY line_no",
        [return_id],
    )
    return ret


def next_number(db: Db, sql: str, first: int) -> int:
    """The next free number of a prefixed id series; `sql` selects the current max."""
    current = db.scalar(sql)
    return first if current is None else int(current) + 1


# ---------------------------------------------------------------- customer tools

@tool(phrasing=[
    "Hi, my email is {email}.",
    "Can you find my account? It's under {email}.",
])
def find_customer_by_email(db: Db, email: str) -> dict:
    """Find a customer by email address (case-insensitive) and return their profile.

    Args:
        email: The customer's email address, like "jane.doe12@example.com".
    """
    customer = db.one("SELECT * FROM customers WHERE lower(email) = lower(?)", [email.strip()])
    if customer is None:
        raise ToolError(f"no customer with email {email}; try first name, last name and zip code instead")
    return customer


@tool(phrasing=[
    "I'm {first_name} {last_name}, zip code {zip_code}.",
    "My name is {first_name} {last_name} and I live in {zip_code}, can you pull up my account?",
])
def find_customer_by_name_zip(db: Db, first_name: str, last_name: str, zip_code: str) -> dict:
    """Find a customer by first name, last name and zip code (names case-insensitive).

    Args:
        first_name: The customer's first name.
        last_name: The customer's last name.
        zip_code: The 5-digit zip code of the customer's address.
    """
    customer = db.one(
        "SELECT * FROM customers WHERE lower(first_name) = lower(?) AND lower(last_name) = lower(?) AND zip = ?",
        [first_name.strip(), last_name.strip(), zip_code.strip()],
    )
    if customer is None:
        raise ToolError(f"no customer named {first_name} {last_name} with zip code {zip_code}; check the spelling "
                        "or look the customer up by email")
    return customer


@tool(phrasing=[
    "Show me the account details for customer {customer_id}.",
    "What do you have on file for {customer_id}?",
])
def get_customer(db: Db, customer_id: str) -> dict:
    """Get a customer's profile with a summary of their orders (newest first).

    Args:
        customer_id: The customer's id, like "C1001".
    """
    customer = load_customer(db, customer_id)
    customer["orders"] = db.query(
        "SELECT order_id, status, placed_at, total FROM orders WHERE customer_id = ? "
        "ORDER BY placed_at DESC, order_id DESC",  # orders placed in one dialogue share the frozen clock
        [customer_id],
    )
    return customer


@tool(phrasing=[
    "What orders has {customer_id} placed?",
    "List the {status} orders of customer {customer_id}.",
])
def list_customer_orders(db: Db, customer_id: str, status: OrderStatus | None = None) -> list:
    """List a customer's orders, newest first, optionally only those in one status.

    Args:
        customer_id: The customer's id, like "C1001".
        status: Only orders in this status; all orders when omitted.
    """
    load_customer(db, customer_id)
    sql = "SELECT order_id, status, placed_at, delivered_on, total FROM orders WHERE customer_id = ?"
    params = [customer_id]
    if status is not None:
        sql = sql + " AND status = ?"
        params.append(status)
    return db.query(sql + " ORDER BY placed_at DESC, order_id DESC", params)


# ---------------------------------------------------------------- catalogue tools

@tool(phrasing=[
    "Do you sell any {query}?",
    "I'm looking for {query}, what do you have?",
    "Show me what's in stock in {category}.",
])
def search_products(
    db: Db,
    query: str = "",
    category: Category | None = None,
    in_stock_only: bool = False,
    limit: int = 20,
) -> list:
    """Search the catalogue by words in the product name, optionally within one category.

    Args:
        query: Words to look for in the product name, like "headphones"; empty matches all.
        category: Only products of this category.
        in_stock_only: Only products that are available (not discontinued) and in stock.
        limit: At most this many products are returned (1 to 50).
    """
    if limit < 1 or limit > 50:
        raise ToolError(f"limit must be between 1 and 50, got {limit}")
    sql = "SELECT product_id, name, category, price, stock, active FROM products WHERE 1 = 1"
    params = []
    for word in query.split():
        sql = sql + " AND name ILIKE ?"
        params.append(f"%{word}%")
    if category is not None:
        sql = sql + " AND category = ?"
        params.append(category)
    if in_stock_only:
        sql = sql + " AND active AND stock > 0"
    params.append(limit)
    return db.query(sql + " ORDER BY product_id LIMIT ?", params)


@tool(phrasing=[
    "Is {product_id} in stock?",
    "How much does product {product_id} cost?",
])
def get_product(db: Db, product_id: str) -> dict:
    """Get one product: name, category, price, units in stock and whether it is still sold.

    Args:
        product_id: The product's id, like "P2017".
    """
    return load_product(db, product_id)


# ---------------------------------------------------------------- order tools

@tool(phrasing=[
    "What's the status of order {order_id}?",
    "Can you tell me what's in my order {order_id}?",
])
def get_order(db: Db, order_id: str) -> dict:
    """Get an order with its status, dates, shipping address, total and items.

    Each item has an item_id (used for returns) and, if already returned, its return_id.

    Args:
        order_id: The order's id, like "#W1042".
    """
    return order_view(db, order_id)


@tool(writes=True, confirm=True, phrasing=[
    "I'm customer {customer_id} and I'd like to order {items}.",
    "Please place an order of {items} for {customer_id}, paying by {payment_method}.",
])
def place_order(
    db: Db,
    customer_id: str,
    items: list[OrderLine],
    payment_method: PaymentMethod = "credit_card",
) -> dict:
    """Place a new order, shipped to the customer's address on file; stock is reserved at once.

    Lines for the same product are merged. The new order is pending and returned with
    its order_id and item ids.

    Args:
        customer_id: The ordering customer's id, like "C1001".
        items: The products to order, each with product_id and quantity (1 to 10 units).
        payment_method: How the customer pays.
    """
    customer = load_customer(db, customer_id)
    if len(items) == 0:
        raise ToolError("an order needs at least one item")
    wanted = {}
    for line in items:
        if line["quantity"] < 1:
            raise ToolError(f"quantity for {line['product_id']} must be at least 1, got {line['quantity']}")
        wanted[line["product_id"]] = wanted.get(line["product_id"], 0) + line["quantity"]

    lines = []
    for product_id, quantity in wanted.items():
        product = load_product(db, product_id)
        label = f"{product_id} ({product['name']})"
        if not product["active"]:
            raise ToolError(f"product {label} is discontinued and can no longer be ordered")
        if quantity > MAX_UNITS_PER_LINE:
            raise ToolError(f"at most {MAX_UNITS_PER_LINE} units of {label} can be ordered at once, "
                            f"{quantity} requested")
        if product["stock"] < quantity:
            if product["stock"] == 0:
                raise ToolError(f"product {label} is out of stock")
            raise ToolError(f"only {product['stock']} units of {label} are in stock, {quantity} requested")
        lines.append((product, quantity))

    number = next_number(db, "SELECT max(CAST(substr(order_id, 3) AS INTEGER)) FROM orders", 1001)
    order_id = f"#W{number}"
    total = round(sum(product["price"] * quantity for product, quantity in lines), 2)
    db.insert("orders", [{
        "order_id": order_id,
        "customer_id": customer_id,
        "status": "pending",
        "placed_at": db.now,
        "shipped_on": None,
        "delivered_on": None,
        "tracking_number": None,
        "cancel_reason": None,
        "payment_method": payment_method,
        "ship_street": customer["street"],
        "ship_city": customer["city"],
        "ship_state": customer["state"],
        "ship_zip": customer["zip"],
        "total": total,
    }])
    rows = []
    for line_no, (product, quantity) in enumerate(lines, start=1):
        rows.append({
            "item_id": f"{order_id}-{line_no}",
            "order_id": order_id,
            "line_no": line_no,
            "product_id": product["product_id"],
            "product_name": product["name"],
            "quantity": quantity,
            "unit_price": product["price"],
            "return_id": None,
        })
        db.execute("UPDATE products SET stock = stock - ? WHERE product_id = ?", [quantity, product["product_id"]])
    db.insert("order_items", rows)
    return order_view(db, order_id)


@tool(writes=True, confirm=True, phrasing=[
    "Please cancel order {order_id}.",
    "I want to cancel {order_id}, reason: {reason}.",
])
def cancel_order(db: Db, order_id: str, reason: CancelReason = "no_longer_needed") -> dict:
    """Cancel an order that is still pending or processing; its items go back into stock.

    Shipped or delivered orders cannot be cancelled (a delivered order can be returned).

    Args:
        order_id: The order's id, like "#W1042".
        reason: Why the customer cancels.
    """
    order = load_order(db, order_id)
    status = order["status"]
    if status == "cancelled":
        raise ToolError(f"order {order_id} is already cancelled")
    if status == "shipped":
        raise ToolError(f"order {order_id} has already shipped (on {order['shipped_on']}) and cannot be "
                        "cancelled; it can be returned once it is delivered")
    if status == "delivered":
        raise ToolError(f"order {order_id} was delivered on {order['delivered_on']} and cannot be cancelled; "
                        "request a return instead")
    for item in db.query("SELECT product_id, quantity FROM order_items WHERE order_id = ?", [order_id]):
        db.execute("UPDATE products SET stock = stock + ? WHERE product_id = ?", [item["quantity"], item["product_id"]])
    db.execute("UPDATE orders SET status = 'cancelled', cancel_reason = ? WHERE order_id = ?", [reason, order_id])
    return order_view(db, order_id)


@tool(writes=True, confirm=True, phrasing=[
    "Please ship order {order_id} to {street}, {city}, {state} {zip_code} instead.",
    "I moved: can you change the delivery address of {order_id} to {street}, {city}, {state} {zip_code}?",
])
def update_shipping_address(db: Db, order_id: str, street: str, city: str, state: str, zip_code: str) -> dict:
    """Change where an order is shipped; only possible while the order is still pending.

    Args:
        order_id: The order's id, like "#W1042".
        street: Street and house number, like "12 Oak Street Apt 4".
        city: City name.
        state: Two-letter US state code, like "CA".
        zip_code: Five-digit zip code, like "94107".
    """
    order = load_order(db, order_id)
    if order["status"] != "pending":
        raise ToolError(f"order {order_id} is {order['status']}; its shipping address can only be changed "
                        "while the order is pending")
    street, city, state, zip_code = street.strip(), city.strip(), state.strip().upper(), zip_code.strip()
    if street == "" or city == "":
        raise ToolError("street and city must not be empty")
    if re.fullmatch(r"[A-Z]{2}", state) is None:
        raise ToolError(f"state '{state}' is not valid; use the two-letter code, like CA")
    if re.fullmatch(r"[0-9]{5}", zip_code) is None:
        raise ToolError(f"zip code '{zip_code}' is not valid; use five digits, like 94107")
    db.execute(
        "UPDATE orders SET ship_street = ?, ship_city = ?, ship_state = ?, ship_zip = ? WHERE order_id = ?",
        [street, city, state, zip_code, order_id],
    )
    return order_view(db, order_id)


# ---------------------------------------------------------------- returns

@tool(writes=True, confirm=True, phrasing=[
    "I'd like to return {item_ids} from order {order_id} because it's {reason}.",
    "Item {item_ids} of {order_id} arrived {reason}, can I send it back?",
])
def request_return(
    db: Db,
    order_id: str,
    item_ids: list[str],
    reason: ReturnReason,
    refund_method: RefundMethod = "original_payment",
) -> dict:
    """Return items of a delivered order, within 30 days of delivery; each item only once.

    Whole items are returned (all units of that line) and refunded at the price paid.
    Returns the new return with its return_id, refund amount and items.

    Args:
        order_id: The order's id, like "#W1042".
        item_ids: Ids of the order's items to return, like ["#W1042-1"] (see get_order).
        reason: Why the items are returned.
        refund_method: Refund to the original payment method or as store credit.
    """
    order = load_order(db, order_id)
    if order["status"] != "delivered":
        raise ToolError(f"order {order_id} is {order['status']}, not delivered; only delivered orders can be returned")
    delivered_on = date.fromisoformat(order["delivered_on"])
    deadline = delivered_on + timedelta(days=RETURN_WINDOW_DAYS)
    if db.today > deadline:
        raise ToolError(f"order {order_id} was delivered on {delivered_on.isoformat()}; its 30-day return window "
                        f"closed on {deadline.isoformat()}")
    if len(item_ids) == 0:
        raise ToolError("name at least one item to return (item ids are listed by get_order)")
    unique_ids = []
    for item_id in item_ids:
        if item_id not in unique_ids:
            unique_ids.append(item_id)
    refund = 0.0
    for item_id in unique_ids:
        item = db.one("SELECT * FROM order_items WHERE item_id = ? AND order_id = ?", [item_id, order_id])
        if item is None:
            raise ToolError(f"item {item_id} is not part of order {order_id}")
        if item["return_id"] is not None:
            raise ToolError(f"item {item_id} ({item['product_name']}) of order {order_id} was already returned "
                            f"in return {item['return_id']}")
        refund = refund + item["quantity"] * item["unit_price"]

    number = next_number(db, "SELECT max(CAST(substr(return_id, 5) AS INTEGER)) FROM returns", 5001)
    return_id = f"RET-{number}"
    db.insert("returns", [{
        "return_id": return_id,
        "order_id": order_id,
        "customer_id": order["customer_id"],
        "status": "requested",
        "reason": reason,
        "refund_method": refund_method,
        "refund_amount": round(refund, 2),
        "requested_on": db.today,
    }])
    for item_id in unique_ids:
        db.execute("UPDATE order_items SET return_id = ? WHERE item_id = ?", [return_id, item_id])
    return return_view(db, return_id)


@tool(phrasing=[
    "What's the status of my return {return_id}?",
    "How much will I get back for return {return_id}?",
])
def get_return(db: Db, return_id: str) -> dict:
    """Get a return: its order, status, reason, refund amount and method, and returned items.

    Args:
        return_id: The return's id, like "RET-5001".
    """
    return return_view(db, return_id)
