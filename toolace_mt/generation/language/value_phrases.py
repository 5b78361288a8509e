"""Sentences that state values, as a user gives them: one value ("The zip code is 35202."),
several at once, the details only look-ups need ("You can find me under ..."), a phrasing
hint filled in. Values are inserted verbatim, so the verifier can ground them."""

from __future__ import annotations

import random
import re
from typing import Any

from toolace_mt.generation.language.counted_items import counted
from toolace_mt.generation.language.labels import (
    for_value,
    id_key,
    label,
    mine,
    plural,
    relation,
    relation_phrase,
    said_label,
    show,
    unit,
)
from toolace_mt.generation.language.named_records import named_clause, named_things
from toolace_mt.generation.language.verb_forms import CHANGE_VERBS  # noqa: F401  (re-exported)
from toolace_mt.generation.plan.values import text_kind

# {L}/{l}: the label capitalised/as is; {v}: the value, never changed. A frame that starts
# with {v} is only used for values that do not start in lower case (a sentence start).
VALUE_CLAUSES = ["Just so you know, the {l} is {v}.",
                 "I can confirm the {l} is {v}.", "Note that the {l} is {v}.", "You'll see the {l} is {v}.",
                 "Double-checking, the {l} is {v}.",
                 "From my notes, the {l} is {v}.",
                 "According to my paperwork, the {l} is {v}.", "If memory serves, the {l} is {v}.",
                 "Last I checked, the {l} was {v}.", "My records say the {l} is {v}.",
                 "The {l} I'd like is {v}.",
                 "Please note the {l} is {v}.",
                 "I've got the {l} here, it's {v}.", "If you need the {l}, it's {v}.", "Oh, and the {l} is {v}.",
                 "I think the {l} is {v}.", "I'm pretty sure the {l} is {v}.",
                 "The {l} is {v}.",
                 "{L} is {v}.", "{v} is the {l}.", "Here's the {l}: {v}.",
                 "The {l}'s {v}.", "You'll need the {l}, which is {v}.", "In case you need it, the {l} is {v}.",
                 "The {l}, if it helps, is {v}.", "Oh, the {l} is {v}, by the way.", "The {l} is {v}, I believe.",
                 "Just to add, the {l} is {v}.", "I should mention the {l} is {v}.", "The {l} you'll want is {v}.",
                 "Quick note: the {l} is {v}.", "The {l} I have is {v}.",
                 "Don't forget, the {l} is {v}.",
                 "Worth noting the {l} is {v}.",
                 "Oh, I nearly forgot: the {l} is {v}.",
                 "It's {v}, the {l}.", "For the {l}, it's {v}.", "The {l} I've got is {v}."]

# Said of a choice (a reason, a status, a payment method), not of who the user is.
# (a wish, never a form's "the <label> should be <value>" nor "Ideally the <label> would be")
# (nor "I'd like the <label> to be", "Could the <label> be": a form's field wished for by its name)
CHOICE_CLAUSES = ["I'd prefer {v}, please.", "I'd rather have {v}, if possible.", "Please set the {l} to {v}.",
                  "Can you set the {l} to {v}?", "The {l} I want is {v}.", "Let's make it {v}.",
                  "I'll take {v}.", "For the {l}, I'd go with {v}."]
# Said of a value that replaces an old one: only for a write that changes a record (not one
# that makes it: a new order's payment method "needs to change" from nothing).
CHANGE_CLAUSES = ["Please change the {l} to {v}.", "The new {l} is {v}.", "The {l} needs to change to {v}."]
# Parameters people do not name when they ask: a search's words, a count of results.
# A search's words are a fragment ("clock", "shaw"), not a name: quoted as what to search for.
SPOKEN = {"query": ['Search for "{v}", please.', 'Anything with "{v}" in it.', 'Something matching "{v}", please.',
                    'A search for "{v}" should find it.', 'Try searching for "{v}".'],
          "limit": ["Just the first {v}, please.", "No more than {v}, please.", "{v} at most is plenty.",
                    "Only {v} of them, please."]}
for _search in ("q", "keyword", "keywords", "search", "search_term", "search_terms", "search_query", "term", "terms"):
    SPOKEN[_search] = SPOKEN["query"]
for _count in ("max_results", "count", "top_k", "top_n", "page_size", "max_items"):
    SPOKEN[_count] = SPOKEN["limit"]

