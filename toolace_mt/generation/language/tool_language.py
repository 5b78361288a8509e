"""Language derived from the tools' own descriptions, for envs without phrasing hints.

A tool's description says what it does in the imperative ("Close a ticket.", "Get the
login status of the current user."); said by the user, it becomes the request ("close
ticket 12", "check my login status"). Raw tool names are never said: `ticket_login` is
no verb phrase. Parameters are described too ("User name of the user."), which names
the column a value comes from when the parameter's own name does not.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterable
from typing import Any

from sandbox import ToolSpec
from toolace_mt.generation.language.named_records import titled


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def described_columns(description: str, columns: Iterable[str], keys: Iterable[str] = ()) -> list[str]:
    """Columns a parameter's description names, longest first: "User name of the user."
    names `user_name` (its words in a row). A one-word column counts only when it is a
    table's key ("The stock symbol to add" names `symbol`): every description says
    "user" or "name" about something."""
    words = f" {' '.join(_words(description))} "
    keys = set(keys)
    found = [c for c in columns if ("_" in c or c in keys) and f" {' '.join(c.split('_'))} " in words]
    return sorted(found, key=lambda c: (-len(c), c))


_NUMBER = r"(-?\d+(?:\.\d+)?)"
_RANGES = [re.compile(rf"\bbetween\s+{_NUMBER}\b[^.;]*?\band\s+{_NUMBER}", re.I),
           re.compile(rf"\bfrom\s+{_NUMBER}\s+to\s+{_NUMBER}", re.I)]
_AT_MOST = re.compile(rf"\b(?:up to|at most|no more than|a maximum of|maximum of)\s+{_NUMBER}", re.I)
_MULTIPLE = re.compile(r"\bmultiple of\s+(\d+(?:\.\d+)?)", re.I)


def described_range(description: str) -> tuple[float, float, float | None] | None:
    """(low, high, step) a parameter's description gives ("between 0 (not pressed) and 1
    (fully pressed)", "from 1 to 5", "... and a multiple of 5"); None without a range."""
    for pattern in _RANGES:
        found = pattern.search(description or "")
        if found:
            low, high = sorted((float(found.group(1)), float(found.group(2))))
            step = _MULTIPLE.search(description)
            return low, high, (float(step.group(1)) if step is not None and float(step.group(1)) > 0 else None)
    most = _AT_MOST.search(description or "")
    if most is not None and float(most.group(1)) > 0:  # "can hold up to 50 gallons"
        return 0.0, float(most.group(1)), None
    return None


def described_number(description: str, integer: bool, rng: random.Random,
                     usual: tuple[float, float]) -> float | int | None:
    """A number in the described range (see described_range), when the `usual` range
    of guesses does not fit in it; None otherwise (the usual guess is fine)."""
    found = described_range(description)
    if found is None:
        return None
    low, high, step = found
    if low <= usual[0] and usual[1] <= high and step is None:
        return None
    if step is not None:
        count = int((high - low) // step)
        value = low + step * rng.randint(1 if count > 1 else 0, max(count, 0))
    elif integer:
        value = rng.randint(int(low), int(high))
    else:
        value = round(rng.uniform(low, high), 2)
    return int(value) if integer or float(value).is_integer() else value


# -- secrets ------------------------------------------------------------------------------
# A parameter whose value is a credential: the user may type it, nobody repeats it.
_SECRET_WORDS = {"password", "passwd", "passphrase", "passcode", "pin", "secret", "token", "otp", "cvv", "cvc"}
_SECRET_PAIRS = {("api", "key"), ("access", "key"), ("private", "key"), ("security", "code")}


def is_secret(param: str) -> bool:
    """Whether a parameter holds a credential, by the words of its name (`password`,
    `api_key`, `card_pin`, `auth_token`, `apiKey`)."""
    words = re.findall(r"[a-z]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", param).lower())
    return bool(_SECRET_WORDS & set(words)) or any(pair in itertools.pairwise(words)
                                                    for pair in _SECRET_PAIRS)


