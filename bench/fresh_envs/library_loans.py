"""Library loans desk: patrons renew their checkouts, place and cancel holds on titles,
choose where a hold is picked up, and pay their fines.

A port of the circulation part of the public Koha ILS REST API (patrons, checkouts,
holds, biblios, libraries, patron account lines), one tool per endpoint the desk uses,
with Koha's field names. Patron IDs look like PA2001, library cards like 23000041,
checkouts CO5001, holds HD7001, biblios (titles) BB301, libraries like CPL.
"""
# Written for an independent audit; the generator never saw it while it was tuned. (Not in the
# docstring: the docstring is the env's system prompt.)

from typing import Literal

from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "patrons"

TABLES = """
CREATE TABLE patrons (
    patron_id VARCHAR PRIMARY KEY,
    cardnumber VARCHAR NOT NULL,
    firstname VARCHAR NOT NULL,
    surname VARCHAR NOT NULL,
    email VARCHAR NOT NULL,
    library_id VARCHAR NOT NULL
);
CREATE TABLE libraries (
    library_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL
);
CREATE TABLE biblios (
    biblio_id VARCHAR PRIMARY KEY,
    title VARCHAR NOT NULL,
    author VARCHAR NOT NULL,
    copies INTEGER NOT NULL
);
CREATE TABLE checkouts (
    checkout_id VARCHAR PRIMARY KEY,
    patron_id VARCHAR NOT NULL,
    biblio_id VARCHAR NOT NULL,
    due_date DATE NOT NULL,
    renewals_count INTEGER NOT NULL
);
CREATE TABLE holds (
    hold_id VARCHAR PRIMARY KEY,
    patron_id VARCHAR NOT NULL,
    biblio_id VARCHAR NOT NULL,
    pickup_library_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL
);
CREATE TABLE account_lines (
    line_id VARCHAR PRIMARY KEY,
    patron_id VARCHAR NOT NULL,
    debit_type VARCHAR NOT NULL,
    amount DECIMAL(8, 2) NOT NULL,
    amount_outstanding DECIMAL(8, 2) NOT NULL
);
"""

LIBRARIES = [("CPL", "Centerville Public Library"), ("MPL", "Midway Public Library"),
             ("FFL", "Fairfield Library"), ("RPL", "Riverside Public Library")]
MAX_RENEWALS = 2


def seed(db: Db, fake: Fake) -> None:
    db.insert("libraries", [{"library_id": i, "name": n} for i, n in LIBRARIES])
    biblios = [{"biblio_id": f"BB{301 + i}", "title": fake.catch_phrase(), "author": fake.name(),
                "copies": db.rng.randint(1, 4)} for i in range(60)]
    db.insert("biblios", biblios)
    patrons, checkouts, holds, lines = [], [], [], []
    for i in range(50):
        patron_id = f"PA{2001 + i}"
        first, last = fake.first_name(), fake.last_name()
        patrons.append({"patron_id": patron_id, "cardnumber": f"2300{41 + i:04d}", "firstname": first,
                        "surname": last, "email": f"{first.lower()}.{last.lower()}@{fake.free_email_domain()}",
                        "library_id": db.rng.choice(LIBRARIES)[0]})
        for biblio in db.rng.sample(biblios, db.rng.randint(0, 3)):
            checkouts.append({"checkout_id": f"CO{5001 + len(checkouts)}", "patron_id": patron_id,
                              "biblio_id": biblio["biblio_id"],
                              "due_date": fake.date_between(start_date="-10d", end_date="+20d").isoformat(),
                              "renewals_count": db.rng.randint(0, MAX_RENEWALS)})
        for biblio in db.rng.sample(biblios, db.rng.randint(0, 2)):
            holds.append({"hold_id": f"HD{7001 + len(holds)}", "patron_id": patron_id,
                          "biblio_id": biblio["biblio_id"], "pickup_library_id": db.rng.choice(LIBRARIES)[0],
                          "status": db.rng.choice(["waiting", "pending", "pending"])})
        if db.rng.random() < 0.4:
            amount = db.rng.choice([0.5, 1.25, 2.0, 3.75, 5.0])
            lines.append({"line_id": f"AL{9001 + len(lines)}", "patron_id": patron_id,
                          "debit_type": db.rng.choice(["OVERDUE", "LOST", "RENEW"]), "amount": amount,
                          "amount_outstanding": amount})
    db.insert("patrons", patrons)
    db.insert("checkouts", checkouts)
    db.insert("holds", holds)
    db.insert("account_lines", lines)


