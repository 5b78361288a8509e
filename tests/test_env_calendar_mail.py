"""Behaviour of the calendar_mail env: every tool's happy path and every domain error."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from sandbox import load_env

ENV = "calendar_mail"
SEED = 7

# The owner's calendar: confirmed events they organize or accepted (tentatively or not).
ON_CALENDAR = """
    e.status = 'confirmed' AND (e.organizer_id = 'me' OR EXISTS (
        SELECT 1 FROM invitations x WHERE x.event_id = e.event_id AND x.invitee_id = 'me'
          AND x.status IN ('accepted', 'tentative')))
"""


@pytest.fixture(scope="module")
def env():
    with load_env(ENV, seed=SEED) as loaded:
        yield loaded


@pytest.fixture(autouse=True)
def fresh(env):
    env.reset()
    yield


@pytest.fixture(scope="module")
def now(env) -> str:
    """The env's frozen clock, as add_contact stamps it ("YYYY-MM-DDTHH:MM:SS")."""
    env.reset()
    r = env.call("add_contact", {"name": "Clock Probe", "email": "clock@probe.example"})
    assert r.ok, r.error
    env.reset()
    return r.result["created_at"]


# --------------------------------------------------------------------------- helpers


def fails(env, tool: str, args: dict[str, Any], *fragments: str) -> str:
    """Call a tool that must fail with a ToolError naming `fragments`; state unchanged."""
    before = env.state_hash()
    r = env.call(tool, args)
    assert r.ok is False, r.result
    assert r.error.type == "ToolError", r.error
    for fragment in fragments:
        assert fragment in r.error.message, (fragment, r.error.message)
    assert env.state_hash() == before
    return r.error.message


def ok(env, tool: str, args: dict[str, Any]) -> Any:
    r = env.call(tool, args)
    assert r.ok, r.error
    return r.result


def one(env, sql: str, params: list[Any] | None = None) -> dict[str, Any]:
    rows = env.query(sql, params or [])
    assert rows, sql
    return rows[0]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def minutes(when: dt.datetime) -> str:
    return when.isoformat(timespec="minutes")


def own_upcoming(env, now: str, status: str = "confirmed") -> dict[str, Any]:
    return one(env, """
        SELECT * FROM events WHERE organizer_id = 'me' AND status = ?
          AND start_at > CAST(? AS TIMESTAMP) ORDER BY start_at, event_id LIMIT 1
    """, [status, now])


def own_past(env, now: str) -> dict[str, Any]:
    return one(env, """
        SELECT * FROM events WHERE organizer_id = 'me' AND status = 'confirmed'
          AND start_at <= CAST(? AS TIMESTAMP) ORDER BY start_at, event_id LIMIT 1
    """, [now])


def others_upcoming(env, now: str) -> dict[str, Any]:
    return one(env, """
        SELECT * FROM events WHERE organizer_id <> 'me' AND status = 'confirmed'
          AND start_at > CAST(? AS TIMESTAMP) ORDER BY start_at, event_id LIMIT 1
    """, [now])


def pending_invitation(env, now: str, clashing: bool) -> dict[str, Any]:
    """A pending invitation to me for an upcoming confirmed event, clashing or not."""
    return one(env, f"""
        SELECT i.*, n.title, n.start_at, n.end_at FROM invitations i
        JOIN events n ON n.event_id = i.event_id
        WHERE i.invitee_id = 'me' AND i.status = 'pending' AND n.status = 'confirmed'
          AND n.start_at > CAST(? AS TIMESTAMP)
          AND {'' if clashing else 'NOT'} EXISTS (
            SELECT 1 FROM events e WHERE {ON_CALENDAR} AND e.event_id <> n.event_id
              AND e.start_at < n.end_at AND e.end_at > n.start_at)
        ORDER BY i.invitation_id LIMIT 1
    """, [now])


def free_contact(env, event_id: str) -> dict[str, Any]:
    """A contact who is not blocked and not yet invited to `event_id`."""
    return one(env, """
        SELECT * FROM contacts c WHERE NOT blocked AND NOT EXISTS (
            SELECT 1 FROM invitations i WHERE i.event_id = ? AND i.invitee_id = c.contact_id)
        ORDER BY contact_id LIMIT 1
    """, [event_id])


