"""Bodies on a one-row state (a car, a thermostat): settings that change named columns,
and views of the part of the state an option names."""

from __future__ import annotations

import re

from toolace_mt.compiler import kinds as K
from toolace_mt.compiler.bodies.code import message, q
from toolace_mt.compiler.bodies.parts import Parts
from toolace_mt.compiler.names import human, singular, words
from toolace_mt.compiler.plan import EnvPlan, Table, ToolPlan
from toolace_mt.compiler.spec_model import Field


def body_setting(parts: Parts, plan: ToolPlan) -> list[str]:
    table = parts.table(plan)
    lines = [*parts.login_line(plan), parts.load_row(plan, table), "changes = {}"]
    for param in plan.params:
        if not param.column:
            continue
        value = param.ident
        if param.role == "state":
            mapping = translation(param.spec, table.columns[param.column].spec)
            value = f"{mapping!r}.get({param.ident}, {param.ident})" if mapping else param.ident
            lines += [f"new_state = {value}",
                      f'if row["{param.column}"] == new_state:',
                      f"    raise ToolError(f\"{human(param.column)} is already {{new_state}}\")"]
            value = "new_state"
        value = parts.column_value(table, param.column, value)
        if param.spec.required:
            lines.append(f'changes["{param.column}"] = {value}')
        else:
            lines += [f"if {param.ident} is not None:", f'    changes["{param.column}"] = {value}']
    if plan.status_column and plan.target_status and plan.status_flag:
        thing = " ".join(words(plan.spec.name)[1:]) or human(table.entity)  # park_telescope: the telescope
        lines += [f'if row["{plan.status_column}"]:',
                  f"    raise ToolError({q(f'the {thing} is already {plan.target_status}')})",
                  f'changes["{plan.status_column}"] = True']
    elif plan.status_column and plan.target_status:
        lines += [f'if row["{plan.status_column}"] == {q(plan.target_status)}:',
                  f"    raise ToolError({q(f'{human(plan.status_column)} is already {plan.target_status}')})",
                  f'changes["{plan.status_column}"] = {q(plan.target_status)}']
    lines += ["for name, value in changes.items():",
              f"    db.execute(\"UPDATE {table.name} SET \" + name + \" = ?\", [value])",
              f"row = {parts.loader(table)}(db)",
              message("done: {', '.join(sorted(changes)) or 'nothing changed'}")]
    return lines + parts.shape.row(plan, table)


def body_state_view(parts: Parts, plan: ToolPlan) -> list[str]:
    """One part of the device state, chosen by an enum option (fuel, doors, engine...)."""
    table = parts.table(plan)
    selector = plan.params[0]
    views = state_views(parts.env, table, [str(v) for v in selector.spec.enum or []])
    output = plan.spec.output
    props = output.properties if output is not None and output.type == "object" else []
    lines = [f"{parts.load_row(plan, table)}", f"columns = {views!r}[{selector.ident}]",
             "view = {name: row[name] for name in columns}"]
    if len(props) == 1 and props[0].type == "object":
        return [*lines, f"return {{{q(props[0].name)}: view}}"]
    return [*lines, "return view"]


def state_views(env: EnvPlan, table: Table, options: list[str]) -> dict[str, list[str]]:
    """For each option, the state columns it names, directly or through the tools that set them."""
    views: dict[str, list[str]] = {}
    columns = [c for c in table.columns if c != table.key]
    for option in options:
        wanted = {singular(w) for w in words(option)}
        chosen = [c for c in columns if wanted & {singular(w) for w in c.split("_")}]
        for plan in env.tools:
            if plan.table == table.name and plan.kind in ("setting", "adjust") and \
                    wanted <= {singular(w) for w in words(plan.spec.name)}:
                touched = [p.column for p in plan.params if p.column] + [plan.status_column, plan.adjust_column]
                chosen += [c for c in touched if c and c in columns and c not in chosen]
        views[option] = chosen or columns
    return views


def translation(param: Field, target: Field | None) -> dict[str, object]:
    """engage -> engaged, START -> started, True -> the first status value: a param's values as states."""
    values = [str(v) for v in (target.enum if target is not None and target.enum else [])]
    mapping: dict[str, object] = {}
    sources = param.enum or ([True, False] if param.type == "boolean" else [])
    on = true_state(param, values) if param.type == "boolean" and len(values) >= 2 else None
    for index, source in enumerate(sources):
        if isinstance(source, bool):
            if on is not None:
                off = next(v for v in values if v != on)
                mapping[source] = on if source else off  # type: ignore[index]
            continue
        text = str(source).lower()
        candidates = [text, K.target_status(text)]
        hit = next((v for v in values for c in candidates if v.lower() == c), None)
        hit = hit or next((v for v in values if v.lower()[:4] == text[:4]), None)
        if hit is None and len(values) == len(sources):
            hit = values[index]
        mapping[str(source)] = hit or K.target_status(text)
    return mapping


def true_state(param: Field, values: list[str]) -> str:
    """The state a boolean parameter set to True asks for: the one its name says (`unlock`
    -> unlocked, `lock` -> locked), else the one its description ties to True ("True if the
    doors are to be unlocked"), else the first status value."""
    name = param.name.lower()
    by_name = [v for v in values if v.lower().startswith(name) or K.target_status(name) == v.lower()]
    if by_name:
        return min(by_name, key=len)
    text = (param.description or "").lower()
    clause = text.split("true", 1)[1].split("false", 1)[0] if "true" in text else ""
    said = [v for v in values if re.search(rf"\b{re.escape(v.lower())}\b", clause)]
    return said[0] if len(said) == 1 else values[0]
