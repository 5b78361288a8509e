"""What the user asks for, said from a tool's name: `cancel_order` -> "cancel my order",
`find_customer_by_email` -> "locate my customer profile using my email"; the leads and
tails a request is asked with; a write's past tense ("cancelled")."""

from __future__ import annotations

import random
import re
from typing import Any

from toolace_mt.generation.language.labels import id_key, plural
from toolace_mt.generation.language.verb_forms import PARTICLES, WRITE_VERBS, did

# (lead, who): "you" leads take "for me" tails, "me" leads do not; questions end with "?".
ASK_LEADS: list[tuple[str, str]] = [
    ("Can you", "you?"), ("Could you", "you?"), ("Would you", "you?"), ("Can you please", "you?"),
    ("Could you please", "you?"), ("Would you please", "you?"), ("Could you maybe", "you?"),
    ("Can you help me", "me?"), ("Could you help me", "me?"), ("Would you mind helping me", "me?"),
    ("Any chance you could", "you?"), ("Is it possible to", "me?"), ("Would it be possible to", "me?"),
    ("Are you able to", "you?"), ("Would you be able to", "you?"), ("Is there a way to", "me?"),
    ("Do you think you could", "you?"), ("Can I ask you to", "you?"), ("Can we", "me?"), ("Could we", "me?"),
    ("I'd like to", "me"), ("I need to", "me"), ("I want to", "me"), ("I'm looking to", "me"),
    ("I'm trying to", "me"), ("I'm hoping to", "me"), ("I'd like you to", "you"), ("I need you to", "you"),
    ("I was hoping you could", "you"), ("I was wondering if you could", "you"), ("I have to", "me"),
    ("I've been meaning to", "me"), ("I'd appreciate it if you could", "you"), ("It'd be great if you could", "you"),
    ("Please", "you"), ("Help me", "me"), ("Please help me", "me"), ("Let's", "me"), ("I'm writing to", "me"),
    ("I just need to", "me"), ("I'd really like to", "me"), ("I'm getting in touch to", "me"),
    ("I'd love it if you could", "you"), ("Mind helping me", "me?"), ("How do I", "me?"),
    ("Go ahead and", "you"), ("Just", "you"), ("Can I", "me?"), ("Could I", "me?"), ("We need to", "me"),
    ("We'd like to", "me"), ("I'll need to", "me"), ("Need to", "me"), ("Want to", "me"), ("Trying to", "me"),
    ("Kindly", "you"), ("Mind if we", "me?"), ("I must", "me"), ("Time to", "me"), ("Quick favour: can you", "you?"),
]

# A long lead is said less often: its words repeat more than a short one's over a corpus.
_LEAD_WEIGHTS = [1.0 if len(lead.split()) <= 3 else 0.35 for lead, _ in ASK_LEADS]

YOU_TAILS = ["", "", "", "", "", " for me", " for me, please", " if you can", " when you get a chance", " please",
             " if that's okay", " right away", " today", " as soon as you can", " real quick", " if you don't mind",
             " whenever you can", " if it's no trouble"]

ME_TAILS = ["", "", "", "", "", "", " today", " please", " right away", " if possible", " if that's okay", " now",
            " soon", " this week", " as soon as possible", " if I can"]

CLAIMS = {"cancel": "cancelled", "book": "booked", "place": "placed", "update": "updated", "create": "created",
          "add": "added", "transfer": "transferred", "pay": "paid", "freeze": "frozen", "send": "sent",
          "reschedule": "rescheduled", "change": "changed", "invite": "invited", "request": "requested",
          "respond": "recorded your response to", "report": "reported", "unfreeze": "unfrozen",
          "modify": "modified", "exchange": "set up the exchange for", "return": "started the return for"}

# "get_order" -> "look up my order": verbs a user says for a tool name's first word.
TASK_VERBS = {"get": ["look up", "check", "pull up", "see", "bring up", "have a look at", "check on"],
              "find": ["find", "locate", "look up", "track down"],
              "list": ["see", "go over", "list", "look through", "review", "go through"],
              "search": ["search for", "look for", "browse", "find"],
              "update": ["update", "change", "fix", "correct"], "modify": ["modify", "change", "update", "adjust"],
              "change": ["change", "switch", "update"], "cancel": ["cancel", "call off"],
              "show": ["see", "check"], "view": ["see", "view"], "check": ["check", "verify"],
              "create": ["create", "set up", "make"], "add": ["add"], "book": ["book", "reserve"],
              "place": ["place", "put in"], "send": ["send", "write"], "request": ["request", "start", "file"],
              "reschedule": ["reschedule", "move"], "return": ["return", "send back"],
              "exchange": ["exchange", "swap"], "freeze": ["freeze", "lock"], "unfreeze": ["unfreeze", "unlock"],
              "respond": ["respond", "reply"], "pay": ["pay"], "report": ["report"], "invite": ["invite"],
              "transfer": ["transfer"], "calculate": ["calculate", "work out"]}
