"""A real OpenAI-compatible HTTP server on 127.0.0.1 for tests (no network, no mocks).

openai >= 3 talks through httpx2, which respx does not intercept, so the tests run the
client against this server instead. A handler decides each answer:

    def handler(body: dict) -> dict | FakeReply:
        return {"content": "hi"}                                # wrapped into a completion
        return FakeReply(status=429, headers={"retry-after": "0"})  # a fault

    with FakeOpenAIServer(handler) as server:
        client = OpenAI(base_url=server.base_url, api_key="sk-test")
        ...
        assert len(server.requests) == 1 and server.max_in_flight <= 8

Import it as `from fake_openai_server import FakeOpenAIServer, FakeReply` (tests/ is on
sys.path the way `envkit` is). `stop()` takes the server down mid-test (connections are
then refused); `start()` brings it back on the same port.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeReply:
    """A scripted HTTP answer: a fault (status, raw body, headers), or a delayed message.

    `body` is sent as JSON when it is a dict, as raw text when it is a str (malformed JSON);
    with status 200 and `message` set, the message is wrapped like a normal completion."""

    status: int = 200
    body: dict[str, Any] | str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    message: dict[str, Any] | None = None
    usage: dict[str, int] | None = None


Handler = Callable[[dict[str, Any]], "dict[str, Any] | FakeReply"]


def error_body(message: str, type_: str = "invalid_request_error", code: str | None = None) -> dict[str, Any]:
    """An error body shaped like OpenAI's (the client reads `error.message`)."""
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


def _usage(body: dict[str, Any], message: dict[str, Any]) -> dict[str, int]:
    prompt = len(json.dumps(body.get("messages", []))) // 4 + 1
    completion = len(json.dumps(message)) // 4 + 1
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def completion(body: dict[str, Any], message: dict[str, Any], usage: dict[str, int] | None = None,
               finish_reason: str | None = None) -> dict[str, Any]:
    full = {"role": "assistant", "content": None, **message}
    reason = finish_reason or ("tool_calls" if full.get("tool_calls") else "stop")
    return {"id": f"chatcmpl-{time.monotonic_ns()}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "fake-model"),
            "choices": [{"index": 0, "message": full, "finish_reason": reason, "logprobs": None}],
            "usage": usage or _usage(body, full)}


class FakeOpenAIServer:
    """`POST /v1/chat/completions` answered by `handler`; `GET /v1/models` lists `models`.

    A request for a model not in `models` gets OpenAI's 404 (`model_not_found`); when
    `api_key` is set, a request with another bearer token gets a 401."""

    def __init__(self, handler: Handler, models: tuple[str, ...] | None = ("fake-model",),
                 api_key: str | None = None) -> None:
        self.handler = handler
        self.models = models
        self.api_key = api_key
        self._lock = threading.Lock()
        self._requests: list[dict[str, Any]] = []
        self._in_flight = 0
        self.max_in_flight = 0
        self.busy_seconds = 0.0  # summed time spent answering requests (the "model's" time)
        self._idle = 0.0  # wall time with no request in flight, since start()
        self._idle_since = time.monotonic()
        self.port = 0
        self._server: ThreadingHTTPServer | None = None
        self._connections: set[socket.socket] = set()
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------
    def start(self) -> FakeOpenAIServer:
        server = ThreadingHTTPServer(("127.0.0.1", self.port), self._make_handler())
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Down for real: the port refuses connections and open (keep-alive) ones are cut."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:
            connections, self._connections = list(self._connections), set()
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The JSON bodies of the chat completion requests received so far (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self._requests)

    # -- HTTP -----------------------------------------------------------------
    def _enter(self, body: dict[str, Any]) -> float:
        with self._lock:
            self._requests.append(body)
            now = time.monotonic()
            if self._in_flight == 0:
                self._idle += now - self._idle_since
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            return now

    def _leave(self, started: float) -> None:
        with self._lock:
            now = time.monotonic()
            self._in_flight -= 1
            self.busy_seconds += now - started
            if self._in_flight == 0:
                self._idle_since = now

    def idle_seconds(self) -> float:
        """Wall time since start() during which no request was in flight."""
        with self._lock:
            return self._idle + (time.monotonic() - self._idle_since if self._in_flight == 0 else 0.0)

    def reset_counters(self) -> None:
        with self._lock:
            self._requests.clear()
            self.max_in_flight = self._in_flight
            self.busy_seconds = 0.0
            self._idle = 0.0
            self._idle_since = time.monotonic()

    def _make_handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with outer._lock:
                    outer._connections.add(self.connection)

            def finish(self) -> None:
                with outer._lock:
                    outer._connections.discard(self.connection)
                try:
                    super().finish()
                except OSError:
                    pass  # cut by stop()

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _send(self, status: int, payload: dict[str, Any] | str, headers: dict[str, str] | None = None) -> None:
                data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for key, value in (headers or {}).items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (TimeoutError, BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def _authorised(self) -> bool:
                if outer.api_key is None:
                    return True
                if self.headers.get("authorization") == f"Bearer {outer.api_key}":
                    return True
                self._send(401, error_body("Incorrect API key provided.", "invalid_request_error",
                                           "invalid_api_key"))
                return False

            def do_GET(self) -> None:
                if not self._authorised():
                    return
                if self.path.rstrip("/") == "/v1/models":
                    data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in outer.models or ()]
                    self._send(200, {"object": "list", "data": data})
                else:
                    self._send(404, error_body(f"no route {self.path}"))

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, error_body(f"no route {self.path}"))
                    return
                try:
                    body = json.loads(raw)
                except json.JSONDecodeError:
                    self._send(400, error_body("request body is not JSON"))
                    return
                started = outer._enter(body)
                try:
                    if not self._authorised():
                        return
                    if outer.models is not None and body.get("model") not in outer.models:
                        self._send(404, error_body(f"The model `{body.get('model')}` does not exist or you do "
                                                   "not have access to it.", "invalid_request_error",
                                                   "model_not_found"))
                        return
                    try:
                        answer = outer.handler(body)
                    except Exception as exc:  # a bug in a test's handler: answer 500 and say why
                        self._send(500, error_body(f"fake handler failed: {exc!r}", "server_error"))
                        return
                    if isinstance(answer, FakeReply):
                        if answer.delay:
                            time.sleep(answer.delay)
                        if answer.message is not None:
                            self._send(answer.status, completion(body, answer.message, answer.usage), answer.headers)
                        else:
                            self._send(answer.status, answer.body if answer.body is not None else {}, answer.headers)
                    else:
                        self._send(200, completion(body, answer))
                finally:
                    outer._leave(started)

        return RequestHandler
