"""Free text that fits the record a write is about, where the generic phrases of `free_text`
would not: what still fails on a ticket being reopened is that ticket's own problem ("Wi-Fi
drops on the third floor"), never a random word; a note added to a record is about that
record ("Any update on this ticket?"), not a meeting's; a new record's title fits what the
write says it is (a software ticket titled like the software tickets on file, not "Planning
Jacqueline's housewarming"). Phrases follow free_text's rules: no digit, no comma, 3+ words."""

from __future__ import annotations

import random
import re
from typing import Any

from sandbox import ToolSpec
from toolace_mt.generation.plan.id_names import name_words, singular
from toolace_mt.generation.plan.state_rows import StateRows
from toolace_mt.generation.plan.value_keys import Choice, is_id, value_key

# A free-text parameter about something that does not work (`what_still_fails`, `issue`,
# "What is still wrong."): by a word of its name or description.
_PROBLEM_WORDS = frozenset({"fail", "fails", "failing", "failed", "wrong", "problem", "problems", "issue", "issues",
                            "fault", "faults", "symptom", "symptoms", "broken", "error", "errors", "defect"})
# A note on a record (add_note(body), comment_on_task(text)): by a word of the tool's or parameter's name.
_NOTE_WORDS = frozenset({"note", "notes", "comment", "comments", "remark", "remarks", "annotation"})
# Columns that say what a record is about (a ticket's title, a case's subject).
_ABOUT_WORDS = frozenset({"title", "subject", "summary", "headline", "topic", "problem", "issue"})
_PROBLEM_FRAMES = ["{about}", "{about} again", "the same problem: {lower}", "{about} even after the fix"]
_PROBLEM_ANY = ["it still does not work", "the same problem came back the next day", "the fix did not hold",
                "it keeps failing in the same way", "nothing changed after the fix"]
_NOTE_FRAMES = ["Any update on this {noun}", "Is there any news on this {noun}", "I am still waiting on this {noun}",
                "Please let me know when this {noun} moves", "Just checking this {noun} is still open",
                "Happy to help if you need more details on this {noun}"]
_NOTE_ABOUT = ["Any news on this? {about}", "Following up on my {noun}: {lower}"]
_CREATE_KINDS = ("title", "subject", "summary", "description")


def is_problem(param: str, description: str) -> bool:
    """Whether a free-text parameter asks what is wrong (`what_still_fails`, "What is still wrong.")."""
    words = set(name_words(param)) | set(re.findall(r"[a-z]+", (description or "").lower())[:8])
    return bool(words & _PROBLEM_WORDS)


def is_note(tool: ToolSpec, param: str) -> bool:
    """Whether the value is a note on a record (add_note's body, a task comment's text)."""
    return bool((set(name_words(tool.name)) | set(name_words(param))) & _NOTE_WORDS)


def _sayable(text: Any) -> bool:
    return isinstance(text, str) and len(text.split()) >= 3 and len(text) <= 70 and not re.search(r"[\d,]", text)


def acted_on(source: StateRows, tool: ToolSpec, choice: Choice) -> tuple[str, dict[str, Any]] | None:
    """(table, row) of the record a write acts on: the row keyed by the first of its
    arguments so far that is a table's whole key (not the user's own row)."""
    if source.catalog is None:
        return None
    for param, value in choice.arguments.items():
        if not (is_id(param) or param in source.key_columns) or param == source.user_key:
            continue
        for table, column in source.columns_for(param, tool.name):
            if source.catalog.primary_keys.get(table) != (column,) or table == source.env.user_table:
                continue
            rows = [r for r in source.table_rows(table) if value_key(r.get(column)) == value_key(value)]
            if rows:
                return table, rows[0]
    return None


def about(row: dict[str, Any]) -> str | None:
    """What a record is about, in its own words (a ticket's title), when it can be said as free text."""
    for column, value in row.items():
        if set(name_words(column)) & _ABOUT_WORDS and not is_id(column) and _sayable(value):
            return str(value).strip()
    return None


def record_text(source: StateRows, tool: ToolSpec, param: str, description: str, kind: str | None,
                choice: Choice, rng: random.Random) -> str | None:
    """Free text for `param` of a write that fits its record (see the module docstring);
    None when the generic phrases are as good (nothing ties the text to a record)."""
    problem = is_problem(param, description)
    note = kind in ("body", "memo") and is_note(tool, param)
    if not problem and not note:
        return None
    found = acted_on(source, tool, choice)
    if found is None:
        return None  # a new record's text: its kind's (like_its_kind) or free_text's
    said = about(found[1])
    if problem:
        if said is None:
            return rng.choice(_PROBLEM_ANY)
        return rng.choice(_PROBLEM_FRAMES).format(about=said, lower=said[0].lower() + said[1:])
    noun = " ".join(name_words(singular(found[0])))
    if said is not None and rng.random() < 0.4:
        return rng.choice(_NOTE_ABOUT).format(about=said, lower=said[0].lower() + said[1:], noun=noun)
    return rng.choice(_NOTE_FRAMES).format(noun=noun)


def like_its_kind(source: StateRows, tool: ToolSpec, param: str, kind: str | None, choice: Choice,
                  rng: random.Random) -> str | None:
    """A new record's title (subject, summary) like those of the records on file of the same
    kind: rows of the table holding the column that agree with a value the write already
    chose for another of its columns (a software ticket's title for category software).
    None when no chosen value ties it to some rows."""
    if source.catalog is None or kind not in _CREATE_KINDS:
        return None
    for table, column in source.columns_for(param, tool.name):
        columns = set(source.catalog.table_columns[table])
        chosen = {p: v for p, v in choice.arguments.items() if p in columns and p != column and not is_id(p)
                  and isinstance(v, str | int) and not isinstance(v, bool)}
        if not chosen:
            continue
        rows = [r for r in source.table_rows(table)
                if all(value_key(r.get(c)) == value_key(v) for c, v in chosen.items())]
        texts = sorted({str(r[column]).strip() for r in rows if _sayable(r.get(column))})
        if texts:
            return rng.choice(texts)
    return None
