"""The dialogue record: one JSON object per JSONL line (see README "The dialogue record").

`messages` are the OpenAI chat format exactly, so a file goes straight into
fine-tuning tools; the other fields let anyone replay and check the dialogue:
(env, env_digest, seed) determine the initial state, `task` is the plan,
`expected` the state it must end in, `provenance` how it was made.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sandbox.state_diff import StateDiff
from toolace_mt.strict_json import loads_strict, strict_problem

MAX_ENV_REF = 512  # characters of `env`: a name or a relative path, never a document

OpType = Literal["clarification", "tool_awareness", "error_simulation", "non_function_call", "refine"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _strict_if_json(text: str) -> str:
    """JSON inside a string field (arguments, tool outputs) is held to the record's strict
    JSON rules; text that is no JSON at all is left to the checks."""
    problem = strict_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text


class FunctionCall(_Strict):
    name: str
    arguments: str  # a JSON object as a string, exactly as OpenAI sends it

    _strict_arguments = field_validator("arguments")(_strict_if_json)


class ToolCall(_Strict):
    id: str
    type: Literal["function"] = "function"
    function: FunctionCall

    def parsed_arguments(self) -> dict[str, Any] | None:
        """The arguments object, or None when they are not a JSON object."""
        try:
            value = loads_strict(self.function.arguments)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


class SystemMessage(_Strict):
    role: Literal["system"] = "system"
    content: str


class UserMessage(_Strict):
    role: Literal["user"] = "user"
    content: str


class AssistantMessage(_Strict):
    role: Literal["assistant"] = "assistant"
    content: str | None = None
    tool_calls: list[ToolCall] | None = None


class ToolMessage(_Strict):
    role: Literal["tool"] = "tool"
    tool_call_id: str
    content: str  # the real output: CallResult.content(), canonical JSON

    _strict_content = field_validator("content")(_strict_if_json)


Message = Annotated[SystemMessage | UserMessage | AssistantMessage | ToolMessage, Field(discriminator="role")]


class PlannedCall(_Strict):
    name: str
    arguments: dict[str, Any]


class SubTask(_Strict):
    goal: str
    tools: list[str] = Field(default_factory=list)
    calls: list[PlannedCall] = Field(default_factory=list, description="the intended successful calls, in order")


class Task(_Strict):
    """The plan. When `subtasks` name calls, the state check replays them on a fresh env."""

    subtasks: list[SubTask] = Field(default_factory=list)

    def intended_calls(self) -> list[PlannedCall]:
        return [call for sub in self.subtasks for call in sub.calls]


class Expected(_Strict):
    final_state_hash: str
    diff: dict[str, Any] = Field(
        description="StateDiff from the initial state: {tables: {name: {added, removed, changed}}}")

    @field_validator("diff")
    @classmethod
    def _a_state_diff(cls, value: dict[str, Any]) -> dict[str, Any]:
        """The checks read it as a StateDiff: any other shape is an invalid record, not a crash."""
        try:
            StateDiff.model_validate(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ValueError(f"not a state diff: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
        return value


class Op(_Strict):
    """One stage-2 edit. `message_index` points into `messages` (0-based, system included).

    clarification: `message_index` is the assistant turn asking, `answer_index` the user
    turn giving `value` (for `argument`); no call before it may use `value`.
    tool_awareness: the assistant turn at `message_index` declines without a call;
    `tool` names a tool withheld from `tools`, if that was the variant.
    error_simulation: the assistant turn at `message_index` makes a call that really
    fails, or finds nothing (a search for a misspelt name); a later call of the same
    tool, with other arguments, succeeds and finds something.
    non_function_call: the assistant turn at `message_index` answers with no call.
    refine: a mask-and-fill edit of the turn at `message_index`.
    """

    type: OpType
    message_index: int
    answer_index: int | None = None
    argument: str | None = None
    value: Any = None
    tool: str | None = None
    note: str | None = None


class Provenance(_Strict):
    method: Literal["naig", "mas", "manual"] = "manual"
    ops: list[Op] = Field(default_factory=list)
    backend: str = "none"
    cost: dict[str, Any] = Field(default_factory=dict)
    attempt: int | None = Field(default=None, description="the generator's attempt number (orders a run; --resume)")


class Failure(_Strict):
    """Why a record fails one check; `message_index` points at the turn to look at."""

    check: str
    message: str
    message_index: int | None = None

    def __init__(self, check: str, message: str, message_index: int | None = None) -> None:
        super().__init__(check=check, message=message, message_index=message_index)


class Verification(_Strict):
    passed: bool
    checks: list[str] = Field(default_factory=list, description="ids of the checks that ran")
    failures: list[Failure] = Field(default_factory=list)


class Record(_Strict):
    id: str
    env: str = Field(max_length=MAX_ENV_REF, description="a built-in env name, or an env file's path relative to "
                                                          "an env directory (README \"Portable env references\")")
    env_digest: str
    seed: int
    tools: list[dict[str, Any]]
    messages: list[Message]
    task: Task = Field(default_factory=Task)
    expected: Expected | None = None
    provenance: Provenance = Field(default_factory=Provenance)
    verification: Verification | None = None

    def to_json(self) -> str:
        """One JSONL line (no newline). Unset optional fields are left out, except an
        assistant turn's `content`, which OpenAI's format keeps as null beside tool_calls."""
        data = self.model_dump(mode="json", exclude_none=True)
        data["messages"] = [{"role": "assistant", "content": m.get("content"), **m} if m["role"] == "assistant" else m
                            for m in data["messages"]]
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def record_json_schema() -> dict[str, Any]:
    schema = Record.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "toolace-mt dialogue record"
    return schema
