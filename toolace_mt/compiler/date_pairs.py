"""Pairs of fields that bound a span (start/end, checkIn/checkOut, arrival/departure): the
end may not come before the start, and seeded spans are a few days long."""

from __future__ import annotations

from toolace_mt.compiler.names import words

# (start word, end word): the two names differ in this one word only.
PAIRS = [("start", "end"), ("begin", "end"), ("in", "out"), ("from", "to"), ("arrival", "departure"),
         ("departure", "return"), ("pickup", "dropoff"), ("open", "close"), ("since", "until")]
SPAN_WORDS = {"date", "day", "time", "at", "on", "datetime", "timestamp", "check", "in", "out", "start", "end",
              "arrival", "departure", "return", "pickup", "dropoff"}


def date_pairs(names: list[str]) -> list[tuple[str, str]]:
    """(start, end) name pairs among `names`, e.g. [("checkIn", "checkOut")]."""
    found = []
    split = {n: words(n) for n in names}
    for start in names:
        for end in names:
            a, b = split[start], split[end]
            if start == end or len(a) != len(b) or (not set(a) <= SPAN_WORDS | {"trip", "stay", "booking"} and \
                    not {"date", "time"} & set(a)):
                continue
            differ = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
            if len(differ) == 1 and differ[0] in PAIRS:
                found.append((start, end))
    return found
