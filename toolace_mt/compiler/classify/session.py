"""Login state: the one-row session table, the login/logout/status tools, and which
tools sit behind the login (writes, and reads of the signed-in user's own things)."""

from __future__ import annotations

from toolace_mt.compiler import kinds as K
from toolace_mt.compiler.classify.catalog import SESSION_TABLE, Catalog
from toolace_mt.compiler.entities import Entity
from toolace_mt.compiler.names import column, words
from toolace_mt.compiler.plan import Column, Table, ToolPlan
from toolace_mt.compiler.spec_model import Field

OWNER_COLUMNS = ("created_by", "owner", "owner_id", "author", "sender_id", "sender", "username", "user_id")


def current_or_mine(plan: ToolPlan) -> bool:
    """The tool is about the signed-in user's own things ("my", "sent", "the current user")."""
    text = plan.spec.description
    name_words = words(plan.spec.name)
    return bool(K.CURRENT_USER.search(text)) or "my" in name_words or ("user" in name_words and not plan.params) \
        or "sent" in name_words or ("user" in name_words and plan.kind in ("list", "search"))


def session_tables(cat: Catalog) -> None:
    """With a login tool: the session table, and the users table the login checks."""
    logins = [t for t in cat.specs.tools if K.session_kind(words(t.name), t.description) == "login"]
    if not logins:
        return
    cat.session = SESSION_TABLE
    session = Table(name=SESSION_TABLE, entity="session", key="session_id", singleton=True, rows=1)
    session.add(Column("session_id", "integer", None, nullable=False))
    session.add(Column("logged_in", "boolean", None, nullable=False))
    login = logins[0]
    identity = next((p for p in login.params if p.type in ("string", "integer") and column(p.name) not in K.SECRET
                     and not any(w in K.SECRET for w in words(p.name))), None)
    identity = identity or Field("username", "string", "The user's name.")
    entity = cat.ident_of(identity, "user") or "user"
    if entity not in cat.entities:
        entity = "user"
        cat.entities.setdefault("user", Entity("user", column(identity.name), identity, {identity.name},
                                               natural=True))
    users = cat.entity_table(entity)
    user_column = cat.column_for(users, identity)
    session.add(Column("signed_in_as", users.columns[user_column].type, users.columns[user_column].spec,
                       references=users.name))
    for param in login.params:
        if any(w in K.SECRET for w in words(param.name)):
            cat.column_for(users, param)
    cat.users = users.name
    cat.tables[SESSION_TABLE] = session
    cat.user_column = user_column


def session_plan(cat: Catalog, plan: ToolPlan, kind: str) -> ToolPlan:
    """A login, logout or session-status tool."""
    plan.kind, plan.table = kind, SESSION_TABLE
    plan.writes = kind in ("login", "logout")
    if kind == "login":
        users = cat.tables[cat.users] if cat.users else None
        for param in plan.params:
            if any(w in K.SECRET for w in words(param.spec.name)):
                param.role = "secret"
                param.column = column(param.spec.name)
            elif users is not None and param.role == "value" and plan.param("identity") is None:
                param.role = "identity"
                param.column = cat.match_column(users, param.spec) or users.key
    return plan


def gate(cat: Catalog) -> None:
    """Behind a login: writes, and reads of 'the current user's' things; rows get an owner."""
    if cat.session is None or cat.users is None:
        return
    users = cat.tables[cat.users]
    session = cat.tables[SESSION_TABLE]
    for plan in cat.plans:
        if plan.table == cat.users and plan.key is None and plan.kind in ("get", "list", "update") \
                and current_or_mine(plan):
            # "Change the signed-in member's phone": the row is the user's own, not one its values pick.
            plan.own_row, plan.needs_login = True, True
            plan.kind = "get" if plan.kind == "list" else plan.kind
            plan.confident = True
            plan.notes = [n for n in plan.notes if "identifies the row" not in n]
            for param in plan.params:
                param.role = "value" if param.role == "filter" else param.role
            continue
        if plan.kind in ("login", "logout", "session_status", "convert") or (plan.table == cat.users
                                                                            and plan.kind not in
                                                                            ("create", "delete", "update")):
            continue
        mine = current_or_mine(plan)
        plan.needs_login = plan.writes or mine or plan.kind in ("stats", "state_read")
        table = cat.tables.get(plan.table or "")
        if table is None or table.singleton or table.lookup or table.name == cat.users:
            continue
        if plan.kind in ("create", "list", "stats", "search", "delete") and (plan.kind == "create" or mine):
            owner = next((c for c in table.columns if c in OWNER_COLUMNS and c != table.key), None)
            if owner is None:
                owner = "created_by" if "created_by" not in table.columns else "owner"
                table.add(Column(owner, session.columns["signed_in_as"].type, users.key_column.spec,
                                 references=users.name))
            table.columns[owner].references = users.name
            plan.owner_column = owner if (plan.kind == "create" or mine) else None
