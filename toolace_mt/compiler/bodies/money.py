"""Money and stock a create takes and its undoing gives back: insufficient funds or
stock are domain errors; a row already in a final state gave them back before."""

from __future__ import annotations

from toolace_mt.compiler.bodies.code import q
from toolace_mt.compiler.bodies.parts import Parts
from toolace_mt.compiler.classify.writes import STOCK_WORDS
from toolace_mt.compiler.names import human, words
from toolace_mt.compiler.plan import Param, Table, ToolPlan

UNITS = {"ml", "l", "litres", "liters", "kg", "g", "mg", "lb", "oz", "cm", "mm", "m", "km", "kwh", "units"}


def _kept(plan: ToolPlan) -> str:
    """What a row keeps, in the error: "stock", or the amount's own words when the create
    takes its amount out of the column of that name (the specimen's volume)."""
    kept = [w for w in words(plan.stock_column or "") if w not in UNITS]
    amount = next((p for p in plan.params if p.ident == plan.quantity_param), None)
    if amount is None or set(kept) & STOCK_WORDS or not set(kept) & set(words(amount.spec.name)):
        return "stock"
    return " ".join(kept)


def take_stock(parts: Parts, plan: ToolPlan) -> list[str]:
    """A new row takes from the stock of the row it refers to."""
    if not (plan.stock_table and plan.stock_column and plan.stock_param):
        return []
    other = parts.env.tables[plan.stock_table]
    take = plan.quantity_param or "1"
    label = human(other.entity)
    take_sql = f"UPDATE {other.name} SET {plan.stock_column} = {plan.stock_column} - ? WHERE {other.key} = ?"
    return [f"item = db.one({q(f'SELECT * FROM {other.name} WHERE {other.key} = ?')}, [{plan.stock_param}])",
            f'if item is not None and (item["{plan.stock_column}"] or 0) < {take}:',
            f"    raise ToolError(f\"insufficient {_kept(plan)}: {label} {{{plan.stock_param}}} has "
            f"{{item['{plan.stock_column}'] or 0}} left, {{{take}}} wanted\")",
            f"db.execute({q(take_sql)}, [{take}, {plan.stock_param}])"]


def charge(plan: ToolPlan, given: dict[str, Param]) -> list[str]:
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


def give_back(parts: Parts, plan: ToolPlan, table: Table, after_final_check: bool) -> list[str]:
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
        other = parts.env.tables[stock_table]
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
