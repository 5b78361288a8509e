"""Shared ledger for housemates and trips: members of a group log what they paid for,
split it between the members it was for, see who owes whom, and settle up.

Every expense is paid by one member and split into shares of the members it was for
(equal shares; the cents that do not divide go to the first members in name order).
Only the member who logged an expense, or the group's owner, may change or delete it.
A member owes another the sum of their shares in the other's expenses, less the
other's shares in theirs, less what was already settled between them; a settlement
can be at most what is owed. Nobody may leave a group while they owe or are owed.
Users are found by email and go by a username (maya.k); groups look like GRP-12,
expenses E-90001, settlements ST-501.
"""
# Written for an independent audit; the generator never saw it while it was tuned. (Not in the
# docstring: the docstring is the env's system prompt.)

import datetime
from typing import Literal

from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "users"

TABLES = """
CREATE TABLE users (
    username VARCHAR PRIMARY KEY,
    display_name VARCHAR NOT NULL,
    email VARCHAR NOT NULL UNIQUE
);
CREATE TABLE groups (
    group_code VARCHAR PRIMARY KEY,
    title VARCHAR NOT NULL,
    owner VARCHAR NOT NULL
);
CREATE TABLE memberships (
    group_code VARCHAR NOT NULL,
    username VARCHAR NOT NULL,
    PRIMARY KEY (group_code, username)
);
CREATE TABLE expenses (
    expense_code VARCHAR PRIMARY KEY,
    group_code VARCHAR NOT NULL,
    paid_by VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    amount DECIMAL(10, 2) NOT NULL,
    spent_on DATE NOT NULL,
    category VARCHAR NOT NULL
);
CREATE TABLE shares (
    expense_code VARCHAR NOT NULL,
    username VARCHAR NOT NULL,
    share DECIMAL(10, 2) NOT NULL,
    PRIMARY KEY (expense_code, username)
);
CREATE TABLE settlements (
    settlement_code VARCHAR PRIMARY KEY,
    group_code VARCHAR NOT NULL,
    from_user VARCHAR NOT NULL,
    to_user VARCHAR NOT NULL,
    amount DECIMAL(10, 2) NOT NULL,
    settled_on DATE NOT NULL
);
"""

Category = Literal["groceries", "rent", "utilities", "eating_out", "transport", "lodging", "other"]
GROUPS = [("Flat 4B", ["rent", "utilities", "groceries"]), ("Lisbon trip", ["lodging", "eating_out", "transport"]),
          ("Allotment club", ["other", "groceries"]), ("Ski weekend", ["lodging", "transport", "eating_out"]),
          ("Book club", ["eating_out", "other"]), ("Camden house", ["rent", "utilities", "groceries"])]
WHAT = {"groceries": ["Weekly shop", "Market veg", "Cleaning supplies"], "rent": ["June rent", "July rent"],
        "utilities": ["Electricity bill", "Broadband", "Water bill"],
        "eating_out": ["Dinner at Tasca", "Pizza night", "Brunch"], "transport": ["Airport taxi", "Train tickets"],
        "lodging": ["Apartment deposit", "Cabin two nights"], "other": ["Seeds and compost", "Birthday cake"]}


