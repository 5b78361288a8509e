"""The neutral tool model every spec reader produces.

A field is a JSON-Schema-like value description reduced to what the compiler uses;
a tool is a name, a description, its parameters and (when the spec says) its output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCALARS = ("string", "integer", "number", "boolean")


@dataclass
class Field:
    name: str
    type: str = "string"  # string | integer | number | boolean | array | object
    description: str = ""
    required: bool = False
    enum: list[Any] | None = None
    has_default: bool = False
    default: Any = None
    items: Field | None = None
    properties: list[Field] = field(default_factory=list)
    format: str = ""
    examples: list[Any] = field(default_factory=list)
    minimum: float | None = None
    maximum: float | None = None
    # A number's bound the value may not equal (exclusiveMinimum 0: more than 0); an integer's
    # exclusive bound is read as the next integer instead.
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    pattern: str = ""  # a regular expression the value must match (read, never compiled, here)
    nullable: bool = False

    @property
    def scalar(self) -> bool:
        return self.type in SCALARS

    def prop(self, name: str) -> Field | None:
        return next((p for p in self.properties if p.name == name), None)


@dataclass
class ToolIn:
    """One tool as a spec describes it."""

    name: str
    description: str
    params: list[Field]
    output: Field | None
    source: str  # "file#/json/pointer" or "file:line"
    method: str = ""  # OpenAPI: get|post|put|patch|delete
    path: str = ""  # OpenAPI: /pets/{petId}


@dataclass
class SpecSet:
    """Everything read from the spec files of one compile."""

    tools: list[ToolIn] = field(default_factory=list)
    components: dict[str, Field] = field(default_factory=dict)  # OpenAPI schemas with properties
    titles: list[str] = field(default_factory=list)  # API titles/descriptions for the docstring
    formats: list[str] = field(default_factory=list)  # which reader each file went through
