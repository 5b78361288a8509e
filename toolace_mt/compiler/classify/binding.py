"""Which entity each tool acts on, and the entities only a tool's noun names."""

from __future__ import annotations

from toolace_mt.compiler import kinds as K
from toolace_mt.compiler.classify.catalog import Catalog
from toolace_mt.compiler.entities import Entity, namespace, output_rows_field, tool_nouns
from toolace_mt.compiler.names import column, singular, words
from toolace_mt.compiler.spec_model import Field, ToolIn

LINE_WORDS = ("item", "line", "entry")
NATURAL_KEYS = ("username", "handle", "email", "sku", "symbol", "slug", "isbn")


def noun_entities(cat: Catalog) -> None:
    """Entities named only by the noun of a create/list/delete tool (a watchlist, a cart)."""
    for tool in cat.specs.tools:
        name_words = words(tool.name)
        verb = K.verb_of(name_words) or K.described_verb(tool.description)
        if K.session_kind(name_words, tool.description):
            continue
        nouns = tool_nouns(tool)
        head = nouns[1] if len(nouns) > 1 and "_" in nouns[0] else (nouns[0] if nouns else None)
        if not nouns or nouns[0] in cat.entities or head in cat.entities:
            continue  # add_issue_comment: a comment (of an issue), not an issue
        writes_rows = verb in K.CREATE or verb in K.DELETE or tool.method in ("post", "delete")
        lists_rows = verb in K.LIST or "history" in name_words or \
            (tool.output is not None and output_rows_field(tool.output) is not None
             and output_rows_field(tool.output) is not tool.output)
        if not (writes_rows or lists_rows):
            continue
        noun = nouns[1] if len(nouns) > 1 and "_" in nouns[0] else nouns[0]
        scalars = [p for p in tool.params if p.scalar]
        rows = output_rows_field(tool.output)
        if any(cat.ident_of(p, noun) in cat.entities for p in (rows.properties if rows else [])):
            continue  # it creates or lists an entity its output names (add_contact -> a user)
        id_prop = next((p for p in (rows.properties if rows else []) if cat.ident_of(p, noun) == noun), None)
        natural = next((p for p in (rows.properties if rows else []) if p.type == "string"
                        and words(p.name)[-1:] and words(p.name)[-1] in NATURAL_KEYS), None)
        if id_prop is None and natural is not None and lists_rows:  # members listed by username
            cat.entities[noun] = Entity(noun, column(natural.name), natural, {natural.name}, True)
        elif id_prop is not None:
            cat.entities[noun] = Entity(noun, column(id_prop.name if words(id_prop.name) != ["id"]
                                                     else f"{noun}_id"), id_prop, {id_prop.name})
        elif writes_rows and len(scalars) == 1 and scalars[0].type == "string" and not scalars[0].enum:
            cat.entities[noun] = Entity(noun, column(scalars[0].name), scalars[0], {scalars[0].name}, True)
        elif lists_rows or writes_rows:
            cat.entities[noun] = Entity(noun, column(f"{noun}_id"), Field(f"{noun}_id", "integer"))


def natural_keys(cat: Catalog) -> None:
    """An entity keyed by a number no spec shows, whose one-argument tools all take the same
    text (lookup_specimen(barcode), destroy_specimen(barcode)): that text is its key."""
    spaces = {singular("_".join(s[0])) for s in (namespace(t.name) for t in cat.specs.tools) if s is not None}
    for name in sorted(set(cat.entities) | spaces):
        info = cat.entities.get(name)
        if info is not None and info.aliases:
            continue
        mine = [t for t in cat.specs.tools if tool_nouns(t)[:1] == [name] and t.params and t.params[0].required]
        if info is not None:  # a noun with a numbered id: only tools whose one argument is the key
            mine = [t for t in mine if len([p for p in t.params if p.required]) == 1]
        firsts = [t.params[0] for t in mine if t.params[0].type == "string" and not t.params[0].enum
                  and cat.ident_of(t.params[0], None) not in cat.entities]
        if len(firsts) >= 2 and len({p.name for p in firsts}) == 1:  # tools.borrow(toolTag), tools.giveBack(toolTag)
            cat.entities[name] = Entity(name, column(firsts[0].name), firsts[0], {firsts[0].name}, True)


LINKS = {"add", "remove", "attach", "detach", "link", "unlink", "include", "exclude", "insert", "put", "delete"}
JOINS = {"to", "from", "into", "in", "on", "onto", "with"}


def membership(cat: Catalog, tool: ToolIn, verb: str, keyed: list[str | None]) -> str | None:
    """addTrackToPlaylist(playlistId, trackId): a row pairing two existing rows (a track in a
    playlist), not a new playlist. The entity is `playlist_track`, made on first sight."""
    name_words = words(tool.name)
    entities = [e for e in dict.fromkeys(keyed) if e is not None]
    if verb not in LINKS or len(entities) != 2 or not set(name_words) & JOINS:
        return None
    join = next(i for i, w in enumerate(name_words) if w in JOINS)
    after = {singular(w) for w in name_words[join + 1:]}
    container = next((e for e in entities if set(e.split("_")) <= after), None)
    if container is None:
        return None
    member = next(e for e in entities if e != container)
    name = f"{container}_{member}"
    if name not in cat.entities:
        cat.entities[name] = Entity(name, column(f"{name}_id"), Field(f"{name}_id", "integer"))
    cat.entity_table(name).pairs = [container, member]
    return name


def bind(cat: Catalog, tool: ToolIn) -> tuple[str | None, Field | None]:
    """The entity a tool acts on and the parameter holding its key; (None, None) for a
    tool on no entity (device settings, outside data, conversions)."""
    nouns = tool_nouns(tool)
    noun = nouns[0] if nouns else None
    keys = [(p, cat.ident_of(p, noun)) for p in tool.params]
    keys = [(p, e) for p, e in keys if e in cat.entities]
    if not keys:  # lookup_specimen(barcode): the natural key another tool showed (destroy_specimen(barcode))
        keys = [(p, e.name) for p in tool.params if p.type in ("string", "integer")
                for e in cat.entities.values() if e.natural and p.name in e.aliases]
    by_noun = next((n for n in nouns if n in cat.entities), None)
    line = next((f"{noun}_{w}" for w in LINE_WORDS if f"{noun}_{w}" in cat.entities), None) if noun else None
    if line is not None and by_noun in (None, noun) and not any(e == noun for _, e in keys):
        by_noun = line  # add_to_cart, get_menu: the cart's items, the menu's items
    verb = K.verb_of(words(tool.name))
    pair = membership(cat, tool, verb, [e for _, e in keys])
    if pair is not None:
        return pair, None
    if keys:
        chosen = next(((p, e) for p, e in keys if e == by_noun), None)
        if chosen is None and by_noun is not None:
            return by_noun, None  # a message for a receiver_id: the message is the entity, the id a filter
        chosen = chosen or keys[0]
        return chosen[1], chosen[0]
    rows = output_rows_field(tool.output)
    if rows is not None and (verb in K.CREATE or tool.method == "post"):
        for prop in rows.properties:
            if cat.ident_of(prop, by_noun) in cat.entities and words(prop.name) != ["id"]:
                return cat.ident_of(prop, by_noun), None
    if by_noun is not None:
        return by_noun, None
    if rows is not None:
        for prop in rows.properties:
            for entity in cat.entities.values():
                if prop.name in entity.aliases or column(prop.name) == entity.key:
                    return entity.name, None
    for param in tool.params:
        if param.type == "array" and singular(column(param.name)) in cat.entities:
            return singular(column(param.name)), None
    return None, None
