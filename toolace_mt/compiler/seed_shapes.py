"""Seed expressions for string columns whose name, schema or description give a shape:
a month as YYYY-MM, a badge like EMP-0042 or a pattern, one of listed values, an ISO
code, a past or future date. The shape is read by the generator's own reader
(value_shapes.shape_of), so seeded rows and proposed arguments look alike.
"""

from __future__ import annotations

import datetime as dt
import random
import re

from toolace_mt.compiler.constraints import pattern_pool
from toolace_mt.compiler.spec_model import Field
from toolace_mt.generation.plan.value_shapes import date_span, listed_options, make, shape_of

# A description that is only a list of values: "queued, observing, done or scrubbed."
BARE_LIST = re.compile(r"^\s*[a-z][a-z_-]{0,20}(?:,\s*[a-z][a-z_-]{0,20}){1,10},?\s+or\s+[a-z][a-z_-]{0,20}\.?\s*$")
POOL = 12  # values drawn at compile time for shapes with no relation to today
TODAY = dt.date(2026, 1, 15)  # only for shapes that do not depend on the date
BIRTH_WORDS = {"birth", "born", "dob", "birthday"}


def _days(name: str, when: str | None) -> tuple[int, int]:
    """The days from today a seeded date of this column lies in."""
    if when is None:
        return -365, 0
    span = date_span(name, when)
    if when == "past":
        low, high = sorted((span.nearest, span.farthest))
        return (low, high) if low < -130 else (-365, -1)  # a birth date keeps its years
    return 1, 120


def shape_expr(name: str, spec: Field | None) -> str | None:
    """Source of one seeded value of the described shape, or None when nothing says one."""
    if spec is None:
        return None
    pool = pattern_pool(spec.pattern) if spec.pattern else []
    if pool:
        return f"rng.choice({pool!r})"
    shape = shape_of(name, {"format": spec.format}, spec.description)
    bare = BARE_LIST.match((spec.description or "").split(":")[-1])  # "Only slots in this state: a, b or c."
    if shape is None and bare is not None and spec.type == "string":  # "queued, observing, done or scrubbed."
        options = [o.strip() for o in re.split(r",|\bor\b", bare.group(0).rstrip(". ")) if o.strip()]
        return f"rng.choice({options!r})"
    if shape is None:
        return None
    low, high = _days(name, shape.when)
    if shape.kind == "date":
        return f"(today + datetime.timedelta(days=rng.randint({low}, {high}))).isoformat()"
    if shape.kind == "datetime" and shape.when == "future":
        return (f'(datetime.datetime.combine(today, datetime.time(9)) + datetime.timedelta('
                f'minutes=rng.randint({low * 1440}, {high * 1440}))).isoformat(timespec="minutes")')
    if shape.kind == "month":
        step = "-" if shape.when != "future" else "+"
        return f"(today.replace(day=15) {step} datetime.timedelta(days=30 * rng.randint(0, 6))).isoformat()[:7]"
    if shape.kind == "year":
        return "str(today.year - rng.randint(0, 3))" if shape.when != "future" else \
            "str(today.year + rng.randint(0, 1))"
    if shape.kind == "listed" and shape.options:
        return f"rng.choice({list(shape.options)!r})"
    if shape.kind in ("currency", "country", "language", "uuid") or (
            shape.kind == "example" and shape.example is not None and any(c.isdigit() for c in shape.example)):
        made = [make(shape, name, random.Random(index), TODAY) for index in range(POOL)]
        values = sorted({m for m in made if m})
        if shape.kind == "example" and shape.example is not None:
            values = sorted({shape.example, *values})
        return f"rng.choice({values!r})" if values else None
    return None  # email, url, a clock time, a past timestamp: by name (seed_plan)


def said_values(spec: Field) -> list[str]:
    """The values a field may take: its enum, else the ones its description lists ("one of
    low, normal or urgent"; "Only slots in this state: queued, observing, done or scrubbed.")."""
    if spec.enum:
        return [str(v) for v in spec.enum]
    bare = BARE_LIST.match((spec.description or "").split(":")[-1])
    if bare is not None:
        return [o.strip() for o in re.split(r",|\bor\b", bare.group(0).rstrip(". ")) if o.strip()]
    return list(listed_options(spec.description or ""))
