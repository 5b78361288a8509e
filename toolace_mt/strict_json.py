"""Strict JSON for dialogue records (README "The dialogue record", strict JSON).

`json.loads` accepts what a record must not carry: a repeated key (the last one wins, so
a tool output `{"balance": 999999.99, ..., "balance": 12142.07}` would compare equal to
the real one), NaN and Infinity (not JSON; they also break the sandbox's protocol), and
nesting deep enough to raise RecursionError. Records are read with `loads_strict`, which
rejects all three with a StrictJSONError naming what it found.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 64  # nested arrays and objects in one JSON document (a record line, an arguments string, an output)
MAX_LINE_BYTES = 4 * 1024 * 1024  # one record line; a longer line is a failed record and is never held whole


class StrictJSONError(ValueError):
    """Valid for `json.loads` but not for a record: duplicate key, NaN/Infinity, too deep."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise StrictJSONError(f"duplicate key {json.dumps(key[:80])} in an object (JSON readers disagree on "
                                  "which one counts)")
        result[key] = value
    return result


def _constant(name: str) -> Any:
    raise StrictJSONError(f"{name} is not a JSON number")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise StrictJSONError(f"the number {text[:40]} is out of range (it would be read as infinity)")
    return value


def depth_of(value: Any, limit: int = MAX_DEPTH) -> int:
    """Nesting depth of arrays/objects (a scalar is 0), counted without recursion; stops
    counting once past `limit`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth) for child in children if isinstance(child, dict | list))
    return deepest


def loads_strict(text: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text; raises json.JSONDecodeError when it is not JSON, StrictJSONError
    when it is JSON a record must not hold."""
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant, parse_float=_float)
    except RecursionError:
        raise StrictJSONError(f"nested deeper than {max_depth} levels") from None
    if depth_of(value, max_depth) > max_depth:
        raise StrictJSONError(f"nested deeper than {max_depth} levels")
    return value


def strict_problem(text: str) -> str | None:
    """Why `text`, when it is JSON, is not strict JSON; None when it is strict or no JSON at
    all (free text is judged by the checks, not here)."""
    try:
        loads_strict(text)
    except StrictJSONError as exc:
        return str(exc)
    except ValueError:
        return None
    return None
