"""State preconditions found by execution: which write enables a tool.

The dependency graph links tools by names (an output field feeding a parameter); a
state precondition has no name to link by: `create_ticket` fails until someone logs
in, `checkout` until the cart holds something. So they are found the way a tester
finds them, at start-up, by trials (peeks, nothing is committed to the dialogue):

1. every tool is tried a few times on the seeded state;
2. for each write that succeeded there, its call is made, and each tool that never
   succeeded is tried again: one that now succeeds is *enabled by* that write (and
   chains of two writes are tried for what is still failing);
3. a write that, made after the enabler, brings back the tool's seeded-state error
   *disables* it (`logout` after `ticket_login`);
4. a tool still failing may wait on a balance another write brings to zero, with the
   exact amounts a read shows (settle every debt, then leave the group: see
   exact_amounts); that write is its enabler, made *exactly* (`exact`).

Planning uses the edges (`arrange`): a sub-task whose tool needs an enabler gets one
before it, unless an enabler is already in effect. The learning is bounded
(`MAX_TRIALS` trial calls per env) and done once per workbench (once per env and seed
in a process). Tools still never called successfully keep their last error, for the
unreachable-tools report.
"""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox import CallResult, Environment, Snapshot, ToolSpec
from toolace_mt.generation.plan import exact_amounts
from toolace_mt.generation.plan.catalog import Catalog, link, output_fields, records_of
from toolace_mt.generation.plan.values import Choice

if TYPE_CHECKING:  # backend imports the workbench, which imports this module
    from toolace_mt.generation.backends.interface import SubTaskPlan

TRIES_PER_TOOL = 6  # proposals tried per tool on one state
MAX_TRIALS = 600  # trial calls per env at start-up, all states together
MAX_DEPTH = 2  # enabling writes made in a row before giving up on a tool
OWNED_TRIES = 8  # records tried per tool with the enabler made as their owner (see _learn_owned)
EXACT_TRIES = 12  # records tried per tool with a write of exact amounts first (see _learn_exact)

Proposer = Callable[[ToolSpec, random.Random, dict[str, Any] | None], Choice]


@dataclass
class Outcome:
    """What trials of one tool showed: a successful call (on which path), or why none."""

    ok_arguments: dict[str, Any] | None = None
    path: tuple[str, ...] = ()  # the writes made before it succeeded (empty: the seeded state)
    last_error: str | None = None
    # The arguments of the path's writes when made for this tool's own record (exact
    # amounts: see exact_amounts); empty: each write's own successful arguments.
    made: tuple[dict[str, Any], ...] = ()


