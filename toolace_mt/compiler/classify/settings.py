"""Settings of a one-row state (a car's doors, a thermostat's mode): which column each
parameter sets, and the status a no-argument action moves to."""

from __future__ import annotations

from toolace_mt.compiler import kinds as K
from toolace_mt.compiler.classify.catalog import Catalog
from toolace_mt.compiler.entities import RESULT_WORDS
from toolace_mt.compiler.names import column, words
from toolace_mt.compiler.plan import Column, Table, ToolPlan
from toolace_mt.compiler.spec_model import Field

GENERIC_PARAMS = {"mode", "option", "value", "type", "level", "state", "status", "setting", "on", "enabled", "flag"}
GENERIC_VERBS = {"set", "adjust", "configure", "select", "choose", "apply", "navigate", "toggle", "turn", "switch",
                 "mode", ""}


def setting_columns(cat: Catalog, plan: ToolPlan, table: Table, verb: str, out_props: list[Field]) -> None:
    statusish = [p for p in out_props if p.type == "string" and (
        p.enum or set(words(p.name)) & {"status", "state", "mode"})]
    for prop in out_props:
        if not (set(words(prop.name)) <= RESULT_WORDS | {"status"} and prop.type == "string"
                and not prop.enum and prop not in statusish) or prop in statusish:
            cat.column_for(table, prop)
    enums = [p for p in plan.params if p.spec.enum or p.spec.type == "boolean"]
    for param in plan.params:
        spec = param.spec
        target = None
        for prop in out_props:
            prop_words = words(prop.name)
            if words(spec.name) and words(spec.name)[-1] in prop_words and prop.type == spec.type:
                target = column(prop.name)
                break
        if target is None and len(enums) == 1 and param is enums[0] and len(statusish) == 1:
            target = column(statusish[0].name)
            param.role = "state"
        if target is None:
            generic = set(words(spec.name)) <= GENERIC_PARAMS
            noun = [w for w in words(plan.spec.name) if w not in K.SETTING and w not in K.FILLER]
            name = f"{'_'.join(noun[:2])}_{column(spec.name)}" if generic and noun else column(spec.name)
            target = column(name)
            table.add(Column(target, spec.type, spec))
        param.column = target
    if len(statusish) == 1 and not any(p.role == "state" for p in plan.params) and (
            not plan.params or verb not in GENERIC_VERBS) and column(statusish[0].name) not in [
                p.column for p in plan.params]:
        plan.status_column = column(statusish[0].name)
        plan.target_status = K.target_status(verb)
        values = [str(v).lower() for v in (statusish[0].enum or [])]
        if values and plan.target_status not in values:
            plan.target_status = next((v for v in values if v[:4] == plan.target_status[:4]), plan.target_status)
    elif _flag(plan, table, verb, out_props):
        pass  # park_telescope -> {"parked": true}: the action sets its flag
    elif not plan.params:
        plan.confident = False
        plan.notes.append("takes no arguments and names no state it changes")


def _flag(plan: ToolPlan, table: Table, verb: str, out_props: list[Field]) -> bool:
    """An action whose output has a boolean named after its result (park -> parked) sets that
    flag on the state, and fails when it is set already."""
    if not verb or verb in GENERIC_VERBS:
        return False
    target = K.target_status(verb)
    flag = next((p for p in out_props if p.type == "boolean" and words(p.name) in ([target], ["is", target])), None)
    if flag is None:
        return False
    name = column(flag.name)
    if name not in table.columns:
        table.add(Column(name, "boolean", flag))
    plan.status_column, plan.target_status, plan.status_flag, plan.flag_value = name, target, True, True
    return True
