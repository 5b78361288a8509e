"""Seed values by what a column means: its name, type, enum, examples and description.

Each function returns Python *source* (an expression over `fake`, `rng`, `i` and `today`)
that the rendered seed() evaluates; the compiler never runs Faker itself.
"""

from __future__ import annotations

import re

from toolace_mt.compiler.constraints import pattern_example
from toolace_mt.compiler.names import words
from toolace_mt.compiler.plan import Column, Table, listed_values
from toolace_mt.compiler.seed_shapes import shape_expr
from toolace_mt.compiler.spec_model import Field

_RANGE = re.compile(r"(?:from|between)\s+(-?\d+(?:\.\d+)?)\s+(?:to|and)\s+(-?\d+(?:\.\d+)?)", re.IGNORECASE)
_CAPACITY = re.compile(r"(?:up to|maximum of|at most|capacity of|can hold)\s+(\d+(?:\.\d+)?)", re.IGNORECASE)
SAID_EXAMPLE = re.compile(r"\b(?:like|e\.g\.,?|such as|for example,?|for instance,?)\s+['\"`]?"
                           r"([A-Za-z]{0,6}[-_#]?(?:\d{2,9}[-_/])?\d{2,9})\b")
# An id as (prefix, number): BP-2026-0142 is "BP-2026-" and 0142.
_ID_STYLE = re.compile(r"^([A-Za-z]*[-_#]?(?:\d{2,9}[-_/])?)(\d+)$")
SECTORS = ["Technology", "Healthcare", "Finance", "Energy", "Retail", "Utilities", "Industrials"]
STATUS_START = "open"
# A JSON-Schema string format, as the field-name word that seeds it.
FORMATS = {"date": "date", "date-time": "timestamp", "email": "email", "uri": "url", "url": "url",
           "hostname": "url", "phone": "phone"}


def id_style(table: Table) -> tuple[str, int, int]:
    """(prefix, first number, width) from an example id in the spec, else from the entity's name."""
    spec = table.key_column.spec
    said = SAID_EXAMPLE.findall(spec.description) if spec is not None else []  # "The track's id, like trk_2041."
    shown = pattern_example(spec.pattern) if spec is not None else None  # ^BP-20[0-9]{2}-[0-9]{4}$
    for example in [*(spec.examples if spec is not None else []), *said, *([shown] if shown else [])]:
        match = _ID_STYLE.match(str(example))
        if match:
            digits = match.group(2)
            return match.group(1), max(int(digits), 1), len(digits)
    if table.id_prefix:
        return table.id_prefix, 1001, 4
    letters = re.sub(r"[^A-Za-z]", "", table.entity).upper()[:3] or "ID"
    return f"{letters}-", 1001, 4


def assign_id_prefixes(tables: list[Table]) -> None:
    """Distinct prefixes for generated string ids, so that an id names one table: a note is
    NOT-1001 and a notebook NTB-1001, not both NOT-1001."""
    taken: set[str] = set()
    for table in tables:
        letters = re.sub(r"[^A-Za-z]", "", table.entity).upper() or "ID"
        skeleton = letters[:1] + re.sub(r"[AEIOU]", "", letters[1:])
        chosen = next((c for c in (letters[:3], skeleton[:3], skeleton[:4], letters[:4], letters[:5], letters)
                       if c not in taken), f"{letters[:3]}{len(taken)}")
        taken.add(chosen)
        table.id_prefix = f"{chosen}-"


def key_expr(table: Table) -> str:
    key = table.key_column
    if key.type == "integer":
        return "i + 1" if table.singleton else "1001 + i"
    meaning = set(words(key.name))
    if meaning & {"username", "login", "handle"} or key.name in ("user_name", "user"):
        return 'fake.user_name() + str(i)'
    if "email" in meaning:
        return 'f"user{i}@" + fake.free_email_domain()'
    if meaning & {"symbol", "ticker", "code"}:
        return 'fake.lexify("???").upper() + ("" if i < 26 else str(i))'
    if "isbn" in meaning:
        return "fake.isbn13()"
    if key.spec is not None and key.spec.enum:
        return f"{[str(v) for v in key.spec.enum]!r}[i % {len(key.spec.enum)}]"
    if key.type == "string" and key.spec is not None and key.spec.format == "date":
        return "(today + datetime.timedelta(days=i - 10)).isoformat()"  # a rota's day: the days around today
    if meaning & {"name", "title"}:
        return 'fake.word().capitalize() + " " + str(i)'
    prefix, start, width = id_style(table)
    return f'"{prefix}" + str({start} + i).zfill({width})' if width else f'"{prefix}" + str({start} + i)'