# A value of a relation parameter ("from_account_id"), said as its phrase ({p}: "from
# account ACC-10073"), by its preposition; a person never says "the from account ID is".
RELATION_CLAUSES = {"from": ["It should come {p}.", "Take it {p}, please.", "{P}, please."],
                    "to": ["It should go {p}.", "Send it {p}, please.", "{P}, please.", "Make it go {p}."],
                    "into": ["It should go {p}.", "Put it {p}, please.", "{P}, please."]}
RELATION_ANY = ["{P}, please.", "Make it {p}, please.", "I'd like it {p}.", "It's {p}."]
RELATION_DATES = ["{P}, please.", "Make it {p}, please.", "I'd like it {p}."]


def relation_clause(rng: random.Random, param: str, value: Any) -> str | None:
    """The sentence that states a relation parameter's value ("It should go to account
    ACC-10074."); None for any other parameter or an empty value."""
    found = relation(param)
    phrase = relation_phrase(param, show(value)) if show(value).strip() and not isinstance(value, bool) else None
    if found is None or phrase is None:
        return None
    frames = RELATION_DATES if not found[1] else RELATION_CLAUSES.get(found[0], RELATION_ANY)
    return rng.choice(frames).replace("{P}", phrase[:1].upper() + phrase[1:]).replace("{p}", phrase)


# Said of a list of lines in the user's own words, each quoted.
LINES_CLAUSES = ["These ones: {v}.", "Namely {v}.", "The lines are {v}.", "I mean {v}."]
MAX_LINES = 6


def _sentences(value: Any) -> bool:
    """A list of lines a person wrote (three words or more each), not of names or codes."""
    return isinstance(value, list) and 0 < len(value) <= MAX_LINES and all(
        isinstance(v, str) and len(v.split()) >= 3 and '"' not in v for v in value)


def _measured(param: str, value: Any, said: str, shown: str) -> tuple[str, str]:
    """A measure's label without its unit, and its value with it: "volume", "1.51 ml"
    (never "the volume ml is 1.51")."""
    measured = unit(param.split(" for ")[0].split()[-1]) if isinstance(value, int | float) \
        and not isinstance(value, bool) else None
    if measured is None:
        return said, shown
    return said.removesuffix(said.split()[-1]).strip() or measured[0], shown + measured[1]


# A code ("BB004541", "SKU-72"): which record, never a choice or a wish.
_CODE = re.compile(r"(?=\S*\d)(?=\S*[A-Za-z])[A-Za-z0-9#][A-Za-z0-9#._/-]{2,40}")
_QUESTION_WORDS = frozenset({"what", "how", "why", "who", "where", "when", "which"})

# Said of a count of things ("bags" 2): the things, counted.
COUNT_CLAUSES = ["For {v}, please.", "{v}, please.", "Make it {v}, please.", "It's {v}.", "That's {v}."]

# Said of things with a quantity (counted_items): what the user wants, never a form's fields.
ITEM_CLAUSES = ["I'd like {v}.", "I want {v}.", "I'm after {v}.", "Could I get {v}?", "It's {v} I need.",
                "I'd like to get {v}."]

# Labels of a choice whose value names itself: "I'd prefer store credit" says which choice.
_NAMED_BY_VALUE = frozenset({"method", "type", "class", "kind", "option", "plan", "tier", "size", "colour", "color",
                             "seat", "cabin", "category", "mode", "style", "format", "language", "currency", "brand",
                             "model", "level", "fare", "room", "flavour", "flavor", "payment", "shipping", "delivery"})

# Only for what the user owns or is (ids of their things, their name, address ...).
MY_CLAUSES = ["My {l} is {v}.", "My {l}: {v}.", "My {l}'s {v}.",
              "My {l}, if you need it, is {v}."]

# Said of a free-text value (a memo, a subject, a reason: the user's own words, see
# values.free_text), mostly quoted.
TEXT_CLAUSES = ['The {l} should say "{v}".', 'The {l} can read "{v}".', 'Please put "{v}" in the {l}.',
                'Make the {l} "{v}".', 'I\'d like the {l} to say "{v}".',
                'The {l} I have in mind is "{v}".']

# Said of a value that is empty (an optional field left blank): never "The {l} is ."
EMPTY_CLAUSES = ["Leave the {l} blank.", "The {l} can stay empty.", "No {l}, please.", "Leave the {l} empty.",
                 "I don't need a {l}.", "Skip the {l}."]

