"""One value as a person says it: enum words spaced out, an amount as "$1,108.90", a
date as "July 16, 2026", a measure with its unit. Values the verifier grounds keep a form
its evidence rules read as the same value."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from toolace_mt.generation.language.labels import date_words, unit

_SNAKE = re.compile(r"[a-z]+(?:_[a-z]+)+|[a-z]+(?:-[a-z]+){1,4}")  # no_longer_needed, filled-elsewhere

ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2})?)?")

_MONEY = ("total", "amount", "price", "balance", "cost", "fare", "refund", "fee", "limit", "payment", "copay",
          "payout", "deductible", "premium", "salary", "wage", "budget", "reimburse")

# Words of a field that counts or measures something other than money ("total_contacts",
# "fuelAmount"): its number is not an amount of dollars.
_NOT_MONEY = frozenset({"count", "contacts", "items", "messages", "users", "days", "nights", "bags", "seats",
                        "passengers", "quantity", "number", "num", "points", "miles", "level", "pressure",
                        "temperature", "speed", "fuel", "distance", "percent", "rate", "weight", "volume", "units",
                        "shares", "stock", "minutes", "hours", "tickets", "guests", "size", "liters", "gallons"})


def money_field(field: str) -> bool:
    parts = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", field).lower().split("_")
    return (any(m in p for p in parts for m in _MONEY) or bool(set(parts) & _MONEY_WORDS)) \
        and not any(p in _NOT_MONEY for p in parts)


_MONEY_WORDS = frozenset({"tip", "tips", "subtotal", "cash", "wage", "rent", "paid", "owe", "owes", "owed", "owing",
                          "debt"})  # whole words only ("multiple")


# Words of a field holding money a write moved (not a standing price or balance): a refund, a
# charge, a penalty, or a fee the write caused ("late_fee"; a "delivery_fee" is a price).
_MOVED = frozenset({"refund", "refunded", "charged", "penalty", "penalties"})
_CAUSED_FEES = frozenset({"late", "cancellation", "cancel", "change", "rebooking", "restocking", "noshow"})


def moved_money(field: str, value: Any) -> bool:
    """An amount above zero that a write refunded or charged (`refund_amount`, `fee_charged`)."""
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        return False
    words = set(re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", field).lower().split("_"))
    return bool(words & _MOVED) or bool(words & {"fee", "fees"} and words & _CAUSED_FEES)


def is_money(field: str, value: Any) -> bool:
    """A number under a money field ("amount" 25.0): said as "$25.00"."""
    return isinstance(value, int | float) and not isinstance(value, bool) and money_field(field)


def whole(value: Any) -> Any:
    """A float that is a whole number as an int (3.0 -> 3): a person says "3 workdays"."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def natural(value: Any, field: str = "") -> str:
    """A value as a person says it: `no_longer_needed` -> "no longer needed", an amount
    field 1108.9 -> "$1,108.90", 2026-07-16T22:00:00 -> "July 16, 2026 at 22:00", a
    count 3.0 -> "3"."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and money_field(field):
        return f"${value:,.2f}"
    value = whole(value)
    measured = unit(field) if isinstance(value, int | float) and field else None
    if measured is not None:
        return f"{value}{measured[1]}"
    text = str(value)
    if _SNAKE.fullmatch(text):
        return text.replace("_", " ").replace("-", " ")
    match = ISO_DATE.fullmatch(text)
    if match:
        year, month, day, hour, minute = match.groups()
        try:
            dt.date(int(year), int(month), int(day))
        except ValueError:
            return text
        said = date_words(year, month, day)
        if hour is not None and (hour, minute) != ("00", "00"):
            said += f" at {hour}:{minute}"
        return said
    return text
