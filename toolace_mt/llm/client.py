"""A synchronous, thread-safe chat client over the run's model servers.

The pipeline is synchronous and runs several attempts in threads; each `complete()` call
is handed to one event loop running in its own thread, where a semaphore bounds the
requests in flight (`concurrency`, over all servers) and a ServerPool sends each to the
least-loaded server, taking failing ones out of rotation. Retries are ours (the SDK's are
off) so that 429, 5xx, timeouts and refused connections back off the same way and honour
`retry-after`; a request a failing server could not answer goes to another server at once
when one is up. Everything else that cannot be fixed by asking again becomes a one-line
`ModelError`.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from toolace_mt.llm.cache import ResponseCache, cache_key
from toolace_mt.llm.engine_gate import EngineGate
from toolace_mt.llm.errors import AnswerError, ModelError
from toolace_mt.llm.servers import Server, ServerPool
from toolace_mt.llm.settings import ModelSettings

if TYPE_CHECKING:  # the SDK is imported by the first request (~1 s: every command and worker process paid it)
    import openai

_CONTEXT_WORDS = ("context length", "context_length", "maximum context", "too many tokens", "context window",
                  "prompt is too long", "exceeds the context")
# What the SDK's create() sets on a completion request (auth header, no stream).
_REQUEST_OPTIONS: dict[str, Any] = {"security": {"bearer_auth": True}}
# Response formats from strongest to weakest; a server that rejects one gets the next.
FORMAT_LEVELS = ("json_schema", "json_object", "none")
ANSWER_GRACE_S = 5.0  # beyond --timeout, for the whole answer to arrive


class ChatAnswer(BaseModel):
    message: dict[str, Any]  # the assistant message: role, content, tool_calls
    tokens_in: int = 0
    tokens_out: int = 0
    cached: bool = False
    finish_reason: str | None = None


class Usage(BaseModel):
    """What the server was really asked (cache hits cost nothing)."""

    requests: int = 0  # HTTP requests sent, retries included
    answers: int = 0  # completions received from the server
    cached: int = 0  # answers served from the cache
    retries: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    model_seconds: float = 0.0  # wall time spent waiting for the server (summed over requests)


class ChatClient:
    def __init__(self, settings: ModelSettings, gate: EngineGate | None = None) -> None:
        self.settings = settings
        self.gate = gate  # a calling thread's engine slot is given back while it waits (see EngineGate)
        key = os.environ.get(settings.api_key_env)
        if not key and settings.base_url is None:
            raise ModelError(f"no API key: set {settings.api_key_env} (or --api-key-env VAR), or point --base-url "
                             "at your own server")
        self._api_key = key or "not-needed"  # local servers (vLLM, Ollama, llama.cpp) accept any key
        self.cache = ResponseCache(settings.cache_path) if settings.cache_path is not None else None
        self._lock = threading.Lock()
        self._usage = Usage()
        self._format_level = 0  # index into FORMAT_LEVELS; lowered when the server rejects a format
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="chat-client", daemon=True)
        self._thread.start()
        self._pool: ServerPool | None = None
        self._semaphore: asyncio.Semaphore | None = None
        self._closed = False
        self._cancelled = False

    # -- public ---------------------------------------------------------------
    def complete(self, messages: list[dict[str, Any]], *, tools: list[dict[str, Any]] | None = None,
                 response_format: dict[str, Any] | None = None, stage: str,
                 seed: int | None = None) -> ChatAnswer:
        """One chat completion (from the cache when it has it). `response_format` is a
        json_schema format; a server that rejects it is asked in JSON mode, then plain."""
        if self._closed or self._cancelled:
            raise ModelError("the chat client is closed")
        future: Future[ChatAnswer] = asyncio.run_coroutine_threadsafe(
            self._complete(messages, tools, response_format, stage, seed), self._loop)
        if self.gate is None:
            return future.result()
        with self.gate.released():
            return future.result()

    @property
    def usage(self) -> Usage:
        with self._lock:
            return self._usage.model_copy()

    @property
    def format_level(self) -> str:
        return FORMAT_LEVELS[self._format_level]

    def cancel(self) -> None:
        """Refuse new requests (the run is over: attempts still in flight stop at their next request)."""
        self._cancelled = True

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._pool is not None:
            asyncio.run_coroutine_threadsafe(self._pool.close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
        if self.cache is not None:
            self.cache.close()

    def __enter__(self) -> ChatClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- inside the loop ------------------------------------------------------
    def _ensure_pool(self) -> tuple[ServerPool, asyncio.Semaphore]:
        if self._pool is None or self._semaphore is None:
            import httpx2
            import openai

            settings = self.settings
            # One connection per request in flight: httpx's default pool (100) would queue the rest.
            limits = httpx2.Limits(max_connections=max(1000, settings.concurrency),
                                   max_keepalive_connections=settings.concurrency)
            servers = [Server(url, openai.AsyncOpenAI(api_key=self._api_key, base_url=url, timeout=settings.timeout,
                                                      max_retries=0,
                                                      http_client=openai.DefaultAsyncHttpxClient(limits=limits)))
                       for url in (settings.base_urls or [None])]
            self._pool = ServerPool(servers, backoff=settings.backoff, max_backoff=settings.max_backoff)
            self._semaphore = asyncio.Semaphore(settings.concurrency)
        return self._pool, self._semaphore

    @property
    def answered_by_server(self) -> dict[str, int]:
        """Completions each server gave so far (the summary's spread over servers)."""
        pool = self._pool
        return {} if pool is None else {s.where: s.answered for s in pool.servers}

    def _count(self, **deltas: float) -> None:
        with self._lock:
            for name, value in deltas.items():
                setattr(self._usage, name, getattr(self._usage, name) + value)

    def _request(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None,
                 response_format: dict[str, Any] | None, seed: int | None, stage: str) -> dict[str, Any]:
        request: dict[str, Any] = {"model": self.settings.model, "messages": messages}
        temperature = self.settings.temperature_for(stage)
        if temperature is not None:
            request["temperature"] = temperature
        if seed is not None:
            request["seed"] = seed
        if tools:
            request["tools"] = tools
        level = FORMAT_LEVELS[self._format_level]
        if response_format is not None and level == "json_schema":
            request["response_format"] = response_format
        elif response_format is not None and level == "json_object":
            request["response_format"] = {"type": "json_object"}
        return request

    async def _complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None,
                        response_format: dict[str, Any] | None, stage: str, seed: int | None) -> ChatAnswer:
        while True:
            request = self._request(messages, tools, response_format, seed, stage)
            key = cache_key(request) if self.cache is not None else ""  # hashing the request is not free
            if self.cache is not None:
                hit = self.cache.get(key)
                if hit is not None:
                    self._count(cached=1)
                    message, tokens_in, tokens_out = hit
                    return ChatAnswer(message=message, tokens_in=tokens_in, tokens_out=tokens_out, cached=True,
                                      finish_reason=message.pop("_finish_reason", None))
            try:
                answer = await self._send(request, stage)
            except _Rejected as rejected:
                exc, where = rejected.error, rejected.where
                text = _error_text(exc)
                if "response_format" in request and _about_format(text) and \
                        self._format_level < len(FORMAT_LEVELS) - 1:
                    with self._lock:
                        self._format_level = max(self._format_level, FORMAT_LEVELS.index(
                            "json_object" if request["response_format"].get("type") == "json_schema" else "none"))
                    continue
                if any(word in text.lower() for word in _CONTEXT_WORDS):
                    raise AnswerError(f"{stage}: the prompt is longer than the model's context ({text})") from None
                raise ModelError(f"the server at {where} rejected a {stage} request (400): {text}") from None
            if self.cache is not None:
                stored = {**answer.message, "_finish_reason": answer.finish_reason}
                self.cache.put(key, self.settings.model, stored, answer.tokens_in, answer.tokens_out)
            return answer

    async def _send(self, request: dict[str, Any], stage: str) -> ChatAnswer:
        import openai

        pool, semaphore = self._ensure_pool()
        settings = self.settings
        attempt = 0  # retries that count against max_retries (a failover to a server that is up does not)
        failovers = 0
        while True:
            last = attempt == settings.max_retries
            delay: float | None = None
            failed_over = False
            async with semaphore:
                server = pool.pick(self._loop.time())
                where = server.where
                try:
                    answer = await self._send_to(server, request, stage)
                    pool.succeeded(server)
                    return answer
                except openai.AuthenticationError as exc:
                    raise ModelError(f"the server at {where} refused the API key (401: {_error_text(exc)}); "
                                     f"set {settings.api_key_env} or pass --api-key-env VAR") from None
                except openai.PermissionDeniedError as exc:
                    raise ModelError(f"the server at {where} denied access (403): {_error_text(exc)}") from None
                except openai.NotFoundError as exc:
                    available = await self._models(server.client)
                    hint = f" (the server has: {', '.join(available)})" if available else ""
                    raise ModelError(f"model '{settings.model}' not found at {where}{hint}: "
                                     f"{_error_text(exc)}") from None
                except openai.RateLimitError as exc:
                    if last:
                        raise ModelError(f"the server at {where} kept answering 429 (rate limited) after "
                                         f"{settings.max_retries} retries: {_error_text(exc)}") from None
                    delay = _retry_after(exc)
                except (openai.APITimeoutError, asyncio.TimeoutError):  # the latter: the whole-answer deadline
                    pool.failed(server, self._loop.time())
                    failed_over = self._can_fail_over(pool, failovers)
                    if last and not failed_over:
                        raise ModelError(f"the server at {where} did not answer within {settings.timeout:g} s, "
                                         f"{settings.max_retries + 1} times (raise --timeout?)") from None
                except openai.APIConnectionError as exc:
                    pool.failed(server, self._loop.time())
                    failed_over = self._can_fail_over(pool, failovers)
                    if last and not failed_over:
                        cause = exc.__cause__ or exc.__context__ or exc
                        raise ModelError(f"cannot reach the model server at {where} "
                                         f"({type(cause).__name__}: {cause}); is it running?") from None
                except openai.APIStatusError as exc:
                    if exc.status_code in (400, 422):
                        raise _Rejected(exc, where) from None  # the caller decides (format, context, fatal)
                    if exc.status_code < 500:
                        raise ModelError(f"the server at {where} answered {exc.status_code}: "
                                         f"{_error_text(exc)}") from None
                    pool.failed(server, self._loop.time())
                    failed_over = self._can_fail_over(pool, failovers)
                    if last and not failed_over:
                        raise ModelError(f"the server at {where} kept failing ({exc.status_code}: "
                                         f"{_error_text(exc)}) after {settings.max_retries} retries") from None
                    delay = _retry_after(exc)
                except (openai.APIResponseValidationError, json.JSONDecodeError, ValueError, RecursionError) as exc:
                    if last:
                        what = "wrong shape" if isinstance(exc, _ShapeError) else "malformed JSON"
                        raise ModelError(f"the server at {where} answered with something that is not a chat "
                                         f"completion ({what}: {str(exc)[:120]})") from None
            self._count(retries=1)
            if failed_over:
                failovers += 1  # another server is up: ask it now, this one is out of rotation
                continue
            attempt += 1
            if delay is None:
                delay = min(settings.max_backoff, settings.backoff * 2 ** (attempt - 1)) * (0.5 + random.random() / 2)
                delay = max(delay, pool.wait_for_any(self._loop.time())) if len(pool.servers) > 1 else delay
            await asyncio.sleep(min(delay, settings.max_backoff))

    def _can_fail_over(self, pool: ServerPool, failovers: int) -> bool:
        """Another server is up and this request has not yet tried every server at once."""
        return failovers < len(pool.servers) - 1 and pool.up_count(self._loop.time()) > 0

    async def _send_to(self, server: Server, request: dict[str, Any], stage: str) -> ChatAnswer:
        import httpx2

        self._count(requests=1)
        server.in_flight += 1
        started = self._loop.time()
        try:
            # The SDK's create() first walks the whole request to transform its typed
            # params (a fifth of the client's CPU with long conversations); ours is plain
            # JSON already, so it is posted as it is, through the same request machinery.
            # The client's timeout bounds each read, not the answer: a server sending a byte
            # a second never ends. The whole answer gets the same time, then a little.
            # The answer is read as plain JSON here, not built into the SDK's typed objects
            # (a tenth of the client's CPU per request): only the fields below are read.
            response = await asyncio.wait_for(
                server.client.post("/chat/completions", body=request, cast_to=httpx2.Response,
                                   options=_REQUEST_OPTIONS | {"timeout": self.settings.timeout}),
                self.settings.timeout + ANSWER_GRACE_S)
        finally:
            server.in_flight -= 1
            self._count(model_seconds=self._loop.time() - started)
        return self._answer(json.loads(response.content), stage)

    def _answer(self, response: Any, stage: str) -> ChatAnswer:
        choices = response.get("choices") if isinstance(response, dict) else None
        if not isinstance(choices, list) or not choices:
            raise _ShapeError(f"no choices in the {stage} completion")
        choice = choices[0]
        message = choice.get("message") if isinstance(choice, dict) else None
        if not isinstance(message, dict):
            raise _ShapeError(f"the {stage} completion's choice has no message object")
        raw = _without_nulls(message)
        _check_message(raw, stage)
        message: dict[str, Any] = {"role": "assistant", "content": raw.get("content")}
        if raw.get("tool_calls"):
            message["tool_calls"] = [
                {"id": call.get("id") or f"call_{i}", "type": "function",
                 "function": {"name": call.get("function", {}).get("name", ""),
                              "arguments": call.get("function", {}).get("arguments") or "{}"}}
                for i, call in enumerate(raw["tool_calls"], 1)]
        usage = response.get("usage")
        tokens_in, tokens_out = (_count_of(usage, "prompt_tokens"), _count_of(usage, "completion_tokens"))
        self._count(answers=1, tokens_in=tokens_in, tokens_out=tokens_out)
        finish = choice.get("finish_reason")
        return ChatAnswer(message=message, tokens_in=tokens_in, tokens_out=tokens_out, cached=False,
                          finish_reason=finish if isinstance(finish, str) else None)

    async def _models(self, client: openai.AsyncOpenAI) -> list[str]:
        import openai

        try:
            page = await client.models.list(timeout=min(self.settings.timeout, 10))
            return sorted(m.id for m in page.data)[:10]
        except (openai.OpenAIError, ValueError):
            return []


