"""The env module's source: header comment, docstring, TABLES, seed(), helpers, tools."""

from __future__ import annotations

import re

from toolace_mt.compiler.bodies import Bodies, q
from toolace_mt.compiler.kinds import TERMINAL
from toolace_mt.compiler.names import human
from toolace_mt.compiler.plan import EnvPlan, Table, ToolPlan
from toolace_mt.compiler.seed_plan import key_expr, value_expr

_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "array": "list",
          "object": "dict"}


def clean(text: str, limit: int = 300) -> str:
    """Spec text safe inside a docstring, a comment or a phrasing template."""
    text = re.sub(r"\s+", " ", text.replace("\\", "/").replace('"""', "'''")).strip()
    return text.replace("{", "(").replace("}", ")")[:limit]


def _hint(plan: ToolPlan, index: int) -> str:
    spec = plan.params[index].spec
    if spec.enum and spec.type in ("string", "integer"):
        hint = f"Literal[{', '.join(repr(v) for v in spec.enum)}]"
    elif spec.type == "array" and spec.items is not None and spec.items.scalar:
        hint = f"list[{_TYPES[spec.items.type]}]"
    else:
        hint = _TYPES.get(spec.type, "str")
    return hint


def signature(plan: ToolPlan) -> str:
    required, optional = [], []
    for index, param in enumerate(plan.params):
        hint = _hint(plan, index)
        spec = param.spec
        if spec.required:
            required.append(f"{param.ident}: {hint}")
        elif spec.has_default and spec.scalar and _fits(spec.default, spec.type) and \
                (not spec.enum or spec.default in spec.enum):
            optional.append(f"{param.ident}: {hint} = {spec.default!r}")
        else:
            optional.append(f"{param.ident}: {hint} | None = None")
    return ", ".join(["db: Db", *required, *optional])


def _fits(value: object, kind: str) -> bool:
    return {"string": isinstance(value, str), "integer": isinstance(value, int) and not isinstance(value, bool),
            "number": isinstance(value, (int, float)) and not isinstance(value, bool),
            "boolean": isinstance(value, bool)}.get(kind, False)


def phrasing(plan: ToolPlan) -> list[str]:
    first = re.split(r"(?<=[.!?])\s", clean(plan.spec.description, 200))[0].rstrip(".!? ")
    action = first[:1].lower() + first[1:] if first else human(plan.spec.name)
    needed = [p for p in plan.params if p.spec.required]
    detail = ", ".join(f"{human(p.spec.name)} {{{p.ident}}}" for p in needed)
    if detail:
        return [f"Please {action}: {detail}.", f"Could you {action}? ({detail})"]
    return [f"Please {action}.", f"Could you {action}?"]


def docstring(plan: ToolPlan) -> list[str]:
    lines = [clean(plan.spec.description) or human(plan.spec.name) + "."]
    if plan.params:
        lines += ["", "Args:"]
        for param in plan.params:
            lines.append(f"    {param.ident}: {clean(param.spec.description, 200) or human(param.spec.name) + '.'}")
    return ['    """' + lines[0], *[("    " + line) if line else "" for line in lines[1:]], '    """']


def ddl(table: Table) -> str:
    cols = [f"    {c.name} {c.sql}{'' if c.nullable else ' NOT NULL'}" for c in table.columns.values()]
    key = ", ".join(table.lookup_keys) if table.lookup else table.key
    return f"CREATE TABLE {table.name} (\n" + ",\n".join([*cols, f"    PRIMARY KEY ({key})"]) + "\n);"


def _order(env: EnvPlan) -> list[Table]:
    done: list[Table] = []
    pending = list(env.tables.values())
    while pending:
        ready = [t for t in pending if all(c.references in (None, t.name) or c.references not in env.tables
                                           or env.tables[c.references] in done for c in t.columns.values())]
        chosen = ready[0] if ready else pending[0]
        done.append(chosen)
        pending.remove(chosen)
    return done


