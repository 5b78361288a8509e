"""The target call of a sub-task: its values proposed from real rows (or the entity's
reads) and really tried; a second sign-in is the same person's, the first call about
a user is about someone the later sub-tasks can act for, and a write a later sub-task
waits on (settle a debt, then leave the group) is made with the exact amounts for it."""

from __future__ import annotations

import random
from typing import Any

from sandbox import CallResult, ToolSpec
from toolace_mt.generation.draft import Draft
from toolace_mt.generation.plan.exact_amounts import settle, waits_on_records
from toolace_mt.generation.plan.value_finder import Seen, assisted
from toolace_mt.generation.plan.values import Choice
from toolace_mt.generation.workbench import Workbench

TARGET_TRIES = 24


ASSISTED_TRIES = 6


ENABLER_TRIES = 6  # proposals of a log-in until its person is one the sub-task it is for can act for


EXACT_TRIES = 16  # records of the waiting sub-task tried until the writes of exact amounts planned are enough


def propose_target(bench: Workbench, tool: ToolSpec, rng: random.Random, focus: dict[str, Any], seen: list[Seen],
                    user: dict[str, Any]) -> tuple[Choice, CallResult] | None:
    """The target call's values, really tried. A tool whose plain proposals never
    succeeded at start-up (its values come from outputs, not columns) is proposed from
    its entity's reads first."""
    if not bench.plain_ok.get(tool.name, True):
        found = assisted(bench, tool, rng, ASSISTED_TRIES, seen, user)
        if found is None:  # the reads had nothing to give: plain proposals, as trials found them
            found = bench.succeed(tool, rng, TARGET_TRIES // 2, context=focus or None, fallback=user or None)
        return found
    scoped = rng.random() < 0.7 or user
    found = bench.succeed(tool, rng, TARGET_TRIES // 2, context=focus if scoped else None, fallback=user or None)
    return found if found is not None else assisted(bench, tool, rng, ASSISTED_TRIES, seen, user)


def signed_in_before(bench: Workbench, draft: Draft, tool: str) -> dict[str, Any] | None:
    """The arguments of this dialogue's earlier successful call of `tool` when `tool` is a
    write that enables others (a log-in): made again, it signs the same person in."""
    pre = bench.preconditions
    if not any(tool in writes for writes in pre.enabled_by.values()) or tool in pre.exact.values():
        return None  # (a payment made again is another payment, not the same person signing in)
    for segment in draft.segments:
        for turn in segment.turns:
            for call in turn.calls:
                if call.name == tool and call.result is not None and call.result.ok:
                    return dict(call.arguments)
    return None


def for_sub_tasks(bench: Workbench, tool: ToolSpec, then: tuple[str, ...], found: tuple[Choice, CallResult],
                   rng: random.Random, focus: dict[str, Any], seen: list[Seen]) -> tuple[Choice, CallResult]:
    """The first call about a user (a log-in, a look-up by email) is about someone the later
    sub-tasks can act for (a diner with an order the kitchen has not started, for a cancel;
    an approver with reports waiting, for a decision): of a few proposals, the one served most."""
    key = bench.values.user_key
    tools = [bench.tools[t] for t in then if t in bench.tools]

    def served(choice: Choice) -> int:
        owner = choice.context.get(key) if key is not None else None
        return -1 if owner is None else sum(bench.values.serves(t, owner) for t in tools)

    best, score = found, served(found[0])
    for _ in range(ENABLER_TRIES):
        if score < 0 or score == len(tools):
            break
        other = propose_target(bench, tool, rng, focus, seen, {})
        if other is not None and served(other[0]) > score:
            best, score = other, served(other[0])
    return best


def waited_on(bench: Workbench, tool: str, then: tuple[str, ...]) -> str | None:
    """The later sub-task's tool that waits on `tool` made with exact amounts, if any."""
    return next((t for t in then if bench.preconditions.exact.get(t) == tool and t in bench.tools), None)


def for_waiting(bench: Workbench, tool: ToolSpec, then: tuple[str, ...], rng: random.Random,
                focus: dict[str, Any], user: dict[str, Any], ahead: int = 0,
                again: bool = False) -> tuple[Choice, CallResult] | None:
    """The write a later sub-task waits on, made with exact amounts (see exact_amounts):
    for a record of that sub-task (the dialogue user's, when known) whose refusal names
    what a read shows, and on which this write and the `ahead` planned after it are enough
    for it to succeed then (the member owes one, two or three people: each paid in full,
    they can leave). `again`: one of those after the first, which goes on with the record
    the sub-tasks before it chose (the latest in `focus`), and finds none once it is done.
    None when no such record is found, or no later sub-task waits on `tool` that way."""
    aim = waited_on(bench, tool.name, then)
    if aim is None:
        return None
    target = bench.tools[aim]
    reads = [t for _, t in sorted(bench.tools.items()) if not t.writes]
    env = bench.env
    for _ in range(EXACT_TRIES):
        wanted = bench.values.propose(target, rng, context=(focus if again else user or focus) or None)
        if any(wanted.arguments.get(p) is None for p in target.parameters.get("required", [])):
            continue
        refused = bench.trial(aim, wanted.arguments)
        if refused.ok and again:
            return None  # paid up: the waiting sub-task comes next
        if refused.ok or refused.error is None or not waits_on_records(
                bench.trial, reads, wanted.arguments, f"{refused.error.type}: {refused.error.message}"):
            continue
        base = bench.values.propose(tool, rng, context=wanted.context)
        before = env.snapshot()
        try:
            made = settle(bench.trial, env.call, reads, tool, base.arguments, aim, wanted.arguments,
                          limit=1 + ahead)
        finally:
            env.restore(before)
        if not made:
            continue
        result = bench.trial(tool.name, made[0])
        if result.ok:
            sources = {**base.sources, **{p: "known" for p, v in made[0].items() if base.arguments.get(p) != v}}
            return Choice(made[0], {**base.context, **wanted.context}, sources), result
    return None
