"""Bike repair workshop: riders book repairs, add notes to them, send back a repair whose fix
did not hold, and look through the workshop's how-to guides.

Written for the value tests as an API the generator was never tuned on: a repair's free text
(what still fails, a note) must be about that repair, a new repair's title about its kind, and
the guides are a list in the module, not a table, so only words like those the description
gives find one.
"""

from typing import Literal

from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "riders"

TABLES = """
CREATE TABLE riders (
    rider_id VARCHAR PRIMARY KEY,
    full_name VARCHAR NOT NULL
);
CREATE TABLE repairs (
    repair_id VARCHAR PRIMARY KEY,
    rider_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    status VARCHAR NOT NULL
);
CREATE TABLE repair_notes (
    repair_id VARCHAR NOT NULL,
    note_no INTEGER NOT NULL,
    text VARCHAR NOT NULL,
    PRIMARY KEY (repair_id, note_no)
);
"""

Kind = Literal["brakes", "gears", "wheels"]
PROBLEMS = {"brakes": ["Front brake squeals when wet", "Rear brake lever feels soft"],
            "gears": ["Chain skips under load", "Gears will not shift to the lowest"],
            "wheels": ["Back wheel wobbles at speed", "Tyre keeps losing air"]}
GUIDES = [{"guide": "G-1", "title": "Adjust your brake pads"}, {"guide": "G-2", "title": "Index your gears"},
          {"guide": "G-3", "title": "Patch an inner tube"}]


def seed(db: Db, fake: Fake) -> None:
    riders, repairs = [], []
    for i in range(12):
        rider = f"R-{101 + i}"
        riders.append({"rider_id": rider, "full_name": fake.name()})
        for j in range(2):
            kind = db.rng.choice(list(PROBLEMS))
            repairs.append({"repair_id": f"J-{501 + 2 * i + j}", "rider_id": rider, "kind": kind,
                            "title": db.rng.choice(PROBLEMS[kind]), "status": db.rng.choice(["done", "open"])})
    db.insert("riders", riders)
    db.insert("repairs", repairs)
    db.insert("repair_notes", [{"repair_id": r["repair_id"], "note_no": 1, "text": "Booked at the counter."}
                               for r in repairs])


def repair_of(db: Db, rider_id: str, repair_id: str) -> dict:
    repair = db.one("SELECT * FROM repairs WHERE repair_id = ? AND rider_id = ?", [repair_id, rider_id])
    if repair is None:
        raise ToolError(f"no repair {repair_id} for rider {rider_id}")
    return repair


@tool
def list_repairs(db: Db, rider_id: str) -> list:
    """The rider's repairs, with their kind, title and status.

    Args:
        rider_id: The rider, like R-101.
    """
    return db.query("SELECT * FROM repairs WHERE rider_id = ? ORDER BY repair_id", [rider_id])


@tool(writes=True)
def book_repair(db: Db, rider_id: str, kind: Kind, title: str, rim_inches: int | None = None) -> dict:
    """Book a new repair.

    Args:
        rider_id: The rider.
        kind: What part of the bike it is about.
        title: A short line on what is wrong.
        rim_inches: The rim size in inches, only for wheels repairs.
    """
    repair_id = f"J-{601 + int(db.scalar('SELECT count(*) FROM repairs'))}"
    db.insert("repairs", [{"repair_id": repair_id, "rider_id": rider_id, "kind": kind, "title": title,
                           "status": "open"}])
    return repair_of(db, rider_id, repair_id)


@tool(writes=True)
def add_repair_note(db: Db, rider_id: str, repair_id: str, text: str) -> dict:
    """Add a note to one of the rider's repairs.

    Args:
        rider_id: The rider.
        repair_id: The repair.
        text: What the rider wants the workshop to know.
    """
    repair_of(db, rider_id, repair_id)
    number = int(db.scalar("SELECT count(*) FROM repair_notes WHERE repair_id = ?", [repair_id])) + 1
    db.insert("repair_notes", [{"repair_id": repair_id, "note_no": number, "text": text}])
    return {"repair_id": repair_id, "note_no": number, "text": text}


@tool(writes=True)
def send_back_repair(db: Db, rider_id: str, repair_id: str, what_still_fails: str) -> dict:
    """Send back a finished repair whose fix did not hold.

    Args:
        rider_id: The rider.
        repair_id: The finished repair.
        what_still_fails: What is still wrong.
    """
    repair = repair_of(db, rider_id, repair_id)
    if repair["status"] != "done":
        raise ToolError(f"repair {repair_id} is still open")
    db.execute("UPDATE repairs SET status = 'open' WHERE repair_id = ?", [repair_id])
    return repair_of(db, rider_id, repair_id)


@tool
def search_guides(db: Db, words: str) -> list:
    """How-to guides whose title has any of the given words.

    Args:
        words: A word or two about the job, like "brake" or "inner tube".
    """
    wanted = [w for w in words.lower().split() if len(w) > 2]
    return [g for g in GUIDES if any(w in g["title"].lower() for w in wanted)]
