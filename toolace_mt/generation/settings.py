"""Generation settings (the paper's: m in [2, 5] sub-tasks, [1, 6] steps each, 1-3
injection types per dialogue, refinement budget 5)."""

from __future__ import annotations

from pydantic import BaseModel, field_validator

from toolace_mt.generation.backends.interface import INJECTION_TYPES, InjectionType


class Settings(BaseModel):
    subtasks: tuple[int, int] = (2, 5)
    steps: tuple[int, int] = (1, 6)
    injections: tuple[int, int] = (1, 3)
    inject_types: tuple[InjectionType, ...] = INJECTION_TYPES
    refine_steps: int = 5
    turns_per_refine: int = 2  # masked turns per refinement pass (non-adjacent)

    @field_validator("subtasks", "steps", "injections")
    @classmethod
    def _range(cls, value: tuple[int, int]) -> tuple[int, int]:
        low, high = value
        if low < 0 or high < low:
            raise ValueError(f"a range needs 0 <= low <= high, got {low}..{high}")
        return value
