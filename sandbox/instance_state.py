"""Whether a call changed its module instance, so that the worker may reuse it for the next.

Running the env module's code again for every call (a fresh instance) is what keeps one
call's leftovers out of the next, but it costs more than a short tool call itself. An
instance a call did not change is as good as a fresh one: `InstanceState.record` lists,
once per instance, every place that can hold state (the module's globals, each dict, list,
set, deque or bytearray reachable from them, function defaults and `__dict__`s, closure
cells, class `__dict__`s, instance `__dict__`s) with references to what each held, and
`changed()` checks after a call, by identity, that each still holds the same objects.
Identity, not equality: `CONST[0] = 1.0` where it held 1 is a change.

An instance that reaches an object whose state cannot be read this way (a generator, an
iterator, itertools.count, an lru_cache, a decimal.Context, functools.partial, ...) is
not reused (`record` returns None): every call gets a fresh one. Objects every instance
shares anyway (the allowed modules' members, the builtins) are left to
sandbox.process_state, as they are for fresh instances.
"""

from __future__ import annotations

import collections
import datetime as dt
import decimal
import fractions
import itertools
import operator
import re
import sys
import types
import uuid
from typing import Any

from sandbox.authoring import ToolSpecMark
from sandbox.restricted import ModuleView

# Values nothing can change in place (exact types: a subclass may carry a __dict__).
_IMMUTABLE: frozenset[type] = frozenset({
    type(None), bool, int, float, complex, str, bytes, decimal.Decimal, fractions.Fraction, dt.date, dt.datetime,
    dt.time, dt.timedelta, dt.timezone, uuid.UUID, re.Pattern, range, type(Ellipsis), type(NotImplemented),
    types.ModuleType, ToolSpecMark,
    ModuleView,  # read-only; what it holds is the process's (sandbox.process_state)
    # descriptors of classes: no state of their own
    types.GetSetDescriptorType, types.MemberDescriptorType, types.WrapperDescriptorType,
    types.MethodDescriptorType, types.ClassMethodDescriptorType,
})
_DICTS: frozenset[type] = frozenset({dict, collections.OrderedDict, collections.Counter, collections.defaultdict})
_SEQUENCES: frozenset[type] = frozenset({list, collections.deque})
_EMPTY = object()  # the content of an empty closure cell
# More references than this to compare after every call: cheaper to make a fresh instance.
MAX_CHECKED = 50_000


class Unrecordable(Exception):
    """The instance reaches an object whose changes cannot be seen by identity."""


def _is_type_hint(value: Any) -> bool:
    kind = type(value)
    return kind.__module__ == "typing" or kind in (types.GenericAlias, types.UnionType)