# How a sentence states several values, each part said the same way: (part, lead, separator).
GROUP_STYLES = [("the {l} is {v}", "", ", "), ("{l} {v}", "", ", "), ("the {l} {v}", "", ", "),
                ("{l} is {v}", "", ", "), ("{l} {v}", "", ", "), ("my {l} is {v}", "", ", ")]

GROUP_PREFIXES = ["Here are the details: ", "Details: ", "For the record, ", "To be clear, ",
                  "Just so you have it, ", "You'll need these: ", "The details: ", "Here's what I have: ",
                  "Everything you need: ", "In short, ", "Okay, so ", "Right, ", "So, ", "For reference, ",
                  "Noting it all here: ", "All the details: ", "The info you need: ", "Here you go: "]

# Values a sub-task's lookup calls need (not the target's own): said as "how to find me"
# (the user's own details) or "how to find it" (anything else). Short on purpose: the
# values, not the frame, should make up the sentence.
ME_LOOKUPS = ["You can look me up with {values}.", "To find my account: {values}.", "My details are {values}.",
              "I'm on file under {values}.", "You should have me on file with {values}.", "Identify me by {values}.",
              "You'll find me under {values}.", "To verify it's me: {values}.", "My account is under {values}.",
              "Look me up by {values}.", "Find me by {values}.", "My details: {values}.", "For my account, {values}.",
              "Account details: {values}.", "I'm under {values}.", "Search for {values}.", "Find me with {values}.",
              "I'm registered with {values}.", "I signed up with {values}.", "The account was opened with {values}.",
              "You'll have me down with {values}.", "My profile has {values}.", "I'm listed with {values}.",
              "Pull up my account with {values}.", "My account should show {values}."]

# Said when the first value is the user's name: "I'm Brady Moore, zip code 51261."
NAMED_LOOKUPS = ["I'm {values}.", "This is {values}.", "{values} here.", "It's {values}.", "Name's {values}.",
                 "I'm {values}, by the way.", "Me? {values}."]

IT_LOOKUPS = ["It's under {values}.", "The record is under {values}.", "For reference, {values}.",
              "If it helps to find it, {values}.", "To find it, use {values}.", "You can find it with {values}.",
              "It should be under {values}.", "It's filed under {values}.", "If it helps, {values}.",
              "Look it up by {values}.", "To look it up: {values}.", "Reference: {values}.",
              "It's on record with {values}.", "You'll find it with {values}.", "Search with {values}.",
              "It should come up with {values}.", "Try {values}."]

LOOKUP_FRAMES = ME_LOOKUPS + NAMED_LOOKUPS + IT_LOOKUPS

def fill_phrasing(template: str, values: dict[str, Any]) -> tuple[str, set[str]] | None:
    """A phrasing hint with its placeholders filled; None if one has no value."""
    names = re.findall(r"\{(\w+)\}", template)
    if any(n not in values or not show(values[n]).strip() for n in names):
        return None  # an empty value would leave a hole ("Put  on my calendar")
    def filled(match: re.Match[str]) -> str:
        name, said = match.group(1), show(values[match.group(1)])
        quoted = template[max(match.start() - 1, 0):match.start()] in "\"'“‘" and match.start() > 0
        # the user's own words (a message, a title) are quoted unless the hint quotes them
        return f'"{said}"' if free_text(name, values[name]) and not quoted else said
    return re.sub(r"\{(\w+)\}", filled, template), set(names)

def fill_frame(frame: str, said: str, shown: str) -> str:
    """A frame with its label and value; the value is inserted last, so braces or text in
    it are never read as a placeholder. A plural label takes "are" ("the item IDs are")."""
    if plural(said):
        for one, many in (("{l} is", "{l} are"), ("{L} is", "{L} are"), ("Here's the {l}", "Here are the {l}"),
                          ("{l}'s {v}", "{l} are {v}"), ("{v} is the {l}", "{v} are the {l}"),
                          ("{l}, which is", "{l}, which are"), ("{l} was", "{l} were")):
            frame = frame.replace(one, many)
        # "the {l}, if it helps, is", "the {l} on my side is": the label's verb, a few words on
        frame = re.sub(r"(\{[lL]\}[^.?!{]{0,24}?) is\b", r"\1 are", frame, count=1)
    text = frame.replace("{L}", said[:1].upper() + said[1:]).replace("{l}", said)
    if shown.endswith((".", "!", "?")):  # a sentence as the value: not "... remain.."
        text = text.replace("{v}.", "{v}")
    return text.replace("{v}", shown)

