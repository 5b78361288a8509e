"""Whether a text tells a value, and which values a dialogue has shown so far: the
shared vocabulary of the trajectory checks (necessity, disambiguation, confirmation,
answer, reply_style, persona, plan_sense).

Values are tool-output leaves (strings, numbers). A text tells a value by the grounding
rules (evidence.py): numbers as numbers, dates as dates (a date-time by its date, or by
its time where `loose`), strings as whole words after normalising, with `_` read as a
space ("credit_card" is told by "credit card").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from toolace_mt.verifier.evidence import Mentions, is_identifier, mentions, normalise
from toolace_mt.verifier.id_fields import key_stem, name_words

# Bounds on what is read from one output or one text: records are hostile input.
MAX_LEAVES = 400
MAX_TEXT = 20_000

_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::\d{2}(?:\.\d+)?)?)?")
_SNAKE = re.compile(r"(?<![\w@.])[a-z]+(?:_[a-z]+)+(?![\w@]|\.\w)")


def parsed(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def leaves_with_keys(value: Any, key: str = "", depth: int = 0) -> Iterator[tuple[str, Any]]:
    """(the nearest dict key, scalar) for every scalar inside a JSON value."""
    if depth > 12:
        return
    if isinstance(value, dict):
        for name, item in value.items():
            yield from leaves_with_keys(item, str(name), depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from leaves_with_keys(item, key, depth + 1)
    else:
        yield key, value


def meaningful(leaf: Any) -> bool:
    """A value worth telling: not a flag, a null, 0/1, an empty or 1-letter string."""
    if leaf is None or isinstance(leaf, bool):
        return False
    if isinstance(leaf, int | float):
        return leaf not in (0, 1)
    text = str(leaf).strip()
    return len(text) >= 3 or (len(text) == 2 and is_identifier(text))


def meaningful_leaves(value: Any) -> list[tuple[str, Any]]:
    found = []
    for key, leaf in leaves_with_keys(value):
        if meaningful(leaf):
            found.append((key, leaf))
            if len(found) >= MAX_LEAVES:
                break
    return found


def spoken(value: str) -> str:
    """'no_longer_needed' -> 'no longer needed'."""
    return value.replace("_", " ")


def whole_words(needle: str, haystack: str) -> bool:
    """`needle` occurs in `haystack` as whole words (both normalised)."""
    return _whole(needle, haystack)


def _whole(needle: str, haystack: str) -> bool:
    if not needle or needle not in haystack:
        return False
    return re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", haystack) is not None


@dataclass
class Told:
    """One or more texts, read once, asked whether they tell a value."""

    norm: str = ""
    found: Mentions = field(default_factory=Mentions)

    @classmethod
    def of(cls, *texts: str) -> Told:
        joined = "\n".join(t[:MAX_TEXT] for t in texts if t)
        return cls(normalise(joined), mentions(joined))

    def add(self, text: str) -> None:
        """One more text, read once: a walk over a dialogue grows one Told instead of
        re-reading every earlier turn at each step (quadratic on long dialogues)."""
        if not text:
            return
        found = mentions(text[:MAX_TEXT])
        self.norm = f"{self.norm}\n{normalise(text[:MAX_TEXT])}" if self.norm else normalise(text[:MAX_TEXT])
        self.found.dates.extend(found.dates)
        self.found.times.extend(found.times)
        self.found.ids.extend(found.ids)
        self.found.numbers.extend(found.numbers)

    def tells(self, value: Any, loose: bool = False) -> bool:
        """`loose`: a date-time is told by its time alone, a name with a "(detail)" by its
        head, a name of 2+ words by one of its words of 5+ letters ("the keyboard")."""
        if value is None or isinstance(value, bool):
            return False
        if isinstance(value, int | float):
            return any(abs(n - float(value)) < 1e-6 for n in self.found.numbers)
        text = str(value).strip()
        iso = _ISO.fullmatch(text)
        if iso:
            date = (int(iso["y"]), int(iso["m"]), int(iso["d"]))
            has_date = any(d == date or (d[0] is None and d[1:] == date[1:]) for d in self.found.dates)
            if iso["H"] is None or (iso["H"] == "00" and iso["M"] == "00"):
                return has_date
            has_time = (int(iso["H"]), int(iso["M"])) in self.found.times
            return has_time if loose else has_date or has_time
        norm = normalise(text)
        if _whole(norm, self.norm) or ("_" in norm and _whole(spoken(norm), self.norm)):
            return True
        if norm.startswith("#") and _whole(norm[1:], self.norm):
            return True
        if loose:
            head = norm.split(" (")[0]
            if head != norm and _whole(head, self.norm):
                return True
            words = [w for w in re.findall(r"[^\W\d_]{5,}", head)]
            return len(head.split()) >= 2 and any(_whole(w, self.norm) for w in words)
        return False


@dataclass
class Shown:
    """The values a dialogue has shown so far (user and system texts, tool outputs)."""

    strings: set[str] = field(default_factory=set)
    numbers: set[float] = field(default_factory=set)
    texts: list[str] = field(default_factory=list)

    def add_text(self, text: str) -> None:
        self.texts.append(normalise(text[:MAX_TEXT]))
        self.numbers.update(round(n, 6) for n in mentions(text[:MAX_TEXT]).numbers)

    def add_output(self, value: Any) -> None:
        for _, leaf in meaningful_leaves(value):
            if isinstance(leaf, int | float):
                self.numbers.add(round(float(leaf), 6))
            else:
                self.strings.add(normalise(str(leaf)))

    def knows(self, leaf: Any) -> bool:
        if isinstance(leaf, int | float):
            return round(float(leaf), 6) in self.numbers
        norm = normalise(str(leaf))
        return norm in self.strings or any(_whole(norm, text) for text in self.texts)


def tool_properties(tool: Any) -> dict[str, Any]:
    """The `properties` of a listed tool's parameters; {} when any level is not what it should be."""
    function = tool.get("function") if isinstance(tool, dict) else None
    parameters = function.get("parameters") if isinstance(function, dict) else None
    properties = parameters.get("properties") if isinstance(parameters, dict) else None
    return properties if isinstance(properties, dict) else {}


