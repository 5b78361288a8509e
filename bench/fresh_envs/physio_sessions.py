"""Physiotherapy studio front desk: clients find open slots with a therapist, book, move
and cancel treatment sessions, and check the prepaid session credits on their package.

Therapists work set hours on set weekdays; a session lasts 30, 45 or 60 minutes and
starts on a quarter hour. Open slots are computed from the working hours minus the
sessions already booked. Cancelling or moving a session less than 24 hours before it
starts costs a late fee of half the session price, unless the client has credits left.
Clients are found by their mobile number. Clients look like CL-0101, therapists by
their initials (TH-AK), sessions S-300001.
"""
# Written for an independent audit; the generator never saw it while it was tuned. (Not in the
# docstring: the docstring is the env's system prompt.)

import datetime
from typing import Literal

from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "clients"

TABLES = """
CREATE TABLE clients (
    client_code VARCHAR PRIMARY KEY,
    first_name VARCHAR NOT NULL,
    last_name VARCHAR NOT NULL,
    mobile VARCHAR NOT NULL UNIQUE,
    credits_left INTEGER NOT NULL,
    balance_due DECIMAL(8, 2) NOT NULL
);
CREATE TABLE therapists (
    therapist_code VARCHAR PRIMARY KEY,
    display_name VARCHAR NOT NULL,
    specialty VARCHAR NOT NULL,
    works_weekdays VARCHAR NOT NULL,
    day_starts VARCHAR NOT NULL,
    day_ends VARCHAR NOT NULL
);
CREATE TABLE sessions (
    session_ref VARCHAR PRIMARY KEY,
    client_code VARCHAR NOT NULL,
    therapist_code VARCHAR NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    minutes INTEGER NOT NULL,
    treatment VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    paid_with VARCHAR NOT NULL
);
"""

Treatment = Literal["assessment", "sports_massage", "rehab_exercise", "dry_needling"]
PRICES = {"assessment": 90.0, "sports_massage": 75.0, "rehab_exercise": 60.0, "dry_needling": 80.0}
THERAPISTS = [("TH-AK", "Anna Kowalski", "sports injuries", "0,1,2,3", "08:00", "16:00"),
              ("TH-MR", "Marcus Reid", "back and neck pain", "1,2,3,4", "10:00", "18:00"),
              ("TH-PL", "Priya Lal", "post-surgery rehab", "0,2,4", "09:00", "15:00"),
              ("TH-JO", "Jonah Okafor", "running injuries", "0,1,3,4,5", "07:00", "13:00")]


def seed(db: Db, fake: Fake) -> None:
    db.insert("therapists", [{"therapist_code": c, "display_name": n, "specialty": s, "works_weekdays": w,
                              "day_starts": a, "day_ends": b} for c, n, s, w, a, b in THERAPISTS])
    clients, sessions = [], []
    for i in range(50):
        code = f"CL-{101 + i:04d}"
        clients.append({"client_code": code, "first_name": fake.first_name(), "last_name": fake.last_name(),
                        "mobile": fake.numerify("07### ######"), "credits_left": db.rng.choice([0, 0, 2, 5]),
                        "balance_due": db.rng.choice([0.0, 0.0, 37.5, 60.0])})
        for _ in range(db.rng.randint(0, 3)):
            therapist = db.rng.choice(THERAPISTS)
            days = db.rng.randint(-20, 20)
            day = db.today + datetime.timedelta(days=days)
            weekdays = [int(x) for x in therapist[3].split(",")]
            while day.weekday() not in weekdays:
                day = day + datetime.timedelta(days=1)
            open_hour = int(therapist[4][:2])
            start = datetime.datetime(day.year, day.month, day.day, open_hour + db.rng.randint(0, 4),
                                      db.rng.choice([0, 15, 30, 45]))
            minutes = db.rng.choice([30, 45, 60])
            clash = any(s["therapist_code"] == therapist[0] and s["starts_at"][:10] == day.isoformat()
                        for s in sessions)
            if clash:
                continue
            status = "booked" if start > db.now else db.rng.choice(["attended", "attended", "no_show"])
            sessions.append({"session_ref": f"S-{300001 + len(sessions)}", "client_code": code,
                             "therapist_code": therapist[0], "starts_at": start.isoformat(), "minutes": minutes,
                             "treatment": db.rng.choice(list(PRICES)), "status": status,
                             "paid_with": db.rng.choice(["credit", "card"])})
    db.insert("clients", clients)
    db.insert("sessions", sessions)


# --------------------------------------------------------------------------- helpers


def client(db: Db, client_code: str) -> dict:
    row = db.one("SELECT * FROM clients WHERE client_code = ?", [client_code])
    if row is None:
        raise ToolError(f"no client {client_code}")
    return row


def therapist(db: Db, therapist_code: str) -> dict:
    row = db.one("SELECT * FROM therapists WHERE therapist_code = ?", [therapist_code])
    if row is None:
        raise ToolError(f"no therapist {therapist_code}")
    return row


