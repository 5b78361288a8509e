"""The env module's source: header comment, docstring, TABLES, seed(), helpers, tools."""

from __future__ import annotations

import re

from toolace_mt.compiler.bodies import Bodies, q
from toolace_mt.compiler.bodies.writes import pair_columns
from toolace_mt.compiler.classify.holders import held_with
from toolace_mt.compiler.classify.row_types import typed_columns
from toolace_mt.compiler.consequence import needs_confirmation
from toolace_mt.compiler.constraints import described
from toolace_mt.compiler.date_pairs import date_pairs
from toolace_mt.compiler.kinds import TERMINAL
from toolace_mt.compiler.names import column, human, singular, words
from toolace_mt.compiler.phrasing import phrasings
from toolace_mt.compiler.plan import Column, EnvPlan, Param, Table, ToolPlan
from toolace_mt.compiler.seed_plan import id_style, key_expr, value_expr
from toolace_mt.compiler.spec_model import Field
from toolace_mt.compiler.spellings import display_names, rename_columns
from toolace_mt.compiler.stamps import recorded, stamped

_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "array": "list",
          "object": "dict"}


# What Python source cannot hold, or reads as the end of a line, in text a spec supplies:
# control characters (NUL is refused by the parser; CR, FF and VT end a line), lone
# surrogates (not encodable as UTF-8) and the Unicode line and paragraph separators.
_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def clean(text: str, limit: int = 300) -> str:
    """Spec text safe inside a docstring, a `#` comment or a phrasing template: one line,
    no backslash (no escape, no line continuation), no triple quote, no braces."""
    text = _UNSAFE_CHARS.sub(" ", text.replace("\\", "/").replace('"""', "'''"))
    text = re.sub(r"\s+", " ", text).strip()
    return text.replace("{", "(").replace("}", ")")[:limit]


def _scalar_hint(spec: Field) -> str:
    if spec.enum and spec.type in ("string", "integer"):
        return f"Literal[{', '.join(repr(v) for v in spec.enum)}]"
    if spec.type == "array" and spec.items is not None and spec.items.scalar:
        return f"list[{_TYPES[spec.items.type]}]"
    return _TYPES.get(spec.type, "str")


def typed_dict_name(plan: ToolPlan, index: int) -> str:
    parts = words(plan.ident) + words(plan.params[index].ident)
    return "".join(p.capitalize() for p in parts)[:60] or "Fields"


def typed_dicts(env: EnvPlan) -> list[str]:
    """Objects with known properties as TypedDicts, so their schema (and the generator) knows the keys."""
    lines = []
    for plan in env.tools:
        for index, param in enumerate(plan.params):
            shape = _shape(param.spec)
            if shape is not None:
                fields = ", ".join(f"{p.name!r}: {_scalar_hint(p)}{' | None' if p.nullable else ''}"
                                   for p in shape.properties)
                total = "" if param.role != "updates" and all(p.required for p in shape.properties) else \
                    ", total=False"
                lines.append(f"{typed_dict_name(plan, index)} = TypedDict({typed_dict_name(plan, index)!r}, "
                             f"{{{fields}}}{total})  # noqa: UP013")
    return lines


def _shape(spec: Field) -> Field | None:
    target = spec.items if spec.type == "array" and spec.items is not None else spec
    if target.type == "object" and target.properties and len(target.properties) <= 20:
        return target
    return None


def _hint(plan: ToolPlan, index: int) -> str:
    spec = plan.params[index].spec
    if _shape(spec) is not None:
        name = typed_dict_name(plan, index)
        return f"list[{name}]" if spec.type == "array" else name
    return _scalar_hint(spec)


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


def phrasing(plan: ToolPlan, env: EnvPlan) -> list[str]:
    return phrasings(plan, env, clean(plan.spec.description, 200))


_ID_WORDS = {"id", "ids", "identifier", "key", "number", "code", "sku", "isbn", "symbol", "username", "email"}


