"""The worker process: runs one env module's code under RestrictedPython.

It holds no state of its own: every read and write goes to the engine as SQL over the
pipe, so the engine can kill a runaway worker at any moment and lose nothing. Started
by `sandbox.worker_client` as `python -m sandbox.worker`.
"""

from __future__ import annotations

import codecs
import datetime as dt
import decimal
import gc
import json
import os
import random
import resource
import sys
import time
import traceback
from collections.abc import Callable
from types import CodeType, TracebackType
from typing import Any

from sandbox import authoring, os_confinement, protocol
from sandbox.fake_view import FakeView, allowed_providers
from sandbox.instance_state import InstanceState
from sandbox.json_values import clean_text, nesting_problem, text_problem
from sandbox.process_state import ProcessState
from sandbox.restricted import ALLOWED_MODULES, RestrictedRuntime, SandboxViolation, compile_env
from sandbox.safe_values import scrub
from sandbox.tool_schema import SchemaError, tool_function_schema

# Codecs env code may name in str.encode/bytes.decode (others are not loaded).
_CODECS = ("ascii", "latin-1", "utf-8", "utf-16", "utf-32", "cp1252", "idna", "punycode", "unicode_escape",
           "raw_unicode_escape")
# The longest error message a worker sends (as sandbox.errors, which the engine applies again).
MAX_MESSAGE_CHARS = 2000

class EnvRandom(random.Random):
    """The env's RNG: seeding it from the OS (seed() with no value) is not allowed."""

    def seed(self, a: Any = None, version: int = 2) -> None:  # type: ignore[override]
        if a is None:
            raise SandboxViolation("db.rng.seed() needs a value: an unseeded RNG would not replay")
        super().seed(a, version)