def blocked_contact(env) -> dict[str, Any]:
    return one(env, "SELECT * FROM contacts WHERE blocked ORDER BY contact_id LIMIT 1")


def future_slot(now: str, days: int = 60, hour: int = 10) -> tuple[str, str]:
    """A slot beyond the seeded calendar (which ends 44 days out)."""
    day = at(now).date() + dt.timedelta(days=days)
    start = dt.datetime(day.year, day.month, day.day, hour, 0)
    return minutes(start), minutes(start + dt.timedelta(hours=1))


# --------------------------------------------------------------------------- seed & specs


def test_seed_fills_every_table(env):
    counts = {t: one(env, f"SELECT count(*) AS n FROM {t}")["n"]
              for t in ("contacts", "events", "invitations", "messages")}
    assert counts["contacts"] >= 100
    assert counts["messages"] >= 100
    assert counts["events"] >= 80
    assert counts["invitations"] >= 150


def test_seed_owner_calendar_has_no_overlaps(env):
    rows = env.query(f"""
        WITH cal AS (SELECT e.* FROM events e WHERE {ON_CALENDAR})
        SELECT a.event_id, b.event_id AS other FROM cal a JOIN cal b
          ON a.event_id < b.event_id AND a.start_at < b.end_at AND a.end_at > b.start_at
    """)
    assert rows == []


def test_same_seed_same_state_other_seed_differs(env):
    with load_env(ENV, seed=SEED) as again:
        assert again.state_hash() == env.state_hash()
    with load_env(ENV, seed=SEED + 1) as other:
        assert other.state_hash() != env.state_hash()


def test_tool_specs(env):
    specs = {t.name: t for t in env.tools}
    writes = {"add_contact", "create_event", "reschedule_event", "cancel_event",
              "invite_to_event", "respond_to_invitation", "send_message"}
    reads = {"search_contacts", "list_events", "get_event", "list_invitations",
             "search_messages", "get_message"}
    assert set(specs) == writes | reads
    for name, spec in specs.items():
        assert spec.writes == (name in writes), name
        assert spec.description
        assert 2 <= len(spec.phrasing) <= 3, name
        params = set(spec.parameters["properties"])
        for template in spec.phrasing:
            assert set(re.findall(r"\{(\w+)\}", template)) <= params, (name, template)
    assert specs["respond_to_invitation"].parameters["properties"]["response"]["enum"] == [
        "accepted", "declined", "tentative"]


# --------------------------------------------------------------------------- contacts


def test_search_contacts_by_name_company_and_favorites(env):
    contact = one(env, "SELECT * FROM contacts ORDER BY contact_id LIMIT 1")
    last_name = contact["name"].split()[-1]
    found = ok(env, "search_contacts", {"query": last_name.lower(), "limit": 50})
    assert contact["contact_id"] in [c["contact_id"] for c in found]
    assert all(last_name.lower() in (c["name"] + c["email"]).lower() for c in found)

    at_company = ok(env, "search_contacts", {"company": contact["company"], "limit": 50})
    expected = one(env, "SELECT count(*) AS n FROM contacts WHERE company ILIKE ?",
                   [f"%{contact['company']}%"])["n"]
    assert len(at_company) == min(expected, 50)
    assert all(contact["company"] in c["company"] for c in at_company)

    favorites = ok(env, "search_contacts", {"favorites_only": True, "limit": 50})
    assert favorites and all(c["favorite"] for c in favorites)
    assert len(ok(env, "search_contacts", {})) == 10


def test_search_contacts_rejects_bad_limit(env):
    fails(env, "search_contacts", {"limit": 0}, "limit must be between 1 and 50")
    fails(env, "search_contacts", {"limit": 51}, "limit must be between 1 and 50", "51")


