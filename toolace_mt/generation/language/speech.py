"""How the offline assistant says things: tool outputs in prose (not `key: value` dumps),
lists described by name, date or amount, enum values in words, errors in plain words.

Values the verifier grounds (ids, numbers, dates) keep a form its evidence rules read as
the same value: an amount as "$1,108.90", a date as "July 16, 2026", a time as "14:00".
"""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any

from toolace_mt.generation.language import wording as w
from toolace_mt.generation.language.labels import date_words, id_key, unit
from toolace_mt.generation.language.record_parts import is_part, merged
from toolace_mt.generation.language.tool_language import is_secret
from toolace_mt.verifier.evidence import is_identifier

_SNAKE = re.compile(r"[a-z]+(?:_[a-z]+)+|[a-z]+(?:-[a-z]+){1,4}")  # no_longer_needed, filled-elsewhere
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2})?)?")
_MONEY = ("total", "amount", "price", "balance", "cost", "fare", "refund", "fee", "limit", "payment", "copay")
_NAMES = ("name", "title", "product_name", "subject", "full_name", "description", "summary")
_DESCRIBE = ("status", "date", "placed_at", "created_at", "departure", "start", "when", "total", "amount", "price",
             "balance", "fare", "origin", "destination", "type", "category", "kind", "due", "sent_at", "from")


# Words of a field that counts or measures something other than money ("total_contacts",
# "fuelAmount"): its number is not an amount of dollars.
_NOT_MONEY = frozenset({"count", "contacts", "items", "messages", "users", "days", "nights", "bags", "seats",
                        "passengers", "quantity", "number", "num", "points", "miles", "level", "pressure",
                        "temperature", "speed", "fuel", "distance", "percent", "rate", "weight", "volume", "units",
                        "shares", "stock", "minutes", "hours", "tickets", "guests", "size", "liters", "gallons"})


def _money(field: str) -> bool:
    parts = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", field).lower().split("_")
    return any(m in p for p in parts for m in _MONEY) and not any(p in _NOT_MONEY for p in parts)


def is_money(field: str, value: Any) -> bool:
    """A number under a money field ("amount" 25.0): said as "$25.00"."""
    return isinstance(value, int | float) and not isinstance(value, bool) and _money(field)


def whole(value: Any) -> Any:
    """A float that is a whole number as an int (3.0 -> 3): a person says "3 workdays"."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def natural(value: Any, field: str = "") -> str:
    """A value as a person says it: `no_longer_needed` -> "no longer needed", an amount
    field 1108.9 -> "$1,108.90", 2026-07-16T22:00:00 -> "July 16, 2026 at 22:00", a
    count 3.0 -> "3"."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and _money(field):
        return f"${value:,.2f}"
    value = whole(value)
    measured = unit(field) if isinstance(value, int | float) and field else None
    if measured is not None:
        return f"{value}{measured[1]}"
    text = str(value)
    if _SNAKE.fullmatch(text):
        return text.replace("_", " ").replace("-", " ")
    match = _ISO.fullmatch(text)
    if match:
        year, month, day, hour, minute = match.groups()
        try:
            dt.date(int(year), int(month), int(day))
        except ValueError:
            return text
        said = date_words(year, month, day)
        if hour is not None and (hour, minute) != ("00", "00"):
            said += f" at {hour}:{minute}"
        return said
    return text


def _good(key: str, item: Any) -> bool:
    return (isinstance(item, str | int | float) and not isinstance(item, bool) and str(item).strip() != ""
            and len(str(item)) < 60 and (w.speakable(key) or is_part(key)))  # `address1` joins its address


def _stems(name: str) -> set[str]:
    parts = {part[:-1] if part.endswith("s") else part for part in w.snake(name).split("_")}
    return parts - {"id", "get", "list", "find", "search", "by", "show", "all"}


# What a question's word asks about under another name: "what does it cost?" asks the price.
_ASKED_AS = {"cost": ("price", "amount", "total", "fee", "fare", "charge"), "charge": ("price", "amount", "fee"),
             "owe": ("balance", "amount", "due"), "spend": ("amount", "total"), "spent": ("amount", "total"),
             "worth": ("value", "price"), "left": ("remaining", "available", "balance"),
             "remaining": ("left", "available", "balance"), "pay": ("amount", "total", "price")}


