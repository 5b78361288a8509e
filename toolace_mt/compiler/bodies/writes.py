"""Bodies of writes: create (unique names, stock and money taken), update, delete."""

from __future__ import annotations

from toolace_mt.compiler import kinds as K
from toolace_mt.compiler.bodies.code import DEFAULTS, message, q
from toolace_mt.compiler.bodies.money import charge, give_back, take_stock
from toolace_mt.compiler.bodies.parts import Parts
from toolace_mt.compiler.bodies.transitions import preconditions
from toolace_mt.compiler.names import RESERVED, human, identifier, snake, unique, words
from toolace_mt.compiler.plan import EnvPlan, Param, Table, ToolPlan
from toolace_mt.compiler.seed_plan import STATUS_START
from toolace_mt.compiler.seed_shapes import said_values
from toolace_mt.compiler.stamps import recorded

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
    spec = table.columns[name].spec
    if spec is not None and spec.enum and kind in ("string", "integer"):
        return repr(spec.enum[0])  # a stage, a priority: where the values start
    said = said_values(spec) if spec is not None and kind == "string" else []
    if len(said) >= 2 and (meaning & {"state", "stage", "phase"}):
        return q(said[0])  # "queued, observing, done or scrubbed": a new slot is queued
    if table.columns[name].references:
        return "None"
    return DEFAULTS.get(kind, "None")


def _unique_checks(parts: Parts, table: Table, given: dict) -> list[str]:
    """A new row's username/email/handle must not be taken (in the users table: its login
    names and phone too; never a password, a first name or a status two people can share)."""
    lines: list[str] = []
    is_users = table.name == parts.env.users
    unique = UNIQUE_WORDS | ({"phone", "login"} if is_users else set())
    for col in table.columns.values():
        said = set(words(col.name))
        if said - unique - set(table.entity.split("_")) and not is_users:
            continue  # applicantEmail on a permit: a person's contact on the row, not the row's own name
        named = is_users and words(col.name)[-2:] in (["user", "name"], ["login", "name"], ["screen", "name"])
        if col.name in given and col.name != table.key and (said & unique or named):
            param = given[col.name]
            lines += [f"if db.one({q(f'SELECT 1 FROM {table.name} WHERE {col.name} = ?')}, [{param.ident}]) "
                      "is not None:",
                      f"    raise ToolError(f{q(f'a {human(table.entity)} with {human(col.name)} ')[:-1]}"
                      f"{{{param.ident}}} already exists')"]
    return lines


def unpack_records(plan: ToolPlan) -> tuple[list[str], dict[str, Param]]:
    """Locals for the fields of a record parameter (`contact_first_name = contact.get('firstName')`),
    a blank required text field refused; and the column each local fills."""
    lines: list[str] = []
    given: dict[str, Param] = {}
    taken = {p.ident for p in plan.params} | set(RESERVED)
    for param in plan.params:
        if param.role != "record":
            continue
        for prop in param.spec.properties:
            col = param.fields.get(prop.name)
            if col is None or col in given:
                continue
            local = unique(identifier(f"{param.ident}_{snake(prop.name)}"), taken)
            lines.append(f"{local} = {param.ident}.get({q(prop.name)})")
            if prop.required and prop.type == "string" and not prop.enum and not prop.nullable:
                lines += [f"if not str({local} or '').strip():",
                          f"    raise ToolError({q(f'the {human(prop.name)} cannot be empty')})"]
            given[col] = Param(spec=prop, ident=local, column=col)
    return lines, given


def pair_columns(env: EnvPlan, table: Table) -> list[tuple[str, Table]]:
    """A membership's two columns, each with the table whose key it holds."""
    found = []
    for entity in table.pairs:
        col = next((c for c in table.columns.values() if c.references in env.tables
                    and env.tables[c.references].entity == entity), None)
        if col is not None:
            found.append((col.name, env.tables[col.references or ""]))
    return found if len(found) == 2 else []


def _pair_check(parts: Parts, table: Table, given: dict) -> list[str]:
    """A track is in a playlist once: the same pair again is a domain error."""
    pair = pair_columns(parts.env, table)
    if not pair or any(col not in given for col, _ in pair):
        return []
    (outer, outer_table), (inner, inner_table) = pair
    sql = f"SELECT 1 FROM {table.name} WHERE {outer} = ? AND {inner} = ?"
    said = f"{human(inner_table.entity)} {{{given[inner].ident}}} is already in {human(outer_table.entity)} " \
           f"{{{given[outer].ident}}}"
    return [f"if db.one({q(sql)}, [{given[outer].ident}, {given[inner].ident}]) is not None:",
            f"    raise ToolError(f{q(said)})"]


def body_create(parts: Parts, plan: ToolPlan) -> list[str]:
    table = parts.table(plan)
    unpacked, from_records = unpack_records(plan)
    lines = [*parts.login_line(plan), *unpacked, *parts.references(plan, table)]
    given = {p.column: p for p in plan.params if p.column and p.role in ("value", "key", "filter")}
    given = {**from_records, **given}
    key = table.key
    if key in given:
        param = given[key]
        lines += [f"if db.one({q(f'SELECT 1 FROM {table.name} WHERE {key} = ?')}, [{param.ident}]) is not None:",
                  f"    raise ToolError(f{q(f'{human(table.entity)} ')[:-1]}{{{param.ident}}} already exists')"]
        new_key = param.ident
    else:
        new_key = f"next_{table.entity}_id(db)"
    lines += _unique_checks(parts, table, given)
    lines += _pair_check(parts, table, given)
    lines += take_stock(parts, plan)
    lines += charge(plan, given)
    lines.append(f"new_id = {new_key}")
    row = []
    later = {name for name, _, _ in recorded(parts.env, table)}
    for col in table.columns.values():
        if col.name == key:
            value = "new_id"
        elif col.name in given:
            value = parts.column_value(table, col.name, given[col.name].ident)
        elif col.name == plan.owner_column:
            value = "me"
        elif col.name in later:  # a cancel's reason: none yet
            value = "None"
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
    for held in plan.needs_empty:  # "fails if the plot is already leased"
        lines += [f'if row["{held}"] is not None:',
                  f"    raise ToolError(f\"{human(table.entity)} {{row[{table.key!r}]}} already has a {human(held)}: "
                  f"{{row['{held}']}}\")"]
    lines.append("changed = {}")
    for stamp in plan.stamps:  # since when: today
        dated = (table.columns[stamp].spec.format if table.columns[stamp].spec is not None else "") == "date"
        lines.append(f'changed["{stamp}"] = ' + ("db.today.isoformat()" if dated else
                                                 'db.now.isoformat(timespec="seconds")'))
    for param in plan.params:
        if param.role in ("value", "filter") and param.column and param.column != table.key:
            value = parts.column_value(table, param.column, param.ident)
            if param.spec.required:
                lines.append(f'changed["{param.column}"] = {value}')
            else:
                lines += [f"if {param.ident} is not None:", f'    changed["{param.column}"] = {value}']
        elif param.role == "updates":
            lines += _free_form_changes(table, param.ident)
        elif param.role == "record":
            for prop, col in param.fields.items():
                value = parts.column_value(table, col, f"{param.ident}[{q(prop)}]")
                lines += [f"if {param.ident}.get({q(prop)}) is not None:", f'    changed["{col}"] = {value}']
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
