"""A record the user names where a tool takes its id (tau_retail's item_ids given as
["Air Purifier", "Smart Thermostat"]: the assistant reads the ids off an output) is said
as the named thing: "It's the Air Purifier and the Smart Thermostat.", never "item IDs
Air Purifier", which calls a name an id."""

from __future__ import annotations

import random
import re
from typing import Any

NAMED_CLAUSES = ["The {n} in question {be} {v}.", "It's about {v}.", "I'm talking about {v}.", "The {n} {be} {v}."]
MAX_NAMED = 6


def _snake(param: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", param.split(" for ")[0].split()[-1]).lower()


def _id_param(param: str) -> bool:
    snake = _snake(param)
    return snake in ("id", "ids") or snake.endswith(("_id", "_ids"))


def _a_name(value: Any) -> bool:
    """A name, not an id: text with a letter and no digit ("Air Purifier", "T-Shirt")."""
    return isinstance(value, str) and any(c.isalpha() for c in value) and not any(c.isdigit() for c in value)


def titled(value: Any) -> bool:
    """A record's title that reads as words, not a name ("Phone will not charge",
    "Ameliorated asynchronous middleware"): three words or more, some in lower case."""
    words = value.split() if isinstance(value, str) else []
    return len(words) >= 3 and not any(c.isdigit() for c in value) and any(x[:1].islower() for x in words[1:])


def named_things(param: str, value: Any) -> str | None:
    """"the Air Purifier and the Smart Thermostat" when an id parameter's value names its
    records instead of giving their ids; a title as the thing it titles, quoted: 'the
    ticket "Phone will not charge"', never "the Phone will not charge"; None otherwise."""
    names = value if isinstance(value, list) else [value]
    if not _id_param(param) or not names or len(names) > MAX_NAMED or not all(_a_name(v) for v in names):
        return None
    noun = re.sub(r"_?ids?$", "", _snake(param)).replace("_", " ").strip() or "one"
    parts = [f'the {noun} "{str(v).strip()}"' if titled(v) else f"the {str(v).strip()}" for v in names]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def named_clause(rng: random.Random, param: str, value: Any) -> str | None:
    """The sentence that names the records (None when the value is no such names)."""
    said = named_things(param, value)
    if said is None:
        return None
    many = isinstance(value, list) and len(value) > 1
    noun = re.sub(r"_?ids?$", "", _snake(param)).replace("_", " ").strip() or "one"
    titles = any(titled(v) for v in (value if isinstance(value, list) else [value]))
    frame = rng.choice(NAMED_CLAUSES if noun != "one" and not titles else NAMED_CLAUSES[1:3])
    return frame.replace("{n}", noun + ("s" if many else "")).replace("{be}", "are" if many else "is") \
        .replace("{v}", said)
