"""IT service desk of a company: employees sign in, raise tickets about their laptops,
phones and accounts, follow them, add notes, and close, cancel or reopen them; they can
also ask for a replacement of a device that is still under warranty.

A ticket moves open -> in_progress -> (waiting_on_you ->) resolved -> closed; the
requester can cancel it while nobody has resolved it, close it once the desk resolved
it, and reopen a resolved ticket within 10 days (a closed or cancelled ticket cannot
be reopened: raise a new one). Urgency is low, medium or high; high urgency needs the
problem to stop the employee working. An employee must sign in with their username and
PIN before anything else. Employees look like E-3107, tickets INC-20431, devices carry
asset tags like LT-5502 (laptops), PH-5517 (phones), MN-5520 (monitors); notes are
numbered within their ticket.
"""

# Facts of the BFCL ticket API (login, tickets with priority and status, resolution),
# reshaped as our own env; written for an independent audit, the generator never saw it.
# (Kept out of the docstring: the docstring is the dialogues' system prompt.)

import datetime
from typing import Literal

from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "employees"
AUTHENTICATE_FIRST = True

TABLES = """
CREATE TABLE employees (
    employee_id VARCHAR PRIMARY KEY,
    username VARCHAR NOT NULL UNIQUE,
    pin VARCHAR NOT NULL,
    full_name VARCHAR NOT NULL,
    department VARCHAR NOT NULL,
    office VARCHAR NOT NULL
);
CREATE TABLE devices (
    asset_tag VARCHAR PRIMARY KEY,
    employee_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    issued_on DATE NOT NULL,
    warranty_until DATE NOT NULL,
    state VARCHAR NOT NULL
);
CREATE TABLE tickets (
    ticket_id VARCHAR PRIMARY KEY,
    employee_id VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    urgency VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    asset_tag VARCHAR,
    opened_on DATE NOT NULL,
    resolved_on DATE,
    resolution VARCHAR NOT NULL DEFAULT '',
    assigned_team VARCHAR NOT NULL
);
CREATE TABLE notes (
    ticket_id VARCHAR NOT NULL,
    note_no INTEGER NOT NULL,
    author VARCHAR NOT NULL,
    body VARCHAR NOT NULL,
    PRIMARY KEY (ticket_id, note_no)
);
CREATE TABLE replacements (
    request_id VARCHAR PRIMARY KEY,
    asset_tag VARCHAR NOT NULL,
    employee_id VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    requested_on DATE NOT NULL
);
"""

Category = Literal["hardware", "software", "network", "account_access", "email"]
Urgency = Literal["low", "medium", "high"]
CancelReason = Literal["no_longer_needed", "fixed_it_myself", "raised_twice"]
ReplaceReason = Literal["broken_screen", "battery_failing", "will_not_power_on", "water_damage"]
DEPARTMENTS = ["Finance", "Sales", "Marketing", "Engineering", "Legal", "Operations"]
OFFICES = ["Leeds", "Bristol", "Glasgow", "Cardiff"]
MODELS = {"laptop": ("LT", ["ThinkPad T14", "Dell Latitude 7440", "MacBook Air 13"]),
          "phone": ("PH", ["iPhone 14", "Pixel 8", "Galaxy S23"]),
          "monitor": ("MN", ["Dell U2723QE", "LG 27UP850", "HP E24 G5"])}
PROBLEMS = {"hardware": ["Laptop fan is very loud", "Monitor flickers after lunch", "Phone will not charge",
                         "Laptop does not see the docking station"],
            "software": ["Excel crashes when opening macros", "Cannot install the VPN client",
                         "Teams freezes during calls"],
            "network": ["Wi-Fi drops on the third floor", "VPN disconnects every hour"],
            "account_access": ["Locked out of the HR portal", "Need access to the finance share"],
            "email": ["Shared mailbox missing in Outlook", "Emails to suppliers bounce"]}
TEAMS = {"hardware": "Desktop Support", "software": "Applications", "network": "Network Operations",
         "account_access": "Identity and Access", "email": "Messaging"}
