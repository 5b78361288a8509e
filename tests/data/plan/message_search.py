"""Messages searched by a keyword: the only text column is the message itself (no name or
title). Written for the plan tests: a search's word comes from the column its description
mentions."""

from sandbox.authoring import Db, Fake, ToolError, tool

TABLES = """
CREATE TABLE messages (
    message_id BIGINT PRIMARY KEY,
    sender_id VARCHAR NOT NULL,
    message VARCHAR NOT NULL
);
"""

TEXTS = ["Lunch on Friday works for me", "The parcel arrived this morning", "Meeting moved to Thursday",
         "Thanks for the birthday flowers", "Garden party starts at noon"]


def seed(db: Db, fake: Fake) -> None:
    db.insert("messages", [{"message_id": i + 1, "sender_id": f"USR{i % 3:03d}", "message": text}
                           for i, text in enumerate(TEXTS)])


@tool
def search_messages(db: Db, keyword: str) -> dict:
    """Search for messages containing a specific keyword.

    Args:
        keyword: The keyword to search for in messages.
    """
    if not keyword.strip():
        raise ToolError("the keyword cannot be empty")
    return {"results": db.query("SELECT * FROM messages WHERE message ILIKE '%' || ? || '%' ORDER BY message_id",
                                [keyword])}
