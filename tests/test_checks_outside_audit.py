"""The checks an outside reader's audit added (issue 16, read on fresh envs the generator
never saw): user_language, small_talk, program_text, ownership. Each rule is tested on
hand-written texts in other styles for what it must find and what it must leave alone,
and by tampering a good audit record of a fresh env (tests/data/audit) so that exactly
that check fails it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from handwritten import synthetic

from toolace_mt.env_refs import EnvRefs
from toolace_mt.record import Record
from toolace_mt.verifier import Dialogue, Verifier
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.trajectory import findings

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "audit" / "audit.jsonl"
AUDIT = {r.id: r for r in map(Record.model_validate_json, CORPUS.read_text(encoding="utf-8").splitlines())}
UNKNOWN = EnvPolicy.unknown()
HR_TOOLS: dict[str, dict[str, Any]] = {
    "login": {"login": {"type": "string"}, "pin": {"type": "string"}},
    "logout": {},
    "request_time_off": {"start_date": {"type": "string"}, "end_date": {"type": "string"},
                         "leave_type": {"type": "string"}, "note": {"type": "string"}},
    "cancel_order": {"order_id": {"type": "string"}, "reason": {"type": "string"},
                     "refund_method": {"type": "string"}},
}
DESCRIBED = {"logout": "Log the current employee out. Shows the current speed of the session.",
             "add_tip": "Add a tip for the courier to a delivery order; it is charged to the order's card."}


def kinds(record: Record, policy: EnvPolicy = UNKNOWN) -> dict[str, list[int | None]]:
    found: dict[str, list[int | None]] = {}
    for finding in findings(Dialogue(record), policy):
        found.setdefault(finding.kind, []).append(finding.message_index)
    return found


def described(turns: list[tuple[str, Any]]) -> Record:
    """A hand-written record whose tools have real descriptions (DESCRIBED)."""
    record = synthetic(turns, {**HR_TOOLS, "add_tip": {"order_id": {"type": "string"}, "amount": {"type": "number"}}})
    data = json.loads(record.to_json())
    for tool in data["tools"]:
        tool["function"]["description"] = DESCRIBED.get(tool["function"]["name"], tool["function"]["name"])
    return Record.model_validate(data)


# ---------------------------------------------------------------- user_language

def test_a_user_repeating_a_tools_description_is_found() -> None:
    record = described([("user", "Could you log the current employee out, please?"),
                        ("call", "logout", {}, {"logged_in": False}),
                        ("assistant", "You're logged out now.")])
    assert kinds(record) == {"description_echo": [0]}


@pytest.mark.parametrize("text", [
    "Could you add a tip for the courier? $3 is fine.",  # how anyone asks: two content words in five
    "Please log me out.",
    "What's the current speed?",  # "current" of a thing, not the API's name for the caller
])
def test_a_natural_request_sharing_a_few_words_with_a_description_is_not_an_echo(text: str) -> None:
    record = described([("user", text), ("assistant", "Sure, what else?")])
    assert kinds(record) == {}


def test_repeating_what_the_assistant_said_is_not_an_echo() -> None:
    record = described([("user", "I'm done for today."),
                        ("assistant", "Shall I log the current employee out?"),
                        ("user", "Yes, log the current employee out."),
                        ("call", "logout", {}, {"logged_in": False}),
                        ("assistant", "You're logged out now.")])
    assert kinds(record) == {}


@pytest.mark.parametrize("text", [
    "I was hoping you could the company holidays of the year.",
    "Trying to the logged-in employee's balances please.",
    "Go ahead and the balances, thanks.",
    "Can I log me in? The login is jday.",
    "I want to sign me in.",
    "I'm getting in touch to log me in.",
    "Would you mind helping me sign me in?",
])
def test_a_request_with_no_verb_or_one_person_twice_is_broken(text: str) -> None:
    assert kinds(synthetic([("user", text), ("assistant", "Sure.")], HR_TOOLS)) == {"broken_sentence": [0]}


@pytest.mark.parametrize("text", [
    "I need you to sign me in.",
    "Could you log me in?",
    "I'd like to go to the store later, can you check my balance first?",
    "Could the request be moved to Friday?",
    "I want to log in, and then I want you to sign me out again.",
])
def test_grammatical_requests_are_not_broken(text: str) -> None:
    assert kinds(synthetic([("user", text), ("assistant", "Sure.")], HR_TOOLS)) == {}


@pytest.mark.parametrize("text", [
    "Can we ask for days off? The start date would be 2026-09-03, and the leave type would be unpaid.",
    "Would you call off my order? So, the order number would be #W1216 and the reason would be other.",
    "The order ID is #W1, the reason is other and the refund method is store credit.",
    "The start date on my side is June 3. The end date is June 5.",
])
def test_a_turn_filling_in_parameters_by_name_is_a_form(text: str) -> None:
    assert kinds(synthetic([("user", text), ("assistant", "Okay.")], HR_TOOLS)) == {"form_filling": [0]}


@pytest.mark.parametrize("text", [
    "My login is jday and the pin is 4804.",
    "The order number is #W1216, I no longer need it.",
    "I'd like June 3 to June 5 off as vacation, please.",
])
def test_speech_naming_one_or_two_plain_values_is_no_form(text: str) -> None:
    assert kinds(synthetic([("user", text), ("assistant", "Okay.")], HR_TOOLS)) == {}


# ---------------------------------------------------------------- small_talk

def refusal_then(answer: str, refusal: str = "Sorry, I can't book flights; I only handle time off.") -> Record:
    return synthetic([("user", "Can you book me a flight to Denver?"), ("assistant", refusal),
                      ("user", answer), ("assistant", "Of course.")], HR_TOOLS)


@pytest.mark.parametrize("answer", ["Fantastic. Then show my balances.", "Nice! Next, my requests please.",
                                    "Perfect, thanks."])
def test_cheering_a_refusal_is_found(answer: str) -> None:
    assert kinds(refusal_then(answer)) == {"cheer_after_refusal": [2]}


def test_cheering_an_empty_result_is_found() -> None:
    record = refusal_then("Super, that's a weight off my mind.", refusal="I didn't find anything matching that.")
    assert kinds(record) == {"cheer_after_refusal": [2]}


@pytest.mark.parametrize("answer", ["No worries. Then show my balances.", "Okay, fair enough.",
                                    "Great question, huh? Anyway, show my balances."])
def test_taking_a_refusal_calmly_is_fine(answer: str) -> None:
    assert kinds(refusal_then(answer)) == {}


def test_cheering_a_reply_that_is_no_refusal_is_fine() -> None:
    assert kinds(refusal_then("Fantastic, thanks!", refusal="Your flight is booked for Friday.")) == {}


def asked(question: str, answer: str = "The request ID is TO-7061.") -> Record:
    return synthetic([("user", "Please log me in, jday / 4804."),
                      ("call", "login", {"login": "jday", "pin": "4804"}, {"logged_in": True, "request_id": "TO-7061"}),
                      ("assistant", "You're logged in; you have an open request, ID TO-7061."),
                      ("user", question), ("assistant", answer)], HR_TOOLS)


def test_asking_for_what_was_just_said_with_no_reason_is_found() -> None:
    assert kinds(asked("What's the request ID?")) == {"asked_again": [4]}


@pytest.mark.parametrize("question", ["Sorry, what did you say the request ID was?", "I didn't catch the ID?",
                                      "Wait, which request ID?"])
def test_asking_again_with_a_reason_is_fine(question: str) -> None:
    assert kinds(asked(question)) == {}


def test_a_question_whose_answer_adds_something_new_is_not_asked_again() -> None:
    assert kinds(asked("What's in that request?", "Request TO-7061 is 3 vacation days from June 3.")) == {}


# ---------------------------------------------------------------- program_text

@pytest.mark.parametrize("role, text", [
    ("assistant", "All set. According to the record, the workdays are 3.0."),
    ("assistant", "Your balances:\n- personal, 0.0\n- vacation, 17.0"),
    ("user", "What do 426.0, 46 and 27.37 come to altogether?"),
])
def test_a_whole_number_printed_with_point_zero_is_found(role: str, text: str) -> None:
    turns = [("user", "Hi."), ("assistant", "Hello!"), (role, text)]
    if role == "user":
        turns.append(("assistant", "That's 499.37."))
    assert kinds(synthetic(turns, HR_TOOLS)) == {"float_whole": [2]}


@pytest.mark.parametrize("text", ["That's $12.50 in total.", "They support Bluetooth 5.0 and version 2.0 of it.",
                                  "It's rated 4.0 stars (4.0/5), with a rating 5.0 from me.",
                                  "It rose 3.05 percent.", "Request TO-7061 is 3 days."])
def test_numbers_as_people_write_them_are_fine(text: str) -> None:
    assert kinds(synthetic([("user", "Hi."), ("assistant", text)], HR_TOOLS)) == {}


def test_a_flag_that_is_no_noun_read_out_as_one_is_found() -> None:
    record = synthetic([("user", "Log me out please."), ("call", "logout", {}, {"logged_in": False}),
                        ("assistant", "All set. No: the logged in is off.")], HR_TOOLS)
    assert kinds(record) == {"flag_as_field": [3]}


def test_a_flag_named_by_a_noun_may_be_read_out() -> None:
    record = synthetic([("user", "Am I logged in?"), ("call", "logout", {}, {"login_status": True}),
                        ("assistant", "Yes: the login status is on.")], HR_TOOLS)
    assert kinds(record) == {}


# ---------------------------------------------------------------- ownership

BANK_TOOLS: dict[str, dict[str, Any]] = {
    "list_cards": {"customer_id": {"type": "string"}},
    "list_cards_by_status": {"customer_id": {"type": "string"}, "status": {"type": "string"}},
    "freeze_card": {"card_id": {"type": "string"}},
    "order_card": {"customer_id": {"type": "string"}, "network": {"type": "string"}},
}
BANK = EnvPolicy(known=True, writes=frozenset({"freeze_card", "order_card"}), user_key="customer_id")
MINE = [{"card_id": "CRD-1", "account_id": "ACC-1", "status": "active"}]


def cards(first_card: str, listing: str = "list_cards", extra: dict[str, Any] | None = None) -> Record:
    return synthetic([
        ("user", f"Please freeze card {first_card}; I'm customer CUS-1."),
        ("call", "freeze_card", {"card_id": first_card}, {"card_id": first_card, "status": "frozen"}),
        ("assistant", f"Card {first_card} is frozen."),
        ("user", "Which cards do I have?"),
        ("call", listing, {"customer_id": "CUS-1", **(extra or {})}, MINE),
        ("assistant", "You have one card, CRD-1, which is active."),
    ], BANK_TOOLS)


def test_acting_on_a_card_the_users_own_listing_lacks_is_found() -> None:
    assert kinds(cards("CRD-7"), BANK) == {"foreign_record": [1]}


def test_acting_on_the_users_own_card_is_fine() -> None:
    assert kinds(cards("CRD-1"), BANK) == {}


def test_a_filtered_listing_says_nothing_of_what_it_left_out() -> None:
    assert kinds(cards("CRD-7", "list_cards_by_status", {"status": "active"}), BANK) == {}


def test_a_record_made_for_the_user_is_theirs() -> None:
    record = synthetic([
        ("user", "I'm customer CUS-1. What cards do I have? And order me a new Visa card."),
        ("call", "list_cards", {"customer_id": "CUS-1"}, MINE),
        ("call", "order_card", {"customer_id": "CUS-1", "network": "Visa"}, {"card_id": "CRD-2", "status": "new"}),
        ("call", "freeze_card", {"card_id": "CRD-2"}, {"card_id": "CRD-2", "status": "frozen"}),
        ("assistant", "You have CRD-1 (active), and your new Visa card CRD-2 is ordered and frozen until it comes."),
    ], BANK_TOOLS)
    assert kinds(record, BANK) == {}


# ---------------------------------------------------------------- tamper tests on fresh-env audit records

@pytest.fixture(scope="module")
def verifier() -> Iterator[Verifier]:
    refs = EnvRefs(dirs=(ROOT / "bench" / "fresh_envs", ROOT / "fixtures" / "envs"))
    with Verifier(checks=("user_language", "small_talk", "program_text", "ownership"), env_refs=refs) as verifier:
        yield verifier


def tampered(record_id: str, index: int, text: str) -> Record:
    data = json.loads(AUDIT[record_id].to_json())
    data["messages"][index]["content"] = text
    return Record.model_validate(data)


def failed(verifier: Verifier, record: Record) -> dict[str, list[int | None]]:
    found: dict[str, list[int | None]] = {}
    for failure in verifier.verify(record).failures:
        found.setdefault(failure.check, []).append(failure.message_index)
    return found


def test_the_good_fresh_env_records_pass(verifier: Verifier) -> None:
    good = [r for rid, r in AUDIT.items() if rid.endswith("-good") and ("food_delivery" in rid or "hr_leave" in rid)]
    assert len(good) >= 5
    assert {r.id: failed(verifier, r) for r in good} == {r.id: {} for r in good}


@pytest.mark.parametrize("record_id, index, text, check", [
    # the user's request reworded into the tool's description
    ("audit-food_delivery-1-good", 1, "Can you list the signed-in diner's orders, newest first? jodicor0 / "
                                      "895nzGhq96", "user_language"),
    ("audit-hr_leave-1-good", 1, "Morning! Could you log me in (cmcintosh, PIN 7395) and tell me how much leave "
                                 "I have left? The login would be cmcintosh and the pin would be 7395.",
     "user_language"),
    ("audit-hr_leave-3-good", 3, "Wonderful. Then log me in please, cmcintosh and 7395.", "small_talk"),
    ("audit-hr_leave-1-good", 4, "Good morning, Chelsea! You have 11.0 vacation days, 3 personal days and 1 sick "
                                 "day left.", "program_text"),
])
def test_a_tampered_fresh_env_record_fails_that_check(verifier: Verifier, record_id: str, index: int, text: str,
                                                      check: str) -> None:
    assert failed(verifier, tampered(record_id, index, text)) == {check: [index]}


# ---------------------------------------------------------------- answer, small_talk, plan_sense additions

SHOP_TOOLS: dict[str, dict[str, Any]] = {"get_product": {"product_id": {"type": "string"}},
                                         "place_order": {"product_id": {"type": "string"}}}
SHOP = EnvPolicy(known=True, writes=frozenset({"place_order"}))
KETTLE = {"product_id": "P2029", "name": "Electric Kettle (Grey)", "category": "kitchen", "price": 58.99}


@pytest.mark.parametrize("reply, found", [
    ("That's our Electric Kettle (Grey), in the kitchen category.", {"unanswered_question": [3]}),
    ("The Electric Kettle (Grey) is $58.99.", {}),
    ("Good news: the Electric Kettle (Grey) is free this week.", {}),  # an amount said in words
])
def test_how_much_is_answered_by_a_number(reply: str, found: dict[str, list[int]]) -> None:
    record = synthetic([("user", "How much does product P2029 cost?"),
                        ("call", "get_product", {"product_id": "P2029"}, KETTLE), ("assistant", reply)], SHOP_TOOLS)
    assert kinds(record, SHOP) == found


@pytest.mark.parametrize("reply, found", [
    ("The Electric Kettle (Grey) is $58.99, in the kitchen category.", {}),
    ("That's our Electric Kettle (Grey), in the kitchen category.", {"unanswered_question": [7]}),
])
def test_how_much_is_answered_by_a_price_shown_earlier(reply: str, found: dict[str, list[int]]) -> None:
    """The order showed the kettle's unit price before the user asked what it costs."""
    order = {"order_id": "#W1", "items": [{"product_id": "P2029", "unit_price": 58.99, "quantity": 1}]}
    record = synthetic([("user", "Please order product P2029."),
                        ("call", "place_order", {"product_id": "P2029"}, order),
                        ("assistant", "Done: order #W1 is placed."), ("user", "How much does product P2029 cost?"),
                        ("call", "get_product", {"product_id": "P2029"}, KETTLE), ("assistant", reply)], SHOP_TOOLS)
    assert kinds(record, SHOP) == found