FIXES = {"hardware": ["Replaced the power adapter", "Updated the driver"],
         "software": ["Reinstalled the client and cleared the cache", "Updated the application"],
         "network": ["Moved you to the staff Wi-Fi profile", "Updated the VPN client"],
         "account_access": ["Reset the account lock", "Granted the access you asked for"],
         "email": ["Added the mailbox permission", "Removed the old mail rule"]}
KIND_WORDS = {"laptop": "Laptop", "phone": "Phone", "monitor": "Monitor"}
STATUSES = ["open", "in_progress", "waiting_on_you", "resolved", "resolved", "closed", "cancelled"]
REOPEN_DAYS = 10


def seed(db: Db, fake: Fake) -> None:
    employees, devices, tickets, notes = [], [], [], []
    for i in range(40):
        employee = f"E-{3101 + i * 3}"
        first, last = fake.first_name(), fake.last_name()
        employees.append({"employee_id": employee, "username": f"{first[0].lower()}{last.lower()}{i % 10}",
                          "pin": f"{db.rng.randrange(10000):04d}", "full_name": f"{first} {last}",
                          "department": db.rng.choice(DEPARTMENTS), "office": db.rng.choice(OFFICES)})
        owned = []
        for kind in ["laptop", *db.rng.sample(["phone", "monitor"], db.rng.randint(0, 2))]:
            prefix, models = MODELS[kind]
            tag = f"{prefix}-{5501 + len(devices)}"
            issued = db.today - datetime.timedelta(days=db.rng.randint(60, 1400))
            devices.append({"asset_tag": tag, "employee_id": employee, "kind": kind, "model": db.rng.choice(models),
                            "issued_on": issued.isoformat(),
                            "warranty_until": (issued + datetime.timedelta(days=1095)).isoformat(),
                            "state": "in_use"})
            owned.append(tag)
        for _ in range(db.rng.randint(1, 4)):
            ticket = f"INC-{20431 + len(tickets) * 7}"
            category = db.rng.choice(list(PROBLEMS))
            title = db.rng.choice(PROBLEMS[category])
            device = None
            if category == "hardware":  # a hardware ticket is about a device of the kind its title names
                fits = [d for d in devices if d["asset_tag"] in owned and title.startswith(KIND_WORDS[d["kind"]])]
                if not fits:
                    title = db.rng.choice([t for t in PROBLEMS["hardware"] if t.startswith("Laptop")])
                    fits = [d for d in devices if d["asset_tag"] in owned and d["kind"] == "laptop"]
                device = db.rng.choice(fits)["asset_tag"]
            status = db.rng.choice(STATUSES)
            opened = db.today - datetime.timedelta(days=db.rng.randint(2, 40))
            resolved = None
            if status in ("resolved", "closed"):
                resolved = min(db.today, opened + datetime.timedelta(days=db.rng.randint(1, 20)))
            tickets.append({"ticket_id": ticket, "employee_id": employee, "category": category,
                            "title": title, "urgency": db.rng.choice(["low", "medium", "high"]),
                            "status": status, "asset_tag": device,
                            "opened_on": opened.isoformat(),
                            "resolved_on": resolved.isoformat() if resolved else None,
                            "resolution": db.rng.choice(FIXES[category]) if resolved else "",
                            "assigned_team": TEAMS[category]})
            notes.append({"ticket_id": ticket, "note_no": 1, "author": "requester",
                          "body": "It started after the last update."})
            if status == "waiting_on_you":
                notes.append({"ticket_id": ticket, "note_no": 2, "author": "desk",
                              "body": "Could you tell us when you are next in the office?"})
    db.insert("employees", employees)
    db.insert("devices", devices)
    db.insert("tickets", tickets)
    db.insert("notes", notes)


# --------------------------------------------------------------------------- helpers


def employee_row(db: Db, employee_id: str) -> dict:
    row = db.one("SELECT employee_id, full_name, department, office FROM employees WHERE employee_id = ?",
                 [employee_id])
    if row is None:
        raise ToolError(f"no employee {employee_id}")
    return row


