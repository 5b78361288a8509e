"""tau_retail: tau-bench's retail domain, checked against tau-bench's own recorded outputs.

tests/data/tau_retail/tasks_test.jsonl holds tau-bench's 115 test tasks with, for every
gold action, the exact string tau-bench's tools returned, and the final value of every
record each task changed. Every task is replayed here from the initial state. Beyond
the gold paths, each error branch of each write tool is driven with calls of our own.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sandbox import Environment, load_env
from sandbox.registry import resolve
from toolace_mt.tau_retail_compat import (
    KINDS,
    GoldTask,
    changed_ids,
    export_state,
    load_reference_state,
    load_tasks,
    reference_output,
    same_value,
)

HERE = Path(__file__).resolve().parent / "data" / "tau_retail"
TASKS = load_tasks(HERE / "tasks_test.jsonl")
DATA_DIR = Path(resolve("tau_retail").data_dir or "")
REF = load_reference_state(DATA_DIR)


@pytest.fixture(scope="module")
def env() -> Environment:
    with load_env("tau_retail") as loaded:
        yield loaded


@pytest.fixture
def fresh(env: Environment) -> Environment:
    env.reset()
    return env


def ok(env: Environment, tool: str, **args: Any) -> Any:
    result = env.call(tool, args)
    assert result.ok, result.error
    return result.result


def fails(env: Environment, tool: str, message: str, **args: Any) -> None:
    """The call fails with exactly tau-bench's message and changes nothing."""
    before = env.state_hash()
    result = env.call(tool, args)
    assert not result.ok and result.error.type == "ToolError", result
    assert result.error.message == message
    assert env.state_hash() == before


def balance(env: Environment, user_id: str, method_id: str) -> float:
    return ok(env, "get_user_details", user_id=user_id)["payment_methods"][method_id]["balance"]


def variant(product_id: str, *, available: bool = True, not_price: float | None = None) -> dict[str, Any]:
    """A variant of the product from the reference data."""
    return next(v for v in REF["products"][product_id]["variants"].values()
                if v["available"] == available and v["price"] != not_price)


# ---------------------------------------------------------------- the data and the tools

def test_initial_state_is_the_reference_data(fresh: Environment) -> None:
    assert same_value(export_state(fresh), REF)
    assert {k: len(v) for k, v in REF.items()} == {"users": 500, "orders": 1000, "products": 50}


def test_same_state_for_every_seed(env: Environment) -> None:
    env.reset()
    with load_env("tau_retail", seed=5) as other:
        assert other.state_hash() == env.state_hash()


def test_tools_match_tau_bench_names_parameters_enums_and_required() -> None:
    reference = {t["name"]: t["parameters"] for t in json.loads((HERE / "tools.json").read_text())}
    with load_env("tau_retail") as env:
        ours = {t.name: t.parameters for t in env.tools}
        assert sorted(ours) == sorted(reference) and len(ours) == 16
        for name, params in reference.items():
            mine = ours[name]
            assert sorted(mine.get("required", [])) == sorted(params["required"]), name
            for arg, schema in params["properties"].items():
                assert mine["properties"][arg]["type"] == schema["type"], (name, arg)
                assert mine["properties"][arg].get("enum") == schema.get("enum"), (name, arg)
                assert mine["properties"][arg].get("items") == schema.get("items"), (name, arg)
        writes = {t.name for t in env.tools if t.writes}
        assert writes == {"cancel_pending_order", "modify_pending_order_address", "modify_pending_order_payment",
                          "modify_pending_order_items", "return_delivered_order_items",
                          "exchange_delivered_order_items", "modify_user_address"}


# ---------------------------------------------------------------- tau-bench's 115 tasks

