"""`reply_style`: the assistant talks like a person, not like a tool.

- `field_dump`: a reply line of `label: value` pairs: two or more joined by ";", or three
  or more (joined by anything: ";", ",", " - ") whose labels are field names of the
  outputs ("order ID: #W1236, total: 1108.9, status: pending"); one labelled item per
  line (a list) is fine.
- `raw_enum`: a reply spells a value in snake_case ("no_longer_needed").
- `ids_only_list`: a reply names two or more items of one list output since the user's
  last turn by their ids alone, with no name, date, amount or other detail of any of them
  (ids of a list shown turns ago are references: "from ACC-2 to ACC-1").
- `raw_error`: a reply reads out a failed call's error message (one of its clauses of four
  or more words, verbatim) or an error type (ToolError, InvalidArguments, ...).
- `broken_refusal`: a refusal ("I can't ...", "I'm not able to ...") that echoes the user's
  "my" as its own ("I'm not able to water my plants"), that names a tool
  (`request_return`, or its words "request return"), or that reads out a tool's
  description, listed or withheld (five words of it, three not function words, that the
  user did not say: "I'm not able to request a refill of an active prescription at a
  pharmacy, for pickup or delivery").
- `field_name`: a reply states values under the outputs' raw field names: a field name
  that is no phrase ("the expires on is", "the from balance after is", "(the member
  since)", "the last4 is"), a plural field name with "is" ("the total contacts is 8"),
  or three or more "the <field> is <value>" clauses in one reply (a record read out
  field by field: "the ship street is ..., the ship city is ... and the ship zip is ...").
  A field name glued from two words ("cardnumber", "firstname") or in camelCase
  ("dueDate") said as a word is a raw field name too.
- `id_readout`: a reply reads out an id as a record's field ("It shows that the request ID
  is RX20139 and the pharmacy ID is PH08."; "the asset tag is MN-5509"): the user asked
  what was done or found, and is told it by names, dates and amounts, not by the internal
  ids of the records behind it, nor by the ids they gave themselves. The id of a record a
  write of this turn made is what they need to come back ("the hold ID is HD7048"), and
  an id the user's turn asks for ("what was my patient ID?") is an answer; a parcel's
  tracking number or a confirmation number is made to be handed out.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any

from toolace_mt.record import AssistantMessage, UserMessage
from toolace_mt.verifier.dialogue import CallSite, Dialogue, Failure
from toolace_mt.verifier.evidence import is_identifier, normalise
from toolace_mt.verifier.finding import Finding, FindingKind
from toolace_mt.verifier.id_fields import key_stem, name_words
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.told import (
    MAX_TEXT,
    Told,
    awkward_field,
    glued_field,
    identifier_field,
    leaves_with_keys,
    meaningful,
    snake_words,
    tool_properties,
)
from toolace_mt.verifier.user_language import described_runs, echoed_run, listed_descriptions, word_runs
from toolace_mt.verifier.write_outcome import MAKERS

CHECK = "reply_style"
KINDS = (
    FindingKind("field_dump", CHECK, False, "the reply is a `key: value; key: value` dump"),
    FindingKind("raw_enum", CHECK, False, "the reply spells a value in snake_case"),
    FindingKind("ids_only_list", CHECK, False, "a list is answered with ids only"),
    FindingKind("raw_error", CHECK, False, "a raw tool error is read out to the user"),
    FindingKind("broken_refusal", CHECK, False,
                "a refusal echoes the user's \"my\", names a tool or reads out a tool's description"),
    FindingKind("field_name", CHECK, False, "the reply states values under raw field names (\"the expires on is\")"),
    FindingKind("id_readout", CHECK, False,
                "the reply reads out ids as fields (\"the request ID is RX20139 and the pharmacy ID is PH08\")"),
)

_PAIR = re.compile(r"(?:^|(?<=[;\n.!?]))\s*(?P<label>[A-Za-z][A-Za-z ]{0,28}?)\s*:\s+(?P<value>[^;\n]+)")
_LABEL = re.compile(r"(?:^|(?<=[;,\n.!?(]))\s*(?:-\s*)?(?P<label>[A-Za-z][A-Za-z ]{0,28}?)\s*:\s+(?=\S)")
_ERROR_TYPES = re.compile(r"\b(?:ToolError|InvalidArguments|UnknownTool|SandboxViolation|ToolTimeout|ResourceLimit|"
                          r"ToolCrash)\b")
_REFUSAL = re.compile(r"\b(?:can(?:no|')t|cannot|can not|unable to|not able to|no way to|don't have (?:a|any) "
                      r"(?:way|tool)|not possible)\b", re.I)
# "the a is 1, the b is 2 and the c is 3": this many unasked "the <field> is" clauses in one
# reply read a record out field by field (two are prose: "the status is pending and the total is $40")
READOUT_CLAUSES = 3
RECENT_OUTPUTS = 40  # a list a reply names by ids alone is one of its turn's latest outputs (bounded work per reply)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_QUOTED = re.compile(r"\"[^\"\n]*\"|\u201c[^\u201d\n]*\u201d")
# "the ship city is", "the expires on was": up to four words after "the", then the verb.
_THE_FIELD_IS = re.compile(r"\bthe ((?:[a-z0-9]+ ){0,3}[a-z0-9]+) (?:is|are|was|were)\b")
_NAMED_FIELD = re.compile(r"\b(?:the|which|what|your) ((?:[a-z0-9]+ ){0,3}[a-z0-9]+)(?= *(?:[).,;:?!]|$| is\b| was\b))")
_JSON_PAIR = re.compile(r"\"[A-Za-z_][\w ]{0,40}\"\s*:\s*[\"\d\[{tfn-]")




def _dump(text: str, fields: set[str]) -> bool:
    """Within one line: 2+ `label: value` pairs joined by ";" (or "|", with ":" or "="), or
    3+ labelled with output field names ("order ID: #W1, status: pending, total: 40"); or
    an output pasted as JSON (2+ `"key": value`). A list with one labelled item per line is
    a layout, not a dump."""
    if len(_JSON_PAIR.findall(text)) >= 2:
        return True
    for raw in text.splitlines():
        line = re.sub(r"\s+=\s+", ": ", raw.replace("|", ";")) if "=" in raw or "|" in raw else raw
        pairs = list(_PAIR.finditer(line))
        if len(pairs) >= 2 and any(line[:p.start()].rstrip().endswith(";") for p in pairs[1:]):
            return True
        labels = [normalise(m["label"]) for m in _LABEL.finditer(line)]  # "a: 1, b: 2" too
        named = [label for label in labels if label in fields or label.removesuffix(" id") + " id" in fields]
        if len(named) >= 3:
            return True
    return False


def _tool_phrases(dialogue: Dialogue, withheld: list[str]) -> list[tuple[str, str]]:
    names = [n for n in list(dialogue.tools) + withheld if isinstance(n, str) and "_" in n]
    return [(n, n.replace("_", " ").casefold()) for n in names]


def find(dialogue: Dialogue, policy: EnvPolicy) -> list[Finding]:
    findings: list[Finding] = []
    messages = dialogue.messages
    withheld = [op.tool for op in dialogue.record.provenance.ops if op.tool]
    phrases = _tool_phrases(dialogue, withheld)
    described = described_runs(listed_descriptions(dialogue) + list(policy.descriptions))
    users_said: set[tuple[str, ...]] = set()  # runs the user said: a refusal may repeat their words
    last_user = ""
    recent_users: list[str] = []  # what the user asked may be a turn or two back ("Yes" to "Shall I ...?")
    ids = IdsShown(policy.writes)
    glued = _glued_names(dialogue)
    errors: list[str] = []
    # What the outputs so far show, grown turn by turn (a reply is read against the outputs
    # before its turn): field names spoken, spoken -> name, the latest outputs' lists.
    fields: set[str] = set()
    keys: dict[str, str] = {}
    recent: deque[list[list[dict[str, Any]]]] = deque(maxlen=RECENT_OUTPUTS)
    learnt: list[CallSite] = []
    for index, message in enumerate(messages):
        for site in learnt:
            _learn(site, fields, keys, recent)
            ids.learn(site)
            glued |= {k for k in keys.values() if glued_field(k)}
        learnt = []
        if isinstance(message, UserMessage):
            ids.turn(message.content)
            users_said |= word_runs(message.content)
            last_user = message.content
            recent.clear()  # a reply answers with the lists of its own turn; an older list's ids are references
            recent_users = [*recent_users[-2:], message.content[:MAX_TEXT]]
            continue
        if message.role == "tool":
            continue
        if not isinstance(message, AssistantMessage):
            continue
        learnt = dialogue.calls_at(index)
        for site in learnt:
            if site.failed:
                error = site.output.get("error", {}) if isinstance(site.output, dict) else {}
                if isinstance(error, dict) and isinstance(error.get("message"), str):
                    errors.append(error["message"])
        text = (message.content or "")[:MAX_TEXT]
        if not text.strip():
            continue
        if _dump(text, fields):
            findings.append(Finding("field_dump", f"the reply at message {index} is a list of field: value pairs, "
                                                  "not sentences", index))
        enums = snake_words(text)
        if enums:
            findings.append(Finding("raw_enum", f"the reply at message {index} spells {enums[0]!r} as a raw value; "
                                                f"say \"{enums[0].replace('_', ' ')}\"", index))
        listed = _ids_only(recent, text)
        if listed:
            findings.append(Finding("ids_only_list", f"the reply at message {index} names {', '.join(listed[:3])} by "
                                                     "id alone; describe them (a name, date or amount)", index))
        raw = _raw_error(text, errors)
        if raw:
            findings.append(Finding("raw_error", f"the reply at message {index} reads out the raw error "
                                                 f"\"{raw}\"; tell the user in plain words", index))
        broken = _broken_refusal(text, last_user, phrases) or _echoed_refusal(text, described - users_said)
        if broken:
            findings.append(Finding("broken_refusal", f"the refusal at message {index} {broken}", index))
        named = field_names_said(text, keys, asked=" ".join(recent_users)) or _glued_said(text, glued)
        if named:
            findings.append(Finding("field_name", f"the reply at message {index} {named}; say what the values "
                                                  "mean in words", index))
        read = ids.read_out(text, " ".join(recent_users))
        if read:
            findings.append(Finding("id_readout", f"the reply at message {index} reads out {read}, which the user "
                                                  "did not ask for: tell what was done or found by names, dates and "
                                                  "amounts, not by ids", index))
    return findings


# "the request ID is RX20139", "your pickup library ID was FFL": up to four words naming a field, then its value.
_FIELD_VALUE = re.compile(r"\b(?:the|your) ((?:[A-Za-z0-9]+ ){0,3}[A-Za-z0-9]+) (?:is|was|are|were)(?: still| now)? "
                          r"(?P<value>[#\w][\w#.@/-]*)", re.I)
_TELL_ME = re.compile(r"\b(?:tell|show|give|remind|send|read|repeat|text|email)(?: it)? (?:me|us)\b|"
                      r"\b(?:i need|i'd like|i want) (?:to know|to see|to have)\b", re.I)
# Verbs of writes that make a record beside the one they act on (a transfer, a message, a
# replacement card), when the env's policy is not known.
_MAKING_TOO = frozenset({"send", "transfer", "pay", "report", "replace", "reissue", "refund", "exchange", "return",
                         "order", "reply", "forward", "invite", "rebook", "copy", "duplicate", "clone"})
# Verbs whose every write makes a transaction, whatever its record is called (pay_payee's transfer_id).
_MOVING = frozenset({"pay", "transfer", "send", "refund", "order", "reply", "forward"})
# Ids made to be handed to people, used outside the system: a parcel's tracking number.
_HANDED_OUT = frozenset({"tracking", "confirmation"})
_SENTENCE_END = re.compile(r"[?!\n]|\.(?=\s|$)")
MAX_IDS = 2_000  # id values remembered from outputs (records are hostile input)


def _id_key(key: str) -> bool:
    return identifier_field(key)


class IdsShown:
    """The id fields the outputs showed (spoken name -> key, key -> values), and which ids
    are new in the current turn: made by a write of it (create, place, book...), never
    shown before it."""

    def __init__(self, writes: frozenset[str] = frozenset()) -> None:
        self.writes = writes  # the env's writes, when its policy is known
        self.spoken: dict[str, str] = {}
        self.values: dict[str, set[str]] = {}
        self.before: set[str] = set()  # id values shown or said before the user's latest turn
        self.now: set[str] = set()  # shown since it
        self.made: set[str] = set()  # made by a write since it

    def turn(self, text: str) -> None:
        self.before |= self.now | {normalise(t).lstrip("#") for t in re.findall(r"[#\w][\w#.@/-]*", text[:MAX_TEXT])}
        self.now, self.made = set(), set()

    def learn(self, site: CallSite) -> None:
        if site.output_text is None or site.failed:
            return
        given = {normalise(str(v)) for v in (site.arguments or {}).values() if isinstance(v, str | int)}
        words = name_words(site.name)
        maker = bool(words) and words[0] in MAKERS
        writes = maker or site.name in self.writes or (bool(words) and words[0] in _MAKING_TOO)
        for key, value in leaves_with_keys(site.output):
            if not key or isinstance(value, bool) or not isinstance(value, str | int) or not _id_key(key):
                continue
            said = normalise(str(value)).lstrip("#")
            if len(self.values.get(key, ())) < MAX_IDS:
                self.values.setdefault(key, set()).add(said)
            self.spoken.setdefault(" ".join(name_words(key)), key)
            self.spoken.setdefault(normalise(key.replace("_", " ")), key)
            # a maker's own key (place_hold's hold_id) is new even when an env reuses an id shown before
            own = (key_stem(key) or "").split("_")[-1:] == words[-1:]
            # any write's new record of a kind its name says (transfer_between_accounts' transfer_id,
            # send_message's message_id, report_card_lost's replacement card_id) is news too
            kind = bool(set((key_stem(key) or "").split("_")) & set(words)) or (bool(words) and words[0] in _MOVING)
            new = said not in self.before and said not in self.now
            if said not in given and ((maker and (own or new)) or (writes and kind and new)):
                self.made.add(said)
            self.now.add(said)

    def read_out(self, text: str, asked: str) -> str | None:
        """The first id `text` reads out as a field ("the request ID (RX20139)"); None if none."""
        if not self.values:
            return None
        # what the user asked for: their questions and requests to be told ("tell me my patient ID"),
        # not the ids they gave ("the asset tag is MN-5508")
        wanted = " ".join(normalise(s) for s in _SENTENCE.findall(asked[-MAX_TEXT:])
                          if s.rstrip().endswith("?") or _TELL_ME.search(s))
        for match in _FIELD_VALUE.finditer(text[:MAX_TEXT]):
            end = _SENTENCE_END.search(text, match.start())
            if end is not None and end.group() == "?":  # a question (a confirmation, a clarification) names ids
                continue
            key = _spoken_field(normalise(match[1]), self.spoken)
            value = normalise(match["value"].rstrip(".,;:!")).lstrip("#")
            if key is None or value not in self.values.get(key, ()) or value in self.made \
                    or _HANDED_OUT & set(name_words(key)):
                continue
            if any(len(w) >= 2 and re.search(r"\b" + re.escape(w) + r"\b", wanted) for w in name_words(key)):
                continue  # "what was my patient ID?", "I didn't catch the ID?"
            return f"the {match[1]} ({match['value'].rstrip('.,;:!')})"
        return None


def _glued_names(dialogue: Dialogue) -> set[str]:
    """Glued or camelCase parameter names of the listed tools ("cardnumber", "dueDate")."""
    return {str(name) for tool in list(dialogue.tools.values())[:200] for name in list(tool_properties(tool))[:200]
            if glued_field(str(name))}


def _glued_said(text: str, glued: set[str]) -> str | None:
    """Why `text` says a glued field name as a word ("the cardnumber is 23000045")."""
    for key in sorted(glued):
        found = re.search(r"(?<![\w_])" + re.escape(key) + r"(?![\w_])", text[:MAX_TEXT],
                          0 if not key.islower() else re.I)
        if found:
            return f"says the field name {key} as a word (\"{found.group()}\")"
    return None


def _learn(site: CallSite, fields: set[str], keys: dict[str, str],
           recent: deque[list[list[dict[str, Any]]]]) -> None:
    """What one output adds for the replies after it: its field names (spoken, and spoken ->
    name) and, when it succeeded, its lists of objects."""
    if site.output_text is None:
        return
    for key, _ in leaves_with_keys(site.output):
        if key and len(key) <= 40:
            spoken = normalise(key.replace("_", " "))
            fields.add(spoken)
            if not site.failed:
                keys.setdefault(spoken, key)
    if not site.failed:
        recent.append(_lists_of_objects(site.output))




def _spoken_field(phrase: str, keys: dict[str, str]) -> str | None:
    """The longest field name that ends `phrase` ("latest ship city" ends with ship_city)."""
    words = phrase.split()
    for start in range(len(words)):
        key = keys.get(" ".join(words[start:]))
        if key is not None:
            return key
    return None


def field_names_said(text: str, keys: dict[str, str], asked: str = "") -> str | None:
    """Why `text` states values under raw field names (None: it does not). A field the
    user's turn (`asked`) names is an answer, not a read-out ("what's the status, total and
    payment method?" - "the status is pending, the total is $50 and the payment method is PayPal")."""
    if not keys:
        return None
    wanted = {w.rstrip("s") for w in re.findall(r"[a-z]{4,}", asked.casefold())}
    norm = normalise(text[:MAX_TEXT])
    for match in _NAMED_FIELD.finditer(norm):
        key = _spoken_field(match[1], keys)
        if key is not None and awkward_field(key):
            return f"names the field {key} as if it were words (\"{match.group()}\")"
    clauses = []
    for match in _THE_FIELD_IS.finditer(norm):
        key = _spoken_field(match[1], keys)
        if key is None:
            continue
        last = key.casefold().split("_")[-1]
        if "_" in key and match.group().endswith(" is") and last.endswith("s") and not last.endswith(("ss", "us")):
            return f"reads the field {key} out (\"{match.group()}\")"
        if not {p.rstrip("s") for p in key.casefold().split("_") if len(p) >= 4} & wanted:
            clauses.append(key)
    if len(set(clauses)) >= READOUT_CLAUSES:
        return f"reads the record out field by field ({', '.join(dict.fromkeys(clauses))})"
    return None


