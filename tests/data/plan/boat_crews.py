"""A test env: a sailing club's boats each have a roster (a join table), and a trip is
booked with a crew: a list of handles that must all be on the boat's roster. No column
is named like `crew`, so only trials can tell where its items come from; `note_tags`
takes free words (any list succeeds), so it must keep its plain values."""

from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "sailors"

TABLES = """
CREATE TABLE sailors (
    handle VARCHAR PRIMARY KEY,
    full_name VARCHAR NOT NULL
);
CREATE TABLE boats (
    boat_code VARCHAR PRIMARY KEY,
    skipper VARCHAR NOT NULL
);
CREATE TABLE rosters (
    boat_code VARCHAR NOT NULL,
    handle VARCHAR NOT NULL,
    PRIMARY KEY (boat_code, handle)
);
CREATE TABLE trips (
    trip_code VARCHAR PRIMARY KEY,
    boat_code VARCHAR NOT NULL,
    aboard VARCHAR NOT NULL
);
"""


def seed(db: Db, fake: Fake) -> None:
    people = [{"handle": f"sailor{i}", "full_name": fake.name()} for i in range(12)]
    db.insert("sailors", people)
    db.insert("boats", [{"boat_code": f"B-{b}", "skipper": f"sailor{b * 4}"} for b in range(3)])
    db.insert("rosters", [{"boat_code": f"B-{b}", "handle": f"sailor{b * 4 + k}"} for b in range(3) for k in range(4)])


@tool(writes=True)
def book_trip(db: Db, handle: str, boat_code: str, crew: list[str]) -> dict:
    """Book a trip on a boat the sailor is on the roster of.

    Args:
        handle: The sailor booking.
        boat_code: The boat.
        crew: Who sails along (at least two).
    """
    roster = [r["handle"] for r in db.query("SELECT handle FROM rosters WHERE boat_code = ?", [boat_code])]
    if handle not in roster:
        raise ToolError(f"{handle} is not on the roster of {boat_code}")
    strangers = [c for c in crew if c not in roster]
    if strangers:
        raise ToolError(f"not on the roster: {', '.join(strangers)}")
    if len(set(crew)) < 2:
        raise ToolError("a trip needs a crew of at least two")
    code = f"T-{1 + db.scalar('SELECT count(*) FROM trips')}"
    db.insert("trips", [{"trip_code": code, "boat_code": boat_code, "aboard": ",".join(sorted(crew))}])
    return {"trip_code": code, "crew": sorted(crew)}


@tool(writes=True)
def tag_boat(db: Db, boat_code: str, note_tags: list[str]) -> dict:
    """Tag a boat with a few words.

    Args:
        boat_code: The boat.
        note_tags: Words to tag it with.
    """
    if db.one("SELECT * FROM boats WHERE boat_code = ?", [boat_code]) is None:
        raise ToolError(f"no boat {boat_code}")
    return {"boat_code": boat_code, "tags": note_tags}
