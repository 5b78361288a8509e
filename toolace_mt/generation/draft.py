"""A dialogue under construction: turns grouped by sub-task, every call executed.

Texts that depend on tool outputs (the assistant's replies) are worded after the calls
ran, so a structural edit (stage 2) re-executes the affected sub-tasks from the snapshot
taken before them and re-words what follows: every output stays real.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from sandbox import CallResult, Environment, Snapshot
from toolace_mt.record import (
    AssistantMessage,
    FunctionCall,
    Message,
    PlannedCall,
    SubTask,
    SystemMessage,
    Task,
    ToolCall,
    ToolMessage,
    UserMessage,
)

TurnKind = Literal["request", "calls", "reply", "ask", "answer", "refusal", "chat", "chat_reply", "error_reply",
                   "correction", "confirm", "agree"]


@dataclass
class Call:
    name: str
    arguments: dict[str, Any]
    expect_ok: bool = True  # error simulation plants calls that must really fail
    result: CallResult | None = None


@dataclass
class Turn:
    role: Literal["user", "assistant"]
    kind: TurnKind
    text: str | None = None
    calls: list[Call] = field(default_factory=list)
    seed: int = 0  # wording of this turn is a function of (seed, topic)
    topic: dict[str, Any] = field(default_factory=dict)  # what the turn talks about
    edited: bool = False  # the stage-2 log: a turn is edited at most once

    @property
    def worded_after_calls(self) -> bool:
        """Whether word_replies words this turn: a reply, an error report or a confirmation
        (they talk about real outputs), or any other assistant text turn still without text (asks, refusals
        and chit-chat are worded when made)."""
        return self.role == "assistant" and not self.calls and (self.kind in ("reply", "error_reply", "confirm")
                                                                 or not self.text)


def stated_param(key: str) -> str:
    """The parameter a key of Segment.stated is for: a second value of one parameter keeps
    a key of its own ("category for search products", "other amount for pay payee")."""
    return re.sub(r"^(?:other )+", "", key).split(" for ", 1)[0]


@dataclass
class Segment:
    """One sub-task: its goal, the values the user states, and its turns."""

    goal: str
    target: str
    stated: dict[str, Any]
    turns: list[Turn]
    tools: list[str] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)  # ids of the rows the sub-task is about
    # Earlier sub-tasks whose outputs this one's calls take a value from (who the user is):
    # an edit must not remove their calls.
    relies_on: set[int] = field(default_factory=set)

    def target_calls(self) -> list[Call]:
        """The calls of the target tool meant to succeed, in the last turn that has them:
        the target call, then the same look-up of other entities (parallel calls)."""
        for turn in reversed(self.turns):
            calls = [c for c in turn.calls if c.name == self.target and c.expect_ok]
            if calls:
                return calls
        return []

    def target_output(self) -> Any:
        """The target call's output (None when it has none or failed)."""
        calls = self.target_calls()
        result = calls[0].result if calls else None
        return result.result if result is not None and result.ok else None


