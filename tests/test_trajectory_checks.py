"""The trajectory checks (necessity, disambiguation, confirmation, answer, reply_style,
persona, plan_sense): each tamper takes a fixture that passes every check (all checks run
on every fixture in tests/test_verifier_fixtures.py), introduces
exactly one defect, and asserts the check fails naming the message; the untampered one
passes. Synthetic records (no env) cover what the fixtures do not, and prose that must
NOT be flagged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fixture_edits import Turn, rebuild
from handwritten import synthetic

from toolace_mt.jsonl import RecordLine, read_records
from toolace_mt.record import Failure, Record
from toolace_mt.verifier import TRAJECTORY_CHECK_IDS, Dialogue, EnvPool, Verifier
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.trajectory import FINDING_KINDS, findings, trajectory_findings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES: dict[str, Record] = {
    line.record.id: line.record
    for env in ("retail", "travel", "banking", "calendar_mail")
    for line in read_records(ROOT / "fixtures" / "dialogues" / f"{env}.jsonl") if isinstance(line, RecordLine)
}


@pytest.fixture(scope="module")
def verifier() -> Iterator[Verifier]:
    with Verifier(checks=TRAJECTORY_CHECK_IDS, pool=EnvPool(max_envs=5)) as verifier:
        yield verifier


def edited(record_id: str, change: Callable[[list[dict[str, Any]]], None]) -> Record:
    data = json.loads(FIXTURES[record_id].to_json())
    change(data["messages"])
    return Record.model_validate(data)


def failing(verifier: Verifier, record: Record) -> dict[str, list[Failure]]:
    found: dict[str, list[Failure]] = {}
    for failure in verifier.verify(record).failures:
        found.setdefault(failure.check, []).append(failure)
    return found


def index_of(record: Record, text: str) -> int:
    """The index of the (first) user or assistant message whose content contains `text`."""
    return next(i for i, m in enumerate(record.messages)
                if m.role in ("user", "assistant") and text in (getattr(m, "content", None) or ""))


def call_index(record: Record, name: str, nth: int = 0) -> int:
    turns = [i for i, m in enumerate(record.messages)
             if m.role == "assistant" and any(c.function.name == name for c in m.tool_calls or [])]
    return turns[nth]


def rebuilt(verifier: Verifier, record_id: str, change: Callable[[list[Turn]], None]) -> Record:
    """The fixture's turns edited by `change`, every call executed for real."""
    return rebuild(verifier, FIXTURES[record_id], change)


def turn_position(turns: list[Turn], name: str) -> int:
    return next(i for i, (kind, value) in enumerate(turns) if kind == "calls" and any(c[0] == name for c in value))


def test_the_checks_are_registered_and_selectable() -> None:
    from toolace_mt.verifier import CHECK_IDS, parse_check_ids
    assert set(TRAJECTORY_CHECK_IDS) <= set(CHECK_IDS)
    assert parse_check_ids("all") == CHECK_IDS and parse_check_ids("trajectory,format") == (
        *TRAJECTORY_CHECK_IDS, "format")
    assert {kind.check for kind in FINDING_KINDS} == set(TRAJECTORY_CHECK_IDS)
    assert len({kind.kind for kind in FINDING_KINDS}) == len(FINDING_KINDS)


# ---------------------------------------------------------------- necessity

def test_a_call_repeated_with_the_same_arguments(verifier: Verifier) -> None:
    def change(turns: list[Turn]) -> None:
        at = turn_position(turns, "get_order")
        turns.insert(at + 1, turns[at])

    record = rebuilt(verifier, "retail-cancel-pending-order", change)
    found = failing(verifier, record)
    first, again = call_index(record, "get_order", 0), call_index(record, "get_order", 1)
    repeated = [f for f in found["necessity"] if "repeats the call" in f.message]
    assert repeated and repeated[0].message_index == again and f"at message {first}" in repeated[0].message
    assert set(found) == {"necessity"}


def test_a_repeat_after_a_write_that_could_change_it_is_fine(verifier: Verifier) -> None:
    def change(turns: list[Turn]) -> None:
        order = next(v for kind, v in turns if kind == "calls" and v[0][0] == "get_order")
        at = turn_position(turns, "cancel_order")
        turns.insert(at + 1, ("calls", order))
        turns.insert(at + 2, ("assistant", "Its status now reads cancelled, so nothing more will ship."))

    record = rebuilt(verifier, "retail-cancel-pending-order", change)
    assert not [f for f in verifier.verify(record).failures if "repeats the call" in f.message]


def test_a_read_whose_output_nothing_uses(verifier: Verifier) -> None:
    def change(turns: list[Turn]) -> None:
        at = turn_position(turns, "cancel_transfer")
        turns.insert(at + 1, ("calls", [("get_account", {"account_id": _account(turns)})]))

    record = rebuilt(verifier, "banking-limit-request-and-cancel-payment", change)
    found = failing(verifier, record)
    where = call_index(record, "get_account")
    [unused] = found["necessity"]
    assert unused.message_index == where and "get_account's output is never used" in unused.message
    assert set(found) == {"necessity"}


def _account(turns: list[Turn]) -> str:
    return next(v[0][1]["account_id"] for kind, v in turns if kind == "calls" and v[0][0] == "list_transfers")


def test_a_read_that_shows_nothing_new(verifier: Verifier) -> None:
    def change(turns: list[Turn]) -> None:
        at = turn_position(turns, "cancel_transfer")
        transfer = turns[at][1][0][1]["transfer_id"]
        turns.insert(at + 1, ("calls", [("get_transfer", {"transfer_id": transfer})]))

    record = rebuilt(verifier, "banking-limit-request-and-cancel-payment", change)
    [failure] = failing(verifier, record)["necessity"]
    assert failure.message_index == call_index(record, "get_transfer") and "shows nothing new" in failure.message