def ticket_view(db: Db, employee_id: str, ticket_id: str) -> dict:
    employee_row(db, employee_id)
    row = db.one("SELECT * FROM tickets WHERE ticket_id = ? AND employee_id = ?", [ticket_id, employee_id])
    if row is None:
        raise ToolError(f"ticket {ticket_id} is not one of your tickets")
    row["notes"] = db.query("SELECT note_no, author, body FROM notes WHERE ticket_id = ? ORDER BY note_no",
                            [ticket_id])
    return row


def own_device(db: Db, employee_id: str, asset_tag: str) -> dict:
    employee_row(db, employee_id)
    row = db.one("SELECT * FROM devices WHERE asset_tag = ? AND employee_id = ?", [asset_tag.strip().upper(),
                                                                                   employee_id])
    if row is None:
        raise ToolError(f"device {asset_tag} is not assigned to you")
    return row


def add_note_row(db: Db, ticket_id: str, author: str, body: str) -> None:
    n = 1 + int(db.scalar("SELECT coalesce(max(note_no), 0) FROM notes WHERE ticket_id = ?", [ticket_id]))
    db.insert("notes", [{"ticket_id": ticket_id, "note_no": n, "author": author, "body": body}])


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(str(text)[:10])


# --------------------------------------------------------------------------- tools


@tool
def sign_in(db: Db, username: str, pin: str) -> dict:
    """Sign an employee in with their username and four-digit PIN; every other request needs it first.

    Args:
        username: The employee's username, like jsmith4.
        pin: Their four-digit PIN.
    """
    row = db.one("SELECT employee_id, full_name, department, office FROM employees WHERE username = ? AND pin = ?",
                 [username.strip().lower(), pin.strip()])
    if row is None:
        raise ToolError("that username and PIN do not match")
    return row


@tool
def list_my_tickets(db: Db, employee_id: str,
                    status: Literal["any", "open", "in_progress", "waiting_on_you", "resolved", "closed",
                                    "cancelled"] = "any") -> list:
    """The employee's tickets, newest first, optionally only those in one status.

    Args:
        employee_id: The signed-in employee.
        status: Only tickets in this status; any for all.
    """
    employee_row(db, employee_id)
    sql = ("SELECT ticket_id, title, category, urgency, status, opened_on FROM tickets WHERE employee_id = ?")
    params = [employee_id]
    if status != "any":
        sql += " AND status = ?"
        params.append(status)
    return db.query(sql + " ORDER BY opened_on DESC, ticket_id DESC", params)


@tool
def get_ticket(db: Db, employee_id: str, ticket_id: str) -> dict:
    """One ticket in full: status, urgency, the team working on it, its notes and any resolution.

    Args:
        employee_id: The signed-in employee.
        ticket_id: The ticket, like INC-20431.
    """
    return ticket_view(db, employee_id, ticket_id)


@tool(writes=True)
def raise_ticket(db: Db, employee_id: str, category: Category, title: str, urgency: Urgency,
                 asset_tag: str | None = None) -> dict:
    """Raise a new ticket; a hardware ticket names the device it is about.

    Args:
        employee_id: The signed-in employee.
        category: What the problem is about.
        title: A one-line summary of the problem.
        urgency: How much it stops the employee working; high only when they cannot work at all.
        asset_tag: The device's asset tag, for hardware problems.
    """
    employee_row(db, employee_id)
    if not title.strip():
        raise ToolError("say in a line what the problem is")
    tag = None
    if category == "hardware":
        if not asset_tag:
            raise ToolError("a hardware ticket needs the asset tag of the device")
        tag = own_device(db, employee_id, asset_tag)["asset_tag"]
    elif asset_tag:
        tag = own_device(db, employee_id, asset_tag)["asset_tag"]
    number = f"INC-{20431 + int(db.scalar('SELECT count(*) FROM tickets')) * 7}"
    db.insert("tickets", [{"ticket_id": number, "employee_id": employee_id, "category": category,
                           "title": title.strip(), "urgency": urgency, "status": "open", "asset_tag": tag,
                           "opened_on": db.today.isoformat(), "resolved_on": None, "resolution": "",
                           "assigned_team": TEAMS[category]}])
    return ticket_view(db, employee_id, number)