def secret_values(arguments: dict[str, Any]) -> list[str]:
    """The credential values among a call's arguments, as text (non-empty)."""
    return [str(v) for k, v in arguments.items() if is_secret(k) and str(v).strip()]


def without_secrets(arguments: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in arguments.items() if not is_secret(k)}


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every credential value in it said as "(hidden)"."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        text = re.sub(re.escape(secret), "(hidden)", text, flags=re.I)
    return text


# -- requests from descriptions ---------------------------------------------------------------
_USER = r"(?:the\s+)?(?:current(?:ly)?\s+(?:authenticated\s+|logged[- ]in\s+)?|authenticated\s+|logged[- ]in\s+)user"
_FIRST_PERSON = [
    # "Log out the current user" -> "log me out"; "Log in a user ..." -> "log me in ..."
    (re.compile(rf"^(log|sign)\s+(in|out)\s+(?:{_USER}|a\s+user|the\s+user)\b"), r"\1 me \2"),
    # "the login status of the current user" -> "my login status"
    (re.compile(rf"\b(?:the|a|an)\s+([\w ]+?)\s+of\s+{_USER}\b"), r"my \1"),
    (re.compile(rf"\b(by|for|to|from|of)\s+{_USER}\b"), r"\1 me"),
    # "Authenticate a user for ticket system" -> "authenticate me for ticket system"
    (re.compile(r"^(authenticate|identify|verify|log\s+in|sign\s+in)\s+(?:a|the)\s+user\b"), r"\1 me"),
    (re.compile(rf"\b{_USER}'s\b"), "my"),
    (re.compile(r"\bthe given\b"), "this"),
]
_ARTICLES = r"(?:a|an|the|this|a\s+specific|an\s+existing|the\s+specific|one)"
_CONDITIONS = re.compile(
    r"(?:,\s*(?:optionally|if|when|unless|or|and return|returning)\b.*|\s+by\s+its\s+(?:id|ID)\b.*)$", re.I)


def description(tool: ToolSpec) -> str:
    """What the tool does, one imperative clause: the description's first sentence
    (after a "Tool description:" preamble, as BFCL writes them), optional conditions cut
    ("..., optionally filtered by status"), lower case first, no final stop."""
    text = " ".join((tool.description or "").split())
    if "tool description:" in text.lower():
        text = text[text.lower().rindex("tool description:") + len("tool description:"):].strip()
    sentence = re.split(r"(?<=[a-z0-9)])\.\s", text + " ")[0].strip().rstrip(".").strip()
    sentence = _CONDITIONS.sub("", sentence).strip()
    # What follows a semicolon, a colon or a parenthesis explains the tool, it is not asked
    # for: "cancel a fill ...; the refill is given back", "read the coverage: payer, plan".
    sentence = re.split(r"\s*[;:(]|,\s+with\s+", sentence)[0].strip()
    if not sentence:
        return ""
    verb, _, rest = sentence.partition(" ")
    sentence = f"{imperative(verb)} {rest}".strip()
    return sentence[0].lower() + sentence[1:] if not sentence[:2].isupper() else sentence


def imperative(verb: str) -> str:
    """A description's third-person verb as a request says it: "Sets" -> "Set",
    "Presses" -> "Press", "Displays" -> "Display", "Copies" -> "Copy"; others as they are."""
    lower = verb.lower()
    if not lower.isalpha() or len(lower) < 4 or not lower.endswith("s") or lower.endswith(("ss", "us", "is")):
        return verb
    if lower.endswith("ies"):
        stem = verb[:-3] + "y"
    elif lower.endswith(("sses", "shes", "ches", "xes", "zes")):
        stem = verb[:-2]
    else:
        stem = verb[:-1]
    return stem


