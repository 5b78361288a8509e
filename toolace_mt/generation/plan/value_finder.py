"""Where a proposal's values come from when no column gives them: real outputs of reads
called on the proposal's own entity (an order's items, a free seat on its flight), and
the read tool whose output holds a value the target needs (a producer). Plan, not
language: every value found here was really returned by an executed call."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sandbox import CallResult, ToolSpec
from toolace_mt.generation.plan.catalog import singular, walk
from toolace_mt.generation.plan.id_names import name_words, snake
from toolace_mt.generation.plan.value_origin import own_part
from toolace_mt.generation.plan.values import Choice, is_id, known_values
from toolace_mt.generation.plan.values import value_key as _key
from toolace_mt.generation.workbench import Workbench
from toolace_mt.verifier.evidence import leaves

PRODUCER_MAKERS = 3  # read tools tried per value


PRODUCER_PROPOSALS = 4  # proposals per read tool (free: only a trial costs)


PRODUCER_TRIES = 2  # trials per read tool


_PRODUCIBLE = ("row", "related", "known")  # sources of values some read's output can hold


# A tool named <verb>_..._<X> with one of these verbs sets X to a value the entity does not
# hold yet (change_seat, modify_pending_order_payment); `new_X` parameters do so by name.
_CHANGE_VERBS = ("change", "modify", "update", "set", "switch", "edit", "replace", "move", "reschedule")


# A record whose flag of this name is false is not one to act on (an unavailable variant).
_USABLE_FLAGS = ("available", "active", "in_stock", "enabled", "bookable")


@dataclass
class Seen:
    """A read made while proposing, on the state the sub-task starts from."""

    name: str
    arguments: dict[str, Any]
    output: Any


def _contains(output: Any, value: Any) -> bool:
    wanted = value if isinstance(value, list) else [value]
    found = {str(leaf) for leaf in leaves(output)}
    return all(str(v) in found for v in wanted)


def assisted(bench: Workbench, tool: ToolSpec, rng: random.Random, tries: int,
              seen: list[Seen] | None = None,
              user: dict[str, Any] | None = None) -> tuple[Choice, CallResult] | None:
    """Proposals whose values come from real outputs of reads called on the proposal's
    own entity, for values no column gives (an order's items, a free seat).

    The entity is the proposal's first id (the order). Its own reads (the order's
    details) give the values it holds: the items to act on, the payment it was made
    with. A `new_X` parameter takes another X from reads of the record its old X
    came from (other available variants of that item's product); a value the tool
    changes (the seat of change_seat, the payment of modify_..._payment) is one
    the entity does not have yet, from reads of ids its outputs name (the seat map
    of its flight, its user's payment methods). Reads made are added to `seen`."""
    properties = tool.parameters.get("properties", {})
    makers = sorted({m for param in properties for m in bench.catalog.producers.get((tool.name, param), [])
                     if not bench.tools[m].writes and m != tool.name})
    if not makers:
        return None
    order = sorted(properties, key=lambda p: _twin_of(p, properties) is not None)  # an old X before its new_X
    for _ in range(tries):
        anchor = bench.values.propose(tool, rng, context=user or None)
        primary = next((p for p in tool.parameters.get("required", []) if is_id(p)
                        and isinstance(anchor.arguments.get(p), str | int)), None)
        # The entity: the proposal's first id, else the ids of the row its values came from.
        entity = ({primary: [anchor.arguments[primary]]} if primary is not None
                  else {k: [v] for k, v in anchor.context.items() if is_id(k) and isinstance(v, str | int)})
        wanted = [p for p in order if p != primary and p in anchor.arguments and (
            _twin_of(p, properties) is not None or anchor.sources.get(p) == "fallback"
            or (anchor.sources.get(p) in ("row", "related", "known") and _changes(tool, p)))]
        arguments, sources = dict(anchor.arguments), dict(anchor.sources)
        calls: list[Seen] = []
        if wanted:
            own = _reads(bench, makers, entity, calls)
            own_fields = _fields(own)
            for param in wanted:
                value = _assist(bench, tool, param, arguments, own, own_fields, calls, rng)
                if value is None:
                    break
                arguments[param], sources[param] = value, "known"
            else:
                wanted = []
            if wanted:
                continue  # a value could not be found for this entity: another one
        result = bench.trial(tool.name, arguments)
        if result.ok:
            if seen is not None:
                seen.extend(calls)
            return Choice(arguments, anchor.context, sources), result
    return None


def _assist(bench: Workbench, tool: ToolSpec, param: str, arguments: dict[str, Any], own: list[Seen],
            own_fields: dict[str, list[Any]], calls: list[Seen], rng: random.Random) -> Any:
    """One value of `_assisted` (None: this entity has none to give)."""
    properties = tool.parameters.get("properties", {})
    schema = properties[param]
    makers = [m for m in bench.catalog.producers.get((tool.name, param), []) if not bench.tools[m].writes]
    twin = _twin_of(param, properties)
    if twin is not None:  # new_X: per old X, another X from reads of the old one's record
        old = arguments.get(twin)
        olds = old if isinstance(old, list) else [old]
        new = []
        for value in olds:
            records = [r for s in own for name, v, r in walk(s.output)
                       if r is not None and v == value and known_values(twin, {name: [v]})]
            if not records:
                return None
            record = max(records, key=lambda r: len(_scalars(r)))  # the item itself, not a list naming it
            linked = _reads(bench, makers, _fields([Seen("", {}, _scalars(record))]), calls)
            options = [v for v, _ in _values_for(param, linked) if v != value]
            if not options:
                return None
            new.append(rng.choice(options))
        return new if isinstance(old, list) else new[0]
    held = [v for v, _ in _values_for(param, own)]
    if _changes(tool, param):  # a value the entity does not hold yet
        related = _reads(bench, makers, own_fields, calls)
        current = {_key(v) for v in held} | {_key(arguments.get(param))}
        options = [(v, r) for v, r in _values_for(param, related) if _key(v) not in current]
        top = own[0].output if own and isinstance(own[0].output, dict) else {}
        # Prefer records that agree with the entity on what they share (a seat in its cabin).
        alike = [v for v, r in options if all(r.get(k) == top[k] for k in r if k in top and k != param
                                              and isinstance(top[k], str | int) and not is_id(k))]
        return _pick(alike or [v for v, _ in options], schema, rng)
    if not held:  # not in the entity's own outputs: in its related reads
        held = [v for v, _ in _values_for(param, _reads(bench, makers, own_fields, calls))]
    return _pick(held, schema, rng)


def _reads(bench: Workbench, makers: list[str], known: dict[str, list[Any]],
           calls: list[Seen]) -> list[Seen]:
    """The successful outputs of the makers whose required parameters `known` gives
    (its first value for each: the entity's own), called once each."""
    outputs = []
    for maker in makers:
        required = bench.tools[maker].parameters.get("required", [])
        values = {p: known_values(p, known) for p in required}
        if not required or not all(values.values()):
            continue
        arguments = {p: found[0] for p, found in values.items()}
        done = next((c for c in calls if c.name == maker and c.arguments == arguments), None)
        if done is None:
            result = bench.trial(maker, arguments)
            if not result.ok:
                continue
            done = Seen(maker, arguments, result.result)
            calls.append(done)
        outputs.append(done)
    return outputs


def producer(bench: Workbench, consumer: str, param: str, value: Any, choice: Choice,
              used: set[str], rng: random.Random, seen: list[Seen]) -> tuple[str, Choice, bool] | None:
    """A read tool whose real output contains `value` for `param` (and whether it
    singles it out: one entity, not a list to pick from).

    Only values of the state (rows, earlier outputs) are looked for, and a read is
    called on the value's own entity (its arguments tied to the rows the value came
    from), so its output holds the value by construction: a read that needs the value
    itself, or values the chain already has, is never tried. Reads already made while
    proposing come first (free)."""
    if value is None or isinstance(value, bool) or choice.sources.get(param) not in _PRODUCIBLE:
        return None
    makers = [m for m in bench.catalog.producers.get((consumer, param), []) if not bench.tools[m].writes
              and m != consumer and not _circular(bench.tools[m], param, value)
              and not _through_another_record(bench, bench.tools[consumer], param, bench.tools[m])]
    if not makers:
        return None
    tool = bench.tools[consumer]

    def holds(output: Any) -> bool:  # a write's value, in a record that may give it (value_origin)
        if not tool.writes:
            return _contains(output, value)
        return _contains(own_part(bench.catalog, bench.env.user_table, output, param, choice.arguments), value)
    for call in seen:
        if (call.name in makers and not {_key(v) for v in call.arguments.values()} & used
                and holds(call.output)):
            made = Choice(dict(call.arguments), dict(choice.context), dict.fromkeys(call.arguments, "known"))
            return call.name, made, _single(call.output)
    rng.shuffle(makers)
    context = {k: v for k, v in choice.context.items() if k != param}
    context[param] = value  # the latest: rows tied to it are preferred to all others
    for maker in makers[:PRODUCER_MAKERS]:
        trials = 0
        for _ in range(PRODUCER_PROPOSALS):
            made = bench.values.propose(bench.tools[maker], rng, context=context, bound=True)
            if not made.bound or {_key(v) for v in made.arguments.values()} & used:
                continue  # not about the value's entity, or would go in circles
            result = bench.trial(maker, made.arguments)
            if result.ok and holds(result.result):
                return maker, made, _single(result.result)
            trials += 1
            if trials >= PRODUCER_TRIES:
                break
    return None


def _through_another_record(bench: Workbench, consumer: ToolSpec, param: str, maker: ToolSpec) -> bool:
    """Whether a write's value, or a look-up's filter, would be read off a record of
    another kind the user points at by its id ("add a task to the project of task T-506":
    create_task's project from get_task; search_flights' route from get_flight(FL1103)): a
    record the call does not act on (none of its parameters names it) and that is not the
    user's own. The user names the target itself, or a look-up finds it by what they know
    of it."""
    if not consumer.writes and is_id(param):
        return False  # a look-up's id may come from a listing of the user's (their orders)
    # A write's value (a new item's bin), or a search's filter (a route), is not copied off
    # another record the user names: they say it ("flights from JFK", not "like FL1103").
    return points_elsewhere(bench, consumer, maker.parameters.get("required", []))


def points_elsewhere(bench: Workbench, write: ToolSpec, id_params: list[str]) -> bool:
    """Whether a record found by these parameters is of another kind than the ones `write`
    acts on: one of them is an id none of the write's parameters names (nor the user's)."""
    own = {snake(p) for p in write.parameters.get("properties", {})}
    user = bench.values.user_key
    keys = bench.values.key_columns  # a key not named as an id (a `sku`, a `report_code`)
    return any((is_id(p) or p in keys) and snake(p) not in own and p != user for p in id_params)


def _single(output: Any) -> bool:
    """One entity, not a list to pick from."""
    return not isinstance(output, list) or len(output) == 1


def _circular(maker: ToolSpec, param: str, value: Any) -> bool:
    """Whether the read needs the very value it would produce (get_order(order_id) for an order_id)."""
    return any(known_values(p, {param: [value]}) for p in maker.parameters.get("required", []))


def _twin_of(param: str, properties: dict[str, Any]) -> str | None:
    """X for a parameter new_X when the tool also takes X."""
    return param[4:] if param.startswith("new_") and param[4:] in properties else None


def _stems(name: str) -> set[str]:
    return {singular(part.rstrip("0123456789")) for part in name_words(name)} - {"id", "new", ""}


def _changes(tool: ToolSpec, param: str) -> bool:
    """Whether the tool sets `param` to a new value (see _CHANGE_VERBS); not when it also
    takes new_<param> (then <param> names what is replaced)."""
    if "new_" + param in tool.parameters.get("properties", {}):
        return False
    verb = next(iter(name_words(tool.name)), "")
    return verb in _CHANGE_VERBS and bool(_stems(param) & _stems(tool.name))


def _usable(record: dict[str, Any] | None) -> bool:
    return record is None or not any(record.get(flag) is False for flag in _USABLE_FLAGS)


def _values_for(param: str, outputs: list[Seen]) -> list[tuple[Any, dict[str, Any]]]:
    """(value, record holding it) for `param` in outputs: fields of its name (see
    known_values), in records one may act on, each value once."""
    found: list[tuple[Any, dict[str, Any]]] = []
    keys: set[str] = set()
    for seen in outputs:
        for name, value, record in walk(seen.output):
            if (isinstance(value, str | int | float) and not isinstance(value, bool) and _usable(record)
                    and known_values(param, {name: [value]}) and _key(value) not in keys):
                keys.add(_key(value))
                found.append((value, record or {}))
    return found


def _fields(outputs: list[Seen]) -> dict[str, list[Any]]:
    """Scalar values of outputs by field name (any depth), in order."""
    known: dict[str, list[Any]] = {}
    for seen in outputs:
        for name, value, _ in walk(seen.output):
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                bucket = known.setdefault(name, [])
                if value not in bucket:
                    bucket.append(value)
    return known


def _scalars(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if isinstance(v, str | int | float) and not isinstance(v, bool)}


def _pick(options: list[Any], schema: dict[str, Any], rng: random.Random) -> Any:
    """One option, or one or two for an array parameter; None when there is none."""
    if not options:
        return None
    if schema.get("type") != "array":
        return rng.choice(options)
    count = 1 if rng.random() < 0.7 or len(options) < 2 else 2
    return rng.sample(options, count)
