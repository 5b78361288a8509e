"""Stage 2 of the offline backend: where each complexity type goes into a draft and what
it changes in the plan (a value held back for a clarification, a mistyped id whose call
really fails, a refused request, small talk). The new turns' words come from `words`
(the backend's language side)."""

from __future__ import annotations

import json
import random
import re
from typing import Any, Protocol

from toolace_mt.generation.backends.interface import Injection, InjectionType
from toolace_mt.generation.draft import Call, Draft, Segment, Turn
from toolace_mt.generation.language import tool_language as tl
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.language.confirm_wording import record_facts
from toolace_mt.generation.language.speech import natural, sayable
from toolace_mt.generation.plan.confirmation import needs_confirmation
from toolace_mt.generation.plan.value_keys import is_id
from toolace_mt.generation.plan.value_shapes import listed_options
from toolace_mt.generation.workbench import Workbench
from toolace_mt.verifier.behaviour import found_nothing
from toolace_mt.verifier.evidence import leaves, normalise
from toolace_mt.verifier.id_fields import words_of


class Words(Protocol):
    """The language side an injection words its new turns with."""

    def word_request(self, bench: Workbench, segment: Segment, turn: Turn) -> str: ...

    def word_turn(self, bench: Workbench, draft: Draft, segment: Segment, turn: Turn) -> str: ...


def inject(words: Words, bench: Workbench, draft: Draft, kind: InjectionType, rng: random.Random) -> Injection | None:
    handler = {"clarification": _clarify, "tool_awareness": _tool_awareness,
               "error_simulation": _error, "non_function_call": _chat}[kind]
    return handler(bench, draft, rng, words)


def _fresh_segments(draft: Draft, rng: random.Random) -> list[int]:
    order = [i for i, s in enumerate(draft.segments) if not any(t.edited for t in s.turns)]
    rng.shuffle(order)
    return order


