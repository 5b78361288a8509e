"""`program_text`: values said as a person says them, not as a program prints them.

- `float_whole`: a whole number printed with a trailing ".0" in a user or assistant
  turn ("the workdays are 3.0", "personal, 0.0", "what do 426.0, 46 and 27.37 come
  to?"): a person says "3 workdays". A version ("Bluetooth 5.0") is not a count.
- `flag_as_field`: a yes/no output field whose name is no noun ("logged_in", "is_open",
  "signed_in") read out as one with on/off, yes/no or true/false ("No: the logged in is
  off."). Say it as a sentence: "you're logged out".
- `own_name_read`: the assistant reads the user their own name as a record field ("the
  username is jmckinney and the first name is Jean", "the full name is Christine Wise",
  "the given name is Nathaniel", "the firstname is Jo"),
  when the user did not ask about a name or their profile ("what do you have on file
  for me?" is answered by it): the name of the account that signed in, or of
  the user's own row (one holding the user key and no other id, or one a look-up by
  personal details found: a card number, an email, a name and birth date). Address
  them by it instead ("You're signed in, Jean.").
"""

from __future__ import annotations

import re

from toolace_mt.record import AssistantMessage, UserMessage
from toolace_mt.verifier.dialogue import Dialogue, Failure
from toolace_mt.verifier.finding import Finding, FindingKind
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.told import MAX_TEXT, leaves_with_keys

CHECK = "program_text"
KINDS = (
    FindingKind("float_whole", CHECK, False, "a whole number printed with \".0\" (\"the workdays are 3.0\")"),
    FindingKind("flag_as_field", CHECK, False, "a yes/no field read out as a noun (\"the logged in is off\")"),
    FindingKind("own_name_read", CHECK, False,
                "the user is told their own name as a record field (\"the first name is Jean\")"),
)
_LOGIN_TOOL = re.compile(r"(?:^|_)(?:login|log_in|logon|signin|sign_in|authenticate|auth)(?:_|$)")
_NAME_KEY = re.compile(r"^(?:first|given|last|family|full|display)?_?name$|^(?:first|last|full|sur|fore)name$")
# Arguments a person identifies themselves by: a look-up by them that returns the user's
# key found the user's own row (find_patron_by_cardnumber -> {patron_id, library_id, firstname}).
_PERSONAL = re.compile(r"(?:^|_)(?:e?mail|username|user_name|login|pin|password|phone|zip|postcode|postal_code|"
                       r"birth|dob|date_of_birth|first_name|last_name|family_name|given_name|surname|name|"
                       r"card_?number|cardnumber|member_number|staff_number)(?:_|$)")
# A user turn asking about their own record: telling its name is then an answer.
_ASKS_PROFILE = re.compile(r"\b(?:name|profile|on file|details|record|account info|who am i)\b", re.I)
_NAME_SAID = re.compile(r"\b(?i:the|your) (?:(?:(?:first|last|full|given|family|display) )?name|firstname|lastname|"
                        r"surname|forename|given_name|first_name|last_name) (?:is|was) (?P<name>[A-Z][\w'-]+)")

# "rated 4.0 stars", "4.0/5": ratings are written so.
_FLOAT_WHOLE = re.compile(r"(?<![\w.,])(?P<before>(?:[A-Za-z]+ )?)\$?\d{1,12}\.0(?![\d.]\d|\d|\w)"
                          r"(?!\s*(?:/\s*\d|stars?\b|out of\b|rating\b|GPA\b))")
# Words before a number that make it a version or a standard, not a count ("Bluetooth 5.0").
_VERSIONED = frozenset({"rated", "rating", "gpa", "grade", "score", "version", "v", "ver", "release",
                        "bluetooth", "usb", "web", "http", "python", "ios",
                        "android", "oauth", "wifi", "hdmi", "tls", "ssl", "gen", "model", "api", "firmware", "rev"})
# The last word of a flag's name that makes it no noun: a participle, an adverb, an adjective.
_NOT_NOUN_END = frozenset({"in", "out", "up", "on", "off", "open", "closed", "only", "available", "active",
                           "enabled", "disabled", "visible", "required", "allowed", "pressed", "engaged", "locked",
                           "unlocked", "paid", "read", "done"})