def known(db: Db, table: str, key: str, value: str, what: str) -> dict:
    row = db.one(f"SELECT * FROM {table} WHERE {key} = ?", [value])
    if row is None:
        raise ToolError(f"{what} {value} not found")
    return row


@tool
def find_patron_by_cardnumber(db: Db, cardnumber: str) -> dict:
    """Find a patron by the number on their library card.

    Args:
        cardnumber: The library card number, like "23000041".
    """
    patron = db.one("SELECT * FROM patrons WHERE cardnumber = ?", [cardnumber])
    if patron is None:
        raise ToolError(f"no patron with card number {cardnumber}")
    return patron


@tool
def get_patron(db: Db, patron_id: str) -> dict:
    """Get a patron's record: name, email, card number and home library.

    Args:
        patron_id: The patron's ID, like "PA2001".
    """
    return known(db, "patrons", "patron_id", patron_id, "patron")


@tool
def list_checkouts(db: Db, patron_id: str) -> list:
    """List the items a patron has checked out, with their due dates.

    Args:
        patron_id: The patron whose checkouts to list.
    """
    known(db, "patrons", "patron_id", patron_id, "patron")
    return db.query("SELECT c.*, b.title FROM checkouts c JOIN biblios b ON b.biblio_id = c.biblio_id "
                    "WHERE c.patron_id = ? ORDER BY c.due_date", [patron_id])


@tool(writes=True)
def renew_checkout(db: Db, checkout_id: str) -> dict:
    """Renew a checkout for two more weeks, unless it was renewed too often or someone holds it.

    Args:
        checkout_id: The checkout to renew.
    """
    checkout = known(db, "checkouts", "checkout_id", checkout_id, "checkout")
    if checkout["renewals_count"] >= MAX_RENEWALS:
        raise ToolError(f"checkout {checkout_id} was already renewed {MAX_RENEWALS} times")
    waiting = db.scalar("SELECT count(*) FROM holds WHERE biblio_id = ? AND patron_id <> ?",
                        [checkout["biblio_id"], checkout["patron_id"]])
    if waiting:
        raise ToolError(f"another patron has a hold on the title of checkout {checkout_id}")
    due = db.today.fromisoformat(checkout["due_date"])
    new_due = due.fromordinal(due.toordinal() + 14).isoformat()
    db.execute("UPDATE checkouts SET due_date = ?, renewals_count = renewals_count + 1 WHERE checkout_id = ?",
               [new_due, checkout_id])
    return known(db, "checkouts", "checkout_id", checkout_id, "checkout")


@tool
def search_biblios(db: Db, title: str) -> list:
    """Search the catalogue for titles containing a word.

    Args:
        title: A word of the title, like "solution".
    """
    rows = db.query("SELECT * FROM biblios WHERE lower(title) LIKE lower(?) ORDER BY biblio_id",
                    [f"%{title}%"])
    return rows[:10]


@tool
def list_holds(db: Db, patron_id: str) -> list:
    """List a patron's holds, with their status and pickup library.

    Args:
        patron_id: The patron whose holds to list.
    """
    known(db, "patrons", "patron_id", patron_id, "patron")
    return db.query("SELECT h.*, b.title FROM holds h JOIN biblios b ON b.biblio_id = h.biblio_id "
                    "WHERE h.patron_id = ? ORDER BY h.hold_id", [patron_id])


