"""Calendar and mail for one person's workspace.

The assistant works for the owner of the workspace. The owner has an address book of
contacts, a calendar (events they organize, and events contacts invited them to) and a
mailbox (inbox and sent messages). In organizer and invitee fields the owner is "me".
Times are local and written YYYY-MM-DDTHH:MM. The owner's calendar is every confirmed
event they organize plus every confirmed event they accepted or tentatively accepted;
two events on it may not overlap.
"""

import datetime
import re
from typing import Literal

from sandbox.authoring import Db, Fake, ToolError, tool

OWNER = "me"
MAX_LIMIT = 50
MAX_RANGE_DAYS = 62
MAX_EVENT_HOURS = 12
MAX_SUBJECT_CHARS = 200
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"

TABLES = """
CREATE TABLE contacts (
    contact_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    email VARCHAR NOT NULL,
    company VARCHAR NOT NULL,
    phone VARCHAR NOT NULL,
    favorite BOOLEAN NOT NULL,
    blocked BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE events (
    event_id VARCHAR PRIMARY KEY,
    title VARCHAR NOT NULL,
    organizer_id VARCHAR NOT NULL,
    start_at TIMESTAMP NOT NULL,
    end_at TIMESTAMP NOT NULL,
    location VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    cancel_reason VARCHAR,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE invitations (
    invitation_id VARCHAR PRIMARY KEY,
    event_id VARCHAR NOT NULL,
    invitee_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    invited_at TIMESTAMP NOT NULL,
    responded_at TIMESTAMP
);
CREATE TABLE messages (
    message_id VARCHAR PRIMARY KEY,
    folder VARCHAR NOT NULL,
    contact_id VARCHAR NOT NULL,
    subject VARCHAR NOT NULL,
    body VARCHAR NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    is_read BOOLEAN NOT NULL,
    reply_to_id VARCHAR
);
"""

TITLES = [
    "Weekly sync", "1:1", "Project kickoff", "Design review", "Budget planning",
    "Customer call", "Sprint retro", "Team lunch", "Interview", "Product demo",
    "Quarterly review", "Coffee chat", "Roadmap workshop", "Vendor meeting",
]
LOCATIONS = ["Room 4A", "Room 2C", "Main boardroom", "Zoom", "Google Meet", "Cafeteria", "Phone"]
SUBJECT_OPENERS = [
    "Question about", "Update on", "Notes from", "Follow-up:", "Invoice for", "Feedback on",
    "Draft of", "Quick thought on",
]
DURATIONS = [30, 45, 60, 60, 90]


# --------------------------------------------------------------------------- helpers


def stamp(when: datetime.datetime) -> str:
    """A datetime as the string DuckDB casts to TIMESTAMP."""
    return when.isoformat(sep=" ", timespec="seconds")


def shown(when: datetime.datetime) -> str:
    """A datetime as users write it (and as rows come back, minus seconds)."""
    return when.isoformat(timespec="minutes")


def as_datetime(value: str) -> datetime.datetime:
    """A TIMESTAMP value read back from the db ("YYYY-MM-DDTHH:MM:SS")."""
    return datetime.datetime.fromisoformat(value)


def parse_time(value: str, label: str) -> datetime.datetime:
    """A user-given local date and time; ToolError if it cannot be read."""
    when = None
    try:
        when = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        when = None
    if when is None:
        raise ToolError(
            f"{label} '{value}' is not a valid date and time; use YYYY-MM-DDTHH:MM, "
            "e.g. 2025-03-14T09:30"
        )
    if when.tzinfo is not None:
        raise ToolError(f"{label} '{value}' has a time zone; give local time like 2025-03-14T09:30")
    return when.replace(second=0, microsecond=0)


def parse_day(value: str, label: str) -> datetime.date:
    """A user-given date; ToolError if it cannot be read."""
    day = None
    try:
        day = datetime.date.fromisoformat(value.strip())
    except ValueError:
        day = None
    if day is None:
        raise ToolError(f"{label} '{value}' is not a valid date; use YYYY-MM-DD, e.g. 2025-03-14")
    return day


def check_limit(limit: int) -> None:
    if limit < 1 or limit > MAX_LIMIT:
        raise ToolError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")


def next_id(db: Db, table: str, column: str, prefix: str, first: int) -> str:
    """The next sequential id: the largest existing number + 1 (table names are constants)."""
    largest = db.scalar(
        f"SELECT max(CAST(substr({column}, {len(prefix) + 1}) AS INTEGER)) FROM {table}"
    )
    if largest is None:
        largest = first - 1
    return f"{prefix}{largest + 1}"


