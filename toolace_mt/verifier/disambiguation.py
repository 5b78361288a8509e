"""`disambiguation`: a value an argument takes from a tool output is singled out.

A value is a *choice* when the output that shows it lists two or more candidates of its
kind (items of one list with different values in that field). A chosen value must be
singled out before the call that uses it: the user named it, or described it so that
exactly one candidate fits (a field of that candidate, or of the details fetched for
it, that the user's words tell and no other candidate's tell: "my pending order" when
exactly one is pending), or the assistant asked, naming two or more candidates (so the
user sees the alternatives), and the user picked one or agreed. A later look-up that
returns it alone, called without naming it (a filter), also singles it out. Acting on
every candidate is not a choice. Enum values and values the user stated are never choices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from toolace_mt.record import AssistantMessage, UserMessage
from toolace_mt.verifier.confirmation import agrees
from toolace_mt.verifier.dialogue import CallSite, Dialogue, Failure
from toolace_mt.verifier.evidence import normalise
from toolace_mt.verifier.finding import Finding, FindingKind
from toolace_mt.verifier.id_fields import id_stem
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.told import Told, leaves_with_keys, meaningful, tool_properties

CHECK = "disambiguation"
KINDS = (FindingKind("ambiguous_target", CHECK, False,
                     "an argument picked from two or more candidates the user never singled out"),)

MAX_NESTED = 60  # nested values read per candidate (outputs are hostile input)
_PICK = re.compile(r"\b(?:first|second|third|fourth|last|latter|former|earlier|later|top|bottom|that one|this one|"
                   r"the one)\b", re.I)


@dataclass
class Candidates:
    """One list of an output: the field the value sits in and every item's profile."""

    where: int  # message index of the output
    field: str  # "" for a list of bare values
    values: list[str]
    profiles: list[dict[str, Any]] = field(default_factory=list)


def _choices_in(value: Any, norm: str, where: int, depth: int = 0) -> tuple[list[Candidates], bool]:
    """(the lists where `norm` is one of 2+ distinct candidates, whether it also sits alone somewhere)."""
    choices: list[Candidates] = []
    alone = False
    if depth > 10:
        return choices, alone
    if isinstance(value, dict) and len(value) >= 2 and all(isinstance(v, dict) for v in value.values()):
        value = list(value.values())  # {"paypal_1": {...}, "card_2": {...}}: candidates keyed by id
    if isinstance(value, dict):
        for item in value.values():
            if isinstance(item, dict | list):
                sub, single = _choices_in(item, norm, where, depth + 1)
                choices += sub
                alone = alone or single
            elif item is not None and normalise(str(item)) == norm:
                alone = True
    elif isinstance(value, list):
        scalars = [item for item in value if not isinstance(item, dict | list)]
        if scalars and any(normalise(str(s)) == norm for s in scalars):
            distinct = {normalise(str(s)) for s in scalars}
            if len(distinct) >= 2:
                choices.append(Candidates(where, "", [normalise(str(s)) for s in scalars],
                                          [{"": s} for s in scalars]))
            else:
                alone = True
        objects = [item for item in value if isinstance(item, dict)]
        for key in {k for item in objects for k, v in item.items() if v is not None and normalise(str(v)) == norm
                    and not isinstance(v, dict | list)}:
            column = [normalise(str(item.get(key))) for item in objects]
            if len(set(column)) >= 2:
                choices.append(Candidates(where, key, column, [dict(item) for item in objects]))
            else:
                alone = True
        for item in value:
            if isinstance(item, dict | list):
                sub, single = _choices_in(item, norm, where, depth + 1)
                # a value inside one item of a list is the list's concern, not a lone value
                choices += sub
                alone = alone or (single and len(objects) <= 1)
    return choices, alone


@dataclass
class ShownOneByOne(Candidates):
    """Records of one kind each shown alone (an order looked up, then a new one placed):
    `values` in the order they were first shown; `latest` the one shown last, at `latest_at`."""

    latest: str = ""
    latest_at: int = 0


def _same_key(name: str, argument: str) -> bool:
    """`order_id` and `orderId` name one kind; an `account_number` is no `account_id`."""
    stem = id_stem(name)
    return name == argument or (bool(stem) and stem == id_stem(argument))


