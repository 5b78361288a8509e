"""A sub-task's minimal call plan: which of the candidate calls it really needs, and where
each argument's value comes from.

The drafter proposes a target call and, for its values, read calls whose real outputs
hold them (producers). Only producers that earn their place are kept: a producer stays
when a later call takes a value from its output and that output singles the value out
(one candidate of its kind: the assistant never picks one of several for the user). A
value no kept output singles out is said by the user. A producer may not need the user
to say the id of some other record (no "the payee is under transfer TRF-1"). The plan
is the language-free part of a sub-task: turns are worded from it elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from toolace_mt.generation.draft import Call
from toolace_mt.generation.plan.catalog import walk
from toolace_mt.generation.plan.id_names import is_id, name_words
from toolace_mt.generation.plan.values import known_values, value_key

Role = Literal["auth", "producer", "target"]  # auth: a look-up the env's policy asks for first, always kept


@dataclass
class Candidate:
    call: Call
    output: Any  # the call's real output on the state the sub-task starts from
    role: Role


@dataclass
class Plan:
    """The kept calls by turn (producers by dependency level, then the target's turn) and,
    per call, the parameters whose values an output supplies; `relies_on`: earlier
    sub-tasks whose outputs supply some."""

    turns: list[list[Call]]
    derived: dict[int, set[str]] = field(default_factory=dict)  # id(call) -> parameters
    relies_on: set[int] = field(default_factory=set)
    # id(call) -> {parameter: how the user says its value (an item's name, not its id): said_by_name}
    named: dict[int, dict[str, Any]] = field(default_factory=dict)


def candidates_of(output: Any, param: str) -> set[str]:
    """The distinct values (as keys) an output holds for `param` (see known_values)."""
    found: set[str] = set()
    for name, value, _ in walk(output):
        scalar = isinstance(value, str | int | float) and not isinstance(value, bool)
        if scalar and known_values(param, {name: [value]}):
            found.add(value_key(value))
    return found


def singles_out(output: Any, param: str, value: Any) -> bool:
    """Whether `output` holds `value` for `param` as its only candidate (every candidate,
    for a list value): then the assistant may take it without asking."""
    if value is None or isinstance(value, bool):
        return False
    wanted = {value_key(v) for v in value} if isinstance(value, list) else {value_key(value)}
    return bool(wanted) and candidates_of(output, param) == wanted


def _record_name(record: dict[str, Any] | None) -> str | None:
    """What a person calls the record: its `name` (`product_name`, `title`), when it has one."""
    if not record:
        return None
    for key, value in record.items():
        words = name_words(key)
        if words and (words[-1] == "name" or words == ["title"]) and isinstance(value, str) and value.strip() \
                and len(value) <= 60 and not any(ch.isdigit() for ch in value):
            return value.strip()
    return None


def names_for(output: Any, param: str, value: Any) -> list[str] | None:
    """The names a user can say for `value` (one each, for a list value) when `output` lists
    it among other candidates of `param`, each in a record with its own name ("the Water
    Bottle" among an order's items): then the user names it and the assistant reads its id
    off the output. None when a candidate has no name or shares one."""
    if value is None or isinstance(value, bool):
        return None
    wanted = [value_key(v) for v in value] if isinstance(value, list) else [value_key(value)]
    named: dict[str, str | None] = {}
    for field_name, found, record in walk(output):
        scalar = isinstance(found, str | int | float) and not isinstance(found, bool)
        if scalar and known_values(param, {field_name: [found]}):
            named.setdefault(value_key(found), _record_name(record))
    if len(named) < 2 or not set(wanted) <= set(named) or len(set(wanted)) != len(wanted):
        return None
    names = [named[k] for k in wanted]
    others = [named[k] for k in named if k not in wanted]
    keys = [n.casefold() for n in names if n is not None]
    if len(keys) != len(names) or len(set(keys)) != len(keys) or any(
            o is not None and o.casefold() in keys for o in others):
        return None
    return names  # type: ignore[return-value]


def nested_ids(value: Any) -> list[tuple[str, Any]]:
    """The (key, id) pairs of the records a value is made of (`items`: [{"product_id":
    "P2051", "quantity": 1}] -> [("product_id", "P2051")]); [] for a plain value."""
    records = value if isinstance(value, list) else [value]
    if not records or not all(isinstance(r, dict) for r in records):
        return []
    return [(k, v) for r in records for k, v in r.items() if is_id(k) and isinstance(v, str | int)
            and not isinstance(v, bool)]


def _name_of(output: Any, key: str, item: Any) -> str | None:
    """The name the output gives the record `item` identifies, when it tells it apart: among
    others (names_for), or as the only one (a search that found just that product)."""
    names = names_for(output, key, item)
    if names is not None:
        return names[0]
    if not singles_out(output, key, item):
        return None
    return next((_record_name(record) for field_name, found, record in walk(output)
                 if found == item and known_values(key, {field_name: [found]}) and _record_name(record)), None)


def said_by_name(output: Any, param: str, value: Any) -> Any:
    """How the user says `value` when `output` names what it identifies (see names_for): the
    names for an id (or ids); for records made of ids (an order's `items`), the records
    with each id replaced by its record's name ({"product": "Baseball Cap (Blue)",
    "quantity": 1}); None when some id is not named."""
    nested = nested_ids(value)
    if not nested:
        names = names_for(output, param, value)
        return None if names is None else names if isinstance(value, list) else names[0]
    said = []
    for record in value if isinstance(value, list) else [value]:
        copy: dict[str, Any] = {}
        for key, item in record.items():
            if not (is_id(key) and isinstance(item, str | int) and not isinstance(item, bool)):
                copy[key] = item
                continue
            name = _name_of(output, key, item)
            if name is None:
                return None
            copy[" ".join(name_words(key)[:-1]) or "item"] = name  # product_id -> "product"
        said.append(copy)
    return said if isinstance(value, list) else said[0]


def minimal_plan(candidates: list[Candidate], earlier: list[tuple[int, str, Any]],
                 may_state: Callable[[str, Any], bool], shown: list[tuple[int, str, Any]] | None = None) -> Plan:
    """Keep the producers that earn their place (see the module docstring).

    `candidates`: in an order where a producer comes before the calls it may feed, the
    target (and its parallel look-ups) last. `earlier`: (sub-task, parameter, output) of
    earlier sub-tasks' outputs a value of that parameter may come from (the user who was
    already identified). `may_state(param, value)`: whether the user may be asked to say
    a value a producer needs. `shown`: every earlier output per parameter, those that may
    not supply it too (an order a create just made): one singling out another value makes
    the user say which (see _rival); `earlier` by default."""
    kept = list(candidates)
    while True:
        sources = _sources(kept, earlier, earlier if shown is None else shown)
        fed = {src[1] for src in sources.values() if src is not None and src[0] in ("call", "named")}
        drop = next((i for i, c in enumerate(kept) if c.role == "producer" and (
            i not in fed or _twin(kept, i)
            or any(sources[(i, p)] is None and not may_state(p, v) for p, v in c.call.arguments.items()))), None)
        if drop is None:
            break
        del kept[drop]
    level: dict[int, int] = {}
    derived: dict[int, set[str]] = {}
    named: dict[int, dict[str, Any]] = {}
    relies: set[int] = set()
    for i, candidate in enumerate(kept):
        params = set()
        depth = 0
        for param, value in candidate.call.arguments.items():
            src = sources[(i, param)]
            if src is None:
                continue
            params.add(param)
            if src[0] in ("call", "named"):
                depth = max(depth, level[src[1]] + 1)
            else:
                relies.add(src[1])
            if src[0] == "named":
                said = said_by_name(kept[src[1]].output, param, value)
                if said is not None:
                    named.setdefault(id(candidate.call), {})[param] = said
        if candidate.role == "producer" and any(c.role == "auth" for c in kept):
            depth = max(depth, 1)  # the env's policy: nothing is looked up before the user is found
        level[i] = depth
        derived[id(candidate.call)] = params
    producers = [i for i, c in enumerate(kept) if c.role in ("auth", "producer")]
    top = max((level[i] for i in producers), default=-1)
    turns = [[kept[i].call for i in producers if level[i] == depth] for depth in range(top + 1)]
    turns = [t for t in turns if t]
    turns.append([c.call for c in kept if c.role == "target"])
    return Plan(turns=turns, derived=derived, relies_on=relies, named=named)


Source = tuple[str, int] | None


def _sources(kept: list[Candidate], earlier: list[tuple[int, str, Any]],
             shown: list[tuple[int, str, Any]]) -> dict[tuple[int, str], Source]:
    """Where each argument's value comes from: ("call", i) a kept producer before it,
    ("earlier", sub-task) an earlier sub-task's output, None: the user says it."""
    sources: dict[tuple[int, str], Source] = {}
    for i, candidate in enumerate(kept):
        for param, value in candidate.call.arguments.items():
            src: Source = next((("earlier", seg) for seg, name, output in earlier
                                if name == param and singles_out(output, param, value)
                                and not _rival(shown, param, value)), None)
            if src is None:
                src = next((("call", j) for j in range(i) if kept[j].role in ("auth", "producer")
                            and singles_out(kept[j].output, param, value)), None)
            if src is None and (is_id(param) or nested_ids(value)) and candidate.role == "target":
                # the user names the record ("the Water Bottle"); its id is read off the look-up
                src = next((("named", j) for j in range(i) if kept[j].role == "producer"
                            and said_by_name(kept[j].output, param, value) is not None), None)
            sources[(i, param)] = src
    return sources


def _rival(earlier: list[tuple[int, str, Any]], param: str, value: Any) -> bool:
    """Whether another earlier output singles out another value of `param` (two cards looked
    up side by side): "move the card" would not say which; the user names it."""
    wanted = value_key(value)
    for _, name, output in earlier:
        found = candidates_of(output, param) if name == param else set()
        if len(found) == 1 and found != {wanted}:
            return True
    return False


def _twin(kept: list[Candidate], i: int) -> bool:
    """Whether an earlier kept call is the same call (same tool, same arguments)."""
    call = kept[i].call
    return any(c.call.name == call.name and c.call.arguments == call.arguments for c in kept[:i])
