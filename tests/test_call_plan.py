"""The minimal call plan (generation/plan/call_plan.py) and how replies say things (speech.py):
pure functions, no env."""

from __future__ import annotations

import random

from toolace_mt.generation.draft import Call
from toolace_mt.generation.language import error_wording, said_back, speech, spoken_values
from toolace_mt.generation.plan.call_plan import Candidate, minimal_plan, names_for, said_by_name, singles_out


def _names(turns: list[list[Call]]) -> list[list[str]]:
    return [[c.name for c in turn] for turn in turns]


def test_a_producer_whose_output_feeds_the_target_is_kept_and_its_value_not_said() -> None:
    find = Call("find_customer_by_email", {"email": "a@b.c"})
    cancel = Call("list_orders", {"customer_id": "C1"})
    plan = minimal_plan([Candidate(find, {"customer_id": "C1", "email": "a@b.c"}, "producer"),
                         Candidate(cancel, [{"order_id": "#W1"}], "target")], [], lambda p, v: True)
    assert _names(plan.turns) == [["find_customer_by_email"], ["list_orders"]]
    assert plan.derived[id(cancel)] == {"customer_id"}
    assert plan.derived[id(find)] == set()


def test_a_second_look_up_of_the_same_user_goes() -> None:
    """name+zip then email, both giving C1: the email look-up re-resolves C1 and is dropped."""
    by_name = Call("find_by_name_zip", {"first_name": "A", "zip": "12345"})
    by_email = Call("find_by_email", {"email": "a@b.c"})
    target = Call("list_orders", {"customer_id": "C1"})
    plan = minimal_plan([Candidate(by_name, {"customer_id": "C1", "email": "a@b.c"}, "producer"),
                         Candidate(by_email, {"customer_id": "C1"}, "producer"),
                         Candidate(target, [], "target")], [], lambda p, v: True)
    assert _names(plan.turns) == [["find_by_name_zip"], ["list_orders"]]


def test_a_list_with_two_candidates_singles_out_neither() -> None:
    """get_customer lists two orders: the assistant may not pick one, the user says which."""
    customer = Call("get_customer", {"customer_id": "C1"})
    cancel = Call("cancel_order", {"order_id": "#W2"})
    output = {"customer_id": "C1", "orders": ["#W1", "#W2"]}
    assert not singles_out(output, "order_id", "#W2")
    assert singles_out({"orders": ["#W2"]}, "order_id", "#W2")
    plan = minimal_plan([Candidate(customer, output, "producer"), Candidate(cancel, {}, "target")], [],
                        lambda p, v: True)
    assert _names(plan.turns) == [["cancel_order"]]  # the read fed nothing: gone
    assert plan.derived[id(cancel)] == set()  # the user names the order


ORDER = {"order_id": "#W1", "items": [{"name": "Water Bottle", "item_id": "1008", "price": 20.0},
                                      {"name": "Desk Lamp", "item_id": "2044", "price": 35.0},
                                      {"name": "Yoga Mat", "item_id": "3091", "price": 25.0}]}


def test_items_with_their_own_names_are_named_by_the_user_and_their_ids_read_off_the_order() -> None:
    """"Return the Water Bottle and the Yoga Mat from order #W1": no dictated item ids."""
    assert names_for(ORDER, "item_ids", ["1008", "3091"]) == ["Water Bottle", "Yoga Mat"]
    assert names_for(ORDER, "item_id", "2044") == ["Desk Lamp"]
    twins = {"items": [{"name": "Lamp", "item_id": "1"}, {"name": "lamp", "item_id": "2"}]}
    assert names_for(twins, "item_id", "1") is None  # two lamps: the name does not single one out
    assert names_for({"items": [{"item_id": "1"}, {"item_id": "2"}]}, "item_id", "1") is None
    details = Call("get_order_details", {"order_id": "#W1"})
    ret = Call("return_items", {"order_id": "#W1", "item_ids": ["1008", "3091"]})
    plan = minimal_plan([Candidate(details, ORDER, "producer"), Candidate(ret, {}, "target")], [],
                        lambda p, v: True)
    assert _names(plan.turns) == [["get_order_details"], ["return_items"]]
    assert plan.derived[id(ret)] == {"item_ids", "order_id"}
    assert plan.named[id(ret)] == {"item_ids": ["Water Bottle", "Yoga Mat"]}


def test_no_look_up_runs_beside_the_authentication_it_must_follow() -> None:
    auth = Call("find_user_id_by_email", {"email": "a@b.c"})
    details = Call("get_order_details", {"order_id": "#W1"})
    ret = Call("return_items", {"order_id": "#W1", "item_ids": ["1008"], "user_id": "u1"})
    plan = minimal_plan([Candidate(auth, "u1", "auth"), Candidate(details, ORDER, "producer"),
                         Candidate(ret, {}, "target")], [], lambda p, v: True)
    assert _names(plan.turns) == [["find_user_id_by_email"], ["get_order_details"], ["return_items"]]


