"""A record's calls laid out for the checks: which turn made each call, where its
output is, whether it succeeded. Built once per record, tolerant of malformed records
(the format check reports those; the others work on what is there)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from toolace_mt.record import AssistantMessage, Failure, Record, ToolCall, ToolMessage
from toolace_mt.strict_json import loads_strict

__all__ = ["CHECK_IDS", "CORE_CHECK_IDS", "DEFAULT_CHECKS", "TRAJECTORY_CHECK_IDS", "CallSite", "Dialogue",
           "Failure", "listed_tool_name"]

# The trajectory checks (toolace_mt/verifier/trajectory.py): what a trainer cares about.
TRAJECTORY_CHECK_IDS = ("necessity", "disambiguation", "confirmation", "answer", "reply_style", "persona",
                        "plan_sense", "user_language", "small_talk", "program_text", "ownership",
                        "write_outcome", "money_told")
CORE_CHECK_IDS = ("format", "schema", "replay", "state", "grounding", "consistency", "behaviour", "judge")
CHECK_IDS = (*CORE_CHECK_IDS, *TRAJECTORY_CHECK_IDS)
# What `Verifier()`, `verify` and generate's gate run: every check, so a dialogue that
# teaches padding, guessing or unconfirmed writes is not accepted (issue 16).
DEFAULT_CHECKS = CHECK_IDS


def listed_tool_name(listed: Any) -> str | None:
    """The name of one entry of a record's `tools` (untrusted data: any shape), or None."""
    function = listed.get("function") if isinstance(listed, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    return name if isinstance(name, str) else None


@dataclass
class CallSite:
    message_index: int  # the assistant turn
    call: ToolCall
    arguments: dict[str, Any] | None  # None: not a JSON object
    output_index: int | None = None  # the tool message answering it
    output_text: str | None = None

    @property
    def name(self) -> str:
        return self.call.function.name

    @cached_property
    def output(self) -> Any:
        """Parsed once (the checks read it many times); set output_text before the first read."""
        if self.output_text is None:
            return None
        try:
            return loads_strict(self.output_text)
        except ValueError:  # free text, or JSON a record must not hold: compared as text
            return self.output_text

    @property
    def failed(self) -> bool:
        """The recorded output is an error object (what CallResult.content() writes on failure)."""
        out = self.output
        return isinstance(out, dict) and set(out) == {"error"} and isinstance(out["error"], dict)


class Dialogue:
    def __init__(self, record: Record) -> None:
        self.record = record
        self.messages = record.messages
        self.calls: list[CallSite] = []
        # A tool message answers the first unanswered call with its id, so a reused id (a
        # format failure) does not also lose the second call's output for the other checks.
        by_id: dict[str, list[CallSite]] = {}
        for index, message in enumerate(self.messages):
            if isinstance(message, AssistantMessage):
                for call in message.tool_calls or []:
                    site = CallSite(index, call, call.parsed_arguments())
                    self.calls.append(site)
                    by_id.setdefault(call.id, []).append(site)
            elif isinstance(message, ToolMessage):
                site = next((s for s in by_id.get(message.tool_call_id, []) if s.output_index is None), None)
                if site is not None:
                    site.output_index = index
                    site.output_text = message.content
        self.tools = {name: t for t in record.tools if (name := listed_tool_name(t)) is not None}

    def use_env_schemas(self, env_tools: dict[str, dict[str, Any]]) -> None:
        """The listed tools keep their names; their schemas become the env's (a name the
        env lacks gets none)."""
        self.tools = {name: env_tools.get(name, {}) for name in self.tools}

    def calls_at(self, message_index: int) -> list[CallSite]:
        return [c for c in self.calls if c.message_index == message_index]

    def text(self, index: int) -> str:
        content = getattr(self.messages[index], "content", None)
        return content if isinstance(content, str) else ""
