"""Retail banking: a bank's customers, their checking and savings accounts, saved payees,
money transfers and debit cards.

A customer (CUS-1001) owns accounts (ACC-10001). Money moves in two ways: an immediate
transfer between two accounts of the same customer, or a payment from a checking account
to one of the customer's saved payees (PAY-5001), either now or scheduled for a future
date. Payments to payees count against the sending account's daily transfer limit; only
scheduled (future-dated) transfers can be cancelled. Accounts can be open, frozen by the
bank, or closed. Each checking account has a debit card (CRD-30001) that the customer can
freeze and unfreeze, or report lost (which blocks it for good and issues a replacement).
All amounts are in US dollars.
"""

import datetime
import re
from typing import Literal

from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "customers"  # a dialogue is one of these users' conversation

TABLES = """
CREATE TABLE customers (
    customer_id VARCHAR PRIMARY KEY,
    full_name VARCHAR NOT NULL,
    email VARCHAR NOT NULL,
    phone VARCHAR NOT NULL,
    city VARCHAR NOT NULL,
    customer_since DATE NOT NULL
);
CREATE TABLE accounts (
    account_id VARCHAR PRIMARY KEY,
    customer_id VARCHAR NOT NULL,
    account_type VARCHAR NOT NULL,      -- checking | savings
    status VARCHAR NOT NULL,            -- open | frozen | closed
    balance DOUBLE NOT NULL,
    daily_limit DOUBLE NOT NULL,        -- max sent to payees per calendar day
    opened_on DATE NOT NULL
);
CREATE TABLE payees (
    payee_id VARCHAR PRIMARY KEY,
    customer_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    bank_name VARCHAR NOT NULL,
    account_number VARCHAR NOT NULL,
    nickname VARCHAR NOT NULL,
    added_on DATE NOT NULL
);
CREATE TABLE transfers (
    transfer_id VARCHAR PRIMARY KEY,
    from_account_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,              -- internal | payee
    to_account_id VARCHAR,              -- set for internal transfers
    payee_id VARCHAR,                   -- set for payee payments
    amount DOUBLE NOT NULL,
    memo VARCHAR NOT NULL,
    status VARCHAR NOT NULL,            -- completed | scheduled | cancelled
    execute_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE cards (
    card_id VARCHAR PRIMARY KEY,
    account_id VARCHAR NOT NULL,
    network VARCHAR NOT NULL,
    last4 VARCHAR NOT NULL,
    status VARCHAR NOT NULL,            -- active | frozen | lost | cancelled
    expires_on DATE NOT NULL,
    replacement_card_id VARCHAR         -- set when a lost card was replaced
);
"""

BANKS = [
    "Chase", "Wells Fargo", "Bank of America", "Citibank", "US Bank", "PNC",
    "Capital One", "TD Bank", "Ally Bank", "Truist",
]
MEMOS = ["Rent", "Utilities", "Dinner", "Groceries", "Tuition", "Car repair", "Gift", "Loan repayment", ""]
DAILY_LIMITS = [1000.0, 2500.0, 5000.0, 10000.0]
MAX_SCHEDULE_DAYS = 365
CARD_YEARS = 4


def money(amount: float) -> str:
    return f"${amount:,.2f}"


# --------------------------------------------------------------------------- seed