def test_a_producer_needing_an_unrelated_record_id_goes() -> None:
    """No 'the payee is under transfer TRF-1': a read the user must name another record for is dropped."""
    transfer = Call("get_transfer", {"transfer_id": "TRF-1"})
    pay = Call("pay_payee", {"payee_id": "PY-9"})
    plan = minimal_plan([Candidate(transfer, {"payee_id": "PY-9"}, "producer"), Candidate(pay, {}, "target")], [],
                        lambda p, v: p != "transfer_id")
    assert _names(plan.turns) == [["pay_payee"]]


def test_an_authentication_look_up_is_kept_and_earlier_outputs_supply_the_user() -> None:
    auth = Call("find_user_id_by_email", {"email": "a@b.c"})
    cancel = Call("cancel_pending_order", {"order_id": "#W1", "reason": "other"})
    plan = minimal_plan([Candidate(auth, {"user_id": "u_1"}, "auth"), Candidate(cancel, {}, "target")], [],
                        lambda p, v: True)
    assert _names(plan.turns) == [["find_user_id_by_email"], ["cancel_pending_order"]]
    details = Call("get_user_details", {"user_id": "u_1"})
    later = minimal_plan([Candidate(details, {}, "target")], [(0, "user_id", {"user_id": "u_1"})], lambda p, v: True)
    assert later.derived[id(details)] == {"user_id"} and later.relies_on == {0}


def test_values_are_said_naturally() -> None:
    assert spoken_values.natural("no_longer_needed") == "no longer needed"
    assert spoken_values.natural(1108.9, "total") == "$1,108.90"
    assert spoken_values.natural("2026-07-16T22:00:00") == "July 16, 2026 at 22:00"
    assert spoken_values.natural("2026-07-16") == "July 16, 2026"
    assert spoken_values.natural("mei_garcia_1676") == "mei_garcia_1676"  # an id stays as it is


def test_an_error_is_told_in_plain_words_not_read_out() -> None:
    raw = "customer C1851 not found; look the customer up by email or by name and zip code"
    said = error_wording.plain_error(raw, "customer ID", "C1851")
    assert said == "I couldn't find anything under the customer ID C1851."
    assert "look the customer up" not in said


def test_a_reply_is_prose_and_a_list_is_described() -> None:
    rng = random.Random(1)
    told = speech.summary({"order_id": "#W1", "status": "pending", "total": 12.5}, "get_order_status", rng,
                          known={"#W1"})
    assert told.startswith("The status is pending") and "$12.50" in told and "#W1" not in told  # asked first
    assert "; " not in told and ": " not in told
    listed = speech.summary([{"product_id": "P1", "name": "Lamp", "price": 20.0},
                             {"product_id": "P2", "name": "Desk", "price": 120.0}], "search_products", rng)
    assert "Lamp (P1)" in listed and "Desk (P2)" in listed and "$120.00" in listed


def test_a_refusal_says_your_not_my() -> None:
    assert said_back.yours("water my plants") == "water your plants"


def test_a_value_two_earlier_look_ups_rival_for_is_said_by_the_user() -> None:
    """Cards CARD-196 and CARD-126 looked up side by side, then "move the card": which one?
    The user names it; after one look-up only, the earlier output supplies it."""
    move = Call("move_card", {"cardId": "CARD-196", "list": "doing"})
    one = [(0, "cardId", {"cardId": "CARD-196", "title": "Spring launch"})]
    two = [*one, (0, "cardId", {"cardId": "CARD-126", "title": "Office move"})]
    alone = minimal_plan([Candidate(move, {}, "target")], one, lambda p, v: True)
    assert alone.derived[id(move)] == {"cardId"} and alone.relies_on == {0}
    rivals = minimal_plan([Candidate(move, {}, "target")], two, lambda p, v: True)
    assert rivals.derived[id(move)] == set() and rivals.relies_on == set()


def test_an_orders_products_are_named_by_the_user_and_their_ids_read_off_a_search() -> None:
    """place_order(items=[{product_id: P2051, quantity: 2}]) after search_products("cap"):
    the user asks for "the Baseball Cap (Blue)", two of them; no product id is dictated."""
    found = [{"product_id": "P2051", "name": "Baseball Cap (Blue)"},
             {"product_id": "P2052", "name": "Baseball Cap (Black)"}]
    items = [{"product_id": "P2051", "quantity": 2}]
    assert said_by_name(found, "items", items) == [{"product": "Baseball Cap (Blue)", "quantity": 2}]
    only = [{"product": "Baseball Cap (Blue)", "quantity": 2}]
    assert said_by_name(found[:1], "items", items) == only  # the only hit
    assert said_by_name([{"product_id": "P2051"}, {"product_id": "P2052"}], "items", items) is None  # no names
    search = Call("search_products", {"query": "cap"})
    order = Call("place_order", {"items": items, "payment_method": "gift_card"})
    plan = minimal_plan([Candidate(search, found, "producer"), Candidate(order, {}, "target")], [],
                        lambda p, v: True)
    assert _names(plan.turns) == [["search_products"], ["place_order"]]
    assert plan.named[id(order)] == {"items": [{"product": "Baseball Cap (Blue)", "quantity": 2}]}
