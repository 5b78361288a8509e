"""How a parameter or a value is said: `customer_id` -> "customer ID" (or another name a
user has for it), a value as the user types it, and the small joins of spoken text."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any

from toolace_mt.generation.language.counted_items import counted

# Another word a user says for a label (matched on the label's last words).
LABEL_VARIANTS: dict[str, list[str]] = {
    "zip code": ["zip code", "zip", "ZIP code", "postal code"], "zip": ["zip", "zip code", "postal code"],
    "email": ["email", "email address"], "first name": ["first name", "given name"],
    "last name": ["last name", "surname", "family name"], "phone": ["phone", "phone number"],
    "date of birth": ["date of birth", "birth date", "birthday"], "order ID": ["order ID", "order number", "order"],
    "customer ID": ["customer ID", "customer number", "customer"], "booking ID": ["booking ID", "booking reference",
                                                                                 "booking"],
    "flight ID": ["flight ID", "flight number", "flight"], "return ID": ["return ID", "return number", "return"],
    "transfer ID": ["transfer ID", "transfer reference", "transfer"], "user ID": ["user ID", "user", "username"],
    "product ID": ["product ID", "product"], "event ID": ["event ID", "event"], "message ID": ["message ID", "message"],
    "contact ID": ["contact ID", "contact"], "card ID": ["card ID", "card"], "payee ID": ["payee ID", "payee"],
    "passenger ID": ["passenger ID", "passenger"], "invitation ID": ["invitation ID", "invitation"],
    "account ID": ["account ID", "account"], "from account ID": ["from account ID", "source account"],
    "to account ID": ["to account ID", "destination account", "receiving account"],
    "payment method ID": ["payment method ID", "payment method", "payment ID"],
    "new item IDs": ["new item IDs", "new items", "replacement items", "replacement item IDs"],
    "item IDs": ["item IDs", "items", "item numbers"],
    "origin": ["origin", "departure airport"], "destination": ["destination", "arrival airport"],
    "cabin": ["cabin", "cabin class"], "query": ["query", "search term", "search words"],
    "first address": ["first address", "street address", "first address line", "street"],
    "second address": ["second address", "second address line", "apartment or suite"], "body": ["body", "message text"],
    "memo": ["memo", "note"], "start": ["start", "start time"], "end": ["end", "end time"],
    "payment method": ["payment method", "payment"], "bags": ["bags", "number of bags"],
}

_BY_LENGTH = sorted(LABEL_VARIANTS.items(), key=lambda kv: -len(kv[0]))  # "from account ID" before "account ID"

# Labels a user says with "my" (their ids, name, address); any other ends like these.
_MINE = ("name", "email", "zip", "zip code", "postal code", "phone", "phone number", "city", "state", "country",
         "address", "street", "date of birth", "birthday", "birth date", "surname", "customer ID", "customer number",
         "user ID", "passenger ID", "order ID", "order number", "booking ID", "booking reference", "account ID",
         "card ID", "return ID", "return number", "payment method", "payment method ID", "address line")

_ORDINALS = ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]

# A field named in lower case with its words run together (Koha's `cardnumber`, `firstname`,
# `dateofbirth` aside): a person says "card number", never the field's name.
_GLUED = re.compile(r"(?<![a-z])(?:(first|last|given|family|middle|full|display)(name)|([a-z]{3,}?)(number|date|code))"
                    r"(?![a-z])")


def label(param: str) -> str:
    """`customer_id` -> "customer ID"; a trailing digit becomes an ordinal (`address1` ->
    "first address"), so a parameter's name is never read as an id or a count."""
    param = re.sub(r"(?<=[a-z])([A-Z])", lambda m: "_" + m.group(1).lower(), param)  # camelCase: "fuel level"
    param = _GLUED.sub(lambda m: "_".join(part for part in m.groups() if part), param)  # "cardnumber": "card number"
    words = " ".join(param.replace("_ids", " IDs").replace("_id", " ID").replace("_", " ").split())
    match = re.fullmatch(r"(.*?)\s*(\d)", words)
    if match and match.group(1):
        words = f"{_ORDINALS[int(match.group(2))]} {match.group(1)}"
    return _noun_phrase(words)


# A name's last word that abbreviates "number" (`line_no`, `seat_num`).
_NUMBER_WORDS = frozenset({"no", "num", "nr", "nbr"})
# Participles a name dates an event by without "-ed" (`spent_on`, `sent_at`).
_PARTICIPLES = frozenset({"spent", "sent", "paid", "made", "held", "built", "done", "read", "set", "taken", "given",
                          "seen", "begun", "run", "won", "lost", "sold", "bought", "left", "met", "kept"})


