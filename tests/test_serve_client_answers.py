"""The client reads a completion as plain JSON (not the SDK's typed objects): what it
takes from an answer, and what it makes of fields that are not what they should be."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fake_openai_server import FakeOpenAIServer, FakeReply

from toolace_mt.llm import ChatClient, ModelSettings

HELLO = [{"role": "user", "content": "hello"}]


def _complete(body: dict[str, Any]) -> Any:
    settings = ModelSettings(model="fake-model", base_url=None, cache_path=None, timeout=5.0, max_retries=0)
    with FakeOpenAIServer(lambda request: FakeReply(status=200, body=json.dumps(body))) as server:
        settings = settings.model_copy(update={"base_urls": [server.base_url]})
        with ChatClient(settings) as client:
            return client.complete(HELLO, stage="test"), client.usage


def test_the_message_tool_calls_usage_and_finish_reason_are_read() -> None:
    body = {"choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
        "role": "assistant", "content": None, "refusal": None,
        "tool_calls": [{"id": None, "type": "function", "function": {"name": "get_order", "arguments": None}},
                       {"id": "c2", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}]}}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 5}}
    answer, usage = _complete(body)
    assert answer.message == {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "get_order", "arguments": "{}"}},
        {"id": "c2", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}]}
    assert (answer.tokens_in, answer.tokens_out, answer.finish_reason) == (12, 5, "tool_calls")
    assert (usage.tokens_in, usage.tokens_out, usage.answers) == (12, 5, 1)


@pytest.mark.parametrize("usage", [None, "lots", {"prompt_tokens": "12", "completion_tokens": [5]},
                                   {"prompt_tokens": -3, "completion_tokens": True},
                                   {"prompt_tokens": 1e400, "completion_tokens": float("nan")}])
def test_token_counts_that_are_not_counts_read_as_zero(usage: Any) -> None:
    body = {"choices": [{"index": 0, "finish_reason": 7, "message": {"role": "assistant", "content": "hi"}}],
            "usage": usage}
    answer, _ = _complete(body)
    assert answer.message == {"role": "assistant", "content": "hi"}
    assert (answer.tokens_in, answer.tokens_out, answer.finish_reason) == (0, 0, None)
