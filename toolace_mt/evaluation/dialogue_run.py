"""Run an agent through a record's user turns on a fresh env and score every turn.

History (`--history`):
- `record` (default): each user turn starts from the record's own past: its messages up
  to that user message, and the env restored to the state the record had reached. Turns
  are scored independently, so one mistake counts once, on the turn that made it.
- `agent`: the agent's own replies and tool outputs are its history and its state
  carries over (a wrong write in turn 2 also fails the state of later turns).

In both, every call the agent makes runs for real on the env and its real output is
what the agent gets back; at most `max_steps` agent replies per user turn.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

from sandbox import Environment, SandboxError
from sandbox.errors import CallResult, failure
from toolace_mt.env_refs import EnvRefError
from toolace_mt.evaluation.abstention import ABSTENTION_OPS, abstention_problem
from toolace_mt.evaluation.agents import Agent, AgentFactory, AgentReply, AgentReplyError, AgentUnavailable
from toolace_mt.evaluation.call_match import Call, match_calls
from toolace_mt.evaluation.information import missing_facts, required_facts
from toolace_mt.evaluation.scores import (
    AbstentionScore,
    AgentCall,
    DialogueResult,
    ResponseScore,
    StateScore,
    TurnScore,
)
from toolace_mt.evaluation.state_text import describe_state_diff
from toolace_mt.evaluation.turns import RecordDoesNotReplay, RecordTurn, Reference, build_reference, message_dict
from toolace_mt.record import Record
from toolace_mt.strict_json import loads_strict
from toolace_mt.verifier.dialogue import listed_tool_name
from toolace_mt.verifier.env_pool import EnvPool

History = Literal["record", "agent"]


class EvalOptions(BaseModel):
    max_steps: int = Field(default=10, ge=1, description="agent replies per user turn")
    history: History = "record"


@dataclass
class TurnRun:
    """What the agent did in one user turn."""

    messages: list[dict[str, Any]] = field(default_factory=list)  # its replies and the tool outputs
    calls: list[AgentCall] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    steps: int = 0
    finished: bool = False  # ended with a reply without calls
    error: str | None = None


def _fresh_id(turn: int, used: set[Any]) -> str:
    """A call id no earlier call in the conversation has (agents may repeat or omit ids)."""
    index = len(used)
    while f"eval_{turn}_{index}" in used:
        index += 1
    return f"eval_{turn}_{index}"


def _execute(env: Environment, offered: set[str], name: str, arguments: str) -> tuple[Any, CallResult]:
    """Run one call of the agent; a tool not offered by the record is unknown to it."""
    try:
        args = loads_strict(arguments)  # NaN, repeated keys, deep nesting: not arguments
    except ValueError:
        args = None
    if name not in offered:
        return args, failure("UnknownTool", f"no tool '{name}' is available; tools: {', '.join(sorted(offered))}")
    if not isinstance(args, dict):
        return args, failure("InvalidArguments", f"arguments of {name} must be a JSON object, got {arguments[:80]!r}")
    return args, env.call(name, args)


def differing_tools(record: Record, env: Environment) -> str | None:
    """Why the record's `tools` are not the env's own schemas (a subset is fine), or None.
    The agent is offered the record's tools, so they must be the env's: a record's schemas
    are untrusted data."""
    env_tools = {t.name: t.openai() for t in env.tools}
    for position, listed in enumerate(record.tools):
        name = listed_tool_name(listed)
        if name is None or env_tools.get(name) != listed:
            return (f"the record's tools[{position}] is not the schema env {env.name} derives for "
                    f"{'it' if name is None else repr(name[:80])}: the record is no reference")
    return None


class DialogueEvaluator:
    """Evaluates records one at a time; keeps envs loaded between them (EnvPool)."""

    def __init__(self, options: EvalOptions | None = None, pool: EnvPool | None = None) -> None:
        self.options = options or EvalOptions()
        self.pool = pool or EnvPool()

    def evaluate(self, record: Record, factory: AgentFactory, path: str = "", line: int = 0,
                 trial: int = 0) -> DialogueResult:
        result = DialogueResult(id=record.id, env=record.env, path=path, line=line, trial=trial)
        try:
            env = self.pool.fresh(record.env, record.seed)
        except EnvRefError as exc:
            result.error = str(exc)
            return result
        except SandboxError as exc:
            result.error = f"env '{record.env}' cannot be loaded: {exc}"
            return result
        if env.digest != record.env_digest:
            result.error = (f"env digest mismatch: the record was made with env '{record.env}' sha256 "
                            f"{record.env_digest[:12]}…, the installed one is {env.digest[:12]}…")
            return result
        if (differing := differing_tools(record, env)) is not None:
            result.error = differing
            return result
        try:
            reference = build_reference(record, env)
        except RecordDoesNotReplay as exc:
            result.error = f"the record is no reference: {exc}"
            return result
        initial_hash = env.state_hash(reference.before[0])
        result.writes = any(h != initial_hash for h in reference.hashes)
        env.restore(reference.before[0])
        try:
            agent = factory(record)
        except AgentUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - user code: report it as this dialogue's error
            result.error = f"the agent could not be created: {type(exc).__name__}: {exc}"
            return result
        own: list[dict[str, Any]] = []
        for turn in reference.turns:
            if self.options.history == "record":
                env.restore(reference.before[turn.number])
                messages = [message_dict(m) for m in record.messages[: turn.user_index + 1]]
            else:
                start = 0 if turn.number == 0 else turn.user_index
                messages = own + [message_dict(m) for m in record.messages[start: turn.user_index + 1]]
            run = self._run_turn(env, record, agent, turn, messages)
            own = messages + run.messages
            result.turns.append(self._score(env, record, reference, turn, run))
        result.passed = all(t.passed for t in result.turns)
        return result

    def _run_turn(self, env: Environment, record: Record, agent: Agent, turn: RecordTurn,
                  history: list[dict[str, Any]]) -> TurnRun:
        run = TurnRun()
        used = {c.get("id") for m in history if m.get("role") == "assistant" for c in m.get("tool_calls") or []}
        offered = {name for t in record.tools if (name := listed_tool_name(t)) is not None}
        for _ in range(self.options.max_steps):
            try:
                raw = agent(copy.deepcopy(history + run.messages), copy.deepcopy(record.tools))
                reply = AgentReply.parse(raw)
            except AgentReplyError as exc:
                run.error = str(exc)
                return run
            except AgentUnavailable:
                raise
            except Exception as exc:  # noqa: BLE001 - the agent is user code or a model backend
                run.error = f"{type(exc).__name__}: {exc}"
                return run
            run.steps += 1
            message: dict[str, Any] = {"role": "assistant", "content": reply.content}
            if reply.content:
                run.texts.append(reply.content)
            if not reply.calls:
                run.messages.append(message)
                run.finished = True
                return run
            calls = []
            for call in reply.calls:
                call_id = call.id if call.id and call.id not in used else _fresh_id(turn.number, used)
                used.add(call_id)
                calls.append((call_id, call.function.name, call.arguments_text()))
            message["tool_calls"] = [{"id": i, "type": "function", "function": {"name": n, "arguments": a}}
                                     for i, n, a in calls]
            run.messages.append(message)
            for call_id, name, arguments in calls:
                args, outcome = _execute(env, offered, name, arguments)
                run.calls.append(AgentCall(name=name, arguments=args, ok=outcome.ok))
                run.messages.append({"role": "tool", "tool_call_id": call_id, "content": outcome.content()})
        return run

    def _score(self, env: Environment, record: Record, reference: Reference, turn: RecordTurn,
               run: TurnRun) -> TurnScore:
        if env.state_hash() == reference.hashes[turn.number]:
            state = StateScore(passed=True)
        else:
            keys = {name: list(table.primary_key) for name, table in env.tables.items()}
            state = StateScore(passed=False, diff=describe_state_diff(env.diff(reference.after[turn.number]), keys))
        required = required_facts(record, turn.user_index, turn.end)
        missing = missing_facts(required, "\n".join(run.texts))
        problem = None
        if run.error is None and not run.finished:
            problem = f"no reply without calls within {self.options.max_steps} steps"
        response = ResponseScore(passed=problem is None and run.error is None and not missing,
                                 required=[str(f) for f in required], missing=[str(f) for f in missing],
                                 problem=problem)
        agent_calls: list[Call] = [(c.name, c.arguments if isinstance(c.arguments, dict) else None)
                                   for c in run.calls]
        applies = any(op.type in ABSTENTION_OPS for op in turn.ops)
        refusal = abstention_problem(turn, agent_calls, run.finished) if applies else None
        abstention = AbstentionScore(applies=applies, passed=refusal is None, problem=refusal)
        counts = match_calls(agent_calls, [(c.name, c.arguments) for c in turn.calls])
        return TurnScore(
            turn=turn.number, message_index=turn.user_index, ops=turn.op_types(),
            passed=state.passed and response.passed and abstention.passed and run.error is None,
            state=state, response=response, abstention=abstention, calls=counts, steps=run.steps,
            agent_calls=run.calls, agent_text="\n\n".join(run.texts), error=run.error)

    def close(self) -> None:
        self.pool.close()

    def __enter__(self) -> DialogueEvaluator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