def contact_row(db: Db, contact_id: str) -> dict:
    contact = db.one("SELECT * FROM contacts WHERE contact_id = ?", [contact_id])
    if contact is None:
        raise ToolError(
            f"no contact {contact_id} in the address book; use search_contacts to find the id "
            "or add_contact to add them"
        )
    return contact


def event_row(db: Db, event_id: str) -> dict:
    event = db.one("SELECT * FROM events WHERE event_id = ?", [event_id])
    if event is None:
        raise ToolError(f"event {event_id} not found; use list_events to find the id")
    return event


def person_name(db: Db, person_id: str) -> str:
    if person_id == OWNER:
        return OWNER
    name = db.scalar("SELECT name FROM contacts WHERE contact_id = ?", [person_id])
    return name if name is not None else person_id


def label(event: dict) -> str:
    return f"event {event['event_id']} '{event['title']}'"


def require_organizer(db: Db, event: dict, action: str) -> None:
    """Only the owner's own events can be changed; others are answered via invitations."""
    if event["organizer_id"] != OWNER:
        name = person_name(db, event["organizer_id"])
        raise ToolError(
            f"{label(event)} is organized by {name} ({event['organizer_id']}); only the "
            f"organizer can {action} it (you can answer your invitation with "
            "respond_to_invitation)"
        )


def require_active(event: dict) -> None:
    if event["status"] == "cancelled":
        raise ToolError(f"{label(event)} has been cancelled")


def require_upcoming(db: Db, event: dict) -> None:
    """Events that already started are history: they cannot be changed or answered."""
    if as_datetime(event["start_at"]) <= db.now:
        raise ToolError(
            f"{label(event)} started at {shown(as_datetime(event['start_at']))}, which is in "
            f"the past (it is now {shown(db.now)})"
        )


def calendar_conflict(
    db: Db, start: datetime.datetime, end: datetime.datetime, skip_event_id: str
) -> dict | None:
    """The first event on the owner's calendar overlapping [start, end), if any."""
    return db.one(
        """
        SELECT e.event_id, e.title, e.start_at, e.end_at FROM events e
        WHERE e.status = 'confirmed' AND e.event_id <> ?
          AND e.start_at < CAST(? AS TIMESTAMP) AND e.end_at > CAST(? AS TIMESTAMP)
          AND (e.organizer_id = ? OR EXISTS (
                SELECT 1 FROM invitations i
                WHERE i.event_id = e.event_id AND i.invitee_id = ?
                  AND i.status IN ('accepted', 'tentative')))
        ORDER BY e.start_at, e.event_id LIMIT 1
        """,
        [skip_event_id, stamp(end), stamp(start), OWNER, OWNER],
    )


def require_free(db: Db, start: datetime.datetime, end: datetime.datetime, skip: str) -> None:
    clash = calendar_conflict(db, start, end, skip)
    if clash is not None:
        raise ToolError(
            f"{shown(start)}-{shown(end)} overlaps event {clash['event_id']} '{clash['title']}' "
            f"({shown(as_datetime(clash['start_at']))}-{shown(as_datetime(clash['end_at']))}) "
            "on your calendar; pick another time"
        )


def check_new_times(db: Db, start: datetime.datetime, end: datetime.datetime, skip: str) -> None:
    """Rules for a time slot the owner puts on their calendar."""
    if end <= start:
        raise ToolError(f"the end {shown(end)} must be after the start {shown(start)}")
    if start <= db.now:
        raise ToolError(f"the start {shown(start)} is in the past (it is now {shown(db.now)})")
    if end - start > datetime.timedelta(hours=MAX_EVENT_HOURS):
        raise ToolError(f"an event can last at most {MAX_EVENT_HOURS} hours")
    require_free(db, start, end, skip)


def event_view(db: Db, event_id: str) -> dict:
    """An event with its organizer's name, its attendees and the owner's own answer."""
    event = event_row(db, event_id)
    attendees = db.query(
        """
        SELECT i.invitation_id, i.invitee_id, COALESCE(c.name, ?) AS name, i.status
        FROM invitations i LEFT JOIN contacts c ON c.contact_id = i.invitee_id
        WHERE i.event_id = ? ORDER BY i.invitation_id
        """,
        [OWNER, event_id],
    )
    my_response = "organizer"
    if event["organizer_id"] != OWNER:
        my_response = "not invited"
        for attendee in attendees:
            if attendee["invitee_id"] == OWNER:
                my_response = attendee["status"]
    return dict(
        event,
        organizer_name=person_name(db, event["organizer_id"]),
        my_response=my_response,
        attendees=attendees,
    )