def test_add_contact_creates_next_id(env, now):
    result = ok(env, "add_contact", {"name": " Dana Whitfield ", "email": "dana@whitfield.io",
                                     "company": "Whitfield Labs", "favorite": True})
    assert result["contact_id"] == "C-1121"
    assert result["name"] == "Dana Whitfield"
    assert result["favorite"] is True and result["blocked"] is False
    assert result["created_at"] == now
    row = one(env, "SELECT * FROM contacts WHERE contact_id = 'C-1121'")
    assert row["email"] == "dana@whitfield.io" and row["company"] == "Whitfield Labs"
    # The new contact is immediately usable by other tools.
    sent = ok(env, "send_message", {"contact_id": "C-1121", "subject": "Hi", "body": "Welcome!"})
    assert sent["contact_name"] == "Dana Whitfield"


def test_add_contact_errors(env):
    fails(env, "add_contact", {"name": "  ", "email": "x@y.com"}, "needs a name")
    fails(env, "add_contact", {"name": "Bo", "email": "not-an-email"},
          "'not-an-email' is not a valid email address")
    existing = one(env, "SELECT * FROM contacts ORDER BY contact_id LIMIT 1")
    fails(env, "add_contact", {"name": "Someone", "email": existing["email"].upper()},
          "already in the address book", existing["name"], existing["contact_id"])


# --------------------------------------------------------------------------- calendar reads


def test_list_events_one_day_and_cancelled_filter(env, now):
    cancelled = own_upcoming(env, now, status="cancelled")
    day = cancelled["start_at"][:10]
    listed = ok(env, "list_events", {"start_date": day})
    assert cancelled["event_id"] not in [e["event_id"] for e in listed]
    assert all(e["start_at"].startswith(day) and e["status"] == "confirmed" for e in listed)
    with_cancelled = ok(env, "list_events", {"start_date": day, "include_cancelled": True})
    row = next(e for e in with_cancelled if e["event_id"] == cancelled["event_id"])
    assert row["my_response"] == "organizer" and row["organizer_name"] == "me"
    assert row["status"] == "cancelled"


def test_list_events_range_shows_my_answer_to_invitations(env, now):
    invitation = pending_invitation(env, now, clashing=False)
    day = invitation["start_at"][:10]
    start = (dt.date.fromisoformat(day) - dt.timedelta(days=3)).isoformat()
    listed = ok(env, "list_events", {"start_date": start, "end_date": day})
    row = next(e for e in listed if e["event_id"] == invitation["event_id"])
    assert row["my_response"] == "pending"
    assert row["organizer_id"].startswith("C-")
    expected = one(env, """
        SELECT count(*) AS n FROM events e WHERE e.status = 'confirmed'
          AND CAST(e.start_at AS DATE) BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)
          AND (e.organizer_id = 'me' OR EXISTS (SELECT 1 FROM invitations i
               WHERE i.event_id = e.event_id AND i.invitee_id = 'me'))
    """, [start, day])["n"]
    assert len(listed) == expected
    assert [e["start_at"] for e in listed] == sorted(e["start_at"] for e in listed)


def test_list_events_errors(env):
    fails(env, "list_events", {"start_date": "next tuesday"},
          "start_date 'next tuesday' is not a valid date")
    fails(env, "list_events", {"start_date": "2025-03-10", "end_date": "2025-03-01"},
          "end_date 2025-03-01 is before start_date 2025-03-10")
    fails(env, "list_events", {"start_date": "2025-01-01", "end_date": "2025-06-01"},
          "at most 62 days")


def test_get_event_lists_attendees_and_my_answer(env, now):
    event = own_upcoming(env, now)
    result = ok(env, "get_event", {"event_id": event["event_id"]})
    assert result["title"] == event["title"]
    assert result["organizer_name"] == "me" and result["my_response"] == "organizer"
    invites = env.query("SELECT invitation_id, invitee_id, status FROM invitations "
                        "WHERE event_id = ? ORDER BY invitation_id", [event["event_id"]])
    assert [(a["invitation_id"], a["invitee_id"], a["status"]) for a in result["attendees"]] == [
        (i["invitation_id"], i["invitee_id"], i["status"]) for i in invites]

    invitation = pending_invitation(env, now, clashing=False)
    theirs = ok(env, "get_event", {"event_id": invitation["event_id"]})
    assert theirs["my_response"] == "pending"
    organizer = one(env, "SELECT name FROM contacts WHERE contact_id = ?",
                    [theirs["organizer_id"]])
    assert theirs["organizer_name"] == organizer["name"]


