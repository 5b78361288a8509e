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


def merged(facts: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """`facts` with every group of two or more parts said as one fact, at its first part's
    place; a group of one part is left as it is."""
    groups: dict[str, list[tuple[int, str, Any]]] = {}
    names: dict[str, str] = {}
    for key, value in facts:
        found = _group(key)
        if found is not None and isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            groups.setdefault(found[0], []).append((found[2], key, value))
            names[found[0]] = found[1]
    whole = {g for g, parts in groups.items() if len(parts) >= 2}
    out: list[tuple[str, Any]] = []
    done: set[str] = set()
    for key, value in facts:
        found = _group(key)
        if found is None or found[0] not in whole:
            out.append((key, value))
            continue
        if found[0] in done:
            continue
        done.add(found[0])
        parts = [str(v).strip() for _, _, v in sorted(groups[found[0]], key=lambda p: p[0])]
        out.append((names[found[0]], (" " if found[0].startswith("name:") else ", ").join(parts)))
    return out