@dataclass
class Preconditions:
    enabled_by: dict[str, list[str]] = field(default_factory=dict)  # tool -> writes that enable it
    disabled_by: dict[str, list[str]] = field(default_factory=dict)  # tool -> writes that undo that
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    trials: int = 0
    # The state each enabler's call leads to, from the seeded state (for screening there).
    states: dict[str, Snapshot] = field(default_factory=dict)
    # tool -> the write that enables it when made with exact amounts a read shows (see
    # exact_amounts): made for the tool's own record, not for anyone's.
    exact: dict[str, str] = field(default_factory=dict)

    def reached(self, tool: str) -> bool:
        outcome = self.outcomes.get(tool)
        return outcome is not None and outcome.ok_arguments is not None

    def reason(self, tool: str) -> str | None:
        """Why `tool` was never called successfully (None when it was)."""
        if self.reached(tool):
            return None
        outcome = self.outcomes.get(tool)
        return (outcome.last_error if outcome and outcome.last_error else "no trial call could be made")

    def path(self, tool: str) -> tuple[str, ...]:
        outcome = self.outcomes.get(tool)
        return outcome.path if outcome is not None else ()

    def arrange(self, plans: list[SubTaskPlan]) -> list[SubTaskPlan]:
        """The plan with each needed enabler put before the sub-task that needs it (one
        step: the enabling write itself; an exact one up to MAX_SETTLES times, one per
        debt), unless one is in effect (made earlier and not undone by a disabling write
        since); a sub-task that is itself an enabler in effect (log in again while logged
        in) is left out.

        A dialogue is one person's session: it logs in once. So a disabling write (log
        out) comes last, once: made mid-dialogue, the next sub-task that needs the login
        would log in again, and a second sign-in is a second identity to a trainer. Each
        plan names the tools of the ones after it (`then`)."""
        if not self.enabled_by:
            return _with_later(plans)
        undoers = {write for writes in self.disabled_by.values() for write in writes}
        deferred: list[SubTaskPlan] = []
        for plan in plans:
            if plan.target in undoers and all(p.target != plan.target for p in deferred):
                deferred.append(plan)
        arranged: list[SubTaskPlan] = []
        active: set[str] = set()
        for plan in [p for p in plans if p.target not in undoers] + deferred:
            if plan.target in active:  # a second log-in while logged in: one dialogue is one user's
                continue
            for needed in self._needs(plan.target):
                if needed not in active:
                    # A write of exact amounts may be needed once per debt: room for each,
                    # the ones not needed are left out when drafted (see target_choice).
                    copies = exact_amounts.MAX_SETTLES if self.exact.get(plan.target) == needed else 1
                    arranged += [dataclasses.replace(plan, target=needed, steps=1, ahead=copies - 1 - i,
                                                     again=i > 0) for i in range(copies)]
                    self._made(needed, active)
            arranged.append(plan)
            self._made(plan.target, active)
        return _with_later(arranged)

    def enter(self, env: Environment, tool: str) -> bool:
        """Put `env` in the state where `tool` first succeeded: the seeded state, then the
        writes of its path. False (env at the seeded state) when it never succeeded."""
        env.reset()
        if not self.reached(tool):
            return False
        made = self.outcomes[tool].made
        calls = list(made) if made else [self.outcomes[name].ok_arguments for name in self.path(tool)]
        names = [self.path(tool)[0]] * len(made) if made else list(self.path(tool))
        for name, arguments in zip(names, calls, strict=True):
            if arguments is None or not env.call(name, arguments).ok:
                env.reset()
                return False
        return True

    def enter_as(self, env: Environment, tool: str, context: dict[str, Any], propose: Proposer,
                 rng: random.Random, tools: dict[str, ToolSpec]) -> bool:
        """Like `enter`, with the writes of the path made with `context`'s values where they
        succeed (signed in as the owner of the record about to be tried), else as learned."""
        env.reset()
        if not self.reached(tool):
            return False
        for name in self.path(tool):
            made = propose(tools[name], rng, context).arguments
            if not env.call(name, made).ok:
                arguments = self.outcomes[name].ok_arguments
                if arguments is None or not env.call(name, arguments).ok:
                    env.reset()
                    return False
        return True

    def observe(self, env: Environment, catalog: Catalog) -> None:
        """The outputs of the read tools that only succeed after a write, added to the
        catalog (the seeded-state probes saw none), and the graph linked again."""
        added = False
        for tool in sorted(self.enabled_by):
            spec = catalog.tools[tool]
            arguments = self.outcomes[tool].ok_arguments
            if spec.writes or arguments is None or not self.enter(env, tool):
                continue
            result = env.call(tool, arguments)
            if result.ok:
                output_fields(result.result, catalog.outputs.setdefault(tool, {}), records_of(catalog, tool))
                catalog.probes_ok[tool] = catalog.probes_ok.get(tool, 0) + 1
                added = True
        env.reset()
        if added:
            link(catalog)

    def _needs(self, tool: str) -> list[str]:
        """The writes to make first, in order: the path its first success took."""
        return list(self.path(tool)) if tool in self.enabled_by else []

    def _made(self, write: str, active: set[str]) -> None:
        for tool, undoers in self.disabled_by.items():
            if write in undoers:
                active.difference_update(self.enabled_by.get(tool, []))
        if any(write in writes for writes in self.enabled_by.values()):
            active.add(write)


def _with_later(plans: list[SubTaskPlan]) -> list[SubTaskPlan]:
    """Each plan with the tools of the sub-tasks after it (`then`): the person a first
    sub-task finds, or a log-in signs in, is one they can act for (see segment_drafter)."""
    return [dataclasses.replace(plan, then=tuple(dict.fromkeys(p.target for p in plans[i + 1:]
                                                              if p.target != plan.target)))
            for i, plan in enumerate(plans)]


def _names_a_value(error: str, arguments: dict[str, Any]) -> bool:
    """Whether an error message states one of the call's argument values (at any depth)."""
    values: list[Any] = list(arguments.values())
    while values:
        value = values.pop()
        if isinstance(value, dict):
            values.extend(value.values())
        elif isinstance(value, list):
            values.extend(value)
        elif value is not None and not isinstance(value, bool) and str(value).strip():
            if re.search(rf"(?<![\w.]){re.escape(str(value))}(?![\w])", error, re.I):
                return True
    return False


def _error_text(result: CallResult) -> str:
    return f"{result.error.type}: {result.error.message}" if result.error is not None else "failed"


