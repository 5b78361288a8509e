"""Structured answers: a pydantic model per task, asked as a JSON-schema response format
(the client falls back to JSON mode, then plain text, when a server rejects it), read
tolerantly (the first JSON object in the text), validated, and re-asked with the error
when invalid. A `check` can add the task's own conditions (a call that really failed,
a value the request does not state): its problems are fed back the same way."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from toolace_mt.generation.backends.interface import CostMeter, Stage
from toolace_mt.llm.client import ChatAnswer, ChatClient
from toolace_mt.llm.errors import AnswerError

T = TypeVar("T", bound=BaseModel)


class Unusable(AnswerError):
    """The answers were well-formed but never passed the task's own check."""


def first_json_object(text: str) -> Any:
    """The first JSON object in `text` (code fences and prose around it are skipped)."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            value, _ = decoder.raw_decode(text, start)
            if isinstance(value, dict):
                return value
        except json.JSONDecodeError:
            pass
        start = text.find("{", start + 1)
    raise ValueError("no JSON object in the answer" if text.strip() else "the answer is empty")


@functools.cache
def response_format(model: type[BaseModel]) -> dict[str, Any]:
    """Built once per answer model (pydantic's schema generation cost ~4 ms a request); read-only."""
    return {"type": "json_schema", "json_schema": {"name": model.__name__, "schema": model.model_json_schema()}}


def record_cost(cost: CostMeter, stage: Stage, messages: list[dict[str, Any]], answer: ChatAnswer) -> None:
    """Provenance counts every answer the dialogue needed, cached or not (a rerun from the
    cache writes the same record); what was really paid is in the client's usage."""
    cost.add(stage, len(json.dumps(messages, ensure_ascii=False)), len(json.dumps(answer.message, ensure_ascii=False)),
             answer.tokens_in, answer.tokens_out, cached=answer.cached)


def ask(client: ChatClient, system: str, context: Any, model: type[T], *, stage: Stage, cost: CostMeter,
        seed: int, max_reasks: int, check: Callable[[T], str | None] | None = None,
        max_repairs: int | None = None) -> T:
    """Ask until an answer parses, validates and passes `check`.

    Invalid answers are re-asked at most `max_reasks` times, then AnswerError; answers
    failing `check` at most `max_repairs` times (default `max_reasks`), then Unusable."""
    user = context if isinstance(context, str) else json.dumps(context, ensure_ascii=False, default=str)
    messages: list[dict[str, Any]] = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    reasks = repairs = 0
    repairs_allowed = max_reasks if max_repairs is None else max_repairs
    while True:
        answer = client.complete(messages, response_format=response_format(model), stage=stage, seed=seed)
        record_cost(cost, stage, messages, answer)
        content = answer.message.get("content") or ""
        problem: str
        try:
            if answer.finish_reason == "length":
                raise ValueError("the answer was cut off at the token limit")
            parsed = model.model_validate(first_json_object(content))
        except (ValueError, ValidationError) as exc:
            problem = _describe(exc)
            if reasks >= max_reasks:
                raise AnswerError(f"{stage}: the model's answer is still invalid after {max_reasks} re-asks: "
                                  f"{problem}") from None
            reasks += 1
            messages = [*messages, {"role": "assistant", "content": content},
                        {"role": "user", "content": f"Your answer is not valid: {problem}. Answer again with only "
                                                    "the JSON object the instructions describe."}]
            continue
        found = check(parsed) if check is not None else None
        if found is None:
            return parsed
        if repairs >= repairs_allowed:
            raise Unusable(f"{stage}: {found}")
        repairs += 1
        messages = [*messages, {"role": "assistant", "content": content},
                    {"role": "user", "content": f"{found}\nReturn the whole JSON object again, corrected."}]


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = [f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}" for e in exc.errors()[:5]]
        return "; ".join(parts)
    return str(exc)
