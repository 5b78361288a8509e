"""The offline backend's language: the user's requests and the assistant's text turns,
from templates (`wording`), the envs' phrasing hints and Faker, seeded per turn so that
a turn is worded the same way each time it is asked for."""

from __future__ import annotations

import random
import re

from toolace_mt.generation import wording as w
from toolace_mt.generation.draft import Call, Segment, Turn
from toolace_mt.generation.values import value_key as _key
from toolace_mt.generation.workbench import Workbench


def request_text(bench: Workbench, segment: Segment, turn: Turn) -> str:
    """The sub-task's opening message: what is asked, the target call's values, the values
    only lookups need ("you can find me with ..."), maybe a line of the user's situation."""
    rng = random.Random(turn.seed)
    stated = dict(segment.stated)
    hidden = turn.topic.get("hidden")  # clarification: a value the user leaves out
    if hidden:
        stated.pop(hidden, None)
    for param, wrong in (turn.topic.get("wrong") or {}).items():
        stated[param] = wrong  # error simulation: the user gives a wrong value first
    tool = bench.tools[segment.target]
    phrased, covered = "", set()
    options = [filled for filled in (w.fill_phrasing(p, stated) for p in tool.phrasing) if filled]
    if options and rng.random() < 0.8:
        phrased, covered = rng.choice(options)
    else:
        phrased = rng.choice(w.ASK_FRAMES).format(task=w.task_phrase(tool.name, rng))
    target = next((c for t in segment.turns for c in t.calls if c.name == segment.target), None)
    own = {_key(v) for v in (target.arguments.values() if target else [])}
    wrong_keys = set(turn.topic.get("wrong") or {})
    rest = [(k, v) for k, v in stated.items() if k not in covered]
    mine = [(k, v) for k, v in rest if _key(v) in own or k in wrong_keys or k == hidden]
    lookups = [(_base(k), v) for k, v in rest if (k, v) not in mine]
    clauses = [w.value_clause(rng, _base(k), v) for k, v in mine]
    rng.shuffle(clauses)
    if lookups:
        taken = {_base(k) for k, _ in mine} | {_base(k) for k in covered}
        pairs = []
        for param, value in lookups:
            said = f"current {param}" if param in taken else param
            pairs.append((f"other {said}" if any(p == said for p, _ in pairs) else said, value))
        if len(pairs) > 1 and rng.random() < 0.5:
            clauses.insert(rng.randrange(len(clauses) + 1), w.join(*[w.value_clause(rng, p, v) for p, v in pairs]))
        else:
            clauses.insert(rng.randrange(len(clauses) + 1), rng.choice(w.LOOKUP_FRAMES).format(
                values=w.listed(pairs)))
    opener = rng.choice(w.FOLLOW_UPS if turn.topic.get("follow_up") else w.OPENERS)
    if opener and phrased and opener[-1] not in ".!?" and not re.match(r"I\b", phrased):
        phrased = phrased[0].lower() + phrased[1:]
    context = situation(bench, rng) if rng.random() < 0.6 else ""
    if context and rng.random() < 0.5 and (not opener or opener[-1] in ".!?"):
        return w.join(opener, context, phrased[0].upper() + phrased[1:], *clauses, _closer(bench, rng))
    return w.join(opener, phrased, *clauses, context, _closer(bench, rng))


def _closer(bench: Workbench, rng: random.Random) -> str:
    return situation(bench, rng, w.CLOSERS)


def situation(bench: Workbench, rng: random.Random, frames: list[str] = w.CONTEXT_FRAMES) -> str:
    fake = bench.values.fake
    fake.seed_instance(rng.randrange(2**31))
    return w.personal(rng.choice(frames), rng, fake.first_name(), fake.city(), fake.company())


def turn_text(bench: Workbench, segment: Segment, turn: Turn) -> str:
    rng = random.Random(turn.seed)
    topic = turn.topic
    if turn.kind == "request":
        return request_text(bench, segment, turn)
    if turn.kind == "reply":
        return reply_text(segment, turn, rng)
    if turn.kind == "ask":
        return rng.choice(w.ASK_TEMPLATES).format(label=w.label(topic["param"]))
    if turn.kind in ("answer", "correction"):
        return rng.choice(w.ANSWER_TEMPLATES).format(label=w.label(topic["param"]), value=w.show(topic["value"]))
    if turn.kind == "error_reply":
        failed = next(c for t in segment.turns for c in t.calls if not c.expect_ok)
        error = failed.result.error.message if failed.result and failed.result.error else "the call failed."
        return rng.choice(w.ERROR_REPLIES).format(error=error.rstrip(".") + ".", label=w.label(topic["param"]))
    if turn.kind == "refusal":
        return rng.choice(w.REFUSALS).format(request=topic["request"])
    if turn.kind == "chat":
        if "recall" in topic:
            return rng.choice(["Sorry, what was the {l} again?", "Remind me, what's the {l}?",
                               "Wait, which {l} was that?"]).format(l=w.label(topic["recall"]))
        if "request" in topic:
            return rng.choice(w.ASK_UNSUPPORTED).format(request=topic["request"])
        return situation(bench, rng, w.CHAT_USER)
    if turn.kind == "chat_reply":
        if "recall" in topic:
            return rng.choice(["The {l} is {v}.", "It's {v} (the {l}).", "That was {v}."]).format(
                l=w.label(topic["recall"]), v=topic["value"])
        return rng.choice(w.CHAT_REPLY)
    return turn.text or ""


def reply_text(segment: Segment, turn: Turn, rng: random.Random) -> str:
    target = next((c for t in reversed(segment.turns) for c in t.calls if c.name == segment.target and c.expect_ok),
                  None)
    if target is None or target.result is None:
        return "I've looked into it."
    if not target.result.ok:
        return f"I'm sorry, that didn't work: {target.result.error.message if target.result.error else ''}"
    past = w.past_tense(segment.target) if turn.topic.get("writes") else None  # only writes do things
    claim = f"I've {past} it." if past and _succeeded(target) else ""
    return w.join(rng.choice(w.REPLY_OPENERS), claim, w.summarise(target.result.result, rng))


def _base(key: str) -> str:
    """The parameter a stated value is for: "zip_code for find customer" -> "zip_code"."""
    return key.split(" for ")[0].removeprefix("other ")


def _succeeded(call: Call) -> bool:
    return call.result is not None and call.result.ok
