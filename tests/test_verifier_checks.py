"""Focused tests of the grounding and consistency rules (verifier/evidence.py), the
action-claim rule (verifier/consistency.py) and how a clarification's value is matched
(verifier/behaviour.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox import Environment, load_env
from toolace_mt.dialogue_builder import DialogueBuilder
from toolace_mt.record import Op, Record
from toolace_mt.verifier.behaviour import check_behaviour
from toolace_mt.verifier.consistency import check_consistency, claimed_actions
from toolace_mt.verifier.dialogue import Dialogue
from toolace_mt.verifier.evidence import Evidence, grounded_string, mentions
from toolace_mt.verifier.grounding import check_grounding


def shown(*texts: str) -> Evidence:
    evidence = Evidence()
    for text in texts:
        evidence.add_text(text)
    return evidence


# ---------------------------------------------------------------- numbers

@pytest.mark.parametrize("text", ["Total: $1,234.50", "total 1234.5", "1234.50 USD", "it was $1,234.5"])
def test_money_forms_are_one_number(text: str) -> None:
    evidence = shown(text)
    assert evidence.has_number(1234.5)
    assert not evidence.has_number(1234.0)
    assert not evidence.has_number(234.5)  # not a piece of the larger number


def test_number_in_an_output_grounds_its_text_forms() -> None:
    evidence = Evidence()
    evidence.add_output({"total": 1234.5, "items": [{"quantity": 2}]})
    assert not evidence.ungrounded_mentions("That's $1,234.50 for 2 units.")
    assert evidence.ungrounded_mentions("That's $1,243.50.") == ["1243.5"]
    assert grounded_string("1234.50", evidence)  # a number given as a string
    assert not grounded_string("1234.6", evidence)


def test_number_words_and_list_lengths_ground_counts() -> None:
    evidence = shown("I'd like two of them")
    assert evidence.has_number(2)
    assert not evidence.has_number(3)
    evidence.add_output({"orders": [{"id": "a"}, {"id": "b"}, {"id": "c"}]})
    assert evidence.has_number(3)  # the length of a list in an output
    assert Evidence().ungrounded_mentions("You have three orders.") == ["3"]


def test_pronoun_one_is_not_a_count() -> None:
    assert mentions("Each one costs extra; which one would you like? One of those is fine.").numbers == []
    assert mentions("You have one pending order.").numbers == [1]
    assert Evidence().ungrounded_mentions("Each one costs $40.00.") == ["40"]


# ---------------------------------------------------------------- dates and times

@pytest.mark.parametrize("text", ["March 5, 2026", "Mar 5, 2026", "5 March 2026", "on the 5th of March, 2026",
                                  "03/05/2026", "2026-03-05", "2026-03-05T10:00:00"])
def test_date_forms_are_one_date(text: str) -> None:
    evidence = shown(text)
    assert evidence.has_date((2026, 3, 5))
    assert not evidence.has_date((2026, 3, 6))
    assert not evidence.has_date((2025, 3, 5))
    assert grounded_string("2026-03-05", evidence)
    assert not grounded_string("2026-05-03", evidence)


def test_a_date_without_year_grounds_that_day_of_any_year() -> None:
    evidence = shown("Can we meet on March 5?")
    assert evidence.has_date((2026, 3, 5))
    assert grounded_string("2026-03-05", evidence)
    assert not grounded_string("2026-03-06", evidence)
    # And a stated "Mar 5" is backed by a full date seen earlier.
    assert not shown("2026-03-05").ungrounded_mentions("See you on Mar 5.")


@pytest.mark.parametrize("text", ["2 pm", "2:00 PM", "2 p.m.", "14:00"])
def test_time_forms_are_one_time(text: str) -> None:
    evidence = shown(f"on March 5 at {text}")
    assert (14, 0) in evidence.times
    assert (2, 0) not in evidence.times
    assert grounded_string("2026-03-05T14:00", evidence)
    assert not grounded_string("2026-03-05T15:00", evidence)  # a date-time needs its time too
    assert not grounded_string("2026-03-06T14:00", evidence)  # ... and its date


def test_stated_times_must_be_shown() -> None:
    evidence = Evidence()
    evidence.add_output({"start_at": "2026-06-25T13:00:00"})
    assert not evidence.ungrounded_mentions("It starts at 1 pm on June 25.")
    assert evidence.ungrounded_mentions("It starts at 1:30 PM.") == ["13:30"]


# ---------------------------------------------------------------- ids and text

def test_ids_ignore_case_and_the_hash() -> None:
    evidence = shown("My order is #W1001 and my customer id C1001.")
    assert grounded_string("#w1001", evidence)
    assert grounded_string("W1001", evidence)
    assert grounded_string("c1001", evidence)
    assert not evidence.ungrounded_mentions("Order #w1001 for customer c1001.")


def test_an_id_is_not_grounded_by_a_longer_one() -> None:
    evidence = shown("order #W10012, account ACC-100011")
    assert not grounded_string("#W1001", evidence)
    assert not grounded_string("ACC-10001", evidence)
    assert evidence.ungrounded_mentions("Order #W1001 is on its way.") == ["#w1001"]


def test_digit_first_tokens_are_ids_but_ordinals_are_not() -> None:
    assert mentions("seat 14C in Room 4A").ids == ["14c", "4a"]
    evidence = Evidence()
    evidence.add_output({"seat": "14C"})
    assert not evidence.ungrounded_mentions("You're in seat 14c.")
    assert evidence.ungrounded_mentions("You're in seat 14D.") == ["14d"]
    assert mentions("the 3rd and 21st items").ids == []
    assert not Evidence().ungrounded_mentions("Your 2nd bag is free.")


def test_short_strings_must_appear_as_whole_words() -> None:
    evidence = shown("Ship it to 41 Harbor View Road, Portland, OR 97209.")
    assert grounded_string("Portland", evidence)
    assert grounded_string("  portland ", evidence)
    assert grounded_string("OR", evidence)
    assert grounded_string("41 Harbor View Road", evidence)
    assert not grounded_string("Port", evidence)  # inside a longer word
    assert not grounded_string("Seattle", evidence)
    assert not grounded_string("CA", evidence)


def test_free_text_only_needs_its_ids_numbers_and_dates() -> None:
    evidence = shown("Please email Carla about order #W1001.")
    assert grounded_string("Hi Carla, the slides will follow by tomorrow noon. Best regards", evidence)
    assert grounded_string("Hi Carla, a quick note about order #W1001 and the slides.", evidence)
    assert not grounded_string("Hi Carla, a quick note about order #W1002 and the slides.", evidence)
    assert not grounded_string("Hi Carla, I will pay you 250 dollars on Friday.", evidence)
    assert not grounded_string("Hi Carla, let us meet on March 9 to talk.", evidence)
    # Four words are not free text: they must appear as they are.
    assert not grounded_string("Slides for the review", evidence)
    assert not grounded_string("Hi Carla, the slides will follow.", evidence, free_text=False)


# ---------------------------------------------------------------- the grounding check on real calls

@pytest.fixture(scope="module")
def retail() -> Iterator[Environment]:
    with load_env("retail", seed=0) as env:
        yield env


@pytest.fixture(scope="module")
def pending(retail: Environment) -> str:
    return retail.query("SELECT order_id FROM orders WHERE status = 'pending' ORDER BY order_id LIMIT 1")[0][
        "order_id"]


def build(env: Environment, *turns: tuple[str, object], system: str | None = None) -> Record:
    """A record from ("user", text) / ("calls", [(name, args), ...]) / ("assistant", text) turns."""
    env.reset()
    builder = DialogueBuilder(env, system=system)
    for kind, value in turns:
        if kind == "calls":
            builder.calls(*value)  # type: ignore[misc]
        else:
            getattr(builder, kind)(value)
    return builder.record("unit")


def grounding_failures(record: Record) -> list[str]:
    return [f.message for f in check_grounding(Dialogue(record))]


def test_enum_and_default_values_and_booleans_are_grounded(retail: Environment, pending: str) -> None:
    record = build(retail, ("user", f"Please cancel {pending}."),
                   ("calls", [("cancel_order", {"order_id": pending, "reason": "ordered_by_mistake"}),
                              ("search_products", {"query": "", "limit": 20, "in_stock_only": True})]),
                   ("assistant", "Done."))
    assert grounding_failures(record) == []


def test_values_outside_the_schema_and_the_dialogue_are_not(retail: Environment, pending: str) -> None:
    record = build(retail, ("user", f"Show me {pending}."),
                   ("calls", [("search_products", {"query": "kettle", "limit": 7}),
                              ("get_order", {"order_id": "#W1003"})]),
                   ("assistant", "Here it is."))
    search, order = grounding_failures(record)
    assert 'query="kettle"' in search and "limit=7" in search and "call_1 search_products" in search
    assert 'order_id="#W1003"' in order and "call_2 get_order" in order


def test_tool_outputs_and_the_system_prompt_ground_later_calls(retail: Environment) -> None:
    customer = retail.query("SELECT email FROM customers ORDER BY customer_id LIMIT 1")[0]
    record = build(retail, ("user", f"I'm {customer['email']}, what did I order?"),
                   ("calls", [("find_customer_by_email", {"email": customer["email"]})]),
                   ("calls", [("list_customer_orders", {"customer_id": "C1001"})]),
                   ("calls", [("get_product", {"product_id": "P2001"})]),
                   ("assistant", "Here is what I found."), system="Featured product: P2001.")
    assert grounding_failures(record) == []
    # The same id typed before the output that shows it is a hallucination.
    early = build(retail, ("user", f"I'm {customer['email']}."),
                  ("calls", [("list_customer_orders", {"customer_id": "C1001"})]),
                  ("assistant", "Here is what I found."))
    assert "customer_id=\"C1001\"" in grounding_failures(early)[0]


# ---------------------------------------------------------------- consistency: values and action claims

def consistency_failures(record: Record, env: Environment) -> list[str]:
    return [f.message for f in check_consistency(Dialogue(record), env)]


@pytest.mark.parametrize(("text", "verbs"), [
    ("I've cancelled your order.", ["cancelled"]),
    ("We have now updated the address.", ["updated"]),
    ("Your booking has been successfully booked and the card is now frozen.", ["booked", "frozen"]),
    ("I can't cancel orders from this chat.", []),
    ("Shall I cancel it?", []),
    ("Order #W1 was cancelled on May 2.", []),  # a past state read from an output is no claim
])
def test_claimed_actions(text: str, verbs: list[str]) -> None:
    assert claimed_actions(text) == verbs


def test_a_claim_needs_a_successful_matching_write_since_the_user_spoke(retail: Environment, pending: str) -> None:
    cancel = ("cancel_order", {"order_id": pending})
    backed = build(retail, ("user", f"Cancel {pending}."), ("calls", [cancel]),
                   ("assistant", f"Order {pending} has been cancelled."))
    assert consistency_failures(backed, retail) == []

    read_only = build(retail, ("user", f"Cancel {pending}."), ("calls", [("get_order", {"order_id": pending})]),
                      ("assistant", f"Order {pending} has been cancelled."))
    [message] = consistency_failures(read_only, retail)
    assert "cancelled" in message and "cancel_order" in message

    stale = build(retail, ("user", f"Cancel {pending}."), ("calls", [cancel]), ("assistant", "Anything else?"),
                  ("user", "Is it done?"), ("assistant", f"Yes, order {pending} has been cancelled."))
    assert len(consistency_failures(stale, retail)) == 1  # the call came before the user's last message

    failed = build(retail, ("user", f"Cancel {pending} twice."), ("calls", [cancel]), ("calls", [cancel]),
                   ("assistant", f"I've cancelled {pending}."))
    assert consistency_failures(failed, retail) == []  # the first call succeeded
    only_failed = build(retail, ("user", "Cancel #W1001."), ("calls", [("cancel_order", {"order_id": "#W1001"})]),
                        ("assistant", "I've cancelled #W1001."))
    assert "cancel_order" in consistency_failures(only_failed, retail)[0]


def test_a_claimed_verb_needs_its_own_tool_when_one_exists(retail: Environment, pending: str) -> None:
    address = ("update_shipping_address", {"order_id": pending, "street": "1 Main Street", "city": "Salem",
                                           "state": "OR", "zip_code": "97301"})
    user = ("user", f"Ship {pending} to 1 Main Street, Salem, OR 97301.")
    wrong_verb = build(retail, user, ("calls", [address]), ("assistant", f"I've cancelled {pending}."))
    assert "cancel_order" in consistency_failures(wrong_verb, retail)[0]
    # No retail tool books anything: any successful write backs "booked".
    any_write = build(retail, user, ("calls", [address]), ("assistant", "Your change has been booked."))
    assert consistency_failures(any_write, retail) == []
    no_write = build(retail, user, ("calls", [("get_order", {"order_id": pending})]),
                     ("assistant", "Your change has been booked."))
    assert "a write tool" in consistency_failures(no_write, retail)[0]


def test_stated_values_must_come_from_outputs_or_the_user(retail: Environment, pending: str) -> None:
    total = retail.query("SELECT total FROM orders WHERE order_id = ?", [pending])[0]["total"]
    ok = build(retail, ("user", f"How much was {pending}?"), ("calls", [("get_order", {"order_id": pending})]),
               ("assistant", f"Order {pending} came to ${total:,.2f}."))
    assert consistency_failures(ok, retail) == []
    wrong = build(retail, ("user", f"How much was {pending}?"), ("calls", [("get_order", {"order_id": pending})]),
                  ("assistant", f"Order {pending} came to ${total + 10:,.2f}."))
    [message] = consistency_failures(wrong, retail)
    assert f"{total + 10:g}" in message


# ---------------------------------------------------------------- behaviour: the clarified value

def clarification(env: Environment, earlier: str, answer: str, value: object, used: object) -> list[str]:
    env.reset()
    builder = DialogueBuilder(env)
    builder.user(earlier)
    ask = builder.assistant("How many would you like?")
    reply = builder.user(answer)
    builder.calls(("search_products", {"query": "", "limit": used}))
    builder.assistant("Here they are.")
    record = builder.record("unit", ops=[Op(type="clarification", message_index=ask, answer_index=reply,
                                            argument="limit", value=value)])
    return [f.message for f in check_behaviour(Dialogue(record))]


def test_a_clarified_number_may_be_spelled_out(retail: Environment) -> None:
    assert clarification(retail, "Show me some products.", "Two, please.", 2, 2) == []
    assert clarification(retail, "Show me some products.", "Just 2.", 2.0, 2) == []


def test_digits_inside_an_id_do_not_give_a_number_early(retail: Environment) -> None:
    assert clarification(retail, "About my order #W1202: show me products.", "Two, please.", 2, 2) == []
    [message] = clarification(retail, "Show me 2 products.", "Two, please.", 2, 2)
    assert "already gave 2 in message 0" in message


def test_the_answer_must_give_the_value_and_a_later_call_use_it(retail: Environment) -> None:
    assert "does not give 3" in clarification(retail, "Show me products.", "Two, please.", 3, 3)[0]
    assert "no call after the user's answer uses 2" in clarification(retail, "Show me products.", "Two.", 2, 5)[0]
