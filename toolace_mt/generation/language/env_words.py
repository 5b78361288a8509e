"""The env's names as a person says them: enum values in words, awkward parameter names
by their spoken names, the keys of stated values, and Faker people for the user's
situation."""

from __future__ import annotations

import random

from toolace_mt.generation.language import tool_language as tl
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.language.spoken_values import natural
from toolace_mt.generation.workbench import Workbench


def enum_words(bench: Workbench) -> frozenset[str]:
    """The env's snake_case enum values (`no_longer_needed`): a user says them in words,
    which grounding accepts for an enum value of the schema."""
    found = set()
    for tool in bench.tools.values():
        for schema in tool.parameters.get("properties", {}).values():
            items = schema.get("items") if isinstance(schema, dict) else None
            for value in [*((schema.get("enum") or []) if isinstance(schema, dict) else []),
                          *((items.get("enum") or []) if isinstance(items, dict) else [])]:
                if isinstance(value, str) and ("_" in value or "-" in value) \
                        and value.replace("_", "").replace("-", "").isalpha() and value.islower():
                    found.add(value)
    return frozenset(found)


def said_enum(value: object, enums: frozenset[str], choices: frozenset[str] = frozenset()) -> object:
    """An enum value (or a list of them: doors ["rear_right"]) in words: "rear right"; any
    other enum value (`choices`: "ordered by mistake") is a choice too, never a quoted memo."""
    if isinstance(value, list):
        return [said_enum(v, enums, choices) for v in value]
    if isinstance(value, str) and value in enums:
        return w.EnumWords(natural(value))
    return w.EnumWords(value) if isinstance(value, str) and value in choices else value


def enum_values(bench: Workbench) -> frozenset[str]:
    """Every string enum value of the env's tools."""
    return frozenset(v for tool in bench.tools.values() for schema in tool.parameters.get("properties", {}).values()
                     if isinstance(schema, dict) for v in (schema.get("enum") or []) if isinstance(v, str))


def situation_people(bench: Workbench, rng: random.Random) -> w.People:
    """Names, a city and a company for the user's situation, from Faker seeded by the turn."""
    fake = bench.values.fake
    fake.seed_instance(rng.randrange(2**31))
    return w.People(fake.first_name(), fake.first_name(), fake.first_name(), fake.city(), fake.company())


def spoken_names(bench: Workbench) -> dict[str, str]:
    """What a person calls the env's parameters whose names are awkward (`num_days`:
    "number of days"), from their descriptions; a search's words and counts are said their
    own way (value_phrases.SPOKEN)."""
    return tl.spoken_names(bench.tools.values(), keep=w.SPOKEN)


def parameter_names(bench: Workbench) -> frozenset[str]:
    """The names the env's tools take as parameters: a field of that name keys a record."""
    return frozenset(p for tool in bench.tools.values() for p in tool.parameters.get("properties", {}))


def spoken_key(bench: Workbench, key: str) -> str:
    """A stated value's key as said: its parameter, by the name a person has for it."""
    said = said_key(key)
    return spoken_names(bench).get(said, said)


def said_key(key: str) -> str:
    """A stated value's key as said: "zip for find user ID by name zip" -> "zip" (a tool's
    name is never said)."""
    return key.split(" for ")[0]


def base_key(key: str) -> str:
    """The parameter a stated value is for: "zip_code for find customer" -> "zip_code"."""
    return key.split(" for ")[0].removeprefix("other ")
