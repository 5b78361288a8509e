"""State changes of one row: a status transition (close, cancel, approve) or an adjusted
amount (deposit, withdraw, refuel), with the limits the descriptions state."""

from __future__ import annotations

import math
import re

from toolace_mt.compiler import kinds as K
from toolace_mt.compiler.classify.catalog import Catalog
from toolace_mt.compiler.names import column, words
from toolace_mt.compiler.plan import Column, Param, Table, ToolPlan
from toolace_mt.compiler.seed_shapes import said_values

CAPACITY = re.compile(r"(?:up to|maximum of|max(?:imum)?|at most|capacity of|can hold)\s+(\d+(?:\.\d+)?)",
                      re.IGNORECASE)
ADJUSTED_NAMES = ("balance", "quantity", "stock", "level", "credits", "points")


SWITCHES = {"turn", "switch", "power", "toggle"}


def status_column(table: Table, target: str = "") -> str:
    """The column a transition sets: one whose values include its target (power: on/off),
    else the status column, added when there is none."""
    valued = next((c.name for c in table.columns.values() if c.type == "string" and c.spec is not None
                   and target in [str(v).lower() for v in said_values(c.spec)]), None)
    if valued is not None and target:
        return valued
    existing = next((c for c in table.columns if c == "status" or c.endswith("_status")), None) or next(
        (c for c in table.columns if c == "state" or c.endswith("_state")), None)  # "state": queued, done...
    if existing and table.columns[existing].type == "string":
        return existing
    table.add(Column("status", "string", None, nullable=False))
    return "status"


def plan_transition(cat: Catalog, plan: ToolPlan, table: Table, verb: str) -> None:
    plan.writes = True
    target = K.target_status(verb)
    particle = [w for w in words(plan.spec.name) if w in ("on", "off")]
    if verb in SWITCHES and particle:
        target = particle[0]  # turn_on_device -> on
    negated = target[2:] if target.startswith("un") else ""
    output = plan.spec.output
    for prop in output.properties if output is not None and output.type == "object" else []:
        if prop.type == "boolean" and column(prop.name) in (target, f"is_{target}", negated, f"is_{negated}"):
            table.add(Column(column(prop.name), "boolean", prop))  # lock_door -> {"locked": true}
    flag = next((c for c in (target, f"is_{target}") if c in table.columns and table.columns[c].type == "boolean"),
                None)
    if flag is None and negated and negated in table.columns and table.columns[negated].type == "boolean":
        flag, plan.flag_value = negated, False  # unlock -> locked = false
    if flag is not None:  # archive -> archived = true
        plan.status_column, plan.target_status, plan.status_flag = flag, target, True
        cat.value_columns(plan, table)
        return
    plan.status_column = status_column(table, target)
    plan.target_status = _spelled_as_enum(table.columns[plan.status_column], verb, target)
    if plan.target_status not in table.status_values:
        table.status_values.append(plan.target_status)
    cat.value_columns(plan, table)
    preconditions(plan, table)


def _spelled_as_enum(col: Column, verb: str, target: str) -> str:
    """The target as the column's enum spells it: cancel -> "canceled" where the spec says
    so, void -> "void"; else the verb's own past participle."""
    values = [str(v) for v in (col.spec.enum if col.spec is not None and col.spec.enum else [])]
    if not values or target in values:
        return target
    stem = verb[:-1] if verb.endswith("e") else verb
    return next((v for v in values if v.lower() == verb or (v.lower().startswith(stem) and len(stem) >= 4
                                                            and v.lower().endswith("ed"))), target)


NOT_REFUSED = r"(?!\s+(?:\w+\s+)?(?:cannot|can't))"  # "that is under review", not "that is checked in cannot"


