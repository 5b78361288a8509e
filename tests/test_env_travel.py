"""Behaviour of the built-in `travel` environment (tool_envs/travel.py)."""

from __future__ import annotations

import re

import pytest

from sandbox import load_env

SEED = 7
CABIN_MULTIPLIER = {"economy": 1.0, "premium_economy": 1.6, "business": 3.2, "first": 5.0}


@pytest.fixture(scope="module")
def env():
    with load_env("travel", seed=SEED) as e:
        yield e


@pytest.fixture(autouse=True)
def fresh(env):
    env.reset()


# ---------------------------------------------------------------- helpers


def ok(env, tool, args):
    r = env.call(tool, args)
    assert r.ok, f"{tool}({args}) failed: {r.error}"
    return r.result


def expect_error(env, tool, args, *fragments):
    """The call fails with a ToolError naming `fragments`, and changes nothing."""
    before = env.state_hash()
    r = env.call(tool, args)
    assert r.ok is False, f"{tool}({args}) unexpectedly succeeded: {r.result}"
    assert r.error.type == "ToolError", r.error
    for fragment in fragments:
        assert fragment in r.error.message, r.error.message
    assert env.state_hash() == before
    return r.error.message


def one(env, sql, params=None):
    rows = env.query(sql, params or [])
    assert rows, f"no seeded row for: {sql}"
    return rows[0]


def booking_row(env, booking_id):
    return one(env, "SELECT * FROM bookings WHERE booking_id = ?", [booking_id])


def occupied(env, flight_id):
    rows = env.query(
        "SELECT seat FROM bookings WHERE flight_id = ? AND seat IS NOT NULL "
        "AND status <> 'cancelled'",
        [flight_id],
    )
    return {r["seat"] for r in rows}


def open_flight(env, aircraft="A320"):
    """A scheduled flight, days away, with some (2-30) confirmed economy bookings."""
    return one(
        env,
        "SELECT f.* FROM flights f WHERE f.status = 'scheduled' AND f.aircraft = ? "
        "AND (SELECT count(*) FROM bookings b WHERE b.flight_id = f.flight_id "
        "     AND b.cabin = 'economy' AND b.status = 'confirmed') BETWEEN 2 AND 30 "
        "ORDER BY f.departure DESC LIMIT 1",
        [aircraft],
    )


def passenger_not_on(env, flight_id):
    return one(
        env,
        "SELECT * FROM passengers WHERE passenger_id NOT IN "
        "(SELECT passenger_id FROM bookings WHERE flight_id = ?) ORDER BY passenger_id LIMIT 1",
        [flight_id],
    )


def confirmed_booking(env):
    """A confirmed economy booking on `open_flight`, which has free economy seats."""
    return one(
        env,
        "SELECT * FROM bookings WHERE flight_id = ? AND status = 'confirmed' AND cabin = 'economy' "
        "ORDER BY booking_id LIMIT 1",
        [open_flight(env)["flight_id"]],
    )


def booking_in(env, status):
    return one(env, "SELECT * FROM bookings WHERE status = ? ORDER BY booking_id LIMIT 1", [status])


def free_seat(env, flight_id, seats):
    taken = occupied(env, flight_id)
    return next(s for s in seats if s not in taken)


A320_ECONOMY = [f"{row}{letter}" for row in range(5, 15) for letter in "ABCDEF"]
A320_BUSINESS = [f"{row}{letter}" for row in range(1, 3) for letter in "ACDF"]


# ---------------------------------------------------------------- seed and spec


def test_seed_sizes_and_state_mix(env):
    counts = {
        t: env.query(f"SELECT count(*) AS n FROM {t}")[0]["n"]
        for t in ("airports", "flights", "passengers", "bookings")
    }
    assert counts["flights"] >= 100
    assert counts["bookings"] >= 100
    assert counts["passengers"] >= 100
    assert counts["airports"] == 10
    flight_states = {r["status"] for r in env.query("SELECT DISTINCT status FROM flights")}
    assert flight_states == {"scheduled", "departed", "cancelled"}
    booking_states = {r["status"] for r in env.query("SELECT DISTINCT status FROM bookings")}
    assert booking_states == {"confirmed", "flown", "no_show", "cancelled"}
    # Every seat is held by at most one live booking.
    dupes = env.query(
        "SELECT flight_id, seat FROM bookings WHERE seat IS NOT NULL AND status <> 'cancelled' "
        "GROUP BY flight_id, seat HAVING count(*) > 1"
    )
    assert dupes == []
    ids = [r["booking_id"] for r in env.query("SELECT booking_id FROM bookings")]
    assert all(re.fullmatch(r"BK-5\d{4}", i) for i in ids)


