"""Authentication before account actions, for envs that declare AUTHENTICATE_FIRST (tau-bench's
retail policy): the user is found by details they know (an email, or a name and zip code)
before any call touches their data.

An authenticating look-up is a read tool that takes no ids (nor the user's own key, nor a
table's key not named as an id: `staff_number`, `report_code`), whose arguments are all
values of the user's own row (at any depth: a zip code inside an address), and whose
output is the user's id (or a record holding it). It is called with the dialogue user's
own values.
"""

from __future__ import annotations

import random
from typing import Any

from sandbox import ToolSpec
from toolace_mt.generation.draft import Call, Draft
from toolace_mt.generation.plan.values import is_id
from toolace_mt.generation.workbench import Workbench


def _field(row: dict[str, Any], name: str) -> Any:
    """`name` in the row or in a record nested in it (an address's zip)."""
    if name in row:
        return row[name]
    for value in row.values():
        if isinstance(value, dict) and name in value:
            return value[name]
    return None


def user_row(bench: Workbench, user: Any) -> dict[str, Any]:
    table, key = bench.env.user_table, bench.values.user_key
    if table is None or key is None:
        return {}
    rows = [r for r in bench.values.table_rows(table) if r.get(key) == user]
    return rows[0] if rows else {}


def names_user(output: Any, key: str, user: Any) -> bool:
    return output == user or (isinstance(output, dict) and output.get(key) == user)


def authenticating_tools(bench: Workbench) -> list[ToolSpec]:
    """Read tools that could find a user from their own details (see the module docstring).
    A read given the user's key (`list_reports_awaiting_me(staff_number)`) finds nobody
    from what they know: it already needs them found."""
    keys = bench.values.key_columns | {bench.values.user_key}
    found = []
    for tool in sorted(bench.tools.values(), key=lambda t: t.name):
        required = tool.parameters.get("required", [])
        if tool.writes or not required or any(is_id(p) or p in keys for p in required):
            continue
        found.append(tool)
    return found


def touches_user(key: str, arguments: dict[str, Any], output: Any) -> bool:
    """Whether a call touches a user's data: it takes the user's key, or its output (a
    record) holds one."""
    return key in arguments or (isinstance(output, dict) and key in output)


def authenticate(bench: Workbench, user: Any, rng: random.Random) -> Call | None:
    """The look-up that authenticates `user`, with their own details, really tried; None
    when no tool can. Email-style look-ups (one detail) are preferred, as tau-bench asks."""
    key = bench.values.user_key
    row = user_row(bench, user)
    if key is None or not row:
        return None
    options = []
    for tool in authenticating_tools(bench):
        arguments = {p: _field(row, p) for p in tool.parameters.get("required", [])}
        if any(not isinstance(v, str | int) or isinstance(v, bool) for v in arguments.values()):
            continue
        result = bench.trial(tool.name, arguments)
        if result.ok and names_user(result.result, key, user):
            options.append((len(arguments), tool.name, arguments))
    if not options:
        return None
    options.sort(key=lambda o: (o[0], o[1]))
    fewest = options[0] if rng.random() < 0.7 or len(options) == 1 else rng.choice(options[1:])
    return Call(fewest[1], fewest[2])


def authenticated_in(bench: Workbench, draft: Draft, user: Any) -> int | None:
    """The sub-task whose successful call authenticated `user`, if one did."""
    key = bench.values.user_key
    names = {t.name for t in authenticating_tools(bench)}
    for index, segment in enumerate(draft.segments):
        for turn in segment.turns:
            for call in turn.calls:
                if call.name in names and call.result is not None and call.result.ok and key is not None \
                        and names_user(call.result.result, key, user):
                    return index
    return None
