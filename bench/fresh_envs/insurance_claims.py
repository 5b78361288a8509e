"""Insurance claims desk: policyholders open claims on their auto, home or travel
policies, attach the documents a claim needs, submit it for review, withdraw it, and
choose how an approved claim is paid out.

A claim moves draft -> submitted -> in_review -> approved or denied -> paid; a draft or
submitted claim can be withdrawn. Each kind of policy needs its own documents before a
claim can be submitted (auto: photo and repair estimate, plus a police report above
$5,000; home: photo and receipt; travel: receipt). The payout is the claimed amount
less the policy's deductible, capped at the coverage limit. The incident must fall
inside the policy's period. Policyholders are found by email and birth date. Members
look like M-40121, policies POL-88001, claims CLM-7001; documents are numbered within
their claim.
"""
# Written for an independent audit; the generator never saw it while it was tuned. (Not in the
# docstring: the docstring is the env's system prompt.)

import datetime
from typing import Literal

from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "policyholders"
CHECK_BEFORE_WRITE = True

TABLES = """
CREATE TABLE policyholders (
    member_number VARCHAR PRIMARY KEY,
    first_name VARCHAR NOT NULL,
    last_name VARCHAR NOT NULL,
    email VARCHAR NOT NULL UNIQUE,
    birth_date DATE NOT NULL
);
CREATE TABLE policies (
    policy_number VARCHAR PRIMARY KEY,
    member_number VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    insured_item VARCHAR NOT NULL,
    deductible DECIMAL(10, 2) NOT NULL,
    coverage_limit DECIMAL(10, 2) NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL
);
CREATE TABLE claims (
    claim_number VARCHAR PRIMARY KEY,
    policy_number VARCHAR NOT NULL,
    incident_date DATE NOT NULL,
    what_happened VARCHAR NOT NULL,
    amount_claimed DECIMAL(10, 2) NOT NULL,
    state VARCHAR NOT NULL,
    payout_method VARCHAR,
    decision_note VARCHAR NOT NULL DEFAULT ''
);
CREATE TABLE documents (
    claim_number VARCHAR NOT NULL,
    doc_no INTEGER NOT NULL,
    doc_type VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    PRIMARY KEY (claim_number, doc_no)
);
"""

DocType = Literal["photo", "receipt", "repair_estimate", "police_report", "medical_report"]
PayoutMethod = Literal["bank_transfer", "cheque", "repair_shop_direct"]
KINDS = {"auto": ["2019 Honda Civic", "2021 Toyota RAV4", "2017 Ford Focus", "2022 Kia Niro"],
         "home": ["12 Birch Lane", "48 Harbor View Apt 3", "7 Mill Road", "230 Elm Street"],
         "travel": ["Annual multi-trip cover", "Single trip to Lisbon", "Single trip to Tokyo"]}
LIMITS = {"auto": (500.0, 25000.0), "home": (1000.0, 150000.0), "travel": (100.0, 10000.0)}
STORIES = {"auto": ["Rear-ended at a stop light", "Hail dented the roof", "Side mirror hit in a car park"],
           "home": ["Burst pipe flooded the kitchen", "Storm blew tiles off the roof", "Break-in, laptop stolen"],
           "travel": ["Checked bag lost on the flight", "Trip cut short by illness", "Phone stolen abroad"]}
NEEDED = {"auto": ["photo", "repair_estimate"], "home": ["photo", "receipt"], "travel": ["receipt"]}
MAIL = ["example.com", "example.net", "example.org"]
STATES = ["draft", "submitted", "in_review", "approved", "denied", "paid"]


