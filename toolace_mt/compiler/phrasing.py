"""Phrasing hints: how a user asks for a tool, from its description, in the user's words.

A spec's description speaks for the API ("Get a pet by id", "List the signed-in member's
bookings"); a user names the thing itself ("Could you get pet 1021?", "Could you list my
bookings?"). The row a tool acts on is said with its noun and key where the description
names it; other required values follow with their labels, cryptic names ("q", "to",
"num_days") said by their description instead.
"""

from __future__ import annotations

import re

from toolace_mt.compiler import kinds as K
from toolace_mt.compiler.names import human, words
from toolace_mt.compiler.plan import EnvPlan, Param, ToolPlan

_ARTICLES = {"a", "an", "the", "one", "some", "each", "any"}
# Words that may follow a named row or value: "pet {petId} from the records", not "phone {phone} number".
_FOLLOWERS = {"of", "for", "to", "in", "on", "by", "with", "from", "and", "or", "at", "into", "that", "which", "who",
              "so", "as", "if", "when", "before", "after", "using", "via", "is", "are", "was", "needed", "now",
              "today", "again", "here", "there", "back", "up", "out", "off"}
_DROPPED = {"given", "specified", "specific", "provided", "particular", "certain", "existing"}
_NOT_ADJECTIVES = {"of", "for", "to", "in", "on", "by", "with", "from", "and", "or", "at", "into"}
_SIGNED_IN = r"(?:currently )?(?:signed[- ]in|logged[- ]in|current|authenticated)"
_PERSON = (r"(?:user|member|customer|account holder|person|client|patient|account|renter|guest|driver|student|"
           r"traveler|traveller|shopper|buyer|listener|subscriber|tenant|player|employee|owner|reader|borrower)")
_MINE = re.compile(rf"\bthe {_SIGNED_IN} {_PERSON}'s\b", re.IGNORECASE)
_ME = re.compile(rf"\bthe {_SIGNED_IN} {_PERSON}\b", re.IGNORECASE)
_SOMEONE_IN_OUT = re.compile(r"\b(?:a|an|the|one)\s+(?:[a-z-]+\s+)?[a-z]+\s+(in|out)\b", re.IGNORECASE)
# The API's "user" is the person asking: "the user's playlists" are "my playlists".
_THE_USERS = re.compile(r"\bthe (?:user|caller|requester|renter|end user)'s\b", re.IGNORECASE)
_THE_USER_HAS = re.compile(r"\bthe (?:user|caller|requester|renter) has\b", re.IGNORECASE)
_FOR_THE_USER = re.compile(r"\b(for|to|of) the (?:user|caller|requester|renter)\b(?!'| (?:id|name|account)\b)",
                           re.IGNORECASE)
_CLAUSE_END = re.compile(r"[:;(]|\s[-–—]\s|,\s*(?:optionally|if|e\.g\.|which|so|and returns?)\b|\.\s")
# Words too short or too vague to say a value by ("q", "to", "num days", "format").
_VAGUE = {"to", "from", "format", "value", "type", "data", "mode", "arg", "param", "input", "s", "id"}
_ABBREVIATIONS = {"q", "num", "no", "qty", "amt", "dt", "desc", "addr", "val", "cnt", "ts"}
_MORE_VERBS = {"look", "pull", "tell", "give", "return", "handle", "estimate", "notify", "press", "fill", "navigate",
               "lend", "renew", "sign", "log", "ship", "mark", "activate", "reserve", "set", "start", "stop", "lock"}
_READS = {"get", "list", "search", "find", "stats", "state_read", "lookup", "state_view"}


