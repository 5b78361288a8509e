"""Stage 2 of the offline backend: where each complexity type goes into a draft and what
it changes in the plan (a value held back for a clarification, a refused request, small
talk; the user's mistakes are plan/mistakes). The new turns' words come from `words`
(the backend's language side)."""

from __future__ import annotations

import json
import random
from typing import Any, Protocol

from toolace_mt.generation.backends.interface import Injection, InjectionType
from toolace_mt.generation.draft import Draft, Segment, Turn, stated_param
from toolace_mt.generation.language import tool_language as tl
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.language.field_clauses import sayable
from toolace_mt.generation.language.spoken_values import natural
from toolace_mt.generation.plan.mistakes import says, simulate_error
from toolace_mt.generation.workbench import Workbench
from toolace_mt.verifier.evidence import leaves, normalise


class Words(Protocol):
    """The language side an injection words its new turns with."""

    def word_request(self, bench: Workbench, segment: Segment, turn: Turn) -> str: ...

    def word_turn(self, bench: Workbench, draft: Draft, segment: Segment, turn: Turn) -> str: ...


def inject(words: Words, bench: Workbench, draft: Draft, kind: InjectionType, rng: random.Random) -> Injection | None:
    handler = {"clarification": _clarify, "tool_awareness": _tool_awareness,
               "error_simulation": simulate_error, "non_function_call": _chat}[kind]
    return handler(bench, draft, rng, words)


def _fresh_segments(draft: Draft, rng: random.Random) -> list[int]:
    order = [i for i, s in enumerate(draft.segments) if not any(t.edited for t in s.turns)]
    rng.shuffle(order)
    return order


def _clarify(bench: Workbench, draft: Draft, rng: random.Random,
             words: Words) -> Injection | None:
    for index in _fresh_segments(draft, rng):
        segment = draft.segments[index]
        earlier_text = " ".join(normalise(t.text or "") for s in draft.segments[:index] for t in s.turns)
        earlier_values = {normalise(str(v)) for s in draft.segments[:index] for t in s.turns for c in t.calls
                          for v in leaves(c.arguments)}
        params = [p for p, v in segment.stated.items() if isinstance(v, str | int | float)
                  and not isinstance(v, bool) and len(str(v)) >= 3 and not _snake_word(v)
                  and normalise(str(v)) not in earlier_text and normalise(str(v)) not in earlier_values
                  and not _optional_filter(bench, segment, p, v) and _taken(segment, v)]
        if not params:
            continue
        param = rng.choice(params)
        value = segment.stated[param]
        others = [normalise(str(v)) for p, v in segment.stated.items() if p != param]
        if any(normalise(str(value)) in o for o in others):
            continue
        request = segment.turns[0]
        request.topic = {**request.topic, "hidden": param}
        request.text = words.word_request(bench, segment, request)
        if normalise(str(value)) in normalise(request.text):
            request.topic.pop("hidden")
            request.text = words.word_request(bench, segment, request)
            continue
        ask = Turn("assistant", "ask", seed=rng.randrange(2**31), topic={"param": param}, edited=True)
        answer = Turn("user", "answer", seed=rng.randrange(2**31), topic={"param": param, "value": value},
                      edited=True)
        ask.text = words.word_turn(bench, draft, segment, ask)
        answer.text = words.word_turn(bench, draft, segment, answer)
        segment.turns[1:1] = [ask, answer]
        request.edited = True
        return Injection("clarification", index, [ask, answer], argument=param, value=value)
    return None


def _taken(segment: Segment, value: Any) -> bool:
    """Whether a call of the segment takes `value` (a record the user names, "the Bernard
    Pharmacy", is not: its id is read off a look-up, so an answer naming it feeds no call)."""
    return any(leaf == value for turn in segment.turns for call in turn.calls for leaf in leaves(call.arguments))


def _optional_filter(bench: Workbench, segment: Segment, param: str, value: Any) -> bool:
    """Whether `param` only narrows a look-up: an optional choice (an enum) of a read. The
    user chose it; asking for it would ask for what the request does not need (nor for the
    second of two, "category for search products": kitchen, then home)."""
    name = stated_param(param)
    uses = [call for turn in segment.turns for call in turn.calls if call.arguments.get(name) == value]
    for call in uses:
        tool = bench.tools[call.name]
        schema = tool.parameters.get("properties", {}).get(name) or {}
        if tool.writes or name in tool.parameters.get("required", []) or not schema.get("enum"):
            return False
    return bool(uses)


