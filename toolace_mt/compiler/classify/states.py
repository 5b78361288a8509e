"""States a later step requires: "Release a quarantined specimen" needs the state another
write puts a row in (quarantine_specimen: "Put a specimen in quarantine"). That write is a
transition into that state (it keeps its other values, the reason), and the later step is
allowed only from it. Found by the participle of the other write's verb, for any spec."""

from __future__ import annotations

import re

from toolace_mt.compiler import kinds as K
from toolace_mt.compiler.classify.catalog import Catalog
from toolace_mt.compiler.names import words
from toolace_mt.compiler.plan import ToolPlan


def required_states(cat: Catalog) -> None:
    for plan in cat.plans:
        table = cat.tables.get(plan.table or "")
        if plan.kind != "transition" or plan.status_flag or not plan.status_column or table is None:
            continue
        noun = re.escape(table.entity.split("_")[-1])
        text = " ".join(plan.spec.description.lower().split())
        for found in re.finditer(rf"\b(?:a|an|the|only)\s+(\w+ed)\s+(?:\w+\s+)?{noun}", text):
            state = found.group(1)
            if state == (plan.target_status or "").lower() or state in plan.allowed_from:
                continue
            maker = next((other for other in cat.plans if other is not plan and other.table == plan.table
                          and other.writes and _participle(other) == state), None)
            if maker is None:
                continue
            if maker.kind == "update":  # quarantine_specimen(barcode, reason): into the state, with its reason
                maker.kind, maker.status_column, maker.target_status = "transition", plan.status_column, state
            elif maker.kind != "transition" or maker.status_column != plan.status_column:
                continue
            if state not in table.status_values:
                table.status_values.append(state)
            plan.allowed_from.append(state)
            _blocked_until(cat, maker, state)


BLOCKED = re.compile(r"\bcannot be (\w+?)(?:ed|d)? (?:until|while|unless)\b")


def _blocked_until(cat: Catalog, maker: ToolPlan, state: str) -> None:
    """"It cannot be aliquoted until released": making an aliquot of a row in `state` fails."""
    said = BLOCKED.search(maker.spec.description.lower())
    table = cat.tables[maker.table or ""]
    if said is None or maker.status_column is None:
        return
    word = said.group(1)
    for plan in cat.plans:
        made = cat.tables.get(plan.table or "")
        noun = made.entity.split("_")[-1] if made is not None else ""
        if plan.kind != "create" or made is None or not (
                noun.startswith(word) or word.startswith(noun) or _participle(plan).startswith(word)):
            continue
        for param in plan.params:
            col = made.columns.get(param.column or "")
            if col is not None and col.references == table.name:
                plan.parent_states.append((param.ident, table.name, maker.status_column, state))


def _participle(plan: ToolPlan) -> str:
    """What a write's verb makes of a row: quarantine_specimen -> "quarantined"."""
    name_words = words(plan.spec.name)
    verb = K.verb_of(name_words) or next((w for w in name_words[:1] if w not in K.FILLER), "")
    return K.target_status(verb) if verb else ""
