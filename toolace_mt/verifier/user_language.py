"""`user_language`: the user writes like a person who cannot see the tool list.

- `description_echo`: a user turn repeats five or more consecutive words of a listed
  tool's description or of a parameter's ("could we sign the current diner out?",
  "order a menu item from an open restaurant, delivered to my address or for pickup").
  The user never sees the tool list, so a person does not say its sentences; words the
  assistant said earlier in the dialogue may be repeated. Also the description's name
  for the caller ("the signed-in diner's orders", "the current employee"): a person says
  "my orders", "me".
- `form_filling`: one user turn fills in two or more parameters by name, like a form
  ("The start date would be 2026-09-03, and the leave type would be unpaid.", "the order
  number would be #W1216 and the reason would be other"): "the <parameter> is / would be /
  should be / needs to be <value>" with a listed tool's parameter names: three in one
  turn, or two when one is said as only a form is ("would be", "should be", "on my side
  is"). "The username is X and the password is Y" is how people talk. One clause is a form
  too when it wishes a value for an enum or a key parameter by its name ("The reason should
  be other.", "The patient ID should be PT1050.", "Could the fulfilment be pickup?", "I'd
  like the reason to be filled elsewhere"), or hedges any parameter's value ("Ideally the
  cardnumber would be 23000781", "If possible, the payment type should be card").
- `self_answered`: the user asks themselves for a value and gives it in the same turn ("And
  the pin? 7745.", "And the request ID? RX20010.", "Oh, the username? That's ksummers6."):
  a form filled in aloud. Echoing what the assistant just asked ("My email? It's ...") is
  an answer.
- `broken_sentence`: a request with no verb where English needs one ("I was hoping you
  could the company holidays of the year", "Trying to the logged-in employee's days",
  "go ahead and the ...") or whose subject and object are one person twice ("Can I log me
  in?", "I want to sign me in", "helping me sign me in").
"""

from __future__ import annotations

import re

from toolace_mt.record import AssistantMessage, UserMessage
from toolace_mt.verifier.dialogue import Dialogue, Failure
from toolace_mt.verifier.evidence import normalise
from toolace_mt.verifier.finding import Finding, FindingKind
from toolace_mt.verifier.id_fields import name_words
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.told import MAX_TEXT, identifier_field, tool_properties

CHECK = "user_language"
KINDS = (
    FindingKind("description_echo", CHECK, False,
                "the user repeats a tool's description (words only the tool list holds)"),
    FindingKind("form_filling", CHECK, False,
                "the user fills in parameters by name (\"the start date would be X, the leave type would be Y\", "
                "\"The reason should be other.\")"),
    FindingKind("broken_sentence", CHECK, False,
                "an ungrammatical request (\"could you the holidays\", \"Can I log me in?\")"),
    FindingKind("self_answered", CHECK, False,
                "the user asks themselves for a value and answers it (\"And the pin? 7745.\")"),
)
# "And the pin? 7745.", "Oh, the username? That's ksummers6.": a bare noun asked, then its value
# given in the same turn, as a form is filled in. A value holds a digit or an @, or is one word.
_SELF_ASKED = re.compile(
    r"(?:^|(?<=[.!?\n]))[ \t]*(?:(?:and|oh|also|so|plus|now|ah|um|right|then)[ \t]*,?[ \t]+)?"
    r"(?P<noun>(?:the|my|your) (?:[A-Za-z'-]+ ){0,3}[A-Za-z'-]+)\?[ \t]+"
    r"(?:(?:that's|that is|it's|it is|thats|its|yes|yeah|sure)[ \t]*,?[ \t]+)?"
    r"(?P<value>[\w.+#-]*\d[\w.+#-]*|[\w.+-]+@[\w.-]+|[A-Z]?[a-z]+\d*)[ \t]*(?:[.!]|$)", re.I)

ECHO_WORDS = 5  # this many consecutive words of a description, in a user turn, are the description
CONTENT_WORDS = 3  # of which this many are not function words
# How an API names the person calling it: "the signed-in diner's orders", "the current employee".
# "current" also qualifies things ("the current speed"), so with it only a person's noun counts.
_PEOPLE = ("user|employee|member|customer|diner|patient|client|guest|driver|player|student|owner|account holder|"
           "shopper|buyer|seller|rider|passenger|traveller|traveler|subscriber|caller|agent|staff member|person")
_SELF_AS_API = re.compile(r"\bthe (?:(?:logged[- ]in|signed[- ]in|authenticated|calling) [a-z]+|current (?:"
                          + _PEOPLE + r"))(?:'s)?\b", re.I)
