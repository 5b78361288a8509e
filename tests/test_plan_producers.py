"""A write's id is never read off a record of another kind the user points at by its id
("add a task to the project of task T-506"): the look-ups that supply it are about it."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from toolace_mt.generation.plan.value_finder import _through_another_record, points_elsewhere, producer
from toolace_mt.generation.plan.value_keys import Choice
from toolace_mt.generation.workbench import Workbench

TEAM_TASKS = Path(__file__).resolve().parent / "data" / "plan" / "team_tasks.py"


@pytest.fixture(scope="module")
def team_bench():
    bench = Workbench(str(TEAM_TASKS), 0)
    yield bench
    bench.close()


def test_a_writes_id_comes_from_a_look_up_of_its_own_kind(team_bench) -> None:
    makers = set()
    for seed in range(12):
        rng = random.Random(seed)
        choice = Choice({"projectID": "P04", "title": "Order chairs"}, {"projectID": "P04"},
                        {"projectID": "row", "title": "fresh"})
        found = producer(team_bench, "create_task", "projectID", "P04", choice, set(), rng, [])
        if found is not None:
            makers.add(found[0])
    assert makers and "get_task" not in makers  # get_task(taskID) is another kind of record
    assert makers <= {"list_projects"}  # get_project(ID) needs the very value: circular


def test_a_write_on_the_record_may_read_it_first(team_bench) -> None:
    """assign_task acts on the task: its own read (get_task) may still supply its values."""
    tools = team_bench.tools
    assert not _through_another_record(team_bench, tools["assign_task"], "memberId", tools["get_task"])
    assert _through_another_record(team_bench, tools["create_task"], "projectID", tools["get_task"])
    assert not _through_another_record(team_bench, tools["get_project"], "ID", tools["get_task"])  # a read


def test_records_found_by_another_kinds_id_are_elsewhere(team_bench) -> None:
    tools = team_bench.tools
    assert points_elsewhere(team_bench, tools["create_task"], ["taskID"])  # a task, for a new task's project
    assert not points_elsewhere(team_bench, tools["assign_task"], ["taskID"])  # the task it acts on
    assert not points_elsewhere(team_bench, tools["create_task"], ["title"])  # found by what the user knows
