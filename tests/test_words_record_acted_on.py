"""A reply tells what was asked or what changed, by names and values, not ids: a write that
points a field of a record at another record names the record it acted on ("I've updated
the pharmacy of dispense MD30045 to PH08 (Walter Pharmacy)", never "I've updated pharmacy
PH08"), and so does its confirmation; a cancelled fill's reply does not read out the ids of
the prescription and pharmacy it points at; a look-up's reply tells what the record holds,
not its own id; a user found by their family name is not told their given name; a field
named with its words run together is said in words ("card number", not "cardnumber"); an
id is asked for as the thing it keys; a refusal says the task, not the description."""

from __future__ import annotations

import random
import re
from typing import Any

from sandbox import CallResult, ToolSpec
from toolace_mt.generation.draft import Call, Segment, Turn
from toolace_mt.generation.language import reply_focus, reply_wording
from toolace_mt.generation.language import tool_language as tl
from toolace_mt.generation.language.assistant_phrases import ask_templates
from toolace_mt.generation.language.field_change import FieldChange, field_change
from toolace_mt.generation.language.labels import label
from toolace_mt.generation.language.value_phrases import value_clause, value_sentences

ID_READ = re.compile(r"\bthe [a-z ]*\bID (?:is|was)\b")


def _reply(tool: str, arguments: dict[str, Any], result: Any, writes: bool, seed: int = 0,
           earlier: list[tuple[str, dict[str, Any], Any]] | None = None, focus: reply_focus.Focus | None = None,
           stated: dict[str, Any] | None = None, user_key: str | None = None) -> str:
    looks = [Turn("assistant", "calls", calls=[Call(name, args, result=CallResult(ok=True, result=out))])
             for name, args, out in earlier or []]
    call = Call(tool, arguments, result=CallResult(ok=True, result=result))
    reply = Turn("assistant", "reply", seed=seed, topic={"target": tool, "writes": writes})
    segment = Segment(goal="g", target=tool, stated=stated or {},
                      turns=[*looks, Turn("assistant", "calls", calls=[call]), reply])
    return reply_wording.reply_text(segment, reply, random.Random(seed), focus, user_key=user_key)


FILL = {"dispense_id": "MD30045", "request_id": "RX20139", "patient_id": "PT1050", "pharmacy_id": "PH08",
        "status": "preparation", "fulfilment": "pickup", "ready_on": "2026-12-09", "copay": 10.0}
PHARMACIES = [{"pharmacy_id": "PH08", "name": "Walter Pharmacy", "city": "Springfield", "delivers": True}]


def test_a_field_set_to_another_records_id_is_told_by_the_record_it_is_of() -> None:
    assert field_change("update_dispense_pharmacy", {"dispense_id": "MD1", "pharmacy_id": "PH1"}) is not None
    assert field_change("update_hold_pickup_location", {"hold_id": "H1", "pickup_library_id": "L1"}) == \
        FieldChange("hold_id", "pickup location", "pickup_library_id")  # the id sharing the field's words
    assert field_change("cancel_order", {"order_id": "#W1"}) is None
    for seed in range(20):
        text = _reply("update_dispense_pharmacy", {"dispense_id": "MD30045", "pharmacy_id": "PH08"}, FILL, True,
                      seed, earlier=[("search_pharmacies", {"city": "Springfield"}, PHARMACIES)],
                      user_key="patient_id")
        assert "I've updated the pharmacy of dispense MD30045 to PH08 (Walter Pharmacy)." in text, text
        assert "pharmacy PH08." not in text and not ID_READ.search(text), text


def test_the_users_own_setting_is_told_as_theirs() -> None:
    patient = {"patient_id": "PT1050", "given_name": "Darius", "family_name": "Mcdowell",
               "birth_date": "1971-10-14", "phone": "555-512-8947", "preferred_pharmacy_id": "PH08"}
    for seed in range(20):
        text = _reply("update_preferred_pharmacy", {"patient_id": "PT1050", "pharmacy_id": "PH08"}, patient, True,
                      seed, earlier=[("search_pharmacies", {"city": "Springfield"}, PHARMACIES)],
                      user_key="patient_id")
        assert "I've updated your preferred pharmacy to PH08 (Walter Pharmacy)." in text, text
        assert "Darius" not in text and "PT1050" not in text, text