_CLAUSE_END = re.compile(r"[.;:!?,()\[\]\n\"“”]")
MAX_DESCRIPTION = 2_000  # characters read of one description (records are hostile input)
MAX_TOOLS = 200
_WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")
# Words that make a run of description words a phrase anyone says ("the status of the order").
_FUNCTION = frozenset("""a an the of to for in on at by with from and or is are be it its this that these
those as if not no my your our their his her i you we me us them can could would will should may
please so do does did has have had was were all any each one""".split())

# "the <parameter> is <value>" clauses in one user turn that make it a form: this many plain
# ones ("the username is X and the password is Y" is how people give credentials), or two
# when one is said as a form is ("would be", "should be", "on my side is").
FORM_CLAUSES = 3
FORM_CLAUSES_STILTED = 2
_FORM_VERB = (r"(?P<how>\s+(?:on my (?:side|end)|i have|in question|here|to use))?\s*(?:,\s*which\s+)?"
              r"(?:(?P<plain>is|are|was|'s)|would be|should be|will be|is going to be|has to be|have to be|needs to be|"
              r"must be|ought to be|says|reads)\s+\S")
# A modal or "to" followed straight by a noun phrase: the verb of the request is missing.
_NO_VERB = re.compile(
    r"\byou (?:could|can|would|will|might)(?: please| kindly)? (?:the|a|an|my|your|this|that|these)\b"
    r"|\b(?:want|wants|wanted|need|needs|like|trying|hoping|able|wish) to (?:the|a|an|my|your)\b"
    r"|\bgo ahead and (?:the|a|an|my|your)\b", re.I)
# One person as subject and object of one verb: "Can I log me in?", "I want to sign me in".
_SELF_TWICE = re.compile(
    r"\b(?:can|could|may|shall|should|will|would|do|did) I (?!get\b)[a-z]+ me\b"
    r"|\bI(?:'m| am|'d| would| want| need| was)?\b(?:(?!\b(?:you|someone|somebody|us|them|him|her)\b)[^.!?\n])"
    r"{0,40}?\bto (?!get\b)[a-z]+ me (?:in|out|up|on|off)\b"
    r"|\bhelp(?:ing)? me (?!get\b)[a-z]+ me\b", re.I)


def _clauses(text: str) -> list[list[str]]:
    """The words of each clause (a run never spans a comma or a sentence's end)."""
    return [_WORD.findall(part) for part in _CLAUSE_END.split(text[:MAX_TEXT].casefold().replace("’", "'"))]


def word_runs(text: str) -> set[tuple[str, ...]]:
    """The runs of `text` that description_echo compares (for a check reading other turns)."""
    return _runs(text)


def listed_descriptions(dialogue: Dialogue) -> list[str]:
    """The descriptions of the record's listed tools and of their parameters."""
    return _descriptions(dialogue)


def _descriptions(dialogue: Dialogue) -> list[str]:
    texts = []
    for tool in list(dialogue.tools.values())[:MAX_TOOLS]:
        function = tool.get("function") if isinstance(tool, dict) else None
        description = function.get("description") if isinstance(function, dict) else None
        if isinstance(description, str):
            texts.append(description[:MAX_DESCRIPTION])
        for spec in list(tool_properties(tool).values())[:MAX_TOOLS]:
            if isinstance(spec, dict) and isinstance(spec.get("description"), str):
                texts.append(spec["description"][:MAX_DESCRIPTION])
    return texts


def _runs(text: str) -> set[tuple[str, ...]]:
    """The ECHO_WORDS-word runs of a text's clauses holding CONTENT_WORDS or more words that
    are not function words ("add a tip for the" is how anyone asks; "sign the current diner
    out" is a description's)."""
    found = set()
    for words in _clauses(text):
        for i in range(len(words) - ECHO_WORDS + 1):
            run = tuple(words[i:i + ECHO_WORDS])
            if sum(w not in _FUNCTION for w in run) >= CONTENT_WORDS:
                found.add(run)
    return found


def described_runs(descriptions: list[str]) -> frozenset[tuple[str, ...]]:
    """The word runs of `descriptions` that description_echo looks for in a user's turn
    (computed once per env by a generator, not per turn)."""
    described: set[tuple[str, ...]] = set()
    for description in descriptions[:MAX_TOOLS * 4]:
        described |= _runs(description[:MAX_DESCRIPTION])
    return frozenset(described)


