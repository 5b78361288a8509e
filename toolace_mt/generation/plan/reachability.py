"""Which tools generation calls successfully, and why not the others.

A tool no dialogue can call is a silent hole in a dataset (BFCL's `create_ticket`, behind
a login, was used 0 times and nothing said so). `probe` asks the generator itself: the
start-up trials (seeded state, then after enabling writes: see preconditions) and, for
what they did not reach, a few sub-tasks drafted for the tool by the offline backend
exactly as generation drafts them. `coverage` reads accepted records. A tool neither
reaches keeps the reason: the last error its trials saw, or "no value for parameter X".
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from sandbox import inspect_env
from toolace_mt.generation.backends.interface import CostMeter, SubTaskPlan
from toolace_mt.generation.backends.offline_backend import OfflineBackend
from toolace_mt.generation.draft import Draft
from toolace_mt.generation.workbench import Workbench

DRAFT_TRIES = 3  # sub-tasks drafted per tool the trials did not reach


@dataclass(frozen=True)
class ToolReach:
    tool: str
    reached: bool
    reason: str | None  # why it was never called successfully
    enabled_by: tuple[str, ...]  # the writes it needs first (log in)

    def line(self) -> str:
        after = f" (after {', '.join(self.enabled_by)})" if self.enabled_by else ""
        if self.reached:
            return f"{self.tool}: called successfully{after}"
        return f"{self.tool}: never called successfully: {self.reason}"


def _drafted(bench: Workbench, tool: str, rng: random.Random) -> bool:
    """Whether a sub-task drafted for `tool` (after the writes it needs) calls it successfully."""
    backend = OfflineBackend()
    plans = bench.preconditions.arrange([SubTaskPlan(target=tool, steps=3)])
    draft = Draft(system="", segments=[])
    bench.env.reset()
    for plan in plans:
        segment = backend.draft_segment(bench, plan, draft, rng, CostMeter())
        if segment is None:
            return False
        draft.segments.append(segment)
        if not draft.execute(bench.env, start=len(draft.segments) - 1):
            return False
    return any(c.name == tool and c.result is not None and c.result.ok for _, t in draft.turns() for c in t.calls)


def probe(bench: Workbench, seed: int = 0) -> list[ToolReach]:
    """Every tool of the bench's env, reached or not, with why not."""
    found = []
    pre = bench.preconditions
    rng = random.Random(f"reach:{seed}")
    for name in sorted(bench.tools):
        reached = pre.reached(name) or any(_drafted(bench, name, rng) for _ in range(DRAFT_TRIES))
        found.append(ToolReach(name, reached, None if reached else pre.reason(name), pre.path(name)))
    bench.env.reset()
    return found


def probe_env(env_ref: str, seed: int = 0) -> list[ToolReach]:
    bench = Workbench(env_ref, seed)
    try:
        return probe(bench, seed)
    finally:
        bench.close()


def successful_calls(record: dict[str, Any]) -> set[str]:
    """The tools a record's assistant called with a successful outcome."""
    names: dict[str, str] = {}
    ok: set[str] = set()
    for message in record.get("messages", []):
        for call in message.get("tool_calls") or []:
            names[str(call.get("id"))] = str(call.get("function", {}).get("name"))
        if message.get("role") == "tool":
            try:
                content = json.loads(message.get("content") or "null")
            except json.JSONDecodeError:
                content = None
            failed = isinstance(content, dict) and set(content) == {"error"}
            name = names.get(str(message.get("tool_call_id")))
            if name and not failed:
                ok.add(name)
    return ok


@dataclass(frozen=True)
class Coverage:
    env: str
    tools: int
    unreached: list[ToolReach]

    @property
    def share(self) -> float:
        return (self.tools - len(self.unreached)) / self.tools if self.tools else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {"env": self.env, "tools": self.tools, "called": self.tools - len(self.unreached),
                "coverage": round(self.share, 4),
                "unreached": [{"tool": r.tool, "reason": r.reason} for r in self.unreached]}


def coverage(env_ref: str, called: set[str], seed: int = 0, bench: Workbench | None = None) -> Coverage:
    """The env's tools no accepted record called successfully, each with why (from a probe
    of the env: on `bench` when given, a sibling of the run's own, else on a new bench; a
    tool the probe reaches was drafted but never kept)."""
    if bench is not None:
        names = sorted(bench.tools)
    else:
        with inspect_env(env_ref) as env:  # the names only: not seeded (a seeded load cost ~0.5 s CPU per run)
            names = sorted(t.name for t in env.tools)
    missing = [n for n in names if n not in called]
    if not missing:
        return Coverage(env_ref, len(names), [])
    probed = {r.tool: r for r in (probe(bench, seed) if bench is not None else probe_env(env_ref, seed))}
    unreached = []
    for name in missing:
        reach = probed.get(name)
        if reach is None or reach.reached:
            after = f" after {', '.join(reach.enabled_by)}" if reach is not None and reach.enabled_by else ""
            reason = f"its trials succeed{after}, but no accepted dialogue called it successfully"
            unreached.append(ToolReach(name, False, reason, reach.enabled_by if reach else ()))
        else:
            unreached.append(reach)
    return Coverage(env_ref, len(names), unreached)