def _says_id(plan: ToolPlan, env: EnvPlan, param: Param) -> str:
    """" (a note id)" after a key whose description does not say it is one ("The note to
    change."): a reader, or a generator, would take it for free text."""
    table = env.tables.get(plan.table or "")
    if table is None or table.lookup or param.column is None or param.spec.type not in ("string", "integer"):
        return ""
    if param.column == table.key and param.role in ("key", "filter"):
        entity = table.entity
    else:
        col = table.columns.get(param.column)
        if col is None or col.references not in env.tables:
            return ""
        entity = env.tables[col.references].entity
    if set(words(param.spec.description)) & _ID_WORDS or not param.spec.description:
        return ""
    said = human(entity)
    return f" ({'an' if said[:1] in 'aeiou' else 'a'} {said} id)"


def docstring(plan: ToolPlan, env: EnvPlan) -> list[str]:
    lines = [clean(plan.spec.description) or human(plan.spec.name) + "."]
    if plan.params:
        lines += ["", "Args:"]
        for param in plan.params:
            said = clean(param.spec.description, 200)
            suffix = _says_id(plan, env, param) if said else ""
            said = (f"{said.rstrip('.')}{suffix}." if suffix else said) or human(param.spec.name) + "."
            said = clean(described(param.spec, said), 260)
            lines.append(f"    {param.ident}: {said}")
    return ['    """' + lines[0], *[("    " + line) if line else "" for line in lines[1:]], '    """']


def ddl(table: Table) -> str:
    cols = [f"    {c.name} {c.sql}{'' if c.nullable else ' NOT NULL'}" for c in table.columns.values()]
    key = ", ".join(table.lookup_keys) if table.lookup else table.key
    return f"CREATE TABLE {table.name} (\n" + ",\n".join([*cols, f"    PRIMARY KEY ({key})"]) + "\n);"


def _order(env: EnvPlan) -> list[Table]:
    done: list[Table] = []
    pending = sorted(env.tables.values(), key=lambda t: t.lookup and len(t.lookup_keys) > 1)  # those read others
    while pending:
        ready = [t for t in pending if all(c.references in (None, t.name) or c.references not in env.tables
                                           or env.tables[c.references] in done for c in t.columns.values())]
        chosen = ready[0] if ready else pending[0]
        done.append(chosen)
        pending.remove(chosen)
    return done


OWNER_COLUMNS = ("created_by", "owner", "owner_id", "author", "sender_id", "sender", "username", "user_id")


def seed_lines(env: EnvPlan) -> list[str]:
    if env.seed_body is not None:  # written by a model and accepted by the probes (model_author)
        return ["def seed(db: Db, fake: Fake) -> None:", *("    " + line if line else ""
                                                           for line in env.seed_body.split("\n")), "", ""]
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
            lines += _lookup_seed(env, table, seeded)
        else:
            if reference is not None and reference.name in seeded:
                count = f"min({max(3, table.rows // 6)}, len({reference.name}))"
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
                elif other is not None and other.name == env.users and other.name in seeded and \
                        col.name in OWNER_COLUMNS:
                    # Owned rows belong to a few users, so each of them has some ("my bookings").
                    value = f'{other.name}[i % min(5, len({other.name}))]["{other.key}"]'
                elif other is not None and other.name in seeded and other.name != table.name:
                    value = f'rng.choice({other.name})["{other.key}"]'
                elif _keys_of(env, col, seeded) is not None:
                    value = _keys_of(env, col, seeded) or ""
                elif col.name == "password" and table.name == env.users:
                    value = '"pass" + str(1000 + i)'
                elif table.singleton and any(p.kind == "setting" and p.status_flag and p.table == table.name
                                             and p.status_column == col.name for p in env.tools):
                    value = "False"  # park_telescope sets `parked`: the seeded state is not parked yet
                else:
                    value = value_expr(col, table)
                lines.append(f'            "{col.name}": {value},')
            lines.append("        })")
            lines += _spans(table)
            for stamp, status, target, flag in stamped(env, table):  # likedAt only on liked tracks
                unset = f'not row["{status}"]' if flag else f'str(row["{status}"]).lower() != {q(target)}'
                lines += [f"    for row in {table.name}:", f"        if {unset}:", f'            row["{stamp}"] = None']
            for name, status, states in recorded(env, table):  # a reason only on cancelled orders
                kept = [v.lower() for v in states]
                lines += [f"    for row in {table.name}:", f"        if str(row[{q(status)}]).lower() not in {kept!r}:",
                          f"            row[{q(name)}] = None"]
            for held, others in held_with(env.tools, table):  # a vacant plot has no season either
                lines += [f"    for row in {table.name}:", f"        if row[{q(held)}] is None:",
                          *[f"            row[{q(name)}] = None" for name in others]]
            for name, kind, value in typed_columns(env.tools, table):  # a thermostat has no brightness
                lines += [f"    for row in {table.name}:",
                          f"        if str(row[{q(kind)}]).lower() != {q(value.lower())}:",
                          f"            row[{q(name)}] = None"]
            if not key_col.type == "integer" and not table.lookup:
                lines.append(f"    {table.name} = distinct({table.name}, {q(table.key)})")
            pair = pair_columns(env, table)
            if pair:  # a track is in a playlist once
                lines.append(f"    {table.name} = distinct({table.name}, {q(','.join(c for c, _ in pair))})")
        lines.append(f'    db.insert("{table.name}", {table.name})')
        seeded.add(table.name)
    return lines


