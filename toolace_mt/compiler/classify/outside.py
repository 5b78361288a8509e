"""Reads of outside data (weather, rates, prices), served from a seeded lookup table keyed
by the read's inputs so that they are deterministic and consistent."""

from __future__ import annotations

from toolace_mt.compiler import kinds as K
from toolace_mt.compiler.classify.catalog import Catalog, table_name
from toolace_mt.compiler.names import column, words
from toolace_mt.compiler.plan import Column, Table, ToolPlan
from toolace_mt.compiler.spec_model import Field

MEASURES = {"rate", "price", "level", "score", "status", "time", "count", "index", "value", "number", "total"}
NUMERIC_NOUNS = {"rate", "price", "temperature", "distance", "score", "percent", "amount", "cost", "level", "speed",
                 "count", "total", "humidity"}


def _value_name(nouns: list[str]) -> str:
    """The head noun of what a tool reads: get_n_day_weather_forecast -> forecast; a
    measure keeps its qualifier: get_exchange_rate -> exchange_rate."""
    if not nouns:
        return ""
    head = nouns[-2:] if nouns[-1] in MEASURES and len(nouns) >= 2 else nouns[-1:]
    return column("_".join(head))


def plan_lookup(cat: Catalog, plan: ToolPlan, name_words: list[str]) -> ToolPlan:
    nouns = [w for w in name_words if w not in K.FILLER and w not in K.GET | K.SEARCH | {"estimate", "calculate"}]
    entity = "_".join(nouns[:3]) or plan.ident
    table = Table(name=table_name(entity, cat.table_names), entity=entity, key="", lookup=True, rows=24)
    plan.kind, plan.table = "lookup", table.name
    for param in plan.params:
        param.role = "filter"
        param.column = column(param.spec.name)
        table.add(Column(param.column, param.spec.type, param.spec, nullable=False))
        table.lookup_keys.append(param.column)
    table.key = table.lookup_keys[0]
    output = plan.spec.output
    props = output.properties if output is not None and output.type == "object" else []
    for prop in props:
        name = column(prop.name)
        if name not in table.columns:
            table.add(Column(name, prop.type, prop))
    if not props:  # no output schema: one value named after what the tool reads
        said = [w for w in words(plan.spec.description) if w in NUMERIC_NOUNS]  # "the latest temperature reading"
        name = _value_name(nouns) or column(entity)
        name = said[0] if said and not set(entity.split("_")) & NUMERIC_NOUNS else name
        name = name if name not in table.columns else "result"
        numeric = set(entity.split("_")) & NUMERIC_NOUNS or said
        kind = output.type if output is not None else ("number" if numeric else "string")
        table.add(Column(name, kind, Field(name, kind, plan.spec.description)))
    cat.tables[table.name] = table
    return plan
