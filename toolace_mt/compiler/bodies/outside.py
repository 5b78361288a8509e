"""Bodies of tools on no stored entity: outside-data lookups from their seeded table,
unit conversions, and echoes of the input."""

from __future__ import annotations

from toolace_mt.compiler.bodies.code import dict_return, q
from toolace_mt.compiler.bodies.parts import Parts
from toolace_mt.compiler.names import human
from toolace_mt.compiler.plan import ToolPlan


def body_lookup(parts: Parts, plan: ToolPlan) -> list[str]:
    table = parts.table(plan)
    # Optional inputs (a unit, a format) do not pick the row: any value finds the same data.
    picking = [p for p in plan.params if p.column in table.lookup_keys and p.spec.required]
    where = " AND ".join(f"{p.column} = ?" for p in picking) or "TRUE"
    args = ", ".join(p.ident for p in picking)
    described = ", ".join(f"{human(p.spec.name)} {{{p.ident}}}" for p in plan.params)
    output = plan.spec.output
    order = ", ".join(table.lookup_keys)
    lines = [*parts.login_line(plan),
             f"row = db.one({q(f'SELECT * FROM {table.name} WHERE {where} ORDER BY {order} LIMIT 1')}, [{args}])",
             "if row is None:",
             f"    raise ToolError(f{q(f'no {human(table.entity)} data for ' + described)})"]
    if table.json_columns():
        lines.append(f"row = decoded(row, {table.json_columns()!r})")
    if output is None or output.type != "object" or not output.properties:
        return [*lines, "return row"]
    return lines + parts.shape.row(plan, table)


def body_convert(parts: Parts, plan: ToolPlan) -> list[str]:
    param = plan.params[0]
    output = plan.spec.output
    lines = [f"if {param.ident} < 0:",
             f"    raise ToolError(f'cannot convert a negative amount: {{{param.ident}}}')",
             f"converted = round({param.ident} * {plan.factor!r}, 4)"]
    props = output.properties if output is not None and output.type == "object" else []
    if props:
        return [*lines, "return {" + ", ".join(f"{q(p.name)}: converted" for p in props[:1]) + "}"]
    return [*lines, "return converted"]


def body_echo(parts: Parts, plan: ToolPlan) -> list[str]:
    output = plan.spec.output
    props = output.properties if output is not None and output.type == "object" else []
    first = plan.params[0].ident
    items = [f"{q(p.name)}: {next((x.ident for x in plan.params if x.spec.type == p.type), first)}"
             for p in props]
    return dict_return(items) if items else [f"return {first}"]