def first_person(phrase: str, who: str = "you", user_noun: str | None = None) -> str:
    """The clause as the user says it: the current user is "me" ("log me out", "my
    login status"), also by the env's own noun for its users (`user_noun` "diner": "the
    signed-in diner's orders" -> "my orders", "sign the current diner out" -> "sign me
    out"); when the user does it themself (`who` "me": "I need to ..."), "log in", not
    "log me in"."""
    # "Sign the member out", "Log a user in": whoever a session is signed in or out of is the user.
    phrase = re.sub(r"^(log|sign)\s+(?:the|a|an)\s+(?:[a-z-]+\s+)?[a-z]+\s+(in|out)\b", r"\1 me \2", phrase, flags=re.I)
    if user_noun:
        noun = re.escape(user_noun)
        noun = rf"{noun}(?:\s+(?:member|person))?"  # "a staff member" is the user as much as "a staff"
        phrase = re.sub(rf"\b(?:the|a|an|this)\s+(?:{_QUALIFIER}\s+)*{noun}'s\b", "my", phrase, flags=re.I)
        phrase = re.sub(rf"\b(?:the|a|an|this)\s+(?:{_QUALIFIER}\s+)*{noun}\b(?!\s+(?:ID|id|number)\b)", "me",
                        phrase, flags=re.I)
    # Whoever the API calls the caller ("the signed-in diner's", "the logged-in employee"): "my", "me".
    phrase = re.sub(rf"\bthe\s+(?:{_SELF_QUALIFIER}\s+)+[a-z]+'s\b", "my", phrase, flags=re.I)
    phrase = re.sub(rf"\bthe\s+(?:{_SELF_QUALIFIER}\s+)+[a-z]+\b", "me", phrase, flags=re.I)
    for pattern, replacement in _FIRST_PERSON:
        phrase = pattern.sub(replacement, phrase)
    if who.startswith("me"):
        phrase = re.sub(r"^(\w+) me (in|out|up)\b", r"\1 \2", phrase)
        phrase = re.sub(r"^(\w+) me\b\s*", r"\1 ", phrase).strip()
    return phrase


# Words an API puts before its name for the caller: "the current diner", "the signed-in employee".
_QUALIFIER = r"(?:current(?:ly)?|signed[- ]in|logged[- ]in|authenticated|calling)"
_SELF_QUALIFIER = r"(?:signed[- ]in|logged[- ]in|authenticated|calling)"
# Where a description's object ends: a preposition, a relative word, a verb of a clause, or the subject
# pronoun of a contact clause ("a ticket nobody has resolved yet", "a book they returned").
_OBJECT_ENDS = frozenset("""with from for to in on at by of into onto that which who whose where when while if
and or but than as is are was were be been being has have had can will would should may must not each every
newest oldest first last optionally including about me you i per via across within still already now only
just also what how whether why nobody somebody someone anyone anybody everyone everybody they we he she""".split())
# Words that open an object but name no thing: "a list of X", "the details of X" are X.
_TRANSPARENT = frozenset({"list", "details", "detail", "information", "info", "summary", "set", "collection",
                          "fields", "field"})
# Modifiers a person leaves out: "a specific ticket", "all historical messages", "available stock symbols".
_ING_NOUNS = frozenset({"thing", "things", "booking", "bookings", "setting", "settings", "listing", "listings",
                        "meeting", "meetings", "building", "buildings", "feed", "need", "needs"})
_IDLE = frozenset({"specific", "given", "existing", "historical", "available", "particular", "individual",
                   "current", "new", "own"})  # "the current speed" reads as the API's "the current user"
_DETERMINERS = frozenset({"a", "an", "the", "my", "this", "one", "some", "all", "any", "your", "its", "their",
                          "every", "each"})
MAX_OBJECT_WORDS = 2  # words of a description's object a request keeps after its determiner


