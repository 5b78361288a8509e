"""`write_outcome`: a write does something, and the user learns what it made.

- `untold_new_id`: a successful write's output holds a new id (no earlier message showed
  it; a row the record's diff says was added holds it) of a kind a tool takes as an argument (a report code that
  `submit_expense_report` takes, a session reference `cancel_session` takes), and no
  later assistant text tells it (or the record's name or title: "Joe Hartman has been
  added as a payee") nor a later call uses it ("I've started it. The purpose is X." for a
  new report ER-5075). The user needs that handle to come back to the record; an id no
  tool takes (a comment's) is not owed.
- `noop_write`: a setting write (its name's verb sets, updates, changes, moves, assigns
  ...) whose every value is what the record already held, as the latest earlier output
  about that record showed, with no write in between (`set_thermostat(29.84)` right
  after `get_thermostat` showed the target 29.84; moving a card to the list it is in).
  The call changes nothing: the value was not the user's, or the reply should have said
  it already holds it.
"""

from __future__ import annotations

import re
from typing import Any

from toolace_mt.record import AssistantMessage, SystemMessage, UserMessage
from toolace_mt.verifier.dialogue import CallSite, Dialogue, Failure
from toolace_mt.verifier.evidence import is_identifier, normalise
from toolace_mt.verifier.finding import Finding, FindingKind
from toolace_mt.verifier.id_fields import name_words
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.told import MAX_TEXT, Shown, Told, tool_properties

CHECK = "write_outcome"
KINDS = (
    FindingKind("untold_new_id", CHECK, True,
                "a write made a record whose new id (one a tool takes) the user is never told"),
    FindingKind("noop_write", CHECK, True, "a setting write whose values are what the record already held"),
)
# The last word of a field name that names a record's identifier.
_ID_WORDS = frozenset({"id", "code", "ref", "reference", "number", "no", "sku", "key", "locator"})
# The first word of a write's name that makes a record the user comes back to (a report, a
# booking, an item); a payment or a message also gets an id, but the user is not owed it.
MAKERS = frozenset({"create", "add", "new", "make", "start", "open", "book", "place", "reserve", "schedule",
                     "register", "file", "lodge", "raise", "request", "enroll", "apply", "draft", "log", "record",
                     "generate", "issue", "submit", "post"})
_SETTERS = frozenset({"set", "update", "change", "move", "assign", "reassign", "rename", "edit", "modify",
                      "switch", "adjust", "put", "configure"})
_DATE_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?")
_MAX_DICTS = 200  # dicts read from one output (records are hostile input)


def _key(name: str) -> str:
    return "".join(name_words(name))


def _id_key(name: str) -> bool:
    words = name_words(name)
    return bool(words) and words[-1] in _ID_WORDS


def _id_value(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return name_words(name)[-1:] == ["id"] and value >= 100
    return isinstance(value, str) and " " not in value.strip() and "@" not in value and \
        is_identifier(value.strip().lstrip("#"))


def _good(site: CallSite) -> bool:
    return site.output_text is not None and not site.failed


def find(dialogue: Dialogue, policy: EnvPolicy) -> list[Finding]:
    if not policy.known:
        return []
    return _untold_ids(dialogue, policy) + _noop_writes(dialogue, policy)


def _taken_keys(dialogue: Dialogue, policy: EnvPolicy) -> set[str]:
    """Parameter names (as joined words) of the env's and the listed tools: the ids a user may come back with."""
    return {_key(str(name)) for tool in dialogue.tools.values()
            for name in tool_properties({"function": tool.get("function", tool)} if isinstance(tool, dict) else {})} | \
        {_key(name) for name in policy.parameters}


def _added_values(dialogue: Dialogue) -> set[str] | None:
    """Every value of the rows the dialogue's diff says were added (the records it made);
    None when the record has no diff (a hand-written file): then a maker's new id is trusted."""
    expected = dialogue.record.expected
    tables = expected.diff.get("tables") if expected is not None and isinstance(expected.diff, dict) else None
    if not isinstance(tables, dict):
        return None
    values: set[str] = set()
    for table in list(tables.values())[:_MAX_DICTS]:
        rows = table.get("added") if isinstance(table, dict) else None
        for row in rows[:_MAX_DICTS] if isinstance(rows, list) else []:
            if isinstance(row, dict):
                values.update(normalise(str(v)) for v in list(row.values())[:_MAX_DICTS]
                              if isinstance(v, str | int) and not isinstance(v, bool))
    return values


def _maker(site: CallSite, policy: EnvPolicy) -> bool:
    words = name_words(site.name)
    return bool(words) and words[0] in MAKERS and policy.is_write(site.name) and _good(site)


def _untold_ids(dialogue: Dialogue, policy: EnvPolicy) -> list[Finding]:
    if not any(_maker(site, policy) for site in dialogue.calls):
        return []  # nothing was made: the texts need not be read
    taken = _taken_keys(dialogue, policy)
    added = _added_values(dialogue)
    outputs = {s.output_index: s for s in dialogue.calls if s.output_index is not None}
    shown = Shown()
    pending: list[tuple[CallSite, list[Any]]] = []  # writes whose new ids are not told yet
    for index, message in enumerate(dialogue.messages):
        site = outputs.get(index)
        if site is not None:
            output = site.output if _good(site) else None
            if isinstance(output, dict) and _maker(site, policy):
                given = {_key(str(k)) for k in (site.arguments or {})} | {_key(policy.user_key or "")}
                new = [v for k, v in list(output.items())[:_MAX_DICTS]
                       if _id_key(str(k)) and _key(str(k)) in taken and _key(str(k)) not in given
                       and _id_value(str(k), v) and not shown.knows(v)
                       and (added is None or normalise(str(v)) in added)]
                if new:  # the record's name or title is a handle too ("Joe Hartman has been added as a payee")
                    pending.append((site, new + [v for k, v in output.items() if isinstance(v, str) and v.strip()
                                                 and name_words(str(k))[-1:] in (["name"], ["title"], ["label"])]))
            if output is not None or site.output_text is not None:
                shown.add_output(site.output)
            continue
        text = message.content if isinstance(getattr(message, "content", None), str) else ""
        if isinstance(message, AssistantMessage) and pending:
            told = Told.of(text[:MAX_TEXT])
            used = [site.arguments for site in dialogue.calls_at(index) if isinstance(site.arguments, dict)]
            pending = [(w, ids) for w, ids in pending
                       if not any(told.tells(v) or any(_holds(a, v) for a in used) for v in ids)]
        if isinstance(message, UserMessage | SystemMessage | AssistantMessage):
            shown.add_text(text)
    return [Finding("untold_new_id", f"call {w.call.id} {w.name} made {ids[0]}, but no later reply tells it: "
                                     "say what was made and its id (the user needs it to come back)", w.message_index)
            for w, ids in pending]


def _holds(arguments: dict[str, Any], value: Any) -> bool:
    return any(normalise(str(v)) == normalise(str(value)) for v in arguments.values()
               if isinstance(v, str | int) and not isinstance(v, bool))


def _dicts(value: Any, depth: int = 0) -> list[dict[str, Any]]:
    """Every dict inside an output, outermost first, bounded."""
    if depth > 8:
        return []
    found: list[dict[str, Any]] = []
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    if isinstance(value, dict):
        found.append(value)
    for item in items:
        if len(found) >= _MAX_DICTS:
            break
        if isinstance(item, dict | list):
            found += _dicts(item, depth + 1)
    return found[:_MAX_DICTS]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(a) - float(b)) < 1e-6
    if not (isinstance(a, str) and isinstance(b, str)):
        return False
    first, second = _DATE_TIME.fullmatch(a.strip()), _DATE_TIME.fullmatch(b.strip())
    if first and second:  # "2026-05-26T12:45" is "2026-05-26T12:45:00"
        return first.groups() == second.groups()
    return normalise(a) == normalise(b)