@pytest.mark.parametrize("task", TASKS, ids=[f"task{t.index}" for t in TASKS])
def test_gold_task_replays_as_in_tau_bench(fresh: Environment, task: GoldTask) -> None:
    for number, action in enumerate(task.actions):
        result = fresh.call(action.name, action.kwargs)
        where = f"action {number} {action.name}({action.kwargs})"
        if action.output.startswith("Error: "):
            assert not result.ok and result.error.type == "ToolError", where
            assert result.error.message == action.output.removeprefix("Error: "), where
        else:
            assert result.ok, (where, result.error)
            assert same_value(result.result, reference_output(action.output)), where
    # The records that changed are exactly tau-bench's `changed`, with the same values.
    ours = changed_ids(fresh.diff())
    assert {k: sorted(v) for k, v in ours.items() if v} == {k: sorted(v) for k, v in task.changed.items() if v}
    ids = {kind: ours[kind] | set(task.changed.get(kind, {})) for kind in KINDS}
    exported = export_state(fresh, ids)
    for kind in KINDS:
        expected = {key: task.changed.get(kind, {}).get(key, REF[kind][key]) for key in ids[kind]}
        assert same_value(exported[kind], expected), kind


def test_a_reset_after_the_tasks_is_the_initial_state(env: Environment) -> None:
    env.reset()
    initial = env.state_hash()
    for task in TASKS[:20]:
        for action in task.actions:
            env.call(action.name, action.kwargs)
    assert env.state_hash() != initial
    env.reset()
    assert env.state_hash() == initial and env.diff().empty


# ---------------------------------------------------------------- read tools

def test_lookups(fresh: Environment) -> None:
    user = REF["users"]["noah_brown_6181"]
    assert ok(fresh, "find_user_id_by_email", email=user["email"].upper()) == "noah_brown_6181"
    assert ok(fresh, "find_user_id_by_name_zip", first_name="NOAH", last_name="brown",
              zip=user["address"]["zip"]) == "noah_brown_6181"
    fails(fresh, "find_user_id_by_email", "user not found", email="nobody@example.com")
    fails(fresh, "find_user_id_by_name_zip", "user not found", first_name="Noah", last_name="Brown", zip="00000")
    fails(fresh, "get_user_details", "user not found", user_id="nobody_1")
    fails(fresh, "get_order_details", "order not found", order_id="W2378156")  # the '#' is part of the id
    fails(fresh, "get_product_details", "product not found", product_id="6469567736")  # an item id
    assert same_value(ok(fresh, "get_user_details", user_id="noah_brown_6181"), user)
    types = ok(fresh, "list_all_product_types")
    assert types == {p["name"]: pid for pid, p in sorted(REF["products"].items(), key=lambda kv: kv[1]["name"])}
    assert list(types) == sorted(types)
    assert ok(fresh, "think", thought="hmm") == ""
    assert ok(fresh, "transfer_to_human_agents", summary="wants a human") == "Transfer successful"


def test_name_lookup_returns_the_first_user_in_the_reference_order(fresh: Environment) -> None:
    # Move a later user with the same name to an earlier one's zip: tau-bench returns the earlier.
    names: dict[tuple[str, str], list[str]] = {}
    for user_id, user in REF["users"].items():
        names.setdefault((user["name"]["first_name"], user["name"]["last_name"]), []).append(user_id)
    (first, last), (earlier, later, *_) = next((n, ids) for n, ids in names.items() if len(ids) > 1)
    zip_code = REF["users"][earlier]["address"]["zip"]
    ok(fresh, "modify_user_address", user_id=later, address1="1 A St", address2="", city="X", state="CA",
       country="USA", zip=zip_code)
    assert ok(fresh, "find_user_id_by_name_zip", first_name=first, last_name=last, zip=zip_code) == earlier


