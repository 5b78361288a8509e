"""CHECK_BEFORE_WRITE in the plan: a write's record is looked at (its status read) before the
write acts on it, unless the dialogue already showed it (tau-bench's retail policy)."""

from __future__ import annotations

import json

from toolace_mt.generation.plan.record_check import record_check
from toolace_mt.generation.workbench import Workbench


def test_a_write_on_an_unseen_order_gets_a_get_by_id_first_and_a_seen_one_does_not() -> None:
    bench = Workbench("tau_retail", 3)
    try:
        cancel = bench.tools["cancel_pending_order"]
        order = next(r for r in bench.values.table_rows("orders") if r["status"] == "pending")
        arguments = {"order_id": order["order_id"], "reason": "no longer needed"}
        check = record_check(bench, cancel, arguments, seen=[])
        assert check is not None and (check.name, check.arguments) == ("get_order_details",
                                                                         {"order_id": order["order_id"]})
        shown = bench.trial("get_order_details", {"order_id": order["order_id"]}).result
        assert shown["status"] == "pending"
        assert record_check(bench, cancel, arguments, seen=[shown]) is None  # already looked at
        bare = {"user_id": order["user_id"], "orders": json.loads(json.dumps([order["order_id"]]))}
        assert record_check(bench, cancel, arguments, seen=[bare]) is not None  # an id in a list is no look
        address = bench.tools["modify_user_address"]  # acts on the (authenticated) user: nothing to check
        assert record_check(bench, address, {"user_id": order["user_id"]}, seen=[]) is None
    finally:
        bench.close()


def test_envs_without_the_policy_get_no_check() -> None:
    bench = Workbench("retail", 3)
    try:
        cancel = bench.tools["cancel_order"]
        order = bench.values.table_rows("orders")[0]
        assert record_check(bench, cancel, {"order_id": order["order_id"]}, seen=[]) is None
    finally:
        bench.close()
