"""Names from specs made into safe Python identifiers and English words.

Spec names are hostile: they may be keywords, start with "_" (RestrictedPython refuses
those), contain punctuation, or collide with each other.
"""

from __future__ import annotations

import keyword
import re

# Names an env module cannot use or that would shadow what the module needs.
RESERVED = frozenset({
    "db", "fake", "rng", "tool", "Db", "Fake", "ToolError", "Literal", "Any", "TypedDict", "json",
    "datetime", "re", "seed", "TABLES", "USER_TABLE", "self", "cls", "print", "id", "type", "list",
    "dict", "str", "int", "float", "bool", "len", "range", "min", "max", "sum", "set", "filter",
    "map", "format", "open", "eval", "exec", "compile", "getattr", "setattr", "vars", "globals",
    "locals", "input", "object", "iter", "next", "hash", "sorted", "round", "abs", "all", "any",
    "zip", "tuple", "None", "True", "False", "printed",
    # the rendered module's own helpers and constants (render.HELPERS, render.render): a tool of
    # that name would replace one, and the seed or every tool using it would call the tool
    "distinct", "decoded", "matches_type", "current_user", "START_LOGGED_IN", "FINAL_STATUSES",
})

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
MAX_NAME = 60


def words(name: str) -> list[str]:
    """`getUserID`, `get-user_id`, `MA(5)` -> lowercase words."""
    spaced = _CAMEL.sub(" ", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def snake(name: str) -> str:
    return "_".join(words(name))


def identifier(name: str, fallback: str = "value") -> str:
    """A safe identifier: snake-ish, no leading "_" or digit, not a keyword or reserved name."""
    text = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_")
    text = re.sub(r"_+", "_", text)[:MAX_NAME].strip("_")
    if not text:
        text = fallback
    if text[0].isdigit():
        text = f"{fallback}_{text}"
    if keyword.iskeyword(text) or keyword.issoftkeyword(text) or text in RESERVED:
        text = f"{text}_value"
    return text


SQL_RESERVED = frozenset({
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "both", "case", "cast", "check", "collate",
    "column", "constraint", "create", "current_date", "current_time", "current_timestamp", "current_user",
    "default", "desc", "describe", "do", "else", "end", "except", "false", "fetch", "for", "foreign", "from",
    "grant", "group", "having", "in", "intersect", "into", "is", "join", "lambda", "lateral", "leading", "limit",
    "localtime", "localtimestamp", "not", "null", "offset", "on", "only", "or", "order", "pivot", "placing",
    "primary", "qualify", "references", "returning", "select", "show", "some", "summarize", "symmetric", "table",
    "then", "to", "trailing", "true", "union", "unique", "unpivot", "user", "using", "variadic", "when", "where",
    "window", "with", "key", "value", "values", "session_user", "by", "at", "time", "date", "timestamp",
})


def column(name: str) -> str:
    """A SQL/Python-safe column name in snake case (`MA(5)` -> `ma_5`), never an SQL keyword."""
    name = identifier(snake(name) or "field", "field")
    return f"{name}_value" if name in SQL_RESERVED else name


def is_safe(name: str) -> bool:
    return identifier(name) == name


def unique(name: str, taken: set[str]) -> str:
    """`name`, or `name_2`, `name_3`... so it does not collide with `taken` (then added)."""
    candidate, n = name, 2
    while candidate in taken:
        candidate = f"{name}_{n}"
        n += 1
    taken.add(candidate)
    return candidate


_IRREGULAR = {"person": "people", "child": "children", "status": "statuses", "data": "data", "info": "info",
              "news": "news", "series": "series", "settings": "settings"}


def plural(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def singular(word: str) -> str:
    for one, many in _IRREGULAR.items():
        if word == many:
            return one
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def human(name: str) -> str:
    """`receiver_id` -> `receiver id`, `fanSpeed` -> `fan speed`.

    Only ASCII letters and digits come out, never the name itself: the words go into
    messages, docstrings and f-strings of the rendered module, and a name made only of
    quotes and full-width letters (which Python reads as ASCII names) would be code there.
    """
    return " ".join(words(name)) or "value"
