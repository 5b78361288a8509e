"""Authentication under AUTHENTICATE_FIRST when the user's key is not named as an id (an
expense env's `staff_number`): a read given that key needs the user found first, so the
sub-task that found them is one later sub-tasks rely on, and no edit may refuse it away."""

from __future__ import annotations

import copy
import random
from pathlib import Path

import pytest

from toolace_mt.generation.backends.interface import CostMeter, SubTaskPlan
from toolace_mt.generation.backends.offline_backend import OfflineBackend
from toolace_mt.generation.draft import Draft
from toolace_mt.generation.plan import injections
from toolace_mt.generation.plan.authentication import authenticating_tools
from toolace_mt.generation.workbench import Workbench

EXPENSES = Path(__file__).resolve().parent.parent / "bench" / "fresh_envs" / "expense_approvals.py"


@pytest.fixture(scope="module")
def bench():
    made = Workbench(str(EXPENSES), 21)
    yield made
    made.close()


def _draft(bench: Workbench, targets: list[str], seed: int) -> Draft:
    backend, rng = OfflineBackend(), random.Random(seed)
    draft = Draft(system="", segments=[])
    bench.env.reset()
    for target in targets:
        segment = backend.draft_segment(bench, SubTaskPlan(target, 3), draft, rng, CostMeter())
        assert segment is not None
        draft.segments.append(segment)
        assert draft.execute(bench.env, start=len(draft.segments) - 1)
    return draft


def test_only_a_look_up_by_the_users_own_details_authenticates(bench) -> None:
    # list_reports_awaiting_me(staff_number), get_expense_report(staff_number, report_code) and
    # get_policy_cap(category) take a key: none finds anybody from what they know.
    assert [t.name for t in authenticating_tools(bench)] == ["find_staff_by_email"]


@pytest.mark.parametrize("seed", [1, 2, 5])
def test_a_read_by_the_users_key_relies_on_the_sub_task_that_found_them(bench, seed: int) -> None:
    draft = _draft(bench, ["decide_expense_report", "list_reports_awaiting_me", "get_policy_cap"], seed)
    first, listing, cap = draft.segments
    assert next(c.name for t in first.turns for c in t.calls) == "find_staff_by_email"
    assert listing.relies_on == {0}  # its staff number is the one the sign-in found
    # a cap by its category is no one's data: no sign-in, nothing relied on
    assert {c.name for t in cap.turns for c in t.calls} == {"get_policy_cap"} and cap.relies_on == set()


def test_a_refusal_never_replaces_the_sub_task_holding_the_sign_in(bench) -> None:
    draft = _draft(bench, ["decide_expense_report", "list_reports_awaiting_me"], 5)
    backend = OfflineBackend()
    for seed in range(12):
        trial = Draft(system="", segments=[])
        trial.segments = copy.deepcopy(draft.segments)
        made = injections.inject(backend, bench, trial, "tool_awareness", random.Random(seed))
        assert made is not None and made.tool is None  # the one write is relied on: an unsupported ask instead
        assert [c.name for t in trial.segments[0].turns for c in t.calls] == \
            ["find_staff_by_email", "decide_expense_report"]
