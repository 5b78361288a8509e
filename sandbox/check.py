"""`envs check`: everything that can be wrong with an env module, each with file:line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.environment import Environment, ToolSpec, load_env
from sandbox.errors import EnvLoadError, SandboxError
from sandbox.limits import Limits

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Errors that mean the env itself is broken; ToolError and InvalidArguments are the
# env working as intended on made-up arguments.
_BROKEN = {"ToolCrash", "SandboxViolation", "ToolTimeout", "ResourceLimit"}


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def _sample_value(env: Environment, name: str, schema: dict[str, Any]) -> Any:
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind in ("string", "integer", "number"):
        for table in env.tables.values():
            if any(c.name == name for c in table.columns):
                rows = env.query(f'SELECT "{name}" AS v FROM "{table.name}" WHERE "{name}" IS NOT NULL '
                                 f'ORDER BY 1 LIMIT 1')
                if rows:
                    return rows[0]["v"]
    return {"string": "x", "integer": 1, "number": 1.0, "boolean": False, "array": [], "object": {}}.get(kind, "x")


def sample_arguments(env: Environment, tool: ToolSpec) -> dict[str, Any]:
    """Plausible arguments: real values from a column of the same name where there is one."""
    props = tool.parameters.get("properties", {})
    return {name: _sample_value(env, name, props[name]) for name in tool.parameters.get("required", [])}


def check_env(name_or_path: str | Path, seed: int = 0) -> list[Problem]:
    path = str(name_or_path)
    try:
        env = load_env(name_or_path, seed=seed, limits=Limits(timeout_s=5.0))
    except EnvLoadError as exc:
        return [Problem(f, line, m) for f, line, m in exc.problems]
    except SandboxError as exc:
        return [Problem(path, 0, str(exc))]
    problems: list[Problem] = []
    with env:
        path = env.path
        for tool in env.tools:
            names = set(tool.parameters.get("properties", {}))
            # No phrasing hints is fine: the generator words requests from the descriptions.
            for template in tool.phrasing:
                unknown = sorted(set(_PLACEHOLDER.findall(template)) - names)
                if unknown:
                    problems.append(Problem(path, tool.line, f"tool '{tool.name}': phrasing {template!r} names "
                                                             f"unknown parameter(s) {unknown}"))
        for tool in env.tools:
            env.reset()
            result = env.call(tool.name, sample_arguments(env, tool))
            if not result.ok and result.error is not None and result.error.type in _BROKEN:
                problems.append(Problem(path, tool.line, f"calling '{tool.name}': {result.error}"))
        env.reset()
        first_hash = env.state_hash()
    try:
        with load_env(name_or_path, seed=seed) as again:
            if again.state_hash() != first_hash:
                problems.append(Problem(path, 0, f"seed({seed}) is not deterministic: two loads gave different "
                                                 "states (use db.rng and fake, never other randomness)"))
    except SandboxError as exc:
        problems.append(Problem(path, 0, f"second load failed: {exc}"))
    return problems
