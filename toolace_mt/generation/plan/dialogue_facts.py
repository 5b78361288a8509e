"""What a dialogue under construction already knows: the values its calls' outputs showed
and the entities they identified. The drafter asks it before adding a look-up, so that no
read re-finds someone already found by other details, and no read shows only what was
already shown (a trainer's model would learn to pad with look-ups)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from toolace_mt.generation.draft import Draft
from toolace_mt.generation.plan.id_names import is_single_id
from toolace_mt.generation.plan.values import value_key
from toolace_mt.verifier.evidence import leaves


def _is_key(name: str) -> bool:
    return is_single_id(name)


def entity_ids(output: Any) -> set[str]:
    """The ids of the one entity an output is (a record, or a search that found one), by
    its top-level `*_id` fields; nothing for a listing of several or a bare value."""
    output = _one_record(output)
    if not isinstance(output, dict):
        return set()
    return {value_key(v) for k, v in output.items() if _is_key(k) and isinstance(v, str | int)
            and not isinstance(v, bool) and str(v).strip()}


def _one_record(output: Any, depth: int = 0) -> Any:
    """The record an output is: itself, the one item of a list, or the one record of an
    envelope (`{"data": [{...}], "hasMore": true}`, `{"customer": {...}}`)."""
    if isinstance(output, list) and len(output) == 1:
        return _one_record(output[0], depth + 1) if depth < 3 else output[0]
    if isinstance(output, dict) and depth < 3 and not any(_is_key(k) for k in output):
        inner = [v for v in output.values() if isinstance(v, dict | list)]
        if len(inner) == 1 and (isinstance(inner[0], dict) or len(inner[0]) == 1):
            return _one_record(inner[0], depth + 1)
    return output


def output_ids(output: Any) -> set[str]:
    """Every id an output holds, at any depth (an order's customer, a listing's entries)."""
    found: set[str] = set()
    stack: list[Any] = [output]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if _is_key(key) and isinstance(value, str | int) and not isinstance(value, bool):
                    found.add(value_key(value))
                elif isinstance(value, dict | list):
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def worth_telling(value: Any) -> bool:
    """A leaf a reply could tell: not a flag, a null, 0/1, an empty or one-letter string."""
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value not in (0, 1)
    return len(str(value).strip()) >= 2


def shown_values(outputs: Iterable[Any]) -> set[str]:
    """Every leaf of these outputs worth telling, as keys; a whole number is one value
    however an output writes it (a speed set to 80 is read back as 80.0: nothing new)."""
    return {value_key(_whole(leaf)) for output in outputs for leaf in leaves(output) if worth_telling(leaf)}


def _whole(value: Any) -> Any:
    """80.0 as 80; any other value as it is."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def earlier_outputs(draft: Draft) -> list[Any]:
    """The outputs of the dialogue's successful calls so far, in order."""
    return [c.result.result for s in draft.segments for t in s.turns for c in t.calls
            if c.result is not None and c.result.ok]


def told_so_far(draft: Draft) -> set[str]:
    """Every value the dialogue has shown so far: its calls' outputs and arguments (an
    argument was said by the user, or came from an output)."""
    calls = [c for s in draft.segments for t in s.turns for c in t.calls]
    return shown_values(earlier_outputs(draft)) | shown_values([c.arguments for c in calls])


def re_resolves(arguments: dict[str, Any], output: Any, known_ids: set[str]) -> bool:
    """Whether a look-up by other details (its arguments do not name the entity) returns an
    entity whose id an earlier output already showed. A look-up with no arguments shows the
    current one (the signed-in diner's profile): no other details."""
    if not arguments:
        return False
    ids = entity_ids(output)
    given = {value_key(v) for v in leaves(arguments)}
    return bool(ids) and not ids & given and bool(ids & known_ids)


def tells_nothing_new(output: Any, known: set[str]) -> bool:
    """Whether every value of an output worth telling was already shown (an empty output
    is news in itself: "no orders")."""
    values = shown_values([output])
    return bool(values) and values <= known