def seed(db: Db, fake: Fake) -> None:
    rng = db.rng
    today = db.today
    now = db.now
    seconds_today = now.hour * 3600 + now.minute * 60 + now.second
    customers, accounts, payees, transfers, cards = [], [], [], [], []

    def add_transfer(account, kind, target, amount, status, execute_on, created_at):
        transfers.append({
            "transfer_id": f"TRF-{100001 + len(transfers)}",
            "from_account_id": account["account_id"],
            "kind": kind,
            "to_account_id": target if kind == "internal" else None,
            "payee_id": target if kind == "payee" else None,
            "amount": round(amount, 2),
            "memo": rng.choice(MEMOS),
            "status": status,
            "execute_on": execute_on,
            "created_at": created_at,
        })

    def past_moment(day):
        return datetime.datetime.combine(day, datetime.time(0, 0)) + datetime.timedelta(
            seconds=rng.randint(8 * 3600, 20 * 3600))

    for i in range(120):
        first, last = fake.first_name(), fake.last_name()
        name = f"{first} {last}"
        customer_id = f"CUS-{1001 + i}"
        handle = re.sub(r"[^a-z.]", "", f"{first}.{last}".lower())
        customers.append({
            "customer_id": customer_id,
            "full_name": name,
            "email": f"{handle}@{fake.free_email_domain()}",
            "phone": fake.numerify("###-###-####"),
            "city": fake.city(),
            "customer_since": today - datetime.timedelta(days=rng.randint(200, 4000)),
        })

        kinds = ["checking"]
        if rng.random() < 0.6:
            kinds.append("savings")
        if rng.random() < 0.15:
            kinds.append("checking")
        mine = []
        for kind in kinds:
            status = rng.choices(["open", "frozen", "closed"], weights=[84, 8, 8])[0]
            if kind == "checking":
                balance = rng.uniform(0, 60) if rng.random() < 0.12 else rng.uniform(200, 15000)
                limit = rng.choice(DAILY_LIMITS)
            else:
                balance = rng.uniform(100, 60000)
                limit = 2500.0
            account = {
                "account_id": f"ACC-{10001 + len(accounts)}",
                "customer_id": customer_id,
                "account_type": kind,
                "status": status,
                "balance": 0.0 if status == "closed" else round(balance, 2),
                "daily_limit": limit,
                "opened_on": today - datetime.timedelta(days=rng.randint(100, 3000)),
            }
            accounts.append(account)
            mine.append(account)

        my_payees = []
        for _ in range(rng.choice([0, 1, 2, 2, 3, 4])):
            is_person = rng.random() < 0.6
            payee_name = fake.name() if is_person else fake.company()
            payee = {
                "payee_id": f"PAY-{5001 + len(payees)}",
                "customer_id": customer_id,
                "name": payee_name,
                "bank_name": rng.choice(BANKS),
                "account_number": fake.numerify("##########"),
                "nickname": payee_name.split(" ")[0] if is_person else "",
                "added_on": today - datetime.timedelta(days=rng.randint(10, 900)),
            }
            payees.append(payee)
            my_payees.append(payee)

        # History: completed, today's, scheduled and cancelled transfers.
        for account in mine:
            if account["status"] == "closed":
                continue
            others = [a["account_id"] for a in mine
                      if a["account_id"] != account["account_id"] and a["status"] == "open"]
            can_pay = account["account_type"] == "checking" and len(my_payees) > 0
            for _ in range(rng.randint(1, 5)):
                day = today - datetime.timedelta(days=rng.randint(1, 90))
                if can_pay and (rng.random() < 0.7 or not others):
                    target = rng.choice(my_payees)["payee_id"]
                    add_transfer(account, "payee", target, rng.uniform(10, 1500), "completed",
                                 day, past_moment(day))
                elif others:
                    add_transfer(account, "internal", rng.choice(others), rng.uniform(10, 2000),
                                 "completed", day, past_moment(day))
            if account["status"] != "open" or not can_pay:
                continue
            if rng.random() < 0.3:
                # Already sent much of today's limit.
                sent_at = now - datetime.timedelta(seconds=rng.randint(0, seconds_today))
                add_transfer(account, "payee", rng.choice(my_payees)["payee_id"],
                             account["daily_limit"] * rng.uniform(0.5, 0.97), "completed",
                             today, sent_at)
            for _ in range(rng.choice([0, 0, 1, 1, 2])):
                day = today + datetime.timedelta(days=rng.randint(1, 60))
                add_transfer(account, "payee", rng.choice(my_payees)["payee_id"],
                             rng.uniform(20, 1200), "scheduled", day,
                             past_moment(today - datetime.timedelta(days=rng.randint(1, 20))))
            if rng.random() < 0.2:
                day = today + datetime.timedelta(days=rng.randint(-30, 30))
                add_transfer(account, "payee", rng.choice(my_payees)["payee_id"],
                             rng.uniform(20, 800), "cancelled", day,
                             past_moment(today - datetime.timedelta(days=rng.randint(31, 60))))

    # One debit card per checking account; lost cards were replaced by a new one.
    for account in accounts:
        if account["account_type"] != "checking":
            continue
        if account["status"] == "closed":
            status = "cancelled"
        elif account["status"] == "frozen":
            status = "frozen"
        else:
            status = rng.choices(["active", "frozen", "lost"], weights=[80, 12, 8])[0]
        if rng.random() < 0.07:
            expires = today - datetime.timedelta(days=rng.randint(1, 200))
        else:
            expires = today + datetime.timedelta(days=rng.randint(30, 1400))
        card = {
            "card_id": f"CRD-{30001 + len(cards)}",
            "account_id": account["account_id"],
            "network": rng.choice(["Visa", "Mastercard"]),
            "last4": fake.numerify("####"),
            "status": status,
            "expires_on": expires,
            "replacement_card_id": None,
        }
        cards.append(card)
        if status == "lost":
            replacement = dict(card, card_id=f"CRD-{30001 + len(cards)}",
                               last4=fake.numerify("####"), status="active",
                               expires_on=today + datetime.timedelta(days=rng.randint(700, 1400)))
            card["replacement_card_id"] = replacement["card_id"]
            cards.append(replacement)

    db.insert("customers", customers)
    db.insert("accounts", accounts)
    db.insert("payees", payees)
    db.insert("transfers", transfers)
    db.insert("cards", cards)