def phrasings(plan: ToolPlan, env: EnvPlan, description: str) -> list[str]:
    """Two or three request templates with `{param}` placeholders for the required values."""
    action = _action(description, plan) or human(plan.spec.name)
    needed = [p for p in plan.params if p.spec.required and p.spec.scalar]
    covered: set[str] = set()
    for param in needed:
        noun = _noun_of(param, plan, env)
        if noun is None:
            said = _name_value(action, param)
            if said is not None:
                action = said
                covered.add(param.ident)
            continue
        said = _name_row(action, noun, param.ident)
        if said is not None:
            action = said
            covered.add(param.ident)
            table = env.tables.get(plan.table or "")
            if param.role == "key" or (table is not None and param.column == table.key):
                action = re.sub(rf"\s+by (?:its |their |the )?(?:id|identifier|{re.escape(human(param.spec.name))})\b",
                                "", action, flags=re.IGNORECASE)
    key = plan.key
    if key is not None and key.ident not in covered and key.spec.scalar and key.spec.required \
            and plan.kind in ("get", "delete", "transition", "update", "adjust"):
        noun = _noun_of(key, plan, env) or human(key.spec.name)
        verb = "get" if plan.kind == "get" else (action.split(" ", 1)[0] if action else "change")
        action = f"{verb} {noun} {{{key.ident}}}"
        covered.add(key.ident)
    amount = plan.param("amount")
    if plan.shift_days and key is not None and amount is not None and amount.spec.required:
        noun = _noun_of(key, plan, env) or human(key.spec.name)
        verb = K.verb_of(words(plan.spec.name)) or "extend"  # "extend reservation 1023 by 3 days"
        said = f"{verb} {noun} {{{key.ident}}} by {{{amount.ident}}} days"
        return [f"Please {said}.", f"Could you {said}?"]
    rest = [p for p in needed if p.ident not in covered]
    between = re.search(r"\bbetween (?:the |two )?[a-z]+(?: [a-z]+)?\b", action)
    if between and len(rest) == 2 and all(not _noun_of(p, plan, env) for p in rest):
        # "estimate the distance between two cities" -> "... between {cityA} and {cityB}"
        action = action[:between.start()] + f"between {{{rest[0].ident}}} and {{{rest[1].ident}}}" + \
            action[between.end():]
        rest = []
    tail = _tail(rest, plan, env)
    if plan.kind in ("update", "setting") and len(rest) == 1 and not _noun_of(rest[0], plan, env) \
            and set(_label(rest[0]).split()) & set(action.lower().split()):
        tail = f" to {{{rest[0].ident}}}"  # "change my phone number to {phone}"
    hints = [f"Please {action}{tail}.", f"Could you {action}{tail}?"]
    if plan.kind == "get" and key is not None and key.ident in covered and not rest:
        noun = _noun_of(key, plan, env)
        if noun:
            hints.append(f"Can you pull up {noun} {{{key.ident}}} for me?")
    return hints


def _action(description: str, plan: ToolPlan) -> str:
    """The description's first clause as an imperative in the user's voice."""
    first = _CLAUSE_END.split(description.strip(), maxsplit=1)[0].strip().rstrip(".!? ,")
    if not first:
        return ""
    head, _, rest = first.partition(" ")
    verb = _base_verb(head)
    if verb in ("return", "returns") and plan.kind in _READS:
        verb = "get"
    first = f"{verb} {rest}".strip() if head[:1].isupper() or verb != head else first
    if verb not in K.VERBS | _MORE_VERBS and plan.kind in _READS:  # "Current weather in a city"
        first = f"get {first[:1].lower() + first[1:]}"
    first = _MINE.sub("my", first)
    first = _ME.sub("me", first)
    if plan.kind == "login":  # "Authenticate a user for ticket system": log me in to the ticket system
        first = re.sub(r"^(?:authenticate|sign in|log in|login|signin)\s+(?:a|an|the)\s+[a-z]+\s+(?:for|to|into|on)\s+"
                       r"(?:the\s+)?", "log me in to the ", first, flags=re.IGNORECASE)
        first = re.sub(r"^authenticate\s+(?:a|an|the)\s+[a-z]+\b", "log me in", first, flags=re.IGNORECASE)
    if plan.kind in ("login", "logout"):  # "Log a renter in with their username": log me in with my username
        first = _SOMEONE_IN_OUT.sub(r"me \1", first)
        first = re.sub(r"^(log|sign)\s+(in|out)\s+(?:a|an|the)\s+[a-z]+\b", r"\1 me \2", first, flags=re.IGNORECASE)
        first = re.sub(r"\btheir\b", "my", first)
    first = _THE_USERS.sub("my", first)  # "list the tracks the user has liked": I have liked
    first = _THE_USER_HAS.sub("I have", first)
    first = _FOR_THE_USER.sub(r"\1 me", first)
    first = re.sub(r"\b(log|sign) out me\b", r"\1 me out", first)
    first = re.sub(r"\bthe ([a-z][\w ]{0,30}?) of me\b", r"my \1", first)
    return first[:1].lower() + first[1:]


