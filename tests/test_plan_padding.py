"""Reads the planner leaves out because the verifier's `unused_call` would drop them: one
whose output repeats what the dialogue showed plus what the user just gave it, and a
look-up before the target whose output only repeats the words it was given."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sandbox import CallResult
from toolace_mt.generation.draft import Call, Draft, Segment, Turn
from toolace_mt.generation.plan.redundancy import pads

TOOLS = {"list_policies": False, "estimate_payout": False, "get_symbol_by_name": False,
         "remove_stock_from_watchlist": True, "display_log": False}
BENCH: Any = SimpleNamespace(tools={name: SimpleNamespace(writes=writes) for name, writes in TOOLS.items()})
POLICIES = [{"policy_number": "POL-88037", "deductible": 1000.0, "kind": "home"},
            {"policy_number": "POL-88038", "deductible": 100.0, "kind": "travel"}]


def _draft(call: Call, output: Any) -> Draft:
    call.result = CallResult(ok=True, result=output)
    segment = Segment(goal="", target=call.name, stated={}, turns=[Turn("assistant", "calls", calls=[call])])
    return Draft(system="", segments=[segment])


def test_a_read_back_of_the_amount_the_user_gave_beside_a_shown_deductible_pads() -> None:
    draft = _draft(Call("list_policies", {"member_number": "M-40240"}), POLICIES)
    estimate = Call("estimate_payout", {"policy_number": "POL-88037", "loss_amount": 177.07})
    same = {"policy_number": "POL-88037", "loss_amount": 177.07, "deductible": 1000.0, "payout": 0.0}
    assert pads(BENCH, draft, [[estimate]], {id(estimate): same})
    news = {**same, "loss_amount": 1277.07, "payout": 277.07}  # a payout to tell
    bigger = Call("estimate_payout", {"policy_number": "POL-88037", "loss_amount": 1277.07})
    assert not pads(BENCH, draft, [[bigger]], {id(bigger): news})


def test_a_look_up_that_gives_back_a_word_of_its_input_pads() -> None:
    draft = Draft(system="", segments=[])
    symbol = Call("get_symbol_by_name", {"name": "Tran, Hess and Summers"})
    remove = Call("remove_stock_from_watchlist", {"symbol": "TRAN"})
    assert pads(BENCH, draft, [[symbol], [remove]], {id(symbol): {"symbol": "TRAN"}, id(remove): {}})
    # asked for itself (what is the symbol?), it is the sub-task's answer
    assert not pads(BENCH, draft, [[symbol]], {id(symbol): {"symbol": "TRAN"}})


def test_a_read_showing_the_users_lines_back_is_what_they_asked() -> None:
    draft = Draft(system="", segments=[])
    log = Call("display_log", {"messages": ["I have booked a table in Johnnybury for Saturday"]})
    assert not pads(BENCH, draft, [[log]], {id(log): {"log": ["I have booked a table in Johnnybury for Saturday"]}})
