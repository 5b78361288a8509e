"""RestrictedPython compilation and the guarded globals env modules run with.

Runs inside the worker process only. Everything an env module can reach is built
here: builtins, guards, the import allow-list (as read-only module views) and the
frozen clock.
"""

from __future__ import annotations

import ast
import builtins
import collections
import datetime as dt
import operator
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from RestrictedPython import RestrictingNodeTransformer
from RestrictedPython.Guards import (
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    raise_,
    safe_builtins,
    safer_getattr,
)
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.transformer import INSPECT_ATTRIBUTES

from sandbox import authoring, safe_values
from sandbox.safe_values import SafeStr, SandboxViolation, exception_copier, format_value, modulo, scrub

AUTHORING_MODULE = "sandbox.authoring"

# Pure stdlib modules an env may import, with names removed that reach outside
# the sandbox (attrgetter/methodcaller bypass the attribute guard) or are not
# replayable. `typing` is served from an allow-list below.
ALLOWED_MODULES: dict[str, frozenset[str]] = {
    "math": frozenset(),
    "datetime": frozenset(),
    "re": frozenset(),
    "json": frozenset(),
    "decimal": frozenset({"setcontext", "DefaultContext"}),
    "string": frozenset({"Formatter", "Template"}),
    "itertools": frozenset(),
    "collections": frozenset(),
    "functools": frozenset({"singledispatch", "singledispatchmethod", "update_wrapper", "wraps"}),
    "operator": frozenset({"attrgetter", "methodcaller"}),
    "fractions": frozenset(),
    "textwrap": frozenset(),
    "uuid": frozenset({"getnode", "uuid1", "uuid4"}),
    "statistics": frozenset({"NormalDist"}),  # NormalDist.samples() uses the global RNG
}

# typing: only what type hints need (an allow-list: the module also holds eval-based
# helpers and metaclasses that build classes with arbitrary dunder methods).
_TYPING_NAMES = frozenset({
    "Any", "Literal", "Optional", "Union", "TypedDict", "List", "Dict", "Tuple", "Set", "FrozenSet",
    "Iterable", "Iterator", "Sequence", "Mapping", "Callable", "NotRequired", "Required",
})


def _time_view() -> ModuleView:
    """`time` for datetime's C code (strftime/strptime), with no way to read the clock."""
    import time

    def strftime(fmt: str, t: Any) -> str:
        return time.strftime(fmt, t)

    def gmtime(secs: float) -> Any:
        # time.gmtime() and gmtime(None) read the real clock: only a number of seconds.
        if type(secs) not in (int, float):
            raise SandboxViolation("time.gmtime() needs a number of seconds (without one it reads the real "
                                   "clock; use db.now)")
        return time.gmtime(secs)

    return ModuleView("time", {"strftime": strftime, "gmtime": gmtime, "struct_time": time.struct_time,
                               "strptime": time.strptime})


def _strptime_view() -> ModuleView:
    # Only the entry points datetime's C code calls; env code cannot name them (a
    # leading "_"), and the module's other globals (calendar, locale, time) stay out.
    import _strptime

    return ModuleView("_strptime", {"_strptime_datetime": _strptime._strptime_datetime,
                                    "_strptime_time": _strptime._strptime_time,
                                    "_strptime": _strptime._strptime})


_C_LEVEL_IMPORTS: dict[str, Callable[[], ModuleView]] = {"time": _time_view, "_strptime": _strptime_view}

_CONSTANTS = "module-level values are constants; keep state in the env's tables"
_MUTATORS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update",
                       "setdefault", "popitem"})
_FORMAT_NAMES = frozenset({"format", "format_map", "vformat"})
_CLOCK_NAMES = frozenset({"now", "today", "utcnow"})

