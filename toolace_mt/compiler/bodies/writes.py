"""Bodies of writes: create (unique names, stock and money taken), update, delete."""

from __future__ import annotations

from toolace_mt.compiler import kinds as K
from toolace_mt.compiler.bodies.code import DEFAULTS, message, q
from toolace_mt.compiler.bodies.money import charge, give_back, take_stock
from toolace_mt.compiler.bodies.parts import Parts
from toolace_mt.compiler.bodies.transitions import preconditions
from toolace_mt.compiler.names import human, words
from toolace_mt.compiler.plan import Table, ToolPlan
from toolace_mt.compiler.seed_plan import STATUS_START

UNIQUE_WORDS = {"username", "email", "handle"}


def default_value(name: str, kind: str, table: Table) -> str:
    """A new row's value for a column no parameter gives."""
    meaning = set(words(name))
    if kind == "string" and (name == "status" or name.endswith("_status")):
        col = table.columns[name]
        if col.spec is not None and col.spec.enum:
            return q(str(col.spec.enum[0]))
        return q(STATUS_START)
    if kind == "string" and (meaning & {"date", "day"} or name.endswith("_on")):
        return "db.today.isoformat()"
    if kind == "string" and (meaning & {"time", "timestamp"} or name.endswith("_at")):
        return 'db.now.isoformat(timespec="seconds")'
    if kind in ("array", "object"):
        return q("[]" if kind == "array" else "{}")
    if table.columns[name].references:
        return "None"
    return DEFAULTS.get(kind, "None")


def _unique_checks(parts: Parts, table: Table, given: dict) -> list[str]:
    """A new row's username/email/handle must not be taken (in the users table: any given field)."""
    lines: list[str] = []
    is_users = table.name == parts.env.users
    for col in table.columns.values():
        if col.name in given and col.name != table.key and (is_users or set(words(col.name)) & UNIQUE_WORDS):
            param = given[col.name]
            lines += [f"if db.one({q(f'SELECT 1 FROM {table.name} WHERE {col.name} = ?')}, [{param.ident}]) "
                      "is not None:",
                      f"    raise ToolError(f{q(f'a {human(table.entity)} with {human(col.name)} ')[:-1]}"
                      f"{{{param.ident}}} already exists')"]
    return lines


def body_create(parts: Parts, plan: ToolPlan) -> list[str]:
    table = parts.table(plan)
    lines = [*parts.login_line(plan), *parts.references(plan, table)]
    given = {p.column: p for p in plan.params if p.column and p.role in ("value", "key", "filter")}
    key = table.key
    if key in given:
        param = given[key]
        lines += [f"if db.one({q(f'SELECT 1 FROM {table.name} WHERE {key} = ?')}, [{param.ident}]) is not None:",
                  f"    raise ToolError(f{q(f'{human(table.entity)} ')[:-1]}{{{param.ident}}} already exists')"]
        new_key = param.ident
    else:
        new_key = f"next_{table.entity}_id(db)"
    lines += _unique_checks(parts, table, given)
    lines += take_stock(parts, plan)
    lines += charge(plan, given)
    lines.append(f"new_id = {new_key}")
    row = []
    for col in table.columns.values():
        if col.name == key:
            value = "new_id"
        elif col.name in given:
            value = parts.column_value(table, col.name, given[col.name].ident)
        elif col.name == plan.owner_column:
            value = "me"
        else:
            value = default_value(col.name, col.type, table)
        row.append(f'"{col.name}": {value}')
    lines += [f'db.insert("{table.name}", [{{', *[f"    {r}," for r in row], "}])",
              f"row = {parts.loader(table)}(db{'' if table.singleton else ', new_id'})",
              message(f"{human(table.entity)} {{new_id}} created")]
    return lines + parts.shape.row(plan, table)


def _free_form_changes(table: Table, ident: str) -> list[str]:
    """A `changes` object: each name must be an updatable field, each value of its type."""
    allowed = f"UPDATABLE_{table.name.upper()}"
    return [f"for name, value in {ident}.items():",
            f"    if name not in {allowed}:",
            f"        raise ToolError(f\"{{name}} cannot be changed; fields: {{', '.join(sorted({allowed}))}}\")",
            f"    kind = {allowed}[name]",
            "    if not matches_type(value, kind):",
            "        raise ToolError(f\"{name} must be a {kind}, got {value!r}\")",
            "    changed[name] = json.dumps(value) if kind in ('array', 'object') else value"]


def body_update(parts: Parts, plan: ToolPlan) -> list[str]:
    table = parts.table(plan)
    lines = [*parts.login_line(plan), parts.load_row(plan, table), *parts.references(plan, table)]
    if plan.status_column:
        lines += preconditions(plan, plan.status_column, human(table.entity), f"{{row[{table.key!r}]}}",
                               K.target_status(K.verb_of(words(plan.spec.name)) or "change"))
    lines.append("changed = {}")
    for param in plan.params:
        if param.role in ("value", "filter") and param.column and param.column != table.key:
            value = parts.column_value(table, param.column, param.ident)
            if param.spec.required:
                lines.append(f'changed["{param.column}"] = {value}')
            else:
                lines += [f"if {param.ident} is not None:", f'    changed["{param.column}"] = {value}']
        elif param.role == "updates":
            lines += _free_form_changes(table, param.ident)
    lines += ["if not changed:",
              "    raise ToolError('nothing to change: give at least one field')",
              "for name, value in changed.items():",
              f"    db.execute(\"UPDATE {table.name} SET \" + name + \" = ? WHERE {table.key} = ?\", "
              f"[value, row[\"{table.key}\"]])",
              parts.reload(table),
              message(f"{human(table.entity)} updated: {{', '.join(sorted(changed))}}")]
    return lines + parts.shape.row(plan, table)


def body_delete(parts: Parts, plan: ToolPlan) -> list[str]:
    table = parts.table(plan)
    lines = [*parts.login_line(plan)]
    if plan.key is not None:
        lines.append(parts.load_row(plan, table))
    else:
        where, _ = parts.where(plan, table)
        described = ", ".join(f"{human(p.spec.name)} {{{p.ident}}}" for p in plan.params)
        lines += [*where, f'rows = db.query("SELECT * FROM {table.name}" + (" WHERE " + " AND ".join(where) '
                          f'if where else "") + " ORDER BY {table.key} DESC LIMIT 1", args)',
                  "if not rows:",
                  f"    raise ToolError(f{q(f'no {human(table.entity)} found for ' + (described or 'you'))})",
                  "row = rows[0]"]
    lines += give_back(parts, plan, table, after_final_check=False)
    lines += [f'db.execute("DELETE FROM {table.name} WHERE {table.key} = ?", [row["{table.key}"]])',
              message(f"{human(table.entity)} {{row[{table.key!r}]}} deleted")]
    return lines + parts.shape.row(plan, table)