def freeze_faker_clock(now: dt.datetime) -> None:
    """Make Faker's relative dates ("-30d", date_this_year, ...) relative to the env's now.

    Faker reads the wall clock through module-level `datetime`/`date` names; this
    worker process serves one env, so rebinding them here affects nothing else.
    """
    from faker.providers import date_time
    from faker.providers.passport import en_US as passport

    class LikeDatetime(type):
        # isinstance(x, FrozenDatetime) must hold for every datetime, as Faker checks types.
        def __instancecheck__(cls, obj: object) -> bool:
            return isinstance(obj, dt.datetime)

    class LikeDate(type):
        def __instancecheck__(cls, obj: object) -> bool:
            return isinstance(obj, dt.date)

    class FrozenDatetime(dt.datetime, metaclass=LikeDatetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
            return now if tz is None else now.replace(tzinfo=dt.timezone.utc).astimezone(tz)

        @classmethod
        def today(cls) -> dt.datetime:  # type: ignore[override]
            return now

        @classmethod
        def utcnow(cls) -> dt.datetime:  # type: ignore[override]
            return now

    class FrozenDate(dt.date, metaclass=LikeDate):
        @classmethod
        def today(cls) -> dt.date:  # type: ignore[override]
            return now.date()

    date_time.datetime = FrozenDatetime  # type: ignore[misc]
    date_time.dtdate = FrozenDate  # type: ignore[misc]
    passport.date = FrozenDate  # type: ignore[misc]


class DbError(Exception):
    """An SQL statement failed in the engine (a bug in the env, not a domain error)."""


class DataFileError(Exception):
    """The engine could not serve a data file (missing, changed, not JSON)."""


class _CallContext:
    """What one call (or the seeding) may do, and the violation it hit, if any."""

    def __init__(self, writes: bool, seeding: bool = False) -> None:
        self.writes = writes
        self.seeding = seeding
        self.violation: str | None = None


def _param(value: Any, max_depth: int) -> Any:
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if max_depth <= 0:
        raise TypeError("an SQL parameter is nested too deeply")
    if isinstance(value, (list, tuple)):
        return [_param(v, max_depth - 1) for v in value]
    if isinstance(value, dict):
        # Only text keys: str() of any other object could carry its address into the state.
        if not all(isinstance(k, str) for k in value):
            raise TypeError("an SQL parameter's dict keys must be text")
        return {k: _param(v, max_depth - 1) for k, v in value.items()}
    raise TypeError(f"an SQL parameter cannot be a {type(value).__name__}")


class Db:
    """The `db` handle env code gets (see sandbox.authoring.Db for the contract)."""

    __slots__ = ("_context", "_max_depth", "_rng", "_rng_seed", "_send", "now", "today")

    def __init__(self, send: Callable[[dict[str, Any]], dict[str, Any]], now: dt.datetime, max_depth: int) -> None:
        self._send = send
        self._max_depth = max_depth
        self._context = _CallContext(writes=False)
        self.now = now
        self.today = now.date()
        self._rng = EnvRandom(0)
        self._rng_seed: str | None = None

    def reseed(self, seed: str) -> None:
        """The seed the RNG takes when env code first reaches it in this call: seeding costs
        more than many tool calls, and most never draw a number."""
        self._rng_seed = seed

    @property
    def rng(self) -> EnvRandom:
        if self._rng_seed is not None:
            self._rng.seed(self._rng_seed)
            self._rng_seed = None
        return self._rng

    def _sql(self, kind: str, sql: str, params: Any) -> Any:
        if not isinstance(sql, str):
            raise TypeError("sql must be a string")
        problem = text_problem(sql)
        if problem is not None:
            raise DbError(f"the SQL text {problem}")
        if params is not None and not isinstance(params, (list, tuple)):
            raise TypeError("params must be a list of values for the ? placeholders")
        reply = self._send({"op": "sql", "kind": kind, "sql": sql,
                            "params": _param(list(params or []), self._max_depth)})
        return self._reply(reply)

    def _reply(self, reply: dict[str, Any]) -> Any:
        if reply.get("op") == "violation":
            self._context.violation = reply["message"]
            raise SandboxViolation(reply["message"])
        if reply.get("op") == "sql_error":
            raise DbError(reply["message"])
        if reply.get("op") == "data_error":
            raise DataFileError(reply["message"])
        return reply["value"]

    def data(self, name: str) -> Any:
        # Checked here for a clear message; the engine enforces it too.
        if not self._context.seeding:
            raise SandboxViolation("db.data() is available in seed() only; tools read the env's tables")
        if not isinstance(name, str):
            raise TypeError("db.data() takes the data file's name as text")
        return self._reply(self._send({"op": "data", "name": name}))

    def query(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        return self._sql("query", sql, params)

    def one(self, sql: str, params: list[Any] | None = None) -> dict[str, Any] | None:
        rows = self._sql("query", sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        rows = self._sql("query", sql, params)
        return next(iter(rows[0].values())) if rows and rows[0] else None

    def execute(self, sql: str, params: list[Any] | None = None) -> int:
        return self._sql("execute", sql, params)

    def insert(self, table: str, rows: list[dict[str, Any]]) -> int:
        if not isinstance(rows, (list, tuple)) or not all(isinstance(r, dict) for r in rows):
            raise TypeError("rows must be a list of dicts")
        if not isinstance(table, str):
            raise TypeError("db.insert() takes the table's name as text")
        reply = self._send({"op": "sql", "kind": "insert", "table": table,
                            "rows": _param(list(rows), self._max_depth)})
        return self._reply(reply)


# Globals the runtime puts in every instance (guards, builtins): trusted, not the module's state.
_RUNTIME_GLOBALS = ("__builtins__", "__name__", "__metaclass__", "_getattr_", "_getitem_", "_getiter_", "_write_",
                    "_inplacevar_", "_apply_", "_print_", "_copy_exception_", "_format_value_", "_mod_",
                    "_unpack_sequence_", "_iter_unpack_sequence_")

_FORBIDDEN_NAMES = frozenset({
    "open", "eval", "exec", "compile", "getattr", "setattr", "delattr", "type", "globals",
    "locals", "vars", "input", "breakpoint", "memoryview", "object", "super", "help", "dir",
    "exit", "quit", "id",
})


def error_of(exc: BaseException, filename: str, limits: dict[str, Any]) -> dict[str, Any]:
    """Map an exception out of env code to a typed error (with the env line, if any)."""
    line = _env_line(exc.__traceback__, filename)
    error = _typed_error(exc, f" ({os.path.basename(filename)}:{line})" if line else "", limits)
    error["message"] = clean_text(error["message"], MAX_MESSAGE_CHARS)
    if line and error["type"] != "ToolError":
        error["line"] = line
    return error


def _env_line(tb: TracebackType | None, filename: str) -> int | None:
    # The frames' own line numbers: traceback.extract_tb would read source files (linecache).
    line = None
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_code.co_filename == filename:
            line = lineno
    return line


def _typed_error(exc: BaseException, where: str, limits: dict[str, Any]) -> dict[str, Any]:
    if isinstance(exc, authoring.ToolError):
        return {"type": "ToolError", "message": str(exc.message) if isinstance(exc.message, str) else "?"}
    if isinstance(exc, SandboxViolation):
        return {"type": "SandboxViolation", "message": f"{exc}{where}"}
    if isinstance(exc, NameError) and getattr(exc, "name", None) in _FORBIDDEN_NAMES:
        return {"type": "SandboxViolation", "message": f"'{exc.name}' is not available in the sandbox{where}"}
    if isinstance(exc, MemoryError):
        return {"type": "ResourceLimit", "message": f"memory limit of {limits['memory_mb']} MiB exceeded{where}"}
    if isinstance(exc, RecursionError):
        return {"type": "ResourceLimit", "message": f"recursion depth limit of {limits['recursion']} exceeded{where}"}
    if isinstance(exc, DbError):
        return {"type": "ToolCrash", "message": scrub(f"SQL failed{where}: {exc}")}
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - a hostile __str__ must not take the reply down
        text = "(its message could not be read)"
    return {"type": "ToolCrash", "message": scrub(f"{type(exc).__name__}: {text}{where}")}  # no addresses


def _stack_depth() -> int:
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth


def _view_roots(runtime: RestrictedRuntime) -> dict[str, Any]:
    """What env code can import, by dotted name: where process-wide state could be reached."""
    roots: dict[str, Any] = {f"sandbox.authoring.{k}": v for k, v in vars(authoring).items() if not k.startswith("_")}
    for name in [*ALLOWED_MODULES, "typing"]:
        view = runtime.builtins["__import__"](name, None, None, ("_",), 0)
        roots.update({f"{name}.{k}": v for k, v in object.__getattribute__(view, "_attrs").items()})
    return roots


class Worker:
    """One env module, loaded in this process, answering the engine's requests.

    Every call starts from a fresh instance of the module (its compiled code executed
    into new globals) or from one no call has changed: after each call the instance is
    checked (sandbox.instance_state) and, if anything in it changed, dropped and made
    again. Mutable defaults, class attributes, closures, caches or counters a call
    changed are gone at the next call. The seeding runs in an instance of its own.
    """

    def __init__(self, fd_in: int, fd_out: int) -> None:
        self.fd_in = fd_in
        self.fd_out = fd_out
        self.filename = "<env>"
        self.module = "env"
        self.code: CodeType | None = None
        self.runtime: RestrictedRuntime | None = None
        self.tools: dict[str, str] = {}  # tool name -> the module global holding it
        self.limits: dict[str, Any] = {}
        self.db: Db | None = None
        self.def_lines: dict[str, int] = {}
        self.faker: Any = None
        self.state: ProcessState | None = None
        self.seq: Any = None  # the request being served: every message about it carries it
        self.confinement: dict[str, Any] = {}
        # The instance calls run in while no call changes it (None: make one), and what it held.
        self.instance: dict[str, Any] | None = None
        self.instance_state: InstanceState | None = None
        self.shared: frozenset[int] = frozenset()  # ids of objects every instance shares
        self.instances_made = 0
        self.reusable = True  # False once an instance held something whose changes cannot be checked

    def _write_deadline(self) -> float:
        # The engine reads while it waits for an answer; one that stops reading this long
        # has given up on this worker (and will kill it).
        return time.monotonic() + 30.0 + float(self.limits.get("seed_timeout_s", 0))

    def send(self, message: dict[str, Any]) -> None:
        self.send_frame(protocol.encode({**message, "seq": self.seq}))

    def send_frame(self, data: bytes) -> None:
        try:
            protocol.write_all(self.fd_out, data, self._write_deadline())
        except protocol.ChannelTimeout:
            os._exit(75)  # a half-written frame: the engine restarts a worker that goes silent

    def ask(self, message: dict[str, Any]) -> dict[str, Any]:
        try:
            data = protocol.encode({**message, "seq": self.seq})
        except (ValueError, TypeError, RecursionError) as exc:
            raise TypeError(f"the request cannot be sent to the engine: {exc}") from None
        self.send_frame(data)
        reply = protocol.read_frame(self.fd_in)
        if reply.get("seq") != self.seq:
            os._exit(76)  # out of step: only a restart puts the channel right
        return reply

    def serve(self) -> None:
        os.set_blocking(self.fd_out, False)  # writes keep to a deadline (send_frame)
        while True:
            try:
                message = protocol.read_frame(self.fd_in)
            except (protocol.ChannelClosed, protocol.ProtocolError):
                return
            self.seq = message.get("seq")
            try:
                self.answer(message)
            except protocol.ChannelClosed:
                return
            except BaseException as exc:  # noqa: BLE001 - a failure to answer is reported once, or the worker ends
                self._fail(message.get("op"), exc)
            self.prepare_instance()  # after the answer: the check and a rebuild cost the caller no time

    def prepare_instance(self) -> None:
        """Drop the call instance if the last call changed it, and make one if there is none."""
        if self.code is None or not self.tools or not self.reusable:
            return  # not loaded, or every call makes its own instance
        if self.instance is not None and (self.instance_state is None or self.instance_state.changed()):
            self._drop_instance()
        if self.instance is None:
            try:
                namespace = self._instance()
            except BaseException:  # noqa: BLE001 - the call will make it again and report the error
                return
            if not self._keep_instance(namespace):
                namespace.clear()

    def _keep_instance(self, namespace: dict[str, Any]) -> bool:
        """Keep a fresh instance for calls, if its state can be checked after each one."""
        state = InstanceState.record(namespace, self.shared | {id(namespace[k]) for k in _RUNTIME_GLOBALS
                                                                if k in namespace})
        if state is None:
            self.reusable = False  # the same code makes the same kinds of objects every time
            return False
        self.instance, self.instance_state = namespace, state
        return True

    def _call_instance(self) -> dict[str, Any]:
        if self.instance is not None:
            return self.instance
        namespace = self._instance()
        if self.reusable:
            self._keep_instance(namespace)
        return namespace

    def _drop_instance(self) -> None:
        if self.instance is not None:
            self.instance.clear()  # functions and their globals form cycles: break them now
            self.instance = self.instance_state = None
            # Its classes still form cycles, which the young collections after each call
            # leave alone (they have aged by then): an env whose calls all change their
            # instance would otherwise grow by one instance per call.
            gc.collect()
        self.instance = self.instance_state = None

    def answer(self, message: dict[str, Any]) -> None:
        op = message.get("op")
        if op == "load":
            self.send(self.load(message))
        elif op == "seed":
            self.send(self.run(message, seeding=True))  # type: ignore[arg-type]
        elif op == "call":
            self.send_result(self.run(message, seeding=False))
        else:
            self.send({"op": "done", "ok": False,
                       "error": {"type": "ToolCrash", "message": f"unknown op {op!r}"[:200]}})

    def _fail(self, op: Any, exc: BaseException) -> None:
        """Answer a request whose handling failed outside env code (a MemoryError building the
        reply, say); if even that fails, end: the engine restarts a worker that closes its pipe."""
        try:
            kind = "ResourceLimit" if isinstance(exc, (MemoryError, RecursionError)) else "ToolCrash"
            error = {"type": kind, "message": f"the worker could not answer: {type(exc).__name__}"}
            if op == "load":
                self.send(_load_error(error["message"], 0))
            else:
                self.send({"op": "done", "ok": False, "error": error})
        except BaseException:  # noqa: BLE001
            os._exit(70)

    def send_result(self, outcome: dict[str, Any] | bytes) -> None:
        if isinstance(outcome, bytes):
            self.send_frame(protocol.frame(outcome))
        else:
            self.send(outcome)

    # -- loading --------------------------------------------------------------
    def load(self, message: dict[str, Any]) -> dict[str, Any]:
        self.filename = message["filename"]
        self.module = message["module"]
        self.limits = message["limits"]
        now = dt.datetime.fromisoformat(message["now"])
        runtime = RestrictedRuntime(now)
        self.runtime = runtime
        roots = _view_roots(runtime)
        self.state = ProcessState(roots)
        self.shared = frozenset(id(v) for v in [*roots.values(), *runtime.builtins.values(), runtime.builtins])
        if message.get("seeding"):
            self.faker = _import_faker(now)  # its imports read files: before the OS layer
        for codec in _CODECS:  # codecs load on first use, which the OS layer would refuse
            codecs.lookup(codec)
        try:
            compiled = compile_env(message["source"], self.filename)
        except SyntaxError as exc:
            return _load_error(f"{exc.msg}", exc.lineno or 0, getattr(exc, "problems", None))
        except (RecursionError, MemoryError) as exc:
            return _load_error(f"the module cannot be compiled: {type(exc).__name__}", 0)
        self.code = compiled.code
        self.def_lines = compiled.def_lines
        self.db = Db(self.ask, now, int(self.limits["max_depth"]))
        _limit_memory(int(self.limits["memory_mb"]))
        # Everything the worker will ever read from disk is loaded: from here on it can
        # open no file, run no program, make no process or socket (where the OS allows).
        _load_lazy_imports()
        self.confinement = os_confinement.confine()
        # What the worker holds from here on (modules, views, the compiled code) lives as
        # long as it: the collector skips it, so collecting a dropped instance stays cheap.
        gc.freeze()
        try:
            namespace = self._instance()
        except BaseException as exc:  # noqa: BLE001 - any failure is reported to the engine
            err = error_of(exc, self.filename, self.limits)
            return _load_error(err["message"], err.get("line", 0))
        kept = self._keep_instance(namespace)  # before describe(): what the instance held as made
        try:
            reply = self.describe(namespace)
        except (RecursionError, MemoryError) as exc:
            reply = _load_error(f"the module's tools cannot be described: {type(exc).__name__} (a default value "
                                "nested too deeply?)", 0)
        if not kept or not reply["ok"]:
            self._drop_instance()
            namespace.clear()
        return reply

    def _instance(self) -> dict[str, Any]:
        """A fresh instance of the env module: its code run again into new globals. The
        call instance is dropped: the runtime guards the constants of one instance only."""
        assert self.runtime is not None and self.code is not None
        self._drop_instance()
        self.instances_made += 1
        if self.state is not None:  # module-level code sees the clean decimal context, not the last call's
            self.state.reset()
        namespace = self.runtime.module_globals(self.module)
        exec(self.code, namespace)  # noqa: S102 - RestrictedPython-compiled env code
        self.runtime.freeze(namespace)
        return namespace

    def describe(self, ns: dict[str, Any]) -> dict[str, Any]:
        problems: list[dict[str, Any]] = []
        tools: list[dict[str, Any]] = []
        max_depth = int(self.limits["max_depth"])
        for key, value in list(ns.items()):
            mark = getattr(value, authoring.TOOL_MARK, None)
            if not isinstance(mark, authoring.ToolSpecMark):
                continue
            line = self.def_lines.get(value.__name__, value.__code__.co_firstlineno)
            try:
                function = tool_function_schema(value)
            except SchemaError as exc:
                problems.append({"message": str(exc), "line": self.def_lines.get(value.__name__, exc.line)})
                continue
            problem = nesting_problem(function, max_depth)
            if problem is None:
                try:
                    protocol.encode(function)
                except (ValueError, TypeError) as exc:
                    problem = f"is not JSON data ({clean_text(str(exc), 200)})"
            if problem is not None:
                problems.append({"message": f"the schema of tool {function['name']!r} (its defaults) {problem}",
                                 "line": line})
                continue
            self.tools[function["name"]] = key
            tools.append({"function": function, "writes": mark.writes, "confirm": bool(mark.confirm),
                          "phrasing": list(mark.phrasing),
                          "line": line})
        tables = ns.get("TABLES")
        if not isinstance(tables, str) or not tables.strip():
            problems.append({"message": "the module must define TABLES: a string of CREATE TABLE statements",
                             "line": 0})
        seed = ns.get("seed")
        if not callable(seed):
            problems.append({"message": "the module must define seed(db, fake)", "line": 0})
        if not tools:
            problems.append({"message": "the module defines no @tool functions", "line": 0})
        user_table = ns.get("USER_TABLE")
        if user_table is not None and (not isinstance(user_table, str) or not user_table.strip()):
            problems.append({"message": "USER_TABLE must name the table of the env's users (a string) or be left "
                                        "out", "line": 0})
        authenticate = ns.get("AUTHENTICATE_FIRST", False)
        if not isinstance(authenticate, bool) or (authenticate and user_table is None):
            problems.append({"message": "AUTHENTICATE_FIRST must be True or False, and True needs USER_TABLE",
                             "line": 0})
        check_first = ns.get("CHECK_BEFORE_WRITE", False)
        if not isinstance(check_first, bool):
            problems.append({"message": "CHECK_BEFORE_WRITE must be True or False", "line": 0})
        doc = ns.get("__doc__")
        reply = {"op": "loaded", "ok": not problems, "problems": problems, "tools": tools,
                 "tables": tables if isinstance(tables, str) else "",
                 "description": doc.strip() if isinstance(doc, str) else "",
                 "user_table": user_table if isinstance(user_table, str) else None,
                 "authenticate_first": authenticate is True,
                 "check_before_write": check_first is True,
                 "confinement": self.confinement}
        try:
            protocol.encode(reply)
        except (ValueError, TypeError) as exc:  # TABLES, the docstring or USER_TABLE is not valid text
            return _load_error(f"the module's TABLES, USER_TABLE or docstring is not valid text: "
                               f"{clean_text(str(exc), 200)}", 0)
        return reply

    # -- calls ----------------------------------------------------------------
    def run(self, message: dict[str, Any], seeding: bool) -> dict[str, Any] | bytes:
        collections = _collections_made()
        reply = self._run(message, seeding)
        if not seeding and self.instance is not None:
            # The call's frames are gone: what it made and dropped is garbage now.
            self._collect_call_garbage(collections)
        return reply

    def _collect_call_garbage(self, before: tuple[int, int, int]) -> None:
        """Run, within the call, what the call's cyclic garbage would run when collected (a
        suspended generator's `finally`, say): left to the interpreter, it would run during
        a later call and could change the instance that call uses. Garbage the call may have
        left in the oldest generation is not looked for (a full collection costs
        milliseconds): the instance is dropped instead, and whatever runs later changes an
        instance no call uses any more."""
        now = _collections_made()
        if now[1:] != before[1:]:
            self.instance_state = None  # prepare_instance() drops it
        else:
            gc.collect(1 if now[0] != before[0] else 0)

    def _run(self, message: dict[str, Any], seeding: bool) -> dict[str, Any] | bytes:
        assert self.db is not None and self.state is not None
        db = self.db
        db.reseed(str(message["rng"]))
        self.state.reset()
        used = resource.getrusage(resource.RUSAGE_SELF)
        budget = self.limits["seed_timeout_s" if seeding else "timeout_s"]
        cpu_cap = int(used.ru_utime + used.ru_stime + 2 * budget + 2)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_cap, resource.RLIM_INFINITY))
        context = _CallContext(writes=True, seeding=True) if seeding else _CallContext(writes=bool(message["writes"]))
        db._context = context
        depth = _stack_depth()
        sys.setrecursionlimit(depth + 20 + int(self.limits["recursion"]))
        namespace: dict[str, Any] = {}
        try:
            if seeding:
                namespace = self._instance()
                if self.faker is None:
                    raise SandboxViolation("this worker was not started to seed the env")
                self.faker.unique.clear()
                self.faker.seed_instance(message["seed"])
                result = namespace["seed"](db, FakeView(self.faker))
            else:
                namespace = self._call_instance()
                result = namespace[self.tools[message["tool"]]](db, **message["args"])
        except BaseException as exc:  # noqa: BLE001 - every failure becomes a typed error
            return self._done({"op": "done", "ok": False, "error": error_of(exc, self.filename, self.limits)})
        finally:
            sys.setrecursionlimit(depth + 1000)
            if namespace is not self.instance:
                namespace.clear()  # functions and their globals form cycles: break them now
        if context.violation is not None:
            return self._done({"op": "done", "ok": False, "error": {
                "type": "SandboxViolation", "message": clean_text(context.violation, MAX_MESSAGE_CHARS)}})
        if seeding:
            return self._done({"op": "done", "ok": True, "result": None})
        tool = message["tool"]
        try:
            problem = nesting_problem(result, int(self.limits["max_depth"]))
            if problem is not None:
                return self._done({"op": "done", "ok": False, "error": {
                    "type": "ResourceLimit", "message": f"tool '{tool}' returned data {problem}"}})
            body = json.dumps(result, separators=(",", ":"), allow_nan=False, ensure_ascii=False).encode()
        except (TypeError, ValueError) as exc:
            return self._done({"op": "done", "ok": False, "error": {
                "type": "ToolCrash",
                "message": f"tool '{tool}' returned data that is not JSON: {clean_text(str(exc), 300)}"}})
        except (RecursionError, MemoryError):
            return self._done({"op": "done", "ok": False, "error": {
                "type": "ResourceLimit", "message": f"tool '{tool}' returned data too large or nested too deeply"}})
        cap = int(self.limits["max_result_bytes"])
        if len(body) > cap:
            return self._done({"op": "done", "ok": False, "error": {
                "type": "ResourceLimit",
                "message": f"tool '{tool}' returned {len(body)} bytes of JSON; the limit is {cap}"}})
        restart = b',"restart":true' if self.state.tainted() is not None else b""
        return b'{"op":"done","ok":true,"result":' + body + restart + b',"seq":' + json.dumps(self.seq).encode() + b"}"

    def _done(self, reply: dict[str, Any]) -> dict[str, Any]:
        assert self.state is not None
        if self.state.tainted() is not None:
            reply["restart"] = True  # the engine replaces this worker before the next call
        return reply


def _collections_made() -> tuple[int, int, int]:
    """How many collections of each generation the interpreter has made so far."""
    return tuple(generation["collections"] for generation in gc.get_stats())  # type: ignore[return-value]


def _load_lazy_imports() -> None:
    """Run once what allowed modules import only on first use (uuid3/uuid5 import hashlib,
    strptime imports _strptime, calendar and locale): under the OS layer no module file
    can be opened, so these would fail in env code."""
    import uuid

    uuid.uuid3(uuid.NAMESPACE_DNS, "")
    uuid.uuid5(uuid.NAMESPACE_DNS, "")
    dt.datetime.strptime("2000-01-02 03:04", "%Y-%m-%d %H:%M")
    time.strptime("2000", "%Y")
    dt.date(2000, 1, 2).strftime("%A %B %c")


def _import_faker(now: dt.datetime) -> Any:
    from faker import Faker

    freeze_faker_clock(now)
    faker = Faker("en_US", use_weighting=False)
    faker.seed_instance(0)
    allowed_providers()  # it builds a Faker and inspects its providers: before the OS layer
    return faker


def _load_error(message: str, line: int, problems: list[tuple[int, str]] | None = None) -> dict[str, Any]:
    listed = ([{"message": clean_text(m, MAX_MESSAGE_CHARS), "line": n} for n, m in problems[:100]] if problems
              else [{"message": clean_text(message, MAX_MESSAGE_CHARS), "line": line}])
    return {"op": "loaded", "ok": False, "problems": listed,
            "tools": [], "tables": "", "description": "", "user_table": None}


def _limit_memory(megabytes: int) -> None:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    current = pages * os.sysconf("SC_PAGE_SIZE")
    cap = current + megabytes * 1024 * 1024
    # Hard as well as soft: set once, after the last import, so nothing (not even code
    # that got past RestrictedPython) can raise it again.
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def main() -> None:
    fd_out = os.dup(1)
    os.dup2(2, 1)  # a stray print can never corrupt the protocol
    try:
        Worker(0, fd_out).serve()
    except protocol.ChannelClosed:
        sys.exit(0)  # the engine went away (killed or done): nothing left to answer


if __name__ == "__main__":
    main()