@dataclass
class Draft:
    system: str
    segments: list[Segment]
    withheld: list[str] = field(default_factory=list)  # tools removed from the offered list
    _before: list[Snapshot] = field(default_factory=list)  # state before each segment

    def turns(self) -> list[tuple[int, Turn]]:
        return [(i, t) for i, s in enumerate(self.segments) for t in s.turns]

    def reply_turns(self, segments: range) -> list[Turn]:
        """The turns of `segments` that word_replies words (Turn.worded_after_calls)."""
        return [turn for index in segments for turn in self.segments[index].turns if turn.worded_after_calls]

    def execute(self, env: Environment, start: int = 0) -> bool:
        """Run every call of segments start.. from the state before `start` (the initial
        state when start == 0; the current state when `start` is the first segment never
        executed). False when a call's outcome is not the one planned."""
        if start < len(self._before) and (self._remembered(env, start)
                                          or (self._tried_planted(env, start) and self._remembered(env, start))):
            return all(c.result is not None and c.result.ok == c.expect_ok
                       for s in self.segments[start:] for t in s.turns for c in t.calls)
        if start == 0:
            env.reset()
            self._before = []
        elif start < len(self._before):
            env.restore(self._before[start])
            del self._before[start:]
        elif start != len(self._before):
            raise ValueError(f"segment {start} cannot run before segment {len(self._before)}")
        ok = True
        for segment in self.segments[start:]:
            self._before.append(env.snapshot())
            for turn in segment.turns:
                for call in turn.calls:
                    call.result = env.call(call.name, call.arguments)
                    ok = ok and call.result.ok == call.expect_ok
        return ok

    def _remembered(self, env: Environment, start: int) -> bool:
        """Take the outcomes of segments start.. from the env's call memo, if every segment's
        calls are remembered from the state before it to the state before the next (the
        current state after the last): an edit that left the calls as they were, or added
        only calls that fail. The env and the snapshots then stay as they are."""
        if len(self._before) != len(self.segments):
            return False
        outcomes = []
        for index in range(start, len(self.segments)):
            calls = [c for t in self.segments[index].turns for c in t.calls]
            until = self._before[index + 1] if index + 1 < len(self._before) else None
            known = env.remembered_run([(c.name, c.arguments) for c in calls], since=self._before[index], until=until)
            if known is None:
                return False
            outcomes += zip(calls, known, strict=True)
        for call, result in outcomes:
            call.result = result
        return True

    def _tried_planted(self, env: Environment, start: int) -> bool:
        """Try each planted failing call (error simulation) of segments start.. on the state
        it runs on, so the memo knows its outcome and `_remembered` can take the rest. An
        injection tries its call on the final state; running the segments again from the
        snapshot for it would remake every write after it. Only calls that no write of
        their segment precedes are tried (their state is the segment's snapshot); the env
        ends where it was. False when there is nothing to try this way."""
        if len(self._before) != len(self.segments):
            return False
        writes = {t.name for t in env.tools if t.writes}
        planted: list[tuple[int, Call]] = []
        for index in range(start, len(self.segments)):
            written = False
            for turn in self.segments[index].turns:
                for call in turn.calls:
                    if not call.expect_ok:
                        if written:
                            return False
                        planted.append((index, call))
                    written = written or call.name in writes
        if not planted:
            return False
        now = env.snapshot()
        for index, call in planted:
            env.restore(self._before[index])
            env.peek(call.name, call.arguments)
        env.restore(now)
        return True

    def task(self) -> Task:
        return Task(subtasks=[SubTask(
            goal=s.goal, tools=s.tools or [s.target],
            calls=[PlannedCall(name=c.name, arguments=c.arguments) for t in s.turns for c in t.calls if c.expect_ok],
        ) for s in self.segments])

    def messages(self) -> list[Message]:
        out: list[Message] = [SystemMessage(content=self.system)]
        counter = 0
        for _, turn in self.turns():
            if turn.role == "user":
                out.append(UserMessage(content=turn.text or ""))
            elif turn.calls:
                calls, answers = [], []
                for call in turn.calls:
                    counter += 1
                    call_id = f"call_{counter}"
                    calls.append(ToolCall(id=call_id, function=FunctionCall(
                        name=call.name, arguments=json.dumps(call.arguments, ensure_ascii=False))))
                    assert call.result is not None, "execute() before messages()"
                    answers.append(ToolMessage(tool_call_id=call_id, content=call.result.content()))
                out.append(AssistantMessage(content=turn.text, tool_calls=calls))
                out.extend(answers)
            else:
                out.append(AssistantMessage(content=turn.text or ""))
        return out

    def message_index(self, target: Turn) -> int:
        """Where a turn lands in messages() (system prompt at 0)."""
        index = 1
        for _, turn in self.turns():
            if turn is target:
                return index
            index += 1 + len(turn.calls)
        raise ValueError("turn not in draft")
