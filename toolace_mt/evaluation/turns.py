"""A record cut into user turns, and the state the record reaches after each of them.

A user turn is a user message and every assistant and tool message up to the next user
message. The reference states come from replaying the record's own calls on the env, so
an agent's state after turn k can be compared with the record's after turn k (and, when
they differ, diffed row by row inside the same env).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sandbox import Environment, Snapshot
from toolace_mt.record import AssistantMessage, Op, Record, UserMessage
from toolace_mt.verifier.dialogue import CallSite, Dialogue
from toolace_mt.verifier.state_compare import same_json


@dataclass
class RecordTurn:
    """One user turn of the record: where it is, what the record's assistant did in it."""

    number: int  # 0-based
    user_index: int  # the user message
    end: int  # one past the turn's last message
    calls: list[CallSite]  # the record's calls in this turn, in order
    assistant_indices: list[int]
    ops: list[Op] = field(default_factory=list)

    def op_types(self) -> list[str]:
        return sorted({op.type for op in self.ops})


class RecordDoesNotReplay(Exception):
    """The record's own calls give other outputs on this env: it is no reference."""


def message_dict(message: Any) -> dict[str, Any]:
    """A record message as the OpenAI chat dict an agent receives."""
    data = message.model_dump(mode="json", exclude_none=True)
    if data["role"] == "assistant":
        data.setdefault("content", None)
    return data


def split_turns(record: Record) -> list[RecordTurn]:
    dialogue = Dialogue(record)
    users = [i for i, m in enumerate(record.messages) if isinstance(m, UserMessage)]
    turns = []
    for number, start in enumerate(users):
        end = users[number + 1] if number + 1 < len(users) else len(record.messages)
        turns.append(RecordTurn(
            number=number, user_index=start, end=end,
            calls=[c for c in dialogue.calls if start < c.message_index < end],
            assistant_indices=[i for i in range(start, end) if isinstance(record.messages[i], AssistantMessage)],
            ops=[op for op in record.provenance.ops if start < op.message_index < end]))
    return turns


def turn_of(turns: list[RecordTurn], message_index: int) -> RecordTurn | None:
    return next((t for t in turns if t.user_index <= message_index < t.end), None)


@dataclass
class Reference:
    """The record's turns and its state before and after each (snapshots of one env)."""

    turns: list[RecordTurn]
    before: list[Snapshot]
    after: list[Snapshot]
    hashes: list[str]  # state hash after each turn


def build_reference(record: Record, env: Environment) -> Reference:
    """Replays the record's calls on `env` (at its initial state) turn by turn.
    Raises RecordDoesNotReplay when a recorded output differs from the real one."""
    turns = split_turns(record)
    if not turns:
        raise RecordDoesNotReplay("the record has no user message")
    before: list[Snapshot] = []
    after: list[Snapshot] = []
    hashes: list[str] = []
    for turn in turns:
        before.append(env.snapshot())
        for site in turn.calls:
            if site.arguments is None:
                raise RecordDoesNotReplay(f"call {site.call.id} {site.name} has arguments that are not a JSON object")
            real = env.call(site.name, site.arguments).content()
            if site.output_text is not None and not same_json(site.output, json.loads(real)):
                raise RecordDoesNotReplay(f"call {site.call.id} {site.name} (message {site.message_index}) gives "
                                          f"another output than recorded; run `toolace-mt verify` on the file")
        after.append(env.snapshot())
        hashes.append(env.state_hash())
    return Reference(turns, before, after, hashes)
