"""The offline backend's proposals and wording: values a tool needs that no column holds
come from real outputs of the tools that produce them; requests read as a user's."""

from __future__ import annotations

import random

import pytest

from toolace_mt.generation.backends.offline_backend import OfflineBackend
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.plan.value_finder import assisted
from toolace_mt.generation.plan.values import known_values
from toolace_mt.generation.workbench import Workbench


@pytest.fixture(scope="module")
def travel() -> Workbench:
    bench = Workbench("travel", 1)
    yield bench
    bench.close()


def test_a_free_seat_comes_from_the_seat_map_of_the_bookings_flight(travel: Workbench) -> None:
    rng = random.Random(3)
    made = [assisted(travel, travel.tools["change_seat"], rng, 6) for _ in range(6)]
    found = [m for m in made if m is not None]
    assert len(found) >= 3  # the columns alone never give a free seat (bookings hold taken ones)
    for choice, result in found:
        booking = travel.env.call("get_booking", {"booking_id": choice.arguments["booking_id"]}).result
        assert result.ok and result.result["seat"] == choice.arguments["seat"] != booking["seat"]
    assert travel.env.diff().empty  # proposals are trials: nothing stays changed


def test_known_values_match_a_parameter_by_name_plural_and_suffix() -> None:
    known = {"item_id": ["I1", "I2"], "seat": ["4A"], "order_id": ["#W1"]}
    assert known_values("item_ids", known) == ["I1", "I2"]
    assert known_values("new_item_ids", known) == ["I1", "I2"]
    assert known_values("seats", known) == ["4A"]
    assert known_values("order_id", known) == ["#W1"]
    assert known_values("payment_method_id", known) == []


def test_task_phrases_read_as_requests() -> None:
    rng = random.Random(1)
    phrases = {w.task_phrase("find_customer_by_name_zip", rng) for _ in range(30)}
    assert all(p.endswith("my name and zip") for p in phrases)
    assert {p.split()[0] for p in phrases} <= {"find", "locate", "look", "track"}
    assert w.task_phrase("ping", rng) == "ping"
    assert w.listed([("last_name", "Cooley"), ("zip_code", "74091")]) == "last name Cooley and zip code 74091"


def test_requests_state_lookup_values_apart_from_the_targets(travel: Workbench) -> None:
    """A value only a lookup call needs is said as how to find the user."""
    from toolace_mt.generation.draft import Call, Segment, Turn

    backend = OfflineBackend()
    target = Call("change_seat", {"booking_id": "BK-50001", "seat": "14C"})
    lookup = Call("find_passengers", {"last_name": "Okafor"})
    segment = Segment(goal="g", target="change_seat", stated={"last_name": "Okafor", "seat": "14C"},
                      turns=[Turn("user", "request"), Turn("assistant", "calls", calls=[lookup]),
                             Turn("assistant", "calls", calls=[target])])
    texts = [backend.word_request(travel, segment, Turn("user", "request", seed=s)) for s in range(40)]
    for text in texts:
        assert "Okafor" in text and "14C" in text
    framed = [t for t in texts if any(f.split("{")[0] and f.split("{")[0] in t for f in w.LOOKUP_FRAMES)]
    assert len(framed) >= 10
    assert len(set(texts)) == len(texts)  # no two seeds word it the same