def test_get_event_unknown(env):
    fails(env, "get_event", {"event_id": "EV-9999"}, "event EV-9999 not found")


# --------------------------------------------------------------------------- create / move / cancel


def test_create_event_then_get_it(env, now):
    start, end = future_slot(now)
    created = ok(env, "create_event", {"title": "Board prep", "start": start, "end": end,
                                       "location": "Room 4A"})
    largest = one(env, "SELECT max(event_id) AS m FROM events WHERE event_id <> ?",
                  [created["event_id"]])["m"]
    assert created["event_id"] == f"EV-{int(largest[3:]) + 1}"
    assert created["status"] == "confirmed" and created["organizer_id"] == "me"
    assert created["start_at"] == start + ":00" and created["end_at"] == end + ":00"
    assert created["attendees"] == []
    row = one(env, "SELECT * FROM events WHERE event_id = ?", [created["event_id"]])
    assert row["title"] == "Board prep" and row["location"] == "Room 4A"
    assert ok(env, "get_event", {"event_id": created["event_id"]})["title"] == "Board prep"


def test_create_event_errors(env, now):
    start, end = future_slot(now)
    fails(env, "create_event", {"title": " ", "start": start, "end": end}, "needs a title")
    fails(env, "create_event", {"title": "X", "start": "tomorrow 9am", "end": end},
          "start 'tomorrow 9am' is not a valid date and time")
    fails(env, "create_event", {"title": "X", "start": end, "end": start},
          f"the end {start} must be after the start {end}")
    yesterday = at(now) - dt.timedelta(days=1)
    fails(env, "create_event", {"title": "X", "start": minutes(yesterday),
                                "end": minutes(yesterday + dt.timedelta(hours=1))},
          "is in the past")
    fails(env, "create_event", {"title": "X", "start": start,
                                "end": minutes(at(start) + dt.timedelta(hours=13))},
          "at most 12 hours")
    busy = own_upcoming(env, now)
    inside = at(busy["start_at"]) + dt.timedelta(minutes=10)
    fails(env, "create_event", {"title": "Clash", "start": minutes(inside),
                                "end": minutes(inside + dt.timedelta(hours=1))},
          "overlaps event", busy["event_id"], busy["title"])


def test_create_event_may_touch_but_not_overlap(env, now):
    busy = one(env, f"""
        SELECT n.* FROM events n WHERE n.organizer_id = 'me' AND n.status = 'confirmed'
          AND n.start_at > CAST(? AS TIMESTAMP) AND NOT EXISTS (
            SELECT 1 FROM events e WHERE {ON_CALENDAR} AND e.start_at < n.end_at + INTERVAL 30 MINUTE
              AND e.end_at > n.end_at)
        ORDER BY n.start_at LIMIT 1
    """, [now])
    end = at(busy["end_at"])
    created = ok(env, "create_event", {"title": "Right after", "start": minutes(end),
                                       "end": minutes(end + dt.timedelta(minutes=30))})
    assert created["start_at"] == busy["end_at"]


def test_reschedule_event_moves_it_and_asks_attendees_again(env, now):
    event = one(env, """
        SELECT e.* FROM events e WHERE organizer_id = 'me' AND status = 'confirmed'
          AND start_at > CAST(? AS TIMESTAMP) AND EXISTS (SELECT 1 FROM invitations i
            WHERE i.event_id = e.event_id AND i.status <> 'pending')
        ORDER BY start_at LIMIT 1
    """, [now])
    start, end = future_slot(now)
    moved = ok(env, "reschedule_event", {"event_id": event["event_id"], "start": start,
                                         "end": end})
    assert moved["start_at"] == start + ":00" and moved["end_at"] == end + ":00"
    assert {a["status"] for a in moved["attendees"]} == {"pending"}
    row = one(env, "SELECT start_at, end_at FROM events WHERE event_id = ?", [event["event_id"]])
    assert (row["start_at"], row["end_at"]) == (start + ":00", end + ":00")
    answered = one(env, "SELECT count(*) AS n FROM invitations WHERE event_id = ? "
                        "AND (status <> 'pending' OR responded_at IS NOT NULL)",
                   [event["event_id"]])
    assert answered["n"] == 0


