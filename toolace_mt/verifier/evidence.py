"""What a dialogue has shown so far, and whether a value is backed by it.

Grounding (arguments) and consistency (assistant text) both ask "did this value appear
earlier?". The rules, documented in README "What counts as grounded":
- text is compared after NFKC, casefold and collapsing whitespace; a string must occur
  as a whole word sequence (not inside a longer word) in an earlier user or system
  message or in an earlier tool output (any string in it, or its JSON text);
- numbers are compared as numbers: "$1,234.50", "1234.5" and 1234.5 are one value;
  number words zero..twenty count, except the pronoun "one" ("each one", "which one",
  "one of them"); counts may also be the length of a list in an output;
- dates are compared as dates: 2026-03-05, "March 5, 2026", "Mar 5", "5 March 2026"
  and "03/05/2026" are one value; a time "14:00" equals "2 pm" and "2:00 PM";
- ids (a token with a letter and a digit, like C1001, #W1001-2, ACC-10001, a seat 14C,
  but not an ordinal like 3rd; or 6+ digits) are compared exactly, ignoring case.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], 1)}
MONTHS.update({name[:3]: i for name, i in list(MONTHS.items())})
MONTHS["sept"] = 9
NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_ISO_DATE = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::\d{2})?)?")
_US_DATE = re.compile(r"\b(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})\b")
_NAMED_DATE = re.compile(_MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{4}))?\b", re.I)
_DAY_MONTH = re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+(?P<y>\d{4}))?\b", re.I)
_TIME = re.compile(r"\b(?P<H>\d{1,2})(?::(?P<M>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)(?!\w)"
                   r"|\b(?P<H24>\d{1,2}):(?P<M24>\d{2})\b", re.I)
_ID = re.compile(r"#?[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*|\b\d+[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*\b"
                 r"|(?<![.\d])\b\d{6,}\b(?!\.\d)")  # a 6+ digit run is an id unless a decimal (907087.51)
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)", re.I)
_NUMBER = re.compile(r"(?<![\w.])[-+]?\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?(?![\w])")
_WORD = re.compile(r"[a-z]+")
# "1. ", "2) " opening a line: a numbered list's markers are layout, not numbers the text states.
_LIST_MARKER = re.compile(r"^([ \t>*-]*)\d{1,2}[.)](?=[ \t]+\S)", re.M)
# An arithmetic expression ("544.29 + 47.83", "(12 * 3) / 4"): its numbers are its values.
_EXPRESSION = re.compile(r"[\d.,$%\s()+\-*/^]+")
# "one" as a pronoun, not a count: "each one costs", "which one", "one of those".
_PRONOUN_ONE = re.compile(r"\b(?:each|every|which|the|this|that|no|any|another|a|other)\s+one\b"
                          r"|\bone\s+(?:of|another)\b")


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def is_identifier(token: str) -> bool:
    """A letter and a digit (C1001, #W1001-2, seat 14C; not an ordinal like 3rd), or 6+ digits."""
    if _ORDINAL.fullmatch(token):
        return False
    return (any(c.isdigit() for c in token) and any(c.isalpha() for c in token)) or \
        (token.isdigit() and len(token) >= 6)


def parse_number(token: str) -> float | None:
    cleaned = token.replace("$", "").replace(",", "").rstrip("%")
    try:
        return float(cleaned)
    except ValueError:
        return None


def _date(year: str | None, month: int, day: str) -> tuple[int | None, int, int] | None:
    try:
        dt.date(int(year) if year else 2000, month, int(day))
    except ValueError:
        return None
    return (int(year) if year else None, month, int(day))


@dataclass
class Mentions:
    """Dates, times, ids and numbers found in one text (each span is used once)."""

    dates: list[tuple[int | None, int, int]] = field(default_factory=list)
    times: list[tuple[int, int]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    numbers: list[float] = field(default_factory=list)


def mentions(text: str) -> Mentions:
    found = Mentions()
    rest = _LIST_MARKER.sub(r"\1 ", text)

    def take(pattern: re.Pattern[str], handle: Any) -> None:
        nonlocal rest
        out = []
        last = 0
        for match in pattern.finditer(rest):
            if handle(match):
                out.append(rest[last:match.start()] + " ")
                last = match.end()
        out.append(rest[last:])
        rest = "".join(out)

    def iso(m: re.Match[str]) -> bool:
        value = _date(m["y"], int(m["m"]), m["d"])
        if value is None:
            return False
        found.dates.append(value)
        if m["H"] is not None:
            found.times.append((int(m["H"]), int(m["M"])))
        return True

    def numeric_date(m: re.Match[str]) -> bool:
        value = _date(m["y"], int(m["m"]), m["d"])
        if value is not None:
            found.dates.append(value)
        return value is not None

    def named(m: re.Match[str]) -> bool:
        value = _date(m["y"], MONTHS[m["month"].casefold()], m["d"])
        if value is not None:
            found.dates.append(value)
        return value is not None

    def clock(m: re.Match[str]) -> bool:
        if m["H24"] is not None:
            hour, minute = int(m["H24"]), int(m["M24"])
        else:
            hour, minute = int(m["H"]) % 12, int(m["M"] or 0)
            if m["ampm"].casefold().startswith("p"):
                hour += 12
        if hour > 23 or minute > 59:
            return False
        found.times.append((hour, minute))
        return True

    def identifier(m: re.Match[str]) -> bool:
        if not is_identifier(m.group().lstrip("#")):
            return False
        found.ids.append(m.group().casefold())
        return True

    def number(m: re.Match[str]) -> bool:
        value = parse_number(m.group())
        if value is not None:
            found.numbers.append(value)
        return value is not None

    for pattern, handle in ((_ISO_DATE, iso), (_US_DATE, numeric_date), (_NAMED_DATE, named),
                            (_DAY_MONTH, named), (_TIME, clock), (_ID, identifier), (_NUMBER, number)):
        take(pattern, handle)
    words = _WORD.findall(_PRONOUN_ONE.sub(" ", rest.casefold()))
    found.numbers.extend(NUMBER_WORDS[w] for w in words if w in NUMBER_WORDS)
    return found


def leaves(value: Any) -> Iterator[Any]:
    """Scalar values inside a JSON value (dict values, list items), depth first."""
    if isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    else:
        yield value


def list_lengths(value: Any) -> Iterator[int]:
    """Sizes of the lists and of the objects keyed by id ({"USR006": [...], "USR007": [...]})."""
    if isinstance(value, dict):
        if len(value) >= 2 and all(is_identifier(str(k).lstrip("#")) for k in value):
            yield len(value)
        for item in value.values():
            yield from list_lengths(item)
    elif isinstance(value, list):
        yield len(value)
        for item in value:
            yield from list_lengths(item)


def _id_keys(value: Any, depth: int = 0) -> Iterator[str]:
    if depth > 12:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if is_identifier(str(key).lstrip("#")):
                yield str(key)
            yield from _id_keys(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _id_keys(item, depth + 1)


def _number_key(value: float) -> str:
    return f"{round(value, 6):.6f}"


@dataclass
class Evidence:
    """Everything shown so far: grows as a checker walks the dialogue."""

    text: list[str] = field(default_factory=list)
    numbers: set[str] = field(default_factory=set)
    undated: set[tuple[int, int]] = field(default_factory=set)  # "March 5": month and day only
    dated: set[tuple[int, int, int]] = field(default_factory=set)
    times: set[tuple[int, int]] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    # mentions() of texts already read. The checkers of one dialogue pass the same dict:
    # each walks the same messages, and reading them is most of a check's time.
    read: dict[str, Mentions] = field(default_factory=dict)
    _joined: str | None = None

    def mentions(self, text: str) -> Mentions:
        """mentions(text), read once per `read` dict (the result is shared: don't change it)."""
        found = self.read.get(text)
        if found is None:
            found = self.read[text] = mentions(text)
        return found

    def add_text(self, text: str) -> None:
        self.text.append(normalise(text))
        self._joined = None
        found = self.mentions(text)
        for year, month, day in found.dates:
            if year is None:
                self.undated.add((month, day))
            else:
                self.dated.add((year, month, day))
        self.times.update(found.times)
        self.ids.update(found.ids)
        self.numbers.update(_number_key(n) for n in found.numbers)
        # An id like "ACC-10001" or "#W1001" also grounds its bare digits (spoken forms).
        for token in found.ids:
            self.ids.add(token.lstrip("#"))

    def add_output(self, value: Any) -> None:
        """A tool output (parsed JSON): its strings as text, its numbers and list lengths."""
        strings = list(_id_keys(value))  # {"USR006": [...]}: an object keyed by ids shows those ids
        for leaf in leaves(value):
            if isinstance(leaf, bool) or leaf is None:
                continue
            if isinstance(leaf, int | float):
                self.numbers.add(_number_key(float(leaf)))
                if isinstance(leaf, float) and round(leaf, 2) != leaf:  # 53.333... is said "$53.33"
                    self.numbers.add(_number_key(round(leaf, 2)))
                if isinstance(leaf, int) and abs(leaf) >= 100000:  # 6+ digits are read as an id in text
                    self.ids.add(str(leaf))
            else:
                strings.append(str(leaf))
        self.numbers.update(_number_key(n) for n in list_lengths(value))
        if strings:
            self.add_text("\n".join(strings))

    def add_message(self, message: Any) -> None:
        """What a message shows: a system or user message's text, a tool message's output
        (its content read as JSON when it is JSON). Assistant turns show nothing: what the
        assistant says is checked against the evidence, never part of it."""
        role = getattr(message, "role", None)
        if role in ("system", "user"):
            self.add_text(message.content)
        elif role == "tool":
            try:
                self.add_output(json.loads(message.content))
            except ValueError:
                self.add_text(message.content)

    def joined(self) -> str:
        if self._joined is None:
            self._joined = "\n".join(self.text)
        return self._joined

    def has_text(self, value: str) -> bool:
        needle = normalise(value)
        if not needle:
            return True
        return re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", self.joined()) is not None

    def has_number(self, value: float) -> bool:
        return _number_key(value) in self.numbers

    def has_date(self, date: tuple[int | None, int, int]) -> bool:
        year, month, day = date
        if (month, day) in self.undated:
            return True  # "March 5" grounds March 5 of any year: the year is implied by context
        if year is None:
            return any((m, d) == (month, day) for _, m, d in self.dated)
        return (year, month, day) in self.dated

    def has_id(self, token: str) -> bool:
        key = token.casefold()
        return key in self.ids or key.lstrip("#") in self.ids or self.has_text(token)

    def ungrounded_mentions(self, text: str) -> list[str]:
        """The dates, times, ids and numbers of `text` that this evidence does not show."""
        found = self.mentions(text)
        missing = []
        for year, month, day in found.dates:
            if not self.has_date((year, month, day)):
                missing.append(f"{year}-{month:02d}-{day:02d}" if year else f"{month:02d}-{day:02d}")
        missing += [f"{h:02d}:{m:02d}" for h, m in found.times if (h, m) not in self.times]
        missing += [token for token in found.ids if not self.has_id(token)]
        missing += [_plain(n) for n in found.numbers if not self.has_number(n)]
        return missing


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def grounded_string(value: str, evidence: Evidence, free_text: bool = True) -> bool:
    """A string argument: dates/times as dates, ids and short strings as text; in free text
    (5+ words) only the ids, dates and numbers it contains must be grounded (unless
    `free_text` is False: then the words themselves must appear)."""
    if evidence.has_text(value):
        return True
    iso = _ISO_DATE.fullmatch(value.strip())
    if iso:
        date = _date(iso["y"], int(iso["m"]), iso["d"])
        time_ok = iso["H"] is None or (int(iso["H"]), int(iso["M"])) in evidence.times
        return date is not None and evidence.has_date(date) and time_ok
    if _NUMBER.fullmatch(value.strip()):  # "1234.50" is the number 1234.5, however it was shown
        number = parse_number(value.strip())
        return number is not None and evidence.has_number(number)
    if free_text and len(value.split()) >= 5:
        return not evidence.ungrounded_mentions(value)
    stripped = value.strip()
    if len(stripped) <= 200 and _EXPRESSION.fullmatch(stripped) and re.search(r"\d\s*[-+*/^]\s*[\d(]", stripped):
        numbers = mentions(stripped).numbers  # the assistant writes the expression; its numbers were shown
        return bool(numbers) and all(evidence.has_number(abs(n)) for n in numbers)
    if re.fullmatch(r"[^\W\d_]{3,}", stripped) and (evidence.has_text(stripped + "s") or
                                                      evidence.has_text(stripped + "es")):
        return True  # "lamp" for the user's "lamps": a search word in its singular
    found = evidence.mentions(value)
    if found.ids and len(found.ids) == 1 and normalise(value).lstrip("#") == found.ids[0].lstrip("#"):
        return evidence.has_id(found.ids[0])
    return False


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