@pytest.mark.parametrize(("expression", "value"), [
    ("2 + 2", 4.0), ("1819.92 - 272.33 + 269.16", 1816.75), ("(3 + 4) * 2", 14.0), ("7 / 2", 3.5),
    ("7 // 2", 3.0), ("-2 ** 2", -4.0), ("2 ** -2 ** 2", 0.06), ("2 ** 3 ** 2", 512.0), ("-(-3)", 3.0),
    ("1 - 2 - 3", -4.0), ("2 * -3", -6.0), (".5 + 1.", 1.5), ("00 + 1", 1.0), ("10 / 3", 3.33),
    (" 1 + 2 ", 3.0), ("((((1))))", 1.0), ("0.1 + 0.2", 0.3), ("10.0 ** 308 * 10", "inf"),
    ("10.0 ** 308 * 10 - 10.0 ** 308 * 10", "nan"), ("-10.0 ** 308 * 10", "-inf"),
])
def test_calculate(fresh: Environment, expression: str, value: float | str) -> None:
    assert ok(fresh, "calculate", expression=expression) == value


@pytest.mark.parametrize(("expression", "message"), [
    ("2 + x", "invalid characters in expression"),
    ("__import__('os')", "invalid characters in expression"),
    ("1 % 2", "invalid characters in expression"),
    ("1 / 0", "division by zero"),
    ("1.0 / 0", "float division by zero"),
    ("1 // 0", "integer division or modulo by zero"),
    ("0 ** -1", "0.0 cannot be raised to a negative power"),
    ("10 ** 400", "int too large to convert to float"),
    ("10.0 ** 400", "(34, 'Numerical result out of range')"),
    ("(-8) ** (1 / 3)", "float() argument must be a string or a real number, not 'complex'"),
    ("()", "float() argument must be a string or a real number, not 'tuple'"),
    ("() + 1", 'can only concatenate tuple (not "int") to tuple'),
    ("-()", "bad operand type for unary -: 'tuple'"),
    ("...", "float() argument must be a string or a real number, not 'ellipsis'"),
    ("(1)(2)", "'int' object is not callable"),
    ("2.5 (1 / 0)", "division by zero"),
    ("", "invalid syntax (<string>, line 0)"),
    ("1 +", "invalid syntax (<string>, line 1)"),
    ("1 2", "invalid syntax (<string>, line 1)"),
    ("(1 2)", "invalid syntax. Perhaps you forgot a comma? (<string>, line 1)"),
    ("1..2", "invalid syntax (<string>, line 1)"),
    ("(1", "'(' was never closed (<string>, line 1)"),
    ("1 2 (", "'(' was never closed (<string>, line 1)"),
    ("1)", "unmatched ')' (<string>, line 1)"),
    ("1 2 )", "unmatched ')' (<string>, line 1)"),
    ("01", "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers "
           "(<string>, line 1)"),
    ("(" * 201 + "1" + ")" * 201, "too many nested parentheses (<string>, line 1)"),
    ("9 ** 9 ** 9", "the power is too large to compute (over 4000000 bits)"),
])
def test_calculate_errors(fresh: Environment, expression: str, message: str) -> None:
    fails(fresh, "calculate", message, expression=expression)


def test_calculate_deep_nesting_needs_no_recursion(fresh: Environment) -> None:
    # As deep as CPython's own parser goes (the sandbox allows env code 200 frames).
    assert ok(fresh, "calculate", expression="(" * 200 + "1" + ")" * 200) == 1.0
    assert ok(fresh, "calculate", expression="-" * 999 + "1") == -1.0


# ---------------------------------------------------------------- write tools: every branch

def short_gift_card(status: str) -> dict[str, Any]:
    """Arguments swapping an item of an order in `status` for a dearer variant, paid with a
    gift card of the user that holds less than the price difference."""
    for order_id, order in REF["orders"].items():
        cards = {k: m["balance"] for k, m in REF["users"][order["user_id"]]["payment_methods"].items()
                 if m["source"] == "gift_card"}
        if order["status"] != status or not cards:
            continue
        card, held = min(cards.items(), key=lambda kv: kv[1])
        for item in order["items"]:
            for new in REF["products"][item["product_id"]]["variants"].values():
                if new["available"] and round(new["price"] - item["price"], 2) > held:
                    return {"order_id": order_id, "item_ids": [item["item_id"]], "new_item_ids": [new["item_id"]],
                            "payment_method_id": card}
    raise AssertionError(f"no {status} order to test with")


