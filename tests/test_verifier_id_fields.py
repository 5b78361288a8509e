"""Ids in any casing (customer_id, customerId, taskID, ID) are ids to the trajectory checks;
a write's value shown by a fair read as well as by an unrelated one is not 'unrelated'."""

from __future__ import annotations

import pytest
from handwritten import synthetic

from toolace_mt.verifier import Dialogue
from toolace_mt.verifier.id_fields import id_stem, is_id_field
from toolace_mt.verifier.necessity import entity_key
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.trajectory import findings


@pytest.mark.parametrize(("name", "stem"), [
    ("customer_id", "customer"), ("customerId", "customer"), ("taskID", "task"), ("ID", ""), ("id", ""),
    ("payee_account_id", "payee_account"), ("paid", None), ("valid", None), ("identity", None), ("idea", None),
])
def test_id_stem_reads_every_casing(name: str, stem: str | None) -> None:
    assert id_stem(name) == stem
    assert is_id_field(name) is (stem is not None)


def test_a_camel_case_get_is_keyed_by_its_own_id_not_the_owner() -> None:
    record = synthetic([
        ("user", "What's the status of task T-5?"),
        ("call", "getTask", {"taskID": "T-5"}, {"taskID": "T-5", "user_id": "U-1", "status": "open"}),
        ("assistant", "Task T-5 is open."),
    ], {"getTask": {"taskID": {"type": "string"}}})
    site = Dialogue(record).calls[0]
    assert entity_key(site) == ("taskID", "T-5")


def _kinds(turns: list, tools: dict) -> dict[str, list[int | None]]:
    found: dict[str, list[int | None]] = {}
    policy = EnvPolicy(known=True, writes=frozenset({"pay_payee"}), user_key="customer_id")
    for finding in findings(Dialogue(synthetic(turns, tools)), policy):
        found.setdefault(finding.kind, []).append(finding.message_index)
    return found


TOOLS = {"get_transfer": {"transfer_id": {"type": "string"}}, "get_customer": {"customer_id": {"type": "string"}},
         "pay_payee": {"payee_id": {"type": "string"}, "amount": {"type": "number"}}}


def test_a_value_also_shown_by_the_users_own_record_is_not_unrelated() -> None:
    turns = [
        ("user", "Can you look at transfer TRF-1 for me? I'm customer C-1."),
        ("call", "get_transfer", {"transfer_id": "TRF-1"},
         {"transfer_id": "TRF-1", "payee_id": "PAY-7", "amount": 20.0}),
        ("call", "get_customer", {"customer_id": "C-1"}, {"customer_id": "C-1", "payee_id": "PAY-7", "name": "Ann"}),
        ("assistant", "TRF-1 sent $20.00 to your payee PAY-7, Ann. Shall I pay PAY-7 $50.00?"),
        ("user", "Yes."),
        ("call", "pay_payee", {"payee_id": "PAY-7", "amount": 50}, {"transfer_id": "TRF-2", "amount": 50.0}),
        ("assistant", "Done: $50.00 went to PAY-7 (transfer TRF-2)."),
    ]
    assert "unrelated_record" not in _kinds(turns, TOOLS)
    only_transfer = [t for t in turns if not (t[0] == "call" and t[1] == "get_customer")]
    assert "unrelated_record" in _kinds(only_transfer, TOOLS)


CAMEL_TOOLS = {"listCards": {"customerId": {"type": "string"}}, "freezeCard": {"cardId": {"type": "string"}}}
CAMEL = EnvPolicy(known=True, writes=frozenset({"freezeCard"}), user_key="customerId")


@pytest.mark.parametrize(("card", "found"), [("CRD-7", {"foreign_record": [1]}), ("CRD-1", {})])
def test_foreign_records_are_found_in_a_camel_case_api(card: str, found: dict) -> None:
    record = synthetic([
        ("user", f"Please freeze card {card}; I'm customer CUS-1."),
        ("call", "freezeCard", {"cardId": card}, {"cardId": card, "status": "frozen"}),
        ("assistant", f"Card {card} is frozen."),
        ("user", "Which cards do I have?"),
        ("call", "listCards", {"customerId": "CUS-1"}, [{"cardId": "CRD-1", "status": "active"}]),
        ("assistant", "You have one card, CRD-1, which is active."),
    ], CAMEL_TOOLS)
    kinds: dict[str, list[int | None]] = {}
    for finding in findings(Dialogue(record), CAMEL):
        kinds.setdefault(finding.kind, []).append(finding.message_index)
    assert kinds == found


def test_a_record_the_dialogue_made_or_cancelled_is_no_foreign_record() -> None:
    tools = {"list_holds": {"member_id": {"type": "string"}}, "place_hold": {"book_id": {"type": "string"}},
             "cancel_hold": {"hold_id": {"type": "string"}}}
    policy = EnvPolicy(known=True, writes=frozenset({"place_hold", "cancel_hold"}), user_key="member_id")

    def run(first: tuple) -> dict[str, list[int | None]]:
        record = synthetic([
            ("user", "I'm member M-1."), first, ("assistant", "Done."),
            ("user", "Which holds do I have?"),
            ("call", "list_holds", {"member_id": "M-1"}, [{"hold_id": "H-1", "book_id": "B-1"}]),
            ("assistant", "One hold, H-1, on book B-1."),
        ], tools)
        kinds: dict[str, list[int | None]] = {}
        for finding in findings(Dialogue(record), policy, checks=("ownership",)):
            kinds.setdefault(finding.kind, []).append(finding.message_index)
        return kinds

    assert run(("call", "place_hold", {"book_id": "B-9"}, {"hold_id": "H-9", "book_id": "B-9"})) == {}
    assert run(("call", "cancel_hold", {"hold_id": "H-5"}, {"hold_id": "H-5", "status": "cancelled"})) == {}
    foreign = run(("call", "get_hold", {"hold_id": "H-5"}, {"hold_id": "H-5", "status": "active"}))
    assert "foreign_record" in foreign


def test_a_camel_case_write_is_confirmed_by_its_verb() -> None:
    record = synthetic([
        ("user", "Please pay invoice in_7018."),
        ("assistant", "Here's what I'll do: pay invoice in_7018. Do you want me to go ahead?"),
        ("user", "Yes please, do it."),
        ("call", "payInvoice", {"invoiceId": "in_7018"}, {"invoiceId": "in_7018", "status": "paid"}),
        ("assistant", "Invoice in_7018 is paid."),
    ], {"payInvoice": {"invoiceId": {"type": "string"}}})
    policy = EnvPolicy(known=True, writes=frozenset({"payInvoice"}), confirm=frozenset({"payInvoice"}))
    assert [f.kind for f in findings(Dialogue(record), policy)] == []
