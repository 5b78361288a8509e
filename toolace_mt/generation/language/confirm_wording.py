"""What the assistant says before a consequential write: the action, its values said as a
person says them (relations as phrases, an amount as "for $25.00", ids with the names the
dialogue showed for them), what a look-up just before showed of the record, and whether
to go ahead ("Just to confirm: I'll cancel order #W1236 (it's pending, $1,108.90). Shall I
go ahead?"). Credentials are never said."""

from __future__ import annotations

import random
import re
from typing import Any

from toolace_mt.generation.draft import Call, Segment, Turn
from toolace_mt.generation.language import field_change as fc
from toolace_mt.generation.language import tool_language as tl
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.language.chosen_action import acted_name, chosen_verb
from toolace_mt.generation.language.counted_items import counted, paired
from toolace_mt.generation.language.record_parts import merged
from toolace_mt.generation.language.said_back import yours
from toolace_mt.generation.language.spoken_values import is_money, natural
from toolace_mt.generation.workbench import Workbench


def confirm_text(bench: Workbench, segment: Segment, turn: Turn, rng: random.Random) -> str:
    """Before a consequential write: the action and its values, and a question whether to
    go ahead ("I'll cancel order #W1236 with the reason no longer needed. Shall I go ahead?")."""
    target = next((c for t in segment.turns for c in t.calls if c.name == segment.target and c.expect_ok), None)
    if target is None:
        return "Shall I go ahead?"
    ref = w.referent_argument(segment.target, target.arguments)
    value = target.arguments.get(ref) if ref else None
    named = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None  # ticket 1014 too
    chosen = chosen_verb(bench.tools[segment.target], target.arguments)  # "approve ...", not "decide ..."
    name = acted_name(segment.target, chosen[1]) if chosen else segment.target
    action = yours(w.task_phrase(name, rng, named, who="you", plain=True))
    if not _theirs(target, bench.values.user_key):  # an approver's report is its submitter's, not "your report"
        action = re.sub(r"\byour\b", "the", action, count=1)
    setting = _set_field(segment.target, target.arguments, bench.values.user_key)
    if setting is not None:  # "change the urgency of ticket INC-20592 to medium", not "change your urgency with ..."
        action, ref = setting
        named = None
    before = segment.turns.index(turn) if turn in segment.turns else len(segment.turns)
    known = id_names([c.result.result for t in segment.turns[:before] for c in t.calls
                      if c.result is not None and c.result.ok])
    # A default the write will apply is stated too ("with the insurance basic"): the user
    # agrees to what will really happen, not only to what was typed.
    defaults = {k: spec["default"] for k, spec in bench.tools[segment.target].parameters.get("properties", {}).items()
                if k not in target.arguments and isinstance(spec, dict) and isinstance(spec.get("default"), str)
                and spec["default"].strip()}  # a chosen word (an insurance level); a count of 1 goes unsaid
    # the user's own id (their customer or staff number) is who asks, not what the write is about
    stated = {k: v for k, v in target.arguments.items()
              if (k != bench.values.user_key or k == ref) and (chosen is None or k != chosen[0])
              and (setting is None or k != w.snake(segment.target).split("_", 1)[1])}
    output = target.result.result if target.result is not None and target.result.ok else None
    change = fc.field_change(segment.target, target.arguments, output)
    if change is not None:  # "update the pharmacy of your dispense MD30020 to PH01 (Rice Pharmacy)"
        action = _change_action(segment.target, target, change, bench.values.user_key, known)
        stated = {k: v for k, v in stated.items() if k not in (change.record, change.value)}
        ref, value = None, target.arguments[change.record]  # what a look-up just before showed is of the record
    said = action + _details({**stated, **defaults}, ref, tl.spoken_names(bench.tools.values(), keep=w.SPOKEN), known)
    ids = [value] if value is not None else [v for k, v in target.arguments.items() if k.endswith("_id")]
    checked = _checked(segment, before, ids)
    if checked:
        said += f" ({checked})"
    return rng.choice(w.CONFIRMS).format(action=said)


