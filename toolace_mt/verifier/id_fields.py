"""Which field names are ids, in any casing a record may use: `customer_id`, `customerId`,
`taskID`, `ID`, `id`. Checks read records from any source, so a camelCase API's ids must
count as ids too (a suffix test on `_id` misses them; one on `id` takes `paid`, `valid`)."""

from __future__ import annotations

import re

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def words_of(name: str) -> list[str]:
    """`getUserID`, `get_user-id` -> ["get", "user", "id"] (the generator's planner reads names so too)."""
    return [w for w in re.split(r"[^a-z0-9]+", _CAMEL.sub("_", name).lower()) if w]


def name_words(name: str) -> list[str]:
    """A record's name as words; the first 200 characters (records are hostile input)."""
    return words_of(name[:200])


def id_stem(name: str) -> str | None:
    """What an id field identifies: "customer" for customer_id/customerId, "" for a bare id;
    None when the field is no id."""
    words = name_words(name)
    if not words or words[-1] != "id":
        return None
    return "_".join(words[:-1])


def is_id_field(name: str) -> bool:
    return id_stem(name) is not None
