"""Stage 2 with a model: the four complexity injections (mask-and-extend), the refill of
masked turns (mask-and-fill) and the judge that keeps or reverts each refilled turn.
Every proposal is checked before it is used; one that never passes skips that edit."""

from __future__ import annotations

import random
from typing import Any

from toolace_mt.generation.backends.interface import CostMeter, Injection, InjectionType
from toolace_mt.generation.backends.openai_answers import (
    Backing,
    ClarificationAnswer,
    ErrorAnswer,
    ExchangeAnswer,
    KeepAnswer,
    RefillAnswer,
    dump,
    fingerprint,
    segment_of,
    states,
)
from toolace_mt.generation.backends.openai_requests import Asker
from toolace_mt.generation.draft import Call, Draft, Turn
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.plan.confirmation import needs_confirmation
from toolace_mt.generation.workbench import Workbench
from toolace_mt.llm.structured import Unusable
from toolace_mt.verifier.evidence import leaves, normalise


class Injecting:
    def __init__(self, asker: Asker) -> None:
        self.asker = asker

    def _states(self, text: str, value: Any) -> bool:
        return states(text, value, self.asker.readings)

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
                    if uses.get(key) == 1 and key not in earlier and self._states(request, value):
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
                if self._states(answer.request, value):
                    return f"the request still states {value!r}; leave it out"
                lost = [v for v in others if not self._states(answer.request, v)]
                if lost:
                    return f"the request lost {', '.join(repr(v) for v in lost)}; keep every other value"
                if not self._states(answer.answer, value):
                    return f"the user's answer must state {value!r} exactly"
                if self._states(answer.ask, value):
                    return "the assistant cannot know the value it asks for"
                return None

            context = {"conversation_before": self.asker.history_before(draft, index), "request": request.text,
                       "argument": param, "value": value, "tool": call.name}
            answer: ClarificationAnswer = self.asker.ask("inject_clarification", context, ClarificationAnswer, "inject",
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
                if self._states(answer.request, value) or not self._states(answer.request, answer.wrong_value):
                    return f"the request must state {answer.wrong_value!r} and not {value!r}"
                lost = [v for v in others if not self._states(answer.request, v)]
                if lost:
                    return f"the request lost {', '.join(repr(v) for v in lost)}; keep every other value"
                if not self._states(answer.correction, value):
                    return f"the correction must state {value!r} exactly"
                return None

            context = {"conversation_before": self.asker.history_before(draft, index), "request": request.text,
                       "argument": param, "value": value, "tool": call.name}
            answer: ErrorAnswer = self.asker.ask("inject_error_simulation", context, ErrorAnswer, "inject", rng, cost,
                                            check)
            position = next(i for i, t in enumerate(segment.turns) if any(c is call for c in t.calls))
            failing = Turn("assistant", "calls", calls=[Call(call.name, {**call.arguments, param: answer.wrong_value},
                                                             expect_ok=False)], edited=True)
            report = Turn("assistant", "error_reply", topic={"param": param}, edited=True)
            fix = Turn("user", "correction", text=answer.correction.strip(), topic={"param": param, "value": value},
                       edited=True)
            request.text = answer.request.strip()
            request.edited = True
            added = [failing, report, fix]
            if needs_confirmation(bench.tools[call.name]):
                # The write is re-done with another value: the user's yes to the first one
                # does not cover it, so it is asked about again (worded with the replies).
                added += [Turn("assistant", "confirm", topic={"calls": [call.name]}, edited=True),
                          Turn("user", "agree", text=w.agree(random.Random(rng.randrange(2**31))), edited=True)]
            segment.turns[position:position] = added
            return Injection("error_simulation", index, [failing])
        return None

    def _tool_awareness(self, bench: Workbench, draft: Draft, rng: random.Random,
                        cost: CostMeter) -> Injection | None:
        index = rng.randrange(len(draft.segments))
        context = {"tools": [{"name": t.name, "description": t.description} for t in bench.env.tools
                             if t.name not in draft.withheld], "conversation": self.asker.history(draft)}
        answer: ExchangeAnswer = self.asker.ask("inject_tool_awareness", context, ExchangeAnswer, "inject", rng, cost)
        user = Turn("user", "chat", text=answer.user.strip(), edited=True)
        refusal = Turn("assistant", "refusal", text=answer.assistant.strip(), edited=True)
        draft.segments[index].turns.extend([user, refusal])
        return Injection("tool_awareness", index, [refusal])

    def _chat(self, bench: Workbench, draft: Draft, rng: random.Random, cost: CostMeter) -> Injection | None:
        index = rng.randrange(len(draft.segments))
        upto = self.asker.history_before(draft, index + 1)
        answer: ExchangeAnswer = self.asker.ask("inject_non_function_call", {"conversation": upto}, ExchangeAnswer,
                                           "inject", rng, cost)
        user = Turn("user", "chat", text=answer.user.strip(), edited=True)
        reply = Turn("assistant", "chat_reply", text=answer.assistant.strip(), edited=True)
        draft.segments[index].turns.extend([user, reply])
        return Injection("non_function_call", index, [reply])

    def refill(self, draft: Draft, turns: list[Turn], rng: random.Random, cost: CostMeter,
               bench: Workbench) -> list[str | None]:
        """One request for all masked turns; a user turn that loses a value it stated is not edited."""
        shown = draft.messages()
        messages = dump(shown)
        masked = []
        for number, turn in enumerate(turns, 1):
            position = draft.message_index(turn)
            masked.append({"mask": number, "role": turn.role, "kind": turn.kind, "text": turn.text})
            messages[position] = {"role": turn.role, "content": f"[MASK {number}]"}

        def check(answer: RefillAnswer) -> str | None:
            if len(answer.texts) != len(turns):
                return f"give exactly {len(turns)} texts, one per mask"
            return None

        answer: RefillAnswer = self.asker.ask("refill", {"conversation": messages, "masked": masked}, RefillAnswer,
                                         "refine", rng, cost, check)
        out: list[str | None] = []
        backing = Backing(shown, self.asker.readings)  # the masks in conversation order: the evidence grows once
        for turn, text in zip(turns, answer.texts, strict=True):
            segment = draft.segments[segment_of(draft, turn)]
            needed = [v for t in segment.turns for c in t.calls for v in leaves(c.arguments)
                      if v is not None and not isinstance(v, bool) and self._states(turn.text or "", v)]
            if turn.role == "user":
                keeps = bool(text.strip()) and all(self._states(text, v) for v in needed)
            else:
                keeps = bool(text.strip()) and not backing.unbacked(text, draft.message_index(turn))
            out.append(text.strip() if keeps else None)
        return out

    def keep_edits(self, draft: Draft, turns: list[Turn], old: list[str], new: list[str | None],
                   cost: CostMeter) -> list[bool]:
        edits = [{"old": o, "new": n} for o, n in zip(old, new, strict=True)]
        rng = random.Random(fingerprint(edits))

        def check(answer: KeepAnswer) -> str | None:
            return None if len(answer.keep) == len(turns) else f"give exactly {len(turns)} booleans, one per edit"

        answer: KeepAnswer = self.asker.ask("keep_edits", {"conversation": dump(draft.messages()), "edits": edits},
                                       KeepAnswer, "judge", rng, cost, check)
        return [bool(keep) and n is not None and n != o for keep, o, n in zip(answer.keep, old, new, strict=True)]
