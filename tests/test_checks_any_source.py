"""The trajectory checks judge records from any source: hand-written dialogues in the
styles other generators, models and people write (formal, terse, several sentences a
turn, other ways of saying yes, prose replies or field dumps, lists by name or by id,
sign-offs or none), and each test says what must be found and what must not.
"""

from __future__ import annotations

from typing import Any

import pytest
from handwritten import synthetic

from toolace_mt.record import Record
from toolace_mt.verifier import Dialogue
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.trajectory import findings

BANK_TOOLS: dict[str, dict[str, Any]] = {
    "find_customer": {"email": {"type": "string"}},
    "list_accounts": {"customer_id": {"type": "string"}},
    "list_transfers": {"account_id": {"type": "string"}, "limit": {"type": "integer"}},
    "add_payee": {"customer_id": {"type": "string"}, "name": {"type": "string"}, "bank_name": {"type": "string"},
                  "account_number": {"type": "string"}},
    "pay_payee": {"from_account_id": {"type": "string"}, "payee_id": {"type": "string"},
                  "amount": {"type": "number"}},
}
BANK = EnvPolicy(known=True, writes=frozenset({"add_payee", "pay_payee"}), confirm=frozenset({"pay_payee"}),
                 user_key="customer_id")
CUSTOMER = {"customer_id": "CUS-1", "full_name": "Isabella Ruiz", "email": "isa@ruiz.net", "city": "Leeds"}
PAYEE = {"payee_id": "PAY-9", "customer_id": "CUS-1", "name": "Joe Hartman", "bank_name": "Farley Bank",
         "account_number": "3084958221"}
PAID = {"transfer_id": "TRF-7", "from_account_id": "ACC-1", "payee_id": "PAY-9", "amount": 50.0,
        "status": "completed"}

MAIL_TOOLS: dict[str, dict[str, Any]] = {
    "search_messages": {"query": {"type": "string"}, "limit": {"type": "integer"},
                        "unread_only": {"type": "boolean"}, "include_archived": {"type": "boolean"}},
    "update_order": {"item_ids": {"type": "array"}, "new_item_ids": {"type": "array"}, "city": {"type": "string"},
                     "meeting_id": {"type": "string"}, "payment_method_id": {"type": "string"}},
    "get_message": {"message_id": {"type": "string"}},
}
MESSAGES = [{"message_id": "MSG-1", "subject": "Candle order shipped", "sent_at": "2026-05-02T09:15:00"},
            {"message_id": "MSG-2", "subject": "Candle workshop invite", "sent_at": "2026-05-04T17:40:00"},
            {"message_id": "MSG-3", "subject": "Your candle receipt", "sent_at": "2026-05-06T08:05:00"}]


UNKNOWN = EnvPolicy.unknown()  # no env behind the record: only what the record shows is judged


def kinds(record: Record, policy: EnvPolicy = UNKNOWN) -> dict[str, list[int | None]]:
    found: dict[str, list[int | None]] = {}
    for finding in findings(Dialogue(record), policy):
        found.setdefault(finding.kind, []).append(finding.message_index)
    return found


def payment(agreement: str, *, ask: str = "Shall I pay Joe Hartman (PAY-9) $50.00 from ACC-1?") -> Record:
    return synthetic([
        ("user", "Hello. Please pay Joe Hartman fifty dollars from account ACC-1; his payee id is PAY-9."),
        ("assistant", ask),
        ("user", agreement),
        ("call", "pay_payee", {"from_account_id": "ACC-1", "payee_id": "PAY-9", "amount": 50}, PAID),
        ("assistant", "Done. Joe Hartman has been paid $50.00 from ACC-1."),
    ], BANK_TOOLS)


# ---------------------------------------------------------------- persona: whose name is it

def test_a_sign_off_naming_a_newly_added_payee_is_not_the_holders_name() -> None:
    """The payee row ({payee_id, customer_id, name}) points at the user; it is not the user's row."""
    record = synthetic([
        ("user", "Hi, I'd like to add a new payee to customer CUS-1: Farley Bank, account 3084958221 - Joe Hartman."),
        ("call", "add_payee", {"customer_id": "CUS-1", "name": "Joe Hartman", "bank_name": "Farley Bank",
                               "account_number": "3084958221"}, PAYEE),
        ("assistant", "Joe Hartman at Farley Bank is now one of your payees."),
        ("user", "Lovely, that's all. Best wishes, Isabella."),
        ("assistant", "Glad to help, Isabella!"),
    ], BANK_TOOLS)
    assert kinds(record, BANK) == {}


