"""The defects an outside reader found in generated dialogues on envs the generator was never
tuned on (FINDINGS, audit A, D, E, H, I/P/S, O), judged on records from any source: a reply
that reads ids out instead of answering, raw or own field names read back, a value wished
for a parameter by its name, a refusal reading a tool's description, an id asked for that
nobody knows or offered as a choice, and a user who asks themselves and answers. Each
defect is found with a message saying what to do; a person's way of saying it is not.
"""

from __future__ import annotations

from typing import Any

import pytest
from handwritten import synthetic
from test_checks_any_source import UNKNOWN, kinds

from toolace_mt.record import Record
from toolace_mt.verifier import Dialogue
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.trajectory import findings

FILL = {"dispense_id": "MD30045", "request_id": "RX20139", "pharmacy_id": "PH08", "status": "cancelled",
        "ready_on": "2026-07-13", "medication": "lisinopril 10 mg"}
PHARMACY_TOOLS: dict[str, dict[str, Any]] = {
    "cancel_dispense": {"dispense_id": {"type": "string"},
                        "reason": {"type": "string", "enum": ["no-longer-needed", "filled-elsewhere", "other"]}},
    "place_hold": {"biblio_id": {"type": "string"}, "pickup_library_id": {"type": "string"}},
    "find_patron_by_cardnumber": {"cardnumber": {"type": "string"}},
    "get_patient": {"patient_id": {"type": "string"}},
    "add_note": {"ticket_id": {"type": "string"}, "title": {"type": "string"}},
}


def message(record: Record, kind: str, policy: EnvPolicy = UNKNOWN) -> str:
    return next(f.message for f in findings(Dialogue(record), policy) if f.kind == kind)


def cancelled(reply: str, ask: str = "Please cancel my lisinopril fill MD30045, I don't need it any more.") -> Record:
    return synthetic([("user", ask),
                      ("call", "cancel_dispense", {"dispense_id": "MD30045", "reason": "no-longer-needed"}, FILL),
                      ("assistant", reply)], PHARMACY_TOOLS)


# ---------------------------------------------------------------- A: id_readout

def test_a_reply_reading_out_internal_ids_is_found() -> None:
    record = cancelled("Got it. I've cancelled dispense MD30045. It shows that the request ID is RX20139 and the "
                       "pharmacy ID is PH08.")
    assert kinds(record) == {"id_readout": [3]}
    assert "request ID (RX20139)" in message(record, "id_readout") and "not by ids" in message(record, "id_readout")


@pytest.mark.parametrize("reply", [
    "Done: your lisinopril fill that was due on July 13 is cancelled.",
    "I've cancelled fill MD30045 (lisinopril 10 mg).",
])
def test_a_reply_telling_what_changed_in_words_is_fine(reply: str) -> None:
    assert kinds(cancelled(reply)) == {}


def test_an_id_the_user_asks_for_is_an_answer() -> None:
    record = cancelled("Done. The request ID is RX20139.", ask="Please cancel fill MD30045 (no longer needed). "
                                                                "Which request ID was it for?")
    assert kinds(record) == {}


def test_the_id_a_write_just_made_is_told_not_read_out() -> None:
    record = synthetic([("user", "Please put a hold on Dune for pickup at the Riverside branch (RPL)."),
                        ("call", "place_hold", {"biblio_id": "BB303", "pickup_library_id": "RPL"},
                         {"hold_id": "HD7048", "biblio_id": "BB303", "pickup_library_id": "RPL", "status": "pending"}),
                        ("assistant", "Done! The hold ID is HD7048, and Dune will wait for you at Riverside.")],
                       PHARMACY_TOOLS)
    assert kinds(record) == {}