def test_reschedule_event_can_shift_within_its_own_slot(env, now):
    event = own_upcoming(env, now)
    start = at(event["start_at"])
    later = ok(env, "reschedule_event", {"event_id": event["event_id"],
                                         "start": minutes(start + dt.timedelta(minutes=5)),
                                         "end": minutes(at(event["end_at"]))})
    assert later["start_at"] == minutes(start + dt.timedelta(minutes=5)) + ":00"


def test_reschedule_event_errors(env, now):
    start, end = future_slot(now)
    fails(env, "reschedule_event", {"event_id": "EV-9999", "start": start, "end": end},
          "event EV-9999 not found")
    theirs = others_upcoming(env, now)
    fails(env, "reschedule_event", {"event_id": theirs["event_id"], "start": start, "end": end},
          theirs["event_id"], "is organized by", "only the organizer can reschedule")
    cancelled = own_upcoming(env, now, status="cancelled")
    fails(env, "reschedule_event", {"event_id": cancelled["event_id"], "start": start,
                                    "end": end}, cancelled["event_id"], "has been cancelled")
    past = own_past(env, now)
    fails(env, "reschedule_event", {"event_id": past["event_id"], "start": start, "end": end},
          past["event_id"], "in the past")
    mine = own_upcoming(env, now)
    fails(env, "reschedule_event", {"event_id": mine["event_id"], "start": end, "end": start},
          "must be after the start")
    other = one(env, """
        SELECT * FROM events WHERE organizer_id = 'me' AND status = 'confirmed'
          AND start_at > CAST(? AS TIMESTAMP) AND event_id <> ?
        ORDER BY start_at LIMIT 1
    """, [now, mine["event_id"]])
    fails(env, "reschedule_event", {"event_id": mine["event_id"],
                                    "start": minutes(at(other["start_at"])),
                                    "end": minutes(at(other["end_at"]))},
          "overlaps event", other["event_id"])


def test_cancel_event(env, now):
    event = own_upcoming(env, now)
    cancelled = ok(env, "cancel_event", {"event_id": event["event_id"], "reason": "Flu"})
    assert cancelled["status"] == "cancelled" and cancelled["cancel_reason"] == "Flu"
    row = one(env, "SELECT status, cancel_reason FROM events WHERE event_id = ?",
              [event["event_id"]])
    assert row == {"status": "cancelled", "cancel_reason": "Flu"}
    # The freed slot can be booked again.
    created = ok(env, "create_event", {"title": "Instead", "start": minutes(at(event["start_at"])),
                                       "end": minutes(at(event["end_at"]))})
    assert created["status"] == "confirmed"


def test_cancel_event_errors(env, now):
    fails(env, "cancel_event", {"event_id": "EV-9999"}, "event EV-9999 not found")
    theirs = others_upcoming(env, now)
    fails(env, "cancel_event", {"event_id": theirs["event_id"]},
          theirs["event_id"], "is organized by", "only the organizer can cancel",
          "respond_to_invitation")
    cancelled = own_upcoming(env, now, status="cancelled")
    fails(env, "cancel_event", {"event_id": cancelled["event_id"]},
          cancelled["event_id"], "is already cancelled")
    past = own_past(env, now)
    fails(env, "cancel_event", {"event_id": past["event_id"]}, past["event_id"], "in the past")


# --------------------------------------------------------------------------- invitations


