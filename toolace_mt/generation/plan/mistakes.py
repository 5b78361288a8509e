"""Error simulation (stage 2): the user's own slip that really misses, told in words and
corrected. A mistyped id or number the tool rejects, or a misspelt name a search finds
nothing for; never a typo that lands on another real record (someone else's report)."""

from __future__ import annotations

import json
import random
import re
from typing import TYPE_CHECKING, Any

from toolace_mt.generation.backends.interface import Injection
from toolace_mt.generation.draft import Call, Draft, Segment, Turn
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.language.confirm_wording import checked_facts, id_names
from toolace_mt.generation.plan.confirmation import needs_confirmation
from toolace_mt.generation.plan.value_keys import is_id
from toolace_mt.generation.plan.value_shapes import listed_options
from toolace_mt.generation.workbench import Workbench
from toolace_mt.verifier.behaviour import found_nothing
from toolace_mt.verifier.evidence import leaves, normalise
from toolace_mt.verifier.id_fields import words_of

if TYPE_CHECKING:
    from toolace_mt.generation.plan.injections import Words


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


def simulate_error(bench: Workbench, draft: Draft, rng: random.Random,
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
                if not _told_in_confirmation(bench, call, checker.name, param, value):
                    continue  # a check whose output the confirmation does not tell (a note's body) is padding
                position, call = confirm_at, Call(checker.name, {param: value})
            if call is None or position is None:
                continue
            typo = _missing_typo(bench, call, param, value, rng, as_digits=kind == "ids",
                                 may_find_nothing=kind == "names" and not bench.tools[call.name].writes)
            if typo is None:
                continue  # (a typo misses: it never lands on another real record, someone else's report)
            wrong, missed = typo
            arguments = {**call.arguments, param: wrong}
            request = segment.turns[0]
            request.topic = {**request.topic, "wrong": {param: wrong}}
            request.text = words.word_request(bench, segment, request)
            if says(request.text, value):
                request.topic.pop("wrong")
                request.text = words.word_request(bench, segment, request)
                continue
            # A search for a misspelt name really finds nothing ("bugdet"): told as not found.
            failing = Turn("assistant", "calls", calls=[Call(call.name, arguments, expect_ok=missed)],
                           edited=True)
            together = [] if missed else _named_with(bench.trial(call.name, arguments), param, arguments)
            report = Turn("assistant", "error_reply", seed=rng.randrange(2**31),
                          topic={"param": param, **({"found_nothing": wrong} if missed else {}),
                                 **({"together": together} if together else {})}, edited=True)
            fix = Turn("user", "correction", seed=rng.randrange(2**31),
                       topic={"param": param, "value": value, **({"respelt": True} if missed else {})},
                       edited=True)
            fix.text = words.word_turn(bench, draft, segment, fix)
            checked = [Turn("assistant", "calls", calls=[Call(call.name, {param: value})], edited=True)] \
                if segment.turns[position].kind == "confirm" else []  # the status check, on the right record
            segment.turns[position:position] = [failing, report, fix, *checked]
            request.edited = True
            return Injection("error_simulation", index, [failing])
    return None


def _told_in_confirmation(bench: Workbench, write: Call, checker: str, param: str, value: Any) -> bool:
    """Whether the confirmation of `write` will tell what `checker` shows of the record:
    its status, amount or date ("it's pending"), or, for a value the write takes beside
    the record it acts on, its name ("with the pet ID 1008 (Rex)")."""
    looked = bench.trial(checker, {param: value})
    if not looked.ok or not isinstance(looked.result, dict):
        return False
    return bool(checked_facts(looked.result)) or (
        w.referent_argument(write.name, write.arguments) != param and str(value) in id_names([looked.result]))


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


_DATED = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}")


def says(text: str, value: Any) -> bool:
    """Whether the text holds the value (a number as a whole token: 50 is not in 500)."""
    if isinstance(value, str):
        return normalise(value) in normalise(text)
    return re.search(rf"(?<![\d.]){re.escape(str(value))}(?![\d]|\.\d)", text) is not None


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