def _with_aliases(words: set[str]) -> set[str]:
    return words | {alias for word in words for alias in _ASKED_AS.get(word, ())}


def asked_first(facts: list[tuple[str, Any]], tool: str) -> list[tuple[str, Any]]:
    """The facts the tool's name asks about (`get_order_status` -> status, `get_cost` ->
    price) first."""
    wanted = _with_aliases(_stems(tool))
    return sorted(facts, key=lambda kv: not (_stems(kv[0]) & wanted))


def facts_of(value: dict[str, Any]) -> list[tuple[str, Any]]:
    """Speakable scalar fields, then those one level down under their own names."""
    top = [(k, v) for k, v in value.items() if _good(k, v) and not is_secret(k)]
    names = {k for k, _ in top}
    nested = [(k, v) for sub in value.values() if isinstance(sub, dict) for k, v in sub.items()
              if _good(k, v) and k not in names and not is_secret(k)]
    seen: set[str] = set()
    return [(k, v) for k, v in top + nested if not (k in seen or seen.add(k))]


# A field that dates an event ("placed_at", "sent_on", "delivered_on"): said as the event.
_EVENT = re.compile(r"(?P<verb>[a-z]+ed|sent|paid|made|held|built|done|read|set|spent|taken|given|bought|sold|kept|"
                    r"seen|begun)_(?:at|on|date|time)")
# A field that is the text of a message or a record: quoted, whatever its length.
CONTENT = ("body", "content", "text", "message", "description", "snippet", "note", "notes", "summary", "memo",
           "reason", "comment", "comments")


_DATED = re.compile(r"(?P<verb>[a-z]+s)_(?:on|at)")  # "expires_on": it expires on ...
_SINCE = re.compile(r"(?P<noun>[a-z_]+)_since")  # "customer_since": a customer since ...


_BARE_DATED = re.compile(r"(?P<verb>[a-z]+)_(?:on|at)")  # "execute_on", "start_at": it executes on ...
_STATES = frozenset({"due", "ready", "valid", "available", "effective", "payable", "open", "closed", "active",
                     "free", "live", "final"})  # "ready_on": it's ready on ..., not "it readys"
_STATES_AFTER = frozenset({"left", "remaining", "available", "used", "free", "taken", "booked", "open", "sold"})
_TRAILING = ("after", "before", "by", "from", "to", "of", "in", "at", "on", "since", "until")
_THRESHOLDS = ("over", "under", "above", "below")  # a name that ends where its value goes


def clause(key: str, value: Any) -> str:
    """"the status is pending"; an event's date as the event: "it was placed on July 16, 2026",
    "it expires on ...", "it executes on ...", "a customer since ..."; a field named with a
    trailing preposition as a phrase ("from_balance_after": "the balance afterwards is
    ...", "added_by": "it was added by ..."), never "the execute on is"."""
    key = w.label(key).replace(" ", "_").replace("_ID", "_id") if any(c.isupper() for c in key) else key
    related = w.relation_phrase(key, natural(value, key)) if not isinstance(value, bool) else None
    if related is not None:  # "from_account_id": "it's from account ACC-10073", never "the from account ID is"
        return f"it's {related}"
    if _ISO.fullmatch(str(value)):
        event, dated, since = _EVENT.fullmatch(key), _DATED.fullmatch(key), _SINCE.fullmatch(key)
        bare = _BARE_DATED.fullmatch(key)
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
    value = whole(value) if not _money(key) else value
    measured = unit(key) if isinstance(value, int | float) and not isinstance(value, bool) else None
    said = measured[0] if measured else w.label(key).removeprefix("my ")
    words = said.split()
    many = (w.plural(said) and words[-1] not in _TRAILING) or (len(words) == 2 and w.plural(words[0])
                                                             and words[1] in _STATES_AFTER)  # "spots left"
    if len(words) >= 2 and words[-1] in _THRESHOLDS:  # "needs receipt over 60", never "the needs receipt over is"
        return f"{said} {natural(value, key)}"
    if len(words) >= 2 and words[-1] in _TRAILING:
        if words[-2].endswith("ed"):
            return f"it was {said} {natural(value, key)}"
        if words[-1] in ("after", "before"):
            rest = words[1:-1] if words[0] in ("from", "to") and len(words) > 2 else words[:-1]
            said = " ".join(rest) + (" afterwards" if words[-1] == "after" else " beforehand")
    if many and isinstance(value, int) and not isinstance(value, bool) and not _money(key):  # a count of things
        return f"there is 1 {said[:-1]}" if value == 1 else f"there are {value or 'no'} {said}"
    return f"the {said} {'are' if many else 'is'} {natural(value, key)}"


