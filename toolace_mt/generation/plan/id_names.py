"""Parameter and field names as words, whatever their case: `noteId`, `taskID`, `user_id`
and `ID` are all ids, and `fromAccountId` takes an `account_id`. Specs from outside use
camelCase as often as snake_case; comparing names by their words keeps every rule that
links an output field to a parameter, or a parameter to a column, independent of it."""

from __future__ import annotations

from toolace_mt.verifier.id_fields import words_of as name_words  # one reading of names for plan and checks

_ID_WORDS = frozenset({"id", "ids", "uuid", "guid"})


def snake(name: str) -> str:
    """`noteId` -> "note_id", `taskID` -> "task_id"; a snake_case name is unchanged."""
    return "_".join(name_words(name))


def is_id(name: str) -> bool:
    """Whether a parameter or field names an entity by its id (or code)."""
    found = name_words(name)
    return bool(found) and (found[-1] in _ID_WORDS or found == ["code"])


def is_single_id(name: str) -> bool:
    """An id of one entity (`note_id`, `noteId`, `id`), not a list of them (`note_ids`)."""
    found = name_words(name)
    return bool(found) and found[-1] in ("id", "uuid", "guid")


def singular(name: str) -> str:
    """`payment_methods` -> `payment_method`, `categories` -> `category`."""
    if name.endswith("ies"):
        return name[:-3] + "y"
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


def qualified(param: str, tool: str) -> list[str]:
    """The names a parameter may stand for: itself, and for a bare `id` / `ID` the id of
    each thing the tool's name names (`get_project(ID)` takes a `project_id`)."""
    if snake(param) not in ("id", "ids"):
        return [param]
    suffix = "_" + snake(param)
    return [param, *dict.fromkeys(singular(w) + suffix for w in name_words(tool) if len(w) > 2)]


def names_a(param: str, field: str) -> bool:
    """Whether `param` is a qualified `field`: `from_account_id` / `fromAccountId` take an
    `account_id` / `accountId`."""
    wide, narrow = snake(param), snake(field)
    return bool(narrow) and wide.endswith("_" + narrow)