def _tool_awareness(bench: Workbench, draft: Draft, rng: random.Random,
                    words: Words) -> Injection | None:
    if rng.random() < 0.5:
        for index in _fresh_segments(draft, rng):
            segment = draft.segments[index]
            target = segment.target
            elsewhere = any(c.name == target for i, s in enumerate(draft.segments) if i != index
                            for t in s.turns for c in t.calls)
            relied_on = any(index in s.relies_on for s in draft.segments)
            if not bench.tools[target].writes or elsewhere or relied_on or len(draft.segments) < 2 \
                    or _repeats_without(bench, draft, index):
                continue
            spec = bench.tools[target]
            said = random.Random(rng.randrange(2**31))
            # Said in other words than the tool's name ("add checked bags", "withdraw funds").
            named = " ".join(w.snake(target).split("_"))
            request = tl.refusal_topic(spec)
            if spec.phrasing or named in request.casefold():
                request = next((p for p in (w.task_phrase(target, said) for _ in range(6)) if named not in p),
                               request if named not in request.casefold() else w.task_phrase(target, said))
            refusal = Turn("assistant", "refusal", seed=rng.randrange(2**31),
                           topic={"request": request}, edited=True)
            refusal.text = words.word_turn(bench, draft, segment, refusal)
            segment.turns = [segment.turns[0], refusal]
            segment.turns[0].edited = True
            draft.withheld.append(target)
            return Injection("tool_awareness", index, [refusal], tool=target)
    index = rng.randrange(len(draft.segments))
    segment = draft.segments[index]
    request = rng.choice(w.UNSUPPORTED)
    ask = Turn("user", "chat", seed=rng.randrange(2**31), topic={"request": request}, edited=True)
    refusal = Turn("assistant", "refusal", seed=rng.randrange(2**31), topic={"request": request}, edited=True)
    ask.text = words.word_turn(bench, draft, segment, ask)
    refusal.text = words.word_turn(bench, draft, segment, refusal)
    segment.turns.extend([ask, refusal])
    return Injection("tool_awareness", index, [refusal])


def _repeats_without(bench: Workbench, draft: Draft, index: int) -> bool:
    """Whether, with sub-task `index`'s calls gone (its write refused), a read would repeat
    an earlier identical read with no write between them (the speed asked twice)."""
    seen: set[tuple[str, str]] = set()
    for i, segment in enumerate(draft.segments):
        if i == index:
            continue
        for turn in segment.turns:
            for call in turn.calls:
                if bench.tools[call.name].writes:
                    seen.clear()
                    continue
                key = (call.name, json.dumps(call.arguments, sort_keys=True, default=str))
                if key in seen:
                    return True
                seen.add(key)
    return False


def _chat(bench: Workbench, draft: Draft, rng: random.Random,
          words: Words) -> Injection | None:
    index = rng.randrange(len(draft.segments))
    segment = draft.segments[index]
    topic: dict[str, Any] = {}
    if rng.random() < 0.6:
        recalled = _recall(draft, index, rng)
        if recalled is not None:
            source, key, value = recalled
            topic = {"recall": key, "value": value, "source": source}
    user = Turn("user", "chat", seed=rng.randrange(2**31), topic=topic, edited=True)
    reply = Turn("assistant", "chat_reply", seed=rng.randrange(2**31), topic=topic, edited=True)
    user.text = words.word_turn(bench, draft, segment, user)
    reply.text = words.word_turn(bench, draft, segment, reply)
    segment.turns.extend([user, reply])
    return Injection("non_function_call", index, [reply])


def _recall(draft: Draft, index: int, rng: random.Random) -> tuple[int, str, Any] | None:
    """A fact to be reminded of after sub-task `index`: one an EARLIER sub-task's reply told
    (asked right after the reply that said it, it reads as a user who did not read it), of
    a field no output since shows (else "what was the status again?" could mean either),
    never one the user said themselves ("what was the phone again?" after dictating it)."""
    said = " ".join(t.text or "" for s in draft.segments for t in s.turns if t.role == "user")
    found = []
    for source in range(index):
        output = draft.segments[source].target_output()
        if not isinstance(output, dict):
            continue
        replied = next((t.text or "" for t in reversed(draft.segments[source].turns) if t.kind == "reply"), "")
        since = {key for s in draft.segments[source + 1:index + 1] for t in s.turns for c in t.calls
                 if c.result is not None and c.result.ok for key in _keys(c.result.result)}
        found += [(source, k, v) for k, v in output.items() if isinstance(v, str | int | float)
                  and not isinstance(v, bool) and str(v) and len(str(v)) < 40 and w.speakable(k) and sayable(k, v)
                  and not (isinstance(v, str) and len(v.split()) >= 3)  # a sentence is not asked back
                  and (says(replied, v) or says(replied, natural(v, k))) and not says(said, v)
                  and k not in since]
    return rng.choice(found) if found else None


def _keys(output: Any) -> set[str]:
    """The field names of an output (its records' too, in a list)."""
    records = output if isinstance(output, list) else [output]
    return {key for record in records if isinstance(record, dict) for key in record}


def _snake_word(value: Any) -> bool:
    """`no_longer_needed`: said in words by the user, so no answer could give it verbatim."""
    return isinstance(value, str) and ("_" in value or "-" in value) \
        and value.replace("_", "").replace("-", "").isalpha() and value.islower()