def _open_segments(draft: Draft, rng: random.Random) -> list[int]:
    """Segments whose request and calls no edit touched: small talk appended after the
    reply (a chat, an unsupported request refused) leaves the sub-task itself open to a
    mistake before it, so an error need not find a segment nobody chatted in."""
    order = []
    for i, segment in enumerate(draft.segments):
        last_reply = max((j for j, t in enumerate(segment.turns) if t.kind == "reply"), default=None)
        if last_reply is not None and not any(t.edited for t in segment.turns[:last_reply + 1]):
            order.append(i)
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
    user chose it; asking for it would ask for what the request does not need."""
    uses = [call for turn in segment.turns for call in turn.calls if call.arguments.get(param) == value]
    for call in uses:
        tool = bench.tools[call.name]
        schema = tool.parameters.get("properties", {}).get(param) or {}
        if tool.writes or param in tool.parameters.get("required", []) or not schema.get("enum"):
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


def _error(bench: Workbench, draft: Draft, rng: random.Random,
           words: Words) -> Injection | None:
    order = _open_segments(draft, rng)
    for kind in ("ids", "names", "numbers"):  # ids with digits first; a misspelt name, a mistyped number
        found = _error_in(bench, draft, rng, words, order, kind)
        if found is not None:
            return found
    return None


def _error_in(bench: Workbench, draft: Draft, rng: random.Random, words: Words, order: list[int],
              kind: str) -> Injection | None:
    for index in order:
        segment = draft.segments[index]
        if kind == "names":
            ids = [p for p, v in segment.stated.items() if _misspellable(bench, segment, p, v)]
        elif kind == "numbers":  # an amount or a setting with a digit too many ("500" for 50)
            ids = [p for p, v in segment.stated.items() if isinstance(v, int | float) and not isinstance(v, bool)
                   and v > 0 and not is_id(p)]
        else:  # an id with digits, as text (W1001) or a number (petId 1002)
            ids = [p for p, v in segment.stated.items() if (isinstance(v, str) and any(ch.isdigit() for ch in v)
                   and not _DATED.match(v))  # a date with a digit changed is no typo an env reports in words
                   or (isinstance(v, int) and not isinstance(v, bool) and v >= 10 and is_id(p))]
        ids = [p for p in ids if not _chosen_from_a_list(bench, segment, p)]
        rng.shuffle(ids)
        for param in ids:
            value = segment.stated[param]
            holders = [(id(c), p) for t in segment.turns for c in t.calls for p, v in c.arguments.items()
                       if any(leaf == value for leaf in leaves({p: v}))]
            if not holders or any(p != param for _, p in holders) or len({c for c, _ in holders}) != len(holders):
                # stated once for several arguments: a mistyped copy would leave the others unsaid (an order
                # id a look-up and then the write take is one argument: corrected once, before both)
                continue
            position, call = next(((i, c) for i, t in enumerate(segment.turns) for c in t.calls
                                   if c.arguments.get(param) == value), (None, None))
            if call is not None and needs_confirmation(bench.tools[call.name]):
                # A consequential write is only tried once the user said yes to it: the wrong
                # value fails a look-up of the same record first (the order's status check).
                checker = next((t for _, t in sorted(bench.tools.items()) if not t.writes
                                and t.parameters.get("required") == [param]
                                and _same_name(w.referent(t.name), param)), None)  # get_order for order_id
                confirm_at = next((i for i, t in enumerate(segment.turns) if t.kind == "confirm"), None)
                if checker is None or confirm_at is None or _made_elsewhere(draft, Call(checker.name, {param: value})):
                    continue  # the check, made here, would make that other look-up tell nothing new
                looked = bench.trial(checker.name, {param: value})
                if not (looked.ok and isinstance(looked.result, dict) and record_facts(looked.result)):
                    continue  # a check whose output the confirmation does not tell (a note's body) is padding
                position, call = confirm_at, Call(checker.name, {param: value})
            if call is None or position is None:
                continue
            typo = _missing_typo(bench, call, param, value, rng, as_digits=kind == "ids",
                                 may_find_nothing=kind == "names" and not bench.tools[call.name].writes)
            if typo is None:
                continue  # (a typo misses: it never lands on another real record, someone else's report)
            wrong, found_nothing = typo
            arguments = {**call.arguments, param: wrong}
            request = segment.turns[0]
            request.topic = {**request.topic, "wrong": {param: wrong}}
            request.text = words.word_request(bench, segment, request)
            if _says(request.text, value):
                request.topic.pop("wrong")
                request.text = words.word_request(bench, segment, request)
                continue
            # A search for a misspelt name really finds nothing ("bugdet"): told as not found.
            failing = Turn("assistant", "calls", calls=[Call(call.name, arguments, expect_ok=found_nothing)],
                           edited=True)
            together = [] if found_nothing else _named_with(bench.trial(call.name, arguments), param, arguments)
            report = Turn("assistant", "error_reply", seed=rng.randrange(2**31),
                          topic={"param": param, **({"found_nothing": wrong} if found_nothing else {}),
                                 **({"together": together} if together else {})}, edited=True)
            fix = Turn("user", "correction", seed=rng.randrange(2**31),
                       topic={"param": param, "value": value, **({"respelt": True} if found_nothing else {})},
                       edited=True)
            fix.text = words.word_turn(bench, draft, segment, fix)
            checked = [Turn("assistant", "calls", calls=[Call(call.name, {param: value})], edited=True)] \
                if segment.turns[position].kind == "confirm" else []  # the status check, on the right record
            segment.turns[position:position] = [failing, report, fix, *checked]
            request.edited = True
            return Injection("error_simulation", index, [failing])
    return None


def _named_with(outcome: Any, param: str, arguments: dict[str, Any]) -> list[str]:
    """The arguments a failing call's error names, `param` among them, in the error's order
    ("no policyholder matches that email and date of birth", "the username or password is
    incorrect"): the assistant cannot tell which was wrong, so it asks to check them all.
    [] when the error names `param` alone (or not at all)."""
    message = outcome.error.message if not outcome.ok and outcome.error is not None else ""
    said = words_of(message)

    def at(name: str) -> int | None:
        words = [w for w in words_of(name) if w != "id"]
        return min(said.index(w) for w in words) if words and set(words) <= set(said) else None

    named = sorted((at(p), p) for p in arguments if at(p) is not None)
    return [p for _, p in named] if len(named) > 1 and param in {p for _, p in named} else []


def _missing_typo(bench: Workbench, call: Call, param: str, value: Any, rng: random.Random,
                  as_digits: bool, may_find_nothing: bool) -> tuple[Any, bool] | None:
    """A typo of `value` that no real record holds and that the call really rejects, or,
    with `may_find_nothing` (a search by a name), that it finds nothing for; and whether
    it found nothing. From a few tries: a one-digit slip of trk_2054 often lands on
    another track, another slip may not. None when none misses."""
    tried: set[str] = set()
    for _ in range(_TYPO_TRIES):
        wrong = _mistype(value, rng, as_digits=as_digits)
        key = json.dumps(wrong, default=str)
        if wrong == value or key in tried or bench.values.holds(param, wrong):
            continue
        tried.add(key)
        outcome = bench.trial(call.name, {**call.arguments, param: wrong})
        if not outcome.ok:
            return wrong, False
        if may_find_nothing and found_nothing(outcome.result):
            return wrong, True
    return None


_TYPO_TRIES = 4


def _same_name(name: str | None, param: str) -> bool:
    """`order_id` and `orderId` name one parameter (compared by their words)."""
    return name is not None and words_of(name) == words_of(param)


def _made_elsewhere(draft: Draft, call: Call) -> bool:
    """Whether the draft already has this very call (same tool, same arguments)."""
    return any(c.name == call.name and c.arguments == call.arguments
               for s in draft.segments for t in s.turns for c in t.calls)


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
                  and (_says(replied, v) or _says(replied, natural(v, k))) and not _says(said, v)
                  and k not in since]
    return rng.choice(found) if found else None


def _keys(output: Any) -> set[str]:
    """The field names of an output (its records' too, in a list)."""
    records = output if isinstance(output, list) else [output]
    return {key for record in records if isinstance(record, dict) for key in record}


_DATED = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}")


def _says(text: str, value: Any) -> bool:
    """Whether the text holds the value (a number as a whole token: 50 is not in 500)."""
    if isinstance(value, str):
        return normalise(value) in normalise(text)
    return re.search(rf"(?<![\d.]){re.escape(str(value))}(?![\d]|\.\d)", text) is not None


def _snake_word(value: Any) -> bool:
    """`no_longer_needed`: said in words by the user, so no answer could give it verbatim."""
    return isinstance(value, str) and ("_" in value or "-" in value) \
        and value.replace("_", "").replace("-", "").isalpha() and value.islower()


def _chosen_from_a_list(bench: Workbench, segment: Segment, param: str) -> bool:
    """Whether a call of the segment takes `param` from a list of allowed values (an enum, or
    values its description lists): a typo there fails the schema, not the env (a cost
    center "CC-500 Operations" where only CC-100, CC-200 and CC-300 exist)."""
    for turn in segment.turns:
        for call in turn.calls:
            schema = bench.tools[call.name].parameters.get("properties", {}).get(param)
            if not isinstance(schema, dict) or param not in call.arguments:
                continue
            items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
            if schema.get("enum") or items.get("enum") or listed_options(str(schema.get("description") or "")):
                return True
    return False


def _misspellable(bench: Workbench, segment: Segment, param: str, value: Any) -> bool:
    """A name the user types (a city, a surname: letters, one to three words), not one of a
    schema's enum values (a misspelt enum is not a typo the env could report)."""
    if not (isinstance(value, str) and 4 <= len(value) <= 40 and len(value.split()) <= 3
            and all(ch.isalpha() or ch in " -'" for ch in value)):
        return False
    for turn in segment.turns:
        for call in turn.calls:
            schema = bench.tools[call.name].parameters.get("properties", {}).get(param)
            if isinstance(schema, dict) and (schema.get("enum") or schema.get("format")):
                return False
    return True


def _mistype(value: Any, rng: random.Random, as_digits: bool = False) -> Any:
    """A typo: one digit of an id changed (W1001 -> W1081, 1002 -> 1092), two letters of a
    name swapped ("Rievrton"), or a number with a digit too many (50 -> 500)."""
    if as_digits and isinstance(value, int) and not isinstance(value, bool):
        return int(_mistype(str(value), rng))  # an id keeps its length: the first digit stays
    if isinstance(value, int | float) and not isinstance(value, bool):
        wrong = value * 10 if isinstance(value, int) else round(value * 10, 2)
        return int(wrong) if isinstance(wrong, float) and wrong.is_integer() else wrong  # 7.9 -> 79, not "79.0"
    digits = [i for i, ch in enumerate(value) if ch.isdigit()]
    if not digits:
        pairs = [i for i in range(1, len(value) - 2) if value[i].isalpha() and value[i + 1].isalpha()
                 and value[i] != value[i + 1]]
        if not pairs:
            return value
        i = rng.choice(pairs)
        return value[:i] + value[i + 1] + value[i] + value[i + 2:]
    position = rng.choice(digits[1:] if len(digits) > 1 and value[:1].isdigit() else digits)  # no leading 0
    replacement = str((int(value[position]) + rng.randint(1, 8)) % 10)
    return value[:position] + replacement + value[position + 1:]
