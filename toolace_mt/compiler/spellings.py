"""The names a compiled module shows for its columns: the spec's own spelling (`noteId`,
not `note_id`) where the spec spells a column one safe way. Classifying names a parameter
after such a column (classify/key_names), rendering renames the columns, probing queries
by them: all three read the same spelling from here."""

from __future__ import annotations

import re

from toolace_mt.compiler.names import SQL_RESERVED, column, is_safe, words
from toolace_mt.compiler.plan import EnvPlan
from toolace_mt.compiler.spec_model import Field


def _spec_names(field: Field | None, depth: int = 0) -> list[str]:
    if field is None or depth > 3:
        return []
    found = [field.name]
    for prop in field.properties:
        found += _spec_names(prop, depth + 1)
    if field.items is not None:
        found += _spec_names(field.items, depth + 1)
    return found


def display_names(env: EnvPlan) -> dict[str, str]:
    """Columns named as the spec spells them (`noteId`, not `note_id`) where that is one safe
    spelling: a generator matching parameters to columns by name then finds the values."""
    spellings: dict[str, set[str]] = {}
    for plan in env.tools:
        for param in plan.params:
            for name in _spec_names(param.spec):
                spellings.setdefault(column(name), set()).add(name)
        for name in _spec_names(plan.spec.output):
            spellings.setdefault(column(name), set()).add(name)
    for table in env.tables.values():
        for col in table.columns.values():
            if col.spec is not None and words(col.spec.name) != ["id"]:  # "id" is the key's alias
                spellings.setdefault(col.name, set()).add(col.spec.name)
    columns = {c for t in env.tables.values() for c in t.columns}
    taken = {t.name for t in env.tables.values()} | {p.ident for p in env.tools}
    renamed: dict[str, str] = {}
    for name in sorted(columns):
        options = spellings.get(name, set())
        if len(options) != 1:
            continue
        shown = next(iter(options))
        if shown != name and is_safe(shown) and shown.lower() not in SQL_RESERVED and shown not in taken \
                and shown.lower() not in {c.lower() for c in columns}:
            renamed[name] = shown
    return renamed


def rename_columns(source: str, names: dict[str, str]) -> str:
    for plain, shown in names.items():
        source = re.sub(rf"(?<![.\w]){plain}(?!\w)", shown, source)
    return source
