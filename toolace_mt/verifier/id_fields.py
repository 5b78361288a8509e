"""Which field names are ids, in any casing a record may use: `customer_id`, `customerId`,
`taskID`, `ID`, `id`. Checks read records from any source, so a camelCase API's ids must
count as ids too (a suffix test on `_id` misses them; one on `id` takes `paid`, `valid`)."""

from __future__ import annotations

import re

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def name_words(name: str) -> list[str]:
    """`getUserID`, `get_user-id` -> ["get", "user", "id"]."""
    return [w for w in re.split(r"[^a-z0-9]+", _CAMEL.sub("_", name[:200]).lower()) if w]


def id_stem(name: str) -> str | None:
    """What an id field identifies: "customer" for customer_id/customerId, "" for a bare id;
    None when the field is no id."""
    words = name_words(name)
    if not words or words[-1] != "id":
        return None
    return "_".join(words[:-1])


def is_id_field(name: str) -> bool:
    return id_stem(name) is not None