def test_a_cancel_does_not_read_out_the_ids_the_record_points_at() -> None:
    cancelled = {**FILL, "status": "cancelled", "reason": "other"}
    for seed in range(20):
        text = _reply("cancel_medication_dispense", {"dispense_id": "MD30045", "reason": "other"}, cancelled, True,
                      seed, user_key="patient_id")
        assert "I've cancelled" in text and "MD30045" in text, text
        assert "RX20139" not in text and "PH08" not in text, text


def test_a_create_still_tells_the_key_it_made() -> None:
    for seed in range(20):
        text = _reply("create_medication_dispense", {"request_id": "RX20139", "pharmacy_id": "PH08"}, FILL, True,
                      seed, user_key="patient_id")
        assert "MD30045" in text and "I've created the medication dispense" in text, text  # not "created it"


def test_a_look_up_tells_what_the_record_holds_not_its_own_id() -> None:
    coverage = {"coverage_id": "CV5003", "patient_id": "PT1050", "payer": "Cedar Care", "plan": "Gold PPO",
                "copay_generic": 10.0, "copay_brand": 40.0}
    for seed in range(20):
        text = _reply("read_coverage", {"patient_id": "PT1050"}, coverage, False, seed, user_key="patient_id")
        assert "CV5003" not in text and "PT1050" not in text and not ID_READ.search(text), text
    asked = _reply("read_coverage", {"patient_id": "PT1050"}, coverage, False, 0, user_key="patient_id",
                   focus=reply_focus.Focus({"coverage"}))
    assert "CV5003" not in asked, asked  # "see my coverage" asks about the coverage, not its id


def test_a_user_found_by_their_family_name_is_not_told_their_given_name() -> None:
    patient = {"patient_id": "PT1060", "given_name": "Nathaniel", "family_name": "Golden",
               "birth_date": "1975-10-22", "phone": "555-432-8821", "preferred_pharmacy_id": "PH02"}
    for seed in range(20):
        text = _reply("search_patient", {"family_name": "Golden", "birth_date": "1975-10-22"}, patient, False, seed,
                      focus=reply_focus.Focus({"family", "name", "golden"}),
                      stated={"family_name": "Golden", "birth_date": "1975-10-22"}, user_key="patient_id")
        assert "Nathaniel" not in text and "given name" not in text and "PT1060" not in text, text


def test_a_record_keyed_by_the_users_key_is_theirs_whatever_else_it_points_at() -> None:
    patron = {"patron_id": "PA2001", "cardnumber": "23000045", "firstname": "Jo", "surname": "Reyes",
              "email": "jo@example.com", "library_id": "CPL"}
    for seed in range(20):
        text = _reply("get_patron", {"patron_id": "PA2001"}, patron, False, seed, user_key="patron_id")
        assert "Jo." not in text and "Reyes" not in text and "firstname" not in text and "cardnumber" not in text, text


def test_a_field_named_with_its_words_run_together_is_said_in_words() -> None:
    assert label("cardnumber") == "card number" and label("firstname") == "first name"
    assert label("duedate") == "due date" and label("surname") == "surname" and label("username") == "username"
    assert label("first_name") == "first name" and label("customer_id") == "customer ID"


def test_an_id_is_asked_for_as_the_thing_it_keys() -> None:
    for template in ask_templates("request ID"):
        asked = template.format(label="request ID")
        assert "ID" not in asked and "request" in asked and asked.endswith("?"), asked
        assert "would you like" not in asked
    assert not any("would you like" in t for t in ask_templates("asset tag"))  # a device's tag is no preference


PARAM_TALK = re.compile(r"\b(?:should|would|will) be\b|\bIdeally\b|^And the [a-z ]+\? |\bthe [a-z ]+\? That's", re.I)


def test_a_user_states_a_choice_as_a_wish_not_a_form() -> None:
    for seed in range(200):
        rng = random.Random(seed)
        for param, value, chosen in (("reason", "other", True), ("payment_type", "card", True),
                                     ("pin", "7745", False), ("request_id", "RX20010", False),
                                     ("cardnumber", "23000781", False)):
            said = value_clause(rng, param, value, chosen=chosen)
            assert not PARAM_TALK.search(said), said
        said = " ".join(value_sentences(rng, [("reason", "other"), ("city", "Springfield")], chosen=True))
        assert not PARAM_TALK.search(said), said