def sayable(key: str, value: Any) -> bool:
    """A field a person can ask about by name: its label is an English phrase, or `clause`
    says it as an event ("when it was added")."""
    words = w.label(key).split()
    if not words or words[-1] not in _TRAILING:
        return True
    return bool(_ISO.fullmatch(str(value)) and (_EVENT.fullmatch(key) or _DATED.fullmatch(key)))


class Focus:
    """What a reply should tell first: the fields the user's words name (or the tool's name
    asks about), then values the dialogue has not shown yet; already-shown values last."""

    def __init__(self, words: set[str] | None = None, shown: set[str] | None = None) -> None:
        self.words = _with_aliases({x.rstrip("s") for x in (words or set()) if len(x) >= 4})
        self.shown = shown or set()

    def asked(self, key: str) -> bool:
        """Whether the user's words name the field. An id is never asked by its thing's
        noun: "see my flight" asks about the flight, not its `flight_id`."""
        folded = w.snake(key)
        if id_key(key) or folded.endswith("_ids"):
            return False
        return bool({p.rstrip("s") for p in folded.split("_") if len(p) >= 4 and p not in w.RELATION_WORDS}
                    & self.words)

    def rank(self, key: str, value: Any) -> int:
        new = str(value) not in self.shown
        return 0 if new and self.asked(key) else 1 if new else 2


def _sentence(value: Any) -> bool:
    """A value that is itself a sentence ("User Kiara logged in successfully."): said as it
    is. A name or a title ("Mr. Herbert Chung DDS", "Lord of the Rings") is no sentence:
    it has no lower-case word of four letters or more, and does not end like one."""
    if not isinstance(value, str) or len(value.split()) < 3 or not value[:1].isupper():
        return False
    words = value.split()
    if value.rstrip().endswith((".", "!", "?")):
        return not words[-1].rstrip(".").isupper()
    lower = [w for w in words[1:] if w.isalpha() and w.islower() and len(w) >= 4]
    # a short phrase is a sentence only with a verb ("Message sent successfully"); "Site
    # inspection trip", a report's purpose, is a name for a thing
    return bool(lower) and (len(words) >= 6 or any(_VERB_LIKE.fullmatch(w.lower()) for w in words))


_VERB_LIKE = re.compile(r"[a-z]+ed|[a-z]+ly|successful|complete|sent|done|made|paid|set|taken|given|is|are|was|"
                        r"were|has|have|had|will|can|could|found")


def _merged_relations(parts: list[str]) -> list[str]:
    """"it's from account A" and "it's to account B" said as one: "it's from account A to account B"."""
    out: list[str] = []
    for part in parts:
        if part.startswith("it's ") and out and out[-1].startswith("it's ") \
                and part.split()[1] in w.RELATION_WORDS and out[-1].split()[1] in w.RELATION_WORDS:
            out[-1] += " " + part.removeprefix("it's ")
        else:
            out.append(part)
    return out


def prose(facts: list[tuple[str, Any]], rng: random.Random) -> str:
    """Facts as one or two sentences: "The status is pending, the total is $1,108.90 and ..."."""
    # a name or title is no sentence, however it reads ("Receive policy could" is a class's name)
    said = [str(v) if str(v).endswith((".", "!", "?")) else f"{v}." for k, v in facts
            if _sentence(v) and k not in _NAMES]
    facts = [(k, v) for k, v in facts if not _sentence(v) or k in _NAMES]
    if not facts:
        return " ".join(said)
    parts = _merged_relations([clause(k, v) for k, v in facts])
    if len(parts) == 1:
        body = parts[0]
    else:
        body = ", ".join(parts[:-1]) + " and " + parts[-1]
    lead = rng.choice(["", "", "", "As for the details, ", "In short, ", "According to the record, ",
                       "On file, ", "It shows that "])
    sentence = lead + body
    sentence = sentence[0].upper() + sentence[1:] + ("" if sentence.endswith((".", "!", "?")) else ".")
    return " ".join([*said, sentence])


