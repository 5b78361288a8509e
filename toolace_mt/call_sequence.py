"""A file of tool calls for `toolace-mt call ENV --calls FILE.jsonl`: one
`{"name": ..., "arguments": {...}}` per line, run in order on one env (log in, then act).

The whole file is read and checked before any call runs, so a typo on line 7 does not
leave six calls made; every bad line is reported as `file:line: reason`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from toolace_mt.jsonl import bounded_lines
from toolace_mt.strict_json import MAX_LINE_BYTES, loads_strict

MAX_REPORTED = 10  # bad lines listed before "... and N more"


class PlannedToolCall(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    arguments: dict[str, Any] = Field(default_factory=dict)


class CallsFileError(ValueError):
    """Lines of a calls file that are not calls; the message lists them, one per line."""


def _parsed(text: str) -> str | PlannedToolCall:
    """The call on one line, or why it is none."""
    try:
        data = loads_strict(text)
    except ValueError as exc:
        return f"not JSON: {exc}"
    if not isinstance(data, dict):
        return f'expected an object {{"name": ..., "arguments": {{...}}}}, got {type(data).__name__}'
    try:
        return PlannedToolCall.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "call"
        return f"{where}: {error['msg']}"


def read_calls(handle: IO[bytes], name: str) -> list[tuple[int, PlannedToolCall]]:
    """(line number, call) for every non-blank line; CallsFileError listing the bad ones."""
    calls: list[tuple[int, PlannedToolCall]] = []
    problems: list[str] = []
    for number, raw in bounded_lines(handle):
        if raw is None:
            problems.append(f"{name}:{number}: the line is longer than {MAX_LINE_BYTES} bytes")
            continue
        text = raw.decode("utf-8", errors="replace")
        if not text.strip():
            continue
        parsed = _parsed(text.strip())
        if isinstance(parsed, PlannedToolCall):
            calls.append((number, parsed))
        else:
            problems.append(f"{name}:{number}: {parsed}")
    if problems:
        raise CallsFileError(_listed(problems))
    if not calls:
        raise CallsFileError(f"{name}: no calls (one JSON object per line: "
                             '{"name": "get_order", "arguments": {"order_id": "#W1001"}})')
    return calls


def _listed(problems: Iterable[str]) -> str:
    lines = list(problems)
    shown = lines[:MAX_REPORTED]
    if len(lines) > MAX_REPORTED:
        shown.append(f"... and {len(lines) - MAX_REPORTED} more bad line(s)")
    return "\n".join(shown)