# --------------------------------------------------------------------------- helpers


def load_customer(db: Db, customer_id: str) -> dict:
    customer = db.one("SELECT * FROM customers WHERE customer_id = ?", [customer_id])
    if customer is None:
        raise ToolError(f"customer {customer_id} not found; customer ids look like CUS-1001")
    return customer


def load_account(db: Db, account_id: str) -> dict:
    account = db.one("SELECT * FROM accounts WHERE account_id = ?", [account_id])
    if account is None:
        raise ToolError(f"account {account_id} not found; account ids look like ACC-10001")
    return account


def load_card(db: Db, card_id: str) -> dict:
    card = db.one("SELECT * FROM cards WHERE card_id = ?", [card_id])
    if card is None:
        raise ToolError(f"card {card_id} not found; card ids look like CRD-30001")
    return card


def require_open(account: dict, action: str) -> None:
    """Frozen and closed accounts can neither send nor receive money."""
    account_id = account["account_id"]
    if account["status"] == "closed":
        raise ToolError(f"account {account_id} is closed and cannot {action}")
    if account["status"] == "frozen":
        raise ToolError(
            f"account {account_id} is frozen by the bank and cannot {action} "
            "until the freeze is lifted")


def check_amount(amount: float) -> float:
    if amount <= 0:
        raise ToolError(f"the amount must be positive, got {amount}")
    if round(amount, 2) != amount:
        raise ToolError(f"the amount {amount} has more than two decimal places (cents)")
    return round(amount, 2)


def sent_today(db: Db, account_id: str) -> float:
    """What the account has already paid to payees today (counts against its daily limit)."""
    total = db.scalar(
        "SELECT coalesce(sum(amount), 0) FROM transfers WHERE from_account_id = ? "
        "AND kind = 'payee' AND status = 'completed' AND execute_on = ?",
        [account_id, db.today])
    return round(total, 2)


def next_id(db: Db, table: str, column: str, prefix: str) -> str:
    """Next readable id: the largest existing number plus one."""
    number = db.scalar(
        f"SELECT max(CAST(substr({column}, {len(prefix) + 1}) AS INTEGER)) FROM {table}")
    return f"{prefix}{number + 1}"


def load_transfer(db: Db, transfer_id: str) -> dict:
    transfer = db.one("SELECT * FROM transfers WHERE transfer_id = ?", [transfer_id])
    if transfer is None:
        raise ToolError(f"transfer {transfer_id} not found; transfer ids look like TRF-100001")
    return transfer


# --------------------------------------------------------------------------- customers & accounts


@tool(phrasing=[
    "Can you look up the customer named {name}?",
    "Find the customer with email {email}.",
])
def find_customers(db: Db, name: str = "", email: str = "") -> list[dict]:
    """Search customers by part of their name and/or their email address (at most 10 matches).

    Args:
        name: Part of the customer's full name, case-insensitive, e.g. "garcia".
        email: The customer's email address, or part of it.
    """
    if not name.strip() and not email.strip():
        raise ToolError("give a name or an email address to search for")
    return db.query(
        "SELECT customer_id, full_name, email, city FROM customers "
        "WHERE full_name ILIKE '%' || ? || '%' AND email ILIKE '%' || ? || '%' "
        "ORDER BY customer_id LIMIT 10",
        [name.strip(), email.strip()])


