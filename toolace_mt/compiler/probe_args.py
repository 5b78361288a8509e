"""The arguments a probe tries on a tool: values drawn from the seeded rows (a row's key and
new values for an update, existing rows a create refers to, a user to log in as), then
variants of them meant to fail (a blank name, an unknown id, a number out of range)."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from typing import Any

from sandbox.environment import Environment
from toolace_mt.compiler.constraints import pattern_example, pattern_pool
from toolace_mt.compiler.names import human, words
from toolace_mt.compiler.plan import EnvPlan, Param, ToolPlan
from toolace_mt.generation.plan.value_shapes import make, shape_of

SAMPLE_DAY = dt.date(2026, 3, 1)  # the day sample values (a month, a year) are made around


def _sample_text(param: Param) -> str:
    meaning = set(words(param.spec.name))
    if param.spec.examples:
        return str(param.spec.examples[0])
    example = pattern_example(param.spec.pattern)
    if example is not None:
        return example
    shape = shape_of(param.spec.name, {"format": param.spec.format}, param.spec.description)
    if shape is not None and shape.kind not in ("date", "datetime"):
        made = make(shape, param.spec.name, random.Random(0), SAMPLE_DAY)
        if made is not None:
            return made
    if meaning & {"email"}:
        return "someone@example.com"
    if meaning & {"date", "day"}:
        return "2026-03-01"
    if meaning & {"name", "user", "username"}:
        return "Jordan Lee"
    return f"sample {' '.join(words(param.spec.name)) or 'text'}"


def _fresh(param: Param, value: Any) -> Any:
    """Another value for a field a new row must not share: one more of the pattern's, a
    described shape's value as it is (a month, a listed value), else the text with " new"."""
    pool = [v for v in pattern_pool(param.spec.pattern) if v != value] if param.spec.pattern else []
    if pool:
        return pool[0]
    if pattern_example(param.spec.pattern) is not None or \
            shape_of(param.spec.name, {"format": param.spec.format}, param.spec.description) is not None:
        return value
    return f"{value} new"


