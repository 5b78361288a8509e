"""Expense approvals: staff file expense reports made of line items, submit them for
approval, and managers approve or send back the reports of their team.

A report moves draft -> submitted -> approved or returned (returned reports can be
edited and submitted again; a submitted one can be withdrawn back to draft). Approvers
are the submitter's manager; a report over the manager's approval limit goes to the
finance controller instead. Each spending category has a per-item policy cap. Staff
are found by their work email first. Staff numbers look like SN-204, reports ER-5001,
line items are numbered within their report (1, 2, ...).
"""
# Written for an independent audit; the generator never saw it while it was tuned. (Not in the
# docstring: the docstring is the env's system prompt.)

from typing import Literal

from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "staff"
AUTHENTICATE_FIRST = True

TABLES = """
CREATE TABLE staff (
    staff_number VARCHAR PRIMARY KEY,
    full_name VARCHAR NOT NULL,
    work_email VARCHAR NOT NULL UNIQUE,
    role VARCHAR NOT NULL,
    manager_number VARCHAR,
    approval_limit DECIMAL(10, 2) NOT NULL
);
CREATE TABLE reports (
    report_code VARCHAR PRIMARY KEY,
    staff_number VARCHAR NOT NULL,
    purpose VARCHAR NOT NULL,
    cost_center VARCHAR NOT NULL,
    state VARCHAR NOT NULL,
    approver_number VARCHAR,
    reviewer_comment VARCHAR NOT NULL DEFAULT ''
);
CREATE TABLE line_items (
    report_code VARCHAR NOT NULL,
    line_no INTEGER NOT NULL,
    category VARCHAR NOT NULL,
    merchant VARCHAR NOT NULL,
    spent_on DATE NOT NULL,
    amount DECIMAL(10, 2) NOT NULL,
    PRIMARY KEY (report_code, line_no)
);
CREATE TABLE policy_caps (
    category VARCHAR PRIMARY KEY,
    cap_per_item DECIMAL(10, 2) NOT NULL,
    needs_receipt_over DECIMAL(10, 2) NOT NULL
);
"""

Category = Literal["airfare", "lodging", "meals", "ground_transport", "conference_fees", "supplies"]
CostCenter = Literal["CC-100 Engineering", "CC-200 Sales", "CC-300 Operations"]
COST_CENTERS = ["CC-100 Engineering", "CC-200 Sales", "CC-300 Operations"]
CAPS = [("airfare", 1500.0, 0.0), ("lodging", 350.0, 0.0), ("meals", 90.0, 40.0),
        ("ground_transport", 200.0, 40.0), ("conference_fees", 2500.0, 0.0), ("supplies", 300.0, 60.0)]
PURPOSES = ["Customer visit in Denver", "Quarterly planning offsite", "Trade show booth duty",
            "Team training week", "Partner workshop in Austin", "Site inspection trip"]
MERCHANTS = {"airfare": ["Delta", "United", "Alaska Air"], "lodging": ["Hilton Garden Inn", "Marriott", "Hyatt Place"],
             "meals": ["Chipotle", "Olive Garden", "Blue Bottle Coffee"], "ground_transport": ["Uber", "Hertz", "Lyft"],
             "conference_fees": ["DevSummit", "SalesCon", "OpsWorld"], "supplies": ["Staples", "Best Buy", "Amazon"]}


def seed(db: Db, fake: Fake) -> None:
    db.insert("policy_caps", [{"category": c, "cap_per_item": cap, "needs_receipt_over": r} for c, cap, r in CAPS])
    staff = [{"staff_number": "SN-100", "full_name": fake.name(), "work_email": "controller@northpeak.example",
              "role": "controller", "manager_number": None, "approval_limit": 100000.0}]
    managers = []
    for i in range(4):
        number = f"SN-{110 + i}"
        managers.append(number)
        first, last = fake.first_name(), fake.last_name()
        staff.append({"staff_number": number, "full_name": f"{first} {last}",
                      "work_email": f"{first[0].lower()}.{last.lower()}@northpeak.example", "role": "manager",
                      "manager_number": "SN-100", "approval_limit": float(db.rng.choice([2000, 3000, 5000]))})
    for i in range(36):
        first, last = fake.first_name(), fake.last_name()
        staff.append({"staff_number": f"SN-{200 + i}", "full_name": f"{first} {last}",
                      "work_email": f"{first[0].lower()}.{last.lower()}{i}@northpeak.example", "role": "staff",
                      "manager_number": managers[i % 4], "approval_limit": 0.0})
    db.insert("staff", staff)
    reports, items = [], []
    for person in staff[1:]:
        for _ in range(db.rng.randint(1, 3)):
            code = f"ER-{5001 + len(reports)}"
            state = db.rng.choice(["draft", "submitted", "submitted", "approved", "returned"])
            approver = person["manager_number"] if state != "draft" else None
            comment = "Please attach the hotel folio" if state == "returned" else ""
            reports.append({"report_code": code, "staff_number": person["staff_number"],
                            "purpose": db.rng.choice(PURPOSES), "cost_center": db.rng.choice(COST_CENTERS),
                            "state": state, "approver_number": approver, "reviewer_comment": comment})
            for line in range(db.rng.randint(1, 4)):
                category = db.rng.choice([c for c, _, _ in CAPS])
                cap = next(c for c in CAPS if c[0] == category)[1]
                items.append({"report_code": code, "line_no": line + 1, "category": category,
                              "merchant": db.rng.choice(MERCHANTS[category]),
                              "spent_on": fake.date_between(start_date="-60d", end_date="-1d").isoformat(),
                              "amount": round(db.rng.uniform(cap * 0.1, cap * 0.9), 2)})
    db.insert("reports", reports)
    db.insert("line_items", items)