def test_same_seed_same_state_other_seed_differs(env):
    with load_env("travel", seed=SEED) as again:
        assert again.state_hash() == env.state_hash()
    with load_env("travel", seed=SEED + 1) as other:
        assert other.state_hash() != env.state_hash()


def test_tool_specs(env):
    specs = {t.name: t for t in env.tools}
    writes = {"create_passenger", "book_flight", "change_seat", "add_checked_bags", "cancel_booking"}
    reads = {"search_flights", "get_flight", "list_available_seats", "find_passengers",
             "get_passenger", "get_booking", "list_bookings"}
    assert set(specs) == writes | reads
    for name, spec in specs.items():
        assert spec.writes == (name in writes), name
        assert spec.description
        assert 2 <= len(spec.phrasing) <= 3, name
        params = set(spec.parameters["properties"])
        for template in spec.phrasing:
            assert set(re.findall(r"{(\w+)}", template)) <= params, template
    cabin = specs["book_flight"].parameters["properties"]["cabin"]
    assert "first" in str(cabin) and "premium_economy" in str(cabin)


# ---------------------------------------------------------------- flights


def test_search_flights_by_route_and_date(env):
    flight = one(env, "SELECT * FROM flights WHERE status = 'scheduled' ORDER BY flight_id LIMIT 1")
    found = ok(env, "search_flights", {
        "origin": flight["origin"].lower(), "destination": flight["destination"],
    })
    expected = env.query(
        "SELECT flight_id FROM flights WHERE origin = ? AND destination = ? ORDER BY departure",
        [flight["origin"], flight["destination"]],
    )
    assert [f["flight_id"] for f in found] == [r["flight_id"] for r in expected]
    assert len(found) >= 6
    day = flight["departure"][:10]
    on_day = ok(env, "search_flights", {
        "origin": flight["origin"], "destination": flight["destination"], "date": day,
    })
    assert flight["flight_id"] in [f["flight_id"] for f in on_day]
    assert all(f["departure"].startswith(day) for f in on_day)
    match = next(f for f in on_day if f["flight_id"] == flight["flight_id"])
    assert match["status"] == "scheduled"
    economy = next(c for c in match["cabins"] if c["cabin"] == "economy")
    assert economy["fare"] == flight["base_fare"]


def test_search_flights_errors(env):
    expect_error(env, "search_flights", {"origin": "XYZ", "destination": "JFK"},
                 "unknown airport code 'XYZ'", "JFK")
    expect_error(env, "search_flights", {"origin": "JFK", "destination": "jfk"},
                 "both JFK")
    expect_error(env, "search_flights", {"origin": "JFK", "destination": "LAX", "date": "next friday"},
                 "'next friday' is not a date", "YYYY-MM-DD")


def test_get_flight_reports_cabins_and_seats_left(env):
    flight = open_flight(env, "B787")
    got = ok(env, "get_flight", {"flight_id": flight["flight_id"]})
    assert got["flight_number"] == flight["flight_number"]
    assert got["departure"] == flight["departure"]
    assert [c["cabin"] for c in got["cabins"]] == ["first", "business", "premium_economy", "economy"]
    taken = env.query(
        "SELECT cabin, count(*) AS n FROM bookings WHERE flight_id = ? AND status <> 'cancelled' "
        "GROUP BY cabin", [flight["flight_id"]],
    )
    taken = {r["cabin"]: r["n"] for r in taken}
    for cabin in got["cabins"]:
        assert cabin["seats_left"] == cabin["seats_total"] - taken.get(cabin["cabin"], 0)
        assert cabin["fare"] == round(flight["base_fare"] * CABIN_MULTIPLIER[cabin["cabin"]], 2)
    business = next(c for c in got["cabins"] if c["cabin"] == "business")
    assert (business["seats_total"], business["included_bags"], business["max_bags"]) == (12, 2, 3)