def _older_record(outputs: list[tuple[int, CallSite]], argument: str, norm: str) -> ShownOneByOne | None:
    """The records of the argument's kind the dialogue showed one per output, when the
    value is one of them and a later output showed another: the older one is no default."""
    shown: dict[str, tuple[int, dict[str, Any]]] = {}
    last, last_at = "", 0
    for where, earlier in outputs:
        record = earlier.output
        if not isinstance(record, dict):
            continue
        found = [normalise(str(v)) for k, v in record.items()
                 if _same_key(str(k), argument) and isinstance(v, str | int) and not isinstance(v, bool)]
        if len(found) != 1 or not meaningful(found[0]):
            continue
        shown.setdefault(found[0], (where, dict(record)))
        last, last_at = found[0], where
    if norm not in shown or last == norm or len(shown) < 2:
        return None
    values = list(shown)
    return ShownOneByOne(shown[norm][0], argument, values, [shown[v][1] for v in values], last, last_at)


def _scalars(profile: dict[str, Any]) -> list[tuple[str, Any]]:
    """A candidate's describing values: its own fields, and those of what it holds (an
    order's item names: "the order with the office chair")."""
    found = [(k, v) for k, v in profile.items() if not isinstance(v, dict | list) and meaningful(v)]
    for key, value in profile.items():
        if isinstance(value, dict | list):
            found += [(f"{key}.{k}", v) for k, v in islice(leaves_with_keys(value), MAX_NESTED) if meaningful(v)]
    return found


def _has(profile: dict[str, Any], key: str, value: Any) -> bool:
    return any(k == key and normalise(str(v)) == normalise(str(value)) for k, v in _scalars(profile))


def _singled_by_words(told: Told, candidates: Candidates, position: int) -> bool:
    """The words tell a value of the candidate that no other candidate has in that field
    ("savings" when one account is a savings account), or, read loosely (a time alone,
    one word of a name: "the keyboard"), fit this candidate alone in that field."""
    mine = candidates.profiles[position]
    others = [other for i, other in enumerate(candidates.profiles) if i != position]
    for name, value in _scalars(mine):
        if name == candidates.field:
            continue
        if told.tells(value) and not any(_has(other, name, value) for other in others):
            return True
        fits = [i for i, profile in enumerate(candidates.profiles)
                if any(k == name and told.tells(v, loose=True) for k, v in _scalars(profile))]
        if fits == [position]:
            return True
    return False


def find(dialogue: Dialogue, policy: EnvPolicy) -> list[Finding]:
    user_key = policy.user_key or ""  # the user's own key is who asks, never a record they pick
    findings: list[Finding] = []
    messages = dialogue.messages
    reported: set[str] = set()
    outputs: list[tuple[int, CallSite]] = []  # successful calls whose outputs came before the current turn
    user_told = Told()  # what the user said so far, grown turn by turn
    for index, message in enumerate(messages):
        if isinstance(message, UserMessage):
            user_told.add(message.content)
        if not isinstance(message, AssistantMessage):
            continue
        sites = dialogue.calls_at(index)
        if sites:
            for site in sites:
                problem = _ambiguous(dialogue, site, outputs, user_told, index, reported, user_key)
                if problem:
                    findings.append(Finding("ambiguous_target", problem, index))
        outputs += [(s.output_index or index, s) for s in sites if s.output_text is not None and not s.failed]
    return findings


def _schema_enum(dialogue: Dialogue, site: CallSite, argument: str) -> list[Any]:
    schema = tool_properties(dialogue.tools.get(site.name)).get(argument, {})
    if not isinstance(schema, dict):
        return []
    items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
    return list(schema.get("enum") or items.get("enum") or [])


def _argument_values(site: CallSite) -> list[tuple[str, str]]:
    found = []
    for argument, value in (site.arguments or {}).items():
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                stack += list(item.values())
            elif isinstance(item, list):
                stack += item
            elif isinstance(item, str) and meaningful(item):
                found.append((argument, item))
    return found


