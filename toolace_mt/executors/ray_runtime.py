"""Joining a Ray cluster (or starting a local one); Ray is an optional extra."""

from __future__ import annotations

import os
from types import ModuleType

RAY_MISSING = ('--executor ray needs Ray, which is an optional extra: pip install "toolace-mt[ray]" '
               "(on every node of the cluster)")


class RayUnavailable(RuntimeError):
    """Ray is not installed, or the cluster cannot be reached."""


def require_ray() -> ModuleType:
    """The `ray` module, or RayUnavailable naming the extra to install."""
    try:
        import ray
    except ImportError:
        raise RayUnavailable(RAY_MISSING) from None
    return ray


def connect(address: str | None) -> ModuleType:
    """Ray, initialised once per process: an already initialised Ray is used as it is (a
    test session's, or a program's that called `ray.init` itself); `address` None starts a
    local Ray with this machine's CPUs, else joins the cluster there ("auto": the one
    `ray start` made on this node)."""
    ray = require_ray()
    if ray.is_initialized():
        return ray
    try:
        if address is None:
            ray.init(num_cpus=os.cpu_count() or 1, include_dashboard=False, log_to_driver=False,
                     logging_level="warning")
        else:
            ray.init(address=address, log_to_driver=False, logging_level="warning")
    except Exception as exc:  # noqa: BLE001 (ray.init raises bare Exception, e.g. a node timed out starting)
        where = "a local Ray" if address is None else f"the Ray cluster at {address}"
        raise RayUnavailable(f"cannot reach {where}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                             ) from None
    return ray


def cluster_cpus(ray: ModuleType) -> int:
    """The cluster's CPUs: the default number of actors (one env pool each)."""
    return max(1, int(ray.cluster_resources().get("CPU", 1)))
