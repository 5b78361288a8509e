"""A write allowed on some of a user's records only (cancel an order the kitchen has not
started), behind a log-in: learned by signing in as the owner of the record tried, and a
log-in made for such a write signs in as someone who has one."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from toolace_mt.generation.backends.interface import CostMeter, SubTaskPlan
from toolace_mt.generation.backends.offline_backend import OfflineBackend
from toolace_mt.generation.draft import Draft
from toolace_mt.generation.workbench import Workbench

KITCHEN = Path(__file__).resolve().parent / "data" / "plan" / "kitchen_orders.py"


@pytest.fixture(scope="module")
def bench():
    made = Workbench(str(KITCHEN), 0)
    yield made
    made.close()


def _with_placed_orders(bench: Workbench) -> set[str]:
    rows = bench.env.query("SELECT DISTINCT diner_id FROM orders WHERE status = 'placed'")
    return {r["diner_id"] for r in rows}


def test_the_cancel_is_learned_as_enabled_by_the_sign_in(bench) -> None:
    pre = bench.preconditions
    assert pre.enabled_by["cancel_order"] == ["sign_in"]
    assert pre.reached("cancel_order") and pre.path("cancel_order") == ("sign_in",)
    assert bench.plain_ok["cancel_order"]


def test_screening_signed_in_as_each_owner_keeps_the_placed_orders_only(bench) -> None:
    allowed = bench.values.allowed[("cancel_order", "orders")].rows
    assert allowed and {r["status"] for r in allowed} == {"placed"}
    assert len(allowed) == len(bench.env.query("SELECT * FROM orders WHERE status = 'placed'"))


def test_each_plan_knows_the_sub_tasks_after_it(bench) -> None:
    arranged = bench.preconditions.arrange([SubTaskPlan("list_orders", 1), SubTaskPlan("cancel_order", 2)])
    assert [(p.target, p.then) for p in arranged] == [
        ("sign_in", ("list_orders", "cancel_order")), ("list_orders", ("cancel_order",)), ("cancel_order", ())]
    asked = bench.preconditions.arrange([SubTaskPlan("sign_in", 1), SubTaskPlan("cancel_order", 2)])
    assert [(p.target, p.then) for p in asked] == [("sign_in", ("cancel_order",)), ("cancel_order", ())]


def test_a_sign_in_for_a_cancel_signs_in_someone_with_an_order_to_cancel(bench) -> None:
    placed = _with_placed_orders(bench)
    assert 0 < len(placed) < len(bench.env.query("SELECT * FROM diners"))  # a random diner often has none
    backend = OfflineBackend()
    signed = []
    for seed in range(6):
        bench.env.reset()
        draft = Draft(system="", segments=[])
        segment = backend.draft_segment(bench, SubTaskPlan("sign_in", 1, then=("cancel_order",)), draft,
                                        random.Random(seed), CostMeter())
        assert segment is not None
        signed.append(segment.context["diner_id"])
    assert set(signed) <= placed, signed
    bench.env.reset()


def test_a_search_for_a_product_the_user_named_takes_its_word_from_the_name() -> None:
    """retail place_order: the user names the product ("the Coffee Grinder (Blue)"); the
    assistant searches with a word of that name, which the user never says apart."""
    retail = Workbench("retail", 0)
    backend = OfflineBackend()
    searched = 0
    try:
        for seed in range(12):
            if searched >= 2:
                break
            retail.env.reset()
            segment = backend.draft_segment(retail, SubTaskPlan("place_order", 3), Draft(system="", segments=[]),
                                            random.Random(seed), CostMeter())
            if segment is None:
                continue
            searches = [c for t in segment.turns for c in t.calls if c.name == "search_products"]
            if not searches:
                continue
            searched += 1
            said = " ".join(str(v) for v in segment.stated.values()).casefold()
            assert "query" not in segment.stated, segment.stated
            assert all(c.arguments["query"].casefold() in said for c in searches), (searches, segment.stated)
    finally:
        retail.close()
    assert searched >= 2