# Words a tool name uses as its verb, wherever it puts it ("plots_lease"); "view" and "list" too.
_NAME_VERBS = frozenset(TASK_VERBS) | WRITE_VERBS | frozenset({
    "borrow", "give", "lend", "log", "get", "list", "view", "lease", "rent", "relinquish", "show", "find", "search",
    "fetch", "read", "count"})

# Verbs that make something new: "place an order", not "place this order".
_MAKING = {"create", "add", "book", "place", "send", "request", "set up", "make", "save", "reserve", "put in",
           "write", "start", "file"}

# What a verb with a preposition and no object needs said: "invite to event" -> "invite someone to".
_PREPOSITIONS = {"to", "between", "from", "for", "on", "in", "with", "into"}

_IMPLIED_OBJECT = {"invite": "someone", "transfer": "money"}

_VERB_ONLY = {"calculate": ["work something out", "do a quick calculation", "run a calculation", "calculate something"],
              "think": ["think something through", "reason through something", "talk through an idea"]}

# Names no rule reads well: said as a whole.
# Names no rule reads well: said as a whole, by who does it ("Could you transfer me ...?",
# "I'd like to talk to ...").
_WHOLE = {"transfer_to_human_agents": {
    "you": ["transfer me to a human agent", "put me through to a person", "connect me with a human agent"],
    "me": ["talk to a human agent", "speak with a person", "reach someone from the team"]}}

# Things nobody calls "mine": "browse the products", never "browse my products".
_NOT_MINE = {"product", "products", "flights", "product types", "product details", "customers", "passengers",
             "available seats", "human agents"}

_PROFILES = {"customer": "customer profile", "passenger": "passenger profile", "user": "user profile"}

# "pending order items" -> "the items of my pending order": a property of a thing.
_PROPERTIES = {"address", "payment", "items", "status", "details"}

# Other words a user has for a property, or for a state, in a tool's name.
_PROPERTY_VARIANTS = {"address": ["address", "shipping address", "delivery address"],
                      "payment": ["payment", "payment method"], "items": ["items", "products"]}

_STATE_VARIANTS = {"pending": ["pending", "open", "unshipped"], "delivered": ["delivered", "received"]}

def snake(tool: str) -> str:
    """A camelCase tool name as snake_case (`setCruiseControl` -> "set_cruise_control"), so
    a compiled spec's names are said as words, never as the identifier. A name that puts
    its noun first, as an API's namespace (`plots_lease`, `tools.giveBack`), is said verb
    first: "lease_plots", "give_back_tools"."""
    said = re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), tool).lower() \
        if any(ch.isupper() for ch in tool) else tool
    said = said.replace(".", "_") if "." in said else said
    words = said.split("_")
    if len(words) in (2, 3) and words[0] not in _NAME_VERBS and words[1] in _NAME_VERBS \
            and (len(words) == 2 or words[2] in PARTICLES):
        return "_".join([*words[1:], words[0]])
    return said

# One-word verbs with their particle: "ticket_login" logs in.
_COMPOUNDS = {"login": ["log", "in"], "logout": ["log", "out"], "signin": ["sign", "in"], "signout": ["sign", "out"],
              "signup": ["sign", "up"], "checkin": ["check", "in"], "checkout": ["check", "out"]}


def _verb_word(word: str) -> bool:
    return word in _NAME_VERBS or word in CLAIMS or word in _VERB_ONLY  # (_NAME_VERBS holds TASK_VERBS, WRITE_VERBS)


