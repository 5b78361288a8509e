"""`persona`: the user is one person who talks like a person.

- `signoff_name`: the names the user signs or introduces themselves with ("Warmly,
  Aimee.", "this is Kara Haas") differ between messages, or are not the account
  holder's (the row of the env's USER_TABLE the dialogue's look-ups returned).
- `parameter_talk`: the user talks in parameter or enum terms: a snake_case word
  ("no_longer_needed"), "the <thing> to use is ...", a parameter's name as a label
  ("Unread only: yes", "include cancelled: no"), or a parameter's name answered yes/no
  ("Include past - yes.", "Favorite, yes.").
- `dictated_internal`: the user dictates the input of an internal tool (a calculator,
  a scratchpad: a tool named calculate/think/..., or with an `expression`/`thought`
  parameter) that a call then uses word for word.
"""

from __future__ import annotations

import re
from typing import Any

from toolace_mt.record import UserMessage
from toolace_mt.verifier.dialogue import Dialogue, Failure
from toolace_mt.verifier.evidence import normalise
from toolace_mt.verifier.finding import Finding, FindingKind
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.told import MAX_TEXT, Told, snake_words, tool_properties

CHECK = "persona"
KINDS = (
    FindingKind("signoff_name", CHECK, False,
                "the user's sign-off name is not the account holder's, or changes mid-dialogue"),
    FindingKind("parameter_talk", CHECK, False, "the user talks in parameter or enum terms"),
    FindingKind("dictated_internal", CHECK, False, "the user dictates the input of an internal tool"),
)

_NAME = r"(?P<name>[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?(?: [A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?)?)"
_SIGNOFF = re.compile(
    r"(?:^|[.!?\n]\s*|,\s*)(?i:thanks(?: again| a lot| so much| heaps| a bunch| very much)?|thank you(?: so much)?|"
    r"many thanks|cheers|best(?: regards| wishes)?|all the best|kind regards|regards|warmly|warm regards|"
    r"take care|talk soon|sincerely|yours|love|thx|ta)[\s,!.\-–—]*" + _NAME + r"\s*[.!]?\s*$")
_DASH = re.compile(r"(?:^|\s)[-–—]{1,2}\s*" + _NAME + r"\s*[.!]?\s*$")
_INTRO = re.compile(r"\b(?i:i'm|i am|this is|my name is|my name's)\s+" + _NAME + r"\b")
_NOT_NAMES = frozenset("""I Hi Hello Hey Thanks Thank Please Sorry Yes No Okay Ok Sure Great Good Monday Tuesday
Wednesday Thursday Friday Saturday Sunday January February March April May June July August September October
November December Just Still Also Here There The This That Not Calling Writing Back Again Done""".split())
_TO_USE = re.compile(r"\bthe [a-z][a-z ]{0,40}? to use (?:is|are|should be|will be)\b", re.I)
_LABEL = re.compile(r"(?:^|(?<=[.!?;\n]))\s*(?P<label>[A-Za-z][A-Za-z ]{1,30}?)\s*(?::|\s-|,)\s*"
                    r"(?P<value>[^\s.;,!?]+)")
_FLAG = frozenset({"yes", "no", "true", "false"})
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
    """First and last name of the first USER_TABLE row an output showed (None: unknown)."""
    if not policy.user_key:
        return None
    for site in dialogue.calls:
        if site.output_text is None or site.failed:
            continue
        out = site.output
        candidates = out if isinstance(out, list) and len(out) == 1 else [out]
        for item in candidates:
            if isinstance(item, dict) and policy.user_key in item:
                names = _names_in(item)
                if names:
                    return names
    return None


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
    first: tuple[int, str] | None = None
    for index, message in enumerate(messages):
        if not isinstance(message, UserMessage):
            continue
        text = message.content[:MAX_TEXT] + " " + message.content[-MAX_TEXT:] \
            if len(message.content) > 2 * MAX_TEXT else message.content
        for name in _persona_names(text):
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
        problem = _parameter_talk(text, parameters)
        if problem:
            findings.append(Finding("parameter_talk", f"the user at message {index} {problem}", index))
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


def _parameter_talk(text: str, parameters: set[str]) -> str | None:
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
    return None


def check(dialogue: Dialogue, policy: EnvPolicy) -> list[Failure]:
    return [Failure(CHECK, f.message, f.message_index) for f in find(dialogue, policy)]
