"""The user's words said back by the assistant (a refusal, a confirmation): their
"my" is the assistant's "your"."""

from __future__ import annotations

import re


def yours(request: str) -> str:
    """The user's words said back to them: "water my plants" -> "water your plants"."""
    swapped = re.sub(r"\bmy\b", "your", request)
    swapped = re.sub(r"\bme\b", "you", swapped)
    return re.sub(r"\bI\b", "you", swapped)