def invitation_view(db: Db, invitation_id: str) -> dict:
    return db.one(
        """
        SELECT i.invitation_id, i.event_id, e.title, e.start_at, e.end_at,
               e.status AS event_status, e.organizer_id,
               COALESCE(o.name, ?) AS organizer_name,
               i.invitee_id, COALESCE(c.name, ?) AS invitee_name,
               i.status, i.invited_at, i.responded_at
        FROM invitations i JOIN events e ON e.event_id = i.event_id
        LEFT JOIN contacts o ON o.contact_id = e.organizer_id
        LEFT JOIN contacts c ON c.contact_id = i.invitee_id
        WHERE i.invitation_id = ?
        """,
        [OWNER, OWNER, invitation_id],
    )


def message_view(db: Db, message_id: str) -> dict | None:
    return db.one(
        """
        SELECT m.*, c.name AS contact_name, c.email AS contact_email
        FROM messages m JOIN contacts c ON c.contact_id = m.contact_id
        WHERE m.message_id = ?
        """,
        [message_id],
    )


# --------------------------------------------------------------------------- seed


def seed(db: Db, fake: Fake) -> None:
    now = db.now.replace(microsecond=0)
    contacts = seed_contacts(db, fake, now)
    open_ids = [c["contact_id"] for c in contacts if not c["blocked"]]
    seed_events(db, fake, now, open_ids)
    seed_messages(db, fake, now, contacts)


def seed_contacts(db: Db, fake: Fake, now: datetime.datetime) -> list:
    companies = [(fake.company(), fake.domain_name()) for i in range(24)]
    rows = []
    used = set()
    for i in range(120):
        first = fake.first_name()
        last = fake.last_name()
        company, domain = companies[db.rng.randrange(len(companies))]
        local = re.sub(r"[^a-z]", "", first.lower()) + "." + re.sub(r"[^a-z]", "", last.lower())
        email = f"{local}@{domain}"
        if email in used:
            email = f"{local}{i}@{domain}"
        used.add(email)
        joined = now - datetime.timedelta(
            days=db.rng.randint(40, 900), minutes=db.rng.randint(0, 1439)
        )
        rows.append({
            "contact_id": f"C-{1001 + i}",
            "name": f"{first} {last}",
            "email": email,
            "company": company,
            "phone": fake.phone_number(),
            "favorite": db.rng.random() < 0.15,
            "blocked": i % 20 == 7,
            "created_at": stamp(joined),
        })
    db.insert("contacts", rows)
    return rows


def free_slot(db: Db, days: list, busy: set, hours: int) -> tuple:
    """A (day, hour) whose `hours` hourly slots are all free in `busy`."""
    day = days[0]
    hour = 8
    attempts = 0
    while attempts < 500:
        attempts += 1
        day = days[db.rng.randrange(len(days))]
        hour = db.rng.randint(8, 18 - hours)
        if all((day, hour + k) not in busy for k in range(hours)):
            return day, hour
    return day, hour


def reserve(busy: set, day: datetime.date, hour: int, hours: int) -> None:
    for k in range(hours):
        busy.add((day, hour + k))


def plan_event(db: Db, fake: Fake, day: datetime.date, hour: int, minutes: int,
               organizer: str, status: str, invites: list) -> dict:
    start = datetime.datetime(day.year, day.month, day.day, hour, 0)
    return {
        "title": db.rng.choice(TITLES) + ": " + fake.catch_phrase(),
        "organizer_id": organizer,
        "start": start,
        "end": start + datetime.timedelta(minutes=minutes),
        "location": db.rng.choice(LOCATIONS),
        "description": fake.sentence(nb_words=10),
        "status": status,
        "invites": invites,
    }


