"""Red team, round 2: a model server's answers are hostile input too.

The OpenAI SDK keeps what it cannot validate as it came, so a completion whose content is
a number or a dict, whose tool_calls is a string, or whose arguments are an object reached
the pipeline (an AttributeError there, or NaN content in a record). A body nested 100,000
deep raised RecursionError out of `complete()`. A server sending one byte at a time never
hit the per-read timeout and held the request forever. Each must be a ModelError with a
clear message, after the configured retries.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest
from fake_openai_server import FakeOpenAIServer, FakeReply

from toolace_mt.llm import ChatClient, ModelError, ModelSettings

HELLO = [{"role": "user", "content": "hello"}]


def _settings(base_url: str, **overrides: Any) -> ModelSettings:
    values: dict[str, Any] = {"model": "fake-model", "base_url": base_url, "cache_path": None, "backoff": 0.01,
                              "max_retries": 1, "timeout": 2.0, **overrides}
    return ModelSettings(**values)


def _call(tool_call: object) -> dict[str, Any]:
    return {"content": None, "tool_calls": tool_call}


@pytest.mark.parametrize(("message", "fragment"), [
    ({"content": {"a": 1}}, "the test answer's content is a dict, not text"),
    ({"content": 5}, "the test answer's content is a int, not text"),
    ({"content": ["x"]}, "the test answer's content is a list, not text"),
    (_call("get_order"), "the test answer's tool_calls is a str, not a list"),
    (_call([{"id": "c1", "type": "function", "function": {"name": "f", "arguments": {"a": 1}}}]),
     "a tool call of the test answer is not {id, function: {name: text, arguments: text}}"),
    (_call([{"id": "c1", "type": "function", "function": {"name": 5, "arguments": "{}"}}]),
     "a tool call of the test answer is not"),
    (_call([{"id": 7, "type": "function", "function": {"name": "f", "arguments": "{}"}}]),
     "a tool call of the test answer is not"),
])
def test_an_answer_of_the_wrong_shape_is_a_model_error(message: dict[str, Any], fragment: str) -> None:
    with FakeOpenAIServer(lambda body: message) as server, ChatClient(_settings(server.base_url)) as client:
        with pytest.raises(ModelError, match="not a chat completion") as caught:
            client.complete(HELLO, stage="test")
        assert server.request_count == 2  # asked again once (max_retries=1), then given up
    assert f"(wrong shape: {fragment}" in str(caught.value)


@pytest.mark.parametrize(("body", "fragment"), [
    ('{"choices": [{"index": 0, "message": {"role": "assistant", "content": NaN}}]}', "content is a float"),
    ('{"choices": "all of them"}', "no choices in the test completion"),
    ('{"choices": [{"index": 0, "message": "hi"}]}', "not a chat completion"),
])
def test_a_completion_json_does_not_describe_is_a_model_error(body: str, fragment: str) -> None:
    with FakeOpenAIServer(lambda request: FakeReply(status=200, body=body)) as server, \
            ChatClient(_settings(server.base_url)) as client:
        with pytest.raises(ModelError) as caught:
            client.complete(HELLO, stage="test")
    assert fragment in str(caught.value)


def test_a_body_nested_too_deep_to_parse_is_a_model_error() -> None:
    body = '{"choices": [{"index": 0, "message": {"role": "assistant", "content": ' + "[" * 100_000 + \
        "]" * 100_000 + "}}]}"
    with FakeOpenAIServer(lambda request: FakeReply(status=200, body=body)) as server, \
            ChatClient(_settings(server.base_url)) as client:
        with pytest.raises(ModelError, match=r"malformed JSON: maximum recursion depth"):
            client.complete(HELLO, stage="test")
        assert server.request_count == 2


class _Trickle:
    """An HTTP server that answers 200, then sends its body one byte every 0.2 s, forever
    (until closed): no single read ever waits long enough for a read timeout."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.closed = threading.Event()
        self.requests = 0
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"

    def _serve(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        self.requests += 1
        try:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000000\r\n\r\n")
            while not self.closed.is_set():
                conn.sendall(b" ")
                time.sleep(0.2)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.closed.set()
        self.sock.close()


@pytest.mark.slow
def test_a_server_that_trickles_its_answer_runs_into_the_answer_deadline() -> None:
    server = _Trickle()
    try:
        with ChatClient(_settings(server.base_url, timeout=1.0, max_retries=0)) as client:
            with pytest.raises(ModelError, match=r"did not answer within 1 s, 1 times"):
                client.complete(HELLO, stage="test")
    finally:
        server.close()
    assert server.requests == 1


def test_a_plain_answer_still_passes() -> None:
    with FakeOpenAIServer(lambda body: {"content": "hi"}) as server, ChatClient(_settings(server.base_url)) as client:
        assert client.complete(HELLO, stage="test").message == {"role": "assistant", "content": "hi"}
