"""Expense line items: each category has its own merchants (lodging at hotels, ground
transport with cab firms). Written for the plan tests: a new line's merchant fits its
category, as the existing lines' do."""

from typing import Literal

from sandbox.authoring import Db, Fake, tool

TABLES = """
CREATE TABLE line_items (
    line_id VARCHAR PRIMARY KEY,
    category VARCHAR NOT NULL,
    merchant VARCHAR NOT NULL
);
"""

MERCHANTS = {"lodging": ["Harbor Hotel", "Pine Lodge"], "ground_transport": ["Uber", "Lyft", "City Cabs"],
             "meals": ["Corner Bistro", "Noodle Bar"]}


def seed(db: Db, fake: Fake) -> None:
    rng = db.rng
    rows = []
    for i in range(30):
        category = rng.choice(sorted(MERCHANTS))
        rows.append({"line_id": f"LI-{i:03d}", "category": category, "merchant": rng.choice(MERCHANTS[category])})
    db.insert("line_items", rows)


@tool(writes=True)
def add_line_item(db: Db, category: Literal["lodging", "ground_transport", "meals"], merchant: str) -> dict:
    """Add a line item.

    Args:
        category: What kind of spending it is.
        merchant: Who was paid.
    """
    line_id = f"LI-{db.scalar('SELECT count(*) FROM line_items'):03d}"
    db.insert("line_items", [{"line_id": line_id, "category": category, "merchant": merchant}])
    return {"line_id": line_id, "category": category, "merchant": merchant}


@tool
def list_line_items(db: Db) -> list:
    """List the line items."""
    return db.query("SELECT * FROM line_items ORDER BY line_id")
