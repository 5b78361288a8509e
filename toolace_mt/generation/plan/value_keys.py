"""Small shared facts about values: the key a value is compared by, which parameters are
ids, the values earlier outputs gave for a parameter, and what a proposal used (Choice)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii as _encode_string
from typing import Any

from toolace_mt.generation.plan.id_names import is_id, names_a, snake

__all__ = ["Choice", "is_id", "known_values", "value_key"]


def known_values(param: str, known: dict[str, list[Any]]) -> list[Any]:
    """Values earlier outputs gave for `param`: a field of its name, its singular, or the
    name it ends with (`new_item_ids` <- `item_id`)."""
    singular = param[:-1] if param.endswith("s") and not param.endswith("ss") else param
    found = known.get(param) or known.get(param + "s") or known.get(singular)
    if found:
        return found
    wanted = snake(param)
    one = wanted[:-1] if wanted.endswith("s") and not wanted.endswith("ss") else wanted
    for key in sorted(known):  # the same name in another case (`noteId` <- `note_id`)
        if known[key] and snake(key) in (wanted, wanted + "s", one):
            return known[key]
    for key in sorted(known):
        if known[key] and (names_a(param, key) or names_a(param, key + "s")):
            return known[key]
    return []


def value_key(value: Any) -> str:
    """A value as a hashable key (equal JSON, equal key). A string or an integer, most keys,
    is encoded directly: the same text json.dumps gives, without building an encoder for
    each value (~30 000 keys per bench start-up)."""
    kind = type(value)
    if kind is str:
        return _encode_string(value)
    if kind is int:
        return int.__repr__(value)
    return json.dumps(value, sort_keys=True, default=str)


@dataclass
class Choice:
    """What a proposal used: values for the call and the rows they came from."""

    arguments: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)  # id-like columns of the rows used
    # Where each value came from: "known" (an earlier output), "row" / "related" (a row of
    # the state; related: tied to the context), "enum", "bool", "fresh" (Faker, for a new
    # value a write sets), "made" (a date, a query word, an expression) or "fallback" (a
    # word or number no source gave: the call can only fail on it unless a tool's output
    # supplies the value).
    sources: dict[str, str] = field(default_factory=dict)
    bound: bool = True  # every value needed could be tied to the context (see ValueSource.propose)
    given: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # the context it started from