def frames_for(frames: list[str], shown: str) -> list[str]:
    """Frames that can start with this value: not one in lower case (it would open a sentence)."""
    if shown[:1].islower() or "," in shown:
        return [f for f in frames if not f.startswith("{v}")]
    return frames

class EnumWords(str):
    """An enum value said in words ("too expensive" for `too-expensive`): a choice the user
    makes, not their own words, so never quoted like a memo."""

    __slots__ = ()


def free_text(param: str, value: Any) -> bool:
    """A value in the user's own words (a memo, a subject: see values.free_text), said
    whole and quoted, never grouped with others."""
    return isinstance(value, str) and not isinstance(value, EnumWords) and " " in value.strip() \
        and text_kind(param.split(" for ")[0]) is not None

# A date (and time) in words, whose comma is no list: "July 18, 2026 at 14:00".
_IN_WORDS = re.compile(r"[A-Z][a-z]+ \d{1,2}, \d{4}(?: at \d{2}:\d{2})?")


# Frames that recall a value the user already has (an id, a detail on file): never said of
# a value the user is choosing for a write.
_RECALLING = ("Last I checked", "If memory serves", "My records say", "According to my paperwork", "From my notes",
              "on file", "I think", "I believe", "pretty sure", "Double-checking", "I can confirm", "You'll see",
              "on my side", "on my end", "I have is", "I've got the", "I've got is", "Just so you know", "in question")


# "the <label> is / should be <value>": a clause a form has. A turn of two or three of them
# reads like a filled-in form ("the start date should be X and the leave type would be Y").
_FORM_CLAUSE = re.compile(r"\bthe \{l\}(?P<how>\s+(?:on my (?:side|end)|i have|in question|here|to use))?\s*"
                          r"(?:,\s*which\s+)?(?:(?P<plain>is|are|was|'s)|would be|should be|will be|is going to be|"
                          r"has to be|have to be|needs to be|must be|ought to be|says|reads)\s", re.I)
MAX_FORM_CLAUSES = 2  # plain ones per turn ("the username is X and the password is Y" is speech)


class FormCount:
    """The form-like clauses one user turn has said so far: a turn states its values as a
    person does, at most two plain "the <label> is <value>" and then no stilted one."""

    def __init__(self) -> None:
        self.plain = 0
        self.stilted = 0

    def allows(self, frame: str) -> bool:
        kind = form_kind(frame)
        if kind is None:
            return True
        plain, stilted = self.plain + (kind == "plain"), self.stilted + (kind == "stilted")
        return plain + stilted < MAX_FORM_CLAUSES or (plain + stilted == MAX_FORM_CLAUSES and stilted == 0)

    def add(self, frame: str) -> None:
        kind = form_kind(frame)
        self.plain += kind == "plain"
        self.stilted += kind == "stilted"


def form_kind(frame: str) -> str | None:
    """"plain" for "the {l} is {v}", "stilted" for "the {l} would be {v}", None otherwise."""
    found = _FORM_CLAUSE.search(frame.replace("{L}", "the {l}"))
    if found is None:
        return None
    return "plain" if found["plain"] and not found["how"] else "stilted"


def _pick(rng: random.Random, frames: list[str], form: FormCount | None) -> str:
    """A frame the turn's form count allows (any, when none does)."""
    allowed = [f for f in frames if form is None or form.allows(f)] or frames
    frame = rng.choice(allowed)
    if form is not None:
        form.add(frame)
    return frame


# Labels of who the user is or what identifies a thing: never a preference ("I'd prefer mherman").
_IDENTITY_LABEL = re.compile(r"\b(?:name|id|ids|number|code|e-?mail|pin|password|passcode|username|login|user|"
                             r"phone|address|street|city|zip|date of birth)\b", re.I)