def test_a_refusal_says_the_task_not_the_description() -> None:
    tool = ToolSpec(name="create_medication_dispense", writes=True,
                    description="Request a refill of an active prescription at a pharmacy, for pickup or delivery.",
                    parameters={"type": "object", "properties": {"request_id": {"type": "string"}}})
    assert tl.refusal_topic(tool) == "request a refill"


def test_a_look_up_from_a_description_is_asked_as_a_person_asks() -> None:
    read = ToolSpec(name="read_medication_request", writes=False,
                    description="Read one prescription: medication and dosage.",
                    parameters={"type": "object", "properties": {"request_id": {"type": "string"}}})
    find = ToolSpec(name="search_patient", writes=False,
                    description="Find a patient by family name and date of birth.",
                    parameters={"type": "object", "properties": {"family_name": {"type": "string"}}})
    for seed in range(30):
        asked = tl.task(read, random.Random(seed))[0]
        assert not re.search(r"\bread\b|\bone prescription\b", asked) and "a prescription" in asked, asked
        found = tl.task(find, random.Random(seed), "you", None, "patient")[0]
        assert not re.search(r"\b(?:find|locate|track) me\b", found) and "my " in found, found


def test_small_talk_brings_in_no_one_and_asks_sorry_once() -> None:
    from toolace_mt.generation.language import user_phrases as up

    people = up.People("Taylor", "Carl", "", "Springfield", "Acme")
    for seed in range(200):
        said = up.chat(random.Random(seed), people)
        assert "Taylor" not in said and "Carl" not in said and "plans" not in said, said
        asked = up.recall(random.Random(seed), "status", said_before=None)
        assert len(re.findall(r"\bsorry\b", asked, re.I)) <= 1, asked


def test_a_value_named_by_a_question_is_asked_and_confirmed_as_one() -> None:
    from toolace_mt.generation.language.confirm_wording import _details

    for template in ask_templates("what still fails"):
        asked = template.format(label="what still fails")
        assert "tell me what still fails?" in asked and "the what" not in asked, asked
    said = _details({"ticket_id": "INC-20431", "what_still_fails": "the charger port"}, "ticket_id")
    assert said == ', saying what still fails: "the charger port"', said  # the user's words, quoted
    said = _details({"request_id": "RX20069", "pharmacy_id": "PH08", "fulfilment": "pickup"}, None,
                    known={"PH08": "Bernard Pharmacy"})
    assert said == " for request RX20069 and pharmacy PH08 (Bernard Pharmacy) with the fulfilment pickup", said


def test_a_record_named_by_its_title_is_the_thing_it_titles() -> None:
    from toolace_mt.generation.language.named_records import named_clause, named_things

    assert named_things("ticket_id", "Phone will not charge") == 'the ticket "Phone will not charge"'
    assert named_things("item_ids", ["Air Purifier"]) == "the Air Purifier"  # a product's name, as it is
    for seed in range(20):
        said = named_clause(random.Random(seed), "hold_id", "Ameliorated asynchronous middleware") or ""
        assert 'the hold "Ameliorated asynchronous middleware"' in said and "hold in question" not in said, said


def test_a_write_tells_what_it_did_not_the_rest_of_the_record() -> None:
    patient = {"patient_id": "PT1060", "given_name": "Nathaniel", "family_name": "Golden",
               "birth_date": "1975-10-22", "phone": "372-224-0835", "preferred_pharmacy_id": "PH02"}
    for seed in range(20):
        text = _reply("update_patient_contact", {"patient_id": "PT1060", "phone": "372-224-0835"}, patient, True,
                      seed, user_key="patient_id")
        assert "I've updated your details." in text and "372-224-0835" in text, text
        assert "PT1060" not in text and "birth date" not in text and "October 22" not in text, text
        moved = _reply("update_dispense_pharmacy", {"dispense_id": "MD30045", "pharmacy_id": "PH08"}, FILL, True,
                       seed, user_key="patient_id")
        assert "fulfilment" not in moved and "ready" not in moved, moved  # the status may be told, not the rest