def seed_events(db: Db, fake: Fake, now: datetime.datetime, open_ids: list) -> None:
    """Events spread over -30..+44 days, weekdays 8:00-18:00, in hourly slots.

    Index-based choices guarantee every state in every seed: past and upcoming, cancelled,
    answered and pending invitations, and a few pending invitations that clash with the
    owner's calendar. `busy` keeps the owner's own calendar free of overlaps.
    """
    today = now.date()
    days = [today + datetime.timedelta(days=d) for d in range(-30, 45)]
    weekdays = [d for d in days if d.weekday() < 5]
    past_days = [d for d in weekdays if d < today]
    future_days = [d for d in weekdays if d > today]
    busy = set()
    planned = []
    owner_upcoming = []

    for i in range(40):
        past = i % 3 == 0
        cancelled = i % 7 == 3
        minutes = db.rng.choice(DURATIONS)
        hours = 2 if minutes > 60 else 1
        day, hour = free_slot(db, past_days if past else future_days, busy, hours)
        reserve(busy, day, hour, hours)
        invites = []
        for contact_id in db.rng.sample(open_ids, db.rng.randint(1, 4)):
            if past:
                answer = db.rng.choice(["accepted", "accepted", "declined"])
            else:
                answer = db.rng.choice(["pending", "accepted", "declined", "tentative"])
            invites.append((contact_id, answer))
        event = plan_event(db, fake, day, hour, minutes, OWNER,
                           "cancelled" if cancelled else "confirmed", invites)
        planned.append(event)
        if not past and not cancelled:
            owner_upcoming.append(event)

    for j in range(40):
        past = j % 3 == 1
        cancelled = j % 8 == 0
        if past:
            mine = "pending" if j % 6 == 1 else db.rng.choice(["accepted", "accepted", "declined"])
        else:
            mine = ["pending", "accepted", "pending", "declined", "tentative"][j % 5]
        minutes = db.rng.choice(DURATIONS)
        hours = 2 if minutes > 60 else 1
        on_calendar = mine in ("accepted", "tentative") and not cancelled
        day, hour = free_slot(db, past_days if past else future_days,
                              busy if on_calendar else set(), hours)
        if on_calendar:
            reserve(busy, day, hour, hours)
        organizer = db.rng.choice(open_ids)
        others = [c for c in open_ids if c != organizer]
        invites = [(OWNER, mine)]
        for contact_id in db.rng.sample(others, db.rng.randint(0, 3)):
            invites.append((contact_id, db.rng.choice(["pending", "accepted", "declined"])))
        planned.append(plan_event(db, fake, day, hour, minutes, organizer,
                                  "cancelled" if cancelled else "confirmed", invites))

    # Pending invitations that would clash with the owner's calendar if accepted.
    for event in owner_upcoming[:3]:
        start = event["start"]
        organizer = db.rng.choice(open_ids)
        planned.append(plan_event(db, fake, start.date(), start.hour, 30, organizer,
                                  "confirmed", [(OWNER, "pending")]))

    planned.sort(key=lambda e: (stamp(e["start"]), e["organizer_id"], e["title"]))
    event_rows = []
    invitation_rows = []
    for n, event in enumerate(planned):
        event_id = f"EV-{2001 + n}"
        invited = min(event["start"] - datetime.timedelta(days=2), now) - datetime.timedelta(
            hours=db.rng.randint(1, 240)
        )
        event_rows.append({
            "event_id": event_id,
            "title": event["title"],
            "organizer_id": event["organizer_id"],
            "start_at": stamp(event["start"]),
            "end_at": stamp(event["end"]),
            "location": event["location"],
            "description": event["description"],
            "status": event["status"],
            "cancel_reason": "Plans changed" if event["status"] == "cancelled" else None,
            "created_at": stamp(invited - datetime.timedelta(hours=1)),
        })
        for invitee, answer in event["invites"]:
            responded = None
            if answer != "pending":
                answered = invited + datetime.timedelta(hours=db.rng.randint(1, 30))
                responded = stamp(min(answered, now))
            invitation_rows.append({
                "invitation_id": f"INV-{3001 + len(invitation_rows)}",
                "event_id": event_id,
                "invitee_id": invitee,
                "status": answer,
                "invited_at": stamp(invited),
                "responded_at": responded,
            })
    db.insert("events", event_rows)
    db.insert("invitations", invitation_rows)


