"""Record text made safe to print on a terminal.

Ids, env names, tool names and messages in records are untrusted; printed as they are,
an escape sequence in one of them sets the terminal's title, clears the screen, or (OSC 52)
writes the clipboard, and a bidi override reorders what the reader sees. Such characters
are shown as escapes instead (`\\x1b`, `\\u202e`).
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the bidi embedding/override/isolate characters.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_KEEPING_LINES = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: str, keep_lines: bool = False) -> str:
    """`text` with every control character escaped (line breaks kept if `keep_lines`)."""
    return (_UNSAFE_KEEPING_LINES if keep_lines else _UNSAFE).sub(_escaped, text)
