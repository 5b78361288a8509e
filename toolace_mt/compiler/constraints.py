"""What a spec says a value must be (format, pattern, bounds), kept in the compiled module.

The engine derives a tool's schema from its signature and docstring, so a spec's
`format`, `pattern`, `minimum` and `maximum` survive only as words of the docstring
(read by people and by the generator: "as YYYY-MM-DD", "between 1 and 500", "e.g.
EMP-0042") and as checks in the body (a pattern the argument must match).
"""

from __future__ import annotations

import random
import re

from toolace_mt.compiler.names import words
from toolace_mt.compiler.spec_model import Field
from toolace_mt.generation.plan.value_shapes import from_pattern

# Formats as the words a description gives them in, and the words that show it already does.
FORMAT_WORDS = {
    "date": ("as YYYY-MM-DD", ("yyyy-mm-dd",)),
    "date-time": ("as YYYY-MM-DDTHH:MM:SS", ("yyyy-mm-dd", "iso 8601", "iso-8601")),
    "datetime": ("as YYYY-MM-DDTHH:MM:SS", ("yyyy-mm-dd", "iso 8601", "iso-8601")),
    "time": ("as HH:MM", ("hh:mm",)),
    "email": ("an email address", ("email", "e-mail")),
    "uri": ("a URL", ("url", "uri", "link")),
    "url": ("a URL", ("url", "uri", "link")),
    "uuid": ("a UUID", ("uuid",)),
}
RANGE_SAID = re.compile(r"\b(between|from)\s+-?\d", re.IGNORECASE)
BOUND_SAID = re.compile(r"\b(at least|at most|up to|no more than|minimum|maximum|or more|or less)\b", re.IGNORECASE)
# A group that repeats and holds a repeat: (a+)+, (\w*x)*, (a|aa){2,}: backtracking blows up.
NESTED_REPEAT = re.compile(r"\([^()]*[+*}][^()]*\)\s*[+*{]")
SHOWABLE = re.compile(r"[\w.@:+/#-]{1,40}")  # an example a docstring can show as it is
EXAMPLE_SAID = re.compile(r"\b(e\.g\.|for example|such as|like)\b", re.IGNORECASE)


def num(value: float) -> str:
    """A bound as words: 5 rather than 5.0."""
    return str(int(value)) if float(value).is_integer() else repr(value)


YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
NEAR_YEAR = 2026  # the years seeded values are made around (the sandbox's clock is in 2026)


def pattern_example(pattern: str) -> str | None:
    """A value that matches `pattern`, when the pattern is one a body may safely check
    (bounded, no nested repeats, made and matched here); None otherwise."""
    if not pattern or len(pattern) > 200 or NESTED_REPEAT.search(pattern) or "(?" in pattern:
        return None
    made = from_pattern(pattern, random.Random(len(pattern)))
    if made is None:
        return None
    try:
        return made if re.fullmatch(pattern, made) else None
    except re.error:
        return None


def pattern_pool(pattern: str, count: int = 12) -> list[str]:
    """Distinct values matching `pattern` (for seeding), [] when it is not a safe one."""
    if pattern_example(pattern) is None:
        return []
    made = [from_pattern(pattern, random.Random(index)) for index in range(count * 2)]
    found = sorted({m for m in made if m is not None and re.fullmatch(pattern, m)})
    if any(YEAR.search(m) for m in found):  # a season like 2028-spring: years near now, not 2008 or 2058
        near = (from_pattern(pattern, random.Random(index)) for index in range(count * 40))
        found = sorted({m for m in near if m is not None and re.fullmatch(pattern, m)
                        and all(abs(int(y) - NEAR_YEAR) <= 2 for y in YEAR.findall(m))})[:count] or found
    return found[:count]


def bound_words(spec: Field) -> str:
    """A number's schema bounds in words: "between 1 and 25", "more than 0 and at most 150"."""
    low, high = spec.minimum, spec.maximum
    if low is not None and high is not None and not spec.exclusive_minimum and not spec.exclusive_maximum:
        return f"between {num(low)} and {num(high)}"
    said_low = "" if low is None else f"{'more than' if spec.exclusive_minimum else 'at least'} {num(low)}"
    said_high = "" if high is None else f"{'less than' if spec.exclusive_maximum else 'at most'} {num(high)}"
    return " and ".join(part for part in (said_low, said_high) if part)


def nested_bounds(spec: Field) -> str:
    """The bounds of an object's numeric properties, for its description ("value more than
    0 and at most 150"): the generator reads a parameter's words, not its properties'."""
    parts = [f"{' '.join(words(prop.name))} {bound_words(prop)}" for prop in spec.properties
             if prop.type in ("integer", "number") and (prop.minimum is not None or prop.maximum is not None)
             and not RANGE_SAID.search(prop.description.lower()) and not BOUND_SAID.search(prop.description.lower())]
    return "; ".join(parts)


def said(spec: Field) -> str:
    """The words to add to a parameter's description for what its schema requires and
    the description does not already say ("" when nothing)."""
    text = spec.description.lower()
    parts: list[str] = []
    fmt = FORMAT_WORDS.get(spec.format.lower())
    if fmt is not None and not any(word in text for word in fmt[1]):
        parts.append(fmt[0])
    if spec.type in ("integer", "number") and not RANGE_SAID.search(text) and not BOUND_SAID.search(text):
        if spec.minimum is not None or spec.maximum is not None:
            parts.append(bound_words(spec))
    if spec.type == "object" or (spec.type == "array" and spec.items is not None and spec.items.type == "object"):
        inner = nested_bounds(spec if spec.type == "object" else spec.items)  # type: ignore[arg-type]
        if inner:
            parts.append(inner if spec.type == "object" else f"each with {inner}")
    if spec.type == "string" and spec.pattern and not EXAMPLE_SAID.search(text):
        example = pattern_example(spec.pattern)
        if example is not None and SHOWABLE.fullmatch(example):
            parts.append(f"e.g. {example}")
    return "; ".join(parts)


def described(spec: Field, description: str) -> str:
    """`description` with what the schema requires added ("The badge number, e.g. EMP-0042.")."""
    extra = said(spec)
    if not extra:
        return description
    return f"{description.rstrip('. ')}, {extra}." if description else f"{extra[:1].upper()}{extra[1:]}."
