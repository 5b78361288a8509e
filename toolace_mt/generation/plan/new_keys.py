"""A key for a record a write makes when the caller names it (catalogue_specimen(barcode=...)):
shaped like the keys on file and taken by none of them. Keys read off rows always exist
already, so such a create could only fail ("specimen BB004518 already exists").

A write is taken to make a record of a table when it requires that table's single key and
at least two other columns of it that are not ids: the fields a new row needs. An update
names its record's key too, but its new values are optional, or not columns of that table;
or its name says it changes a record (updatePet, a PUT that replaces the pet: its schema
requires name and photoUrls, yet the pet must exist)."""

from __future__ import annotations

import random
from typing import Any

from sandbox import ToolSpec
from toolace_mt.generation.language.verb_forms import CHANGE_VERBS
from toolace_mt.generation.plan.id_names import name_words
from toolace_mt.generation.plan.state_rows import StateRows
from toolace_mt.generation.plan.value_keys import is_id, value_key

TRIES = 20


def made_table(source: StateRows, tool: ToolSpec, param: str) -> tuple[str, str] | None:
    """(table, key column) of the new row `tool` makes, keyed by `param` (see the module docstring)."""
    if not tool.writes or source.catalog is None:
        return None
    required = set(tool.parameters.get("required", []))
    if param not in required or set(name_words(tool.name)[:1]) & CHANGE_VERBS:
        return None
    for table, column in source.columns_for(param, tool.name):
        if source.catalog.primary_keys.get(table) != (column,):
            continue
        fields = set(source.catalog.table_columns[table]) - {column}
        if len({p for p in required - {param} if p in fields and not is_id(p)}) >= 2:
            return table, column
    return None


def new_key(source: StateRows, table: str, column: str, rng: random.Random) -> Any | None:
    """A value of `table`'s key `column` no row holds, in the shape of those that do (digits
    redrawn: BB004518 -> BB731902; an integer past the largest); None without a pattern."""
    taken = [r.get(column) for r in source.table_rows(table) if r.get(column) is not None]
    used = {value_key(v) for v in taken}
    numbers = [v for v in taken if isinstance(v, int) and not isinstance(v, bool)]
    for _ in range(TRIES):
        if numbers:
            made: Any = max(numbers) + rng.randint(1, 50)
        else:
            sample = rng.choice(taken) if taken else None
            if not isinstance(sample, str) or not any(c.isdigit() for c in sample):
                return None
            made = "".join(str(rng.randrange(10)) if c.isdigit() else c for c in sample)
        if value_key(made) not in used:
            return made
    return None
