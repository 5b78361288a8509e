"""Pharmacy refill desk: patients ask for refills of their prescriptions, pick the pharmacy
that fills them, and follow or cancel the fills in progress.

A port of the pharmacy side of the public HL7 FHIR R4 API (Patient, MedicationRequest,
MedicationDispense, Location, Coverage), reduced to the operations a refill desk offers:
the same resource names, status codes and fields, one tool per operation. Patient IDs
look like PT1001, prescriptions (medication requests) RX20001, fills (dispenses) MD30001,
pharmacies (locations) PH01.
"""
# Written for an independent audit; the generator never saw it while it was tuned. (Not in the
# docstring: the docstring is the env's system prompt.)

from typing import Literal

from sandbox.authoring import Db, Fake, ToolError, tool

USER_TABLE = "patients"

TABLES = """
CREATE TABLE patients (
    patient_id VARCHAR PRIMARY KEY,
    given_name VARCHAR NOT NULL,
    family_name VARCHAR NOT NULL,
    birth_date DATE NOT NULL,
    phone VARCHAR NOT NULL,
    preferred_pharmacy_id VARCHAR NOT NULL
);
CREATE TABLE pharmacies (
    pharmacy_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    city VARCHAR NOT NULL,
    delivers BOOLEAN NOT NULL
);
CREATE TABLE medication_requests (
    request_id VARCHAR PRIMARY KEY,
    patient_id VARCHAR NOT NULL,
    medication VARCHAR NOT NULL,
    dosage_instruction VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    refills_allowed INTEGER NOT NULL,
    refills_used INTEGER NOT NULL,
    days_supply INTEGER NOT NULL,
    last_filled DATE NOT NULL,
    prescriber VARCHAR NOT NULL
);
CREATE TABLE dispenses (
    dispense_id VARCHAR PRIMARY KEY,
    request_id VARCHAR NOT NULL,
    patient_id VARCHAR NOT NULL,
    pharmacy_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    fulfilment VARCHAR NOT NULL,
    ready_on DATE NOT NULL,
    copay DECIMAL(8, 2) NOT NULL
);
CREATE TABLE coverages (
    coverage_id VARCHAR PRIMARY KEY,
    patient_id VARCHAR NOT NULL,
    payer VARCHAR NOT NULL,
    plan_name VARCHAR NOT NULL,
    copay_generic DECIMAL(8, 2) NOT NULL,
    copay_brand DECIMAL(8, 2) NOT NULL
);
"""

MEDICATIONS = [
    ("atorvastatin 20 mg tablet", "Take 1 tablet by mouth every evening", True),
    ("lisinopril 10 mg tablet", "Take 1 tablet by mouth once daily", True),
    ("metformin 500 mg tablet", "Take 1 tablet by mouth twice daily with meals", True),
    ("levothyroxine 50 mcg tablet", "Take 1 tablet by mouth every morning before breakfast", True),
    ("amlodipine 5 mg tablet", "Take 1 tablet by mouth once daily", True),
    ("sertraline 50 mg tablet", "Take 1 tablet by mouth once daily", True),
    ("albuterol 90 mcg inhaler", "Inhale 2 puffs every 4 to 6 hours as needed", False),
    ("fluticasone 50 mcg nasal spray", "Use 2 sprays in each nostril once daily", False),
    ("omeprazole 20 mg capsule", "Take 1 capsule by mouth before breakfast", True),
    ("rosuvastatin 10 mg tablet", "Take 1 tablet by mouth once daily", False),
]
CITIES = ["Springfield", "Riverton", "Lakewood", "Fairview"]
PAYERS = [("Blue Harbor Health", "Silver PPO"), ("Northwind Mutual", "Basic HMO"),
          ("Cedar Care", "Gold PPO")]
REQUEST_STATUSES = ["active", "active", "active", "on-hold", "completed"]
CANCEL_REASONS = Literal["no-longer-needed", "filled-elsewhere", "too-expensive", "other"]


