"""What a body returns: the spec's output fields filled from the row (or rows) it read or
wrote, from related rows, or from sensible constants."""

from __future__ import annotations

from toolace_mt.compiler.bodies.code import DEFAULTS, dict_return, q
from toolace_mt.compiler.names import column, human, singular, words
from toolace_mt.compiler.plan import EnvPlan, Table, ToolPlan
from toolace_mt.compiler.spec_model import Field

STRIPPED_WORDS = ("new", "current", "updated", "remaining")


HIDDEN = {"password", "passcode", "passphrase", "pwd", "pin", "secret"}


class Shapes:
    def __init__(self, env: EnvPlan) -> None:
        self.env = env

    def value_of(self, plan: ToolPlan, prop: Field, table: Table | None, var: str) -> str:
        """Source for one output property from the row in `var` (or a sensible constant)."""
        name = column(prop.name)
        prop_words = set(words(prop.name))
        if prop.type == "string" and prop_words & HIDDEN:
            return q("********")  # an account's password is never read back to anyone
        if table is not None:
            related = self.related(prop, table, var)
            if related is not None:
                return related
            if words(prop.name) == ["id"] or prop.name == table.key:
                return f'{var}["{table.key}"]'
            stripped = column("_".join(w for w in words(prop.name) if w not in STRIPPED_WORDS) or prop.name)
            for candidate in (name, stripped):
                if candidate in table.columns:
                    return f'{var}["{candidate}"]'
        if table is not None and prop.type == "array" and prop.items is not None and prop.items.type == "object" \
                and any(column(p.name) in table.columns and column(p.name) != table.key
                        for p in prop.items.properties):
            # {"slots": [{from, plots}]} of one row holding from and plots: the row is its one item
            fields = [f"{q(p.name)}: {self.value_of(plan, p, table, var)}" for p in prop.items.properties]
            return "[{" + ", ".join(fields) + "}]"
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
        noun = singular(column(prop.name))
        prop_words = words(prop.name)
        if prop.type == "integer" and prop_words[-1:] == ["count"] and len(prop_words) > 1:
            noun = singular("_".join(prop_words[:-1]))  # trackCount: the playlist's tracks, counted
            found = self.related(Field(noun, "array"), table, var)
            if found is not None:
                return f"len({found})"
            return self.pair_count(noun, table, var)
        for other in self.env.tables.values():
            if other.entity != noun or other is table:
                continue
            if prop.type == "array":
                link = next((c.name for c in other.columns.values() if c.references == table.name), None)
                if link is not None:
                    return (f'db.query("SELECT * FROM {other.name} WHERE {link} = ? ORDER BY {other.key} LIMIT 20", '
                            f'[{var}["{table.key}"]])')
                joined = self.through(table, other, var)
                if joined is not None:
                    return joined
            if prop.type == "object":
                link = next((c.name for c in table.columns.values() if c.references == other.name), None)
                if link is not None:
                    return f'db.one("SELECT * FROM {other.name} WHERE {other.key} = ?", [{var}["{link}"]])'
        return None

    def pair_count(self, noun: str, table: Table, var: str) -> str | None:
        """A membership row's `trackCount`: the rows its container now holds."""
        if not table.pairs or noun not in table.pairs:
            return None
        container = next((e for e in table.pairs if e != noun), None)
        col = next((c.name for c in table.columns.values() if c.references in self.env.tables
                    and self.env.tables[c.references].entity == container), None)
        if col is None:
            return None
        return f"db.scalar({q(f'SELECT count(*) FROM {table.name} WHERE {col} = ?')}, [{var}[{q(col)}]])"

    def link_count(self, noun: str, table: Table, var: str) -> str | None:
        """How many `noun` rows a membership table pairs with this row (a playlist's tracks)."""
        for link in self.env.tables.values():
            mine = next((c.name for c in link.columns.values() if c.references == table.name), None)
            theirs = next((c.name for c in link.columns.values() if c.references in self.env.tables
                           and self.env.tables[c.references].entity == noun), None)
            if link.pairs and mine and theirs:
                sql = f"SELECT count(*) FROM {link.name} WHERE {mine} = ?"
                return f"db.scalar({q(sql)}, [{var}[{q(table.key)}]])"
        return None

    def through(self, table: Table, other: Table, var: str) -> str | None:
        """A playlist's tracks through the membership rows pairing them."""
        for link in self.env.tables.values():
            if not link.pairs:
                continue
            mine = next((c.name for c in link.columns.values() if c.references == table.name), None)
            theirs = next((c.name for c in link.columns.values() if c.references == other.name), None)
            if mine and theirs:
                sql = (f"SELECT * FROM {other.name} WHERE {other.key} IN (SELECT {theirs} FROM {link.name} "
                       f"WHERE {mine} = ?) ORDER BY {other.key} LIMIT 50")
                found = f"db.query({q(sql)}, [{var}[{q(table.key)}]])"
                if other.json_columns():
                    return f"[decoded(r, {other.json_columns()!r}) for r in {found}]"
                return found
        return None

    def row(self, plan: ToolPlan, table: Table | None, var: str = "row") -> list[str]:
        """Return one row, shaped as the spec's output object."""
        output = plan.spec.output
        if output is None or output.type != "object" or not output.properties:
            return [f"return {var}"]
        items = [f"{q(p.name)}: {self.value_of(plan, p, table, var)}" for p in output.properties]
        return dict_return(items)

    def rows(self, plan: ToolPlan, table: Table) -> list[str]:
        """Return the rows read, as a list, a list of keys, or an object holding the list."""
        return [*self.counted(plan, table), *self._rows(plan, table)]

    def counted(self, plan: ToolPlan, table: Table) -> list[str]:
        """Counts each listed row shows that no column holds (a playlist's trackCount)."""
        output = plan.spec.output
        item = output.items if output is not None and output.type == "array" else next(
            (p.items for p in (output.properties if output is not None else []) if p.type == "array"), None)
        if item is None or item.type != "object":
            return []
        extra = []
        for prop in item.properties:
            if column(prop.name) in table.columns or prop.name in table.columns:
                continue
            counted = words(prop.name)
            if prop.type != "integer" or counted[-1:] != ["count"] or len(counted) < 2:
                continue
            noun = singular("_".join(counted[:-1]))
            value = self.link_count(noun, table, "r") or self.pair_count(noun, table, "r") or \
                self.related(prop, table, "r")
            if value is not None:
                extra.append(f"{q(prop.name)}: {value}")
        return [f"rows = [{{**r, {', '.join(extra)}}} for r in rows]"] if extra else []

    def _rows(self, plan: ToolPlan, table: Table) -> list[str]:
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
                elif prop.type == "integer" and set(words(prop.name)) & {"total", "count", "found", "matched"}:
                    items.append(f"{q(prop.name)}: len(rows)")  # {"hotels": [...], "total": 3}
                else:
                    items.append(f"{q(prop.name)}: {self.value_of(plan, prop, None, 'rows')}")
            return dict_return(items)
        return ["return rows"]

    def rows_message(self, plan: ToolPlan, table: Table) -> list[str]:
        """MESSAGE naming the rows found, when an output field shows it."""
        output = plan.spec.output
        props = output.properties if output is not None and output.type == "object" else []
        if any(self.value_of(plan, p, None, "rows") == "MESSAGE" for p in props):
            return [f'MESSAGE = f"{{len(rows)}} {human(table.name)} matched: " + '
                    f'", ".join(str(r["{table.key}"]) for r in rows)']
        return []