def spoken_task(tool: ToolSpec, who: str = "you", user_noun: str | None = None) -> str:
    """What the user asks for, from the description as a person says it: its verb and the
    head of its object, never its whole clause ("Change the street address orders are
    delivered to" -> "change the street address"; "List a restaurant's menu items with
    prices" -> "list the menu items"; "The company holidays of the year." -> "get the
    company holidays"). The user cannot see the tool list, so its sentences are not theirs."""
    phrase = first_person(description(tool), "you", user_noun)
    words = phrase.split()
    if not words:
        return ""
    verb, rest = words[0], words[1:]
    text = " ".join((tool.description or "").split())
    if "tool description:" in text.lower():
        text = text[text.lower().rindex("tool description:") + len("tool description:"):].strip()
    opening = text.split()[:1]
    returns = not _is_verb(opening[0] if opening and words[0] != "my" else verb, tool.name, rest[0] if rest else "")
    if returns:  # a description that names only what it returns
        verb, rest = "get", [opening[0].lower().strip(".,;:"), *rest] if opening and words[0] != "my" else words
    head = [verb]
    if rest and rest[0].lower() == "me":  # "sign me in", "log me out"
        head.append(rest.pop(0))
    if rest and rest[0].lower() in ("in", "out", "up", "off", "for", "on", "into", "back"):  # "ask for", "log in to"
        head.append(rest.pop(0))
        if head[-1] in ("in", "out") and rest and rest[0].lower() in ("to", "of") and len(head) > 1:
            rest = []  # "log me in to HR self-service": the place is not asked for
    taken: list[str] = []
    determiner = ""
    index = 0
    while index < len(rest):
        word = rest[index]
        bare = word.lower().strip(",.;:")
        after = rest[index + 1].lower() if index + 1 < len(rest) else ""
        index += 1
        if not taken and bare in _TRANSPARENT and after == "of":  # "a list of X" is X
            determiner, index = "the", index + 1
            continue
        if not taken and bare in _DETERMINERS:  # "one of my requests": the last determiner counts
            determiner = f"{determiner} {bare}" if determiner.endswith(" of") else bare
            continue
        if not taken and determiner and bare == "of":
            determiner = f"{determiner} of"
            continue
        if bare in _OBJECT_ENDS or bare in _DETERMINERS or not re.fullmatch(r"[a-z][a-z'-]*", bare):
            if taken and bare in ("in", "out") and (after in _OBJECT_ENDS or not after or word[-1:] in ",.;:"):
                taken.append(bare)  # "check the guest in", "sign the member out": a particle, not a place
            break
        if bare.endswith("'s"):  # "a restaurant's menu items": the thing, not whose it is
            taken, determiner = [], "the"
            continue
        if taken and bare.endswith(("ed", "ing")) and not bare.endswith("eed") and bare not in _ING_NOUNS:
            break  # "tickets created by me", "messages containing ..."
        if bare in _IDLE and not taken:  # "available stock symbols"; "days available" keeps it
            continue
        kept = word.strip(",.;:")
        taken.append(kept if any(ch.isupper() for ch in kept[1:]) else bare)  # "GitHub", "API", not "github"
        if len(taken) >= MAX_OBJECT_WORDS or word[-1:] in ",.;:":
            break
    if determiner.endswith(" of") and not taken:
        determiner = ""
    if determiner in ("a", "an") and taken:
        determiner = "an" if taken[0][0] in "aeiou" else "a"
    if not taken and len(head) == 1:  # "pay what is still owed": no thing to name, the name's words say it
        return ""
    if len(head) == 2 and head[0].lower() in ("sign", "log") and head[1] in ("in", "out") and not taken:
        head.insert(1, "me")  # "Sign in with a member number": the user's own session ("sign me in")
    if returns and len(taken) == 1 and not determiner:  # "Colleagues in ... with approved time off": which ones
        which = _WITH.search(phrase)
        if which:
            taken.append(f"with {which.group(1)}")
    said = " ".join([*head, *([determiner] if determiner and taken else []), *taken])
    return first_person(said, who) if who.startswith("me") else said


