"""Typed errors and the result of a tool call.

A call never raises for a failing tool: it returns a `CallResult` whose `error` says
what went wrong (`type` is one of ERROR_TYPES). `raise_for_error()` turns it into the
matching exception for code that prefers exceptions.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Literal

from pydantic import BaseModel, field_validator

from sandbox.json_values import clean_text

# An error message is capped (a tool could raise ToolError with megabytes of text, and
# every outcome is kept by the call memo and written into records).
MAX_MESSAGE_CHARS = 2000

ErrorType = Literal[
    "InvalidArguments", "UnknownTool", "ToolError", "SandboxViolation", "ToolTimeout",
    "ResourceLimit", "ToolCrash",
]


class SandboxError(Exception):
    """Base of every error the engine reports."""


class EnvLoadError(SandboxError):
    """An env module cannot be loaded; `problems` are (file, line, message)."""

    def __init__(self, problems: list[tuple[str, int, str]]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"{f}:{line}: {m}" for f, line, m in problems))


class InvalidArguments(SandboxError):
    """Arguments do not match the tool's JSON schema (the body never ran)."""


class UnknownTool(SandboxError):
    """No tool of that name in this env."""


class ToolError(SandboxError):
    """The tool refused: a domain rule (e.g. the order has already shipped)."""


class SandboxViolation(SandboxError):
    """The env code tried something the sandbox forbids."""


class ToolTimeout(SandboxError):
    """The call ran past its time limit; the worker was killed and restarted."""


class ResourceLimit(SandboxError):
    """The call broke a memory, recursion or result-size limit."""


class ToolCrash(SandboxError):
    """The env code itself failed (an exception, an SQL error): a bug in the env."""


_EXCEPTIONS: dict[str, type[SandboxError]] = {
    cls.__name__: cls
    for cls in (InvalidArguments, UnknownTool, ToolError, SandboxViolation, ToolTimeout, ResourceLimit, ToolCrash)
}


class CallError(BaseModel):
    type: ErrorType
    message: str
    argument: str | None = None  # InvalidArguments: the argument at fault
    line: int | None = None  # a failure inside env code: the env module's line

    @field_validator("message")
    @classmethod
    def _capped(cls, message: str) -> str:
        return clean_text(message, MAX_MESSAGE_CHARS)

    def __str__(self) -> str:
        return f"{self.type}: {self.message}"


class CallResult(BaseModel):
    """`ok` and `result`, or not `ok` and `error`."""

    ok: bool
    result: Any = None
    error: CallError | None = None

    def detached(self) -> CallResult:
        """A copy sharing nothing mutable with this one (results are JSON values, so a
        plain walk copies them ~4x faster than model_copy(deep=True))."""
        return CallResult(ok=self.ok, result=_json_copy(self.result),
                          error=None if self.error is None else self.error.model_copy())

    def raise_for_error(self) -> Any:
        if self.error is not None:
            raise _EXCEPTIONS[self.error.type](self.error.message)
        return self.result

    def content(self) -> str:
        """The tool message content: the result, or {"error": ...}, as canonical JSON."""
        payload = self.result if self.ok else {"error": {"type": self.error.type, "message": self.error.message}} \
            if self.error else None
        return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _json_copy(value: Any) -> Any:
    if type(value) is dict:
        return {key: _json_copy(item) for key, item in value.items()}
    if type(value) is list:
        return [_json_copy(item) for item in value]
    return value if isinstance(value, str | int | float | bool | None) else copy.deepcopy(value)


def failure(kind: ErrorType, message: str, argument: str | None = None) -> CallResult:
    return CallResult(ok=False, error=CallError(type=kind, message=message, argument=argument))


class UnknownEnv(SandboxError):
    """No built-in env of that name and no such file."""
