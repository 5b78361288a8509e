"""What a parameter's value must look like, read from its JSON schema (format, pattern,
minimum/maximum, length) and its description (a format such as YYYY-MM, an ISO code,
values listed in words, an example), and whether a date in it lies in the past or the
future; and a value made to fit. A fresh value that ignores these fails the call (a
month written as a word, a birth date next week, a badge that is not EMP-0042-shaped),
or worse, succeeds and teaches a model to write such values.

Descriptions and patterns come from outside: patterns are parsed with bounds (length,
repeats, depth) and never matched against anything here.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import string
from dataclasses import dataclass
from typing import Any

from toolace_mt.generation.plan.id_names import name_words

# The standard library's regular-expression parser (parsing only: nothing is matched here).
try:
    from re import _constants as _sre_constants  # type: ignore[attr-defined]
    from re import _parser as _sre  # type: ignore[attr-defined]
except ImportError:  # Python 3.10
    import sre_constants as _sre_constants
    import sre_parse as _sre

ANY, AT, BRANCH, CATEGORY, IN, LITERAL = (_sre_constants.ANY, _sre_constants.AT, _sre_constants.BRANCH,
                                          _sre_constants.CATEGORY, _sre_constants.IN, _sre_constants.LITERAL)
MAX_REPEAT_OP, MIN_REPEAT_OP, NEGATE, RANGE, SUBPATTERN = (
    _sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT, _sre_constants.NEGATE, _sre_constants.RANGE,
    _sre_constants.SUBPATTERN)


MAX_PATTERN = 200  # characters of a pattern read at all
MAX_MADE = 64  # characters of a value made from a pattern
MAX_REPEAT_MADE = 6  # repeats made for an unbounded quantifier (+, *)
MAX_DEPTH = 12
MAX_OPTIONS = 12  # values listed in a description

# The few currencies and countries a user plausibly names (ISO 4217, ISO 3166-1 alpha-2).
CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "SEK")
COUNTRIES = ("US", "GB", "DE", "FR", "CA", "AU", "JP", "ES", "IT", "NL")
LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "ja", "pt")

# Words that say when a date lies (in the name or description of its parameter).
_PAST_WORDS = frozenset({"birth", "born", "dob", "birthday", "since", "history", "historical", "past", "previous",
                         "ago", "joined", "hired", "founded", "opened", "incurred", "purchased", "spent", "occurred",
                         "happened", "logged", "recorded", "yesterday"})
_FUTURE_WORDS = frozenset({"due", "deadline", "expiry", "expires", "expiration", "upcoming", "future", "departure",
                           "depart", "arrival", "checkin", "travel", "scheduled", "appointment", "reminder", "remind",
                           "tomorrow", "trip", "event", "meeting"})
_NOT_FUTURE = re.compile(r"\b(?:not|never|cannot|can't|can not|mustn't|must not)\b[^.;]{0,20}\b(?:in the future|"
                         r"a future|later than today|after today|still to come)|\bin the past\b|\bbefore today\b|"
                         r"\bon or before today\b|\bno later than today\b|\bor earlier\b", re.I)
_NOT_PAST = re.compile(r"\b(?:not|never|cannot|can't|can not|mustn't|must not)\b[^.;]{0,20}\b(?:in the past|"
                       r"a past|earlier than today|before today)|\bin the future\b|\bafter today\b|"
                       r"\bfrom today\b|\bor later\b", re.I)

_LIST_LEAD = re.compile(r"\b(?:one of|any of|either|(?:allowed|accepted|possible|valid|supported) values?"
                        r"(?: are| is| include)?)\s*[:=]?\s*", re.I)
_EXAMPLE = re.compile(r"(?:\be\.g\.|\bfor example|\bsuch as|\blike|\bformat)\s*[:,]?\s*"
                      r"(?:[\"'`“‘](?P<quoted>[^\"'`”’]{1,60})[\"'`”’]|(?P<bare>[A-Za-z0-9][A-Za-z0-9\-_/.:+]*[A-Za-z0-9]))",
                      re.I)


@dataclass(frozen=True)
class Shape:
    """What a string value must look like. kind: date, datetime, month, year, time,
    currency, country, language, email, url, uuid, listed (one of `options`), pattern,
    example (the shape of `example`). when: "past", "future" or None (for dates)."""

    kind: str
    options: tuple[str, ...] = ()
    pattern: str | None = None
    example: str | None = None
    when: str | None = None
    max_length: int | None = None


def timing(param: str, description: str) -> str | None:
    """Whether a date parameter's value lies in the past or the future, by what its
    description says ("cannot be in the future") or the words of its name and description
    (a birth date, a since filter, a history; a due date, a departure); None if neither."""
    text = description or ""
    if _NOT_FUTURE.search(text):
        return "past"
    if _NOT_PAST.search(text):
        return "future"
    name = set(name_words(param))
    words = set(re.findall(r"[a-z]+", text.lower()))
    for found in (name, words):  # the name decides first (a `dueDate` "since the order was placed")
        past, future = bool(found & _PAST_WORDS), bool(found & _FUTURE_WORDS)
        if past != future:
            return "past" if past else "future"
    return None


def listed_options(description: str) -> tuple[str, ...]:
    """Values a description lists as the only ones ("one of low, normal or urgent",
    "Allowed values: 'open', 'closed'"), else ()."""
    found = _LIST_LEAD.search(description or "")
    if found is None:
        return ()
    rest = re.split(r"[.;)\n]|\s-\s|\bdefault", description[found.end():], maxsplit=1)[0]
    parts = [p.strip(" \"'`“”‘’") for p in re.split(r",|\bor\b|\band\b|\||/", rest)]
    parts = [re.sub(r"\s*\(.*$", "", p).strip() for p in parts if p.strip(" \"'`")]
    options = tuple(dict.fromkeys(p for p in parts if p and len(p.split()) <= 3 and len(p) <= 40))
    return options[:MAX_OPTIONS] if len(options) >= 2 else ()


def example_of(description: str) -> str | None:
    """The example value a description gives ("e.g. EMP-0042", "like \"JFK\"")."""
    found = _EXAMPLE.search(description or "")
    if found is None:
        return None
    value = (found.group("quoted") or found.group("bare") or "").strip()
    if not value or any(c.isspace() for c in value) or len(value) > 40:
        return None  # a phrase ("12 Oak Street Apt 4") is no shape to copy
    if _FILE_NAME.match(value):
        return value  # a file name ("kitchen_floor.jpg"): another of its kind, same extension
    return value if any(c.isdigit() or c.isupper() for c in value) else None


_HEAD_END = re.compile(r"[.,;:(]|\s(?:of|for|to|that|which|whose|who|where|when|with|in|on|at|by|from|if|as)\s",
                       re.I)


def head_phrase(description: str) -> str:
    """The words a description opens with, up to its first qualifier: what the value is
    ("Recipient email address" -> all of it; "Name of the contact whose email ..." -> "Name")."""
    return _HEAD_END.split(" " + (description or "")[:120], maxsplit=1)[0].strip().lower()


def shape_of(param: str, schema: dict[str, Any], description: str) -> Shape | None:
    """The shape a string parameter's value must have, or None when nothing says."""
    text = description or ""
    fmt = str(schema.get("format") or "").lower()
    words = set(name_words(param))
    lowered = text.lower()
    when = timing(param, text)
    max_length = schema.get("maxLength") if isinstance(schema.get("maxLength"), int) else None
    if fmt in ("date-time", "datetime") or re.search(r"yyyy-mm-dd[t ]hh:mm|iso 8601 (?:date-?time|timestamp)",
                                                      lowered) or words & {"datetime", "timestamp"}:
        return Shape("datetime", when=when)
    if fmt == "date" or "yyyy-mm-dd" in lowered or words & {"date", "dob", "birthday"} or \
            (words & {"day"} and words & (_PAST_WORDS | _FUTURE_WORDS)):
        return Shape("date", when=when)
    if re.search(r"\byyyy-mm\b(?!-)", lowered) or (words & {"month"} and "yyyy" in lowered):
        return Shape("month", when=when)
    if fmt == "time" or re.search(r"\bhh:mm\b", lowered):
        return Shape("time")
    if re.search(r"\byyyy\b", lowered) and words & {"year"}:
        return Shape("year", when=when)
    if "iso 4217" in lowered or ("currency" in words and "code" in lowered):
        return Shape("currency")
    if "iso 3166" in lowered or {"country", "code"} <= words:
        return Shape("country")
    if "iso 639" in lowered or {"language", "code"} <= words:
        return Shape("language")
    head = head_phrase(text)
    if fmt == "email" or words & {"email"} or re.search(r"\be-?mail\b", head):
        return Shape("email")
    if fmt in ("uri", "url") or words & {"url", "uri", "website"} or re.search(r"\b(?:url|uri|website)\b", head):
        return Shape("url")
    if fmt == "uuid":
        return Shape("uuid")
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and 0 < len(pattern) <= MAX_PATTERN:
        return Shape("pattern", pattern=pattern, max_length=max_length)
    options = listed_options(text)
    if options:
        return Shape("listed", options=options)
    example = example_of(text)
    if example is not None:
        return Shape("example", example=example, max_length=max_length)
    return None


