"""Whether an output shows a record: the record itself with its fields, not a bare key in a
list. CHECK_BEFORE_WRITE asks for such a look before a write (plan_sense), and the read
that gave it earns its place by that (necessity)."""

from __future__ import annotations

from typing import Any

from toolace_mt.verifier.id_fields import key_stem


def shows_record(output: Any, stem: str, value: str, depth: int = 0) -> bool:
    """Whether `output` holds a record whose key of this kind (`order_id`, `claim_number`, or
    a bare `id`) is `value` and which has fields besides keys: a record looked at, not a bare
    reference."""
    if depth > 32:  # records are hostile input
        return False
    if isinstance(output, list):
        return any(shows_record(item, stem, value, depth + 1) for item in output[:2000])
    if not isinstance(output, dict):
        return False
    for key, field in output.items():
        if isinstance(field, str | int) and not isinstance(field, bool) and str(field) == value \
                and key_stem(key) in (stem, "") and any(key_stem(other) is None for other in output if other != key):
            return True
    return any(shows_record(field, stem, value, depth + 1) for field in output.values()
               if isinstance(field, dict | list))