def value_clause(rng: random.Random, param: str, value: Any, chosen: bool = False,
                 form: FormCount | None = None, changes: bool = False) -> str:
    """One sentence that states one value (an empty one is said to be left blank); a
    `chosen` value (what a write should set) is wished for, never recalled; said as a
    change ("the new seat is 14C") only when the write `changes` a record."""
    related = relation_clause(rng, param.split(" for ")[0].removeprefix("other ").removeprefix("current "), value)
    if related is not None:
        return related
    named = named_clause(rng, param, value)
    if named is not None:  # "It's the Air Purifier.", never "the item ID is Air Purifier"
        return named
    said, shown = for_value(said_label(param, rng), value), show(value)
    said, shown = _measured(param, value, said, shown)
    if said.split()[:1] and said.split()[0] in _QUESTION_WORDS and len(said.split()) >= 2 and shown.strip():
        # "what_happened" is no noun: "Here's what happened: ...", never "Could the what happened be ...?"
        frame = rng.choice(["Here's {l}: {v}.", "As for {l}: {v}.", "This is {l}: {v}."])  # "{L}: {v}." is a form
        return frame.replace("{L}", said[0].upper() + said[1:]).replace("{l}", said).replace("{v}", shown)
    renewed = said.startswith("new ")  # "the new start time" is a change already: never "the new new ..."
    choices = CHOICE_CLAUSES + CHANGE_CLAUSES if changes and not renewed else CHOICE_CLAUSES
    if not said.split()[-1:] or said.split()[-1] not in _NAMED_BY_VALUE or any(ch.isdigit() for ch in shown):
        # "I'd rather have 46.4", "I'd rather have private": without its label a value says nothing,
        # unless it names the choice itself ("I'd prefer credit card")
        choices = [c for c in choices if "{l}" in c or "{L}" in c]
    if counted(value) is not None:  # an order's lines: "I'd like 3 of the Camping Tent (Navy)."
        return rng.choice(ITEM_CLAUSES).replace("{v}", shown)
    if not shown.strip():
        return fill_frame(rng.choice(EMPTY_CLAUSES), said, "")
    spoken = param.split()[-1] if param.split() else param  # "other query": a search's words all the same
    if spoken in SPOKEN and isinstance(value, str | int) and not isinstance(value, bool):
        text = rng.choice(SPOKEN[spoken]).replace("{v}", shown)
        return text[0].upper() + text[1:]
    if _sentences(value):  # lines in the user's own words ("Please remind Cory ..."): each quoted
        quoted = [f'"{line.strip()}"' for line in value]
        return rng.choice(LINES_CLAUSES).replace("{v}", quoted[0] if len(quoted) == 1 else
                                                 ", ".join(quoted[:-1]) + " and " + quoted[-1])
    things = said.removeprefix("my ")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0 and " " not in things \
            and plural(things) and unit(param.split(" for ")[0].split()[-1]) is None:  # "bags" 1: "1 bag, please"
        return rng.choice(COUNT_CLAUSES).replace("{v}", f"{value} {things[:-1] if value == 1 else things}")
    if free_text(param, value):
        return fill_frame(rng.choice(TEXT_CLAUSES), said, shown)
    frames = VALUE_CLAUSES + (MY_CLAUSES if mine(said) else [])
    if isinstance(value, EnumWords) and not chosen:  # what a look-up is for, not a wish ("I'd rather have meals")
        frames = ["The {l} is {v}.", "I'm asking about {v}."]
    elif isinstance(value, EnumWords):  # a choice from a list ("no longer needed"): wished for, never a remembered fact
        frames = [*choices, "The {l} is {v}."]
    elif not mine(said) and not any(ch.isdigit() for ch in shown) and not _IDENTITY_LABEL.search(said):
        frames = frames + choices  # "paypal", "economy": a choice, not who the user is
    if chosen and not id_key(param):  # set by a write: wished for, never recalled
        frames = [f for f in frames if not any(m in f for m in _RECALLING)] + (
            choices if not _IDENTITY_LABEL.search(said) and not _CODE.fullmatch(shown) else
            ["The new {l} is {v}." if changes and not renewed else "The {l} is {v}.", "Make it {v}, please."])
    if not chosen or _CODE.fullmatch(shown):  # a fact or a code the user states is no question ("Could the
        # species be dog?", "Could the barcode be BB004541?")
        frames = [f for f in frames if not f.startswith(("Could the", "Could you make"))]
    if "," in shown and isinstance(value, dict | list) and not _IN_WORDS.fullmatch(shown):
        # a record ("street 1 Main St, city Springfield"): after a colon; a name with commas
        # ("Diaz, Owens and Randall") is said as any name
        frames = ["Here's the {l}: {v}.", "The {l}: {v}."]
        if " " not in said.removeprefix("my "):  # "Item: ...", never a form's "Delivery address: ..."
            frames.insert(0, "{L}: {v}.")
    elif isinstance(value, bool):  # a yes/no setting ("in stock only"): said as a wish, not a form field
        return _yes_no(rng, said, value)
    return fill_frame(_pick(rng, frames_for(frames, shown), form), said, shown)