def seed(db: Db, fake: Fake) -> None:
    users = []
    for _ in range(24):
        first, last = fake.first_name(), fake.last_name()
        name = f"{first.lower()}.{last[0].lower()}"
        if any(u["username"] == name for u in users):
            name = f"{first.lower()}.{last.lower()}"
        users.append({"username": name, "display_name": f"{first} {last}",
                      "email": f"{first.lower()}.{last.lower()}{len(users)}@example.{db.rng.choice(['com', 'net'])}"})
    db.insert("users", users)
    names = [u["username"] for u in users]
    groups, members, expenses, shares = [], [], [], []
    for i, (title, kinds) in enumerate(GROUPS):
        code = f"GRP-{12 + i * 3}"
        crew = db.rng.sample(names, db.rng.randint(3, 5))
        groups.append({"group_code": code, "title": title, "owner": crew[0]})
        members += [{"group_code": code, "username": u} for u in crew]
        for _ in range(db.rng.randint(3, 6)):
            kind = db.rng.choice(kinds)
            number = f"E-{90001 + len(expenses)}"
            amount = round(db.rng.uniform(12, 900 if kind in ("rent", "lodging") else 160), 2)
            payer = db.rng.choice(crew)
            split = sorted(db.rng.sample(crew, db.rng.randint(2, len(crew))))
            expenses.append({"expense_code": number, "group_code": code, "paid_by": payer,
                             "description": db.rng.choice(WHAT[kind]), "amount": amount, "category": kind,
                             "spent_on": (db.today - datetime.timedelta(days=db.rng.randint(1, 60))).isoformat()})
            shares += [{"expense_code": number, "username": u, "share": s}
                       for u, s in zip(split, cut(amount, split), strict=True)]
    db.insert("groups", groups)
    db.insert("memberships", members)
    db.insert("expenses", expenses)
    db.insert("shares", shares)


# --------------------------------------------------------------------------- helpers


def cut(amount: float, who: list) -> list:
    """Equal shares in cents; the leftover cents go to the first members."""
    cents = round(amount * 100)
    base, extra = divmod(cents, len(who))
    return [(base + (1 if i < extra else 0)) / 100 for i in range(len(who))]


def user(db: Db, username: str) -> dict:
    row = db.one("SELECT * FROM users WHERE username = ?", [username])
    if row is None:
        raise ToolError(f"no user {username}")
    return row


def group_of_member(db: Db, username: str, group_code: str) -> dict:
    user(db, username)
    row = db.one("SELECT g.* FROM groups g JOIN memberships m ON m.group_code = g.group_code "
                 "WHERE g.group_code = ? AND m.username = ?", [group_code, username])
    if row is None:
        raise ToolError(f"you are not a member of group {group_code}")
    return row


def expense_view(db: Db, username: str, expense_code: str) -> dict:
    row = db.one("SELECT * FROM expenses WHERE expense_code = ?", [expense_code])
    if row is None:
        raise ToolError(f"no expense {expense_code}")
    group_of_member(db, username, row["group_code"])
    row["shares"] = db.query("SELECT username, share FROM shares WHERE expense_code = ? ORDER BY username",
                             [expense_code])
    return row


def owed(db: Db, group_code: str, debtor: str, creditor: str) -> float:
    """What debtor owes creditor in the group, after settlements (negative: creditor owes debtor)."""
    def shares_in(payer: str, member: str) -> float:
        return float(db.scalar("SELECT coalesce(sum(s.share), 0) FROM shares s JOIN expenses e ON "
                               "e.expense_code = s.expense_code WHERE e.group_code = ? AND e.paid_by = ? AND "
                               "s.username = ?", [group_code, payer, member]))

    def settled(a: str, b: str) -> float:
        return float(db.scalar("SELECT coalesce(sum(amount), 0) FROM settlements WHERE group_code = ? AND "
                               "from_user = ? AND to_user = ?", [group_code, a, b]))
    total = shares_in(creditor, debtor) - shares_in(debtor, creditor) - settled(debtor, creditor) \
        + settled(creditor, debtor)
    return round(total, 2)


def members_of(db: Db, group_code: str) -> list:
    return [r["username"] for r in db.query("SELECT username FROM memberships WHERE group_code = ? ORDER BY username",
                                            [group_code])]


def editable(db: Db, username: str, expense: dict) -> None:
    owner = db.scalar("SELECT owner FROM groups WHERE group_code = ?", [expense["group_code"]])
    if username not in (expense["paid_by"], owner):
        raise ToolError(f"only {expense['paid_by']} (who paid) or the group's owner can change expense "
                        f"{expense['expense_code']}")