def _detail(key: str, value: Any) -> str:
    """A list entry's detail: "pending", "$25.99", "delivered on July 10, 2026", "2 in stock"."""
    event = _EVENT.fullmatch(key)
    if event and _ISO.fullmatch(str(value)):
        return f"{event['verb']} {natural(value, key)}" if event["verb"] == "due" else \
            f"{event['verb']} on {natural(value, key)}"
    value = whole(value) if not _money(key) else value
    if isinstance(value, bool):  # an asked yes/no: "available", "not available"
        return flag_words(key, value)
    if key == "stock" and isinstance(value, int) and not isinstance(value, bool):
        return f"{value} in stock"
    if isinstance(value, int | float) and not isinstance(value, bool) and not _money(key) and unit(key) is None:
        said = w.label(key).removeprefix("my ")  # a bare "4" says nothing: "4 copies available", "rating 4"
        if said.split()[-1] in _THRESHOLDS:
            return f"{said} {value}"
        return f"{value} {said}" if w.plural(said) or w.plural(said.split()[0]) else f"{said} {value}"
    return natural(value, key)


def entries(value: Any) -> list[Any]:
    """The entries of a list field, or of a mapping of records by id (a product's variants)."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        return list(value.values())
    return []


def describe_item(item: Any, focus: Focus | None = None) -> str:
    """One list entry by name, date or amount (its id kept beside it when it has one); with
    a focus, the details the user asked about or not yet shown first."""
    if not isinstance(item, dict):
        return natural(item)
    focus = focus or Focus()
    name = next((str(item[k]) for k in _NAMES if _good(k, item.get(k))), None)
    if name is None and _good("first_name", item.get("first_name")):  # a person: "Jillian Vance"
        name = w.join(str(item["first_name"]), str(item.get("last_name") or ""))
    if name is None:  # a message, a note: its text, quoted
        text = next((str(item[k]).strip() for k in CONTENT if isinstance(item.get(k), str)
                     and 0 < len(item[k].strip()) <= 120), None)
        name = f'"{text}"' if text else None
    if name is None:  # no name field: the first text that names the thing ("atorvastatin 20 mg tablet")
        name = next((str(v) for k, v in item.items() if isinstance(v, str) and _good(k, v) and " " in v.strip()
                     and not id_key(k) and not _ISO.fullmatch(v) and not _sentence(v)
                     and k not in CONTENT), None)
    ident = next((str(v) for k, v in item.items() if id_key(k) and isinstance(v, str | int)
                  and not isinstance(v, bool)), None)
    ranked = sorted(((focus.rank(k, v), min((i for i, d in enumerate(_DESCRIBE) if d in k), default=len(_DESCRIBE)),
                      k, v) for k, v in item.items()
                     if _good(k, v) and not is_secret(k) and (any(d in k for d in _DESCRIBE) or focus.rank(k, v) < 2)
                     and str(v) not in (name, ident) and not (name and str(v) in name.split())
                     and not id_key(k)),
                    key=lambda t: (t[0], t[1]))
    asked = sum(1 for rank, _, _, _ in ranked if rank == 0)
    details = [_detail(k, v) for _, _, k, v in ranked][:max(2, min(asked, 3))]  # all asked, up to three
    flags = [flag_words(k, v) for k, v in item.items() if isinstance(v, bool) and focus.asked(k) and not is_secret(k)]
    details = [*flags[:2], *details]  # an asked yes/no ("whether each is available"): "not available"
    options = next((v for v in item.values() if isinstance(v, dict) and v
                    and all(_good("x", o) for o in v.values())), None)
    if options:  # a variant's options: "white, wired, optical"
        details.insert(0, ", ".join(_detail(k, o) for k, o in list(options.items())[:3]))
    head = name or ident or ""
    if name and ident:
        head = f"{name} ({ident})"
    if not head and not details:
        listed = next((v for v in item.values() if isinstance(v, list) and v
                       and all(isinstance(x, str | int | float) and not isinstance(x, bool) for x in v)), None)
        if listed:  # {"stock_list": ["FLET", "GRAN"]}: its entries, not "an entry"
            shown = [natural(x) for x in listed[:5]]
            return ", ".join(shown) + f" and {len(listed) - 5} more" if len(listed) > 5 else w.list_words(shown)
        facts = facts_of(item)[:2]
        return ", ".join(f"{w.label(k).removeprefix('my ')} {natural(v, k)}" for k, v in facts) or "an entry"
    return head + (", " + ", ".join(details) if details else "") if head else ", ".join(details)


def listing(items: list[Any], tool: str, rng: random.Random, limit: int = 4, focus: Focus | None = None) -> str:
    """A list told by its entries: "I found 3: Smart Watch (P2005), $199.00, ...; ..."."""
    if not items:
        return rng.choice(w.NO_RESULTS)
    limit = limit + 1 if len(items) == limit + 1 else limit  # all five, not "and one more" (a count it never showed)
    described = [describe_item(item, focus) for item in items[:limit]]
    more = len(items) - len(described)
    count = len(items)
    head = rng.choice([f"I found {count}", f"There {'is' if count == 1 else 'are'} {count}",
                       f"{count} came up", f"I see {count}"])
    if count == 1:
        return f"{head}: {described[0]}."
    tail = "\n(and a few more)" if more > 1 else ("\n(and one more)" if more == 1 else "")
    return f"{head}:\n" + "\n".join(f"- {d}" for d in described) + tail  # a list, not field: value pairs


# Writes that make a record: the new record's ids (a booking reference) are news.
_CREATING = frozenset({"create", "add", "book", "place", "open", "submit", "make", "file", "register", "schedule",
                       "request", "send", "transfer", "pay", "report", "issue", "new", "post", "start", "reserve"})


def summary(value: Any, tool: str, rng: random.Random, limit: int = 4,
            arguments: dict[str, Any] | None = None, known: set[str] | None = None,
            focus: Focus | None = None, references: frozenset[str] = frozenset()) -> str:
    """What an output tells, in prose: the asked facts first; for a write (`arguments`),
    the values it set first, and before them the key a create made (an id, or a field
    other tools take as a parameter, in `references`: `report_code`, `sku`); values the
    user `known`s already are not told back; with a focus, what the user's words ask about
    and what the dialogue has not shown yet first. A message's text is quoted."""
    if w.empty(value):
        return ""
    focus = focus or Focus()
    if arguments is not None:  # a write's reply tells what it did and made, not what the request's words name
        focus = Focus(shown=focus.shown)
    if isinstance(value, list):
        return listing(value, tool, rng, focus=focus)
    if isinstance(value, dict) and not arguments:
        value = _without_counts(value)
        if value is None:  # {"hotels": [], "total": 0}: nothing matched
            return rng.choice(w.NO_RESULTS)
    if isinstance(value, dict):
        content = next((k for k in CONTENT if isinstance(value.get(k), str) and len(value[k].split()) >= 4
                        and str(value[k]) not in focus.shown and not arguments), None)  # the text is the news
        if content is not None:
            told = summary({k: v for k, v in value.items() if k != content}, tool, rng, min(limit, 2), arguments,
                           known, focus)
            text = str(value[content]).strip()
            return w.join(told, rng.choice(["It reads: \"{t}\"", "It says: \"{t}\"", "The text: \"{t}\""])
                          .format(t=text))
        nothing_new = not any(focus.rank(k, v) < 2 for k, v in facts_of(value))
        lists = [(k, entries(v)) for k, v in value.items() if entries(v) and not arguments
                 and (_stems(k) & _stems(tool) or focus.asked(k) or nothing_new or len(facts_of(value)) <= 2)]
        # What the user knows is not told back, unless it is all the output says (the id a
        # look-up by name found).
        facts = [(k, v) for k, v in facts_of(value) if str(v) not in (known or set())] or facts_of(value)
        counted = _counted_period(value, facts) if not arguments else ""
        if counted:
            return counted
        if not arguments and all(isinstance(v, int | float) and v in (0, 1) for _, v in facts):
            facts = facts_of(value)  # "1" alone says nothing: said with what it is of
        if arguments:  # the subject and text the user dictated are not read back to them
            dictated = {str(v) for v in arguments.values() if _sentence(v)}
            facts = [(k, v) for k, v in facts if str(v) not in dictated] or facts
        if arguments:  # a value the write set that the output does not show is told too
            shown = {str(v) for _, v in facts} | (known or set())
            facts += [(k, v) for k, v in arguments.items() if _good(k, v) and str(v) not in shown
                      and not _sentence(v)]  # the text the user dictated is not read back to them
        # Another record's id (a checkout's patron, a hold's title) tells the user nothing by
        # itself: left out when anything else is said, unless asked about or new (a write's new id).
        given = {str(v) for v in (arguments or {}).values()}
        # a create by its verb, or by what it did: its output keys a record by a value the
        # write was not given and the user does not know (applyForPermit -> BP-2026-0172)
        creates = arguments is not None and (w.snake(tool).split("_")[0] in _CREATING or any(
            _made_key(k, v, references) and str(v) not in given and str(v) not in (known or set())
            for k, v in facts))
        plain = [kv for kv in facts if not id_key(kv[0]) or _stems(kv[0]) & _stems(tool)
                 or focus.asked(kv[0]) or (creates and str(kv[1]) not in given)]
        facts = plain if any(not id_key(k) for k, _ in plain) else facts
        facts = sorted(asked_first(facts, tool), key=lambda kv: id_key(kv[0]) and not (
            _stems(kv[0]) & _stems(tool)))
        facts = sorted(facts, key=lambda kv: focus.rank(*kv))
        set_values = {str(v) for v in (arguments or {}).values()}
        if arguments:  # the values it set, and before them the id a create made
            facts = sorted(facts, key=lambda kv: (not (creates and _made_key(*kv, references)
                                                       and str(kv[1]) not in given), str(kv[1]) not in set_values))
        facts = _few_unasked(merged(facts), focus, limit)
        said = prose(facts, rng)
        if lists:  # the list the tool is about (an order's items, a flight's seats)
            key, items = lists[0]
            named = "; ".join(describe_item(i, focus) for i in items[:4]) + ("; and others" if len(items) > 4 else "")
            said = w.join(f"The {w.label(key).removeprefix('my ')}: {named}.", prose(facts[:2], rng))
        if not said:
            said = _grouped(value)
        if not said:
            said = _yes_no(value, lead=arguments is None)
        if not said and any(isinstance(v, list) and not v for v in value.values()):
            return rng.choice(w.NO_RESULTS)  # {"results": []}: nothing matched
        if not said:
            return "There's nothing more on file." if value else rng.choice(w.EMPTY_RESULTS)
        return said
    shown = natural(value)
    if isinstance(value, str) and " " in shown and shown[:1].isupper():  # a message: said as it is
        return shown if shown.endswith((".", "!", "?")) else shown + "."
    frame = rng.choice(["It came back with {v}.", "The answer is {v}.", "That gives {v}.", "It's {v}."])
    if shown.endswith((".", "!", "?")):
        frame = frame.replace("{v}.", "{v}")
    return frame.replace("{v}", shown)


