"""`format`: the dialogue is a well-formed OpenAI chat exchange."""

from __future__ import annotations

from toolace_mt.record import AssistantMessage, SystemMessage, ToolMessage, UserMessage
from toolace_mt.verifier.dialogue import Dialogue, Failure


def check_format(dialogue: Dialogue) -> list[Failure]:
    failures: list[Failure] = []

    def fail(message: str, index: int | None) -> None:
        failures.append(Failure("format", message, index))

    messages = dialogue.messages
    if not messages:
        return [Failure("format", "the dialogue has no messages", None)]
    first = 1 if isinstance(messages[0], SystemMessage) else 0
    if first >= len(messages) or not isinstance(messages[first], UserMessage):
        fail("the dialogue must start with a user message (after an optional system message)", first)
    seen_ids: set[str] = set()
    pending: dict[str, int] = {}  # call id -> the assistant turn waiting for its answer
    for index, message in enumerate(messages):
        if isinstance(message, ToolMessage):
            if message.tool_call_id not in pending:
                where = "was already answered or " if message.tool_call_id in seen_ids else ""
                fail(f"tool message answers '{message.tool_call_id}', which {where}is no call of the assistant "
                     "turn just before it", index)
            pending.pop(message.tool_call_id, None)
            continue
        if pending:
            fail(f"call(s) {', '.join(sorted(pending))} of message {next(iter(pending.values()))} have no tool "
                 "message before the next turn", index)
            pending.clear()
        if isinstance(message, SystemMessage) and index > 0:
            fail("a system message may only come first", index)
        if isinstance(message, AssistantMessage):
            calls = message.tool_calls or []
            if not calls and not (message.content or "").strip():
                fail("assistant turn with neither text nor tool calls", index)
            for call in calls:
                if call.id in seen_ids:
                    fail(f"tool_call id '{call.id}' is used twice", index)
                seen_ids.add(call.id)
                pending[call.id] = index
    if pending:
        fail(f"call(s) {', '.join(sorted(pending))} are never answered by a tool message", len(messages) - 1)
    last = messages[-1]
    if not (isinstance(last, AssistantMessage) and not last.tool_calls and (last.content or "").strip()):
        fail(f"the dialogue must end with an assistant text turn, not {'an' if last.role == 'assistant' else 'a'} "
             f"{last.role} "
             f"{'turn with tool calls' if isinstance(last, AssistantMessage) else 'message'}", len(messages) - 1)
    return failures