@pytest.mark.parametrize(("tool", "arguments", "output", "reply"), [
    ("pay_payee", {"payee_id": "PAY-5068", "amount": 31.84},
     {"transfer_id": "TRF-100701", "payee_id": "PAY-5068", "amount": 31.84, "status": "scheduled"},
     "I've paid Hill-Rosales $31.84. The transfer ID is TRF-100701."),
    ("transfer_between_accounts", {"from_account_id": "ACC-1", "to_account_id": "ACC-2", "amount": 10.0},
     {"transfer_id": "TRF-100702", "from_account_id": "ACC-1", "to_account_id": "ACC-2", "status": "completed"},
     "I've moved $10.00 to your savings. The transfer ID is TRF-100702."),
    ("send_message", {"receiver_id": "USR-2", "body": "Running late"},
     {"message_id": "MSG-5221", "receiver_id": "USR-2"}, "Sent! The message ID is MSG-5221."),
])
def test_a_transaction_a_write_made_is_news_whatever_its_verb(tool: str, arguments: dict[str, Any],
                                                               output: dict[str, Any], reply: str) -> None:
    """A payment makes a transfer, a send makes a message: their new ids are what the user
    keeps, not an internal id read back (the verb is no create, and the kind is not always
    in the tool's name)."""
    record = synthetic([("user", "Please do it."), ("call", tool, arguments, output), ("assistant", reply)],
                       {tool: {k: {"type": "string"} for k in arguments}})
    assert "id_readout" not in kinds(record)
    gave = [k for k in arguments if k.endswith("_id") and "_" not in k[:-3]]  # payee_id, receiver_id
    for key in gave:  # an id the user gave, read back, is still found
        again = synthetic([("user", "Please do it."), ("call", tool, arguments, output),
                           ("assistant", f"{reply} The {key[:-3]} ID is {arguments[key]}.")],
                          {tool: {k: {"type": "string"} for k in arguments}})
        assert "id_readout" in kinds(again), key


def test_a_makers_own_key_is_new_even_when_an_env_reuses_an_id() -> None:
    hold = {"hold_id": "HD7047", "biblio_id": "BB303", "pickup_library_id": "RPL", "status": "pending"}
    record = synthetic([("user", "Please cancel my hold HD7047."),
                        ("call", "cancel_hold", {"hold_id": "HD7047"}, {**hold, "status": "cancelled"}),
                        ("assistant", "Done, that hold is cancelled."),
                        ("user", "Now put a hold on Dune for pickup at Riverside (RPL), please."),
                        ("call", "place_hold", {"biblio_id": "BB303", "pickup_library_id": "RPL"}, hold),
                        ("assistant", "Done! The hold ID is HD7047, and Dune will wait for you at Riverside.")],
                       PHARMACY_TOOLS)
    assert "id_readout" not in kinds(record)


def test_the_id_the_user_gave_read_back_is_found() -> None:
    record = synthetic([("user", "My monitor's screen is broken, asset tag MN-5508. Please request a replacement."),
                        ("call", "request_replacement", {"asset_tag": "MN-5508"},
                         {"request_id": "RPL-901", "asset_tag": "MN-5508", "model": "Dell U2723QE"}),
                        ("assistant", "I've requested it. The request ID is RPL-901 and the asset tag is MN-5508.")],
                       {"request_replacement": {"asset_tag": {"type": "string"}}})
    assert kinds(record) == {"id_readout": [3]}
    assert "asset tag (MN-5508)" in message(record, "id_readout")


# ---------------------------------------------------------------- D: raw and own field names

PATRON = {"cardnumber": "23000045", "firstname": "Jo", "surname": "Adams", "patron_id": "PA2009",
          "library_id": "MPL"}


def found_patron(reply: str) -> Record:
    return synthetic([("user", "Hi, my library card is 23000045, please find my account."),
                      ("call", "find_patron_by_cardnumber", {"cardnumber": "23000045"}, PATRON),
                      ("assistant", reply)], PHARMACY_TOOLS)


def test_a_glued_field_name_said_as_a_word_is_found() -> None:
    record = found_patron("Found you. According to the record, the cardnumber is 23000045.")
    assert kinds(record) == {"field_name": [3], "id_readout": [3]}  # the user's own card, read back too
    assert "cardnumber" in message(record, "field_name")


def test_the_users_own_name_read_as_a_firstname_field_is_found() -> None:
    patrons = EnvPolicy(known=True, user_key="patron_id")
    record = found_patron("Found you: the firstname is Jo.")
    assert set(kinds(record, patrons)) == {"field_name", "own_name_read"}
    assert "the firstname is Jo" in message(record, "own_name_read", patrons)


def test_addressing_the_user_by_name_is_fine() -> None:
    assert kinds(found_patron("Found you, Jo! What can I do for your account?"),
                 EnvPolicy(known=True, user_key="patron_id")) == {}


@pytest.mark.parametrize("reply, read", [("The given name is Nathaniel and you're signed in.", True),
                                         ("You're signed in, Nathaniel.", False)])
