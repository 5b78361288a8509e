"""Free text fits the parameter and the record (audit N): what still fails on a repair sent
back is that repair's problem, a note is about the repair, a new repair's title is one of its
kind, and a search's words are words that can find something, never a random word."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from toolace_mt.generation.plan.search_words import described_words
from toolace_mt.generation.workbench import Workbench

BIKES = Path(__file__).resolve().parent / "data" / "plan" / "bike_repairs.py"


@pytest.fixture(scope="module")
def bench():
    made = Workbench(str(BIKES), 0)
    yield made
    made.close()


def _titles(bench) -> dict[str, dict]:
    return {r["repair_id"]: r for r in bench.env.query("SELECT * FROM repairs")}


def test_what_still_fails_is_the_repairs_own_problem(bench) -> None:
    repairs = _titles(bench)
    for seed in range(8):
        choice = bench.values.propose(bench.tools["send_back_repair"], random.Random(seed))
        text = choice.arguments["what_still_fails"]
        title = repairs[choice.arguments["repair_id"]]["title"]
        assert title.casefold() in text.casefold(), (text, title)


def test_a_note_is_about_the_record_it_is_added_to(bench) -> None:
    repairs = _titles(bench)
    for seed in range(8):
        choice = bench.values.propose(bench.tools["add_repair_note"], random.Random(seed))
        text = choice.arguments["text"]
        title = repairs[choice.arguments["repair_id"]]["title"]
        assert "repair" in text.casefold() or title.casefold() in text.casefold(), text
        assert not any(ch.isdigit() for ch in text) and "," not in text


def test_a_new_records_title_is_one_of_its_kind(bench) -> None:
    by_kind: dict[str, set[str]] = {}
    for row in bench.env.query("SELECT kind, title FROM repairs"):
        by_kind.setdefault(row["kind"], set()).add(row["title"])
    for seed in range(8):
        arguments = bench.values.propose(bench.tools["book_repair"], random.Random(seed)).arguments
        assert arguments["title"] in by_kind[arguments["kind"]], arguments


def test_search_words_are_the_described_examples_when_no_table_holds_them(bench) -> None:
    assert described_words('A word or two about the job, like "brake" or "inner tube".') == ["brake", "inner tube"]
    for seed in range(6):
        arguments = bench.values.propose(bench.tools["search_guides"], random.Random(seed)).arguments
        assert arguments["words"] in ("brake", "inner tube")
        assert bench.trial("search_guides", arguments).result  # it finds a guide


def test_an_optional_value_for_another_kind_is_left_out(bench) -> None:
    """rim_inches is "only for wheels repairs": never set on a brakes or gears repair."""
    kinds = set()
    for seed in range(30):
        arguments = bench.values.propose(bench.tools["book_repair"], random.Random(seed), optional_rate=1.0).arguments
        if "rim_inches" in arguments:
            kinds.add(arguments["kind"])
    assert kinds == {"wheels"}