_NOT_NOUN_START = frozenset({"is", "has", "can", "should", "allow", "allows", "was", "did", "does"})
_FLAG_WORDS = r"(?:on|off|yes|no|true|false|enabled|disabled)"


def _not_noun(key: str) -> bool:
    parts = [p for p in key.casefold().split("_") if p]
    if not parts:
        return False
    return parts[0] in _NOT_NOUN_START or parts[-1] in _NOT_NOUN_END or \
        (parts[-1].endswith("ed") and len(parts[-1]) > 4)


def _own_names(site: object, policy: EnvPolicy) -> set[str]:
    """Names in an output that are the user's: a sign-in's, or a row holding the user key."""
    out = getattr(site, "output", None)
    name = getattr(site, "name", "")
    if not isinstance(out, dict):
        return set()
    if not (_LOGIN_TOOL.search(name.casefold()) or (policy.user_key and policy.user_key in out)):
        return set()
    arguments = getattr(site, "arguments", None) or {}
    found_by_person = bool(arguments) and policy.user_key not in arguments and \
        all(_PERSONAL.search(str(k).casefold()) for k in arguments)
    if policy.user_key and any(k != policy.user_key and k.endswith("_id") and isinstance(v, str) and v
                               for k, v in out.items()) and not _LOGIN_TOOL.search(name.casefold()) \
            and not found_by_person:
        return set()  # a payee or an order pointing at the user: its name is not theirs
    return {w.casefold() for k, v in out.items() if isinstance(v, str) and _NAME_KEY.match(k.casefold())
            for w in v.split()[:1]}


def find(dialogue: Dialogue, policy: EnvPolicy) -> list[Finding]:
    findings: list[Finding] = []
    own: set[str] = set()  # first words of the user's own names, as outputs showed them
    last_user = ""
    flags: set[str] = set()  # spoken names of yes/no output fields that are no noun, shown so far
    outputs = {site.output_index: site for site in dialogue.calls if site.output_index is not None}
    for index, message in enumerate(dialogue.messages):
        site = outputs.get(index)
        if site is not None and not site.failed:
            own |= _own_names(site, policy)
            for key, value in leaves_with_keys(site.output):
                if isinstance(value, bool) and _not_noun(key):
                    flags.add(key.casefold().replace("_", " "))
            continue
        if not isinstance(message, UserMessage | AssistantMessage):
            continue
        content = message.content if isinstance(message.content, str) else ""
        text = content[:MAX_TEXT]
        if isinstance(message, UserMessage):
            last_user = text
        elif own and not _ASKS_PROFILE.search(last_user):
            read = next((m for m in _NAME_SAID.finditer(text) if m["name"].casefold() in own), None)
            if read is not None:
                findings.append(Finding("own_name_read", f"message {index} reads the user their own name as a "
                                        f"record field (\"{read.group(0)}\"): address them by it", index))
        whole = next((m for m in _FLOAT_WHOLE.finditer(text)
                      if m["before"].strip().casefold() not in _VERSIONED), None)
        if whole is not None:
            number = whole.group(0)[len(whole["before"]):]
            findings.append(Finding("float_whole", f"message {index} prints a whole number as a program does "
                                    f"(\"{number}\"): say \"{number[:-2]}\"", index))
        if isinstance(message, AssistantMessage) and flags:
            lowered = text.casefold()
            said = next((f for f in sorted(flags)
                         if re.search(r"\bthe " + re.escape(f) + r" (?:is|was|are) " + _FLAG_WORDS + r"\b", lowered)),
                        None)
            if said is not None:
                findings.append(Finding("flag_as_field", f"message {index} reads the yes/no field \"{said}\" out as "
                                        f"a noun (\"the {said} is ...\"): say it as a sentence", index))
    return findings


def check(dialogue: Dialogue, policy: EnvPolicy) -> list[Failure]:
    return [Failure(CHECK, f.message, f.message_index) for f in find(dialogue, policy)]
