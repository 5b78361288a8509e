"""Records the user names instead of dictating their ids ("the Water Bottle"), whose ids
the assistant reads off a look-up that lists them with their names. Plan, not language:
which look-up shows the names, really tried."""

from __future__ import annotations

import random
from typing import Any

from sandbox import ToolSpec
from toolace_mt.generation.draft import Call
from toolace_mt.generation.plan.call_plan import nested_ids, said_by_name, singles_out
from toolace_mt.generation.plan.value_finder import Seen, points_elsewhere
from toolace_mt.generation.plan.value_origin import names_it, own_part, unknowable
from toolace_mt.generation.plan.values import Choice, is_id
from toolace_mt.generation.plan.values import value_key as _key
from toolace_mt.generation.workbench import Workbench

# A single record the user may name instead of giving its id (a playlist): named this often.
# Several records, or records inside a value (an order's items), are always named.
NAMING_SHARE = 0.5


def naming_reads(bench: Workbench, tool: ToolSpec, choice: Choice, seen: list[Seen], produced: set[str],
                  levels: list[list[Call]], rng: random.Random) -> list[Call]:
    """Reads that list the target's ids among other candidates, each with its own name (an
    order's details): the user names the items ("the Water Bottle") and the assistant reads
    their ids off that read, never asking the user to dictate an id. Reads made while
    proposing come first; else a few reads of the target's own entity are tried. call_plan
    keeps such a read only where names single the values out."""
    planned = {(c.name, _key(c.arguments)) for level in levels for c in level}
    found: list[Call] = []
    for param, value in choice.arguments.items():
        if not (is_id(param) or nested_ids(value)):
            continue
        catalogue = not isinstance(value, list | dict) and unknowable(bench.values, tool, param)
        if _key(value) in produced and not catalogue:
            continue  # a producer gives it (a catalogue's id too, unless it lists it among others)
        if not isinstance(value, list | dict) and not catalogue and rng.random() >= NAMING_SHARE:
            continue  # one record's id: people say its number as often as its name (and mistype
            # it); a catalogue's id nobody knows by heart is always named (value_origin.unknowable)
        reads = [(r.name, r.arguments, r.output) for r in seen]
        if not any(_offers(bench, tool, choice, output, param, value, catalogue) for _, _, output in reads):
            reads = _entity_reads(bench, tool, choice, param, value, rng)
        for name, arguments, output in reads:
            key = (name, _key(arguments))
            if bench.tools[name].writes or key in planned \
                    or not _offers(bench, tool, choice, output, param, value, catalogue) \
                    or (tool.writes and points_elsewhere(bench, tool, list(arguments))) \
                    or not names_it(bench.values, tool, output, param, value):
                continue  # (a new order's item is not picked off an old order's items)
            found.append(Call(name, dict(arguments)))
            planned.add(key)
            break
    return found


def _shows(output: Any, param: str, value: Any, catalogue: bool) -> bool:
    """Whether a look-up lets the user name the value: by name among others, or, for a
    catalogue's record, as the one record it found (a search by the title they said)."""
    return said_by_name(output, param, value) is not None or (catalogue and singles_out(output, param, value))


def _offers(bench: Workbench, tool: ToolSpec, choice: Choice, output: Any, param: str, value: Any,
            catalogue: bool) -> bool:
    """_shows, on the records of the output that may give a write its value (value_origin:
    not the pharmacy of a fill the user's fills list shows)."""
    if tool.writes:
        output = own_part(bench.catalog, bench.env.user_table, output, param, choice.arguments) \
            if said_by_name(output, param, value) is None else output
    return _shows(output, param, value, catalogue)


def _entity_reads(bench: Workbench, tool: ToolSpec, choice: Choice, param: str, value: Any,
                  rng: random.Random) -> list[tuple[str, dict[str, Any], Any]]:
    """Reads of the target's own entity (the order whose items it takes) that list values of
    `param`, or of the ids its records are made of (a search listing an order's products):
    one proposal per read tool, tied to the choice's rows (and to that product), really tried."""
    nested = nested_ids(value)
    # the value itself is the latest: the context may still hold another row's (a hold's title)
    context = {**choice.context, **(dict(nested[:1]) if nested else {param: value})}
    makers = bench.catalog.producers.get((tool.name, param), []) if not nested else \
        {m for (_, p), found in bench.catalog.producers.items() if p == nested[0][0] for m in found}
    found = []
    for maker in sorted(makers):
        taken = bench.tools[maker].parameters.get("properties", {})
        if bench.tools[maker].writes or param in taken or (nested and nested[0][0] in taken):
            continue
        made = bench.values.propose(bench.tools[maker], rng, context=context, bound=True)
        if not made.bound:
            continue
        result = bench.trial(maker, made.arguments)
        if result.ok:
            found.append((maker, made.arguments, result.result))
    return found
