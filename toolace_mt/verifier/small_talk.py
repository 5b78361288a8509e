"""`small_talk`: turns without a call still make sense as a conversation.

- `cheer_after_refusal`: the assistant said it cannot do what was asked, or that it found
  nothing, and the user's next turn opens by cheering it ("Sorry, I can't help you pay
  your payee." - "Fantastic. Before I forget, ..."; "I didn't find anything matching
  that." - "Super, that's a weight off my mind."). A person takes a refusal with "okay"
  or "no worries", not "fantastic".
- `asked_again`: the user asks for a value the assistant's previous reply had just told,
  without saying they missed it ("... the employee ID is E4019." - "What's the employee
  ID?"), and the answer repeats it. Asking again is natural only with a reason ("sorry,
  what did you say the name was?", "I didn't catch the status").
- `repeat_unsaid`: the user asks the assistant to repeat a value ("Sorry, could you repeat
  the customer ID?", "what did you say the total was?") that no assistant text had said,
  and the answer says it for the first time: there was nothing to repeat.
- `found_after_write`: a reply opens by presenting what was found ("Here's what I found.
  I've placed it.") although the calls since the user's turn only wrote: nothing was
  looked up. (Judged with the env's policy: which tools write.)
- `id_as_choice`: the assistant asks which identifier or credential the user "would like"
  ("Which customer ID would you like?", "Which pin would you like?"), as if it were a
  preference; one's own customer ID or PIN is not chosen. Ask for it ("What's your
  customer ID?"). Also the user answering a question for their name, id or code with a
  preference ("Could you give me the last name?" - "I'd like Torres."), or calling a name
  or number their pick ("My first pick for the payee name is Mr. Bernard Chung."). Any
  listed tool's key or identifier parameter counts ("Which cardnumber would you like?",
  "Which asset tag would you like?").
- `internal_id_asked`: a turn asks for the id of a record people know by its name: one a
  listed tool finds by a description rather than by a key, or lists whole
  (search_pharmacies(city), list_therapists()), or
  an output shows with a name or title and no owner, and that no tool makes (an order,
  an event, a booking are the user's own: place_order, create_event) ("What is the
  pickup library ID?", "What is the therapist code?"; the user asking "what was the
  pickup library ID?" too). Nobody knows a branch's or a book's internal id: ask which
  one by name, and look the id up.
"""

from __future__ import annotations

import re
from itertools import chain, islice
from typing import Any

from toolace_mt.record import AssistantMessage, UserMessage
from toolace_mt.verifier.dialogue import Dialogue, Failure
from toolace_mt.verifier.finding import Finding, FindingKind
from toolace_mt.verifier.id_fields import key_stem, name_words
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.told import MAX_TEXT, identifier_field, leaves_with_keys, tool_properties
from toolace_mt.verifier.write_outcome import MAKERS

CHECK = "small_talk"
KINDS = (
    FindingKind("cheer_after_refusal", CHECK, False, "the user cheers a refusal (\"Fantastic.\" after \"I can't\")"),
    FindingKind("asked_again", CHECK, False,
                "the user asks for a value the previous reply just told, with no reason to ask again"),
    FindingKind("repeat_unsaid", CHECK, False, "the user asks to repeat a value the assistant never said"),
    FindingKind("found_after_write", CHECK, True,
                "a reply opens with \"Here's what I found\" after calls that only wrote"),
    FindingKind("id_as_choice", CHECK, False,
                "the assistant asks which ID or PIN the user \"would like\", as if it were a preference"),
    FindingKind("internal_id_asked", CHECK, False,
                "a turn asks for the id of a record people know by its name (\"What is the pickup library ID?\")"),
)
# Tools that find records by what they are (a name, a city, a title), not by a key: what they
# find is a catalogue (pharmacies, libraries, therapists, books), known to people by name.
_FINDERS = frozenset({"search", "list", "find", "browse", "lookup", "look", "query", "get", "show"})
_NAMED_BY = frozenset({"name", "title", "label"})
_SIGN_IN = re.compile(r"(?:^|_)(?:login|log_in|logon|signin|sign_in|authenticate|auth)(?:_|$)")
_SENDERS = frozenset({"send", "compose", "write", "upload", "share", "forward", "reply"})  # a message is made too
MAX_KEYS = 4_000  # output keys read (records are hostile input)
# "What is the pickup library ID?", "Could you tell me the therapist code?", "what was the biblio ID?"
_ASKING = re.compile(r"\b(?:what(?:'s| is| was| are)|which|could you (?:tell|give) me|can you (?:tell|give) me|"
                     r"may i have|do you (?:have|know))\b[^.!?\n]{0,60}\?", re.I)