class ProbeArguments:
    """Good and bad arguments for each tool of one compiled env, read off its seeded rows."""

    def __init__(self, env: Environment, plan: EnvPlan, names: dict[str, str] | None = None) -> None:
        self.env = env
        self.plan = plan
        self.names = names or {}  # plan column -> the column's name in the module (the spec's spelling)
        self.back = {v: k for k, v in self.names.items()}

    def query(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """A query written with the plan's column names; rows keyed by them too."""
        for plain, shown in self.names.items():
            sql = re.sub(rf"(?<![.\w]){plain}(?!\w)", shown, sql)
        return [{self.back.get(k, k): v for k, v in row.items()} for row in self.env.query(sql, params)]

    def _rows(self, table: str, limit: int = 6) -> list[dict[str, Any]]:
        meta = self.plan.tables.get(table)
        if meta is None:
            return []
        status = next((c for c in meta.columns if c == "status" or c.endswith("_status")), None)
        rows = self.query(f"SELECT * FROM {table} ORDER BY {meta.key} LIMIT {limit}")
        if status:
            for value in self.query(f"SELECT DISTINCT {status} AS v FROM {table} ORDER BY 1 LIMIT 8"):
                rows += self.query(f"SELECT * FROM {table} WHERE {status} = ? ORDER BY {meta.key} LIMIT 3",
                                       [value["v"]])
        owner = self.query("SELECT signed_in_as AS me FROM session") if self.plan.session else []
        if owner:
            for col in ("created_by", "owner", "owner_id", "sender_id", "user_id", "username"):
                if col in meta.columns and col != meta.key:
                    rows = self.query(f"SELECT * FROM {table} WHERE {col} = ? ORDER BY {meta.key} LIMIT 3",
                                          [owner[0]["me"]]) + rows
                    break
        return rows

    def _value(self, plan: ToolPlan, param: Param, row: dict[str, Any] | None) -> Any:
        spec = param.spec
        if param.column and row is not None and param.column in row and row[param.column] is not None:
            value = row[param.column]
            if spec.type == "array" and param.role == "keys":
                return [value]
            if isinstance(value, str) and spec.type in ("array", "object"):
                try:
                    value = json.loads(value)
                except ValueError:
                    return [] if spec.type == "array" else {}
                texts = spec.type == "array" and (spec.items is None or spec.items.type == "string")
                if texts and isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                    return [v["name"] for v in value if isinstance(v.get("name"), str)]  # tags by their names
                return value
            if spec.type == "number" and isinstance(value, int):
                return float(value)
            if spec.type == "string" and not isinstance(value, str):
                return str(value)
            if spec.enum and value not in spec.enum:
                return spec.enum[0]
            if param.role == "amount":
                return 1.0 if spec.type == "number" else 1
            return value
        if spec.enum:
            return spec.enum[0]
        if spec.type == "boolean":
            return True
        if spec.type in ("integer", "number"):
            low = spec.minimum if spec.minimum is not None else None
            high = spec.maximum if spec.maximum is not None else None
            bounds = re.search(r"(?:from|between)\s+(-?\d+(?:\.\d+)?)\s+(?:to|and)\s+(-?\d+(?:\.\d+)?)",
                               spec.description)
            if bounds:
                low, high = float(bounds.group(1)), float(bounds.group(2))
            value = (low + high) / 2 if low is not None and high is not None else \
                low if low is not None else min(1.0, high) if high is not None else 1.0
            return int(value) if spec.type == "integer" else float(value)
        if spec.type == "array":
            items = spec.items
            if items is not None and items.enum:
                return [items.enum[0]]
            if items is not None and items.type in ("integer", "number"):
                return [1]
            return ["sample"]
        if spec.type == "object":
            if param.role == "record" or (spec.properties and param.role != "updates"):
                shown = row if param.role == "record" else None
                return {p.name: self._value(plan, Param(spec=p, ident=p.name, column=param.fields.get(p.name)),
                                            shown) for p in spec.properties}
            if param.role == "updates" and spec.properties:  # a field the schema names, new text
                text = next((p for p in spec.properties if p.type == "string" and not p.enum), None)
                if text is not None:
                    return {text.name: f"updated {human(text.name)}"}
                return {p.name: self._value(plan, Param(spec=p, ident=p.name), None) for p in spec.properties[:1]}
            if param.role == "updates" and plan.table:
                table = self.plan.tables[plan.table]
                for col in table.columns.values():
                    if col.name != table.key and col.type == "string" and not (col.spec and col.spec.enum) \
                            and col.name not in ("status", "created_by"):
                        return {col.name: f"updated {col.name}"}
            return {}
        return _sample_text(param)

    def _other_references(self, plan: ToolPlan, rows: list[dict[str, Any] | None]) -> None:
        """An update of a reference (assign a card to a member) sets another existing row's
        key than the one the row holds, so that the change shows."""
        table = self.plan.tables[plan.table or ""]
        for param in plan.params:
            col = table.columns.get(param.column or "")
            if col is None or not col.references or param.column == table.key or param.role != "value":
                continue
            other = self.plan.tables[col.references]
            keys = [r[other.key] for r in self._rows(col.references, 12)]
            for index, row in enumerate(rows):
                choices = [k for k in keys if row is not None and k != row.get(col.name)]
                if row is not None and choices:
                    row[col.name] = choices[index % len(choices)]

    def good_args(self, plan: ToolPlan) -> list[dict[str, Any]]:
        rows: list[dict[str, Any] | None] = []
        if plan.kind == "login" and self.plan.users:
            users = self.plan.tables[self.plan.users]
            me = self.query("SELECT signed_in_as AS me FROM session")
            others = self.query(f"SELECT * FROM {users.name} WHERE {users.key} != ? ORDER BY {users.key} LIMIT 3",
                                    [me[0]["me"] if me else None])
            rows = [*others, *self._rows(self.plan.users, 3)]
        elif plan.kind in ("setting", "adjust", "state_view") and plan.key is None:
            rows = [None]  # new values, not the ones the state already holds
        elif plan.table and plan.table in self.plan.tables and plan.kind not in ("create",):
            rows = list(self._rows(plan.table))
            if plan.kind in ("update", "transition"):  # the row's key, new values for the rest
                table = self.plan.tables[plan.table]
                keep = {table.key} | {p.column for p in plan.params if p.column and p.column != table.key and
                                      table.columns[p.column].references}
                rows = [{k: v for k, v in r.items() if k in keep} for r in rows]
                if plan.kind == "update":
                    self._other_references(plan, rows)
        elif plan.kind == "create" and plan.table:
            rows = [{} for _ in range(4)]
            for param in plan.params:  # references: existing rows of the referenced tables
                col = self.plan.tables[plan.table].columns.get(param.column or "")
                if col is not None and col.references and param.column:
                    other = self.plan.tables[col.references]
                    found = self._rows(col.references, 12)
                    if plan.stock_table == other.name and plan.stock_column:
                        found = [r for r in found if (r.get(plan.stock_column) or 0) > 0] + found
                    for index, row in enumerate(rows):
                        if found:
                            row[param.column] = found[index % len(found)][other.key]
        rows = rows or [None]
        found: list[dict[str, Any]] = []
        for row in rows:
            for with_optional in (False, True):
                args = {}
                for param in plan.params:
                    if not param.spec.required and not with_optional:
                        continue
                    if plan.kind == "login" and row is not None and param.role in ("identity", "secret"):
                        args[param.ident] = row.get(param.column or "")
                        continue
                    args[param.ident] = self._value(plan, param, row)
                if args not in found:
                    found.append(args)
        for param in plan.params:  # every value of an enum or boolean: one of them is a change
            options = list(param.spec.enum or ([True, False] if param.spec.type == "boolean" else []))[:8]
            for args in list(found[:2]):
                for option in options:
                    variant = {**args, param.ident: option}
                    if variant not in found:
                        found.append(variant)
        if plan.kind == "create":
            for args in list(found):
                for param in plan.params:  # a fresh value where the row must be new
                    if param.spec.type == "string" and param.ident in args and not param.spec.enum:
                        col = self.plan.tables[plan.table or ""].columns.get(param.column or "")
                        if col is None or col.references is None:
                            args[param.ident] = _fresh(param, args[param.ident])
        return found

    def bad_args(self, plan: ToolPlan, good: dict[str, Any]) -> list[dict[str, Any]]:
        bad: list[dict[str, Any]] = []
        for param in plan.params:
            spec = param.spec
            variants: list[Any] = []
            if spec.type == "string" and not spec.enum:
                variants += ["   ", "ZZZ-NO-SUCH-9999"]
            elif spec.type == "integer":
                variants += [987654321, -1, 0]
            elif spec.type == "number":
                variants += [-1.0, 1e9, 0.0]
            elif spec.type == "array":
                variants += [[], ["ZZZ-NO-SUCH-9999"], [987654321]]
            elif spec.type == "object":
                variants += [{"no_such_field_zz": 1}, {}]
                whole = good.get(param.ident)
                if isinstance(whole, dict):  # a blank text field of a record
                    variants += [{**whole, p.name: "   "} for p in spec.properties
                                 if p.type == "string" and not p.enum and p.name in whole]
            for value in variants:
                bad.append({**good, param.ident: value})
        return bad