def echoed_run(text: str, descriptions: list[str] | frozenset[tuple[str, ...]]) -> str | None:
    """The first run of `text` that repeats one of `descriptions` (what description_echo
    finds), for a generator that words turns to leave such text out; `descriptions` may be
    their runs already (described_runs)."""
    described = descriptions if isinstance(descriptions, frozenset) else described_runs(descriptions)
    return next((" ".join(run) for run in _runs(text) if run in described), None)


def _parameter_names(dialogue: Dialogue) -> list[str]:
    """Spoken parameter names of the listed tools ("start date", "leave type", "order id"),
    and an id's other name ("order number")."""
    names: set[str] = set()
    for tool in list(dialogue.tools.values())[:MAX_TOOLS]:
        for param in list(tool_properties(tool))[:MAX_TOOLS]:
            spoken = re.sub(r"[_\W]+", " ", str(param)[:60]).strip().casefold()
            if spoken:
                names.add(spoken)
                if spoken.endswith(" id"):
                    names.add(spoken[:-3] + " number")
    return sorted(names, key=len, reverse=True)


def _form(text: str, names: list[str]) -> list[str]:
    """The parameter names a text fills in like a form ("the <name> would be <value>"); []
    when its clauses are few or plain enough to be speech."""
    if not names:
        return []
    pattern = re.compile(r"\bthe (" + "|".join(re.escape(n) for n in names) + r")" + _FORM_VERB, re.I)
    filled: dict[str, bool] = {}  # name -> said the way a form is
    for match in pattern.finditer(text[:MAX_TEXT]):
        stilted = match["how"] is not None or match["plain"] is None
        filled[match.group(1).casefold()] = filled.get(match.group(1).casefold(), False) or stilted
    if len(filled) >= FORM_CLAUSES or (len(filled) >= FORM_CLAUSES_STILTED and any(filled.values())):
        return sorted(filled)
    return []


# What a form asks for by a word ("And the city? Fairview."): a value without a digit counts after these.
_DATA_NOUNS = frozenset({"name", "username", "login", "email", "city", "town", "zip", "code", "pin", "password",
                         "id", "number", "reason", "type", "surname", "address", "street", "state", "country",
                         "method", "category", "status", "priority", "urgency", "fulfilment", "fulfillment", "plan"})


def _self_asked(text: str, previous: str) -> tuple[str, str, str] | None:
    """The first "the <noun>? <value>" of `text` whose noun the assistant's latest text did not
    ask for: (what was said, the noun, the value)."""
    for match in _SELF_ASKED.finditer(text[:MAX_TEXT]):
        noun = match["noun"].split(" ", 1)[1].casefold()
        if noun.split()[-1] in previous.casefold():
            continue
        if not re.search(r"[\d@]", match["value"]) and noun.split()[-1] not in _DATA_NOUNS:
            continue  # "Remember the party? Great." is talk
        return match.group().strip(), noun, match["value"]
    return None


# One value wished for a parameter by its name: "the reason should be other", "Ideally the cardnumber
# would be 23000781", "I'd like the reason to be filled elsewhere", "Could the fulfilment be pickup?".
_HEDGE = r"(?:ideally|preferably|if possible|if you can|hopefully)"
_WISH_VERB = (r"(?:\s+(?:on file|in question|to use|here))?\s+(?:should|would|could|ought to|needs? to|has to|must|"
              r"will)\s+be\s+")
_WISH_VALUE = r"(?P<value>[\"'“‘]?[\w@#.'’-]+(?: [\w'’-]+){0,3})"


def _wishable(dialogue: Dialogue) -> dict[str, tuple[str, ...]]:
    """Parameters one does not wish a value for, by spoken name: an enum (-> its values,
    spoken) and a record's key or an identifier (-> ())."""
    wishes: dict[str, tuple[str, ...]] = {}
    for tool in list(dialogue.tools.values())[:MAX_TOOLS]:
        for name, schema in list(tool_properties(tool).items())[:MAX_TOOLS]:
            said = " ".join(name_words(str(name)))
            enum = schema.get("enum") if isinstance(schema, dict) else None
            if not said:
                continue
            if isinstance(enum, list):
                wishes[said] = tuple(normalise(re.sub(r"[_-]+", " ", v)) for v in enum[:50] if isinstance(v, str))
            elif identifier_field(str(name)):
                wishes.setdefault(said, ())
    return wishes


