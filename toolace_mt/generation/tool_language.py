"""Language derived from the tools' own descriptions, for envs without phrasing hints.

A tool's description says what it does in the imperative ("Close a ticket.", "Get the
login status of the current user."); said by the user, it becomes the request ("close
ticket 12", "check my login status"). Raw tool names are never said: `ticket_login` is
no verb phrase. Parameters are described too ("User name of the user."), which names
the column a value comes from when the parameter's own name does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def described_columns(description: str, columns: Iterable[str]) -> list[str]:
    """Columns a parameter's description names, longest first: "User name of the user."
    names `user_name` (its words in a row); one-word columns are not enough (every
    description says "user" or "the")."""
    words = " ".join(_words(description))
    found = [c for c in columns if "_" in c and f" {' '.join(c.split('_'))} " in f" {words} "]
    return sorted(found, key=lambda c: (-len(c), c))
