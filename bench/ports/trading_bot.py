"""A stock trading account: log in, fund it, look up stocks, place and cancel orders, keep a watchlist.

A port of most of the BFCL multi-turn trading bot API (16 of its 20 tools, same names,
parameters and outputs). Every account tool acts for the user logged in, kept in a
one-row `session` table. Buying reserves the order's cost from the balance; cancelling
a pending order gives it back.
"""

from typing import Literal

from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "users"  # a dialogue is one account holder's
SECTORS = ["Technology", "Healthcare", "Energy", "Finance", "Retail"]

TABLES = """
CREATE TABLE users (
    username VARCHAR PRIMARY KEY,
    password VARCHAR NOT NULL,
    account_id INTEGER NOT NULL,
    balance DOUBLE NOT NULL,
    binding_card BIGINT NOT NULL
);
CREATE TABLE stocks (
    symbol VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    sector VARCHAR NOT NULL,
    price DOUBLE NOT NULL,
    percent_change DOUBLE NOT NULL,
    volume DOUBLE NOT NULL,
    ma5 DOUBLE NOT NULL,
    ma20 DOUBLE NOT NULL
);
CREATE TABLE orders (
    order_id INTEGER PRIMARY KEY,
    username VARCHAR NOT NULL,
    order_type VARCHAR NOT NULL,
    symbol VARCHAR NOT NULL,
    price DOUBLE NOT NULL,
    amount INTEGER NOT NULL,
    status VARCHAR NOT NULL
);
CREATE TABLE watchlist (
    username VARCHAR NOT NULL,
    symbol VARCHAR NOT NULL,
    PRIMARY KEY (username, symbol)
);
CREATE TABLE session (
    session_id INTEGER PRIMARY KEY,
    username VARCHAR
);
"""


