"""CHECK_BEFORE_WRITE in the plan: a write's record is looked at (its status read) before the
write acts on it, unless the dialogue already showed it (tau-bench's retail policy)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from toolace_mt.generation.draft import Call, Turn
from toolace_mt.generation.plan.record_check import record_check, with_record_checks
from toolace_mt.generation.workbench import Workbench


@pytest.fixture(scope="module")
def tau() -> Iterator[Workbench]:
    bench = Workbench("tau_retail", 3)
    yield bench
    bench.close()


def test_a_write_on_an_unseen_order_gets_a_get_by_id_first_and_a_seen_one_does_not(tau: Workbench) -> None:
    bench = tau
    cancel = bench.tools["cancel_pending_order"]
    order = next(r for r in bench.values.table_rows("orders") if r["status"] == "pending")
    arguments = {"order_id": order["order_id"], "reason": "no longer needed"}
    check = record_check(bench, cancel, arguments, seen=[])
    assert check is not None and (check.name, check.arguments) == ("get_order_details",
                                                                     {"order_id": order["order_id"]})
    shown = bench.trial("get_order_details", {"order_id": order["order_id"]}).result
    assert shown["status"] == "pending"
    assert record_check(bench, cancel, arguments, seen=[shown]) is None  # already looked at
    bare = {"user_id": order["user_id"], "orders": [order["order_id"]]}
    assert record_check(bench, cancel, arguments, seen=[bare]) is not None  # an id in a list is no look
    address = bench.tools["modify_user_address"]  # acts on the (authenticated) user: nothing to check
    assert record_check(bench, address, {"user_id": order["user_id"]}, seen=[]) is None


def test_a_models_drafted_write_gets_the_check_turn_before_it_unless_a_drafted_read_showed_it(tau: Workbench) -> None:
    order = next(r for r in tau.values.table_rows("orders") if r["status"] == "pending")["order_id"]
    cancel = Turn("assistant", "calls", calls=[Call("cancel_pending_order", {"order_id": order,
                                                                              "reason": "no longer needed"})])
    checked = with_record_checks(tau, [cancel], seen=[])
    assert [[(c.name, c.arguments) for c in t.calls] for t in checked[:1]] == [
        [("get_order_details", {"order_id": order})]] and checked[1] is cancel
    looked = Turn("assistant", "calls", calls=[Call("get_order_details", {"order_id": order})])
    assert with_record_checks(tau, [looked, cancel], seen=[]) == [looked, cancel]


def test_envs_without_the_policy_get_no_check() -> None:
    bench = Workbench("retail", 3)
    try:
        cancel = bench.tools["cancel_order"]
        order = bench.values.table_rows("orders")[0]
        assert record_check(bench, cancel, {"order_id": order["order_id"]}, seen=[]) is None
    finally:
        bench.close()
