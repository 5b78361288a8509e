"""Derive a tool's OpenAI function schema from its signature and Google-style docstring.

Runs in the worker, where the env's functions live. The schema is never written by
hand, so it cannot drift from the code.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from typing import Any, Literal, Union, get_args, get_origin

_JSON_TYPES: dict[type, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
_SECTION = re.compile(r"^(Args|Arguments|Parameters|Returns|Return|Raises|Yields|Examples?|Notes?):\s*$")
_ARG_LINE = re.compile(r"^(\*{0,2}\w+)\s*(\([^)]*\))?\s*:\s*(.*)$")


class SchemaError(Exception):
    """A tool's signature or docstring cannot be turned into a schema."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """Split a Google-style docstring into (description, {arg: description})."""
    lines = inspect.cleandoc(doc).splitlines()
    description: list[str] = []
    args: dict[str, str] = {}
    section: str | None = None
    current: str | None = None
    arg_indent: int | None = None
    for raw in lines:
        stripped = raw.strip()
        match = _SECTION.match(stripped)
        if match and not raw.startswith(" "):
            section = match.group(1)
            current, arg_indent = None, None
            continue
        if section is None:
            description.append(stripped)
        elif section in ("Args", "Arguments", "Parameters") and stripped:
            indent = len(raw) - len(raw.lstrip())
            arg_match = _ARG_LINE.match(stripped)
            if arg_match and (arg_indent is None or indent <= arg_indent):
                arg_indent = indent
                current = arg_match.group(1).lstrip("*")
                args[current] = arg_match.group(3).strip()
            elif current is not None:
                args[current] = f"{args[current]} {stripped}".strip()
    text = "\n".join(description).strip()
    first_paragraph = text.split("\n\n")[0].replace("\n", " ").strip()
    return first_paragraph, args


