"""A dialogue is one person's: the first row a proposal takes from a user's records (a card,
through its account) makes that row's owner the dialogue's person, so later values (and
sub-tasks) are theirs, never another customer's (the verifier's `foreign_record`)."""

from __future__ import annotations

import random

import pytest

from toolace_mt.generation.workbench import Workbench


@pytest.fixture(scope="module")
def banking() -> Workbench:
    return Workbench("banking", 1)


def _account_owner(bench: Workbench, account_id: str) -> str:
    return next(r["customer_id"] for r in bench.values.table_rows("accounts") if r["account_id"] == account_id)


def test_a_cards_owner_is_its_accounts_customer(banking: Workbench) -> None:
    cards = banking.values.table_rows("cards")
    assert cards
    for card in cards[:40]:
        assert banking.values.owner_of("cards", card) == _account_owner(banking, card["account_id"])
    customer = banking.values.table_rows("customers")[0]
    assert banking.values.owner_of("customers", customer) == customer["customer_id"]


def test_a_row_pointing_at_nothing_has_no_owner(banking: Workbench) -> None:
    assert banking.values.owner_of("cards", {"card_id": "CRD-1", "account_id": "ACC-NOPE"}) is None


def test_a_proposal_for_a_card_names_the_cards_owner_as_the_user(banking: Workbench) -> None:
    tool = banking.tools["freeze_card"]
    owners = set()
    for seed in range(30):
        choice = banking.values.propose(tool, random.Random(seed))
        card = next(r for r in banking.values.table_rows("cards") if r["card_id"] == choice.arguments["card_id"])
        owner = _account_owner(banking, card["account_id"])
        assert choice.context.get("customer_id") == owner, (choice.arguments, choice.context)
        owners.add(owner)
    assert len(owners) > 5  # the person is drawn with the card, not fixed


def test_a_payment_takes_the_account_and_the_payee_of_one_customer(banking: Workbench) -> None:
    tool = banking.tools["pay_payee"]
    payees = {r["payee_id"]: r["customer_id"] for r in banking.values.table_rows("payees")}
    checked = 0
    for seed in range(40):
        choice = banking.values.propose(tool, random.Random(seed))
        account, payee = choice.arguments.get("from_account_id"), choice.arguments.get("payee_id")
        if account is None or payee not in payees:
            continue
        assert _account_owner(banking, account) == payees[payee], choice.arguments
        checked += 1
    assert checked >= 20


def test_a_whole_number_argument_is_an_int(banking: Workbench) -> None:
    """79.0 is said "79" by a person: the argument holds the same number as an int."""
    tool = banking.tools["transfer_between_accounts"]
    for seed in range(10):
        choice = banking.values.propose(tool, random.Random(seed), known={"amount": [25.0]}, bound=True)
        amount = choice.arguments.get("amount")
        assert amount == 25 and isinstance(amount, int), choice.arguments
    kept = banking.values.propose(tool, random.Random(0), known={"amount": [25.5]}, bound=True)
    assert kept.arguments.get("amount") == 25.5