PENDING_GIFT = "#W6779827"  # pending, paid with the user's gift card
PENDING_CARD = "#W8367380"  # pending, paid by credit card; the user's gift card holds 78
DELIVERED = "#W4250821"     # delivered, paid by credit card; the user also has a gift card with 10
PROCESSED = "#W2611340"
CANCELLED = "#W3220387"


def test_cancel_pending_order(fresh: Environment) -> None:
    fails(fresh, "cancel_pending_order", "order not found", order_id="#W0", reason="no longer needed")
    for order_id in (PROCESSED, CANCELLED, DELIVERED):
        fails(fresh, "cancel_pending_order", "non-pending order cannot be cancelled", order_id=order_id,
              reason="no longer needed")
    bad = fresh.call("cancel_pending_order", {"order_id": PENDING_GIFT, "reason": "changed my mind"})
    assert bad.error.type == "InvalidArguments" and "no longer needed" in bad.error.message
    order = REF["orders"][PENDING_GIFT]
    paid = order["payment_history"][0]
    before = balance(fresh, order["user_id"], paid["payment_method_id"])
    result = ok(fresh, "cancel_pending_order", order_id=PENDING_GIFT, reason="ordered by mistake")
    assert result["status"] == "cancelled" and result["cancel_reason"] == "ordered by mistake"
    assert result["payment_history"] == [paid, {**paid, "transaction_type": "refund"}]
    assert balance(fresh, order["user_id"], paid["payment_method_id"]) == round(before + paid["amount"], 2)
    assert ok(fresh, "get_order_details", order_id=PENDING_GIFT) == result
    fails(fresh, "cancel_pending_order", "non-pending order cannot be cancelled", order_id=PENDING_GIFT,
          reason="no longer needed")


def test_cancel_refunds_a_card_payment_without_touching_balances(fresh: Environment) -> None:
    before = ok(fresh, "get_user_details", user_id=REF["orders"][PENDING_CARD]["user_id"])
    ok(fresh, "cancel_pending_order", order_id=PENDING_CARD, reason="no longer needed")
    assert ok(fresh, "get_user_details", user_id=REF["orders"][PENDING_CARD]["user_id"]) == before
    assert fresh.diff().summary() == "orders: 1 changed"


def test_modify_pending_order_address(fresh: Environment) -> None:
    address = {"address1": "1 Main St", "address2": "", "city": "Austin", "state": "TX", "country": "USA",
               "zip": "73301"}
    fails(fresh, "modify_pending_order_address", "order not found", order_id="#W0", **address)
    fails(fresh, "modify_pending_order_address", "non-pending order cannot be modified", order_id=DELIVERED,
          **address)
    result = ok(fresh, "modify_pending_order_address", order_id=PENDING_CARD, **address)
    assert result["address"] == address and result["status"] == "pending"
    assert ok(fresh, "get_order_details", order_id=PENDING_CARD)["address"] == address


