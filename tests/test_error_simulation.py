"""Error simulation: the user's mistake really misses (a failing call, or a search by a
misspelt name that finds nothing), never lands on another real record, and the verifier's
behaviour check accepts exactly that."""

from __future__ import annotations

import random
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from sandbox import CallResult, Environment, load_env
from sandbox.errors import CallError
from toolace_mt.dialogue_builder import DialogueBuilder
from toolace_mt.generation.draft import Call, Draft, Segment, Turn
from toolace_mt.generation.language.confirm_wording import checked_facts
from toolace_mt.generation.language.user_phrases import respelt
from toolace_mt.generation.plan.injections import _recall
from toolace_mt.generation.plan.mistakes import _missing_typo, _named_with, _open_segments, _same_name
from toolace_mt.record import Op
from toolace_mt.verifier.behaviour import check_behaviour, found_nothing
from toolace_mt.verifier.dialogue import Dialogue


@pytest.mark.parametrize("output", [None, [], {}, {"tracks": []}, {"results": [], "total": 0}])
def test_an_empty_answer_found_nothing(output: Any) -> None:
    assert found_nothing(output)


@pytest.mark.parametrize("output", [[{"id": 1}], {"name": "Road Trip", "tracks": []}, {"total": 0},
                                    {"results": [{"id": 1}], "total": 1}, "no results"])
def test_a_record_or_a_hit_is_something_found(output: Any) -> None:
    assert not found_nothing(output)  # a playlist with no tracks is still the playlist


@pytest.fixture(scope="module")
def retail() -> Iterator[Environment]:
    with load_env("retail", seed=0) as env:
        yield env


def _searched(env: Environment, wrong: str, right: str) -> list[str]:
    env.reset()
    builder = DialogueBuilder(env)
    builder.user(f"Do you have anything like {wrong}?")
    failing = builder.calls(("search_products", {"query": wrong}))
    builder.assistant(f"I couldn't find anything matching {wrong}. Could you check the spelling?")
    builder.user(f"Ah, I meant {right}.")
    builder.calls(("search_products", {"query": right}))
    builder.assistant("Here is what I found.")
    record = builder.record("unit", ops=[Op(type="error_simulation", message_index=failing)])
    return [f.message for f in check_behaviour(Dialogue(record))]


def test_a_misspelt_search_that_found_nothing_then_the_right_one_is_an_error_simulation(retail: Environment) -> None:
    assert retail.call("search_products", {"query": "lmap"}).result == []
    assert retail.call("search_products", {"query": "lamp"}).result
    assert _searched(retail, "lmap", "lamp") == []


def test_a_correction_that_finds_nothing_either_is_no_recovery(retail: Environment) -> None:
    [message] = _searched(retail, "lmap", "lapm")
    assert "never followed by a corrected, successful one" in message


def test_a_search_that_found_something_is_no_error(retail: Environment) -> None:
    [message] = _searched(retail, "lamp", "lamp")
    assert "no call of message 1 failed or found nothing" in message


def _bench(real: set[str], found: dict[str, list[str]], fails: bool = False) -> Any:
    """A bench whose search finds `found[query]` (else nothing); `real` values are held by records."""
    def trial(name: str, arguments: dict[str, Any]) -> CallResult:
        if fails and arguments["query"] not in found:
            return CallResult(ok=False, error=None)
        return CallResult(ok=True, result=found.get(arguments["query"], []))
    return SimpleNamespace(values=SimpleNamespace(holds=lambda param, value: value in real), trial=trial)


def test_a_name_typo_is_one_that_finds_nothing_and_no_real_record_holds() -> None:
    call = Call("search_tracks", {"query": "jordan"})
    bench = _bench({"jodran"}, {"jordan": ["t1"], "joradn": ["t2"]})  # two of the three swaps hit something
    typos = [_missing_typo(bench, call, "query", "jordan", random.Random(seed), as_digits=False,
                           may_find_nothing=True) for seed in range(20)]
    assert {t for t in typos if t is not None} == {("jrodan", True)}
    assert typos.count(None) < 10


def test_without_leave_to_find_nothing_a_typo_must_make_the_call_fail() -> None:
    call = Call("search_tracks", {"query": "jordan"})
    bench = _bench(set(), {"jordan": ["t1"]})
    assert _missing_typo(bench, call, "query", "jordan", random.Random(1), as_digits=False,
                         may_find_nothing=False) is None
    failing = _bench(set(), {"jordan": ["t1"]}, fails=True)
    assert _missing_typo(failing, call, "query", "jordan", random.Random(1), as_digits=False,
                         may_find_nothing=False)[1] is False