def test_a_sign_off_that_differs_from_the_holder_read_from_the_customer_row() -> None:
    record = synthetic([
        ("user", "Good afternoon. My email address is isa@ruiz.net; could you list my accounts?"),
        ("call", "find_customer", {"email": "isa@ruiz.net"}, CUSTOMER),
        ("call", "list_accounts", {"customer_id": "CUS-1"},
         [{"account_id": "ACC-1", "account_type": "checking", "balance": 120.5}]),
        ("assistant", "You have one checking account, ACC-1, with a balance of $120.50."),
        ("user", "Thank you kindly. Warm regards, Aimee."),
        ("assistant", "You're welcome."),
    ], BANK_TOOLS)
    found = findings(Dialogue(record), BANK)
    assert [(f.kind, f.message_index) for f in found] == [("signoff_name", 6)]
    assert "Aimee" in found[0].message and "Isabella Ruiz" in found[0].message


@pytest.mark.parametrize("intro, signed, name_changes", [
    ("Hello, my name is Dr. Isabella Ruiz.", "Thanks, Isabella", False),
    ("Hi, this is Ms Isabella Ruiz here.", "Regards, Isabella Ruiz", False),
    ("Hello, my name is Dr. Isabella Ruiz.", "Thanks, Mark", True),
])
def test_a_title_is_not_read_as_the_name(intro: str, signed: str, name_changes: bool) -> None:
    record = synthetic([("user", intro), ("assistant", "Hello, how can I help?"),
                        ("user", signed), ("assistant", "Of course.")], BANK_TOOLS)
    assert kinds(record) == ({"signoff_name": [2]} if name_changes else {})


@pytest.mark.parametrize("said, name_changes", [
    ("Thanks!\n- Isabella", False),
    ("cheers, isabella", False),  # lower-case: not read as a name, nothing to compare
    ("Sorry, one more thing. Regards, Mark", True),
    ("This is Mark, by the way.", True),
    ("Could you add Mark Lee - he's my brother - as a payee?", False),
    ("No sign-off this time.", False),
])
def test_sign_offs_and_introductions_in_other_styles(said: str, name_changes: bool) -> None:
    record = synthetic([("user", "Hi, this is Isabella."), ("assistant", "Hello Isabella, how can I help?"),
                        ("user", said), ("assistant", "Of course.")], BANK_TOOLS)
    assert kinds(record) == ({"signoff_name": [2]} if name_changes else {})


# ---------------------------------------------------------------- persona: parameter talk

@pytest.mark.parametrize("said, phrase", [
    ("Use candle for the search words, and 3 for the limit.", "candle for the search words"),
    ("It's gabriella for the search words.", "gabriella for the search words"),
    ("Find it with search words robert, other search words bandwidth.", "search words robert"),
    ("In case you need it, the limit is 1.", "the limit is 1"),
    ("For the query, use invoices.", "For the query, use invoices"),
    ("Leave unread only off.", "Leave unread only"),
    ("No need for it to be include archived.", "be include archived"),
    ("Could you repeat the sent at?", "the sent at"),
    ("Unread only: yes. The limit to use is 2.", "The limit to use is"),
    ("Use 3788616824 for the item numbers, and 2106335193 for the new items.", "Use 3788616824 for the item numbers"),
    ("Use Suite 867 for the second line and Port Bradleyberg for the city.", "Port Bradleyberg for the city"),
])
def test_form_filling_talk_is_parameter_talk(said: str, phrase: str) -> None:
    record = synthetic([("user", said), ("call", "search_messages", {"query": "candle"}, MESSAGES),
                        ("assistant", "Three messages mention candles: the shipping note of May 2, the workshop "
                                      "invite of May 4 and the receipt of May 6.")], MAIL_TOOLS)
    found = [f for f in findings(Dialogue(record), EnvPolicy.unknown()) if f.kind == "parameter_talk"]
    assert [f.message_index for f in found] == [0] and phrase in found[0].message


