"""Fields that are parts of one thing, said as that thing: `ship_street`, `ship_city`,
`ship_state`, `ship_zip` are the shipping address; `first_name`, `last_name` are the name.
A person says "it ships to 1 Main St, Springfield, IL 62704", never the street, the city,
the state and the zip one by one (a read-out the verifier's `field_name` finding rejects)."""

from __future__ import annotations

import re
from typing import Any

_ADDRESS = ("street", "street1", "street2", "line1", "line2", "address1", "address2", "address", "city", "town",
            "state", "province", "region", "zip", "zipcode", "zip_code", "postal_code", "postcode", "country")
_NAME = re.compile(r"(?:(?P<prefix>[a-z0-9_]+)_)?(?P<part>first|last|given|family|middle)_name")
_ADDRESS_KEY = re.compile(r"(?:(?P<prefix>[a-z0-9_]+?)_)?(?P<part>" + "|".join(sorted(_ADDRESS, key=len, reverse=True))
                          + r")")


def _group(key: str) -> tuple[str, str, int] | None:
    """(group key, what the group is called, the part's place in it), or None."""
    name = _NAME.fullmatch(key)
    if name:
        prefix = name["prefix"] or ""
        order = ["first", "given", "middle", "last", "family"].index(name["part"])
        return f"name:{prefix}", f"{prefix}_name" if prefix else "name", order
    address = _ADDRESS_KEY.fullmatch(key)
    if address:
        prefix = address["prefix"] or ""
        return f"address:{prefix}", f"{prefix}_address" if prefix else "address", _ADDRESS.index(address["part"])
    return None


def is_part(key: str) -> bool:
    """A field that is part of a name or an address (`ship_city`, `address1`)."""
    return _group(key) is not None


def merged(facts: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """`facts` with every group of two or more parts said as one fact, at its first part's
    place; a group of one part is left as it is."""
    found = [_group(key) for key, _ in facts]
    parts: dict[str, list[tuple[int, Any]]] = {}
    for (_, value), group in zip(facts, found, strict=True):
        if group is not None and isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            parts.setdefault(group[0], []).append((group[2], value))
    out: list[tuple[str, Any]] = []
    done: set[str] = set()
    for (key, value), group in zip(facts, found, strict=True):
        if group is None or len(parts.get(group[0], [])) < 2:
            out.append((key, value))
        elif group[0] not in done:
            done.add(group[0])
            said = [str(v).strip() for _, v in sorted(parts[group[0]], key=lambda p: p[0])]
            out.append((group[1], (" " if group[0].startswith("name:") else ", ").join(said)))
    return out