def _ambiguous(dialogue: Dialogue, site: CallSite, outputs: list[tuple[int, CallSite]], user_told: Told,
               index: int, reported: set[str], user_key: str = "") -> str | None:
    for argument, value in _argument_values(site):
        norm = normalise(value)
        if norm in reported or value in _schema_enum(dialogue, site, argument):
            continue
        choices: list[Candidates] = []
        alone = False
        for where, earlier in outputs:
            sub, single = _choices_in(earlier.output, norm, where)
            choices += sub
            # a look-up that did not name the value yet returned it alone narrowed the choice
            if single and norm not in {normalise(str(a)) for _, a in _argument_values(earlier)}:
                alone = True
        # records shown one at a time: the one acted on is the last shown, or is said since
        if not choices and argument != user_key:
            older = _older_record(outputs, argument, norm)
            # what the user said from the request that brought the newer record up on
            since = Told()
            start = max((i for i in range(older.latest_at) if isinstance(dialogue.messages[i], UserMessage)),
                        default=0) if older is not None else index
            for message in dialogue.messages[start:index]:
                if isinstance(message, UserMessage):
                    since.add(message.content)
            if older is not None and not since.tells(value) \
                    and not _picked(dialogue, site, argument, older, since, outputs, index):
                reported.add(norm)
                return (f"call {site.call.id} {site.name} takes {argument}={value} (shown at message {older.where}), "
                        f"though a later output (message {older.latest_at}) showed another, {older.latest}; the "
                        "user never said which one they meant")
        if not choices or alone or user_told.tells(value):
            continue
        if any(_picked(dialogue, site, argument, c, user_told, outputs, index) for c in choices):
            continue
        reported.add(norm)
        first = choices[0]
        kind = first.field or "value"
        return (f"call {site.call.id} {site.name} takes {argument}={value} from the output at message {first.where}, "
                f"which lists {len(set(first.values))} different {kind}s; the user never singled it out and the "
                "assistant did not ask which one")
    return None


def _picked(dialogue: Dialogue, site: CallSite, argument: str, candidates: Candidates, user_told: Told,
            outputs: list[tuple[int, CallSite]], index: int) -> bool:
    norm_values = candidates.values
    value = next(normalise(v) for a, v in _argument_values(site) if a == argument and normalise(v) in norm_values)
    position = norm_values.index(value)
    # acting on every candidate is not a choice
    used = {normalise(str(v)) for other in dialogue.calls if other.name == site.name
            for a, v in _argument_values(other) if a == argument}
    if set(norm_values) <= used:
        return True
    # the details fetched for each candidate extend its profile ("the delivered one")
    profiles = [dict(p) for p in candidates.profiles]
    for _, earlier in outputs:
        out = earlier.output
        if isinstance(out, dict):
            named = {normalise(str(a)) for _, a in _argument_values(earlier)}
            for i, candidate in enumerate(norm_values):
                if candidate in named:  # nested too: "the order with the office chair" reads its items
                    profiles[i].update({k: v for k, v in out.items() if k not in profiles[i]})
    extended = Candidates(candidates.where, candidates.field, norm_values, profiles)
    if _singled_by_words(user_told, extended, position):
        return True
    # the assistant named two or more candidates and asked; the user then picked
    messages = dialogue.messages
    for i in range(candidates.where + 1, index):
        message = messages[i]
        if isinstance(message, AssistantMessage) and (message.content or "").strip() and "?" in (message.content or ""):
            told = Told.of(message.content or "")
            named = [c for c, profile in zip(norm_values, profiles, strict=True)
                     if told.tells(c) or any(told.tells(v) for k, v in _scalars(profile)
                                             if k != candidates.field and _distinct(profiles, k, v))]
            if len(named) >= 2:
                answer = next((m for m in messages[i + 1:index] if isinstance(m, UserMessage)), None)
                if answer is not None and (_PICK.search(answer.content) or agrees(answer.content) or
                                           _singled_by_words(Told.of(answer.content), extended, position)):
                    return True
    return False


def _distinct(profiles: list[dict[str, Any]], key: str, value: Any) -> bool:
    return sum(1 for p in profiles if _has(p, key, value)) == 1


def check(dialogue: Dialogue, policy: EnvPolicy) -> list[Failure]:
    return [Failure(CHECK, f.message, f.message_index) for f in find(dialogue, policy)]
