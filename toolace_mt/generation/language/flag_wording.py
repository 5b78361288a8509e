"""Yes/no fields in words: a state as the state ("it's archived", "you're signed in"),
"has_wifi" as "it has wifi", a noun flag as on or off; never "the open is on"."""

from __future__ import annotations

from typing import Any

from toolace_mt.generation.language import wording as w
from toolace_mt.generation.language.tool_language import is_secret

_OUTCOME_FLAGS = frozenset({"success", "succeeded", "ok", "done", "result", "status", "completed"})


def yes_no(value: dict[str, Any], lead: bool = True) -> str:
    """An output of yes/no fields only ({"login_status": true}): each told as a yes or a no
    under its own words, since a flag is the answer ("Yes: the login status is on."); after
    a write (no `lead`), as what is now so ("You're not logged in.")."""
    flags = [(k, v) for k, v in value.items() if isinstance(v, bool) and w.speakable(k) and not is_secret(k)][:3]
    if not flags:
        return ""
    if len(flags) == 1 and flags[0][0].casefold() in _OUTCOME_FLAGS:  # {"success": true} tells only that it worked
        return "That went through." if flags[0][1] else "That didn't go through."
    parts = [flag_state(k, v) for k, v in flags]
    if not lead:
        said = w.list_words(parts)
        return said[0].upper() + said[1:] + "."
    return f"{'Yes' if flags[0][1] else 'No'}: {w.list_words(parts)}."

# The last word of a yes/no field's name that makes it a state, not a noun ("is_open",
# "open_now", "available"): said as "it's open", never "the open is on".
_STATE_END = frozenset({"in", "out", "up", "on", "off", "open", "closed", "only", "available", "active", "now",
                        "enabled", "disabled", "visible", "required", "allowed", "pressed", "engaged", "locked",
                        "unlocked", "paid", "read", "done", "free", "valid", "public", "private", "empty", "full",
                        "online", "offline", "live", "ready", "due", "overdue", "current", "default", "primary"})

_MODALS = {"can": "can't", "should": "shouldn't", "will": "won't", "could": "couldn't"}


def _flag_words(key: str) -> list[str]:
    return w.label(key).removeprefix("my ").split()


def _is_state(words: list[str]) -> bool:
    """A flag's words that name a state: a participle ("archived"), an adjective ("open",
    "refundable"), or "is ..."."""
    return bool(words) and (words[-1] in _STATE_END or words[-1].endswith("able")
                            or (words[-1].endswith("ed") and len(words[-1]) > 4))


def flag_state(key: str, value: bool) -> str:
    """A yes/no field in words: a state named by a participle ("signed_in", "archived") as
    the state ("you're signed in", "it's not archived"), "is_open" as "it's open", "has_wifi"
    as "it has wifi", "can_cancel" as "it can't cancel"; a noun ("login_status") as on or off."""
    words = _flag_words(key)
    if words and words[0] in ("is", "was", "are") and len(words) > 1:
        words = words[1:]
        if not _is_state(words):  # "is_member": it's a member
            return f"it's {'' if value else 'not '}{'an' if words[0][:1] in 'aeiou' else 'a'} {' '.join(words)}"
    if not words:
        return "yes" if value else "no"
    if words[0].endswith("ed") and len(words) <= 2 and (len(words) == 1 or words[1] in w.PARTICLES):
        who = "you're" if len(words) == 2 else "it's"  # signed in, logged in: the user; archived: the thing
        return f"{who} {'' if value else 'not '}{' '.join(words)}"
    rest = " ".join(words[1:])
    if words[0] in ("has", "have") and rest:
        return f"it has {rest}" if value else f"it doesn't have {rest}"
    if words[0] in _MODALS and rest:
        return f"it {words[0] if value else _MODALS[words[0]]} {rest}"
    if words[0] in ("allow", "allows") and rest:
        return f"it allows {rest}" if value else f"it doesn't allow {rest}"
    if _is_state(words):
        return f"it's {'' if value else 'not '}{' '.join(words)}"
    return f"the {' '.join(words)} is {'on' if value else 'off'}"


def flag_words(key: str, value: bool) -> str:
    """A yes/no field as a list entry's detail: "available", "not available", "has wifi",
    "no wifi"; a noun flag as "login status: yes"."""
    words = _flag_words(key)
    if words and words[0] in ("is", "was", "are") and len(words) > 1:
        words = words[1:]
    rest = " ".join(words[1:])
    if words and words[0] in ("has", "have") and rest:
        return f"has {rest}" if value else f"no {rest}"
    if words and words[0] in _MODALS and rest:
        return f"{words[0] if value else _MODALS[words[0]]} {rest}"
    if _is_state(words) or (words and words[0].endswith("ed")):
        return f"{'' if value else 'not '}{' '.join(words)}"
    return f"{' '.join(words)}: {'yes' if value else 'no'}"
