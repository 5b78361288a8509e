"""`plan_sense`: the calls make sense as a plan a careful agent would follow.

- `write_then_cancel`: a successful write on an entity, then a successful cancel,
  delete or remove of the same entity (change_seat(BK-1, "15A") then cancel_booking(BK-1)).
- `unrelated_record`: a write's target id is read off another kind of record the user
  pointed at ("pay this payee ... the record is under transfer TRF-100437": pay_payee's
  payee_id taken from get_transfer's output), where the write does not act on that record.
- `unauthenticated`: in an env that declares AUTHENTICATE_FIRST, a call touches a user's
  data (its arguments or output carry the user key) before the user was identified by a
  look-up from details they gave (email, or name and zip), not from an id they stated.
- `unchecked_record`: in an env that declares CHECK_BEFORE_WRITE, a write acts on an
  existing record (its first required id, not the user's own) that no earlier output
  showed as a record: tau-bench's "check the order's status before acting".
- `duplicate_write`: a successful write made again with identical arguments (the same
  order placed twice, the same payee added twice) when the user did not ask for it twice
  in so many words ("again", "another", "second", "one more", "twice").
- `needless_question`: the assistant asks for an optional choice filter of a read (an
  enum the call does not require) that the user never mentioned, and the answer feeds
  only that filter ("What is the status?" when the user asked to look through orders).
"""

from __future__ import annotations

import json
import re
from typing import Any

from toolace_mt.record import AssistantMessage, UserMessage
from toolace_mt.verifier.dialogue import CallSite, Dialogue, Failure
from toolace_mt.verifier.evidence import is_identifier, leaves, normalise
from toolace_mt.verifier.finding import Finding, FindingKind
from toolace_mt.verifier.id_fields import is_id_field, key_stem, name_words
from toolace_mt.verifier.necessity import entity_key
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.shown_records import shows_record
from toolace_mt.verifier.told import Told, tool_properties

CHECK = "plan_sense"
KINDS = (
    FindingKind("write_then_cancel", CHECK, True, "a write, then a cancel of the same entity"),
    FindingKind("unrelated_record", CHECK, True, "the target is identified through an unrelated record"),
    FindingKind("unauthenticated", CHECK, True,
                "acts on a user's data before authenticating them (AUTHENTICATE_FIRST)"),
    FindingKind("unchecked_record", CHECK, True,
                "acts on a record it never looked at, where the env's policy says to check first (CHECK_BEFORE_WRITE)"),
    FindingKind("duplicate_write", CHECK, True, "the same write made twice with identical arguments"),
    FindingKind("needless_question", CHECK, True,
                "the assistant asks for an optional filter the user never wanted; only that filter uses the answer"),
)

_UNDO = ("cancel", "delete", "remove", "revoke")
_AGAIN = re.compile(r"\b(?:again|another|second|one more|twice|same (?:one|thing|order) once more|repeat)\b", re.I)


def _id_shaped(value: Any) -> bool:
    """A value written as an id: "#W1001", "TRF-1" (no email, no spaces)."""
    return isinstance(value, str) and "@" not in value and " " not in value.strip() \
        and is_identifier(value.lstrip("#"))


def _ids(site: CallSite) -> set[str]:
    return {normalise(v) for v in leaves(site.arguments or {}) if _id_shaped(v)}


# What a person gives to be found or to sign in: a value of these is theirs, however it is
# shaped (a username "jsmith4" looks like an id; it is no record's).
_DETAILS = frozenset({"username", "user", "login", "handle", "email", "mail", "pin", "password", "passcode",
                      "passphrase", "name", "zip", "postal", "phone", "mobile", "birth", "dob", "otp"})


def _names_a_record(site: CallSite) -> bool:
    """Whether a call takes a record's id (an order_id, a value shaped like "#W1001" under a
    name that is no personal detail), so it looks a record up rather than the person."""
    for param, value in (site.arguments or {}).items():
        words = set(name_words(str(param)))
        if key_stem(str(param)) is not None:
            return True
        if not words & _DETAILS and any(_id_shaped(v) for v in leaves(value)):
            return True
    return False


def _good(site: CallSite) -> bool:
    return site.output_text is not None and not site.failed