def seed_messages(db: Db, fake: Fake, now: datetime.datetime, contacts: list) -> None:
    """Mail over the last 75 days; ids follow time; some sent mail replies to the inbox."""
    drafts = []
    while len(drafts) < 220:
        contact = contacts[db.rng.randrange(len(contacts))]
        folder = "inbox" if db.rng.random() < 0.6 or contact["blocked"] else "sent"
        sent = now - datetime.timedelta(minutes=db.rng.randint(20, 60 * 24 * 75))
        drafts.append({
            "folder": folder,
            "contact_id": contact["contact_id"],
            "subject": db.rng.choice(SUBJECT_OPENERS) + " " + fake.bs(),
            "body": fake.paragraph(nb_sentences=4),
            "sent_at": stamp(sent),
            "is_read": folder == "sent" or db.rng.random() < 0.7,
        })
    drafts.sort(key=lambda m: (m["sent_at"], m["contact_id"]))
    last_received = {}
    rows = []
    for n, draft in enumerate(drafts):
        message_id = f"MSG-{5001 + n}"
        reply_to = None
        subject = draft["subject"]
        original = last_received.get(draft["contact_id"])
        if draft["folder"] == "sent" and original is not None and db.rng.random() < 0.5:
            reply_to = original["message_id"]
            subject = "Re: " + original["subject"]
        row = dict(draft, message_id=message_id, subject=subject, reply_to_id=reply_to)
        if draft["folder"] == "inbox":
            last_received[draft["contact_id"]] = row
        rows.append(row)
    db.insert("messages", rows)


# --------------------------------------------------------------------------- contacts


@tool(phrasing=[
    "Find {query} in my contacts.",
    "Who do I know at {company}?",
    "Look up my contact {query}.",
])
def search_contacts(
    db: Db, query: str = "", company: str = "", favorites_only: bool = False, limit: int = 10
) -> list[dict]:
    """Search the address book by name or email, optionally within one company.

    Args:
        query: Part of the contact's name or email address; empty matches everyone.
        company: Part of the company name; empty matches every company.
        favorites_only: Only return contacts marked as favorites.
        limit: Maximum number of contacts to return (1-50).
    """
    check_limit(limit)
    return db.query(
        """
        SELECT contact_id, name, email, company, phone, favorite, blocked FROM contacts
        WHERE (name ILIKE ? OR email ILIKE ?) AND company ILIKE ? AND (NOT ? OR favorite)
        ORDER BY name, contact_id LIMIT ?
        """,
        [f"%{query.strip()}%", f"%{query.strip()}%", f"%{company.strip()}%", favorites_only, limit],
    )


@tool(writes=True, phrasing=[
    "Add {name} ({email}) to my contacts.",
    "Save a new contact: {name}, email {email}.",
])
def add_contact(
    db: Db, name: str, email: str, company: str = "", phone: str = "", favorite: bool = False
) -> dict:
    """Add a person to the address book; the email address must not be there yet.

    Args:
        name: The person's full name.
        email: Their email address, like "ana.diaz@example.com".
        company: The company they work for, if known.
        phone: Their phone number, if known.
        favorite: Mark the contact as a favorite.
    """
    name = name.strip()
    email = email.strip()
    if not name:
        raise ToolError("a contact needs a name")
    if re.match(EMAIL_PATTERN, email) is None:
        raise ToolError(f"'{email}' is not a valid email address (expected name@domain.com)")
    existing = db.one(
        "SELECT contact_id, name FROM contacts WHERE lower(email) = lower(?)", [email]
    )
    if existing is not None:
        raise ToolError(
            f"{email} is already in the address book as {existing['name']} "
            f"({existing['contact_id']})"
        )
    contact_id = next_id(db, "contacts", "contact_id", "C-", 1001)
    db.execute(
        "INSERT INTO contacts VALUES (?, ?, ?, ?, ?, ?, false, CAST(? AS TIMESTAMP))",
        [contact_id, name, email, company.strip(), phone.strip(), favorite, stamp(db.now)],
    )
    return contact_row(db, contact_id)


# --------------------------------------------------------------------------- calendar


@tool(phrasing=[
    "What's on my calendar on {start_date}?",
    "Show my events from {start_date} to {end_date}.",
])
def list_events(
    db: Db, start_date: str, end_date: str = "", include_cancelled: bool = False
) -> list[dict]:
    """List the events the owner organizes or is invited to, starting within a date range.

    Args:
        start_date: First day of the range, YYYY-MM-DD.
        end_date: Last day of the range (inclusive), YYYY-MM-DD; empty means just start_date.
        include_cancelled: Also list cancelled events.
    """
    first = parse_day(start_date, "start_date")
    last = parse_day(end_date, "end_date") if end_date.strip() else first
    if last < first:
        raise ToolError(f"end_date {last.isoformat()} is before start_date {first.isoformat()}")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise ToolError(f"the range can cover at most {MAX_RANGE_DAYS} days; narrow it down")
    after = datetime.datetime(first.year, first.month, first.day)
    before = datetime.datetime(last.year, last.month, last.day) + datetime.timedelta(days=1)
    return db.query(
        """
        SELECT e.event_id, e.title, e.start_at, e.end_at, e.location, e.status,
               e.organizer_id, COALESCE(c.name, ?) AS organizer_name,
               CASE WHEN e.organizer_id = ? THEN 'organizer' ELSE i.status END AS my_response
        FROM events e
        LEFT JOIN contacts c ON c.contact_id = e.organizer_id
        LEFT JOIN invitations i ON i.event_id = e.event_id AND i.invitee_id = ?
        WHERE (e.organizer_id = ? OR i.invitation_id IS NOT NULL)
          AND e.start_at >= CAST(? AS TIMESTAMP) AND e.start_at < CAST(? AS TIMESTAMP)
          AND (? OR e.status = 'confirmed')
        ORDER BY e.start_at, e.event_id
        """,
        [OWNER, OWNER, OWNER, OWNER, stamp(after), stamp(before), include_cancelled],
    )


