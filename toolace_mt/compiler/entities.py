"""Entity tables from the tools: ids, fields and types, references from shared id names.

An entity is found from an id-like field (`ticket_id`, `petId`, a field that "uniquely
identifies the stock"), from the noun of a create/list tool, or from an OpenAPI schema.
Its columns come from the parameters of the tools that write it and the outputs of the
tools that read it; a column holding another entity's id references that table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from toolace_mt.compiler import kinds as K
from toolace_mt.compiler.names import column, singular, words
from toolace_mt.compiler.seed_plan import SAID_EXAMPLE
from toolace_mt.compiler.spec_model import Field, SpecSet, ToolIn

_ID_OF = re.compile(r"\b(?:id|identifier) of (?:the |a |an )?([a-z]+)", re.IGNORECASE)
_X_ID = re.compile(r"\b([a-z]+)(?:'s)? (?:id|identifier)\b", re.IGNORECASE)
_IDENTIFIES = re.compile(r"uniquely identif(?:ies|ying) (?:the |a |an )?([a-z]+)|unique (?:id|identifier|key) "
                         r"(?:of|for) (?:the |a |an )?([a-z]+)", re.IGNORECASE)
# Parameters that shape a query rather than name an entity's field.
QUERY_WORDS = {"limit", "offset", "page", "per", "size", "sort", "order", "by", "cursor", "query", "q", "keyword",
               "keywords", "term", "text", "search", "fields", "include", "expand", "format", "max", "min",
               "start", "end", "from", "to", "since", "until", "before", "after", "threshold", "top", "count"}
RESULT_WORDS = {"message", "success", "ok", "result", "error", "status_code", "added", "deleted", "sent",
                "removed", "updated", "created", "cancelled", "closed", "resolved", "notification"}


@dataclass
class Entity:
    name: str  # singular snake noun
    key: str = ""  # key column
    key_field: Field | None = None
    aliases: set[str] = field(default_factory=set)  # spec field names meaning the key
    natural: bool = False  # keyed by a natural value (symbol, username), not a generated id


def _is_id_name(name_words: list[str]) -> bool:
    return bool(name_words) and name_words[-1] in ("id", "uuid", "key", "ref", "guid") and len(name_words) <= 5


def id_entity(spec: Field, tool_noun: str | None, known: frozenset[str] = frozenset()) -> str | None:
    """The entity whose id this field holds, or None. `known`: nouns the tools name (an
    `ownerId` is an owner's id when the API has owners, else a user's)."""
    name_words = words(spec.name)
    if spec.type not in ("string", "integer") and not (spec.type == "number" and name_words[-1:] == ["number"]):
        return None
    description = spec.description
    identifies = _IDENTIFIES.search(description)
    if identifies:
        return singular((identifies.group(1) or identifies.group(2)).lower())
    if len(name_words) >= 2 and name_words[-1] in ("number", "num", "no") and known:
        base = "_".join(name_words[:-1])  # issue_number, pull_number: the id of a thing the API names
        if base in known:
            return base
        return next((n for n in sorted(known) if n.startswith(base + "_")), None)
    if len(name_words) == 1 and name_words[0] in known and spec.type == "integer" and (
            not description or re.search(r"\b(?:number|id|identifier)\b", description, re.IGNORECASE)):
        return name_words[0]  # slot, "The queue slot number.": the key of a slot
    if not _is_id_name(name_words):
        return None
    base = name_words[:-1]
    if not base:
        return tool_noun
    if "_".join(base) in known:
        return "_".join(base)
    stripped = [w for w in base if w not in K.ROLES]
    if (stripped and stripped != ["user"]) or (stripped == ["user"] and base == ["user"]):
        return singular("_".join(stripped))
    for pattern in (_X_ID, _ID_OF):
        for match in pattern.finditer(description):
            noun = singular(match.group(1).lower())
            if noun not in K.ROLES and noun not in K.FILLER and noun not in ("unique", "the"):
                return noun
    if any(w in K.PEOPLE_ROLES for w in base):
        return "user"
    return singular("_".join(base)) if base else tool_noun


def _segment_words(segment: str) -> list[str]:
    """A path segment's nouns; a collection named only by a filler word (/items) keeps it."""
    kept = [w for w in words(segment) if w not in K.FILLER]
    if not kept and segment.isalpha() and segment.lower() in ("item", "items", "data", "details"):
        kept = [segment.lower()]
    return kept


def action_segment(tool: ToolIn) -> str | None:
    """The action a path ends in (POST /loans/{loanId}/renew -> "renew", .../check-in ->
    "check_in"); None for a sub-collection (GET /hotels/{hotelId}/rooms lists rooms)."""
    parts = [s for s in tool.path.strip("/").split("/") if s]
    if len(parts) < 3 or not parts[-2].startswith("{") or parts[-1].startswith("{") or not words(parts[-1]):
        return None
    said = words(parts[-1])
    joined = "_".join(said)
    if tool.method == "post" and singular(said[-1]) != said[-1] and joined not in K.TRANSITION:
        return None  # POST /customers/{customerId}/subscriptions: a new row of the sub-collection
    if joined in K.TRANSITION or said[0] in K.VERBS:
        return joined if joined in K.TRANSITION else said[0]
    lists = tool.output is not None and (tool.output.type == "array" or output_rows_field(tool.output)
                                         not in (None, tool.output))
    return None if tool.method == "get" or lists else said[0]


_NAMESPACED = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)[./:]([A-Za-z].*)$")


