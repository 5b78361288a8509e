"""`toolace-mt serve ENV`: an env as an MCP server, on the official `mcp` SDK (2.x, `MCPServer`).

Each env tool is an MCP tool whose `inputSchema` is our derived JSON schema; a call runs
in the sandbox exactly as `env.call` does (arguments validated by the env, not by the
SDK), and a failing call is an MCP tool error (`isError`) whose text is the typed error
`{"error": {"type", "message"}}`, the very text a record's tool message holds.

Sessions. Every MCP session has its own env, loaded fresh from the seed on its first
request; sessions never see each other's writes. Over stdio the process is the session.
Over HTTP a session is the SDK's stateful Streamable HTTP session (`mcp-session-id`);
the stateless 2026-07-28 era has no session to keep a state in, so `server/discover`
is refused over HTTP and clients in `auto` mode fall back to the initialize handshake.
A session ends when the client deletes it, after `idle_timeout` seconds without a
request, or when the server stops; its env is then closed and, with `record`, the
session is appended to the JSONL file as a trace record (every call, its real output,
the final state) that `toolace-mt verify --checks replay,state` accepts.

Bounds: at most `max_sessions` sessions at once (HTTP answers 503 beyond, as the SDK
does), at most `max_calls` calls per session, each call under the sandbox's limits; a
session's calls run one at a time, in a thread, so sessions run side by side.

State is readable through resource templates (read-only):
`toolace://state/hash`, `toolace://state/diff`, `toolace://state/tables` and
`toolace://tables/{table}{?offset,limit}` (rows in primary-key order, at most
MAX_ROWS per read).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError
from mcp.server.mcpserver.tools import Tool
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_REQUEST, METHOD_NOT_FOUND, CallToolResult, TextContent, ToolAnnotations
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import BaseModel, ConfigDict, Field

from sandbox import CallResult, Environment, inspect_env, load_env
from sandbox.registry import builtin_names
from toolace_mt.jsonl import RecordWriter
from toolace_mt.record import (
    AssistantMessage,
    Expected,
    FunctionCall,
    Message,
    Provenance,
    Record,
    ToolCall,
    ToolMessage,
    UserMessage,
)
from toolace_mt.strict_json import strict_problem

MAX_ROWS = 500
MAX_ENDED = 10_000  # ended session keys remembered, so a late request is refused rather than given a new state
SESSION_HEADER = "mcp-session-id"


class ServeOptions(BaseModel):
    """What `toolace-mt serve` was asked for (validated at the boundary)."""

    model_config = ConfigDict(extra="forbid")

    env: str
    seed: int = 0
    transport: Literal["stdio", "http"] = "stdio"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    record: Path | None = None
    max_sessions: int = Field(default=16, ge=1, le=1000)
    max_calls: int = Field(default=1000, ge=1)
    idle_timeout: float = Field(default=600.0, gt=0)
    warm: int = Field(default=1, ge=0, le=16)  # envs kept loaded ahead of new sessions


class SessionError(Exception):
    """A request this server will not serve (the message says why)."""


@dataclass
class Session:
    """One MCP session: its env, its calls so far, and when it was last used."""

    key: str
    env: Environment
    lock: threading.Lock = field(default_factory=threading.Lock)
    messages: list[Message] = field(default_factory=list)
    calls: int = 0
    last_used: float = field(default_factory=time.monotonic)
    closed: bool = False

    def call(self, name: str, arguments: dict[str, Any], max_calls: int) -> CallResult | None:
        """Run one call (None: the session's call budget is spent); runs in a thread."""
        with self.lock:
            if self.closed:
                raise SessionError("this session has ended; open a new one")
            if self.calls >= max_calls:
                return None
            text = _arguments_text(arguments)  # before the call: what cannot be recorded is not run
            self.calls += 1
            result = self.env.call(name, arguments)
            call_id = f"call_{self.calls}"
            self.messages.append(AssistantMessage(content=None, tool_calls=[ToolCall(
                id=call_id, function=FunctionCall(name=name, arguments=text))]))
            self.messages.append(ToolMessage(tool_call_id=call_id, content=result.content()))
            self.last_used = time.monotonic()
            return result

    def read(self, reader: Callable[[Session], Any]) -> Any:
        with self.lock:
            if self.closed:
                raise SessionError("this session has ended; open a new one")
            self.last_used = time.monotonic()
            return reader(self)

    def record(self, record_id: str) -> Record:
        """The session as a trace record: its calls and real outputs, and the final state."""
        env = self.env
        env_ref = env.name if env.name in builtin_names() else str(env.path)
        messages: list[Message] = [
            UserMessage(content=f"(MCP session {self.key}: the calls an MCP client made through toolace-mt serve)"),
            *self.messages,
            AssistantMessage(content="(end of the MCP session)"),
        ]
        return Record(id=record_id, env=env_ref, env_digest=env.digest, seed=env.seed, tools=env.openai_tools(),
                      messages=messages, provenance=Provenance(method="manual", backend="mcp"),
                      expected=Expected(final_state_hash=env.state_hash(), diff=env.diff().model_dump(mode="json")))


class SessionRegistry:
    """The live sessions by key; creates, bounds, records and closes them."""

    def __init__(self, options: ServeOptions, log: Callable[[str], None]) -> None:
        self.options = options
        self.log = log
        self.sessions: dict[str, Session] = {}
        self._opening: set[str] = set()
        self._changed = threading.Condition()  # guards sessions, _opening and _spares
        self._spares: list[Environment] = []  # envs loaded ahead, so a new session starts at once
        self._ended: OrderedDict[str, str] = OrderedDict()  # key -> why it ended (the newest MAX_ENDED)
        self._stopping = False
        self._writer = RecordWriter(options.record, append=True) if options.record is not None else None
        self._recorded = 0
        # stdio has one session per process; its key is unique so that servers started
        # one per conversation can record into the same file with distinct record ids
        self.stdio_key = f"stdio-{uuid.uuid4().hex[:8]}"
        self._loader: threading.Thread | None = None
        if options.warm:
            self._loader = threading.Thread(target=self._keep_warm, name="toolace-serve-warm", daemon=True)
            self._loader.start()

    def _keep_warm(self) -> None:
        """Keep `warm` seeded envs ready, within the session cap."""
        while True:
            with self._changed:
                while not self._stopping and (
                        len(self._spares) >= self.options.warm
                        or len(self.sessions) + len(self._opening) + len(self._spares) >= self.options.max_sessions):
                    self._changed.wait()
                if self._stopping:
                    return
            try:
                env = load_env(self.options.env, seed=self.options.seed)
            except Exception as exc:  # noqa: BLE001 (an env that stops loading: sessions load their own and say why)
                self.log(f"could not load a spare env: {exc}")
                return
            with self._changed:
                if self._stopping:
                    env.close()
                    return
                self._spares.append(env)
                self._changed.notify_all()

    def _claim(self, key: str) -> tuple[Session | None, Environment | None]:
        """The open session of `key`; or, for a new one, a spare env (None: load one)."""
        with self._changed:
            while key in self._opening:  # another request of this session is loading its env
                self._changed.wait()
            session = self.sessions.get(key)
            if session is not None:
                return session, None
            if self._stopping:
                raise SessionError("the server is stopping")
            if key in self._ended:  # the SDK may still know it (our idle clock ignores open GET streams)
                raise SessionError(f"this session was closed ({self._ended[key]}); open a new one")
            if len(self.sessions) + len(self._opening) >= self.options.max_sessions:
                raise SessionError(f"too many open sessions ({self.options.max_sessions}); close one or retry later")
            self._opening.add(key)
            spare = self._spares.pop() if self._spares else None
            self._changed.notify_all()
            return None, spare

    def get(self, key: str) -> Session:
        """The session of `key`, with a fresh env on first use (blocking: call in a thread)."""
        session, env = self._claim(key)
        if session is not None:
            return session
        try:
            if env is None:
                env = load_env(self.options.env, seed=self.options.seed)
            session = Session(key, env)
        finally:
            with self._changed:
                self._opening.discard(key)
                if session is not None:
                    self.sessions[key] = session
                self._changed.notify_all()
        self.log(f"session {key[:12]} opened ({len(self.sessions)} open)")
        return session

    def close(self, key: str, why: str) -> None:
        """End a session: record it (if asked and it made calls) and close its env."""
        with self._changed:
            session = self.sessions.pop(key, None)
            if session is not None:
                self._ended[key] = why
                if len(self._ended) > MAX_ENDED:
                    self._ended.popitem(last=False)
            self._changed.notify_all()
        if session is None:
            return
        with session.lock:
            session.closed = True
            try:
                if self._writer is not None and session.calls:
                    record = session.record(f"mcp-{key[:16]}")
                    with self._changed:  # one line at a time
                        self._recorded += 1
                        self._writer.write(record.model_copy(update={"id": f"{record.id}-{self._recorded}"}))
            finally:
                session.env.close()
        self.log(f"session {key[:12]} closed ({why}; {session.calls} call(s))")

    def idle(self) -> list[str]:
        cutoff = time.monotonic() - self.options.idle_timeout
        with self._changed:
            return [key for key, s in self.sessions.items() if s.last_used < cutoff]

    def close_all(self, why: str) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        if self._loader is not None:
            self._loader.join()
        for key in list(self.sessions):
            self.close(key, why)
        for env in self._spares:
            env.close()
        self._spares.clear()
        if self._writer is not None:
            self._writer.close()


def _arguments_text(arguments: dict[str, Any]) -> str:
    """The arguments as the record's strict JSON; SessionError when they cannot be (NaN or
    Infinity, nesting past the record's depth, an integer too long for text): the SDK's
    JSON reader lets some through, and they would fail the record after the call ran."""
    try:
        text = json.dumps(arguments, ensure_ascii=False, allow_nan=False)
    except (ValueError, TypeError, RecursionError) as exc:
        raise SessionError(f"the arguments are not strict JSON ({type(exc).__name__}: {str(exc)[:120]}); "
                           "nothing was run") from None
    problem = strict_problem(text)
    if problem is not None:
        raise SessionError(f"the arguments are not strict JSON ({problem}); nothing was run")
    return text


def _session_key(ctx: Any, stdio_key: str) -> str:
    """The MCP session a request belongs to: the process over stdio (`stdio_key`), the
    `mcp-session-id` header over HTTP."""
    request = ctx.request_context.request
    if request is None:
        return stdio_key
    key = request.headers.get(SESSION_HEADER)
    if not key:
        raise SessionError("this server keeps a state per session: connect with the initialize handshake "
                           "(a stateful Streamable HTTP session)")
    return str(key)


def _error_result(message: str, kind: str = "SessionError") -> CallToolResult:
    error = {"error": {"type": kind, "message": message}}
    return CallToolResult(content=[TextContent(type="text", text=json.dumps(error, ensure_ascii=False))],
                          structured_content=error, is_error=True)


def _call_result(result: CallResult) -> CallToolResult:
    text = result.content()
    if result.ok:
        return CallToolResult(content=[TextContent(type="text", text=text)], is_error=False)
    assert result.error is not None
    error = {"error": {"type": result.error.type, "message": result.error.message}}
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=error, is_error=True)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_rows(env: Environment, table: str, offset: int, limit: int) -> dict[str, Any]:
    spec = env.tables.get(table)
    if spec is None:
        raise SessionError(f"no table {table!r}; tables: {', '.join(sorted(env.tables))}")
    order = ", ".join(_quoted(column) for column in spec.primary_key)
    total = env.query(f"SELECT count(*) AS n FROM {_quoted(spec.name)}")[0]["n"]
    rows = env.query(f"SELECT * FROM {_quoted(spec.name)} ORDER BY {order} LIMIT ? OFFSET ?", [limit, offset])
    return {"table": spec.name, "primary_key": list(spec.primary_key), "total": total, "offset": offset,
            "limit": limit, "rows": rows}