def _base_verb(word: str) -> str:
    """"Gets" -> "get": descriptions are in the third person, requests in the second."""
    lower = word.lower()
    if lower.endswith("ies") and len(lower) > 4:
        return lower[:-3] + "y"
    if lower.endswith("es") and lower[:-2].endswith(("ss", "sh", "ch", "x", "z")):
        return lower[:-2]
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(lower) > 3:
        return lower[:-1]
    return lower


def _noun_of(param: Param, plan: ToolPlan, env: EnvPlan) -> str | None:
    """The noun of the row a parameter names: its own table's for the key, the referenced
    table's for an id of another row."""
    table = env.tables.get(plan.table or "")
    if table is None or table.lookup or table.singleton:
        return None
    if param.role == "key" or (param.column == table.key and param.role == "filter"):
        return table.entity.replace("_", " ")
    column = table.columns.get(param.column or "")
    if column is not None and column.references in env.tables and column.references != table.name:
        other = env.tables[column.references]
        if param.column == other.key or words(param.spec.name)[-1:] in (["id"], ["number"], ["code"]):
            return other.entity.replace("_", " ")
    return None


def _name_row(action: str, noun: str, ident: str) -> str | None:
    """`get a pet by id` -> `get pet {petId} by id`; None when the action does not name the noun."""
    tokens = action.split(" ")
    size = len(noun.split(" "))
    for index in range(len(tokens) - size + 1):
        said = " ".join(tokens[index:index + size]).lower().rstrip(",.")
        possessive = said.endswith("'s") and said[:-2] == noun
        if said != noun and not possessive:
            continue
        after = tokens[index + size].lower() if index + size < len(tokens) else ""
        if after and after not in _FOLLOWERS and not possessive:
            continue  # "phone number": the noun goes on
        start = index
        for back in range(1, 4):  # "a booked appointment": the article and up to two words before
            if index - back < 0 or tokens[index - back].lower() in _NOT_ADJECTIVES:
                break
            if tokens[index - back].lower() in _ARTICLES:
                start = index - back
                break
        kept = [t for t in (tokens[start + 1:index] if start < index else []) if t.lower() not in _DROPPED]
        phrase = " ".join([*(["the"] if kept else []), *kept, noun, f"{{{ident}}}"])
        last = tokens[index + size - 1]
        ending = "'s" + last[len(last.rstrip(",.")):] if possessive else last[len(last.rstrip(",.")):]
        if possessive:
            ending = last[len(noun.split(" ")[-1]):]
        return " ".join([*tokens[:start], phrase + ending, *tokens[index + size:]])
    return None


def _name_value(action: str, param: Param) -> str | None:
    """`resolve ticket {id} with a resolution` -> `... with resolution {resolution}`: the
    action names the value's label (or a recipient-like first word of it)."""
    label = _label(param)
    said = _name_row(action, label, param.ident)
    first = label.split(" ")[0]
    if said is None and " " in label and first in K.PEOPLE_ROLES:
        said = _name_row(action, first, param.ident)
    return said


def _label(param: Param) -> str:
    """How a user names a value: by its name, or by its description when the name is cryptic."""
    name = human(param.spec.name)
    spoken = set(name.split())
    if not spoken & _ABBREVIATIONS and not spoken <= _VAGUE:
        return name
    text = re.split(r"[,.;(]| e\.g\.| like | to | for | that | which ", param.spec.description.strip(), maxsplit=1)[0]
    said = [w for w in text.split() if w.lower() not in ("the", "a", "an")]
    return " ".join(said).lower() if 0 < len(said) <= 4 and "{" not in text and "}" not in text else name


def _tail(rest: list[Param], plan: ToolPlan, env: EnvPlan) -> str:
    """The remaining required values: ` for loan {loanId}`, ` matching {q}`, ` with first name {firstName}`."""
    rows = [f"{_noun_of(p, plan, env)} {{{p.ident}}}" for p in rest if _noun_of(p, plan, env)]
    queries = [f"{{{p.ident}}}" for p in rest if p.role == "query" and not _noun_of(p, plan, env)]
    values = [f"{_label(p)} {{{p.ident}}}" for p in rest if p.role != "query" and not _noun_of(p, plan, env)]
    parts = []
    if rows:
        parts.append(" for " + _joined(rows))
    if queries:
        parts.append(" matching " + _joined(queries))
    if values:
        parts.append(" with " + _joined(values))
    return "".join(parts)


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