def test_a_look_up_that_re_resolves_the_customer(verifier: Verifier) -> None:
    record = FIXTURES["retail-cancel-pending-order"]
    customer = json.loads(record.messages[3].content)

    def change(turns: list[Turn]) -> None:
        at = turn_position(turns, "find_customer_by_email")
        turns.insert(at + 1, ("calls", [("find_customer_by_name_zip", {
            "first_name": customer["first_name"], "last_name": customer["last_name"], "zip_code": customer["zip"]})]))

    tampered = rebuilt(verifier, "retail-cancel-pending-order", change)
    found = failing(verifier, tampered)["necessity"]
    again = [f for f in found if f"looks up {customer['customer_id']} again" in f.message]
    assert again and again[0].message_index == call_index(tampered, "find_customer_by_name_zip")
    assert "output at message 3 already identified it" in again[0].message


# ---------------------------------------------------------------- disambiguation

def test_an_order_picked_from_several_the_user_never_singled_out(verifier: Verifier) -> None:
    def change(turns: list[Turn]) -> None:
        at = turn_position(turns, "list_customer_orders")
        turns[at] = ("calls", [("list_customer_orders", {"customer_id": turns[at][1][0][1]["customer_id"]})])

    record = rebuilt(verifier, "retail-cancel-pending-order", change)
    orders = json.loads(record.messages[call_index(record, "list_customer_orders") + 1].content)
    assert len(orders) >= 2
    found = failing(verifier, record)
    [failure] = found["disambiguation"]
    assert failure.message_index == call_index(record, "get_order")
    assert "takes order_id=" in failure.message and f"lists {len(orders)} different order_ids" in failure.message


def test_a_description_that_fits_one_candidate_singles_it_out(verifier: Verifier) -> None:
    """'my pending order' when exactly one of the listed orders is pending."""
    def change(turns: list[Turn]) -> None:
        at = turn_position(turns, "list_customer_orders")
        turns[at] = ("calls", [("list_customer_orders", {"customer_id": turns[at][1][0][1]["customer_id"]})])
        turns[0] = ("user", turns[0][1].replace("I'd like to cancel it", "I'd like to cancel my pending order"))

    record = rebuilt(verifier, "retail-cancel-pending-order", change)
    orders = json.loads(record.messages[call_index(record, "list_customer_orders") + 1].content)
    assert sum(o["status"] == "pending" for o in orders) == 1 < len(orders)
    assert "disambiguation" not in failing(verifier, record)


def test_two_checking_accounts_need_asking_which(verifier: Verifier) -> None:
    record = FIXTURES["banking-savings-to-checking"]
    accounts = json.loads(record.messages[5].content)["accounts"]
    other = {**accounts[0], "account_id": "ACC-99999", "balance": 10.0}

    def change(messages: list[dict[str, Any]]) -> None:
        data = json.loads(messages[5]["content"])
        data["accounts"].append(other)  # a second checking account in the look-up's output
        messages[5]["content"] = json.dumps(data)
        messages[6]["content"] = "Shall I move $500.00 from your savings to your checking account now?"

    tampered = edited("banking-savings-to-checking", change)
    found = findings(Dialogue(tampered), EnvPolicy.unknown(), ["disambiguation"])
    assert [f.message_index for f in found] == [call_index(tampered, "transfer_between_accounts")]
    assert "to_account_id=" in found[0].message and "lists 3 different account_ids" in found[0].message


# ---------------------------------------------------------------- confirmation

def test_a_write_the_user_did_not_agree_to(verifier: Verifier) -> None:
    record = FIXTURES["retail-cancel-pending-order"]
    answer = index_of(record, "Yes, please cancel it")

    def change(messages: list[dict[str, Any]]) -> None:
        messages[answer]["content"] = "Hmm, I found a better price somewhere else."

    found = failing(verifier, edited("retail-cancel-pending-order", change))
    [failure] = found["confirmation"]
    assert failure.message_index == call_index(record, "cancel_order")
    assert f"the user's turn at message {answer} does not agree" in failure.message
    assert set(found) == {"confirmation"}


def test_a_write_with_no_question_first(verifier: Verifier) -> None:
    record = FIXTURES["travel-seat-taken-then-free-seat"]
    offer = index_of(record, "Shall I move you")

    def change(messages: list[dict[str, Any]]) -> None:
        messages[offer]["content"] = messages[offer]["content"].replace(" Shall I move you to one of those?", "")

    [failure] = failing(verifier, edited("travel-seat-taken-then-free-seat", change))["confirmation"]
    assert failure.message_index == call_index(record, "change_seat", 1)
    assert f"turn at message {offer} does not ask the user to confirm" in failure.message


def test_a_confirmation_that_leaves_out_a_key_value(verifier: Verifier) -> None:
    record = FIXTURES["banking-savings-to-checking"]
    asking = index_of(record, "Shall I move $500.00")

    def change(messages: list[dict[str, Any]]) -> None:
        messages[asking]["content"] = "Thanks, Walter. Shall I move money between your accounts now?"

    [failure] = failing(verifier, edited("banking-savings-to-checking", change))["confirmation"]
    assert failure.message_index == call_index(record, "transfer_between_accounts")
    assert "without stating" in failure.message and "amount=500" in failure.message


