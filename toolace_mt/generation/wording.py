"""Templates the offline backend words turns with. Values are always inserted verbatim
(ids, amounts, dates exactly as the tools use them), so the verifier can ground them."""

from __future__ import annotations

import random
import re
from typing import Any

OPENERS = ["", "", "Hi!", "Hello.", "Hey there,", "Good morning.", "Hi, quick question.", "Hello, I need some help.",
           "Hi there!", "Hey,", "Good afternoon!", "Hello again.", "Hi, hope you can help.", "Excuse me,"]
FOLLOW_UPS = ["", "", "Also,", "Next,", "One more thing:", "Another thing:", "And", "After that,", "Oh, and",
              "Then", "Separately,", "Now", "Plus,", "Next up:", "Also"]
CLOSERS = ["", "", "", "", "", "Thanks!", "Thank you.", "Appreciate it.", "Thanks a lot.", "Cheers.",
           "Thanks in advance.", "That would be great.", "Much appreciated.", "Thanks so much.", "Ta.",
           "Many thanks.", "Best, {name}.", "Cheers, {name}."]
VALUE_CLAUSES = ["The {label} is {value}.", "{Label}: {value}.", "It's {value} for the {label}.",
                 "Use {value} for the {label}.", "{Label} {value}.", "The {label} should be {value}.",
                 "{Label} would be {value}.", "{Label} is {value}.", "Go with {value} as the {label}.",
                 "{value} is the {label}.", "Here's the {label}: {value}.", "Set the {label} to {value}.",
                 "It's {label} {value}.", "That's {label} {value}.", "{Label}, {value}.", "My {label}: {value}."]
# Values a sub-task's lookup calls need (not the target's own): said as "how to find me".
LOOKUP_FRAMES = ["You can look me up with {values}.", "To find my account: {values}.",
                 "In case you need to find me first, {values}.", "My details are {values}.",
                 "It's under {values}.", "For reference, {values}.", "If it helps to find it, {values}.",
                 "You should have me on file with {values}.", "Identify me by {values}.",
                 "The record is under {values}."]
# A sentence of the user's situation: short, so that Faker's names, cities and companies
# (not the frame) make most of its words.
CONTEXT_FRAMES = ["My {relation} {name} asked me to.", "It's for {name}.", "{name} from work sent me.",
                  "I'm in {city} this week.", "Before {day}, ideally.", "It's for {name}'s {occasion}.",
                  "Helping my {relation} {name} here.", "I promised {name}.", "We leave for {city} on {day}.",
                  "{name} reminded me.", "Writing from {city}.", "My {relation} {name} is waiting on it.",
                  "Quick one, I'm at {company}.", "I work at {company}, so it's hectic.",
                  "{name} at {company} needs it.", "On behalf of {name}.", "Back in {city} on {day}.",
                  "{name} says hi.", "For {name} and me.", "{name} is covering for me at {company}."]
RELATIONS = ["partner", "cousin", "neighbour", "friend", "colleague", "roommate", "boss", "flatmate",
             "teammate", "manager", "classmate", "landlord", "assistant", "business partner", "old friend"]
OCCASIONS = ["birthday", "wedding", "graduation", "anniversary", "move", "trip", "party", "housewarming"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "the weekend", "the end of the month",
        "next week", "tomorrow evening"]
# "get_order" -> "look up my order": verbs a user says for a tool name's first word.
TASK_VERBS = {"get": ["look up", "check", "pull up", "see"], "find": ["find", "locate", "look up"],
              "list": ["see", "go over", "list"], "search": ["search for", "look for", "browse"],
              "update": ["update", "change", "fix"], "cancel": ["cancel", "call off"],
              "show": ["see", "check"], "view": ["see", "view"], "check": ["check", "verify"]}
ASK_FRAMES = ["Can you help me {task}?", "I'd like to {task}.", "Please {task}.", "I need to {task}.",
              "Could you {task} for me?", "I want to {task}.", "Would you be able to {task}?",
              "I was hoping you could {task}.", "Is it possible to {task}?", "Can we {task}?",
              "I'm looking to {task}.", "Help me {task}, please.", "I have to {task} today.",
              "Any chance you could {task}?", "Would you mind helping me {task}?"]
