"""The user talks like a person and the assistant says fields as phrases: no value mapped
onto a parameter label ("X as the bank name", "As for the city"), yes/no values said as the
wish their description states, camelCase tool names said as words, event fields said as
events, counts never as dollars; and the plan-side rules behind training-grade dialogues
(an echoing read answers nothing, a typo really fails, a setting write's new value is the
user's)."""

from __future__ import annotations

import random
import re
from types import SimpleNamespace

import pytest

from sandbox import ToolSpec
from toolace_mt.generation.draft import Call, Draft, Segment, Turn
from toolace_mt.generation.language import error_wording, field_clauses, spoken_values
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.language.labels import show
from toolace_mt.generation.language.record_parts import merged
from toolace_mt.generation.language.tool_language import description, request
from toolace_mt.generation.plan.call_plan import Candidate
from toolace_mt.generation.plan.dialogue_facts import re_resolves, shown_values
from toolace_mt.generation.plan.free_text import names_a_thing, text_kind, thing_name
from toolace_mt.generation.plan.id_names import name_words
from toolace_mt.generation.plan.injections import _repeats_without, _taken
from toolace_mt.generation.plan.mistakes import _chosen_from_a_list, _mistype
from toolace_mt.generation.plan.mistakes import says as _says
from toolace_mt.generation.plan.redundancy import echoes, own_record, rewrites
from toolace_mt.generation.plan.segment_drafter import _set_values

SEEDS = range(300)
# "<value> as/for the <label>", "As for the <label>", "Reason: ..." : a form, not a person.
FORM = re.compile(r"\b(?:as|for) the (?:bank name|city|memo|reason|payee name|amount|nickname)"
                  r"(?=\s*(?:[,.;!?]|and\b|$))|(?:^|\. )As for the |^Reason:")


@pytest.mark.parametrize(("param", "value"), [("bank_name", "Booth Bank"), ("city", "Riverton"),
                                              ("memo", "gift for Caitlin's reunion"), ("reason", "other"),
                                              ("amount", 306.24), ("payee_name", "Shari Orr")])
def test_a_value_is_never_mapped_onto_its_label_like_a_form(param: str, value: object) -> None:
    said = {w.value_clause(random.Random(s), param, value) for s in SEEDS}
    said |= {" ".join(w.value_sentences(random.Random(s), [(param, value), ("nickname", "Hayden")])) for s in SEEDS}
    assert not [t for t in said if FORM.search(t)]
    assert all(str(value) in t for t in said if "nickname" not in t or str(value) in t)


def test_an_enum_value_said_in_words_is_a_choice_not_a_quoted_memo() -> None:
    spoken = w.EnumWords("too expensive")
    said = {w.value_clause(random.Random(s), "reason", spoken) for s in SEEDS}
    assert not [t for t in said if '"' in t]
    assert all("too expensive" in t for t in said)
    assert any('"' in w.value_clause(random.Random(s), "reason", "the venue is no longer available") for s in SEEDS)


@pytest.mark.parametrize(("text", "yes", "no"), [
    ("True to activate the cruise control, False to deactivate.", "activate the cruise control", "deactivate"),
    ("Also list cancelled events.", "also list cancelled events", "list cancelled events"),
    ("True if the doors are to be unlocked, False otherwise.", "The doors are to be unlocked.",
     "The doors are not to be unlocked."),
])
def test_a_flag_is_said_as_the_wish_its_description_states(text: str, yes: str, no: str) -> None:
    for seed in range(20):
        on = w.flag_sentence(random.Random(seed), text, True)
        off = w.flag_sentence(random.Random(seed), text, False)
        assert on is not None and yes in on
        assert off is not None and no in off and off != on
    assert w.flag_sentence(random.Random(0), "The list of doors.", True) is None


def test_a_flag_named_by_a_verb_is_said_as_which_ones() -> None:
    said = {w.value_clause(random.Random(s), "include_past", v) for s in range(50) for v in (True, False)}
    assert not [t for t in said if re.search(r"\b(?:be|leave|set) include past\b|include past (?:on|off)", t)]
    assert any("past ones" in t for t in said)