@pytest.mark.parametrize("said", [
    "Search my inbox for candle, and show me three at most.",
    "Could you look for messages about candles? Just the latest few, unread ones only.",
    "Please include archived mail too.",
    "I don't know the search words for that, sorry.",
    "What's the limit on how many you can show?",
    "Can you set the start at 10 instead?",
    "Find the email about the query I sent to Bob.",
    "Dear support, I am searching for correspondence regarding candles. Kind regards, Ann",
    "candles. newest first pls",
    "I need this for the meeting with Bob.",
    "Use my savings for the payment, please.",
    "I'm buying it for the office party.",
])
def test_plain_requests_are_not_parameter_talk(said: str) -> None:
    record = synthetic([("user", said), ("call", "search_messages", {"query": "candle"}, MESSAGES),
                        ("assistant", "Three messages mention candles: the shipping note of May 2, the workshop "
                                      "invite of May 4 and the receipt of May 6.")], MAIL_TOOLS)
    assert [f for f in findings(Dialogue(record), EnvPolicy.unknown()) if f.kind == "parameter_talk"] == []


def test_a_banking_limit_in_dollars_is_not_a_paging_parameter() -> None:
    record = synthetic([("user", "My daily limit is $5,000 and the limit is 5000 dollars, right?"),
                        ("assistant", "Yes, your daily limit is $5,000.")], BANK_TOOLS)
    assert kinds(record) == {}


# ---------------------------------------------------------------- confirmation: ways of saying yes

@pytest.mark.parametrize("agreement", [
    "Go ahead", "Sure, do it", "yep", "Yes please.", "Absolutely, thanks!", "Please proceed.", "Go on then.",
    "Alright, that works.", "Confirmed.", "Yes, go ahead. Could you also email me a receipt?",
    "That's correct - thank you for checking first.",
])
def test_agreements_in_other_words_confirm_the_write(agreement: str) -> None:
    assert kinds(payment(agreement), BANK) == {}


@pytest.mark.parametrize("reply", [
    "No, wait.", "Hmm, not yet.", "Let me think about it.", "Sure, but make it $40 instead.",
    "Yes, but from my savings account instead.", "Okay, but first tell me the fee.", "Right, what's the fee?",
    "Hold off for now.",
])
def test_replies_that_do_not_agree_as_proposed_leave_the_write_unconfirmed(reply: str) -> None:
    found = findings(Dialogue(payment(reply)), BANK)
    assert [(f.kind, f.message_index) for f in found] == [("unconfirmed_write", 3)]
    assert "does not agree" in found[0].message


def test_a_question_without_the_key_values_does_not_confirm() -> None:
    found = findings(Dialogue(payment("Yes.", ask="Shall I go ahead with the payment?")), BANK)
    assert [f.kind for f in found] == ["unconfirmed_write"] and "50" in found[0].message


def test_a_formal_multi_sentence_confirmation_is_understood() -> None:
    ask = ("Certainly. To confirm the details before I proceed: I will pay $50.00 to Joe Hartman (payee PAY-9) "
           "from your account ACC-1, today. Would you like me to go ahead with this payment?")
    assert kinds(payment("Yes, I confirm. Thank you.", ask=ask), BANK) == {}


# ---------------------------------------------------------------- replies: prose, dumps, lists

def transfers(reply: str, question: str = "Could you show me my recent transfers from ACC-1?") -> Record:
    listed = [{"transfer_id": "TRF-1", "payee_name": "Joe Hartman", "amount": 50.0, "execute_on": "2026-05-02"},
              {"transfer_id": "TRF-2", "payee_name": "City Energy", "amount": 82.4, "execute_on": "2026-05-09"},
              {"transfer_id": "TRF-3", "payee_name": "Leeds Rent Co", "amount": 900.0, "execute_on": "2026-05-28"}]
    return synthetic([("user", question), ("call", "list_transfers", {"account_id": "ACC-1"}, listed),
                      ("assistant", reply)], BANK_TOOLS)


