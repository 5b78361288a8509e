"""A tool error told to the user in plain words, never the raw message."""

from __future__ import annotations

import re
from typing import Any

from toolace_mt.generation.language.spoken_values import natural


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
