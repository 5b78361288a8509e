"""Bodies of the session tools: log in (the user must exist, the password match), log
out, and the session's status."""

from __future__ import annotations

from toolace_mt.compiler.bodies.code import dict_return, q
from toolace_mt.compiler.bodies.parts import Parts
from toolace_mt.compiler.names import words
from toolace_mt.compiler.plan import ToolPlan


def body_login(parts: Parts, plan: ToolPlan) -> list[str]:
    users = parts.env.tables[parts.env.users or ""]
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
    return lines + parts.shape.row(plan, None, "row")


def body_logout(parts: Parts, plan: ToolPlan) -> list[str]:
    return ["current_user(db)", 'db.execute("UPDATE session SET logged_in = false")',
            "MESSAGE = 'logged out'", "row = {'logged_in': False}", *parts.shape.row(plan, None, "row")]


def body_session_status(parts: Parts, plan: ToolPlan) -> list[str]:
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
    return [*lines, *dict_return(items)]