# --------------------------------------------------------------------------- tools


@tool
def find_user_by_email(db: Db, email: str) -> dict:
    """Find a user of the ledger by their email.

    Args:
        email: The user's email address.
    """
    row = db.one("SELECT username, display_name FROM users WHERE lower(email) = lower(?)", [email.strip()])
    if row is None:
        raise ToolError("nobody uses the ledger with that email")
    return row


@tool
def list_my_groups(db: Db, username: str) -> list:
    """The groups the user belongs to, with their owner and member count.

    Args:
        username: The user.
    """
    user(db, username)
    return db.query("SELECT g.group_code, g.title, g.owner, (SELECT count(*) FROM memberships x WHERE "
                    "x.group_code = g.group_code) AS members FROM groups g JOIN memberships m ON m.group_code = "
                    "g.group_code WHERE m.username = ? ORDER BY g.group_code", [username])


@tool
def get_balances(db: Db, username: str, group_code: str) -> list:
    """Who owes the user and whom the user owes in one group: positive means they owe you.

    Args:
        username: The user asking.
        group_code: The group.
    """
    group_of_member(db, username, group_code)
    rows = []
    for other in members_of(db, group_code):
        if other != username:
            rows.append({"member": other, "display_name": user(db, other)["display_name"],
                         "they_owe_you": owed(db, group_code, other, username)})
    return rows


@tool
def list_expenses(db: Db, username: str, group_code: str, category: Literal["any", "groceries", "rent", "utilities",
                                                                             "eating_out", "transport", "lodging",
                                                                             "other"] = "any") -> list:
    """A group's expenses, newest first: what, who paid, how much, when.

    Args:
        username: The member asking.
        group_code: The group.
        category: Only expenses of this kind; any for all.
    """
    group_of_member(db, username, group_code)
    sql = "SELECT expense_code, description, paid_by, amount, spent_on, category FROM expenses WHERE group_code = ?"
    params = [group_code]
    if category != "any":
        sql += " AND category = ?"
        params.append(category)
    return db.query(sql + " ORDER BY spent_on DESC, expense_code DESC", params)


@tool
def get_expense(db: Db, username: str, expense_code: str) -> dict:
    """One expense with each member's share.

    Args:
        username: A member of the expense's group.
        expense_code: The expense.
    """
    return expense_view(db, username, expense_code)


@tool(writes=True)
def add_expense(db: Db, username: str, group_code: str, description: str, amount: float, spent_on: str,
                category: Category, split_with: list[str]) -> dict:
    """Log something the user paid for the group, split equally between the listed members.

    Args:
        username: The member who paid.
        group_code: The group.
        description: What it was, in a few words.
        amount: What was paid, in dollars.
        spent_on: The day it was paid, YYYY-MM-DD, not in the future.
        category: The kind of expense.
        split_with: Usernames of the members it is split between (at least two).
    """
    group_of_member(db, username, group_code)
    crew = members_of(db, group_code)
    who = sorted(set(split_with))
    if len(who) < 2:
        raise ToolError("an expense is split between at least two members")
    strangers = [u for u in who if u not in crew]
    if strangers:
        raise ToolError(f"not members of {group_code}: {', '.join(strangers)}")
    if amount <= 0 or round(amount, 2) != amount:
        raise ToolError("the amount is a positive number of dollars and cents")
    try:
        day = datetime.date.fromisoformat(spent_on)
    except ValueError:
        raise ToolError("the day is written YYYY-MM-DD") from None
    if day > db.today:
        raise ToolError("the day it was paid cannot be in the future")
    if not description.strip():
        raise ToolError("say what the expense was")
    code = f"E-{90001 + db.scalar('SELECT count(*) FROM expenses')}"
    db.insert("expenses", [{"expense_code": code, "group_code": group_code, "paid_by": username,
                            "description": description.strip(), "amount": amount, "spent_on": day.isoformat(),
                            "category": category}])
    db.insert("shares", [{"expense_code": code, "username": u, "share": s}
                          for u, s in zip(who, cut(amount, who), strict=True)])
    return expense_view(db, username, code)


