"""Input checks every body starts with: a blank name, an empty list, a number out of the
range the schema or description states, a non-positive amount."""

from __future__ import annotations

import re

from toolace_mt.compiler.bodies.code import num, q
from toolace_mt.compiler.constraints import bound_words, pattern_example
from toolace_mt.compiler.date_pairs import date_pairs
from toolace_mt.compiler.names import human, singular, words
from toolace_mt.compiler.plan import ToolPlan
from toolace_mt.compiler.spec_model import Field

RANGE = re.compile(r"(?:from|between)\s+(-?\d+(?:\.\d+)?)\s+(?:to|and)\s+(-?\d+(?:\.\d+)?)", re.IGNORECASE)
POSITIVE = {"amount", "quantity", "qty", "price", "cost", "total", "sum", "distance", "units", "count", "volume",
            "gallon", "liter", "weight"}


def bounds(spec: Field) -> tuple[float, float] | None:
    if spec.minimum is not None and spec.maximum is not None:
        return spec.minimum, spec.maximum
    match = RANGE.search(spec.description)
    if match:
        low, high = float(match.group(1)), float(match.group(2))
        if low < high:
            return low, high
    return None


def _number_check(spec: Field, value: str, guard: str, label: str, positive: bool = False) -> list[str]:
    """The range check of one number: its stated bounds, else positive for an amount."""
    found = bounds(spec)
    if found is not None and not spec.exclusive_minimum and not spec.exclusive_maximum:
        low, high = found
        text = q(f"the {label} must be between {num(low)} and {num(high)}, got ")[:-1]
        return [f"if {guard}not {num(low)} <= {value} <= {num(high)}:",
                f"    raise ToolError(f{text}{{{value}}}')"]
    if found is None and (set(words(spec.name)) & POSITIVE or positive) and (spec.minimum or 0) <= 0 \
            and spec.maximum is None:
        return [f"if {guard}{value} <= 0:",
                f"    raise ToolError(f{q(f'the {label} must be positive, got ')[:-1]}{{{value}}}')"]
    tests = ([f"{value} {'<=' if spec.exclusive_minimum else '<'} {num(spec.minimum)}"] if spec.minimum is not None
             else []) + ([f"{value} {'>=' if spec.exclusive_maximum else '>'} {num(spec.maximum)}"]
                         if spec.maximum is not None else [])
    if not tests:
        return []
    text = q(f"the {label} must be {bound_words(spec)}, got ")[:-1]
    test = tests[0] if len(tests) == 1 else f"({' or '.join(tests)})"
    return [f"if {guard}{test}:", f"    raise ToolError(f{text}{{{value}}}')"]


def _nested_checks(spec: Field, name: str, guard: str, label: str) -> list[str]:
    """Range checks of an object's numeric properties (weight.value): each when it is a number."""
    lines: list[str] = []
    for prop in spec.properties:
        bounded = bounds(prop) is not None or prop.minimum is not None or prop.maximum is not None
        if prop.type not in ("integer", "number") or not bounded:
            continue
        lines.append(f"given = {name}.get({q(prop.name)}) if isinstance({name}, dict) else None")
        lines += _number_check(prop, "given", "isinstance(given, (int, float)) and ", f"{label} {human(prop.name)}")
    return lines


def validations(plan: ToolPlan) -> list[str]:
    lines: list[str] = []
    strings = {p.spec.name: p for p in plan.params if p.spec.type == "string"}
    for start, end in date_pairs(list(strings)):  # checkIn / checkOut: the end not before the start
        first, last = strings[start], strings[end]
        lines += [f"if {first.ident} and {last.ident} and {last.ident} < {first.ident}:",
                  f"    raise ToolError(f{q(f'the {human(end)} ')[:-1]}{{{last.ident}}} is before the "
                  f"{human(start)} {{{first.ident}}}')"]
    for param in plan.params:
        spec, name = param.spec, param.ident
        guard = f"{name} is not None and " if not spec.required else ""
        label = human(spec.name)
        if spec.type == "string" and not spec.enum and param.role not in ("secret",):
            if spec.required:
                lines.append(f"if not {name}.strip():")
                lines.append(f"    raise ToolError({q(f'the {label} cannot be empty')})")
            example = pattern_example(spec.pattern)
            if example is not None and param.role not in ("key", "keys", "query"):
                lines.append(f"if {guard}not re.fullmatch({q(spec.pattern)}, {name}):")
                said = f"the {label} must look like {example} (pattern {spec.pattern})"
                lines.append(f"    raise ToolError({q(said)})")
        elif spec.type == "array" and spec.required:
            lines.append(f"if not {name}:")
            one = " ".join([*label.split(" ")[:-1], singular(label.split(" ")[-1])])
            lines.append(f"    raise ToolError({q(f'give at least one {one}')})")
        elif spec.type in ("integer", "number") and param.role not in ("key", "keys"):
            lines += _number_check(spec, name, guard, label, positive=param.role == "amount")
        elif spec.type == "object" and spec.properties:
            lines += _nested_checks(spec, name, guard, label)
        elif spec.type == "array" and spec.items is not None and spec.items.type == "object":
            inner = _nested_checks(spec.items, "item", "", singular(label.split(" ")[-1]))
            if inner:
                lines += [f"for item in {name} or []:", "    if not isinstance(item, dict):", "        continue",
                          *[f"    {line}" for line in inner]]
    return lines
