"""Team task board: projects hold tasks, tasks are assigned to members, and members log
what they spend on a task.

Written for the plan tests as an API the generator was never tuned on: its ids are
camelCase or bare (`ID`, `taskID`, `memberId`), and several parameters say their format
only in their description (a month as YYYY-MM, an ISO 4217 currency code, a badge shaped
like an example, an enum listed in words, dates that must lie in the past or the future).
Each is validated, so a value that does not fit fails the call.
"""

import datetime
import re

from sandbox.authoring import Db, Fake, ToolError, tool

PRIORITIES = ("low", "normal", "urgent")
CURRENCIES = ("EUR", "USD", "GBP", "JPY", "CHF", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN", "NZD")

TABLES = """
CREATE TABLE projects (
    ID VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL
);
CREATE TABLE members (
    memberId VARCHAR PRIMARY KEY,
    fullName VARCHAR NOT NULL,
    birthDate DATE NOT NULL,
    badge VARCHAR NOT NULL
);
CREATE TABLE tasks (
    taskID VARCHAR PRIMARY KEY,
    projectID VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    priority VARCHAR NOT NULL,
    dueDate DATE NOT NULL,
    memberId VARCHAR
);
CREATE TABLE expenses (
    expenseId VARCHAR PRIMARY KEY,
    taskID VARCHAR NOT NULL,
    amount DECIMAL(8, 2) NOT NULL,
    currency VARCHAR NOT NULL,
    month VARCHAR NOT NULL,
    loggedOn DATE NOT NULL
);
"""

PROJECTS = ["Website relaunch", "Office move", "Spring campaign", "Payroll upgrade", "Customer portal"]
TITLES = ["Draft the brief", "Book the venue", "Review the budget", "Test the checkout", "Write the FAQ",
          "Order new desks", "Plan the launch", "Migrate the data", "Update the handbook", "Call the supplier"]


def seed(db: Db, fake: Fake) -> None:
    rng = db.rng
    today = db.today
    db.insert("projects", [{"ID": f"P{i + 1:02d}", "name": name} for i, name in enumerate(PROJECTS)])
    members = [{"memberId": f"m{100 + i}", "fullName": fake.name(),
                "birthDate": (today - datetime.timedelta(days=rng.randint(20 * 365, 60 * 365))).isoformat(),
                "badge": f"EMP-{rng.randint(0, 9999):04d}"} for i in range(8)]
    db.insert("members", members)
    tasks = []
    for i in range(24):
        tasks.append({"taskID": f"T-{500 + i}", "projectID": f"P{rng.randint(1, len(PROJECTS)):02d}",
                      "title": rng.choice(TITLES), "status": rng.choice(["open", "open", "open", "done"]),
                      "priority": rng.choice(PRIORITIES),
                      "dueDate": (today + datetime.timedelta(days=rng.randint(-20, 40))).isoformat(),
                      "memberId": rng.choice(members)["memberId"] if rng.random() < 0.7 else None})
    db.insert("tasks", tasks)
    expenses = []
    for i in range(20):
        day = today - datetime.timedelta(days=rng.randint(0, 200))
        expenses.append({"expenseId": f"X{900 + i}", "taskID": rng.choice(tasks)["taskID"],
                         "amount": round(rng.uniform(5, 300), 2), "currency": rng.choice(CURRENCIES[:4]),
                         "month": day.isoformat()[:7], "loggedOn": day.isoformat()})
    db.insert("expenses", expenses)


def load_task(db: Db, taskID: str) -> dict:
    row = db.one("SELECT * FROM tasks WHERE taskID = ?", [taskID])
    if row is None:
        raise ToolError(f"task {taskID} not found")
    return row


def parse_date(value: str, what: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ToolError(f"{what} must be a date written YYYY-MM-DD, got {value!r}") from None


@tool
def list_projects(db: Db) -> list:
    """List the team's projects."""
    return db.query("SELECT ID, name FROM projects ORDER BY ID")


@tool
def get_project(db: Db, ID: str) -> dict:
    """Show one project and its open tasks.

    Args:
        ID: The project's ID.
    """
    project = db.one("SELECT ID, name FROM projects WHERE ID = ?", [ID])
    if project is None:
        raise ToolError(f"project {ID} not found")
    project["tasks"] = db.query("SELECT taskID, title, dueDate FROM tasks WHERE projectID = ? AND status = 'open' "
                                "ORDER BY taskID", [ID])
    return project


@tool
def get_task(db: Db, taskID: str) -> dict:
    """Show one task.

    Args:
        taskID: The task's ID.
    """
    return load_task(db, taskID)


@tool(writes=True)
def create_task(db: Db, projectID: str, title: str, dueDate: str, priority: str = "normal") -> dict:
    """Add a task to a project.

    Args:
        projectID: The project the task belongs to.
        title: What has to be done.
        dueDate: When it is due (YYYY-MM-DD); it must lie in the future.
        priority: How urgent it is, one of low, normal or urgent.
    """
    if db.one("SELECT 1 FROM projects WHERE ID = ?", [projectID]) is None:
        raise ToolError(f"project {projectID} not found")
    if parse_date(dueDate, "the due date") <= db.today:
        raise ToolError("the due date must lie in the future")
    if priority not in PRIORITIES:
        raise ToolError(f"priority must be one of low, normal, urgent, got {priority!r}")
    count = db.scalar("SELECT count(*) FROM tasks")
    task_id = f"T-{500 + count}"
    db.insert("tasks", [{"taskID": task_id, "projectID": projectID, "title": title, "status": "open",
                         "priority": priority, "dueDate": dueDate, "memberId": None}])
    return {"taskID": task_id, "title": title, "dueDate": dueDate}


@tool(writes=True)
def complete_task(db: Db, taskID: str) -> dict:
    """Mark a task as done.

    Args:
        taskID: The task to complete.
    """
    task = load_task(db, taskID)
    if task["status"] == "done":
        raise ToolError(f"task {taskID} is already done")
    db.execute("UPDATE tasks SET status = 'done' WHERE taskID = ?", [taskID])
    return {"taskID": taskID, "status": "done"}


@tool(writes=True)
def assign_task(db: Db, taskID: str, memberId: str) -> dict:
    """Give a task to a team member.

    Args:
        taskID: The task.
        memberId: The member who takes it.
    """
    load_task(db, taskID)
    if db.one("SELECT 1 FROM members WHERE memberId = ?", [memberId]) is None:
        raise ToolError(f"member {memberId} not found")
    db.execute("UPDATE tasks SET memberId = ? WHERE taskID = ?", [memberId, taskID])
    return {"taskID": taskID, "memberId": memberId}


@tool
def list_members(db: Db) -> list:
    """List the team's members."""
    return db.query("SELECT memberId, fullName FROM members ORDER BY memberId")


@tool(writes=True)
def add_member(db: Db, fullName: str, birthDate: str, badge: str) -> dict:
    """Add a member to the team.

    Args:
        fullName: The member's full name.
        birthDate: The member's date of birth (YYYY-MM-DD).
        badge: The member's badge number, e.g. EMP-0042.
    """
    born = parse_date(birthDate, "the birth date")
    if (db.today - born).days < 16 * 365:
        raise ToolError("a member must be at least 16 years old")
    if not re.fullmatch(r"EMP-\d{4}", badge):
        raise ToolError(f"a badge number looks like EMP-0042, got {badge!r}")
    count = db.scalar("SELECT count(*) FROM members")
    member_id = f"m{100 + count}"
    db.insert("members", [{"memberId": member_id, "fullName": fullName, "birthDate": birthDate, "badge": badge}])
    return {"memberId": member_id, "fullName": fullName}


@tool(writes=True)
def log_expense(db: Db, taskID: str, amount: float, currency: str, month: str) -> dict:
    """Log money spent on a task.

    Args:
        taskID: The task the money was spent on.
        amount: How much was spent, from 1 to 500.
        currency: The ISO 4217 code of the currency, e.g. EUR.
        month: The month it is billed to, as YYYY-MM; not a month still to come.
    """
    load_task(db, taskID)
    if not 1 <= amount <= 500:
        raise ToolError("the amount must be from 1 to 500")
    if currency not in CURRENCIES:
        raise ToolError(f"currency {currency!r} is not accepted")
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month) or month > db.today.isoformat()[:7]:
        raise ToolError(f"the month must be a past or current month written YYYY-MM, got {month!r}")
    count = db.scalar("SELECT count(*) FROM expenses")
    expense_id = f"X{900 + count}"
    db.insert("expenses", [{"expenseId": expense_id, "taskID": taskID, "amount": amount, "currency": currency,
                            "month": month, "loggedOn": db.today.isoformat()}])
    return {"expenseId": expense_id, "amount": amount, "currency": currency, "month": month}


@tool
def list_expenses(db: Db, taskID: str, since: str) -> list:
    """The expenses logged on a task since a date.

    Args:
        taskID: The task.
        since: The first day to include (YYYY-MM-DD); it cannot be in the future.
    """
    load_task(db, taskID)
    if parse_date(since, "since") > db.today:
        raise ToolError("since cannot be in the future")
    return db.query("SELECT expenseId, amount, currency, month FROM expenses WHERE taskID = ? AND loggedOn >= ? "
                    "ORDER BY loggedOn", [taskID, since])