def test_invite_to_event(env, now):
    event = own_upcoming(env, now)
    contact = free_contact(env, event["event_id"])
    largest = one(env, "SELECT max(invitation_id) AS m FROM invitations")["m"]
    invitation = ok(env, "invite_to_event", {"event_id": event["event_id"],
                                             "contact_id": contact["contact_id"]})
    assert invitation["invitation_id"] == f"INV-{int(largest[4:]) + 1}"
    assert invitation["status"] == "pending" and invitation["invitee_name"] == contact["name"]
    assert invitation["invited_at"] == now
    row = one(env, "SELECT * FROM invitations WHERE invitation_id = ?",
              [invitation["invitation_id"]])
    assert (row["event_id"], row["invitee_id"], row["status"]) == (
        event["event_id"], contact["contact_id"], "pending")
    attendees = ok(env, "get_event", {"event_id": event["event_id"]})["attendees"]
    assert contact["contact_id"] in [a["invitee_id"] for a in attendees]


def test_invite_to_event_errors(env, now):
    event = own_upcoming(env, now)
    contact = free_contact(env, event["event_id"])
    fails(env, "invite_to_event", {"event_id": "EV-9999", "contact_id": contact["contact_id"]},
          "event EV-9999 not found")
    fails(env, "invite_to_event", {"event_id": event["event_id"], "contact_id": "C-9999"},
          "no contact C-9999 in the address book", "add_contact")
    for target, fragment in [
        (others_upcoming(env, now), "only the organizer can invite people to"),
        (own_upcoming(env, now, status="cancelled"), "has been cancelled"),
        (own_past(env, now), "in the past"),
    ]:
        guest = free_contact(env, target["event_id"])["contact_id"]
        fails(env, "invite_to_event", {"event_id": target["event_id"], "contact_id": guest},
              target["event_id"], fragment)
    blocked = blocked_contact(env)
    fails(env, "invite_to_event", {"event_id": event["event_id"],
                                   "contact_id": blocked["contact_id"]},
          blocked["name"], "is blocked")
    invited = one(env, "SELECT * FROM invitations WHERE event_id = ? ORDER BY invitation_id",
                  [event["event_id"]])
    fails(env, "invite_to_event", {"event_id": event["event_id"],
                                   "contact_id": invited["invitee_id"]},
          "is already invited", invited["invitation_id"], event["event_id"])


def test_list_invitations(env, now):
    pending = ok(env, "list_invitations", {})
    expected = env.query("""
        SELECT i.invitation_id FROM invitations i JOIN events e USING (event_id)
        WHERE i.invitee_id = 'me' AND i.status = 'pending' AND e.start_at > CAST(? AS TIMESTAMP)
        ORDER BY e.start_at, i.invitation_id
    """, [now])
    assert [i["invitation_id"] for i in pending] == [i["invitation_id"] for i in expected]
    assert pending and all(i["status"] == "pending" for i in pending)
    assert all(i["organizer_name"] for i in pending)
    everything = ok(env, "list_invitations", {"status": "all", "include_past": True})
    total = one(env, "SELECT count(*) AS n FROM invitations WHERE invitee_id = 'me'")["n"]
    assert len(everything) == total
    accepted = ok(env, "list_invitations", {"status": "accepted"})
    assert accepted and {i["status"] for i in accepted} == {"accepted"}


def test_respond_to_invitation_accept_puts_it_on_the_calendar(env, now):
    invitation = pending_invitation(env, now, clashing=False)
    result = ok(env, "respond_to_invitation", {"invitation_id": invitation["invitation_id"],
                                               "response": "accepted"})
    assert result["status"] == "accepted" and result["responded_at"] == now
    assert result["event_id"] == invitation["event_id"]
    row = one(env, "SELECT status, responded_at FROM invitations WHERE invitation_id = ?",
              [invitation["invitation_id"]])
    assert row == {"status": "accepted", "responded_at": now}
    # It now blocks its slot for new events.
    fails(env, "create_event", {"title": "Clash", "start": minutes(at(invitation["start_at"])),
                                "end": minutes(at(invitation["end_at"]))},
          "overlaps event", invitation["event_id"])


def test_respond_to_invitation_decline_is_allowed_despite_a_clash(env, now):
    invitation = pending_invitation(env, now, clashing=True)
    result = ok(env, "respond_to_invitation", {"invitation_id": invitation["invitation_id"],
                                               "response": "declined"})
    assert result["status"] == "declined"
    row = one(env, "SELECT status FROM invitations WHERE invitation_id = ?",
              [invitation["invitation_id"]])
    assert row["status"] == "declined"


