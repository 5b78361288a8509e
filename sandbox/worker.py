"""The worker process: runs one env module's code under RestrictedPython.

It holds no state of its own: every read and write goes to the engine as SQL over the
pipe, so the engine can kill a runaway worker at any moment and lose nothing. Started
by `sandbox.worker_client` as `python -m sandbox.worker`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import random
import resource
import sys
import traceback
from collections.abc import Callable
from typing import Any

from sandbox import authoring, protocol
from sandbox.restricted import RestrictedRuntime, SandboxViolation, compile_env
from sandbox.tool_schema import SchemaError, tool_function_schema

# Faker attributes that reach its internals or reseed it.
_FAKER_DENIED = frozenset({
    "seed", "seed_instance", "seed_locale", "random", "providers", "add_provider",
    "get_providers", "provider", "factories", "locales", "weights", "format", "parse",
    "set_formatter", "get_formatter", "set_arguments", "del_arguments", "get_arguments",
    "items", "optional",
    # These parse "{{method}}" templates, calling any method by name (seed_instance too).
    "pystr_format", "json", "json_bytes", "fixed_width", "dsv", "csv", "tsv", "psv", "xml",
    # Evaluated its default date at import time, from the real clock.
    "passport_dates",
})
_PLAIN = (str, int, float, bool, type(None), dt.date, dt.time, dt.timedelta, decimal.Decimal)


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


def _plain(value: Any) -> Any:
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    raise SandboxViolation(f"Faker returned a {type(value).__name__}; only plain data is passed on")


class FakeView:
    """A seeded Faker that hands out plain data only."""

    __slots__ = ("_faker",)

    def __init__(self, faker: Any) -> None:
        object.__setattr__(self, "_faker", faker)

    def __getattr__(self, name: str) -> Any:
        if name in _FAKER_DENIED or name.startswith("_"):
            raise SandboxViolation(f"fake.{name} is not available in an env module")
        if name == "unique":
            return FakeView(self._faker.unique)
        attr = getattr(self._faker, name)
        if not callable(attr):
            raise SandboxViolation(f"fake.{name} is not a provider method")

        def provider(*args: Any, **kwargs: Any) -> Any:
            return _plain(attr(*args, **kwargs))

        return provider

    def __setattr__(self, name: str, value: Any) -> None:
        raise SandboxViolation("fake is read-only")


def _param(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_param(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _param(v) for k, v in value.items()}
    raise TypeError(f"an SQL parameter cannot be a {type(value).__name__}")


class Db:
    """The `db` handle env code gets (see sandbox.authoring.Db for the contract)."""

    __slots__ = ("_context", "_send", "now", "rng", "today")

    def __init__(self, send: Callable[[dict[str, Any]], dict[str, Any]], now: dt.datetime) -> None:
        self._send = send
        self._context = _CallContext(writes=False)
        self.now = now
        self.today = now.date()
        self.rng = EnvRandom(0)

    def _sql(self, kind: str, sql: str, params: Any) -> Any:
        if not isinstance(sql, str):
            raise TypeError("sql must be a string")
        if params is not None and not isinstance(params, (list, tuple)):
            raise TypeError("params must be a list of values for the ? placeholders")
        reply = self._send({"op": "sql", "kind": kind, "sql": sql, "params": _param(list(params or []))})
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
        return self._reply(self._send({"op": "data", "name": name if isinstance(name, str) else repr(name)}))

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
        reply = self._send({"op": "sql", "kind": "insert", "table": str(table), "rows": _param(list(rows))})
        return self._reply(reply)


_FORBIDDEN_NAMES = frozenset({
    "open", "eval", "exec", "compile", "getattr", "setattr", "delattr", "type", "globals",
    "locals", "vars", "input", "breakpoint", "memoryview", "object", "super", "help", "dir",
    "exit", "quit", "id",
})


def error_of(exc: BaseException, filename: str, limits: dict[str, Any]) -> dict[str, Any]:
    """Map an exception out of env code to a typed error (with the env line, if any)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    line = frames[-1].lineno if frames else None
    error = _typed_error(exc, f" ({os.path.basename(filename)}:{line})" if line else "", limits)
    if line and error["type"] != "ToolError":
        error["line"] = line
    return error