# "Which customer ID would you like?": an identifier or a secret offered as a choice.
_ID_CHOICE = re.compile(r"\b(?:which|what)\s+(?:[a-z]+\s+){0,2}?(?:id|ids|pin|password|passcode|username|login|"
                        r"email(?: address)?|account number|card number|customer number)\s+would you (?:like|prefer|"
                        r"want)(?: to (?:use|give))?\b", re.I)

_REFUSAL = re.compile(r"\b(?:can(?:no|')t|cannot|can not|unable to|not able to|isn't something I can|"
                      r"outside (?:of )?what I can|beyond what I can|not something I can|"
                      r"(?:didn't|did not|couldn't|could not) find (?:anything|any|a single)|came back empty|"
                      r"no (?:results|matches)|nothing (?:matching|came up|turned up))\b", re.I)
_CHEER = re.compile(r"^\W*(?:oh,? )?(?:fantastic|great|nice|super|perfect|wonderful|awesome|excellent|lovely|"
                    r"brilliant|amazing|terrific|sweet|splendid|cool|good stuff|sounds (?:good|great|perfect))\b"
                    r"(?! (?:question|point))", re.I)
# Why someone asks again: they missed it, want it repeated, or check they heard right.
_AGAIN = re.compile(r"\b(?:again|repeat|remind|did you say|did it say|you said|didn't catch|did not catch|missed|sorry|"
                    r"pardon|come again|once more|one more time|say that|hear|heard|double[- ]check|confirm|"
                    r"just to be sure|to be clear|wait|hold on|quick check|right\?)", re.I)
# Asking to hear again what was said: "could you repeat", "what did you say", "remind me".
_REPEAT = re.compile(r"\b(?:repeat|say (?:that|it) again|(?:did|had) you (?:say|mention)|"
                     r"you (?:just )?(?:said|mentioned)|remind me|come again|once more|one more time|"
                     r"didn't catch|did not catch)\b", re.I)
# A token holding a digit: an id, an amount, a date's day.
_VALUE = re.compile(r"(?<![\w$#@.-])[$#]?(?=[\w.-]*\d)[\w.-]*\w")
_IDENTITY = re.compile(r"\b(?:(?:first|last|full|family|given|user)\s*name|id|ids|number|zip(?: code)?|"
                       r"postal code|e-?mail(?: address)?|pin|password|passcode|username|login|date of birth)\b", re.I)
_PREFERS = re.compile(r"^\W*(?:(?:oh|ah|um+|hmm+|sure|yes|yep|okay|ok)[,.!]?\s+)?(?:i'd like|i would like|i'd prefer|"
                      r"i prefer|let's go with|i'll go with|i'd go with|make it|i'll take)\b", re.I)
_FOUND_OPENER = re.compile(r"^\W*(?:here's|here is|this is) what i (?:found|see|got|dug up)\b|"
                           r"^\W*i found (?:the following|this)\b", re.I)
# A name, number or code called one's pick or preference: "My first pick for the payee name is ...".
_PICKED_NAME = re.compile(r"\b(?:my (?:first |top )?(?:pick|choice|preference)|i'd (?:rather|prefer|like)(?: to have)?|"
                          r"i (?:prefer|would prefer))\s+(?:for|as)\s+the\s+(?:[a-z]+\s+){0,2}?"
                          r"(?:name|id|number|e-?mail|pin|password|username|login|date of birth|phone(?: number)?|"
                          r"address)\b", re.I)
_ASKS = re.compile(r"\?|^\W*(?:what|which|when|where|who|how)\b", re.I)
_TOKEN = re.compile(r"[a-z0-9$#@][a-z0-9$#@.,:'/-]*[a-z0-9]|[a-z0-9]", re.I)
# Words of a reply that carry no value: what is left must all have been said before.
_FILLER = frozenset("""a an the of is are was were it its it's that this and or to for on at in by with
of course sure yes no yep certainly absolutely again so your you i i'm as said just here there be
which what when who where how had has have""".split())


def _plurals(noun: str) -> set[str]:
    return {noun, noun + "s", noun + "es", noun[:-1] + "ies"}


def _descriptive(schema: Any) -> bool:
    """A parameter that describes what is looked for (a city, a title, a cuisine): free text,
    not a status filter, a date, a number or a flag."""
    if not isinstance(schema, dict) or isinstance(schema.get("enum"), list):
        return False
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    return "string" in kinds and schema.get("format") not in ("date", "date-time")