@tool(phrasing=[
    "Show me the profile and accounts of customer {customer_id}.",
    "What accounts does {customer_id} have?",
])
def get_customer(db: Db, customer_id: str) -> dict:
    """Get a customer's profile with a summary of all their accounts.

    Args:
        customer_id: The customer's id, like "CUS-1001".
    """
    customer = load_customer(db, customer_id)
    accounts = db.query(
        "SELECT account_id, account_type, status, balance FROM accounts "
        "WHERE customer_id = ? ORDER BY account_id", [customer_id])
    return dict(customer, accounts=accounts)


@tool(phrasing=[
    "What's the balance on account {account_id}?",
    "How much can I still send today from {account_id}?",
    "Show me the details of account {account_id}.",
])
def get_account(db: Db, account_id: str) -> dict:
    """Get an account: balance, status, daily transfer limit and how much of it is left today.

    Args:
        account_id: The account's id, like "ACC-10001".
    """
    account = load_account(db, account_id)
    used = sent_today(db, account_id)
    return dict(account, sent_today=used,
                remaining_daily_limit=round(max(account["daily_limit"] - used, 0.0), 2))


@tool(phrasing=[
    "Show me the recent transfers on account {account_id}.",
    "Which {status} transfers are there on {account_id}?",
])
def list_transfers(
    db: Db,
    account_id: str,
    status: Literal["any", "completed", "scheduled", "cancelled"] = "any",
    limit: int = 10,
) -> list[dict]:
    """List transfers sent from or received into an account, newest execution date first.

    Args:
        account_id: The account's id, like "ACC-10001".
        status: Only transfers with this status; "any" lists all of them.
        limit: How many transfers to return, from 1 to 50.
    """
    load_account(db, account_id)
    if limit < 1 or limit > 50:
        raise ToolError(f"limit must be between 1 and 50, got {limit}")
    return db.query(
        "SELECT * FROM transfers WHERE (from_account_id = ? OR to_account_id = ?) "
        "AND (? = 'any' OR status = ?) ORDER BY execute_on DESC, transfer_id DESC LIMIT ?",
        [account_id, account_id, status, status, limit])


@tool(phrasing=[
    "What's the status of transfer {transfer_id}?",
    "Show me transfer {transfer_id}.",
])
def get_transfer(db: Db, transfer_id: str) -> dict:
    """Get one transfer with its status, amount, date and where the money went.

    Args:
        transfer_id: The transfer's id, like "TRF-100001".
    """
    return load_transfer(db, transfer_id)


# --------------------------------------------------------------------------- payees


@tool(phrasing=[
    "Who are the saved payees of {customer_id}?",
    "List the payees for customer {customer_id}.",
])
def list_payees(db: Db, customer_id: str) -> list[dict]:
    """List a customer's saved payees (people or companies they can send payments to).

    Args:
        customer_id: The customer's id, like "CUS-1001".
    """
    load_customer(db, customer_id)
    return db.query("SELECT * FROM payees WHERE customer_id = ? ORDER BY payee_id", [customer_id])


