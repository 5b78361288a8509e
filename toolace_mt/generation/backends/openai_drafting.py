"""Stage 1 with a model: the task plan, each sub-task drafted in one request whose calls
run for real (failures and unstated values fed back), and the replies worded after the
calls ran, from their real outputs."""

from __future__ import annotations

import json
import random
from typing import Any

from sandbox import CallResult, ToolSpec
from toolace_mt.generation.backends.interface import CostMeter, SubTaskPlan
from toolace_mt.generation.backends.openai_answers import (
    Backing,
    PlanAnswer,
    RepliesAnswer,
    SkeletonAnswer,
    dump,
    fingerprint,
    result_json,
)
from toolace_mt.generation.backends.openai_requests import Asker
from toolace_mt.generation.draft import Call, Draft, Segment, Turn
from toolace_mt.generation.language import tool_language as tl
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.plan.confirmation import needs_confirmation
from toolace_mt.generation.plan.dialogue_facts import earlier_outputs
from toolace_mt.generation.plan.record_check import with_record_checks
from toolace_mt.generation.workbench import Workbench
from toolace_mt.llm.structured import Unusable
from toolace_mt.record import ToolMessage, UserMessage
from toolace_mt.verifier.evidence import Evidence
from toolace_mt.verifier.grounding import _ungrounded

SKELETON_REPAIRS = 3  # rounds of real errors/outputs fed back while drafting one sub-task