def _catalogue_keys(dialogue: Dialogue, policy: EnvPolicy) -> dict[str, str]:
    """Spoken key parameters ("pickup library id", "therapist code") of records people know by
    their name: a listed tool finds them by a description rather than a key, or lists them all
    (search_pharmacies(city), search_stores(city, cuisine), list_therapists()), or an output of a call given no
    key shows them with a name or title and no owner (the user's key; with the env unknown,
    no other id). A kind some tool makes (place_order, create_event, book_session) is the
    user's own, known by what they made, not a catalogue's."""
    nouns: set[str] = set()
    makers = list(policy.writes if policy.known else ()) + [str(n) for n in list(dialogue.tools)[:200]]
    made = {w for name in makers[:400] for w in name_words(name)[1:] if name_words(name)[:1]
            and name_words(name)[0] in MAKERS | _SENDERS}
    for name, tool in list(dialogue.tools.items())[:200]:
        words = name_words(str(name))
        params = tool_properties(tool)
        if words and words[0] in _FINDERS and not any(key_stem(str(p)) is not None for p in params) \
                and (not params or any(_descriptive(schema) for schema in list(params.values())[:200])):
            nouns.update(words[1:])
    for site in dialogue.calls[:400]:
        if site.output_text is None or site.failed or any(key_stem(str(a)) is not None for a in site.arguments or {}):
            continue  # rows a call found by a key are that record's (list_my_tickets(employee_id)): no catalogue
        rows = site.output if isinstance(site.output, list) else [site.output]
        for row in rows[:50]:
            if not isinstance(row, dict):
                continue
            keys = [str(k) for k in row if key_stem(str(k)) is not None]
            named = any(name_words(str(k))[-1:] and name_words(str(k))[-1] in _NAMED_BY for k in row)
            owned = policy.user_key in row if policy.known and policy.user_key else len(keys) > 1
            if named and len(keys) >= 1 and not owned:
                nouns.update(name_words(keys[0])[:-1][-1:])
    nouns = {n for n in nouns if not _plurals(n) & made and not (n.endswith("s") and n[:-1] in made)
             and not (n.endswith("ies") and n[:-3] + "y" in made)}
    listed = (str(p) for tool in list(dialogue.tools.values())[:200] for p in list(tool_properties(tool))[:200])
    own = {str(p) for name, tool in list(dialogue.tools.items())[:200] if _SIGN_IN.search(str(name).casefold())
           for p in tool_properties(tool)}  # what one signs in with is one's own
    shown = (str(k) for site in dialogue.calls[:400] if site.output_text is not None and not site.failed
             for k, _ in leaves_with_keys(site.output))
    asked: dict[str, str] = {}
    for param in islice(chain(listed, shown), MAX_KEYS):
        stem = key_stem(param)
        if not stem or param == policy.user_key or param in own:
            continue
        last = stem.split("_")[-1]
        if _plurals(last) & nouns:
            asked[" ".join(name_words(param))] = param
    return asked


def _asks_internal_id(text: str, keys: dict[str, str]) -> str | None:
    """The first question of `text` asking for one of `keys` ("What is the pickup library ID?")."""
    if not keys:
        return None
    for question in _ASKING.finditer(text[:MAX_TEXT]):
        said = " ".join(re.findall(r"[a-z0-9]+", question.group().casefold()))
        for spoken in sorted(keys, key=len, reverse=True):
            if re.search(r"\b" + re.escape(spoken) + r"\b", said):
                return question.group().strip()
    return None


def _tokens(text: str) -> set[str]:
    return {t.casefold().rstrip(".,:") for t in _TOKEN.findall(text[:MAX_TEXT])}


