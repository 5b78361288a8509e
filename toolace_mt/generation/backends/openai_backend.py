"""The `openai` backend: every stage asks a real model (any OpenAI-compatible endpoint)
with the task's prompt (toolace_mt/llm/prompts/), reads a validated JSON answer, and
executes every call the model proposes in the sandbox. The model never writes a tool
output: a call that fails goes back to it as the tool's real error, and replies are
worded after the calls ran, from their real outputs.

Answers that stay invalid after the re-asks fail the dialogue (AnswerError, recorded as
the attempt's reason); proposals that never pass the task's own checks (a call that does
not succeed, a value the request does not state) only skip that sub-task or edit, as the
offline backend's None does.
"""

from __future__ import annotations

import random
from typing import Any

from toolace_mt.generation.backends.interface import CostMeter, Injection, InjectionType, SubTaskPlan
from toolace_mt.generation.backends.openai_agents import Agents
from toolace_mt.generation.backends.openai_answers import VerdictAnswer, dump
from toolace_mt.generation.backends.openai_drafting import Drafting, with_confirmations
from toolace_mt.generation.backends.openai_injections import Injecting
from toolace_mt.generation.backends.openai_requests import Asker
from toolace_mt.generation.draft import Draft, Segment, Turn
from toolace_mt.generation.settings import Settings
from toolace_mt.generation.workbench import Workbench
from toolace_mt.llm.client import ChatClient
from toolace_mt.llm.settings import ModelSettings
from toolace_mt.llm.structured import Unusable
from toolace_mt.verifier.dialogue import Dialogue
from toolace_mt.verifier.judge import SubQuestion, Verdict

__all__ = ["ModelJudge", "OpenAIBackend", "with_confirmations"]


class OpenAIBackend:
    """Implements `Backend` with one ChatClient (shared by the threads of a worker): each
    stage is the concern of one module (openai_drafting, openai_injections, openai_agents),
    all asking through one Asker (openai_requests)."""

    name = "openai"

    def __init__(self, client: ChatClient, settings: Settings, model: ModelSettings) -> None:
        self.client = client
        self.settings = settings
        self.model = model
        self.asker = Asker(client, settings, model)
        self._drafting = Drafting(self.asker)
        self._injecting = Injecting(self.asker)
        self._agents = Agents(self.asker)

    def plan_task(self, bench: Workbench, subtasks: int, steps: tuple[int, int], rng: random.Random,
                  cost: CostMeter) -> list[SubTaskPlan]:
        return self._drafting.plan_task(bench, subtasks, steps, rng, cost)

    def draft_segment(self, bench: Workbench, plan: SubTaskPlan, draft: Draft, rng: random.Random,
                      cost: CostMeter) -> Segment | None:
        return self._drafting.draft_segment(bench, plan, draft, rng, cost)

    def word_replies(self, draft: Draft, segments: range, cost: CostMeter, bench: Workbench) -> None:
        self._drafting.word_replies(draft, segments, cost, bench)

    def inject(self, bench: Workbench, draft: Draft, kind: InjectionType, rng: random.Random,
               cost: CostMeter) -> Injection | None:
        return self._injecting.inject(bench, draft, kind, rng, cost)

    def refill(self, draft: Draft, turns: list[Turn], rng: random.Random, cost: CostMeter,
               bench: Workbench) -> list[str | None]:
        return self._injecting.refill(draft, turns, rng, cost, bench)

    def keep_edits(self, draft: Draft, turns: list[Turn], old: list[str], new: list[str | None],
                   cost: CostMeter) -> list[bool]:
        return self._injecting.keep_edits(draft, turns, old, new, cost)

    def judge(self, cost: CostMeter) -> ModelJudge:
        return ModelJudge(self, cost)

    def play_user(self, bench: Workbench, plan: SubTaskPlan, draft: Draft, rng: random.Random,
                  cost: CostMeter) -> Segment | None:
        return self._agents.play_user(bench, plan, draft, rng, cost)

    def play_assistant(self, bench: Workbench, segment: Segment, position: int, draft: Draft,
                       rng: random.Random, cost: CostMeter) -> Turn:
        return self._agents.play_assistant(bench, segment, position, draft, rng, cost)

    def play_user_turn(self, segment: Segment, position: int, draft: Draft, cost: CostMeter) -> Turn:
        return self._agents.play_user_turn(segment, position, draft, cost)


class ModelJudge:
    """The verifier's specialists: one prompt and one request per sub-question."""

    def __init__(self, backend: OpenAIBackend, cost: CostMeter) -> None:
        self.backend = backend
        self.cost = cost

    def answer(self, question: SubQuestion, dialogue: Dialogue) -> Verdict:
        record = dialogue.record
        context: dict[str, Any] = {"conversation": dump(record.messages)}
        if question == "task_completion":
            context["intended_calls"] = [c.model_dump(mode="json") for c in record.task.intended_calls()]
        rng = random.Random(f"{record.id}:{question}")
        try:
            verdict: VerdictAnswer = self.backend.asker.ask(f"judge_{question}", context, VerdictAnswer, "verify", rng,
                                                       self.cost)
        except Unusable as exc:
            return Verdict(False, f"the judge's answer was unusable ({exc})")
        index = verdict.message_index
        if index is not None and not 0 <= index < len(record.messages):
            index = None
        return Verdict(verdict.passed, verdict.reason or "the judge says no", index)
