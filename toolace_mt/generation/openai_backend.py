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

import hashlib
import json
import random
from typing import Any

from pydantic import BaseModel, Field

from sandbox import CallResult
from toolace_mt.generation import tool_language as tl
from toolace_mt.generation import wording as w
from toolace_mt.generation.backend import CostMeter, Injection, InjectionType, Stage, SubTaskPlan
from toolace_mt.generation.confirmation import needs_confirmation
from toolace_mt.generation.draft import Call, Draft, Segment, Turn
from toolace_mt.generation.settings import Settings
from toolace_mt.generation.workbench import Workbench
from toolace_mt.llm.client import ChatClient
from toolace_mt.llm.prompts import prompt
from toolace_mt.llm.settings import ModelSettings
from toolace_mt.llm.structured import Unusable, ask, record_cost
from toolace_mt.record import Message, ToolMessage, UserMessage
from toolace_mt.verifier.dialogue import Dialogue
from toolace_mt.verifier.evidence import Evidence, grounded_string, leaves, mentions, normalise
from toolace_mt.verifier.grounding import _ungrounded
from toolace_mt.verifier.judge import SubQuestion, Verdict

ROWS_PER_TABLE = 3
MAX_TABLES = 4
SKELETON_REPAIRS = 3  # rounds of real errors/outputs fed back while drafting one sub-task


# -- answers ------------------------------------------------------------------
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


# -- helpers ------------------------------------------------------------------
def _dump(messages: list[Any]) -> list[dict[str, Any]]:
    return [m.model_dump(mode="json", exclude_none=True) for m in messages]