def _wished(text: str, wishes: dict[str, tuple[str, ...]], names: list[str]) -> str | None:
    """The first phrase of `text` wishing a value for an enum or a key parameter by its name
    ("The reason should be other.", "The patient ID should be PT1050."), or hedging any
    parameter's value ("Ideally the X would be Y"); None if none."""
    if not names:
        return None
    every = "|".join(re.escape(n) for n in names)
    keyed = "|".join(re.escape(n) for n in sorted(wishes, key=len, reverse=True))
    patterns = [rf"\b{_HEDGE},?\s+the (?P<name>{every}){_WISH_VERB}{_WISH_VALUE}"]
    if keyed:
        patterns += [rf"\bthe (?P<name>{keyed}){_WISH_VERB}{_WISH_VALUE}",
                     rf"\bI'?d (?:like|love|want|prefer) the (?P<name>{keyed}) to be\s+{_WISH_VALUE}",
                     rf"\b(?:could|can) (?:you make )?the (?P<name>{keyed}) be\s+{_WISH_VALUE}",
                     rf"\bmake the (?P<name>{keyed}) {_WISH_VALUE}"]
    for n, pattern in enumerate(patterns):
        for match in re.finditer(pattern, text[:MAX_TEXT], re.I):
            if n == 0:
                return match.group().strip()
            enum = wishes.get(match["name"].casefold(), ())
            said = normalise(re.sub(r"[_-]+", " ", match["value"].strip("\"'“”‘’").rstrip(".,;:!?")))
            if not enum or any(said == v or said.startswith(v + " ") for v in enum if v):
                return match.group().strip()
    return None


def find(dialogue: Dialogue, policy: EnvPolicy) -> list[Finding]:
    findings: list[Finding] = []
    names = _parameter_names(dialogue)
    wishes = _wishable(dialogue)
    described: set[tuple[str, ...]] = set()
    api_self: set[str] = set()  # "the signed-in diner's": how the descriptions name the caller
    for text in _descriptions(dialogue):
        described |= _runs(text)
        api_self |= {m.group(0).casefold().replace("’", "'") for m in _SELF_AS_API.finditer(text)}
    said: set[tuple[str, ...]] = set()  # runs the assistant said: the user may repeat them
    said_api: set[str] = set()
    previous = ""  # the latest assistant text: a user echoing its question ("My email? It's ...") answers it
    for index, message in enumerate(dialogue.messages):
        content = message.content if isinstance(message.content, str) else ""
        if isinstance(message, AssistantMessage):
            if content.strip():
                previous = content[-MAX_TEXT:]
            said |= _runs(content)
            said_api |= {m.group(0).casefold().replace("’", "'") for m in _SELF_AS_API.finditer(content[:MAX_TEXT])}
            continue
        if not isinstance(message, UserMessage):
            continue
        runs = (described & _runs(content)) - said
        echoed = " ".join(min(runs)) if runs else next(
            (m.group(0) for m in _SELF_AS_API.finditer(content[:MAX_TEXT])
             if m.group(0).casefold().replace("’", "'") in api_self - said_api), None)
        if echoed is not None:
            findings.append(Finding("description_echo", f"message {index} repeats a tool's description "
                                    f"(\"{echoed}\"): the user cannot see the tool list; say what "
                                    "they want in their own words", index))
        filled = _form(content, names)
        wish = None if filled else _wished(content, wishes, names)
        if filled:
            findings.append(Finding("form_filling", f"message {index} fills in {', '.join(filled)} like a form "
                                    "(\"the <parameter> is ...\"): say what you want as a person does", index))
        elif wish is not None:
            findings.append(Finding("form_filling", f"message {index} wishes a value for a parameter by its name "
                                    f"(\"{wish}\"): a person says what they want (\"I got it filled elsewhere\", "
                                    "\"I'll pay by card\") and gives an id as a fact (\"my patient ID is PT1050\")",
                                    index))
        asked = _self_asked(content, previous)
        if asked is not None:
            findings.append(Finding("self_answered", f"message {index} asks itself for a value and answers it "
                                    f"(\"{asked[0]}\"), as a form is filled in: say it (\"my {asked[1]} is "
                                    f"{asked[2]}\")", index))
        broken = _NO_VERB.search(content[:MAX_TEXT]) or _SELF_TWICE.search(content[:MAX_TEXT])
        if broken is not None:
            findings.append(Finding("broken_sentence", f"message {index} is not English (\"{broken.group(0)}\"): "
                                    "a verb is missing, or the user is subject and object at once", index))
    return findings


def check(dialogue: Dialogue, policy: EnvPolicy) -> list[Failure]:
    return [Failure(CHECK, f.message, f.message_index) for f in find(dialogue, policy)]