@tool(writes=True, confirm=True)
def change_expense_amount(db: Db, username: str, expense_code: str, amount: float) -> dict:
    """Correct what an expense cost; its shares are split again between the same members.

    Args:
        username: The member making the change (who paid, or the group's owner).
        expense_code: The expense.
        amount: The corrected amount in dollars.
    """
    expense = expense_view(db, username, expense_code)
    editable(db, username, expense)
    if amount <= 0 or round(amount, 2) != amount:
        raise ToolError("the amount is a positive number of dollars and cents")
    if float(expense["amount"]) == amount:
        raise ToolError(f"expense {expense_code} is already {amount:.2f}")
    who = [s["username"] for s in expense["shares"]]
    db.execute("UPDATE expenses SET amount = ? WHERE expense_code = ?", [amount, expense_code])
    for u, s in zip(who, cut(amount, who), strict=True):
        db.execute("UPDATE shares SET share = ? WHERE expense_code = ? AND username = ?", [s, expense_code, u])
    return expense_view(db, username, expense_code)


@tool(writes=True, confirm=True)
def delete_expense(db: Db, username: str, expense_code: str) -> dict:
    """Delete an expense logged by mistake, with its shares.

    Args:
        username: The member deleting it (who paid, or the group's owner).
        expense_code: The expense.
    """
    expense = expense_view(db, username, expense_code)
    editable(db, username, expense)
    db.execute("DELETE FROM shares WHERE expense_code = ?", [expense_code])
    db.execute("DELETE FROM expenses WHERE expense_code = ?", [expense_code])
    return {"deleted": expense_code, "description": expense["description"], "amount": expense["amount"]}


@tool(writes=True, confirm=True)
def settle_up(db: Db, username: str, group_code: str, pay_to: str, amount: float) -> dict:
    """Record that the user paid another member back; at most what the user owes them.

    Args:
        username: The member paying.
        group_code: The group.
        pay_to: The username of the member paid.
        amount: How much was paid back, in dollars.
    """
    group_of_member(db, username, group_code)
    if pay_to == username or pay_to not in members_of(db, group_code):
        raise ToolError(f"{pay_to} is not another member of {group_code}")
    debt = owed(db, group_code, username, pay_to)
    if debt <= 0:
        raise ToolError(f"you do not owe {pay_to} anything in {group_code}")
    if amount <= 0 or amount > debt:
        raise ToolError(f"you owe {pay_to} {debt:.2f}; a settlement is more than 0 and at most that")
    code = f"ST-{501 + db.scalar('SELECT count(*) FROM settlements')}"
    db.insert("settlements", [{"settlement_code": code, "group_code": group_code, "from_user": username,
                               "to_user": pay_to, "amount": round(amount, 2), "settled_on": db.today.isoformat()}])
    return {"settlement_code": code, "paid_to": pay_to, "amount": round(amount, 2),
            "still_owed": round(debt - amount, 2)}


@tool(writes=True, confirm=True)
def leave_group(db: Db, username: str, group_code: str) -> dict:
    """Leave a group; only when nobody owes the user and the user owes nobody there. The owner cannot leave.

    Args:
        username: The member leaving.
        group_code: The group.
    """
    group = group_of_member(db, username, group_code)
    if group["owner"] == username:
        raise ToolError("the owner cannot leave the group")
    open_debts = [o for o in members_of(db, group_code) if o != username and owed(db, group_code, username, o) != 0]
    if open_debts:
        raise ToolError(f"settle up with {', '.join(open_debts)} first")
    db.execute("DELETE FROM memberships WHERE group_code = ? AND username = ?", [group_code, username])
    return {"left": group_code, "title": group["title"]}