def find(dialogue: Dialogue, policy: EnvPolicy) -> list[Finding]:
    if not policy.known:
        return []
    findings: list[Finding] = _needless_questions(dialogue, policy)
    writes = [s for s in dialogue.calls if _good(s) and policy.is_write(s.name)]
    for position, undo in enumerate(writes):
        if not any(word in undo.name.casefold().split("_") for word in _UNDO):
            continue
        for earlier in writes[:position]:
            if any(word in earlier.name.casefold().split("_") for word in _UNDO):
                continue
            # the user's own key names who acts, not what was changed: removing one line item
            # after submitting another report of the same person undoes nothing
            own = {normalise(str(v)) for site in (undo, earlier) for k, v in (site.arguments or {}).items()
                   if policy.user_key and k == policy.user_key}
            shared = sorted((_ids(undo) & _ids(earlier)) - own)
            if shared:
                said = next(v for v in leaves(undo.arguments or {}) if isinstance(v, str) and normalise(v) == shared[0])
                findings.append(Finding("write_then_cancel", f"call {undo.call.id} {undo.name} undoes {said}, "
                                        f"which {earlier.name} at message {earlier.message_index} had just changed",
                                        undo.message_index))
                break
    findings += _duplicates(dialogue, writes)
    findings += _unrelated(dialogue, policy, writes)
    if policy.authenticate_first and policy.user_key:
        findings += _unauthenticated(dialogue, policy)
    findings += _unchecked(dialogue, policy, writes)
    return findings


def _unchecked(dialogue: Dialogue, policy: EnvPolicy, writes: list[CallSite]) -> list[Finding]:
    findings = []
    for write in writes:
        param = policy.checked_writes.get(write.name)
        value = (write.arguments or {}).get(param) if param else None
        if param is None or not isinstance(value, str | int) or isinstance(value, bool):
            continue
        earlier = (s.output for s in dialogue.calls if s.message_index < write.message_index and _good(s))
        if not any(shows_record(output, param, value) for output in earlier):
            findings.append(Finding("unchecked_record", f"call {write.call.id} {write.name} acts on {param} {value}, "
                                    "which no earlier call looked at (the env's policy, CHECK_BEFORE_WRITE: read the "
                                    "record, its status, before acting on it)", write.message_index))
    return findings


def _duplicates(dialogue: Dialogue, writes: list[CallSite]) -> list[Finding]:
    findings = []
    seen: dict[str, CallSite] = {}
    for write in writes:
        key = json.dumps([write.name, write.arguments], sort_keys=True, default=str)
        earlier = seen.get(key)
        seen[key] = write
        if earlier is None or not write.arguments:
            continue  # a write with no arguments (log out, log in again) is a state, not a thing made twice
        asked = " ".join(m.content for m in dialogue.messages[earlier.message_index + 1:write.message_index]
                         if isinstance(m, UserMessage) and isinstance(m.content, str))
        if not _AGAIN.search(asked):
            findings.append(Finding("duplicate_write", f"call {write.call.id} {write.name} repeats the write at "
                                    f"message {earlier.message_index} with the same arguments, which the user did not "
                                    "ask for twice", write.message_index))
    return findings


def _unrelated(dialogue: Dialogue, policy: EnvPolicy, writes: list[CallSite]) -> list[Finding]:
    findings = []
    user_said, read_up_to = Told(), 0  # what the user said before the write, grown write by write
    for write in sorted(writes, key=lambda w: w.message_index):
        arguments = write.arguments or {}
        for message in dialogue.messages[read_up_to:write.message_index]:
            if isinstance(message, UserMessage):
                user_said.add(message.content)
        read_up_to = max(read_up_to, write.message_index)
        for argument, value in arguments.items():
            if not isinstance(value, str) or argument == policy.user_key or not is_id_field(argument) \
                    or user_said.tells(value):
                continue  # a value the user stated was not read off another record
            sources = [s for s in dialogue.calls if s.message_index < write.message_index and _good(s)
                       and not policy.is_write(s.name) and isinstance(s.output, dict)
                       and s.output.get(argument) == value]
            # Unrelated only if every read that showed the value was of another kind of record,
            # pointed at by its id (a get_customer that showed the account too is a fair source).
            source = sources[0] if sources and all(_through_other_record(s, argument, arguments, policy)
                                                   for s in sources) else None
            if source is None:
                continue
            key = entity_key(source)
            if key is None:
                continue
            findings.append(Finding("unrelated_record", f"call {write.call.id} {write.name} takes {argument}={value} "
                                    f"from {source.name}({key[1]}) at message {source.message_index}, a record of "
                                    "another kind the write does not act on; have the user identify the target "
                                    "itself", write.message_index))
            break
    return findings


