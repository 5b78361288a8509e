"""ChatClient against a real HTTP server on 127.0.0.1: answers and usage, retries on 429,
5xx and timeouts (retry-after honoured), the concurrency bound, the response cache, the
response-format fallback, and each fault as one clear error."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fake_openai_server import FakeOpenAIServer, FakeReply, error_body
from pydantic import BaseModel

from toolace_mt.generation.backends.interface import CostMeter
from toolace_mt.llm import AnswerError, ChatClient, ModelError, ModelSettings
from toolace_mt.llm.structured import Unusable, ask, first_json_object

SCHEMA_FORMAT = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}}
HELLO = [{"role": "user", "content": "hello"}]


def settings(server: FakeOpenAIServer, **overrides: Any) -> ModelSettings:
    values: dict[str, Any] = {"model": "fake-model", "base_url": server.base_url, "cache_path": None,
                              "backoff": 0.01, "max_retries": 2, "timeout": 5.0, **overrides}
    return ModelSettings(**values)


def test_answer_carries_message_and_usage() -> None:
    def handler(body: dict[str, Any]) -> dict[str, Any]:
        return {"content": "hi", "tool_calls": [{"id": "c1", "type": "function",
                                                 "function": {"name": "get_order", "arguments": "{}"}}]}

    with FakeOpenAIServer(handler) as server, ChatClient(settings(server)) as client:
        answer = client.complete(HELLO, tools=[{"type": "function", "function": {"name": "get_order"}}],
                                 stage="test", seed=5)
        body = server.requests[0]
    assert answer.message["content"] == "hi"
    assert answer.message["tool_calls"][0]["function"] == {"name": "get_order", "arguments": "{}"}
    assert answer.tokens_in > 0 and answer.tokens_out > 0 and not answer.cached
    assert body["model"] == "fake-model" and body["messages"] == HELLO and body["seed"] == 5
    assert body["tools"][0]["function"]["name"] == "get_order"
    assert client.usage.tokens_in == answer.tokens_in and client.usage.requests == 1


def test_429_then_success_honours_retry_after() -> None:
    def handler(body: dict[str, Any]) -> dict[str, Any] | FakeReply:
        if server.request_count == 1:
            return FakeReply(status=429, body=error_body("slow down", "rate_limit_error"),
                             headers={"retry-after": "0.3"})
        return {"content": "ok"}

    with FakeOpenAIServer(handler) as server, ChatClient(settings(server)) as client:
        start = time.monotonic()
        answer = client.complete(HELLO, stage="test")
        waited = time.monotonic() - start
    assert answer.message["content"] == "ok"
    assert server.request_count == 2 and client.usage.retries == 1
    assert waited >= 0.3  # the server's retry-after, not the 0.01 s backoff


def test_5xx_retried_then_fatal_with_one_line() -> None:
    overloaded = FakeReply(status=503, body=error_body("overloaded", "server_error"))
    with FakeOpenAIServer(lambda body: overloaded) as server, \
            ChatClient(settings(server, max_retries=3)) as client:
        with pytest.raises(ModelError) as caught:
            client.complete(HELLO, stage="test")
    assert server.request_count == 4
    assert "kept failing (503: overloaded) after 3 retries" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_timeout_is_retried_and_then_reported() -> None:
    def handler(body: dict[str, Any]) -> FakeReply:
        return FakeReply(delay=0.6 if server.request_count == 1 else 0.0, message={"content": "late but fine"})

    with FakeOpenAIServer(handler) as server, ChatClient(settings(server, timeout=0.3)) as client:
        assert client.complete(HELLO, stage="test").message["content"] == "late but fine"
        assert server.request_count == 2

    with FakeOpenAIServer(lambda body: FakeReply(delay=0.6, message={"content": "x"})) as server, \
            ChatClient(settings(server, timeout=0.2, max_retries=1)) as client:
        with pytest.raises(ModelError, match=r"did not answer within 0.2 s, 2 times"):
            client.complete(HELLO, stage="test")


def test_concurrency_never_exceeds_the_limit() -> None:
    with FakeOpenAIServer(lambda body: FakeReply(delay=0.15, message={"content": "ok"})) as server, \
            ChatClient(settings(server, concurrency=3)) as client:
        threads = [threading.Thread(target=client.complete, args=([{"role": "user", "content": str(i)}],),
                                    kwargs={"stage": "test"}) for i in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert server.request_count == 12
    assert server.max_in_flight == 3


def test_cache_serves_a_repeated_request_without_asking(tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite"
    with FakeOpenAIServer(lambda body: {"content": f"answer {server.request_count}"}) as server:
        with ChatClient(settings(server, cache_path=cache)) as client:
            first = client.complete(HELLO, stage="test", seed=1)
            other = client.complete(HELLO, stage="test", seed=2)  # another parameter: another key
        with ChatClient(settings(server, cache_path=cache)) as client:
            again = client.complete(HELLO, stage="test", seed=1)
            assert client.usage.requests == 0 and client.usage.cached == 1
        with ChatClient(settings(server, cache_path=None)) as client:  # --no-cache
            fresh = client.complete(HELLO, stage="test", seed=1)
    assert first.message["content"] == "answer 1" and other.message["content"] == "answer 2"
    assert again.cached and again.message == first.message and again.tokens_in == first.tokens_in
    assert fresh.message["content"] == "answer 3" and server.request_count == 3


def test_rejected_json_schema_falls_back_to_json_mode_then_plain() -> None:
    def handler(body: dict[str, Any]) -> dict[str, Any] | FakeReply:
        if "response_format" in body:
            kind = body["response_format"]["type"]
            return FakeReply(status=400, body=error_body(f"response_format type {kind} is not supported"))
        return {"content": '{"a": 1}'}

    with FakeOpenAIServer(handler) as server, ChatClient(settings(server)) as client:
        answer = client.complete(HELLO, response_format=SCHEMA_FORMAT, stage="test")
        assert client.format_level == "none"
        client.complete(HELLO, response_format=SCHEMA_FORMAT, stage="test")
    formats = [b.get("response_format", {}).get("type") for b in server.requests]
    assert formats == ["json_schema", "json_object", None, None]
    assert answer.message["content"] == '{"a": 1}'


def test_faults_each_give_one_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_KEY", "sk-wrong")
    with FakeOpenAIServer(lambda body: {"content": "x"}, api_key="sk-right") as server, \
            ChatClient(settings(server, api_key_env="MY_KEY")) as client:
        with pytest.raises(ModelError, match=r"refused the API key \(401: Incorrect API key provided.\); set MY_KEY"):
            client.complete(HELLO, stage="test")

    with FakeOpenAIServer(lambda body: {"content": "x"}, models=("llama-3.1-8b", "qwen2.5")) as server, \
            ChatClient(settings(server, model="gpt-4o")) as client:
        with pytest.raises(ModelError, match=r"model 'gpt-4o' not found at .*\(the server has: llama-3.1-8b, qwen2.5"):
            client.complete(HELLO, stage="test")

    with FakeOpenAIServer(lambda body: FakeReply(status=200, body="{not json")) as server, \
            ChatClient(settings(server, max_retries=1)) as client:
        with pytest.raises(ModelError, match=r"not a chat completion \(malformed JSON"):
            client.complete(HELLO, stage="test")
        assert server.request_count == 2

    too_long = error_body("This model's maximum context length is 8192 tokens, you requested 9000")
    with FakeOpenAIServer(lambda body: FakeReply(status=400, body=too_long)) as server, \
            ChatClient(settings(server)) as client:
        with pytest.raises(AnswerError, match=r"skeleton: the prompt is longer than the model's context"):
            client.complete(HELLO, stage="skeleton")  # only this dialogue fails

    server = FakeOpenAIServer(lambda body: {"content": "x"}).start()
    server.stop()  # nothing listens on the port any more
    with ChatClient(settings(server, max_retries=1)) as client:
        with pytest.raises(ModelError, match=r"cannot reach the model server at http://127.0.0.1:\d+/v1 .*running"):
            client.complete(HELLO, stage="test")


def test_openai_endpoint_without_a_key_is_refused_before_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    with pytest.raises(ModelError, match="no API key: set NO_SUCH_KEY_VAR"):
        ChatClient(ModelSettings(model="gpt-4o", api_key_env="NO_SUCH_KEY_VAR", cache_path=None))


class Pair(BaseModel):
    a: int
    b: str


def test_structured_answer_read_tolerantly_from_prose_and_fences() -> None:
    assert first_json_object('Sure! ```json\n{"a": 1, "b": "x"}\n``` hope it helps {"a": 2}') == {"a": 1, "b": "x"}
    assert first_json_object('{broken {"a": 3, "b": "{"}') == {"a": 3, "b": "{"}
    with pytest.raises(ValueError, match="the answer is empty"):
        first_json_object("  ")


def test_empty_and_invalid_answers_are_re_asked_then_fail_the_dialogue() -> None:
    answers = iter([{"content": ""}, {"content": '{"a": "one", "b": "x"}'}, {"content": 'ok: {"a": 1, "b": "x"}'}])
    with FakeOpenAIServer(lambda body: next(answers)) as server, ChatClient(settings(server)) as client:
        cost = CostMeter()
        pair = ask(client, "# task: test", {"q": 1}, Pair, stage="plan", cost=cost, seed=3, max_reasks=2)
        bodies = server.requests
    assert pair == Pair(a=1, b="x")
    assert bodies[0]["response_format"]["json_schema"]["schema"]["required"] == ["a", "b"]
    assert bodies[1]["messages"][-1]["content"].startswith("Your answer is not valid: the answer is empty.")
    assert "a: Input should be a valid integer" in bodies[2]["messages"][-1]["content"]
    assert cost.calls == {"plan": 3} and cost.tokens_in > 0

    with FakeOpenAIServer(lambda body: {"content": ""}) as server, ChatClient(settings(server)) as client:
        with pytest.raises(AnswerError, match=r"^plan: the model's answer is still invalid after 1 re-asks: "
                                              r"the answer is empty$"):
            ask(client, "# task: test", "q", Pair, stage="plan", cost=CostMeter(), seed=3, max_reasks=1)
        assert server.request_count == 2


def test_a_check_failing_is_fed_back_then_gives_up() -> None:
    with FakeOpenAIServer(lambda body: {"content": '{"a": 1, "b": "x"}'}) as server, \
            ChatClient(settings(server)) as client:
        with pytest.raises(Unusable, match=r"^skeleton: a must be 2$"):
            ask(client, "# task: test", "q", Pair, stage="skeleton", cost=CostMeter(), seed=3, max_reasks=2,
                check=lambda pair: None if pair.a == 2 else "a must be 2", max_repairs=1)
        assert server.request_count == 2
        assert server.requests[1]["messages"][-1]["content"] == \
            "a must be 2\nReturn the whole JSON object again, corrected."


def _open_at_once(path: Path, workers: int) -> tuple[list[Any], list[BaseException]]:
    from toolace_mt.llm.cache import ResponseCache

    start = threading.Barrier(workers)
    opened: list[ResponseCache] = []
    errors: list[BaseException] = []

    def open_cache() -> None:
        start.wait()
        try:
            opened.append(ResponseCache(path))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_cache) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return opened, errors


def test_workers_opening_a_new_cache_file_at_once_all_get_it(tmp_path: Path) -> None:
    """Concurrent workers race to switch a new cache file to WAL; the losers used to fail
    with "database is locked" (seen as a dead generate worker)."""
    for trial in range(30):
        opened, errors = _open_at_once(tmp_path / f"cache{trial}.sqlite", 6)
        assert errors == [] and len(opened) == 6
        opened[0].put("k", "m", {"role": "assistant", "content": "hi"}, 3, 1)
        assert opened[-1].get("k") == ({"role": "assistant", "content": "hi"}, 3, 1)
        for cache in opened:
            cache.close()


@pytest.mark.parametrize("judge_temperature, expected", [(0.0, 0.0), (0.2, 0.2), (None, None)])
def test_judging_stages_sample_at_the_judge_temperature(judge_temperature: float | None,
                                                       expected: float | None) -> None:
    """Keep/revert and the verifier's sub-questions are judgements: asked again, they should
    say the same, so they get their own temperature; the generating stages keep theirs."""
    def handler(body: dict[str, Any]) -> dict[str, Any]:
        return {"content": "ok"}

    with FakeOpenAIServer(handler) as server, \
            ChatClient(settings(server, temperature=0.9, judge_temperature=judge_temperature)) as client:
        for stage in ("skeleton", "judge", "verify", "refine"):
            client.complete([{"role": "user", "content": stage}], stage=stage)
        sent = {b["messages"][0]["content"]: b.get("temperature") for b in server.requests}
    assert sent == {"skeleton": 0.9, "refine": 0.9, "judge": expected, "verify": expected}