def number_bounds(schema: dict[str, Any]) -> tuple[float | None, float | None]:
    """(lowest, highest) a number may be, from minimum/maximum (exclusive ones nudged in)."""
    def number(key: str) -> float | None:
        value = schema.get(key)
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
    low, high = number("minimum"), number("maximum")
    above, below = number("exclusiveMinimum"), number("exclusiveMaximum")
    if above is not None:
        low = above + 1 if low is None or above + 1 > low else low
    if below is not None:
        high = below - 1 if high is None or below - 1 < high else high
    return low, high


def round_as_said(value: float | int) -> float | int:
    """A number drawn from a wide range, as a person says it: 1402191.41 -> 1400000, 56789
    -> 57000, 1234.5 -> 1200 (three figures at most); small ones are kept."""
    if isinstance(value, bool) or abs(value) < 1000:
        return value
    digits = len(str(int(abs(value))))
    return int(round(value, -(digits - 2)))


def fit_number(value: float | int, schema: dict[str, Any], rng: random.Random, integer: bool) -> float | int:
    """`value` if the schema's bounds allow it, else one drawn inside them."""
    low, high = number_bounds(schema)
    if (low is None or value >= low) and (high is None or value <= high):
        return value
    low = low if low is not None else (high - 100 if high is not None else 0)
    high = high if high is not None else low + 100
    if low > high:
        return value
    if integer:
        return rng.randint(int(-(-low // 1)), int(high // 1)) if int(-(-low // 1)) <= int(high // 1) else value
    return round(rng.uniform(low, high), 2)


@dataclass(frozen=True)
class DateSpan:
    """Where a made date falls, in days from today."""

    nearest: int
    farthest: int


def date_span(param: str, when: str | None) -> DateSpan:
    words = set(name_words(param))
    if words & {"birth", "born", "dob", "birthday"}:
        return DateSpan(-80 * 365, -18 * 365)
    if when == "past":
        return DateSpan(-120, -1)
    return DateSpan(1, 20)


def make(shape: Shape, param: str, rng: random.Random, today: dt.date) -> str | None:
    """A value of `shape` (dates around `today`: before it for past ones); None when the
    shape gives nothing to make one from."""
    span = date_span(param, shape.when)
    day = today + dt.timedelta(days=rng.randint(min(span.nearest, span.farthest), max(span.nearest, span.farthest)))
    kind = shape.kind
    if kind == "date":
        return day.isoformat()
    if kind == "datetime":
        return f"{day.isoformat()}T{rng.randint(8, 17):02d}:{rng.choice(['00', '30'])}"
    if kind == "month":
        months = rng.randint(0, 5) if shape.when == "past" else rng.randint(1, 6)
        index = today.year * 12 + today.month - 1 + (-months if shape.when == "past" else months)
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    if kind == "year":
        return str(today.year - rng.randint(0, 3) if shape.when == "past" else today.year + rng.randint(0, 1))
    if kind == "time":
        return f"{rng.randint(8, 18):02d}:{rng.choice(['00', '15', '30', '45'])}"
    if kind == "currency":
        return rng.choice(CURRENCIES)
    if kind == "country":
        return rng.choice(COUNTRIES)
    if kind == "language":
        return rng.choice(LANGUAGES)
    if kind == "uuid":
        return "-".join("".join(rng.choice("0123456789abcdef") for _ in range(n)) for n in (8, 4, 4, 4, 12))
    if kind == "listed":
        return rng.choice(shape.options)
    if kind == "pattern" and shape.pattern is not None:
        made = from_pattern(shape.pattern, rng)
        return made[: shape.max_length] if made is not None and shape.max_length else made
    if kind == "example" and shape.example is not None:
        return like(shape.example, rng)
    return None  # email, url: Faker makes those (see ValueSource)


def like(example: str, rng: random.Random) -> str:
    """A value shaped like `example`: its digits drawn again, the rest kept (EMP-0042 ->
    EMP-7316; a code of letters only, like EUR, is kept whole); a file name gets other
    words before its extension (kitchen_floor.jpg -> rear_door_2.jpg)."""
    found = _FILE_NAME.match(example)
    if found is not None:
        joiner = "-" if "-" in found.group("stem") and "_" not in found.group("stem") else "_"
        words = rng.sample(_FILE_WORDS, 2) + ([str(rng.randint(1, 9))] if rng.random() < 0.4 else [])
        return joiner.join(words) + "." + found.group("ext")
    return "".join(rng.choice(string.digits) if c.isdigit() else c for c in example)


def is_file_name(value: str | None) -> bool:
    return value is not None and _FILE_NAME.match(value) is not None


_FILE_NAME = re.compile(r"^(?P<stem>[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*)\.(?P<ext>[a-z0-9]{2,4})$")
# Words of a file name a person saves (what the photo or scan shows).
_FILE_WORDS = ["front", "rear", "door", "window", "receipt", "invoice", "scan", "damage", "photo", "estimate",
               "report", "kitchen", "bumper", "ceiling", "screen", "page", "closeup", "wall", "roof", "floor"]


class _TooComplex(Exception):
    pass


def from_pattern(pattern: str, rng: random.Random) -> str | None:
    """A string matching `pattern` for the usual shapes (literals, classes, quantifiers,
    groups, alternation); None for anything else (lookarounds, backreferences) or one too
    long to parse safely."""
    if len(pattern) > MAX_PATTERN:
        return None
    try:
        parsed = _sre.parse(pattern)
        out: list[str] = []
        _emit(list(parsed), rng, out, 0)
    except (_TooComplex, re.error, RecursionError, ValueError, TypeError, OverflowError):
        return None
    made = "".join(out)
    return made if len(made) <= MAX_MADE else None


def _emit(items: list[Any], rng: random.Random, out: list[str], depth: int) -> None:
    if depth > MAX_DEPTH or len(out) > MAX_MADE:
        raise _TooComplex
    for op, arg in items:
        if op is LITERAL:
            out.append(chr(arg))
        elif op is ANY:
            out.append(rng.choice(string.ascii_lowercase))
        elif op is IN:
            out.append(_one_of(arg, rng))
        elif op in (MAX_REPEAT_OP, MIN_REPEAT_OP):
            low, high, inner = arg
            if low > MAX_MADE:
                raise _TooComplex
            high = low + MAX_REPEAT_MADE if high > low + MAX_REPEAT_MADE else high
            for _ in range(rng.randint(max(low, 1) if high >= 1 else 0, max(high, low))):
                _emit(list(inner), rng, out, depth + 1)
        elif op is SUBPATTERN:
            _emit(list(arg[-1]), rng, out, depth + 1)
        elif op is BRANCH:
            _emit(list(rng.choice(arg[1])), rng, out, depth + 1)
        elif op is AT:
            continue  # ^ and $
        else:
            raise _TooComplex


_CATEGORY_CHARS = {"CATEGORY_DIGIT": string.digits, "CATEGORY_WORD": string.ascii_letters + string.digits,
                   "CATEGORY_SPACE": " "}


def _one_of(items: list[Any], rng: random.Random) -> str:
    """A character a class `[...]` accepts (a negated class: a lowercase letter it allows)."""
    chars: list[str] = []
    negated = False
    for op, arg in items:
        if op is NEGATE:
            negated = True
        elif op is LITERAL:
            chars.append(chr(arg))
        elif op is RANGE:
            low, high = arg
            chars.extend(chr(c) for c in range(low, min(high, low + 200) + 1))
        elif op is CATEGORY:
            chars.extend(_CATEGORY_CHARS.get(str(arg), ""))
        else:
            raise _TooComplex
    if negated:
        allowed = [c for c in string.ascii_lowercase + string.digits if c not in chars]
        if not allowed:
            raise _TooComplex
        return rng.choice(allowed)
    if not chars:
        raise _TooComplex
    printable = [c for c in chars if c.isprintable()] or chars
    return rng.choice(printable)