def namespace(name: str) -> tuple[list[str], list[str]] | None:
    """`plots.lease`, `harvests/byPlot`: (the namespace's words, the rest's words), else None."""
    match = _NAMESPACED.match(name)
    if match is None or not words(match.group(1)) or not words(match.group(2)):
        return None
    return words(match.group(1)), words(match.group(2))


def tool_nouns(tool: ToolIn) -> list[str]:
    """Candidate entity nouns of a tool, best first: the REST path, a namespace (plots.lease
    acts on plots), then its name."""
    nouns: list[str] = []
    spaced = namespace(tool.name)
    if spaced is not None and not tool.path:
        kept = [w for w in spaced[0] if w not in K.FILLER]
        if kept:
            nouns.append(singular("_".join(kept)))
    if tool.path:
        parts = [s for s in tool.path.strip("/").split("/") if s]
        if action_segment(tool) is not None:
            parts = parts[:-1]  # /loans/{loanId}/renew: an action on a loan
        segments = [s for s in parts if not s.startswith("{")]
        for segment in reversed(segments):
            segment_words = _segment_words(segment)
            if len(segment_words) > 1 and segment_words[0] in K.SEARCH:
                continue  # GET /pet/findByTags: a search of the pets, not a collection of "find tags"
            if segment_words and segment_words[-1] not in K.TRANSITION and segment_words[-1] not in K.GET:
                nouns.append(singular("_".join(segment_words)))
                nouns.append(singular(segment_words[-1]))
    name_words = words(tool.name)
    verb = K.verb_of(name_words) or K.imperative(name_words, _own_words(tool.description))
    content = [w for w in name_words if w not in K.FILLER and w != verb and w not in K.LIST]
    for word in reversed(content):
        nouns.append(singular(word))
    if len(content) > 1:
        nouns.insert(len(nouns) - len(content), singular("_".join(content)))
    return list(dict.fromkeys(n for n in nouns if n))


def _own_words(description: str) -> str:
    """A BFCL description without its "This tool belongs to ... Tool description:" lead."""
    return description.split("Tool description:", 1)[-1]


def output_rows_field(output: Field | None) -> Field | None:
    """The object describing one row in an output: the output itself, or its array's items."""
    if output is None:
        return None
    if output.type == "array" and output.items is not None and output.items.type == "object":
        return output.items
    if output.type == "object":
        arrays = [p for p in output.properties if p.type == "array" and p.items is not None
                  and p.items.type == "object" and p.items.properties]
        others = [p for p in output.properties if p not in arrays]
        meta = {"count", "total", "page", "next", "cursor", "limit", "offset", "message", "status", "has", "more",
                "size", "per", "success", "results", "number"}
        if len(arrays) == 1 and all(set(words(p.name)) <= meta for p in others):
            return arrays[0].items  # {"notes": [...], "total": 3}: a page of rows
        return output
    return None


def known_nouns(specs: SpecSet) -> frozenset[str]:
    """The first noun of every tool: the things this API is about."""
    return frozenset(nouns[0] for nouns in (tool_nouns(t) for t in specs.tools) if nouns)


def _shows_example(spec: Field) -> bool:
    return bool(spec.examples) or bool(SAID_EXAMPLE.search(spec.description))


def discover(specs: SpecSet) -> dict[str, Entity]:
    """Entities named by id-like fields, create tools and OpenAPI schemas."""
    found: dict[str, Entity] = {}
    known = known_nouns(specs)

    def note(entity: str, spec: Field, natural: bool = False, from_path: bool = False) -> None:
        if not entity or (entity in K.FILLER and not from_path) or len(entity) > 40:
            return
        item = found.setdefault(entity, Entity(name=entity))
        item.aliases.add(spec.name)
        name_words = words(spec.name)
        preferred = column(spec.name) if name_words != ["id"] else column(f"{entity}_id")
        own_id = [*entity.split("_"), "id"]
        if not item.key or (words(item.key) == own_id and natural) or (
                words(spec.name) == own_id and words(item.key) != own_id and not item.natural):
            item.key, item.key_field, item.natural = preferred, spec, natural
        if item.key_field is None or (not _shows_example(item.key_field) and _shows_example(spec)
                                      and spec.type == item.key_field.type and spec.name in item.aliases):
            item.key_field = spec  # "The track's id, like trk_2041": the ids are seeded in that style

    for tool in specs.tools:
        nouns = tool_nouns(tool)
        noun = nouns[0] if nouns else None
        parts = [s for s in tool.path.strip("/").split("/") if s] if tool.path else []
        for collection, part in pairwise(parts):
            # /items/{sku}: the path parameter after a collection is its key, whatever its name.
            param = next((p for p in tool.params if "{" + p.name + "}" == part), None)
            if param is None or collection.startswith("{") or id_entity(param, noun, known):
                continue
            collection_words = _segment_words(collection)
            if collection_words and param.type in ("string", "integer"):
                note(singular("_".join(collection_words)), param, natural=True, from_path=True)
        for param in tool.params:
            entity = id_entity(param, noun, known)
            if entity:
                natural = not _is_id_name(words(param.name))
                note(entity, param, natural)
        rows = output_rows_field(tool.output)
        if rows is not None:
            for prop in rows.properties:
                entity = id_entity(prop, noun, known)
                if entity and (words(prop.name) == ["id"] or entity in nouns):
                    note(entity, prop, not _is_id_name(words(prop.name)))
    for name, schema in specs.components.items():
        entity = singular(column(name))
        key = next((p for p in schema.properties if words(p.name) == ["id"]), None)
        key = key or next((p for p in schema.properties if words(p.name) == [*entity.split("_"), "id"]), None)
        if key is not None:
            note(entity, key)
    return found
