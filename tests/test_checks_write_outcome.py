"""`write_outcome` (found reading fresh envs' output in the audit): a create's reply tells
the new record's id or name, and a setting write changes something. Hand-written records
in several styles for what each rule must find and what it must leave alone."""

from __future__ import annotations

from typing import Any

import pytest
from handwritten import synthetic

from toolace_mt.record import Record
from toolace_mt.verifier import Dialogue
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.trajectory import findings

TOOLS: dict[str, dict[str, Any]] = {
    "start_report": {"staff_number": {"type": "string"}, "purpose": {"type": "string"}},
    "submit_report": {"staff_number": {"type": "string"}, "report_code": {"type": "string"}},
    "add_comment": {"cardId": {"type": "string"}, "text": {"type": "string"}},
    "add_payee": {"customer_id": {"type": "string"}, "name": {"type": "string"}},
    "pay_payee": {"payee_id": {"type": "string"}, "amount": {"type": "number"}},
    "cancel_order": {"order_id": {"type": "string"}},
    "get_thermostat": {},
    "set_thermostat": {"target_temperature": {"type": "number"}},
    "get_card": {"cardId": {"type": "string"}},
    "move_card": {"cardId": {"type": "string"}, "listName": {"type": "string"}},
    "rename_card": {"cardId": {"type": "string"}, "title": {"type": "string"}},
}
POLICY = EnvPolicy(known=True, writes=frozenset({"start_report", "submit_report", "add_comment", "add_payee",
                                                 "pay_payee", "cancel_order", "set_thermostat", "move_card",
                                                 "rename_card"}),
                   user_key="staff_number")
REPORT = {"report_code": "ER-5075", "staff_number": "SN-230", "purpose": "Client visit", "state": "draft"}
START = [("user", "I'm SN-230. Please open a report for my client visit."),
         ("call", "start_report", {"staff_number": "SN-230", "purpose": "Client visit"}, REPORT)]


def kinds(record: Record, policy: EnvPolicy = POLICY) -> dict[str, list[int | None]]:
    found: dict[str, list[int | None]] = {}
    for finding in findings(Dialogue(record), policy, checks=("write_outcome",)):
        found.setdefault(finding.kind, []).append(finding.message_index)
    return found


def test_a_new_record_whose_id_is_never_told_is_found() -> None:
    record = synthetic([*START, ("assistant", "Done! I've started it. The purpose is Client visit.")], TOOLS)
    assert kinds(record) == {"untold_new_id": [1]}


@pytest.mark.parametrize("turns", [
    [("assistant", "Your draft report **ER-5075** is open.")],
    [("assistant", "It's open."), ("user", "Thanks, anything else?"), ("assistant", "For reference: #er-5075.")],
    [("assistant", "Opened. Shall I submit it?"), ("user", "Yes."),
     ("call", "submit_report", {"staff_number": "SN-230", "report_code": "ER-5075"}, {**REPORT, "state": "submitted"}),
     ("assistant", "It's submitted.")],
])
def test_a_new_id_told_later_or_used_by_a_later_call_is_fine(turns: list[tuple[str, Any]]) -> None:
    assert kinds(synthetic([*START, *turns], TOOLS)) == {}


def test_a_new_record_told_by_its_name_is_fine() -> None:
    record = synthetic([("user", "Add Joe Hartman as a payee; I'm CUS-1."),
                        ("call", "add_payee", {"customer_id": "CUS-1", "name": "Joe Hartman"},
                         {"payee_id": "PAY-5264", "customer_id": "CUS-1", "name": "Joe Hartman"}),
                        ("assistant", "Joe Hartman has been added as a payee.")], TOOLS)
    assert kinds(record) == {}


def test_ids_no_tool_takes_and_ids_of_records_that_existed_are_not_owed() -> None:
    record = synthetic([("user", "Comment 'ship it' on CARD-1, and cancel order W1."),
                        ("call", "add_comment", {"cardId": "CARD-1", "text": "ship it"},
                         {"commentId": "COM-9", "cardId": "CARD-1"}),
                        ("call", "cancel_order", {"order_id": "W1"},
                         {"order_id": "W1", "customer_id": "C1015", "status": "cancelled"}),
                        ("assistant", "Your comment is on CARD-1 and order W1 is cancelled.")], TOOLS)
    assert kinds(record) == {}


def test_a_payment_is_not_a_record_the_user_comes_back_to() -> None:
    record = synthetic([("user", "Pay PAY-1 $20."),
                        ("call", "pay_payee", {"payee_id": "PAY-1", "amount": 20},
                         {"payee_id": "PAY-1", "transfer_id": "TRF-77", "amount": 20.0}),
                        ("assistant", "Sent $20.")], TOOLS)
    assert kinds(record) == {}


def test_setting_the_value_a_look_up_just_showed_is_found() -> None:
    record = synthetic([("user", "Set the thermostat's target, please."),
                        ("call", "get_thermostat", {}, {"mode": "cool", "target_temperature": 29.84}),
                        ("call", "set_thermostat", {"target_temperature": 29.84}, {"target_temperature": 29.84}),
                        ("assistant", "All set: the target temperature is 29.84.")], TOOLS)
    assert kinds(record) == {"noop_write": [3]}


