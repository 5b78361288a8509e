"""Which fields of a record can be told: short scalar values under speakable names; a
value that is itself a sentence is said as it is, and a name or a text field is no fact
to read out as "the <field> is"."""

from __future__ import annotations

import re
from typing import Any

from toolace_mt.generation.language import wording as w
from toolace_mt.generation.language.record_parts import is_part
from toolace_mt.generation.language.tool_language import is_secret

NAME_FIELDS = ("name", "title", "product_name", "subject", "full_name", "description", "summary")

# A field that is the text of a message or a record: quoted, whatever its length.
CONTENT = ("body", "content", "text", "message", "description", "snippet", "note", "notes", "summary", "memo",
           "reason", "comment", "comments")


def tellable(key: str, item: Any) -> bool:
    return (isinstance(item, str | int | float) and not isinstance(item, bool) and str(item).strip() != ""
            and len(str(item)) < 60 and (w.speakable(key) or is_part(key)))  # `address1` joins its address


def facts_of(value: dict[str, Any]) -> list[tuple[str, Any]]:
    """Speakable scalar fields, then those one level down under their own names."""
    top = [(k, v) for k, v in value.items() if tellable(k, v) and not is_secret(k)]
    names = {k for k, _ in top}
    nested = [(k, v) for sub in value.values() if isinstance(sub, dict) for k, v in sub.items()
              if tellable(k, v) and k not in names and not is_secret(k)]
    seen: set[str] = set()
    return [(k, v) for k, v in top + nested if not (k in seen or seen.add(k))]


def is_sentence(value: Any) -> bool:
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
