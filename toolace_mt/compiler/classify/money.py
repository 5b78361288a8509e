"""Orders paid from an account's balance, and what undoing an order gives back (its
stock and its money)."""

from __future__ import annotations

import re

from toolace_mt.compiler import kinds as K
from toolace_mt.compiler.classify.catalog import Catalog
from toolace_mt.compiler.names import words
from toolace_mt.compiler.spec_model import Field

BALANCE_NAMES = ("balance", "funds", "cash", "credit")
QUANTITY_WORDS = {"quantity", "qty", "count", "units", "copies", "seats", "number", "amount", "shares"}


def _buy_sell(spec: Field) -> bool:
    said = " ".join([spec.description.lower(), *(str(v).lower() for v in spec.enum or [])])
    return bool(re.search(r"\bbuy\b", said) and re.search(r"\bsell\b", said))


def charges(cat: Catalog) -> None:
    """A create with a price (and a quantity) against an account's balance is paid from
    it: the total is checked (insufficient funds) and taken; a sell side is not charged."""
    accounts = [t for t in cat.tables.values() if t.singleton and t.name != cat.session and any(
        c.type == "number" and c.name in BALANCE_NAMES for c in t.columns.values())]
    if not accounts:
        return
    account = accounts[0]
    balance = next(c.name for c in account.columns.values() if c.type == "number" and c.name in BALANCE_NAMES)
    for plan in cat.plans:
        if plan.kind != "create" or plan.table is None or plan.table == account.name:
            continue
        given = {p.ident: p for p in plan.params if p.column}
        price = next((p for p in given.values() if p.spec.type == "number" and set(words(p.spec.name))
                      & {"price", "cost", "unit_price"}), None)
        if price is None:
            continue
        quantity = next((p for p in given.values() if p.spec.type == "integer" and set(words(p.spec.name))
                         & QUANTITY_WORDS), None)
        side = next((p for p in given.values() if p.spec.type == "string" and _buy_sell(p.spec)), None)
        plan.charge = (account.name, balance, str(price.column), quantity.column if quantity else None,
                       side.column if side else None)


def inverses(cat: Catalog) -> None:
    """A cancel, return or delete undoes what its row's create took: the stock it took
    goes back, the money it charged is refunded."""
    for plan in cat.plans:
        undoes = plan.kind == "delete" or (plan.kind == "transition" and not plan.status_flag
                                           and (plan.target_status or "") in K.RELEASING)
        if not undoes or plan.table is None:
            continue
        create = next((c for c in cat.plans if c.kind == "create" and c.table == plan.table
                       and (c.stock_table or c.charge)), None)
        if create is None:
            continue
        by_ident = {p.ident: p for p in create.params}
        if create.stock_table and create.stock_column and create.stock_param in by_ident:
            ref = by_ident[create.stock_param].column
            quantity = by_ident[create.quantity_param].column if create.quantity_param in by_ident else None
            if ref:
                plan.restock = (create.stock_table, create.stock_column, ref, quantity)
        plan.refund = create.charge


PAY_VERBS = {"pay", "settle"}
DUE_WORDS = {"amount", "due", "total", "price", "cost", "fee", "balance"}


def payments(cat: Catalog) -> None:
    """Paying a row (an invoice, a bill) takes its amount from the balance of the row it
    refers to, when the description says it is paid from a balance: insufficient funds is
    a domain error."""
    for plan in cat.plans:
        table = cat.tables.get(plan.table or "")
        verb = K.verb_of(words(plan.spec.name))
        if plan.kind != "transition" or table is None or verb not in PAY_VERBS or \
                not re.search(r"\b(balance|credit|funds|wallet)\b", plan.spec.description, re.IGNORECASE):
            continue
        due = next((c.name for c in table.columns.values() if c.type in ("number", "integer")
                    and set(words(c.name)) & DUE_WORDS), None)
        for col in table.columns.values():
            account = cat.tables.get(col.references or "")
            if account is None or col.name == table.key or due is None:
                continue
            balance = next((c.name for c in account.columns.values() if c.type in ("number", "integer")
                            and set(words(c.name)) & set(BALANCE_NAMES)), None)
            if balance is not None:
                plan.pay_from = (account.name, balance, col.name, due)
                # Seeded amounts due are mostly within a balance (a few are not: insufficient funds).
                table.columns[due].capacity = min(table.columns[due].capacity or 500.0, 500.0)
                break