def test_a_given_name_read_back_after_a_sign_in_is_found(reply: str, read: bool) -> None:
    record = synthetic([("user", "Sign me in please: nwalker / 4821."),
                        ("call", "sign_in", {"username": "nwalker", "pin": "4821"},
                         {"employee_id": "E-31", "given_name": "Nathaniel"}),
                        ("assistant", reply)], {"sign_in": {"username": {"type": "string"}, "pin": {"type": "string"}}})
    assert kinds(record) == ({"own_name_read": [3]} if read else {})


# ---------------------------------------------------------------- E: a value wished for a parameter

@pytest.mark.parametrize("said, wished", [
    ("Please cancel fill MD30045. The reason should be other.", "The reason should be other"),
    ("Please cancel fill MD30045. Ideally the reason would be no longer needed.", "Ideally the reason would be"),
    ("Please cancel fill MD30045, I'd like the reason to be filled elsewhere.", "the reason to be filled elsewhere"),
    ("Could you cancel a fill? The dispense ID should be MD30045.", "The dispense ID should be MD30045"),
    ("Please cancel it. Ideally the cardnumber would be 23000781.", "Ideally the cardnumber would be 23000781"),
])
def test_a_value_wished_for_an_enum_or_a_key_is_form_filling(said: str, wished: str) -> None:
    record = cancelled("Done: your lisinopril fill that was due on July 13 is cancelled.", ask=said)
    assert kinds(record) == {"form_filling": [0]}
    assert wished in message(record, "form_filling")


@pytest.mark.parametrize("said", [
    "Please cancel fill MD30045, I got it filled elsewhere.",
    "Please cancel fill MD30045. The reason should be clear from my notes, it's no longer needed.",
    "Please cancel fill MD30045; the title should be 'Moving house' on the note.",
    "Please cancel fill MD30045. My card number is 23000781.",
])
def test_saying_what_one_wants_is_not_form_filling(said: str) -> None:
    assert kinds(cancelled("Done: your lisinopril fill that was due on July 13 is cancelled.", ask=said)) == {}


# ---------------------------------------------------------------- H: a refusal reading a description

REFILL = "Request a refill of an active prescription at a pharmacy, for pickup or delivery."


def refused(reply: str, ask: str = "Could you get my inhaler refilled?") -> Record:
    return synthetic([("user", ask), ("assistant", reply)], {"get_patient": {"patient_id": {"type": "string"}}})


def test_a_refusal_reading_a_withheld_tools_description_is_found() -> None:
    policy = EnvPolicy(known=True, descriptions=(REFILL,))
    record = refused("Unfortunately I'm not able to request a refill of an active prescription at a pharmacy, for "
                     "pickup or delivery.")
    assert kinds(record, policy) == {"broken_refusal": [1]}
    assert "description" in message(record, "broken_refusal", policy)


@pytest.mark.parametrize("reply, ask", [
    ("Sorry, I can't order refills from here; your pharmacy can.", "Could you get my inhaler refilled?"),
    ("Sorry, I can't request a refill of an active prescription at a pharmacy.",
     "Can you request a refill of an active prescription at a pharmacy for me?"),
])
def test_a_refusal_in_its_own_or_the_users_words_is_fine(reply: str, ask: str) -> None:
    found = kinds(refused(reply, ask), EnvPolicy(known=True, descriptions=(REFILL,)))
    assert "broken_refusal" not in found


# ---------------------------------------------------------------- I/P/S: ids asked for

@pytest.mark.parametrize("question, found", [
    ("Which cardnumber would you like?", {"id_as_choice": [1], "field_name": [1]}),
    ("Which asset tag would you like?", {"id_as_choice": [1]}),
    ("What's your library card number?", {}),
])
def test_an_identifier_offered_as_a_choice_is_found(question: str, found: dict[str, list[int]]) -> None:
    record = synthetic([("user", "I need to renew a book."), ("assistant", question)],
                       {"find_patron_by_cardnumber": {"cardnumber": {"type": "string"}},
                        "list_devices": {"asset_tag": {"type": "string"}}})
    assert kinds(record) == found


LIBRARY_TOOLS: dict[str, dict[str, Any]] = {
    "search_libraries": {"city": {"type": "string"}},
    "list_requests": {"status": {"type": "string", "enum": ["pending", "approved"]}},
    "list_orders": {"customer_id": {"type": "string"}},
    "get_order": {"order_id": {"type": "string"}},
    "place_hold": {"biblio_id": {"type": "string"}, "pickup_library_id": {"type": "string"}},
}


