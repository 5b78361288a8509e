"""Tools on no entity: unit conversions, amounts and settings of a one-row state, reads
of that state, outside-data lookups, and tools that can only echo their input."""

from __future__ import annotations

import re

from toolace_mt.compiler import kinds as K
from toolace_mt.compiler.classify.catalog import Catalog
from toolace_mt.compiler.classify.outside import plan_lookup
from toolace_mt.compiler.classify.settings import setting_columns
from toolace_mt.compiler.classify.transitions import plan_adjust
from toolace_mt.compiler.names import column, singular
from toolace_mt.compiler.plan import ToolPlan

CONVERT = re.compile(r"^(?:convert_)?([a-z]+)_to_([a-z]+)$")
UNIT_FACTORS = {
    ("gallon", "liter"): 3.78541, ("liter", "gallon"): 0.264172, ("mile", "km"): 1.60934,
    ("km", "mile"): 0.621371, ("mile", "kilometer"): 1.60934, ("kilometer", "mile"): 0.621371,
    ("kg", "lb"): 2.20462, ("lb", "kg"): 0.453592, ("kilogram", "pound"): 2.20462, ("pound", "kilogram"): 0.453592,
    ("inch", "cm"): 2.54, ("cm", "inch"): 0.393701, ("meter", "feet"): 3.28084, ("feet", "meter"): 0.3048,
    ("foot", "meter"): 0.3048, ("meter", "foot"): 3.28084, ("ounce", "gram"): 28.3495, ("gram", "ounce"): 0.035274,
}
READ_VERBS = {"estimate", "calculate", "compute", "convert", "check", "find", "count"}


def plan_stateless(cat: Catalog, plan: ToolPlan, verb: str, name_words: list[str]) -> ToolPlan:
    spec = plan.spec
    output = spec.output
    out_props = output.properties if output is not None and output.type == "object" else []
    numeric = [p for p in plan.params if p.spec.type in ("number", "integer")]
    convert = CONVERT.match("_".join(name_words))
    if convert and len(plan.params) == 1 and numeric:
        plan.kind = "convert"
        pair = (singular(convert.group(1)), singular(convert.group(2)))
        plan.factor = UNIT_FACTORS.get(pair)
        if plan.factor is None:
            plan.factor, plan.confident = 1.0, False
            plan.notes.append(f"no known factor for {pair[0]} -> {pair[1]}; set FACTORS")
        return plan
    if (verb in K.INCREASE or verb in K.DECREASE) and numeric:
        table = cat.singleton_with([column(p.name) for p in out_props])
        plan.table = table.name
        plan_adjust(cat, plan, table, verb)
        plan.kind = "adjust"
        return plan
    is_read = verb in K.GET | K.LIST | K.SEARCH or bool(set(name_words) & K.OUTSIDE) or verb in READ_VERBS \
        or not verb  # freezer_reading, "The latest temperature reading": a name with no verb names what it reads
    is_setting = verb in K.SETTING | K.UPDATE | K.CREATE | K.DELETE | set(K.TRANSITION) and verb not in K.GET
    if plan.params and all(p.spec.type in ("array", "object") for p in plan.params) and not is_setting:
        plan.kind, plan.confident = "echo", False
        plan.notes.append("returns its input: the spec says nothing about state it reads")
        return plan
    if is_read and not is_setting:
        if len(plan.params) == 1 and plan.params[0].spec.enum and cat.has_settings:
            plan.kind, plan.table = "state_view", cat.state_table().name
            plan.params[0].role = "selector"
            return plan
        if plan.params:
            return plan_lookup(cat, plan, name_words)
        table = cat.singleton_with([column(p.name) for p in out_props])
        plan.kind, plan.table = "state_read", table.name
        for prop in out_props:
            cat.column_for(table, prop)
        return plan
    table = cat.singleton_with([column(p.name) for p in out_props])
    plan.kind, plan.table, plan.writes = "setting", table.name, True
    setting_columns(cat, plan, table, verb, out_props)
    return plan
