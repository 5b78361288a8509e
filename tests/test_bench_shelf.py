"""The benches of one process (BenchShelf): the first of an env, then siblings sharing its
start-up knowledge; the coverage probe takes a spare sibling, and a resumed file's own
records count for coverage."""

from __future__ import annotations

import json
from pathlib import Path

from toolace_mt.generation.run import RunOptions, run_generate
from toolace_mt.generation.settings import Settings
from toolace_mt.generation.workbench import BenchShelf

KITCHEN = str(Path(__file__).resolve().parent / "data" / "plan" / "kitchen_orders.py")


def test_siblings_share_the_first_benchs_knowledge_and_close_with_the_shelf() -> None:
    shelf = BenchShelf(0)
    assert shelf.spare(KITCHEN) is None  # nothing made here: no sibling to probe
    first = shelf.take(KITCHEN)
    other, spare = shelf.take(KITCHEN), shelf.spare(KITCHEN)
    assert spare is not None and len({id(first), id(other), id(spare)}) == 3
    assert other.catalog is first.catalog and spare.preconditions is first.preconditions
    assert spare.env is not first.env and spare.trial("list_orders", {}).error is not None  # its own, signed out
    shelf.close()
    assert shelf.spare(KITCHEN) is None


def test_a_finished_file_resumed_reports_its_records_coverage(tmp_path: Path) -> None:
    out = tmp_path / "kitchen.jsonl"
    options = RunOptions(envs=[KITCHEN], n=2, max_attempts=6, seed=1, out=out, settings=Settings(subtasks=(2, 2)))
    accepted, summary, _ = run_generate(options)
    assert accepted == 2
    first = summary.coverage[0]
    called = {c["function"]["name"] for line in out.read_text().splitlines()
              for m in json.loads(line)["messages"] for c in m.get("tool_calls") or []}
    assert first.tools == 3 and first.tools - len(first.unreached) == len(called & {"sign_in", "list_orders",
                                                                                    "cancel_order"})
    again, resumed, _ = run_generate(options.model_copy(update={"resume": True}))
    assert again == 2 and resumed.attempts == 0
    assert [r.tool for r in resumed.coverage[0].unreached] == [r.tool for r in first.unreached]
