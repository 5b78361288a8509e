"""Tool bodies by operation kind, as Python source lines of the env module.

Every body validates its inputs into domain errors (ToolError) before it touches state:
a missing row, a transition that is not allowed, insufficient funds or stock, a blank
name, a value out of the range the description states.
"""

from __future__ import annotations

import re

from toolace_mt.compiler import kinds as K
from toolace_mt.compiler.entities import RESULT_WORDS
from toolace_mt.compiler.names import column, human, words
from toolace_mt.compiler.plan import EnvPlan, Param, Table, ToolPlan
from toolace_mt.compiler.seed_plan import STATUS_START
from toolace_mt.compiler.spec_model import Field

_RANGE = re.compile(r"(?:from|between)\s+(-?\d+(?:\.\d+)?)\s+(?:to|and)\s+(-?\d+(?:\.\d+)?)", re.IGNORECASE)
POSITIVE = {"amount", "quantity", "qty", "price", "cost", "total", "sum", "distance", "units", "count", "volume",
            "gallon", "liter", "weight"}
DEFAULTS = {"string": '""', "integer": "0", "number": "0.0", "boolean": "False", "array": "[]", "object": "{}"}


def q(text: str) -> str:
    """A Python string literal."""
    return repr(text)


class Bodies:
    def __init__(self, env: EnvPlan) -> None:
        self.env = env
        self.login_tool = next((p.ident for p in env.tools if p.kind == "login"), None)

    # ------------------------------------------------------------------ shared pieces

    def table(self, plan: ToolPlan) -> Table:
        return self.env.tables[plan.table or ""]

    def loader(self, table: Table) -> str:
        return f"load_{table.entity}" if not table.singleton else f"current_{table.entity}"

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
        return f"row = {self.loader(table)}(db, {key.ident})"

    def validations(self, plan: ToolPlan) -> list[str]:
        lines: list[str] = []
        for param in plan.params:
            spec, name = param.spec, param.ident
            guard = f"{name} is not None and " if not spec.required else ""
            label = human(spec.name)
            if spec.type == "string" and not spec.enum and param.role not in ("secret",):
                if spec.required:
                    lines.append(f"if not {name}.strip():")
                    lines.append(f"    raise ToolError({q(f'the {label} cannot be empty')})")
            elif spec.type == "array" and spec.required:
                lines.append(f"if not {name}:")
                lines.append(f"    raise ToolError({q(f'give at least one {label}')})")
            elif spec.type in ("integer", "number") and param.role not in ("key", "keys"):
                bounds = _bounds(spec)
                if bounds is not None:
                    low, high = bounds
                    lines.append(f"if {guard}not {_num(low)} <= {name} <= {_num(high)}:")
                    text = q(f"the {label} must be between {_num(low)} and {_num(high)}, got ")[:-1]
                    lines.append(f"    raise ToolError(f{text}{{{name}}}')")
                elif set(words(spec.name)) & POSITIVE or param.role == "amount":
                    lines.append(f"if {guard}{name} <= 0:")
                    lines.append(f"    raise ToolError(f{q(f'the {label} must be positive, got ')[:-1]}{{{name}}}')")
        return lines

    def login_line(self, plan: ToolPlan) -> list[str]:
        return ["me = current_user(db)"] if plan.needs_login or plan.owner_column else []

    def references(self, plan: ToolPlan, table: Table) -> list[str]:
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
        return lines

    def value_of(self, plan: ToolPlan, prop: Field, table: Table | None, var: str) -> str:
        """Source for one output property from the row in `var` (or a sensible constant)."""
        name = column(prop.name)
        prop_words = set(words(prop.name))
        if table is not None:
            related = self.related(prop, table, var)
            if related is not None:
                return related
            if words(prop.name) == ["id"] or prop.name == table.key:
                return f'{var}["{table.key}"]'
            stripped = column("_".join(w for w in words(prop.name) if w not in ("new", "current", "updated",
                                                                               "remaining")) or prop.name)
            for candidate in (name, stripped):
                if candidate in table.columns:
                    return f'{var}["{candidate}"]'
        if prop_words & {"current", "now"} and prop_words & {"time", "datetime", "timestamp"}:
            return 'db.now.isoformat(timespec="minutes")'
        if prop_words & {"current", "today"} and "date" in prop_words:
            return "db.today.isoformat()"
        if prop.type == "boolean":
            return "True"
        if prop_words & {"message", "result", "notification"} and prop.type == "string":
            return "MESSAGE"
        if prop.type == "string" and prop_words & {"status", "state"}:
            return q(plan.target_status or "success")
        if prop.type == "integer" and table is not None and plan.kind in ("stats", "list", "search"):
            return "len(rows)"
        return DEFAULTS.get(prop.type, "None")

    def related(self, prop: Field, table: Table, var: str) -> str | None:
        """An owner's "pets" (rows pointing here) or a pet's "owner" (the row it points to)."""
        from toolace_mt.compiler.names import singular

        noun = singular(column(prop.name))
        for other in self.env.tables.values():
            if other.entity != noun or other is table:
                continue
            if prop.type == "array":
                link = next((c.name for c in other.columns.values() if c.references == table.name), None)
                if link is not None:
                    return (f'db.query("SELECT * FROM {other.name} WHERE {link} = ? ORDER BY {other.key} LIMIT 20", '
                            f'[{var}["{table.key}"]])')
            if prop.type == "object":
                link = next((c.name for c in table.columns.values() if c.references == other.name), None)
                if link is not None:
                    return f'db.one("SELECT * FROM {other.name} WHERE {other.key} = ?", [{var}["{link}"]])'
        return None

    def shape_row(self, plan: ToolPlan, table: Table | None, var: str = "row") -> list[str]:
        output = plan.spec.output
        if output is None or output.type != "object" or not output.properties:
            return [f"return {var}"]
        items = [f"{q(p.name)}: {self.value_of(plan, p, table, var)}" for p in output.properties]
        return self._dict_return(items)

    def _dict_return(self, items: list[str]) -> list[str]:
        if sum(len(i) for i in items) < 80:
            return ["return {" + ", ".join(items) + "}"]
        return ["return {", *[f"    {i}," for i in items], "}"]

    def shape_rows(self, plan: ToolPlan, table: Table) -> list[str]:
        output = plan.spec.output
        keys = f'[r["{table.key}"] for r in rows]'
        if output is None:
            return ["return rows"]
        if output.type == "array":
            return [f"return {keys}" if output.items is not None and output.items.scalar else "return rows"]
        arrays = [p for p in output.properties if p.type in ("array", "object")]
        if output.type == "object" and len(arrays) >= 1 and (len(output.properties) == 1 or len(arrays) == 1):
            items = []
            for prop in output.properties:
                if prop is arrays[0]:
                    scalar = prop.type == "array" and prop.items is not None and prop.items.scalar
                    if prop.type == "object":
                        value = f'{{str(r["{table.key}"]): r for r in rows}}'
                    else:
                        value = keys if scalar else "rows"
                    items.append(f"{q(prop.name)}: {value}")
                else:
                    items.append(f"{q(prop.name)}: {self.value_of(plan, prop, None, 'rows')}")
            return self._dict_return(items)
        return ["return rows"]

    def message(self, text: str) -> str:
        return f"MESSAGE = f{q(text)}"

    # ------------------------------------------------------------------ kinds

    def body(self, plan: ToolPlan) -> list[str]:
        lines = self.validations(plan)
        lines += getattr(self, f"kind_{plan.kind}")(plan)
        return [part for line in lines for part in line.split("\n")]

    def kind_get(self, plan: ToolPlan) -> list[str]:
        table = self.table(plan)
        return [*self.login_line(plan), self.load_row(plan, table), *self.shape_row(plan, table)]

    kind_state_read = kind_get

    def _where(self, plan: ToolPlan, table: Table) -> tuple[list[str], bool]:
        """Lines building `where`/`args` from the filters; and whether any filter exists."""
        lines = ["where, args = [], []"]
        text_columns = [c.name for c in table.columns.values() if c.type == "string" and c.name != table.key
                        and not (c.spec is not None and c.spec.enum)][:6]
        any_filter = False
        if plan.owner_column:
            lines += [f'where.append("{plan.owner_column} = ?")', "args.append(me)"]
        for param in plan.params:
            name, col = param.ident, param.column
            guard = f"if {name} is not None:" if not param.spec.required else "if True:"
            clause = None
            if param.role == "keys":
                clause, arg = f"list_contains(?, {col})", name
            elif param.role in ("min", "max") and col:
                clause, arg = f"{col} {'>=' if param.role == 'min' else '<='} ?", name
            elif param.role in ("filter", "value", "key") and col:
                spec = table.columns[col].spec
                if table.columns[col].type == "string" and param.spec.type == "string" and not param.spec.enum \
                        and not (spec is not None and spec.enum) and col != table.key and \
                        table.columns[col].references is None:
                    clause, arg = f"{col} ILIKE '%' || ? || '%'", name
                else:
                    clause, arg = f"{col} = ?", name
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

    def _select(self, table: Table, limit: int = 50) -> str:
        return (f'rows = db.query("SELECT * FROM {table.name}" + (" WHERE " + " AND ".join(where) if where else "")'
                f' + " ORDER BY {table.key} LIMIT {limit}", args)')

    def _decode_rows(self, table: Table) -> list[str]:
        if table.json_columns():
            return [f"rows = [decoded(r, {table.json_columns()!r}) for r in rows]"]
        return []

    def kind_list(self, plan: ToolPlan) -> list[str]:
        table = self.table(plan)
        lines, _ = self._where(plan, table)
        return [*self.login_line(plan), *lines, self._select(table), *self._decode_rows(table),
                *self.shape_rows(plan, table)]

    def kind_search(self, plan: ToolPlan) -> list[str]:
        table = self.table(plan)
        lines, _ = self._where(plan, table)
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
        message = self._rows_message(plan, table)
        extra = [*self.references(plan, table), *extra]
        return [*self.login_line(plan), *extra, *lines, self._select(table), *self._decode_rows(table), *message,
                *self.shape_rows(plan, table)]

    def _rows_message(self, plan: ToolPlan, table: Table) -> list[str]:
        output = plan.spec.output
        props = output.properties if output is not None and output.type == "object" else []
        if any(self.value_of(plan, p, None, "rows") == "MESSAGE" for p in props):
            return [f'MESSAGE = f"{{len(rows)}} {human(table.name)} matched: " + '
                    f'", ".join(str(r["{table.key}"]) for r in rows)']
        return []

    def kind_find(self, plan: ToolPlan) -> list[str]:
        table = self.table(plan)
        lines, _ = self._where(plan, table)
        described = ", ".join(f"{human(p.spec.name)} {{{p.ident}}}" for p in plan.params if p.spec.required)
        return [*self.login_line(plan), *lines, self._select(table, 1), "if not rows:",
                f"    raise ToolError(f{q(f'no {human(table.entity)} matches ' + (described or 'that'))})",
                *self._decode_rows(table), "row = rows[0]", *self._rows_message(plan, table),
                *self.shape_row(plan, table)]

    def kind_stats(self, plan: ToolPlan) -> list[str]:
        table = self.table(plan)
        lines, _ = self._where(plan, table)
        output = plan.spec.output
        counts = [f'"{table.name}": len(rows)']
        status = next((c for c in table.columns if c == "status"), None)
        body = [*self.login_line(plan), *lines, self._select(table, 100000)]
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
            return [*body, *self._dict_return(items)]
        return [*body, f"return {stats}"]

    def _column_value(self, table: Table, col: str, expr: str) -> str:
        return f"json.dumps({expr})" if table.columns[col].json else expr

    def kind_create(self, plan: ToolPlan) -> list[str]:
        table = self.table(plan)
        lines = [*self.login_line(plan), *self.references(plan, table)]
        given = {p.column: p for p in plan.params if p.column and p.role in ("value", "key", "filter")}
        key = table.key
        if key in given:
            param = given[key]
            lines += [f"if db.one({q(f'SELECT 1 FROM {table.name} WHERE {key} = ?')}, [{param.ident}]) is not None:",
                      f"    raise ToolError(f{q(f'{human(table.entity)} ')[:-1]}{{{param.ident}}} already exists')"]
            new_key = param.ident
        else:
            new_key = f"next_{table.entity}_id(db)"
        for col in table.columns.values():
            if col.name in given and col.name != key and set(words(col.name)) & {"username", "email", "handle"} \
                    | ({"name"} if table.name == self.env.users else set()) | (
                        {"user"} if table.name == self.env.users else set()):
                param = given[col.name]
                lines += [f"if db.one({q(f'SELECT 1 FROM {table.name} WHERE {col.name} = ?')}, [{param.ident}]) "
                          "is not None:",
                          f"    raise ToolError(f{q(f'a {human(table.entity)} with {human(col.name)} ')[:-1]}"
                          f"{{{param.ident}}} already exists')"]
        if plan.stock_table and plan.stock_column and plan.stock_param:
            other = self.env.tables[plan.stock_table]
            take = plan.quantity_param or "1"
            label = human(other.entity)
            take_sql = f"UPDATE {other.name} SET {plan.stock_column} = {plan.stock_column} - ? WHERE {other.key} = ?"
            lines += [f"item = db.one({q(f'SELECT * FROM {other.name} WHERE {other.key} = ?')}, [{plan.stock_param}])",
                      f'if item is not None and (item["{plan.stock_column}"] or 0) < {take}:',
                      f"    raise ToolError(f\"insufficient stock: {label} {{{plan.stock_param}}} has "
                      f"{{item['{plan.stock_column}'] or 0}} left, {{{take}}} wanted\")",
                      f"db.execute({q(take_sql)}, [{take}, {plan.stock_param}])"]
        lines += self.charge_lines(plan, given)
        lines.append(f"new_id = {new_key}")
        row = []
        for col in table.columns.values():
            if col.name == key:
                value = "new_id"
            elif col.name in given:
                param = given[col.name]
                value = self._column_value(table, col.name, param.ident)
            elif col.name == plan.owner_column:
                value = "me"
            else:
                value = _default(col.name, col.type, table)
            row.append(f'"{col.name}": {value}')
        lines += [f'db.insert("{table.name}", [{{', *[f"    {r}," for r in row], "}])",
                  f"row = {self.loader(table)}(db{'' if table.singleton else ', new_id'})",
                  self.message(f"{human(table.entity)} {{new_id}} created")]
        return lines + self.shape_row(plan, table)

    def charge_lines(self, plan: ToolPlan, given: dict[str, Param]) -> list[str]:
        """An order paid from the account's balance: insufficient funds is a domain error."""
        if plan.charge is None:
            return []
        account, balance, price_col, quantity_col, side_col = plan.charge
        price = given[price_col].ident
        quantity = given[quantity_col].ident if quantity_col in given else "1"
        lines = [f"total = round({price} * {quantity}, 2)"]
        indent = ""
        if side_col in given:
            lines.append(f"if str({given[side_col].ident}).lower().startswith('buy'):")
            indent = "    "
        lines += [f"{indent}funds = db.scalar({q(f'SELECT {balance} FROM {account}')}) or 0",
                  f"{indent}if funds < total:",
                  f"{indent}    raise ToolError(f\"insufficient funds: {{funds}} available, {{total}} needed\")",
                  f"{indent}db.execute({q(f'UPDATE {account} SET {balance} = {balance} - ?')}, [total])"]
        return lines

    def give_back(self, plan: ToolPlan, table: Table, after_final_check: bool) -> list[str]:
        """Undoing a row's create (cancel, return, delete) puts back the stock it took and
        refunds what it charged; a row already in a final state gave them back before."""
        if plan.restock is None and plan.refund is None:
            return []
        status = plan.status_column or next((c for c in table.columns if c == "status"), None)
        lines, indent = [], ""
        if not after_final_check and status and table.columns[status].type == "string":
            lines.append(f'if str(row["{status}"]).lower() not in FINAL_STATUSES:')
            indent = "    "
        if plan.restock is not None:
            stock_table, stock_col, ref_col, quantity_col = plan.restock
            other = self.env.tables[stock_table]
            back = f'(row["{quantity_col}"] or 0)' if quantity_col else "1"
            sql = f"UPDATE {other.name} SET {stock_col} = {stock_col} + ? WHERE {other.key} = ?"
            lines.append(f'{indent}db.execute({q(sql)}, [{back}, row["{ref_col}"]])')
        if plan.refund is not None:
            account, balance, price_col, quantity_col, side_col = plan.refund
            quantity = f'(row["{quantity_col}"] or 0)' if quantity_col else "1"
            inner = indent
            if side_col:
                lines.append(f'{indent}if str(row["{side_col}"]).lower().startswith("buy"):')
                inner = indent + "    "
            sql = f"UPDATE {account} SET {balance} = {balance} + ?"
            lines.append(f'{inner}db.execute({q(sql)}, [round((row["{price_col}"] or 0) * {quantity}, 2)])')
        return lines if len(lines) > (1 if indent else 0) else []

    def kind_update(self, plan: ToolPlan) -> list[str]:
        table = self.table(plan)
        lines = [*self.login_line(plan), self.load_row(plan, table), *self.references(plan, table), "changed = {}"]
        for param in plan.params:
            if param.role in ("value", "filter") and param.column and param.column != table.key:
                guard = f"if {param.ident} is not None:" if not param.spec.required else "if True:"
                value = self._column_value(table, param.column, param.ident)
                lines += [guard, f'    changed["{param.column}"] = {value}'] if guard != "if True:" else \
                    [f'changed["{param.column}"] = {value}']
            elif param.role == "updates":
                lines += [f"for name, value in {param.ident}.items():",
                          f"    if name not in UPDATABLE_{table.name.upper()}:",
                          f"        raise ToolError(f\"{{name}} cannot be changed; fields: "
                          f"{{', '.join(sorted(UPDATABLE_{table.name.upper()}))}}\")",
                          f"    kind = UPDATABLE_{table.name.upper()}[name]",
                          "    if not matches_type(value, kind):",
                          "        raise ToolError(f\"{name} must be a {kind}, got {value!r}\")",
                          "    changed[name] = json.dumps(value) if kind in ('array', 'object') else value"]
        key_where = f" WHERE {table.key} = ?"
        key_arg = f", row[\"{table.key}\"]"
        lines += ["if not changed:",
                  "    raise ToolError('nothing to change: give at least one field')",
                  "for name, value in changed.items():",
                  f"    db.execute(\"UPDATE {table.name} SET \" + name + \" = ?{key_where}\", [value{key_arg}])",
                  f"row = {self.loader(table)}(db" + (f", row[\"{table.key}\"])" if not table.singleton else ")"),
                  self.message(f"{human(table.entity)} updated: {{', '.join(sorted(changed))}}")]
        return lines + self.shape_row(plan, table)

    def kind_delete(self, plan: ToolPlan) -> list[str]:
        table = self.table(plan)
        lines = [*self.login_line(plan)]
        if plan.key is not None:
            lines.append(self.load_row(plan, table))
        else:
            where, _ = self._where(plan, table)
            described = ", ".join(f"{human(p.spec.name)} {{{p.ident}}}" for p in plan.params)
            lines += [*where, f'rows = db.query("SELECT * FROM {table.name}" + (" WHERE " + " AND ".join(where) '
                              f'if where else "") + " ORDER BY {table.key} DESC LIMIT 1", args)',
                      "if not rows:",
                      f"    raise ToolError(f{q(f'no {human(table.entity)} found for ' + (described or 'you'))})",
                      "row = rows[0]"]
        lines += self.give_back(plan, table, after_final_check=False)
        lines += [f'db.execute("DELETE FROM {table.name} WHERE {table.key} = ?", [row["{table.key}"]])',
                  self.message(f"{human(table.entity)} {{row[{table.key!r}]}} deleted")]
        return lines + self.shape_row(plan, table)

    def kind_transition(self, plan: ToolPlan) -> list[str]:
        table = self.table(plan)
        status, target = plan.status_column or "status", plan.target_status or "done"
        label = human(table.entity)
        ref = f"{{row[{table.key!r}]}}"
        if plan.status_flag:
            reload = f"row = {self.loader(table)}(db" + (f", row[\"{table.key}\"])" if not table.singleton else ")")
            return [*self.login_line(plan), self.load_row(plan, table), f'if row["{status}"]:',
                    f"    raise ToolError(f{q(f'{label} {ref} is already {target}')})",
                    f'db.execute("UPDATE {table.name} SET {status} = true WHERE {table.key} = ?", '
                    f'[row["{table.key}"]])',
                    reload, self.message(f"{label} {ref} is now {target}"), *self.shape_row(plan, table)]
        lines = [*self.login_line(plan), self.load_row(plan, table),
                 f'if str(row["{status}"]).lower() == {q(target)}:',
                 f"    raise ToolError(f{q(f'{label} {ref} is already {target}')})"]
        if target not in K.TERMINAL:
            pass
        else:
            lines += [f'if str(row["{status}"]).lower() in FINAL_STATUSES:',
                      f"    raise ToolError(f\"{label} {ref} is {{row['{status}']}} and cannot be {target}\")"]
        lines += self.give_back(plan, table, after_final_check=True)
        sets = [f"{status} = ?"]
        args = [q(target)]
        for param in plan.params:
            if param.role in ("value", "filter") and param.column and param.column not in (table.key, status):
                sets.append(f"{param.column} = ?")
                args.append(self._column_value(table, param.column, param.ident))
        lines += [f'db.execute("UPDATE {table.name} SET {", ".join(sets)} WHERE {table.key} = ?", '
                  f'[{", ".join(args)}, row["{table.key}"]])',
                  f"row = {self.loader(table)}(db" + (f", row[\"{table.key}\"])" if not table.singleton else ")"),
                  self.message(f"{label} {ref} is now {target}")]
        return lines + self.shape_row(plan, table)

    def kind_adjust(self, plan: ToolPlan) -> list[str]:
        table = self.table(plan)
        col = plan.adjust_column or "balance"
        amount = plan.param("amount")
        assert amount is not None
        label = human(col)
        lines = [*self.login_line(plan), self.load_row(plan, table),
                 f'new_value = round((row["{col}"] or 0) {"+" if plan.adjust_sign > 0 else "-"} {amount.ident}, 2)']
        if plan.adjust_sign < 0:
            lines += ["if new_value < 0:",
                      f"    raise ToolError(f\"insufficient {label}: {{row['{col}']}} available, "
                      f"{{{amount.ident}}} requested\")"]
        if plan.capacity is not None:
            lines += [f"if new_value > {_num(plan.capacity)}:",
                      f"    raise ToolError(f\"{label} would be {{new_value}}, above the capacity of "
                      f"{_num(plan.capacity)}\")"]
        lines += [f'db.execute("UPDATE {table.name} SET {col} = ? WHERE {table.key} = ?", '
                  f'[new_value, row["{table.key}"]])',
                  f"row = {self.loader(table)}(db" + (f", row[\"{table.key}\"])" if not table.singleton and plan.key
                                                      else ")"),
                  self.message(f"{label} is now {{new_value}}")]
        return lines + self.shape_row(plan, table)

    def kind_setting(self, plan: ToolPlan) -> list[str]:
        table = self.table(plan)
        lines = [*self.login_line(plan), self.load_row(plan, table), "changes = {}"]
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
            value = self._column_value(table, param.column, value)
            if param.spec.required:
                lines.append(f'changes["{param.column}"] = {value}')
            else:
                lines += [f"if {param.ident} is not None:", f'    changes["{param.column}"] = {value}']
        if plan.status_column and plan.target_status:
            lines += [f'if row["{plan.status_column}"] == {q(plan.target_status)}:',
                      f"    raise ToolError({q(f'{human(plan.status_column)} is already {plan.target_status}')})",
                      f'changes["{plan.status_column}"] = {q(plan.target_status)}']
        lines += ["for name, value in changes.items():",
                  f"    db.execute(\"UPDATE {table.name} SET \" + name + \" = ?\", [value])",
                  f"row = {self.loader(table)}(db)",
                  self.message("done: {', '.join(sorted(changes)) or 'nothing changed'}")]
        return lines + self.shape_row(plan, table)

    def kind_lookup(self, plan: ToolPlan) -> list[str]:
        table = self.table(plan)
        optional = [p for p in plan.params if p.column in table.lookup_keys and not p.spec.required]
        where = " AND ".join(f"{p.column} = ?" for p in plan.params if p.column in table.lookup_keys
                             and p.spec.required) or "TRUE"
        args = ", ".join(p.ident for p in plan.params if p.column in table.lookup_keys and p.spec.required)
        described = ", ".join(f"{human(p.spec.name)} {{{p.ident}}}" for p in plan.params)
        output = plan.spec.output
        # Optional inputs (a unit, a format) do not pick the row: any value finds the same data.
        order = ", ".join(table.lookup_keys)
        select = [f"row = db.one({q(f'SELECT * FROM {table.name} WHERE {where} ORDER BY {order} LIMIT 1')}, "
                  f"[{args}])"]
        del optional
        lines = [*self.login_line(plan), *select,
                 "if row is None:",
                 f"    raise ToolError(f{q(f'no {human(table.entity)} data for ' + described)})"]
        if table.json_columns():
            lines.append(f"row = decoded(row, {table.json_columns()!r})")
        if output is None or output.type != "object" or not output.properties:
            return [*lines, "return row"]
        return lines + self.shape_row(plan, table)

    def kind_state_view(self, plan: ToolPlan) -> list[str]:
        """One part of the device state, chosen by an enum option (fuel, doors, engine...)."""
        table = self.table(plan)
        selector = plan.params[0]
        views = state_views(self.env, table, [str(v) for v in selector.spec.enum or []])
        output = plan.spec.output
        props = output.properties if output is not None and output.type == "object" else []
        lines = [f"{self.load_row(plan, table)}", f"columns = {views!r}[{selector.ident}]",
                 "view = {name: row[name] for name in columns}"]
        if len(props) == 1 and props[0].type == "object":
            return [*lines, f"return {{{q(props[0].name)}: view}}"]
        return [*lines, "return view"]

    def kind_convert(self, plan: ToolPlan) -> list[str]:
        param = plan.params[0]
        output = plan.spec.output
        lines = [f"if {param.ident} < 0:",
                 f"    raise ToolError(f'cannot convert a negative amount: {{{param.ident}}}')",
                 f"converted = round({param.ident} * {plan.factor!r}, 4)"]
        props = output.properties if output is not None and output.type == "object" else []
        if props:
            return [*lines, "return {" + ", ".join(f"{q(p.name)}: converted" for p in props[:1]) + "}"]
        return [*lines, "return converted"]

    def kind_echo(self, plan: ToolPlan) -> list[str]:
        output = plan.spec.output
        props = output.properties if output is not None and output.type == "object" else []
        first = plan.params[0].ident
        items = [f"{q(p.name)}: {next((x.ident for x in plan.params if x.spec.type == p.type), first)}"
                 for p in props]
        return self._dict_return(items) if items else [f"return {first}"]

    def kind_login(self, plan: ToolPlan) -> list[str]:
        users = self.env.tables[self.env.users or ""]
        identity = plan.param("identity")
        secret = plan.param("secret")
        lines = []
        if identity is not None:
            lines += [f"user = db.one({q(f'SELECT * FROM {users.name} WHERE {identity.column} = ?')}, "
                      f"[{identity.ident}])",
                      "if user is None:",
                      f"    raise ToolError(f\"no user {{{identity.ident}}}\")"]
        else:
            lines += [f"user = db.one({q(f'SELECT * FROM {users.name} ORDER BY {users.key} LIMIT 1')})"]
        if secret is not None:
            lines += [f'if user["{secret.column}"] != {secret.ident}:',
                      "    raise ToolError('wrong password')"]
        lines += [f'db.execute("UPDATE session SET logged_in = true, signed_in_as = ?", [user["{users.key}"]])',
                  f"MESSAGE = f\"logged in as {{user['{users.key}']}}\"", "row = {'logged_in': True}"]
        return lines + self.shape_row(plan, None, "row")

    def kind_logout(self, plan: ToolPlan) -> list[str]:
        return ["current_user(db)", 'db.execute("UPDATE session SET logged_in = false")',
                "MESSAGE = 'logged out'", "row = {'logged_in': False}", *self.shape_row(plan, None, "row")]

    def kind_session_status(self, plan: ToolPlan) -> list[str]:
        lines = ['row = db.one("SELECT * FROM session")']
        output = plan.spec.output
        if output is None or output.type != "object" or not output.properties:
            return [*lines, 'return {"logged_in": row["logged_in"], "user": row["signed_in_as"] '
                            'if row["logged_in"] else None}']
        items = []
        for prop in output.properties:
            if prop.type == "boolean":
                items.append(f'{q(prop.name)}: row["logged_in"]')
            elif set(words(prop.name)) & {"user", "username", "name", "id"}:
                items.append(f'{q(prop.name)}: row["signed_in_as"] if row["logged_in"] else None')
            else:
                items.append(f"{q(prop.name)}: 'logged in' if row['logged_in'] else 'logged out'")
        return [*lines, *self._dict_return(items)]


def state_views(env: EnvPlan, table: Table, options: list[str]) -> dict[str, list[str]]:
    """For each option, the state columns it names, directly or through the tools that set them."""
    from toolace_mt.compiler.names import singular

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


def _bounds(spec: Field) -> tuple[float, float] | None:
    if spec.minimum is not None and spec.maximum is not None:
        return spec.minimum, spec.maximum
    match = _RANGE.search(spec.description)
    if match:
        low, high = float(match.group(1)), float(match.group(2))
        if low < high:
            return low, high
    return None


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _default(name: str, kind: str, table: Table) -> str:
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


RESULT = RESULT_WORDS
__all__ = ["Bodies", "Param", "translation"]