@pytest.mark.parametrize(("card", "target"), [("CARD-2", "doing"), ("CARD-1", "done")])
def test_moving_a_card_somewhere_new_is_fine(card: str, target: str) -> None:
    record = synthetic([("user", f"Move {card} to {target}."),
                        ("call", "get_card", {"cardId": "CARD-1"}, {"cardId": "CARD-1", "listName": "doing"}),
                        ("call", "move_card", {"cardId": card, "listName": target},
                         {"cardId": card, "listName": target}),
                        ("assistant", f"{card} is in {target} now.")], TOOLS)
    assert kinds(record) == {}


def test_moving_a_card_to_the_list_it_is_in_is_found_in_any_casing() -> None:
    record = synthetic([("user", "Where is CARD-1? Then move it to doing."),
                        ("call", "get_card", {"cardId": "CARD-1"}, {"card_id": "CARD-1", "list_name": "Doing"}),
                        ("assistant", "It's in Doing."),
                        ("call", "move_card", {"cardId": "CARD-1", "listName": "doing"},
                         {"cardId": "CARD-1", "listName": "doing"}),
                        ("assistant", "Moved.")], TOOLS)
    assert kinds(record) == {"noop_write": [4]}


def test_a_write_in_between_may_have_changed_the_record() -> None:
    record = synthetic([("user", "Move CARD-1 to done, then back to doing."),
                        ("call", "get_card", {"cardId": "CARD-1"}, {"cardId": "CARD-1", "listName": "doing"}),
                        ("call", "move_card", {"cardId": "CARD-1", "listName": "done"},
                         {"cardId": "CARD-1", "listName": "done"}),
                        ("call", "move_card", {"cardId": "CARD-1", "listName": "doing"},
                         {"cardId": "CARD-1", "listName": "doing"}),
                        ("assistant", "Done, and it's back in doing.")], TOOLS)
    assert kinds(record) == {}


def test_unknown_policy_and_odd_shapes_judge_nothing() -> None:
    record = synthetic([*START, ("assistant", "Done.")], TOOLS)
    assert kinds(record, EnvPolicy.unknown()) == {}
    odd = synthetic([("user", "Set it."),
                     ("call", "get_thermostat", {}, [[{"target_temperature": 20}], None, "x"]),
                     ("call", "set_thermostat", {"target_temperature": [20]}, {"target_temperature": 20}),
                     ("call", "start_report", {"staff_number": "SN-1"}, ["ER-1"]),
                     ("assistant", "Done.")], TOOLS)
    assert kinds(odd) == {}


def test_with_a_diff_only_ids_of_added_rows_were_made() -> None:
    """A tip added to an order shows the order's menu item, new to the dialogue but not made by it."""
    tools = {**TOOLS, "add_tip": {"order_id": {"type": "string"}, "amount": {"type": "number"}},
             "place_order": {"item_id": {"type": "string"}}}
    policy = EnvPolicy(known=True, writes=frozenset({"add_tip", "place_order"}))
    turns = [("user", "Add a $3 tip to FD-2."),
             ("call", "add_tip", {"order_id": "FD-2", "amount": 3}, {"order_id": "FD-2", "item_id": "MI2040"}),
             ("assistant", "Done: a $3.00 tip is on order FD-2.")]

    def with_diff(added: list[dict[str, Any]]) -> Record:
        data = synthetic(turns, tools).model_dump()
        data["expected"] = {"final_state_hash": "0" * 64,
                            "diff": {"tables": {"tips": {"added": added, "removed": [], "changed": []}}}}
        return Record.model_validate(data)

    assert kinds(synthetic(turns, tools), policy) == {"untold_new_id": [1]}  # no diff: the maker's new id counts
    assert kinds(with_diff([{"order_id": "FD-2", "amount": 3.0}]), policy) == {}
    assert kinds(with_diff([{"tip_id": "TP-1", "item_id": "MI2040"}]), policy) == {"untold_new_id": [1]}


def test_an_id_set_to_the_one_the_record_already_points_at_is_found() -> None:
    tools = {"find_patient": {"family_name": {"type": "string"}},
             "update_preferred_pharmacy": {"patient_id": {"type": "string"}, "pharmacy_id": {"type": "string"}}}
    policy = EnvPolicy(known=True, writes=frozenset({"update_preferred_pharmacy"}))

    def run(pharmacy: str) -> dict[str, list[int | None]]:
        return kinds(synthetic([
            ("user", f"I'm Danielle Hendrix; make {pharmacy} my pharmacy."),
            ("call", "find_patient", {"family_name": "Hendrix"},
             {"patient_id": "PT1001", "preferred_pharmacy_id": "PH03", "phone": "555-475-9382"}),
            ("call", "update_preferred_pharmacy", {"patient_id": "PT1001", "pharmacy_id": pharmacy},
             {"patient_id": "PT1001", "preferred_pharmacy_id": pharmacy}),
            ("assistant", f"Done: {pharmacy} is your pharmacy now.")], tools), policy)

    assert run("PH03") == {"noop_write": [3]}
    assert run("PH05") == {}