def test_camel_case_tool_names_are_said_as_words() -> None:
    for seed in range(50):
        phrase = w.task_phrase("setCruiseControl", random.Random(seed))
        assert "CruiseControl" not in phrase and "cruise control" in phrase
    assert w.snake("activateParkingBrake") == "activate_parking_brake"
    assert w.snake("cancel_order") == "cancel_order"


@pytest.mark.parametrize(("key", "value", "said"), [
    ("added_on", "2026-07-17", "it was added on July 17, 2026"),
    ("execute_on", "2026-07-23", "it executes on July 23, 2026"),
    ("ready_on", "2026-07-13", "it's ready on July 13, 2026"),
    ("from_balance_after", 13125.9, "the balance afterwards is $13,125.90"),
    ("checked_bags", 2, "there are 2 checked bags"),
    ("checked_bags", 1, "there is 1 checked bag"),
    ("bag_fees", 40.0, "the bag fees are $40.00"),
])
def test_fields_are_said_as_phrases(key: str, value: object, said: str) -> None:
    assert field_clauses.clause(key, value) == said


def test_counts_and_measures_are_not_dollars() -> None:
    assert spoken_values.natural(7, "total_contacts") == "7"
    assert spoken_values.natural(2.69, "fuelAmount") == "2.69"
    assert spoken_values.natural(5.0, "copay") == "$5.00"
    assert spoken_values.natural(12.5, "subtotal") == "$12.50"


def test_the_user_asks_back_for_an_event_as_the_event() -> None:
    asked = {w.recall(random.Random(s), "added_on") for s in range(50)}
    assert not [t for t in asked if "added on" in t]
    assert all("added" in t for t in asked)
    assert field_clauses.sayable("added_on", "2026-07-17")
    expiry = {w.recall(random.Random(s), "expires_on") for s in range(30)}
    assert all("expire" in t and "expires on" not in t for t in expiry)
    assert not field_clauses.sayable("shipped_to", "Ann")


def test_a_request_from_a_description_asks_for_the_task_only_and_in_the_first_person() -> None:
    tool = ToolSpec(name="cancel_medication_dispense", description="Cancel a fill that has not been handed over "
                    "yet; the refill is given back.", parameters={"type": "object", "properties": {}}, writes=True)
    assert description(tool) == "cancel a fill that has not been handed over yet"
    fills = ToolSpec(name="search_medication_dispenses", description="List a patient's fills (dispenses), newest "
                     "first.", parameters={"type": "object", "properties": {}}, writes=False)
    texts = {request(fills, {}, random.Random(s), "patient")[0] for s in range(30)}
    assert all("my fills" in t and "patient" not in t and "(" not in t for t in texts)


def test_an_error_reply_tells_a_range_in_words() -> None:
    said = error_wording.plain_error("the tank holds 50 gallons; that much fuel would overflow it", "fuel amount",
                                     112.9)
    assert said == "the fuel amount 112.9 isn't within the range it allows."
    assert "not found" not in error_wording.plain_error("no pharmacy in Rievrton", "city", "Rievrton")
    assert error_wording.plain_error("no pharmacy in Rievrton", "city", "Rievrton").startswith("I couldn't find")


def test_a_read_that_only_echoes_its_arguments_answers_nothing() -> None:
    assert echoes({"messages": ["week", "draw"]}, {"log": ["week", "draw"]})
    assert not echoes({"city": "Riverton"}, {"zipcode": "22611"})
    assert not echoes({"x": 1}, {})


def test_a_look_up_by_other_details_re_finds_an_entity_inside_an_envelope() -> None:
    """listCustomers(email) -> {"data": [one customer], "hasMore": true} re-finds a customer
    an earlier output showed: the user's email adds a look-up of someone already known."""
    found = {"data": [{"customerId": "cus_1027", "email": "v@example.com"}], "hasMore": True}
    known = shown_values([{"customerId": "cus_1027"}])
    assert re_resolves({"email": "v@example.com"}, found, known)
    assert not re_resolves({"email": "v@example.com"}, found, shown_values([{"customerId": "cus_1001"}]))
    assert not re_resolves({"customerId": "cus_1027"}, found, known)  # named by its id: not re-found
    assert not re_resolves({}, found, known)  # no arguments: the current one (a profile), no other details
    several = {"data": [{"customerId": "cus_1027"}, {"customerId": "cus_1028"}], "hasMore": False}
    assert not re_resolves({"status": "active"}, several, known)