def learn(env: Environment, tools: list[ToolSpec], propose: Proposer, rng: random.Random) -> Preconditions:
    """Find the enabled-by and disabled-by edges of `env` by trials from its current
    (seeded) state, which is restored afterwards."""
    found = Preconditions()
    start = env.snapshot()
    by_name = {t.name: t for t in tools}

    def attempt(tool: ToolSpec, context: dict[str, Any] | None, path: tuple[str, ...],
                errors: set[str] | None = None) -> Choice | None:
        outcome = found.outcomes.setdefault(tool.name, Outcome())
        for _ in range(TRIES_PER_TOOL):
            if found.trials >= MAX_TRIALS:
                return None
            choice = propose(tool, rng, context)
            missing = [p for p in tool.parameters.get("required", []) if choice.arguments.get(p) is None]
            if missing:
                outcome.last_error = f"no value for parameter {missing[0]}"
                continue
            found.trials += 1
            result = env.peek(tool.name, choice.arguments)
            if result.ok:
                outcome.ok_arguments, outcome.path, outcome.last_error = dict(choice.arguments), path, None
                return choice
            outcome.last_error = _error_text(result)
            if errors is not None and not _names_a_value(outcome.last_error, choice.arguments):
                errors.add(outcome.last_error)  # about the state, not about the entity named
        return None

    seeded_errors: dict[str, str] = {}
    enablers: list[tuple[tuple[str, ...], Choice]] = []  # (path made so far, the write's successful choice)
    for tool in tools:
        errors: set[str] = set()
        choice = attempt(tool, None, (), errors)
        # Only a tool that failed for a reason that names none of its values ("no user is
        # logged in", not "card C1 is cancelled") waits on the state.
        if choice is None and errors:
            seeded_errors[tool.name] = found.outcomes[tool.name].last_error or ""
        elif choice is not None and tool.writes:
            enablers.append(((tool.name,), choice))
    frontier = enablers
    for _ in range(MAX_DEPTH):
        failing = [t for t in tools if not found.reached(t.name) and t.name in seeded_errors]
        if not failing or not frontier:
            break
        next_frontier: list[tuple[tuple[str, ...], Choice]] = []
        for path, choice in frontier:
            state = _reach(env, start, path, found, by_name, rng, propose, choice)
            if state is None:
                continue
            if len(path) == 1:
                found.states.setdefault(path[0], state)
            for tool in failing:
                if found.reached(tool.name):
                    continue
                made = attempt(tool, choice.context, path, set())
                if made is None:
                    continue
                # The same call must fail on the seeded state: the write enabled it, not luck
                # with the values (a proposal that would have worked anyway).
                found.trials += 1
                if _fails_at(env, start, tool.name, made.arguments, state):
                    found.enabled_by.setdefault(tool.name, []).append(path[-1])
                    if tool.writes:
                        next_frontier.append(((*path, tool.name), made))
                else:
                    found.outcomes[tool.name].path = ()
        frontier = next_frontier
    _learn_owned(env, start, found, tools, seeded_errors, enablers, rng, propose)
    _learn_disablers(env, start, found, tools, seeded_errors)
    # Last: its trials never take the budget of the edges above (envs without it unchanged).
    _learn_exact(env, start, found, tools, seeded_errors, rng, propose)
    env.restore(start)
    return found


def _learn_owned(env: Environment, start: Snapshot, found: Preconditions, tools: list[ToolSpec],
                 seeded_errors: dict[str, str], enablers: list[tuple[tuple[str, ...], Choice]],
                 rng: random.Random, propose: Proposer) -> None:
    """For a tool still failing after every enabler: its record first, then the enabler made
    with that record's own values (sign in as the diner whose order it is). An enabler made
    as someone chosen at random acts on their records only, and a write allowed on some of
    them (cancel an order the kitchen has not started) may find none of theirs."""
    for tool in tools:
        if found.reached(tool.name) or tool.name not in seeded_errors:
            continue
        for path, _ in enablers:
            if len(path) != 1 or found.reached(tool.name):
                continue
            enabler = path[0]
            for _ in range(OWNED_TRIES):
                if found.trials >= MAX_TRIALS:
                    return
                choice = propose(tool, rng, None)
                if any(choice.arguments.get(p) is None for p in tool.parameters.get("required", [])):
                    continue
                made = propose(next(t for t in tools if t.name == enabler), rng, choice.context)
                env.restore(start)
                found.trials += 2
                if not env.call(enabler, made.arguments).ok:
                    continue
                if not env.peek(tool.name, choice.arguments).ok:
                    continue
                state = env.snapshot()
                found.trials += 1
                if _fails_at(env, start, tool.name, choice.arguments, state):
                    found.outcomes[tool.name] = Outcome(dict(choice.arguments), path, None)
                    found.enabled_by.setdefault(tool.name, []).append(enabler)
                    found.states.setdefault(enabler, state)
                break
    env.restore(start)


