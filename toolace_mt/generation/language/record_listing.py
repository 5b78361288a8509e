"""Lists told by their entries: each entry by name, date or amount (its id beside it),
a list as "I found 3:" and a line per entry, never ids alone or field: value pairs."""

from __future__ import annotations

import random
import re
from typing import Any

from toolace_mt.generation.language import wording as w
from toolace_mt.generation.language.field_clauses import EVENT_FIELD, THRESHOLD_WORDS
from toolace_mt.generation.language.flag_wording import flag_words
from toolace_mt.generation.language.labels import id_key, unit
from toolace_mt.generation.language.record_facts import CONTENT, NAME_FIELDS, facts_of, is_sentence, tellable
from toolace_mt.generation.language.reply_focus import Focus
from toolace_mt.generation.language.spoken_values import ISO_DATE, money_field, natural, whole
from toolace_mt.generation.language.tool_language import is_secret

_DESCRIBE = ("status", "date", "placed_at", "created_at", "departure", "start", "when", "total", "amount", "price",
             "balance", "fare", "origin", "destination", "type", "category", "kind", "due", "sent_at", "from")


def _detail(key: str, value: Any) -> str:
    """A list entry's detail: "pending", "$25.99", "delivered on July 10, 2026", "2 in stock"."""
    event = EVENT_FIELD.fullmatch(key)
    if event and ISO_DATE.fullmatch(str(value)):
        return f"{event['verb']} {natural(value, key)}" if event["verb"] == "due" else \
            f"{event['verb']} on {natural(value, key)}"
    value = whole(value) if not money_field(key) else value
    if isinstance(value, bool):  # an asked yes/no: "available", "not available"
        return flag_words(key, value)
    if key == "stock" and isinstance(value, int) and not isinstance(value, bool):
        return f"{value} in stock"
    if isinstance(value, int | float) and not isinstance(value, bool) and not money_field(key) and unit(key) is None:
        said = w.label(key).removeprefix("my ")  # a bare "4" says nothing: "4 copies available", "rating 4"
        if said.split()[-1] in THRESHOLD_WORDS:
            return f"{said} {value}"
        return f"{value} {said}" if w.plural(said) or w.plural(said.split()[0]) else f"{said} {value}"
    if isinstance(value, str) and _CODE.fullmatch(value.strip()) and not ISO_DATE.fullmatch(value.strip()):
        # a bare "GN-1117" says nothing: "store code GN-1117"
        return f"{w.label(key).removeprefix('my ')} {value.strip()}"
    return natural(value, key)


# Fields that say what kind of thing an entry is, when it has no name.
_KIND_FIELDS = frozenset({"cabin", "cabin_class", "class", "fare_class", "type", "category", "kind", "tier", "level",
                          "plan", "room_type", "seat_class", "grade"})

# A code: letters and digits with no space ("GN-1117", "SKU-72"); said with what it is.
_CODE = re.compile(r"(?=[^ ]*\d)(?=[^ ]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9#._/-]{1,40}")


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
    name = next((str(item[k]) for k in NAME_FIELDS if tellable(k, item.get(k))), None)
    if name is None and tellable("first_name", item.get("first_name")):  # a person: "Jillian Vance"
        name = w.join(str(item["first_name"]), str(item.get("last_name") or ""))
    if name is None:  # a message, a note: its text, quoted
        text = next((str(item[k]).strip() for k in CONTENT if isinstance(item.get(k), str)
                     and 0 < len(item[k].strip()) <= 120), None)
        name = f'"{text}"' if text else None
    if name is None:  # no name field: the first text that names the thing ("atorvastatin 20 mg tablet")
        name = next((str(v) for k, v in item.items() if isinstance(v, str) and tellable(k, v) and " " in v.strip()
                     and not id_key(k) and not ISO_DATE.fullmatch(v) and not is_sentence(v)
                     and k not in CONTENT), None)
    if name is None:  # a kind of thing ("cabin": "business"): "business, 8 seats total, $528.74"
        name = next((natural(v, k) for k, v in item.items() if isinstance(v, str) and tellable(k, v)
                     and w.snake(k) in _KIND_FIELDS and v.strip()), None)
    ident = next((str(v) for k, v in item.items() if id_key(k) and isinstance(v, str | int)
                  and not isinstance(v, bool)), None)
    ranked = sorted(((focus.rank(k, v), min((i for i, d in enumerate(_DESCRIBE) if d in k), default=len(_DESCRIBE)),
                      k, v) for k, v in item.items()
                     if tellable(k, v) and not is_secret(k) and (any(d in k for d in _DESCRIBE) or focus.rank(k, v) < 2)
                     and str(v) not in (name, ident) and not (name and str(v) in name.split())
                     and not id_key(k)),
                    key=lambda t: (not focus.asked(t[2]), t[0], t[1]))  # asked, even if shown before: told
    asked = sum(1 for _, _, k, _ in ranked if focus.asked(k))
    details = [_detail(k, v) for _, _, k, v in ranked][:max(2, min(asked, 3))]  # all asked, up to three
    flags = [flag_words(k, v) for k, v in item.items() if isinstance(v, bool) and focus.asked(k) and not is_secret(k)]
    details = [*flags[:2], *details]  # an asked yes/no ("whether each is available"): "not available"
    options = next((v for v in item.values() if isinstance(v, dict) and v
                    and all(tellable("x", o) for o in v.values())), None)
    if options:  # a variant's options: "white, wired, optical"
        details.insert(0, ", ".join(_detail(k, o) for k, o in list(options.items())[:3]))
    head = name or ident or ""
    if name and ident:
        head = f"{name} ({ident})"
    if not head and not details:
        listed = next((v for v in item.values() if isinstance(v, list) and v
                       and all(isinstance(x, str | int | float) and not isinstance(x, bool) for x in v)), None)
        if listed:  # {"stock_list": ["FLET", "GRAN"]}: its entries, not "an entry"
            # all six, not "and 1 more" (a count no output shows)
            shown = [natural(x) for x in listed[:6 if len(listed) == 6 else 5]]
            return ", ".join(shown) + f" and {len(listed) - 5} more" if len(listed) > 6 else w.list_words(shown)
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


def grouped(value: dict[str, Any]) -> str:
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
