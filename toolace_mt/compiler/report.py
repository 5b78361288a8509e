"""The compile report: per tool its kind, the probe results and what was not reached."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from toolace_mt.compiler.plan import EnvPlan
from toolace_mt.compiler.probe import ToolProbe


class ProbeCall(BaseModel):
    state: str
    args: dict[str, Any]
    detail: str


class ToolReport(BaseModel):
    tool: str
    spec_name: str
    kind: str
    table: str | None
    writes: bool
    needs_login: bool
    confident: bool
    written_by: str  # "rules" or "model"
    success: ProbeCall | None
    domain_error: ProbeCall | None
    visible_through: str | None
    calls: int
    problems: list[str]
    not_reached: list[str]
    review: list[str]


class CompileReport(BaseModel):
    specs: list[str]
    formats: list[str]
    output: str
    valid: bool
    written: bool
    check_problems: list[str]
    tools: list[ToolReport]
    tables: dict[str, int]  # seeded row counts
    seconds: float
    success_rate: float  # share of tools with a successful probe
    seed_written_by: str = "rules"  # or "model" (--backend openai)
    start_logged_in: bool | None = None  # the seeded session, for APIs with a login

    def text(self) -> str:
        lines = [f"{', '.join(self.specs)} ({', '.join(sorted(set(self.formats)))}) -> {self.output}"]
        width = max((len(t.tool) for t in self.tools), default=8)
        for tool in self.tools:
            mark = "ok " if not tool.problems else "BAD"
            success = "success" if tool.success else "no success"
            error = f"error: {tool.domain_error.detail}" if tool.domain_error else "no domain error"
            lines.append(f"  {mark} {tool.tool.ljust(width)}  {tool.kind:<14} {success}; {error}")
            for problem in tool.problems:
                lines.append(f"      problem: {problem}")
            for note in tool.not_reached:
                lines.append(f"      not reached: {note}")
            if tool.written_by == "model":
                lines.append("      body written by the model")
            elif not tool.confident:
                lines.append("      review: low confidence (" + "; ".join(tool.review or ["rules guessed"]) + ")")
        for problem in self.check_problems:
            lines.append(f"  envs check: {problem}")
        tables = ", ".join(f"{name} {count}" for name, count in self.tables.items())
        lines.append(f"  tables: {tables}")
        state = "written" if self.written else "NOT written"
        verdict = "valid" if self.valid else "INVALID"
        lines.append(f"  {verdict}, {state}; {self.success_rate:.0%} of tools succeed; {self.seconds:.1f}s")
        return "\n".join(lines)


def tool_reports(plan: EnvPlan, probes: list[ToolProbe], by_model: set[str]) -> list[ToolReport]:
    found = {p.tool: p for p in probes}
    reports = []
    for tool in plan.tools:
        probe = found[tool.ident]

        def call(outcome: Any) -> ProbeCall | None:
            return None if outcome is None else ProbeCall(state=outcome.state, args=outcome.args,
                                                          detail=outcome.detail)

        reports.append(ToolReport(
            tool=tool.ident, spec_name=tool.spec.name, kind=tool.kind, table=tool.table, writes=tool.writes,
            needs_login=tool.needs_login, confident=tool.confident or tool.ident in by_model,
            written_by="model" if tool.ident in by_model else "rules", success=call(probe.success),
            domain_error=call(probe.domain_error), visible_through=probe.visible_through, calls=probe.calls,
            problems=probe.problems(), not_reached=probe.unreached(), review=list(tool.notes)))
    return reports