@pytest.mark.parametrize("question, found", [
    ("What is the pickup library ID?", True),
    ("Could you tell me the pickup library ID first?", True),
    ("Which library would you like to pick it up from?", False),
    ("What's the order ID?", False),  # an order is the user's own: list_orders(customer_id) finds it by its owner
    ("What's the request ID?", False),  # list_requests(status) filters the user's own; it describes nothing
])
def test_an_id_people_know_by_name_asked_for_is_found(question: str, found: bool) -> None:
    record = synthetic([("user", "Please put a hold on Dune for me."), ("assistant", question)], LIBRARY_TOOLS)
    assert kinds(record) == ({"internal_id_asked": [1]} if found else {})
    if found:
        assert "look the id up" in message(record, "internal_id_asked")


def test_an_id_shown_with_a_name_in_a_search_is_a_catalogues() -> None:
    record = synthetic([("user", "Which pharmacies are there in Fairview?"),
                        ("call", "search_pharmacies", {"city": "Fairview"},
                         [{"pharmacy_id": "PH04", "name": "Dudley Pharmacy"},
                          {"pharmacy_id": "PH08", "name": "Barajas Pharmacy"}]),
                        ("assistant", "Two: Dudley Pharmacy and Barajas Pharmacy."),
                        ("user", "What's the pharmacy ID of Barajas Pharmacy?"), ("assistant", "It's PH08.")],
                       {"search_pharmacies": {"city": {"type": "string"}}})
    assert kinds(record) == {"internal_id_asked": [4]}
    assert "the user asks" in message(record, "internal_id_asked")


def test_a_kind_a_tool_makes_is_the_users_own_not_a_catalogue() -> None:
    record = synthetic([("user", "What have I ordered lately?"),
                        ("call", "list_orders", {}, [{"order_id": "FD-1", "store_name": "Pizza Place", "total": 20.5},
                                                     {"order_id": "FD-2", "store_name": "Sushi Bar", "total": 31.0}]),
                        ("assistant", "Two orders: Pizza Place for $20.50 and Sushi Bar for $31.00."),
                        ("user", "Cancel the sushi one please."),
                        ("assistant", "Sure. Could you tell me the order ID?")],
                       {"list_orders": {}, "place_order": {"store_id": {"type": "string"}},
                        "cancel_order": {"order_id": {"type": "string"}}})
    assert "internal_id_asked" not in kinds(record)


def test_a_camel_case_setting_is_no_identifier_and_a_sign_in_id_is_ones_own() -> None:
    record = synthetic([("user", "Hi, I'd like to press the brake and then message someone."),
                        ("assistant", "Which pedal position would you like? And could you tell me the user ID first?")],
                       {"pressBrakePedal": {"pedalPosition": {"type": "number"}},
                        "message_login": {"user_id": {"type": "string"}},
                        "list_users": {}})
    assert kinds(record) == {}


def test_a_kind_one_sends_is_ones_own() -> None:
    record = synthetic([("user", "Which message ID was it again?"), ("assistant", "It was M-12.")],
                       {"search_messages": {"keyword": {"type": "string"}},
                        "send_message": {"receiver_id": {"type": "string"}},
                        "delete_message": {"message_id": {"type": "string"}}})
    assert "internal_id_asked" not in kinds(record)


# ---------------------------------------------------------------- O: self_answered

@pytest.mark.parametrize("said, value", [
    ("Please sign me in. My username is ksummers6. And the pin? 7745.", "my pin is 7745"),
    ("Sign me in please. Oh, the username? That's ksummers6.", "my username is ksummers6"),
    ("I need a refill. And the request ID? RX20010.", "my request id is RX20010"),
])
def test_asking_oneself_and_answering_is_found(said: str, value: str) -> None:
    record = synthetic([("user", said), ("assistant", "Sorry, I can't sign you in here.")], {})
    assert kinds(record) == {"self_answered": [0]}
    assert value in message(record, "self_answered")


@pytest.mark.parametrize("turns", [
    [("assistant", "What's your email?"), ("user", "My email? It's kim@example.com."),
     ("assistant", "Thanks, Kim.")],
    [("user", "Remember the party? Great fun. Anyway, can I get a refill?"),
     ("assistant", "Sorry, I can't do refills here.")],
    [("user", "Is the clinic open on Friday? I hope so."), ("assistant", "Sorry, I don't know.")],
])
def test_echoing_a_question_or_asking_a_real_one_is_fine(turns: list[tuple[str, str]]) -> None:
    assert "self_answered" not in kinds(synthetic(turns, {}))
