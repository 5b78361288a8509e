"""`persona`: the user is one person who talks like a person.

- `signoff_name`: the names the user signs or introduces themselves with ("Warmly,
  Aimee.", "this is Kara Haas") differ between messages, or are not the account
  holder's (the row of the env's USER_TABLE the dialogue's look-ups returned).
- `parameter_talk`: the user talks in parameter or enum terms: a snake_case word
  ("no_longer_needed"), "the <thing> to use is ...", a parameter's name as a label
  ("Unread only: yes", "include cancelled: no"), or a parameter's name answered yes/no
  ("Include past - yes.", "Favorite, yes."); a search or paging parameter filled in like a
  form ("Use candle for the search words, and 3 for the limit", "search term allen",
  "the limit is 1"), or values mapped onto parameters like a form ("Port Bradleyberg for
  the city"); a flag's name used as a noun ("leave include past off"); a field
  name that is no English phrase read aloud ("repeat the invited at"), or a glued one
  ("the cardnumber").
- `dictated_internal`: the user dictates the input of an internal tool (a calculator,
  a scratchpad: a tool named calculate/think/..., or with an `expression`/`thought`
  parameter) that a call then uses word for word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from toolace_mt.record import UserMessage
from toolace_mt.verifier.dialogue import Dialogue, Failure
from toolace_mt.verifier.evidence import normalise
from toolace_mt.verifier.finding import Finding, FindingKind
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.told import (
    MAX_TEXT,
    Told,
    awkward_field,
    glued_field,
    leaves_with_keys,
    snake_words,
    tool_properties,
)

CHECK = "persona"
KINDS = (
    FindingKind("signoff_name", CHECK, False,
                "the user's sign-off name is not the account holder's, or changes mid-dialogue"),
    FindingKind("parameter_talk", CHECK, False, "the user talks in parameter or enum terms"),
    FindingKind("dictated_internal", CHECK, False, "the user dictates the input of an internal tool"),
    FindingKind("identity_change", CHECK, False, "the user acts as two different accounts in one dialogue"),
)
# Tools that sign a user in: the account they name is who the user is.
_LOGIN_TOOL = re.compile(r"(?:^|_)(?:login|log_in|logon|signin|sign_in|authenticate|auth)(?:_|$)")

# A title ("Dr. Chloe Foster") is not the name: the person is Chloe Foster.
_TITLE = r"(?:(?:Dr|Mr|Mrs|Ms|Mx|Miss|Prof|Sir)\.?\s+(?=[A-Z][a-z]))?"
_NAME = _TITLE + r"(?P<name>[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?(?: [A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?)?)"
_SIGNOFF = re.compile(
    r"(?:^|[.!?\n]\s*|,\s*)(?i:thanks(?: again| a lot| so much| heaps| a bunch| very much)?|thank you(?: so much)?|"
    r"many thanks|cheers|best(?: regards| wishes)?|all the best|kind regards|regards|warmly|warm regards|"
    r"take care|talk soon|sincerely|yours|love|thx|ta)[\s,!.\-–—]*" + _NAME + r"\s*[.!]?\s*$")
# A dash sign-off follows a sentence's end ("Thanks!\n- Ann"); "add a payee - Joe Hartman" names the payee.
_DASH = re.compile(r"(?:^|[.!?\n])\s*[-–—]{1,2}\s*" + _NAME + r"\s*[.!]?\s*$")
_INTRO = re.compile(r"\b(?i:i'm|i am|this is|my name is|my name's)\s+" + _NAME + r"\b")
_NOT_NAMES = frozenset("""I Hi Hello Hey Thanks Thank Please Sorry Yes No Okay Ok Sure Great Good Monday Tuesday
Wednesday Thursday Friday Saturday Sunday January February March April May June July August September October
November December Just Still Also Here There The This That Not Calling Writing Back Again Done
Dr Mr Mrs Ms Mx Miss Prof Sir""".split())
_TO_USE = re.compile(r"\bthe [a-z][a-z ]{0,40}? to use (?:is|are|should be|will be)\b", re.I)
# [ \t]*, not \s*: from each of a run of newlines, \s* would read the whole run (quadratic).
_LABEL = re.compile(r"(?:^|(?<=[.!?;\n]))[ \t]*(?P<label>[A-Za-z][A-Za-z ]{1,30}?)[ \t]*(?::|\s-|,)[ \t]*"
                    r"(?P<value>[^\s.;,!?]+)")
_FLAG = frozenset({"yes", "no", "true", "false"})
# Parameters that steer a search or a listing rather than name a thing: users say what they
# want ("messages about candle, the three latest"), not how the form is filled in.
_SEARCH_PARAMS = frozenset({"query", "q", "search", "search_query", "search_term", "search_terms", "keyword",
                            "keywords", "term", "terms"})
_SEARCH_WORDS = r"(?:search (?:words?|terms?|query|string|text)|query|keywords?)"
_COUNT_PARAMS = frozenset({"limit", "max_results", "page_size", "offset", "top_k", "top_n", "max_items"})
# "<value> for the <parameter>": a literal (digits, quoted, capitalised) or a word after a verb of filling in.
_FOR_THE = re.compile(r"(?:(?:\b(?:use|put|write|enter|try|set|go with|it's|it is|have|want|like|prefer)\s+)"
                      r"(?P<word>[\w@.#$'-]+)|"
                      # only at a token's start: a long token is scanned once, not from each of its characters
                      r"(?<![\w@.#$'-])(?P<literal>\"[^\"]{1,60}\"|“[^”]{1,60}”|'[^']{1,60}'|(?=[\w@.#$-]*\d)[\w@.#$-]+|"
                      r"[A-Z][\w.'-]*(?: [A-Z0-9][\w.'-]*){0,3}))\s+(?:for|as) the "
                      r"(?P<label>[A-Za-z][A-Za-z ]{1,40}?)(?=\s*(?:[,.;!?)]|\band\b|$))")
_VERB = r"\s*(?:is|are|=|:|would be|should be|will be|can be)\s+"
_NOTED_NOUNS = frozenset({"id", "ids", "number", "numbers", "code", "reference", "name", "email", "address"})
# "2026-06-25T15:30": a timestamp as a program writes it, never as a person types it.
_TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# A value noted down for a parameter, or a parameter that "reads" a value: a form read out.
_NOTED_AS = re.compile(r"(?<![\w@.#$'-])[\w@.#$'-]+\s+(?:written down|noted down|jotted down|noted)\s+as\s+the\s+"
                       r"(?P<label>[A-Za-z][A-Za-z ]{1,30}?)(?=\s*(?:[,.;!?)]|\band\b|$))"
                       r"|\bthe\s+(?P<label2>[A-Za-z][A-Za-z ]{1,30}?)\s+reads\s+[\w@.#$'-]+", re.I)
_WORD_VALUE = r"[\"'“‘]?[\w@.'’-]+[\"'”’]?"
_INTERNAL_TOOL = re.compile(r"^(?:calculate|calculator|compute|think|reason|reflect|evaluate|scratchpad)$")
_INTERNAL_PARAM = frozenset({"expression", "thought", "formula", "scratchpad"})


def _persona_names(text: str) -> list[str]:
    names = []
    ending = text.strip()[-120:]  # a sign-off ends the message
    for pattern in (_SIGNOFF, _DASH):
        match = pattern.search(ending)
        if match:
            names.append(match["name"])
    names += [m["name"] for m in _INTRO.finditer(text)]
    return [n for n in names if n.split()[0] not in _NOT_NAMES]


def _holder_names(dialogue: Dialogue, policy: EnvPolicy) -> list[str] | None:
    """First and last name of the first USER_TABLE row a read showed (None: unknown). A
    row of another table that points at the user (a payee's {payee_id, customer_id, name})
    is not the user: the holder's row has no id of its own besides the user key."""
    if not policy.user_key:
        return None
    for site in dialogue.calls:
        if site.output_text is None or site.failed or policy.is_write(site.name):
            continue
        out = site.output
        candidates = out if isinstance(out, list) and len(out) == 1 else [out]
        for item in candidates:
            if isinstance(item, dict) and policy.user_key in item and not _has_own_id(item, policy.user_key):
                names = _names_in(item)
                if names:
                    return names
    return None


def _has_own_id(row: dict[str, Any], user_key: str) -> bool:
    return any(key != user_key and (key == "id" or key.endswith("_id")) and isinstance(value, str) and value
               for key, value in row.items())


def _named_by_writes(dialogue: Dialogue, policy: EnvPolicy) -> set[str]:
    """Names a write stores for someone else (a payee, a contact, a recipient): a user who
    says "... - Joe Hartman" while adding Joe Hartman names the payee, not themselves."""
    if not policy.known:
        return set()
    return {normalise(value) for site in dialogue.calls if policy.is_write(site.name)
            for value in (site.arguments or {}).values() if isinstance(value, str) and value.strip()}


def _names_in(row: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for key, value in row.items():
        if isinstance(value, dict) and key == "name":
            names += [str(v) for v in value.values() if isinstance(v, str)]
        elif isinstance(value, str) and key in ("first_name", "last_name", "name", "full_name"):
            names += value.split()
    return [n.casefold() for n in names if n]


def _parameter_names(dialogue: Dialogue) -> set[str]:
    names: set[str] = set()
    for tool in dialogue.tools.values():
        names.update(str(name).casefold() for name in tool_properties(tool))
    return names


@dataclass(frozen=True)
class FormTerms:
    """What a user who fills in the tools' form instead of talking would say: the spoken
    names of the search and count parameters, of the flags, and of the fields whose name
    is no English phrase ("invited at", "from balance after")."""

    search: str | None  # a regex alternation, None when no tool searches
    counts: str | None
    flags: tuple[str, ...]
    fields: tuple[str, ...]
    labels: frozenset[str] = frozenset()  # every parameter's spoken name, with and without "id"

    @classmethod
    def of(cls, dialogue: Dialogue) -> FormTerms:
        search: set[str] = set()
        counts: set[str] = set()
        flags: set[str] = set()
        fields: set[str] = set()
        labels: set[str] = set()
        for tool in dialogue.tools.values():
            for name, schema in tool_properties(tool).items():
                key = str(name).casefold()
                if key in _SEARCH_PARAMS:
                    search.add(re.escape(key.replace("_", " ")))
                if key in _COUNT_PARAMS:
                    counts.add(re.escape(key.replace("_", " ")))
                flag = isinstance(schema, dict) and schema.get("type") == "boolean"
                if "_" in key and (flag or key.startswith("include_") or key.endswith("_only")):
                    flags.add(key.replace("_", " "))
                fields.add(key)
                spoken = key.replace("_", " ")
                labels.update({spoken, spoken.removesuffix(" ids").removesuffix(" id")})
        for site in dialogue.calls:
            if site.output_text is not None:
                fields.update(str(k).casefold() for k, _ in leaves_with_keys(site.output) if k)
        awkward = {f.replace("_", " ") for f in fields if "_" in f and awkward_field(f)} | \
            {f for f in fields if glued_field(f)}
        return cls("|".join(sorted(search | {_SEARCH_WORDS})) if search else None,
                   "|".join(sorted(counts)) or None, tuple(sorted(flags)), tuple(sorted(awkward)),
                   frozenset(label for label in labels if label))


def _a_parameter(label: str, labels: frozenset[str]) -> bool:
    """The words name a parameter, or share a word of 4+ letters with one ("item numbers")."""
    said = normalise(label)
    words = {w.rstrip("s") for w in said.split() if len(w) >= 4}
    return said in labels or any(words & {w.rstrip("s") for w in name.split() if len(w) >= 4} for name in labels)


def _form_filling(text: str, terms: FormTerms) -> str | None:
    """The first phrase of `text` that fills in a search, count or flag parameter like a
    form field, or reads out a field name that is no phrase; None if there is none."""
    for words, value in ((terms.search, _WORD_VALUE), (terms.counts, r"\d{1,3}\b(?![,.]\d)")):
        if words is None:
            continue
        label = rf"(?:the |a )?(?:other |another |second )?(?:{words})"
        for pattern in (rf"\b{label}{_VERB}{value}",  # "the limit is 1"
                        # "candle for the search words" (from a token's start: linear on a long token)
                        rf"(?<![\w@.'’-]){value}\s+(?:for|as) (?:the )?(?:other )?(?:{words})\b",
                        rf"\bfor the (?:other )?(?:{words})\s*[,:]?\s*(?:use|it's|it is|go with|try|put)\s+{value}",
                        # a bare label and its value between commas: "search words robert, company Roy"
                        rf"(?:^|(?<=[,.;:!?])|\band\b|\bwith\b)\s*{label}\s+{value}(?=\s*(?:[,.;!?]|\band\b|$))"):
            found = re.search(pattern, text, re.I)
            if found:
                return found.group().strip(" ,")
    # a quoted text of 5+ words is a message or a title dictated as it should read: 'Use "Lunch
    # with the new team on Friday" as the subject' is how people say it
    filled = [m for m in _FOR_THE.finditer(text) if _a_parameter(m["label"], terms.labels)
              and not (m["literal"] and m["literal"][0] in "\"“'" and len(m["literal"].split()) >= 5)]
    exact = [m for m in filled if normalise(m["label"]) in terms.labels]
    if exact or len(filled) >= 2:  # "Use 3788616824 for the item numbers, and 2106335193 for the new items"
        return (exact or filled)[0].group().strip()
    for match in _NOTED_AS.finditer(text):  # "I have completed written down as the status", "the user reads USR007"
        label = normalise(match["label"] or match["label2"])
        # an id or a number is what people do note down ("I have USR003 written down as the receiver ID")
        if label in terms.labels and not (match["label"] and label.split()[-1] in _NOTED_NOUNS):
            return match.group().strip()
    for flag in terms.flags:
        spoken = re.escape(flag)
        found = re.search(rf"\b(?:be|leave|set|turn|keep|the|make it|have it)\s+{spoken}\b|\b{spoken}\s+(?:on|off)\b",
                          text, re.I)
        if found:
            return found.group()
    for name in terms.fields:
        found = re.search(rf"\b(?:the|which|what|your|my) {re.escape(name)}(?=\s*(?:[?.!,;:)]|$)|\s+(?:is|was|"
                          r"again)\b)", text, re.I)
        if found:
            return found.group()
    return None


def _internal_tools(dialogue: Dialogue) -> set[str]:
    internal = set()
    for name, tool in dialogue.tools.items():
        if not isinstance(name, str):
            continue
        properties = tool_properties(tool)
        if _INTERNAL_TOOL.match(name.casefold()) or _INTERNAL_PARAM & {str(p).casefold() for p in properties}:
            internal.add(name)
    return internal


def find(dialogue: Dialogue, policy: EnvPolicy) -> list[Finding]:
    findings: list[Finding] = []
    messages = dialogue.messages
    holder = _holder_names(dialogue, policy)
    parameters = _parameter_names(dialogue)
    terms = FormTerms.of(dialogue)
    others = _named_by_writes(dialogue, policy) - ({normalise(" ".join(holder))} if holder else set())
    first: tuple[int, str] | None = None
    for index, message in enumerate(messages):
        if not isinstance(message, UserMessage):
            continue
        text = message.content[:MAX_TEXT] + " " + message.content[-MAX_TEXT:] \
            if len(message.content) > 2 * MAX_TEXT else message.content
        for name in _persona_names(text):
            if normalise(name) in others:
                continue
            given = name.split()[0].casefold()
            if first is None:
                first = (index, name)
            elif given != first[1].split()[0].casefold() and given not in first[1].casefold().split():
                findings.append(Finding("signoff_name", f"the user calls themselves {name} at message {index}, "
                                                        f"but {first[1]} at message {first[0]}", index))
            if holder is not None and not {w.casefold() for w in name.split()} & set(holder):
                findings.append(Finding("signoff_name", f"the user calls themselves {name} at message {index}, but "
                                                        f"the account holder is {' '.join(holder).title()}", index))
            if findings and findings[-1].message_index == index:
                break
        problem = _parameter_talk(text, parameters, terms)
        if problem:
            findings.append(Finding("parameter_talk", f"the user at message {index} {problem}", index))
    findings += _identity_changes(dialogue, policy)
    internal = _internal_tools(dialogue)
    for site in dialogue.calls:
        if site.name not in internal:
            continue
        before = Told.of(*(m.content for m in messages[:site.message_index] if isinstance(m, UserMessage)))
        dictated = [v for v in (site.arguments or {}).values() if isinstance(v, str) and len(v.strip()) >= 3
                    and before.tells(v)]
        if dictated:
            findings.append(Finding("dictated_internal", f"call {site.call.id} {site.name} takes {dictated[0]!r} "
                                                         "word for word from the user; the assistant works out its "
                                                         "own inputs to internal tools", site.message_index))
    return findings


def _identity_changes(dialogue: Dialogue, policy: EnvPolicy) -> list[Finding]:
    """The user is one person: every successful sign-in names one account, and (env known)
    every call that carries the user key carries the same user."""
    accounts: dict[str, tuple[str, int]] = {}  # what identifies the account -> (first value, where)
    for site in dialogue.calls:
        if site.output_text is None or site.failed or not isinstance(site.arguments, dict):
            continue
        if _LOGIN_TOOL.search(site.name.casefold()):
            values = [(f"sign-in {key}", v) for key, v in site.arguments.items()
                      if isinstance(v, str) and "pass" not in key.casefold()][:1]
        elif policy.user_key and policy.user_key in site.arguments and not policy.is_write(site.name):
            values = [(policy.user_key, site.arguments[policy.user_key])]
        else:
            continue
        for what, value in values:
            if not isinstance(value, str) or not value.strip():
                continue
            first = accounts.setdefault(what, (value, site.message_index))
            if normalise(first[0]) != normalise(value):
                return [Finding("identity_change", f"call {site.call.id} {site.name} acts as {what} {value}, but the "
                                                   f"call at message {first[1]} acted as {first[0]}: one dialogue is "
                                                   "one user's", site.message_index)]
    return []


def _parameter_talk(text: str, parameters: set[str], terms: FormTerms | None = None) -> str | None:
    snake = snake_words(text)
    if snake:
        return f"says {snake[0]!r}, a parameter or enum value, instead of plain words"
    found = _TO_USE.search(text)
    if found:
        return f"dictates a parameter (\"{found.group()}\")"
    for match in _LABEL.finditer(text):
        label = normalise(match["label"]).replace(" ", "_")
        colon = ":" in match.group()
        if label in parameters and (("_" in label and colon) or match["value"].casefold() in _FLAG):
            return f"fills in a parameter by its name (\"{match.group().strip()}\")"
    stamp = _TIMESTAMP.search(text)
    if stamp:
        return f"writes a date and time as a machine does (\"{stamp.group()}\")"
    form = _form_filling(text, terms) if terms is not None else None
    if form:
        return f"talks like a form, not a person (\"{form}\")"
    return None


def check(dialogue: Dialogue, policy: EnvPolicy) -> list[Failure]:
    return [Failure(CHECK, f.message, f.message_index) for f in find(dialogue, policy)]