@tool(writes=True)
def add_note(db: Db, employee_id: str, ticket_id: str, body: str) -> dict:
    """Add a note to a ticket that is still being worked on; a ticket waiting on the employee goes back to the desk.

    Args:
        employee_id: The signed-in employee.
        ticket_id: The ticket.
        body: What the employee wants to tell the desk.
    """
    ticket = ticket_view(db, employee_id, ticket_id)
    if ticket["status"] not in ("open", "in_progress", "waiting_on_you"):
        raise ToolError(f"ticket {ticket_id} is {ticket['status'].replace('_', ' ')}; notes go on tickets still "
                        "being worked on")
    if not body.strip():
        raise ToolError("the note is empty")
    add_note_row(db, ticket_id, "requester", body.strip())
    if ticket["status"] == "waiting_on_you":
        db.execute("UPDATE tickets SET status = 'in_progress' WHERE ticket_id = ?", [ticket_id])
    return ticket_view(db, employee_id, ticket_id)


@tool(writes=True, confirm=True)
def change_urgency(db: Db, employee_id: str, ticket_id: str, urgency: Urgency) -> dict:
    """Change how urgent an unresolved ticket is.

    Args:
        employee_id: The signed-in employee.
        ticket_id: The ticket.
        urgency: The new urgency.
    """
    ticket = ticket_view(db, employee_id, ticket_id)
    if ticket["status"] not in ("open", "in_progress", "waiting_on_you"):
        raise ToolError(f"ticket {ticket_id} is already {ticket['status'].replace('_', ' ')}; its urgency "
                        "cannot change")
    if ticket["urgency"] == urgency:
        raise ToolError(f"ticket {ticket_id} is already {urgency} urgency")
    db.execute("UPDATE tickets SET urgency = ? WHERE ticket_id = ?", [urgency, ticket_id])
    return ticket_view(db, employee_id, ticket_id)


@tool(writes=True, confirm=True)
def cancel_ticket(db: Db, employee_id: str, ticket_id: str, reason: CancelReason) -> dict:
    """Cancel a ticket nobody has resolved yet.

    Args:
        employee_id: The signed-in employee.
        ticket_id: The ticket to cancel.
        reason: Why it is no longer needed.
    """
    ticket = ticket_view(db, employee_id, ticket_id)
    if ticket["status"] not in ("open", "in_progress", "waiting_on_you"):
        raise ToolError(f"ticket {ticket_id} is {ticket['status'].replace('_', ' ')} and cannot be cancelled")
    db.execute("UPDATE tickets SET status = 'cancelled' WHERE ticket_id = ?", [ticket_id])
    add_note_row(db, ticket_id, "requester", "Cancelled: " + reason.replace("_", " "))
    return ticket_view(db, employee_id, ticket_id)


@tool(writes=True, confirm=True)
def close_ticket(db: Db, employee_id: str, ticket_id: str) -> dict:
    """Close a ticket the desk has resolved, agreeing that the fix worked.

    Args:
        employee_id: The signed-in employee.
        ticket_id: The resolved ticket.
    """
    ticket = ticket_view(db, employee_id, ticket_id)
    if ticket["status"] != "resolved":
        raise ToolError(f"ticket {ticket_id} is {ticket['status'].replace('_', ' ')}; only a resolved ticket "
                        "can be closed")
    db.execute("UPDATE tickets SET status = 'closed' WHERE ticket_id = ?", [ticket_id])
    return ticket_view(db, employee_id, ticket_id)