def test_a_consequential_enum_nobody_said(verifier: Verifier) -> None:
    record = FIXTURES["retail-cancel-pending-order"]
    asking = index_of(record, "Shall I cancel it?")

    def change(messages: list[dict[str, Any]]) -> None:
        messages[asking]["content"] = messages[asking]["content"].split(" If you like")[0]
        messages[asking + 1]["content"] = "Yes, please cancel it."

    [failure] = failing(verifier, edited("retail-cancel-pending-order", change))["confirmation"]
    assert failure.message_index == call_index(record, "cancel_order")
    assert "reason is set to 'found_better_price'" in failure.message


def test_the_policy_comes_from_the_env_module(verifier: Verifier) -> None:
    env = verifier.pool.get("calendar_mail", 3)
    assert {t.name for t in env.tools if t.confirm} == {"send_message", "cancel_event"}
    assert not env.authenticate_first and verifier.pool.get("retail", 0).user_key == "customer_id"


@pytest.mark.parametrize("head, decorator, problem", [
    ("", "@tool(confirm=True)", "confirm=True"),  # only a write can need confirming
    ("AUTHENTICATE_FIRST = True\n", "@tool", "True needs USER_TABLE"),  # whom to authenticate?
    ("CHECK_BEFORE_WRITE = 'yes'\n", "@tool", "CHECK_BEFORE_WRITE must be True or False"),
])
def test_policy_declarations_are_checked_at_load(tmp_path: Path, head: str, decorator: str, problem: str) -> None:
    from sandbox import EnvLoadError, load_env
    module = tmp_path / "bad_policy.py"
    module.write_text('"""Nothing."""\nfrom sandbox.authoring import Db, Fake, tool\n\n' + head +
                      'TABLES = "CREATE TABLE t (k VARCHAR PRIMARY KEY);"\n\n\n'
                      'def seed(db: Db, fake: Fake) -> None:\n    pass\n\n\n'
                      f'{decorator}\ndef peek(db: Db) -> int:\n    """Look.\n    """\n    return 1\n')
    with pytest.raises(EnvLoadError, match=problem):
        load_env(str(module))


# ---------------------------------------------------------------- answer

def test_a_reply_that_leaves_out_what_was_asked(verifier: Verifier) -> None:
    record = FIXTURES["banking-savings-to-checking"]
    reply = len(record.messages) - 1

    def change(messages: list[dict[str, Any]]) -> None:
        messages[reply]["content"] = "Your checking account is open and in good standing."

    found = failing(verifier, edited("banking-savings-to-checking", change))
    [failure] = found["answer"]
    assert failure.message_index == reply and f"asked at message {reply - 3}" in failure.message


# ---------------------------------------------------------------- reply_style

def test_a_field_dump_reply(verifier: Verifier) -> None:
    record = FIXTURES["retail-cancel-pending-order"]
    reply = index_of(record, "has been cancelled")

    def change(messages: list[dict[str, Any]]) -> None:
        messages[reply]["content"] = "I've cancelled it. order ID: #W1201; total: 239.95; ship city: Paulbury."

    found = failing(verifier, edited("retail-cancel-pending-order", change))
    assert [(f.message_index, "field: value pairs" in f.message) for f in found["reply_style"]] == [(reply, True)]


def test_a_raw_enum_in_a_reply(verifier: Verifier) -> None:
    record = FIXTURES["retail-cancel-pending-order"]
    reply = index_of(record, "has been cancelled")

    def change(messages: list[dict[str, Any]]) -> None:
        messages[reply]["content"] += " Reason recorded: found_better_price."

    [failure] = failing(verifier, edited("retail-cancel-pending-order", change))["reply_style"]
    assert failure.message_index == reply and "'found_better_price'" in failure.message


def test_a_list_answered_with_ids_only(verifier: Verifier) -> None:
    record = FIXTURES["calendar-small-talk-and-unread-mail"]
    reply = index_of(record, "Your most recent unread emails")
    ids = [m["message_id"] for m in json.loads(record.messages[reply - 1].content)]

    def change(messages: list[dict[str, Any]]) -> None:
        messages[reply]["content"] = f"I found 3 results, including {', '.join(ids)}."

    [failure] = failing(verifier, edited("calendar-small-talk-and-unread-mail", change))["reply_style"]
    assert failure.message_index == reply and "by id alone" in failure.message


def test_a_raw_tool_error_read_out(verifier: Verifier) -> None:
    record = FIXTURES["travel-seat-taken-then-free-seat"]
    reply = index_of(record, "is already taken")
    error = json.loads(record.messages[3].content)["error"]["message"]

    def change(messages: list[dict[str, Any]]) -> None:
        messages[reply]["content"] = messages[reply]["content"].replace(
            "Sorry, seat 3A is already taken.", f"That didn't work: {error}.")

    [failure] = failing(verifier, edited("travel-seat-taken-then-free-seat", change))["reply_style"]
    assert failure.message_index == reply and "raw error" in failure.message


@pytest.mark.parametrize("refusal, says", [
    ("I'm sorry, I'm not able to give a discount code for my next order.", "echoes the user's words \"my next\""),
    ("I'm sorry, I can't issue discount codes with get order.", "names the tool get_order"),
])
def test_a_broken_refusal(verifier: Verifier, refusal: str, says: str) -> None:
    record = FIXTURES["retail-cancel-tool-withheld"]
    reply = len(record.messages) - 1

    def change(messages: list[dict[str, Any]]) -> None:
        messages[reply]["content"] = refusal

    [failure] = failing(verifier, edited("retail-cancel-tool-withheld", change))["reply_style"]
    assert failure.message_index == reply and says in failure.message


