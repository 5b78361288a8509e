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


# Keys named other than "id": a claim_number, report_code, booking_ref. Numbers and codes of
# contact or payment details are values a person gives, not records (phone_number, zip_code).
_KEY_SUFFIXES = ("number", "code", "ref", "reference")  # besides "id" (id_stem)
_NOT_RECORDS = frozenset({"phone", "mobile", "fax", "zip", "postal", "post", "card", "cvv", "pin", "routing",
                          "security", "verification", "promo", "discount", "coupon", "country", "area", "currency",
                          "language", "color", "colour", "tax", "house", "street", "building", "room", "seat"})


def key_stem(name: str) -> str | None:
    """What a record key identifies: `id_stem`, or "claim" for claim_number/claimNumber and
    "report" for report_code; None when the field is no key."""
    words = name_words(name)
    if len(words) >= 2 and words[-1] in _KEY_SUFFIXES and not _NOT_RECORDS & set(words[:-1]):
        return "_".join(words[:-1])
    return id_stem(name)