def _learn_exact(env: Environment, start: Snapshot, found: Preconditions, tools: list[ToolSpec],
                 seeded_errors: dict[str, str], rng: random.Random, propose: Proposer) -> None:
    """For a tool still failing on the state: a record of it, then a write with a number
    made for that record's own values with the exact amounts a read shows (each debt of
    the member in the group, paid in full), until the tool succeeds (see exact_amounts)."""
    reads = [t for t in tools if not t.writes]

    def peek(name: str, arguments: dict[str, Any]) -> CallResult:
        found.trials += 1
        return env.peek(name, arguments)

    def call(name: str, arguments: dict[str, Any]) -> CallResult:
        found.trials += 1
        return env.call(name, arguments)

    for tool in tools:
        if found.reached(tool.name) or tool.name not in seeded_errors:
            continue
        writes = [t for t in tools if t.name != tool.name and exact_amounts.takes_amounts(t)]
        for _ in range(EXACT_TRIES if writes else 0):
            if found.trials >= MAX_TRIALS or found.reached(tool.name):
                break
            choice = propose(tool, rng, None)
            if any(choice.arguments.get(p) is None for p in tool.parameters.get("required", [])):
                continue
            env.restore(start)
            refused = peek(tool.name, choice.arguments)
            if refused.ok or not exact_amounts.waits_on_records(peek, reads, choice.arguments,
                                                                _error_text(refused)):
                continue  # refused for something else than other records' numbers (the owner)
            for write in writes:
                env.restore(start)
                base = propose(write, rng, choice.context)
                made = exact_amounts.settle(peek, call, reads, write, base.arguments, tool.name, choice.arguments)
                if made is None or not _fails_at(env, start, tool.name, choice.arguments, env.snapshot()):
                    continue
                found.outcomes[tool.name] = Outcome(dict(choice.arguments), (write.name,), None, tuple(made))
                found.enabled_by.setdefault(tool.name, []).append(write.name)
                found.exact[tool.name] = write.name
                if not found.reached(write.name):  # its first call was made on the seeded state
                    found.outcomes[write.name] = Outcome(dict(made[0]), (), None)
                break
    env.restore(start)


def _fails_at(env: Environment, start: Snapshot, tool: str, arguments: dict[str, Any], back: Snapshot) -> bool:
    """Whether the call fails on the seeded state (`env` is put back at `back`)."""
    env.restore(start)
    failed = not env.peek(tool, arguments).ok
    env.restore(back)
    return failed


def _reach(env: Environment, start: Snapshot, path: tuple[str, ...], found: Preconditions,
           by_name: dict[str, ToolSpec], rng: random.Random, propose: Proposer, last: Choice) -> Snapshot | None:
    """Make the writes of `path` from the seeded state (each with the arguments that
    succeeded for it; the last with `last`), and snapshot the state they lead to."""
    env.restore(start)
    for name in path[:-1]:
        arguments = found.outcomes[name].ok_arguments
        if arguments is None or not env.call(name, arguments).ok:
            return None
    found.trials += 1
    if not env.call(path[-1], last.arguments).ok:
        return None
    return env.snapshot()


def _learn_disablers(env: Environment, start: Snapshot, found: Preconditions, tools: list[ToolSpec],
                     seeded_errors: dict[str, str]) -> None:
    """A write that, made on the enabled state, brings back the tool's seeded-state error."""
    writes = [t.name for t in tools if t.writes]
    for tool, enablers in sorted(found.enabled_by.items()):
        outcome = found.outcomes[tool]
        if outcome.ok_arguments is None or len(outcome.path) != 1:
            continue
        state = found.states.get(outcome.path[0])
        if state is None:
            continue
        for write in writes:
            arguments = (found.outcomes.get(write) or Outcome()).ok_arguments
            if write in enablers or write == tool or arguments is None or found.trials >= MAX_TRIALS:
                continue
            env.restore(state)
            found.trials += 2
            if not env.call(write, arguments).ok:
                continue
            again = env.peek(tool, outcome.ok_arguments)
            if not again.ok and _error_text(again) == seeded_errors.get(tool):
                found.disabled_by.setdefault(tool, []).append(write)
    env.restore(start)
