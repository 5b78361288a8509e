"""`compile_specs`: read, infer, render, validate by execution, and only then write."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sandbox.check import check_env
from sandbox.environment import load_env
from sandbox.errors import SandboxError
from sandbox.limits import Limits
from toolace_mt.compiler.classify import classify
from toolace_mt.compiler.errors import CompileError
from toolace_mt.compiler.names import identifier
from toolace_mt.compiler.plan import EnvPlan
from toolace_mt.compiler.probe import ToolProbe, probe_module
from toolace_mt.compiler.render import render
from toolace_mt.compiler.report import CompileReport, tool_reports
from toolace_mt.compiler.spec_files import read_spec
from toolace_mt.compiler.spec_model import SpecSet
from toolace_mt.compiler.spellings import display_names

Progress = Callable[[str], None]


@dataclass
class Validation:
    check_problems: list[str]
    probes: list[ToolProbe]
    tables: dict[str, int]

    @property
    def valid(self) -> bool:
        return not self.check_problems and bool(self.probes) and all(not p.problems() for p in self.probes)


def read_specs(paths: list[Path]) -> SpecSet:
    specs = SpecSet()
    for path in paths:
        read_spec(path, specs)
    if not specs.tools:
        raise CompileError("the specs hold no tools")
    return specs


def validate(source: str, plan: EnvPlan, name: str, shown_as: str) -> Validation:
    """Write `source` to a scratch file, `envs check` it and probe every tool."""
    with tempfile.TemporaryDirectory(prefix="toolace-compile-") as scratch:
        module = Path(scratch) / f"{identifier(name, 'env')}.py"
        module.write_text(source, encoding="utf-8")
        problems = [str(p).replace(str(module), shown_as) for p in check_env(module)]
        try:
            probes = probe_module(module, plan, names=display_names(plan))
            with load_env(module, limits=Limits(timeout_s=5.0)) as env:
                tables = env.row_counts()
        except SandboxError as exc:
            return Validation(problems or [str(exc).replace(str(module), shown_as)], [], {})
    return Validation(problems, probes, tables)


@dataclass
class CompileResult:
    report: CompileReport
    source: str


def compile_specs(paths: list[Path], output: Path, *, force: bool = False, author: object | None = None,
                  progress: Progress | None = None) -> CompileResult:
    """Compile the specs into one env module at `output`; written only if it validates (or `force`).

    `author` (a `toolace_mt.compiler.model_author.ModelAuthor`) rewrites the bodies the rules
    could not write with confidence, or that fail their probes, until they pass.
    """
    started = time.monotonic()
    say = progress or (lambda message: None)
    specs = read_specs(paths)
    say(f"read {len(specs.tools)} tools from {len(paths)} spec file(s) ({', '.join(specs.formats)})")
    plan = classify(specs)
    sources = [p.name for p in paths]
    source = render(plan, sources)
    say(f"inferred {len(plan.tables)} tables; probing {len(plan.tools)} tools")
    result = validate(source, plan, output.stem, str(output))
    by_model: set[str] = set()
    if author is not None:
        from toolace_mt.compiler.model_author import improve

        source, result, by_model = improve(author, plan, sources, source, result,
                                           lambda s: validate(s, plan, output.stem, str(output)), say)
        if not result.valid:  # the seeded state may be what the tools lack: the model writes the seed
            from toolace_mt.compiler.model_author import improve_seed

            source, result = improve_seed(author, plan, sources, source, result,
                                          lambda s: validate(s, plan, output.stem, str(output)), say)
    if plan.session is not None and not plan.start_logged_in and not result.valid:
        # Logged out, some tool was not reached through the login: start logged in instead.
        plan.start_logged_in = True
        candidate = render(plan, sources)
        again = validate(candidate, plan, output.stem, str(output))
        if again.valid or len(again.check_problems) + sum(len(p.problems()) for p in again.probes) < \
                len(result.check_problems) + sum(len(p.problems()) for p in result.probes):
            source, result = candidate, again
            say("the tools are not all reached through the login: the session starts logged in")
        else:
            plan.start_logged_in = False
    written = False
    if result.valid or force:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(source, encoding="utf-8")
        written = True
    tools = tool_reports(plan, result.probes, by_model) if result.probes else []
    succeeded = sum(1 for t in tools if t.success is not None)
    report = CompileReport(
        specs=[str(p) for p in paths], formats=specs.formats, output=str(output), valid=result.valid,
        written=written, check_problems=result.check_problems, tools=tools, tables=result.tables,
        seconds=round(time.monotonic() - started, 2),
        success_rate=round(succeeded / len(plan.tools), 3) if plan.tools else 0.0,
        seed_written_by="model" if plan.seed_body is not None else "rules",
        start_logged_in=plan.start_logged_in if plan.session is not None else None)
    return CompileResult(report=report, source=source)
