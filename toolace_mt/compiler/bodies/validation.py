"""Input checks every body starts with: a blank name, an empty list, a number out of the
range the schema or description states, a non-positive amount."""

from __future__ import annotations

import re

from toolace_mt.compiler.bodies.code import num, q
from toolace_mt.compiler.constraints import pattern_example
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
            found = bounds(spec)
            if found is not None:
                low, high = found
                lines.append(f"if {guard}not {num(low)} <= {name} <= {num(high)}:")
                text = q(f"the {label} must be between {num(low)} and {num(high)}, got ")[:-1]
                lines.append(f"    raise ToolError(f{text}{{{name}}}')")
            elif (set(words(spec.name)) & POSITIVE or param.role == "amount") and (spec.minimum or 0) <= 0 \
                    and spec.maximum is None:
                lines.append(f"if {guard}{name} <= 0:")
                lines.append(f"    raise ToolError(f{q(f'the {label} must be positive, got ')[:-1]}{{{name}}}')")
            elif spec.minimum is not None and spec.maximum is None:
                lines.append(f"if {guard}{name} < {num(spec.minimum)}:")
                lines.append(f"    raise ToolError(f{q(f'the {label} must be at least {num(spec.minimum)}, got ')[:-1]}"
                             f"{{{name}}}')")
            elif spec.maximum is not None and spec.minimum is None:
                lines.append(f"if {guard}{name} > {num(spec.maximum)}:")
                lines.append(f"    raise ToolError(f{q(f'the {label} must be at most {num(spec.maximum)}, got ')[:-1]}"
                             f"{{{name}}}')")
    return lines