def test_a_quoted_text_with_cannot_is_no_refusal(verifier: Verifier) -> None:
    """A confirmation saying back the user's note ("... if you cannot come") declines nothing."""
    record = FIXTURES["retail-cancel-tool-withheld"]
    reply = len(record.messages) - 1

    def change(messages: list[dict[str, Any]]) -> None:
        messages[reply]["content"] = 'I can get order #W1001 with the note "call me if you cannot come." Shall I?'

    assert "reply_style" not in failing(verifier, edited("retail-cancel-tool-withheld", change))

    def unquoted(messages: list[dict[str, Any]]) -> None:
        messages[reply]["content"] = "I cannot get order #W1001, sorry."

    assert "names the tool get_order" in failing(verifier, edited("retail-cancel-tool-withheld", unquoted))[
        "reply_style"][0].message


# ---------------------------------------------------------------- persona

def test_a_sign_off_that_is_not_the_account_holder(verifier: Verifier) -> None:
    record = FIXTURES["travel-search-and-book"]
    turn = index_of(record, "6A, please.")

    def change(messages: list[dict[str, Any]]) -> None:
        messages[turn]["content"] = "6A, please. Warmly, Aimee."

    failures = failing(verifier, edited("travel-search-and-book", change))["persona"]
    assert [f.message_index for f in failures] == [turn, turn]
    assert "Aimee at message 10, but Martha Bishop at message 1" in failures[0].message
    assert "the account holder is Martha Bishop" in failures[1].message


@pytest.mark.parametrize("said", ["Yes, please cancel it. The reason is found_better_price.",
                                  "Yes, please cancel it. The reason to use is found better price."])
def test_the_user_talking_in_parameter_terms(verifier: Verifier, said: str) -> None:
    record = FIXTURES["retail-cancel-pending-order"]
    turn = index_of(record, "Yes, please cancel it")

    def change(messages: list[dict[str, Any]]) -> None:
        messages[turn]["content"] = said

    [failure] = failing(verifier, edited("retail-cancel-pending-order", change))["persona"]
    assert failure.message_index == turn


@pytest.mark.parametrize("said", ["Unread only: yes.", "Unread only - yes."])
def test_a_parameter_name_as_a_label(verifier: Verifier, said: str) -> None:
    record = FIXTURES["calendar-small-talk-and-unread-mail"]
    turn = index_of(record, "show me my three most recent unread emails")

    def change(messages: list[dict[str, Any]]) -> None:
        messages[turn]["content"] = f"OK. Then show me my three most recent emails. {said}"

    [failure] = failing(verifier, edited("calendar-small-talk-and-unread-mail", change))["persona"]
    assert failure.message_index == turn and said.rstrip(".") in failure.message


# ---------------------------------------------------------------- plan_sense

def test_a_write_then_a_cancel_of_the_same_booking(verifier: Verifier) -> None:
    def change(turns: list[Turn]) -> None:
        at = max(i for i, (kind, v) in enumerate(turns) if kind == "calls" and v[0][0] == "change_seat")
        turns.insert(at + 1, ("calls", [("cancel_booking", {"booking_id": turns[at][1][0][1]["booking_id"]})]))

    record = rebuilt(verifier, "travel-seat-taken-then-free-seat", change)
    failures = [f for f in failing(verifier, record)["plan_sense"]]
    assert [f.message_index for f in failures] == [call_index(record, "cancel_booking")]
    assert "undoes BK-5" in failures[0].message and "change_seat" in failures[0].message


# ---------------------------------------------------------------- synthetic records (no env needed)

TAU_TOOLS = {"find_user_id_by_email": {"email": {"type": "string"}},
             "get_user_details": {"user_id": {"type": "string"}},
             "get_order_details": {"order_id": {"type": "string"}},
             "calculate": {"expression": {"type": "string"}},
             "cancel_pending_order": {"order_id": {"type": "string"},
                                      "reason": {"type": "string", "enum": ["no longer needed", "ordered by mistake"]}}}
TAU_POLICY = EnvPolicy(known=True, writes=frozenset({"cancel_pending_order"}),
                       confirm=frozenset({"cancel_pending_order"}), user_key="user_id", authenticate_first=True)
ORDER = {"order_id": "#W1", "user_id": "ann_lee_1", "status": "pending", "items": [{"name": "Lamp", "price": 40.0}]}


def kinds(record: Record, policy: EnvPolicy) -> dict[str, list[int | None]]:
    found: dict[str, list[int | None]] = {}
    for finding in findings(Dialogue(record), policy):
        found.setdefault(finding.kind, []).append(finding.message_index)
    return found


def test_a_clean_synthetic_dialogue_has_no_findings() -> None:
    record = synthetic([
        ("user", "Hi, I'm Ann Lee. Please cancel my order #W1, I ordered it by mistake. My email is ann@lee.com."),
        ("call", "find_user_id_by_email", {"email": "ann@lee.com"}, "ann_lee_1"),
        ("call", "get_order_details", {"order_id": "#W1"}, ORDER),
        ("assistant", "Thanks, Ann. Order #W1 with the Lamp ($40.00) is still pending. Shall I cancel it because "
                      "it was ordered by mistake?"),
        ("user", "Yes, go ahead."),
        ("call", "cancel_pending_order", {"order_id": "#W1", "reason": "ordered by mistake"},
         {**ORDER, "status": "cancelled"}),
        ("assistant", "Done: order #W1 is cancelled and the $40.00 will be refunded."),
    ], TAU_TOOLS)
    assert kinds(record, TAU_POLICY) == {}