def test_get_flight_unknown(env):
    expect_error(env, "get_flight", {"flight_id": "FL9999"}, "flight FL9999 not found")


def test_list_available_seats(env):
    flight = open_flight(env)
    got = ok(env, "list_available_seats", {"flight_id": flight["flight_id"], "cabin": "economy"})
    seats = [s["seat"] for s in got["seats"]]
    assert seats == [s for s in A320_ECONOMY if s not in occupied(env, flight["flight_id"])]
    assert {s["cabin"] for s in got["seats"]} == {"economy"}
    everything = ok(env, "list_available_seats", {"flight_id": flight["flight_id"]})
    assert {s["cabin"] for s in everything["seats"]} <= {"business", "premium_economy", "economy"}
    assert len(everything["seats"]) == 80 - len(occupied(env, flight["flight_id"]))


def test_list_available_seats_errors(env):
    flight = open_flight(env)
    expect_error(env, "list_available_seats", {"flight_id": flight["flight_id"], "cabin": "first"},
                 f"flight {flight['flight_id']} (A320) has no first cabin")
    expect_error(env, "list_available_seats", {"flight_id": "FL0000"}, "flight FL0000 not found")


# ---------------------------------------------------------------- passengers


def test_find_passengers(env):
    p = one(env, "SELECT * FROM passengers ORDER BY passenger_id LIMIT 1")
    found = ok(env, "find_passengers", {"last_name": p["last_name"].upper()})
    same = env.query("SELECT passenger_id FROM passengers WHERE last_name = ? ORDER BY passenger_id",
                     [p["last_name"]])
    assert [f["passenger_id"] for f in found] == [r["passenger_id"] for r in same]
    narrowed = ok(env, "find_passengers", {"last_name": p["last_name"], "first_name": p["first_name"]})
    assert p["passenger_id"] in [f["passenger_id"] for f in narrowed]
    assert all(f["first_name"] == p["first_name"] for f in narrowed)
    assert ok(env, "find_passengers", {"last_name": "Nobodyhere"}) == []


def test_get_passenger(env):
    p = one(env, "SELECT * FROM passengers WHERE passenger_id = 'PAX-10001'")
    got = ok(env, "get_passenger", {"passenger_id": "PAX-10001"})
    assert got == p
    expect_error(env, "get_passenger", {"passenger_id": "PAX-99999"}, "passenger PAX-99999 not found")


def test_create_passenger(env):
    got = ok(env, "create_passenger", {
        "first_name": " Ada ", "last_name": "Lovelace", "email": "Ada.Lovelace@Example.com",
        "date_of_birth": "1985-12-10",
    })
    assert got["passenger_id"] == "PAX-10301"
    assert (got["first_name"], got["email"], got["loyalty_tier"]) == ("Ada", "ada.lovelace@example.com", "none")
    row = one(env, "SELECT * FROM passengers WHERE passenger_id = 'PAX-10301'")
    assert row["date_of_birth"] == "1985-12-10" and row["last_name"] == "Lovelace"
    # The new id is usable right away.
    assert ok(env, "get_passenger", {"passenger_id": "PAX-10301"})["last_name"] == "Lovelace"
    second = ok(env, "create_passenger", {
        "first_name": "Alan", "last_name": "Turing", "email": "alan@example.org",
        "date_of_birth": "1990-06-23", "phone": "555-0100",
    })
    assert second["passenger_id"] == "PAX-10302" and second["phone"] == "555-0100"


def test_create_passenger_errors(env):
    existing = one(env, "SELECT * FROM passengers WHERE passenger_id = 'PAX-10005'")
    base = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
            "date_of_birth": "1985-12-10"}
    expect_error(env, "create_passenger", {**base, "email": existing["email"].upper()},
                 "already registered to passenger PAX-10005")
    expect_error(env, "create_passenger", {**base, "email": "ada-at-example"},
                 "'ada-at-example' is not a valid address")
    expect_error(env, "create_passenger", {**base, "date_of_birth": "10/12/1985"},
                 "date_of_birth '10/12/1985' is not a date")
    expect_error(env, "create_passenger", {**base, "date_of_birth": "2999-01-01"},
                 "date_of_birth 2999-01-01 is in the future")
    expect_error(env, "create_passenger", {**base, "last_name": "  "},
                 "first_name and last_name must both be given")


