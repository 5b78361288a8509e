"""Which compiled writes are consequential: the env's confirmation policy (`confirm=True`).

A trainer would not keep a dialogue where the assistant deletes, cancels, closes, refunds,
books, orders or moves money without first stating the action and hearing a yes. These are
read from the plan (kind, target status, money and stock effects) and the verb of the
tool's name, so any spec gets the same policy; the header tells the reader to review it.
"""

from __future__ import annotations

from toolace_mt.compiler.kinds import RELEASING, TERMINAL
from toolace_mt.compiler.names import words
from toolace_mt.compiler.plan import ToolPlan

# Verbs whose write commits the user to something outside the app: money, a booking, a send.
COMMITTING = {"pay", "transfer", "purchase", "buy", "sell", "book", "reserve", "order", "place", "checkout",
              "withdraw", "send", "charge", "refund", "trade", "wire", "redeem", "submit"}


def needs_confirmation(plan: ToolPlan) -> bool:
    if not plan.writes or plan.kind in {"login", "logout"}:
        return False
    if plan.kind == "delete" or plan.charge or plan.refund or plan.restock:
        return True
    if plan.kind == "transition" and (plan.target_status or "") in RELEASING | TERMINAL:
        return True
    if plan.kind == "adjust" and plan.adjust_sign < 0:
        return True
    return bool(COMMITTING & set(words(plan.spec.name)))
