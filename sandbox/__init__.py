"""The execution engine: env modules run under RestrictedPython over DuckDB state.

Names are imported lazily: the worker process imports `sandbox.worker`, which needs
none of the engine's heavy dependencies (pydantic, jsonschema, duckdb).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Environment": "sandbox.environment", "ToolSpec": "sandbox.environment",
    "inspect_env": "sandbox.environment", "load_env": "sandbox.environment",
    "CallError": "sandbox.errors", "CallResult": "sandbox.errors", "EnvLoadError": "sandbox.errors",
    "InvalidArguments": "sandbox.errors", "ResourceLimit": "sandbox.errors", "SandboxError": "sandbox.errors",
    "SandboxViolation": "sandbox.errors", "ToolCrash": "sandbox.errors", "ToolError": "sandbox.errors",
    "ToolTimeout": "sandbox.errors", "UnknownEnv": "sandbox.errors", "UnknownTool": "sandbox.errors",
    "Limits": "sandbox.limits", "Snapshot": "sandbox.state", "StateDiff": "sandbox.state_diff",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sandbox' has no attribute '{name}'")
    return getattr(importlib.import_module(module), name)