_EXTRA_BUILTINS: dict[str, Any] = {
    name: getattr(builtins, name)
    for name in (
        "all", "any", "bin", "dict", "enumerate", "filter", "format", "frozenset", "iter",
        "list", "map", "max", "min", "next", "reversed", "set", "sorted", "sum", "tuple",
        "zip",
    )
}
_REMOVED_BUILTINS = frozenset({"_getattr_", "setattr", "delattr", "id", "__import__"})
# Builtins whose text or value could show an object's address (differs between runs).
_NEUTRAL_BUILTINS: dict[str, Any] = {
    "repr": safe_values.safe_repr, "ascii": safe_values.safe_ascii, "format": safe_values.safe_format,
    "hash": safe_values.safe_hash, "str": SafeStr,
}
# What `from sandbox.authoring import ...` and `import sandbox.authoring` give env code.
_AUTHORING_NAMES = ("Db", "Fake", "ToolError", "tool")
# Attributes of classes that reach or change trusted state: `mro()` lists base classes
# (up to `object`), `register()` changes an ABC's registry for the whole worker.
_CLASS_ATTRIBUTES_DENIED = frozenset({"mro", "register"})


class ModuleView:
    """A read-only view of an allowed module: public, non-module attributes only."""

    __slots__ = ("_attrs", "_name")

    def __init__(self, name: str, attrs: dict[str, Any]) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_attrs", attrs)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._attrs[name]
        except KeyError:
            raise AttributeError(f"module '{self._name}' has no attribute '{name}'") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise SandboxViolation(f"cannot assign to module '{self._name}'")

    def __repr__(self) -> str:
        return f"<module {self._name} (sandboxed)>"


def _module_view(name: str, denied: frozenset[str]) -> ModuleView:
    module = __import__(name, fromlist=["_"])
    attrs = {
        attr: value
        for attr, value in vars(module).items()
        if not attr.startswith("_") and attr not in denied and not isinstance(value, types.ModuleType)
    }
    attrs.update({attr: value for attr, value in _NEUTRAL_MEMBERS.get(name, {}).items() if attr in attrs})
    return ModuleView(name, attrs)


class _UserString(collections.UserString):
    """collections.UserString whose text of a non-string never shows an address."""

    def __init__(self, seq: object) -> None:
        super().__init__(seq if isinstance(seq, (str, collections.UserString)) else SafeStr(seq))


# Module members replaced by versions whose text never shows an address.
_NEUTRAL_MEMBERS: dict[str, dict[str, Any]] = {
    "operator": {"mod": modulo, "imod": modulo},
    "collections": {"UserString": _UserString},
}


def _is_type_hint(obj: Any) -> bool:
    kind = type(obj)
    return kind.__module__ == "typing" or kind in (types.GenericAlias, types.UnionType)


def _authoring_view() -> ModuleView:
    return ModuleView(AUTHORING_MODULE, {name: getattr(authoring, name) for name in _AUTHORING_NAMES})


def _typing_view() -> ModuleView:
    import typing

    return ModuleView("typing", {n: getattr(typing, n) for n in _TYPING_NAMES if hasattr(typing, n)})


class CompileError(SyntaxError):
    """RestrictedPython rejected the module: one (line, message) per offending name or node."""

    def __init__(self, problems: list[tuple[int, str]], filename: str) -> None:
        super().__init__("; ".join(m for _, m in problems), (filename, problems[0][0], 0, ""))
        self.problems = problems


@dataclass(frozen=True)
class CompiledEnv:
    code: types.CodeType
    def_lines: dict[str, int]  # function name -> line of its `def` (decorators come before)


