"""The two envs written for the outside audit of issue 16 (bench/fresh_envs/food_delivery.py,
hr_leave.py): login first, confirmation policy declared, a consequential enum default,
an internal calculator-like tool, and every tool reachable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import Environment, load_env
from toolace_mt.verifier.policy import EnvPolicy

FRESH = Path(__file__).resolve().parent.parent / "bench" / "fresh_envs"


@pytest.fixture(scope="module")
def food_env() -> Iterator[Environment]:
    env = load_env(str(FRESH / "food_delivery.py"), seed=0)
    try:
        yield env
    finally:
        env.close()


@pytest.fixture
def food(food_env: Environment) -> Environment:
    food_env.reset()  # each test starts from the seeded state, nobody signed in
    return food_env


@pytest.fixture(scope="module")
def hr_env() -> Iterator[Environment]:
    env = load_env(str(FRESH / "hr_leave.py"), seed=0)
    try:
        yield env
    finally:
        env.close()


@pytest.fixture
def hr(hr_env: Environment) -> Environment:
    hr_env.reset()  # each test starts from the seeded state, nobody signed in
    return hr_env


def test_food_orders_need_a_sign_in_and_the_right_password(food: Environment) -> None:
    before = food.call("list_orders", {})
    assert not before.ok and "not signed in" in before.error.message
    wrong = food.call("sign_in", {"username": "jodicor0", "password": "nope"})
    assert not wrong.ok and wrong.error.message == "the username or password is incorrect"
    assert food.call("sign_in", {"username": "jodicor0", "password": "895nzGhq96"}).result["first_name"] == "Jodi"
    assert [o["order_id"] for o in food.call("list_orders", {}).result] == ["FD-50003", "FD-50001", "FD-50002"]
    assert not food.call("get_order", {"order_id": "FD-50004"}).ok  # another diner's order is not found


def test_food_policy_confirms_money_and_cancels_but_not_the_address(food: Environment) -> None:
    policy = EnvPolicy.of(food)
    assert policy.confirm == {"place_order", "cancel_order", "add_tip"}
    assert {"sign_in", "sign_out", "update_delivery_address"} <= policy.writes - policy.confirm


def test_food_delivery_is_the_default_fulfilment_and_costs_the_fee(food: Environment) -> None:
    food.call("sign_in", {"username": "jodicor0", "password": "895nzGhq96"})
    store = food.call("get_menu", {"store_id": "ST102"}).result
    item = next(i for i in store if i["available"])
    placed = food.call("place_order", {"item_id": item["item_id"]}).result
    assert placed["fulfilment"] == "delivery" and placed["fee"] > 0
    assert placed["total"] == round(placed["subtotal"] + placed["fee"], 2)


@pytest.mark.parametrize("expression, result", [("12.5 + 11.5", 24.0), ("(23.5 + 4) / 3", 9.17), ("-2 * 3", -6.0)])
def test_food_calc_does_arithmetic(food: Environment, expression: str, result: float) -> None:
    assert food.call("calc", {"expression": expression}).result == {"expression": expression, "result": result}


@pytest.mark.parametrize("expression, message", [("__import__('os')", "only numbers"), ("1 / 0", "division by zero"),
                                                 ("(1 + 2", "unbalanced"), ("1 +", "not complete")])
def test_food_calc_refuses_what_is_not_arithmetic(food: Environment, expression: str, message: str) -> None:
    answer = food.call("calc", {"expression": expression})
    assert not answer.ok and message in answer.error.message


def test_hr_time_off_comes_from_vacation_unless_asked_and_checks_the_balance(hr: Environment) -> None:
    assert not hr.call("get_time_off_balances", {}).ok
    assert hr.call("login", {"login": "cmcintosh", "pin": "7395"}).ok
    asked = hr.call("request_time_off", {"start_date": "2026-06-01", "end_date": "2026-06-05"}).result
    assert (asked["leave_type"], asked["days"], asked["status"]) == ("vacation", 5.0, "requested")
    balances = {b["leave_type"]: b["days_available"] for b in hr.call("get_time_off_balances", {}).result}
    assert balances["vacation"] == 6.0
    too_many = hr.call("request_time_off", {"start_date": "2026-07-06", "end_date": "2026-07-10", "leave_type": "sick"})
    assert not too_many.ok and too_many.error.message == "not enough sick days: 5 needed, 1 available"


def test_hr_workdays_leave_out_weekends_and_holidays(hr: Environment) -> None:
    # Friday July 3 (Independence Day, observed) to Tuesday July 7, 2026: Monday and Tuesday only
    assert hr.call("count_workdays", {"start_date": "2026-07-03", "end_date": "2026-07-07"}).result["workdays"] == 2.0
    bad = hr.call("count_workdays", {"start_date": "July 3", "end_date": "2026-07-07"})
    assert not bad.ok and "must be a date like" in bad.error.message


def test_hr_policy_confirms_requests_and_cancellations(hr: Environment) -> None:
    policy = EnvPolicy.of(hr)
    assert policy.confirm == {"request_time_off", "cancel_time_off_request"}
    assert policy.user_key is None or policy.user_key == "employee_id"