def own_session(db: Db, client_code: str, session_ref: str) -> dict:
    client(db, client_code)
    row = db.one("SELECT * FROM sessions WHERE session_ref = ? AND client_code = ?", [session_ref, client_code])
    if row is None:
        raise ToolError(f"session {session_ref} is not one of your sessions")
    return row


def parse_day(text: str) -> datetime.date:
    if len(text) != 10 or text[4] != "-" or text[7] != "-" or not (text[:4] + text[5:7] + text[8:]).isdigit():
        raise ToolError("a day is written YYYY-MM-DD")
    return datetime.date(int(text[:4]), int(text[5:7]), int(text[8:]))


def parse_start(text: str) -> datetime.datetime:
    if len(text) < 16 or text[10] != "T" or text[13] != ":":
        raise ToolError("a start time is written YYYY-MM-DDTHH:MM")
    day = parse_day(text[:10])
    if not (text[11:13] + text[14:16]).isdigit():
        raise ToolError("a start time is written YYYY-MM-DDTHH:MM")
    hour, minute = int(text[11:13]), int(text[14:16])
    if hour > 23 or minute not in (0, 15, 30, 45):
        raise ToolError("sessions start on the hour or at :15, :30 or :45")
    return datetime.datetime(day.year, day.month, day.day, hour, minute)


def minutes_of(clock: str) -> int:
    return int(clock[:2]) * 60 + int(clock[3:5])


def busy(db: Db, therapist_code: str, day: datetime.date, skip: str = "") -> list:
    rows = db.query("SELECT session_ref, starts_at, minutes FROM sessions WHERE therapist_code = ? AND status = "
                    "'booked' AND CAST(starts_at AS DATE) = ?", [therapist_code, day.isoformat()])
    spans = []
    for row in rows:
        if row["session_ref"] == skip:
            continue
        start = minutes_of(row["starts_at"][11:16])
        spans.append((start, start + row["minutes"]))
    return spans


def check_slot(db: Db, therapist_code: str, start: datetime.datetime, minutes: int, skip: str = "") -> None:
    who = therapist(db, therapist_code)
    if start <= db.now:
        raise ToolError("that time has already passed")
    if str(start.weekday()) not in who["works_weekdays"].split(","):
        raise ToolError(f"{who['display_name']} does not work on {start.strftime('%A')}s")
    begin = start.hour * 60 + start.minute
    if begin < minutes_of(who["day_starts"]) or begin + minutes > minutes_of(who["day_ends"]):
        raise ToolError(f"{who['display_name']} works {who['day_starts']}-{who['day_ends']}; a {minutes}-minute "
                        f"session at {start.strftime('%H:%M')} does not fit")
    for a, b in busy(db, therapist_code, start.date(), skip):
        if begin < b and a < begin + minutes:
            raise ToolError(f"{who['display_name']} is already booked at that time")


def late(db: Db, session: dict) -> bool:
    start = datetime.datetime.fromisoformat(session["starts_at"])
    return start - db.now < datetime.timedelta(hours=24)


# --------------------------------------------------------------------------- tools


@tool
def find_client_by_mobile(db: Db, mobile: str) -> dict:
    """Find a client by their mobile number, written like 07123 456789.

    Args:
        mobile: The client's mobile number.
    """
    row = db.one("SELECT client_code, first_name, last_name FROM clients WHERE mobile = ?", [mobile.strip()])
    if row is None:
        raise ToolError("no client has that mobile number")
    return row


@tool
def get_package(db: Db, client_code: str) -> dict:
    """The client's prepaid session credits left and any amount they owe the studio.

    Args:
        client_code: The client.
    """
    row = client(db, client_code)
    return {"client_code": client_code, "credits_left": row["credits_left"], "balance_due": row["balance_due"]}


@tool
def list_therapists(db: Db) -> list:
    """The studio's therapists, their specialty and their working hours."""
    rows = db.query("SELECT * FROM therapists ORDER BY therapist_code")
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    for row in rows:
        row["works_weekdays"] = ", ".join(names[int(x)] for x in row["works_weekdays"].split(","))
    return rows