class _ShapeError(ValueError):
    """A completion that parsed but does not hold what a chat completion holds."""


def _without_nulls(value: Any) -> Any:
    """The JSON value without its null members (as the SDK's model_dump(exclude_none) gave)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _count_of(usage: Any, name: str) -> int:
    """A token count of the answer's usage; 0 when it is missing or not a count."""
    value = usage.get(name) if isinstance(usage, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 2**53:
        return 0  # NaN, Infinity and negatives too
    return int(value)


def _check_message(raw: dict[str, Any], stage: str) -> None:
    """The answer's message in the types the pipeline reads (the SDK keeps what it cannot
    validate as it came: a number as content, a string as tool_calls); _ShapeError, which
    the caller retries and then reports as a ModelError, when it is not."""
    content = raw.get("content")
    if content is not None and not isinstance(content, str):
        raise _ShapeError(f"the {stage} answer's content is a {type(content).__name__}, not text")
    calls = raw.get("tool_calls")
    if calls is None:
        return
    if not isinstance(calls, list):
        raise _ShapeError(f"the {stage} answer's tool_calls is a {type(calls).__name__}, not a list")
    for call in calls:
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name", ""), str) or \
                not isinstance(function.get("arguments") or "", str) or not isinstance(call.get("id") or "", str):
            raise _ShapeError(f"a tool call of the {stage} answer is not {{id, function: {{name: text, arguments: "
                             "text}}}}")


class _Rejected(Exception):
    """A 400/422 from `where`: a rejected response format, a prompt too long, or fatal."""

    def __init__(self, error: openai.APIStatusError, where: str) -> None:
        super().__init__(str(error))
        self.error = error
        self.where = where


def _error_text(exc: openai.APIError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return " ".join(str(inner["message"]).split())
        if isinstance(inner, str):
            return inner
    return " ".join(str(exc.message).split())[:300]


def _about_format(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in ("response_format", "json_schema", "json_object", "response format"))


def _retry_after(exc: openai.APIStatusError) -> float | None:
    headers = exc.response.headers
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) * scale)
        except ValueError:
            continue
    return None