# What says which of a bare plural a look-up returns: "with approved time off" (up to the next place or time).
_WITH = re.compile(r"\bwith ((?:[a-z-]+ ){0,3}?[a-z-]+)(?= (?:in|for|on|during|between|from|by|at)\b|[,.;]|$)")


def _is_verb(word: str, tool: str, after: str = "") -> bool:
    """Whether a description opens with a verb ("Cancel ...", "Authenticate a user"), not
    with the thing it returns ("The company holidays ...", "Colleagues in ...", "Statistics
    about ..."): a known verb, the tool name's first word, a word before a determiner, or
    any word that does not end like a plural noun."""
    from toolace_mt.generation.language import wording as w
    from toolace_mt.generation.language.verb_forms import WRITE_VERBS

    lower = word.lower()
    if lower in _DETERMINERS or lower in _QUESTION_WORDS:  # "When a session ... ends" names a time
        return False
    first = re.split(r"[_\W]+|(?<=[a-z])(?=[A-Z])", tool)[0].lower()
    if first in _READ_VERBS and lower != first and lower in WRITE_VERBS and lower not in _READ_VERBS:
        return False  # find_open_slots "Start times on one day ...": a look-up opens with what it returns
    known = lower == first or lower in w.TASK_VERBS or lower in WRITE_VERBS or lower in _READ_VERBS
    if not known and "-" in lower.strip("-") and after.lower().endswith("s"):
        return False  # "Self-help articles whose ...", "Low-stock items": a compound modifier before a plural
    return known or after.lower() in _DETERMINERS | {"me"} or not lower.endswith("s")


_QUESTION_WORDS = frozenset({"when", "where", "what", "which", "who", "whom", "whose", "why", "how", "whether"})
_READ_VERBS = frozenset("""list get show view find search count look ask see read fetch retrieve return tell give
work compute convert calculate estimate compare browse check track lookup query describe explain summarize
authenticate identify handle display""".split())


def referent(tool: ToolSpec) -> tuple[str, str] | None:
    """(parameter, noun) of the id the tool acts on: `ticket_id` described as "ID of the
    ticket to be closed" -> ("ticket_id", "ticket"); `receiver_id` -> ("receiver_id",
    "receiver"), also when the description says "User ID of the user ..." ("user")."""
    properties = tool.parameters.get("properties", {})
    for param in tool.parameters.get("required", []):
        if not param.endswith("_id") or param not in properties:
            continue
        nouns = [param[:-3].replace("_", " ")]
        said = re.search(r"\bID of (?:the|a|an)\s+(\w+)", properties[param].get("description") or "", re.I)
        if said:
            nouns.append(said.group(1).lower())
        return param, "|".join(re.escape(n) for n in nouns)
    return None


# A description's verb no person asks with: "read my record" is "pull up my record".
_SAID_VERBS = {"read": ["look at", "check", "pull up", "bring up"], "retrieve": ["look up", "pull up", "check"],
               "fetch": ["look up", "pull up", "check"], "return": ["look up", "check"]}

# A look-up of the user themselves, as the description's object becomes "me": "find me",
# "locate me", "track me down" read as a person asking to be found, not their record pulled up.
_FINDS_ME = re.compile(r"(?:find|locate|look|track|search(?: for)?|identify|get|fetch|retrieve|look up|track down)"
                       r" me(?: up| down| out)?", re.I)