def seed(db: Db, fake: Fake) -> None:
    pharmacies = []
    for i, city in enumerate(CITIES * 2):
        pharmacies.append({"pharmacy_id": f"PH{i + 1:02d}", "name": f"{fake.last_name()} Pharmacy",
                           "city": city, "delivers": i % 3 != 0})
    db.insert("pharmacies", pharmacies)
    patients, requests, dispenses, coverages = [], [], [], []
    request_number, dispense_number = 20001, 30001
    for i in range(60):
        patient_id = f"PT{1001 + i}"
        birth = fake.date_of_birth(minimum_age=20, maximum_age=85)
        patients.append({"patient_id": patient_id, "given_name": fake.first_name(),
                         "family_name": fake.last_name(), "birth_date": birth.isoformat(),
                         "phone": fake.numerify("555-###-####"),
                         "preferred_pharmacy_id": db.rng.choice(pharmacies)["pharmacy_id"]})
        payer, plan = db.rng.choice(PAYERS)
        coverages.append({"coverage_id": f"CV{5001 + i}", "patient_id": patient_id, "payer": payer,
                          "plan_name": plan, "copay_generic": db.rng.choice([0.0, 5.0, 10.0]),
                          "copay_brand": db.rng.choice([25.0, 35.0, 50.0])})
        for medication, dosage, generic in db.rng.sample(MEDICATIONS, db.rng.randint(1, 4)):
            request_id = f"RX{request_number}"
            request_number += 1
            allowed = db.rng.randint(0, 5)
            used = db.rng.randint(0, allowed)
            days = db.rng.choice([30, 30, 90])
            last = fake.date_between(start_date="-120d", end_date="-1d")
            requests.append({"request_id": request_id, "patient_id": patient_id, "medication": medication,
                             "dosage_instruction": dosage, "status": db.rng.choice(REQUEST_STATUSES),
                             "refills_allowed": allowed, "refills_used": used, "days_supply": days,
                             "last_filled": last.isoformat(), "prescriber": f"Dr. {fake.last_name()}"})
            if db.rng.random() < 0.3:
                dispenses.append({"dispense_id": f"MD{dispense_number}", "request_id": request_id,
                                  "patient_id": patient_id,
                                  "pharmacy_id": db.rng.choice(pharmacies)["pharmacy_id"],
                                  "status": db.rng.choice(["preparation", "in-progress", "completed"]),
                                  "fulfilment": "pickup",
                                  "ready_on": fake.date_between(start_date="-10d", end_date="+5d").isoformat(),
                                  "copay": 5.0 if generic else 35.0})
                dispense_number += 1
    db.insert("patients", patients)
    db.insert("medication_requests", requests)
    db.insert("dispenses", dispenses)
    db.insert("coverages", coverages)


# --------------------------------------------------------------------------- helpers


def known_patient(db: Db, patient_id: str) -> dict:
    patient = db.one("SELECT * FROM patients WHERE patient_id = ?", [patient_id])
    if patient is None:
        raise ToolError(f"patient {patient_id} not found")
    return patient


def known_pharmacy(db: Db, pharmacy_id: str) -> dict:
    pharmacy = db.one("SELECT * FROM pharmacies WHERE pharmacy_id = ?", [pharmacy_id])
    if pharmacy is None:
        raise ToolError(f"pharmacy {pharmacy_id} not found")
    return pharmacy


def known_request(db: Db, request_id: str) -> dict:
    request = db.one("SELECT * FROM medication_requests WHERE request_id = ?", [request_id])
    if request is None:
        raise ToolError(f"prescription {request_id} not found")
    return request


def known_dispense(db: Db, dispense_id: str) -> dict:
    dispense = db.one("SELECT * FROM dispenses WHERE dispense_id = ?", [dispense_id])
    if dispense is None:
        raise ToolError(f"fill {dispense_id} not found")
    return dispense


# --------------------------------------------------------------------------- tools


@tool
def search_patient(db: Db, family_name: str, birth_date: str) -> dict:
    """Find a patient by family name and date of birth (how the desk identifies a caller).

    Args:
        family_name: The patient's family name, as on the prescription.
        birth_date: Date of birth, YYYY-MM-DD.
    """
    patient = db.one("SELECT * FROM patients WHERE lower(family_name) = lower(?) AND birth_date = ?",
                     [family_name, birth_date])
    if patient is None:
        raise ToolError("no patient with that family name and date of birth")
    return patient


