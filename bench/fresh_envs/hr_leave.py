"""HR self-service for time off: an employee logs in, checks their leave balances and the
company holidays, requests days off, cancels requests and sees who else is out.

A port of the time-off part of the public BambooHR API (employees, time off types, time
off balances, requests, "who's out", holidays), one tool per endpoint a self-service
assistant uses. The employee logs in with their work login and PIN first; the session
lives in a one-row table. Employees look like E4001, requests TO-7001, holidays like
H01. `count_workdays` is the service's own date arithmetic (weekdays between two dates,
holidays left out).
"""
# Written for an independent audit; the generator never saw it while it was tuned. (Not in the
# docstring: the docstring is the env's system prompt.)

from typing import Literal

from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "employees"

TABLES = """
CREATE TABLE logins (
    login VARCHAR PRIMARY KEY,
    pin VARCHAR NOT NULL,
    employee_id VARCHAR NOT NULL
);
CREATE TABLE employees (
    employee_id VARCHAR PRIMARY KEY,
    first_name VARCHAR NOT NULL,
    last_name VARCHAR NOT NULL,
    department VARCHAR NOT NULL,
    job_title VARCHAR NOT NULL
);
CREATE TABLE balances (
    employee_id VARCHAR NOT NULL,
    leave_type VARCHAR NOT NULL,
    days_available DOUBLE NOT NULL,
    PRIMARY KEY (employee_id, leave_type)
);
CREATE TABLE requests (
    request_id VARCHAR PRIMARY KEY,
    employee_id VARCHAR NOT NULL,
    leave_type VARCHAR NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    days DOUBLE NOT NULL,
    status VARCHAR NOT NULL,
    note VARCHAR NOT NULL
);
CREATE TABLE holidays (
    holiday_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    holiday_date DATE NOT NULL
);
CREATE TABLE session (
    session_id INTEGER PRIMARY KEY,
    employee_id VARCHAR
);
"""

DEPARTMENTS = {"Engineering": ["Software Engineer", "QA Analyst"], "Finance": ["Accountant", "Controller"],
               "Sales": ["Account Executive", "Sales Manager"], "Support": ["Support Specialist", "Team Lead"]}
LeaveType = Literal["vacation", "sick", "personal", "unpaid"]
HOLIDAYS = [("Memorial Day", "2026-05-25"), ("Independence Day", "2026-07-03"), ("Labor Day", "2026-09-07"),
            ("Thanksgiving", "2026-11-26"), ("Day after Thanksgiving", "2026-11-27"), ("Christmas Day", "2026-12-25")]


def seed(db: Db, fake: Fake) -> None:
    db.insert("holidays", [{"holiday_id": f"H{i + 1:02d}", "name": n, "holiday_date": d}
                           for i, (n, d) in enumerate(HOLIDAYS)])
    logins, employees, balances, requests = [], [], [], []
    for i in range(40):
        employee_id = f"E{4001 + i}"
        first, last = fake.first_name(), fake.last_name()
        department = list(DEPARTMENTS)[i % len(DEPARTMENTS)]
        employees.append({"employee_id": employee_id, "first_name": first, "last_name": last,
                          "department": department, "job_title": db.rng.choice(DEPARTMENTS[department])})
        logins.append({"login": f"{first[0].lower()}{last.lower()}", "pin": f"{db.rng.randint(0, 9999):04d}",
                       "employee_id": employee_id})
        for leave_type, top in (("vacation", 20), ("sick", 10), ("personal", 3)):
            balances.append({"employee_id": employee_id, "leave_type": leave_type,
                             "days_available": float(db.rng.randint(0, top))})
        for _ in range(db.rng.randint(0, 3)):
            start = fake.date_between(start_date="-30d", end_date="+90d")
            days = db.rng.randint(1, 4)
            end = start.fromordinal(start.toordinal() + days - 1)
            requests.append({"request_id": f"TO-{7001 + len(requests)}", "employee_id": employee_id,
                             "leave_type": db.rng.choice(["vacation", "vacation", "sick", "personal"]),
                             "start_date": start.isoformat(), "end_date": end.isoformat(), "days": float(days),
                             "status": db.rng.choice(["requested", "approved", "approved", "denied"]),
                             "note": db.rng.choice(["Family trip", "Doctor appointment", "Moving house",
                                                    "Wedding", "Rest"])})
    # the same login twice would make two people one account
    seen = set()
    for row in logins:
        while row["login"] in seen:
            row["login"] = row["login"] + "2"
        seen.add(row["login"])
    db.insert("logins", logins)
    db.insert("employees", employees)
    db.insert("balances", balances)
    db.insert("requests", requests)
    db.insert("session", [{"session_id": 1, "employee_id": None}])


