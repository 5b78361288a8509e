"""Things with a quantity (an order's lines: {"product": "Camping Tent (Navy)", "quantity":
3}) said as a shopper says them: "3 of the Camping Tent (Navy)", "1 Wall Clock (Grey)",
"2 units of product P2016"; never "product Camping Tent (Navy), quantity 3", which reads
as a form. The thing and the count are said verbatim, as every stated value is."""

from __future__ import annotations

import re
from typing import Any

# Fields that count the thing beside them.
COUNT_KEYS = frozenset({"quantity", "qty", "count", "units", "amount_of_units", "number_of_units"})
MAX_LISTED = 6  # entries said one by one; a longer list is no sentence a person says


def _snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower()


def _one(entry: Any, thing_said: Any = None) -> str | None:
    """One entry with a count and one thing, in words; None for any other value."""
    if not isinstance(entry, dict) or len(entry) != 2:
        return None
    counts = [k for k in entry if _snake(str(k)) in COUNT_KEYS]
    if len(counts) != 1:
        return None
    count = entry[counts[0]]
    key = next(k for k in entry if k != counts[0])
    thing = entry[key]
    if isinstance(count, bool) or not isinstance(count, int) or count < 1 \
            or isinstance(thing, bool) or not isinstance(thing, str | int) or not str(thing).strip():
        return None
    said = str(thing) if thing_said is None else thing_said(thing, key)
    snake = _snake(str(key))
    if snake == "id" or snake.endswith("_id"):  # "2 units of product P2016"
        noun = snake.removesuffix("_id").removesuffix("id").replace("_", " ").strip() or "item"
        return f"{count} {'unit' if count == 1 else 'units'} of {noun} {said}"
    return f"1 {said}" if count == 1 else f"{count} of the {said}"


def counted(value: Any, thing_said: Any = None) -> str | None:
    """A list of counted things (or one) in words ("1 Wall Clock (Grey) and 3 of the Camping
    Tent (Navy)"); None when the value is no such list. `thing_said(value, key)`
    says the thing another way (an id with the name the dialogue showed for it)."""
    entries = value if isinstance(value, list) else [value]
    if not entries or len(entries) > MAX_LISTED:
        return None
    said = [_one(entry, thing_said) for entry in entries]
    if any(s is None for s in said):
        return None
    parts = [s for s in said if s is not None]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def paired(pairs: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """A call's count and the one thing it counts given apart (`item_id` MI2031, `quantity`
    3) as one counted value ("3 units of item MI2031"), in the count's place; the pairs as
    they are when there is no count, or several things it could count."""
    counts = [i for i, (k, v) in enumerate(pairs) if _snake(str(k)) in COUNT_KEYS and isinstance(v, int)
              and not isinstance(v, bool) and v >= 1]
    things = [i for i, (k, v) in enumerate(pairs) if (_snake(str(k)) == "id" or _snake(str(k)).endswith("_id"))
              and isinstance(v, str | int) and not isinstance(v, bool)]
    if len(counts) != 1 or len(things) != 1:
        return pairs
    (count_key, count), (thing_key, thing) = pairs[counts[0]], pairs[things[0]]
    merged = (f"{_snake(str(thing_key)).removesuffix('_id')}s", [{thing_key: thing, count_key: count}])
    return [merged if i == counts[0] else kv for i, kv in enumerate(pairs) if i != things[0]]