def test_an_id_typo_that_lands_on_a_real_record_is_tried_again_or_given_up() -> None:
    call = Call("search_tracks", {"query": "T1"})
    every = {f"T{d}" for d in range(10)}
    assert _missing_typo(_bench(every, {}), call, "query", "T1", random.Random(2), as_digits=True,
                         may_find_nothing=True) is None


def test_parameters_in_camel_and_snake_case_are_one_name() -> None:
    assert _same_name("playlist_id", "playlistId") and _same_name("order_id", "order_id")
    assert not _same_name("playlist_id", "trackId") and not _same_name(None, "trackId")


def _segment(*extra: Turn, request_edited: bool = False) -> Segment:
    return Segment(goal="", target="get_track", stated={}, turns=[
        Turn("user", "request", edited=request_edited), Turn("assistant", "calls", calls=[Call("get_track", {})]),
        Turn("assistant", "reply"), *extra])


def test_small_talk_after_the_reply_leaves_a_sub_task_open_to_a_mistake() -> None:
    chatted = _segment(Turn("user", "chat", edited=True), Turn("assistant", "chat_reply", edited=True))
    clarified = _segment(request_edited=True)
    refused = Segment(goal="", target="x", stated={}, turns=[Turn("user", "request", edited=True),
                                                             Turn("assistant", "refusal", edited=True)])
    draft = Draft(system="", segments=[chatted, clarified, refused, _segment()])
    assert sorted(_open_segments(draft, random.Random(0))) == [0, 3]


def test_a_respelt_word_is_said_without_its_field() -> None:
    for seed in range(12):
        text = respelt(random.Random(seed), "property")
        assert "property" in text and "search" not in text and "query" not in text


def _told(target: str, output: dict[str, Any], reply: str, asked: str = "") -> Segment:
    return Segment(goal="", target=target, stated={}, turns=[
        Turn("user", "request", text=asked),
        Turn("assistant", "calls", calls=[Call(target, {}, result=CallResult(ok=True, result=output))]),
        Turn("assistant", "reply", text=reply)])


def test_a_recall_is_of_what_an_earlier_reply_told_and_no_output_since_shows() -> None:
    first = _told("get_order", {"status": "pending", "total": 50, "city": "Portland"},
                  "It's pending, comes to 50 and ships to Portland.", asked="How is my order to Portland doing?")
    second = _told("cancel_order", {"status": "cancelled"}, "It's cancelled now.")
    draft = Draft(system="", segments=[first, second])
    # status: shown since (which status?); city: the user said it; the reply of the last sub-task: just told
    assert {_recall(draft, 1, random.Random(seed)) for seed in range(10)} == {(0, "total", 50)}
    assert _recall(draft, 0, random.Random(0)) is None


def test_an_error_naming_two_fields_blames_neither_alone() -> None:
    def failed(message: str) -> CallResult:
        return CallResult(ok=False, error=CallError(type="ToolError", message=message))

    arguments = {"email": "ana@x.org", "birth_date": "1992-01-06", "limit": 3}
    assert _named_with(failed("no policyholder matches that email and date of birth"), "email", arguments) == \
        ["email", "birth_date"]
    assert _named_with(failed("the username or password is incorrect"), "password",
                       {"password": "x", "username": "paula.s"}) == ["username", "password"]
    assert _named_with(failed("customer C1851 not found"), "customer_id", {"customer_id": "C1851"}) == []
    assert _named_with(CallResult(ok=True, result=[]), "email", arguments) == []


def test_a_failing_call_may_be_corrected_by_one_that_finds_nothing(retail: Environment) -> None:
    retail.reset()
    customer = retail.query("SELECT customer_id FROM customers WHERE customer_id NOT IN "
                            "(SELECT customer_id FROM orders) ORDER BY customer_id LIMIT 1")[0]["customer_id"]
    builder = DialogueBuilder(retail)
    builder.user("What did customer C9999 order?")
    failing = builder.calls(("list_customer_orders", {"customer_id": "C9999"}))
    builder.assistant("I couldn't find anything under the customer ID C9999. Could you check it?")
    builder.user(f"Sorry, it's {customer}.")
    builder.calls(("list_customer_orders", {"customer_id": customer}))
    builder.assistant("You have no orders yet.")
    record = builder.record("unit", ops=[Op(type="error_simulation", message_index=failing)])
    assert Dialogue(record).calls[1].output == []  # the right customer has no orders: found nothing, truly
    assert check_behaviour(Dialogue(record)) == []


def test_a_status_check_is_worth_making_only_when_the_confirmation_tells_what_it_shows() -> None:

    assert checked_facts({"order_id": "#W1", "status": "pending", "total": 1108.9})[0] == "pending"
    assert checked_facts({"noteId": "NOT-1", "title": "Plans", "body": "Call Ann.", "archived": False}) == []