@pytest.mark.parametrize("reply", [
    "You sent three payments: $50.00 to Joe Hartman on May 2, $82.40 to City Energy on May 9 and $900.00 to "
    "Leeds Rent Co on May 28.",
    "Three transfers went out:\n1. Joe Hartman - $50.00 (May 2)\n2. City Energy - $82.40 (May 9)\n"
    "3. Leeds Rent Co - $900.00 (May 28)",
    "Your most recent one was the rent: $900 to Leeds Rent Co on 28 May. Before that, City Energy ($82.40) and "
    "Joe Hartman ($50).",
    "TRF-1 (Joe Hartman, $50.00), TRF-2 (City Energy, $82.40) and TRF-3 (Leeds Rent Co, $900.00).",
])
def test_lists_described_by_name_date_or_amount_pass(reply: str) -> None:
    assert kinds(transfers(reply), BANK) == {}


@pytest.mark.parametrize("reply, kind", [
    ("I found 3 transfers: TRF-1, TRF-2 and TRF-3.", "ids_only_list"),
    ("transfer ID: TRF-3; payee name: Leeds Rent Co; amount: 900.00", "field_dump"),
    ("Latest - transfer id: TRF-3, payee name: Leeds Rent Co, amount: 900.00, execute on: 2026-05-28",
     "field_dump"),
])
def test_dumps_and_bare_ids_are_found(reply: str, kind: str) -> None:
    assert kinds(transfers(reply), BANK) == {kind: [3]}


def test_an_id_every_listed_item_shares_is_one_id_not_a_list_by_ids() -> None:
    """Cards that all carry account_id ACC-1: restating ACC-1 names no list of cards."""
    cards = [{"card_id": "CRD-1", "account_id": "ACC-1", "brand": "Visa", "status": "active"},
             {"card_id": "CRD-2", "account_id": "ACC-1", "brand": "Mastercard", "status": "frozen"}]
    record = synthetic([("user", "Which cards are on my account ACC-1?"),
                        ("call", "list_accounts", {"customer_id": "CUS-1"}, cards),
                        ("assistant", "ACC-1 has two cards: an active Visa and a frozen Mastercard.")], BANK_TOOLS)
    assert "ids_only_list" not in kinds(record, BANK)
    bare = synthetic([("user", "Which cards are on my account ACC-1?"),
                      ("call", "list_accounts", {"customer_id": "CUS-1"}, cards),
                      ("assistant", "ACC-1 has CRD-1 and CRD-2.")], BANK_TOOLS)
    assert kinds(bare, BANK).get("ids_only_list") == [3]


def test_ids_of_a_list_shown_turns_ago_are_references_not_a_list_by_ids() -> None:
    """The accounts were described when listed; a later reply names two of them by id."""
    accounts = [{"account_id": "ACC-1", "account_type": "checking", "balance": 10.0},
                {"account_id": "ACC-2", "account_type": "savings", "balance": 900.0}]
    turns: list[tuple[str, Any]] = [
        ("user", "Which accounts do I have?"), ("call", "list_accounts", {"customer_id": "CUS-1"}, accounts),
        ("assistant", "You have a checking account with $10.00 and a savings account with $900.00."),
        ("user", "Please look at my transfers."), ("call", "list_transfers", {"account_id": "ACC-1"}, []),
        ("assistant", "There are no transfers on it yet. Shall I move $50 from ACC-2 to ACC-1?")]
    assert "ids_only_list" not in kinds(synthetic(turns, BANK_TOOLS), BANK)
    same_turn = [*turns[:2], ("assistant", "You have ACC-1 and ACC-2.")]
    assert kinds(synthetic(same_turn, BANK_TOOLS), BANK).get("ids_only_list") == [3]


def test_a_reply_that_answers_something_else_is_unanswered() -> None:
    record = transfers("Sure thing! Is there anything else I can help you with today?",
                       question="How much did I pay Leeds Rent Co last month?")
    assert kinds(record, BANK) == {"unanswered_question": [3], "unused_call": [1]}


def test_a_terse_question_answered_tersely_passes() -> None:
    record = transfers("$900, on May 28.", question="rent payment amount?")
    assert kinds(record, BANK) == {}


