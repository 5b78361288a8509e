"""Bodies of one row's state changes: a status transition with its "already closed" and
final-state errors, and an adjusted amount with its insufficient-balance and capacity errors."""

from __future__ import annotations

from toolace_mt.compiler import kinds as K
from toolace_mt.compiler.bodies.code import message, num, q
from toolace_mt.compiler.bodies.money import give_back
from toolace_mt.compiler.bodies.parts import Parts
from toolace_mt.compiler.names import human
from toolace_mt.compiler.plan import ToolPlan
from toolace_mt.compiler.stamps import stamp_column


def body_transition(parts: Parts, plan: ToolPlan) -> list[str]:
    table = parts.table(plan)
    status, target = plan.status_column or "status", plan.target_status or "done"
    label = human(table.entity)
    ref = f"{{row[{table.key!r}]}}"
    stamp = stamp_column(table, target)  # likedAt: when it became liked
    stamp_set = f", {stamp} = ?" if stamp else ""
    stamp_arg = 'db.now.isoformat(timespec="seconds"), ' if stamp else ""
    if plan.clears:  # a give-up: who held the row is no more
        held = [c for c in plan.clears if table.columns[c].held] or plan.clears
        empty = " and ".join(f'row["{c}"] is None' for c in held)
        sets = ", ".join(f"{c} = NULL" for c in plan.clears)
        return [*parts.login_line(plan), parts.load_row(plan, table), f"if {empty}:",
                f"    raise ToolError(f{q(f'{label} {ref} has no {human(held[0])}')})",
                *(preconditions(plan, status, label, ref, target) if plan.status_column else []),
                f'db.execute("UPDATE {table.name} SET {sets} WHERE {table.key} = ?", [row["{table.key}"]])',
                parts.reload(table), message(f"{label} {ref} has no {human(held[0])} now"),
                *parts.shape.row(plan, table)]
    if plan.status_flag:
        already = f'if row["{status}"]:' if plan.flag_value else f'if not row["{status}"]:'
        return [*parts.login_line(plan), parts.load_row(plan, table), already,
                f"    raise ToolError(f{q(f'{label} {ref} is already {target}')})",
                f'db.execute("UPDATE {table.name} SET {status} = {str(plan.flag_value).lower()}{stamp_set} '
                f'WHERE {table.key} = ?", [{stamp_arg}row["{table.key}"]])',
                parts.reload(table), message(f"{label} {ref} is now {target}"), *parts.shape.row(plan, table)]
    lines = [*parts.login_line(plan), parts.load_row(plan, table),
             f'if str(row["{status}"]).lower() == {q(target)}:',
             f"    raise ToolError(f{q(f'{label} {ref} is already {target}')})"]
    if target in K.TERMINAL:
        lines += [f'if str(row["{status}"]).lower() in FINAL_STATUSES:',
                  f"    raise ToolError(f\"{label} {ref} is {{row['{status}']}} and cannot be {target}\")"]
    lines += preconditions(plan, status, label, ref, target)
    lines += give_back(parts, plan, table, after_final_check=True)
    lines += _pay(parts, plan)
    sets = [f"{status} = ?"] + ([f"{stamp} = ?"] if stamp else [])
    args = [q(target)] + (['db.now.isoformat(timespec="seconds")'] if stamp else [])
    for param in plan.params:
        if param.role in ("value", "filter") and param.column and param.column not in (table.key, status):
            sets.append(f"{param.column} = ?")
            args.append(parts.column_value(table, param.column, param.ident))
    lines += [f'db.execute("UPDATE {table.name} SET {", ".join(sets)} WHERE {table.key} = ?", '
              f'[{", ".join(args)}, row["{table.key}"]])',
              parts.reload(table),
              message(f"{label} {ref} is now {target}")]
    return lines + parts.shape.row(plan, table)