@tool(phrasing=[
    "Give me the details of event {event_id}.",
    "Who is coming to {event_id}?",
])
def get_event(db: Db, event_id: str) -> dict:
    """Get one event with its organizer, attendees and their answers, and the owner's answer.

    Args:
        event_id: The event's id, like "EV-2031".
    """
    return event_view(db, event_id)


@tool(writes=True, phrasing=[
    "Schedule '{title}' from {start} to {end}.",
    "Put {title} on my calendar, {start} until {end}.",
])
def create_event(
    db: Db, title: str, start: str, end: str, location: str = "", description: str = ""
) -> dict:
    """Create an event organized by the owner; it must be in the future and fit the calendar.

    Args:
        title: What the event is called.
        start: When it starts, local time YYYY-MM-DDTHH:MM.
        end: When it ends, local time YYYY-MM-DDTHH:MM; after the start, at most 12 hours later.
        location: Where it takes place (a room, "Zoom", an address).
        description: Notes for the attendees.
    """
    title = title.strip()
    if not title:
        raise ToolError("an event needs a title")
    begins = parse_time(start, "start")
    ends = parse_time(end, "end")
    check_new_times(db, begins, ends, "")
    event_id = next_id(db, "events", "event_id", "EV-", 2001)
    db.execute(
        """
        INSERT INTO events VALUES (?, ?, ?, CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), ?, ?,
                                   'confirmed', NULL, CAST(? AS TIMESTAMP))
        """,
        [event_id, title, OWNER, stamp(begins), stamp(ends), location.strip(),
         description.strip(), stamp(db.now)],
    )
    return event_view(db, event_id)


@tool(writes=True, phrasing=[
    "Move {event_id} to {start} - {end}.",
    "Reschedule event {event_id} to start at {start} and end at {end}.",
])
def reschedule_event(db: Db, event_id: str, start: str, end: str) -> dict:
    """Move one of the owner's upcoming events to a new time.

    Attendees who had answered are asked again: their invitations go back to pending.

    Args:
        event_id: The event to move, like "EV-2031".
        start: The new start, local time YYYY-MM-DDTHH:MM.
        end: The new end, local time YYYY-MM-DDTHH:MM.
    """
    event = event_row(db, event_id)
    require_organizer(db, event, "reschedule")
    require_active(event)
    require_upcoming(db, event)
    begins = parse_time(start, "start")
    ends = parse_time(end, "end")
    check_new_times(db, begins, ends, event_id)
    db.execute(
        "UPDATE events SET start_at = CAST(? AS TIMESTAMP), end_at = CAST(? AS TIMESTAMP) "
        "WHERE event_id = ?",
        [stamp(begins), stamp(ends), event_id],
    )
    db.execute(
        "UPDATE invitations SET status = 'pending', responded_at = NULL WHERE event_id = ?",
        [event_id],
    )
    return event_view(db, event_id)


@tool(writes=True, confirm=True, phrasing=[
    "Cancel my event {event_id}.",
    "Call off {event_id}, the reason is: {reason}.",
])
def cancel_event(db: Db, event_id: str, reason: str = "") -> dict:
    """Cancel one of the owner's upcoming events; it stays visible as cancelled.

    Args:
        event_id: The event to cancel, like "EV-2031".
        reason: Why it is cancelled, shown to attendees.
    """
    event = event_row(db, event_id)
    require_organizer(db, event, "cancel")
    if event["status"] == "cancelled":
        raise ToolError(f"{label(event)} is already cancelled")
    require_upcoming(db, event)
    db.execute(
        "UPDATE events SET status = 'cancelled', cancel_reason = ? WHERE event_id = ?",
        [reason.strip(), event_id],
    )
    return event_view(db, event_id)


