"""The worker state that outlives a call outside the env module's own namespace.

Each call runs in a fresh instance of the env module or in one no call has changed (see
sandbox.worker and sandbox.instance_state), so nothing the module defines carries over.
What is left is process-wide state that the allowed stdlib modules hold and env code can
reach: the thread's decimal context (reset before every call), the ABC registries
(`SomeABC.register(cls)` changes isinstance() for the whole process) and the few mutable
objects the module views expose (found by a scan of the views, watched by their repr).
A call that changed one of the latter two taints the worker: the engine replaces it after
the call, so the next call starts clean.
"""

from __future__ import annotations

import abc
import array
import collections
import decimal
import types
from typing import Any

# Mutable values a view could expose; decimal.Context is mutated by arithmetic (flags).
_MUTABLE = (dict, list, set, bytearray, collections.deque, array.array, decimal.Context)


def _context() -> decimal.Context:
    return decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN, Emin=-999999, Emax=999999, capitals=1,
                           clamp=0, flags=[], traps=[decimal.InvalidOperation, decimal.DivisionByZero,
                                                     decimal.Overflow])


def reachable_mutables(roots: dict[str, Any]) -> list[tuple[str, Any]]:
    """Mutable objects reachable from `roots` (name -> value) through public attributes
    of classes and through containers: what env code could change in place."""
    found: list[tuple[str, Any]] = []
    seen: set[int] = set()
    stack = list(roots.items())
    while stack:
        path, value = stack.pop()
        if id(value) in seen or isinstance(value, types.ModuleType):
            continue
        seen.add(id(value))
        if isinstance(value, _MUTABLE):
            found.append((path, value))
        if isinstance(value, type):
            stack.extend((f"{path}.{name}", item) for name, item in vars(value).items() if not name.startswith("_"))
        elif isinstance(value, (tuple, frozenset, list, set)):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
        elif isinstance(value, dict):
            stack.extend((f"{path}[{key!r}]", item) for key, item in value.items())
    return found


class ProcessState:
    """Resets what can be reset before a call, and tells whether a call tainted the rest."""

    def __init__(self, roots: dict[str, Any]) -> None:
        self._context = _context()
        self._watched = [(path, value, repr(value)) for path, value in reachable_mutables(roots)]
        self._abc_token = abc.get_cache_token()

    def reset(self) -> None:
        decimal.setcontext(self._context.copy())

    def tainted(self) -> str | None:
        """What a call changed that outlives it (None: nothing)."""
        if abc.get_cache_token() != self._abc_token:
            return "an ABC registry (register())"
        for path, value, fingerprint in self._watched:
            if repr(value) != fingerprint:
                return path
        return None