# --------------------------------------------------------------------------- helpers


def person(db: Db, staff_number: str) -> dict:
    row = db.one("SELECT * FROM staff WHERE staff_number = ?", [staff_number])
    if row is None:
        raise ToolError(f"no staff member {staff_number}")
    return row


def report_total(db: Db, report_code: str) -> float:
    return round(float(db.scalar("SELECT coalesce(sum(amount), 0) FROM line_items WHERE report_code = ?",
                                 [report_code])), 2)


def report_view(db: Db, report_code: str) -> dict:
    report = db.one("SELECT * FROM reports WHERE report_code = ?", [report_code])
    if report is None:
        raise ToolError(f"expense report {report_code} not found")
    report["line_items"] = db.query("SELECT line_no, category, merchant, spent_on, amount FROM line_items "
                                    "WHERE report_code = ? ORDER BY line_no", [report_code])
    report["total"] = report_total(db, report_code)
    return report


def own_report(db: Db, staff_number: str, report_code: str) -> dict:
    person(db, staff_number)
    report = report_view(db, report_code)
    if report["staff_number"] != staff_number:
        raise ToolError(f"expense report {report_code} belongs to someone else")
    return report


def editable(report: dict) -> None:
    if report["state"] not in ("draft", "returned"):
        raise ToolError(f"report {report['report_code']} is {report['state']}; only draft or returned reports "
                        "can be edited")


# --------------------------------------------------------------------------- tools


@tool
def find_staff_by_email(db: Db, work_email: str) -> dict:
    """Find a staff member by their work email; every other tool needs their staff number.

    Args:
        work_email: The person's work email address.
    """
    row = db.one("SELECT staff_number, full_name, role FROM staff WHERE lower(work_email) = lower(?)",
                 [work_email.strip()])
    if row is None:
        raise ToolError("no staff member has that work email")
    return row


@tool
def list_expense_reports(db: Db, staff_number: str,
                         state: Literal["draft", "submitted", "approved", "returned"] | None = None) -> list:
    """The staff member's own expense reports with their totals, optionally in one state only.

    Args:
        staff_number: Whose reports.
        state: Only reports in this state.
    """
    person(db, staff_number)
    rows = db.query("SELECT report_code, purpose, state FROM reports WHERE staff_number = ? ORDER BY report_code",
                    [staff_number])
    out = []
    for row in rows:
        if state is None or row["state"] == state:
            row["total"] = report_total(db, row["report_code"])
            out.append(row)
    return out


@tool
def get_expense_report(db: Db, staff_number: str, report_code: str) -> dict:
    """One of the staff member's reports with its line items, total, state and the reviewer's comment.

    Args:
        staff_number: Whose report.
        report_code: The report, like "ER-5001".
    """
    return own_report(db, staff_number, report_code)


@tool
def get_policy_cap(db: Db, category: Category) -> dict:
    """The company's per-item spending cap for a category and the amount above which a receipt is needed.

    Args:
        category: The spending category.
    """
    return db.one("SELECT * FROM policy_caps WHERE category = ?", [category])


@tool(writes=True)
def start_expense_report(db: Db, staff_number: str, purpose: str, cost_center: CostCenter) -> dict:
    """Open a new, empty draft report for a trip or purpose.

    Args:
        staff_number: Who the report is for.
        purpose: What the spending was for, in a few words.
        cost_center: The cost center to charge.
    """
    person(db, staff_number)
    if not purpose.strip():
        raise ToolError("a report needs a purpose")
    code = f"ER-{5001 + db.scalar('SELECT count(*) FROM reports')}"
    db.insert("reports", [{"report_code": code, "staff_number": staff_number, "purpose": purpose.strip(),
                           "cost_center": cost_center, "state": "draft", "approver_number": None,
                           "reviewer_comment": ""}])
    return own_report(db, staff_number, code)