# The noun of a verb a name dates by, where it is not the verb itself.
_EVENT_NOUNS = {"expires": "expiry", "opens": "opening", "closes": "closing", "departs": "departure",
                "arrives": "arrival", "begins": "start", "renews": "renewal", "leaves": "departure"}


# Verbs of handing something to someone: `pay_to` names who gets it (a parameter; the
# output's `paid_to` is said as a relation: "it was paid to jay.m").
_HANDING = frozenset({"pay", "send", "transfer", "give", "refund", "forward"})


def _noun_phrase(words: str) -> str:
    """A name that is no noun said as one: "line no" -> "line number", "starts at" ->
    "start time", "new starts at" -> "new start time", "spent on" -> "date spent",
    "due on" -> "due date", "pay to" -> "recipient" (a user never says "the starts at
    should be ...", "the pay to is jay.m")."""
    parts = words.split()
    if len(parts) >= 2 and parts[-1].casefold() in _NUMBER_WORDS:
        return " ".join([*parts[:-1], "number"])
    if len(parts) == 2 and parts[0].casefold() in _HANDING and parts[1].casefold() == "to":
        return "recipient"
    if len(parts) < 2 or parts[-1].casefold() not in ("at", "on"):
        return words
    noun = "time" if parts[-1].casefold() == "at" else "date"
    *head, verb = parts[:-1]
    folded = verb.casefold()
    if folded.endswith("ed") or folded in _PARTICIPLES:  # "created at" -> "time created"
        return " ".join([*head, noun, verb])
    if folded in _EVENT_NOUNS:  # "expires on" -> "expiry date"
        return " ".join([*head, _EVENT_NOUNS[folded], noun])
    if folded.endswith("s") and not folded.endswith("ss") and len(folded) > 3:  # "starts at" -> "start time"
        verb = verb[:-1]
    return " ".join([*head, verb, noun])

# Words that open a parameter's name as a relation to another thing ("from_account_id",
# "to_date", "for_user"): the name is no noun, so it is said as a phrase with its value.
RELATION_WORDS = ("from", "to", "into", "onto", "for", "via", "with", "towards")
# What a relation's noun is left out for: "from_date" 2026-07-01 is "from July 1, 2026".
_SELF_EVIDENT = frozenset({"date", "time", "datetime", "timestamp", "day", "when"})


def relation(param: str) -> tuple[str, str] | None:
    """(preposition, noun) of a parameter named as a relation: `from_account_id` ->
    ("from", "account"), `toDate` -> ("to", ""), `to_account_ids` -> ("to", "accounts");
    None for any other name."""
    words = label(param).split()
    if len(words) < 2 or words[0].casefold() not in RELATION_WORDS \
            or words[-1].casefold() in ("after", "before", "on", "at", "by", "since", "until"):
        return None  # "from_balance_after" is a balance, said as one elsewhere
    noun = words[1:]
    if noun[-1] in ("ID", "IDs"):
        many = noun[-1] == "IDs"
        noun = noun[:-1] or ["one"]
        if many and not noun[-1].endswith("s"):
            noun[-1] += "s"
    said = " ".join(noun)
    return words[0].casefold(), "" if said.casefold() in _SELF_EVIDENT else said


def relation_phrase(param: str, shown: str) -> str | None:
    """A relation parameter's value as a phrase: "from account ACC-10073", "to July 16,
    2026"; None for a parameter that is no relation."""
    found = relation(param)
    if found is None:
        return None
    prep, noun = found
    return " ".join(part for part in (prep, noun, shown) if part)


# A field name's last word that is a unit ("temperature_c", "distance_km"): said after the number.
UNITS = {"c": "°C", "celsius": "°C", "f": "°F", "fahrenheit": "°F", "km": " km", "kg": " kg", "mi": " miles",
         "lb": " lb", "lbs": " lb", "pct": "%", "percent": "%", "ms": " ms", "kwh": " kWh", "mph": " mph",
         "kph": " km/h", "kmh": " km/h", "cm": " cm", "mm": " mm", "gb": " GB", "mb": " MB", "ml": " ml", "g": " g",
         "mg": " mg", "oz": " oz", "litres": " litres", "liters": " liters", "gallons": " gallons"}