@pytest.mark.parametrize(("tool", "param", "thing"), [
    ("create_board", "name", True), ("createItem", "name", True), ("create_playlist", "playlistName", True),
    ("addPet", "name", True), ("addOwner", "name", False), ("add_payee", "name", False),
    ("register_user", "full_name", False), ("createContact", "firstName", False)])
def test_a_name_is_a_persons_only_on_a_persons_record(tool: str, param: str, thing: bool) -> None:
    """No board or stock item named "Miss Frances Griffin DDS"; a pet gets a first name."""
    from faker import Faker

    nouns = set(name_words(tool)) | set(name_words(param)[:-1])
    assert names_a_thing(param, nouns) == thing
    if thing:
        made = {thing_name(nouns, random.Random(seed), Faker()) for seed in range(10)}
        assert not [m for m in made if re.search(r"\b(?:Mr|Mrs|Ms|Miss|Dr)\.?\s|\b(?:MD|DDS|PhD|DVM)\b", m)]
        assert all(1 <= len(m.split()) <= 5 for m in made)
        if tool == "addPet":
            assert all(len(m.split()) == 1 for m in made)


def test_free_text_is_read_from_camel_case_and_plural_names() -> None:
    assert text_kind("cancelReason") == "reason" and text_kind("messages") == "body"
    assert text_kind("internalNotes") == "memo" and text_kind("status") is None and text_kind("noteId") is None


def test_typos_are_of_the_value_kind_and_the_right_number_is_a_whole_token() -> None:
    rng = random.Random(1)
    assert _mistype(50, rng) == 500 and _mistype(1.4, rng) == 14.0
    name = _mistype("Riverton", rng)
    assert name != "Riverton" and sorted(name) == sorted("Riverton")
    assert not _says("Please fill 500 gallons.", 50)
    assert _says("Please fill 50 gallons.", 50)
    assert _says("It's CUS-1041.", "cus-1041")
    for seed in range(20):  # a numeric id gets a digit wrong, keeping its length and leading digit
        wrong = _mistype(1002, random.Random(seed), as_digits=True)
        assert isinstance(wrong, int) and wrong != 1002 and len(str(wrong)) == 4 and str(wrong)[0] == "1"


def _tool(name: str, required: list[str], writes: bool = True) -> ToolSpec:
    return ToolSpec(name=name, description="", writes=writes,
                    parameters={"type": "object", "properties": {p: {"type": "string"} for p in required},
                                "required": required})


def test_a_setting_writes_new_value_is_the_users_never_an_earlier_outputs() -> None:
    tools = {t.name: t for t in (_tool("update_preferred_pharmacy", ["patient_id", "pharmacy_id"]),
                                 _tool("update_dispense_pharmacy", ["dispense_id", "pharmacy_id"]),
                                 _tool("pay_payee", ["from_account_id", "payee_id", "amount"]),
                                 _tool("cancel_order", ["order_id"]))}
    bench = SimpleNamespace(tools=tools, values=SimpleNamespace(user_key="patient_id"))

    def new_values(name: str) -> set[str]:
        call = Call(name, dict.fromkeys(tools[name].parameters["required"], "x"))
        return _set_values(bench, [Candidate(call, None, "target")])  # type: ignore[arg-type]

    assert new_values("update_preferred_pharmacy") == {"pharmacy_id"}
    assert new_values("update_dispense_pharmacy") == {"pharmacy_id"}
    assert new_values("pay_payee") == set()  # paying a payee just added: "pay this payee"
    assert new_values("cancel_order") == set()


def test_a_write_is_not_withheld_when_its_absence_repeats_a_read() -> None:
    tools = {"get_speed": _tool("get_speed", [], writes=False), "lock_doors": _tool("lock_doors", ["door"]),
             "press_brake": _tool("press_brake", [])}
    bench = SimpleNamespace(tools=tools)

    def segment(name: str) -> Segment:
        return Segment(goal="g", target=name, stated={}, turns=[Turn("assistant", "calls", calls=[Call(name, {})])])

    draft = Draft(system="", segments=[segment("get_speed"), segment("lock_doors"), segment("get_speed")])
    assert _repeats_without(bench, draft, 1)  # type: ignore[arg-type]
    assert not _repeats_without(bench, draft, 0)  # type: ignore[arg-type]
    draft.segments.insert(2, segment("press_brake"))
    assert not _repeats_without(bench, draft, 1)  # type: ignore[arg-type]


