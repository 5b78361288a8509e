"""Scores of one evaluated dialogue, per user turn (what `--json` prints and reports keep)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from toolace_mt.evaluation.call_match import CallCounts


class StateScore(BaseModel):
    passed: bool
    diff: list[str] = Field(default_factory=list, description="table key column: expected vs actual")


class ResponseScore(BaseModel):
    passed: bool
    required: list[str] = Field(default_factory=list, description="what the record's assistant told from tool outputs")
    missing: list[str] = Field(default_factory=list)
    problem: str | None = None


class AbstentionScore(BaseModel):
    applies: bool = False  # a tool-awareness or clarification turn
    passed: bool = True
    problem: str | None = None


class AgentCall(BaseModel):
    name: str
    arguments: Any
    ok: bool


class TurnScore(BaseModel):
    turn: int  # 0-based user turn
    message_index: int  # the record's user message
    ops: list[str] = Field(default_factory=list)
    passed: bool
    state: StateScore
    response: ResponseScore
    abstention: AbstentionScore
    calls: CallCounts
    steps: int  # agent replies in the turn
    agent_calls: list[AgentCall] = Field(default_factory=list)
    agent_text: str = ""
    error: str | None = None  # the agent raised or replied with something that is no message

    def failures(self) -> list[str]:
        out = []
        if self.error:
            out.append(f"agent: {self.error}")
        if not self.state.passed:
            out.append("state: " + ("; ".join(self.state.diff) or "differs"))
        if not self.response.passed:
            out.append("response: " + (self.response.problem or "missing " + ", ".join(self.response.missing)))
        if not self.abstention.passed:
            out.append(f"abstention: {self.abstention.problem}")
        return out


class DialogueResult(BaseModel):
    id: str
    env: str
    path: str
    line: int
    trial: int = 0
    writes: bool = False  # the record changes the state
    passed: bool = False
    turns: list[TurnScore] = Field(default_factory=list)
    error: str | None = None  # could not be evaluated (unreadable line, env, record that does not replay)

    @property
    def first_failure(self) -> TurnScore | None:
        return next((t for t in self.turns if not t.passed), None)