@pytest.mark.parametrize("removed_from, found", [("ER-2", {}), ("ER-1", {"write_then_cancel": [3]})])
def test_the_users_own_key_is_no_shared_entity_of_a_write_and_its_undo(removed_from: str,
                                                                      found: dict[str, list[int]]) -> None:
    tools = {"submit_report": {"staff_number": {"type": "string"}, "report_code": {"type": "string"}},
             "remove_line_item": {"staff_number": {"type": "string"}, "report_code": {"type": "string"},
                                  "line_no": {"type": "integer"}}}
    policy = EnvPolicy(known=True, writes=frozenset(tools), user_key="staff_number")
    record = synthetic([("user", "Submit report ER-1, then drop line 1 of report " + removed_from + "."),
                        ("call", "submit_report", {"staff_number": "SN-1", "report_code": "ER-1"},
                         {"report_code": "ER-1", "state": "submitted"}),
                        ("call", "remove_line_item", {"staff_number": "SN-1", "report_code": removed_from,
                                                      "line_no": 1}, {"report_code": removed_from, "lines": 2}),
                        ("assistant", f"Report ER-1 is submitted and line 1 of {removed_from} is gone.")], tools)
    assert {k: v for k, v in kinds(record, policy).items() if k == "write_then_cancel"} == found


