"""What the openai backend reads from a model: one pydantic model per task's JSON answer,
and the rules its answers are checked by before they are used (a value is stated the way
the verifier's grounding reads it; a reply states only what was shown before it).
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

from pydantic import BaseModel, Field

from sandbox import CallResult
from toolace_mt.generation.draft import Draft, Turn
from toolace_mt.record import Message
from toolace_mt.verifier.evidence import Evidence, grounded_string, mentions


class PlannedSubTask(BaseModel):
    tool: str
    steps: int = 1
    goal: str = ""


class PlanAnswer(BaseModel):
    subtasks: list[PlannedSubTask] = Field(min_length=1)


class ProposedCall(BaseModel):
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class SkeletonAnswer(BaseModel):
    goal: str = ""
    request: str = Field(min_length=1)
    turns: list[list[ProposedCall]] = Field(min_length=1)


class ClarificationAnswer(BaseModel):
    request: str = Field(min_length=1)
    ask: str = Field(min_length=1)
    answer: str = Field(min_length=1)


class ErrorAnswer(BaseModel):
    wrong_value: str = Field(min_length=1)
    request: str = Field(min_length=1)
    correction: str = Field(min_length=1)


class ExchangeAnswer(BaseModel):
    user: str = Field(min_length=1)
    assistant: str = Field(min_length=1)


class RefillAnswer(BaseModel):
    texts: list[str]


class RepliesAnswer(BaseModel):
    texts: list[str]


class KeepAnswer(BaseModel):
    keep: list[bool]


class VerdictAnswer(BaseModel):
    passed: bool
    reason: str = ""
    message_index: int | None = None


class RequestAnswer(BaseModel):
    request: str = Field(min_length=1)


def dump(messages: list[Any]) -> list[dict[str, Any]]:
    return [m.model_dump(mode="json", exclude_none=True) for m in messages]


def fingerprint(messages: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(messages, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


class Readings(dict):  # type: ignore[type-arg]
    """What mentions() found in texts already read, for Evidence(read=...): shared by the
    threads of a worker, since the checks of a dialogue read its conversation again at
    every request and its texts do not change. A pure function of the text, so a reading
    is the same whoever made it. The oldest are dropped past MAX_ENTRIES or MAX_CHARS."""

    MAX_ENTRIES = 8192
    MAX_CHARS = 8 << 20

    def __init__(self) -> None:
        super().__init__()
        self._chars = 0
        self._lock = threading.Lock()

    def __setitem__(self, text: str, found: Any) -> None:
        with self._lock:
            if text not in self:
                self._chars += len(text)
            super().__setitem__(text, found)
            while len(self) > self.MAX_ENTRIES or self._chars > self.MAX_CHARS:
                oldest = next(iter(self))
                self._chars -= len(oldest)
                super().__delitem__(oldest)


def states(text: str, value: Any, read: Readings | None = None) -> bool:
    """`text` states `value` by the verifier's grounding rules (ids exactly, numbers as numbers)."""
    evidence = Evidence() if read is None else Evidence(read=read)
    evidence.add_text(text)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return evidence.has_number(float(value))
    return grounded_string(str(value), evidence, free_text=False)


def unbacked(text: str, before: list[Message]) -> list[str]:
    """Ids, numbers and dates in an assistant text that nothing shown before backs (the
    verifier's consistency rule), so the model can be told before the verifier drops it."""
    return Backing(before).unbacked(text, len(before))


class Backing:
    """`unbacked` for several texts of one conversation at increasing positions: the
    evidence is built once, message by message, not again from the start for each text
    (the replies of a long dialogue made that quadratic)."""

    def __init__(self, messages: list[Message], read: Readings | None = None) -> None:
        self._messages = messages
        self._read = Readings() if read is None else read
        self._evidence = Evidence(read=self._read)
        self._upto = 0

    def unbacked(self, text: str, position: int) -> list[str]:
        """What `text`, said at message `position`, states that no message before it backs."""
        if position < self._upto:  # an earlier position: start again
            self._evidence, self._upto = Evidence(read=self._read), 0
        for message in self._messages[self._upto:position]:
            self._evidence.add_message(message)
        self._upto = max(self._upto, position)
        return _missing(text, self._evidence)


def _missing(text: str, evidence: Evidence) -> list[str]:
    found = mentions(text)
    missing = [i for i in found.ids if i not in evidence.ids and i.lstrip("#") not in evidence.ids]
    missing += [f"{n:g}" for n in found.numbers if not evidence.has_number(n)]
    missing += ["-".join(str(p) for p in d if p is not None) for d in found.dates if not evidence.has_date(d)]
    return missing


def result_json(result: CallResult) -> Any:
    if result.ok:
        return result.result
    assert result.error is not None
    return {"error": {"type": result.error.type, "message": result.error.message}}


def segment_of(draft: Draft, turn: Turn) -> int:
    return next(i for i, s in enumerate(draft.segments) if any(t is turn for t in s.turns))