def test_an_output_that_is_a_word_of_the_arguments_tells_nothing() -> None:
    assert echoes({"name": "Tran, Hess and Summers"}, {"symbol": "TRAN"})
    assert not echoes({"name": "Walter-Hopkins"}, {"symbol": "WALT"})


@pytest.mark.parametrize(("value", "said"), [
    ("2026-04-13T14:00", "April 13, 2026 at 14:00"), ("2026-12-01 09:05:00", "December 1, 2026 at 09:05"),
    ("2026-04-13", "2026-04-13"), ("2026-13-01T10:00", "2026-13-01T10:00"), ("ACC-10047", "ACC-10047"),
])
def test_the_user_writes_a_date_and_time_as_a_person_does(value: str, said: str) -> None:
    assert show(value) == said


@pytest.mark.parametrize(("facts", "said"), [
    ([("ship_street", "1 Main St"), ("status", "pending"), ("ship_city", "Springfield"), ("ship_state", "IL"),
      ("ship_zip", "62704")], [("ship_address", "1 Main St, Springfield, IL, 62704"), ("status", "pending")]),
    ([("last_name", "Doe"), ("email", "a@b.co"), ("first_name", "Jane")], [("name", "Jane Doe"), ("email", "a@b.co")]),
    ([("city", "Springfield"), ("status", "open")], [("city", "Springfield"), ("status", "open")]),  # one part: as is
    ([("ship_city", "X"), ("ship_zip", None)], [("ship_city", "X"), ("ship_zip", None)]),
])
def test_parts_of_one_thing_are_said_as_one(facts: list, said: list) -> None:
    assert merged(facts) == said


def test_no_typo_goes_into_a_value_chosen_from_a_list() -> None:
    """A cost center "CC-500 Operations" where the enum has CC-100..CC-300 fails the schema,
    not the env: no error an assistant could recover from in words."""
    start = ToolSpec(name="start_report", description="", writes=True, parameters={
        "type": "object", "required": ["cost_center", "staff_number"], "properties": {
            "cost_center": {"type": "string", "enum": ["CC-100 Engineering", "CC-200 Sales"]},
            "staff_number": {"type": "string"},
            "region": {"type": "string", "description": "One of EU-1, US-2 or AP-3."}}})
    bench = SimpleNamespace(tools={"start_report": start})
    call = Call("start_report", {"cost_center": "CC-200 Sales", "staff_number": "SN-111", "region": "EU-1"})
    segment = Segment(goal="g", target="start_report", stated={}, turns=[Turn("assistant", "calls", calls=[call])])
    assert _chosen_from_a_list(bench, segment, "cost_center")  # type: ignore[arg-type]
    assert _chosen_from_a_list(bench, segment, "region")  # type: ignore[arg-type]
    assert not _chosen_from_a_list(bench, segment, "staff_number")  # type: ignore[arg-type]


