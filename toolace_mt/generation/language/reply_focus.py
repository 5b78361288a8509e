"""What a reply tells first: the fields the user's words (or the tool's name) ask about,
then what the dialogue has not shown yet."""

from __future__ import annotations

from typing import Any

from toolace_mt.generation.language import wording as w
from toolace_mt.generation.language.labels import id_key
from toolace_mt.verifier.id_fields import key_stem


def stems(name: str) -> set[str]:
    parts = {part[:-1] if part.endswith("s") else part for part in w.snake(name).split("_")}
    return parts - {"id", "get", "list", "find", "search", "by", "show", "all"}

# What a question's word asks about under another name: "what does it cost?" asks the price.
_ASKED_AS = {"cost": ("price", "amount", "total", "fee", "fare", "charge"), "charge": ("price", "amount", "fee"),
             "owe": ("balance", "amount", "due"), "spend": ("amount", "total"), "spent": ("amount", "total"),
             "worth": ("value", "price"), "left": ("remaining", "available", "balance"),
             "remaining": ("left", "available", "balance"), "pay": ("amount", "total", "price")}


def with_aliases(words: set[str]) -> set[str]:
    return words | {alias for word in words for alias in _ASKED_AS.get(word, ())}


def asked_first(facts: list[tuple[str, Any]], tool: str) -> list[tuple[str, Any]]:
    """The facts the tool's name asks about (`get_order_status` -> status, `get_cost` ->
    price) first; for a name that only names the record (`get_account`), its headline
    (balance, status, total)."""
    named = stems(tool)
    if len(named) <= 1:  # "get_account" names the record, no field of it: its headline first
        return sorted(facts, key=lambda kv: not (stems(kv[0]) & HEADLINE))
    wanted = with_aliases(named)
    return sorted(facts, key=lambda kv: (not (stems(kv[0]) & wanted), not (stems(kv[0]) & HEADLINE)))


# What a record is mostly about when nothing in particular is asked: an account's balance,
# an order's status and total (never "the account type is checking" before the balance).
HEADLINE = frozenset(word.removesuffix("s") for word in ("balance", "status", "total", "amount", "price", "due"))
# (as `stems` says them: "status" -> "statu")


class Focus:
    """What a reply should tell first: the fields the user's words name (or the tool's name
    asks about), then values the dialogue has not shown yet; already-shown values last."""

    def __init__(self, words: set[str] | None = None, shown: set[str] | None = None) -> None:
        self.words = with_aliases({x.rstrip("s") for x in (words or set()) if len(x) >= 4})
        self.shown = shown or set()

    def asked(self, key: str) -> bool:
        """Whether the user's words name the field. An id is never asked by its thing's
        noun: "see my flight" asks about the flight, not its `flight_id`."""
        folded = w.snake(key)
        if id_key(key) or folded.endswith("_ids"):
            return False
        parts = folded.split("_")
        if key_stem(key) is not None:  # "the claim number is CLM-7056" asks no policy_number: by its thing only
            parts = parts[:-1]
        return bool({p.rstrip("s") for p in parts if len(p) >= 4 and p not in w.RELATION_WORDS} & self.words)

    def rank(self, key: str, value: Any) -> int:
        new = str(value) not in self.shown
        return 0 if new and self.asked(key) else 1 if new else 2
