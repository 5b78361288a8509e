"""Validation by execution: every tool is called on the seeded env (and on states writes
reach) with arguments drawn from the seeded rows, then with arguments meant to fail.

A tool passes when some call succeeds; a domain error (ToolError) is expected too; any
crash (ToolCrash, SandboxViolation, ToolTimeout, ResourceLimit) on a valid call fails it.
Each successful write must change something a read tool shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.environment import Environment, load_env
from sandbox.errors import CallResult, SandboxError
from sandbox.limits import Limits
from toolace_mt.compiler.plan import EnvPlan, ToolPlan
from toolace_mt.compiler.probe_args import ProbeArguments
from toolace_mt.compiler.probe_visibility import Visibility, read_coverage, written_columns

BROKEN = {"ToolCrash", "SandboxViolation", "ToolTimeout", "ResourceLimit"}
MAX_CALLS_PER_TOOL = 40
MAX_STATES = 8
LOCKED_TRIES = 3  # the same refusal this often in a row for a login-gated tool: the state, not the arguments
SEED_STATE = "the seeded state"


@dataclass
class Outcome:
    args: dict[str, Any]
    state: str
    detail: str = ""


@dataclass
class ToolProbe:
    tool: str
    kind: str
    writes: bool
    confident: bool
    takes_arguments: bool
    success: Outcome | None = None
    domain_error: Outcome | None = None
    crashes: list[str] = field(default_factory=list)
    visible_through: str | None = None
    calls: int = 0
    constrained: bool = False  # every argument an enum or boolean: the schema refuses bad ones
    needs_domain_error: bool = True  # False when every argument is optional (a filter)
    unobservable: bool = False  # no read tool of the spec shows any column it changes
    def problems(self) -> list[str]:
        found = [f"crashed: {c}" for c in self.crashes[:3]]
        if self.success is None:
            found.append("no successful call from the seeded state or a state a write reaches")
        if self.domain_error is None and self.takes_arguments and not self.constrained and self.needs_domain_error:
            found.append("no domain error reached")
        if self.writes and self.success is not None and self.visible_through is None and not self.unobservable:
            found.append("its effect is not visible through any read tool")
        return found

    def unreached(self) -> list[str]:
        notes = []
        if self.domain_error is None and not self.takes_arguments:
            notes.append("no domain error: takes no arguments and always succeeds")
        if self.writes and self.visible_through is None and self.unobservable:
            notes.append("its effect is not visible: no read tool in the spec shows what it changes")
        if self.domain_error is None and self.takes_arguments and not self.needs_domain_error:
            notes.append("no domain error: every argument is optional and any combination is valid")
        elif self.domain_error is None and self.takes_arguments and self.constrained:
            notes.append("no domain error: its schema (enums, booleans) already rules out every bad argument")
        return notes


class Prober:
    """Calls every tool from the seeded state and the states its writes reach."""

    def __init__(self, env: Environment, plan: EnvPlan, names: dict[str, str] | None = None) -> None:
        self.env = env
        self.plan = plan
        self.tools = {p.ident: p for p in plan.tools}
        self.arguments = ProbeArguments(env, plan, names)

    # ------------------------------------------------------------------ calls

    def _try(self, probe: ToolProbe, plan: ToolPlan, args: dict[str, Any], state: str) -> CallResult:
        probe.calls += 1
        result = self.env.peek(plan.ident, args)
        if result.ok:
            if probe.success is None:
                probe.success = Outcome(args, state, json.dumps(result.result, default=str)[:200])
        elif result.error is not None:
            if result.error.type == "ToolError" and probe.domain_error is None:
                probe.domain_error = Outcome(args, state, result.error.message[:200])
            elif result.error.type in BROKEN:
                probe.crashes.append(f"{result.error.type}: {result.error.message[:200]} (args {args})")
        return result

    def probe_tool(self, probe: ToolProbe, plan: ToolPlan, state: str) -> None:
        goods = self.arguments.good_args(plan)
        refusals: list[str] = []
        for args in goods:
            if probe.calls >= MAX_CALLS_PER_TOOL or probe.success is not None:
                break
            result = self._try(probe, plan, args, state)
            refusals.append(result.error.message if result.error is not None else "")
            if plan.needs_login and len(refusals) >= LOCKED_TRIES and len(set(refusals[-LOCKED_TRIES:])) == 1:
                break  # "log in first" whatever the arguments: the state refuses, keep the calls for the next
        if probe.domain_error is None:
            candidates = goods[1:] + self.arguments.bad_args(plan, goods[0] if goods else {})
            for args in candidates:
                if probe.calls >= MAX_CALLS_PER_TOOL or probe.domain_error is not None:
                    break
                self._try(probe, plan, args, state)

    def run(self) -> list[ToolProbe]:
        probes = {p.ident: ToolProbe(p.ident, p.kind, p.writes, p.confident, bool(p.params),
                                     constrained=bool(p.params) and all(x.spec.enum or x.spec.type == "boolean"
                                                                        for x in p.params),
                                     needs_domain_error=p.writes or any(x.spec.required for x in p.params))
                  for p in self.plan.tools}
        seen = read_coverage(self.plan)
        for plan in self.plan.tools:
            touched = written_columns(self.plan, plan)
            probes[plan.ident].unobservable = plan.writes and not any(
                (table, col) in seen or (table, "*") in seen for table, col in touched)
        seeded = self.env.snapshot()
        for plan in self.plan.tools:
            self.probe_tool(probes[plan.ident], plan, SEED_STATE)
        states = []
        for plan in self.plan.tools:  # states the writes reach
            probe = probes[plan.ident]
            if plan.writes and probe.success is not None and len(states) < MAX_STATES:
                self.env.restore(seeded)
                if self.env.call(plan.ident, probe.success.args).ok:
                    states.append((f"after {plan.ident}", self.env.snapshot()))
        for label, snap in states:
            for plan in self.plan.tools:
                probe = probes[plan.ident]
                if probe.success is None or (probe.domain_error is None and probe.takes_arguments) or \
                        (probe.domain_error is None and plan.needs_login):
                    self.env.restore(snap)
                    self.probe_tool(probe, plan, label)
        Visibility(self.env, self.plan, self.arguments).mark(probes, seeded, states, SEED_STATE)
        self.env.restore(seeded)
        return list(probes.values())


def probe_module(path: Path, plan: EnvPlan, seed: int = 0, names: dict[str, str] | None = None) -> list[ToolProbe]:
    """Load the module in the sandbox and probe every tool. SandboxError if it does not load."""
    with load_env(path, seed=seed, limits=Limits(timeout_s=5.0)) as env:
        return Prober(env, plan, names).run()


__all__ = ["BROKEN", "SandboxError", "ToolProbe", "probe_module"]
