"""A live environment: an env module's tools running in a worker over a DuckDB state.

    with load_env("retail", seed=7) as env:
        result = env.call("get_order", {"order_id": "#W1001"})

The engine (this process) owns the state; the worker runs the tool code and reaches
the state only through policy-checked SQL sent back over its pipe.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
import warnings
import weakref
from pathlib import Path
from typing import Any

import duckdb
import jsonschema
from pydantic import BaseModel, ValidationError

from sandbox.call_memo import SEEDED, CallMemo, MemoKey, state_after
from sandbox.data_files import DataFileError, DataNameViolation, read_data_file
from sandbox.errors import CallError, CallResult, EnvLoadError, failure
from sandbox.held_trial import HeldTrial
from sandbox.json_values import strict_json_problem
from sandbox.limits import Limits
from sandbox.registry import EnvSource, resolve
from sandbox.seed_journal import SeedJournal, SeedReplayFailed
from sandbox.sql_policy import PolicyViolation
from sandbox.state import DbError, Session, Snapshot, StateError, StateStore, Table
from sandbox.state_diff import StateDiff
from sandbox.state_summaries import StateSummaries
from sandbox.tool_schema import derived_schema_problem
from sandbox.worker_client import WorkerDied, WorkerProcess, WorkerTimeout

_EPOCH = dt.datetime(2026, 1, 1, 9, 0)
# Largest message a worker may send: bulk inserts while seeding can be megabytes (results
# are capped far lower by Limits.max_result_bytes).
_MAX_FRAME = 256 << 20
# The most a call's arguments may hold: a hostile answer (a million-item list, 50 MB of
# text) would otherwise cost the engine seconds of checks, memo keys and pipe writes that
# no call deadline covers. A model's real arguments are far smaller.
MAX_ARGUMENT_VALUES = 100_000
MAX_ARGUMENT_CHARS = 1 << 20
# Largest message during a tool call: results are capped far lower, so only hostile SQL
# text or parameters come near it.
_MAX_CALL_FRAME = 16 << 20
# Longest SQL statement the engine takes from env code (checking a longer one would cost
# the engine time no deadline covers).
MAX_SQL_CHARS = 100_000
# Nesting of a frame around the values Limits.max_depth bounds (a default inside a schema
# inside a tool inside the load reply).
_FRAME_DEPTH = 16


class ConfinementUnavailable(UserWarning):
    """The worker runs without (part of) the OS layer on this platform; see sandbox.os_confinement."""


class ToolSpec(BaseModel):
    """A tool as the model sees it (name, description, JSON schema) plus engine facts."""

    name: str
    description: str
    parameters: dict[str, Any]
    writes: bool
    phrasing: list[str] = []
    line: int = 0
    confirm: bool = False  # @tool(confirm=True): the env's policy asks the user's agreement first

    def openai(self) -> dict[str, Any]:
        """The tool in the OpenAI `tools` format."""
        return {"type": "function", "function": {
            "name": self.name, "description": self.description, "parameters": self.parameters}}


class _WorkerTool(BaseModel):
    function: dict[str, Any]
    writes: bool
    confirm: bool = False
    phrasing: list[str]
    line: int


class _WorkerProblem(BaseModel):
    message: str
    line: int


class _LoadedReply(BaseModel):
    """What a worker reports after loading a module (untrusted: validated here)."""

    ok: bool
    problems: list[_WorkerProblem]
    tools: list[_WorkerTool]
    tables: str
    description: str
    user_table: str | None = None
    authenticate_first: bool = False
    check_before_write: bool = False
    confinement: dict[str, list[str]] | None = None


def env_now(seed: int) -> dt.datetime:
    """The env's frozen clock: a day of 2026 chosen by the seed, 09:00."""
    return _EPOCH + dt.timedelta(days=random.Random(f"clock:{seed}").randrange(365))


def _error_rank(error: jsonschema.ValidationError) -> tuple[int, str]:
    # Unknown names first, then missing ones, then bad values: the most telling first.
    order = {"additionalProperties": 0, "required": 1}
    return order.get(str(error.validator), 2), ".".join(str(p) for p in error.absolute_path)


