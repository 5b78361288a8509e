"""JSON Schema (as OpenAI, MCP, OpenAPI and BFCL write it) -> `Field`, defensively.

$refs are resolved inside the document with a cycle guard; depth, property and enum
counts are capped so that a hostile spec cannot make the compiler loop or explode.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from toolace_mt.compiler.errors import SpecError
from toolace_mt.compiler.spec_model import Field

MAX_DEPTH = 8
MAX_PROPERTIES = 60
MAX_ENUM = 50
MAX_TEXT = 2000
MAX_PATTERN = 200  # characters of a `pattern` kept at all

# BFCL and Python-ish type names -> JSON Schema types.
_TYPE_NAMES = {
    "string": "string", "str": "string", "integer": "integer", "int": "integer", "number": "number",
    "float": "number", "double": "number", "boolean": "boolean", "bool": "boolean", "array": "array",
    "list": "array", "tuple": "array", "object": "object", "dict": "object", "any": "string", "null": "string",
}
# "[Enum]: ["a", "b"]" (BFCL) and "one of: a, b" style enums written in descriptions.
_ENUM_IN_TEXT = re.compile(r"\[Enum\]:\s*(\[[^\]]*\])", re.IGNORECASE)
_EXAMPLE_IN_TEXT = re.compile(
    r"(?:e\.g\.?|for example|such as|like)[,:]?\s*((?:['\"`][^'\"`]{1,40}['\"`](?:\s*(?:,|or|and)\s*)?)+)",
    re.IGNORECASE)
_QUOTED = re.compile(r"['\"`]([^'\"`]{1,40})['\"`]")


@dataclass
class Resolver:
    """Resolves local `#/...` refs of one document; remembers the file for errors."""

    file: str
    document: Any
    active: list[str] = field(default_factory=list)
    budget: int = 20000  # fields left to build: aliases/refs cannot blow the model up

    def resolve(self, ref: str, where: str) -> Any | None:
        if not ref.startswith("#/"):
            raise SpecError(self.file, where, f"only local $refs (#/...) are supported, got {ref[:80]!r}")
        node: Any = self.document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise SpecError(self.file, where, f"$ref {ref[:80]!r} points to nothing")
        return node


def text(value: Any) -> str:
    return value[:MAX_TEXT] if isinstance(value, str) else ""


def _schema_type(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if isinstance(kind, str) and kind.lower() in _TYPE_NAMES:
        return _TYPE_NAMES[kind.lower()]
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        first = schema["enum"][0]
        return "integer" if isinstance(first, int) and not isinstance(first, bool) else "string"
    return "string"


def enum_from_text(description: str) -> list[Any] | None:
    match = _ENUM_IN_TEXT.search(description)
    if not match:
        return None
    try:
        values = json.loads(match.group(1))
    except ValueError:
        values = _QUOTED.findall(match.group(1))
    values = [v for v in values if isinstance(v, (str, int, float)) and not isinstance(v, bool)]
    return values[:MAX_ENUM] or None


def examples_from_text(description: str) -> list[str]:
    found: list[str] = []
    for match in _EXAMPLE_IN_TEXT.finditer(description):
        found.extend(_QUOTED.findall(match.group(1)))
    return found[:10]


def _clean_enum(values: Any, kind: str) -> list[Any] | None:
    if not isinstance(values, list):
        return None
    wanted = {"string": str, "integer": int, "number": (int, float)}.get(kind)
    if wanted is None:
        return None
    clean = [v for v in values if isinstance(v, wanted) and not isinstance(v, bool)]
    if kind == "string":
        clean = [v for v in clean if 0 < len(v) <= 80]
    unique = list(dict.fromkeys(clean))[:MAX_ENUM]
    return unique or None


def to_field(schema: Any, name: str, resolver: Resolver, where: str, depth: int = 0,
             required: bool = False) -> Field:
    """One schema node as a Field. Never raises for odd shapes, only for broken $refs."""
    resolver.budget -= 1
    if depth > MAX_DEPTH or resolver.budget < 0:
        return Field(name=name, type="object", required=required)
    if not isinstance(schema, dict):
        return Field(name=name, type="string", required=required)
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if ref in resolver.active:  # a cycle: stop here, an opaque object
            return Field(name=name, type="object", description=text(schema.get("description")), required=required)
        resolver.active.append(ref)
        try:
            target = resolver.resolve(ref, where)
            merged = dict(target) if isinstance(target, dict) else {}
            if isinstance(schema.get("description"), str):
                merged["description"] = schema["description"]
            return to_field(merged, name, resolver, where, depth + 1, required)
        finally:
            resolver.active.pop()
    for combo in ("allOf", "oneOf", "anyOf"):
        parts = schema.get(combo)
        if isinstance(parts, list) and parts:
            return _combined(schema, combo, parts, name, resolver, where, depth, required)
    kind = _schema_type(schema)
    description = text(schema.get("description")) or text(schema.get("title"))
    result = Field(name=name, type=kind, description=description, required=required,
                   format=text(schema.get("format"))[:40])
    result.enum = _clean_enum(schema.get("enum"), kind) or (enum_from_text(description) if kind == "string" else None)
    if "default" in schema and not isinstance(schema["default"], (dict, list)):
        result.has_default, result.default = True, schema["default"]
    examples = schema.get("examples")
    if isinstance(examples, list):
        result.examples = [e for e in examples if isinstance(e, (str, int, float))][:10]
    elif "example" in schema and isinstance(schema["example"], (str, int, float)):
        result.examples = [schema["example"]]
    result.examples += examples_from_text(description)
    for bound in ("minimum", "maximum"):
        value = schema.get(bound)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            setattr(result, bound, float(value))
    for bound, attr, step in (("exclusiveMinimum", "minimum", 1), ("exclusiveMaximum", "maximum", -1)):
        value = schema.get(bound)  # JSON Schema 2019+: a number; OpenAPI 3.0: true beside minimum/maximum
        if value is True and getattr(result, attr) is not None:
            value = getattr(result, attr)
            setattr(result, attr, None)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and getattr(result, attr) is None:
            setattr(result, attr, float(value + step) if kind == "integer" else float(value))
            setattr(result, f"exclusive_{attr}", kind != "integer")
    pattern = schema.get("pattern")
    if kind == "string" and isinstance(pattern, str) and 0 < len(pattern) <= MAX_PATTERN:
        result.pattern = pattern
    result.nullable = bool(schema.get("nullable")) or (isinstance(schema.get("type"), list)
                                                       and "null" in schema["type"])
    if kind == "array":
        result.items = to_field(schema.get("items", {}), "item", resolver, f"{where}/items", depth + 1)
    elif kind == "object":
        props = schema.get("properties")
        needed = schema.get("required")
        needed = set(n for n in needed if isinstance(n, str)) if isinstance(needed, list) else set()
        if isinstance(props, dict):
            for prop_name, prop in list(props.items())[:MAX_PROPERTIES]:
                if isinstance(prop_name, str) and prop_name:
                    result.properties.append(to_field(prop, prop_name[:80], resolver,
                                                      f"{where}/properties/{prop_name[:80]}", depth + 1,
                                                      prop_name in needed))
    return result


def _combined(schema: dict[str, Any], combo: str, parts: list[Any], name: str, resolver: Resolver, where: str,
              depth: int, required: bool) -> Field:
    """allOf merges object parts; oneOf/anyOf take the first part that is not null."""
    fields = [to_field(p, name, resolver, f"{where}/{combo}/{i}", depth + 1, required)
              for i, p in enumerate(parts[:10])]
    if combo == "allOf":
        merged = Field(name=name, type="object", required=required,
                       description=text(schema.get("description")) or next((f.description for f in fields), ""))
        for part in fields:
            if part.type == "object":
                merged.properties.extend(p for p in part.properties if merged.prop(p.name) is None)
        # A part may only add `required` (allOf: [{$ref: Fields}, {required: [name, email]}]).
        needed = {n for holder in [schema, *parts[:10]] if isinstance(holder, dict)
                  for n in (holder.get("required") if isinstance(holder.get("required"), list) else [])
                  if isinstance(n, str)}
        for prop in merged.properties:
            prop.required = prop.required or prop.name in needed
        if not merged.properties and fields:
            fields[0].description = merged.description or fields[0].description
            return fields[0]
        return merged
    pairs = zip(fields, parts[:10], strict=False)
    chosen = next((f for f, p in pairs if not (isinstance(p, dict) and p.get("type") == "null")), fields[0])
    chosen.nullable = chosen.nullable or len(fields) > 1
    if isinstance(schema.get("description"), str):
        chosen.description = text(schema["description"])
    return chosen


def params_of(schema: Any, resolver: Resolver, where: str) -> list[Field]:
    """The parameters of a tool: the properties of its (object) parameter schema."""
    if schema is None:
        return []
    if not isinstance(schema, dict):
        raise SpecError(resolver.file, where, f"the parameter schema must be an object, got {type(schema).__name__}")
    root = to_field(schema, "parameters", resolver, where)
    return root.properties
