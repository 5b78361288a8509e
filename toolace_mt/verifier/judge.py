"""`judge`: specialist sub-questions, each answered separately (the paper's model checks).

A `Judge` answers one sub-question about one dialogue. The offline judge answers with
the heuristics documented on each method; a model-backed judge (the OpenAI backend)
implements the same protocol with one prompt per sub-question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Protocol

from toolace_mt.record import AssistantMessage, UserMessage
from toolace_mt.verifier.dialogue import Dialogue, Failure

SubQuestion = Literal["coherence", "faithfulness", "task_completion"]
SUB_QUESTIONS: tuple[SubQuestion, ...] = ("coherence", "faithfulness", "task_completion")

_ACKNOWLEDGES_FAILURE = re.compile(
    r"\b(sorry|unable|unfortunately|couldn't|could not|can't|cannot|can not|not possible|failed|error|isn't|"
    r"didn't|did not|wasn't|won't|doesn't|not)\b", re.I)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    reason: str = ""
    message_index: int | None = None


class Judge(Protocol):
    def answer(self, question: SubQuestion, dialogue: Dialogue) -> Verdict: ...


class OfflineJudge:
    """Rule-based answers; deterministic, no model."""

    def answer(self, question: SubQuestion, dialogue: Dialogue) -> Verdict:
        return {"coherence": self.coherence, "faithfulness": self.faithfulness,
                "task_completion": self.task_completion}[question](dialogue)

    def coherence(self, dialogue: Dialogue) -> Verdict:
        """Every user message gets an assistant answer before the next user message; no
        assistant text repeats the previous one or parrots the user."""
        messages = dialogue.messages
        last_text = ""
        for index, message in enumerate(messages):
            if isinstance(message, UserMessage):
                following = next((m for m in messages[index + 1:] if m.role != "tool"), None)
                if not isinstance(following, AssistantMessage):
                    return Verdict(False, "a user message is left without an assistant answer", index)
                if message.content.strip() and message.content.strip() == (following.content or "").strip():
                    return Verdict(False, "the assistant repeats the user's message", index + 1)
            elif isinstance(message, AssistantMessage) and (message.content or "").strip():
                text = message.content.strip() if message.content else ""
                if text == last_text:
                    return Verdict(False, "the assistant repeats its previous answer word for word", index)
                last_text = text
        return Verdict(True)

    def faithfulness(self, dialogue: Dialogue) -> Verdict:
        """After a call that failed and was not retried successfully before the next text
        turn, that text turn must acknowledge the failure (not report success)."""
        unresolved: dict[str, int] = {}  # tool -> message index of its failing call
        for index, message in enumerate(dialogue.messages):
            if isinstance(message, UserMessage):
                unresolved.clear()
            if not isinstance(message, AssistantMessage):
                continue
            for site in dialogue.calls_at(index):
                if site.output_text is None:
                    continue
                if site.failed:
                    unresolved[site.name] = index
                else:
                    unresolved.pop(site.name, None)
            if (message.content or "").strip() and unresolved:
                if not _ACKNOWLEDGES_FAILURE.search(message.content or ""):
                    tool = next(iter(unresolved))
                    return Verdict(False, f"the {tool} call failed but the reply does not say so", index)
                unresolved.clear()
        return Verdict(True)

    def task_completion(self, dialogue: Dialogue) -> Verdict:
        """Each of the task's intended calls was made, in order, and succeeded."""
        intended = dialogue.record.task.intended_calls()
        made = [c for c in dialogue.calls if c.output_text is not None and not c.failed]
        position = 0
        for call in intended:
            while position < len(made) and not (made[position].name == call.name
                                                and made[position].arguments == call.arguments):
                position += 1
            if position == len(made):
                return Verdict(False, f"the task's call {call.name}({call.arguments}) is never made successfully")
            position += 1
        return Verdict(True)


def check_judge(dialogue: Dialogue, judge: Judge) -> list[Failure]:
    failures = []
    for question in SUB_QUESTIONS:
        verdict = judge.answer(question, dialogue)
        if not verdict.passed:
            failures.append(Failure("judge", f"{question}: {verdict.reason}", verdict.message_index))
    return failures