ASK_TEMPLATES = ["Sure, I can help with that. Could you tell me the {label}?",
                 "Happy to help. What is the {label}?", "Before I go ahead, I need the {label}. What is it?",
                 "I can do that. Which {label} should I use?", "Could you give me the {label} first?"]
ANSWER_TEMPLATES = ["It's {value}.", "Sure, {value}.", "The {label} is {value}.", "Oh right, {value}.",
                    "{value}, thanks.", "Sorry, it's {value}.", "Of course: {value}.", "Ah, it's {value}.",
                    "Yes, the {label} is {value}.", "Let me check... it's {value}.", "That would be {value}.",
                    "My bad, I forgot: {value}.", "Here it is: {value}.", "It should be {value}.",
                    "Good point, use {value}.", "I have it here, {value}."]
REFUSALS = ["I'm sorry, but none of the tools I have can {request}, so I can't help with that.",
            "Unfortunately that is outside what my tools support: I have no way to {request}.",
            "I'm afraid I can't do that here: I have no tool to {request}. Is there anything else I can do?",
            "Sorry, I'm not able to {request} with the tools available to me."]
ASK_UNSUPPORTED = ["Can you {request} for me?", "Could you also {request}?", "Would you {request}, please?",
                   "One more: can you {request}?"]
UNSUPPORTED = ["get a taxi to the airport", "translate an email into French", "order a pizza",
               "look up the weather forecast", "reset a social media password", "phone my manager",
               "print a paper copy", "set an alarm on my phone", "recommend a restaurant nearby",
               "convert a file to PDF", "check a credit score", "play some music", "book a haircut",
               "walk me through my tax return", "find a plumber for tomorrow", "renew my passport",
               "track a parcel from another shop", "compare mortgage rates", "order flowers for my mom",
               "fix my laptop's wifi", "write a cover letter", "call my insurance company",
               "schedule a car service", "check the train times", "cancel my gym membership",
               "send a text to my sister", "suggest a gift for a colleague", "look up a recipe for dinner"]
CHAT_USER = ["Thanks, that's really helpful!", "Great, you've been very quick today.", "By the way, how are you?",
             "Nice, that was easy.", "Appreciate your patience with all this.", "Perfect, thanks for explaining.",
             "Wow, that was fast.", "Okay, good to know.", "Great, that's a relief.", "Cool, thanks for checking.",
             "That's exactly what I needed.", "You're a lifesaver today.", "Nice, one less thing to worry about.",
             "Good, my {relation} will be happy.", "Thanks! Long day here in {city}.",
             "Great, {name} will be glad to hear it.", "{name} will be pleased.", "Phew. Thanks from {city}!",
             "Great, I'll tell {name}.", "Nice, {name} at {company} owes me one."]
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


# Short clauses first: a value with few words around it is said in many ways over a corpus.
_CLAUSE_WEIGHTS = [3 if len(t.split()) <= 4 else 1 for t in VALUE_CLAUSES]


def value_clause(rng: random.Random, param: str, value: Any) -> str:
    template = rng.choices(VALUE_CLAUSES, weights=_CLAUSE_WEIGHTS)[0]
    return template.format(label=label(param), Label=label(param).capitalize(), value=show(value))


def listed(pairs: list[tuple[str, Any]]) -> str:
    """"last name Cooley and zip code 74091": labels with their values, in one phrase."""
    parts = [f"{label(param)} {show(value)}" for param, value in pairs]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def task_phrase(tool: str, rng: random.Random) -> str:
    """What the user asks for, said from a tool name: `find_customer_by_email` -> "locate my
    customer record using my email"."""
    words = tool.split("_")
    verb = rng.choice(TASK_VERBS.get(words[0], [words[0]]))
    rest = " ".join(words[1:])
    thing, _, by = rest.partition(" by ")
    if not thing:
        return verb
    article = rng.choice(["my", "the", "my", "this"]) if not thing.endswith("s") else rng.choice(["my", "the"])
    phrase = f"{verb} {article} {thing}"
    if by:
        phrase += f" {rng.choice(['using', 'with', 'by'])} my {' and '.join(by.split())}"
    return phrase


def personal(template: str, rng: random.Random, name: str, city: str, company: str) -> str:
    """A frame filled with a relation, an occasion, a day and Faker's name, city, company."""
    return template.format(relation=rng.choice(RELATIONS), occasion=rng.choice(OCCASIONS), day=rng.choice(DAYS),
                           name=name, city=city, company=company)


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