@tool(writes=True, phrasing=[
    "Invite {contact_id} to {event_id}.",
    "Add contact {contact_id} to the guest list of event {event_id}.",
])
def invite_to_event(db: Db, event_id: str, contact_id: str) -> dict:
    """Invite a contact to one of the owner's upcoming events.

    Args:
        event_id: The owner's event, like "EV-2031".
        contact_id: The contact to invite, like "C-1042".
    """
    event = event_row(db, event_id)
    contact = contact_row(db, contact_id)
    require_organizer(db, event, "invite people to")
    require_active(event)
    require_upcoming(db, event)
    if contact["blocked"]:
        raise ToolError(
            f"{contact['name']} ({contact_id}) is blocked; unblock them before inviting"
        )
    already = db.one(
        "SELECT invitation_id, status FROM invitations WHERE event_id = ? AND invitee_id = ?",
        [event_id, contact_id],
    )
    if already is not None:
        raise ToolError(
            f"{contact['name']} ({contact_id}) is already invited to {label(event)} "
            f"(invitation {already['invitation_id']}, {already['status']})"
        )
    invitation_id = next_id(db, "invitations", "invitation_id", "INV-", 3001)
    db.execute(
        "INSERT INTO invitations VALUES (?, ?, ?, 'pending', CAST(? AS TIMESTAMP), NULL)",
        [invitation_id, event_id, contact_id, stamp(db.now)],
    )
    return invitation_view(db, invitation_id)


@tool(phrasing=[
    "Which of my invitations are {status}?",
    "Show the invitations I still have to answer.",
])
def list_invitations(
    db: Db,
    status: Literal["pending", "accepted", "declined", "tentative", "all"] = "pending",
    include_past: bool = False,
) -> list[dict]:
    """List invitations the owner received from contacts, soonest event first.

    Args:
        status: Only invitations with this answer; "all" for every answer.
        include_past: Also list invitations to events that have already started.
    """
    return db.query(
        """
        SELECT i.invitation_id, i.status, i.event_id, e.title, e.start_at, e.end_at,
               e.status AS event_status, e.organizer_id, c.name AS organizer_name
        FROM invitations i JOIN events e ON e.event_id = i.event_id
        LEFT JOIN contacts c ON c.contact_id = e.organizer_id
        WHERE i.invitee_id = ? AND (? = 'all' OR i.status = ?)
          AND (? OR e.start_at > CAST(? AS TIMESTAMP))
        ORDER BY e.start_at, i.invitation_id
        """,
        [OWNER, status, status, include_past, stamp(db.now)],
    )


@tool(writes=True, phrasing=[
    "Mark invitation {invitation_id} as {response}.",
    "Reply {response} to invitation {invitation_id}.",
])
def respond_to_invitation(
    db: Db, invitation_id: str, response: Literal["accepted", "declined", "tentative"]
) -> dict:
    """Answer an invitation the owner received; each invitation is answered once.

    Accepting (or tentatively accepting) puts the event on the owner's calendar, so it
    must not overlap anything already there.

    Args:
        invitation_id: The invitation, like "INV-3107" (see list_invitations).
        response: The owner's answer.
    """
    invitation = db.one("SELECT * FROM invitations WHERE invitation_id = ?", [invitation_id])
    if invitation is None:
        raise ToolError(f"invitation {invitation_id} not found; use list_invitations to find it")
    event = event_row(db, invitation["event_id"])
    if invitation["invitee_id"] != OWNER:
        raise ToolError(
            f"invitation {invitation_id} was sent to {person_name(db, invitation['invitee_id'])} "
            f"({invitation['invitee_id']}), not to you; only they can answer it"
        )
    if invitation["status"] != "pending":
        raise ToolError(
            f"you already answered invitation {invitation_id} to {label(event)}: "
            f"{invitation['status']} on {shown(as_datetime(invitation['responded_at']))}"
        )
    if event["status"] == "cancelled":
        raise ToolError(
            f"{label(event)} was cancelled by {person_name(db, event['organizer_id'])}; "
            "there is nothing to answer"
        )
    require_upcoming(db, event)
    if response in ("accepted", "tentative"):
        require_free(db, as_datetime(event["start_at"]), as_datetime(event["end_at"]),
                     event["event_id"])
    db.execute(
        "UPDATE invitations SET status = ?, responded_at = CAST(? AS TIMESTAMP) "
        "WHERE invitation_id = ?",
        [response, stamp(db.now), invitation_id],
    )
    return invitation_view(db, invitation_id)