def _set_field(tool: str, arguments: dict[str, Any], user_key: str | None) -> tuple[str, str] | None:
    """(action, the id argument it names) for a write named for the one field it changes
    (`change_urgency(ticket_id, urgency)`): "change the urgency of ticket INC-20592 to
    medium"; None for any other write."""
    verb, _, field = w.snake(tool).partition("_")
    value = arguments.get(field)
    ids = [k for k in arguments if k != user_key and w.id_key(k)]
    if verb not in w.CHANGE_VERBS or not field or field in ids or len(ids) != 1 \
            or not isinstance(value, str | int | float) or isinstance(value, bool):
        return None
    record = w.label(ids[0]).removesuffix(" ID")
    return f"{verb} the {w.label(field).removeprefix('my ')} of {record} {arguments[ids[0]]} to " \
           f"{natural(value, field)}", ids[0]


def _change_action(tool: str, call: Call, change: fc.FieldChange, user_key: str | None,
                   known: dict[str, str]) -> str:
    """A field pointed at another record, by the record it is of: "update the pharmacy of
    your dispense MD30020 to PH01 (Rice Pharmacy)", "update your preferred pharmacy to PH08"."""
    verb = w.snake(tool).split("_")[0]
    value = _spoken(call.arguments[change.value], change.value, known)
    if change.record == user_key:
        return f"{verb} your {change.field} {fc.to_value(change, value)}"
    det = "your" if _theirs(call, user_key) else "the"
    record = call.arguments[change.record]
    return f"{verb} the {change.field} of {det} {fc.thing(change.record)} {record} {fc.to_value(change, value)}"


def _theirs(call: Call, user_key: str | None) -> bool:
    """Whether the record a write acts on is the user's: not when what it returned names
    another person by the user's own key (the report's submitter, to its approver)."""
    output = call.result.result if call.result is not None and call.result.ok else None
    mine = call.arguments.get(user_key) if user_key else None
    return mine is None or not isinstance(output, dict) or output.get(user_key, mine) == mine


def _details(arguments: dict[str, object], ref: str | None, names: dict[str, str] | None = None,
             known: dict[str, str] | None = None) -> str:
    """A write's values after its action: relations as phrases, one amount of money as
    "for $25.00", the rest "with the memo ...": " from account ACC-1 for $25.00 with the
    memo "rent"". Credentials are never said."""
    # the street, city and zip as one address; an item and its quantity as "3 units of item MI2031"
    grouped = paired([kv for kv in merged(list(tl.without_secrets(arguments).items())) if kv[0] != ref]) \
        + ([(ref, arguments[ref])] if ref in arguments else [])
    given = [(k, v, _spoken(v, k, known or {})) for k, v in grouped
             if k != ref and not w.empty(v) and _spoken(v, k, known or {})]
    related = [w.relation_phrase(k, said) for k, v, said in given if w.relation(k) and not isinstance(v, bool)]
    money = [said for k, v, said in given if is_money(k, v)]
    items = [said for k, v, said in given if counted(v) is not None]  # "for two of the Camping Tent (Navy)"
    # another record the write takes, by what it is: "for request RX20069 and pharmacy PH08
    # (Bernard Pharmacy)", never "with the request ID RX20069"
    records = [f"{w.label(k).removeprefix('my ').removesuffix(' ID')} {said}" for k, v, said in given
               if w.id_key(k) and not w.relation(k) and isinstance(v, str | int) and not isinstance(v, bool)]
    # a label that is a question ("what_still_fails") is no noun: ", saying what still fails: ..."
    questions = {k for k, _, _ in given if _question(w.label((names or {}).get(k, k)))}
    asked = [(w.label((names or {}).get(k, k)), said) for k, v, said in given if k in questions]
    given = [(k, v, said) for k, v, said in given if k not in questions]
    rest = [_stated(w.label((names or {}).get(k, k)).removeprefix('my '), v, said) for k, v, said in given
            if not (w.relation(k) and not isinstance(v, bool)) and not (len(money) == 1 and is_money(k, v))
            and counted(v) is None
            and not (w.id_key(k) and not w.relation(k) and isinstance(v, str | int) and not isinstance(v, bool))]
    return "".join(f" {phrase}" for phrase in related if phrase) + "".join(f" for {said}" for said in items) \
        + (f" for {w.list_words(records)}" if records else "") \
        + (f" for {money[0]}" if len(money) == 1 else "") + (" with " + w.list_words(rest) if rest else "") \
        + "".join(f", saying {label}: {said}" for label, said in asked)


_QUESTION_WORDS = frozenset({"what", "how", "why", "who", "where", "when", "which"})


def _question(label: str) -> bool:
    """A label that is a question, not a noun ("what still fails")."""
    words = label.split()
    return len(words) >= 2 and words[0] in _QUESTION_WORDS