@tool(writes=True)
def add_line_item(db: Db, staff_number: str, report_code: str, category: Category, merchant: str,
                  spent_on: str, amount: float) -> dict:
    """Add one expense to a draft or returned report; it must be within the category's cap and not in the future.

    Args:
        staff_number: Whose report.
        report_code: The report to add to.
        category: The spending category.
        merchant: Where the money was spent.
        spent_on: The day of the expense, YYYY-MM-DD.
        amount: The amount in US dollars.
    """
    report = own_report(db, staff_number, report_code)
    editable(report)
    if amount <= 0:
        raise ToolError("the amount must be positive")
    cap = db.scalar("SELECT cap_per_item FROM policy_caps WHERE category = ?", [category])
    if amount > cap:
        raise ToolError(f"{amount:.2f} is over the {category.replace('_', ' ')} cap of {cap:.2f} per item")
    if len(spent_on) != 10 or spent_on > db.today.isoformat():
        raise ToolError("the expense date must be a past day written YYYY-MM-DD")
    line = 1 + int(db.scalar("SELECT coalesce(max(line_no), 0) FROM line_items WHERE report_code = ?",
                             [report_code]))
    db.insert("line_items", [{"report_code": report_code, "line_no": line, "category": category,
                              "merchant": merchant.strip(), "spent_on": spent_on, "amount": round(amount, 2)}])
    return own_report(db, staff_number, report_code)


@tool(writes=True, confirm=True)
def remove_line_item(db: Db, staff_number: str, report_code: str, line_no: int) -> dict:
    """Take one expense off a draft or returned report.

    Args:
        staff_number: Whose report.
        report_code: The report.
        line_no: The number of the line item on the report.
    """
    report = own_report(db, staff_number, report_code)
    editable(report)
    if db.execute("DELETE FROM line_items WHERE report_code = ? AND line_no = ?", [report_code, line_no]) == 0:
        raise ToolError(f"report {report_code} has no line {line_no}")
    return own_report(db, staff_number, report_code)


@tool(writes=True, confirm=True)
def submit_expense_report(db: Db, staff_number: str, report_code: str) -> dict:
    """Send a draft or returned report for approval: to the manager, or to the controller above the manager's limit.

    Args:
        staff_number: Whose report.
        report_code: The report to submit.
    """
    report = own_report(db, staff_number, report_code)
    editable(report)
    if not report["line_items"]:
        raise ToolError(f"report {report_code} has no line items")
    submitter = person(db, staff_number)
    approver = submitter["manager_number"]
    if approver is None:
        raise ToolError("reports of the controller are approved outside this system")
    if report["total"] > person(db, approver)["approval_limit"]:
        approver = "SN-100"
    db.execute("UPDATE reports SET state = 'submitted', approver_number = ?, reviewer_comment = '' "
               "WHERE report_code = ?", [approver, report_code])
    return own_report(db, staff_number, report_code)


@tool(writes=True, confirm=True)
def withdraw_expense_report(db: Db, staff_number: str, report_code: str) -> dict:
    """Pull a submitted report back to draft before anyone has decided on it.

    Args:
        staff_number: Whose report.
        report_code: The report to withdraw.
    """
    report = own_report(db, staff_number, report_code)
    if report["state"] != "submitted":
        raise ToolError(f"report {report_code} is {report['state']}; only a submitted report can be withdrawn")
    db.execute("UPDATE reports SET state = 'draft', approver_number = NULL WHERE report_code = ?", [report_code])
    return own_report(db, staff_number, report_code)


@tool
def list_reports_awaiting_me(db: Db, staff_number: str) -> list:
    """Reports submitted to this approver that wait for their decision, with submitter and total.

    Args:
        staff_number: The approver.
    """
    if person(db, staff_number)["role"] == "staff":
        raise ToolError("only managers and the controller approve reports")
    rows = db.query("SELECT r.report_code, s.full_name AS submitted_by, r.purpose FROM reports r JOIN staff s ON "
                    "s.staff_number = r.staff_number WHERE r.approver_number = ? AND r.state = 'submitted' "
                    "ORDER BY r.report_code", [staff_number])
    for row in rows:
        row["total"] = report_total(db, row["report_code"])
    return rows


@tool(writes=True, confirm=True)
def decide_expense_report(db: Db, staff_number: str, report_code: str, decision: Literal["approve", "return"],
                          comment: str = "") -> dict:
    """Approve a report waiting for this approver, or return it to the submitter with a comment saying what to fix.

    Args:
        staff_number: The approver deciding.
        report_code: The report.
        decision: Approve it, or return it for changes.
        comment: What the submitter must fix; needed when returning.
    """
    report = report_view(db, report_code)
    if report["state"] != "submitted" or report["approver_number"] != staff_number:
        raise ToolError(f"report {report_code} is not waiting for your decision")
    if decision == "return" and not comment.strip():
        raise ToolError("returning a report needs a comment saying what to fix")
    state = "approved" if decision == "approve" else "returned"
    db.execute("UPDATE reports SET state = ?, reviewer_comment = ? WHERE report_code = ?",
               [state, comment.strip(), report_code])
    return report_view(db, report_code)