class InstanceState:
    """What a module instance held when it was made: compared with it after each call.

    Every container is read through a live view (a dict's keys() and values(), a list,
    set, deque or bytearray itself), so one pass over all of them compares what they hold
    now with what they held, object by object (`is`: no __eq__ of env code runs).
    """

    __slots__ = ("_cells", "_factories", "_keep", "_lengths", "_views")

    def __init__(self) -> None:
        self._views: list[Any] = []
        self._cells: list[tuple[types.CellType, Any]] = []
        self._factories: list[tuple[collections.defaultdict[Any, Any], Any]] = []
        self._lengths: list[int] = []
        self._keep: list[Any] = []

    @classmethod
    def record(cls, namespace: dict[str, Any], shared: frozenset[int]) -> InstanceState | None:
        """The state of a fresh instance (`shared`: ids of objects every instance shares);
        None when some of it cannot be checked (then the instance is used for one call only)."""
        state = cls()
        try:
            state._walk(namespace, shared)
            state._keep = list(itertools.chain.from_iterable(state._views))
            state._lengths = list(map(len, state._views))
        except (Unrecordable, RecursionError, MemoryError):
            return None
        return state if len(state._keep) <= MAX_CHECKED else None

    def changed(self) -> bool:
        """Whether anything recorded holds other objects than it did (True when in doubt)."""
        try:
            if list(map(len, self._views)) != self._lengths:
                return True
            if not all(map(operator.is_, itertools.chain.from_iterable(self._views), self._keep)):
                return True
            for cell, content in self._cells:
                try:
                    now = cell.cell_contents
                except ValueError:
                    now = _EMPTY
                if now is not content:
                    return True
            return any(d.default_factory is not f for d, f in self._factories)
        except BaseException:  # noqa: BLE001 - a container changed while read, or a hostile __len__: rebuild
            return True

    def _watch(self, mapping: Any) -> None:
        self._views += (mapping.keys(), mapping.values())

    def _walk(self, root: dict[str, Any], shared: frozenset[int]) -> None:
        module = root.get("__name__")
        seen: set[int] = set()
        keep: list[Any] = []  # every object walked stays alive, so no id is reused meanwhile
        stack: list[Any] = [root]
        push = stack.append
        while stack:
            value = stack.pop()
            kind = type(value)
            if kind in _IMMUTABLE or id(value) in shared or id(value) in seen:
                continue
            seen.add(id(value))
            keep.append(value)
            if kind is tuple or kind is frozenset:
                stack.extend(value)
            elif kind in _DICTS:
                self._watch(value)
                stack.extend(value)
                stack.extend(value.values())
                if kind is collections.defaultdict:
                    self._factories.append((value, value.default_factory))
                    push(value.default_factory)
            elif kind in _SEQUENCES or kind is set or kind is bytearray:
                self._views.append(value)  # (a bytearray's items are small ints: one object per value)
                stack.extend(value)
            elif kind is types.FunctionType:
                self._function(value, push)
            elif kind is types.MethodType:
                push(value.__self__)
                push(value.__func__)
            elif kind is staticmethod or kind is classmethod:
                push(value.__func__)
            elif kind is property:
                stack.extend((value.fget, value.fset, value.fdel))
            elif kind is types.BuiltinFunctionType or kind is types.MethodWrapperType:
                push(value.__self__)  # a bound method of a list holds that list
            elif _is_type_hint(value):
                continue  # inert in the sandbox: env code cannot reach into a type hint
            elif isinstance(value, type):
                if not _process_wide(value):
                    self._class(value, push)
            else:
                self._instance(value, module, push)

    def _function(self, function: types.FunctionType, push: Any) -> None:
        push(function.__defaults__)
        kwdefaults = function.__kwdefaults__
        if kwdefaults is not None:
            push(kwdefaults)
        for cell in function.__closure__ or ():
            try:
                content = cell.cell_contents
            except ValueError:
                content = _EMPTY
            self._cells.append((cell, content))
            if content is not _EMPTY:
                push(content)
        push(function.__dict__)  # a dict: recorded as one

    def _class(self, cls: type, push: Any) -> None:
        members = vars(cls)  # a class's dict changes only through setattr (functools.total_ordering, ...)
        self._watch(members)
        for item in members.values():
            push(item)
        for base in cls.__bases__:
            push(base)
        push(type(cls))

    def _instance(self, value: Any, module: Any, push: Any) -> None:
        """An object of a class the instance made, whose state is its __dict__ only."""
        kind = type(value)
        for klass in kind.__mro__[:-1]:  # all but object: made by the module's code, without __slots__
            if (klass.__module__ != module or _process_wide(klass) or "__slots__" in vars(klass)
                    or klass.__dictoffset__ == 0):
                raise Unrecordable(kind.__qualname__)
        push(vars(value))  # a dict: recorded as one
        push(kind)


def _process_wide(cls: type) -> bool:
    """A class a module of the process holds (the same for every instance): one the
    instance made itself is reachable from its globals only, whatever its __module__ says."""
    found: Any = sys.modules.get(cls.__module__)
    for part in cls.__qualname__.split("."):
        found = getattr(found, part, None)
    return found is cls