def test_modify_pending_order_payment(fresh: Environment) -> None:
    order = REF["orders"][PENDING_CARD]
    user_id, paid = order["user_id"], order["payment_history"][0]
    gift = "gift_card_1994993"  # holds 78, less than the order's amount
    fails(fresh, "modify_pending_order_payment", "order not found", order_id="#W0", payment_method_id=gift)
    fails(fresh, "modify_pending_order_payment", "non-pending order cannot be modified", order_id=DELIVERED,
          payment_method_id=gift)
    fails(fresh, "modify_pending_order_payment", "payment method not found", order_id=PENDING_CARD,
          payment_method_id="paypal_0000000")
    fails(fresh, "modify_pending_order_payment", "the new payment method should be different from the current one",
          order_id=PENDING_CARD, payment_method_id=paid["payment_method_id"])
    fails(fresh, "modify_pending_order_payment", "insufficient gift card balance to pay for the order",
          order_id=PENDING_CARD, payment_method_id=gift)
    # From a gift card to a credit card: the card's balance gets the amount back at once.
    gift_order = REF["orders"][PENDING_GIFT]
    card_paid = gift_order["payment_history"][0]
    before = balance(fresh, gift_order["user_id"], card_paid["payment_method_id"])
    result = ok(fresh, "modify_pending_order_payment", order_id=PENDING_GIFT, payment_method_id="credit_card_9789590")
    assert result["payment_history"] == [
        card_paid, {"transaction_type": "payment", "amount": card_paid["amount"],
                    "payment_method_id": "credit_card_9789590"},
        {**card_paid, "transaction_type": "refund"}]
    assert balance(fresh, gift_order["user_id"], card_paid["payment_method_id"]) == round(
        before + card_paid["amount"], 2)
    fails(fresh, "modify_pending_order_payment", "there should be exactly one payment for a pending order",
          order_id=PENDING_GIFT, payment_method_id=card_paid["payment_method_id"])
    # From a credit card to a gift card with enough balance: charged to the card.
    rich = next((uid, oid) for oid, o in REF["orders"].items() for uid in [o["user_id"]]
                if o["status"] == "pending" and "credit_card" in o["payment_history"][0]["payment_method_id"]
                and any(m["source"] == "gift_card" and m["balance"] >= o["payment_history"][0]["amount"]
                        for m in REF["users"][uid]["payment_methods"].values()))
    user_id, order_id = rich
    amount = REF["orders"][order_id]["payment_history"][0]["amount"]
    card = next(k for k, m in REF["users"][user_id]["payment_methods"].items()
                if m["source"] == "gift_card" and m["balance"] >= amount)
    before = balance(fresh, user_id, card)
    ok(fresh, "modify_pending_order_payment", order_id=order_id, payment_method_id=card)
    assert balance(fresh, user_id, card) == round(before - amount, 2)


def test_modify_pending_order_items(fresh: Environment) -> None:
    order = REF["orders"][PENDING_CARD]
    item = order["items"][0]
    card = order["payment_history"][0]["payment_method_id"]
    cheaper = variant(item["product_id"], not_price=item["price"])
    args = {"order_id": PENDING_CARD, "item_ids": [item["item_id"]], "new_item_ids": [cheaper["item_id"]],
            "payment_method_id": card}
    fails(fresh, "modify_pending_order_items", "order not found", **{**args, "order_id": "#W0"})
    fails(fresh, "modify_pending_order_items", "non-pending order cannot be modified",
          **{**args, "order_id": DELIVERED})
    fails(fresh, "modify_pending_order_items", "1234567890 not found", **{**args, "item_ids": ["1234567890"]})
    fails(fresh, "modify_pending_order_items", f"{item['item_id']} not found",
          **{**args, "item_ids": [item["item_id"]] * 2, "new_item_ids": [cheaper["item_id"]] * 2})
    fails(fresh, "modify_pending_order_items", "the number of items to be exchanged should match",
          **{**args, "new_item_ids": []})
    gone = variant(item["product_id"], available=False)
    fails(fresh, "modify_pending_order_items", f"new item {gone['item_id']} not found or available",
          **{**args, "new_item_ids": [gone["item_id"]]})
    other = order["items"][1]["item_id"]  # an item of another product
    fails(fresh, "modify_pending_order_items", f"new item {other} not found or available",
          **{**args, "new_item_ids": [other]})
    fails(fresh, "modify_pending_order_items", "payment method not found", **{**args, "payment_method_id": "x"})
    short = short_gift_card("pending")
    fails(fresh, "modify_pending_order_items", "insufficient gift card balance to pay for the new item", **short)
    result = ok(fresh, "modify_pending_order_items", **args)
    diff = cheaper["price"] - item["price"]
    assert result["status"] == "pending (item modified)"
    assert result["items"][0] == {**item, "item_id": cheaper["item_id"], "price": cheaper["price"],
                                  "options": cheaper["options"]}
    assert same_value(result["payment_history"][-1], {"transaction_type": "payment" if diff > 0 else "refund",
                                                      "amount": abs(diff), "payment_method_id": card})
    fails(fresh, "modify_pending_order_items", "non-pending order cannot be modified", **args)