# Units of time, a unit only after a word for a span ("duration_minutes": "30 minutes"; "num_days" is a count).
TIME_UNITS = {"min": " minutes", "mins": " minutes", "minutes": " minutes", "hrs": " hours", "hours": " hours",
              "sec": " seconds", "secs": " seconds", "seconds": " seconds", "days": " days", "weeks": " weeks"}
_SPANS = frozenset({"duration", "length", "time", "wait", "delay", "timeout", "interval", "runtime", "period",
                    "session", "travel", "break", "cooldown", "grace", "trial", "stay"})


def unit(field: str) -> tuple[str, str] | None:
    """(the field's label without its unit, the unit as written after a number):
    `temperature_c` -> ("temperature", "°C"); None when the name ends in no unit."""
    words = label(field).split()
    if len(words) >= 2 and words[-1].casefold() in UNITS:
        return " ".join(words[:-1]), UNITS[words[-1].casefold()]
    if len(words) >= 2 and words[-1].casefold() in TIME_UNITS and words[-2].casefold() in _SPANS:
        return " ".join(words[:-1]), TIME_UNITS[words[-1].casefold()]
    return None


def id_key(key: str) -> bool:
    """A field or parameter that holds an id: `id`, `order_id`, `notebookId`, `userID`."""
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower()
    return snake == "id" or snake.endswith("_id")


def said_label(param: str, rng: random.Random) -> str:
    """The label, or another name a user has for it ("zip code" -> "postal code"); a
    prefix such as "current" is kept."""
    base = label(param)
    for key, variants in _BY_LENGTH:
        if base == key or base.endswith(" " + key):
            return base[: len(base) - len(key)] + rng.choice(variants)
    return base

# Someone else the user adds or writes to: "payee name" is never "my name".
OTHER_PARTIES = frozenset({"payee", "contact", "recipient", "attendee", "invitee", "guest", "beneficiary",
                           "agent", "employee"})


def mine(said: str) -> bool:
    """A label a user says with "my": their own details and the ids of their things (not
    another party's: "payee name")."""
    if said.split()[:1] and said.split()[0] in OTHER_PARTIES:
        return False
    return any(said == end or said.endswith(" " + end) for end in _MINE)

def speakable(key: str) -> bool:
    """A field name that can be said without looking like a value (not `last4`)."""
    return not any(ch.isdigit() for ch in key)

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATE_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::00)?")
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def date_words(year: str, month: str, day: str) -> str:
    """"2026", "04", "13" -> "April 13, 2026" (month 1-12; the caller checks the date)."""
    return f"{MONTHS[int(month) - 1]} {int(day)}, {year}"


def show(value: Any) -> str:
    """A value as the user would type it (lists joined, enums with spaces, things with a
    quantity as "three of the Camping Tent (Navy)")."""
    items = counted(value)
    if items is not None:
        return items
    if isinstance(value, list):
        return " and ".join(show(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{label(k)} {show(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    match = _DATE_TIME.fullmatch(str(value))
    if match:  # "2026-04-13T14:00" typed by a person is "April 13, 2026 at 14:00" (grounded as the same)
        year, month, day, hour, minute = match.groups()
        if 1 <= int(month) <= 12:
            return f"{date_words(year, month, day)} at {hour}:{minute}"
    return str(value)


def said_date(value: Any) -> Any:
    """A date as a person writes it in a sentence ("2026-07-18" -> "July 18, 2026", which
    the verifier grounds as the same date); any other value as it is. Answers keep the
    typed form: a clarification's value is matched in the text as typed."""
    match = _DATE.fullmatch(value) if isinstance(value, str) else None
    return date_words(*match.groups()) if match and _real_date(*match.groups()) else value


def _real_date(year: str, month: str, day: str) -> bool:
    try:
        dt.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True

def for_value(said: str, value: Any) -> str:
    """A plural label said of a one-item list in the singular: "item IDs" [x] -> "item ID"."""
    if isinstance(value, list) and len(value) == 1 and plural(said):
        words = said.split()
        last = words[-1]
        words[-1] = last[:-3] + "y" if last.endswith("ies") else last[:-1]
        return " ".join(words)
    return said


def plural(said: str) -> bool:
    """"item IDs", "bags": a label that names several things."""
    head = said.split(" of ")[0]  # "number of days" is one number
    last = head.split()[-1] if head.split() else ""
    return last.endswith("s") and not last.endswith(("ss", "us")) and last not in ("is", "this")

def list_words(parts: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]

def join(*parts: str) -> str:
    return " ".join(p for p in parts if p).strip()

def empty(value: Any) -> bool:
    """An output with nothing to say: None, "", or only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())