def compile_env(source: str, filename: str) -> CompiledEnv:
    """Compile env source with RestrictedPython, or raise SyntaxError with the line.

    The transform is applied here rather than through compile_restricted_exec, which
    compiles with RestrictedPython's own `from __future__ import annotations` in force
    and would turn every type hint of the env into a string.
    """
    try:
        tree = ast.parse(source, filename, "exec")
    except SyntaxError as exc:
        raise SyntaxError(f"syntax error: {exc.msg}", (filename, exc.lineno or 0, 0, "")) from None
    errors = [f"Line {node.lineno}: 'global' is not allowed: {_CONSTANTS}"
              for node in ast.walk(tree) if isinstance(node, ast.Global)]
    errors += _deferred_cleanups(tree)
    RestrictingNodeTransformer(errors, [], {}).visit(tree)
    if errors:
        problems: list[tuple[int, str]] = []
        for error in errors:
            problem = (_line_of(error), error.split(": ", 1)[1] if error.startswith("Line ") and ": " in error
                       else error)
            if problem not in problems:  # a name used twice on a line is one problem
                problems.append(problem)
        raise CompileError(sorted(problems, key=lambda p: (p[0], _column(source, *p))), filename)
    def_lines = {node.name: node.lineno for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    tree = ast.fix_missing_locations(_Boundaries().visit(tree))
    return CompiledEnv(compile(tree, filename, "exec", dont_inherit=True), def_lines)


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_CLEANUPS = tuple(getattr(ast, name) for name in ("Try", "TryStar", "With", "AsyncWith") if hasattr(ast, name))


def _own_nodes(function: ast.AST) -> list[ast.AST]:
    """The nodes of a function's own body (not those of functions or classes inside it)."""
    found: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        found.append(node)
        if not isinstance(node, _SCOPES):
            stack.extend(ast.iter_child_nodes(node))
    return found


def _deferred_cleanups(tree: ast.AST) -> list[str]:
    """`try` or `with` in a generator: a suspended generator runs its `finally`, `except`
    (GeneratorExit) or `with` exit when it is collected, which may be in a later call,
    where the db method it holds would act in that call's transaction."""
    errors = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        own = _own_nodes(function)
        if any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in own):
            errors += [f"Line {n.lineno}: try/with is not allowed in a generator (its cleanup would run when the "
                       "generator is collected, maybe during a later call)" for n in own if isinstance(n, _CLEANUPS)]
    return errors


class _Boundaries(ast.NodeTransformer):
    """Routes what crosses from trusted code into env code through sandbox.safe_values
    (applied after RestrictedPython's checks, which reject these names in env source):
    every caught exception is a plain copy, f-string fields and `%` never show addresses."""

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.AST:
        self.generic_visit(node)
        if node.name:
            copy = ast.Assign(targets=[ast.Name(node.name, ast.Store())],
                              value=_call("_copy_exception_", ast.Name(node.name, ast.Load())))
            node.body.insert(0, ast.copy_location(copy, node))
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        self.generic_visit(node)
        spec = node.format_spec if node.format_spec is not None else ast.Constant("")
        value = _call("_format_value_", node.value, ast.Constant(node.conversion), spec)
        return ast.copy_location(ast.FormattedValue(value=value, conversion=-1, format_spec=None), node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Mod):
            return ast.copy_location(_call("_mod_", node.left, node.right), node)
        return node


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])


def _column(source: str, line: int, message: str) -> int:
    """Where on its line the name a message quotes first appears (so problems read in source order)."""
    lines = source.splitlines()
    quoted = message.split('"')
    if not 0 < line <= len(lines) or len(quoted) < 3:
        return 0
    found = lines[line - 1].find(quoted[1])
    return found if found >= 0 else 0


def _line_of(message: str) -> int:
    # RestrictedPython reports "Line 12: ..." (the first number after "Line").
    words = message.replace(":", " ").replace(",", " ").split()
    for i, word in enumerate(words[:-1]):
        if word == "Line" and words[i + 1].isdigit():
            return int(words[i + 1])
    return 0


def _inplace(op: str, target: Any, value: Any) -> Any:
    fn = _INPLACE_OPS.get(op)
    if fn is None:
        raise SandboxViolation(f"operator {op} is not allowed")
    return scrub(fn(target, value)) if op == "%=" else fn(target, value)


_INPLACE_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow,
    "|=": operator.ior, "&=": operator.iand, "^=": operator.ixor,
    "<<=": operator.ilshift, ">>=": operator.irshift,
}