def value_expr(col: Column, table: Table) -> str:
    """An expression for one seeded value of `col`; a held column is empty on a third of the rows."""
    made = _value_expr(col, table)
    return f"(None if rng.random() < 0.34 else {made})" if col.held else made


def _value_expr(col: Column, table: Table) -> str:
    spec = col.spec
    meaning = words(col.name)
    last = meaning[-1] if meaning else ""
    text = (spec.description if spec is not None else "").lower()
    if spec is not None and spec.enum:
        return f"rng.choice({list(spec.enum)!r})"
    if col.name in table.status_values or ((col.name == "status" or last == "status") and col.type == "string"):
        values = [STATUS_START] + [s for s in table.status_values if s != STATUS_START]
        weights = [6] + [1] * (len(values) - 1)
        return f"rng.choices({values!r}, weights={weights!r})[0]"
    examples = [e for e in (spec.examples if spec is not None else []) if isinstance(e, str)]
    listed = listed_values(spec.description if spec is not None else "")
    if col.type == "string" and not examples and listed:  # "Type of the order (Buy/Sell)", "One of 'suv', 'van'"
        examples = listed
    if col.type == "string" and len(examples) >= 2:
        return f"rng.choice({examples!r})"
    shaped = shape_expr(col.name, spec) if col.type == "string" else None
    if shaped is not None:  # a month as YYYY-MM, a badge like EMP-0042, a future date
        return shaped
    if col.type == "string" and len(examples) == 1 and _by_name(words(col.name), text) == "fake.word()":
        return f"rng.choice({examples!r})"  # "What was picked, e.g. 'courgette'": that, not a random word
    if col.type == "boolean":
        return "rng.random() < 0.5"
    if col.type in ("integer", "number") and set(meaning) & {"stock", "copies", "available", "inventory", "seats"}:
        return "rng.choice([0, 1, 2, 3, 5, 8, 12, 20])"
    if col.type in ("integer", "number"):
        bounds = _RANGE.search(text)
        if spec is not None and spec.minimum is not None and spec.maximum is not None:
            low, high = spec.minimum, spec.maximum
        elif bounds:
            low, high = float(bounds.group(1)), float(bounds.group(2))
        elif set(meaning) & {"price", "cost", "fee", "amount", "balance", "total", "salary", "payment", "budget"}:
            low, high = 5.0, 2000.0
        elif set(meaning) & {"rate", "fare", "charge"} and (set(meaning) & {"daily", "hourly", "nightly", "weekly",
                                                                             "monthly"} or "dollar" in text
                                                             or "price" in text):
            low, high = 20.0, 300.0  # a daily rate in dollars, not a ratio
        elif set(meaning) & {"rate", "ratio", "factor"}:
            low, high = 0.5, 2.0
        elif set(meaning) & {"percent", "percentage", "change"}:
            low, high = -5.0, 5.0
        elif set(meaning) & {"rating", "stars", "priority", "level"} and "fuel" not in meaning:
            low, high = 1.0, 5.0
        elif set(meaning) & {"temperature"}:
            low, high = -5.0, 35.0
        elif set(meaning) & {"year"}:
            low, high = 1990.0, 2026.0
        elif set(meaning) & {"age"}:
            low, high = 18.0, 80.0
        elif set(meaning) & {"voltage"}:
            low, high = 11.5, 14.5
        elif set(meaning) & {"pressure"}:
            low, high = 28.0, 36.0
        else:
            low, high = 1.0, 100.0
        limit = col.capacity if col.capacity is not None else _capacity_of(text)
        if limit is not None and high > limit:  # a level within its capacity, with room to add some
            low, high = round(min(low, limit * 0.1), 2), round(limit * 0.6, 2)
        if col.type == "integer":
            return f"rng.randint({int(low)}, {int(high)})"
        return f"round(rng.uniform({low}, {high}), 2)"
    if col.type == "array":
        item = spec.items if spec is not None else None
        if item is not None and item.enum:
            return f"json.dumps(rng.sample({list(item.enum)!r}, rng.randint(0, {len(item.enum)})))"
        if item is not None and item.type in ("integer", "number"):
            return "json.dumps([rng.randint(1, 100) for n in range(rng.randint(0, 3))])"
        if item is not None and item.type == "object" and item.properties:  # a plot's beds: {bed, crop} each
            parts = ", ".join(f"{p.name!r}: {_nested_value(p, table)}" for p in item.properties[:8])
            return f"json.dumps([{{{parts}}} for n in range(rng.randint(1, 3))])"
        return "json.dumps([fake.word() for n in range(rng.randint(0, 3))])"
    if col.type == "object":
        if spec is not None and spec.properties:
            parts = ", ".join(f"{p.name!r}: {_nested_value(p, table)}" for p in spec.properties[:8])
            return f"json.dumps({{{parts}}})"
        keys = [w for w in re.findall(r"\b([a-z]+(?:_[a-z]+)*)\b", text) if w in
                ("front_left", "front_right", "rear_left", "rear_right")]
        if keys:
            return "json.dumps({" + ", ".join(f"{k!r}: round(rng.uniform(28.0, 36.0), 1)" for k in keys) + "})"
        return "json.dumps({})"
    people = {"user", "customer", "person", "owner", "member", "employee", "contact", "passenger", "patient",
              "student", "author", "client", "guest", "driver", "agent", "staff", "player", "gardener",
              "applicant", "donor", "tenant", "volunteer", "worker", "astronomer", "athlete"} | ROLE_PEOPLE
    if meaning == ["name"] and set(table.entity.split("_")) & people:
        return "fake.name()"  # an inspector is called Mia Spears, not "Robust dynamic firmware"
    by_format = FORMATS.get(spec.format if spec is not None else "")
    if col.type == "string" and by_format is not None:
        return _by_name([by_format], "")
    if meaning == ["name"] and set(table.entity.split("_")) & {"payment", "card"}:
        return 'rng.choice(["Visa", "Mastercard", "Amex"]) + " ending in " + fake.numerify("####")'
    animals = {"pet", "dog", "cat", "animal", "horse", "puppy", "kitten", "patient_pet"}
    if meaning == ["name"] and table.entity in animals:
        return "fake.first_name()"  # a pet is called Bella, not "Visionary demand-driven function"
    if meaning == ["name"] and table.entity not in people and not table.singleton:
        return 'fake.catch_phrase()'
    return _string_for(meaning, text)


