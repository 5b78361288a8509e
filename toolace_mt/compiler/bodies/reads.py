"""Bodies of reads: get one row, list, search with filters, find one, count (stats)."""

from __future__ import annotations

from toolace_mt.compiler.bodies.code import dict_return, q
from toolace_mt.compiler.bodies.parts import Parts
from toolace_mt.compiler.names import human
from toolace_mt.compiler.plan import ToolPlan


def body_get(parts: Parts, plan: ToolPlan) -> list[str]:
    table = parts.table(plan)
    return [*parts.login_line(plan), parts.load_row(plan, table), *parts.shape.row(plan, table)]


def body_list(parts: Parts, plan: ToolPlan) -> list[str]:
    table = parts.table(plan)
    lines, _ = parts.where(plan, table)
    return [*parts.login_line(plan), *lines, parts.select(table, plan=plan), *parts.decode_rows(table, plan),
            *parts.shape.rows(plan, table)]


def body_search(parts: Parts, plan: ToolPlan) -> list[str]:
    table = parts.table(plan)
    lines, _ = parts.where(plan, table)
    extra = []
    keys = plan.param("keys")
    if keys is not None:
        extra = [f'known = [r["{table.key}"] for r in db.query("SELECT {table.key} FROM {table.name} '
                 f'WHERE list_contains(?, {table.key})", [{keys.ident}])]',
                 f"unknown = [k for k in {keys.ident} if k not in known]",
                 "if unknown:",
                 f"    raise ToolError(f{q(f'unknown {human(table.entity)}: ')[:-1]}{{unknown}}')"]
    low, high = plan.param("min"), plan.param("max")
    if low is not None and high is not None and low.column == high.column:
        extra += [f"if {low.ident} is not None and {high.ident} is not None and {low.ident} > {high.ident}:",
                  f"    raise ToolError(f'{human(low.spec.name)} {{{low.ident}}} is above "
                  f"{human(high.spec.name)} {{{high.ident}}}')"]
    message = parts.shape.rows_message(plan, table)
    extra = [*parts.references(plan, table), *extra]
    return [*parts.login_line(plan), *extra, *lines, parts.select(table, plan=plan), *parts.decode_rows(table, plan),
            *message, *parts.shape.rows(plan, table)]


def body_find(parts: Parts, plan: ToolPlan) -> list[str]:
    table = parts.table(plan)
    lines, _ = parts.where(plan, table)
    described = ", ".join(f"{human(p.spec.name)} {{{p.ident}}}" for p in plan.params if p.spec.required)
    return [*parts.login_line(plan), *lines, parts.select(table, 1), "if not rows:",
            f"    raise ToolError(f{q(f'no {human(table.entity)} matches ' + (described or 'that'))})",
            *parts.decode_rows(table), "row = rows[0]", *parts.shape.rows_message(plan, table),
            *parts.shape.row(plan, table)]


def body_stats(parts: Parts, plan: ToolPlan) -> list[str]:
    table = parts.table(plan)
    if plan.group_by is not None:  # {"available": 7, "sold": 3}: rows without a value are not counted
        col = plan.group_by
        return [*parts.login_line(plan),
                f'counts = db.query("SELECT {col} AS v, count(*) AS n FROM {table.name} WHERE {col} IS NOT NULL '
                f'GROUP BY {col} ORDER BY {col}")',
                'return {str(r["v"]): r["n"] for r in counts}']
    lines, _ = parts.where(plan, table)
    output = plan.spec.output
    counts = [f'"{table.name}": len(rows)']
    status = next((c for c in table.columns if c == "status"), None)
    body = [*parts.login_line(plan), *lines, parts.select(table, 100000)]
    if status:
        body.append(f'by_status = {{s: len([r for r in rows if r["{status}"] == s]) for s in '
                    f'sorted(set(r["{status}"] for r in rows))}}')
        counts.append('"by_status": by_status')
    stats = "{" + ", ".join(counts) + "}"
    props = output.properties if output is not None and output.type == "object" else []
    if len(props) == 1 and props[0].type == "object":
        return [*body, f"return {{{q(props[0].name)}: {stats}}}"]
    if props:
        items = [f"{q(p.name)}: {'len(rows)' if p.type in ('integer', 'number') else stats}" for p in props]
        return [*body, *dict_return(items)]
    return [*body, f"return {stats}"]