@pytest.mark.parametrize("question, reply, found", [
    ("Could you look up booking BK-4 for our guest?", "BK-4 is a sea view double from May 3.", {}),
    ("How many guests are on booking BK-4?", "It's a sea view double from May 3.", {"unanswered_question": [3]}),
    ("How many guests are on booking BK-4?", "There are 3 guests in the sea view double.", {}),
])
def test_the_guest_is_a_person_the_guests_a_count(question: str, reply: str, found: dict[str, list[int]]) -> None:
    booking = {"booking_id": "BK-4", "room": "sea view double", "guests": 3, "check_in": "2026-05-03"}
    record = synthetic([("user", question), ("call", "get_booking", {"booking_id": "BK-4"}, booking),
                        ("assistant", reply)], {"get_booking": {"booking_id": {"type": "string"}}})
    assert kinds(record, EnvPolicy(known=True)) == found


@pytest.mark.parametrize("question, found", [
    ("Sure! Which customer ID would you like?", {"id_as_choice": [1]}),
    ("Which pin would you like to use?", {"id_as_choice": [1]}),
    ("Sure! What's your customer ID?", {}),
    ("Which card would you like to freeze?", {}),  # a choice among the user's cards is a choice
])
def test_an_identifier_is_asked_for_not_offered_as_a_choice(question: str, found: dict[str, list[int]]) -> None:
    record = synthetic([("user", "Could you show me my cards?"), ("assistant", question),
                        ("user", "CUS-1001."), ("assistant", "You have one card.")], HR_TOOLS)
    assert kinds(record) == found