@tool(writes=True, phrasing=[
    "Add {name} as a payee for {customer_id}: account {account_number} at {bank_name}.",
    "Save a new payee {name}, {bank_name} account {account_number}, for {customer_id}.",
])
def add_payee(
    db: Db, customer_id: str, name: str, bank_name: str, account_number: str, nickname: str = ""
) -> dict:
    """Save a new payee for a customer so they can send payments to it.

    Args:
        customer_id: The customer adding the payee, like "CUS-1001".
        name: The payee's name as it appears on their bank account.
        bank_name: The payee's bank, e.g. "Chase".
        account_number: The payee's account number at that bank, 8 to 12 digits.
        nickname: An optional short name to recognise the payee by.
    """
    load_customer(db, customer_id)
    if not name.strip():
        raise ToolError("the payee's name cannot be empty")
    if not bank_name.strip():
        raise ToolError("the payee's bank name cannot be empty")
    if not re.fullmatch(r"[0-9]{8,12}", account_number):
        raise ToolError(
            f"account number '{account_number}' is not valid: it must be 8 to 12 digits")
    existing = db.one(
        "SELECT payee_id, name FROM payees WHERE customer_id = ? AND account_number = ? "
        "AND lower(bank_name) = lower(?)",
        [customer_id, account_number, bank_name.strip()])
    if existing is not None:
        raise ToolError(
            f"customer {customer_id} already has payee {existing['payee_id']} "
            f"({existing['name']}) for {bank_name.strip()} account {account_number}")
    payee_id = next_id(db, "payees", "payee_id", "PAY-")
    db.insert("payees", [{
        "payee_id": payee_id,
        "customer_id": customer_id,
        "name": name.strip(),
        "bank_name": bank_name.strip(),
        "account_number": account_number,
        "nickname": nickname.strip(),
        "added_on": db.today,
    }])
    return db.one("SELECT * FROM payees WHERE payee_id = ?", [payee_id])


# --------------------------------------------------------------------------- moving money


@tool(writes=True, confirm=True, phrasing=[
    "Move {amount} dollars from {from_account_id} to {to_account_id}.",
    "Transfer ${amount} from my account {from_account_id} into {to_account_id}.",
])
def transfer_between_accounts(
    db: Db, from_account_id: str, to_account_id: str, amount: float, memo: str = ""
) -> dict:
    """Move money now between two accounts of the same customer (e.g. savings to checking).

    Transfers between one's own accounts do not count against the daily transfer limit.

    Args:
        from_account_id: The account the money comes from, like "ACC-10001".
        to_account_id: The account the money goes to; it must belong to the same customer.
        amount: How many dollars to move; positive, at most two decimals.
        memo: An optional note stored with the transfer.
    """
    amount = check_amount(amount)
    if from_account_id == to_account_id:
        raise ToolError(f"cannot transfer from account {from_account_id} to itself; "
                        "choose a different destination account")
    source = load_account(db, from_account_id)
    target = load_account(db, to_account_id)
    if source["customer_id"] != target["customer_id"]:
        raise ToolError(
            f"account {to_account_id} belongs to a different customer; to send money to "
            "someone else, save them as a payee and use pay_payee")
    require_open(source, "send money")
    require_open(target, "receive money")
    if source["balance"] < amount:
        raise ToolError(
            f"insufficient funds in account {from_account_id}: balance is "
            f"{money(source['balance'])}, transfer is {money(amount)}")
    transfer_id = next_id(db, "transfers", "transfer_id", "TRF-")
    db.execute("UPDATE accounts SET balance = round(balance - ?, 2) WHERE account_id = ?",
               [amount, from_account_id])
    db.execute("UPDATE accounts SET balance = round(balance + ?, 2) WHERE account_id = ?",
               [amount, to_account_id])
    db.insert("transfers", [{
        "transfer_id": transfer_id,
        "from_account_id": from_account_id,
        "kind": "internal",
        "to_account_id": to_account_id,
        "payee_id": None,
        "amount": amount,
        "memo": memo.strip(),
        "status": "completed",
        "execute_on": db.today,
        "created_at": db.now,
    }])
    balance = db.scalar("SELECT balance FROM accounts WHERE account_id = ?", [from_account_id])
    return dict(load_transfer(db, transfer_id), from_balance_after=balance)