def test_a_request_tells_what_it_made_not_the_key_the_user_gave() -> None:
    made = {"replacement_id": "RPL-901", "asset_tag": "LT-5534", "reason": "broken_screen", "status": "requested"}
    for seed in range(20):
        text = reply_wording.reply_text(*_segment("request_replacement", {"asset_tag": "LT-5534",
                                                                          "reason": "broken_screen"}, made, seed),
                                        random.Random(seed), None, user_key="employee_id",
                                        references=frozenset({"asset_tag", "reason"}))
        assert "RPL-901" in text and "LT-5534" not in text, text
    found = {"user_id": "lucas_1", "email": "lucas.martin5733@example.com", "zip": "20517"}
    for seed in range(20):
        text = reply_wording.reply_text(*_segment("get_user_details", {"user_id": "lucas_1"}, found, seed, False),
                                        random.Random(seed), None, user_key="user_id",
                                        references=frozenset({"email", "user_id"}))
        assert "lucas.martin5733@example.com" in text, text  # an email other tools take is still told


def _segment(tool: str, arguments: dict[str, Any], result: Any, seed: int, writes: bool = True) -> tuple[Segment, Turn]:
    call = Call(tool, arguments, result=CallResult(ok=True, result=result))
    reply = Turn("assistant", "reply", seed=seed, topic={"target": tool, "writes": writes})
    return Segment(goal="g", target=tool, stated={}, turns=[Turn("assistant", "calls", calls=[call]), reply]), reply


def test_a_booking_tells_its_new_id_not_the_flight_it_was_given() -> None:
    booked = {"booking_id": "BK-52360", "flight_number": "FL-101", "passenger_id": "P-1", "status": "confirmed",
              "total": 420.0}
    for seed in range(20):
        text = reply_wording.reply_text(*_segment("book_flight", {"flight_number": "FL-101", "passenger_id": "P-1"},
                                                  booked, seed), random.Random(seed), None, user_key="passenger_id",
                                        references=frozenset({"flight_number", "passenger_id", "booking_id"}))
        assert "BK-52360" in text, text


def test_a_field_named_in_words_of_its_own_is_told_with_the_id_it_was_set_to() -> None:
    hold = {"hold_id": "HD7006", "patron_id": "PA2005", "biblio_id": "BB303", "pickup_library_id": "MPL",
            "status": "pending"}
    libraries = [{"library_id": "MPL", "name": "Maple Public Library"}]
    for seed in range(10):
        text = _reply("update_hold_pickup_location", {"hold_id": "HD7006", "pickup_library_id": "MPL"}, hold, True,
                      seed, earlier=[("list_libraries", {}, libraries)], user_key="patron_id")
        assert "I've updated the pickup location of hold HD7006 to pickup library MPL (Maple Public Library)." \
            in text and "pickup library ID is" not in text, text


def test_a_new_record_of_the_users_kind_tells_its_new_key() -> None:
    made = {"passenger_id": "PAX-10301", "first_name": "Donald", "last_name": "Brandt", "email": "joe39@example.com",
            "date_of_birth": "1989-04-19", "loyalty_tier": "none"}
    for seed in range(10):
        text = reply_wording.reply_text(*_segment("create_passenger", {"first_name": "Donald", "last_name": "Brandt",
                                                                       "email": "joe39@example.com"}, made, seed),
                                        random.Random(seed), None, user_key="passenger_id",
                                        references=frozenset({"passenger_id", "email"}))
        assert "PAX-10301" in text, text


def test_a_search_that_found_nothing_is_not_handed_over() -> None:
    for seed in range(40):
        text = _reply("find_open_slots", {"therapist_code": "TH-PL", "day": "2026-07-30"}, [], False, seed)
        assert not text.startswith(("Here you go", "Here's what I found")), text


def test_a_create_tells_the_one_key_it_made_not_the_records_beside_it() -> None:
    made = {"card_id": "CRD-30103", "replacement_card_id": "CRD-30156", "account_id": "ACC-10144",
            "status": "lost"}
    for seed in range(20):
        text = reply_wording.reply_text(*_segment("report_card_lost", {"card_id": "CRD-30103"}, made, seed),
                                        random.Random(seed), None, user_key="customer_id")
        assert "CRD-30156" in text and "ACC-10144" not in text, text
