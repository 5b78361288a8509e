"""Templates the offline backend words turns with. Values are always inserted verbatim
(ids, amounts, dates exactly as the tools use them), so the verifier can ground them."""

from __future__ import annotations

import random
import re
from typing import Any

OPENERS = ["", "", "Hi!", "Hello.", "Hey there,", "Good morning.", "Hi, quick question.", "Hello, I need some help.",
           "Hi there!", "Hey,", "Good afternoon!", "Hello again.", "Hi, hope you can help.", "Excuse me,"]
FOLLOW_UPS = ["", "Also,", "Next,", "One more thing:", "Another thing:", "While you're at it,", "And",
              "After that,", "Oh, and", "Then", "Separately,", "I also need something else:"]
CLOSERS = ["", "", "", "Thanks!", "Thank you.", "Appreciate it.", "Thanks a lot.", "Cheers.",
           "Thanks in advance.", "That would be great."]
VALUE_CLAUSES = ["The {label} is {value}.", "Use {value} as the {label}.", "{Label}: {value}.",
                 "For the {label}, it's {value}.", "It should be {value} for the {label}.",
                 "The {label} I have in mind is {value}.", "Set the {label} to {value}."]
ASK_TEMPLATES = ["Sure, I can help with that. Could you tell me the {label}?",
                 "Happy to help. What is the {label}?", "Before I go ahead, I need the {label}. What is it?",
                 "I can do that. Which {label} should I use?", "Could you give me the {label} first?"]
ANSWER_TEMPLATES = ["It's {value}.", "Sure, {value}.", "The {label} is {value}.", "Oh right, {value}.",
                    "{value}, thanks.", "Sorry, it's {value}."]
REFUSALS = ["I'm sorry, but none of the tools I have can {request}, so I can't help with that.",
            "Unfortunately that is outside what my tools support: I have no way to {request}.",
            "I'm afraid I can't do that here: I have no tool to {request}. Is there anything else I can do?",
            "Sorry, I'm not able to {request} with the tools available to me."]
ASK_UNSUPPORTED = ["Can you {request} for me?", "Could you also {request}?", "Would you {request}, please?",
                   "One more: can you {request}?"]
UNSUPPORTED = ["get a taxi to the airport", "translate an email into French", "order a pizza",
               "look up the weather forecast", "reset a social media password", "phone my manager",
               "print a paper copy", "set an alarm on my phone", "recommend a restaurant nearby",
               "convert a file to PDF", "check a credit score", "play some music"]
CHAT_USER = ["Thanks, that's really helpful!", "Great, you've been very quick today.", "By the way, how are you?",
             "Nice, that was easy.", "Appreciate your patience with all this.", "Perfect, thanks for explaining."]
CHAT_REPLY = ["You're welcome! Let me know if there's anything else.", "Glad to help! What else can I do for you?",
              "I'm doing well, thanks for asking! Anything else you need?",
              "Happy to help. Is there anything else on your list?", "No problem at all. What's next?"]
ERROR_REPLIES = ["That didn't work: {error} Could you double-check the {label}?",
                 "I tried, but got an error: {error} Can you confirm the {label}?",
                 "Sorry, the request failed: {error} Could you check the {label} again?"]
REPLY_OPENERS = ["Done!", "All set.", "Here you go.", "Okay.", "Alright.", "Sure thing.", "Got it.", "Great news.",
                 "Here's what I found.", "Thanks for waiting."]
CLAIMS = {"cancel": "cancelled", "book": "booked", "place": "placed", "update": "updated", "create": "created",
          "add": "added", "transfer": "transferred", "pay": "paid", "freeze": "frozen", "send": "sent",
          "reschedule": "rescheduled", "change": "changed", "invite": "invited", "request": "requested",
          "respond": "recorded your response to", "report": "reported", "unfreeze": "unfrozen"}


_ORDINALS = ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]


def label(param: str) -> str:
    """`customer_id` -> "customer ID"; a trailing digit becomes an ordinal (`address1` ->
    "first address"), so a parameter's name is never read as an id or a count."""
    words = " ".join(param.replace("_ids", " IDs").replace("_id", " ID").replace("_", " ").split())
    match = re.fullmatch(r"(.*?)\s*(\d)", words)
    if match and match.group(1):
        words = f"{_ORDINALS[int(match.group(2))]} {match.group(1)}"
    return words


def speakable(key: str) -> bool:
    """A field name that can be said without looking like a value (not `last4`)."""
    return not any(ch.isdigit() for ch in key)


def show(value: Any) -> str:
    """A value as the user would type it (lists joined, enums with spaces)."""
    if isinstance(value, list):
        return " and ".join(show(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{label(k)} {show(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def fill_phrasing(template: str, values: dict[str, Any]) -> tuple[str, set[str]] | None:
    """A phrasing hint with its placeholders filled; None if one has no value."""
    names = re.findall(r"\{(\w+)\}", template)
    if any(n not in values for n in names):
        return None
    text = re.sub(r"\{(\w+)\}", lambda m: show(values[m.group(1)]), template)
    return text, set(names)


def value_clause(rng: random.Random, param: str, value: Any) -> str:
    template = rng.choice(VALUE_CLAUSES)
    return template.format(label=label(param), Label=label(param).capitalize(), value=show(value))


def join(*parts: str) -> str:
    return " ".join(p for p in parts if p).strip()


def past_tense(tool: str) -> str | None:
    verb = tool.split("_")[0]
    return CLAIMS.get(verb)


def summarise(value: Any, rng: random.Random, limit: int = 4) -> str:
    """A few facts from an output, stated with the output's own values."""
    if isinstance(value, list):
        if not value:
            return "There are no matching results."
        ids = [_first_id(v) for v in value[:3]]
        listed = ", ".join(i for i in ids if i)
        return f"I found {len(value)} result{'s' if len(value) != 1 else ''}" + (f", including {listed}." if listed
                                                                                 else ".")
    if isinstance(value, dict):
        scalars = [(k, v) for k, v in value.items() if isinstance(v, str | int | float) and not isinstance(v, bool)
                   and v != "" and len(str(v)) < 60 and speakable(k)]
        if not scalars:
            return "The details are above."
        head = scalars[:1]
        rest = scalars[1:]
        rng.shuffle(rest)
        picked = head + rest[: limit - 1]
        return "; ".join(f"{label(k)}: {v}" for k, v in picked) + "."
    return f"The result is {value}."


def _first_id(value: Any) -> str | None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("_id") and isinstance(item, str):
                return item
        return None
    return str(value) if isinstance(value, str) else None