@tool(writes=True, confirm=True, phrasing=[
    "Pay {amount} dollars to payee {payee_id} from {from_account_id}.",
    "Send ${amount} from {from_account_id} to {payee_id} on {scheduled_date}.",
    "Schedule a payment of {amount} to {payee_id} from {from_account_id} for {scheduled_date}.",
])
def pay_payee(
    db: Db,
    from_account_id: str,
    payee_id: str,
    amount: float,
    scheduled_date: str | None = None,
    memo: str = "",
) -> dict:
    """Pay one of the customer's saved payees from a checking account, now or on a future date.

    An immediate payment needs the funds now and counts against the account's daily transfer
    limit; a scheduled one is only stored (status "scheduled") and can be cancelled until then.

    Args:
        from_account_id: The checking account to pay from, like "ACC-10001".
        payee_id: One of the account owner's saved payees, like "PAY-5001".
        amount: How many dollars to pay; positive, at most two decimals.
        scheduled_date: A future date "YYYY-MM-DD" to send the payment on; omit to pay now.
        memo: An optional note the payee sees.
    """
    amount = check_amount(amount)
    account = load_account(db, from_account_id)
    require_open(account, "send payments")
    if account["account_type"] != "checking":
        raise ToolError(
            f"account {from_account_id} is a {account['account_type']} account; payments to "
            "payees can only be sent from a checking account (move the money there first)")
    payee = db.one("SELECT * FROM payees WHERE payee_id = ?", [payee_id])
    if payee is None or payee["customer_id"] != account["customer_id"]:
        raise ToolError(
            f"payee {payee_id} is not a saved payee of customer {account['customer_id']}; "
            "add it with add_payee first")
    limit = account["daily_limit"]

    if scheduled_date is not None:
        try:
            day = datetime.date.fromisoformat(scheduled_date)
        except ValueError:
            raise ToolError(f"scheduled date '{scheduled_date}' is not a date like 2024-05-31") from None
        if day <= db.today:
            raise ToolError(
                f"scheduled date {scheduled_date} is not in the future (today is "
                f"{db.today.isoformat()}); leave the date out to pay now")
        if day > db.today + datetime.timedelta(days=MAX_SCHEDULE_DAYS):
            raise ToolError(
                f"scheduled date {scheduled_date} is more than {MAX_SCHEDULE_DAYS} days ahead")
        if amount > limit:
            raise ToolError(
                f"payment of {money(amount)} exceeds account {from_account_id}'s daily "
                f"transfer limit of {money(limit)}")
        status = "scheduled"
    else:
        day = db.today
        if account["balance"] < amount:
            raise ToolError(
                f"insufficient funds in account {from_account_id}: balance is "
                f"{money(account['balance'])}, payment is {money(amount)}")
        used = sent_today(db, from_account_id)
        if used + amount > limit:
            raise ToolError(
                f"payment of {money(amount)} would exceed account {from_account_id}'s daily "
                f"transfer limit of {money(limit)}: {money(used)} already sent today, "
                f"{money(max(limit - used, 0.0))} left")
        db.execute("UPDATE accounts SET balance = round(balance - ?, 2) WHERE account_id = ?",
                   [amount, from_account_id])
        status = "completed"

    transfer_id = next_id(db, "transfers", "transfer_id", "TRF-")
    db.insert("transfers", [{
        "transfer_id": transfer_id,
        "from_account_id": from_account_id,
        "kind": "payee",
        "to_account_id": None,
        "payee_id": payee_id,
        "amount": amount,
        "memo": memo.strip(),
        "status": status,
        "execute_on": day,
        "created_at": db.now,
    }])
    balance = db.scalar("SELECT balance FROM accounts WHERE account_id = ?", [from_account_id])
    return dict(load_transfer(db, transfer_id), payee_name=payee["name"],
                from_balance_after=balance)


@tool(writes=True, confirm=True, phrasing=[
    "Cancel transfer {transfer_id}.",
    "I don't want scheduled payment {transfer_id} to go out anymore, please cancel it.",
])
def cancel_transfer(db: Db, transfer_id: str) -> dict:
    """Cancel a scheduled (future-dated) transfer; completed transfers cannot be cancelled.

    Args:
        transfer_id: The scheduled transfer's id, like "TRF-100001".
    """
    transfer = load_transfer(db, transfer_id)
    if transfer["status"] == "cancelled":
        raise ToolError(f"transfer {transfer_id} is already cancelled")
    if transfer["status"] == "completed":
        raise ToolError(
            f"transfer {transfer_id} was already completed on {transfer['execute_on']} and "
            "cannot be cancelled; only scheduled (future-dated) transfers can be cancelled")
    db.execute("UPDATE transfers SET status = 'cancelled' WHERE transfer_id = ?", [transfer_id])
    return load_transfer(db, transfer_id)


# --------------------------------------------------------------------------- cards


@tool(phrasing=[
    "What cards does customer {customer_id} have?",
    "List the debit cards of {customer_id}.",
])
def list_cards(db: Db, customer_id: str) -> list[dict]:
    """List a customer's debit cards on all their accounts, with status and expiry.

    Args:
        customer_id: The customer's id, like "CUS-1001".
    """
    load_customer(db, customer_id)
    return db.query(
        "SELECT c.* FROM cards c JOIN accounts a ON a.account_id = c.account_id "
        "WHERE a.customer_id = ? ORDER BY c.card_id", [customer_id])