class Drafting:
    def __init__(self, asker: Asker) -> None:
        self.asker = asker

    def plan_task(self, bench: Workbench, subtasks: int, steps: tuple[int, int], rng: random.Random,
                  cost: CostMeter) -> list[SubTaskPlan]:
        tools = sorted(bench.tools.values(), key=lambda t: t.name)

        def check(answer: PlanAnswer) -> str | None:
            unknown = [s.tool for s in answer.subtasks if s.tool not in bench.tools]
            if unknown:
                return f"unknown tool(s) {', '.join(unknown)}; use only: {', '.join(t.name for t in tools)}"
            if len(answer.subtasks) != subtasks:
                return f"there must be exactly {subtasks} sub-tasks, not {len(answer.subtasks)}"
            return None

        context = {"domain": bench.env.description,
                   "tools": [{"name": t.name, "description": t.description, "changes_state": t.writes} for t in tools],
                   "rows": self.asker.rows(bench, [t.name for t in tools], rng)}
        try:
            answer: PlanAnswer = self.asker.ask("plan", context, PlanAnswer, "plan", rng, cost, check,
                                                subtasks=subtasks)
        except Unusable:
            return []
        return [SubTaskPlan(target=s.tool, steps=min(max(s.steps, steps[0]), steps[1])) for s in answer.subtasks]

    def draft_segment(self, bench: Workbench, plan: SubTaskPlan, draft: Draft, rng: random.Random,
                      cost: CostMeter) -> Segment | None:
        """One request drafts the sub-task (request and calls by turn); the calls run for
        real and failures or unstated values are fed back until it holds (bounded)."""
        env = bench.env
        history = self.asker.history(draft)
        ran: list[list[CallResult]] = []
        offered = {t["function"]["name"] for t in self.asker.tools(bench, draft)}

        def check(answer: SkeletonAnswer) -> str | None:
            ran.clear()
            problems = []
            names = {c.name for turn in answer.turns for c in turn}
            if names - offered:
                return f"unknown tool(s) {', '.join(sorted(names - offered))}; use only the given tools"
            if plan.target not in names:
                problems.append(f"the target tool {plan.target} is never called")
            if len(answer.turns) > max(plan.steps, 1) + 1:
                problems.append(f"use at most {plan.steps} tool-calling turns")
            evidence = Evidence(read=self.asker.readings)
            for message in draft.messages():
                evidence.add_message(message)
            evidence.add_message(UserMessage(content=answer.request))
            before = env.snapshot()
            outputs: list[str] = []
            try:
                for number, turn in enumerate(answer.turns, 1):
                    results = []
                    for call in turn:
                        schema = bench.tools[call.name].parameters.get("properties", {})
                        missing = [m for key, value in call.arguments.items()
                                   for m in _ungrounded(value, schema.get(key, {}), key, evidence)]
                        if missing:
                            problems.append(f"turn {number}, {call.name}: {', '.join(missing)} is not stated in the "
                                            "request and appears in no earlier output")
                        unsaid = unset_choices(bench.tools[call.name], call.arguments)
                        if unsaid:
                            problems.append(f"turn {number}, {call.name} changes something the user confirms: pass "
                                            f"{', '.join(unsaid)} explicitly, as the user states it in the request "
                                            "(a choice left to its default is one nobody made)")
                        result = env.call(call.name, call.arguments)
                        results.append(result)
                        outputs.append(f"turn {number}, {call.name}({json.dumps(call.arguments)}) -> "
                                       f"{json.dumps(result_json(result), default=str)[:1500]}")
                        if not result.ok:
                            problems.append(f"turn {number}, {call.name} failed for real: {result.error}")
                    ran.append(results)
                    for result in results:
                        evidence.add_message(ToolMessage(tool_call_id="x", content=result.content()))
                    if any(not r.ok for r in results):
                        break
            finally:
                env.restore(before)
            if not problems:
                return None
            return "Problems:\n- " + "\n- ".join(problems) + "\nReal outputs of the calls that ran:\n" + \
                "\n".join(outputs)

        context = {"tools": self.asker.tools(bench, draft), "plan": {"target": plan.target, "steps": plan.steps},
                   "rows": self.asker.rows(bench, [plan.target], rng), "conversation": history}
        try:
            answer: SkeletonAnswer = self.asker.ask("skeleton", context, SkeletonAnswer, "skeleton", rng, cost, check,
                                               max_repairs=SKELETON_REPAIRS, steps=plan.steps)
        except Unusable:
            return None
        tool = bench.tools[plan.target]
        request = Turn("user", "request", text=answer.request, topic={"target": plan.target})
        turns = [Turn("assistant", "calls", calls=[Call(c.name, c.arguments) for c in calls]) for calls in answer.turns]
        turns = with_confirmations(bench, with_record_checks(bench, turns, earlier_outputs(draft)), rng)
        reply = Turn("assistant", "reply", topic={"target": plan.target, "writes": tool.writes})
        goal = answer.goal.strip() or f"{plan.target}"
        return Segment(goal=goal, target=plan.target, stated={}, turns=[request, *turns, reply])

    def word_replies(self, draft: Draft, segments: range, cost: CostMeter, bench: Workbench) -> None:
        """(Re)word, in one request, every reply of `segments` that has no text yet or whose
        conversation before it changed since it was worded; no request when there is none.

        The model sees the conversation up to the last of them, each marked `[REPLY n]`,
        and gives one text per mark; a text stating a value nothing before its turn shows
        is fed back (the repair loop of `_ask`)."""
        shown = draft.messages()
        messages = dump(shown)
        stamps: list[tuple[Turn, str]] = []  # (turn, the conversation it is worded on)
        marked: list[tuple[Turn, int]] = []  # (turn, its message index)
        for turn in draft.reply_turns(segments):
            position = draft.message_index(turn)
            stamp = fingerprint(messages[:position])
            stamps.append((turn, stamp))
            if not turn.text or turn.topic.get("worded_on") not in (stamp, "agent"):
                marked.append((turn, position))  # else: as it was (or the MAS agent's own words on it)
        if marked:
            conversation = messages[:marked[-1][1] + 1]
            replies = []
            for number, (turn, position) in enumerate(marked, 1):
                conversation[position] = {"role": "assistant", "content": f"[REPLY {number}]"}
                reply: dict[str, Any] = {"reply": number, "kind": turn.kind}
                if turn.kind == "error_reply":
                    reply["argument"] = turn.topic.get("param")
                replies.append(reply)

            secrets = {v for _, t in draft.turns() for c in t.calls for v in tl.secret_values(c.arguments)}

            def check(answer: RepliesAnswer) -> str | None:
                if len(answer.texts) != len(marked):
                    return f"give exactly {len(marked)} texts, one per [REPLY n] in order, not {len(answer.texts)}"
                problems = []
                backing = Backing(shown, self.asker.readings)
                for number, ((_, position), text) in enumerate(zip(marked, answer.texts, strict=True), 1):
                    if not text.strip():
                        problems.append(f"The text of [REPLY {number}] is empty.")
                    if any(secret.casefold() in text.casefold() for secret in secrets):
                        problems.append(f"The text of [REPLY {number}] repeats a password or other secret the user "
                                        "typed; never say it back.")
                    missing = backing.unbacked(text, position)
                    if missing:
                        problems.append(f"The text of [REPLY {number}] states {', '.join(missing)}, which no user "
                                        "message or tool output before it shows; state only values they show.")
                return "\n".join(problems) or None

            rng = random.Random(fingerprint(conversation))
            answer: RepliesAnswer = self.asker.ask("reply", {"conversation": conversation, "replies": replies},
                                              RepliesAnswer, "reply", rng, cost, check)
            for (turn, _), text in zip(marked, answer.texts, strict=True):
                turn.text = text.strip()
            messages = dump(draft.messages())  # the later replies are worded on the new texts
            stamps = [(turn, fingerprint(messages[:draft.message_index(turn)])) for turn, _ in stamps]
        for turn, stamp in stamps:
            turn.topic["worded_on"] = stamp


def unset_choices(tool: ToolSpec, arguments: dict[str, Any]) -> list[str]:
    """The choices (enum parameters) of a write the user confirms that `arguments` leave
    to their default, each with its options: the confirmation must state every value the
    write will use, and the user must have chosen it."""
    if not needs_confirmation(tool):
        return []
    return [f"{param} (one of {', '.join(str(option) for option in schema['enum'])})"
            for param, schema in sorted(tool.parameters.get("properties", {}).items())
            if param not in arguments and isinstance(schema, dict) and isinstance(schema.get("enum"), list)
            and schema["enum"]]


def with_confirmations(bench: Workbench, turns: list[Turn], rng: random.Random) -> list[Turn]:
    """Before the first turn that makes a write the env's policy marks consequential: an
    assistant turn stating it (worded by the reply stage, kind "confirm") and the user's
    explicit yes."""
    for position, turn in enumerate(turns):
        if any(needs_confirmation(bench.tools[c.name]) for c in turn.calls if c.name in bench.tools):
            asked = Turn("assistant", "confirm", topic={"calls": [c.name for c in turn.calls]})
            agreed = Turn("user", "agree", text=w.agree(random.Random(rng.randrange(2**31))))
            return [*turns[:position], asked, agreed, *turns[position:]]
    return turns