def _counted_period(value: dict[str, Any], facts: list[tuple[str, Any]]) -> str:
    """A count over a period the user gave ({"start_date", "end_date", "workdays": 2}), said
    with its period: "There are 2 workdays from October 6, 2026 to October 7, 2026." ("" when
    the output is no such count)."""
    numbers = [(k, v) for k, v in facts if isinstance(v, int | float) and not isinstance(v, bool)]
    dates = sorted(str(v) for v in value.values() if isinstance(v, str) and _ISO.fullmatch(v))
    if len(facts) != 1 or len(numbers) != 1 or len(dates) != 2:
        return ""
    first, last = natural(dates[0]), natural(dates[1])
    said = clause(*numbers[0]) + (f" on {first}" if first == last else f" from {first} to {last}")
    return said[0].upper() + said[1:] + "."


# Fields beside a list that count or page it ("total": 12, "next_offset": 20): the list tells them.
_COUNTS = frozenset({"total", "count", "size", "results", "hits", "found", "matches", "page", "pages", "offset",
                     "limit", "cursor", "next", "more"})


def _without_counts(value: dict[str, Any]) -> dict[str, Any] | None:
    """An output with a list field, without the numbers that count or page the list (not
    money: "total" 0 beside {"hotels": []} is no "$0.00"); None when its lists are all
    empty and nothing else is left to tell."""
    lists = [k for k, v in value.items() if isinstance(v, list)]
    if not lists:
        return value
    counts = {k for k, v in value.items() if k not in lists and (isinstance(v, int | float) or v is None
              or (isinstance(v, str) and not v.strip()) or isinstance(v, bool))
              and set(w.snake(k).split("_")) & _COUNTS}
    rest = {k: v for k, v in value.items() if k not in counts}
    if all(not value[k] for k in lists) and len(rest) == len(lists):
        return None
    return rest


