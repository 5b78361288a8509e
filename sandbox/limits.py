"""Per-call limits of the sandbox."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Limits(BaseModel):
    """Every limit is enforced at process level: breaking one kills and restarts the worker
    if the env code does not stop by itself, and the state is left as before the call."""

    timeout_s: float = Field(2.0, gt=0, description="wall time of one call")
    seed_timeout_s: float = Field(120.0, gt=0, description="wall time of seeding")
    memory_mb: int = Field(512, ge=64, description="memory a call may add to the worker")
    recursion: int = Field(200, ge=20, description="call depth available to env code")
    max_result_bytes: int = Field(64 * 1024, ge=1024, description="size of a result as JSON")
    max_depth: int = Field(64, ge=8, le=256, description="nesting of arguments, results and defaults (lists and "
                                                         "objects)")
