"""Ids and names in any case: camelCase and bare ids link outputs to parameters and
parameters to columns as snake_case ones do, so a spec's tools are all reachable."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolace_mt.generation.plan.catalog import feeds, walk
from toolace_mt.generation.plan.id_names import is_id, is_single_id, name_words, names_a, qualified, snake
from toolace_mt.generation.plan.value_keys import known_values
from toolace_mt.generation.workbench import Workbench

TEAM_TASKS = Path(__file__).resolve().parent / "data" / "plan" / "team_tasks.py"


@pytest.mark.parametrize("name, words", [
    ("noteId", ["note", "id"]), ("taskID", ["task", "id"]), ("user_id", ["user", "id"]), ("ID", ["id"]),
    ("getUserID", ["get", "user", "id"]), ("cityA", ["city", "a"]), ("noteIds", ["note", "ids"]),
])
def test_names_split_into_words_whatever_their_case(name: str, words: list[str]) -> None:
    assert name_words(name) == words
    assert snake(name) == "_".join(words)


@pytest.mark.parametrize("name", ["noteId", "taskID", "user_id", "ID", "id", "cardIds", "code", "orderUUID"])
def test_ids_in_any_case_are_ids(name: str) -> None:
    assert is_id(name)


@pytest.mark.parametrize("name", ["paid", "valid", "android", "identity", "video", "title", "zip_code_area"])
def test_words_ending_in_id_letters_are_not_ids(name: str) -> None:
    assert not is_id(name)


def test_a_list_of_ids_is_not_a_single_id() -> None:
    assert is_single_id("noteId") and is_single_id("ID")
    assert not is_single_id("noteIds") and not is_single_id("note_ids")


def test_qualified_names_take_the_plain_id() -> None:
    assert names_a("fromAccountId", "account_id") and names_a("from_account_id", "accountId")
    assert not names_a("account_id", "account_id") and not names_a("discount_id", "count_id")


def test_a_bare_id_is_the_id_of_what_the_tool_names() -> None:
    assert qualified("ID", "get_project") == ["ID", "get_id", "project_id"]
    assert qualified("id", "getBoard") == ["id", "get_id", "board_id"]
    assert qualified("taskID", "get_project") == ["taskID"]


def test_outputs_feed_parameters_in_another_case() -> None:
    string = {"type": "string"}
    assert feeds("noteId", "string", "note_id", string)
    assert feeds("note_id", "string", "noteId", string)
    assert feeds("accountId", "string", "fromAccountId", string)
    assert feeds("noteId", "string", "noteIds", {"type": "array", "items": string})
    assert not feeds("noteId", "string", "notebookId", string)
    assert not feeds("ID", "string", "noteId", string)  # a bare id names no kind of entity


def test_a_collection_names_its_members_ids_in_the_collections_case() -> None:
    fields = {name for name, _, _ in walk({"boardCards": [{"id": "C1", "title": "x"}]})}
    assert "board_card_id" in fields


def test_earlier_outputs_supply_a_parameter_in_another_case() -> None:
    known = {"note_id": ["N1"], "accountId": ["A7"], "title": ["t"]}
    assert known_values("noteId", known) == ["N1"]
    assert known_values("fromAccountId", known) == ["A7"]
    assert known_values("account_ids", known) == ["A7"]
    assert known_values("notebookId", known) == []


@pytest.fixture(scope="module")
def team_bench():
    bench = Workbench(str(TEAM_TASKS), 0)
    yield bench
    bench.close()


def test_tools_with_camel_case_and_bare_ids_are_reached(team_bench) -> None:
    pre = team_bench.preconditions
    for tool in ("get_project", "get_task", "complete_task", "assign_task", "log_expense"):
        assert pre.reached(tool), pre.reason(tool)
    assert team_bench.values.columns_for("ID", "get_project") == [("projects", "ID")]
    assert team_bench.values.columns_for("taskID") == [("tasks", "taskID"), ("expenses", "taskID")]


def test_a_bare_id_parameter_is_fed_by_the_listing_of_its_entity(team_bench) -> None:
    producers = team_bench.catalog.producers
    assert "list_projects" in producers[("get_project", "ID")]
    assert "get_project" in producers[("get_task", "taskID")]
    assert "list_members" in producers[("assign_task", "memberId")]


def test_a_records_bare_id_is_named_by_the_tool_that_shows_it(team_bench) -> None:
    """list_projects shows [{"ID": ...}]: project ids, which create_task's projectID takes."""
    assert "project_id" in team_bench.catalog.outputs["list_projects"]
    assert {"list_projects", "get_project"} <= set(team_bench.catalog.producers[("create_task", "projectID")])