def test_acting_before_authenticating() -> None:
    record = synthetic([
        ("user", "Hi, please cancel order #W1, I ordered it by mistake."),
        ("call", "get_order_details", {"order_id": "#W1"}, ORDER),
        ("assistant", "Order #W1 with the Lamp ($40.00) is pending. Shall I cancel it, as it was ordered by mistake?"),
        ("user", "Yes."),
        ("call", "cancel_pending_order", {"order_id": "#W1", "reason": "ordered by mistake"},
         {**ORDER, "status": "cancelled"}),
        ("assistant", "Done: order #W1 is cancelled."),
    ], TAU_TOOLS)
    assert kinds(record, TAU_POLICY) == {"unauthenticated": [1]}
    assert kinds(record, EnvPolicy(**{**TAU_POLICY.__dict__, "authenticate_first": False})) == {}


def test_a_sign_in_with_a_username_shaped_like_an_id_authenticates() -> None:
    """A username "jsmith4" has a letter and a digit, as ids do; under its name it is the
    person's own detail, so the sign-in is the authentication, not a record touched first."""
    tools = {**TAU_TOOLS, "sign_in": {"username": {"type": "string"}, "pin": {"type": "string"}},
             "find_account": {"account": {"type": "string"}}}
    turns: list = [
        ("user", "Hi, it's Ann Lee, username jsmith4, PIN 7745. Please cancel order #W1, I ordered it by mistake."),
        ("call", "sign_in", {"username": "jsmith4", "pin": "7745"}, {"user_id": "ann_lee_1", "name": "Ann Lee"}),
        ("call", "get_order_details", {"order_id": "#W1"}, ORDER),
        ("assistant", "Order #W1 with the Lamp ($40.00) is pending. Shall I cancel it, as it was ordered by mistake?"),
        ("user", "Yes."),
        ("call", "cancel_pending_order", {"order_id": "#W1", "reason": "ordered by mistake"},
         {**ORDER, "status": "cancelled"}),
        ("assistant", "Done: order #W1 is cancelled."),
    ]
    assert "unauthenticated" not in kinds(synthetic(turns, tools), TAU_POLICY)
    # a look-up by a record's number (an account "ACC-7") that returns the user is no sign-in
    turns[1] = ("call", "find_account", {"account": "ACC-7"}, {"user_id": "ann_lee_1", "name": "Ann Lee"})
    assert kinds(synthetic(turns, tools), TAU_POLICY).get("unauthenticated") == [1]


FOOD_TOOLS = {"get_order": {"order_id": {"type": "string"}},
              "place_order": {"item_id": {"type": "string"}},
              "add_tip": {"order_id": {"type": "string"}, "amount": {"type": "number"}}}


def _tip_dialogue(ask: str, tipped: str) -> Record:
    old = {"order_id": "FD-24", "item_name": "Veggie Burger", "status": "delivered", "total": 30.89}
    new = {"order_id": "FD-80", "item_name": "Pad Thai", "status": "placed", "total": 12.45}
    return synthetic([
        ("user", "What did my order FD-24 come to?"),
        ("call", "get_order", {"order_id": "FD-24"}, old),
        ("assistant", "Your Veggie Burger order came to $30.89."),
        ("user", "Thanks. Please order the Pad Thai, item MI-7."),
        ("assistant", "Shall I place an order for the Pad Thai?"),
        ("user", "Yes."),
        ("call", "place_order", {"item_id": "MI-7"}, new),
        ("assistant", "Done: your Pad Thai order FD-80 is placed, $12.45."),
        ("user", ask),
        ("assistant", "Shall I add a $5.00 tip?"),
        ("user", "Yes, please."),
        ("call", "add_tip", {"order_id": tipped, "amount": 5.0}, {**(old if tipped == "FD-24" else new), "tip": 5.0}),
        ("assistant", "Done: the tip of $5.00 is added."),
    ], FOOD_TOOLS)


def test_an_older_record_acted_on_when_a_newer_one_of_its_kind_was_shown_is_a_guess() -> None:
    """Two orders were shown one at a time; "add a tip" names neither, and the tip went to
    the older one: the assistant guessed."""
    found = findings(Dialogue(_tip_dialogue("Could you add a tip of $5?", "FD-24")), EnvPolicy.unknown())
    ambiguous = [f for f in found if f.kind == "ambiguous_target"]
    assert len(ambiguous) == 1 and "order_id=FD-24" in ambiguous[0].message and "fd-80" in ambiguous[0].message
    # said by the user (its id, or a detail only it has), or the order just placed: no guess
    for ask, tipped in [("Could you add a $5 tip to FD-24?", "FD-24"),
                        ("Could you add a $5 tip to the burger order?", "FD-24"),
                        ("Could you add a tip of $5?", "FD-80")]:
        kinds_found = {f.kind for f in findings(Dialogue(_tip_dialogue(ask, tipped)), EnvPolicy.unknown())}
        assert "ambiguous_target" not in kinds_found, ask
    # the request the call serves named it before the newer one was looked up
    named_first = synthetic([
        ("user", "Please add a $5 tip to FD-24; FD-80 is the other one."),
        ("call", "get_order", {"order_id": "FD-24"}, {"order_id": "FD-24", "status": "delivered"}),
        ("call", "get_order", {"order_id": "FD-80"}, {"order_id": "FD-80", "status": "placed"}),
        ("assistant", "Shall I add a $5.00 tip to FD-24?"),
        ("user", "Yes."),
        ("call", "add_tip", {"order_id": "FD-24", "amount": 5.0}, {"order_id": "FD-24", "tip": 5.0}),
        ("assistant", "Done."),
    ], FOOD_TOOLS)
    assert "ambiguous_target" not in {f.kind for f in findings(Dialogue(named_first), EnvPolicy.unknown())}