def _keys_of(env: EnvPlan, col: Column, seeded: set[str]) -> str | None:
    """A list named as the plural of a seeded entity (a rota's `plots`) holds keys of its rows."""
    if col.type != "array" or col.spec is None or col.spec.items is None or not col.spec.items.scalar:
        return None
    noun = singular(column(col.name))
    other = next((t for t in env.tables.values() if t.entity == noun and t.name in seeded and not t.lookup), None)
    if other is None or other.key_column.type != col.spec.items.type:
        return None
    keys = f'[r["{other.key}"] for r in {other.name}]'
    return f"json.dumps(rng.sample({keys}, min(len({other.name}), rng.randint(1, 3))))"


def _spans(table: Table) -> list[str]:
    """A seeded span ends a few days after it starts (a stay's checkOut after its checkIn)."""
    lines = []
    dates = [c.name for c in table.columns.values() if c.type == "string" and _is_date(c, table)]
    for start, end in date_pairs(dates):
        lines += [f"    for row in {table.name}:",
                  f'        row["{end}"] = (datetime.date.fromisoformat(row["{start}"][:10]) + '
                  f'datetime.timedelta(days=rng.randint(1, 7))).isoformat()']
    return lines


def _lookup_seed(env: EnvPlan, table: Table, seeded: set[str]) -> list[str]:
    if len(table.lookup_keys) > 1:
        return _lookup_product_seed(env, table, seeded)
    enum_keys = [c for c in (table.columns[k] for k in table.lookup_keys) if c.spec is not None and c.spec.enum]
    lines = [f"    for i in range({table.rows}):", f"        {table.name}.append({{"]
    key = table.columns[table.lookup_keys[0]]
    dated = _is_date(key, table)
    if dated:  # one row a day, the last six weeks and the next three and a half: a request about a near day finds it
        lines = [f"    for i in range({DATED_DAYS}):", f"        {table.name}.append({{"]
    if len(enum_keys) == 1 and len(table.lookup_keys) == 1:
        values = list(enum_keys[0].spec.enum)  # type: ignore[union-attr]
        lines = [f"    for i in range({len(values)}):", f"        {table.name}.append({{"]
    for col in table.columns.values():
        if len(enum_keys) == 1 and col is enum_keys[0] and len(table.lookup_keys) == 1:
            value = f"{list(col.spec.enum)!r}[i]"  # type: ignore[union-attr]
        elif dated and col is key:
            value = f"(today - datetime.timedelta(days=i - {DATED_AHEAD})).isoformat()"
        else:
            value = value_expr(col, table)
        lines.append(f'            "{col.name}": {value},')
    lines.append("        })")
    lines.append(f"    {table.name} = distinct({table.name}, {q(','.join(table.lookup_keys))})")
    return lines


DATED_DAYS = 70
DATED_AHEAD = 24