def test_modify_items_with_a_gift_card_and_the_same_item_twice(fresh: Environment) -> None:
    # Two identical items swapped in one call: each pair takes the next matching item.
    order_id, order = next((k, o) for k, o in REF["orders"].items() if o["status"] == "pending" and any(
        [i["item_id"] for i in o["items"]].count(i["item_id"]) > 1 for i in o["items"]))
    items = [i["item_id"] for i in order["items"]]
    twice = next(i for i in order["items"] if items.count(i["item_id"]) > 1)
    options = [v for v in REF["products"][twice["product_id"]]["variants"].values()
               if v["available"] and v["item_id"] != twice["item_id"]][:2]
    gift = next((k for k, m in REF["users"][order["user_id"]]["payment_methods"].items()
                 if m["source"] == "gift_card"), None)
    method = gift or order["payment_history"][0]["payment_method_id"]
    before = balance(fresh, order["user_id"], method) if gift else None
    result = ok(fresh, "modify_pending_order_items", order_id=order_id, item_ids=[twice["item_id"]] * 2,
                new_item_ids=[v["item_id"] for v in options], payment_method_id=method)
    swapped = [i["item_id"] for i in result["items"] if i["product_id"] == twice["product_id"]]
    assert swapped[:2] == [v["item_id"] for v in options]
    if gift:
        diff = sum(v["price"] - twice["price"] for v in options)
        assert abs(balance(fresh, order["user_id"], method) - round(before - diff, 2)) < 1e-9


def test_return_delivered_order_items(fresh: Environment) -> None:
    order = REF["orders"][DELIVERED]
    first, second = order["items"][0]["item_id"], order["items"][1]["item_id"]
    card = order["payment_history"][0]["payment_method_id"]
    args = {"order_id": DELIVERED, "item_ids": [second, first], "payment_method_id": card}
    fails(fresh, "return_delivered_order_items", "order not found", **{**args, "order_id": "#W0"})
    fails(fresh, "return_delivered_order_items", "non-delivered order cannot be returned",
          **{**args, "order_id": PENDING_CARD})
    fails(fresh, "return_delivered_order_items", "payment method not found", **{**args, "payment_method_id": "x"})
    fails(fresh, "return_delivered_order_items",
          "payment method should be either the original payment method or a gift card",
          **{**args, "payment_method_id": "credit_card_6547060"})
    fails(fresh, "return_delivered_order_items", "some item not found", **{**args, "item_ids": [first, first]})
    result = ok(fresh, "return_delivered_order_items", **{**args, "payment_method_id": "gift_card_6052478"})
    assert result["status"] == "return requested" and result["return_items"] == sorted([first, second])
    assert result["return_payment_method_id"] == "gift_card_6052478"
    fails(fresh, "return_delivered_order_items", "non-delivered order cannot be returned", **args)
    fails(fresh, "exchange_delivered_order_items", "non-delivered order cannot be exchanged", order_id=DELIVERED,
          item_ids=[], new_item_ids=[], payment_method_id=card)


