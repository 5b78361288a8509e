"""Tamper tests edit a fixture dialogue as turns and rebuild it, every call executed for real."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sandbox import Environment
from toolace_mt.dialogue_builder import DialogueBuilder
from toolace_mt.record import Op, Record, Task
from toolace_mt.verifier import Verifier

Turn = tuple[str, Any]  # ("user" | "assistant", text) or ("calls", [(name, arguments), ...])


def turns_of(record: Record) -> list[Turn]:
    turns: list[Turn] = []
    for message in record.messages:
        if message.role in ("user", "assistant") and not getattr(message, "tool_calls", None):
            turns.append((message.role, message.content))
        elif message.role == "assistant":
            turns.append(("calls", [(c.function.name, json.loads(c.function.arguments))
                                    for c in message.tool_calls or []]))
    return turns


def rebuild(verifier: Verifier, record: Record, change: Callable[[list[Turn]], None], *,
            env: Environment | None = None, ops: list[Op] | None = None, task: Task | None = None) -> Record:
    """`record`'s turns, edited by `change`, executed for real (outputs and expected from the env)."""
    turns = turns_of(record)
    change(turns)
    env = env or verifier.pool.fresh(record.env, record.seed)
    system = record.messages[0].content if record.messages[0].role == "system" else None
    builder = DialogueBuilder(env, system=system, tools=[t["function"]["name"] for t in record.tools])
    for kind, value in turns:
        if kind == "calls":
            builder.calls(*value)
        else:
            getattr(builder, kind)(value)
    return builder.record(record.id, task=task or record.task,
                          ops=list(record.provenance.ops) if ops is None else ops)