def test_a_write_on_a_record_an_earlier_write_changed_is_not_planned_by_its_key_either() -> None:
    """withdraw_report(ER-5051) then submit_report(ER-5051): an undo, whether the key is a
    `report_id` or a `report_code` (a table's primary key not named as an id)."""
    from sandbox import CallResult

    tools = {n: _tool(n, ["report_code"]) for n in ("withdraw_report", "submit_report")}
    bench = SimpleNamespace(tools=tools, values=SimpleNamespace(user_key="staff_number", key_columns={"report_code"}),
                            preconditions=SimpleNamespace(enabled_by={"add_report": ["withdraw_report"]}))
    done = Call("withdraw_report", {"report_code": "ER-5051"})
    done.result = CallResult(ok=True, result={"report_code": "ER-5051", "status": "draft"})
    draft = Draft(system="", segments=[Segment(goal="g", target="withdraw_report", stated={},
                                               turns=[Turn("assistant", "calls", calls=[done])])])
    assert rewrites(bench, draft, {"report_code": "ER-5051"})  # type: ignore[arg-type]
    assert not rewrites(bench, draft, {"report_code": "ER-5052"})  # type: ignore[arg-type]
    # a write the target needs first (take the stock off the watchlist, then add it back) is no undo
    assert not rewrites(bench, draft, {"report_code": "ER-5051"}, "add_report")  # type: ignore[arg-type]
    tools["remove_from_watchlist"] = _tool("remove_from_watchlist", ["report_code"])
    removed = Call("remove_from_watchlist", {"report_code": "ER-7"})
    removed.result = CallResult(ok=True, result={"removed": True})
    draft.segments.append(Segment(goal="g", target="remove_from_watchlist", stated={},
                                  turns=[Turn("assistant", "calls", calls=[removed])]))
    assert not rewrites(bench, draft, {"report_code": "ER-7"}, "add_to_watchlist")  # type: ignore[arg-type]
    assert rewrites(bench, draft, {"report_code": "ER-7"}, "submit_report")  # type: ignore[arg-type]


def test_a_clarification_asks_only_for_a_value_a_call_takes() -> None:
    """"Which pharmacy?" - "Bernard Pharmacy": the call takes its id, read off a look-up, so
    the answer itself feeds no call and the question is not one to ask."""
    call = Call("update_preferred_pharmacy", {"pharmacy_id": "PH-3", "patient_id": "P-1"})
    segment = Segment(goal="g", target=call.name, stated={"pharmacy_id": "Bernard Pharmacy"},
                      turns=[Turn("assistant", "calls", calls=[call])])
    assert not _taken(segment, "Bernard Pharmacy")
    assert _taken(segment, "PH-3")


def test_a_workplaces_memos_are_about_work() -> None:
    """An expense report's purpose is a client visit, not "my half of the dentist"."""
    from faker import Faker

    from toolace_mt.generation.plan.free_text import at_work, free_text

    assert at_work("Staff file expense reports; managers approve them.")
    assert not at_work("A bank's customers, their accounts and payees.")
    assert not at_work("Flights in economy or business class.")
    home = {free_text("memo", random.Random(s), Faker()) for s in range(40)}
    work = {free_text("purpose", random.Random(s), Faker(), work=True) for s in range(40)}
    personal = re.compile(r"\b(?:my half|paying back|birthday|dentist|babysitter|rent|groceries|'s share)\b")
    assert any(personal.search(m) for m in home)
    assert not [m for m in work if personal.search(m)]


def test_a_new_records_value_is_not_copied_off_another_record_the_user_names() -> None:
    """createItem's bin read off getItem(SKU-00070), an item the user mentioned: not the
    new item's; pay_invoice's amount read off get_invoice of the same invoice: its own."""
    from toolace_mt.generation.plan.value_finder import _through_another_record

    bench = SimpleNamespace(values=SimpleNamespace(user_key="customer_id", key_columns={"sku", "invoice_id"}))
    create = _tool("createItem", ["name", "bin"])
    get_item = _tool("getItem", ["sku"], writes=False)
    pay = _tool("pay_invoice", ["invoice_id", "amount"])
    get_invoice = _tool("get_invoice", ["invoice_id"], writes=False)
    assert _through_another_record(bench, create, "bin", get_item)  # type: ignore[arg-type]
    assert not _through_another_record(bench, pay, "amount", get_invoice)  # type: ignore[arg-type]
    assert not _through_another_record(bench, get_invoice, "invoice_id", get_item)  # type: ignore[arg-type]
    search = _tool("search_flights", ["origin", "destination", "date"], writes=False)
    get_flight = _tool("get_flight", ["flight_id"], writes=False)
    assert _through_another_record(bench, search, "origin", get_flight)  # type: ignore[arg-type]


def test_a_users_order_is_no_second_look_up_of_the_user() -> None:
    """get_order's output names its diner: still an order, not the signed-in diner found again."""
    order = {"order_id": "FD-50007", "diner_id": "D-7", "status": "placed"}
    assert own_record("get_order", order, "diner_id")
    assert not own_record("find_diner_by_email", {"diner_id": "D-7", "email": "a@b.c"}, "diner_id")