def seed(db: Db, fake: Fake) -> None:
    holders, policies, claims, documents = [], [], [], []
    for i in range(40):
        member = f"M-{40121 + i * 7}"
        first, last = fake.first_name(), fake.last_name()
        holders.append({"member_number": member, "first_name": first, "last_name": last,
                        "email": f"{first.lower()}.{last.lower()}{i}@{db.rng.choice(MAIL)}",
                        "birth_date": fake.date_of_birth(minimum_age=20, maximum_age=80).isoformat()})
        for kind in db.rng.sample(list(KINDS), db.rng.randint(1, 3)):
            number = f"POL-{88001 + len(policies)}"
            deductible, limit = LIMITS[kind]
            starts = db.today - datetime.timedelta(days=db.rng.randint(30, 300))
            policies.append({"policy_number": number, "member_number": member, "kind": kind,
                             "insured_item": db.rng.choice(KINDS[kind]), "deductible": deductible,
                             "coverage_limit": limit, "starts_on": starts.isoformat(),
                             "ends_on": (starts + datetime.timedelta(days=365)).isoformat()})
            for _ in range(db.rng.randint(0, 2)):
                claim = f"CLM-{7001 + len(claims)}"
                state = db.rng.choice(STATES)
                incident = starts + datetime.timedelta(days=db.rng.randint(1, 25))
                claims.append({"claim_number": claim, "policy_number": number, "incident_date": incident.isoformat(),
                               "what_happened": db.rng.choice(STORIES[kind]),
                               "amount_claimed": round(db.rng.uniform(200, limit / 4), 2), "state": state,
                               "payout_method": "bank_transfer" if state in ("approved", "paid") else None,
                               "decision_note": "Excluded: wear and tear" if state == "denied" else ""})
                kinds = NEEDED[kind] if state != "draft" else NEEDED[kind][:db.rng.randint(0, len(NEEDED[kind]))]
                for n, doc in enumerate(kinds, start=1):
                    documents.append({"claim_number": claim, "doc_no": n, "doc_type": doc,
                                      "file_name": f"{doc}_{n}.{'jpg' if doc == 'photo' else 'pdf'}"})
    db.insert("policyholders", holders)
    db.insert("policies", policies)
    db.insert("claims", claims)
    db.insert("documents", documents)


# --------------------------------------------------------------------------- helpers


def holder(db: Db, member_number: str) -> dict:
    row = db.one("SELECT * FROM policyholders WHERE member_number = ?", [member_number])
    if row is None:
        raise ToolError(f"no policyholder {member_number}")
    return row


def own_policy(db: Db, member_number: str, policy_number: str) -> dict:
    holder(db, member_number)
    row = db.one("SELECT * FROM policies WHERE policy_number = ? AND member_number = ?", [policy_number, member_number])
    if row is None:
        raise ToolError(f"policy {policy_number} is not one of your policies")
    return row


def missing_documents(db: Db, claim: dict, kind: str) -> list:
    have = {r["doc_type"] for r in db.query("SELECT doc_type FROM documents WHERE claim_number = ?",
                                            [claim["claim_number"]])}
    needed = list(NEEDED[kind])
    if kind == "auto" and float(claim["amount_claimed"]) > 5000:
        needed.append("police_report")
    return [d for d in needed if d not in have]


def claim_view(db: Db, member_number: str, claim_number: str) -> dict:
    holder(db, member_number)
    row = db.one("SELECT c.*, p.kind, p.deductible, p.coverage_limit FROM claims c JOIN policies p ON "
                 "p.policy_number = c.policy_number WHERE c.claim_number = ? AND p.member_number = ?",
                 [claim_number, member_number])
    if row is None:
        raise ToolError(f"claim {claim_number} is not one of your claims")
    docs = db.query("SELECT doc_no, doc_type, file_name FROM documents WHERE claim_number = ? ORDER BY doc_no",
                    [claim_number])
    kind = row.pop("kind")
    deductible, limit = float(row.pop("deductible")), float(row.pop("coverage_limit"))
    row["documents"] = docs
    row["missing_documents"] = missing_documents(db, row, kind)
    row["expected_payout"] = round(max(0.0, min(float(row["amount_claimed"]) - deductible, limit)), 2)
    return row


def parse_day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ToolError("a date is written YYYY-MM-DD") from None


# --------------------------------------------------------------------------- tools


@tool
def find_policyholder(db: Db, email: str, birth_date: str) -> dict:
    """Find a policyholder by their email and date of birth (both must match).

    Args:
        email: The email on the policy.
        birth_date: Their date of birth, YYYY-MM-DD.
    """
    row = db.one("SELECT member_number, first_name, last_name FROM policyholders WHERE lower(email) = lower(?) "
                 "AND birth_date = ?", [email.strip(), parse_day(birth_date).isoformat()])
    if row is None:
        raise ToolError("no policyholder matches that email and date of birth")
    return row


