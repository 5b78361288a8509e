"""The scheduling that keeps model servers busy: the engine gate (few dialogues do engine
work at once; a dialogue waiting for the model holds no slot) and the benches a worker's
threads share their start-up knowledge through (a sibling makes the same dialogues as a
bench of its own)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fake_openai_server import FakeOpenAIServer

from toolace_mt.generation.backends.offline_backend import OfflineBackend
from toolace_mt.generation.naig import generate_naig
from toolace_mt.generation.settings import Settings
from toolace_mt.generation.workbench import Workbench
from toolace_mt.llm import ChatClient, ModelSettings
from toolace_mt.llm.engine_gate import EngineGate


def test_a_gate_lets_only_its_slots_in() -> None:
    gate = EngineGate(2)
    inside, most, lock = 0, 0, threading.Lock()
    entered, go = threading.Barrier(2), threading.Event()

    def work() -> None:
        nonlocal inside, most
        with gate.held():
            with lock:
                inside += 1
                most = max(most, inside)
            if most == 2 and not go.is_set():
                try:
                    entered.wait(timeout=5)  # the first two meet inside
                except threading.BrokenBarrierError:
                    pass
                go.set()
            go.wait(5)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert most == 2 and inside == 0


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