# ---------------------------------------------------------------- booking


def test_book_flight_first_free_seat(env):
    flight = open_flight(env)
    pax = passenger_not_on(env, flight["flight_id"])
    expected_seat = free_seat(env, flight["flight_id"], A320_ECONOMY)
    got = ok(env, "book_flight", {"passenger_id": pax["passenger_id"], "flight_id": flight["flight_id"]})
    assert got["booking_id"] == f"BK-{50000 + env.query('SELECT count(*) AS n FROM bookings')[0]['n']}"
    assert (got["cabin"], got["seat"], got["status"]) == ("economy", expected_seat, "confirmed")
    assert got["fare"] == flight["base_fare"] and got["total_paid"] == flight["base_fare"]
    assert got["last_name"] == pax["last_name"] and got["origin"] == flight["origin"]
    row = booking_row(env, got["booking_id"])
    assert (row["passenger_id"], row["flight_id"], row["seat"], row["checked_bags"]) == (
        pax["passenger_id"], flight["flight_id"], expected_seat, 0)
    mine = ok(env, "list_bookings", {"passenger_id": pax["passenger_id"], "status": "confirmed"})
    assert got["booking_id"] in [b["booking_id"] for b in mine]


def test_book_flight_chosen_seat_in_business(env):
    flight = open_flight(env)
    seat = free_seat(env, flight["flight_id"], A320_BUSINESS)
    pax = passenger_not_on(env, flight["flight_id"])
    got = ok(env, "book_flight", {
        "passenger_id": pax["passenger_id"], "flight_id": flight["flight_id"],
        "cabin": "business", "seat": seat.lower(),
    })
    assert (got["cabin"], got["seat"]) == ("business", seat)
    assert got["fare"] == round(flight["base_fare"] * 3.2, 2)
    assert booking_row(env, got["booking_id"])["seat"] == seat
    seats = ok(env, "list_available_seats", {"flight_id": flight["flight_id"], "cabin": "business"})
    assert seat not in [s["seat"] for s in seats["seats"]]


def test_book_flight_errors(env):
    flight = open_flight(env)
    fid = flight["flight_id"]
    pax = passenger_not_on(env, fid)["passenger_id"]
    expect_error(env, "book_flight", {"passenger_id": "PAX-00000", "flight_id": fid},
                 "passenger PAX-00000 not found")
    expect_error(env, "book_flight", {"passenger_id": pax, "flight_id": "FL0001"},
                 "flight FL0001 not found")
    cancelled = one(env, "SELECT flight_id FROM flights WHERE status = 'cancelled' LIMIT 1")["flight_id"]
    expect_error(env, "book_flight", {"passenger_id": pax, "flight_id": cancelled},
                 f"flight {cancelled} has been cancelled by the airline")
    departed = one(env, "SELECT flight_id FROM flights WHERE status = 'departed' LIMIT 1")["flight_id"]
    expect_error(env, "book_flight", {"passenger_id": pax, "flight_id": departed},
                 f"flight {departed} already departed")
    expect_error(env, "book_flight", {"passenger_id": pax, "flight_id": fid, "cabin": "first"},
                 f"flight {fid} (A320) has no first cabin")
    expect_error(env, "book_flight", {"passenger_id": pax, "flight_id": fid, "seat": "40A"},
                 f"seat 40A does not exist on flight {fid}")
    expect_error(env, "book_flight", {"passenger_id": pax, "flight_id": fid, "seat": "1A"},
                 f"seat 1A on flight {fid} is in business, not economy")
    taken = min(occupied(env, fid) & set(A320_ECONOMY))
    expect_error(env, "book_flight", {"passenger_id": pax, "flight_id": fid, "seat": taken},
                 f"seat {taken} on flight {fid} is already taken")
    holder = one(env, "SELECT * FROM bookings WHERE flight_id = ? AND status = 'confirmed' LIMIT 1", [fid])
    expect_error(env, "book_flight", {"passenger_id": holder["passenger_id"], "flight_id": fid},
                 f"already holds booking {holder['booking_id']} on flight {fid}")