_OUTCOME_FLAGS = frozenset({"success", "succeeded", "ok", "done", "result", "status", "completed"})


def _yes_no(value: dict[str, Any], lead: bool = True) -> str:
    """An output of yes/no fields only ({"login_status": true}): each told as a yes or a no
    under its own words, since a flag is the answer ("Yes: the login status is on."); after
    a write (no `lead`), as what is now so ("You're not logged in.")."""
    flags = [(k, v) for k, v in value.items() if isinstance(v, bool) and w.speakable(k) and not is_secret(k)][:3]
    if not flags:
        return ""
    if len(flags) == 1 and flags[0][0].casefold() in _OUTCOME_FLAGS:  # {"success": true} tells only that it worked
        return "That went through." if flags[0][1] else "That didn't go through."
    parts = [_flag_state(k, v) for k, v in flags]
    if not lead:
        said = w.list_words(parts)
        return said[0].upper() + said[1:] + "."
    return f"{'Yes' if flags[0][1] else 'No'}: {w.list_words(parts)}."


# The last word of a yes/no field's name that makes it a state, not a noun ("is_open",
# "open_now", "available"): said as "it's open", never "the open is on".
_STATE_END = frozenset({"in", "out", "up", "on", "off", "open", "closed", "only", "available", "active", "now",
                        "enabled", "disabled", "visible", "required", "allowed", "pressed", "engaged", "locked",
                        "unlocked", "paid", "read", "done", "free", "valid", "public", "private", "empty", "full",
                        "online", "offline", "live", "ready", "due", "overdue", "current", "default", "primary"})