def test_respond_to_invitation_errors(env, now):
    fails(env, "respond_to_invitation", {"invitation_id": "INV-9999", "response": "accepted"},
          "invitation INV-9999 not found")
    sent = one(env, """
        SELECT i.* FROM invitations i JOIN events e USING (event_id)
        WHERE e.organizer_id = 'me' AND i.status = 'pending' ORDER BY invitation_id LIMIT 1
    """)
    fails(env, "respond_to_invitation", {"invitation_id": sent["invitation_id"],
                                         "response": "accepted"},
          sent["invitation_id"], sent["invitee_id"], "not to you")
    answered = one(env, """
        SELECT i.* FROM invitations i WHERE invitee_id = 'me' AND status = 'declined'
        ORDER BY invitation_id LIMIT 1
    """)
    fails(env, "respond_to_invitation", {"invitation_id": answered["invitation_id"],
                                         "response": "accepted"},
          "you already answered invitation", answered["invitation_id"], "declined")
    cancelled = one(env, """
        SELECT i.* FROM invitations i JOIN events e USING (event_id)
        WHERE i.invitee_id = 'me' AND i.status = 'pending' AND e.status = 'cancelled'
        ORDER BY invitation_id LIMIT 1
    """)
    fails(env, "respond_to_invitation", {"invitation_id": cancelled["invitation_id"],
                                         "response": "declined"},
          cancelled["event_id"], "was cancelled by")
    past = one(env, """
        SELECT i.* FROM invitations i JOIN events e USING (event_id)
        WHERE i.invitee_id = 'me' AND i.status = 'pending' AND e.status = 'confirmed'
          AND e.start_at <= CAST(? AS TIMESTAMP) ORDER BY invitation_id LIMIT 1
    """, [now])
    fails(env, "respond_to_invitation", {"invitation_id": past["invitation_id"],
                                         "response": "accepted"},
          past["event_id"], "in the past")
    clashing = pending_invitation(env, now, clashing=True)
    fails(env, "respond_to_invitation", {"invitation_id": clashing["invitation_id"],
                                         "response": "tentative"},
          "overlaps event", "on your calendar")


def test_respond_twice_fails_the_second_time(env, now):
    invitation = pending_invitation(env, now, clashing=False)
    ok(env, "respond_to_invitation", {"invitation_id": invitation["invitation_id"],
                                      "response": "tentative"})
    fails(env, "respond_to_invitation", {"invitation_id": invitation["invitation_id"],
                                         "response": "accepted"},
          "you already answered invitation", "tentative")


# --------------------------------------------------------------------------- mail


def test_search_messages_filters(env):
    contact = one(env, """
        SELECT contact_id FROM messages GROUP BY contact_id
        ORDER BY count(*) DESC, contact_id LIMIT 1
    """)["contact_id"]
    found = ok(env, "search_messages", {"contact_id": contact, "folder": "inbox", "limit": 50})
    expected = env.query("SELECT message_id FROM messages WHERE contact_id = ? AND folder = "
                         "'inbox' ORDER BY sent_at DESC, message_id DESC", [contact])
    assert [m["message_id"] for m in found] == [m["message_id"] for m in expected]
    assert all(m["folder"] == "inbox" and m["contact_id"] == contact for m in found)

    unread = ok(env, "search_messages", {"unread_only": True, "limit": 50})
    assert unread and all(m["is_read"] is False and m["folder"] == "inbox" for m in unread)

    word = one(env, "SELECT subject FROM messages ORDER BY message_id LIMIT 1")["subject"]
    word = word.split()[-1]
    hits = ok(env, "search_messages", {"query": word, "limit": 50})
    assert hits and all(word.lower() in m["subject"].lower() or word.lower() in
                        one(env, "SELECT body FROM messages WHERE message_id = ?",
                            [m["message_id"]])["body"].lower() for m in hits)
    newest = ok(env, "search_messages", {})
    assert len(newest) == 10
    assert newest[0]["message_id"] == one(env, "SELECT max(message_id) AS m FROM messages")["m"]


