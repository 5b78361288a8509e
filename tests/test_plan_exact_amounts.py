"""A write refused until another write brings a count to zero (close an account while the
member still holds tools): its enabler is learned made with the exact quantities a read
shows, and a dialogue's enabling sub-task returns all a member holds before the close."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sandbox import CallResult
from toolace_mt.generation.backends.interface import CostMeter, SubTaskPlan
from toolace_mt.generation.backends.offline_backend import OfflineBackend
from toolace_mt.generation.draft import Draft
from toolace_mt.generation.plan.exact_amounts import candidates, waits_on_records
from toolace_mt.generation.workbench import Workbench

LIBRARY = Path(__file__).resolve().parent / "data" / "plan" / "tool_library.py"


@pytest.fixture(scope="module")
def bench():
    made = Workbench(str(LIBRARY), 0)
    yield made
    made.close()


def _held(bench: Workbench, member: str) -> dict[str, int]:
    rows = bench.env.query(f"SELECT tool_name, quantity FROM loans WHERE member_id = '{member}' AND quantity > 0")
    return {r["tool_name"]: r["quantity"] for r in rows}


def test_no_close_succeeds_on_the_seeded_state(bench) -> None:
    members = [r["member_id"] for r in bench.env.query("SELECT member_id FROM members")]
    assert members and all(not bench.trial("close_account", {"member_id": m}).ok for m in members)


def test_the_close_is_learned_as_enabled_by_returns_of_exact_quantities(bench) -> None:
    pre = bench.preconditions
    assert pre.enabled_by == {"close_account": ["return_tools"]}
    assert pre.exact == {"close_account": "return_tools"}
    assert pre.reached("close_account") and pre.path("close_account") == ("return_tools",)
    assert pre.reached("return_tools")
    outcome = pre.outcomes["close_account"]
    member = outcome.ok_arguments["member_id"]
    # every tool the member held, returned in full
    assert {m["tool_name"]: m["quantity"] for m in outcome.made} == _held(bench, member)
    assert all(m["member_id"] == member for m in outcome.made)


def test_entering_makes_the_returns_and_the_close_then_succeeds(bench) -> None:
    pre = bench.preconditions
    try:
        assert pre.enter(bench.env, "close_account")
        member = pre.outcomes["close_account"].ok_arguments["member_id"]
        assert _held(bench, member) == {}
        assert bench.trial("close_account", {"member_id": member}).ok
    finally:
        bench.env.reset()


def test_plans_put_a_return_per_kind_held_before_the_close(bench) -> None:
    arranged = bench.preconditions.arrange([SubTaskPlan("close_account", 2)])
    assert [(p.target, p.steps, p.ahead, p.again, p.then) for p in arranged] == [
        ("return_tools", 1, 2, False, ("close_account",)), ("return_tools", 1, 1, True, ("close_account",)),
        ("return_tools", 1, 0, True, ("close_account",)), ("close_account", 2, 0, False, ())]


def test_drafted_returns_hand_back_all_a_member_holds_and_the_close_succeeds(bench) -> None:
    backend = OfflineBackend()
    rounds = []
    for seed in range(8):
        bench.env.reset()
        draft = Draft(system="", segments=[])
        rng = random.Random(seed)
        held: dict[str, int] = {}
        for plan in bench.preconditions.arrange([SubTaskPlan("close_account", 2)]):
            segment = backend.draft_segment(bench, plan, draft, rng, CostMeter())
            if segment is None:
                assert plan.again, (seed, plan)  # only a return nobody needed is left out
                continue
            if not held and plan.target == "return_tools":
                member = next(c for t in segment.turns for c in t.calls).arguments["member_id"]
                held = _held(bench, member)
            draft.segments.append(segment)
            assert draft.execute(bench.env, start=len(draft.segments) - 1)
        calls = [c for _, t in draft.turns() for c in t.calls]
        returns = [c.arguments for c in calls if c.name == "return_tools"]
        assert calls[-1].name == "close_account" and calls[-1].result is not None and calls[-1].result.ok
        # one member's tools, each kind brought back in full, in as many sub-tasks as kinds held
        assert {r["member_id"] for r in returns} == {calls[-1].arguments["member_id"]}
        assert {r["tool_name"]: r["quantity"] for r in returns} == held and len(returns) == len(held)
        rounds.append(len(returns))
    bench.env.reset()
    assert max(rounds) > 1, rounds  # some member held more than one kind


def _shows(output: object):
    def peek(name: str, arguments: dict) -> CallResult:
        return CallResult(ok=True, result=output) if name == "list_loans" else CallResult(ok=False)
    return peek


def test_candidates_take_each_shown_record_number_and_name(bench) -> None:
    peek = _shows([{"tool_name": "saw", "quantity": 6}, {"tool_name": "drill", "quantity": -2}])
    reads = [bench.tools["list_loans"]]
    made = candidates(peek, reads, bench.tools["return_tools"], {"member_id": "TL-1", "tool_name": "x",
                                                                  "quantity": 9})
    assert made == [{"member_id": "TL-1", "tool_name": "saw", "quantity": 6},
                    {"member_id": "TL-1", "tool_name": "drill", "quantity": 2}]  # a debt shown negative: paid positive
    # a write with no number to take, or whose required values no read takes, has none
    assert candidates(peek, reads, bench.tools["close_account"], {"member_id": "TL-1"}) == []
    assert candidates(peek, reads, bench.tools["return_tools"], {"tool_name": "saw", "quantity": 1}) == []


def test_only_a_refusal_naming_what_the_read_shows_waits_on_it(bench) -> None:
    peek = _shows([{"tool_name": "saw", "quantity": 6}])
    reads = [bench.tools["list_loans"]]
    assert waits_on_records(peek, reads, {"member_id": "TL-1"}, "ToolError: bring back saw first")
    assert not waits_on_records(peek, reads, {"member_id": "TL-1"}, "ToolError: the owner cannot leave")
    assert not waits_on_records(peek, reads, {"member_id": "TL-1"}, "ToolError: bring back sawdust first")
    # a record shown with no number (nothing to bring to zero) is no reason to wait
    assert not waits_on_records(_shows([{"tool_name": "saw"}]), reads, {"member_id": "TL-1"},
                                "ToolError: bring back saw first")


def test_the_shared_ledger_leave_waits_on_settling_each_debt_in_full() -> None:
    """shared_ledger: no non-owner member owes nothing, so leaving a group is refused on the
    seeded state; a member who owes one person leaves once that debt is settled exactly."""
    ledger = Workbench(str(Path(__file__).resolve().parent.parent / "bench" / "fresh_envs" / "shared_ledger.py"), 21)
    try:
        pre = ledger.preconditions
        assert pre.exact == {"leave_group": "settle_up"} and pre.reached("leave_group")
        outcome = pre.outcomes["leave_group"]
        member, group = outcome.ok_arguments["username"], outcome.ok_arguments["group_code"]
        owed = {b["member"]: -b["they_owe_you"] for b in ledger.trial(
            "get_balances", {"username": member, "group_code": group}).result if b["they_owe_you"] < 0}
        assert {m["pay_to"]: m["amount"] for m in outcome.made} == owed
    finally:
        ledger.close()