_MODALS = {"can": "can't", "should": "shouldn't", "will": "won't", "could": "couldn't"}


def _flag_words(key: str) -> list[str]:
    return w.label(key).removeprefix("my ").split()


def _is_state(words: list[str]) -> bool:
    """A flag's words that name a state: a participle ("archived"), an adjective ("open",
    "refundable"), or "is ..."."""
    return bool(words) and (words[-1] in _STATE_END or words[-1].endswith("able")
                            or (words[-1].endswith("ed") and len(words[-1]) > 4))


def _flag_state(key: str, value: bool) -> str:
    """A yes/no field in words: a state named by a participle ("signed_in", "archived") as
    the state ("you're signed in", "it's not archived"), "is_open" as "it's open", "has_wifi"
    as "it has wifi", "can_cancel" as "it can't cancel"; a noun ("login_status") as on or off."""
    words = _flag_words(key)
    if words and words[0] in ("is", "was", "are") and len(words) > 1:
        words = words[1:]
        if not _is_state(words):  # "is_member": it's a member
            return f"it's {'' if value else 'not '}{'an' if words[0][:1] in 'aeiou' else 'a'} {' '.join(words)}"
    if not words:
        return "yes" if value else "no"
    if words[0].endswith("ed") and len(words) <= 2 and (len(words) == 1 or words[1] in w.PARTICLES):
        who = "you're" if len(words) == 2 else "it's"  # signed in, logged in: the user; archived: the thing
        return f"{who} {'' if value else 'not '}{' '.join(words)}"
    rest = " ".join(words[1:])
    if words[0] in ("has", "have") and rest:
        return f"it has {rest}" if value else f"it doesn't have {rest}"
    if words[0] in _MODALS and rest:
        return f"it {words[0] if value else _MODALS[words[0]]} {rest}"
    if words[0] in ("allow", "allows") and rest:
        return f"it allows {rest}" if value else f"it doesn't allow {rest}"
    if _is_state(words):
        return f"it's {'' if value else 'not '}{' '.join(words)}"
    return f"the {' '.join(words)} is {'on' if value else 'off'}"


def flag_words(key: str, value: bool) -> str:
    """A yes/no field as a list entry's detail: "available", "not available", "has wifi",
    "no wifi"; a noun flag as "login status: yes"."""
    words = _flag_words(key)
    if words and words[0] in ("is", "was", "are") and len(words) > 1:
        words = words[1:]
    rest = " ".join(words[1:])
    if words and words[0] in ("has", "have") and rest:
        return f"has {rest}" if value else f"no {rest}"
    if words and words[0] in _MODALS and rest:
        return f"{words[0] if value else _MODALS[words[0]]} {rest}"
    if _is_state(words) or (words and words[0].endswith("ed")):
        return f"{'' if value else 'not '}{' '.join(words)}"
    return f"{' '.join(words)}: {'yes' if value else 'no'}"


