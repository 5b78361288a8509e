"""Pieces every body kind shares: loading the row a tool acts on, the login line, checks
that referenced rows exist, and the WHERE clause its filters build."""

from __future__ import annotations

from toolace_mt.compiler.bodies.code import q
from toolace_mt.compiler.bodies.shapes import Shapes
from toolace_mt.compiler.names import human, words
from toolace_mt.compiler.plan import EnvPlan, Table, ToolPlan
from toolace_mt.compiler.spec_model import Field
from toolace_mt.compiler.stamps import newest_first

TEXT_COLUMNS_SEARCHED = 6


def _dated(name: str) -> bool:
    """A date or time column (likedAt, due_date): no words a keyword search could find."""
    said = words(name)
    return bool(set(said) & {"date", "time", "timestamp", "datetime"}) or said[-1:] in (["at"], ["on"])


class Parts:
    def __init__(self, env: EnvPlan) -> None:
        self.env = env
        self.shape = Shapes(env)

    def table(self, plan: ToolPlan) -> Table:
        return self.env.tables[plan.table or ""]

    def loader(self, table: Table) -> str:
        return f"load_{table.entity}" if not table.singleton else f"current_{table.entity}"

    def reload(self, table: Table) -> str:
        """`row = ...` reading the row again after a write."""
        return f"row = {self.loader(table)}(db" + (f", row[\"{table.key}\"])" if not table.singleton else ")")

    def load_row(self, plan: ToolPlan, table: Table) -> str:
        key = plan.key
        if table.singleton:
            return f"row = {self.loader(table)}(db)"
        if plan.own_row:
            return f"row = {self.loader(table)}(db, current_user(db))"
        if key is None:  # the row the filters name: the latest one
            filters = [p for p in plan.params if p.role == "filter" and p.column]
            where = " AND ".join(f"{p.column} = ?" for p in filters) or "TRUE"
            args = ", ".join(p.ident for p in filters)
            described = ", ".join(f"{human(p.spec.name)} {{{p.ident}}}" for p in filters) or "any"
            sql = f"SELECT * FROM {table.name} WHERE {where} ORDER BY {table.key} DESC LIMIT 1"
            missing = q(f"no {human(table.entity)} with " + described)
            return f"row = db.one({q(sql)}, [{args}])\nif row is None:\n    raise ToolError(f{missing})"
        loaded = f"row = {self.loader(table)}(db, {key.ident})"
        if plan.row_type is not None:  # lock_door on a thermostat: not a lock
            name, value = plan.row_type
            refused = f"{human(table.entity)} {{row['{table.key}']}} is a {{row['{name}']}}, not a {value}"
            loaded += f"\nif str(row[{name!r}]).lower() != {q(value.lower())}:\n    raise ToolError(f{refused!r})"
        return loaded

    def login_line(self, plan: ToolPlan) -> list[str]:
        return ["me = current_user(db)"] if plan.needs_login or plan.owner_column else []

    def references(self, plan: ToolPlan, table: Table) -> list[str]:
        """A not-found error for each given id of another table that has no such row."""
        lines: list[str] = []
        for param in plan.params:
            if param.column is None or param.role not in ("value", "filter") or param.column == table.key:
                continue
            col = table.columns.get(param.column)
            if col is None or col.references is None or col.references not in self.env.tables:
                continue
            other = self.env.tables[col.references]
            guard = f"{param.ident} is not None and " if not param.spec.required else ""
            lines.append(f"if {guard}db.one({q(f'SELECT 1 FROM {other.name} WHERE {other.key} = ?')}, "
                         f"[{param.ident}]) is None:")
            lines.append(f"    raise ToolError(f{q(f'{human(other.entity)} ')[:-1]}{{{param.ident}}} not found')")
        for ident, name, status, state in plan.parent_states:  # "cannot be aliquoted until released"
            other = self.env.tables[name]
            read = f"SELECT {status} FROM {other.name} WHERE {other.key} = ?"
            lines += [f"parent = db.one({q(read)}, [{ident}])",
                      f"if parent is not None and str(parent[{q(status)}]).lower() == {q(state)}:",
                      f"    raise ToolError(f{q(f'{human(other.entity)} ')[:-1]}{{{ident}}} is {state}')"]
        return lines

    def column_value(self, table: Table, col: str, expr: str) -> str:
        return f"json.dumps({expr})" if table.columns[col].json else expr

    def where(self, plan: ToolPlan, table: Table) -> tuple[list[str], bool]:
        """Lines building `where`/`args` from the filters; and whether any filter exists."""
        lines = ["where, args = [], []"]
        text_columns = [c.name for c in table.columns.values() if c.type == "string" and c.name != table.key
                        and not (c.spec is not None and c.spec.enum) and not _dated(c.name)][:TEXT_COLUMNS_SEARCHED]
        any_filter = False
        if plan.owner_column:
            lines += [f'where.append("{plan.owner_column} = ?")', "args.append(me)"]
        for col, value in plan.fixed_filters.items():
            lines += [f'where.append("{col} = ?")', f"args.append({value!r})"]
        for param in plan.params:
            name, col = param.ident, param.column
            guard = f"if {name} is not None:" if not param.spec.required else "if True:"
            clause = None
            if param.role == "keys":
                clause, arg = f"list_contains(?, {col})", name
            elif param.role in ("min", "max") and col:
                clause, arg = f"{col} {'>=' if param.role == 'min' else '<='} ?", name
            elif param.role in ("filter", "value", "key") and col and param.spec.type == "array" and \
                    (param.spec.items is None or param.spec.items.type == "string") and \
                    table.columns[col].type == "array" and _element_path(table.columns[col].spec) is not None:
                # findPetsByTags(tags): the rows holding any of the names, not a list equal to the given one
                path = _element_path(table.columns[col].spec)
                clause, arg = f"len(list_intersect(?, json_extract_string({col}, '{path}'))) > 0", name
            elif param.role in ("filter", "value", "key") and col:
                spec = table.columns[col].spec
                if table.columns[col].type == "string" and param.spec.type == "string" and not param.spec.enum \
                        and not (spec is not None and spec.enum) and col != table.key and \
                        table.columns[col].references is None:
                    clause, arg = f"{col} ILIKE '%' || ? || '%'", name
                else:
                    clause, arg = f"{col} = ?", name
            elif param.role == "vacant" and col:  # only the rows nobody holds
                lines += [f"if {name}:", f'    where.append("{col} IS NULL")']
                any_filter = True
                continue
            elif param.role == "query" and param.spec.type == "string" and text_columns:
                ors = " OR ".join(f"{c} ILIKE '%' || ? || '%'" for c in text_columns)
                lines += [guard, f'    where.append("({ors})")', f"    args.extend([{name}] * {len(text_columns)})"]
                any_filter = True
                continue
            if clause is None:
                continue
            any_filter = True
            if guard == "if True:":
                lines += [f'where.append("{clause}")', f"args.append({arg})"]
            else:
                lines += [guard, f'    where.append("{clause}")', f"    args.append({arg})"]
        return lines, any_filter

    def select(self, table: Table, limit: int = 50, plan: ToolPlan | None = None) -> str:
        order = (newest_first(self.env, plan, table) if plan is not None else None) or table.key
        return (f'rows = db.query("SELECT * FROM {table.name}" + (" WHERE " + " AND ".join(where) if where else "")'
                f' + " ORDER BY {order} LIMIT {limit}", args)')

    def decode_rows(self, table: Table, plan: ToolPlan | None = None) -> list[str]:
        lines = []
        if table.json_columns():
            lines.append(f"rows = [decoded(r, {table.json_columns()!r}) for r in rows]")
        fixed = sorted(plan.fixed_filters) if plan is not None else []
        if fixed:  # listLikedTracks: every row is liked; the request said so already
            lines.append(f"rows = [{{k: v for k, v in r.items() if k not in {fixed!r}}} for r in rows]")
        return lines


def _element_path(spec: Field | None) -> str | None:
    """The JSON path of the words a list column's elements are matched by: the elements of a
    list of text, the `name` of a list of objects (tags [{"id": 3, "name": "vaccinated"}])."""
    items = spec.items if spec is not None else None
    if items is None or items.type == "string":
        return "$[*]"
    if items.type == "object" and any(p.name == "name" and p.type == "string" for p in items.properties):
        return "$[*].name"
    return None