def _yes_no(rng: random.Random, said: str, value: bool) -> str:
    """"in stock only" yes -> "Only in stock ones, please."; "favorite" yes -> "Please mark it
    as a favorite."; no -> "It doesn't need to be favorite." (no yes/no after a label)."""
    words = said.removeprefix("my ").split()
    if len(words) >= 2 and words[0] in ("include", "show", "exclude", "hide"):  # a flag named by a verb
        thing = " ".join(words[1:])
        keep = value if words[0] in ("include", "show") else not value
        return rng.choice([f"Please include the {thing} ones too.", f"The {thing} ones as well, please."]) if keep \
            else rng.choice([f"Leave out the {thing} ones.", f"Not the {thing} ones, please."])
    if words and words[-1] == "only":
        thing = " ".join(words[:-1])
        return rng.choice([f"Only {thing} ones, please.", f"Just the {thing} ones."]) if value else \
            rng.choice([f"They don't have to be {thing}.", f"Not just the {thing} ones, please."])
    if value:
        return rng.choice([f"Please mark it as {said}.", f"I'd like it set as {said}.", f"Make it {said}, please."])
    return rng.choice([f"No need to mark it as {said}.", f"It shouldn't be marked as {said}.",
                       f"Please don't mark it as {said}."])

_NEGATABLE = re.compile(r"\b(is|are|should|will|can|must|has been|have been)\b")


def flag_sentence(rng: random.Random, description: str, value: bool) -> str | None:
    """A yes/no parameter said as the wish its description states, never by its name:
    "True to activate the cruise control, False to deactivate." -> "Please activate the
    cruise control." / "Please deactivate it."; "True if the doors are to be unlocked" ->
    "The doors are to be unlocked." / "The doors are not to be unlocked." None when the
    description says neither way."""
    text = " ".join(description.split())
    also = re.match(r"(?:Also|Additionally)\s+(?P<x>(?:list|show|include|return)\s+[^,.;()]+)", text, re.I)
    if also is not None:  # "Also list cancelled events." -> "Please also list cancelled events."
        action = also["x"].strip()
        action = action[0].lower() + action[1:]
        if value:
            return rng.choice(["Please also {x}.", "Could you also {x}?", "I'd like you to also {x}."]).format(x=action)
        return rng.choice(["No need to {x}.", "Please don't {x}."]).format(x=action)
    to = re.search(r"\bTrue\s+(?:to|if you want to|in order to)\s+(?P<x>[^,.;()]+)", text, re.I)
    off = re.search(r"\bFalse\s+(?:to|if you want to)\s+(?P<y>[^,.;()]+)", text, re.I)
    cond = re.search(r"\bTrue\s+(?:if|when|means)\s+(?P<x>[^,.;()]+)", text, re.I)
    whether = re.match(r"(?:Whether|If)\s+to\s+(?P<x>[^,.;()]+)", text, re.I)
    wish = to or whether
    if wish is not None:
        action = wish["x"].strip()
        if value:
            # never "... you to {x}": "to {x}" is the description's own words ("True to activate the ...")
            return rng.choice(["Please {x}.", "Could you {x}?", "Can you {x} as well?"]).format(x=action)
        if off is not None:
            undo = off["y"].strip()
            return rng.choice(["Please {x}.", "Could you {x}?"]).format(x=undo)
        return rng.choice(["Please don't {x}, though.", "No need to {x}."]).format(x=action)
    if cond is not None:
        state = cond["x"].strip()
        if not value:
            if not _NEGATABLE.search(state):
                return None
            state = _NEGATABLE.sub(lambda m: f"{m.group(1)} not", state, count=1)
        return state[0].upper() + state[1:] + "."
    return None