def orders(second_request: str) -> Record:
    return synthetic([
        ("user", "Please order the kettle P2029."),
        ("assistant", "I'll order one Electric Kettle (Grey), P2029, for $58.99. Shall I?"), ("user", "Yes."),
        ("call", "place_order", {"product_id": "P2029"}, {"order_id": "#W1", "product_id": "P2029"}),
        ("assistant", "Ordered: #W1."),
        ("user", second_request),
        ("assistant", "I'll order one Electric Kettle (Grey), P2029, for $58.99. Shall I?"), ("user", "Yes."),
        ("call", "place_order", {"product_id": "P2029"}, {"order_id": "#W2", "product_id": "P2029"}),
        ("assistant", "Ordered: #W2."),
    ], SHOP_TOOLS)


def test_the_same_write_twice_unasked_is_found() -> None:
    assert kinds(orders("Can you place an order for P2029?"), SHOP) == {"duplicate_write": [9]}


def test_the_same_write_asked_for_again_is_fine() -> None:
    assert kinds(orders("That was quick. Could you order another one, for my sister?"), SHOP) == {}


@pytest.mark.parametrize("question, answer, found", [
    ("Sorry, could you repeat the customer ID?", "Of course, the customer ID is C1036.", {"repeat_unsaid": [2]}),
    ("Hold on, when did you say it was placed?", "It was placed on May 3.", {"repeat_unsaid": [2]}),
    ("Sorry, what did you say the order number was?", "It's #W1.", {}),  # it was said: there is something to repeat
])
def test_repeating_what_was_never_said_is_found(question: str, answer: str, found: dict[str, list[int]]) -> None:
    record = synthetic([("user", "Cancel my order #W1, please."), ("assistant", "Done: order #W1 is cancelled."),
                        ("user", question), ("assistant", answer)], HR_TOOLS)
    assert kinds(record) == found