def _parse(tool: str) -> tuple[str, str, list[str], str]:
    """A tool name's parts: verb, preposition, the thing's words, what it searches by
    (`respond_to_invitation` -> "respond", "to", ["invitation"], "")."""
    words = [part for word in snake(tool).split("_") for part in _COMPOUNDS.get(word, [word])]
    verb = words[0]
    if len(words) >= 2 and not _verb_word(verb):  # "ticket_login": the verb comes later; "session_end_time": no
        # verb, a look-up; a one-word name ("ping") is its own verb
        at = next((i for i, word in enumerate(words[1:], 1) if _verb_word(word)
                   and i + 1 < len(words) and words[i + 1] in PARTICLES), None)
        words = [*words[at:at + 2], *words[at + 2:]] if at is not None else ["get", *words]  # the namespace goes
        verb = words[0]
    if len(words) >= 2 and words[1] in PARTICLES and (len(words) == 2 or words[1] not in _PREPOSITIONS):
        # "give_back_tools", "settle_up", "sign_in" (a last "in" has no place after it)
        verb, words = f"{verb} {words[1]}", [verb, *words[2:]]
    thing, _, by = " ".join(words[1:]).partition(" by ")
    first, _, remainder = thing.partition(" ")
    prep = ""
    if first in _PREPOSITIONS and remainder:
        prep, thing = first, remainder
    return verb, prep, thing.replace(" id", " ID").split(), by

def referent(tool: str) -> str | None:
    """The parameter that names the thing a tool is about: `cancel_order` -> "order_id",
    `modify_pending_order_items` -> "order_id" (the items are the order's)."""
    _, _, words, by = _parse(tool)
    if not words or by or words[-1] == "ID":
        return None
    if len(words) >= 2 and words[-1] in _PROPERTIES:
        words = words[:-1]
    return f"{words[-1]}_id"

def task_phrase(tool: str, rng: random.Random, ref: str | None = None, who: str = "you", plain: bool = False) -> str:
    """What the user asks for, said from a tool name: `find_customer_by_email` -> "locate my
    customer profile using my email"; `invite_to_event` -> "invite someone to the event".
    With `ref` (the id of the thing, as the user types it): "cancel order #W1001". `who`
    does it: "you" (the assistant) or "me" (the user, "I need to ...")."""
    if tool in _WHOLE:
        return rng.choice(_WHOLE[tool]["me" if who.startswith("me") else "you"])
    key, prep, words, by = _parse(tool)
    if key in _VERB_ONLY and not words:
        return rng.choice(_VERB_ONLY[key])
    # plain: the tool's own verb; so is a verb with its particle ("check in", never "verify in")
    verb = key if plain or prep in PARTICLES else rng.choice(TASK_VERBS.get(key, [key]))
    if not words:  # "Could you log me in?"; "I need to log in"
        head, _, particle = verb.partition(" ")
        return f"{head} me {particle}" if head in ("log", "sign") and particle and who.startswith("you") else verb
    if prep and key in _IMPLIED_OBJECT:
        verb = f"{verb} {_IMPLIED_OBJECT[key]}"
    head = f"{verb} {prep} " if prep else f"{verb} "
    if ref is not None:
        return head + _named(words, ref, rng)
    noun = _noun_phrase(" ".join(words), verb, rng)
    if key in ("search", "browse") and noun.startswith("my ") and plural(noun):
        noun = "the " + noun.removeprefix("my ")  # one searches the catalogue's hotels, not "my hotels"
    phrase = head + noun
    if by:
        phrase += f" {rng.choice(['using', 'with', 'by'])} my {' and '.join(by.split())}"
    return phrase

def _vary(words: str, rng: random.Random, variants: dict[str, list[str]] = _STATE_VARIANTS) -> str:
    """"pending order" -> "open order": a state (or a property) word said another way."""
    return " ".join(rng.choice(variants.get(word, [word])) for word in words.split())

def _possessed(prop: str, owner: str, det: str, rng: random.Random, ref: str = "") -> str:
    """A property of a thing: "the items of my pending order", "my pending order's items"."""
    prop, owner = _vary(prop, rng, _PROPERTY_VARIANTS), _vary(owner, rng)
    if det == "my" and not ref and rng.random() < 0.3:
        return f"my {owner}'s {prop}"
    named = f"{det} {owner}".strip() + (f" {ref}" if ref else "")
    return f"the {prop} {rng.choice(['of', 'on', 'for', 'in'] if plural(prop) else ['of', 'on', 'for'])} {named}"

