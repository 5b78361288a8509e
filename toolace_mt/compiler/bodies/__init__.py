"""Tool bodies by operation kind, as Python source lines of the env module.

Every body validates its inputs into domain errors (ToolError) before it touches state:
a missing row, a transition that is not allowed, insufficient funds or stock, a blank
name, a value out of the range the description states. One module per kind of operation.
"""

from __future__ import annotations

from collections.abc import Callable

from toolace_mt.compiler.bodies.code import q
from toolace_mt.compiler.bodies.outside import body_convert, body_echo, body_lookup
from toolace_mt.compiler.bodies.parts import Parts
from toolace_mt.compiler.bodies.reads import body_find, body_get, body_list, body_search, body_stats
from toolace_mt.compiler.bodies.session import body_login, body_logout, body_session_status
from toolace_mt.compiler.bodies.settings import body_setting, body_state_view, state_views, translation
from toolace_mt.compiler.bodies.transitions import body_adjust, body_transition
from toolace_mt.compiler.bodies.validation import validations
from toolace_mt.compiler.bodies.writes import body_create, body_delete, body_update
from toolace_mt.compiler.plan import EnvPlan, ToolPlan

BodyWriter = Callable[[Parts, ToolPlan], list[str]]
BY_KIND: dict[str, BodyWriter] = {
    "get": body_get, "state_read": body_get, "list": body_list, "search": body_search, "find": body_find,
    "stats": body_stats, "create": body_create, "update": body_update, "delete": body_delete,
    "transition": body_transition, "adjust": body_adjust, "setting": body_setting, "state_view": body_state_view,
    "lookup": body_lookup, "convert": body_convert, "echo": body_echo, "login": body_login,
    "logout": body_logout, "session_status": body_session_status,
}


class Bodies:
    """The body of each tool of one env plan."""

    def __init__(self, env: EnvPlan) -> None:
        self.parts = Parts(env)

    def body(self, plan: ToolPlan) -> list[str]:
        lines = validations(plan) + BY_KIND[plan.kind](self.parts, plan)
        return [part for line in lines for part in line.split("\n")]


__all__ = ["Bodies", "q", "state_views", "translation"]