def test_book_flight_full_cabin(env):
    full = one(
        env,
        "SELECT f.flight_id, f.aircraft FROM flights f WHERE f.status = 'scheduled' AND "
        "(SELECT count(*) FROM bookings b WHERE b.flight_id = f.flight_id AND b.cabin = 'business' "
        " AND b.status = 'confirmed') = (CASE f.aircraft WHEN 'E175' THEN 9 WHEN 'A320' THEN 8 ELSE 12 END) "
        "ORDER BY f.flight_id LIMIT 1",
    )
    pax = passenger_not_on(env, full["flight_id"])["passenger_id"]
    expect_error(env, "book_flight",
                 {"passenger_id": pax, "flight_id": full["flight_id"], "cabin": "business"},
                 f"the business cabin on flight {full['flight_id']} is full")


def test_get_booking(env):
    b = booking_in(env, "flown")
    got = ok(env, "get_booking", {"booking_id": b["booking_id"]})
    flight = one(env, "SELECT * FROM flights WHERE flight_id = ?", [b["flight_id"]])
    assert (got["status"], got["seat"], got["passenger_id"]) == ("flown", b["seat"], b["passenger_id"])
    assert got["flight_number"] == flight["flight_number"] and got["departure"] == flight["departure"]
    assert got["total_paid"] == round(b["fare"] + b["bag_fees"], 2)
    expect_error(env, "get_booking", {"booking_id": "BK-1"}, "booking BK-1 not found")


def test_list_bookings(env):
    pax = one(
        env,
        "SELECT passenger_id FROM bookings GROUP BY passenger_id "
        "HAVING count(DISTINCT status) >= 2 ORDER BY passenger_id LIMIT 1",
    )["passenger_id"]
    everything = ok(env, "list_bookings", {"passenger_id": pax})
    rows = env.query("SELECT booking_id, status FROM bookings WHERE passenger_id = ?", [pax])
    assert sorted(b["booking_id"] for b in everything) == sorted(r["booking_id"] for r in rows)
    departures = [b["departure"] for b in everything]
    assert departures == sorted(departures, reverse=True)
    status = rows[0]["status"]
    only = ok(env, "list_bookings", {"passenger_id": pax, "status": status})
    assert {b["status"] for b in only} == {status}
    assert len(only) == sum(1 for r in rows if r["status"] == status)
    expect_error(env, "list_bookings", {"passenger_id": "PAX-1"}, "passenger PAX-1 not found")


# ---------------------------------------------------------------- seat changes


def test_change_seat(env):
    b = confirmed_booking(env)
    new_seat = free_seat(env, b["flight_id"], A320_ECONOMY)
    got = ok(env, "change_seat", {"booking_id": b["booking_id"], "seat": new_seat})
    assert (got["seat"], got["cabin"], got["status"]) == (new_seat, "economy", "confirmed")
    assert booking_row(env, b["booking_id"])["seat"] == new_seat
    # The old seat is free again: someone else can book it.
    pax = passenger_not_on(env, b["flight_id"])["passenger_id"]
    again = ok(env, "book_flight", {"passenger_id": pax, "flight_id": b["flight_id"], "seat": b["seat"]})
    assert again["seat"] == b["seat"]


def test_change_seat_errors(env):
    b = confirmed_booking(env)
    bid, fid = b["booking_id"], b["flight_id"]
    expect_error(env, "change_seat", {"booking_id": "BK-0", "seat": "5A"}, "booking BK-0 not found")
    expect_error(env, "change_seat", {"booking_id": bid, "seat": "77K"},
                 f"seat 77K does not exist on flight {fid}")
    expect_error(env, "change_seat", {"booking_id": bid, "seat": b["seat"]},
                 f"booking {bid} already has seat {b['seat']}")
    expect_error(env, "change_seat", {"booking_id": bid, "seat": "1A"},
                 f"seat 1A is in business but booking {bid} is in economy", "stay in the booked cabin")
    taken = min((occupied(env, fid) & set(A320_ECONOMY)) - {b["seat"]})
    expect_error(env, "change_seat", {"booking_id": bid, "seat": taken},
                 f"seat {taken} on flight {fid} is already taken")
    for status, fragment in [("cancelled", "is already cancelled"), ("flown", "has already been flown"),
                             ("no_show", "departed at")]:
        other = booking_in(env, status)
        expect_error(env, "change_seat", {"booking_id": other["booking_id"], "seat": "5A"},
                     f"booking {other['booking_id']}", fragment, "change seats")