def _named(words: list[str], ref: str, rng: random.Random) -> str:
    """The thing with its id: "order #W1001", "the items of my pending order #W1001"."""
    prop = words[-1] if len(words) >= 2 and words[-1] in _PROPERTIES else ""
    owner = " ".join(words[:-1] if prop else words)
    det = rng.choice(["the", "", ""] if owner in _NOT_MINE or owner in _PROFILES else ["my", "the", "", ""])
    if prop:
        return _possessed(prop, owner, det, rng, ref)
    return f"{det} {_vary(owner, rng)} {ref}".strip()

def _noun_phrase(thing: str, verb: str, rng: random.Random) -> str:
    """"pending order items" -> "the items of my pending order"; "customer" -> "my customer
    profile"; "products" -> "the products"; "checked bags" after "add" -> "checked bags"."""
    words = thing.split()
    if words[0] == "all":
        words = words[1:]
        return "all the " + " ".join(words) if words else "everything"
    noun = " ".join(words)
    if len(words) >= 3 and words[-1] in _PROPERTIES:
        owner = " ".join(words[:-1])
        return _possessed(words[-1], owner, "my" if owner not in _NOT_MINE else "the", rng)
    noun = _vary(_PROFILES.get(noun, noun), rng)
    many = plural(noun)
    if verb.split()[0] in _MAKING or verb in _MAKING:
        if many:
            return rng.choice(["", "some "]) + noun
        return rng.choice(["a new " + noun, _a(noun), "my " + noun if noun not in _NOT_MINE else _a(noun)])
    if noun in _NOT_MINE:
        return rng.choice(["the ", ""] if many else ["the ", "this "]) + noun
    if noun.split()[0] in ("customer", "user") and len(noun.split()) > 1 and noun.split()[1] != "ID":
        noun = rng.choice([noun, noun.split(" ", 1)[1]])
    return rng.choice(["my", "the"] if many else ["my", "the", "my", "this"]) + " " + noun

def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun

def ask_sentence(rng: random.Random, tool: str, ref: str | None = None) -> str:
    """"Could you look up my order for me?": a lead, the task, maybe a tail."""
    lead, who = rng.choices(ASK_LEADS, weights=_LEAD_WEIGHTS)[0]
    tail = rng.choice(YOU_TAILS if who.startswith("you") else ME_TAILS)
    task = task_phrase(tool, rng, ref, who)
    if lead == "How do I" or set(re.findall(r"\w+", tail)) & set(re.findall(r"\w+", f"{lead} {task}".lower())):
        tail = ""  # not "Could you please ... please?", "Is it possible to ... if possible?"
    return f"{lead} {task}{tail}{'?' if who.endswith('?') else '.'}"

def speaks(tool: str) -> bool:
    """Whether a tool's name says a task: a verb a user says for it and a thing
    (`cancel_order`, `get_order_details`); `sign_in`, `ticket_login` do not."""
    words = snake(tool).split("_")
    rest = [x for x in words[1:] if x not in PARTICLES and x not in _PREPOSITIONS]
    return (words[0] in TASK_VERBS or words[0] in CLAIMS or words[0] in _VERB_ONLY) and (bool(rest) or words[0] in
                                                                                        _VERB_ONLY)


def past_tense(tool: str) -> str | None:
    """What a write tool did, said after "I've": "cancelled", "checked in"; None for a
    name that opens with no verb of a write."""
    words = snake(tool).split("_")
    return CLAIMS.get(words[0]) or did(words)


def referent_argument(tool: str, arguments: dict[str, Any]) -> str | None:
    """The argument that names the thing a write acts on: the referent (`order_id`), also
    in camelCase (`reservationId`), or the thing's number or code (`flight_number` for
    `book_flight`), or an id whose thing the tool's name says (`hold_id` for
    `update_hold_pickup_location`)."""
    ref = referent(tool)
    if ref is None:
        return None
    if ref in arguments:
        return ref
    by_snake = {snake(k): k for k in arguments}
    if ref in by_snake:
        return by_snake[ref]
    stem = ref.removesuffix("_id")
    numbered = next((k for k in arguments if snake(k).startswith(stem + "_")
                     and snake(k).endswith(("_number", "_code", "_name", "_no"))), None)
    if numbered is not None:
        return numbered
    words = set(snake(tool).split("_"))
    return next((k for k in arguments if id_key(k) and snake(k).removesuffix("_id").split("_")[-1] in words), None)