@tool
def list_policies(db: Db, member_number: str) -> list:
    """The member's policies: what each covers, its deductible, limit and dates.

    Args:
        member_number: The policyholder.
    """
    holder(db, member_number)
    return db.query("SELECT policy_number, kind, insured_item, deductible, coverage_limit, starts_on, ends_on "
                    "FROM policies WHERE member_number = ? ORDER BY policy_number", [member_number])


@tool
def list_claims(db: Db, member_number: str, state: Literal["any", "draft", "submitted", "in_review", "approved",
                                                           "denied", "paid", "withdrawn"] = "any") -> list:
    """The member's claims, newest first, optionally only those in one state.

    Args:
        member_number: The policyholder.
        state: Only claims in this state; any for all.
    """
    holder(db, member_number)
    sql = ("SELECT c.claim_number, c.policy_number, c.incident_date, c.what_happened, c.amount_claimed, c.state "
           "FROM claims c JOIN policies p ON p.policy_number = c.policy_number WHERE p.member_number = ?")
    params = [member_number]
    if state != "any":
        sql += " AND c.state = ?"
        params.append(state)
    return db.query(sql + " ORDER BY c.claim_number DESC", params)


@tool
def get_claim(db: Db, member_number: str, claim_number: str) -> dict:
    """One claim in full: its state, documents, the documents still missing and the payout expected.

    Args:
        member_number: The policyholder.
        claim_number: The claim.
    """
    return claim_view(db, member_number, claim_number)


@tool(writes=True)
def open_claim(db: Db, member_number: str, policy_number: str, incident_date: str, what_happened: str,
               amount_claimed: float) -> dict:
    """Open a draft claim on one of the member's policies for an incident inside the policy's period.

    Args:
        member_number: The policyholder.
        policy_number: The policy the claim is made on.
        incident_date: The day it happened, YYYY-MM-DD; not in the future.
        what_happened: A short account of the incident.
        amount_claimed: The loss in US dollars.
    """
    policy = own_policy(db, member_number, policy_number)
    day = parse_day(incident_date)
    if day > db.today:
        raise ToolError("the incident date cannot be in the future")
    if not (parse_day(str(policy["starts_on"])[:10]) <= day <= parse_day(str(policy["ends_on"])[:10])):
        raise ToolError(f"policy {policy_number} did not cover {day.isoformat()}: it runs from "
                        f"{str(policy['starts_on'])[:10]} to {str(policy['ends_on'])[:10]}")
    if not what_happened.strip():
        raise ToolError("say briefly what happened")
    if amount_claimed <= 0:
        raise ToolError("the amount claimed must be positive")
    if amount_claimed > float(policy["coverage_limit"]):
        raise ToolError(f"{amount_claimed:.2f} is over the policy's limit of {float(policy['coverage_limit']):.2f}")
    number = f"CLM-{7001 + db.scalar('SELECT count(*) FROM claims')}"
    db.insert("claims", [{"claim_number": number, "policy_number": policy_number, "incident_date": day.isoformat(),
                          "what_happened": what_happened.strip(), "amount_claimed": round(amount_claimed, 2),
                          "state": "draft", "payout_method": None, "decision_note": ""}])
    return claim_view(db, member_number, number)


@tool(writes=True)
def attach_document(db: Db, member_number: str, claim_number: str, doc_type: DocType, file_name: str) -> dict:
    """Attach a document to a draft claim (a claim already submitted cannot change).

    Args:
        member_number: The policyholder.
        claim_number: The claim.
        doc_type: What kind of document it is.
        file_name: The uploaded file's name, e.g. kitchen_floor.jpg.
    """
    claim = claim_view(db, member_number, claim_number)
    if claim["state"] != "draft":
        raise ToolError(f"claim {claim_number} is {claim['state']}; documents can only be added to a draft")
    name = file_name.strip()
    if not name or "." not in name or "/" in name:
        raise ToolError("a file name looks like photo_of_damage.jpg")
    n = 1 + int(db.scalar("SELECT coalesce(max(doc_no), 0) FROM documents WHERE claim_number = ?", [claim_number]))
    db.insert("documents", [{"claim_number": claim_number, "doc_no": n, "doc_type": doc_type, "file_name": name}])
    return claim_view(db, member_number, claim_number)


