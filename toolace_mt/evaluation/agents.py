"""Agents under evaluation, and the small interface users' own agents implement.

An agent is a callable `agent(messages, tools) -> message`:
- `messages`: the conversation so far, OpenAI chat dicts (system, user, assistant with
  `tool_calls`, tool messages with the real outputs);
- `tools`: the tools offered, OpenAI `tools` format;
- it returns the next assistant message, `{"content": str | None, "tool_calls": [{"id",
  "function": {"name", "arguments"}}]}` (`arguments` a JSON string or an object; `id`
  optional). A reply without tool calls ends the user turn.

`--agent module:callable` (or `path/to/file.py:callable`) names such a callable; a class
there is instantiated with no arguments for every dialogue, so it may keep state.
Built in: `gold` replays the record's own turns (a self-check of the data), `noop`
never calls a tool (the data must not be passable by doing nothing), `openai` asks a
model (openai_agent.py).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, ValidationError

from toolace_mt.record import AssistantMessage, Record, UserMessage


class Agent(Protocol):
    def __call__(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> Any: ...


# Makes the agent for one dialogue (one trial); built-in agents may read the record.
AgentFactory = Callable[[Record], Agent]


class AgentSpecError(ValueError):
    """`--agent` names nothing usable."""


class AgentUnavailable(Exception):
    """The agent cannot answer at all (a model server that is down): the run stops."""


class AgentReplyError(ValueError):
    """The agent returned something that is not an assistant message."""


class ReplyFunction(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str
    arguments: str | dict[str, Any] = "{}"


class ReplyCall(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str | None = None
    type: Literal["function"] = "function"
    function: ReplyFunction

    def arguments_text(self) -> str:
        args = self.function.arguments
        return args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)


class AgentReply(BaseModel):
    """An assistant message as an agent returns it (validated: agents are untrusted)."""

    model_config = ConfigDict(extra="ignore")
    role: Literal["assistant"] = "assistant"
    content: str | None = None
    tool_calls: list[ReplyCall] | None = None

    @classmethod
    def parse(cls, value: Any) -> AgentReply:
        if isinstance(value, AgentReply):
            return value
        if isinstance(value, str):
            return cls(content=value)
        try:
            return cls.model_validate(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "reply"
            raise AgentReplyError(f"the agent's reply is not an assistant message: {where}: {first['msg']}") from None

    @property
    def calls(self) -> list[ReplyCall]:
        return self.tool_calls or []


class NoopAgent:
    """Never calls a tool: every dialogue that writes state must fail against it."""

    TEXT = "I'm sorry, I can't help with that."

    def __call__(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> dict[str, Any]:
        return {"content": self.TEXT}


class GoldAgent:
    """Replays the record: in user turn k, its i-th reply is the record's i-th assistant
    message of turn k (the same calls and text). On a verified file every turn passes."""

    def __init__(self, record: Record) -> None:
        self.turns: list[list[dict[str, Any]]] = []
        for message in record.messages:
            if isinstance(message, UserMessage):
                self.turns.append([])
            elif isinstance(message, AssistantMessage) and self.turns:
                reply = {"content": message.content,
                         "tool_calls": [c.model_dump() for c in message.tool_calls] if message.tool_calls else None}
                steps = self.turns[-1]
                if steps and not steps[-1]["tool_calls"]:
                    # A text turn followed by more in the same user turn: one reply (a text ends a turn here).
                    steps[-1] = {"content": _join(steps[-1]["content"], reply["content"]),
                                 "tool_calls": reply["tool_calls"]}
                else:
                    steps.append(reply)

    def __call__(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> dict[str, Any]:
        users = [i for i, m in enumerate(messages) if m.get("role") == "user"]
        turn = len(users) - 1
        step = sum(1 for m in messages[users[-1]:] if m.get("role") == "assistant") if users else 0
        if not 0 <= turn < len(self.turns) or step >= len(self.turns[turn]):
            return {"content": ""}
        return self.turns[turn][step]


def _join(first: str | None, second: str | None) -> str | None:
    parts = [p for p in (first, second) if p]
    return "\n\n".join(parts) if parts else None


def _load_object(spec: str) -> Any:
    target, _, attribute = spec.rpartition(":")
    if not target or not attribute:
        raise AgentSpecError(f"bad agent '{spec}': expected openai, gold, noop, module:callable or "
                             "path/to/file.py:callable")
    if target.endswith(".py"):
        path = Path(target)
        if not path.is_file():
            raise AgentSpecError(f"bad agent '{spec}': no such file {target}")
        module_spec = importlib.util.spec_from_file_location(f"toolace_agent_{path.stem}", path)
        if module_spec is None or module_spec.loader is None:
            raise AgentSpecError(f"bad agent '{spec}': cannot load {target}")
        module = importlib.util.module_from_spec(module_spec)
        try:
            module_spec.loader.exec_module(module)
        except Exception as exc:
            raise AgentSpecError(f"bad agent '{spec}': {target} fails to import: {type(exc).__name__}: {exc}") from exc
    else:
        try:
            module = importlib.import_module(target)
        except Exception as exc:
            raise AgentSpecError(f"bad agent '{spec}': cannot import {target}: {type(exc).__name__}: {exc}") from exc
    value: Any = module
    for part in attribute.split("."):
        if not hasattr(value, part):
            raise AgentSpecError(f"bad agent '{spec}': {target} has no attribute '{attribute}'")
        value = getattr(value, part)
    if not callable(value):
        raise AgentSpecError(f"bad agent '{spec}': {attribute} is not callable")
    return value


def load_agent(spec: str, openai: Agent | None = None) -> AgentFactory:
    """The factory for `--agent SPEC` (`openai`: the given agent, made by the caller, who
    closes it). Raises AgentSpecError with a one-line reason."""
    if spec == "gold":
        return GoldAgent
    if spec == "noop":
        return lambda record: NoopAgent()
    if spec == "openai":
        if openai is None:
            raise AgentSpecError("the openai agent needs model settings")
        return lambda record: openai
    value = _load_object(spec)
    if inspect.isclass(value):
        return lambda record: value()
    return lambda record: value