def preconditions(plan: ToolPlan, table: Table) -> None:
    """The statuses a transition starts from, as its description says them: "cancel a
    confirmed reservation" (only from confirmed), "a shipment that has not been dispatched",
    "a reservation that is checked in cannot be cancelled" (never from those)."""
    column = table.columns.get(plan.status_column or "")
    if column is None:
        return
    values = said_values(column.spec) if column.spec is not None else []
    text = " ".join(plan.spec.description.lower().split())
    noun = re.escape(table.entity.split("_")[-1])
    # "Only active, trialing or paused subscriptions can be canceled."
    listed = re.search(rf"\bonly\s+((?:[\w-]+(?:,\s*|\s+or\s+|\s+and\s+)){{0,5}}[\w-]+)\s+{noun}", text)
    listed_values = set(re.split(r",\s*|\s+or\s+|\s+and\s+", listed.group(1))) if listed else set()
    for value in values:
        said = re.escape(value.lower().replace("_", " "))
        if value.lower() == (plan.target_status or "").lower():
            continue
        if value.lower().replace("_", " ") in listed_values or \
                re.search(rf"\b(?:a|an|the|one|only)\s+{said}\s+(?:\w+\s+)?{noun}", text) or \
                re.search(rf"\b(?:that|which)\s+(?:is|are)\s+(?:still\s+)?{said}\b{NOT_REFUSED}", text):
            plan.allowed_from.append(value)
        elif re.search(rf"\b(?:not|never)\s+(?:yet\s+|been\s+|already\s+)*{said}\b|"
                       rf"\b(?:is|are|was|been|already)\s+(?:already\s+)?{said}\s+(?:\w+\s+)?(?:cannot|can't)\b",
                       text):
            plan.forbidden_from.append(value)


DAY_WORDS = {"day", "days", "nights"}
DATE_WORDS = {"date", "day", "until", "end", "due", "deadline", "expiry", "expires"}


def _shifted_date(plan: ToolPlan, table: Table) -> str | None:
    """The date column an extend/postpone moves: the one its description names, else the last."""
    dates = [c.name for c in table.columns.values() if c.type == "string" and set(words(c.name)) & DATE_WORDS]
    said = " ".join(words(plan.spec.description))
    named = [c for c in dates if " ".join(words(c)) in said]
    return (named or dates[-1:] or [None])[0]


def plan_adjust(cat: Catalog, plan: ToolPlan, table: Table, verb: str) -> None:
    plan.writes = True
    plan.adjust_sign = -1 if verb in K.DECREASE or verb == "shorten" else 1
    if verb in K.SHIFT:
        days = next(p for p in plan.params if p.spec.type == "integer" and set(words(p.spec.name)) & DAY_WORDS)
        days.role = "amount"
        shifted = _shifted_date(plan, table)
        if shifted is not None:
            plan.adjust_column, plan.shift_days = shifted, True
            return
    amount = next(p for p in plan.params if p.role != "key" and p.spec.type in ("number", "integer"))
    amount.role = "amount"
    plan.adjust_column = _adjusted_column(plan, table, amount)
    capacity = CAPACITY.search(plan.spec.description)
    plan.capacity = float(capacity.group(1)) if capacity and plan.adjust_sign > 0 else None
    if capacity:  # the seed stays within it too, with room to add some
        adjusted = table.columns[plan.adjust_column]
        adjusted.capacity = min(adjusted.capacity or math.inf, float(capacity.group(1)))


def _adjusted_column(plan: ToolPlan, table: Table, amount: Param) -> str:
    output = plan.spec.output
    numeric = [p for p in (output.properties if output is not None and output.type == "object" else [])
               if p.type in ("number", "integer")]
    for prop in numeric:
        name_words = [w for w in words(prop.name) if w not in ("new", "current", "updated", "remaining", "total")]
        name = column("_".join(name_words) or prop.name)
        if name in table.columns or len(numeric) == 1:
            table.add(Column(name, prop.type if prop.type == "number" else amount.spec.type, prop))
            return name
    for candidate in ADJUSTED_NAMES:
        hit = next((c for c in table.columns if candidate in c.split("_")
                    and table.columns[c].type in ("number", "integer")), None)
        if hit:
            return hit
    table.add(Column("balance", "number", None, nullable=False))
    return "balance"
