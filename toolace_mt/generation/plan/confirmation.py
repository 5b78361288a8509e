"""Which writes the assistant confirms with the user first (the env's confirmation policy),
and which inputs are the assistant's own (internal tools).

An env module declares it on its tools (`@tool(writes=True, confirm=True)`, read as
`ToolSpec.confirm`). An env that declares nothing gets every write confirmed: asking
before a change is never wrong, acting without asking can be.
"""

from __future__ import annotations

import random
import re
from typing import Any

from sandbox import ToolSpec

_INTERNAL_TOOLS = re.compile(r"^(?:calculate|calculator|compute|think|reason|reflect|evaluate|scratchpad)$")
_INTERNAL_PARAMS = frozenset({"expression", "thought", "formula", "scratchpad"})


def internal_params(tool: ToolSpec) -> set[str]:
    """The inputs of an internal tool (a calculator, a scratchpad) the assistant works out
    itself: the user never dictates them."""
    properties = set(tool.parameters.get("properties", {}))
    if _INTERNAL_TOOLS.match(tool.name.casefold()) or properties & _INTERNAL_PARAMS:
        return {p for p in properties if p.casefold() in _INTERNAL_PARAMS} or set(properties)
    return set()


def needs_confirmation(tool: ToolSpec) -> bool:
    declared = getattr(tool, "confirm", None)
    if isinstance(declared, bool):
        return declared and tool.writes
    return tool.writes


def stated_defaults(tool: ToolSpec, arguments: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """The arguments with every optional choice the tool offers (an enum: a cancel reason,
    a refund method, a cabin) given a value, so that a default that matters is said, never
    left silent: first a choice at random, then the schema's defaults said out loud."""
    chosen, defaulted = dict(arguments), dict(arguments)
    for param, schema in sorted(tool.parameters.get("properties", {}).items()):
        if param not in arguments and isinstance(schema, dict) and isinstance(schema.get("enum"), list) \
                and schema["enum"]:
            chosen[param] = rng.choice(schema["enum"])
            defaulted[param] = schema["default"] if schema.get("default") in schema["enum"] else chosen[param]
    return [chosen, defaulted]
