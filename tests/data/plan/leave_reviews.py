"""A test env: staff request leave, and a request is decided by its reviewer only, named
in the request's `reviewer_id`; the decide tool takes the caller as `employee_id`, so a
proposal tying values by name (the request's own employee) never succeeds."""

from typing import Literal

from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "employees"

TABLES = """
CREATE TABLE employees (
    employee_id VARCHAR PRIMARY KEY,
    full_name VARCHAR NOT NULL,
    email VARCHAR NOT NULL
);
CREATE TABLE leave_requests (
    request_id VARCHAR PRIMARY KEY,
    employee_id VARCHAR NOT NULL,
    reviewer_id VARCHAR,
    days INTEGER NOT NULL,
    state VARCHAR NOT NULL
);
"""


def seed(db: Db, fake: Fake) -> None:
    people = [{"employee_id": f"E{100 + i}", "full_name": fake.name(), "email": f"e{100 + i}@corp.example"}
              for i in range(16)]
    db.insert("employees", people)
    requests = []
    for i in range(4, 16):
        for j in range(2):
            state = ["pending", "approved", "draft"][(i + j) % 3]
            requests.append({"request_id": f"LR-{700 + len(requests)}", "employee_id": f"E{100 + i}",
                             "reviewer_id": None if state == "draft" else f"E{100 + i % 4}", "days": 1 + (i + j) % 5,
                             "state": state})
    db.insert("leave_requests", requests)


@tool
def get_employee(db: Db, email: str) -> dict:
    """Find an employee by email.

    Args:
        email: Their work email.
    """
    row = db.one("SELECT * FROM employees WHERE email = ?", [email])
    if row is None:
        raise ToolError("no employee has that email")
    return row


@tool(writes=True, confirm=True)
def decide_leave(db: Db, employee_id: str, request_id: str, decision: Literal["approve", "reject"]) -> dict:
    """Approve or reject a pending leave request waiting for this reviewer.

    Args:
        employee_id: The reviewer deciding.
        request_id: The request, like "LR-700".
        decision: Approve or reject it.
    """
    row = db.one("SELECT * FROM leave_requests WHERE request_id = ?", [request_id])
    if row is None:
        raise ToolError(f"no leave request {request_id}")
    if row["state"] != "pending" or row["reviewer_id"] != employee_id:
        raise ToolError(f"request {request_id} is not waiting for your decision")
    state = "approved" if decision == "approve" else "rejected"
    db.execute("UPDATE leave_requests SET state = ? WHERE request_id = ?", [state, request_id])
    return {**row, "state": state}
