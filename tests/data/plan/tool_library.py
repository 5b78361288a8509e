"""A test env: members of a tool library borrow tools, and a member can close their
account only once they hold nothing; a return is at most what they hold of that tool.
Every member holds something (one kind of tool for one member in three), so no close
succeeds on the seeded state, and a return of a made-up quantity rarely empties a loan."""

from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "members"

TABLES = """
CREATE TABLE members (
    member_id VARCHAR PRIMARY KEY,
    full_name VARCHAR NOT NULL,
    open BOOLEAN NOT NULL
);
CREATE TABLE loans (
    member_id VARCHAR NOT NULL,
    tool_name VARCHAR NOT NULL,
    quantity INTEGER NOT NULL,
    PRIMARY KEY (member_id, tool_name)
);
"""

TOOLS = ["hammer", "ladder", "drill", "saw", "clamp"]


def seed(db: Db, fake: Fake) -> None:
    members, loans = [], []
    for i in range(9):
        member_id = f"TL-{701 + i}"
        members.append({"member_id": member_id, "full_name": fake.name(), "open": True})
        kinds = 1 if i % 3 == 0 else 2 + i % 2
        for k in range(kinds):
            loans.append({"member_id": member_id, "tool_name": TOOLS[(i + k) % len(TOOLS)],
                          "quantity": 3 + (i + k) % 5})
    db.insert("members", members)
    db.insert("loans", loans)


def held(db: Db, member_id: str) -> list:
    if db.one("SELECT member_id FROM members WHERE member_id = ? AND open", [member_id]) is None:
        raise ToolError(f"no open member {member_id}")
    return db.query("SELECT tool_name, quantity FROM loans WHERE member_id = ? AND quantity > 0 "
                    "ORDER BY tool_name", [member_id])


@tool
def list_loans(db: Db, member_id: str) -> list:
    """The tools a member holds and how many of each.

    Args:
        member_id: The member.
    """
    return held(db, member_id)


@tool(writes=True)
def return_tools(db: Db, member_id: str, tool_name: str, quantity: int) -> dict:
    """Record tools a member brought back; at most as many as they hold.

    Args:
        member_id: The member.
        tool_name: Which tool.
        quantity: How many were brought back.
    """
    have = {r["tool_name"]: r["quantity"] for r in held(db, member_id)}
    if tool_name not in have:
        raise ToolError(f"{member_id} holds no {tool_name}")
    if quantity <= 0 or quantity > have[tool_name]:
        raise ToolError(f"{member_id} holds {have[tool_name]} of {tool_name}; return more than 0 and at most that")
    db.execute("UPDATE loans SET quantity = quantity - ? WHERE member_id = ? AND tool_name = ?",
               [quantity, member_id, tool_name])
    return {"member_id": member_id, "tool_name": tool_name, "still_held": have[tool_name] - quantity}


@tool(writes=True)
def close_account(db: Db, member_id: str) -> dict:
    """Close a member's account; only when they hold no tools.

    Args:
        member_id: The member.
    """
    still = [r["tool_name"] for r in held(db, member_id)]
    if still:
        raise ToolError(f"bring back {', '.join(still)} first")
    db.execute("UPDATE members SET open = false WHERE member_id = ?", [member_id])
    return {"closed": member_id}
