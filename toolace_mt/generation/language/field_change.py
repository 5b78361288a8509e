"""A write that points a field of one record at another record: `update_dispense_pharmacy
(dispense_id, pharmacy_id)` moves the dispense to another pharmacy, `update_preferred_pharmacy
(patient_id, pharmacy_id)` changes the patient's preferred pharmacy. The id the tool's name
ends on is the value set, not the record acted on, so the write is said as "the pharmacy
of dispense MD30045 ... to PH08 (Walter Pharmacy)", never as "pharmacy PH08" updated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from toolace_mt.generation.language.labels import id_key, label
from toolace_mt.generation.language.task_phrases import referent, snake
from toolace_mt.generation.language.verb_forms import CHANGE_VERBS

# Words that make a name a move between records (`move_item_to_list`), said another way.
_LINKS = frozenset({"to", "from", "into", "between", "with", "for", "by"})


@dataclass(frozen=True)
class FieldChange:
    """`record`: the argument keying the record acted on; `field`: what of it changes, in
    words ("pharmacy", "preferred pharmacy"); `value`: the argument holding the new value."""

    record: str
    field: str
    value: str


def field_change(tool: str, arguments: dict[str, Any], output: Any = None) -> FieldChange | None:
    """The field a change-verb write sets to another record's id, with the record it sets
    it on: named in the tool's name before the field (`update_dispense_pharmacy`), or the
    record the write returned, keyed by another argument and holding the new id in a field
    named after it (`update_preferred_pharmacy` returning the patient with its
    `preferred_pharmacy_id`). None for any other write."""
    words = snake(tool).split("_")
    if len(words) < 2 or words[0] not in CHANGE_VERBS or _LINKS & set(words[1:]):
        return None
    ref = referent(tool)
    rest = words[1:]
    value = next((k for k in arguments if ref is not None and snake(k) == ref), None)
    if value is None:  # update_hold_pickup_location(hold_id, pickup_library_id): the id sharing the field's words
        return _named_field(rest, arguments)
    if not _scalar(arguments[value]):
        return None
    others = [k for k in arguments if k != value and id_key(k) and _scalar(arguments[k])]
    for key in others:  # update_dispense_pharmacy: the dispense's pharmacy
        stem = snake(key).removesuffix("_id").split("_")[-1]
        if stem in rest[:-1]:
            return FieldChange(key, " ".join(rest[rest.index(stem) + 1:]), value)
    if isinstance(output, dict):  # the record returned holds the new id in a field named after it
        field = snake(value)
        for key in others:
            if str(output.get(key)) == str(arguments[key]) and any(
                    snake(k) != snake(key) and snake(k).endswith(field) and str(v) == str(arguments[value])
                    for k, v in output.items()):
                return FieldChange(key, " ".join(rest), value)
    return None


def _named_field(rest: list[str], arguments: dict[str, Any]) -> FieldChange | None:
    """A record named in the tool's name before a field the name says in words of its own
    (`update_hold_pickup_location`), set to the one other id argument sharing a word with
    it (`pickup_library_id`)."""
    ids = [k for k in arguments if id_key(k) and _scalar(arguments[k])]
    for key in ids:
        stem = snake(key).removesuffix("_id").split("_")[-1]
        if stem not in rest[:-1]:
            continue
        field = rest[rest.index(stem) + 1:]
        values = [k for k in ids if k != key and set(snake(k).removesuffix("_id").split("_")) & set(field)]
        if len(values) == 1:
            return FieldChange(key, " ".join(field), values[0])
    return None


def thing(key: str) -> str:
    """What an id argument names: `dispense_id` -> "dispense"."""
    return label(key).removesuffix(" ID")


def to_value(change: FieldChange, said: str) -> str:
    """"to PH08 (Walter Pharmacy)"; the value's thing is said when the field does not name it
    ("to pharmacy PH08" for a field "location")."""
    noun = thing(change.value)
    return f"to {said}" if change.field.split()[-1:] == noun.split()[-1:] else f"to {noun} {said}"


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool)