@tool(writes=True, confirm=True)
def reopen_ticket(db: Db, employee_id: str, ticket_id: str, what_still_fails: str) -> dict:
    """Reopen a resolved ticket whose fix did not hold, within 10 days of its resolution.

    Args:
        employee_id: The signed-in employee.
        ticket_id: The resolved ticket.
        what_still_fails: What is still wrong.
    """
    ticket = ticket_view(db, employee_id, ticket_id)
    if ticket["status"] != "resolved":
        raise ToolError(f"ticket {ticket_id} is {ticket['status'].replace('_', ' ')}; only a resolved ticket "
                        "can be reopened, so raise a new one")
    if (db.today - day(ticket["resolved_on"])).days > REOPEN_DAYS:
        raise ToolError(f"ticket {ticket_id} was resolved on {str(ticket['resolved_on'])[:10]}, more than "
                        f"{REOPEN_DAYS} days ago; raise a new ticket instead")
    if not what_still_fails.strip():
        raise ToolError("say what is still wrong")
    db.execute("UPDATE tickets SET status = 'open', resolved_on = NULL, resolution = '' WHERE ticket_id = ?",
               [ticket_id])
    add_note_row(db, ticket_id, "requester", "Reopened: " + what_still_fails.strip())
    return ticket_view(db, employee_id, ticket_id)


@tool
def list_my_devices(db: Db, employee_id: str) -> list:
    """The devices assigned to the employee, with model and warranty end date.

    Args:
        employee_id: The signed-in employee.
    """
    employee_row(db, employee_id)
    return db.query("SELECT asset_tag, kind, model, warranty_until, state FROM devices WHERE employee_id = ? "
                    "ORDER BY asset_tag", [employee_id])


@tool(writes=True, confirm=True)
def request_replacement(db: Db, employee_id: str, asset_tag: str, reason: ReplaceReason) -> dict:
    """Ask for a replacement of a faulty device still under warranty.

    Args:
        employee_id: The signed-in employee.
        asset_tag: The device to replace.
        reason: What is wrong with it.
    """
    device = own_device(db, employee_id, asset_tag)
    if device["state"] != "in_use":
        raise ToolError(f"a replacement for {device['asset_tag']} was already requested")
    if day(device["warranty_until"]) < db.today:
        raise ToolError(f"{device['model']} {device['asset_tag']} went out of warranty on "
                        f"{str(device['warranty_until'])[:10]} and cannot be replaced under it")
    request = f"RPL-{901 + int(db.scalar('SELECT count(*) FROM replacements'))}"
    db.insert("replacements", [{"request_id": request, "asset_tag": device["asset_tag"], "employee_id": employee_id,
                                "reason": reason, "requested_on": db.today.isoformat()}])
    db.execute("UPDATE devices SET state = 'replacement_requested' WHERE asset_tag = ?", [device["asset_tag"]])
    return {"request_id": request, "asset_tag": device["asset_tag"], "model": device["model"], "reason": reason,
            "requested_on": db.today.isoformat()}


@tool
def search_help_articles(db: Db, words: str) -> list:
    """Self-help articles whose title has any of the given words (up to 5).

    Args:
        words: A few words about the problem, like "vpn" or "outlook mailbox".
    """
    wanted = [w for w in words.lower().replace(",", " ").split() if len(w) > 2]
    if not wanted:
        raise ToolError("give a word or two about the problem")
    found = [a for a in ARTICLES if any(w in a["title"].lower() for w in wanted)]
    return found[:5]


ARTICLES = [
    {"article": "KB-101", "title": "Connect to the VPN from home", "minutes": 3},
    {"article": "KB-102", "title": "Add a shared mailbox in Outlook", "minutes": 2},
    {"article": "KB-103", "title": "Reset your PIN or password", "minutes": 2},
    {"article": "KB-104", "title": "Fix Teams freezing during calls", "minutes": 4},
    {"article": "KB-105", "title": "Pair a docking station with your laptop", "minutes": 3},
    {"article": "KB-106", "title": "Wi-Fi troubleshooting in the office", "minutes": 5},
    {"article": "KB-107", "title": "Request access to a network share", "minutes": 2},
    {"article": "KB-108", "title": "Excel macros are blocked", "minutes": 3},
]
