"""A search's words: for a search tool's `query` (`searchTerm`, `q`, `keyword`), a word
from the records the search is about, so that it finds something (a contact's name, a
word of a message), never a random word."""

from __future__ import annotations

import random
import re
from typing import Any

from sandbox import ToolSpec
from toolace_mt.generation.plan.id_names import name_words, singular
from toolace_mt.generation.plan.state_rows import StateRows
from toolace_mt.generation.plan.value_keys import is_id

# A search's words (`query`, `searchTerm`, `q`): a word from the records the search is about.
SEARCH_PARAMS = frozenset({"query", "q", "keyword", "keywords", "search", "search_term", "search_terms",
                           "search_query", "search_text", "term", "terms", "words", "search_words"})
# "A few words about the problem, like "vpn" or "outlook mailbox"": the examples a description gives.
_EXAMPLES = re.compile(r"\b(?:like|e\.g\.|for example|such as|for instance)\b(?P<rest>.*)", re.I)
_QUOTED = re.compile(r"[\"“'‘`](?P<words>[A-Za-z][A-Za-z \-]{1,38}[A-Za-z])[\"”'’`]")
_PARENTHESES = re.compile(r"\([^)]*\)")  # "Baseball Cap (Blue)": a cap is searched for, not "blue"
# Column name words whose values are what people search by (a name, a title), not codes or prose.
NAMING_WORDS = frozenset({"name", "title", "subject", "company", "label", "brand", "author", "artist", "city",
                          "headline", "topic"})


def query_word(source: StateRows, tool: ToolSpec, rng: random.Random, context: dict[str, Any] | None = None) -> str:
    """A word from the names in the table the search tool is about (search_products and
    searchProducts -> products), from a naming column its description mentions when one
    does ("by name or company"); with a context, from the rows related to it only (or none)."""
    if source.catalog is None:
        return ""
    nouns = {singular(w) for w in name_words(tool.name)}
    described = set(name_words(tool.description or ""))
    for table in source.catalog.table_columns:
        if not {singular(w) for w in name_words(table)} <= nouns:
            continue
        key = source.catalog.primary_keys.get(table, ())
        texts = [c for c in source.catalog.table_columns[table] if not is_id(c) and c not in key]
        naming = [c for c in texts if set(name_words(c)) & NAMING_WORDS]
        if not naming:  # no name or title: a text column the description mentions ("... in messages")
            naming = [c for c in texts if {singular(w) for w in name_words(c)} & {singular(w) for w in described}]
        mentioned = [c for c in naming if set(name_words(c)) & described]
        rows = source.rows(table, context or {}, rng, related_only=context is not None)
        for column in rng.sample(mentioned or naming, len(mentioned or naming)):
            texts = [_PARENTHESES.sub("", str(r.get(column) or "")) for r in rows[:50]]
            words = [w for text in texts for w in re.findall(r"[A-Za-z]{4,}", text)]
            if words:
                return rng.choice(words).lower()
    return ""


def described_words(description: str) -> list[str]:
    """The search words a parameter's description gives as examples ("like "vpn" or
    "outlook mailbox"" -> ["vpn", "outlook mailbox"]): words that find something, when no
    table holds what the search looks through (a tool's own list of articles)."""
    found = _EXAMPLES.search(description or "")
    return [m.group("words") for m in _QUOTED.finditer(found.group("rest"))] if found else []
