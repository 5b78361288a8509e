"""The rules the audit (tests/data/audit) and the reading of generated output added or
corrected, each with what must be found and what must not: other ways of agreeing and of
asking for the go-ahead, yes/no questions and fields, quoted texts, values noted down
for a parameter, field names read out as words, and candidates searched in one turn.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from handwritten import synthetic
from test_checks_any_source import BANK, kinds, payment, transfers

from toolace_mt.record import Record
from toolace_mt.verifier import Dialogue
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.told import awkward_field
from toolace_mt.verifier.trajectory import findings

KNOWN = EnvPolicy(known=True)


@pytest.mark.parametrize("agreement", ["Looks good!", "Sounds great", "\U0001F44D", "y", "Yeah that's fine"])
def test_more_ways_of_agreeing(agreement: str) -> None:
    assert kinds(payment(agreement), BANK) == {}


@pytest.mark.parametrize("ask, confirmed", [
    ("I'll pay Joe Hartman (PAY-9) $50.00 from ACC-1. Please confirm (yes/no).", True),
    ("Ready to pay Joe Hartman (PAY-9) $50.00 from ACC-1 - reply YES to proceed.", True),
    ("I'll pay Joe Hartman (PAY-9) $50.00 from ACC-1. Let me know if I should go ahead.", True),
    ("I'll pay Joe Hartman (PAY-9) $50.00 from ACC-1 now.", False),
])
def test_a_go_ahead_asked_without_a_question_mark(ask: str, confirmed: bool) -> None:
    assert kinds(payment("Yes.", ask=ask), BANK) == ({} if confirmed else {"unconfirmed_write": [3]})


ORDERS = [{"order_id": "#W1", "status": "pending", "total": 40.0},
          {"order_id": "#W2", "status": "pending", "total": 129.0}]


@pytest.mark.parametrize("question, reply, found", [
    ("Do I have any pending orders? I'm C1.", "Yes, two.", set()),
    ("Hi, I'm C1. Is anything still pending?", "Nope, nothing's shipped yet; both are pending.", set()),
    ("Do I have any pending orders? I'm C1.", "Let me know if you need anything else.",
     {"unanswered_question", "unused_call"}),
    ("Could you show my orders? I'm C1.", "Yes, sure.", {"unanswered_question", "unused_call"}),
])
def test_yes_no_questions_are_answered_by_yes_or_no(question: str, reply: str, found: set[str]) -> None:
    record = synthetic([("user", question), ("call", "list_orders", {"customer_id": "C1"}, ORDERS),
                        ("assistant", reply)], {"list_orders": {"customer_id": {"type": "string"}}})
    assert {f.kind for f in findings(Dialogue(record), KNOWN)} == found


@pytest.mark.parametrize("reply, answered", [
    ("Here you go. There's nothing more on file.", False), ("You're not logged in right now.", True),
    ("You are currently logged in.", True), ("No.", True)])
def test_a_yes_no_field_asked_about_is_told(reply: str, answered: bool) -> None:
    record = synthetic([("user", "Hi, I'd like to see my login status."),
                        ("call", "get_login_status", {}, {"login_status": False}), ("assistant", reply)],
                       {"get_login_status": {}})
    assert [f.kind for f in findings(Dialogue(record), KNOWN)] == ([] if answered else ["unanswered_question"])


def test_a_filter_the_user_set_is_not_a_yes_no_question() -> None:
    record = synthetic([("user", "Find contacts at Gates PLC, just the favorites ones."),
                        ("call", "search_contacts", {"company": "Gates PLC", "favorites_only": True},
                         [{"contact_id": "C-1", "name": "Haley Mcpherson", "favorite": True}]),
                        ("assistant", "There is one: Haley Mcpherson.")],
                       {"search_contacts": {"company": {"type": "string"}, "favorites_only": {"type": "boolean"}}})
    assert findings(Dialogue(record), KNOWN) == []


def test_quoting_what_a_record_says_answers_what_it_says() -> None:
    message = {"message_id": "MSG-1", "contact_email": "val@example.com", "body": "Lunch moved to Friday at noon."}
    record = synthetic([("user", "What does email MSG-1 say?"), ("call", "get_message", {"message_id": "MSG-1"},
                                                                 message),
                        ("assistant", "It says: \"Lunch moved to Friday at noon.\"")],
                       {"get_message": {"message_id": {"type": "string"}}})
    assert findings(Dialogue(record), KNOWN) == []


TICKET: dict[str, dict[str, Any]] = {"create_ticket": {"title": {"type": "string"}, "priority": {"type": "integer"},
                                                       "user_id": {"type": "string"}},
                                     "list_transfers": {"account_id": {"type": "string"}, "status": {"type": "string"}},
                                     "login": {"user": {"type": "string"}}}


@pytest.mark.parametrize("said, talk", [
    ('Use "Marketing plan kickoff with Brittany" as the title.', False),
    ('Just put "no longer needed" as the reason.', False),  # "reason" is no parameter here
    ("Use 4 as the priority.", True),
    ("I have completed written down as the status.", True),
    ("I have USR003 written down as the user ID.", False),
    ("Hiya, log me in. The user reads USR007.", True),
    ("The letter reads Dear Bob.", False),
    ("I have the receipt noted as the proof.", False),
])
def test_values_noted_down_for_a_parameter_are_parameter_talk(said: str, talk: bool) -> None:
    record = synthetic([("user", said), ("assistant", "Okay.")], TICKET)
    assert [f.kind for f in findings(Dialogue(record), EnvPolicy.unknown())] == (["parameter_talk"] if talk else [])


@pytest.mark.parametrize("key, awkward", [
    ("expires_on", True), ("member_since", True), ("from_balance_after", True), ("to_account_id", True),
    ("last4", True), ("address1", True), ("first_name", False), ("order_id", False), ("ship_date", False),
    ("check_in", False), ("payment_method", False), ("mp3", False), ("total", False)])
def test_which_field_names_are_no_phrase(key: str, awkward: bool) -> None:
    assert awkward_field(key) is awkward


@pytest.mark.parametrize("reply, named", [
    ("The payee name is Leeds Rent Co, the amount is $900.00 and the execute on is 2026-05-28.", True),
    ("Your rent transfer of $900.00 to Leeds Rent Co goes out on May 28.", False),
    ("The amount is $900.00 and the payee is Leeds Rent Co.", False),  # two plain clauses are prose
    ("Here's a summary:\n- Payee: Leeds Rent Co\n- Amount: $900.00\n- Execute on: May 28, 2026", False),
    ("| Date | Payee | Amount |\n|---|---|---|\n| May 28 | Leeds Rent Co | $900.00 |", False),
])
def test_field_names_read_out_as_words(reply: str, named: bool) -> None:
    assert ("field_name" in kinds(transfers(reply), BANK)) is named


@pytest.mark.parametrize("reply", [
    "transfer id = TRF-3 | payee name = Leeds Rent Co | amount = 900.0",
    'Sure! {"transfer_id": "TRF-3", "amount": 900.0}',
])
def test_dumps_with_pipes_equals_or_json(reply: str) -> None:
    assert "field_dump" in kinds(transfers(reply), BANK)


def _order_search(parallel: bool) -> Record:
    """list_orders, then get_order of both orders (in one turn or two), then the answer."""
    details = {"#W1": {"order_id": "#W1", "items": ["Desk Lamp"], "total": 40.0},
               "#W2": {"order_id": "#W2", "items": ["Office Chair"], "total": 129.0}}

    def call(n: int, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        return {"id": f"c{n}", "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}

    messages: list[dict[str, Any]] = [
        {"role": "user", "content": "Which of my orders has the office chair? I'm u1."},
        {"role": "assistant", "content": None, "tool_calls": [call(0, "list_orders", {"user_id": "u1"})]},
        {"role": "tool", "tool_call_id": "c0", "content": json.dumps(["#W1", "#W2"])}]
    looks = [call(n, "get_order", {"order_id": o}) for n, o in ((1, "#W1"), (2, "#W2"))]
    outputs = [{"role": "tool", "tool_call_id": f"c{n}", "content": json.dumps(details[o])}
               for n, o in ((1, "#W1"), (2, "#W2"))]
    if parallel:
        messages += [{"role": "assistant", "content": None, "tool_calls": looks}, *outputs]
    else:
        for look, output in zip(looks, outputs, strict=True):
            messages += [{"role": "assistant", "content": None, "tool_calls": [look]}, output]
    messages.append({"role": "assistant", "content": "The Office Chair ($129.00) is in order #W2."})
    tools = [{"type": "function", "function": {"name": name, "parameters": {"type": "object", "properties": {
        key: {"type": "string"}}}}} for name, key in (("list_orders", "user_id"), ("get_order", "order_id"))]
    return Record(id="search", env="nowhere", env_digest="0" * 64, seed=0, tools=tools, messages=messages)


@pytest.mark.parametrize("parallel", [True, False])
def test_candidates_looked_at_in_one_turn_to_find_the_one_that_fits_earn_their_place(parallel: bool) -> None:
    """In one turn, the look-up that did not fit is how the one that fits was found. Made
    one by one, the miss is a call of its own whose output nothing uses (the rule is the
    turn: a reader can check it)."""
    found = [f.kind for f in findings(Dialogue(_order_search(parallel)), KNOWN)]
    assert found == ([] if parallel else ["unused_call"])


MAIL: dict[str, dict[str, Any]] = {"search_messages": {"folder": {"type": "string"},
                                                       "unread_only": {"type": "boolean"}},
                                   "list_events": {"include_cancelled": {"type": "boolean"},
                                                   "start": {"type": "string"}}}


@pytest.mark.parametrize("said, talk", [
    ("I'd rather have inbox as the folder.", True),
    ("Make it include cancelled, please.", True),
    ("You'll see the end time is 2026-06-25T15:30.", True),
    ("I'd like to have a look in the inbox folder.", False),
    ("Please include cancelled events too.", False),
    ("I'd like Bob as the organizer of the party.", False),
    ("The meeting starts on 2026-06-25 at 15:30.", False),
])
def test_preferences_mapped_onto_parameters_and_machine_timestamps(said: str, talk: bool) -> None:
    record = synthetic([("user", said), ("assistant", "Okay.")], MAIL)
    assert [f.kind for f in findings(Dialogue(record), EnvPolicy.unknown())] == (["parameter_talk"] if talk else [])


@pytest.mark.parametrize("second, changes", [("wabbott", False), ("suedixon", True)])
def test_signing_in_as_another_account_is_an_identity_change(second: str, changes: bool) -> None:
    tools = {"ticket_login": {"username": {"type": "string"}, "password": {"type": "string"}}, "logout": {}}
    record = synthetic([("user", "Log me in: wabbott, password none9632."),
                        ("call", "ticket_login", {"username": "wabbott", "password": "none9632"}, {"success": True}),
                        ("assistant", "You're signed in."), ("user", "Log out, then sign me in again, please."),
                        ("call", "logout", {}, {"success": True}),
                        ("call", "ticket_login", {"username": second, "password": "x1"}, {"success": True}),
                        ("assistant", "Signed out and back in.")], tools)
    found = [f.kind for f in findings(Dialogue(record), EnvPolicy.unknown())]
    assert found == (["identity_change"] if changes else [])


def test_reads_about_two_users_are_an_identity_change_when_the_user_key_is_known() -> None:
    tools = {"get_customer": {"customer_id": {"type": "string"}}}
    record = synthetic([("user", "I'm CUS-1. What city am I in? And my friend CUS-2?"),
                        ("call", "get_customer", {"customer_id": "CUS-1"}, {"customer_id": "CUS-1", "city": "Leeds"}),
                        ("call", "get_customer", {"customer_id": "CUS-2"}, {"customer_id": "CUS-2", "city": "York"}),
                        ("assistant", "You're in Leeds; CUS-2 is in York.")], tools)
    policy = EnvPolicy(known=True, user_key="customer_id")
    assert [f.kind for f in findings(Dialogue(record), policy)] == ["identity_change"]
    assert [f.kind for f in findings(Dialogue(record), EnvPolicy.unknown())] == []


@pytest.mark.parametrize("reply, raw", [
    ("I couldn't find #W9999. Note that order ids look like #W1042.", True),
    ("I couldn't find #W9999 - our order numbers start with #W and four digits.", False),
    ("Order #W9999 wasn't found in our system, could you check it?", False),
])
def test_any_clause_of_an_error_read_out_is_a_raw_error(reply: str, raw: bool) -> None:
    failed = {"error": {"message": "order #W9999 not found; order ids look like #W1042", "type": "ToolError"}}
    record = synthetic([("user", "Where's #W9999?"), ("call", "get_order", {"order_id": "#W9999"}, failed),
                        ("assistant", reply)], {"get_order": {"order_id": {"type": "string"}}})
    assert [f.kind for f in findings(Dialogue(record), EnvPolicy.unknown())] == (["raw_error"] if raw else [])


def test_fields_the_user_asked_for_may_be_told_one_by_one() -> None:
    listed = [{"transfer_id": "TRF-3", "payee_name": "Leeds Rent Co", "amount": 900.0, "memo": "Rent",
               "status": "scheduled"}]
    asked = "What are the payee name, amount, memo and status of my latest transfer from ACC-1?"
    record = synthetic([("user", asked), ("call", "list_transfers", {"account_id": "ACC-1"}, listed),
                        ("assistant", "The payee name is Leeds Rent Co, the amount is $900.00, the memo is Rent "
                                      "and the status is scheduled.")], {"list_transfers": {"account_id": {}}})
    assert findings(Dialogue(record), BANK) == []
    unasked = synthetic([("user", "Anything new on ACC-1?"), *record_turns(record)], {"list_transfers": {}})
    assert [f.kind for f in findings(Dialogue(unasked), BANK)] == ["field_name"]


def record_turns(record: Record) -> list[tuple[Any, ...]]:
    """The call and the reply of a one-question record built by `synthetic`."""
    call = record.messages[1].tool_calls[0]
    return [("call", call.function.name, json.loads(call.function.arguments),
             json.loads(record.messages[2].content)), ("assistant", record.messages[3].content)]


ORDER_TOOLS: dict[str, dict[str, Any]] = {
    "list_orders": {"customer_id": {"type": "string"}, "status": {"type": "string", "enum": ["pending", "delivered"]}},
    "book": {"flight_id": {"type": "string"}, "cabin": {"type": "string", "enum": ["economy", "business"]}}}
READS = EnvPolicy(known=True, writes=frozenset({"book"}))


@pytest.mark.parametrize("request_, needless", [
    ("Can I look through my orders? I'm C1.", True),
    ("Can I look through my pending or delivered orders? I'm C1.", False),  # the user raised it
])
def test_asking_for_a_filter_the_user_never_wanted_is_a_needless_question(request_: str, needless: bool) -> None:
    record = synthetic([("user", request_), ("assistant", "Sure! Which status would you like to see?"),
                        ("user", "Delivered, I guess."),
                        ("call", "list_orders", {"customer_id": "C1", "status": "delivered"},
                         [{"order_id": "#W1", "total": 40.0}]),
                        ("assistant", "One delivered order: #W1 for $40.00.")], ORDER_TOOLS)
    assert [f.kind for f in findings(Dialogue(record), READS)] == (["needless_question"] if needless else [])


def test_a_choice_a_later_write_uses_is_worth_asking() -> None:
    tools = {**ORDER_TOOLS, "list_seats": {"flight_id": {"type": "string"},
                                           "cabin": {"type": "string", "enum": ["economy", "business"]}}}
    record = synthetic([("user", "Book me on FL1, please."), ("assistant", "Which cabin would you like?"),
                        ("user", "Business."),
                        ("call", "list_seats", {"flight_id": "FL1", "cabin": "business"}, {"seats": ["2A", "2C"]}),
                        ("assistant", "Business has 2A and 2C free. Shall I book business on FL1?"),
                        ("user", "Yes."), ("call", "book", {"flight_id": "FL1", "cabin": "business"}, {"ok": "BK-1"}),
                        ("assistant", "Booked: BK-1, business, on FL1.")], tools)
    assert "needless_question" not in {f.kind for f in findings(Dialogue(record), READS)}