def snake_words(text: str) -> list[str]:
    """snake_case words without digits ("no_longer_needed"; not an id like "paypal_123")."""
    return _SNAKE.findall(text)


# Words that end a field name but never an English noun phrase: "expires on", "from balance
# after", "member since", "unread only", "invited at".
FIELD_END = frozenset({"at", "on", "by", "after", "before", "from", "to", "of", "only", "past", "since",
                       "until", "is", "has"})  # not "in": "check in" is a phrase
_FIELD_START = frozenset({"from", "to", "is", "has", "num"})  # not "ship": "the ship date" is a phrase


def awkward_field(key: str) -> bool:
    """A field name that is no phrase read aloud: 2+ words ending in a preposition
    ("expires_on", "member_since"), starting with one or with an abbreviation ("from_balance",
    "num_items"), or holding a digit ("last4", "address1")."""
    parts = [p for p in key.casefold().split("_") if p]
    if not parts or not all(p.isalnum() and p.isascii() for p in parts):
        return False
    if len(parts) == 1:
        return re.fullmatch(r"[a-z]{3,}\d{1,2}", parts[0]) is not None  # "last4", "address1"
    return parts[-1] in FIELD_END or parts[0] in _FIELD_START or any(c.isdigit() for c in key)



# Two words a field name glues into one token, read as one word only by a program
# ("cardnumber", "firstname", "duedate"); "username", "surname" and "birthday" are English.
_GLUED = re.compile(r"(?:first|last|given|family|middle|full|display|card|phone|account|member|order|item|due|start|"
                    r"end|serial|tracking|booking|confirmation|ticket|patron|patient|customer|employee|pickup|"
                    r"return|expiry|expiration)(?:name|number|num|no|date|code|id|type|status|time|tag)")


def glued_field(key: str) -> bool:
    """A field name that glues two words ("cardnumber", "firstname") or is camelCase
    ("dueDate", "cardNumber"): said as a word, it is the raw name, not English."""
    if not key.isascii() or not key.isalpha() or len(key) > 40:
        return False
    if key.islower():
        return _GLUED.fullmatch(key) is not None
    return re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)+", key) is not None


def identifier_field(key: str) -> bool:
    """A parameter or field holding an identifier: a record's key (`key_stem`), a tag
    ("asset_tag"), or a glued id ("cardnumber"); not any camelCase name ("pedalPosition")."""
    words = name_words(key)
    return key_stem(key) is not None or words[-1:] == ["tag"] or \
        (glued_field(key) and key.islower() and key.endswith(("id", "number", "num", "no", "code", "tag")))
