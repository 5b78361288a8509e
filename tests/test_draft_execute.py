"""Draft.execute after stage-2 edits: every output real, and no work redone that the
call memo already answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sandbox import Environment, load_env
from toolace_mt.generation.draft import Call, Draft, Segment, Turn


@pytest.fixture(scope="module")
def retail() -> Iterator[Environment]:
    env = load_env("retail", seed=3)
    yield env
    env.close()


def _segment(*calls: Call) -> Segment:
    return Segment(goal="g", target=calls[-1].name, stated={},
                   turns=[Turn("user", "request", text="hi"), *[Turn("assistant", "calls", calls=[c]) for c in calls],
                          Turn("assistant", "reply", text="done")])


def _counting_runs(env: Environment, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    ran: list[str] = []
    original = env._run

    def counted(tool: Any, args: dict[str, Any], keep: bool = True) -> Any:
        ran.append(tool.name)
        return original(tool, args, keep)

    monkeypatch.setattr(env, "_run", counted)
    return ran


def test_a_planted_failure_is_tried_where_it_runs_and_the_writes_are_not_made_again(
        retail: Environment, monkeypatch: pytest.MonkeyPatch) -> None:
    pending = [r["order_id"] for r in retail.query("SELECT order_id FROM orders WHERE status = 'pending' "
                                                    "ORDER BY order_id LIMIT 2")]
    draft = Draft(system="s", segments=[
        _segment(Call("get_order", {"order_id": pending[0]}), Call("cancel_order", {"order_id": pending[0]})),
        _segment(Call("cancel_order", {"order_id": pending[1]})),
    ])
    assert draft.execute(retail)
    final_hash = retail.state_hash()
    # Error simulation: a call with a mistyped id, before the sub-task's write.
    failing = Call("get_order", {"order_id": "#W0000"}, expect_ok=False)
    draft.segments[0].turns.insert(1, Turn("assistant", "calls", calls=[failing]))
    ran = _counting_runs(retail, monkeypatch)

    assert draft.execute(retail, start=0)

    assert failing.result is not None and not failing.result.ok
    assert failing.result.error is not None and "#W0000" in failing.result.error.message
    assert ran == ["get_order"]  # only the new call: both cancellations come from memory
    assert retail.state_hash() == final_hash
    assert [r["status"] for r in retail.query("SELECT status FROM orders WHERE order_id IN (?, ?)", pending)] == \
        ["cancelled", "cancelled"]


def test_a_planted_failure_after_a_write_of_its_segment_runs_the_segments_again(
        retail: Environment, monkeypatch: pytest.MonkeyPatch) -> None:
    order = retail.query("SELECT order_id FROM orders WHERE status = 'pending' ORDER BY order_id DESC LIMIT 1")
    order_id = order[0]["order_id"]
    draft = Draft(system="s", segments=[_segment(Call("cancel_order", {"order_id": order_id}))])
    assert draft.execute(retail)
    failing = Call("get_order", {"order_id": "#W0001"}, expect_ok=False)
    draft.segments[0].turns.insert(2, Turn("assistant", "calls", calls=[failing]))  # after the write
    ran = _counting_runs(retail, monkeypatch)

    assert draft.execute(retail, start=0)

    assert ran == ["cancel_order", "get_order"]  # the state it runs on is held by no snapshot
    assert failing.result is not None and not failing.result.ok


def test_a_planted_call_that_succeeds_is_reported(retail: Environment) -> None:
    order_id = retail.query("SELECT order_id FROM orders ORDER BY order_id LIMIT 1")[0]["order_id"]
    draft = Draft(system="s", segments=[_segment(Call("get_order", {"order_id": order_id}))])
    assert draft.execute(retail)
    draft.segments[0].turns.insert(1, Turn("assistant", "calls", calls=[
        Call("get_order", {"order_id": order_id}, expect_ok=False)]))

    assert not draft.execute(retail, start=0)
