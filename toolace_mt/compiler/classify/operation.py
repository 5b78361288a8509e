"""Which operation a tool on an entity performs (get, search, create, update, delete,
transition, adjust...), from its verb, its HTTP method and whether it names a row."""

from __future__ import annotations

from collections.abc import Callable

from toolace_mt.compiler import kinds as K
from toolace_mt.compiler.classify.catalog import Catalog
from toolace_mt.compiler.classify.reads import plan_get, plan_list, plan_search, plan_stats, tally_of
from toolace_mt.compiler.classify.session import session_plan
from toolace_mt.compiler.classify.stateless import plan_stateless
from toolace_mt.compiler.classify.transitions import DAY_WORDS, plan_adjust, plan_transition
from toolace_mt.compiler.classify.writes import plan_create, plan_delete, plan_update
from toolace_mt.compiler.entities import action_segment, namespace
from toolace_mt.compiler.names import column, identifier, singular, unique, words
from toolace_mt.compiler.plan import Column, Param, Table, ToolPlan
from toolace_mt.compiler.spec_model import Field, ToolIn

AMOUNT_WORDS = {"amount", "quantity", "qty", "value", "sum", "count", "number", "units", "volume", "credits"}
BOOKINGS = {"book": "booking", "reserve": "reservation", "rent": "rental", "buy": "purchase",
            "purchase": "purchase", "borrow": "loan", "enroll": "enrollment", "subscribe": "subscription",
            "order": "order", "hire": "hire"}
STATS_WORDS = {"stats", "statistics", "count", "summary", "total", "totals", "metrics", "analytics"}
KindPlanner = Callable[[Catalog, ToolPlan, Table, str], None]
PLANNERS: dict[str, KindPlanner] = {
    "get": plan_get, "list": plan_list, "search": plan_search, "stats": plan_stats, "create": plan_create,
    "update": plan_update, "delete": plan_delete, "transition": plan_transition, "adjust": plan_adjust,
}


def _params(tool: ToolIn) -> list[Param]:
    taken: set[str] = set()
    return [Param(spec=p, ident=unique(identifier(p.name, "arg"), taken)) for p in tool.params]


def plan_tool(cat: Catalog, tool: ToolIn, ident: str, entity: str | None, key: Field | None) -> ToolPlan:
    name_words = words(tool.name)
    verb = K.verb_of(name_words)
    verb = action_segment(tool) or verb or K.described_verb(tool.description)  # POST /loans/{loanId}/renew
    if not tool.method and verb not in K.GET | K.LIST | K.SEARCH and K.DESCRIBES.match(tool.description):
        verb = ""  # water.schedule, "The watering rota for a day": a read
    elif not verb:  # plots.lease, scrub_slot: a verb the lexicon lacks
        verb = _namespaced_verb(cat, tool) or K.imperative(name_words, tool.description.split(
            "Tool description:", 1)[-1])
    if not verb and name_words and _flag_of(tool, name_words[0]):
        verb = name_words[0]  # likeTrack -> {"liked": true}: a verb the lexicon lacks, said by its flag
    plan = ToolPlan(spec=tool, ident=ident, kind="", params=_params(tool))
    session = K.session_kind(name_words, tool.description)
    if session:
        return session_plan(cat, plan, session)
    if entity is None:
        tallied = tally_of(cat, tool)
        if tallied is None:
            return plan_stateless(cat, plan, verb, name_words)
        table, plan.group_by = tallied  # getInventory: pets counted by status, not a one-row state
        plan.table = table.name
        plan_stats(cat, plan, table, verb)
        return plan
    table = cat.entity_table(entity)
    plan.table = table.name
    for param in plan.params:
        if key is not None and param.spec is key:
            param.role, param.column = "key", table.key
    acted_on = table.name
    table, has_key = _booking(cat, plan, table, verb)
    booked = table.name != acted_on and verb in BOOKINGS and verb not in K.VERBS  # tools.borrow: a new loan
    plan.kind = "create" if booked else _kind(plan, table, verb, has_key)
    PLANNERS[plan.kind](cat, plan, table, verb)
    if plan.key is None and plan.kind in ("update", "transition", "adjust", "get"):
        # No id: the required arguments pick the row (update_issue(owner, repo, title=...)).
        for param in plan.params:
            if param.spec.required and param.spec.scalar and param.role in ("value", "filter") and param.column:
                param.role = "filter"
        if not any(p.role == "filter" for p in plan.params) and not table.singleton:
            plan.confident = False
            plan.notes.append("no argument identifies the row it acts on; it takes the latest one")
    cat.output_columns(plan, table)
    return plan


