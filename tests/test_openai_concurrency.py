"""The scheduling that keeps model servers busy: the engine gate (few dialogues do engine
work at once; a dialogue waiting for the model holds no slot) and the benches a worker's
threads share their start-up knowledge through (a sibling makes the same dialogues as a
bench of its own)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from fake_openai_server import FakeOpenAIServer

from toolace_mt.generation.backends.offline_backend import OfflineBackend
from toolace_mt.generation.naig import generate_naig
from toolace_mt.generation.settings import Settings
from toolace_mt.generation.workbench import Workbench
from toolace_mt.llm import ChatClient, ModelSettings
from toolace_mt.llm.engine_gate import EngineGate


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the threads"
        time.sleep(0.01)


def test_a_gate_lets_only_its_slots_in() -> None:
    gate = EngineGate(2)
    inside, most, entered, lock = 0, 0, 0, threading.Lock()
    first_two = threading.Barrier(2, timeout=5)  # broken unless two are inside together
    met: list[bool] = []

    def work() -> None:
        nonlocal inside, most, entered
        with gate.held():
            with lock:
                inside += 1
                entered += 1
                most = max(most, inside)
                early = entered <= 2
            if early:
                try:
                    first_two.wait()
                    met.append(True)
                except threading.BrokenBarrierError:
                    met.append(False)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert met == [True, True] and most == 2 and inside == 0 and entered == 6


def test_a_thread_waiting_for_the_model_gives_its_slot_to_another() -> None:
    gate = EngineGate(1)
    waiting, other_ran = threading.Event(), threading.Event()

    def dialogue() -> None:
        with gate.held():
            with gate.released():  # as ChatClient.complete does while its request is in flight
                waiting.set()
                assert other_ran.wait(5)

    def other() -> None:
        assert waiting.wait(5)
        with gate.held():
            other_ran.set()

    threads = [threading.Thread(target=dialogue), threading.Thread(target=other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert other_ran.is_set()


def test_a_dialogue_whose_answer_is_in_goes_before_one_starting() -> None:
    gate = EngineGate(1)
    order: list[str] = []
    holder_in, answer_in, release_holder = threading.Event(), threading.Event(), threading.Event()
    resumer_waiting = threading.Event()

    def holder() -> None:
        with gate.held():
            holder_in.set()
            assert release_holder.wait(5)

    def resumer() -> None:  # holds a slot, waits for the model, then needs its slot again
        with gate.held():
            order.append("resumer started")
            with gate.released():
                assert answer_in.wait(5)
                resumer_waiting.set()
            order.append("resumer resumed")

    def starter() -> None:
        with gate.held():
            order.append("starter started")

    first = threading.Thread(target=resumer)
    first.start()
    wait_until(lambda: "resumer started" in order)  # the resumer is out waiting for its answer
    threads = [threading.Thread(target=holder)]
    threads[0].start()
    assert holder_in.wait(5)
    threads.append(threading.Thread(target=starter))  # queues first...
    threads[1].start()
    wait_until(lambda: len(gate._starting) == 1)  # the queues are the behaviour under test
    answer_in.set()  # ...then the resumer's answer comes in and it queues too
    wait_until(lambda: len(gate._resuming) == 1)
    release_holder.set()
    for thread in [first, *threads]:
        thread.join(10)
    assert order == ["resumer started", "resumer resumed", "starter started"]


def test_releasing_without_a_slot_is_a_no_op_and_a_gate_needs_a_slot() -> None:
    gate = EngineGate(1)
    with gate.released():  # a thread outside any attempt (the CLI's own calls)
        with gate.held():
            pass
    with gate.held():  # the one slot is free again
        pass
    with pytest.raises(ValueError, match="at least one slot"):
        EngineGate(0)


def test_the_client_gives_the_slot_back_while_its_request_is_in_flight() -> None:
    gate = EngineGate(1)
    in_flight, answered = threading.Event(), threading.Event()

    def handler(body: dict[str, Any]) -> dict[str, Any]:
        in_flight.set()
        answered.wait(5)
        return {"content": "ok"}

    settings = ModelSettings(model="fake-model", base_url=None, cache_path=None, timeout=10.0)
    with FakeOpenAIServer(handler) as server:
        settings = settings.model_copy(update={"base_urls": [server.base_url]})
        with ChatClient(settings, gate) as client:
            result: list[str] = []

            def dialogue() -> None:
                with gate.held():
                    result.append(client.complete([{"role": "user", "content": "hi"}], stage="test")
                                  .message["content"])

            thread = threading.Thread(target=dialogue)
            thread.start()
            assert in_flight.wait(5)
            with gate.held():  # free while the request is out: this does not block
                answered.set()
            thread.join(10)
    assert result == ["ok"]


@pytest.mark.parametrize("env", ["retail", "fixtures/envs/ticket.py"])
@pytest.mark.slow  # three benches started: 5-10 s
def test_a_sibling_bench_makes_the_dialogues_its_own_bench_makes(env: str) -> None:
    first = Workbench(env, 3)
    sibling = first.sibling()
    own = Workbench(env, 3)
    try:
        assert sibling.env is not first.env and sibling.values.env is sibling.env
        assert sibling.values.fake is not first.values.fake and sibling.catalog is first.catalog
        made = []
        for bench in (own, sibling, first):
            attempt = generate_naig(bench, OfflineBackend(), Settings(), "3:0", "r-0", 0)
            assert attempt.record is not None
            made.append(attempt.record.model_dump_json())
        assert made[0] == made[1] == made[2]
    finally:
        for bench in (first, sibling, own):
            bench.close()