def _state_view(env: Environment, view: str, calls: int) -> dict[str, Any]:
    if view == "hash":
        return {"state_hash": env.state_hash(), "initial_state_hash": env.state_hash(env.initial), "calls": calls}
    if view == "diff":
        return env.diff().model_dump(mode="json")
    if view == "tables":
        counts = env.row_counts()
        return {"tables": [{"name": t.name, "primary_key": list(t.primary_key), "rows": counts[t.name],
                            "columns": {c.name: c.type for c in t.columns}} for t in env.tables.values()]}
    raise SessionError(f"unknown state view {view!r}; use hash, diff or tables")


def build_server(options: ServeOptions, registry: SessionRegistry) -> MCPServer:
    """The MCPServer: one tool per env tool, the state resources, and the era guard."""
    with inspect_env(options.env) as spec_env:
        specs = [(t.name, t.description, t.parameters, t.writes) for t in spec_env.tools]
        description = spec_env.description

    async def run_call(ctx: Any, name: str, arguments: dict[str, Any]) -> Any:
        try:
            key = _session_key(ctx, registry.stdio_key)
            session = await anyio.to_thread.run_sync(registry.get, key)
            result = await anyio.to_thread.run_sync(session.call, name, arguments, options.max_calls)
        except SessionError as exc:
            return _error_result(str(exc))
        if result is None:
            return _error_result(f"this session made its {options.max_calls} calls (--max-calls); open a new one",
                                 "ResourceLimit")
        return _call_result(result)

    class EnvTool(Tool):
        """An env tool: our schema as inputSchema, the call run by the env, not by the SDK."""

        async def run(self, arguments: dict[str, Any], context: Any, convert_result: bool = False) -> Any:
            return await run_call(context, self.name, arguments)

    def _placeholder() -> None:
        """Stands for the env tool in the SDK's registry; EnvTool.run does the work."""

    tools = []
    for name, tool_description, parameters, writes in specs:
        hints = ToolAnnotations(read_only_hint=not writes, open_world_hint=False)  # the sandbox is a closed world
        base = Tool.from_function(_placeholder, name=name, description=tool_description, annotations=hints,
                                  structured_output=False)
        fields = {key: getattr(base, key) for key in Tool.model_fields}
        tools.append(EnvTool(**{**fields, "parameters": parameters}))

    server: MCPServer = MCPServer(
        name=f"toolace-mt {options.env}", instructions=f"{description}\n\nEvery tool call runs for real in a "
        f"sandboxed env seeded with {options.seed}; each MCP session has its own state.", tools=tools,
        log_level="WARNING")

    async def read_in_session(ctx: Any, reader: Callable[[Session], Any]) -> str:
        try:
            key = _session_key(ctx, registry.stdio_key)
            session = await anyio.to_thread.run_sync(registry.get, key)
            data = await anyio.to_thread.run_sync(session.read, reader)
        except SessionError as exc:
            raise ResourceError(str(exc)) from exc
        return json.dumps(data, ensure_ascii=False, default=str)

    @server.resource("toolace://state/{view}", mime_type="application/json",
                     description="This session's state: hash (state hash and the seed's), diff (from the seed), "
                                 "tables (names, keys, columns, row counts)")
    async def state(view: str, ctx: Context) -> str:
        return await read_in_session(ctx, lambda session: _state_view(session.env, view, session.calls))

    @server.resource("toolace://tables/{table}{?offset,limit}", mime_type="application/json",
                     description=f"Rows of one table of this session's state, in primary-key order, read-only "
                                 f"(at most {MAX_ROWS} per read; page with offset and limit)")
    async def table_rows(table: str, ctx: Context, offset: int = 0, limit: int = 100) -> str:
        if offset < 0 or not 1 <= limit <= MAX_ROWS:
            raise ResourceError(f"offset must be >= 0 and limit 1..{MAX_ROWS}")
        return await read_in_session(ctx, lambda session: _table_rows(session.env, table, offset, limit))

    async def stateful_only(ctx: Any, call_next: Any) -> Any:
        """Over HTTP, refuse the stateless era (no session to hold a state in): `auto`
        clients then fall back to the initialize handshake."""
        if ctx.request is not None:
            if ctx.method == "server/discover":
                raise MCPError(code=METHOD_NOT_FOUND, message="this server keeps a state per session; use the "
                                                              "initialize handshake")
            if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
                raise MCPError(code=INVALID_REQUEST, message="this server keeps a state per session; use the "
                                                             "initialize handshake")
        return await call_next(ctx)

    server.middleware.append(stateful_only)
    return server