def _ids_only(recent: deque[list[list[dict[str, Any]]]], text: str) -> list[str]:
    told = Told.of(text)
    for lists in recent:
        for items in lists:
            named: list[str] = []  # distinct ids: a key every item shares (a cards list's account_id) is one id
            described = False
            for item in items:
                scalars = [(k, v) for k, v in item.items() if not isinstance(v, dict | list) and meaningful(v)]
                ids = [v for k, v in scalars if isinstance(v, str) and (k.endswith("_id") or k == "id")
                       and is_identifier(v.lstrip("#"))]
                if not any(told.tells(v) for v in ids):
                    continue
                named += [v for v in ids if told.tells(v) and v not in named][:1]
                others = [v for k, v in scalars if v not in ids and not (k.endswith("_id") or k == "id")]
                if any(told.tells(v, loose=True) for v in others):
                    described = True
            if len(named) >= 2 and not described:
                return named
    return []


def _lists_of_objects(value: Any, depth: int = 0) -> list[list[dict[str, Any]]]:
    found: list[list[dict[str, Any]]] = []
    if depth > 8:
        return found
    if isinstance(value, list):
        objects = [item for item in value if isinstance(item, dict)]
        if len(objects) >= 2:
            found.append(objects)
        for item in value:
            found += _lists_of_objects(item, depth + 1)
    elif isinstance(value, dict):
        for item in value.values():
            found += _lists_of_objects(item, depth + 1)
    return found


