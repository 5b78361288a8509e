"""A write's value the assistant takes without the user saying it is the record's own, the
user's, or the acted-on record's: never a reference another kind of record holds (a refill
at the pharmacy of a fill the user had just cancelled, which they never named)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from toolace_mt.generation.backends.interface import CostMeter, SubTaskPlan
from toolace_mt.generation.backends.offline_backend import OfflineBackend
from toolace_mt.generation.draft import Draft
from toolace_mt.generation.plan.value_origin import may_supply, names_it, own_part, record_table, unknowable
from toolace_mt.generation.workbench import Workbench

PHARMACY = Path(__file__).resolve().parent.parent / "bench" / "fresh_envs" / "pharmacy_refills.py"
FILL = {"copay": 5.0, "dispense_id": "MD30020", "fulfilment": "pickup", "patient_id": "PT1024",
        "pharmacy_id": "PH08", "ready_on": "2026-07-07", "request_id": "RX20071", "status": "preparation"}
PATIENT = {"patient_id": "PT1024", "given_name": "Meagan", "family_name": "Ray", "birth_date": "1980-01-02",
           "phone": "555-000-1111", "preferred_pharmacy_id": "PH06"}


@pytest.fixture(scope="module")
def bench():
    made = Workbench(str(PHARMACY), 0)
    yield made
    made.close()


def test_a_record_is_read_as_the_row_of_its_table(bench) -> None:
    assert record_table(bench.catalog, FILL) == "dispenses"
    assert record_table(bench.catalog, PATIENT) == "patients"
    assert record_table(bench.catalog, {"amount": 3}) is None


def test_a_fills_pharmacy_does_not_supply_a_new_refills_pharmacy(bench) -> None:
    table = bench.env.user_table
    refill = {"request_id": "RX20069", "pharmacy_id": "PH08"}
    assert not may_supply(bench.catalog, table, FILL, "pharmacy_id", refill)
    assert own_part(bench.catalog, table, [FILL], "pharmacy_id", refill) == []
    # the fill's own key, the user's own key, the fill a move acts on: theirs
    assert may_supply(bench.catalog, table, FILL, "dispense_id", {"dispense_id": "MD30020"})
    assert may_supply(bench.catalog, table, PATIENT, "patient_id", refill, "patient_id")  # the user's own key
    assert may_supply(bench.catalog, table, FILL, "pharmacy_id", {"dispense_id": "MD30020", "pharmacy_id": "PH01"})


def test_the_users_home_library_is_not_where_they_pick_a_hold_up(library) -> None:
    patron = {"cardnumber": "23000090", "email": "kristi.lee@example.com", "firstname": "Kristi",
              "library_id": "MPL", "patron_id": "PA2050", "surname": "Lee"}
    hold = {"patron_id": "PA2050", "biblio_id": "BB343", "pickup_library_id": "MPL"}
    assert own_part(library.catalog, library.env.user_table, patron, "pickup_library_id", hold) == []
    assert own_part(library.catalog, library.env.user_table, patron, "patron_id", hold) == [{"patron_id": "PA2050"}]


@pytest.mark.slow
def test_a_refill_after_a_cancel_never_takes_the_cancelled_fills_pharmacy_unsaid(bench) -> None:
    backend = OfflineBackend()
    refills = 0
    for seed in range(16):
        rng = random.Random(seed)
        draft = Draft(system="", segments=[])
        bench.env.reset()
        plans = [SubTaskPlan(target="cancel_medication_dispense", steps=2),
                 SubTaskPlan(target="create_medication_dispense", steps=3)]
        for plan in bench.preconditions.arrange(plans):
            segment = backend.draft_segment(bench, plan, draft, rng, CostMeter())
            if segment is None:
                break
            draft.segments.append(segment)
            draft.execute(bench.env, start=len(draft.segments) - 1)
        fills = {c.arguments["dispense_id"]: c.result.result for s in draft.segments for t in s.turns
                 for c in t.calls if c.name == "cancel_medication_dispense" and c.result is not None and c.result.ok}
        for segment in draft.segments:
            for call in (c for t in segment.turns for c in t.calls if c.name == "create_medication_dispense"):
                pharmacy = call.arguments["pharmacy_id"]
                said = pharmacy in segment.stated.values() or any(
                    c.name == "search_pharmacies" for t in segment.turns for c in t.calls)
                preferred = bench.env.query("SELECT preferred_pharmacy_id AS p FROM patients WHERE patient_id = "
                                            "(SELECT patient_id FROM medication_requests WHERE request_id = ?)",
                                            [call.arguments["request_id"]])[0]["p"]
                refills += bool(fills)
                assert said or pharmacy == preferred or all(f.get("pharmacy_id") != pharmacy for f in fills.values()), (
                    segment.stated, pharmacy, fills)
    assert refills  # the seeds include a refill after a cancel


LIBRARY = Path(__file__).resolve().parent.parent / "bench" / "fresh_envs" / "library_loans.py"


@pytest.fixture(scope="module")
def library():
    made = Workbench(str(LIBRARY), 0)
    yield made
    made.close()


def test_a_catalogues_id_is_one_no_user_knows_by_heart(library) -> None:
    place_hold = library.tools["place_hold"]
    assert unknowable(library.values, place_hold, "biblio_id")  # a title's id: every patron's catalogue
    assert not unknowable(library.values, place_hold, "patron_id")  # their own


def test_a_holds_title_does_not_name_the_library_it_is_picked_up_at(library) -> None:
    holds = [{"biblio_id": "BB304", "hold_id": "HD7010", "patron_id": "PA2012", "pickup_library_id": "RPL",
              "status": "waiting", "title": "Focused system-worthy analyzer"},
             {"biblio_id": "BB353", "hold_id": "HD7011", "patron_id": "PA2012", "pickup_library_id": "FFL",
              "status": "pending", "title": "Synergized motivating customer loyalty"}]
    place_hold = library.tools["place_hold"]
    assert not names_it(library.values, place_hold, holds, "pickup_library_id", "FFL")
    assert names_it(library.values, place_hold, holds, "biblio_id", "BB353")


@pytest.mark.slow
def test_a_hold_on_a_title_names_the_title_and_a_search_shows_its_id(library) -> None:
    """Even with a one-step budget: the patron never dictates BB303, a search by the title they
    name shows it ("the biblio ID? BB303" was the audit's R)."""
    backend = OfflineBackend()
    holds = 0
    # alone, and after a sub-task that found the patron already (their look-up is not made
    # again, the search for the title still is)
    tasks = [[SubTaskPlan(target="place_hold", steps=1)],
             [SubTaskPlan(target="renew_checkout", steps=3), SubTaskPlan(target="place_hold", steps=4)]]
    for seed in range(16):
        rng = random.Random(seed)
        draft = Draft(system="", segments=[])
        library.env.reset()
        for plan in library.preconditions.arrange(tasks[seed % 2]):
            segment = backend.draft_segment(library, plan, draft, rng, CostMeter())
            if segment is None:
                break
            draft.segments.append(segment)
            draft.execute(library.env, start=len(draft.segments) - 1)
            calls = [c for t in segment.turns for c in t.calls]
            hold = next((c for c in calls if c.name == "place_hold"), None)
            if hold is None:
                continue
            holds += 1
            assert hold.arguments["biblio_id"] not in segment.stated.values(), segment.stated
            assert any(c.name == "search_biblios" for c in calls)
    assert holds


def test_an_order_a_create_just_made_makes_the_user_say_which_order() -> None:
    """add_tip after place_order made FD-2: the order looked up before (FD-1) is no longer
    taken silently; the user says which (the lead's ambiguous_target on food_delivery)."""
    from toolace_mt.generation.draft import Call
    from toolace_mt.generation.plan.call_plan import Candidate, minimal_plan

    tip = Call("add_tip", {"order_id": "FD-1", "amount": 5})
    looked_up = [(0, "order_id", {"order_id": "FD-1", "status": "delivered"})]
    made = [(1, "order_id", {"order_id": "FD-2", "status": "placed"})]
    plan = minimal_plan([Candidate(tip, None, "target")], looked_up, lambda p, v: True)
    assert "order_id" in plan.derived[id(tip)]  # nothing else shown: taken from the look-up
    plan = minimal_plan([Candidate(tip, None, "target")], looked_up, lambda p, v: True, looked_up + made)
    assert "order_id" not in plan.derived[id(tip)]  # the user says which
