"""Airline travel desk for Transatlas Air (flight numbers "TA..."): passengers look up
flights between airports, book seats in a cabin (economy, premium_economy, business,
first), pick or change seats, add checked bags and cancel bookings.

Ids: flights "FL1001", passengers "PAX-10001", bookings "BK-50001"; airports are IATA
codes such as "JFK"; seats look like "12A". A booking is confirmed until its flight
departs, then it is flown (or no_show); it can be cancelled only while confirmed and
before departure. Cancelling 24 hours or more before departure refunds everything,
later only half. Each cabin includes some checked bags and caps the total; extra bags
cost 40.00 each.
"""

import datetime
import re
from typing import Literal

from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "passengers"  # a dialogue is one of these users' conversation

TABLES = """
CREATE TABLE airports (
    code VARCHAR PRIMARY KEY,
    city VARCHAR NOT NULL,
    name VARCHAR NOT NULL
);
CREATE TABLE flights (
    flight_id VARCHAR PRIMARY KEY,
    flight_number VARCHAR NOT NULL,
    origin VARCHAR NOT NULL,
    destination VARCHAR NOT NULL,
    departure TIMESTAMP NOT NULL,
    arrival TIMESTAMP NOT NULL,
    aircraft VARCHAR NOT NULL,
    base_fare DOUBLE NOT NULL,
    status VARCHAR NOT NULL
);
CREATE TABLE passengers (
    passenger_id VARCHAR PRIMARY KEY,
    first_name VARCHAR NOT NULL,
    last_name VARCHAR NOT NULL,
    email VARCHAR NOT NULL,
    phone VARCHAR,
    date_of_birth DATE NOT NULL,
    loyalty_tier VARCHAR NOT NULL
);
CREATE TABLE bookings (
    booking_id VARCHAR PRIMARY KEY,
    passenger_id VARCHAR NOT NULL,
    flight_id VARCHAR NOT NULL,
    cabin VARCHAR NOT NULL,
    seat VARCHAR,
    status VARCHAR NOT NULL,
    fare DOUBLE NOT NULL,
    checked_bags INTEGER NOT NULL,
    bag_fees DOUBLE NOT NULL,
    refund_amount DOUBLE NOT NULL,
    booked_at TIMESTAMP NOT NULL,
    cancelled_at TIMESTAMP
);
"""

Cabin = Literal["economy", "premium_economy", "business", "first"]
BookingStatus = Literal["confirmed", "flown", "no_show", "cancelled"]

AIRPORTS = [
    {"code": "JFK", "city": "New York", "name": "John F. Kennedy International"},
    {"code": "LAX", "city": "Los Angeles", "name": "Los Angeles International"},
    {"code": "ORD", "city": "Chicago", "name": "O'Hare International"},
    {"code": "SFO", "city": "San Francisco", "name": "San Francisco International"},
    {"code": "SEA", "city": "Seattle", "name": "Seattle-Tacoma International"},
    {"code": "BOS", "city": "Boston", "name": "Logan International"},
    {"code": "MIA", "city": "Miami", "name": "Miami International"},
    {"code": "DEN", "city": "Denver", "name": "Denver International"},
    {"code": "ATL", "city": "Atlanta", "name": "Hartsfield-Jackson Atlanta International"},
    {"code": "DFW", "city": "Dallas", "name": "Dallas/Fort Worth International"},
]

# Seat maps: each cabin is a block of rows with the same seat letters.
AIRCRAFT = {
    "E175": [
        {"cabin": "business", "first_row": 1, "last_row": 3, "letters": "ACD"},
        {"cabin": "economy", "first_row": 4, "last_row": 12, "letters": "ABCD"},
    ],
    "A320": [
        {"cabin": "business", "first_row": 1, "last_row": 2, "letters": "ACDF"},
        {"cabin": "premium_economy", "first_row": 3, "last_row": 4, "letters": "ABCDEF"},
        {"cabin": "economy", "first_row": 5, "last_row": 14, "letters": "ABCDEF"},
    ],
    "B787": [
        {"cabin": "first", "first_row": 1, "last_row": 2, "letters": "AF"},
        {"cabin": "business", "first_row": 3, "last_row": 5, "letters": "ACDF"},
        {"cabin": "premium_economy", "first_row": 6, "last_row": 8, "letters": "ABCDEF"},
        {"cabin": "economy", "first_row": 9, "last_row": 18, "letters": "ABCDEF"},
    ],
}

