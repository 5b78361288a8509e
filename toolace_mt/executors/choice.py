"""The user's choice of executor (`--executor`, `--ray-address`), checked at the boundary."""

from __future__ import annotations

import argparse
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ExecutorName = Literal["local", "ray"]
EXECUTORS: tuple[str, ...] = ("local", "ray")


class ExecutorChoice(BaseModel):
    """`local`: `--workers` processes here. `ray`: `actors` (`--workers`) Ray actors on the
    cluster at `ray_address` ("auto": the one `ray start` made on this node; None: start a local Ray)."""

    model_config = ConfigDict(frozen=True)

    name: ExecutorName = "local"
    ray_address: str | None = None
    actors: int | None = Field(default=None, ge=1)  # ray: None is one per CPU of the cluster

    @field_validator("ray_address")
    @classmethod
    def _plain(cls, value: str | None) -> str | None:
        if value is not None and (not value.strip() or len(value) > 512 or any(ord(c) < 33 for c in value)):
            raise ValueError("--ray-address expects 'auto' or HOST:PORT (or ray://HOST:PORT)")
        return value


def add_executor_arguments(parser: argparse.ArgumentParser) -> None:
    """--executor and --ray-address, one definition for generate and verify."""
    group = parser.add_argument_group("where the work runs")
    group.add_argument("--executor", choices=EXECUTORS, default="local",
                       help="local (default: --workers processes on this machine) or ray (--workers Ray actors, "
                            "default one per CPU of the cluster; needs the ray extra)")
    group.add_argument("--ray-address", metavar="auto|ADDR",
                       help="the Ray cluster to join: auto (the one `ray start` made on this node) or HOST:PORT "
                            "(default: start a local Ray)")


def executor_from(args: argparse.Namespace) -> ExecutorChoice:
    """The choice from the parsed arguments; ValueError for --ray-address without ray, and
    RayUnavailable (naming the extra) when ray is chosen and not installed."""
    if args.executor != "ray":
        if args.ray_address is not None:
            raise ValueError("--ray-address needs --executor ray")
        return ExecutorChoice()
    from toolace_mt.executors.ray_runtime import require_ray

    require_ray()
    return ExecutorChoice(name="ray", ray_address=args.ray_address, actors=args.workers)