@tool
def read_patient(db: Db, patient_id: str) -> dict:
    """Read a patient's record: name, date of birth, phone and preferred pharmacy.

    Args:
        patient_id: The patient's ID, like "PT1001".
    """
    return known_patient(db, patient_id)


@tool
def search_medication_requests(db: Db, patient_id: str,
                               status: Literal["active", "on-hold", "completed"] | None = None) -> list:
    """List a patient's prescriptions, optionally only those with a given status.

    Args:
        patient_id: The patient whose prescriptions to list.
        status: Only prescriptions with this status.
    """
    known_patient(db, patient_id)
    if status is None:
        return db.query("SELECT * FROM medication_requests WHERE patient_id = ? ORDER BY request_id", [patient_id])
    return db.query("SELECT * FROM medication_requests WHERE patient_id = ? AND status = ? ORDER BY request_id",
                    [patient_id, status])


@tool
def read_medication_request(db: Db, request_id: str) -> dict:
    """Read one prescription: medication, dosage, status, refills allowed and used.

    Args:
        request_id: The prescription's ID, like "RX20001".
    """
    request = known_request(db, request_id)
    return {**request, "refills_remaining": request["refills_allowed"] - request["refills_used"]}


@tool
def search_pharmacies(db: Db, city: str) -> list:
    """List the pharmacies in a city, with whether they deliver.

    Args:
        city: The city to search, like "Springfield".
    """
    rows = db.query("SELECT * FROM pharmacies WHERE lower(city) = lower(?) ORDER BY pharmacy_id", [city])
    if not rows:
        raise ToolError(f"no pharmacy in {city}")
    return rows


@tool
def read_coverage(db: Db, patient_id: str) -> dict:
    """Read a patient's insurance coverage: payer, plan and copays for generic and brand drugs.

    Args:
        patient_id: The patient whose coverage to read.
    """
    known_patient(db, patient_id)
    coverage = db.one("SELECT * FROM coverages WHERE patient_id = ?", [patient_id])
    if coverage is None:
        raise ToolError(f"patient {patient_id} has no coverage on file")
    return coverage


@tool(writes=True, confirm=True)
def create_medication_dispense(db: Db, request_id: str, pharmacy_id: str,
                               fulfilment: Literal["pickup", "delivery"] = "pickup") -> dict:
    """Request a refill of an active prescription at a pharmacy, for pickup or delivery.

    Args:
        request_id: The prescription to refill.
        pharmacy_id: The pharmacy that fills it.
        fulfilment: Pick it up at the pharmacy or have it delivered.
    """
    request = known_request(db, request_id)
    pharmacy = known_pharmacy(db, pharmacy_id)
    if request["status"] != "active":
        raise ToolError(f"prescription {request_id} is {request['status']}; only an active one can be refilled")
    if request["refills_used"] >= request["refills_allowed"]:
        raise ToolError(f"prescription {request_id} has no refills left; the prescriber must renew it")
    open_fill = db.scalar("SELECT dispense_id FROM dispenses WHERE request_id = ? AND status IN "
                          "('preparation', 'in-progress')", [request_id])
    if open_fill is not None:
        raise ToolError(f"prescription {request_id} already has fill {open_fill} in progress")
    if fulfilment == "delivery" and not pharmacy["delivers"]:
        raise ToolError(f"{pharmacy['name']} does not deliver; choose pickup or another pharmacy")
    coverage = db.one("SELECT * FROM coverages WHERE patient_id = ?", [request["patient_id"]])
    generic = any(m[0] == request["medication"] and m[2] for m in MEDICATIONS)
    copay = 0.0 if coverage is None else (coverage["copay_generic"] if generic else coverage["copay_brand"])
    number = db.scalar("SELECT count(*) FROM dispenses") + 30001
    dispense_id = f"MD{number}"
    ready = db.today.toordinal() + (2 if fulfilment == "pickup" else 3)
    ready_on = db.today.fromordinal(ready).isoformat()
    db.execute("UPDATE medication_requests SET refills_used = refills_used + 1 WHERE request_id = ?", [request_id])
    db.insert("dispenses", [{"dispense_id": dispense_id, "request_id": request_id,
                             "patient_id": request["patient_id"], "pharmacy_id": pharmacy_id,
                             "status": "preparation", "fulfilment": fulfilment, "ready_on": ready_on,
                             "copay": copay}])
    return known_dispense(db, dispense_id)