@tool
def find_open_slots(db: Db, therapist_code: str, day: str, minutes: Literal[30, 45, 60] = 45) -> list:
    """Start times on one day at which a therapist is free for a session of the given length.

    Args:
        therapist_code: The therapist, like "TH-AK".
        day: The day, YYYY-MM-DD.
        minutes: How long the session is.
    """
    who = therapist(db, therapist_code)
    when = parse_day(day)
    if str(when.weekday()) not in who["works_weekdays"].split(","):
        return []
    spans = busy(db, therapist_code, when)
    out = []
    for begin in range(minutes_of(who["day_starts"]), minutes_of(who["day_ends"]) - minutes + 1, 15):
        start = datetime.datetime(when.year, when.month, when.day, begin // 60, begin % 60)
        if start > db.now and all(not (begin < b and a < begin + minutes) for a, b in spans):
            out.append(start.strftime("%Y-%m-%dT%H:%M"))
    return out


@tool
def list_my_sessions(db: Db, client_code: str, upcoming_only: bool = True) -> list:
    """The client's sessions, soonest first; by default only those still to come.

    Args:
        client_code: The client.
        upcoming_only: Leave out sessions that are over.
    """
    client(db, client_code)
    rows = db.query("SELECT s.session_ref, s.starts_at, s.minutes, s.treatment, s.status, t.display_name AS "
                    "therapist FROM sessions s JOIN therapists t ON t.therapist_code = s.therapist_code WHERE "
                    "s.client_code = ? ORDER BY s.starts_at", [client_code])
    if upcoming_only:
        rows = [r for r in rows if r["status"] == "booked"]
    return rows


@tool(writes=True, confirm=True)
def book_session(db: Db, client_code: str, therapist_code: str, starts_at: str, treatment: Treatment,
                 minutes: Literal[30, 45, 60] = 45) -> dict:
    """Book a session; it uses one prepaid credit if the client has any, otherwise it is paid by card at the desk.

    Args:
        client_code: The client.
        therapist_code: The therapist.
        starts_at: When it starts, YYYY-MM-DDTHH:MM.
        treatment: What the session is for.
        minutes: How long it lasts.
    """
    row = client(db, client_code)
    start = parse_start(starts_at)
    check_slot(db, therapist_code, start, minutes)
    paid_with = "credit" if row["credits_left"] > 0 else "card"
    if paid_with == "credit":
        db.execute("UPDATE clients SET credits_left = credits_left - 1 WHERE client_code = ?", [client_code])
    ref = f"S-{300001 + db.scalar('SELECT count(*) FROM sessions')}"
    db.insert("sessions", [{"session_ref": ref, "client_code": client_code, "therapist_code": therapist_code,
                            "starts_at": start.isoformat(), "minutes": minutes, "treatment": treatment,
                            "status": "booked", "paid_with": paid_with}])
    out = own_session(db, client_code, ref)
    out["price"] = PRICES[treatment] * minutes / 45
    return out


@tool(writes=True, confirm=True)
def move_session(db: Db, client_code: str, session_ref: str, new_starts_at: str) -> dict:
    """Move a booked session to another time with the same therapist; within 24 hours of it a late fee applies.

    Args:
        client_code: The client.
        session_ref: The session to move, like "S-300001".
        new_starts_at: The new start, YYYY-MM-DDTHH:MM.
    """
    session = own_session(db, client_code, session_ref)
    if session["status"] != "booked":
        raise ToolError(f"session {session_ref} is {session['status']} and cannot be moved")
    start = parse_start(new_starts_at)
    check_slot(db, session["therapist_code"], start, session["minutes"], skip=session_ref)
    fee = 0.0
    if late(db, session):
        fee = round(PRICES[session["treatment"]] / 2, 2)
        db.execute("UPDATE clients SET balance_due = balance_due + ? WHERE client_code = ?", [fee, client_code])
    db.execute("UPDATE sessions SET starts_at = ? WHERE session_ref = ?", [start.isoformat(), session_ref])
    out = own_session(db, client_code, session_ref)
    out["late_fee"] = fee
    return out


@tool(writes=True, confirm=True)
def cancel_session(db: Db, client_code: str, session_ref: str) -> dict:
    """Cancel a booked session; a credit it used comes back, but within 24 hours of it a late fee is charged.

    Args:
        client_code: The client.
        session_ref: The session to cancel.
    """
    session = own_session(db, client_code, session_ref)
    if session["status"] != "booked":
        raise ToolError(f"session {session_ref} is {session['status']} and cannot be cancelled")
    fee = 0.0
    if late(db, session):
        fee = round(PRICES[session["treatment"]] / 2, 2)
        db.execute("UPDATE clients SET balance_due = balance_due + ? WHERE client_code = ?", [fee, client_code])
    elif session["paid_with"] == "credit":
        db.execute("UPDATE clients SET credits_left = credits_left + 1 WHERE client_code = ?", [client_code])
    db.execute("UPDATE sessions SET status = 'cancelled' WHERE session_ref = ?", [session_ref])
    out = own_session(db, client_code, session_ref)
    out["late_fee"] = fee
    return out


@tool
def session_end_time(db: Db, starts_at: str, minutes: Literal[30, 45, 60]) -> dict:
    """When a session starting at a given time ends.

    Args:
        starts_at: The start, YYYY-MM-DDTHH:MM.
        minutes: How long it lasts.
    """
    start = parse_start(starts_at)
    end = start + datetime.timedelta(minutes=minutes)
    return {"starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": end.strftime("%Y-%m-%dT%H:%M")}