def test_the_users_own_key_is_no_record_they_pick() -> None:
    """An approver (SN-100, found by email) decides a report whose output names its submitter
    (SN-112); a later call made as the approver is the user acting, not a guess between staff."""
    tools = {"find_staff_by_email": {"work_email": {"type": "string"}},
             "decide_report": {"staff_number": {"type": "string"}, "report_code": {"type": "string"}},
             "start_report": {"staff_number": {"type": "string"}, "purpose": {"type": "string"}}}
    record = synthetic([
        ("user", "Please approve report ER-4; my work email is cfo@acme.example."),
        ("call", "find_staff_by_email", {"work_email": "cfo@acme.example"}, {"staff_number": "SN-100", "role": "cfo"}),
        ("assistant", "Shall I approve report ER-4?"),
        ("user", "Yes."),
        ("call", "decide_report", {"staff_number": "SN-100", "report_code": "ER-4"},
         {"report_code": "ER-4", "staff_number": "SN-112", "state": "approved"}),
        ("assistant", "Report ER-4 is approved."),
        ("user", "Now start a report for the site visit."),
        ("call", "start_report", {"staff_number": "SN-100", "purpose": "site visit"},
         {"report_code": "ER-9", "staff_number": "SN-100"}),
        ("assistant", "Report ER-9 for the site visit is started."),
    ], tools)
    policy = EnvPolicy(known=True, writes=frozenset({"decide_report", "start_report"}), user_key="staff_number")
    assert "ambiguous_target" not in kinds(record, policy)
    assert "ambiguous_target" in {f.kind for f in findings(Dialogue(record), EnvPolicy.unknown())}


def test_the_user_dictating_a_calculator_input() -> None:
    record = synthetic([
        ("user", "What do two lamps cost? The expression to use is 40 * 2."),
        ("call", "calculate", {"expression": "40 * 2"}, 80.0),
        ("assistant", "Two lamps cost $80.00."),
    ], TAU_TOOLS)
    found = findings(Dialogue(record), EnvPolicy.unknown())
    assert {(f.kind, f.message_index) for f in found} == {("dictated_internal", 1), ("parameter_talk", 0)}


def test_a_target_identified_through_an_unrelated_record() -> None:
    tools = {"get_transfer": {"transfer_id": {"type": "string"}},
             "pay_payee": {"payee_id": {"type": "string"}, "amount": {"type": "number"}}}
    transfer = {"transfer_id": "TRF-1", "payee_id": "PAY-7", "amount": 20.0}
    record = synthetic([
        ("user", "Pay this payee $50. The record is under transfer TRF-1."),
        ("call", "get_transfer", {"transfer_id": "TRF-1"}, transfer),
        ("assistant", "That transfer went to payee PAY-7. Shall I pay PAY-7 $50.00?"),
        ("user", "Yes."),
        ("call", "pay_payee", {"payee_id": "PAY-7", "amount": 50}, {"transfer_id": "TRF-2", "amount": 50.0}),
        ("assistant", "Done: $50.00 went to PAY-7 (transfer TRF-2)."),
    ], tools)
    policy = EnvPolicy(known=True, writes=frozenset({"pay_payee"}))
    assert kinds(record, policy) == {"unrelated_record": [5]}


@pytest.mark.parametrize("reply", [
    "Fares: economy $308.95 and business $988.64. Which cabin would you like?",
    "Here's what I found: your order #W1 is pending, with one Lamp at $40.00.",
    "Note: the refund can take 5 days. Anything else?",
    "I'm sorry, I can't change your plan from here, but your account team can.",
    "Your email address is ann_lee@example.com, and your order #W1 is pending.",
    "Here are the details of order #W1:\n- Status: pending\n- Items: one Lamp\n- Total: $40.00",
    "Departure: 9:00 AM, arrival: 11:00 AM, both on June 3.",
])
def test_reasonable_prose_is_not_flagged(reply: str) -> None:
    record = synthetic([
        ("user", "Hi, I'm Ann Lee. What's the status of my order #W1? Thanks, Ann."),
        ("call", "get_order_details", {"order_id": "#W1"}, ORDER),
        ("assistant", reply),
    ], TAU_TOOLS)
    found = [f for f in findings(Dialogue(record), EnvPolicy.unknown()) if f.kind in
             {"field_dump", "raw_enum", "ids_only_list", "raw_error", "broken_refusal", "signoff_name",
              "parameter_talk"}]
    assert found == []


@pytest.mark.parametrize("said", [
    "Thanks so much, you're a star!",
    "My manager Alexis asked me to check. Thanks, Ann.",
    "It's for Jose, my colleague. Best, Ann",
    "Can you send it to the_boss@example.com? - Ann",
])
def test_natural_user_turns_are_not_flagged(said: str) -> None:
    record = synthetic([("user", "Hello, this is Ann Lee."), ("assistant", "Hi Ann, how can I help?"),
                        ("user", said), ("assistant", "Of course.")], TAU_TOOLS)
    assert findings(Dialogue(record), EnvPolicy.unknown()) == []