def test_search_messages_errors(env):
    fails(env, "search_messages", {"contact_id": "C-9999"}, "no contact C-9999")
    fails(env, "search_messages", {"limit": 100}, "limit must be between 1 and 50")


def test_get_message_with_replies(env):
    reply = one(env, "SELECT * FROM messages WHERE reply_to_id IS NOT NULL "
                     "ORDER BY message_id LIMIT 1")
    original = ok(env, "get_message", {"message_id": reply["reply_to_id"]})
    assert original["folder"] == "inbox"
    assert reply["message_id"] in original["replies"]
    contact = one(env, "SELECT * FROM contacts WHERE contact_id = ?", [original["contact_id"]])
    assert original["contact_name"] == contact["name"]
    assert original["contact_email"] == contact["email"]
    assert reply["subject"] == "Re: " + original["subject"]


def test_get_message_unknown(env):
    fails(env, "get_message", {"message_id": "MSG-1"}, "message MSG-1 not found")


def test_send_message_new_thread(env, now):
    contact = one(env, "SELECT * FROM contacts WHERE NOT blocked ORDER BY contact_id LIMIT 1")
    largest = one(env, "SELECT max(message_id) AS m FROM messages")["m"]
    sent = ok(env, "send_message", {"contact_id": contact["contact_id"],
                                    "subject": " Lunch? ", "body": "Friday at noon?"})
    assert sent["message_id"] == f"MSG-{int(largest[4:]) + 1}"
    assert sent["folder"] == "sent" and sent["subject"] == "Lunch?"
    assert sent["sent_at"] == now and sent["reply_to_id"] is None
    assert sent["contact_email"] == contact["email"]
    fetched = ok(env, "get_message", {"message_id": sent["message_id"]})
    assert fetched["body"] == "Friday at noon?"


def test_send_message_reply_marks_original_read(env):
    original = one(env, """
        SELECT m.* FROM messages m JOIN contacts c USING (contact_id)
        WHERE m.folder = 'inbox' AND NOT m.is_read AND NOT c.blocked
        ORDER BY message_id LIMIT 1
    """)
    sent = ok(env, "send_message", {"contact_id": original["contact_id"],
                                    "subject": "Re: " + original["subject"],
                                    "body": "Thanks!", "reply_to_id": original["message_id"]})
    assert sent["reply_to_id"] == original["message_id"]
    assert one(env, "SELECT is_read FROM messages WHERE message_id = ?",
               [original["message_id"]])["is_read"] is True
    assert one(env, "SELECT folder FROM messages WHERE message_id = ?",
               [sent["message_id"]])["folder"] == "sent"


def test_send_message_errors(env):
    contact = one(env, "SELECT * FROM contacts WHERE NOT blocked ORDER BY contact_id LIMIT 1")
    cid = contact["contact_id"]
    fails(env, "send_message", {"contact_id": "C-9999", "subject": "Hi", "body": "Yo"},
          "no contact C-9999 in the address book")
    blocked = blocked_contact(env)
    fails(env, "send_message", {"contact_id": blocked["contact_id"], "subject": "Hi",
                                "body": "Yo"}, blocked["name"], "is blocked")
    fails(env, "send_message", {"contact_id": cid, "subject": "   ", "body": "Yo"},
          "the subject is empty")
    fails(env, "send_message", {"contact_id": cid, "subject": "x" * 201, "body": "Yo"},
          "201 characters", "at most 200")
    fails(env, "send_message", {"contact_id": cid, "subject": "Hi", "body": " "},
          "the message body is empty")
    fails(env, "send_message", {"contact_id": cid, "subject": "Hi", "body": "Yo",
                                "reply_to_id": "MSG-1"}, "message MSG-1 not found")
    elsewhere = one(env, "SELECT * FROM messages WHERE contact_id <> ? ORDER BY message_id "
                         "LIMIT 1", [cid])
    fails(env, "send_message", {"contact_id": cid, "subject": "Hi", "body": "Yo",
                                "reply_to_id": elsewhere["message_id"]},
          elsewhere["message_id"], elsewhere["contact_id"], "goes to the same contact")
