"""A list parameter whose items must be keys of rows tied to the call (a trip's crew: the
boat's roster, in a join table): the link is learned by trials when errors name the items,
and proposals draw the items from those rows, never the caller."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from toolace_mt.generation.plan.item_links import ItemLink, candidates
from toolace_mt.generation.workbench import Workbench

CREWS = Path(__file__).resolve().parent / "data" / "plan" / "boat_crews.py"


@pytest.fixture(scope="module")
def bench():
    made = Workbench(str(CREWS), 0)
    yield made
    made.close()


def test_the_items_link_to_the_join_table_rows_and_need_two(bench) -> None:
    assert bench.values.item_links == {("book_trip", "crew"): ItemLink("rosters", "handle", 2)}
    assert bench.plain_ok["book_trip"]
    # free words any list takes keep their plain values
    assert ("tag_boat", "note_tags") not in bench.values.item_links


def test_proposals_take_the_boats_roster_without_the_caller(bench) -> None:
    tool = bench.tools["book_trip"]
    roster = {(r["boat_code"], r["handle"]) for r in bench.values.table_rows("rosters")}
    for seed in range(6):
        found = bench.succeed(tool, random.Random(seed), 4)
        assert found is not None
        arguments = found[0].arguments
        crew = arguments["crew"]
        assert 2 <= len(crew) <= 3 and crew == sorted(set(crew))
        assert arguments["handle"] not in crew  # the caller is not among the items
        assert all((arguments["boat_code"], c) in roster for c in crew)


def test_candidates_agree_with_the_other_arguments() -> None:
    rows = [{"team": "A", "who": "x"}, {"team": "A", "who": "y"}, {"team": "B", "who": "z"},
            {"team": "A", "who": "x"}]
    link = ItemLink("t", "who", 1)
    assert candidates(link, rows, {"team": "A", "caller": "y"}, "people") == ["x"]
    assert candidates(link, rows, {"caller": "q"}, "people") == ["x", "y", "z"]
    assert candidates(link, rows, {"team": "C"}, "people") == []