def task(tool: ToolSpec, rng: random.Random, who: str = "you", ref: Any = None,
         user_noun: str | None = None) -> tuple[str, bool]:
    """(what the user asks for, from the description; whether `ref`, the value of the
    tool's referent, is said in it: "close ticket 12")."""
    from toolace_mt.generation.language import wording as w

    phrase = spoken_task(tool, who, user_noun)
    if not phrase:
        return "", False
    verb, _, rest = phrase.partition(" ")
    rest = re.sub(r"^one (?=[a-z])", "a ", rest)  # "Read one prescription": "look at a prescription"
    options = w.TASK_VERBS.get(verb.lower()) or _SAID_VERBS.get(verb.lower())
    if options and rest and not rest.startswith(("in ", "out ", "up ")):
        said = rng.choice(options)
        if " " in said and said.split()[-1] == rest.split()[0] and " " in rest:  # "search for" + "for messages"
            rest = rest.split(" ", 1)[1]
        head, _, particle = said.rpartition(" ")
        if head and particle in ("up", "down", "out") and rest.split()[0] in ("me", "it", "them"):
            said, rest = f"{head} {rest.split()[0]} {particle}", rest.partition(" ")[2]  # "track me down"
        phrase = f"{said} {rest}".strip()
    if _FINDS_ME.fullmatch(phrase):  # "find a patient by ..." said by the patient: not "track me down"
        phrase = rng.choice(["pull up my record", "look up my record", "find my record", "look up my details"])
    found = referent(tool)
    if ref is None or found is None or isinstance(ref, bool):
        return phrase, False
    nouns = found[1]
    pattern = re.compile(rf"\b{_ARTICLES}\s+(?:\w+\s+)?({nouns})\b(?!\s+ID\b)", re.I)
    if not pattern.search(phrase):
        return phrase, False
    return pattern.sub(lambda m: f"{m.group(1)} {ref}", phrase, count=1), True


def ask_sentence(tool: ToolSpec, rng: random.Random, ref: Any = None,
                 user_noun: str | None = None) -> tuple[str, bool]:
    """"Could you close ticket 12 for me?": a lead, the task said from the description,
    maybe a tail; and whether `ref` is in it. ("", False) when the tool has no description."""
    from toolace_mt.generation.language import wording as w

    lead, who = rng.choice(w.ASK_LEADS)
    yours = spoken_task(tool, "you", user_noun)
    if who.startswith("me") and re.search(r"\bme\b", yours) and not re.match(r"\w+ me (?:in|out|up)\b", yours):
        # "find me": not "I need to find" nor "I need to find me"; someone else does it
        lead, who = rng.choice([(lead, who) for lead, who in w.ASK_LEADS if who.startswith("you")])
    phrase, covered = task(tool, rng, who, ref, user_noun)
    if not phrase:
        return "", False
    tail = rng.choice(w.YOU_TAILS if who.startswith("you") else w.ME_TAILS)
    if lead == "How do I" or set(re.findall(r"\w+", tail)) & set(re.findall(r"\w+", f"{lead} {phrase}".lower())):
        tail = ""
    return f"{lead} {phrase}{tail}{'?' if who.endswith('?') else '.'}", covered


def refusal_topic(tool: ToolSpec) -> str:
    """What a refusal says cannot be done ("close a ticket"), from the description's verb
    and the head of its object: "request a refill", never the description's whole clause
    ("request a refill of an active prescription at a pharmacy, for pickup or delivery")."""
    if spoken_task(tool):
        return spoken_task(tool)
    from toolace_mt.generation.language import wording as w  # (wording imports this module)

    # a description that names no thing ("Pay what is still owed on one fine"): the name's words
    return w.task_phrase(tool.name, random.Random(tool.name), who="me") or "do that here"