def _nested_value(prop: Field, table: Table) -> str:
    """A field of a seeded object by its own meaning (an album's releaseYear is a year)."""
    if prop.scalar:
        return value_expr(Column(prop.name, prop.type, prop), table)
    return _scalar_for(prop.name, prop.type)


def _capacity_of(text: str) -> float | None:
    found = _CAPACITY.search(text)
    return float(found.group(1)) if found else None


def _scalar_for(name: str, kind: str) -> str:
    if kind == "boolean":
        return "rng.random() < 0.5"
    if kind == "integer":
        return "rng.randint(1, 100)"
    if kind == "number":
        return "round(rng.uniform(1.0, 100.0), 2)"
    return _string_for(words(name), "")


ROOM_WORDS = {"room"}
ROOMS = ["kitchen", "living room", "bedroom", "bathroom", "hallway", "office", "garage", "dining room"]
PLACE_CODES = {"bin", "shelf", "aisle", "rack", "locker", "bay", "dock", "gate", "zone", "berth", "pitch"}
ROLE_PEOPLE = {"coach", "teacher", "instructor", "doctor", "therapist", "inspector", "trainer", "guide",
               "tutor", "nurse", "vet", "surgeon", "chef", "captain", "pilot", "coordinator", "supervisor"}
# Words of a description that say nothing of a value's form ("Repository name" is no person's name).
VAGUE = {"the", "a", "an", "name", "title", "id", "code", "number", "type", "kind", "key", "value", "of", "for"}
WEATHER = ["sunny", "partly cloudy", "cloudy", "light rain", "showers", "windy", "foggy", "clear"]


def _string_for(meaning: list[str], text: str) -> str:
    """By the field's name; a name that says nothing ("to") by its description ("Recipient
    email address")."""
    found = _by_name(meaning, text)
    if found == "fake.word()" and text:
        described = [w for w in words(re.split(r"[,.;(]| e\.g\.| like ", text)[0]) if w not in VAGUE]
        found = _by_name(described[:5], "")
    return found