def _stated(label: str, value: object, said: str) -> str:
    """One value of a write by its label: "the payment method gift card"; a count of things
    as the things ("2 bags", "1 bag"), never "the bags 1"."""
    words = label.split()
    if isinstance(value, int) and not isinstance(value, bool) and len(words) == 1 and w.plural(label) \
            and value >= 0:
        return f"{value} {label[:-1] if value == 1 else label}"
    return f"the {label} {said}"


def _checked(segment: Segment, before: int, ids: list[object]) -> str:
    """What a look-up of the record made just before says of it ("it's pending, $1,108.90")."""
    for earlier in reversed(segment.turns[:before]):
        for call in earlier.calls:
            output = call.result.result if call.result is not None and call.result.ok else None
            if isinstance(output, dict) and any(v in call.arguments.values() for v in ids if v is not None):
                facts = checked_facts(output)
                if facts:
                    return "it's " + ", ".join(facts)
    return ""


def checked_facts(output: dict[str, Any]) -> list[str]:
    """What a confirmation tells of a record it looked up: its status, amount, and when it
    is ("pending", "$1,108.90", "placed July 15, 2026 at 22:00"); [] when none of those."""
    facts = [natural(output[k], k) for k in ("status", "total", "amount", "price", "fare")
             if isinstance(output.get(k), str | int | float) and not isinstance(output.get(k), bool)]
    when = next((k for k in ("departure", "start_at", "start", "date", "placed_at", "execute_on")
                 if isinstance(output.get(k), str) and output[k]), None)
    if when is not None:  # what the record is: the flight it is for, when it was placed
        said = when.replace("_", " ").removesuffix(" at")  # "placed July 15, 2026 at 22:00"
        facts = [*facts[:2], f"{said} {natural(output[when], when)}"]
    return facts[:3]


def _spoken(value: object, key: str, known: dict[str, str]) -> str:
    """An argument as said in a confirmation: scalars in words, a list of records by their
    values, an id with the name the dialogue showed for it ("7602931732 (Espresso Machine)")."""
    items = counted(value, lambda thing, thing_key: _spoken(thing, thing_key, known))
    if items is not None:  # "one unit of product P2017 (Wall Clock (Grey))"
        return items
    if isinstance(value, list):
        return " and ".join(_spoken(v, key, known) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{w.label(k).removeprefix('my ')} {_spoken(v, k, known)}" for k, v in value.items())
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value) in known \
            and (w.id_key(key) or key.endswith("_ids")):
        return f"{value} ({known[str(value)]})"
    if isinstance(value, str) and len(value.split()) >= 3 and natural(value, key) == value \
            and not key.endswith(("address", "name")):
        return f'"{value}"'  # the user's own text (a subject, a message body), quoted as theirs
    return natural(value, key)




_NAME_KEYS = ("name", "title", "product_name", "full_name", "display_name")
MAX_DEPTH = 8


def id_names(outputs: list[Any]) -> dict[str, str]:
    """What the outputs call each id they show: a record's own id (its only id, or the one
    its list is named for: an order's "items" hold `item_id`s) gets the record's name, or
    its owner's name with its options ("Espresso Machine, 2L, black")."""
    found: dict[str, str] = {}
    for output in outputs:
        _walk(output, None, "", found, 0)
    return found


def _walk(node: Any, owner: str | None, parent: str, found: dict[str, str], depth: int) -> None:
    if depth > MAX_DEPTH:
        return
    if isinstance(node, list):
        for item in node:
            _walk(item, owner, parent, found, depth + 1)
        return
    if not isinstance(node, dict):
        return
    name = next((str(node[k]).strip() for k in _NAME_KEYS if isinstance(node.get(k), str) and node[k].strip()), None)
    options = node.get("options") if isinstance(node.get("options"), dict) else None
    said = name or owner
    if said and options:
        said = ", ".join([said, *(str(v) for v in list(options.values())[:3] if isinstance(v, str | int | float))])
    ids = [k for k, v in node.items() if w.id_key(k) and isinstance(v, str | int) and not isinstance(v, bool)]
    own = ids if len(ids) == 1 else [k for k in ids if parent and w.snake(k).removesuffix("_id") + "s" == parent]
    if said and len(said) <= 80:
        for key in own:
            found.setdefault(str(node[key]), said)
    for key, value in node.items():
        if isinstance(value, dict | list):
            _walk(value, name or owner, w.snake(str(key)), found, depth + 1)