def seed_lines(env: EnvPlan) -> list[str]:
    lines = ["def seed(db: Db, fake: Fake) -> None:", "    rng = db.rng", "    today = db.today"]
    seeded: set[str] = set()
    for table in _order(env):
        lines.append(f"    {table.name} = []")
        if table.name == env.session:
            users = env.tables[env.users or ""]
            lines += [f"    {table.name}.append({{'session_id': 1, 'logged_in': START_LOGGED_IN, "
                      f"'signed_in_as': {users.name}[0]['{users.key}']}})",
                      f'    db.insert("{table.name}", {table.name})']
            seeded.add(table.name)
            continue
        key_col = table.key_column
        reference = env.tables.get(key_col.references or "")
        if table.lookup:
            lines += _lookup_seed(table)
        else:
            if reference is not None and reference.name in seeded:
                count = f"min({table.rows // 2}, len({reference.name}))"
                lines.append(f"    picks = rng.sample({reference.name}, {count})")
                lines.append(f"    for i in range({count}):")
            else:
                lines.append(f"    for i in range({table.rows}):")
            lines.append(f"        {table.name}.append({{")
            for col in table.columns.values():
                other = env.tables.get(col.references or "")
                if col.name == table.key and reference is not None and reference.name in seeded:
                    value = f'picks[i]["{reference.key}"]'
                elif col.name == table.key:
                    value = key_expr(table)
                elif other is not None and other.name in seeded and other.name != table.name:
                    value = f'rng.choice({other.name})["{other.key}"]'
                elif col.name == "password" and table.name == env.users:
                    value = '"pass" + str(1000 + i)'
                else:
                    value = value_expr(col, table)
                lines.append(f'            "{col.name}": {value},')
            lines.append("        })")
            if not key_col.type == "integer" and not table.lookup:
                lines.append(f"    {table.name} = distinct({table.name}, {q(table.key)})")
        lines.append(f'    db.insert("{table.name}", {table.name})')
        seeded.add(table.name)
    return lines


def _lookup_seed(table: Table) -> list[str]:
    enum_keys = [c for c in (table.columns[k] for k in table.lookup_keys) if c.spec is not None and c.spec.enum]
    lines = [f"    for i in range({table.rows}):", f"        {table.name}.append({{"]
    if len(enum_keys) == 1 and len(table.lookup_keys) == 1:
        values = list(enum_keys[0].spec.enum)  # type: ignore[union-attr]
        lines = [f"    for i in range({len(values)}):", f"        {table.name}.append({{"]
    for col in table.columns.values():
        if len(enum_keys) == 1 and col is enum_keys[0] and len(table.lookup_keys) == 1:
            value = f"{list(col.spec.enum)!r}[i]"  # type: ignore[union-attr]
        else:
            value = value_expr(col, table)
        lines.append(f'            "{col.name}": {value},')
    lines.append("        })")
    lines.append(f"    {table.name} = distinct({table.name}, {q(','.join(table.lookup_keys))})")
    return lines


HELPERS = '''
def distinct(rows: list, key: str) -> list:
    """Rows whose key (comma-separated columns) is not already taken by an earlier row."""
    seen = set()
    kept = []
    for row in rows:
        value = tuple(str(row[name]) for name in key.split(","))
        if value not in seen:
            seen.add(value)
            kept.append(row)
    return kept


def decoded(row: dict, columns: list) -> dict:
    """JSON text columns back to lists and objects."""
    out = dict(row)
    for name in columns:
        if isinstance(out.get(name), str):
            out[name] = json.loads(out[name])
    return out


def matches_type(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, {"string": str, "boolean": bool, "array": list, "object": dict}[kind])
'''


def helper_lines(env: EnvPlan) -> list[str]:
    lines = HELPERS.strip("\n").split("\n")
    if env.session:
        login = next((p.ident for p in env.tools if p.kind == "login"), "the login tool")
        lines += ["", "", "def current_user(db: Db) -> Any:",
                  '    """The logged-in user\'s id; tools behind the login fail without one."""',
                  '    session = db.one("SELECT * FROM session")',
                  '    if not session["logged_in"]:',
                  f"        raise ToolError({q(f'no user is logged in; log in first ({login})')})",
                  '    return session["signed_in_as"]']
    for table in env.tables.values():
        if table.lookup or table.name == env.session:
            continue
        decode = f"decoded(row, {table.json_columns()!r})" if table.json_columns() else "row"
        if table.singleton:
            lines += ["", "", f"def current_{table.entity}(db: Db) -> dict:",
                      f'    row = db.one("SELECT * FROM {table.name} ORDER BY {table.key} LIMIT 1")',
                      f"    return {decode}"]
            continue
        label = human(table.entity)
        lines += ["", "", f"def load_{table.entity}(db: Db, {table.key}: Any) -> dict:",
                  f'    row = db.one("SELECT * FROM {table.name} WHERE {table.key} = ?", [{table.key}])',
                  "    if row is None:",
                  f"        raise ToolError(f{q(f'{label} ')[:-1]}{{{table.key}}} not found')",
                  f"    return {decode}"]
        key = table.key_column
        lines += ["", "", f"def next_{table.entity}_id(db: Db) -> Any:",
                  f'    count = db.scalar("SELECT count(*) FROM {table.name}")']
        if key.type == "integer":
            lines += [f'    return (db.scalar("SELECT max({table.key}) FROM {table.name}") or 1000) + 1']
        else:
            prefix = "ID-"
            from toolace_mt.compiler.seed_plan import id_style
            prefix, start, _ = id_style(table)
            lines += [f"    number = count + {start}",
                      f'    while db.one("SELECT 1 FROM {table.name} WHERE {table.key} = ?", [{q(prefix)} + '
                      f"str(number)]) is not None:",
                      "        number += 1",
                      f"    return {q(prefix)} + str(number)"]
    return lines