def test_rates_over_records_count_dialogues_and_unknowns() -> None:
    clean = synthetic([("user", "Hello, this is Ann Lee."), ("assistant", "Hi Ann, how can I help?")], TAU_TOOLS)
    dump = synthetic([("user", "Hello."), ("assistant", "order ID: #W1; status: pending; total: 40.")], TAU_TOOLS)
    rates = trajectory_findings([clean, dump, dump])
    assert rates["field_dump"].dialogues == 3 and rates["field_dump"].with_finding == 2
    assert rates["field_dump"].share == pytest.approx(2 / 3) and rates["field_dump"].instances == 2
    assert rates["unconfirmed_write"].dialogues == 0 and rates["unconfirmed_write"].unknown == 3
    assert rates["unconfirmed_write"].share is None


@pytest.mark.slow
def test_envs_show_marks_the_confirmation_policy(capsys) -> None:
    from toolace_mt.cli import main
    assert main(["envs", "show", "tau_retail", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    confirm = {t["function"]["name"] for t in data["tools"] if t["confirm"]}
    assert data["authenticate_first"] is True and "cancel_pending_order" in confirm and "calculate" not in confirm
    assert main(["envs", "show", "calendar_mail"]) == 0
    assert "[write] send_message (confirm first):" in capsys.readouterr().out


def test_hostile_records_give_findings_not_tracebacks() -> None:
    """Arguments that are not objects, outputs that are not JSON or nest deeply, huge texts."""
    deep: Any = "x1"
    for _ in range(30):  # deeper than 64 levels is refused when the Record is built (test_hostile_records)
        deep = {"a_id": deep, "items": [deep]} if isinstance(deep, str) else {"a": deep}
    messages = [
        {"role": "user", "content": "Thanks, " + " " * 50_000 + "Ann" + "a: b; " * 5_000},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "get_x", "arguments": "[1, 2]"}},
            {"id": "c2", "type": "function", "function": {"name": "cancel_x", "arguments": "not json"}},
            {"id": "c3", "type": "function", "function": {"name": "get_x", "arguments": json.dumps({"q": deep})}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "plain text, not JSON"},
        {"role": "tool", "tool_call_id": "c2", "content": json.dumps({"error": "not an object"})},
        {"role": "tool", "tool_call_id": "c3", "content": json.dumps(deep)},
        {"role": "assistant", "content": "I can't do that: " + "my x " * 10_000},
    ]
    tools = [{"function": {"name": "get_x", "parameters": "nope"}}, {}]
    record = Record(id="hostile", env="nowhere", env_digest="0", seed=0, tools=tools, messages=messages)
    policy = EnvPolicy(known=True, writes=frozenset({"cancel_x"}), confirm=frozenset({"cancel_x"}),
                       user_key="a_id", authenticate_first=True)
    for judged in (policy, EnvPolicy.unknown()):
        found = findings(Dialogue(record), judged)
        assert all(isinstance(f.message, str) and f.kind in {k.kind for k in FINDING_KINDS} for f in found)


@pytest.mark.parametrize("names, ambiguous", [
    (["Mechanical Keyboard (Grey)", "Wall Lamp (Navy)"], False),  # "the keyboard" fits one item
    (["Mechanical Keyboard (Grey)", "Mechanical Keyboard (Black)"], True),  # ... and here two
])
def test_an_item_described_by_one_word_of_its_name(names: list[str], ambiguous: bool) -> None:
    tools = {"get_order": {"order_id": {"type": "string"}}, "return_items": {"item_ids": {"type": "array"}}}
    order = {"order_id": "#W1", "items": [{"item_id": f"#W1-{i}", "product_name": n} for i, n in enumerate(names)]}
    record = synthetic([
        ("user", "The keyboard from order #W1 arrived broken; I'd like to return it."),
        ("call", "get_order", {"order_id": "#W1"}, order),
        ("assistant", f"Shall I return the {names[0]} from order #W1?"),
        ("user", "Yes, please."),
        ("call", "return_items", {"item_ids": ["#W1-0"]}, {"return_id": "R1"}),
        ("assistant", "Your return R1 is registered."),
    ], tools)
    found = [f.message_index for f in findings(Dialogue(record), EnvPolicy.unknown(), ["disambiguation"])]
    assert found == ([5] if ambiguous else [])


def test_acting_on_an_order_never_looked_at_where_the_policy_says_check_first() -> None:
    turns: list[tuple] = [
        ("user", "Hi, please cancel order #W1, I ordered it by mistake. My email is ann@lee.com."),
        ("call", "find_user_id_by_email", {"email": "ann@lee.com"}, "ann_lee_1"),
        ("assistant", "Shall I cancel order #W1 because it was ordered by mistake?"),
        ("user", "Yes."),
        ("call", "cancel_pending_order", {"order_id": "#W1", "reason": "ordered by mistake"},
         {**ORDER, "status": "cancelled"}),
        ("assistant", "Done: order #W1 is cancelled."),
    ]
    checked = EnvPolicy(**{**TAU_POLICY.__dict__, "checked_writes": {"cancel_pending_order": "order_id"}})
    record = synthetic(turns, TAU_TOOLS)
    assert kinds(record, checked) == {"unchecked_record": [call_index(record, "cancel_pending_order")]}
    assert kinds(record, TAU_POLICY) == {}  # no CHECK_BEFORE_WRITE: nothing to check
    # the order's id in a bare list of the user's orders is not a look at the order
    listed = synthetic([*turns[:2], ("call", "get_user_details", {"user_id": "ann_lee_1"},
                                     {"user_id": "ann_lee_1", "orders": ["#W1"]}), *turns[2:]], TAU_TOOLS)
    assert "unchecked_record" in kinds(listed, checked)
    looked = synthetic([*turns[:2], ("call", "get_order_details", {"order_id": "#W1"}, ORDER), *turns[2:]],
                       TAU_TOOLS)
    assert "unchecked_record" not in kinds(looked, checked)