# Fields told beside the asked ones: a reply answers, it does not read the record out.
UNASKED = 2


def _made_key(key: str, value: Any, references: frozenset[str]) -> bool:
    """A field holding the key of a record: an id, or a reference other tools take (an
    identifier-like `report_code` ER-5075, a `line_no` 3)."""
    if id_key(key):
        return True
    if key not in references or isinstance(value, bool):
        return False
    if isinstance(value, int):
        return w.label(key).split()[-1] == "number"
    return isinstance(value, str) and " " not in value.strip() and is_identifier(value.strip().lstrip("#"))


def _few_unasked(facts: list[tuple[str, Any]], focus: Focus, limit: int) -> list[tuple[str, Any]]:
    """The asked facts (up to `limit`), then others (in their order) up to two facts in all,
    and one new fact at least when the asked ones were all shown before: the values a write
    set are the user's own, told back only as room allows; a field whose label ends in a
    preposition ("added by") only if asked."""
    # at most two "the <field> is" clauses: a third reads as a record read out field by field
    # (the request may be reworded after its reply was, so "asked" is no licence for more)
    asked = [kv for kv in facts if focus.asked(kv[0])][:min(limit, UNASKED)]
    room = max(UNASKED, len(asked)) - len(asked)
    news = [kv for kv in facts if kv not in asked and focus.rank(*kv) < 2]
    if not room and news and all(focus.rank(*kv) == 2 for kv in asked):
        room = 1  # what was asked was shown before: the reply tells something new as well
    others = [kv for kv in facts if kv not in asked and _tellable_unasked(kv[0])][:room]
    return [kv for kv in facts if kv in asked or kv in others]


def _tellable_unasked(key: str) -> bool:
    """A label that does not open with a preposition ("from account ID")."""
    words = w.label(key).removeprefix("my ").split()
    return bool(words) and (words[0] not in _TRAILING or w.relation(key) is not None)


def _grouped(value: dict[str, Any]) -> str:
    """An output whose content is grouped under keys ({"messages": {"USR003": ["Hi"]}}):
    each group by its key and first entries."""
    parts = []
    for group in value.values():
        if not isinstance(group, dict):
            continue
        for key, items in list(group.items())[:3]:
            entries = items if isinstance(items, list) else [items]
            shown = [f'"{i}"' if isinstance(i, str) and " " in i.strip() else describe_item(i)
                     for i in entries[:2] if not isinstance(i, list)]
            if shown:  # a key that is an id is not evidence the verifier reads: only its entries are said
                named = not (any(c.isdigit() for c in str(key)) and any(c.isalpha() for c in str(key)))
                parts.append((f"for {key}: " if named else "") + w.list_words(shown))
    if not parts:
        return ""
    text = "; ".join(parts)
    return "Here's what's there: " + text + ("" if text.endswith((".", "!", "?", '"')) else ".")


def plain_error(message: str, label: str, value: Any) -> str:
    """A tool error told in plain words, without the raw message."""
    text = message.casefold()
    said = natural(value) if value is not None else ""
    if "not found" in text or "no such" in text or "unknown" in text or "does not exist" in text \
            or re.match(r"no \w+ (?:with|in|for|named|matching|called|at)\b", text):
        return f"I couldn't find anything under the {label} {said}".rstrip() + "."
    if "not enough" in text or "insufficient" in text or "exceeds" in text:
        return "there isn't enough available for that."
    if re.search(r"\bbetween\b|\bat (?:most|least)\b|\bmaximum\b|\bminimum\b|overflow|out of range|too (?:high|low|"
                 r"large|small|many|much)", text):
        return f"the {label} {said} isn't within the range it allows".replace("  ", " ") + "."
    if "status" in text or "already" in text or "cannot" in text or "can't" in text or "only" in text:
        return "the system won't allow that in its current state."
    return f"the system didn't accept the {label} {said}".rstrip() + "."


def yours(request: str) -> str:
    """The user's words said back to them: "water my plants" -> "water your plants"."""
    swapped = re.sub(r"\bmy\b", "your", request)
    swapped = re.sub(r"\bme\b", "you", swapped)
    return re.sub(r"\bI\b", "you", swapped)