def header(env: EnvPlan, sources: list[str]) -> list[str]:
    lines = ["# Compiled by `toolace-mt envs compile` from: " + ", ".join(sources),
             "# An ordinary env module: edit it freely. Inferred kind of each tool, and what to review:", "#"]
    width = max((len(p.ident) for p in env.tools), default=10)
    for plan in env.tools:
        where = f" on {plan.table}" if plan.table else ""
        extra = []
        if plan.needs_login:
            extra.append("needs login")
        if plan.target_status:
            extra.append(f"-> {plan.target_status}")
        if not plan.confident:
            extra.append("LOW CONFIDENCE")
        lines.append(f"#   {plan.ident.ljust(width)}  {plan.kind}{where}" + (f" ({', '.join(extra)})" if extra else ""))
        for note in plan.notes:
            lines.append(f"#   {''.ljust(width)}  review: {note}")
        if plan.ident != plan.spec.name:
            lines.append(f"#   {''.ljust(width)}  review: renamed from {clean(plan.spec.name, 80)!r}")
        renamed = [p for p in plan.params if p.ident != p.spec.name]
        for param in renamed:
            lines.append(f"#   {''.ljust(width)}  review: parameter {clean(param.spec.name, 80)!r} is "
                         f"{param.ident!r} here")
    lines += ["#", "# Review: the seed data (Faker by field meaning), the status values and which tools need",
              "# a login; rules wrote these bodies from names and descriptions, not from real behaviour."]
    return lines


def render(env: EnvPlan, sources: list[str]) -> str:
    bodies = Bodies(env)
    things = ", ".join(human(t.name) for t in env.tables.values() if not t.singleton and not t.lookup)
    doc = clean(env.docstring, 600) or (f"An environment of {things}." if things else "A tool environment.")
    out = [*header(env, sources), f'"""{doc}', "", "Compiled from tool specs; see the comment above.", '"""', "",
           "import datetime", "import json", "from typing import Any, Literal", "",
           "from sandbox.authoring import Db, Fake, ToolError, tool", ""]
    if env.session:
        out += ["START_LOGGED_IN = True  # the seeded session: a user is logged in (False: tools start locked)"]
    out.append(f"FINAL_STATUSES = {sorted(TERMINAL)!r}")
    for table in env.tables.values():
        updatable = {c.name: c.type for c in table.columns.values() if c.name != table.key}
        if any(p.kind == "update" and p.table == table.name for p in env.tools):
            out.append(f"UPDATABLE_{table.name.upper()} = {updatable!r}")
    out += ["", 'TABLES = """', *"\n".join(ddl(t) for t in env.tables.values()).split("\n"), '"""', "", ""]
    out += seed_lines(env)
    out += ["", "", *helper_lines(env)]
    for plan in env.tools:
        flags = ["writes=True"] if plan.writes else []
        flags.append(f"phrasing={phrasing(plan)!r}")
        out += ["", "", f"@tool({', '.join(flags)})", f"def {plan.ident}({signature(plan)}) -> Any:",
                *docstring(plan)]
        body = plan.body.split("\n") if plan.body else bodies.body(plan)
        uses_message = any("MESSAGE" in line for line in body)
        if uses_message and not any(line.lstrip().startswith("MESSAGE =") for line in body):
            body = ['MESSAGE = "done"', *body]
        out += [f"    {line}" if line else "" for line in body]
    return "\n".join(out) + "\n"
