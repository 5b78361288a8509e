"""Build a record turn by turn while executing every call on a live env.

    builder = DialogueBuilder(env, system="You are a store assistant.")
    builder.user("Where is my order #W1001?")
    builder.calls(("get_order", {"order_id": "#W1001"}))
    builder.assistant("It was delivered on 2026-02-19.")
    record = builder.record("retail-0001")

Tool messages always hold the env's real output; `expected` is taken from the env's
state at the end. The env must be at its initial state when the builder starts.
"""

from __future__ import annotations

import json
from typing import Any

from sandbox import CallResult, Environment
from toolace_mt.env_refs import portable_env_ref
from toolace_mt.record import (
    AssistantMessage,
    Expected,
    FunctionCall,
    Message,
    Op,
    Provenance,
    Record,
    SystemMessage,
    Task,
    ToolCall,
    ToolMessage,
    UserMessage,
)


class DialogueBuilder:
    def __init__(self, env: Environment, system: str | None = None, tools: list[str] | None = None) -> None:
        self.env = env
        self.messages: list[Message] = [SystemMessage(content=system)] if system else []
        self.tool_names = tools
        self.results: list[CallResult] = []
        self._next_call = 1

    def user(self, text: str) -> int:
        self.messages.append(UserMessage(content=text))
        return len(self.messages) - 1

    def assistant(self, text: str) -> int:
        self.messages.append(AssistantMessage(content=text))
        return len(self.messages) - 1

    def calls(self, *calls: tuple[str, dict[str, Any]]) -> int:
        """One assistant turn making these calls (parallel when several), each executed
        now, in order; their real outputs follow as tool messages. Returns the turn's index."""
        tool_calls = []
        outputs = []
        for name, arguments in calls:
            call_id = f"call_{self._next_call}"
            self._next_call += 1
            tool_calls.append(ToolCall(id=call_id, function=FunctionCall(
                name=name, arguments=json.dumps(arguments, ensure_ascii=False))))
            result = self.env.call(name, arguments)
            self.results.append(result)
            outputs.append(ToolMessage(tool_call_id=call_id, content=result.content()))
        self.messages.append(AssistantMessage(content=None, tool_calls=tool_calls))
        index = len(self.messages) - 1
        self.messages.extend(outputs)
        return index

    def last_results(self, count: int = 1) -> list[CallResult]:
        return self.results[-count:]

    def record(self, record_id: str, task: Task | None = None, ops: list[Op] | None = None,
               provenance: Provenance | None = None) -> Record:
        tools = [t.openai() for t in self.env.tools if self.tool_names is None or t.name in self.tool_names]
        provenance = provenance or Provenance()
        if ops is not None:
            provenance = provenance.model_copy(update={"ops": ops})
        return Record(
            id=record_id, env=portable_env_ref(self.env), env_digest=self.env.digest, seed=self.env.seed, tools=tools,
            messages=list(self.messages), task=task or Task(), provenance=provenance,
            expected=Expected(final_state_hash=self.env.state_hash(), diff=self.env.diff().model_dump(mode="json")))