@pytest.mark.parametrize("answer, found", [
    ("I'd like Torres.", {"id_as_choice": [2]}),
    ("Sure, I'd prefer CUS-1057.", {"id_as_choice": [2]}),
    ("It's Torres.", {}),
])
def test_giving_ones_own_name_as_a_preference_is_found(answer: str, found: dict[str, list[int]]) -> None:
    record = synthetic([("user", "I'd like to check my order; first name Grace, zip 88054."),
                        ("assistant", "Could you give me the last name first?"), ("user", answer),
                        ("assistant", "Thanks, Grace.")], HR_TOOLS)
    assert kinds(record) == found


def test_a_preference_answering_a_real_choice_is_fine() -> None:
    record = synthetic([("user", "I'd like to order a kettle."), ("assistant", "Which colour: grey or sand?"),
                        ("user", "I'd like the sand one."), ("assistant", "Sand it is.")], HR_TOOLS)
    assert kinds(record) == {}



@pytest.mark.parametrize("reply, found", [
    ("Here's what I found. Ordered: #W1.", {"found_after_write": [5]}),
    ("Done! Order #W1 is placed.", {}),
])
def test_presenting_findings_after_a_write_only_is_found(reply: str, found: dict[str, list[int]]) -> None:
    record = synthetic([("user", "Please order the kettle P2029."), ("assistant", "One kettle for $58.99. Shall I?"),
                        ("user", "Yes."), ("call", "place_order", {"product_id": "P2029"}, {"order_id": "#W1"}),
                        ("assistant", reply)], SHOP_TOOLS)
    assert kinds(record, SHOP) == found


def test_presenting_findings_after_a_look_up_is_fine() -> None:
    record = synthetic([("user", "How much is P2029?"), ("call", "get_product", {"product_id": "P2029"}, KETTLE),
                        ("assistant", "Here's what I found: the Electric Kettle (Grey) is $58.99.")], SHOP_TOOLS)
    assert kinds(record, SHOP) == {}



@pytest.mark.parametrize("text, found", [
    ("Please add a payee. My first pick for the payee name is Mr. Bernard Chung.", {"id_as_choice": [0]}),
    ("My preference for the fulfilment is delivery.", {}),  # a real choice may be a preference
    ("The payee is Mr. Bernard Chung, at Knapp Bank.", {}),
])
def test_a_name_called_a_pick_is_found(text: str, found: dict[str, list[int]]) -> None:
    assert kinds(synthetic([("user", text), ("assistant", "Okay.")], HR_TOOLS)) == found