def test_exchange_delivered_order_items(fresh: Environment) -> None:
    order = REF["orders"][DELIVERED]
    item = order["items"][0]
    card = order["payment_history"][0]["payment_method_id"]
    new = variant(item["product_id"], not_price=item["price"])
    args = {"order_id": DELIVERED, "item_ids": [item["item_id"]], "new_item_ids": [new["item_id"]],
            "payment_method_id": card}
    fails(fresh, "exchange_delivered_order_items", "order not found", **{**args, "order_id": "#W0"})
    fails(fresh, "exchange_delivered_order_items", "non-delivered order cannot be exchanged",
          **{**args, "order_id": PENDING_CARD})
    fails(fresh, "exchange_delivered_order_items", "1234567890 not found", **{**args, "item_ids": ["1234567890"]})
    fails(fresh, "exchange_delivered_order_items", "the number of items to be exchanged should match",
          **{**args, "new_item_ids": [new["item_id"]] * 2})
    gone = variant(item["product_id"], available=False)
    fails(fresh, "exchange_delivered_order_items", f"new item {gone['item_id']} not found or available",
          **{**args, "new_item_ids": [gone["item_id"]]})
    fails(fresh, "exchange_delivered_order_items", "payment method not found", **{**args, "payment_method_id": "x"})
    fails(fresh, "exchange_delivered_order_items", "insufficient gift card balance to pay for the price difference",
          **short_gift_card("delivered"))
    result = ok(fresh, "exchange_delivered_order_items", **args)
    assert result["status"] == "exchange requested"
    assert result["exchange_items"] == [item["item_id"]] and result["exchange_new_items"] == [new["item_id"]]
    assert result["exchange_payment_method_id"] == card
    assert result["exchange_price_difference"] == round(new["price"] - item["price"], 2)
    assert result["items"] == order["items"]  # the items change only when the exchange is done
    fails(fresh, "exchange_delivered_order_items", "non-delivered order cannot be exchanged", **args)
    fails(fresh, "return_delivered_order_items", "non-delivered order cannot be returned", order_id=DELIVERED,
          item_ids=[], payment_method_id=card)


def test_modify_user_address(fresh: Environment) -> None:
    address = {"address1": "9 Elm St", "address2": "Apt 2", "city": "Boston", "state": "MA", "country": "USA",
               "zip": "02101"}
    fails(fresh, "modify_user_address", "user not found", user_id="nobody_1", **address)
    result = ok(fresh, "modify_user_address", user_id="noah_brown_6181", **address)
    assert result == {**REF["users"]["noah_brown_6181"], "address": address}
    assert ok(fresh, "find_user_id_by_name_zip", first_name="Noah", last_name="Brown", zip="02101") == \
        "noah_brown_6181"
    assert fresh.diff().summary() == "users: 1 changed"


# ---------------------------------------------------------------- the README's section

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
SECTION = README.split("## tau-bench retail\n", 1)[1].split("\n## ", 1)[0]


@pytest.mark.slow  # 3-17 s on 2 idle cores: keeps the default run under 5 minutes
def test_readme_commands_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    from toolace_mt.cli import main

    commands = re.findall(r"```bash\n(.*?)```", SECTION, re.S)[0].strip().splitlines()
    assert [c.split()[:2] for c in commands] == [["toolace-mt", "call"], ["toolace-mt", "generate"],
                                                 ["toolace-mt", "verify"]]
    monkeypatch.chdir(tmp_path)
    outputs = []
    for command in commands:
        assert main(shlex.split(command)[1:]) == 0, command
        outputs.append(capsys.readouterr().out)
    order = json.loads(outputs[0][:outputs[0].index("\n}\n") + 2])
    assert same_value(order, REF["orders"]["#W2378156"])
    records = [json.loads(line) for line in (tmp_path / "tau_retail.jsonl").read_text().splitlines()]
    assert len(records) == 5 and all(r["env"] == "tau_retail" and r["verification"]["passed"] for r in records)


def test_readme_export_example_prints_what_it_says(tmp_path: Path) -> None:
    code = re.findall(r"```python\n(.*?)```", SECTION, re.S)[0]
    expected = [line.split("# ")[-1] for line in code.splitlines() if line.strip().startswith("print(")]
    script = tmp_path / "example.py"
    script.write_text(code)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.split() == expected == ["cancelled", "4128.45"]