# Fare = flight base fare x multiplier; bags: included free, max in total.
CABINS = {
    "economy": {"multiplier": 1.0, "included_bags": 0, "max_bags": 2},
    "premium_economy": {"multiplier": 1.6, "included_bags": 1, "max_bags": 3},
    "business": {"multiplier": 3.2, "included_bags": 2, "max_bags": 3},
    "first": {"multiplier": 5.0, "included_bags": 3, "max_bags": 4},
}
BAG_FEE = 40.0
FULL_REFUND_HOURS = 24
SEAT_HOLDING = "('confirmed', 'flown', 'no_show')"  # statuses that occupy a seat


# ---------------------------------------------------------------- helpers


def stamp(moment: datetime.datetime) -> str:
    """A TIMESTAMP value for SQL. (Not strftime: it imports `time`, which the sandbox forbids.)"""
    return moment.isoformat(sep=" ", timespec="seconds")


def parse_stamp(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def parse_date(text: str, what: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ToolError(f"{what} '{text}' is not a date; use YYYY-MM-DD, like 2024-05-17") from None


def cabin_seats(aircraft: str, cabin: str) -> list:
    """All seats of one cabin in seat-map order (row, then letter)."""
    seats = []
    for block in AIRCRAFT[aircraft]:
        if block["cabin"] == cabin:
            for row in range(block["first_row"], block["last_row"] + 1):
                for letter in block["letters"]:
                    seats.append(f"{row}{letter}")
    return seats


def aircraft_cabins(aircraft: str) -> list:
    return [block["cabin"] for block in AIRCRAFT[aircraft]]


def seat_cabin(aircraft: str, seat: str) -> str | None:
    """The cabin a seat belongs to on this aircraft, or None if there is no such seat."""
    for block in AIRCRAFT[aircraft]:
        if seat in cabin_seats(aircraft, block["cabin"]):
            return block["cabin"]
    return None


def normalize_seat(seat: str) -> str:
    return seat.strip().upper()


def occupied_seats(db: Db, flight_id: str) -> set:
    rows = db.query(
        f"SELECT seat FROM bookings WHERE flight_id = ? AND seat IS NOT NULL "
        f"AND status IN {SEAT_HOLDING}",
        [flight_id],
    )
    return {row["seat"] for row in rows}


def has_departed(db: Db, flight: dict) -> bool:
    return parse_stamp(flight["departure"]) <= db.now


def hours_to_departure(db: Db, flight: dict) -> float:
    return (parse_stamp(flight["departure"]) - db.now).total_seconds() / 3600


def cabin_availability(db: Db, flight: dict) -> list:
    taken = occupied_seats(db, flight["flight_id"])
    out = []
    for cabin in aircraft_cabins(flight["aircraft"]):
        seats = cabin_seats(flight["aircraft"], cabin)
        free = [seat for seat in seats if seat not in taken]
        rules = CABINS[cabin]
        out.append({
            "cabin": cabin,
            "fare": round(flight["base_fare"] * rules["multiplier"], 2),
            "seats_total": len(seats),
            "seats_left": len(free),
            "included_bags": rules["included_bags"],
            "max_bags": rules["max_bags"],
        })
    return out


def load_flight(db: Db, flight_id: str) -> dict:
    flight = db.one("SELECT * FROM flights WHERE flight_id = ?", [flight_id])
    if flight is None:
        raise ToolError(f"flight {flight_id} not found; flight ids look like FL1001")
    return flight


def load_passenger(db: Db, passenger_id: str) -> dict:
    passenger = db.one("SELECT * FROM passengers WHERE passenger_id = ?", [passenger_id])
    if passenger is None:
        raise ToolError(f"passenger {passenger_id} not found; passenger ids look like PAX-10001")
    return passenger


def load_booking(db: Db, booking_id: str) -> dict:
    booking = db.one("SELECT * FROM bookings WHERE booking_id = ?", [booking_id])
    if booking is None:
        raise ToolError(f"booking {booking_id} not found; booking ids look like BK-50001")
    return booking


def changeable_flight(db: Db, booking: dict, action: str) -> dict:
    """The booking's flight, if the booking can still be changed (else a ToolError)."""
    booking_id = booking["booking_id"]
    if booking["status"] == "cancelled":
        raise ToolError(f"booking {booking_id} is already cancelled and cannot {action}")
    if booking["status"] == "flown":
        raise ToolError(f"booking {booking_id} has already been flown and cannot {action}")
    flight = load_flight(db, booking["flight_id"])
    if booking["status"] != "confirmed" or has_departed(db, flight):
        raise ToolError(
            f"flight {flight['flight_id']} departed at {flight['departure']}; "
            f"booking {booking_id} can no longer {action}"
        )
    return flight


def booking_view(db: Db, booking_id: str) -> dict:
    """A booking with its flight and passenger details, as tools return it."""
    return db.one(
        "SELECT b.*, f.flight_number, f.origin, f.destination, f.departure, f.arrival, "
        "p.first_name, p.last_name, round(b.fare + b.bag_fees, 2) AS total_paid "
        "FROM bookings b JOIN flights f USING (flight_id) "
        "JOIN passengers p USING (passenger_id) WHERE b.booking_id = ?",
        [booking_id],
    )


# ---------------------------------------------------------------- seed


def seed(db: Db, fake: Fake) -> None:
    rng = db.rng
    now = db.now
    db.insert("airports", AIRPORTS)

    # 300 passengers with unique emails.
    passengers = []
    for i in range(300):
        first = fake.first_name()
        last = fake.last_name()
        handle = re.sub(r"[^a-z]", "", f"{first}.{last}".lower())
        passengers.append({
            "passenger_id": f"PAX-{10001 + i}",
            "first_name": first,
            "last_name": last,
            "email": f"{handle}{i + 1}@{fake.free_email_domain()}",
            "phone": fake.phone_number(),
            "date_of_birth": str(fake.date_of_birth(minimum_age=2, maximum_age=88)),
            "loyalty_tier": rng.choices(["none", "silver", "gold", "platinum"], [6, 3, 2, 1])[0],
        })
    db.insert("passengers", passengers)
    passenger_ids = [p["passenger_id"] for p in passengers]

    # 20 routes, each flown on 6 different days from 10 days ago to 30 days ahead.
    codes = [a["code"] for a in AIRPORTS]
    pairs = [(a, b) for a in codes for b in codes if a != b]
    drafts = []
    for r, pair in enumerate(rng.sample(pairs, 20)):
        number = f"TA{100 + 37 * r + rng.randint(0, 30)}"
        aircraft = rng.choice(sorted(AIRCRAFT))
        minutes = rng.randint(70, 330)
        fare = round(rng.uniform(79, 389), 2)
        hour = rng.randint(6, 21)
        minute = rng.choice([0, 15, 30, 45])
        for k, offset in enumerate(sorted(rng.sample(range(-10, 31), 6))):
            day = db.today + datetime.timedelta(days=offset)
            departure = datetime.datetime(day.year, day.month, day.day, hour, minute)
            if r < 3 and k == 5:
                # A few flights leave within the next day (late-cancellation refunds).
                soon = now + datetime.timedelta(hours=3 + 6 * r)
                departure = datetime.datetime(soon.year, soon.month, soon.day, soon.hour)
            drafts.append({
                "flight_number": number, "origin": pair[0], "destination": pair[1],
                "departure": departure, "minutes": minutes, "aircraft": aircraft,
                "base_fare": fare,
            })
    drafts = sorted(drafts, key=lambda d: (d["departure"], d["flight_number"]))

    later = [i for i, d in enumerate(drafts) if d["departure"] > now + datetime.timedelta(days=2)]
    cancelled = set(rng.sample(later, 4))
    open_later = [i for i in later if i not in cancelled]
    full_flights = set(rng.sample(open_later, 2))
    full_business = set(rng.sample([i for i in open_later if i not in full_flights], 6))

    flights = []
    bookings = []
    for i, d in enumerate(drafts):
        flight_id = f"FL{1001 + i}"
        departed = d["departure"] <= now
        status = "departed" if departed else ("cancelled" if i in cancelled else "scheduled")
        flights.append({
            "flight_id": flight_id,
            "flight_number": d["flight_number"],
            "origin": d["origin"],
            "destination": d["destination"],
            "departure": stamp(d["departure"]),
            "arrival": stamp(d["departure"] + datetime.timedelta(minutes=d["minutes"])),
            "aircraft": d["aircraft"],
            "base_fare": d["base_fare"],
            "status": status,
        })

        # Which seats get sold: a share of each cabin, all of it on the full ones.
        sold = []
        for cabin in aircraft_cabins(d["aircraft"]):
            seats = cabin_seats(d["aircraft"], cabin)
            full = i in full_flights or (i in full_business and cabin == "business")
            count = len(seats) if full else rng.randint(0, len(seats) // 2)
            for seat in rng.sample(seats, count):
                sold.append({"cabin": cabin, "seat": seat, "full": full})
        extra_cancelled = 0 if (i in full_flights or i in full_business) else rng.randint(0, 2)
        for cabin in rng.choices(aircraft_cabins(d["aircraft"]), k=extra_cancelled):
            sold.append({"cabin": cabin, "seat": None, "full": False})

        travellers = rng.sample(passenger_ids, len(sold))
        for passenger_id, sale in zip(travellers, sold, strict=True):
            rules = CABINS[sale["cabin"]]
            fare = round(d["base_fare"] * rules["multiplier"], 2)
            bags = rng.randint(0, rules["max_bags"])
            bag_fees = round(max(0, bags - rules["included_bags"]) * BAG_FEE, 2)
            booked = min(d["departure"], now) - datetime.timedelta(
                days=rng.randint(1, 60), hours=rng.randint(0, 23))
            seat = sale["seat"]
            cancelled_at = None
            refund = 0.0
            if seat is None or status == "cancelled":
                state = "cancelled"
            elif departed:
                state = "no_show" if rng.random() < 0.1 else "flown"
            else:
                state = "confirmed"
            if state == "cancelled":
                seat = None
                cancelled_at = stamp(booked + datetime.timedelta(hours=rng.randint(1, 23)))
                refund = round(fare + bag_fees, 2)
            bookings.append({
                "passenger_id": passenger_id, "flight_id": flight_id, "cabin": sale["cabin"],
                "seat": seat, "status": state, "fare": fare, "checked_bags": bags,
                "bag_fees": bag_fees, "refund_amount": refund, "booked_at": stamp(booked),
                "cancelled_at": cancelled_at,
            })

    db.insert("flights", flights)
    # Booking ids follow booking time, like a real reservation system.
    bookings = sorted(bookings, key=lambda b: (b["booked_at"], b["flight_id"], b["passenger_id"]))
    db.insert("bookings", [
        {"booking_id": f"BK-{50001 + n}", **b} for n, b in enumerate(bookings)
    ])


# ---------------------------------------------------------------- flights


@tool(phrasing=[
    "Which flights go from {origin} to {destination}?",
    "Find me a flight from {origin} to {destination} on {date}.",
    "Are there any {origin} to {destination} flights?",
])
def search_flights(db: Db, origin: str, destination: str, date: str | None = None) -> list:
    """Find flights between two airports, optionally on one day, with seats left per cabin.

    Args:
        origin: IATA code of the departure airport, like "JFK".
        destination: IATA code of the arrival airport, like "LAX".
        date: Departure day as YYYY-MM-DD; omit to list every flight on the route.
    """
    origin = origin.strip().upper()
    destination = destination.strip().upper()
    for code in [origin, destination]:
        if db.one("SELECT code FROM airports WHERE code = ?", [code]) is None:
            known = ", ".join([row["code"] for row in db.query("SELECT code FROM airports ORDER BY code")])
            raise ToolError(f"unknown airport code '{code}'; served airports: {known}")
    if origin == destination:
        raise ToolError(f"origin and destination are both {origin}; choose two different airports")
    sql = "SELECT * FROM flights WHERE origin = ? AND destination = ?"
    params = [origin, destination]
    if date is not None:
        day = parse_date(date, "date")
        sql = sql + " AND CAST(departure AS DATE) = ?"
        params.append(day.isoformat())
    flights = db.query(sql + " ORDER BY departure, flight_id", params)
    return [
        {
            "flight_id": f["flight_id"], "flight_number": f["flight_number"],
            "origin": f["origin"], "destination": f["destination"],
            "departure": f["departure"], "arrival": f["arrival"], "status": f["status"],
            "cabins": cabin_availability(db, f),
        }
        for f in flights
    ]


@tool(phrasing=[
    "Tell me about flight {flight_id}.",
    "When does {flight_id} leave, and how full is it?",
])
def get_flight(db: Db, flight_id: str) -> dict:
    """Get one flight: schedule, status, aircraft, and per cabin the fare, seats left and bag allowance.

    Args:
        flight_id: The flight's id, like "FL1001".
    """
    flight = load_flight(db, flight_id)
    return {**flight, "cabins": cabin_availability(db, flight)}


@tool(phrasing=[
    "Which seats are still free on {flight_id}?",
    "Show me open {cabin} seats on flight {flight_id}.",
])
def list_available_seats(db: Db, flight_id: str, cabin: Cabin | None = None) -> dict:
    """List the free seats on a flight, optionally only in one cabin.

    Args:
        flight_id: The flight's id, like "FL1001".
        cabin: Only seats in this cabin; omit for every cabin on the aircraft.
    """
    flight = load_flight(db, flight_id)
    cabins = aircraft_cabins(flight["aircraft"])
    if cabin is not None and cabin not in cabins:
        raise ToolError(
            f"flight {flight_id} ({flight['aircraft']}) has no {cabin} cabin; "
            f"its cabins are {', '.join(cabins)}"
        )
    taken = occupied_seats(db, flight_id)
    seats = []
    for name in cabins:
        if cabin is None or name == cabin:
            for seat in cabin_seats(flight["aircraft"], name):
                if seat not in taken:
                    seats.append({"seat": seat, "cabin": name})
    return {"flight_id": flight_id, "aircraft": flight["aircraft"], "seats": seats}


# ---------------------------------------------------------------- passengers


@tool(phrasing=[
    "Look up the passenger with last name {last_name}.",
    "Find the traveller {first_name} {last_name}.",
])
def find_passengers(db: Db, last_name: str, first_name: str | None = None) -> list:
    """Find passengers by last name (and first name), ignoring case.

    Args:
        last_name: The passenger's last name.
        first_name: The passenger's first name, to narrow the match.
    """
    sql = (
        "SELECT passenger_id, first_name, last_name, email, loyalty_tier FROM passengers "
        "WHERE lower(last_name) = lower(?)"
    )
    params = [last_name.strip()]
    if first_name is not None:
        sql = sql + " AND lower(first_name) = lower(?)"
        params.append(first_name.strip())
    return db.query(sql + " ORDER BY passenger_id", params)


@tool(phrasing=[
    "Show me the profile of passenger {passenger_id}.",
    "What details do you have for {passenger_id}?",
])
def get_passenger(db: Db, passenger_id: str) -> dict:
    """Get one passenger's profile: name, contact details, date of birth, loyalty tier.

    Args:
        passenger_id: The passenger's id, like "PAX-10001".
    """
    return load_passenger(db, passenger_id)


@tool(writes=True, phrasing=[
    "Please create a traveller profile for {first_name} {last_name}, email {email}, born {date_of_birth}.",
    "Register a new passenger: {first_name} {last_name} ({email}), date of birth {date_of_birth}.",
])
def create_passenger(
    db: Db, first_name: str, last_name: str, email: str, date_of_birth: str,
    phone: str | None = None,
) -> dict:
    """Create a passenger profile; the email must not belong to another passenger.

    Args:
        first_name: Given name as on the passport.
        last_name: Family name as on the passport.
        email: Contact email; one profile per email.
        date_of_birth: Date of birth as YYYY-MM-DD; not in the future.
        phone: Contact phone number.
    """
    first_name = first_name.strip()
    last_name = last_name.strip()
    email = email.strip().lower()
    if first_name == "" or last_name == "":
        raise ToolError("first_name and last_name must both be given")
    if re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", email) is None:
        raise ToolError(f"email '{email}' is not a valid address, like name@example.com")
    owner = db.one("SELECT passenger_id FROM passengers WHERE lower(email) = ?", [email])
    if owner is not None:
        raise ToolError(f"email {email} is already registered to passenger {owner['passenger_id']}")
    born = parse_date(date_of_birth, "date_of_birth")
    if born > db.today:
        raise ToolError(f"date_of_birth {date_of_birth} is in the future")
    number = db.scalar("SELECT max(CAST(substr(passenger_id, 5) AS INTEGER)) FROM passengers")
    passenger_id = f"PAX-{(number or 10000) + 1}"
    db.insert("passengers", [{
        "passenger_id": passenger_id, "first_name": first_name, "last_name": last_name,
        "email": email, "phone": phone, "date_of_birth": born.isoformat(),
        "loyalty_tier": "none",
    }])
    return load_passenger(db, passenger_id)


# ---------------------------------------------------------------- bookings


@tool(writes=True, confirm=True, phrasing=[
    "Book {passenger_id} on flight {flight_id} in {cabin}.",
    "I'd like to book flight {flight_id} for passenger {passenger_id}, seat {seat}.",
    "Reserve a {cabin} seat on {flight_id} for {passenger_id}.",
])
def book_flight(
    db: Db, passenger_id: str, flight_id: str, cabin: Cabin = "economy", seat: str | None = None,
) -> dict:
    """Book a passenger on a flight in a cabin, on a chosen seat or the first free one.

    Args:
        passenger_id: Who flies, like "PAX-10001".
        flight_id: The flight, like "FL1001".
        cabin: The cabin class to book.
        seat: A free seat in that cabin, like "12A"; omit to get the first free seat.
    """
    passenger = load_passenger(db, passenger_id)
    flight = load_flight(db, flight_id)
    if flight["status"] == "cancelled":
        raise ToolError(f"flight {flight_id} has been cancelled by the airline and cannot be booked")
    if has_departed(db, flight):
        raise ToolError(f"flight {flight_id} already departed at {flight['departure']}")
    cabins = aircraft_cabins(flight["aircraft"])
    if cabin not in cabins:
        raise ToolError(
            f"flight {flight_id} ({flight['aircraft']}) has no {cabin} cabin; "
            f"its cabins are {', '.join(cabins)}"
        )
    existing = db.one(
        "SELECT booking_id FROM bookings WHERE passenger_id = ? AND flight_id = ? "
        "AND status = 'confirmed'",
        [passenger_id, flight_id],
    )
    if existing is not None:
        raise ToolError(
            f"passenger {passenger_id} already holds booking {existing['booking_id']} "
            f"on flight {flight_id}"
        )
    taken = occupied_seats(db, flight_id)
    free = [s for s in cabin_seats(flight["aircraft"], cabin) if s not in taken]
    if len(free) == 0:
        raise ToolError(f"the {cabin} cabin on flight {flight_id} is full")
    if seat is None:
        seat = free[0]
    else:
        seat = normalize_seat(seat)
        where = seat_cabin(flight["aircraft"], seat)
        if where is None:
            raise ToolError(f"seat {seat} does not exist on flight {flight_id} ({flight['aircraft']})")
        if where != cabin:
            raise ToolError(f"seat {seat} on flight {flight_id} is in {where}, not {cabin}")
        if seat in taken:
            raise ToolError(f"seat {seat} on flight {flight_id} is already taken; {len(free)} {cabin} seats are free")
    number = db.scalar("SELECT max(CAST(substr(booking_id, 4) AS INTEGER)) FROM bookings")
    booking_id = f"BK-{(number or 50000) + 1}"
    db.insert("bookings", [{
        "booking_id": booking_id, "passenger_id": passenger["passenger_id"],
        "flight_id": flight_id, "cabin": cabin, "seat": seat, "status": "confirmed",
        "fare": round(flight["base_fare"] * CABINS[cabin]["multiplier"], 2),
        "checked_bags": 0, "bag_fees": 0.0, "refund_amount": 0.0,
        "booked_at": stamp(db.now), "cancelled_at": None,
    }])
    return booking_view(db, booking_id)


@tool(phrasing=[
    "What's the status of booking {booking_id}?",
    "Pull up reservation {booking_id} for me.",
])
def get_booking(db: Db, booking_id: str) -> dict:
    """Get one booking with its flight and passenger: cabin, seat, status, fare, bags, refund.

    Args:
        booking_id: The booking's id, like "BK-50001".
    """
    load_booking(db, booking_id)
    return booking_view(db, booking_id)


@tool(phrasing=[
    "List the bookings of passenger {passenger_id}.",
    "Which {status} bookings does {passenger_id} have?",
])
def list_bookings(db: Db, passenger_id: str, status: BookingStatus | None = None) -> list:
    """List a passenger's bookings, newest departure first, optionally only one status.

    Args:
        passenger_id: The passenger, like "PAX-10001".
        status: Only bookings in this status; omit for all.
    """
    load_passenger(db, passenger_id)
    sql = (
        "SELECT b.booking_id, b.flight_id, f.flight_number, f.origin, f.destination, "
        "f.departure, b.cabin, b.seat, b.status FROM bookings b JOIN flights f USING (flight_id) "
        "WHERE b.passenger_id = ?"
    )
    params = [passenger_id]
    if status is not None:
        sql = sql + " AND b.status = ?"
        params.append(status)
    return db.query(sql + " ORDER BY f.departure DESC, b.booking_id", params)


@tool(writes=True, confirm=True, phrasing=[
    "Move booking {booking_id} to seat {seat}.",
    "Can I switch to seat {seat} on booking {booking_id}?",
])
def change_seat(db: Db, booking_id: str, seat: str) -> dict:
    """Move a confirmed booking to another free seat on the same flight and in the same cabin.

    Args:
        booking_id: The booking, like "BK-50001".
        seat: The new seat, like "14C".
    """
    booking = load_booking(db, booking_id)
    flight = changeable_flight(db, booking, "change seats")
    seat = normalize_seat(seat)
    where = seat_cabin(flight["aircraft"], seat)
    if where is None:
        raise ToolError(f"seat {seat} does not exist on flight {flight['flight_id']} ({flight['aircraft']})")
    if seat == booking["seat"]:
        raise ToolError(f"booking {booking_id} already has seat {seat}")
    if where != booking["cabin"]:
        raise ToolError(
            f"seat {seat} is in {where} but booking {booking_id} is in {booking['cabin']}; "
            f"seat changes must stay in the booked cabin"
        )
    if seat in occupied_seats(db, flight["flight_id"]):
        raise ToolError(f"seat {seat} on flight {flight['flight_id']} is already taken")
    db.execute("UPDATE bookings SET seat = ? WHERE booking_id = ?", [seat, booking_id])
    return booking_view(db, booking_id)


@tool(writes=True, confirm=True, phrasing=[
    "Add {bags} checked bags to booking {booking_id}.",
    "I need to check {bags} more bags on {booking_id}.",
])
def add_checked_bags(db: Db, booking_id: str, bags: int = 1) -> dict:
    """Add checked bags to a confirmed booking; bags beyond the cabin's free allowance cost 40.00 each.

    Args:
        booking_id: The booking, like "BK-50001".
        bags: How many bags to add (at least 1).
    """
    if bags < 1:
        raise ToolError(f"bags must be at least 1, got {bags}")
    booking = load_booking(db, booking_id)
    changeable_flight(db, booking, "add bags")
    rules = CABINS[booking["cabin"]]
    total = booking["checked_bags"] + bags
    if total > rules["max_bags"]:
        raise ToolError(
            f"the {booking['cabin']} cabin allows at most {rules['max_bags']} checked bags; "
            f"booking {booking_id} already has {booking['checked_bags']}, so at most "
            f"{rules['max_bags'] - booking['checked_bags']} more can be added"
        )
    fees = round(max(0, total - rules["included_bags"]) * BAG_FEE, 2)
    db.execute(
        "UPDATE bookings SET checked_bags = ?, bag_fees = ? WHERE booking_id = ?",
        [total, fees, booking_id],
    )
    view = booking_view(db, booking_id)
    return {**view, "fee_charged": round(fees - booking["bag_fees"], 2)}


@tool(writes=True, confirm=True, phrasing=[
    "Cancel booking {booking_id}.",
    "I can't travel anymore, please cancel {booking_id} and refund me.",
])
def cancel_booking(db: Db, booking_id: str) -> dict:
    """Cancel a confirmed booking before departure and release its seat.

    The refund is fare plus bag fees when cancelled 24 hours or more before departure,
    half of that later.

    Args:
        booking_id: The booking, like "BK-50001".
    """
    booking = load_booking(db, booking_id)
    flight = changeable_flight(db, booking, "be cancelled")
    paid = booking["fare"] + booking["bag_fees"]
    refund = round(paid if hours_to_departure(db, flight) >= FULL_REFUND_HOURS else paid * 0.5, 2)
    db.execute(
        "UPDATE bookings SET status = 'cancelled', seat = NULL, refund_amount = ?, "
        "cancelled_at = ? WHERE booking_id = ?",
        [refund, stamp(db.now), booking_id],
    )
    return booking_view(db, booking_id)