def _raw_error(text: str, errors: list[str]) -> str | None:
    found = _ERROR_TYPES.search(text)
    if found:
        return found.group()
    norm = normalise(text)
    for error in errors:
        for part in re.split(r"[;:(]", error[:2000])[:6]:  # any clause: "...; order ids look like #W1042"
            clause = normalise(part).strip(" .,)")
            if len(clause.split()) >= 4 and clause in norm:
                return part.strip(" .,)")
    return None


def _echoed_refusal(text: str, described: frozenset[tuple[str, ...]] | set[tuple[str, ...]]) -> str | None:
    """Why a refusal of `text` reads a tool's description out ("I'm not able to request a refill
    of an active prescription at a pharmacy, for pickup or delivery")."""
    if not described:
        return None
    for sentence in _SENTENCE.findall(text[:MAX_TEXT]):
        if _REFUSAL.search(sentence):
            echoed = echoed_run(sentence, frozenset(described))
            if echoed is not None:
                return (f"reads out a tool's description (\"{echoed}\"): say in plain words what cannot be "
                        "done")
    return None


def _broken_refusal(text: str, last_user: str, phrases: list[tuple[str, str]]) -> str | None:
    user_my = {m.group(1).casefold() for m in re.finditer(r"\bmy\s+(\w+)", last_user, re.I)}
    # A quoted text is the user's words said back ('the resolution "Dial in if you cannot
    # come"'), not the assistant declining.
    for sentence in _SENTENCE.findall(_QUOTED.sub('""', text)):
        if not _REFUSAL.search(sentence):
            continue
        for match in re.finditer(r"\bmy\s+(\w+)", sentence, re.I):
            if match.group(1).casefold() in user_my:
                return f"echoes the user's words \"{match.group()}\" as the assistant's own"
        lowered = sentence.casefold()
        for name, words in phrases:
            if re.search(r"\b" + re.escape(name.casefold()) + r"\b", lowered) or \
                    re.search(r"\b" + re.escape(words) + r"\b", lowered):
                return f"names the tool {name}"
    return None


def check(dialogue: Dialogue, policy: EnvPolicy) -> list[Failure]:
    return [Failure(CHECK, f.message, f.message_index) for f in find(dialogue, policy)]
