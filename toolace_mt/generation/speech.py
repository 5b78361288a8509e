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

from toolace_mt.generation import wording as w
from toolace_mt.generation.tool_language import is_secret

_SNAKE = re.compile(r"[a-z]+(?:_[a-z]+)+")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2})?)?")
_MONEY = ("total", "amount", "price", "balance", "cost", "fare", "refund", "fee", "limit", "payment")
_NAMES = ("name", "title", "product_name", "subject", "full_name", "description", "summary")
_DESCRIBE = ("status", "date", "placed_at", "created_at", "departure", "start", "when", "total", "amount", "price",
             "balance", "fare", "origin", "destination", "type", "category", "kind", "due", "sent_at", "from")
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def natural(value: Any, field: str = "") -> str:
    """A value as a person says it: `no_longer_needed` -> "no longer needed", an amount
    field 1108.9 -> "$1,108.90", 2026-07-16T22:00:00 -> "July 16, 2026 at 22:00"."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and any(part in field for part in _MONEY) and "count" not in field:
        return f"${value:,.2f}"
    text = str(value)
    if _SNAKE.fullmatch(text):
        return text.replace("_", " ")
    match = _ISO.fullmatch(text)
    if match:
        year, month, day, hour, minute = match.groups()
        try:
            dt.date(int(year), int(month), int(day))
        except ValueError:
            return text
        said = f"{MONTHS[int(month) - 1]} {int(day)}, {year}"
        if hour is not None and (hour, minute) != ("00", "00"):
            said += f" at {hour}:{minute}"
        return said
    return text


def _good(key: str, item: Any) -> bool:
    return (isinstance(item, str | int | float) and not isinstance(item, bool) and str(item).strip() != ""
            and len(str(item)) < 60 and w.speakable(key))


def _stems(name: str) -> set[str]:
    return {part[:-1] if part.endswith("s") else part for part in name.split("_")} - {"id", "get", "list", "find",
                                                                                      "search", "by", "show", "all"}


def asked_first(facts: list[tuple[str, Any]], tool: str) -> list[tuple[str, Any]]:
    """The facts the tool's name asks about (`get_order_status` -> status) first."""
    wanted = _stems(tool)
    return sorted(facts, key=lambda kv: not (_stems(kv[0]) & wanted))


def facts_of(value: dict[str, Any]) -> list[tuple[str, Any]]:
    """Speakable scalar fields, then those one level down under their own names."""
    top = [(k, v) for k, v in value.items() if _good(k, v) and not is_secret(k)]
    names = {k for k, _ in top}
    nested = [(k, v) for sub in value.values() if isinstance(sub, dict) for k, v in sub.items()
              if _good(k, v) and k not in names and not is_secret(k)]
    seen: set[str] = set()
    return [(k, v) for k, v in top + nested if not (k in seen or seen.add(k))]


def clause(key: str, value: Any) -> str:
    said = w.label(key).removeprefix("my ")
    return f"the {said} is {natural(value, key)}"


def _sentence(value: Any) -> bool:
    """A value that is itself a sentence ("User Kiara logged in successfully."): said as it is."""
    return isinstance(value, str) and len(value.split()) >= 3 and value[:1].isupper()


def prose(facts: list[tuple[str, Any]], rng: random.Random) -> str:
    """Facts as one or two sentences: "The status is pending, the total is $1,108.90 and ..."."""
    said = [str(v) if str(v).endswith((".", "!", "?")) else f"{v}." for _, v in facts if _sentence(v)]
    facts = [(k, v) for k, v in facts if not _sentence(v)]
    if not facts:
        return " ".join(said)
    parts = [clause(k, v) for k, v in facts]
    if len(parts) == 1:
        body = parts[0]
    else:
        body = ", ".join(parts[:-1]) + " and " + parts[-1]
    lead = rng.choice(["", "", "", "As for the details, ", "In short, ", "According to the record, ",
                       "On file, ", "It shows that "])
    sentence = lead + body
    sentence = sentence[0].upper() + sentence[1:] + ("" if sentence.endswith((".", "!", "?")) else ".")
    return " ".join([*said, sentence])


def describe_item(item: Any) -> str:
    """One list entry by name, date or amount (its id kept beside it when it has one)."""
    if not isinstance(item, dict):
        return natural(item)
    name = next((str(item[k]) for k in _NAMES if _good(k, item.get(k))), None)
    ident = next((str(v) for k, v in item.items() if k.endswith("_id") and isinstance(v, str | int)
                  and not isinstance(v, bool)), None)
    ranked = sorted(((min(i for i, d in enumerate(_DESCRIBE) if d in k), k, v) for k, v in item.items()
                     if _good(k, v) and any(d in k for d in _DESCRIBE) and str(v) not in (name, ident)),
                    key=lambda t: t[0])
    details = [natural(v, k) for _, k, v in ranked][:2]
    head = name or ident or ""
    if name and ident:
        head = f"{name} ({ident})"
    if not head and not details:
        facts = facts_of(item)[:2]
        return ", ".join(f"{w.label(k).removeprefix('my ')} {natural(v, k)}" for k, v in facts) or "an entry"
    return head + (", " + ", ".join(details) if details else "") if head else ", ".join(details)