# ---------------------------------------------------------------- disambiguation: names vs ids

ORDERS = [{"order_id": "#W1", "status": "pending", "items": [{"name": "Desk Lamp"}], "total": 40.0},
          {"order_id": "#W2", "status": "pending", "items": [{"name": "Office Chair"}], "total": 129.0}]
SHOP_TOOLS: dict[str, dict[str, Any]] = {"list_orders": {"user_id": {"type": "string"}},
                                         "cancel_order": {"order_id": {"type": "string"}}}


@pytest.mark.parametrize("request_, picked, ambiguous", [
    ("Cancel my pending order, please.", "#W1", True),
    ("Please cancel the order with the office chair.", "#W2", False),
    ("cancel the $129 one", "#W2", False),
    ("I'd like to cancel #W1.", "#W1", False),
])
def test_a_target_is_singled_out_by_the_user_or_it_is_ambiguous(request_: str, picked: str,
                                                                ambiguous: bool) -> None:
    record = synthetic([
        ("user", request_),
        ("call", "list_orders", {"user_id": "u1"}, ORDERS),
        ("call", "cancel_order", {"order_id": picked}, {"order_id": picked, "status": "cancelled"}),
        ("assistant", f"Order {picked} is cancelled."),
    ], SHOP_TOOLS)
    found = [f.message_index for f in findings(Dialogue(record), EnvPolicy.unknown(), ["disambiguation"])]
    assert found == ([3] if ambiguous else [])


def test_asking_which_one_by_name_then_the_user_picking_resolves_it() -> None:
    record = synthetic([
        ("user", "Cancel my pending order, please."),
        ("call", "list_orders", {"user_id": "u1"}, ORDERS),
        ("assistant", "You have two pending orders: the Desk Lamp ($40) and the Office Chair ($129). Which one?"),
        ("user", "The chair."),
        ("call", "cancel_order", {"order_id": "#W2"}, {"order_id": "#W2", "status": "cancelled"}),
        ("assistant", "The Office Chair order (#W2) is cancelled."),
    ], SHOP_TOOLS)
    assert [f for f in findings(Dialogue(record), EnvPolicy.unknown(), ["disambiguation"])] == []


@pytest.mark.parametrize("reply, unanswered", [
    ("Two backpacks came up: the Hiking Backpack in grey ($143.99) and in navy ($165.99).", False),
    ("I found some backpacks for you.", True),
])
def test_a_word_that_filters_the_search_is_not_what_was_asked(reply: str, unanswered: bool) -> None:
    """"Only in-stock ones" names the stock field and the in_stock_only argument: a filter."""
    tools = {"search_products": {"query": {"type": "string"}, "in_stock_only": {"type": "boolean"}}}
    found = [{"product_id": "P2035", "name": "Hiking Backpack (Grey)", "price": 143.99, "stock": 77},
             {"product_id": "P2036", "name": "Hiking Backpack (Navy)", "price": 165.99, "stock": 12}]
    record = synthetic([("user", "Could you find me a backpack? Only in-stock ones, please."),
                        ("call", "search_products", {"query": "backpack", "in_stock_only": True}, found),
                        ("assistant", reply)], tools)
    policy = EnvPolicy(known=True)
    assert [f.message_index for f in findings(Dialogue(record), policy, ["answer"])] == ([3] if unanswered else [])


@pytest.mark.parametrize("said, talk", [("1" * 20_000 + " for the city", True), ("A" * 20_000, False),
                                        ("Ab " * 7_000 + "for the limit", True), ("1a" * 10_000, False)])
def test_long_hostile_user_turns_are_read_once(said: str, talk: bool) -> None:
    """Each pattern starts at a token's start: a 20,000-character token used to be tried
    from every one of its characters (minutes of backtracking); now it is one finding or none."""
    record = synthetic([("user", said), ("call", "search_messages", {"query": "candle"}, MESSAGES),
                        ("assistant", "Three messages mention candles.")], MAIL_TOOLS)
    found = [f for f in findings(Dialogue(record), UNKNOWN) if f.kind == "parameter_talk"]
    assert [f.message_index for f in found] == ([0] if talk else [])