@tool(writes=True, confirm=True)
def remove_document(db: Db, member_number: str, claim_number: str, doc_no: int) -> dict:
    """Take a document off a draft claim.

    Args:
        member_number: The policyholder.
        claim_number: The claim.
        doc_no: The number of the document on the claim.
    """
    claim = claim_view(db, member_number, claim_number)
    if claim["state"] != "draft":
        raise ToolError(f"claim {claim_number} is {claim['state']}; only a draft's documents can be removed")
    if db.execute("DELETE FROM documents WHERE claim_number = ? AND doc_no = ?", [claim_number, doc_no]) == 0:
        raise ToolError(f"claim {claim_number} has no document {doc_no}")
    return claim_view(db, member_number, claim_number)


@tool(writes=True, confirm=True)
def submit_claim(db: Db, member_number: str, claim_number: str) -> dict:
    """Send a draft claim for review; every document its policy needs must be attached.

    Args:
        member_number: The policyholder.
        claim_number: The claim to submit.
    """
    claim = claim_view(db, member_number, claim_number)
    if claim["state"] != "draft":
        raise ToolError(f"claim {claim_number} is already {claim['state']}")
    if claim["missing_documents"]:
        raise ToolError(f"claim {claim_number} still needs: {', '.join(claim['missing_documents'])}")
    db.execute("UPDATE claims SET state = 'submitted' WHERE claim_number = ?", [claim_number])
    return claim_view(db, member_number, claim_number)


@tool(writes=True, confirm=True)
def withdraw_claim(db: Db, member_number: str, claim_number: str) -> dict:
    """Withdraw a claim that nobody has started reviewing (a draft or a submitted one).

    Args:
        member_number: The policyholder.
        claim_number: The claim to withdraw.
    """
    claim = claim_view(db, member_number, claim_number)
    if claim["state"] not in ("draft", "submitted"):
        raise ToolError(f"claim {claim_number} is {claim['state']} and can no longer be withdrawn")
    db.execute("UPDATE claims SET state = 'withdrawn' WHERE claim_number = ?", [claim_number])
    return claim_view(db, member_number, claim_number)


@tool(writes=True, confirm=True)
def choose_payout_method(db: Db, member_number: str, claim_number: str, payout_method: PayoutMethod) -> dict:
    """Choose how an approved claim is paid; a repair shop can be paid directly only on auto claims.

    Args:
        member_number: The policyholder.
        claim_number: The approved claim.
        payout_method: How the money is paid out.
    """
    claim = claim_view(db, member_number, claim_number)
    if claim["state"] != "approved":
        raise ToolError(f"claim {claim_number} is {claim['state']}; a payout method is chosen once it is approved")
    kind = db.scalar("SELECT kind FROM policies WHERE policy_number = ?", [claim["policy_number"]])
    if payout_method == "repair_shop_direct" and kind != "auto":
        raise ToolError("only auto claims can be paid to a repair shop directly")
    if claim["payout_method"] == payout_method:
        raise ToolError(f"claim {claim_number} is already paid by {payout_method.replace('_', ' ')}")
    db.execute("UPDATE claims SET payout_method = ? WHERE claim_number = ?", [payout_method, claim_number])
    return claim_view(db, member_number, claim_number)


@tool
def estimate_payout(db: Db, member_number: str, policy_number: str, loss_amount: float) -> dict:
    """What the policy would pay for a loss of this size: the loss less the deductible, up to the limit.

    Args:
        member_number: The policyholder.
        policy_number: The policy.
        loss_amount: The size of the loss in US dollars.
    """
    policy = own_policy(db, member_number, policy_number)
    if loss_amount <= 0:
        raise ToolError("the loss must be a positive amount")
    deductible, limit = float(policy["deductible"]), float(policy["coverage_limit"])
    return {"policy_number": policy_number, "loss_amount": round(loss_amount, 2), "deductible": deductible,
            "payout": round(max(0.0, min(loss_amount - deductible, limit)), 2)}