# --------------------------------------------------------------------------- helpers


def logged_in(db: Db) -> str:
    """The logged-in employee's ID; ToolError when nobody is logged in."""
    employee_id = db.scalar("SELECT employee_id FROM session WHERE session_id = 1")
    if employee_id is None:
        raise ToolError("nobody is logged in; log in with your work login and PIN first")
    return employee_id


def own_request(db: Db, request_id: str) -> dict:
    request = db.one("SELECT * FROM requests WHERE request_id = ? AND employee_id = ?", [request_id, logged_in(db)])
    if request is None:
        raise ToolError(f"time-off request {request_id} not found among your requests")
    return request


def workdays(db: Db, start_date: str, end_date: str) -> float:
    """Weekdays from start to end, both included, company holidays left out."""
    start, end = db.today.fromisoformat(start_date), db.today.fromisoformat(end_date)
    if end < start:
        raise ToolError("the end date is before the start date")
    if end.toordinal() - start.toordinal() > 366:
        raise ToolError("a time-off period can be at most a year long")
    holidays = {str(r["holiday_date"]) for r in db.query("SELECT holiday_date FROM holidays")}
    count = 0
    for ordinal in range(start.toordinal(), end.toordinal() + 1):
        day = start.fromordinal(ordinal)
        if day.weekday() < 5 and day.isoformat() not in holidays:
            count += 1
    return float(count)


def iso_date(text: str, what: str) -> str:
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise ToolError(f"the {what} must be a date like 2026-06-01")
    return text


# --------------------------------------------------------------------------- tools


@tool(writes=True)
def login(db: Db, login: str, pin: str) -> dict:
    """Log the employee in to HR self-service; everything about their leave needs it.

    Args:
        login: The employee's work login, like "jsmith".
        pin: The employee's four-digit PIN.
    """
    row = db.one("SELECT * FROM logins WHERE login = ?", [login])
    if row is None or row["pin"] != pin:
        raise ToolError("the login or PIN is wrong")
    db.execute("UPDATE session SET employee_id = ? WHERE session_id = 1", [row["employee_id"]])
    employee = db.one("SELECT * FROM employees WHERE employee_id = ?", [row["employee_id"]])
    return {"logged_in": True, "employee_id": row["employee_id"], "first_name": employee["first_name"]}


@tool(writes=True)
def logout(db: Db) -> dict:
    """Log the current employee out."""
    logged_in(db)
    db.execute("UPDATE session SET employee_id = NULL WHERE session_id = 1")
    return {"logged_in": False}


@tool
def get_time_off_balances(db: Db) -> list:
    """The logged-in employee's days available for each kind of leave (unpaid leave has no balance)."""
    return db.query("SELECT leave_type, days_available FROM balances WHERE employee_id = ? ORDER BY leave_type",
                    [logged_in(db)])


@tool
def list_time_off_requests(db: Db, status: Literal["requested", "approved", "denied", "cancelled"] | None = None
                           ) -> list:
    """List the logged-in employee's time-off requests, optionally only those with one status.

    Args:
        status: Only requests with this status.
    """
    employee_id = logged_in(db)
    if status is None:
        return db.query("SELECT * FROM requests WHERE employee_id = ? ORDER BY start_date", [employee_id])
    return db.query("SELECT * FROM requests WHERE employee_id = ? AND status = ? ORDER BY start_date",
                    [employee_id, status])


@tool
def get_time_off_request(db: Db, request_id: str) -> dict:
    """One of the logged-in employee's time-off requests: kind, dates, days and status.

    Args:
        request_id: The request, like "TO-7001".
    """
    return own_request(db, request_id)


