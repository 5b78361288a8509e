"""`consistency`: what the assistant says is backed by what it saw.

- Every date, time, id and number in an assistant text turn appears in an earlier user
  message, tool output or the system prompt (rules: evidence.py).
- An assistant text claiming an action ("I've cancelled ...", "has been booked") needs a
  successful write call since the last user message: one whose tool name contains the
  claimed verb when such a tool exists, otherwise any write.
"""

from __future__ import annotations

import re

from sandbox import Environment
from toolace_mt.record import AssistantMessage, UserMessage
from toolace_mt.verifier.dialogue import Dialogue, Failure
from toolace_mt.verifier.evidence import Evidence, Mentions

# Claimed verb -> the stem a tool name carries for that action.
ACTION_STEMS = {
    "cancelled": "cancel", "canceled": "cancel", "booked": "book", "transferred": "transfer", "sent": "send",
    "updated": "update", "changed": "change", "created": "create", "deleted": "delete", "refunded": "refund",
    "returned": "return", "paid": "pay", "scheduled": "schedul", "rescheduled": "schedul", "moved": "move",
    "added": "add", "removed": "remove", "exchanged": "exchange", "modified": "modify", "placed": "place",
    "submitted": "request", "accepted": "respond", "declined": "respond", "blocked": "block", "frozen": "freeze",
    "froze": "freeze", "unblocked": "block", "registered": "create", "reserved": "book",
}
_VERBS = "|".join(sorted(ACTION_STEMS, key=len, reverse=True))
_CLAIM = re.compile(
    r"\b(?:i(?:'ve| have)?|we(?:'ve| have)?)\s+(?:just\s+|now\s+|successfully\s+|also\s+)*(?P<v1>" + _VERBS + r")\b"
    r"|\b(?:has|have)\s+(?:now\s+|just\s+)?been\s+(?:successfully\s+)?(?P<v2>" + _VERBS + r")\b"
    r"|\bis\s+now\s+(?P<v3>" + _VERBS + r")\b", re.I)


_QUOTED = re.compile(r'"[^"\n]{0,2000}"|“[^”\n]{0,2000}”')


def action_stems(verb: str) -> set[str]:
    """The stems a tool name may carry for a claimed verb: its action ("registered" is a
    create) and the verb itself ("registered" -> register_member)."""
    verb = verb.casefold()
    return {ACTION_STEMS[verb], verb[:-2] if verb.endswith("ed") else verb}


def claimed_actions(text: str, quoted: Evidence | None = None) -> list[str]:
    """Verbs of the actions the text claims; a claim that repeats an earlier tool output
    or user message word for word (with the two words before it) is a quote, not a claim,
    and so is one inside quotation marks (the user's message "I've booked the hall")."""
    verbs = []
    spans = [m.span() for m in _QUOTED.finditer(text)]
    for match in _CLAIM.finditer(text):
        if any(start < match.start() < end for start, end in spans):
            continue
        lead = " ".join(text[: match.start()].split()[-2:])
        if quoted is not None and lead and quoted.has_text(f"{lead} {match.group()}"):
            continue
        verbs.append((match["v1"] or match["v2"] or match["v3"]).casefold())
    return verbs


def check_consistency(dialogue: Dialogue, env: Environment | None,
                      read: dict[str, Mentions] | None = None) -> list[Failure]:
    """`read`: texts already read by another check of this dialogue (see Evidence.read)."""
    failures: list[Failure] = []
    evidence = Evidence(read={} if read is None else read)
    writes = {t.name for t in env.tools if t.writes} if env is not None else set()
    tool_names = [t.name for t in env.tools] if env is not None else [name for name in dialogue.tools if name]
    done_since_user: list[str] = []  # successful write calls since the last user message
    for index, message in enumerate(dialogue.messages):
        evidence.add_message(message)
        if isinstance(message, UserMessage):
            done_since_user = []
        elif isinstance(message, AssistantMessage):
            for site in dialogue.calls_at(index):
                if site.name in writes and site.output_text is not None and not site.failed:
                    done_since_user.append(site.name)
            text = message.content or ""
            if not text.strip():
                continue
            missing = evidence.ungrounded_mentions(text)
            if missing:
                failures.append(Failure("consistency", f"the assistant states {', '.join(missing[:5])}, which no "
                                                       "earlier tool output or user message shows", index))
            for verb in claimed_actions(text, evidence) if env is not None else []:  # no env: writes unknown
                stems = action_stems(verb)
                related = [name for name in tool_names if any(s in name for s in stems) and name in writes]
                backed = [name for name in done_since_user if any(s in name for s in stems)] if related \
                    else done_since_user
                if not backed:
                    need = " or ".join(related) + " call" if related else "call of a write tool"
                    failures.append(Failure("consistency", f"the assistant says something was {verb}, but no "
                                                           f"successful {need} backs it since the user's "
                                                           "last message", index))
                    break
    return failures
