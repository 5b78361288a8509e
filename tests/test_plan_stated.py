"""What the user must say in a sub-task: every value the calls take that no output of the
sub-task supplies, each field for itself (a leave that starts and ends on one day says both)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from toolace_mt.generation.backends.interface import CostMeter, SubTaskPlan
from toolace_mt.generation.backends.offline_backend import OfflineBackend
from toolace_mt.generation.draft import Draft
from toolace_mt.generation.workbench import Workbench

HR_LEAVE = Path(__file__).resolve().parent.parent / "bench" / "fresh_envs" / "hr_leave.py"


@pytest.mark.slow
def test_two_fields_with_the_same_value_are_both_said_by_the_user() -> None:
    """request_time_off(start_date=D, end_date=D): the user says the end date too; the
    assistant never fills end_date from start_date on its own."""
    bench = Workbench(str(HR_LEAVE), 0)
    backend = OfflineBackend()
    same_day = 0
    try:
        for seed in range(22):
            rng = random.Random(seed)
            draft = Draft(system="", segments=[])
            bench.env.reset()
            for plan in bench.preconditions.arrange([SubTaskPlan(target="request_time_off", steps=2)]):
                segment = backend.draft_segment(bench, plan, draft, rng, CostMeter())
                if segment is None:
                    break
                draft.segments.append(segment)
                draft.execute(bench.env, start=len(draft.segments) - 1)
                call = next((c for t in segment.turns for c in t.calls if c.name == "request_time_off"), None)
                if call is None:
                    continue
                assert {"start_date", "end_date"} <= set(segment.stated), segment.stated
                same_day += call.arguments["start_date"] == call.arguments["end_date"]
    finally:
        bench.close()
    assert same_day  # the seeds include one-day leaves