def _noop_writes(dialogue: Dialogue, policy: EnvPolicy) -> list[Finding]:
    findings = []
    for position, write in enumerate(dialogue.calls):
        words = name_words(write.name)
        if not (_good(write) and policy.is_write(write.name) and words and words[0] in _SETTERS
                and isinstance(write.arguments, dict)):
            continue
        arguments = {_key(str(k)): v for k, v in write.arguments.items()
                     if isinstance(v, str | int | float) and not isinstance(v, bool)}
        if not arguments or len(arguments) != len(write.arguments):
            continue
        ids = {k for k, v in arguments.items() if _id_key(k) or _id_value(k, v)}
        for earlier in reversed(dialogue.calls[:position]):
            if earlier.message_index == write.message_index or not _good(earlier):
                continue
            if policy.is_write(earlier.name):
                break  # the record may have changed since
            verdict = next((v for d in _dicts(earlier.output) if (v := _unchanged(d, arguments, ids, earlier))
                            is not None), None)
            if verdict is None:
                continue
            if verdict:
                shown = ", ".join(f"{k} {v}" for k, v in write.arguments.items() if _key(str(k)) in verdict)
                findings.append(Finding("noop_write", f"call {write.call.id} {write.name} sets {shown}, which the "
                                        f"output at message {earlier.output_index} shows it already holds: the call "
                                        "changes nothing", write.message_index))
            break
    return findings


def _unchanged(record: dict[str, Any], arguments: dict[str, Any], ids: set[str], site: CallSite) -> set[str] | None:
    """The values the write sets when it would leave this output's record as it is (empty
    when it changes something); None when the record is
    not the write's: it must hold the write's ids (or, with none, come from a call with no
    arguments: a singleton such as a thermostat) and a field for every value it sets (by
    name, or a field whose name ends with it: `pharmacy_id` sets `preferred_pharmacy_id`)."""
    fields = {_key(str(k)): v for k, v in record.items()}
    locating = {k for k in ids if k in fields and _same(fields[k], arguments[k])}
    if any(k in fields for k in ids - locating) or (not locating and (ids or site.arguments)):
        return None  # another record of the kind, or none the write names
    held = {k: _held(fields, k) for k in arguments if k not in locating}
    if not held or any(v is None for v in held.values()):
        return None
    return set(held) if all(_same(held[k], arguments[k]) for k in held) else set()


def _held(fields: dict[str, Any], key: str) -> Any:
    if key in fields:
        return fields[key]
    ends = [k for k in fields if k.endswith(key) and len(key) >= 4]
    return fields[ends[0]] if len(ends) == 1 else None


def check(dialogue: Dialogue, policy: EnvPolicy) -> list[Failure]:
    return [Failure(CHECK, f.message, f.message_index) for f in find(dialogue, policy)]