def seed(db: Db, fake: Fake) -> None:
    stocks = []
    taken = set()
    while len(stocks) < 20:
        company = fake.company()
        symbol = "".join(ch for ch in company.upper() if ch.isalpha())[:4]
        if len(symbol) < 3 or symbol in taken:
            continue
        taken.add(symbol)
        price = round(db.rng.uniform(10, 400), 2)
        stocks.append({"symbol": symbol, "name": company, "sector": db.rng.choice(SECTORS), "price": price,
                       "percent_change": round(db.rng.uniform(-5, 5), 2), "volume": round(db.rng.uniform(0.5, 9), 3),
                       "ma5": round(price * db.rng.uniform(0.95, 1.05), 2),
                       "ma20": round(price * db.rng.uniform(0.9, 1.1), 2)})
    db.insert("stocks", stocks)
    users = []
    names = set()
    while len(users) < 8:
        username = fake.user_name()
        if username in names:
            continue
        names.add(username)
        users.append({"username": username, "password": f"{fake.word()}{db.rng.randint(1000, 9999)}",
                      "account_id": 10000 + len(users) + 1, "balance": round(db.rng.uniform(2000, 50000), 2),
                      "binding_card": db.rng.randint(10**15, 10**16 - 1)})
    db.insert("users", users)
    orders = []
    for number in range(32):  # each account: four orders, the first two still pending
        stock = db.rng.choice(stocks)
        orders.append({"order_id": 12340 + number, "username": users[number // 4]["username"],
                       "order_type": db.rng.choice(["Buy", "Sell"]), "symbol": stock["symbol"],
                       "price": stock["price"], "amount": db.rng.randint(1, 50),
                       "status": "Pending" if number % 4 < 2 else db.rng.choice(["Completed", "Cancelled"])})
    db.insert("orders", orders)
    db.insert("watchlist", [{"username": user["username"], "symbol": symbol} for user in users
                            for symbol in db.rng.sample(sorted(taken), 2)])
    db.insert("session", [{"session_id": 1, "username": None}])


# --------------------------------------------------------------------------- helpers


def current_user(db: Db) -> dict:
    username = db.scalar("SELECT username FROM session WHERE session_id = 1")
    if username is None:
        raise ToolError("no user is logged in; log in to the trading system first")
    return db.one("SELECT * FROM users WHERE username = ?", [username])


def find_stock(db: Db, symbol: str) -> dict:
    stock = db.one("SELECT * FROM stocks WHERE symbol = ?", [symbol.upper()])
    if stock is None:
        raise ToolError(f"stock {symbol} not found")
    return stock


def own_order(db: Db, user: dict, order_id: int) -> dict:
    order = db.one("SELECT * FROM orders WHERE order_id = ? AND username = ?", [order_id, user["username"]])
    if order is None:
        raise ToolError(f"order {order_id} not found in your account")
    return order


def watchlist_of(db: Db, username: str) -> list:
    return [r["symbol"] for r in db.query("SELECT symbol FROM watchlist WHERE username = ? ORDER BY symbol",
                                          [username])]


# --------------------------------------------------------------------------- tools


@tool(writes=True)
def trading_login(db: Db, username: str, password: str) -> dict:
    """Handle user login.

    Args:
        username: Username for authentication.
        password: Password for authentication.
    """
    user = db.one("SELECT password FROM users WHERE username = ?", [username])
    if user is None or user["password"] != password:
        raise ToolError("invalid username or password")
    db.execute("UPDATE session SET username = ? WHERE session_id = 1", [username])
    return {"status": "Logged in successfully"}


@tool
def trading_get_login_status(db: Db) -> dict:
    """Get the login status."""
    return {"status": db.scalar("SELECT username FROM session WHERE session_id = 1") is not None}


@tool(writes=True)
def trading_logout(db: Db) -> dict:
    """Handle user logout for trading system."""
    current_user(db)
    db.execute("UPDATE session SET username = NULL WHERE session_id = 1")
    return {"status": "Logged out successfully"}


@tool
def get_account_info(db: Db) -> dict:
    """Get account information."""
    user = current_user(db)
    return {"account_id": user["account_id"], "balance": user["balance"], "binding_card": user["binding_card"]}


@tool(writes=True)
def fund_account(db: Db, amount: float) -> dict:
    """Fund the account with the specified amount.

    Args:
        amount: Amount to fund the account with.
    """
    user = current_user(db)
    if amount <= 0:
        raise ToolError("the amount must be positive")
    balance = round(user["balance"] + amount, 2)
    db.execute("UPDATE users SET balance = ? WHERE username = ?", [balance, user["username"]])
    return {"status": "Account funded successfully", "new_balance": balance}


@tool(writes=True, confirm=True)
def withdraw_funds(db: Db, amount: float) -> dict:
    """Withdraw funds from the account balance.

    Args:
        amount: Amount to withdraw from the account.
    """
    user = current_user(db)
    if amount <= 0:
        raise ToolError("the amount must be positive")
    if amount > user["balance"]:
        raise ToolError(f"insufficient funds: the balance is {user['balance']:.2f}")
    balance = round(user["balance"] - amount, 2)
    db.execute("UPDATE users SET balance = ? WHERE username = ?", [balance, user["username"]])
    return {"status": "Withdrawal successful", "new_balance": balance}


@tool
def get_stock_info(db: Db, symbol: str) -> dict:
    """Get the details of a stock.

    Args:
        symbol: Symbol that uniquely identifies the stock.
    """
    stock = find_stock(db, symbol)
    return {"price": stock["price"], "percent_change": stock["percent_change"], "volume": stock["volume"],
            "MA(5)": stock["ma5"], "MA(20)": stock["ma20"]}


@tool
def get_symbol_by_name(db: Db, name: str) -> dict:
    """Get the symbol of a stock by company name.

    Args:
        name: Name of the company.
    """
    stock = db.one("SELECT symbol FROM stocks WHERE lower(name) = lower(?)", [name.strip()])
    if stock is None:
        raise ToolError(f"no company named '{name}'")
    return {"symbol": stock["symbol"]}


@tool
def get_available_stocks(db: Db, sector: str) -> dict:
    """Get a list of stock symbols in the given sector.

    Args:
        sector: The sector to retrieve stocks from (e.g., 'Technology').
    """
    rows = db.query("SELECT symbol FROM stocks WHERE lower(sector) = lower(?) ORDER BY symbol", [sector.strip()])
    if not rows and sector.strip().title() not in SECTORS:
        raise ToolError(f"unknown sector '{sector}'; sectors are {', '.join(SECTORS)}")
    return {"stock_list": [r["symbol"] for r in rows]}


@tool(writes=True, confirm=True)
def place_order(db: Db, order_type: Literal["Buy", "Sell"], symbol: str, price: float, amount: int) -> dict:
    """Place an order.

    Args:
        order_type: Type of the order (Buy/Sell).
        symbol: Symbol of the stock to trade.
        price: Price at which to place the order.
        amount: Number of shares to trade.
    """
    user = current_user(db)
    stock = find_stock(db, symbol)
    if price <= 0 or amount <= 0:
        raise ToolError("the price and the number of shares must be positive")
    cost = round(price * amount, 2)
    if order_type == "Buy":
        if cost > user["balance"]:
            raise ToolError(f"insufficient funds: the order costs {cost:.2f}, the balance is {user['balance']:.2f}")
        db.execute("UPDATE users SET balance = ? WHERE username = ?", [round(user["balance"] - cost, 2),
                                                                       user["username"]])
    order_id = (db.scalar("SELECT max(order_id) FROM orders") or 12340) + 1
    db.insert("orders", [{"order_id": order_id, "username": user["username"], "order_type": order_type,
                          "symbol": stock["symbol"], "price": price, "amount": amount, "status": "Pending"}])
    return {"order_id": order_id, "order_type": order_type, "status": "Pending", "price": price, "amount": amount}


@tool(writes=True, confirm=True)
def cancel_order(db: Db, order_id: int) -> dict:
    """Cancel an order.

    Args:
        order_id: ID of the order to cancel.
    """
    user = current_user(db)
    order = own_order(db, user, order_id)
    if order["status"] != "Pending":
        raise ToolError(f"order {order_id} is {order['status'].lower()} and cannot be cancelled")
    if order["order_type"] == "Buy":
        refund = round(user["balance"] + order["price"] * order["amount"], 2)
        db.execute("UPDATE users SET balance = ? WHERE username = ?", [refund, user["username"]])
    db.execute("UPDATE orders SET status = 'Cancelled' WHERE order_id = ?", [order_id])
    return {"order_id": order_id, "status": "Cancelled"}


@tool
def get_order_details(db: Db, order_id: int) -> dict:
    """Get the details of an order.

    Args:
        order_id: ID of the order.
    """
    order = own_order(db, current_user(db), order_id)
    return {"id": order["order_id"], "order_type": order["order_type"], "symbol": order["symbol"],
            "price": order["price"], "amount": order["amount"], "status": order["status"]}


@tool
def get_order_history(db: Db) -> dict:
    """Get the stock order ID history."""
    user = current_user(db)
    rows = db.query("SELECT order_id FROM orders WHERE username = ? ORDER BY order_id", [user["username"]])
    return {"order_history": [r["order_id"] for r in rows]}


@tool(writes=True)
def add_to_watchlist(db: Db, stock: str) -> dict:
    """Add a stock to the watchlist.

    Args:
        stock: The stock symbol to add to the watchlist.
    """
    user = current_user(db)
    symbol = find_stock(db, stock)["symbol"]
    if symbol in watchlist_of(db, user["username"]):
        raise ToolError(f"{symbol} is already on your watchlist")
    db.insert("watchlist", [{"username": user["username"], "symbol": symbol}])
    return {"watchlist": watchlist_of(db, user["username"])}


@tool
def get_watchlist(db: Db) -> dict:
    """Get the watchlist."""
    return {"watchlist": watchlist_of(db, current_user(db)["username"])}


@tool(writes=True)
def remove_stock_from_watchlist(db: Db, symbol: str) -> dict:
    """Remove a stock from the watchlist.

    Args:
        symbol: Symbol of the stock to remove.
    """
    user = current_user(db)
    if symbol.upper() not in watchlist_of(db, user["username"]):
        raise ToolError(f"{symbol} is not on your watchlist")
    db.execute("DELETE FROM watchlist WHERE username = ? AND symbol = ?", [user["username"], symbol.upper()])
    return {"status": f"Stock {symbol.upper()} removed from watchlist successfully."}