@tool(writes=True, confirm=True)
def request_time_off(db: Db, start_date: str, end_date: str, leave_type: LeaveType = "vacation",
                     note: str = "") -> dict:
    """Ask for days off; the days are taken from that kind of leave's balance (unpaid leave is not paid).

    Args:
        start_date: The first day off, YYYY-MM-DD.
        end_date: The last day off, YYYY-MM-DD.
        leave_type: Which kind of leave the days are taken from.
        note: A note for the manager.
    """
    employee_id = logged_in(db)
    start, end = iso_date(start_date, "start date"), iso_date(end_date, "end date")
    if start <= db.today.isoformat():
        raise ToolError("time off can only be requested for days after today")
    days = workdays(db, start, end)
    if days == 0:
        raise ToolError("those dates hold no workday")
    if leave_type != "unpaid":
        available = db.scalar("SELECT days_available FROM balances WHERE employee_id = ? AND leave_type = ?",
                              [employee_id, leave_type])
        if available is None or available < days:
            raise ToolError(f"not enough {leave_type} days: {days:g} needed, {available or 0:g} available")
        db.execute("UPDATE balances SET days_available = days_available - ? WHERE employee_id = ? AND "
                   "leave_type = ?", [days, employee_id, leave_type])
    overlap = db.scalar("SELECT request_id FROM requests WHERE employee_id = ? AND status IN ('requested', "
                        "'approved') AND start_date <= ? AND end_date >= ?", [employee_id, end, start])
    if overlap is not None:
        raise ToolError(f"those dates overlap request {overlap}")
    request_id = f"TO-{7001 + db.scalar('SELECT count(*) FROM requests')}"
    db.insert("requests", [{"request_id": request_id, "employee_id": employee_id, "leave_type": leave_type,
                            "start_date": start, "end_date": end, "days": days, "status": "requested",
                            "note": note}])
    return own_request(db, request_id)


@tool(writes=True, confirm=True)
def cancel_time_off_request(db: Db, request_id: str) -> dict:
    """Cancel a request that is still pending or approved and not started; its days go back to the balance.

    Args:
        request_id: The request to cancel.
    """
    request = own_request(db, request_id)
    if request["status"] not in ("requested", "approved"):
        raise ToolError(f"request {request_id} is {request['status']} and cannot be cancelled")
    if str(request["start_date"]) <= db.today.isoformat():
        raise ToolError(f"request {request_id} has already started")
    db.execute("UPDATE requests SET status = 'cancelled' WHERE request_id = ?", [request_id])
    if request["leave_type"] != "unpaid":
        db.execute("UPDATE balances SET days_available = days_available + ? WHERE employee_id = ? AND "
                   "leave_type = ?", [request["days"], request["employee_id"], request["leave_type"]])
    return own_request(db, request_id)


@tool
def whos_out(db: Db, start_date: str, end_date: str) -> list:
    """Colleagues in the logged-in employee's department with approved time off in a period.

    Args:
        start_date: The first day of the period, YYYY-MM-DD.
        end_date: The last day of the period, YYYY-MM-DD.
    """
    employee_id = logged_in(db)
    start, end = iso_date(start_date, "start date"), iso_date(end_date, "end date")
    department = db.scalar("SELECT department FROM employees WHERE employee_id = ?", [employee_id])
    return db.query("SELECT e.first_name, e.last_name, r.start_date, r.end_date FROM requests r JOIN employees e "
                    "ON e.employee_id = r.employee_id WHERE e.department = ? AND r.status = 'approved' AND "
                    "r.employee_id <> ? AND r.start_date <= ? AND r.end_date >= ? ORDER BY r.start_date",
                    [department, employee_id, end, start])


@tool
def list_holidays(db: Db) -> list:
    """The company holidays of the year."""
    return db.query("SELECT * FROM holidays ORDER BY holiday_date")


@tool
def count_workdays(db: Db, start_date: str, end_date: str) -> dict:
    """Count the workdays (weekdays that are no company holiday) from one date to another, both included.

    Args:
        start_date: The first day, YYYY-MM-DD.
        end_date: The last day, YYYY-MM-DD.
    """
    start, end = iso_date(start_date, "start date"), iso_date(end_date, "end date")
    return {"start_date": start, "end_date": end, "workdays": workdays(db, start, end)}
