"""The execution engine: env modules run under RestrictedPython over DuckDB state."""

from sandbox.environment import Environment, ToolSpec, inspect_env, load_env
from sandbox.errors import (
    CallError,
    CallResult,
    EnvLoadError,
    InvalidArguments,
    ResourceLimit,
    SandboxError,
    SandboxViolation,
    ToolCrash,
    ToolError,
    ToolTimeout,
    UnknownEnv,
    UnknownTool,
)
from sandbox.limits import Limits
from sandbox.state import Snapshot
from sandbox.state_diff import StateDiff

__all__ = [
    "CallError", "CallResult", "EnvLoadError", "Environment", "InvalidArguments", "Limits",
    "ResourceLimit", "SandboxError", "SandboxViolation", "Snapshot", "StateDiff", "ToolCrash",
    "ToolError", "ToolSpec", "ToolTimeout", "UnknownEnv", "UnknownTool", "inspect_env", "load_env",
]