def json_type(annotation: Any, where: str, line: int) -> dict[str, Any]:
    """The JSON schema of one Python type hint."""
    if isinstance(annotation, (str, typing.ForwardRef)):
        # Never evaluate string annotations: that would run env text outside the sandbox.
        raise SchemaError(f"{where}: string annotations are not supported; write the type itself", line)
    if annotation in _JSON_TYPES:
        return {"type": _JSON_TYPES[annotation]}
    if annotation is Any:
        return {}
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Literal:
        kinds = {type(a) for a in args}
        if len(kinds) != 1 or next(iter(kinds)) not in _JSON_TYPES:
            raise SchemaError(f"{where}: Literal values must all be str, int, float or bool", line)
        return {"type": _JSON_TYPES[next(iter(kinds))], "enum": list(args)}
    if origin in (Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if len(options) != 1:
            raise SchemaError(f"{where}: only 'T | None' unions are supported", line)
        inner = json_type(options[0], where, line)
        if "type" in inner and isinstance(inner["type"], str):
            inner = {**inner, "type": [inner["type"], "null"]}
            if "enum" in inner:
                inner["enum"] = [*inner["enum"], None]
            return inner
        return {"anyOf": [inner, {"type": "null"}]}
    if origin in (list, typing.List) or annotation is list:  # noqa: UP006
        item = json_type(args[0], where, line) if args else {}
        return {"type": "array", "items": item}
    if origin in (dict, typing.Dict) or annotation is dict:  # noqa: UP006
        if args and args[0] != str:  # noqa: E721 - the sandbox's str compares equal to str
            raise SchemaError(f"{where}: dict keys must be str", line)
        return {"type": "object", "additionalProperties": json_type(args[1], where, line) if args else {}}
    if typing.is_typeddict(annotation):
        hints = dict(annotation.__annotations__)
        required = sorted(getattr(annotation, "__required_keys__", hints.keys()))
        return {
            "type": "object",
            "properties": {k: json_type(v, f"{where}.{k}", line) for k, v in hints.items()},
            "required": required,
            "additionalProperties": False,
        }
    raise SchemaError(f"{where}: type {annotation!r} has no JSON schema; use str, int, float, "
                      "bool, list[T], dict[str, T], Literal[...], T | None or a TypedDict", line)


def tool_function_schema(fn: Any) -> dict[str, Any]:
    """The OpenAI `function` object for a tool: name, description, parameters."""
    code = fn.__code__
    line = code.co_firstlineno
    name = fn.__name__
    doc = fn.__doc__
    if not doc or not doc.strip():
        raise SchemaError(f"tool '{name}' has no docstring (its first paragraph is the tool's description)", line)
    description, arg_docs = parse_docstring(doc)
    if not description:
        raise SchemaError(f"tool '{name}': the docstring needs a description before 'Args:'", line)
    params = list(inspect.signature(fn).parameters.values())
    if not params or params[0].name != "db":
        raise SchemaError(f"tool '{name}': the first parameter must be 'db'", line)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for p in params[1:]:
        where = f"tool '{name}', parameter '{p.name}'"
        if p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            raise SchemaError(f"{where}: *args, **kwargs and positional-only parameters are not supported", line)
        if p.annotation is inspect.Parameter.empty:
            raise SchemaError(f"{where} has no type hint", line)
        if p.name not in arg_docs or not arg_docs[p.name]:
            raise SchemaError(f"{where} is not described in the docstring's 'Args:' section", line)
        prop = json_type(p.annotation, where, line)
        prop["description"] = arg_docs[p.name]
        if p.default is inspect.Parameter.empty:
            required.append(p.name)
        else:
            prop["default"] = p.default
        properties[p.name] = prop
    extra = sorted(set(arg_docs) - set(properties))
    if extra:
        raise SchemaError(f"tool '{name}': the docstring describes unknown parameter(s) {extra}", line)
    return {
        "name": name,
        "description": description,
        "parameters": {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        },
    }


# The keywords json_type/tool_function_schema write, by what each holds. The engine takes a
# worker's schemas only in this shape: a compromised worker could otherwise hand it a
# `pattern` (ReDoS when arguments are validated), a `$ref` loop or a `format` to run.
_SCHEMA_KEYWORDS = frozenset({"type", "enum", "items", "additionalProperties", "properties", "required", "anyOf",
                              "description", "default"})
_JSON_TYPE_NAMES = frozenset({*_JSON_TYPES.values(), "array", "object", "null"})


def derived_schema_problem(schema: Any, where: str = "parameters") -> str | None:
    """What makes `schema` other than a schema tool_function_schema derives (None: nothing).
    Its nesting is bounded already (the worker's frames are)."""
    if isinstance(schema, bool):
        return None
    if not isinstance(schema, dict):
        return f"{where} is not a JSON schema object"
    unknown = sorted(set(schema) - _SCHEMA_KEYWORDS)
    if unknown:
        return f"{where} has the keyword {unknown[0][:80]!r}, which derived schemas do not use"
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
    if not all(isinstance(k, str) and k in _JSON_TYPE_NAMES for k in kinds):
        return f"{where} has a 'type' that is not a JSON type name"
    if "description" in schema and not isinstance(schema["description"], str):
        return f"{where} has a 'description' that is not text"
    if "enum" in schema and not isinstance(schema["enum"], list):
        return f"{where} has an 'enum' that is not a list"
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        return f"{where} has a 'required' that is not a list of names"
    properties = schema.get("properties", {})
    if not isinstance(properties, dict):
        return f"{where} has 'properties' that are not an object"
    inner = [(f"{where}.{name[:80]}", value) for name, value in properties.items()]
    inner += [(f"{where}.{key}", schema[key]) for key in ("items", "additionalProperties") if key in schema]
    options = schema.get("anyOf", [])
    if not isinstance(options, list):
        return f"{where} has an 'anyOf' that is not a list"
    inner += [(f"{where}.anyOf[{i}]", option) for i, option in enumerate(options)]
    for path, value in inner:
        problem = derived_schema_problem(value, path)
        if problem is not None:
            return problem
    return None
