"""Parallel look-ups: the same look-up asked about one or two other entities in the same
turn ("... order #W1001? And the same for #W1002."), each telling something new."""

from __future__ import annotations

import random
from typing import Any

from sandbox import CallResult, ToolSpec
from toolace_mt.generation.draft import Call
from toolace_mt.generation.plan.dialogue_facts import re_resolves, tells_nothing_new
from toolace_mt.generation.plan.redundancy import echoes
from toolace_mt.generation.plan.values import Choice
from toolace_mt.generation.plan.values import value_key as _key
from toolace_mt.generation.workbench import Workbench

# Look-ups asked about two entities at once ("check orders A and B"): the target called
# again on another entity in the same assistant turn, a parallel call.
SIBLING_SHARE = 0.55


SIBLING_TRIES = 3


def parallel_lookups(bench: Workbench, tool: ToolSpec, choice: Choice, result: CallResult,
              rng: random.Random, budget: int, user: dict[str, Any], known: set[str],
              made: frozenset[tuple[str, str]] | set[tuple[str, str]] = frozenset()) -> list[Call]:
    """For a look-up, sometimes the same look-up of one or two other entities, asked
    together: parallel calls. Their values differ from the target's (the user states
    each) and each answer tells something the others do not."""
    if tool.writes or len(choice.arguments) != 1 or rng.random() >= SIBLING_SHARE:
        return []  # one value each: "... order #W1001? And the same for #W1002."
    wanted = min(budget, 1 if rng.random() < 0.7 else 2)
    taken = {_key(v) for v in choice.arguments.values()}
    outputs = [result.result]
    siblings: list[Call] = []
    for _ in range(wanted):
        found = bench.succeed(tool, rng, SIBLING_TRIES, context=user or None, fallback=user or None)
        if found is None:
            break
        other, other_result = found
        values = {_key(v) for v in other.arguments.values()}
        if other.arguments.keys() != choice.arguments.keys() or other_result.result in outputs or values & taken \
                or re_resolves(other.arguments, other_result.result, known) \
                or tells_nothing_new(other_result.result, known) or (tool.name, _key(other.arguments)) in made \
                or echoes(other.arguments, other_result.result):
            break  # (nor one the dialogue already found, or whose answer it already told)
        siblings.append(Call(tool.name, other.arguments))
        taken |= values
        outputs.append(other_result.result)
    return siblings