def value_sentences(rng: random.Random, pairs: list[tuple[str, Any]], chosen: bool = False,
                    form: FormCount | None = None, changes: bool = False) -> list[str]:
    """Sentences that state every value: some alone, some two or three to a sentence
    ("Zip code 35202, city Ortegatown and state VI."). `chosen`: the values are what the
    user wants a write to set, never remembered ("Last I checked, the seat was 12A")."""
    out: list[str] = []
    rest = list(pairs)
    while rest:
        size = min(len(rest), rng.choice([1, 1, 1, 2, 2, 3]))
        group, rest = rest[:size], rest[size:]
        if size == 1 or any("," in show(v) or counted(v) is not None or named_things(p, v) is not None
                            or _sentences(v)
                            or isinstance(v, bool) or not show(v).strip()
                            or free_text(p, v) or p.split()[-1] in SPOKEN or relation(p) for p, v in group):
            out.extend(value_clause(rng, p, v, chosen, form, changes) for p, v in group)
            continue
        measured = [_measured(p, v, for_value(said_label(p, rng), v), show(v)) for p, v in group]
        saids = [x for x, _ in measured]
        styles = GROUP_STYLES if all(mine(x) for x in saids) else GROUP_STYLES[:-1]
        if form is not None:  # each part of a group is a clause of its own
            fits = [st for st in styles if form_kind(st[0]) is None
                    or (form_kind(st[0]) == "plain" and form.stilted == 0
                        and form.plain + len(group) <= MAX_FORM_CLAUSES)]
            styles = fits or styles
        part, lead, sep = rng.choice(styles)
        if form is not None:
            for _ in group:
                form.add(part)
        parts = [fill_frame(part, x, shown) for x, shown in measured]
        last = "; " if sep == "; " else rng.choice([" and ", ", and ", " and "])
        body = lead + sep.join(parts[:-1]) + last + parts[-1] + "."
        if rng.random() < 0.3:
            out.append(rng.choice(GROUP_PREFIXES) + body)
        else:
            out.append(body[0].upper() + body[1:] if lead or not body.startswith(show(group[0][1])) else body)
    return out

def listed(pairs: list[tuple[str, Any]], rng: random.Random | None = None) -> str:
    """"last name Cooley and zip code 74091": labels with their values, in one phrase
    (with a random generator, labels may be said another way)."""
    parts = [f"{said_label(param, rng) if rng else label(param)} {show(value)}" for param, value in pairs
             if show(value).strip()]
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]

def lookup_sentence(rng: random.Random, pairs: list[tuple[str, Any]], own: bool | None = None) -> str:
    """The values only lookups need, said as how to find the user (or the thing); a first
    and last name are said together ("I'm Brady Moore, zip code 51261"). An empty value
    is not said (it needs no grounding); with none left the sentence is empty. `own`
    False: none of them is the user's own detail (a search's city), never said as "Identify
    me by city Springfield" whatever its label; None: judged by the labels."""
    pairs = [(p, v) for p, v in pairs if show(v).strip()]
    if not pairs:
        return ""
    rng.shuffle(pairs)
    given = dict(pairs)
    parts = []
    if isinstance(given.get("first_name"), str) and isinstance(given.get("last_name"), str) and rng.random() < 0.6:
        parts.append(f"{given['first_name']} {given['last_name']}")
        pairs = [(p, v) for p, v in pairs if p not in ("first_name", "last_name")]
    # "other query": a search's words; a relation ("from account ...") is its own sentence
    alone = [(p, v) for p, v in pairs if p.split()[-1] in SPOKEN or isinstance(v, bool) or relation(p.split()[-1])
             or counted(v) is not None or named_things(p, v) is not None or _sentences(v)]
    spoken = [value_clause(rng, param.split()[-1], value) for param, value in alone]
    pairs = [(p, v) for p, v in pairs if (p, v) not in alone]
    parts += [" ".join(_measured(param, value, said_label(param, rng), show(value))) for param, value in pairs]
    if not parts:
        return " ".join(spoken)
    values = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + rng.choice([" and ", ", "]) + parts[-1]
    if own is False:
        frames = IT_LOOKUPS
    elif len(parts) > len(pairs):  # starts with the name
        frames = NAMED_LOOKUPS + ME_LOOKUPS
    elif all(mine(label(p)) for p, _ in pairs):
        frames = ME_LOOKUPS + IT_LOOKUPS
    else:
        frames = IT_LOOKUPS
    return " ".join([rng.choice(frames).replace("{values}", values), *spoken])