# --------------------------------------------------------------------------- mail


@tool(phrasing=[
    "Find emails about {query}.",
    "Show my {folder} messages about {query}.",
    "Do I have unread mail from {contact_id}?",
])
def search_messages(
    db: Db,
    query: str = "",
    folder: Literal["inbox", "sent", "all"] = "all",
    contact_id: str = "",
    unread_only: bool = False,
    limit: int = 10,
) -> list[dict]:
    """Search the mailbox, newest first; returns summaries (open one with get_message).

    Args:
        query: Words in the subject or body; empty matches every message.
        folder: "inbox" (received), "sent", or "all".
        contact_id: Only mail from or to this contact, like "C-1042"; empty for anyone.
        unread_only: Only unread messages.
        limit: Maximum number of messages to return (1-50).
    """
    check_limit(limit)
    if contact_id:
        contact_row(db, contact_id)
    pattern = f"%{query.strip()}%"
    return db.query(
        """
        SELECT m.message_id, m.folder, m.contact_id, c.name AS contact_name, m.subject,
               m.sent_at, m.is_read, m.reply_to_id, substr(m.body, 1, 80) AS snippet
        FROM messages m JOIN contacts c ON c.contact_id = m.contact_id
        WHERE (m.subject ILIKE ? OR m.body ILIKE ?) AND (? = 'all' OR m.folder = ?)
          AND (? = '' OR m.contact_id = ?) AND (NOT ? OR NOT m.is_read)
        ORDER BY m.sent_at DESC, m.message_id DESC LIMIT ?
        """,
        [pattern, pattern, folder, folder, contact_id, contact_id, unread_only, limit],
    )


@tool(phrasing=[
    "Open message {message_id}.",
    "What does email {message_id} say?",
])
def get_message(db: Db, message_id: str) -> dict:
    """Read one message in full, with the contact's name and email and the ids of replies.

    Args:
        message_id: The message, like "MSG-5120".
    """
    message = message_view(db, message_id)
    if message is None:
        raise ToolError(f"message {message_id} not found; use search_messages to find it")
    replies = db.query(
        "SELECT message_id FROM messages WHERE reply_to_id = ? ORDER BY message_id", [message_id]
    )
    return dict(message, replies=[r["message_id"] for r in replies])


@tool(writes=True, confirm=True, phrasing=[
    "Email {contact_id} with the subject '{subject}': {body}",
    "Send {contact_id} a message titled {subject} saying {body}.",
])
def send_message(
    db: Db, contact_id: str, subject: str, body: str, reply_to_id: str = ""
) -> dict:
    """Send an email to a contact in the address book, optionally as a reply.

    Replying to a received message also marks that message as read.

    Args:
        contact_id: The recipient, like "C-1042"; they must be in the address book.
        subject: The subject line (not empty, at most 200 characters).
        body: The text of the message.
        reply_to_id: The message this answers, like "MSG-5120"; empty for a new thread.
    """
    contact = contact_row(db, contact_id)
    if contact["blocked"]:
        raise ToolError(f"{contact['name']} ({contact_id}) is blocked; unblock them before writing")
    subject = subject.strip()
    if not subject:
        raise ToolError("the subject is empty; every message needs a subject")
    if len(subject) > MAX_SUBJECT_CHARS:
        raise ToolError(
            f"the subject has {len(subject)} characters; at most {MAX_SUBJECT_CHARS} allowed"
        )
    if not body.strip():
        raise ToolError("the message body is empty")
    if reply_to_id:
        original = db.one("SELECT * FROM messages WHERE message_id = ?", [reply_to_id])
        if original is None:
            raise ToolError(f"message {reply_to_id} not found; cannot reply to it")
        if original["contact_id"] != contact_id:
            raise ToolError(
                f"message {reply_to_id} is with {person_name(db, original['contact_id'])} "
                f"({original['contact_id']}), not {contact['name']} ({contact_id}); a reply "
                "goes to the same contact"
            )
        db.execute("UPDATE messages SET is_read = true WHERE message_id = ?", [reply_to_id])
    message_id = next_id(db, "messages", "message_id", "MSG-", 5001)
    db.execute(
        "INSERT INTO messages VALUES (?, 'sent', ?, ?, ?, CAST(? AS TIMESTAMP), true, ?)",
        [message_id, contact_id, subject, body.strip(), stamp(db.now),
         reply_to_id if reply_to_id else None],
    )
    return message_view(db, message_id)