def _argument_error(error: jsonschema.ValidationError, tool: ToolSpec) -> CallResult:
    path = [str(p) for p in error.absolute_path]
    known = ", ".join(tool.parameters.get("properties", {})) or "none"
    if error.validator == "required" and not path:
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return failure("InvalidArguments", f"missing required argument '{missing}' for {tool.name}", missing)
    if error.validator == "additionalProperties" and not path:
        extra = sorted(set(error.instance) - set(tool.parameters.get("properties", {})))
        name = extra[0] if extra else "?"
        return failure("InvalidArguments", f"unknown argument '{name}' for {tool.name}; arguments: {known}", name)
    argument = path[0] if path else None
    where = ".".join(path) if path else "arguments"
    expected = error.schema.get("enum") if error.validator == "enum" else error.validator_value
    if error.validator == "enum":
        detail = f"expected one of {json.dumps(expected)}, got {json.dumps(error.instance)}"
    elif error.validator == "type":
        detail = f"expected {expected}, got {json.dumps(error.instance)} ({type(error.instance).__name__})"
    else:
        detail = error.message
    return failure("InvalidArguments", f"argument '{where}' of {tool.name}: {detail}", argument)


class Environment:
    """One seeded env: call its tools, inspect and rewind its state."""

    def __init__(self, source: EnvSource, seed: int, limits: Limits, seeded: bool = True,
                 memo_size: int = 4096, keep_seed: bool = False, twin_of: Environment | None = None) -> None:
        self.name = source.name
        self._source = source
        self.path = source.path
        self.digest = source.digest
        self.seed = seed
        self.limits = limits
        self.now = env_now(seed)
        self._data_dir = Path(source.data_dir) if source.data_dir else None
        self._data_files = source.data_files
        # A twin's seeded state is its original's seeding replayed (see sandbox.seed_journal):
        # its worker never seeds, so it loads without Faker.
        journal = twin_of.seed_journal if twin_of is not None else None
        self._worker = WorkerProcess({
            "op": "load", "source": source.source, "filename": source.path, "module": f"env_{source.name}",
            "now": self.now.isoformat(), "limits": limits.model_dump(), "seeding": seeded and journal is None,
        }, max_frame=_MAX_FRAME, max_depth=limits.max_depth + _FRAME_DEPTH)
        self._store: StateStore | None = None
        # Twins share the memo and the state summaries: state ids name the same states in both.
        self.memo = twin_of.memo if twin_of is not None else CallMemo(memo_size)
        self.seed_journal = journal  # kept when asked (keep_seed): what twin() replays
        self._state_id = SEEDED
        # The write trial whose transaction is still open (see sandbox.held_trial). With
        # memo_size=0 none is held: every call runs, the reference the tests compare with.
        self._held: HeldTrial | None = None
        self._hold_trials = memo_size > 0
        self._summaries = twin_of._summaries if twin_of is not None else StateSummaries(enabled=memo_size > 0)
        self._snapshot_ids: weakref.WeakKeyDictionary[Snapshot, str] = weakref.WeakKeyDictionary()
        # An env dropped without close() must not leave its worker or connection behind.
        self._resources: list[WorkerProcess | StateStore] = [self._worker]
        self._reap = weakref.finalize(self, _close_all, self._resources)
        try:
            # A twin's state is replayed while its worker starts (the original's tables, which
            # the worker's must then be).
            replayed = self._replayed(source, twin_of.tables_ddl, journal) \
                if seeded and twin_of is not None and journal is not None else None
            # A twin's worker must describe the tools exactly as its original's did: it takes
            # the tools already checked and compiled (the same checks would give the same answer).
            checked = twin_of._reply.tools if twin_of is not None else None
            reply = self._loaded(source, checked)
            self._reply = reply
            self.description = reply.description
            if twin_of is not None:
                # A twin shares its original's memo: it must run the very same tools.
                if reply.tools != checked or reply.tables != twin_of.tables_ddl:
                    raise EnvLoadError([(source.path, 0, "the worker described other tools or TABLES than the "
                                                         "env it is a twin of")])
                self.tools, self._tools, self._validators = twin_of.tools, twin_of._tools, twin_of._validators
            else:
                self.tools = [ToolSpec(name=t.function["name"], description=t.function["description"],
                                       parameters=t.function["parameters"], writes=t.writes,
                                       phrasing=t.phrasing, line=t.line, confirm=t.writes and t.confirm)
                              for t in reply.tools]
                self._tools = {t.name: t for t in self.tools}
                self._validators = {t.name: jsonschema.Draft202012Validator(t.parameters) for t in self.tools}
            self.tables_ddl = reply.tables
            # The table whose rows are the people who talk to the assistant (USER_TABLE,
            # optional): a generated dialogue keeps to one of them.
            self.user_table = reply.user_table
            # AUTHENTICATE_FIRST (optional): the user is looked up from details they give
            # before any of their data is touched (the verifier's plan_sense check).
            self.authenticate_first = reply.authenticate_first
            # CHECK_BEFORE_WRITE (optional): a write's record is looked at (its status read)
            # before the write acts on it (plan_sense's unchecked_record).
            self.check_before_write = reply.check_before_write
            if seeded and replayed is None:
                self._store = self._seed(source, reply.tables, keep_seed)
            if seeded:
                self._check_user_table(source)
                self._initial = self._store.snapshot()
                self._snapshot_ids[self._initial] = SEEDED
        except BaseException:
            self.close()
            raise

    # -- loading --------------------------------------------------------------
    def _loaded(self, source: EnvSource, checked: list[_WorkerTool] | None = None) -> _LoadedReply:
        """The worker's validated load reply; its schemas are checked unless the tools are
        exactly `checked` (an original's, already checked)."""
        try:
            raw = self._worker.loaded()
        except (WorkerTimeout, WorkerDied) as exc:
            raise EnvLoadError([(source.path, 0, f"the module did not load: {str(exc) or 'timed out'}")]) from exc
        try:
            reply = _LoadedReply.model_validate(raw)
        except ValidationError as exc:
            raise EnvLoadError([(source.path, 0, f"the worker sent a malformed description: {exc}")]) from exc
        if not reply.ok:
            raise EnvLoadError([(source.path, p.line, p.message) for p in reply.problems])
        missing = (reply.confinement or {}).get("missing") or []
        if missing:
            # Same text and place every time: the default warning filter shows it once per process.
            warnings.warn(f"the sandbox's OS layer is not available here: {'; '.join(missing)}. Env code still runs "
                          "under RestrictedPython, the SQL policy and the process limits", ConfinementUnavailable,
                          stacklevel=1)
        for tool in [] if checked is not None and reply.tools == checked else reply.tools:
            problem = derived_schema_problem(tool.function.get("parameters"))
            if problem is not None:  # only a compromised worker sends one: nothing of it is compiled
                raise EnvLoadError([(source.path, tool.line, f"the worker sent a schema not derived from the "
                                                             f"code: {problem}")])
            try:
                jsonschema.Draft202012Validator.check_schema(tool.function.get("parameters", {}))
            except jsonschema.SchemaError as exc:
                raise EnvLoadError([(source.path, tool.line, f"derived schema is invalid: {exc.message}")]) from exc
        return reply

    def _check_user_table(self, source: EnvSource) -> None:
        table = self.tables.get(self.user_table) if self.user_table is not None else None
        if self.user_table is not None and (table is None or len(table.primary_key) != 1):
            raise EnvLoadError([(source.path, 0, f"USER_TABLE {self.user_table!r} is not a table of TABLES with a "
                                                 "one-column PRIMARY KEY")])

    @property
    def user_key(self) -> str | None:
        """The primary key column of the user table (None: the env declares no users)."""
        if self.user_table is None or self._store is None:
            return None  # (a seeded env's USER_TABLE was checked at load)
        return self.tables[self.user_table].primary_key[0]

    def _new_store(self, source: EnvSource, ddl: str) -> StateStore:
        store = StateStore(read_cache_size=self.memo.size)
        self._store = store
        self._resources.append(store)
        try:
            store.create_tables(ddl, timeout=self.limits.seed_timeout_s)
        except StateError as exc:
            raise EnvLoadError([(source.path, 0, f"TABLES: {exc}")]) from exc
        return store

    def _replayed(self, source: EnvSource, ddl: str, journal: SeedJournal) -> StateStore:
        store = self._new_store(source, ddl)
        try:
            journal.replay(store)
        except SeedReplayFailed as exc:
            raise EnvLoadError([(source.path, 0, f"seed(): its statements did not replay ({exc})")]) from exc
        return store

    def _seed(self, source: EnvSource, ddl: str, keep: bool) -> StateStore:
        store = self._new_store(source, ddl)
        store.begin()
        violations: list[str] = []
        journal: list[dict[str, Any]] | None = [] if keep else None
        done = self._request({"op": "seed", "seed": self.seed, "rng": f"{self.seed}:seed"},
                             self.limits.seed_timeout_s, Session.WRITE, violations=violations, seeding=True,
                             journal=journal)
        if done.ok and not violations:
            try:
                store.commit()
            except DbError as exc:
                done = failure("ToolCrash", str(exc))
        else:
            store.rollback()
        if violations:
            done = failure("SandboxViolation", violations[0])
        if not done.ok:
            assert done.error is not None
            raise EnvLoadError([(source.path, done.error.line or 0, f"seed(): {done.error}")])
        store.writes_committed = 0
        if journal is not None:
            self.seed_journal = SeedJournal(tuple(journal))
        return store

    # -- calls ----------------------------------------------------------------
    def call(self, name: str, args: dict[str, Any] | None = None) -> CallResult:
        """Run one tool call; never raises for a failing call (see CallResult.error)."""
        args = {} if args is None else args
        problem = self._invalid(name, args)
        return problem if problem is not None else self._call(self._tools[name], args)

    def _call(self, tool: ToolSpec, args: dict[str, Any]) -> CallResult:
        """call() for a valid call: from the memo, or run (and remembered)."""
        name = tool.name
        key = self.memo.key(self._state_id, name, args)
        known = self.memo.get(key)
        if known is not None and not known.changed_state:
            return self.memo.answer(known)
        result = self._run(tool, args, key)
        changed = tool.writes and result.ok
        self.memo.remember(key, result, changed)
        if changed:
            self._state_id = state_after(key)
        return result

    def peek(self, name: str, args: dict[str, Any] | None = None) -> CallResult:
        """What the call would return now, leaving the state as it is (a write runs in a
        transaction that is not committed, unless this call was already made on this
        state). A successful write's transaction is held open until the state changes:
        call() of the same write on the same state then commits it instead of running it
        again (see sandbox.held_trial)."""
        args = {} if args is None else args
        problem = self._invalid(name, args)
        if problem is not None:
            return problem
        tool = self._tools[name]
        if not tool.writes:
            return self._call(tool, args)  # a read changes nothing
        key = self.memo.key(self._state_id, name, args)
        known = self.memo.get(key)
        if known is not None:
            return self.memo.answer(known)
        # Not committed rather than committed and undone: no snapshot copy, no restore. (A
        # commit that would fail is not seen here; call() reports it when it commits.)
        result = self._run(tool, args, key, trial=True)
        self.memo.remember(key, result, result.ok)
        return result

    def remembered_run(self, calls: list[tuple[str, dict[str, Any]]], since: Snapshot | None = None,
                       until: Snapshot | None = None) -> list[CallResult] | None:
        """The outcomes of making `calls` in order from the seeded state (or `since`),
        without running anything: when the memo holds every one of them along the way and
        they lead to the state the env is in now (or to `until`). For a dialogue this env
        just made, replayed by the verifier or re-executed after an edit that left its
        calls as they were. None otherwise: restore and run them."""
        state_id = SEEDED if since is None else self._snapshot_ids.get(since)
        goal = self._state_id if until is None else self._snapshot_ids.get(until)
        if state_id is None or goal is None:
            return None
        outcomes = []
        for name, args in calls:
            problem = self._invalid(name, args)
            if problem is not None:
                outcomes.append(problem)
                continue
            key = self.memo.key(state_id, name, args)
            known = self.memo.get(key)
            if known is None:
                return None
            outcomes.append(self.memo.answer(known))
            if known.changed_state:
                state_id = state_after(key)
        return outcomes if state_id == goal else None

    def _invalid(self, name: str, args: Any) -> CallResult | None:
        """The failure for an unknown tool or arguments its schema rejects, else None."""
        tool = self._tools.get(name)
        if tool is None:
            return failure("UnknownTool", f"no tool '{name}' in env {self.name}; tools: {', '.join(self._tools)}")
        if not isinstance(args, dict):
            return failure("InvalidArguments", f"arguments of {name} must be a JSON object, got {type(args).__name__}")
        # Before the schema: NaN, Infinity, a lone surrogate or deep nesting can pass a schema
        # but not the pipe, a record or a replay.
        problem = strict_json_problem(args, self.limits.max_depth, MAX_ARGUMENT_VALUES, MAX_ARGUMENT_CHARS)
        if problem is not None:
            argument = problem.split(":", 1)[0].split(".", 1)[0].split("[", 1)[0]
            return failure("InvalidArguments", f"arguments of {name} are not strict JSON: {problem}",
                           argument if argument in tool.parameters.get("properties", {}) else None)
        errors = sorted(self._validators[name].iter_errors(args), key=_error_rank)
        return _argument_error(errors[0], tool) if errors else None

    def _run(self, tool: ToolSpec, args: dict[str, Any], key: MemoKey, trial: bool = False) -> CallResult:
        """Run a call (`key` is its memo key). A read runs on the committed state. A write
        runs in a transaction on the write session, committed unless it fails or is a
        `trial`; a successful trial is held open, and the call of the held trial's key
        commits it instead of running."""
        if not tool.writes:
            return self._tool_request(tool, args, Session.COMMITTED)
        held = self._held
        if held is not None and held.key == key:
            if trial:
                return held.result.detached()
            self._held = None
            return self._commit(held.result)
        self._settle()
        store = self._state()
        store.begin()
        try:
            result = self._tool_request(tool, args, Session.WRITE)
        except BaseException:
            store.rollback()  # nothing is left open, whatever interrupted the call
            raise
        if not result.ok or (trial and not self._hold_trials):
            store.rollback()
            return result
        if trial:
            self._held = HeldTrial(key, result.detached())
            return result
        return self._commit(result)

    def _commit(self, result: CallResult) -> CallResult:
        """Commit the open write transaction, whose call had `result`."""
        try:
            self._state().commit()
        except DbError as exc:
            return failure("ToolCrash", f"the call's writes could not be committed: {exc}")
        return result

    def _settle(self) -> None:
        """Roll back a held trial: before anything that changes the committed state."""
        if self._held is not None:
            self._held = None
            self._state().rollback()

    def _tool_request(self, tool: ToolSpec, args: dict[str, Any], session: Session) -> CallResult:
        violations: list[str] = []
        result = self._request({"op": "call", "tool": tool.name, "args": args, "writes": tool.writes,
                                "rng": f"{self.seed}:{self._state().writes_committed}"},
                               self.limits.timeout_s, session, violations=violations)
        return failure("SandboxViolation", violations[0]) if violations else result

    def _request(self, message: dict[str, Any], timeout: float, session: Session, violations: list[str],
                 seeding: bool = False, journal: list[dict[str, Any]] | None = None) -> CallResult:
        """One worker request whose SQL runs on `session` (writes only on Session.WRITE);
        `journal` gets each SQL request that ran (kept only if the whole request succeeds)."""
        store = self._state()
        # A failed statement aborts DuckDB's open transaction: a tool (or seed) that catches
        # the error and goes on would "succeed" with every write silently dropped at COMMIT.
        write_errors: list[str] = []
        interrupted: list[str] = []  # statements the watchdog stopped at the deadline

        def on_sql(request: dict[str, Any]) -> dict[str, Any]:
            if request.get("op") == "data":
                return self._serve_data(request.get("name"), seeding, violations)
            try:
                if request.get("kind") == "insert":
                    if session is not Session.WRITE:
                        raise PolicyViolation("this tool is read-only (declare it with @tool(writes=True))")
                    value = store.insert(str(request.get("table")), list(request.get("rows") or []))
                    if journal is not None:
                        journal.append({"kind": "insert", "table": str(request.get("table")),
                                        "rows": list(request.get("rows") or [])})
                elif request.get("kind") in ("query", "execute") and isinstance(request.get("sql"), str):
                    if len(request["sql"]) > MAX_SQL_CHARS:
                        raise PolicyViolation(f"an SQL statement of {len(request['sql'])} characters; the limit is "
                                              f"{MAX_SQL_CHARS}")
                    value = store.run(request["kind"], request["sql"], list(request.get("params") or []), session,
                                      cached=True)
                    if journal is not None:
                        journal.append({"kind": request["kind"], "sql": request["sql"],
                                        "params": list(request.get("params") or [])})
                else:
                    raise PolicyViolation("malformed SQL request")
            except PolicyViolation as exc:
                violations.append(str(exc))
                return {"op": "violation", "message": str(exc)}
            except (TypeError, ValueError, OverflowError, RecursionError) as exc:  # values DuckDB cannot take
                message = f"the statement could not run: {type(exc).__name__}: {str(exc)[:300]}"
                if session is Session.WRITE:
                    write_errors.append(message)
                return {"op": "sql_error", "message": message}
            except DbError as exc:
                if isinstance(exc.__cause__, duckdb.InterruptException):
                    interrupted.append(str(exc))
                if session is Session.WRITE:
                    write_errors.append(str(exc))
                return {"op": "sql_error", "message": str(exc)}
            return {"op": "sql_result", "value": value}

        store.watchdog.arm(store.connection_of(session), time.monotonic() + timeout)
        try:
            done = self._worker.request(message, timeout, on_sql, None if seeding else _MAX_CALL_FRAME)
        except WorkerTimeout:
            return failure("ToolTimeout", f"the call ran past its {timeout:g} s limit; the worker was restarted "
                                          "and the state is unchanged")
        except WorkerDied as exc:
            return failure("ResourceLimit", f"{exc} (memory or CPU limit); the worker was restarted and the "
                                            "state is unchanged")
        finally:
            store.watchdog.disarm()
        if interrupted:  # whatever the tool made of it: the limit, not the tool, ended the call
            return failure("ToolTimeout", f"a query ran past the call's {timeout:g} s limit and was stopped; "
                                          "the state is unchanged")
        if write_errors and (done.get("ok") is True or len(write_errors) > 1):  # went on after the first
            return failure("ToolCrash", f"an SQL statement failed and the code went on ({write_errors[0]}); "
                                        "a failed statement aborts the transaction, so none of the writes can "
                                        "be kept")
        if done.get("ok") is True:
            return CallResult(ok=True, result=done.get("result"))
        try:
            return CallResult(ok=False, error=CallError.model_validate(done.get("error")))
        except ValidationError:
            return failure("ToolCrash", "the worker reported a malformed error")

    def _serve_data(self, name: Any, seeding: bool, violations: list[str]) -> dict[str, Any]:
        """A data file for seed(); refused in tool calls, whose results must come from the state."""
        try:
            if not seeding:
                raise DataNameViolation("db.data() is available in seed() only; tools read the env's tables")
            return {"op": "data_result", "value": read_data_file(self._data_dir, self._data_files, name)}
        except DataNameViolation as exc:
            violations.append(str(exc))
            return {"op": "violation", "message": str(exc)}
        except DataFileError as exc:
            return {"op": "data_error", "message": str(exc)}

    # -- state ----------------------------------------------------------------
    def _state(self) -> StateStore:
        if self._store is None:
            raise RuntimeError("this environment was loaded without state (seeded=False) or is closed")
        return self._store

    @property
    def tables(self) -> dict[str, Table]:
        return self._state().tables

    def query(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """A read-only SELECT on the env's tables (for tests, samplers, reports); it sees
        the committed state only (never a held trial's writes), as do snapshot, hash and diff."""
        return self._state().read(sql, params)

    def snapshot(self) -> Snapshot:
        snap = self._state().snapshot()
        self._snapshot_ids[snap] = self._state_id
        return snap

    def restore(self, snap: Snapshot) -> None:
        store = self._state()
        if not store.is_current(snap):  # a restore that changes nothing keeps a held trial valid
            self._settle()
        store.restore(snap)
        self._state_id = self._snapshot_ids[snap]

    def reset(self) -> None:
        """Back to the seeded initial state."""
        self.restore(self._initial)

    @property
    def initial(self) -> Snapshot:
        return self._initial

    def state_hash(self, snap: Snapshot | None = None) -> str:
        if snap is not None:
            return self._state().state_hash(snap)
        known = self._summaries.get(("hash", self._state_id))
        if not isinstance(known, str):
            known = self._state().state_hash()
            self._summaries.remember(("hash", self._state_id), known)
        return known

    def diff(self, before: Snapshot | None = None, after: Snapshot | None = None) -> StateDiff:
        """What changed from `before` (default: the initial state) to `after` (default: now)."""
        if before is not None or after is not None:
            return self._state().diff(before or self._initial, after)
        known = self._summaries.get(("diff", self._state_id))
        if not isinstance(known, StateDiff):
            known = self._state().diff(self._initial)
            self._summaries.remember(("diff", self._state_id), known)
        return known.model_copy(deep=True)

    @property
    def state_id(self) -> str:
        """The committed state's id (see sandbox.call_memo): equal ids, equal states, in
        this env and in its twins."""
        return self._state_id

    def twin(self) -> Environment:
        """Another live env of this module and seed, for another thread: its own worker
        and state, seeded by replaying this env's seeding (see sandbox.seed_journal; this
        env must have been loaded with keep_seed), and this env's call memo and state
        summaries shared (both are safe to use from several threads)."""
        if self.seed_journal is None:
            raise RuntimeError("twin() needs an env loaded with keep_seed=True")
        return Environment(self._source, self.seed, self.limits, memo_size=self.memo.size, twin_of=self)

    def row_counts(self) -> dict[str, int]:
        return self._state().row_counts()

    def openai_tools(self) -> list[dict[str, Any]]:
        return [t.openai() for t in self.tools]

    def tool(self, name: str) -> ToolSpec:
        return self._tools[name]

    @property
    def worker_restarts(self) -> int:
        return self._worker.restarts

    def close(self) -> None:
        self._held = None  # closing the store discards its open transaction
        self._reap()
        self._store = None

    def __enter__(self) -> Environment:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _close_all(resources: list[WorkerProcess | StateStore]) -> None:
    for resource in reversed(resources):
        resource.close()


def load_env(name_or_path: str | Path, seed: int = 0, limits: Limits | None = None,
             memo_size: int = 4096, keep_seed: bool = False) -> Environment:
    """Load and seed an env: a built-in name ("retail") or a path to a .py module.

    `memo_size` bounds the outcomes kept to answer repeated calls (see sandbox.call_memo);
    0 runs every call. `keep_seed` keeps the seeding's statements, for twin()."""
    return Environment(resolve(name_or_path), seed, limits or Limits(), memo_size=memo_size, keep_seed=keep_seed)


def inspect_env(name_or_path: str | Path) -> Environment:
    """Load an env's module without creating or seeding its state (tools, docs only)."""
    return Environment(resolve(name_or_path), 0, Limits(), seeded=False)
