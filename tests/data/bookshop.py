"""Bookshop: customers borrow books. (The module docstring describes the domain.)"""
from typing import Literal

from sandbox.authoring import Db, Fake, ToolError, tool

TABLES = """
CREATE TABLE books (book_id VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, stock INTEGER NOT NULL);
CREATE TABLE loans (loan_id VARCHAR PRIMARY KEY, book_id VARCHAR NOT NULL, status VARCHAR NOT NULL);
"""


def seed(db: Db, fake: Fake) -> None:
    db.insert("books", [
        {"book_id": "B%04d" % i, "title": fake.catch_phrase(), "stock": db.rng.randint(0, 3)}
        for i in range(120)
    ])


@tool(phrasing=["Is book {book_id} in stock?"])
def get_book(db: Db, book_id: str) -> dict:
    """Look up one book.

    Args:
        book_id: The book's id, like "B0001".
    """
    book = db.one("SELECT * FROM books WHERE book_id = ?", [book_id])
    if book is None:
        raise ToolError(f"book {book_id} not found")
    return book


@tool(writes=True, phrasing=["I'd like to borrow {book_id}."])
def borrow_book(db: Db, book_id: str, kind: Literal["standard", "express"] = "standard") -> dict:
    """Borrow a book; it must be in stock.

    Args:
        book_id: The book to borrow.
        kind: How fast the loan is prepared.
    """
    book = get_book(db, book_id)
    if book["stock"] < 1:
        raise ToolError(f"book {book_id} is out of stock")
    loan_id = "L%05d" % db.rng.randrange(100000)
    db.execute("UPDATE books SET stock = stock - 1 WHERE book_id = ?", [book_id])
    db.execute("INSERT INTO loans VALUES (?, ?, ?)", [loan_id, book_id, "open"])
    return {"loan_id": loan_id, "book_id": book_id, "kind": kind}