def _is_date(col: Column, table: Table) -> bool:
    return col.type == "string" and value_expr(col, table).startswith(("(today - datetime.timedelta",
                                                                       "(today + datetime.timedelta"))


def _pool_expr(env: EnvPlan, table: Table, key: str, seeded: set[str]) -> str:
    """Values for one input: another lookup's output of that meaning (a zipcode a city lookup
    gives), the spec's enum, or values by meaning."""
    col = table.columns[key]
    meaning = set(words(col.spec.description if col.spec is not None else "")) | set(key.split("_"))
    for other in env.tables.values():
        if other is table or not other.lookup:
            continue
        if key in other.columns and other.name in seeded and other.columns[key].type == col.type:
            return f'[r["{key}"] for r in {other.name}][:6]'  # the same input of another lookup: same values
        for name in other.columns:
            if name not in other.lookup_keys and name in meaning and other.columns[name].type == col.type:
                return f'[r["{name}"] for r in {other.name}][:6]'
    if col.spec is not None and col.spec.enum:
        return f"{list(col.spec.enum)!r}"
    if _is_date(col, table):
        return "[(today - datetime.timedelta(days=n - 3)).isoformat() for n in range(14)]"
    return f"[{value_expr(col, table)} for n in range(6)]"


def _lookup_product_seed(env: EnvPlan, table: Table, seeded: set[str]) -> list[str]:
    """Every combination of a few values per input: a request naming any two known cities finds its row."""
    pools: dict[str, str] = {}
    lines = []
    names = []
    for key in table.lookup_keys:
        expr = _pool_expr(env, table, key, seeded)
        if expr not in pools:
            pools[expr] = f"{key}_values"
            lines.append(f"    {key}_values = sorted(set({expr}))")
        names.append(pools[expr])
    loops = " ".join(f"for {k} in {n}" for k, n in zip(table.lookup_keys, names, strict=True))
    lines.append(f"    for combo in [({', '.join(table.lookup_keys)},) {loops}][:200]:")
    lines.append(f"        {table.name}.append({{")
    for col in table.columns.values():
        if col.name in table.lookup_keys:
            value = f"combo[{table.lookup_keys.index(col.name)}]"
        else:
            value = value_expr(col, table)
        lines.append(f'            "{col.name}": {value},')
    lines.append("        })")
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
        lines += ["", "", f"def next_{table.entity}_id(db: Db) -> Any:"]
        if key.type != "integer":
            lines.append(f'    count = db.scalar("SELECT count(*) FROM {table.name}")')
        if key.type == "integer":
            lines += [f'    return (db.scalar("SELECT max({table.key}) FROM {table.name}") or 1000) + 1']
        else:
            prefix, start, width = id_style(table)
            lines += [f"    number = count + {start}",
                      f'    while db.one("SELECT 1 FROM {table.name} WHERE {table.key} = ?", [{q(prefix)} + '
                      f"str(number).zfill({width})]) is not None:",
                      "        number += 1",
                      f"    return {q(prefix)} + str(number).zfill({width})"]
    return lines


def tidy(body: list[str]) -> list[str]:
    """Drop what a rule body computed but does not use (a message, the logged-in user)."""
    def used(name: str, skip: int) -> bool:
        return any(re.search(rf"\b{name}\b", line) for i, line in enumerate(body) if i != skip)

    out = []
    for index, line in enumerate(body):
        stripped = line.strip()
        if stripped.startswith("MESSAGE = ") and not used("MESSAGE", index):
            continue
        if stripped == "me = current_user(db)" and not used("me", index):
            line = line.replace("me = current_user(db)", "current_user(db)")
        if re.fullmatch(r"row = \{'logged_in': (True|False)\}", stripped) and not used("row", index):
            continue
        out.append(line)
    return out


