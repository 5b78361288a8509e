"""CHECK_BEFORE_WRITE in the plan: a write's record is looked at (its status read) before the
write acts on it, unless the dialogue already showed it (tau-bench's retail policy)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from toolace_mt.generation.draft import Call, Turn
from toolace_mt.generation.plan.record_check import record_check, with_record_checks
from toolace_mt.generation.workbench import Workbench
from toolace_mt.verifier.id_fields import key_stem
from toolace_mt.verifier.policy import record_parameter
from toolace_mt.verifier.shown_records import shows_record

FRESH = Path(__file__).resolve().parent.parent / "bench" / "fresh_envs"


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


def test_keys_named_number_or_code_are_records_and_contact_numbers_are_not() -> None:
    assert [key_stem(n) for n in ("claim_number", "reportCode", "booking_ref", "order_id", "id")] == [
        "claim", "report", "booking", "order", ""]
    assert [key_stem(n) for n in ("phone_number", "zip_code", "card_number", "number", "quantity")] == [
        None, None, None, None, None]
    parameters = {"type": "object", "required": ["member_number", "claim_number"],
                  "properties": {"member_number": {"type": "string"}, "claim_number": {"type": "string"}}}
    assert record_parameter(parameters, "member_number") == "claim_number"
    assert shows_record({"claim_number": "CLM-7", "state": "draft"}, "claim_number", "CLM-7")
    assert not shows_record({"claim_number": "CLM-7", "policy_number": "P-1"}, "claim_number", "CLM-7")  # keys only


def test_a_check_read_may_take_the_callers_key_or_list_the_callers_records() -> None:
    bench = Workbench(str(FRESH / "insurance_claims.py"), 3)
    try:
        claim = bench.values.table_rows("claims")[0]
        policy = next(p for p in bench.values.table_rows("policies") if p["policy_number"] == claim["policy_number"])
        member = policy["member_number"]
        withdraw = bench.tools["withdraw_claim"]
        check = record_check(bench, withdraw, {"member_number": member, "claim_number": claim["claim_number"]}, [])
        assert check is not None and (check.name, check.arguments) == (
            "get_claim", {"member_number": member, "claim_number": claim["claim_number"]})
        opened = record_check(bench, bench.tools["open_claim"],  # no get_policy: the member's list shows it
                              {"member_number": member, "policy_number": policy["policy_number"]}, [])
        assert opened is not None and (opened.name, opened.arguments) == ("list_policies", {"member_number": member})
    finally:
        bench.close()