class _PrintCollector(PrintCollector):
    """print() into `printed`, without object addresses."""

    def write(self, text: str) -> None:
        super().write(scrub(text))


def _getiter(obj: Iterable[Any]) -> Any:
    return iter(obj)


def _getitem(obj: Any, key: Any) -> Any:
    return obj[key]


def _apply(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return fn(*args, **kwargs)


def _build_class(func: Callable[..., Any], name: str, *bases: Any, **kwargs: Any) -> type:
    """`class` statements of env code: an instance of a class that would hash by its
    address is unhashable, so a set of them cannot take an order that differs between
    runs (keep such objects in a list, or key them by a value)."""
    cls = builtins.__build_class__(func, name, *bases, **kwargs)
    if cls.__hash__ is object.__hash__:  # type: ignore[comparison-overlap]
        cls.__hash__ = None  # type: ignore[assignment]
    return cls  # type: ignore[no-any-return]


class RestrictedRuntime:
    """Builds the globals of one env module: guards, builtins, imports, clock."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self._views = {name: _module_view(name, denied) for name, denied in ALLOWED_MODULES.items()}
        self._views["typing"] = _typing_view()
        self._c_level_views = {name: make() for name, make in _C_LEVEL_IMPORTS.items()}
        self._authoring = _authoring_view()
        self._frozen: set[int] = set()
        self._container_paths: list[tuple[Any, ...]] | None = None  # see freeze()

        def frozen_now(tz: dt.tzinfo | None = None) -> dt.datetime:
            return now if tz is None else now.replace(tzinfo=dt.timezone.utc).astimezone(tz)

        def frozen_today() -> dt.date:
            return now.date()

        self._frozen_now = frozen_now
        self._frozen_today = frozen_today

        builtins = {k: v for k, v in safe_builtins.items() if k not in _REMOVED_BUILTINS}
        builtins.update(_EXTRA_BUILTINS)
        builtins.update(_NEUTRAL_BUILTINS)
        builtins["__import__"] = self._import
        builtins["__build_class__"] = _build_class
        self.builtins = builtins

    def _getattr(self, obj: Any, name: str) -> Any:
        # The env's clock is frozen: now()/today() on date/datetime give the env's "now".
        if name in _CLOCK_NAMES and (
            isinstance(obj, dt.date) or (isinstance(obj, type) and issubclass(obj, dt.date))
        ):
            if name == "today" and not (isinstance(obj, type) and issubclass(obj, dt.datetime)):
                return self._frozen_today
            if isinstance(obj, dt.datetime) or (isinstance(obj, type) and issubclass(obj, dt.datetime)):
                return self._frozen_now
            return self._frozen_today
        if name in _MUTATORS and id(obj) in self._frozen:
            raise SandboxViolation(_CONSTANTS)
        if name in _FORMAT_NAMES:
            # str.format-style methods traverse attributes from inside a string
            # ("{0.__class__}"), out of the guard's sight: denied on every object.
            raise SandboxViolation(f"'.{name}()' is not available in the sandbox; use f-strings or %")
        if _is_type_hint(obj):
            # Type hints are inert markers in the sandbox: their attributes forward to the
            # real classes behind them (typing.Iterable.register is collections.abc's).
            raise SandboxViolation(f"attributes of type hints are not available in the sandbox ('.{name}')")
        if name in _CLASS_ATTRIBUTES_DENIED and isinstance(obj, type):
            raise SandboxViolation(f"'.{name}' of a class is not available in the sandbox")
        try:
            return safer_getattr(obj, name, raise_)
        except (AttributeError, NotImplementedError) as exc:
            if name.startswith("_") or name in INSPECT_ATTRIBUTES:
                problem: BaseException = SandboxViolation(f"attribute '{name}' is not accessible in the sandbox")
            else:  # a fresh error: the original's .obj may be an object env code never had
                problem = type(exc)(scrub(str(exc)))
        raise problem

    def freeze(self, namespace: dict[str, Any]) -> None:
        """Make the module's own dicts and lists read-only: state lives in the tables only.

        Runs for every module instance (the worker makes one per call). The first walk
        records where the dicts and lists are (global name, then keys and indexes); later
        instances of the same code have them in the same places, so their ids are looked
        up along those paths instead of walking every value again."""
        frozen = self._frozen
        if self._container_paths is not None:
            try:
                for path in self._container_paths:
                    value = namespace[path[0]]
                    for step in path[1:]:
                        value = value[step]
                    if not isinstance(value, (dict, list)):
                        raise LookupError(path)
                    frozen.add(id(value))
                return
            except (LookupError, TypeError):
                frozen.clear()  # this instance differs: walk it
        paths: list[tuple[Any, ...]] = []
        seen: set[int] = set()
        # Sets and frozensets cannot hold dicts or lists (unhashable): only these are walked.
        stack = [((k,), v) for k, v in namespace.items()
                 if not k.startswith("__") and isinstance(v, (dict, list, tuple))]
        while stack:
            path, value = stack.pop()
            if id(value) in seen:
                continue
            seen.add(id(value))
            if isinstance(value, (dict, list)):
                frozen.add(id(value))
                paths.append(path)
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack += [((*path, k), v) for k, v in items if isinstance(v, (dict, list, tuple))]
        self._container_paths = paths

    def _write_guard(self, obj: Any) -> Any:
        # Item writes only on dicts and lists the call itself made; everything else (db,
        # fake, module views, functions, module-level constants) is read-only.
        if isinstance(obj, (dict, list)):
            if id(obj) in self._frozen:
                raise SandboxViolation(_CONSTANTS)
            return obj
        what = repr(obj) if isinstance(obj, ModuleView) else f"a {type(obj).__name__}"
        raise SandboxViolation(f"cannot assign to or delete from {what} in the sandbox")

    def _import(
        self,
        name: str,
        globals: dict[str, Any] | None = None,
        locals: dict[str, Any] | None = None,
        fromlist: tuple[str, ...] | None = (),
        level: int = 0,
    ) -> Any:
        if level != 0:
            raise SandboxViolation("relative imports are not allowed in an env module")
        if name == AUTHORING_MODULE:
            if fromlist:
                return self._authoring
            return ModuleView("sandbox", {"authoring": self._authoring})
        if name in self._views:
            return self._views[name]
        if name in self._c_level_views:
            if fromlist:
                raise SandboxViolation(f"importing names from '{name}' is not allowed in an env module")
            # datetime's C code imports these for strftime/strptime; env code cannot
            # name them (RestrictedPython rejects names starting with "_", and "time"
            # gets a view without clocks).
            return self._c_level_views[name]
        hint = " (use db.rng, the env's own seeded random.Random)" if name == "random" else ""
        hint = " (use db.now, the env's frozen clock)" if name == "time" else hint
        allowed = ", ".join(sorted([AUTHORING_MODULE, *self._views]))
        raise SandboxViolation(f"import of '{name}' is not allowed{hint}; allowed: {allowed}")

    def module_globals(self, module_name: str) -> dict[str, Any]:
        """Globals for a new instance of the module (the worker makes one per call): the
        constants frozen for an earlier instance are gone with it."""
        self._frozen = set()
        return {
            "__builtins__": self.builtins,
            "__name__": module_name,
            "__metaclass__": type,
            "_getattr_": self._getattr,
            "_getitem_": _getitem,
            "_getiter_": _getiter,
            "_write_": self._write_guard,
            "_inplacevar_": _inplace,
            "_apply_": _apply,
            "_print_": _PrintCollector,
            "_copy_exception_": exception_copier(module_name),
            "_format_value_": format_value,
            "_mod_": modulo,
            "_unpack_sequence_": guarded_unpack_sequence,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        }