def _namespaced_verb(cat: Catalog, tool: ToolIn) -> str:
    """The first word after a tool's namespace that names no entity and is no filler."""
    spaced = namespace(tool.name)
    if spaced is None:
        return ""
    entities = set(cat.entities) | {e.split("_")[-1] for e in cat.entities}
    rest = [w for w in spaced[1] if w not in K.FILLER and singular(w) not in entities]
    return rest[0] if rest and rest[0] == spaced[1][0] else ""


def _booking(cat: Catalog, plan: ToolPlan, table: Table, verb: str) -> tuple[Table, bool]:
    """book_flight(flight_number, ...): a booking of an existing flight, not a new flight.
    Returns the table the tool acts on and whether a parameter keys its row."""
    booked = plan.key
    output_names = {p.name for p in (plan.spec.output.properties if plan.spec.output is not None else [])}
    if booked is None or verb not in BOOKINGS or not (cat.natural(table) or (
            f"{BOOKINGS[verb]}_id" in output_names and BOOKINGS[verb] in cat.entities)):
        return table, booked is not None
    booked.role = "value"
    booking = cat.entity_table(BOOKINGS[verb] if BOOKINGS[verb] in cat.entities and not cat.natural(table)
                               else f"{table.entity}_{BOOKINGS[verb]}")
    booked.column = booking.add(Column(booked.column or table.key, table.key_column.type, booked.spec,
                                       references=table.name)).name
    plan.table = booking.name
    return booking, False


def _flag_of(tool: ToolIn, verb: str) -> str | None:
    """The boolean output field a verb sets (like -> liked, is_liked), if the output has one."""
    output = tool.output
    target = K.target_status(verb)
    for prop in output.properties if output is not None and output.type == "object" else []:
        if prop.type == "boolean" and words(prop.name) in ([target], ["is", target]):
            return prop.name
    return None


def _returns_key(tool: ToolIn, table: Table) -> bool:
    """The output object gives a key of the tool's table (the new row's)."""
    output = tool.output
    props = output.properties if output is not None and output.type == "object" else []
    return any(column(p.name) == table.key or p.name == table.key for p in props)


def _kind(plan: ToolPlan, table: Table, verb: str, has_key: bool) -> str:
    tool = plan.spec
    method = tool.method
    numeric = [p for p in plan.params if p.spec.type in ("number", "integer") and p.role != "key"
               and (set(words(p.spec.name)) & AMOUNT_WORDS or len(tool.params) == 1 + has_key)]
    if method == "delete" and has_key:
        return "delete"  # DELETE /inspections/{visitRef} "cancelInspection": the row goes
    if verb in K.TRANSITION and verb not in K.CREATE and (has_key or table.singleton) and verb != "mark":
        return "transition"
    if has_key and verb and verb not in K.VERBS and _flag_of(tool, verb):
        return "transition"
    if verb in K.SHIFT and has_key and any(p.spec.type == "integer" and set(words(p.spec.name)) & DAY_WORDS
                                           for p in plan.params):
        return "adjust"  # extend_reservation(id, extra_days): a date moves
    if (verb in K.INCREASE or verb in K.DECREASE) and numeric and verb not in K.CREATE - {"add"} \
            and not (verb == "add" and not has_key and len(tool.params) > 1) and method != "delete":
        return "adjust"  # POST /customers/{id}/credit {amount}: the balance goes up
    if has_key and method == "post" and verb and verb not in K.CREATE | K.UPDATE | K.DELETE | K.GET:
        return "transition"  # an action on one row: POST /orders/{id}/renew
    if has_key and not method and verb and verb not in K.VERBS:  # plots.lease(plotNumber, gardenerEmail)
        return "update" if any(p.role != "key" and p.spec.scalar for p in plan.params) else "transition"
    if not has_key and not method and verb and verb not in K.VERBS and _returns_key(tool, table):
        return "create"  # queue_observation(target, ...) -> {"slot": 12}: "Queue an observation" makes one
    if verb in K.DELETE or method == "delete":
        return "delete"
    if verb in K.SETTING and has_key:  # set_brightness(device_id, 40); turn_on_device(device_id)
        values = [p for p in plan.params if p.role != "key"]
        return "update" if values else "transition"
    if verb in K.UPDATE or method in ("put", "patch"):
        return "update"
    if verb in K.CREATE or (method == "post" and not has_key):
        return "create"
    if verb in K.TRANSITION and has_key:
        return "transition"
    if set(words(tool.name)) & STATS_WORDS:
        return "stats"
    if has_key:
        return "get"
    if any(p.role != "key" for p in plan.params):
        return "search"
    return "list"