@tool(writes=True, confirm=True)
def place_hold(db: Db, patron_id: str, biblio_id: str, pickup_library_id: str) -> dict:
    """Place a hold on a title for a patron, to be picked up at a library.

    Args:
        patron_id: The patron placing the hold.
        biblio_id: The title to hold.
        pickup_library_id: The library where the patron picks it up, like "CPL".
    """
    known(db, "patrons", "patron_id", patron_id, "patron")
    known(db, "biblios", "biblio_id", biblio_id, "title")
    known(db, "libraries", "library_id", pickup_library_id, "library")
    if db.scalar("SELECT count(*) FROM holds WHERE patron_id = ? AND biblio_id = ?", [patron_id, biblio_id]):
        raise ToolError(f"patron {patron_id} already has a hold on {biblio_id}")
    if db.scalar("SELECT count(*) FROM checkouts WHERE patron_id = ? AND biblio_id = ?", [patron_id, biblio_id]):
        raise ToolError(f"patron {patron_id} has {biblio_id} checked out already")
    hold_id = f"HD{7001 + db.scalar('SELECT count(*) FROM holds')}"
    db.insert("holds", [{"hold_id": hold_id, "patron_id": patron_id, "biblio_id": biblio_id,
                         "pickup_library_id": pickup_library_id, "status": "pending"}])
    return known(db, "holds", "hold_id", hold_id, "hold")


@tool(writes=True, confirm=True)
def cancel_hold(db: Db, hold_id: str) -> dict:
    """Cancel a hold that is still pending or waiting.

    Args:
        hold_id: The hold to cancel.
    """
    hold = known(db, "holds", "hold_id", hold_id, "hold")
    db.execute("DELETE FROM holds WHERE hold_id = ?", [hold_id])
    return {**hold, "status": "cancelled"}


@tool(writes=True)
def update_hold_pickup_location(db: Db, hold_id: str, pickup_library_id: str) -> dict:
    """Change the library where a pending hold will be picked up.

    Args:
        hold_id: The hold to change.
        pickup_library_id: The new pickup library, like "MPL".
    """
    hold = known(db, "holds", "hold_id", hold_id, "hold")
    known(db, "libraries", "library_id", pickup_library_id, "library")
    if hold["status"] != "pending":
        raise ToolError(f"hold {hold_id} is {hold['status']}; only a pending hold can change its pickup library")
    if hold["pickup_library_id"] == pickup_library_id:
        raise ToolError(f"hold {hold_id} is already picked up at {pickup_library_id}")
    db.execute("UPDATE holds SET pickup_library_id = ? WHERE hold_id = ?", [pickup_library_id, hold_id])
    return known(db, "holds", "hold_id", hold_id, "hold")


@tool
def list_account_lines(db: Db, patron_id: str) -> list:
    """List a patron's fines and fees with what is still owed.

    Args:
        patron_id: The patron whose account to list.
    """
    known(db, "patrons", "patron_id", patron_id, "patron")
    return db.query("SELECT * FROM account_lines WHERE patron_id = ? ORDER BY line_id", [patron_id])


@tool(writes=True, confirm=True)
def pay_account_line(db: Db, line_id: str, payment_type: Literal["cash", "card"]) -> dict:
    """Pay what is still owed on one fine or fee.

    Args:
        line_id: The fine or fee to pay, like "AL9001".
        payment_type: How the patron pays.
    """
    line = known(db, "account_lines", "line_id", line_id, "fine")
    if line["amount_outstanding"] <= 0:
        raise ToolError(f"fine {line_id} is already paid")
    db.execute("UPDATE account_lines SET amount_outstanding = 0 WHERE line_id = ?", [line_id])
    return {**known(db, "account_lines", "line_id", line_id, "fine"), "paid": line["amount_outstanding"],
            "payment_type": payment_type}