@tool(writes=True, phrasing=[
    "Please freeze card {card_id}.",
    "I misplaced my card {card_id}, can you freeze it for now?",
])
def freeze_card(db: Db, card_id: str) -> dict:
    """Temporarily freeze a debit card so no purchases go through; it can be unfrozen later.

    Args:
        card_id: The card's id, like "CRD-30001".
    """
    card = load_card(db, card_id)
    if card["status"] == "frozen":
        raise ToolError(f"card {card_id} (ending {card['last4']}) is already frozen")
    if card["status"] == "lost":
        raise ToolError(
            f"card {card_id} (ending {card['last4']}) was reported lost and is already "
            "blocked permanently")
    if card["status"] == "cancelled":
        raise ToolError(f"card {card_id} (ending {card['last4']}) is cancelled")
    if card["expires_on"] < db.today.isoformat():
        raise ToolError(
            f"card {card_id} (ending {card['last4']}) expired on {card['expires_on']} "
            "and cannot be used anyway")
    db.execute("UPDATE cards SET status = 'frozen' WHERE card_id = ?", [card_id])
    return load_card(db, card_id)


@tool(writes=True, phrasing=[
    "Unfreeze my card {card_id}, I found it.",
    "Please reactivate frozen card {card_id}.",
])
def unfreeze_card(db: Db, card_id: str) -> dict:
    """Unfreeze a frozen debit card so it works again. Cards reported lost stay blocked.

    Args:
        card_id: The card's id, like "CRD-30001".
    """
    card = load_card(db, card_id)
    if card["status"] == "lost":
        raise ToolError(
            f"card {card_id} (ending {card['last4']}) was reported lost and cannot be "
            f"unfrozen; use its replacement card {card['replacement_card_id']} instead")
    if card["status"] == "cancelled":
        raise ToolError(f"card {card_id} (ending {card['last4']}) is cancelled and cannot be "
                        "unfrozen")
    if card["status"] != "frozen":
        raise ToolError(f"card {card_id} (ending {card['last4']}) is not frozen; it is "
                        f"{card['status']}")
    account = load_account(db, card["account_id"])
    if account["status"] != "open":
        raise ToolError(
            f"card {card_id} cannot be unfrozen because its account {account['account_id']} "
            f"is {account['status']}")
    db.execute("UPDATE cards SET status = 'active' WHERE card_id = ?", [card_id])
    return load_card(db, card_id)


@tool(writes=True, confirm=True, phrasing=[
    "I lost my card {card_id}, please block it.",
    "My debit card {card_id} was stolen; report it lost and send me a new one.",
])
def report_card_lost(db: Db, card_id: str) -> dict:
    """Report a card lost or stolen: it is blocked for good and a replacement card is issued.

    Returns the blocked card with the new card under "replacement".

    Args:
        card_id: The lost card's id, like "CRD-30001".
    """
    card = load_card(db, card_id)
    if card["status"] == "lost":
        raise ToolError(
            f"card {card_id} (ending {card['last4']}) was already reported lost; its "
            f"replacement is card {card['replacement_card_id']}")
    if card["status"] == "cancelled":
        raise ToolError(f"card {card_id} (ending {card['last4']}) is cancelled; there is "
                        "nothing to block")
    account = load_account(db, card["account_id"])
    new_id = next_id(db, "cards", "card_id", "CRD-")
    db.insert("cards", [{
        "card_id": new_id,
        "account_id": card["account_id"],
        "network": card["network"],
        "last4": f"{db.rng.randrange(10000):04d}",
        # A card on a frozen account starts frozen too.
        "status": "active" if account["status"] == "open" else "frozen",
        "expires_on": db.today + datetime.timedelta(days=365 * CARD_YEARS),
        "replacement_card_id": None,
    }])
    db.execute("UPDATE cards SET status = 'lost', replacement_card_id = ? WHERE card_id = ?",
               [new_id, card_id])
    return dict(load_card(db, card_id), replacement=load_card(db, new_id))
