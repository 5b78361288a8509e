"""Where stage-2 edits go: a clarification never asks for an optional filter of a
look-up (the user chose it; the request did not need it), and error simulation never
adds a look-up the dialogue already makes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from sandbox import ToolSpec
from toolace_mt.generation.draft import Call, Draft, Segment, Turn
from toolace_mt.generation.plan.injections import _optional_filter
from toolace_mt.generation.plan.mistakes import _made_elsewhere

_STRING = {"type": "string"}


@pytest.fixture(scope="module")
def travel_bench():
    """The two travel tools the checks read (a bench's `tools` is all they use)."""
    status = {"type": ["string", "null"], "enum": ["confirmed", "cancelled", "flown", None]}
    cabin = {"type": "string", "enum": ["economy", "business"]}
    tools = [ToolSpec(name="list_bookings", description="A passenger's bookings.", writes=False, parameters={
                 "type": "object", "properties": {"passenger_id": _STRING, "status": status},
                 "required": ["passenger_id"]}),
             ToolSpec(name="book_flight", description="Book a seat.", writes=True, parameters={
                 "type": "object", "properties": {"passenger_id": _STRING, "flight_id": _STRING, "cabin": cabin},
                 "required": ["passenger_id", "flight_id"]})]
    return SimpleNamespace(tools={t.name: t for t in tools})


def _segment(*calls: Call) -> Segment:
    return Segment(goal="", target=calls[-1].name, stated={}, turns=[
        Turn("user", "request"), Turn("assistant", "calls", calls=list(calls)), Turn("assistant", "reply")])


def test_an_optional_enum_of_a_look_up_is_a_filter(travel_bench) -> None:
    segment = _segment(Call("list_bookings", {"passenger_id": "PAX-10001", "status": "flown"}))
    assert _optional_filter(travel_bench, segment, "status", "flown")
    assert not _optional_filter(travel_bench, segment, "passenger_id", "PAX-10001")  # required
    assert not _optional_filter(travel_bench, segment, "status", "confirmed")  # no call uses it



def test_the_second_value_of_a_filter_is_a_filter_too(travel_bench) -> None:
    """Two look-ups side by side (flown, then cancelled): the second's stated key names the tool."""
    segment = _segment(Call("list_bookings", {"passenger_id": "PAX-10001", "status": "flown"}),
                       Call("list_bookings", {"passenger_id": "PAX-10001", "status": "cancelled"}))
    assert _optional_filter(travel_bench, segment, "status for list bookings", "cancelled")
    assert _optional_filter(travel_bench, segment, "other status for list bookings", "cancelled")
    assert not _optional_filter(travel_bench, segment, "passenger_id for list bookings", "PAX-10001")


def test_a_writes_choice_is_worth_asking(travel_bench) -> None:
    segment = _segment(Call("book_flight", {"passenger_id": "PAX-10001", "flight_id": "FL1001",
                                            "cabin": "economy"}))
    assert not _optional_filter(travel_bench, segment, "cabin", "economy")


def test_a_call_the_draft_makes_already_is_found() -> None:
    draft = Draft(system="", segments=[_segment(Call("get_passenger", {"passenger_id": "PAX-10247"}))])
    assert _made_elsewhere(draft, Call("get_passenger", {"passenger_id": "PAX-10247"}))
    assert not _made_elsewhere(draft, Call("get_passenger", {"passenger_id": "PAX-10248"}))