# ---------------------------------------------------------------- bags


def test_add_checked_bags_charges_beyond_allowance(env):
    b = one(
        env,
        "SELECT b.* FROM bookings b JOIN flights f USING (flight_id) WHERE b.status = 'confirmed' "
        "AND b.cabin = 'premium_economy' AND b.checked_bags = 0 ORDER BY f.departure DESC LIMIT 1",
    )
    got = ok(env, "add_checked_bags", {"booking_id": b["booking_id"], "bags": 2})
    # premium_economy: 1 bag included, 40.00 for the second.
    assert (got["checked_bags"], got["bag_fees"], got["fee_charged"]) == (2, 40.0, 40.0)
    assert got["total_paid"] == round(b["fare"] + 40.0, 2)
    row = booking_row(env, b["booking_id"])
    assert (row["checked_bags"], row["bag_fees"]) == (2, 40.0)
    more = ok(env, "add_checked_bags", {"booking_id": b["booking_id"]})
    assert (more["checked_bags"], more["bag_fees"], more["fee_charged"]) == (3, 80.0, 40.0)


def test_add_checked_bags_errors(env):
    full = one(
        env,
        "SELECT b.* FROM bookings b JOIN flights f USING (flight_id) WHERE b.status = 'confirmed' "
        "AND b.cabin = 'economy' AND b.checked_bags = 2 ORDER BY f.departure DESC LIMIT 1",
    )
    expect_error(env, "add_checked_bags", {"booking_id": full["booking_id"], "bags": 1},
                 "economy cabin allows at most 2 checked bags",
                 f"booking {full['booking_id']} already has 2")
    expect_error(env, "add_checked_bags", {"booking_id": full["booking_id"], "bags": 0},
                 "bags must be at least 1")
    expect_error(env, "add_checked_bags", {"booking_id": "BK-42"}, "booking BK-42 not found")
    for status, fragment in [("cancelled", "is already cancelled"), ("flown", "has already been flown"),
                             ("no_show", "departed at")]:
        other = booking_in(env, status)
        expect_error(env, "add_checked_bags", {"booking_id": other["booking_id"]},
                     f"booking {other['booking_id']}", fragment, "add bags")


# ---------------------------------------------------------------- cancellation


def test_cancel_booking_early_refunds_everything(env):
    b = confirmed_booking(env)
    got = ok(env, "cancel_booking", {"booking_id": b["booking_id"]})
    paid = round(b["fare"] + b["bag_fees"], 2)
    assert (got["status"], got["seat"], got["refund_amount"]) == ("cancelled", None, paid)
    assert got["cancelled_at"] is not None
    row = booking_row(env, b["booking_id"])
    assert (row["status"], row["seat"], row["refund_amount"]) == ("cancelled", None, paid)
    assert b["seat"] not in occupied(env, b["flight_id"])


def test_cancel_booking_within_a_day_refunds_half(env):
    soon = one(env, "SELECT * FROM flights WHERE status = 'scheduled' ORDER BY departure LIMIT 1")
    pax = passenger_not_on(env, soon["flight_id"])["passenger_id"]
    booked = ok(env, "book_flight", {"passenger_id": pax, "flight_id": soon["flight_id"]})
    got = ok(env, "cancel_booking", {"booking_id": booked["booking_id"]})
    assert got["status"] == "cancelled"
    assert got["refund_amount"] == round(soon["base_fare"] * 0.5, 2)
    assert booking_row(env, booked["booking_id"])["refund_amount"] == got["refund_amount"]


def test_cancel_booking_errors(env):
    expect_error(env, "cancel_booking", {"booking_id": "BK-00001"}, "booking BK-00001 not found")
    flown = booking_in(env, "flown")["booking_id"]
    expect_error(env, "cancel_booking", {"booking_id": flown},
                 f"booking {flown} has already been flown and cannot be cancelled")
    cancelled = booking_in(env, "cancelled")["booking_id"]
    expect_error(env, "cancel_booking", {"booking_id": cancelled},
                 f"booking {cancelled} is already cancelled")
    no_show = booking_in(env, "no_show")
    expect_error(env, "cancel_booking", {"booking_id": no_show["booking_id"]},
                 f"flight {no_show['flight_id']} departed at",
                 f"booking {no_show['booking_id']} can no longer be cancelled")