def drop_unused_helpers(lines: list[str], helpers: list[str]) -> list[str]:
    """Helpers no tool or other helper calls are left out (a load_user nobody needs)."""
    text = "\n".join(lines)
    bodies: dict[str, list[str]] = {}
    current = None
    for line in helpers:
        match = re.match(r"def (\w+)\(", line)
        current = match.group(1) if match else current
        if current is not None:
            bodies.setdefault(current, []).append(line)

    def calls(source: str, name: str) -> bool:
        return re.search(rf"\b{name}\(", source.replace(f"def {name}(", "")) is not None

    needed = {n for n in bodies if calls(text, n)}
    grown = True
    while grown:  # a helper a needed helper calls is needed too (load_x calls decoded)
        more = {n for n in bodies if n not in needed and any(calls("\n".join(bodies[m][1:]), n) for m in needed)}
        needed |= more
        grown = bool(more)
    unused = set(bodies) - needed
    kept, skipping = [], False
    for line in helpers:
        match = re.match(r"def (\w+)\(", line)
        if match:
            skipping = match.group(1) in unused
        if not skipping:
            kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    return re.sub(r"\n{3,}", "\n\n\n", "\n".join(kept)).split("\n")


def header(env: EnvPlan, sources: list[str]) -> list[str]:
    # Everything here is in a comment: file names, notes and status values are cleaned so
    # that no line break in them can end the comment and start code.
    lines = ["# Compiled by `toolace-mt envs compile` from: " + clean(", ".join(sources), 1000),
             "# An ordinary env module: edit it freely. Inferred kind of each tool, and what to review:", "#"]
    width = max((len(p.ident) for p in env.tools), default=10)
    for plan in env.tools:
        where = f" on {clean(plan.table, 200)}" if plan.table else ""
        extra = []
        if plan.needs_login:
            extra.append("needs login")
        if needs_confirmation(plan):
            extra.append("confirm first")
        if plan.group_by:
            extra.append(f"counted by {clean(plan.group_by, 80)}")
        if plan.target_status:
            start = f"from {'/'.join(plan.allowed_from)} " if plan.allowed_from else ""
            start += f"not from {'/'.join(plan.forbidden_from)} " if plan.forbidden_from else ""
            extra.append(clean(f"{start}-> {plan.target_status}", 200))
        if not plan.confident:
            extra.append("LOW CONFIDENCE")
        lines.append(f"#   {plan.ident.ljust(width)}  {plan.kind}{' ' + clean(where, 200) if where else ''}" +
                     (f" ({', '.join(extra)})" if extra else ""))
        for note in plan.notes:
            lines.append(f"#   {''.ljust(width)}  review: {clean(note)}")
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
           "import datetime", "import json", "from typing import Any, Literal, TypedDict", "",
           "from sandbox.authoring import Db, Fake, ToolError, tool", ""]
    if env.session:
        out += [f"START_LOGGED_IN = {env.start_logged_in}  # the seeded session: True, a user is logged in; "
                "False, tools behind the login start locked"]
    out.append(f"FINAL_STATUSES = {sorted(TERMINAL)!r}")
    out += typed_dicts(env)
    for table in env.tables.values():
        updatable = {c.name: c.type for c in table.columns.values() if c.name != table.key}
        if any(p.kind == "update" and p.table == table.name for p in env.tools):
            out.append(f"UPDATABLE_{table.name.upper()} = {updatable!r}")
    out += ["", 'TABLES = """', *"\n".join(ddl(t) for t in env.tables.values()).split("\n"), '"""', "", ""]
    out += seed_lines(env)
    helpers_at = len(out)
    for plan in env.tools:
        flags = ["writes=True"] if plan.writes else []
        if needs_confirmation(plan):
            flags.append("confirm=True")
        flags.append(f"phrasing={phrasing(plan, env)!r}")
        out += ["", "", f"@tool({', '.join(flags)})", f"def {plan.ident}({signature(plan)}) -> Any:",
                *docstring(plan, env)]
        body = plan.body.split("\n") if plan.body else tidy(bodies.body(plan))
        out += [f"    {line}" if line else "" for line in body]
    helpers = ["", "", *drop_unused_helpers(out, helper_lines(env))]
    out[helpers_at:helpers_at] = helpers
    if any("re.fullmatch(" in line for line in out):
        out.insert(out.index("import json") + 1, "import re")
    return rename_columns("\n".join(out) + "\n", display_names(env))