def request(tool: ToolSpec, stated: dict[str, Any], rng: random.Random,
            user_noun: str | None = None) -> tuple[str, set[str]]:
    """The request's task sentence for a tool without phrasing hints, and the stated
    parameters it says (its referent, most of the time: "Could you close ticket 12?").
    `user_noun`: what the env calls the people who talk to it ("patient"): the user says
    "my refills", not "a patient's refills"."""
    found = referent(tool)
    value = stated.get(found[0]) if found is not None else None
    said = value if isinstance(value, str | int) and not isinstance(value, bool) and rng.random() < 0.7 else None
    if said is not None and titled(said):  # a title, quoted: 'reopen the ticket "Phone will not charge"'
        said = f'"{said}"'
    text, covered = ask_sentence(tool, rng, said, user_noun)
    if user_noun:
        text = re.sub(rf"\b(?:a|an|the|this)\s+{re.escape(user_noun)}'s\b", "my", text, flags=re.I)
        text = re.sub(rf"\b(?:a|an|the|this)\s+{re.escape(user_noun)}(?:\s+(?:member|person))?\b"
                      rf"(?!\s+(?:ID|id|number)\b)", "me", text, flags=re.I)  # "a staff member" is me too
    return text, ({found[0]} if covered and found is not None else set())


# -- parameter names from descriptions ------------------------------------------------------
# Words of a parameter's name that no person says: abbreviations, and the suffixes a spec
# compiler adds to a reserved name ("format" -> `format_value`).
_ABBREVIATIONS = frozenset({"num", "min", "max", "no", "nr", "qty", "cnt", "amt", "fmt", "val", "value", "desc",
                            "addr", "msg", "dt", "ts", "tz", "param", "arg", "str", "idx", "txt", "dest", "src"})
_BARE = frozenset({"to", "from", "in", "on", "at", "by", "for", "of", "with", "into", "via"})
_NAME_STOPS = frozenset({"to", "for", "that", "which", "used", "like", "in", "from", "with", "when", "if", "whose",
                         "being", "on", "by", "e", "eg", "such", "as", "or", "and", "is", "are", "will", "should"})
_ARTICLE = frozenset({"the", "a", "an", "this", "its", "their"})
# How a description opens that is no name of a thing: "Whether to ...", "Optional filter ...".
_NOT_NAMES = frozenset({"whether", "true", "false", "optional", "required", "set", "use", "specify", "enter",
                        "provide", "indicates", "determines", "controls", "filter"})


def awkward_name(param: str) -> bool:
    """A parameter name that is no phrase a person says: a bare preposition (`to`), one or
    two letters (`n`), or a name with an abbreviation (`num_days`, `format_value`)."""
    words = re.findall(r"[a-z]+|[A-Z][a-z]*", param)
    lowered = [w.lower() for w in words]
    if not lowered:
        return False
    if len(lowered) == 1 and (len(lowered[0]) <= 2 or lowered[0] in _BARE):
        return True
    return any(w in _ABBREVIATIONS for w in lowered)


def described_name(description: str) -> str | None:
    """The noun phrase a parameter's description opens with: "The number of days to
    forecast" -> "number of days", "Recipient email address" -> "recipient email address";
    None when it opens with no short phrase (1-4 words of letters)."""
    head = re.split(r"[,.;:()\[\]]|\be\.g\b", " ".join((description or "").split()), maxsplit=1)[0]
    words = head.split()
    while words and words[0].lower() in _ARTICLE:
        words = words[1:]
    taken = []
    for word in words:
        if word.lower() in _NAME_STOPS or not word.isalpha():
            break
        taken.append(word if word.isupper() and len(word) > 1 else word.lower())
    if not 1 <= len(taken) <= 4 or taken[-1] == "of" or taken[0] in _NOT_NAMES:
        return None
    return " ".join(taken)


def spoken_names(tools: Iterable[ToolSpec], keep: Iterable[str] = ()) -> dict[str, str]:
    """What a person calls each parameter whose name is awkward (see awkward_name), from
    its description: {"num_days": "number of days", "to": "recipient email address"}.
    Names in `keep` (a search's words, a count: said their own way) are left out."""
    kept = set(keep)
    names: dict[str, str] = {}
    for tool in tools:
        for param, schema in (tool.parameters.get("properties") or {}).items():
            if param in kept or param in names or not isinstance(schema, dict) or not awkward_name(param):
                continue
            said = described_name(str(schema.get("description") or ""))
            if said and said.replace(" ", "_") != param.lower():
                names[param] = said
    return names