def _pay(parts: Parts, plan: ToolPlan) -> list[str]:
    """Pay the row's amount from its account's balance; too little is insufficient funds."""
    if plan.pay_from is None:
        return []
    account_name, balance, link, due = plan.pay_from
    account = parts.env.tables[account_name]
    read = f"SELECT {balance} FROM {account.name} WHERE {account.key} = ?"
    take = f"UPDATE {account.name} SET {balance} = {balance} - ? WHERE {account.key} = ?"
    return [f'funds = db.scalar({q(read)}, [row["{link}"]]) or 0',
            f'if funds < (row["{due}"] or 0):',
            f"    raise ToolError(f\"insufficient funds: {human(account.entity)} {{row['{link}']}} has {{funds}}, "
            f"{{row['{due}']}} is due\")",
            f'db.execute({q(take)}, [row["{due}"] or 0, row["{link}"]])']


def preconditions(plan: ToolPlan, status: str, label: str, ref: str, target: str) -> list[str]:
    """The statuses the description allows the transition from, or forbids it from."""
    lines = []
    if plan.allowed_from:
        allowed = [v.lower() for v in plan.allowed_from]
        said = " or ".join(v.replace("_", " ") for v in allowed)
        article = "an" if said[:1] in "aeiou" else "a"
        lines += [f'if str(row["{status}"]).lower() not in {allowed!r}:',
                  f"    raise ToolError(f\"{label} {ref} is {{row['{status}']}}: only {article} {said} {label} can be "
                  f"{target.replace('_', ' ')}\")"]
    if plan.forbidden_from:
        forbidden = [v.lower() for v in plan.forbidden_from]
        lines += [f'if str(row["{status}"]).lower() in {forbidden!r}:',
                  f"    raise ToolError(f\"{label} {ref} is {{row['{status}']}} and cannot be "
                  f"{target.replace('_', ' ')}\")"]
    return lines


def body_adjust(parts: Parts, plan: ToolPlan) -> list[str]:
    table = parts.table(plan)
    col = plan.adjust_column or "balance"
    amount = plan.param("amount")
    assert amount is not None
    label = human(col)
    lines = [*parts.login_line(plan), parts.load_row(plan, table),
             f'new_value = round((row["{col}"] or 0) {"+" if plan.adjust_sign > 0 else "-"} {amount.ident}, 2)']
    if plan.shift_days:  # extend a rental by 3 days: its return date moves
        lines[-1] = (f'new_value = (datetime.date.fromisoformat(str(row["{col}"])[:10]) + datetime.timedelta('
                     f'days={"" if plan.adjust_sign > 0 else "-"}{amount.ident})).isoformat()')
        if plan.status_column is None:
            status = next((c for c in table.columns if c == "status"), None)
            if status and table.columns[status].type == "string":
                lines += [f"if str(row[{q(status)}]).lower() in FINAL_STATUSES:",
                          f"    raise ToolError(f\"the {label} cannot move: {human(table.entity)} "
                          f"{{row[{q(table.key)}]}} is {{row[{q(status)}]}}\")"]
    if plan.adjust_sign < 0:
        lines += ["if new_value < 0:",
                  f"    raise ToolError(f\"insufficient {label}: {{row['{col}']}} available, "
                  f"{{{amount.ident}}} requested\")"]
    if plan.capacity is not None:
        lines += [f"if new_value > {num(plan.capacity)}:",
                  f"    raise ToolError(f\"{label} would be {{new_value}}, above the capacity of "
                  f"{num(plan.capacity)}\")"]
    keyed = not table.singleton and plan.key
    lines += [f'db.execute("UPDATE {table.name} SET {col} = ? WHERE {table.key} = ?", '
              f'[new_value, row["{table.key}"]])',
              f"row = {parts.loader(table)}(db" + (f", row[\"{table.key}\"])" if keyed else ")"),
              message(f"{label} is now {{new_value}}")]
    return lines + parts.shape.row(plan, table)