class _SessionEnds:
    """ASGI wrapper: a client's DELETE of its session ends our session too."""

    def __init__(self, app: Any, registry: SessionRegistry) -> None:
        self.app = app
        self.registry = registry

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)
        if scope.get("type") == "http" and scope.get("method") == "DELETE":
            header = SESSION_HEADER.encode("ascii")
            key = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == header), None)
            if key and key in self.registry.sessions:
                await anyio.to_thread.run_sync(self.registry.close, key, "deleted by the client")


async def _reap_idle(registry: SessionRegistry) -> None:
    while True:
        await anyio.sleep(min(5.0, registry.options.idle_timeout / 2))
        for key in registry.idle():
            await anyio.to_thread.run_sync(registry.close, key, "idle")


def listen(options: ServeOptions) -> socket.socket:
    """The HTTP server's socket, bound before anything is loaded: a taken port fails at once."""
    sock = socket.socket(socket.AF_INET6 if ":" in options.host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((options.host, options.port))
    except OSError:
        sock.close()
        raise
    return sock


async def _serve_http(options: ServeOptions, registry: SessionRegistry, log: Callable[[str], None],
                      sock: socket.socket) -> None:
    import uvicorn

    server = build_server(options, registry)
    app = server.streamable_http_app(session_idle_timeout=options.idle_timeout, max_sessions=options.max_sessions,
                                     host=options.host)
    port = sock.getsockname()[1]
    config = uvicorn.Config(_SessionEnds(app, registry), log_level="warning", lifespan="on")
    web = uvicorn.Server(config)
    async with anyio.create_task_group() as group:
        group.start_soon(_reap_idle, registry)
        log(f"serving {options.env} (seed {options.seed}) over MCP at http://{options.host}:{port}/mcp")
        await web.serve(sockets=[sock])
        group.cancel_scope.cancel()


async def _serve_stdio(options: ServeOptions, registry: SessionRegistry, log: Callable[[str], None]) -> None:
    server = build_server(options, registry)
    log(f"serving {options.env} (seed {options.seed}) over MCP on stdio")
    async with anyio.create_task_group() as group:
        group.start_soon(_stop_on_sigterm, registry, log)
        await server.run_stdio_async()
        group.cancel_scope.cancel()


async def _stop_on_sigterm(registry: SessionRegistry, log: Callable[[str], None]) -> None:
    """A client that terminates its stdio server still gets the session recorded. The
    SDK reads stdin in a thread that cancelling cannot interrupt, so on SIGTERM the
    sessions are closed (recorded, envs closed) and the process exits at once."""
    with anyio.open_signal_receiver(signal.SIGTERM) as signals:
        async for _ in signals:
            await anyio.to_thread.run_sync(registry.close_all, "terminated")
            log("stopped (SIGTERM)")
            sys.stderr.flush()
            os._exit(0)


@contextlib.asynccontextmanager
async def _registry(options: ServeOptions, log: Callable[[str], None]) -> AsyncIterator[SessionRegistry]:
    registry = SessionRegistry(options, log)
    try:
        yield registry
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(registry.close_all, "server stopped")


def serve(options: ServeOptions, log: Callable[[str], None] | None = None, sock: socket.socket | None = None) -> None:
    """Run the server until the client goes (stdio) or the process is stopped (http).
    `sock`: the bound socket for http (default: `listen(options)`)."""
    say = log or (lambda text: print(f"toolace-mt: {text}", file=sys.stderr, flush=True))
    if sock is None and options.transport == "http":
        sock = listen(options)

    async def main() -> None:
        async with _registry(options, say) as registry:
            if sock is not None:
                await _serve_http(options, registry, say, sock)
            else:
                await _serve_stdio(options, registry, say)

    try:
        anyio.run(main)
    finally:
        if sock is not None:
            sock.close()