def listing(items: list[Any], tool: str, rng: random.Random, limit: int = 4) -> str:
    """A list told by its entries: "I found 3: Smart Watch (P2005), $199.00, ...; ..."."""
    if not items:
        return rng.choice(w.NO_RESULTS)
    described = [describe_item(item) for item in items[:limit]]
    more = len(items) - len(described)
    count = len(items)
    head = rng.choice([f"I found {count}", f"There {'is' if count == 1 else 'are'} {count}",
                       f"{count} came up", f"I see {count}"])
    if count == 1:
        return f"{head}: {described[0]}."
    tail = "\n(and a few more)" if more > 1 else ("\n(and one more)" if more == 1 else "")
    return f"{head}:\n" + "\n".join(f"- {d}" for d in described) + tail  # a list, not field: value pairs


def summary(value: Any, tool: str, rng: random.Random, limit: int = 4,
            arguments: dict[str, Any] | None = None, known: set[str] | None = None) -> str:
    """What an output tells, in prose: the asked facts first; for a write (`arguments`),
    the values it set first; values the user `known`s already are not told back."""
    if w.empty(value):
        return ""
    if isinstance(value, list):
        return listing(value, tool, rng)
    if isinstance(value, dict):
        lists = [(k, v) for k, v in value.items() if isinstance(v, list) and v and (_stems(k) & _stems(tool))
                 and not arguments]
        facts = [(k, v) for k, v in facts_of(value) if str(v) not in (known or set())]
        if arguments:  # a value the write set that the output does not show is told too
            shown = {str(v) for _, v in facts} | (known or set())
            facts += [(k, v) for k, v in arguments.items() if _good(k, v) and str(v) not in shown]
        facts = sorted(asked_first(facts, tool), key=lambda kv: kv[0].endswith("_id") and not (
            _stems(kv[0]) & _stems(tool)))
        if arguments:
            set_values = {str(v) for v in arguments.values()}
            facts = sorted(facts, key=lambda kv: str(kv[1]) not in set_values)
        said = prose(facts[:limit], rng)
        if lists:  # the list the tool is about (an order's items, a flight's seats)
            key, items = lists[0]
            named = ", ".join(describe_item(i) for i in items[:4]) + (" and others" if len(items) > 4 else "")
            said = w.join(f"The {w.label(key).removeprefix('my ')}: {named}.", prose(facts[:2], rng))
        if not said:
            said = _grouped(value)
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


def _grouped(value: dict[str, Any]) -> str:
    """An output whose content is grouped under keys ({"messages": {"USR003": ["Hi"]}}):
    each group by its key and first entries."""
    parts = []
    for group in value.values():
        if not isinstance(group, dict):
            continue
        for key, items in list(group.items())[:3]:
            entries = items if isinstance(items, list) else [items]
            shown = [describe_item(i) for i in entries[:2] if not isinstance(i, list)]
            if shown:  # a key that is an id is not evidence the verifier reads: only its entries are said
                named = not (any(c.isdigit() for c in str(key)) and any(c.isalpha() for c in str(key)))
                parts.append((f"for {key}: " if named else "") + "; ".join(shown))
    if not parts:
        return ""
    text = ", and ".join(parts)
    return text[0].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def plain_error(message: str, label: str, value: Any) -> str:
    """A tool error told in plain words, without the raw message."""
    text = message.casefold()
    said = natural(value) if value is not None else ""
    if "not found" in text or "no such" in text or "unknown" in text or "does not exist" in text:
        return f"I couldn't find anything under the {label} {said}".rstrip() + "."
    if "not enough" in text or "insufficient" in text or "exceeds" in text:
        return "there isn't enough available for that."
    if "status" in text or "already" in text or "cannot" in text or "can't" in text or "only" in text:
        return "the system won't allow that in its current state."
    return f"the system didn't accept the {label} {said}".rstrip() + "."


def yours(request: str) -> str:
    """The user's words said back to them: "water my plants" -> "water your plants"."""
    swapped = re.sub(r"\bmy\b", "your", request)
    swapped = re.sub(r"\bme\b", "you", swapped)
    return re.sub(r"\bI\b", "you", swapped)