def _typed_error(exc: BaseException, where: str, limits: dict[str, Any]) -> dict[str, Any]:
    if isinstance(exc, authoring.ToolError):
        return {"type": "ToolError", "message": exc.message}
    if isinstance(exc, SandboxViolation):
        return {"type": "SandboxViolation", "message": f"{exc}{where}"}
    if isinstance(exc, NameError) and getattr(exc, "name", None) in _FORBIDDEN_NAMES:
        return {"type": "SandboxViolation", "message": f"'{exc.name}' is not available in the sandbox{where}"}
    if isinstance(exc, MemoryError):
        return {"type": "ResourceLimit", "message": f"memory limit of {limits['memory_mb']} MiB exceeded{where}"}
    if isinstance(exc, RecursionError):
        return {"type": "ResourceLimit", "message": f"recursion depth limit of {limits['recursion']} exceeded{where}"}
    if isinstance(exc, DbError):
        return {"type": "ToolCrash", "message": f"SQL failed{where}: {exc}"}
    return {"type": "ToolCrash", "message": f"{type(exc).__name__}: {exc}{where}"}


class Worker:
    """One env module, loaded in this process, answering the engine's requests."""

    def __init__(self, fd_in: int, fd_out: int) -> None:
        self.fd_in = fd_in
        self.fd_out = fd_out
        self.filename = "<env>"
        self.tools: dict[str, Any] = {}
        self.namespace: dict[str, Any] = {}
        self.limits: dict[str, Any] = {}
        self.db: Db | None = None
        self.def_lines: dict[str, int] = {}

    def send(self, message: dict[str, Any]) -> None:
        protocol.write_all(self.fd_out, protocol.encode(message))

    def ask(self, message: dict[str, Any]) -> dict[str, Any]:
        self.send(message)
        return protocol.read_frame(self.fd_in)

    def serve(self) -> None:
        while True:
            try:
                message = protocol.read_frame(self.fd_in)
            except protocol.ChannelClosed:
                return
            op = message.get("op")
            if op == "load":
                self.send(self.load(message))
            elif op == "seed":
                self.send(self.run(message, seeding=True))
            elif op == "call":
                self.send_result(self.run(message, seeding=False))
            else:
                self.send({"op": "done", "ok": False, "error": {"type": "ToolCrash", "message": f"unknown op {op!r}"}})

    def send_result(self, outcome: dict[str, Any] | bytes) -> None:
        if isinstance(outcome, bytes):
            protocol.write_all(self.fd_out, protocol.frame(outcome))
        else:
            self.send(outcome)

    def load(self, message: dict[str, Any]) -> dict[str, Any]:
        self.filename = message["filename"]
        self.limits = message["limits"]
        _limit_memory(int(self.limits["memory_mb"]))
        now = dt.datetime.fromisoformat(message["now"])
        runtime = RestrictedRuntime(now)
        try:
            compiled = compile_env(message["source"], self.filename)
        except SyntaxError as exc:
            return _load_error(f"{exc.msg}", exc.lineno or 0)
        namespace = runtime.module_globals(message["module"])
        self.db = Db(self.ask, now)
        self.db._context = _CallContext(writes=False)
        try:
            exec(compiled.code, namespace)  # noqa: S102 - RestrictedPython-compiled env code
        except BaseException as exc:  # noqa: BLE001 - any failure is reported to the engine
            err = error_of(exc, self.filename, self.limits)
            return _load_error(err["message"], err.get("line", 0))
        runtime.freeze(namespace)
        self.namespace = namespace
        self.def_lines = compiled.def_lines
        return self.describe()

    def describe(self) -> dict[str, Any]:
        ns = self.namespace
        problems: list[dict[str, Any]] = []
        tools: list[dict[str, Any]] = []
        for value in list(ns.values()):
            mark = getattr(value, authoring.TOOL_MARK, None)
            if not isinstance(mark, authoring.ToolSpecMark):
                continue
            try:
                function = tool_function_schema(value)
            except SchemaError as exc:
                problems.append({"message": str(exc), "line": self.def_lines.get(value.__name__, exc.line)})
                continue
            self.tools[function["name"]] = value
            tools.append({"function": function, "writes": mark.writes, "confirm": bool(mark.confirm),
                          "phrasing": list(mark.phrasing),
                          "line": self.def_lines.get(value.__name__, value.__code__.co_firstlineno)})
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
        doc = ns.get("__doc__")
        return {"op": "loaded", "ok": not problems, "problems": problems, "tools": tools,
                "tables": tables if isinstance(tables, str) else "",
                "description": doc.strip() if isinstance(doc, str) else "",
                "user_table": user_table if isinstance(user_table, str) else None,
                "authenticate_first": authenticate is True}

    def run(self, message: dict[str, Any], seeding: bool) -> dict[str, Any] | bytes:
        assert self.db is not None
        db = self.db
        db.rng.seed(message["rng"])
        used = resource.getrusage(resource.RUSAGE_SELF)
        budget = self.limits["seed_timeout_s" if seeding else "timeout_s"]
        cpu_cap = int(used.ru_utime + used.ru_stime + 2 * budget + 2)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_cap, resource.RLIM_INFINITY))
        if seeding:
            from faker import Faker  # imported here: only seeding needs it

            _limit_memory(int(self.limits["memory_mb"]))
            freeze_faker_clock(db.now)
            faker = Faker("en_US", use_weighting=False)
            faker.seed_instance(message["seed"])
            context = _CallContext(writes=True, seeding=True)
            target: Callable[[], Any] = lambda: self.namespace["seed"](db, FakeView(faker))  # noqa: E731
        else:
            fn = self.tools[message["tool"]]
            args = message["args"]
            context = _CallContext(writes=bool(message["writes"]))
            target = lambda: fn(db, **args)  # noqa: E731
        db._context = context
        depth = len(traceback.extract_stack())
        sys.setrecursionlimit(depth + 20 + int(self.limits["recursion"]))
        try:
            result = target()
        except BaseException as exc:  # noqa: BLE001 - every failure becomes a typed error
            return {"op": "done", "ok": False, "error": error_of(exc, self.filename, self.limits)}
        finally:
            sys.setrecursionlimit(depth + 1000)
        if context.violation is not None:
            return {"op": "done", "ok": False, "error": {"type": "SandboxViolation", "message": context.violation}}
        if seeding:
            return {"op": "done", "ok": True, "result": None}
        try:
            body = json.dumps(result, separators=(",", ":"), allow_nan=False, ensure_ascii=False).encode()
        except (TypeError, ValueError) as exc:
            return {"op": "done", "ok": False, "error": {
                "type": "ToolCrash", "message": f"tool '{message['tool']}' returned data that is not JSON: {exc}"}}
        except RecursionError:
            return {"op": "done", "ok": False, "error": {
                "type": "ResourceLimit", "message": f"tool '{message['tool']}' returned data nested too deeply"}}
        cap = int(self.limits["max_result_bytes"])
        if len(body) > cap:
            return {"op": "done", "ok": False, "error": {
                "type": "ResourceLimit",
                "message": f"tool '{message['tool']}' returned {len(body)} bytes of JSON; the limit is {cap}"}}
        return b'{"op":"done","ok":true,"result":' + body + b"}"


def _load_error(message: str, line: int) -> dict[str, Any]:
    return {"op": "loaded", "ok": False, "problems": [{"message": message, "line": line}],
            "tools": [], "tables": "", "description": "", "user_table": None}


def _limit_memory(megabytes: int) -> None:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    current = pages * os.sysconf("SC_PAGE_SIZE")
    cap = current + megabytes * 1024 * 1024
    # Soft limit only, so the worker itself can re-base it after importing Faker;
    # env code has no way to call setrlimit.
    resource.setrlimit(resource.RLIMIT_AS, (cap, resource.RLIM_INFINITY))


def main() -> None:
    fd_out = os.dup(1)
    os.dup2(2, 1)  # a stray print can never corrupt the protocol
    try:
        Worker(0, fd_out).serve()
    except protocol.ChannelClosed:
        sys.exit(0)  # the engine went away (killed or done): nothing left to answer


if __name__ == "__main__":
    main()
