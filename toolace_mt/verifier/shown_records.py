"""Whether an output shows a record: the record itself with its fields, not a bare key in a
list. CHECK_BEFORE_WRITE asks for such a look before a write (plan_sense), and the read
that gave it earns its place by that (necessity)."""

from __future__ import annotations

from typing import Any

from toolace_mt.verifier.id_fields import key_stem


def shows_record(output: Any, key: str, value: object) -> bool:
    """Whether `output` holds a record whose key of `key`'s kind (`order_id`, `claim_number`,
    or a bare `id`) is `value` and which has fields besides keys: a record looked at, not a
    bare reference."""
    return _shows(output, key_stem(key) or "", str(value), 0)


def _shows(output: Any, stem: str, value: str, depth: int) -> bool:
    if depth > 32:  # records are hostile input
        return False
    if isinstance(output, list):
        return any(_shows(item, stem, value, depth + 1) for item in output[:2000])
    if not isinstance(output, dict):
        return False
    matched = any(isinstance(field, str | int) and not isinstance(field, bool) and str(field) == value
                  and key_stem(name) in (stem, "") for name, field in output.items())
    # the matched key is itself a key, so "a field besides it" is any field that is no key;
    # read once per object (per match it was quadratic in a hostile object's keys)
    if matched and any(key_stem(name) is None for name in output):
        return True
    return any(_shows(field, stem, value, depth + 1) for field in output.values() if isinstance(field, dict | list))