def _fingerprint(messages: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(messages, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def _states(text: str, value: Any) -> bool:
    """`text` states `value` by the verifier's grounding rules (ids exactly, numbers as numbers)."""
    evidence = Evidence()
    evidence.add_text(text)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return evidence.has_number(float(value))
    return grounded_string(str(value), evidence, free_text=False)


def _unbacked(text: str, before: list[Message]) -> list[str]:
    """Ids, numbers and dates in an assistant text that nothing shown before backs (the
    verifier's consistency rule), so the model can be told before the verifier drops it."""
    evidence = Evidence()
    for message in before:
        evidence.add_message(message)
    found = mentions(text)
    missing = [i for i in found.ids if i not in evidence.ids and i.lstrip("#") not in evidence.ids]
    missing += [f"{n:g}" for n in found.numbers if not evidence.has_number(n)]
    missing += ["-".join(str(p) for p in d if p is not None) for d in found.dates if not evidence.has_date(d)]
    return missing


def _result_json(result: CallResult) -> Any:
    if result.ok:
        return result.result
    assert result.error is not None
    return {"error": {"type": result.error.type, "message": result.error.message}}


def _segment_of(draft: Draft, turn: Turn) -> int:
    return next(i for i, s in enumerate(draft.segments) if any(t is turn for t in s.turns))


class OpenAIBackend:
    """Implements `Backend` with one ChatClient (shared by the threads of a worker)."""

    name = "openai"

    def __init__(self, client: ChatClient, settings: Settings, model: ModelSettings) -> None:
        self.client = client
        self.settings = settings
        self.model = model

    # -- plumbing -------------------------------------------------------------
    def _ask(self, task: str, context: Any, answer: type[BaseModel], stage: Stage, rng: random.Random,
             cost: CostMeter, check: Any = None, max_repairs: int | None = None, **values: object) -> Any:
        system = prompt(task, subtasks_low=self.settings.subtasks[0], subtasks_high=self.settings.subtasks[1],
                        steps_low=self.settings.steps[0], steps_high=self.settings.steps[1],
                        injections_low=self.settings.injections[0], injections_high=self.settings.injections[1],
                        refine_steps=self.settings.refine_steps, **values)
        return ask(self.client, system, context, answer, stage=stage, cost=cost, seed=rng.randrange(2**31),
                   max_reasks=self.model.max_reasks, check=check, max_repairs=max_repairs)

    def _tools(self, bench: Workbench, draft: Draft | None = None) -> list[dict[str, Any]]:
        withheld = set(draft.withheld) if draft is not None else set()
        return [t.openai() for t in bench.env.tools if t.name not in withheld]

    def _rows(self, bench: Workbench, tools: list[str], rng: random.Random) -> dict[str, list[dict[str, Any]]]:
        """A few real rows of the tables the tools' parameters name (current state)."""
        tables: list[str] = []
        for name in tools:
            for param in bench.tools[name].parameters.get("properties", {}):
                for table, _ in bench.catalog.tables_with(param):
                    if table not in tables:
                        tables.append(table)
        tables = tables[:MAX_TABLES] or sorted(bench.catalog.primary_keys)[:MAX_TABLES]
        out = {}
        for table in tables:
            order = ", ".join(f'"{k}"' for k in bench.catalog.primary_keys[table])
            rows = bench.env.query(f'SELECT * FROM "{table}" ORDER BY {order} LIMIT 200')
            picked = rng.sample(rows, min(ROWS_PER_TABLE, len(rows)))
            out[table] = [{k: (v[:200] if isinstance(v, str) else v) for k, v in row.items()} for row in picked]
        return out

    def _history(self, draft: Draft) -> list[dict[str, Any]]:
        return _dump(draft.messages())

    # -- stage 1 --------------------------------------------------------------
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
                   "rows": self._rows(bench, [t.name for t in tools], rng)}
        try:
            answer: PlanAnswer = self._ask("plan", context, PlanAnswer, "plan", rng, cost, check, subtasks=subtasks)
        except Unusable:
            return []
        return [SubTaskPlan(target=s.tool, steps=min(max(s.steps, steps[0]), steps[1])) for s in answer.subtasks]

    def draft_segment(self, bench: Workbench, plan: SubTaskPlan, draft: Draft, rng: random.Random,
                      cost: CostMeter) -> Segment | None:
        """One request drafts the sub-task (request and calls by turn); the calls run for
        real and failures or unstated values are fed back until it holds (bounded)."""
        env = bench.env
        history = self._history(draft)
        ran: list[list[CallResult]] = []
        offered = {t["function"]["name"] for t in self._tools(bench, draft)}

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
            evidence = Evidence()
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
                        result = env.call(call.name, call.arguments)
                        results.append(result)
                        outputs.append(f"turn {number}, {call.name}({json.dumps(call.arguments)}) -> "
                                       f"{json.dumps(_result_json(result), default=str)[:1500]}")
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

        context = {"tools": self._tools(bench, draft), "plan": {"target": plan.target, "steps": plan.steps},
                   "rows": self._rows(bench, [plan.target], rng), "conversation": history}
        try:
            answer: SkeletonAnswer = self._ask("skeleton", context, SkeletonAnswer, "skeleton", rng, cost, check,
                                               max_repairs=SKELETON_REPAIRS, steps=plan.steps)
        except Unusable:
            return None
        tool = bench.tools[plan.target]
        request = Turn("user", "request", text=answer.request, topic={"target": plan.target})
        turns = [Turn("assistant", "calls", calls=[Call(c.name, c.arguments) for c in calls]) for calls in answer.turns]
        turns = with_confirmations(bench, turns, rng)
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
        messages = _dump(shown)
        stamps: list[tuple[Turn, str]] = []  # (turn, the conversation it is worded on)
        marked: list[tuple[Turn, int]] = []  # (turn, its message index)
        for turn in draft.reply_turns(segments):
            position = draft.message_index(turn)
            stamp = _fingerprint(messages[:position])
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
                for number, ((_, position), text) in enumerate(zip(marked, answer.texts, strict=True), 1):
                    if not text.strip():
                        problems.append(f"The text of [REPLY {number}] is empty.")
                    if any(secret.casefold() in text.casefold() for secret in secrets):
                        problems.append(f"The text of [REPLY {number}] repeats a password or other secret the user "
                                        "typed; never say it back.")
                    missing = _unbacked(text, shown[:position])
                    if missing:
                        problems.append(f"The text of [REPLY {number}] states {', '.join(missing)}, which no user "
                                        "message or tool output before it shows; state only values they show.")
                return "\n".join(problems) or None

            rng = random.Random(_fingerprint(conversation))
            answer: RepliesAnswer = self._ask("reply", {"conversation": conversation, "replies": replies},
                                              RepliesAnswer, "reply", rng, cost, check)
            for (turn, _), text in zip(marked, answer.texts, strict=True):
                turn.text = text.strip()
            messages = _dump(draft.messages())  # the later replies are worded on the new texts
            stamps = [(turn, _fingerprint(messages[:draft.message_index(turn)])) for turn, _ in stamps]
        for turn, stamp in stamps:
            turn.topic["worded_on"] = stamp

    # -- stage 2 --------------------------------------------------------------
    def inject(self, bench: Workbench, draft: Draft, kind: InjectionType, rng: random.Random,
               cost: CostMeter) -> Injection | None:
        handler = {"clarification": self._clarify, "tool_awareness": self._tool_awareness,
                   "error_simulation": self._error, "non_function_call": self._chat}[kind]
        try:
            return handler(bench, draft, rng, cost)
        except Unusable:
            return None

    def _fresh(self, draft: Draft, rng: random.Random) -> list[int]:
        order = [i for i, s in enumerate(draft.segments) if not any(t.edited for t in s.turns)]
        rng.shuffle(order)
        return order

    def _stated_values(self, draft: Draft, index: int) -> list[tuple[str, Call, Any]]:
        """(argument, call, value) of the sub-task's calls whose value its request states and
        nothing earlier shows, used by one argument of one call only."""
        segment = draft.segments[index]
        request = segment.turns[0].text or ""
        earlier = " ".join(normalise(t.text or "") for s in draft.segments[:index] for t in s.turns)
        uses: dict[str, int] = {}
        for turn in segment.turns:
            for call in turn.calls:
                for leaf in leaves(call.arguments):
                    uses[normalise(str(leaf))] = uses.get(normalise(str(leaf)), 0) + 1
        found = []
        for turn in segment.turns:
            for call in turn.calls:
                for param, value in call.arguments.items():
                    if isinstance(value, bool) or not isinstance(value, str | int | float) or len(str(value)) < 3:
                        continue
                    key = normalise(str(value))
                    if uses.get(key) == 1 and key not in earlier and _states(request, value):
                        found.append((param, call, value))
        return found

    def _clarify(self, bench: Workbench, draft: Draft, rng: random.Random, cost: CostMeter) -> Injection | None:
        for index in self._fresh(draft, rng):
            segment = draft.segments[index]
            options = self._stated_values(draft, index)
            if not options:
                continue
            param, call, value = rng.choice(options)
            request = segment.turns[0]
            others = [v for p, c, v in options if v != value]

            def check(answer: ClarificationAnswer, value: Any = value, others: list[Any] = others) -> str | None:
                if _states(answer.request, value):
                    return f"the request still states {value!r}; leave it out"
                lost = [v for v in others if not _states(answer.request, v)]
                if lost:
                    return f"the request lost {', '.join(repr(v) for v in lost)}; keep every other value"
                if not _states(answer.answer, value):
                    return f"the user's answer must state {value!r} exactly"
                if _states(answer.ask, value):
                    return "the assistant cannot know the value it asks for"
                return None

            context = {"conversation_before": self._history_before(draft, index), "request": request.text,
                       "argument": param, "value": value, "tool": call.name}
            answer: ClarificationAnswer = self._ask("inject_clarification", context, ClarificationAnswer, "inject",
                                                    rng, cost, check)
            request.text = answer.request.strip()
            ask_turn = Turn("assistant", "ask", text=answer.ask.strip(), topic={"param": param}, edited=True)
            answer_turn = Turn("user", "answer", text=answer.answer.strip(), topic={"param": param, "value": value},
                               edited=True)
            segment.turns[1:1] = [ask_turn, answer_turn]
            request.edited = True
            return Injection("clarification", index, [ask_turn, answer_turn], argument=param, value=value)
        return None

    def _error(self, bench: Workbench, draft: Draft, rng: random.Random, cost: CostMeter) -> Injection | None:
        for index in self._fresh(draft, rng):
            segment = draft.segments[index]
            options = [(p, c, v) for p, c, v in self._stated_values(draft, index)
                       if isinstance(v, str) and any(ch.isdigit() for ch in v)]
            if not options:
                continue
            param, call, value = rng.choice(options)
            request = segment.turns[0]
            others = [v for p, c, v in self._stated_values(draft, index) if v != value]

            def check(answer: ErrorAnswer, value: Any = value, others: list[Any] = others) -> str | None:
                if normalise(answer.wrong_value) == normalise(str(value)):
                    return "wrong_value must differ from the correct value"
                if _states(answer.request, value) or not _states(answer.request, answer.wrong_value):
                    return f"the request must state {answer.wrong_value!r} and not {value!r}"
                lost = [v for v in others if not _states(answer.request, v)]
                if lost:
                    return f"the request lost {', '.join(repr(v) for v in lost)}; keep every other value"
                if not _states(answer.correction, value):
                    return f"the correction must state {value!r} exactly"
                return None

            context = {"conversation_before": self._history_before(draft, index), "request": request.text,
                       "argument": param, "value": value, "tool": call.name}
            answer: ErrorAnswer = self._ask("inject_error_simulation", context, ErrorAnswer, "inject", rng, cost,
                                            check)
            position = next(i for i, t in enumerate(segment.turns) if any(c is call for c in t.calls))
            failing = Turn("assistant", "calls", calls=[Call(call.name, {**call.arguments, param: answer.wrong_value},
                                                             expect_ok=False)], edited=True)
            report = Turn("assistant", "error_reply", topic={"param": param}, edited=True)
            fix = Turn("user", "correction", text=answer.correction.strip(), topic={"param": param, "value": value},
                       edited=True)
            request.text = answer.request.strip()
            request.edited = True
            segment.turns[position:position] = [failing, report, fix]
            return Injection("error_simulation", index, [failing])
        return None

    def _tool_awareness(self, bench: Workbench, draft: Draft, rng: random.Random,
                        cost: CostMeter) -> Injection | None:
        index = rng.randrange(len(draft.segments))
        context = {"tools": [{"name": t.name, "description": t.description} for t in bench.env.tools
                             if t.name not in draft.withheld], "conversation": self._history(draft)}
        answer: ExchangeAnswer = self._ask("inject_tool_awareness", context, ExchangeAnswer, "inject", rng, cost)
        user = Turn("user", "chat", text=answer.user.strip(), edited=True)
        refusal = Turn("assistant", "refusal", text=answer.assistant.strip(), edited=True)
        draft.segments[index].turns.extend([user, refusal])
        return Injection("tool_awareness", index, [refusal])

    def _chat(self, bench: Workbench, draft: Draft, rng: random.Random, cost: CostMeter) -> Injection | None:
        index = rng.randrange(len(draft.segments))
        upto = self._history_before(draft, index + 1)
        answer: ExchangeAnswer = self._ask("inject_non_function_call", {"conversation": upto}, ExchangeAnswer,
                                           "inject", rng, cost)
        user = Turn("user", "chat", text=answer.user.strip(), edited=True)
        reply = Turn("assistant", "chat_reply", text=answer.assistant.strip(), edited=True)
        draft.segments[index].turns.extend([user, reply])
        return Injection("non_function_call", index, [reply])

    def _history_before(self, draft: Draft, index: int) -> list[dict[str, Any]]:
        """The conversation before segment `index` (all of it when index is past the end)."""
        messages = _dump(draft.messages())
        if index >= len(draft.segments):
            return messages
        return messages[:draft.message_index(draft.segments[index].turns[0])]

    def refill(self, draft: Draft, turns: list[Turn], rng: random.Random, cost: CostMeter,
               bench: Workbench) -> list[str | None]:
        """One request for all masked turns; a user turn that loses a value it stated is not edited."""
        shown = draft.messages()
        messages = _dump(shown)
        masked = []
        for number, turn in enumerate(turns, 1):
            position = draft.message_index(turn)
            masked.append({"mask": number, "role": turn.role, "kind": turn.kind, "text": turn.text})
            messages[position] = {"role": turn.role, "content": f"[MASK {number}]"}

        def check(answer: RefillAnswer) -> str | None:
            if len(answer.texts) != len(turns):
                return f"give exactly {len(turns)} texts, one per mask"
            return None

        answer: RefillAnswer = self._ask("refill", {"conversation": messages, "masked": masked}, RefillAnswer,
                                         "refine", rng, cost, check)
        out: list[str | None] = []
        for turn, text in zip(turns, answer.texts, strict=True):
            segment = draft.segments[_segment_of(draft, turn)]
            needed = [v for t in segment.turns for c in t.calls for v in leaves(c.arguments)
                      if v is not None and not isinstance(v, bool) and _states(turn.text or "", v)]
            if turn.role == "user":
                keeps = bool(text.strip()) and all(_states(text, v) for v in needed)
            else:
                keeps = bool(text.strip()) and not _unbacked(text, shown[:draft.message_index(turn)])
            out.append(text.strip() if keeps else None)
        return out

    def keep_edits(self, draft: Draft, turns: list[Turn], old: list[str], new: list[str | None],
                   cost: CostMeter) -> list[bool]:
        edits = [{"old": o, "new": n} for o, n in zip(old, new, strict=True)]
        rng = random.Random(_fingerprint(edits))

        def check(answer: KeepAnswer) -> str | None:
            return None if len(answer.keep) == len(turns) else f"give exactly {len(turns)} booleans, one per edit"

        answer: KeepAnswer = self._ask("keep_edits", {"conversation": _dump(draft.messages()), "edits": edits},
                                       KeepAnswer, "judge", rng, cost, check)
        return [bool(keep) and n is not None and n != o for keep, o, n in zip(answer.keep, old, new, strict=True)]

    def judge(self, cost: CostMeter) -> ModelJudge:
        return ModelJudge(self, cost)

    # -- MAS ------------------------------------------------------------------
    def play_user(self, bench: Workbench, plan: SubTaskPlan, draft: Draft, rng: random.Random,
                  cost: CostMeter) -> Segment | None:
        """The user agent opens the sub-task (one request), then the assistant agent acts on
        it turn by turn with the tools (one request per turn), every call executed."""
        tool = bench.tools[plan.target]
        context = {"domain": bench.env.description,
                   "target": {"name": tool.name, "description": tool.description, "parameters": tool.parameters},
                   "rows": self._rows(bench, [plan.target], rng), "conversation": self._history(draft)}
        opening: RequestAnswer = self._ask("mas_user", context, RequestAnswer, "mas_user", rng, cost)
        request = Turn("user", "request", text=opening.request.strip(), topic={"target": plan.target, "played": True})
        messages = [*self._history(draft), {"role": "user", "content": request.text}]
        messages[0] = {"role": "system", "content": f"{draft.system}\n\n{prompt('mas_assistant')}"}
        tools = self._tools(bench, draft)
        env = bench.env
        before = env.snapshot()
        turns: list[Turn] = []
        text = None
        try:
            for _ in range(plan.steps + 2):
                answer = self.client.complete(messages, tools=tools, stage="mas_assistant", seed=rng.randrange(2**31))
                record_cost(cost, "mas_assistant", messages, answer)
                calls = answer.message.get("tool_calls") or []
                if not calls:
                    text = (answer.message.get("content") or "").strip() or None
                    break
                messages.append({"role": "assistant", "content": answer.message.get("content"), "tool_calls": calls})
                made = []
                for call in calls:
                    name = call["function"]["name"]
                    try:
                        arguments = json.loads(call["function"]["arguments"] or "{}")
                    except json.JSONDecodeError as exc:
                        arguments = None
                        content = json.dumps({"error": {"type": "InvalidArguments",
                                                        "message": f"arguments are not JSON: {exc}"}})
                    if isinstance(arguments, dict):
                        result = env.call(name, arguments)  # schema-checked by the sandbox before it runs
                        made.append(Call(name, arguments, expect_ok=result.ok, result=result))
                        content = result.content()
                    elif arguments is not None:
                        content = json.dumps({"error": {"type": "InvalidArguments",
                                                        "message": "arguments must be a JSON object"}})
                    messages.append({"role": "tool", "tool_call_id": call["id"], "content": content})
                if made:
                    turns.append(Turn("assistant", "calls", calls=made, topic={"played": True}))
        finally:
            env.restore(before)
        if not any(c.expect_ok for t in turns for c in t.calls):
            return None
        reply = Turn("assistant", "reply", text=text, topic={"target": plan.target, "writes": tool.writes,
                                                              "played": True, "worded_on": "agent" if text else None})
        return Segment(goal=f"{plan.target}: {request.text[:80]}", target=plan.target, stated={},
                       turns=[request, *turns, reply])

    def play_assistant(self, bench: Workbench, segment: Segment, position: int, draft: Draft,
                       rng: random.Random, cost: CostMeter) -> Turn:
        """Turns the agent already played were paid as they were spoken; a turn an injection
        added is counted as the agent's turn (its words came from the inject prompt)."""
        turn = segment.turns[position]
        if not turn.topic.get("played"):
            cost.add("mas_assistant", 0, len(turn.text or ""))
        return turn

    def play_user_turn(self, segment: Segment, position: int, draft: Draft, cost: CostMeter) -> Turn:
        turn = segment.turns[position]
        if not turn.topic.get("played"):
            cost.add("mas_user", 0, len(turn.text or ""))
        return turn


class ModelJudge:
    """The verifier's specialists: one prompt and one request per sub-question."""

    def __init__(self, backend: OpenAIBackend, cost: CostMeter) -> None:
        self.backend = backend
        self.cost = cost

    def answer(self, question: SubQuestion, dialogue: Dialogue) -> Verdict:
        record = dialogue.record
        context: dict[str, Any] = {"conversation": _dump(record.messages)}
        if question == "task_completion":
            context["intended_calls"] = [c.model_dump(mode="json") for c in record.task.intended_calls()]
        rng = random.Random(f"{record.id}:{question}")
        try:
            verdict: VerdictAnswer = self.backend._ask(f"judge_{question}", context, VerdictAnswer, "verify", rng,
                                                       self.cost)
        except Unusable as exc:
            return Verdict(False, f"the judge's answer was unusable ({exc})")
        index = verdict.message_index
        if index is not None and not 0 <= index < len(record.messages):
            index = None
        return Verdict(verdict.passed, verdict.reason or "the judge says no", index)


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
