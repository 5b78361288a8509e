"""One field of a record as a clause: "the status is pending", an event's date as the
event ("it was placed on July 16, 2026"), a count as "there are 3 seats", a name ending
in a preposition as a phrase; never "the execute on is"."""

from __future__ import annotations

import re
from typing import Any

from toolace_mt.generation.language import wording as w
from toolace_mt.generation.language.labels import unit
from toolace_mt.generation.language.spoken_values import ISO_DATE, money_field, natural, whole

# A field that dates an event ("placed_at", "sent_on", "delivered_on"): said as the event.
EVENT_FIELD = re.compile(r"(?P<verb>[a-z]+ed|sent|paid|made|held|built|done|read|set|spent|taken|given|bought|sold|"
                         r"kept|seen|begun)_(?:at|on|date|time)")

_DATED = re.compile(r"(?P<verb>[a-z]+s)_(?:on|at)")  # "expires_on": it expires on ...

_SINCE = re.compile(r"(?P<noun>[a-z_]+)_since")  # "customer_since": a customer since ...

_BARE_DATED = re.compile(r"(?P<verb>[a-z]+)_(?:on|at)")  # "execute_on", "start_at": it executes on ...

_STATES = frozenset({"due", "ready", "valid", "available", "effective", "payable", "open", "closed", "active",
                     "free", "live", "final"})  # "ready_on": it's ready on ..., not "it readys"

_STATES_AFTER = frozenset({"left", "remaining", "available", "used", "free", "taken", "booked", "open", "sold"})

TRAILING_WORDS = ("after", "before", "by", "from", "to", "of", "in", "at", "on", "since", "until")

THRESHOLD_WORDS = ("over", "under", "above", "below")  # a name that ends where its value goes
# Past participles that do not end in -ed: "paid_by" is "it was paid by ...", never "the paid by is".
PARTICIPLES = frozenset({"paid", "sent", "made", "held", "built", "done", "read", "set", "spent", "taken", "given",
                         "bought", "sold", "kept", "seen", "begun", "written", "drawn", "chosen", "won", "lost",
                         "told", "found", "run", "put", "cut", "shut", "led", "brought", "taught", "caught", "left",
                         "met", "said", "owned", "known", "used", "owed", "shown", "grown", "thrown", "driven",
                         "ridden", "hidden"})
# "time_created", "date_modified": the event's date, said as the event.
_DATED_EVENT = re.compile(r"(?:time|date|datetime|timestamp)_(?P<verb>[a-z]+ed)")
_SO_FAR = frozenset({"today", "yesterday", "recently", "so_far", "this_month", "this_week", "total", "ytd"})
_BARE_EVENT = re.compile(r"(?P<verb>[a-z]{2,}[^e]ed|paid|sent|made|done|taken|given)")  # "created": "it was created on"
_QUESTION_WORDS = ("what", "how", "why", "who", "where", "when")  # "what_happened" is a question, not a noun


def clause(key: str, value: Any) -> str:
    """"the status is pending"; an event's date as the event: "it was placed on July 16, 2026",
    "it expires on ...", "it executes on ...", "a customer since ..."; a field named with a
    trailing preposition as a phrase ("from_balance_after": "the balance afterwards is
    ...", "added_by": "it was added by ..."), never "the execute on is"."""
    key = w.label(key).replace(" ", "_").replace("_ID", "_id") if any(c.isupper() for c in key) else key
    related = w.relation_phrase(key, natural(value, key)) if not isinstance(value, bool) else None
    if related is not None:  # "from_account_id": "it's from account ACC-10073", never "the from account ID is"
        return f"it's {related}"
    if ISO_DATE.fullmatch(str(value)):
        event, dated, since = EVENT_FIELD.fullmatch(key), _DATED.fullmatch(key), _SINCE.fullmatch(key)
        bare = _BARE_DATED.fullmatch(key)
        event = event or _DATED_EVENT.fullmatch(key) or _BARE_EVENT.fullmatch(key)
        if event:
            return f"it was {event['verb']} on {natural(value, key)}"
        if dated:
            return f"it {dated['verb']} on {natural(value, key)}"
        if since:
            return f"you've been a {since['noun'].replace('_', ' ')} since {natural(value, key)}"
        if bare and bare["verb"] in _STATES:
            return f"it's {bare['verb']} on {natural(value, key)}"
        if bare and not bare["verb"].endswith("s"):
            verb = bare["verb"]
            said = verb[:-1] + "ies" if verb.endswith("y") and verb[-2:-1] not in "aeiou" else \
                verb + "es" if verb.endswith(("sh", "ch", "x", "z")) else verb + "s"
            return f"it {said} on {natural(value, key)}"
    value = whole(value) if not money_field(key) else value
    measured = unit(key) if isinstance(value, int | float) and not isinstance(value, bool) else None
    said = measured[0] if measured else w.label(key).removeprefix("my ")
    words = said.split()
    many = (w.plural(said) and words[-1] not in TRAILING_WORDS) or (len(words) == 2 and w.plural(words[0])
                                                             and words[1] in _STATES_AFTER)  # "spots left"
    if len(words) >= 2 and words[-1] in THRESHOLD_WORDS:  # "needs receipt over 60", never "the needs receipt over is"
        return f"{said} {natural(value, key)}"
    if len(words) == 1 and (words[0] in PARTICIPLES or _BARE_EVENT.fullmatch(words[0])) \
            and isinstance(value, int | float) and not isinstance(value, bool):  # "paid": "the amount paid is"
        return f"the amount {said} is {natural(value, key)}"
    if len(words) == 2 and words[1] in _SO_FAR and (words[0] in PARTICIPLES or words[0].endswith("ed")):
        return f"the amount {said} is {natural(value, key)}"  # "sent_today": "the amount sent today is 0"
    if len(words) >= 2 and words[0] in _QUESTION_WORDS:  # "what happened was a break-in"
        return f"{said} {'was' if words[-1].endswith('ed') else 'is'} {natural(value, key)}"
    if len(words) >= 2 and words[-1] in TRAILING_WORDS:
        if words[-2].endswith("ed") or words[-2] in PARTICIPLES:
            return f"it was {said} {natural(value, key)}"
        if words[-1] in ("after", "before"):
            rest = words[1:-1] if words[0] in ("from", "to") and len(words) > 2 else words[:-1]
            said = " ".join(rest) + (" afterwards" if words[-1] == "after" else " beforehand")
    if many and isinstance(value, int) and not isinstance(value, bool) and not money_field(key):  # a count of things
        return f"there is 1 {said[:-1]}" if value == 1 else f"there are {value or 'no'} {said}"
    return f"the {said} {'are' if many else 'is'} {natural(value, key)}"


def sayable(key: str, value: Any) -> bool:
    """A field a person can ask about by name: its label is an English phrase, or `clause`
    says it as an event ("when it was added")."""
    words = w.label(key).split()
    if not words or words[-1] not in TRAILING_WORDS:
        return True
    return bool(ISO_DATE.fullmatch(str(value)) and (EVENT_FIELD.fullmatch(key) or _DATED.fullmatch(key)))


def merged_relations(parts: list[str]) -> list[str]:
    """"it's from account A" and "it's to account B" said as one: "it's from account A to account B"."""
    out: list[str] = []
    for part in parts:
        if part.startswith("it's ") and out and out[-1].startswith("it's ") \
                and part.split()[1] in w.RELATION_WORDS and out[-1].split()[1] in w.RELATION_WORDS:
            out[-1] += " " + part.removeprefix("it's ")
        else:
            out.append(part)
    return out
