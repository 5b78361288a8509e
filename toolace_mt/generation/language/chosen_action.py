"""A write whose action is the value of one of its arguments: `decide_expense_report(
decision="approve")` approves the report, `process_refund(action="deny")` denies it. Its
request, confirmation and reply say that verb ("I'll approve expense report ER-5040",
"I've approved report ER-5040"), never "decide ... with the decision approve"."""

from __future__ import annotations

from typing import Any

from sandbox import ToolSpec
from toolace_mt.generation.language.task_phrases import snake
from toolace_mt.generation.language.verb_forms import WRITE_VERBS

# Tool verbs that only say a choice is made; the choice's value is the action.
_CHOOSING = frozenset({"decide", "review", "process", "handle", "act", "action", "moderate", "judge", "rule",
                       "adjudicate", "triage", "resolve", "respond"})


def chosen_verb(tool: ToolSpec, arguments: dict[str, Any]) -> tuple[str, str] | None:
    """(parameter, verb) when the tool's verb only says a choice is made and an argument
    picks the action from an enum of verbs (decision: approve | return); else None."""
    if snake(tool.name).split("_")[0] not in _CHOOSING:
        return None
    properties = tool.parameters.get("properties", {})
    for param, value in arguments.items():
        schema = properties.get(param)
        options = schema.get("enum") if isinstance(schema, dict) else None
        if isinstance(value, str) and isinstance(options, list) and len(options) >= 2 and value in options \
                and all(isinstance(o, str) and o in WRITE_VERBS for o in options):
            return param, value
    return None


def acted_name(tool: str, verb: str) -> str:
    """The tool's name with the chosen verb for its own: ("decide_expense_report",
    "approve") -> "approve_expense_report", so names' wording rules read it."""
    return "_".join([verb, *snake(tool).split("_")[1:]])