def test_the_look_the_policy_asks_for_earns_its_place_even_when_its_status_was_known() -> None:
    turns: list[tuple] = [
        ("user", "Hi, please cancel order #W1, I ordered it by mistake. My email is ann@lee.com."),
        ("call", "find_user_id_by_email", {"email": "ann@lee.com"}, "ann_lee_1"),
        ("call", "get_order_details", {"order_id": "#W1"}, ORDER),
        ("assistant", "Shall I cancel order #W1 because it was ordered by mistake?"),
        ("user", "Yes."),
        ("call", "cancel_pending_order", {"order_id": "#W1", "reason": "ordered by mistake"},
         {**ORDER, "status": "cancelled"}),
        ("assistant", "Done: order #W1 is cancelled."),
    ]
    record = synthetic(turns, TAU_TOOLS)
    read = call_index(record, "get_order_details")
    assert kinds(record, TAU_POLICY).get("unused_call") == [read]  # without the policy it is padding
    checked = EnvPolicy(**{**TAU_POLICY.__dict__, "checked_writes": {"cancel_pending_order": "order_id"}})
    assert kinds(record, checked) == {}
    other = synthetic([*turns[:2], ("call", "get_order_details", {"order_id": "#W2"}, {**ORDER, "order_id": "#W2"}),
                       *turns[3:]], TAU_TOOLS)  # a look at another order is no check of this one
    assert "unused_call" in kinds(other, checked)


def test_tau_retail_declares_check_before_write_and_its_policy_names_each_writes_record(verifier: Verifier) -> None:
    policy = EnvPolicy.of(verifier.pool.get("tau_retail", 0))
    assert policy.checked_writes["cancel_pending_order"] == "order_id"
    assert policy.checked_writes["return_delivered_order_items"] == "order_id"
    assert "modify_user_address" not in policy.checked_writes  # it acts on the user, who is authenticated
    assert EnvPolicy.of(verifier.pool.get("retail", 0)).checked_writes == {}


def test_cancelling_one_record_after_writing_another_of_the_same_user_is_no_undo() -> None:
    tools = {"book_session": {"client_id": {"type": "string"}, "slot": {"type": "string"}},
             "cancel_session": {"client_id": {"type": "string"}, "session_id": {"type": "string"}}}
    policy = EnvPolicy(known=True, writes=frozenset(tools), user_key="client_id")
    turns: list[tuple] = [
        ("user", "Book me the 10:00 slot, please, and cancel my session S-7 on Friday. I'm client CL-0110."),
        ("call", "book_session", {"client_id": "CL-0110", "slot": "10:00"},
         {"session_id": "S-9", "client_id": "CL-0110", "slot": "10:00"}),
        ("call", "cancel_session", {"client_id": "CL-0110", "session_id": "S-7"},
         {"session_id": "S-7", "client_id": "CL-0110", "status": "cancelled"}),
        ("assistant", "You're booked for 10:00 (session S-9), and session S-7 is cancelled."),
    ]
    assert "write_then_cancel" not in kinds(synthetic(turns, tools), policy)
    undo_new = [*turns[:2], ("call", "cancel_session", {"client_id": "CL-0110", "session_id": "S-9"},
                             {"session_id": "S-9", "client_id": "CL-0110", "status": "cancelled"}), turns[3]]
    undo_new[1] = ("call", "book_session", {"client_id": "CL-0110", "slot": "10:00", "session_id": "S-9"},
                   {"session_id": "S-9", "client_id": "CL-0110", "slot": "10:00"})
    assert "write_then_cancel" in kinds(synthetic(undo_new, tools), policy)


def test_a_read_with_no_arguments_after_a_sign_in_re_resolves_nothing() -> None:
    """get_profile() shows the signed-in diner: no look-up by other details, although the
    sign-in's output already named them; get_diner_by_email(...) of the same diner is one."""
    tools = {"sign_in": {"username": {"type": "string"}, "password": {"type": "string"}}, "get_profile": {},
             "get_diner_by_email": {"email": {"type": "string"}}}
    policy = EnvPolicy(known=True, writes=frozenset({"sign_in"}), user_key="diner_id")
    profile = {"diner_id": "D-7", "email": "ann@lee.com", "street": "1 Oak St", "city": "Riverton"}

    def dialogue(call: tuple[str, dict[str, Any]]) -> Record:
        return synthetic([
            ("user", "Hi, I'm annlee, password hunter2. What's the delivery address on my profile?"),
            ("call", "sign_in", {"username": "annlee", "password": "hunter2"}, {"signed_in": True, "diner_id": "D-7"}),
            ("call", call[0], call[1], profile),
            ("assistant", "You're signed in, and your delivery address is 1 Oak St, Riverton."),
        ], tools)

    assert "re_resolved_entity" not in kinds(dialogue(("get_profile", {})), policy)
    assert "re_resolved_entity" in kinds(dialogue(("get_diner_by_email", {"email": "ann@lee.com"})), policy)


def test_the_record_a_write_acts_on_is_read_from_any_schema_without_failing() -> None:
    from toolace_mt.verifier.policy import record_parameter
    schema = {"required": ["user_id", "order_id", "note"],
              "properties": {"user_id": {"type": "string"}, "order_id": {"type": "string"}, "note": True}}
    assert record_parameter(schema, "user_id") == "order_id"
    assert record_parameter({"required": ["order_id"], "properties": {"order_id": True}}, None) is None
    assert record_parameter({"required": "order_id", "properties": []}, None) is None