def _through_other_record(source: CallSite, argument: str, arguments: dict[str, Any], policy: EnvPolicy) -> bool:
    """The read is of a record of another kind than `argument` names, found by its own id."""
    key = entity_key(source)
    if key is None or key[0] in ("", argument) or key[0] in arguments or key[0] == policy.user_key:
        return False
    return normalise(key[1]) in _ids(source)


def _needless_questions(dialogue: Dialogue, policy: EnvPolicy) -> list[Finding]:
    """An assistant question naming an optional choice parameter of a read (an enum the
    call does not require: a status or category filter) the user had not mentioned,
    answered by the user, whose answer then feeds that filter alone ("What is the status?" -
    "processing" - list_customer_orders(status="processing")): the request needed no
    filter. A write's optional choice (a cabin, a refund method) is worth asking."""
    findings = []
    messages = dialogue.messages
    users = [i for i, m in enumerate(messages) if isinstance(m, UserMessage)]
    before = Told()  # the user's turns before the answer, grown turn by turn
    for n, answer in enumerate(users[1:], 1):
        before.add(messages[users[n - 1]].content)
        ask = next((i for i in range(answer - 1, users[n - 1], -1) if isinstance(messages[i], AssistantMessage)
                    and (messages[i].content or "").strip()), None)
        if ask is None or "?" not in (messages[ask].content or "") or messages[ask].tool_calls:
            continue
        asked = normalise(messages[ask].content or "")
        end = users[n + 1] if n + 1 < len(users) else len(messages)
        reply = Told.of(messages[answer].content)
        fed: list[tuple[CallSite, str, bool]] = []  # (call, argument, whether the schema requires it)
        for site in (s for s in dialogue.calls if answer < s.message_index < end and _good(s)):
            if policy.is_write(site.name):
                fed.append((site, "", True))  # the answer feeds a write: the question served it
                continue
            function = dialogue.tools.get(site.name, {}).get("function") if isinstance(
                dialogue.tools.get(site.name), dict) else None
            parameters = function.get("parameters") if isinstance(function, dict) else None
            required = parameters.get("required") if isinstance(parameters, dict) else None
            properties = tool_properties(dialogue.tools.get(site.name))
            for argument, value in (site.arguments or {}).items():
                if isinstance(value, str | int | float) and not isinstance(value, bool) and reply.tells(value) \
                        and not before.tells(value):
                    spec = properties.get(argument)
                    choice = isinstance(spec, dict) and isinstance(spec.get("enum"), list)
                    fed.append((site, argument, not choice or (isinstance(required, list) and argument in required)))
        values = {normalise(str(v)) for site, argument, _ in fed if argument
                  for v in [(site.arguments or {}).get(argument)]}
        later = [s for s in dialogue.calls if s.message_index >= end and _good(s) and policy.is_write(s.name)
                 and values & {normalise(str(v)) for v in leaves(s.arguments or {}) if v is not None}]
        if fed and not later and not any(needed for _, _, needed in fed):  # a later write using it: needed
            site, argument, _ = fed[0]
            spoken = argument.replace("_", " ").casefold()
            if re.search(r"(?<!\w)" + re.escape(spoken) + r"(?!\w)", asked) and not before.tells(spoken):
                findings.append(Finding("needless_question", f"the question at message {ask} asks for {argument}, "
                                        f"which {site.name} does not need and the user never mentioned; the answer "
                                        "only narrows the call (ask only for what the request needs)", ask))
    return findings


def _unauthenticated(dialogue: Dialogue, policy: EnvPolicy) -> list[Finding]:
    key = policy.user_key or ""
    for site in dialogue.calls:
        if not _good(site):
            continue
        out = site.output
        arguments = site.arguments or {}
        user = out if isinstance(out, str) else (out.get(key) if isinstance(out, dict) else None)
        if key not in arguments and isinstance(user, str) and arguments and not _names_a_record(site):
            return []  # authenticated: the look-up found the user from the details they gave
        touches = key in arguments or (isinstance(out, dict) and key in out)
        if touches:
            return [Finding("unauthenticated", f"call {site.call.id} {site.name} touches the user's data before the "
                                               "user was authenticated (look them up by email, or by name and zip, "
                                               "first)", site.message_index)]
    return []


def check(dialogue: Dialogue, policy: EnvPolicy) -> list[Failure]:
    return [Failure(CHECK, f.message, f.message_index) for f in find(dialogue, policy)]