def _by_name(meaning: list[str], text: str) -> str:
    found = set(meaning)
    joined = "_".join(meaning)
    if joined in ("first_name", "firstname"):
        return "fake.first_name()"
    if joined in ("last_name", "lastname", "surname"):
        return "fake.last_name()"
    if found & {"username", "login", "handle"} or joined == "user_name":
        return "fake.user_name()"
    if found & {"pin", "passcode"}:
        return 'fake.numerify("####")'
    if found == {"conditions"}:
        return f"rng.choice({WEATHER!r})"
    if found & {"weather", "forecast"}:
        return f'rng.choice({WEATHER!r}) + ", " + str(rng.randint(-5, 35)) + " degrees"'
    if found & {"password", "secret", "token"}:
        return 'fake.password(length=10, special_chars=False)'
    if "email" in found:
        return "fake.email()"
    if found & {"phone", "mobile", "telephone"}:
        return 'fake.numerify("###-###-####")'
    if found & {"zipcode", "zip", "postcode", "postal"} or "zipcode" in text or "zip code" in text:
        return "fake.postcode()"
    if found & {"city", "town", "district", "borough", "neighbourhood", "neighborhood"}:
        return "fake.city()"
    if "country" in found:
        return "fake.country()"
    if found & {"location", "destination"} or "city and state" in text:
        return 'fake.city() + ", " + fake.state_abbr()'
    if found & {"address", "street"}:
        # a street address: Faker's address() is sometimes a military one ("PSC 7031, Box 6174,
        # APO AP 67061"), which a user's sentence cannot tell from a code
        return 'fake.street_address() + ", " + fake.city() + ", " + fake.state_abbr() + " " + fake.postcode()'
    if found & {"company", "vendor", "merchant", "organization", "brand"}:
        return "fake.company()"
    if "currency" in found:
        return "fake.currency_code()"
    if found & {"url", "link", "website", "homepage"}:
        return "fake.url()"
    if found & {"symbol", "ticker"}:
        return 'fake.lexify("???").upper()'
    if "sector" in found or "industry" in found:
        return f"rng.choice({SECTORS!r})"
    if found & {"date", "day", "birthday", "deadline"} or joined.endswith("_on") or "yyyy-mm-dd" in text:
        return "(today - datetime.timedelta(days=rng.randint(0, 365))).isoformat()"
    if "hh:mm" in text and not found & {"date", "timestamp", "datetime"}:  # "Opening time, HH:MM."
        hours = "(17, 22)" if found & {"closes", "close", "closing", "end", "until"} else "(6, 10)"
        return f'str(rng.randint{hours}).zfill(2) + rng.choice([":00", ":30"])'
    if found & {"time", "timestamp", "datetime"} or joined.endswith("_at"):
        return ('(datetime.datetime.combine(today, datetime.time(9)) - datetime.timedelta(minutes=rng.randint(0, '
                '500000))).isoformat(timespec="seconds")')
    if found & ROOM_WORDS:
        return f"rng.choice({ROOMS!r})"
    if found & PLACE_CODES:  # a bin, a shelf, a bay: a code painted on it, not a word
        return 'fake.bothify("?-##").upper()'
    if found & ROLE_PEOPLE or (meaning[-1:] == ["by"] and len(meaning) > 1):  # a coach, borrowed_by
        return "fake.name()"
    if found & {"owner", "assignee", "reviewer", "reporter"} and "name" not in text.split():
        return "fake.user_name()"  # a repository's owner, a card's assignee: an account, not a full name
    if found & {"repo", "repository", "project", "package"} and not found & {"id", "number", "count"}:
        return 'fake.word() + "-" + fake.word()'
    if found & {"name", "author", "owner", "creator", "assignee", "contact", "customer", "person"}:
        return "fake.name()"
    if found & {"title", "subject", "headline", "summary"}:
        return 'fake.sentence(nb_words=4).rstrip(".")'
    if found & {"description", "message", "body", "text", "content", "comment", "note", "notes", "resolution",
                "reason", "details", "bio"}:
        return "fake.sentence(nb_words=10)"
    if found & {"color", "colour"}:
        return "fake.color_name()"
    if found & {"language"}:
        return "fake.language_name()"
    if found & {"type", "kind", "category", "mode", "tag", "label", "genre", "group"}:
        return "rng.choice(['standard', 'basic', 'premium'])"
    if found & {"id", "code", "number", "reference"}:
        return 'fake.bothify("??-####").upper()'
    return "fake.word()"