@tool
def search_medication_dispenses(db: Db, patient_id: str) -> list:
    """List a patient's fills (dispenses), newest first, with status and ready date.

    Args:
        patient_id: The patient whose fills to list.
    """
    known_patient(db, patient_id)
    return db.query("SELECT * FROM dispenses WHERE patient_id = ? ORDER BY dispense_id DESC", [patient_id])


@tool(writes=True, confirm=True)
def cancel_medication_dispense(db: Db, dispense_id: str, reason: CANCEL_REASONS) -> dict:
    """Cancel a fill that has not been handed over yet; the refill is given back.

    Args:
        dispense_id: The fill to cancel.
        reason: Why the patient cancels it.
    """
    dispense = known_dispense(db, dispense_id)
    if dispense["status"] not in ("preparation", "in-progress"):
        raise ToolError(f"fill {dispense_id} is {dispense['status']} and can no longer be cancelled")
    db.execute("UPDATE dispenses SET status = 'cancelled' WHERE dispense_id = ?", [dispense_id])
    db.execute("UPDATE medication_requests SET refills_used = refills_used - 1 WHERE request_id = ? "
               "AND refills_used > 0", [dispense["request_id"]])
    return {**known_dispense(db, dispense_id), "reason": reason}


@tool(writes=True, confirm=True)
def update_dispense_pharmacy(db: Db, dispense_id: str, pharmacy_id: str) -> dict:
    """Move a fill still in preparation to another pharmacy.

    Args:
        dispense_id: The fill to move.
        pharmacy_id: The pharmacy to move it to.
    """
    dispense = known_dispense(db, dispense_id)
    known_pharmacy(db, pharmacy_id)
    if dispense["status"] != "preparation":
        raise ToolError(f"fill {dispense_id} is {dispense['status']}; only a fill in preparation can move")
    if dispense["pharmacy_id"] == pharmacy_id:
        raise ToolError(f"fill {dispense_id} is already at pharmacy {pharmacy_id}")
    db.execute("UPDATE dispenses SET pharmacy_id = ? WHERE dispense_id = ?", [pharmacy_id, dispense_id])
    return known_dispense(db, dispense_id)


@tool(writes=True)
def update_patient_contact(db: Db, patient_id: str, phone: str) -> dict:
    """Change the phone number the pharmacy calls when a fill is ready.

    Args:
        patient_id: The patient to update.
        phone: The new phone number, like "555-123-4567".
    """
    known_patient(db, patient_id)
    digits = [c for c in phone if c.isdigit()]
    if len(digits) != 10:
        raise ToolError("a phone number needs 10 digits")
    db.execute("UPDATE patients SET phone = ? WHERE patient_id = ?", [phone, patient_id])
    return known_patient(db, patient_id)


@tool(writes=True)
def update_preferred_pharmacy(db: Db, patient_id: str, pharmacy_id: str) -> dict:
    """Set the pharmacy a patient's refills go to by default.

    Args:
        patient_id: The patient to update.
        pharmacy_id: The new preferred pharmacy.
    """
    patient = known_patient(db, patient_id)
    known_pharmacy(db, pharmacy_id)
    if patient["preferred_pharmacy_id"] == pharmacy_id:
        raise ToolError(f"pharmacy {pharmacy_id} is already the preferred one")
    db.execute("UPDATE patients SET preferred_pharmacy_id = ? WHERE patient_id = ?", [pharmacy_id, patient_id])
    return known_patient(db, patient_id)
