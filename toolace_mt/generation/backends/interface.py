"""What each stage asks of a "model", as one small interface.

Both backends implement `Backend`: `offline` (rules, templates, Faker; no model) and
`openai` (a real model behind an OpenAI-compatible endpoint). Every tool call either one
proposes is executed in the sandbox by the pipeline; a backend never supplies a tool
output. `CostMeter` counts the model calls each stage makes (the offline backend counts
the calls a model backend would make) and the characters in and out.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from toolace_mt.generation.draft import Draft, Segment, Turn
from toolace_mt.generation.workbench import Workbench
from toolace_mt.verifier.judge import Judge

Stage = Literal["plan", "skeleton", "reply", "inject", "refine", "judge", "mas_user", "mas_assistant", "verify"]
InjectionType = Literal["clarification", "tool_awareness", "error_simulation", "non_function_call"]
INJECTION_TYPES: tuple[InjectionType, ...] = ("clarification", "tool_awareness", "error_simulation",
                                              "non_function_call")


@dataclass
class CostMeter:
    calls: dict[str, int] = field(default_factory=dict)
    chars_in: int = 0
    chars_out: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    # Answers a model backend took from its response cache, and their tokens: not paid
    # again, and left out of as_dict() so that a rerun from the cache writes the same record.
    cached_calls: int = 0
    cached_tokens_in: int = 0
    cached_tokens_out: int = 0

    def add(self, stage: Stage, prompt_chars: int, answer_chars: int, tokens_in: int = 0, tokens_out: int = 0,
            cached: bool = False) -> None:
        self.calls[stage] = self.calls.get(stage, 0) + 1
        self.chars_in += prompt_chars
        self.chars_out += answer_chars
        self.tokens_in += tokens_in
        self.tokens_out += tokens_out
        if cached:
            self.cached_calls += 1
            self.cached_tokens_in += tokens_in
            self.cached_tokens_out += tokens_out

    def add_json(self, stage: Stage, prompt: Any, answer: Any) -> None:
        """A call a rule-based backend answers without a model, counted by the size of its
        prompt and answer as JSON (what a model backend would send and receive)."""
        self.add(stage, len(json.dumps(prompt, default=str)), len(json.dumps(answer, default=str)))

    def add_tokens(self, other: CostMeter) -> None:
        """Take another meter's tokens (and cache hits) but not its calls: requests that were
        really sent and billed, counted as calls under another name (MAS's turns)."""
        self.tokens_in += other.tokens_in
        self.tokens_out += other.tokens_out
        self.cached_calls += other.cached_calls
        self.cached_tokens_in += other.cached_tokens_in
        self.cached_tokens_out += other.cached_tokens_out

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def as_dict(self) -> dict[str, Any]:
        return {"model_calls": dict(sorted(self.calls.items())), "total_calls": self.total_calls,
                "chars_in": self.chars_in, "chars_out": self.chars_out, "tokens_in": self.tokens_in,
                "tokens_out": self.tokens_out}


@dataclass(frozen=True)
class SubTaskPlan:
    target: str  # the tool the sub-task is for
    steps: int  # tool-calling steps, drawn from the configured range
    then: tuple[str, ...] = ()  # the tools of the sub-tasks after it (whose user it may choose)
    # Writes of the same tool planned right after it for what a later sub-task waits on
    # (one debt paid per sub-task: see exact_amounts); 0 for any other sub-task.
    ahead: int = 0
    again: bool = False  # one of those after the first: only to go on paying what the first chose


@dataclass
class Injection:
    """An edit of the draft: the segment it touches and the op to record."""

    type: InjectionType
    segment: int
    turns: list[Turn]  # the turns whose message index the op points at (first) and answer (second)
    argument: str | None = None
    value: Any = None
    tool: str | None = None


class Backend(Protocol):
    name: str

    def plan_task(self, bench: Workbench, subtasks: int, steps: tuple[int, int], rng: random.Random,
                  cost: CostMeter) -> list[SubTaskPlan]:
        """Stage 1: the task plan: which tool each sub-task is for and how many steps."""
        ...

    def draft_segment(self, bench: Workbench, plan: SubTaskPlan, draft: Draft, rng: random.Random,
                      cost: CostMeter) -> Segment | None:
        """Stage 1: one sub-trajectory (user request, calls by turn, reply), conditioned on the
        draft so far; calls are checked by really executing them on `bench`."""
        ...

    def word_replies(self, draft: Draft, segments: range, cost: CostMeter, bench: Workbench) -> None:
        """Word the turns that talk about tool outputs (after the calls ran): stage "reply",
        one call for all the replies of `segments` that have no text yet or whose
        conversation before them changed since they were worded; none when there are none."""
        ...

    def inject(self, bench: Workbench, draft: Draft, kind: InjectionType, rng: random.Random,
               cost: CostMeter) -> Injection | None:
        """Stage 2, mask-and-extend: apply one complexity type to the draft, or None."""
        ...

    def refill(self, draft: Draft, turns: list[Turn], rng: random.Random, cost: CostMeter,
               bench: Workbench) -> list[str | None]:
        """Stage 2, mask-and-fill: new text for each masked turn (one call per pass)."""
        ...

    def keep_edits(self, draft: Draft, turns: list[Turn], old: list[str], new: list[str | None],
                   cost: CostMeter) -> list[bool]:
        """Stage 2 judge: keep or revert each refilled turn (one call per pass)."""
        ...

    def judge(self, cost: CostMeter) -> Judge:
        """The verifier's specialist sub-questions."""
        ...

    def play_user(self, bench: Workbench, plan: SubTaskPlan, draft: Draft, rng: random.Random,
                  cost: CostMeter) -> Segment | None:
        """MAS: the user agent opens a sub-task (one turn)."""
        ...

    def play_assistant(self, bench: Workbench, segment: Segment, position: int, draft: Draft,
                       rng: random.Random, cost: CostMeter) -> Turn:
        """MAS: the assistant agent's turn at `position` of the sub-task (calls or text)."""
        ...

    def play_user_turn(self, segment: Segment, position: int, draft: Draft, cost: CostMeter) -> Turn:
        """MAS: a later user turn of the sub-task (an answer, a correction, chit-chat)."""
        ...