def find(dialogue: Dialogue, policy: EnvPolicy) -> list[Finding]:
    findings: list[Finding] = []
    messages = dialogue.messages
    last_reply: tuple[int, str] | None = None  # the latest assistant text, and whether calls led to it
    said = ""  # every assistant text so far, lowercased
    called_since_user = False
    turn_calls: list[str] = []  # tools the assistant called since the user's last turn
    catalogue = _catalogue_keys(dialogue, policy)
    choices = _key_choice(dialogue)
    for index, message in enumerate(messages):
        content = message.content if isinstance(message.content, str) else ""
        if isinstance(message, UserMessage | AssistantMessage):
            internal = _asks_internal_id(content, catalogue)
            if internal is not None:
                who = "the assistant asks the user" if isinstance(message, AssistantMessage) else "the user asks"
                findings.append(Finding("internal_id_asked", f"at message {index} {who} for the id of a record "
                                        f"people know by its name (\"{internal}\"): ask for or tell its name, "
                                        "and look the id up", index))
        if isinstance(message, AssistantMessage):
            if message.tool_calls:
                called_since_user = True
                turn_calls += [call.function.name for call in message.tool_calls]
            elif policy.known and turn_calls and all(policy.is_write(n) for n in turn_calls) \
                    and _FOUND_OPENER.search(content[:200]):
                findings.append(Finding("found_after_write", f"message {index} presents what was found, but the "
                                        f"calls before it only wrote ({', '.join(sorted(set(turn_calls)))})", index))
            choice = _ID_CHOICE.search(content[:MAX_TEXT]) or (choices.search(content[:MAX_TEXT]) if choices else None)
            if choice is not None:
                findings.append(Finding("id_as_choice", f"message {index} asks for an identifier as a preference "
                                        f"(\"{choice.group(0)}\"): ask what it is", index))
            if content.strip():
                last_reply = (index, content)
                said += "\n" + content[:MAX_TEXT].casefold()
            continue
        if not isinstance(message, UserMessage):
            continue
        picked = _PICKED_NAME.search(content[:MAX_TEXT])
        if picked is not None:
            findings.append(Finding("id_as_choice", f"message {index} calls a name or number a preference "
                                    f"(\"{picked.group(0)}\")", index))
        elif last_reply is not None and last_reply[0] == index - 1 and "?" in last_reply[1] \
                and _IDENTITY.search(last_reply[1].rsplit(".", 1)[-1]) and _PREFERS.search(content[:200]):
            findings.append(Finding("id_as_choice", f"message {index} gives their own identifier as a preference "
                                    f"(\"{content.strip()[:40]}\")", index))
        if last_reply is not None and last_reply[0] == index - 1 and not called_since_user \
                and _REFUSAL.search(last_reply[1]) and _CHEER.search(content[:200]):
            findings.append(Finding("cheer_after_refusal", f"message {index} cheers (\"{content.strip()[:40]}\") "
                                    f"the refusal at message {last_reply[0]}", index))
        if last_reply is not None and _ASKS.search(content[:MAX_TEXT]) and not _AGAIN.search(content[:MAX_TEXT]):
            answer_at = _answer_index(messages, index)
            answer = _answer(messages, index)
            if answer is not None:
                told = _tokens(answer) - _FILLER
                if told and told <= _tokens(last_reply[1]) and any(any(c.isdigit() for c in t) or len(t) > 3
                                                                  for t in told):
                    findings.append(Finding("asked_again", f"message {index} asks for what message {last_reply[0]} "
                                            f"had just told (the answer at message {answer_at} repeats it) "
                                            "with no reason to ask again", index))
        if _REPEAT.search(content[:MAX_TEXT]):
            answer_at = _answer_index(messages, index)
            answer = _answer(messages, index)
            values = [v.casefold().lstrip("$#") for v in _VALUE.findall(answer or "")]
            if values and not any(v in said for v in values):
                findings.append(Finding("repeat_unsaid", f"message {index} asks to repeat what no assistant turn had "
                                        f"said (the answer at message {answer_at} says it first)", index))
        called_since_user = False
        turn_calls = []
    return findings


def _key_choice(dialogue: Dialogue) -> re.Pattern[str] | None:
    """"Which cardnumber would you like?", "Which asset tag would you like?": a listed tool's key
    or identifier parameter offered as a preference."""
    names = {" ".join(name_words(str(p))) for tool in list(dialogue.tools.values())[:200]
             for p in list(tool_properties(tool))[:200]
             if identifier_field(str(p))}
    names = {n for n in names if n}
    if not names:
        return None
    return re.compile(r"\b(?:which|what)\s+(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                      + r")\s+would you (?:like|prefer|want)\b", re.I)


def _answer_index(messages: list, user_index: int) -> int | None:
    nxt = user_index + 1
    if nxt < len(messages) and isinstance(messages[nxt], AssistantMessage) and not messages[nxt].tool_calls:
        return nxt
    return None


def _answer(messages: list, user_index: int) -> str | None:
    """The assistant's text right after the user turn, when it answers without a call."""
    nxt = _answer_index(messages, user_index)
    content = messages[nxt].content if nxt is not None else None
    return content if isinstance(content, str) and content.strip() else None


def check(dialogue: Dialogue, policy: EnvPolicy) -> list[Failure]:
    return [Failure(CHECK, f.message, f.message_index) for f in find(dialogue, policy)]
