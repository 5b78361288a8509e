"""A write whose caller must be a differently named column of the record it acts on (a
leave request decided by its `reviewer_id`, the caller given as `employee_id`): the link
is learned by trials, and proposals, ownership and the dialogue's user follow it."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from toolace_mt.generation.plan.actor_links import find_link
from toolace_mt.generation.workbench import Workbench

REVIEWS = Path(__file__).resolve().parent / "data" / "plan" / "leave_reviews.py"


@pytest.fixture(scope="module")
def bench():
    made = Workbench(str(REVIEWS), 0)
    yield made
    made.close()


def test_the_link_is_the_column_whose_values_make_the_write_succeed(bench) -> None:
    link = bench.values.links[("decide_leave", "leave_requests")]
    assert (link.param, link.key_param, link.column, link.stands_for) == (
        "employee_id", "request_id", "reviewer_id", "employee_id")
    assert bench.plain_ok["decide_leave"]
    # found by trials: a tool whose name tie works needs none
    assert find_link(bench.tools["get_employee"], bench.values, bench.catalog, bench.trial, random.Random(0)) is None


def test_proposals_make_the_caller_the_requests_reviewer(bench) -> None:
    tool = bench.tools["decide_leave"]
    rows = {r["request_id"]: r for r in bench.values.table_rows("leave_requests")}
    for seed in range(5):
        found = bench.succeed(tool, random.Random(seed), 6)
        assert found is not None
        choice, _ = found
        request = rows[choice.arguments["request_id"]]
        assert choice.arguments["employee_id"] == request["reviewer_id"] != request["employee_id"]
        assert choice.context["employee_id"] == request["reviewer_id"]  # the dialogue's user is the reviewer


def test_only_reviewers_with_a_pending_request_are_served(bench) -> None:
    tool = bench.tools["decide_leave"]
    reviewers = {r["reviewer_id"] for r in bench.values.table_rows("leave_requests") if r["state"] == "pending"}
    assert reviewers and all(bench.values.serves(tool, r) for r in reviewers)
    assert not bench.values.serves(tool, "E110")  # requests leave, reviews none
    context = {"employee_id": sorted(reviewers)[0]}
    choice = bench.values.propose(tool, random.Random(3), context=context)
    assert bench.trial("decide_leave", choice.arguments).ok
