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
import re
from itertools import accumulate
from typing import Any

MAX_DEPTH = 64  # nested arrays and objects in one JSON document (a record line, an arguments string, an output)
MAX_LINE_BYTES = 4 * 1024 * 1024  # one record line; a longer line is a failed record and is never held whole


class StrictJSONError(ValueError):
    """Valid for `json.loads` but not for a record: duplicate key, NaN/Infinity, too deep."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        repeated = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise StrictJSONError(f"duplicate key {json.dumps(repeated[:80])} in an object (JSON readers disagree on "
                              "which one counts)")
    return result


def reject_constant(name: str) -> Any:
    """json.loads' parse_constant: NaN, Infinity and -Infinity are no JSON."""
    raise StrictJSONError(f"{name} is not a JSON number")


def finite_float(text: str) -> float:
    """json.loads' parse_float: a number too large for a float is an error, not infinity."""
    value = float(text)
    if not math.isfinite(value):
        raise StrictJSONError(f"the number {text[:40]} is out of range (it would be read as infinity)")
    return value


# A string literal, its closing quote optional: an unterminated string then ends the
# text instead of failing, so no quote is tried as a start twice. (With the quote
# required, each escaped quote of '"\\"\\"\\"...' began a scan to the end: quadratic, 38 s for
# 80 KB.) The text is not JSON then, and json.loads says so.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
# Only such a number can overflow to infinity. A digit run is tried from its first digit
# only: from every digit, runs of 299 digits cost 299 steps per character.
_HUGE_NUMBER = re.compile(r"[eE][+-]?\d{3,}|(?<!\d)\d{300,}")


def depth_of(text: str) -> int:
    """Deepest nesting of arrays/objects in JSON `text` (strings skipped), counted without
    recursion and at C speed for the scanning."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(1 if c in "[{" else -1 for c in brackets), default=0)


def loads_strict(text: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text; raises json.JSONDecodeError when it is not JSON, StrictJSONError
    when it is JSON a record must not hold. Depth and huge numbers are screened on the
    text first, so the common case parses with only the duplicate-key hook."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    bare = None
    if text.count("[") + text.count("{") > max_depth:
        bare = _STRING.sub("", text)
        brackets = _NOT_BRACKET.sub("", bare)
        if max(accumulate(1 if c in "[{" else -1 for c in brackets), default=0) > max_depth:
            raise StrictJSONError(f"nested deeper than {max_depth} levels")
    huge = _HUGE_NUMBER.search(bare if bare is not None else _STRING.sub("", text)) is not None
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_constant=reject_constant,
                          **({"parse_float": finite_float} if huge else {}))
    except RecursionError:
        raise StrictJSONError(f"nested deeper than {max_depth} levels") from None


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
