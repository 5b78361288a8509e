"""A dialogue is one person's: on a login-first env it logs in once, as one user, and a
sign-in made again (after a log-out) is the same person's."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from toolace_mt.generation.backends.interface import CostMeter, SubTaskPlan
from toolace_mt.generation.backends.offline_backend import OfflineBackend
from toolace_mt.generation.draft import Draft
from toolace_mt.generation.workbench import Workbench

ENVS = Path(__file__).resolve().parent.parent / "fixtures" / "envs"


@pytest.fixture(scope="module")
def ticket_bench():
    bench = Workbench(str(ENVS / "ticket.py"), 0)
    yield bench
    bench.close()


def _draft(bench: Workbench, targets: list[str], seed: int) -> Draft | None:
    """The sub-tasks drafted and executed in this order, as generation does."""
    backend = OfflineBackend()
    rng = random.Random(seed)
    draft = Draft(system="", segments=[])
    bench.env.reset()
    for target in targets:
        segment = backend.draft_segment(bench, SubTaskPlan(target=target, steps=2), draft, rng, CostMeter())
        if segment is None:
            return None
        draft.segments.append(segment)
        if not draft.execute(bench.env, start=len(draft.segments) - 1):
            return None
    return draft


def _sign_ins(draft: Draft, tool: str) -> list[dict]:
    return [c.arguments for _, t in draft.turns() for c in t.calls if c.name == tool and c.result is not None
            and c.result.ok]


def test_a_sign_in_after_a_log_out_is_the_same_persons(ticket_bench) -> None:
    drafted = 0
    for seed in range(6):
        draft = _draft(ticket_bench, ["ticket_login", "logout", "ticket_login"], seed)
        if draft is None:
            continue
        drafted += 1
        first, second = _sign_ins(draft, "ticket_login")
        assert first == second
    assert drafted >= 3


def test_whole_plans_log_in_once_and_out_last(ticket_bench) -> None:
    """Random plans of the offline planner, arranged: never a second log-in."""
    backend = OfflineBackend()
    for seed in range(30):
        rng = random.Random(seed)
        plans = backend.plan_task(ticket_bench, 5, (1, 3), rng, CostMeter())
        arranged = [p.target for p in ticket_bench.preconditions.arrange(plans)]
        assert arranged.count("ticket_login") <= 1, arranged
        if "logout" in arranged:
            assert arranged[-1] == "logout" and arranged.count("logout") == 1, arranged
